//! The pseudonym key: the only place where original identifiers live. It maps each original
//! (normalised) to its pseudonym number, holds the researcher's own list of names to find, and
//! (in keys written before schema 9) the log of replacements. Its file, the passphrase and the
//! identity that opens it are [`file`]'s.
//!
//! About 50 of its lines are its tests; the rest is the key and its indexes.

use std::collections::BTreeMap;

use crate::lexicon::HashMap;

use serde::{Deserialize, Serialize};

mod file;
mod interned;

pub use file::{
    DEFAULT_WORK_FACTOR, IDENTITY_FILE, KEY_FILE, forget, identity_path, load, open_or_new,
    passphrase, path, save,
};
pub use interned::Interned;

/// Identifier categories, with their labels in Dutch and English pseudonyms.
pub const CATEGORIES: &[(&str, &str, &str)] = &[
    ("PERSON", "PERSOON", "PERSON"),
    ("PLACE", "PLAATS", "PLACE"),
    ("ORGANISATION", "ORGANISATIE", "ORGANISATION"),
    ("ADDRESS", "ADRES", "ADDRESS"),
    ("POSTCODE", "POSTCODE", "POSTCODE"),
    ("DATE", "DATUM", "DATE"),
    ("AGE", "LEEFTIJD", "AGE"),
    ("PHONE", "TELEFOON", "PHONE"),
    ("EMAIL", "EMAIL", "EMAIL"),
    ("URL", "URL", "URL"),
    ("BSN", "BSN", "BSN"),
    ("IBAN", "IBAN", "IBAN"),
    ("ID", "NUMMER", "NUMBER"),
];

/// The canonical category name for what a user typed (`persoon`, `person`, `PLAATS`…).
pub fn category(name: &str) -> Option<&'static str> {
    let n = name.trim().to_uppercase();
    CATEGORIES
        .iter()
        .find(|(c, nl, en)| *c == n || *nl == n || *en == n || (n == "NUMBER" && *c == "ID"))
        .map(|(c, _, _)| *c)
}

/// The category and number of a pseudonym as written in any language (`[PERSOON-3]`,
/// `PERSON-3`, `person-3`).
pub fn parse_label(label: &str) -> Option<(&'static str, u32)> {
    let inner = label.trim().trim_start_matches('[').trim_end_matches(']');
    let (name, number) = inner.rsplit_once('-')?;
    let number: u32 = number.parse().ok()?;
    let upper = name.to_uppercase();
    CATEGORIES
        .iter()
        .find(|(c, nl, en)| *c == upper || *nl == upper || *en == upper)
        .map(|(c, _, _)| (*c, number))
}

/// One original and its pseudonym. Several originals may share a pseudonym: the forms of one
/// person's name ("Tom", "Tom Hendriks", "Tommie"), or names the researcher linked.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// Boxed: a key may hold hundreds of thousands of entries, and a `String`'s spare capacity
    /// word is of no use to a text that never grows.
    pub original: Box<str>,
    /// Shared with every entry of the category, as `created` and `scope` are with every entry
    /// of their import and participant: see [`Interned`].
    pub category: Interned,
    pub number: u32,
    pub created: Interned,
    /// For a person named in a participant's documents: that participant. The same name in
    /// another participant's story is another person (two brothers called Mark) unless the
    /// researcher links them. Empty for every other entry, and for keys written before scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Interned>,
}

/// A name the researcher asked to find, with its spelling variants.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Name {
    pub text: String,
    pub category: String,
    #[serde(default)]
    pub variants: Vec<String>,
    /// Only in this participant's documents, if set.
    #[serde(default)]
    pub participant: Option<String>,
}

/// One line of the key's log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LogEntry {
    pub at: String,
    pub coder: String,
    /// `auto`, `accept`, `reject`, `redact`.
    pub action: String,
    pub document: String,
    pub start: usize,
    pub end: usize,
    pub category: String,
    pub pseudonym: String,
    pub confidence: f32,
    /// The rule or list that found the identifier (`year`, `person-after-title-or-kin`,
    /// `mention`…), or what the researcher did (`redact`); empty in keys written before
    /// rules were recorded.
    #[serde(default)]
    pub rule: String,
}

/// A transcript held for review (`--anonymise review`): its original text stays here, in the
/// encrypted key, until `anonymise apply` stores it with the accepted replacements.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Staged {
    pub id: u32,
    pub file: String,
    pub sha256: String,
    pub format: String,
    pub flags: crate::transcript::study::Flags,
    pub transcript: crate::transcript::Transcript,
    pub suggestions: Vec<Suggestion>,
    pub staged: String,
    pub coder: String,
}

/// One identifier the detector suggests in a staged transcript.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Suggestion {
    pub id: u32,
    pub start: usize,
    pub end: usize,
    pub category: String,
    pub confidence: f32,
    /// `pending`, `accepted` or `rejected`; pending ones are replaced on apply (the safe default).
    pub decision: String,
    /// The rule or list that found it.
    #[serde(default)]
    pub rule: String,
}

/// An original put back in one document by `anonymise restore --doc`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Restored {
    pub original: String,
    /// The document's GUID.
    pub document: String,
}

/// The decrypted key.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Key {
    pub version: u32,
    pub project: String,
    pub entries: Vec<Entry>,
    #[serde(default)]
    pub names: Vec<Name>,
    /// The anonymisation log of projects from before schema 9; newer entries are in the
    /// database (`anonymisation_log`): read both with [`log`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<LogEntry>,
    #[serde(default)]
    pub staged: Vec<Staged>,
    /// Words a researcher restored everywhere (`anonymise restore`): not identifiers in this
    /// project; the detector leaves them alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep: Vec<String>,
    /// Originals a researcher put back in one document only: not a leak there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restored: Vec<Restored>,
    /// [`indexed`] (scope, normalised original) → entry.
    #[serde(skip)]
    index: HashMap<Box<str>, u32>,
    /// (scope, first two or last three letters of a word of the original) → people: where a
    /// new name looks for the forms of the same person's name without a pass over the key.
    #[serde(skip)]
    by_prefix: HashMap<String, Vec<u32>>,
    /// [`org_keys`] → organisations: where a name looks for the organisation it may be another
    /// name of. (They were in `by_prefix`: every name of a 900-participant import compared
    /// itself with the hundreds of organisations sharing two letters with it, 70 % of the
    /// import's replacement pass.)
    #[serde(skip)]
    by_org: HashMap<String, Vec<u32>>,
    /// The highest number given in each category: a new pseudonym needs no pass over the key
    /// (that pass made a large first import quadratic in its identifiers). Saved, so that a
    /// number whose entries a restore removed is never given to another word.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    highest: BTreeMap<String, u32>,
    /// Each lower-case word of an original → the entries whose original has it: a short text
    /// (a title, an attribute) looks only at the entries that share a word with it, not at
    /// every entry (that pass, for every field of every file, was a third of a large import).
    #[serde(skip)]
    by_word: HashMap<String, Vec<u32>>,
}

/// The words of a text, in lower case, as the key's word lookup splits them.
fn lower_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// How an original is compared: case and spacing ignored; for numbers only the digits count.
pub fn normalise(original: &str) -> String {
    let lower = original.to_lowercase();
    let digits: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if !digits.is_empty()
        && digits.chars().filter(|c| c.is_ascii_digit()).count() * 2 >= digits.len()
    {
        return digits;
    }
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Key {
    /// A new, empty key for a project.
    pub fn new(project: &str) -> Key {
        Key {
            version: 1,
            project: project.to_owned(),
            ..Key::default()
        }
    }

    fn reindex(&mut self) {
        self.index = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let key = indexed(e.scope.as_deref(), &normalise(&e.original));
                (key.into_boxed_str(), i as u32)
            })
            .collect();
        self.by_prefix.clear();
        self.by_org.clear();
        for i in 0..self.entries.len() {
            self.index_prefixes(i);
        }
        // The highest number of each category ever given, from the saved numbers, the entries
        // and an old key's log (a number whose entries a restore removed is never given to
        // another word).
        for e in &self.entries {
            let n = self.highest.entry(e.category.to_string()).or_default();
            *n = (*n).max(e.number);
        }
        for l in &self.log {
            if let Some((c, number)) = parse_label(&l.pseudonym) {
                let n = self.highest.entry(c.to_owned()).or_default();
                *n = (*n).max(number);
            }
        }
        self.by_word.clear();
        for i in 0..self.entries.len() {
            self.index_words(i);
        }
    }

    fn index_words(&mut self, i: usize) {
        let words: Vec<String> = lower_words(&self.entries[i].original).collect();
        let i = i as u32;
        for w in words {
            let list = self.by_word.entry(w).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }

    /// The entries that share a word with `text` (any case), each once, in key order; `None`
    /// while the lookups are not built (a key just read: the caller looks at every entry).
    pub fn entries_sharing_a_word(&self, text: &str) -> Option<Vec<usize>> {
        if self.index.len() != self.entries.len() {
            return None;
        }
        let mut found: Vec<usize> = lower_words(text)
            .filter_map(|w| self.by_word.get(&w))
            .flatten()
            .map(|&i| i as usize)
            .collect();
        found.sort_unstable();
        found.dedup();
        Some(found)
    }

    /// Each entry in `indices`.
    pub fn entries_at(&self, indices: &[usize]) -> Vec<&Entry> {
        indices
            .iter()
            .filter_map(|&i| self.entries.get(i))
            .collect()
    }

    /// Rebuilds the lookups after entries were changed in place (a correction).
    pub fn reindexed(&mut self) {
        self.reindex();
    }

    /// The next unused number of a category, taken.
    pub fn next_number(&mut self, category: &str) -> u32 {
        if self.index.len() != self.entries.len() {
            self.reindex();
        }
        let highest = self.highest.entry(category.to_owned()).or_default();
        *highest += 1;
        *highest
    }

    fn index_prefixes(&mut self, at: usize) {
        let e = &self.entries[at];
        let i = at as u32;
        if !matches!(e.category.as_str(), "PERSON" | "ORGANISATION") {
            return;
        }
        if e.category == "ORGANISATION" {
            for k in org_keys(&e.original) {
                self.by_org.entry(k).or_default().push(i);
            }
            return;
        }
        let scope = e.scope.clone();
        let mut keys: Vec<String> = e
            .original
            .split_whitespace()
            .flat_map(|w| [prefix2(w), suffix3(w)])
            .filter(|p| p.trim_start_matches('$').chars().count() >= 2)
            .collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            self.by_prefix
                .entry(indexed(scope.as_deref(), &k))
                .or_default()
                .push(i);
        }
    }

    /// The pseudonym of an original found in no participant's documents in particular
    /// (see [`Key::pseudonym_in`]).
    pub fn pseudonym(&mut self, original: &str, category: &str, at: &str) -> (String, u32) {
        self.pseudonym_in(original, category, None, at)
    }

    /// The pseudonym number of an original, assigning one the first time it is seen. The same
    /// original always gets the same pseudonym. A person's name is looked up in `scope` (the
    /// participant whose documents name them) first and then among the names of no
    /// participant; a new name that is a form of exactly one person's name in the same scope
    /// ("Tom" of "Tom Hendriks", "Daantje" of "Daan", "San" of "Sanne") gets that person's
    /// pseudonym; any other new name the next number of its category.
    pub fn pseudonym_in(
        &mut self,
        original: &str,
        category: &str,
        scope: Option<&str>,
        at: &str,
    ) -> (String, u32) {
        if self.index.len() != self.entries.len() {
            self.reindex();
        }
        let norm = normalise(original);
        // The same words already in the key, in this participant's scope or in none, keep
        // their pseudonym whatever the category found this time ("Kompas" the organisation
        // and "Kompas" taken for a name are one).
        for s in [scope, None] {
            if let Some(&i) = self.index.get(indexed(s, &norm).as_str()) {
                let e = &self.entries[i as usize];
                return (e.category.to_string(), e.number);
            }
            if scope.is_none() {
                break;
            }
        }
        let (category, number) = match self.same_entity(original, category, scope) {
            Some(found) => found,
            None => {
                let highest = self.highest.entry(category.to_owned()).or_default();
                *highest += 1;
                (category.to_owned(), *highest)
            }
        };
        let category = category.as_str();
        // Only people belong to a participant: places and organisations are the project's.
        let scope = if category == "PERSON" { scope } else { None };
        // A key grows by a quarter at a time, not by doubling: at 300,000 entries a doubling
        // held the old list and a new one twice its size at once.
        if self.entries.len() == self.entries.capacity() {
            self.entries.reserve_exact(self.entries.len() / 4 + 64);
        }
        self.entries.push(Entry {
            original: original.into(),
            category: Interned::new(category),
            number,
            created: Interned::new(at),
            scope: scope.map(Interned::new),
        });
        let i = self.entries.len() - 1;
        self.index
            .insert(indexed(scope, &norm).into_boxed_str(), i as u32);
        self.index_prefixes(i);
        self.index_words(i);
        (category.to_owned(), number)
    }

    /// The pseudonym of the one person or organisation that `original` is another form of, if
    /// there is exactly one: a person of `scope` (or of none) whose name it is a form of (see
    /// [`crate::lexicon::variants::related`]), or an organisation whose name it is part of
    /// or the initials of.
    fn same_entity(
        &self,
        original: &str,
        category: &str,
        scope: Option<&str>,
    ) -> Option<(String, u32)> {
        use crate::lexicon::variants;
        if !matches!(category, "PERSON" | "ORGANISATION") {
            return None;
        }
        // Its words, and the names a traditional short form stands for ("Eck": "Alec").
        let mut words: Vec<&str> = original.split_whitespace().collect();
        for w in original.split_whitespace() {
            words.extend(variants::traditional(w).collect::<Vec<&'static str>>());
        }
        let keys: Vec<String> = words
            .iter()
            .flat_map(|w| [prefix2(w), suffix3(w)])
            .collect();
        let mut found: Vec<(String, u32)> = Vec::new();
        let scopes: &[Option<&str>] = match scope {
            Some(_) => &[scope, None],
            None => &[None],
        };
        for &s in scopes {
            for k in &keys {
                let Some(candidates) = self.by_prefix.get(&indexed(s, k)) else {
                    continue;
                };
                for &i in candidates {
                    let e = &self.entries[i as usize];
                    let id = (e.category.to_string(), e.number);
                    if variants::related(original, &e.original) && !found.contains(&id) {
                        found.push(id);
                    }
                }
            }
            // Organisations are the project's: looked for with the names of no one's.
            if s.is_none() {
                let mut orgs: Vec<u32> = org_keys(original)
                    .iter()
                    .filter_map(|k| self.by_org.get(k))
                    .flatten()
                    .copied()
                    .collect();
                orgs.sort_unstable();
                orgs.dedup();
                for i in orgs {
                    let e = &self.entries[i as usize];
                    let id = (e.category.to_string(), e.number);
                    // Initials are the strongest tie: "ECRS" is the one organisation whose
                    // initials they are (the first given them), whatever else begins with
                    // "Eastbrook".
                    if variants::initials_of(original, &e.original) {
                        return Some(id);
                    }
                    if variants::same_organisation(original, &e.original) && !found.contains(&id) {
                        found.push(id);
                    }
                }
            }
            // A person of this participant comes before a name of no one's.
            if !found.is_empty() {
                break;
            }
        }
        (found.len() == 1).then(|| found.remove(0))
    }

    /// The originals narrata must never find outside this key.
    pub fn originals(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .map(|e| &*e.original)
            .chain(self.names.iter().flat_map(|n| {
                std::iter::once(n.text.as_str()).chain(n.variants.iter().map(String::as_str))
            }))
    }
}

/// How a key of the key's indexes is written: the scope (empty for no participant), a unit
/// separator, the rest.
fn indexed(scope: Option<&str>, rest: &str) -> String {
    let scope = scope.unwrap_or("");
    let mut s = String::with_capacity(scope.len() + 1 + rest.len());
    s.push_str(scope);
    s.push('\u{1f}');
    s.push_str(rest);
    s
}

/// The first two letters of a word, lower case: most forms of one name share them ("Ty" and
/// "Tyler", "Gaz" and "Gary").
/// The keys under which an organisation's name is found by its other names, and with which a
/// name looks for them. Two names of one organisation ([`crate::lexicon::variants::same_organisation`],
/// [`crate::lexicon::variants::initials_of`]) always share one: the same first word (one name is
/// the other's beginning), the first word of one and the second of the other when the other's
/// first says what kind of body it is ("VV Sparta Noord", "Sparta"), or the initials.
fn org_keys(name: &str) -> Vec<String> {
    use crate::lexicon::variants::initials;
    let trimmed = name.trim();
    let bare = ["'s", "’s"]
        .iter()
        .find_map(|p| trimmed.strip_suffix(p))
        .unwrap_or(trimmed);
    let words: Vec<&str> = bare.split_whitespace().collect();
    let mut keys = Vec::new();
    if let Some(first) = words.first() {
        keys.push(format!("={}", first.to_lowercase()));
        if words.len() > 1 && crate::lexicon::organisations::is_org_head(first) {
            keys.push(format!("={}", words[1].to_lowercase()));
        }
    }
    for s in [trimmed, bare] {
        keys.push(format!(
            "#{}",
            initials(s).unwrap_or_else(|| s.to_owned()).to_lowercase()
        ));
    }
    keys.sort();
    keys.dedup();
    keys
}

fn prefix2(word: &str) -> String {
    word.chars().take(2).flat_map(char::to_lowercase).collect()
}

/// The last three letters of a word, lower case and marked: forms that leave off the front
/// share them ("Nouk" and "Anouk").
fn suffix3(word: &str) -> String {
    let lower: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
    let tail: String = lower[lower.len().saturating_sub(3)..].iter().collect();
    format!("${tail}")
}

/// The text of a pseudonym in a document's language, e.g. `[PERSOON-3]` or `[PERSON-3]`.
pub fn label(category: &str, number: u32, language: &str) -> String {
    let (_, nl, en) = CATEGORIES
        .iter()
        .find(|(c, _, _)| *c == category)
        .copied()
        .unwrap_or(("ID", "NUMMER", "NUMBER"));
    format!("[{}-{number}]", if language == "nl" { nl } else { en })
}

/// Where the pseudonyms stand in `text`: the character spans `[start, end)` of every label such
/// as `[PERSOON-3]` or `[PLACE-12]`, in order. A pseudonym is one unit: no span a user makes
/// (a redaction, a coding, a selection) may start or end inside one.
pub fn pseudonym_spans(text: &str) -> Vec<(usize, usize)> {
    static PATTERN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        let mut labels: Vec<&str> = CATEGORIES
            .iter()
            .flat_map(|(_, nl, en)| [*nl, *en])
            .collect();
        labels.sort_unstable();
        labels.dedup();
        regex::Regex::new(&format!(r"\[(?:{})-[0-9]+\]", labels.join("|")))
            .expect("the pseudonym pattern is valid")
    });
    let mut spans = Vec::new();
    let (mut byte, mut chars) = (0, 0);
    for m in pattern.find_iter(text) {
        chars += text[byte..m.start()].chars().count();
        let start = chars;
        chars += m.as_str().chars().count();
        byte = m.end();
        spans.push((start, chars));
    }
    spans
}

/// The first pseudonym among `spans` that `[start, end)` cuts: one that an end of the span
/// falls strictly inside.
pub fn cut_pseudonym(spans: &[(usize, usize)], start: usize, end: usize) -> Option<(usize, usize)> {
    spans
        .iter()
        .copied()
        .find(|&(s, e)| (s < start && start < e) || (s < end && end < e))
}

/// `[start, end)` widened so that it starts and ends outside every pseudonym in `spans`.
pub fn widen_to_pseudonyms(spans: &[(usize, usize)], start: usize, end: usize) -> (usize, usize) {
    let (mut start, mut end) = (start, end);
    for &(s, e) in spans {
        if s < start && start < e {
            start = s;
        }
        if s < end && end < e {
            end = e;
        }
    }
    (start, end)
}

/// The anonymisation log, oldest first: the key's own entries (written before the log moved
/// to the database) and the database's, of one document (by GUID) or all.
pub fn log(
    conn: &rusqlite::Connection,
    key: &Key,
    document: Option<&str>,
) -> crate::error::Result<Vec<LogEntry>> {
    let mut out: Vec<LogEntry> = key
        .log
        .iter()
        .filter(|l| document.is_none_or(|d| d == l.document))
        .cloned()
        .collect();
    let mut stmt = conn.prepare_cached(
        "SELECT at, coder, action, document, start, end, category, pseudonym, confidence, rule
         FROM anonymisation_log WHERE ?1 IS NULL OR document = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([document], |r| {
        Ok(LogEntry {
            at: r.get(0)?,
            coder: r.get(1)?,
            action: r.get(2)?,
            document: r.get(3)?,
            start: r.get::<_, i64>(4)? as usize,
            end: r.get::<_, i64>(5)? as usize,
            category: r.get(6)?,
            pseudonym: r.get(7)?,
            confidence: r.get::<_, f64>(8)? as f32,
            rule: r.get(9)?,
        })
    })?;
    for row in rows {
        out.push(row?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key holds an entry for every original of a study (290,000 at 900 participants in the
    /// benchmark corpus): each byte of an entry is some hundreds of KB of an import's peak.
    #[test]
    fn a_key_entry_stays_small_and_reads_back_as_written() {
        assert_eq!(
            std::mem::size_of::<Interned>(),
            std::mem::size_of::<usize>()
        );
        assert!(
            std::mem::size_of::<Entry>() <= 48,
            "{}",
            std::mem::size_of::<Entry>()
        );
        let entry = Entry {
            original: "Tom Hendriks".into(),
            category: Interned::new("PERSON"),
            number: 7,
            created: Interned::new("2026-12-06T22:00:00Z"),
            scope: Some(Interned::new("P014")),
        };
        let json = serde_json::to_string(&entry).unwrap();
        assert_eq!(
            json,
            r#"{"original":"Tom Hendriks","category":"PERSON","number":7,"created":"2026-12-06T22:00:00Z","scope":"P014"}"#
        );
        assert_eq!(serde_json::from_str::<Entry>(&json).unwrap(), entry);
    }

    #[test]
    fn pseudonyms_are_found_by_their_labels_in_characters() {
        let text = "Één keer zag ik [PERSOON-3] in [PLACE-12]; [NIET-1] en [PERSON-] niet.";
        let spans = pseudonym_spans(text);
        assert_eq!(spans, vec![(16, 27), (31, 41)]);
        let chars: Vec<char> = text.chars().collect();
        let first: String = chars[16..27].iter().collect();
        assert_eq!(first, "[PERSOON-3]");
        assert_eq!(cut_pseudonym(&spans, 10, 20), Some((16, 27)));
        assert_eq!(cut_pseudonym(&spans, 16, 27), None);
        assert_eq!(cut_pseudonym(&spans, 0, 16), None);
        assert_eq!(cut_pseudonym(&spans, 28, 35), Some((31, 41)));
        assert_eq!(widen_to_pseudonyms(&spans, 20, 33), (16, 41));
        assert_eq!(widen_to_pseudonyms(&spans, 0, 5), (0, 5));
    }

    #[test]
    fn an_organisation_is_found_by_its_other_names_and_only_by_them() {
        let mut k = Key::new("p");
        let swz = k.pseudonym("Stichting Wonen Zuiderkamp", "ORGANISATION", "t");
        let sparta = k.pseudonym("VV Sparta Noord", "ORGANISATION", "t");
        let kompas = k.pseudonym("Kompas Verslavingszorg", "ORGANISATION", "t");
        // Initials, the name without the word for its kind, the name's beginning, a
        // possessive; for a name found as a person's too (the key's places and organisations
        // are the project's, looked for from every participant's scope).
        assert_eq!(k.pseudonym("SWZ", "ORGANISATION", "t"), swz);
        assert_eq!(k.pseudonym("Sparta Noord", "ORGANISATION", "t"), sparta);
        assert_eq!(
            k.pseudonym_in("Kompas's", "PERSON", Some("P01"), "t"),
            kompas
        );
        // And the other way round: the short name first, the long one after.
        let mut k = Key::new("p");
        let gr = k.pseudonym("GR", "ORGANISATION", "t");
        assert_eq!(k.pseudonym("GGZ Rijnvliet", "ORGANISATION", "t"), gr);
        // Two letters in common make no tie.
        let other = k.pseudonym("Groenhuis", "ORGANISATION", "t");
        assert_ne!(other, gr);
        assert_ne!(k.pseudonym_in("Grietje", "PERSON", Some("P01"), "t"), other);
    }

    #[test]
    fn the_same_original_always_gets_the_same_pseudonym() {
        let mut k = Key::new("p");
        assert_eq!(
            k.pseudonym("Ria Verhoeven", "PERSON", "t"),
            ("PERSON".into(), 1)
        );
        assert_eq!(k.pseudonym("Kees", "PERSON", "t"), ("PERSON".into(), 2));
        assert_eq!(
            k.pseudonym("ria  verhoeven", "PERSON", "t"),
            ("PERSON".into(), 1)
        );
        assert_eq!(k.pseudonym("Leiden", "PLACE", "t"), ("PLACE".into(), 1));
        assert_eq!(
            k.pseudonym("06-12345678", "PHONE", "t"),
            ("PHONE".into(), 1)
        );
        assert_eq!(
            k.pseudonym("06 12 34 56 78", "PHONE", "t"),
            ("PHONE".into(), 1)
        );
        assert_eq!(label("PERSON", 2, "nl"), "[PERSOON-2]");
        assert_eq!(label("ID", 1, "en"), "[NUMBER-1]");
    }
}
