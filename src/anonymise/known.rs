//! Every further mention of names already known: those the detector found in this transcript,
//! the researcher's own names with their variants, and the originals already in the key, in
//! any case, found with one Aho-Corasick automaton per set of names.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::sync::Arc;

use super::*;
use crate::keyfile::Key;
use crate::lexicon::{self as lists, variants};
use crate::transcript::Transcript;

/// A name to find everywhere (from the key, the researcher's list, or this document).
#[derive(Debug, Clone)]
pub struct Known {
    pub text: String,
    pub category: &'static str,
    /// Matched only as written (a surname: "Bakker", not "bakker" the baker).
    pub exact: bool,
}

/// The key's names as last prepared, one slot per language: (language, fingerprint of the
/// names) and the result, shared by every thread of the process (a cache per thread was built
/// again by every worker thread of every batch of an import: profiled).
static KEY_MENTIONS: std::sync::Mutex<Vec<(String, u64, Arc<Mentions>)>> =
    std::sync::Mutex::new(Vec::new());

/// The key's names prepared for `language`, from the last call when they have not changed
/// (preparing tens of thousands of names, with their spoken forms, for every document was
/// most of an import's anonymisation time: profiled).
pub(super) fn key_mentions(known: &[Known], language: &str) -> Arc<Mentions> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for k in known {
        (k.text.as_str(), k.category, k.exact).hash(&mut h);
    }
    let fp = h.finish();
    if let Some((_, _, m)) = KEY_MENTIONS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .find(|(l, f, _)| l == language && *f == fp)
    {
        return m.clone();
    }
    let m = Arc::new(Mentions::new(&with_parts(known.to_vec()), language));
    let mut slots = KEY_MENTIONS.lock().unwrap_or_else(|p| p.into_inner());
    slots.retain(|(l, _, _)| l != language);
    slots.push((language.to_owned(), fp, m.clone()));
    m
}

/// Every whole-word occurrence of the names in `text` (byte offsets), in any case or as
/// written. Short texts (titles, attribute values) are searched plainly. `lowered` holds the
/// text lower-cased once it is needed, for the next search of the same text.
pub(super) fn find_mentions(
    text: &str,
    lowered: &std::cell::OnceCell<Option<String>>,
    names: &NameList,
    any_case: bool,
    reuse: Option<&Matchers>,
    out: &mut Vec<(usize, usize, &'static str)>,
) {
    if names.is_empty() {
        return;
    }
    let hay = if any_case {
        // Lower-casing can move where characters begin (rare letters: "İ" grows, "ẞ"
        // shrinks, and together they keep the length); then match ASCII case only.
        match lowered.get_or_init(|| lower_in_place(text)) {
            Some(lowered) => lowered.as_str(),
            None => text,
        }
    } else {
        text
    };
    let ascii_only = any_case && std::ptr::eq(hay, text);
    let bounded = |s: usize, e: usize| {
        !text[..s]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
            && !text[e..].chars().next().is_some_and(char::is_alphanumeric)
    };
    if text.len() < 512 {
        for (n, c) in names.iter() {
            let needle = if any_case {
                n.to_lowercase()
            } else {
                n.to_owned()
            };
            for (s, _) in hay.match_indices(needle.as_str()) {
                let e = s + needle.len();
                if e <= text.len() && text.is_char_boundary(e) && bounded(s, e) {
                    out.push((s, e, c));
                }
            }
        }
        return;
    }
    let build = || matcher(names, any_case, ascii_only);
    let mut search = |ac: &AhoCorasick| {
        for m in ac.find_iter(hay) {
            let (s, e) = (m.start(), m.end());
            if bounded(s, e) {
                out.push((s, e, names.category(m.pattern().as_usize())));
            }
        }
    };
    if let Some(kept) = reuse {
        if let Some(ac) = kept[ascii_only as usize].get_or_init(build) {
            search(ac);
        }
    } else if let Some(ac) = build() {
        search(&ac);
    }
}

/// `text` lower-cased, when every character's lower case is as long as it is (so that a
/// place in one is the same place in the other); `None` otherwise.
fn lower_in_place(text: &str) -> Option<String> {
    let keeps_places = text.is_ascii()
        || text.chars().all(|c| {
            c.is_ascii() || c.to_lowercase().map(char::len_utf8).sum::<usize>() == c.len_utf8()
        });
    keeps_places.then(|| text.to_lowercase())
}

/// The automaton that finds `names` (lower-cased when `any_case`) in a text, in ASCII case
/// only when `ascii_only` (a text whose lower-casing moves where its characters begin).
fn matcher(names: &NameList, any_case: bool, ascii_only: bool) -> Option<AhoCorasick> {
    let patterns: Vec<String> = names
        .iter()
        .map(|(n, _)| {
            if any_case {
                n.to_lowercase()
            } else {
                n.to_owned()
            }
        })
        .collect();
    AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .match_kind(MatchKind::LeftmostLongest)
        .ascii_case_insensitive(ascii_only)
        .build(&patterns)
        .ok()
}

/// The identifiers of a transcript's spoken words, with the project's knowledge: the
/// researcher's names (for this participant and the whole project) and every name already in
/// the key are found wherever they occur, in any case.
pub fn detect_in(
    t: &Transcript,
    key: &Key,
    participant: Option<&str>,
    language: &str,
) -> Vec<Detection> {
    let regions: Vec<(usize, usize)> = t.turns.iter().map(|x| (x.start, x.end)).collect();
    detect_with_key(&t.text, &regions, key, participant, language)
}

/// [`detect_in`] on the given character ranges of a text.
pub fn detect_with_key(
    text: &str,
    regions: &[(usize, usize)],
    key: &Key,
    participant: Option<&str>,
    language: &str,
) -> Vec<Detection> {
    // In a short text (a title, an attribute) only names that occur in it matter.
    let short = (text.len() < 512).then(|| text.to_lowercase());
    let relevant = |name: &str| {
        short
            .as_ref()
            .is_none_or(|s| s.contains(&name.to_lowercase()))
    };
    let mut known: Vec<Known> = Vec::new();
    for n in &key.names {
        if n.participant
            .as_deref()
            .is_some_and(|p| Some(p) != participant)
        {
            continue;
        }
        let category = crate::keyfile::category(&n.category).unwrap_or("PERSON");
        for text in std::iter::once(&n.text)
            .chain(&n.variants)
            .filter(|x| relevant(x))
        {
            known.push(Known {
                text: text.clone(),
                category,
                exact: false,
            });
        }
    }
    // A short text looks only at the entries that share a word with it.
    let sharing = short
        .as_ref()
        .and_then(|_| key.entries_sharing_a_word(text));
    let entries: Vec<&crate::keyfile::Entry> = match &sharing {
        Some(indices) => key.entries_at(indices),
        None => key.entries.iter().collect(),
    };
    for e in entries {
        if matches!(
            e.category.as_str(),
            "PERSON" | "PLACE" | "ORGANISATION" | "ADDRESS"
        ) && short
            .as_ref()
            .is_none_or(|s| s.contains(&e.original.to_lowercase()))
            && let Some(c) = crate::keyfile::category(&e.category)
        {
            known.push(Known {
                text: e.original.to_string(),
                category: c,
                exact: false,
            });
        }
    }
    let mut found = detect(text, regions, &known, language);
    // Words the researcher restored everywhere are not identifiers in this project.
    if !key.keep.is_empty() {
        found.retain(|d| {
            let words = crate::offsets::slice_chars(text, d.start, d.end);
            !key.keep.iter().any(|k| k.eq_ignore_ascii_case(words))
        });
    }
    found
}

/// The names (people, places, organisations, addresses) among a transcript's detections, to
/// look for in the other transcripts of the same import.
pub fn found_names(t: &Transcript, found: &[Detection]) -> Vec<Known> {
    let names: Vec<&Detection> = found
        .iter()
        .filter(|d| matches!(d.category, "PERSON" | "PLACE" | "ORGANISATION" | "ADDRESS"))
        .collect();
    // All offsets converted in one pass over the text.
    let mut bounds: Vec<usize> = names.iter().flat_map(|d| [d.start, d.end]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let bytes = crate::offsets::char_to_byte(&t.text, &bounds);
    let at = |c: usize| bytes[bounds.binary_search(&c).unwrap_or(0)];
    with_parts(
        names
            .into_iter()
            .map(|d| Known {
                text: t.text[at(d.start)..at(d.end)].to_owned(),
                category: d.category,
                exact: false,
            })
            .collect(),
    )
}

/// The names with the words of each person's full name as names of their own: the first name
/// in any case ("zwaantje" of "Zwaantje Kwakernaat"), the others as written ("Bakker" the
/// surname, not "bakker" the baker).
pub(super) fn with_parts(mut names: Vec<Known>) -> Vec<Known> {
    let mut parts = Vec::new();
    for k in &names {
        // An organisation's name is also said in part: without the word that says what it is
        // ("Sparta Noord" of "VV Sparta Noord"), by its first words ("Eastbrook Mums" of
        // "Eastbrook Mums in Recovery"), by its first word ("Kompas" of "Kompas
        // Verslavingszorg"; an ordinary word such as "Harbour" only as written).
        if k.category == "ORGANISATION" && k.text.contains(' ') {
            let words: Vec<&str> = k.text.split(' ').collect();
            let capital = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
            let mut shorter = Vec::new();
            if crate::lexicon::organisations::is_org_head(words[0])
                && words.len() >= 2
                && capital(words[1])
            {
                shorter.push(words[1..].join(" "));
            }
            for n in 2..words.len() {
                if capital(words[n - 1]) {
                    shorter.push(words[..n].join(" "));
                }
            }
            if words[0].chars().count() >= 4
                && capital(words[0])
                && !crate::lexicon::organisations::is_org_head(words[0])
            {
                shorter.push(words[0].to_owned());
            }
            for text in shorter {
                parts.push(Known {
                    text,
                    category: "ORGANISATION",
                    exact: true,
                });
            }
        }
        if k.category == "PERSON" && k.text.contains(' ') {
            for (i, word) in k.text.split(' ').enumerate() {
                if word.chars().count() >= 3 && word.chars().next().is_some_and(char::is_uppercase)
                {
                    parts.push(Known {
                        text: word.to_owned(),
                        category: "PERSON",
                        exact: i > 0,
                    });
                }
            }
        }
    }
    names.extend(parts);
    names
}

/// Names to look for in transcripts, prepared once per language (filtering, sorting and
/// fingerprinting tens of thousands of names for every file was a measurable share of a large
/// import), in three groups: in any case; as written (surnames, spoken forms of first names);
/// and names that are also ordinary words of the language ("Roos", "Grace", "Hope"): with a
/// capital, but not where they open a sentence before a pronoun or article; in lower case only
/// right after a verb of seeing or speaking to someone ("ik zag zwaantje", "I rang hope"), never
/// as the word itself ("de zon", "by God's grace", "it may", "to be frank").
pub struct Mentions {
    any_case: NameList,
    exact: NameList,
    ordinary: NameList,
    /// Each group's matchers, built when first needed and kept with the names (shared by the
    /// threads that search with them).
    matchers: [Matchers; 3],
}

/// Names with their categories, sorted, each once, packed into one string: held for a whole
/// import, where a `String` and a category each took about sixty bytes a name (16 MB of the
/// peak of a 900-participant import, docs/PERFORMANCE.md), this takes the name's letters and
/// five bytes.
#[derive(Debug, Default)]
pub(super) struct NameList {
    text: String,
    /// Where each name ends in `text`; it starts where the one before it ends.
    ends: Vec<u32>,
    /// Each name's category, as its place in `kinds`.
    categories: Vec<u8>,
    kinds: Vec<&'static str>,
}

impl NameList {
    fn packed(mut names: Vec<(String, &'static str)>) -> NameList {
        names.sort();
        names.dedup();
        let mut list = NameList {
            text: String::with_capacity(names.iter().map(|(n, _)| n.len()).sum()),
            ends: Vec::with_capacity(names.len()),
            categories: Vec::with_capacity(names.len()),
            kinds: Vec::new(),
        };
        for (name, category) in names {
            let kind = match list.kinds.iter().position(|k| *k == category) {
                Some(i) => i,
                None => {
                    list.kinds.push(category);
                    list.kinds.len() - 1
                }
            };
            list.text.push_str(&name);
            list.ends.push(list.text.len() as u32);
            list.categories.push(kind as u8);
        }
        list
    }

    fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn category(&self, i: usize) -> &'static str {
        self.kinds[self.categories[i] as usize]
    }

    /// Each name and its category, in order.
    fn iter(&self) -> impl Iterator<Item = (&str, &'static str)> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().map(|&e| e as usize));
        starts
            .zip(&self.ends)
            .enumerate()
            .map(|(i, (s, &e))| (&self.text[s..e as usize], self.category(i)))
    }
}

/// A group's matcher, built when first needed: for lower-cased text, and for text whose
/// lower-casing changed its length (matched in ASCII case only).
type Matchers = [std::sync::OnceLock<Option<AhoCorasick>>; 2];

impl Mentions {
    /// The usable names for transcripts in `language`: at least two characters, never a word
    /// known not to identify anyone, never a lone common word of that language (unless it is
    /// a person's first name: "Hope", "Will"), ordinary words of the language only as written.
    pub fn new(names: &[Known], language: &str) -> Mentions {
        let lists = lists::lists();
        let common = lists.common(language);
        let (mut any_case, mut exact, mut ordinary) = (Vec::new(), Vec::new(), Vec::new());
        for k in names {
            let text = k.text.as_str();
            if text.chars().count() < 2 || lists.not_identifiers.contains(text) {
                continue;
            }
            let single = !text.contains(' ');
            if k.category == "PERSON" && single {
                for (form, is_word) in variants::forms(text, language) {
                    if is_word {
                        ordinary.push((form, "PERSON"));
                    } else {
                        exact.push((form, "PERSON"));
                    }
                }
            }
            let lower = text.to_lowercase();
            if common.contains(lower.as_str()) {
                if k.category == "PERSON"
                    && single
                    && text.chars().count() >= 3
                    && lists.first_names.contains(text)
                {
                    ordinary.push((text.to_owned(), k.category));
                }
            } else if text.split(' ').all(|w| {
                names::is_particle_word(w)
                    || common.contains(w.to_lowercase().as_str())
                    || lists::is_ordinary_word(w, language)
            }) {
                ordinary.push((text.to_owned(), k.category));
            } else if k.exact {
                exact.push((text.to_owned(), k.category));
            } else {
                any_case.push((text.to_owned(), k.category));
            }
        }
        Mentions {
            any_case: NameList::packed(any_case),
            exact: NameList::packed(exact),
            ordinary: NameList::packed(ordinary),
            matchers: Default::default(),
        }
    }

    /// Builds the matchers every ordinary text needs, the groups side by side, before the
    /// names are sought in many texts (built when first needed, one group after another held
    /// up the threads that wait for them: the import's names, tens of thousands, take a
    /// fifth of a second and more).
    pub fn prepare(&self) {
        let groups = [
            (&self.any_case, true),
            (&self.exact, false),
            (&self.ordinary, true),
        ];
        crate::parallel::map(groups.len(), |g| {
            let (names, any_case) = groups[g];
            if !names.is_empty() {
                self.matchers[g][0].get_or_init(|| matcher(names, any_case, false));
            }
        });
    }

    /// Every mention in `text` (byte offsets). With `reuse`, the matchers are kept with the
    /// names for the next text (the same names for every file of an import, or the key's).
    pub(super) fn find_in(
        &self,
        text: &str,
        reuse: bool,
        out: &mut Vec<(usize, usize, &'static str, &'static str)>,
    ) {
        let fp = |i: usize| reuse.then_some(&self.matchers[i]);
        let lowered = std::cell::OnceCell::new();
        let mut found = Vec::new();
        find_mentions(text, &lowered, &self.any_case, true, fp(0), &mut found);
        out.extend(found.drain(..).map(|(s, e, c)| (s, e, c, "mention")));
        find_mentions(text, &lowered, &self.exact, false, fp(1), &mut found);
        out.extend(
            found
                .drain(..)
                .map(|(s, e, c)| (s, e, c, "mention-as-written")),
        );
        find_mentions(text, &lowered, &self.ordinary, true, fp(2), &mut found);
        out.extend(
            found
                .drain(..)
                .filter(|&(s, e, _)| !super::reads_as_the_word(text, s, e))
                .map(|(s, e, c)| (s, e, c, "mention-name-that-is-a-word")),
        );
    }
}

/// Every mention of the prepared names in the transcript's spoken words, as detections.
pub fn mentions(t: &Transcript, names: &Mentions) -> Vec<Detection> {
    let mut bounds: Vec<usize> = t.turns.iter().flat_map(|x| [x.start, x.end]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let bytes = crate::offsets::char_to_byte(&t.text, &bounds);
    let to_byte = |c: usize| bytes[bounds.binary_search(&c).unwrap_or(0)];
    let regions: Vec<(usize, usize)> = t
        .turns
        .iter()
        .map(|x| (to_byte(x.start), to_byte(x.end)))
        .collect();
    let mut found = Vec::new();
    names.find_in(&t.text, true, &mut found);
    let hits = found
        .into_iter()
        .filter(|&(s, e, _, _)| regions.iter().any(|&(rs, re)| s >= rs && e <= re))
        .map(|(s, e, c, rule)| (s, e, c, 0.85, rule))
        .collect();
    merge(&t.text, hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_name_list_gives_each_name_once_in_order_with_its_category() {
        let names = vec![
            ("Zwolle".to_owned(), "PLACE"),
            ("Anna".to_owned(), "PERSON"),
            ("Zwolle".to_owned(), "PLACE"),
            ("Émile".to_owned(), "PERSON"),
            ("GGZ Oost".to_owned(), "ORGANISATION"),
        ];
        let list = NameList::packed(names);
        let got: Vec<(&str, &str)> = list.iter().collect();
        assert_eq!(
            got,
            vec![
                ("Anna", "PERSON"),
                ("GGZ Oost", "ORGANISATION"),
                ("Zwolle", "PLACE"),
                ("Émile", "PERSON"),
            ]
        );
        assert_eq!(list.category(3), "PERSON");
        assert!(NameList::packed(Vec::new()).is_empty());
        // The packed list finds what the names find, in a long text and a short one.
        let mut found = Vec::new();
        let long = format!("{} Anna woont in zwolle, Émile ook.", "x ".repeat(300));
        find_mentions(&long, &Default::default(), &list, true, None, &mut found);
        let words: Vec<(&str, &str)> = found.iter().map(|&(s, e, c)| (&long[s..e], c)).collect();
        assert_eq!(
            words,
            vec![("Anna", "PERSON"), ("zwolle", "PLACE"), ("Émile", "PERSON")]
        );
        found.clear();
        // Lower-casing that keeps the length but moves where characters begin ("İ" grows,
        // "ẞ" shrinks) is matched as written, and never cut inside a character.
        let odd = NameList::packed(vec![("ßa".to_owned(), "PERSON")]);
        for text in ["İẞa ßa", "İẞa ßa ".repeat(100).as_str()] {
            found.clear();
            find_mentions(text, &Default::default(), &odd, true, None, &mut found);
            assert!(!found.is_empty(), "{text}");
            for &(s, e, _) in &found {
                assert_eq!(&text[s..e], "ßa");
            }
        }
        found.clear();
        find_mentions(
            "Anna en ggz oost",
            &Default::default(),
            &list,
            true,
            None,
            &mut found,
        );
        assert_eq!(
            found.iter().map(|f| f.2).collect::<Vec<_>>(),
            vec!["PERSON", "ORGANISATION"]
        );
    }
}
