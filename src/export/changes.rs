//! The change report as a Word document: per participant the codes × waves grid with labels,
//! pen portraits and, for each code that changed, the coded excerpts of each wave side by side
//! with their citations; then the cohort grid.

use std::path::Path;

use docx_rs::{Table, TableCell, TableRow};
use rusqlite::Connection;

use super::docx::{bold_cell, heading, styled, table, text};
use crate::change::{self, Cohort};
use crate::coding::{self, Filter};
use crate::error::Result;

/// Writes the change report to `path`.
pub fn changes_docx(
    conn: &Connection,
    project: &str,
    options: &change::Options,
    path: &Path,
) -> Result<()> {
    let t = change::table(conn, options)?;
    let cohort: Cohort = change::cohort(conn, options)?;
    let mut doc = styled()
        .add_paragraph(text(&format!("Change across waves — {project}")).style("Title"))
        .add_paragraph(text(&format!(
            "Made by narrata {} on {}.",
            env!("CARGO_PKG_VERSION"),
            chrono::Utc::now().format("%Y-%m-%d")
        )))
        .add_paragraph(text(change::NOTE).style("Quote"))
        .add_paragraph(text(&change::coders_counted(&t.coders)));
    if t.rows.iter().any(|r| r.coders_differ) {
        doc = doc.add_paragraph(text(change::CODERS_DIFFER));
    }
    if let Some(note) = change::unassigned_note(t.unassigned_documents) {
        doc = doc.add_paragraph(text(&note));
    }
    let mut participants: Vec<&str> = t.rows.iter().map(|r| r.participant.as_str()).collect();
    participants.dedup();
    for p in participants {
        doc = doc.add_paragraph(heading(p, 1));
        let header: Vec<String> = std::iter::once("code".to_owned())
            .chain(t.waves.iter().cloned())
            .chain(["change".to_owned(), "confirmed".to_owned()])
            .collect();
        let rows: Vec<&change::Row> = t
            .rows
            .iter()
            .filter(|r| r.participant == p && (r.change != "absent" || r.confirmed.is_some()))
            .collect();
        let grid =
            rows.iter()
                .map(|r| {
                    let mut line = vec![r.code.clone()];
                    line.extend(r.cells.iter().map(|c| {
                        match (c.interviewed, c.codings, c.coverage) {
                            (false, ..) => "not interviewed".to_owned(),
                            (true, Some(0), _) => "–".to_owned(),
                            (true, Some(n), Some(cov)) => format!("{n} ({:.1}%)", cov * 100.0),
                            _ => String::new(),
                        }
                    }));
                    line.push(format!(
                        "{}{}",
                        r.change,
                        if r.coders_differ { " †" } else { "" }
                    ));
                    line.push(match (&r.confirmed, &r.memo) {
                        (Some(l), Some(m)) => format!("{l}: {m}"),
                        (Some(l), None) => l.clone(),
                        _ => String::new(),
                    });
                    line
                })
                .collect();
        doc = doc.add_table(table(&header, grid));
        let portraits: Vec<&change::Portrait> =
            t.portraits.iter().filter(|x| x.participant == p).collect();
        if !portraits.is_empty() {
            doc = doc.add_paragraph(heading("Pen portraits", 2));
            for x in portraits {
                doc = doc.add_paragraph(text(&format!("{}: {}", x.wave, x.text)));
            }
        }
        for r in rows.iter().filter(|r| {
            matches!(
                r.change.as_str(),
                "emerged" | "ceased" | "increased" | "decreased" | "fluctuating"
            )
        }) {
            doc = doc.add_paragraph(heading(&format!("{} — {}", r.code, r.change), 2));
            let mut columns = Vec::new();
            for w in &t.waves {
                let filter = Filter {
                    code: Some(r.code.clone()),
                    with_subcodes: options.roll_up,
                    participant: Some(p.to_owned()),
                    wave: Some(w.clone()),
                    coders: options.coders.clone(),
                    ..Filter::default()
                };
                // A quote two coders coded is shown once, naming both.
                let excerpts = coding::passages(conn, coding::list(conn, &filter)?)?;
                let mut c = TableCell::new();
                if excerpts.is_empty() {
                    c = c.add_paragraph(text("–"));
                }
                for x in excerpts {
                    let e = &x.coding;
                    let lines = if e.line == e.end_line {
                        e.line.to_string()
                    } else {
                        format!("{}–{}", e.line, e.end_line)
                    };
                    let quote = e.text.split_whitespace().collect::<Vec<_>>().join(" ");
                    let by = if t.coders.len() > 1 {
                        format!(" [{}]", x.coders.join(", "))
                    } else {
                        String::new()
                    };
                    c = c.add_paragraph(text(&format!("“{quote}” ({p}, {w}, r. {lines}){by}")));
                }
                columns.push(c);
            }
            let header = TableRow::new(t.waves.iter().map(|w| bold_cell(w)).collect());
            doc = doc.add_table(Table::new(vec![header, TableRow::new(columns)]));
        }
    }
    doc = doc.add_paragraph(heading("Cohort", 1));
    let header: Vec<String> = std::iter::once("code".to_owned())
        .chain(cohort.waves.iter().cloned())
        .chain(["kept", "gained", "lost", "never"].map(str::to_owned))
        .collect();
    let rows = cohort
        .codes
        .iter()
        .map(|r| {
            let mut line = vec![r.code.clone()];
            line.extend(r.cells.iter().map(|c| format!("{}/{}", c.n, c.of)));
            line.extend([r.kept, r.gained, r.lost, r.never].map(|n| n.to_string()));
            line
        })
        .collect();
    doc = doc.add_table(table(&header, rows)).add_paragraph(text(&format!(
        "n/N: participants with the code / participants interviewed; kept, gained, lost, never: between {} and {}. {} {}",
        cohort.waves.first().cloned().unwrap_or_default(),
        cohort.waves.last().cloned().unwrap_or_default(),
        change::coders_counted(&cohort.coders),
        change::NOTE
    )));
    super::docx::save(doc, path)
}
