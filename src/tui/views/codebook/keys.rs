//! What the codebook view's actions do: the app's methods that carry them out.

use crate::codebook as codes_lib;
use crate::error::Result;
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::overlay::{Choice, Confirm, Overlay, Picker, Prompt, Purpose};

impl App {
    pub(in crate::tui) fn codebook_action(
        &mut self,
        store: &mut Store,
        action: Action,
    ) -> Result<()> {
        let selected = self.codebook.selected().cloned();
        match action {
            Action::Filter => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    "filter codes (path or definition)",
                    Purpose::ListFilter,
                    self.codebook.filter.clone(),
                )))
            }
            Action::Back => self.codebook.filter.clear(),
            Action::Open => {
                let Some(code) = selected else {
                    self.say("no code selected");
                    return Ok(());
                };
                self.segments.open(code.id, code.path.clone());
                self.show(store, crate::tui::app::View::Segments)?;
                self.say(format!(
                    "{} segment(s) in {:.0} ms · Enter opens one · Esc back to the codebook",
                    self.segments.rows.len(),
                    self.segments.took_ms
                ));
                return Ok(());
            }
            Action::AddCode => {
                let parent = selected.map(|c| c.path);
                let title = match &parent {
                    Some(p) => format!("new code under {p} (start with / for the top level)"),
                    None => "new code".into(),
                };
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    title,
                    Purpose::AddCode { parent },
                    "",
                )));
            }
            Action::DeleteCode => {
                let Some(code) = selected else {
                    self.say("no code selected");
                    return Ok(());
                };
                let memos = crate::memo::count_on(store.conn(), "code", code.id)?;
                self.overlay = Some(if code.codings == 0 && memos == 0 {
                    Overlay::Confirm(Confirm {
                        question: format!(
                            "Delete {}? Its sub-codes move up to its parent; u undoes. (y/n)",
                            code.path
                        ),
                        purpose: Purpose::DeleteCode { code: code.path },
                    })
                } else {
                    let below = codes_lib::with_descendants(&self.codebook.codes, code.id);
                    Overlay::Picker(Picker::new(
                        format!(
                            "delete {}: its {} coding(s) and {} memo(s) move into… (Esc keeps it)",
                            code.path, code.codings, memos
                        ),
                        Purpose::DeleteCodeInto { code: code.path },
                        self.code_choices(&below),
                    ))
                });
            }
            Action::RenameCode | Action::MoveCode | Action::MergeCode | Action::EditDefinition => {
                let Some(code) = selected else {
                    self.say("no code selected");
                    return Ok(());
                };
                let path = code.path.clone();
                self.overlay = Some(match action {
                    Action::RenameCode => Overlay::Prompt(Prompt::new(
                        format!("rename {path} to"),
                        Purpose::RenameCode { code: path },
                        code.name.clone(),
                    )),
                    Action::EditDefinition => {
                        let value = |v: &Option<String>| v.clone().unwrap_or_default();
                        let choices = codes_lib::FIELDS
                            .iter()
                            .map(|(field, label)| Choice {
                                value: (*field).to_owned(),
                                label: (*label).to_owned(),
                                note: match *field {
                                    "description" => code.description.clone(),
                                    "include" => code.include.clone(),
                                    "exclude" => code.exclude.clone(),
                                    "example" => code.example.clone(),
                                    "color" => value(&code.color),
                                    "dimension" => value(&code.dimension),
                                    _ => value(&code.polarity),
                                },
                            })
                            .collect();
                        Overlay::Picker(Picker::new(
                            format!("edit which part of {path}?"),
                            Purpose::ChooseCodeField { code: path },
                            choices,
                        ))
                    }
                    Action::MoveCode => {
                        let below = codes_lib::with_descendants(&self.codebook.codes, code.id);
                        let mut choices = vec![Choice {
                            value: "/".into(),
                            label: "(top level)".into(),
                            note: String::new(),
                        }];
                        choices.extend(self.code_choices(&below));
                        Overlay::Picker(Picker::new(
                            format!("move {path} under…"),
                            Purpose::MoveCode { code: path },
                            choices,
                        ))
                    }
                    _ => Overlay::Picker(Picker::new(
                        format!("merge {path} into… (its codings and memos move; u undoes)"),
                        Purpose::MergeCode { code: path },
                        self.code_choices(&[code.id]),
                    )),
                });
            }
            _ => self.codebook.handle(action),
        }
        let _ = store;
        Ok(())
    }
}
