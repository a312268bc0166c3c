//! Anonymisation of speech as people talk, one test per kind of failure seen on interviews the
//! detector had never met: function words swallowed into names, forms of one name given
//! several pseudonyms, ordinary words given a person's pseudonym, two people with one
//! pseudonym, dates and ages as said, organisations, addresses and numbers, and what identifies
//! no one. Every case here is hand-written for this file (names and places are made up); the
//! import goes through the same path as `narrata import`.

use narrata::import::{self, Anonymise, Options, Privacy, Source};
use narrata::keyfile::Key;

/// Imports the files (name, text) with anonymisation into a new project and returns the stored
/// texts in file order and the key.
fn anonymise(files: &[(&str, &str)]) -> (Vec<String>, Key) {
    let (texts, key, _) = anonymise_logged(files);
    (texts, key)
}

/// [`anonymise`], with the anonymisation log.
fn anonymise_logged(files: &[(&str, &str)]) -> (Vec<String>, Key, Vec<narrata::keyfile::LogEntry>) {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = narrata::project::init(&tmp.path().join("p"), Some("speech"), "nl").unwrap();
    let mut key = Key::new("speech");
    let mut save = |_: &Key| Ok(());
    let sources: Vec<Source> = files
        .iter()
        .map(|(name, text)| Source {
            name: (*name).to_owned(),
            bytes: text.as_bytes().to_vec(),
        })
        .collect();
    let options = Options {
        anonymise: Anonymise::Auto,
        ..Options::default()
    };
    let report = import::import(
        &mut store,
        "tester",
        &sources,
        &options,
        Some(Privacy {
            key: &mut key,
            save: &mut save,
        }),
        &mut |_, _| {},
    )
    .unwrap();
    let texts = report
        .files
        .iter()
        .map(|f| narrata::corpus::text(store.conn(), f.document.expect("imported")).unwrap())
        .collect();
    let log = narrata::keyfile::log(store.conn(), &key, None).unwrap();
    (texts, key, log)
}

fn doc(participant: &str, wave: &str, language: &str, turns: &str) -> String {
    format!("---\nparticipant: {participant}\nwave: {wave}\nlanguage: {language}\n---\n{turns}\n")
}

/// The pseudonyms in a text, in order.
fn labels(text: &str) -> Vec<String> {
    narrata::keyfile::pseudonym_spans(text)
        .into_iter()
        .map(|(s, e)| text.chars().skip(s).take(e - s).collect())
        .collect()
}

fn assert_gone(text: &str, originals: &[&str]) {
    for o in originals {
        assert!(!text.contains(o), "`{o}` is still readable in:\n{text}");
    }
}

fn assert_kept(text: &str, words: &[&str]) {
    for w in words {
        assert!(text.contains(w), "`{w}` was replaced in:\n{text}");
    }
}

#[test]
fn a_function_word_before_a_name_stays_and_the_person_keeps_one_pseudonym() {
    let text = doc(
        "P71",
        "T1",
        "nl",
        "I: Wie hielp je?\n\nP71: Met Joris ging ik erheen. En Joris zei toen niks. Maar Joris \
         bleef. Via Joris kwam ik bij de groep. Dan zegt Joris het. Ik weet het nog.",
    );
    let (texts, _) = anonymise(&[("P71_T1.md", &text)]);
    let t = &texts[0];
    assert_gone(t, &["Joris"]);
    assert_kept(t, &["Met [", "En [", "Maar [", "Via [", "het. Ik weet"]);
    let found = labels(t);
    assert_eq!(found.len(), 5, "{t}");
    assert!(found.iter().all(|l| *l == found[0]), "{found:?}");
}

#[test]
fn the_forms_of_one_name_are_one_person_in_every_wave() {
    let t1 = doc(
        "P72",
        "T1",
        "nl",
        "I: Over wie wil je vertellen?\n\nP72: Mijn broer, Stijn Verbeek. Stijn is de oudste. \
         Thuis zeiden we Stijntje.",
    );
    let t2 = doc(
        "P72",
        "T2",
        "nl",
        "I: En je broer?\n\nP72: Stijn's vrouw belde. Ik zag stijn pas gisteren weer. Verbeek \
         zelf zegt er niks over.",
    );
    let t3 = doc(
        "P73",
        "T1",
        "en",
        "I: Who helped?\n\nP73: My sponsor, Imogen Hartley. Immy, we call her. Imogen’s been \
         sober twenty years. And Gemma, my niece. Gemmy came every Sunday.",
    );
    let (texts, _) = anonymise(&[("P72_T1.md", &t1), ("P72_T2.md", &t2), ("P73_T1.md", &t3)]);
    let stijn: Vec<String> = texts[..2].iter().flat_map(|t| labels(t)).collect();
    assert_gone(&texts[0], &["Stijn", "Verbeek"]);
    assert_gone(&texts[1], &["Stijn", "stijn", "Verbeek"]);
    assert!(stijn.len() >= 6, "{texts:?}");
    assert!(stijn.iter().all(|l| *l == stijn[0]), "{stijn:?}");
    assert_gone(&texts[2], &["Imogen", "Immy", "Hartley", "Gemma", "Gemmy"]);
    let english = labels(&texts[2]);
    let distinct: std::collections::BTreeSet<&String> = english.iter().collect();
    assert_eq!(
        distinct.len(),
        2,
        "Imogen and Gemma, each one pseudonym: {english:?}"
    );
}

#[test]
fn a_word_that_is_a_name_elsewhere_stays_a_word() {
    let nl = doc(
        "P74",
        "T1",
        "nl",
        "I: Wie is er voor je?\n\nP74: Mijn dochter Roos. Roos heeft een roos op d'r arm laten \
         zetten. En m'n zwager heet Zon, Zon Bakker. Als de zon schijnt gaan we vissen, hij is \
         een visser en ik ben bakker geweest. Roos had het eerst niet door. Roos heeft er \
         nooit over gepraat. Roos zag ik pas later. Rozen, daar hield ze van.",
    );
    let en = doc(
        "P75",
        "T1",
        "en",
        "I: Who is there for you?\n\nP75: My neighbour Dawn. Dawn drives me. We get up at the \
         crack of dawn. And Frank Mason, my sponsor. To be frank, it may sound odd, but he \
         said grace before tea. My friend Grace laughed. Dawn told you that? Frank said it \
         twice. Will it rain, I wondered.",
    );
    let (texts, key) = anonymise(&[("P74_T1.md", &nl), ("P75_T1.md", &en)]);
    assert_gone(
        &texts[0],
        &[
            "Roos.",
            "Roos heeft",
            "Zon,",
            "Zon Bakker",
            "Roos had het",
            "Roos heeft er",
            "Roos zag",
        ],
    );
    assert_kept(
        &texts[0],
        &["een roos", "de zon", "een visser", "bakker geweest"],
    );
    assert_gone(
        &texts[1],
        &["Dawn", "Frank Mason", "Grace laughed", "Frank said"],
    );
    assert_kept(
        &texts[1],
        &[
            "of dawn",
            "To be frank",
            "it may",
            "said grace",
            "Will it rain",
        ],
    );
    // Nothing in the key is an ordinary word in lower case.
    assert!(
        key.entries
            .iter()
            .all(|e| e.original.chars().next().is_some_and(|c| !c.is_lowercase())),
        "{:?}",
        key.entries
    );
}

#[test]
fn the_same_first_name_in_two_participants_stories_is_two_people_unless_linked() {
    let a1 = doc(
        "P76",
        "T1",
        "nl",
        "I: Familie?\n\nP76: Mijn broer Wouter woont in de buurt.",
    );
    let a2 = doc(
        "P76",
        "T2",
        "nl",
        "I: En Wouter?\n\nP76: Wouter komt nu elke week.",
    );
    let b1 = doc(
        "P77",
        "T1",
        "nl",
        "I: Familie?\n\nP77: Mijn broer Wouter zit in het buitenland.",
    );
    let (texts, key) = anonymise(&[("P76_T1.md", &a1), ("P76_T2.md", &a2), ("P77_T1.md", &b1)]);
    let first = labels(&texts[0]);
    let second = labels(&texts[1]);
    let other = labels(&texts[2]);
    assert_eq!(first[0], second[0], "one participant's brother, both waves");
    assert!(second.iter().all(|l| *l == first[0]));
    assert_ne!(
        first[0], other[0],
        "another participant's brother: {texts:?}"
    );
    let scopes: Vec<Option<String>> = key
        .entries
        .iter()
        .filter(|e| &*e.original == "Wouter")
        .map(|e| e.scope.as_ref().map(ToString::to_string))
        .collect();
    assert_eq!(scopes, vec![Some("P76".into()), Some("P77".into())]);
}

#[test]
fn dates_as_people_say_them_are_found() {
    let nl = doc(
        "P78",
        "T1",
        "nl",
        "I: Wanneer was dat?\n\nP78: In 2016 begon het. In ’09 was ik al eens opgenomen, en \
         van '11 tot ’13 ging het goed. Begin 2026 wil ik weer werken. Vorige maand dinsdag zat \
         ik slecht. Zaterdag de 7e kwam ze terug. Op drieëntwintig april 2022 ben ik gestopt. \
         Eind oktober gaan we verhuizen.",
    );
    let en = doc(
        "P79",
        "T1",
        "en",
        "I: When was that?\n\nP79: Probably 2014, 2015. I stopped on the twenty-first of June \
         2021. Last Thursday week I rang her. The 2nd of April was my year. Early 2026 I start \
         college.",
    );
    let (texts, _) = anonymise(&[("P78_T1.md", &nl), ("P79_T1.md", &en)]);
    assert_gone(
        &texts[0],
        &[
            "2016",
            "’09",
            "'11",
            "’13",
            "Begin 2026",
            "Vorige maand dinsdag",
            "Zaterdag de 7e",
            "drieëntwintig april",
            "Eind oktober",
        ],
    );
    assert_gone(
        &texts[1],
        &[
            "2014",
            "2015",
            "twenty-first of June",
            "Last Thursday week",
            "2nd of April",
            "Early 2026",
        ],
    );
}

#[test]
fn ages_as_people_say_them_are_found_and_durations_are_not_ages() {
    let nl = doc(
        "P80",
        "T1",
        "nl",
        "I: Hoe oud ben je?\n\nP80: Vierenveertig.\n\nI: En toen je begon?\n\nP80: Op m’n \
         dertiende al. Ons ma, die is tachtig of zo. Ik zit er nu een jaar of zes, twee jaar \
         clean. Ik ben moeder van twee.",
    );
    let en = doc(
        "P81",
        "T1",
        "en",
        "I: How old is your son?\n\nP81: Seven. He’s seven and my da’s seventy-odd. My mate \
         Ollie, he’s thirty-three, and on my sixteenth birthday I had my first drink. I’m three \
         years clean, a mother of two.",
    );
    let (texts, _) = anonymise(&[("P80_T1.md", &nl), ("P81_T1.md", &en)]);
    assert_gone(&texts[0], &["Vierenveertig", "dertiende", "tachtig"]);
    assert_kept(
        &texts[0],
        &["een jaar of zes", "twee jaar clean", "moeder van twee"],
    );
    assert_gone(
        &texts[1],
        &[
            "Seven.",
            "seven and",
            "seventy-odd",
            "thirty-three",
            "sixteenth",
        ],
    );
    assert_kept(&texts[1], &["three years clean", "a mother of two"]);
}

#[test]
fn organisations_addresses_and_numbers_as_said_are_found() {
    let en = doc(
        "P82",
        "T1",
        "en",
        "I: Tell me about work and home.\n\nP82: I worked at Tesco for years, then the BRHA \
         housing moved me to 14 Tolley Street. Now I'm in Flat 3, Mercer Court. I go to the \
         Al-Noor Mosque and the Westbank Dads in Recovery page. Me NI is QQ 12 34 56 C, my \
         Insta is @ollie_bakes and the website's olliebakes.co.uk.",
    );
    let nl = doc(
        "P83",
        "T1",
        "nl",
        "I: Werk?\n\nP83: Ik werkte bij de KLM. Ik huur bij WSZ en voetbal bij VV Noordvogels. \
         We wonen op nummer 9 van de Beukenlaan, in Zand-Oosterhout.",
    );
    let (texts, key, log) = anonymise_logged(&[("P82_T1.md", &en), ("P83_T1.md", &nl)]);
    assert_gone(
        &texts[0],
        &[
            "Tesco",
            "BRHA",
            "14 Tolley Street",
            "Flat 3",
            "Mercer Court",
            "Al-Noor",
            "Westbank Dads in Recovery",
            "QQ 12 34 56 C",
            "@ollie_bakes",
            "olliebakes.co.uk",
        ],
    );
    assert_gone(
        &texts[1],
        &[
            "KLM",
            "WSZ",
            "Noordvogels",
            "nummer 9 van de Beukenlaan",
            "Zand-Oosterhout",
        ],
    );
    // Each replacement records the rule or list that found it.
    assert!(!log.is_empty() && key.log.is_empty());
    assert!(log.iter().all(|l| !l.rule.is_empty()), "{log:?}");
    let rule_of = |original: &str| {
        key.entries
            .iter()
            .find(|e| *e.original == *original)
            .map(|e| e.category.clone())
    };
    assert_eq!(rule_of("Tesco").as_deref(), Some("ORGANISATION"));
    assert_eq!(rule_of("14 Tolley Street").as_deref(), Some("ADDRESS"));
}

#[test]
fn what_identifies_no_one_stays() {
    let nl = doc(
        "P84",
        "T1",
        "nl",
        "I: Wat helpt?\n\nP84: De sertraline, en God, of de Hogere Macht. Met Kerst en met het \
         Suikerfeest ga ik naar m'n moeder. Ik zit in de bijstand. De huisarts en het wijkteam \
         en de GGZ helpen. Het is een Utrechtse groep, veel Friese mensen.",
    );
    let en = doc(
        "P85",
        "T1",
        "en",
        "I: What helps?\n\nP85: The diazepam, my Higher Power, Christmas and Eid. I'm on \
         Universal Credit and PIP, the GP sorted it. He's a Geordie, mind. Bonfire Night is \
         hard.",
    );
    let (texts, _) = anonymise(&[("P84_T1.md", &nl), ("P85_T1.md", &en)]);
    assert_kept(
        &texts[0],
        &[
            "sertraline",
            "God",
            "Hogere Macht",
            "Kerst",
            "Suikerfeest",
            "bijstand",
            "huisarts",
            "wijkteam",
            "GGZ",
            "Utrechtse",
            "Friese",
        ],
    );
    assert_kept(
        &texts[1],
        &[
            "diazepam",
            "Higher Power",
            "Christmas",
            "Eid",
            "Universal Credit",
            "PIP",
            "GP",
            "Geordie",
            "Bonfire Night",
        ],
    );
    assert!(labels(&texts[0]).is_empty(), "{}", texts[0]);
    assert!(labels(&texts[1]).is_empty(), "{}", texts[1]);
}

#[test]
fn more_ages_dates_addresses_and_numbers_as_said() {
    // Ages in more of the ways people give them: a number said as a sentence of its own, a
    // birthday to come ("word ik 54", "turns eighteen"), someone's age after their name, a
    // baby's in weeks, an ordinal birthday, "at sixteen"; relative dates of days, weeks and
    // months (not of years: "vorig jaar" is how a wave speaks of the one before), holidays
    // with a year; streets without a street word, flats; numbers by their format.
    let nl = doc(
        "P82",
        "T2",
        "nl",
        "I: Stel je even voor.\n\nP82: Ik ben Gerrit. Gerrit Mulder. Drieënvijftig. In augustus \
         word ik 54. Jij bent zestig, zei ik tegen Hans. Een buurman, Kees, van 71, helpt mee, \
         en een meneer van negentig-plus. Mijn kleinzoon is nu zes weken. Ik ben vorige week \
         jarig geweest, vierenveertig. Op Koningsdag 2023 ging het mis. Sinds afgelopen maart \
         werk ik. Drie weken geleden kwam de brief. Vorig jaar ben ik gestopt. Ik woon op Hoge \
         Brink 4, in Dalfsen. Het klantnummer is KL/2291/07.\n\nI: Het was vijf uur toen?\n\n\
         P82: Ja. Er waren twintig mensen. Ik was twee jaar clean.",
    );
    let en = doc(
        "P83",
        "T2",
        "en",
        "I: Tell me about the family.\n\nP83: Our Tommy's only three. He'd have been forty-four \
         this year. Old Jim, sixty-odd, sat by the door. I left school at sixteen. On my \
         thirtieth I was in a cell. Fifty-two. Fifty-three in March. He turns eighteen soon. \
         She's eight months. She died on New Year's Eve 2019. Last month I went back. Three \
         weeks ago Friday he relapsed. The week before last was hard. It was the back end of \
         2018. Flat 4, 17 Mill Row, BT5 9XY. Her NI number is QQ 98 76 54 B, she knows it. Go to \
         freshstarts.scot. The code is D02 X285.\n\nI: And now?\n\nP83: It's two o'clock. It \
         was three of us. That was twenty quid. At twenty past nine we met. Mark my words. Last \
         year was different.",
    );
    let (texts, _) = anonymise(&[("P82_T2.md", &nl), ("P83_T2.md", &en)]);
    assert_gone(
        &texts[0],
        &[
            "Drieënvijftig",
            "54",
            "zestig",
            "71",
            "negentig-plus",
            "zes weken",
            "vierenveertig",
            "Koningsdag 2023",
            "afgelopen maart",
            "Drie weken geleden",
            "Brink 4",
            "KL/2291/07",
        ],
    );
    assert_kept(
        &texts[0],
        &[
            "Vorig jaar",
            "vijf uur",
            "twintig mensen",
            "twee jaar clean",
        ],
    );
    assert_gone(
        &texts[1],
        &[
            "only three",
            "forty-four",
            "sixty-odd",
            "sixteen",
            "thirtieth",
            "Fifty-two",
            "Fifty-three",
            "eighteen",
            "eight months",
            "Eve 2019",
            "Last month",
            "Three weeks ago",
            "week before last",
            "back end of 2018",
            "Flat 4",
            "17 Mill Row",
            "QQ 98 76 54 B",
            "freshstarts.scot",
            "D02 X285",
        ],
    );
    assert_kept(
        &texts[1],
        &[
            "two o'clock",
            "three of us",
            "twenty quid",
            "twenty past nine",
            "Mark my words",
            "Last year",
        ],
    );
}

#[test]
fn a_first_name_that_is_a_word_opens_a_sentence_as_the_person_when_she_acts() {
    // "Ria" and "Kees" are words too (a river mouth, a dog); here they are named only at the
    // start of sentences, and what follows says they are people.
    let nl = doc(
        "P84",
        "T1",
        "nl",
        "I: Wie hielp je?\n\nP84: Sinds de zomer niet. Ria heeft me een pas gegeven. Kees, die \
         de koffie doet, lachte. Ria zei toen: kom maar.",
    );
    let en = doc(
        "P85",
        "T1",
        "en",
        "I: Who helped?\n\nP85: Nobody at first. Grace had a word with me. Hope you don't mind \
         me saying. Will I go back? Maybe.",
    );
    let (texts, _) = anonymise(&[("P84_T1.md", &nl), ("P85_T1.md", &en)]);
    assert_gone(&texts[0], &["Ria heeft", "Kees, die", "Ria zei"]);
    assert_gone(&texts[1], &["Grace had"]);
    assert_kept(&texts[1], &["Hope you", "Will I"]);
}

#[test]
fn a_traditional_short_form_is_the_same_person_in_the_other_wave() {
    let first = doc(
        "P86",
        "T1",
        "en",
        "I: Who do you lean on?\n\nP86: My pal Alexander, from the allotments. He keeps me right.",
    );
    let second = doc(
        "P86",
        "T2",
        "en",
        "I: Still seeing your pal?\n\nP86: Sandy? Every Sunday. Sandy brings the flask.",
    );
    let (texts, _) = anonymise(&[("P86_T1.md", &first), ("P86_T2.md", &second)]);
    assert_gone(&texts[1], &["Sandy"]);
    let a = labels(&texts[0]);
    let b = labels(&texts[1]);
    assert!(!a.is_empty() && b.iter().all(|l| *l == a[0]), "{texts:?}");
}
