//! Drawing the waves view (no I/O: a pure function of the app's state).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::render::{bar, block, list_lines};
use crate::tui::text::{safe, truncate};

/// Draws the view into `area`.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let w = &app.waves;
    if let Some(x) = &w.excerpts {
        return excerpts(frame, app, x, area);
    }
    let who = w
        .participant
        .clone()
        .unwrap_or_else(|| "everyone (cohort)".into());
    let mut lines: Vec<Line> = Vec::new();
    let portrait_h = crate::tui::views::waves::portrait_rows(w.participant.is_some());
    let h = (area.height.saturating_sub(portrait_h) as usize).saturating_sub(2);
    match (&w.view, &w.error) {
        (_, Some(e)) => lines.push(Line::styled(safe(e), app.theme.error())),
        (None, _) => lines.push(Line::styled("computing…", app.theme.dim())),
        (Some(v), _) => {
            let cell_w = 14usize;
            // The code column takes what the waves and the label leave.
            let code_w = (area.width as usize)
                .saturating_sub(2 + v.table.waves.len() * (cell_w + 1) + 30)
                .clamp(26, 60);
            let mut head = vec![Span::styled(
                format!("{:<code_w$}", "code"),
                app.theme.dim(),
            )];
            for wave in &v.table.waves {
                head.push(Span::styled(
                    format!(" {:<cell_w$}", truncate(wave, cell_w)),
                    app.theme.title(),
                ));
            }
            head.push(Span::styled(
                if w.participant.is_some() {
                    " change"
                } else {
                    " kept gained lost"
                },
                app.theme.dim(),
            ));
            lines.push(Line::from(head));
            let rows: Vec<Line> = match &w.participant {
                Some(_) => v
                    .table
                    .rows
                    .iter()
                    .map(|r| {
                        let mut spans =
                            vec![Span::raw(format!("{:<code_w$}", truncate(&r.code, code_w)))];
                        for c in &r.cells {
                            let text = match (c.interviewed, c.coverage) {
                                (false, _) => "not interviewed".to_string(),
                                (true, Some(cov)) if c.codings.unwrap_or(0) > 0 => format!(
                                    "{} {:>4.1}%",
                                    bar((cov * 5.0).min(1.0), 5),
                                    cov * 100.0
                                ),
                                _ => "·".to_string(),
                            };
                            spans.push(Span::raw(format!(" {:<cell_w$}", truncate(&text, cell_w))));
                        }
                        let mut label = match &r.confirmed {
                            Some(l) if *l == r.change => format!(" {l} ✓"),
                            Some(l) => format!(" {l} ✎ (suggested {})", r.change),
                            None => format!(" {}?", r.change),
                        };
                        if r.coders_differ {
                            label.push_str(" †");
                        }
                        spans.push(Span::styled(label, app.theme.title()));
                        Line::from(spans)
                    })
                    .collect(),
                None => v
                    .cohort
                    .iter()
                    .flat_map(|c| c.codes.iter())
                    .map(|r| {
                        let mut spans =
                            vec![Span::raw(format!("{:<code_w$}", truncate(&r.code, code_w)))];
                        for c in &r.cells {
                            let share = if c.of > 0 {
                                c.n as f64 / c.of as f64
                            } else {
                                0.0
                            };
                            spans.push(Span::raw(format!(
                                " {:<cell_w$}",
                                format!("{} {}/{}", bar(share, 5), c.n, c.of)
                            )));
                        }
                        spans.push(Span::raw(format!(
                            " {:>4} {:>6} {:>4}",
                            r.kept, r.gained, r.lost
                        )));
                        Line::from(spans)
                    })
                    .collect(),
            };
            let shown = w.visible();
            let rows = rows
                .into_iter()
                .enumerate()
                .filter(|(i, _)| shown.contains(i))
                .map(|(_, l)| l);
            lines.extend(list_lines(app, &w.list, h.saturating_sub(1), rows, true));
        }
    }
    let counted = match &w.view {
        Some(v) => v.table.coders.as_slice(),
        None => w.coders.as_slice(),
    };
    let coders = match counted {
        [] => "every coder's codings".to_owned(),
        [one] => format!("{}'s codings", safe(one)),
        many => format!("codings of {} (overlaps once)", safe(&many.join(", "))),
    };
    let differ = match &w.view {
        Some(v) if w.participant.is_some() && v.table.rows.iter().any(|r| r.coders_differ) => {
            " · † waves coded by different coders"
        }
        _ => "",
    };
    let title = format!(
        "Change across waves: {}{}{} · {coders}{differ} · coverage = coded ÷ own words · {}",
        safe(&who),
        match &w.rule {
            Some(rule) => format!(" where {}", safe(rule)),
            None => String::new(),
        },
        if w.filter.is_empty() {
            String::new()
        } else {
            format!(" (filter: {})", safe(&w.filter))
        },
        crate::change::NOTE
    );
    // Pen portraits of the participant, in wave order, below the grid.
    let portraits: Vec<&crate::change::Portrait> = match (&w.view, &w.participant) {
        (Some(v), Some(_)) => v.table.portraits.iter().collect(),
        _ => Vec::new(),
    };
    let [grid, bottom] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(portrait_h)]).areas(area);
    frame.render_widget(Paragraph::new(lines).block(block(&title, true, app)), grid);
    if portrait_h > 0 {
        let mut text: Vec<Line> = Vec::new();
        if portraits.is_empty() {
            text.push(Line::styled(
                "none yet: m writes one for a wave",
                app.theme.dim(),
            ));
        }
        for p in portraits {
            text.push(Line::from(vec![
                Span::styled(
                    format!("{} ({}) ", safe(&p.wave), safe(&p.coder)),
                    app.theme.title(),
                ),
                Span::raw(safe(&p.text)),
            ]));
        }
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(block(
                "Pen portraits",
                false,
                app,
            )),
            bottom,
        );
    }
}

fn excerpts(frame: &mut Frame, app: &App, x: &crate::tui::views::waves::Excerpts, area: Rect) {
    let n = x.waves.len().max(1) as u32;
    let columns = Layout::horizontal((0..n).map(|_| Constraint::Ratio(1, n))).split(area);
    for ((wave, passages), col) in x.waves.iter().zip(columns.iter()) {
        let mut lines: Vec<Line> = Vec::new();
        if passages.is_empty() {
            lines.push(Line::styled("(none)", app.theme.dim()));
        }
        for p in passages {
            let c = &p.coding;
            lines.push(Line::styled(
                format!(
                    "{} · {} · {}",
                    c.participants.join(", "),
                    crate::tui::app::lines(c.line, c.end_line),
                    safe(&p.coders.join(", "))
                ),
                app.theme.dim(),
            ));
            lines.push(Line::raw(format!("“{}”", safe(&c.text))));
            lines.push(Line::raw(""));
        }
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: true })
                .scroll((x.scroll.min(u16::MAX as usize) as u16, 0))
                .block(block(
                    &format!("{} · {} · {}", safe(wave), passages.len(), safe(&x.code)),
                    true,
                    app,
                )),
            *col,
        );
    }
}
