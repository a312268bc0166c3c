//! Drawing the segments view (no I/O: a pure function of the app's state).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, lines};
use crate::tui::render::{block, list_lines};
use crate::tui::text::{safe, str_width, truncate};

/// Draws the view into `area`: one row per segment (participant, wave, lines, coder, memo
/// marker, code when sub-codes are included, the words), the code and filters in the title.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let s = &app.segments;
    let Some(path) = s.title() else {
        let text = "Choose a code in the codebook (3) and press Enter to see its segments.";
        frame.render_widget(
            Paragraph::new(text).block(block("Segments", true, app)),
            area,
        );
        return;
    };
    let width = area.width.saturating_sub(2) as usize;
    let who_w = s
        .rows
        .iter()
        .map(|c| str_width(&c.participants.join(",")))
        .max()
        .unwrap_or(0)
        .clamp(3, 12);
    let coder_w = s
        .rows
        .iter()
        .map(|c| str_width(&c.coder))
        .max()
        .unwrap_or(0)
        .clamp(5, 16);
    let code_w = if s.with_subcodes {
        s.rows
            .iter()
            .map(|c| str_width(&c.code))
            .max()
            .unwrap_or(0)
            .min(width / 5)
    } else {
        0
    };
    let visible = s.visible();
    let items = visible.iter().map(|&i| &s.rows[i]).map(|c| {
        let who = truncate(&c.participants.join(","), who_w);
        let wave = c.wave.clone().unwrap_or_else(|| "–".into());
        let at = lines(c.line, c.end_line);
        let memo = if s.with_memo.contains(&c.id) {
            "✎"
        } else {
            " "
        };
        let coder = truncate(&c.coder, coder_w);
        let code = truncate(&c.code, code_w);
        let head = format!(
            "{who:<who_w$} {wave:<4} {at:<12} {coder:<coder_w$} {memo} ",
            who = who,
            wave = safe(&wave),
        );
        let mut spans = vec![Span::raw(head.clone())];
        let mut used = str_width(&head);
        if code_w > 0 {
            let shown = format!("{code:<code_w$}  ");
            used += str_width(&shown);
            spans.push(Span::styled(shown, app.theme.dim()));
        }
        let words = c.text.split_whitespace().collect::<Vec<_>>().join(" ");
        spans.push(Span::raw(truncate(&words, width.saturating_sub(used))));
        Line::from(spans)
    });
    let h = (area.height as usize).saturating_sub(2);
    let rows = list_lines(app, &s.list, h, items, true);
    let filters = s.filters();
    let title = format!(
        "Segments of {}{} · {} coding(s){}",
        safe(path),
        if s.with_subcodes {
            " and its sub-codes"
        } else {
            ""
        },
        visible.len(),
        if filters.is_empty() {
            String::new()
        } else {
            format!(" · {}", safe(&filters))
        }
    );
    let body = if visible.is_empty() {
        vec![Line::styled(
            if filters.is_empty() {
                " no codings yet".to_string()
            } else {
                " none with these filters (x clears them)".to_string()
            },
            app.theme.dim(),
        )]
    } else {
        rows
    };
    frame.render_widget(Paragraph::new(body).block(block(&title, true, app)), area);
}
