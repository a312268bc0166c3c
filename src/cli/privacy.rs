//! The identifier commands: `anonymise scan|list|log|redact|link|split|relabel|restore|names|
//! apply`, `privacy-check`.

use std::io::Write;

use age::secrecy::SecretString;

use super::args::{AnonymiseCommand, NamesCommand};
use super::output::{Table, json};
use super::say;
use crate::anonymise::review::{self, Which};
use crate::error::{Error, Result};
use crate::keyfile::{self, Key};
use crate::store::Store;
use crate::{anonymise, corpus};

/// Opens the project's key (creating a new one if there is none), with its passphrase.
pub fn open_key(store: &Store) -> Result<(Key, SecretString)> {
    keyfile::open_or_new(store.root(), &store.project()?.guid)
}

/// Opens an existing key; a project without one is an error.
fn existing_key(store: &Store) -> Result<(Key, SecretString)> {
    if !keyfile::path(store.root()).is_file() {
        return Err(Error::Invalid(format!(
            "{} has no pseudonym key yet ({}); it is made by the first import with --anonymise auto",
            store.root().display(),
            keyfile::KEY_FILE
        )));
    }
    open_key(store)
}

pub fn anonymise(
    cmd: AnonymiseCommand,
    store: &mut Store,
    coder: &str,
    out: &mut dyn Write,
) -> Result<i32> {
    match cmd {
        AnonymiseCommand::Scan {
            doc,
            limit,
            json: as_json,
        } => {
            #[derive(serde::Serialize)]
            struct StagedSuggestion {
                id: u32,
                file: String,
                line: usize,
                start: usize,
                end: usize,
                category: String,
                confidence: f32,
                decision: String,
                context: String,
            }
            let mut staged = Vec::new();
            let key = if keyfile::path(store.root()).is_file() {
                Some(existing_key(store)?.0)
            } else {
                None
            };
            if doc.is_none()
                && let Some(key) = &key
            {
                for i in crate::anonymise::review::items(key) {
                    staged.push(StagedSuggestion {
                        context: format!("{}⟦{}⟧{}", i.before, i.found, i.after),
                        id: i.id,
                        file: i.file,
                        line: i.line,
                        start: i.start,
                        end: i.end,
                        category: i.category,
                        confidence: i.confidence,
                        decision: i.decision,
                    });
                }
            }
            let docs = match doc {
                Some(d) => vec![corpus::find_document(store.conn(), &d)?],
                None => corpus::documents(store.conn())?
                    .iter()
                    .map(|d| d.id)
                    .collect(),
            };
            let all = anonymise::scan::suspects(store.conn(), &docs, key.as_ref())?;
            if as_json {
                json(out, &serde_json::json!({"staged": staged, "stored": all}))?;
                return Ok(0);
            }
            if !staged.is_empty() {
                let mut t = Table::new(&[
                    "id", "file", "line", "category", "conf.", "decision", "context",
                ]);
                for s in &staged {
                    t.row(vec![
                        s.id.to_string(),
                        s.file.clone(),
                        s.line.to_string(),
                        s.category.clone(),
                        format!("{:.2}", s.confidence),
                        s.decision.clone(),
                        s.context.clone(),
                    ]);
                }
                say(
                    out,
                    "staged for review (undecided suggestions are replaced on `anonymise apply`):",
                )?;
                t.print(out, "")?;
                say(out, "")?;
            }
            say(
                out,
                "may still identify someone (a second, more suspicious look; most suspicious first):",
            )?;
            let mut t = Table::new(&[
                "doc", "line", "start", "end", "category", "score", "why", "context",
            ]);
            for s in all.iter().take(limit) {
                let why = if s.documents > 1 {
                    format!("{} ({} docs)", s.reason, s.documents)
                } else {
                    s.reason.to_owned()
                };
                t.row(vec![
                    s.doc.to_string(),
                    s.line.to_string(),
                    s.start.to_string(),
                    s.end.to_string(),
                    s.category.to_owned(),
                    format!("{:.2}", s.score),
                    why,
                    s.context.clone(),
                ]);
            }
            t.print(out, "nothing suspicious found in the stored text")?;
            if all.len() > limit {
                say(
                    out,
                    &format!(
                        "… and {} less suspicious (--limit {} or --json shows them all)",
                        all.len() - limit,
                        all.len()
                    ),
                )?;
            }
            if !all.is_empty() {
                say(
                    out,
                    "redact one with `narrata anonymise redact DOC START END CATEGORY`, or every \
                     occurrence with `narrata anonymise redact --text WORDS`",
                )?;
            }
        }
        AnonymiseCommand::Redact {
            text: Some(text),
            text_category,
            text_doc,
            ..
        } => {
            let (mut key, pass) = existing_key(store)?;
            let doc = text_doc
                .map(|d| corpus::find_document(store.conn(), &d))
                .transpose()?;
            let category = text_category.unwrap_or_else(|| "PERSON".into());
            let root = store.root().to_path_buf();
            let mut save = |k: &Key| keyfile::save(&root, k, &pass);
            let o = anonymise::correct::redact_text(
                store, coder, &mut key, &mut save, &text, doc, &category,
            )?;
            correction_said(
                out,
                &o,
                &format!(
                    "redacted {} occurrence(s) in {} document(s) as {}",
                    o.replaced,
                    o.documents,
                    o.pseudonym.as_deref().unwrap_or("")
                ),
            )?;
        }
        AnonymiseCommand::Redact {
            doc: Some(doc),
            start: Some(start),
            end: Some(end),
            category: Some(category),
            ..
        } => {
            let (mut key, pass) = existing_key(store)?;
            let request = crate::anonymise::redact::Request {
                doc: &doc,
                start,
                end,
                category: &category,
            };
            let r = crate::anonymise::redact::redact_and_save_key(
                store, coder, &mut key, &pass, request,
            )?;
            say(
                out,
                &format!(
                    "replaced characters [{}, {}) of document {} by {}; {} coding(s) and {} turn(s) re-anchored",
                    r.start,
                    r.end,
                    r.doc,
                    r.pseudonym,
                    r.report.codings_moved,
                    r.report.turns_moved
                ),
            )?;
        }
        AnonymiseCommand::Redact { .. } => {
            return Err(Error::Invalid(
                "give DOC START END CATEGORY, or --text WORDS [--category C] [--doc DOC]".into(),
            ));
        }
        AnonymiseCommand::List {
            doc,
            originals,
            json: as_json,
        } => {
            let (key, _) = existing_key(store)?;
            let doc = doc
                .map(|d| corpus::find_document(store.conn(), &d))
                .transpose()?;
            let items = anonymise::correct::list(store.conn(), &key, doc, originals)?;
            if as_json {
                json(out, &items)?;
                return Ok(0);
            }
            let mut header = vec!["doc", "start", "pseudonym", "rule", "context"];
            if originals {
                header.insert(3, "stands for");
            }
            let mut t = Table::new(&header);
            for i in &items {
                let mut row = vec![
                    i.doc.to_string(),
                    i.start.to_string(),
                    i.pseudonym.clone(),
                    i.rule.clone(),
                    i.context.clone(),
                ];
                if let Some(o) = &i.originals {
                    row.insert(3, o.join(" / "));
                }
                t.row(row);
            }
            t.print(out, "no pseudonyms in the stored texts")?;
        }
        AnonymiseCommand::Log { doc, json: as_json } => {
            let (key, _) = existing_key(store)?;
            let guid = doc
                .map(|d| {
                    corpus::find_document(store.conn(), &d)
                        .and_then(|id| corpus::document(store.conn(), id))
                        .map(|d| d.guid)
                })
                .transpose()?;
            let ids: std::collections::HashMap<String, i64> = corpus::documents(store.conn())?
                .into_iter()
                .map(|d| (d.guid, d.id))
                .collect();
            #[derive(serde::Serialize)]
            struct Line<'a> {
                at: &'a str,
                coder: &'a str,
                action: &'a str,
                doc: Option<i64>,
                start: usize,
                end: usize,
                category: &'a str,
                pseudonym: &'a str,
                confidence: f32,
                rule: &'a str,
            }
            let entries = keyfile::log(store.conn(), &key, guid.as_deref())?;
            let lines: Vec<Line<'_>> = entries
                .iter()
                .map(|l| Line {
                    at: &l.at,
                    coder: &l.coder,
                    action: &l.action,
                    doc: ids.get(&l.document).copied(),
                    start: l.start,
                    end: l.end,
                    category: &l.category,
                    pseudonym: &l.pseudonym,
                    confidence: l.confidence,
                    rule: &l.rule,
                })
                .collect();
            if as_json {
                json(out, &lines)?;
                return Ok(0);
            }
            let mut t = Table::new(&["at", "coder", "action", "doc", "start", "pseudonym", "rule"]);
            for l in &lines {
                t.row(vec![
                    l.at.to_owned(),
                    l.coder.to_owned(),
                    l.action.to_owned(),
                    l.doc.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                    l.start.to_string(),
                    l.pseudonym.to_owned(),
                    l.rule.to_owned(),
                ]);
            }
            t.print(out, "the key's log is empty")?;
        }
        AnonymiseCommand::Link { kept, merged } => {
            let (mut key, pass) = existing_key(store)?;
            let root = store.root().to_path_buf();
            let mut save = |k: &Key| keyfile::save(&root, k, &pass);
            let o = anonymise::correct::link(store, coder, &mut key, &mut save, &kept, &merged)?;
            correction_said(
                out,
                &o,
                &format!(
                    "{merged} is now {kept}: {} place(s) in {} document(s) changed",
                    o.replaced, o.documents
                ),
            )?;
        }
        AnonymiseCommand::Split {
            pseudonym,
            docs,
            participant,
        } => {
            let (mut key, pass) = existing_key(store)?;
            let part = match participant {
                Some(p) => anonymise::correct::Part::Participant(
                    crate::import::resolve::normalise_participant(&p),
                ),
                None => anonymise::correct::Part::Documents(
                    docs.iter()
                        .map(|d| corpus::find_document(store.conn(), d))
                        .collect::<Result<_>>()?,
                ),
            };
            let root = store.root().to_path_buf();
            let mut save = |k: &Key| keyfile::save(&root, k, &pass);
            let o =
                anonymise::correct::split(store, coder, &mut key, &mut save, &pseudonym, &part)?;
            correction_said(
                out,
                &o,
                &format!(
                    "{pseudonym} in those documents is now {}: {} place(s) in {} document(s) changed",
                    o.pseudonym.as_deref().unwrap_or(""),
                    o.replaced,
                    o.documents
                ),
            )?;
        }
        AnonymiseCommand::Relabel {
            pseudonym,
            category,
        } => {
            let (mut key, pass) = existing_key(store)?;
            let root = store.root().to_path_buf();
            let mut save = |k: &Key| keyfile::save(&root, k, &pass);
            let o = anonymise::correct::relabel(
                store, coder, &mut key, &mut save, &pseudonym, &category,
            )?;
            correction_said(
                out,
                &o,
                &format!(
                    "{pseudonym} is now {}: {} place(s) in {} document(s) changed",
                    o.pseudonym.as_deref().unwrap_or(""),
                    o.replaced,
                    o.documents
                ),
            )?;
        }
        AnonymiseCommand::Restore {
            pseudonym,
            doc,
            original,
        } => {
            let (mut key, pass) = existing_key(store)?;
            let doc = doc
                .map(|d| corpus::find_document(store.conn(), &d))
                .transpose()?;
            let root = store.root().to_path_buf();
            let mut save = |k: &Key| keyfile::save(&root, k, &pass);
            let o = anonymise::correct::restore(
                store,
                coder,
                &mut key,
                &mut save,
                &pseudonym,
                doc,
                original.as_deref(),
            )?;
            correction_said(
                out,
                &o,
                &format!(
                    "{pseudonym} gave back its word in {} place(s) of {} document(s); {} coding(s) re-anchored{}",
                    o.replaced,
                    o.documents,
                    o.codings_moved,
                    if doc.is_none() {
                        "; the word is kept in later imports"
                    } else {
                        ""
                    }
                ),
            )?;
        }
        AnonymiseCommand::Apply => {
            let (mut key, pass) = existing_key(store)?;
            if key.staged.is_empty() {
                say(out, "nothing is staged for review")?;
                return Ok(0);
            }
            let root = store.root().to_path_buf();
            let mut save = |k: &Key| keyfile::save(&root, k, &pass);
            let report = crate::import::apply_staged(store, coder, &mut key, &mut save)?;
            super::output::import_report(out, &report)?;
        }
        AnonymiseCommand::Accept { ids } => return decide(store, &ids, "accepted", out),
        AnonymiseCommand::Reject { ids } => return decide(store, &ids, "rejected", out),
        AnonymiseCommand::Names(NamesCommand::Add {
            text,
            category,
            variants,
            participant,
        }) => {
            let category = keyfile::category(&category)
                .ok_or_else(|| Error::Invalid(format!("`{category}` is not a category")))?;
            let text = text.trim().to_owned();
            if text.is_empty() {
                return Err(Error::Invalid("a name needs some text".into()));
            }
            let (mut key, pass) = open_key(store)?;
            key.names.push(keyfile::Name {
                text,
                category: category.to_owned(),
                variants: variants
                    .into_iter()
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
                    .collect(),
                participant: participant.map(|p| crate::import::resolve::normalise_participant(&p)),
            });
            keyfile::save(store.root(), &key, &pass)?;
            say(
                out,
                &format!(
                    "added to the name list in {} ({} name(s) now)",
                    keyfile::KEY_FILE,
                    key.names.len()
                ),
            )?;
        }
        AnonymiseCommand::Names(NamesCommand::List { reveal }) => {
            let (key, _) = existing_key(store)?;
            if reveal {
                for n in &key.names {
                    say(
                        out,
                        &format!(
                            "{} ({}{}){}",
                            n.text,
                            n.category,
                            n.participant
                                .as_deref()
                                .map(|p| format!(", {p}"))
                                .unwrap_or_default(),
                            if n.variants.is_empty() {
                                String::new()
                            } else {
                                format!(": also {}", n.variants.join(", "))
                            }
                        ),
                    )?;
                }
            } else {
                say(
                    out,
                    &format!(
                        "{} name(s) in the list, {} original(s) in the key; `--reveal` prints the list",
                        key.names.len(),
                        key.entries.len()
                    ),
                )?;
            }
        }
    }
    Ok(0)
}

/// Prints what a correction did.
fn correction_said(
    out: &mut dyn Write,
    _o: &anonymise::correct::Outcome,
    message: &str,
) -> Result<()> {
    say(out, message)
}

/// Records review decisions on staged suggestions.
fn decide(store: &Store, ids: &[String], decision: &str, out: &mut dyn Write) -> Result<i32> {
    let (mut key, pass) = existing_key(store)?;
    let which = if ids.iter().any(|i| i == "all") {
        Which::All
    } else {
        Which::Ids(
            ids.iter()
                .map(|i| {
                    i.trim()
                        .parse::<u32>()
                        .map_err(|_| Error::Invalid(format!("`{i}` is not a suggestion id")))
                })
                .collect::<Result<_>>()?,
        )
    };
    let changed = review::decide(&mut key, &which, decision)?;
    keyfile::save(store.root(), &key, &pass)?;
    say(out, &format!("{changed} suggestion(s) {decision}"))?;
    Ok(0)
}

pub fn privacy_check(store: &Store, as_json: bool, out: &mut dyn Write) -> Result<i32> {
    let (key, _) = existing_key(store)?;
    let report = crate::privacy::check(store.root(), store.conn(), &key)?;
    if as_json {
        json(out, &report)?;
    } else if report.ok {
        say(
            out,
            &format!(
                "ok: none of the {} original identifiers in the key occurs in {} file(s) of the project ({} too short or too common to search for)",
                report.originals_checked,
                report.files.len(),
                report.originals_skipped
            ),
        )?;
    } else {
        say(
            out,
            &format!(
                "{} occurrence(s) of {} original identifier(s) found (each listed once per table or file):",
                report.findings.iter().map(|f| f.count).sum::<usize>(),
                report
                    .findings
                    .iter()
                    .map(|f| f.entry.as_str())
                    .collect::<std::collections::HashSet<_>>()
                    .len()
            ),
        )?;
        for f in &report.findings {
            // The same word held by other entries (a name of several participants).
            let entry = match f.other_entries.len() {
                0 => f.entry.clone(),
                n if n <= 3 => format!("{} (also {})", f.entry, f.other_entries.join(", ")),
                n => format!(
                    "{} (also {} and {} more entries of the same word)",
                    f.entry,
                    f.other_entries[..3].join(", "),
                    n - 3
                ),
            };
            let more = if f.count > 1 {
                format!(" ({} times in all there; the first shown)", f.count)
            } else {
                String::new()
            };
            if f.file.starts_with("table ") {
                say(out, &format!("  - {entry} in {}{more}", f.file))?;
            } else {
                say(
                    out,
                    &format!("  - {entry} in {} at byte {}{more}", f.file, f.offset),
                )?;
            }
        }
    }
    Ok(if report.ok { 0 } else { 1 })
}
