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
    let mut stack = vec![project.join("index")];
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

/// Byte offsets where `needle` occurs in `hay` (as a whole word when `whole_words`; ASCII
/// case ignored when `any_case`).
fn occurrences(hay: &[u8], needle: &[u8], any_case: bool, whole_words: bool) -> Vec<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return Vec::new();
    }
    let finder = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(any_case)
        .build([needle])
        .ok();
    let Some(finder) = finder else {
        return Vec::new();
    };
    finder
        .find_iter(hay)
        .map(|m| (m.start(), m.end()))
        .filter(|&(s, e)| {
            let before = s.checked_sub(1).map(|i| hay[i]);
            let after = hay.get(e).copied();
            !whole_words
                || (!before.is_some_and(|b| b.is_ascii_alphanumeric())
                    && !after.is_some_and(|b| b.is_ascii_alphanumeric()))
        })
        .map(|(s, _)| s)
        .collect()
}

/// Searches the project for every original in the key: each text value in the database (as
/// whole words), and the raw bytes of the database, its write-ahead log and the index, where
/// freed pages and old versions could keep text (whole words for short originals; anywhere
/// for originals of six characters or more, since raw pages run values together).
pub fn check(project: &Path, conn: &rusqlite::Connection, key: &Key) -> Result<Report> {
    let files = files_of(project);
    // (original, its label, whether any case counts)
    let mut originals: Vec<(String, String, bool)> = key
        .entries
        .iter()
        .map(|e| {
            (
                e.original.clone(),
                format!("{}-{}", e.category, e.number),
                true,
            )
        })
        .collect();
    for n in &key.names {
        for t in std::iter::once(&n.text).chain(&n.variants) {
            originals.push((t.clone(), format!("name list: {}", n.category), true));
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
    originals.sort();
    originals.dedup();
    let total = originals.len();
    originals.retain(|(o, label, _)| checkable(o, label.split('-').next().unwrap_or("")));
    let skipped = total - originals.len();

    let mut findings = Vec::new();
    // Database values, table by table.
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
                    for (original, label, any_case) in &originals {
                        if !occurrences(bytes, original.as_bytes(), *any_case, true).is_empty() {
                            findings.push(Finding {
                                entry: label.clone(),
                                file: format!("table {table}, row {row_number}"),
                                offset: 0,
                            });
                        }
                    }
                }
            }
        }
    }
    // Raw bytes.
    for f in &files {
        let bytes = std::fs::read(f).map_err(|e| Error::io(f, e))?;
        for (original, label, any_case) in &originals {
            let whole_words = original.chars().count() < 6;
            for offset in occurrences(&bytes, original.as_bytes(), *any_case, whole_words) {
                findings.push(Finding {
                    entry: label.clone(),
                    file: f.display().to_string(),
                    offset,
                });
            }
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

#[cfg(test)]
mod tests {
    use super::occurrences;

    #[test]
    fn whole_words_only_case_ignored() {
        assert_eq!(
            occurrences(b"xx Leiden, leidend LEIDEN", b"Leiden", true, true),
            vec![3, 19]
        );
        assert_eq!(
            occurrences(b"xx Leiden, leidend LEIDEN", b"Leiden", false, true),
            vec![3]
        );
        assert!(occurrences(b"Keesje", b"Kees", true, true).is_empty());
        assert_eq!(
            occurrences(
                b"titleVlamingsdonkindividual",
                b"Vlamingsdonk",
                false,
                false
            ),
            vec![5]
        );
    }
}
