//! The transcript view's state: the open document (text, turns, codings), the cursor, the
//! selection, the wrapped rows and the scroll position, and every cursor movement.
//!
//! About 225 of its lines are the tests of the cursor movements and the wrapping.

pub mod draw;
mod keys;

use std::collections::HashMap;

use ratatui::layout::Rect;
use rusqlite::Connection;

use super::super::keymap::Action;
use super::super::text::{self, Row};
use crate::coding::{self, Coding};
use crate::corpus::{self, DocumentSummary, Turn};
use crate::error::Result;

/// Where `n` (next uncoded turn) went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uncoded {
    /// To the next turn the coder has not coded.
    Moved,
    /// To one before the cursor, from the top again.
    Wrapped,
    /// The turn under the cursor is the only one left.
    OnlyHere,
    /// Every participant turn has a coding of the coder's.
    None,
}

/// A document as the transcript view shows it.
#[derive(Debug, Clone)]
pub struct Doc {
    pub summary: DocumentSummary,
    pub chars: Vec<char>,
    pub turns: Vec<Turn>,
    /// Character ranges of the turns.
    pub spans: Vec<(usize, usize)>,
    /// Character offsets where the stored text's lines start (line numbers for citations).
    pub line_starts: Vec<usize>,
    /// Codings of every coder, by start.
    pub codings: Vec<Coding>,
    /// Memos on those codings (memo id, coder, text), by coding id.
    pub memos: HashMap<i64, Vec<(i64, String, String)>>,
    /// Memos on the document itself (memo id, coder, text).
    pub doc_memos: Vec<(i64, String, String)>,
    /// Columns the speaker labels need.
    pub speaker_width: usize,
    /// Character spans of the pseudonyms in the text: a selection never ends inside one.
    pub pseudonyms: Vec<(usize, usize)>,
}

impl Doc {
    pub fn load(conn: &Connection, id: i64) -> Result<Doc> {
        let summary = corpus::document(conn, id)?;
        let text = corpus::text(conn, id)?;
        let pseudonyms = crate::keyfile::pseudonym_spans(&text);
        let chars: Vec<char> = text.chars().collect();
        let turns = corpus::turns(conn, id)?;
        let spans = turns
            .iter()
            .map(|t| (t.start.max(0) as usize, t.end.max(t.start).max(0) as usize))
            .collect();
        let mut line_starts = vec![0];
        line_starts.extend(
            chars
                .iter()
                .enumerate()
                .filter(|(_, c)| **c == '\n')
                .map(|(i, _)| i + 1),
        );
        let speaker_width = turns
            .iter()
            .map(|t| text::str_width(&t.speaker))
            .max()
            .unwrap_or(1)
            .clamp(1, 24);
        let mut doc = Doc {
            summary,
            chars,
            turns,
            spans,
            line_starts,
            codings: Vec::new(),
            memos: HashMap::new(),
            doc_memos: Vec::new(),
            speaker_width,
            pseudonyms,
        };
        doc.reload_codings(conn)?;
        Ok(doc)
    }

    /// Keeps only `coder`'s codings and memos (blind coding: a second coder is not led by the
    /// first).
    pub fn keep_coder(&mut self, coder: &str) {
        self.codings.retain(|c| c.coder == coder);
        let kept: std::collections::HashSet<i64> = self.codings.iter().map(|c| c.id).collect();
        self.memos.retain(|id, _| kept.contains(id));
        for memos in self.memos.values_mut() {
            memos.retain(|(_, who, _)| who == coder);
        }
        self.memos.retain(|_, m| !m.is_empty());
        self.doc_memos.retain(|(_, who, _)| who == coder);
    }

    pub fn reload_codings(&mut self, conn: &Connection) -> Result<()> {
        let mut codings = coding::list(
            conn,
            &coding::Filter {
                doc: Some(self.summary.id),
                ..Default::default()
            },
        )?;
        codings.sort_by_key(|c| (c.start, std::cmp::Reverse(c.end), c.id));
        self.codings = codings;
        let mut stmt = conn.prepare_cached(
            "SELECT m.target_id, m.id, k.name, m.text FROM memos m
             JOIN coders k ON k.id = m.coder_id JOIN codings g ON g.id = m.target_id
             WHERE m.target_kind = 'coding' AND g.doc_id = ?1 ORDER BY m.id",
        )?;
        let rows = stmt.query_map([self.summary.id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        self.memos.clear();
        for row in rows {
            let (coding, id, coder, text) = row?;
            self.memos
                .entry(coding)
                .or_default()
                .push((id, coder, text));
        }
        let mut stmt = conn.prepare_cached(
            "SELECT m.id, k.name, m.text FROM memos m JOIN coders k ON k.id = m.coder_id
             WHERE m.target_kind = 'document' AND m.target_id = ?1 ORDER BY m.id",
        )?;
        self.doc_memos = stmt
            .query_map([self.summary.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(())
    }

    /// The 1-based line of the stored text a character is on.
    pub fn line_of(&self, at: usize) -> usize {
        self.line_starts.partition_point(|s| *s <= at)
    }

    /// The turn holding `at`, or the nearest one after it (else the last).
    pub fn turn_of(&self, at: usize) -> usize {
        let i = self.spans.partition_point(|(_, end)| *end <= at);
        i.min(self.spans.len().saturating_sub(1))
    }

    /// Codings that cover character `at`, shortest first.
    pub fn codings_at(&self, at: usize) -> Vec<&Coding> {
        let mut out: Vec<&Coding> = self
            .codings
            .iter()
            .take_while(|c| (c.start as usize) <= at)
            .filter(|c| (c.end as usize) > at)
            .collect();
        out.sort_by_key(|c| c.end - c.start);
        out
    }

    /// Codings overlapping `[start, end)`.
    pub fn codings_in(&self, start: usize, end: usize) -> impl Iterator<Item = &Coding> {
        self.codings
            .iter()
            .take_while(move |c| (c.start as usize) < end.max(start + 1))
            .filter(move |c| (c.end as usize) > start)
    }

    /// Whether character `at` is part of a word, as [`crate::words`] defines one: a letter or
    /// digit, or an apostrophe or hyphen between two of them ("zo'n", "ex-partner").
    fn is_word(&self, at: usize) -> bool {
        let alnum = |i: usize| self.chars.get(i).is_some_and(|c| c.is_alphanumeric());
        alnum(at)
            || (at > 0 && crate::words::is_joiner(self.chars[at]) && alnum(at - 1) && alnum(at + 1))
    }

    fn in_turn(&self, at: usize) -> bool {
        let t = self.turn_of(at);
        self.spans.get(t).is_some_and(|(s, e)| *s <= at && at < *e)
    }

    /// The span to code: `[start, end)` without white space at either end.
    pub fn trimmed(&self, start: usize, end: usize) -> (usize, usize) {
        let (mut s, mut e) = (start, end.min(self.chars.len()));
        while s < e && self.chars[s].is_whitespace() {
            s += 1;
        }
        while e > s && self.chars[e - 1].is_whitespace() {
            e -= 1;
        }
        (s, e)
    }
}

/// Where the transcript's parts are on screen, from the area the view gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Geometry {
    /// The text column (inside the border, right of the gutter).
    pub text: Rect,
    /// Line numbers and speakers.
    pub gutter: Rect,
    /// The codes of each row.
    pub margin: Rect,
    /// Columns for speaker labels: as many as the longest needs, up to a tenth of the
    /// screen (at least 10, at most 24), so a wide screen shows "Interviewer" whole.
    pub speaker: usize,
}

/// Columns of the line-number part of the gutter.
pub const LINE_NUMBER_WIDTH: u16 = 5;

impl Geometry {
    pub fn of(area: Rect, speaker_width: usize) -> Geometry {
        let inner_y = area.y.saturating_add(1);
        let inner_h = area.height.saturating_sub(2);
        let margin_w = (area.width / 3).clamp(0, 30);
        let speaker_width = speaker_width.min((area.width as usize / 10).max(10));
        let gutter_w = (LINE_NUMBER_WIDTH + 1 + speaker_width as u16 + 1)
            .min(area.width.saturating_sub(2) / 3);
        let x = area.x.saturating_add(1);
        let text_w = area
            .width
            .saturating_sub(2 + gutter_w + margin_w + 1)
            .max(1);
        Geometry {
            gutter: Rect::new(x, inner_y, gutter_w, inner_h),
            text: Rect::new(x + gutter_w, inner_y, text_w, inner_h),
            margin: Rect::new(x + gutter_w + text_w + 1, inner_y, margin_w, inner_h),
            speaker: speaker_width,
        }
    }
}

/// The transcript view's state.
#[derive(Debug, Clone, Default)]
pub struct State {
    pub doc: Option<Doc>,
    /// Character offset of the cursor.
    pub cursor: usize,
    /// Where a selection started (`v` or a mouse press).
    pub anchor: Option<usize>,
    pub rows: Vec<Row>,
    pub geometry: Geometry,
    /// First row on screen.
    pub top: usize,
    /// The column up and down movements keep.
    pub want_col: Option<usize>,
    /// The last `/` search.
    pub find: Option<String>,
    /// Show the cursor a third down the screen at the next layout (after a jump).
    pub center_next: bool,
    /// Blind coding: only this coder's codings and memos are shown.
    pub only: Option<String>,
}

impl State {
    /// Reads the open document's codings and memos again (blind coding applied).
    pub fn reload_codings(&mut self, conn: &Connection) -> Result<()> {
        if let Some(d) = &mut self.doc {
            d.reload_codings(conn)?;
            if let Some(coder) = &self.only {
                d.keep_coder(coder);
            }
        }
        Ok(())
    }

    /// Shows a document with the cursor at `at` (or its first turn).
    pub fn open(&mut self, mut doc: Doc, at: Option<usize>) {
        if let Some(coder) = &self.only {
            doc.keep_coder(coder);
        }
        let first = doc.spans.first().map(|s| s.0).unwrap_or(0);
        self.doc = Some(doc);
        self.rows.clear();
        self.geometry = Geometry::default();
        self.anchor = None;
        self.top = 0;
        self.want_col = None;
        self.cursor = first;
        if let Some(at) = at {
            self.cursor = at;
            self.center_next = true;
        }
        self.clamp_cursor();
    }

    /// Recomputes the wrapping when the area changed (called before drawing, never by it).
    pub fn layout(&mut self, area: Rect) {
        let Some(doc) = &self.doc else { return };
        let g = Geometry::of(area, doc.speaker_width);
        if g.text.width != self.geometry.text.width || self.rows.is_empty() {
            self.rows = text::wrap(&doc.chars, &doc.spans, g.text.width as usize);
        }
        self.geometry = g;
        if std::mem::take(&mut self.center_next) {
            self.center();
        } else {
            self.scroll_to_cursor();
        }
    }

    pub fn height(&self) -> usize {
        (self.geometry.text.height as usize).max(1)
    }

    /// The row holding the cursor.
    pub fn cursor_row(&self) -> usize {
        let i = self.rows.partition_point(|r| r.end <= self.cursor);
        i.min(self.rows.len().saturating_sub(1))
    }

    fn scroll_to_cursor(&mut self) {
        if self.rows.is_empty() {
            return;
        }
        let r = self.cursor_row();
        let h = self.height();
        if r < self.top {
            self.top = r;
        } else if r >= self.top + h {
            self.top = r + 1 - h;
        }
        // Never leave empty rows below the text while there is text above (after a resize).
        self.top = self.top.min(self.rows.len().saturating_sub(h));
    }

    /// Scrolls so that the cursor's row is a third of the way down: after a jump, the turn
    /// below it is in view.
    pub fn center(&mut self) {
        if self.rows.is_empty() {
            return;
        }
        let h = self.height();
        self.top = self.cursor_row().saturating_sub(h / 3);
        self.scroll_to_cursor();
    }

    fn clamp_cursor(&mut self) {
        let Some(doc) = &self.doc else { return };
        if doc.spans.is_empty() {
            self.cursor = 0;
            return;
        }
        if !doc.in_turn(self.cursor) {
            let t = doc.turn_of(self.cursor);
            let (s, e) = doc.spans[t];
            self.cursor = if self.cursor >= e {
                e.saturating_sub(1).max(s)
            } else {
                s
            };
        }
    }

    /// The selected span `[start, end)`, if a selection is under way.
    pub fn selection(&self) -> Option<(usize, usize)> {
        let a = self.anchor?;
        Some((a.min(self.cursor), a.max(self.cursor) + 1))
    }

    /// What `c` codes: the selection widened to whole words and whole pseudonyms and without
    /// surrounding white space, else the current turn.
    pub fn target(&self) -> Option<(usize, usize)> {
        let doc = self.doc.as_ref()?;
        let (s, e) = match self.selection() {
            Some((mut s, mut e)) => {
                while s > 0 && doc.is_word(s) && doc.is_word(s - 1) {
                    s -= 1;
                }
                while e < doc.chars.len() && e > 0 && doc.is_word(e - 1) && doc.is_word(e) {
                    e += 1;
                }
                crate::keyfile::widen_to_pseudonyms(&doc.pseudonyms, s, e)
            }
            None => *doc.spans.get(doc.turn_of(self.cursor))?,
        };
        let (s, e) = doc.trimmed(s, e);
        (e > s).then_some((s, e))
    }

    /// Applies a movement; returns whether `action` was one.
    pub fn movement(&mut self, action: Action) -> bool {
        let Some(doc) = &self.doc else {
            return false;
        };
        if doc.spans.is_empty() {
            return false;
        }
        let vertical = matches!(
            action,
            Action::LineUp | Action::LineDown | Action::PageUp | Action::PageDown
        );
        let c = self.cursor;
        let t = doc.turn_of(c);
        let (ts, te) = doc.spans[t];
        let last_turn = doc.spans.len() - 1;
        let new = match action {
            Action::CharRight => {
                if c + 1 < te {
                    c + 1
                } else if t < last_turn {
                    doc.spans[t + 1].0
                } else {
                    c
                }
            }
            Action::CharLeft => {
                if c > ts {
                    c - 1
                } else if t > 0 {
                    doc.spans[t - 1].1.saturating_sub(1).max(doc.spans[t - 1].0)
                } else {
                    c
                }
            }
            Action::WordRight => {
                let mut i = c;
                while i < doc.chars.len() && doc.is_word(i) {
                    i += 1;
                }
                while i < doc.chars.len() && !(doc.is_word(i) && doc.in_turn(i)) {
                    i += 1;
                }
                if i >= doc.chars.len() { c } else { i }
            }
            Action::WordEnd => {
                let len = doc.chars.len();
                let mut i = c + 1;
                while i < len && !(doc.is_word(i) && doc.in_turn(i)) {
                    i += 1;
                }
                while i + 1 < len && doc.is_word(i + 1) {
                    i += 1;
                }
                if i >= len { c } else { i }
            }
            Action::WordLeft => {
                let mut i = c;
                while i > 0 && !(doc.is_word(i - 1) && doc.in_turn(i - 1)) {
                    i -= 1;
                }
                while i > 0 && doc.is_word(i - 1) {
                    i -= 1;
                }
                if doc.in_turn(i) { i } else { c }
            }
            Action::NextTurn => doc.spans.get(t + 1).map(|s| s.0).unwrap_or(c),
            Action::PrevTurn => {
                if c > ts {
                    ts
                } else if t > 0 {
                    doc.spans[t - 1].0
                } else {
                    c
                }
            }
            Action::Top => doc.spans[0].0,
            Action::Bottom => doc.spans[last_turn]
                .1
                .saturating_sub(1)
                .max(doc.spans[last_turn].0),
            Action::LineUp | Action::LineDown | Action::PageUp | Action::PageDown => {
                if self.rows.is_empty() {
                    return true;
                }
                let r = self.cursor_row();
                let col = self
                    .want_col
                    .unwrap_or_else(|| text::column(&doc.chars, &self.rows[r], c));
                let step = match action {
                    Action::LineUp | Action::LineDown => 1,
                    _ => self.height().saturating_sub(1).max(1),
                };
                let target = match action {
                    Action::LineUp | Action::PageUp => r.saturating_sub(step),
                    _ => (r + step).min(self.rows.len() - 1),
                };
                if matches!(action, Action::PageUp | Action::PageDown) {
                    let h = self.height();
                    self.top = if target > r {
                        (self.top + step).min(self.rows.len().saturating_sub(h))
                    } else {
                        self.top.saturating_sub(step)
                    };
                }
                self.want_col = Some(col);
                text::at_column(&doc.chars, &self.rows[target], col)
            }
            Action::RowStart | Action::RowEnd => {
                if self.rows.is_empty() {
                    return true;
                }
                let row = self.rows[self.cursor_row()];
                if action == Action::RowStart {
                    row.start
                } else {
                    // The last character that is not white space.
                    let mut end = row.end;
                    while end > row.start + 1 && doc.chars[end - 1].is_whitespace() {
                        end -= 1;
                    }
                    end.saturating_sub(1).max(row.start)
                }
            }
            _ => return false,
        };
        if !vertical {
            self.want_col = None;
        }
        self.cursor = new;
        self.clamp_cursor();
        self.scroll_to_cursor();
        true
    }

    /// Moves to the next participant turn without a coding; `false` if there is none after the
    /// cursor.
    /// Moves to the next participant turn that `coder` has not coded yet (other coders'
    /// codings do not count), from the top again after the last.
    pub fn next_uncoded(&mut self, coder: &str) -> Uncoded {
        let Some(doc) = self.doc.as_ref() else {
            return Uncoded::None;
        };
        let n = doc.spans.len();
        let here = doc.turn_of(self.cursor);
        let uncoded = |t: usize| {
            let (s, e) = doc.spans[t];
            !doc.turns[t].interviewer && e > s && !doc.codings_in(s, e).any(|c| c.coder == coder)
        };
        let Some(t) = (here + 1..n)
            .chain(0..=here.min(n.saturating_sub(1)))
            .find(|&t| uncoded(t))
        else {
            return Uncoded::None;
        };
        if t == here && self.cursor == doc.spans[t].0 {
            return Uncoded::OnlyHere;
        }
        let wrapped = t <= here;
        self.cursor = doc.spans[t].0;
        self.anchor = None;
        self.want_col = None;
        self.center();
        if wrapped {
            Uncoded::Wrapped
        } else {
            Uncoded::Moved
        }
    }

    /// Whether what `c` would code lies wholly in interviewer turns.
    pub fn target_is_interviewers(&self) -> bool {
        let (Some(doc), Some((s, e))) = (&self.doc, self.target()) else {
            return false;
        };
        let first = doc.turn_of(s);
        let mut turns = (first..doc.spans.len()).take_while(|&t| doc.spans[t].0 < e);
        turns.all(|t| doc.turns[t].interviewer)
    }

    /// Moves to the next occurrence of the last find (ignoring case), wrapping around at the
    /// end. Returns `None` when the words do not occur, `Some(wrapped)` otherwise.
    pub fn find_next(&mut self) -> Option<bool> {
        let doc = self.doc.as_ref()?;
        let needle: Vec<char> = self.find.as_ref()?.to_lowercase().chars().collect();
        if needle.is_empty() {
            return None;
        }
        let hay: Vec<char> = doc
            .chars
            .iter()
            .map(|c| c.to_lowercase().next().unwrap_or(*c))
            .collect();
        let hit = |from: usize, to: usize| {
            (from..to.min(hay.len().saturating_sub(needle.len() - 1)))
                .find(|&i| hay[i..i + needle.len()] == needle[..] && doc.in_turn(i))
        };
        let (at, wrapped) = match hit(self.cursor + 1, hay.len()) {
            Some(i) => (i, false),
            None => (hit(0, self.cursor + 1)?, true),
        };
        self.cursor = at;
        self.want_col = None;
        self.center();
        Some(wrapped)
    }

    /// The character under a screen position inside the text column, if any.
    pub fn char_at_screen(&self, x: u16, y: u16) -> Option<usize> {
        let doc = self.doc.as_ref()?;
        let g = self.geometry.text;
        if y < g.y || y >= g.y + g.height || x < g.x {
            return None;
        }
        let row = self.rows.get(self.top + (y - g.y) as usize)?;
        let col = (x - g.x) as usize;
        Some(text::at_column(&doc.chars, row, col))
    }

    /// Places the cursor on a clicked character (and keeps it inside a turn).
    pub fn place(&mut self, at: usize) {
        self.cursor = at;
        self.want_col = None;
        self.clamp_cursor();
        self.scroll_to_cursor();
    }

    /// Code ids per visible row, for the margin (computed from the snapshot, no I/O).
    pub fn margin_codes(&self, row: &Row) -> Vec<i64> {
        let Some(doc) = &self.doc else {
            return Vec::new();
        };
        let mut ids: Vec<i64> = Vec::new();
        for c in doc.codings_in(row.start, row.end) {
            if !ids.contains(&c.code_id) {
                ids.push(c.code_id);
            }
        }
        ids
    }

    /// Whether a coding that starts on this row has a memo (a mark in the margin).
    pub fn margin_memo(&self, row: &Row) -> bool {
        self.doc.as_ref().is_some_and(|doc| {
            doc.codings_in(row.start, row.end)
                .any(|c| c.start as usize >= row.start && doc.memos.contains_key(&c.id))
        })
    }
}

/// Counts of codings per code id in a document (for the status line).
pub fn per_code(doc: &Doc) -> HashMap<i64, usize> {
    let mut m = HashMap::new();
    for c in &doc.codings {
        *m.entry(c.code_id).or_insert(0) += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str, turns: &[(usize, usize, &str)]) -> Doc {
        let chars: Vec<char> = text.chars().collect();
        Doc {
            summary: DocumentSummary {
                id: 1,
                guid: String::new(),
                participant: Some("P01".into()),
                participants: vec!["P01".into()],
                wave: Some("T1".into()),
                kind: "individual".into(),
                title: "P01_T1".into(),
                language: "nl".into(),
                date: None,
                words: 0,
                turns: turns.len() as i64,
                codings: 0,
            },
            line_starts: vec![0],
            turns: turns
                .iter()
                .enumerate()
                .map(|(i, (s, e, who))| Turn {
                    seq: i as i64,
                    speaker: who.to_string(),
                    participant: None,
                    interviewer: *who == "I",
                    start: *s as i64,
                    end: *e as i64,
                    line: 1,
                    words: 0,
                    time_start: None,
                    time_end: None,
                })
                .collect(),
            spans: turns.iter().map(|(s, e, _)| (*s, *e)).collect(),
            chars,
            codings: Vec::new(),
            memos: HashMap::new(),
            doc_memos: Vec::new(),
            speaker_width: 3,
            pseudonyms: crate::keyfile::pseudonym_spans(text),
        }
    }

    fn state(d: Doc) -> State {
        let mut s = State::default();
        s.open(d, None);
        s.layout(Rect::new(0, 0, 60, 12));
        s
    }

    // Turns: "Hoe gaat het?" 3..16, "Goed, echt goed." 20..36, "Fijn." 40..45.
    const TEXT: &str = "I: Hoe gaat het?\nP: Goed, echt goed.\nI: Fijn.";

    fn three_turns() -> Doc {
        doc(TEXT, &[(3, 16, "I"), (20, 36, "P"), (40, 45, "I")])
    }

    #[test]
    fn characters_and_words_move_across_turns_but_never_outside_them() {
        let mut s = state(three_turns());
        assert_eq!(s.cursor, 3);
        s.movement(Action::WordRight);
        assert_eq!(s.cursor, 7); // gaat
        s.movement(Action::WordRight);
        s.movement(Action::WordRight);
        assert_eq!(s.cursor, 20); // Goed (after the label of the next turn)
        s.movement(Action::WordLeft);
        assert_eq!(s.cursor, 12);
        s.movement(Action::WordEnd);
        assert_eq!(s.cursor, 14); // het
        s.movement(Action::WordEnd);
        assert_eq!(s.cursor, 23); // Goed // het
        s.cursor = 15;
        s.movement(Action::CharRight);
        assert_eq!(s.cursor, 20);
        s.movement(Action::CharLeft);
        assert_eq!(s.cursor, 15);
    }

    #[test]
    fn turns_and_the_ends_of_the_document() {
        let mut s = state(three_turns());
        s.movement(Action::NextTurn);
        assert_eq!(s.cursor, 20);
        s.movement(Action::Bottom);
        assert_eq!(s.cursor, 44);
        s.movement(Action::PrevTurn);
        assert_eq!(s.cursor, 40);
        s.movement(Action::PrevTurn);
        assert_eq!(s.cursor, 20);
        s.movement(Action::Top);
        assert_eq!(s.cursor, 3);
    }

    #[test]
    fn the_target_is_the_trimmed_selection_or_the_turn() {
        let mut s = state(three_turns());
        s.cursor = 20;
        assert_eq!(s.target(), Some((20, 36)));
        s.anchor = Some(19);
        s.cursor = 24;
        assert_eq!(s.target(), Some((20, 25)));
        // A selection that ends or starts inside a word takes the whole word.
        s.anchor = Some(21);
        s.cursor = 27;
        assert_eq!(s.target(), Some((20, 30)));
    }

    /// A coding once ended "…and [PERSON-": a selection that stops inside a pseudonym, or
    /// inside a word joined by an apostrophe or hyphen, takes the whole of it.
    #[test]
    fn a_selection_never_ends_inside_a_pseudonym_or_a_joined_word() {
        // "Met [PERSOON-2] en zo'n ex-partner." in a turn from 3.
        let text = "P: Met [PERSOON-2] en zo'n ex-partner.";
        let n = text.chars().count();
        let mut s = state(doc(text, &[(3, n, "P")]));
        // From "Met" to the hyphen inside the pseudonym.
        s.anchor = Some(3);
        s.cursor = 15;
        assert_eq!(s.target(), Some((3, 18)));
        // From inside the pseudonym's number to "en".
        s.anchor = Some(16);
        s.cursor = 20;
        assert_eq!(s.target(), Some((7, 21)));
        // "zo" of "zo'n", and "partner" of "ex-partner".
        s.anchor = Some(22);
        s.cursor = 23;
        assert_eq!(s.target(), Some((22, 26)));
        s.anchor = Some(30);
        s.cursor = 33;
        assert_eq!(s.target(), Some((27, 37)));
    }

    #[test]
    fn next_uncoded_skips_interviewers_and_coded_turns() {
        let mut s = state(three_turns());
        assert_eq!(s.next_uncoded("anna"), Uncoded::Moved);
        assert_eq!(s.cursor, 20);
        // The only one: the cursor stays.
        assert_eq!(s.next_uncoded("anna"), Uncoded::OnlyHere);
        assert_eq!(s.cursor, 20);
    }

    /// For a second coder, `n` once found nothing (every turn had the first coder's codings)
    /// and left the cursor on the interviewer's turn. It counts only your own codings.
    #[test]
    fn next_uncoded_means_not_yet_coded_by_me() {
        let mut d = doc(
            "I: Hoe gaat het?\nP: Goed.\nI: En nu?\nP: Beter.",
            &[(3, 16, "I"), (20, 25, "P"), (29, 36, "I"), (40, 46, "P")],
        );
        let coding = |id, start, end, coder: &str| Coding {
            id,
            guid: String::new(),
            doc: 1,
            code: "Hoop".into(),
            code_id: 1,
            code_path: "Hoop".into(),
            start,
            end,
            text: String::new(),
            coder: coder.into(),
            created: String::new(),
            wave: None,
            participants: Vec::new(),
            line: 1,
            end_line: 1,
        };
        d.codings = vec![coding(1, 20, 25, "anna"), coding(2, 40, 46, "anna")];
        let mut s = state(d);
        assert_eq!(s.next_uncoded("anna"), Uncoded::None);
        assert_eq!(s.cursor, 3, "the cursor stays where it was");
        assert_eq!(s.next_uncoded("bert"), Uncoded::Moved);
        assert_eq!(s.cursor, 20);
        assert_eq!(s.next_uncoded("bert"), Uncoded::Moved);
        assert_eq!(s.cursor, 40);
        // After the last, from the top again.
        assert_eq!(s.next_uncoded("bert"), Uncoded::Wrapped);
        assert_eq!(s.cursor, 20);
        // c on the interviewer's turn is for the UI to question.
        s.cursor = 5;
        assert!(s.target_is_interviewers());
        s.cursor = 21;
        assert!(!s.target_is_interviewers());
        s.anchor = Some(5);
        assert!(
            !s.target_is_interviewers(),
            "a selection into a participant's turn"
        );
    }

    #[test]
    fn find_wraps_around_and_ignores_case() {
        let mut s = state(three_turns());
        s.find = Some("GOED".into());
        assert_eq!(s.find_next(), Some(false));
        assert_eq!(s.cursor, 20);
        assert_eq!(s.find_next(), Some(false));
        assert_eq!(s.cursor, 31);
        assert_eq!(s.find_next(), Some(true));
        assert_eq!(s.cursor, 20);
        s.find = Some("nergens".into());
        assert_eq!(s.find_next(), None);
    }

    #[test]
    fn lines_keep_their_column() {
        let text = "P: een twee drie vier vijf zes zeven acht negen tien elf twaalf";
        let n = text.chars().count();
        let mut s = State::default();
        s.open(doc(text, &[(3, n, "P")]), None);
        s.layout(Rect::new(0, 0, 40, 10));
        assert!(s.rows.len() > 2, "{:?}", s.rows);
        s.cursor = 5;
        s.movement(Action::LineDown);
        assert_eq!(s.cursor_row(), 1);
        s.movement(Action::LineUp);
        assert_eq!(s.cursor, 5);
    }
}
