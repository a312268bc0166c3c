//! The list views: documents (grid and list), codebook, search results, waves, review.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::super::app::App;
use super::super::text::{safe, str_width, truncate};
use super::super::views::ListCursor;
use super::super::views::documents::{Cell, Pane};

fn block(title: &str, focused: bool, app: &App) -> Block<'static> {
    let b = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {title} "));
    if focused {
        b.title_style(app.theme.title())
    } else {
        b.border_style(app.theme.dim())
    }
}

/// A bar of `width` cells for a share 0–1.
fn bar(share: f64, width: usize) -> String {
    let eighths = (share.clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    if eighths / 8 < width {
        s.push_str(PARTS[eighths % 8]);
    }
    let w = str_width(&s);
    s.push_str(&"·".repeat(width.saturating_sub(w)));
    s
}

/// Lines of a list with the selected one highlighted.
fn list_lines<'a>(
    app: &App,
    cursor: &ListCursor,
    height: usize,
    items: impl Iterator<Item = Line<'a>>,
    focused: bool,
) -> Vec<Line<'a>> {
    items
        .enumerate()
        .skip(cursor.offset)
        .take(height)
        .map(|(i, line)| {
            if i == cursor.selected && focused {
                line.style(app.theme.highlight())
            } else {
                line
            }
        })
        .collect()
}

pub fn documents(frame: &mut Frame, app: &App, area: Rect) {
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

pub fn codebook(frame: &mut Frame, app: &App, area: Rect) {
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

pub fn search(frame: &mut Frame, app: &App, area: Rect) {
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
        let kind = if h.participants.len() > 1 {
            "group"
        } else {
            ""
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
                used += super::super::text::width(*c);
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

pub fn waves(frame: &mut Frame, app: &App, area: Rect) {
    let w = &app.waves;
    if let Some(x) = &w.excerpts {
        return excerpts(frame, app, x, area);
    }
    let who = w
        .participant
        .clone()
        .unwrap_or_else(|| "everyone (cohort)".into());
    let mut lines: Vec<Line> = Vec::new();
    let portrait_h = super::super::views::waves::portrait_rows(w.participant.is_some());
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
        "Change across waves: {}{} · {coders}{differ} · coverage = coded ÷ own words · {}",
        safe(&who),
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

fn excerpts(frame: &mut Frame, app: &App, x: &super::super::views::waves::Excerpts, area: Rect) {
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
                    super::super::app::lines(c.line, c.end_line),
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

pub fn review(frame: &mut Frame, app: &App, area: Rect) {
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

fn measure(x: Option<f64>) -> String {
    // + 0.0 turns a negative zero into zero.
    x.map(|v| format!("{:.2}", v + 0.0))
        .unwrap_or_else(|| "–".into())
}

pub fn agreement(frame: &mut Frame, app: &App, area: Rect) {
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
                "Agreement between {} (characters; docs/AGREEMENT.md)",
                safe(&who)
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
