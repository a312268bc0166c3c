//! Identifiers with a recognisable form: e-mail addresses, URLs, IBANs (mod-97), BSNs
//! (11-proof), phone numbers (Dutch, UK, international), postcodes (Dutch, UK), dates (full,
//! partial, numeric; Dutch and English), ages in context, and other long numbers.

use std::sync::OnceLock;

use regex::{Regex, RegexSet};

use super::checks::{is_bsn, is_iban};

/// A match: byte range in the searched text, category, confidence.
pub type Hit = (usize, usize, &'static str, f32);

const MONTHS_NL: &str =
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december";
const MONTHS_EN: &str =
    "January|February|March|April|May|June|July|August|September|October|November|December";
const WEEKDAYS_NL: &str = "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag";
const WEEKDAYS_EN: &str = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday";

fn num_nl() -> String {
    let units = "een|twee|drie|vier|vijf|zes|zeven|acht|negen";
    let tens = "twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig";
    let teens = "tien|elf|twaalf|dertien|veertien|vijftien|zestien|zeventien|achttien|negentien";
    format!("(?:(?:{units})(?:en|ën))?(?:{tens})|{teens}|honderd|{units}")
}

fn num_en() -> String {
    let units = "one|two|three|four|five|six|seven|eight|nine";
    let tens = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety";
    format!(
        "(?:{tens})(?:[- ](?:{units}))?|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|{units}"
    )
}

struct Patterns {
    email: Regex,
    url: Regex,
    iban: Vec<Regex>,
    bsn: Regex,
    phone: Regex,
    postcode_nl: Regex,
    postcode_uk: Regex,
    dates: Vec<Regex>,
    /// Age patterns; capture group 1 is the age itself.
    ages: Vec<Regex>,
    /// The same, in one set: which of them match at all, in one pass.
    age_set: RegexSet,
    id: Regex,
    long_number: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        // ASCII word boundaries keep every search on the fast DFA engine (a Unicode boundary
        // makes it fall back on non-ASCII text: profiled); the edges are digits and letters.
        let r = |s: &str| Regex::new(s).expect("built-in pattern");
        let nl = num_nl();
        let en = num_en();
        let num = format!(r"\d{{1,3}}|{nl}|{en}");
        let mut p = Patterns {
            email: r(r"(?i)(?-u:\b)[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?-u:\b)"),
            url: r(r#"(?i)(?-u:\b)(?:https?://|www\.)[^\s<>"]+|(?-u:\b)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:nl|com|org|net|eu|be|uk|io|info)/[^\s<>"]*"#),
            iban: vec![
                r(r"(?i)(?-u:\b)NL\d{2} ?[A-Z]{4}(?: ?\d){10}(?-u:\b)"),
                r(r"(?-u:\b)[A-Z]{2}\d{2}(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?(?-u:\b)"),
                r(r"(?-u:\b)[A-Z]{2}\d{2}[A-Z0-9]{11,30}(?-u:\b)"),
            ],
            bsn: r(r"(?-u:\b)\d{3}[ .]?\d{3}[ .]?\d{3}(?-u:\b)|(?-u:\b)\d{4}\.\d{2}\.\d{3}(?-u:\b)"),
            phone: r(r"(?:\+|(?-u:\b)00|(?-u:\b)0)\d[\d \-()./]{7,22}\d"),
            postcode_nl: r(r"(?-u:\b)[1-9]\d{3} ?[A-Z]{2}(?-u:\b)"),
            postcode_uk: r(r"(?-u:\b)[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}(?-u:\b)"),
            dates: vec![
                r(&format!(r"(?i)(?-u:\b)(?:(?:{WEEKDAYS_NL})\s+)?\d{{1,2}}(?:e|ste|de)?\s+(?:{MONTHS_NL})(?:\s+(?:19|20)\d{{2}})?(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)(?:{MONTHS_NL})\s+(?:19|20)\d{{2}}(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)(?:{MONTHS_NL})(?-u:\b)")),
                r(&format!(r"(?-u:\b)(?:(?:{WEEKDAYS_EN})(?:,)?\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS_EN})(?:,?\s+(?:19|20)\d{{2}})?(?-u:\b)")),
                r(&format!(r"(?-u:\b)(?:{MONTHS_EN})\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d{{2}})?(?-u:\b)")),
                r(&format!(r"(?-u:\b)(?:{MONTHS_EN})\s+(?:19|20)\d{{2}}(?-u:\b)")),
                r(&format!(r"(?-u:\b)(?:{MONTHS_EN})(?-u:\b)")),
                r(r"(?-u:\b)\d{1,2}[-/.]\d{1,2}[-/.](?:(?:19|20)\d{2}|\d{2})(?-u:\b)"),
                r(r"(?-u:\b)(?:19|20)\d{2}-\d{2}-\d{2}(?-u:\b)"),
            ],
            age_set: RegexSet::new(Vec::<String>::new()).expect("empty set"),
            ages: vec![
                r(&format!(r"(?i)(?-u:\b)({num})\s+jaar\s+oud(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)(?:is|was|werd|wordt|ben|zijn|waren)\s+(?:nu\s+|pas\s+|bijna\s+|al\s+|net\s+|toen\s+|inmiddels\s+)?({num})\s*(?:[.,;!?)]|$|jaar\s*(?:[.,;!?)]|$|oud(?-u:\b))|en(?-u:\b)|toen(?-u:\b)|nu(?-u:\b)|geworden(?-u:\b))")),
                r(&format!(r"(?i)(?-u:\b)(?:ik|hij|zij|ze|je|jij|we|wij)\s+(?:nu\s+|pas\s+|bijna\s+|net\s+)?({num})\s+(?:was|werd|wordt|ben|is|word|geworden)(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)(?:I'?ll|I\s+will|he'?ll|she'?ll|they'?ll|will)\s+be\s+({num})(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)(?:man|vrouw|jongen|meisje|kind|zoon|dochter|broer|zus|vader|moeder|kerel|heer|dame|weduwe|weduwnaar|vrouwtje|mannetje|oma|opa)\s+van\s+(?:bijna\s+|ongeveer\s+|rond\s+de\s+|een\s+jaar\s+of\s+|in\s+de\s+)?({num})(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)jaar\s+of\s+({num})(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)(?:is|was|are|were|'s|’s)\s+(?:now\s+|only\s+|nearly\s+|almost\s+|just\s+)?({num})\s*(?:[.,;!?)]|$|years?\s+old(?-u:\b)|now(?-u:\b)|and(?-u:\b)|when(?-u:\b))")),
                r(&format!(r"(?i)(?-u:\b)ik\s+(?:ben|was|werd|word)\s+(?:nu\s+|net\s+|pas\s+|al\s+|bijna\s+|toen\s+)?({num})(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)(?:toen|als|sinds|nadat)\s+ik\s+({num})\s+(?:was|werd|ben|werd)(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)(?:op|vanaf|sinds|tot|na|voor|rond)\s+(?:mijn|m'n|zijn|haar|z'n)\s+(\d{{1,2}}(?:e|ste|de)|(?:{nl})(?:ste|de))(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)({num})\s+geworden(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)({num})-?jarige?(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)I'?m\s+(?:now\s+|only\s+|nearly\s+|almost\s+|just\s+)?({num})(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)I\s+am\s+(?:now\s+|only\s+|nearly\s+|almost\s+|just\s+)?({num})(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)(?:when|since)\s+I\s+was\s+({num})(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)({num})[- ]years?[- ]old(?-u:\b)")),
                r(&format!(r"(?i)(?-u:\b)(?:aged|turned|turning)\s+({num})(?-u:\b)")),
            ],
            id: r(r"(?-u:\b)[A-Z]{1,4}-?\d[\d-]{3,}\d(?-u:\b)"),
            long_number: r(r"(?-u:\b)\d{6,}(?-u:\b)"),
        };
        p.age_set = RegexSet::new(p.ages.iter().map(|r| r.as_str())).expect("built-in patterns");
        p
    })
}

#[derive(Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

/// Words after "ik ben N" / "I'm N" that show N is not an age.
const NOT_AGE_AFTER: &[&str] = &[
    "keer",
    "kilo",
    "kg",
    "minuten",
    "uur",
    "dagen",
    "weken",
    "maanden",
    "procent",
    "euro",
    "%",
    "times",
    "minutes",
    "hours",
    "days",
    "weeks",
    "months",
    "percent",
    "pounds",
    "kilos",
    "stone",
    "miles",
    "km",
    "kilometer",
];

/// Every patterned identifier in `text`.
pub fn find(text: &str) -> Vec<Hit> {
    let p = patterns();
    let mut hits: Vec<Hit> = Vec::new();
    // Cheap gates first: most turns hold no digit, no @ and no URL.
    let bytes = text.as_bytes();
    let has_digit = bytes.iter().any(u8::is_ascii_digit);
    let has_at = bytes.contains(&b'@');
    let maybe_url = text.contains("www.") || text.contains("://") || bytes.contains(&b'/');
    if has_at {
        for m in p.email.find_iter(text) {
            hits.push((m.start(), m.end(), "EMAIL", 0.99));
        }
    }
    if maybe_url {
        for m in p.url.find_iter(text) {
            let trimmed = m
                .as_str()
                .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
            hits.push((m.start(), m.start() + trimmed.len(), "URL", 0.95));
        }
    }
    if has_digit {
        for re in &p.iban {
            for m in re.find_iter(text) {
                if is_iban(m.as_str()) {
                    hits.push((m.start(), m.end(), "IBAN", 0.99));
                }
            }
        }
        for m in p.bsn.find_iter(text) {
            if is_bsn(m.as_str()) {
                hits.push((m.start(), m.end(), "BSN", 0.97));
            }
        }
        for m in p.phone.find_iter(text) {
            if let Some(end) = phone_end(m.as_str()) {
                hits.push((m.start(), m.start() + end, "PHONE", 0.95));
            }
        }
        for re in [&p.postcode_nl, &p.postcode_uk] {
            for m in re.find_iter(text) {
                // "2023 EN" in a sentence is a year and a word, not a postcode.
                let letters = &m.as_str()[m.as_str().len() - 2..];
                if !matches!(
                    letters,
                    "EN" | "OF"
                        | "IN"
                        | "OP"
                        | "TE"
                        | "AN"
                        | "OR"
                        | "TO"
                        | "AT"
                        | "IS"
                        | "IK"
                        | "JA"
                ) {
                    hits.push((m.start(), m.end(), "POSTCODE", 0.9));
                }
            }
        }
    }
    for re in &p.dates {
        for m in re.find_iter(text) {
            hits.push((m.start(), m.end(), "DATE", 0.85));
        }
    }
    for re in p.age_set.matches(text).iter().map(|i| &p.ages[i]) {
        // Find whole matches with the fast engine, then the age inside each short match
        // (capture groups over a long text are several times slower: profiled).
        for m in re.find_iter(text) {
            let Some(c) = re.captures(m.as_str()) else {
                continue;
            };
            let Some(g) = c.get(1) else { continue };
            let g = Span {
                start: m.start() + g.start(),
                end: m.start() + g.end(),
            };
            let g = (g, &text[g.start..g.end]);
            let (g, number) = g;
            let next = text[g.end..]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_lowercase();
            if NOT_AGE_AFTER.iter().any(|w| next.starts_with(w)) {
                continue;
            }
            if let Ok(n) = number.parse::<u32>()
                && !(2..=115).contains(&n)
            {
                continue;
            }
            // "een" (a, one) is never an age in the sentences these patterns match.
            if matches!(number.to_lowercase().as_str(), "een" | "één" | "one") {
                continue;
            }
            hits.push((g.start, g.end, "AGE", 0.8));
        }
    }
    if has_digit {
        for m in p.id.find_iter(text) {
            if m.as_str().chars().filter(char::is_ascii_digit).count() >= 5 {
                hits.push((m.start(), m.end(), "ID", 0.8));
            }
        }
        for m in p.long_number.find_iter(text) {
            hits.push((m.start(), m.end(), "ID", 0.7));
        }
    }
    hits
}

/// The length of the phone number at the start of a candidate, if it is one: Dutch numbers
/// have 10 digits from a leading 0, UK numbers 11, international ones 10–14 after + or 00.
fn phone_end(candidate: &str) -> Option<usize> {
    let mut best = None;
    let mut digits = 0;
    for (i, c) in candidate.char_indices() {
        if c.is_ascii_digit() {
            digits += 1;
            let international = candidate.starts_with('+') || candidate.starts_with("00");
            let ok = if international {
                (10..=14).contains(&digits)
            } else {
                digits == 10 || digits == 11
            };
            if ok {
                best = Some(i + 1);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(text: &str) -> Vec<(&str, &'static str)> {
        let mut v: Vec<_> = find(text)
            .into_iter()
            .map(|(s, e, c, _)| (&text[s..e], c))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn finds_each_category() {
        assert!(
            cats("mail s.kok@example.nl of kijk op www.example.nl/groep.")
                .contains(&("s.kok@example.nl", "EMAIL"))
        );
        assert!(cats("kijk op www.example.nl/groep.").contains(&("www.example.nl/groep", "URL")));
        assert!(
            cats("op NL91 ABNA 0417 1643 00 graag").contains(&("NL91 ABNA 0417 1643 00", "IBAN"))
        );
        assert!(cats("bsn 111.222.333 en 111 222 333").contains(&("111.222.333", "BSN")));
        assert!(
            cats("bel 06-12345678 of 071 - 512 68 34 of +44 161 496 0123")
                .contains(&("071 - 512 68 34", "PHONE"))
        );
        assert!(cats("bel 06 14 72 93 58 gerust").contains(&("06 14 72 93 58", "PHONE")));
        assert!(cats("UK 07700 900123.").contains(&("07700 900123", "PHONE")));
        assert!(cats("in 2321 KP Leiden en M14 5RT").contains(&("2321 KP", "POSTCODE")));
        assert!(cats("in 2321 KP Leiden en M14 5RT").contains(&("M14 5RT", "POSTCODE")));
        assert!(
            !cats("in 2023 EN daarna")
                .iter()
                .any(|(_, c)| *c == "POSTCODE")
        );
        assert!(
            cats("op zaterdag 28 oktober 2023 kwam")
                .contains(&("zaterdag 28 oktober 2023", "DATE"))
        );
        assert!(cats("in maart 2019 begon").contains(&("maart 2019", "DATE")));
        assert!(cats("on the 12th of October we met").contains(&("12th of October", "DATE")));
        assert!(cats("op 14/03/2023 kwam").contains(&("14/03/2023", "DATE")));
        assert!(cats("toen ik drieëntwintig was").contains(&("drieëntwintig", "AGE")));
        assert!(cats("ik ben 46, en").contains(&("46", "AGE")));
        assert!(
            !cats("ik ben 3 keer geweest")
                .iter()
                .any(|(_, c)| *c == "AGE")
        );
        assert!(cats("I'm fifty-four now").contains(&("fifty-four", "AGE")));
        assert!(cats("dossier RB-2023-04417 ligt").contains(&("RB-2023-04417", "ID")));
    }

    #[test]
    fn ordinary_numbers_are_left_alone() {
        for text in [
            "ik heb 3 kinderen",
            "in 2019 ging het mis",
            "om 10:30 uur",
            "het kostte 250 euro",
        ] {
            assert!(find(text).is_empty(), "{text}: {:?}", find(text));
        }
    }
}
