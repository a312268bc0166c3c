//! `export …`: Word reports, CSV and JSON rows, REFI-QDA archives, the change report.

use std::io::Write;
use std::path::Path;

use super::args::*;
use super::output::{self};
use super::{Ctx, say};
use crate::corpus;
use crate::error::{Error, Result};
use crate::store::Store;

/// `narrata export …`: reports and exchange files.
pub(super) fn export(ctx: &Ctx, command: ExportCommand, out: &mut dyn Write) -> Result<i32> {
    match command {
        ExportCommand::Excerpts {
            out: target,
            filter,
            group_by,
            appendix,
            memos,
            language,
            json: as_json,
        } => {
            let store = ctx.open()?;
            check_extension(&target, &["docx"], "coded excerpts")?;
            use crate::export::excerpts::{GroupBy, Memos, Options};
            let options = Options {
                filter: filter.filter(&store)?,
                group_by: match group_by {
                    GroupByArg::Code => GroupBy::Code,
                    GroupByArg::Participant => GroupBy::Participant,
                    GroupByArg::Wave => GroupBy::Wave,
                    GroupByArg::Group => GroupBy::Group,
                },
                appendices: crate::export::Appendices::parse(&appendix)?,
                memos: Memos::parse(&memos)?,
                language: crate::export::language::Language::choose(
                    store.conn(),
                    language.as_deref(),
                )?,
            };
            let summary = crate::export::excerpts_docx(
                store.conn(),
                store.root(),
                &store.project()?.name,
                &options,
                &target,
            )?;
            output::emit(out, as_json, &summary, |out, _| {
                say(
                    out,
                    &format!(
                        "wrote {} excerpt(s) under {} code(s), from {} document(s), to {}",
                        summary.excerpts,
                        summary.codes,
                        summary.documents,
                        target.display()
                    ),
                )?;
                Ok(())
            })?;
        }
        ExportCommand::Transcript {
            doc,
            out: target,
            json: as_json,
        } => {
            let store = ctx.open()?;
            check_extension(&target, &["docx"], "a transcript")?;
            let id = corpus::find_document(store.conn(), &doc)?;
            let summary = crate::export::transcript_docx(store.conn(), id, &target)?;
            output::emit(out, as_json, &summary, |out, _| {
                say(
                    out,
                    &format!(
                        "wrote document {id} ({} lines, {} coding(s) as comments) to {}",
                        summary.lines,
                        summary.comments,
                        target.display()
                    ),
                )?;
                Ok(())
            })?;
        }
        ExportCommand::Qdpx {
            out: target,
            positions,
            json: as_json,
        } => {
            let store = ctx.open()?;
            check_extension(&target, &["qdpx"], "a REFI-QDA project")?;
            let positions = match positions {
                PositionsArg::CodePoints => crate::refi::write::Positions::CodePoints,
                PositionsArg::Utf16 => crate::refi::write::Positions::Utf16,
            };
            let summary = crate::refi::write::export_with(&store, &target, positions)?;
            output::emit(out, as_json, &summary, |out, _| {
                say(
                    out,
                    &format!(
                        "wrote {} source(s), {} code(s), {} coding(s), {} note(s), {} case(s) to {}",
                        summary.sources,
                        summary.codes,
                        summary.codings,
                        summary.notes,
                        summary.cases,
                        target.display()
                    ),
                )?;
                Ok(())
            })?;
        }
        ExportCommand::Changes {
            out: target,
            roll_up,
            ratio,
            min_codings,
            coders,
            language,
            group,
            rule,
        } => {
            let store = ctx.open()?;
            let language =
                crate::export::language::Language::choose(store.conn(), language.as_deref())?;
            let ext = target
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            let options = crate::change::Options {
                roll_up,
                ratio,
                min_codings,
                coders: crate::coding::coder_list(&coders),
                group,
                rule,
                ..Default::default()
            };
            if ext == "docx" {
                crate::export::changes_docx(
                    store.conn(),
                    &store.project()?.name,
                    &options,
                    language,
                    &target,
                )?;
                say(
                    out,
                    &format!("wrote the change report to {}", target.display()),
                )?;
                return Ok(0);
            }
            if ext != "csv" {
                return Err(Error::Invalid(format!(
                    "narrata writes the change report as .docx or .csv, not .{ext}"
                )));
            }
            let table = crate::change::table(store.conn(), &options)?;
            crate::files::write_atomically(&target, |w| {
                crate::change::write_csv(&table, w).map_err(|e| Error::io(&target, e))
            })?;
            say(
                out,
                &format!(
                    "wrote {} rows to {}",
                    table.rows.len() * table.waves.len(),
                    target.display()
                ),
            )?;
        }
        ExportCommand::Csv {
            out: target,
            filter,
        } => export_rows(&*ctx.open()?, &target, &filter, false, out)?,
        ExportCommand::Json {
            out: target,
            filter,
        } => export_rows(&*ctx.open()?, &target, &filter, true, out)?,
        ExportCommand::Xlsx {
            out: target,
            filter,
            json: as_json,
        } => {
            let store = ctx.open()?;
            check_extension(&target, &["xlsx"], "a spreadsheet")?;
            let summary =
                crate::export::xlsx::workbook(store.conn(), &filter.filter(&store)?, &target)?;
            output::emit(out, as_json, &summary, |out, s| {
                let sheets: Vec<String> = s
                    .sheets
                    .iter()
                    .map(|(name, rows)| format!("{name} ({rows} rows)"))
                    .collect();
                say(
                    out,
                    &format!("wrote {} to {}", sheets.join(", "), target.display()),
                )
            })?;
        }
    }
    Ok(0)
}

/// `export csv` and `export json`: the codings as rows.
fn export_rows(
    store: &Store,
    target: &Path,
    filter: &ExportFilter,
    as_json: bool,
    out: &mut dyn Write,
) -> Result<()> {
    if as_json {
        check_extension(target, &["json"], "codings as JSON")?;
    } else {
        check_extension(target, &["csv"], "codings as CSV")?;
    }
    let n = crate::export::rows::export(store.conn(), &filter.filter(store)?, target, as_json)?;
    say(out, &format!("wrote {n} coding(s) to {}", target.display()))
}

/// Refuses an output file whose extension is not one of `allowed`.
fn check_extension(target: &Path, allowed: &[&str], what: &str) -> Result<()> {
    let ext = target
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if allowed.contains(&ext.as_str()) {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "narrata writes {what} as .{}; {} does not end in it",
            allowed.join(" or ."),
            target.display()
        )))
    }
}
