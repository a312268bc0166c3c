//! What the agreement view's actions do: the app's methods that carry them out.

use crate::coding;
use crate::error::Result;
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::jobs::Job;
use crate::tui::keymap::Action;
use crate::tui::overlay::{Overlay, Prompt, Purpose};

impl App {
    /// Asks which coders to compare, offering those who coded.
    pub(in crate::tui) fn choose_coders(&mut self, store: &Store) -> Result<()> {
        let who = coding::coders_with_codings(store.conn())?;
        let start = if self.agreement.coders.is_empty() {
            who.join(",")
        } else {
            self.agreement.coders.join(",")
        };
        self.overlay = Some(Overlay::Prompt(Prompt::new(
            format!(
                "coders to compare, comma-separated (who coded: {})",
                who.join(", ")
            ),
            Purpose::Coders,
            start,
        )));
        Ok(())
    }

    pub(in crate::tui) fn request_agreement(&mut self) {
        let id = self.job_id();
        self.agreement.pending = Some(id);
        self.outbox.push(Job::Agreement {
            id,
            options: crate::agreement::Options {
                coders: self.agreement.coders.clone(),
                code: None,
                unit: if self.agreement.turns {
                    crate::agreement::Unit::Turns
                } else {
                    crate::agreement::Unit::Characters
                },
                participant: None,
                wave: None,
                coded_by_all: !self.agreement.all_documents,
                group: None,
                rule: None,
            },
        });
        self.say("computing agreement…");
    }

    pub(in crate::tui) fn agreement_action(
        &mut self,
        store: &mut Store,
        action: Action,
    ) -> Result<()> {
        match action {
            Action::ChooseCoders => self.choose_coders(store)?,
            Action::ToggleUnit | Action::ToggleScope if !self.agreement.coders.is_empty() => {
                if action == Action::ToggleUnit {
                    self.agreement.turns = !self.agreement.turns;
                } else {
                    self.agreement.all_documents = !self.agreement.all_documents;
                }
                self.request_agreement();
            }
            Action::Open => {
                if let Some(d) = self.agreement.selected().cloned() {
                    self.open_document(store, d.doc, Some(d.start.max(0) as usize))?;
                    self.transcript.anchor = Some(d.start.max(0) as usize);
                    self.transcript.cursor = (d.end.max(d.start + 1) - 1) as usize;
                }
            }
            _ => self.agreement.handle(action),
        }
        Ok(())
    }
}
