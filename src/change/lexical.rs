//! Lexical shift of one participant between two waves: log-likelihood keyness and
//! first-person pronoun rates. Pseudonyms (`[PERSOON-2]`) and speaker codes (`P03`) are not
//! words of the participant and are not counted; a wave with fewer than [`MIN_WORDS`] words
//! is reported as too small to read; function words can be left out of the list shown (the
//! counts keep every word).

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::offsets;

/// One word's change between two waves.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Keyword {
    pub word: String,
    pub from_rate: f64,
    pub to_rate: f64,
    pub g2: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Pronouns {
    pub wave: String,
    pub singular_rate: f64,
    pub plural_rate: f64,
}

/// The lexical shift (the `changes --lexical --json` contract).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Lexical {
    pub participant: String,
    pub from: String,
    pub to: String,
    pub keywords: Vec<Keyword>,
    pub pronouns: Vec<Pronouns>,
    /// The participant's own words counted in each wave (`from`, `to`).
    pub words: [usize; 2],
    /// Whether either wave has fewer than [`MIN_WORDS`] words: the list is then noise.
    pub too_small: bool,
    /// Whether function words were left out of `keywords` (they are still counted).
    pub without_function_words: bool,
}

/// The fewest words a wave needs for its keyness to be read. Log-likelihood is trusted when
/// a word's expected count is about five or more; at 1,000 words only words used five times
/// per 1,000 reach that, so below it the list is mostly chance (a word said twice instead of
/// once tops it).
pub const MIN_WORDS: usize = 1000;

/// Words left out of the list shown when asked: articles, pronouns (other than the first
/// person ones measured below), prepositions, conjunctions, auxiliaries and fillers.
const FUNCTION_WORDS_NL: &[&str] = &[
    "de",
    "het",
    "een",
    "en",
    "of",
    "maar",
    "dat",
    "die",
    "dit",
    "deze",
    "wat",
    "wie",
    "waar",
    "hoe",
    "als",
    "dan",
    "omdat",
    "want",
    "dus",
    "toen",
    "nu",
    "ook",
    "nog",
    "al",
    "wel",
    "niet",
    "geen",
    "er",
    "hier",
    "daar",
    "in",
    "op",
    "aan",
    "van",
    "voor",
    "met",
    "bij",
    "naar",
    "uit",
    "over",
    "om",
    "tot",
    "door",
    "te",
    "je",
    "jij",
    "u",
    "hij",
    "zij",
    "ze",
    "hem",
    "haar",
    "zijn",
    "hun",
    "jullie",
    "is",
    "was",
    "ben",
    "bent",
    "waren",
    "heb",
    "hebt",
    "heeft",
    "had",
    "hadden",
    "hebben",
    "word",
    "wordt",
    "werd",
    "worden",
    "kan",
    "kon",
    "kunnen",
    "zal",
    "zou",
    "zullen",
    "moet",
    "moest",
    "moeten",
    "wil",
    "wilde",
    "willen",
    "mag",
    "mocht",
    "ga",
    "gaat",
    "gaan",
    "ging",
    "doe",
    "doet",
    "deed",
    "doen",
    "zo",
    "heel",
    "erg",
    "echt",
    "eh",
    "ehm",
    "uh",
    "hm",
    "ja",
    "nee",
    "nou",
    "toch",
    "even",
    "gewoon",
    "eigenlijk",
    "zeg",
    "maar",
];
const FUNCTION_WORDS_EN: &[&str] = &[
    "the", "a", "an", "and", "or", "but", "that", "this", "these", "those", "what", "who", "where",
    "how", "when", "if", "then", "because", "so", "as", "now", "also", "still", "not", "no",
    "there", "here", "in", "on", "at", "of", "for", "with", "by", "to", "from", "about", "into",
    "out", "up", "you", "he", "she", "they", "him", "her", "his", "them", "their", "it", "its",
    "is", "was", "am", "are", "were", "be", "been", "have", "has", "had", "do", "does", "did",
    "can", "could", "will", "would", "shall", "should", "may", "might", "must", "just", "really",
    "very", "um", "uh", "er", "erm", "like", "yeah", "yes", "well", "oh", "don't", "it's",
    "that's", "i'm",
];

/// Log-likelihood (G²) of a word seen `a` times in `c` words and `b` times in `d` words.
pub fn g2(a: f64, b: f64, c: f64, d: f64) -> f64 {
    let e1 = c * (a + b) / (c + d);
    let e2 = d * (a + b) / (c + d);
    let part = |o: f64, e: f64| {
        if o > 0.0 && e > 0.0 {
            o * (o / e).ln()
        } else {
            0.0
        }
    };
    2.0 * (part(a, e1) + part(b, e2))
}

/// The words of a passage, lower case, without its pseudonyms and the project's participant
/// codes and speaker labels that have a digit (`p03`, `int2`; not `b12` or `mp3` unless a
/// participant is called so).
fn tokens(text: &str, labels: &HashSet<String>) -> Vec<String> {
    // Pseudonyms are blanked first, so that `[ADRES-2]` gives no word `adres-2`.
    let mut plain = String::with_capacity(text.len());
    let mut last = 0;
    let spans = crate::keyfile::pseudonym_spans(text);
    let bytes = crate::offsets::char_to_byte(
        text,
        &spans.iter().flat_map(|&(s, e)| [s, e]).collect::<Vec<_>>(),
    );
    for pair in bytes.chunks(2) {
        if let [s, e] = pair {
            plain.push_str(&text[last..*s]);
            plain.push(' ');
            last = *e;
        }
    }
    plain.push_str(&text[last..]);
    plain
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
        .map(|w| {
            w.trim_matches(|c: char| c == '\'' || c == '’' || c == '-')
                .to_lowercase()
        })
        .filter(|w| !w.is_empty() && w.chars().any(char::is_alphabetic) && !labels.contains(w))
        .collect()
}

/// The lexical shift of a participant's own words between two waves.
pub fn lexical(
    conn: &Connection,
    participant: &str,
    from: &str,
    to: &str,
    top: usize,
    without_function_words: bool,
) -> Result<Lexical> {
    let p = crate::import::resolve::normalise_participant(participant);
    let (from, to) = (
        crate::corpus::wave_named(conn, from)?
            .unwrap_or_else(|| crate::import::resolve::normalise_wave(from)),
        crate::corpus::wave_named(conn, to)?
            .unwrap_or_else(|| crate::import::resolve::normalise_wave(to)),
    );
    // Participant codes and speaker labels with a digit are labels, not words.
    let mut labels: HashSet<String> = HashSet::new();
    for sql in [
        "SELECT code FROM participants",
        "SELECT DISTINCT speaker FROM turns",
    ] {
        let mut stmt = conn.prepare(sql)?;
        for l in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let l = l?.to_lowercase();
            if l.chars().any(|c| c.is_ascii_digit()) {
                labels.insert(l);
            }
        }
    }
    let words_of = |wave: &str| -> Result<(Vec<String>, String)> {
        let mut stmt = conn.prepare(
            "SELECT d.text, t.start, t.end, d.language FROM turns t JOIN participants p ON p.id = t.participant_id
             JOIN documents d ON d.id = t.doc_id JOIN waves w ON w.id = d.wave_id WHERE p.code = ?1 AND w.name = ?2",
        )?;
        let mut out = Vec::new();
        let mut language = String::from("nl");
        for row in stmt.query_map([&p, &wave.to_owned()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })? {
            let (text, s, e, l) = row?;
            out.extend(tokens(
                offsets::slice_chars(&text, s as usize, e as usize),
                &labels,
            ));
            language = l;
        }
        if out.is_empty() {
            return Err(Error::NotFound(format!(
                "{p} has no words of their own in wave {wave}"
            )));
        }
        Ok((out, language))
    };
    let (a_words, language) = words_of(&from)?;
    let (b_words, _) = words_of(&to)?;
    fn count(ws: &[String]) -> HashMap<&str, f64> {
        let mut m: HashMap<&str, f64> = HashMap::new();
        for w in ws {
            *m.entry(w.as_str()).or_default() += 1.0;
        }
        m
    }
    let (ca, cb) = (count(&a_words), count(&b_words));
    let (na, nb) = (a_words.len() as f64, b_words.len() as f64);
    let vocabulary: HashSet<&str> = ca.keys().chain(cb.keys()).copied().collect();
    let mut keywords: Vec<Keyword> = vocabulary
        .into_iter()
        .map(|w| {
            let (a, b) = (
                ca.get(w).copied().unwrap_or(0.0),
                cb.get(w).copied().unwrap_or(0.0),
            );
            Keyword {
                word: w.to_owned(),
                from_rate: a * 1000.0 / na,
                to_rate: b * 1000.0 / nb,
                g2: g2(a, b, na, nb),
            }
        })
        .collect();
    keywords.sort_by(|x, y| y.g2.total_cmp(&x.g2).then(x.word.cmp(&y.word)));
    if without_function_words {
        let list = if language == "en" {
            FUNCTION_WORDS_EN
        } else {
            FUNCTION_WORDS_NL
        };
        keywords.retain(|k| !list.contains(&k.word.as_str()));
    }
    keywords.truncate(top);
    let (singular, plural): (&[&str], &[&str]) = if language == "en" {
        (
            &["i", "me", "my", "mine", "myself"],
            &["we", "us", "our", "ours", "ourselves"],
        )
    } else {
        (
            &["ik", "me", "mij", "mijn", "m'n"],
            &["wij", "we", "ons", "onze"],
        )
    };
    let rate = |ws: &[String], set: &[&str]| {
        ws.iter().filter(|w| set.contains(&w.as_str())).count() as f64 * 1000.0 / ws.len() as f64
    };
    let pronouns = vec![
        Pronouns {
            wave: from.clone(),
            singular_rate: rate(&a_words, singular),
            plural_rate: rate(&a_words, plural),
        },
        Pronouns {
            wave: to.clone(),
            singular_rate: rate(&b_words, singular),
            plural_rate: rate(&b_words, plural),
        },
    ];
    let words = [a_words.len(), b_words.len()];
    Ok(Lexical {
        participant: p,
        from,
        to,
        keywords,
        pronouns,
        words,
        too_small: words.iter().any(|&n| n < MIN_WORDS),
        without_function_words,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g2_matches_a_hand_computation() {
        // a = 10 of 1,000 words, b = 2 of 1,000: E = 6 each;
        // G² = 2 (10 ln(10/6) + 2 ln(2/6)) = 2 (5.1083 − 2.1972) = 5.8221
        assert!((g2(10.0, 2.0, 1000.0, 1000.0) - 5.8221).abs() < 1e-3);
        assert_eq!(g2(0.0, 0.0, 10.0, 10.0), 0.0);
    }

    #[test]
    fn pseudonyms_and_speaker_codes_are_not_words() {
        let labels: HashSet<String> = ["p03".to_owned(), "int2".to_owned()].into();
        assert_eq!(
            tokens(
                "Ik woonde op [ADRES-2] met [PERSOON-3], zei P03 tegen INT2: zo'n huis, b12.",
                &labels
            ),
            [
                "ik", "woonde", "op", "met", "zei", "tegen", "zo'n", "huis", "b12"
            ]
        );
    }
}
