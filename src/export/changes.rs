//! The change report as a Word document: per participant interviewed in more than one wave the
//! codes × waves grid with labels and a bar chart of it, pen portraits and, for each code that
//! changed, the coded excerpts of each wave side by side with their citations (a quote two
//! coders coded once); the participants seen once named in one sentence; then the cohort grid
//! and its chart. English or Dutch.

use std::collections::HashMap;
use std::path::Path;

use docx_rs::{Paragraph, TableCell};
use rusqlite::Connection;

use super::docx::{
    BodyWriter, Charts, body_mark, heading, made_in, save_streamed_with_charts, styled, text,
    xml_safe,
};
use super::language::{Language, Words, fill, keep_together};
use super::table::{grid, grid_of_cells};
use crate::change::{self, Cohort};
use crate::chart::{self, Bar, BarGroup, Rgb};
use crate::coding::{self, Filter};
use crate::error::Result;

/// Each code's colour by id, a code without one taking its nearest ancestor's.
pub(super) fn inherited_colour(codes: &[crate::codebook::Code]) -> impl Fn(i64) -> Option<Rgb> {
    let by_id: HashMap<i64, (Option<i64>, Option<Rgb>)> = codes
        .iter()
        .map(|c| (c.id, (c.parent, c.color.as_deref().and_then(Rgb::parse))))
        .collect();
    move |mut id| {
        loop {
            let (parent, colour) = by_id.get(&id)?;
            if colour.is_some() {
                return *colour;
            }
            id = (*parent)?;
        }
    }
}

/// Each code's colour by its name and by its path (the tables name codes either way).
fn code_colours(conn: &Connection) -> Result<HashMap<String, Option<Rgb>>> {
    let codes = crate::codebook::codes_uncounted(conn)?;
    let colour = inherited_colour(&codes);
    let mut out = HashMap::new();
    for c in &codes {
        out.insert(c.name.clone(), colour(c.id));
        out.insert(c.path.clone(), colour(c.id));
    }
    Ok(out)
}

/// Writes the change report to `path`.
pub fn changes_docx(
    conn: &Connection,
    project: &str,
    options: &change::Options,
    language: Language,
    path: &Path,
) -> Result<()> {
    let w = language.words();
    let t = change::table(conn, options)?;
    let cohort: Cohort = match options.participant {
        None => change::cohort_of(conn, options, &t)?,
        Some(_) => change::cohort(conn, options)?,
    };
    let mut doc = styled()
        .add_paragraph(text(&format!("{} — {project}", w.change_title)).style("Title"))
        .add_paragraph(made_in(w))
        .add_paragraph(text(w.change_note).style("Quote"))
        .add_paragraph(text(&w.counted(&t.coders)));
    if t.rows.iter().any(|r| r.coders_differ) {
        doc = doc.add_paragraph(text(w.coders_differ));
    }
    if let Some(note) = change::unassigned_note(t.unassigned_documents) {
        doc = doc.add_paragraph(text(&note));
    }
    let colours = code_colours(conn)?;
    let colour_of = |code: &str| colours.get(code).copied().flatten();
    let mut participants: Vec<&str> = t.rows.iter().map(|r| r.participant.as_str()).collect();
    participants.dedup();
    // A participant interviewed in one wave has no change to show: named once, not given
    // pages of "not interviewed".
    let waves_seen = |p: &str| {
        (0..t.waves.len())
            .filter(|i| {
                t.rows
                    .iter()
                    .any(|r| r.participant == p && r.cells.get(*i).is_some_and(|c| c.interviewed))
            })
            .count()
    };
    let (followed, once): (Vec<&str>, Vec<&str>) =
        participants.into_iter().partition(|p| waves_seen(p) > 1);
    let excerpts = Excerpts::load(conn, options)?;
    // The cohort's grid and chart.
    let cohort_header: Vec<String> = std::iter::once(w.code.to_owned())
        .chain(cohort.waves.iter().cloned())
        .chain(w.cohort_header.map(str::to_owned))
        .collect();
    let mut cohort_rows = Vec::new();
    let mut groups = Vec::new();
    for r in &cohort.codes {
        let mut cells = vec![r.code.clone()];
        cells.extend(r.cells.iter().map(|c| format!("{}/{}", c.n, c.of)));
        cells.extend([r.kept, r.gained, r.lost, r.never].map(|n| n.to_string()));
        cohort_rows.push(cells);
        groups.push(BarGroup {
            label: r.code.clone(),
            colour: colour_of(&r.code),
            bars: cohort
                .waves
                .iter()
                .zip(&r.cells)
                .map(|(wave, c)| Bar {
                    series: wave.clone(),
                    share: (c.of > 0).then(|| c.n as f64 / c.of as f64),
                    figure: format!("{}/{}", c.n, c.of),
                })
                .collect(),
        });
    }
    // The charts are drawn into the package first, one at a time (a picture's file and
    // relationship come before the document); the grids, portraits and excerpts are streamed
    // into the file after them, one participant at a time, and each chart placed in its turn.
    let cohort_chart = followed.len();
    let mut draw = |k: usize| {
        Ok(match followed.get(k) {
            Some(p) => chart::bars(&participant_grid(&t, p, w, &colour_of).2),
            None => chart::bars(&groups),
        })
    };
    let charts = Charts {
        count: followed.len() + 1,
        draw: &mut draw,
    };
    let doc = doc.add_paragraph(body_mark());
    save_streamed_with_charts(doc, path, charts, |out| {
        for (k, p) in followed.iter().enumerate() {
            participant(out, conn, &t, p, k, &excerpts, w, &colour_of)?;
        }
        if !once.is_empty() {
            out.add(&heading(w.seen_once, 1))?;
            out.add(&text(&fill(
                w.seen_once_value,
                &[("participants", &once.join(", "))],
            )))?;
        }
        out.add(&heading(w.cohort, 1))?;
        out.add_table(&grid(&cohort_header, cohort_rows))?;
        out.add_charts(cohort_chart, w.cohort_caption)?;
        out.add(&text(&format!(
            "{} {} {}",
            fill(
                w.cohort_note,
                &[
                    (
                        "first",
                        cohort.waves.first().map(String::as_str).unwrap_or("")
                    ),
                    (
                        "last",
                        cohort.waves.last().map(String::as_str).unwrap_or("")
                    ),
                ],
            ),
            w.counted(&cohort.coders),
            w.change_note
        )))
    })
}

/// Where the codings the report quotes are, found by participant and wave: the ids of every
/// coding the table counts, read in one pass (one query per cell, participant × code × wave,
/// read the whole codings table each time, and a report of 300 participants took ten
/// minutes). The codings themselves, with their text, are read one participant at a time
/// ([`Excerpts::of_participant`]): held for the whole report they were 220 of its 320 MB at
/// 900 participants.
struct Excerpts {
    codes: Vec<crate::codebook::Code>,
    roll_up: bool,
    /// The ids and codes of the codings under each (participant, wave). A coding quoting
    /// several speakers of a group interview is under each of them.
    by_cell: HashMap<(String, String), Vec<(i64, i64)>>,
}

impl Excerpts {
    /// Every coding of the chosen coders in the documents the table counts (its group or
    /// rule, when it has one), under each participant it quotes (the speakers of the turns it
    /// overlaps; an individual interview's participant) and its wave: a report limited to a
    /// group quotes what its grid counts, nothing from outside the group.
    fn load(conn: &Connection, options: &change::Options) -> Result<Excerpts> {
        let filter = Filter {
            coders: options.coders.clone(),
            group: options.group.clone(),
            rule: options.rule.clone(),
            ..Filter::default()
        };
        let mut by_cell: HashMap<(String, String), Vec<(i64, i64)>> = HashMap::new();
        // Where they are and whom they quote; their text is read per participant.
        coding::each_placed(conn, &filter, &mut |c| {
            if let Some(wave) = &c.wave {
                for p in &c.participants {
                    by_cell
                        .entry((p.clone(), wave.clone()))
                        .or_default()
                        .push((c.id, c.code_id));
                }
            }
            Ok(())
        })?;
        Ok(Excerpts {
            codes: crate::codebook::codes_uncounted(conn)?,
            roll_up: options.roll_up,
            by_cell,
        })
    }

    /// Participant `p`'s codings in `waves`, read with their text in one query.
    fn of_participant(
        &self,
        conn: &Connection,
        p: &str,
        waves: &[String],
    ) -> Result<ParticipantExcerpts<'_>> {
        let mut cells = Vec::new();
        let mut ids = Vec::new();
        for wave in waves {
            let list = self
                .by_cell
                .get(&(p.to_owned(), wave.clone()))
                .map_or(&[][..], Vec::as_slice);
            ids.extend(list.iter().map(|&(id, _)| id));
            cells.push((wave.clone(), list));
        }
        ids.sort_unstable();
        ids.dedup();
        let codings = coding::get_many(conn, &ids)?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        Ok(ParticipantExcerpts {
            excerpts: self,
            cells,
            codings,
        })
    }
}

/// One participant's codings, by wave.
struct ParticipantExcerpts<'e> {
    excerpts: &'e Excerpts,
    /// Each wave's (coding id, code id) pairs.
    cells: Vec<(String, &'e [(i64, i64)])>,
    codings: HashMap<i64, coding::Coding>,
}

impl ParticipantExcerpts<'_> {
    /// The codings of `code` (with its sub-codes when the report rolls them up) in `wave`,
    /// in the order of the document.
    fn of(&self, wave: &str, code: &str) -> Result<Vec<coding::Coding>> {
        let e = self.excerpts;
        let c = crate::codebook::find_in(&e.codes, code)?;
        let codes = if e.roll_up {
            crate::codebook::with_descendants(&e.codes, c.id)
        } else {
            vec![c.id]
        };
        Ok(self
            .cells
            .iter()
            .filter(|(w, _)| w == wave)
            .flat_map(|(_, list)| list.iter())
            .filter(|(_, code)| codes.contains(code))
            .filter_map(|(id, _)| self.codings.get(id).cloned())
            .collect())
    }
}

/// A participant's rows of the change table (the codes present in some wave, or confirmed),
/// their grid's cells and the bars of their chart.
fn participant_grid<'t>(
    t: &'t change::Table,
    p: &str,
    w: &Words,
    colour_of: &dyn Fn(&str) -> Option<Rgb>,
) -> (Vec<&'t change::Row>, Vec<Vec<String>>, Vec<BarGroup>) {
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
    let mut table = Vec::new();
    let mut groups = Vec::new();
    for r in &rows {
        let figures: Vec<(Option<f64>, String)> = r
            .cells
            .iter()
            .map(|c| match (c.interviewed, c.codings, c.coverage) {
                (false, ..) => (None, w.not_interviewed.to_owned()),
                (true, Some(0), _) => (Some(0.0), "–".to_owned()),
                (true, Some(n), Some(cov)) => (
                    Some(if largest > 0.0 { cov / largest } else { 0.0 }),
                    format!("{n}\u{a0}({})", w.percent(cov)),
                ),
                _ => (None, String::new()),
            })
            .collect();
        let mut cells = vec![r.code.clone()];
        cells.extend(figures.iter().map(|(_, f)| f.clone()));
        cells.push(format!(
            "{}{}",
            w.label(&r.change),
            if r.coders_differ { " †" } else { "" }
        ));
        cells.push(match (&r.confirmed, &r.memo) {
            (Some(l), Some(m)) => format!("{}: {m}", w.label(l)),
            (Some(l), None) => w.label(l).to_owned(),
            _ => String::new(),
        });
        table.push(cells);
        groups.push(BarGroup {
            label: r.code.clone(),
            colour: colour_of(&r.code),
            bars: t
                .waves
                .iter()
                .zip(figures)
                .map(|(wave, (share, figure))| Bar {
                    series: wave.clone(),
                    share,
                    figure,
                })
                .collect(),
        });
    }
    (rows, table, groups)
}

/// One participant's part, written into the report's body: the grid, its chart (drawn as
/// number `chart`), pen portraits, and the excerpts of each code that changed, wave beside
/// wave.
#[allow(clippy::too_many_arguments)]
fn participant(
    out: &mut BodyWriter,
    conn: &Connection,
    t: &change::Table,
    p: &str,
    chart: usize,
    excerpts: &Excerpts,
    w: &Words,
    colour_of: &dyn Fn(&str) -> Option<Rgb>,
) -> Result<()> {
    out.add(&heading(p, 1))?;
    let header: Vec<String> = std::iter::once(w.code.to_owned())
        .chain(t.waves.iter().cloned())
        .chain([w.change.to_owned(), w.confirmed.to_owned()])
        .collect();
    let (rows, table, _) = participant_grid(t, p, w, colour_of);
    let excerpts = excerpts.of_participant(conn, p, &t.waves)?;
    out.add_table(&grid(&header, table))?;
    out.add_charts(chart, &fill(w.participant_caption, &[("p", p)]))?;
    let portraits: Vec<&change::Portrait> =
        t.portraits.iter().filter(|x| x.participant == p).collect();
    if !portraits.is_empty() {
        out.add(&heading(w.pen_portraits, 2))?;
        for x in portraits {
            out.add(&text(&format!("{}: {}", x.wave, x.text)))?;
        }
    }
    for r in rows.iter().filter(|r| {
        matches!(
            r.change.as_str(),
            "emerged" | "ceased" | "increased" | "decreased" | "fluctuating"
        )
    }) {
        out.add(&heading(&format!("{} — {}", r.code, w.label(&r.change)), 2))?;
        let mut columns = Vec::new();
        for wave in &t.waves {
            // A quote two coders coded is shown once, naming both.
            let excerpts = coding::passages(conn, excerpts.of(wave, &r.code)?)?;
            let mut c = TableCell::new();
            if excerpts.is_empty() {
                c = c.add_paragraph(text("–"));
            }
            for x in excerpts {
                let e = &x.coding;
                let quote = keep_together(&e.text.split_whitespace().collect::<Vec<_>>().join(" "));
                let by = if t.coders.len() > 1 {
                    format!(" [{}]", x.coders.join(", "))
                } else {
                    String::new()
                };
                let cite = w.citation(p, Some(wave), e.line, e.end_line);
                c = c.add_paragraph(
                    Paragraph::new()
                        .add_run(
                            docx_rs::Run::new()
                                .add_text(xml_safe(&format!("“{quote}” ")))
                                .size(20),
                        )
                        .add_run(
                            docx_rs::Run::new()
                                .add_text(xml_safe(&format!("{cite}{by}")))
                                .italic()
                                .size(20),
                        ),
                );
            }
            columns.push(c);
        }
        out.add_table(&grid_of_cells(&t.waves, vec![columns]))?;
    }
    Ok(())
}
