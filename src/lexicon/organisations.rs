//! Words that say a name is an organisation's: the heads that open one ("Stichting", "GGZ"),
//! the endings of Dutch compounds that name one ("Verslavingszorg"), and acronyms that name a
//! particular body. The detector and the key's matching of organisation names both use them.

use super::{Lists, is_ordinary_word, lists};

pub const ORG_WORDS: &[&str] = &[
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
    "service",
    "house",
    "centre",
    "center",
    "hall",
    "arms",
    "inn",
    "tavern",
    "pub",
    "primary",
    "academy",
    "mart",
    "haulage",
    "charity",
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

/// Endings of Dutch compounds that name an organisation ("Verslavingszorg", "Scholengemeenschap").
pub const ORG_ENDINGS: &[&str] = &[
    "zorg",
    "school",
    "gemeenschap",
    "kliniek",
    "ziekenhuis",
    "vereniging",
    "stichting",
    "centrum",
    "instituut",
    "academie",
    "corporatie",
    "groep",
    "bedrijf",
    "fabriek",
];

/// Written all in capitals: "SWZ", "HMBC", "GGZ", "ECRSs".
pub fn is_acronym(text: &str) -> bool {
    let body = text.strip_suffix('s').unwrap_or(text);
    let n = body.chars().count();
    (2..=5).contains(&n)
        && body.chars().all(|c| c.is_uppercase() || c == '&')
        && body.chars().any(char::is_alphabetic)
}

/// An initial: one capital and a full stop ("J.").
pub fn is_initial(text: &str) -> bool {
    let mut c = text.chars();
    matches!((c.next(), c.next(), c.next()), (Some(a), Some('.'), None) if a.is_uppercase())
}

/// An acronym that names a particular body: not a national service, diagnosis or benefit on
/// the list of words that identify nobody ("GGZ", "PIP", "PTSD"), not a word written in
/// capitals for emphasis ("NOOIT"), not a Roman numeral.
pub fn is_org_acronym(text: &str, l: &Lists) -> bool {
    if !is_acronym(text) || is_initial(text) {
        return false;
    }
    let listed = l.not_identifiers.contains(text)
        || l.not_identifiers
            .contains(text.strip_suffix('s').unwrap_or(text));
    let emphasis = text.chars().count() >= 3 && is_ordinary_word(text, "");
    let roman = matches!(
        text,
        "II" | "III" | "IV" | "VI" | "VII" | "VIII" | "IX" | "XI" | "XII" | "XX"
    );
    !listed && !emphasis && !roman
}

/// Whether a word says that the name it opens is an organisation's ("Stichting", "VV", "GGZ",
/// "Transportbedrijf"): what follows it is the organisation's own name.
pub fn is_org_head(word: &str) -> bool {
    is_org_word(word, &word.to_lowercase(), lists())
}

/// Whether a word (`lower` is it in lower case) names an organisation by itself or opens one.
pub fn is_org_word(text: &str, lower: &str, l: &Lists) -> bool {
    ORG_WORDS.contains(&lower)
        || is_org_acronym(text, l)
        || ORG_ENDINGS
            .iter()
            .any(|e| lower.len() > e.len() + 3 && lower.ends_with(e))
}
