//! The retrieved segments of one code: every coding of it (and, by default, of its
//! sub-codes) with its participant, wave, coder and whether it has a memo, narrowed by
//! participant, wave, coder and document group. Opened with `Enter` on a code in the
//! codebook; `Enter` on a segment opens its passage in the transcript. The same list shows
//! the passages an analysis found (a matrix cell, a coding query): then its rows are given,
//! narrowed in memory, and `Esc` returns to the analysis.

pub mod draw;
mod keys;

use std::collections::HashSet;
use std::time::Instant;

use rusqlite::Connection;

use super::ListCursor;
use crate::coding::{self, Coding};
use crate::error::Result;
use crate::tui::keymap::Action;

#[derive(Debug, Clone, Default)]
pub struct State {
    /// The code (id and path) whose segments are shown.
    pub code: Option<(i64, String)>,
    pub with_subcodes: bool,
    pub participant: Option<String>,
    pub wave: Option<String>,
    pub coder: Option<String>,
    pub group: Option<String>,
    pub rows: Vec<Coding>,
    /// Codings that have a memo.
    pub with_memo: HashSet<i64>,
    pub list: ListCursor,
    pub height: usize,
    /// Read again before it is next shown (something changed).
    pub stale: bool,
    /// How long the last read took, in milliseconds.
    pub took_ms: f64,
    /// Blind coding: only this coder's codings, whatever the coder filter says.
    pub only: Option<String>,
    /// Words a segment (its text, participant, wave, code or coder) must contain (`/`).
    pub words: String,
    /// Passages an analysis found (title, rows), shown instead of a code's codings.
    pub fixed: Option<(String, Vec<Coding>)>,
    /// The view `Esc` returns to (the codebook when `None`).
    pub back: Option<crate::tui::app::View>,
}

/// Which filter a picker sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Narrow {
    Participant,
    Wave,
    Coder,
    Group,
}

impl State {
    /// Shows the segments of another code: with its sub-codes, no filters.
    pub fn open(&mut self, id: i64, path: String) {
        *self = State {
            code: Some((id, path)),
            with_subcodes: true,
            height: self.height,
            stale: true,
            only: self.only.clone(),
            ..Default::default()
        };
    }

    /// Shows passages an analysis found, titled; `Esc` goes back to `back`.
    pub fn show_fixed(&mut self, title: String, rows: Vec<Coding>, back: crate::tui::app::View) {
        *self = State {
            fixed: Some((title, rows)),
            back: Some(back),
            height: self.height,
            stale: true,
            only: self.only.clone(),
            ..Default::default()
        };
    }

    /// What the list is of: the code's path, or the analysis's title.
    pub fn title(&self) -> Option<&str> {
        match (&self.fixed, &self.code) {
            (Some((title, _)), _) => Some(title),
            (None, Some((_, path))) => Some(path),
            (None, None) => None,
        }
    }

    pub fn load(&mut self, conn: &Connection) -> Result<()> {
        if let Some((_, rows)) = &self.fixed {
            let group_docs = match &self.group {
                Some(g) => Some(crate::groups::documents_of(conn, g)?),
                None => None,
            };
            self.rows = rows
                .iter()
                .filter(|c| {
                    self.participant
                        .as_ref()
                        .is_none_or(|p| c.participants.contains(p))
                        && self
                            .wave
                            .as_ref()
                            .is_none_or(|w| c.wave.as_ref() == Some(w))
                        && group_docs.as_ref().is_none_or(|d| d.contains(&c.doc))
                })
                .cloned()
                .collect();
            self.stale = false;
            self.list.clamp(self.rows.len(), self.height);
            return Ok(());
        }
        let Some((id, _)) = &self.code else {
            return Ok(());
        };
        let started = Instant::now();
        let filter = coding::Filter {
            code: Some(id.to_string()),
            with_subcodes: self.with_subcodes,
            participant: self.participant.clone(),
            wave: self.wave.clone(),
            coders: self
                .only
                .iter()
                .chain(&self.coder)
                .take(1)
                .cloned()
                .collect(),
            doc: None,
            group: self.group.clone(),
            rule: None,
        };
        self.rows = coding::list(conn, &filter)?;
        // As a reader goes through them: by participant, wave (in the study's order),
        // document and place in it.
        let order: std::collections::HashMap<String, i64> = conn
            .prepare("SELECT name, ordinal FROM waves")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let wave = |c: &Coding| c.wave.as_ref().and_then(|w| order.get(w)).copied();
        self.rows.sort_by(|a, b| {
            (&a.participants, wave(a), a.doc, a.start, a.id).cmp(&(
                &b.participants,
                wave(b),
                b.doc,
                b.start,
                b.id,
            ))
        });
        self.with_memo = conn
            .prepare("SELECT DISTINCT target_id FROM memos WHERE target_kind = 'coding'")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        self.took_ms = started.elapsed().as_secs_f64() * 1000.0;
        self.stale = false;
        self.list.clamp(self.rows.len(), self.height);
        Ok(())
    }

    /// Sets one filter (`None`: everyone, every wave…); the list is read again.
    pub fn narrow(&mut self, what: Narrow, value: Option<String>) {
        match what {
            Narrow::Participant => self.participant = value,
            Narrow::Wave => self.wave = value,
            Narrow::Coder => self.coder = value,
            Narrow::Group => self.group = value,
        }
        self.list = ListCursor::default();
        self.stale = true;
    }

    pub fn clear_filters(&mut self) {
        for what in [
            Narrow::Participant,
            Narrow::Wave,
            Narrow::Coder,
            Narrow::Group,
        ] {
            self.narrow(what, None);
        }
    }

    /// The filters in force, as words ("participant P03 · wave T2"), or "".
    pub fn filters(&self) -> String {
        [
            ("participant", &self.participant),
            ("wave", &self.wave),
            ("coder", &self.coder),
            ("group", &self.group),
        ]
        .iter()
        .filter_map(|(what, v)| v.as_ref().map(|v| format!("{what} {v}")))
        .chain((!self.words.is_empty()).then(|| format!("with “{}”", self.words)))
        .collect::<Vec<_>>()
        .join(" · ")
    }

    /// The rows shown: those with the words typed after `/`.
    pub fn visible(&self) -> Vec<usize> {
        (0..self.rows.len())
            .filter(|&i| {
                let c = &self.rows[i];
                self.words.is_empty()
                    || super::matches_filter(
                        &self.words,
                        &format!(
                            "{} {} {} {} {}",
                            c.text,
                            c.participants.join(" "),
                            c.wave.as_deref().unwrap_or(""),
                            c.code_path,
                            c.coder
                        ),
                    )
            })
            .collect()
    }

    pub fn selected(&self) -> Option<&Coding> {
        self.visible()
            .get(self.list.selected)
            .and_then(|&i| self.rows.get(i))
    }

    pub fn handle(&mut self, action: Action) {
        match action {
            Action::ToggleSubcodes => {
                self.with_subcodes = !self.with_subcodes;
                self.stale = true;
            }
            Action::ClearFilters => {
                self.words.clear();
                self.clear_filters();
            }
            _ => {
                let len = self.visible().len();
                self.list.apply(action, len, self.height);
            }
        }
    }
}
