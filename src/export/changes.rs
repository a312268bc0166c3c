//! The change report as a Word document: per participant the codes × waves grid with labels,
//! pen portraits and, for each code that changed, the coded excerpts of each wave side by side
//! with their citations; then the cohort grid.

use std::path::Path;

use docx_rs::{Table, TableCell, TableRow};
use rusqlite::Connection;

use super::docx::{bar_cell, bold_cell, cell, heading, styled, text};
use crate::change::{self, Cohort};
use crate::coding::{self, Filter};
use crate::error::Result;

/// Writes the change report to `path`.
/// Each code's colour by its name and by its path (the tables name codes either way).
fn code_colours(conn: &Connection) -> Result<std::collections::HashMap<String, Option<String>>> {
    let mut out = std::collections::HashMap::new();
    for c in crate::codebook::codes(conn)? {
        out.insert(c.name.clone(), c.color.clone());
        out.insert(c.path.clone(), c.color.clone());
    }
    Ok(out)
}

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
    let colours = code_colours(conn)?;
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
        // Coverage per wave as a bar in the code's colour, the longest bar the participant's
        // largest coverage in this table, with the figure beside it.
        let largest = rows
            .iter()
            .flat_map(|r| r.cells.iter().filter_map(|c| c.coverage))
            .fold(0.0f64, f64::max);
        let mut grid = vec![TableRow::new(header.iter().map(|h| bold_cell(h)).collect())];
        for r in &rows {
            let colour = colours.get(&r.code).and_then(|c| c.as_deref());
            let mut cells = vec![cell(&r.code)];
            cells.extend(
                r.cells
                    .iter()
                    .map(|c| match (c.interviewed, c.codings, c.coverage) {
                        (false, ..) => cell("not interviewed"),
                        (true, Some(0), _) => cell("–"),
                        (true, Some(n), Some(cov)) => bar_cell(
                            if largest > 0.0 { cov / largest } else { 0.0 },
                            colour,
                            &format!("{n} ({:.1}%)", cov * 100.0),
                        ),
                        _ => cell(""),
                    }),
            );
            cells.push(cell(&format!(
                "{}{}",
                r.change,
                if r.coders_differ { " †" } else { "" }
            )));
            cells.push(cell(&match (&r.confirmed, &r.memo) {
                (Some(l), Some(m)) => format!("{l}: {m}"),
                (Some(l), None) => l.clone(),
                _ => String::new(),
            }));
            grid.push(TableRow::new(cells));
        }
        doc = doc.add_table(Table::new(grid));
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
    // Each wave's n/N drawn as a bar in the code's colour beside the figure.
    let mut rows = vec![TableRow::new(header.iter().map(|h| bold_cell(h)).collect())];
    for r in &cohort.codes {
        let colour = colours.get(&r.code).and_then(|c| c.as_deref());
        let mut cells = vec![cell(&r.code)];
        cells.extend(r.cells.iter().map(|c| {
            let share = if c.of == 0 {
                0.0
            } else {
                c.n as f64 / c.of as f64
            };
            bar_cell(share, colour, &format!("{}/{}", c.n, c.of))
        }));
        cells.extend([r.kept, r.gained, r.lost, r.never].map(|n| cell(&n.to_string())));
        rows.push(TableRow::new(cells));
    }
    doc = doc.add_table(Table::new(rows)).add_paragraph(text(&format!(
        "n/N: participants with the code / participants interviewed (the bar: n ÷ N); kept, gained, lost, never: between {} and {}. {} {}",
        cohort.waves.first().cloned().unwrap_or_default(),
        cohort.waves.last().cloned().unwrap_or_default(),
        change::coders_counted(&cohort.coders),
        change::NOTE
    )));
    super::docx::save(doc, path)
}
