//! Names of people, places and organisations, and street addresses: runs of capitalised words
//! (with name particles such as *van der*, and initials), judged by position (a capital at the
//! start of a sentence proves little, one mid-sentence much), by the word lists, and by the
//! words around them ("mevrouw", "mijn zus", "in", "werkte bij"). Place names also in lower
//! case after "in", "uit", "naar", "from".
//!
//! `words` holds the word lists the rules consult, `tokens` the words of a text and what each
//! says on its own; this file joins them into names (`find`).

mod tokens;
mod words;

use crate::lexicon::{Lists, lists};

use tokens::*;
pub(super) use tokens::{
    after_a_verb_of_meeting, is_calendar_or_number_word, is_number_word, is_particle_word,
    opens_sentence_before_pronoun,
};
pub(super) use words::TITLES;
use words::*;

/// A candidate: byte range, category, confidence, the rule that found it.
pub type Hit = (usize, usize, &'static str, f32, &'static str);

/// Every name, place, organisation and address candidate in `text`.
pub fn find(text: &str, language: &str) -> Vec<Hit> {
    let l = lists();
    let common = l.common(language);
    let ordinary = |x: &Token<'_>| crate::lexicon::is_ordinary_word(x.text, language);
    let toks = tokens(text);
    let gap = |a: usize, b: usize| &text[toks[a].end..toks[b].start];
    let name_like = |x: &Token<'_>| {
        (x.capitalised() || x.is_initial())
            && !noise(x, l)
            && !is_particle(x)
            && !place_adjective(x, l)
    };
    let mut hits = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let opens = opens_name(&toks, i, text, l);
        let mut starts_chunk = name_like(t) || opens;
        // A function word opening a sentence ("Met", "En", "Maar", "And", "With") is not part
        // of the name after it; the name is then judged as if mid-sentence.
        // A phrase that identifies no one ("Higher Power willing") is skipped whole. (Only
        // where a listed phrase begins with this word: most words begin none.)
        if l.not_identifier_beginnings.contains(t.text)
            && let Some(k) = (i + 1..toks.len().min(i + 4)).rev().find(|&k| {
                let phrase = &text[t.start..toks[k].end];
                !phrase.contains(['\n', ',', '.', ';', ':', '!', '?'])
                    && l.not_identifiers.contains(phrase)
            })
        {
            i = k + 1;
            continue;
        }
        if starts_chunk
            && !opens
            && t.sentence_start
            && l.stopwords.contains(t.lower())
            && !(l.first_names.contains(t.text)
                && toks.get(i + 1).is_some_and(|n| {
                    n.capitalised() && !noise(n, l) && text[t.end..n.start].trim().is_empty()
                }))
        {
            starts_chunk = false;
        }
        if !starts_chunk {
            i += 1;
            continue;
        }
        // Grow the chunk over capitalised words, initials and particles followed by a capital.
        let mut j = i + 1;
        let mut last = i;
        let mut has_org = org_word(t, l);
        let mut connector: Option<usize> = None;
        let punctuation = ['\n', ',', '.', ';', ':', '!', '?', '(', ')', '"'];
        while j < toks.len() {
            let u = &toks[j];
            if gap(j - 1, j).contains(punctuation) && !toks[j - 1].is_initial() {
                break;
            }
            let after_initial = toks[j - 1].is_initial();
            let new_sentence = (u.sentence_start && !after_initial)
                || (after_initial && l.stopwords.contains(u.lower()) && !is_particle(u));
            if new_sentence {
                break;
            }
            if name_like(u) || opens_name(&toks, j, text, l) {
                has_org |= org_word(u, l);
                last = j;
                j += 1;
            } else if is_particle(u) {
                j += 1;
            } else if CONNECTORS.contains(&u.lower())
                && toks.get(j + 1).is_some_and(|n| {
                    (name_like(n) || CONNECTORS.contains(&n.lower()))
                        && !gap(j, j + 1).contains(punctuation)
                        // "Bakkerij Van Dam in Alphen": where it is, not its name.
                        && !(u.lower() == "in" && known_name(n.text, l) && l.places.contains(n.text))
                })
            {
                connector.get_or_insert(j);
                j += 1;
            } else {
                break;
            }
        }
        // A name joined over "and", "in", "of" is one name only when it is an organisation's
        // or a group's ("Mums in Recovery"), never two people ("Tom and Jerry").
        if let Some(c) = connector.filter(|&c| c < last) {
            let capitals = toks[i..=last].iter().filter(|x| x.capitalised()).count();
            let has_person = toks[i..=last]
                .iter()
                .any(|x| l.first_names.contains(x.text));
            if !(has_org || capitals >= 3) || has_person {
                last = (i..c).rev().find(|&k| name_like(&toks[k])).unwrap_or(i);
                has_org = toks[i..=last].iter().any(|x| org_word(x, l));
            }
        }
        let mut start_idx = i;
        // Particles before the first capital belong to a surname after a title or first name,
        // or when the whole is a known particle surname ("de Vries").
        let mut k = i;
        while k > 0 && is_particle(&toks[k - 1]) && !toks[k - 1].capitalised() {
            k -= 1;
        }
        if k < i {
            let with = text[toks[k].start..toks[i].end].to_lowercase();
            let before = k
                .checked_sub(1)
                .map(|b| toks[b].lower())
                .unwrap_or_default();
            let after_name = k
                .checked_sub(1)
                .is_some_and(|b| l.first_names.contains(toks[b].text));
            if l.particle_surnames.contains(&with) || TITLES.contains(&before) || after_name {
                start_idx = k;
            }
        }
        let chunk = &toks[start_idx..=last];
        let words: Vec<&Token<'_>> = chunk
            .iter()
            .filter(|x| x.capitalised() || x.is_initial())
            .collect();
        let Some(&w) = words.first() else {
            i = last + 1;
            continue;
        };
        let prev = start_idx
            .checked_sub(1)
            .map(|b| toks[b].lower())
            .unwrap_or_default();
        let prev2 = start_idx
            .checked_sub(2)
            .map(|b| toks[b].lower())
            .unwrap_or_default();
        let adjacent = start_idx > 0 && gap(start_idx - 1, start_idx).trim().is_empty();
        let triggered = adjacent
            && (TITLES.contains(&prev)
                || KINSHIP.contains(&prev)
                    && matches!(
                        prev2,
                        "mijn"
                            | "m'n"
                            | "zijn"
                            | "z'n"
                            | "haar"
                            | "d'r"
                            | "my"
                            | "his"
                            | "her"
                            | "our"
                            | "me"
                            | "onze"
                            | "ons"
                    ));
        let single = words.len() == 1;
        let listed = words.iter().any(|x| known_name(x.text, l));
        let stop = |x: &Token<'_>| common.contains(x.lower());
        let last_word = words[words.len() - 1];
        let street_compound = STREET_ENDINGS
            .iter()
            .any(|end| last_word.lower().ends_with(end) && last_word.lower().len() > end.len() + 2);
        let street_words = words.len() >= 2 && STREET_WORDS.contains(&last_word.lower());
        let street = street_compound || street_words;
        // "Brink 2 in Ter Hoorne", "Achter de Molen 3, in Boerveen": a name, a house number,
        // then the town: an address whatever the street is called.
        let house_number_then_town = toks.get(last + 1).is_some_and(|n| {
            house_number(n) && n.text.len() <= 4 && gap(last, last + 1).trim().is_empty()
        }) && toks.get(last + 2).is_some_and(|n| {
            matches!(n.lower(), "in" | "te") && matches!(gap(last + 1, last + 2).trim(), "" | ",")
        }) && toks.get(last + 3).is_some_and(|n| n.capitalised());
        let house_number_then_postcode = single
            && toks
                .get(last + 1)
                .is_some_and(|n| n.text.len() <= 4 && n.text.chars().all(|c| c.is_ascii_digit()))
            && toks
                .get(last + 2)
                .is_some_and(|n| n.text.len() == 4 && n.text.chars().all(|c| c.is_ascii_digit()));
        let phrase = &text[chunk[0].start..chunk[chunk.len() - 1].end];
        let brand = single && has_inner_capital(w);
        let place_or_work_before = PLACE_PREPOSITIONS.contains(&prev)
            || WORK_TRIGGERS.contains(&prev)
            || matches!(prev, "de" | "het" | "the") && WORK_TRIGGERS.contains(&prev2);
        // Capitalised words after "the"/"de" mid-sentence ("the Harbour Line", "de Tweede
        // Ronde"), or after a capitalised article mid-sentence ("buurthuis De Schakel"), are
        // the name of something: articles and ordinary words are not capitalised there.
        let article_before = matches!(prev, "the" | "de" | "het") && words.len() >= 2;
        let capital_article = matches!(chunk[0].text, "De" | "Het") && words.len() >= 2;
        let named_by_article = !chunk[0].sentence_start
            && (article_before || capital_article)
            && !words.iter().any(|x| l.first_names.contains(x.text));
        let accept = if l.not_identifiers.contains(phrase) {
            false
        } else if street || house_number_then_postcode || house_number_then_town {
            true
        } else if chunk[0].sentence_start && single {
            // An unknown capitalised word opening a sentence is taken for a name only when it
            // looks like one: not a common or ordinary word, and a verb-like word follows it.
            let follows_verb = toks.get(last + 1).is_some_and(|n| {
                SUBJECT_VERBS.contains(&n.lower()) && text[w.end..n.start].trim().is_empty()
            }) && !toks
                .get(last + 2)
                .is_some_and(|n| SUBJECT_PRONOUNS.contains(&n.lower()));
            // A listed first name that is also a word ("Ria", "Kees", "Grace") opens a
            // sentence as the person when a verb of hers follows ("Ria zei", "Ria heeft me",
            // "Grace had"), or a comma and a clause about her ("Kees, die…", "Ria, zei ze").
            let acts = toks.get(last + 1).is_some_and(|n| {
                matches!(n.lower(), "heeft" | "had") && text[w.end..n.start].trim().is_empty()
            }) && !toks
                .get(last + 2)
                .is_some_and(|n| SUBJECT_PRONOUNS.contains(&n.lower()));
            let described = text[w.end..].starts_with(',')
                && toks.get(last + 1).is_some_and(|n| {
                    matches!(
                        n.lower(),
                        "die" | "zei" | "zegt" | "vroeg" | "who" | "said" | "says" | "asked"
                    )
                });
            (listed && !stop(w) && !ordinary(w))
                || (listed
                    && !stop(w)
                    && l.first_names.contains(w.text)
                    && (follows_verb || acts || described))
                || triggered
                || (!stop(w) && !ordinary(w) && follows_verb && w.text.chars().count() >= 3)
                || is_org_acronym(w, l)
                || brand
        } else if single {
            // In English any noun may be capitalised for emphasis or as a brand; an ordinary
            // word mid-sentence is a name only when listed as one or when the words around say
            // so. In Dutch, nouns are written in lower case: a capital says more.
            if ordinary(w) && !listed && language != "nl" {
                triggered || place_or_work_before || has_org || brand
            } else {
                !stop(w) || listed || triggered
            }
        } else {
            let all_ordinary = words.iter().all(|x| stop(x) || ordinary(x));
            (!words.iter().all(|x| stop(x))
                && (!all_ordinary || has_org || triggered || place_or_work_before))
                || listed
                || named_by_article
        };
        if !accept {
            i = last + 1;
            continue;
        }
        let (mut s, mut e) = (chunk[0].start, chunk[chunk.len() - 1].end);
        let category;
        let rule;
        let mut confidence: f32 = if listed || triggered { 0.9 } else { 0.7 };
        let organisation_words = named_by_article
            && words
                .iter()
                .all(|x| stop(x) || ordinary(x) || is_particle(x))
            && !street;
        if has_org
            || brand
            || organisation_words
            || WORK_TRIGGERS.contains(&prev)
                && !words.iter().any(|x| l.first_names.contains(x.text))
                && !single
        {
            category = "ORGANISATION";
            rule = if brand {
                "organisation-brand"
            } else if single && is_org_acronym(w, l) {
                "organisation-acronym"
            } else if has_org {
                "organisation-word"
            } else if organisation_words {
                "organisation-name-after-article"
            } else {
                "organisation-after-bij-at"
            };
        } else if street || house_number_then_postcode || house_number_then_town {
            category = "ADDRESS";
            rule = "address-street";
            // The house number that follows belongs to the address.
            if let Some(n) = toks.get(last + 1)
                && text[e..n.start].trim().is_empty()
                && house_number(n)
            {
                e = n.end;
            }
            // So does one before it, with the flat ("27 Pellow Street", "Flat 6, Calder
            // Court"), and "nummer 14 van de Lindelaan".
            let b = start_idx;
            if b >= 1 && house_number(&toks[b - 1]) {
                let mut from = b - 1;
                let between = gap(b - 1, b);
                if between.trim().is_empty() || between.trim() == "," {
                    s = toks[from].start;
                    if from >= 1 && DWELLINGS.contains(&toks[from - 1].lower()) {
                        from -= 1;
                        s = toks[from].start;
                    } else if from >= 2
                        && house_number(&toks[from - 1])
                        && DWELLINGS.contains(&toks[from - 2].lower())
                        && matches!(gap(from - 1, from).trim(), "" | ",")
                    {
                        // "Flat 4, 17 Mill Row": the flat's number, then the house's.
                        s = toks[from - 2].start;
                    }
                }
            } else if b >= 4
                && matches!(toks[b - 1].lower(), "de" | "het" | "the")
                && matches!(
                    toks[b - 2].lower(),
                    "van" | "in" | "aan" | "op" | "on" | "of"
                )
                && house_number(&toks[b - 3])
                && DWELLINGS.contains(&toks[b - 4].lower())
            {
                s = toks[b - 4].start;
            }
            confidence = 0.9;
        } else if triggered
            || words.iter().any(|x| l.first_names.contains(x.text))
            || w.is_initial()
        {
            category = "PERSON";
            rule = if triggered {
                "person-after-title-or-kin"
            } else if w.is_initial() {
                "person-initials"
            } else {
                "person-listed-first-name"
            };
        } else if PLACE_PREPOSITIONS.contains(&prev)
            || words.iter().all(|x| l.places.contains(x.text))
            || l.places.contains(phrase)
        {
            category = "PLACE";
            rule = if PLACE_PREPOSITIONS.contains(&prev) {
                "place-after-preposition"
            } else {
                "place-listed"
            };
        } else {
            category = "PERSON";
            rule = if listed {
                "person-listed-surname"
            } else {
                "name-capitalised"
            };
            confidence = confidence.min(0.7);
        }
        hits.push((s, e, category, confidence, rule));
        i = last + 1;
    }
    hits.extend(workplaces(text, &toks));
    hits.extend(lower_case_places(text, &toks, l));
    hits
}

/// Employers named after a word of working life, even a national brand that otherwise
/// identifies no one: "ik werkte bij de KLM", "I worked at Tesco", "a job at ASDA".
fn workplaces(text: &str, toks: &[Token<'_>]) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        if !WORK_TRIGGERS.contains(&t.lower())
            || !(k.saturating_sub(2)..k).any(|b| WORK_WORDS.contains(&toks[b].lower()))
        {
            continue;
        }
        let mut first = k + 1;
        if toks
            .get(first)
            .is_some_and(|x| matches!(x.lower(), "de" | "het" | "the"))
        {
            first += 1;
        }
        let mut last = None;
        let mut j = first;
        while let Some(x) = toks.get(j) {
            let joined = j == first || text[toks[j - 1].end..x.start].trim().is_empty();
            if !(x.capitalised() && joined) || x.text == "I" {
                break;
            }
            last = Some(j);
            j += 1;
        }
        if let Some(last) = last {
            hits.push((
                toks[first].start,
                toks[last].end,
                "ORGANISATION",
                0.8,
                "organisation-workplace",
            ));
        }
    }
    hits
}

fn lower_case_places(text: &str, toks: &[Token<'_>], l: &Lists) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let strong = PLACE_PREPOSITIONS.contains(&t.lower());
        if !strong && !WEAK_PLACE_PREPOSITIONS.contains(&t.lower()) {
            continue;
        }
        // "in de kooi" (De Kooi) or "in de stevenshof" (Stevenshof): with the article first.
        let article = toks
            .get(i + 1)
            .is_some_and(|x| matches!(x.text, "de" | "het" | "the"));
        let starts: &[usize] = if article { &[i + 1, i + 2] } else { &[i + 1] };
        // Longest run of up to four lower-case words after the preposition that names a place.
        'found: for &first in starts {
            for n in (1..=4).rev() {
                let Some(window) = toks.get(first..first + n) else {
                    continue;
                };
                if window.iter().any(|x| x.capitalised()) {
                    continue;
                }
                let phrase = &text[window[0].start..window[n - 1].end];
                if phrase.contains('\n') {
                    continue;
                }
                let lower = phrase.to_lowercase();
                let common = l.stopwords.contains(window[n - 1].lower());
                let well_known = WELL_KNOWN_PLACES.contains(&lower.as_str());
                if l.places_lower.contains(&lower)
                    && ((!common && strong) || well_known)
                    && !(n == 1 && matches!(lower.as_str(), "de" | "het" | "the"))
                {
                    hits.push((
                        window[0].start,
                        window[n - 1].end,
                        "PLACE",
                        0.75,
                        "place-lower-case",
                    ));
                    break 'found;
                }
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, &'static str)> {
        find(text, "")
            .into_iter()
            .map(|(s, e, c, _, _)| (&text[s..e], c))
            .collect()
    }

    /// Number words as said, alone, joined with "en" and with hyphens; words that hold "en"
    /// or a number word but are none are not.
    #[test]
    fn number_words_are_told_from_words_that_merely_hold_one() {
        for word in [
            "twaalf",
            "eenentwintig",
            "achtenveertig",
            "vijfenzestig",
            "tweeënzeventig",
            "twenty-one",
            "ninety-nine",
        ] {
            assert!(is_number_word(word), "{word}");
        }
        for word in [
            "kennen",
            "eenhoorn",
            "zeventje",
            "tienen",
            "twintigste",
            "en",
            "",
            "-",
            "een-",
            "achten",
        ] {
            assert!(!is_number_word(word), "{word}");
        }
    }

    #[test]
    fn people_places_organisations_and_addresses() {
        let f = found("Ik sprak met Mieke van der Meer en mevrouw de Groot over J. de Wit.");
        assert!(f.contains(&("Mieke van der Meer", "PERSON")), "{f:?}");
        assert!(f.contains(&("de Groot", "PERSON")), "{f:?}");
        assert!(f.contains(&("J. de Wit", "PERSON")), "{f:?}");
        let f =
            found("Ik werkte bij Bakkerij Van Dam in Alphen aan den Rijn, aan de Merelstraat 14.");
        assert!(f.contains(&("Bakkerij Van Dam", "ORGANISATION")), "{f:?}");
        assert!(f.contains(&("Alphen aan den Rijn", "PLACE")), "{f:?}");
        assert!(f.contains(&("Merelstraat 14", "ADDRESS")), "{f:?}");
        let f = found("ik woon in leiden, in de kooi eigenlijk");
        assert!(f.contains(&("leiden", "PLACE")), "{f:?}");
    }

    #[test]
    fn sentence_starts_and_common_words_are_not_names() {
        assert!(
            found("Toen ging ik weg. Maar het was goed. Ik weet het niet.").is_empty(),
            "{:?}",
            found("Toen ging ik weg. Maar het was goed.")
        );
        assert!(
            found("I think I'm fine. In March we went to the GP on Monday.").is_empty(),
            "{:?}",
            found("I think I'm fine. In March we went to the GP on Monday.")
        );
    }
}
