//! The waves view's state: one participant's codes × waves with coverage and change labels, or
//! for everyone the cohort (n/N per wave; kept, gained, lost); and, on `Enter`, one code's
//! excerpts per wave side by side.

pub mod draw;
mod keys;

use rusqlite::Connection;

use super::super::jobs::ChangeView;
use super::super::keymap::Action;
use super::{ListCursor, matches_filter};
use crate::coding::{self, Passage};
use crate::error::Result;

/// The excerpts of one code, a column per wave.
#[derive(Debug, Clone, Default)]
pub struct Excerpts {
    pub code: String,
    pub participant: Option<String>,
    /// Per wave, the passages coded (a quote two coders coded is one passage).
    pub waves: Vec<(String, Vec<Passage>)>,
    pub scroll: usize,
}

/// Rows the pen portraits take below a participant's grid.
pub fn portrait_rows(one_participant: bool) -> u16 {
    if one_participant { 8 } else { 0 }
}

#[derive(Debug, Clone, Default)]
pub struct State {
    pub participants: Vec<String>,
    /// `None`: everyone (the cohort).
    pub participant: Option<String>,
    /// Whose codings are counted; empty: every coder's, overlaps counted once.
    pub coders: Vec<String>,
    pub view: Option<ChangeView>,
    pub error: Option<String>,
    pub pending: Option<u64>,
    pub list: ListCursor,
    pub height: usize,
    pub excerpts: Option<Excerpts>,
    /// Whether the table must be fetched again (data changed since).
    pub stale: bool,
    /// Shows only codes whose path matches.
    pub filter: String,
    /// Only the participants (and documents) this rule selects (`age_group = 50-59`).
    pub rule: Option<String>,
}

impl State {
    /// The code of every row: the participant's codes, or the cohort's.
    fn codes(&self) -> Vec<&str> {
        match (&self.view, &self.participant) {
            (Some(v), Some(_)) => v.table.rows.iter().map(|r| r.code.as_str()).collect(),
            (Some(v), None) => v
                .cohort
                .iter()
                .flat_map(|c| c.codes.iter().map(|r| r.code.as_str()))
                .collect(),
            (None, _) => Vec::new(),
        }
    }

    /// Rows the filter lets through, as indices into the table's (or cohort's) rows.
    pub fn visible(&self) -> Vec<usize> {
        self.codes()
            .iter()
            .enumerate()
            .filter(|(_, c)| self.filter.is_empty() || matches_filter(&self.filter, c))
            .map(|(i, _)| i)
            .collect()
    }

    pub fn len(&self) -> usize {
        self.visible().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The selected row, as an index into the table's (or cohort's) rows.
    pub fn selected_row(&self) -> Option<usize> {
        self.visible().get(self.list.selected).copied()
    }

    /// The code of the selected row.
    pub fn selected_code(&self) -> Option<String> {
        let i = self.selected_row()?;
        self.codes().get(i).map(|c| c.to_string())
    }

    pub fn handle(&mut self, action: Action) {
        if let Some(x) = &mut self.excerpts {
            match action {
                Action::Down => x.scroll += 1,
                Action::Up => x.scroll = x.scroll.saturating_sub(1),
                Action::PageDown => x.scroll += self.height.max(1),
                Action::PageUp => x.scroll = x.scroll.saturating_sub(self.height.max(1)),
                Action::Top => x.scroll = 0,
                _ => {}
            }
            return;
        }
        let len = self.len();
        self.list.apply(action, len, self.height);
    }

    pub fn receive(&mut self, id: u64, result: Result<Box<ChangeView>, String>) {
        if self.pending != Some(id) {
            return;
        }
        self.pending = None;
        match result {
            Ok(v) => {
                self.view = Some(*v);
                self.error = None;
                let len = self.len();
                self.list.clamp(len, self.height);
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Loads the excerpts of the selected code, per wave (codings of the code itself, for the
    /// participant or everyone).
    pub fn open_excerpts(&mut self, conn: &Connection) -> Result<bool> {
        let Some(code) = self.selected_code() else {
            return Ok(false);
        };
        let Some(view) = &self.view else {
            return Ok(false);
        };
        let codings = coding::list(
            conn,
            &coding::Filter {
                code: Some(code.clone()),
                // As the rows count: the code itself (sub-codes have rows of their own).
                with_subcodes: false,
                participant: self.participant.clone(),
                coders: self.coders.clone(),
                rule: self.rule.clone(),
                ..Default::default()
            },
        )?;
        let mut waves = Vec::new();
        for w in &view.table.waves {
            let mine = codings
                .iter()
                .filter(|c| c.wave.as_deref() == Some(w.as_str()))
                .cloned()
                .collect();
            waves.push((w.clone(), coding::passages(conn, mine)?));
        }
        self.excerpts = Some(Excerpts {
            code,
            participant: self.participant.clone(),
            waves,
            scroll: 0,
        });
        Ok(true)
    }
}
