//! Drawing the codebook view (no I/O: a pure function of the app's state).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::render::{block, list_lines};
use crate::tui::text::{safe, str_width, truncate};

/// Draws the view into `area`.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let c = &app.codebook;
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let visible = c.visible();
    let width = left.width.saturating_sub(2) as usize;
    let items = visible.iter().map(|i| {
        let code = &c.codes[*i];
        let fold = if c.has_children(code.id) {
            if c.folded.contains(&code.id) {
                "▸ "
            } else {
                "▾ "
            }
        } else {
            "  "
        };
        let count = format!("{:>5}", code.codings_with_subcodes);
        let indent = "  ".repeat(code.depth);
        let name_room = width.saturating_sub(indent.len() + 2 + count.len() + 3);
        let name = truncate(&code.name, name_room);
        let pad = name_room.saturating_sub(str_width(&name));
        Line::from(vec![
            Span::raw(format!("{indent}{fold}")),
            Span::styled("▌", app.theme.code(code.id, code.color.as_deref())),
            Span::raw(format!("{name}{} ", " ".repeat(pad))),
            Span::styled(count, app.theme.dim()),
        ])
    });
    let h = (left.height as usize).saturating_sub(2);
    let lines = list_lines(app, &c.list, h, items, true);
    let title = if c.filter.is_empty() {
        format!(
            "Codebook ({} codes; codings incl. sub-codes)",
            c.codes.len()
        )
    } else {
        format!("Codebook (filter: {})", safe(&c.filter))
    };
    frame.render_widget(Paragraph::new(lines).block(block(&title, true, app)), left);

    let mut detail: Vec<Line> = Vec::new();
    if let Some(code) = c.selected() {
        detail.push(Line::styled(safe(&code.path), app.theme.title()));
        detail.push(Line::from(format!(
            "{} coding(s), {} with sub-codes{}{}",
            code.codings,
            code.codings_with_subcodes,
            code.dimension
                .as_deref()
                .map(|d| format!(" · dimension {}", safe(d)))
                .unwrap_or_default(),
            code.polarity
                .as_deref()
                .map(|p| format!(" ({})", safe(p)))
                .unwrap_or_default(),
        )));
        for (label, text) in [
            ("Definition", &code.description),
            ("Include", &code.include),
            ("Exclude", &code.exclude),
            ("Example", &code.example),
        ] {
            detail.push(Line::raw(""));
            detail.push(Line::styled(label, app.theme.title()));
            detail.push(Line::raw(if text.is_empty() {
                "—".to_string()
            } else {
                safe(text)
            }));
        }
    } else {
        detail.push(Line::raw(
            "no codes yet: a adds one, or `narrata codebook import FILE`",
        ));
    }
    frame.render_widget(
        Paragraph::new(detail)
            .wrap(Wrap { trim: false })
            .block(block("Definition", false, app)),
        right,
    );
}
