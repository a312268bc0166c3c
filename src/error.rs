//! The library's error type: every failure a researcher can meet, phrased as a sentence
//! that says what went wrong and, where it can, what to do about it.
//!
//! Library code returns [`Error`]; the binary turns it into a message on stderr and a
//! non-zero exit code. Nothing here decides how errors are shown.

use std::path::PathBuf;

/// Everything that can go wrong in narrata's core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No project could be found or opened.
    #[error("{0}")]
    Project(String),

    /// The database said no; the message keeps SQLite's own words for the record.
    #[error("the project database reported a problem: {0}")]
    Database(#[source] rusqlite::Error),

    /// Another process holds the write lock for longer than we are willing to wait.
    #[error(
        "the project is busy: another narrata process is writing to it; wait until it has finished and try again"
    )]
    Busy,

    /// The disk holding the project is full; the action was rolled back whole.
    #[error(
        "the disk holding the project is full, so this action was not saved (nothing of it was kept); free some space and run it again"
    )]
    DiskFull,

    /// The disk failed a read or write of the database (or a file was not allowed to grow);
    /// an action in progress was rolled back whole.
    #[error(
        "the project database could not be read or written ({0}): the disk may be full or failing; this action was not saved (nothing of it was kept)"
    )]
    Storage(#[source] rusqlite::Error),

    /// A file or folder could not be read or written.
    #[error("{}: {}", path.display(), io_reason(source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// An input file was refused; `reason` is a sentence naming the problem.
    #[error("{file}: {reason}")]
    Input { file: String, reason: String },

    /// A name given on the command line (document, participant, wave…) matched nothing,
    /// or matched more than one thing.
    #[error("{0}")]
    NotFound(String),

    /// An undo or redo that would overwrite or orphan what a later action did; nothing was
    /// changed.
    #[error("{0}")]
    Conflict(String),

    /// The user asked for something that is not possible in this state.
    #[error("{0}")]
    Invalid(String),

    /// The terminal the UI ran in went away (window closed, connection dropped).
    #[error(
        "the terminal went away (its window closed or its connection dropped), so the terminal UI closed; every action it showed as saved is in the project"
    )]
    TerminalLost,

    /// The search index could not be read or written; tantivy's own error is kept as the
    /// source. The database is the truth: `narrata reindex` builds the index anew.
    #[error("the search index could not be used ({0}); `narrata reindex` rebuilds it")]
    Search(#[source] tantivy::TantivyError),

    /// The pseudonym key could not be opened or written: no passphrase, a wrong one, a key
    /// that cannot be read. The sentence says which and what to do.
    #[error("{0}")]
    Key(String),

    /// A fault inside narrata, not the user's doing: a rule the code itself broke. Nothing of
    /// the action was saved.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// An error about one input file.
    pub fn input(file: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Input {
            file: file.into(),
            reason: reason.into(),
        }
    }

    /// An I/O error tied to the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
                Error::Busy
            }
            Some(rusqlite::ErrorCode::DiskFull) => Error::DiskFull,
            Some(rusqlite::ErrorCode::SystemIoFailure) => Error::Storage(e),
            _ => Error::Database(e),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The common I/O failures as sentences; anything else keeps the system's own words.
fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "there is no such file or folder".into(),
        PermissionDenied => "permission denied: narrata may not read or write it".into(),
        AlreadyExists => "it already exists".into(),
        IsADirectory => "this is a folder, not a file".into(),
        StorageFull => "the disk is full".into(),
        _ => e.to_string(),
    }
}
