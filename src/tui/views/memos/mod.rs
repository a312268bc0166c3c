//! The memo manager: every memo of the project with what it is about (for a coding memo its
//! code, participant, wave, lines and words), narrowed by kind of target, author and text;
//! read in full, opened at its passage, rewritten or deleted by its author. The reasons
//! given for overriding change labels are listed too (changed in the Waves view).

pub mod draw;
mod keys;

use rusqlite::Connection;

use super::{ListCursor, matches_filter};
use crate::error::Result;
use crate::memo::{self, Described};
use crate::tui::keymap::Action;

#[derive(Debug, Clone, Default)]
pub struct State {
    pub memos: Vec<Described>,
    /// Only memos on this kind of target (`coding`, `document`…).
    pub kind: Option<String>,
    /// Only this coder's memos.
    pub author: Option<String>,
    /// Words the memo or what it is about must contain.
    pub filter: String,
    pub list: ListCursor,
    pub height: usize,
    pub loaded: bool,
}

/// Which filter a picker sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Narrow {
    Kind,
    Author,
}

impl State {
    pub fn load(&mut self, conn: &Connection) -> Result<()> {
        let selected = self.selected().map(|m| (m.kind.clone(), m.memo.id));
        self.memos = memo::described(conn)?;
        self.loaded = true;
        if let Some((kind, id)) = selected
            && let Some(at) = self
                .visible()
                .iter()
                .position(|&i| self.memos[i].kind == kind && self.memos[i].memo.id == id)
        {
            self.list.selected = at;
        }
        self.list.clamp(self.visible().len(), self.height);
        Ok(())
    }

    /// The memos shown, newest first.
    pub fn visible(&self) -> Vec<usize> {
        (0..self.memos.len())
            .rev()
            .filter(|&i| {
                let m = &self.memos[i];
                self.kind.as_ref().is_none_or(|k| *k == m.kind)
                    && self.author.as_ref().is_none_or(|a| *a == m.memo.coder)
                    && (self.filter.is_empty()
                        || matches_filter(&self.filter, &format!("{} {}", m.memo.text, m.about)))
            })
            .collect()
    }

    pub fn selected(&self) -> Option<&Described> {
        self.visible()
            .get(self.list.selected)
            .and_then(|i| self.memos.get(*i))
    }

    pub fn narrow(&mut self, what: Narrow, value: Option<String>) {
        match what {
            Narrow::Kind => self.kind = value,
            Narrow::Author => self.author = value,
        }
        self.list = ListCursor::default();
    }

    /// The filters in force, as words, or "".
    pub fn filters(&self) -> String {
        [
            ("on", &self.kind),
            ("by", &self.author),
            ("with", &Some(self.filter.clone()).filter(|f| !f.is_empty())),
        ]
        .iter()
        .filter_map(|(what, v)| v.as_ref().map(|v| format!("{what} {v}")))
        .collect::<Vec<_>>()
        .join(" · ")
    }

    pub fn handle(&mut self, action: Action) {
        if action == Action::ClearFilters {
            self.kind = None;
            self.author = None;
            self.filter.clear();
            self.list = ListCursor::default();
            return;
        }
        let len = self.visible().len();
        self.list.apply(action, len, self.height);
    }
}
