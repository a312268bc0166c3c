//! Agreement between coders against hand computations on a small project: characters and
//! turns as units, two coders, and where they differ.

mod common;

use std::path::PathBuf;

use common::{narrata, project, run_json};
use serde_json::Value;

/// One interview of four turns; coder A codes turn 2, coder B the first ten characters of
/// turn 2 and all of turn 4, both with code X; both code turn 4 with Y.
fn fixture() -> (tempfile::TempDir, PathBuf, Vec<(i64, i64)>, i64) {
    let (tmp, dir) = project();
    let file = tmp.path().join("P01_T1.txt");
    std::fs::write(
        &file,
        "I: Hoe was de week?\nP01: Druk, maar goed, ik ben naar de groep geweest.\nI: En verder?\nP01: Verder rustig, ik heb veel gewandeld.\n",
    )
    .unwrap();
    narrata(&dir)
        .args(["import", file.to_str().unwrap(), "--anonymise", "off"])
        .assert()
        .success();
    for code in ["X", "Y"] {
        narrata(&dir)
            .args(["codebook", "add", code])
            .assert()
            .success();
    }
    let shown = run_json(&dir, &["show", "1", "--json"]);
    let turns: Vec<(i64, i64)> = shown["turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["start"].as_i64().unwrap(), t["end"].as_i64().unwrap()))
        .collect();
    let chars = shown["text"].as_str().unwrap().chars().count() as i64;
    let code = |coder: &str, (s, e): (i64, i64), code: &str| {
        narrata(&dir)
            .args([
                "--coder",
                coder,
                "code",
                "add",
                "1",
                &s.to_string(),
                &e.to_string(),
                code,
            ])
            .assert()
            .success();
    };
    code("A", turns[1], "X");
    code("B", (turns[1].0, turns[1].0 + 10), "X");
    code("B", turns[3], "X");
    code("A", turns[3], "Y");
    code("B", turns[3], "Y");
    (tmp, dir, turns, chars)
}

fn per_code<'a>(r: &'a Value, code: &str) -> &'a Value {
    r["per_code"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap()
}

fn close(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((got - want).abs() < 1e-9, "{got} vs {want}");
}

#[test]
fn characters_as_units_equal_a_hand_computation() {
    let (_tmp, dir, turns, n) = fixture();
    let r = run_json(&dir, &["agreement", "--coders", "A,B", "--json"]);
    assert_eq!(r["unit"], "characters");
    assert_eq!(r["coders"], serde_json::json!(["A", "B"]));
    // Code X, per character of the whole text: both 10, A only L2 − 10, B only L4.
    let l2 = (turns[1].1 - turns[1].0) as f64;
    let l4 = (turns[3].1 - turns[3].0) as f64;
    let n = n as f64;
    let (both, a_only, b_only) = (10.0, l2 - 10.0, l4);
    let neither = n - both - a_only - b_only;
    let p_o = (both + neither) / n;
    let (pa, pb) = ((both + a_only) / n, (both + b_only) / n);
    let p_e = pa * pb + (1.0 - pa) * (1.0 - pb);
    let kappa = (p_o - p_e) / (1.0 - p_e);
    // Krippendorff's alpha: 2n pairable values; each disagreeing character gives one (0,1)
    // and one (1,0) coincidence; n1 = values 1, n0 = values 0.
    let values = 2.0 * n;
    let n1 = 2.0 * both + a_only + b_only;
    let n0 = values - n1;
    let alpha = 1.0 - (values - 1.0) * 2.0 * (a_only + b_only) / (2.0 * n0 * n1);
    let x = per_code(&r, "X");
    close(&x["agreement"], p_o);
    close(&x["kappa"], kappa);
    close(&x["alpha"], alpha);
    assert_eq!(
        x["coded"],
        serde_json::json!([l2 as u64, (10.0 + l4) as u64])
    );
    // Code Y: identical codings, but kappa and alpha measure beyond chance: both 1.
    let y = per_code(&r, "Y");
    close(&y["agreement"], 1.0);
    close(&y["kappa"], 1.0);
    close(&y["alpha"], 1.0);
    // Pooled: the units of X and Y together (2n of them).
    let (both2, a2, b2) = (both + l4, a_only, b_only);
    let n2 = 2.0 * n;
    let neither2 = n2 - both2 - a2 - b2;
    let p_o2 = (both2 + neither2) / n2;
    let (pa2, pb2) = ((both2 + a2) / n2, (both2 + b2) / n2);
    let p_e2 = pa2 * pb2 + (1.0 - pa2) * (1.0 - pb2);
    close(&r["overall"]["agreement"], p_o2);
    close(&r["overall"]["kappa"], (p_o2 - p_e2) / (1.0 - p_e2));
}

#[test]
fn turns_as_units_equal_a_hand_computation() {
    let (_tmp, dir, _, _) = fixture();
    let r = run_json(
        &dir,
        &[
            "agreement",
            "--coders",
            "A,B",
            "--unit",
            "turns",
            "--code",
            "X",
            "--json",
        ],
    );
    // Four turns: both coded turn 2, only B turn 4, neither turns 1 and 3.
    // p_o = 3/4; pA = 1/4, pB = 2/4, p_e = 1/8 + 3/8 = 1/2; kappa = (3/4 − 1/2)/(1/2) = 1/2.
    // alpha: 8 values, n1 = 3, n0 = 5, disagreeing coincidences 2: 1 − 7·2/(2·5·3) = 8/15.
    let x = per_code(&r, "X");
    close(&x["agreement"], 0.75);
    close(&x["kappa"], 0.5);
    close(&x["alpha"], 8.0 / 15.0);
    assert_eq!(r["per_code"].as_array().unwrap().len(), 1);
    assert_eq!(x["units"], 4);
}

#[test]
fn disagreements_list_where_the_coders_differ() {
    let (_tmp, dir, turns, _) = fixture();
    let list = run_json(
        &dir,
        &["agreement", "--coders", "A,B", "--disagreements", "--json"],
    );
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[0]["code"], "X");
    assert_eq!(list[0]["start"], turns[1].0 + 10);
    assert_eq!(list[0]["end"], turns[1].1);
    assert_eq!(list[0]["coded_by"], serde_json::json!(["A"]));
    assert_eq!(list[1]["start"], turns[3].0);
    assert_eq!(list[1]["coded_by"], serde_json::json!(["B"]));
    // The table for people.
    let out = narrata(&dir)
        .args(["agreement", "--coders", "A,B"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("(all codes pooled)") && text.contains("kappa"),
        "{text}"
    );
}

#[test]
fn unknown_coders_and_single_coders_are_refused() {
    let (_tmp, dir, _, _) = fixture();
    for (coders, expected) in [("A,Z", "no coder `Z`"), ("A", "at least two coders")] {
        let out = narrata(&dir)
            .args(["agreement", "--coders", coders])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{err}");
    }
}

#[test]
fn scope_coded_counts_only_documents_every_coder_has_coded() {
    let (tmp, dir, _turns, _n) = fixture();
    // A second interview only coder A has coded.
    let file = tmp.path().join("P02_T1.txt");
    std::fs::write(&file, "I: Hoe gaat het?\nP02: Goed, dank je.\n").unwrap();
    narrata(&dir)
        .args(["import", file.to_str().unwrap(), "--anonymise", "off"])
        .assert()
        .success();
    narrata(&dir)
        .args(["--coder", "A", "code", "add", "2", "17", "27", "X"])
        .assert()
        .success();
    let all = run_json(&dir, &["agreement", "--coders", "A,B", "--json"]);
    let coded = run_json(
        &dir,
        &["agreement", "--coders", "A,B", "--scope", "coded", "--json"],
    );
    assert_eq!(all["documents"], 2);
    assert_eq!(coded["documents"], 1);
    // Only A's coding in the second interview: a disagreement in `all`, absent in `coded`,
    // where the figures are those of the first interview alone.
    let first_only = {
        let (_t, d, _, _) = fixture();
        run_json(&d, &["agreement", "--coders", "A,B", "--json"])
    };
    assert_eq!(coded["overall"], first_only["overall"]);
    assert_ne!(all["overall"], first_only["overall"]);
}

/// A rule or a group narrows the documents agreement is computed over, as every analysis.
#[test]
fn agreement_counts_the_documents_a_rule_leaves() {
    let (_tmp, dir, _turns, _n) = fixture();
    let all = run_json(&dir, &["agreement", "--coders", "A,B", "--json"]);
    let same = run_json(
        &dir,
        &[
            "agreement",
            "--coders",
            "A,B",
            "--where",
            "participant = P01",
            "--json",
        ],
    );
    assert_eq!(all["overall"], same["overall"]);
    let none = run_json(
        &dir,
        &[
            "agreement",
            "--coders",
            "A,B",
            "--where",
            "kind = group",
            "--json",
        ],
    );
    assert_ne!(all["overall"], none["overall"], "{none}");
    assert!(
        none["overall"]["agreement"].is_null(),
        "no documents, no measure: {none}"
    );
}
