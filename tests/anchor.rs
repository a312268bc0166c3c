//! Re-anchoring on a real project: replacing text in a stored document (as a late redaction
//! will) leaves every turn and coding on its own words; and redactions at random never cut a
//! pseudonym or put anything in the key that the text did not hold.

mod common;

use common::import_text;
use narrata::{anchor, codebook, coding, corpus, store::Store};
use proptest::prelude::*;

const TEXT: &str = "I: Hoe gaat het met je, Anaïs? 😀\nP01: Ik ga elke dinsdag naar de groep in Leiden.\nDaar zit ook Marieke de Vries, die heeft ook een scheiding achter de rug.\nI: En café De Linde?\nP01: Daar drinken we koffie. Ik heb er vertrouwen in dat het lukt, écht.\n";

fn setup() -> (tempfile::TempDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = narrata::project::init(&tmp.path().join("p"), None, "nl").unwrap();
    import_text(&mut store, "P01_T1.txt", TEXT);
    codebook::add(&mut store, "tester", "Hoop", &Default::default()).unwrap();
    (tmp, store)
}

fn chars(s: &str, a: usize, b: usize) -> String {
    s.chars().skip(a).take(b - a).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn codings_and_turns_keep_their_words_after_a_replacement(
        spans in proptest::collection::vec((0usize..200, 1usize..40), 1..10),
        range in (0usize..200, 0usize..15),
        replacement in "\\[[A-Z]{3,8}-[0-9]\\]|",
    ) {
        let (_tmp, mut store) = setup();
        let n = TEXT.chars().count();
        let code = codebook::find(store.conn(), "Hoop").unwrap();
        let spans: Vec<(usize, usize)> = spans
            .into_iter()
            .map(|(s, len)| (s % n, (s % n + len).min(n)))
            .filter(|(s, e)| e > s)
            .collect();
        store.action("tester", |a| {
            for (s, e) in &spans {
                coding::add_in(a, 1, *s as i64, *e as i64, &code)?;
            }
            a.audit("code", "test", serde_json::json!({}))?;
            Ok(())
        }).unwrap();
        let before = coding::list(store.conn(), &coding::Filter::default()).unwrap();
        let turns_before: Vec<(usize, usize)> = corpus::turns(store.conn(), 1).unwrap().iter()
            .map(|t| (t.start as usize, t.end as usize)).collect();
        let (start, end) = (range.0 % n, (range.0 % n + range.1).min(n));

        store.action("tester", |a| anchor::replace(a, 1, start, end, &replacement)).unwrap();

        let text = corpus::text(store.conn(), 1).unwrap();
        prop_assert_eq!(&text, &format!("{}{}{}", chars(TEXT, 0, start), replacement, chars(TEXT, end, n)));
        let after = coding::list(store.conn(), &coding::Filter::default()).unwrap();
        for b in &before {
            let (s, e) = (b.start as usize, b.end as usize);
            let target = anchor::shift(s, e, start, end, replacement.chars().count());
            let Some(moved) = after.iter().find(|x| x.id == b.id) else {
                // Gone: replaced by nothing, or collapsed into a coding now on the same words.
                if let Some((ns, ne)) = target {
                    prop_assert!(after.iter().any(|x| (x.start as usize, x.end as usize) == (ns, ne)), "coding {} vanished", b.id);
                }
                continue;
            };
            prop_assert_eq!(Some((moved.start as usize, moved.end as usize)), target);
            if e <= start || s >= end {
                prop_assert_eq!(&moved.text, &b.text, "an untouched coding changed its words");
            } else if s <= start && e >= end {
                let expected = format!("{}{}{}", chars(TEXT, s, start), replacement, chars(TEXT, end, e));
                prop_assert_eq!(&moved.text, &expected);
            }
        }
        for (t, &(s, e)) in corpus::turns(store.conn(), 1).unwrap().iter().zip(&turns_before) {
            let now = chars(&text, t.start as usize, t.end as usize);
            if e <= start || s >= end {
                prop_assert_eq!(now, chars(TEXT, s, e), "an untouched turn changed its words");
            } else {
                // A turn the range cut into keeps the words it had outside the range.
                if s < start { prop_assert!(now.starts_with(&chars(TEXT, s, start))); }
                if e > end { prop_assert!(now.ends_with(&chars(TEXT, end, e))); }
            }
        }
        // The stored word positions follow the new text (analyses count words with them).
        let stored: Vec<u8> = store.conn().query_row(
            "SELECT spans FROM document_words WHERE doc_id = 1", [], |r| r.get(0)).unwrap();
        let now = corpus::text(store.conn(), 1).unwrap();
        prop_assert_eq!(narrata::words::Index::from_bytes(&stored), Some(narrata::words::Index::new(&now)));
        let report = narrata::check::run(&store, narrata::check::Depth::Full).unwrap();
        prop_assert!(report.ok, "{:?}", report.problems);
    }
}

/// A piece of the document as the redaction test tracks it: words as imported, or a pseudonym
/// with the words it replaced.
#[derive(Debug, Clone)]
enum Piece {
    Words(String),
    Pseudonym { label: String, original: String },
}

fn piece_text(p: &Piece) -> &str {
    match p {
        Piece::Words(w) => w,
        Piece::Pseudonym { label, .. } => label,
    }
}

/// The pieces with `[start, end)` (characters of the current text) replaced by `label`;
/// `None` when the span touches a pseudonym.
fn redact_pieces(pieces: &[Piece], start: usize, end: usize, label: &str) -> Option<Vec<Piece>> {
    let mut out = Vec::new();
    let mut original = String::new();
    let mut at = 0;
    for p in pieces {
        let len = piece_text(p).chars().count();
        let (ps, pe) = (at, at + len);
        at = pe;
        if pe <= start || ps >= end {
            out.push(p.clone());
            continue;
        }
        let Piece::Words(w) = p else { return None };
        let (a, b) = (start.max(ps) - ps, end.min(pe) - ps);
        if a > 0 {
            out.push(Piece::Words(chars(w, 0, a)));
        }
        original.push_str(&chars(w, a, b));
        if pe >= end {
            out.push(Piece::Pseudonym {
                label: label.to_owned(),
                original: std::mem::take(&mut original),
            });
            if b < len {
                out.push(Piece::Words(chars(w, b, len)));
            }
        }
    }
    Some(out)
}

const WORDS: &[&str] = &[
    "Jan",
    "de",
    "Vries",
    "woont",
    "in",
    "Leiden",
    "en",
    "café",
    "Anaïs",
    "zei",
    "😀",
    "06-12345678",
    "ex-partner",
    "zo'n",
    ",",
    ".",
    "\n",
    "  ",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Redactions anywhere, overlapping each other and the pseudonyms earlier ones left, never
    /// cut a pseudonym (the same span redacted twice once gave `[ORGANISATION-2]ISATION-1]`),
    /// and every key entry stands for words that were really in the text.
    #[test]
    fn random_redactions_never_break_a_pseudonym_and_the_key_holds_only_real_text(
        words in proptest::collection::vec(0usize..WORDS.len(), 5..40),
        redactions in proptest::collection::vec((0usize..400, 1usize..30, 0usize..3), 1..7),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = narrata::project::init(&tmp.path().join("p"), None, "nl").unwrap();
        let body: Vec<&str> = words.iter().map(|&i| WORDS[i]).collect();
        let text = format!("I: Vertel eens.\nP01: {}\n", body.join(" "));
        import_text(&mut store, "P01_T1.txt", &text);
        let original = corpus::text(store.conn(), 1).unwrap();
        let mut pieces = vec![Piece::Words(original.clone())];
        let mut key = narrata::keyfile::Key::new("p");
        let mut saves = 0;
        for (s, len, category) in redactions {
            let now = corpus::text(store.conn(), 1).unwrap();
            let n = now.chars().count();
            let (start, end) = (s % n, (s % n + len).min(n));
            let category = ["person", "PLAATS", "organisation"][category];
            let request = narrata::anonymise::redact::Request { doc: "1", start, end, category };
            let mut save = |_: &narrata::keyfile::Key| { saves += 1; Ok(()) };
            match narrata::anonymise::redact::redact(&mut store, "tester", &mut key, &mut save, request) {
                Ok(r) => {
                    prop_assert!(r.start >= start && r.end <= end && r.start < r.end);
                    let replaced = chars(&now, r.start, r.end);
                    prop_assert_eq!(replaced.trim(), replaced.as_str(), "white space was redacted");
                    let next = redact_pieces(&pieces, r.start, r.end, &r.pseudonym);
                    prop_assert!(next.is_some(), "[{}, {}) cut into a pseudonym of {:?}", r.start, r.end, now);
                    pieces = next.unwrap();
                }
                Err(e) => {
                    // Refused: only for white space alone, or a span touching a pseudonym.
                    let span = chars(&now, start, end);
                    let blank = span.trim().is_empty();
                    let touches = narrata::keyfile::pseudonym_spans(&now).iter().any(|&(ps, pe)| ps < end && start < pe);
                    prop_assert!(blank || touches, "refused without a reason: {e}");
                    let unchanged = corpus::text(store.conn(), 1).unwrap();
                    prop_assert_eq!(&unchanged, &now, "a refused redaction changed the text");
                }
            }
        }
        // The text is the pieces, the pieces are the original text, and every bracket belongs
        // to a whole pseudonym.
        let now = corpus::text(store.conn(), 1).unwrap();
        prop_assert_eq!(&now, &pieces.iter().map(piece_text).collect::<String>());
        let back: String = pieces.iter().map(|p| match p {
            Piece::Words(w) => w.as_str(),
            Piece::Pseudonym { original, .. } => original.as_str(),
        }).collect();
        prop_assert_eq!(&back, &original);
        let labels = narrata::keyfile::pseudonym_spans(&now);
        let brackets = now.chars().filter(|c| *c == '[' || *c == ']').count();
        prop_assert_eq!(brackets, 2 * labels.len(), "a broken pseudonym in {:?}", now);
        for p in &pieces {
            if let Piece::Pseudonym { label, original } = p {
                // A label may stand for several forms of one name; this one among them.
                let entry = key.entries.iter().find(|e| {
                    narrata::keyfile::label(&e.category, e.number, "nl") == *label
                        && narrata::keyfile::normalise(&e.original)
                            == narrata::keyfile::normalise(original)
                });
                prop_assert!(entry.is_some(), "{label} has no key entry for {original:?}");
            }
        }
        for e in &key.entries {
            prop_assert!(original.to_lowercase().contains(&e.original.to_lowercase()), "the key holds {:?}, which the text never had", e.original);
        }
        prop_assert_eq!(saves, narrata::keyfile::log(store.conn(), &key, None).unwrap().len());
        // The stored word positions follow the new text (analyses count words with them).
        let stored: Vec<u8> = store.conn().query_row(
            "SELECT spans FROM document_words WHERE doc_id = 1", [], |r| r.get(0)).unwrap();
        let now = corpus::text(store.conn(), 1).unwrap();
        prop_assert_eq!(narrata::words::Index::from_bytes(&stored), Some(narrata::words::Index::new(&now)));
        let report = narrata::check::run(&store, narrata::check::Depth::Full).unwrap();
        prop_assert!(report.ok, "{:?}", report.problems);
    }
}
