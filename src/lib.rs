//! narrata: a terminal workbench for qualitative research on narrative interviews.
//!
//! The library is the whole product; the `narrata` binary is a thin command-line front-end
//! over it. Modules, one concept each:
//!
//! | module | owns |
//! |---|---|
//! | [`store`] | the project database: schema, migrations, one transaction per action, audit log |
//! | [`project`] | finding, creating and opening a project folder |
//! | [`corpus`] | participants, waves, documents and turns as stored; assigning a document |
//! | [`groups`] | document groups: named sets of documents, used as a filter |
//! | [`codebook`] | the code tree: definitions, reorganising, YAML/JSON/REFI-QDA files |
//! | [`coding`] | codings: code spans, list them with their text |
//! | [`memo`] | memos on the project, participants, waves, documents, codes, codings |
//! | [`merge`] | merging another copy of the same study, by GUIDs |
//! | [`history`] | undo and redo from the audit log |
//! | [`anchor`] | replacing text while turns and codings keep their words |
//! | [`anonymise`] | finding identifiers and replacing them with consistent pseudonyms |
//! | [`keyfile`] | the encrypted pseudonym key, the only home of original identifiers |
//! | [`search`] | the tantivy index of turns: stemming, filters, keyword in context |
//! | [`privacy`] | proving no original identifier left the key |
//! | [`agreement`] | agreement between coders: kappa, alpha, percent agreement, disagreements |
//! | [`change`] | change across waves: coverage, labels, balance, cohort, lexical shift |
//! | [`export`] | reports: Word documents (excerpts, transcripts, change), CSV and JSON |
//! | [`refi`] | REFI-QDA projects (.qdpx): writing, reading, bringing into a project |
//! | [`import`] | reading transcript files (text, Markdown, Word, WebVTT, SRT) into the store |
//! | [`check`] | integrity checks of a project |
//! | [`demo`] | the demo project built from the fictional samples |
//! | [`format`], [`files`], [`xml`] | the ground floor: numbers for people, atomic file writes, XML text |
//! | [`synth`] | generated fictional transcripts with known identifiers (evaluation, benchmarks) |
//! | [`words`], [`offsets`] | what a word is; character ↔ byte offsets |
//! | [`cli`] | the command-line interface |
//! | [`tui`] | the terminal UI (state, actions, rendering apart; no I/O while drawing) |

pub mod agreement;
pub mod anchor;
pub mod anonymise;
pub mod change;
pub mod check;
pub mod cli;
pub mod codebook;
pub mod coding;
pub mod corpus;
pub mod demo;
pub mod error;
pub mod export;
pub mod files;
pub mod format;
pub mod groups;
pub mod history;
pub mod import;
pub mod keyfile;
pub mod lexicon;
pub mod memo;
pub mod merge;
pub mod offsets;
pub mod privacy;
pub mod project;
pub mod refi;
pub mod search;
pub mod store;
pub mod synth;
pub mod transcript;
pub mod tui;
pub mod words;
pub mod xml;

pub use error::{Error, Result};
