//! narrata: a terminal workbench for qualitative research on narrative interviews.
//!
//! The library is the whole product; the `narrata` binary's command line (`cli`) and terminal
//! UI (`tui`) are front-ends over it. The layers, the table of modules (one concept each), the
//! life of one action and the undoable and non-undoable write paths are described in
//! `docs/ARCHITECTURE.md`; each module's own documentation says what it owns.

pub mod agreement;
pub mod analysis;
pub mod anchor;
pub mod anonymise;
pub mod attributes;
pub mod change;
pub mod chart;
pub mod check;
pub mod cli;
pub mod codebook;
pub mod coding;
pub mod corpus;
pub mod csv;
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
pub mod parallel;
pub mod privacy;
pub mod project;
pub mod refi;
pub mod search;
pub mod store;
pub mod suggest;
pub mod transcript;
pub mod tui;
pub mod words;
pub mod xml;

pub use error::{Error, Result};
