//! Exports read back by independent readers: Word files by python-docx (and their XML by
//! Python's ElementTree), CSV by Python's csv module, JSON by serde. The project is the demo.

mod common;

use std::path::{Path, PathBuf};

use common::{narrata, run_json};
use serde_json::Value;

fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    narrata(tmp.path())
        .args(["demo", "demo", "--no-tui"])
        .assert()
        .success();
    let dir = tmp.path().join("demo");
    (tmp, dir)
}

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = narrata(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "narrata {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn python(script: &str, args: &[&str]) -> Value {
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 (run the tests with `bash tests/run.sh`, which installs the readers)");
    assert!(
        out.status.success(),
        "the Python reader failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const READ_DOCX: &str = r#"
import sys, json, zipfile, docx
d = docx.Document(sys.argv[1])
paras = [{"style": p.style.name if p.style is not None else None, "text": p.text} for p in d.paragraphs]
xml = zipfile.ZipFile(sys.argv[1]).read("word/document.xml").decode("utf-8")
print(json.dumps({"paras": paras, "tables": [[c.text for r in t.rows for c in r.cells] for t in d.tables],
                  "toc": "TOC \\o" in xml or "TOC \\\\o" in xml or "w:instrText" in xml and "TOC" in xml}))
"#;

/// A second coder, bert, codes the words of `coding` with `code`.
fn bert_codes(dir: &Path, coding: &Value, code: &str) {
    run_ok(
        dir,
        &[
            "--coder",
            "bert",
            "code",
            "add",
            &coding["doc"].to_string(),
            &coding["start"].to_string(),
            &coding["end"].to_string(),
            code,
        ],
    );
}

fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A quote as the report prints it: pseudonyms keep their hyphen unbreakable ("[PERSOON‑1]").
fn as_printed(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in flat(s).chars() {
        inside = (inside || c == '[') && c != ']';
        out.push(if inside && c == '-' { '\u{2011}' } else { c });
    }
    out
}

#[test]
fn excerpts_report_has_real_headings_quotes_with_citations_memos_and_appendices() {
    let (tmp, dir) = demo();
    // A long turn, coded whole, for a block quote.
    let shown = run_json(&dir, &["show", "10", "--json"]);
    let turn = shown["turns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["words"].as_i64().unwrap() >= 45 && !t["interviewer"].as_bool().unwrap())
        .expect("a long turn");
    run_ok(
        &dir,
        &[
            "code",
            "add",
            "10",
            &turn["start"].to_string(),
            &turn["end"].to_string(),
            "Hopeloosheid",
        ],
    );
    let codings = run_json(&dir, &["codings", "--json"]);
    let codings = codings.as_array().unwrap();
    let long = codings
        .iter()
        .find(|c| c["text"].as_str().unwrap().split_whitespace().count() >= 40)
        .expect("a long coding in the demo");
    let short = codings
        .iter()
        .find(|c| {
            let n = c["text"].as_str().unwrap().split_whitespace().count();
            (5..40).contains(&n) && c["participants"].as_array().unwrap().len() == 1
        })
        .unwrap();
    run_ok(
        &dir,
        &[
            "memo",
            "add",
            &format!("coding:{}", short["id"]),
            "Let op de verleden tijd.",
        ],
    );
    let out = tmp.path().join("excerpts.docx");
    run_ok(
        &dir,
        &[
            "export",
            "excerpts",
            out.to_str().unwrap(),
            "--language",
            "en",
            "--appendix",
            "codebook,methods,audit",
        ],
    );
    let r = python(READ_DOCX, &[out.to_str().unwrap()]);
    let paras = r["paras"].as_array().unwrap();
    let style_of = |text: &str| -> Vec<String> {
        paras
            .iter()
            .filter(|p| p["text"] == text)
            .map(|p| p["style"].as_str().unwrap_or("none").to_owned())
            .collect()
    };
    assert_eq!(style_of("Coded excerpts"), ["Title"]);
    // In the contents, in the body; the codebook appendix lists each code again under a
    // Heading 3.
    assert_eq!(
        style_of("Verbondenheid"),
        ["toc 1", "Heading 1", "Heading 3"]
    );
    assert_eq!(
        style_of("Lotgenotencontact en zelfhulpgroepen"),
        ["toc 2", "Heading 2"]
    );
    for appendix in [
        "Appendix A. Codebook",
        "Appendix B. Methods note",
        "Appendix C. Audit trail",
    ] {
        assert_eq!(style_of(appendix), ["toc 1", "Heading 1"], "{appendix}");
    }
    assert!(r["toc"].as_bool().unwrap(), "a table of contents field");
    // Its entries are written (above: "toc 1", "toc 2"), so it reads without a field update.

    // The short excerpt: an inline quote with its citation, the memo beneath it.
    let cite = |c: &Value| {
        let (l, e) = (c["line"].as_i64().unwrap(), c["end_line"].as_i64().unwrap());
        // "l." and the number held together by a no-break space.
        let lines = if l == e {
            format!("l.\u{a0}{l}")
        } else {
            format!("l.\u{a0}{l}\u{2060}–\u{2060}{e}")
        };
        format!(
            "({}, {}, {lines})",
            c["participants"][0].as_str().unwrap(),
            c["wave"].as_str().unwrap()
        )
    };
    // Two people coded in this project, so each citation names its coder.
    let want = format!(
        "“{}” {} [{}]",
        as_printed(short["text"].as_str().unwrap()),
        cite(short),
        short["coder"].as_str().unwrap()
    );
    let at = paras
        .iter()
        .position(|p| p["text"] == want.as_str())
        .unwrap_or_else(|| panic!("no paragraph {want:?}"));
    assert_eq!(
        paras[at + 1]["text"],
        "Memo (tester): Let op de verleden tijd."
    );
    assert_eq!(paras[at + 1]["style"], "Caption");
    // Short quotes are set apart as quotations too.
    assert_eq!(paras[at]["style"], "Quote");

    // The long one: a block quote (Quote style), no quotation marks, citation after it.
    let block = paras
        .iter()
        .find(|p| {
            p["text"]
                .as_str()
                .unwrap()
                .starts_with(&as_printed(long["text"].as_str().unwrap()))
        })
        .expect("the long excerpt");
    assert_eq!(block["style"], "Quote");
    assert!(!block["text"].as_str().unwrap().starts_with('“'));

    // The methods note names the coders and the repeat interviews.
    let all: String = paras
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        all.contains("Coders: 2 — onderzoeker-a (619 codings), tester (1 coding)"),
        "{all}"
    );
    assert!(all.contains("participant(s) interviewed in more than one wave"));
    assert!(all.contains("Software: narrata"));
    // The codebook appendix counts codings per wave.
    let tables = r["tables"].as_array().unwrap();
    assert!(tables.iter().any(|t| {
        let cells: Vec<&str> = t
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        cells.starts_with(&["code", "T1", "T2", "T3", "all"])
    }));
}

#[test]
fn excerpts_by_participant_and_filtered() {
    let (tmp, dir) = demo();
    let out = tmp.path().join("p03.docx");
    let stdout = run_ok(
        &dir,
        &[
            "export",
            "excerpts",
            out.to_str().unwrap(),
            "--group-by",
            "participant",
            "--participant",
            "P03",
            "--language",
            "en",
            "--json",
        ],
    );
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    let expected = run_json(&dir, &["codings", "--participant", "P03", "--json"]);
    assert_eq!(
        summary["excerpts"].as_u64().unwrap() as usize,
        expected.as_array().unwrap().len()
    );
    let r = python(READ_DOCX, &[out.to_str().unwrap()]);
    let heads: Vec<(String, String)> = r["paras"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["style"]
                .as_str()
                .is_some_and(|s| s.starts_with("Heading"))
        })
        .map(|p| {
            (
                p["style"].as_str().unwrap().to_owned(),
                p["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let body: Vec<&(String, String)> = heads
        .iter()
        .take_while(|(_, t)| !t.starts_with("Appendix"))
        .filter(|(s, t)| s != "Heading 1" || t != "Contents")
        .collect();
    assert_eq!(body[0], &("Heading 1".to_owned(), "P03".to_owned()));
    assert_eq!(body[1], &("Heading 2".to_owned(), "T1".to_owned()));
    assert!(
        body.iter().all(|(s, t)| s != "Heading 1" || t == "P03"),
        "{body:?}"
    );
    assert!(body.iter().any(|(s, _)| s == "Heading 3"));
}

/// A quote coded by two coders (after a merge) once stood twice under its code. It is one
/// excerpt, naming both coders, and the summary counts it once.
#[test]
fn a_quote_two_coders_coded_is_one_excerpt_naming_both() {
    let (tmp, dir) = demo();
    let first = run_json(&dir, &["codings", "--participant", "P03", "--json"])[0].clone();
    let (doc, start, end, code) = (
        first["doc"].to_string(),
        first["start"].to_string(),
        first["end"].to_string(),
        first["code_path"].as_str().unwrap().to_owned(),
    );
    run_ok(
        &dir,
        &["--coder", "bert", "code", "add", &doc, &start, &end, &code],
    );
    let out = tmp.path().join("both.docx");
    let stdout = run_ok(
        &dir,
        &[
            "export",
            "excerpts",
            out.to_str().unwrap(),
            "--code",
            &code,
            "--no-subcodes",
            "--json",
        ],
    );
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    let codings = run_json(
        &dir,
        &["codings", "--code", &code, "--no-subcodes", "--json"],
    );
    assert_eq!(
        summary["excerpts"].as_u64().unwrap() as usize,
        codings.as_array().unwrap().len() - 1,
        "{summary}"
    );
    let r = python(READ_DOCX, &[out.to_str().unwrap()]);
    let quote = flat(first["text"].as_str().unwrap());
    let with_quote: Vec<String> = r["paras"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| flat(p["text"].as_str().unwrap()))
        .filter(|t| t.contains(&quote))
        .collect();
    assert_eq!(with_quote.len(), 1, "{with_quote:?}");
    assert!(
        with_quote[0].contains("[bert, onderzoeker-a]"),
        "{with_quote:?}"
    );
}

#[test]
fn transcript_with_every_coding_as_a_comment_on_its_words() {
    let (tmp, dir) = demo();
    let codings = run_json(&dir, &["codings", "--doc", "10", "--json"]);
    let codings = codings.as_array().unwrap();
    assert!(codings.len() > 5);
    let first = codings[0]["id"].as_i64().unwrap();
    run_ok(
        &dir,
        &[
            "memo",
            "add",
            &format!("coding:{first}"),
            "Twijfel over de code.",
        ],
    );
    let out = tmp.path().join("t.docx");
    run_ok(&dir, &["export", "transcript", "10", out.to_str().unwrap()]);
    // The anchored words of each comment, from the XML in document order.
    let script = r#"
import sys, json, zipfile, docx
import xml.etree.ElementTree as ET
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
z = zipfile.ZipFile(sys.argv[1])
root = ET.fromstring(z.read("word/document.xml"))
open_ids, anchored = set(), {}
for p in root.iter(W + "p"):
    for el in p:
        if el.tag == W + "commentRangeStart":
            open_ids.add(el.get(W + "id")); anchored.setdefault(el.get(W + "id"), "")
        elif el.tag == W + "commentRangeEnd":
            open_ids.discard(el.get(W + "id"))
        elif el.tag == W + "r":
            style = el.find(W + "rPr/" + W + "rStyle")
            if style is not None and style.get(W + "val") == "LineNumber":
                continue  # the line numbers are not the transcript's words
            for t in el.iter(W + "t"):
                for i in open_ids:
                    anchored[i] += t.text or ""
d = docx.Document(sys.argv[1])
comments = {str(c.comment_id): {"author": c.author, "text": c.text} for c in d.comments}
lines = [p.text for p in d.paragraphs]
print(json.dumps({"anchored": anchored, "comments": comments, "lines": lines}))
"#;
    let r = python(script, &[out.to_str().unwrap()]);
    let comments = r["comments"].as_object().unwrap();
    assert_eq!(comments.len(), codings.len(), "one comment per coding");
    for (i, c) in codings.iter().enumerate() {
        let id = (i + 1).to_string();
        let words = r["anchored"][&id].as_str().unwrap();
        // Lines are paragraphs, so line breaks inside a coding are not part of the anchor.
        assert_eq!(
            words,
            c["text"].as_str().unwrap().replace('\n', ""),
            "comment {id} is anchored on the coding's words"
        );
        let comment = &comments[&id];
        assert_eq!(comment["author"], c["coder"]);
        assert!(
            comment["text"]
                .as_str()
                .unwrap()
                .starts_with(c["code_path"].as_str().unwrap())
        );
    }
    assert!(
        comments["1"]["text"]
            .as_str()
            .unwrap()
            .contains("Memo (tester): Twijfel over de code.")
    );
    // Numbered lines as `narrata show` numbers them.
    let shown = run_ok(&dir, &["show", "10", "--raw"]);
    let lines: Vec<&str> = r["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    for (n, text) in shown.lines().enumerate().take(30) {
        let want = format!("{}\t{}", n + 1, text);
        assert!(
            lines.contains(&want.as_str()),
            "line {} missing: {want:?}",
            n + 1
        );
    }
}

#[test]
fn codings_as_csv_and_json_read_back_by_other_readers() {
    let (tmp, dir) = demo();
    let codings = run_json(&dir, &["codings", "--json"]);
    let csv_path = tmp.path().join("c.csv");
    let json_path = tmp.path().join("c.json");
    run_ok(&dir, &["export", "csv", csv_path.to_str().unwrap()]);
    run_ok(&dir, &["export", "json", json_path.to_str().unwrap()]);

    let rows: Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), codings.as_array().unwrap().len());
    for (r, c) in rows.iter().zip(codings.as_array().unwrap()) {
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
            assert_eq!(r[field], c[field], "{field}");
        }
        assert!(!r["speakers"].as_array().unwrap().is_empty());
    }

    let script = r#"
import sys, csv, json
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    rows = list(csv.DictReader(f))
print(json.dumps(rows))
"#;
    let csv_rows = python(script, &[csv_path.to_str().unwrap()]);
    let csv_rows = csv_rows.as_array().unwrap();
    assert_eq!(csv_rows.len(), rows.len());
    for (c, j) in csv_rows.iter().zip(rows) {
        assert_eq!(c["id"], j["id"].to_string().as_str());
        assert_eq!(c["code_path"], j["code_path"]);
        let text = j["text"].as_str().unwrap();
        if !text.starts_with(['=', '+', '-', '@']) {
            assert_eq!(c["text"], text, "multi-line text survives CSV");
        }
        assert_eq!(c["start"], j["start"].to_string().as_str());
    }
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.starts_with("\u{feff}id,guid,doc".as_bytes()));

    // Filters select what `codings` selects.
    run_ok(
        &dir,
        &[
            "export",
            "json",
            json_path.to_str().unwrap(),
            "--participant",
            "P03",
            "--wave",
            "T2",
        ],
    );
    let filtered: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let expected = run_json(
        &dir,
        &["codings", "--participant", "P03", "--wave", "T2", "--json"],
    );
    assert_eq!(
        filtered.as_array().unwrap().len(),
        expected.as_array().unwrap().len()
    );
}

#[test]
fn exports_refuse_wrong_extensions_and_leave_no_partial_files() {
    let (tmp, dir) = demo();
    let out = narrata(&dir)
        .args([
            "export",
            "excerpts",
            tmp.path().join("x.pdf").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("as .docx"));
    // A failing export (an unknown code) leaves an existing file as it was, and no temporary.
    let target = tmp.path().join("keep.docx");
    std::fs::write(&target, b"earlier report").unwrap();
    let out = narrata(&dir)
        .args([
            "export",
            "excerpts",
            target.to_str().unwrap(),
            "--code",
            "Bestaat niet",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(std::fs::read(&target).unwrap(), b"earlier report");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".partial"))
        .collect();
    assert!(leftovers.is_empty());
}

/// A report follows its options: the project's language unless told otherwise, the codebook
/// of the codes used counted over the report's own codings, no audit trail unless asked, the
/// memos on documents and participants and the pen portraits, headings by wave; a short
/// report has no table of contents.
#[test]
fn excerpt_reports_follow_their_options_and_the_projects_language() {
    let (tmp, dir) = demo();
    // The demo's second coder codes one quote: not counted in a report of onderzoeker-a's.
    let relaties = ["--participant", "P03", "--code", "Verbondenheid/Relaties"];
    let mut args = vec!["codings", "--json"];
    args.extend(relaties);
    let first = run_json(&dir, &args)[0].clone();
    run_ok(
        &dir,
        &[
            "memo",
            "add",
            &format!("document:{}", first["doc"]),
            "Rustig gesprek.",
        ],
    );
    run_ok(&dir, &["memo", "add", "portrait:P03:T1", "Terughoudend."]);
    bert_codes(&dir, &first, "Verbondenheid/Relaties");
    let out = tmp.path().join("p03.docx");
    run_ok(
        &dir,
        &[
            "export",
            "excerpts",
            out.to_str().unwrap(),
            "--participant",
            "P03",
            "--code",
            "Verbondenheid/Relaties",
            "--coder",
            "onderzoeker-a",
            "--group-by",
            "wave",
        ],
    );
    let r = python(READ_DOCX, &[out.to_str().unwrap()]);
    let paras = r["paras"].as_array().unwrap();
    let texts: Vec<&str> = paras.iter().map(|p| p["text"].as_str().unwrap()).collect();
    let heads: Vec<(&str, &str)> = paras
        .iter()
        .filter(|p| {
            p["style"]
                .as_str()
                .is_some_and(|s| s.starts_with("Heading 1"))
        })
        .map(|p| (p["style"].as_str().unwrap(), p["text"].as_str().unwrap()))
        .collect();
    // Dutch, as the project: title, citations with "r.", appendices.
    assert!(texts.contains(&"Gecodeerde fragmenten"), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains("(P03, T1, r.\u{a0}")),
        "{texts:?}"
    );
    let h1: Vec<&str> = heads.iter().map(|h| h.1).collect();
    assert_eq!(
        h1,
        [
            "T1",
            "T2",
            "T3",
            "Memo's bij de documenten",
            "Portretten",
            "Bijlage A. Codeboek",
            "Bijlage B. Methodenotitie"
        ]
    );
    assert!(texts.iter().any(|t| t.contains("Rustig gesprek.")));
    assert!(
        texts
            .iter()
            .any(|t| t == &"P03, T1 (tester): Terughoudend."),
        "{texts:?}"
    );
    // Few headings: no table of contents.
    assert!(!r["toc"].as_bool().unwrap());
    // The codebook appendix: only the codes used (with their parents), counted over this
    // report's codings (onderzoeker-a's; bert's coding of the same quote is not counted).
    let tables = r["tables"].as_array().unwrap();
    let codebook: Vec<&str> = tables
        .last()
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let mut args = vec!["codings", "--coder", "onderzoeker-a", "--json"];
    args.extend(relaties);
    let report = run_json(&dir, &args);
    let total: usize = codebook
        .chunks(5)
        .skip(1)
        .map(|row| row[4].parse::<usize>().unwrap())
        .sum();
    assert_eq!(total, report.as_array().unwrap().len(), "{codebook:?}");
    // The code and its parent, nothing else.
    let names: Vec<&str> = codebook.chunks(5).skip(1).map(|row| row[0]).collect();
    assert_eq!(
        names,
        ["Verbondenheid", "\u{a0}\u{a0}Relaties"],
        "{codebook:?}"
    );
}

/// The numbers as a spreadsheet, read back by an independent reader (openpyxl): four sheets,
/// each with a bold, frozen header row and a filter; figures stored as numbers that agree with
/// the command line's JSON.
#[test]
fn the_numbers_export_as_a_spreadsheet_with_filters_and_frozen_headers() {
    let (tmp, dir) = demo();
    // A second coder, so there is agreement to compute.
    let first = run_json(&dir, &["codings", "--participant", "P03", "--json"])[0].clone();
    bert_codes(&dir, &first, first["code_path"].as_str().unwrap());
    let out = tmp.path().join("numbers.xlsx");
    run_ok(&dir, &["export", "xlsx", out.to_str().unwrap()]);
    let script = r#"
import sys, json, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = {}
for ws in wb.worksheets:
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    out[ws.title] = {
        "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "bold": all(c.font.b for c in ws[1] if c.value is not None),
        "rows": rows,
    }
print(json.dumps({"order": wb.sheetnames, "sheets": out}, default=str))
"#;
    let r = python(script, &[out.to_str().unwrap()]);
    assert_eq!(
        r["order"],
        serde_json::json!(["codings", "matrix", "changes", "agreement"])
    );
    let codings = run_json(&dir, &["codings", "--json"]);
    let n = codings.as_array().unwrap().len();
    for name in ["codings", "matrix", "changes", "agreement"] {
        let s = &r["sheets"][name];
        assert_eq!(s["freeze"], "A2", "{name}");
        assert_eq!(s["bold"], true, "{name}");
    }
    let sheet = &r["sheets"]["codings"];
    assert_eq!(sheet["filter"], format!("A1:P{}", n + 1));
    let rows = sheet["rows"].as_array().unwrap();
    // The header, a row per coding, a blank row and the note on long texts.
    assert_eq!(rows.len(), n + 3);
    assert!(rows[n + 2][0].as_str().unwrap().contains("export json"));
    // Numbers are numbers: the id column holds integers, matching the JSON's ids.
    let ids: Vec<i64> = rows[1..=n].iter().map(|r| r[0].as_i64().unwrap()).collect();
    let mut want: Vec<i64> = codings
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    let mut got = ids.clone();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want);
    // The matrix sheet: the same counts as `matrix --json`.
    let m = run_json(&dir, &["matrix", "--json"]);
    let rows = r["sheets"]["matrix"]["rows"].as_array().unwrap();
    let header: Vec<&str> = rows[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for (i, row) in m["rows"].as_array().unwrap().iter().enumerate() {
        let line = rows[i + 1].as_array().unwrap();
        assert_eq!(line[1], row["path"]);
        for (j, column) in m["columns"].as_array().unwrap().iter().enumerate() {
            assert_eq!(header[j + 2], column["name"].as_str().unwrap());
            assert_eq!(
                line[j + 2].as_f64().unwrap() as i64,
                row["cells"][j]["codings"].as_i64().unwrap()
            );
        }
    }
    // Agreement between the two coders who coded, per code.
    let rows = r["sheets"]["agreement"]["rows"].as_array().unwrap();
    assert!(rows.len() > 1, "{rows:?}");
    assert_eq!(rows[0][0], "code");
    assert!(
        rows[0]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h == "coded_by_bert")
    );
}

/// A coding in a document without a wave once counted twice in the codebook appendix's "all"
/// column (its wave key and the total's key were the same).
#[test]
fn the_codebook_appendix_counts_codings_without_a_wave_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("study");
    run_ok(tmp.path(), &["init", dir.to_str().unwrap()]);
    let file = tmp.path().join("gesprek.md");
    std::fs::write(
        &file,
        "---\nkind: document\ntitle: Veldnotities\n---\nVandaag sprak ik over hoop.\n",
    )
    .unwrap();
    run_ok(
        &dir,
        &["import", file.to_str().unwrap(), "--anonymise", "off"],
    );
    run_ok(&dir, &["codebook", "add", "Hoop"]);
    run_ok(&dir, &["code", "add", "1", "0", "7", "Hoop"]);
    let out = tmp.path().join("hoop.docx");
    run_ok(&dir, &["export", "excerpts", out.to_str().unwrap()]);
    let r = python(READ_DOCX, &[out.to_str().unwrap()]);
    let codebook = r["tables"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(codebook, serde_json::json!(["code", "alle", "Hoop", "1"]));
}

/// The peak memory (KB) of `narrata args`, measured by Python as the peak of its one child.
fn peak_kb(dir: &Path, args: &[&str]) -> u64 {
    const PEAK: &str = "import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
assert r.returncode == 0, r.stderr.decode()
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let bin = assert_cmd::cargo::cargo_bin("narrata");
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(PEAK)
        .arg(&bin)
        .args(["--project", dir.to_str().unwrap()])
        .args(args)
        .env_remove("NARRATA_PROJECT")
        .env("NARRATA_CODER", "tester")
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// Exports are streamed into the file: a report of forty times the excerpts costs the memory
/// of the codings read, not of forty times the document (which docx-rs would build whole), and
/// the rows, the spreadsheet and the .qdpx of every coding cost what one code's do.
#[test]
fn long_exports_are_written_without_holding_the_whole_file() {
    use narrata::codebook::{self, Fields};
    let (_tmp, dir) = common::project();
    let mut store = narrata::store::Store::open(&dir).unwrap();
    // Three fictional transcripts of 200 turns each, every turn coded with forty codes.
    for d in 0..3 {
        let text: String = (0..200)
            .map(|t| {
                format!(
                    "{}: In interview {d}, turn {t}, the group met again on a quiet evening and \
                     everyone spoke about what had changed since the last meeting.\n\n",
                    if t % 2 == 0 {
                        "Interviewer"
                    } else {
                        "Deelnemer"
                    }
                )
            })
            .collect();
        common::import_text(&mut store, &format!("P0{}_T1.txt", d + 1), &text);
    }
    let codes: Vec<_> = (0..40)
        .map(|i| {
            codebook::add(
                &mut store,
                "tester",
                &format!("Theme/Code {i}"),
                &Fields::default(),
            )
            .unwrap()
        })
        .collect();
    let turns: Vec<(i64, i64, i64)> = store
        .conn()
        .prepare("SELECT doc_id, start, end FROM turns")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(turns.len(), 600);
    store
        .action("tester", |a| {
            for code in &codes {
                for &(doc, start, end) in &turns {
                    narrata::coding::add_in(a, doc, start, end, code)?;
                }
            }
            a.audit("code", "test", serde_json::json!({"codings": 24_000}))
        })
        .unwrap();
    drop(store);

    let one = dir.join("one.docx");
    let all = dir.join("all.docx");
    let small = peak_kb(
        &dir,
        &[
            "export",
            "excerpts",
            one.to_str().unwrap(),
            "--code",
            "Theme/Code 7",
        ],
    );
    let large = peak_kb(&dir, &["export", "excerpts", all.to_str().unwrap()]);
    let read = python(
        "import sys, json, docx\nd = docx.Document(sys.argv[1])\nq = [p for p in d.paragraphs if p.style.name == 'Quote']\nh = [p.text for p in d.paragraphs if p.style.name.lower() == 'heading 2']\nprint(json.dumps({'quotes': len(q), 'headings': h, 'last': d.paragraphs[-1].text}))",
        &[all.to_str().unwrap()],
    );
    assert_eq!(read["quotes"], 24_000, "every excerpt is in the report");
    assert_eq!(read["headings"].as_array().unwrap().len(), 40);
    // Held whole, 24,000 excerpts took about 110 MB more than 600 did (4.6 KB each).
    let grew_mb = large.saturating_sub(small) / 1024;
    eprintln!("peak: 600 excerpts {small} KB, 24,000 excerpts {large} KB");
    assert!(
        grew_mb < 40,
        "the report of 24,000 excerpts peaked {grew_mb} MB above the one of 600 ({small} KB, {large} KB)"
    );

    // The rows, the spreadsheet and the REFI-QDA project are written as they are read too:
    // every coding costs no more memory than one code's. Held whole, the CSV of 24,000 codings
    // peaked 26 MB above one code's here; the spreadsheet and the .qdpx held more per coding
    // (3.2 and 3.8 KB on the benchmark project, against 1.6 KB for the CSV). The .qdpx also
    // has the compressor's fixed buffers on top of the rows': 5 to 6 MB above the CSV of every
    // coding (measured with this binary's allocator at 35,000 and 100,000 codings alike; held
    // whole, 24,000 codings would be about 90 MB more).
    let code7 = ["--code", "Theme/Code 7"];
    let base = peak_kb(
        &dir,
        &[
            &["export", "csv", dir.join("one.csv").to_str().unwrap()],
            &code7[..],
        ]
        .concat(),
    );
    for (what, file, bound_mb) in [
        ("csv", "all.csv", 10),
        ("json", "all.json", 10),
        ("qdpx", "all.qdpx", 16),
    ] {
        let path = dir.join(file);
        let peak = peak_kb(&dir, &["export", what, path.to_str().unwrap()]);
        eprintln!("peak: export {what} of 24,000 codings {peak} KB, of 600 as CSV {base} KB");
        let grew_mb = peak.saturating_sub(base) / 1024;
        assert!(
            grew_mb < bound_mb,
            "export {what} of 24,000 codings peaked {grew_mb} MB above one code's CSV"
        );
    }
    let rows: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("all.json")).unwrap()).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 24_000);
    let csv_lines = std::fs::read_to_string(dir.join("all.csv"))
        .unwrap()
        .matches("\r\n")
        .count();
    assert_eq!(csv_lines, 24_001, "a header and every coding");
    // The spreadsheet's other sheets (matrix, change table, agreement) are the same for one
    // code and for all: what grows is the codings sheet.
    let one = peak_kb(
        &dir,
        &[
            &["export", "xlsx", dir.join("one.xlsx").to_str().unwrap()],
            &code7[..],
        ]
        .concat(),
    );
    let all = peak_kb(
        &dir,
        &["export", "xlsx", dir.join("all.xlsx").to_str().unwrap()],
    );
    eprintln!("peak: export xlsx of 600 codings {one} KB, of 24,000 {all} KB");
    let grew_mb = all.saturating_sub(one) / 1024;
    assert!(
        grew_mb < 10,
        "the spreadsheet of 24,000 codings peaked {grew_mb} MB above one code's"
    );
    let sheet = python(
        "import sys, json, zipfile, re\nz = zipfile.ZipFile(sys.argv[1])\nx = z.read('xl/worksheets/sheet1.xml').decode()\nprint(json.dumps({'rows': len(re.findall('<row ', x)), 'filter': re.search('<autoFilter ref=\"([^\"]+)\"', x).group(1)}))",
        &[dir.join("all.xlsx").to_str().unwrap()],
    );
    assert_eq!(sheet["rows"], 24_002, "a header, every coding and the note");
    assert_eq!(sheet["filter"], "A1:P24001");
}
