//! Preparing an archive's sources before anything is stored: which document each becomes,
//! its participants, wave, kind and language, its text read and anonymised. `load` then stores
//! what was prepared in one action.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::load::{Options, Report, Skipped};
use super::read::{self, Project};
use crate::corpus::NewDocument;
use crate::error::{Error, Result};
use crate::import::{self, Anonymise, Privacy, Source, resolve};
use crate::store::Store;

/// What is being imported, and by whom.
#[derive(Clone, Copy)]
pub(super) struct Incoming<'a> {
    pub coder: &'a str,
    pub file_name: &'a str,
    pub project: &'a Project,
    pub options: &'a Options,
    pub at: &'a str,
}

/// A source made ready: its document (new, known, or that of an earlier source with the same
/// text) and where its selections now lie; all empty for a source that is skipped.
#[derive(Default)]
pub(super) struct Prepared {
    pub(super) existing: Option<i64>,
    pub(super) doc: Option<NewDocument>,
    /// The index of the earlier source with the same text, whose document this one shares.
    pub(super) same_as: Option<usize>,
    /// Position in the source's text → position in the stored text.
    pub(super) moves: Vec<(usize, usize, usize)>,
}

/// Turns the archive's sources into documents ready to store, in the file's order: the
/// participants from the cases that refer to a source (named by a pseudonym when anonymising),
/// wave, kind and language from its variables or the command line, the text read as a
/// transcript or as paragraphs, and anonymised with the key. A skipped source gets an empty
/// entry and a line in the report. Also returns each case's participant code, by case GUID.
pub(super) fn prepare(
    store: &Store,
    incoming: &Incoming<'_>,
    privacy: &mut Option<Privacy<'_>>,
    report: &mut Report,
) -> Result<(Vec<Prepared>, HashMap<String, String>)> {
    let Incoming {
        coder,
        file_name,
        project,
        options,
        at,
    } = *incoming;
    let anonymise = options.anonymise;
    let project_language = store.project()?.language;
    let language = project_language.clone();
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
            let (category, number) = p.key.pseudonym(&name, "PERSON", at);
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
            skip(report, format!("not imported: {problem}"));
            continue;
        }
        if source.text.trim().is_empty() {
            skip(report, "empty: nothing to import".into());
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
                report,
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
                    report,
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
                skip(report, format!("not imported: {e}"));
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
        let mut log = Vec::new();
        if let Some(p) = privacy.as_mut()
            && anonymise == Anonymise::Auto
        {
            let participant = (meta.participants.len() == 1).then(|| meta.participants[0].clone());
            let found =
                crate::anonymise::detect_in(&t, p.key, participant.as_deref(), &meta.language);
            let replacements = crate::anonymise::apply_detections(
                &mut t,
                p.key,
                &meta.language,
                found,
                participant.as_deref(),
                at,
            );
            report.identifiers_replaced += replacements.len();
            moves = replacements
                .iter()
                .map(|r| (r.old_start, r.old_end, r.end - r.start))
                .collect();
            // The log names the document by the GUID it is stored under.
            log = crate::anonymise::log_entries(&replacements, &source.guid, coder, at, "auto");
            import::anonymise_metadata(&mut meta, &t, p.key, at);
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
                log,
            }),
            moves,
            ..Default::default()
        });
    }
    Ok((prepared, case_names))
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
