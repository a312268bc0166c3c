//! Reliability: the search index checked against the database and repaired from it
//! (`check --repair`), and a backup restored and used as the project it came from.

mod common;

use common::*;
use std::path::Path;

use serde_json::Value;

fn check(dir: &Path, extra: &[&str]) -> (bool, Value) {
    let mut args = vec!["check", "--json"];
    args.extend_from_slice(extra);
    let out = narrata(dir).args(&args).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "check printed no report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), report)
}

/// A project with the samples, coded a little and searched once (so the index exists).
fn coded_project() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = project();
    import_samples(&dir);
    run_ok(&dir, &["codebook", "add", "Hoop"]);
    run_ok(&dir, &["code", "auto", "hoop", "Hoop"]);
    run_ok(&dir, &["memo", "add", "code:Hoop", "Hoop komt vaak terug."]);
    run_ok(&dir, &["search", "groep"]);
    (tmp, dir)
}

fn hits(dir: &Path, query: &[&str]) -> u64 {
    let mut args = vec!["search", "--json"];
    args.extend_from_slice(query);
    run_json(dir, &args)["total"].as_u64().unwrap()
}

#[test]
fn an_index_with_turns_the_database_lacks_is_reported_and_rebuilt_by_repair() {
    let (_tmp, dir) = coded_project();
    let (ok, report) = check(&dir, &[]);
    assert!(ok, "{report}");
    assert_eq!(report["index"]["current"], true);
    let turns = report["turns"].as_u64().unwrap();
    assert_eq!(report["index"]["turns"].as_u64().unwrap(), turns);

    // Another, larger project's index put in its place and marked current: it holds turns
    // this database does not have, as an index left behind by a crash or a bad copy would.
    let (_other_tmp, other) = coded_project();
    let extra = fixtures().join("P10_T2.vtt");
    run_ok(
        &other,
        &["import", extra.to_str().unwrap(), "--anonymise", "off"],
    );
    run_ok(&other, &["search", "groep"]);
    let index = dir.join("index");
    std::fs::remove_dir_all(&index).unwrap();
    copy_dir(&other.join("index"), &index);
    let generation: i64 = rusqlite::Connection::open(dir.join("narrata.db"))
        .unwrap()
        .query_row("SELECT generation FROM project", [], |r| r.get(0))
        .unwrap();
    let meta = index.join("narrata-index.json");
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    m["generation"] = generation.into();
    std::fs::write(&meta, m.to_string()).unwrap();
    let before = fingerprint(&dir);

    let (ok, report) = check(&dir, &[]);
    assert!(!ok, "{report}");
    let problems = report["index"]["problems"].to_string();
    assert!(
        problems.contains("the database does not have"),
        "{problems}"
    );
    // The database itself is fine: its problems are only the index's.
    assert_eq!(report["problems"], serde_json::json!([]));

    let (ok, report) = check(&dir, &["--repair"]);
    assert!(ok, "{report}");
    assert_eq!(report["index_rebuilt_turns"].as_u64().unwrap(), turns);
    assert_eq!(report["index"]["turns"].as_u64().unwrap(), turns);
    // The database is untouched by the repair, and searching works on the rebuilt index.
    assert_eq!(fingerprint(&dir), before);
    assert_eq!(
        hits(&dir, &["hoop"]),
        hits(&dir, &["hoop", "--code", "Hoop"])
    );
}

#[test]
fn a_damaged_index_is_reported_and_repair_rebuilds_it() {
    let (_tmp, dir) = coded_project();
    let expected = hits(&dir, &["groep"]);
    // Overwrite every file of the index's segments with garbage.
    for entry in std::fs::read_dir(dir.join("index")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".json") && !name.starts_with('.') {
            std::fs::write(&path, b"not an index segment").unwrap();
        }
    }
    let (ok, report) = check(&dir, &[]);
    assert!(!ok, "{report}");
    assert!(
        report["index"]["problems"]
            .to_string()
            .contains("cannot be read"),
        "{report}"
    );
    let text = String::from_utf8(
        narrata(&dir)
            .args(["check", "--repair"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(text.contains("search index was rebuilt"), "{text}");
    assert!(text.contains("in step with the database"), "{text}");
    let (ok, report) = check(&dir, &[]);
    assert!(ok, "{report}");
    assert_eq!(hits(&dir, &["groep"]), expected);
}

#[test]
fn a_backup_restored_elsewhere_is_the_same_project_and_works_on() {
    let (tmp, dir) = coded_project();
    let backup = tmp.path().join("backup");
    run_ok(&dir, &["backup", backup.to_str().unwrap()]);
    // Restore: the backup folder copied to where a project lives, used as the project.
    let restored = tmp.path().join("restored");
    copy_dir(&backup, &restored);
    let (ok, report) = check(&restored, &[]);
    assert!(ok, "{report}");
    for args in [
        &["docs", "--json"][..],
        &["codings", "--json"][..],
        &["memos", "--json"][..],
        &["codebook", "show", "--json"][..],
    ] {
        assert_eq!(run_json(&restored, args), run_json(&dir, args), "{args:?}");
    }
    assert_eq!(fingerprint(&restored), fingerprint(&dir));
    // The index is not part of a backup: the first search builds it, with the same answers.
    assert_eq!(hits(&restored, &["hoop"]), hits(&dir, &["hoop"]));
    assert_eq!(
        hits(&restored, &["hoop", "--code", "Hoop"]),
        hits(&dir, &["hoop", "--code", "Hoop"])
    );
    // And work goes on in the restored project.
    run_ok(&restored, &["codebook", "add", "Steun"]);
    run_ok(&restored, &["code", "auto", "steun", "Steun"]);
    let (ok, report) = check(&restored, &[]);
    assert!(ok, "{report}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
