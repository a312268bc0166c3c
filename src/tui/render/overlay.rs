//! Pop-ups: the help (generated from the keymap), the picker, prompts and questions.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::super::app::App;
use super::super::overlay::Overlay;
use super::super::text::{safe, str_width, truncate, truncate_start};

/// A rectangle of at most `w` × `h` centred in `area`.
fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub fn draw(frame: &mut Frame, app: &App, overlay: &Overlay, area: Rect) {
    match overlay {
        Overlay::Help => help(frame, app, area),
        Overlay::Text { title, body } => {
            let rect = centred(area, 80, area.height.saturating_sub(4));
            frame.render_widget(Clear, rect);
            let lines: Vec<Line> = body.lines().map(|l| Line::raw(safe(l))).collect();
            frame.render_widget(
                Paragraph::new(lines).wrap(Wrap { trim: false }).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(format!(" {} ", safe(title)))
                        .title_bottom(" any key closes "),
                ),
                rect,
            );
        }
        Overlay::Picker(p) => {
            // As wide as the longest path and its note need (full paths), within the screen.
            let widest = p
                .shown
                .iter()
                .map(|i| str_width(&p.choices[*i].label) + str_width(&p.choices[*i].note) + 6)
                .max()
                .unwrap_or(0);
            let width = (widest as u16).clamp(76, area.width.saturating_sub(4).max(76));
            let rect = centred(area, width, 20);
            frame.render_widget(Clear, rect);
            let inner_w = rect.width.saturating_sub(2) as usize;
            let mut lines = vec![
                Line::from(vec![
                    Span::styled("› ", app.theme.title()),
                    Span::raw(safe(&p.filter)),
                    Span::styled("▏", app.theme.title()),
                ]),
                Line::raw(""),
            ];
            let new_code = p.new_code_name();
            let rows = (rect.height as usize).saturating_sub(4);
            let start = p.selected.saturating_sub(rows.saturating_sub(1));
            // A path keeps its whole length unless the screen is too narrow; then its start
            // gives way, so the code's own name stays readable.
            let label_w = p
                .shown
                .iter()
                .map(|i| str_width(&p.choices[*i].label))
                .max()
                .unwrap_or(0)
                .min(inner_w * 4 / 5);
            for (i, idx) in p.shown.iter().enumerate().skip(start).take(rows) {
                let c = &p.choices[*idx];
                let label = truncate_start(&c.label, label_w);
                let pad = " ".repeat(label_w.saturating_sub(str_width(&label)));
                let note_room = inner_w.saturating_sub(label_w + 3);
                let mut line = Line::from(vec![
                    Span::raw(format!(" {label}{pad}  ")),
                    Span::styled(truncate(&c.note, note_room), app.theme.dim()),
                ]);
                if i == p.selected {
                    line = line.style(app.theme.highlight());
                }
                lines.push(line);
            }
            if let Some(name) = &new_code {
                let mut line = Line::styled(
                    truncate(&format!(" + new code “{}”", safe(name)), inner_w),
                    app.theme.title(),
                );
                if p.on_new_code_row() {
                    line = line.style(app.theme.highlight());
                }
                lines.push(line);
            } else if p.shown.is_empty() {
                lines.push(Line::styled(" nothing matches", app.theme.dim()));
            }
            let hint = if new_code.is_some() {
                " ↑↓ choose · Enter apply · Ctrl-a the new code under another · Esc cancel "
            } else {
                " type to filter · ↑↓ choose · Enter apply · Esc cancel "
            };
            frame.render_widget(
                Paragraph::new(lines).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(format!(" {} ", safe(&p.title)))
                        .title_bottom(hint),
                ),
                rect,
            );
        }
        Overlay::Prompt(p) => {
            let extra = p.text.matches('\n').count() + p.text.chars().count() / 70;
            let rect = centred(area, 76, (5 + extra as u16).min(16));
            frame.render_widget(Clear, rect);
            let mut lines: Vec<Line> = if p.masked {
                vec![Line::raw("•".repeat(p.text.chars().count()))]
            } else {
                p.text.split('\n').map(|l| Line::raw(safe(l))).collect()
            };
            if let Some(last) = lines.last_mut() {
                last.push_span(Span::styled("▏", app.theme.title()));
            }
            frame.render_widget(
                Paragraph::new(lines).wrap(Wrap { trim: false }).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(format!(" {} ", safe(&p.title)))
                        .title_bottom(if p.purpose == super::super::overlay::Purpose::ListFilter {
                            " the list follows as you type · Enter keeps the filter · Esc "
                        } else {
                            " Enter saves · Esc cancels "
                        }),
                ),
                rect,
            );
        }
        Overlay::Confirm(c) => {
            let rect = centred(area, 64, 6);
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(safe(&c.question))
                    .wrap(Wrap { trim: true })
                    .block(Block::default().borders(Borders::ALL).title(" Confirm ")),
                rect,
            );
        }
    }
}

fn help(frame: &mut Frame, app: &App, area: Rect) {
    let groups = app.keymap.help(app.view.scopes());
    // The entries first (a heading, a binding, a gap), laid out below once the column width is
    // known, so that every key shows whatever the screen's size.
    enum Entry {
        Heading(String),
        Binding {
            keys: String,
            what: String,
            key_w: usize,
        },
        Gap,
        Note(&'static str),
    }
    // Keys wider than this stand on a line of their own, the description below them.
    const KEY_COLUMN: usize = 10;
    let mut entries = Vec::new();
    for (scope, rows) in groups {
        let key_w = rows
            .iter()
            .map(|(k, _)| str_width(k))
            .filter(|&w| w <= KEY_COLUMN)
            .max()
            .unwrap_or(1)
            + 1;
        entries.push(Entry::Heading(scope.name().to_string()));
        for (keys, what) in rows {
            let keys = keys.to_string();
            if str_width(&keys) > KEY_COLUMN {
                entries.push(Entry::Binding {
                    keys,
                    what: String::new(),
                    key_w,
                });
                entries.push(Entry::Binding {
                    keys: String::new(),
                    what: what.to_string(),
                    key_w,
                });
            } else {
                entries.push(Entry::Binding {
                    keys,
                    what: what.to_string(),
                    key_w,
                });
            }
        }
        entries.push(Entry::Gap);
    }
    entries.push(Entry::Note(
        "Fields: type; Backspace, Ctrl-w (word), Ctrl-u (all).",
    ));
    entries.push(Entry::Note("Rebind keys in keys.yaml (docs/TUI.md)."));
    // As many columns as the height needs (at most four), sharing the screen's width; a
    // description longer than its column is cut, a key never is.
    let inner_h = (area.height.saturating_sub(4) as usize).max(1);
    let columns = entries.len().div_ceil(inner_h).clamp(1, 4);
    let per = entries.len().div_ceil(columns).max(1);
    let inner_w = area.width.saturating_sub(4) as usize;
    let natural = |e: &Entry| match e {
        Entry::Heading(h) => str_width(h),
        Entry::Binding { what, key_w, .. } => 2 + key_w + str_width(what),
        Entry::Gap => 0,
        Entry::Note(n) => str_width(n),
    };
    let chunks: Vec<&[Entry]> = entries.chunks(per).collect();
    let wanted: Vec<usize> = chunks
        .iter()
        .map(|c| c.iter().map(natural).max().unwrap_or(0) + 2)
        .collect();
    // Too wide for the screen: the widest column gives way first.
    let mut widths = wanted;
    while widths.iter().sum::<usize>() > inner_w {
        let Some(widest) = (0..widths.len()).max_by_key(|&i| widths[i]) else {
            break;
        };
        if widths[widest] <= 8 {
            break;
        }
        widths[widest] -= 1;
    }
    let total: usize = widths.iter().sum();
    let rect = centred(area, total as u16 + 2, per as u16 + 2);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" Keys: {} ", app.view.title()))
        .title_bottom(" any key closes ");
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let mut x = inner.x;
    for (chunk, w) in chunks.iter().zip(widths) {
        let end = inner.x + inner.width;
        if x >= end {
            break;
        }
        let room = w.saturating_sub(1);
        let lines: Vec<Line> = chunk
            .iter()
            .map(|e| match e {
                Entry::Heading(h) => Line::styled(truncate(h, room), app.theme.title()),
                Entry::Binding { keys, what, key_w } => {
                    let key_w = if what.is_empty() {
                        str_width(keys)
                    } else {
                        *key_w
                    };
                    let rest = room.saturating_sub(2 + key_w);
                    Line::from(vec![
                        Span::styled(format!("  {keys:<key_w$}"), app.theme.title()),
                        Span::raw(truncate(what, rest)),
                    ])
                }
                Entry::Gap => Line::raw(""),
                Entry::Note(n) => Line::styled(truncate(n, room), app.theme.dim()),
            })
            .collect();
        let w = (w as u16).min(end - x);
        frame.render_widget(
            Paragraph::new(lines),
            Rect::new(x, inner.y, w, inner.height),
        );
        x += w;
    }
}
