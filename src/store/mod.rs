//! The project database: opening and creating it, the pragmas that keep it safe (WAL,
//! `synchronous=FULL`, foreign keys, a busy timeout), forward-only migrations, and the
//! one-transaction-per-user-action rule with its append-only audit log.
//!
//! What lives *in* the tables (participants, documents, turns…) is read and written by the
//! concept modules such as [`crate::corpus`]; this module owns the connection, the schema
//! (`migrations`), the transaction discipline (`action`: recording writes for undo in `rows`,
//! what each action changed in `changes`, kept as outcomes for the search index to follow),
//! the derived folders beside the database (`derived`), and the rows derived from others to
//! spare analyses reading the whole corpus (`word_index`, `document_spans`).

mod action;
pub mod changes;
pub mod derived;
pub mod document_spans;
mod migrations;
pub mod rows;
pub mod word_index;

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::error::{Error, Result};

pub use action::Action;
pub use changes::{Changes, Outcome};
pub use migrations::MIGRATIONS;

/// The schema that added `document_words`.
const WORD_INDEX_SCHEMA: usize = 8;
/// The schema that added `document_spans`.
const DOCUMENT_SPANS_SCHEMA: usize = 10;
pub use rows::RowChange;

/// The database file inside a project folder.
pub const DB_FILE: &str = "narrata.db";

/// How long a writer waits for another process's transaction (or the search index's writer
/// lock) before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The current time as an RFC 3339 UTC timestamp, the one format narrata stores.
pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A fresh random GUID (lower-case 8-4-4-4-12 hex), as REFI-QDA and merge expect.
/// Ids as the inside of an SQL `IN (…)` list, never empty (`NULL` matches nothing), for a
/// set of documents or codes chosen in Rust.
pub fn id_list<'a>(ids: impl IntoIterator<Item = &'a i64>) -> String {
    ids.into_iter()
        .map(|i| i.to_string())
        .chain(std::iter::once("NULL".to_owned()))
        .collect::<Vec<_>>()
        .join(",")
}

pub fn new_guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The project's own row.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProjectInfo {
    pub guid: String,
    pub name: String,
    pub language: String,
    pub created: String,
    pub generation: i64,
}

/// An open project database.
pub struct Store {
    conn: Connection,
    root: PathBuf,
    /// Committed actions the search index has not followed yet (see [`Store::take_outcomes`]).
    unfollowed: Vec<Outcome>,
}

impl Store {
    /// Creates a new project in `dir` (made if missing). Refuses a folder that already holds one.
    pub fn create(dir: &Path, name: &str, language: &str) -> Result<Store> {
        let db = dir.join(DB_FILE);
        if db.exists() {
            return Err(Error::Project(format!(
                "{} already holds a narrata project; open it instead of creating a new one",
                dir.display()
            )));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let conn = Connection::open(&db)?;
        let mut store = Store::configure(conn, dir)?;
        store.migrate()?;
        store.conn.execute(
            "INSERT INTO project (id, guid, name, language, created) VALUES (1, ?1, ?2, ?3, ?4)",
            params![new_guid(), name, language, now()],
        )?;
        Ok(store)
    }

    /// Opens the project in `dir`, bringing its schema up to date.
    pub fn open(dir: &Path) -> Result<Store> {
        let db = dir.join(DB_FILE);
        if !db.is_file() {
            return Err(Error::Project(format!(
                "{} is not a narrata project (it has no {DB_FILE}); create one with `narrata init {}`",
                dir.display(),
                dir.display()
            )));
        }
        check_length(&db)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&db, flags)
            .map_err(|e| Error::Project(format!("{} could not be opened: {e}", db.display())))?;
        // SQLite opens a database it may not write read-only without a word; a write would
        // then fail halfway through a user's action. Refuse at once instead.
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(open_error(
                &db,
                rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                    Some("the database file is read-only".into()),
                ),
            ));
        }
        // Read before anything is written: an empty file, or a database of another program,
        // has schema 0 and is refused as it is, not turned into an empty project.
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| open_error(&db, e))?;
        if version == 0 {
            return Err(Error::Project(format!(
                "{} is not a narrata project database (it is empty, or another program's); \
                 if `narrata init` was interrupted, remove it and run init again",
                db.display()
            )));
        }
        let mut store = Store::configure(conn, dir)?;
        store.migrate()?;
        // A project without its own row is not one we made.
        store.project().map_err(|_| {
            Error::Project(format!(
                "{} is not a narrata project database",
                db.display()
            ))
        })?;
        Ok(store)
    }

    fn configure(conn: Connection, dir: &Path) -> Result<Store> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // A file that is not SQLite fails here, with SQLite's "file is not a database".
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| open_error(&dir.join(DB_FILE), e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Project(format!(
                "{}: the database could not be switched to write-ahead logging (mode {mode})",
                dir.display()
            )));
        }
        // synchronous FULL flushes the log at every commit, so an action reported as saved
        // survives a power cut too (about 0.3 ms per commit here: docs/RELIABILITY.md).
        // secure_delete overwrites freed pages, so text replaced by a redaction does not linger
        // in the database file.
        conn.execute_batch(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;",
        )?;
        Ok(Store {
            conn,
            root: dir.to_path_buf(),
            unfollowed: Vec::new(),
        })
    }

    /// Applies every migration the database has not seen yet, each in its own transaction.
    fn migrate(&mut self) -> Result<()> {
        let version: usize = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?
            .try_into()
            .unwrap_or(usize::MAX);
        if version > MIGRATIONS.len() {
            return Err(Error::Project(format!(
                "this project was written by a newer narrata (schema {version}); this version knows schema {} at most: update narrata",
                MIGRATIONS.len()
            )));
        }
        if version == MIGRATIONS.len() {
            return Ok(());
        }
        // A migration may rebuild a table others refer to (SQLite's way to change a column):
        // foreign keys are off while it runs and checked whole before it commits.
        self.conn.pragma_update(None, "foreign_keys", false)?;
        let migrated = (|| -> Result<()> {
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
                let tx = self
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)?;
                tx.execute_batch(sql)?;
                let broken: Option<String> = tx
                    .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
                    .optional()?;
                if let Some(table) = broken {
                    return Err(Error::Project(format!(
                        "upgrading the project to schema {} would leave rows of `{table}` pointing at nothing, so it was not upgraded; run `narrata check` and report it",
                        i + 1
                    )));
                }
                tx.pragma_update(None, "user_version", (i + 1) as i64)?;
                if i + 1 == WORD_INDEX_SCHEMA {
                    // The documents imported before word indexes were kept get theirs now.
                    word_index::fill_missing(&tx)?;
                }
                if i + 1 == DOCUMENT_SPANS_SCHEMA {
                    document_spans::fill_missing(&tx)?;
                }
                tx.commit()?;
            }
            Ok(())
        })();
        self.conn.pragma_update(None, "foreign_keys", true)?;
        migrated
    }

    /// Rebuilds every document's stored word positions from its text and its packed turns
    /// and codings from its tables (derived data, like the search index: not audited);
    /// returns how many documents it wrote.
    pub fn rebuild_word_index(&mut self) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM document_words", [])?;
        tx.execute("DELETE FROM document_spans", [])?;
        let n = word_index::fill_missing(&tx)?;
        document_spans::fill_missing(&tx)?;
        tx.commit()?;
        Ok(n)
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// The project folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Read access for queries. Writes go through [`Store::action`].
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// A number that changes whenever another connection (another narrata process, or the
    /// terminal UI's worker) commits to the database; this connection's own commits leave it.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// The project's own row.
    pub fn project(&self) -> Result<ProjectInfo> {
        Ok(self.conn.query_row(
            "SELECT guid, name, language, created, generation FROM project WHERE id = 1",
            [],
            |r| {
                Ok(ProjectInfo {
                    guid: r.get(0)?,
                    name: r.get(1)?,
                    language: r.get(2)?,
                    created: r.get(3)?,
                    generation: r.get(4)?,
                })
            },
        )?)
    }

    /// Runs one user action as one transaction: everything `f` writes, its audit entries and
    /// the bump of the project's generation commit together, or nothing does.
    ///
    /// Writes to undoable tables go through [`Action::insert`], [`Action::update`] and
    /// [`Action::delete`], which record them for undo. A write that cannot be undone (an
    /// import, a text replacement, a merge) takes its connection from
    /// [`Action::irreversible`]; any other write made behind the action's back is refused
    /// here as an internal fault, and nothing is saved. When the action replaced stored text,
    /// the search index is deleted before the commit and the write-ahead log emptied after it.
    /// What the action changed is kept for the index to follow ([`Store::take_outcomes`]).
    pub fn action<T>(
        &mut self,
        coder: &str,
        f: impl FnOnce(&Action<'_>) -> Result<T>,
    ) -> Result<T> {
        let generation_before = self.project()?.generation;
        let root = self.root.clone();
        let (value, changes) = {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let coder_id = coder_id(&tx, coder)?;
            let accounted = Cell::new(tx.total_changes());
            let action = Action {
                tx,
                coder_id,
                coder: coder.to_owned(),
                at: now(),
                ops: RefCell::new(Vec::new()),
                changes: RefCell::new(Changes::default()),
                accounted,
                unaccounted: Cell::new(false),
                irreversible: Cell::new(false),
            };
            let value = f(&action)?;
            action.account();
            if !action.ops.borrow().is_empty() {
                return Err(Error::Internal(
                "an action changed rows without recording them in the audit log; nothing was saved".into(),
            ));
            }
            if action.unaccounted.get() && !action.irreversible.get() {
                return Err(Error::Internal(
                    "an undoable action wrote rows that undo would not know of; nothing was saved"
                        .into(),
                ));
            }
            let changes = action.changes.take();
            if changes.text_replaced {
                derived::discard_index(&root)?;
            }
            // Derived rows the action's writes deleted are stored again with it.
            document_spans::fill_missing(&action.tx)?;
            action.tx.execute(
                "UPDATE project SET generation = generation + 1 WHERE id = 1",
                [],
            )?;
            action.tx.commit()?;
            (value, changes)
        };
        if changes.text_replaced {
            self.scrub()?;
        }
        self.unfollowed.push(Outcome {
            generation_before,
            changes,
        });
        Ok(value)
    }

    /// The committed actions the search index has not followed yet, oldest first; taking them
    /// leaves none. `search::follow` brings the index in step with them.
    pub fn take_outcomes(&mut self) -> Vec<Outcome> {
        std::mem::take(&mut self.unfollowed)
    }

    /// Puts back actions taken with [`Store::take_outcomes`] that were not followed after
    /// all, before any committed since.
    pub fn give_back_outcomes(&mut self, mut outcomes: Vec<Outcome>) {
        outcomes.append(&mut self.unfollowed);
        self.unfollowed = outcomes;
    }

    /// Moves everything from the write-ahead log into the database and empties the log, so
    /// that text just replaced (a redaction) survives in neither.
    pub fn scrub(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Writes a consistent snapshot of the database to `out` with SQLite's online backup,
    /// safe while other processes write.
    pub fn backup_to(&self, out: &Path) -> Result<()> {
        self.conn
            .backup(
                rusqlite::MAIN_DB,
                out,
                None::<fn(rusqlite::backup::Progress)>,
            )
            .map_err(Error::from)
    }
}

/// SQLite's refusal to open the database, in a sentence that says what to do. A folder or
/// database the user may not write to is the common case: SQLite must write its log beside
/// the database even to read it.
fn open_error(db: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen) => {
            Error::Project(format!(
                "{} cannot be written ({e}): narrata writes in the project folder even to read \
                 it (the database's log and the search index live there). Check that you may \
                 write to {} and its files, or copy the project to a folder of your own; \
                 nothing was changed",
                db.display(),
                db.parent().unwrap_or(db).display()
            ))
        }
        // SQLite needs room for its shared-memory file even to read.
        Some(rusqlite::ErrorCode::DiskFull | rusqlite::ErrorCode::SystemIoFailure) => {
            Error::Project(format!(
                "{} could not be opened ({e}); if the disk holding the project is full, free \
                 some space and try again; nothing was changed",
                db.display()
            ))
        }
        _ => Error::Project(format!(
            "{} could not be opened as a project database: {e}",
            db.display()
        )),
    }
}

/// Refuses a database file shorter than its own header says it is: cut short by a full disk
/// or an interrupted copy. SQLite would read the missing end as zeros, and a write could build
/// on them. Only checked while no write-ahead log exists (no other process has the project
/// open), since a checkpoint in progress grows the file after its header.
fn check_length(db: &Path) -> Result<()> {
    let wal = db.with_extension("db-wal");
    if wal.exists() {
        return Ok(());
    }
    let damaged = |what: String| {
        Error::Project(format!(
            "{} is damaged: {what}; it was probably cut short by a full disk or an interrupted \
             copy. Restore it from a backup (`narrata backup` makes one); nothing was changed",
            db.display()
        ))
    };
    let mut file = std::fs::File::open(db).map_err(|e| Error::io(db, e))?;
    let len = file.metadata().map_err(|e| Error::io(db, e))?.len();
    if len == 0 {
        // Empty: not a database at all; `open` says so in its own words.
        return Ok(());
    }
    use std::io::Read;
    let mut header = Vec::with_capacity(100);
    (&mut file)
        .take(100)
        .read_to_end(&mut header)
        .map_err(|e| Error::io(db, e))?;
    let magic = b"SQLite format 3\0";
    let n = header.len().min(magic.len());
    if header[..n] != magic[..n] {
        return Ok(()); // Not SQLite: SQLite's own error names it.
    }
    if header.len() < 100 {
        return Err(damaged(format!(
            "it has {len} bytes, less than a database's header"
        )));
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65536,
        n => u64::from(n),
    };
    let pages = u64::from(u32::from_be_bytes(
        header[28..32].try_into().unwrap_or([0; 4]),
    ));
    // The page count is valid only when the header's two change counters agree.
    let valid = header[24..28] == header[92..96] && pages > 0;
    if valid && len < pages * page_size {
        return Err(damaged(format!(
            "it has {len} bytes where its header says {}",
            pages * page_size
        )));
    }
    Ok(())
}

/// Finds or registers a coder by name.
fn coder_id(conn: &Connection, name: &str) -> Result<i64> {
    if let Some(id) = conn
        .query_row("SELECT id FROM coders WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?
    {
        return Ok(id);
    }
    conn.execute(
        "INSERT INTO coders (name, created) VALUES (?1, ?2)",
        params![name, now()],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The schema version this narrata writes (the number of migrations).
pub fn latest_schema() -> i64 {
    MIGRATIONS.len() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_from_an_empty_database_and_record_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "test", "nl").unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = store
            .conn()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        drop(store);
        // Reopening applies nothing twice.
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
        // Every commit is flushed to the disk before it counts as saved (FULL is 2).
        let synchronous: i64 = store
            .conn()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(synchronous, 2);
    }

    #[test]
    fn a_failed_action_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path(), "test", "nl").unwrap();
        let before = store.project().unwrap().generation;
        let result: Result<()> = store.action("anna", |a| {
            a.conn().execute(
                "INSERT INTO participants (guid, code, created) VALUES ('g', 'P01', 'now')",
                [],
            )?;
            a.audit("test", "P01", serde_json::json!({}))?;
            Err(Error::Invalid("stop".into()))
        });
        assert!(result.is_err());
        let n: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM participants", [], |r| r.get(0))
            .unwrap();
        let audits: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
            .unwrap();
        assert_eq!((n, audits), (0, 0));
        assert_eq!(store.project().unwrap().generation, before);
    }

    #[test]
    fn a_write_behind_an_undoable_actions_back_is_refused_and_nothing_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path(), "test", "nl").unwrap();
        let write = |a: &Action<'_>, conn: &Connection| -> Result<()> {
            conn.execute(
                "INSERT INTO codes (guid, name, created) VALUES ('g', 'Hoop', ?1)",
                [a.at()],
            )?;
            a.audit("code add", "code:Hoop", serde_json::json!({}))?;
            Ok(())
        };
        let err = store.action("anna", |a| write(a, a.conn())).unwrap_err();
        assert!(matches!(err, Error::Internal(_)), "{err}");
        let codes: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM codes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(codes, 0, "the refused action left a row");
        assert_eq!(store.project().unwrap().generation, 0);
        assert!(store.take_outcomes().is_empty());
        // The same write, declared as one undo cannot take back, is allowed.
        store
            .action("anna", |a| write(a, a.irreversible()))
            .unwrap();
        assert_eq!(store.take_outcomes().len(), 1);
    }

    #[test]
    fn an_action_that_replaces_text_deletes_the_index_before_it_commits() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path(), "test", "nl").unwrap();
        let index = derived::index_dir(dir.path());
        std::fs::create_dir_all(&index).unwrap();
        std::fs::write(index.join("segment"), "the old words").unwrap();
        let seen_during = store
            .action("anna", |a| {
                a.replaced_text(7);
                a.audit("redact", "document:x", serde_json::json!({}))?;
                Ok(index.exists())
            })
            .unwrap();
        assert!(
            seen_during,
            "the index went before the action's writes were done"
        );
        assert!(!index.exists(), "the index survived a text replacement");
        let outcomes = store.take_outcomes();
        assert!(outcomes[0].changes.text_replaced);
        assert!(outcomes[0].changes.documents.contains(&7));
    }

    #[test]
    fn a_committed_action_is_audited_and_bumps_the_generation() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path(), "test", "nl").unwrap();
        store
            .action("anna", |a| {
                a.audit("test", "x", serde_json::json!({"n": 1}))
            })
            .unwrap();
        assert_eq!(store.project().unwrap().generation, 1);
        let (action, coder): (String, String) = store
            .conn()
            .query_row(
                "SELECT a.action, c.name FROM audit a JOIN coders c ON c.id = a.coder_id",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((action.as_str(), coder.as_str()), ("test", "anna"));
    }

    #[test]
    fn the_audit_log_refuses_edits_and_deletions() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path(), "test", "nl").unwrap();
        store
            .action("anna", |a| a.audit("test", "x", serde_json::json!({})))
            .unwrap();
        assert!(store.conn().execute("DELETE FROM audit", []).is_err());
        assert!(
            store
                .conn()
                .execute("UPDATE audit SET action = 'forged'", [])
                .is_err()
        );
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "test", "nl").unwrap();
        store
            .conn()
            .pragma_update(None, "user_version", 999)
            .unwrap();
        drop(store);
        let err = Store::open(dir.path()).err().unwrap().to_string();
        assert!(err.contains("newer narrata"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(DB_FILE),
            b"this is not sqlite at all, just text",
        )
        .unwrap();
        let err = Store::open(dir.path()).err().unwrap().to_string();
        assert!(err.contains("could not be opened"), "{err}");
    }
}
