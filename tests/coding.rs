//! Codebooks, codings, memos and undo, driven through the command line as a researcher would.

mod common;
use common::*;

use std::path::Path;

use serde_json::{Value, json};

/// A project with one small Dutch document and a small codebook.
fn coded_project() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = project();
    let doc = tmp.path().join("P01_T1.txt");
    // Multi-byte on purpose: é, ë, an emoji, a combining accent.
    std::fs::write(
        &doc,
        "I: Hoe gaat het met je? 😀\nP01: Ik ga elke dinsdag naar de groep. Daar zit ook Anaïs, die heeft ook een scheiding achter de rug.\nWe drinken daarna koffie, café naast de deur. Ik heb er vertrouwen in dat het lukt.\n",
    )
    .unwrap();
    run_ok(
        &dir,
        &["import", doc.to_str().unwrap(), "--anonymise", "off"],
    );
    let book = tmp.path().join("book.yaml");
    std::fs::write(
        &book,
        "name: test\ncodes:\n  - name: Verbondenheid\n    dimension: connectedness\n    polarity: positive\n    children:\n      - name: Lotgenoten\n      - name: Relaties\n  - name: Hoop\n    color: \"#f28e2b\"\n  - name: Isolement\n    dimension: connectedness\n    polarity: negative\n",
    )
    .unwrap();
    run_ok(&dir, &["codebook", "import", book.to_str().unwrap()]);
    (tmp, dir)
}

fn text_of(dir: &Path) -> Vec<char> {
    run_ok(dir, &["show", "1", "--raw"]).chars().collect()
}

fn span_of(text: &[char], needle: &str) -> (usize, usize) {
    let hay: String = text.iter().collect();
    let byte = hay.find(needle).unwrap();
    let start = hay[..byte].chars().count();
    (start, start + needle.chars().count())
}

/// Everything undo could touch, as the user sees it.
fn state(dir: &Path) -> Value {
    json!({
        "codebook": run_json(dir, &["codebook", "show", "--json"]),
        "codings": run_json(dir, &["codings", "--json"]),
        "memos": run_json(dir, &["memos", "--json"]),
    })
}

#[test]
fn every_shipped_codebook_loads_and_loading_it_twice_changes_nothing() {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(codebooks()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let (_tmp, dir) = project();
        let first = run_json(
            &dir,
            &["codebook", "import", path.to_str().unwrap(), "--json"],
        );
        assert!(
            first["added"].as_u64().unwrap() >= 10,
            "{}: {first}",
            path.display()
        );
        let codes = run_json(&dir, &["codebook", "show", "--json"]);
        for c in codes.as_array().unwrap() {
            for field in ["description", "include", "exclude", "example"] {
                assert!(
                    !c[field].as_str().unwrap().trim().is_empty(),
                    "{}: {} has no {field}",
                    path.display(),
                    c["path"]
                );
            }
        }
        let before = fingerprint(&dir);
        let second = run_json(
            &dir,
            &["codebook", "import", path.to_str().unwrap(), "--json"],
        );
        assert_eq!(
            (second["added"].as_u64(), second["updated"].as_u64()),
            (Some(0), Some(0))
        );
        assert_eq!(
            fingerprint(&dir),
            before,
            "{} changed the project on a second import",
            path.display()
        );
        names.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    names.sort();
    for expected in [
        "change-across-waves.en.yaml",
        "chime-herstel.nl.yaml",
        "chime-recovery.en.yaml",
        "narrative-identity.en.yaml",
        "leefgebieden.nl.yaml",
        "life-domains.en.yaml",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "missing {expected}: {names:?}"
        );
    }
}

#[test]
fn the_two_chime_editions_have_the_same_tree_and_poles() {
    let shape = |file: &str| {
        let (_tmp, dir) = project();
        run_ok(
            &dir,
            &[
                "codebook",
                "import",
                codebooks().join(file).to_str().unwrap(),
            ],
        );
        let codes = run_json(&dir, &["codebook", "show", "--json"]);
        codes
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["path"].as_str().unwrap().matches('/').count(),
                    c["dimension"].clone(),
                    c["polarity"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let nl = shape("chime-herstel.nl.yaml");
    assert_eq!(nl, shape("chime-recovery.en.yaml"));
    // The life-domains editions too: eight domains of four sub-codes each, in the same order.
    let domains = shape("leefgebieden.nl.yaml");
    assert_eq!(domains, shape("life-domains.en.yaml"));
    assert_eq!(
        domains.iter().filter(|(depth, _, _)| *depth == 0).count(),
        8
    );
    assert_eq!(domains.len(), 40);
    let poles: Vec<_> = nl.iter().filter(|(_, d, _)| d == "hope").collect();
    assert_eq!(
        poles.len(),
        2,
        "hope and hopelessness are one dimension's two poles"
    );
}

#[test]
fn codebook_exports_round_trip_in_yaml_json_and_refi_qda() {
    let (tmp, dir) = project();
    run_ok(
        &dir,
        &[
            "codebook",
            "import",
            codebooks().join("chime-herstel.nl.yaml").to_str().unwrap(),
        ],
    );
    let original = run_json(&dir, &["codebook", "show", "--json"]);
    for ext in ["yaml", "json", "qdc"] {
        let file = tmp.path().join(format!("export.{ext}"));
        run_ok(&dir, &["codebook", "export", file.to_str().unwrap()]);
        let other = tmp.path().join(format!("other-{ext}"));
        run_ok(tmp.path(), &["init", other.to_str().unwrap()]);
        run_ok(&other, &["codebook", "import", file.to_str().unwrap()]);
        let back = run_json(&other, &["codebook", "show", "--json"]);
        let strip = |v: &Value| {
            v.as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    let mut c = c.clone();
                    c.as_object_mut().unwrap().remove("id");
                    c.as_object_mut().unwrap().remove("parent");
                    c
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&back), strip(&original), "round trip through .{ext}");
    }
}

#[test]
fn a_qdc_export_is_valid_against_the_refi_qda_schema() {
    let (tmp, dir) = coded_project();
    run_ok(
        &dir,
        &[
            "codebook",
            "import",
            codebooks()
                .join("narrative-identity.en.yaml")
                .to_str()
                .unwrap(),
        ],
    );
    let out = tmp.path().join("book.qdc");
    run_ok(&dir, &["codebook", "export", out.to_str().unwrap()]);
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/Codebook.xsd");
    let status = std::process::Command::new("python3")
        .args(["-c", "import sys, xmlschema; xmlschema.XMLSchema(sys.argv[1]).validate(sys.argv[2]); print('valid')", xsd.to_str().unwrap(), out.to_str().unwrap()])
        .output()
        .expect("python3 is needed to validate REFI-QDA files (run the tests with `bash tests/run.sh`, which installs the readers)");
    assert!(
        status.status.success(),
        "the .qdc does not validate against Codebook.xsd (is xmlschema installed? run the tests with `bash tests/run.sh`, which installs them):\n{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn malformed_codebook_files_are_refused_with_the_line_and_nothing_changes() {
    let (tmp, dir) = coded_project();
    let before = fingerprint(&dir);
    let cases = [
        (
            "bad1.yaml",
            "codes:\n  - name: A\n    descripton: typo\n",
            "line 3",
        ),
        (
            "bad2.yaml",
            "codes:\n  - name: A\n    children:\n      - name: B/C\n",
            "cannot contain `/`",
        ),
        (
            "bad3.yaml",
            "codes:\n  - name: A\n    color: blue\n",
            "not a colour",
        ),
        (
            "bad4.json",
            "{\"codes\": [{\"name\": \"A\"}, {\"name\": \"a\"}]}",
            "appears twice",
        ),
        ("bad5.yaml", "codes: [\n", "not valid"),
        (
            "bad6.qdc",
            "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes><Code name=\"A\" isCodable=\"true\"/></Codes></CodeBook>",
            "no guid",
        ),
        ("bad7.txt", "codes: []", "not .txt"),
    ];
    for (name, content, expected) in cases {
        let path = tmp.path().join(name);
        std::fs::write(&path, content).unwrap();
        let err = run_err(&dir, &["codebook", "import", path.to_str().unwrap()]);
        assert!(
            err.contains(name) && err.contains(expected),
            "{name}: {err}"
        );
        assert_eq!(fingerprint(&dir), before, "{name} changed the project");
    }
    // A path that does not exist is named, in a sentence.
    let missing = tmp.path().join("elders/chime.yaml");
    let err = run_err(&dir, &["codebook", "import", missing.to_str().unwrap()]);
    assert!(
        err.contains("elders/chime.yaml: there is no such file or folder"),
        "{err}"
    );
    assert_eq!(fingerprint(&dir), before);
}

#[test]
fn codings_are_character_exact_in_multibyte_text() {
    let (_tmp, dir) = coded_project();
    let text = text_of(&dir);
    for (needle, code) in [
        ("Anaïs, die heeft ook een scheiding", "Lotgenoten"),
        ("café naast de deur", "Relaties"),
        ("vertrouwen in dat het lukt", "Hoop"),
    ] {
        let (s, e) = span_of(&text, needle);
        let added = run_json(
            &dir,
            &[
                "code",
                "add",
                "1",
                &s.to_string(),
                &e.to_string(),
                code,
                "--json",
            ],
        );
        assert_eq!(added["text"], needle);
        assert_eq!(
            (added["start"].as_u64(), added["end"].as_u64()),
            (Some(s as u64), Some(e as u64))
        );
    }
    let list = run_json(&dir, &["codings", "--json"]);
    for c in list.as_array().unwrap() {
        for field in [
            "id",
            "doc",
            "code",
            "code_path",
            "start",
            "end",
            "text",
            "coder",
            "created",
        ] {
            assert!(c.get(field).is_some(), "codings JSON lacks `{field}`: {c}");
        }
        let (s, e) = (
            c["start"].as_u64().unwrap() as usize,
            c["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            c["text"].as_str().unwrap(),
            text[s..e].iter().collect::<String>()
        );
        assert_eq!(c["coder"], "tester");
    }
    // The emoji counts as one character: a span right after it starts where a person counts.
    let (s, _) = span_of(&text, "\nP01");
    assert_eq!(text[s - 1], '😀');
}

#[test]
fn the_same_code_on_the_same_span_by_the_same_coder_is_one_coding() {
    let (_tmp, dir) = coded_project();
    run_ok(&dir, &["code", "add", "1", "10", "20", "Hoop"]);
    let before = fingerprint(&dir);
    let again = run_ok(&dir, &["code", "add", "1", "10", "20", "Hoop"]);
    assert!(again.contains("already coded"), "{again}");
    assert_eq!(fingerprint(&dir), before);
    // Another coder's is another coding; an overlapping span of the same coder is united
    // with it (see the next test).
    run_ok(
        &dir,
        &["--coder", "ben", "code", "add", "1", "10", "20", "Hoop"],
    );
    run_ok(&dir, &["code", "add", "1", "15", "25", "Hoop"]);
    let spans: Vec<(i64, i64, String)> = run_json(&dir, &["codings", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["start"].as_i64().unwrap(),
                c["end"].as_i64().unwrap(),
                c["coder"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        spans,
        vec![(10, 20, "ben".to_owned()), (10, 25, "tester".to_owned())]
    );
}

/// A coding inside another of the same code by the same coder was kept as a second coding
/// and counted twice. One coder's codings of one code never overlap: a span inside one is
/// already coded, a span overlapping some is united with them (the oldest keeps its number
/// and the memos of the others), as MAXQDA does; undo takes the union back whole, and the
/// change table counts the passage once.
#[test]
fn overlapping_codings_of_one_code_and_coder_are_united_never_counted_twice() {
    let (_tmp, dir) = coded_project();
    let text = text_of(&dir);
    let (a, b) = span_of(&text, "Ik ga elke dinsdag naar de groep.");
    let (inner_a, inner_b) = span_of(&text, "elke dinsdag");
    let first = run_ok(
        &dir,
        &["code", "add", "1", &a.to_string(), &b.to_string(), "Hoop"],
    );
    assert!(first.starts_with("coding 1:"), "{first}");
    // Inside it: already coded, nothing changes.
    let before = fingerprint(&dir);
    let inside = run_ok(
        &dir,
        &[
            "code",
            "add",
            "1",
            &inner_a.to_string(),
            &inner_b.to_string(),
            "Hoop",
        ],
    );
    assert!(inside.contains("already coded: coding 1"), "{inside}");
    assert_eq!(fingerprint(&dir), before);
    // A second coding that overlaps the first's end, with a memo; then one that spans both.
    let (c, d) = span_of(&text, "de groep. Daar zit ook Anaïs");
    run_ok(
        &dir,
        &["code", "add", "1", &c.to_string(), &d.to_string(), "Hoop"],
    );
    let listed = run_json(&dir, &["codings", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["id"], 1);
    assert_eq!(
        (listed[0]["start"].as_u64(), listed[0]["end"].as_u64()),
        (Some(a as u64), Some(d as u64))
    );
    // Undo takes the union back: coding 1 as it was.
    run_ok(&dir, &["undo"]);
    let listed = run_json(&dir, &["codings", "--json"]);
    assert_eq!(
        (listed[0]["start"].as_u64(), listed[0]["end"].as_u64()),
        (Some(a as u64), Some(b as u64))
    );
    // Two separate codings, each with a memo, then a span across both: one coding, both memos.
    let (e, f) = span_of(&text, "die heeft ook een scheiding");
    let out = run_ok(
        &dir,
        &["code", "add", "1", &e.to_string(), &f.to_string(), "Hoop"],
    );
    let second: i64 = out
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_end_matches(':')
        .parse()
        .unwrap();
    run_ok(&dir, &["memo", "add", "coding:1", "Begin."]);
    run_ok(
        &dir,
        &["memo", "add", &format!("coding:{second}"), "Later."],
    );
    let out = run_ok(
        &dir,
        &[
            "code",
            "add",
            "1",
            &(b - 3).to_string(),
            &(e + 3).to_string(),
            "Hoop",
        ],
    );
    assert!(
        out.contains("united with your overlapping codings 1"),
        "{out}"
    );
    let listed = run_json(&dir, &["codings", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(
        (listed[0]["start"].as_u64(), listed[0]["end"].as_u64()),
        (Some(a as u64), Some(f as u64))
    );
    let memos = run_json(&dir, &["memos", "--json"]);
    assert!(
        memos
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["target"] == "coding:1"),
        "{memos}"
    );
    // Counted once in the change table.
    let t = run_json(
        &dir,
        &[
            "changes",
            "--participant",
            "P01",
            "--code",
            "Hoop",
            "--json",
        ],
    );
    assert_eq!(t["rows"][0]["cells"][0]["codings"], 1, "{t}");
}

/// After `code rm 3`, the next coding was numbered 3 again, so "coding 3" in a memo listing,
/// the audit trail or a note could mean two codings over time. Ids a user sees are never
/// reused: not after a removal, an undo, a removed memo or a removed code.
#[test]
fn ids_a_user_has_seen_are_never_given_out_again() {
    let (_tmp, dir) = coded_project();
    let id_of = |out: &str| -> i64 {
        out.split_whitespace()
            .nth(1)
            .and_then(|w| w.trim_end_matches(':').parse().ok())
            .unwrap_or_else(|| panic!("no id in {out:?}"))
    };
    let first = id_of(&run_ok(&dir, &["code", "add", "1", "30", "40", "Hoop"]));
    let second = id_of(&run_ok(&dir, &["code", "add", "1", "50", "60", "Hoop"]));
    run_ok(&dir, &["code", "rm", &second.to_string()]);
    let third = id_of(&run_ok(&dir, &["code", "add", "1", "70", "80", "Hoop"]));
    assert!(third > second, "coding {second} was given out again");
    // Undo the last coding, then code anew: a new number again.
    run_ok(&dir, &["undo"]);
    let fourth = id_of(&run_ok(&dir, &["code", "add", "1", "90", "95", "Hoop"]));
    assert!(fourth > third, "coding {third} was given out again");
    let ids: Vec<i64> = run_json(&dir, &["codings", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![first, fourth]);
    // Memos and codes too.
    run_ok(&dir, &["memo", "add", "project", "Een."]);
    let memos = run_json(&dir, &["memos", "--json"]);
    let memo = memos[0]["id"].as_i64().unwrap();
    run_ok(&dir, &["undo"]);
    run_ok(&dir, &["memo", "add", "project", "Twee."]);
    let memos = run_json(&dir, &["memos", "--json"]);
    assert!(memos[0]["id"].as_i64().unwrap() > memo, "{memos}");
    run_ok(&dir, &["codebook", "add", "Tijdelijk"]);
    let code_id = |name: &str| -> i64 {
        run_json(&dir, &["codebook", "show", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["id"].as_i64().unwrap())
            .unwrap()
    };
    let tijdelijk = code_id("Tijdelijk");
    run_ok(&dir, &["codebook", "rm", "Tijdelijk"]);
    run_ok(&dir, &["codebook", "add", "Nieuw"]);
    assert!(code_id("Nieuw") > tijdelijk);
}

#[test]
fn bad_codings_are_clear_errors_that_change_nothing() {
    let (tmp, dir) = coded_project();
    let extra = tmp.path().join("book2.yaml");
    std::fs::write(
        &extra,
        "codes:\n  - name: Hoop2\n    children:\n      - name: Relaties\n",
    )
    .unwrap();
    run_ok(&dir, &["codebook", "import", extra.to_str().unwrap()]);
    let before = fingerprint(&dir);
    let chars = text_of(&dir).len();
    for (args, expected) in [
        (
            vec!["code", "add", "1", "5", "5", "Hoop"],
            "not inside document 1",
        ),
        (
            vec!["code", "add", "1", "9", "4", "Hoop"],
            "not inside document 1",
        ),
        (
            vec!["code", "add", "1", "0", &format!("{}", chars + 1), "Hoop"],
            &format!("{chars} characters"),
        ),
        (
            vec!["code", "add", "1", "--", "-3", "4", "Hoop"],
            "not inside",
        ),
        (vec!["code", "add", "99", "0", "4", "Hoop"], "no document"),
        (
            vec!["code", "add", "1", "0", "4", "Hope"],
            "there is no code `Hope`",
        ),
        (
            vec!["code", "add", "1", "0", "4", "Relaties"],
            "Hoop2/Relaties",
        ),
        (vec!["code", "rm", "12345"], "there is no coding 12345"),
    ] {
        let args: Vec<&str> = args.iter().map(|s| s.as_ref()).collect();
        let err = run_err(&dir, &args);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert_eq!(fingerprint(&dir), before, "{args:?} changed the project");
    }
}

#[test]
fn codings_filter_by_code_subcodes_participant_wave_and_coder() {
    let (_tmp, dir) = project();
    run_ok(&dir, &["demo", "--no-tui"]);
    let demo = dir.join("narrata-demo");
    let all = run_json(&demo, &["codings", "--json"])
        .as_array()
        .unwrap()
        .len();
    assert!(all > 500, "the demo has {all} codings");
    let parent = run_json(&demo, &["codings", "--code", "Verbondenheid", "--json"]);
    let only = run_json(
        &demo,
        &[
            "codings",
            "--code",
            "Verbondenheid",
            "--no-subcodes",
            "--json",
        ],
    );
    assert!(parent.as_array().unwrap().len() > only.as_array().unwrap().len());
    assert!(parent.as_array().unwrap().iter().all(|c| {
        c["code_path"]
            .as_str()
            .unwrap()
            .starts_with("Verbondenheid")
    }));
    assert!(
        only.as_array()
            .unwrap()
            .iter()
            .all(|c| c["code_path"] == "Verbondenheid")
    );

    let p03 = run_json(&demo, &["codings", "--participant", "p03", "--json"]);
    let p03 = p03.as_array().unwrap();
    assert!(p03.iter().all(|c| {
        c["participants"]
            .as_array()
            .unwrap()
            .contains(&json!("P03"))
    }));
    // P03 speaks in the T3 group interview too: his codings there count, the others' do not.
    assert!(
        p03.iter()
            .any(|c| c["wave"] == "T3" && c["participants"] == json!(["P03"]))
    );
    let t2 = run_json(&demo, &["codings", "--wave", "2", "--json"]);
    assert!(t2.as_array().unwrap().iter().all(|c| c["wave"] == "T2"));
    assert_eq!(
        run_json(&demo, &["codings", "--coder", "nobody", "--json"]),
        json!([])
    );
    assert_eq!(
        run_json(&demo, &["codings", "--coder", "onderzoeker-a", "--json"])
            .as_array()
            .unwrap()
            .len(),
        all
    );
    // The margin of `show` names the codes of each line.
    let shown = run_ok(&demo, &["show", &p03[0]["doc"].to_string()]);
    assert!(shown.contains("│ "), "{shown}");
    run_ok(&demo, &["check", "--full"]);

    // What reports use to make room for the codings (`count`) and to place them without their
    // text (`each_placed`) agree with the full listing, filter by filter.
    let store = narrata::store::Store::open(&demo).unwrap();
    let filters = [
        narrata::coding::Filter::default(),
        narrata::coding::Filter {
            code: Some("Verbondenheid".into()),
            with_subcodes: true,
            ..Default::default()
        },
        narrata::coding::Filter {
            participant: Some("p03".into()),
            wave: Some("2".into()),
            ..Default::default()
        },
        narrata::coding::Filter {
            coders: vec!["nobody".into()],
            ..Default::default()
        },
    ];
    for filter in &filters {
        let full = narrata::coding::list(store.conn(), filter).unwrap();
        assert_eq!(
            narrata::coding::count(store.conn(), filter).unwrap(),
            full.len(),
            "{filter:?}"
        );
        let mut placed = Vec::new();
        narrata::coding::each_placed(store.conn(), filter, &mut |c| {
            assert!(c.text.is_empty());
            placed.push((c.id, c.doc, c.code_id, c.wave, c.participants));
            Ok(())
        })
        .unwrap();
        let expected: Vec<_> = full
            .into_iter()
            .map(|c| (c.id, c.doc, c.code_id, c.wave, c.participants))
            .collect();
        assert_eq!(placed, expected, "{filter:?}");
    }
}

#[test]
fn codebook_reorganisation_moves_codings_with_their_codes() {
    let (_tmp, dir) = coded_project();
    run_ok(&dir, &["code", "add", "1", "30", "40", "Lotgenoten"]);
    run_ok(&dir, &["code", "add", "1", "50", "60", "Relaties"]);
    run_ok(&dir, &["code", "add", "1", "30", "40", "Relaties"]); // same span: collapses on merge

    run_ok(
        &dir,
        &[
            "codebook",
            "add",
            "Verbondenheid/Steun/Van familie",
            "--description",
            "steun van familie",
            "--color",
            "#abc",
        ],
    );
    let codes = run_json(&dir, &["codebook", "show", "--json"]);
    let fam = codes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Van familie")
        .unwrap();
    assert_eq!(fam["path"], "Verbondenheid/Steun/Van familie");
    assert_eq!(fam["color"], "#aabbcc");

    run_ok(
        &dir,
        &["codebook", "rename", "Lotgenoten", "Lotgenotencontact"],
    );
    run_ok(
        &dir,
        &[
            "codebook",
            "move",
            "Verbondenheid/Lotgenotencontact",
            "Hoop",
        ],
    );
    let moved = run_json(
        &dir,
        &["codings", "--code", "Hoop/Lotgenotencontact", "--json"],
    );
    assert_eq!(moved.as_array().unwrap().len(), 1);
    assert!(
        run_err(
            &dir,
            &["codebook", "move", "Verbondenheid", "Verbondenheid/Steun"]
        )
        .contains("one of its sub-codes")
    );

    let merged = run_ok(
        &dir,
        &[
            "codebook",
            "merge",
            "Hoop/Lotgenotencontact",
            "Verbondenheid/Relaties",
        ],
    );
    assert!(
        merged.contains("0 coding(s) moved, 1 duplicate(s) collapsed"),
        "{merged}"
    );
    let rel = run_json(&dir, &["codings", "--code", "Relaties", "--json"]);
    assert_eq!(rel.as_array().unwrap().len(), 2);

    let refused = run_err(&dir, &["codebook", "rm", "Relaties"]);
    assert!(
        refused.contains("2 coding(s)") && refused.contains("--into"),
        "{refused}"
    );
    run_ok(&dir, &["codebook", "rm", "Relaties", "--into", "Isolement"]);
    assert_eq!(
        run_json(&dir, &["codings", "--code", "Isolement", "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A code without codings goes; its sub-codes move up.
    run_ok(&dir, &["codebook", "rm", "Verbondenheid/Steun"]);
    let paths: Vec<String> = run_json(&dir, &["codebook", "show", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        paths.contains(&"Verbondenheid/Van familie".to_owned()),
        "{paths:?}"
    );
    let show = run_json(&dir, &["codebook", "show", "--json"]);
    for c in show.as_array().unwrap() {
        for field in [
            "id",
            "name",
            "path",
            "parent",
            "description",
            "include",
            "exclude",
            "example",
            "color",
            "dimension",
            "polarity",
            "codings",
        ] {
            assert!(c.get(field).is_some(), "codebook JSON lacks `{field}`");
        }
    }
    run_ok(&dir, &["check", "--full"]);
}

#[test]
fn memos_attach_to_every_kind_of_target() {
    let (_tmp, dir) = coded_project();
    run_ok(&dir, &["code", "add", "1", "30", "40", "Hoop"]);
    let targets = [
        "project",
        "participant:p01",
        "wave:T1",
        "document:1",
        "code:Verbondenheid/Relaties",
        "coding:1",
    ];
    for (i, t) in targets.iter().enumerate() {
        run_ok(&dir, &["memo", "add", t, &format!("memo nummer {i} ✓")]);
    }
    let memos = run_json(&dir, &["memos", "--json"]);
    let got: Vec<&str> = memos
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        got,
        [
            "project",
            "participant:P01",
            "wave:T1",
            "document:1",
            "code:Verbondenheid/Relaties",
            "coding:1"
        ]
    );
    for m in memos.as_array().unwrap() {
        for field in ["id", "target", "text", "coder", "created"] {
            assert!(m.get(field).is_some());
        }
    }
    assert_eq!(
        run_json(&dir, &["memos", "--target", "wave:1", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        run_err(&dir, &["memo", "add", "participant:P99", "x"]).contains("no participant `P99`")
    );
    assert!(run_err(&dir, &["memo", "add", "somewhere", "x"]).contains("not a memo target"));
    assert!(run_err(&dir, &["memo", "add", "project", "  "]).contains("needs some text"));
}

#[test]
fn undo_and_redo_round_trip_every_kind_of_change() {
    let (tmp, dir) = coded_project();
    let extra = tmp.path().join("more.yaml");
    std::fs::write(&extra, "codes:\n  - name: Nieuw\n    children:\n      - name: Kind\n  - name: Hoop\n    description: gewijzigd\n").unwrap();
    let changes: Vec<Vec<String>> = vec![
        vec![
            "code".into(),
            "add".into(),
            "1".into(),
            "30".into(),
            "40".into(),
            "Hoop".into(),
        ],
        vec![
            "memo".into(),
            "add".into(),
            "coding:1".into(),
            "waarom hoop".into(),
        ],
        vec![
            "memo".into(),
            "add".into(),
            "project".into(),
            "projectmemo".into(),
        ],
        vec!["code".into(), "rm".into(), "1".into()],
        vec!["codebook".into(), "add".into(), "Hoop/Vertrouwen".into()],
        vec![
            "codebook".into(),
            "rename".into(),
            "Hoop".into(),
            "Hoop en optimisme".into(),
        ],
        vec![
            "codebook".into(),
            "move".into(),
            "Isolement".into(),
            "Verbondenheid".into(),
        ],
        vec![
            "code".into(),
            "add".into(),
            "1".into(),
            "50".into(),
            "60".into(),
            "Relaties".into(),
        ],
        vec![
            "codebook".into(),
            "merge".into(),
            "Relaties".into(),
            "Lotgenoten".into(),
        ],
        vec![
            "codebook".into(),
            "rm".into(),
            "Hoop en optimisme/Vertrouwen".into(),
        ],
        vec![
            "codebook".into(),
            "import".into(),
            extra.to_str().unwrap().into(),
        ],
        vec![
            "codebook".into(),
            "set".into(),
            "Isolement".into(),
            "--example".into(),
            "\"Ik zit alleen.\"".into(),
        ],
    ];
    let mut states = vec![state(&dir)];
    for c in &changes {
        let args: Vec<&str> = c.iter().map(String::as_str).collect();
        run_ok(&dir, &args);
        states.push(state(&dir));
    }
    // Undo everything, one step at a time, back to the start.
    for i in (0..changes.len()).rev() {
        run_ok(&dir, &["undo"]);
        assert_eq!(state(&dir), states[i], "undo of {:?}", changes[i]);
    }
    // The codebook import that set up the project was this coder's too; then nothing is left.
    assert!(run_ok(&dir, &["undo"]).contains("import codebook"));
    assert_eq!(run_json(&dir, &["codebook", "show", "--json"]), json!([]));
    assert!(run_ok(&dir, &["undo"]).contains("nothing to undo"));
    run_ok(&dir, &["redo"]);
    assert_eq!(state(&dir), states[0]);
    // And redo all of it.
    for (i, c) in changes.iter().enumerate() {
        run_ok(&dir, &["redo"]);
        assert_eq!(state(&dir), states[i + 1], "redo of {c:?}");
    }
    assert!(run_ok(&dir, &["redo"]).contains("nothing to redo"));
    run_ok(&dir, &["check", "--full"]);
    // A new change after an undo clears what could be redone.
    run_ok(&dir, &["undo"]);
    run_ok(&dir, &["memo", "add", "project", "nieuw"]);
    assert!(run_ok(&dir, &["redo"]).contains("nothing to redo"));
    // Undo names what it took back by the number the user saw, not an internal identifier.
    let memos = run_json(&dir, &["memos", "--json"]);
    let id = memos
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["text"] == "nieuw")
        .unwrap()["id"]
        .clone();
    let said = run_ok(&dir, &["undo"]);
    assert!(
        said.contains(&format!("`add memo` on memo {id} ")),
        "{said}"
    );
}

#[test]
fn undo_is_per_coder_and_refuses_to_undo_under_another_coders_change() {
    let (_tmp, dir) = coded_project();
    run_ok(
        &dir,
        &[
            "--coder", "anna", "code", "add", "1", "30", "40", "Relaties",
        ],
    );
    run_ok(
        &dir,
        &["--coder", "ben", "memo", "add", "project", "van ben"],
    );
    // Anna's undo takes back Anna's coding, not Ben's memo.
    run_ok(&dir, &["--coder", "anna", "undo"]);
    assert_eq!(run_json(&dir, &["codings", "--json"]), json!([]));
    assert_eq!(
        run_json(&dir, &["memos", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    run_ok(&dir, &["--coder", "anna", "redo"]);
    // Ben merges the code Anna's coding has; Anna's undo of her coding must not tear it loose.
    run_ok(
        &dir,
        &[
            "--coder",
            "ben",
            "codebook",
            "merge",
            "Relaties",
            "Lotgenoten",
        ],
    );
    let before = fingerprint(&dir);
    let err = run_err(&dir, &["--coder", "anna", "undo"]);
    assert!(err.contains("has been changed since"), "{err}");
    assert_eq!(fingerprint(&dir), before);
    run_ok(&dir, &["--coder", "ben", "undo"]);
    run_ok(&dir, &["--coder", "anna", "undo"]);
    assert_eq!(run_json(&dir, &["codings", "--json"]), json!([]));
}

#[test]
fn the_coder_comes_from_the_flag_then_the_environment() {
    let (_tmp, dir) = coded_project();
    run_ok(
        &dir,
        &["--coder", "anna", "code", "add", "1", "0", "5", "Hoop"],
    );
    narrata(&dir)
        .env("NARRATA_CODER", "carla")
        .args(["code", "add", "1", "5", "9", "Hoop"])
        .assert()
        .success();
    let coders: Vec<Value> = run_json(&dir, &["codings", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["coder"].clone())
        .collect();
    assert_eq!(coders, [json!("anna"), json!("carla")]);
}

#[test]
fn memos_say_what_they_are_about_and_codes_and_documents_are_found_by_part_of_their_name() {
    let (_tmp, dir) = coded_project();
    let text = text_of(&dir);
    let (s, e) = span_of(&text, "Ik ga elke dinsdag naar de groep");
    // A code by a unique part of its name, a document by part of its title.
    run_ok(
        &dir,
        &[
            "code",
            "add",
            "p01",
            &s.to_string(),
            &e.to_string(),
            "lotgen",
        ],
    );
    let (s2, e2) = span_of(&text, "Ik heb er vertrouwen in");
    run_ok(
        &dir,
        &["code", "add", "1", &s2.to_string(), &e2.to_string(), "Hoo"],
    );
    let codings = run_json(
        &dir,
        &["codings", "--code", "Lotg", "--doc", "p01", "--json"],
    );
    assert_eq!(codings.as_array().unwrap().len(), 1, "{codings}");
    assert_eq!(codings[0]["code_path"], "Verbondenheid/Lotgenoten");
    // An ambiguous part names the candidates.
    let err = run_err(&dir, &["codings", "--code", "e"]);
    assert!(
        err.contains("Verbondenheid") && err.contains("codes"),
        "{err}"
    );
    run_ok(&dir, &["memo", "add", "coding:1", "Steun van de groep."]);
    run_ok(&dir, &["memo", "add", "code:Hoop", "Over hoop."]);
    run_ok(&dir, &["memo", "add", "project", "Algemeen."]);
    let out = run_ok(&dir, &["memos"]);
    assert!(
        out.contains("Verbondenheid/Lotgenoten · P01 T1 r. 2 · P01 T1 (document 1) · “Ik ga elke dinsdag naar de groep”"),
        "{out}"
    );
    let listed = run_json(&dir, &["memos", "--code", "verbond", "--json"]);
    let texts: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["Steun van de groep."],
        "sub-codes count, other codes not"
    );
    assert_eq!(listed[0]["code"], "Verbondenheid/Lotgenoten");
    assert_eq!(listed[0]["doc"], 1);
    let on_doc = run_json(&dir, &["memos", "--doc", "P01", "--json"]);
    assert_eq!(on_doc.as_array().unwrap().len(), 1);
    let on_hoop = run_json(&dir, &["memos", "--code", "Hoop", "--json"]);
    assert_eq!(on_hoop[0]["text"], "Over hoop.");
}
