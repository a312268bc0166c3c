//! The demo project: the fictional sample interviews shipped in `samples/`, the Dutch CHIME
//! codebook from `codebooks/` and the codings a reader made of the samples
//! (`samples/codings/`), all embedded in the binary and put into a project folder so a
//! newcomer can try every command at once. The interviews are anonymised on import, as a
//! study's would be, with a key under a passphrase the demo prints ([`DEMO_PASSPHRASE`]):
//! the names are fictional, so the key protects nothing, and is there to try the review,
//! `anonymise` and `privacy-check`. The demo codings name their quotes as written in the
//! samples; each is placed on the same words of the anonymised text. Building it twice is
//! harmless: nothing already there is added again.

use std::path::Path;

use serde::Serialize;

use crate::codebook::{self, file as codebook_file};
use crate::corpus;
use crate::error::{Error, Result};
use crate::import::{self, Anonymise, Options, Privacy, Source};
use crate::keyfile::{self, Key};
use crate::store::{DB_FILE, Store};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The codebook the demo codes with.
pub const DEMO_CODEBOOK: &str = "chime-herstel.nl.yaml";

/// The demo project's name (the terminal UI shows a first-run tour in it).
pub const DEMO_NAME: &str = "narrata demo (fictional interviews)";

/// The passphrase of the demo's pseudonym key, printed by `narrata demo`. The demo's people
/// are fictional: this key guards nothing, and no study's key should ever use it.
pub const DEMO_PASSPHRASE: &str = "demo-fictional-only";

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
    /// Identifiers replaced by pseudonyms in the stored texts (the key's entries).
    pub pseudonyms: usize,
    /// The key's passphrase, for `anonymise`, `privacy-check` and the review view.
    pub passphrase: String,
}

/// Builds (or refreshes) the demo project in `dir`.
pub fn build(dir: &Path, coder: &str) -> Result<Summary> {
    let mut store = if dir.join(DB_FILE).is_file() {
        Store::open(dir)?
    } else {
        crate::project::init(dir, Some(DEMO_NAME), "nl")?
    };
    let sources: Vec<Source> = SAMPLES
        .iter()
        .map(|(name, bytes)| Source {
            name: (*name).to_owned(),
            bytes: bytes.to_vec(),
        })
        .collect();
    let pass: age::secrecy::SecretString = DEMO_PASSPHRASE.to_owned().into();
    let mut key = keyfile::load(dir, &pass)?
        .unwrap_or_else(|| Key::new(&store.project().map(|p| p.guid).unwrap_or_default()));
    let root = dir.to_path_buf();
    let mut save = |k: &Key| keyfile::save(&root, k, &pass);
    let options = Options {
        anonymise: Anonymise::Auto,
        ..Options::default()
    };
    let report = import::import(
        &mut store,
        coder,
        &sources,
        &options,
        Some(Privacy {
            key: &mut key,
            save: &mut save,
        }),
        &mut |_, _| {},
    )?;
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
    apply_codings(&mut store, &sources, &key)?;
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
        pseudonyms: key.entries.len(),
        passphrase: DEMO_PASSPHRASE.to_owned(),
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

/// Where the replaced words of a text as written stand in its anonymised version: (start, end
/// as written, start, end as stored) per pseudonym, in characters. Each pseudonym of the
/// stored text stands for one of its key entries' originals (any case) at the place the
/// literal text before it ends (compared by letters and digits, in any case), and the literal
/// text after it must follow; of several ends that fit, the furthest is taken. `None` when the two texts do not correspond.
pub fn replaced_spans(
    plain: &str,
    stored: &str,
    key: &Key,
) -> Option<Vec<(usize, usize, usize, usize)>> {
    let plain: Vec<char> = plain.chars().collect();
    let stored_chars: Vec<char> = stored.chars().collect();
    let spans = keyfile::pseudonym_spans(stored);
    let mut out = Vec::with_capacity(spans.len());
    let (mut i, mut j) = (0usize, 0usize); // positions in plain and stored
    for (n, &(ps, pe)) in spans.iter().enumerate() {
        let literal = &stored_chars[j..ps];
        if !plain[i..].starts_with(literal) {
            return None;
        }
        i += literal.len();
        let label: String = stored_chars[ps..pe].iter().collect();
        let (category, number) = crate::keyfile::parse_label(&label)?;
        let next = spans.get(n + 1).map_or(stored_chars.len(), |s| s.0);
        let after = &stored_chars[pe..next];
        // Compared by letters and digits only, in any case: the key keeps phone numbers and
        // other numbers normalised ("06 1482 9370" for "06-14829370").
        let norm = |t: &mut dyn Iterator<Item = char>| -> String {
            t.filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let end = key
            .entries
            .iter()
            .filter(|e| e.category == category && e.number == number)
            .flat_map(|e| {
                let wanted = norm(&mut e.original.chars());
                let longest = e.original.chars().count() * 2 + 4;
                let plain = &plain;
                (i + 1..=(i + longest).min(plain.len())).filter(move |&end| {
                    norm(&mut plain[i..end].iter().copied()) == wanted
                        && plain[end..].starts_with(after)
                })
            })
            .max()?;
        out.push((i, end, ps, pe));
        i = end;
        j = pe;
    }
    (plain[i..] == stored_chars[j..]).then_some(out)
}

/// Applies the demo codings, one action per coder; codings already there are not added again.
/// A quote names words as the samples write them; it is found there and placed on the same
/// words of the stored, anonymised text (a quote that starts or ends inside a replaced name
/// takes the whole pseudonym).
fn apply_codings(store: &mut Store, sources: &[Source], key: &Key) -> Result<()> {
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
        let stored = corpus::text(store.conn(), doc)?;
        let source = sources
            .iter()
            .find(|s| s.name == file.file)
            .ok_or_else(|| Error::input(*name, format!("no sample is called {}", file.file)))?;
        let plain = import::read(source)
            .map_err(|r| Error::input(&file.file, r))?
            .text;
        let replaced = replaced_spans(&plain, &stored, key).ok_or_else(|| {
            Error::input(
                *name,
                format!(
                    "the stored text of {} does not follow the sample",
                    file.file
                ),
            )
        })?;
        // A place in the text as written, in the stored text: shifted by the replacements
        // before it, and out to a pseudonym's edge when inside one.
        let to_stored = |at: usize, is_end: bool| -> usize {
            let mut shift: i64 = 0;
            for &(s, e, ps, pe) in &replaced {
                if at <= s || (at == s && !is_end) {
                    break;
                }
                if at < e {
                    return if is_end { pe } else { ps };
                }
                shift += (pe - ps) as i64 - (e - s) as i64;
            }
            (at as i64 + shift) as usize
        };
        for c in &file.codings {
            let code = codebook::find_in(&codes, &c.code)
                .map_err(|e| Error::input(*name, e.to_string()))?;
            let nth = c.occurrence.unwrap_or(1).max(1);
            let byte = plain
                .match_indices(c.quote.as_str())
                .nth(nth - 1)
                .map(|(b, _)| b)
                .ok_or_else(|| {
                    Error::input(
                        *name,
                        format!("the quote is not in {}: {}", file.file, c.quote),
                    )
                })?;
            let from = plain[..byte].chars().count();
            let to = from + c.quote.chars().count();
            let start = to_stored(from, false) as i64;
            let end = to_stored(to, true) as i64;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaced_words_are_found_under_their_pseudonyms() {
        let mut key = Key::new("t");
        key.pseudonym("Marieke Jansen", "PERSON", "t");
        key.pseudonym("Ans", "PERSON", "t");
        key.pseudonym("06 1482 9370", "PHONE", "t");
        let plain = "Met marieke Jansen Ans en 06-14829370. Klaar.";
        let stored = "Met [PERSON-1] [PERSON-2] en [PHONE-1]. Klaar.";
        let spans = replaced_spans(plain, stored, &key).unwrap();
        let words: Vec<String> = spans
            .iter()
            .map(|&(s, e, _, _)| plain.chars().skip(s).take(e - s).collect())
            .collect();
        assert_eq!(words, ["marieke Jansen", "Ans", "06-14829370"]);
        assert_eq!(spans[0].2..spans[0].3, 4..14);
        // Texts that do not correspond are said to.
        assert!(replaced_spans("Met Piet.", stored, &key).is_none());
    }
}
