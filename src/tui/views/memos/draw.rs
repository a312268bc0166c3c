//! Drawing the memo manager (no I/O: a pure function of the app's state).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::render::{block, list_lines};
use crate::tui::text::{safe, str_width, truncate};

/// Draws the view into `area`: the list (kind, author, what it is about, the memo's first
/// words) and, below, the selected memo in full.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let m = &app.memos;
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area);
    let width = top.width.saturating_sub(2) as usize;
    let visible = m.visible();
    let who_w = m
        .memos
        .iter()
        .map(|d| str_width(&d.memo.coder))
        .max()
        .unwrap_or(0)
        .clamp(4, 14);
    let about_w = width / 2;
    let items = visible.iter().map(|&i| {
        let d = &m.memos[i];
        let head = format!("{:<9} {:<who_w$} ", d.kind, truncate(&d.memo.coder, who_w));
        let about = truncate(&d.about, about_w);
        let pad = about_w.saturating_sub(str_width(&about));
        let used = str_width(&head) + about_w + 2;
        let first = d.memo.text.lines().next().unwrap_or("");
        Line::from(vec![
            Span::styled(head, app.theme.dim()),
            Span::raw(format!("{about}{}  ", " ".repeat(pad))),
            Span::raw(truncate(first, width.saturating_sub(used))),
        ])
    });
    let h = (top.height as usize).saturating_sub(2);
    let lines = list_lines(app, &m.list, h, items, true);
    let filters = m.filters();
    let title = format!(
        "Memos · {} of {}{}",
        visible.len(),
        m.memos.len(),
        if filters.is_empty() {
            String::new()
        } else {
            format!(" · {}", safe(&filters))
        }
    );
    let body = if visible.is_empty() {
        vec![Line::styled(
            if m.memos.is_empty() {
                " no memos yet: m in the transcript writes one"
            } else {
                " none with these filters (x clears them)"
            },
            app.theme.dim(),
        )]
    } else {
        lines
    };
    frame.render_widget(Paragraph::new(body).block(block(&title, true, app)), top);

    let mut detail: Vec<Line> = Vec::new();
    if let Some(d) = m.selected() {
        detail.push(Line::styled(safe(&d.about), app.theme.title()));
        detail.push(Line::styled(
            format!("{} · {} · {}", d.kind, safe(&d.memo.coder), d.memo.created),
            app.theme.dim(),
        ));
        detail.push(Line::raw(""));
        detail.extend(d.memo.text.lines().map(|l| Line::raw(safe(l))));
    }
    frame.render_widget(
        Paragraph::new(detail)
            .wrap(Wrap { trim: false })
            .block(block("Memo", false, app)),
        bottom,
    );
}
