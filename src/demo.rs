//! The demo project: the fictional sample interviews shipped in `samples/` (embedded in the
//! binary), imported into a project folder so a newcomer can try every command at once.
//! Building it twice is harmless: files already imported are skipped.

use std::path::Path;

use serde::Serialize;

use crate::corpus;
use crate::error::Result;
use crate::import::{self, Anonymise, Options, Source};
use crate::store::{DB_FILE, Store};

include!(concat!(env!("OUT_DIR"), "/samples.rs"));

/// What the demo holds after building.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub project: String,
    pub name: String,
    pub documents: usize,
    pub participants: usize,
    pub waves: Vec<String>,
    pub words: i64,
    pub imported_now: usize,
    pub took_ms: u128,
}

/// Builds (or refreshes) the demo project in `dir`.
pub fn build(dir: &Path, coder: &str) -> Result<Summary> {
    let mut store = if dir.join(DB_FILE).is_file() {
        Store::open(dir)?
    } else {
        crate::project::init(dir, Some("narrata demo (fictional interviews)"), "nl")?
    };
    let sources = SAMPLES
        .iter()
        .map(|(name, bytes)| Source {
            name: (*name).to_owned(),
            bytes: bytes.to_vec(),
        })
        .collect();
    // The samples are fictional; until anonymisation exists they are stored as written.
    let options = Options {
        anonymise: Anonymise::Off,
        ..Options::default()
    };
    let report = import::import(&mut store, coder, sources, &options, &mut |_, _| {})?;
    let docs = corpus::documents(store.conn())?;
    Ok(Summary {
        project: dir.display().to_string(),
        name: store.project()?.name,
        documents: docs.len(),
        participants: corpus::participants(store.conn())?.len(),
        waves: corpus::waves(store.conn())?
            .into_iter()
            .map(|w| w.name)
            .collect(),
        words: docs.iter().map(|d| d.words).sum(),
        imported_now: report.imported,
        took_ms: report.took_ms,
    })
}
