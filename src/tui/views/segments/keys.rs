//! What the segments view's actions do: narrowing the list with pickers and opening a
//! segment's passage.

use super::Narrow;
use crate::coding;
use crate::error::Result;
use crate::store::Store;
use crate::tui::app::{App, View};
use crate::tui::keymap::Action;
use crate::tui::overlay::{Overlay, Picker, Purpose};

impl App {
    pub(in crate::tui) fn segments_action(
        &mut self,
        store: &mut Store,
        action: Action,
    ) -> Result<()> {
        match action {
            Action::Open => {
                if let Some(c) = self.segments.selected() {
                    let (doc, start) = (c.doc, c.start.max(0) as usize);
                    self.open_document(store, doc, Some(start))?;
                }
            }
            Action::Filter => {
                self.overlay = Some(Overlay::Prompt(crate::tui::overlay::Prompt::new(
                    "segments with the words",
                    Purpose::ListFilter,
                    self.segments.words.clone(),
                )))
            }
            Action::Back if !self.segments.words.is_empty() => {
                self.segments.words.clear();
                self.segments.list = Default::default();
            }
            Action::Back => {
                let back = self.segments.back.unwrap_or(View::Codebook);
                self.show(store, back)?
            }
            Action::ChooseParticipant => {
                let values = self.documents.participants.clone();
                self.narrow_picker(Narrow::Participant, "participant", values);
            }
            Action::ChooseWave => {
                let values = self.documents.waves.clone();
                self.narrow_picker(Narrow::Wave, "wave", values);
            }
            Action::ChooseCoders => {
                let values = coding::coders_with_codings(store.conn())?;
                self.narrow_picker(Narrow::Coder, "coder", values);
            }
            Action::ChooseGroup => {
                let values = crate::groups::list(store.conn())?
                    .into_iter()
                    .map(|g| g.name)
                    .collect();
                self.narrow_picker(Narrow::Group, "document group", values);
            }
            _ => self.segments.handle(action),
        }
        if self.segments.stale && self.view == View::Segments {
            self.segments.load(store.conn())?;
        }
        Ok(())
    }

    fn narrow_picker(&mut self, what: Narrow, name: &str, values: Vec<String>) {
        self.overlay = Some(Overlay::Picker(Picker::narrowing(
            "segments",
            name,
            Purpose::NarrowSegments { what },
            values,
        )));
    }
}
