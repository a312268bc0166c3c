//! The forms one person's name takes in speech, and when two forms are the same person: a
//! diminutive ("Daan" → "Daantje", "Roos" → "Roosje", "Sean" → "Seany", "Grace" → "Gracie"), a
//! short form ("Sanne" → "San", "Yvonne" → "Yvon"), the first name or surname of a full name
//! ("Tom" of "Tom Hendriks"). The detector looks for these forms once it has found the name;
//! the key gives a form the pseudonym of the one name it can belong to.

use super::{is_ordinary_word, lists};

/// Traditional short forms that no rule derives from the name (a later syllable, another
/// sound): Scots, Irish, English and Dutch use. Compiled from general knowledge.
const TRADITIONAL: &[(&str, &[&str])] = &[
    ("Alexander", &["Eck", "Sandy", "Sandro", "Xander"]),
    ("Alec", &["Eck"]),
    ("Margaret", &["Maggie", "Meg", "Peggy", "Mags", "Greta"]),
    (
        "Elizabeth",
        &["Liz", "Lizzie", "Beth", "Betty", "Bess", "Libby", "Eliza"],
    ),
    ("William", &["Bill", "Billy", "Will", "Willie", "Liam"]),
    ("Robert", &["Bob", "Bobby", "Rab", "Rabbie", "Bert"]),
    ("Richard", &["Dick", "Rick", "Ricky", "Rich"]),
    ("John", &["Jack", "Johnny", "Jock"]),
    ("James", &["Jim", "Jimmy", "Jamie", "Jem"]),
    ("Francis", &["Frank", "Frankie", "Fran"]),
    ("Edward", &["Ted", "Teddy", "Ned", "Eddie"]),
    ("Catherine", &["Kate", "Katie", "Cathy", "Kath", "Kay"]),
    ("Katherine", &["Kate", "Katie", "Kathy", "Kath", "Kay"]),
    ("Patrick", &["Paddy", "Pat", "Packie"]),
    ("Bernadette", &["Bernie", "Detta"]),
    ("Mary", &["Molly", "Polly", "Mamie"]),
    ("Henry", &["Harry", "Hal", "Hank"]),
    ("Charles", &["Charlie", "Chuck", "Chaz"]),
    ("Anthony", &["Tony", "Ant"]),
    ("Christopher", &["Chris", "Kit"]),
    ("Dorothy", &["Dot", "Dottie", "Dolly"]),
    ("Sarah", &["Sally", "Sadie"]),
    ("Susan", &["Sue", "Susie"]),
    ("Johannes", &["Hans", "Jan", "Hannes", "Joop"]),
    ("Hendrik", &["Henk", "Rik", "Henkie"]),
    ("Cornelis", &["Kees", "Cor", "Neel"]),
    ("Jacobus", &["Koos", "Jaap", "Co", "Sjaak"]),
    ("Wilhelmina", &["Mien", "Mina", "Willy", "Wil"]),
    ("Hendrika", &["Riek", "Riekje", "Rika", "Hennie"]),
    ("Marieke", &["Riek", "Riekje", "Mies"]),
    ("Maria", &["Mies", "Marietje", "Rie", "Ria"]),
    ("Geertruida", &["Truus", "Truida", "Geertje"]),
    ("Johanna", &["Jo", "Hanna", "Joke", "Hannie"]),
    ("Petronella", &["Nel", "Nelleke", "Pietje"]),
    ("Adrianus", &["Adrie", "Arie", "Jaan"]),
    ("Gerardus", &["Gerard", "Gert", "Gerrit", "Sjef"]),
    ("Josephus", &["Sjef", "Joop", "Jos"]),
    ("Theodorus", &["Theo", "Ruud", "Door"]),
];

/// The traditional short forms of a name, and the names a short form stands for.
pub fn traditional(name: &str) -> impl Iterator<Item = &'static str> + '_ {
    TRADITIONAL.iter().flat_map(move |(full, shorts)| {
        let full_matches = *full == name;
        let short_matches = shorts.contains(&name);
        shorts
            .iter()
            .copied()
            .filter(move |_| full_matches)
            .chain(std::iter::once(*full).filter(move |_| short_matches))
    })
}

/// Diminutive endings, Dutch and English.
const DIMINUTIVES: &[&str] = &["tje", "je", "pje", "kje", "ke", "ie", "y", "ey", "etje"];

/// The spoken forms of a first name worth looking for: its diminutives and short forms that
/// are not common words of `language`, each with whether it is an ordinary word there
/// ("Roosje" is also a little rose). Written with a capital, as names are; the detector
/// matches them only as written.
pub fn forms(first: &str, language: &str) -> Vec<(String, bool)> {
    let chars: Vec<char> = first.chars().collect();
    if chars.len() < 3 || !chars[0].is_uppercase() || !chars.iter().all(|c| c.is_alphabetic()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let last = chars[chars.len() - 1];
    let stem_without_e: Option<String> =
        (last == 'e' && chars.len() >= 4).then(|| chars[..chars.len() - 1].iter().collect());
    for ending in DIMINUTIVES {
        out.push(format!("{first}{ending}"));
        if let Some(stem) = &stem_without_e {
            out.push(format!("{stem}{ending}"));
        }
    }
    // "Tom" → "Tommy", "Tommie": a doubled last consonant after a short vowel.
    if !"aeiouy".contains(last) && chars.len() <= 4 {
        for ending in ["y", "ie", "etje"] {
            out.push(format!("{first}{last}{ending}"));
        }
    }
    // The first syllable, its last consonant doubled, with an ending: "Imogen" → "Immy",
    // "Daniel" → "Danny", "Robert" → "Robbie"; or with -o: "Hamid" → "Hamo".
    let vowel = |c: char| "aeiouyAEIOUY".contains(c);
    if let Some(v) = chars.iter().position(|&c| vowel(c))
        && let Some(k) = (v + 1..chars.len()).find(|&k| !vowel(chars[k]))
        && k + 1 < chars.len()
    {
        let syllable: String = chars[..=k].iter().collect();
        let consonant = chars[k];
        for ending in ["y", "ie"] {
            out.push(format!("{syllable}{consonant}{ending}"));
        }
        out.push(format!("{syllable}o"));
    }
    // Short forms: "Sanne" → "San", "Yvonne" → "Yvon", "Daniel" → "Dan"; never one that is
    // an ordinary word ("Ham" of "Hamid").
    if chars.len() >= 5 {
        for n in (chars.len().saturating_sub(3)).max(3)..=chars.len() - 2 {
            let short: String = chars[..n].iter().collect();
            if !is_ordinary_word(&short, language) {
                out.push(short);
            }
        }
    }
    out.extend(traditional(first).map(str::to_owned));
    let l = lists();
    out.retain(|f| {
        f != first
            && !l.stopwords.contains(f.to_lowercase().as_str())
            && !l.not_identifiers.contains(f.as_str())
    });
    out.sort();
    out.dedup();
    out.into_iter()
        .map(|f| {
            let ordinary = is_ordinary_word(&f, language);
            (f, ordinary)
        })
        .collect()
}

/// Whether two originals can name the same person: equal but for case, a first name or
/// surname and the full name it is part of, or a name and one of its spoken [`forms`].
pub fn related(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    // Only names written as names are forms of each other: not stray lower-case words.
    let capitalised = |s: &str| s.chars().next().is_some_and(char::is_uppercase);
    if !capitalised(a) && !a.contains(' ') || !capitalised(b) && !b.contains(' ') {
        return false;
    }
    let words_a: Vec<&str> = a.split_whitespace().collect();
    let words_b: Vec<&str> = b.split_whitespace().collect();
    let (short, long) = if words_a.len() <= words_b.len() {
        (&words_a, &words_b)
    } else {
        (&words_b, &words_a)
    };
    // A surname with its particles ("de Zon" of "Anouk de Zon"), in any case.
    if long.len() > short.len()
        && long[long.len() - short.len()..]
            .iter()
            .zip(short.iter())
            .all(|(x, y)| x.to_lowercase() == y.to_lowercase())
        && short
            .last()
            .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase))
    {
        return true;
    }
    if short.len() == 1 && long.len() >= 2 {
        let word = short[0];
        let first = long[0];
        let surname = long[long.len() - 1];
        return word == first
            || word == surname
            || is_form_of(word, first)
            || is_form_of(first, word);
    }
    if short.len() == 1 && long.len() == 1 {
        return is_form_of(a, b) || is_form_of(b, a);
    }
    // Two full names: the same surname and related first names ("Sanne de Wit", "San de Wit").
    short.len() >= 2
        && short[short.len() - 1] == long[long.len() - 1]
        && (short[0] == long[0] || is_form_of(short[0], long[0]) || is_form_of(long[0], short[0]))
}

/// The initials of a name of several capitalised words ("Stichting Wonen Zuiderkamp" → "SWZ"),
/// particles and joining words left out.
pub fn initials(name: &str) -> Option<String> {
    let words: Vec<&str> = name
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .collect();
    (words.len() >= 2).then(|| {
        words
            .iter()
            .filter_map(|w| w.chars().next())
            .collect::<String>()
    })
}

/// Whether one of two names is the initials of the other ("SWZ", "Stichting Wonen Zuiderkamp").
pub fn initials_of(a: &str, b: &str) -> bool {
    let one_word = |s: &str| !s.trim().contains(' ') && s.trim().chars().count() >= 2;
    (one_word(a) && initials(b).is_some_and(|i| i == a.trim()))
        || (one_word(b) && initials(a).is_some_and(|i| i == b.trim()))
}

/// Whether `a` and `b` can name the same organisation: one is the other's initials ("SWZ"),
/// or one is the other in part, whole words from its start or without the word that says what
/// it is ("Kompas" and "Kompas Verslavingszorg", "Sparta Noord" and "VV Sparta Noord"), and
/// the part is more than that word.
pub fn same_organisation(a: &str, b: &str) -> bool {
    let possessive = |s: &str| {
        let s = s.trim();
        ["'s", "’s"]
            .iter()
            .find_map(|p| s.strip_suffix(p))
            .unwrap_or(s)
            .to_owned()
    };
    let (a, b) = (possessive(a), possessive(b));
    let (a, b) = (a.as_str(), b.as_str());
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if !short.contains(' ') && initials(long).is_some_and(|i| i == short) {
        return true;
    }
    let short_words: Vec<&str> = short.split_whitespace().collect();
    let long_words: Vec<&str> = long.split_whitespace().collect();
    if short_words.is_empty() || short_words.len() >= long_words.len() {
        return false;
    }
    let only_a_kind = short_words.len() == 1 && super::organisations::is_org_head(short_words[0]);
    let from_start = long_words.starts_with(&short_words);
    let without_head = super::organisations::is_org_head(long_words[0])
        && long_words[1..].starts_with(&short_words);
    !only_a_kind && (from_start || without_head)
}

/// Whether `form` is a diminutive or short form of `name`: the name with a diminutive ending
/// ("Daantje", "Gracie"), its first syllable(s) ("San" of "Sanne", "Mo" of "Mohammed"), its
/// last ("Nouk" of "Anouk"), its first syllable with a diminutive ending ("Danny" and "Dan" of
/// "Daniel", "Hamo" of "Hamid", "Gaz" of "Gary"), or the Dutch genitive ("Toms").
fn is_form_of(form: &str, name: &str) -> bool {
    if traditional(name).any(|t| t == form) {
        return true;
    }
    let chars: Vec<char> = name.chars().collect();
    let form_chars: Vec<char> = form.chars().collect();
    if chars.len() < 3 || form_chars.len() < 2 || form == name {
        return false;
    }
    if form_chars.len() == 2 {
        // Two letters are a short form only of a name at least twice as long ("Ty" of "Tyler").
        return chars.len() >= 4 && name.starts_with(form);
    }
    if form.strip_suffix('s') == Some(name) {
        return true;
    }
    // "Nouk" of "Anouk": the last syllable(s), a letter or two left off the front.
    let (form_lower, name_lower) = (form.to_lowercase(), name.to_lowercase());
    if form_chars.len() >= 3
        && form_chars.len() < chars.len()
        && chars.len() - form_chars.len() <= 2
        && name_lower.ends_with(&form_lower)
    {
        return true;
    }
    // The first syllable with a diminutive ending, the last consonant perhaps doubled.
    for ending in DIMINUTIVES.iter().copied().chain(["o", "z", "s"]) {
        let Some(stem) = form.strip_suffix(ending) else {
            continue;
        };
        let stem_chars: Vec<char> = stem.chars().collect();
        if stem_chars.len() < 2 {
            continue;
        }
        let undoubled: String = if stem_chars.len() >= 3
            && stem_chars[stem_chars.len() - 1] == stem_chars[stem_chars.len() - 2]
        {
            stem_chars[..stem_chars.len() - 1].iter().collect()
        } else {
            stem.to_owned()
        };
        for s in [stem, undoubled.as_str()] {
            let n = s.chars().count();
            if n >= 2 && n < chars.len() && name.starts_with(s) {
                // "Gaz" of "Gary", "Kez" of "Kerry": a z for the r that follows.
                if ending == "z" && chars[n] != 'r' {
                    continue;
                }
                // Two letters only with the consonant doubled ("Immy" of "Imogen").
                if n >= 3 || ending == "z" || s.len() < stem.len() {
                    return true;
                }
            }
        }
    }
    let last = chars[chars.len() - 1];
    let stem_without_e: String = if last == 'e' && chars.len() >= 4 {
        chars[..chars.len() - 1].iter().collect()
    } else {
        name.to_owned()
    };
    let doubled = format!("{name}{last}");
    DIMINUTIVES.iter().any(|e| {
        form.strip_suffix(e)
            .is_some_and(|s| s == name || s == stem_without_e || s == doubled)
    }) || (form_chars.len() >= 3 && form_chars.len() < chars.len() && name.starts_with(form))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spoken_forms_of_a_name() {
        let has = |name: &str, language: &str, form: &str, ordinary: bool| {
            forms(name, language).contains(&(form.to_owned(), ordinary))
        };
        assert!(
            has("Daan", "nl", "Daantje", false),
            "{:?}",
            forms("Daan", "nl")
        );
        assert!(has("Sanne", "nl", "San", false));
        assert!(has("Grace", "en", "Gracie", false));
        assert!(has("Sean", "en", "Seany", false));
        assert!(has("Tom", "en", "Tommy", false));
        assert!(has("Imogen", "en", "Immy", false));
        assert!(has("Daniel", "en", "Danny", false));
        assert!(has("Hamid", "nl", "Hamo", false));
        // A form that is an ordinary word is said to be one: "Roosje" is a little rose.
        assert!(has("Roos", "nl", "Roosje", true));
        // A short form leaves off a syllable: "Hamid" is never "Ham".
        assert!(forms("Hamid", "en").iter().all(|(f, _)| f != "Ham"));
    }

    #[test]
    fn traditional_short_forms_are_the_same_person_both_ways() {
        assert!(related("Alec", "Eck") && related("Eck", "Alec"));
        assert!(related("Kees", "Cornelis") && related("Cornelis Bakker", "Kees"));
        assert!(related("Frankie Quinn", "Francis Quinn"));
        assert!(forms("Marieke", "nl").iter().any(|(f, _)| f == "Riekje"));
        assert!(!related("Eck", "Frank"));
    }

    #[test]
    fn which_names_can_be_one_person() {
        assert!(related("Tom", "Tom Hendriks"));
        assert!(related("Hendriks", "Tom Hendriks"));
        assert!(related("Daantje", "Daan"));
        assert!(related("San", "Sanne"));
        assert!(related("Gracie", "Grace"));
        assert!(related("Jadey", "Jade"));
        assert!(related("Dawnie", "Dawn"));
        assert!(!related("Tom", "Tim"));
        assert!(!related("Tom Bakker", "Tom Hendriks"));
        assert!(related("Danny", "Daniel Wood"));
        assert!(related("Dan", "Danny"));
        assert!(related("Mo", "Mohammed"));
        assert!(related("Gaz", "Gary Bishop"));
        assert!(related("Nouk", "Anouk"));
        assert!(related("Hamo", "Hamid"));
        assert!(related("Toms", "Tom"));
        assert!(related("de Zon", "Anouk de Zon"));
        assert!(!related("Anna", "Annelies"));
        assert!(!related("Liz", "Linda"));
        assert!(!related("Mark", "Marloes"));
    }
}
