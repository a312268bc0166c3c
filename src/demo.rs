//! The demo project: the fictional sample interviews shipped in `samples/`, the Dutch CHIME
//! codebook from `codebooks/` and the codings a reader made of the samples
//! (`samples/codings/`), all embedded in the binary and put into a project folder so a
//! newcomer can try every command at once. Building it twice is harmless: nothing already
//! there is added again.

use std::path::Path;

use serde::Serialize;

use crate::codebook::{self, file as codebook_file};
use crate::corpus;
use crate::error::{Error, Result};
use crate::import::{self, Anonymise, Options, Source};
use crate::store::{DB_FILE, Store};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The codebook the demo codes with.
pub const DEMO_CODEBOOK: &str = "chime-herstel.nl.yaml";

/// What the demo holds after building.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub project: String,
    pub name: String,
    pub documents: usize,
    pub participants: usize,
    pub waves: Vec<String>,
    pub words: i64,
    pub codes: usize,
    pub codings: usize,
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
    // The samples are fictional and stored as written: their gold identifier lists and the
    // demo codings refer to the words as written, and the demo is about trying the tool.
    let options = Options {
        anonymise: Anonymise::Off,
        ..Options::default()
    };
    let report = import::import(&mut store, coder, sources, &options, None, &mut |_, _| {})?;
    // The samples are narrata's own: one that does not import is a fault here, not input.
    if let Some(f) = report.files.iter().find(|f| f.status == "refused") {
        return Err(Error::input(&f.file, f.reason.clone().unwrap_or_default()));
    }
    let (_, bytes) = CODEBOOKS
        .iter()
        .find(|(name, _)| *name == DEMO_CODEBOOK)
        .ok_or_else(|| {
            Error::NotFound(format!("the demo codebook {DEMO_CODEBOOK} is not built in"))
        })?;
    let book = codebook_file::parse(bytes, "yaml").map_err(|r| Error::input(DEMO_CODEBOOK, r))?;
    codebook_file::import(&mut store, coder, &book, DEMO_CODEBOOK)?;
    apply_codings(&mut store)?;
    if !crate::search::is_current(&store)? {
        crate::search::rebuild(&store)?;
    }
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
        codes: codebook::codes(store.conn())?.len(),
        codings: docs.iter().map(|d| d.codings as usize).sum(),
        imported_now: report.imported,
        took_ms: report.took_ms,
    })
}

/// One file of `samples/codings/`: quotes of one transcript with the code a reader gave them.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoCodings {
    file: String,
    coder: String,
    codings: Vec<DemoCoding>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoCoding {
    code: String,
    quote: String,
    #[serde(default)]
    occurrence: Option<usize>,
}

/// Applies the demo codings, one action per coder; codings already there are not added again.
fn apply_codings(store: &mut Store) -> Result<()> {
    let mut by_coder: std::collections::BTreeMap<String, Vec<(i64, i64, i64, codebook::Code)>> =
        Default::default();
    let codes = codebook::codes(store.conn())?;
    for (name, bytes) in DEMO_CODINGS {
        let text = std::str::from_utf8(bytes).map_err(|e| Error::input(*name, e.to_string()))?;
        let file: DemoCodings =
            serde_saphyr::from_str(text).map_err(|e| Error::input(*name, e.to_string()))?;
        let doc: i64 = store
            .conn()
            .query_row(
                "SELECT id FROM documents WHERE source_name = ?1",
                [&file.file],
                |r| r.get(0),
            )
            .map_err(|_| Error::input(*name, format!("no document comes from {}", file.file)))?;
        let doc_text = corpus::text(store.conn(), doc)?;
        for c in &file.codings {
            let code = codebook::find_in(&codes, &c.code)
                .map_err(|e| Error::input(*name, e.to_string()))?;
            let nth = c.occurrence.unwrap_or(1).max(1);
            let byte = doc_text
                .match_indices(c.quote.as_str())
                .nth(nth - 1)
                .map(|(b, _)| b)
                .ok_or_else(|| {
                    Error::input(
                        *name,
                        format!("the quote is not in {}: {}", file.file, c.quote),
                    )
                })?;
            let start = doc_text[..byte].chars().count() as i64;
            let end = start + c.quote.chars().count() as i64;
            by_coder
                .entry(file.coder.clone())
                .or_default()
                .push((doc, start, end, code.clone()));
        }
    }
    for (coder, items) in by_coder {
        let existing: i64 = store.conn().query_row(
            "SELECT count(*) FROM codings g JOIN coders k ON k.id = g.coder_id WHERE k.name = ?1",
            [&coder],
            |r| r.get(0),
        )?;
        if existing >= items.len() as i64 {
            continue;
        }
        store.action(&coder, |a| {
            let mut added = 0;
            for (doc, start, end, code) in &items {
                if crate::coding::add_in(a, *doc, *start, *end, code)?.new {
                    added += 1;
                }
            }
            a.audit(
                "demo codings",
                "project",
                serde_json::json!({"added": added}),
            )?;
            Ok(())
        })?;
    }
    Ok(())
}
