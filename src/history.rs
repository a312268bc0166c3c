//! Undo and redo, from the audit log. Every undoable action stored the rows it changed (their
//! full contents before and after) with its audit entry; undo puts those rows back as they
//! were, redo as they became, each itself an audited action. A coder's undo stack is rebuilt
//! by replaying that coder's entries in order, so nothing but the append-only log is needed.
//! An undo or redo is refused, with nothing changed, when a row has since been changed by a
//! later action (of any coder), when rows made since depend on what it would remove (a coding
//! on a code it would take back, a memo on a coding), or when the document was redacted since.
//!
//! Undo does not get stuck behind such an action. When the coder's last action cannot be
//! undone (a merge whose codings another coder has changed since, say), undo passes over it
//! and takes back the one before, provided the two are independent: they touched no row in
//! common and neither refers to a row the other touched. The step says what was passed over
//! and why. Redo stays strict: it redoes the last undone action or nothing.

use std::collections::HashSet;

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
    /// Later actions of the coder that could not be undone and were passed over, newest first.
    pub passed_over: Vec<PassedOver>,
}

/// An action undo passed over, and why it could not be undone.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PassedOver {
    pub entry: i64,
    pub action: String,
    pub target: String,
    pub reason: String,
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

/// Undoes the coder's last action that is not undone yet, passing over later ones that cannot
/// be undone when it is independent of them (see the module documentation). `None` when there
/// is nothing to undo.
pub fn undo(store: &mut Store, coder: &str) -> Result<Option<Step>> {
    let (done, _) = stacks(store, coder)?;
    let mut passed: Vec<(PassedOver, Vec<RowChange>)> = Vec::new();
    for e in done.into_iter().rev() {
        let ops = ops_of(store, e.id)?;
        if let Some((p, _)) = passed.iter().find(|(_, later)| tied(later, &ops)) {
            return Err(Error::Conflict(format!(
                "cannot undo `{}` ({}): `{}` ({}) after it cannot be undone ({}), and the two touch the same codes, codings or memos; nothing was changed",
                e.action, e.target, p.action, p.target, p.reason
            )));
        }
        let (id, action, target) = (e.id, e.action.clone(), e.target.clone());
        match replay(store, coder, e, ops.clone(), true) {
            Ok(mut step) => {
                step.passed_over = passed.into_iter().map(|(p, _)| p).collect();
                return Ok(Some(step));
            }
            Err(Error::Conflict(reason)) => passed.push((
                PassedOver {
                    entry: id,
                    action,
                    target,
                    reason: strip_cannot(&reason),
                },
                ops,
            )),
            Err(other) => return Err(other),
        }
    }
    match passed.first() {
        None => Ok(None),
        Some((p, _)) => Err(Error::Conflict(format!(
            "nothing could be undone: `{}` ({}) cannot be undone ({}){}; nothing was changed",
            p.action,
            p.target,
            p.reason,
            if passed.len() > 1 {
                format!(", nor can the {} action(s) before it", passed.len() - 1)
            } else {
                String::new()
            }
        ))),
    }
}

/// A conflict's reason without its leading "cannot undo `x` (y): " and its advice.
fn strip_cannot(message: &str) -> String {
    let reason = match message.split_once("): ") {
        Some((head, rest)) if head.starts_with("cannot ") => rest,
        _ => message,
    };
    let mut reason = reason;
    for advice in [
        "; nothing was changed",
        "; undo that first",
        "; code the passage again instead",
    ] {
        reason = reason.trim_end_matches(advice);
    }
    reason.to_owned()
}

/// The rows an action touched, as `(table, id)`.
fn touched(ops: &[RowChange]) -> HashSet<(&str, i64)> {
    ops.iter().map(|op| (op.table.as_str(), op.id)).collect()
}

/// The undoable rows an action's rows refer to: a coding's or override's code, a code's
/// parent, a memo's code or coding.
fn referred(ops: &[RowChange]) -> HashSet<(&'static str, i64)> {
    // Every table a recorded row may refer to, so that `tied` sees the reference.
    let mut out = HashSet::new();
    for op in ops {
        for row in [&op.before, &op.after].into_iter().flatten() {
            let id = |k: &str| row.get(k).and_then(|v| v.as_i64());
            match op.table.as_str() {
                "codings" | "change_overrides" => out.extend(id("code_id").map(|c| ("codes", c))),
                "codes" => out.extend(id("parent_id").map(|c| ("codes", c))),
                "document_participants" | "turns" => {
                    out.extend(id("participant_id").map(|p| ("participants", p)));
                    out.extend(id("doc_id").map(|d| ("documents", d)));
                }
                "documents" => out.extend(id("wave_id").map(|w| ("waves", w))),
                "group_documents" => {
                    out.extend(id("group_id").map(|g| ("groups", g)));
                    out.extend(id("doc_id").map(|d| ("documents", d)));
                }
                "memos" => {
                    let table = match row.get("target_kind").and_then(|k| k.as_str()) {
                        Some("code") => Some("codes"),
                        Some("coding") => Some("codings"),
                        _ => None,
                    };
                    if let (Some(t), Some(i)) = (table, id("target_id")) {
                        out.insert((t, i));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Whether two actions are tied: a row in common, or one refers to a row the other touched.
fn tied(a: &[RowChange], b: &[RowChange]) -> bool {
    let (ta, tb) = (touched(a), touched(b));
    !ta.is_disjoint(&tb)
        || referred(a).iter().any(|r| tb.contains(r))
        || referred(b).iter().any(|r| ta.contains(r))
}

/// Redoes the coder's last undone action. `None` when there is nothing to redo.
pub fn redo(store: &mut Store, coder: &str) -> Result<Option<Step>> {
    let (_, mut undone) = stacks(store, coder)?;
    match undone.pop() {
        Some(e) => {
            let ops = ops_of(store, e.id)?;
            replay(store, coder, e, ops, false).map(Some)
        }
        None => Ok(None),
    }
}

/// Applies an entry's row changes backwards (undo) or forwards (redo) as one action.
fn replay(
    store: &mut Store,
    coder: &str,
    e: Entry,
    ops: Vec<RowChange>,
    backwards: bool,
) -> Result<Step> {
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
    let replayed = store.action(coder, |a| {
        let changes: Vec<RowChange> = if backwards {
            ops.iter().rev().map(RowChange::inverse).collect()
        } else {
            ops.clone()
        };
        for change in &changes {
            a.replay(change, &what)?;
        }
        refuse_orphaned_memos(a.conn(), &changes, &what)?;
        a.audit(
            verb,
            &e.target,
            serde_json::json!({key: e.id, "action": e.action}),
        )?;
        Ok(())
    });
    if let Err(Error::Database(err)) = &replayed
        && err.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
    {
        return Err(Error::Conflict(format!(
            "cannot {what}: rows made since depend on what it would take back (codings on a code, or sub-codes); nothing was changed"
        )));
    }
    replayed?;
    Ok(Step {
        entry: e.id,
        action: e.action,
        label: label(store.conn(), &e.target, &ops),
        target: e.target,
        at: e.at,
        rows: ops.len(),
        passed_over: Vec::new(),
    })
}

/// A replay that removes a code or coding on which a memo now stands (one written since, and
/// not removed by the same replay) would leave the memo pointing at nothing: refused.
fn refuse_orphaned_memos(
    conn: &rusqlite::Connection,
    changes: &[RowChange],
    what: &str,
) -> Result<()> {
    for change in changes.iter().filter(|c| c.after.is_none()) {
        let kind = match change.table.as_str() {
            "codes" => "code",
            "codings" => "coding",
            _ => continue,
        };
        let memo: Option<i64> = conn
            .query_row(
                "SELECT id FROM memos WHERE target_kind = ?1 AND target_id = ?2 LIMIT 1",
                params![kind, change.id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(memo) = memo {
            return Err(Error::Conflict(format!(
                "cannot {what}: memo {memo}, written since, is on {kind} {}; nothing was changed",
                change.id
            )));
        }
    }
    Ok(())
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
        Some(entry) => Err(Error::Conflict(format!(
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
