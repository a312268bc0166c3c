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
    /// The key entry's pseudonym, e.g. `PERSON-3` (the first, where several entries hold the
    /// same original: one per participant, when the same word was a name for several).
    pub entry: String,
    /// The other entries holding the same original, in the key's order of their labels.
    pub other_entries: Vec<String>,
    /// Where it was first found: a table and row of the database, or a file.
    pub file: String,
    /// The byte offset of that first place in the file (0 for a database value).
    pub offset: usize,
    /// How many times it was found in that table or file. Each original is reported once per
    /// table or file, so that a word found everywhere cannot flood the report.
    pub count: usize,
}

/// Findings gathered once per original and table or file, with a count.
#[derive(Default)]
struct Gathered {
    findings: Vec<Finding>,
    /// Place (a table or a file) → original → its finding.
    at: std::collections::HashMap<String, std::collections::HashMap<usize, usize>>,
}

impl Gathered {
    fn add(
        &mut self,
        original: usize,
        entries: &[String],
        place: &str,
        first: impl FnOnce() -> (String, usize),
    ) {
        if !self.at.contains_key(place) {
            self.at.insert(place.to_owned(), Default::default());
        }
        let here = self.at.get_mut(place).expect("inserted above");
        match here.get(&original) {
            Some(&i) => self.findings[i].count += 1,
            None => {
                let (file, offset) = first();
                here.insert(original, self.findings.len());
                self.findings.push(Finding {
                    entry: entries[0].clone(),
                    other_entries: entries[1..].to_vec(),
                    file,
                    offset,
                    count: 1,
                });
            }
        }
    }
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

/// How an original is matched: the anonymiser's own rules, so that the check reports what
/// import would have replaced and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Matching {
    /// A name that is no ordinary word: in any case.
    AnyCase,
    /// Later words of a full name ("Bakker" of "Piet Bakker"): as written only.
    AsWritten,
    /// A name that is also an ordinary word ("Roos", "Grace", "Visser", "Hoorn"): as written,
    /// and not where the anonymiser reads it as the word ("Will I", "Dan heb je").
    Ordinary,
}

/// Whether an original is an ordinary word of Dutch or English (every word of it, for a
/// name of several words, where lower-case words count as particles: "van", "de").
fn is_ordinary(original: &str) -> bool {
    let word =
        |w: &str| crate::anonymise::is_common_word(w) || crate::anonymise::is_ordinary_word(w, "");
    if original.contains(' ') {
        original
            .split(' ')
            .all(|w| word(w) || w.chars().all(char::is_lowercase))
    } else {
        word(original)
    }
}

/// Whether the match at bytes `s..e` reads as the ordinary word, by the anonymiser's rule, in
/// the text around it (up to 200 bytes each side, as far as they are text).
fn reads_as_the_word(hay: &[u8], s: usize, e: usize) -> bool {
    let mut from = s.saturating_sub(200);
    while from < s
        && (std::str::from_utf8(&hay[from..s]).is_err()
            || hay[from..s].iter().any(|&b| is_binary(b)))
    {
        from += 1;
    }
    let to = (e + 200).min(hay.len());
    let after = match std::str::from_utf8(&hay[e..to]) {
        Ok(t) => t,
        Err(err) => std::str::from_utf8(&hay[e..e + err.valid_up_to()]).unwrap_or(""),
    };
    let after = &after[..after
        .find(|c: char| c < ' ' && c != '\n' && c != '\t' && c != '\r')
        .unwrap_or(after.len())];
    let (Ok(before), Ok(word)) = (
        std::str::from_utf8(&hay[from..s]),
        std::str::from_utf8(&hay[s..e]),
    ) else {
        return false;
    };
    let text = format!("{before}{word}{after}");
    crate::anonymise::reads_as_the_word(&text, before.len(), before.len() + word.len())
}

/// A byte that is no part of text: SQLite's record headers, page pointers, lengths.
fn is_binary(b: u8) -> bool {
    b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')
}

/// Whether a letter or digit (in UTF-8, so "é" counts and "’" does not) ends right before `s`.
fn letter_before(hay: &[u8], s: usize) -> bool {
    (1..=4.min(s)).any(|n| {
        std::str::from_utf8(&hay[s - n..s])
            .ok()
            .and_then(|t| t.chars().next_back())
            .is_some_and(char::is_alphanumeric)
    })
}

/// Whether a letter or digit starts at `e`.
fn letter_after(hay: &[u8], e: usize) -> bool {
    let end = (e + 4).min(hay.len());
    (e + 1..=end).any(|n| {
        std::str::from_utf8(&hay[e..n])
            .ok()
            .and_then(|t| t.chars().next())
            .is_some_and(char::is_alphanumeric)
    })
}

/// One match of an original in a value or file.
#[derive(Clone, Copy)]
struct Hit {
    original: usize,
    start: usize,
    end: usize,
    /// Not continued by a letter or digit on either side.
    whole_word: bool,
    /// A binary byte right before or after it: in a raw file, a word may run on across a page.
    at_binary: bool,
}

/// One original to search for, with every key entry that holds it (the same word can be a
/// name for several participants, each with an entry and a pseudonym of their own).
struct Original {
    text: String,
    matching: Matching,
    /// Six characters or more: searched for inside other words too in raw bytes, where pages
    /// run values together.
    long: bool,
    /// The labels of the entries holding it (`PERSON-3`, `name list: PLACE`), first seen first.
    entries: Vec<String>,
}

/// How much of a file is searched at once: files are read in windows of this size (with a
/// margin each side), so that a database of any size is checked in bounded memory.
const WINDOW: usize = 8 << 20;

/// Reads `path` in windows of [`WINDOW`] bytes with `margin` bytes of the file before and
/// after each, and calls `each(bytes, offset of bytes in the file, the starts it owns)`: every
/// byte of the file is owned by one window, and a match owned by a window lies whole inside
/// its bytes, with `margin` bytes of context, when `margin` covers the longest pattern.
fn in_windows(
    path: &Path,
    margin: usize,
    mut each: impl FnMut(&[u8], usize, std::ops::Range<usize>),
) -> Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len() as usize;
    let mut bytes = Vec::new();
    let mut pos: usize = 0;
    loop {
        let from = pos.saturating_sub(margin);
        let to = (pos + WINDOW + margin).min(len);
        bytes.clear();
        file.seek(SeekFrom::Start(from as u64))
            .and_then(|_| (&mut file).take((to - from) as u64).read_to_end(&mut bytes))
            .map_err(|e| Error::io(path, e))?;
        let owned_end = (pos + WINDOW).min(from + bytes.len());
        each(&bytes, from, pos - from..owned_end.max(pos) - from);
        pos += WINDOW;
        if pos >= len {
            return Ok(());
        }
    }
}

/// Searches the project for every original in the key: each text value in the database (as
/// whole words), and the raw bytes of the database, its write-ahead log and the index, where
/// freed pages and old versions could keep text (whole words for short originals; anywhere
/// for originals of six characters or more, since raw pages run values together). Names that
/// are also ordinary words are matched as the anonymiser matches them (as written, not
/// opening a sentence before a subject pronoun), and a raw match cut off by a page's binary
/// bytes is not reported when the database's own text holds those letters inside a longer
/// word (the rest of that word is on the next page). Each original is searched for once,
/// however many entries hold it, and files are read in windows: the time grows with the
/// bytes and the matches, the memory with the key.
pub fn check(project: &Path, conn: &rusqlite::Connection, key: &Key) -> Result<Report> {
    let files = files_of(project);
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
    let matching = |o: &str| {
        if is_ordinary(o) {
            Matching::Ordinary
        } else if surname_parts.contains(o) {
            Matching::AsWritten
        } else {
            Matching::AnyCase
        }
    };
    // (original, how it is matched, the entry's label)
    let mut listed: Vec<(String, Matching, String)> = key
        .entries
        .iter()
        .map(|e| {
            (
                e.original.to_string(),
                matching(&e.original),
                format!("{}-{}", e.category, e.number),
            )
        })
        .collect();
    for n in &key.names {
        for t in std::iter::once(&n.text).chain(&n.variants) {
            listed.push((t.clone(), matching(t), format!("name list: {}", n.category)));
        }
    }
    // A surname alone is as telling as the full name.
    for e in key.entries.iter().filter(|e| e.category == "PERSON") {
        for part in e.original.split_whitespace().skip(1) {
            if part.chars().count() >= 4 && part.chars().next().is_some_and(char::is_uppercase) {
                let how = if is_ordinary(part) {
                    Matching::Ordinary
                } else {
                    Matching::AsWritten
                };
                listed.push((part.to_owned(), how, format!("{}-{}", e.category, e.number)));
            }
        }
    }
    // An original the researcher put back in a document on purpose is no leak, nor are the
    // words inside it (the first name of a full name put back).
    listed.retain(|(o, _, _)| !key.restored.iter().any(|r| r.original == *o));
    let restored = aho_corasick::AhoCorasick::new(key.restored.iter().map(|r| &r.original)).ok();
    let restored_spans = |hay: &[u8]| -> Vec<(usize, usize)> {
        restored.as_ref().map_or(Vec::new(), |ac| {
            ac.find_overlapping_iter(hay)
                .map(|m| (m.start(), m.end()))
                .collect()
        })
    };
    let inside =
        |spans: &[(usize, usize)], h: &Hit| spans.iter().any(|&(s, e)| s <= h.start && h.end <= e);
    // One original per word and way of matching, with the entries that hold it where its
    // category makes it specific enough to search for.
    let mut originals: Vec<Original> = Vec::new();
    let mut position: std::collections::HashMap<(String, Matching), usize> = Default::default();
    let mut seen: std::collections::HashSet<(usize, String)> = Default::default();
    let mut distinct: std::collections::HashSet<&str> = Default::default();
    for (text, how, label) in &listed {
        distinct.insert(text);
        if !checkable(text, label.split('-').next().unwrap_or("")) {
            continue;
        }
        let i = *position.entry((text.clone(), *how)).or_insert_with(|| {
            originals.push(Original {
                text: text.clone(),
                matching: *how,
                long: text.chars().count() >= 6,
                entries: Vec::new(),
            });
            originals.len() - 1
        });
        if seen.insert((i, label.clone())) {
            originals[i].entries.push(label.clone());
        }
    }
    drop(seen);
    let checked: std::collections::HashSet<&str> =
        originals.iter().map(|o| o.text.as_str()).collect();
    let skipped = distinct.len() - checked.len();
    let checked = checked.len();

    // One automaton per way of matching (any case or as written; every length or long ones),
    // so every value and every file is read once whatever the number of originals.
    let finder = |any_case: bool, long_only: bool| -> Finder {
        let chosen: Vec<usize> = (0..originals.len())
            .filter(|&i| {
                (originals[i].matching == Matching::AnyCase) == any_case
                    && (originals[i].long || !long_only)
            })
            .collect();
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(any_case)
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(chosen.iter().map(|&i| originals[i].text.as_bytes()))
            .ok();
        (ac, chosen)
    };
    let all = [finder(true, false), finder(false, false)];
    let long = [finder(true, true), finder(false, true)];
    // The matches starting at `starts`. `raw`: whole words only, but long originals that are
    // no ordinary word anywhere (the raw bytes' search), so that a short original inside a
    // great many longer words costs nothing.
    let scan = |hay: &[u8], starts: std::ops::Range<usize>, set: &[Finder], raw: bool| {
        let mut hits = Vec::new();
        for (ac, chosen) in set {
            let Some(ac) = ac else { continue };
            for m in ac.find_overlapping_iter(hay) {
                let (s, e) = (m.start(), m.end());
                if !starts.contains(&s) {
                    continue;
                }
                let original = chosen[m.pattern().as_usize()];
                let o = &originals[original];
                let whole_word = !letter_before(hay, s) && !letter_after(hay, e);
                if raw && !whole_word && (!o.long || o.matching == Matching::Ordinary) {
                    continue;
                }
                // Where the anonymiser reads a name that is a word as the word, so does this.
                if o.matching == Matching::Ordinary && reads_as_the_word(hay, s, e) {
                    continue;
                }
                let before = s.checked_sub(1).map(|i| hay[i]);
                let after = hay.get(e).copied();
                hits.push(Hit {
                    original,
                    start: s,
                    end: e,
                    whole_word,
                    at_binary: before.is_some_and(is_binary) || after.is_some_and(is_binary),
                });
            }
        }
        hits
    };
    // Originals the database's text holds inside longer words ("Hoorn" in "Hoornbloem").
    let mut inside_words = vec![false; originals.len()];

    let mut gathered = Gathered::default();
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
        let place = format!("table {table}");
        let mut row_number = 0;
        while let Some(row) = rows.next()? {
            row_number += 1;
            for c in 0..columns {
                if let Ok(rusqlite::types::ValueRef::Text(bytes)) = row.get_ref(c) {
                    let kept = restored_spans(bytes);
                    for hit in scan(bytes, 0..bytes.len(), &all, false) {
                        if inside(&kept, &hit) {
                            continue;
                        }
                        if !hit.whole_word {
                            inside_words[hit.original] = true;
                            continue;
                        }
                        let o = &originals[hit.original];
                        gathered.add(hit.original, &o.entries, &place, || {
                            (format!("table {table}, row {row_number}"), 0)
                        });
                    }
                }
            }
        }
    }
    // Raw bytes: whole words for short originals, anywhere for long ones (pages run values
    // together). Index files are compressed binary: a short original would match noise there,
    // and their words come only from the database's text, which is checked above.
    let index_roots: Vec<PathBuf> = std::iter::once(project.join(crate::search::INDEX_DIR))
        .chain(crate::search::discarded_dirs(project))
        .collect();
    // Enough around each window for the longest pattern and the context a name that is a
    // word is read in.
    let margin = originals
        .iter()
        .map(|o| o.text.len())
        .chain(key.restored.iter().map(|r| r.original.len()))
        .max()
        .unwrap_or(0)
        + 256;
    for f in &files {
        let in_index = index_roots.iter().any(|root| f.starts_with(root));
        let shown = f.display().to_string();
        in_windows(f, margin, |bytes, offset, starts| {
            let kept = restored_spans(bytes);
            let set = if in_index { &long } else { &all };
            for h in scan(bytes, starts, set, true) {
                if (h.at_binary && inside_words[h.original]) || inside(&kept, &h) {
                    continue;
                }
                let o = &originals[h.original];
                gathered.add(h.original, &o.entries, &shown, || {
                    (shown.clone(), offset + h.start)
                });
            }
        })?;
    }
    let findings = gathered.findings;
    Ok(Report {
        ok: findings.is_empty(),
        originals_checked: checked,
        originals_skipped: skipped,
        files: files.iter().map(|f| f.display().to_string()).collect(),
        findings,
    })
}

/// An automaton and, for each of its patterns, the original it stands for.
type Finder = (Option<aho_corasick::AhoCorasick>, Vec<usize>);

#[cfg(test)]
mod tests {
    use super::*;

    /// A project folder with a database holding `values`, a raw file holding `raw`, and a key
    /// naming `names` (original, category).
    /// The entries found, each once.
    fn checked(
        names: &[(&str, &str)],
        values: &[&str],
        raw: &[u8],
    ) -> std::collections::BTreeSet<String> {
        let dir = tempfile::tempdir().unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("narrata.db")).unwrap();
        conn.execute("CREATE TABLE turns (text TEXT)", []).unwrap();
        for v in values {
            conn.execute("INSERT INTO turns VALUES (?1)", [v]).unwrap();
        }
        // Not a WAL database: the shared-memory file is only bytes to search here.
        std::fs::write(dir.path().join("narrata.db-shm"), raw).unwrap();
        let mut key = Key::new("test");
        for (original, category) in names {
            key.pseudonym(original, category, "test");
        }
        let report = check(dir.path(), &conn, &key).unwrap();
        report.findings.into_iter().map(|f| f.entry).collect()
    }

    #[test]
    fn an_original_found_everywhere_is_reported_once_per_place_with_a_count() {
        let dir = tempfile::tempdir().unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("narrata.db")).unwrap();
        conn.execute("CREATE TABLE turns (text TEXT)", []).unwrap();
        for _ in 0..500 {
            conn.execute(
                "INSERT INTO turns VALUES ('ik sprak Henk en toen Henk weer')",
                [],
            )
            .unwrap();
        }
        let mut key = Key::new("test");
        key.pseudonym("Henk", "PERSON", "test");
        let report = check(dir.path(), &conn, &key).unwrap();
        let in_table: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.file.starts_with("table turns"))
            .collect();
        assert_eq!(in_table.len(), 1, "{:?}", report.findings);
        assert_eq!(in_table[0].count, 1000, "every occurrence is counted");
        assert_eq!(
            in_table[0].file, "table turns, row 1",
            "the first place is named"
        );
        assert!(!report.ok);
    }

    #[test]
    fn a_name_in_the_text_is_found_in_any_case_and_with_a_curly_possessive() {
        let found = checked(&[("Henk", "PERSON")], &["ik zag henk’s fiets"], b"");
        assert_eq!(found, ["PERSON-1".to_owned()].into(), "{found:?}");
        let found = checked(&[("Henk", "PERSON")], &["ik zag Henkie"], b"");
        assert!(found.is_empty(), "a longer word is not the name: {found:?}");
    }

    #[test]
    fn a_name_that_is_an_ordinary_word_is_reported_only_where_it_reads_as_a_name() {
        let names = [
            ("Visser", "PERSON"),
            ("Will", "PERSON"),
            ("Hoorn", "PLACE"),
            ("Dan", "PERSON"),
        ];
        // The words themselves, and the names where they open a sentence as the word: no alarm.
        let ordinary = [
            "mijn opa was een visser.",
            "Will I ever get better? I will.",
            "hij blies op de hoorn",
            "Nee. Dan heb je het wel gehad.",
        ];
        let found = checked(&names, &ordinary, b"");
        assert!(found.is_empty(), "{found:?}");
        // As a name inside a sentence: reported.
        let found = checked(
            &names,
            &["ik belde Visser gisteren", "we woonden in Hoorn"],
            b"",
        );
        assert_eq!(found, ["PERSON-1".to_owned(), "PLACE-1".to_owned()].into());
    }

    #[test]
    fn a_lower_case_original_that_is_a_word_of_either_language_is_reported_only_as_a_name() {
        // Entries made for lower-case mentions in English interviews ("me and dan went"):
        // the same words are everyday Dutch and must not be reported there.
        let names = [("dan", "PERSON"), ("daar", "PERSON"), ("joska", "PERSON")];
        let dutch = ["en dan gingen we daar naartoe", "Daar heb je het weer."];
        let found = checked(&names, &dutch, b"");
        assert!(found.is_empty(), "{found:?}");
        // After a verb of meeting the anonymiser reads them as names, and so does the check; a
        // lower-case original that is no word of either language is reported anywhere.
        let found = checked(&names, &["ik belde dan gisteren nog"], b"");
        assert_eq!(found, ["PERSON-1".to_owned()].into(), "{found:?}");
        let found = checked(&names, &["we gingen met joska weg"], b"");
        assert_eq!(found, ["PERSON-3".to_owned()].into(), "{found:?}");
    }

    #[test]
    fn a_word_cut_by_a_page_is_no_leak_but_a_lone_original_in_raw_bytes_is() {
        let names = [("Hoornaar", "PLACE"), ("Sandra", "PERSON")];
        let live = ["de Hoornaarsedijk liep langs het water"];
        // An overflow page: the word's first letters, then the next page's pointer and the rest.
        let mut raw = b"langs de Hoornaar".to_vec();
        raw.extend([0, 0, 0, 7]);
        raw.extend(b"sedijk liep");
        let found = checked(&names, &live, &raw);
        assert!(found.is_empty(), "{found:?}");
        // The same bytes with a name the live text does not hold inside a word: a leak.
        let mut raw = b"met Sandra".to_vec();
        raw.extend([0, 0, 0, 7]);
        let found = checked(&names, &live, &raw);
        assert_eq!(found, ["PERSON-1".to_owned()].into(), "{found:?}");
    }

    #[test]
    fn a_name_held_by_several_participants_entries_is_searched_once_and_reported_with_them_all() {
        let dir = tempfile::tempdir().unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("narrata.db")).unwrap();
        conn.execute("CREATE TABLE turns (text TEXT)", []).unwrap();
        conn.execute(
            "INSERT INTO turns VALUES ('toen kwam Henk en Henk bleef')",
            [],
        )
        .unwrap();
        let mut key = Key::new("test");
        for participant in ["S001", "S002", "S003"] {
            key.pseudonym_in("Henk", "PERSON", Some(participant), "test");
        }
        assert_eq!(key.entries.len(), 3, "one entry per participant");
        let report = check(dir.path(), &conn, &key).unwrap();
        let in_table: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.file.starts_with("table turns"))
            .collect();
        assert_eq!(in_table.len(), 1, "{:?}", report.findings);
        assert_eq!(
            in_table[0].count, 2,
            "each occurrence counted once, not once per entry"
        );
        let mut entries = vec![in_table[0].entry.clone()];
        entries.extend(in_table[0].other_entries.iter().cloned());
        entries.sort();
        assert_eq!(entries, ["PERSON-1", "PERSON-2", "PERSON-3"]);
        assert_eq!(report.originals_checked, 1);
    }

    #[test]
    fn a_file_larger_than_a_window_is_searched_whole_across_the_window_edges() {
        // Spaces, with the name across the first window's edge, right after the second's, and
        // in the last bytes of the file.
        let mut raw = vec![b' '; 2 * WINDOW + 100];
        let places = [WINDOW - 3, 2 * WINDOW, 2 * WINDOW + 94];
        for &at in &places {
            raw[at..at + 6].copy_from_slice(b"Sandra");
        }
        let dir = tempfile::tempdir().unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("narrata.db")).unwrap();
        std::fs::write(dir.path().join("narrata.db-shm"), &raw).unwrap();
        let mut key = Key::new("test");
        key.pseudonym("Sandra", "PERSON", "test");
        let report = check(dir.path(), &conn, &key).unwrap();
        let raw_findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.file.ends_with("narrata.db-shm"))
            .collect();
        assert_eq!(raw_findings.len(), 1, "{:?}", report.findings);
        assert_eq!(raw_findings[0].count, places.len(), "each found once");
        assert_eq!(raw_findings[0].offset, places[0], "the first place");
        // A short name is found as a whole word only, and whether a letter touches it is
        // read across the window's edge.
        let mut key = Key::new("test");
        key.pseudonym("Anna", "PERSON", "test");
        let mut raw = vec![b' '; WINDOW + 100];
        raw[WINDOW - 2..WINDOW + 2].copy_from_slice(b"Anna");
        let found = |raw: &[u8]| {
            std::fs::write(dir.path().join("narrata.db-shm"), raw).unwrap();
            check(dir.path(), &conn, &key).unwrap().findings.len()
        };
        assert_eq!(found(&raw), 1);
        raw[WINDOW - 3] = b'x';
        assert_eq!(found(&raw), 0, "xAnna is no name");
        raw[WINDOW - 3] = b' ';
        raw[WINDOW + 2] = b's';
        assert_eq!(found(&raw), 0, "Annas is no name either");
    }
}
