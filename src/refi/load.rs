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

use super::read::{self, Project};
use super::sources::{self};
use crate::codebook::file::{self as codebook_file, CodeEntry, CodebookFile};
use crate::codebook::{self, check_color, qdc};
use crate::corpus::{self};
use crate::error::{Error, Result};
use crate::import::{Anonymise, Privacy, resolve};
use crate::store::Store;

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
    let at = crate::store::now();
    let mut report = Report {
        origin: project.origin.clone(),
        ..Default::default()
    };
    let (prepared, case_names) = sources::prepare(
        store,
        &sources::Incoming {
            coder,
            file_name,
            project,
            options,
            at: &at,
        },
        &mut privacy,
        &mut report,
    )?;

    // The codebook as a file; codes are found again by GUID, else by path.
    let book = CodebookFile {
        name: Some(project.name.clone()).filter(|n| !n.is_empty()),
        source: Some(format!("{file_name} ({})", project.origin)),
        codes: project.codes.iter().map(code_entry).collect(),
        ..Default::default()
    };
    let mut paths = HashMap::new();
    code_paths(&project.codes, "", &mut paths);

    // The key is saved before the database commits, so no pseudonym is ever without it (also
    // one that only a title or an attribute value was given).
    if let Some(p) = privacy.as_mut()
        && anonymise == Anonymise::Auto
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
