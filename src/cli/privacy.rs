//! The identifier commands: `anonymise scan|redact|names|apply`, `privacy-check`.

use std::io::Write;

use age::secrecy::SecretString;
use clap::Subcommand;

use super::output::{Table, json};
use super::say;
use crate::anonymise::review::{self, Which};
use crate::error::{Error, Result};
use crate::keyfile::{self, Key};
use crate::store::Store;
use crate::{anonymise, corpus};

#[derive(Debug, Subcommand)]
pub enum AnonymiseCommand {
    /// List suggestions: those of transcripts staged for review (with their words: this is the
    /// re-identifying step), and identifiers the detector still finds in stored transcripts.
    Scan {
        doc: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Redact a missed identifier: replace [START, END) of DOC by a pseudonym of CATEGORY.
    Redact {
        doc: String,
        start: usize,
        end: usize,
        category: String,
    },
    /// Store the transcripts staged for review, replacing every suggestion not rejected.
    Apply,
    /// Accept staged suggestions (ids from `anonymise scan`, or `all`).
    Accept {
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Reject staged suggestions: those words are not identifiers and stay as they are.
    Reject {
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Your own list of names to find (relatives, towns, carers), kept in the encrypted key.
    #[command(subcommand)]
    Names(NamesCommand),
}

#[derive(Debug, Subcommand)]
pub enum NamesCommand {
    /// Add a name with its spelling variants, for the whole project or one participant.
    Add {
        text: String,
        #[arg(long, default_value = "PERSON")]
        category: String,
        #[arg(long = "variant")]
        variants: Vec<String>,
        #[arg(long)]
        participant: Option<String>,
    },
    /// How many names the list holds (per category); `--reveal` prints them.
    List {
        #[arg(long)]
        reveal: bool,
    },
}

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
        AnonymiseCommand::Scan { doc, json: as_json } => {
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
            if doc.is_none() && keyfile::path(store.root()).is_file() {
                let (key, _) = existing_key(store)?;
                for i in crate::anonymise::review::items(&key) {
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
            #[derive(serde::Serialize)]
            struct Suggestion {
                doc: i64,
                start: usize,
                end: usize,
                category: &'static str,
                confidence: f32,
                line: usize,
                context: String,
            }
            let mut all = Vec::new();
            for id in docs {
                let text = corpus::text(store.conn(), id)?;
                let regions: Vec<(usize, usize)> = corpus::turns(store.conn(), id)?
                    .iter()
                    .map(|t| (t.start as usize, t.end as usize))
                    .collect();
                let language = corpus::document(store.conn(), id)?.language;
                for d in anonymise::detect(&text, &regions, &[], &language) {
                    let found = crate::offsets::slice_chars(&text, d.start, d.end);
                    // Pseudonyms narrata wrote are not identifiers.
                    if found.starts_with('[') && found.ends_with(']') {
                        continue;
                    }
                    let before =
                        crate::offsets::slice_chars(&text, d.start.saturating_sub(30), d.start);
                    let after = crate::offsets::slice_chars(&text, d.end, d.end + 30);
                    let line = text.chars().take(d.start).filter(|c| *c == '\n').count() + 1;
                    all.push(Suggestion {
                        doc: id,
                        start: d.start,
                        end: d.end,
                        category: d.category,
                        confidence: d.confidence,
                        line,
                        context: format!(
                            "{}⟦{found}⟧{}",
                            before.replace('\n', " "),
                            after.replace('\n', " ")
                        ),
                    });
                }
            }
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
            let mut t = Table::new(&[
                "doc", "line", "start", "end", "category", "conf.", "context",
            ]);
            for s in &all {
                t.row(vec![
                    s.doc.to_string(),
                    s.line.to_string(),
                    s.start.to_string(),
                    s.end.to_string(),
                    s.category.to_owned(),
                    format!("{:.2}", s.confidence),
                    s.context.clone(),
                ]);
            }
            t.print(out, "no identifiers found in the stored text")?;
            if !all.is_empty() {
                say(
                    out,
                    "redact one with `narrata anonymise redact DOC START END CATEGORY`",
                )?;
            }
        }
        AnonymiseCommand::Redact {
            doc,
            start,
            end,
            category,
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
            if let Some(problem) = &r.index_problem {
                eprintln!(
                    "narrata: warning: the search index could not be rebuilt ({problem}); run `narrata reindex`"
                );
            }
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
                "{} occurrence(s) of original identifiers found:",
                report.findings.len()
            ),
        )?;
        for f in &report.findings {
            if f.file.starts_with("table ") {
                say(out, &format!("  - {} in {}", f.entry, f.file))?;
            } else {
                say(
                    out,
                    &format!("  - {} in {} at byte {}", f.entry, f.file, f.offset),
                )?;
            }
        }
    }
    Ok(if report.ok { 0 } else { 1 })
}
