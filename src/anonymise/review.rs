//! Reviewing staged suggestions (`--anonymise review`): listing them with their context and
//! recording the researcher's decisions in the key. Both the CLI and the terminal UI use this;
//! storing the reviewed transcripts is [`crate::import::apply_staged`].

use serde::Serialize;

use crate::error::{Error, Result};
use crate::keyfile::Key;
use crate::offsets::slice_chars;

/// One staged suggestion as a reviewer sees it. `context` holds original words: it exists only
/// in memory and on the reviewer's screen, never in the database.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Item {
    pub id: u32,
    pub file: String,
    pub line: usize,
    pub start: usize,
    pub end: usize,
    pub category: String,
    pub confidence: f32,
    pub decision: String,
    /// The suggested words.
    pub found: String,
    /// Up to 30 characters either side, line breaks as spaces.
    pub before: String,
    pub after: String,
}

/// Every staged suggestion, in file and position order.
pub fn items(key: &Key) -> Vec<Item> {
    let mut out = Vec::new();
    for s in &key.staged {
        let text = &s.transcript.text;
        for g in &s.suggestions {
            out.push(Item {
                id: g.id,
                file: s.file.clone(),
                line: text.chars().take(g.start).filter(|c| *c == '\n').count() + 1,
                start: g.start,
                end: g.end,
                category: g.category.clone(),
                confidence: g.confidence,
                decision: g.decision.clone(),
                found: slice_chars(text, g.start, g.end).to_owned(),
                before: slice_chars(text, g.start.saturating_sub(30), g.start).replace('\n', " "),
                after: slice_chars(text, g.end, g.end + 30).replace('\n', " "),
            });
        }
    }
    out
}

/// Which suggestions a decision is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Which {
    All,
    Ids(Vec<u32>),
}

/// Records `accepted` or `rejected` on suggestions; returns how many. An id that is not staged
/// is an error and nothing is changed. The caller saves the key.
pub fn decide(key: &mut Key, which: &Which, decision: &str) -> Result<usize> {
    if decision != "accepted" && decision != "rejected" && decision != "pending" {
        return Err(Error::Invalid(format!("`{decision}` is not a decision")));
    }
    if let Which::Ids(ids) = which
        && let Some(missing) = ids.iter().find(|id| {
            !key.staged
                .iter()
                .any(|s| s.suggestions.iter().any(|g| g.id == **id))
        })
    {
        return Err(Error::NotFound(format!(
            "there is no staged suggestion {missing}; `narrata anonymise scan` lists them; nothing was changed"
        )));
    }
    let mut changed = 0;
    for s in &mut key.staged {
        for g in &mut s.suggestions {
            let wanted = match which {
                Which::All => true,
                Which::Ids(ids) => ids.contains(&g.id),
            };
            if wanted {
                g.decision = decision.to_owned();
                changed += 1;
            }
        }
    }
    Ok(changed)
}
