//! Drawing the review view (no I/O: a pure function of the app's state).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::render::{block, list_lines};
use crate::tui::text::{safe, str_width, truncate};

/// Draws the view into `area`.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let r = &app.review;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(note) = &r.note {
        lines.push(Line::styled(safe(note), app.theme.dim()));
    }
    let width = area.width.saturating_sub(2) as usize;
    if r.pseudonyms_shown {
        let shown = r.visible();
        let rows = shown.iter().map(|n| &r.pseudonyms[*n]).map(|p| {
            let head = format!(
                "{:<16} {:>4}× {:>3} doc(s) {:<10} ",
                truncate(&p.label, 16),
                p.occurrences,
                p.documents.len(),
                truncate(&p.participants.join(","), 10),
            );
            let rules = format!("  {}", p.rules.join(", "));
            let room = width.saturating_sub(str_width(&head) + str_width(&rules));
            Line::from(vec![
                Span::styled(head, app.theme.dim()),
                Span::styled(
                    truncate(&safe(&p.originals.join(" / ")), room.max(8)),
                    app.theme.matched(),
                ),
                Span::styled(rules, app.theme.dim()),
            ])
        });
        let h = (area.height as usize).saturating_sub(2 + lines.len());
        lines.extend(list_lines(app, &r.list, h, rows, true));
        frame.render_widget(
            Paragraph::new(lines).block(block(
                "Pseudonyms in the stored texts, with the words they stand for (p: staged suggestions)",
                true,
                app,
            )),
            area,
        );
        return;
    }
    let shown = r.visible();
    let items = shown.iter().map(|n| &r.items[*n]).map(|i| {
        let mark = match i.decision.as_str() {
            "accepted" => "✓ replace",
            "rejected" => "✗ keep   ",
            _ => "? replace",
        };
        let head = format!(
            "{mark} {:>4} {:<9} {:<14} r.{:<4} ",
            i.id,
            truncate(&i.category, 9),
            truncate(
                std::path::Path::new(&i.file)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
                    .as_str(),
                14
            ),
            i.line
        );
        let room = width.saturating_sub(str_width(&head));
        let before = safe(&i.before);
        let found = safe(&i.found);
        let keep_before = room.saturating_sub(str_width(&found) + 12) / 2;
        let before: String = before
            .chars()
            .rev()
            .take(keep_before)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        Line::from(vec![
            Span::styled(head, app.theme.dim()),
            Span::raw(before),
            Span::styled(format!("⟦{found}⟧"), app.theme.matched()),
            Span::raw(truncate(&safe(&i.after), room / 2)),
        ])
    });
    let h = (area.height as usize).saturating_sub(2 + lines.len());
    lines.extend(list_lines(app, &r.list, h, items, true));
    frame.render_widget(
        Paragraph::new(lines).block(block(
            "Anonymisation review: undecided suggestions are replaced (the safe default)",
            true,
            app,
        )),
        area,
    );
}
