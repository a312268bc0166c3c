//! What the memo manager's actions do.

use super::Narrow;
use crate::error::Result;
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::overlay::{Confirm, Overlay, Picker, Prompt, Purpose};

impl App {
    pub(in crate::tui) fn memos_action(&mut self, store: &mut Store, action: Action) -> Result<()> {
        let selected = self.memos.selected().cloned();
        match action {
            Action::Filter => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    "memos with the words",
                    Purpose::ListFilter,
                    self.memos.filter.clone(),
                )))
            }
            Action::Back => {
                self.memos.filter.clear();
                self.memos.list = Default::default();
            }
            Action::Open => {
                if let Some(m) = selected {
                    self.overlay = Some(Overlay::Text {
                        title: format!("memo by {} on {}", m.memo.coder, m.about),
                        body: format!("{}\n\n({})", m.memo.text, m.memo.created),
                    });
                }
            }
            Action::GoToTarget => match selected {
                Some(m) if m.doc.is_some() => {
                    let at = m.start.map(|s| s.max(0) as usize);
                    self.open_document(store, m.doc.unwrap_or_default(), at)?;
                }
                Some(_) => self.say("this memo is not about a passage or document"),
                None => {}
            },
            Action::EditMemoHere | Action::DeleteMemo => {
                let Some(m) = selected else {
                    return Ok(());
                };
                if m.kind == "label" {
                    self.say(
                        "a change label's reason is changed with its label, in the Waves view (o)",
                    );
                } else if m.memo.coder != self.coder {
                    self.say(format!(
                        "memo {} is {}'s: only its author changes it",
                        m.memo.id, m.memo.coder
                    ));
                } else if action == Action::EditMemoHere {
                    self.overlay = Some(Overlay::Prompt(Prompt::new(
                        format!("rewrite your memo on {} (Alt-Enter: new line)", m.about),
                        Purpose::EditMemo { id: m.memo.id },
                        m.memo.text.clone(),
                    )));
                } else {
                    self.overlay = Some(Overlay::Confirm(Confirm {
                        question: format!(
                            "Delete your memo on {}? u undoes. (y/n)",
                            crate::tui::text::truncate(&m.about, 60)
                        ),
                        purpose: Purpose::DeleteMemo { id: m.memo.id },
                    }));
                }
            }
            Action::ChooseKind => {
                let mut kinds: Vec<String> =
                    self.memos.memos.iter().map(|m| m.kind.clone()).collect();
                kinds.sort();
                kinds.dedup();
                self.narrow_memos(Narrow::Kind, "kind of target", kinds);
            }
            Action::ChooseCoders => {
                let mut who: Vec<String> = self
                    .memos
                    .memos
                    .iter()
                    .map(|m| m.memo.coder.clone())
                    .collect();
                who.sort();
                who.dedup();
                self.narrow_memos(Narrow::Author, "author", who);
            }
            _ => self.memos.handle(action),
        }
        Ok(())
    }

    fn narrow_memos(&mut self, what: Narrow, name: &str, values: Vec<String>) {
        self.overlay = Some(Overlay::Picker(Picker::narrowing(
            "memos",
            name,
            Purpose::NarrowMemos { what },
            values,
        )));
    }
}
