//! How the command line prints: aligned tables, JSON, numbers with thousands separators,
//! transcripts with line numbers.

use std::io::Write;

use serde::Serialize;

use crate::demo::Summary;
use crate::error::{Error, Result};
use crate::import::ImportReport;

fn io(e: std::io::Error) -> Error {
    Error::io("stdout", e)
}

/// Prints a value as pretty JSON followed by a newline.
pub fn json<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Internal(e.to_string()))?;
    writeln!(out, "{text}").map_err(io)
}

/// Prints a command's result: as JSON with `--json`, else as people read it (`text`). Commands
/// whose two forms are one statement each print through this; the others call [`json`] first
/// and return, then build their table.
pub fn emit<T: Serialize + ?Sized>(
    out: &mut dyn Write,
    as_json: bool,
    value: &T,
    text: impl FnOnce(&mut dyn Write, &T) -> Result<()>,
) -> Result<()> {
    if as_json {
        json(out, value)
    } else {
        text(out, value)
    }
}

pub use crate::format::thousands;

/// `{"site": "Leiden"}` → `site=Leiden`.
pub fn attributes(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

/// A plain aligned table.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Table {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Prints the table, or `empty` when it has no rows.
    pub fn print(&self, out: &mut dyn Write, empty: &str) -> Result<()> {
        if self.rows.is_empty() {
            return writeln!(out, "{empty}").map_err(io);
        }
        let width = |i: usize| {
            self.rows
                .iter()
                .map(|r| r[i].chars().count())
                .chain([self.header[i].chars().count()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.header.len()).map(width).collect();
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i + 1 == cells.len() {
                    s.push_str(c);
                } else {
                    s.push_str(&format!("{c:<w$}  ", w = widths[i]));
                }
            }
            s.trim_end().to_owned()
        };
        writeln!(out, "{}", line(&self.header)).map_err(io)?;
        for r in &self.rows {
            writeln!(out, "{}", line(r)).map_err(io)?;
        }
        Ok(())
    }
}

/// Prints a transcript with line numbers and the codes of each line in a margin, or exactly
/// as stored with `raw`.
pub fn show(
    out: &mut dyn Write,
    text: &str,
    from: Option<usize>,
    to: Option<usize>,
    raw: bool,
    codings: &[crate::coding::Coding],
) -> Result<()> {
    let from = from.unwrap_or(1).max(1);
    let to = to.unwrap_or(usize::MAX);
    if from > to {
        return Err(Error::Invalid(format!(
            "--from-line {from} comes after --to-line {to}"
        )));
    }
    if raw && from == 1 && to == usize::MAX {
        return out.write_all(text.as_bytes()).map_err(io);
    }
    let total = text.split_inclusive('\n').count();
    let width = total.to_string().len();
    let text_width = text
        .split('\n')
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .min(100);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let n = i + 1;
        if n < from || n > to {
            continue;
        }
        if raw {
            out.write_all(line.as_bytes()).map_err(io)?;
            continue;
        }
        let line = line.trim_end_matches('\n');
        let mut margin: Vec<&str> = Vec::new();
        for c in codings
            .iter()
            .filter(|c| c.line <= n as i64 && c.end_line >= n as i64)
        {
            if !margin.contains(&c.code.as_str()) {
                margin.push(&c.code);
            }
        }
        if margin.is_empty() {
            writeln!(out, "{n:>width$}  {line}").map_err(io)?;
        } else {
            let pad = text_width.saturating_sub(line.chars().count());
            writeln!(
                out,
                "{n:>width$}  {line}{}  │ {}",
                " ".repeat(pad),
                margin.join(" · ")
            )
            .map_err(io)?;
        }
    }
    Ok(())
}

pub fn import_report(out: &mut dyn Write, r: &ImportReport) -> Result<()> {
    for f in &r.files {
        let line = match (f.status, f.document) {
            ("imported", Some(id)) => format!(
                "imported {} as document {id} ({}, {} words, {} turns)",
                f.file,
                f.title.as_deref().unwrap_or(""),
                thousands(f.words as i64),
                f.turns
            ),
            ("staged", _) => format!(
                "staged   {} for review ({})",
                f.file,
                f.title.as_deref().unwrap_or("")
            ),
            ("refused", _) => format!(
                "NOT imported {}: {}",
                f.file,
                f.reason.as_deref().unwrap_or("")
            ),
            _ => format!("skipped  {}", f.file),
        };
        writeln!(out, "{line}").map_err(io)?;
        for n in &f.notes {
            writeln!(out, "         note: {n}").map_err(io)?;
        }
    }
    if !r.ignored.is_empty() {
        let shown: Vec<&str> = r.ignored.iter().take(3).map(String::as_str).collect();
        writeln!(
            out,
            "left alone {} file(s) of other types ({}{})",
            r.ignored.len(),
            shown.join(", "),
            if r.ignored.len() > 3 { ", …" } else { "" }
        )
        .map_err(io)?;
    }
    if r.staged > 0 {
        writeln!(
            out,
            "{} file(s) staged for review: list the suggestions with `narrata anonymise scan`, reject false ones with `narrata anonymise reject ID…`, then `narrata anonymise apply`",
            r.staged
        )
        .map_err(io)?;
    }
    writeln!(
        out,
        "{} imported ({} words), {} skipped, in {:.2} s",
        r.imported,
        thousands(r.words as i64),
        r.skipped,
        r.took_ms as f64 / 1000.0
    )
    .map_err(io)?;
    if r.refused > 0 {
        writeln!(
            out,
            "{} file(s) NOT imported (listed above; each file is imported whole or not at all): mend them and run the same import again, the files already imported are skipped",
            r.refused
        )
        .map_err(io)?;
    }
    Ok(())
}

pub fn demo_summary(out: &mut dyn Write, s: &Summary) -> Result<()> {
    let text = format!(
        "demo project \"{}\" is ready in {}\n  {} documents ({} words), {} participants, waves {}\n  {} codes, {} codings\n  {} identifiers replaced by pseudonyms; the key's passphrase is `{}` (the people are fictional: this key guards nothing)\n  {} imported now in {:.2} s\n\ntry (in {}):\n  narrata docs\n  narrata show 3\n  narrata search hoop --wave T3\n  narrata changes --participant P01 --roll-up\n  narrata changes --cohort --roll-up\n  NARRATA_PASSPHRASE={} narrata anonymise list 1 --originals\n  NARRATA_PASSPHRASE={} narrata privacy-check\n",
        s.name,
        s.project,
        s.documents,
        thousands(s.words),
        s.participants,
        s.waves.join(", "),
        s.codes,
        thousands(s.codings as i64),
        s.pseudonyms,
        s.passphrase,
        s.imported_now,
        s.took_ms as f64 / 1000.0,
        s.project,
        s.passphrase,
        s.passphrase
    );
    out.write_all(text.as_bytes()).map_err(io)
}

/// Search hits as keyword-in-context lines aligned on the first match.
pub fn search_results(
    out: &mut dyn Write,
    store: &crate::store::Store,
    r: &crate::search::Results,
) -> Result<()> {
    let width = 42;
    for h in &r.hits {
        let text = crate::corpus::text(store.conn(), h.doc)?;
        let first = h.matches.first().copied().unwrap_or([h.start, h.start]);
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let left_raw = crate::offsets::slice_chars(&text, h.start as usize, first[0] as usize);
        // A space around the marked word only where the text has one ("Elke [dinsdag].").
        let space_before = if left_raw.ends_with(char::is_whitespace) {
            " "
        } else {
            ""
        };
        let left = flat(left_raw);
        let word = flat(crate::offsets::slice_chars(
            &text,
            first[0] as usize,
            first[1] as usize,
        ));
        let right_raw = crate::offsets::slice_chars(&text, first[1] as usize, h.end as usize);
        let space_after = if right_raw.starts_with(char::is_whitespace) {
            " "
        } else {
            ""
        };
        let right = flat(right_raw);
        let left: String = {
            let chars: Vec<char> = left.chars().collect();
            let keep = chars.len().min(width);
            let tail: String = chars[chars.len() - keep..].iter().collect();
            if chars.len() > width {
                format!("…{tail}")
            } else {
                tail
            }
        };
        let right: String = {
            let chars: Vec<char> = right.chars().collect();
            let head: String = chars.iter().take(width).collect();
            if chars.len() > width {
                format!("{head}…")
            } else {
                head
            }
        };
        let place = format!(
            "{}:{} {} {}",
            h.doc,
            h.line,
            h.participant.as_deref().unwrap_or(&h.speaker),
            h.wave.as_deref().unwrap_or("")
        );
        // A word found inside a compound is marked {thus}, a word itself [thus].
        let (open, close) = if h.compound { ('{', '}') } else { ('[', ']') };
        writeln!(
            out,
            "{place:<18} {left:>w$}{open}{word}{close}{space_after}{right}",
            left = format!("{left}{space_before}"),
            w = width + 2
        )
        .map_err(io)?;
    }
    for note in &r.notes {
        writeln!(out, "note: {note}").map_err(io)?;
    }
    writeln!(
        out,
        "{} hit(s){}{}, {:.1} ms{}",
        r.total,
        if r.in_compounds > 0 {
            format!(
                " ({} only inside compound words, marked {{…}}, after the others)",
                r.in_compounds
            )
        } else {
            String::new()
        },
        if r.total > r.hits.len() {
            format!(", {} shown", r.hits.len())
        } else {
            String::new()
        },
        r.took_ms,
        if r.rebuilt {
            " (the index was rebuilt first)"
        } else {
            ""
        }
    )
    .map_err(io)
}

/// The change table: one line per participant and code, a cell per wave.
pub fn changes(out: &mut dyn Write, t: &crate::change::Table, all: bool) -> Result<()> {
    let mut table = Table::new(
        &[
            &["participant", "code"][..],
            &t.waves.iter().map(String::as_str).collect::<Vec<_>>()[..],
            &["change", "confirmed"][..],
        ]
        .concat(),
    );
    let mut hidden = 0;
    for r in &t.rows {
        if r.change == "absent" && r.confirmed.is_none() && !all {
            hidden += 1;
            continue;
        }
        let mut cells = vec![r.participant.clone(), r.code.clone()];
        for c in &r.cells {
            cells.push(match (c.interviewed, c.codings, c.coverage) {
                (false, ..) => "not interviewed".into(),
                (true, Some(0), _) => "·".into(),
                (true, Some(n), Some(cov)) => format!("{n} ({:.1}%)", cov * 100.0),
                _ => String::new(),
            });
        }
        cells.push(format!(
            "{}{}",
            r.change,
            if r.coders_differ { " †" } else { "" }
        ));
        cells.push(match (&r.confirmed, &r.memo) {
            (Some(l), Some(m)) => format!("{l}: {m}"),
            (Some(l), None) => l.clone(),
            _ => String::new(),
        });
        table.row(cells);
    }
    table.print(out, "no codings to compare yet")?;
    let marked = t.rows.iter().any(|r| r.coders_differ);
    for p in &t.portraits {
        writeln!(
            out,
            "\n{} {} (pen portrait, {}): {}",
            p.participant, p.wave, p.coder, p.text
        )
        .map_err(io)?;
    }
    if hidden > 0 {
        writeln!(
            out,
            "({hidden} rows whose code is absent in every wave are not shown; --all shows them)"
        )
        .map_err(io)?;
    }
    if marked {
        writeln!(out, "{}", crate::change::CODERS_DIFFER).map_err(io)?;
    }
    if let Some(note) = crate::change::unassigned_note(t.unassigned_documents) {
        writeln!(out, "{note}").map_err(io)?;
    }
    writeln!(
        out,
        "Cells: coded passages (coverage of the participant's own words). {} {}",
        crate::change::coders_counted(&t.coders),
        t.note
    )
    .map_err(io)
}

/// What a REFI-QDA import did: the counts, every source not imported as a document of its
/// own with the reason, documents still to assign, and whatever had no place.
pub fn qdpx_report(out: &mut dyn Write, file: &str, r: &crate::refi::load::Report) -> Result<()> {
    writeln!(
        out,
        "{file}: from {}: {} document(s) added ({} already here), {} code(s) added, {} updated, {} coding(s) added ({} already here), {} memo(s), {} group(s), {} identifier(s) replaced by pseudonyms",
        if r.origin.is_empty() {
            "an unnamed tool"
        } else {
            &r.origin
        },
        r.documents_added,
        r.documents_known,
        r.codes_added,
        r.codes_updated,
        r.codings_added,
        r.codings_known,
        r.memos_added,
        r.groups_added,
        r.identifiers_replaced
    )
    .map_err(io)?;
    for s in &r.skipped {
        writeln!(out, "  {}: {}", s.source, s.reason).map_err(io)?;
    }
    if r.documents_unassigned > 0 {
        writeln!(
            out,
            "  {} document(s) have no participant or wave yet (the file does not say): they are left out of change analyses until `narrata docs set DOC --participant P --wave W` assigns them",
            r.documents_unassigned
        )
        .map_err(io)?;
    }
    if !r.not_brought.is_empty() {
        writeln!(out, "  not brought in (narrata has no place for them):").map_err(io)?;
        for n in &r.not_brought {
            writeln!(out, "    {} {}", n.count, n.what).map_err(io)?;
        }
    }
    Ok(())
}

/// The cohort view: n/N per code and wave, and movement between the first and last wave.
pub fn cohort(out: &mut dyn Write, c: &crate::change::Cohort) -> Result<()> {
    let (from, to) = (
        c.waves.first().cloned().unwrap_or_default(),
        c.waves.last().cloned().unwrap_or_default(),
    );
    let header: Vec<String> = std::iter::once("code".to_owned())
        .chain(c.waves.iter().cloned())
        .chain([
            format!("kept {from}→{to}"),
            "gained".into(),
            "lost".into(),
            "never".into(),
        ])
        .collect();
    let mut t = Table::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
    for r in &c.codes {
        let mut row = vec![r.code.clone()];
        row.extend(r.cells.iter().map(|x| format!("{}/{}", x.n, x.of)));
        row.extend([r.kept, r.gained, r.lost, r.never].map(|n| n.to_string()));
        t.row(row);
    }
    t.print(out, "no codes yet")?;
    writeln!(
        out,
        "n/N: participants with the code / participants interviewed. {} {}",
        crate::change::coders_counted(&c.coders),
        c.note
    )
    .map_err(io)
}

/// The lexical shift between two waves.
pub fn lexical(out: &mut dyn Write, l: &crate::change::Lexical) -> Result<()> {
    writeln!(
        out,
        "{}: words whose rate changed most from {} to {} (per 1,000 words, log-likelihood G²)",
        l.participant, l.from, l.to
    )
    .map_err(io)?;
    writeln!(
        out,
        "{} words in {}, {} in {}{}",
        thousands(l.words[0] as i64),
        l.from,
        thousands(l.words[1] as i64),
        l.to,
        if l.without_function_words {
            "; function words left out of the list (still counted)"
        } else {
            ""
        }
    )
    .map_err(io)?;
    if l.too_small {
        writeln!(
            out,
            "too few words to read: a wave needs {} words of the participant's own for this list to say more than chance",
            thousands(crate::change::MIN_WORDS as i64)
        )
        .map_err(io)?;
    }
    let mut t = Table::new(&["word", &l.from, &l.to, "G²"]);
    for k in &l.keywords {
        t.row(vec![
            k.word.clone(),
            format!("{:.1}", k.from_rate),
            format!("{:.1}", k.to_rate),
            format!("{:.2}", k.g2),
        ]);
    }
    t.print(out, "")?;
    for p in &l.pronouns {
        writeln!(
            out,
            "{}: first person singular {:.1}, plural {:.1} per 1,000 words",
            p.wave, p.singular_rate, p.plural_rate
        )
        .map_err(io)?;
    }
    Ok(())
}

fn measure(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.3}")).unwrap_or_else(|| "–".into())
}

/// `agreement`: a row per code, then everything pooled.
pub fn agreement(out: &mut dyn Write, r: &crate::agreement::Report) -> Result<()> {
    let header: Vec<String> = std::iter::once("code".to_owned())
        .chain(r.coders.iter().map(|c| format!("coded by {c}")))
        .chain(["agreement", "kappa", "alpha"].map(str::to_owned))
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::new(&header);
    for c in &r.per_code {
        let mut row = vec![c.code.clone()];
        row.extend(c.coded.iter().map(|n| thousands(*n as i64)));
        row.extend([measure(c.agreement), measure(c.kappa), measure(c.alpha)]);
        t.row(row);
    }
    let mut row = vec!["(all codes pooled)".to_owned()];
    row.extend(r.coders.iter().map(|_| String::new()));
    row.extend([
        measure(r.overall.agreement),
        measure(r.overall.kappa),
        measure(r.overall.alpha),
    ]);
    t.row(row);
    t.print(out, "no codes")?;
    super::say(
        out,
        &format!(
            "units: {} of {} document(s), each counted once per code; kappa only for two coders; – where a measure is undefined (no variation)",
            r.unit, r.documents
        ),
    )
}

/// `agreement --disagreements`: where the coders differ.
pub fn disagreements(
    out: &mut dyn Write,
    list: &[crate::agreement::Disagreement],
    coders: &[String],
) -> Result<()> {
    if list.is_empty() {
        return super::say(
            out,
            &format!("no disagreements between {}", coders.join(", ")),
        );
    }
    let mut code = "";
    for d in list {
        if d.code != code {
            super::say(out, &format!("\n{}", d.code))?;
            code = &d.code;
        }
        let text: String = d.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = if text.chars().count() > 100 {
            format!("{}…", text.chars().take(100).collect::<String>())
        } else {
            text
        };
        super::say(
            out,
            &format!(
                "  doc {} r. {} [{}, {}) only {}: “{}”",
                d.doc,
                d.line,
                d.start,
                d.end,
                d.coded_by.join(", "),
                text
            ),
        )?;
    }
    Ok(())
}

/// `merge`: what came in, what went, what to check.
pub fn merge(out: &mut dyn Write, r: &crate::merge::Report, other: &std::path::Path) -> Result<()> {
    let verb = if r.dry_run { "would bring" } else { "brought" };
    super::say(
        out,
        &format!(
            "{}: {verb} in {} document(s), {} participant(s), {} wave(s), {} code(s), {} coding(s) ({} already here), {} memo(s), {} label override(s), {} history entries; {} coding(s) and {} memo(s) the other copy deleted {}",
            other.display(),
            r.documents_added,
            r.participants_added,
            r.waves_added,
            r.codes_added,
            r.codings_added,
            r.codings_already,
            r.memos_added,
            r.overrides_added,
            r.audit_entries_added,
            r.codings_deleted,
            r.memos_deleted,
            if r.dry_run {
                "would be deleted here"
            } else {
                "were deleted here"
            }
        ),
    )?;
    if r.codings_not_restored > 0 {
        super::say(
            out,
            &format!(
                "{} coding(s) deleted here were not brought back",
                r.codings_not_restored
            ),
        )?;
    }
    for (title, list) in [
        (
            "codes renamed in the other copy (kept as here)",
            &r.codes_renamed_there,
        ),
        (
            "documents whose text differs between the copies (codings re-anchored onto this copy's text; if the other copy redacted something, redact it here too)",
            &r.documents_differing,
        ),
        (
            "codings re-anchored across changed text: please check",
            &r.codings_to_check,
        ),
        (
            "codings whose words are not in this copy's text (not brought in)",
            &r.codings_dropped,
        ),
        (
            "memos edited differently in the two copies",
            &r.memo_conflicts,
        ),
        ("change labels set differently", &r.override_conflicts),
    ] {
        if !list.is_empty() {
            super::say(out, &format!("{title}:"))?;
            for x in list {
                super::say(out, &format!("  {x}"))?;
            }
        }
    }
    if r.dry_run {
        super::say(out, "(dry run: nothing was changed)")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-4500), "-4,500");
    }

    #[test]
    fn show_numbers_lines_and_raw_prints_exactly() {
        let text = "I: a\nP01: b\n\nI: c";
        let mut out = Vec::new();
        show(&mut out, text, Some(2), Some(3), false, &[]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "2  P01: b\n3  \n");
        let mut raw = Vec::new();
        show(&mut raw, text, None, None, true, &[]).unwrap();
        assert_eq!(String::from_utf8(raw).unwrap(), text);
    }
}
