//! Drawing the analysis view (no I/O: a pure function of the app's state): the matrix as a
//! heat map with the numbers in the cells, the co-occurrence with numbered columns, or one
//! code's bars across the waves.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph};

use super::Mode;
use crate::analysis::cooccurrence::Near;
use crate::analysis::matrix::Measure;
use crate::tui::app::App;
use crate::tui::render::block;
use crate::tui::text::{safe, truncate};

/// Width of a number cell.
pub const CELL_W: usize = 9;

/// Width of the code column for a body `width` wide.
pub fn code_width(width: u16) -> usize {
    (width as usize / 3).clamp(16, 40)
}

/// How many cell columns fit beside the code column.
pub fn columns_that_fit(width: u16) -> usize {
    (width as usize)
        .saturating_sub(2 + code_width(width))
        .checked_div(CELL_W + 1)
        .unwrap_or(0)
        .max(1)
}

fn number(v: f64, measure: Measure) -> String {
    match measure {
        Measure::Coverage => format!("{:.1}%", v * 100.0),
        _ => crate::format::thousands(v as i64),
    }
}

/// Draws the view into `area`.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let a = &app.analysis;
    let mut title = format!("Analysis · {}", a.mode.name());
    match a.mode {
        Mode::Matrix | Mode::Chart => title.push_str(&format!(
            " · {}",
            match a.measure {
                Measure::Codings => "coded passages",
                Measure::Words => "coded words",
                Measure::Coverage => "coverage",
            }
        )),
        Mode::Cooccurrence => title.push_str(&format!(
            " · meeting: {}",
            match a.near {
                Near::Overlap => "overlap".to_owned(),
                Near::SameTurn => "same turn".to_owned(),
                Near::Within(w) => format!("within {w} words"),
            }
        )),
    }
    if let Some(r) = &a.rule {
        title.push_str(&format!(" · where {r}"));
    }
    if let Some(c) = a.only.as_ref().or(a.coder.as_ref()) {
        title.push_str(&format!(" · coder {c}"));
    }
    let outer = block(&safe(&title), true, app);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if let Some(e) = &a.error {
        frame.render_widget(
            Paragraph::new(Line::styled(safe(e), app.theme.error())),
            inner,
        );
        return;
    }
    match a.mode {
        Mode::Matrix => matrix(frame, app, inner),
        Mode::Cooccurrence => cooccurrence(frame, app, inner),
        Mode::Chart => chart(frame, app, inner),
    }
}

/// A grid: a header line, then rows of a name and cells; the selected cell reversed.
struct Grid<'a> {
    header: Vec<String>,
    rows: Vec<(String, Vec<(String, f64)>)>,
    detail: String,
    app: &'a App,
}

fn grid(frame: &mut Frame, g: Grid<'_>, area: Rect) {
    let a = &g.app.analysis;
    let code_w = code_width(area.width + 2);
    let fit = columns_that_fit(area.width + 2);
    let cols = a.col_offset..(a.col_offset + fit).min(g.header.len());
    let mut lines = Vec::new();
    let mut head = vec![Span::styled(format!("{:<code_w$}", ""), g.app.theme.dim())];
    for c in cols.clone() {
        head.push(Span::styled(
            format!(" {:>CELL_W$}", truncate(&g.header[c], CELL_W)),
            g.app.theme.title(),
        ));
    }
    if cols.end < g.header.len() {
        head.push(Span::styled(" →", g.app.theme.dim()));
    }
    lines.push(Line::from(head));
    let height = (area.height as usize).saturating_sub(3);
    for (r, (name, cells)) in g.rows.iter().enumerate().skip(a.row_offset).take(height) {
        let style = if r == a.row {
            g.app.theme.title()
        } else {
            Style::default()
        };
        let mut spans = vec![Span::styled(
            format!("{:<code_w$}", truncate(&safe(name), code_w)),
            style,
        )];
        for c in cols.clone() {
            let (text, level) = &cells[c];
            let mut s = g.app.theme.heat(*level);
            if r == a.row && c == a.col {
                s = g.app.theme.highlight();
            }
            spans.push(Span::raw(" "));
            spans.push(Span::styled(format!("{text:>CELL_W$}"), s));
        }
        lines.push(Line::from(spans));
    }
    if g.rows.is_empty() {
        lines.push(Line::styled(
            "no codings in this selection",
            g.app.theme.dim(),
        ));
    }
    let [table, foot] = Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(area);
    frame.render_widget(Paragraph::new(lines), table);
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled(safe(&g.detail), g.app.theme.dim()),
            Line::styled(format!("{:.0} ms", a.took_ms), g.app.theme.dim()),
        ]),
        foot,
    );
}

fn matrix(frame: &mut Frame, app: &App, area: Rect) {
    let a = &app.analysis;
    let Some(m) = &a.matrix else {
        frame.render_widget(Paragraph::new("computing…"), area);
        return;
    };
    let max = m
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| c.value(m.measure)))
        .fold(0.0f64, f64::max);
    let rows = m
        .rows
        .iter()
        .map(|r| {
            let name = format!("{}{}", "  ".repeat(r.head.depth), r.head.code);
            let cells = r
                .cells
                .iter()
                .map(|c| {
                    let v = c.value(m.measure);
                    let text = if c.codings == 0 {
                        "·".to_owned()
                    } else {
                        number(v, m.measure)
                    };
                    (text, if max > 0.0 { v / max } else { 0.0 })
                })
                .collect();
            (name, cells)
        })
        .collect();
    let detail = match (m.rows.get(a.row), m.columns.get(a.col)) {
        (Some(r), Some(col)) => {
            let c = &r.cells[a.col];
            let mut d = format!("{} × {}: {} passage(s)", r.head.path, col.name, c.codings);
            if let (Some(w), Some(cov)) = (c.words, c.coverage) {
                d.push_str(&format!(
                    ", {w} word(s), {:.1}% of {}",
                    cov * 100.0,
                    col.words
                ));
            }
            d.push_str(" · Enter lists them");
            d
        }
        _ => String::new(),
    };
    grid(
        frame,
        Grid {
            header: m.columns.iter().map(|c| c.name.clone()).collect(),
            rows,
            detail,
            app,
        },
        area,
    );
}

fn cooccurrence(frame: &mut Frame, app: &App, area: Rect) {
    let a = &app.analysis;
    let Some(c) = &a.cooccurrence else {
        frame.render_widget(Paragraph::new("computing…"), area);
        return;
    };
    let max = c
        .cells
        .iter()
        .enumerate()
        .flat_map(|(i, row)| {
            row.iter()
                .enumerate()
                .filter(move |(j, _)| *j != i)
                .map(|(_, p)| p.count as f64)
        })
        .fold(0.0f64, f64::max);
    let rows = c
        .codes
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let cells = c.cells[i]
                .iter()
                .enumerate()
                .map(|(j, p)| {
                    if i == j {
                        (format!("({})", p.count), 0.0)
                    } else if p.count == 0 {
                        ("·".to_owned(), 0.0)
                    } else {
                        (
                            p.count.to_string(),
                            if max > 0.0 { p.count as f64 / max } else { 0.0 },
                        )
                    }
                })
                .collect();
            (format!("{:>2} {}", i + 1, h.path), cells)
        })
        .collect();
    let detail = match (c.codes.get(a.row), c.codes.get(a.col)) {
        (Some(x), Some(y)) if a.row != a.col => {
            let p = &c.cells[a.row][a.col];
            format!(
                "{} meets {}: {} time(s), Jaccard {:.2} · Enter lists them",
                x.path, y.path, p.count, p.jaccard
            )
        }
        (Some(x), _) => format!("{}: {} passage(s)", x.path, c.passages[a.row]),
        _ => String::new(),
    };
    grid(
        frame,
        Grid {
            header: (1..=c.codes.len()).map(|i| i.to_string()).collect(),
            rows,
            detail,
            app,
        },
        area,
    );
}

fn chart(frame: &mut Frame, app: &App, area: Rect) {
    let a = &app.analysis;
    let Some(c) = &a.chart else {
        frame.render_widget(
            Paragraph::new("no code with codings in this selection"),
            area,
        );
        return;
    };
    let code_id = a
        .matrix
        .as_ref()
        .and_then(|m| m.rows.get(a.row))
        .map_or(0, |r| r.head.code_id);
    let style = app.theme.bars(code_id, c.color.as_deref());
    let [head, cohort, people] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Percentage(40),
        Constraint::Min(4),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(safe(&c.code), app.theme.title()),
            Span::styled(
                "  passages per wave, with its sub-codes · ↑↓ another code · t next view",
                app.theme.dim(),
            ),
        ])),
        head,
    );
    let bars = |values: &[usize]| -> Vec<Bar<'static>> {
        values
            .iter()
            .zip(&c.waves)
            .map(|(v, w)| {
                Bar::default()
                    .value(*v as u64)
                    .label(Line::from(safe(w)))
                    .style(style)
            })
            .collect()
    };
    let everyone = BarChart::default()
        .block(block("everyone", false, app))
        .data(BarGroup::default().bars(&bars(&c.cohort)))
        .bar_width(5)
        .bar_gap(1)
        .bar_style(style);
    frame.render_widget(everyone, cohort);
    let mut chart = BarChart::default()
        .block(block("per participant", false, app))
        .bar_width(3)
        .bar_gap(0)
        .group_gap(2)
        .bar_style(style);
    for (who, values) in &c.participants {
        let label = safe(who);
        chart = chart.data(
            BarGroup::default()
                .label(Line::from(label))
                .bars(&bars(values)),
        );
    }
    frame.render_widget(chart, people);
}
