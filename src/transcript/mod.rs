//! The neutral transcript every reader produces: the text narrata will store, its speaker
//! turns as character spans of that text, and the metadata the file itself declared. It sits
//! below `import` (which produces it) so that the key can hold a staged transcript.

pub mod study;

use std::collections::BTreeMap;

/// Metadata a file declares about itself (front matter). Flags and the file name fill the
/// gaps later, in `import::resolve`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Meta {
    pub participant: Option<String>,
    pub participants: Vec<String>,
    pub wave: Option<String>,
    pub date: Option<String>,
    pub kind: Option<String>,
    pub language: Option<String>,
    pub interviewer: Option<String>,
    pub title: Option<String>,
    /// Speaker label → participant code, or `interviewer`.
    pub speakers: BTreeMap<String, String>,
    /// Attributes of the participant (individual interviews), from `participant_attributes:`.
    pub participant_attributes: serde_json::Map<String, serde_json::Value>,
    /// Every other front-matter key.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// One speaker turn: `[start, end)` in characters of the transcript text, covering what the
/// speaker said (not the label or timestamp); `line` is the 1-based line of its label.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RawTurn {
    pub speaker: String,
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub time_start: Option<f64>,
    pub time_end: Option<f64>,
}

/// A transcript as read from one file, before it is tied to participants and waves.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Transcript {
    pub text: String,
    pub turns: Vec<RawTurn>,
    pub meta: Meta,
    /// Control characters made visible while decoding.
    pub controls_replaced: usize,
}

/// Builds a transcript's text turn by turn, for formats whose text narrata composes itself
/// (subtitles): each turn becomes a line `LABEL: words`, so every format stores the same shape.
#[derive(Debug, Default)]
pub struct TextBuilder {
    text: String,
    chars: usize,
    line: usize,
    turns: Vec<RawTurn>,
}

impl TextBuilder {
    pub fn new() -> Self {
        TextBuilder {
            line: 1,
            ..Default::default()
        }
    }

    /// Appends one turn. Newlines inside `words` are kept (the turn spans several lines).
    pub fn turn(
        &mut self,
        speaker: &str,
        words: &str,
        time_start: Option<f64>,
        time_end: Option<f64>,
    ) {
        let words = words.trim();
        if words.is_empty() {
            return;
        }
        let prefix = if speaker.is_empty() {
            String::new()
        } else {
            format!("{speaker}: ")
        };
        self.push(&prefix);
        let (start, line) = (self.chars, self.line);
        self.push(words);
        self.turns.push(RawTurn {
            speaker: speaker.to_owned(),
            start,
            end: self.chars,
            line,
            time_start,
            time_end,
        });
        self.push("\n");
    }

    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.chars += s.chars().count();
        self.line += s.matches('\n').count();
    }

    pub fn finish(self, controls_replaced: usize) -> Transcript {
        Transcript {
            text: self.text,
            turns: self.turns,
            meta: Meta::default(),
            controls_replaced,
        }
    }
}
