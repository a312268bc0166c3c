//! What the transcript view's actions do: the app's methods that carry them out.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::tui::app::{App, describe, lines};
use crate::tui::keymap::Action;
use crate::tui::overlay::{Choice, Confirm, Overlay, Picker, Prompt, Purpose};
use crate::tui::views::transcript;
use crate::{codebook as codes_lib, coding};

impl App {
    pub(in crate::tui) fn transcript_action(
        &mut self,
        store: &mut Store,
        action: Action,
    ) -> Result<()> {
        if self.transcript.doc.is_none() {
            return Ok(());
        }
        if self.transcript.movement(action) {
            return Ok(());
        }
        match action {
            Action::Select => {
                self.transcript.anchor = match self.transcript.anchor {
                    Some(_) => None,
                    None => Some(self.transcript.cursor),
                };
            }
            // Esc clears a selection; with none, it goes back.
            Action::Back if self.transcript.anchor.take().is_none() => {
                self.show(store, self.came_from)?;
            }
            Action::RedactSelection | Action::RestoreHere if !self.review.unlocked() => {
                // The key is needed: unlock it, then carry on with the same key.
                if !crate::keyfile::path(store.root()).is_file() {
                    self.say("this project has no pseudonym key: its transcripts were imported without anonymisation");
                    return Ok(());
                }
                self.after_unlock = Some(action);
                self.unlock_review(store)?;
                if self.review.unlocked() {
                    self.after_unlock = None;
                    self.transcript_action(store, action)?;
                }
            }
            Action::RedactSelection => {
                let doc = self.doc()?;
                let Some((start, end)) = self.transcript.selection() else {
                    self.say("select the words to redact first (v, then move)");
                    return Ok(());
                };
                let seen: String = doc.chars[start..end].iter().collect();
                let language = doc.summary.language.clone();
                let choices = crate::keyfile::CATEGORIES
                    .iter()
                    .map(|(c, ..)| Choice {
                        value: (*c).to_owned(),
                        label: c.to_lowercase(),
                        note: format!(
                            "becomes {}",
                            crate::keyfile::label(c, 0, &language).replace("-0]", "-…]")
                        ),
                    })
                    .collect();
                self.overlay = Some(Overlay::Picker(Picker::new(
                    format!(
                        "redact «{}» in this document as…",
                        crate::tui::text::safe(&seen)
                    ),
                    Purpose::Redact {
                        doc: doc.summary.id,
                        start,
                        end,
                        seen,
                    },
                    choices,
                )));
            }
            Action::RestoreHere => {
                let doc = self.doc()?;
                let text: String = doc.chars.iter().collect();
                let at = self.transcript.cursor;
                let Some((s, e)) = crate::keyfile::pseudonym_spans(&text)
                    .into_iter()
                    .find(|&(s, e)| s <= at && at < e)
                else {
                    self.say("the cursor is not on a pseudonym");
                    return Ok(());
                };
                let pseudonym: String = doc.chars[s..e].iter().collect();
                let id = doc.summary.id;
                self.ask_restore(pseudonym, Some(id), None);
            }
            Action::Code if self.transcript.target_is_interviewers() => {
                self.overlay = Some(Overlay::Confirm(Confirm {
                    question: "This is the interviewer's turn, not a participant's. Code it anyway? (y/n)".into(),
                    purpose: Purpose::CodeInterviewer,
                }));
            }
            Action::Code => self.open_code_picker(),
            Action::CodeInVivo => self.code_in_vivo(store)?,
            Action::Uncode => self.uncode(store)?,
            Action::Memo => {
                let doc = self.doc()?;
                let here = doc.codings_at(self.transcript.cursor);
                let (target, what, mine) = match here.first() {
                    Some(c) => (
                        format!("coding:{}", c.id),
                        format!("coding {} ({})", c.id, c.code),
                        doc.memos
                            .get(&c.id)
                            .and_then(|m| m.iter().find(|(_, who, _)| *who == self.coder))
                            .cloned(),
                    ),
                    None => (
                        format!("document:{}", doc.summary.id),
                        format!("document {}", doc.summary.title),
                        doc.doc_memos
                            .iter()
                            .find(|(_, who, _)| *who == self.coder)
                            .cloned(),
                    ),
                };
                // Your own memo there is opened to edit; else a new one is started.
                self.overlay = Some(Overlay::Prompt(match mine {
                    Some((id, _, text)) => Prompt::new(
                        format!("your memo {id} on {what} (Alt-Enter: new line)"),
                        Purpose::EditMemo { id },
                        text,
                    ),
                    None => Prompt::new(
                        format!("memo on {what} (Alt-Enter: new line)"),
                        Purpose::Memo { target },
                        "",
                    ),
                }));
            }
            Action::ReadMemos => {
                let doc = self.doc()?;
                let mut body = String::new();
                for c in doc.codings_at(self.transcript.cursor) {
                    for (id, who, text) in doc.memos.get(&c.id).map(|v| &v[..]).unwrap_or(&[]) {
                        body.push_str(&format!(
                            "On coding {} ({}), memo {id} by {who}:\n{text}\n\n",
                            c.id, c.code_path
                        ));
                    }
                }
                for (id, who, text) in &doc.doc_memos {
                    body.push_str(&format!(
                        "On this document, memo {id} by {who}:\n{text}\n\n"
                    ));
                }
                if body.is_empty() {
                    self.say("no memos here or on this document; m writes one");
                } else {
                    self.overlay = Some(Overlay::Text {
                        title: "memos".into(),
                        body,
                    });
                }
            }
            Action::NextDocument | Action::PrevDocument => {
                let docs = crate::corpus::documents(store.conn())?;
                let here = self.doc()?.summary.id;
                let at = docs.iter().position(|d| d.id == here).unwrap_or(0);
                let target = if action == Action::NextDocument {
                    Some(at + 1).filter(|&i| i < docs.len())
                } else {
                    at.checked_sub(1)
                };
                match target {
                    Some(i) => {
                        let title = describe(&docs[i]);
                        self.open_document(store, docs[i].id, None)?;
                        self.say(format!("document {} of {}: {title}", i + 1, docs.len()));
                    }
                    None => self.say(if action == Action::NextDocument {
                        "this is the last document"
                    } else {
                        "this is the first document"
                    }),
                }
            }
            Action::NextWave | Action::PrevWave => {
                let here = self.doc()?.summary.clone();
                if here.participants.is_empty() || here.wave.is_none() {
                    self.say("this document has no participant and wave to follow");
                    return Ok(());
                }
                // The same participant(s), their documents in wave order (the list's order).
                let same: Vec<crate::corpus::DocumentSummary> = crate::corpus::documents(store.conn())?
                    .into_iter()
                    .filter(|d| d.participants == here.participants && d.wave.is_some())
                    .collect();
                let at = same.iter().position(|d| d.id == here.id).unwrap_or(0);
                let next = if action == Action::NextWave {
                    same[at + 1..].iter().find(|d| d.wave != here.wave)
                } else {
                    same[..at].iter().rev().find(|d| d.wave != here.wave)
                };
                match next {
                    Some(d) => {
                        let (id, title) = (d.id, describe(d));
                        self.open_document(store, id, None)?;
                        self.say(format!("{title}: the same participant, {}", if action == Action::NextWave { "next wave" } else { "previous wave" }));
                    }
                    None => self.say(format!(
                        "{} has no {} wave",
                        here.participants.join(", "),
                        if action == Action::NextWave { "later" } else { "earlier" }
                    )),
                }
            }
            Action::NextUncoded => match self.transcript.next_uncoded(&self.coder) {
                transcript::Uncoded::None => self.say(format!(
                    "every participant turn here has a coding of yours ({}); other coders' codings do not count",
                    self.coder
                )),
                transcript::Uncoded::OnlyHere => {
                    self.say("this is the only participant turn you have not coded")
                }
                transcript::Uncoded::Wrapped => {
                    self.say("next turn you have not coded (from the top again)")
                }
                transcript::Uncoded::Moved => {}
            },
            Action::Find => {
                // A new find starts empty ("My brother" then "I used" once became "My
                // brotherI used"); Up brings the last one back.
                let last = self.transcript.find.clone();
                let title = if last.is_some() {
                    "find in this document (Up: the last find)"
                } else {
                    "find in this document"
                };
                self.overlay = Some(Overlay::Prompt(Prompt::recalling(
                    title,
                    Purpose::Find,
                    last,
                )));
            }
            Action::FindNext => self.find_next(),
            _ => {}
        }
        Ok(())
    }

    pub(in crate::tui) fn doc(&self) -> Result<&transcript::Doc> {
        self.transcript
            .doc
            .as_ref()
            .ok_or_else(|| Error::Invalid("no document is open".into()))
    }

    pub(in crate::tui) fn find_next(&mut self) {
        match self.transcript.find_next() {
            Some(true) => self.say("found (from the top again)"),
            Some(false) => self.say("found"),
            None => self.say(format!(
                "`{}` does not occur in this document",
                self.transcript.find.clone().unwrap_or_default()
            )),
        }
    }

    /// Codes as choices: the most recently used first, then the tree.
    pub(in crate::tui) fn code_choices(&self, leave_out: &[i64]) -> Vec<Choice> {
        let codes = &self.codebook.codes;
        let mut order: Vec<&codes_lib::Code> = self
            .recent
            .iter()
            .filter_map(|id| codes.iter().find(|c| c.id == *id))
            .collect();
        for c in codes {
            if !order.iter().any(|o| o.id == c.id) {
                order.push(c);
            }
        }
        order
            .into_iter()
            .filter(|c| !leave_out.contains(&c.id))
            .map(|c| Choice {
                value: c.id.to_string(),
                label: c.path.clone(),
                note: c.description.clone(),
            })
            .collect()
    }

    pub(in crate::tui) fn open_code_picker(&mut self) {
        let Some(doc) = &self.transcript.doc else {
            return;
        };
        let Some((start, end)) = self.transcript.target() else {
            self.say("nothing to code here: the selection is empty");
            return;
        };
        let from = doc.line_of(start);
        let to = doc.line_of(end.saturating_sub(1).max(start));
        let what = if self.transcript.anchor.is_some() {
            "selection"
        } else {
            "turn"
        };
        let title = format!("code the {what} ({}) as…", lines(from as i64, to as i64));
        let purpose = Purpose::CodeSpan {
            doc: doc.summary.id,
            start,
            end,
            seen: doc.chars[start..end].iter().collect(),
        };
        let text: String = doc.chars[start..end].iter().collect();
        let language = doc.summary.language.clone();
        let choices = self.suggested_first(&text, &language, self.code_choices(&[]));
        self.overlay = Some(Overlay::Picker(
            Picker::new(title, purpose, choices).offering_new_code(),
        ));
    }

    /// The codes suggested for `text` (from [`crate::suggest::THRESHOLD`] on, at most three)
    /// moved to the top of the picker's choices, marked with their score. The model is learned
    /// in the worker: the first picker of a session, and the first after codings changed, ask
    /// for it and show the last one (or none) meanwhile.
    fn suggested_first(
        &mut self,
        text: &str,
        language: &str,
        mut choices: Vec<Choice>,
    ) -> Vec<Choice> {
        if (self.suggester.model.is_none() || self.suggester.stale) && !self.suggester.pending {
            self.suggester.pending = true;
            self.suggester.stale = false;
            self.outbox.push(crate::tui::jobs::Job::Suggester);
        }
        let Some(model) = &self.suggester.model else {
            return choices;
        };
        let ranked: Vec<(i64, f64)> = model
            .rank_text(text, language)
            .into_iter()
            .filter(|(_, score, _)| *score >= crate::suggest::THRESHOLD)
            .take(3)
            .map(|(code, score, _)| (code, score))
            .collect();
        for (i, (code, score)) in ranked.into_iter().enumerate() {
            if let Some(at) = choices.iter().position(|c| c.value == code.to_string()) {
                let mut c = choices.remove(at);
                c.note = format!("suggested ({score:.2}) · {}", c.note);
                choices.insert(i, c);
            }
        }
        choices
    }

    /// In-vivo coding: the selected words name a new top-level code (or the existing one of
    /// that name), and the selection is coded with it in the same keystroke.
    fn code_in_vivo(&mut self, store: &mut Store) -> Result<()> {
        let doc = self.doc()?;
        let (Some(_), Some((start, end))) = (self.transcript.anchor, self.transcript.target())
        else {
            self.say("select the words first (v), then C makes them a code");
            return Ok(());
        };
        let seen: String = doc.chars[start..end].iter().collect();
        let Some(name) = codes_lib::in_vivo_name(&seen) else {
            self.say("an in-vivo code is named by a few words: select at most 80 characters");
            return Ok(());
        };
        let purpose = Purpose::CodeSpan {
            doc: doc.summary.id,
            start,
            end,
            seen,
        };
        match self
            .codebook
            .codes
            .iter()
            .find(|c| c.path.eq_ignore_ascii_case(&name))
        {
            Some(c) => {
                let choice = Choice {
                    value: c.id.to_string(),
                    label: c.path.clone(),
                    note: String::new(),
                };
                self.picked(store, purpose, choice)
            }
            None => self.new_code_picked(store, purpose, &name, None),
        }
    }

    pub(in crate::tui) fn uncode(&mut self, store: &mut Store) -> Result<()> {
        let doc = self.doc()?;
        let here = doc.codings_at(self.transcript.cursor);
        match here.len() {
            0 => self.say("no coding at the cursor"),
            1 => {
                let id = here[0].id;
                self.remove_coding(store, id)?;
            }
            _ => {
                let choices = here
                    .iter()
                    .map(|c| Choice {
                        value: c.id.to_string(),
                        label: format!("{} ({})", c.code_path, c.coder),
                        note: format!("{}: {}", lines(c.line, c.end_line), c.text),
                    })
                    .collect();
                self.overlay = Some(Overlay::Picker(Picker::new(
                    "remove which coding?",
                    Purpose::RemoveCoding,
                    choices,
                )));
            }
        }
        Ok(())
    }

    pub(in crate::tui) fn remove_coding(&mut self, store: &mut Store, id: i64) -> Result<()> {
        let (c, memos) = coding::remove(store, &self.coder, id)?;
        self.changed(store)?;
        self.say(format!(
            "removed coding {} ({}){} · u undoes",
            c.id,
            c.code,
            if memos > 0 {
                format!(" and its {memos} memo(s)")
            } else {
                String::new()
            }
        ));
        Ok(())
    }
}
