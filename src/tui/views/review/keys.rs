//! What the review view's actions do: the app's methods that carry them out.

use crate::error::Result;
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::overlay::{Choice, Confirm, Overlay, Picker, Prompt, Purpose};
use crate::tui::views::{review, transcript};

impl App {
    pub(in crate::tui) fn unlock_review(&mut self, store: &Store) -> Result<()> {
        if !crate::keyfile::path(store.root()).is_file() {
            self.review.note = Some(
                "nothing is staged for review: this project has no pseudonym key yet (import with --anonymise review to review suggestions here)".into(),
            );
            return Ok(());
        }
        match std::env::var("NARRATA_PASSPHRASE") {
            Ok(p) if !p.is_empty() => {
                self.review.unlock(store.root(), p.into())?;
                self.review_loaded();
            }
            _ => {
                self.review.note = Some("the key is locked: give its passphrase".into());
                let mut prompt =
                    Prompt::new("passphrase of the pseudonym key", Purpose::Passphrase, "");
                prompt.masked = true;
                self.overlay = Some(Overlay::Prompt(prompt));
            }
        }
        Ok(())
    }

    pub(in crate::tui) fn review_loaded(&mut self) {
        let n = self.review.items.len();
        self.say(if n == 0 {
            "nothing is staged for review".to_string()
        } else {
            format!("{n} suggestion(s) staged · a accepts, r rejects, A stores the transcripts")
        });
    }

    pub(in crate::tui) fn review_action(
        &mut self,
        store: &mut Store,
        action: Action,
    ) -> Result<()> {
        let on_pseudonyms = self.review.pseudonyms_shown;
        match action {
            Action::TogglePseudonyms => {
                if !self.review.unlocked() {
                    self.say("the key is locked: give its passphrase first");
                    return self.unlock_review(store);
                }
                self.review.toggle(store.conn())?;
                self.say(if self.review.pseudonyms_shown {
                    format!(
                        "{} pseudonym(s) in the stored texts · l link, s split, c relabel, O restore, p back to suggestions",
                        self.review.pseudonyms.len()
                    )
                } else {
                    "staged suggestions · a accepts, r rejects, A stores, p pseudonyms".to_owned()
                });
            }
            Action::LinkPseudonym
            | Action::SplitPseudonym
            | Action::RelabelPseudonym
            | Action::RestoreEverywhere => {
                let Some(p) = self.review.selected_pseudonym().cloned() else {
                    self.say("press p to list the pseudonyms of the stored texts, then choose one");
                    return Ok(());
                };
                let words = crate::tui::text::safe(&p.originals.join(" / "));
                self.overlay = Some(match action {
                    Action::LinkPseudonym => Overlay::Prompt(Prompt::new(
                        format!(
                            "{} ({words}) is the same as which pseudonym? (it takes {})",
                            p.label, p.label
                        ),
                        Purpose::Link { kept: p.label },
                        "",
                    )),
                    Action::SplitPseudonym => Overlay::Prompt(Prompt::new(
                        format!(
                            "a new pseudonym for {} ({words}) in: a participant (P07) or documents (3,4)",
                            p.label
                        ),
                        Purpose::Split { pseudonym: p.label },
                        "",
                    )),
                    Action::RelabelPseudonym => Overlay::Prompt(Prompt::new(
                        format!("new category for {} ({words})", p.label),
                        Purpose::Relabel { pseudonym: p.label },
                        "",
                    )),
                    _ => {
                        self.ask_restore(p.label, None, None);
                        return Ok(());
                    }
                });
            }
            Action::Accept | Action::Reject | Action::ApplyReview if on_pseudonyms => {
                self.say("these are the stored texts' pseudonyms: p lists the staged suggestions");
            }
            Action::Accept | Action::Reject => {
                let decision = if action == Action::Accept {
                    "accepted"
                } else {
                    "rejected"
                };
                if let Some(m) = self.review.decide(decision)? {
                    self.say(m);
                }
            }
            Action::ApplyReview => {
                if self.review.items.is_empty() {
                    self.say("nothing is staged for review");
                } else {
                    self.overlay = Some(Overlay::Confirm(Confirm {
                        question: "Store the staged transcripts now? Suggestions not rejected are replaced by pseudonyms. (y/n)".into(),
                        purpose: Purpose::ApplyReview,
                    }));
                }
            }
            Action::Back => self.review.filter.clear(),
            Action::Filter => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(
                    "filter suggestions (category, file, words, decision)",
                    Purpose::ListFilter,
                    self.review.filter.clone(),
                )))
            }
            _ => self.review.handle(action),
        }
        Ok(())
    }

    /// Asks which form of the pseudonym's name to put back (when it has several), then
    /// whether to put it back.
    pub(in crate::tui) fn ask_restore(
        &mut self,
        pseudonym: String,
        doc: Option<i64>,
        original: Option<String>,
    ) {
        let forms = self.review.originals_of(&pseudonym);
        if original.is_none() && forms.len() > 1 {
            let choices = forms
                .iter()
                .map(|f| Choice {
                    value: f.clone(),
                    label: crate::tui::text::safe(f),
                    note: String::new(),
                })
                .collect();
            self.overlay = Some(Overlay::Picker(Picker::new(
                format!("{pseudonym} stands for several forms: which is the word here?"),
                Purpose::RestoreForm { pseudonym, doc },
                choices,
            )));
            return;
        }
        let words = original.clone().unwrap_or_else(|| forms.join(" / "));
        let question = match doc {
            Some(_) => format!(
                "Put «{}» back for {pseudonym} in this document? It will be readable here (y/n)",
                crate::tui::text::safe(&words)
            ),
            None => format!(
                "Put «{}» back everywhere {pseudonym} stands, and keep it in later imports? (y/n)",
                crate::tui::text::safe(&words)
            ),
        };
        self.overlay = Some(Overlay::Confirm(Confirm {
            question,
            purpose: Purpose::Restore {
                pseudonym,
                doc,
                original,
            },
        }));
    }

    /// Carries out a correction of pseudonyms and shows its outcome; the open transcript is
    /// read again, since its words changed.
    pub(in crate::tui) fn correct(
        &mut self,
        store: &mut Store,
        correction: review::Correction,
    ) -> Result<()> {
        let what = match &correction {
            review::Correction::Link { .. } => "linked",
            review::Correction::Split { .. } => "split",
            review::Correction::Relabel { .. } => "relabelled",
            review::Correction::Restore { .. } => "restored",
            review::Correction::Redact { .. } => "redacted",
        };
        let outcome = self.review.correct(store, &self.coder, &correction)?;
        if let Some(open) = &self.transcript.doc {
            let fresh = transcript::Doc::load(store.conn(), open.summary.id)?;
            let at = self.transcript.cursor.min(fresh.chars.len());
            self.transcript.open(fresh, Some(at));
        }
        self.changed(store)?;
        self.say(format!(
            "{what}{}: {} place(s) in {} document(s) changed, {} coding(s) moved",
            outcome
                .pseudonym
                .as_ref()
                .map(|p| format!(" as {p}"))
                .unwrap_or_default(),
            outcome.replaced,
            outcome.documents,
            outcome.codings_moved,
        ));
        Ok(())
    }
}
