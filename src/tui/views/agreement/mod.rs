//! The agreement view's state: which coders are compared, the measures per code, and the
//! stretches where they differ (computed on the worker), one of which `Enter` opens.

pub mod draw;
mod keys;

use super::super::keymap::Action;
use super::ListCursor;
use crate::agreement::{Disagreement, Report};

#[derive(Debug, Clone, Default)]
pub struct State {
    pub coders: Vec<String>,
    pub report: Option<Report>,
    pub disagreements: Vec<Disagreement>,
    pub list: ListCursor,
    pub height: usize,
    pub pending: Option<u64>,
    pub error: Option<String>,
    /// Turns as units (`t`), not characters.
    pub turns: bool,
    /// Every document in scope (`s`), not only those every chosen coder has coded.
    pub all_documents: bool,
}

impl State {
    pub fn handle(&mut self, action: Action) {
        let len = self.disagreements.len();
        self.list.apply(action, len, self.height);
    }

    pub fn selected(&self) -> Option<&Disagreement> {
        self.disagreements.get(self.list.selected)
    }

    pub fn receive(&mut self, id: u64, result: Result<(Report, Vec<Disagreement>), String>) {
        if self.pending != Some(id) {
            return;
        }
        self.pending = None;
        match result {
            Ok((r, d)) => {
                self.report = Some(r);
                self.disagreements = d;
                self.error = None;
                self.list = ListCursor::default();
            }
            Err(e) => {
                self.report = None;
                self.disagreements.clear();
                self.error = Some(e);
            }
        }
    }
}
