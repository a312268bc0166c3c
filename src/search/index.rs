//! Keeping the index in step with the database. The index records which database generation
//! it reflects; a search rebuilds it when it is missing, stale or of an older layout, and
//! [`follow`] brings it up to date after actions by indexing again only what they changed.

use std::collections::HashSet;
use std::path::Path;

use rusqlite::Connection;
use serde::Serialize;
use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument, Term};

use super::schema::{Fields, LAYOUT, META_FILE, register, schema};
use crate::error::{Error, Result};
use crate::store::derived::{INDEX_DIR, index_dir, remove_discarded};
use crate::store::{Changes, Outcome, Store};

#[derive(Serialize, serde::Deserialize)]
struct Meta {
    layout: u32,
    generation: i64,
}

fn read_meta(project: &Path) -> Option<Meta> {
    let text = std::fs::read_to_string(index_dir(project).join(META_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

pub(super) fn write_meta(project: &Path, generation: i64) -> Result<()> {
    let path = index_dir(project).join(META_FILE);
    let text = serde_json::to_string(&Meta {
        layout: LAYOUT,
        generation,
    })
    .map_err(|e| Error::Internal(e.to_string()))?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
}

pub(super) fn search_error(e: tantivy::TantivyError) -> Error {
    Error::Search(e)
}

/// Whether the index is of this layout and reflects the database at this generation.
pub(super) fn reflects(project: &Path, generation: i64) -> bool {
    read_meta(project).is_some_and(|m| m.layout == LAYOUT && m.generation == generation)
        && index_dir(project).join("meta.json").is_file()
}

/// Whether the index reflects the database as it is now.
pub fn is_current(store: &Store) -> Result<bool> {
    Ok(reflects(store.root(), store.project()?.generation))
}

/// The index beside the database: whether it is up to date, how many turns it holds, and what
/// is wrong with it (unreadable, or holding turns the database does not have, or lacking ones
/// it has, while claiming to be current). An index that is only behind is not a problem: the
/// next search rebuilds it.
#[derive(Debug, Clone, Serialize)]
pub struct IndexState {
    pub present: bool,
    pub current: bool,
    pub turns: usize,
    pub problems: Vec<String>,
}

/// The index opened for a check: its state so far, and a searcher when it could be read.
fn open_for_check(store: &Store) -> Result<(IndexState, Option<tantivy::Searcher>)> {
    let dir = index_dir(store.root());
    let mut state = IndexState {
        present: dir.join("meta.json").is_file(),
        current: is_current(store)?,
        turns: 0,
        problems: Vec::new(),
    };
    if !state.present {
        return Ok((state, None));
    }
    let unreadable = |e: &dyn std::fmt::Display| format!("the search index cannot be read ({e})");
    let index = match Index::open_in_dir(&dir) {
        Ok(i) if i.schema() == schema().0 => i,
        Ok(_) => {
            state
                .problems
                .push("the search index has another layout".into());
            return Ok((state, None));
        }
        Err(e) => {
            state.problems.push(unreadable(&e));
            return Ok((state, None));
        }
    };
    match index.reader() {
        Ok(r) => Ok((state, Some(r.searcher()))),
        Err(e) => {
            state.problems.push(unreadable(&e));
            Ok((state, None))
        }
    }
}

/// The quick look at the index (`check` without `--full`): present, of this layout and of the
/// database's generation, readable, and holding as many turns as the database has (`turns`).
pub fn verify_quick(store: &Store, turns: usize) -> Result<IndexState> {
    let (mut state, searcher) = open_for_check(store)?;
    let Some(searcher) = searcher else {
        return Ok(state);
    };
    state.turns = searcher.num_docs() as usize;
    if state.current && state.turns != turns {
        state.problems.push(format!(
            "the search index holds {} turn(s), the database {turns}",
            state.turns
        ));
    }
    Ok(state)
}

/// Compares the index with the database turn by turn (by the turn ids it holds).
pub fn verify(store: &Store) -> Result<IndexState> {
    let (mut state, searcher) = open_for_check(store)?;
    let Some(searcher) = searcher else {
        return Ok(state);
    };
    let unreadable = |e: &dyn std::fmt::Display| format!("the search index cannot be read ({e})");
    let mut held: Vec<i64> = Vec::new();
    for segment in searcher.segment_readers() {
        let column = match segment.fast_fields().u64("turn") {
            Ok(c) => c,
            Err(e) => {
                state.problems.push(unreadable(&e));
                return Ok(state);
            }
        };
        held.extend(
            segment
                .doc_ids_alive()
                .filter_map(|d| column.first(d))
                .map(|t| t as i64),
        );
    }
    held.sort_unstable();
    let entries = held.len();
    held.dedup();
    state.turns = held.len();
    if !state.current {
        return Ok(state);
    }
    let mut stmt = store.conn().prepare("SELECT id FROM turns ORDER BY id")?;
    let stored: Vec<i64> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let orphans = held
        .iter()
        .filter(|t| stored.binary_search(t).is_err())
        .count();
    let missing = stored
        .iter()
        .filter(|t| held.binary_search(t).is_err())
        .count();
    if orphans > 0 {
        state.problems.push(format!(
            "the search index holds {orphans} turn(s) the database does not have"
        ));
    }
    if missing > 0 {
        state.problems.push(format!(
            "the search index lacks {missing} turn(s) of the database"
        ));
    }
    if entries > held.len() {
        state.problems.push(format!(
            "the search index holds {} turn(s) twice",
            entries - held.len()
        ));
    }
    Ok(state)
}

/// One turn as the index holds it.
pub(super) struct TurnRow {
    turn: i64,
    doc: i64,
    text: String,
    participants: Vec<String>,
    wave: Option<String>,
    speaker: String,
    kind: String,
    language: String,
    codes: Vec<i64>,
}

/// The turns of these documents, with what the index needs.
pub(super) fn turn_rows(conn: &Connection, docs: &[i64]) -> Result<Vec<TurnRow>> {
    if docs.is_empty() {
        return Ok(Vec::new());
    }
    let filter = format!(
        "WHERE d.id IN ({})",
        docs.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut out = Vec::new();
    let mut doc_stmt = conn.prepare(&format!(
        "SELECT d.id, d.text, d.kind, d.language, w.name,
            (SELECT group_concat(p.code, ',') FROM document_participants dp JOIN participants p ON p.id = dp.participant_id WHERE dp.doc_id = d.id)
         FROM documents d LEFT JOIN waves w ON w.id = d.wave_id {filter} ORDER BY d.id"
    ))?;
    type DocRow = (i64, String, String, String, Option<String>, Option<String>);
    let docs: Vec<DocRow> = doc_stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut turn_stmt = conn.prepare(
        "SELECT t.id, t.start, t.end, t.speaker, p.code FROM turns t LEFT JOIN participants p ON p.id = t.participant_id
         WHERE t.doc_id = ?1 ORDER BY t.seq",
    )?;
    let mut coding_stmt =
        conn.prepare("SELECT code_id, start, end FROM codings WHERE doc_id = ?1")?;
    for (doc, text, kind, language, wave, doc_participants) in docs {
        let doc_participants: Vec<String> = doc_participants
            .map(|s| s.split(',').map(str::to_owned).collect())
            .unwrap_or_default();
        let codings: Vec<(i64, i64, i64)> = coding_stmt
            .query_map([doc], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let turns: Vec<(i64, i64, i64, String, Option<String>)> = turn_stmt
            .query_map([doc], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut bounds: Vec<usize> = turns
            .iter()
            .flat_map(|t| [t.1 as usize, t.2 as usize])
            .collect();
        bounds.sort_unstable();
        bounds.dedup();
        let bytes = crate::offsets::char_to_byte(&text, &bounds);
        let at = |c: i64| bytes[bounds.binary_search(&(c as usize)).unwrap_or(0)];
        for (turn, start, end, speaker, participant) in turns {
            let participants = if kind == "individual" {
                doc_participants.clone()
            } else {
                participant.into_iter().collect()
            };
            let codes = codings
                .iter()
                .filter(|(_, s, e)| *s < end && *e > start)
                .map(|(c, _, _)| *c)
                .collect();
            out.push(TurnRow {
                turn,
                doc,
                text: text[at(start)..at(end)].to_owned(),
                participants,
                wave: wave.clone(),
                speaker,
                kind: kind.clone(),
                language: language.clone(),
                codes,
            });
        }
    }
    Ok(out)
}

pub(super) fn add_rows(writer: &IndexWriter, f: &Fields, rows: Vec<TurnRow>) -> Result<()> {
    for r in rows {
        let mut d = TantivyDocument::default();
        d.add_u64(f.turn, r.turn as u64);
        d.add_u64(f.doc, r.doc as u64);
        for p in &r.participants {
            d.add_text(f.participant, p);
        }
        if let Some(w) = &r.wave {
            d.add_text(f.wave, w);
        }
        d.add_text(f.speaker, r.speaker.to_lowercase());
        d.add_text(f.kind, &r.kind);
        for c in r.codes {
            d.add_u64(f.codes, c as u64);
        }
        d.add_text(
            if r.language == "en" {
                f.text_en
            } else {
                f.text_nl
            },
            &r.text,
        );
        d.add_text(f.exact, &r.text);
        if r.language != "en" {
            d.add_text(f.parts, &r.text);
        }
        writer.add_document(d).map_err(search_error)?;
    }
    Ok(())
}

/// The index last opened for reading in this process, with the contents of tantivy's
/// `meta.json` it was opened at. Opening reads every segment's footer, term dictionaries and
/// deletes (profiled: a large share of a search's time on the benchmark index); while
/// `meta.json` is byte for byte the same, nothing was committed, merged or rebuilt since, and
/// the opened index answers as a fresh one would.
struct Opened {
    dir: std::path::PathBuf,
    meta: Vec<u8>,
    index: Index,
    fields: Fields,
    reader: IndexReader,
}

static OPENED: std::sync::Mutex<Option<Opened>> = std::sync::Mutex::new(None);

/// The index opened for reading, with every segment's files opened (or as opened before, when
/// its `meta.json` has not changed since).
/// Fails if it had to be created afresh: an empty index would answer with nothing.
pub(super) fn readable(project: &Path) -> Result<(Index, Fields, IndexReader)> {
    let dir = index_dir(project);
    let meta = std::fs::read(dir.join("meta.json")).ok();
    let mut opened = OPENED.lock().unwrap_or_else(|e| e.into_inner());
    if let (Some(o), Some(meta)) = (opened.as_ref(), meta.as_ref())
        && o.dir == dir
        && o.meta == *meta
    {
        return Ok((o.index.clone(), o.fields, o.reader.clone()));
    }
    let (index, fields, created) = open_or_create(project)?;
    if created {
        *opened = None;
        return Err(Error::Invalid(
            "the search index had to be created afresh".into(),
        ));
    }
    super::schema::register_for_queries(&index);
    let reader = index.reader().map_err(search_error)?;
    *opened = meta.map(|meta| Opened {
        dir,
        meta,
        index: index.clone(),
        fields,
        reader: reader.clone(),
    });
    Ok((index, fields, reader))
}

/// Opens the index, or creates an empty one where it is missing, damaged or of another layout
/// (the database is the truth). The flag says it was created: it then holds nothing yet, and
/// no longer claims to reflect any generation.
pub(super) fn open_or_create(project: &Path) -> Result<(Index, Fields, bool)> {
    let dir = index_dir(project);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let (schema, fields) = schema();
    let (index, created) = match Index::open_in_dir(&dir) {
        Ok(i) if i.schema() == schema => (i, false),
        _ => {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            let i = Index::create_in_dir(&dir, schema).map_err(search_error)?;
            (i, true)
        }
    };
    register(&index);
    Ok((index, fields, created))
}

/// How many documents' turns are read from the database and handed to the writer at a time:
/// indexing a whole project, or an import of any size, holds a few dozen transcripts, not all.
pub(super) const DOCUMENTS_AT_ONCE: usize = 32;

/// Hands every turn of these documents to the writer, a few documents at a time. Returns the
/// number of turns.
fn add_documents(
    conn: &Connection,
    w: &IndexWriter,
    fields: &Fields,
    docs: &[i64],
) -> Result<usize> {
    let mut n = 0;
    for chunk in docs.chunks(DOCUMENTS_AT_ONCE) {
        let rows = turn_rows(conn, chunk)?;
        n += rows.len();
        add_rows(w, fields, rows)?;
    }
    Ok(n)
}

/// The index writer's memory, shared by its two threads. Measured on the 36 MB benchmark
/// corpus: 64 MB 4.2 s, 128 MB 3.9 s, 256 MB 3.7 s to index everything; 128 MB keeps an
/// import's peak well under its 500 MB budget.
pub(super) const WRITER_MEMORY: usize = 128 * 1024 * 1024;

/// The index's writer. Another process holding it is waited for, as long as SQLite waits for
/// a transaction ([`crate::store::BUSY_TIMEOUT`]), then the project is reported busy.
pub(super) fn writer(index: &Index) -> Result<IndexWriter> {
    writer_with(index, 2, WRITER_MEMORY)
}

/// The index's writer with this many indexing threads and this much memory between them (see
/// [`writer`]).
pub(super) fn writer_with(index: &Index, threads: usize, memory: usize) -> Result<IndexWriter> {
    let deadline = std::time::Instant::now() + crate::store::BUSY_TIMEOUT;
    loop {
        match index.writer_with_num_threads(threads, memory) {
            Err(tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _,
            )) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            other => return other.map_err(writer_error),
        }
    }
}

fn writer_error(e: tantivy::TantivyError) -> Error {
    match e {
        tantivy::TantivyError::LockFailure(tantivy::directory::error::LockError::LockBusy, _) => {
            Error::Busy
        }
        // Not another process: the index folder cannot be written (permissions, say).
        tantivy::TantivyError::LockFailure(
            tantivy::directory::error::LockError::IoError(io),
            _,
        ) => Error::Invalid(format!(
            "the search index folder `{INDEX_DIR}` in the project cannot be written ({io}); \
                 check that you may write to it"
        )),
        other => search_error(other),
    }
}

/// Deletes the index folder and builds it anew, so that no old segment keeps text the
/// database no longer has (after a redaction). Returns the number of turns indexed.
pub fn rebuild_from_scratch(store: &Store) -> Result<usize> {
    crate::store::derived::discard_index(store.root())?;
    rebuild(store)
}

/// Rebuilds the whole index from the database. Returns the number of turns indexed.
pub fn rebuild(store: &Store) -> Result<usize> {
    remove_discarded(store.root())?;
    // One snapshot of the database for the generation and every chunk of turns read after it.
    let snapshot = store.conn().unchecked_transaction()?;
    let generation = store.project()?.generation;
    let (index, fields, _) = open_or_create(store.root())?;
    let mut w = writer(&index)?;
    w.delete_all_documents().map_err(search_error)?;
    let docs: Vec<i64> = store
        .conn()
        .prepare("SELECT id FROM documents ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let n = add_documents(store.conn(), &w, &fields, &docs)?;
    drop(snapshot); // read only: nothing to commit
    w.commit().map_err(search_error)?;
    w.wait_merging_threads().map_err(search_error)?;
    write_meta(store.root(), generation)?;
    Ok(n)
}

/// Brings the index in step with the actions this store committed since the last call
/// ([`Store::take_outcomes`]). Every front-end calls this after its actions, or hands the
/// outcomes to [`follow_outcomes`] on a worker thread; nothing else keeps the index current.
pub fn follow(store: &mut Store) -> Result<()> {
    let outcomes = store.take_outcomes();
    follow_outcomes(store, &outcomes)
}

/// Brings the index in step with these committed actions, oldest first. When they follow
/// each other and the index reflected the database just before the first, only what they
/// changed is indexed again (whole documents whose text, turns or metadata changed; the turns
/// under changed codings). Replaced text or a change every entry carries builds the index
/// anew. Otherwise (another process committed in between, the index is missing or damaged)
/// it is left for the next search to rebuild.
pub fn follow_outcomes(store: &Store, outcomes: &[Outcome]) -> Result<()> {
    let Some(first) = outcomes.first() else {
        return Ok(());
    };
    let mut changes = Changes::default();
    for (i, o) in outcomes.iter().enumerate() {
        if o.generation_before != first.generation_before + i as i64 {
            return Ok(());
        }
        changes.extend(o.changes.clone());
    }
    if changes.text_replaced {
        // The index was deleted before the commit; old segments must not come back.
        rebuild_from_scratch(store)?;
        return Ok(());
    }
    if !reflects(store.root(), first.generation_before) {
        return Ok(());
    }
    if changes.everything {
        rebuild(store)?;
        return Ok(());
    }
    // The index now reflects the database just after these actions, whatever another process
    // may have committed since: claiming the current generation instead would mark its
    // changes as indexed when they are not.
    let after = first.generation_before + outcomes.len() as i64;
    if changes.documents.is_empty() && changes.spans.is_empty() {
        return write_meta(store.root(), after);
    }
    let (index, fields, created) = open_or_create(store.root())?;
    if created {
        // The index was damaged: it is left for the next search to build whole.
        return Ok(());
    }
    let mut w = writer(&index)?;
    index_changes(store.conn(), &w, &fields, &changes)?;
    w.commit().map_err(search_error)?;
    // Merges the commit started finish here, before the index is said to be current: a
    // writer dropped with a merge under way let a killed process leave a turn twice
    // (tests/crash.rs).
    w.wait_merging_threads().map_err(search_error)?;
    write_meta(store.root(), after)
}

/// Hands the writer what these changes (none of them text replaced, none touching every
/// entry) ask: the changed documents whole, in place of what the index held of them, and the
/// turns under changed codings.
pub(super) fn index_changes(
    conn: &Connection,
    w: &IndexWriter,
    fields: &Fields,
    changes: &Changes,
) -> Result<()> {
    // Never asked to stop, it gives everything to the writer.
    index_changes_until(conn, w, fields, changes, &|| false).map(|_| ())
}

/// [`index_changes`], asking `stop` before each few documents: when it says yes, what was not
/// given to the writer is returned (the documents not given, and the codings' spans, which come
/// last), for another writer to index. What was given stays given (the deletion of every
/// changed document and turn, which comes first, and the documents before the stop): indexing a
/// document again replaces it.
pub(super) fn index_changes_until(
    conn: &Connection,
    w: &IndexWriter,
    fields: &Fields,
    changes: &Changes,
    stop: &dyn Fn() -> bool,
) -> Result<Option<Changes>> {
    let docs: Vec<i64> = changes.documents.iter().copied().collect();
    let turns = turns_under(conn, changes)?;
    for d in &docs {
        w.delete_term(Term::from_field_u64(fields.doc, *d as u64));
    }
    for t in &turns {
        w.delete_term(Term::from_field_u64(fields.turn, *t as u64));
    }
    for (i, chunk) in docs.chunks(DOCUMENTS_AT_ONCE).enumerate() {
        if stop() {
            let given = i * DOCUMENTS_AT_ONCE;
            return Ok(Some(Changes {
                documents: docs[given..].iter().copied().collect(),
                // Spans of documents indexed whole were never turns to index again.
                spans: changes
                    .spans
                    .iter()
                    .filter(|(d, _)| !changes.documents.contains(d))
                    .map(|(d, s)| (*d, s.clone()))
                    .collect(),
                ..Changes::default()
            }));
        }
        add_rows(w, fields, turn_rows(conn, chunk)?)?;
    }
    if !turns.is_empty() {
        let wanted: HashSet<i64> = turns.iter().copied().collect();
        let span_docs: Vec<i64> = changes.spans.keys().copied().collect();
        for chunk in span_docs.chunks(DOCUMENTS_AT_ONCE) {
            let rows = turn_rows(conn, chunk)?
                .into_iter()
                .filter(|r| wanted.contains(&r.turn))
                .collect();
            add_rows(w, fields, rows)?;
        }
    }
    Ok(None)
}

/// The turns under the changed codings' spans, of documents not indexed again whole.
fn turns_under(conn: &Connection, changes: &Changes) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM turns WHERE doc_id = ?1 AND start < ?3 AND end > ?2 ORDER BY id",
    )?;
    let mut turns = Vec::new();
    for (doc, spans) in &changes.spans {
        if changes.documents.contains(doc) {
            continue;
        }
        for (s, e) in spans {
            let ids = stmt.query_map(rusqlite::params![doc, s, e], |r| r.get::<_, i64>(0))?;
            for id in ids {
                turns.push(id?);
            }
        }
    }
    turns.sort_unstable();
    turns.dedup();
    Ok(turns)
}
