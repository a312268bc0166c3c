//! What the search view's actions do: the app's methods that carry them out.

use crate::error::Result;
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::jobs::Job;
use crate::tui::keymap::Action;
use crate::tui::overlay::{Overlay, Picker, Purpose};
use crate::tui::views::search;

impl App {
    pub(in crate::tui) fn search_action(
        &mut self,
        store: &mut Store,
        action: Action,
    ) -> Result<()> {
        match action {
            Action::EditQuery | Action::Filter | Action::NextPane | Action::PrevPane => {
                self.search.editing = true
            }
            Action::Back => self.search.editing = false,
            Action::Open => {
                if let Some(h) = self.search.selected().cloned() {
                    let at = h.matches.first().map(|m| m[0]).unwrap_or(h.start);
                    self.open_document(store, h.doc, Some(at.max(0) as usize))?;
                }
            }
            Action::CodeAllHits => {
                if self.search.results.as_ref().is_none_or(|r| r.total == 0) {
                    self.say("search first: there are no hits to code");
                } else {
                    let n = self.search.results.as_ref().map(|r| r.total).unwrap_or(0);
                    self.overlay = Some(Overlay::Picker(
                        Picker::new(
                            format!("code the participants' turns among all {n} hit(s) as…"),
                            Purpose::CodeHits,
                            self.code_choices(&[]),
                        )
                        .offering_new_code(),
                    ));
                }
            }
            _ => self.search.handle(action),
        }
        Ok(())
    }

    pub(in crate::tui) fn run_search(&mut self) {
        let (query, filters) = search::parse(&self.search.query);
        if query.trim().is_empty() {
            self.search.error = None;
            self.say("type one or more words to search for (filters alone select nothing)");
            return;
        }
        let id = self.job_id();
        self.search.pending = Some(id);
        self.search.pending_for = self.search.query.clone();
        self.search.error = None;
        self.outbox.push(Job::Search { id, query, filters });
        self.say("searching…");
    }
}
