//! Proving that original identifiers stayed in the key: `privacy-check` decrypts the key and
//! searches the project's database files (with their write-ahead log) and the index folder,
//! byte for byte, for every original it holds.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::keyfile::Key;

/// Where an original was found (the original itself is never reported).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// The key entry's pseudonym, e.g. `PERSON-3`.
    pub entry: String,
    pub file: String,
    pub offset: usize,
}

/// The outcome of a privacy check.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub ok: bool,
    pub originals_checked: usize,
    /// Originals too short or too common to search for without false alarms (ages, months,
    /// two-letter names), counted, not checked.
    pub originals_skipped: usize,
    pub files: Vec<String>,
    pub findings: Vec<Finding>,
}

fn files_of(project: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = [
        "narrata.db",
        "narrata.db-wal",
        "narrata.db-shm",
        "narrata.db-journal",
    ]
    .iter()
    .map(|f| project.join(f))
    .filter(|p| p.is_file())
    .collect();
    // The index, and any index folder a crash left renamed for deletion.
    let mut stack = vec![project.join(crate::search::INDEX_DIR)];
    stack.extend(crate::search::discarded_dirs(project));
    while let Some(dir) = stack.pop() {
        if let Ok(rd) = std::fs::read_dir(&dir) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    files.push(p);
                }
            }
        }
    }
    files
}

/// Whether an original is specific enough to search for.
fn checkable(original: &str, category: &str) -> bool {
    let chars = original.chars().count();
    let digits = original.chars().filter(char::is_ascii_digit).count();
    match category {
        "AGE" => false,
        "DATE" => digits >= 1 && chars >= 6,
        _ if digits > 0 && digits * 2 >= chars => digits >= 5,
        _ => chars >= 3,
    }
}

/// Searches the project for every original in the key: each text value in the database (as
/// whole words), and the raw bytes of the database, its write-ahead log and the index, where
/// freed pages and old versions could keep text (whole words for short originals; anywhere
/// for originals of six characters or more, since raw pages run values together).
pub fn check(project: &Path, conn: &rusqlite::Connection, key: &Key) -> Result<Report> {
    let files = files_of(project);
    // (original, its label, whether any case counts). An original that is also a common word
    // ("Roos", "Mail") is searched as written: the word itself may stand in the text, as the
    // detector leaves it.
    // The later words of a full name ("Bakker" of "Piet Bakker") are found and replaced as
    // written only (the anonymiser's rule: "Bakker" the surname, not "bakker" the baker); an
    // entry made for such a word alone is checked the same way, or every ordinary use of the
    // word would be reported.
    let surname_parts: std::collections::HashSet<&str> = key
        .entries
        .iter()
        .filter(|e| e.category == "PERSON")
        .flat_map(|e| e.original.split(' ').skip(1))
        .filter(|w| w.chars().count() >= 3 && w.chars().next().is_some_and(char::is_uppercase))
        .collect();
    let any_case = |o: &str| !crate::anonymise::is_common_word(o) && !surname_parts.contains(o);
    let mut originals: Vec<(String, String, bool)> = key
        .entries
        .iter()
        .map(|e| {
            (
                e.original.clone(),
                format!("{}-{}", e.category, e.number),
                any_case(&e.original),
            )
        })
        .collect();
    for n in &key.names {
        for t in std::iter::once(&n.text).chain(&n.variants) {
            originals.push((t.clone(), format!("name list: {}", n.category), any_case(t)));
        }
    }
    // A surname alone is as telling as the full name.
    for e in key.entries.iter().filter(|e| e.category == "PERSON") {
        for part in e.original.split_whitespace().skip(1) {
            if part.chars().count() >= 4 && part.chars().next().is_some_and(char::is_uppercase) {
                // As written only: "Bakker" the surname, not "bakker" the baker.
                originals.push((
                    part.to_owned(),
                    format!("{}-{}", e.category, e.number),
                    false,
                ));
            }
        }
    }
    // An original the researcher put back in a document on purpose is no leak.
    originals.retain(|(o, _, _)| !key.restored.iter().any(|r| r.original == *o));
    originals.sort();
    originals.dedup();
    let total = originals.len();
    originals.retain(|(o, label, _)| checkable(o, label.split('-').next().unwrap_or("")));
    let skipped = total - originals.len();

    // One automaton per way of matching (any case or as written; whole words or anywhere),
    // so every value and every file is read once whatever the number of originals.
    let finder = |any_case: bool,
                  min_chars: usize|
     -> (Option<aho_corasick::AhoCorasick>, Vec<usize>) {
        let chosen: Vec<usize> = (0..originals.len())
            .filter(|&i| originals[i].2 == any_case && originals[i].0.chars().count() >= min_chars)
            .collect();
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(any_case)
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(chosen.iter().map(|&i| originals[i].0.as_bytes()))
            .ok();
        (ac, chosen)
    };
    let matchers = [finder(true, 0), finder(false, 0)];
    let long = [finder(true, 6), finder(false, 6)];
    let scan = |hay: &[u8],
                set: &[(Option<aho_corasick::AhoCorasick>, Vec<usize>)],
                whole_words: bool|
     -> Vec<(usize, usize)> {
        let mut hits = Vec::new();
        for (ac, chosen) in set {
            let Some(ac) = ac else { continue };
            for m in ac.find_overlapping_iter(hay) {
                let (s, e) = (m.start(), m.end());
                let before = s.checked_sub(1).map(|i| hay[i]);
                let after = hay.get(e).copied();
                let bounded = !before.is_some_and(|b| b.is_ascii_alphanumeric())
                    && !after.is_some_and(|b| b.is_ascii_alphanumeric());
                if !whole_words || bounded {
                    hits.push((chosen[m.pattern().as_usize()], s));
                }
            }
        }
        hits
    };

    let mut findings = Vec::new();
    // Database values, table by table, as whole words.
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\""))?;
        let columns = stmt.column_count();
        let mut rows = stmt.query([])?;
        let mut row_number = 0;
        while let Some(row) = rows.next()? {
            row_number += 1;
            for c in 0..columns {
                if let Ok(rusqlite::types::ValueRef::Text(bytes)) = row.get_ref(c) {
                    for (i, _) in scan(bytes, &matchers, true) {
                        findings.push(Finding {
                            entry: originals[i].1.clone(),
                            file: format!("table {table}, row {row_number}"),
                            offset: 0,
                        });
                    }
                }
            }
        }
    }
    // Raw bytes: whole words for short originals, anywhere for long ones (pages run values
    // together).
    let index_roots: Vec<PathBuf> = std::iter::once(project.join(crate::search::INDEX_DIR))
        .chain(crate::search::discarded_dirs(project))
        .collect();
    for f in &files {
        let bytes = std::fs::read(f).map_err(|e| Error::io(f, e))?;
        // Index files are compressed binary: a short original would match noise there, and
        // their words come only from the database's text, which is checked above.
        let in_index = index_roots.iter().any(|root| f.starts_with(root));
        let mut hits = if in_index {
            Vec::new()
        } else {
            scan(&bytes, &matchers, true)
        };
        hits.extend(scan(&bytes, &long, false));
        hits.sort();
        hits.dedup();
        for (i, offset) in hits {
            findings.push(Finding {
                entry: originals[i].1.clone(),
                file: f.display().to_string(),
                offset,
            });
        }
    }
    Ok(Report {
        ok: findings.is_empty(),
        originals_checked: originals.len(),
        originals_skipped: skipped,
        files: files.iter().map(|f| f.display().to_string()).collect(),
        findings,
    })
}
