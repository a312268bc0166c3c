//! The app coordinates: which view is shown, the open pop-up and the status line, the worker's
//! jobs and answers, and changes made by other processes. Key events arrive here from the event
//! loop and are resolved to [`Action`]s by the keymap (or taken as text by an open field); an
//! action of one view goes to that view's
//! `keys.rs` (in `views/`), an answer to a pop-up to `answers.rs`; slow work leaves as
//! [`Job`]s for the worker.

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

use super::jobs::{Done, Job};
use super::keymap::{Action, Key, Keymap, Scope};
use super::overlay::{Overlay, Prompt, Purpose};
use super::text;
use super::theme::Theme;
use super::views::{
    agreement, analysis, codebook, documents, memos, review, search, segments, transcript, waves,
};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::{coding, history};

/// The views, numbered as their keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Documents,
    Transcript,
    Codebook,
    Search,
    Waves,
    Review,
    Agreement,
    /// Every coding of one code, opened from the codebook.
    Segments,
    Memos,
    /// Matrices, co-occurrence, charts and coding queries.
    Analysis,
}

impl View {
    pub fn title(self) -> &'static str {
        match self {
            View::Documents => "1 Documents",
            View::Transcript => "2 Transcript",
            View::Codebook => "3 Codebook",
            View::Search => "4 Search",
            View::Waves => "5 Waves",
            View::Review => "6 Review",
            View::Agreement => "7 Agreement",
            View::Segments => "3 Codebook › segments",
            View::Memos => "8 Memos",
            View::Analysis => "9 Analysis",
        }
    }

    /// The keymap scopes consulted in this view, most specific first.
    pub fn scopes(self) -> &'static [Scope] {
        match self {
            View::Documents => &[Scope::Documents, Scope::List, Scope::Global],
            View::Transcript => &[Scope::Transcript, Scope::Global],
            View::Codebook => &[Scope::Codebook, Scope::List, Scope::Global],
            View::Search => &[Scope::Search, Scope::List, Scope::Global],
            View::Waves => &[Scope::Waves, Scope::List, Scope::Global],
            View::Review => &[Scope::Review, Scope::List, Scope::Global],
            View::Agreement => &[Scope::Agreement, Scope::List, Scope::Global],
            View::Segments => &[Scope::Segments, Scope::List, Scope::Global],
            View::Memos => &[Scope::Memos, Scope::List, Scope::Global],
            View::Analysis => &[Scope::Analysis, Scope::List, Scope::Global],
        }
    }
}

/// The last thing that happened, for the status line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    pub message: String,
    pub error: bool,
}

/// Which snapshots must be read again before they are shown.
#[derive(Debug, Clone, Copy, Default)]
pub(in crate::tui) struct Stale {
    pub(in crate::tui) documents: bool,
    pub(in crate::tui) codebook: bool,
}

pub struct App {
    pub view: View,
    pub documents: documents::State,
    pub transcript: transcript::State,
    pub codebook: codebook::State,
    pub search: search::State,
    pub waves: waves::State,
    pub review: review::State,
    pub agreement: agreement::State,
    pub segments: segments::State,
    pub memos: memos::State,
    pub analysis: analysis::State,
    pub overlay: Option<Overlay>,
    pub status: Status,
    pub keymap: Keymap,
    pub theme: Theme,
    pub project: String,
    pub coder: String,
    pub quit: bool,
    /// Whether the first data has been read (the first frame is drawn before).
    pub loaded: bool,
    pub(in crate::tui) outbox: Vec<Job>,
    pub(in crate::tui) next_job: u64,
    /// Code ids this coder used most recently, newest first.
    pub(in crate::tui) recent: Vec<i64>,
    pub(in crate::tui) stale: Stale,
    /// Where a mouse drag started.
    pub(in crate::tui) drag_from: Option<usize>,
    /// The view a transcript was opened from; `Esc` goes back to it.
    pub(in crate::tui) came_from: View,
    /// An action that needed the key, carried out once its passphrase is given.
    pub(in crate::tui) after_unlock: Option<Action>,
    /// Where closing the first-run tour leaves its mark, so that it is not shown again.
    pub tour_marker: Option<std::path::PathBuf>,
    /// Code suggestions learned from the project's codings (by the worker), for the picker.
    pub suggester: Suggester,
}

/// The picker's suggestion model: learned in the worker when a picker first opens, learned
/// again (in the background, the old one serving meanwhile) after codings changed.
#[derive(Debug, Default)]
pub struct Suggester {
    pub model: Option<std::sync::Arc<crate::suggest::Model>>,
    pub pending: bool,
    pub stale: bool,
}

impl App {
    /// An app with nothing loaded yet: enough to draw the first frame.
    pub fn new(project: String, coder: String, keymap: Keymap, theme: Theme) -> App {
        App {
            view: View::Documents,
            documents: Default::default(),
            transcript: Default::default(),
            codebook: Default::default(),
            search: Default::default(),
            waves: Default::default(),
            review: Default::default(),
            agreement: Default::default(),
            segments: Default::default(),
            memos: Default::default(),
            analysis: analysis::State {
                stale: true,
                ..Default::default()
            },
            suggester: Suggester::default(),
            overlay: None,
            status: Status {
                message: "loading…".into(),
                error: false,
            },
            keymap,
            theme,
            project,
            coder,
            quit: false,
            loaded: false,
            outbox: Vec::new(),
            next_job: 0,
            recent: Vec::new(),
            after_unlock: None,
            stale: Stale::default(),
            drag_from: None,
            came_from: View::Documents,
            tour_marker: None,
        }
    }

    /// Opens the first-run tour; closing it writes `marker` (when given).
    pub fn start_tour(&mut self, marker: Option<std::path::PathBuf>) {
        self.tour_marker = marker;
        self.overlay = Some(Overlay::Text {
            title: "Welcome to the narrata demo (shown once)".into(),
            body: TOUR.into(),
        });
    }

    /// Reads what the first views show.
    pub fn load(&mut self, store: &Store) -> Result<()> {
        self.documents.load(store.conn())?;
        self.codebook.load(store.conn())?;
        self.recent = coding::recent_codes(store.conn(), &self.coder, 12)?;
        self.waves.participants = self.documents.participants.clone();
        self.loaded = true;
        let n = self.documents.docs.len();
        self.status = Status {
            message: if n == 0 {
                "no documents yet: import transcripts with `narrata import`".into()
            } else {
                format!("{n} documents · Enter opens one · ? shows every key · q quits")
            },
            error: false,
        };
        Ok(())
    }

    /// Jobs for the worker since the last call.
    pub fn take_jobs(&mut self) -> Vec<Job> {
        std::mem::take(&mut self.outbox)
    }

    pub(in crate::tui) fn job_id(&mut self) -> u64 {
        self.next_job += 1;
        self.next_job
    }

    /// Sizes the views for the screen: wraps the transcript and sets list heights. Called
    /// before every draw; pure computation.
    pub fn prepare(&mut self, area: Rect) {
        let body = body_area(area);
        let list_rows = body.height.saturating_sub(3) as usize;
        self.documents.grid_height = (body.height / 2).saturating_sub(3) as usize;
        self.documents.list_height = (body.height - body.height / 2).saturating_sub(3) as usize;
        self.codebook.height = body.height.saturating_sub(2) as usize;
        self.search.height = body.height.saturating_sub(5) as usize;
        self.waves.height = list_rows
            .saturating_sub(waves::portrait_rows(self.waves.participant.is_some()) as usize);
        self.review.height = list_rows;
        self.agreement.height = (body.height / 2).saturating_sub(2) as usize;
        self.segments.height = body.height.saturating_sub(2) as usize;
        self.memos.height = (body.height * 3 / 5).saturating_sub(2) as usize;
        self.analysis.height = body.height.saturating_sub(6) as usize;
        self.analysis.width = analysis::draw::columns_that_fit(body.width);
        self.transcript.layout(body);
    }

    pub(in crate::tui) fn say(&mut self, message: impl Into<String>) {
        self.status = Status {
            message: message.into(),
            error: false,
        };
    }

    pub(in crate::tui) fn fail(&mut self, e: &Error) {
        self.status = Status {
            message: e.to_string(),
            error: true,
        };
    }

    /// A key from the terminal.
    pub fn on_key(&mut self, store: &mut Store, e: KeyEvent) {
        if let Err(err) = self.key(store, e) {
            self.fail(&err);
        }
    }

    pub(in crate::tui) fn key(&mut self, store: &mut Store, e: KeyEvent) -> Result<()> {
        // A status message lasts until the next key; then the footer shows the view's keys.
        self.status = Status::default();
        // `Esc` and a key typed quickly after it reach narrata as one Alt+key. In a pop-up or
        // the query line that is the `Esc` (closing it) and then the key, never a letter typed
        // into the field.
        let after_esc = match e.code {
            KeyCode::Char(c) if e.modifiers == KeyModifiers::ALT => Some(c),
            _ => None,
        };
        let editing = self.overlay.is_some() || (self.view == View::Search && self.search.editing);
        if let (Some(c), true) = (after_esc, editing) {
            self.key(store, KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))?;
            return self.key(store, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        if let Some(overlay) = self.overlay.take() {
            return self.overlay_key(store, overlay, e);
        }
        if self.view == View::Search && self.search.editing {
            match e.code {
                KeyCode::Enter => {
                    self.search.editing = false;
                    self.run_search();
                }
                KeyCode::Esc => self.search.editing = false,
                KeyCode::Down | KeyCode::Tab => self.search.editing = false,
                _ => {
                    super::overlay::edit(&mut self.search.query, &e);
                }
            }
            return Ok(());
        }
        let Some(key) = Key::from_event(&e) else {
            return Ok(());
        };
        match self.keymap.resolve(self.view.scopes(), key) {
            Some(action) => self.act(store, action),
            None => Ok(()),
        }
    }

    /// A mouse event: in the transcript a click places the cursor and a drag selects; the
    /// wheel moves by lines.
    pub fn on_mouse(&mut self, m: MouseEvent) {
        if self.overlay.is_some() || self.view != View::Transcript {
            return;
        }
        let t = &mut self.transcript;
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some(at) = t.char_at_screen(m.column, m.row) {
                    t.anchor = None;
                    t.place(at);
                    self.drag_from = Some(t.cursor);
                }
            }
            MouseEventKind::Drag(MouseButton::Left) => {
                if let (Some(from), Some(at)) = (self.drag_from, t.char_at_screen(m.column, m.row))
                {
                    t.anchor = Some(from);
                    t.place(at);
                }
            }
            MouseEventKind::Up(MouseButton::Left) => {
                if t.anchor == Some(t.cursor) {
                    t.anchor = None;
                }
                self.drag_from = None;
            }
            MouseEventKind::ScrollDown => {
                t.movement(Action::LineDown);
            }
            MouseEventKind::ScrollUp => {
                t.movement(Action::LineUp);
            }
            _ => {}
        }
    }

    /// An answer from the worker.
    pub fn on_done(&mut self, done: Done) {
        match done {
            Done::Search { id, result } => {
                if let Err(e) = &result
                    && self.search.pending == Some(id)
                {
                    self.status = Status {
                        message: e.clone(),
                        error: true,
                    };
                }
                self.search.receive(id, result);
                if let Some(r) = &self.search.results
                    && self.search.pending.is_none()
                    && self.view == View::Search
                {
                    let more = if r.total > r.hits.len() {
                        format!(" (the best {} shown)", r.hits.len())
                    } else {
                        String::new()
                    };
                    self.say(format!(
                        "{} turn(s) found in {:.0} ms{more}{}",
                        r.total,
                        r.took_ms,
                        if r.rebuilt {
                            " · index rebuilt first"
                        } else if r.notes.iter().any(|n| n == crate::search::BEHIND) {
                            " · another command is updating the index: the newest documents may be missing"
                        } else {
                            ""
                        }
                    ));
                }
            }
            Done::Changes { id, result } => self.waves.receive(id, result),
            Done::Suggester(result) => {
                self.suggester.pending = false;
                match result {
                    Ok(model) => self.suggester.model = Some(model),
                    // Suggestions are a help, not a need: the picker works without them.
                    Err(e) => self.say(format!("no code suggestions: {e}")),
                }
            }
            Done::Agreement { id, result } => {
                if let Err(e) = &result {
                    self.status = Status {
                        message: e.clone(),
                        error: true,
                    };
                }
                self.agreement.receive(id, result);
            }
            Done::IndexUpdate(Err(e)) => {
                self.status = Status {
                    message: format!(
                        "the search index was not updated ({e}); it is rebuilt at the next search"
                    ),
                    error: true,
                }
            }
            Done::IndexUpdate(Ok(())) => {}
        }
    }

    /// Carries out one action.
    pub fn act(&mut self, store: &mut Store, action: Action) -> Result<()> {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.overlay = Some(Overlay::Help),
            Action::ViewDocuments => self.show(store, View::Documents)?,
            Action::ViewTranscript => self.show(store, View::Transcript)?,
            Action::ViewCodebook => self.show(store, View::Codebook)?,
            Action::ViewSearch => self.show(store, View::Search)?,
            Action::ViewWaves => self.show(store, View::Waves)?,
            Action::ViewReview => self.show(store, View::Review)?,
            Action::ViewAgreement => self.show(store, View::Agreement)?,
            Action::ViewMemos => self.show(store, View::Memos)?,
            Action::ViewAnalysis => self.show(store, View::Analysis)?,
            Action::ToggleBlind => {
                let only = match self.transcript.only {
                    Some(_) => None,
                    None => Some(self.coder.clone()),
                };
                self.transcript.only = only.clone();
                self.segments.only = only.clone();
                self.codebook.only = only.clone();
                self.analysis.only = only.clone();
                self.analysis.stale = true;
                self.transcript.reload_codings(store.conn())?;
                self.segments.stale = true;
                self.stale.codebook = true;
                match self.view {
                    View::Codebook => {
                        self.codebook.load(store.conn())?;
                        self.stale.codebook = false;
                    }
                    View::Segments => self.segments.load(store.conn())?,
                    View::Analysis => self.analysis.load(store.conn())?,
                    _ => {}
                }
                self.say(if only.is_some() {
                    "blind coding: only your own codings are shown, counted and coloured (Ctrl-b shows everyone's)"
                } else {
                    "every coder's codings are shown again"
                });
            }
            Action::Undo | Action::Redo => self.undo_redo(store, action == Action::Undo)?,
            Action::Backup => {
                let folder = crate::project::default_backup_folder(store.root());
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    "write a backup of the project to the new folder",
                    Purpose::Backup,
                    folder.display().to_string(),
                )));
            }
            _ => match self.view {
                View::Documents => self.documents_action(store, action)?,
                View::Transcript => self.transcript_action(store, action)?,
                View::Codebook => self.codebook_action(store, action)?,
                View::Search => self.search_action(store, action)?,
                View::Waves => self.waves_action(store, action)?,
                View::Review => self.review_action(store, action)?,
                View::Agreement => self.agreement_action(store, action)?,
                View::Segments => self.segments_action(store, action)?,
                View::Memos => self.memos_action(store, action)?,
                View::Analysis => self.analysis_action(store, action)?,
            },
        }
        Ok(())
    }

    /// Writes what is kept in memory for speed (review decisions): on leaving the review
    /// list and when the UI closes.
    pub fn flush(&mut self, store: &Store) -> Result<usize> {
        self.review.save(store.root())
    }

    /// Switches view, reading what it shows if that changed.
    pub fn show(&mut self, store: &mut Store, view: View) -> Result<()> {
        if self.view == View::Review && view != View::Review {
            let n = self.flush(store)?;
            if n > 0 {
                self.say(format!("{n} review decision(s) written to the key"));
            }
        }
        self.view = view;
        match view {
            View::Documents if self.stale.documents || !self.documents.loaded => {
                self.documents.load(store.conn())?;
                self.stale.documents = false;
            }
            View::Codebook if self.stale.codebook || !self.codebook.loaded => {
                self.codebook.load(store.conn())?;
                self.stale.codebook = false;
            }
            View::Transcript if self.transcript.doc.is_none() => {
                let first = self.documents.docs.first().map(|d| d.id);
                match first {
                    Some(id) => self.open_document(store, id, None)?,
                    None => self.say("there are no documents to show yet"),
                }
            }
            View::Search if self.search.query.is_empty() => {
                self.search.editing = true;
                self.say(
                    "type words (and filters such as wave:T2 participant:P03), Enter searches",
                );
            }
            View::Waves => {
                if self.waves.view.is_none() && self.waves.participant.is_none() {
                    self.waves.participant = self
                        .transcript
                        .doc
                        .as_ref()
                        .and_then(|d| d.summary.participant.clone());
                }
                if self.waves.view.is_none() || self.waves.stale {
                    self.request_changes();
                }
            }
            View::Review if !self.review.unlocked() => self.unlock_review(store)?,
            View::Agreement if self.agreement.coders.is_empty() => self.choose_coders(store)?,
            View::Segments if self.segments.stale => self.segments.load(store.conn())?,
            View::Memos => self.memos.load(store.conn())?,
            View::Analysis if self.analysis.stale => self.analysis.load(store.conn())?,
            _ => {}
        }
        Ok(())
    }

    /// Opens a document in the transcript view, the cursor at `at`.
    pub fn open_document(&mut self, store: &Store, id: i64, at: Option<usize>) -> Result<()> {
        let doc = transcript::Doc::load(store.conn(), id)?;
        let title = describe(&doc.summary);
        self.transcript.open(doc, at);
        if self.view != View::Transcript {
            self.came_from = self.view;
        }
        self.view = View::Transcript;
        self.say(format!("opened {title}"));
        Ok(())
    }

    /// Another process (the command line, another window) committed to the project: what is
    /// shown is read again. The open transcript is read whole if its text changed (a
    /// redaction) or closed if its document is gone, so that no coding is ever placed by
    /// offsets into text that is no longer there.
    pub fn outside_change(&mut self, store: &mut Store) -> Result<()> {
        if let Some(open) = &self.transcript.doc {
            match transcript::Doc::load(store.conn(), open.summary.id) {
                Ok(fresh) if fresh.chars != open.chars => {
                    let at = self.transcript.cursor.min(fresh.chars.len());
                    let title = fresh.summary.title.clone();
                    let id = fresh.summary.id;
                    self.transcript.open(fresh, Some(at));
                    // A code picker for words of the old text would code other words now.
                    let codes_here =
                        |p: &Purpose| matches!(p, Purpose::CodeSpan { doc, .. } if *doc == id);
                    let choosing = matches!(
                        &self.overlay,
                        Some(Overlay::Picker(p)) if codes_here(&p.purpose)
                            || matches!(&p.purpose, Purpose::NewCodeParent { then, .. } if codes_here(then))
                    );
                    if choosing {
                        self.overlay = None;
                    }
                    // Words changing under the reader's eyes need a reason.
                    self.say(format!(
                        "{title}: its text was changed by another narrata process \
                         (a redaction?) and has been read again{}",
                        if choosing {
                            "; nothing was coded: select the words again"
                        } else {
                            ""
                        }
                    ));
                }
                Ok(_) => {}
                Err(_) => {
                    self.transcript.doc = None;
                    if self.view == View::Transcript {
                        self.view = View::Documents;
                    }
                    self.say("the open transcript was removed by another narrata process");
                }
            }
        }
        // Otherwise quietly: the status line keeps what the user's own last action said.
        self.changed(store)
    }

    /// After a change to the project: hand what this window's actions committed to the worker,
    /// which brings the search index in step (`search::follow_outcomes`), and read the changed
    /// snapshots again (the one on screen now, the others when next shown).
    pub(in crate::tui) fn changed(&mut self, store: &mut Store) -> Result<()> {
        let outcomes = store.take_outcomes();
        if !outcomes.is_empty() {
            self.outbox.push(Job::Follow { outcomes });
        }
        self.transcript.reload_codings(store.conn())?;
        self.stale.documents = true;
        self.stale.codebook = true;
        self.waves.stale = true;
        self.segments.stale = true;
        self.analysis.stale = true;
        self.suggester.stale = true;
        match self.view {
            View::Documents => {
                self.documents.load(store.conn())?;
                self.stale.documents = false;
            }
            View::Codebook => {
                self.codebook.load(store.conn())?;
                self.stale.codebook = false;
            }
            View::Waves => self.request_changes(),
            View::Segments => self.segments.load(store.conn())?,
            View::Memos => self.memos.load(store.conn())?,
            View::Analysis => self.analysis.load(store.conn())?,
            _ => {}
        }
        Ok(())
    }

    pub(in crate::tui) fn undo_redo(&mut self, store: &mut Store, undo: bool) -> Result<()> {
        let step = if undo {
            history::undo(store, &self.coder)?
        } else {
            history::redo(store, &self.coder)?
        };
        match step {
            Some(s) => {
                // Which documents an undone step touched is not known here: the index is
                // left stale and rebuilt by the next search.
                self.changed(store)?;
                let passed = match s.passed_over.as_slice() {
                    [] => String::new(),
                    [p] => format!(
                        " (passed over {} {}, which cannot be undone: {})",
                        p.action, p.target, p.reason
                    ),
                    many => format!(
                        " (passed over {} actions that cannot be undone)",
                        many.len()
                    ),
                };
                self.say(format!(
                    "{} {} {} ({} row(s)){passed}",
                    if undo { "undid" } else { "redid" },
                    s.action,
                    s.label,
                    s.rows
                ));
            }
            None => self.say(if undo {
                "nothing of yours to undo"
            } else {
                "nothing to redo"
            }),
        }
        Ok(())
    }
}

/// The area between the header and the footer.
pub fn body_area(area: Rect) -> Rect {
    Rect::new(
        area.x,
        area.y.saturating_add(1),
        area.width,
        area.height.saturating_sub(2),
    )
}

/// "P03 · T2 (individual, 1,214 words)".
pub fn describe(d: &crate::corpus::DocumentSummary) -> String {
    let who = if d.participants.is_empty() {
        d.title.clone()
    } else {
        d.participants.join(", ")
    };
    format!(
        "{} · {} ({}, {} words)",
        text::safe(&who),
        d.wave.as_deref().unwrap_or("no wave"),
        d.kind,
        crate::format::thousands(d.words)
    )
}

/// "r. 12" or "r. 12–14".
pub fn lines(first: i64, last: i64) -> String {
    if first == last {
        format!("r. {first}")
    } else {
        format!("r. {first}–{last}")
    }
}

/// The first-run tour of the demo: the few keys a day of coding starts with.
const TOUR: &str =
    "These interviews are fictional. Everything you do here is saved at once; u undoes.

1 Documents   participants × waves; Enter opens a transcript
2 Transcript  v selects words, c codes them (a new name makes a new code), C codes in vivo,
              m writes a memo, J/K next/previous document, >/< the same person's next wave
3 Codebook    Enter lists a code's segments, e edits a definition, a adds a code
4 Search      words and filters (participant:P01 wave:T2); C codes every hit
5 Waves       what emerged, grew, shrank or ceased per participant and code
6 Review      pseudonyms (the demo key's passphrase is printed by `narrata demo`)
7 Agreement   coders compared          8 Memos   every memo
9 Analysis    code × wave, group or age; where codes meet; / runs a coding query
Ctrl-b        blind coding: only your own codings

? lists every key of a view. Any key closes this tour; it is not shown again.";
