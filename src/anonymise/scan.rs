//! The second, more suspicious look at stored transcripts (`anonymise scan`): what an import
//! may have left that still identifies someone, ranked for a researcher to review. Where the
//! import replaces only what it is fairly sure of, this pass lists what it is not sure of:
//! - what the detector finds now (its rules may have grown since the import), with the key's
//!   names when the key is open;
//! - words written as names that no dictionary knows, more suspicious mid-sentence than at a
//!   sentence's start, and more when they recur across documents;
//! - first names in lower case ("ik sprak sanne"), and names that are also words where they
//!   stand with a capital mid-sentence ("met Hoop gepraat");
//! - ordinary words with a capital mid-sentence (names of groups, pubs and clubs: "the
//!   Thistle"), more so beside another or a pseudonym;
//! - numbers of three digits or more that no rule explained (house numbers, member numbers),
//!   and numbers said in words that may be ages.
//!
//! Nothing here changes a text: the researcher redacts what is an identifier
//! (`anonymise redact`) and leaves the rest.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;
use serde::Serialize;

use super::is_common_word;
use crate::corpus;
use crate::error::Result;
use crate::keyfile::{self, Key};
use crate::lexicon as lists;
use crate::offsets::slice_chars;

/// One passage that may identify someone, with why it was listed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suspect {
    pub doc: i64,
    /// Character offsets in the document's text.
    pub start: usize,
    pub end: usize,
    /// The category a redaction would most likely use.
    pub category: &'static str,
    /// How suspicious, from 0 to 1 (two decimals): the list is sorted by it.
    pub score: f64,
    /// Why it is listed: `detector`, `known-name`, `unknown-capitalised`, `lower-case-name`,
    /// `name-that-is-a-word`, `capitalised-word`, `number`, `number-word`.
    pub reason: &'static str,
    /// In how many documents the same words stand (for recurring unknown names).
    pub documents: usize,
    pub line: usize,
    /// Up to 30 characters either side, the words between ⟦ and ⟧.
    pub context: String,
}

/// A word of a turn: character offsets and text.
struct Word<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    /// The first word of a sentence (or of the turn).
    opens: bool,
}

/// The words of `text[from..to]` (characters), with whether each opens a sentence.
fn words_of<'a>(text: &'a str, chars: &[(usize, char)], from: usize, to: usize) -> Vec<Word<'a>> {
    let mut out = Vec::new();
    let mut i = from;
    let mut opens = true;
    while i < to {
        let c = chars[i].1;
        if c.is_alphanumeric() {
            let start = i;
            while i < to
                && (chars[i].1.is_alphanumeric()
                    || (crate::words::is_joiner(chars[i].1)
                        && i + 1 < to
                        && chars[i + 1].1.is_alphanumeric()))
            {
                i += 1;
            }
            let (bs, be) = (chars[start].0, chars.get(i).map_or(text.len(), |c| c.0));
            out.push(Word {
                start,
                end: i,
                text: &text[bs..be],
                opens,
            });
            opens = false;
        } else {
            if matches!(
                c,
                '.' | '!' | '?' | ':' | ';' | '"' | '“' | '”' | '‘' | '(' | '…' | '\n'
            ) {
                opens = true;
            }
            // After a transcriber's note ("[laughs]", "(lacht)"), not after a pseudonym.
            if c == ']' || c == ')' {
                let open = if c == ']' { '[' } else { '(' };
                let note = chars[from..i]
                    .iter()
                    .rev()
                    .take_while(|(_, x)| *x != open)
                    .all(|(_, x)| x.is_lowercase() || x.is_whitespace());
                opens |= note;
            }
            i += 1;
        }
    }
    out
}

/// A suspect before its context is written.
struct Found {
    doc: i64,
    start: usize,
    end: usize,
    category: &'static str,
    score: f32,
    reason: &'static str,
    /// For unknown capitalised words: the words, to count the documents they stand in.
    word: Option<String>,
}

/// Joins neighbouring capitalised suspects of one document (`found[from..]`) separated only
/// by white space into one, a little more suspicious than either.
fn merge_runs(found: &mut Vec<Found>, from: usize, chars: &[(usize, char)]) {
    let mut mine: Vec<Found> = found.drain(from..).collect();
    mine.sort_by_key(|f| f.start);
    for f in mine {
        if let Some(last) = found.last_mut().filter(|l| l.doc == f.doc)
            && capitalised(last.reason)
            && capitalised(f.reason)
            && last.end <= f.start
            && chars[last.end..f.start]
                .iter()
                .all(|(_, c)| c.is_whitespace())
        {
            if f.score > last.score {
                last.reason = f.reason;
                last.category = f.category;
            }
            last.score = last.score.max(f.score) + 0.05;
            last.word = match (last.word.take(), f.word) {
                (Some(a), Some(b)) => Some(format!("{a} {b}")),
                _ => None,
            };
            last.end = f.end;
            continue;
        }
        found.push(f);
    }
}

/// A word written with a capital, by the reasons given for it.
fn capitalised(reason: &str) -> bool {
    matches!(
        reason,
        "unknown-capitalised" | "capitalised-word" | "name-that-is-a-word"
    )
}

/// Every suspect in the documents, most suspicious first. With the key, the detector also
/// looks for the key's names (in any form the import would have replaced).
pub fn suspects(conn: &Connection, docs: &[i64], key: Option<&Key>) -> Result<Vec<Suspect>> {
    let lists = lists::lists();
    let mut found: Vec<Found> = Vec::new();
    let mut texts: HashMap<i64, String> = HashMap::new();
    for &doc in docs {
        let info = corpus::document(conn, doc)?;
        let text = corpus::text(conn, doc)?;
        let regions: Vec<(usize, usize)> = corpus::turns(conn, doc)?
            .iter()
            .map(|t| (t.start as usize, t.end as usize))
            .collect();
        let language = info.language.as_str();
        let pseudonyms = keyfile::pseudonym_spans(&text);
        let on_pseudonym = |s: usize, e: usize| pseudonyms.iter().any(|&(ps, pe)| s < pe && ps < e);
        // 1. The detector, as it is now, with the key's names if the key is open.
        let detections = match key {
            Some(k) => {
                super::detect_with_key(&text, &regions, k, info.participant.as_deref(), language)
            }
            None => super::detect(&text, &regions, &[], language),
        };
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for d in detections {
            if on_pseudonym(d.start, d.end) {
                continue;
            }
            let known = d.rule.starts_with("mention");
            found.push(Found {
                doc,
                start: d.start,
                end: d.end,
                category: d.category,
                score: if known { 0.95 } else { d.confidence.max(0.7) },
                reason: if known { "known-name" } else { "detector" },
                word: None,
            });
            taken.push((d.start, d.end));
        }
        // 2. Words the detector let pass, looked at with more suspicion.
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        for &(rs, re) in &regions {
            let words = words_of(&text, &chars, rs, re.min(chars.len()));
            for (n, w) in words.iter().enumerate() {
                if on_pseudonym(w.start, w.end)
                    || taken.iter().any(|&(s, e)| w.start < e && s < w.end)
                {
                    continue;
                }
                let first = w.text.chars().next().unwrap_or(' ');
                // "She’s", "Anna's", "I’ll": the word before the apostrophe is what counts;
                // not in "don't", "couldn't".
                let negated = w.text.ends_with("n't") || w.text.ends_with("n’t");
                let base = if negated {
                    w.text
                } else {
                    w.text.split(['\'', '’']).next().unwrap_or(w.text)
                };
                let lower = base.to_lowercase();
                // A speaker label opening a line ("P01:") is not a word of speech.
                let label = n == 0 && text[chars[w.end.min(chars.len() - 1)].0..].starts_with(':');
                // "'s Ochtends", "'s Avonds": an adverb after the old genitive.
                let genitive = w.start >= 3
                    && matches!(
                        (chars[w.start - 3].1, chars[w.start - 2].1),
                        ('\'' | '’', 's')
                    );
                if label || genitive || base.chars().count() < 2 {
                    continue;
                }
                let capital = |x: &Word<'_>| !x.opens && x.text.starts_with(char::is_uppercase);
                // Beside another capitalised word or a pseudonym: part of a longer name?
                let beside = (n > 0 && capital(&words[n - 1]))
                    || words.get(n + 1).is_some_and(capital)
                    || pseudonyms
                        .iter()
                        .any(|&(ps, pe)| pe + 1 == w.start || pe == w.start || w.end + 1 == ps);
                // A phrase that identifies no one ("Universal Credit", "Higher Power"), and a
                // title before a name ("Mrs", "Father").
                let phrase = |a: &Word<'_>, b: &Word<'_>| {
                    lists
                        .not_identifiers
                        .contains(format!("{} {}", a.text, b.text).as_str())
                };
                if (n > 0 && phrase(&words[n - 1], w))
                    || words.get(n + 1).is_some_and(|next| phrase(w, next))
                    || super::names::TITLES.contains(&lower.trim_end_matches('.'))
                {
                    continue;
                }
                if is_common_word(base) || lists.not_identifiers.contains(base) {
                    // A common word is suspect only as part of a name the import cut short
                    // ("[ORGANISATION-3] Mums").
                    if capital(w) && beside && base.chars().count() >= 4 {
                        found.push(Found {
                            doc,
                            start: w.start,
                            end: w.end,
                            category: "ORGANISATION",
                            score: 0.45,
                            reason: "capitalised-word",
                            word: None,
                        });
                    }
                    continue;
                }
                if super::names::is_calendar_or_number_word(&lower) {
                    // A number of years said in words may be an age ("twenty-two or so").
                    if super::names::is_number_word(&lower) && lower.chars().count() >= 6 {
                        found.push(Found {
                            doc,
                            start: w.start,
                            end: w.end,
                            category: "AGE",
                            score: 0.25,
                            reason: "number-word",
                            word: None,
                        });
                    }
                    continue;
                }
                let digits = w.text.chars().filter(char::is_ascii_digit).count();
                if digits > 0 {
                    if digits >= 3 && digits * 2 >= w.text.chars().count() {
                        let after_number_word = n > 0
                            && matches!(
                                words[n - 1].text.to_lowercase().as_str(),
                                "nummer" | "number" | "nr" | "no" | "huisnummer" | "lid" | "member"
                            );
                        found.push(Found {
                            doc,
                            start: w.start,
                            end: w.end,
                            category: if digits >= 5 { "ID" } else { "ADDRESS" },
                            score: match (digits >= 5, after_number_word) {
                                (_, true) => 0.8,
                                (true, false) => 0.6,
                                (false, false) => 0.35,
                            },
                            reason: "number",
                            word: None,
                        });
                    }
                    continue;
                }
                // As a word of either language, whole ("didn't") or in its parts ("Part-time").
                let full = w.text.to_lowercase().replace('’', "'");
                let ordinary = [lower.as_str(), full.as_str()].iter().any(|x| {
                    lists::is_ordinary_word(x, language) || lists::is_ordinary_word(x, "")
                }) || (full.contains('-')
                    && full
                        .split('-')
                        .all(|p| is_common_word(p) || lists::is_ordinary_word(p, "")));
                if first.is_uppercase() {
                    if !ordinary {
                        found.push(Found {
                            doc,
                            start: w.start,
                            end: w.end,
                            category: "PERSON",
                            score: if w.opens { 0.45 } else { 0.6 },
                            reason: "unknown-capitalised",
                            word: Some(w.text.to_owned()),
                        });
                    } else if !w.opens && lists.first_names.contains(base) {
                        found.push(Found {
                            doc,
                            start: w.start,
                            end: w.end,
                            category: "PERSON",
                            score: 0.4,
                            reason: "name-that-is-a-word",
                            word: None,
                        });
                    } else if !w.opens {
                        // An ordinary word with a capital mid-sentence: a name of a group, a
                        // pub, a club ("the Thistle", "Mums in Recovery"), more so next to
                        // another such word or a pseudonym.
                        found.push(Found {
                            doc,
                            start: w.start,
                            end: w.end,
                            category: "ORGANISATION",
                            score: if beside { 0.5 } else { 0.3 },
                            reason: "capitalised-word",
                            word: None,
                        });
                    }
                } else if !ordinary && w.text.chars().count() >= 3 {
                    let mut capital = first.to_uppercase().collect::<String>();
                    capital.push_str(&w.text[first.len_utf8()..]);
                    if lists.first_names.contains(capital.as_str())
                        && !lists::is_ordinary_word(&lower, "")
                    {
                        found.push(Found {
                            doc,
                            start: w.start,
                            end: w.end,
                            category: "PERSON",
                            score: 0.55,
                            reason: "lower-case-name",
                            word: None,
                        });
                    }
                }
            }
        }
        // A run of capitalised words is one suspect ("Universal Credit" would be one name).
        let first_of_doc = found.partition_point(|f| f.doc != doc);
        merge_runs(&mut found, first_of_doc, &chars);
        texts.insert(doc, text);
    }
    // Words the researcher restored (everywhere, or in a document) are not identifiers here.
    if let Some(key) = key {
        found.retain(|f| {
            let words = slice_chars(&texts[&f.doc], f.start, f.end);
            !key.keep.iter().any(|k| k.eq_ignore_ascii_case(words))
                && !key.restored.iter().any(|r| r.original == words)
        });
    }
    // An unknown capitalised word that recurs across documents is more likely a name.
    let mut in_docs: HashMap<&str, HashSet<i64>> = HashMap::new();
    for f in &found {
        if let Some(w) = &f.word {
            in_docs.entry(w.as_str()).or_default().insert(f.doc);
        }
    }
    let mut out: Vec<Suspect> = found
        .iter()
        .map(|f| {
            let documents = f
                .word
                .as_ref()
                .map_or(1, |w| in_docs.get(w.as_str()).map_or(1, HashSet::len));
            let score = (f.score + 0.1 * (documents - 1).min(3) as f32).min(0.9);
            let score = (f64::from(score) * 100.0).round() / 100.0;
            let text = &texts[&f.doc];
            let before = slice_chars(text, f.start.saturating_sub(30), f.start);
            let after = slice_chars(text, f.end, f.end + 30);
            let words = slice_chars(text, f.start, f.end);
            Suspect {
                doc: f.doc,
                start: f.start,
                end: f.end,
                category: f.category,
                score,
                reason: f.reason,
                documents,
                line: text.chars().take(f.start).filter(|c| *c == '\n').count() + 1,
                context: format!(
                    "{}⟦{words}⟧{}",
                    before.replace('\n', " "),
                    after.replace('\n', " ")
                ),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.doc.cmp(&b.doc))
            .then(a.start.cmp(&b.start))
    });
    Ok(out)
}
