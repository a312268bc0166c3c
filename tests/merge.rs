//! Merging diverging copies of one study: by GUIDs, nothing duplicated, nothing lost,
//! deletions kept, twice adds nothing, unrelated projects refused, a dry run changes nothing.

mod common;

use std::path::{Path, PathBuf};

use common::{narrata, project, run_json};
use serde_json::Value;

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = narrata(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "narrata {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A study with one interview and two codes, coded once, and a copy of it (as a coder gets it).
fn copies() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (tmp, a) = project();
    let file = tmp.path().join("P01_T1.txt");
    std::fs::write(
        &file,
        "I: Hoe gaat het?\nP01: Mijn buurvrouw Annet komt elke week, dat geeft hoop.\nI: En de groep?\nP01: De groep helpt, daar hoor ik bij.\n",
    )
    .unwrap();
    ok(
        &a,
        &["import", file.to_str().unwrap(), "--anonymise", "off"],
    );
    ok(&a, &["codebook", "add", "Hoop"]);
    ok(&a, &["codebook", "add", "Verbondenheid"]);
    ok(
        &a,
        &["--coder", "anna", "code", "add", "1", "20", "30", "Hoop"],
    );
    let b = tmp.path().join("copy-bert");
    ok(&a, &["backup", b.to_str().unwrap()]);
    (tmp, a, b)
}

fn codings(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = run_json(dir, &["codings", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {}",
                c["code_path"], c["start"], c["end"], c["coder"], c["text"]
            )
        })
        .collect();
    v.sort();
    v
}

fn codes(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = run_json(dir, &["codebook", "show", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

fn merge_json(dir: &Path, other: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["merge", other.to_str().unwrap(), "--json"];
    args.extend(extra);
    serde_json::from_str(&ok(dir, &args)).unwrap()
}

#[test]
fn diverging_copies_merge_without_loss_or_duplicates_and_twice_adds_nothing() {
    let (_tmp, a, b) = copies();
    let text = run_json(&a, &["show", "1", "--json"])["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let at = |w: &str| text.find(w).unwrap().to_string(); // ASCII text: bytes are characters
    // Here (anna): a new code and a coding with it; a memo.
    ok(&a, &["codebook", "add", "Buren"]);
    ok(
        &a,
        &[
            "--coder",
            "anna",
            "code",
            "add",
            "1",
            &at("buurvrouw"),
            &(text.find("buurvrouw").unwrap() + 9).to_string(),
            "Buren",
        ],
    );
    ok(
        &a,
        &[
            "--coder",
            "anna",
            "memo",
            "add",
            "document:1",
            "Eerste lezing.",
        ],
    );
    // There (bert's copy): another new code with a coding of bert's, and a coding of anna's
    // with the code both copies had, on a word apart from the coding both copies had (one
    // overlapping it would be united with it); that shared coding is deleted there.
    ok(&b, &["codebook", "add", "Groep"]);
    ok(
        &b,
        &[
            "--coder",
            "bert",
            "code",
            "add",
            "1",
            &at("De groep helpt"),
            &(text.find("De groep helpt").unwrap() + 14).to_string(),
            "Groep",
        ],
    );
    ok(
        &b,
        &[
            "--coder",
            "anna",
            "code",
            "add",
            "1",
            &at("Annet"),
            &(text.find("Annet").unwrap() + 5).to_string(),
            "Hoop",
        ],
    );
    let shared = run_json(
        &b,
        &["codings", "--coder", "anna", "--code", "Hoop", "--json"],
    );
    let first = shared
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["start"] == 20)
        .unwrap()["id"]
        .to_string();
    ok(&b, &["--coder", "anna", "code", "rm", &first]);
    ok(
        &b,
        &[
            "changes",
            "set",
            "P01",
            "Groep",
            "emerged",
            "--memo",
            "Nieuw in T1",
        ],
    );

    // A dry run reports and changes nothing.
    let before = codings(&a);
    let dry = merge_json(&a, &b, &["--dry-run"]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["codes_added"], 1);
    assert_eq!(codings(&a), before, "the dry run changed nothing");

    let r = merge_json(&a, &b, &[]);
    assert_eq!(r["codes_added"], 1, "{r}");
    assert_eq!(
        r["codings_deleted"], 1,
        "the coding bert deleted is deleted here: {r}"
    );
    assert_eq!(r["overrides_added"], 1);
    assert_eq!(codes(&a), ["Buren", "Groep", "Hoop", "Verbondenheid"]);
    let got = codings(&a);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got.iter()
            .any(|c| c.starts_with("\"Groep\"") && c.contains("bert"))
    );
    assert!(got.iter().any(|c| c.starts_with("\"Buren\"")));
    assert!(
        got.iter()
            .any(|c| c.starts_with("\"Hoop\"") && c.contains("Annet"))
    );
    assert!(
        !got.iter().any(|c| c.contains(" 20 30 ")),
        "the deleted coding is gone"
    );
    // The history of the other copy is here too, and the project checks out.
    assert!(r["audit_entries_added"].as_u64().unwrap() >= 4);
    ok(&a, &["check", "--full"]);

    // Twice: nothing more.
    let again = merge_json(&a, &b, &[]);
    for field in [
        "documents_added",
        "codes_added",
        "codings_added",
        "codings_deleted",
        "memos_added",
        "overrides_added",
        "audit_entries_added",
    ] {
        assert_eq!(again[field], 0, "{field}: {again}");
    }
    assert_eq!(codings(&a), got);

    // And the other way round the copies end up alike.
    merge_json(&b, &a, &[]);
    assert_eq!(codings(&b), codings(&a));
    assert_eq!(codes(&b), codes(&a));
}

#[test]
fn a_redaction_in_one_copy_reanchors_the_other_copys_codings() {
    let (_tmp, a, b) = copies();
    let text = run_json(&a, &["show", "1", "--json"])["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let annet = text.find("Annet").unwrap();
    // Here: a coding after the name, made after the copy was taken.
    let hoop = text.find("hoop").unwrap();
    ok(
        &a,
        &[
            "--coder",
            "anna",
            "code",
            "add",
            "1",
            &hoop.to_string(),
            &(hoop + 4).to_string(),
            "Verbondenheid",
        ],
    );
    // There: the name is redacted (the copy's key made first, by adding a name to its list).
    let key = narrata(&b)
        .env("NARRATA_PASSPHRASE", "proef-wachtwoord")
        .args(["anonymise", "names", "add", "Xyzzy Plugh"])
        .output()
        .unwrap();
    assert!(
        key.status.success(),
        "{}",
        String::from_utf8_lossy(&key.stderr)
    );
    let out = narrata(&b)
        .env("NARRATA_PASSPHRASE", "proef-wachtwoord")
        .args([
            "anonymise",
            "redact",
            "1",
            &annet.to_string(),
            &(annet + 5).to_string(),
            "person",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Merge here into the redacted copy: the coding lands on "hoop" there.
    let r = merge_json(&b, &a, &[]);
    assert_eq!(r["documents_differing"].as_array().unwrap().len(), 1, "{r}");
    let there = run_json(&b, &["codings", "--code", "Verbondenheid", "--json"]);
    assert_eq!(there[0]["text"], "hoop");
    let shown = run_json(&b, &["show", "1", "--json"])["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!shown.contains("Annet"), "the redaction stands");
}

#[test]
fn unrelated_projects_and_the_project_itself_are_refused() {
    let (tmp, a, _b) = copies();
    ok(tmp.path(), &["init", "other"]);
    let other = tmp.path().join("other");
    for (target, expected) in [
        (&other, "not a copy of this one"),
        (&a, "this project itself"),
    ] {
        let out = narrata(&a)
            .args(["merge", target.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{err}");
    }
}

/// Undo after a merge once answered "cannot undo `merge` … undo that first" for ever, once a
/// coder had changed a merged coding, so none of the merger's own earlier steps could be
/// undone. Two paths: a merge nothing has touched since is undone (and redone) as one action;
/// a merge that cannot be undone is passed over, with a sentence, when the step beneath it is
/// independent of it, and refused with a sentence when it is not.
#[test]
fn undo_after_a_merge_takes_the_merge_back_whole_or_passes_over_it() {
    // Path 1: the merge itself, undone and redone.
    let (_tmp, a, b) = copies();
    ok(
        &b,
        &[
            "--coder",
            "bert",
            "code",
            "add",
            "1",
            "60",
            "75",
            "Verbondenheid",
        ],
    );
    ok(
        &a,
        &[
            "--coder",
            "anna",
            "memo",
            "add",
            "project",
            "Eerste indruk.",
        ],
    );
    let before = codings(&a);
    merge_json(&a, &b, &["--coder", "anna"]);
    let merged = codings(&a);
    assert_eq!(merged.len(), before.len() + 1, "{merged:?}");
    let undone = ok(&a, &["--coder", "anna", "undo"]);
    assert!(undone.contains("undid `merge`"), "{undone}");
    assert_eq!(codings(&a), before);
    ok(&a, &["--coder", "anna", "redo"]);
    assert_eq!(codings(&a), merged);

    // Path 2: bert removes his merged coding in the shared project; anna's undo passes over
    // the merge to her memo, then to her coding made before the copy.
    let bert: Vec<Value> = run_json(&a, &["codings", "--coder", "bert", "--json"])
        .as_array()
        .unwrap()
        .clone();
    let id = bert[0]["id"].to_string();
    ok(&a, &["--coder", "bert", "code", "rm", &id]);
    let undone = ok(&a, &["--coder", "anna", "undo"]);
    assert!(
        undone.contains("passed over `merge`")
            && undone.contains("cannot be undone")
            && undone.contains("undid `add memo`"),
        "{undone}"
    );
    assert_eq!(run_json(&a, &["memos", "--json"]), serde_json::json!([]));
    let undone = ok(&a, &["--coder", "anna", "undo"]);
    assert!(undone.contains("undid `code`"), "{undone}");
    assert!(codings(&a).is_empty(), "{:?}", codings(&a));
    // Redo puts anna's coding back.
    ok(&a, &["--coder", "anna", "redo"]);
    assert_eq!(codings(&a).len(), 1);

    // Beneath that, the codes: the merge brought a coding on "Verbondenheid", so taking that
    // code back is tied to the merge and refused with a sentence; nothing changes.
    let (_tmp2, c, d) = copies();
    ok(&c, &["--coder", "anna", "codebook", "add", "Steun"]);
    ok(
        &c,
        &[
            "backup",
            d.parent().unwrap().join("copy-2").to_str().unwrap(),
        ],
    );
    let d = d.parent().unwrap().join("copy-2");
    ok(
        &d,
        &["--coder", "bert", "code", "add", "1", "60", "75", "Steun"],
    );
    merge_json(&c, &d, &["--coder", "anna"]);
    let id = run_json(&c, &["codings", "--coder", "bert", "--json"])[0]["id"].to_string();
    ok(&c, &["--coder", "bert", "code", "rm", &id]);
    let before = (codings(&c), codes(&c));
    let out = narrata(&c)
        .args(["--coder", "anna", "undo"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot undo `add code`")
            && err.contains("`merge`")
            && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!((codings(&c), codes(&c)), before);
}

#[test]
fn a_document_merged_in_brings_its_anonymisation_log() {
    let (tmp, a, b) = copies();
    // In the copy, an interview imported with anonymisation: its log is in that database.
    let file = tmp.path().join("P02_T1.txt");
    std::fs::write(
        &file,
        "I: Wie helpt je?\nP02: Mijn broer Sjoerd Wiersma, en mevrouw De Haan van het wijkteam.\n",
    )
    .unwrap();
    let out = narrata(&b)
        .env("NARRATA_PASSPHRASE", "proef-wachtwoord")
        .env("NARRATA_KEY_WORK_FACTOR", "4")
        .args(["import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = |dir: &Path| -> Vec<(String, String, String)> {
        let c = rusqlite::Connection::open(dir.join("narrata.db")).unwrap();
        let mut stmt = c
            .prepare("SELECT document, pseudonym, rule FROM anonymisation_log ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let theirs = log(&b);
    assert!(theirs.len() >= 2, "{theirs:?}");
    assert!(log(&a).is_empty());
    let r = merge_json(&a, &b, &[]);
    assert_eq!(r["documents_added"], 1, "{r}");
    assert_eq!(log(&a), theirs);
    // Merging again adds nothing, to the log neither.
    merge_json(&a, &b, &[]);
    assert_eq!(log(&a), theirs);
}
