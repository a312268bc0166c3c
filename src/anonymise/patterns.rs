//! Identifiers with a recognisable form: e-mail addresses, URLs and bare domains, social
//! handles, IBANs (mod-97), BSNs (11-proof), UK National Insurance numbers, phone numbers
//! (Dutch, UK, international), postcodes (Dutch, UK), dates as written and as said (full,
//! partial, numeric, bare and abbreviated years, "twintig mei", "the 3rd of March", "vorige
//! week vrijdag", "begin 2025"; Dutch and English), ages in context (also as words, ordinals
//! and one-word answers to "how old"), and other long numbers. Durations and counts ("een jaar
//! of vijf", "twee jaar clean", "a mother of three") are not ages.
//!
//! Longer than most modules (about 840 lines): one detector per patterned identifier, each
//! with its validation (checksums, calendars, formats) and its exceptions beside it.

use std::sync::{Arc, Mutex};

use regex::{Regex, RegexSet};

use super::checks::{is_bsn, is_iban};

/// A match: byte range in the searched text, category, confidence, the rule that fired.
pub type Hit = (usize, usize, &'static str, f32, &'static str);

const MONTHS_NL: &str =
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december";
const MONTHS_EN: &str =
    "January|February|March|April|May|June|July|August|September|October|November|December";
const WEEKDAYS_NL: &str = "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag";
const WEEKDAYS_EN: &str = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday";

const UNITS_NL: &str = "een|twee|drie|vier|vijf|zes|zeven|acht|negen";
const TENS_NL: &str = "twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig";
const TEENS_NL: &str =
    "tien|elf|twaalf|dertien|veertien|vijftien|zestien|zeventien|achttien|negentien";

fn num_nl() -> String {
    format!("(?:(?:{UNITS_NL})(?:en|ën))?(?:{TENS_NL})|{TEENS_NL}|honderd|{UNITS_NL}")
}

/// Dutch ordinals as words: "derde", "veertiende", "eenentwintigste".
fn ord_nl() -> String {
    format!(
        "(?:(?:{UNITS_NL})(?:en|ën))?(?:{TENS_NL})ste|(?:der|veer|vijf|zes|zeven|acht|negen)tiende|eerste|tweede|derde|vierde|vijfde|zesde|zevende|achtste|negende|tiende|elfde|twaalfde"
    )
}

const UNITS_EN: &str = "one|two|three|four|five|six|seven|eight|nine";
const TENS_EN: &str = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety";

fn num_en() -> String {
    format!(
        "(?:{TENS_EN})(?:[- ](?:{UNITS_EN}))?|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|{UNITS_EN}"
    )
}

/// English ordinals as words: "third", "twelfth", "twenty-first".
fn ord_en() -> String {
    let ord_units = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth";
    format!(
        "(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ](?:{ord_units})|twentieth|thirtieth|fortieth|fiftieth|sixtieth|seventieth|eightieth|ninetieth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|{ord_units}"
    )
}

/// A numbered pattern: its regular expression and the rule's name.
struct Rule {
    re: Regex,
    name: &'static str,
}

struct Patterns {
    email: Regex,
    url: Regex,
    domain: Regex,
    handle: Regex,
    iban: Vec<Regex>,
    bsn: Regex,
    national_insurance: Regex,
    phone: Regex,
    postcode_nl: Regex,
    postcode_uk: Regex,
    eircode: Regex,
    dates: Vec<Rule>,
    date_set: RegexSet,
    year: Regex,
    short_year: Regex,
    /// Age patterns; capture group 1 is the age itself.
    ages: Vec<Rule>,
    /// The same, in one set: which of them match at all, in one pass.
    age_set: RegexSet,
    /// A further age right after one ("sixteen, seventeen", "vijftien of zestien").
    age_after: Regex,
    /// A number opening an answer ("Achtendertig.", "Nine. He's nine").
    answer_number: Regex,
    id: Regex,
    long_number: Regex,
}

/// Word apostrophes are written straight or curly (as Word writes them): every `'` in a
/// built-in pattern matches both.
fn either_apostrophe(pattern: &str) -> String {
    pattern.replace('\'', "['’]")
}

/// The compiled patterns, built when first needed. Each regular expression grows a search
/// cache per thread that used it (lazy DFA states, up to 2 MB each): after an import's
/// detection they held about 60 MB, kept for the rest of the process, through the search
/// index's build (measured with massif on the benchmark corpus). [`release`] lets them go.
static PATTERNS: Mutex<Option<Arc<Patterns>>> = Mutex::new(None);

/// Drops the compiled patterns and their search caches once no search is using them; the
/// next search compiles them again. An import calls this when its detection is done.
pub fn release() {
    *PATTERNS.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

fn patterns() -> Arc<Patterns> {
    let mut held = PATTERNS.lock().unwrap_or_else(|e| e.into_inner());
    let compiled = held.get_or_insert_with(|| {
        // ASCII word boundaries keep every search on the fast DFA engine (a Unicode boundary
        // makes it fall back on non-ASCII text: profiled); the edges are digits and letters.
        let r = |s: &str| Regex::new(&either_apostrophe(s)).expect("built-in pattern");
        let rule = |name: &'static str, s: &str| Rule { re: r(s), name };
        let nl = num_nl();
        let en = num_en();
        let ord_nl = ord_nl();
        let ord_en = ord_en();
        let num = format!(r"\d{{1,3}}|{nl}|{en}");
        // English ages may be approximate: "seventy-odd", "sixty or so".
        let num_about = format!(r"(?:{num})(?:-odd|\s+odd|\s+or\s+so|-plus|\s+plus|-ish)?");
        let holidays = r"(?:kerst(?:avond|dag|mis|nacht)?|eerste\s+kerstdag|tweede\s+kerstdag|oud(?:ejaars)?(?:avond|dag)|oud\s+en\s+nieuw|nieuwjaars(?:dag|nacht)|pasen|paasmaandag|pinksteren|koningsdag|bevrijdingsdag|sinterklaas(?:avond)?|suikerfeest|offerfeest|christmas(?:\s+eve|\s+day)?|new\s+year(?:'s)?(?:\s+eve|\s+day)?|boxing\s+day|easter(?:\s+sunday|\s+monday)?|hogmanay|halloween|bonfire\s+night|eid|ramadan)";
        let teens_tens_en = format!(r"(?:{TENS_EN})(?:[- ](?:{UNITS_EN}))?|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen");
        let big_ord_en = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|twentieth|thirtieth|fortieth|fiftieth|sixtieth|seventieth|eightieth|ninetieth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth";
        let big_ord_nl = format!(r"(?:(?:{UNITS_NL})(?:en|ën))?(?:{TENS_NL})ste|(?:der|veer|vijf|zes|zeven|acht|negen)tiende");
        let year = r"(?:19|20)\d{2}";
        let b = r"(?-u:\b)";
        let dates = vec![
            rule("date-day-month-nl", &format!(r"(?i){b}(?:(?:{WEEKDAYS_NL})\s+)?(?:de\s+)?(?:\d{{1,2}}(?:e|ste|de)?|{ord_nl}|{nl})\s+(?:{MONTHS_NL})(?:\s+{year}|\s+(?:vorig|volgend|dit|afgelopen)\s+jaar)?{b}")),
            rule("date-month-nl", &format!(r"(?i){b}(?:(?:begin|eind|half|medio|midden|hartje|eind|halverwege)\s+)?(?:{MONTHS_NL})(?:\s+{year}|\s+(?:vorig|volgend|dit)\s+jaar)?{b}")),
            rule("date-part-of-year-nl", &format!(r"(?i){b}(?:begin|eind|half|medio|midden|halverwege|zomer|winter|voorjaar|najaar|herfst|lente|kerst)\s+(?:van\s+)?{year}{b}")),
            rule("date-weekday-ordinal-nl", &format!(r"(?i){b}(?:{WEEKDAYS_NL})\s+(?:de\s+)?(?:\d{{1,2}}(?:e|ste|de)|{ord_nl}){b}")),
            rule("date-relative-nl", &format!(r"(?i){b}(?:vorige|afgelopen|komende|volgende|aanstaande)\s+(?:week\s+|maand\s+)?(?:{WEEKDAYS_NL}){b}|{b}(?:{WEEKDAYS_NL})\s+(?:vorige|afgelopen|volgende)\s+week{b}")),
            rule("date-day-month-en", &format!(r"{b}(?:(?:{WEEKDAYS_EN}),?\s+)?(?:(?i:the)\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?|(?i:{ord_en}))\s+(?:of\s+)?(?:{MONTHS_EN})(?:,?\s+{year})?{b}")),
            rule("date-month-day-en", &format!(r"{b}(?:{MONTHS_EN})\s+(?:the\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?|{ord_en})(?:,?\s+{year})?{b}")),
            rule("date-month-en", &format!(r"{b}(?:(?i:early|late|mid|mid-|the\s+end\s+of|end\s+of|the\s+start\s+of|start\s+of|the\s+beginning\s+of|beginning\s+of)\s*)?(?:{MONTHS_EN})(?:,?\s+{year})?{b}")),
            rule("date-part-of-year-en", &format!(r"(?i){b}(?:early|late|mid|mid-|the\s+end\s+of|end\s+of|the\s+start\s+of|start\s+of|the\s+beginning\s+of|the\s+summer\s+of|the\s+winter\s+of|summer|winter|spring|autumn|christmas)\s*{year}{b}")),
            rule("date-weekday-ordinal-en", &format!(r"{b}(?:{WEEKDAYS_EN})\s+(?:the\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)|{ord_en}){b}")),
            rule("date-relative-en", &format!(r"(?i){b}(?:last|next|this\s+past|this\s+coming)\s+(?:week\s+)?(?:{WEEKDAYS_EN})(?:\s+(?:fortnight|week|gone))?{b}|{b}(?:{WEEKDAYS_EN})\s+(?:before\s+last|gone|fortnight){b}")),
            rule("date-holiday-year", &format!(r"(?i){b}{holidays}\s+(?:van\s+|of\s+)?{year}{b}")),
            rule("date-relative-period-nl", &format!(r"(?i){b}(?:vorige|afgelopen|vorig)\s+(?:week|maand|zomer|winter|herfst|lente|voorjaar|najaar|kerst|{MONTHS_NL}){b}")),
            rule("date-ago-nl", r"(?i)(?-u:\b)(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|paar|\d{1,2})\s+(?:dagen|weken|maanden|week|maand|dag)\s+geleden(?-u:\b)"),
            rule("date-relative-period-en", &format!(r"(?i){b}(?:last|this\s+past)\s+(?:weekend|week|month|summer|winter|spring|autumn|fall|christmas|easter|{MONTHS_EN}){b}")),
            rule("date-ago-en", &format!(r"(?i){b}(?:a|one|two|three|four|five|six|seven|eight|nine|ten|a\s+couple\s+of|a\s+few|\d{{1,2}})\s+(?:days?|weeks?|months?|fortnights?)\s+ago(?:\s+(?:on\s+)?(?:{WEEKDAYS_EN}))?{b}")),
            rule("date-before-last-en", &format!(r"(?i){b}(?:the\s+)?(?:week|month|year|weekend)\s+before\s+last{b}|{b}(?:a|one)\s+week\s+(?:past|last|on|gone)\s+(?:{WEEKDAYS_EN}){b}")),
            rule("date-end-of-en", &format!(r"(?i){b}(?:the\s+)?(?:back|tail|fag)\s+end\s+of\s+(?:{year}|{MONTHS_EN}|last\s+year|that\s+year){b}")),
            rule("date-numeric", r"(?-u:\b)\d{1,2}[-/.]\d{1,2}[-/.](?:(?:19|20)\d{2}|\d{2})(?-u:\b)"),
            rule("date-iso", r"(?-u:\b)(?:19|20)\d{2}-\d{2}-\d{2}(?-u:\b)"),
        ];
        let date_set = RegexSet::new(dates.iter().map(|d| d.re.as_str())).expect("built-in");
        let ages = vec![
            rule("age-years-old-nl", &format!(r"(?i){b}({num})\s+jaar\s+oud{b}")),
            rule("age-is-nl", &format!(r"(?i){b}(?:is|was|werd|wordt|ben|bent|zijn|waren)\s+(?:nu\s+|pas\s+|bijna\s+|al\s+|net\s+|toen\s+|inmiddels\s+|ongeveer\s+|rond\s+de\s+)?({num})\s*(?:[.,;!?)]|$|jaar\s*(?:[.,;!?)]|$|oud{b})|en{b}|toen{b}|nu{b}|geworden{b}|of{b}|inmiddels{b}|al{b}|geloof{b})")),
            rule("age-subject-nl", &format!(r"(?i){b}(?:ik|hij|zij|ze|je|jij)\s+(?:nu\s+|pas\s+|bijna\s+|net\s+)?({num})\s+(?:was|werd|wordt|ben|is|word|geworden){b}")),
            rule("age-will-be-en", &format!(r"(?i){b}(?:I'll|I\s+will|he'll|she'll|they'll|will)\s+be\s+({num_about}){b}")),
            rule("age-person-of-nl", &format!(r"(?i){b}(?:man|vrouw|mevrouw|meneer|mens|jongen|meisje|kind|zoon|dochter|broer|zus|kerel|heer|dame|weduwe|weduwnaar|vrouwtje|mannetje|jongetje|knul|meid|opa|oma|buurman|buurvrouw|vriend|vriendin)\s+van\s+(?:bijna\s+|ongeveer\s+|rond\s+de\s+|in\s+de\s+|over\s+de\s+)?({num_about}){b}")),
            rule("age-name-of-nl", &format!(r"{b}[A-Z][a-z]+,?\s+van\s+(\d{{2}}|(?i:{nl}))\s*[,.;]")),
            rule("age-turns-nl", &format!(r"(?i){b}(?:word|wordt|werd)\s+(?:ik\s+|hij\s+|zij\s+|ze\s+|je\s+|jij\s+)?(?:(?:in|op|met|deze|dit|volgend|volgende|komend|komende)\s+[^\s,.]+\s+)?({num_about}){b}")),
            rule("age-turn-en", &format!(r"(?i){b}(?:turn|turns)\s+({num_about}){b}")),
            rule("age-name-is-en", &format!(r"{b}[A-Z][a-z]+(?:'s|\s+is|\s+was)\s+(?:(?i:now|only|nearly|almost|just|about|barely)\s+)?((?i:{num_about}))(?:\s*[.,;!?]|\s+(?i:now|then|next|this|last|in|and|but|when|or){b})")),
            rule("age-would-have-been-en", &format!(r"(?i)(?:'d|{b}would)\s+have\s+been\s+({num_about}){b}")),
            rule("age-alone", &format!(r"{b}((?i:{num_about}))(?:\s*[.!…]|,?\s+(?:in|op|this|next|dit|volgend)\s+(?:{MONTHS_EN}|(?i:{MONTHS_NL})))")),
            rule("age-ordinal-en", &format!(r"(?i){b}(?:my|his|her|their|our)\s+({big_ord_en}){b}")),
            rule("age-ordinal-mine-nl", &format!(r"(?i){b}(?:mijn|m'n|zijn|z'n|haar|d'r)\s+({big_ord_nl}){b}")),
            rule("age-at-en", &format!(r"(?i){b}at\s+({teens_tens_en}){b}")),
            rule("age-in-months", &format!(r"(?i){b}(?:is|was|'s|wordt|werd)\s+(?:nu\s+|now\s+|pas\s+|only\s+|just\s+|net\s+)?((?:{num})\s+(?:maanden|weken|months|weeks|maand|week|month))(?:\s+(?:oud|old))?(?:\s+(?:now|nu))?\s*(?:[.,;!?]|$)")),
            rule("age-birthday-number", &format!(r"(?i){b}(?:jarig(?:\s+geweest)?|birthday)\s*,\s*({num_about}){b}")),
            rule("age-is-en", &format!(r"(?i){b}(?:he|she|I|who|mum|dad|mam|mom|ma|da|nan|gran|granny|grandad|father|mother|brother|sister|son|daughter|wife|husband|partner|boyfriend|girlfriend|mate|friend|uncle|aunt|auntie|cousin|niece|nephew|lad|boy|girl|sponsor)(?:'s|'m|\s+is|\s+was|\s+am|\s+turned|\s+turns)\s+(?:now\s+|only\s+|nearly\s+|almost\s+|just\s+|about\s+|barely\s+)?({num_about}){b}")),
            rule("age-ik-ben-nl", &format!(r"(?i){b}ik\s+(?:ben|was|werd|word)\s+(?:nu\s+|net\s+|pas\s+|al\s+|bijna\s+|toen\s+)?({num}){b}")),
            rule("age-toen-ik-nl", &format!(r"(?i){b}(?:toen|als|sinds|nadat)\s+(?:ik|hij|zij|ze)\s+({num})\s+(?:was|werd|ben|is){b}")),
            rule("age-ordinal-nl", &format!(r"(?i){b}(?:op|vanaf|sinds|tot|na|voor|rond|tegen)\s+(?:mijn|m'n|zijn|z'n|haar|d'r|hun)\s+(\d{{1,2}}(?:e|ste|de)|{ord_nl}){b}")),
            rule("age-birthday", &format!(r"(?i){b}(?:mijn|m'n|zijn|z'n|haar|d'r|my|his|her|their|our)\s+(\d{{1,2}}(?:e|ste|de|st|nd|rd|th)|{ord_nl}|{ord_en})\s+(?:birthday|verjaardag){b}")),
            rule("age-turned-nl", &format!(r"(?i){b}({num})\s+geworden{b}")),
            rule("age-jarige-nl", &format!(r"(?i){b}({num})-?jarige?{b}")),
            rule("age-im-en", &format!(r"(?i){b}I'm\s+(?:now\s+|only\s+|nearly\s+|almost\s+|just\s+)?({num_about}){b}")),
            rule("age-i-am-en", &format!(r"(?i){b}I\s+am\s+(?:now\s+|only\s+|nearly\s+|almost\s+|just\s+)?({num_about}){b}")),
            rule("age-when-i-was-en", &format!(r"(?i){b}(?:when|since|till|until)\s+(?:I|he|she)\s+was\s+({num_about}){b}")),
            rule("age-years-old-en", &format!(r"(?i){b}({num})[- ]years?[- ]old{b}")),
            rule("age-aged-en", &format!(r"(?i){b}(?:aged|turned|turning|age)\s+({num_about}){b}")),
            rule("age-eldest", &format!(r"(?i){b}(?:oudste|jongste|middelste|eldest|youngest|oldest|middle\s+one)\s+(?:is\s+|was\s+|'s\s+|is\s+nu\s+)?({num_about}){b}")),
            rule("age-apposition", &format!(r"{b}[A-Z][a-z]+,\s+((?i:(?:{TENS_EN})(?:[- ](?:{UNITS_EN}))?|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|(?:(?:{UNITS_NL})(?:en|ën))?(?:{TENS_NL})|dertien|veertien|vijftien|zestien|zeventien|achttien|negentien)(?:-odd|-plus|-ish)?),")),
        ];
        let age_set = RegexSet::new(ages.iter().map(|a| a.re.as_str())).expect("built-in");
        Arc::new(Patterns {
            email: r(r"(?i)(?-u:\b)[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?-u:\b)"),
            url: r(r#"(?i)(?-u:\b)(?:https?://|www\.)[^\s<>"]+|(?-u:\b)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:nl|com|org|net|eu|be|uk|io|info)/[^\s<>"]*"#),
            domain: r(r"(?i)(?-u:\b)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.(?:nl|com|org|net|eu|be|uk|io|info|de|fr|app|online|nu|co|shop|blog|scot|ie|wales|cymru|london|frl|amsterdam|care|help|health|community|social|site|website|nhs)(?-u:\b)"),
            handle: r(r"(?:^|[\s(,])(@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)"),
            iban: vec![
                r(r"(?i)(?-u:\b)NL\d{2} ?[A-Z]{4}(?: ?\d){10}(?-u:\b)"),
                r(r"(?-u:\b)[A-Z]{2}\d{2}(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?(?-u:\b)"),
                r(r"(?-u:\b)[A-Z]{2}\d{2}[A-Z0-9]{11,30}(?-u:\b)"),
            ],
            bsn: r(r"(?-u:\b)\d{3}[ .]?\d{3}[ .]?\d{3}(?-u:\b)|(?-u:\b)\d{4}\.\d{2}\.\d{3}(?-u:\b)"),
            national_insurance: r(r"(?-u:\b)[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D](?-u:\b)"),
            phone: r(r"(?:\+|(?-u:\b)00|(?-u:\b)0)\d[\d \-()./]{7,22}\d"),
            postcode_nl: r(r"(?-u:\b)[1-9]\d{3} ?[A-Z]{2}(?-u:\b)"),
            postcode_uk: r(r"(?-u:\b)[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}(?-u:\b)"),
            // Irish Eircodes: a routing key ("D02", "F56") and four characters.
            eircode: r(r"(?-u:\b)(?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}(?-u:\b)"),
            dates,
            date_set,
            year: r(r"(?-u:\b)(?:19[0-9]{2}|20[0-9]{2})(?-u:\b)"),
            short_year: r(r"(?:^|[\s(,])([\x27\x{2018}\x{2019}]\d{2}s?)(?-u:\b)"),
            ages,
            age_set,
            age_after: r(&format!(r"(?i)^\s*(?:,|or|of|en|and|tot|to|-|–)\s*({num_about}){b}")),
            answer_number: r(&format!(r"(?i)^\s*(?:uh+m*,?\s+|eh+,?\s+|um+,?\s+|nou,?\s+|well,?\s+)?({num_about})(?:\s+(?:jaar|years))?\s*(?:[.,!?…]|$)")),
            id: r(r"(?-u:\b)[A-Z]{1,4}[-/]?\d[\d/-]{3,}\d(?-u:\b)"),
            long_number: r(r"(?-u:\b)\d{6,}(?: \d{3,5})?(?-u:\b)"),
        })
    });
    compiled.clone()
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
    "quid",
    "grand",
    "kilos",
    "stone",
    "miles",
    "km",
    "kilometer",
    "o'clock",
    "o’clock",
    "kinderen",
    "kids",
    "children",
    "keer",
    "glazen",
    "pints",
    "cans",
    "biertjes",
    "drinks",
    "sessions",
    "sessies",
    "stappen",
    "steps",
    "mensen",
    "people",
    "man",
    "members",
    "leden",
];

/// Words after a year-like number that show it is an amount: "2000 euro", "1500 calories".
const NOT_YEAR_AFTER: &[&str] = &[
    "euro",
    "eur",
    "pond",
    "pounds",
    "quid",
    "dollar",
    "dollars",
    "km",
    "kilometer",
    "meter",
    "m",
    "mensen",
    "people",
    "calories",
    "calorieën",
    "kcal",
    "stappen",
    "steps",
    "leden",
    "members",
    "volgers",
    "followers",
    "woorden",
    "words",
    "pagina's",
    "pages",
    "x",
    "keer",
    "times",
    "man",
    "deelnemers",
    "participants",
    "gram",
    "mg",
    "ml",
    "liter",
    "litres",
];

/// Every patterned identifier in `text`.
pub fn find(text: &str) -> Vec<Hit> {
    let p = patterns();
    let mut hits: Vec<Hit> = Vec::new();
    // Cheap gates first: most turns hold no digit and no @.
    let bytes = text.as_bytes();
    let has_digit = bytes.iter().any(u8::is_ascii_digit);
    let has_at = bytes.contains(&b'@');
    let maybe_url = text.contains("www.") || text.contains("://") || bytes.contains(&b'/');
    let has_dot_word = bytes
        .windows(2)
        .any(|w| w[0] == b'.' && w[1].is_ascii_alphabetic());
    if has_at {
        for m in p.email.find_iter(text) {
            hits.push((m.start(), m.end(), "EMAIL", 0.99, "email"));
        }
        for c in p.handle.captures_iter(text) {
            if let Some(g) = c.get(1)
                && g.as_str().chars().count() >= 4
                && !text[g.end()..].starts_with('@')
            {
                hits.push((g.start(), g.end(), "ID", 0.9, "social-handle"));
            }
        }
    }
    if maybe_url {
        for m in p.url.find_iter(text) {
            let trimmed = m
                .as_str()
                .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
            hits.push((m.start(), m.start() + trimmed.len(), "URL", 0.95, "url"));
        }
    }
    if has_dot_word {
        let lists = crate::lexicon::lists();
        for m in p.domain.find_iter(text) {
            // "Bol.com" names a national shop; a domain after @ is an e-mail address's.
            let known = lists
                .not_identifiers
                .iter()
                .any(|n| n.eq_ignore_ascii_case(m.as_str()));
            if !known && !text[..m.start()].ends_with('@') && !text[..m.start()].ends_with('.') {
                hits.push((m.start(), m.end(), "URL", 0.85, "domain"));
            }
        }
    }
    if has_digit {
        for re in &p.iban {
            for m in re.find_iter(text) {
                if is_iban(m.as_str()) {
                    hits.push((m.start(), m.end(), "IBAN", 0.99, "iban"));
                }
            }
        }
        for m in p.bsn.find_iter(text) {
            if is_bsn(m.as_str()) {
                hits.push((m.start(), m.end(), "BSN", 0.97, "bsn"));
            }
        }
        for m in p.national_insurance.find_iter(text) {
            hits.push((m.start(), m.end(), "ID", 0.9, "national-insurance"));
        }
        for m in p.phone.find_iter(text) {
            if let Some(end) = phone_end(m.as_str()) {
                hits.push((m.start(), m.start() + end, "PHONE", 0.95, "phone"));
            }
        }
        for m in p.eircode.find_iter(text) {
            // Four letters and digits mixed: "D02 X285", not "A12 road".
            let last4 = &m.as_str()[m.as_str().len() - 4..];
            if last4.chars().any(|c| c.is_ascii_digit())
                && last4.chars().any(|c| c.is_ascii_uppercase())
            {
                hits.push((m.start(), m.end(), "POSTCODE", 0.85, "postcode-ie"));
            }
        }
        for (re, rule) in [
            (&p.postcode_nl, "postcode-nl"),
            (&p.postcode_uk, "postcode-uk"),
        ] {
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
                    hits.push((m.start(), m.end(), "POSTCODE", 0.9, rule));
                }
            }
        }
        // A year on its own ("in 2013", "probably 2016, 2017") says when something happened
        // to someone; an amount ("2000 euro") does not.
        for m in p.year.find_iter(text) {
            let next = text[m.end()..]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            let before = text[..m.start()].trim_end();
            let amount =
                before.ends_with(['€', '£', '$']) || NOT_YEAR_AFTER.contains(&next.as_str());
            let in_number = text[..m.start()].ends_with(['.', ',', '-', '/'])
                && before.chars().last().is_some_and(|c| c.is_ascii_digit())
                || text[m.end()..].starts_with([',', '.'])
                    && text[m.end() + 1..].starts_with(|c: char| c.is_ascii_digit());
            if !amount && !in_number {
                hits.push((m.start(), m.end(), "DATE", 0.8, "year"));
            }
        }
        for c in p.short_year.captures_iter(text) {
            if let Some(g) = c.get(1) {
                hits.push((g.start(), g.end(), "DATE", 0.8, "year-abbreviated"));
            }
        }
    }
    for i in p.date_set.matches(text).iter() {
        let rule = &p.dates[i];
        for m in rule.re.find_iter(text) {
            hits.push((m.start(), m.end(), "DATE", 0.85, rule.name));
        }
    }
    let mut ages: Vec<Hit> = Vec::new();
    for rule in p.age_set.matches(text).iter().map(|i| &p.ages[i]) {
        // Find whole matches with the fast engine, then the age inside each short match
        // (capture groups over a long text are several times slower: profiled); the text
        // before the match stays in view, so a word boundary at its start still holds.
        for m in rule.re.find_iter(text) {
            let Some(c) = rule.re.captures_at(&text[..m.end()], m.start()) else {
                continue;
            };
            let Some(g) = c.get(1) else { continue };
            let g = Span {
                start: g.start(),
                end: g.end(),
            };
            if !plausible(text, m.as_str(), g, rule.name) {
                continue;
            }
            if let Some(hit) = judge_age(text, g, rule.name) {
                ages.push(hit);
            }
        }
    }
    // "when I was sixteen, seventeen": the ages right after an age are ages too.
    let mut k = 0;
    while k < ages.len() {
        let end = ages[k].1;
        if let Some(c) = p.age_after.captures(&text[end..])
            && let Some(g) = c.get(1)
            && let Some(hit) = judge_age(
                text,
                Span {
                    start: end + g.start(),
                    end: end + g.end(),
                },
                "age-after-age",
            )
            && !ages.iter().any(|a| a.0 == hit.0)
        {
            ages.push(hit);
        }
        k += 1;
    }
    hits.extend(ages);
    if has_digit {
        for m in p.id.find_iter(text) {
            if m.as_str().chars().filter(char::is_ascii_digit).count() >= 5 {
                hits.push((m.start(), m.end(), "ID", 0.8, "reference-number"));
            }
        }
        for m in p.long_number.find_iter(text) {
            hits.push((m.start(), m.end(), "ID", 0.7, "long-number"));
        }
    }
    hits
}

/// The value of a number as said: digits, or Dutch or English words ("zevenenveertig",
/// "thirty-eight", "tachtig-plus" is 80).
fn spoken_value(words: &str) -> Option<u32> {
    let w = words
        .to_lowercase()
        .replace('ë', "e")
        .replace(['’', '\''], "");
    let w = w
        .trim_end_matches("-odd")
        .trim_end_matches(" odd")
        .trim_end_matches(" or so")
        .trim_end_matches("-plus")
        .trim_end_matches(" plus")
        .trim_end_matches("-ish")
        .trim();
    if let Ok(n) = w.parse::<u32>() {
        return Some(n);
    }
    const SMALL: &[(&str, u32)] = &[
        ("een", 1),
        ("twee", 2),
        ("drie", 3),
        ("vier", 4),
        ("vijf", 5),
        ("zes", 6),
        ("zeven", 7),
        ("acht", 8),
        ("negen", 9),
        ("tien", 10),
        ("elf", 11),
        ("twaalf", 12),
        ("dertien", 13),
        ("veertien", 14),
        ("vijftien", 15),
        ("zestien", 16),
        ("zeventien", 17),
        ("achttien", 18),
        ("negentien", 19),
        ("one", 1),
        ("two", 2),
        ("three", 3),
        ("four", 4),
        ("five", 5),
        ("six", 6),
        ("seven", 7),
        ("eight", 8),
        ("nine", 9),
        ("ten", 10),
        ("eleven", 11),
        ("twelve", 12),
        ("thirteen", 13),
        ("fourteen", 14),
        ("fifteen", 15),
        ("sixteen", 16),
        ("seventeen", 17),
        ("eighteen", 18),
        ("nineteen", 19),
        ("honderd", 100),
    ];
    const TENS: &[(&str, u32)] = &[
        ("twintig", 20),
        ("dertig", 30),
        ("veertig", 40),
        ("vijftig", 50),
        ("zestig", 60),
        ("zeventig", 70),
        ("tachtig", 80),
        ("negentig", 90),
        ("twenty", 20),
        ("thirty", 30),
        ("forty", 40),
        ("fifty", 50),
        ("sixty", 60),
        ("seventy", 70),
        ("eighty", 80),
        ("ninety", 90),
    ];
    let small = |x: &str| SMALL.iter().find(|(k, _)| *k == x).map(|(_, v)| *v);
    let tens = |x: &str| TENS.iter().find(|(k, _)| *k == x).map(|(_, v)| *v);
    if let Some(v) = small(w).or_else(|| tens(w)) {
        return Some(v);
    }
    // "thirty-eight", "thirty eight"
    if let Some((t, u)) = w.split_once(['-', ' ']) {
        return Some(tens(t)? + small(u)?);
    }
    // "zevenenveertig": a unit, "en", the tens.
    TENS.iter().find_map(|(t, tv)| {
        let unit = w.strip_suffix(t)?.strip_suffix("en")?;
        Some(tv + small(unit)?)
    })
}

/// Rule-specific checks of an age match (`whole`), beyond [`judge_age`]'s.
fn plausible(text: &str, whole: &str, g: Span, rule: &str) -> bool {
    let next = text[g.end..]
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    match rule {
        // "It's two", "That was twenty": a time or an amount, not someone's age.
        "age-name-is-en" => {
            let subject = whole
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("")
                .to_lowercase();
            !matches!(
                subject.as_str(),
                "it" | "that"
                    | "this"
                    | "there"
                    | "what"
                    | "here"
                    | "who"
                    | "which"
                    | "where"
                    | "everything"
                    | "nothing"
                    | "something"
                    | "time"
                    | "life"
                    | "today"
                    | "tonight"
                    | "rent"
                    | "price"
                    | "bill"
                    | "score"
                    | "number"
                    | "page"
            )
        }
        // A number said as a sentence of its own ("Zevenenveertig.", "Thirty-nine in July")
        // is an age in the range of adults' ages.
        "age-alone" => {
            let before = text[..g.start].trim_end();
            (before.is_empty() || before.ends_with(['.', '!', '?', '…', ':']))
                && spoken_value(&text[g.start..g.end]).is_some_and(|v| (16..=110).contains(&v))
        }
        // "at twenty past nine", "at fifteen minutes".
        "age-at-en" => !matches!(
            next.as_str(),
            "to" | "past"
                | "o'clock"
                | "oclock"
                | "minutes"
                | "mins"
                | "pence"
                | "quid"
                | "percent"
                | "mph"
                | "degrees"
                | "quarter"
                | "half"
                | "pounds"
                | "grand"
        ),
        // "my twentieth attempt", "mijn twintigste keer".
        "age-ordinal-en" | "age-ordinal-mine-nl" => !matches!(
            next.as_str(),
            "time"
                | "times"
                | "year"
                | "attempt"
                | "go"
                | "try"
                | "day"
                | "week"
                | "session"
                | "meeting"
                | "job"
                | "keer"
                | "poging"
                | "jaar"
                | "dag"
                | "sessie"
                | "bijeenkomst"
                | "baan"
        ),
        _ => true,
    }
}

/// The age at `g` as a hit, unless the words after it make it an amount or a duration
/// ("drie keer", "twee jaar clean", "ten minutes") or it is no age at all ("een", 0, 130).
fn judge_age(text: &str, g: Span, rule: &'static str) -> Option<Hit> {
    let number = &text[g.start..g.end];
    let mut words = text[g.end..].split_whitespace().map(|w| {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '%' && c != '\'' && c != '’')
            .to_lowercase()
    });
    let next = words.next().unwrap_or_default();
    let after = words.next().unwrap_or_default();
    let touching = !text[g.end..].starts_with([',', '.', ';', '!', '?', ')']);
    if touching
        && NOT_AGE_AFTER
            .iter()
            .any(|w| next == *w || next.starts_with(w) && w.len() > 3)
    {
        return None;
    }
    // "three of us", "met z'n vieren van ons": a count of people.
    if matches!(next.as_str(), "of" | "van")
        && matches!(after.as_str(), "us" | "them" | "ons" | "hen" | "hun")
    {
        return None;
    }
    // "twee jaar clean", "three years sober": a time, not an age; "46 jaar oud" is one.
    let years = matches!(next.as_str(), "jaar" | "year" | "years" | "jaren");
    if touching && years && !matches!(after.as_str(), "oud" | "old" | "") {
        let ends_sentence = text[g.end..]
            .split_whitespace()
            .next()
            .is_some_and(|w| w.ends_with(['.', ',', '!', '?', ';']));
        if !ends_sentence {
            return None;
        }
    }
    if let Ok(n) = number.parse::<u32>()
        && !(2..=115).contains(&n)
    {
        return None;
    }
    // "een" (a, one) is never an age in the sentences these patterns match.
    if matches!(number.to_lowercase().as_str(), "een" | "één" | "one") {
        return None;
    }
    Some((g.start, g.end, "AGE", 0.8, rule))
}

/// The age a one-word answer gives when the question before it asked for one ("Hoe oud ben
/// je?" "Achtendertig."; "How old is Tyler now?" "Nine. He's nine"): its byte range in
/// `answer`.
pub fn answered_age(question: &str, answer: &str) -> Option<(usize, usize)> {
    let q = question.to_lowercase();
    let asks = [
        "hoe oud",
        "how old",
        "leeftijd",
        "what age",
        "your age",
        "welk jaar geboren",
    ]
    .iter()
    .any(|w| q.contains(w));
    if !asks {
        return None;
    }
    let c = patterns().answer_number.captures(answer)?;
    let g = c.get(1)?;
    let n = g.as_str().to_lowercase();
    if matches!(n.as_str(), "een" | "één" | "one") {
        return None;
    }
    Some((g.start(), g.end()))
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
            .map(|(s, e, c, _, _)| (&text[s..e], c))
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
        assert!(cats("on the 12th of October we met").contains(&("the 12th of October", "DATE")));
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
            "het kostte 2000 euro, 1500 mensen",
            "om 10:30 uur",
            "het kostte 250 euro",
        ] {
            assert!(find(text).is_empty(), "{text}: {:?}", find(text));
        }
    }
}
