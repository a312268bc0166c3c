//! Finding and replacing identifiers before anything is stored. [`detect`] finds candidates in
//! the spoken parts of a transcript: patterned identifiers ([`patterns`]: e-mail, URLs, IBAN,
//! BSN, phone numbers, postcodes, dates, ages, long numbers) and names ([`names`]: people,
//! places, organisations, addresses), then every further mention of what it found, of the
//! researcher's own names and of originals already in the key, in any case. [`apply`] replaces
//! them with consistent pseudonyms from the key (`[PERSOON-3]`) and moves the turns with them.
//! The originals go only into the encrypted key ([`crate::keyfile`]).

pub mod checks;
pub mod evaluate;
mod lists;
pub mod names;
pub mod patterns;
pub mod redact;
pub mod review;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use serde::Serialize;

use crate::anchor;
use crate::import::transcript::Transcript;
use crate::keyfile::{Key, LogEntry, label};

/// One identifier found: character offsets in the text, category, confidence 0–1.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Detection {
    pub start: usize,
    pub end: usize,
    pub category: &'static str,
    pub confidence: f32,
}

/// Whether a word is a common Dutch or English word (a name that is also a word, such as
/// "Roos" or "Bill", is then matched only as written).
pub fn is_common_word(word: &str) -> bool {
    lists::lists()
        .stopwords
        .contains(word.to_lowercase().as_str())
}

/// Priority when candidates of different categories overlap (earlier wins at equal length).
const PRIORITY: &[&str] = &[
    "EMAIL",
    "URL",
    "IBAN",
    "BSN",
    "PHONE",
    "POSTCODE",
    "ID",
    "ADDRESS",
    "ORGANISATION",
    "DATE",
    "AGE",
    "PERSON",
    "PLACE",
];

fn rank(c: &str) -> usize {
    PRIORITY
        .iter()
        .position(|p| *p == c)
        .unwrap_or(PRIORITY.len())
}

/// A name to find everywhere (from the key, the researcher's list, or this document).
#[derive(Debug, Clone)]
pub struct Known {
    pub text: String,
    pub category: &'static str,
    /// Matched only as written (a surname: "Bakker", not "bakker" the baker).
    pub exact: bool,
}

/// Finds identifiers in the given character ranges of `text` (the spoken words of turns).
/// `known` are names to find wherever they occur, in any case.
pub fn detect(
    text: &str,
    regions: &[(usize, usize)],
    known: &[Known],
    language: &str,
) -> Vec<Detection> {
    let mut bounds: Vec<usize> = regions.iter().flat_map(|&(s, e)| [s, e]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let bytes_at = crate::offsets::char_to_byte(text, &bounds);
    let to_byte = |c: usize| bytes_at[bounds.binary_search(&c).unwrap_or(0)];
    let byte_regions: Vec<(usize, usize)> = regions
        .iter()
        .map(|&(s, e)| (to_byte(s), to_byte(e)))
        .collect();

    let mut hits: Vec<(usize, usize, &'static str, f32)> = Vec::new();
    // Turn by turn: names depend on where sentences start, and the regular expressions run
    // fastest on short texts (profiled: whole-text searches fall back to a slower engine).
    for &(rs, re) in &byte_regions {
        let segment = &text[rs..re];
        for (s, e, c, p) in patterns::find(segment)
            .into_iter()
            .chain(names::find(segment, language))
        {
            hits.push((rs + s, rs + e, c, p));
        }
    }
    // Every further mention of a name found here, of the key's originals and of the
    // researcher's names, in any case (but never a lone common word).
    let lists = lists::lists();
    let keep = |n: &str| {
        n.chars().count() >= 2
            && !lists.common(language).contains(n.to_lowercase().as_str())
            && !lists.not_identifiers.contains(n)
    };
    // Names this document revealed, and (as written only) the surnames inside them: "Bakker"
    // the surname, not "bakker" the baker.
    let mut found: Vec<(String, &'static str)> = Vec::new();
    let mut parts: Vec<(String, &'static str)> = Vec::new();
    for &(s, e, c, _) in &hits {
        if matches!(c, "PERSON" | "PLACE" | "ORGANISATION" | "ADDRESS") {
            let name = &text[s..e];
            found.push((name.to_owned(), c));
            if c == "PERSON" {
                for part in name.split(' ').skip(1) {
                    if part.chars().next().is_some_and(char::is_uppercase)
                        && part.chars().count() >= 3
                    {
                        parts.push((part.to_owned(), c));
                    }
                }
            }
        }
    }
    let mut known: Vec<(String, &'static str)> =
        known.iter().map(|k| (k.text.clone(), k.category)).collect();
    for list in [&mut found, &mut parts, &mut known] {
        list.retain(|(n, _)| keep(n));
        list.sort();
        list.dedup();
    }
    let mut mentions = Vec::new();
    find_mentions(text, &parts, false, None, &mut mentions);
    find_mentions(text, &found, true, None, &mut mentions);
    // The key's names are the same from one document to the next: their matcher is reused.
    find_mentions(text, &known, true, Some(fingerprint(&known)), &mut mentions);
    for (s, e, c) in mentions {
        if byte_regions.iter().any(|&(rs, re)| s >= rs && e <= re) {
            hits.push((s, e, c, 0.85));
        }
    }
    merge(text, hits)
}

/// A matcher for a set of names, kept between calls when asked to (the key's names).
struct Matcher {
    fingerprint: u64,
    any_case: bool,
    automaton: AhoCorasick,
}

thread_local! {
    /// A few matchers (the key's names; an import's names in any case and as written).
    static KNOWN_MATCHERS: std::cell::RefCell<Vec<Matcher>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn fingerprint(names: &[(String, &'static str)]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    names.hash(&mut h);
    h.finish()
}

/// Every whole-word occurrence of the names in `text` (byte offsets), in any case or as
/// written. Short texts (titles, attribute values) are searched plainly.
fn find_mentions(
    text: &str,
    names: &[(String, &'static str)],
    any_case: bool,
    reuse: Option<u64>,
    out: &mut Vec<(usize, usize, &'static str)>,
) {
    if names.is_empty() {
        return;
    }
    let lowered;
    let hay = if any_case {
        lowered = text.to_lowercase();
        // Lower-casing can change byte lengths (rare letters); then match ASCII case only.
        if lowered.len() == text.len() {
            lowered.as_str()
        } else {
            text
        }
    } else {
        text
    };
    let ascii_only = any_case && hay.len() == text.len() && std::ptr::eq(hay, text);
    let bounded = |s: usize, e: usize| {
        !text[..s]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
            && !text[e..].chars().next().is_some_and(char::is_alphanumeric)
    };
    if text.len() < 512 {
        for (n, c) in names {
            let needle = if any_case {
                n.to_lowercase()
            } else {
                n.clone()
            };
            for (s, _) in hay.match_indices(needle.as_str()) {
                let e = s + needle.len();
                if e <= text.len() && text.is_char_boundary(e) && bounded(s, e) {
                    out.push((s, e, c));
                }
            }
        }
        return;
    }
    let build = || {
        let patterns: Vec<String> = names
            .iter()
            .map(|(n, _)| {
                if any_case {
                    n.to_lowercase()
                } else {
                    n.clone()
                }
            })
            .collect();
        AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(ascii_only)
            .build(&patterns)
            .ok()
    };
    let mut search = |ac: &AhoCorasick| {
        for m in ac.find_iter(hay) {
            let (s, e) = (m.start(), m.end());
            if bounded(s, e) {
                out.push((s, e, names[m.pattern().as_usize()].1));
            }
        }
    };
    if let Some(fp) = reuse {
        let fp = fp.wrapping_mul(2).wrapping_add(any_case as u64);
        KNOWN_MATCHERS.with(|cell| {
            let mut cache = cell.borrow_mut();
            let at = match cache
                .iter()
                .position(|m| m.fingerprint == fp && m.any_case == ascii_only)
            {
                Some(i) => Some(i),
                None => build().map(|automaton| {
                    if cache.len() >= 3 {
                        cache.remove(0);
                    }
                    cache.push(Matcher {
                        fingerprint: fp,
                        any_case: ascii_only,
                        automaton,
                    });
                    cache.len() - 1
                }),
            };
            if let Some(i) = at {
                search(&cache[i].automaton);
            }
        });
    } else if let Some(ac) = build() {
        search(&ac);
    }
}

/// Merges overlapping candidates into one span each (the widest category wins) and converts
/// byte offsets to characters.
fn merge(text: &str, mut hits: Vec<(usize, usize, &'static str, f32)>) -> Vec<Detection> {
    hits.retain(|h| h.1 > h.0);
    hits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut merged: Vec<(usize, usize, &'static str, f32, usize)> = Vec::new();
    for (s, e, c, p) in hits {
        match merged.last_mut() {
            Some(m) if s < m.1 => {
                let len = e - s;
                if len > m.4 || (len == m.4 && rank(c) < rank(m.2)) {
                    m.2 = c;
                    m.4 = len;
                }
                m.1 = m.1.max(e);
                m.3 = m.3.max(p);
            }
            _ => merged.push((s, e, c, p, e - s)),
        }
    }
    let mut bounds: Vec<usize> = merged.iter().flat_map(|m| [m.0, m.1]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    // byte → char offsets in one pass
    let mut chars_at = Vec::with_capacity(bounds.len());
    let mut next = 0;
    for (count, (b, _)) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
        .enumerate()
    {
        while next < bounds.len() && bounds[next] == b {
            chars_at.push(count);
            next += 1;
        }
    }
    let to_char = |b: usize| chars_at[bounds.binary_search(&b).unwrap_or(0)];
    merged
        .into_iter()
        .map(|(s, e, c, p, _)| Detection {
            start: to_char(s),
            end: to_char(e),
            category: c,
            confidence: p,
        })
        .collect()
}

/// One replacement made in a transcript (for the key's log).
#[derive(Debug, Clone)]
pub struct Replacement {
    /// Where the pseudonym is in the new text.
    pub start: usize,
    pub end: usize,
    /// Where the identifier was in the old text (to move other spans with it).
    pub old_start: usize,
    pub old_end: usize,
    pub category: String,
    pub pseudonym: String,
    pub confidence: f32,
}

/// Labels that name no one: participant codes, interviewer codes, role words.
fn anonymous_label(label: &str) -> bool {
    let letters = label
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let rest = &label[letters..];
    (letters <= 3 && rest.chars().all(|c| c.is_ascii_digit()))
        || matches!(
            label
                .split(' ')
                .next()
                .unwrap_or("")
                .to_lowercase()
                .as_str(),
            "interviewer"
                | "interviewster"
                | "interviewee"
                | "onderzoeker"
                | "researcher"
                | "moderator"
                | "gespreksleider"
                | "facilitator"
                | "respondent"
                | "deelnemer"
                | "participant"
                | "speaker"
                | "spreker"
        )
}

/// The identifiers of a transcript's spoken words, with the project's knowledge: the
/// researcher's names (for this participant and the whole project) and every name already in
/// the key are found wherever they occur, in any case.
pub fn detect_in(
    t: &Transcript,
    key: &Key,
    participant: Option<&str>,
    language: &str,
) -> Vec<Detection> {
    let regions: Vec<(usize, usize)> = t.turns.iter().map(|x| (x.start, x.end)).collect();
    // In a short text (a title, an attribute) only names that occur in it matter.
    let short = (t.text.len() < 512).then(|| t.text.to_lowercase());
    let relevant = |name: &str| {
        short
            .as_ref()
            .is_none_or(|s| s.contains(&name.to_lowercase()))
    };
    let mut known: Vec<Known> = Vec::new();
    for n in &key.names {
        if n.participant
            .as_deref()
            .is_some_and(|p| Some(p) != participant)
        {
            continue;
        }
        let category = crate::keyfile::category(&n.category).unwrap_or("PERSON");
        for text in std::iter::once(&n.text)
            .chain(&n.variants)
            .filter(|x| relevant(x))
        {
            known.push(Known {
                text: text.clone(),
                category,
                exact: false,
            });
        }
    }
    for (e, lower) in key.entries_lowered() {
        if matches!(
            e.category.as_str(),
            "PERSON" | "PLACE" | "ORGANISATION" | "ADDRESS"
        ) && short.as_ref().is_none_or(|s| s.contains(lower.as_ref()))
            && let Some(c) = crate::keyfile::category(&e.category)
        {
            known.push(Known {
                text: e.original.clone(),
                category: c,
                exact: false,
            });
        }
    }
    detect(&t.text, &regions, &known, language)
}

/// The names (people, places, organisations, addresses) among a transcript's detections, to
/// look for in the other transcripts of the same import.
pub fn found_names(t: &Transcript, found: &[Detection]) -> Vec<Known> {
    let names: Vec<&Detection> = found
        .iter()
        .filter(|d| matches!(d.category, "PERSON" | "PLACE" | "ORGANISATION" | "ADDRESS"))
        .collect();
    // All offsets converted in one pass over the text.
    let mut bounds: Vec<usize> = names.iter().flat_map(|d| [d.start, d.end]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let bytes = crate::offsets::char_to_byte(&t.text, &bounds);
    let at = |c: usize| bytes[bounds.binary_search(&c).unwrap_or(0)];
    let mut out = Vec::new();
    for d in names {
        let text = &t.text[at(d.start)..at(d.end)];
        out.push(Known {
            text: text.to_owned(),
            category: d.category,
            exact: false,
        });
        // The words of a person's full name are that person's names on their own too: the
        // first name in any case ("zwaantje" of "Zwaantje Kwakernaat"), the others as written.
        if d.category == "PERSON" && text.contains(' ') {
            for (i, word) in text.split(' ').enumerate() {
                if word.chars().count() >= 3 && word.chars().next().is_some_and(char::is_uppercase)
                {
                    out.push(Known {
                        text: word.to_owned(),
                        category: "PERSON",
                        exact: i > 0,
                    });
                }
            }
        }
    }
    out
}

/// The names of an import to look for in each of its transcripts, prepared once per language
/// (filtering, sorting and fingerprinting tens of thousands of names for every file was a
/// measurable share of a large import).
pub struct Mentions {
    any_case: Vec<(String, &'static str)>,
    exact: Vec<(String, &'static str)>,
    fingerprints: (u64, u64),
}

impl Mentions {
    /// The usable names for transcripts in `language`: at least two characters, never a lone
    /// common word of that language or a word known not to identify anyone.
    pub fn new(names: &[Known], language: &str) -> Mentions {
        let lists = lists::lists();
        let common = lists.common(language);
        let usable = |k: &&Known| {
            k.text.chars().count() >= 2
                && !common.contains(k.text.to_lowercase().as_str())
                && !lists.not_identifiers.contains(k.text.as_str())
        };
        let pick = |exact: bool| {
            let mut v: Vec<(String, &'static str)> = names
                .iter()
                .filter(usable)
                .filter(|k| k.exact == exact)
                .map(|k| (k.text.clone(), k.category))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let (any_case, exact) = (pick(false), pick(true));
        let fingerprints = (fingerprint(&any_case), fingerprint(&exact));
        Mentions {
            any_case,
            exact,
            fingerprints,
        }
    }
}

/// Every mention of the prepared names in the transcript's spoken words (in any case, or as
/// written for surnames), as detections.
pub fn mentions(t: &Transcript, names: &Mentions) -> Vec<Detection> {
    let mut bounds: Vec<usize> = t.turns.iter().flat_map(|x| [x.start, x.end]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let bytes = crate::offsets::char_to_byte(&t.text, &bounds);
    let to_byte = |c: usize| bytes[bounds.binary_search(&c).unwrap_or(0)];
    let regions: Vec<(usize, usize)> = t
        .turns
        .iter()
        .map(|x| (to_byte(x.start), to_byte(x.end)))
        .collect();
    let mut found = Vec::new();
    // The same names for every file of an import: the matchers are built once per thread.
    find_mentions(
        &t.text,
        &names.any_case,
        true,
        Some(names.fingerprints.0),
        &mut found,
    );
    find_mentions(
        &t.text,
        &names.exact,
        false,
        Some(names.fingerprints.1),
        &mut found,
    );
    let hits = found
        .into_iter()
        .filter(|&(s, e, _)| regions.iter().any(|&(rs, re)| s >= rs && e <= re))
        .map(|(s, e, c)| (s, e, c, 0.85))
        .collect();
    merge(&t.text, hits)
}

/// Two lists of detections as one: overlapping spans merge, the wider one's category wins.
pub fn combine(mut a: Vec<Detection>, b: Vec<Detection>) -> Vec<Detection> {
    a.extend(b);
    a.sort_by(|x, y| x.start.cmp(&y.start).then(y.end.cmp(&x.end)));
    let mut out: Vec<Detection> = Vec::with_capacity(a.len());
    for d in a {
        match out.last_mut() {
            Some(m) if d.start < m.end => {
                if d.end - d.start > m.end - m.start {
                    m.category = d.category;
                }
                m.end = m.end.max(d.end);
                m.confidence = m.confidence.max(d.confidence);
            }
            _ => out.push(d),
        }
    }
    out
}

/// Replaces every identifier in the transcript's spoken words with its pseudonym (assigned by
/// the key) and moves the turns so each still covers its own words. Speaker labels that are
/// names are replaced too. Returns what was replaced, in the new text's offsets.
pub fn apply(
    t: &mut Transcript,
    key: &mut Key,
    language: &str,
    participant: Option<&str>,
    at: &str,
) -> Vec<Replacement> {
    let found = detect_in(t, key, participant, language);
    apply_detections(t, key, language, found, at)
}

/// Replaces the given identifiers (and speaker labels that are names) with pseudonyms from
/// the key and moves the turns with them: the second half of [`apply`], also used when a
/// reviewer has decided which suggestions stand.
pub fn apply_detections(
    t: &mut Transcript,
    key: &mut Key,
    language: &str,
    mut found: Vec<Detection>,
    at: &str,
) -> Vec<Replacement> {
    // Speaker labels that are names ("Anna:") are identifiers too.
    let mut label_names: Vec<String> = t
        .turns
        .iter()
        .map(|x| x.speaker.clone())
        .filter(|s| !s.is_empty() && !anonymous_label(s))
        .collect();
    label_names.sort();
    label_names.dedup();
    let mut label_map = std::collections::HashMap::new();
    for name in &label_names {
        let (c, n) = key.pseudonym(name, "PERSON", at);
        label_map.insert(name.clone(), label(&c, n, language));
    }
    if !label_map.is_empty() {
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(
                t.text
                    .chars()
                    .enumerate()
                    .filter(|(_, c)| *c == '\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        for turn in &t.turns {
            if label_map.contains_key(&turn.speaker) {
                let line_start =
                    line_starts[turn.line.saturating_sub(1).min(line_starts.len() - 1)];
                let line = crate::offsets::slice_chars(&t.text, line_start, turn.start);
                if let Some(pos) = line.find(turn.speaker.as_str()) {
                    let s = line_start + line[..pos].chars().count();
                    found.push(Detection {
                        start: s,
                        end: s + turn.speaker.chars().count(),
                        category: "PERSON",
                        confidence: 1.0,
                    });
                }
            }
        }
        found.sort_by_key(|d| d.start);
    }
    // Build the new text in one pass, and map every turn boundary through the replacements.
    found.sort_by_key(|d| d.start);
    let mut bounds: Vec<usize> = found.iter().flat_map(|d| [d.start, d.end]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let bytes = crate::offsets::char_to_byte(&t.text, &bounds);
    let byte_of = |c: usize| bytes[bounds.binary_search(&c).unwrap_or(0)];
    let mut text = String::with_capacity(t.text.len());
    let mut replacements = Vec::with_capacity(found.len());
    let mut copied = 0; // bytes of the old text copied so far
    let mut shift: i64 = 0; // characters added so far
    // (old start, old end, new length) per replacement, for moving the turns afterwards
    let mut moves: Vec<(usize, usize, usize)> = Vec::with_capacity(found.len());
    let mut last_end = 0;
    for d in &found {
        if d.start < last_end {
            continue; // overlaps the previous one (labels found twice): already replaced
        }
        let (bs, be) = (byte_of(d.start), byte_of(d.end));
        let original = &t.text[bs..be];
        let (category, number) = key.pseudonym(original, d.category, at);
        let pseudonym = label(&category, number, language);
        text.push_str(&t.text[copied..bs]);
        text.push_str(&pseudonym);
        copied = be;
        let new_len = pseudonym.chars().count();
        let new_start = (d.start as i64 + shift) as usize;
        replacements.push(Replacement {
            start: new_start,
            end: new_start + new_len,
            old_start: d.start,
            old_end: d.end,
            category,
            pseudonym,
            confidence: d.confidence,
        });
        moves.push((d.start, d.end, new_len));
        shift += new_len as i64 - (d.end - d.start) as i64;
        last_end = d.end;
    }
    text.push_str(&t.text[copied..]);
    t.text = text;
    // Apply the moves from the last to the first, each on offsets still in the old frame
    // for everything before it.
    for &(s, e, new_len) in moves.iter().rev() {
        for turn in &mut t.turns {
            if let Some((ns, ne)) = anchor::shift(turn.start, turn.end, s, e, new_len) {
                turn.start = ns;
                turn.end = ne;
            }
        }
    }
    for turn in &mut t.turns {
        if let Some(p) = label_map.get(&turn.speaker) {
            turn.speaker = p.clone();
        }
    }
    replacements
}

/// Replaces the identifiers in a short text (a title, an attribute value) with pseudonyms.
pub fn apply_str(text: &str, key: &mut Key, language: &str, at: &str) -> String {
    let mut t = Transcript {
        text: text.to_owned(),
        turns: vec![crate::import::transcript::RawTurn {
            speaker: String::new(),
            start: 0,
            end: text.chars().count(),
            line: 1,
            time_start: None,
            time_end: None,
        }],
        meta: Default::default(),
        controls_replaced: 0,
    };
    apply(&mut t, key, language, None, at);
    t.text
}

/// Log entries for a document's replacements.
pub fn log_entries(
    replacements: &[Replacement],
    document: &str,
    coder: &str,
    at: &str,
    action: &str,
) -> Vec<LogEntry> {
    replacements
        .iter()
        .map(|r| LogEntry {
            at: at.to_owned(),
            coder: coder.to_owned(),
            action: action.to_owned(),
            document: document.to_owned(),
            start: r.start,
            end: r.end,
            category: r.category.clone(),
            pseudonym: r.pseudonym.clone(),
            confidence: r.confidence,
        })
        .collect()
}
