//! Full-text search: a tantivy index in the project's `index/` folder with one entry per
//! speaker turn. Dutch and English turns are analysed with their language's stemmer (after
//! lower-casing and accent folding); an unstemmed field serves exact words. Filters are
//! indexed fields: document, participant(s), wave, speaker, kind, and the codes whose codings
//! overlap the turn. The database stays the truth: the index records which database generation
//! it reflects and is rebuilt when it is missing, stale or of an older layout.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::Connection;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery, TermSetQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument, Term};

use crate::codebook;
use crate::error::{Error, Result};
use crate::store::Store;

/// The index folder inside a project.
pub const INDEX_DIR: &str = "index";
/// Bumped whenever the index layout changes: an older index is rebuilt.
const LAYOUT: u32 = 1;
const META_FILE: &str = "narrata-index.json";

struct Fields {
    turn: Field,
    doc: Field,
    participant: Field,
    wave: Field,
    speaker: Field,
    kind: Field,
    codes: Field,
    text_nl: Field,
    text_en: Field,
    exact: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fields = Fields {
        turn: b.add_u64_field("turn", INDEXED | STORED | FAST),
        doc: b.add_u64_field("doc", INDEXED | STORED | FAST),
        participant: b.add_text_field("participant", STRING | STORED),
        wave: b.add_text_field("wave", STRING | STORED),
        speaker: b.add_text_field("speaker", STRING | STORED),
        kind: b.add_text_field("kind", STRING),
        codes: b.add_u64_field("codes", INDEXED),
        text_nl: b.add_text_field("text_nl", text("narrata_nl")),
        text_en: b.add_text_field("text_en", text("narrata_en")),
        exact: b.add_text_field("exact", text("narrata_exact")),
    };
    (b.build(), fields)
}

fn analyzer(language: Option<Language>) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    match language {
        Some(l) => base.filter(Stemmer::new(l)).build(),
        None => base.build(),
    }
}

fn register(index: &Index) {
    let t = index.tokenizers();
    t.register("narrata_nl", analyzer(Some(Language::Dutch)));
    t.register("narrata_en", analyzer(Some(Language::English)));
    t.register("narrata_exact", analyzer(None));
}

fn index_dir(project: &Path) -> PathBuf {
    project.join(INDEX_DIR)
}

/// An index folder being deleted is first renamed to a name starting with this, so that it
/// disappears in one step; one left by a crash is deleted by the next rebuild.
pub const DISCARDED_PREFIX: &str = "index.discarded-";

/// Index folders renamed for deletion and not yet deleted (a crash came between).
pub fn discarded_dirs(project: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(project)
        .map(|rd| {
            rd.flatten()
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with(DISCARDED_PREFIX)
                })
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

fn remove_discarded(project: &Path) -> Result<()> {
    for dir in discarded_dirs(project) {
        std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    }
    Ok(())
}

#[derive(Serialize, serde::Deserialize)]
struct Meta {
    layout: u32,
    generation: i64,
}

fn read_meta(project: &Path) -> Option<Meta> {
    let text = std::fs::read_to_string(index_dir(project).join(META_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

fn write_meta(project: &Path, generation: i64) -> Result<()> {
    let path = index_dir(project).join(META_FILE);
    let text = serde_json::to_string(&Meta {
        layout: LAYOUT,
        generation,
    })
    .map_err(|e| Error::Invalid(e.to_string()))?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
}

fn search_error(e: tantivy::TantivyError) -> Error {
    Error::Invalid(format!(
        "the search index could not be used ({e}); `narrata reindex` rebuilds it"
    ))
}

/// Whether the index reflects the database as it is now.
pub fn is_current(store: &Store) -> Result<bool> {
    let generation = store.project()?.generation;
    Ok(
        read_meta(store.root()).is_some_and(|m| m.layout == LAYOUT && m.generation == generation)
            && index_dir(store.root()).join("meta.json").is_file(),
    )
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

/// Compares the index with the database turn by turn (by the turn ids it holds).
pub fn verify(store: &Store) -> Result<IndexState> {
    let dir = index_dir(store.root());
    let mut state = IndexState {
        present: dir.join("meta.json").is_file(),
        current: is_current(store)?,
        turns: 0,
        problems: Vec::new(),
    };
    if !state.present {
        return Ok(state);
    }
    let unreadable = |e: &dyn std::fmt::Display| format!("the search index cannot be read ({e})");
    let index = match Index::open_in_dir(&dir) {
        Ok(i) if i.schema() == schema().0 => i,
        Ok(_) => {
            state
                .problems
                .push("the search index has another layout".into());
            return Ok(state);
        }
        Err(e) => {
            state.problems.push(unreadable(&e));
            return Ok(state);
        }
    };
    let searcher = match index.reader() {
        Ok(r) => r.searcher(),
        Err(e) => {
            state.problems.push(unreadable(&e));
            return Ok(state);
        }
    };
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
struct TurnRow {
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

/// The turns of some documents (all when `docs` is `None`), with what the index needs.
fn turn_rows(conn: &Connection, docs: Option<&[i64]>) -> Result<Vec<TurnRow>> {
    let filter = match docs {
        Some([]) => return Ok(Vec::new()),
        Some(ids) => format!(
            "WHERE d.id IN ({})",
            ids.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
        None => String::new(),
    };
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

fn add_rows(writer: &IndexWriter, f: &Fields, rows: Vec<TurnRow>) -> Result<()> {
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
        writer.add_document(d).map_err(search_error)?;
    }
    Ok(())
}

/// The index opened for reading, with every segment's files opened.
/// Fails if it had to be created afresh: an empty index would answer with nothing.
fn readable(project: &Path) -> Result<(Index, Fields, IndexReader)> {
    let (index, fields, created) = open_or_create(project)?;
    if created {
        return Err(Error::Invalid(
            "the search index had to be created afresh".into(),
        ));
    }
    let reader = index.reader().map_err(search_error)?;
    Ok((index, fields, reader))
}

/// Opens the index, or creates an empty one where it is missing, damaged or of another layout
/// (the database is the truth). The flag says it was created: it then holds nothing yet, and
/// no longer claims to reflect any generation.
fn open_or_create(project: &Path) -> Result<(Index, Fields, bool)> {
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

/// The index writer's memory, shared by its two threads. Measured on the 36 MB benchmark
/// corpus: 64 MB 4.2 s, 128 MB 3.9 s, 256 MB 3.7 s to index everything; 128 MB keeps an
/// import's peak well under its 500 MB budget.
const WRITER_MEMORY: usize = 128 * 1024 * 1024;

/// The index's writer. Another process holding it is waited for, as long as SQLite waits for
/// a transaction ([`crate::store::BUSY_TIMEOUT`]), then the project is reported busy.
fn writer(index: &Index) -> Result<IndexWriter> {
    let deadline = std::time::Instant::now() + crate::store::BUSY_TIMEOUT;
    loop {
        match index.writer_with_num_threads(2, WRITER_MEMORY) {
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
    discard(store.root())?;
    rebuild(store)
}

/// Deletes the index folder; the next search builds it anew from the database. A redaction
/// does this before it commits, so that no moment exists, even after a crash, when the
/// database has the pseudonym and the index still the words it replaced.
/// The folder is renamed first and deleted after, so that a crash midway never leaves a half
/// deleted index in place (unreadable, and still holding some of the old words); a renamed one
/// a crash left is deleted here and by the next rebuild, and privacy-check searches it too.
pub fn discard(project: &Path) -> Result<()> {
    remove_discarded(project)?;
    let dir = index_dir(project);
    if dir.exists() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let gone = project.join(format!("{DISCARDED_PREFIX}{}-{nanos}", std::process::id()));
        std::fs::rename(&dir, &gone).map_err(|e| Error::io(&dir, e))?;
        std::fs::remove_dir_all(&gone).map_err(|e| Error::io(&gone, e))?;
    }
    Ok(())
}

/// Rebuilds the whole index from the database. Returns the number of turns indexed.
pub fn rebuild(store: &Store) -> Result<usize> {
    remove_discarded(store.root())?;
    let generation = store.project()?.generation;
    let (index, fields, _) = open_or_create(store.root())?;
    let mut w = writer(&index)?;
    w.delete_all_documents().map_err(search_error)?;
    let rows = turn_rows(store.conn(), None)?;
    let n = rows.len();
    add_rows(&w, &fields, rows)?;
    w.commit().map_err(search_error)?;
    write_meta(store.root(), generation)?;
    Ok(n)
}

/// Whether an index update may follow: the index reflected the database just before the
/// action (`generation_before`) and the action committed something. Otherwise the index is
/// left alone, to be rebuilt at the next search.
fn follows_one_action(store: &Store, generation_before: i64) -> Result<bool> {
    let current = read_meta(store.root())
        .is_some_and(|m| m.layout == LAYOUT && m.generation == generation_before);
    let committed = store.project()?.generation != generation_before;
    Ok(current && committed && index_dir(store.root()).join("meta.json").is_file())
}

/// Brings the index up to date after an action that changed the given documents: if the
/// index reflected the database just before the action (`generation_before`), only those
/// documents are re-indexed; otherwise it is left to be rebuilt on the next search.
pub fn update(store: &Store, generation_before: i64, docs: &[i64]) -> Result<()> {
    if !follows_one_action(store, generation_before)? {
        return Ok(());
    }
    let (index, fields, created) = open_or_create(store.root())?;
    if created {
        // The index was damaged: it is left for the next search to build whole.
        return Ok(());
    }
    let mut w = writer(&index)?;
    for d in docs {
        w.delete_term(Term::from_field_u64(fields.doc, *d as u64));
    }
    add_rows(&w, &fields, turn_rows(store.conn(), Some(docs))?)?;
    w.commit().map_err(search_error)?;
    // The index now reflects the database just after that one action, whatever another
    // process may have committed since: claiming the current generation instead would mark
    // its changes as indexed when they are not (its own update then skips them).
    write_meta(store.root(), generation_before + 1)
}

/// As [`update`], after an action that changed only the codings of some turns of `docs`
/// (auto-coding): only those turns are indexed again. Profiled: auto-coding a word found in
/// most documents spent two thirds of its time re-indexing whole documents.
pub fn update_turns(
    store: &Store,
    generation_before: i64,
    docs: &[i64],
    turns: &[i64],
) -> Result<()> {
    if !follows_one_action(store, generation_before)? {
        return Ok(());
    }
    let wanted: std::collections::HashSet<i64> = turns.iter().copied().collect();
    let rows: Vec<TurnRow> = turn_rows(store.conn(), Some(docs))?
        .into_iter()
        .filter(|r| wanted.contains(&r.turn))
        .collect();
    let (index, fields, created) = open_or_create(store.root())?;
    if created {
        // The index was damaged: it is left for the next search to build whole.
        return Ok(());
    }
    let mut w = writer(&index)?;
    for t in turns {
        w.delete_term(Term::from_field_u64(fields.turn, *t as u64));
    }
    add_rows(&w, &fields, rows)?;
    w.commit().map_err(search_error)?;
    // The index now reflects the database just after that one action, whatever another
    // process may have committed since: claiming the current generation instead would mark
    // its changes as indexed when they are not (its own update then skips them).
    write_meta(store.root(), generation_before + 1)
}

/// Search filters, as the command line gives them.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub participant: Option<String>,
    pub wave: Option<String>,
    pub speaker: Option<String>,
    pub code: Option<String>,
    pub kind: Option<String>,
    pub doc: Option<i64>,
    /// Only turns of the documents of this document group.
    pub group: Option<String>,
    pub limit: usize,
}

/// One hit: a turn, the spans of the matched words, a keyword-in-context snippet.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub doc: i64,
    pub turn: i64,
    pub participant: Option<String>,
    pub participants: Vec<String>,
    pub wave: Option<String>,
    pub speaker: String,
    pub start: i64,
    pub end: i64,
    pub line: i64,
    pub snippet: String,
    pub score: f32,
    /// Character spans `[start, end]` of the matched words in the document.
    pub matches: Vec<[i64; 2]>,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub total: usize,
    pub took_ms: f64,
    /// Whether the index had to be rebuilt first (missing or stale).
    pub rebuilt: bool,
    pub hits: Vec<Hit>,
}

/// Terms and prefixes the query looks for, per analyser, to mark the matched words.
struct Wanted {
    terms: HashSet<String>,
    prefixes: Vec<String>,
}

fn wanted(query: &dyn Query, raw: &str) -> Wanted {
    let mut terms = HashSet::new();
    query.query_terms(&mut |term: &Term, _| {
        if let Some(s) = term.value().as_str() {
            terms.insert(s.to_owned());
        }
    });
    let fold = analyzer(None);
    let prefixes = raw
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '"')
        .filter_map(|w| w.strip_suffix('*'))
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut a = fold.clone();
            let mut s = a.token_stream(w);
            let mut out = String::new();
            while s.advance() {
                out.push_str(&s.token().text);
            }
            out
        })
        .collect();
    Wanted { terms, prefixes }
}

/// Runs a query (words, "phrases", AND/OR/NOT, prefix*) with filters, rebuilding a missing or
/// stale index first.
pub fn search(store: &Store, query: &str, filters: &Filters) -> Result<Results> {
    let started = Instant::now();
    // An index folder a crash left half deleted goes now (it may hold replaced words).
    remove_discarded(store.root())?;
    let mut rebuilt = false;
    if !is_current(store)? {
        rebuild(store)?;
        rebuilt = true;
    }
    let (index, f, reader) = match readable(store.root()) {
        Ok(opened) => opened,
        // A damaged file (cut short by a full disk, say): the database is the truth, so the
        // index is built anew from it, once.
        Err(_) => {
            rebuild_from_scratch(store)?;
            rebuilt = true;
            readable(store.root())?
        }
    };
    let searcher = reader.searcher();
    let mut parser = QueryParser::for_index(&index, vec![f.text_nl, f.text_en]);
    parser.set_conjunction_by_default();
    let trimmed = query.trim();
    if trimmed.is_empty() {
        return Err(Error::Invalid(
            "the search query is empty; give one or more words".into(),
        ));
    }
    // "a AND NOT b" means "a NOT b" (the parser would read a lone NOT clause as matching nothing).
    let normalised = regex::Regex::new(r"\bAND\s+NOT\b")
        .map(|re| re.replace_all(trimmed, "NOT").into_owned())
        .unwrap_or_else(|_| trimmed.to_owned());
    let expanded = expand_prefixes(&searcher, f.exact, &normalised)?;
    let parsed = parser.parse_query(&expanded).map_err(|_| {
        Error::Invalid(format!(
            "the search query `{trimmed}` could not be read ({}); use words, \"a phrase\", AND, OR, NOT, (brackets) and word* for a prefix",
            query_problem(trimmed)
        ))
    })?;
    let want = wanted(parsed.as_ref(), trimmed);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, parsed)];
    let string = |field: Field, value: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    };
    // A filter that names no participant or wave would quietly find nothing: say so.
    if let Some(p) = &filters.participant {
        let code = crate::import::resolve::normalise_participant(p);
        let known: bool = store.conn().query_row(
            "SELECT EXISTS(SELECT 1 FROM participants WHERE code = ?1)",
            [&code],
            |r| r.get(0),
        )?;
        if !known {
            return Err(Error::NotFound(format!(
                "there is no participant `{code}`; `narrata participants` lists them"
            )));
        }
    }
    if let Some(w) = &filters.wave {
        let name = crate::import::resolve::normalise_wave(w);
        let known: bool = store.conn().query_row(
            "SELECT EXISTS(SELECT 1 FROM waves WHERE name = ?1)",
            [&name],
            |r| r.get(0),
        )?;
        if !known {
            let all: Vec<String> = crate::corpus::waves(store.conn())?
                .into_iter()
                .map(|w| w.name)
                .collect();
            return Err(Error::NotFound(format!(
                "there is no wave `{name}`; the waves are {}",
                if all.is_empty() {
                    "none yet".to_owned()
                } else {
                    all.join(", ")
                }
            )));
        }
    }
    if let Some(p) = &filters.participant {
        clauses.push((
            Occur::Must,
            string(
                f.participant,
                &crate::import::resolve::normalise_participant(p),
            ),
        ));
    }
    if let Some(w) = &filters.wave {
        clauses.push((
            Occur::Must,
            string(f.wave, &crate::import::resolve::normalise_wave(w)),
        ));
    }
    if let Some(s) = &filters.speaker {
        clauses.push((Occur::Must, string(f.speaker, &s.to_lowercase())));
    }
    if let Some(k) = &filters.kind {
        clauses.push((Occur::Must, string(f.kind, &k.to_lowercase())));
    }
    if let Some(d) = filters.doc {
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_u64(f.doc, d as u64),
                IndexRecordOption::Basic,
            )),
        ));
    }
    if let Some(g) = &filters.group {
        let docs = crate::groups::documents_of(store.conn(), g)?;
        clauses.push((
            Occur::Must,
            Box::new(TermSetQuery::new(
                docs.into_iter()
                    .map(|d| Term::from_field_u64(f.doc, d as u64)),
            )),
        ));
    }
    if let Some(c) = &filters.code {
        let all = codebook::codes(store.conn())?;
        let code = codebook::find_in(&all, c)?;
        let ids = codebook::with_descendants(&all, code.id);
        clauses.push((
            Occur::Must,
            Box::new(TermSetQuery::new(
                ids.into_iter()
                    .map(|i| Term::from_field_u64(f.codes, i as u64)),
            )),
        ));
    }
    let q = BooleanQuery::new(clauses);
    let limit = if filters.limit == 0 {
        50
    } else {
        filters.limit
    };
    let total = searcher
        .search(&q, &tantivy::collector::Count)
        .map_err(search_error)?;
    // Never ask for more hits than there are (the collector reserves room for all it may keep).
    let limit = limit.min(total).max(1);
    let top = searcher
        .search(&q, &TopDocs::with_limit(limit).order_by_score())
        .map_err(search_error)?;
    let mut turn_ids = Vec::new();
    for (score, addr) in &top {
        let d: TantivyDocument = searcher.doc(*addr).map_err(search_error)?;
        let turn = d.get_first(f.turn).and_then(|v| v.as_u64()).unwrap_or(0) as i64;
        turn_ids.push((turn, *score));
    }
    let hits = hits_for(store.conn(), &index, &turn_ids, &want)?;
    Ok(Results {
        total,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        rebuilt,
        hits,
    })
}

/// Rewrites each `word*` as `(w1 OR w2 …)` over the words of the index that start with it
/// (at most 64, most of them the same word in other forms), so prefixes work in every field
/// and are stemmed like any word.
fn expand_prefixes(searcher: &tantivy::Searcher, exact: Field, query: &str) -> Result<String> {
    if !query.contains('*') {
        return Ok(query.to_owned());
    }
    let re = regex::Regex::new(r"([\p{L}\p{N}]+)\*").map_err(|e| Error::Invalid(e.to_string()))?;
    let fold = analyzer(None);
    let mut out = String::new();
    let mut last = 0;
    for c in re.captures_iter(query) {
        let (Some(all), Some(word)) = (c.get(0), c.get(1)) else {
            continue;
        };
        out.push_str(&query[last..all.start()]);
        last = all.end();
        let mut a = fold.clone();
        let mut stream = a.token_stream(word.as_str());
        let mut prefix = String::new();
        while stream.advance() {
            prefix.push_str(&stream.token().text);
        }
        let mut words: Vec<String> = Vec::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(exact).map_err(search_error)?;
            let mut terms = inverted
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .into_stream()
                .map_err(|e| Error::Invalid(format!("the search index could not be read: {e}")))?;
            while terms.advance() && words.len() < 64 {
                let key = terms.key();
                if !key.starts_with(prefix.as_bytes()) {
                    break;
                }
                if let Ok(w) = std::str::from_utf8(key)
                    && !words.iter().any(|x| x == w)
                {
                    words.push(w.to_owned());
                }
            }
        }
        if words.is_empty() {
            words.push(prefix);
        }
        out.push('(');
        out.push_str(&words.join(" OR "));
        out.push(')');
    }
    out.push_str(&query[last..]);
    Ok(out)
}

/// Turns looked up in the database, with matched spans and snippets.
fn hits_for(
    conn: &Connection,
    index: &Index,
    turns: &[(i64, f32)],
    want: &Wanted,
) -> Result<Vec<Hit>> {
    type TurnRow = (i64, i64, i64, i64, String, Option<String>);
    let mut stmt = conn.prepare(
        "SELECT t.doc_id, t.start, t.end, t.line, t.speaker, p.code FROM turns t LEFT JOIN participants p ON p.id = t.participant_id WHERE t.id = ?1",
    )?;
    let mut rows: Vec<(i64, f32, TurnRow)> = Vec::new();
    for &(turn, score) in turns {
        let row = rusqlite::OptionalExtension::optional(stmt.query_row([turn], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        }))?;
        rows.extend(row.map(|row| (turn, score, row)));
    }
    // Per document: its text, its summary, and the byte offsets of every hit turn's ends,
    // found in one pass (slicing by characters turn by turn rescanned the text each time).
    let mut docs: HashMap<
        i64,
        (
            String,
            crate::corpus::DocumentSummary,
            Vec<usize>,
            Vec<usize>,
        ),
    > = HashMap::new();
    for (_, _, (doc, start, end, ..)) in &rows {
        if !docs.contains_key(doc) {
            let text = crate::corpus::text(conn, *doc)?;
            docs.insert(
                *doc,
                (
                    text,
                    crate::corpus::document(conn, *doc)?,
                    Vec::new(),
                    Vec::new(),
                ),
            );
        }
        let bounds = &mut docs.get_mut(doc).expect("inserted above").2;
        bounds.extend([*start as usize, *end as usize]);
    }
    for (text, _, bounds, bytes) in docs.values_mut() {
        bounds.sort_unstable();
        bounds.dedup();
        *bytes = crate::offsets::char_to_byte(text, bounds);
    }
    let nl = index.tokenizers().get("narrata_nl");
    let en = index.tokenizers().get("narrata_en");
    let exact = index.tokenizers().get("narrata_exact");
    let mut out = Vec::with_capacity(rows.len());
    for (turn, score, (doc, start, end, line, speaker, speaker_participant)) in rows {
        let (text, summary, bounds, bytes) = &docs[&doc];
        let byte = |c: i64| bytes[bounds.binary_search(&(c as usize)).unwrap_or(0)];
        let said = &text[byte(start)..byte(end)];
        let analyzer = if summary.language == "en" { &en } else { &nl };
        let spans = matched_spans(said, start, [analyzer, &exact], want);
        let participant = if summary.kind == "individual" {
            summary.participants.first().cloned()
        } else {
            speaker_participant
        };
        let snippet = snippet(said, start, end, &spans);
        out.push(Hit {
            doc,
            turn,
            participant: participant.clone(),
            participants: participant.into_iter().collect(),
            wave: summary.wave.clone(),
            speaker,
            start,
            end,
            line,
            snippet,
            score,
            matches: spans,
        });
    }
    Ok(out)
}

/// The character spans (in the document; `said` starts at character `start`) of the words
/// whose analysed form the query asked for, stemmed or exact, sorted and each once. Linear in
/// the turn's length: characters are counted forward from one match to the next.
fn matched_spans(
    said: &str,
    start: i64,
    analyzers: [&Option<TextAnalyzer>; 2],
    want: &Wanted,
) -> Vec<[i64; 2]> {
    let mut spans: Vec<[i64; 2]> = Vec::new();
    for analyzer in analyzers.into_iter().flatten() {
        let mut a = analyzer.clone();
        let mut stream = a.token_stream(said);
        let (mut byte, mut chars) = (0usize, 0usize);
        while stream.advance() {
            let t = stream.token();
            if !(want.terms.contains(&t.text)
                || want.prefixes.iter().any(|p| t.text.starts_with(p.as_str())))
            {
                continue;
            }
            if t.offset_from < byte {
                (byte, chars) = (0, 0);
            }
            chars += said[byte..t.offset_from].chars().count();
            byte = t.offset_from;
            let s = start + chars as i64;
            let e = s + said[t.offset_from..t.offset_to].chars().count() as i64;
            spans.push([s, e]);
        }
    }
    spans.sort_unstable();
    spans.dedup();
    spans
}

/// About 60 characters either side of the first match, the matches marked «thus», on one
/// line. `said` is the turn's text, which starts at character `start` of the document.
fn snippet(said: &str, start: i64, end: i64, spans: &[[i64; 2]]) -> String {
    let first = spans.first().map(|s| s[0]).unwrap_or(start);
    let from = (first - 60).max(start);
    let to = (spans.first().map(|s| s[1]).unwrap_or(start) + 60).min(end);
    let shown: Vec<[i64; 2]> = spans
        .iter()
        .copied()
        .filter(|s| s[0] >= from && s[1] <= to)
        .collect();
    // Byte offsets of the window's edges and the marks, in one pass up to the window's end.
    let mut wanted: Vec<usize> = std::iter::once([from, to])
        .chain(shown.iter().copied())
        .flatten()
        .map(|c| (c - start) as usize)
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let bytes = crate::offsets::char_to_byte(said, &wanted);
    let at = |c: i64| bytes[wanted.binary_search(&((c - start) as usize)).unwrap_or(0)];
    let mut out = String::new();
    if from > start {
        out.push('…');
    }
    let mut last = from;
    for s in shown.iter().filter(|s| s[0] >= from) {
        if s[0] < last {
            continue; // overlaps the one marked before it
        }
        out.push_str(&said[at(last)..at(s[0])]);
        out.push('«');
        out.push_str(&said[at(s[0])..at(s[1])]);
        out.push('»');
        last = s[1];
    }
    out.push_str(&said[at(last)..at(to)]);
    if to < end {
        out.push('…');
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What is most likely wrong with a query the parser refused, in the researcher's words.
fn query_problem(query: &str) -> &'static str {
    if query.matches('"').count() % 2 == 1 {
        return "a quotation mark is not closed";
    }
    let mut depth = 0i32;
    for c in query.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return "a bracket closes before it opens";
                }
            }
            _ => {}
        }
    }
    if depth > 0 {
        "a bracket is not closed"
    } else {
        "an operator has nothing to work on, or a sign the search does not know"
    }
}
