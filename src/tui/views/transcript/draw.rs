//! The transcript: line numbers and speakers in a gutter, the wrapped text with coded spans
//! coloured by code, the cursor and selection, and the codes of each row in a margin.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::codebook::Code;
use crate::tui::app::App;
use crate::tui::text::{safe, safe_char, str_width, truncate};
use crate::tui::views::transcript::LINE_NUMBER_WIDTH;

/// Draws the view into `area`.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.transcript;
    let Some(doc) = &t.doc else {
        frame.render_widget(
            Paragraph::new(" No document is open: choose one in the Documents view (1).")
                .block(Block::default().borders(Borders::ALL).title(" Transcript ")),
            area,
        );
        return;
    };
    let g = t.geometry;
    let title = format!(
        " {}{} ",
        truncate(&doc.summary.title, area.width as usize / 2),
        position(app, doc)
    );
    frame.render_widget(
        Block::default()
            .borders(Borders::ALL)
            .title(title)
            .title_bottom(here_line(app, doc, area.width.saturating_sub(4) as usize)),
        area,
    );
    if g.text.height == 0 || g.text.width == 0 {
        return;
    }
    let codes: HashMap<i64, &Code> = app.codebook.codes.iter().map(|c| (c.id, c)).collect();
    let selection = t.selection();
    let mut gutter_lines = Vec::new();
    let mut text_lines = Vec::new();
    let mut margin_lines = Vec::new();
    for row in t.rows.iter().skip(t.top).take(g.text.height as usize) {
        let turn = &doc.turns[row.turn];
        // Gutter: the stored text's line number where a line begins, the speaker on a
        // turn's first row.
        // The number of the stored line that begins in this row (a row may start mid-line).
        let first = doc.line_of(row.start);
        // A turn's first row holds its label, where the stored line begins.
        let begins_here =
            row.first || row.start == 0 || doc.chars.get(row.start - 1) == Some(&'\n');
        let line = if begins_here {
            Some(first)
        } else if row.end > row.start && doc.line_of(row.end - 1) > first {
            Some(first + 1)
        } else {
            None
        };
        let number = match line {
            Some(n) => format!("{n:>width$} ", width = LINE_NUMBER_WIDTH as usize),
            None => " ".repeat(LINE_NUMBER_WIDTH as usize + 1),
        };
        let speaker = if row.first {
            truncate(&turn.speaker, g.speaker)
        } else {
            String::new()
        };
        let speaker_style = if turn.interviewer {
            app.theme.dim()
        } else {
            app.theme.title()
        };
        gutter_lines.push(Line::from(vec![
            Span::styled(number, app.theme.dim()),
            Span::styled(format!("{speaker:<w$}", w = g.speaker), speaker_style),
        ]));

        // Text: runs of characters with the same style.
        let here: Vec<&crate::coding::Coding> = doc.codings_in(row.start, row.end).collect();
        let mut spans: Vec<Span> = Vec::new();
        let mut run = String::new();
        let mut run_style = Style::default();
        for i in row.start..row.end {
            let covering: Vec<&&crate::coding::Coding> = here
                .iter()
                .filter(|c| (c.start as usize) <= i && i < c.end as usize)
                .collect();
            let mut style = match covering.iter().min_by_key(|c| c.end - c.start) {
                Some(c) => {
                    let own = codes.get(&c.code_id).and_then(|k| k.color.as_deref());
                    app.theme.coded(c.code_id, own, covering.len() > 1)
                }
                None if turn.interviewer => app.theme.dim(),
                None => Style::default(),
            };
            if doc
                .pseudonyms
                .binary_search_by(|&(s, e)| {
                    if e <= i {
                        std::cmp::Ordering::Less
                    } else if s > i {
                        std::cmp::Ordering::Greater
                    } else {
                        std::cmp::Ordering::Equal
                    }
                })
                .is_ok()
            {
                style = style.patch(app.theme.pseudonym());
            }
            if selection.is_some_and(|(s, e)| s <= i && i < e) {
                style = style.patch(app.theme.selection());
            }
            if i == t.cursor {
                style = style.patch(app.theme.cursor());
            }
            if style != run_style && !run.is_empty() {
                spans.push(Span::styled(std::mem::take(&mut run), run_style));
            }
            run_style = style;
            run.push(safe_char(doc.chars[i]));
        }
        if !run.is_empty() {
            spans.push(Span::styled(run, run_style));
        }
        text_lines.push(Line::from(spans));

        // Margin: each code once per row, with its colour mark.
        let mut margin = Vec::new();
        let mut used = 0usize;
        let room = g.margin.width as usize;
        if room > 4 && t.margin_memo(row) {
            margin.push(Span::styled("✎ ", app.theme.title()));
            used += 2;
        }
        let here: Vec<(i64, &Code)> = t
            .margin_codes(row)
            .into_iter()
            .filter_map(|id| codes.get(&id).map(|c| (id, *c)))
            .collect();
        // Several codes that do not fit whole share the room, each cut to its share (at
        // least a few letters, so that each can still be told apart).
        let whole: usize = here.iter().map(|(_, c)| str_width(&c.name) + 2).sum();
        let share = if here.len() > 1 && used + whole > room {
            Some(((room - used.min(room)) / here.len()).max(5))
        } else {
            None
        };
        for (shown, (id, code)) in here.into_iter().enumerate() {
            let mut name = safe(&code.name);
            if let Some(share) = share {
                name = truncate(&name, share.saturating_sub(2));
            }
            if shown == 0 && used + str_width(&name) + 2 > room {
                // The first code always shows, cut to fit.
                name = truncate(&name, room.saturating_sub(used + 2));
            }
            let need = str_width(&name) + 2;
            if used + need > room {
                if used < room {
                    margin.push(Span::styled("…", app.theme.dim()));
                }
                break;
            }
            margin.push(Span::styled("▌", app.theme.code(id, code.color.as_deref())));
            margin.push(Span::raw(format!("{name} ")));
            used += need;
        }
        margin_lines.push(Line::from(margin));
    }
    frame.render_widget(Paragraph::new(gutter_lines), g.gutter);
    frame.render_widget(Paragraph::new(text_lines), g.text);
    if g.margin.width > 0 {
        frame.render_widget(Paragraph::new(margin_lines), g.margin);
    }
}

/// What is at the cursor, for the transcript's bottom edge: each coding there with its coder,
/// and the first memo on it.
fn here_line<'a>(app: &App, doc: &crate::tui::views::transcript::Doc, room: usize) -> Line<'a> {
    let here = doc.codings_at(app.transcript.cursor);
    let line = doc.line_of(app.transcript.cursor);
    if here.is_empty() {
        return Line::styled(format!(" r. {line} · not coded "), app.theme.dim());
    }
    let at = format!(" r. {line} · ");
    let mut used = str_width(&at);
    let mut spans = vec![Span::styled(at, app.theme.dim())];
    for c in here {
        let memo = doc
            .memos
            .get(&c.id)
            .and_then(|m| m.first())
            .map(|(_, who, text)| format!(" ✎ {who}: “{}” (M reads all)", safe(text)))
            .unwrap_or_default();
        let text = format!("{} ({}){memo} ", safe(&c.code), safe(&c.coder));
        let left = room.saturating_sub(used + 1);
        if left < 4 {
            break;
        }
        let text = truncate(&text, left);
        used += str_width(&text) + 1;
        let own = app
            .codebook
            .codes
            .iter()
            .find(|k| k.id == c.code_id)
            .and_then(|k| k.color.as_deref());
        spans.push(Span::styled("▌", app.theme.code(c.code_id, own)));
        spans.push(Span::raw(text));
    }
    Line::from(spans)
}

/// Where the document stands: its place in the document list (the order of `J` and `K`) and,
/// for a participant's interview, which of their waves it is (the order of `>` and `<`).
fn position(app: &App, doc: &crate::tui::views::transcript::Doc) -> String {
    let docs = &app.documents.docs;
    let Some(at) = docs.iter().position(|d| d.id == doc.summary.id) else {
        return String::new();
    };
    let mut out = format!(" · document {} of {}", at + 1, docs.len());
    let here = &doc.summary;
    if let (false, Some(wave)) = (here.participants.is_empty(), &here.wave) {
        let mut waves: Vec<&str> = docs
            .iter()
            .filter(|d| d.participants == here.participants)
            .filter_map(|d| d.wave.as_deref())
            .collect();
        waves.dedup();
        if let Some(k) = waves.iter().position(|w| w == wave) {
            out.push_str(&format!(" · wave {} of {}", k + 1, waves.len()));
        }
    }
    out
}
