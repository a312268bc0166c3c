//! Full-text search: a tantivy index in the project's `index/` folder with one entry per
//! speaker turn. Dutch and English turns are analysed with their language's stemmer (after
//! lower-casing and accent folding); an unstemmed field serves exact words. Filters are
//! indexed fields: document, participant(s), wave, speaker, kind, and the codes whose codings
//! overlap the turn. The database stays the truth: the index records which database generation
//! it reflects and is rebuilt when it is missing, stale or of an older layout.
//!
//! Dutch turns are also indexed by the parts of their compound words (`compound`), so that a
//! word is found inside compounds, after the turns that say it whole.
//!
//! `schema` is the index's layout, `index` keeps it in step with the database (and follows
//! every committed action; `follower` follows a long run of them, an import's, as they commit), `query` answers searches, `snippets` cuts keyword-in-context
//! lines, `stem` stems words with a memory of the stems it made.

mod compound;
mod follower;
mod index;
mod query;
mod schema;
mod snippets;
mod stem;

pub use crate::store::derived::{
    DISCARDED_PREFIX, INDEX_DIR, discard_index as discard, discarded_dirs,
};
pub use follower::Follower;
pub use index::{
    IndexState, follow, follow_outcomes, is_current, rebuild, rebuild_from_scratch, verify,
    verify_quick,
};
pub use query::{BEHIND, Filters, Hit, Results, search};

/// The analyzer the index's stemmed field uses for a language (`nl`, `en`; any other: words
/// lower-cased and folded, not stemmed), for other modules that must see words as search does.
pub fn analyzer_for(language: &str) -> tantivy::tokenizer::TextAnalyzer {
    schema::analyzer(match language {
        "nl" => Some(tantivy::tokenizer::Language::Dutch),
        "en" => Some(tantivy::tokenizer::Language::English),
        _ => None,
    })
}
