//! Re-anchoring on a real project: replacing text in a stored document (as a late redaction
//! will) leaves every turn and coding on its own words.

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
        let report = narrata::check::run(&store).unwrap();
        prop_assert!(report.ok, "{:?}", report.problems);
    }
}
