//! Pop-ups over a view: the help, the fuzzy picker (codes, labels, participants, codings), a
//! one-line prompt (memos, names, find, passphrase) and a yes/no question. Each knows only its
//! own input; what happens with the answer is the app's business, named by a `Purpose`.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::text::match_rank;

/// Why a picker or prompt is open.
#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    /// Code `[start, end)` of a document, which read `seen` on screen.
    CodeSpan {
        doc: i64,
        start: usize,
        end: usize,
        seen: String,
    },
    /// Code every hit of the search view's query.
    CodeHits,
    /// Code every hit of the search view's query with `code`: whole turns or matched words.
    CodeHitsUnit {
        code: String,
        label: String,
    },
    /// The parent of a new code named `name`, made for what `then` was coding.
    NewCodeParent {
        name: String,
        then: Box<Purpose>,
    },
    /// Remove one of these codings.
    RemoveCoding,
    /// Narrow the memo manager (an empty value: no filter).
    NarrowMemos {
        what: crate::tui::views::memos::Narrow,
    },
    /// Delete one of your memos.
    DeleteMemo {
        id: i64,
    },
    /// A coding query typed in the analysis view.
    AnalysisQuery,
    /// The analysis view's rule (empty: every document).
    AnalysisRule,
    /// Whose codings the analysis view counts (empty: everyone's).
    AnalysisCoder,
    /// Narrow the segments view (an empty value: no filter).
    NarrowSegments {
        what: crate::tui::views::segments::Narrow,
    },
    /// A memo on a target (`coding:12`, `document:3`, `portrait:P03:T2`…).
    Memo {
        target: String,
    },
    /// Rewrite one of your memos.
    EditMemo {
        id: i64,
    },
    Find,
    /// Write a backup of the project to the folder typed.
    Backup,
    AddCode {
        parent: Option<String>,
    },
    RenameCode {
        code: String,
    },
    MoveCode {
        code: String,
    },
    MergeCode {
        code: String,
    },
    /// Which part of a code's definition to edit.
    ChooseCodeField {
        code: String,
    },
    /// A new text for one part of a code's definition (`description`, `include`, `exclude`,
    /// `example`, `color`, `dimension`, `polarity`).
    EditCodeField {
        code: String,
        field: &'static str,
    },
    /// Delete a code that has no codings or memos.
    DeleteCode {
        code: String,
    },
    /// Delete a code, its codings and memos moving into the code chosen.
    DeleteCodeInto {
        code: String,
    },
    Participant,
    /// Whose codings the Waves view counts (empty: every coder's).
    WavesCoders,
    /// The rule narrowing the waves view.
    WavesRule,
    /// Choose the wave of a pen portrait.
    PortraitWave {
        participant: String,
    },
    Label {
        participant: String,
        code: String,
    },
    LabelMemo {
        participant: String,
        code: String,
        label: String,
    },
    Passphrase,
    /// The coders the agreement view compares.
    Coders,
    /// Typing filters the documents or codebook list as you go.
    ListFilter,
    ApplyReview,
    /// Coding words of the interviewer's, asked first.
    CodeInterviewer,
    /// Participant(s), wave and kind of a document.
    AssignDocument {
        doc: i64,
    },
    /// The category to redact `[start, end)` of a document under; `seen` is what it read.
    Redact {
        doc: i64,
        start: usize,
        end: usize,
        seen: String,
    },
    /// Put a pseudonym's word back in one document (`Some`) or everywhere; `original` says
    /// which of its forms, when it has several.
    Restore {
        pseudonym: String,
        doc: Option<i64>,
        original: Option<String>,
    },
    /// Choose which form of a pseudonym's name to put back.
    RestoreForm {
        pseudonym: String,
        doc: Option<i64>,
    },
    /// The pseudonym to merge into `kept`.
    Link {
        kept: String,
    },
    /// Where a pseudonym becomes a new one: a participant, or document numbers.
    Split {
        pseudonym: String,
    },
    /// The new category of a pseudonym.
    Relabel {
        pseudonym: String,
    },
}

/// One choice of a picker: the value it stands for, what is shown, and a note beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub note: String,
}

/// A list that filters fuzzily as you type; `Enter` picks.
#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub title: String,
    pub purpose: Purpose,
    pub choices: Vec<Choice>,
    pub filter: String,
    pub selected: usize,
    /// Indices of the choices the filter lets through, best first.
    pub shown: Vec<usize>,
    /// Whether a name that is no choice can be made into a new code here (coding pickers):
    /// then a last row offers it at the top of the codebook, and `Ctrl-a` asks for a parent.
    pub offers_new_code: bool,
}

impl Picker {
    pub fn new(title: impl Into<String>, purpose: Purpose, choices: Vec<Choice>) -> Picker {
        let mut p = Picker {
            title: title.into(),
            purpose,
            choices,
            filter: String::new(),
            selected: 0,
            shown: Vec::new(),
            offers_new_code: false,
        };
        p.refilter();
        p
    }

    /// A picker that narrows a list to one `name` (a participant, a wave, an author…): its
    /// first row, `(every …)`, with an empty value, removes the filter.
    pub fn narrowing(what: &str, name: &str, purpose: Purpose, values: Vec<String>) -> Picker {
        let mut choices = vec![Choice {
            value: String::new(),
            label: format!("(every {name})"),
            note: String::new(),
        }];
        choices.extend(values.into_iter().map(|v| Choice {
            value: v.clone(),
            label: v,
            note: String::new(),
        }));
        Picker::new(format!("only the {what} of one {name}"), purpose, choices)
    }

    /// A coding picker: a typed name that is no code yet can become one.
    pub fn offering_new_code(mut self) -> Picker {
        self.offers_new_code = true;
        self
    }

    /// The name a new code would get from what was typed: offered when it is no code's path
    /// already (in any case).
    pub fn new_code_name(&self) -> Option<String> {
        let name = self.filter.split_whitespace().collect::<Vec<_>>().join(" ");
        let name = name.trim_matches('/').to_owned();
        (self.offers_new_code
            && !name.is_empty()
            && !self
                .choices
                .iter()
                .any(|c| c.label.eq_ignore_ascii_case(&name)))
        .then_some(name)
    }

    /// How many rows can be chosen: the matches, and the new code's row when offered.
    fn rows(&self) -> usize {
        self.shown.len() + usize::from(self.new_code_name().is_some())
    }

    /// Whether the row chosen is the one that makes a new code.
    pub fn on_new_code_row(&self) -> bool {
        self.selected == self.shown.len() && self.new_code_name().is_some()
    }

    fn refilter(&mut self) {
        let mut scored: Vec<(i64, usize)> = self
            .choices
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match_rank(&self.filter, &c.label).map(|s| (s, i)))
            .collect();
        if !self.filter.is_empty() {
            // Best match first (an exact name, then a word starting with what was typed, then
            // the letters inside a word, then scattered); ties keep the given order. With
            // nothing typed the given order stands: the most recent codes first.
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        }
        self.shown = scored.into_iter().map(|(_, i)| i).collect();
        self.selected = 0;
    }

    pub fn current(&self) -> Option<&Choice> {
        self.shown.get(self.selected).map(|i| &self.choices[*i])
    }

    /// Handles a key; returns what the key did.
    pub fn key(&mut self, e: &KeyEvent) -> Input {
        match e.code {
            KeyCode::Esc => Input::Cancel,
            KeyCode::Char('c') if e.modifiers.contains(KeyModifiers::CONTROL) => Input::Cancel,
            KeyCode::Enter => Input::Submit,
            KeyCode::Up => {
                self.selected = self.selected.saturating_sub(1);
                Input::Edited
            }
            KeyCode::Down | KeyCode::Tab => {
                self.selected = (self.selected + 1).min(self.rows().saturating_sub(1));
                Input::Edited
            }
            KeyCode::Char('a')
                if e.modifiers.contains(KeyModifiers::CONTROL)
                    && self.new_code_name().is_some() =>
            {
                Input::NewCodeUnder
            }
            KeyCode::Char('p') if e.modifiers.contains(KeyModifiers::CONTROL) => {
                self.selected = self.selected.saturating_sub(1);
                Input::Edited
            }
            KeyCode::Char('n') if e.modifiers.contains(KeyModifiers::CONTROL) => {
                self.selected = (self.selected + 1).min(self.rows().saturating_sub(1));
                Input::Edited
            }
            _ => {
                if edit(&mut self.filter, e) {
                    self.refilter();
                }
                Input::Edited
            }
        }
    }
}

/// A one-line text field.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub title: String,
    pub purpose: Purpose,
    pub text: String,
    /// Shown as dots (passphrases).
    pub masked: bool,
    /// What `Up` puts back (the last find): a new prompt starts empty, not with the last
    /// text to be typed after.
    pub recall: Option<String>,
}

impl Prompt {
    pub fn new(title: impl Into<String>, purpose: Purpose, text: impl Into<String>) -> Prompt {
        Prompt {
            title: title.into(),
            purpose,
            text: text.into(),
            masked: false,
            recall: None,
        }
    }

    /// An empty prompt whose `Up` brings back `last`.
    pub fn recalling(title: impl Into<String>, purpose: Purpose, last: Option<String>) -> Prompt {
        Prompt {
            recall: last.filter(|l| !l.is_empty()),
            ..Prompt::new(title, purpose, "")
        }
    }

    pub fn key(&mut self, e: &KeyEvent) -> Input {
        match e.code {
            KeyCode::Esc => Input::Cancel,
            KeyCode::Char('c') if e.modifiers.contains(KeyModifiers::CONTROL) => Input::Cancel,
            // Alt-Enter starts a new line (memos have paragraphs); Enter saves.
            KeyCode::Enter if e.modifiers.contains(KeyModifiers::ALT) && !self.masked => {
                self.text.push('\n');
                Input::Edited
            }
            KeyCode::Enter => Input::Submit,
            KeyCode::Up if self.recall.is_some() => {
                self.text = self.recall.clone().unwrap_or_default();
                Input::Edited
            }
            _ => {
                edit(&mut self.text, e);
                Input::Edited
            }
        }
    }
}

/// What a key did to a picker or prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Edited,
    Submit,
    Cancel,
    /// `Ctrl-a` in a coding picker: the typed name as a new code, under a code to be chosen.
    NewCodeUnder,
}

/// Line editing: typing, `Backspace`, `Ctrl-u` (clear), `Ctrl-w` (last word). Returns whether
/// the text changed.
pub fn edit(text: &mut String, e: &KeyEvent) -> bool {
    let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
    match e.code {
        KeyCode::Backspace => text.pop().is_some(),
        KeyCode::Char('u') if ctrl => {
            text.clear();
            true
        }
        KeyCode::Char('w') if ctrl => {
            let trimmed = text.trim_end().len();
            text.truncate(trimmed);
            let cut = text.rfind(char::is_whitespace).map(|i| i + 1).unwrap_or(0);
            text.truncate(cut);
            true
        }
        KeyCode::Char(c) if !ctrl && !c.is_control() => {
            text.push(c);
            true
        }
        _ => false,
    }
}

/// A question answered with `y` or `n`.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub question: String,
    pub purpose: Purpose,
}

/// What is open over the view.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help,
    /// Text to read (memos); any key closes it.
    Text {
        title: String,
        body: String,
    },
    Picker(Picker),
    Prompt(Prompt),
    Confirm(Confirm),
}

/// The choices of whose codings an analysis counts: every coder's (overlaps once), or one's.
pub fn counting_coders(conn: &rusqlite::Connection) -> crate::error::Result<Vec<Choice>> {
    let mut choices = vec![Choice {
        value: String::new(),
        label: "every coder".into(),
        note: "overlapping codings counted once".into(),
    }];
    choices.extend(
        crate::coding::coders_with_codings(conn)?
            .into_iter()
            .map(|c| Choice {
                label: format!("only {c}"),
                value: c,
                note: String::new(),
            }),
    );
    Ok(choices)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn the_picker_filters_as_you_type_and_keeps_recent_first_when_empty() {
        let choices = ["Hoop", "Verbondenheid", "Hopeloosheid"]
            .iter()
            .map(|n| Choice {
                value: n.to_string(),
                label: n.to_string(),
                note: String::new(),
            })
            .collect();
        let mut p = Picker::new("code", Purpose::CodeHits, choices);
        assert_eq!(p.current().unwrap().value, "Hoop");
        for c in "verb".chars() {
            p.key(&key(c));
        }
        assert_eq!(p.shown.len(), 1);
        assert_eq!(p.current().unwrap().value, "Verbondenheid");
        p.key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(p.shown.len(), 3);
    }

    #[test]
    fn line_editing() {
        let mut t = String::from("een twee");
        edit(
            &mut t,
            &KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL),
        );
        assert_eq!(t, "een ");
        edit(
            &mut t,
            &KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE),
        );
        assert_eq!(t, "een");
        assert!(!edit(
            &mut t,
            &KeyEvent::new(KeyCode::Char('\u{1b}'), KeyModifiers::NONE)
        ));
    }
}
