//! The change report as a Word document: per participant the codes × waves grid with labels,
//! pen portraits and, for each code that changed, the coded excerpts of each wave side by side
//! with their citations; then the cohort grid.

use std::path::Path;

use docx_rs::{Table, TableCell, TableRow};
use rusqlite::Connection;

use super::docx::{bold_cell, cell, heading, pictures, styled, text};
use crate::change::{self, Cohort};
use crate::chart::{self, Bar, BarGroup, Rgb};
use crate::coding::{self, Filter};
use crate::error::Result;

/// Each code's colour by its name and by its path (the tables name codes either way); a code
/// without a colour of its own takes its nearest ancestor's, so sub-codes chart in their
/// theme's colour.
fn code_colours(conn: &Connection) -> Result<std::collections::HashMap<String, Option<String>>> {
    let codes = crate::codebook::codes(conn)?;
    let by_id: std::collections::HashMap<i64, &crate::codebook::Code> =
        codes.iter().map(|c| (c.id, c)).collect();
    let mut out = std::collections::HashMap::new();
    for c in &codes {
        let mut colour = c.color.clone();
        let mut up = c.parent;
        while colour.is_none()
            && let Some(parent) = up.and_then(|id| by_id.get(&id))
        {
            colour = parent.color.clone();
            up = parent.parent;
        }
        out.insert(c.name.clone(), colour.clone());
        out.insert(c.path.clone(), colour);
    }
    Ok(out)
}

fn colour_of(
    colours: &std::collections::HashMap<String, Option<String>>,
    code: &str,
) -> Option<Rgb> {
    colours.get(code)?.as_deref().and_then(Rgb::parse)
}

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
        // Coverage per wave drawn beneath the grid, the longest bar the participant's largest
        // coverage in this table.
        let largest = rows
            .iter()
            .flat_map(|r| r.cells.iter().filter_map(|c| c.coverage))
            .fold(0.0f64, f64::max);
        let mut grid = vec![TableRow::new(header.iter().map(|h| bold_cell(h)).collect())];
        let mut groups = Vec::new();
        for r in &rows {
            let figures: Vec<(Option<f64>, String)> = r
                .cells
                .iter()
                .map(|c| match (c.interviewed, c.codings, c.coverage) {
                    (false, ..) => (None, "not interviewed".to_owned()),
                    (true, Some(0), _) => (Some(0.0), "–".to_owned()),
                    (true, Some(n), Some(cov)) => (
                        Some(if largest > 0.0 { cov / largest } else { 0.0 }),
                        format!("{n} ({:.1}%)", cov * 100.0),
                    ),
                    _ => (None, String::new()),
                })
                .collect();
            let mut cells = vec![cell(&r.code)];
            cells.extend(figures.iter().map(|(_, f)| cell(f)));
            groups.push(BarGroup {
                label: r.code.clone(),
                colour: colour_of(&colours, &r.code),
                bars: t
                    .waves
                    .iter()
                    .zip(figures)
                    .map(|(w, (share, figure))| Bar {
                        series: w.clone(),
                        share,
                        figure,
                    })
                    .collect(),
            });
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
        let caption = format!(
            "{p}: coverage per wave, each code's bars from its first wave (light) to its last (full colour); the longest bar is {p}'s largest coverage in the table."
        );
        for para in pictures(&chart::bars(&groups), &caption) {
            doc = doc.add_paragraph(para);
        }
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
    // Each wave's n/N in the table, and drawn as bars (n ÷ N) beneath it.
    let mut rows = vec![TableRow::new(header.iter().map(|h| bold_cell(h)).collect())];
    let mut groups = Vec::new();
    for r in &cohort.codes {
        let mut cells = vec![cell(&r.code)];
        cells.extend(r.cells.iter().map(|c| cell(&format!("{}/{}", c.n, c.of))));
        cells.extend([r.kept, r.gained, r.lost, r.never].map(|n| cell(&n.to_string())));
        rows.push(TableRow::new(cells));
        groups.push(BarGroup {
            label: r.code.clone(),
            colour: colour_of(&colours, &r.code),
            bars: cohort
                .waves
                .iter()
                .zip(&r.cells)
                .map(|(w, c)| Bar {
                    series: w.clone(),
                    share: (c.of > 0).then(|| c.n as f64 / c.of as f64),
                    figure: format!("{}/{}", c.n, c.of),
                })
                .collect(),
        });
    }
    doc = doc.add_table(Table::new(rows));
    for para in pictures(
        &chart::bars(&groups),
        "The cohort: the share of the participants interviewed in each wave who have the code (n/N), each code's bars from its first wave (light) to its last (full colour).",
    ) {
        doc = doc.add_paragraph(para);
    }
    doc = doc.add_paragraph(text(&format!(
        "n/N: participants with the code / participants interviewed (the bar: n ÷ N); kept, gained, lost, never: between {} and {}. {} {}",
        cohort.waves.first().cloned().unwrap_or_default(),
        cohort.waves.last().cloned().unwrap_or_default(),
        change::coders_counted(&cohort.coders),
        change::NOTE
    )));
    super::docx::save(doc, path)
}
