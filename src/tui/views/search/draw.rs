//! Drawing the search view (no I/O: a pure function of the app's state).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::render::{block, list_lines};
use crate::tui::text::{safe, str_width, truncate};

/// Draws the view into `area`.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let s = &app.search;
    let [query_area, results_area] =
        Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(area);
    let caret = if s.editing { "▏" } else { "" };
    let query = Line::from(vec![
        Span::raw(safe(&s.query)),
        Span::styled(caret, app.theme.title()),
    ]);
    let title = if s.editing {
        "Query — Enter searches, Esc leaves; filters: participant: wave: speaker: code: kind:"
    } else {
        "Query (/ to edit)"
    };
    frame.render_widget(
        Paragraph::new(query).block(block(title, s.editing, app)),
        query_area,
    );
    let width = results_area.width.saturating_sub(2) as usize;
    let hits = s.hits();
    let items = hits.iter().map(|h| {
        let who = h
            .participant
            .clone()
            .unwrap_or_else(|| h.participants.join(","));
        // A group interview says so: its line numbers belong to that transcript.
        // Found only inside a compound word ("zelfhulpgroep" for groep): "part".
        let kind = match (h.participants.len() > 1, h.compound) {
            (true, true) => "grp+p",
            (true, false) => "group",
            (false, true) => "part",
            (false, false) => "",
        };
        let cite = format!(
            "{:<5} {:<3} {:<5} r.{:<5} {:<5} ",
            truncate(&who, 5),
            truncate(h.wave.as_deref().unwrap_or("—"), 3),
            kind,
            h.line,
            truncate(&h.speaker, 5)
        );
        let room = width.saturating_sub(str_width(&cite));
        let mut spans = vec![Span::styled(cite, app.theme.dim())];
        spans.extend(snippet_spans(&h.snippet, room, app));
        Line::from(spans)
    });
    let h = (results_area.height as usize).saturating_sub(2);
    let lines = list_lines(app, &s.list, h, items, !s.editing);
    let title = match (&s.results, &s.error, s.pending) {
        (_, _, Some(_)) => "Results (searching…)".to_string(),
        (_, Some(e), _) => format!("Results: {}", safe(e)),
        (Some(r), _, _) => format!(
            "Results for {}: {} turn(s) · Enter goes to the hit · C codes the participants' turns",
            truncate(&s.results_for, 40),
            r.total
        ),
        _ => "Results".into(),
    };
    let mut lines = lines;
    if let Some(e) = &s.error {
        lines.insert(0, Line::styled(safe(e), app.theme.error()));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block(&title, !s.editing, app)),
        results_area,
    );
}

/// A keyword-in-context snippet (`«word»` marks a match) fitted to `room` columns, the first
/// match kept in view.
fn snippet_spans(snippet: &str, room: usize, app: &App) -> Vec<Span<'static>> {
    let flat = safe(snippet);
    let chars: Vec<char> = flat.chars().collect();
    let first = chars.iter().position(|c| *c == '«').unwrap_or(0);
    let start = first.saturating_sub(room / 3);
    let mut spans = Vec::new();
    let mut used = 0;
    let mut run = String::new();
    let mut inside = false;
    if start > 0 {
        run.push('…');
        used += 1;
    }
    for c in chars.iter().skip(start) {
        if used >= room {
            break;
        }
        match c {
            '«' if !inside => {
                spans.push(Span::raw(std::mem::take(&mut run)));
                inside = true;
            }
            '»' if inside => {
                spans.push(Span::styled(std::mem::take(&mut run), app.theme.matched()));
                inside = false;
            }
            c => {
                run.push(*c);
                used += crate::tui::text::width(*c);
            }
        }
    }
    let style = if inside {
        app.theme.matched()
    } else {
        Style::default()
    };
    spans.push(Span::styled(run, style));
    spans
}
