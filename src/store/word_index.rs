//! Where each document's words are, kept beside its text (`document_words`), so that change
//! tables, matrices and queries count words without tokenising the corpus on every call.
//!
//! The row is derived from the text and never the only copy of anything: a change of the
//! text deletes it (a trigger), [`save`] writes it at import and after a text replacement,
//! and [`load`] computes a missing or unreadable one from the text.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::words::Index;

/// Stores the word index of document `doc`, whose text is `text`.
pub fn save(conn: &Connection, doc: i64, text: &str) -> Result<()> {
    save_index(conn, doc, &Index::new(text))
}

/// Stores `index` as document `doc`'s word index.
pub fn save_index(conn: &Connection, doc: i64, index: &Index) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO document_words (doc_id, spans) VALUES (?1, ?2)")?
        .execute(params![doc, index.to_bytes()])?;
    Ok(())
}

/// Stores the word index of every document that has none; returns how many it wrote.
pub fn fill_missing(conn: &Connection) -> Result<usize> {
    let missing: Vec<i64> = conn
        .prepare("SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM document_words)")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for &doc in &missing {
        let text: String =
            conn.query_row("SELECT text FROM documents WHERE id = ?1", [doc], |r| {
                r.get(0)
            })?;
        save(conn, doc, &text)?;
    }
    Ok(missing.len())
}

/// The word indexes of the documents `docs`: stored ones read, missing ones computed from
/// the text, both on all cores.
pub fn load(conn: &Connection, docs: &[i64]) -> Result<HashMap<i64, Index>> {
    let mut stored = conn.prepare_cached("SELECT spans FROM document_words WHERE doc_id = ?1")?;
    let mut bytes: Vec<(i64, Vec<u8>)> = Vec::with_capacity(docs.len());
    for &doc in docs {
        if let Some(b) = stored.query_row([doc], |r| r.get(0)).optional()? {
            bytes.push((doc, b));
        }
    }
    let decoded = crate::parallel::map(bytes.len(), |i| Index::from_bytes(&bytes[i].1));
    let mut out = HashMap::with_capacity(docs.len());
    for ((doc, _), index) in bytes.iter().zip(decoded) {
        if let Some(index) = index {
            out.insert(*doc, index);
        }
    }
    let mut text = conn.prepare_cached("SELECT text FROM documents WHERE id = ?1")?;
    let mut from_text: Vec<(i64, String)> = Vec::new();
    for &doc in docs {
        if !out.contains_key(&doc)
            && let Some(t) = text.query_row([doc], |r| r.get(0)).optional()?
        {
            from_text.push((doc, t));
        }
    }
    let computed = crate::parallel::map(from_text.len(), |i| Index::new(&from_text[i].1));
    out.extend(from_text.iter().map(|(d, _)| *d).zip(computed));
    Ok(out)
}

/// Documents whose stored word index differs from their text's (for `check --full`).
pub fn stale(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT d.id, d.text, w.spans FROM documents d JOIN document_words w ON w.doc_id = d.id",
    )?;
    let mut out = Vec::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (doc, text, bytes): (i64, String, Vec<u8>) = (r.get(0)?, r.get(1)?, r.get(2)?);
        if Index::from_bytes(&bytes).as_ref() != Some(&Index::new(&text)) {
            out.push(doc);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{load, stale};
    use crate::store::Store;
    use crate::words::Index;

    fn store_with(texts: &[&str]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "test", "nl").unwrap();
        store
            .conn()
            .execute_batch("INSERT INTO coders (id, name, created) VALUES (1, 'anna', 't')")
            .unwrap();
        for (i, text) in texts.iter().enumerate() {
            store
                .conn()
                .execute(
                    "INSERT INTO documents (id, guid, title, kind, language, source_name, source_format,
                        source_sha256, text, chars, words, created, created_by)
                     VALUES (?1, ?1, 'd', 'individual', 'nl', 'a.txt', 'text', ?1, ?2, 0, 0, 't', 1)",
                    rusqlite::params![i as i64 + 1, text],
                )
                .unwrap();
        }
        (dir, store)
    }

    #[test]
    fn a_changed_text_loses_its_stored_words_and_a_missing_row_is_computed() {
        let (_dir, store) = store_with(&["Eerste tekst, zo'n ex-partner.", "Tweede."]);
        let conn = store.conn();
        super::save(conn, 1, "Eerste tekst, zo'n ex-partner.").unwrap();
        super::save(conn, 2, "Tweede.").unwrap();
        let rows = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(rows("SELECT count(*) FROM document_words"), 2);
        // Any change of the text, by any path, drops the stored positions.
        conn.execute(
            "UPDATE documents SET text = 'Nu heel anders, twee woorden meer.' WHERE id = 1",
            [],
        )
        .unwrap();
        assert_eq!(
            rows("SELECT count(*) FROM document_words WHERE doc_id = 1"),
            0
        );
        // ... and they are computed from the text instead.
        let loaded = load(conn, &[1, 2]).unwrap();
        assert_eq!(loaded[&1], Index::new("Nu heel anders, twee woorden meer."));
        assert_eq!(loaded[&2], Index::new("Tweede."));
        // A stored row that is unreadable is computed from the text too.
        conn.execute(
            "UPDATE document_words SET spans = x'FF00' WHERE doc_id = 2",
            [],
        )
        .unwrap();
        assert_eq!(load(conn, &[2]).unwrap()[&2], Index::new("Tweede."));
        // A row that is readable but wrong is what `check --full` reports.
        conn.execute(
            "UPDATE document_words SET spans = ?1 WHERE doc_id = 2",
            [Index::new("Iets anders dan de tekst.").to_bytes()],
        )
        .unwrap();
        assert_eq!(stale(conn).unwrap(), vec![2]);
        // Deleting a document deletes its row.
        conn.execute("DELETE FROM documents WHERE id = 2", [])
            .unwrap();
        assert_eq!(rows("SELECT count(*) FROM document_words"), 0);
    }

    #[test]
    fn upgrading_a_project_stores_the_words_of_every_document() {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = rusqlite::Connection::open(dir.path().join(crate::store::DB_FILE)).unwrap();
            for sql in &crate::store::MIGRATIONS[..7] {
                conn.execute_batch(sql).unwrap();
            }
            conn.execute_batch(
                "PRAGMA user_version = 7;
                 INSERT INTO project (id, guid, name, language, created) VALUES (1, 'p', 'oud', 'nl', 't');
                 INSERT INTO coders (id, name, created) VALUES (1, 'anna', 't');
                 INSERT INTO documents (id, guid, title, kind, language, source_name, source_format,
                     source_sha256, text, chars, words, created, created_by)
                     VALUES (1, 'd', 'P01', 'individual', 'nl', 'a.txt', 'text', 'x', 'Ik heb hoop.', 12, 3, 't', 1);",
            )
            .unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let stored: Vec<u8> = store
            .conn()
            .query_row(
                "SELECT spans FROM document_words WHERE doc_id = 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(Index::from_bytes(&stored), Some(Index::new("Ik heb hoop.")));
    }
}
