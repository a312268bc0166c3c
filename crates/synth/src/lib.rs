//! A deterministic generator of fictional interview transcripts with known identifiers, for
//! scoring the anonymiser on text it was not developed on and for benchmarks. Names, places
//! and organisations are invented from syllables (so word lists cannot simply know them);
//! each participant has a cast of people who recur across waves, sometimes misspelt or written
//! in lower case; numbers carry valid checksums in several layouts.
//!
//! Development tooling, not part of narrata: it lives in its own `publish = false` crate and
//! is about 970 lines because the fictional cast, prose and identifier layouts are all data.

use serde::Serialize;

/// A small, fast, deterministic random generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// One identifier in a generated transcript (offsets in characters of the body).
#[derive(Debug, Clone, Serialize)]
pub struct Span {
    pub text: String,
    pub category: &'static str,
    pub start: usize,
    pub end: usize,
}

/// A generated transcript: file name, full file text (with front matter), the body the
/// offsets refer to, and its identifiers.
#[derive(Debug, Clone)]
pub struct Generated {
    pub name: String,
    pub file: String,
    pub body: String,
    pub spans: Vec<Span>,
}

const ONSETS: &[&str] = &[
    "b", "br", "d", "dr", "f", "g", "gr", "h", "j", "k", "kl", "l", "m", "n", "p", "r", "s", "st",
    "t", "tr", "v", "w", "z", "sj", "ch",
];
const VOWELS: &[&str] = &[
    "a", "e", "i", "o", "u", "aa", "ee", "oo", "ie", "ou", "ei", "ui",
];
const CODAS: &[&str] = &["", "n", "l", "r", "s", "t", "k", "m", "nd", "rt", "ls"];
const NAME_ENDS: &[&str] = &["a", "e", "o", "ina", "ijn", "ert", "ien", "ke", "ta", "is"];
const SURNAME_ENDS: &[&str] = &[
    "stra", "ink", "man", "hoven", "veld", "inga", "werf", "dijk", "kamp", "sma", "ers", "ing",
];
const PARTICLES: &[&str] = &["van", "de", "van der", "van den", "ter", "van de"];
const PLACE_ENDS: &[&str] = &[
    "dam", "dorp", "wijk", "hoven", "broek", "kerk", "veen", "zand", "oord", "horst",
];
const ORG_PATTERNS: &[&str] = &[
    "Stichting {}",
    "{} Zorg",
    "Bakkerij {}",
    "{} College",
    "GGZ {}",
    "Zorggroep {}",
    "{} Engineering",
    "Buurthuis {}",
];
const STREET_ENDS: &[&str] = &["straat", "laan", "weg", "plein", "hof", "kade"];
const MONTHS_NL: &[&str] = &[
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
];
const MONTHS_EN: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const NUM_NL: &[&str] = &[
    "zeventien",
    "negentien",
    "drieëntwintig",
    "vierendertig",
    "tweeënveertig",
    "zesenvijftig",
    "achtenzestig",
];
const NUM_EN: &[&str] = &[
    "seventeen",
    "nineteen",
    "twenty-three",
    "thirty-four",
    "forty-two",
    "fifty-six",
    "sixty-eight",
];
const FILLER_NL: &[&str] = &[
    "Het ging eigenlijk best goed, maar soms was het zwaar.",
    "Ik merk dat ik meer rust heb dan vorig jaar.",
    "Nou ja, je doet wat je kunt, toch?",
    "In de groep praten we veel over hoe je met tegenslag omgaat.",
    "Soms weet ik het ook niet, eerlijk gezegd.",
    "Ik probeer elke dag even naar buiten te gaan.",
    "Dat was een moeilijke periode, dat zeg ik eerlijk.",
    "We drinken na afloop altijd nog koffie samen.",
];
const FILLER_EN: &[&str] = &[
    "It went quite well, to be honest, but some days were hard.",
    "I notice I am calmer than I was last year.",
    "Well, you do what you can, don't you?",
    "In the group we talk a lot about setbacks.",
    "Sometimes I just don't know, honestly.",
    "I try to get outside every day for a bit.",
    "That was a difficult time, I won't lie.",
    "We always have a cup of tea afterwards.",
];

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn syllables(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| {
            format!(
                "{}{}{}",
                rng.pick(ONSETS),
                rng.pick(VOWELS),
                rng.pick(CODAS)
            )
        })
        .collect()
}

/// How the running text between identifiers is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prose {
    /// A few fixed sentences and templates: small vocabulary, one identifier in about every
    /// second sentence (a hard test for the anonymiser).
    Templates,
    /// Sentences drawn word by word from a ranked vocabulary with Zipf frequencies (common
    /// words first, then a long tail of invented lower-case words), with identifiers in about
    /// one sentence in ten: closer to what an index and a search see in real transcripts.
    Zipf,
}

/// The most frequent words of spoken Dutch and English, most frequent first (written here
/// from general knowledge of the languages; the ranks are approximate).
const HEAD_NL: &[&str] = &[
    "ik",
    "de",
    "en",
    "het",
    "dat",
    "een",
    "is",
    "je",
    "niet",
    "van",
    "was",
    "in",
    "die",
    "ja",
    "maar",
    "er",
    "wel",
    "ook",
    "op",
    "dan",
    "nou",
    "met",
    "te",
    "heb",
    "we",
    "zo",
    "nog",
    "als",
    "voor",
    "me",
    "naar",
    "gewoon",
    "wat",
    "had",
    "hij",
    "om",
    "ze",
    "al",
    "toen",
    "kan",
    "of",
    "mijn",
    "aan",
    "bij",
    "daar",
    "moet",
    "zijn",
    "heel",
    "weet",
    "echt",
    "heeft",
    "ben",
    "dus",
    "eigenlijk",
    "even",
    "hebben",
    "over",
    "mee",
    "wil",
    "uit",
    "kun",
    "gaan",
    "meer",
    "veel",
    "nu",
    "dit",
    "hier",
    "wordt",
    "geen",
    "goed",
    "zelf",
    "gaat",
    "ging",
    "jaar",
    "tijd",
    "altijd",
    "soms",
    "mensen",
    "iets",
    "zou",
    "werd",
    "nooit",
    "na",
    "omdat",
    "ook",
    "keer",
    "alles",
    "groep",
    "leven",
    "dag",
    "week",
    "beetje",
    "misschien",
    "waar",
    "hoe",
    "door",
    "zeggen",
    "zeg",
    "denk",
    "vind",
    "voel",
    "gevoel",
    "praten",
    "samen",
    "andere",
    "eerst",
    "weer",
    "hulp",
    "thuis",
    "werk",
    "rustig",
    "moeilijk",
    "zwaar",
    "beter",
    "anders",
    "vroeger",
    "steeds",
    "kinderen",
    "familie",
    "vrienden",
    "hoofd",
    "lichaam",
    "slapen",
    "angst",
    "boos",
    "blij",
    "verdriet",
    "herstel",
    "stap",
    "moment",
    "periode",
    "gesprek",
    "verhaal",
    "vertrouwen",
    "ervaring",
    "tegenslag",
    "dingen",
    "kracht",
    "ruimte",
    "rust",
    "zorg",
    "begeleider",
    "bijeenkomst",
    "inloop",
    "koffie",
    "buiten",
    "wandelen",
    "fiets",
    "huis",
    "geld",
    "schulden",
    "baan",
    "vrijwilliger",
    "toekomst",
    "hoop",
    "schaamte",
    "eenzaam",
    "contact",
    "luisteren",
    "herkenning",
    "steun",
    "grenzen",
    "patroon",
    "terugval",
    "keuze",
];
const HEAD_EN: &[&str] = &[
    "I",
    "the",
    "and",
    "to",
    "it",
    "a",
    "you",
    "that",
    "was",
    "of",
    "in",
    "my",
    "know",
    "like",
    "just",
    "so",
    "but",
    "is",
    "me",
    "not",
    "have",
    "we",
    "they",
    "on",
    "for",
    "with",
    "do",
    "what",
    "then",
    "be",
    "it's",
    "all",
    "don't",
    "really",
    "think",
    "had",
    "there",
    "at",
    "about",
    "because",
    "this",
    "well",
    "yeah",
    "get",
    "when",
    "out",
    "go",
    "if",
    "one",
    "got",
    "more",
    "people",
    "would",
    "can",
    "time",
    "now",
    "up",
    "some",
    "been",
    "how",
    "went",
    "feel",
    "felt",
    "things",
    "still",
    "never",
    "always",
    "back",
    "much",
    "group",
    "life",
    "day",
    "week",
    "year",
    "bit",
    "maybe",
    "where",
    "talk",
    "say",
    "said",
    "help",
    "home",
    "work",
    "quiet",
    "hard",
    "better",
    "different",
    "before",
    "again",
    "children",
    "family",
    "friends",
    "head",
    "body",
    "sleep",
    "fear",
    "angry",
    "glad",
    "grief",
    "recovery",
    "step",
    "moment",
    "period",
    "conversation",
    "story",
    "trust",
    "experience",
    "setback",
    "strength",
    "space",
    "rest",
    "care",
    "support",
    "worker",
    "meeting",
    "drop-in",
    "tea",
    "outside",
    "walking",
    "bike",
    "house",
    "money",
    "debts",
    "job",
    "volunteer",
    "future",
    "hope",
    "shame",
    "lonely",
    "contact",
    "listening",
    "recognition",
    "boundaries",
    "pattern",
    "relapse",
    "choice",
    "together",
    "others",
    "first",
    "myself",
    "somehow",
    "honestly",
    "anyway",
];

/// A ranked vocabulary with cumulative Zipf–Mandelbrot weights (`1 / (rank + 2.7)`).
struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    /// `size` words: the language's head list, then invented lower-case words.
    fn new(head: &[&str], size: usize, seed: u64) -> Vocabulary {
        let mut rng = Rng::new(seed);
        let mut seen = std::collections::HashSet::new();
        let mut words: Vec<String> = Vec::with_capacity(size);
        for w in head {
            if seen.insert(w.to_string()) {
                words.push(w.to_string());
            }
        }
        while words.len() < size {
            // Mostly one or two syllables, as in speech.
            let n = [1, 1, 1, 2, 2, 2, 2, 3][rng.below(8)];
            let w = syllables(&mut rng, n);
            if w.len() > 2 && seen.insert(w.clone()) {
                words.push(w);
            }
        }
        let mut total = 0.0;
        let cumulative = (0..words.len())
            .map(|r| {
                total += 1.0 / (r as f64 + 2.7);
                total
            })
            .collect();
        Vocabulary { words, cumulative }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        let total = *self.cumulative.last().unwrap_or(&1.0);
        let x = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let i = self.cumulative.partition_point(|&c| c < x);
        &self.words[i.min(self.words.len() - 1)]
    }

    /// A sentence of 4 to 18 words, capitalised, ending in a full stop or a question mark.
    fn sentence(&self, rng: &mut Rng) -> String {
        let n = 4 + rng.below(15);
        let mut s = String::new();
        for k in 0..n {
            let w = self.word(rng);
            if k == 0 {
                s.push_str(&cap(w));
            } else {
                s.push(if rng.chance(8) { ',' } else { ' ' });
                if s.ends_with(',') {
                    s.push(' ');
                }
                s.push_str(w);
            }
        }
        s.push(if rng.chance(10) { '?' } else { '.' });
        s
    }
}

/// An invented given name.
pub fn first_name(rng: &mut Rng) -> String {
    cap(&format!("{}{}", syllables(rng, 1), rng.pick(NAME_ENDS)))
}

/// An invented surname, sometimes with a particle.
pub fn surname(rng: &mut Rng) -> String {
    let core = cap(&format!("{}{}", syllables(rng, 1), rng.pick(SURNAME_ENDS)));
    if rng.chance(35) {
        format!("{} {core}", rng.pick(PARTICLES))
    } else {
        core
    }
}

fn place(rng: &mut Rng) -> String {
    cap(&format!("{}{}", syllables(rng, 1), rng.pick(PLACE_ENDS)))
}

fn organisation(rng: &mut Rng) -> String {
    let core = cap(&format!(
        "{}{}",
        syllables(rng, 1),
        rng.pick(&["ing", "stein", "vliet", "bron", "hof", "dal"])
    ));
    rng.pick(ORG_PATTERNS).replace("{}", &core)
}

fn bsn(rng: &mut Rng) -> String {
    loop {
        let d: Vec<u64> = (0..8)
            .map(|i| {
                if i == 0 {
                    1 + rng.next_u64() % 9
                } else {
                    rng.next_u64() % 10
                }
            })
            .collect();
        let s: u64 = (0..8).map(|i| (9 - i as u64) * d[i]).sum();
        let last = s % 11;
        if last < 10 {
            let digits: String = d
                .iter()
                .chain(std::iter::once(&last))
                .map(|x| x.to_string())
                .collect();
            return match rng.below(3) {
                0 => digits,
                1 => format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..]),
                _ => format!("{}.{}.{}", &digits[..3], &digits[3..6], &digits[6..]),
            };
        }
    }
}

fn iban(rng: &mut Rng) -> String {
    let bank = *rng.pick(&["INGB", "RABO", "ABNA", "TRIO", "ASNB", "SNSB"]);
    let account: String = (0..10).map(|_| (rng.next_u64() % 10).to_string()).collect();
    let numeric: String = format!("{bank}{account}NL00")
        .chars()
        .map(|c| c.to_digit(36).unwrap_or(0).to_string())
        .collect();
    let rem = numeric
        .bytes()
        .fold(0u64, |r, b| (r * 10 + (b - b'0') as u64) % 97);
    let compact = format!("NL{:02}{bank}{account}", 98 - rem);
    if rng.chance(50) {
        compact
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        compact
    }
}

fn phone(rng: &mut Rng, english: bool) -> String {
    let d = |rng: &mut Rng, n: usize| {
        (0..n)
            .map(|_| (rng.next_u64() % 10).to_string())
            .collect::<String>()
    };
    if english {
        match rng.below(2) {
            0 => format!("07700 9{}", d(rng, 5)),
            _ => format!("+44 161 496 {}", d(rng, 4)),
        }
    } else {
        let n = d(rng, 8);
        match rng.below(4) {
            0 => format!("06-{n}"),
            1 => format!("06 {} {} {} {}", &n[..2], &n[2..4], &n[4..6], &n[6..]),
            2 => format!("071-5{}", &n[..6]),
            _ => format!("+31 6 {} {}", &n[..4], &n[4..]),
        }
    }
}

/// A growing transcript body that records identifier spans as it is written.
struct Body {
    text: String,
    chars: usize,
    spans: Vec<Span>,
}

impl Body {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.chars += s.chars().count();
    }
    fn id(&mut self, s: &str, category: &'static str) {
        let start = self.chars;
        self.push(s);
        self.spans.push(Span {
            text: s.to_owned(),
            category,
            start,
            end: self.chars,
        });
    }
    /// A sentence template with `{CATEGORY}` slots filled from `fill`.
    fn sentence(&mut self, template: &str, fill: &mut dyn FnMut(&str) -> (String, &'static str)) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            self.push(&rest[..open]);
            let close = rest[open..]
                .find('}')
                .map(|c| open + c)
                .unwrap_or(rest.len() - 1);
            let (value, category) = fill(&rest[open + 1..close]);
            self.id(&value, category);
            rest = &rest[close + 1..];
        }
        self.push(rest);
    }
}

const TEMPLATES_NL: &[&str] = &[
    "Mijn zus {PERSON} belt me elke week.",
    "Ik sprak gisteren met {FULL} over de groep.",
    "Ik woon nu in {PLACE}, vlak bij het station.",
    "Daarvoor werkte ik bij {ORG}, bijna tien jaar.",
    "Dokter {SURNAME} zei dat ik het rustig aan moest doen.",
    "Op {DATE_NL} ben ik begonnen bij de inloop.",
    "Toen ik {AGE_NL} was, ging het voor het eerst mis.",
    "Je kunt me bellen op {PHONE}, dat is het makkelijkst.",
    "Mijn BSN, {BSN}, stond gewoon op dat formulier.",
    "Het geld ging naar {IBAN}, dat rekeningnummer.",
    "We wonen aan de {STREET}, op de tweede verdieping.",
    "Mail maar naar {EMAIL} als er iets is.",
    "Ik ben {AGE_DIGITS}, en ik voel me soms ouder.",
    "In {MONTH_NL} {YEAR} kwam ik uit de kliniek.",
    "{PERSON} zat naast me, die herkende ik van vroeger.",
    "Ik ging met {PERSON} naar {PLACE}, een dagje weg.",
    "Mevrouw {SURNAME} van de gemeente was heel aardig.",
    "ik heb in {LOWER_PLACE_PREP} nog nooit zo'n groep gezien.",
];
const TEMPLATES_EN: &[&str] = &[
    "My sister {PERSON} rings me every week.",
    "I talked to {FULL} yesterday about the group.",
    "I live in {PLACE} now, near the station.",
    "Before that I worked for {ORG}, almost ten years.",
    "Doctor {SURNAME} told me to take it easy.",
    "On the {DATE_EN} I started at the drop-in.",
    "When I was {AGE_EN} it first went wrong.",
    "You can ring me on {PHONE}, that's easiest.",
    "My details, {EMAIL}, were on that form.",
    "I'm {AGE_DIGITS}, and some days I feel older.",
    "In {MONTH_EN} {YEAR} I came out of hospital.",
    "{PERSON} sat next to me, I knew her from before.",
    "I went with {PERSON} to {PLACE}, a day out.",
    "Mrs {SURNAME} from the council was very kind.",
];

/// Generates `participants` × `waves` individual interviews in Dutch (and, for every fourth
/// participant, English), each with about `sentences` participant sentences, in template prose.
pub fn corpus(seed: u64, participants: usize, waves: usize, sentences: usize) -> Vec<Generated> {
    corpus_with(seed, participants, waves, sentences, Prose::Templates)
}

/// As [`corpus`], with the running text written as `prose` says. The same arguments always give
/// the same files.
pub fn corpus_with(
    seed: u64,
    participants: usize,
    waves: usize,
    sentences: usize,
    prose: Prose,
) -> Vec<Generated> {
    let vocabularies = (prose == Prose::Zipf).then(|| {
        (
            Vocabulary::new(HEAD_NL, 40_000, 0x6e6c),
            Vocabulary::new(HEAD_EN, 40_000, 0x656e),
        )
    });
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for p in 1..=participants {
        let english = p % 4 == 0;
        // The cast: people and places who recur in every wave of this participant.
        let cast: Vec<(String, String)> = (0..4)
            .map(|_| (first_name(&mut rng), surname(&mut rng)))
            .collect();
        let home = place(&mut rng);
        let work = organisation(&mut rng);
        for w in 1..=waves {
            let code = format!("S{p:03}");
            let mut body = Body {
                text: String::new(),
                chars: 0,
                spans: Vec::new(),
            };
            let label = if english { "Interviewer" } else { "I" };
            for _ in 0..sentences.div_ceil(3) {
                body.push(&format!("{label}: "));
                body.push(if english {
                    "And how did that go?\n"
                } else {
                    "En hoe ging dat?\n"
                });
                body.push(&format!("{code}: "));
                for k in 0..3 {
                    if k > 0 {
                        body.push(" ");
                    }
                    if let Some((nl, en)) = &vocabularies {
                        if !rng.chance(10) {
                            body.push(&(if english { en } else { nl }).sentence(&mut rng));
                            continue;
                        }
                    } else if rng.chance(45) {
                        let fillers: &[&str] = if english { FILLER_EN } else { FILLER_NL };
                        let filler = *rng.pick(fillers);
                        body.push(filler);
                        continue;
                    }
                    let template = *rng.pick(if english { TEMPLATES_EN } else { TEMPLATES_NL });
                    let cast_ref = &cast;
                    let home_ref = &home;
                    let work_ref = &work;
                    let mut fill = |slot: &str| -> (String, &'static str) {
                        let (first, last) = cast_ref[rng.below(cast_ref.len())].clone();
                        match slot {
                            "PERSON" => {
                                // Sometimes misspelt in a later wave, as transcribers do.
                                if w > 1 && rng.chance(10) {
                                    (
                                        format!("{first}{}", first.chars().last().unwrap_or('e')),
                                        "PERSON",
                                    )
                                } else {
                                    (first, "PERSON")
                                }
                            }
                            "FULL" => (format!("{first} {last}"), "PERSON"),
                            "SURNAME" => (cap(&last), "PERSON"),
                            "PLACE" => (
                                if rng.chance(50) {
                                    home_ref.clone()
                                } else {
                                    place(&mut rng)
                                },
                                "PLACE",
                            ),
                            "LOWER_PLACE_PREP" => (home_ref.to_lowercase(), "PLACE"),
                            "ORG" => (
                                if rng.chance(50) {
                                    work_ref.clone()
                                } else {
                                    organisation(&mut rng)
                                },
                                "ORGANISATION",
                            ),
                            "DATE_NL" => (
                                format!("{} {}", 1 + rng.below(28), rng.pick(MONTHS_NL)),
                                "DATE",
                            ),
                            "DATE_EN" => {
                                let d = 1 + rng.below(28);
                                let suffix = match d {
                                    1 | 21 => "st",
                                    2 | 22 => "nd",
                                    3 | 23 => "rd",
                                    _ => "th",
                                };
                                (format!("{d}{suffix} of {}", rng.pick(MONTHS_EN)), "DATE")
                            }
                            "MONTH_NL" => (rng.pick(MONTHS_NL).to_string(), "DATE"),
                            "MONTH_EN" => (rng.pick(MONTHS_EN).to_string(), "DATE"),
                            "YEAR" => (format!("{}", 2015 + rng.below(10)), "DATE"),
                            "AGE_NL" => (rng.pick(NUM_NL).to_string(), "AGE"),
                            "AGE_EN" => (rng.pick(NUM_EN).to_string(), "AGE"),
                            "AGE_DIGITS" => (format!("{}", 19 + rng.below(60)), "AGE"),
                            "PHONE" => (phone(&mut rng, english), "PHONE"),
                            "BSN" => (bsn(&mut rng), "BSN"),
                            "IBAN" => (iban(&mut rng), "IBAN"),
                            "EMAIL" => (
                                format!(
                                    "{}.{}@example.nl",
                                    first.to_lowercase(),
                                    last.replace(' ', "").to_lowercase()
                                ),
                                "EMAIL",
                            ),
                            "STREET" => (
                                format!(
                                    "{}{} {}",
                                    cap(&syllables(&mut rng, 1)),
                                    rng.pick(STREET_ENDS),
                                    1 + rng.below(200)
                                ),
                                "ADDRESS",
                            ),
                            _ => (String::new(), "ID"),
                        }
                    };
                    body.sentence(template, &mut fill);
                }
                body.push("\n");
            }
            // "In {MONTH} {YEAR}": month and year are one date, as a reader would mark it.
            let mut spans: Vec<Span> = Vec::new();
            for s in body.spans {
                match spans.last_mut() {
                    Some(prev)
                        if prev.category == "DATE"
                            && s.category == "DATE"
                            && s.start == prev.end + 1 =>
                    {
                        prev.text = format!("{} {}", prev.text, s.text);
                        prev.end = s.end;
                    }
                    _ => spans.push(s),
                }
            }
            spans.retain(|s| !s.text.is_empty());
            let language = if english { "en" } else { "nl" };
            let file = format!(
                "---\nparticipant: {code}\nwave: T{w}\nlanguage: {language}\nfictional: true\n---\n{}",
                body.text
            );
            out.push(Generated {
                name: format!("{code}_T{w}.md"),
                file,
                body: body.text,
                spans,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word_counts(corpus: &[Generated]) -> Vec<usize> {
        let mut counts: std::collections::HashMap<String, usize> = Default::default();
        for g in corpus {
            for w in g.body.split(|c: char| !c.is_alphanumeric()) {
                if !w.is_empty() {
                    *counts.entry(w.to_lowercase()).or_default() += 1;
                }
            }
        }
        let mut v: Vec<usize> = counts.into_values().collect();
        v.sort_unstable_by(|a, b| b.cmp(a));
        v
    }

    #[test]
    fn the_same_arguments_give_the_same_files() {
        let a = corpus_with(4, 3, 2, 60, Prose::Zipf);
        let b = corpus_with(4, 3, 2, 60, Prose::Zipf);
        assert_eq!(a.len(), 6);
        assert!(a.iter().zip(&b).all(|(x, y)| x.file == y.file));
        let c = corpus_with(5, 3, 2, 60, Prose::Zipf);
        assert_ne!(a[0].file, c[0].file);
    }

    #[test]
    fn zipf_prose_has_a_long_tail_and_falling_frequencies() {
        let zipf = word_counts(&corpus_with(1, 8, 3, 300, Prose::Zipf));
        let templates = word_counts(&corpus(1, 8, 3, 300));
        // Many more distinct words than the templates, most of them rare.
        assert!(
            zipf.len() > 5 * templates.len(),
            "{} vs {}",
            zipf.len(),
            templates.len()
        );
        let once = zipf.iter().filter(|&&n| n == 1).count();
        assert!(once * 3 > zipf.len(), "hapaxes {once} of {}", zipf.len());
        // Frequency falls roughly as 1/rank: the 10th word about a third of the 1st, the 100th
        // about a thirtieth (with the Mandelbrot offset of 2.7).
        let ratio = |r: usize| zipf[0] as f64 / zipf[r - 1] as f64;
        assert!((2.0..6.0).contains(&ratio(10)), "{}", ratio(10));
        assert!((15.0..60.0).contains(&ratio(100)), "{}", ratio(100));
    }

    #[test]
    fn zipf_prose_keeps_identifiers_and_their_offsets() {
        for g in corpus_with(2, 4, 2, 90, Prose::Zipf) {
            assert!(!g.spans.is_empty(), "{} has no identifiers", g.name);
            let chars: Vec<char> = g.body.chars().collect();
            for s in &g.spans {
                let text: String = chars[s.start..s.end].iter().collect();
                assert_eq!(text, s.text, "{}", g.name);
            }
        }
    }
}
