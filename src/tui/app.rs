//! The app: which view is shown, the views' states, the open pop-up and the status line, and
//! the one place where actions become library calls. Keys arrive here already resolved to
//! [`Action`]s (or as text for an open field); slow work leaves as [`Job`]s for the worker.

use ratatui::crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use super::jobs::{Done, Job};
use super::keymap::{Action, Key, Keymap, Scope};
use super::overlay::{Choice, Confirm, Input, Overlay, Picker, Prompt, Purpose};
use super::text;
use super::theme::Theme;
use super::views::{agreement, codebook, documents, review, search, transcript, waves};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::{change, codebook as codes_lib, coding, history, memo};

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
struct Stale {
    documents: bool,
    codebook: bool,
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
    pub overlay: Option<Overlay>,
    pub status: Status,
    pub keymap: Keymap,
    pub theme: Theme,
    pub project: String,
    pub coder: String,
    pub quit: bool,
    /// Whether the first data has been read (the first frame is drawn before).
    pub loaded: bool,
    outbox: Vec<Job>,
    next_job: u64,
    /// Code ids this coder used most recently, newest first.
    recent: Vec<i64>,
    stale: Stale,
    /// Where a mouse drag started.
    drag_from: Option<usize>,
    /// The view a transcript was opened from; `Esc` goes back to it.
    came_from: View,
    /// An action that needed the key, carried out once its passphrase is given.
    after_unlock: Option<Action>,
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
        }
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

    fn job_id(&mut self) -> u64 {
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
        self.transcript.layout(body);
    }

    fn say(&mut self, message: impl Into<String>) {
        self.status = Status {
            message: message.into(),
            error: false,
        };
    }

    fn fail(&mut self, e: &Error) {
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

    fn key(&mut self, store: &mut Store, e: KeyEvent) -> Result<()> {
        // A status message lasts until the next key; then the footer shows the view's keys.
        self.status = Status::default();
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
                        } else {
                            ""
                        }
                    ));
                }
            }
            Done::Changes { id, result } => self.waves.receive(id, result),
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
                    let choosing = matches!(
                        &self.overlay,
                        Some(Overlay::Picker(p)) if matches!(p.purpose, Purpose::CodeSpan { doc, .. } if doc == id)
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
    fn changed(&mut self, store: &mut Store) -> Result<()> {
        let outcomes = store.take_outcomes();
        if !outcomes.is_empty() {
            self.outbox.push(Job::Follow { outcomes });
        }
        if let Some(d) = &mut self.transcript.doc {
            d.reload_codings(store.conn())?;
        }
        self.stale.documents = true;
        self.stale.codebook = true;
        self.waves.stale = true;
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
            _ => {}
        }
        Ok(())
    }

    fn undo_redo(&mut self, store: &mut Store, undo: bool) -> Result<()> {
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

    fn documents_action(&mut self, store: &mut Store, action: Action) -> Result<()> {
        match action {
            Action::NextPane | Action::PrevPane => self.documents.toggle_pane(),
            Action::Filter => {
                self.documents.pane = documents::Pane::List;
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    "filter documents (title, participant, wave, kind)",
                    Purpose::ListFilter,
                    self.documents.filter.clone(),
                )));
            }
            Action::Back => self.documents.filter.clear(),
            Action::AssignDocument => match self.documents.selected_document() {
                None => self.say("choose a document in the list (Tab) to assign it"),
                Some(d) => {
                    let now = format!(
                        "{} {} {}",
                        d.participants.join(","),
                        d.wave.clone().unwrap_or_default(),
                        d.kind
                    );
                    self.overlay = Some(Overlay::Prompt(Prompt::new(
                        format!(
                            "document {}: PARTICIPANT[,P…] WAVE [individual|group|fieldnote|document]",
                            d.id
                        ),
                        Purpose::AssignDocument { doc: d.id },
                        now.split_whitespace().collect::<Vec<_>>().join(" "),
                    )));
                }
            },
            _ => {
                let on_grid = self.documents.pane == documents::Pane::Grid;
                match self.documents.handle(action) {
                    Some(id) => self.open_document(store, id, None)?,
                    None if action == Action::Open && on_grid => {
                        let (p, w) = self.documents.grid;
                        let who = self
                            .documents
                            .participants
                            .get(p)
                            .cloned()
                            .unwrap_or_default();
                        let wave = self.documents.waves.get(w).cloned().unwrap_or_default();
                        self.say(format!("{who} was not interviewed in {wave}"));
                    }
                    None => {}
                }
            }
        }
        Ok(())
    }

    fn transcript_action(&mut self, store: &mut Store, action: Action) -> Result<()> {
        if self.transcript.doc.is_none() {
            return Ok(());
        }
        if self.transcript.movement(action) {
            return Ok(());
        }
        match action {
            Action::Select => {
                self.transcript.anchor = match self.transcript.anchor {
                    Some(_) => None,
                    None => Some(self.transcript.cursor),
                };
            }
            // Esc clears a selection; with none, it goes back.
            Action::Back if self.transcript.anchor.take().is_none() => {
                self.show(store, self.came_from)?;
            }
            Action::RedactSelection | Action::RestoreHere if !self.review.unlocked() => {
                // The key is needed: unlock it, then carry on with the same key.
                if !crate::keyfile::path(store.root()).is_file() {
                    self.say("this project has no pseudonym key: its transcripts were imported without anonymisation");
                    return Ok(());
                }
                self.after_unlock = Some(action);
                self.unlock_review(store)?;
                if self.review.unlocked() {
                    self.after_unlock = None;
                    self.transcript_action(store, action)?;
                }
            }
            Action::RedactSelection => {
                let doc = self.doc()?;
                let Some((start, end)) = self.transcript.selection() else {
                    self.say("select the words to redact first (v, then move)");
                    return Ok(());
                };
                let seen: String = doc.chars[start..end].iter().collect();
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    format!(
                        "redact «{}» in this document as (person, place, organisation, date, age, address, id…)",
                        crate::tui::text::safe(&seen)
                    ),
                    Purpose::Redact {
                        doc: doc.summary.id,
                        start,
                        end,
                        seen,
                    },
                    "person",
                )));
            }
            Action::RestoreHere => {
                let doc = self.doc()?;
                let text: String = doc.chars.iter().collect();
                let at = self.transcript.cursor;
                let Some((s, e)) = crate::keyfile::pseudonym_spans(&text)
                    .into_iter()
                    .find(|&(s, e)| s <= at && at < e)
                else {
                    self.say("the cursor is not on a pseudonym");
                    return Ok(());
                };
                let pseudonym: String = doc.chars[s..e].iter().collect();
                let id = doc.summary.id;
                self.ask_restore(pseudonym, Some(id), None);
            }
            Action::Code if self.transcript.target_is_interviewers() => {
                self.overlay = Some(Overlay::Confirm(Confirm {
                    question: "This is the interviewer's turn, not a participant's. Code it anyway? (y/n)".into(),
                    purpose: Purpose::CodeInterviewer,
                }));
            }
            Action::Code => self.open_code_picker(),
            Action::Uncode => self.uncode(store)?,
            Action::Memo => {
                let doc = self.doc()?;
                let here = doc.codings_at(self.transcript.cursor);
                let (target, what, mine) = match here.first() {
                    Some(c) => (
                        format!("coding:{}", c.id),
                        format!("coding {} ({})", c.id, c.code),
                        doc.memos
                            .get(&c.id)
                            .and_then(|m| m.iter().find(|(_, who, _)| *who == self.coder))
                            .cloned(),
                    ),
                    None => (
                        format!("document:{}", doc.summary.id),
                        format!("document {}", doc.summary.title),
                        doc.doc_memos
                            .iter()
                            .find(|(_, who, _)| *who == self.coder)
                            .cloned(),
                    ),
                };
                // Your own memo there is opened to edit; else a new one is started.
                self.overlay = Some(Overlay::Prompt(match mine {
                    Some((id, _, text)) => Prompt::new(
                        format!("your memo {id} on {what} (Alt-Enter: new line)"),
                        Purpose::EditMemo { id },
                        text,
                    ),
                    None => Prompt::new(
                        format!("memo on {what} (Alt-Enter: new line)"),
                        Purpose::Memo { target },
                        "",
                    ),
                }));
            }
            Action::ReadMemos => {
                let doc = self.doc()?;
                let mut body = String::new();
                for c in doc.codings_at(self.transcript.cursor) {
                    for (id, who, text) in doc.memos.get(&c.id).map(|v| &v[..]).unwrap_or(&[]) {
                        body.push_str(&format!(
                            "On coding {} ({}), memo {id} by {who}:\n{text}\n\n",
                            c.id, c.code_path
                        ));
                    }
                }
                for (id, who, text) in &doc.doc_memos {
                    body.push_str(&format!(
                        "On this document, memo {id} by {who}:\n{text}\n\n"
                    ));
                }
                if body.is_empty() {
                    self.say("no memos here or on this document; m writes one");
                } else {
                    self.overlay = Some(Overlay::Text {
                        title: "memos".into(),
                        body,
                    });
                }
            }
            Action::NextUncoded => match self.transcript.next_uncoded(&self.coder) {
                transcript::Uncoded::None => self.say(format!(
                    "every participant turn here has a coding of yours ({}); other coders' codings do not count",
                    self.coder
                )),
                transcript::Uncoded::OnlyHere => {
                    self.say("this is the only participant turn you have not coded")
                }
                transcript::Uncoded::Wrapped => {
                    self.say("next turn you have not coded (from the top again)")
                }
                transcript::Uncoded::Moved => {}
            },
            Action::Find => {
                // A new find starts empty ("My brother" then "I used" once became "My
                // brotherI used"); Up brings the last one back.
                let last = self.transcript.find.clone();
                let title = if last.is_some() {
                    "find in this document (Up: the last find)"
                } else {
                    "find in this document"
                };
                self.overlay = Some(Overlay::Prompt(Prompt::recalling(
                    title,
                    Purpose::Find,
                    last,
                )));
            }
            Action::FindNext => self.find_next(),
            _ => {}
        }
        Ok(())
    }

    fn doc(&self) -> Result<&transcript::Doc> {
        self.transcript
            .doc
            .as_ref()
            .ok_or_else(|| Error::Invalid("no document is open".into()))
    }

    fn find_next(&mut self) {
        match self.transcript.find_next() {
            Some(true) => self.say("found (from the top again)"),
            Some(false) => self.say("found"),
            None => self.say(format!(
                "`{}` does not occur in this document",
                self.transcript.find.clone().unwrap_or_default()
            )),
        }
    }

    /// Codes as choices: the most recently used first, then the tree.
    fn code_choices(&self, leave_out: &[i64]) -> Vec<Choice> {
        let codes = &self.codebook.codes;
        let mut order: Vec<&codes_lib::Code> = self
            .recent
            .iter()
            .filter_map(|id| codes.iter().find(|c| c.id == *id))
            .collect();
        for c in codes {
            if !order.iter().any(|o| o.id == c.id) {
                order.push(c);
            }
        }
        order
            .into_iter()
            .filter(|c| !leave_out.contains(&c.id))
            .map(|c| Choice {
                value: c.id.to_string(),
                label: c.path.clone(),
                note: c.description.clone(),
            })
            .collect()
    }

    fn open_code_picker(&mut self) {
        let Some(doc) = &self.transcript.doc else {
            return;
        };
        let Some((start, end)) = self.transcript.target() else {
            self.say("nothing to code here: the selection is empty");
            return;
        };
        let from = doc.line_of(start);
        let to = doc.line_of(end.saturating_sub(1).max(start));
        let what = if self.transcript.anchor.is_some() {
            "selection"
        } else {
            "turn"
        };
        let title = format!("code the {what} ({}) as…", lines(from as i64, to as i64));
        let purpose = Purpose::CodeSpan {
            doc: doc.summary.id,
            start,
            end,
            seen: doc.chars[start..end].iter().collect(),
        };
        self.overlay = Some(Overlay::Picker(Picker::new(
            title,
            purpose,
            self.code_choices(&[]),
        )));
    }

    fn uncode(&mut self, store: &mut Store) -> Result<()> {
        let doc = self.doc()?;
        let here = doc.codings_at(self.transcript.cursor);
        match here.len() {
            0 => self.say("no coding at the cursor"),
            1 => {
                let id = here[0].id;
                self.remove_coding(store, id)?;
            }
            _ => {
                let choices = here
                    .iter()
                    .map(|c| Choice {
                        value: c.id.to_string(),
                        label: format!("{} ({})", c.code_path, c.coder),
                        note: format!("{}: {}", lines(c.line, c.end_line), c.text),
                    })
                    .collect();
                self.overlay = Some(Overlay::Picker(Picker::new(
                    "remove which coding?",
                    Purpose::RemoveCoding,
                    choices,
                )));
            }
        }
        Ok(())
    }

    fn remove_coding(&mut self, store: &mut Store, id: i64) -> Result<()> {
        let (c, memos) = coding::remove(store, &self.coder, id)?;
        self.changed(store)?;
        self.say(format!(
            "removed coding {} ({}){} · u undoes",
            c.id,
            c.code,
            if memos > 0 {
                format!(" and its {memos} memo(s)")
            } else {
                String::new()
            }
        ));
        Ok(())
    }

    fn codebook_action(&mut self, store: &mut Store, action: Action) -> Result<()> {
        let selected = self.codebook.selected().cloned();
        match action {
            Action::Filter => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    "filter codes (path or definition)",
                    Purpose::ListFilter,
                    self.codebook.filter.clone(),
                )))
            }
            Action::Back => self.codebook.filter.clear(),
            Action::AddCode => {
                let parent = selected.map(|c| c.path);
                let title = match &parent {
                    Some(p) => format!("new code under {p} (start with / for the top level)"),
                    None => "new code".into(),
                };
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    title,
                    Purpose::AddCode { parent },
                    "",
                )));
            }
            Action::RenameCode | Action::MoveCode | Action::MergeCode | Action::EditDefinition => {
                let Some(code) = selected else {
                    self.say("no code selected");
                    return Ok(());
                };
                let path = code.path.clone();
                self.overlay = Some(match action {
                    Action::RenameCode => Overlay::Prompt(Prompt::new(
                        format!("rename {path} to"),
                        Purpose::RenameCode { code: path },
                        code.name.clone(),
                    )),
                    Action::EditDefinition => Overlay::Prompt(Prompt::new(
                        format!("definition of {path}"),
                        Purpose::EditDefinition { code: path },
                        code.description.clone(),
                    )),
                    Action::MoveCode => {
                        let below = codes_lib::with_descendants(&self.codebook.codes, code.id);
                        let mut choices = vec![Choice {
                            value: "/".into(),
                            label: "(top level)".into(),
                            note: String::new(),
                        }];
                        choices.extend(self.code_choices(&below));
                        Overlay::Picker(Picker::new(
                            format!("move {path} under…"),
                            Purpose::MoveCode { code: path },
                            choices,
                        ))
                    }
                    _ => Overlay::Picker(Picker::new(
                        format!("merge {path} into… (its codings and memos move; u undoes)"),
                        Purpose::MergeCode { code: path },
                        self.code_choices(&[code.id]),
                    )),
                });
            }
            _ => self.codebook.handle(action),
        }
        let _ = store;
        Ok(())
    }

    fn search_action(&mut self, store: &mut Store, action: Action) -> Result<()> {
        match action {
            Action::EditQuery | Action::Filter | Action::NextPane | Action::PrevPane => {
                self.search.editing = true
            }
            Action::Back => self.search.editing = false,
            Action::Open => {
                if let Some(h) = self.search.selected().cloned() {
                    let at = h.matches.first().map(|m| m[0]).unwrap_or(h.start);
                    self.open_document(store, h.doc, Some(at.max(0) as usize))?;
                }
            }
            Action::CodeAllHits => {
                if self.search.results.as_ref().is_none_or(|r| r.total == 0) {
                    self.say("search first: there are no hits to code");
                } else {
                    let n = self.search.results.as_ref().map(|r| r.total).unwrap_or(0);
                    self.overlay = Some(Overlay::Picker(Picker::new(
                        format!("code the participants' turns among all {n} hit(s) as…"),
                        Purpose::CodeHits,
                        self.code_choices(&[]),
                    )));
                }
            }
            _ => self.search.handle(action),
        }
        Ok(())
    }

    fn run_search(&mut self) {
        let (query, filters) = search::parse(&self.search.query);
        if query.trim().is_empty() {
            self.search.error = None;
            self.say("type one or more words to search for (filters alone select nothing)");
            return;
        }
        let id = self.job_id();
        self.search.pending = Some(id);
        self.search.pending_for = self.search.query.clone();
        self.search.error = None;
        self.outbox.push(Job::Search { id, query, filters });
        self.say("searching…");
    }

    fn request_changes(&mut self) {
        let id = self.job_id();
        self.waves.pending = Some(id);
        self.waves.stale = false;
        self.outbox.push(Job::Changes {
            id,
            options: change::Options {
                participant: self.waves.participant.clone(),
                coders: self.waves.coders.clone(),
                ..Default::default()
            },
        });
    }

    fn waves_action(&mut self, store: &mut Store, action: Action) -> Result<()> {
        match action {
            Action::Back => {
                if self.waves.excerpts.take().is_none() {
                    self.waves.filter.clear();
                }
            }
            Action::Filter if self.waves.excerpts.is_none() => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    "filter codes",
                    Purpose::ListFilter,
                    self.waves.filter.clone(),
                )))
            }
            Action::Open => {
                if !self.waves.open_excerpts(store.conn())? {
                    self.say("no code selected");
                }
            }
            Action::ChooseCoders => {
                let mut choices = vec![Choice {
                    value: String::new(),
                    label: "every coder".into(),
                    note: "overlapping codings counted once".into(),
                }];
                choices.extend(
                    coding::coders_with_codings(store.conn())?
                        .into_iter()
                        .map(|c| Choice {
                            label: format!("only {c}"),
                            value: c,
                            note: String::new(),
                        }),
                );
                self.overlay = Some(Overlay::Picker(Picker::new(
                    "whose codings to count?",
                    Purpose::WavesCoders,
                    choices,
                )));
            }
            Action::ChooseParticipant => {
                let mut choices = vec![Choice {
                    value: String::new(),
                    label: "everyone (cohort)".into(),
                    note: "n/N per wave; kept, gained, lost".into(),
                }];
                choices.extend(self.documents.participants.iter().map(|p| Choice {
                    value: p.clone(),
                    label: p.clone(),
                    note: String::new(),
                }));
                self.overlay = Some(Overlay::Picker(Picker::new(
                    "whose change?",
                    Purpose::Participant,
                    choices,
                )));
            }
            Action::Portrait => {
                let Some(p) = self.waves.participant.clone() else {
                    self.say("pen portraits belong to one participant: choose one with p");
                    return Ok(());
                };
                let waves = self
                    .waves
                    .view
                    .as_ref()
                    .map(|v| v.table.waves.clone())
                    .unwrap_or_default();
                let choices = waves
                    .into_iter()
                    .map(|w| Choice {
                        note: self
                            .waves
                            .view
                            .as_ref()
                            .and_then(|v| {
                                v.table
                                    .portraits
                                    .iter()
                                    .find(|x| x.wave == w)
                                    .map(|x| x.text.clone())
                            })
                            .unwrap_or_default(),
                        value: w.clone(),
                        label: w,
                    })
                    .collect();
                self.overlay = Some(Overlay::Picker(Picker::new(
                    format!("pen portrait of {p} in wave…"),
                    Purpose::PortraitWave { participant: p },
                    choices,
                )));
            }
            Action::ConfirmLabel | Action::OverrideLabel => {
                let (Some(p), Some(code)) =
                    (self.waves.participant.clone(), self.waves.selected_code())
                else {
                    self.say("labels belong to one participant: choose one with p");
                    return Ok(());
                };
                if action == Action::ConfirmLabel {
                    let label = self
                        .waves
                        .view
                        .as_ref()
                        .zip(self.waves.selected_row())
                        .and_then(|(v, i)| v.table.rows.get(i))
                        .map(|r| r.change.clone())
                        .unwrap_or_default();
                    change::set_label(store, &self.coder, &p, &code, &label, None)?;
                    self.changed(store)?;
                    self.say(format!("confirmed {code} for {p} as {label} · u undoes"));
                } else {
                    let choices = change::LABELS
                        .iter()
                        .map(|l| Choice {
                            value: l.to_string(),
                            label: l.to_string(),
                            note: String::new(),
                        })
                        .collect();
                    self.overlay = Some(Overlay::Picker(Picker::new(
                        format!("label for {code} ({p})"),
                        Purpose::Label {
                            participant: p,
                            code,
                        },
                        choices,
                    )));
                }
            }
            _ => self.waves.handle(action),
        }
        Ok(())
    }

    /// Asks which coders to compare, offering those who coded.
    fn choose_coders(&mut self, store: &Store) -> Result<()> {
        let who = coding::coders_with_codings(store.conn())?;
        let start = if self.agreement.coders.is_empty() {
            who.join(",")
        } else {
            self.agreement.coders.join(",")
        };
        self.overlay = Some(Overlay::Prompt(Prompt::new(
            format!(
                "coders to compare, comma-separated (who coded: {})",
                who.join(", ")
            ),
            Purpose::Coders,
            start,
        )));
        Ok(())
    }

    fn request_agreement(&mut self) {
        let id = self.job_id();
        self.agreement.pending = Some(id);
        self.outbox.push(Job::Agreement {
            id,
            options: crate::agreement::Options {
                coders: self.agreement.coders.clone(),
                code: None,
                unit: crate::agreement::Unit::Characters,
                participant: None,
                wave: None,
            },
        });
        self.say("computing agreement…");
    }

    fn agreement_action(&mut self, store: &mut Store, action: Action) -> Result<()> {
        match action {
            Action::ChooseCoders => self.choose_coders(store)?,
            Action::Open => {
                if let Some(d) = self.agreement.selected().cloned() {
                    self.open_document(store, d.doc, Some(d.start.max(0) as usize))?;
                    self.transcript.anchor = Some(d.start.max(0) as usize);
                    self.transcript.cursor = (d.end.max(d.start + 1) - 1) as usize;
                }
            }
            _ => self.agreement.handle(action),
        }
        Ok(())
    }

    fn unlock_review(&mut self, store: &Store) -> Result<()> {
        if !crate::keyfile::path(store.root()).is_file() {
            self.review.note = Some(
                "nothing is staged for review: this project has no pseudonym key yet (import with --anonymise review to review suggestions here)".into(),
            );
            return Ok(());
        }
        match std::env::var("NARRATA_PASSPHRASE") {
            Ok(p) if !p.is_empty() => {
                self.review.unlock(store.root(), p.into())?;
                self.review_loaded();
            }
            _ => {
                self.review.note = Some("the key is locked: give its passphrase".into());
                let mut prompt =
                    Prompt::new("passphrase of the pseudonym key", Purpose::Passphrase, "");
                prompt.masked = true;
                self.overlay = Some(Overlay::Prompt(prompt));
            }
        }
        Ok(())
    }

    fn review_loaded(&mut self) {
        let n = self.review.items.len();
        self.say(if n == 0 {
            "nothing is staged for review".to_string()
        } else {
            format!("{n} suggestion(s) staged · a accepts, r rejects, A stores the transcripts")
        });
    }

    fn review_action(&mut self, store: &mut Store, action: Action) -> Result<()> {
        let on_pseudonyms = self.review.pseudonyms_shown;
        match action {
            Action::TogglePseudonyms => {
                if !self.review.unlocked() {
                    self.say("the key is locked: give its passphrase first");
                    return self.unlock_review(store);
                }
                self.review.toggle(store.conn())?;
                self.say(if self.review.pseudonyms_shown {
                    format!(
                        "{} pseudonym(s) in the stored texts · l link, s split, c relabel, O restore, p back to suggestions",
                        self.review.pseudonyms.len()
                    )
                } else {
                    "staged suggestions · a accepts, r rejects, A stores, p pseudonyms".to_owned()
                });
            }
            Action::LinkPseudonym
            | Action::SplitPseudonym
            | Action::RelabelPseudonym
            | Action::RestoreEverywhere => {
                let Some(p) = self.review.selected_pseudonym().cloned() else {
                    self.say("press p to list the pseudonyms of the stored texts, then choose one");
                    return Ok(());
                };
                let words = crate::tui::text::safe(&p.originals.join(" / "));
                self.overlay = Some(match action {
                    Action::LinkPseudonym => Overlay::Prompt(Prompt::new(
                        format!(
                            "{} ({words}) is the same as which pseudonym? (it takes {})",
                            p.label, p.label
                        ),
                        Purpose::Link { kept: p.label },
                        "",
                    )),
                    Action::SplitPseudonym => Overlay::Prompt(Prompt::new(
                        format!(
                            "a new pseudonym for {} ({words}) in: a participant (P07) or documents (3,4)",
                            p.label
                        ),
                        Purpose::Split { pseudonym: p.label },
                        "",
                    )),
                    Action::RelabelPseudonym => Overlay::Prompt(Prompt::new(
                        format!("new category for {} ({words})", p.label),
                        Purpose::Relabel { pseudonym: p.label },
                        "",
                    )),
                    _ => {
                        self.ask_restore(p.label, None, None);
                        return Ok(());
                    }
                });
            }
            Action::Accept | Action::Reject | Action::ApplyReview if on_pseudonyms => {
                self.say("these are the stored texts' pseudonyms: p lists the staged suggestions");
            }
            Action::Accept | Action::Reject => {
                let decision = if action == Action::Accept {
                    "accepted"
                } else {
                    "rejected"
                };
                if let Some(m) = self.review.decide(decision)? {
                    self.say(m);
                }
            }
            Action::ApplyReview => {
                if self.review.items.is_empty() {
                    self.say("nothing is staged for review");
                } else {
                    self.overlay = Some(Overlay::Confirm(Confirm {
                        question: "Store the staged transcripts now? Suggestions not rejected are replaced by pseudonyms. (y/n)".into(),
                        purpose: Purpose::ApplyReview,
                    }));
                }
            }
            Action::Back => self.review.filter.clear(),
            Action::Filter => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    "filter suggestions (category, file, words, decision)",
                    Purpose::ListFilter,
                    self.review.filter.clone(),
                )))
            }
            _ => self.review.handle(action),
        }
        Ok(())
    }

    fn overlay_key(&mut self, store: &mut Store, overlay: Overlay, e: KeyEvent) -> Result<()> {
        match overlay {
            Overlay::Help | Overlay::Text { .. } => {
                // Any key closes it and does nothing else.
                Ok(())
            }
            Overlay::Confirm(c) => match e.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => self.confirmed(store, c.purpose),
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                    self.say("nothing was changed");
                    Ok(())
                }
                _ => {
                    self.overlay = Some(Overlay::Confirm(c));
                    Ok(())
                }
            },
            Overlay::Picker(mut p) => match p.key(&e) {
                Input::Cancel => Ok(()),
                Input::Edited => {
                    self.overlay = Some(Overlay::Picker(p));
                    Ok(())
                }
                Input::Submit => match p.current().cloned() {
                    Some(choice) => self.picked(store, p.purpose, choice),
                    None => {
                        self.overlay = Some(Overlay::Picker(p));
                        Ok(())
                    }
                },
            },
            Overlay::Prompt(mut p) => {
                let result = p.key(&e);
                if p.purpose == Purpose::ListFilter {
                    // The list follows the filter as it is typed; Esc takes it away.
                    if result == Input::Cancel {
                        p.text.clear();
                    }
                    match self.view {
                        View::Codebook => {
                            self.codebook.filter = p.text.clone();
                            self.codebook.list = Default::default();
                        }
                        View::Waves => {
                            self.waves.filter = p.text.clone();
                            self.waves.list = Default::default();
                        }
                        View::Review => {
                            self.review.filter = p.text.clone();
                            self.review.list = Default::default();
                        }
                        _ => {
                            self.documents.filter = p.text.clone();
                            self.documents.list = Default::default();
                        }
                    }
                    if result == Input::Edited {
                        self.overlay = Some(Overlay::Prompt(p));
                    }
                    return Ok(());
                }
                match result {
                    Input::Cancel => Ok(()),
                    Input::Edited => {
                        self.overlay = Some(Overlay::Prompt(p));
                        Ok(())
                    }
                    Input::Submit => self.prompted(store, p.purpose, p.text),
                }
            }
        }
    }

    fn picked(&mut self, store: &mut Store, purpose: Purpose, choice: Choice) -> Result<()> {
        match purpose {
            Purpose::CodeSpan {
                doc,
                start,
                end,
                seen,
            } => {
                let (c, added) = coding::add_seen(
                    store,
                    &self.coder,
                    &doc.to_string(),
                    start as i64,
                    end as i64,
                    &choice.value,
                    Some(&seen),
                )?;
                self.recent.retain(|id| *id != c.code_id);
                self.recent.insert(0, c.code_id);
                self.transcript.anchor = None;
                self.changed(store)?;
                self.say(if added.new {
                    format!(
                        "coded r. {}–{} as {}{} · u undoes",
                        c.line,
                        c.end_line,
                        c.code_path,
                        if (c.start, c.end) == (start as i64, end as i64) {
                            ""
                        } else {
                            " (united with your overlapping coding)"
                        }
                    )
                } else {
                    format!("already coded as {} (coding {})", c.code_path, c.id)
                });
            }
            Purpose::RemoveCoding => {
                let id = choice
                    .value
                    .parse()
                    .map_err(|_| Error::Invalid("not a coding".into()))?;
                self.remove_coding(store, id)?;
            }
            Purpose::CodeHits => {
                // The query the results on screen answer, not what the line says now.
                let (query, filters) = search::parse(&self.search.results_for);
                let report = coding::auto_hits(
                    store,
                    &self.coder,
                    &query,
                    &choice.value,
                    false,
                    true,
                    &filters,
                )?;
                if let Ok(id) = choice.value.parse::<i64>() {
                    self.recent.retain(|r| *r != id);
                    self.recent.insert(0, id);
                }
                self.changed(store)?;
                self.say(format!(
                    "coded {} participant turn(s) of {} hit(s) as {} ({} already were; interviewer turns left out) · u undoes all of them",
                    report.added, report.hits, choice.label, report.already
                ));
            }
            Purpose::MoveCode { code } => {
                let parent = (choice.value != "/").then_some(choice.value.as_str());
                let moved = codes_lib::move_to(store, &self.coder, &code, parent)?;
                self.changed(store)?;
                self.codebook.select(moved.id);
                self.say(format!("moved: now {} · u undoes", moved.path));
            }
            Purpose::MergeCode { code } => {
                let r = codes_lib::merge(store, &self.coder, &code, &choice.value)?;
                self.changed(store)?;
                self.say(format!("merged {code} into {} · u undoes", choice.label));
                let _ = r;
            }
            Purpose::RestoreForm { pseudonym, doc } => {
                self.ask_restore(pseudonym, doc, Some(choice.value));
            }
            Purpose::Participant => {
                self.waves.participant = (!choice.value.is_empty()).then_some(choice.value);
                self.waves.excerpts = None;
                self.waves.view = None;
                self.waves.list = Default::default();
                self.request_changes();
            }
            Purpose::WavesCoders => {
                self.waves.coders = if choice.value.is_empty() {
                    Vec::new()
                } else {
                    vec![choice.value]
                };
                self.waves.excerpts = None;
                self.waves.view = None;
                self.request_changes();
            }
            Purpose::PortraitWave { participant } => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    format!("pen portrait of {participant} in {}", choice.value),
                    Purpose::Memo {
                        target: format!("portrait:{participant}:{}", choice.value),
                    },
                    "",
                )));
            }
            Purpose::Label { participant, code } => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    format!(
                        "why {} for {code} ({participant})? (a memo; Enter to skip)",
                        choice.value
                    ),
                    Purpose::LabelMemo {
                        participant,
                        code,
                        label: choice.value,
                    },
                    "",
                )));
            }
            _ => {}
        }
        Ok(())
    }

    fn prompted(&mut self, store: &mut Store, purpose: Purpose, text: String) -> Result<()> {
        let trimmed = text.trim().to_owned();
        match purpose {
            Purpose::Memo { target } => {
                if trimmed.is_empty() {
                    self.say("an empty memo is not saved");
                    return Ok(());
                }
                let t = memo::parse_target(store.conn(), &target)?;
                let m = memo::add(store, &self.coder, t, &trimmed)?;
                self.changed(store)?;
                self.say(format!("memo {} saved on {target} · u undoes", m.id));
            }
            Purpose::AssignDocument { doc } => {
                let what = parse_assignment(&trimmed);
                let done = crate::corpus::assign(store, &self.coder, &doc.to_string(), &what)?;
                self.changed(store)?;
                self.say(format!(
                    "document {}: {} · {} · {} · u undoes",
                    done.doc,
                    if done.participants.is_empty() {
                        "no participant".to_owned()
                    } else {
                        done.participants.join(", ")
                    },
                    done.wave.as_deref().unwrap_or("no wave"),
                    done.kind
                ));
            }
            Purpose::EditMemo { id } => {
                if trimmed.is_empty() {
                    self.say("an empty memo is not saved; the memo is as it was");
                    return Ok(());
                }
                let m = memo::edit(store, &self.coder, id, &trimmed)?;
                self.changed(store)?;
                self.say(format!("memo {} rewritten · u undoes", m.id));
            }
            Purpose::Backup => {
                if trimmed.is_empty() {
                    return Ok(());
                }
                let folder = std::path::PathBuf::from(&trimmed);
                crate::project::backup(store, &folder)?;
                self.say(format!(
                    "backup written to {} and checked; open that folder as a project to restore it",
                    folder.display()
                ));
            }
            Purpose::Find => {
                self.transcript.find = (!trimmed.is_empty()).then_some(trimmed);
                if self.transcript.find.is_some() {
                    self.find_next();
                }
            }
            Purpose::AddCode { parent } => {
                if trimmed.is_empty() {
                    return Ok(());
                }
                let path = match (trimmed.strip_prefix('/'), parent) {
                    (Some(top), _) => top.to_owned(),
                    (None, Some(p)) => format!("{p}/{trimmed}"),
                    (None, None) => trimmed,
                };
                let c = codes_lib::add(store, &self.coder, &path, &Default::default())?;
                self.changed(store)?;
                self.codebook.select(c.id);
                self.say(format!(
                    "added {} · e writes its definition · u undoes",
                    c.path
                ));
            }
            Purpose::RenameCode { code } => {
                let c = codes_lib::rename(store, &self.coder, &code, &trimmed)?;
                self.changed(store)?;
                self.say(format!("renamed: now {} · u undoes", c.path));
            }
            Purpose::EditDefinition { code } => {
                let fields = codes_lib::Fields {
                    description: Some(trimmed),
                    ..Default::default()
                };
                let c = codes_lib::update(store, &self.coder, &code, &fields)?;
                self.changed(store)?;
                self.say(format!("definition of {} saved · u undoes", c.path));
            }
            Purpose::LabelMemo {
                participant,
                code,
                label,
            } => {
                let memo = (!trimmed.is_empty()).then_some(trimmed.as_str());
                change::set_label(store, &self.coder, &participant, &code, &label, memo)?;
                self.changed(store)?;
                self.say(format!(
                    "{code} for {participant} set to {label} · u undoes"
                ));
            }
            Purpose::Coders => {
                let coders: Vec<String> = trimmed
                    .split(',')
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty())
                    .collect();
                if coders.len() < 2 {
                    self.say("name at least two coders, comma-separated");
                    return Ok(());
                }
                self.agreement.coders = coders;
                self.request_agreement();
            }
            Purpose::Redact {
                doc,
                start,
                end,
                seen,
            } => {
                // The words must still read as they did when chosen.
                let now: String = self
                    .transcript
                    .doc
                    .as_ref()
                    .filter(|d| d.summary.id == doc && end <= d.chars.len())
                    .map(|d| d.chars[start..end].iter().collect())
                    .unwrap_or_default();
                if now != seen {
                    self.say(
                        "the text changed meanwhile: nothing was redacted; select the words again",
                    );
                    return Ok(());
                }
                let category = if trimmed.is_empty() {
                    "person".to_owned()
                } else {
                    trimmed.clone()
                };
                self.correct(
                    store,
                    review::Correction::Redact {
                        doc,
                        start,
                        end,
                        category,
                    },
                )?;
            }
            Purpose::Link { kept } => {
                if trimmed.is_empty() {
                    return Ok(());
                }
                self.correct(
                    store,
                    review::Correction::Link {
                        kept,
                        merged: trimmed.clone(),
                    },
                )?;
            }
            Purpose::Split { pseudonym } => {
                if trimmed.is_empty() {
                    return Ok(());
                }
                let numbers: Option<Vec<i64>> = trimmed
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|w| !w.is_empty())
                    .map(|w| w.parse().ok())
                    .collect();
                let part = match numbers {
                    Some(ids) => crate::anonymise::correct::Part::Documents(ids),
                    None => crate::anonymise::correct::Part::Participant(trimmed.clone()),
                };
                self.correct(store, review::Correction::Split { pseudonym, part })?;
            }
            Purpose::Relabel { pseudonym } => {
                if trimmed.is_empty() {
                    return Ok(());
                }
                self.correct(
                    store,
                    review::Correction::Relabel {
                        pseudonym,
                        category: trimmed.clone(),
                    },
                )?;
            }
            Purpose::Passphrase => {
                if text.is_empty() {
                    return Ok(());
                }
                if let Err(e) = self.review.unlock(store.root(), text.into()) {
                    // Ask again, saying why.
                    let mut prompt = Prompt::new(
                        "passphrase of the pseudonym key (Esc gives up)",
                        Purpose::Passphrase,
                        "",
                    );
                    prompt.masked = true;
                    self.overlay = Some(Overlay::Prompt(prompt));
                    return Err(e);
                }
                self.review_loaded();
                if let Some(action) = self.after_unlock.take() {
                    self.act(store, action)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Asks which form of the pseudonym's name to put back (when it has several), then
    /// whether to put it back.
    fn ask_restore(&mut self, pseudonym: String, doc: Option<i64>, original: Option<String>) {
        let forms = self.review.originals_of(&pseudonym);
        if original.is_none() && forms.len() > 1 {
            let choices = forms
                .iter()
                .map(|f| Choice {
                    value: f.clone(),
                    label: crate::tui::text::safe(f),
                    note: String::new(),
                })
                .collect();
            self.overlay = Some(Overlay::Picker(Picker::new(
                format!("{pseudonym} stands for several forms: which is the word here?"),
                Purpose::RestoreForm { pseudonym, doc },
                choices,
            )));
            return;
        }
        let words = original.clone().unwrap_or_else(|| forms.join(" / "));
        let question = match doc {
            Some(_) => format!(
                "Put «{}» back for {pseudonym} in this document? It will be readable here (y/n)",
                crate::tui::text::safe(&words)
            ),
            None => format!(
                "Put «{}» back everywhere {pseudonym} stands, and keep it in later imports? (y/n)",
                crate::tui::text::safe(&words)
            ),
        };
        self.overlay = Some(Overlay::Confirm(Confirm {
            question,
            purpose: Purpose::Restore {
                pseudonym,
                doc,
                original,
            },
        }));
    }

    /// Carries out a correction of pseudonyms and shows its outcome; the open transcript is
    /// read again, since its words changed.
    fn correct(&mut self, store: &mut Store, correction: review::Correction) -> Result<()> {
        let what = match &correction {
            review::Correction::Link { .. } => "linked",
            review::Correction::Split { .. } => "split",
            review::Correction::Relabel { .. } => "relabelled",
            review::Correction::Restore { .. } => "restored",
            review::Correction::Redact { .. } => "redacted",
        };
        let outcome = self.review.correct(store, &self.coder, &correction)?;
        if let Some(open) = &self.transcript.doc {
            let fresh = transcript::Doc::load(store.conn(), open.summary.id)?;
            let at = self.transcript.cursor.min(fresh.chars.len());
            self.transcript.open(fresh, Some(at));
        }
        self.changed(store)?;
        self.say(format!(
            "{what}{}: {} place(s) in {} document(s) changed, {} coding(s) moved",
            outcome
                .pseudonym
                .as_ref()
                .map(|p| format!(" as {p}"))
                .unwrap_or_default(),
            outcome.replaced,
            outcome.documents,
            outcome.codings_moved,
        ));
        Ok(())
    }

    fn confirmed(&mut self, store: &mut Store, purpose: Purpose) -> Result<()> {
        if let Purpose::Restore {
            pseudonym,
            doc,
            original,
        } = purpose
        {
            return self.correct(
                store,
                review::Correction::Restore {
                    pseudonym,
                    doc,
                    original,
                },
            );
        }
        if purpose == Purpose::CodeInterviewer {
            self.open_code_picker();
            return Ok(());
        }
        if purpose == Purpose::ApplyReview {
            let report = self.review.apply(store, &self.coder)?;
            let _docs: Vec<i64> = report.files.iter().filter_map(|f| f.document).collect();
            self.changed(store)?;
            self.stale.documents = true;
            self.say(format!(
                "stored {} transcript(s) with their identifiers replaced",
                report.imported
            ));
        }
        Ok(())
    }
}

/// What the assign prompt's words say: participants (comma-separated), a wave, a kind, in any
/// order (a kind is one of its words; the first other word names participants, the next the
/// wave); `-` for no participant.
fn parse_assignment(text: &str) -> crate::corpus::Assignment {
    let mut what = crate::corpus::Assignment::default();
    let mut rest = Vec::new();
    for word in text.split_whitespace() {
        let lower = word.to_lowercase();
        if crate::import::resolve::KINDS.contains(&lower.as_str()) {
            what.kind = Some(lower);
        } else {
            rest.push(word);
        }
    }
    let mut rest = rest.into_iter();
    if let Some(p) = rest.next() {
        what.participants = Some(if p == "-" {
            Vec::new()
        } else {
            vec![p.to_owned()]
        });
    }
    what.wave = rest.next().map(str::to_owned);
    what
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
