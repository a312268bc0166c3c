//! Finding and replacing identifiers before anything is stored. [`detect`] finds candidates in
//! the spoken parts of a transcript: patterned identifiers ([`patterns`]: e-mail, URLs, IBAN,
//! BSN, phone numbers, postcodes, dates, ages, long numbers) and names ([`names`]: people,
//! places, organisations, addresses), then every further mention of what it found, of the
//! researcher's own names and of originals already in the key, in any case. [`apply`] replaces
//! them with consistent pseudonyms from the key (`[PERSOON-3]`) and moves the turns with them.
//! The originals go only into the encrypted key ([`crate::keyfile`]). Further mentions of
//! known names are found in `known`, replacements made in `replace`.

pub mod checks;
pub mod correct;
pub mod evaluate;
mod known;
pub mod names;
pub mod patterns;
pub mod redact;
mod replace;
pub mod review;
pub mod scan;

use crate::lexicon as lists;
pub use crate::lexicon::is_ordinary_word;

use serde::Serialize;

pub use known::{Known, Mentions, detect_in, detect_with_key, found_names, mentions};
use known::{key_mentions, with_parts};
pub use replace::{Replacement, apply, apply_detections, apply_str, log_entries};

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

/// Whether a name that is also an ordinary word, standing at bytes `start..end` of `text`,
/// reads as the word there, as the anonymiser reads it: with a capital, as a sentence's first
/// word before a subject pronoun ("Will I", "Hope you're well", "Dan heb je"); in lower case,
/// everywhere except right after a verb of seeing or speaking to someone ("ik zag roos").
pub fn reads_as_the_word(text: &str, start: usize, end: usize) -> bool {
    if text[start..].starts_with(char::is_uppercase) {
        names::opens_sentence_before_pronoun(text, start, end)
    } else {
        !names::after_a_verb_of_meeting(text, start)
    }
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
    // byte → char offsets, counting the characters between one bound and the next (the
    // standard library counts them many bytes at a time; a character at a time, to the end
    // of the text, this was 2 % of an import's work). A bound is a character's start.
    let mut chars_at = Vec::with_capacity(bounds.len());
    let (mut byte, mut chars) = (0, 0);
    for &b in &bounds {
        let mut b = b.min(text.len());
        while !text.is_char_boundary(b) {
            b -= 1;
        }
        chars += text[byte..b].chars().count();
        byte = b;
        chars_at.push(chars);
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
