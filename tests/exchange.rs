//! REFI-QDA: the export validated against the standard's schema by an independent reader
//! (Python xmlschema), read back by narrata's reader, and hostile archives refused.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{narrata, run_json};
use narrata::refi::read::{Units, normalise, read};

fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    narrata(tmp.path())
        .args(["demo", "demo", "--no-tui"])
        .assert()
        .success();
    let dir = tmp.path().join("demo");
    (tmp, dir)
}

/// Memos as `memo add TARGET TEXT`.
fn add_memos(dir: &Path, memos: &[(&str, &str)]) {
    for (target, text) in memos {
        narrata(dir)
            .args(["memo", "add", target, text])
            .assert()
            .success();
    }
}

fn export(dir: &Path, out: &Path) {
    let o = narrata(dir)
        .args(["export", "qdpx", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn the_export_is_valid_refi_qda_and_reads_back_whole() {
    let (tmp, dir) = demo();
    add_memos(
        &dir,
        &[
            ("participant:P03", "Spreekt vaker over de groep."),
            ("portrait:P03:T2", "Vindt houvast."),
            ("document:3", "Lange pauzes."),
            ("project", "Eerste ronde klaar."),
        ],
    );
    let out = tmp.path().join("p.qdpx");
    export(&dir, &out);

    // Valid against Project.xsd, by an independent validator.
    let script = r#"
import sys, zipfile, xmlschema
z = zipfile.ZipFile(sys.argv[1])
schema = xmlschema.XMLSchema(sys.argv[2])
schema.validate(z.read("project.qde").decode("utf-8"))
names = z.namelist()
assert "project.qde" in names, names
assert all(n == "project.qde" or n.startswith("sources/") for n in names), names
print(len(names))
"#;
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/Project.xsd");
    let o = std::process::Command::new("python3")
        .args(["-c", script, out.to_str().unwrap(), xsd.to_str().unwrap()])
        .output()
        .expect("python3 with xmlschema (pip install -r tests/requirements.txt)");
    assert!(
        o.status.success(),
        "not valid REFI-QDA: {}",
        String::from_utf8_lossy(&o.stderr)
    );

    // Read back: every document's text, every coding's span and code, every memo.
    let project = read(&std::fs::read(&out).unwrap()).unwrap();
    let docs = run_json(&dir, &["docs", "--json"]);
    assert_eq!(project.sources.len(), docs.as_array().unwrap().len());
    let codings = run_json(&dir, &["codings", "--json"]);
    let selections: usize = project.sources.iter().map(|s| s.selections.len()).sum();
    assert_eq!(selections, codings.as_array().unwrap().len());
    for c in codings.as_array().unwrap() {
        let guid = c["guid"].as_str().unwrap();
        let (source, sel) = project
            .sources
            .iter()
            .flat_map(|s| s.selections.iter().map(move |x| (s, x)))
            .find(|(_, x)| x.codings.iter().any(|k| k.guid == guid))
            .expect("every coding exported");
        let text: String = source
            .text
            .chars()
            .skip(sel.start)
            .take(sel.end - sel.start)
            .collect();
        assert_eq!(text, c["text"].as_str().unwrap());
    }
    assert_eq!(project.notes.len(), 4);
    let portrait = project
        .notes
        .iter()
        .find(|n| n.text == "Vindt houvast.")
        .unwrap();
    assert_eq!(
        portrait.description.as_deref(),
        Some("narrata:target=portrait:P03:T2")
    );
    assert_eq!(project.project_notes.len(), 1);
    assert!(project.sources.iter().any(|s| s.notes.len() == 1));
    assert_eq!(project.cases.len(), 8);
    assert!(project.origin.starts_with("narrata"));
}

/// A zip archive from (name, bytes) entries.
fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

const GOOD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="NVivo 14">
  <CodeBook><Codes><Code guid="{11111111-1111-1111-1111-111111111111}" name="Hoop" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="22222222-2222-2222-2222-222222222222" name="P01" plainTextPath="internal://22222222-2222-2222-2222-222222222222.txt">
      <PlainTextSelection guid="33333333-3333-3333-3333-333333333333" startPosition="9" endPosition="13">
        <Coding guid="44444444-4444-4444-4444-444444444444"><CodeRef targetGUID="11111111-1111-1111-1111-111111111111"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"#;

#[test]
fn nvivo_positions_with_an_emoji_crlf_and_a_bom_land_on_the_same_words() {
    // NVivo counts UTF-16 units (the emoji is two) and a CRLF as two; the BOM not at all.
    let text = "\u{feff}Ik 😀\r\nja hoop";
    // Units: I(0) k(1) ␠(2) 😀(3,4) \r(5) \n(6) j(7) a(8) ␠(9) h(10) o o p(13) → [10, 14).
    let qde = GOOD
        .replace("startPosition=\"9\"", "startPosition=\"10\"")
        .replace("endPosition=\"13\"", "endPosition=\"14\"");
    let bytes = archive(&[
        ("project.qde", qde.as_bytes()),
        (
            "Sources/22222222-2222-2222-2222-222222222222.txt",
            text.as_bytes(),
        ),
    ]);
    let p = read(&bytes).unwrap();
    let s = &p.sources[0];
    assert_eq!(s.text, "Ik 😀\nja hoop");
    let sel = &s.selections[0];
    let words: String = s
        .text
        .chars()
        .skip(sel.start)
        .take(sel.end - sel.start)
        .collect();
    assert_eq!(words, "hoop");
    // The same text from a tool that counts code points.
    let (_, map) = normalise(text, Units::CodePoints);
    assert_eq!(map[9], 8);
}

#[test]
fn hostile_archives_are_refused_with_a_reason() {
    let txt = b"ja hoop, veel hoop".as_slice();
    let source = "sources/22222222-2222-2222-2222-222222222222.txt";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "path traversal",
            archive(&[("project.qde", GOOD.as_bytes()), ("../evil.txt", txt)]),
            "leaves it",
        ),
        (
            "entity expansion",
            archive(&[
                (
                    "project.qde",
                    GOOD.replace(
                        "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
                        "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>",
                    )
                    .as_bytes(),
                ),
                (source, txt),
            ]),
            "DOCTYPE",
        ),
        (
            "zip bomb",
            archive(&[
                ("project.qde", GOOD.as_bytes()),
                (source, &vec![b'a'; 8 * 1024 * 1024]),
            ]),
            "zip bomb",
        ),
        (
            "dangling code",
            archive(&[
                (
                    "project.qde",
                    GOOD.replace(
                        "<CodeRef targetGUID=\"11111111",
                        "<CodeRef targetGUID=\"99999999",
                    )
                    .as_bytes(),
                ),
                (source, txt),
            ]),
            "does not hold",
        ),
        (
            "duplicate GUID",
            archive(&[
                (
                    "project.qde",
                    GOOD.replace(
                        "44444444-4444-4444-4444-444444444444",
                        "33333333-3333-3333-3333-333333333333",
                    )
                    .as_bytes(),
                ),
                (source, txt),
            ]),
            "used twice",
        ),
        (
            "no project file",
            archive(&[(source, txt)]),
            "no project file",
        ),
        (
            "two project files",
            archive(&[
                ("a.qde", GOOD.as_bytes()),
                ("b.qde", GOOD.as_bytes()),
                (source, txt),
            ]),
            "2 project files",
        ),
        (
            "selection past the text",
            archive(&[("project.qde", GOOD.as_bytes()), (source, b"ja".as_slice())]),
            "outside its text",
        ),
        ("not a zip", b"PK\x03\x04 truncated".to_vec(), "not a readable"),
    ];
    for (what, bytes, reason) in cases {
        let err = read(&bytes).expect_err(what);
        assert!(err.contains(reason), "{what}: {err}");
    }
    // Any single .qde name and Sources/ in capitals are fine.
    let ok = archive(&[
        ("Mijn project.qde", GOOD.as_bytes()),
        (&source.replace("sources", "Sources"), b"ja hoop, veel hoop"),
    ]);
    assert!(read(&ok).is_ok());
}

/// Everything a round trip must keep, in a form that does not depend on ids.
fn fingerprint(dir: &Path) -> (Vec<String>, Vec<String>, Vec<String>, Vec<String>) {
    let docs = run_json(dir, &["docs", "--json"]);
    let title = |id: &serde_json::Value| {
        docs.as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == *id)
            .map(|d| d["title"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let mut codes: Vec<String> = run_json(dir, &["codebook", "show", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} | {} | {}", c["path"], c["description"], c["guid"]))
        .collect();
    codes.sort();
    let mut codings: Vec<String> = run_json(dir, &["codings", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} | {} | {} | {} | {} | {}",
                title(&c["doc"]),
                c["code_path"],
                c["start"],
                c["text"],
                c["coder"],
                c["guid"]
            )
        })
        .collect();
    codings.sort();
    let mut memos: Vec<String> = run_json(dir, &["memos", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|m| format!("{} | {} | {}", m["text"], m["coder"], m["guid"]))
        .collect();
    memos.sort();
    let mut people: Vec<String> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} | {} | {} | {} | {}",
                d["title"], d["participants"], d["wave"], d["kind"], d["language"]
            )
        })
        .collect();
    people.sort();
    (codes, codings, memos, people)
}

#[test]
fn a_round_trip_through_qdpx_keeps_everything_and_twice_adds_nothing() {
    let (tmp, dir) = demo();
    add_memos(
        &dir,
        &[
            ("participant:P03", "Spreekt vaker over de groep."),
            ("portrait:P03:T2", "Vindt houvast."),
            ("document:3", "Lange pauzes."),
            ("coding:5", "Twijfel."),
            ("code:Relaties", "Breed opgevat."),
            ("project", "Eerste ronde klaar."),
        ],
    );
    let out = tmp.path().join("p.qdpx");
    export(&dir, &out);
    narrata(tmp.path())
        .args(["init", "copy"])
        .assert()
        .success();
    let copy = tmp.path().join("copy");
    for _ in 0..2 {
        narrata(&copy)
            .args(["import", out.to_str().unwrap(), "--anonymise", "off"])
            .assert()
            .success();
    }
    let (a, b) = (fingerprint(&dir), fingerprint(&copy));
    assert_eq!(a.0, b.0, "codes");
    assert_eq!(a.1, b.1, "codings (document, code, offsets, text, coder)");
    assert_eq!(a.2, b.2, "memos");
    assert_eq!(a.3, b.3, "documents, participants, waves, kinds, languages");
    let waves = |d: &Path| run_json(d, &["waves", "--json"]);
    assert_eq!(
        waves(&dir).as_array().unwrap().len(),
        waves(&copy).as_array().unwrap().len()
    );
    narrata(&copy).args(["check"]).assert().success();
}

/// Dutch documents once came back as English (the importing project's language): the
/// language travels as a source variable, and a project of the other language keeps it.
#[test]
fn a_round_trip_keeps_each_documents_language_whatever_the_projects() {
    let (tmp, dir) = demo();
    let out = tmp.path().join("p.qdpx");
    export(&dir, &out);
    let languages = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = run_json(d, &["docs", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{} {}", d["title"], d["language"]))
            .collect();
        v.sort();
        v
    };
    let before = languages(&dir);
    assert!(
        before.iter().any(|l| l.ends_with("\"nl\""))
            && before.iter().any(|l| l.ends_with("\"en\""))
    );
    for project_language in ["en", "nl"] {
        let name = format!("copy-{project_language}");
        narrata(tmp.path())
            .args(["init", &name, "--language", project_language])
            .assert()
            .success();
        let copy = tmp.path().join(&name);
        narrata(&copy)
            .args(["import", out.to_str().unwrap(), "--anonymise", "off"])
            .assert()
            .success();
        assert_eq!(
            languages(&copy),
            before,
            "into a project in {project_language}"
        );
    }
}

#[test]
fn an_anonymised_qdpx_import_moves_codings_with_their_words_and_keeps_no_original() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "I: Hoe gaat het?\nP01: Goed. Mijn zus Marieke Jansen belt elke week vanuit Katwijk, dat geeft hoop.\n";
    let hoop = text.find("hoop").unwrap(); // ASCII before it: bytes are characters here
    let name = text.find("Marieke").unwrap();
    let qde = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="QualCoder 3.6">
  <Users><User guid="55555555-5555-5555-5555-555555555555" name="anna"/></Users>
  <CodeBook><Codes><Code guid="11111111-1111-1111-1111-111111111111" name="Hoop" isCodable="true"/><Code guid="66666666-6666-6666-6666-666666666666" name="Familie" isCodable="true"/></Codes></CodeBook>
  <Cases><Case guid="77777777-7777-7777-7777-777777777777" name="P01"><SourceRef targetGUID="22222222-2222-2222-2222-222222222222"/></Case></Cases>
  <Sources>
    <TextSource guid="22222222-2222-2222-2222-222222222222" name="Interview Marieke" plainTextPath="internal://22222222-2222-2222-2222-222222222222.txt">
      <PlainTextSelection guid="33333333-3333-3333-3333-333333333333" startPosition="{hoop}" endPosition="{}" creatingUser="55555555-5555-5555-5555-555555555555">
        <Coding guid="44444444-4444-4444-4444-444444444444" creatingUser="55555555-5555-5555-5555-555555555555"><CodeRef targetGUID="11111111-1111-1111-1111-111111111111"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="88888888-8888-8888-8888-888888888888" startPosition="{}" endPosition="{}">
        <Coding guid="99999999-9999-9999-9999-999999999999"><CodeRef targetGUID="66666666-6666-6666-6666-666666666666"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"#,
        hoop + 4,
        name - 4,
        name + "Marieke Jansen".len()
    );
    let file = tmp.path().join("t.qdpx");
    std::fs::write(
        &file,
        archive(&[
            ("project.qde", qde.as_bytes()),
            (
                "sources/22222222-2222-2222-2222-222222222222.txt",
                text.as_bytes(),
            ),
        ]),
    )
    .unwrap();
    narrata(tmp.path()).args(["init", "p"]).assert().success();
    let dir = tmp.path().join("p");
    narrata(&dir)
        .env("NARRATA_PASSPHRASE", "proef-wachtwoord")
        .args(["import", file.to_str().unwrap()])
        .assert()
        .failure()
        .stderr(predicates::str::contains("--wave"));
    narrata(&dir)
        .env("NARRATA_PASSPHRASE", "proef-wachtwoord")
        .args(["import", file.to_str().unwrap(), "--wave", "T1"])
        .assert()
        .success();
    let codings = run_json(&dir, &["codings", "--json"]);
    let codings = codings.as_array().unwrap();
    let hoop = codings.iter().find(|c| c["code"] == "Hoop").unwrap();
    assert_eq!(hoop["text"], "hoop", "the coding moved with its word");
    assert_eq!(hoop["coder"], "anna");
    let family = codings.iter().find(|c| c["code"] == "Familie").unwrap();
    let family_text = family["text"].as_str().unwrap();
    assert!(family_text.starts_with("zus [PERSOON-"), "{family_text}");
    let shown = narrata(&dir).args(["show", "1", "--raw"]).output().unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        !shown.contains("Marieke") && !shown.contains("Katwijk"),
        "{shown}"
    );
    let docs = run_json(&dir, &["docs", "--json"]);
    assert!(!docs[0]["title"].as_str().unwrap().contains("Marieke"));
    assert_eq!(docs[0]["participants"][0], "P01");
    let check = narrata(&dir)
        .env("NARRATA_PASSPHRASE", "proef-wachtwoord")
        .args(["privacy-check"])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn a_hostile_qdpx_is_refused_by_the_cli_and_the_project_is_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    narrata(tmp.path()).args(["init", "p"]).assert().success();
    let dir = tmp.path().join("p");
    let file = tmp.path().join("bad.qdpx");
    std::fs::write(
        &file,
        archive(&[
            ("project.qde", GOOD.as_bytes()),
            ("../../escape.txt", b"x".as_slice()),
        ]),
    )
    .unwrap();
    let before = std::fs::read(dir.join("narrata.db")).unwrap();
    let out = narrata(&dir)
        .args(["import", file.to_str().unwrap(), "--anonymise", "off"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.qdpx") && err.contains("leaves it"),
        "{err}"
    );
    assert_eq!(std::fs::read(dir.join("narrata.db")).unwrap(), before);
    assert!(
        run_json(&dir, &["docs", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn memos_arrive_the_four_ways_tools_write_them() {
    // NVivo: a Note referred to from a selection; MAXQDA: a selection with a description and
    // no coding; ATLAS.ti: a description on a coded selection; QualCoder: a Note with an
    // embedded selection of a coded span.
    let tmp = tempfile::tempdir().unwrap();
    let text = "I: Hoe is het?\nP01: Het gaat beter, ik heb weer hoop.\n";
    let at = |w: &str| text.find(w).unwrap();
    let qde = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:0:10" name="t" origin="mixed">
  <CodeBook><Codes><Code guid="11111111-1111-1111-1111-111111111111" name="Hoop" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="22222222-2222-2222-2222-222222222222" name="P01_T1" plainTextPath="internal://22222222-2222-2222-2222-222222222222.txt">
      <PlainTextSelection guid="a0000000-0000-0000-0000-000000000001" startPosition="{hoop}" endPosition="{hoop_end}">
        <Coding guid="c0000000-0000-0000-0000-000000000001"><CodeRef targetGUID="11111111-1111-1111-1111-111111111111"/></Coding>
        <NoteRef targetGUID="d0000000-0000-0000-0000-000000000001"/>
      </PlainTextSelection>
      <PlainTextSelection guid="a0000000-0000-0000-0000-000000000002" startPosition="{beter}" endPosition="{beter_end}">
        <Description>MAXQDA-achtige notitie</Description>
      </PlainTextSelection>
      <PlainTextSelection guid="a0000000-0000-0000-0000-000000000003" startPosition="{het}" endPosition="{beter_end}">
        <Description>ATLAS.ti-achtige opmerking</Description>
        <Coding guid="c0000000-0000-0000-0000-000000000003"><CodeRef targetGUID="11111111-1111-1111-1111-111111111111"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="d0000000-0000-0000-0000-000000000001" name="n"><PlainTextContent>NVivo-achtig memo</PlainTextContent></Note>
    <Note guid="d0000000-0000-0000-0000-000000000002" name="q"><PlainTextContent>QualCoder-achtig memo</PlainTextContent>
      <PlainTextSelection guid="c0000000-0000-0000-0000-000000000003" startPosition="0" endPosition="1"/>
    </Note>
  </Notes>
</Project>"#,
        hoop = at("hoop"),
        hoop_end = at("hoop") + 4,
        beter = at("beter"),
        beter_end = at("beter") + 5,
        het = at("Het gaat"),
    );
    let file = tmp.path().join("m.qdpx");
    std::fs::write(
        &file,
        archive(&[
            ("project.qde", qde.as_bytes()),
            (
                "sources/22222222-2222-2222-2222-222222222222.txt",
                text.as_bytes(),
            ),
        ]),
    )
    .unwrap();
    narrata(tmp.path()).args(["init", "p"]).assert().success();
    let dir = tmp.path().join("p");
    narrata(&dir)
        .args([
            "import",
            file.to_str().unwrap(),
            "--anonymise",
            "off",
            "--wave",
            "T1",
        ])
        .assert()
        .success();
    let codings = run_json(&dir, &["codings", "--json"]);
    let id_of = |t: &str| {
        codings
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["text"] == t)
            .map(|c| c["id"].as_i64().unwrap())
            .unwrap()
    };
    let memos = run_json(&dir, &["memos", "--json"]);
    let target_of = |t: &str| {
        memos
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["text"].as_str().unwrap().contains(t))
            .map(|m| m["target"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no memo {t}: {memos}"))
    };
    assert_eq!(target_of("NVivo"), format!("coding:{}", id_of("hoop")));
    assert_eq!(
        target_of("ATLAS.ti"),
        format!("coding:{}", id_of("Het gaat beter"))
    );
    assert_eq!(
        target_of("QualCoder"),
        format!("coding:{}", id_of("Het gaat beter"))
    );
    assert_eq!(target_of("MAXQDA"), "document:1");
    assert!(
        memos
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["text"] == "“beter” — MAXQDA-achtige notitie")
    );
}
