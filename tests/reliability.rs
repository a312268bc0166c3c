//! Reliability: the search index checked against the database and repaired from it
//! (`check --repair`), and a backup restored and used as the project it came from.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn check(dir: &Path, extra: &[&str]) -> (bool, Value) {
    let mut args = vec!["check", "--full", "--json"];
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

/// Marks the index in `dir` as of the database's generation (as if it were current).
fn mark_current(dir: &Path) {
    let generation: i64 = rusqlite::Connection::open(dir.join("narrata.db"))
        .unwrap()
        .query_row("SELECT generation FROM project", [], |r| r.get(0))
        .unwrap();
    let meta = dir.join("index").join("narrata-index.json");
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    m["generation"] = generation.into();
    std::fs::write(&meta, m.to_string()).unwrap();
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
    mark_current(&dir);
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

/// The quick check (`check` without `--full`) reads little but what goes wrong first: the
/// newest rows, and the index's generation, readability and size.
#[test]
fn the_quick_check_finds_a_broken_newest_coding_and_an_index_of_the_wrong_size() {
    let (_tmp, dir) = coded_project();
    let quick = |dir: &Path| {
        let out = narrata(dir).args(["check", "--json"]).output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.success(), report)
    };
    let (ok, report) = quick(&dir);
    assert!(ok, "{report}");
    assert_eq!(report["depth"], "quick");
    assert_eq!(report["index"]["turns"], report["turns"]);

    // An index of another project's turns, marked current: the count tells.
    let (_other_tmp, other) = coded_project();
    let extra = fixtures().join("P10_T2.vtt");
    run_ok(
        &other,
        &["import", extra.to_str().unwrap(), "--anonymise", "off"],
    );
    run_ok(&other, &["search", "groep"]);
    let index = dir.join("index");
    let saved = dir.join("index-saved");
    std::fs::rename(&index, &saved).unwrap();
    copy_dir(&other.join("index"), &index);
    mark_current(&dir);
    let (ok, report) = quick(&dir);
    assert!(!ok, "{report}");
    assert!(
        report["index"]["problems"]
            .to_string()
            .contains("the database"),
        "{report}"
    );
    std::fs::remove_dir_all(&index).unwrap();
    std::fs::rename(&saved, &index).unwrap();

    // The newest coding made to reach past its document's end (as a torn write might).
    let db = rusqlite::Connection::open(dir.join("narrata.db")).unwrap();
    db.execute(
        "UPDATE codings SET end = 100000000 WHERE id = (SELECT max(id) FROM codings)",
        [],
    )
    .unwrap();
    drop(db);
    let (ok, report) = quick(&dir);
    assert!(!ok, "{report}");
    assert!(
        report["problems"].to_string().contains("outside document"),
        "{report}"
    );
    // The full check finds it too, and reads every page besides.
    let (ok, report) = check(&dir, &[]);
    assert!(!ok && report["depth"] == "full", "{report}");
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
    let text = run_ok(&dir, &["check", "--full", "--repair"]);
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

#[test]
fn two_importers_and_several_coders_at_once_lose_nothing_and_leave_a_consistent_project() {
    let (tmp, dir) = project();
    // Two halves of the samples, imported by two processes at the same time.
    let halves = [tmp.path().join("a"), tmp.path().join("b")];
    for h in &halves {
        std::fs::create_dir_all(h).unwrap();
    }
    let mut files: Vec<_> = std::fs::read_dir(samples())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for (i, f) in files.iter().enumerate() {
        std::fs::copy(f, halves[i % 2].join(f.file_name().unwrap())).unwrap();
    }
    let import = |folder: &Path| {
        narrata(&dir)
            .args(["import", folder.to_str().unwrap(), "--anonymise", "off"])
            .output()
            .unwrap()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| import(&halves[0]));
        let b = s.spawn(|| import(&halves[1]));
        (a.join().unwrap(), b.join().unwrap())
    });
    for out in [&a, &b] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let docs = run_json(&dir, &["docs", "--json"]);
    assert_eq!(docs.as_array().unwrap().len(), files.len());

    // Six coders' commands at once, each coding the start of its own document.
    run_ok(&dir, &["codebook", "add", "Hoop"]);
    let coded: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..=6)
            .map(|doc| {
                let dir = &dir;
                s.spawn(move || {
                    narrata(dir)
                        .args(["code", "add", &doc.to_string(), "0", "5", "Hoop"])
                        .output()
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for out in &coded {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let codings = run_json(&dir, &["codings", "--json"]);
    assert_eq!(codings.as_array().unwrap().len(), 6);
    // The database checks out, and the index is either in step or knows it is behind; never
    // claiming to be current while missing what another process did.
    let (ok, report) = check(&dir, &[]);
    assert!(ok, "{report}");
    // A search brings an index that is behind up to date; then it holds every turn.
    assert!(hits(&dir, &["hoop", "--code", "Hoop"]) <= 6);
    let (ok, report) = check(&dir, &[]);
    assert!(ok && report["index"]["current"] == true, "{report}");
    assert_eq!(
        report["index"]["turns"].as_u64(),
        report["turns"].as_u64(),
        "{report}"
    );
}

#[test]
fn an_index_update_that_comes_late_never_claims_another_processs_change() {
    // Two actions by two processes; the first one's index update runs only after the second
    // committed. The index must not then call itself current without the second's turns.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let mut store = narrata::project::init(&dir, Some("late"), "nl").unwrap();
    import_text(
        &mut store,
        "P01_T1.txt",
        "I: Hoe gaat het?\nP01: Goed, de groep helpt.\n",
    );
    narrata::search::rebuild(&store).unwrap();
    store.take_outcomes(); // the first import is in the index just built
    import_text(&mut store, "P02_T1.txt", "I: En jij?\nP02: Rustig aan.\n");
    let after_b = store.take_outcomes();
    import_text(
        &mut store,
        "P03_T1.txt",
        "I: En verder?\nP03: Hoop op beter.\n",
    );
    let after_c = store.take_outcomes();
    narrata::search::follow_outcomes(&store, &after_b).unwrap();
    narrata::search::follow_outcomes(&store, &after_c).unwrap();
    let state = narrata::search::verify(&store).unwrap();
    let turns: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM turns", [], |r| r.get(0))
        .unwrap();
    assert!(state.current && state.problems.is_empty(), "{state:?}");
    assert_eq!(state.turns as i64, turns);
}

/// Runs `args` and returns (success, stderr), failing the test on a panic.
fn attempt(dir: &Path, args: &[&str]) -> (bool, String) {
    outcome(Command::new(env!("CARGO_BIN_EXE_narrata")), dir, args)
}

#[test]
fn a_truncated_database_is_refused_clearly_and_left_as_it_was() {
    let (tmp, dir) = coded_project();
    let whole = std::fs::read(dir.join("narrata.db")).unwrap();
    assert!(
        !dir.join("narrata.db-wal").exists(),
        "the last command left its log"
    );
    let before = fingerprint(&dir);
    let page = 4096;
    let mut cuts = vec![0, 1, 16, 50, 99, 100, 101, 1000, page - 1, page, page + 1];
    cuts.extend((2..whole.len() / page).step_by(3).map(|k| k * page));
    cuts.extend((2..whole.len() / page).step_by(5).map(|k| k * page + 1234));
    cuts.extend([whole.len() - page, whole.len() - 100]);
    let commands: [&[&str]; 4] = [
        &["docs"],
        &["check", "--full", "--json"],
        &["search", "groep"],
        &["code", "add", "1", "0", "5", "Hoop"],
    ];
    let mut refused = 0;
    for (i, cut) in cuts.iter().enumerate() {
        let copy = tmp.path().join(format!("cut{i}"));
        copy_dir(&dir, &copy);
        std::fs::write(copy.join("narrata.db"), &whole[..*cut]).unwrap();
        for args in commands {
            let (ok, err) = attempt(&copy, args);
            if ok {
                // Only where SQLite could still read everything: nothing may be missing.
                assert_eq!(fingerprint(&copy).len(), before.len(), "cut {cut}");
                continue;
            }
            refused += 1;
            assert!(
                err.contains("narrata.db")
                    && (err.contains("could not be opened")
                        || err.contains("not a narrata")
                        || err.contains("is damaged")),
                "cut at {cut}, {args:?}: {err}"
            );
            // A refusal writes nothing: the damaged file is as it was, to be restored.
            assert_eq!(
                std::fs::read(copy.join("narrata.db")).unwrap(),
                &whole[..*cut],
                "cut at {cut}, {args:?}"
            );
        }
        std::fs::remove_dir_all(&copy).unwrap();
    }
    // Every cut is refused by every command.
    assert!(
        refused == cuts.len() * commands.len(),
        "{refused} refusals over {} cuts",
        cuts.len()
    );
}

#[test]
fn a_truncated_key_is_refused_and_neither_key_nor_database_changes() {
    let (tmp, dir) = project();
    let file = tmp.path().join("P40_T1.txt");
    std::fs::write(
        &file,
        "I: Wie helpt je?\nP40: Mijn buurvrouw Gertrude Vlamingsdonk helpt me.\n",
    )
    .unwrap();
    let later = tmp.path().join("P40_T2.txt");
    std::fs::write(&later, "I: En nu?\nP40: Nog steeds Gertrude.\n").unwrap();
    let anon = |dir: &Path, args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_narrata"));
        c.env("NARRATA_PASSPHRASE", "correct horse")
            .env("NARRATA_KEY_WORK_FACTOR", "4");
        outcome(c, dir, args)
    };
    assert!(anon(&dir, &["import", file.to_str().unwrap()]).0);
    let key = std::fs::read(dir.join("key.age")).unwrap();
    let before = fingerprint(&dir);
    let n = key.len();
    for cut in [0, 1, 10, 21, 22, 40, 100, n / 2, n - 17, n - 16, n - 1] {
        std::fs::write(dir.join("key.age"), &key[..cut]).unwrap();
        for args in [
            vec!["import", later.to_str().unwrap()],
            vec!["privacy-check"],
            vec!["anonymise", "redact", "1", "0", "2", "person"],
        ] {
            let (ok, err) = anon(&dir, &args);
            assert!(!ok, "cut at {cut}, {args:?} went ahead");
            assert!(
                err.contains("key.age is damaged"),
                "cut at {cut}, {args:?}: {err}"
            );
            assert_eq!(
                std::fs::read(dir.join("key.age")).unwrap(),
                &key[..cut],
                "cut at {cut}: the key was written"
            );
            assert_eq!(fingerprint(&dir), before, "cut at {cut}, {args:?}");
        }
    }
    // The key restored, work goes on.
    std::fs::write(dir.join("key.age"), &key).unwrap();
    assert!(anon(&dir, &["import", later.to_str().unwrap()]).0);
}

#[test]
fn any_index_file_cut_short_costs_a_rebuild_and_nothing_else() {
    let (tmp, dir) = coded_project();
    let expected = (
        hits(&dir, &["groep"]),
        hits(&dir, &["hoop", "--code", "Hoop"]),
    );
    let before = fingerprint(&dir);
    let files: Vec<String> = std::fs::read_dir(dir.join("index"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    assert!(files.len() > 5, "{files:?}");
    for (i, name) in files.iter().enumerate() {
        for keep in [0.0, 0.5] {
            let copy = tmp.path().join(format!("index{i}-{keep}"));
            copy_dir(&dir, &copy);
            let path = copy.join("index").join(name);
            let bytes = std::fs::read(&path).unwrap();
            std::fs::write(&path, &bytes[..(bytes.len() as f64 * keep) as usize]).unwrap();
            // check reports it or finds nothing wrong; it never fails to answer.
            let (_, report) = check(&copy, &[]);
            assert_eq!(
                report["problems"],
                serde_json::json!([]),
                "{name}: {report}"
            );
            // Search answers as before, the index rebuilt where it had to be.
            assert_eq!(
                (
                    hits(&copy, &["groep"]),
                    hits(&copy, &["hoop", "--code", "Hoop"])
                ),
                expected,
                "{name} cut to {keep}"
            );
            let (_, report) = check(&copy, &["--repair"]);
            assert_eq!(report["problems"], serde_json::json!([]), "{report}");
            let (ok, report) = check(&copy, &[]);
            assert!(ok, "{name} cut to {keep}: {report}");
            assert_eq!(fingerprint(&copy), before);
            std::fs::remove_dir_all(&copy).unwrap();
        }
    }
}

/// Runs narrata as a user who may read the project but not write where the test says so. As
/// root (who may write anywhere) that is the `nobody` user, through `setpriv`; otherwise the
/// user running the tests, held back by the files' modes alone.
fn as_reader(bin: &Path, dir: &Path, args: &[&str]) -> (bool, String) {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap();
    let c = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin);
        c
    } else {
        Command::new(bin)
    };
    outcome(c, dir, args)
}

/// Runs narrata through `c` (the binary, or a wrapper that runs it) in `dir` with `args`;
/// returns (success, stderr) and fails the test on a panic.
fn outcome(mut c: Command, dir: &Path, args: &[&str]) -> (bool, String) {
    let out = c
        .current_dir(dir)
        .env_remove("NARRATA_PROJECT")
        .env("NARRATA_CODER", "tester")
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    (out.status.success(), err)
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Every file in the folder with its bytes.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                all.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    all.sort();
    all
}

#[test]
fn a_project_that_may_not_be_written_is_refused_clearly_and_left_as_it_was() {
    let (tmp, dir) = coded_project();
    // The binary and an output folder where the other user can reach them.
    set_mode(tmp.path(), 0o755);
    let bin = tmp.path().join("narrata");
    std::fs::copy(env!("CARGO_BIN_EXE_narrata"), &bin).unwrap();
    set_mode(&bin, 0o755);
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    set_mode(&out, 0o777);
    let docx = out.join("excerpts.docx");
    let index = dir.join("index");
    let modes = |folder: u32, database: u32, index_folder: u32| {
        set_mode(&dir, folder);
        set_mode(&dir.join("narrata.db"), database);
        set_mode(&index, index_folder);
        for f in std::fs::read_dir(&index).unwrap() {
            let writable = index_folder & 0o002 != 0;
            set_mode(&f.unwrap().path(), if writable { 0o666 } else { 0o444 });
        }
    };
    let commands: [&[&str]; 5] = [
        &["docs"],
        &["search", "groep"],
        &["code", "add", "1", "0", "5", "Hoop"],
        &["check", "--full"],
        &["export", "excerpts", docx.to_str().unwrap()],
    ];
    for (what, folder, database) in [
        ("the whole project", 0o555, 0o444),
        ("the database", 0o777, 0o444),
        ("the folder", 0o555, 0o666),
    ] {
        modes(folder, database, 0o555);
        let before = contents(&dir);
        for args in commands {
            let (ok, err) = as_reader(&bin, &dir, args);
            assert!(!ok, "{what} read-only: {args:?} went ahead");
            assert!(
                err.contains("narrata.db cannot be written")
                    && err.contains("Check that you may write to")
                    && err.contains("nothing was changed"),
                "{what} read-only, {args:?}: {err}"
            );
        }
        assert!(contents(&dir) == before, "{what} read-only: files changed");
        assert!(!docx.exists());
    }
    // Only the index folder read-only: coding works, search says what is wrong, and once the
    // folder may be written again the index catches up with the new coding.
    modes(0o755, 0o644, 0o755);
    run_ok(&dir, &["codebook", "add", "Rust"]);
    let shown = run_json(&dir, &["show", "1", "--json"]);
    let turn = &shown["turns"][1];
    let (start, end) = (turn["start"].to_string(), turn["end"].to_string());
    let text: String = shown["text"]
        .as_str()
        .unwrap()
        .chars()
        .skip(turn["start"].as_u64().unwrap() as usize)
        .take((turn["end"].as_u64().unwrap() - turn["start"].as_u64().unwrap()) as usize)
        .collect();
    let word = text
        .split(|c: char| !c.is_alphabetic())
        .find(|w| w.chars().count() >= 4)
        .unwrap()
        .to_owned();
    assert_eq!(hits(&dir, &[&word, "--code", "Rust"]), 0);
    modes(0o777, 0o666, 0o555);
    let (ok, err) = as_reader(&bin, &dir, &["code", "add", "1", &start, &end, "Rust"]);
    assert!(ok, "{err}");
    let (ok, err) = as_reader(&bin, &dir, &["search", "groep"]);
    assert!(!ok);
    assert!(
        err.contains("search index folder `index` in the project cannot be written"),
        "{err}"
    );
    modes(0o755, 0o644, 0o755);
    assert_eq!(hits(&dir, &[&word, "--code", "Rust"]), 1);
    let (ok, report) = check(&dir, &[]);
    assert!(ok, "{report}");
}

/// A small disk of its own: a tmpfs mounted over a folder, unmounted when dropped. Where
/// mounting is not allowed, the disk is instead the largest file size processes may write
/// (`ulimit -f`), which fails writes the same way, with "file too large" for "disk full".
struct SmallDisk {
    at: PathBuf,
    mounted: bool,
    limit_kb: u64,
}

impl SmallDisk {
    fn new(at: &Path, size_kb: u64) -> SmallDisk {
        std::fs::create_dir_all(at).unwrap();
        // `SMALL_DISK=limit` tries the fallback where mounting works.
        let mounted = std::env::var("SMALL_DISK").as_deref() != Ok("limit")
            && Command::new("mount")
                .args(["-t", "tmpfs", "-o", &format!("size={size_kb}k"), "tmpfs"])
                .arg(at)
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        SmallDisk {
            at: at.to_path_buf(),
            mounted,
            limit_kb: u64::MAX,
        }
    }

    /// Leaves about `free_kb` to write: a ballast file on the tmpfs, or a file size limit.
    fn fill(&mut self, free_kb: u64) {
        if self.mounted {
            let ballast = self.at.join("ballast");
            let _ = std::fs::remove_file(&ballast);
            let out = Command::new("df")
                .args(["-k", "--output=avail"])
                .arg(&self.at)
                .output()
                .unwrap();
            let avail: u64 = String::from_utf8_lossy(&out.stdout)
                .lines()
                .nth(1)
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            let size = avail.saturating_sub(free_kb) as usize * 1024;
            std::fs::write(&ballast, vec![0u8; size]).unwrap();
        } else {
            // No file may grow past `free_kb`: the log of an action, a new index segment or
            // an exported document fail as they would on a full disk.
            self.limit_kb = free_kb;
        }
    }

    fn empty(&mut self) {
        let _ = std::fs::remove_file(self.at.join("ballast"));
        self.limit_kb = u64::MAX;
    }

    /// Runs narrata in `dir` on this disk; returns (success, stderr).
    fn run(&self, dir: &Path, args: &[&str]) -> (bool, String) {
        let bin = env!("CARGO_BIN_EXE_narrata");
        let c = if self.limit_kb == u64::MAX {
            Command::new(bin)
        } else {
            // A write past the limit fails with EFBIG (its signal ignored, as a full disk
            // fails with ENOSPC); `ulimit -f` counts blocks of 512 bytes.
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!(
                    "ulimit -f {}; trap '' XFSZ; exec \"$0\" \"$@\"",
                    self.limit_kb * 2
                ))
                .arg(bin);
            c
        };
        outcome(c, dir, args)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        if self.mounted {
            let _ = Command::new("umount").arg("-l").arg(&self.at).status();
        }
    }
}

#[test]
fn a_full_disk_fails_the_action_whole_with_a_clear_error_and_a_rerun_completes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut disk = SmallDisk::new(&tmp.path().join("disk"), 6 * 1024);
    eprintln!(
        "disk: {}",
        if disk.mounted {
            "a 6 MB tmpfs"
        } else {
            "a file size limit (tmpfs could not be mounted)"
        }
    );
    let dir = disk.at.join("p");
    let (ok, err) = disk.run(&disk.at, &["init", "p"]);
    assert!(ok, "{err}");
    assert!(
        disk.run(
            &dir,
            &["import", samples().to_str().unwrap(), "--anonymise", "off"]
        )
        .0
    );
    assert!(disk.run(&dir, &["codebook", "add", "Hoop"]).0);
    assert!(disk.run(&dir, &["search", "groep"]).0);
    assert!(disk.run(&dir, &["code", "auto", "groep", "Hoop"]).0);
    // More transcripts than there is room for.
    let more = tmp.path().join("more");
    std::fs::create_dir(&more).unwrap();
    for g in narrata_synth::corpus(5, 8, 2, 150) {
        std::fs::write(more.join(&g.name), &g.file).unwrap();
    }
    let full_words = [
        "disk holding the project is full",
        "the disk may be full",
        "file too large",
        "the disk is full",
    ];
    let clear = |err: &str| {
        let err = err.to_lowercase();
        full_words.iter().any(|w| err.contains(&w.to_lowercase()))
    };
    let before = fingerprint(&dir);

    disk.fill(100);
    let (ok, err) = disk.run(
        &dir,
        &["import", more.to_str().unwrap(), "--anonymise", "off"],
    );
    assert!(!ok, "the import fitted");
    assert!(clear(&err), "{err}");
    // Read with room to open the database (SQLite needs its shared-memory file).
    disk.empty();
    assert_eq!(fingerprint(&dir), before, "a failed import left something");

    // No room at all: coding and export fail whole too.
    disk.fill(0);
    let (ok, err) = disk.run(&dir, &["code", "auto", "hoop", "Hoop"]);
    assert!(!ok, "auto-coding fitted");
    assert!(clear(&err), "{err}");
    disk.empty();
    assert_eq!(
        fingerprint(&dir),
        before,
        "a failed auto-coding left something"
    );
    // Room to open the database (its shared memory takes 32 KB), not to write the document.
    disk.fill(36);
    let docx = disk.at.join("excerpts.docx");
    let export = [
        "export",
        "excerpts",
        docx.to_str().unwrap(),
        "--code",
        "Hoop",
    ];
    let (ok, err) = disk.run(&dir, &export);
    assert!(!ok, "the export fitted");
    assert!(clear(&err), "{err}");
    let left: Vec<String> = std::fs::read_dir(&disk.at)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("excerpts"))
        .collect();
    assert!(left.is_empty(), "a failed export left {left:?}");
    // The REFI-QDA archive and the spreadsheet, written into the file as they are made: the
    // same clear error, nothing left, and no complaint from the zip writer finishing its
    // archive after the failure.
    for (what, name) in [("qdpx", "all.qdpx"), ("xlsx", "all.xlsx")] {
        let out = disk.at.join(name);
        let (ok, err) = disk.run(&dir, &["export", what, out.to_str().unwrap()]);
        assert!(!ok, "export {what} fitted");
        assert!(clear(&err), "{err}");
        assert!(!err.contains("ZipWriter"), "{err}");
        let left: Vec<String> = std::fs::read_dir(&disk.at)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(name))
            .collect();
        assert!(left.is_empty(), "a failed export {what} left {left:?}");
    }
    // With no room, even to read SQLite needs a little: a clear refusal, or a pass.
    disk.fill(0);
    let (ok, err) = disk.run(&dir, &["check", "--full"]);
    assert!(ok || clear(&err), "check on a full disk: {err}");

    // Room again: the same commands finish the job.
    disk.empty();
    assert!(
        disk.run(
            &dir,
            &["import", more.to_str().unwrap(), "--anonymise", "off"]
        )
        .0
    );
    assert!(disk.run(&dir, &["code", "auto", "hoop", "Hoop"]).0);
    assert!(disk.run(&dir, &export).0);
    let docs = run_json(&dir, &["docs", "--json"])
        .as_array()
        .unwrap()
        .len();
    assert_eq!(docs, 24 + 16);
    let (ok, report) = check(&dir, &[]);
    assert!(ok, "{report}");
    assert!(hits(&dir, &["hoop", "--code", "Hoop"]) > 0);
}

#[test]
fn a_command_waits_for_the_index_writer_another_process_holds_then_goes_on() {
    let (_tmp, dir) = coded_project();
    // Another writer holds the index's lock (here this test, through tantivy itself).
    let index = tantivy::Index::open_in_dir(dir.join(narrata::search::INDEX_DIR)).unwrap();
    let held: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
    let start = std::time::Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_narrata"))
        .current_dir(&dir)
        .env_remove("NARRATA_PROJECT")
        .arg("reindex")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    // Waiting, not refused.
    assert!(child.try_wait().unwrap().is_none(), "reindex did not wait");
    drop(held);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(start.elapsed() >= std::time::Duration::from_millis(1500));
    let (ok, report) = check(&dir, &[]);
    assert!(ok, "{report}");
    assert_eq!(report["index"]["current"], true, "{report}");
}

#[test]
fn the_index_follows_a_coding_by_indexing_only_the_turns_under_it() {
    // One follow after a coding: the coded turn is found by its code at once, the index is
    // current, and the other turns are untouched (still one entry each).
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let mut store = narrata::project::init(&dir, Some("follow"), "nl").unwrap();
    let doc = import_text(
        &mut store,
        "P01_T1.txt",
        "I: Hoe gaat het?\nP01: Goed, de groep helpt.\nI: En verder?\nP01: Hoop op beter.\n",
    );
    narrata::search::follow(&mut store).unwrap();
    narrata::codebook::add(&mut store, "tester", "Hoop", &Default::default()).unwrap();
    let text = narrata::corpus::text(store.conn(), doc).unwrap();
    let start = text.find("Hoop").unwrap() as i64; // the text is ASCII: bytes are characters
    narrata::coding::add(
        &mut store,
        "tester",
        &doc.to_string(),
        start,
        start + 4,
        "Hoop",
    )
    .unwrap();
    let outcomes = store.take_outcomes();
    assert_eq!(outcomes.len(), 2, "one outcome per action");
    assert!(
        outcomes[0].changes.is_empty(),
        "adding a code touches no index entry"
    );
    assert_eq!(outcomes[1].changes.spans.get(&doc).map(Vec::len), Some(1));
    narrata::search::follow_outcomes(&store, &outcomes).unwrap();
    let state = narrata::search::verify(&store).unwrap();
    assert!(state.current && state.problems.is_empty(), "{state:?}");
    let filters = narrata::search::Filters {
        code: Some("Hoop".into()),
        ..Default::default()
    };
    let found = narrata::search::search(&store, "beter", &filters).unwrap();
    assert_eq!(found.total, 1, "{found:?}");
    assert!(
        !found.rebuilt,
        "the search had to rebuild the index: follow did not keep it"
    );
    // Following the same outcomes again would claim changes it did not index: it is refused
    // quietly (the index already reflects a later generation) and the index stays current.
    narrata::search::follow_outcomes(&store, &outcomes).unwrap();
    assert!(narrata::search::is_current(&store).unwrap());
}
