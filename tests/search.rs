//! Full-text search through the command line: stemming, phrases, operators, prefixes, each
//! filter, offsets in multi-byte text, the index kept in step with the database, auto-coding.

mod common;
use common::*;

use std::path::Path;

use serde_json::{Value, json};

fn search(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.push("--json");
    run_json(dir, &all)
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A project with these files imported, without anonymisation.
fn imported(files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = project();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    for (name, text) in files {
        write(&src, name, text);
    }
    run_ok(
        &dir,
        &["import", src.to_str().unwrap(), "--anonymise", "off"],
    );
    (tmp, dir)
}

/// A small project: Dutch and English transcripts, one group interview, multi-byte text.
fn searchable() -> (tempfile::TempDir, std::path::PathBuf) {
    imported(&[
        (
            "P01_T1.txt",
            "I: Hoe gaat het? 😀 Ça va?\nP01: De groepen helpen mij. Ik wandelde elke dinsdag met de groep.\nI: En de hoop?\nP01: Ik hoop dat het lukt.\n",
        ),
        (
            "P01_T2.txt",
            "I: En nu?\nP01: Ik heb weer hoop. We wandelen samen, dinsdag elke week.\n",
        ),
        (
            "P02_T2.md",
            "---\nparticipant: P02\nwave: T2\nlanguage: en\n---\nInterviewer: How is walking going?\nP02: I walked every day. Walking helps. The groups are hopeful.\n",
        ),
        (
            "G01_T2.md",
            "---\nparticipants: [P01, P02]\nwave: T2\n---\nM: Wat betekent de groep?\nP01: De groep is mijn houvast.\nP02: Voor mij is de groep hoop.\n",
        ),
    ])
}

fn texts(r: &Value) -> Vec<String> {
    r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["snippet"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn dutch_and_english_words_match_their_other_forms() {
    let (_tmp, dir) = searchable();
    // Dutch: plural and verb forms.
    let groep = search(&dir, &["groep"]);
    assert!(
        texts(&groep).iter().any(|t| t.contains("«groepen»")),
        "{groep}"
    );
    let wandelen = search(&dir, &["wandelen"]);
    assert!(
        texts(&wandelen).iter().any(|t| t.contains("«wandelde»")),
        "{wandelen}"
    );
    // English: -ing and -s.
    let walk = search(&dir, &["walk"]);
    let t = texts(&walk).join(" | ");
    assert!(t.contains("«walking»") && t.contains("«walked»"), "{t}");
    // The JSON contract.
    let h = &groep["hits"][0];
    for field in [
        "doc",
        "participant",
        "wave",
        "speaker",
        "start",
        "end",
        "line",
        "snippet",
        "score",
        "matches",
    ] {
        assert!(h.get(field).is_some(), "a hit lacks `{field}`: {h}");
    }
    assert!(groep.get("total").is_some() && groep.get("took_ms").is_some());
}

#[test]
fn phrases_operators_and_prefixes() {
    let (_tmp, dir) = searchable();
    assert_eq!(search(&dir, &["\"elke dinsdag\""])["total"], 1);
    assert_eq!(
        search(&dir, &["\"dinsdag elke\""])["total"],
        1,
        "phrase order matters"
    );
    assert_eq!(search(&dir, &["hoop AND groep"])["total"], 1);
    assert_eq!(
        search(&dir, &["hoop AND NOT groep"])["total"],
        search(&dir, &["hoop"])["total"].as_u64().unwrap() - 1
    );
    assert!(
        search(&dir, &["houvast OR walking"])["total"]
            .as_u64()
            .unwrap()
            >= 2
    );
    let prefix = search(&dir, &["wandel*"]);
    assert_eq!(prefix["total"], 2, "{prefix}");
}

#[test]
fn every_filter_narrows_the_hits() {
    let (_tmp, dir) = searchable();
    let all = search(&dir, &["groep"])["total"].as_u64().unwrap();
    assert!(all >= 3);
    let t2 = search(&dir, &["groep", "--wave", "2"]);
    assert!(
        t2["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["wave"] == "T2")
    );
    let p02 = search(&dir, &["groep", "--participant", "p02"]);
    assert!(
        p02["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["participant"] == "P02"),
        "{p02}"
    );
    assert_eq!(
        p02["total"], 1,
        "P02 speaks of the group only in the group interview"
    );
    let interviewer = search(&dir, &["groep", "--speaker", "m"]);
    assert_eq!(interviewer["total"], 1);
    let group = search(&dir, &["groep", "--kind", "group"]);
    assert_eq!(group["total"], 3);
    assert_eq!(
        search(&dir, &["groep", "--limit", "1"])["hits"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // --code with sub-codes: only turns overlapping a coding of the code or a child.
    run_ok(&dir, &["codebook", "add", "Verbondenheid/Lotgenoten"]);
    let hit = &search(&dir, &["houvast"])["hits"][0];
    let (s, e) = (hit["start"].to_string(), hit["end"].to_string());
    run_ok(
        &dir,
        &["code", "add", &hit["doc"].to_string(), &s, &e, "Lotgenoten"],
    );
    let coded = search(&dir, &["groep", "--code", "Verbondenheid"]);
    assert_eq!(coded["total"], 1, "{coded}");
    assert!(
        coded["hits"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("houvast")
    );
}

/// A page of hits from several documents: each hit carries its own document's wave and
/// participant (in a group interview, its speaker, one of the document's participants), as
/// the document list gives them (the summaries are read for the page at once).
#[test]
fn each_hit_carries_its_own_documents_participants_and_wave() {
    let (_tmp, dir) = searchable();
    let docs = run_json(&dir, &["docs", "--json"]);
    let by_id = |id: &Value| {
        docs.as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == *id)
            .cloned()
            .unwrap()
    };
    let r = search(&dir, &["groep OR hoop OR walking"]);
    let hits = r["hits"].as_array().unwrap();
    let seen: std::collections::BTreeSet<String> =
        hits.iter().map(|h| h["doc"].to_string()).collect();
    assert!(seen.len() >= 3, "{r}");
    for h in hits {
        let d = by_id(&h["doc"]);
        assert_eq!(h["wave"], d["wave"], "{h} {d}");
        if d["kind"] == "individual" {
            assert_eq!(h["participants"], d["participants"], "{h} {d}");
            assert_eq!(h["participant"], d["participant"], "{h} {d}");
        } else {
            // In a group interview a hit is its speaker's: one of the document's participants.
            let of_doc = d["participants"].as_array().unwrap();
            assert!(
                h["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|p| of_doc.contains(p)),
                "{h} {d}"
            );
        }
    }
}

#[test]
fn match_offsets_are_characters_of_the_stored_text() {
    let (_tmp, dir) = searchable();
    let r = search(&dir, &["groepen"]);
    let hit = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["snippet"].as_str().unwrap().contains("«groepen»"))
        .unwrap();
    let doc = hit["doc"].to_string();
    let text: Vec<char> = run_ok(&dir, &["show", &doc, "--raw"]).chars().collect();
    let (ts, te) = (
        hit["start"].as_u64().unwrap() as usize,
        hit["end"].as_u64().unwrap() as usize,
    );
    assert!(
        text[ts..te]
            .iter()
            .collect::<String>()
            .starts_with("De groepen helpen")
    );
    for m in hit["matches"].as_array().unwrap() {
        let (s, e) = (
            m[0].as_u64().unwrap() as usize,
            m[1].as_u64().unwrap() as usize,
        );
        let word: String = text[s..e].iter().collect();
        assert!(word.to_lowercase().starts_with("groep"), "{word:?}");
    }
    // An emoji and accents before the match must not shift it: line 2 follows "😀 Ça va?".
    assert_eq!(hit["line"], 2);
    // The plain listing marks the word without changing the spacing around it.
    let plain = run_ok(&dir, &["search", "houvast", "--limit", "1"]);
    assert!(plain.contains("De groep is mijn [houvast]."), "{plain}");
    let plain = run_ok(&dir, &["search", "wandelde"]);
    assert!(plain.contains("Ik [wandelde] elke dinsdag"), "{plain}");
}

#[test]
fn the_index_follows_the_database_and_rebuilds_itself() {
    let (tmp, dir) = searchable();
    assert_eq!(search(&dir, &["houvast"])["total"], 1);
    // New documents are found at once.
    let more = write(
        tmp.path(),
        "P03_T1.txt",
        "I: Wat houdt je overeind?\nP03: Mijn houvast is de buurtkamer.\n",
    );
    run_ok(
        &dir,
        &["import", more.to_str().unwrap(), "--anonymise", "off"],
    );
    let r = search(&dir, &["houvast"]);
    assert_eq!(r["total"], 2);
    assert_eq!(
        r["rebuilt"], false,
        "an import updates the index in the same action"
    );
    // A deleted index is rebuilt on the next search.
    std::fs::remove_dir_all(dir.join("index")).unwrap();
    let r = search(&dir, &["houvast"]);
    assert_eq!(
        (r["total"].clone(), r["rebuilt"].clone()),
        (json!(2), json!(true))
    );
    // A damaged index too.
    for entry in std::fs::read_dir(dir.join("index")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "term") {
            std::fs::write(&p, b"garbage").unwrap();
        }
    }
    std::fs::remove_file(dir.join("index/narrata-index.json")).unwrap();
    assert_eq!(search(&dir, &["houvast"])["total"], 2);
    let out = run_ok(&dir, &["reindex"]);
    assert!(out.contains("indexed"), "{out}");
}

#[test]
fn bad_queries_are_sentences_not_panics() {
    let (_tmp, dir) = searchable();
    for q in ["hoop AND (", "\"open phrase", "", "   ", "AND", ")("] {
        let err = run_err(&dir, &["search", q]);
        assert!(err.contains("query"), "{q:?}: {err}");
        // In the researcher's words, not the search library's.
        assert!(!err.contains("Syntax Error"), "{q:?}: {err}");
    }
    assert!(run_err(&dir, &["search", "hoop AND ("]).contains("a bracket is not closed"));
    assert!(run_err(&dir, &["search", "\"open phrase"]).contains("quotation mark is not closed"));
}

#[test]
fn code_auto_codes_every_hit_as_one_undoable_action() {
    let (_tmp, dir) = searchable();
    run_ok(&dir, &["codebook", "add", "Hoop"]);
    let hits = search(&dir, &["hoop"])["total"].as_u64().unwrap();
    let other = |dir: &std::path::Path| search(dir, &["groep"])["total"].as_u64().unwrap();
    let before = other(&dir);
    let out = run_ok(&dir, &["code", "auto", "hoop", "Hoop"]);
    assert!(out.contains(&format!("{hits} coding(s) added")), "{out}");
    // Only the coded turns were indexed again, and the index says it is current (a search
    // would otherwise rebuild it); the other turns are all still found.
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("index").join("narrata-index.json")).unwrap(),
    )
    .unwrap();
    let generation: i64 = rusqlite::Connection::open(dir.join("narrata.db"))
        .unwrap()
        .query_row("SELECT generation FROM project", [], |r| r.get(0))
        .unwrap();
    assert_eq!(meta["generation"], generation);
    assert_eq!(other(&dir), before);
    assert_eq!(search(&dir, &["hoop"])["total"].as_u64().unwrap(), hits);
    let codings = run_json(&dir, &["codings", "--json"]);
    assert_eq!(codings.as_array().unwrap().len() as u64, hits);
    // Again: nothing new.
    assert!(run_ok(&dir, &["code", "auto", "hoop", "Hoop"]).contains("0 coding(s) added"));
    // By match: only the words.
    run_ok(&dir, &["undo"]);
    assert_eq!(run_json(&dir, &["codings", "--json"]), json!([]));
    run_ok(&dir, &["code", "auto", "hoop", "Hoop", "--unit", "match"]);
    for c in run_json(&dir, &["codings", "--json"]).as_array().unwrap() {
        assert_eq!(c["text"].as_str().unwrap().to_lowercase(), "hoop", "{c}");
    }
    // The coded turns are found by --code at once.
    assert_eq!(
        search(&dir, &["hoop", "--code", "Hoop"])["total"]
            .as_u64()
            .unwrap(),
        hits
    );
}

#[test]
fn a_filter_naming_no_participant_or_wave_is_said_not_silently_empty() {
    let (_tmp, dir) = searchable();
    for (flag, value, expected) in [
        ("--wave", "T9", "there is no wave `T9`; the waves are"),
        ("--participant", "P99", "there is no participant `P99`"),
    ] {
        let out = narrata(&dir)
            .args(["search", "groep", flag, value])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{err}");
    }
}

/// A common word in one long turn once took time growing with the square of its matches
/// (0.25 s in 100 KB, 15 s in 760 KB, no answer in 10 minutes for 25 MB). Search now counts
/// characters forward from match to match: a 2 MB turn with about 20,000 matches answers in
/// well under the 20 s this test allows (about 1 s in a debug build here; the old way needed
/// minutes). Long text without speaker labels is divided into turns when imported.
#[test]
fn a_common_word_in_a_very_long_turn_is_found_in_linear_time() {
    let (tmp, dir) = project();
    let sentence = "ik ging naar de groep en het hielp, café 😀 zei ik toen. ";
    let body = sentence.repeat(2_000_000 / sentence.len());
    let labelled = write(tmp.path(), "P01_T1.txt", &format!("P01: {body}\n"));
    let unlabelled = write(
        tmp.path(),
        "P02_T1.txt",
        &body.replace("toen. ", "toen.\n\n"),
    );
    run_ok(
        &dir,
        &["import", labelled.to_str().unwrap(), "--anonymise", "off"],
    );
    run_ok(
        &dir,
        &["import", unlabelled.to_str().unwrap(), "--anonymise", "off"],
    );
    let docs = run_json(&dir, &["docs", "--json"]);
    assert_eq!(docs[0]["turns"], 1, "a labelled turn stays whole");
    assert!(docs[1]["turns"].as_i64().unwrap() > 100, "{}", docs[1]);

    let started = std::time::Instant::now();
    let r = search(&dir, &["groep", "--participant", "P01"]);
    let took = started.elapsed();
    assert!(took.as_secs() < 20, "search took {took:?}");
    let matches = r["hits"][0]["matches"].as_array().unwrap();
    assert_eq!(matches.len(), body.matches("groep").count());
    // The offsets are characters of the document (the emoji and é are one each).
    let text: Vec<char> = run_ok(&dir, &["show", "1", "--raw"]).chars().collect();
    for m in [
        &matches[0],
        &matches[matches.len() / 2],
        &matches[matches.len() - 1],
    ] {
        let (s, e) = (
            m[0].as_u64().unwrap() as usize,
            m[1].as_u64().unwrap() as usize,
        );
        assert_eq!(text[s..e].iter().collect::<String>(), "groep");
    }
    assert!(
        r["hits"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("«groep»")
    );
    // The unlabelled text: one hit per turn it was divided into, each a few sentences.
    let r = search(&dir, &["groep", "--participant", "P02", "--limit", "5"]);
    assert!(r["total"].as_u64().unwrap() > 100, "{}", r["total"]);
    let hit = &r["hits"][0];
    assert!(hit["end"].as_i64().unwrap() - hit["start"].as_i64().unwrap() <= 10_000);
}

/// Dutch interviews written as people write Dutch: compounds in one word.
fn compounds() -> (tempfile::TempDir, std::path::PathBuf) {
    imported(&[
        (
            "P01_T1.txt",
            "I: Hoe was het?\nP01: De zelfhulpgroep gaf me rust.\nI: En verder?\nP01: Na het groepsgesprek ging ik naar huis.\nI: Met wie?\nP01: Met de lotgenotengroep, elke week.\nI: En de groep zelf?\nP01: De groep is mijn houvast, echt een groep.\nI: Ook thuis?\nP01: Het verhaal van mijn moeder ging over haar werk.\nI: En hij?\nP01: Niemand kende die zakenman.\n",
        ),
        (
            "P02_T1.md",
            "---\nparticipant: P02\nwave: T1\nlanguage: en\n---\nInterviewer: And the group?\nP02: The selfhelpgroup was fine.\n",
        ),
    ])
}

#[test]
fn a_dutch_word_is_found_inside_compounds_after_the_turns_that_say_it_whole() {
    let (_tmp, dir) = compounds();
    let r = search(&dir, &["groep"]);
    let hits = r["hits"].as_array().unwrap();
    let said = texts(&r);
    // Two turns say the word itself; three have it only inside a compound, after them.
    assert_eq!(r["total"], 5, "{said:?}");
    assert_eq!(r["in_compounds"], 3);
    assert!(
        said[..2]
            .iter()
            .any(|s| s.contains("«groep» is mijn houvast")),
        "{said:?}"
    );
    assert!(hits[..2].iter().all(|h| h["compound"] == false));
    let rest: Vec<&String> = said[2..].iter().collect();
    for (word, hit) in [
        ("«zelfhulpgroep»", &rest),
        ("«groepsgesprek»", &rest),
        ("«lotgenotengroep»", &rest),
    ] {
        assert!(hit.iter().any(|s| s.contains(word)), "{word} in {said:?}");
    }
    assert!(hits[2..].iter().all(|h| h["compound"] == true));
    // Words that merely contain the letters are no compounds of it, and English is left alone.
    let verhaal = search(&dir, &["haal"]);
    assert_eq!(verhaal["total"], 0, "{:?}", texts(&verhaal));
    let english = search(&dir, &["group"]);
    assert_eq!(english["total"], 1, "{english}");
    // Only a word whose cut gives the part is marked: `zakenman`, not `niemand`.
    let man = search(&dir, &["man"]);
    assert_eq!(man["in_compounds"], 1, "{man}");
    let said = texts(&man);
    assert!(
        said[0].contains("«zakenman»") && said[0].contains("Niemand kende"),
        "{said:?}"
    );
    // Auto-coding codes the hits with the word itself, not those inside compounds.
    run_ok(&dir, &["codebook", "add", "Groep"]);
    let out = run_ok(&dir, &["code", "auto", "groep", "Groep"]);
    assert!(
        out.contains("3 hit(s) found only inside compound words were not coded"),
        "{out}"
    );
    // A phrase means the words themselves.
    let phrase = search(&dir, &["\"de groep\""]);
    assert_eq!(phrase["in_compounds"], 0);
    assert_eq!(phrase["total"], 2);
    // The human-readable list marks compound hits apart.
    let out = run_ok(&dir, &["search", "groep"]);
    assert!(out.contains("{zelfhulpgroep}"), "{out}");
    assert!(out.contains("[groep]"), "{out}");
    assert!(out.contains("3 only inside compound words"), "{out}");
}

#[test]
fn wildcards_work_at_either_end_and_inside_or_are_refused_with_a_sentence() {
    let (_tmp, dir) = compounds();
    // `*groep` is any word ending in groep, the word itself too.
    let suffix = search(&dir, &["*groep"]);
    let said = texts(&suffix);
    assert_eq!(suffix["total"], 4, "{said:?}");
    assert!(
        said.iter().any(|s| s.contains("«zelfhulpgroep»")),
        "{said:?}"
    );
    assert!(
        said.iter().any(|s| s.contains("«lotgenotengroep»")),
        "{said:?}"
    );
    let infix = search(&dir, &["zelf*groep"]);
    assert_eq!(texts(&infix).len(), 1, "{:?}", texts(&infix));
    assert!(texts(&infix)[0].contains("«zelfhulpgroep»"));
    let prefix = search(&dir, &["groeps*"]);
    assert_eq!(prefix["total"], 1);
    // Nothing matches: said, not silently searched as something else; also where a character
    // folds into more than a letter ("⒈" is "1.").
    for query in ["*xyzgroep", "⒈ab*"] {
        let none = search(&dir, &[query]);
        assert_eq!(none["total"], 0, "{query}");
        assert!(
            none["notes"][0]
                .as_str()
                .unwrap()
                .contains("matches no word"),
            "{none}"
        );
    }
    let err = run_err(&dir, &["search", "*g*"]);
    assert!(err.contains("too few letters"), "{err}");
}
