//! Integrity checks of a project: SQLite's own `integrity_check`, foreign keys, narrata's
//! invariants (turn offsets inside the text and in order, stored counts that match the text,
//! one source per document) and the search index against the database; and the repair of
//! what can be repaired safely (the index, which the database can always rebuild).

use serde::Serialize;

use crate::error::Result;
use crate::store::Store;

/// The outcome of `narrata check`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub ok: bool,
    pub schema: i64,
    pub documents: i64,
    pub turns: i64,
    /// Problems of the database: not repaired here (a backup restores them).
    pub problems: Vec<String>,
    pub index: crate::search::IndexState,
}

impl Report {
    /// Whether `repair` has something to do: the index is missing, behind or inconsistent.
    pub fn index_needs_repair(&self) -> bool {
        !self.index.present || !self.index.current || !self.index.problems.is_empty()
    }
}

/// Rebuilds the search index from the database from scratch (dropping whatever the old one
/// held, orphaned entries included). Never touches the database. Returns the turns indexed.
pub fn repair_index(store: &Store) -> Result<usize> {
    crate::search::rebuild_from_scratch(store)
}

/// Runs every check; problems are listed, not fixed.
pub fn run(store: &Store) -> Result<Report> {
    let conn = store.conn();
    let mut problems = Vec::new();

    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
        let row = row?;
        if row != "ok" {
            problems.push(format!("SQLite integrity: {row}"));
        }
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (table, rowid, parent) = row?;
        problems.push(format!(
            "{table} row {rowid} points to a missing {parent} row"
        ));
    }

    // Turn offsets: inside the text, not overlapping, in order.
    let mut docs =
        conn.prepare("SELECT id, title, text, chars, words FROM documents ORDER BY id")?;
    let mut turns_stmt =
        conn.prepare("SELECT seq, start, end, words FROM turns WHERE doc_id = ?1 ORDER BY seq")?;
    let mut documents = 0;
    let mut turns_total = 0;
    let rows = docs.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    for row in rows {
        let (id, title, text, chars, words) = row?;
        documents += 1;
        let len = text.chars().count() as i64;
        if len != chars {
            problems.push(format!(
                "document {id} ({title}): the stored length {chars} does not match its text ({len} characters)"
            ));
        }
        let mut previous_end = 0;
        let mut word_sum = 0;
        let turns = turns_stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (seq, start, end, w) in turns {
            turns_total += 1;
            word_sum += w;
            if start < 0 || end < start || end > len {
                problems.push(format!(
                    "document {id} ({title}): turn {seq} spans [{start}, {end}) outside the text of {len} characters"
                ));
            } else if start < previous_end {
                problems.push(format!(
                    "document {id} ({title}): turn {seq} starts at {start}, inside the turn before it"
                ));
            }
            previous_end = end;
        }
        if word_sum != words {
            problems.push(format!(
                "document {id} ({title}): the stored word count {words} differs from its turns' {word_sum}"
            ));
        }
    }
    // Codings inside their documents; memos pointing at something that exists; no code cycles.
    let mut stmt = conn.prepare(
        "SELECT c.id, c.doc_id, c.start, c.end, d.chars FROM codings c JOIN documents d ON d.id = c.doc_id
         WHERE c.start < 0 OR c.end <= c.start OR c.end > d.chars",
    )?;
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })? {
        let (id, doc, s, e, chars) = row?;
        problems.push(format!(
            "coding {id} spans [{s}, {e}) outside document {doc} ({chars} characters)"
        ));
    }
    let mut stmt = conn.prepare(
        "SELECT m.id, m.target_kind, m.target_id FROM memos m WHERE m.target_kind != 'project' AND NOT EXISTS (
            SELECT 1 FROM participants WHERE m.target_kind = 'participant' AND id = m.target_id
            UNION ALL SELECT 1 FROM waves WHERE m.target_kind = 'wave' AND id = m.target_id
            UNION ALL SELECT 1 FROM documents WHERE m.target_kind = 'document' AND id = m.target_id
            UNION ALL SELECT 1 FROM codes WHERE m.target_kind = 'code' AND id = m.target_id
            UNION ALL SELECT 1 FROM codings WHERE m.target_kind = 'coding' AND id = m.target_id
            UNION ALL SELECT 1 FROM participants WHERE m.target_kind = 'portrait' AND id = m.target_id)",
    )?;
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (id, kind, target) = row?;
        problems.push(format!(
            "memo {id} is about {kind} {target}, which does not exist"
        ));
    }
    let cycle: Option<i64> = conn
        .query_row(
            "WITH RECURSIVE up(start, id, depth) AS (
                SELECT id, parent_id, 1 FROM codes WHERE parent_id IS NOT NULL
                UNION ALL SELECT up.start, c.parent_id, depth + 1 FROM up JOIN codes c ON c.id = up.id
                WHERE c.parent_id IS NOT NULL AND depth < 1000)
             SELECT start FROM up WHERE id = start LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    if let Some(id) = cycle {
        problems.push(format!(
            "code {id} is its own ancestor (the code tree has a cycle)"
        ));
    }

    let index = crate::search::verify(store)?;
    Ok(Report {
        ok: problems.is_empty() && index.problems.is_empty(),
        schema: store.schema_version()?,
        documents,
        turns: turns_total,
        problems,
        index,
    })
}
