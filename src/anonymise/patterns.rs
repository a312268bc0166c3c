//! Identifiers with a recognisable form: e-mail addresses, URLs, IBANs (mod-97), BSNs
//! (11-proof), phone numbers (Dutch, UK, international), postcodes (Dutch, UK), dates (full,
//! partial, numeric; Dutch and English), ages in context, and other long numbers.

use std::sync::OnceLock;

use regex::Regex;

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
    id: Regex,
    long_number: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let r = |s: &str| Regex::new(s).expect("built-in pattern");
        let nl = num_nl();
        let en = num_en();
        let num = format!(r"\d{{1,3}}|{nl}|{en}");
        Patterns {
            email: r(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"),
            url: r(r#"(?i)\b(?:https?://|www\.)[^\s<>"]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:nl|com|org|net|eu|be|uk|io|info)/[^\s<>"]*"#),
            iban: vec![
                r(r"(?i)\bNL\d{2} ?[A-Z]{4}(?: ?\d){10}\b"),
                r(r"\b[A-Z]{2}\d{2}(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?\b"),
                r(r"\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b"),
            ],
            bsn: r(r"\b\d{3}[ .]?\d{3}[ .]?\d{3}\b|\b\d{4}\.\d{2}\.\d{3}\b"),
            phone: r(r"(?:\+|\b00|\b0)\d[\d \-()./]{7,22}\d"),
            postcode_nl: r(r"\b[1-9]\d{3} ?[A-Z]{2}\b"),
            postcode_uk: r(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"),
            dates: vec![
                r(&format!(r"(?i)\b(?:(?:{WEEKDAYS_NL})\s+)?\d{{1,2}}(?:e|ste|de)?\s+(?:{MONTHS_NL})(?:\s+(?:19|20)\d{{2}})?\b")),
                r(&format!(r"(?i)\b(?:{MONTHS_NL})\s+(?:19|20)\d{{2}}\b")),
                r(&format!(r"(?i)\b(?:{MONTHS_NL})\b")),
                r(&format!(r"\b(?:(?:{WEEKDAYS_EN})(?:,)?\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS_EN})(?:,?\s+(?:19|20)\d{{2}})?\b")),
                r(&format!(r"\b(?:{MONTHS_EN})\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d{{2}})?\b")),
                r(&format!(r"\b(?:{MONTHS_EN})\s+(?:19|20)\d{{2}}\b")),
                r(&format!(r"\b(?:{MONTHS_EN})\b")),
                r(r"\b\d{1,2}[-/.]\d{1,2}[-/.](?:(?:19|20)\d{2}|\d{2})\b"),
                r(r"\b(?:19|20)\d{2}-\d{2}-\d{2}\b"),
            ],
            ages: vec![
                r(&format!(r"(?i)\b({num})\s+jaar\s+oud\b")),
                r(&format!(r"(?i)\b(?:is|was|werd|wordt|ben|zijn|waren)\s+(?:nu\s+|pas\s+|bijna\s+|al\s+|net\s+|toen\s+|inmiddels\s+)?({num})\s*(?:[.,;!?)]|$|jaar\s*(?:[.,;!?)]|$|oud\b)|en\b|toen\b|nu\b|geworden\b)")),
                r(&format!(r"(?i)\b(?:ik|hij|zij|ze|je|jij|we|wij)\s+(?:nu\s+|pas\s+|bijna\s+|net\s+)?({num})\s+(?:was|werd|wordt|ben|is|word|geworden)\b")),
                r(&format!(r"(?i)\b(?:I'?ll|I\s+will|he'?ll|she'?ll|they'?ll|will)\s+be\s+({num})\b")),
                r(&format!(r"(?i)\b(?:man|vrouw|jongen|meisje|kind|zoon|dochter|broer|zus|vader|moeder|kerel|heer|dame|weduwe|weduwnaar|vrouwtje|mannetje|oma|opa)\s+van\s+(?:bijna\s+|ongeveer\s+|rond\s+de\s+|een\s+jaar\s+of\s+|in\s+de\s+)?({num})\b")),
                r(&format!(r"(?i)\bjaar\s+of\s+({num})\b")),
                r(&format!(r"(?i)\b(?:is|was|are|were|'s|’s)\s+(?:now\s+|only\s+|nearly\s+|almost\s+|just\s+)?({num})\s*(?:[.,;!?)]|$|years?\s+old\b|now\b|and\b|when\b)")),
                r(&format!(r"(?i)\bik\s+(?:ben|was|werd|word)\s+(?:nu\s+|net\s+|pas\s+|al\s+|bijna\s+|toen\s+)?({num})\b")),
                r(&format!(r"(?i)\b(?:toen|als|sinds|nadat)\s+ik\s+({num})\s+(?:was|werd|ben|werd)\b")),
                r(&format!(r"(?i)\b(?:op|vanaf|sinds|tot|na|voor|rond)\s+(?:mijn|m'n|zijn|haar|z'n)\s+(\d{{1,2}}(?:e|ste|de)|(?:{nl})(?:ste|de))\b")),
                r(&format!(r"(?i)\b({num})\s+geworden\b")),
                r(&format!(r"(?i)\b({num})-?jarige?\b")),
                r(&format!(r"(?i)\bI'?m\s+(?:now\s+|only\s+|nearly\s+|almost\s+|just\s+)?({num})\b")),
                r(&format!(r"(?i)\bI\s+am\s+(?:now\s+|only\s+|nearly\s+|almost\s+|just\s+)?({num})\b")),
                r(&format!(r"(?i)\b(?:when|since)\s+I\s+was\s+({num})\b")),
                r(&format!(r"(?i)\b({num})[- ]years?[- ]old\b")),
                r(&format!(r"(?i)\b(?:aged|turned|turning)\s+({num})\b")),
            ],
            id: r(r"\b[A-Z]{1,4}-?\d[\d-]{3,}\d\b"),
            long_number: r(r"\b\d{6,}\b"),
        }
    })
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
    for m in p.email.find_iter(text) {
        hits.push((m.start(), m.end(), "EMAIL", 0.99));
    }
    for m in p.url.find_iter(text) {
        let trimmed = m
            .as_str()
            .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
        hits.push((m.start(), m.start() + trimmed.len(), "URL", 0.95));
    }
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
                "EN" | "OF" | "IN" | "OP" | "TE" | "AN" | "OR" | "TO" | "AT" | "IS" | "IK" | "JA"
            ) {
                hits.push((m.start(), m.end(), "POSTCODE", 0.9));
            }
        }
    }
    for re in &p.dates {
        for m in re.find_iter(text) {
            hits.push((m.start(), m.end(), "DATE", 0.85));
        }
    }
    for re in &p.ages {
        for c in re.captures_iter(text) {
            let Some(g) = c.get(1) else { continue };
            let next = text[g.end()..]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_lowercase();
            if NOT_AGE_AFTER.iter().any(|w| next.starts_with(w)) {
                continue;
            }
            if let Ok(n) = g.as_str().parse::<u32>()
                && !(2..=115).contains(&n)
            {
                continue;
            }
            // "een" (a, one) is never an age in the sentences these patterns match.
            if matches!(g.as_str().to_lowercase().as_str(), "een" | "één" | "one") {
                continue;
            }
            hits.push((g.start(), g.end(), "AGE", 0.8));
        }
    }
    for m in p.id.find_iter(text) {
        if m.as_str().chars().filter(char::is_ascii_digit).count() >= 5 {
            hits.push((m.start(), m.end(), "ID", 0.8));
        }
    }
    for m in p.long_number.find_iter(text) {
        hits.push((m.start(), m.end(), "ID", 0.7));
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
