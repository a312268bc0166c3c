//! Bringing a read `.qdpx` into a project, as one action: the codebook merged (by path, the
//! file's GUIDs kept where free), every text source a document (its turns found as in any text
//! import; participants from the cases that refer to it; wave and kind from variables of those
//! names, else `--wave`), every coding on its words with its coder, every memo on what it is about. With
//! anonymisation on, identifiers in the texts, titles and case names are replaced by
//! pseudonyms before anything is stored, and each coding moves with its words. Importing the
//! same file again adds nothing: documents are recognised by GUID or content, codings and memos
//! by GUID.

use std::collections::HashMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::read::{self, Project};
use crate::codebook::file::{self as codebook_file, CodeEntry, CodebookFile};
use crate::codebook::{self, check_color, qdc};
use crate::corpus::{self, NewDocument};
use crate::error::{Error, Result};
use crate::import::{self, Anonymise, Privacy, Source, resolve};
use crate::store::{Store, new_guid};

/// How to import: anonymisation, and what the command line says for sources that do not say
/// it themselves (participants, wave, kind, language, speaker mappings).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub anonymise: Anonymise,
    pub flags: resolve::Flags,
}

/// A source that was not imported as a document of its own, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Skipped {
    pub source: String,
    pub reason: String,
}

/// Something of the file that has no place in narrata, and how much of it there was.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NotBrought {
    pub what: String,
    pub count: usize,
}

/// What the import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub origin: String,
    pub documents_added: usize,
    /// Of those, documents without a participant or wave yet (`docs set` assigns them).
    pub documents_unassigned: usize,
    /// Sources already in the project (same GUID or same text).
    pub documents_known: usize,
    /// Sources not imported as documents of their own (empty, the same text as another, no
    /// readable text, a language narrata cannot anonymise), with the reason.
    pub skipped: Vec<Skipped>,
    /// Document groups made from the file's sets of sources.
    pub groups_added: usize,
    /// What had no place: other kinds of sources and their codings, sets of codes, links,
    /// graphs, note titles, selections outside their text.
    pub not_brought: Vec<NotBrought>,
    pub codes_added: usize,
    pub codes_updated: usize,
    pub codings_added: usize,
    pub codings_known: usize,
    pub memos_added: usize,
    pub identifiers_replaced: usize,
    /// Ids of the documents added.
    pub documents: Vec<i64>,
}

/// A source made ready: its document (new, known, or that of an earlier source with the same
/// text) and where its selections now lie; all empty for a source that is skipped.
#[derive(Default)]
struct Prepared {
    existing: Option<i64>,
    doc: Option<NewDocument>,
    /// The index of the earlier source with the same text, whose document this one shares.
    same_as: Option<usize>,
    /// Position in the source's text → position in the stored text.
    moves: Vec<(usize, usize, usize)>,
}

/// How a source is named in messages: its name, else its place and GUID.
fn shown_name(source: &read::Source, index: usize) -> String {
    let name = source.name.trim();
    if name.is_empty() {
        format!("(untitled source {}, {})", index + 1, source.guid)
    } else {
        name.to_owned()
    }
}

/// The language of a text as far as narrata is concerned.
#[derive(Debug, Clone, PartialEq)]
enum Detected {
    /// `nl` or `en`.
    Known(String),
    /// Reliably another language (its English name).
    Unsupported(String),
    /// Too short or too mixed to tell.
    Unsure,
}

/// Detects the language of a text from another tool (whatlang's trigram models, on the first
/// 20,000 characters). Only a reliable answer counts.
fn detect_language(text: &str) -> Detected {
    let sample: String = text.chars().take(20_000).collect();
    match whatlang::detect(&sample) {
        Some(info) if info.is_reliable() => match info.lang() {
            whatlang::Lang::Nld => Detected::Known("nl".into()),
            whatlang::Lang::Eng => Detected::Known("en".into()),
            other => Detected::Unsupported(other.eng_name().to_owned()),
        },
        _ => Detected::Unsure,
    }
}

/// Whether importing `project` would store any text (and so, with anonymisation on, needs the
/// key): an archive with no text asks for no passphrase.
pub fn has_text(project: &Project) -> bool {
    project
        .sources
        .iter()
        .any(|s| s.problem.is_none() && !s.text.trim().is_empty())
}

/// A code's name as narrata stores it: no slash (it separates a path), never empty.
fn code_name(c: &read::Code) -> String {
    let name = c.name.trim().replace('/', "∕");
    if name.is_empty() {
        "(unnamed code)".into()
    } else {
        name
    }
}

fn code_entry(c: &read::Code) -> CodeEntry {
    let mut e = CodeEntry {
        name: code_name(c),
        guid: Some(c.guid.clone()),
        color: c.color.as_deref().and_then(|c| check_color(c).ok()),
        children: c.children.iter().map(code_entry).collect(),
        ..Default::default()
    };
    if let Some(d) = &c.description {
        qdc::split_description(d, &mut e);
    }
    e
}

/// GUID → path of every code in the file's tree.
fn code_paths(codes: &[read::Code], prefix: &str, out: &mut HashMap<String, String>) {
    for c in codes {
        let name = code_name(c);
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        out.insert(c.guid.clone(), path.clone());
        code_paths(&c.children, &path, out);
    }
}

/// Where a position of the source text lies in the stored text after the replacements
/// (`(old start, old end, new length)`, in order). A position inside a replaced identifier
/// snaps to the pseudonym's start, or end for `end`.
fn moved(pos: usize, moves: &[(usize, usize, usize)], end: bool) -> usize {
    let mut shift: i64 = 0;
    for &(s, e, n) in moves {
        if pos >= e {
            shift += n as i64 - (e - s) as i64;
        } else if pos > s {
            // Inside an identifier: to the pseudonym's edge.
            let base = (s as i64 + shift) as usize;
            return if end { base + n } else { base };
        } else {
            break;
        }
    }
    (pos as i64 + shift).max(0) as usize
}

/// A language as other tools write it (`nl`, `nl-NL`, `Dutch`, `Nederlands`, `en_GB`,
/// `English`) as narrata's code; `None` for one narrata does not support.
fn language_code(value: &str) -> Option<String> {
    let v = value.trim().to_lowercase();
    let head = v.split(['-', '_']).next().unwrap_or("");
    match head {
        "nl" | "nld" | "dut" | "dutch" | "nederlands" => Some("nl".into()),
        "en" | "eng" | "english" | "engels" => Some("en".into()),
        _ => None,
    }
}

fn value_of<'a>(values: &'a [(String, String)], variable: Option<&String>) -> Option<&'a str> {
    let v = variable?;
    values
        .iter()
        .find(|(g, _)| g == v)
        .map(|(_, x)| x.trim())
        .filter(|x| !x.is_empty())
}

/// Imports REFI-QDA projects one after another, each as one action, with the project's key
/// (opened, and the passphrase asked through `keyfile::open_or_new`, only when an archive has
/// text to anonymise). `on_report` hears of each archive as it is done. The command line and
/// any other front-end call this; the search index follows through `search::follow`.
pub fn import_archives(
    store: &mut Store,
    coder: &str,
    paths: &[std::path::PathBuf],
    options: &Options,
    on_report: &mut dyn FnMut(&std::path::Path, &Report) -> Result<()>,
) -> Result<Vec<Report>> {
    let mut reports = Vec::new();
    let mut key = None;
    let (root, guid) = (store.root().to_path_buf(), store.project()?.guid);
    let mut open_key = || crate::keyfile::open_or_new(&root, &guid);
    for path in paths {
        let report = import_archive(store, coder, path, options, &mut key, &mut open_key)?;
        on_report(path, &report)?;
        reports.push(report);
    }
    Ok(reports)
}

/// Reads the archive at `path` and imports it as one action. The pseudonym key is opened
/// (`open_key`, which may ask for the passphrase) only when the archive has text to anonymise,
/// and kept in `key` for the next archive; it is saved before the database commits.
pub fn import_archive(
    store: &mut Store,
    coder: &str,
    path: &std::path::Path,
    options: &Options,
    key: &mut Option<(crate::keyfile::Key, age::secrecy::SecretString)>,
    open_key: &mut dyn FnMut() -> Result<(crate::keyfile::Key, age::secrecy::SecretString)>,
) -> Result<Report> {
    let shown = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if size > read::MAX_TOTAL {
        return Err(Error::input(
            &shown,
            "the file is larger than narrata reads (1 GB); nothing was imported",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let project = read::read(&bytes).map_err(|e| Error::input(&shown, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if options.anonymise == Anonymise::Off || !has_text(&project) {
        return import(store, coder, &name, &project, options, None);
    }
    if key.is_none() {
        *key = Some(open_key()?);
    }
    let (k, pass) = key.as_mut().expect("opened above");
    let root = store.root().to_path_buf();
    let pass = pass.clone();
    let mut save = |k: &crate::keyfile::Key| crate::keyfile::save(&root, k, &pass);
    let privacy = Privacy {
        key: k,
        save: &mut save,
    };
    import(store, coder, &name, &project, options, Some(privacy))
}

/// Imports a read project; `privacy` is needed when anonymisation is on and the project has
/// text ([`has_text`]).
pub fn import(
    store: &mut Store,
    coder: &str,
    file_name: &str,
    project: &Project,
    options: &Options,
    mut privacy: Option<Privacy<'_>>,
) -> Result<Report> {
    let anonymise = options.anonymise;
    if anonymise == Anonymise::Review {
        return Err(Error::Invalid(
            "a REFI-QDA project cannot be held for review (its codings would have nothing to hold on to); import it with --anonymise auto (the default) or off".into(),
        ));
    }
    if anonymise == Anonymise::Auto && privacy.is_none() && has_text(project) {
        return Err(Error::Invalid(
            "anonymising an import needs the pseudonym key".into(),
        ));
    }
    let project_language = store.project()?.language;
    let language = project_language.clone();
    let at = crate::store::now();
    let mut report = Report {
        origin: project.origin.clone(),
        ..Default::default()
    };
    let variable = |names: &[&str]| {
        project
            .variables
            .iter()
            .find(|(_, n)| names.iter().any(|w| n.trim().eq_ignore_ascii_case(w)))
            .map(|(g, _)| g.clone())
    };
    let wave_var = variable(&["wave", "golf", "ronde", "round"]);
    let kind_var = variable(&["kind"]);
    let language_var = variable(&["language", "taal", "lang"]);

    // Participants: the cases that refer to a source, named by a pseudonym when the case name
    // is not a code and anonymisation is on.
    let mut case_names: HashMap<String, String> = HashMap::new();
    for case in &project.cases {
        let mut name = case.name.trim().to_owned();
        if name.is_empty() {
            continue;
        }
        if let Some(p) = privacy.as_mut()
            && anonymise == Anonymise::Auto
            && !import::only_codes(&name)
        {
            let (category, number) = p.key.pseudonym(&name, "PERSON", &at);
            name = crate::keyfile::label(&category, number, &language);
            report.identifiers_replaced += 1;
        }
        case_names.insert(case.guid.clone(), resolve::normalise_participant(&name));
    }

    let mut prepared: Vec<Prepared> = Vec::new();
    // First source with each text: a later source with the same text is stored once.
    let mut first_with: HashMap<String, (usize, String)> = HashMap::new();
    let narratas_own = project.origin.to_lowercase().starts_with("narrata");
    for (index, source) in project.sources.iter().enumerate() {
        let shown = shown_name(source, index);
        let mut skip = |report: &mut Report, reason: String| {
            report.skipped.push(Skipped {
                source: shown.clone(),
                reason,
            });
            prepared.push(Prepared::default());
        };
        if let Some(problem) = &source.problem {
            skip(&mut report, format!("not imported: {problem}"));
            continue;
        }
        if source.text.trim().is_empty() {
            skip(&mut report, "empty: nothing to import".into());
            continue;
        }
        let sha = import::hex(&Sha256::digest(source.text.as_bytes()));
        if let Some((first, name)) = first_with.get(&sha) {
            let reason =
                format!("the same text as `{name}`: stored once; its codings are on that document");
            report.skipped.push(Skipped {
                source: shown.clone(),
                reason,
            });
            prepared.push(Prepared {
                same_as: Some(*first),
                ..Default::default()
            });
            continue;
        }
        first_with.insert(sha.clone(), (index, shown.clone()));
        let existing: Option<i64> = store
            .conn()
            .query_row(
                "SELECT id FROM documents WHERE guid = ?1 OR source_sha256 = ?2",
                rusqlite::params![source.guid, sha],
                |r| r.get(0),
            )
            .ok();
        if let Some(id) = existing {
            report.documents_known += 1;
            prepared.push(Prepared {
                existing: Some(id),
                ..Default::default()
            });
            continue;
        }
        let mut participants: Vec<String> = project
            .cases
            .iter()
            .filter(|c| c.sources.contains(&source.guid))
            .filter_map(|c| case_names.get(&c.guid).cloned())
            .collect();
        participants.sort();
        participants.dedup();
        if participants.is_empty() {
            participants = options.flags.participants.clone();
        }
        let wave = value_of(&source.values, wave_var.as_ref())
            .map(str::to_owned)
            .or_else(|| options.flags.wave.clone())
            .map(|w| resolve::normalise_wave(&w));
        // Kind: as the file or the command says; else an interview when participants and a
        // wave are known, else a text not yet assigned (`docs set` assigns it later).
        let kind = value_of(&source.values, kind_var.as_ref())
            .filter(|k| resolve::KINDS.contains(k))
            .map(str::to_owned)
            .or_else(|| options.flags.kind.clone())
            .unwrap_or_else(|| {
                match (participants.len(), wave.is_some()) {
                    (0, _) | (_, false) => "document",
                    (1, true) => "individual",
                    _ => "group",
                }
                .to_owned()
            });
        // Language: as the file says, else as detected, else as the command or project says.
        let detected = detect_language(&source.text);
        let language = value_of(&source.values, language_var.as_ref())
            .and_then(language_code)
            .or_else(|| match &detected {
                Detected::Known(l) => Some(l.clone()),
                _ => None,
            })
            .or_else(|| options.flags.language.clone());
        if let Detected::Unsupported(name) = &detected
            && anonymise == Anonymise::Auto
        {
            skip(
                &mut report,
                format!(
                    "not imported: its text is in {name}, which narrata cannot anonymise (it knows Dutch and English names and patterns), and replacing words it cannot read would shred the text; import the archive with --anonymise off if these texts need no anonymising, or anonymise them first elsewhere"
                ),
            );
            continue;
        }
        let flags = resolve::Flags {
            participants: participants.clone(),
            wave: wave.clone(),
            kind: Some(kind.clone()),
            language,
            speakers: options.flags.speakers.clone(),
        };
        // Another tool's text is not a transcript to re-parse (headings, citations and
        // comments look like speaker labels): a turn per paragraph, unless the researcher maps
        // speakers. narrata's own export is read as the transcript it was.
        let mut t = if narratas_own || !options.flags.speakers.is_empty() {
            let file = Source {
                name: format!("{}.txt", source.guid),
                bytes: source.text.as_bytes().to_vec(),
            };
            let labels: Vec<String> = options.flags.speakers.keys().cloned().collect();
            let t = import::read_with(&file, &labels).map_err(|e| Error::input(&shown, e))?;
            if t.text != source.text {
                skip(
                    &mut report,
                    "not imported: its text changed when it was read as a transcript (it starts like front matter), so its codings could not be placed".into(),
                );
                continue;
            }
            t
        } else {
            import::paragraphs(source.text.clone())
        };
        // A source named by codes alone (P03_T2) says who and when, as a file name would.
        let stem = if import::only_codes(source.name.trim()) {
            source.name.trim()
        } else {
            ""
        };
        let mut meta = match resolve::resolve(&t, &flags, stem, &project_language) {
            Ok(m) => m,
            Err(e) => {
                skip(&mut report, format!("not imported: {e}"));
                continue;
            }
        };
        if let Detected::Unsupported(name) = &detected {
            meta.notes.push(format!(
                "its text is in {name}; search stems it as {}",
                if meta.language == "en" {
                    "English"
                } else {
                    "Dutch"
                }
            ));
        }
        meta.title = if source.name.trim().is_empty() {
            shown.clone()
        } else {
            source.name.trim().to_owned()
        };
        // Variables that are not wave, kind or language are the document's attributes.
        for (variable, value) in &source.values {
            if [&wave_var, &kind_var, &language_var]
                .iter()
                .any(|v| v.as_ref() == Some(variable))
            {
                continue;
            }
            if let Some(name) = project.variables.get(variable) {
                meta.attributes
                    .insert(name.clone(), serde_json::Value::String(value.clone()));
            }
        }
        if meta.kind == "document" {
            report.documents_unassigned += 1;
        }
        let mut moves = Vec::new();
        if let Some(p) = privacy.as_mut()
            && anonymise == Anonymise::Auto
        {
            let participant = (meta.participants.len() == 1).then(|| meta.participants[0].clone());
            let found =
                crate::anonymise::detect_in(&t, p.key, participant.as_deref(), &meta.language);
            let guid = new_guid();
            let replacements = crate::anonymise::apply_detections(
                &mut t,
                p.key,
                &meta.language,
                found,
                participant.as_deref(),
                &at,
            );
            report.identifiers_replaced += replacements.len();
            moves = replacements
                .iter()
                .map(|r| (r.old_start, r.old_end, r.end - r.start))
                .collect();
            let log = crate::anonymise::log_entries(&replacements, &guid, coder, &at, "auto");
            p.key.log.extend(log);
            import::anonymise_metadata(&mut meta, &t, p.key, &at);
        }
        let turns = import::turn_words(&t);
        prepared.push(Prepared {
            doc: Some(NewDocument {
                guid: source.guid.clone(),
                meta,
                text: t.text,
                turns,
                source_format: "qdpx".into(),
                source_name: if anonymise == Anonymise::Off {
                    file_name.to_owned()
                } else {
                    "(name withheld).qdpx".into()
                },
                source_sha256: sha,
            }),
            moves,
            ..Default::default()
        });
    }

    // The codebook as a file; codes are found again by GUID, else by path.
    let book = CodebookFile {
        name: Some(project.name.clone()).filter(|n| !n.is_empty()),
        source: Some(format!("{file_name} ({})", project.origin)),
        codes: project.codes.iter().map(code_entry).collect(),
        ..Default::default()
    };
    let mut paths = HashMap::new();
    code_paths(&project.codes, "", &mut paths);

    // The key is saved before the database commits, so no pseudonym is ever without it.
    if let Some(p) = privacy.as_mut()
        && anonymise == Anonymise::Auto
        && report.identifiers_replaced > 0
    {
        (p.save)(p.key)?;
    }

    let notes_by_guid: HashMap<&str, &read::Note> =
        project.notes.iter().map(|n| (n.guid.as_str(), n)).collect();
    let users = &project.users;
    let summary = store.action(coder, |a| {
        let book_summary = codebook_file::import_in(a, &book, file_name)?;
        let all_codes = codebook::codes(a.conn())?;
        let code_id = |guid: &str| -> Option<i64> {
            all_codes
                .iter()
                .find(|c| c.guid == guid)
                .or_else(|| {
                    let path = paths.get(guid)?;
                    all_codes
                        .iter()
                        .find(|c| c.path.eq_ignore_ascii_case(path))
                })
                .map(|c| c.id)
        };
        let who = |user: &Option<String>| -> Result<i64> {
            match user.as_ref().and_then(|u| users.get(u)) {
                Some(name) if !name.trim().is_empty() => a.coder_id_of(name.trim()),
                _ => Ok(a.coder_id()),
            }
        };
        let mut added_docs = Vec::new();
        let mut codings_added = 0;
        let mut codings_known = 0;
        let mut memos_added = 0;
        let mut memo = |kind: &str,
                        target: Option<i64>,
                        wave: Option<i64>,
                        text: &str,
                        user: &Option<String>,
                        created: &Option<String>,
                        guid: &str|
         -> Result<()> {
            let coder_id = who(user)?;
            if add_memo(a, guid, kind, target, wave, text, coder_id, created)? {
                memos_added += 1;
            }
            Ok(())
        };
        let mut used_notes: std::collections::HashSet<&str> = std::collections::HashSet::new();
        // Selection GUID → its first coding, for notes that point at a selection.
        let mut selection_coding: HashMap<&str, i64> = HashMap::new();
        // Each source's document, by the source's place in the file.
        let mut doc_of: Vec<Option<i64>> = Vec::with_capacity(prepared.len());
        for (source, prep) in project.sources.iter().zip(&prepared) {
            let found = match (&prep.existing, &prep.doc, prep.same_as) {
                (Some(id), _, _) => Some(*id),
                (None, Some(doc), _) => {
                    let id = corpus::insert_document(a, doc)?;
                    added_docs.push(id);
                    Some(id)
                }
                (None, None, Some(first)) => doc_of.get(first).copied().flatten(),
                (None, None, None) => None,
            };
            doc_of.push(found);
            let Some(doc_id) = found else {
                continue;
            };
            // A source sharing an earlier one's text shares its replacements too.
            let prep = match prep.same_as {
                Some(first) => &prepared[first],
                None => prep,
            };
            let chars: i64 = a.conn().query_row(
                "SELECT chars FROM documents WHERE id = ?1",
                [doc_id],
                |r| r.get(0),
            )?;
            for sel in &source.selections {
                let start = moved(sel.start, &prep.moves, false) as i64;
                let end = moved(sel.end, &prep.moves, true) as i64;
                if end <= start || end > chars {
                    continue;
                }
                let mut first_coding: Option<i64> = None;
                for c in &sel.codings {
                    let Some(code) = code_id(&c.code) else {
                        continue;
                    };
                    let coder_id = who(&c.user.clone().or_else(|| sel.user.clone()))?;
                    let existing: Option<i64> = a
                        .conn()
                        .query_row(
                            "SELECT id FROM codings WHERE guid = ?1
                             OR (doc_id = ?2 AND code_id = ?3 AND start = ?4 AND end = ?5 AND coder_id = ?6)",
                            rusqlite::params![c.guid, doc_id, code, start, end, coder_id],
                            |r| r.get(0),
                        )
                        .ok();
                    let id = match existing {
                        Some(id) => {
                            codings_known += 1;
                            id
                        }
                        None => {
                            let created = c
                                .created
                                .clone()
                                .or_else(|| sel.created.clone())
                                .unwrap_or_else(|| a.at().to_owned());
                            codings_added += 1;
                            a.insert(
                                "codings",
                                &[
                                    ("guid", &c.guid),
                                    ("doc_id", &doc_id),
                                    ("code_id", &code),
                                    ("start", &start),
                                    ("end", &end),
                                    ("coder_id", &coder_id),
                                    ("created", &created),
                                ],
                            )?
                        }
                    };
                    first_coding.get_or_insert(id);
                    selection_coding.entry(sel.guid.as_str()).or_insert(id);
                    for n in &c.notes {
                        if let Some(note) = notes_by_guid.get(n.as_str()) {
                            used_notes.insert(note.guid.as_str());
                            memo("coding", Some(id), None, &note.text, &note.user, &note.created, &note.guid)?;
                        }
                    }
                }
                // A selection's notes and description are about its coding, or, with none,
                // about the document (quoting the words).
                let quoted = |text: &str| -> String {
                    let words: String = source
                        .text
                        .chars()
                        .skip(sel.start)
                        .take(sel.end.saturating_sub(sel.start))
                        .collect();
                    format!("“{}” — {text}", words.split_whitespace().collect::<Vec<_>>().join(" "))
                };
                for n in &sel.notes {
                    if let Some(note) = notes_by_guid.get(n.as_str()) {
                        used_notes.insert(note.guid.as_str());
                        match first_coding {
                            Some(id) => memo("coding", Some(id), None, &note.text, &note.user, &note.created, &note.guid)?,
                            None => memo("document", Some(doc_id), None, &quoted(&note.text), &note.user, &note.created, &note.guid)?,
                        }
                    }
                }
                // A description that repeats a note it refers to (narrata writes both, for
                // QualCoder's sake) is not a second memo.
                if let Some(d) = &sel.description
                    && !repeats_notes(d, &sel.notes, &sel.codings, &notes_by_guid)
                {
                    let guid = super::derived_guid(&[&sel.guid, "description"]);
                    match first_coding {
                        Some(id) => memo("coding", Some(id), None, d, &sel.user, &sel.created, &guid)?,
                        None => memo("document", Some(doc_id), None, &quoted(d), &sel.user, &sel.created, &guid)?,
                    }
                }
            }
            for n in &source.notes {
                if let Some(note) = notes_by_guid.get(n.as_str()) {
                    used_notes.insert(note.guid.as_str());
                    memo("document", Some(doc_id), None, &note.text, &note.user, &note.created, &note.guid)?;
                }
            }
            if let Some(d) = &source.description
                && !repeats_notes(d, &source.notes, &[], &notes_by_guid)
            {
                let guid = super::derived_guid(&[&source.guid, "description"]);
                memo("document", Some(doc_id), None, d, &source.user, &source.created, &guid)?;
            }
        }
        // Notes on codes, the project, or (narrata's own) participants, waves and portraits;
        // QualCoder's notes with an embedded selection; anything else about the project.
        fn walk<'a>(c: &'a [read::Code], out: &mut Vec<(&'a str, &'a str)>) {
            for x in c {
                for n in &x.notes {
                    out.push((x.guid.as_str(), n.as_str()));
                }
                walk(&x.children, out);
            }
        }
        let mut on_codes = Vec::new();
        walk(&project.codes, &mut on_codes);
        for (code_guid, n) in on_codes {
            if let (Some(note), Some(id)) = (notes_by_guid.get(n), code_id(code_guid)) {
                used_notes.insert(note.guid.as_str());
                memo("code", Some(id), None, &note.text, &note.user, &note.created, &note.guid)?;
            }
        }
        for note in &project.notes {
            if used_notes.contains(note.guid.as_str()) {
                continue;
            }
            let target = note
                .description
                .as_deref()
                .and_then(|d| d.trim().strip_prefix("narrata:target="))
                .and_then(|t| crate::memo::parse_target(a.conn(), t).ok());
            let embedded = note.selections.iter().find_map(|g| {
                selection_coding.get(g.as_str()).copied().or_else(|| {
                    a.conn()
                        .query_row("SELECT id FROM codings WHERE guid = ?1", [g], |r| {
                            r.get::<_, i64>(0)
                        })
                        .ok()
                })
            });
            match (target, embedded) {
                (Some(t), _) => {
                    let (kind, id, wave) = t.parts();
                    memo(kind, id, wave, &note.text, &note.user, &note.created, &note.guid)?;
                }
                (None, Some(coding)) => memo("coding", Some(coding), None, &note.text, &note.user, &note.created, &note.guid)?,
                (None, None) => memo("project", None, None, &note.text, &note.user, &note.created, &note.guid)?,
            }
        }
        if let Some(d) = &project.description {
            let guid = super::derived_guid(&[&project.name, "project description"]);
            memo("project", None, None, d, &None, &None, &guid)?;
        }
        // A case's description is a memo on its participant, unless it repeats the notes
        // narrata writes for participants.
        for case in &project.cases {
            let (Some(d), Some(code)) = (&case.description, case_names.get(&case.guid)) else {
                continue;
            };
            let target = format!("narrata:target=participant:{code}");
            let own: Vec<String> = project
                .notes
                .iter()
                .filter(|n| n.description.as_deref().map(str::trim) == Some(target.as_str()))
                .map(|n| n.guid.clone())
                .collect();
            if repeats_notes(d, &own, &[], &notes_by_guid) {
                continue;
            }
            let pid: Option<i64> = a
                .conn()
                .query_row("SELECT id FROM participants WHERE code = ?1", [code], |r| r.get(0))
                .ok();
            if let Some(pid) = pid {
                let guid = super::derived_guid(&[&case.guid, "description"]);
                memo("participant", Some(pid), None, d, &None, &None, &guid)?;
            }
        }
        // Sets of sources become document groups (by name: a group of that name gains them).
        let doc_by_source: HashMap<&str, i64> = project
            .sources
            .iter()
            .zip(&doc_of)
            .filter_map(|(s, d)| d.map(|d| (s.guid.as_str(), d)))
            .collect();
        let mut groups_added = 0;
        for set in &project.sets {
            let members: Vec<i64> = set
                .sources
                .iter()
                .filter_map(|g| doc_by_source.get(g.as_str()).copied())
                .collect();
            if members.is_empty() {
                continue;
            }
            let (group, new) = crate::groups::ensure_in(a, set.name.trim(), &set.guid, set.description.as_deref())?;
            groups_added += usize::from(new);
            for doc in members {
                crate::groups::add_document_in(a, group, doc)?;
            }
        }
        // The cases' variables are their participants' attributes (filling gaps, never
        // overwriting one already set).
        for case in &project.cases {
            let Some(code) = case_names.get(&case.guid) else {
                continue;
            };
            let attributes: serde_json::Map<String, serde_json::Value> = case
                .values
                .iter()
                .filter_map(|(v, value)| {
                    let name = project.variables.get(v)?;
                    Some((name.clone(), serde_json::Value::String(value.clone())))
                })
                .collect();
            if !attributes.is_empty() {
                corpus::add_participant_attributes(a, code, &attributes)?;
            }
        }
        if !added_docs.is_empty() || codings_added > 0 || memos_added > 0 || groups_added > 0 {
            a.audit(
                "import qdpx",
                &format!("file:{file_name}"),
                serde_json::json!({"origin": project.origin, "documents": added_docs.len(), "codings": codings_added, "memos": memos_added, "groups": groups_added}),
            )?;
        }
        Ok((book_summary, added_docs, codings_added, codings_known, memos_added, groups_added))
    })?;
    let (book_summary, docs, added, known, memos, groups) = summary;
    report.groups_added = groups;
    report.not_brought = not_brought(project);
    report.codes_added = book_summary.added;
    report.codes_updated = book_summary.updated;
    report.documents_added = docs.len();
    report.documents = docs;
    report.codings_added = added;
    report.codings_known = known;
    report.memos_added = memos;
    Ok(report)
}

/// Whether a description only repeats, joined by blank lines, the texts of the notes it
/// stands beside (those of the element and of its codings).
fn repeats_notes(
    description: &str,
    notes: &[String],
    codings: &[read::Coding],
    by_guid: &HashMap<&str, &read::Note>,
) -> bool {
    let texts: Vec<&str> = notes
        .iter()
        .chain(codings.iter().flat_map(|c| c.notes.iter()))
        .filter_map(|g| by_guid.get(g.as_str()))
        .map(|n| n.text.trim())
        .filter(|t| !t.is_empty())
        .collect();
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    !texts.is_empty() && flat(description) == flat(&texts.join("\n\n"))
}

/// What of `project` has no place in narrata, kind by kind.
fn not_brought(project: &Project) -> Vec<NotBrought> {
    let mut out = Vec::new();
    let mut push = |what: String, count: usize| {
        if count > 0 {
            out.push(NotBrought { what, count });
        }
    };
    for kind in ["PDF", "picture", "audio", "video"] {
        let of: Vec<&read::OtherSource> = project
            .other_sources
            .iter()
            .filter(|o| o.kind == kind)
            .collect();
        push(format!("{kind} sources (narrata reads text)"), of.len());
        push(
            format!("codings of {kind} sources"),
            of.iter().map(|o| o.codings).sum(),
        );
    }
    push(
        "sets of codes (narrata has no code groups; the codes themselves are imported)".into(),
        project.sets.iter().filter(|s| !s.codes.is_empty()).count(),
    );
    push(
        "sets of notes".into(),
        project.sets.iter().filter(|s| !s.notes.is_empty()).count(),
    );
    push(
        "links between codings, notes or sources".into(),
        project.links,
    );
    push("graphs (networks, maps)".into(), project.graphs);
    if !project.origin.to_lowercase().starts_with("narrata") {
        push(
            "note titles (a memo keeps the note's text)".into(),
            project
                .notes
                .iter()
                .filter(|n| !n.name.trim().is_empty())
                .count(),
        );
    }
    push(
        "selections outside their source's text".into(),
        project.sources.iter().map(|s| s.selections_outside).sum(),
    );
    out
}

/// Adds a memo unless one with this GUID exists; returns whether it did.
#[allow(clippy::too_many_arguments)]
fn add_memo(
    a: &crate::store::Action<'_>,
    guid: &str,
    kind: &str,
    target: Option<i64>,
    wave: Option<i64>,
    text: &str,
    coder_id: i64,
    created: &Option<String>,
) -> Result<bool> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(false);
    }
    let known: bool = a.conn().query_row(
        "SELECT EXISTS(SELECT 1 FROM memos WHERE guid = ?1)",
        [guid],
        |r| r.get(0),
    )?;
    if known {
        return Ok(false);
    }
    let created = created.clone().unwrap_or_else(|| a.at().to_owned());
    a.insert(
        "memos",
        &[
            ("guid", &guid),
            ("target_kind", &kind),
            ("target_id", &target),
            ("wave_id", &wave),
            ("text", &text),
            ("coder_id", &coder_id),
            ("created", &created),
        ],
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_move_with_replacements_and_snap_inside_them() {
        // "Ik ben Marieke Jansen uit Katwijk." → "Ik ben [PERSOON-1] uit [PLAATS-1]."
        let moves = [(7, 21, 12), (26, 33, 11)];
        assert_eq!(moved(3, &moves, false), 3);
        assert_eq!(moved(7, &moves, false), 7);
        assert_eq!(moved(21, &moves, true), 19);
        assert_eq!(
            moved(10, &moves, false),
            7,
            "inside a name snaps to its start"
        );
        assert_eq!(moved(10, &moves, true), 19, "or to its end");
        assert_eq!(moved(22, &moves, false), 20);
        assert_eq!(moved(34, &moves, true), 36);
    }
}
