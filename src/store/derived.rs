//! The folders a project holds beside its database that are derived from it and may be
//! deleted at any time: today the search index. The store owns their names and their safe
//! deletion, because an action that replaces stored text must delete the index before it
//! commits (no moment may exist, even after a crash, when the database has the pseudonym and
//! the index still the words it replaced); `search` owns what is inside.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The index folder inside a project.
pub const INDEX_DIR: &str = "index";

/// An index folder being deleted is first renamed to a name starting with this, so that it
/// disappears in one step; one left by a crash is deleted by the next rebuild.
pub const DISCARDED_PREFIX: &str = "index.discarded-";

/// The index folder of the project in `project`.
pub fn index_dir(project: &Path) -> PathBuf {
    project.join(INDEX_DIR)
}

/// Index folders renamed for deletion and not yet deleted (a crash came between).
pub fn discarded_dirs(project: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(project)
        .map(|rd| {
            rd.flatten()
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with(DISCARDED_PREFIX)
                })
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

/// Deletes index folders a crash left renamed for deletion.
pub fn remove_discarded(project: &Path) -> Result<()> {
    for dir in discarded_dirs(project) {
        std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    }
    Ok(())
}

/// The lock file an index writer holds for as long as it is open (tantivy's name for it).
const WRITER_LOCK: &str = ".tantivy-writer.lock";

/// Waits until no index writer is open in `dir` (one of another process, such as an import's
/// follower, which holds it for the whole import), as long as SQLite waits for a transaction,
/// and then holds the writer's lock until the returned file is dropped. `Error::Busy` when
/// the wait ran out. No lock to take where the folder has none.
fn hold_writer_lock(dir: &Path) -> Result<Option<std::fs::File>> {
    let path = dir.join(WRITER_LOCK);
    let file = match std::fs::OpenOptions::new().write(true).open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let deadline = std::time::Instant::now() + super::BUSY_TIMEOUT;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            Err(std::fs::TryLockError::WouldBlock) => return Err(Error::Busy),
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
    }
}

/// Deletes the index folder; the next search builds it anew from the database.
/// The folder is renamed first and deleted after, so that a crash midway never leaves a half
/// deleted index in place (unreadable, and still holding some of the old words); a renamed one
/// a crash left is deleted here and by the next rebuild, and privacy-check searches it too.
/// A writer open on the index (another command's) is waited for first: it would otherwise
/// go on writing what it was given, old words included, into the folder a rebuild makes.
pub fn discard_index(project: &Path) -> Result<()> {
    remove_discarded(project)?;
    let dir = index_dir(project);
    if dir.exists() {
        let _writer = hold_writer_lock(&dir)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let gone = project.join(format!("{DISCARDED_PREFIX}{}-{nanos}", std::process::id()));
        std::fs::rename(&dir, &gone).map_err(|e| Error::io(&dir, e))?;
        std::fs::remove_dir_all(&gone).map_err(|e| Error::io(&gone, e))?;
    }
    Ok(())
}
