//! Change across waves on a hand-made fixture whose every number is worked out here, and on
//! the demo samples, whose written-in trajectories must be found.

mod common;
use common::*;

use std::path::Path;

use narrata::store::Store;
use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn span(dir: &Path, doc: &str, needle: &str) -> (String, String) {
    let text = run_ok(dir, &["show", doc, "--raw"]);
    let b = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {text:?}"));
    let s = text[..b].chars().count();
    (s.to_string(), (s + needle.chars().count()).to_string())
}

fn code(dir: &Path, doc: &str, needle: &str, code: &str) {
    let (s, e) = span(dir, doc, needle);
    run_ok(dir, &["code", "add", doc, &s, &e, code]);
}

/// P01: T1 (10 own words), no T2 interview, T3 (10 own words individually + 10 in a group).
fn fixture() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = project();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    write(
        &src,
        "P01_T1.txt",
        "I: vraag over hoop\nP01: een twee drie vier vijf zes zeven acht negen tien\n",
    );
    write(
        &src,
        "P02_T2.txt",
        "I: vraag\nP02: alleen P02 in ronde twee\n",
    );
    write(&src, "P01_T3.txt", "I: vraag\nP01: a b c d e f g h i j\n");
    write(
        &src,
        "G01_T3.md",
        "---\nparticipants: [P01, P02]\nwave: T3\n---\nM: welkom\nP01: k l m n o p q r s t\nP02: u v w\n",
    );
    run_ok(
        &dir,
        &["import", src.to_str().unwrap(), "--anonymise", "off"],
    );
    let book = tmp.path().join("book.yaml");
    std::fs::write(&book, "codes:\n  - name: Hoop\n    dimension: hope\n    polarity: positive\n  - name: Wanhoop\n    dimension: hope\n    polarity: negative\n").unwrap();
    run_ok(&dir, &["codebook", "import", book.to_str().unwrap()]);
    let docs = run_json(&dir, &["docs", "--json"]);
    let id = |p: &str, w: &str, kind: &str| {
        docs.as_array()
            .unwrap()
            .iter()
            .find(|d| {
                d["participants"]
                    .as_array()
                    .unwrap()
                    .contains(&Value::from(p))
                    && d["wave"] == w
                    && d["kind"] == kind
            })
            .unwrap()["id"]
            .to_string()
    };
    let (t1, t3, g3) = (
        id("P01", "T1", "individual"),
        id("P01", "T3", "individual"),
        id("P01", "T3", "group"),
    );
    code(&dir, &t1, "een twee", "Hoop"); // 2 of 10 own words
    code(&dir, &t1, "vraag over hoop", "Hoop"); // the interviewer's words: not P01's
    code(&dir, &t3, "a b c d e", "Hoop"); // overlapping codings count their words once:
    code(&dir, &t3, "d e f g h", "Hoop"); // a…h = 8 words
    code(&dir, &g3, "k l", "Hoop"); // 2 words in the group interview
    code(&dir, &g3, "u v", "Hoop"); // P02's words: not P01's
    code(&dir, &t3, "i j", "Wanhoop"); // 2 words
    (tmp, dir)
}

#[test]
fn coverage_counts_only_the_participants_own_words_and_keeps_not_interviewed_apart() {
    let (_tmp, dir) = fixture();
    // The import kept every document's word positions, so the table below counts with them.
    let conn = rusqlite::Connection::open(dir.join("narrata.db")).unwrap();
    let without: i64 = conn
        .query_row(
            "SELECT count(*) FROM documents WHERE id NOT IN (SELECT doc_id FROM document_words)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        without, 0,
        "documents imported without their word positions"
    );
    drop(conn);
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
    assert_eq!(t["waves"], serde_json::json!(["T1", "T2", "T3"]));
    let cells = t["rows"][0]["cells"].as_array().unwrap();
    // T1: 1 coding of P01's words (the interviewer's is not theirs), 2 of 10 words.
    assert_eq!(
        (cells[0]["codings"].as_u64(), cells[0]["words"].as_u64()),
        (Some(1), Some(2))
    );
    assert!((cells[0]["coverage"].as_f64().unwrap() - 0.2).abs() < 1e-9);
    assert!((cells[0]["per_1000_words"].as_f64().unwrap() - 100.0).abs() < 1e-9);
    // T2: not interviewed, not "absent".
    assert_eq!(cells[1]["interviewed"], false);
    assert_eq!(cells[1]["coverage"], Value::Null);
    // T3: 2 coded passages on P01's turns (a…e and d…h overlap: one passage, a…h; and k l);
    // 8 + 2 = 10 coded words of 20 own words (10 alone, 10 in the group).
    assert_eq!(
        (cells[2]["codings"].as_u64(), cells[2]["words"].as_u64()),
        (Some(2), Some(10))
    );
    assert!((cells[2]["coverage"].as_f64().unwrap() - 0.5).abs() < 1e-9);
    // 0.2 → 0.5 over the waves attended: ratio 2.5 ≥ 1.5.
    assert_eq!(t["rows"][0]["change"], "increased");
    // With a ratio of 3 it is constant.
    let t = run_json(
        &dir,
        &[
            "changes",
            "--participant",
            "P01",
            "--code",
            "Hoop",
            "--ratio",
            "3",
            "--json",
        ],
    );
    assert_eq!(t["rows"][0]["change"], "constant");
    // Needing 2 codings a wave: present only in T3 → emerged.
    let t = run_json(
        &dir,
        &[
            "changes",
            "--participant",
            "P01",
            "--code",
            "Hoop",
            "--min-codings",
            "2",
            "--json",
        ],
    );
    assert_eq!(t["rows"][0]["change"], "emerged");
    // P02 was interviewed in T2 and T3 only, and never coded with Wanhoop.
    let t = run_json(
        &dir,
        &[
            "changes",
            "--participant",
            "P02",
            "--code",
            "Wanhoop",
            "--json",
        ],
    );
    assert_eq!(t["rows"][0]["change"], "absent");
    assert_eq!(t["rows"][0]["cells"][0]["interviewed"], false);
    // One wave only: insufficient.
    let t = run_json(
        &dir,
        &[
            "changes",
            "--participant",
            "P01",
            "--code",
            "Hoop",
            "--from",
            "T3",
            "--json",
        ],
    );
    assert_eq!(
        (t["waves"].clone(), t["rows"][0]["change"].clone()),
        (serde_json::json!(["T3"]), Value::from("insufficient"))
    );
}

#[test]
fn balance_is_positive_minus_negative_over_their_sum_in_coded_words() {
    let (_tmp, dir) = fixture();
    let t = run_json(&dir, &["changes", "--participant", "P01", "--json"]);
    let b = t["balance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["dimension"] == "hope")
        .unwrap();
    // T1: 2 positive, 0 negative → 1; T2: not interviewed → null; T3: (10 − 2) / 12.
    assert_eq!(b["cells"][0]["balance"].as_f64(), Some(1.0));
    assert_eq!(b["cells"][1]["balance"], Value::Null);
    assert!((b["cells"][2]["balance"].as_f64().unwrap() - 8.0 / 12.0).abs() < 1e-9);
}

#[test]
fn a_label_can_be_confirmed_or_overridden_with_a_memo_and_undone() {
    let (_tmp, dir) = fixture();
    run_ok(
        &dir,
        &[
            "changes",
            "set",
            "p01",
            "Hoop",
            "constant",
            "--memo",
            "Coded words grew, but she says the same.",
        ],
    );
    let row = &run_json(
        &dir,
        &[
            "changes",
            "--participant",
            "P01",
            "--code",
            "Hoop",
            "--json",
        ],
    )["rows"][0];
    assert_eq!(
        (row["change"].as_str(), row["confirmed"].as_str()),
        (Some("increased"), Some("constant"))
    );
    assert!(row["memo"].as_str().unwrap().contains("the same"));
    assert!(
        run_err(&dir, &["changes", "set", "P01", "Hoop", "better"]).contains("not a change label")
    );
    run_ok(&dir, &["undo"]);
    assert_eq!(
        run_json(
            &dir,
            &[
                "changes",
                "--participant",
                "P01",
                "--code",
                "Hoop",
                "--json"
            ]
        )["rows"][0]["confirmed"],
        Value::Null
    );
}

#[test]
fn lexical_shift_gives_keyness_and_pronoun_rates() {
    let (tmp, dir) = project();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    // T1: 10 words, "ik" 4 times; T2: 10 words, "wij" 3 times, "ik" once.
    write(
        &src,
        "P05_T1.txt",
        "I: vraag\nP05: ik ik ik ik ben alleen thuis en zit stil\n",
    );
    write(
        &src,
        "P05_T2.txt",
        "I: vraag\nP05: wij wij wij gaan samen ik ben er blij nu\n",
    );
    run_ok(
        &dir,
        &["import", src.to_str().unwrap(), "--anonymise", "off"],
    );
    let l = run_json(
        &dir,
        &[
            "changes",
            "--lexical",
            "--participant",
            "P05",
            "--from",
            "T1",
            "--to",
            "T2",
            "--json",
        ],
    );
    assert_eq!(l["pronouns"][0]["singular_rate"].as_f64(), Some(400.0));
    assert_eq!(l["pronouns"][1]["singular_rate"].as_f64(), Some(100.0));
    assert_eq!(l["pronouns"][1]["plural_rate"].as_f64(), Some(300.0));
    // "wij": 0 of 10 then 3 of 10. E = 1.5 each; G² = 2 · 3 ln(3/1.5) = 6 ln 2 = 4.1589.
    let wij = l["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["word"] == "wij")
        .unwrap();
    assert!(
        (wij["g2"].as_f64().unwrap() - 6.0 * 2f64.ln()).abs() < 1e-6,
        "{wij}"
    );
    assert_eq!(
        (wij["from_rate"].as_f64(), wij["to_rate"].as_f64()),
        (Some(0.0), Some(300.0))
    );
    // Ten words a wave: said to be too small to read.
    assert_eq!(l["words"], serde_json::json!([10, 10]));
    assert_eq!(l["too_small"], true);
    let plain = run_ok(
        &dir,
        &[
            "changes",
            "--lexical",
            "--participant",
            "P05",
            "--from",
            "T1",
            "--to",
            "T2",
        ],
    );
    assert!(plain.contains("too few words to read"), "{plain}");
    assert!(run_err(&dir, &["changes", "--lexical", "--participant", "P05"]).contains("--from"));
}

#[test]
fn the_trajectories_written_into_the_samples_are_found() {
    let tmp = tempfile::tempdir().unwrap();
    run_ok(tmp.path(), &["demo", "--no-tui"]);
    let demo = tmp.path().join("narrata-demo");
    let label = |p: &str, code: &str| {
        run_json(
            &demo,
            &[
                "changes",
                "--participant",
                p,
                "--code",
                code,
                "--roll-up",
                "--json",
            ],
        )["rows"][0]["change"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // P01 recovers: isolation and hopelessness cease.
    assert_eq!(label("P01", "Isolement en eenzaamheid"), "ceased");
    assert_eq!(label("P01", "Hopeloosheid"), "ceased");
    // P02 relapses: hopelessness emerges.
    assert_eq!(label("P02", "Hopeloosheid"), "emerged");
    // P06 fluctuates: hopelessness only in the middle wave.
    assert_eq!(label("P06", "Hopeloosheid"), "fluctuating");
    // P01 moves from "ik" towards "wij".
    let l = run_json(
        &demo,
        &[
            "changes",
            "--lexical",
            "--participant",
            "P01",
            "--from",
            "T1",
            "--to",
            "T3",
            "--json",
        ],
    );
    let (t1, t3) = (&l["pronouns"][0], &l["pronouns"][1]);
    assert!(
        t3["plural_rate"].as_f64() > t1["plural_rate"].as_f64(),
        "{l}"
    );
    assert!(
        t3["singular_rate"].as_f64() < t1["singular_rate"].as_f64(),
        "{l}"
    );
}

#[test]
fn the_cohort_counts_participants_per_wave_and_their_movement() {
    let (_tmp, dir) = fixture();
    let c = run_json(&dir, &["changes", "--cohort", "--json"]);
    let hoop = c["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "Hoop")
        .unwrap();
    let cells: Vec<(u64, u64)> = hoop["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["n"].as_u64().unwrap(), x["of"].as_u64().unwrap()))
        .collect();
    // T1: P01 of P01; T2: nobody of P02; T3: P01 and P02 (P02's words in the group) of both.
    assert_eq!(cells, [(1, 1), (0, 1), (2, 2)]);
    // Only P01 was interviewed in both T1 and T3, and kept the code.
    assert_eq!(
        (
            hoop["kept"].as_u64(),
            hoop["gained"].as_u64(),
            hoop["lost"].as_u64(),
            hoop["never"].as_u64()
        ),
        (Some(1), Some(0), Some(0), Some(0))
    );
    let wanhoop = c["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "Wanhoop")
        .unwrap();
    assert_eq!(wanhoop["gained"], 1);
    let text = run_ok(&dir, &["changes", "--cohort"]);
    assert!(
        text.contains("1/1") && text.contains("not what it means"),
        "{text}"
    );
}

#[test]
fn the_change_table_exports_as_long_format_csv() {
    let (tmp, dir) = fixture();
    let out = tmp.path().join("changes.csv");
    run_ok(&dir, &["export", "changes", out.to_str().unwrap()]);
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("participant,code,wave,interviewed,codings,coded_words,coverage"));
    assert!(
        lines.contains(&"P01,Hoop,T1,true,1,2,0.200000,100.000000,increased,,,false"),
        "{csv}"
    );
    assert!(
        lines.contains(&"P01,Hoop,T2,false,,,,,increased,,,false"),
        "{csv}"
    );
    assert!(lines.contains(&"# Codings counted: tester's."), "{csv}");
    assert!(csv.trim_end().ends_with("not what it means."));
    let err = run_err(
        &dir,
        &[
            "export",
            "changes",
            tmp.path().join("c.pdf").to_str().unwrap(),
        ],
    );
    assert!(err.contains("not .pdf"), "{err}");
}

#[test]
fn pen_portraits_are_listed_in_wave_order_with_the_change_table() {
    let (_tmp, dir) = fixture();
    run_ok(
        &dir,
        &[
            "memo",
            "add",
            "portrait:P01:T3",
            "Vertelt over de groep als houvast.",
        ],
    );
    run_ok(
        &dir,
        &[
            "memo",
            "add",
            "portrait:p01:1",
            "Stil, weinig woorden, veel zorgen.",
        ],
    );
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
    let waves: Vec<&str> = t["portraits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["wave"].as_str().unwrap())
        .collect();
    assert_eq!(waves, ["T1", "T3"]);
    let memos = run_json(&dir, &["memos", "--target", "portrait:P01:T3", "--json"]);
    assert_eq!(memos.as_array().unwrap().len(), 1);
    assert_eq!(memos[0]["target"], "portrait:P01:T3");
    assert!(
        run_err(&dir, &["memo", "add", "portrait:P01", "x"]).contains("portrait:PARTICIPANT:WAVE")
    );
    run_ok(&dir, &["check", "--full"]);
    // Undo takes the last portrait back.
    run_ok(&dir, &["undo"]);
    assert_eq!(
        run_json(&dir, &["changes", "--participant", "P01", "--json"])["portraits"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn the_change_report_is_a_word_document_with_real_headings_grids_and_excerpts() {
    let (tmp, dir) = fixture();
    run_ok(
        &dir,
        &["memo", "add", "portrait:P01:T1", "Stil, weinig woorden."],
    );
    let out = tmp.path().join("changes.docx");
    run_ok(
        &dir,
        &[
            "export",
            "changes",
            out.to_str().unwrap(),
            "--language",
            "en",
        ],
    );
    // Read back by an independent reader (python-docx), as Word or LibreOffice would.
    let script = r#"
import sys, json, io, docx
from PIL import Image
d = docx.Document(sys.argv[1])
heads = [(p.style.name, p.text) for p in d.paragraphs if p.style is not None and p.style.name.startswith('Heading')]
cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
captions = [p.text for p in d.paragraphs if p.style is not None and p.style.name == "Caption"]
images = []
for shape in d.inline_shapes:
    rid = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
    img = Image.open(io.BytesIO(d.part.related_parts[rid].blob))
    img.load()
    images.append({"size": img.size, "colours": len(set(img.convert("RGB").getdata()))})
print(json.dumps({"heads": heads, "cells": cells, "captions": captions, "pictures": len(d.inline_shapes),
                  "images": images, "text": "\n".join(p.text for p in d.paragraphs)}))
"#;
    let result = std::process::Command::new("python3")
        .args(["-c", script, out.to_str().unwrap()])
        .output()
        .expect("python3 reads the report (run the tests with `bash tests/run.sh`, which installs the readers)");
    assert!(
        result.status.success(),
        "python-docx could not read the report: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&result.stdout).unwrap();
    let heads: Vec<(String, String)> = serde_json::from_value(r["heads"].clone()).unwrap();
    assert!(
        heads.contains(&("Heading 1".into(), "P01".into())),
        "{heads:?}"
    );
    assert!(
        heads.contains(&("Heading 2".into(), "Hoop — increased".into())),
        "{heads:?}"
    );
    assert!(
        heads.contains(&("Heading 1".into(), "Cohort".into())),
        "{heads:?}"
    );
    let cells = r["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n");
    // The grid: T1 has 1 coding at 20.0%; T2 was no interview; excerpts cite participant, wave and lines.
    assert!(
        cells.contains("1\u{a0}(20.0%)") && cells.contains("not interviewed"),
        "{cells}"
    );
    // English: "l." held to its number by a no-break space.
    assert!(cells.contains("“een twee” (P01, T1, l.\u{a0}2)"), "{cells}");
    // The cohort's n/N in the table, and the grids drawn as bar charts beneath them: one
    // picture per participant with codes and one for the cohort, each captioned.
    assert!(cells.contains("\n1/1\n"), "{cells}");
    assert!(cells.contains("\n0/1\n"), "{cells}");
    let captions: Vec<&str> = r["captions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(r["pictures"], captions.len(), "{captions:?}");
    assert!(
        captions
            .iter()
            .any(|c| c.starts_with("P01: coverage per wave"))
            && captions.iter().any(|c| c.starts_with("The cohort")),
        "{captions:?}"
    );
    // The participants' charts come before the cohort's, and each is a picture an
    // independent reader (Pillow) decodes, with bars drawn in it (more than one colour).
    let first = |prefix: &str| captions.iter().position(|c| c.starts_with(prefix));
    assert!(
        first("P01").unwrap() < first("The cohort").unwrap(),
        "{captions:?}"
    );
    let images = r["images"].as_array().unwrap();
    assert_eq!(images.len(), captions.len(), "{images:?}");
    for image in images {
        assert!(image["size"][0].as_u64().unwrap() > 100, "{image}");
        assert!(image["colours"].as_u64().unwrap() > 1, "{image}");
    }
    let text = r["text"].as_str().unwrap();
    assert!(
        text.contains("T1: Stil, weinig woorden.") && text.contains("not what it means"),
        "{text}"
    );
}

/// After a merge the change table once pooled every coder: two coders on one quote counted
/// twice, the same quote stood twice in the report, and a code could be "ceased" only because
/// a second coder coded one wave. Now overlapping codings count once, `--coders` chooses
/// whose codings count, reports say whose they counted, and a label that compares waves coded
/// by different coders is marked.
#[test]
fn coders_are_counted_once_chosen_by_name_and_named_in_every_report() {
    let (tmp, dir) = project();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    write(
        &src,
        "P01_T1.txt",
        "I: Hoe gaat het?\nP01: Ik heb weer hoop, de groep helpt echt. Maar thuis ben ik vaak alleen.\n",
    );
    write(
        &src,
        "P01_T2.txt",
        "I: En nu?\nP01: Ik heb nog steeds hoop en ik zie mensen.\n",
    );
    run_ok(
        &dir,
        &["import", src.to_str().unwrap(), "--anonymise", "off"],
    );
    run_ok(&dir, &["codebook", "add", "Hoop"]);
    run_ok(&dir, &["codebook", "add", "Isolement"]);
    run_ok(&dir, &["codebook", "add", "Steun"]);
    let as_coder = |coder: &str, doc: &str, needle: &str, code_name: &str| {
        let (s, e) = span(&dir, doc, needle);
        run_ok(
            &dir,
            &["--coder", coder, "code", "add", doc, &s, &e, code_name],
        );
    };
    as_coder("anna", "1", "Ik heb weer hoop", "Hoop");
    as_coder("anna", "1", "thuis ben ik vaak alleen", "Isolement");
    as_coder("anna", "2", "nog steeds hoop", "Hoop");
    as_coder("bert", "1", "heb weer hoop, de groep", "Hoop");
    as_coder("bert", "1", "ben ik vaak alleen", "Isolement");
    as_coder("bert", "1", "de groep helpt echt", "Steun");

    // Every coder, overlaps once: one passage of Hoop in T1, not two.
    let t = run_json(
        &dir,
        &["changes", "--participant", "P01", "--all", "--json"],
    );
    assert_eq!(t["coders"], serde_json::json!(["anna", "bert"]));
    let row = |t: &Value, code_name: &str| -> Value {
        t["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code_name)
            .cloned()
            .unwrap()
    };
    let hoop = row(&t, "Hoop");
    assert_eq!(hoop["cells"][0]["codings"], 1, "{hoop}");
    // "Ik heb weer hoop, de groep": 6 words, each once.
    assert_eq!(hoop["cells"][0]["words"], 6, "{hoop}");
    assert_eq!(row(&t, "Isolement")["cells"][0]["codings"], 1);
    // Steun "ceased" exists only through bert, who did not code T2: marked.
    let steun = row(&t, "Steun");
    assert_eq!(steun["change"], "ceased");
    assert_eq!(steun["coders_differ"], true);
    let text = run_ok(&dir, &["changes", "--participant", "P01"]);
    assert!(
        text.contains("ceased †") && text.contains("anna, bert together"),
        "{text}"
    );

    // Only anna: nothing ceased, nothing marked.
    let t = run_json(
        &dir,
        &[
            "changes",
            "--participant",
            "P01",
            "--all",
            "--coders",
            "anna",
            "--json",
        ],
    );
    assert_eq!(t["coders"], serde_json::json!(["anna"]));
    assert_eq!(row(&t, "Hoop")["change"], "constant");
    assert_eq!(row(&t, "Hoop")["cells"][0]["words"], 4);
    assert_eq!(row(&t, "Steun")["change"], "absent");
    assert!(
        t["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["coders_differ"] == false)
    );
    let cohort = run_json(&dir, &["changes", "--cohort", "--coders", "anna", "--json"]);
    assert_eq!(cohort["coders"], serde_json::json!(["anna"]));
    // A coder who does not exist is an error that names the ones who do.
    let err = run_err(&dir, &["changes", "--coders", "anne"]);
    assert!(
        err.contains("no coder `anne`") && err.contains("anna, bert"),
        "{err}"
    );

    // The Word report shows the shared quote once, naming both coders, and says whose
    // codings it counted. Read back with python-docx.
    let out = tmp.path().join("change.docx");
    run_ok(&dir, &["export", "changes", out.to_str().unwrap()]);
    let script = r#"
import sys, json, docx
d = docx.Document(sys.argv[1])
cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
print(json.dumps({"paras": [p.text for p in d.paragraphs], "cells": cells}))
"#;
    let read = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&out)
        .output()
        .expect("python3 with python-docx (run the tests with `bash tests/run.sh`, which installs the readers)");
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let r: Value = serde_json::from_slice(&read.stdout).unwrap();
    let paras: Vec<&str> = r["paras"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        // The project is Dutch, so is the report unless --language says otherwise.
        paras.iter().any(|p| p.contains("anna, bert samen")),
        "{paras:?}"
    );
    assert!(paras.iter().any(|p| p.contains('†')), "{paras:?}");
    let quotes: Vec<&str> = r["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .filter(|c| c.contains("vaak alleen"))
        .collect();
    // Isolement ceased: its T1 quote, coded by both, stands once.
    let total: usize = quotes
        .iter()
        .map(|c| c.matches("vaak alleen").count())
        .sum();
    assert_eq!(total, 1, "{quotes:?}");
    assert!(quotes[0].contains("[anna, bert]"), "{quotes:?}");
}

#[test]
fn lexical_shift_counts_no_pseudonym_or_speaker_code_and_can_hide_function_words() {
    let (tmp, dir) = project();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    // Enough words a wave (over 1,000) to be read; names and an address replaced on import.
    let t1 = "Ik woon nu bij Marieke Jansen op de Kerkstraat 12 en de hond is er ook. ".repeat(130);
    let t2 = "Wij gaan samen naar de groep en P03 zegt dat het goed gaat met ons. ".repeat(130);
    write(&src, "P03_T1.txt", &format!("I: vraag\nP03: {t1}\n"));
    write(&src, "P03_T2.txt", &format!("I: vraag\nP03: {t2}\n"));
    let imported = narrata(&dir)
        .env("NARRATA_PASSPHRASE", "correct horse")
        .env("NARRATA_KEY_WORK_FACTOR", "4")
        .args(["import", src.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let shown = run_ok(&dir, &["show", "1", "--raw"]);
    assert!(
        shown.contains("-1]") && !shown.contains("Marieke"),
        "{shown}"
    );
    let args = [
        "changes",
        "--lexical",
        "--participant",
        "P03",
        "--from",
        "T1",
        "--to",
        "T2",
        "--json",
    ];
    let l = run_json(&dir, &args);
    assert_eq!(l["too_small"], false, "{}", l["words"]);
    let words: Vec<&str> = l["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["word"].as_str().unwrap())
        .collect();
    for w in &words {
        assert!(
            !w.contains('-') || !w.chars().any(|c| c.is_ascii_digit()),
            "a pseudonym counted as a word: {w} in {words:?}"
        );
        assert_ne!(*w, "p03", "a speaker code counted as a word");
    }
    assert!(
        words.contains(&"de") || words.contains(&"en") || words.contains(&"het"),
        "{words:?}"
    );
    // Function words left out of the list, not out of the counts.
    let mut without = args.to_vec();
    without.push("--without-function-words");
    let w = run_json(&dir, &without);
    assert_eq!(w["words"], l["words"]);
    let shown: Vec<&str> = w["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["word"].as_str().unwrap())
        .collect();
    for f in ["de", "en", "het", "met", "op"] {
        assert!(!shown.contains(&f), "{f} in {shown:?}");
    }
    assert!(
        shown.contains(&"samen") && shown.contains(&"hond"),
        "{shown:?}"
    );
}

/// A report limited to a group of documents quotes what its grid counts: no excerpt from a
/// document outside the group.
#[test]
fn a_change_report_of_a_group_quotes_only_the_groups_documents() {
    let (tmp, dir) = fixture();
    // The individual interviews only: the group interview G01 is left out.
    let docs = run_json(&dir, &["docs", "--json"]);
    let individual: Vec<String> = docs
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "individual")
        .map(|d| d["id"].to_string())
        .collect();
    let mut args = vec!["groups", "add", "individuals"];
    args.extend(individual.iter().map(String::as_str));
    run_ok(&dir, &args);
    let read_cells = |out: &Path| -> String {
        let result = std::process::Command::new("python3")
            .args([
                "-c",
                "import sys, docx\nd = docx.Document(sys.argv[1])\nprint('\\n'.join(c.text for t in d.tables for r in t.rows for c in r.cells))",
                out.to_str().unwrap(),
            ])
            .output()
            .expect("python3 with python-docx (bash tests/run.sh installs it)");
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        String::from_utf8(result.stdout).unwrap()
    };
    let cells_of = |group: Option<&str>, name: &str| -> String {
        let store = narrata::store::Store::open(&dir).unwrap();
        let out = tmp.path().join(name);
        narrata::export::changes_docx(
            store.conn(),
            "fixture",
            &narrata::change::Options {
                group: group.map(str::to_owned),
                ratio: 1.5,
                min_codings: 1,
                ..Default::default()
            },
            narrata::export::language::Language::En,
            &out,
        )
        .unwrap();
        read_cells(&out)
    };
    let everything = cells_of(None, "all.docx");
    assert!(
        everything.contains("“k l”"),
        "the group interview is quoted: {everything}"
    );
    let individuals = cells_of(Some("individuals"), "individuals.docx");
    assert!(individuals.contains("“een twee”"), "{individuals}");
    assert!(individuals.contains("“a b c d e f g h”"), "{individuals}");
    assert!(
        !individuals.contains("“k l”"),
        "nothing from outside the group: {individuals}"
    );
    // The command line says the same with --group, and with a rule.
    let cli = tmp.path().join("cli.docx");
    let cli_arg = cli.to_str().unwrap();
    run_ok(
        &dir,
        &[
            "export",
            "changes",
            cli_arg,
            "--group",
            "individuals",
            "--language",
            "en",
        ],
    );
    assert_eq!(read_cells(&cli), individuals);
    run_ok(
        &dir,
        &[
            "export",
            "changes",
            cli_arg,
            "--where",
            "kind = individual",
            "--language",
            "en",
        ],
    );
    assert_eq!(read_cells(&cli), individuals);
}

// The change table's counting on hand-made rows: words that codings share, overlapping
// codings, codings beyond the participant's turns, and an empty turn between theirs.

/// The participant's one turn after the interviewer's.
const ONE_TURN: &str = "(1, 1, 'P', 1, 0, 15, 65, 1, 9)";

/// One participant's individual interview in one wave: an interviewer's turn and theirs.
fn one_interview(codings: &str) -> (tempfile::TempDir, Store) {
    interview_with(ONE_TURN, codings)
}

fn interview_with(turns: &str, codings: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path(), "test", "nl").unwrap();
    let text = "I: En toen? P: Ik ging naar de zelfhulpgroep en daarna naar huis.";
    store
        .conn()
        .execute_batch(&format!(
            "INSERT INTO coders (id, name, created) VALUES (1, 'anna', 't'), (2, 'bob', 't');
             INSERT INTO participants (id, guid, code, created) VALUES (1, 'p1', 'P01', 't');
             INSERT INTO waves (id, guid, name, ordinal, created) VALUES (1, 'w1', 'T1', 1, 't');
             INSERT INTO codes (id, guid, name, created) VALUES (1, 'c1', 'Steun', 't');
             INSERT INTO documents (id, guid, title, kind, language, wave_id, source_name,
                 source_format, source_sha256, text, chars, words, created, created_by)
                 VALUES (1, 'd', 'P01 T1', 'individual', 'nl', 1, 'a.txt', 'text', 'x', '{text}', 65, 13, 't', 1);
             INSERT INTO document_participants (doc_id, participant_id) VALUES (1, 1);
             INSERT INTO turns (doc_id, seq, speaker, participant_id, is_interviewer, start, end, line, words)
                 VALUES (1, 0, 'I', NULL, 1, 3, 11, 1, 2), {turns};
             {codings}"
        ))
        .unwrap();
    (dir, store)
}

fn words_coded(store: &Store) -> Option<usize> {
    let table = narrata::change::table(store.conn(), &narrata::change::Options::default()).unwrap();
    table.rows[0].cells[0].words
}

#[test]
fn a_word_two_codings_share_counts_once_and_overlapping_codings_are_one_passage() {
    // "zelfhulpgroep" (characters 31 to 44): one coder codes up to its fifth letter, the
    // other from its seventh on: two passages, and the word once.
    let (_dir, store) = one_interview(
        "INSERT INTO codings (guid, doc_id, code_id, start, end, coder_id, created)
             VALUES ('g1', 1, 1, 15, 36, 1, 't'), ('g2', 1, 1, 37, 47, 2, 't');",
    );
    let table = narrata::change::table(store.conn(), &narrata::change::Options::default()).unwrap();
    let cell = &table.rows[0].cells[0];
    // "Ik ging naar de zelfh" and "lpgroep en": five words and two, one shared.
    assert_eq!((cell.codings, cell.words), (Some(2), Some(6)));
    // The same words coded as two overlapping codings: one passage, the same words.
    let (_dir, store) = one_interview(
        "INSERT INTO codings (guid, doc_id, code_id, start, end, coder_id, created)
             VALUES ('g1', 1, 1, 15, 38, 1, 't'), ('g2', 1, 1, 35, 47, 2, 't');",
    );
    let table = narrata::change::table(store.conn(), &narrata::change::Options::default()).unwrap();
    let cell = &table.rows[0].cells[0];
    assert_eq!((cell.codings, cell.words), (Some(1), Some(6)));
    // A coding over the interviewer's words and the participant's counts only theirs.
    let (_dir, store) = one_interview(
        "INSERT INTO codings (guid, doc_id, code_id, start, end, coder_id, created)
             VALUES ('g1', 1, 1, 3, 23, 1, 't');",
    );
    assert_eq!(words_coded(&store), Some(2));
}

#[test]
fn an_empty_turn_between_a_participants_turns_takes_no_words_from_the_others() {
    // The participant's words split in two turns with an empty one (as a replacement of a
    // whole turn leaves it) between them; the coding holds "Ik ging naar".
    let (_dir, store) = interview_with(
        "(1, 1, 'P', 1, 0, 15, 44, 1, 5), (1, 2, 'P', 1, 0, 44, 44, 1, 0),
         (1, 3, 'P', 1, 0, 45, 65, 1, 4)",
        "INSERT INTO codings (guid, doc_id, code_id, start, end, coder_id, created)
             VALUES ('g1', 1, 1, 15, 27, 1, 't'), ('g2', 1, 1, 48, 54, 1, 't');",
    );
    let table = narrata::change::table(store.conn(), &narrata::change::Options::default()).unwrap();
    let cell = &table.rows[0].cells[0];
    // "Ik ging naar" and "daarna": four words in two passages.
    assert_eq!((cell.codings, cell.words), (Some(2), Some(4)));
}
