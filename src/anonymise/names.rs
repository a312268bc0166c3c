//! Names of people, places and organisations, and street addresses: runs of capitalised words
//! (with name particles such as *van der*, and initials), judged by position (a capital at the
//! start of a sentence proves little, one mid-sentence much), by the word lists, and by the
//! words around them ("mevrouw", "mijn zus", "in", "werkte bij"). Place names also in lower
//! case after "in", "uit", "naar", "from".

use crate::lexicon::{Lists, lists, organisations};

/// A candidate: byte range, category, confidence, the rule that found it.
pub type Hit = (usize, usize, &'static str, f32, &'static str);

const PARTICLES: &[&str] = &[
    "van", "de", "der", "den", "het", "ter", "ten", "te", "'t", "la", "le", "el", "al", "von",
    "zu", "du", "des", "di", "da", "aan", "op", "bin",
];
pub(super) const TITLES: &[&str] = &[
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
    "father",
    "pastoor",
    "pater",
    "dominee",
    "imam",
    "rabbi",
    "reverend",
    "rev",
    "pastor",
    "coach",
    "trainer",
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
    "baan",
    "brink",
    "wal",
    "erf",
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
        organisations::is_initial(self.text)
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
                lowered: word.to_lowercase().replace('’', "'"),
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
pub(super) fn is_particle_word(word: &str) -> bool {
    PARTICLES.contains(&word.to_lowercase().as_str())
}

fn is_particle(t: &Token<'_>) -> bool {
    PARTICLES.contains(&t.lower()) && !t.capitalised()
        || matches!(
            t.text,
            "De" | "Van" | "Den" | "Ter" | "Ten" | "El" | "Al" | "La" | "Le"
        )
}

/// Number words of both languages: "Forty-odd", "Achtendertig" and "Twee" are never names.
const NUMBER_WORDS: &[&str] = &[
    "een",
    "twee",
    "drie",
    "vier",
    "vijf",
    "zes",
    "zeven",
    "acht",
    "negen",
    "tien",
    "elf",
    "twaalf",
    "dertien",
    "veertien",
    "vijftien",
    "zestien",
    "zeventien",
    "achttien",
    "negentien",
    "twintig",
    "dertig",
    "veertig",
    "vijftig",
    "zestig",
    "zeventig",
    "tachtig",
    "negentig",
    "honderd",
    "duizend",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "odd",
];

/// A month, a day of the week (also "dinsdagavond") or a number written as words: never a
/// name, whatever its capital.
pub(super) fn is_calendar_or_number_word(lower: &str) -> bool {
    MONTHS_AND_DAYS.contains(&lower)
        || MONTHS_AND_DAYS.contains(&lower.trim_end_matches('s'))
        || MONTHS_AND_DAYS[20..].iter().any(|d| lower.starts_with(d))
        || is_number_word(lower)
}

/// A number written as words ("Forty-odd", "Tweeënvijftig", "Achtendertig").
pub(super) fn is_number_word(lower: &str) -> bool {
    let plain = lower.replace(['ë', 'é'], "e");
    plain.split('-').all(|part| {
        NUMBER_WORDS.contains(&part)
            || NUMBER_WORDS.iter().any(|unit| {
                part.strip_prefix(unit).is_some_and(|rest| {
                    rest.strip_prefix("en")
                        .is_some_and(|tens| NUMBER_WORDS.contains(&tens))
                })
            })
    })
}

/// A compound of a word that identifies no one and an ordinary word: "Facebookpagina",
/// "Kerstboom", "Ramadanfeest".
fn word_after_a_non_identifier(word: &str, l: &Lists) -> bool {
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
fn has_inner_capital(t: &Token<'_>) -> bool {
    let mut chars = t.text.chars();
    chars.next().is_some_and(char::is_uppercase) && {
        let rest: Vec<char> = chars.collect();
        rest.windows(2)
            .any(|w| w[0].is_lowercase() && w[1].is_uppercase())
            && rest.iter().filter(|c| c.is_uppercase()).count() < rest.len() / 2 + 1
    }
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
fn opens_name(toks: &[Token<'_>], i: usize, text: &str, l: &Lists) -> bool {
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

fn known_name(t: &str, l: &Lists) -> bool {
    l.first_names.contains(t) || l.surnames.contains(t) || l.places.contains(t)
}

/// Verbs after which a lower-case word that is also a name is the person: "ik zag zwaantje",
/// "I rang hope". Never prepositions or "and": "met liefde", "with grace", "and rose".
const VERBS_OF_MEETING: &[&str] = &[
    "zag",
    "zie",
    "ziet",
    "zagen",
    "sprak",
    "spreek",
    "spreekt",
    "belde",
    "bel",
    "belt",
    "hoorde",
    "hoor",
    "vroeg",
    "vraag",
    "kende",
    "ken",
    "mis",
    "miste",
    "appte",
    "app",
    "ontmoette",
    "knuffelde",
    "saw",
    "see",
    "sees",
    "met",
    "meet",
    "told",
    "tell",
    "rang",
    "ring",
    "called",
    "asked",
    "ask",
    "knew",
    "miss",
    "missed",
    "heard",
    "hugged",
    "texted",
];

/// Whether the word at byte `start` follows a verb of meeting (see [`VERBS_OF_MEETING`]).
pub(super) fn after_a_verb_of_meeting(text: &str, start: usize) -> bool {
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
pub(super) fn opens_sentence_before_pronoun(text: &str, start: usize, end: usize) -> bool {
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
    let function_word = super::is_common_word(&text[start..end]);
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

/// Words that join the parts of an organisation's or a group's name ("Mums in Recovery",
/// "Addiction and Counselling Service", "Church of the Nazarene").
const CONNECTORS: &[&str] = &["in", "of", "for", "and", "&", "en", "voor", "the"];

/// Separate words that end a street's name ("Pellow Street", "Calder Court").
const STREET_WORDS: &[&str] = &[
    "street", "road", "avenue", "lane", "close", "drive", "crescent", "terrace", "grove", "court",
    "gardens", "way", "square", "mews", "parade", "walk", "row", "st", "rd", "approach", "place",
    "wynd", "brae", "rise", "quay", "wharf", "vennel", "brink",
];

/// Words before a house number that belong to an address ("Flat 6, Calder Court").
const DWELLINGS: &[&str] = &[
    "flat",
    "apartment",
    "unit",
    "appartement",
    "nummer",
    "huisnummer",
];

/// Words of working life before "bij", "at", "for": "werkte bij de KLM", "a job at Tesco".
const WORK_WORDS: &[&str] = &[
    "werk",
    "werkte",
    "werkt",
    "werken",
    "gewerkt",
    "baan",
    "stage",
    "job",
    "jobs",
    "work",
    "worked",
    "works",
    "working",
    "employed",
    "ontslagen",
    "sacked",
    "shifts",
    "contract",
    "vrijwilliger",
    "volunteer",
    "volunteered",
    "volunteering",
    "solliciteerde",
    "applied",
    "started",
    "begon",
    "begonnen",
];

/// A house number, with or without a letter: "14", "3a", "112".
fn house_number(t: &Token<'_>) -> bool {
    t.text.len() <= 5
        && t.text.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.text.chars().filter(|c| !c.is_ascii_digit()).count() <= 1
}

/// A demonym or place adjective ("Utrechtse", "Amsterdammer", "Glaswegian"): a capitalised
/// word made from a place's name identifies no one.
fn place_adjective(t: &Token<'_>, l: &Lists) -> bool {
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
        // A phrase that identifies no one ("Higher Power willing") is skipped whole.
        if let Some(k) = (i + 1..toks.len().min(i + 4)).rev().find(|&k| {
            let phrase = &text[t.start..toks[k].end];
            !phrase.contains(['\n', ',', '.', ';', ':', '!', '?'])
                && l.not_identifiers.contains(phrase)
        }) {
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

fn is_org_acronym(t: &Token<'_>, l: &Lists) -> bool {
    organisations::is_org_acronym(t.text, l)
}

fn org_word(t: &Token<'_>, l: &Lists) -> bool {
    organisations::is_org_word(t.text, t.lower(), l)
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
