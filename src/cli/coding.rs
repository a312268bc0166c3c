//! The coding commands: `codebook …`, `code …`, `codings`, `memo add`, `memos`, `undo`, `redo`.

use std::io::Write;

use super::args::{CodeCommand, CodebookCommand, CodingsArgs, MemoCommand, Unit};
use super::output::{self, Table, json, thousands};
use super::say;
use crate::codebook::{self, file};
use crate::error::Result;
use crate::store::Store;
use crate::{coding as codings_lib, history, memo as memo_lib};

pub fn codebook(
    cmd: CodebookCommand,
    store: &mut Store,
    coder: &str,
    out: &mut dyn Write,
) -> Result<i32> {
    match cmd {
        CodebookCommand::Import {
            file: path,
            json: as_json,
        } => {
            let parsed = file::read(&path)?;
            let label = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let summary = file::import(store, coder, &parsed, &label)?;
            output::emit(out, as_json, &summary, |out, _| {
                say(
                    out,
                    &format!(
                        "imported {}: {} code(s) added, {} updated, {} unchanged",
                        path.display(),
                        summary.added,
                        summary.updated,
                        summary.unchanged
                    ),
                )?;
                Ok(())
            })?;
        }
        CodebookCommand::Export { file: path } => {
            let f = file::export(store)?;
            file::write(&f, &path)?;
            say(
                out,
                &format!(
                    "wrote the codebook ({} codes) to {}",
                    codebook::codes(store.conn())?.len(),
                    path.display()
                ),
            )?;
        }
        CodebookCommand::Show {
            json: as_json,
            full,
        } => {
            let codes = codebook::codes(store.conn())?;
            if as_json {
                json(out, &codes)?;
                return Ok(0);
            }
            if codes.is_empty() {
                say(
                    out,
                    "the codebook is empty: import one with `narrata codebook import FILE` (see codebooks/)",
                )?;
                return Ok(0);
            }
            let mut t = Table::new(&["id", "code", "codings", "with sub-codes", "pole"]);
            for c in &codes {
                let pole = match (&c.dimension, &c.polarity) {
                    (Some(d), Some(p)) => {
                        format!("{d} {}", if p == "positive" { "+" } else { "−" })
                    }
                    (Some(d), None) => d.clone(),
                    _ => String::new(),
                };
                t.row(vec![
                    c.id.to_string(),
                    format!("{}{}", "  ".repeat(c.depth), c.name),
                    thousands(c.codings),
                    thousands(c.codings_with_subcodes),
                    pole,
                ]);
            }
            t.print(out, "")?;
            if full {
                for c in &codes {
                    say(out, &format!("\n{}", c.path))?;
                    for (label, v) in [
                        ("description", &c.description),
                        ("include", &c.include),
                        ("exclude", &c.exclude),
                        ("example", &c.example),
                    ] {
                        if !v.is_empty() {
                            say(out, &format!("  {label}: {v}"))?;
                        }
                    }
                }
            }
        }
        CodebookCommand::Add { path, fields } => {
            let c = codebook::add(store, coder, &path, &fields.fields())?;
            say(out, &format!("added code {} ({})", c.id, c.path))?;
        }
        CodebookCommand::Set { code, fields } => {
            let c = codebook::update(store, coder, &code, &fields.fields())?;
            say(out, &format!("updated code {} ({})", c.id, c.path))?;
        }
        CodebookCommand::Rename { code, name } => {
            let c = codebook::rename(store, coder, &code, &name)?;
            say(out, &format!("renamed code {}; it is now {}", c.id, c.path))?;
        }
        CodebookCommand::Move { code, parent } => {
            let parent = parent.trim();
            let target = (!parent.is_empty() && parent != "/").then_some(parent);
            let c = codebook::move_to(store, coder, &code, target)?;
            say(out, &format!("moved code {}; it is now {}", c.id, c.path))?;
        }
        CodebookCommand::Merge { code, into } => {
            let r = codebook::merge(store, coder, &code, &into)?;
            say(
                out,
                &format!(
                    "merged {} into {}: {} coding(s) moved, {} duplicate(s) collapsed, {} memo(s) and {} sub-code(s) moved",
                    r.code,
                    r.into.unwrap_or_default(),
                    r.codings_moved,
                    r.duplicates_collapsed,
                    r.memos_moved,
                    r.children_moved
                ),
            )?;
        }
        CodebookCommand::Rm { code, into } => {
            let r = codebook::remove(store, coder, &code, into.as_deref())?;
            match r.into {
                Some(into) => say(
                    out,
                    &format!(
                        "removed {}; {} coding(s) and {} memo(s) moved to {into}",
                        r.code,
                        r.codings_moved + r.duplicates_collapsed,
                        r.memos_moved
                    ),
                )?,
                None => say(
                    out,
                    &format!(
                        "removed {}{}",
                        r.code,
                        if r.children_moved > 0 {
                            format!("; {} sub-code(s) moved up", r.children_moved)
                        } else {
                            String::new()
                        }
                    ),
                )?,
            }
        }
    }
    Ok(0)
}

pub fn code(cmd: CodeCommand, store: &mut Store, coder: &str, out: &mut dyn Write) -> Result<i32> {
    match cmd {
        CodeCommand::Auto {
            query,
            apply,
            unit,
            filters,
        } => {
            let f = filters.resolve(store, usize::MAX / 2)?;
            let r = codings_lib::auto(
                store,
                coder,
                &query,
                &apply,
                matches!(unit, Unit::Match),
                &f,
            )?;
            say(
                out,
                &format!(
                    "{} coding(s) added from {} hit(s){}",
                    r.added,
                    r.hits,
                    if r.already > 0 {
                        format!("; {} were already coded", r.already)
                    } else {
                        String::new()
                    }
                ),
            )?;
            if r.in_compounds > 0 {
                say(
                    out,
                    &format!(
                        "{} hit(s) found only inside compound words were not coded (`narrata search` lists them)",
                        r.in_compounds
                    ),
                )?;
            }
        }
        CodeCommand::Add {
            doc,
            start,
            end,
            code,
            json: as_json,
        } => {
            let (c, added) = codings_lib::add(store, coder, &doc, start, end, &code)?;
            if as_json {
                json(out, &c)?;
            } else if added.new {
                let joined = if added.joined.is_empty() && (c.start, c.end) == (start, end) {
                    String::new()
                } else {
                    format!(
                        " (united with your overlapping coding{} of the same code)",
                        if added.joined.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "s {}",
                                std::iter::once(c.id)
                                    .chain(added.joined.iter().copied())
                                    .map(|i| i.to_string())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        }
                    )
                };
                say(
                    out,
                    &format!(
                        "coding {}: {} on document {} [{}, {}) \"{}\"{joined}",
                        c.id,
                        c.code_path,
                        c.doc,
                        c.start,
                        c.end,
                        ellipsis(&c.text, 60)
                    ),
                )?;
            } else {
                say(
                    out,
                    &format!(
                        "already coded: coding {} [{}, {}) has {} on that span by {}",
                        c.id, c.start, c.end, c.code_path, c.coder
                    ),
                )?;
            }
        }
        CodeCommand::Rm { coding } => {
            let (c, memos) = codings_lib::remove(store, coder, coding)?;
            let with = if memos > 0 {
                format!(" and {memos} memo(s) on it")
            } else {
                String::new()
            };
            say(
                out,
                &format!(
                    "removed coding {} ({} on document {}){with}",
                    c.id, c.code_path, c.doc
                ),
            )?;
        }
    }
    Ok(0)
}

pub fn codings(args: CodingsArgs, store: &Store, out: &mut dyn Write) -> Result<i32> {
    let doc = match &args.doc {
        Some(d) => Some(crate::corpus::find_document(store.conn(), d)?),
        None => None,
    };
    // A listing of a coder with no codings is empty, as before; analyses and reports refuse
    // an unknown coder instead (a typo there would count nothing without a word).
    let coders = codings_lib::coder_list(args.coder.as_slice());
    let filter = codings_lib::Filter {
        code: args.code,
        with_subcodes: !args.no_subcodes,
        participant: args.participant,
        wave: args.wave,
        coders,
        doc,
        group: args.group,
        rule: args.rule,
    };
    let list = codings_lib::list(store.conn(), &filter)?;
    if args.json {
        json(out, &list)?;
        return Ok(0);
    }
    let mut t = Table::new(&["id", "doc", "who", "wave", "lines", "code", "coder", "text"]);
    for c in &list {
        t.row(vec![
            c.id.to_string(),
            c.doc.to_string(),
            c.participants.join(","),
            c.wave.clone().unwrap_or_default(),
            if c.line == c.end_line {
                c.line.to_string()
            } else {
                format!("{}–{}", c.line, c.end_line)
            },
            c.code_path.clone(),
            c.coder.clone(),
            ellipsis(&c.text, 70),
        ]);
    }
    t.print(out, "no codings match").map(|_| 0)
}

pub fn memo(cmd: MemoCommand, store: &mut Store, coder: &str, out: &mut dyn Write) -> Result<i32> {
    match cmd {
        MemoCommand::Add {
            target,
            text,
            json: as_json,
        } => {
            let t = memo_lib::parse_target(store.conn(), &target)?;
            let m = memo_lib::add(store, coder, t, &text)?;
            output::emit(out, as_json, &m, |out, _| {
                say(out, &format!("memo {} on {}", m.id, m.target))?;
                Ok(())
            })?;
        }
        MemoCommand::Edit {
            id,
            text,
            json: as_json,
        } => {
            let m = memo_lib::edit(store, coder, id, &text)?;
            output::emit(out, as_json, &m, |out, _| {
                say(out, &format!("memo {} on {} rewritten", m.id, m.target))?;
                Ok(())
            })?;
        }
    }
    Ok(0)
}

/// `narrata memos`: each memo with what it is about (for a coding memo its code, participant,
/// wave, lines, document and first words).
pub fn memos(args: super::args::MemosArgs, store: &Store, out: &mut dyn Write) -> Result<i32> {
    let conn = store.conn();
    let target = match &args.target {
        Some(t) => Some(memo_lib::parse_target(conn, t)?),
        None => None,
    };
    let on_target: Option<std::collections::HashSet<i64>> = match target {
        Some(t) => Some(
            memo_lib::list(conn, Some(t))?
                .iter()
                .map(|m| m.id)
                .collect(),
        ),
        None => None,
    };
    let doc = match &args.doc {
        Some(d) => Some(crate::corpus::find_document(conn, d)?),
        None => None,
    };
    let codes: Option<Vec<String>> = match &args.code {
        Some(c) => {
            let all = crate::codebook::codes(conn)?;
            let code = crate::codebook::find_in(&all, c)?;
            let ids = crate::codebook::with_descendants(&all, code.id);
            Some(
                all.iter()
                    .filter(|c| ids.contains(&c.id))
                    .map(|c| c.path.clone())
                    .collect(),
            )
        }
        None => None,
    };
    let list: Vec<memo_lib::Described> = memo_lib::described(conn)?
        .into_iter()
        // Reasons given for change labels are shown with the change table, not here.
        .filter(|m| m.kind != "label")
        .filter(|m| {
            on_target
                .as_ref()
                .is_none_or(|ids| ids.contains(&m.memo.id))
        })
        .filter(|m| doc.is_none() || m.doc == doc)
        .filter(|m| {
            codes
                .as_ref()
                .is_none_or(|paths| m.code.as_ref().is_some_and(|c| paths.contains(c)))
        })
        .collect();
    if args.json {
        json(out, &list)?;
        return Ok(0);
    }
    if list.is_empty() {
        say(out, "no memos")?;
    }
    for m in &list {
        say(
            out,
            &format!(
                "memo {} on {} by {} at {}\n  about: {}\n  {}",
                m.memo.id,
                m.memo.target,
                m.memo.coder,
                m.memo.created,
                m.about,
                m.memo.text.replace('\n', "\n  ")
            ),
        )?;
    }
    Ok(0)
}

pub fn history(
    undo: bool,
    as_json: bool,
    store: &mut Store,
    coder: &str,
    out: &mut dyn Write,
) -> Result<i32> {
    let step = if undo {
        history::undo(store, coder)?
    } else {
        history::redo(store, coder)?
    };
    if as_json {
        json(out, &step)?;
        return Ok(0);
    }
    let verb = if undo { "undid" } else { "redid" };
    match step {
        Some(s) => {
            for p in &s.passed_over {
                say(
                    out,
                    &format!(
                        "passed over `{}` ({}), which cannot be undone: {}",
                        p.action, p.target, p.reason
                    ),
                )?;
            }
            say(
                out,
                &format!(
                    "{verb} `{}` on {} (from {}, {} row(s))",
                    s.action, s.label, s.at, s.rows
                ),
            )?
        }
        None => say(
            out,
            &format!(
                "nothing to {} for {coder}",
                if undo { "undo" } else { "redo" }
            ),
        )?,
    }
    Ok(0)
}

fn ellipsis(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max - 1).collect::<String>())
    }
}
