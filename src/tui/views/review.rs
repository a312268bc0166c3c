//! The anonymisation review list: suggestions in transcripts imported with `--anonymise review`,
//! each accepted or rejected, and the reviewed transcripts stored. The key is decrypted only
//! when this view is opened, and its original words are only ever drawn, never stored.

use std::path::Path;

use age::secrecy::SecretString;

use super::super::keymap::Action;
use super::{ListCursor, matches_filter};
use crate::anonymise::review::{self, Item, Which};
use crate::error::Result;
use crate::keyfile::{self, Key};

#[derive(Default)]
pub struct State {
    key: Option<(Key, SecretString)>,
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

    /// Suggestions the filter lets through, as indices into `items`.
    pub fn visible(&self) -> Vec<usize> {
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
        if let Some((key, pass)) = &self.key {
            keyfile::save(root, key, pass)?;
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
