//! Commands over combinations of codes: `query`, `matrix`, `cooccurrence`; and `suggest`,
//! which learns from them.

use std::io::Write;

use super::args::*;
use super::output::{self, Table, thousands};
use super::{Ctx, say};
use crate::analysis::Scope;
use crate::analysis::cooccurrence::{self, Near};
use crate::analysis::matrix::{self, Across, Measure};
use crate::analysis::query::{self, Meet, Unit};
use crate::error::{Error, Result};

impl ScopeArgs {
    /// The scope these flags ask for (documents named by id, GUID or title).
    pub fn resolve(self, conn: &rusqlite::Connection) -> Result<Scope> {
        Ok(Scope {
            participants: self.participant,
            waves: self.wave,
            coders: crate::coding::coder_list(&self.coder),
            groups: self.group,
            rule: self.rule,
            docs: self
                .doc
                .iter()
                .map(|d| crate::corpus::find_document(conn, d))
                .collect::<Result<_>>()?,
        })
    }
}

fn write_file(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    crate::files::write_atomically(path, |w| {
        write(w).map_err(|e| Error::io(path.display().to_string(), e))
    })
}

fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// `narrata query`.
pub(super) fn query(ctx: &Ctx, args: QueryArgs, out: &mut dyn Write) -> Result<i32> {
    let QueryArgs {
        query: text,
        same_turn,
        distance,
        unit,
        no_subcodes,
        text: words,
        scope,
        code_as,
        docx,
        csv,
        json: as_json,
    } = args;
    let mut store = ctx.open()?;
    let scope = scope.resolve(store.conn())?;
    let options = query::Options {
        meet: if same_turn {
            Meet::SameTurn
        } else {
            Meet::Overlap
        },
        distance,
        unit: match unit {
            DistanceArg::Words => Unit::Words,
            DistanceArg::Turns => Unit::Turns,
        },
        with_subcodes: !no_subcodes,
    };
    let outcome = query::run(&store, &text, &scope, &options, words.as_deref())?;
    if let Some(path) = &csv {
        write_file(path, |w| query::write_csv(&outcome, w))?;
    }
    if let Some(path) = &docx {
        crate::export::query_docx(store.conn(), &store.project()?.name, &outcome, path)?;
    }
    let coded = match &code_as {
        Some(path) => Some(query::code_as(
            &mut store,
            &ctx.coder,
            &outcome.passages,
            path,
        )?),
        None => None,
    };
    if as_json {
        return output::json(out, &outcome).map(|_| 0);
    }
    let mut t = Table::new(&["participant", "wave", "lines", "codes", "text"]);
    for f in &outcome.passages {
        t.row(vec![
            if f.participants.is_empty() {
                f.title.clone()
            } else {
                f.participants.join(", ")
            },
            f.wave.clone().unwrap_or_default(),
            if f.line == f.end_line {
                f.line.to_string()
            } else {
                format!("{}–{}", f.line, f.end_line)
            },
            f.codes.join(" + "),
            one_line(&f.text, 80),
        ]);
    }
    t.print(out, "no passages")?;
    say(
        out,
        &format!(
            "{} passage(s) for {} · {} · {:.0} ms",
            thousands(outcome.total as i64),
            outcome.query,
            outcome.scope,
            outcome.took_ms
        ),
    )?;
    if let Some(path) = &csv {
        say(out, &format!("written: {}", path.display()))?;
    }
    if let Some(path) = &docx {
        say(out, &format!("written: {}", path.display()))?;
    }
    if let Some((code, added)) = coded {
        say(
            out,
            &format!("coded {added} passage(s) with `{code}` · `narrata undo` undoes"),
        )?;
    }
    Ok(0)
}

/// `narrata matrix`.
pub(super) fn matrix(ctx: &Ctx, args: MatrixArgs, out: &mut dyn Write) -> Result<i32> {
    let MatrixArgs {
        across,
        measure,
        codes,
        with_subcodes,
        scope,
        csv,
        docx,
        language,
        json: as_json,
    } = args;
    let store = ctx.open()?;
    let scope = scope.resolve(store.conn())?;
    let options = matrix::Options {
        measure: match measure {
            MeasureArg::Codings => Measure::Codings,
            MeasureArg::Words => Measure::Words,
            MeasureArg::Coverage => Measure::Coverage,
        },
        with_subcodes,
        codes,
    };
    let m = matrix::matrix(store.conn(), &scope, &Across::parse(&across), &options)?;
    if let Some(path) = &csv {
        write_file(path, |w| matrix::write_csv(&m, w))?;
    }
    if let Some(path) = &docx {
        let language =
            crate::export::language::Language::choose(store.conn(), language.as_deref())?;
        crate::export::matrix_docx(&store.project()?.name, &m, language, path)?;
    }
    if as_json {
        return output::json(out, &m).map(|_| 0);
    }
    let mut header = vec!["code".to_owned()];
    header.extend(m.columns.iter().map(|c| c.name.clone()));
    header.push("total".into());
    let refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::new(&refs);
    for r in &m.rows {
        let mut line = vec![format!("{}{}", "  ".repeat(r.head.depth), r.head.code)];
        line.extend(r.cells.iter().map(|c| match m.measure {
            Measure::Coverage => {
                if c.codings == 0 {
                    "·".into()
                } else {
                    format!("{:.1}%", c.value(m.measure) * 100.0)
                }
            }
            _ if c.codings == 0 => "·".into(),
            _ => thousands(c.value(m.measure) as i64),
        }));
        line.push(thousands(r.total as i64));
        t.row(line);
    }
    t.print(out, "no codings in this selection")?;
    say(
        out,
        &format!(
            "{} · {} · {:.0} ms",
            match m.measure {
                Measure::Codings => "coded passages",
                Measure::Words => "coded words",
                Measure::Coverage => "coded words ÷ the column's words",
            },
            m.scope,
            m.took_ms
        ),
    )?;
    for path in csv.iter().chain(&docx) {
        say(out, &format!("written: {}", path.display()))?;
    }
    Ok(0)
}

/// `overlap`, `turn` or a number of words.
fn parse_near(s: &str) -> Result<Near> {
    match s.trim().to_lowercase().as_str() {
        "overlap" => Ok(Near::Overlap),
        "turn" | "same-turn" => Ok(Near::SameTurn),
        n => n.parse::<usize>().map(Near::Within).map_err(|_| {
            Error::Invalid(format!(
                "--near takes `overlap`, `turn` or a number of words, not `{s}`"
            ))
        }),
    }
}

/// `narrata cooccurrence`.
pub(super) fn cooccurrence(ctx: &Ctx, args: CooccurrenceArgs, out: &mut dyn Write) -> Result<i32> {
    let CooccurrenceArgs {
        near,
        codes,
        with_subcodes,
        scope,
        csv,
        json: as_json,
    } = args;
    let near = parse_near(&near)?;
    let store = ctx.open()?;
    let scope = scope.resolve(store.conn())?;
    let options = matrix::Options {
        measure: Measure::Codings,
        with_subcodes,
        codes,
    };
    let c = cooccurrence::cooccurrence(store.conn(), &scope, near, &options)?;
    if let Some(path) = &csv {
        write_file(path, |w| cooccurrence::write_csv(&c, w))?;
    }
    if as_json {
        return output::json(out, &c).map(|_| 0);
    }
    // Columns are numbered: code names across the top would make the table unreadably wide.
    let mut header = vec!["#".to_owned(), "code".to_owned()];
    header.extend((1..=c.codes.len()).map(|i| i.to_string()));
    let refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::new(&refs);
    for (i, h) in c.codes.iter().enumerate() {
        let mut line = vec![(i + 1).to_string(), h.path.clone()];
        line.extend(c.cells[i].iter().enumerate().map(|(j, p)| {
            if i == j {
                format!("({})", p.count)
            } else if p.count == 0 {
                "·".into()
            } else {
                format!("{} {:.2}", p.count, p.jaccard)
            }
        }));
        t.row(line);
    }
    t.print(out, "no codings in this selection")?;
    say(
        out,
        &format!(
            "pairs of passages that meet ({}) and the Jaccard ratio; (n) passages of the code · {} · {:.0} ms",
            match near {
                Near::Overlap => "overlapping".to_owned(),
                Near::SameTurn => "in the same turn".to_owned(),
                Near::Within(w) => format!("at most {w} words apart"),
            },
            c.scope,
            c.took_ms
        ),
    )?;
    if let Some(path) = &csv {
        say(out, &format!("written: {}", path.display()))?;
    }
    Ok(0)
}

/// `narrata suggest`.
pub(super) fn suggest(ctx: &Ctx, args: SuggestArgs, out: &mut dyn Write) -> Result<i32> {
    let store = ctx.open()?;
    if args.evaluate {
        let e = crate::suggest::evaluate(store.conn())?;
        if args.json {
            return output::json(out, &e).map(|_| 0);
        }
        say(
            out,
            &format!(
                "{} coded participant turns in {} documents, each predicted by a model that never saw its document:",
                e.turns, e.documents
            ),
        )?;
        let mut t = Table::new(&["", "precision@1", "precision@3"]);
        t.row(vec![
            "suggestions".into(),
            format!("{:.2}", e.precision_at_1),
            format!("{:.2}", e.precision_at_3),
        ]);
        t.row(vec![
            "most frequent codes".into(),
            format!("{:.2}", e.baseline_at_1),
            format!("{:.2}", e.baseline_at_3),
        ]);
        t.print(out, "")?;
        let mut t = Table::new(&["score from", "turns shown", "precision@1 of those"]);
        for r in &e.thresholds {
            t.row(vec![
                format!("{:.1}", r.threshold),
                format!("{:.0}%", r.shown * 100.0),
                format!("{:.2}", r.precision_at_1),
            ]);
        }
        t.print(out, "")?;
        return Ok(0);
    }
    let doc = match &args.doc {
        Some(d) => Some(crate::corpus::find_document(store.conn(), d)?),
        None => None,
    };
    let threshold = if args.all {
        0.0
    } else {
        crate::suggest::THRESHOLD
    };
    let found = crate::suggest::suggest(store.conn(), doc, args.limit, threshold)?;
    if args.json {
        return output::json(out, &found).map(|_| 0);
    }
    for turn in &found {
        say(
            out,
            &format!(
                "document {} · r. {} · {}",
                turn.doc,
                turn.line,
                one_line(&turn.text, 90)
            ),
        )?;
        for s in &turn.suggestions {
            say(
                out,
                &format!(
                    "  {:.2}  {}  (like coding {})",
                    s.score,
                    s.code,
                    s.because
                        .iter()
                        .take(3)
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )?;
        }
    }
    say(
        out,
        &format!(
            "{} uncoded turn(s) with a suggestion{} · learned from this project's codings only · `narrata codings --json` shows the passages named",
            found.len(),
            if args.all {
                String::new()
            } else {
                format!(" from score {:.1} on", crate::suggest::THRESHOLD)
            }
        ),
    )?;
    let learned = crate::suggest::codings_learned_from(store.conn())?;
    if learned < crate::suggest::FEW_CODINGS {
        say(
            out,
            &format!(
                "note: learned from only {learned} coding(s); with about 100, suggestions were little or no better than the most frequent code (docs/ANALYSIS.md) — check them against the codebook"
            ),
        )?;
    }
    Ok(0)
}
