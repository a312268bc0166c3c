//! Helpers shared by the integration tests: running the binary in temporary folders.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/transcripts")
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `narrata` run in `cwd`, with a fixed coder and no project from the environment.
pub fn narrata(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("narrata").unwrap();
    cmd.current_dir(cwd)
        .env_remove("NARRATA_PROJECT")
        .env("NARRATA_CODER", "tester");
    cmd
}

/// A fresh project in a temp folder; returns the folder guard and the project path.
pub fn project() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("study");
    narrata(tmp.path())
        .args(["init", "study", "--name", "Herstelstudie"])
        .assert()
        .success();
    (tmp, dir)
}

pub fn run_json(dir: &Path, args: &[&str]) -> Value {
    let out = narrata(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?} exited with {}: {}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

pub fn stderr_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// Everything in the database that an action could change, to prove an action changed nothing.
pub fn fingerprint(dir: &Path) -> Vec<i64> {
    let conn = rusqlite::Connection::open(dir.join("narrata.db")).unwrap();
    [
        "SELECT generation FROM project",
        "SELECT count(*) FROM documents",
        "SELECT count(*) FROM turns",
        "SELECT count(*) FROM participants",
        "SELECT count(*) FROM waves",
        "SELECT count(*) FROM audit",
        "SELECT count(*) FROM coders",
        "SELECT count(*) FROM codes",
        "SELECT count(*) FROM codings",
        "SELECT count(*) FROM memos",
    ]
    .iter()
    .map(|q| conn.query_row(q, [], |r| r.get(0)).unwrap())
    .collect()
}

pub fn import_samples(dir: &Path) -> Value {
    run_json(
        dir,
        &[
            "import",
            samples().to_str().unwrap(),
            "--anonymise",
            "off",
            "--json",
        ],
    )
}

pub fn codebooks() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("codebooks")
}

/// Runs a command that must succeed and returns its stdout.
pub fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = narrata(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail and returns its stderr.
pub fn run_err(dir: &Path, args: &[&str]) -> String {
    let out = narrata(dir).args(args).output().unwrap();
    assert!(
        !out.status.success(),
        "{args:?} should have failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    err
}

/// Imports one transcript through the library as one action (anonymisation off); returns its
/// document id.
pub fn import_text(store: &mut narrata::store::Store, name: &str, text: &str) -> i64 {
    use narrata::import::{self, Anonymise, Options, Source};
    let options = Options {
        anonymise: Anonymise::Off,
        ..Options::default()
    };
    let source = Source {
        name: name.into(),
        bytes: text.as_bytes().to_vec(),
    };
    let report = import::import(
        store,
        "tester",
        &vec![source],
        &options,
        None,
        &mut |_, _| {},
    )
    .unwrap();
    report.files[0].document.unwrap()
}
