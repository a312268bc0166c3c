//! The anonymisation review: suggestions in transcripts imported with `--anonymise review`,
//! each accepted or rejected, and the reviewed transcripts stored; and the pseudonyms in the
//! stored texts, each with the words it stands for, to correct (link two that are one person,
//! split one that is two, relabel, restore a word that identifies no one). The key is
//! decrypted only when this view is opened, and its original words are only ever drawn, never
//! stored.

pub mod draw;
mod keys;

use std::path::Path;

use age::secrecy::SecretString;

use super::super::keymap::Action;
use super::{ListCursor, matches_filter};
use crate::anonymise::correct::{self, Outcome, Part};
use crate::anonymise::review::{self, Item, Which};
use crate::error::Result;
use crate::keyfile::{self, Key};

/// One pseudonym of the stored texts, with where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Pseudonym {
    /// As written in the first text it stands in (`[PERSOON-3]`).
    pub label: String,
    pub category: String,
    /// The words it stands for (from the key).
    pub originals: Vec<String>,
    pub occurrences: usize,
    pub documents: Vec<i64>,
    pub participants: Vec<String>,
    /// The rules and corrections that put it there.
    pub rules: Vec<String>,
}

/// A correction of the pseudonyms in the stored texts.
#[derive(Debug, Clone)]
pub enum Correction {
    Link {
        kept: String,
        merged: String,
    },
    Split {
        pseudonym: String,
        part: Part,
    },
    Relabel {
        pseudonym: String,
        category: String,
    },
    Restore {
        pseudonym: String,
        doc: Option<i64>,
        original: Option<String>,
    },
    Redact {
        doc: i64,
        start: usize,
        end: usize,
        category: String,
    },
}

#[derive(Default)]
pub struct State {
    key: Option<(Key, SecretString)>,
    /// Showing the pseudonyms of the stored texts instead of the staged suggestions.
    pub pseudonyms_shown: bool,
    pub pseudonyms: Vec<Pseudonym>,
    pub items: Vec<Item>,
    pub list: ListCursor,
    pub height: usize,
    /// Why nothing is listed (no key yet, not unlocked).
    pub note: Option<String>,
    /// Decisions made since the key was last written.
    pub unsaved: usize,
    /// Shows only suggestions whose category, file or words match.
    pub filter: String,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key holds original identifiers; it is never printed.
        f.debug_struct("review::State")
            .field("items", &self.items.len())
            .finish()
    }
}

impl State {
    pub fn unlocked(&self) -> bool {
        self.key.is_some()
    }

    /// Decrypts the key with a passphrase and lists what is staged.
    pub fn unlock(&mut self, root: &Path, pass: SecretString) -> Result<()> {
        let key = keyfile::load(root, &pass)?.unwrap_or_else(|| Key::new(""));
        self.items = review::items(&key);
        self.key = Some((key, pass));
        self.note = None;
        self.list.clamp(self.items.len(), self.height);
        Ok(())
    }

    /// Reads the pseudonyms of the stored texts again (after the key was unlocked or a
    /// correction).
    pub fn load_pseudonyms(&mut self, conn: &rusqlite::Connection) -> Result<()> {
        let Some((key, _)) = &self.key else {
            return Ok(());
        };
        let mut by_label: std::collections::BTreeMap<(String, u32), Pseudonym> = Default::default();
        for o in correct::list(conn, key, None, true)? {
            let Some((category, number)) = crate::keyfile::parse_label(&o.pseudonym) else {
                continue;
            };
            let p = by_label
                .entry((category.to_owned(), number))
                .or_insert_with(|| Pseudonym {
                    label: o.pseudonym.clone(),
                    category: category.to_owned(),
                    originals: o.originals.clone().unwrap_or_default(),
                    occurrences: 0,
                    documents: Vec::new(),
                    participants: Vec::new(),
                    rules: Vec::new(),
                });
            p.occurrences += 1;
            if !p.documents.contains(&o.doc) {
                p.documents.push(o.doc);
            }
            if let Some(who) = o.participant
                && !p.participants.contains(&who)
            {
                p.participants.push(who);
            }
            if !o.rule.is_empty() && !p.rules.contains(&o.rule) {
                p.rules.push(o.rule);
            }
        }
        self.pseudonyms = by_label.into_values().collect();
        let len = self.visible().len();
        self.list.clamp(len, self.height);
        Ok(())
    }

    /// The words a pseudonym stands for (empty while the key is locked).
    pub fn originals_of(&self, pseudonym: &str) -> Vec<String> {
        let (Some((key, _)), Some((category, number))) =
            (&self.key, crate::keyfile::parse_label(pseudonym))
        else {
            return Vec::new();
        };
        key.entries
            .iter()
            .filter(|e| e.category == category && e.number == number)
            .map(|e| e.original.to_string())
            .collect()
    }

    /// Switches between staged suggestions and the stored texts' pseudonyms.
    pub fn toggle(&mut self, conn: &rusqlite::Connection) -> Result<()> {
        self.pseudonyms_shown = !self.pseudonyms_shown;
        self.list = ListCursor::default();
        self.filter.clear();
        if self.pseudonyms_shown {
            self.load_pseudonyms(conn)?;
        }
        Ok(())
    }

    /// The pseudonym under the cursor (in the pseudonyms list).
    pub fn selected_pseudonym(&self) -> Option<&Pseudonym> {
        if !self.pseudonyms_shown {
            return None;
        }
        self.visible()
            .get(self.list.selected)
            .and_then(|i| self.pseudonyms.get(*i))
    }

    /// Carries out a correction with the unlocked key (saved first, as the library does),
    /// then reads the pseudonyms again.
    pub fn correct(
        &mut self,
        store: &mut crate::store::Store,
        coder: &str,
        correction: &Correction,
    ) -> Result<Outcome> {
        let Some((key, pass)) = &mut self.key else {
            return Err(crate::Error::Invalid(
                "the key is locked: open the review view (6) and give its passphrase".into(),
            ));
        };
        let root = store.root().to_path_buf();
        let pass = pass.clone();
        let mut save = |k: &Key| keyfile::save(&root, k, &pass);
        // On a refusal the key in memory stays as it was on disk.
        let mut working = key.clone();
        let outcome = match correction {
            Correction::Link { kept, merged } => {
                correct::link(store, coder, &mut working, &mut save, kept, merged)
            }
            Correction::Split { pseudonym, part } => {
                correct::split(store, coder, &mut working, &mut save, pseudonym, part)
            }
            Correction::Relabel {
                pseudonym,
                category,
            } => correct::relabel(store, coder, &mut working, &mut save, pseudonym, category),
            Correction::Restore {
                pseudonym,
                doc,
                original,
            } => correct::restore(
                store,
                coder,
                &mut working,
                &mut save,
                pseudonym,
                *doc,
                original.as_deref(),
            ),
            Correction::Redact {
                doc,
                start,
                end,
                category,
            } => {
                let doc = doc.to_string();
                crate::anonymise::redact::redact(
                    store,
                    coder,
                    &mut working,
                    &mut save,
                    crate::anonymise::redact::Request {
                        doc: &doc,
                        start: *start,
                        end: *end,
                        category,
                    },
                )
                .map(|r| Outcome {
                    replaced: 1,
                    documents: 1,
                    codings_moved: r.report.codings_moved,
                    pseudonym: Some(r.pseudonym),
                })
            }
        };
        match outcome {
            Ok(_) => *key = working,
            // A refusal may come after the key was saved: what is on disk is the truth.
            Err(_) => *key = keyfile::load(&root, &pass)?.unwrap_or(working),
        }
        self.items = review::items(key);
        let outcome = outcome?;
        self.load_pseudonyms(store.conn())?;
        Ok(outcome)
    }

    /// Suggestions (or pseudonyms) the filter lets through, as indices.
    pub fn visible(&self) -> Vec<usize> {
        if self.pseudonyms_shown {
            return self
                .pseudonyms
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    self.filter.is_empty()
                        || matches_filter(
                            &self.filter,
                            &format!(
                                "{} {} {} {}",
                                p.label,
                                p.originals.join(" "),
                                p.participants.join(" "),
                                p.rules.join(" ")
                            ),
                        )
                })
                .map(|(n, _)| n)
                .collect();
        }
        self.items
            .iter()
            .enumerate()
            .filter(|(_, i)| {
                self.filter.is_empty()
                    || matches_filter(
                        &self.filter,
                        &format!("{} {} {} {}", i.category, i.file, i.found, i.decision),
                    )
            })
            .map(|(n, _)| n)
            .collect()
    }

    pub fn selected(&self) -> Option<&Item> {
        if self.pseudonyms_shown {
            return None;
        }
        self.visible()
            .get(self.list.selected)
            .and_then(|i| self.items.get(*i))
    }

    pub fn handle(&mut self, action: Action) {
        let len = self.visible().len();
        self.list.apply(action, len, self.height);
    }

    /// Records a decision on the selected suggestion and moves to the next. Saving the key
    /// takes its passphrase's deliberate slowness (seconds), so decisions are kept here and
    /// written by [`State::save`] when the list is left, the transcripts stored, or the UI
    /// closed.
    pub fn decide(&mut self, decision: &str) -> Result<Option<String>> {
        let Some(id) = self.selected().map(|i| i.id) else {
            return Ok(None);
        };
        let Some((key, _)) = &mut self.key else {
            return Ok(None);
        };
        review::decide(key, &Which::Ids(vec![id]), decision)?;
        self.unsaved += 1;
        self.items = review::items(key);
        let len = self.visible().len();
        self.list.apply(Action::Down, len, self.height);
        Ok(Some(format!(
            "suggestion {id} {decision} ({} decision(s) are written to the key when you leave this list)",
            self.unsaved
        )))
    }

    /// Writes decisions not yet in the key file; returns how many.
    pub fn save(&mut self, root: &Path) -> Result<usize> {
        let n = self.unsaved;
        if n == 0 {
            return Ok(0);
        }
        if let Some((key, pass)) = &self.key
            && let Err(e) = keyfile::save(root, key, pass)
        {
            // The key on disk is not the one these decisions were made on (another narrata
            // process saved it), or cannot be written: the decisions are let go and the key
            // locked again, so that the view can be left and the key read anew.
            self.key = None;
            keyfile::forget(root);
            self.unsaved = 0;
            return Err(crate::Error::Key(format!(
                "{e}; the {n} decision(s) made here since the key was last written were not saved: unlock the key again (6) and make them again"
            )));
        }
        self.unsaved = 0;
        Ok(n)
    }

    /// Stores the staged transcripts with the decisions made (undecided suggestions are
    /// replaced: the safe default).
    pub fn apply(
        &mut self,
        store: &mut crate::store::Store,
        coder: &str,
    ) -> Result<crate::import::ImportReport> {
        let Some((key, pass)) = &mut self.key else {
            return Err(crate::Error::Invalid("the key is not unlocked".into()));
        };
        let root = store.root().to_path_buf();
        let pass2 = pass.clone();
        let mut save = |k: &Key| keyfile::save(&root, k, &pass2);
        let mut working = key.clone();
        let report = crate::import::apply_staged(store, coder, &mut working, &mut save)?;
        *key = working;
        self.unsaved = 0;
        self.items = review::items(key);
        self.list = ListCursor::default();
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_on_a_key_another_process_changed_are_let_go_and_the_view_can_be_left() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("p");
        let mut store = crate::project::init(&root, Some("r"), "nl").unwrap();
        let pass = SecretString::from("goed".to_owned());
        let mut key = Key::new("r");
        let sources = vec![crate::import::Source {
            name: "P01_T1.md".into(),
            bytes: b"---\nparticipant: P01\nwave: T1\n---\nI: Wie helpt je?\nP01: Mijn zus Tjitske Hoekstra.\n".to_vec(),
        }];
        let options = crate::import::Options {
            anonymise: crate::import::Anonymise::Review,
            ..Default::default()
        };
        let saving = root.clone();
        let mut save = |k: &Key| keyfile::save(&saving, k, &pass);
        crate::import::import(
            &mut store,
            "tester",
            &sources,
            &options,
            Some(crate::import::Privacy {
                key: &mut key,
                save: &mut save,
            }),
            &mut |_, _| {},
        )
        .unwrap();
        let mut state = State::default();
        state.unlock(&root, pass.clone()).unwrap();
        assert!(!state.items.is_empty());
        state.decide("rejected").unwrap();
        assert_eq!(state.unsaved, 1);
        // Another process writes the key meanwhile (here behind this process's back).
        let mut theirs = key.clone();
        theirs.pseudonym("Kees de Wit", "PERSON", "t");
        let mut r = age::scrypt::Recipient::new(pass.clone());
        r.set_work_factor(4);
        let cipher = age::encrypt(&r, &serde_json::to_vec(&theirs).unwrap()).unwrap();
        std::fs::write(keyfile::path(&root), &cipher).unwrap();
        let err = state.save(&root).unwrap_err().to_string();
        assert!(err.contains("were not saved"), "{err}");
        assert_eq!(std::fs::read(keyfile::path(&root)).unwrap(), cipher);
        // The view can be left; unlocked again, the other process's key is read.
        assert!(!state.unlocked());
        assert_eq!(state.save(&root).unwrap(), 0);
        state.unlock(&root, pass).unwrap();
        let (key, _) = state.key.as_ref().unwrap();
        assert!(key.entries.iter().any(|e| &*e.original == "Kees de Wit"));
    }
}
