//! The search view's state: the query line (words, and filters written as `participant:P03
//! wave:T2 speaker:I code:Hoop kind:group`), the latest results and the selected hit.

pub mod draw;
mod keys;

use super::super::keymap::Action;
use super::ListCursor;
use crate::search::{Filters, Hit, Results};

/// The most hits a search in the terminal UI fetches.
pub const LIMIT: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct State {
    pub query: String,
    /// Whether typed keys go to the query line.
    pub editing: bool,
    pub results: Option<Results>,
    /// The query line the results answer (the line may have been edited since).
    pub results_for: String,
    /// The query line of the search waiting for an answer.
    pub pending_for: String,
    pub error: Option<String>,
    /// The search waiting for an answer (older answers are dropped).
    pub pending: Option<u64>,
    pub list: ListCursor,
    pub height: usize,
}

/// A query line split into the words for the index and the filters.
pub fn parse(line: &str) -> (String, Filters) {
    let mut filters = Filters {
        limit: LIMIT,
        ..Default::default()
    };
    let mut words = Vec::new();
    for token in tokens(line) {
        let token = token.as_str();
        let slot = token.split_once(':').and_then(|(k, v)| {
            let slot = match k.to_lowercase().as_str() {
                "participant" | "p" => &mut filters.participant,
                "wave" | "w" => &mut filters.wave,
                "speaker" | "s" => &mut filters.speaker,
                "code" | "c" => &mut filters.code,
                "kind" | "k" => &mut filters.kind,
                _ => return None,
            };
            let v = v.trim_matches('"');
            (!v.is_empty()).then_some((slot, v))
        });
        match slot {
            Some((slot, v)) => *slot = Some(v.to_owned()),
            None => words.push(token.to_owned()),
        }
    }
    (words.join(" "), filters)
}

/// Splits a query line at white space outside quotation marks, so `code:"Steun van anderen"`
/// and `"elke dinsdag"` stay whole.
fn tokens(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if c.is_whitespace() && !quoted {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

impl State {
    pub fn hits(&self) -> &[Hit] {
        self.results.as_ref().map(|r| &r.hits[..]).unwrap_or(&[])
    }

    pub fn selected(&self) -> Option<&Hit> {
        self.hits().get(self.list.selected)
    }

    pub fn handle(&mut self, action: Action) {
        let len = self.hits().len();
        self.list.apply(action, len, self.height);
    }

    /// Takes an answer if it is the one waited for.
    pub fn receive(&mut self, id: u64, result: Result<Results, String>) {
        if self.pending != Some(id) {
            return;
        }
        self.pending = None;
        match result {
            Ok(r) => {
                self.results = Some(r);
                self.results_for = std::mem::take(&mut self.pending_for);
                self.error = None;
                self.list = ListCursor::default();
            }
            Err(e) => {
                self.results = None;
                self.results_for.clear();
                self.error = Some(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_taken_out_of_the_query_line() {
        let (q, f) = parse("hoop participant:P03 wave:T2 \"de groep\" s:I");
        assert_eq!(q, "hoop \"de groep\"");
        assert_eq!(f.participant.as_deref(), Some("P03"));
        assert_eq!(f.wave.as_deref(), Some("T2"));
        assert_eq!(f.speaker.as_deref(), Some("I"));
        assert_eq!(f.limit, LIMIT);
        // Unknown prefixes stay words for the search library to judge.
        assert_eq!(parse("tijd:nu").0, "tijd:nu");
        // A code name with spaces, quoted.
        let (q, f) = parse("groep code:\"Steun van anderen\" \"elke dinsdag\"");
        assert_eq!(q, "groep \"elke dinsdag\"");
        assert_eq!(f.code.as_deref(), Some("Steun van anderen"));
    }
}
