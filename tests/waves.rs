//! Waves as researchers name them: kept as written through import, merge and REFI-QDA, found
//! whatever the case or letter, ordered by number, by first import, by date or by hand.

mod common;
use common::*;

use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn wave_names(dir: &Path) -> Vec<String> {
    run_json(dir, &["waves", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Two participants in waves W1 and W2, named so only by their files.
fn named_w() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = project();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    // The second wave first: the order still comes from the numbers.
    write(
        &src,
        "P01_W2.txt",
        "I: En nu?\nP01: Nu gaat het beter met de groep.\n",
    );
    write(
        &src,
        "P01_W1.txt",
        "I: Hoe gaat het?\nP01: Slecht, ik ben alleen.\n",
    );
    write(
        &src,
        "P02_w1.txt",
        "I: Hoe gaat het?\nP02: Goed, de groep helpt.\n",
    );
    run_ok(
        &dir,
        &["import", src.to_str().unwrap(), "--anonymise", "off"],
    );
    (tmp, dir)
}

#[test]
fn waves_keep_the_names_the_files_give_them_and_are_found_by_any_spelling() {
    let (_tmp, dir) = named_w();
    assert_eq!(
        wave_names(&dir),
        ["W1", "W2"],
        "not T1, T2; w1 and W1 are one wave"
    );
    // Any spelling finds the wave: its case, leading zeros, or the number alone.
    for typed in ["W2", "w2", "w02", "2"] {
        let r = run_json(&dir, &["search", "groep", "--wave", typed, "--json"]);
        assert_eq!(r["total"], 1, "--wave {typed}");
        assert_eq!(r["hits"][0]["wave"], "W2");
    }
    let docs = run_json(&dir, &["docs", "--json"]);
    assert!(
        docs.as_array()
            .unwrap()
            .iter()
            .all(|d| d["wave"] == "W1" || d["wave"] == "W2")
    );
    let t = run_json(&dir, &["changes", "--from", "w1", "--to", "W2", "--json"]);
    assert_eq!(t["waves"], serde_json::json!(["W1", "W2"]));
    run_ok(&dir, &["memo", "add", "wave:w2", "Tweede ronde."]);
    assert_eq!(run_json(&dir, &["memos", "--json"])[0]["target"], "wave:W2");
}

#[test]
fn a_project_whose_waves_were_stored_as_t_takes_w_files_into_them() {
    // Projects from before kept `T2` for files named W2; new files named W2 join that wave.
    let (tmp, dir) = project();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    write(&src, "P01_T2.txt", "I: vraag\nP01: antwoord een.\n");
    run_ok(
        &dir,
        &["import", src.to_str().unwrap(), "--anonymise", "off"],
    );
    let more = tmp.path().join("more");
    std::fs::create_dir(&more).unwrap();
    write(&more, "P02_W2.txt", "I: vraag\nP02: antwoord twee.\n");
    run_ok(
        &dir,
        &["import", more.to_str().unwrap(), "--anonymise", "off"],
    );
    assert_eq!(wave_names(&dir), ["T2"]);
    // Assigning by hand and rules read any spelling too.
    run_ok(&dir, &["docs", "set", "2", "--wave", "w02"]);
    assert_eq!(wave_names(&dir), ["T2"]);
    run_ok(&dir, &["groups", "define", "tweede", "wave = W2"]);
    let groups = run_ok(&dir, &["groups"]);
    assert!(
        groups.contains("tweede") && groups.contains(" 2 "),
        "{groups}"
    );
    // Another letter is another series: a follow-up F1 is not T1.
    let f = tmp.path().join("f");
    std::fs::create_dir(&f).unwrap();
    write(
        &f,
        "P01.md",
        "---\nparticipant: P01\nwave: F1\n---\nI: vraag\nP01: later.\n",
    );
    run_ok(&dir, &["import", f.to_str().unwrap(), "--anonymise", "off"]);
    assert_eq!(
        wave_names(&dir),
        ["F1", "T2"],
        "two waves, ordered by their numbers"
    );
}

#[test]
fn named_waves_come_in_import_order_and_can_be_ordered_by_hand_or_by_date() {
    let (tmp, dir) = project();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    // Imported one at a time: najaar first, then voorjaar, then baseline.
    for (file, wave, date) in [
        ("a.md", "najaar-2024", "2024-10-02"),
        ("b.md", "voorjaar-2024", "2024-04-11"),
        ("c.md", "baseline", "2023-11-20"),
    ] {
        let one = tmp.path().join(file);
        std::fs::write(
            &one,
            format!(
                "---\nparticipant: P01\nwave: {wave}\ndate: {date}\n---\nI: vraag\nP01: antwoord.\n"
            ),
        )
        .unwrap();
        run_ok(
            &dir,
            &["import", one.to_str().unwrap(), "--anonymise", "off"],
        );
    }
    assert_eq!(
        wave_names(&dir),
        ["najaar-2024", "voorjaar-2024", "baseline"]
    );
    let by_date = run_json(&dir, &["waves", "order", "--by-date", "--json"]);
    let names: Vec<&str> = by_date
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["baseline", "voorjaar-2024", "najaar-2024"]);
    run_ok(
        &dir,
        &["waves", "order", "voorjaar-2024", "Baseline", "najaar-2024"],
    );
    assert_eq!(
        wave_names(&dir),
        ["voorjaar-2024", "baseline", "najaar-2024"]
    );
    // The change table follows the order.
    let t = run_json(&dir, &["changes", "--json"]);
    assert_eq!(
        t["waves"],
        serde_json::json!(["voorjaar-2024", "baseline", "najaar-2024"])
    );
    // Every wave must be named, each once; the order can be undone.
    assert!(
        run_err(&dir, &["waves", "order", "baseline", "najaar-2024"])
            .contains("missing: voorjaar-2024")
    );
    assert!(
        run_err(
            &dir,
            &["waves", "order", "baseline", "baseline", "najaar-2024"]
        )
        .contains("twice")
    );
    run_ok(&dir, &["undo"]);
    assert_eq!(
        wave_names(&dir),
        ["baseline", "voorjaar-2024", "najaar-2024"]
    );
    // A numbered wave imported among named waves (or after an order set by hand) goes last,
    // not into the middle.
    let t5 = tmp.path().join("t5.md");
    std::fs::write(
        &t5,
        "---\nparticipant: P01\nwave: T5\n---\nI: vraag\nP01: antwoord.\n",
    )
    .unwrap();
    run_ok(
        &dir,
        &["import", t5.to_str().unwrap(), "--anonymise", "off"],
    );
    assert_eq!(
        wave_names(&dir),
        ["baseline", "voorjaar-2024", "najaar-2024", "T5"]
    );
    let _ = src;
}

#[test]
fn wave_names_survive_merge_and_a_refi_qda_round_trip() {
    let (tmp, dir) = named_w();
    // REFI-QDA: exported and imported into a new project.
    let out = tmp.path().join("p.qdpx");
    run_ok(&dir, &["export", "qdpx", out.to_str().unwrap()]);
    narrata(tmp.path())
        .args(["init", "copy"])
        .assert()
        .success();
    let copy = tmp.path().join("copy");
    run_ok(
        &copy,
        &["import", out.to_str().unwrap(), "--anonymise", "off"],
    );
    assert_eq!(wave_names(&copy), ["W1", "W2"]);
    // Merge: two copies that each began a third wave, one from files named W3, one from T3,
    // unite them as one wave, kept as the first named it.
    let b = tmp.path().join("copy-b");
    run_ok(&dir, &["backup", b.to_str().unwrap()]);
    let here = tmp.path().join("w3");
    std::fs::create_dir(&here).unwrap();
    write(&here, "P01_W3.txt", "I: vraag\nP01: antwoord drie.\n");
    run_ok(
        &dir,
        &["import", here.to_str().unwrap(), "--anonymise", "off"],
    );
    let there = tmp.path().join("t3");
    std::fs::create_dir(&there).unwrap();
    write(&there, "P02_T3.txt", "I: vraag\nP02: antwoord drie.\n");
    run_ok(
        &b,
        &["import", there.to_str().unwrap(), "--anonymise", "off"],
    );
    run_ok(&dir, &["merge", b.to_str().unwrap()]);
    assert_eq!(wave_names(&dir), ["W1", "W2", "W3"]);
}
