//! Dutch compounds: the words a compound is made of, so that a search for "groep" finds
//! "zelfhulpgroep" and "groepsgesprek". Dutch writes compounds as one word; a corpus of Dutch
//! interviews hides most of a word's occurrences inside them.
//!
//! The method is a dictionary splitter (as Lucene's dictionary compound filter, with Dutch
//! linking sounds): a word is cut into the fewest pieces that are each a word of the Dutch
//! dictionary (`lists/words.nl.txt`), joined directly or by a linking `s`, `e` or `en`
//! (`groep·s·gesprek`, `lotgenot·en·groep`). Pieces that are function words, prefixes or
//! suffixes dressed as words (`ver`, `aan`, `heid`, `schap`, `lijk`) are not accepted, so
//! `verhaal`, `aanpak` and `vriendschap` stay whole. Measured on a hand-made list in
//! `docs/SEARCH.md`.

use super::dictionary;

/// Shorter words are not split (`groep`, `hulp` are never compounds worth splitting).
pub const MIN_WORD: usize = 6;
/// The shortest piece: three letters for the words in [`SHORT`], four for any other (three-letter
/// words sit by chance inside too many words: `kant·oor`, `ges·prek`).
const MIN_PART: usize = 3;

/// Three-letter words that often begin or end a compound in speech (`dag·besteding`,
/// `slaap·pil`, `werk·dag`).
const SHORT: &[&str] = &[
    "dag", "bed", "man", "arm", "kop", "pot", "bus", "zak", "wet", "les", "bal", "rug", "oog",
    "tas", "pil", "gas", "bad", "bos", "dak", "oma", "opa", "gym", "net", "web", "app", "bar",
    "pub", "vis", "kat", "zus", "oom", "uur", "rot", "lid", "eet", "gok", "rij", "bel", "cel",
];
/// The longest piece: the dictionary holds words of up to 12 letters.
const MAX_PART: usize = 12;

/// Words never taken as a piece: articles, pronouns and other function words that happen to
/// sit inside longer words (`moe·der`, `kan·toor`).
const NEVER: &[&str] = &[
    "der", "des", "den", "het", "een", "ene", "ons", "onze", "hun", "zij", "wij", "jij", "mij",
    "hem", "haar", "die", "dat", "wat", "wie", "ook", "nog", "dan", "als", "wel", "niet", "maar",
    "zou", "kan", "kon", "wil", "mag", "moet", "ben", "bent", "was", "zal", "had", "heb", "doe",
    "ter", "ten", "per", "via", "dus", "toe", "nee", "jaa", "ooi", "eer", "ras", "rie", "ling",
    "erop", "erbij", "eraan", "eruit", "erin", "ervan", "erover", "erdoor", "ertoe", "eronder",
    "aar", "ier", "ijs", "eren", "ende", "ing", "iger", "ster", "tje", "tjes", "isch",
];

/// Words that are prefixes or verb particles when they begin a word: a piece may not start it
/// (`ver·haal`, `aan·pak`, `uit·kering`, `voor·beeld`).
const NOT_FIRST: &[&str] = &[
    "ver", "her", "ont", "aan", "uit", "voor", "door", "over", "onder", "mee", "tegen", "terug",
    "bij", "achter", "samen", "weg", "neer", "rond", "langs", "tussen", "vol", "mis", "wan", "oer",
    "aarts", "geen", "zeer", "heel", "half", "nooit", "altijd", "meer", "minder", "veel",
];

/// Words that are suffixes when they end a word: a piece may not end it (`vriend·schap`,
/// `moei·lijk`, `regel·matig`).
const NOT_LAST: &[&str] = &[
    "heid", "heden", "schap", "schappen", "dom", "baar", "bare", "lijk", "lijke", "lijker",
    "lijks", "achtig", "achtige", "matig", "matige", "waardig", "zaam", "zame", "loos", "loze",
    "sel", "sels", "erij", "ing", "ingen", "ning", "tie", "ties", "teit", "iteit", "ster", "sters",
    "aard", "ard", "ling", "lingen", "nis", "nissen", "ij", "lui", "baas",
    // What is left of a noun in -ing when its stem is taken for a word (`versla·ving`).
    "ving", "ring", "king", "ning", "ding", "zing", "ting", "ging", "ping", "ving", "wing",
];

/// Four-letter words beginning like the unstressed prefixes `ge-` and `be-` that are words of
/// their own in compounds (`geld·zorgen`); any other such piece (`gesp·rekken`) is a prefix's
/// accident.
const GE_BE: &[&str] = &[
    "geld", "geur", "geit", "berg", "been", "beek", "beer", "beul",
];

fn accepted(piece: &str, first: bool, last: bool) -> bool {
    // The dictionary first: most pieces tried are no word, and the lists are searched in turn.
    if piece.len() > MAX_PART || !dictionary("nl").contains(piece) {
        return false;
    }
    let prefix_like = (piece.len() == 4
        && (piece.starts_with("ge") || piece.starts_with("be"))
        && !GE_BE.contains(&piece))
        || (first
            && piece.len() <= 5
            && ["ver", "her", "ont"].iter().any(|p| piece.starts_with(p)));
    !prefix_like
        && (piece.len() > MIN_PART || SHORT.contains(&piece))
        && !NEVER.contains(&piece)
        && !(first && NOT_FIRST.contains(&piece))
        && !(last && NOT_LAST.contains(&piece))
}

/// The best cut of `word[from..]` into pieces: (pieces, linking sounds, the pieces' byte
/// ranges), fewest pieces first, then most linking sounds (`leven·s·verhaal`, not
/// `levens·verhaal`: the part is then the word a researcher types), then the longest first
/// piece.
type Cut = (usize, usize, Vec<(usize, usize)>);

fn better(a: &Cut, b: &Cut) -> bool {
    let first_len = |c: &Cut| c.2.first().map_or(0, |&(s, e)| e - s);
    (a.0, std::cmp::Reverse(a.1), std::cmp::Reverse(first_len(a)))
        < (b.0, std::cmp::Reverse(b.1), std::cmp::Reverse(first_len(b)))
}

/// The pieces of `word` (lower case, as an analyser leaves it) as byte ranges, when it is a
/// compound of at least two dictionary words; `None` otherwise.
fn cut(word: &str) -> Option<Vec<(usize, usize)>> {
    let n = word.len();
    if n < MIN_WORD || !word.is_ascii() {
        return None;
    }
    // best[i]: the best cut of word[i..] (None: it cannot be cut into pieces).
    let mut best: Vec<Option<Cut>> = vec![None; n + 1];
    for i in (0..n).rev() {
        let mut chosen: Option<Cut> = None;
        for j in (i + MIN_PART)..=(i + MAX_PART).min(n) {
            let piece = &word[i..j];
            if j == n {
                // The whole word as one piece is no cut.
                if i > 0 && accepted(piece, false, true) {
                    let c = (1, 0, vec![(i, j)]);
                    if chosen.as_ref().is_none_or(|b| better(&c, b)) {
                        chosen = Some(c);
                    }
                }
                continue;
            }
            if !accepted(piece, i == 0, false) {
                continue;
            }
            for link in ["", "s", "e", "en"] {
                let k = j + link.len();
                if k >= n || !word[j..].starts_with(link) {
                    continue;
                }
                if let Some((p, l, rest)) = &best[k] {
                    let mut pieces = Vec::with_capacity(rest.len() + 1);
                    pieces.push((i, j));
                    pieces.extend_from_slice(rest);
                    let c = (p + 1, l + usize::from(!link.is_empty()), pieces);
                    if chosen.as_ref().is_none_or(|b| better(&c, b)) {
                        chosen = Some(c);
                    }
                }
            }
        }
        best[i] = chosen;
    }
    best[0].take().filter(|c| c.0 >= 2).map(|c| c.2)
}

/// The words a Dutch compound is made of, in order (`zelfhulpgroepen` → `zelfhulp`,
/// `groepen`; `groepsgesprek` → `groep`, `gesprek`); empty for a word that is not a compound.
/// `word` is lower case. A piece that is itself a compound is not cut again: on the hand-made
/// list that gained 1 point of recall for 3 of precision (docs/SEARCH.md).
pub fn parts(word: &str) -> Vec<&str> {
    cut(word)
        .map(|pieces| pieces.iter().map(|&(s, e)| &word[s..e]).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::parts;

    #[test]
    fn compounds_are_cut_at_their_words_and_linking_sounds() {
        assert_eq!(parts("zelfhulpgroep"), ["zelfhulp", "groep"]);
        assert_eq!(parts("groepsgesprek"), ["groep", "gesprek"]);
        assert_eq!(parts("groepsgesprekken"), ["groep", "gesprekken"]);
        assert_eq!(parts("lotgenotengroep"), ["lotgenoten", "groep"]);
        assert_eq!(parts("verslavingszorg"), ["verslaving", "zorg"]);
    }

    #[test]
    fn prefixes_suffixes_and_short_words_are_not_compounds() {
        for word in [
            "verhaal",
            "aanpak",
            "vriendschap",
            "moeilijk",
            "moeder",
            "groep",
            "kantoor",
        ] {
            assert_eq!(parts(word), Vec::<&str>::new(), "{word}");
        }
    }
}
