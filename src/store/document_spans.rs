//! Each document's participant turns and codings, with which of its words each holds, packed
//! in one row (`document_spans`), so that the change table reads a few hundred rows instead of
//! every turn and coding of the study and never locates a word (profiled on the benchmark
//! study: reading 141,000 turns and 100,000 codings row by row and decoding 5 million word
//! positions took 180 ms of CPU for each table).
//!
//! The row is derived and never the only copy of anything: any change or deletion of a
//! document's turns, any insert, change or deletion of its codings, and any change of its text
//! deletes it (triggers); every committed action stores the rows that are missing
//! ([`fill_missing`]); an import stores its documents' rows as it writes them; and [`load_each`]
//! computes a missing or unreadable row from the tables. Turns are inserted only with their
//! document, before its row exists (import, merge), or by undo, which forgets the row
//! ([`turn_added`]): no trigger watches their insertion, which would cost an import a
//! statement per turn; `check --full` compares every row with the tables.

use std::collections::HashSet;
use std::ops::Range;

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::words::{Index, put_number, take_number};

/// One turn of a participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub participant: i64,
    /// Characters `[start, end)` of the document's text.
    pub start: usize,
    pub end: usize,
    /// Its word count as the turn records it.
    pub words: usize,
    /// Which of the document's words it holds (ordinals, [`Index::words_in`]).
    pub run: Range<usize>,
}

/// One coding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coding {
    pub code: i64,
    pub coder: i64,
    pub start: usize,
    pub end: usize,
    /// Which of the document's words it holds.
    pub run: Range<usize>,
}

/// A document's participant turns and codings, each sorted by start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spans {
    pub turns: Vec<Turn>,
    pub codings: Vec<Coding>,
}

/// The version of [`encode`]'s layout.
const FORMAT: u8 = 1;

/// The spans as bytes: a version byte, then unsigned LEB128 numbers: how many turns, and for
/// each its participant's id, its distance from the previous turn's start, its length, its
/// words, its first word and its number of words; then how many codings, and for each its
/// code, its coder, the distance from the previous coding's start, its length, its first word
/// and its number of words. `None` if a number does not fit in 32 bits (an id or offset no
/// study reaches): such a document has no row and is read from its tables.
pub fn encode(spans: &Spans) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(spans.turns.len() * 10 + spans.codings.len() * 10 + 8);
    out.push(FORMAT);
    let mut put = |x: i64| -> Option<()> {
        put_number(&mut out, u32::try_from(x).ok()?);
        Some(())
    };
    let n = |x: usize| i64::try_from(x).unwrap_or(-1);
    put(n(spans.turns.len()))?;
    let mut at = 0;
    for t in &spans.turns {
        put(t.participant)?;
        put(n(t.start.checked_sub(at)?))?;
        put(n(t.end.checked_sub(t.start)?))?;
        put(n(t.words))?;
        put(n(t.run.start))?;
        put(n(t.run.len()))?;
        at = t.start;
    }
    put(n(spans.codings.len()))?;
    let mut at = 0;
    for c in &spans.codings {
        put(c.code)?;
        put(c.coder)?;
        put(n(c.start.checked_sub(at)?))?;
        put(n(c.end.checked_sub(c.start)?))?;
        put(n(c.run.start))?;
        put(n(c.run.len()))?;
        at = c.start;
    }
    Some(out)
}

/// Spans written by [`encode`], or `None` if the bytes are not such spans.
pub fn decode(bytes: &[u8]) -> Option<Spans> {
    let (&format, mut rest) = bytes.split_first()?;
    if format != FORMAT {
        return None;
    }
    let mut number = || take_number(&mut rest).map(|x| x as usize);
    let turns = number()?;
    // Each turn and coding takes at least six bytes: a count larger than that is not ours.
    if turns > bytes.len() / 6 {
        return None;
    }
    let mut out = Spans {
        turns: Vec::with_capacity(turns),
        codings: Vec::new(),
    };
    let mut at: usize = 0;
    for _ in 0..turns {
        let participant = number()? as i64;
        let start = at.checked_add(number()?)?;
        let end = start.checked_add(number()?)?;
        let words = number()?;
        let first = number()?;
        let run = first..first.checked_add(number()?)?;
        out.turns.push(Turn {
            participant,
            start,
            end,
            words,
            run,
        });
        at = start;
    }
    let codings = number()?;
    if codings > bytes.len() / 6 {
        return None;
    }
    out.codings.reserve_exact(codings);
    let mut at: usize = 0;
    for _ in 0..codings {
        let code = number()? as i64;
        let coder = number()? as i64;
        let start = at.checked_add(number()?)?;
        let end = start.checked_add(number()?)?;
        let first = number()?;
        let run = first..first.checked_add(number()?)?;
        out.codings.push(Coding {
            code,
            coder,
            start,
            end,
            run,
        });
        at = start;
    }
    rest.is_empty().then_some(out)
}

/// A document's spans from its participant turns (participant, start, end, words) and its
/// codings (code, coder, start, end), each located in `index` and sorted by start.
pub fn locate(
    index: &Index,
    mut turns: Vec<(i64, usize, usize, usize)>,
    mut codings: Vec<(i64, i64, usize, usize)>,
) -> Spans {
    turns.sort_by_key(|t| t.1);
    codings.sort_by_key(|c| (c.2, c.3, c.0, c.1));
    Spans {
        turns: turns
            .into_iter()
            .map(|(participant, start, end, words)| Turn {
                participant,
                start,
                end,
                words,
                run: index.words_in(start, end),
            })
            .collect(),
        codings: codings
            .into_iter()
            .map(|(code, coder, start, end)| Coding {
                code,
                coder,
                start,
                end,
                run: index.words_in(start, end),
            })
            .collect(),
    }
}

/// Document `doc`'s spans as its tables hold them.
pub fn of_document(conn: &Connection, doc: i64) -> Result<Spans> {
    let mut stmt = conn.prepare_cached(
        "SELECT participant_id, start, end, words FROM turns
         WHERE doc_id = ?1 AND participant_id IS NOT NULL ORDER BY start, seq",
    )?;
    let turns = stmt
        .query_map([doc], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)? as usize,
                r.get::<_, i64>(2)? as usize,
                r.get::<_, i64>(3)? as usize,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt =
        conn.prepare_cached("SELECT code_id, coder_id, start, end FROM codings WHERE doc_id = ?1")?;
    let codings = stmt
        .query_map([doc], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)? as usize,
                r.get::<_, i64>(3)? as usize,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let index = super::word_index::load(conn, &[doc])?
        .remove(&doc)
        .unwrap_or_else(|| Index::new(""));
    Ok(locate(&index, turns, codings))
}

/// Stores document `doc`'s spans (if they can be encoded, [`encode`]).
pub fn save(conn: &Connection, doc: i64, spans: &Spans) -> Result<()> {
    if let Some(bytes) = encode(spans) {
        conn.prepare_cached(
            "INSERT OR REPLACE INTO document_spans (doc_id, spans) VALUES (?1, ?2)",
        )?
        .execute(params![doc, bytes])?;
    }
    Ok(())
}

/// Forgets document `doc`'s row: a turn was inserted into it after the document (by undo),
/// which no trigger watches (see the module's note).
pub fn turn_added(conn: &Connection, doc: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM document_spans WHERE doc_id = ?1")?
        .execute([doc])?;
    Ok(())
}

/// Stores the row of every document that has none, from its tables; returns how many it wrote.
pub fn fill_missing(conn: &Connection) -> Result<usize> {
    let missing: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM document_spans)",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for &doc in &missing {
        save(conn, doc, &of_document(conn, doc)?)?;
    }
    Ok(missing.len())
}

/// `f` applied to every document's spans (stored rows read, a missing or unreadable one
/// computed from the tables), on all cores.
pub fn load_each<T: Send>(conn: &Connection, f: impl Fn(i64, Spans) -> T + Sync) -> Result<Vec<T>> {
    let mut stmt = conn.prepare("SELECT doc_id, spans FROM document_spans")?;
    let stored: Vec<(i64, Vec<u8>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let decoded = crate::parallel::map(stored.len(), |i| {
        let (doc, bytes) = &stored[i];
        decode(bytes).map(|spans| (*doc, f(*doc, spans)))
    });
    let mut read: HashSet<i64> = HashSet::with_capacity(decoded.len());
    let mut out = Vec::with_capacity(decoded.len());
    for (doc, result) in decoded.into_iter().flatten() {
        read.insert(doc);
        out.push(result);
    }
    let mut docs = conn.prepare("SELECT id FROM documents")?;
    let missing: Vec<i64> = docs
        .query_map([], |r| r.get(0))?
        .filter(|d| d.as_ref().map_or(true, |d| !read.contains(d)))
        .collect::<rusqlite::Result<_>>()?;
    for doc in missing {
        out.push(f(doc, of_document(conn, doc)?));
    }
    Ok(out)
}

/// Documents whose stored row differs from their tables (for `check --full`).
pub fn stale(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare("SELECT doc_id, spans FROM document_spans ORDER BY doc_id")?;
    let stored: Vec<(i64, Vec<u8>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (doc, bytes) in stored {
        if decode(&bytes) != Some(of_document(conn, doc)?) {
            out.push(doc);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{Coding, Spans, Turn, decode, encode, fill_missing, load_each, of_document, stale};
    use crate::store::Store;
    use rusqlite::{Connection, OptionalExtension};
    use std::collections::HashMap;

    /// Every document's spans, by document.
    fn load(conn: &Connection) -> crate::error::Result<HashMap<i64, Spans>> {
        Ok(load_each(conn, |doc, spans| (doc, spans))?
            .into_iter()
            .collect())
    }

    fn stored(conn: &Connection, doc: i64) -> bool {
        conn.query_row(
            "SELECT 1 FROM document_spans WHERE doc_id = ?1",
            [doc],
            |_| Ok(()),
        )
        .optional()
        .unwrap()
        .is_some()
    }

    #[test]
    fn spans_survive_their_bytes_and_damaged_bytes_are_refused() {
        let spans = Spans {
            turns: vec![
                Turn {
                    participant: 3,
                    start: 0,
                    end: 40,
                    words: 7,
                    run: 0..7,
                },
                Turn {
                    participant: 12,
                    start: 41,
                    end: 41,
                    words: 0,
                    run: 7..7,
                },
                Turn {
                    participant: 200,
                    start: 300,
                    end: 90_000,
                    words: 15_000,
                    run: 50..15_050,
                },
            ],
            codings: vec![
                Coding {
                    code: 4,
                    coder: 1,
                    start: 2,
                    end: 9,
                    run: 1..3,
                },
                Coding {
                    code: 900,
                    coder: 2,
                    start: 2,
                    end: 80_000,
                    run: 1..14_000,
                },
            ],
        };
        let bytes = encode(&spans).unwrap();
        assert_eq!(decode(&bytes), Some(spans.clone()));
        assert_eq!(
            decode(&encode(&Spans::default()).unwrap()),
            Some(Spans::default())
        );
        // An id no study reaches is not cut to 32 bits: no row.
        let mut huge = spans;
        huge.codings[0].code = i64::from(u32::MAX) + 5;
        assert_eq!(encode(&huge), None);
        huge.codings[0].code = -3;
        assert_eq!(encode(&huge), None);
        for cut in 0..bytes.len() {
            assert_eq!(decode(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
        let mut other = bytes;
        other[0] = 2;
        assert_eq!(decode(&other), None);
    }

    /// A project with one group interview: an interviewer's turn and two participants'.
    fn project() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "test", "nl").unwrap();
        store
            .conn()
            .execute_batch(
                "INSERT INTO coders (id, name, created) VALUES (1, 'anna', 't');
                 INSERT INTO participants (id, guid, code, created) VALUES (1, 'p1', 'P01', 't'), (2, 'p2', 'P02', 't');
                 INSERT INTO codes (id, guid, name, created) VALUES (1, 'c1', 'Hoop', 't');
                 INSERT INTO documents (id, guid, title, kind, language, source_name, source_format,
                     source_sha256, text, chars, words, created, created_by)
                     VALUES (1, 'd', 'G', 'group', 'nl', 'a.txt', 'text', 'x', 'I: Hoe gaat het? A: Goed. B: Slecht, heel slecht.', 49, 8, 't', 1);
                 INSERT INTO turns (doc_id, seq, speaker, participant_id, is_interviewer, start, end, line, words)
                     VALUES (1, 0, 'I', NULL, 1, 3, 16, 1, 3), (1, 1, 'A', 1, 0, 20, 25, 1, 1),
                            (1, 2, 'B', 2, 0, 29, 49, 1, 3);
                 INSERT INTO codings (guid, doc_id, code_id, start, end, coder_id, created)
                     VALUES ('g1', 1, 1, 37, 49, 1, 't');",
            )
            .unwrap();
        (dir, store)
    }

    #[test]
    fn any_change_of_turns_codings_or_text_drops_the_row_and_every_action_stores_it() {
        let (_dir, mut store) = project();
        let conn = store.conn();
        // Written behind the store's back: missing, so computed from the tables.
        assert!(!stored(conn, 1));
        let spans = load(conn).unwrap().remove(&1).unwrap();
        assert_eq!(
            spans
                .turns
                .iter()
                .map(|t| (t.participant, t.run.clone()))
                .collect::<Vec<_>>(),
            vec![(1, 5..6), (2, 7..10)]
        );
        // "heel slecht.": the ninth and tenth word (the speaker labels are words of the text).
        assert_eq!(spans.codings[0].run, 8..10);
        assert_eq!(fill_missing(conn).unwrap(), 1);
        assert!(stored(conn, 1));
        assert_eq!(load(conn).unwrap()[&1], spans);
        for change in [
            "UPDATE turns SET participant_id = 1 WHERE seq = 2",
            "UPDATE turns SET words = 4 WHERE seq = 2",
            "DELETE FROM turns WHERE seq = 2",
            "UPDATE codings SET start = 29 WHERE guid = 'g1'",
            "INSERT INTO codings (guid, doc_id, code_id, start, end, coder_id, created)
                 VALUES ('g2', 1, 1, 20, 24, 1, 't')",
            "DELETE FROM codings WHERE guid = 'g2'",
            "UPDATE documents SET text = 'I: Hoe gaat het? A: Goed. B: Slecht-heel slecht.' WHERE id = 1",
        ] {
            fill_missing(conn).unwrap();
            conn.execute(change, []).unwrap();
            assert!(!stored(conn, 1), "{change}");
            assert_eq!(load(conn).unwrap()[&1], of_document(conn, 1).unwrap());
        }
        // In the new text "Slecht-heel" is one word: the coding (moved to start at it) holds
        // the eighth and ninth.
        assert_eq!(load(conn).unwrap()[&1].codings[0].run, 7..9);
        // A committed action (any) leaves no document without its row.
        store
            .action("anna", |a| {
                a.audit("note", "project", serde_json::json!({}))?;
                Ok(())
            })
            .unwrap();
        assert!(stored(store.conn(), 1));
        assert_eq!(
            load(store.conn()).unwrap()[&1],
            of_document(store.conn(), 1).unwrap()
        );
    }

    #[test]
    fn a_wrong_row_is_reported_and_an_unreadable_one_is_computed_from_the_tables() {
        let (_dir, store) = project();
        let conn = store.conn();
        fill_missing(conn).unwrap();
        assert!(stale(conn).unwrap().is_empty());
        conn.execute(
            "UPDATE document_spans SET spans = ?1 WHERE doc_id = 1",
            [encode(&Spans::default()).unwrap()],
        )
        .unwrap();
        assert_eq!(stale(conn).unwrap(), vec![1]);
        conn.execute(
            "UPDATE document_spans SET spans = x'FF00' WHERE doc_id = 1",
            [],
        )
        .unwrap();
        assert_eq!(load(conn).unwrap()[&1], of_document(conn, 1).unwrap());
        // Deleting a document deletes its row.
        conn.execute_batch("DELETE FROM codings; DELETE FROM turns; DELETE FROM documents;")
            .unwrap();
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM document_spans", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0);
    }

    #[test]
    fn a_turn_deleted_and_brought_back_by_undo_is_in_the_row_again() {
        let (_dir, mut store) = project();
        fill_missing(store.conn()).unwrap();
        let turn: i64 = store
            .conn()
            .query_row("SELECT id FROM turns WHERE seq = 2", [], |r| r.get(0))
            .unwrap();
        store
            .action("anna", |a| {
                a.delete("turns", turn)?;
                a.audit("remove turn", "turn", serde_json::json!({}))?;
                Ok(())
            })
            .unwrap();
        assert_eq!(load(store.conn()).unwrap()[&1].turns.len(), 1);
        // Undo inserts the turn again, which no trigger sees: the row is forgotten and stored
        // again with the action.
        crate::history::undo(&mut store, "anna").unwrap().unwrap();
        assert!(stored(store.conn(), 1));
        let spans = load(store.conn()).unwrap().remove(&1).unwrap();
        assert_eq!(spans.turns.len(), 2);
        assert_eq!(spans, of_document(store.conn(), 1).unwrap());
    }
}
