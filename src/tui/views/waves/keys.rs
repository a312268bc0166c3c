//! What the waves view's actions do: the app's methods that carry them out.

use crate::change;
use crate::error::Result;
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::jobs::Job;
use crate::tui::keymap::Action;
use crate::tui::overlay::{Choice, Overlay, Picker, Prompt, Purpose};

impl App {
    pub(in crate::tui) fn request_changes(&mut self) {
        let id = self.job_id();
        self.waves.pending = Some(id);
        self.waves.stale = false;
        self.outbox.push(Job::Changes {
            id,
            options: change::Options {
                participant: self.waves.participant.clone(),
                coders: self.waves.coders.clone(),
                rule: self.waves.rule.clone(),
                ..Default::default()
            },
        });
    }

    pub(in crate::tui) fn waves_action(&mut self, store: &mut Store, action: Action) -> Result<()> {
        match action {
            Action::Back => {
                if self.waves.excerpts.take().is_none() {
                    self.waves.filter.clear();
                }
            }
            Action::Filter if self.waves.excerpts.is_none() => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    "filter codes",
                    Purpose::ListFilter,
                    self.waves.filter.clone(),
                )))
            }
            Action::Open => {
                if !self.waves.open_excerpts(store.conn())? {
                    self.say("no code selected");
                }
            }
            Action::EditRule => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    "whose change? a rule such as age_group = 50-59 (empty: everyone)",
                    Purpose::WavesRule,
                    self.waves.rule.clone().unwrap_or_default(),
                )))
            }
            Action::ChooseCoders => {
                let choices = crate::tui::overlay::counting_coders(store.conn())?;
                self.overlay = Some(Overlay::Picker(Picker::new(
                    "whose codings to count?",
                    Purpose::WavesCoders,
                    choices,
                )));
            }
            Action::ChooseParticipant => {
                let mut choices = vec![Choice {
                    value: String::new(),
                    label: "everyone (cohort)".into(),
                    note: "n/N per wave; kept, gained, lost".into(),
                }];
                choices.extend(self.documents.participants.iter().map(|p| Choice {
                    value: p.clone(),
                    label: p.clone(),
                    note: String::new(),
                }));
                self.overlay = Some(Overlay::Picker(Picker::new(
                    "whose change?",
                    Purpose::Participant,
                    choices,
                )));
            }
            Action::Portrait => {
                let Some(p) = self.waves.participant.clone() else {
                    self.say("pen portraits belong to one participant: choose one with p");
                    return Ok(());
                };
                let waves = self
                    .waves
                    .view
                    .as_ref()
                    .map(|v| v.table.waves.clone())
                    .unwrap_or_default();
                let choices = waves
                    .into_iter()
                    .map(|w| Choice {
                        note: self
                            .waves
                            .view
                            .as_ref()
                            .and_then(|v| {
                                v.table
                                    .portraits
                                    .iter()
                                    .find(|x| x.wave == w)
                                    .map(|x| x.text.clone())
                            })
                            .unwrap_or_default(),
                        value: w.clone(),
                        label: w,
                    })
                    .collect();
                self.overlay = Some(Overlay::Picker(Picker::new(
                    format!("pen portrait of {p} in wave…"),
                    Purpose::PortraitWave { participant: p },
                    choices,
                )));
            }
            Action::ConfirmLabel | Action::OverrideLabel => {
                let (Some(p), Some(code)) =
                    (self.waves.participant.clone(), self.waves.selected_code())
                else {
                    self.say("labels belong to one participant: choose one with p");
                    return Ok(());
                };
                if action == Action::ConfirmLabel {
                    let label = self
                        .waves
                        .view
                        .as_ref()
                        .zip(self.waves.selected_row())
                        .and_then(|(v, i)| v.table.rows.get(i))
                        .map(|r| r.change.clone())
                        .unwrap_or_default();
                    change::set_label(store, &self.coder, &p, &code, &label, None)?;
                    self.changed(store)?;
                    self.say(format!("confirmed {code} for {p} as {label} · u undoes"));
                } else {
                    let choices = change::LABELS
                        .iter()
                        .map(|l| Choice {
                            value: l.to_string(),
                            label: l.to_string(),
                            note: String::new(),
                        })
                        .collect();
                    self.overlay = Some(Overlay::Picker(Picker::new(
                        format!("label for {code} ({p})"),
                        Purpose::Label {
                            participant: p,
                            code,
                        },
                        choices,
                    )));
                }
            }
            _ => self.waves.handle(action),
        }
        Ok(())
    }
}
