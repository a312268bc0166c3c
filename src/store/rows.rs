//! Row-level changes: what an undoable action did to each row (its full contents before and
//! after), recorded with the action's audit entry so that undo and redo can replay it exactly
//! and refuse when a row has changed since.

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Tables whose rows undo and redo may touch. A document row is recorded without its text
/// (an action that changes a document's text, a redaction, is not undoable: it would bring an
/// identifier back), so that no identifier reaches the audit log through a snapshot.
pub const UNDOABLE: &[&str] = &[
    "codes",
    "codings",
    "memos",
    "change_overrides",
    "documents",
    "document_participants",
    "turns",
    "participants",
    "waves",
    "groups",
    "group_documents",
];

/// The columns a snapshot of `table` holds.
fn columns(table: &str) -> &'static str {
    match table {
        "documents" => {
            "id, guid, title, kind, language, wave_id, interview_date, interviewer, attributes, \
             source_name, source_format, source_sha256, chars, words, created, created_by"
        }
        _ => "*",
    }
}

/// One row's change: absent `before` is an insert, absent `after` a delete.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RowChange {
    pub table: String,
    pub id: i64,
    pub before: Option<Map<String, Value>>,
    pub after: Option<Map<String, Value>>,
}

impl RowChange {
    /// The change that undoes this one.
    pub fn inverse(&self) -> RowChange {
        RowChange {
            table: self.table.clone(),
            id: self.id,
            before: self.after.clone(),
            after: self.before.clone(),
        }
    }
}

fn check_table(table: &str) -> Result<()> {
    if UNDOABLE.contains(&table) {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "changes to `{table}` cannot be recorded or undone"
        )))
    }
}

/// The full row, column by column, or `None` if it does not exist.
pub fn snapshot(conn: &Connection, table: &str, id: i64) -> Result<Option<Map<String, Value>>> {
    check_table(table)?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM {table} WHERE id = ?1",
        columns(table)
    ))?;
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    Ok(stmt
        .query_row([id], |r| {
            let mut map = Map::new();
            for (i, name) in names.iter().enumerate() {
                let v: Sql = r.get(i)?;
                map.insert(name.clone(), to_json(v));
            }
            Ok(map)
        })
        .optional()?)
}

fn to_json(v: Sql) -> Value {
    match v {
        Sql::Null => Value::Null,
        Sql::Integer(i) => Value::from(i),
        Sql::Real(f) => Value::from(f),
        Sql::Text(s) => Value::from(s),
        Sql::Blob(b) => Value::from(b),
    }
}

fn to_sql(v: &Value) -> Sql {
    match v {
        Value::Null => Sql::Null,
        Value::Bool(b) => Sql::Integer(*b as i64),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Sql::Integer(i),
            None => Sql::Real(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => Sql::Text(s.clone()),
        other => Sql::Text(other.to_string()),
    }
}

/// Makes the row match `change.after`, provided it currently matches `change.before`.
/// `what` names the action for the refusal message.
pub fn apply(conn: &Connection, change: &RowChange, what: &str) -> Result<()> {
    check_table(&change.table)?;
    let current = snapshot(conn, &change.table, change.id)?;
    if !same_row(&current, &change.before) {
        return Err(Error::Conflict(format!(
            "cannot {what}: {} {} has been changed since (by a later action); undo that first",
            singular(&change.table),
            change.id
        )));
    }
    match (&change.before, &change.after) {
        (_, None) => {
            conn.execute(
                &format!("DELETE FROM {} WHERE id = ?1", change.table),
                [change.id],
            )?;
        }
        (None, Some(row)) => {
            let cols: Vec<&String> = row.keys().collect();
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                change.table,
                cols.iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                (1..=cols.len())
                    .map(|i| format!("?{i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            conn.execute(&sql, params_from_iter(row.values().map(to_sql)))?;
            forget_derived(conn, &change.table, Some(row))?;
        }
        (Some(_), Some(row)) => {
            let cols: Vec<&String> = row.keys().filter(|c| c.as_str() != "id").collect();
            let sets: Vec<String> = cols
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c} = ?{}", i + 1))
                .collect();
            let sql = format!(
                "UPDATE {} SET {} WHERE id = ?{}",
                change.table,
                sets.join(", "),
                cols.len() + 1
            );
            let mut values: Vec<Sql> = cols.iter().map(|c| to_sql(&row[c.as_str()])).collect();
            values.push(Sql::Integer(change.id));
            conn.execute(&sql, params_from_iter(values))?;
        }
    }
    Ok(())
}

/// Whether the row is as recorded. Columns added by a later migration are not in older
/// records; they must still hold nothing.
fn same_row(current: &Option<Map<String, Value>>, recorded: &Option<Map<String, Value>>) -> bool {
    match (current, recorded) {
        (None, None) => true,
        (Some(c), Some(r)) => {
            c.iter()
                .all(|(k, v)| r.get(k).map_or(v.is_null(), |x| x == v))
                && r.keys().all(|k| c.contains_key(k))
        }
        _ => false,
    }
}

fn singular(table: &str) -> &str {
    table.strip_suffix('s').unwrap_or(table)
}
/// After a row is inserted: forgets the derived row no trigger keeps (a turn inserted into
/// an existing document, see `document_spans`).
pub(super) fn forget_derived(
    conn: &Connection,
    table: &str,
    row: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Result<()> {
    if table == "turns"
        && let Some(doc) = row.and_then(|r| r.get("doc_id")).and_then(|d| d.as_i64())
    {
        super::document_spans::turn_added(conn, doc)?;
    }
    Ok(())
}
