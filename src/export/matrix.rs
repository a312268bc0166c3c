//! A code matrix as a Word report: what was counted and over what, the matrix as a heat map in
//! the codes' colours, and the same figures as a table (split into tables of a page's width).

use std::path::Path;

use super::docx::{heading, labelled, made_in, pictures, save, styled, text};
use super::language::{Language, Words, fill};
use super::table::grid;
use crate::analysis::matrix::{Matrix, Measure};
use crate::chart::{self, HeatRow, Rgb};
use crate::error::Result;

/// Columns per table beside the code column: more would not fit a portrait page.
const TABLE_COLUMNS: usize = 8;

/// A cell's figure as the report prints it ("–" for nothing).
fn figure(m: &Matrix, value: f64, codings: usize, w: &Words) -> String {
    if codings == 0 {
        return "–".to_owned();
    }
    match m.measure {
        Measure::Coverage => w.percent(value),
        _ => format!("{}", value.round() as i64),
    }
}

/// Writes `m` to `path` in `language`.
pub fn matrix_docx(project: &str, m: &Matrix, language: Language, path: &Path) -> Result<()> {
    let w = language.words();
    let (counted, short) = w.measures[match m.measure {
        Measure::Codings => 0,
        Measure::Words => 1,
        Measure::Coverage => 2,
    }];
    use crate::analysis::matrix::Across;
    let across = match &m.across {
        Across::Participant => w.across[0].to_owned(),
        Across::Document => w.across[1].to_owned(),
        Across::Wave => w.across[2].to_owned(),
        Across::Group => w.across[3].to_owned(),
        Across::Attribute(a) => fill(w.across[4], &[("key", a)]),
    };
    let mut doc = styled()
        .add_paragraph(text(&format!("{} — {project}", w.matrix_title)).style("Title"))
        .add_paragraph(made_in(w))
        .add_paragraph(labelled(w.codes_across, &across))
        .add_paragraph(labelled(w.counted, counted))
        .add_paragraph(labelled(w.scope, &m.scope));
    let largest = m
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| c.value(m.measure)))
        .fold(0.0f64, f64::max);
    let columns: Vec<String> = m.columns.iter().map(|c| c.name.clone()).collect();
    // A sub-code without a colour of its own takes the nearest ancestor's (rows come in tree
    // order, each parent before its sub-codes).
    let mut ancestors: Vec<Option<Rgb>> = Vec::new();
    let rows: Vec<HeatRow> = m
        .rows
        .iter()
        .map(|r| HeatRow {
            label: format!("{}{}", "  ".repeat(r.head.depth), r.head.code),
            colour: {
                ancestors.truncate(r.head.depth);
                let own = r.head.color.as_deref().and_then(Rgb::parse);
                let colour = own.or_else(|| ancestors.iter().rev().find_map(|c| *c));
                ancestors.resize(r.head.depth, None);
                ancestors.push(colour);
                colour
            },
            cells: r
                .cells
                .iter()
                .map(|c| {
                    let v = c.value(m.measure);
                    (
                        if largest > 0.0 { v / largest } else { 0.0 },
                        figure(m, v, c.codings, w),
                    )
                })
                .collect(),
        })
        .collect();
    let caption = fill(w.heat_caption, &[("across", &across), ("measure", short)]);
    for p in pictures(&chart::heat_map(&columns, &rows), &caption) {
        doc = doc.add_paragraph(p);
    }
    doc = doc.add_paragraph(heading(w.figures, 1));
    if m.rows.is_empty() {
        doc = doc.add_paragraph(text(w.no_codings));
    }
    for first in (0..m.columns.len().max(1)).step_by(TABLE_COLUMNS) {
        if m.rows.is_empty() {
            break;
        }
        let shown = first..(first + TABLE_COLUMNS).min(m.columns.len());
        let last_part = shown.end == m.columns.len();
        let mut header = vec![w.code.to_owned()];
        header.extend(m.columns[shown.clone()].iter().map(|c| c.name.clone()));
        if last_part {
            header.push(w.total.to_owned());
        }
        let mut table = Vec::new();
        for r in &m.rows {
            let mut cells = vec![format!(
                "{}{}",
                "\u{a0}\u{a0}".repeat(r.head.depth),
                r.head.code
            )];
            cells.extend(
                r.cells[shown.clone()]
                    .iter()
                    .map(|c| figure(m, c.value(m.measure), c.codings, w)),
            );
            if last_part {
                cells.push(r.total.to_string());
            }
            table.push(cells);
        }
        doc = doc.add_table(grid(&header, table)).add_paragraph(text(""));
    }
    doc = doc.add_paragraph(text(w.total_note));
    save(doc, path)
}
