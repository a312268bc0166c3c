//! Drawing the documents view (no I/O: a pure function of the app's state).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::render::{bar, block, list_lines};
use crate::tui::text::{safe, truncate};
use crate::tui::views::documents::{Cell, Pane};

/// Draws the view into `area`.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let d = &app.documents;
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    // The grid: participants × waves with coding progress.
    let cell_w = 12usize;
    let grid_focus = d.pane == Pane::Grid;
    let mut lines = Vec::new();
    let mut head = vec![Span::styled(
        format!("{:<8}", "participant"),
        app.theme.dim(),
    )];
    for w in &d.waves {
        head.push(Span::styled(
            format!(" {:<cell_w$}", truncate(w, cell_w)),
            app.theme.title(),
        ));
    }
    lines.push(Line::from(head));
    let height = (top.height as usize).saturating_sub(3);
    for (pi, p) in d
        .participants
        .iter()
        .enumerate()
        .skip(d.grid_top)
        .take(height)
    {
        let mut spans = vec![Span::raw(format!("{:<8}", truncate(p, 8)))];
        for wi in 0..d.waves.len() {
            let selected = grid_focus && d.grid == (pi, wi);
            let text = match d.cell(pi, wi) {
                Cell::Individual(doc) => match d.done(doc.id) {
                    Some(share) => format!("{} {:>3.0}%", bar(share, 6), share * 100.0),
                    None => "(nothing to code)".into(),
                },
                Cell::Group(docs) => match d.done(docs[0].id) {
                    Some(share) => format!("group {:>3.0}%", share * 100.0),
                    None => "group".into(),
                },
                Cell::NotInterviewed => "—".into(),
            };
            let style = if selected {
                app.theme.highlight()
            } else if text == "—" {
                app.theme.dim()
            } else {
                Style::default()
            };
            spans.push(Span::raw(" "));
            spans.push(Span::styled(
                format!("{:<cell_w$}", truncate(&text, cell_w)),
                style,
            ));
        }
        lines.push(Line::from(spans));
    }
    if d.participants.is_empty() {
        lines.push(Line::styled(
            "no participants yet: import transcripts with `narrata import`",
            app.theme.dim(),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block(
            "Participants × waves: share of turns coded · group: in a group interview only · — not interviewed",
            grid_focus,
            app,
        )),
        top,
    );

    // The list of all documents.
    let visible = d.visible();
    // The title and participants take the room the fixed columns leave.
    // Fixed: id and gaps 6, wave 6, kind 11, words 14, codings 14, progress 4, the two gaps
    // after title and participants 2, the border 2.
    let room = (bottom.width as usize).saturating_sub(6 + 6 + 11 + 14 + 14 + 4 + 2 + 2);
    let title_w = (room * 2 / 3).clamp(22, 60);
    let people_w = room.saturating_sub(title_w).clamp(10, 30);
    let items = visible.iter().map(|i| {
        let doc = &d.docs[*i];
        let progress = d
            .done(doc.id)
            .map(|s| format!("{:>3.0}%", s * 100.0))
            .unwrap_or_else(|| "  — ".into());
        Line::from(format!(
            "{:>4}  {:<title_w$} {:<people_w$} {:<5} {:<10} {:>7} words {:>5} codings {progress}",
            doc.id,
            truncate(&doc.title, title_w),
            truncate(&doc.participants.join(","), people_w),
            truncate(doc.wave.as_deref().unwrap_or("—"), 5),
            doc.kind,
            crate::format::thousands(doc.words),
            doc.codings,
        ))
    });
    let list_h = (bottom.height as usize).saturating_sub(2);
    let lines = list_lines(app, &d.list, list_h, items, !grid_focus);
    let unassigned = d.docs.iter().filter(|x| x.kind == "document").count();
    let title = if d.filter.is_empty() && unassigned > 0 {
        format!(
            "Documents ({}; {unassigned} not assigned to participants and a wave: a assigns)",
            d.docs.len()
        )
    } else if d.filter.is_empty() {
        format!("Documents ({})", d.docs.len())
    } else {
        format!(
            "Documents ({} of {}, filter: {})",
            visible.len(),
            d.docs.len(),
            safe(&d.filter)
        )
    };
    frame.render_widget(
        Paragraph::new(lines).block(block(&title, !grid_focus, app)),
        bottom,
    );
}
