//! Drawing: a pure function of the app's state onto a ratatui frame. This file draws the frame
//! around the views (header, footer, pop-ups) and the pieces the views share; each view draws
//! itself (`views/*/draw.rs`). Nothing here reads the database, the index or a file;
//! everything drawn from transcripts passes through [`super::text::safe`].

mod overlay;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, View, body_area};
use super::keymap::{Action, Scope};
use super::text::{safe, str_width, truncate};
use super::views;
use super::views::ListCursor;
use ratatui::widgets::{Block, Borders};

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < 2 || area.height < 3 {
        frame.render_widget(Paragraph::new("narrata"), area);
        return;
    }
    header(frame, app, Rect::new(area.x, area.y, area.width, 1));
    let body = body_area(area);
    match app.view {
        View::Documents => views::documents::draw::draw(frame, app, body),
        View::Transcript => views::transcript::draw::draw(frame, app, body),
        View::Codebook => views::codebook::draw::draw(frame, app, body),
        View::Search => views::search::draw::draw(frame, app, body),
        View::Waves => views::waves::draw::draw(frame, app, body),
        View::Review => views::review::draw::draw(frame, app, body),
        View::Agreement => views::agreement::draw::draw(frame, app, body),
        View::Segments => views::segments::draw::draw(frame, app, body),
        View::Memos => views::memos::draw::draw(frame, app, body),
        View::Analysis => views::analysis::draw::draw(frame, app, body),
    }
    footer(
        frame,
        app,
        Rect::new(area.x, area.y + area.height - 1, area.width, 1),
    );
    if let Some(o) = &app.overlay {
        overlay::draw(frame, app, o, area);
    }
}

fn header(frame: &mut Frame, app: &App, area: Rect) {
    let mut left = format!(" narrata · {}", safe(&app.project));
    if app.view == View::Transcript
        && let Some(d) = &app.transcript.doc
    {
        left.push_str(" · ");
        left.push_str(&super::app::describe(&d.summary));
    }
    let blind = if app.transcript.only.is_some() {
        "only your codings · "
    } else {
        ""
    };
    let right = format!("{blind}{}   ? help ", app.view.title());
    let room = (area.width as usize).saturating_sub(str_width(&right) + 1);
    let left = truncate(&left, room);
    let pad = (area.width as usize).saturating_sub(str_width(&left) + str_width(&right));
    let line = Line::from(vec![
        Span::styled(left, app.theme.title()),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, app.theme.dim()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// Hints for the view's main keys, then the status, then the coder.
fn footer(frame: &mut Frame, app: &App, area: Rect) {
    let hints: &[(Scope, Action, &str)] = match app.view {
        View::Documents => &[
            (Scope::List, Action::Open, "open"),
            (Scope::Global, Action::NextPane, "grid/list"),
            (Scope::List, Action::Filter, "filter"),
            (Scope::Documents, Action::AssignDocument, "assign"),
        ],
        View::Transcript => &[
            (Scope::Transcript, Action::Code, "code"),
            (Scope::Transcript, Action::Select, "select"),
            (Scope::Transcript, Action::Uncode, "uncode"),
            (Scope::Transcript, Action::Memo, "memo"),
            (Scope::Global, Action::Undo, "undo"),
            (Scope::Transcript, Action::NextUncoded, "next uncoded"),
            (Scope::Transcript, Action::Find, "find"),
        ],
        View::Codebook => &[
            (Scope::List, Action::Open, "segments"),
            (Scope::Codebook, Action::AddCode, "add"),
            (Scope::Codebook, Action::RenameCode, "rename"),
            (Scope::Codebook, Action::MoveCode, "move"),
            (Scope::Codebook, Action::MergeCode, "merge"),
            (Scope::Codebook, Action::EditDefinition, "edit"),
            (Scope::Codebook, Action::DeleteCode, "delete"),
        ],
        View::Search => &[
            (Scope::Search, Action::EditQuery, "query"),
            (Scope::List, Action::Open, "go to"),
            (Scope::Search, Action::CodeAllHits, "code all"),
        ],
        View::Waves => &[
            (Scope::Waves, Action::ChooseParticipant, "participant"),
            (Scope::Waves, Action::ChooseCoders, "coders"),
            (Scope::Waves, Action::EditRule, "where"),
            (Scope::List, Action::Open, "excerpts"),
            (Scope::Waves, Action::ConfirmLabel, "confirm"),
            (Scope::Waves, Action::OverrideLabel, "override"),
            (Scope::Waves, Action::Portrait, "portrait"),
        ],
        View::Review if app.review.pseudonyms_shown => &[
            (Scope::Review, Action::LinkPseudonym, "link"),
            (Scope::Review, Action::SplitPseudonym, "split"),
            (Scope::Review, Action::RelabelPseudonym, "relabel"),
            (Scope::Review, Action::RestoreEverywhere, "restore"),
            (Scope::Review, Action::TogglePseudonyms, "suggestions"),
        ],
        View::Review => &[
            (Scope::Review, Action::Accept, "accept"),
            (Scope::Review, Action::Reject, "reject"),
            (Scope::Review, Action::ApplyReview, "store"),
            (Scope::Review, Action::TogglePseudonyms, "pseudonyms"),
        ],
        View::Segments => &[
            (Scope::List, Action::Open, "go to"),
            (Scope::Segments, Action::ToggleSubcodes, "sub-codes"),
            (Scope::Segments, Action::ChooseParticipant, "participant"),
            (Scope::Segments, Action::ChooseWave, "wave"),
            (Scope::Segments, Action::ChooseCoders, "coder"),
            (Scope::Segments, Action::ChooseGroup, "group"),
        ],
        View::Memos => &[
            (Scope::List, Action::Open, "read"),
            (Scope::Memos, Action::GoToTarget, "go to"),
            (Scope::Memos, Action::EditMemoHere, "edit"),
            (Scope::Memos, Action::DeleteMemo, "delete"),
            (Scope::Memos, Action::ChooseKind, "kind"),
            (Scope::Memos, Action::ChooseCoders, "author"),
            (Scope::List, Action::Filter, "words"),
        ],
        View::Agreement => &[
            (Scope::Agreement, Action::ChooseCoders, "coders"),
            (Scope::List, Action::Open, "open the passage"),
        ],
        View::Analysis => &[
            (
                Scope::Analysis,
                Action::NextAnalysis,
                "matrix/co-occurrence/chart",
            ),
            (Scope::Analysis, Action::NextAcross, "columns"),
            (Scope::Analysis, Action::NextMeasure, "measure"),
            (Scope::List, Action::Open, "passages"),
            (Scope::Analysis, Action::EditQuery, "query"),
            (Scope::Analysis, Action::EditRule, "where"),
            (Scope::Analysis, Action::ChooseCoders, "coder"),
        ],
    };
    let mut spans = Vec::new();
    let selection = (app.view == View::Transcript)
        .then(|| app.transcript.target().zip(app.transcript.doc.as_ref()))
        .flatten()
        .filter(|_| app.transcript.anchor.is_some());
    if let (true, Some(((a, b), doc))) = (app.status.message.is_empty(), selection) {
        let words: String = doc.chars[a..b].iter().collect();
        spans.push(Span::styled(
            format!(
                " selection: {} word(s), {} · c codes it · X redacts it · Esc clears ",
                crate::words::count(&words),
                super::app::lines(doc.line_of(a) as i64, doc.line_of(b - 1) as i64)
            ),
            app.theme.highlight(),
        ));
    } else if app.status.message.is_empty() {
        for (scope, action, word) in hints {
            if let Some(k) = app.keymap.key_for(*scope, *action) {
                spans.push(Span::styled(format!(" {k}"), app.theme.title()));
                spans.push(Span::raw(format!(" {word} ")));
            }
        }
    } else {
        let style = if app.status.error {
            app.theme.error()
        } else {
            ratatui::style::Style::default()
        };
        let room = (area.width as usize).saturating_sub(str_width(&app.coder) + 12);
        spans.push(Span::styled(
            format!(" {}", truncate(&app.status.message, room)),
            style,
        ));
    }
    let right = format!("coder: {} ", safe(&app.coder));
    let used: usize = spans.iter().map(|s| str_width(&s.content)).sum();
    let pad = (area.width as usize).saturating_sub(used + str_width(&right));
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(right, app.theme.dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub(in crate::tui) fn block(title: &str, focused: bool, app: &App) -> Block<'static> {
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
pub(in crate::tui) fn bar(share: f64, width: usize) -> String {
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
pub(in crate::tui) fn list_lines<'a>(
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
