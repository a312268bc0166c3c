//! What one committed action changed, as far as the copies derived from the database (the
//! search index) need to know it. An [`Action`](super::Action) collects it while it writes:
//! row changes to undoable tables are read from the rows themselves, and a non-undoable write
//! declares what it touched. The store keeps every committed action's [`Outcome`] until a
//! follower (`search::follow`) takes them and brings the index in step.

use std::collections::{BTreeMap, BTreeSet};

use super::RowChange;

/// What an action changed in the indexed part of the project.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// Documents whose text, turns, wave, kind or participants changed: indexed again whole.
    pub documents: BTreeSet<i64>,
    /// Character spans of documents whose codings changed: the turns they touch are indexed
    /// again (a coding changes only its turns' code filter).
    pub spans: BTreeMap<i64, Vec<(i64, i64)>>,
    /// Stored text was replaced (a redaction or a correction of pseudonyms): the old words must
    /// leave the index entirely, so it was deleted before the commit and is built anew.
    pub text_replaced: bool,
    /// Something every document's index entries carry changed (a participant's code, a wave's
    /// name, a merge): the index is built anew.
    pub everything: bool,
}

impl Changes {
    /// Whether nothing indexed changed.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
            && self.spans.is_empty()
            && !self.text_replaced
            && !self.everything
    }

    /// Adds what a recorded row change touches.
    pub(super) fn note_row(&mut self, change: &RowChange) {
        let docs = [&change.before, &change.after]
            .into_iter()
            .flatten()
            .filter_map(|row| row.get("doc_id").and_then(serde_json::Value::as_i64));
        match change.table.as_str() {
            "codings" => {
                for row in [&change.before, &change.after].into_iter().flatten() {
                    let get = |k: &str| row.get(k).and_then(serde_json::Value::as_i64);
                    if let (Some(doc), Some(s), Some(e)) = (get("doc_id"), get("start"), get("end"))
                    {
                        self.spans.entry(doc).or_default().push((s, e));
                    }
                }
            }
            "turns" | "document_participants" => self.documents.extend(docs),
            "documents" => {
                self.documents.insert(change.id);
            }
            // A participant's code or a wave's name is on every entry of its documents; a new
            // one is on none yet.
            "participants" | "waves" => {
                let label = |row: &Option<serde_json::Map<String, serde_json::Value>>| {
                    row.as_ref()
                        .map(|r| (r.get("code").cloned(), r.get("name").cloned()))
                };
                if change.before.is_some() && label(&change.before) != label(&change.after) {
                    self.everything = true;
                }
            }
            _ => {}
        }
    }

    /// Adds everything `other` changed.
    pub fn extend(&mut self, other: Changes) {
        self.documents.extend(other.documents);
        for (doc, spans) in other.spans {
            self.spans.entry(doc).or_default().extend(spans);
        }
        self.text_replaced |= other.text_replaced;
        self.everything |= other.everything;
    }
}

/// One committed action: the generation of the project just before it, and what it changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub generation_before: i64,
    pub changes: Changes,
}
