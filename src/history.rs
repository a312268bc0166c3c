//! Undo and redo, from the audit log. Every undoable action stored the rows it changed (their
//! full contents before and after) with its audit entry; undo puts those rows back as they
//! were, redo as they became, each itself an audited action. A coder's undo stack is rebuilt
//! by replaying that coder's entries in order, so nothing but the append-only log is needed.
//! An undo or redo is refused, with nothing changed, when a row has since been changed by a
//! later action (of any coder): undo that one first.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::{RowChange, Store};

/// One undone or redone action.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Step {
    /// The audit entry of the original action.
    pub entry: i64,
    pub action: String,
    pub target: String,
    /// The target as the user knows it: `code 3 (Hoop)`, `memo 1`, `coding 12`.
    pub label: String,
    pub at: String,
    pub rows: usize,
}

struct Entry {
    id: i64,
    action: String,
    target: String,
    at: String,
    undoes: Option<i64>,
    redoes: Option<i64>,
}

/// The coder's stacks: actions that can be undone (last = next) and undone ones that can be
/// redone (last = next).
fn stacks(store: &Store, coder: &str) -> Result<(Vec<Entry>, Vec<Entry>)> {
    let mut stmt = store.conn().prepare(
        "SELECT a.id, a.action, a.target, a.at,
                json_extract(a.detail, '$.undoes'), json_extract(a.detail, '$.redoes')
         FROM audit a JOIN coders c ON c.id = a.coder_id
         WHERE c.name = ?1 AND a.ops IS NOT NULL ORDER BY a.id",
    )?;
    let entries = stmt
        .query_map(params![coder], |r| {
            Ok(Entry {
                id: r.get(0)?,
                action: r.get(1)?,
                target: r.get(2)?,
                at: r.get(3)?,
                undoes: r.get(4)?,
                redoes: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut done: Vec<Entry> = Vec::new();
    let mut undone: Vec<Entry> = Vec::new();
    for e in entries {
        if let Some(x) = e.undoes {
            if let Some(i) = done.iter().rposition(|d| d.id == x) {
                undone.push(done.remove(i));
            }
        } else if let Some(x) = e.redoes {
            if let Some(i) = undone.iter().rposition(|d| d.id == x) {
                done.push(undone.remove(i));
            }
        } else {
            done.push(e);
            undone.clear();
        }
    }
    Ok((done, undone))
}

fn ops_of(store: &Store, entry: i64) -> Result<Vec<RowChange>> {
    let text: String =
        store
            .conn()
            .query_row("SELECT ops FROM audit WHERE id = ?1", [entry], |r| r.get(0))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::Invalid(format!(
            "audit entry {entry} holds changes narrata cannot read: {e}"
        ))
    })
}

/// Undoes the coder's last action that is not undone yet. `None` when there is nothing to undo.
pub fn undo(store: &mut Store, coder: &str) -> Result<Option<Step>> {
    let (mut done, _) = stacks(store, coder)?;
    match done.pop() {
        Some(e) => replay(store, coder, e, true).map(Some),
        None => Ok(None),
    }
}

/// Redoes the coder's last undone action. `None` when there is nothing to redo.
pub fn redo(store: &mut Store, coder: &str) -> Result<Option<Step>> {
    let (_, mut undone) = stacks(store, coder)?;
    match undone.pop() {
        Some(e) => replay(store, coder, e, false).map(Some),
        None => Ok(None),
    }
}

/// Applies an entry's row changes backwards (undo) or forwards (redo) as one action.
fn replay(store: &mut Store, coder: &str, e: Entry, backwards: bool) -> Result<Step> {
    let ops = ops_of(store, e.id)?;
    let (verb, key) = if backwards {
        ("undo", "undoes")
    } else {
        ("redo", "redoes")
    };
    let what = format!("{verb} `{}` ({})", e.action, e.target);
    // Codings it would write back hold offsets into the text as it was at the action.
    let written = ops
        .iter()
        .filter(|op| op.table == "codings")
        .filter_map(|op| {
            if backwards {
                op.before.as_ref()
            } else {
                op.after.as_ref()
            }
        });
    for row in written {
        if let Some(doc) = row.get("doc_id").and_then(|d| d.as_i64()) {
            refuse_if_redacted_since(store, doc, e.id, &what)?;
        }
    }
    store.action(coder, |a| {
        if backwards {
            for op in ops.iter().rev() {
                a.replay(&op.inverse(), &what)?;
            }
        } else {
            for op in &ops {
                a.replay(op, &what)?;
            }
        }
        a.audit(
            verb,
            &e.target,
            serde_json::json!({key: e.id, "action": e.action}),
        )?;
        Ok(())
    })?;
    Ok(Step {
        entry: e.id,
        action: e.action,
        label: label(store.conn(), &e.target, &ops),
        target: e.target,
        at: e.at,
        rows: ops.len(),
    })
}

/// A redaction of `doc` after audit entry `since` changed its text, so offsets recorded then
/// may now point at other words: putting a coding back on them is refused.
fn refuse_if_redacted_since(store: &Store, doc: i64, since: i64, what: &str) -> Result<()> {
    let redacted: Option<i64> = store
        .conn()
        .query_row(
            "SELECT a.id FROM audit a JOIN documents d ON a.target = 'document:' || d.guid
             WHERE d.id = ?1 AND a.action = 'redact' AND a.id > ?2 ORDER BY a.id LIMIT 1",
            params![doc, since],
            |r| r.get(0),
        )
        .optional()?;
    match redacted {
        Some(entry) => Err(Error::Invalid(format!(
            "cannot {what}: document {doc} was redacted afterwards (audit entry {entry}), so the coding's offsets would now cover other words; code the passage again instead"
        ))),
        None => Ok(()),
    }
}

/// Names an audit target (`code:GUID`) by the number and name the user saw, read from the
/// row snapshots of the action (so it works whether the row exists now or not), else from the
/// table as it is now.
fn label(conn: &rusqlite::Connection, target: &str, ops: &[RowChange]) -> String {
    let Some((kind, guid)) = target.split_once(':') else {
        return target.to_owned();
    };
    let table = match kind {
        "code" => "codes",
        "coding" => "codings",
        "memo" => "memos",
        _ => return target.to_owned(),
    };
    let row = ops.iter().filter(|op| op.table == table).find_map(|op| {
        [&op.after, &op.before]
            .into_iter()
            .flatten()
            .find(|r| r.get("guid").and_then(|g| g.as_str()) == Some(guid))
            .map(|r| (op.id, r))
    });
    match row {
        Some((id, r)) => match r.get("name").and_then(|n| n.as_str()) {
            Some(name) if kind == "code" => format!("code {id} ({name})"),
            _ => format!("{kind} {id}"),
        },
        None => {
            let now: Option<(i64, Option<String>)> = conn
                .query_row(
                    &format!(
                        "SELECT id, {} FROM {table} WHERE guid = ?1",
                        if kind == "code" { "name" } else { "NULL" }
                    ),
                    [guid],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .ok();
            match now {
                Some((id, Some(name))) => format!("code {id} ({name})"),
                Some((id, None)) => format!("{kind} {id}"),
                None => target.to_owned(),
            }
        }
    }
}
