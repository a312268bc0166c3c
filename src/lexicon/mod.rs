//! What narrata knows about Dutch and English words and names, below every module that uses
//! it: the word lists embedded at build time from `lists/` (sources and licences in each
//! file's header and in `docs/ANONYMISATION.md`), the forms one name takes (`variants`) and
//! the words that mark an organisation (`organisations`). The detector finds names with it;
//! the key decides with it that two forms name the same person.

pub mod compounds;
pub mod organisations;
pub mod variants;

use std::sync::OnceLock;

/// A set hashed with foldhash: the detector and the index look words up in these sets for
/// every word they read, where the standard library's SipHash was a measurable share of an
/// import (profiled).
pub type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
/// A map hashed as [`HashSet`] is.
pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

fn parse(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Lists as sets; names and places keep their case, stop words are lower case.
pub struct Lists {
    pub first_names: HashSet<&'static str>,
    pub surnames: HashSet<&'static str>,
    /// Surnames with their particles as written mid-sentence ("de Jong"), lower-cased.
    pub particle_surnames: HashSet<String>,
    pub places: HashSet<&'static str>,
    /// Places lower-cased, for lower-case mentions after "in", "uit", "naar"…
    pub places_lower: HashSet<String>,
    /// Common words of both languages.
    pub stopwords: HashSet<&'static str>,
    /// Common words of one language: a Dutch name that is an English word ("Wake", "Rose") is
    /// still a name in a Dutch interview.
    pub stopwords_nl: HashSet<&'static str>,
    pub stopwords_en: HashSet<&'static str>,
    pub not_identifiers: HashSet<&'static str>,
    /// Every proper beginning of an entry of `not_identifiers` ("Higher", "Higher P", …): a
    /// phrase that starts with a word not in here is no entry, and is not looked up.
    pub not_identifier_beginnings: HashSet<&'static str>,
}

static LISTS: OnceLock<Lists> = OnceLock::new();

/// The lists, built once.
pub fn lists() -> &'static Lists {
    LISTS.get_or_init(|| {
        let first_names = parse(include_str!("lists/first_names.nl.txt"))
            .chain(parse(include_str!("lists/first_names.en.txt")))
            .collect();
        let all_surnames: Vec<&'static str> = parse(include_str!("lists/surnames.nl.txt"))
            .chain(parse(include_str!("lists/surnames.en.txt")))
            .collect();
        let particle_surnames = all_surnames
            .iter()
            .filter(|s| s.contains(' '))
            .map(|s| s.to_lowercase())
            .collect();
        let surnames = all_surnames
            .iter()
            .flat_map(|s| s.split(' ').next_back())
            .filter(|s| s.chars().next().is_some_and(char::is_uppercase))
            .collect();
        let places: HashSet<&'static str> = parse(include_str!("lists/places.nl.txt"))
            .chain(parse(include_str!("lists/places.en.txt")))
            .collect();
        let places_lower = places.iter().map(|p| p.to_lowercase()).collect();
        let stopwords_nl: HashSet<&'static str> =
            parse(include_str!("lists/stopwords.nl.txt")).collect();
        let stopwords_en: HashSet<&'static str> =
            parse(include_str!("lists/stopwords.en.txt")).collect();
        let stopwords = stopwords_nl.union(&stopwords_en).copied().collect();
        let not_identifiers: HashSet<&'static str> =
            parse(include_str!("lists/not_identifiers.txt")).collect();
        let not_identifier_beginnings = not_identifiers
            .iter()
            .flat_map(|e| e.char_indices().skip(1).map(move |(at, _)| &e[..at]))
            .collect();
        Lists {
            first_names,
            surnames,
            particle_surnames,
            places,
            places_lower,
            stopwords,
            stopwords_nl,
            stopwords_en,
            not_identifiers,
            not_identifier_beginnings,
        }
    })
}

impl Lists {
    /// The common words of a document's language (both lists when it is not known).
    pub fn common(&self, language: &str) -> &HashSet<&'static str> {
        match language {
            "nl" => &self.stopwords_nl,
            "en" => &self.stopwords_en,
            _ => &self.stopwords,
        }
    }
}

/// The dictionary of ordinary words of a language (lower case): `words.nl.txt` (OpenTaal) and
/// `words.en.txt` (SCOWL), read once, on first use, into a hash set (a sorted list searched by
/// halves cost a share of an import's time: profiled).
fn dictionary(language: &str) -> &'static HashSet<&'static str> {
    static NL: OnceLock<HashSet<&'static str>> = OnceLock::new();
    static EN: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let (cell, text) = match language {
        "en" => (&EN, include_str!("lists/words.en.txt")),
        _ => (&NL, include_str!("lists/words.nl.txt")),
    };
    cell.get_or_init(|| parse(text).collect())
}

/// Whether `word` (any case) is an ordinary word of `language` (both languages when it is
/// neither `nl` nor `en`): then a name written like it is a name only where the context says so
/// ("de zon", "it may", "een visser" are words, not the people Zon, May and Visser).
pub fn is_ordinary_word(word: &str, language: &str) -> bool {
    let lower;
    let word = if word.chars().any(char::is_uppercase) {
        lower = word.to_lowercase();
        lower.as_str()
    } else {
        word
    };
    match language {
        "nl" | "en" => dictionary(language).contains(word),
        _ => dictionary("nl").contains(word) || dictionary("en").contains(word),
    }
}

#[cfg(test)]
mod tests {
    use super::is_ordinary_word;

    #[test]
    fn the_dictionaries_know_ordinary_words_that_are_also_names() {
        for (word, language) in [
            ("Zon", "nl"),
            ("visser", "nl"),
            ("Hoorn", "nl"),
            ("grace", "en"),
            ("May", "en"),
            ("hunter", "en"),
        ] {
            assert!(is_ordinary_word(word, language), "{word}");
        }
        for (word, language) in [("Zwanhilde", "nl"), ("Kwakernaat", "nl"), ("Jaylen", "en")] {
            assert!(!is_ordinary_word(word, language), "{word}");
        }
        // A word of the other language only.
        assert!(!is_ordinary_word("grace", "nl"));
    }
}
