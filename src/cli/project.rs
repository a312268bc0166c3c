//! Commands on the project as a whole: `init`, `demo`, `merge`, `reindex`, `check`,
//! `backup`, `tui`.

use std::io::Write;
use std::time::Instant;

use super::args::*;
use super::output::{self, json};
use super::{Ctx, say, say_list};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::{check, demo, project};

/// `narrata init`.
pub(super) fn init(_ctx: &Ctx, args: InitArgs, out: &mut dyn Write) -> Result<i32> {
    let InitArgs {
        dir,
        name,
        language,
    } = args;
    let store = project::init(&dir, name.as_deref(), &language)?;
    let p = store.project()?;
    say(
        out,
        &format!(
            "created project \"{}\" ({}) in {}",
            p.name,
            p.language,
            dir.display()
        ),
    )?;
    Ok(0)
}

/// `narrata demo`.
pub(super) fn demo(ctx: &Ctx, args: DemoArgs, out: &mut dyn Write) -> Result<i32> {
    let DemoArgs {
        dir,
        no_tui,
        json: as_json,
    } = args;
    let summary = demo::build(&dir, &ctx.coder)?;
    output::emit(out, as_json, &summary, |out, _| {
        output::demo_summary(out, &summary)?;
        if !no_tui {
            if ctx.on_terminal {
                crate::tui::run(Store::open(&dir)?, ctx.coder.clone())?;
            } else {
                say(
                    out,
                    "(not on a terminal, so the terminal UI did not open; run `narrata tui` in the demo folder to open it)",
                )?;
            }
        }
        Ok(())
    })?;
    Ok(0)
}

/// `narrata merge`.
pub(super) fn merge(ctx: &Ctx, args: MergeArgs, out: &mut dyn Write) -> Result<i32> {
    let MergeArgs {
        other,
        dry_run,
        json: as_json,
    } = args;
    let mut store = ctx.open()?;
    let report = crate::merge::merge(&mut store, &ctx.coder, &other, dry_run)?;
    output::emit(out, as_json, &report, |out, v| {
        output::merge(out, v, &other)
    })?;
    Ok(0)
}

/// `narrata reindex`.
pub(super) fn reindex(ctx: &Ctx, out: &mut dyn Write) -> Result<i32> {
    let mut store = ctx.open()?;
    let started = Instant::now();
    store.rebuild_word_index()?;
    let n = crate::search::rebuild(&store)?;
    say(
        out,
        &format!(
            "indexed {n} turns in {:.2} s",
            started.elapsed().as_secs_f64()
        ),
    )?;
    Ok(0)
}

/// `narrata check`.
pub(super) fn check(ctx: &Ctx, args: CheckArgs, out: &mut dyn Write) -> Result<i32> {
    let CheckArgs {
        json: as_json,
        full,
        repair,
    } = args;
    let store = ctx.open()?;
    let depth = if full {
        check::Depth::Full
    } else {
        check::Depth::Quick
    };
    let mut report = check::run(&store, depth)?;
    let mut repaired = None;
    if repair && report.index_needs_repair() {
        repaired = Some(check::repair_index(&store)?);
        report = check::run(&store, depth)?;
    }
    if as_json {
        let mut value =
            serde_json::to_value(&report).map_err(|e| Error::Internal(e.to_string()))?;
        value["index_rebuilt_turns"] = serde_json::json!(repaired);
        json(out, &value)?;
    } else {
        if let Some(n) = repaired {
            say(
                out,
                &format!("repaired: the search index was rebuilt from the database ({n} turns)"),
            )?;
        }
        if report.problems.is_empty() {
            say(
                out,
                &format!(
                    "ok: schema {}, {} documents, {} turns; {}",
                    report.schema,
                    report.documents,
                    report.turns,
                    if full {
                        "SQLite integrity, foreign keys and turn offsets all check out"
                    } else {
                        "the quick check found nothing (header, schema, the newest 1,000 codings and memos, the newest document, the index); `check --full` reads everything"
                    }
                ),
            )?;
        } else {
            let heading = format!("{} problem(s) in the database:", report.problems.len());
            say_list(
                out,
                &heading,
                &report.problems,
                "these are not repaired automatically: restore the project from a backup (`narrata backup` writes one)",
            )?;
        }
        let index = &report.index;
        if !index.problems.is_empty() {
            say_list(
                out,
                "search index:",
                &index.problems,
                "`narrata check --repair` rebuilds it from the database",
            )?;
        } else if !index.present {
            say(out, "search index: none yet; the first search builds it")?;
        } else if !index.current {
            say(
                out,
                "search index: behind the database; the next search brings it up to date",
            )?;
        } else {
            say(
                out,
                &format!(
                    "search index: in step with the database ({} turns)",
                    index.turns
                ),
            )?;
        }
    }
    Ok(if report.ok { 0 } else { 1 })
}

/// `narrata backup`.
pub(super) fn backup(ctx: &Ctx, args: BackupArgs, out: &mut dyn Write) -> Result<i32> {
    let BackupArgs { out: target } = args;
    let store = ctx.open()?;
    crate::project::backup(&store, &target)?;
    say(
        out,
        &format!(
            "backed up {} to {}",
            store.root().display(),
            target.display()
        ),
    )?;
    Ok(0)
}

/// `narrata tui`.
pub(super) fn tui(ctx: &Ctx, _out: &mut dyn Write) -> Result<i32> {
    if !ctx.on_terminal {
        return Err(Error::Invalid(
                    "the terminal UI needs a terminal: run `narrata tui` in one (standard input and output are not a terminal here)".into(),
                ));
    }
    crate::tui::run(
        super::open_project(ctx.project.as_deref())?,
        ctx.coder.clone(),
    )?;
    Ok(0)
}
