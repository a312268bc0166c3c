//! The codebook view's state: the code tree with counts, folding, a filter, and the selected
//! code whose definitions are shown beside the tree.

pub mod draw;
mod keys;

use std::collections::HashSet;

use rusqlite::Connection;

use super::super::keymap::Action;
use super::{ListCursor, matches_filter};
use crate::codebook::{self, Code};
use crate::error::Result;

#[derive(Debug, Clone, Default)]
pub struct State {
    pub codes: Vec<Code>,
    /// Codes whose sub-codes are hidden.
    pub folded: HashSet<i64>,
    pub list: ListCursor,
    pub filter: String,
    pub height: usize,
    pub loaded: bool,
}

impl State {
    pub fn load(&mut self, conn: &Connection) -> Result<()> {
        let selected = self.selected().map(|c| c.id);
        self.codes = codebook::codes(conn)?;
        self.loaded = true;
        if let Some(id) = selected {
            self.select(id);
        }
        let len = self.visible().len();
        self.list.clamp(len, self.height);
        Ok(())
    }

    /// Codes shown: not below a folded code, and (with a filter) matching it by path or
    /// definition.
    pub fn visible(&self) -> Vec<usize> {
        let mut hidden_below: Option<usize> = None;
        let mut out = Vec::new();
        for (i, c) in self.codes.iter().enumerate() {
            if let Some(depth) = hidden_below {
                if c.depth > depth {
                    continue;
                }
                hidden_below = None;
            }
            if self.filter.is_empty() && self.folded.contains(&c.id) {
                hidden_below = Some(c.depth);
            }
            if self.filter.is_empty()
                || matches_filter(&self.filter, &format!("{} {}", c.path, c.description))
            {
                out.push(i);
            }
        }
        out
    }

    pub fn selected(&self) -> Option<&Code> {
        self.visible()
            .get(self.list.selected)
            .and_then(|i| self.codes.get(*i))
    }

    /// Selects a code by id (unfolding nothing: a hidden code leaves the selection as it is).
    pub fn select(&mut self, id: i64) {
        if let Some(pos) = self.visible().iter().position(|i| self.codes[*i].id == id) {
            self.list.selected = pos;
            self.list.clamp(self.visible().len(), self.height);
        }
    }

    pub fn has_children(&self, id: i64) -> bool {
        self.codes.iter().any(|c| c.parent == Some(id))
    }

    pub fn handle(&mut self, action: Action) {
        if action == Action::ToggleFold {
            if let Some(c) = self.selected().map(|c| c.id)
                && self.has_children(c)
                && !self.folded.remove(&c)
            {
                self.folded.insert(c);
            }
            return;
        }
        let len = self.visible().len();
        self.list.apply(action, len, self.height);
    }
}
