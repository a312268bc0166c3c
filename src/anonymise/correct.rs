//! Corrections after import: listing every replacement in the stored texts, and changing what
//! the detector decided. Two pseudonyms that are one person become one ([`link`]); one that is
//! two people becomes two, by document or participant ([`split`]); a pseudonym changes category
//! ([`relabel`]); a false positive gets its word back ([`restore`]); and a missed word is
//! redacted wherever it stands ([`redact_text`]).
//!
//! Every correction changes the key and the texts together, in the order that makes it safe
//! to stop at any moment (as a redaction does, see [`super::redact`]): the key is saved first,
//! the search index deleted, then every text changes in one action with its audit entry (turns
//! and codings re-anchored, so codings stay on their words), the write-ahead log is emptied and
//! the index rebuilt. A correction is taken back by its opposite: a link by a split, a relabel
//! by a relabel, a restore by a redaction.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::anchor;
use crate::corpus::{self, DocumentSummary};
use crate::error::{Error, Result};
use crate::keyfile::{self, CATEGORIES, Entry, Key, LogEntry, parse_label};
use crate::store::Store;

/// One pseudonym standing in a stored text.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Occurrence {
    pub doc: i64,
    pub participant: Option<String>,
    pub wave: Option<String>,
    pub start: usize,
    pub end: usize,
    pub pseudonym: String,
    pub category: String,
    /// The rule or list that found the identifier, or the correction that put it there
    /// (empty when the key does not say: keys written before rules were recorded).
    pub rule: String,
    /// Up to 30 characters either side, as stored (pseudonyms, never originals).
    pub context: String,
    /// The originals this pseudonym stands for (its forms): only when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub originals: Option<Vec<String>>,
}

/// What a correction changed.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Outcome {
    /// Places in the texts that changed.
    pub replaced: usize,
    pub documents: usize,
    pub codings_moved: usize,
    /// The pseudonym the correction gave (link, split, relabel, redact).
    pub pseudonym: Option<String>,
}

fn entries_of<'k>(key: &'k Key, category: &str, number: u32) -> Vec<&'k Entry> {
    key.entries
        .iter()
        .filter(|e| e.category == category && e.number == number)
        .collect()
}

fn known_pseudonym(key: &Key, label: &str) -> Result<(&'static str, u32)> {
    let (category, number) = parse_label(label).ok_or_else(|| {
        Error::Invalid(format!(
            "`{label}` is not a pseudonym; write it as it stands in the text, e.g. [PERSON-3]"
        ))
    })?;
    if entries_of(key, category, number).is_empty() {
        return Err(Error::Invalid(format!(
            "the key has no {category}-{number}; `narrata anonymise list` shows the pseudonyms in the texts"
        )));
    }
    Ok((category, number))
}

/// Every pseudonym in the stored texts (of one document, or all), with its rule and context;
/// with `originals`, the words each stands for.
pub fn list(
    conn: &rusqlite::Connection,
    key: &Key,
    doc: Option<i64>,
    originals: bool,
) -> Result<Vec<Occurrence>> {
    let docs = match doc {
        Some(id) => vec![corpus::document(conn, id)?],
        None => corpus::documents(conn)?,
    };
    let mut out = Vec::new();
    for d in docs {
        let text = corpus::text(conn, d.id)?;
        let chars: Vec<char> = text.chars().collect();
        // The log's entries for this document and pseudonym, in the order they were written:
        // the n-th occurrence of a pseudonym in the text is the n-th replacement made.
        let entries = keyfile::log(conn, key, Some(&d.guid))?;
        let mut rules: BTreeMap<&str, Vec<&LogEntry>> = BTreeMap::new();
        for l in &entries {
            if !l.pseudonym.is_empty() && l.action != "reject" {
                rules.entry(l.pseudonym.as_str()).or_default().push(l);
            }
        }
        for v in rules.values_mut() {
            v.sort_by_key(|l| (l.at.clone(), l.start));
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (s, e) in keyfile::pseudonym_spans(&text) {
            let pseudonym: String = chars[s..e].iter().collect();
            let Some((category, number)) = parse_label(&pseudonym) else {
                continue;
            };
            let n = seen.entry(pseudonym.clone()).or_default();
            let rule = rules
                .get(pseudonym.as_str())
                .and_then(|v| v.get(*n).or(v.last()))
                .map(|l| {
                    if l.rule.is_empty() {
                        l.action.clone()
                    } else {
                        l.rule.clone()
                    }
                })
                .unwrap_or_default();
            *n += 1;
            let before: String = chars[s.saturating_sub(30)..s].iter().collect();
            let after: String = chars[e..(e + 30).min(chars.len())].iter().collect();
            out.push(Occurrence {
                doc: d.id,
                participant: d.participant.clone(),
                wave: d.wave.clone(),
                start: s,
                end: e,
                pseudonym: pseudonym.clone(),
                category: category.to_owned(),
                rule,
                context: format!("{before}{pseudonym}{after}").replace('\n', " "),
                originals: originals.then(|| {
                    entries_of(key, category, number)
                        .iter()
                        .map(|e| e.original.to_string())
                        .collect()
                }),
            });
        }
    }
    Ok(out)
}

/// One change to one document's text: characters `[start, end)` become `text`.
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// Carries out the edits as the module documentation describes; `action` and `detail` go into
/// the audit log and the key's log.
#[allow(clippy::too_many_arguments)]
fn rewrite(
    store: &mut Store,
    coder: &str,
    key: &mut Key,
    save: &mut dyn FnMut(&Key) -> Result<()>,
    mut edits: BTreeMap<i64, (String, Vec<Edit>)>,
    action: &str,
    detail: serde_json::Value,
    pseudonym: Option<String>,
) -> Result<Outcome> {
    edits.retain(|_, (_, e)| !e.is_empty());
    let at = crate::store::now();
    let mut log = Vec::new();
    for (&id, (_, list)) in &edits {
        let d = corpus::document(store.conn(), id)?;
        for e in list {
            log.push(LogEntry {
                at: at.clone(),
                coder: coder.to_owned(),
                action: action.to_owned(),
                document: d.guid.clone(),
                start: e.start,
                end: e.start + e.text.chars().count(),
                category: parse_label(&e.text)
                    .map(|(c, _)| c.to_owned())
                    .unwrap_or_default(),
                pseudonym: if parse_label(&e.text).is_some() {
                    e.text.clone()
                } else {
                    String::new()
                },
                confidence: 1.0,
                rule: action.to_owned(),
            });
        }
    }
    save(key)?;
    if edits.is_empty() {
        return Ok(Outcome {
            pseudonym,
            ..Outcome::default()
        });
    }
    // The action deletes the search index before it commits and empties the write-ahead log
    // after (see `Store::action`); `search::follow` builds the index anew.
    let mut outcome = Outcome {
        pseudonym,
        documents: edits.len(),
        ..Outcome::default()
    };
    let report = store.action(coder, |a| {
        let mut moved = 0;
        let mut replaced = 0;
        for (&id, (planned, list)) in &mut edits {
            // Inside the action no other process can change the text: it must still read as
            // it did when the edits were planned, or the offsets would change other words.
            let now = corpus::text(a.conn(), id)?;
            if now != *planned {
                return Err(Error::Invalid(format!(
                    "the text of document {id} changed while the correction was prepared (another narrata process wrote to it); nothing was changed: run the correction again"
                )));
            }
            list.sort_by_key(|e| std::cmp::Reverse(e.start));
            for e in list.iter() {
                let r = anchor::replace(a, id, e.start, e.end, &e.text)?;
                moved += r.codings_moved;
                replaced += 1;
            }
        }
        a.log_replacements(&log)?;
        a.audit(action, "key", detail.clone())?;
        Ok((moved, replaced))
    })?;
    outcome.codings_moved = report.0;
    outcome.replaced = report.1;
    Ok(outcome)
}

/// Every place where a pseudonym `(category, number)` stands, per document, as edits to
/// `replacement(document)` (no edit where it returns `None`).
fn occurrences(
    store: &Store,
    category: &str,
    number: u32,
    docs: Option<&[i64]>,
    mut replacement: impl FnMut(&DocumentSummary) -> Option<String>,
) -> Result<BTreeMap<i64, (String, Vec<Edit>)>> {
    let mut edits = BTreeMap::new();
    for d in corpus::documents(store.conn())? {
        if docs.is_some_and(|only| !only.contains(&d.id)) {
            continue;
        }
        let Some(new) = replacement(&d) else { continue };
        let text = corpus::text(store.conn(), d.id)?;
        let chars: Vec<char> = text.chars().collect();
        let list: Vec<Edit> = keyfile::pseudonym_spans(&text)
            .into_iter()
            .filter(|&(s, e)| {
                let label: String = chars[s..e].iter().collect();
                parse_label(&label) == Some((category_static(category), number))
            })
            .map(|(s, e)| Edit {
                start: s,
                end: e,
                text: new.clone(),
            })
            .collect();
        edits.insert(d.id, (text, list));
    }
    Ok(edits)
}

fn category_static(category: &str) -> &'static str {
    keyfile::category(category).unwrap_or("ID")
}

/// Two pseudonyms are one person (or place, or organisation): every original of `merged`
/// takes `kept`'s pseudonym, in the key and in every text.
pub fn link(
    store: &mut Store,
    coder: &str,
    key: &mut Key,
    save: &mut dyn FnMut(&Key) -> Result<()>,
    kept: &str,
    merged: &str,
) -> Result<Outcome> {
    let (kc, kn) = known_pseudonym(key, kept)?;
    let (mc, mn) = known_pseudonym(key, merged)?;
    if (kc, kn) == (mc, mn) {
        return Err(Error::Invalid(format!(
            "{kept} and {merged} are the same pseudonym; nothing was changed"
        )));
    }
    let detail = serde_json::json!({"correction": "link", "kept": format!("{kc}-{kn}"), "merged": format!("{mc}-{mn}")});
    renumber(
        store,
        coder,
        key,
        save,
        (mc, mn),
        (kc, kn),
        "anonymise link",
        detail,
    )
}

/// Every entry and every occurrence of pseudonym `from` becomes `to` (a person's scope is kept;
/// other categories belong to the project), in the key and in every text.
#[allow(clippy::too_many_arguments)]
fn renumber(
    store: &mut Store,
    coder: &str,
    key: &mut Key,
    save: &mut dyn FnMut(&Key) -> Result<()>,
    from: (&'static str, u32),
    to: (&'static str, u32),
    action: &str,
    detail: serde_json::Value,
) -> Result<Outcome> {
    for e in key
        .entries
        .iter_mut()
        .filter(|e| e.category == from.0 && e.number == from.1)
    {
        e.category = to.0.into();
        e.number = to.1;
        if to.0 != "PERSON" {
            e.scope = None;
        }
    }
    key.reindexed();
    let edits = occurrences(store, from.0, from.1, None, |d| {
        Some(keyfile::label(to.0, to.1, &d.language))
    })?;
    rewrite(
        store,
        coder,
        key,
        save,
        edits,
        action,
        detail,
        Some(format!("{}-{}", to.0, to.1)),
    )
}

/// Which occurrences of a pseudonym a split takes: those in some documents, or in one
/// participant's documents.
#[derive(Debug, Clone)]
pub enum Part {
    Documents(Vec<i64>),
    Participant(String),
}

/// One pseudonym is two people: in the chosen documents it becomes a new pseudonym of the
/// same category. Split by participant, the key gives that participant's mentions of these
/// names the new pseudonym from now on (later imports too); split by document, the key
/// records the new pseudonym for the same names, and later imports of that participant keep
/// the old one unless the researcher splits again.
pub fn split(
    store: &mut Store,
    coder: &str,
    key: &mut Key,
    save: &mut dyn FnMut(&Key) -> Result<()>,
    pseudonym: &str,
    part: &Part,
) -> Result<Outcome> {
    let (c, n) = known_pseudonym(key, pseudonym)?;
    let docs: Vec<i64> = match part {
        Part::Documents(ids) => ids.clone(),
        Part::Participant(p) => corpus::documents(store.conn())?
            .into_iter()
            .filter(|d| d.participants.iter().any(|x| x == p))
            .map(|d| d.id)
            .collect(),
    };
    if docs.is_empty() {
        return Err(Error::Invalid(
            "no documents to split off; name documents or a participant that has some".into(),
        ));
    }
    let new = key.next_number(c);
    let at = crate::store::now();
    let scope = match part {
        Part::Participant(p) => Some(p.clone()),
        Part::Documents(_) => None,
    };
    let forms: Vec<Entry> = entries_of(key, c, n).into_iter().cloned().collect();
    for f in forms {
        match &scope {
            // The participant's own entries move; entries of no one gain a copy in the
            // participant's scope, so that the name there means the new person.
            Some(p) if f.scope.as_deref() == Some(p.as_str()) => {
                if let Some(e) = key.entries.iter_mut().find(|e| *e == &f) {
                    e.number = new;
                }
            }
            _ => key.entries.push(Entry {
                original: f.original.clone(),
                category: c.into(),
                number: new,
                created: at.as_str().into(),
                scope: Some(
                    scope
                        .clone()
                        .unwrap_or_else(|| format!("split:{c}-{new}"))
                        .into(),
                ),
            }),
        }
    }
    key.reindexed();
    let edits = occurrences(store, c, n, Some(&docs), |d| {
        Some(keyfile::label(c, new, &d.language))
    })?;
    if edits.values().all(|(_, e)| e.is_empty()) {
        return Err(Error::Invalid(format!(
            "{pseudonym} does not stand in those documents; nothing was changed"
        )));
    }
    let detail = serde_json::json!({"correction": "split", "from": format!("{c}-{n}"), "to": format!("{c}-{new}"), "documents": docs});
    rewrite(
        store,
        coder,
        key,
        save,
        edits,
        "anonymise split",
        detail,
        Some(format!("{c}-{new}")),
    )
}

/// A pseudonym of the wrong category (a street taken for a person) gets the next number of
/// the right one, in the key and every text.
pub fn relabel(
    store: &mut Store,
    coder: &str,
    key: &mut Key,
    save: &mut dyn FnMut(&Key) -> Result<()>,
    pseudonym: &str,
    category: &str,
) -> Result<Outcome> {
    let (c, n) = known_pseudonym(key, pseudonym)?;
    let to = keyfile::category(category).ok_or_else(|| {
        Error::Invalid(format!(
            "`{category}` is not a category; use one of {}",
            CATEGORIES
                .iter()
                .map(|c| c.0)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    if to == c {
        return Err(Error::Invalid(format!(
            "{pseudonym} is already a {c}; nothing was changed"
        )));
    }
    let new = key.next_number(to);
    let detail = serde_json::json!({"correction": "relabel", "from": format!("{c}-{n}"), "to": format!("{to}-{new}")});
    renumber(
        store,
        coder,
        key,
        save,
        (c, n),
        (to, new),
        "anonymise relabel",
        detail,
    )
}

/// A false positive: the pseudonym gives back its word, everywhere or in one document. Where
/// it stands for several forms of a name, `original` says which word to put back. Restored
/// everywhere, the word is no identifier at all: its key entries go, and the detector leaves
/// it alone from now on (the key's list of words to keep). Restored in one document, the
/// entry stays for the others and the key records the exception (`privacy-check` does not
/// count it as a leak).
pub fn restore(
    store: &mut Store,
    coder: &str,
    key: &mut Key,
    save: &mut dyn FnMut(&Key) -> Result<()>,
    pseudonym: &str,
    doc: Option<i64>,
    original: Option<&str>,
) -> Result<Outcome> {
    let (c, n) = known_pseudonym(key, pseudonym)?;
    let forms: Vec<String> = entries_of(key, c, n)
        .iter()
        .map(|e| e.original.to_string())
        .collect();
    let word = match original {
        Some(o) => forms
            .iter()
            .find(|f| keyfile::normalise(f) == keyfile::normalise(o))
            .cloned()
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "{pseudonym} does not stand for `{o}`; it stands for {} form(s) of a name (`narrata anonymise list --originals` shows them)",
                    forms.len()
                ))
            })?,
        None if forms.len() == 1 => forms[0].clone(),
        None => {
            return Err(Error::Invalid(format!(
                "{pseudonym} stands for {} forms of a name; say which to put back with --original (`narrata anonymise list --originals` shows them)",
                forms.len()
            )));
        }
    };
    let docs: Option<Vec<i64>> = doc.map(|d| vec![d]);
    let edits = occurrences(store, c, n, docs.as_deref(), |_| Some(word.clone()))?;
    if edits.values().all(|(_, e)| e.is_empty()) {
        return Err(Error::Invalid(format!(
            "{pseudonym} does not stand in {}; nothing was changed",
            if doc.is_some() {
                "that document"
            } else {
                "any document"
            }
        )));
    }
    match doc {
        None => {
            key.entries.retain(|e| !(e.category == c && e.number == n));
            for f in &forms {
                if !key.keep.iter().any(|k| k.eq_ignore_ascii_case(f)) {
                    key.keep.push(f.clone());
                }
            }
        }
        Some(id) => {
            let guid = corpus::document(store.conn(), id)?.guid;
            key.restored.push(keyfile::Restored {
                original: word.clone(),
                document: guid,
            });
        }
    }
    key.reindexed();
    let detail = serde_json::json!({"correction": "restore", "pseudonym": format!("{c}-{n}"), "document": doc});
    rewrite(
        store,
        coder,
        key,
        save,
        edits,
        "anonymise restore",
        detail,
        None,
    )
}

/// Redacts every whole-word occurrence of `text` (any case) outside the pseudonyms, in one
/// document or all, as an identifier of `category`: a name the detector missed, wherever it
/// stands.
pub fn redact_text(
    store: &mut Store,
    coder: &str,
    key: &mut Key,
    save: &mut dyn FnMut(&Key) -> Result<()>,
    text: &str,
    doc: Option<i64>,
    category: &str,
) -> Result<Outcome> {
    let category = keyfile::category(category).ok_or_else(|| {
        Error::Invalid(format!(
            "`{category}` is not a category; use one of {}",
            CATEGORIES
                .iter()
                .map(|c| c.0)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let needle = text.trim();
    if needle.chars().count() < 2 {
        return Err(Error::Invalid(
            "give at least two characters to redact; nothing was changed".into(),
        ));
    }
    let lower_needle = needle.to_lowercase();
    let at = crate::store::now();
    let mut edits = BTreeMap::new();
    let mut first: Option<String> = None;
    for d in corpus::documents(store.conn())? {
        if doc.is_some_and(|only| only != d.id) {
            continue;
        }
        let current = corpus::text(store.conn(), d.id)?;
        let chars: Vec<char> = current.chars().collect();
        // Rare letters change length in lower case; then the text is compared as written.
        let lower: Vec<char> = current.chars().flat_map(char::to_lowercase).collect();
        let pseudonyms = keyfile::pseudonym_spans(&current);
        let target: Vec<char> = lower_needle.chars().collect();
        let hay: &[char] = if lower.len() == chars.len() {
            &lower
        } else {
            &chars
        };
        let mut list = Vec::new();
        let mut i = 0;
        while i + target.len() <= hay.len() {
            if hay[i..i + target.len()] == target[..] {
                let (s, e) = (i, i + target.len());
                let bounded = (s == 0 || !chars[s - 1].is_alphanumeric())
                    && (e == chars.len() || !chars[e].is_alphanumeric());
                let inside = pseudonyms.iter().any(|&(ps, pe)| ps < e && s < pe);
                if bounded && !inside {
                    let original: String = chars[s..e].iter().collect();
                    let (c, n) =
                        key.pseudonym_in(&original, category, d.participant.as_deref(), &at);
                    let label = keyfile::label(&c, n, &d.language);
                    first.get_or_insert_with(|| format!("{c}-{n}"));
                    list.push(Edit {
                        start: s,
                        end: e,
                        text: label,
                    });
                    i = e;
                    continue;
                }
            }
            i += 1;
        }
        edits.insert(d.id, (current, list));
    }
    if edits.values().all(|(_, e)| e.is_empty()) {
        return Err(Error::Invalid(format!(
            "`{needle}` does not stand as a word {} outside the pseudonyms; nothing was changed",
            if doc.is_some() {
                "in that document"
            } else {
                "in any document"
            }
        )));
    }
    let detail = serde_json::json!({"correction": "redact", "category": category, "document": doc});
    rewrite(
        store,
        coder,
        key,
        save,
        edits,
        "anonymise redact",
        detail,
        first,
    )
}

#[cfg(test)]
mod tests {
    use super::parse_label;

    #[test]
    fn pseudonyms_are_read_in_either_language() {
        assert_eq!(parse_label("[PERSOON-3]"), Some(("PERSON", 3)));
        assert_eq!(parse_label("PLACE-12"), Some(("PLACE", 12)));
        assert_eq!(parse_label("[NUMMER-2]"), Some(("ID", 2)));
        assert_eq!(parse_label("organisation-1"), Some(("ORGANISATION", 1)));
        assert_eq!(parse_label("Tom"), None);
    }
}
