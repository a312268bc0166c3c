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
    /// Blind coding: the counts are this coder's only.
    pub only: Option<String>,
}

impl State {
    pub fn load(&mut self, conn: &Connection) -> Result<()> {
        let selected = self.selected().map(|c| c.id);
        self.codes = codebook::codes(conn)?;
        if let Some(coder) = &self.only {
            let mine: std::collections::HashMap<i64, i64> = conn
                .prepare(
                    "SELECT g.code_id, count(*) FROM codings g JOIN coders k ON k.id = g.coder_id
                     WHERE k.name = ?1 GROUP BY g.code_id",
                )?
                .query_map([coder], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let all = self.codes.clone();
            for c in &mut self.codes {
                c.codings = mine.get(&c.id).copied().unwrap_or(0) as _;
                c.codings_with_subcodes = codebook::with_descendants(&all, c.id)
                    .iter()
                    .map(|d| mine.get(d).copied().unwrap_or(0))
                    .sum::<i64>() as _;
            }
        }
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
