//! One user action in progress: the write transaction `Store::action` opens, with who acts
//! and when. Writes to undoable tables go through its recording methods (row snapshots for
//! undo, what changed for the search index); writes undo cannot take back take the connection
//! from `irreversible()`; a write behind the recording methods' back is noticed.

use std::cell::{Cell, RefCell};

use rusqlite::{Connection, params};

use super::rows::{self, RowChange};
use super::{Changes, coder_id};
use crate::error::{Error, Result};

/// One user action in progress: a write transaction that knows who acts and when.
pub struct Action<'c> {
    pub(super) tx: rusqlite::Transaction<'c>,
    pub(super) coder_id: i64,
    pub(super) coder: String,
    pub(super) at: String,
    /// Row changes made since the last audit entry; the next entry carries them.
    pub(super) ops: RefCell<Vec<RowChange>>,
    /// What the action changed that the search index holds.
    pub(super) changes: RefCell<Changes>,
    /// The connection's count of changed rows after the last write the action recorded.
    pub(super) accounted: Cell<u64>,
    /// Set when rows changed that no recording method wrote.
    pub(super) unaccounted: Cell<bool>,
    /// Set when the action took the connection for writes that cannot be undone.
    pub(super) irreversible: Cell<bool>,
}

impl Action<'_> {
    /// The transaction's connection, for reading. Writes go through the recording methods
    /// below, or through [`Action::irreversible`]; any other write makes the action fail.
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    /// The connection for writes that undo cannot take back: adding documents (an import),
    /// replacing stored text (a redaction), a merge. The action's audit entry then carries no
    /// row changes, so undo passes over it and says so. Call [`Action::touched`] or
    /// [`Action::replaced_text`] to say what changed for the search index.
    pub fn irreversible(&self) -> &Connection {
        self.irreversible.set(true);
        &self.tx
    }

    /// Says that a non-undoable write changed these documents (their index entries are built
    /// again), or every document when `None`.
    pub fn touched(&self, documents: Option<&[i64]>) {
        let mut c = self.changes.borrow_mut();
        match documents {
            Some(ids) => c.documents.extend(ids.iter().copied()),
            None => c.everything = true,
        }
    }

    /// Says that stored text of `doc` was replaced: the search index is deleted before the
    /// action commits and built anew, so that no copy of the old words survives.
    pub fn replaced_text(&self, doc: i64) {
        let mut c = self.changes.borrow_mut();
        c.text_replaced = true;
        c.documents.insert(doc);
    }

    /// Notes rows changed since the last recording method ran (a write behind its back).
    pub(super) fn account(&self) {
        let now = self.tx.total_changes();
        if now != self.accounted.get() {
            self.unaccounted.set(true);
        }
    }

    /// Marks the rows changed up to now as written by a recording method.
    fn accounted(&self) {
        self.accounted.set(self.tx.total_changes());
    }

    /// The acting coder's row id.
    pub fn coder_id(&self) -> i64 {
        self.coder_id
    }

    /// Another coder's row id, registering the name if it is new (imports keep who coded).
    pub fn coder_id_of(&self, name: &str) -> Result<i64> {
        self.account();
        let id = coder_id(&self.tx, name)?;
        self.accounted();
        Ok(id)
    }

    /// The acting coder's name.
    pub fn coder(&self) -> &str {
        &self.coder
    }

    /// The action's timestamp (one for all its writes).
    pub fn at(&self) -> &str {
        &self.at
    }

    /// Appends an entry to the audit log. Row changes recorded since the previous entry are
    /// stored with it, which makes the entry undoable.
    pub fn audit(&self, action: &str, target: &str, detail: serde_json::Value) -> Result<i64> {
        self.account();
        let ops = std::mem::take(&mut *self.ops.borrow_mut());
        let ops = if ops.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&ops).map_err(|e| Error::Internal(e.to_string()))?)
        };
        self.tx.execute(
            "INSERT INTO audit (at, coder_id, action, target, detail, ops) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![self.at, self.coder_id, action, target, detail.to_string(), ops],
        )?;
        self.accounted();
        Ok(self.tx.last_insert_rowid())
    }

    /// Appends entries to the anonymisation log: a record, like the audit log, that stays
    /// when the action is undone and does not make it irreversible.
    pub fn log_replacements(&self, entries: &[crate::keyfile::LogEntry]) -> Result<()> {
        self.account();
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO anonymisation_log (at, coder, action, document, start, end, category, pseudonym, confidence, rule)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for l in entries {
            stmt.execute(params![
                l.at,
                l.coder,
                l.action,
                l.document,
                l.start as i64,
                l.end as i64,
                l.category,
                l.pseudonym,
                l.confidence as f64,
                l.rule
            ])?;
        }
        self.accounted();
        Ok(())
    }

    /// Inserts a row into an undoable table and records the change. `values` are column
    /// name and value pairs; returns the new row's id.
    pub fn insert(&self, table: &str, values: &[(&str, &dyn rusqlite::ToSql)]) -> Result<i64> {
        self.account();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            values
                .iter()
                .map(|(c, _)| *c)
                .collect::<Vec<_>>()
                .join(", "),
            (1..=values.len())
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        rows::snapshot(&self.tx, table, 0)?; // refuses tables that are not undoable
        whole_rows_only(table)?;
        self.tx.execute(
            &sql,
            rusqlite::params_from_iter(values.iter().map(|(_, v)| *v)),
        )?;
        let id = self.tx.last_insert_rowid();
        let after = rows::snapshot(&self.tx, table, id)?;
        rows::forget_derived(&self.tx, table, after.as_ref())?;
        self.record(table, id, None, after);
        Ok(id)
    }

    /// Updates columns of a row in an undoable table and records the change.
    pub fn update(
        &self,
        table: &str,
        id: i64,
        values: &[(&str, &dyn rusqlite::ToSql)],
    ) -> Result<()> {
        self.account();
        let before = rows::snapshot(&self.tx, table, id)?;
        if before.is_none() {
            return Err(Error::NotFound(format!("there is no row {id} in {table}")));
        }
        let sets: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{c} = ?{}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE {table} SET {} WHERE id = ?{}",
            sets.join(", "),
            values.len() + 1
        );
        let mut params: Vec<&dyn rusqlite::ToSql> = values.iter().map(|(_, v)| *v).collect();
        params.push(&id);
        self.tx.execute(&sql, rusqlite::params_from_iter(params))?;
        let after = rows::snapshot(&self.tx, table, id)?;
        if after != before {
            self.record(table, id, before, after);
        }
        self.accounted();
        Ok(())
    }

    /// Deletes a row from an undoable table and records the change.
    pub fn delete(&self, table: &str, id: i64) -> Result<()> {
        self.account();
        whole_rows_only(table)?;
        let before = rows::snapshot(&self.tx, table, id)?;
        if before.is_none() {
            return Err(Error::NotFound(format!("there is no row {id} in {table}")));
        }
        self.tx
            .execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
        self.record(table, id, before, None);
        Ok(())
    }

    /// Applies a recorded change (for undo and redo), checking the row is as expected.
    pub fn replay(&self, change: &RowChange, what: &str) -> Result<()> {
        self.account();
        rows::apply(&self.tx, change, what)?;
        self.record(
            &change.table,
            change.id,
            change.before.clone(),
            change.after.clone(),
        );
        Ok(())
    }

    fn record(
        &self,
        table: &str,
        id: i64,
        before: Option<serde_json::Map<String, serde_json::Value>>,
        after: Option<serde_json::Map<String, serde_json::Value>>,
    ) {
        let change = RowChange {
            table: table.to_owned(),
            id,
            before,
            after,
        };
        self.changes.borrow_mut().note_row(&change);
        self.ops.borrow_mut().push(change);
        self.accounted();
    }
}

/// Documents are recorded without their text, so only their other columns can be changed
/// undoably; they are added by import and never removed by an undoable action.
fn whole_rows_only(table: &str) -> Result<()> {
    if table == "documents" {
        return Err(Error::Invalid(
            "a document is added only by an import and never removed by an undoable action".into(),
        ));
    }
    Ok(())
}
