//! Commands on the stored transcripts: `import`, `docs`, `groups`, `participants`, `waves`,
//! `show`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use super::args::*;
use super::output::{self, Table, json, thousands};
use super::{Ctx, say};
use crate::corpus;
use crate::error::{Error, Result};
use crate::import::{self, Anonymise, Flags, Options};
use crate::store::Store;

/// `narrata import`.
pub(super) fn import(ctx: &Ctx, args: ImportArgs, out: &mut dyn Write) -> Result<i32> {
    let ImportArgs {
        paths,
        participant,
        wave,
        kind,
        anonymise,
        language,
        speakers,
        json: as_json,
    } = args;
    let mut store = ctx.open()?;
    let options = Options {
        flags: Flags {
            participants: participant,
            wave,
            kind: kind.map(|k| format!("{k:?}").to_lowercase()),
            language,
            speakers: import::resolve::parse_speakers(&speakers).map_err(Error::Invalid)?,
        },
        anonymise: match anonymise {
            AnonymiseArg::Auto => Anonymise::Auto,
            AnonymiseArg::Review => Anonymise::Review,
            AnonymiseArg::Off => Anonymise::Off,
        },
        // Tests of whole processes cut imports into small batches to reach every boundary.
        batch_bytes: std::env::var("NARRATA_IMPORT_BATCH_BYTES")
            .ok()
            .and_then(|v| v.trim().parse().ok()),
    };
    let is_qdpx = |p: &PathBuf| {
        p.extension()
            .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case("qdpx"))
    };
    if let Some(qde) = paths.iter().find(|p| {
        p.extension()
            .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case("qde"))
    }) {
        return Err(Error::input(qde.display().to_string(), import::QDE_ALONE));
    }
    if paths.iter().any(is_qdpx) {
        if !paths.iter().all(is_qdpx) {
            return Err(Error::Invalid(
                "import REFI-QDA projects (.qdpx) on their own, not together with transcripts"
                    .into(),
            ));
        }
        let options = crate::refi::load::Options {
            anonymise: options.anonymise,
            flags: options.flags,
        };
        return import_qdpx(&mut store, &ctx.coder, &paths, &options, as_json, out);
    }
    let (files, ignored) = import::collect(&paths)?;
    if files.is_empty() {
        return Err(Error::Invalid(format!(
            "no transcripts found in {}; narrata reads .txt, .md, .docx, .vtt and .srt files",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let sources = import::Files::new(files);
    let mut bar = Progress::new(std::io::stderr().is_terminal() && !as_json);
    // The index follows each committed batch on a core the import leaves idle.
    let mut follower = crate::search::Follower::start(store.root());
    let imported = import::import_with_key(
        &mut store,
        &ctx.coder,
        &sources,
        &options,
        &mut |d, t| bar.show(d, t),
        &mut |store, left| {
            // The one-thread writer's last commit takes about as long as storing a batch.
            if left <= 2 {
                follower.ending();
            }
            follower.follow(store.take_outcomes());
        },
    );
    store.give_back_outcomes(follower.finish());
    let mut report = imported?;
    bar.clear();
    report.ignored = ignored;
    output::emit(out, as_json, &report, |out, v| {
        output::import_report(out, v)
    })?;
    // Every refused file is named on stderr with its reason; the status says that not
    // everything was imported (the rest was: each file is all or nothing).
    for f in report.files.iter().filter(|f| f.status == "refused") {
        eprintln!(
            "narrata: {}: {}",
            f.file,
            f.reason.as_deref().unwrap_or("not imported")
        );
    }
    if report.refused > 0 {
        return Ok(1);
    }
    Ok(0)
}

/// `narrata docs`.
pub(super) fn docs(ctx: &Ctx, args: DocsArgs, out: &mut dyn Write) -> Result<i32> {
    match args {
        DocsArgs {
            set:
                Some(DocsCommand::Set {
                    doc,
                    participant,
                    wave,
                    kind,
                    json: as_json,
                }),
            ..
        } => {
            let mut store = ctx.open()?;
            let what = crate::corpus::Assignment {
                participants: (!participant.is_empty()).then_some(participant),
                wave,
                kind: kind.map(|k| format!("{k:?}").to_lowercase()),
            };
            let done = crate::corpus::assign(&mut store, &ctx.coder, &doc, &what)?;
            output::emit(out, as_json, &done, |out, _| {
                say(
                    out,
                    &format!(
                        "{}; {} turn(s) are a participant's{} · u undoes",
                        done.summary(),
                        done.participant_turns,
                        if done.unmapped.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "; speaker label(s) {} are no one's yet (import the text again with --speakers to map them)",
                                done.unmapped.join(", ")
                            )
                        }
                    ),
                )?;
                Ok(())
            })?;
        }
        DocsArgs {
            set: Some(DocsCommand::Attribute { doc, key, value }),
            ..
        } => {
            let mut store = ctx.open()?;
            let id = crate::corpus::find_document(store.conn(), &doc)?;
            let value = value.unwrap_or_default();
            let changed =
                crate::attributes::set_document(&mut store, &ctx.coder, id, &key, &value)?;
            say(
                out,
                &if !changed {
                    format!("document {id}: `{key}` was already so; nothing changed")
                } else if value.trim().is_empty() {
                    format!("document {id}: `{key}` removed · `narrata undo` undoes")
                } else {
                    format!(
                        "document {id}: {key} = {} · `narrata undo` undoes",
                        value.trim()
                    )
                },
            )?;
        }
        DocsArgs {
            set: None,
            json: as_json,
        } => {
            let store = ctx.open()?;
            let docs = corpus::documents(store.conn())?;
            if as_json {
                return json(out, &docs).map(|_| 0);
            }
            let mut t = Table::new(&[
                "id",
                "participant(s)",
                "wave",
                "kind",
                "lang",
                "words",
                "turns",
                "codings",
                "title",
            ]);
            for d in &docs {
                t.row(vec![
                    d.id.to_string(),
                    if d.kind == "document" && d.participants.is_empty() {
                        "(not assigned)".to_owned()
                    } else {
                        d.participants.join(",")
                    },
                    d.wave.clone().unwrap_or_default(),
                    d.kind.clone(),
                    d.language.clone(),
                    thousands(d.words),
                    d.turns.to_string(),
                    d.codings.to_string(),
                    d.title.clone(),
                ]);
            }
            t.print(
                out,
                "no documents yet: add transcripts with `narrata import PATH`",
            )?;
            let unassigned = docs.iter().filter(|d| d.kind == "document").count();
            if unassigned > 0 {
                say(
                    out,
                    &format!(
                        "{unassigned} document(s) not assigned to participants and a wave yet: `narrata docs set DOC --participant P --wave W`"
                    ),
                )?;
            }
        }
    }
    Ok(0)
}

/// `narrata groups`.
pub(super) fn groups(ctx: &Ctx, args: GroupsArgs, out: &mut dyn Write) -> Result<i32> {
    match args {
        GroupsArgs {
            add: Some(GroupsCommand::Add { name, docs }),
            ..
        } => {
            let mut store = ctx.open()?;
            let (g, added) = crate::groups::add(&mut store, &ctx.coder, &name, &docs)?;
            say(
                out,
                &format!(
                    "group `{}`: {added} document(s) added, {} in all · u undoes",
                    g.name,
                    g.documents.len()
                ),
            )?;
        }
        GroupsArgs {
            add: Some(GroupsCommand::Define { name, rule }),
            ..
        } => {
            let mut store = ctx.open()?;
            let g = crate::groups::define(&mut store, &ctx.coder, &name, &rule)?;
            say(
                out,
                &format!(
                    "group `{}` is the documents where {}: {} now · `narrata undo` undoes",
                    g.name,
                    rule.trim(),
                    g.documents.len()
                ),
            )?;
        }
        GroupsArgs {
            add: None,
            json: as_json,
        } => {
            let store = ctx.open()?;
            let groups = crate::groups::list(store.conn())?;
            if as_json {
                return json(out, &groups).map(|_| 0);
            }
            let mut t = Table::new(&["group", "documents", "rule or description"]);
            for g in &groups {
                t.row(vec![
                    g.name.clone(),
                    g.documents
                        .iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                    match &g.rule {
                        Some(rule) => format!("where {rule}"),
                        None => g.description.clone(),
                    },
                ]);
            }
            t.print(
                out,
                "no document groups yet: `narrata groups add NAME DOC…` makes one",
            )?;
        }
    }
    Ok(0)
}

/// `narrata participants`.
pub(super) fn participants(ctx: &Ctx, args: ParticipantsArgs, out: &mut dyn Write) -> Result<i32> {
    let as_json = match args {
        ParticipantsArgs {
            set:
                Some(ParticipantsCommand::Set {
                    participant,
                    key,
                    value,
                }),
            ..
        } => {
            let mut store = ctx.open()?;
            let value = value.unwrap_or_default();
            let changed = crate::attributes::set_participant(
                &mut store,
                &ctx.coder,
                &participant,
                &key,
                &value,
            )?;
            let what = if !changed {
                format!("{participant}: `{key}` was already so; nothing changed")
            } else if value.trim().is_empty() {
                format!("{participant}: `{key}` removed · `narrata undo` undoes")
            } else {
                format!(
                    "{participant}: {key} = {} · `narrata undo` undoes",
                    value.trim()
                )
            };
            say(out, &what)?;
            return Ok(0);
        }
        ParticipantsArgs {
            set: Some(ParticipantsCommand::Import { file }),
            json: as_json,
        } => {
            let mut store = ctx.open()?;
            let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
            let text = crate::csv::decode(&bytes)?;
            let report = crate::attributes::import_participants(&mut store, &ctx.coder, &text)?;
            output::emit(out, as_json, &report, |out, r| {
                say(
                    out,
                    &format!(
                        "{} value(s) of {} set for {} participant(s) · `narrata undo` undoes",
                        r.values,
                        r.columns.join(", "),
                        r.participants
                    ),
                )?;
                if !r.unknown.is_empty() {
                    say(
                        out,
                        &format!(
                            "left out: {} (not participants of this project)",
                            r.unknown.join(", ")
                        ),
                    )?;
                }
                Ok(())
            })?;
            return Ok(0);
        }
        ParticipantsArgs { set: None, json } => json,
    };
    let store = ctx.open()?;
    let ps = corpus::participants(store.conn())?;
    if as_json {
        return json(out, &ps).map(|_| 0);
    }
    let mut t = Table::new(&[
        "participant",
        "documents",
        "waves",
        "words spoken",
        "attributes",
    ]);
    for p in &ps {
        t.row(vec![
            p.code.clone(),
            p.documents.to_string(),
            p.waves.join(" "),
            thousands(p.words),
            output::attributes(&p.attributes),
        ]);
    }
    t.print(out, "no participants yet")?;
    Ok(0)
}

/// `narrata waves`.
pub(super) fn waves(ctx: &Ctx, args: WavesArgs, out: &mut dyn Write) -> Result<i32> {
    let WavesArgs {
        command,
        json: as_json,
    } = args;
    let mut store = ctx.open()?;
    let (ws, as_json) = match command {
        Some(super::args::WavesCommand::Order {
            waves,
            by_date,
            json,
        }) => {
            let order = if by_date {
                corpus::WaveOrder::ByDate
            } else {
                corpus::WaveOrder::Named(waves)
            };
            (
                corpus::order_waves(&mut store, &ctx.coder, &order)?,
                json || as_json,
            )
        }
        None => (corpus::waves(store.conn())?, as_json),
    };
    if as_json {
        return json(out, &ws).map(|_| 0);
    }
    let mut t = Table::new(&["wave", "ordinal", "documents", "participants", "dates"]);
    for w in &ws {
        let dates = match (&w.first_date, &w.last_date) {
            (Some(a), Some(b)) if a == b => a.clone(),
            (Some(a), Some(b)) => format!("{a} – {b}"),
            _ => String::new(),
        };
        t.row(vec![
            w.name.clone(),
            w.ordinal.to_string(),
            w.documents.to_string(),
            w.participants.to_string(),
            dates,
        ]);
    }
    t.print(out, "no waves yet")?;
    Ok(0)
}

/// `narrata show`.
pub(super) fn show(ctx: &Ctx, args: ShowArgs, out: &mut dyn Write) -> Result<i32> {
    let ShowArgs {
        doc,
        from_line,
        to_line,
        raw,
        json: as_json,
    } = args;
    let store = ctx.open()?;
    let id = corpus::find_document(store.conn(), &doc)?;
    let text = corpus::text(store.conn(), id)?;
    if as_json {
        let value = serde_json::json!({
            "document": corpus::document(store.conn(), id)?,
            "text": text,
            "turns": corpus::turns(store.conn(), id)?,
        });
        return json(out, &value).map(|_| 0);
    }
    let codings = crate::coding::list(
        store.conn(),
        &crate::coding::Filter {
            doc: Some(id),
            ..Default::default()
        },
    )?;
    output::show(out, &text, from_line, to_line, raw, &codings)?;
    Ok(0)
}

/// `import FILE.qdpx…`: each REFI-QDA project read, checked and brought in as one action.
fn import_qdpx(
    store: &mut Store,
    coder: &str,
    paths: &[PathBuf],
    options: &crate::refi::load::Options,
    as_json: bool,
    out: &mut dyn Write,
) -> Result<i32> {
    let reports =
        crate::refi::load::import_archives(store, coder, paths, options, &mut |path, report| {
            if as_json {
                Ok(())
            } else {
                output::qdpx_report(out, &path.display().to_string(), report)
            }
        })?;
    if as_json {
        json(out, &reports)?;
    }
    Ok(0)
}

/// A progress line on stderr for imports that take a while; silent when not a terminal.
struct Progress {
    enabled: bool,
    started: Instant,
    shown: bool,
}

impl Progress {
    fn new(enabled: bool) -> Self {
        Progress {
            enabled,
            started: Instant::now(),
            shown: false,
        }
    }

    fn show(&mut self, done: usize, total: usize) {
        if !self.enabled || total == 0 || self.started.elapsed().as_millis() < 400 {
            return;
        }
        let width = 30;
        let filled = done * width / total;
        eprint!(
            "\rreading transcripts [{}{}] {done}/{total}",
            "#".repeat(filled),
            ".".repeat(width - filled)
        );
        self.shown = true;
    }

    fn clear(&mut self) {
        if self.shown {
            eprint!("\r{}\r", " ".repeat(60));
        }
    }
}
