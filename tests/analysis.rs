//! Coding queries, matrices, co-occurrence, attributes and rule groups against hand
//! computations on a small project of three interviews (the counting rules are in
//! docs/ANALYSIS.md).
//!
//! P01 T1: "I: Hoe gaat het?" / "P01: Ik was alleen en somber. Toen kwam de groep." /
//!         "I: En nu?" / "P01: Nu heb ik hoop en vrienden."
//! P01 T2: "I: Vertel eens." / "P01: De groep geeft mij hoop."
//! P02 T1: "I: Hoe gaat het?" / "P02: Ik ben vaak alleen." / "I: En de groep?" /
//!         "P02: Die helpt, ik voel hoop."
//!
//! Codings (coder `tester` unless said): Isolation on "Ik was alleen en somber." and "Ik ben
//! vaak alleen."; Peer on "Toen kwam de groep." (and coder B on "de groep" inside it: one
//! passage), "De groep geeft mij hoop." and "Die helpt"; Hope on "Nu heb ik hoop", "geeft mij
//! hoop." and "ik voel hoop.".

mod common;

use std::path::{Path, PathBuf};

use common::{narrata, project, run_json, run_ok, stderr_of};
use serde_json::Value;

fn span(text: &str, phrase: &str) -> (i64, i64) {
    let byte = text
        .find(phrase)
        .unwrap_or_else(|| panic!("{phrase:?} not in {text:?}"));
    let start = text[..byte].chars().count() as i64;
    (start, start + phrase.chars().count() as i64)
}

fn fixture() -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = project();
    let files = [
        (
            "P01_T1.md",
            "---\nparticipant: P01\nwave: T1\nparticipant_attributes:\n  age_group: 50-59\n---\nI: Hoe gaat het?\nP01: Ik was alleen en somber. Toen kwam de groep.\nI: En nu?\nP01: Nu heb ik hoop en vrienden.\n",
        ),
        (
            "P01_T2.md",
            "---\nparticipant: P01\nwave: T2\n---\nI: Vertel eens.\nP01: De groep geeft mij hoop.\n",
        ),
        (
            "P02_T1.md",
            "---\nparticipant: P02\nwave: T1\nparticipant_attributes:\n  age_group: 30-39\n---\nI: Hoe gaat het?\nP02: Ik ben vaak alleen.\nI: En de groep?\nP02: Die helpt, ik voel hoop.\n",
        ),
    ];
    for (name, text) in files {
        let file = tmp.path().join(name);
        std::fs::write(&file, text).unwrap();
        narrata(&dir)
            .args(["import", file.to_str().unwrap(), "--anonymise", "off"])
            .assert()
            .success();
    }
    for code in ["Isolation", "Peer", "Hope"] {
        run_ok(&dir, &["codebook", "add", code]);
    }
    let code = |coder: &str, doc: &str, phrase: &str, code: &str| {
        let text = run_json(&dir, &["show", doc, "--json"])["text"]
            .as_str()
            .unwrap()
            .to_owned();
        let (s, e) = span(&text, phrase);
        run_ok(
            &dir,
            &[
                "--coder",
                coder,
                "code",
                "add",
                doc,
                &s.to_string(),
                &e.to_string(),
                code,
            ],
        );
    };
    code("tester", "1", "Ik was alleen en somber.", "Isolation");
    code("tester", "1", "Toen kwam de groep.", "Peer");
    code("B", "1", "de groep", "Peer");
    code("tester", "1", "Nu heb ik hoop", "Hope");
    code("tester", "2", "De groep geeft mij hoop.", "Peer");
    code("tester", "2", "geeft mij hoop.", "Hope");
    code("tester", "3", "Ik ben vaak alleen.", "Isolation");
    code("tester", "3", "Die helpt", "Peer");
    code("tester", "3", "ik voel hoop.", "Hope");
    (tmp, dir)
}

fn texts(r: &Value) -> Vec<String> {
    r["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap().to_owned())
        .collect()
}

fn query(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["query"];
    all.extend_from_slice(args);
    all.push("--json");
    texts(&run_json(dir, &all))
}

#[test]
fn coding_queries_return_the_passages_worked_out_by_hand() {
    let (_tmp, dir) = fixture();
    // AND: overlapping words by default; the span of both when in the same turn.
    assert_eq!(query(&dir, &["Peer AND Hope"]), ["geeft mij hoop."]);
    assert_eq!(
        query(&dir, &["Peer AND Hope", "--same-turn"]),
        ["De groep geeft mij hoop.", "Die helpt, ik voel hoop."]
    );
    // NOT: Isolation never overlaps Peer; in the same turn only P01 T1's does.
    assert_eq!(query(&dir, &["Isolation NOT Peer"]).len(), 2);
    assert_eq!(
        query(&dir, &["Isolation AND NOT Peer", "--same-turn"]),
        ["Ik ben vaak alleen."]
    );
    // FOLLOWED BY in turns: Isolation in turn 2, Hope in turn 4: two turns on.
    assert!(query(&dir, &["Isolation FOLLOWED BY Hope"]).is_empty());
    assert_eq!(
        query(&dir, &["Isolation FOLLOWED BY Hope", "--distance", "2"]),
        [
            "Ik was alleen en somber. Toen kwam de groep.\nI: En nu?\nP01: Nu heb ik hoop",
            "Ik ben vaak alleen.\nI: En de groep?\nP02: Die helpt, ik voel hoop."
        ]
    );
    // Hope never comes before Isolation.
    assert!(query(&dir, &["Hope FOLLOWED BY Isolation", "--distance", "9"]).is_empty());
    // NEAR in words: no word between P01's Isolation and Peer.
    assert_eq!(
        query(
            &dir,
            &["Isolation NEAR Peer", "--distance", "0", "--unit", "words"]
        ),
        ["Ik was alleen en somber. Toen kwam de groep."]
    );
    assert_eq!(
        query(
            &dir,
            &["Isolation NEAR Peer", "--distance", "20", "--unit", "words"]
        )
        .len(),
        2
    );
    // OR: every passage of either, the two coders' "de groep" inside one passage.
    assert_eq!(query(&dir, &["Peer OR Hope"]).len(), 6);
    // Parentheses and precedence: AND before OR.
    assert_eq!(
        query(&dir, &["Isolation OR Peer AND Hope"]).len(),
        3,
        "two Isolation passages and one overlap"
    );
    assert_eq!(query(&dir, &["(Isolation OR Peer) AND Hope"]).len(), 1);
}

#[test]
fn queries_are_filtered_by_participant_wave_coder_rule_and_words() {
    let (_tmp, dir) = fixture();
    assert_eq!(
        query(&dir, &["Peer OR Hope", "--participant", "P02"]).len(),
        2
    );
    assert_eq!(query(&dir, &["Peer OR Hope", "--wave", "T2"]).len(), 2);
    assert_eq!(
        query(&dir, &["Peer OR Hope", "--where", "age_group = 50-59"]).len(),
        4
    );
    assert_eq!(query(&dir, &["Peer", "--coder", "B"]), ["de groep"]);
    assert_eq!(
        query(&dir, &["Isolation OR Peer", "--text", "somber"]),
        ["Ik was alleen en somber."]
    );
    // Citations: participant, wave and lines.
    let r = run_json(&dir, &["query", "Peer AND Hope", "--json"]);
    let p = &r["passages"][0];
    assert_eq!(p["participants"][0], "P01");
    assert_eq!(p["wave"], "T2");
    assert_eq!(p["line"], 2);
    assert_eq!(r["total"], 1);
}

#[test]
fn a_querys_passages_can_be_coded_undone_and_written_to_word_and_csv() {
    let (tmp, dir) = fixture();
    let docx = tmp.path().join("query.docx");
    let csv = tmp.path().join("query.csv");
    let out = run_ok(
        &dir,
        &[
            "query",
            "Peer AND Hope",
            "--same-turn",
            "--code-as",
            "Queries/Peer with hope",
            "--docx",
            docx.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
        ],
    );
    assert!(out.contains("coded 2 passage(s)"), "{out}");
    let coded = run_json(
        &dir,
        &["codings", "--code", "Queries/Peer with hope", "--json"],
    );
    let coded: Vec<&str> = coded
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        coded,
        ["De groep geeft mij hoop.", "Die helpt, ik voel hoop."]
    );
    // One undo takes the code and its codings away together.
    run_ok(&dir, &["undo"]);
    let e = narrata(&dir)
        .args(["codings", "--code", "Queries/Peer with hope"])
        .assert()
        .failure();
    assert!(stderr_of(&e).contains("no code"), "{}", stderr_of(&e));
    let sheet = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        sheet.lines().count(),
        4,
        "the scope, the header, two rows: {sheet}"
    );
    assert!(sheet.contains("# query"), "{sheet}");
    assert!(sheet.contains("\"Die helpt, ik voel hoop.\""), "{sheet}");
    // The report opens in an independent reader and quotes both passages with citations.
    let py = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, docx; print('\\n'.join(p.text for p in docx.Document(sys.argv[1]).paragraphs))",
            docx.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    if py.status.success() {
        let text = String::from_utf8_lossy(&py.stdout);
        assert!(
            text.contains("“De groep geeft mij hoop.” (P01, T2, r.\u{a0}2)"),
            "{text}"
        );
        assert!(text.contains("Die helpt, ik voel hoop."), "{text}");
    } else {
        assert!(
            std::env::var("CI").is_err(),
            "python-docx is needed in CI: {}",
            String::from_utf8_lossy(&py.stderr)
        );
    }
}

#[test]
fn query_mistakes_are_sentences() {
    let (_tmp, dir) = fixture();
    for (q, says) in [
        ("Peer AND", "ends where a code was expected"),
        ("Peer AND Nonsense", "there is no code `Nonsense`"),
        ("(Peer OR Hope", "does not close"),
        ("AND Hope", "where a code was expected"),
    ] {
        let e = narrata(&dir).args(["query", q]).assert().failure();
        assert!(stderr_of(&e).contains(says), "{q}: {}", stderr_of(&e));
    }
}

fn cell<'a>(m: &'a Value, code: &str, column: &str) -> &'a Value {
    let col = m["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["name"] == column)
        .unwrap_or_else(|| panic!("no column {column}: {}", m["columns"]));
    let row = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("no row {code}"));
    &row["cells"][col]
}

#[test]
fn matrices_count_passages_words_and_coverage_as_worked_out_by_hand() {
    let (_tmp, dir) = fixture();
    let m = run_json(&dir, &["matrix", "--across", "participant", "--json"]);
    for (code, p01, p02) in [("Isolation", 1, 1), ("Peer", 2, 1), ("Hope", 2, 1)] {
        assert_eq!(cell(&m, code, "P01")["codings"], p01, "{code}");
        assert_eq!(cell(&m, code, "P02")["codings"], p02, "{code}");
    }
    // Each cell holds the passages it counts.
    assert_eq!(
        cell(&m, "Peer", "P01")["segments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let m = run_json(&dir, &["matrix", "--across", "wave", "--json"]);
    assert_eq!(cell(&m, "Isolation", "T1")["codings"], 2);
    assert_eq!(cell(&m, "Isolation", "T2")["codings"], 0);
    assert_eq!(cell(&m, "Peer", "T2")["codings"], 1);
    // Words: each word once ("de groep" of coder B lies inside "Toen kwam de groep.").
    let m = run_json(
        &dir,
        &[
            "matrix",
            "--across",
            "participant",
            "--measure",
            "coverage",
            "--json",
        ],
    );
    for (code, p01, p02) in [("Isolation", 5, 4), ("Peer", 9, 2), ("Hope", 7, 3)] {
        assert_eq!(cell(&m, code, "P01")["words"], p01, "{code}");
        assert_eq!(cell(&m, code, "P02")["words"], p02, "{code}");
    }
    // A participant's text is their own turns (the interviewer's words are not theirs).
    let own = |doc: &str| -> f64 {
        run_json(&dir, &["show", doc, "--json"])["turns"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["participant"] == "P01")
            .map(|t| t["words"].as_f64().unwrap())
            .sum()
    };
    let p01_words = own("1") + own("2");
    assert_eq!(p01_words, 20.0, "9 + 6 words in T1, 5 in T2");
    let got = cell(&m, "Peer", "P01")["coverage"].as_f64().unwrap();
    assert!((got - 9.0 / p01_words).abs() < 1e-9, "{got}");
    // Columns by an attribute's values, and by a group defined by a rule.
    let m = run_json(&dir, &["matrix", "--across", "age_group", "--json"]);
    assert_eq!(cell(&m, "Peer", "50-59")["codings"], 2);
    assert_eq!(cell(&m, "Peer", "30-39")["codings"], 1);
    run_ok(
        &dir,
        &[
            "groups",
            "define",
            "Vijftigers eerste ronde",
            "age_group = 50-59 AND wave = T1",
        ],
    );
    let m = run_json(&dir, &["matrix", "--across", "group", "--json"]);
    assert_eq!(cell(&m, "Hope", "Vijftigers eerste ronde")["codings"], 1);
    assert_eq!(
        cell(&m, "Isolation", "Vijftigers eerste ronde")["codings"],
        1
    );
    // The same group filters any analysis.
    let m = run_json(
        &dir,
        &[
            "matrix",
            "--across",
            "wave",
            "--group",
            "Vijftigers eerste ronde",
            "--json",
        ],
    );
    assert_eq!(cell(&m, "Peer", "T1")["codings"], 1);
    assert!(
        m["columns"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "T2"),
        "{}",
        m["columns"]
    );
}

/// Reads a Word report's tables and pictures with independent readers (python-docx, Pillow):
/// per picture its size in pixels, its resolution, its printed width in inches and how many
/// pixels it has of each colour asked for.
fn read_report(docx: &Path, colours: &[[u8; 3]]) -> Option<Value> {
    let script = r#"
import sys, json, io, docx
from PIL import Image
d = docx.Document(sys.argv[1])
want = [tuple(c) for c in json.loads(sys.argv[2])]
pictures = []
for shape in d.inline_shapes:
    rid = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
    img = Image.open(io.BytesIO(d.part.related_parts[rid].blob)).convert("RGB")
    counts = {c: 0 for c in want}
    for c in img.getdata():
        if c in counts:
            counts[c] += 1
    pictures.append({"size": img.size, "dpi": [round(x) for x in img.info.get("dpi", (0, 0))],
                     "inches": shape.width.inches, "counts": [counts[c] for c in want]})
tables = [[[c.text for c in r.cells] for r in t.rows] for t in d.tables]
captions = [p.text for p in d.paragraphs if p.style is not None and p.style.name == "Caption"]
print(json.dumps({"pictures": pictures, "tables": tables, "captions": captions}))
"#;
    let py = std::process::Command::new("python3")
        .args([
            "-c",
            script,
            docx.to_str().unwrap(),
            &serde_json::to_string(colours).unwrap(),
        ])
        .output()
        .unwrap();
    if py.status.success() {
        return Some(serde_json::from_slice(&py.stdout).unwrap());
    }
    assert!(
        std::env::var("CI").is_err(),
        "python-docx and Pillow are needed in CI (bash tests/run.sh installs them): {}",
        String::from_utf8_lossy(&py.stderr)
    );
    None
}

#[test]
fn a_matrix_report_shows_a_heat_map_in_the_codes_colours_beside_its_table() {
    let (tmp, dir) = fixture();
    run_ok(&dir, &["codebook", "set", "Peer", "--color", "#1f77b4"]);
    let docx = tmp.path().join("matrix.docx");
    run_ok(
        &dir,
        &[
            "matrix",
            "--across",
            "participant",
            "--docx",
            docx.to_str().unwrap(),
            "--language",
            "en",
        ],
    );
    // Peer: 2 passages for P01 (the largest cell: the full colour), 1 for P02 (half the
    // largest: a tint, 0.15 + 0.85 × 0.5 of the way from white to the colour).
    let tint = |c: u8| (255.0 + (f64::from(c) - 255.0) * 0.575).round() as u8;
    let full = [0x1f, 0x77, 0xb4];
    let half = [tint(0x1f), tint(0x77), tint(0xb4)];
    let Some(r) = read_report(&docx, &[full, half]) else {
        return;
    };
    let pictures = r["pictures"].as_array().unwrap();
    assert_eq!(pictures.len(), 1, "{r}");
    let p = &pictures[0];
    assert_eq!(p["dpi"], serde_json::json!([150, 150]), "{p}");
    assert!(p["inches"].as_f64().unwrap() <= 5.9, "fits the page: {p}");
    // A cell is about 48 × 30 pixels; the figure written in it takes a few.
    let counts = p["counts"].as_array().unwrap();
    assert!(counts[0].as_u64().unwrap() > 800, "the full colour: {p}");
    assert!(counts[1].as_u64().unwrap() > 800, "the tint: {p}");
    // The table says the same in figures, with the row total.
    let table = &r["tables"][0];
    let peer = table
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row[0] == "Peer")
        .unwrap_or_else(|| panic!("{table}"));
    assert_eq!(peer, &serde_json::json!(["Peer", "2", "1", "3"]), "{table}");
    assert_eq!(table[0], serde_json::json!(["code", "P01", "P02", "total"]));
    assert!(
        r["captions"][0]
            .as_str()
            .unwrap()
            .contains("Codes × participants"),
        "{r}"
    );
}

#[test]
fn cooccurrence_counts_pairs_and_jaccard_as_worked_out_by_hand() {
    let (_tmp, dir) = fixture();
    let pair = |c: &Value, a: &str, b: &str| -> (u64, f64) {
        let codes: Vec<&str> = c["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["code"].as_str().unwrap())
            .collect();
        let i = codes.iter().position(|x| *x == a).unwrap();
        let j = codes.iter().position(|x| *x == b).unwrap();
        let p = &c["cells"][i][j];
        assert_eq!(p, &c["cells"][j][i], "symmetric");
        (p["count"].as_u64().unwrap(), p["jaccard"].as_f64().unwrap())
    };
    let close = |(n, j): (u64, f64), (want_n, want_j): (u64, f64)| {
        assert_eq!(n, want_n);
        assert!((j - want_j).abs() < 1e-9, "{j} vs {want_j}");
    };
    let c = run_json(&dir, &["cooccurrence", "--json"]);
    // Overlap: only P01 T2's Peer and Hope; 1 + 1 of 3 + 3 passages meet.
    close(pair(&c, "Peer", "Hope"), (1, 2.0 / 6.0));
    close(pair(&c, "Isolation", "Peer"), (0, 0.0));
    close(pair(&c, "Peer", "Peer"), (3, 1.0));
    let c = run_json(&dir, &["cooccurrence", "--near", "turn", "--json"]);
    close(pair(&c, "Peer", "Hope"), (2, 4.0 / 6.0));
    close(pair(&c, "Isolation", "Peer"), (1, 2.0 / 5.0));
    close(pair(&c, "Isolation", "Hope"), (0, 0.0));
    let c = run_json(&dir, &["cooccurrence", "--near", "0", "--json"]);
    close(pair(&c, "Isolation", "Peer"), (1, 2.0 / 5.0));
    let sheet_dir = tempfile::tempdir().unwrap();
    let csv = sheet_dir.path().join("co.csv");
    run_ok(&dir, &["cooccurrence", "--csv", csv.to_str().unwrap()]);
    let sheet = std::fs::read_to_string(csv).unwrap();
    assert!(
        sheet.starts_with("\u{feff}# pairs of passages that meet"),
        "{sheet}"
    );
    assert!(
        sheet.contains("\r\ncount,Isolation,Peer,Hope\r\n"),
        "{sheet}"
    );
    assert!(sheet.contains("jaccard,Isolation,Peer,Hope"), "{sheet}");
}

#[test]
fn attributes_are_set_read_from_a_sheet_and_never_carry_an_identifier() {
    let (tmp, dir) = fixture();
    run_ok(&dir, &["participants", "set", "P02", "site", "noord"]);
    let ps = run_json(&dir, &["participants", "--json"]);
    assert_eq!(ps[1]["attributes"]["site"], "noord");
    // A sheet as Dutch Excel saves it: semicolons, Windows-1252.
    let sheet = tmp.path().join("kenmerken.csv");
    std::fs::write(
        &sheet,
        b"deelnemer;site;opleiding\r\nP01;zuid;hbo\r\nP09;oost;mbo\r\nP02;;caf\xe9\r\n",
    )
    .unwrap();
    let r = run_json(
        &dir,
        &["participants", "import", sheet.to_str().unwrap(), "--json"],
    );
    assert_eq!(r["unknown"][0], "P09");
    assert_eq!(r["participants"], 2);
    let ps = run_json(&dir, &["participants", "--json"]);
    assert_eq!(ps[0]["attributes"]["site"], "zuid");
    assert_eq!(ps[1]["attributes"]["opleiding"], "café");
    assert!(
        ps[1]["attributes"].get("site").is_none(),
        "an empty cell removes"
    );
    let m = run_json(&dir, &["matrix", "--across", "site", "--json"]);
    assert_eq!(cell(&m, "Peer", "zuid")["codings"], 2);
    // One undo takes the whole sheet back.
    run_ok(&dir, &["undo"]);
    let ps = run_json(&dir, &["participants", "--json"]);
    assert_eq!(ps[1]["attributes"]["site"], "noord");
    // Identifiers are refused, and nothing of the sheet is stored.
    let bad = tmp.path().join("namen.csv");
    std::fs::write(&bad, "participant,age_group,naam\nP01,50-59,Jan\n").unwrap();
    let before = run_json(&dir, &["participants", "--json"]);
    let e = narrata(&dir)
        .args(["participants", "import", bad.to_str().unwrap()])
        .assert()
        .failure();
    assert!(
        stderr_of(&e).contains("names an identifier"),
        "{}",
        stderr_of(&e)
    );
    assert_eq!(run_json(&dir, &["participants", "--json"]), before);
    let e = narrata(&dir)
        .args(["participants", "set", "P01", "contact", "p01@example.org"])
        .assert()
        .failure();
    assert!(
        stderr_of(&e).contains("looks like an identifier"),
        "{}",
        stderr_of(&e)
    );
    // Document attributes are set and selected by `doc.KEY`.
    run_ok(&dir, &["docs", "attribute", "2", "setting", "thuis"]);
    assert_eq!(
        query(&dir, &["Peer OR Hope", "--where", "doc.setting = thuis"]).len(),
        2
    );
}

#[test]
fn rules_that_cannot_be_meant_are_refused_with_what_there_is() {
    let (_tmp, dir) = fixture();
    let e = narrata(&dir)
        .args(["groups", "define", "x", "agegroup = 50-59"])
        .assert()
        .failure();
    let says = stderr_of(&e);
    assert!(
        says.contains("`agegroup`") && says.contains("age_group"),
        "{says}"
    );
    run_ok(&dir, &["groups", "define", "jong", "age_group = 30-39"]);
    let e = narrata(&dir)
        .args(["groups", "add", "jong", "1"])
        .assert()
        .failure();
    assert!(
        stderr_of(&e).contains("defined by the rule"),
        "{}",
        stderr_of(&e)
    );
    // A group follows its rule: a participant given the attribute later joins it.
    let groups = run_json(&dir, &["groups", "--json"]);
    assert_eq!(groups[0]["documents"], serde_json::json!([3]));
    run_ok(&dir, &["participants", "set", "P01", "age_group", "30-39"]);
    let groups = run_json(&dir, &["groups", "--json"]);
    assert_eq!(groups[0]["documents"], serde_json::json!([1, 2, 3]));
    let e = narrata(&dir)
        .args(["matrix", "--where", "age_group >= old"])
        .assert()
        .failure();
    assert!(
        stderr_of(&e).contains("needs a number"),
        "{}",
        stderr_of(&e)
    );
}

#[test]
fn listings_and_reports_are_filtered_by_a_rule_too() {
    let (tmp, dir) = fixture();
    let all = run_json(&dir, &["codings", "--json"])
        .as_array()
        .unwrap()
        .len();
    let young = run_json(&dir, &["codings", "--where", "age_group = 30-39", "--json"]);
    assert_eq!(all, 9);
    assert_eq!(young.as_array().unwrap().len(), 3);
    assert!(young.as_array().unwrap().iter().all(|c| c["doc"] == 3));
    let sheet = tmp.path().join("young.csv");
    run_ok(
        &dir,
        &[
            "export",
            "csv",
            sheet.to_str().unwrap(),
            "--where",
            "age_group = 30-39",
        ],
    );
    assert_eq!(std::fs::read_to_string(&sheet).unwrap().lines().count(), 4);
    // Change across waves, for the participants and documents a rule leaves.
    let all = run_json(&dir, &["changes", "--all", "--json"]);
    let young = run_json(
        &dir,
        &["changes", "--all", "--where", "age_group = 30-39", "--json"],
    );
    let who = |r: &Value| -> std::collections::BTreeSet<String> {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["participant"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(who(&all).len(), 2);
    assert_eq!(who(&young).into_iter().collect::<Vec<_>>(), ["P02"]);
    let t2 = run_json(
        &dir,
        &["changes", "--all", "--where", "wave = T2", "--json"],
    );
    let peer = t2["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["participant"] == "P01" && r["code"] == "Peer")
        .unwrap();
    let t1 = peer["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["wave"] == "T1")
        .unwrap();
    assert_eq!(t1["interviewed"], false, "T1 lies outside the rule: {peer}");
}

#[test]
fn suggestions_for_uncoded_turns_come_from_the_projects_own_codings_with_their_reasons() {
    let (tmp, dir) = fixture();
    let file = tmp.path().join("P03_T1.md");
    std::fs::write(
        &file,
        "---\nparticipant: P03\nwave: T1\n---\nI: En?\nP03: De groep helpt mij echt.\nI: En verder?\nP03: Ik voel weer hoop.\n",
    )
    .unwrap();
    narrata(&dir)
        .args(["import", file.to_str().unwrap(), "--anonymise", "off"])
        .assert()
        .success();
    let found = run_json(&dir, &["suggest", "4", "--all", "--json"]);
    let turns = found.as_array().unwrap();
    assert_eq!(turns.len(), 2, "{found}");
    let first = |t: &Value| t["suggestions"][0]["code"].as_str().unwrap().to_owned();
    assert!(
        turns[0]["text"]
            .as_str()
            .unwrap()
            .contains("De groep helpt")
    );
    assert_eq!(first(&turns[0]), "Peer");
    assert_eq!(first(&turns[1]), "Hope");
    // The reasons are codings of the suggested code.
    let codings = run_json(&dir, &["codings", "--code", "Peer", "--json"]);
    let peer: Vec<i64> = codings
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    for id in turns[0]["suggestions"][0]["because"].as_array().unwrap() {
        assert!(
            peer.contains(&id.as_i64().unwrap()),
            "{id} is no Peer coding"
        );
    }
    // Coded turns get none: the three earlier documents are coded throughout.
    let all = run_json(&dir, &["suggest", "--all", "--json"]);
    assert!(
        all.as_array().unwrap().iter().all(|t| t["doc"] == 4),
        "{all}"
    ); // Learned from a handful of codings, the listing says how little that is worth.
    let listed = run_ok(&dir, &["suggest", "4", "--all"]);
    assert!(listed.contains("learned from only 9 coding(s)"), "{listed}");
}

#[test]
fn suggestions_beat_the_most_frequent_codes_on_the_demo_leaving_each_document_out() {
    let tmp = tempfile::tempdir().unwrap();
    narrata(tmp.path())
        .args(["demo", "demo", "--no-tui"])
        .assert()
        .success();
    let e = run_json(
        &tmp.path().join("demo"),
        &["suggest", "--evaluate", "--json"],
    );
    assert!(e["turns"].as_u64().unwrap() > 200, "{e}");
    let f = |k: &str| e[k].as_f64().unwrap();
    assert!(f("precision_at_1") > f("baseline_at_1"), "{e}");
    assert!(f("precision_at_3") > f("baseline_at_3"), "{e}");
    // From the threshold on, the first suggestion is right at least half the time.
    let at = e["thresholds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| (r["threshold"].as_f64().unwrap() - narrata::suggest::THRESHOLD).abs() < 1e-9)
        .unwrap();
    assert!(at["precision_at_1"].as_f64().unwrap() >= 0.5, "{at}");
}

/// A group interview: a passage that runs over two participants' turns (and the speaker label
/// between them) counts once for each, with the words of their own turns only; a passage on
/// the moderator's turn is no participant's; the matrix agrees with the change table.
#[test]
fn group_interviews_and_interviewer_turns_count_as_the_change_table_counts() {
    let (tmp, dir) = fixture();
    let file = tmp.path().join("G01_T1.md");
    std::fs::write(
        &file,
        "---\nparticipants: [P01, P02]\nwave: T1\nkind: group\ninterviewer: M\n---\nM: Welkom allemaal.\nP01: Ik zoek werk.\nP02: Ik ook, al lang.\n",
    )
    .unwrap();
    narrata(&dir)
        .args(["import", file.to_str().unwrap(), "--anonymise", "off"])
        .assert()
        .success();
    let text = run_json(&dir, &["show", "4", "--json"])["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, _) = span(&text, "Ik zoek werk.");
    let (_, e) = span(&text, "Ik ook, al lang.");
    run_ok(
        &dir,
        &["code", "add", "4", &s.to_string(), &e.to_string(), "Hope"],
    );
    let (ms, me) = span(&text, "Welkom allemaal.");
    run_ok(
        &dir,
        &["code", "add", "4", &ms.to_string(), &me.to_string(), "Peer"],
    );
    let m = run_json(
        &dir,
        &[
            "matrix",
            "--across",
            "participant",
            "--measure",
            "words",
            "--doc",
            "4",
            "--json",
        ],
    );
    assert_eq!(cell(&m, "Hope", "P01")["codings"], 1);
    assert_eq!(cell(&m, "Hope", "P02")["codings"], 1);
    assert_eq!(cell(&m, "Hope", "P01")["words"], 3, "Ik zoek werk");
    assert_eq!(cell(&m, "Hope", "P02")["words"], 4, "Ik ook al lang");
    assert_eq!(
        cell(&m, "Peer", "P01")["codings"],
        0,
        "the moderator's turn is no one's"
    );
    assert_eq!(cell(&m, "Peer", "P02")["codings"], 0);
    // By document: the label "P02:" inside the passage is no word: 7 of the 2 + 3 + 4.
    let m = run_json(
        &dir,
        &[
            "matrix",
            "--across",
            "document",
            "--measure",
            "coverage",
            "--doc",
            "4",
            "--json",
        ],
    );
    let got = cell(&m, "Hope", "4: P01+P02 T1")["coverage"]
        .as_f64()
        .unwrap();
    assert!((got - 7.0 / 9.0).abs() < 1e-9, "{got}");
    // Asking for P01 shows P01 only, not everyone in their group interview.
    let m = run_json(&dir, &["matrix", "--participant", "P01", "--json"]);
    let names: Vec<&str> = m["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["P01"]);
    // The matrix and the change table count the same passages for P01 in T1.
    let m = run_json(&dir, &["matrix", "--wave", "T1", "--json"]);
    let changes = run_json(&dir, &["changes", "--all", "--json"]);
    for code in ["Hope", "Peer", "Isolation"] {
        let row = changes["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["participant"] == "P01" && r["code"] == code)
            .unwrap();
        let t1 = row["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["wave"] == "T1")
            .unwrap();
        assert_eq!(cell(&m, code, "P01")["codings"], t1["codings"], "{code}");
    }
    // Prefixed attribute keys name the same columns; a code without passages meets nothing.
    let a = run_json(&dir, &["matrix", "--across", "age_group", "--json"]);
    let b = run_json(
        &dir,
        &["matrix", "--across", "participant.age_group", "--json"],
    );
    assert_eq!(a["rows"], b["rows"]);
    run_ok(&dir, &["codebook", "add", "Unused"]);
    let c = run_json(&dir, &["cooccurrence", "--codes", "Hope,Unused", "--json"]);
    assert_eq!(c["cells"][0][1]["jaccard"], 0.0);
    assert_eq!(c["cells"][1][1]["jaccard"], 0.0);
    // A rule on a participant attribute matches the group interview through P01 (50-59), but
    // per-participant analyses then show P01 only: P02 (30-39) is not 50-59.
    let m = run_json(&dir, &["matrix", "--where", "age_group = 50-59", "--json"]);
    let columns: Vec<&str> = m["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(columns, ["P01"]);
    let changes = run_json(
        &dir,
        &["changes", "--all", "--where", "age_group = 50-59", "--json"],
    );
    assert!(
        changes["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["participant"] == "P01"),
        "{changes}"
    );
}
