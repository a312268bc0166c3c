//! Drawing the agreement view (no I/O: a pure function of the app's state).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::render::{block, list_lines};
use crate::tui::text::{safe, str_width, truncate};

fn measure(x: Option<f64>) -> String {
    // + 0.0 turns a negative zero into zero.
    x.map(|v| format!("{:.2}", v + 0.0))
        .unwrap_or_else(|| "–".into())
}

/// Draws the view into `area`.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let g = &app.agreement;
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let who = g.coders.join(", ");
    let mut lines: Vec<Line> = Vec::new();
    match (&g.report, &g.error, g.pending) {
        (_, _, Some(_)) => lines.push(Line::styled("computing…", app.theme.dim())),
        (_, Some(e), _) => lines.push(Line::styled(safe(e), app.theme.error())),
        (None, _, _) => lines.push(Line::styled(
            "c chooses the coders to compare",
            app.theme.dim(),
        )),
        (Some(r), _, _) => {
            let code_w = (top.width as usize).saturating_sub(2 + 30).clamp(20, 60);
            lines.push(Line::styled(
                format!(
                    "{:<code_w$} {:>9} {:>6} {:>6}",
                    "code", "agreement", "kappa", "alpha"
                ),
                app.theme.dim(),
            ));
            lines.push(Line::styled(
                format!(
                    "{:<code_w$} {:>9} {:>6} {:>6}",
                    "(all codes pooled)",
                    measure(r.overall.agreement),
                    measure(r.overall.kappa),
                    measure(r.overall.alpha)
                ),
                app.theme.title(),
            ));
            for c in &r.per_code {
                lines.push(Line::raw(format!(
                    "{:<code_w$} {:>9} {:>6} {:>6}",
                    truncate(&c.code, code_w),
                    measure(c.agreement),
                    measure(c.kappa),
                    measure(c.alpha)
                )));
            }
        }
    }
    frame.render_widget(
        Paragraph::new(lines).block(block(
            &format!(
                "Agreement between {} · {} as units (t) · {} (s) · docs/AGREEMENT.md",
                safe(&who),
                if g.turns { "turns" } else { "characters" },
                match (&g.report, g.all_documents) {
                    (Some(r), true) => format!("{} document(s): all", r.documents),
                    (Some(r), false) => format!("{} document(s) every coder coded", r.documents),
                    (None, true) => "all documents".into(),
                    (None, false) => "documents every coder coded".into(),
                }
            ),
            false,
            app,
        )),
        top,
    );
    let width = bottom.width.saturating_sub(2) as usize;
    let items = g.disagreements.iter().map(|d| {
        let head = format!(
            "{:<24} doc {:<4} r.{:<5} only {:<12} ",
            truncate(&d.code, 24),
            d.doc,
            d.line,
            truncate(&d.coded_by.join(","), 12)
        );
        let room = width.saturating_sub(str_width(&head));
        Line::from(vec![
            Span::styled(head, app.theme.dim()),
            Span::raw(truncate(
                &d.text.split_whitespace().collect::<Vec<_>>().join(" "),
                room,
            )),
        ])
    });
    let h = (bottom.height as usize).saturating_sub(2);
    let lines = list_lines(app, &g.list, h, items, true);
    frame.render_widget(
        Paragraph::new(lines).block(block(
            &format!(
                "Where they differ: {} passage(s) · Enter opens one, selected",
                g.disagreements.len()
            ),
            true,
            app,
        )),
        bottom,
    );
}
