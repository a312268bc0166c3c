//! The documents view's state: the participants × waves grid with coding progress, and the
//! list of every document (group interviews and field notes included), with a filter.

pub mod draw;
mod keys;

pub(in crate::tui) use keys::parse_assignment;

use std::collections::HashMap;

use rusqlite::Connection;

use super::super::keymap::Action;
use super::{ListCursor, matches_filter};
use crate::corpus::{self, DocumentSummary, Progress};
use crate::error::Result;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Pane {
    #[default]
    Grid,
    List,
}

/// A cell of the participants × waves grid.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Individual(&'a DocumentSummary),
    /// Only in group interviews (or field notes naming them) in this wave.
    Group(Vec<&'a DocumentSummary>),
    NotInterviewed,
}

impl<'a> Cell<'a> {
    /// The document `Enter` opens.
    pub fn document(&self) -> Option<&'a DocumentSummary> {
        match self {
            Cell::Individual(d) => Some(d),
            Cell::Group(g) => g.first().copied(),
            Cell::NotInterviewed => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct State {
    pub docs: Vec<DocumentSummary>,
    pub progress: HashMap<i64, Progress>,
    pub participants: Vec<String>,
    pub waves: Vec<String>,
    pub pane: Pane,
    /// Selected participant (row) and wave (column) of the grid.
    pub grid: (usize, usize),
    pub grid_top: usize,
    pub list: ListCursor,
    pub filter: String,
    /// Rows each pane shows (set before drawing).
    pub grid_height: usize,
    pub list_height: usize,
    pub loaded: bool,
}

impl State {
    pub fn load(&mut self, conn: &Connection) -> Result<()> {
        self.docs = corpus::documents(conn)?;
        self.progress = corpus::progress(conn)?;
        self.participants = corpus::participants(conn)?
            .into_iter()
            .map(|p| p.code)
            .collect();
        self.waves = corpus::waves(conn)?.into_iter().map(|w| w.name).collect();
        self.loaded = true;
        let len = self.visible().len();
        self.list.clamp(len, self.list_height);
        Ok(())
    }

    /// The documents the filter lets through, as indices into `docs`.
    pub fn visible(&self) -> Vec<usize> {
        self.docs
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                matches_filter(
                    &self.filter,
                    &format!(
                        "{} {} {} {}",
                        d.title,
                        d.participants.join(" "),
                        d.wave.as_deref().unwrap_or(""),
                        d.kind
                    ),
                )
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// How a participant was interviewed in a wave: their individual interview (the first, if
    /// several), else the group interview(s) they are a participant of. One rule everywhere
    /// (the cohort, `narrata participants`): a participant of a group interview of a wave was
    /// interviewed in that wave.
    pub fn cell(&self, participant: usize, wave: usize) -> Cell<'_> {
        let (Some(p), Some(w)) = (self.participants.get(participant), self.waves.get(wave)) else {
            return Cell::NotInterviewed;
        };
        let in_wave = |d: &&DocumentSummary| d.wave.as_deref() == Some(w.as_str());
        if let Some(d) = self
            .docs
            .iter()
            .filter(in_wave)
            .find(|d| d.kind == "individual" && d.participant.as_deref() == Some(p.as_str()))
        {
            return Cell::Individual(d);
        }
        let groups: Vec<&DocumentSummary> = self
            .docs
            .iter()
            .filter(in_wave)
            .filter(|d| d.kind != "individual" && d.participants.iter().any(|x| x == p))
            .collect();
        if groups.is_empty() {
            Cell::NotInterviewed
        } else {
            Cell::Group(groups)
        }
    }

    /// Share of a document's participant turns that are coded, 0–1 (`None`: nothing to code).
    pub fn done(&self, doc: i64) -> Option<f64> {
        let p = self.progress.get(&doc)?;
        (p.turns > 0).then(|| p.coded as f64 / p.turns as f64)
    }

    /// Handles a list action; returns the document to open on `Open`.
    pub fn handle(&mut self, action: Action) -> Option<i64> {
        match self.pane {
            Pane::Grid => {
                let (mut p, mut w) = self.grid;
                match action {
                    Action::Up => p = p.saturating_sub(1),
                    Action::Down => p = (p + 1).min(self.participants.len().saturating_sub(1)),
                    Action::CharLeft => w = w.saturating_sub(1),
                    Action::CharRight => w = (w + 1).min(self.waves.len().saturating_sub(1)),
                    Action::PageUp => p = p.saturating_sub(self.grid_height.max(1)),
                    Action::PageDown => {
                        p = (p + self.grid_height.max(1))
                            .min(self.participants.len().saturating_sub(1))
                    }
                    Action::Top => p = 0,
                    Action::Bottom => p = self.participants.len().saturating_sub(1),
                    Action::Open => return self.cell(p, w).document().map(|d| d.id),
                    _ => {}
                }
                self.grid = (p, w);
                let h = self.grid_height.max(1);
                if p < self.grid_top {
                    self.grid_top = p;
                } else if p >= self.grid_top + h {
                    self.grid_top = p + 1 - h;
                }
                None
            }
            Pane::List => {
                let visible = self.visible();
                if action == Action::Open {
                    return visible.get(self.list.selected).map(|i| self.docs[*i].id);
                }
                self.list.apply(action, visible.len(), self.list_height);
                None
            }
        }
    }

    /// The document selected in the list, if the list has the focus.
    pub fn selected_document(&self) -> Option<&DocumentSummary> {
        if self.pane != Pane::List {
            return None;
        }
        let visible = self.visible();
        visible.get(self.list.selected).map(|i| &self.docs[*i])
    }

    pub fn toggle_pane(&mut self) {
        self.pane = match self.pane {
            Pane::Grid => Pane::List,
            Pane::List => Pane::Grid,
        };
    }
}
