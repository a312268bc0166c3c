//! Finding and replacing identifiers before anything is stored. [`detect`] finds candidates in
//! the spoken parts of a transcript: patterned identifiers ([`patterns`]: e-mail, URLs, IBAN,
//! BSN, phone numbers, postcodes, dates, ages, long numbers) and names ([`names`]: people,
//! places, organisations, addresses), then every further mention of what it found, of the
//! researcher's own names and of originals already in the key, in any case. [`apply`] replaces
//! them with consistent pseudonyms from the key (`[PERSOON-3]`) and moves the turns with them.
//! The originals go only into the encrypted key ([`crate::keyfile`]).

pub mod checks;
pub mod correct;
pub mod evaluate;
pub use crate::lexicon::is_ordinary_word;
use crate::lexicon::{self as lists, variants};
pub mod names;
pub mod patterns;
pub mod redact;
pub mod review;
pub mod scan;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use serde::Serialize;

use crate::anchor;
use crate::keyfile::{Key, LogEntry, label};
use crate::transcript::Transcript;

/// One identifier found: character offsets in the text, category, confidence 0–1.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Detection {
    pub start: usize,
    pub end: usize,
    pub category: &'static str,
    pub confidence: f32,
    /// The rule or list that found it (`year`, `person-after-title-or-kin`, `mention`…).
    pub rule: &'static str,
}

/// Whether a word is a common Dutch or English word (a name that is also a word, such as
/// "Roos" or "Bill", is then matched only as written).
pub fn is_common_word(word: &str) -> bool {
    lists::lists()
        .stopwords
        .contains(word.to_lowercase().as_str())
}

/// Whether a name that is also an ordinary word, standing at bytes `start..end` of `text`
/// with a capital, reads as the word there (a sentence's first word before a subject pronoun:
/// "Will I", "Hope you're well", "Dan heb je"), as the anonymiser reads it.
pub fn reads_as_the_word(text: &str, start: usize, end: usize) -> bool {
    names::opens_sentence_before_pronoun(text, start, end)
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

    let mut hits: Vec<Hit> = Vec::new();
    // Turn by turn: names depend on where sentences start, and the regular expressions run
    // fastest on short texts (profiled: whole-text searches fall back to a slower engine).
    for &(rs, re) in &byte_regions {
        let segment = &text[rs..re];
        for (s, e, c, p, rule) in patterns::find(segment)
            .into_iter()
            .chain(names::find(segment, language))
        {
            hits.push((rs + s, rs + e, c, p, rule));
        }
    }
    // A number answering "how old…?" in the turn before ("Achtendertig.").
    for pair in byte_regions.windows(2) {
        let ((qs, qe), (as_, ae)) = (pair[0], pair[1]);
        if let Some((s, e)) = patterns::answered_age(&text[qs..qe], &text[as_..ae]) {
            hits.push((as_ + s, as_ + e, "AGE", 0.8, "age-answer"));
        }
    }
    // Every further mention of a name found here, of the key's originals and of the
    // researcher's names, in any case; the surnames inside full names and the spoken forms of
    // first names ("Daantje", "San") as written; names that are also ordinary words ("Roos",
    // "Grace", "Visser") only as written and not as a sentence's first word before a subject
    // pronoun ("Hope you…", "Will I…").
    let mut found: Vec<(String, &'static str)> = Vec::new();
    for &(s, e, c, _, _) in &hits {
        if matches!(c, "PERSON" | "PLACE" | "ORGANISATION" | "ADDRESS") {
            found.push((text[s..e].to_owned(), c));
        }
    }
    let here: Vec<Known> = found
        .into_iter()
        .map(|(text, category)| Known {
            text,
            category,
            exact: false,
        })
        .collect();
    let mut mentions = Vec::new();
    Mentions::new(&with_parts(here), language).find_in(text, false, &mut mentions);
    // The key's names are the same from one document to the next: they are prepared once
    // and their matchers reused.
    key_mentions(known, language).find_in(text, true, &mut mentions);
    for (s, e, c, rule) in mentions {
        if byte_regions.iter().any(|&(rs, re)| s >= rs && e <= re) {
            hits.push((s, e, c, 0.85, rule));
        }
    }
    merge(text, hits)
}

thread_local! {
    /// The key's names as last prepared: (language, fingerprint of the names) and the result.
    static KEY_MENTIONS: std::cell::RefCell<Option<(String, u64, std::rc::Rc<Mentions>)>> =
        const { std::cell::RefCell::new(None) };
}

/// The key's names prepared for `language`, from the last call when they have not changed
/// (preparing tens of thousands of names, with their spoken forms, for every document was
/// most of an import's anonymisation time: profiled).
fn key_mentions(known: &[Known], language: &str) -> std::rc::Rc<Mentions> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for k in known {
        (k.text.as_str(), k.category, k.exact).hash(&mut h);
    }
    let fp = h.finish();
    KEY_MENTIONS.with(|cell| {
        let mut cache = cell.borrow_mut();
        if let Some((l, f, m)) = cache.as_ref()
            && l == language
            && *f == fp
        {
            return m.clone();
        }
        let m = std::rc::Rc::new(Mentions::new(&with_parts(known.to_vec()), language));
        *cache = Some((language.to_owned(), fp, m.clone()));
        m
    })
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
                    if cache.len() >= 8 {
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

/// A candidate: byte range, category, confidence, rule.
type Hit = (usize, usize, &'static str, f32, &'static str);

/// Merges overlapping candidates into one span each (the widest category wins) and converts
/// byte offsets to characters.
fn merge(text: &str, mut hits: Vec<Hit>) -> Vec<Detection> {
    hits.retain(|h| h.1 > h.0);
    hits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    // (start, end, category, confidence, rule, length of the winning candidate)
    let mut merged: Vec<(usize, usize, &'static str, f32, &'static str, usize)> = Vec::new();
    for (s, e, c, p, rule) in hits {
        match merged.last_mut() {
            Some(m) if s < m.1 => {
                let len = e - s;
                if len > m.5 || (len == m.5 && rank(c) < rank(m.2)) {
                    m.2 = c;
                    m.4 = rule;
                    m.5 = len;
                }
                m.1 = m.1.max(e);
                m.3 = m.3.max(p);
            }
            _ => merged.push((s, e, c, p, rule, e - s)),
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
        .map(|(s, e, c, p, rule, _)| Detection {
            start: to_char(s),
            end: to_char(e),
            category: c,
            confidence: p,
            rule,
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
    /// The rule or list that found the identifier.
    pub rule: String,
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
    detect_with_key(&t.text, &regions, key, participant, language)
}

/// [`detect_in`] on the given character ranges of a text.
pub fn detect_with_key(
    text: &str,
    regions: &[(usize, usize)],
    key: &Key,
    participant: Option<&str>,
    language: &str,
) -> Vec<Detection> {
    // In a short text (a title, an attribute) only names that occur in it matter.
    let short = (text.len() < 512).then(|| text.to_lowercase());
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
    // A short text looks only at the entries that share a word with it.
    let sharing = short
        .as_ref()
        .and_then(|_| key.entries_sharing_a_word(text));
    let entries: Vec<(&crate::keyfile::Entry, std::borrow::Cow<'_, str>)> = match &sharing {
        Some(indices) => key
            .entries_at(indices)
            .into_iter()
            .map(|(e, l)| (e, std::borrow::Cow::Borrowed(l)))
            .collect(),
        None => key.entries_lowered().collect(),
    };
    for (e, lower) in entries {
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
    let mut found = detect(text, regions, &known, language);
    // Words the researcher restored everywhere are not identifiers in this project.
    if !key.keep.is_empty() {
        found.retain(|d| {
            let words = crate::offsets::slice_chars(text, d.start, d.end);
            !key.keep.iter().any(|k| k.eq_ignore_ascii_case(words))
        });
    }
    found
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
    with_parts(
        names
            .into_iter()
            .map(|d| Known {
                text: t.text[at(d.start)..at(d.end)].to_owned(),
                category: d.category,
                exact: false,
            })
            .collect(),
    )
}

/// The names with the words of each person's full name as names of their own: the first name
/// in any case ("zwaantje" of "Zwaantje Kwakernaat"), the others as written ("Bakker" the
/// surname, not "bakker" the baker).
fn with_parts(mut names: Vec<Known>) -> Vec<Known> {
    let mut parts = Vec::new();
    for k in &names {
        // An organisation's name is also said in part: without the word that says what it is
        // ("Sparta Noord" of "VV Sparta Noord"), by its first words ("Eastbrook Mums" of
        // "Eastbrook Mums in Recovery"), by its first word ("Kompas" of "Kompas
        // Verslavingszorg"; an ordinary word such as "Harbour" only as written).
        if k.category == "ORGANISATION" && k.text.contains(' ') {
            let words: Vec<&str> = k.text.split(' ').collect();
            let capital = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
            let mut shorter = Vec::new();
            if crate::lexicon::organisations::is_org_head(words[0])
                && words.len() >= 2
                && capital(words[1])
            {
                shorter.push(words[1..].join(" "));
            }
            for n in 2..words.len() {
                if capital(words[n - 1]) {
                    shorter.push(words[..n].join(" "));
                }
            }
            if words[0].chars().count() >= 4
                && capital(words[0])
                && !crate::lexicon::organisations::is_org_head(words[0])
            {
                shorter.push(words[0].to_owned());
            }
            for text in shorter {
                parts.push(Known {
                    text,
                    category: "ORGANISATION",
                    exact: true,
                });
            }
        }
        if k.category == "PERSON" && k.text.contains(' ') {
            for (i, word) in k.text.split(' ').enumerate() {
                if word.chars().count() >= 3 && word.chars().next().is_some_and(char::is_uppercase)
                {
                    parts.push(Known {
                        text: word.to_owned(),
                        category: "PERSON",
                        exact: i > 0,
                    });
                }
            }
        }
    }
    names.extend(parts);
    names
}

/// Names to look for in transcripts, prepared once per language (filtering, sorting and
/// fingerprinting tens of thousands of names for every file was a measurable share of a large
/// import), in three groups: in any case; as written (surnames, spoken forms of first names);
/// and names that are also ordinary words of the language ("Roos", "Grace", "Hope"): with a
/// capital, but not where they open a sentence before a pronoun or article; in lower case only
/// right after a verb of seeing or speaking to someone ("ik zag zwaantje", "I rang hope"), never
/// as the word itself ("de zon", "by God's grace", "it may", "to be frank").
pub struct Mentions {
    any_case: Vec<(String, &'static str)>,
    exact: Vec<(String, &'static str)>,
    ordinary: Vec<(String, &'static str)>,
    fingerprints: [u64; 3],
}

impl Mentions {
    /// The usable names for transcripts in `language`: at least two characters, never a word
    /// known not to identify anyone, never a lone common word of that language (unless it is
    /// a person's first name: "Hope", "Will"), ordinary words of the language only as written.
    pub fn new(names: &[Known], language: &str) -> Mentions {
        let lists = lists::lists();
        let common = lists.common(language);
        let (mut any_case, mut exact, mut ordinary) = (Vec::new(), Vec::new(), Vec::new());
        for k in names {
            let text = k.text.as_str();
            if text.chars().count() < 2 || lists.not_identifiers.contains(text) {
                continue;
            }
            let single = !text.contains(' ');
            if k.category == "PERSON" && single {
                for (form, is_word) in variants::forms(text, language) {
                    if is_word {
                        ordinary.push((form, "PERSON"));
                    } else {
                        exact.push((form, "PERSON"));
                    }
                }
            }
            let lower = text.to_lowercase();
            if common.contains(lower.as_str()) {
                if k.category == "PERSON"
                    && single
                    && text.chars().count() >= 3
                    && lists.first_names.contains(text)
                {
                    ordinary.push((text.to_owned(), k.category));
                }
            } else if text.split(' ').all(|w| {
                names::is_particle_word(w)
                    || common.contains(w.to_lowercase().as_str())
                    || lists::is_ordinary_word(w, language)
            }) {
                ordinary.push((text.to_owned(), k.category));
            } else if k.exact {
                exact.push((text.to_owned(), k.category));
            } else {
                any_case.push((text.to_owned(), k.category));
            }
        }
        for v in [&mut any_case, &mut exact, &mut ordinary] {
            v.sort();
            v.dedup();
        }
        let fingerprints = [
            fingerprint(&any_case),
            fingerprint(&exact),
            fingerprint(&ordinary),
        ];
        Mentions {
            any_case,
            exact,
            ordinary,
            fingerprints,
        }
    }

    /// Every mention in `text` (byte offsets). With `reuse`, the matchers are kept for the
    /// next text (the same names for every file of an import, or the key's names).
    fn find_in(
        &self,
        text: &str,
        reuse: bool,
        out: &mut Vec<(usize, usize, &'static str, &'static str)>,
    ) {
        let fp = |i: usize| reuse.then_some(self.fingerprints[i]);
        let mut found = Vec::new();
        find_mentions(text, &self.any_case, true, fp(0), &mut found);
        out.extend(found.drain(..).map(|(s, e, c)| (s, e, c, "mention")));
        find_mentions(text, &self.exact, false, fp(1), &mut found);
        out.extend(
            found
                .drain(..)
                .map(|(s, e, c)| (s, e, c, "mention-as-written")),
        );
        find_mentions(text, &self.ordinary, true, fp(2), &mut found);
        out.extend(
            found
                .drain(..)
                .filter(|&(s, e, _)| {
                    if text[s..].starts_with(char::is_uppercase) {
                        !names::opens_sentence_before_pronoun(text, s, e)
                    } else {
                        names::after_a_verb_of_meeting(text, s)
                    }
                })
                .map(|(s, e, c)| (s, e, c, "mention-name-that-is-a-word")),
        );
    }
}

/// Every mention of the prepared names in the transcript's spoken words, as detections.
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
    names.find_in(&t.text, true, &mut found);
    let hits = found
        .into_iter()
        .filter(|&(s, e, _, _)| regions.iter().any(|&(rs, re)| s >= rs && e <= re))
        .map(|(s, e, c, rule)| (s, e, c, 0.85, rule))
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
                    m.rule = d.rule;
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
    apply_detections(t, key, language, found, participant, at)
}

/// Replaces the given identifiers (and speaker labels that are names) with pseudonyms from
/// the key and moves the turns with them: the second half of [`apply`], also used when a
/// reviewer has decided which suggestions stand. People named in the text get pseudonyms
/// in `scope`, the participant whose document it is (see [`Key::pseudonym_in`]); speaker
/// labels, which name the same interviewer in every document, in none.
pub fn apply_detections(
    t: &mut Transcript,
    key: &mut Key,
    language: &str,
    mut found: Vec<Detection>,
    scope: Option<&str>,
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
                        rule: "speaker-label",
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
        let (category, number) = if d.rule == "speaker-label" {
            key.pseudonym(original, d.category, at)
        } else {
            key.pseudonym_in(original, d.category, scope, at)
        };
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
            rule: d.rule.to_owned(),
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
        turns: vec![crate::transcript::RawTurn {
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
            rule: r.rule.clone(),
        })
        .collect()
}
