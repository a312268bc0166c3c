//! The command line, run as a process in temporary folders, as a researcher or a script
//! would run it. Every command, every refusal, and the JSON shapes other tools rely on.

use std::path::Path;

use serde_json::Value;

mod common;
use common::*;

#[test]
fn init_creates_a_project_and_refuses_to_create_it_twice() {
    let (tmp, dir) = project();
    assert!(dir.join("narrata.db").is_file());
    let again = narrata(tmp.path())
        .args(["init", "study"])
        .assert()
        .failure();
    assert!(stderr_of(&again).contains("already holds a narrata project"));
    narrata(tmp.path())
        .args(["init", "other", "--language", "fr"])
        .assert()
        .failure();
}

#[test]
fn import_anonymises_by_default_so_it_needs_the_key_passphrase() {
    let (_tmp, dir) = project();
    let before = fingerprint(&dir);
    for args in [vec![], vec!["--anonymise", "auto"]] {
        let mut cmd = narrata(&dir);
        cmd.env_remove("NARRATA_PASSPHRASE");
        cmd.arg("import")
            .arg(samples().join("P01_T1.md"))
            .args(&args);
        let a = cmd.assert().failure();
        let err = stderr_of(&a);
        assert!(err.contains("NARRATA_PASSPHRASE"), "{err}");
    }
    let a = narrata(&dir)
        .env_remove("NARRATA_PASSPHRASE")
        .args([
            "import",
            samples().join("P01_T1.md").to_str().unwrap(),
            "--anonymise",
            "review",
        ])
        .assert()
        .failure();
    assert!(stderr_of(&a).contains("NARRATA_PASSPHRASE"));
    assert_eq!(fingerprint(&dir), before);
    assert!(!dir.join("key.age").exists());
}

#[test]
fn the_samples_import_with_participants_waves_and_the_contracted_json() {
    let (_tmp, dir) = project();
    let report = import_samples(&dir);
    assert_eq!(report["imported"], 24);
    assert_eq!(report["skipped"], 0);

    let docs = run_json(&dir, &["docs", "--json"]);
    let docs = docs.as_array().unwrap();
    assert_eq!(docs.len(), 24);
    for d in docs {
        for field in [
            "id",
            "participant",
            "participants",
            "wave",
            "kind",
            "title",
            "words",
            "turns",
            "codings",
        ] {
            assert!(
                d.get(field).is_some(),
                "documents JSON lacks `{field}`: {d}"
            );
        }
    }
    let p03_t2 = docs
        .iter()
        .find(|d| d["participant"] == "P03" && d["wave"] == "T2")
        .unwrap();
    assert_eq!(p03_t2["kind"], "individual");
    assert_eq!(p03_t2["participants"], serde_json::json!(["P03"]));
    let group = docs
        .iter()
        .find(|d| d["wave"] == "T3" && d["kind"] == "group")
        .unwrap();
    assert_eq!(group["participant"], Value::Null);
    assert_eq!(
        group["participants"],
        serde_json::json!(["P03", "P05", "P06"])
    );
    // P05's files have no front matter: participant and wave come from the file name.
    assert_eq!(docs.iter().filter(|d| d["participant"] == "P05").count(), 3);
    assert_eq!(docs.iter().filter(|d| d["language"] == "en").count(), 4);

    let participants = run_json(&dir, &["participants", "--json"]);
    let codes: Vec<&str> = participants
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08"]
    );
    let p01 = &participants[0];
    assert_eq!(p01["documents"], 4); // three interviews and one group interview
    assert_eq!(p01["waves"], serde_json::json!(["T1", "T2", "T3"]));
    assert_eq!(p01["attributes"]["age_group"], "40-49");

    let waves = run_json(&dir, &["waves", "--json"]);
    let names: Vec<&str> = waves
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["T1", "T2", "T3"]);
    assert_eq!(waves[0]["ordinal"], 1);
    assert_eq!(waves[0]["documents"], 9);

    narrata(&dir).args(["check", "--full"]).assert().success();
}

#[test]
fn importing_the_same_files_again_skips_them_and_changes_nothing() {
    let (_tmp, dir) = project();
    import_samples(&dir);
    let before = fingerprint(&dir);
    let again = import_samples(&dir);
    assert_eq!(again["imported"], 0);
    assert_eq!(again["skipped"], 24);
    let note = again["files"][0]["notes"][0].as_str().unwrap();
    assert!(note.contains("already in the project"), "{note}");
    assert_eq!(fingerprint(&dir), before);
}

#[test]
fn the_gold_identifier_offsets_point_at_the_stored_text() {
    // samples/gold records every fictional identifier by character offsets into the text
    // narrata stores; `show --raw` must give back exactly those characters.
    let (_tmp, dir) = project();
    let report = import_samples(&dir);
    let gold_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/gold");
    let mut checked = 0;
    for file in report["files"].as_array().unwrap() {
        let name = Path::new(file["file"].as_str().unwrap())
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let id = file["document"].as_i64().unwrap().to_string();
        let gold: Value = serde_json::from_str(
            &std::fs::read_to_string(gold_dir.join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        let out = narrata(&dir).args(["show", &id, "--raw"]).output().unwrap();
        let text: Vec<char> = String::from_utf8(out.stdout).unwrap().chars().collect();
        for span in gold["spans"].as_array().unwrap() {
            let (s, e) = (
                span["start"].as_u64().unwrap() as usize,
                span["end"].as_u64().unwrap() as usize,
            );
            let got: String = text[s..e].iter().collect();
            assert_eq!(got, span["text"].as_str().unwrap(), "{name} [{s}, {e})");
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} gold spans checked");
}

#[test]
fn show_prints_line_numbers_ranges_raw_text_and_turns_as_json() {
    let (_tmp, dir) = project();
    import_samples(&dir);
    let docs = run_json(&dir, &["docs", "--json"]);
    let id = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["participant"] == "P01" && d["wave"] == "T1")
        .unwrap()["id"]
        .to_string();
    let full = narrata(&dir).args(["show", &id]).output().unwrap();
    let full = String::from_utf8(full.stdout).unwrap();
    let raw = String::from_utf8(
        narrata(&dir)
            .args(["show", &id, "--raw"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(full.lines().count(), raw.lines().count());
    let first = full.lines().next().unwrap();
    assert!(
        first.trim_start().starts_with("1  I: ") && first.starts_with(' '),
        "{first}"
    );

    let part = narrata(&dir)
        .args(["show", &id, "--from-line", "3", "--to-line", "4"])
        .output()
        .unwrap();
    let part = String::from_utf8(part.stdout).unwrap();
    let lines: Vec<&str> = part.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].trim_start().starts_with("3  ") && lines[1].trim_start().starts_with("4  "),
        "{part}"
    );
    assert!(lines[0].ends_with(raw.lines().nth(2).unwrap()));

    let shown = run_json(&dir, &["show", &id, "--json"]);
    let text: Vec<char> = shown["text"].as_str().unwrap().chars().collect();
    assert_eq!(shown["text"].as_str().unwrap(), raw);
    let turns = shown["turns"].as_array().unwrap();
    assert!(turns.len() > 10);
    for t in turns {
        let (s, e) = (
            t["start"].as_u64().unwrap() as usize,
            t["end"].as_u64().unwrap() as usize,
        );
        let said: String = text[s..e].iter().collect();
        assert!(!said.trim().is_empty() && said.trim() == said, "turn {t}");
        let who = if t["speaker"] == "I" {
            Value::Null
        } else {
            Value::from("P01")
        };
        assert_eq!(t["participant"], who, "turn {t}");
    }
    // By title too, and an unknown document is a sentence, not a panic.
    narrata(&dir)
        .args(["show", "Eerste interview P01", "--raw"])
        .assert()
        .success();
    let missing = narrata(&dir).args(["show", "999"]).assert().failure();
    assert!(stderr_of(&missing).contains("there is no document 999"));
}

#[test]
fn a_group_interview_maps_its_speaker_labels_to_participants() {
    let (_tmp, dir) = project();
    import_samples(&dir);
    let docs = run_json(&dir, &["docs", "--json"]);
    let id = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "group" && d["wave"] == "T3")
        .unwrap()["id"]
        .to_string();
    let shown = run_json(&dir, &["show", &id, "--json"]);
    for t in shown["turns"].as_array().unwrap() {
        let expected = match t["speaker"].as_str().unwrap() {
            "R1" => Value::from("P03"),
            "R2" => Value::from("P05"),
            "R3" => Value::from("P06"),
            "M" => Value::Null,
            other => panic!("unexpected speaker {other}"),
        };
        assert_eq!(t["participant"], expected);
        assert_eq!(t["interviewer"], t["speaker"] == "M");
    }
}

#[test]
fn word_vtt_and_srt_files_import_with_turns_and_times() {
    let (_tmp, dir) = project();
    let report = run_json(
        &dir,
        &[
            "import",
            fixtures().to_str().unwrap(),
            "--anonymise",
            "off",
            "--json",
        ],
    );
    assert_eq!(report["imported"], 3, "{report}");
    let docs = run_json(&dir, &["docs", "--json"]);
    let find = |p: &str, w: &str| {
        docs.as_array()
            .unwrap()
            .iter()
            .find(|d| d["participant"] == p && d["wave"] == w)
            .unwrap()["id"]
            .to_string()
    };

    let word = run_json(&dir, &["show", &find("P09", "T1"), "--json"]);
    assert_eq!(word["document"]["title"], "Fictief interview P09 (Word)");
    assert!(
        word["text"]
            .as_str()
            .unwrap()
            .starts_with("I: Hoe was de eerste bijeenkomst")
    );
    assert_eq!(word["turns"].as_array().unwrap().len(), 4);

    let vtt = run_json(&dir, &["show", &find("P10", "T2"), "--json"]);
    assert_eq!(
        vtt["text"],
        "Interviewer: How have the last months been?\nP10: Better than I expected. I go to the walking group on Saturdays now. We usually end up at the café.\n"
    );
    let turns = vtt["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 2);
    assert_eq!(
        (
            turns[1]["time_start"].as_f64(),
            turns[1]["time_end"].as_f64()
        ),
        (Some(4.5), Some(12.25))
    );
    assert_eq!(vtt["document"]["language"], "nl"); // the project's language, as nothing else said

    let srt = run_json(&dir, &["show", &find("P10", "W3"), "--json"]);
    assert_eq!(
        srt["text"],
        "I: Hoe gaat het nu?\nP10: Wisselend. Soms goed, soms niet.\n"
    );
}

#[test]
fn utf16_crlf_and_control_characters_are_normalised_and_reported() {
    let (tmp, dir) = project();
    let text = "I: Hoe gaat het?\r\nP11: Goed \u{1b}[31mrood\u{1b}[0m en \u{7}klaar.\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let file = tmp.path().join("P11_T1.txt");
    std::fs::write(&file, bytes).unwrap();
    let report = run_json(
        &dir,
        &[
            "import",
            file.to_str().unwrap(),
            "--anonymise",
            "off",
            "--json",
        ],
    );
    assert_eq!(report["files"][0]["controls_replaced"], 3);
    assert!(
        report["files"][0]["notes"][0]
            .as_str()
            .unwrap()
            .contains("3 control character")
    );
    let id = report["files"][0]["document"].to_string();
    let raw = narrata(&dir)
        .args(["show", &id, "--raw"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(
        String::from_utf8(raw).unwrap(),
        "I: Hoe gaat het?\nP11: Goed \u{241b}[31mrood\u{241b}[0m en \u{2407}klaar.\n"
    );
}

/// Each bad file: a non-zero exit, a sentence naming the file and the problem, no change.
#[test]
fn bad_files_are_refused_with_a_clear_sentence_and_the_project_unchanged() {
    let (tmp, dir) = project();
    import_samples(&dir);
    let before = fingerprint(&dir);
    let bad = tmp.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("P20_T1.txt", Vec::new(), "empty"),
        ("P21_T1.txt", b" \n\n \t\n".to_vec(), "empty"),
        (
            "P22_T1.txt",
            b"\x7fELF\x02\x01\x01\x00\x00\x00binary".to_vec(),
            "binary",
        ),
        (
            "P23_T1.txt",
            b"I: caf\xe9 met melk\n".to_vec(),
            "not valid UTF-8",
        ),
        (
            "P24_T1.md",
            b"---\nwave: T1\nI: nooit gesloten\n".to_vec(),
            "never closed",
        ),
        (
            "P25_T1.md",
            b"---\nwave: [T1\n---\nI: hoi\n".to_vec(),
            "not valid YAML",
        ),
        (
            "interview.txt",
            b"I: wie ben ik?\n".to_vec(),
            "no participant",
        ),
        ("P26.txt", b"I: welke ronde?\n".to_vec(), "no wave"),
        (
            "P27_T1.docx",
            b"not a zip at all".to_vec(),
            "not a readable Word",
        ),
        (
            "P28_T1.vtt",
            b"00:00:01.000 --> 00:00:02.000\nhoi\n".to_vec(),
            "WEBVTT",
        ),
        (
            "P29_T1.srt",
            b"zomaar wat tekst\nzonder tijden\n".to_vec(),
            "not a valid SRT",
        ),
        ("P30_T1.pdf", b"%PDF-1.4".to_vec(), "does not read .pdf"),
        ("P31_T1.qdpx", b"PK".to_vec(), "not a readable .qdpx"),
        (
            "P32_T1.txt",
            b"\xFF\xFEI\x00:\x00 \x00a".to_vec(),
            "odd number of bytes",
        ),
    ];
    for (name, bytes, expected) in &cases {
        let path = bad.join(name);
        std::fs::write(&path, bytes).unwrap();
        let a = narrata(&dir)
            .args(["import", path.to_str().unwrap(), "--anonymise", "off"])
            .assert()
            .failure();
        let err = stderr_of(&a);
        assert!(
            err.contains(name),
            "{name}: the message does not name the file: {err}"
        );
        assert!(
            err.contains(expected),
            "{name}: expected `{expected}` in: {err}"
        );
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert_eq!(fingerprint(&dir), before, "{name} changed the project");
        std::fs::remove_file(&path).unwrap();
    }
}

/// One bad file once aborted a whole folder import. Each file is all or nothing: the good
/// ones are imported, every refused one is named with its reason, the summary says so and the
/// exit status is not 0; after mending, the same import brings the rest and skips the others.
#[test]
fn a_folder_with_bad_files_imports_the_rest_and_names_every_problem() {
    let (tmp, dir) = project();
    let folder = tmp.path().join("mixed");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("P01_T1.txt"), "I: Hoe gaat het?\nP01: Goed.\n").unwrap();
    std::fs::write(folder.join("P02_T1.txt"), b"P02: \xff\xfe kapot\n").unwrap();
    std::fs::write(folder.join("P03_T1.txt"), "").unwrap();
    std::fs::write(folder.join("notes.pdf"), "ignored").unwrap();
    let a = narrata(&dir)
        .args(["import", folder.to_str().unwrap(), "--anonymise", "off"])
        .assert()
        .failure();
    let err = stderr_of(&a);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(
        err.contains("P02_T1.txt") && err.contains("P03_T1.txt") && !err.contains("P01_T1.txt"),
        "{err}"
    );
    assert!(
        out.contains("1 imported") && out.contains("2 file(s) NOT imported"),
        "{out}"
    );
    let docs = run_json(&dir, &["docs", "--json"]);
    assert_eq!(docs.as_array().unwrap().len(), 1, "{docs}");
    assert_eq!(docs[0]["participant"], "P01");
    // Mended, the same import brings them and skips P01.
    std::fs::write(folder.join("P02_T1.txt"), "I: En jij?\nP02: Ook goed.\n").unwrap();
    std::fs::write(folder.join("P03_T1.txt"), "I: En jij?\nP03: Matig.\n").unwrap();
    let out = narrata(&dir)
        .args([
            "import",
            folder.to_str().unwrap(),
            "--anonymise",
            "off",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            r["imported"].as_u64(),
            r["skipped"].as_u64(),
            r["refused"].as_u64()
        ),
        (Some(2), Some(1), Some(0))
    );
}

/// A WebVTT group interview without participants was refused with "add `speakers:` front
/// matter", which a .vtt file cannot have, and it took the rest of the folder with it. The
/// message offers what works (--participant, --speakers), and --speakers maps voices to
/// participants and the interviewer for any format.
#[test]
fn subtitles_get_fixes_they_can_use_and_speakers_map_their_voices() {
    let (tmp, dir) = project();
    let folder = tmp.path().join("wave1");
    std::fs::create_dir(&folder).unwrap();
    let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Karin>Welkom allemaal.\n\n00:00:05.000 --> 00:00:08.000\n<v Anna>Ik ga elke week naar de groep.\n\n00:00:09.000 --> 00:00:12.000\n<v Bert>Ik ook, soms.\n";
    std::fs::write(folder.join("groep.vtt"), vtt).unwrap();
    std::fs::write(folder.join("P01_T1.txt"), "I: Hoe gaat het?\nP01: Goed.\n").unwrap();
    let a = narrata(&dir)
        .args([
            "import",
            folder.to_str().unwrap(),
            "--anonymise",
            "off",
            "--wave",
            "T1",
            "--kind",
            "group",
        ])
        .assert()
        .failure();
    let err = stderr_of(&a);
    assert!(err.contains("groep.vtt"), "{err}");
    assert!(
        err.contains("--participant") && err.contains("--speakers"),
        "{err}"
    );
    assert!(
        !err.contains("front matter") || err.contains(".txt or .md file"),
        "a .vtt file cannot have front matter: {err}"
    );
    // The transcript beside it was imported all the same.
    assert_eq!(
        run_json(&dir, &["docs", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // --speakers: who each voice is; the participants mapped are the group's.
    run_ok(
        &dir,
        &[
            "import",
            folder.join("groep.vtt").to_str().unwrap(),
            "--anonymise",
            "off",
            "--wave",
            "T1",
            "--speakers",
            "Anna=P04,Bert=P05,Karin=interviewer",
        ],
    );
    let docs = run_json(&dir, &["docs", "--json"]);
    // The newest document: the .vtt (the transcript before it was imported with --kind group).
    let group = docs
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|d| d["id"].as_i64())
        .unwrap();
    assert_eq!(group["kind"], "group");
    assert_eq!(group["participants"], serde_json::json!(["P04", "P05"]));
    let shown = run_json(&dir, &["show", &group["id"].to_string(), "--json"]);
    let karin = shown["turns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["speaker"] == "Karin")
        .unwrap();
    assert_eq!(karin["interviewer"], true, "{karin}");

    // One participant named, several voices: the message says how to tell them apart.
    std::fs::write(
        folder.join("P06_T2.vtt"),
        vtt.replace("Ik ook", "Ik ook echt"),
    )
    .unwrap();
    let a = narrata(&dir)
        .args([
            "import",
            folder.join("P06_T2.vtt").to_str().unwrap(),
            "--anonymise",
            "off",
        ])
        .assert()
        .failure();
    let err = stderr_of(&a);
    assert!(
        err.contains("--kind group --speakers") && err.contains("=interviewer"),
        "{err}"
    );
    // A mapping that is not LABEL=WHO is refused before anything is read.
    let a = narrata(&dir)
        .args([
            "import",
            folder.join("P06_T2.vtt").to_str().unwrap(),
            "--anonymise",
            "off",
            "--speakers",
            "Anna",
        ])
        .assert()
        .failure();
    assert!(
        stderr_of(&a).contains("not a speaker mapping"),
        "{}",
        stderr_of(&a)
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_naming_the_limit() {
    let (tmp, dir) = project();
    let path = tmp.path().join("P40_T1.txt");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(51 * 1024 * 1024).unwrap(); // sparse: costs no disk
    let before = fingerprint(&dir);
    let a = narrata(&dir)
        .args(["import", path.to_str().unwrap(), "--anonymise", "off"])
        .assert()
        .failure();
    let err = stderr_of(&a);
    assert!(
        err.contains("P40_T1.txt") && err.contains("limit of 50 MB"),
        "{err}"
    );
    assert_eq!(fingerprint(&dir), before);
}

#[test]
fn hostile_word_files_are_refused() {
    use std::io::Write;
    let (tmp, dir) = project();
    let before = fingerprint(&dir);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);

    // A zip bomb: 200 MB of spaces in a few hundred kilobytes.
    let bomb = tmp.path().join("P50_T1.docx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
    zip.start_file("word/document.xml", opts).unwrap();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..200 {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap();

    // Entity expansion ("billion laughs").
    let laughs = tmp.path().join("P51_T1.docx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&laughs).unwrap());
    zip.start_file("word/document.xml", opts).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><w:document xmlns:w="w"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"#).unwrap();
    zip.finish().unwrap();

    for (file, expected) in [(&bomb, "zip bomb"), (&laughs, "DOCTYPE")] {
        let a = narrata(&dir)
            .args(["import", file.to_str().unwrap(), "--anonymise", "off"])
            .assert()
            .failure();
        let err = stderr_of(&a);
        assert!(err.contains(expected), "{err}");
    }
    assert_eq!(fingerprint(&dir), before);
}

#[test]
fn flags_fill_gaps_and_conflicts_with_front_matter_are_refused() {
    let (tmp, dir) = project();
    let plain = tmp.path().join("gesprek.txt");
    std::fs::write(&plain, "Interviewer: Hoe gaat het?\nR: Beter.\n").unwrap();
    let report = run_json(
        &dir,
        &[
            "import",
            plain.to_str().unwrap(),
            "--participant",
            "p12",
            "--wave",
            "2",
            "--language",
            "en",
            "--anonymise",
            "off",
            "--json",
        ],
    );
    let id = report["files"][0]["document"].to_string();
    let shown = run_json(&dir, &["show", &id, "--json"]);
    assert_eq!(shown["document"]["participant"], "P12");
    assert_eq!(shown["document"]["wave"], "T2");
    assert_eq!(shown["document"]["language"], "en");
    assert_eq!(shown["turns"][1]["participant"], "P12");

    let fm = tmp.path().join("P13_T1.md");
    std::fs::write(&fm, "---\nparticipant: P13\nwave: T1\n---\nI: ja\n").unwrap();
    let a = narrata(&dir)
        .args([
            "import",
            fm.to_str().unwrap(),
            "--wave",
            "T3",
            "--anonymise",
            "off",
        ])
        .assert()
        .failure();
    assert!(stderr_of(&a).contains("the front matter says wave T1 but --wave says T3"));
}

#[test]
fn check_passes_on_a_good_project_and_reports_broken_offsets() {
    let (_tmp, dir) = project();
    import_samples(&dir);
    let ok = run_json(&dir, &["check", "--full", "--json"]);
    assert_eq!(ok["ok"], true);
    assert_eq!(ok["documents"], 24);
    {
        let conn = rusqlite::Connection::open(dir.join("narrata.db")).unwrap();
        conn.execute(
            "UPDATE turns SET end = 999999 WHERE id = (SELECT min(id) FROM turns)",
            [],
        )
        .unwrap();
    }
    let a = narrata(&dir).args(["check", "--full"]).assert().failure();
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(out.contains("outside the text"), "{out}");
}

#[test]
fn a_damaged_database_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("narrata.db"), vec![b'x'; 4096]).unwrap();
    let a = narrata(tmp.path()).arg("docs").assert().failure();
    let err = stderr_of(&a);
    assert!(err.contains("could not be opened"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn backup_writes_a_checked_snapshot_that_opens_as_a_project() {
    let (tmp, dir) = project();
    import_samples(&dir);
    let out = tmp.path().join("backup-1");
    narrata(&dir)
        .args(["backup", out.to_str().unwrap()])
        .assert()
        .success();
    assert!(out.join("narrata.db").is_file());
    let original = run_json(&dir, &["docs", "--json"]);
    let copy = run_json(&out, &["docs", "--json"]);
    assert_eq!(original, copy);
    // Never over an existing backup.
    let a = narrata(&dir)
        .args(["backup", out.to_str().unwrap()])
        .assert()
        .failure();
    assert!(stderr_of(&a).contains("already exists"));
}

#[test]
fn the_project_is_found_by_flag_environment_or_upward_search() {
    let (tmp, dir) = project();
    let sub = dir.join("transcripts/ronde-1");
    std::fs::create_dir_all(&sub).unwrap();
    narrata(&sub).arg("docs").assert().success();
    narrata(tmp.path())
        .args(["--project", dir.to_str().unwrap(), "docs"])
        .assert()
        .success();
    narrata(tmp.path())
        .env("NARRATA_PROJECT", &dir)
        .arg("docs")
        .assert()
        .success();
    let a = narrata(tmp.path()).arg("docs").assert().failure();
    assert!(stderr_of(&a).contains("no narrata project here"));
}

#[test]
fn listings_on_an_empty_project_say_so_and_json_is_an_empty_list() {
    let (_tmp, dir) = project();
    let out = narrata(&dir).arg("docs").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("no documents yet"));
    assert_eq!(run_json(&dir, &["docs", "--json"]), serde_json::json!([]));
    assert_eq!(
        run_json(&dir, &["participants", "--json"]),
        serde_json::json!([])
    );
    assert_eq!(run_json(&dir, &["waves", "--json"]), serde_json::json!([]));
}

#[test]
fn demo_builds_the_sample_project_and_can_be_run_again() {
    let tmp = tempfile::tempdir().unwrap();
    let first = run_json(tmp.path(), &["demo", "--no-tui", "--json"]);
    assert_eq!(first["documents"], 24);
    assert_eq!(first["participants"], 8);
    assert_eq!(first["waves"], serde_json::json!(["T1", "T2", "T3"]));
    assert_eq!(first["imported_now"], 24);
    assert_eq!(first["codes"], 38); // the Dutch CHIME codebook
    assert!(first["codings"].as_u64().unwrap() > 500, "{first}");
    assert!(tmp.path().join("narrata-demo/narrata.db").is_file());
    let second = run_json(tmp.path(), &["demo", "--no-tui", "--json"]);
    assert_eq!(second["documents"], 24);
    assert_eq!(second["imported_now"], 0);
    assert_eq!(second["codings"], first["codings"]);
    let text = narrata(tmp.path())
        .args(["demo", "elsewhere", "--no-tui"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("24 documents") && text.contains("8 participants"),
        "{text}"
    );
    // The demo is anonymised like a study, under the passphrase it prints.
    assert!(text.contains(narrata::demo::DEMO_PASSPHRASE), "{text}");
    assert!(first["pseudonyms"].as_u64().unwrap() > 50, "{first}");
    let dir = tmp.path().join("narrata-demo");
    let shown = run_ok(&dir, &["show", "3", "--raw"]);
    for name in ["Gerard", "Lijsterlaan", "Bakkerij Van Dam"] {
        assert!(!run_ok(&dir, &["search", name]).contains(name), "{name}");
    }
    assert!(
        shown.contains("[PLAATS-") || shown.contains("[PERSOON-"),
        "{shown}"
    );
    let check = narrata(&dir)
        .env("NARRATA_PASSPHRASE", narrata::demo::DEMO_PASSPHRASE)
        .args(["privacy-check", "--json"])
        .output()
        .unwrap();
    let check: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(check["ok"], true, "{check}");
    // Every quote of samples/codings is coded, on the same words: a quote without a name
    // reads as written; one with a name reads as written with the names as pseudonyms.
    let codings_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/codings");
    let mut quotes = 0;
    for f in std::fs::read_dir(codings_dir).unwrap() {
        let body = std::fs::read_to_string(f.unwrap().path()).unwrap();
        quotes += body.matches("- code:").count();
    }
    let codings = run_json(&dir, &["codings", "--json"]);
    let codings = codings.as_array().unwrap();
    assert_eq!(codings.len(), quotes, "every quote is coded once");
    let cut_start = regex::Regex::new(r"^[A-Z]*-?\d*\]").unwrap();
    let cut_end = regex::Regex::new(r"\[[A-Z]*-?\d*$").unwrap();
    for c in codings {
        let t = c["text"].as_str().unwrap();
        assert!(!t.trim().is_empty(), "{c}");
        // A pseudonym is whole inside a coding, never cut.
        assert!(!cut_start.is_match(t) && !cut_end.is_match(t), "{t}");
    }
}

#[test]
fn no_command_prints_help_and_unknown_commands_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let a = narrata(tmp.path()).assert().code(2);
    assert!(stderr_of(&a).contains("Usage"));
    narrata(tmp.path()).arg("frobnicate").assert().failure();
}
