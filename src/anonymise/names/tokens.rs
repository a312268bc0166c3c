//! The words of a text as the name rules see them, and what one word says on its own: a
//! particle, noise, a number word, a house number, a known name, the start of a name.

use crate::lexicon::{Lists, organisations};

use super::words::*;

/// One word of the text.
#[derive(Debug, Clone)]
pub(super) struct Token<'a> {
    pub(super) text: &'a str,
    /// The word in lower case, computed once (the word itself when it is already).
    pub(super) lowered: std::borrow::Cow<'a, str>,
    pub(super) start: usize,
    pub(super) end: usize,
    /// Follows sentence punctuation or opens the region.
    pub(super) sentence_start: bool,
}

impl Token<'_> {
    pub(super) fn capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }
    pub(super) fn lower(&self) -> &str {
        &self.lowered
    }
    pub(super) fn is_initial(&self) -> bool {
        organisations::is_initial(self.text)
    }
}

/// A word lower-cased, with a curly apostrophe made straight (copied once, not twice: this
/// runs for every word the name finder reads). Most words of speech are lower-case ASCII
/// already: those are not copied at all.
fn lowered(word: &str) -> std::borrow::Cow<'_, str> {
    if word
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'\'' | b'-'))
    {
        return word.into();
    }
    let lower = word.to_lowercase();
    if lower.contains('’') {
        lower.replace('’', "'").into()
    } else {
        lower.into()
    }
}

pub(super) fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut sentence_start = true;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() {
            let start = i;
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() {
                    end = j + d.len_utf8();
                    chars.next();
                } else if matches!(d, '\'' | '’' | '-') {
                    // joins only between letters or digits
                    let mut look = chars.clone();
                    look.next();
                    if look.peek().is_some_and(|&(_, e)| e.is_alphanumeric()) {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            // An initial: one capital followed by a full stop ("J. de Wit").
            let word = &text[start..end];
            let mut wc = word.chars();
            let single_capital = wc.next().is_some_and(char::is_uppercase) && wc.next().is_none();
            if single_capital && chars.peek().is_some_and(|&(_, d)| d == '.') {
                let (j, _) = chars.next().unwrap_or((end, '.'));
                end = j + 1;
            }
            // A possessive or contraction ending ("Hope’s", "there’s", "Anna's") is not part of
            // the word: the name is the same with or without it.
            let word = &text[start..end];
            for ending in ["'s", "’s", "'S", "’S"] {
                if word.len() > ending.len() + 1 && word.ends_with(ending) {
                    end -= ending.len();
                    break;
                }
            }
            let word = &text[start..end];
            out.push(Token {
                text: word,
                lowered: lowered(word),
                start,
                end,
                sentence_start,
            });
            sentence_start = false;
        } else if matches!(
            c,
            '.' | '!'
                | '?'
                | ':'
                | ';'
                | '"'
                | '“'
                | '”'
                | '‘'
                | '('
                | ')'
                | '['
                | ']'
                | '…'
                | '—'
                | '–'
        ) {
            sentence_start = true;
        } else if c == '\n' {
            // A wrapped line continues its sentence; a blank line ends it.
            if chars.peek().is_some_and(|&(_, d)| d == '\n') {
                sentence_start = true;
            }
        }
    }
    out
}

/// A name particle ("van", "de", "der", "'t") in any case.
pub(in crate::anonymise) fn is_particle_word(word: &str) -> bool {
    PARTICLES.contains(&word.to_lowercase().as_str())
}

pub(super) fn is_particle(t: &Token<'_>) -> bool {
    PARTICLES.contains(&t.lower()) && !t.capitalised()
        || matches!(
            t.text,
            "De" | "Van" | "Den" | "Ter" | "Ten" | "El" | "Al" | "La" | "Le"
        )
}

/// A month, a day of the week (also "dinsdagavond") or a number written as words: never a
/// name, whatever its capital.
pub(in crate::anonymise) fn is_calendar_or_number_word(lower: &str) -> bool {
    MONTHS_AND_DAYS.contains(&lower)
        || MONTHS_AND_DAYS.contains(&lower.trim_end_matches('s'))
        || MONTHS_AND_DAYS[20..].iter().any(|d| lower.starts_with(d))
        || is_number_word(lower)
}

/// A number written as words ("Forty-odd", "Tweeënvijftig", "Achtendertig").
pub(in crate::anonymise) fn is_number_word(lower: &str) -> bool {
    // Most words hold neither letter: no copy for them (this runs for every word).
    let plain: std::borrow::Cow<str> = if lower.contains(['ë', 'é']) {
        lower.replace(['ë', 'é'], "e").into()
    } else {
        lower.into()
    };
    // A set, not the list: this runs for most capitalised words (the list's look-ups and
    // its ~60 prefix tests for each were a measurable share of detection: profiled).
    static NUMBERS: std::sync::LazyLock<crate::lexicon::HashSet<&'static str>> =
        std::sync::LazyLock::new(|| NUMBER_WORDS.iter().copied().collect());
    plain.split('-').all(|part| {
        NUMBERS.contains(part)
            // A unit, "en" and a ten: "eenentwintig", "achtenveertig".
            || part.match_indices("en").any(|(k, _)| {
                NUMBERS.contains(&part[..k]) && NUMBERS.contains(&part[k + 2..])
            })
    })
}

/// A compound of a word that identifies no one and an ordinary word: "Facebookpagina",
/// "Kerstboom", "Ramadanfeest".
pub(super) fn word_after_a_non_identifier(word: &str, l: &Lists) -> bool {
    if word.len() < 8 || !word.starts_with(char::is_uppercase) {
        return false;
    }
    word.char_indices().skip(5).any(|(k, _)| {
        word.len() - k >= 3
            && l.not_identifiers.contains(&word[..k])
            && crate::lexicon::is_ordinary_word(&word[k..], "")
    })
}

/// A name-like word written with a capital inside ("SpinRiver", "McCann"): a brand, a
/// company or a surname, never an ordinary word.
pub(super) fn has_inner_capital(t: &Token<'_>) -> bool {
    let mut chars = t.text.chars();
    chars.next().is_some_and(char::is_uppercase) && {
        let rest: Vec<char> = chars.collect();
        rest.windows(2)
            .any(|w| w[0].is_lowercase() && w[1].is_uppercase())
            && rest.iter().filter(|c| c.is_uppercase()).count() < rest.len() / 2 + 1
    }
}

pub(super) fn noise(t: &Token<'_>, l: &Lists) -> bool {
    let lower = t.lower();
    let letters = t
        .text
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let code = letters <= 3
        && letters < t.text.len()
        && t.text[letters..].chars().all(|c| c.is_ascii_digit());
    let acronym = t.text.chars().count() <= 4
        && t.text
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
        || (t.text.ends_with('s')
            && t.text.len() <= 5
            && t.text[..t.text.len() - 1]
                .chars()
                .all(|c| c.is_ascii_uppercase()));
    l.not_identifiers.contains(t.text)
        || MONTHS_AND_DAYS.contains(&lower)
        || MONTHS_AND_DAYS.contains(&lower.trim_end_matches('s'))
        || MONTHS_AND_DAYS[20..].iter().any(|d| lower.starts_with(d)) // "dinsdagavond"
        || t.text.chars().all(|c| c.is_ascii_digit())
        || code
        || (acronym && !t.is_initial() && !is_org_acronym(t, l))
        || is_number_word(lower)
        || word_after_a_non_identifier(t.text, l)
        // "Ex-partner", "Anti-depressiva": a common word joined to a lower-case one. With a
        // capital after the hyphen ("Oud-Linden", "Al-Fajr") it is a name.
        || t.text.split_once('-').is_some_and(|(head, tail)| {
            !tail.chars().next().is_some_and(char::is_uppercase)
                && (l.not_identifiers.contains(head)
                    || l.stopwords.contains(head.to_lowercase().as_str()))
        })
        || ADVERBIAL_GENITIVES.contains(&lower)
        || t.text == "I"
        || t.text.starts_with("I'")
        || t.text.starts_with("I’")
}

/// A capitalised particle or an organisation acronym ("De", "Van", "GGZ") that opens a name
/// when a capitalised word follows ("De Oever", "Van den Berg", "GGZ Rijnvliet").
pub(super) fn opens_name(toks: &[Token<'_>], i: usize, text: &str, l: &Lists) -> bool {
    let t = &toks[i];
    if !t.capitalised() {
        return false;
    }
    let opener = PARTICLES.contains(&t.lower()) || organisations::ORG_WORDS.contains(&t.lower());
    if !opener {
        return false;
    }
    let mut j = i + 1;
    while j < toks.len()
        && !text[toks[j - 1].end..toks[j].start].contains([',', '.', '\n', ';', ':', '!', '?'])
    {
        let u = &toks[j];
        if is_particle(u) && !u.capitalised() {
            j += 1;
            continue;
        }
        return u.capitalised() && !noise(u, l) && !(PARTICLES.contains(&u.lower()));
    }
    false
}

pub(super) fn known_name(t: &str, l: &Lists) -> bool {
    l.first_names.contains(t) || l.surnames.contains(t) || l.places.contains(t)
}

/// Whether the word at byte `start` follows a verb of meeting (see [`VERBS_OF_MEETING`]).
pub(in crate::anonymise) fn after_a_verb_of_meeting(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end();
    let word: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic())
        .collect::<Vec<char>>()
        .into_iter()
        .rev()
        .collect::<String>()
        .to_lowercase();
    before.len() < start && VERBS_OF_MEETING.contains(&word.as_str())
}

/// Whether the word at bytes `start..end` opens a sentence and is followed, in the same
/// clause, by a subject pronoun: there a name that is also an ordinary word is the word ("Hope
/// you're well", "May I", "Will it rain"), not the person. Anything else after it ("Roos had
/// het", "Frank said", "Roos zag ik") leaves it the name, except after a function word,
/// where Dutch puts the subject after the verb ("Dan heb je": the word, not Dan).
pub(in crate::anonymise) fn opens_sentence_before_pronoun(
    text: &str,
    start: usize,
    end: usize,
) -> bool {
    let before = text[..start].trim_end();
    let opens = before.is_empty()
        || before.ends_with([
            '.', '!', '?', ':', ';', '"', '“', '”', '‘', '(', '[', '…', '—', '–', '\n',
        ]);
    let next = text[end..]
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .find(|w| !w.is_empty())
        .unwrap_or("")
        .to_lowercase()
        .replace('’', "'");
    let word = next.split('\'').next().unwrap_or("");
    // Only a word in the same clause counts: "Grace. She's nineteen" is the person.
    let joined = text[end..]
        .chars()
        .take_while(|c| !c.is_alphanumeric())
        .all(char::is_whitespace);
    // Dutch inversion after a function word ("Dan heb je", "Dan had het geen zin"): a verb,
    // then the subject. Only for function words: "Roos zag ik", "Kees had het" are people.
    let function_word = crate::anonymise::is_common_word(&text[start..end]);
    let inverted = function_word
        && text[end..].split_whitespace().nth(1).is_some_and(|w| {
            let w = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            SUBJECT_PRONOUNS.contains(&w.as_str())
        });
    // "Mark my words", "Hope your mum is well": a verb before a possessive.
    let possessive = matches!(
        word,
        "my" | "your" | "our" | "their" | "mijn" | "jouw" | "onze" | "uw"
    );
    opens && joined && (SUBJECT_PRONOUNS.contains(&word) || inverted || possessive)
}

/// A house number, with or without a letter: "14", "3a", "112".
pub(super) fn house_number(t: &Token<'_>) -> bool {
    t.text.len() <= 5
        && t.text.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.text.chars().filter(|c| !c.is_ascii_digit()).count() <= 1
}

/// A demonym or place adjective ("Utrechtse", "Amsterdammer", "Glaswegian"): a capitalised
/// word made from a place's name identifies no one.
pub(super) fn place_adjective(t: &Token<'_>, l: &Lists) -> bool {
    if !t.capitalised() {
        return false;
    }
    ["se", "s", "er", "ers", "ian", "ians", "ish"]
        .iter()
        .any(|end| {
            t.text.strip_suffix(end).is_some_and(|stem| {
                stem.chars().count() >= 3
                    && (l.places.contains(stem)
                        || stem
                            .strip_suffix(|c: char| c == stem.chars().last().unwrap_or(' '))
                            .is_some_and(|s| l.places.contains(s)))
            })
        })
}

pub(super) fn is_org_acronym(t: &Token<'_>, l: &Lists) -> bool {
    organisations::is_org_acronym(t.text, l)
}

pub(super) fn org_word(t: &Token<'_>, l: &Lists) -> bool {
    organisations::is_org_word(t.text, t.lower(), l)
}
