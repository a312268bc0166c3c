//! Change across waves: for each participant and code, how much of what the participant said
//! in each interview round was coded with it, and a label for how that changed (emerged,
//! ceased, increased, …). "Not interviewed in this wave" is kept apart from "interviewed, code
//! absent". Also the polarity balance per dimension and wave, the cohort view (how many
//! participants speak of a code in each wave), and the lexical shift of one participant
//! between two waves (log-likelihood keyness, first-person pronoun rates).
//!
//! Counts show how often something is spoken about, not what it means.
//!
//! `table` computes the participant × code × wave grid with its balance and portraits,
//! `labels` the change label and the researcher's overrides, `cohort` the counts across
//! participants, `lexical` the words that changed.

mod cohort;
mod labels;
mod lexical;
mod table;

use rusqlite::Connection;

use crate::error::Result;

pub use cohort::{Cohort, CohortCell, CohortRow, cohort, cohort_of};
pub use labels::{LABELS, label, set_label};
pub use lexical::{Keyword, Lexical, MIN_WORDS, Pronouns, g2, lexical};
pub use table::{Balance, BalanceCell, Cell, Portrait, Row, Table, table, write_csv};

/// Options of the change table.
#[derive(Debug, Clone)]
pub struct Options {
    pub participant: Option<String>,
    pub code: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Coverage ratio between the last and first wave that counts as an increase (its inverse
    /// a decrease).
    pub ratio: f64,
    /// Codings a participant needs in a wave for the code to count as present.
    pub min_codings: usize,
    /// Count a code's sub-codes as the code itself.
    pub roll_up: bool,
    /// Only these coders' codings; empty: every coder's, overlapping codings counted once.
    pub coders: Vec<String>,
    /// Only the documents of this group (hand-made or defined by a rule).
    pub group: Option<String>,
    /// Only the documents this rule matches (`groups::rule`).
    pub rule: Option<String>,
}

impl Options {
    /// The documents the group and rule leave, or `None` when neither is given.
    pub(crate) fn documents(
        &self,
        conn: &Connection,
    ) -> crate::error::Result<Option<std::collections::HashSet<i64>>> {
        crate::groups::selection(conn, self.group.as_slice(), self.rule.as_deref())
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            participant: None,
            code: None,
            from: None,
            to: None,
            ratio: 1.5,
            min_codings: 1,
            roll_up: false,
            coders: Vec::new(),
            group: None,
            rule: None,
        }
    }
}

pub const NOTE: &str = "Counts show how often something is spoken about, not what it means.";

/// Documents not yet tied to a participant and a wave (kind `document`, or an interview
/// without a wave): the change analyses leave them out.
pub fn unassigned_documents(conn: &Connection) -> Result<usize> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM documents WHERE kind = 'document'
            OR (kind IN ('individual', 'group') AND wave_id IS NULL)",
        [],
        |r| r.get(0),
    )?;
    Ok(n as usize)
}

/// The sentence a table gives about documents it left out, if any.
pub fn unassigned_note(n: usize) -> Option<String> {
    (n > 0).then(|| {
        format!(
            "{n} document(s) have no participant or wave yet and are left out; `narrata docs set DOC --participant P --wave W` assigns them."
        )
    })
}

/// The sentence a report gives about whose codings it counted.
pub fn coders_counted(coders: &[String]) -> String {
    match coders {
        [] => "No codings were counted.".to_owned(),
        [one] => format!("Codings counted: {one}'s."),
        many => format!(
            "Codings counted: those of {} together; where their codings overlap, the passage counts once.",
            many.join(", ")
        ),
    }
}

/// The note under a table whose rows mark `coders_differ`.
pub const CODERS_DIFFER: &str = "† this participant's waves were not all coded by the same coders (or some not yet at all): the label compares different coders' work; choose one coder to compare like with like.";
