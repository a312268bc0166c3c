//! Names of people, places and organisations, and street addresses: runs of capitalised words
//! (with name particles such as *van der*, and initials), judged by position (a capital at the
//! start of a sentence proves little, one mid-sentence much), by the word lists, and by the
//! words around them ("mevrouw", "mijn zus", "in", "werkte bij"). Place names also in lower
//! case after "in", "uit", "naar", "from".

use super::lists::{Lists, lists};

/// A candidate: byte range, category, confidence.
pub type Hit = (usize, usize, &'static str, f32);

const PARTICLES: &[&str] = &[
    "van", "de", "der", "den", "het", "ter", "ten", "te", "'t", "la", "le", "el", "al", "von",
    "zu", "du", "des", "di", "da", "aan", "op", "bin",
];
const TITLES: &[&str] = &[
    "mevrouw",
    "meneer",
    "mevr",
    "mevr.",
    "dhr",
    "dhr.",
    "dokter",
    "dr",
    "dr.",
    "juf",
    "juffrouw",
    "meester",
    "tante",
    "oom",
    "zuster",
    "mrs",
    "mrs.",
    "mr",
    "mr.",
    "ms",
    "ms.",
    "miss",
    "doctor",
    "nurse",
    "auntie",
    "aunt",
    "uncle",
    "professor",
    "prof.",
];
const KINSHIP: &[&str] = &[
    "zus",
    "zusje",
    "broer",
    "broertje",
    "moeder",
    "vader",
    "zoon",
    "dochter",
    "man",
    "vrouw",
    "vriend",
    "vriendin",
    "ex",
    "partner",
    "buurvrouw",
    "buurman",
    "collega",
    "nicht",
    "neef",
    "nichtje",
    "neefje",
    "kleinzoon",
    "kleindochter",
    "oma",
    "opa",
    "tante",
    "oom",
    "sister",
    "brother",
    "mother",
    "father",
    "son",
    "daughter",
    "husband",
    "wife",
    "friend",
    "boyfriend",
    "girlfriend",
    "mate",
    "neighbour",
    "colleague",
    "cousin",
    "nephew",
    "niece",
    "grandson",
    "granddaughter",
    "nan",
    "gran",
    "uncle",
    "aunt",
];
const PLACE_PREPOSITIONS: &[&str] = &[
    "in", "uit", "naar", "richting", "from", "to", "near", "around", "outside", "buiten",
];
/// Also before places, but only before well-known ones ("de appeltaart van leiden").
const WEAK_PLACE_PREPOSITIONS: &[&str] = &["van", "bij", "of", "at"];
const ORG_WORDS: &[&str] = &[
    "stichting",
    "ggz",
    "bakkerij",
    "buurthuis",
    "buurtkamer",
    "buurtteam",
    "bureau",
    "ziekenhuis",
    "kliniek",
    "hoogheemraadschap",
    "herstelacademie",
    "fietsenmaker",
    "lunchroom",
    "taalschool",
    "vakschool",
    "school",
    "basisschool",
    "college",
    "universiteit",
    "hogeschool",
    "gemeente",
    "engineering",
    "systems",
    "biotech",
    "b.v.",
    "bv",
    "nv",
    "groep",
    "zorg",
    "praktijk",
    "huisartsenpraktijk",
    "centrum",
    "apotheek",
    "academie",
    "company",
    "ltd",
    "limited",
    "inc",
    "hospital",
    "clinic",
    "trust",
    "council",
    "university",
    "foundation",
    "services",
    "solutions",
    "consultancy",
    "bank",
    "café",
    "restaurant",
    "kerk",
    "church",
    "moskee",
    "mosque",
    "garage",
    "supermarkt",
    "winkel",
    "hotel",
    "vereniging",
    "club",
    "woningcorporatie",
    "wooncorporatie",
    "thuiszorg",
    "dagbesteding",
    "inloop",
    "inloophuis",
    "werkplaats",
    "fabriek",
    "kantoor",
    "partners",
    "associates",
    "group",
    "institute",
    "instituut",
];
const STREET_ENDINGS: &[&str] = &[
    "straat",
    "laan",
    "weg",
    "plein",
    "hof",
    "gracht",
    "kade",
    "singel",
    "dijk",
    "pad",
    "steeg",
    "dreef",
    "straatweg",
    "plantsoen",
    "markt",
    "street",
    "road",
    "avenue",
    "lane",
    "close",
    "drive",
    "crescent",
    "terrace",
    "grove",
    "court",
    "gardens",
];
const WORK_TRIGGERS: &[&str] = &["bij", "at", "for", "voor"];
const MONTHS_AND_DAYS: &[&str] = &[
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
    "january",
    "february",
    "march",
    "may",
    "june",
    "july",
    "august",
    "october",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Verbs that follow a person named at the start of a sentence ("Kees zei", "Anna was").
/// Not auxiliaries or copulas: in Dutch any word opening a sentence is followed by a verb
/// ("Sindsdien is", "Doordeweeks gaat"), so only verbs that people do count.
const SUBJECT_VERBS: &[&str] = &[
    "zei", "zegt", "zat", "belde", "belt", "vond", "vindt", "wilde", "werkt", "werkte", "woont",
    "woonde", "vroeg", "vraagt", "hielp", "helpt", "kwam", "appte", "appt", "lachte", "huilde",
    "schreef", "bracht", "haalde", "said", "says", "sat", "rang", "called", "calls", "wanted",
    "works", "worked", "lives", "lived", "asked", "asks", "helped", "helps", "told", "tells",
    "came", "texted", "laughed", "cried", "wrote", "brought",
];
/// A subject pronoun right after the verb shows inversion: the first word was no subject.
const SUBJECT_PRONOUNS: &[&str] = &[
    "ik", "je", "jij", "hij", "zij", "ze", "het", "we", "wij", "jullie", "u", "er", "men", "i",
    "he", "she", "it", "they", "you", "there",
];

/// "'s Ochtends", "'s Avonds": adverbs, not names.
const ADVERBIAL_GENITIVES: &[&str] = &[
    "ochtends",
    "morgens",
    "middags",
    "avonds",
    "nachts",
    "zondags",
    "zaterdags",
    "maandags",
    "winters",
    "zomers",
];

/// One word of the text.
#[derive(Debug, Clone)]
struct Token<'a> {
    text: &'a str,
    /// The word in lower case, computed once.
    lowered: String,
    start: usize,
    end: usize,
    /// Follows sentence punctuation or opens the region.
    sentence_start: bool,
}

impl Token<'_> {
    fn capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }
    fn lower(&self) -> &str {
        &self.lowered
    }
    fn is_initial(&self) -> bool {
        let mut c = self.text.chars();
        matches!((c.next(), c.next(), c.next()), (Some(a), Some('.'), None) if a.is_uppercase())
    }
}

fn tokens(text: &str) -> Vec<Token<'_>> {
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
            let word = &text[start..end];
            out.push(Token {
                text: word,
                lowered: word.to_lowercase(),
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

fn is_particle(t: &Token<'_>) -> bool {
    PARTICLES.contains(&t.lower()) && !t.capitalised()
        || matches!(
            t.text,
            "De" | "Van" | "Den" | "Ter" | "Ten" | "El" | "Al" | "La" | "Le"
        )
}

fn noise(t: &Token<'_>, l: &Lists) -> bool {
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
        || (acronym && !t.is_initial())
        || t.text.split('-').next().is_some_and(|head| {
            head != t.text
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
fn opens_name(toks: &[Token<'_>], i: usize, text: &str, l: &Lists) -> bool {
    let t = &toks[i];
    if !t.capitalised() {
        return false;
    }
    let opener = PARTICLES.contains(&t.lower()) || ORG_WORDS.contains(&t.lower());
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

fn known_name(t: &str, l: &Lists) -> bool {
    l.first_names.contains(t) || l.surnames.contains(t) || l.places.contains(t)
}

/// Every name, place, organisation and address candidate in `text`.
pub fn find(text: &str, language: &str) -> Vec<Hit> {
    let l = lists();
    let common = l.common(language);
    let toks = tokens(text);
    let mut hits = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let starts_chunk = ((t.capitalised() || t.is_initial()) && !noise(t, l) && !is_particle(t))
            || opens_name(&toks, i, text, l);
        if !starts_chunk {
            i += 1;
            continue;
        }
        // Grow the chunk over capitalised words, initials and particles followed by a capital.
        let mut j = i + 1;
        let mut last = i;
        let mut has_org = ORG_WORDS.contains(&t.lower());
        while j < toks.len() {
            let u = &toks[j];
            if text[toks[j - 1].end..u.start]
                .contains(['\n', ',', '.', ';', ':', '!', '?', '(', ')', '"'])
                && !toks[j - 1].is_initial()
            {
                break;
            }
            let after_initial = toks[j - 1].is_initial();
            let new_sentence = (u.sentence_start && !after_initial)
                || (after_initial && l.stopwords.contains(u.lower()) && !is_particle(u));
            if new_sentence {
                break;
            }
            if ((u.capitalised() || u.is_initial()) && !noise(u, l) && !is_particle(u))
                || opens_name(&toks, j, text, l)
            {
                has_org |= ORG_WORDS.contains(&u.lower());
                last = j;
                j += 1;
            } else if is_particle(u) || (has_org && matches!(u.text, "en" | "and" | "&")) {
                j += 1;
            } else {
                break;
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
        let prev = start_idx
            .checked_sub(1)
            .map(|b| toks[b].lower())
            .unwrap_or_default();
        let prev2 = start_idx
            .checked_sub(2)
            .map(|b| toks[b].lower())
            .unwrap_or_default();
        let adjacent = start_idx > 0
            && text[toks[start_idx - 1].end..toks[start_idx].start]
                .trim()
                .is_empty();
        let triggered = adjacent
            && (TITLES.contains(&prev)
                || KINSHIP.contains(&prev)
                    && matches!(
                        prev2,
                        "mijn"
                            | "m'n"
                            | "zijn"
                            | "haar"
                            | "my"
                            | "his"
                            | "her"
                            | "our"
                            | "onze"
                            | "ons"
                    ));
        let single = words.len() == 1;
        let w = words[0];
        let listed = words.iter().any(|x| known_name(x.text, l));
        let stop = |x: &Token<'_>| common.contains(x.lower());
        let street = single
            && STREET_ENDINGS
                .iter()
                .any(|end| w.lower().ends_with(end) && w.lower().len() > end.len() + 2);
        let house_number_then_postcode = single
            && toks
                .get(last + 1)
                .is_some_and(|n| n.text.len() <= 4 && n.text.chars().all(|c| c.is_ascii_digit()))
            && toks
                .get(last + 2)
                .is_some_and(|n| n.text.len() == 4 && n.text.chars().all(|c| c.is_ascii_digit()));
        let accept = if street || house_number_then_postcode {
            true
        } else if chunk[0].sentence_start && single {
            // An unknown capitalised word opening a sentence is taken for a name only when it
            // looks like one: not a common word, and a verb-like word follows it.
            let follows_verb = toks.get(last + 1).is_some_and(|n| {
                SUBJECT_VERBS.contains(&n.lower()) && text[w.end..n.start].trim().is_empty()
            }) && !toks
                .get(last + 2)
                .is_some_and(|n| SUBJECT_PRONOUNS.contains(&n.lower()));
            (listed && !stop(w))
                || triggered
                || (!stop(w) && follows_verb && w.text.chars().count() >= 3)
        } else if single {
            !stop(w) || listed || triggered
        } else {
            !words.iter().all(|x| stop(x)) || listed
        };
        if !accept {
            i = last + 1;
            continue;
        }
        let (s, mut e) = (chunk[0].start, chunk[chunk.len() - 1].end);
        let last_lower = words[words.len() - 1].lower();
        let category;
        let mut confidence: f32 = if listed || triggered { 0.9 } else { 0.7 };
        if has_org
            || WORK_TRIGGERS.contains(&prev)
                && !words.iter().any(|x| l.first_names.contains(x.text))
                && !single
        {
            category = "ORGANISATION";
        } else if house_number_then_postcode
            || STREET_ENDINGS
                .iter()
                .any(|end| last_lower.ends_with(end) && last_lower.len() > end.len() + 2)
        {
            category = "ADDRESS";
            // The house number that follows belongs to the address.
            if let Some(n) = toks.get(last + 1)
                && text[e..n.start].trim().is_empty()
                && n.text.chars().next().is_some_and(|c| c.is_ascii_digit())
                && n.text.len() <= 5
            {
                e = n.end;
            }
            confidence = 0.9;
        } else if triggered
            || words.iter().any(|x| l.first_names.contains(x.text))
            || w.is_initial()
        {
            category = "PERSON";
        } else if PLACE_PREPOSITIONS.contains(&prev)
            || words.iter().all(|x| l.places.contains(x.text))
            || l.places.contains(&text[s..e])
        {
            category = "PLACE";
        } else {
            category = "PERSON";
            confidence = confidence.min(0.7);
        }
        hits.push((s, e, category, confidence));
        i = last + 1;
    }
    hits.extend(lower_case_places(text, &toks, l));
    hits
}

/// Big places whose names are also ordinary words ("leiden" is a verb) are still found after
/// "in"/"uit"/"naar".
const WELL_KNOWN_PLACES: &[&str] = &[
    "leiden",
    "utrecht",
    "groningen",
    "amsterdam",
    "rotterdam",
    "den haag",
    "eindhoven",
    "tilburg",
    "almere",
    "breda",
    "nijmegen",
    "haarlem",
    "arnhem",
    "zwolle",
    "zoetermeer",
    "delft",
    "gouda",
    "katwijk",
    "alphen",
    "alphen aan den rijn",
    "ede",
    "best",
    "london",
    "manchester",
    "birmingham",
    "leeds",
    "liverpool",
    "glasgow",
    "edinburgh",
    "bristol",
    "sheffield",
    "newcastle",
    "cardiff",
    "dublin",
];

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
                    hits.push((window[0].start, window[n - 1].end, "PLACE", 0.75));
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
            .map(|(s, e, c, _)| (&text[s..e], c))
            .collect()
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
