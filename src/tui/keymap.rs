//! The keymap as data: every binding is a (scope, key, action, description) row. Keys resolve
//! to an [`Action`] before anything changes, the `?` help is generated from these rows, and a
//! `keys.yaml` in the user's config folder can rebind any key.
//!
//! Text fields (the picker's filter, prompts, the search query) take typed characters directly;
//! only `Esc`, `Enter`, `Tab`, the arrows and `Backspace` act there.
//!
//! Longer than most modules (about 830 lines): most of it is the table of actions and default
//! bindings, kept as one list because the help, `docs/TUI.md` and the conflict test read it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::error::{Error, Result};

/// Where a binding applies. A view consults its own scope, then `List` if it shows a list,
/// then `Global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Global,
    List,
    Documents,
    Transcript,
    Codebook,
    Search,
    Waves,
    Review,
    Agreement,
    Segments,
    Memos,
    Analysis,
}

impl Scope {
    pub const ALL: [Scope; 12] = [
        Scope::Global,
        Scope::List,
        Scope::Documents,
        Scope::Transcript,
        Scope::Codebook,
        Scope::Search,
        Scope::Waves,
        Scope::Review,
        Scope::Agreement,
        Scope::Segments,
        Scope::Memos,
        Scope::Analysis,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::List => "lists",
            Scope::Documents => "documents",
            Scope::Transcript => "transcript",
            Scope::Codebook => "codebook",
            Scope::Search => "search",
            Scope::Waves => "waves",
            Scope::Review => "review",
            Scope::Agreement => "agreement",
            Scope::Segments => "segments",
            Scope::Memos => "memos",
            Scope::Analysis => "analysis",
        }
    }
}

/// What a key asks for. The names (`Action::name`) are what `keys.yaml` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    NextPane,
    PrevPane,
    ViewDocuments,
    ViewTranscript,
    ViewCodebook,
    ViewSearch,
    ViewWaves,
    ViewReview,
    ViewAgreement,
    ViewMemos,
    ViewAnalysis,
    ToggleBlind,
    Undo,
    Redo,
    Backup,
    Back,
    // lists
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Filter,
    // transcript
    CharLeft,
    CharRight,
    WordLeft,
    WordRight,
    WordEnd,
    LineUp,
    LineDown,
    RowStart,
    RowEnd,
    NextTurn,
    PrevTurn,
    Select,
    Code,
    CodeInVivo,
    Uncode,
    Memo,
    ReadMemos,
    NextUncoded,
    NextDocument,
    PrevDocument,
    NextWave,
    PrevWave,
    Find,
    FindNext,
    RedactSelection,
    RestoreHere,
    // codebook
    AddCode,
    RenameCode,
    MoveCode,
    MergeCode,
    EditDefinition,
    DeleteCode,
    ToggleFold,
    // segments
    ToggleSubcodes,
    ChooseWave,
    ChooseGroup,
    ClearFilters,
    // memos
    GoToTarget,
    EditMemoHere,
    DeleteMemo,
    ChooseKind,
    // agreement
    ToggleUnit,
    ToggleScope,
    // search
    EditQuery,
    CodeAllHits,
    // documents
    AssignDocument,
    // waves
    ChooseParticipant,
    ConfirmLabel,
    OverrideLabel,
    Portrait,
    // review
    Accept,
    Reject,
    ApplyReview,
    TogglePseudonyms,
    LinkPseudonym,
    SplitPseudonym,
    RelabelPseudonym,
    RestoreEverywhere,
    // agreement
    ChooseCoders,
    // analysis
    NextAnalysis,
    NextAcross,
    NextMeasure,
    EditRule,
}

/// (action, name, description) — the one table names and help texts come from.
const ACTIONS: &[(Action, &str, &str)] = &[
    (Action::Quit, "quit", "quit (all is saved already)"),
    (Action::Help, "help", "show the keys of this view"),
    (Action::NextPane, "next_pane", "next pane"),
    (Action::PrevPane, "prev_pane", "previous pane"),
    (Action::ViewDocuments, "view_documents", "Documents view"),
    (Action::ViewTranscript, "view_transcript", "Transcript view"),
    (Action::ViewCodebook, "view_codebook", "Codebook view"),
    (Action::ViewSearch, "view_search", "Search view"),
    (Action::ViewWaves, "view_waves", "Waves (change) view"),
    (
        Action::ViewReview,
        "view_review",
        "anonymisation review list",
    ),
    (
        Action::ViewAgreement,
        "view_agreement",
        "agreement between coders",
    ),
    (
        Action::ViewMemos,
        "view_memos",
        "every memo (the memo manager)",
    ),
    (
        Action::ViewAnalysis,
        "view_analysis",
        "analyses: matrices, co-occurrence, charts, coding queries",
    ),
    (
        Action::NextAnalysis,
        "next_analysis",
        "next analysis: matrix, co-occurrence, a code across the waves",
    ),
    (
        Action::NextAcross,
        "next_across",
        "next columns: participants, waves, groups, documents, each attribute",
    ),
    (
        Action::NextMeasure,
        "next_measure",
        "next measure: passages, words, coverage (co-occurrence: overlap, same turn, 20 words)",
    ),
    (
        Action::EditRule,
        "edit_rule",
        "only the documents a rule matches (age_group = 50-59 AND wave = T2)",
    ),
    (
        Action::ToggleBlind,
        "toggle_blind",
        "blind coding: show only your own codings, or everyone's again",
    ),
    (
        Action::GoToTarget,
        "go_to_target",
        "open the passage or document the memo is about",
    ),
    (Action::EditMemoHere, "edit_memo", "rewrite your memo"),
    (Action::DeleteMemo, "delete_memo", "delete your memo"),
    (
        Action::ChooseKind,
        "choose_kind",
        "choose a kind of target (coding, document…), or every kind",
    ),
    (Action::Undo, "undo", "undo your last change"),
    (Action::Redo, "redo", "redo what you undid"),
    (
        Action::Backup,
        "backup",
        "write a checked backup of the project to a new folder",
    ),
    (Action::Back, "back", "close, clear or go back"),
    (Action::Up, "up", "move up"),
    (Action::Down, "down", "move down"),
    (Action::PageUp, "page_up", "page up"),
    (Action::PageDown, "page_down", "page down"),
    (Action::Top, "top", "go to the top"),
    (Action::Bottom, "bottom", "go to the bottom"),
    (Action::Open, "open", "open"),
    (Action::Filter, "filter", "filter the list as you type"),
    (
        Action::CharLeft,
        "char_left",
        "one character (or wave) left",
    ),
    (
        Action::CharRight,
        "char_right",
        "one character (or wave) right",
    ),
    (Action::WordLeft, "word_left", "cursor to the previous word"),
    (Action::WordRight, "word_right", "cursor to the next word"),
    (Action::WordEnd, "word_end", "cursor to the end of the word"),
    (Action::LineUp, "line_up", "cursor one line up"),
    (Action::LineDown, "line_down", "cursor one line down"),
    (
        Action::RowStart,
        "line_start",
        "cursor to the start of the line",
    ),
    (Action::RowEnd, "line_end", "cursor to the end of the line"),
    (Action::NextTurn, "next_turn", "next turn"),
    (Action::PrevTurn, "prev_turn", "previous turn"),
    (Action::Select, "select", "start or end a selection"),
    (
        Action::Code,
        "code",
        "code the selection (or the current turn)",
    ),
    (Action::Uncode, "uncode", "remove a coding at the cursor"),
    (
        Action::Memo,
        "memo",
        "memo on the coding here (or the document)",
    ),
    (
        Action::ReadMemos,
        "read_memos",
        "read the memos here in full",
    ),
    (
        Action::CodeInVivo,
        "code_in_vivo",
        "in vivo: a new code named by the selected words",
    ),
    (Action::NextUncoded, "next_uncoded", "next uncoded turn"),
    (
        Action::NextDocument,
        "next_document",
        "the next document, in the order of the document list",
    ),
    (
        Action::PrevDocument,
        "prev_document",
        "the previous document, in the order of the document list",
    ),
    (
        Action::NextWave,
        "next_wave",
        "the same participant's interview in the next wave",
    ),
    (
        Action::PrevWave,
        "prev_wave",
        "the same participant's interview in the previous wave",
    ),
    (Action::Find, "find", "find words in this document"),
    (Action::FindNext, "find_next", "find the next occurrence"),
    (
        Action::AddCode,
        "add_code",
        "add a code under the selected one",
    ),
    (Action::RenameCode, "rename_code", "rename the code"),
    (Action::MoveCode, "move_code", "move the code under another"),
    (
        Action::MergeCode,
        "merge_code",
        "merge the code into another",
    ),
    (
        Action::EditDefinition,
        "edit_definition",
        "edit the definition, criteria, example, colour, dimension or polarity",
    ),
    (
        Action::EditQuery,
        "edit_query",
        "type a query (with filters)",
    ),
    (
        Action::CodeAllHits,
        "code_all_hits",
        "code every hit's turn with a code",
    ),
    (
        Action::ChooseParticipant,
        "choose_participant",
        "choose a participant, or everyone",
    ),
    (
        Action::ConfirmLabel,
        "confirm_label",
        "confirm the suggested change label",
    ),
    (
        Action::OverrideLabel,
        "override_label",
        "override the change label (with a memo)",
    ),
    (
        Action::Portrait,
        "portrait",
        "write the participant's pen portrait for a wave",
    ),
    (
        Action::Accept,
        "accept",
        "accept: replace it with a pseudonym",
    ),
    (
        Action::Reject,
        "reject",
        "reject: not an identifier, keep it",
    ),
    (
        Action::ApplyReview,
        "apply_review",
        "store the reviewed transcripts",
    ),
    (
        Action::TogglePseudonyms,
        "toggle_pseudonyms",
        "switch between staged suggestions and the pseudonyms in the stored texts",
    ),
    (
        Action::LinkPseudonym,
        "link_pseudonym",
        "link: another pseudonym is the same person (one pseudonym everywhere)",
    ),
    (
        Action::SplitPseudonym,
        "split_pseudonym",
        "split: a new pseudonym in some documents or for one participant",
    ),
    (
        Action::RelabelPseudonym,
        "relabel_pseudonym",
        "relabel: give the pseudonym another category",
    ),
    (
        Action::RestoreEverywhere,
        "restore_everywhere",
        "restore: not an identifier, put the word back everywhere",
    ),
    (
        Action::RedactSelection,
        "redact_selection",
        "redact the selected words (a missed identifier) in this document",
    ),
    (
        Action::RestoreHere,
        "restore_here",
        "put back the word of the pseudonym at the cursor, in this document",
    ),
    (
        Action::AssignDocument,
        "assign_document",
        "assign the document to participant(s), wave and kind",
    ),
    (
        Action::ChooseCoders,
        "choose_coders",
        "choose the coders to count or compare",
    ),
    (
        Action::DeleteCode,
        "delete_code",
        "delete the code (its codings and memos moved into another)",
    ),
    (
        Action::ToggleFold,
        "toggle_fold",
        "fold or unfold the code's sub-codes",
    ),
    (
        Action::ToggleSubcodes,
        "toggle_subcodes",
        "with or without the sub-codes' codings",
    ),
    (
        Action::ChooseWave,
        "choose_wave",
        "choose a wave, or every wave",
    ),
    (
        Action::ChooseGroup,
        "choose_group",
        "choose a document group, or every document",
    ),
    (Action::ClearFilters, "clear_filters", "clear every filter"),
    (
        Action::ToggleUnit,
        "toggle_unit",
        "characters or turns as units",
    ),
    (
        Action::ToggleScope,
        "toggle_scope",
        "documents every coder coded, or all documents",
    ),
];

impl Action {
    pub fn name(self) -> &'static str {
        ACTIONS
            .iter()
            .find(|(a, ..)| *a == self)
            .map(|(_, n, _)| *n)
            .unwrap_or("?")
    }

    pub fn description(self) -> &'static str {
        ACTIONS
            .iter()
            .find(|(a, ..)| *a == self)
            .map(|(.., d)| *d)
            .unwrap_or("")
    }

    pub fn from_name(name: &str) -> Option<Action> {
        ACTIONS
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(a, ..)| *a)
    }
}

/// A key as bindings name it: `j`, `G`, `Ctrl-r`, `Enter`, `PageDown`, `?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    code: KeyName,
    ctrl: bool,
    alt: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyName {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Delete,
    F(u8),
}

const NAMED: &[(KeyName, &str)] = &[
    (KeyName::Enter, "Enter"),
    (KeyName::Esc, "Esc"),
    (KeyName::Tab, "Tab"),
    (KeyName::BackTab, "BackTab"),
    (KeyName::Backspace, "Backspace"),
    (KeyName::Up, "Up"),
    (KeyName::Down, "Down"),
    (KeyName::Left, "Left"),
    (KeyName::Right, "Right"),
    (KeyName::PageUp, "PageUp"),
    (KeyName::PageDown, "PageDown"),
    (KeyName::Home, "Home"),
    (KeyName::End, "End"),
    (KeyName::Delete, "Delete"),
    (KeyName::Char(' '), "Space"),
];

impl Key {
    /// The key of a terminal event; `None` for keys narrata does not bind.
    pub fn from_event(e: &KeyEvent) -> Option<Key> {
        let code = match e.code {
            KeyCode::Char(c) => KeyName::Char(c),
            KeyCode::Enter => KeyName::Enter,
            KeyCode::Esc => KeyName::Esc,
            KeyCode::Tab => KeyName::Tab,
            KeyCode::BackTab => KeyName::BackTab,
            KeyCode::Backspace => KeyName::Backspace,
            KeyCode::Up => KeyName::Up,
            KeyCode::Down => KeyName::Down,
            KeyCode::Left => KeyName::Left,
            KeyCode::Right => KeyName::Right,
            KeyCode::PageUp => KeyName::PageUp,
            KeyCode::PageDown => KeyName::PageDown,
            KeyCode::Home => KeyName::Home,
            KeyCode::End => KeyName::End,
            KeyCode::Delete => KeyName::Delete,
            KeyCode::F(n) => KeyName::F(n),
            _ => return None,
        };
        Some(Key {
            code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
            alt: e.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// Reads `j`, `Ctrl-r`, `Alt-x`, `PageDown`, `F2`, `Space`.
    pub fn parse(s: &str) -> Option<Key> {
        let mut rest = s.trim();
        let (mut ctrl, mut alt) = (false, false);
        loop {
            if let Some(r) = rest
                .strip_prefix("Ctrl-")
                .or_else(|| rest.strip_prefix("C-"))
            {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest
                .strip_prefix("Alt-")
                .or_else(|| rest.strip_prefix("M-"))
            {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = if let Some((k, _)) = NAMED.iter().find(|(_, n)| n.eq_ignore_ascii_case(rest)) {
            *k
        } else if let Some(n) = rest.strip_prefix('F').and_then(|n| n.parse::<u8>().ok()) {
            KeyName::F(n)
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyName::Char(c),
                _ => return None,
            }
        };
        Some(Key { code, ctrl, alt })
    }

    pub fn char(c: char) -> Key {
        Key {
            code: KeyName::Char(c),
            ctrl: false,
            alt: false,
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyName::Char(c) if c != ' ' => write!(f, "{c}"),
            KeyName::F(n) => write!(f, "F{n}"),
            other => {
                let name = NAMED
                    .iter()
                    .find(|(k, _)| *k == other)
                    .map(|(_, n)| *n)
                    .unwrap_or("?");
                f.write_str(name)
            }
        }
    }
}

/// One binding.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub scope: Scope,
    pub key: Key,
    pub action: Action,
}

/// The bindings in force.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

const DEFAULTS: &[(Scope, &str, Action)] = &[
    (Scope::Global, "q", Action::Quit),
    (Scope::Global, "Ctrl-c", Action::Quit),
    (Scope::Global, "?", Action::Help),
    (Scope::Global, "Tab", Action::NextPane),
    (Scope::Global, "BackTab", Action::PrevPane),
    (Scope::Global, "1", Action::ViewDocuments),
    (Scope::Global, "2", Action::ViewTranscript),
    (Scope::Global, "3", Action::ViewCodebook),
    (Scope::Global, "4", Action::ViewSearch),
    (Scope::Global, "5", Action::ViewWaves),
    (Scope::Global, "6", Action::ViewReview),
    (Scope::Global, "7", Action::ViewAgreement),
    (Scope::Global, "8", Action::ViewMemos),
    (Scope::Global, "9", Action::ViewAnalysis),
    (Scope::Global, "Ctrl-b", Action::ToggleBlind),
    (Scope::Global, "u", Action::Undo),
    (Scope::Global, "Ctrl-r", Action::Redo),
    (Scope::Global, "B", Action::Backup),
    (Scope::Global, "Esc", Action::Back),
    (Scope::List, "j", Action::Down),
    (Scope::List, "Down", Action::Down),
    (Scope::List, "k", Action::Up),
    (Scope::List, "Up", Action::Up),
    (Scope::List, "PageDown", Action::PageDown),
    (Scope::List, "Ctrl-d", Action::PageDown),
    (Scope::List, "PageUp", Action::PageUp),
    (Scope::List, "Ctrl-u", Action::PageUp),
    (Scope::List, "g", Action::Top),
    (Scope::List, "Home", Action::Top),
    (Scope::List, "G", Action::Bottom),
    (Scope::List, "End", Action::Bottom),
    (Scope::List, "Enter", Action::Open),
    (Scope::List, "/", Action::Filter),
    (Scope::Transcript, "h", Action::CharLeft),
    (Scope::Transcript, "Left", Action::CharLeft),
    (Scope::Transcript, "l", Action::CharRight),
    (Scope::Transcript, "Right", Action::CharRight),
    (Scope::Transcript, "b", Action::WordLeft),
    (Scope::Transcript, "w", Action::WordRight),
    (Scope::Transcript, "e", Action::WordEnd),
    (Scope::Transcript, "k", Action::LineUp),
    (Scope::Transcript, "Up", Action::LineUp),
    (Scope::Transcript, "j", Action::LineDown),
    (Scope::Transcript, "Down", Action::LineDown),
    (Scope::Transcript, "0", Action::RowStart),
    (Scope::Transcript, "$", Action::RowEnd),
    (Scope::Transcript, "]", Action::NextTurn),
    (Scope::Transcript, "[", Action::PrevTurn),
    (Scope::Transcript, "PageDown", Action::PageDown),
    (Scope::Transcript, "Ctrl-d", Action::PageDown),
    (Scope::Transcript, "Space", Action::PageDown),
    (Scope::Transcript, "PageUp", Action::PageUp),
    (Scope::Transcript, "Ctrl-u", Action::PageUp),
    (Scope::Transcript, "g", Action::Top),
    (Scope::Transcript, "Home", Action::Top),
    (Scope::Transcript, "G", Action::Bottom),
    (Scope::Transcript, "End", Action::Bottom),
    (Scope::Transcript, "v", Action::Select),
    (Scope::Transcript, "c", Action::Code),
    (Scope::Transcript, "C", Action::CodeInVivo),
    (Scope::Transcript, "x", Action::Uncode),
    (Scope::Transcript, "m", Action::Memo),
    (Scope::Transcript, "M", Action::ReadMemos),
    (Scope::Transcript, "n", Action::NextUncoded),
    (Scope::Transcript, "J", Action::NextDocument),
    (Scope::Transcript, "K", Action::PrevDocument),
    (Scope::Transcript, ">", Action::NextWave),
    (Scope::Transcript, "<", Action::PrevWave),
    (Scope::Transcript, "/", Action::Find),
    (Scope::Transcript, ";", Action::FindNext),
    (Scope::Documents, "a", Action::AssignDocument),
    (Scope::Documents, "h", Action::CharLeft),
    (Scope::Documents, "Left", Action::CharLeft),
    (Scope::Documents, "l", Action::CharRight),
    (Scope::Documents, "Right", Action::CharRight),
    (Scope::Codebook, "a", Action::AddCode),
    (Scope::Codebook, "r", Action::RenameCode),
    (Scope::Codebook, "m", Action::MoveCode),
    (Scope::Codebook, "M", Action::MergeCode),
    (Scope::Codebook, "e", Action::EditDefinition),
    (Scope::Codebook, "Space", Action::ToggleFold),
    (Scope::Codebook, "d", Action::DeleteCode),
    (Scope::Segments, "s", Action::ToggleSubcodes),
    (Scope::Segments, "p", Action::ChooseParticipant),
    (Scope::Segments, "w", Action::ChooseWave),
    (Scope::Segments, "c", Action::ChooseCoders),
    (Scope::Segments, "d", Action::ChooseGroup),
    (Scope::Segments, "x", Action::ClearFilters),
    (Scope::Analysis, "h", Action::CharLeft),
    (Scope::Analysis, "Left", Action::CharLeft),
    (Scope::Analysis, "l", Action::CharRight),
    (Scope::Analysis, "Right", Action::CharRight),
    (Scope::Analysis, "t", Action::NextAnalysis),
    (Scope::Analysis, "a", Action::NextAcross),
    (Scope::Analysis, "m", Action::NextMeasure),
    (Scope::Analysis, "/", Action::EditQuery),
    (Scope::Analysis, "i", Action::EditQuery),
    (Scope::Analysis, "r", Action::EditRule),
    (Scope::Analysis, "c", Action::ChooseCoders),
    (Scope::Analysis, "x", Action::ClearFilters),
    (Scope::Memos, "o", Action::GoToTarget),
    (Scope::Memos, "e", Action::EditMemoHere),
    (Scope::Memos, "d", Action::DeleteMemo),
    (Scope::Memos, "k", Action::ChooseKind),
    (Scope::Memos, "a", Action::ChooseCoders),
    (Scope::Memos, "x", Action::ClearFilters),
    (Scope::Search, "i", Action::EditQuery),
    (Scope::Search, "/", Action::EditQuery),
    (Scope::Search, "C", Action::CodeAllHits),
    (Scope::Waves, "p", Action::ChooseParticipant),
    (Scope::Waves, "y", Action::ConfirmLabel),
    (Scope::Waves, "o", Action::OverrideLabel),
    (Scope::Waves, "m", Action::Portrait),
    (Scope::Waves, "r", Action::EditRule),
    (Scope::Review, "a", Action::Accept),
    (Scope::Review, "r", Action::Reject),
    (Scope::Review, "A", Action::ApplyReview),
    (Scope::Review, "p", Action::TogglePseudonyms),
    (Scope::Review, "l", Action::LinkPseudonym),
    (Scope::Review, "s", Action::SplitPseudonym),
    (Scope::Review, "c", Action::RelabelPseudonym),
    (Scope::Review, "O", Action::RestoreEverywhere),
    (Scope::Transcript, "X", Action::RedactSelection),
    (Scope::Transcript, "O", Action::RestoreHere),
    (Scope::Waves, "c", Action::ChooseCoders),
    (Scope::Agreement, "c", Action::ChooseCoders),
    (Scope::Agreement, "t", Action::ToggleUnit),
    (Scope::Agreement, "s", Action::ToggleScope),
];

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: DEFAULTS
                .iter()
                .map(|(scope, key, action)| Binding {
                    scope: *scope,
                    key: Key::parse(key).unwrap_or_else(|| panic!("default key {key}")),
                    action: *action,
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// The action bound to `key` in the first of `scopes` that binds it.
    pub fn resolve(&self, scopes: &[Scope], key: Key) -> Option<Action> {
        scopes.iter().find_map(|s| {
            self.bindings
                .iter()
                .find(|b| b.scope == *s && b.key == key)
                .map(|b| b.action)
        })
    }

    /// The bindings of `scopes` for the help overlay: per scope, each action with its keys, in
    /// table order. A key shadowed by an earlier scope is left out.
    pub fn help(&self, scopes: &[Scope]) -> Vec<(Scope, Vec<(String, &'static str)>)> {
        let mut out = Vec::new();
        for (i, scope) in scopes.iter().enumerate() {
            let mut rows: Vec<(Action, Vec<String>)> = Vec::new();
            for b in self.bindings.iter().filter(|b| b.scope == *scope) {
                let shadowed = scopes[..i].iter().any(|s| {
                    self.bindings
                        .iter()
                        .any(|o| o.scope == *s && o.key == b.key)
                });
                if shadowed {
                    continue;
                }
                match rows.iter_mut().find(|(a, _)| *a == b.action) {
                    Some((_, keys)) => keys.push(b.key.to_string()),
                    None => rows.push((b.action, vec![b.key.to_string()])),
                }
            }
            if !rows.is_empty() {
                out.push((
                    *scope,
                    rows.into_iter()
                        .map(|(a, keys)| (keys.join(" "), a.description()))
                        .collect(),
                ));
            }
        }
        out
    }

    /// Every binding as Markdown tables, one per scope (`docs/TUI.md` carries this text; a test
    /// keeps the two the same).
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        for scope in Scope::ALL {
            let rows = self.help(&[scope]);
            let Some((_, rows)) = rows.first() else {
                continue;
            };
            out.push_str(&format!(
                "\n**{}**\n\n| keys | action | does |\n|---|---|---|\n",
                scope.name()
            ));
            for (keys, what) in rows {
                let action = ACTIONS
                    .iter()
                    .find(|(_, _, d)| d == what)
                    .map(|(_, n, _)| *n)
                    .unwrap_or("?");
                let keys = keys
                    .split(' ')
                    .map(|k| format!("`{}`", k.replace('|', "\\|")))
                    .collect::<Vec<_>>()
                    .join(" ");
                out.push_str(&format!("| {keys} | {action} | {what} |\n"));
            }
        }
        out
    }

    /// The first key bound to `action` in `scope`, for hints in the footer.
    pub fn key_for(&self, scope: Scope, action: Action) -> Option<Key> {
        self.bindings
            .iter()
            .find(|b| b.scope == scope && b.action == action)
            .map(|b| b.key)
    }

    /// Applies a `keys.yaml`: `scope: { key: action }`, where the action `none` unbinds the key.
    pub fn apply_overrides(&mut self, yaml: &str, origin: &Path) -> Result<()> {
        let bad = |msg: String| Error::Invalid(format!("{}: {msg}", origin.display()));
        let file: BTreeMap<String, BTreeMap<String, String>> =
            serde_saphyr::from_str(yaml).map_err(|e| bad(e.to_string()))?;
        for (scope_name, keys) in file {
            let scope = Scope::ALL
                .into_iter()
                .find(|s| s.name() == scope_name)
                .ok_or_else(|| {
                    bad(format!(
                        "`{scope_name}` is not a scope; use one of {}",
                        Scope::ALL.map(|s| s.name()).join(", ")
                    ))
                })?;
            for (key_name, action_name) in keys {
                let key = Key::parse(&key_name)
                    .ok_or_else(|| bad(format!("`{key_name}` is not a key narrata knows")))?;
                self.bindings
                    .retain(|b| !(b.scope == scope && b.key == key));
                if action_name == "none" {
                    continue;
                }
                let action = Action::from_name(&action_name).ok_or_else(|| {
                    bad(format!(
                        "`{action_name}` is not an action; the help overlay (?) lists them"
                    ))
                })?;
                self.bindings.push(Binding { scope, key, action });
            }
        }
        Ok(())
    }

    /// The default keymap with the user's `keys.yaml` applied, if there is one.
    pub fn load() -> Result<Keymap> {
        let mut map = Keymap::default();
        if let Some(path) = config_dir().map(|d| d.join("keys.yaml"))
            && path.is_file()
        {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            map.apply_overrides(&text, &path)?;
        }
        Ok(map)
    }
}

/// narrata's config folder: `NARRATA_CONFIG_DIR`, else `$XDG_CONFIG_HOME/narrata`, else
/// `~/.config/narrata`.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("NARRATA_CONFIG_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("narrata"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config").join("narrata"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_key_parses_and_prints_back() {
        for (_, key, _) in DEFAULTS {
            let k = Key::parse(key).unwrap();
            assert_eq!(&k.to_string(), key);
        }
    }

    #[test]
    fn every_action_has_a_unique_name_and_a_description() {
        let mut names: Vec<&str> = ACTIONS.iter().map(|(_, n, _)| *n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ACTIONS.len());
        assert!(ACTIONS.iter().all(|(_, _, d)| !d.is_empty()));
        for (_, key, action) in DEFAULTS {
            assert!(
                ACTIONS.iter().any(|(a, ..)| a == action),
                "{key}: {action:?} has no name or description"
            );
        }
    }

    #[test]
    fn view_scope_wins_over_lists_and_global() {
        let map = Keymap::default();
        let scopes = [Scope::Transcript, Scope::Global];
        assert_eq!(map.resolve(&scopes, Key::char('j')), Some(Action::LineDown));
        assert_eq!(map.resolve(&scopes, Key::char('q')), Some(Action::Quit));
        assert_eq!(
            map.resolve(
                &[Scope::Codebook, Scope::List, Scope::Global],
                Key::char('m')
            ),
            Some(Action::MoveCode)
        );
    }

    #[test]
    fn overrides_rebind_and_unbind_keys() {
        let mut map = Keymap::default();
        map.apply_overrides(
            "transcript:\n  K: code\n  c: none\n",
            Path::new("keys.yaml"),
        )
        .unwrap();
        let scopes = [Scope::Transcript, Scope::Global];
        assert_eq!(map.resolve(&scopes, Key::char('K')), Some(Action::Code));
        assert_eq!(map.resolve(&scopes, Key::char('c')), None);
        let err = map
            .apply_overrides("transcript:\n  c: fly\n", Path::new("keys.yaml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`fly` is not an action"), "{err}");
        let err = map
            .apply_overrides("nowhere:\n  c: code\n", Path::new("keys.yaml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a scope"), "{err}");
    }

    #[test]
    fn help_lists_each_action_once_with_all_its_keys() {
        let map = Keymap::default();
        let help = map.help(&[Scope::Transcript, Scope::Global]);
        let transcript = &help[0].1;
        let down = transcript
            .iter()
            .find(|(_, d)| *d == Action::LineDown.description())
            .unwrap();
        assert_eq!(down.0, "j Down");
        // Global `Esc` still shows; nothing the transcript shadows is listed twice.
        assert!(help[1].1.iter().any(|(k, _)| k == "Esc"));
    }
}
