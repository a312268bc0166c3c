//! Bringing transcripts into a project. Each format has a reader that turns a file's bytes
//! into a neutral [`Transcript`]; [`resolve`] ties it to participants and a wave; then one
//! action stores every accepted file of the import in a single transaction.
//!
//! Each file is all or nothing: a file that is refused (empty, binary, not UTF-8, too large,
//! malformed, metadata missing or contradictory) is reported with its reason and nothing of it
//! is stored; the other files are. A file whose bytes are already in the project is skipped
//! with a note, so an interrupted or repeated import can simply be run again.

mod batch;
pub mod decode;
pub mod docx;
mod files;
pub mod resolve;
mod staged;
pub mod subtitles;
pub mod text;

use std::ops::Range;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::corpus::{self, NewDocument, NewTurn};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::words;

pub use crate::transcript::Transcript;
pub use batch::BATCH_BYTES;
use files::format_name;
pub use files::{Files, Sources, collect, read, read_with};
pub use resolve::Flags;
pub use staged::apply_staged;
pub use text::paragraphs;

/// The largest file narrata imports. A transcript of a three-hour interview is about 200 KB;
/// 50 MB leaves room for anything real and refuses what is not.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// File types narrata reads, by extension.
pub const EXTENSIONS: &[&str] = &[
    "txt", "text", "md", "markdown", "docx", "vtt", "srt", "qdpx",
];

/// What to do about identifiers while importing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Anonymise {
    /// Detect and replace identifiers before anything is stored (the default).
    #[default]
    Auto,
    /// Detect identifiers and hold them for review before storing.
    Review,
    /// Store the text as it is.
    Off,
}

/// One file to import: a name for messages, and its bytes.
#[derive(Debug, Clone)]
pub struct Source {
    /// How the file is named in messages and stored as the source name (no folders).
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Source {
    pub fn extension(&self) -> String {
        Path::new(&self.name)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase()
    }

    pub fn stem(&self) -> String {
        Path::new(&self.name)
            .file_stem()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_owned()
    }
}

/// What happened to one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: String,
    /// `imported`, `staged` (held for review), `skipped` (already there) or `refused`
    /// (not imported, for `reason`; nothing of it is in the project).
    pub status: &'static str,
    pub document: Option<i64>,
    pub title: Option<String>,
    pub words: usize,
    pub turns: usize,
    pub controls_replaced: usize,
    pub notes: Vec<String>,
    /// Why a refused file was not imported: a sentence.
    pub reason: Option<String>,
}

impl FileReport {
    fn new(file: &str) -> FileReport {
        FileReport {
            file: file.to_owned(),
            status: "skipped",
            document: None,
            title: None,
            words: 0,
            turns: 0,
            controls_replaced: 0,
            notes: Vec::new(),
            reason: None,
        }
    }

    /// A file that was not imported, and why.
    pub fn refused(file: &str, reason: impl Into<String>) -> FileReport {
        FileReport {
            status: "refused",
            reason: Some(reason.into()),
            ..FileReport::new(file)
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub imported: usize,
    /// Held in the key for review (`--anonymise review`), not yet in the project.
    pub staged: usize,
    pub skipped: usize,
    /// Files not imported (bad input): each is all or nothing, the others were imported.
    pub refused: usize,
    pub words: usize,
    pub bytes: u64,
    pub took_ms: u128,
    pub files: Vec<FileReport>,
    /// Files in the given folders that narrata does not read, left alone.
    pub ignored: Vec<String>,
}

/// What anonymising an import needs: the decrypted key, a way to save it (called once,
/// before the database commits, so a crash never leaves pseudonyms without their key), and
/// who acts.
pub struct Privacy<'a> {
    pub key: &'a mut crate::keyfile::Key,
    pub save: &'a mut dyn FnMut(&crate::keyfile::Key) -> Result<()>,
}

/// Import settings.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub flags: Flags,
    pub anonymise: Anonymise,
    /// Bytes of transcripts per batch; `None` for [`BATCH_BYTES`]. Tests import in small
    /// batches to see every batch boundary.
    pub batch_bytes: Option<u64>,
}

/// Why a bare `.qde` is not imported.
pub const QDE_ALONE: &str = "a .qde is the project file inside a REFI-QDA archive; narrata reads the whole archive: export a .qdpx from the other tool (or zip the .qde together with its sources/ folder into a .qdpx) and import that";

/// Imports `sources` as [`import`] does, with the project's key when the options anonymise:
/// the key is opened first (or made, the passphrase asked through `keyfile::open_or_new`) and
/// saved before each commit. `committed` is called after each batch commits (the search index
/// may follow the batch then), with the number of batches still to come. Every front-end
/// imports transcripts through this.
pub fn import_with_key(
    store: &mut Store,
    coder: &str,
    sources: &dyn Sources,
    options: &Options,
    progress: &mut dyn FnMut(usize, usize),
    committed: &mut dyn FnMut(&mut Store, usize),
) -> Result<ImportReport> {
    if options.anonymise == Anonymise::Off {
        return import_then(store, coder, sources, options, None, progress, committed);
    }
    let (mut key, pass) = crate::keyfile::open_or_new(store.root(), &store.project()?.guid)?;
    let root = store.root().to_path_buf();
    let mut save = |k: &crate::keyfile::Key| crate::keyfile::save(&root, k, &pass);
    let privacy = Privacy {
        key: &mut key,
        save: &mut save,
    };
    import_then(
        store,
        coder,
        sources,
        options,
        Some(privacy),
        progress,
        committed,
    )
}

/// Imports sources, a batch at a time ([`BATCH_BYTES`]), each batch one user action, committed
/// after the key is saved with the batch's pseudonyms. Each file is all or nothing: a file
/// that cannot be read or tied to participants and waves is reported `refused` with its
/// reason and the others are imported. `progress(done, total)` counts two steps a file: read
/// and searched, then stored.
pub fn import(
    store: &mut Store,
    coder: &str,
    sources: &dyn Sources,
    options: &Options,
    privacy: Option<Privacy<'_>>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport> {
    import_then(
        store,
        coder,
        sources,
        options,
        privacy,
        progress,
        &mut |_, _| {},
    )
}

/// [`import`], calling `committed` after each batch commits.
fn import_then(
    store: &mut Store,
    coder: &str,
    sources: &dyn Sources,
    options: &Options,
    mut privacy: Option<Privacy<'_>>,
    progress: &mut dyn FnMut(usize, usize),
    committed: &mut dyn FnMut(&mut Store, usize),
) -> Result<ImportReport> {
    let started = Instant::now();
    remove_old_spools(store.root());
    if options.anonymise != Anonymise::Off && privacy.is_none() {
        return Err(Error::Invalid(
            "anonymising an import needs the pseudonym key".into(),
        ));
    }
    let language = store.project()?.language;
    let count = sources.count();
    let total = 2 * count;
    let batches = batch::cut(sources, options.batch_bytes.unwrap_or(BATCH_BYTES));
    let survey = batch::survey(
        store,
        sources,
        &batches,
        options,
        &language,
        privacy.as_ref().map(|p| &*p.key),
        &mut |done| progress(done, total),
    )?;
    let mut files: Vec<FileReport> = Vec::with_capacity(count);
    let mut pending: Vec<(usize, NewDocument)> = Vec::new();
    let batch::Survey {
        mut looks,
        names,
        bytes,
    } = survey;
    // The detector's patterns are done with until storing passes attribute values through
    // them again: the search caches every survey thread grew go now, not after the import.
    crate::anonymise::patterns::release();
    // Each batch is read again and searched for the import's names on a worker thread while
    // the batch before it has its identifiers replaced (pseudonyms are given in order) and is
    // stored here.
    std::thread::scope(|scope| -> Result<()> {
        let names = &names;
        let language = &language;
        // One worker for every batch: the memory a thread allocated stays with the allocator's
        // pages of that thread, and a thread per batch left each batch's pages behind.
        let (jobs, for_worker) = std::sync::mpsc::sync_channel::<(Range<usize>, _)>(1);
        let (from_worker, results) = std::sync::mpsc::sync_channel(1);
        let worker = scope.spawn(move || {
            for (range, taken) in for_worker {
                let range: Range<usize> = range;
                let done = batch::complete(sources, range.start, taken, names, options, language);
                if from_worker.send((range, done)).is_err() {
                    break;
                }
            }
        });
        let batch_count = batches.len();
        let mut stored = 0;
        let mut queue = batches.into_iter();
        // Hands the worker the next batch; false when there is none, or when the worker has
        // ended (then only by a panic, which the `recv` below reports).
        let mut give = |looks: &mut Vec<Option<batch::Look>>| {
            queue.next().is_some_and(|range| {
                let taken = batch::take(looks, range.clone());
                jobs.send((range, taken)).is_ok()
            })
        };
        let mut ahead = give(&mut looks);
        while ahead {
            let Ok((range, done)) = results.recv() else {
                // The worker panicked: its panic is this thread's.
                return match worker.join() {
                    Err(panic) => std::panic::resume_unwind(panic),
                    Ok(()) => Err(Error::Internal("the import's worker ended early".into())),
                };
            };
            ahead = give(&mut looks);
            progress(count + range.start, total);
            let mut staged = false;
            for (j, look) in done.into_iter().enumerate() {
                let name = sources.name(range.start + j);
                // A copy of a file that was refused is not "imported once": it is refused too.
                if let batch::Look::Repeat(first) = &look
                    && let Some(refused) = files
                        .iter()
                        .find(|f| f.file == *first && f.status == "refused")
                {
                    let why = refused.reason.clone().unwrap_or_default();
                    files.push(FileReport::refused(
                        &name,
                        format!("the same bytes as {first}, which was not imported: {why}"),
                    ));
                    continue;
                }
                let report = take_file(
                    &name,
                    look,
                    coder,
                    options,
                    privacy.as_mut(),
                    files.len(),
                    &mut pending,
                );
                staged |= report.status == "staged";
                files.push(report);
            }
            // The key holds every pseudonym of the batch before its documents are committed.
            if let Some(p) = privacy.as_mut()
                && (!pending.is_empty() || staged)
            {
                (p.save)(p.key)?;
            }
            store_batch(
                store,
                coder,
                std::mem::take(&mut pending),
                &mut files,
                privacy.as_mut(),
                options,
                language,
            )?;
            stored += 1;
            committed(store, batch_count - stored);
        }
        Ok(())
    })?;
    // The import's names and their matchers are done with, and so are the patterns' search
    // caches (storing passes attribute values through the detector again).
    drop(names);
    crate::anonymise::patterns::release();
    progress(total, total);
    Ok(ImportReport {
        imported: files.iter().filter(|f| f.status == "imported").count(),
        staged: files.iter().filter(|f| f.status == "staged").count(),
        skipped: files.iter().filter(|f| f.status == "skipped").count(),
        refused: files.iter().filter(|f| f.status == "refused").count(),
        words: files.iter().map(|f| f.words).sum(),
        bytes,
        took_ms: started.elapsed().as_millis(),
        files,
        ignored: Vec::new(),
    })
}

/// Removes the spool files that imports of earlier versions, killed more than a day ago, left
/// in the project folder (`.import-*.spool`: documents encrypted to a key that was only ever in
/// the killed import's memory, so no one can read them).
fn remove_old_spools(project: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(project) else {
        return;
    };
    let day = std::time::Duration::from_secs(24 * 3600);
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > day);
        if name.starts_with(".import-") && name.ends_with(".spool") && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// One file of a batch: reported as skipped or refused, held for review, or anonymised and
/// added to `pending` (with the index its report will have) for the batch's action.
fn take_file(
    name: &str,
    look: batch::Look,
    coder: &str,
    options: &Options,
    privacy: Option<&mut Privacy<'_>>,
    index: usize,
    pending: &mut Vec<(usize, NewDocument)>,
) -> FileReport {
    let mut report = FileReport::new(name);
    let n = match look {
        batch::Look::Unreadable(reason) => return FileReport::refused(name, reason),
        batch::Look::Known(id, title) => {
            report.document = Some(id);
            report
                .notes
                .push(format!("already in the project as document {id} ({title})"));
            report.title = Some(title);
            return report;
        }
        batch::Look::Repeat(first) => {
            report
                .notes
                .push(format!("the same bytes as {first}, imported once"));
            return report;
        }
        batch::Look::Staged => {
            report.notes.push("already staged for review".into());
            return report;
        }
        batch::Look::New(n) => n,
    };
    let batch::New { sha, parsed, found } = *n;
    let (mut t, mut meta) = match parsed {
        Ok(Some(x)) => x,
        Ok(None) => return FileReport::refused(name, "it could not be read again"),
        Err(reason) => return FileReport::refused(name, reason),
    };
    let source = Source {
        name: name.to_owned(),
        bytes: Vec::new(),
    };
    let found = found.unwrap_or_default();
    let mut replaced = 0;
    let mut log = Vec::new();
    let guid = crate::store::new_guid();
    if let Some(p) = privacy {
        match options.anonymise {
            Anonymise::Review => {
                let mut next = p
                    .key
                    .staged
                    .iter()
                    .flat_map(|s| s.suggestions.iter().map(|g| g.id))
                    .max()
                    .unwrap_or(0);
                let suggestions = found
                    .iter()
                    .map(|d| {
                        next += 1;
                        crate::keyfile::Suggestion {
                            id: next,
                            start: d.start,
                            end: d.end,
                            category: d.category.to_owned(),
                            confidence: d.confidence,
                            decision: "pending".into(),
                            rule: d.rule.to_owned(),
                        }
                    })
                    .collect::<Vec<_>>();
                report.status = "staged";
                report.title = Some(format!(
                    "staged for review with {} suggestion(s)",
                    suggestions.len()
                ));
                report.turns = t.turns.len();
                let id = p.key.staged.iter().map(|s| s.id).max().unwrap_or(0) + 1;
                p.key.staged.push(crate::keyfile::Staged {
                    id,
                    file: name.to_owned(),
                    sha256: sha,
                    format: format_name(&source.extension()).to_owned(),
                    flags: options.flags.clone(),
                    transcript: t,
                    suggestions,
                    staged: crate::store::now(),
                    coder: coder.to_owned(),
                });
                return report;
            }
            Anonymise::Auto => {
                let at = crate::store::now();
                let scope = batch::participant(&meta);
                let replacements = crate::anonymise::apply_detections(
                    &mut t,
                    p.key,
                    &meta.language,
                    found,
                    scope.as_deref(),
                    &at,
                );
                replaced = replacements.len();
                log = crate::anonymise::log_entries(&replacements, &guid, coder, &at, "auto");
                anonymise_metadata(&mut meta, &t, p.key, &at);
            }
            Anonymise::Off => {}
        }
    }
    let turns: Vec<NewTurn> = turn_words(&t);
    report.status = "imported";
    report.title = Some(meta.title.clone());
    report.words = turns.iter().map(|x| x.words).sum();
    report.turns = turns.len();
    report.controls_replaced = t.controls_replaced;
    if t.controls_replaced > 0 {
        report.notes.push(format!(
            "{} control character(s) were replaced by visible stand-ins",
            t.controls_replaced
        ));
    }
    if replaced > 0 {
        report
            .notes
            .push(format!("{replaced} identifier(s) replaced by pseudonyms"));
    }
    // The notes are the report's; the labels no turn carries (replaced in the text) are no
    // one's business once the turns are mapped: neither is stored.
    report.notes.append(&mut meta.notes);
    meta.speakers
        .retain(|label, _| t.turns.iter().any(|x| &x.speaker == label));
    let file_name = Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A file name may itself name someone: anonymised imports keep it only when it is
    // nothing but codes (P03_T2.txt).
    let source_name = if options.anonymise == Anonymise::Off || only_codes(&source.stem()) {
        file_name
    } else {
        format!("(name withheld).{}", source.extension())
    };
    pending.push((
        index,
        NewDocument {
            guid,
            meta,
            text: t.text,
            turns,
            source_format: format_name(&source.extension()).to_owned(),
            source_name,
            source_sha256: sha,
            log,
        },
    ));
    report
}

/// Stores one batch's documents in one action (the key already saved), and passes every stored
/// attribute value through the anonymiser, saving the key again before the commit if that gave
/// a name its pseudonym.
fn store_batch(
    store: &mut Store,
    coder: &str,
    pending: Vec<(usize, NewDocument)>,
    files: &mut [FileReport],
    mut privacy: Option<&mut Privacy<'_>>,
    options: &Options,
    language: &str,
) -> Result<()> {
    if pending.is_empty() {
        return Ok(()); // nothing new: no action, nothing recorded
    }
    // Every batch: a value stored before the key knew its name (from a later file) gets its
    // pseudonym before the batch commits.
    let attributes = options.anonymise == Anonymise::Auto;
    let ids = store.action(coder, |a| {
        let ids = pending
            .iter()
            .map(|(_, doc)| corpus::insert_document(a, doc))
            .collect::<Result<Vec<_>>>()?;
        if let Some(p) = privacy.as_mut().filter(|_| attributes) {
            let known = (p.key.entries.len(), p.key.names.len());
            anonymise_stored_attributes(a, p.key, language)?;
            // A value may have given a new name its pseudonym: the key is saved with it
            // before the action commits.
            if known != (p.key.entries.len(), p.key.names.len()) {
                (p.save)(p.key)?;
            }
        }
        Ok(ids)
    })?;
    for ((index, _), id) in pending.iter().zip(ids) {
        files[*index].document = Some(id);
    }
    Ok(())
}

/// Turns with their word counts, slicing the text once.
pub(crate) fn turn_words(t: &Transcript) -> Vec<NewTurn> {
    let mut bounds: Vec<usize> = t.turns.iter().flat_map(|x| [x.start, x.end]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let bytes = crate::offsets::char_to_byte(&t.text, &bounds);
    let at = |c: usize| bytes[bounds.binary_search(&c).unwrap_or(0)];
    t.turns
        .iter()
        .map(|x| NewTurn {
            speaker: x.speaker.clone(),
            start: x.start,
            end: x.end,
            line: x.line,
            words: words::count(&t.text[at(x.start)..at(x.end)]),
            time_start: x.time_start,
            time_end: x.time_end,
        })
        .collect()
}

/// Passes a document's title, interviewer and attribute values through the anonymiser, and
/// maps speaker labels that were replaced in the text to the same people.
pub(crate) fn anonymise_metadata(
    meta: &mut resolve::Resolved,
    t: &Transcript,
    key: &mut crate::keyfile::Key,
    at: &str,
) {
    meta.title = crate::anonymise::apply_str(&meta.title, key, &meta.language, at);
    if let Some(i) = &meta.interviewer {
        meta.interviewer = Some(crate::anonymise::apply_str(i, key, &meta.language, at));
    }
    for v in meta
        .attributes
        .values_mut()
        .chain(meta.participant_attributes.values_mut())
    {
        if let serde_json::Value::String(s) = v {
            *s = crate::anonymise::apply_str(s, key, &meta.language, at);
        }
    }
    let old = std::mem::take(&mut meta.speakers);
    for turn in &t.turns {
        if let Some(who) = old.get(&turn.speaker).or_else(|| {
            old.iter()
                .find(|(label, _)| {
                    crate::keyfile::normalise(label) == crate::keyfile::normalise(&turn.speaker)
                })
                .map(|(_, w)| w)
        }) {
            meta.speakers.insert(turn.speaker.clone(), who.clone());
        }
    }
    for (label, who) in old {
        meta.speakers.entry(label).or_insert(who);
    }
}

/// Passes every stored attribute value of participants and documents through the anonymiser
/// again, inside the import's action: a value stored before the key knew it as a name (the
/// study site of the first file imported, before a later transcript named the town) gets the
/// pseudonym the texts use, so that attributes never reveal what a pseudonym stands for and
/// one site is one value however the files were ordered.
fn anonymise_stored_attributes(
    a: &crate::store::Action<'_>,
    key: &mut crate::keyfile::Key,
    language: &str,
) -> Result<()> {
    let at = a.at();
    for table in ["participants", "documents"] {
        let rows: Vec<(i64, String)> = a
            .conn()
            .prepare(&format!(
                "SELECT id, attributes FROM {table} WHERE attributes <> '{{}}'"
            ))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, json) in rows {
            let mut map: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&json).unwrap_or_default();
            let mut changed = false;
            for v in map.values_mut() {
                if let serde_json::Value::String(s) = v {
                    let replaced = crate::anonymise::apply_str(s, key, language, at);
                    if replaced != *s {
                        *s = replaced;
                        changed = true;
                    }
                }
            }
            if changed {
                a.irreversible().execute(
                    &format!("UPDATE {table} SET attributes = ?1 WHERE id = ?2"),
                    rusqlite::params![serde_json::Value::Object(map).to_string(), id],
                )?;
            }
        }
    }
    Ok(())
}

/// A file stem made only of participant and wave codes and digits (`P03_T2`, `G01-w1`).
/// Whether a name is nothing but codes (`P03_T2`, `R1`): no one is named by it.
pub(crate) fn only_codes(stem: &str) -> bool {
    stem.split(['_', '-', ' ', '.'])
        .filter(|t| !t.is_empty())
        .all(|t| {
            let letters = t.chars().take_while(|c| c.is_ascii_alphabetic()).count();
            letters <= 3 && t[letters..].chars().all(|c| c.is_ascii_digit())
        })
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
