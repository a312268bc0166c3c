//! The demo's reports read as a journal author reads them: converted to PDF by LibreOffice
//! and looked at page by page. The page counts stay within what their content needs, and no
//! table cell breaks a word across lines (a word cut in two is missing from the PDF's text).
//!
//! Needs LibreOffice (`soffice`) and poppler's `pdftotext`/`pdfinfo`; `.ci/run` installs
//! them. Without them the test says NOT RUN and passes, except under CI, where it fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn have(tool: &str) -> bool {
    // Spawning fails only when the program is not there.
    Command::new(tool).arg("-v").output().is_ok()
}

fn narrata(dir: &Path, args: &[&str]) {
    let out = common::narrata(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count for {}", pdf.display()))
}

/// Words of the document's tables (five letters or more) that the PDF holds fewer times than
/// the document does: each is a word LibreOffice broke inside a cell.
const BROKEN: &str = r#"
import sys, re, json, subprocess, docx
d = docx.Document(sys.argv[1])
word = re.compile(r"[^\W\d_]{5,}")
def words(text):
    return word.findall(text.replace("\u200b", " "))
in_tables = set()
everywhere = {}
for t in d.tables:
    for r in t.rows:
        for c in r.cells:
            for w in words(c.text):
                in_tables.add(w)
texts = [p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells]
for text in texts:
    for w in words(text):
        everywhere[w] = everywhere.get(w, 0) + 1
pdf = subprocess.run(["pdftotext", sys.argv[2], "-"], capture_output=True, text=True).stdout
found = {}
for w in words(pdf):
    found[w] = found.get(w, 0) + 1
# A hyphen is a place to break ("English-speaking"), and pdftotext joins such a line's
# halves: words next to a hyphen are left out of the count.
hyphened = set()
for text in texts:
    for a, b in re.findall(r"(\w+)[-‑](\w+)", text):
        hyphened.update([a, b])
print(json.dumps(sorted(w for w in in_tables
                        if w not in hyphened and found.get(w, 0) < everywhere[w])))
"#;

#[test]
fn the_demos_reports_convert_to_pdf_with_whole_words_in_every_table() {
    if !have("soffice") || !have("pdftotext") {
        assert!(
            std::env::var_os("CI").is_none(),
            "LibreOffice and poppler-utils are needed under CI (.ci/run installs them)"
        );
        eprintln!("NOT RUN: soffice or pdftotext is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    narrata(tmp.path(), &["demo", "demo", "--no-tui"]);
    let dir = tmp.path().join("demo");
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let file = |name: &str| out.join(name).to_str().unwrap().to_owned();
    let reports: Vec<(&str, Vec<String>)> = vec![
        (
            "excerpts.docx",
            vec![
                "export".into(),
                "excerpts".into(),
                file("excerpts.docx"),
                "--language".into(),
                "en".into(),
            ],
        ),
        (
            "verbondenheid.docx",
            vec![
                "export".into(),
                "excerpts".into(),
                file("verbondenheid.docx"),
                "--code".into(),
                "Verbondenheid".into(),
            ],
        ),
        (
            "changes.docx",
            vec!["export".into(), "changes".into(), file("changes.docx")],
        ),
        (
            "matrix.docx",
            vec![
                "matrix".into(),
                "--across".into(),
                "participant".into(),
                "--docx".into(),
                file("matrix.docx"),
            ],
        ),
    ];
    for (_, args) in &reports {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        narrata(&dir, &args);
    }
    let profile = tmp.path().join("lo-profile");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .args(reports.iter().map(|(name, _)| out.join(name)))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let pdf = |name: &str| -> PathBuf { out.join(name.replace(".docx", ".pdf")) };
    // Page counts, with room for fonts that differ between machines: the excerpts of one
    // code (167 quotes) on 10 to 20 pages; the matrix (a heat map and two tables) on 2 to
    // 6; the whole excerpt report more than the one code's.
    let counts: Vec<(String, usize)> = reports
        .iter()
        .map(|(name, _)| (name.to_string(), pages(&pdf(name))))
        .collect();
    eprintln!("pages: {counts:?}");
    let of = |name: &str| counts.iter().find(|(n, _)| n == name).unwrap().1;
    assert!((10..=20).contains(&of("verbondenheid.docx")), "{counts:?}");
    assert!((2..=6).contains(&of("matrix.docx")), "{counts:?}");
    assert!(of("excerpts.docx") > of("verbondenheid.docx"), "{counts:?}");
    for (name, _) in &reports {
        let read = Command::new("python3")
            .args(["-c", BROKEN])
            .arg(out.join(name))
            .arg(pdf(name))
            .output()
            .expect("python3 with python-docx (bash tests/run.sh installs it)");
        assert!(
            read.status.success(),
            "{}",
            String::from_utf8_lossy(&read.stderr)
        );
        let broken: Vec<String> = serde_json::from_slice(&read.stdout).unwrap();
        assert!(
            broken.is_empty(),
            "{name}: words broken in table cells: {broken:?}"
        );
    }
}
