//! Finding the project a command works on (`--project`, then `NARRATA_PROJECT`, then the
//! nearest folder upward from the working directory that holds `narrata.db`), creating new
//! projects, naming the coder who acts, and writing a backup.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::store::{DB_FILE, Store};
use crate::transcript::study::LANGUAGES;

/// Finds the project folder.
pub fn locate(explicit: Option<&Path>, env: Option<&Path>, cwd: &Path) -> Result<PathBuf> {
    if let Some(dir) = explicit.or(env) {
        let dir = absolute(dir, cwd);
        if dir.join(DB_FILE).is_file() {
            return Ok(dir);
        }
        return Err(Error::Project(format!(
            "{} is not a narrata project (it has no {DB_FILE}); create one with `narrata init {}`",
            dir.display(),
            dir.display()
        )));
    }
    let mut dir = Some(cwd);
    while let Some(d) = dir {
        if d.join(DB_FILE).is_file() {
            return Ok(d.to_path_buf());
        }
        dir = d.parent();
    }
    Err(Error::Project(format!(
        "no narrata project here: neither {} nor any folder above it holds {DB_FILE}; create one with `narrata init DIR`, or name one with --project DIR or NARRATA_PROJECT",
        cwd.display()
    )))
}

fn absolute(dir: &Path, cwd: &Path) -> PathBuf {
    if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        cwd.join(dir)
    }
}

/// Creates a project in `dir`, named after the folder unless a name is given.
pub fn init(dir: &Path, name: Option<&str>, language: &str) -> Result<Store> {
    if !LANGUAGES.contains(&language) {
        return Err(Error::Invalid(format!(
            "language `{language}` is not supported; use nl or en"
        )));
    }
    let name = match name {
        Some(n) if !n.trim().is_empty() => n.trim().to_owned(),
        _ => dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "narrata project".to_owned()),
    };
    let store = Store::create(dir, &name, language)?;
    // An empty, current index from the start, so every import keeps it in step.
    crate::search::rebuild(&store)?;
    Ok(store)
}

/// Who acts: `--coder`, else `NARRATA_CODER`, else the login name, else `researcher`.
pub fn coder(explicit: Option<&str>) -> String {
    explicit
        .map(str::to_owned)
        .or_else(|| std::env::var("NARRATA_CODER").ok())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "researcher".to_owned())
}

/// A backup is a new project folder holding a consistent snapshot of the database, checked
/// after writing, with the project's encrypted key beside it. The search index is not copied:
/// it is rebuilt from the database. To restore, open the backup folder as the project (or copy
/// it in place of the damaged one). The command line and the terminal UI both call this.
pub fn backup(store: &Store, target: &Path) -> Result<()> {
    if target.exists() {
        let empty = target.is_dir()
            && std::fs::read_dir(target)
                .map_err(|e| Error::io(target, e))?
                .next()
                .is_none();
        if !empty {
            return Err(Error::Invalid(format!(
                "{} already exists and is not an empty folder; name a new folder for the backup",
                target.display()
            )));
        }
    }
    std::fs::create_dir_all(target).map_err(|e| Error::io(target, e))?;
    let db = target.join(crate::store::DB_FILE);
    store.backup_to(&db)?;
    // The pseudonym key belongs to the project: without it the backup of an anonymised project
    // loses the originals, the name list and any transcripts staged for review. It stays
    // encrypted with the same passphrase. The identity file goes with it: the key is
    // encrypted to that identity, which only the passphrase opens. The key is copied first: a
    // key first given its identity in between is copied as it was, which opens without it.
    for name in [crate::keyfile::KEY_FILE, crate::keyfile::IDENTITY_FILE] {
        let file = store.root().join(name);
        if file.is_file() {
            let copy = target.join(name);
            std::fs::copy(&file, &copy).map_err(|e| Error::io(&copy, e))?;
        }
    }
    let copy = Store::open(target)?;
    let report = crate::check::run(&copy, crate::check::Depth::Full)?;
    if !report.ok {
        return Err(Error::Invalid(format!(
            "the backup in {} failed its integrity check: {}",
            target.display(),
            report.problems.join("; ")
        )));
    }
    Ok(())
}

/// The folder a backup goes to when the researcher names none: beside the project, named
/// after it and the time (`study-backup-20261204-2130`).
pub fn default_backup_folder(project: &Path) -> PathBuf {
    let name = project
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".into());
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    project
        .parent()
        .unwrap_or(project)
        .join(format!("{name}-backup-{stamp}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_prefers_flag_then_env_then_upward_search() {
        let root = tempfile::tempdir().unwrap();
        let a = root.path().join("a");
        let b = root.path().join("b");
        init(&a, None, "nl").unwrap();
        init(&b, None, "nl").unwrap();
        let deep = a.join("x/y");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(locate(None, None, &deep).unwrap(), a);
        assert_eq!(locate(None, Some(&b), &deep).unwrap(), b);
        assert_eq!(locate(Some(&a), Some(&b), root.path()).unwrap(), a);
        let err = locate(None, None, root.path()).unwrap_err().to_string();
        assert!(err.contains("no narrata project here"), "{err}");
        let err = locate(Some(Path::new("nope")), None, root.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a narrata project"), "{err}");
    }

    #[test]
    fn init_names_the_project_after_its_folder_and_refuses_twice() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("herstel-studie");
        let store = init(&dir, None, "nl").unwrap();
        assert_eq!(store.project().unwrap().name, "herstel-studie");
        drop(store);
        assert!(init(&dir, None, "nl").is_err());
        assert!(init(&root.path().join("x"), None, "fr").is_err());
    }
}
