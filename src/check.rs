//! Integrity checks of a project, and the repair of what can be repaired safely (the index,
//! which the database can always rebuild).
//!
//! Two depths. The **quick** check (the default, well under a second on any project) reads
//! what goes wrong first when something goes wrong: the file's header, the schema version,
//! the most recent actions' rows (codings, memos and the newest document's turns point at what
//! exists and lie inside their text) and the search index (present, of this layout, of the
//! database's generation, holding as many turns). The **full** check (`--full`) reads
//! everything: SQLite's own `integrity_check` over every page, every foreign key, every
//! document's turn offsets and counts, every coding and memo, the code tree, and every turn of
//! the index against the database.

use serde::Serialize;

use crate::error::Result;
use crate::store::Store;

/// How much a check reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Depth {
    Quick,
    Full,
}

/// How many of the newest codings and memos the quick check reads.
pub const RECENT: i64 = 1000;

/// The outcome of `narrata check`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub ok: bool,
    pub depth: Depth,
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

/// Runs the checks of `depth`; problems are listed, not fixed.
pub fn run(store: &Store, depth: Depth) -> Result<Report> {
    match depth {
        Depth::Quick => quick(store),
        Depth::Full => full(store),
    }
}

/// The quick check: header, schema, the newest rows, the index's generation and size.
fn quick(store: &Store) -> Result<Report> {
    let conn = store.conn();
    let mut problems = Vec::new();
    // The file's header: SQLite's magic string and a page size it could have written.
    let db = store.root().join("narrata.db");
    let mut header = [0u8; 100];
    match std::fs::File::open(&db).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header))
    {
        Ok(()) => {
            let page = u32::from(u16::from_be_bytes([header[16], header[17]]));
            let page = if page == 1 { 65536 } else { page };
            if &header[..16] != b"SQLite format 3\0"
                || !(512..=65536).contains(&page)
                || !page.is_power_of_two()
            {
                problems.push("the database file's header is not SQLite's".to_owned());
            }
        }
        Err(e) => problems.push(format!("the database file cannot be read: {e}")),
    }
    let schema = store.schema_version()?;
    let latest = crate::store::latest_schema();
    if schema != latest {
        problems.push(format!(
            "the schema is version {schema}, this narrata expects {latest}"
        ));
    }
    // The newest codings and memos: their documents, codes and targets exist, spans inside.
    let mut stmt = conn.prepare(
        "SELECT c.id, c.doc_id, c.start, c.end, d.chars, k.id FROM
            (SELECT * FROM codings ORDER BY id DESC LIMIT ?1) c
         LEFT JOIN documents d ON d.id = c.doc_id LEFT JOIN codes k ON k.id = c.code_id",
    )?;
    for row in stmt.query_map([RECENT], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Option<i64>>(4)?,
            r.get::<_, Option<i64>>(5)?,
        ))
    })? {
        let (id, doc, s, e, chars, code) = row?;
        match chars {
            None => problems.push(format!("coding {id} points to a missing document {doc}")),
            Some(chars) if s < 0 || e <= s || e > chars => problems.push(format!(
                "coding {id} spans [{s}, {e}) outside document {doc} ({chars} characters)"
            )),
            _ => {}
        }
        if code.is_none() {
            problems.push(format!("coding {id} points to a missing code"));
        }
    }
    problems.extend(memo_problems(conn, Some(RECENT))?);
    // The newest document's turns: inside its text, in order.
    let newest: Option<(i64, String, i64)> = conn
        .query_row(
            "SELECT id, title, chars FROM documents ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .ok();
    if let Some((id, title, len)) = newest {
        let mut stmt =
            conn.prepare("SELECT seq, start, end FROM turns WHERE doc_id = ?1 ORDER BY seq")?;
        let mut previous_end = 0;
        for row in stmt.query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })? {
            let (seq, start, end) = row?;
            if start < previous_end || end < start || end > len {
                problems.push(format!(
                    "document {id} ({title}): turn {seq} spans [{start}, {end}), out of order or outside the text of {len} characters"
                ));
            }
            previous_end = end;
        }
    }
    let one = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    let documents = one("SELECT count(*) FROM documents")?;
    let turns = one("SELECT count(*) FROM turns")?;
    let index = crate::search::verify_quick(store, turns as usize)?;
    Ok(Report {
        ok: problems.is_empty() && index.problems.is_empty(),
        depth: Depth::Quick,
        schema,
        documents,
        turns,
        problems,
        index,
    })
}

/// Memos that point at nothing (of the newest `recent`, or all).
fn memo_problems(conn: &rusqlite::Connection, recent: Option<i64>) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT m.id, m.target_kind, m.target_id FROM
            (SELECT * FROM memos ORDER BY id DESC LIMIT ?1) m
         WHERE m.target_kind != 'project' AND NOT EXISTS (
            SELECT 1 FROM participants WHERE m.target_kind = 'participant' AND id = m.target_id
            UNION ALL SELECT 1 FROM waves WHERE m.target_kind = 'wave' AND id = m.target_id
            UNION ALL SELECT 1 FROM documents WHERE m.target_kind = 'document' AND id = m.target_id
            UNION ALL SELECT 1 FROM codes WHERE m.target_kind = 'code' AND id = m.target_id
            UNION ALL SELECT 1 FROM codings WHERE m.target_kind = 'coding' AND id = m.target_id
            UNION ALL SELECT 1 FROM participants WHERE m.target_kind = 'portrait' AND id = m.target_id)",
    )?;
    let rows = stmt.query_map([recent.unwrap_or(-1)], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, target) = row?;
        out.push(format!(
            "memo {id} is about {kind} {target}, which does not exist"
        ));
    }
    Ok(out)
}

/// The full check: every page, every row, every turn of the index.
fn full(store: &Store) -> Result<Report> {
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
    problems.extend(memo_problems(conn, None)?);
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
    for doc in crate::store::word_index::stale(conn)? {
        problems.push(format!(
            "the stored word positions of document {doc} do not match its text: word counts of analyses would be wrong (`narrata reindex` rebuilds them)"
        ));
    }
    for doc in crate::store::document_spans::stale(conn)? {
        problems.push(format!(
            "the stored turns and codings of document {doc} (kept for the change table) do not match its tables: change tables would be wrong (`narrata reindex` rebuilds them)"
        ));
    }

    let index = crate::search::verify(store)?;
    Ok(Report {
        ok: problems.is_empty() && index.problems.is_empty(),
        depth: Depth::Full,
        schema: store.schema_version()?,
        documents,
        turns: turns_total,
        problems,
        index,
    })
}
