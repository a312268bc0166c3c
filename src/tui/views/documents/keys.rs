//! What the documents view's actions do: the app's methods that carry them out.

use crate::error::Result;
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::overlay::{Overlay, Prompt, Purpose};
use crate::tui::views::documents;

impl App {
    pub(in crate::tui) fn documents_action(
        &mut self,
        store: &mut Store,
        action: Action,
    ) -> Result<()> {
        match action {
            Action::NextPane | Action::PrevPane => self.documents.toggle_pane(),
            Action::Filter => {
                self.documents.pane = documents::Pane::List;
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    "filter documents (title, participant, wave, kind)",
                    Purpose::ListFilter,
                    self.documents.filter.clone(),
                )));
            }
            Action::Back => self.documents.filter.clear(),
            Action::AssignDocument => match self.documents.selected_document() {
                None => self.say("choose a document in the list (Tab) to assign it"),
                Some(d) => {
                    let now = format!(
                        "{} {} {}",
                        d.participants.join(","),
                        d.wave.clone().unwrap_or_default(),
                        d.kind
                    );
                    self.overlay = Some(Overlay::Prompt(Prompt::new(
                        format!(
                            "document {}: PARTICIPANT[,P…] WAVE [individual|group|fieldnote|document]",
                            d.id
                        ),
                        Purpose::AssignDocument { doc: d.id },
                        now.split_whitespace().collect::<Vec<_>>().join(" "),
                    )));
                }
            },
            _ => {
                let on_grid = self.documents.pane == documents::Pane::Grid;
                match self.documents.handle(action) {
                    Some(id) => self.open_document(store, id, None)?,
                    None if action == Action::Open && on_grid => {
                        let (p, w) = self.documents.grid;
                        let who = self
                            .documents
                            .participants
                            .get(p)
                            .cloned()
                            .unwrap_or_default();
                        let wave = self.documents.waves.get(w).cloned().unwrap_or_default();
                        self.say(format!("{who} was not interviewed in {wave}"));
                    }
                    None => {}
                }
            }
        }
        Ok(())
    }
}

/// What the assign prompt's words say: participants (comma-separated), a wave, a kind, in any
/// order (a kind is one of its words; the first other word names participants, the next the
/// wave); `-` for no participant.
pub(in crate::tui) fn parse_assignment(text: &str) -> crate::corpus::Assignment {
    let mut what = crate::corpus::Assignment::default();
    let mut rest = Vec::new();
    for word in text.split_whitespace() {
        let lower = word.to_lowercase();
        if crate::import::resolve::KINDS.contains(&lower.as_str()) {
            what.kind = Some(lower);
        } else {
            rest.push(word);
        }
    }
    let mut rest = rest.into_iter();
    if let Some(p) = rest.next() {
        what.participants = Some(if p == "-" {
            Vec::new()
        } else {
            vec![p.to_owned()]
        });
    }
    what.wave = rest.next().map(str::to_owned);
    what
}
