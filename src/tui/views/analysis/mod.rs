//! The analysis view's state: a code × column matrix (participants, waves, groups, documents
//! or an attribute's values) drawn as a heat map, the code × code co-occurrence, or one code's
//! bars across the waves (cohort and per participant); narrowed by a rule and a coder.
//! `Enter` on a cell lists its passages in the segments view; `/` runs a coding query whose
//! passages are listed there too.

pub mod draw;
mod keys;

use std::time::Instant;

use rusqlite::Connection;

use crate::analysis::Scope;
use crate::analysis::cooccurrence::{self, Cooccurrence, Near};
use crate::analysis::matrix::{self, Across, Matrix, Measure, WaveChart};
use crate::error::Result;
use crate::tui::keymap::Action;

/// What the view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Matrix,
    Cooccurrence,
    Chart,
}

impl Mode {
    fn next(self) -> Mode {
        match self {
            Mode::Matrix => Mode::Cooccurrence,
            Mode::Cooccurrence => Mode::Chart,
            Mode::Chart => Mode::Matrix,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::Matrix => "matrix",
            Mode::Cooccurrence => "co-occurrence",
            Mode::Chart => "across the waves",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct State {
    pub mode: Mode,
    /// The columns on offer: participant, wave, group, document, then each attribute key.
    pub acrosses: Vec<Across>,
    pub across: usize,
    pub measure: Measure,
    pub near: Near,
    /// `--where` for the view.
    pub rule: Option<String>,
    /// Only this coder's codings (blind coding forces the coder's own).
    pub coder: Option<String>,
    pub only: Option<String>,
    pub matrix: Option<Matrix>,
    pub cooccurrence: Option<Cooccurrence>,
    pub chart: Option<WaveChart>,
    /// The selected cell: row (a code) and column.
    pub row: usize,
    pub col: usize,
    /// First row and column shown.
    pub row_offset: usize,
    pub col_offset: usize,
    /// Rows and cell columns that fit (set when drawn).
    pub height: usize,
    pub width: usize,
    pub stale: bool,
    pub error: Option<String>,
    pub took_ms: f64,
}

impl State {
    pub fn scope(&self) -> Scope {
        Scope {
            coders: self
                .only
                .iter()
                .chain(&self.coder)
                .take(1)
                .cloned()
                .collect(),
            rule: self.rule.clone(),
            ..Scope::default()
        }
    }

    pub fn across(&self) -> Across {
        self.acrosses
            .get(self.across)
            .cloned()
            .unwrap_or(Across::Participant)
    }

    /// The column heading names on offer, read from the project's attributes.
    fn load_acrosses(&mut self, conn: &Connection) -> Result<()> {
        let mut keys = std::collections::BTreeSet::new();
        for f in crate::groups::rule::facts(conn)? {
            keys.extend(f.attributes.keys().cloned());
            for m in &f.participant_attributes {
                keys.extend(m.keys().cloned());
            }
        }
        let current = self.acrosses.get(self.across).cloned();
        self.acrosses = [
            Across::Participant,
            Across::Wave,
            Across::Group,
            Across::Document,
        ]
        .into_iter()
        .chain(keys.into_iter().map(Across::Attribute))
        .collect();
        self.across = current
            .and_then(|c| self.acrosses.iter().position(|a| *a == c))
            .unwrap_or(0);
        Ok(())
    }

    /// Reads what the mode shows. An error (a rule naming no attribute, say) is shown in the
    /// view, not raised: the rest of the UI goes on.
    pub fn load(&mut self, conn: &Connection) -> Result<()> {
        let started = Instant::now();
        self.load_acrosses(conn)?;
        let scope = self.scope();
        let options = matrix::Options {
            measure: self.measure,
            ..Default::default()
        };
        let outcome: Result<()> = (|| {
            match self.mode {
                Mode::Matrix => {
                    self.matrix = Some(matrix::matrix(conn, &scope, &self.across(), &options)?)
                }
                Mode::Cooccurrence => {
                    self.cooccurrence = Some(cooccurrence::cooccurrence(
                        conn, &scope, self.near, &options,
                    )?)
                }
                Mode::Chart => {
                    // The code of the matrix row selected, else the first code with codings.
                    if self.matrix.is_none() {
                        self.matrix = Some(matrix::matrix(conn, &scope, &self.across(), &options)?);
                    }
                    let code = self
                        .matrix
                        .as_ref()
                        .and_then(|m| m.rows.get(self.row).or(m.rows.first()))
                        .map(|r| r.head.code_id.to_string());
                    self.chart = match code {
                        Some(c) => Some(matrix::wave_chart(conn, &scope, &c, true)?),
                        None => None,
                    };
                }
            }
            Ok(())
        })();
        self.error = outcome.err().map(|e| e.to_string());
        self.stale = false;
        self.took_ms = started.elapsed().as_secs_f64() * 1000.0;
        self.clamp();
        Ok(())
    }

    /// Rows and columns of what is shown.
    pub fn size(&self) -> (usize, usize) {
        match self.mode {
            Mode::Matrix => self
                .matrix
                .as_ref()
                .map_or((0, 0), |m| (m.rows.len(), m.columns.len())),
            Mode::Cooccurrence => self
                .cooccurrence
                .as_ref()
                .map_or((0, 0), |c| (c.codes.len(), c.codes.len())),
            // The chart is of one code: the matrix's rows choose it.
            Mode::Chart => self.matrix.as_ref().map_or((0, 0), |m| (m.rows.len(), 1)),
        }
    }

    fn clamp(&mut self) {
        let (rows, cols) = self.size();
        self.row = self.row.min(rows.saturating_sub(1));
        self.col = self.col.min(cols.saturating_sub(1));
        let (h, w) = (self.height.max(1), self.width.max(1));
        if self.row < self.row_offset {
            self.row_offset = self.row;
        }
        if self.row >= self.row_offset + h {
            self.row_offset = self.row + 1 - h;
        }
        if self.col < self.col_offset {
            self.col_offset = self.col;
        }
        if self.col >= self.col_offset + w {
            self.col_offset = self.col + 1 - w;
        }
    }

    /// The passages of the selected cell, with a title saying which.
    pub fn cell_passages(&self) -> Option<(String, Vec<crate::analysis::Passage>)> {
        match self.mode {
            Mode::Matrix => {
                let m = self.matrix.as_ref()?;
                let row = m.rows.get(self.row)?;
                let col = m.columns.get(self.col)?;
                let cell = row.cells.get(self.col)?;
                Some((
                    format!("{} × {}", row.head.path, col.name),
                    cell.segments.clone(),
                ))
            }
            Mode::Cooccurrence => {
                let c = self.cooccurrence.as_ref()?;
                let (a, b) = (c.codes.get(self.row)?, c.codes.get(self.col)?);
                if self.row == self.col {
                    return None;
                }
                Some((
                    format!("{} meets {}", a.path, b.path),
                    c.cells[self.row][self.col].segments.clone(),
                ))
            }
            Mode::Chart => None,
        }
    }

    pub fn handle(&mut self, action: Action) {
        let (rows, cols) = self.size();
        match action {
            Action::Up => self.row = self.row.saturating_sub(1),
            Action::Down => self.row = (self.row + 1).min(rows.saturating_sub(1)),
            Action::CharLeft => self.col = self.col.saturating_sub(1),
            Action::CharRight => self.col = (self.col + 1).min(cols.saturating_sub(1)),
            Action::PageUp => self.row = self.row.saturating_sub(self.height.max(1)),
            Action::PageDown => {
                self.row = (self.row + self.height.max(1)).min(rows.saturating_sub(1))
            }
            Action::Top => self.row = 0,
            Action::Bottom => self.row = rows.saturating_sub(1),
            Action::NextAnalysis => {
                self.mode = self.mode.next();
                self.stale = true;
            }
            Action::NextAcross => {
                self.across = (self.across + 1) % self.acrosses.len().max(1);
                self.col = 0;
                self.col_offset = 0;
                self.stale = true;
            }
            Action::NextMeasure => {
                match self.mode {
                    Mode::Cooccurrence => {
                        self.near = match self.near {
                            Near::Overlap => Near::SameTurn,
                            Near::SameTurn => Near::Within(20),
                            Near::Within(_) => Near::Overlap,
                        }
                    }
                    _ => {
                        self.measure = match self.measure {
                            Measure::Codings => Measure::Words,
                            Measure::Words => Measure::Coverage,
                            Measure::Coverage => Measure::Codings,
                        }
                    }
                }
                self.stale = true;
            }
            _ => {}
        }
        if self.mode == Mode::Chart
            && matches!(
                action,
                Action::Up
                    | Action::Down
                    | Action::PageUp
                    | Action::PageDown
                    | Action::Top
                    | Action::Bottom
            )
        {
            self.stale = true;
        }
        self.clamp();
    }
}
