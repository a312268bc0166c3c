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

/// What the import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub origin: String,
    pub documents_added: usize,
    /// Sources already in the project (same GUID or same text).
    pub documents_known: usize,
    pub codes_added: usize,
    pub codes_updated: usize,
    pub codings_added: usize,
    pub codings_known: usize,
    pub memos_added: usize,
    pub identifiers_replaced: usize,
    /// Ids of the documents added.
    pub documents: Vec<i64>,
}

/// A source made ready: its document (new or known) and where its selections now lie.
struct Prepared {
    existing: Option<i64>,
    doc: Option<NewDocument>,
    /// Position in the source's text → position in the stored text.
    moves: Vec<(usize, usize, usize)>,
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

/// Imports a read project; `privacy` is needed when `anonymise` is not off.
pub fn import(
    store: &mut Store,
    coder: &str,
    file_name: &str,
    project: &Project,
    anonymise: Anonymise,
    default_wave: Option<&str>,
    mut privacy: Option<Privacy<'_>>,
) -> Result<Report> {
    if anonymise == Anonymise::Review {
        return Err(Error::Invalid(
            "a REFI-QDA project cannot be held for review (its codings would have nothing to hold on to); import it with --anonymise auto (the default) or off".into(),
        ));
    }
    if anonymise == Anonymise::Auto && privacy.is_none() {
        return Err(Error::Invalid(
            "anonymising an import needs the pseudonym key".into(),
        ));
    }
    let language = store.project()?.language;
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
    for source in &project.sources {
        let sha = import::hex(&Sha256::digest(source.text.as_bytes()));
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
                doc: None,
                moves: Vec::new(),
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
        let wave = value_of(&source.values, wave_var.as_ref())
            .or(default_wave)
            .map(resolve::normalise_wave);
        let kind = value_of(&source.values, kind_var.as_ref())
            .filter(|k| matches!(*k, "individual" | "group" | "fieldnote"))
            .map(str::to_owned);
        let flags = resolve::Flags {
            participants: participants.clone(),
            wave: wave.clone(),
            kind,
            language: value_of(&source.values, language_var.as_ref()).and_then(language_code),
            speakers: Default::default(),
        };
        let file = Source {
            name: format!("{}.txt", source.guid),
            bytes: source.text.as_bytes().to_vec(),
        };
        let mut t = import::read(&file).map_err(|e| Error::input(&source.name, e))?;
        if t.text != source.text {
            return Err(Error::input(
                &source.name,
                "its text changed when it was read as a transcript (front matter?), so its codings cannot be placed; nothing was imported".to_owned(),
            ));
        }
        // A source named by codes alone (P03_T2) says who and when, as a file name would.
        let stem = if import::only_codes(source.name.trim()) {
            source.name.trim()
        } else {
            ""
        };
        let mut meta = resolve::resolve(&t, &flags, stem, &language).map_err(|e| {
            Error::input(
                &source.name,
                if e.contains("no wave") {
                    "no wave is given: a source's wave comes from a variable named wave (or golf, ronde, round), from a name like P03_T2, else from --wave for the whole import".to_owned()
                } else if e.contains("no participant") {
                    "no participant is given: a source's participants are the cases that refer to it, or its name like P03_T2".to_owned()
                } else {
                    e
                },
            )
        })?;
        meta.title = if source.name.trim().is_empty() {
            "(untitled source)".into()
        } else {
            source.name.trim().to_owned()
        };
        let mut moves = Vec::new();
        if let Some(p) = privacy.as_mut()
            && anonymise == Anonymise::Auto
        {
            let participant = (meta.participants.len() == 1).then(|| meta.participants[0].clone());
            let found =
                crate::anonymise::detect_in(&t, p.key, participant.as_deref(), &meta.language);
            let guid = new_guid();
            let replacements =
                crate::anonymise::apply_detections(&mut t, p.key, &meta.language, found, &at);
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
            existing: None,
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
        for (source, prep) in project.sources.iter().zip(&prepared) {
            let doc_id = match (&prep.existing, &prep.doc) {
                (Some(id), _) => *id,
                (None, Some(doc)) => {
                    let id = corpus::insert_document(a, doc)?;
                    added_docs.push(id);
                    id
                }
                (None, None) => continue,
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
                if let Some(d) = &sel.description {
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
            if let Some(d) = &source.description {
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
        if !added_docs.is_empty() || codings_added > 0 || memos_added > 0 {
            a.audit(
                "import qdpx",
                &format!("file:{file_name}"),
                serde_json::json!({"origin": project.origin, "documents": added_docs.len(), "codings": codings_added, "memos": memos_added}),
            )?;
        }
        Ok((book_summary, added_docs, codings_added, codings_known, memos_added))
    })?;
    let (book_summary, docs, added, known, memos) = summary;
    report.codes_added = book_summary.added;
    report.codes_updated = book_summary.updated;
    report.documents_added = docs.len();
    report.documents = docs;
    report.codings_added = added;
    report.codings_known = known;
    report.memos_added = memos;
    Ok(report)
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
