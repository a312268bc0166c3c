//! Following a long run of actions as they commit (an import's batches): the index writer
//! works on a thread of its own, at the lowest scheduling priority, so that it uses the core
//! the committing thread leaves idle and never slows it. While the run goes on it indexes with
//! one thread and half the usual memory (it has one idle core to use, and its memory comes on
//! top of the run's own). When the run is about to end ([`Follower::ending`]) or has ended,
//! that writer is given nothing more, even in the middle of an action (an import's batch takes
//! one thread seconds to index): it commits what it was given, on the core the storing of the
//! last actions leaves, and the rest is indexed with the usual writer, on both cores.
//!
//! It indexes only what [`super::follow_outcomes`] would index piece by piece (documents and
//! codings that changed), for actions that follow each other from the generation the index
//! reflects. Anything else (text replaced, a change every entry carries, another process's
//! commit in between, a failure) stops it: what it committed stays, and the actions it did
//! not index are handed back for `follow_outcomes`, which indexes them, rebuilds, or leaves
//! the index to be rebuilt by the next search, as it always does. (What it committed may hold
//! part of the action it stopped in, under the record of the generation before it: every way
//! on indexes that action again, see `hand_over`.)

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags};
use tantivy::IndexWriter;

use super::index::{
    WRITER_MEMORY, index_changes, index_changes_until, open_or_create, reflects, search_error,
    write_meta, writer_with,
};
use super::schema::Fields;
use crate::error::Result;
use crate::store::{Changes, DB_FILE, Outcome};

/// The index following committed actions in the background (see the module's documentation).
pub struct Follower {
    send: Option<mpsc::Sender<Vec<Outcome>>>,
    thread: Option<JoinHandle<Vec<Outcome>>>,
    /// Every action handed over, for the case the thread cannot say which it did not index.
    sent: Vec<Outcome>,
    /// Set when the run is about to end, or has ended: what is left is indexed on both cores.
    ended: Arc<AtomicBool>,
}

impl Follower {
    /// Starts following for the project in `project`.
    pub fn start(project: &Path) -> Follower {
        let (send, receive) = mpsc::channel();
        let project = project.to_path_buf();
        let ended = Arc::new(AtomicBool::new(false));
        let run_ended = Arc::clone(&ended);
        let thread = std::thread::Builder::new()
            .name("narrata-index".into())
            .spawn(move || {
                crate::parallel::background();
                follow_all(&project, receive, &run_ended)
            })
            .ok();
        Follower {
            send: Some(send),
            thread,
            sent: Vec::new(),
            ended,
        }
    }

    /// Hands over actions just committed, oldest first (from [`crate::store::Store::take_outcomes`]).
    pub fn follow(&mut self, outcomes: Vec<Outcome>) {
        if outcomes.is_empty() {
            return;
        }
        self.sent.extend(outcomes.iter().cloned());
        if let Some(send) = &self.send {
            // A thread that has ended answers with everything it was sent.
            let _ = send.send(outcomes);
        }
    }

    /// Says that the run is about to end (its last action or two are next): the index goes on
    /// both cores now, while those actions are stored, not after them (the one-thread writer
    /// stops and commits on the core the storing thread leaves).
    pub fn ending(&self) {
        self.ended.store(true, Ordering::Release);
    }

    /// Waits until everything handed over is indexed and committed, and returns the actions
    /// that were not (oldest first), for [`super::follow_outcomes`].
    pub fn finish(mut self) -> Vec<Outcome> {
        self.ended.store(true, Ordering::Release);
        self.send = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(rest)) => rest,
            // It could not start, or it panicked: the index's record says what it reflects,
            // and `follow_outcomes` starts from there or leaves it for the next search.
            _ => std::mem::take(&mut self.sent),
        }
    }
}

/// The open writer and what it was given since it last committed.
struct Writing {
    writer: IndexWriter,
    /// Whether it is the writer for after the run (both cores, the usual memory).
    full: bool,
    fields: Fields,
    /// The generation the index will reflect once the writer commits.
    generation: i64,
    uncommitted: Vec<Outcome>,
}

/// Indexes each set of actions received until the sender is dropped; returns those not
/// indexed and committed.
fn follow_all(
    project: &Path,
    receive: mpsc::Receiver<Vec<Outcome>>,
    ended: &AtomicBool,
) -> Vec<Outcome> {
    let mut rest: Vec<Outcome> = Vec::new();
    let mut writing: Option<Writing> = None;
    let mut reader: Option<Connection> = None;
    for outcomes in receive {
        if !rest.is_empty() {
            rest.extend(outcomes);
            continue;
        }
        let full = ended.load(Ordering::Acquire);
        if full && writing.as_ref().is_some_and(|w| !w.full) {
            // The run has ended: what the one-thread writer holds is committed, and what is
            // left goes to a writer on both cores.
            rest = commit(project, writing.take()).err().unwrap_or_default();
            if !rest.is_empty() {
                rest.extend(outcomes);
                continue;
            }
        }
        let run_ended = || ended.load(Ordering::Acquire);
        match index_some(
            project,
            &mut reader,
            &mut writing,
            &outcomes,
            full,
            &run_ended,
        ) {
            Ok(Indexed::All) => {}
            Ok(Indexed::Stopped(left)) => {
                rest = hand_over(project, &mut reader, &mut writing, outcomes, &left);
            }
            Ok(Indexed::NotForThis) => {
                // Not for this follower: what was given before is committed, the rest left.
                rest = commit(project, writing.take()).err().unwrap_or_default();
                rest.extend(outcomes);
            }
            Err(_) => {
                // Dropping the writer forgets what it was given since its last commit (these
                // actions' documents too, if some were given before the failure).
                rest = writing.take().map(|w| w.uncommitted).unwrap_or_default();
                rest.extend(outcomes);
            }
        }
    }
    if rest.is_empty() {
        rest = commit(project, writing.take()).err().unwrap_or_default();
    }
    rest
}

/// What became of a set of actions given to [`index_some`].
enum Indexed {
    /// All given to the writer.
    All,
    /// Not for this follower: nothing of them was given to the writer.
    NotForThis,
    /// The run ended while the one-thread writer was given them: what is left of them (its
    /// writer was given the rest, and none of the actions after them).
    Stopped(Changes),
}

/// Indexes these actions if they are for this follower (see the module's documentation).
fn index_some(
    project: &Path,
    reader: &mut Option<Connection>,
    writing: &mut Option<Writing>,
    outcomes: &[Outcome],
    full: bool,
    run_ended: &dyn Fn() -> bool,
) -> Result<Indexed> {
    let Some(first) = outcomes.first() else {
        return Ok(Indexed::All);
    };
    let chained = match writing {
        Some(w) => w.generation == first.generation_before,
        None => reflects(project, first.generation_before),
    };
    let mut changes = Changes::default();
    for (i, o) in outcomes.iter().enumerate() {
        if o.generation_before != first.generation_before + i as i64
            || o.changes.text_replaced
            || o.changes.everything
        {
            return Ok(Indexed::NotForThis);
        }
        changes.extend(o.changes.clone());
    }
    // Told meanwhile that the run ends, a writer not yet open is opened on both cores at once.
    let full = full || (writing.is_none() && run_ended());
    if !chained || !open_writer(project, writing, first.generation_before, full)? {
        return Ok(Indexed::NotForThis);
    }
    let conn = match reader {
        Some(c) => c,
        None => reader.insert(open_reader(project)?),
    };
    let w = writing.as_mut().expect("opened above");
    // Only the one-thread writer stops when the run ends: the rest is for both cores.
    let one_thread = !w.full;
    let stop = || one_thread && run_ended();
    if let Some(left) = index_changes_until(conn, &w.writer, &w.fields, &changes, &stop)? {
        return Ok(Indexed::Stopped(left));
    }
    w.uncommitted.extend(outcomes.iter().cloned());
    w.generation += outcomes.len() as i64;
    Ok(Indexed::All)
}

/// The run ended while the one-thread writer was given these actions: it commits what it
/// was given (the actions before them, and of these the deletion of every changed document and
/// turn and the first of their documents), recording the generation before them, and a writer
/// on both cores indexes what is left of them (what the first was given of them the second
/// does not index again). Returns the actions not indexed and committed so far, as
/// [`follow_all`] keeps them.
///
/// Between the two commits the index holds part of these actions while its record says it
/// reflects what came before them. That is safe because the database is past that generation
/// already (nothing takes the index for current), and every way on from that record indexes
/// these actions again, which replaces their documents.
fn hand_over(
    project: &Path,
    reader: &mut Option<Connection>,
    writing: &mut Option<Writing>,
    outcomes: Vec<Outcome>,
    left: &Changes,
) -> Vec<Outcome> {
    // Only a commit that succeeded lets the second writer go on: a failed one dropped what
    // the first was given of these actions, and the second indexes only what is left of them.
    let mut rest = match commit(project, writing.take()) {
        Ok(()) => match go_on(project, reader, writing, &outcomes, left) {
            Ok(true) => return Vec::new(),
            Ok(false) => Vec::new(),
            Err(_) => writing.take().map(|w| w.uncommitted).unwrap_or_default(),
        },
        Err(given_before) => given_before,
    };
    rest.extend(outcomes);
    rest
}

/// Indexes what is left of these actions (`left`) with a writer on both cores, opened here,
/// after the one-thread writer committed what it was given before them. `Ok(false)`: the
/// index no longer reflects what came before them (another process rebuilt it), and nothing was
/// given to the writer.
fn go_on(
    project: &Path,
    reader: &mut Option<Connection>,
    writing: &mut Option<Writing>,
    outcomes: &[Outcome],
    left: &Changes,
) -> Result<bool> {
    let Some(first) = outcomes.first() else {
        return Ok(true);
    };
    if !reflects(project, first.generation_before)
        || !open_writer(project, writing, first.generation_before, true)?
    {
        return Ok(false);
    }
    let conn = match reader {
        Some(c) => c,
        None => reader.insert(open_reader(project)?),
    };
    let w = writing.as_mut().expect("opened above");
    index_changes(conn, &w.writer, &w.fields, left)?;
    w.uncommitted.extend(outcomes.iter().cloned());
    w.generation += outcomes.len() as i64;
    Ok(true)
}

/// Opens the writer if none is open: on both cores with the usual memory when `full`, else
/// one thread with a quarter of it (32 MB: beside an import's batches and key, more raised the
/// peak of a 900-participant import and was no faster; docs/PERFORMANCE.md). False when the
/// index had to be created afresh, or no longer reflects `generation` once the writer is had
/// (another process rebuilt it meanwhile).
fn open_writer(
    project: &Path,
    writing: &mut Option<Writing>,
    generation: i64,
    full: bool,
) -> Result<bool> {
    if writing.is_none() {
        let (index, fields, created) = open_or_create(project)?;
        if created {
            return Ok(false);
        }
        let (threads, memory) = if full {
            (2, WRITER_MEMORY)
        } else {
            (1, WRITER_MEMORY / 4)
        };
        let writer = writer_with(&index, threads, memory)?;
        // Another process may have rebuilt the index while this one waited for the writer.
        if !reflects(project, generation) {
            return Ok(false);
        }
        *writing = Some(Writing {
            writer,
            full,
            fields,
            generation,
            uncommitted: Vec::new(),
        });
    }
    Ok(true)
}

/// Commits what the writer was given and records the generation it reflects; when the commit
/// fails, the actions it was given are returned (none, when it was given only part of one that
/// [`hand_over`] takes care of).
fn commit(project: &Path, writing: Option<Writing>) -> std::result::Result<(), Vec<Outcome>> {
    let Some(mut w) = writing else {
        return Ok(());
    };
    let done = w
        .writer
        .commit()
        .map_err(search_error)
        // Merges finish before the index is said to be current (as `follow_outcomes` does).
        .and_then(|_| w.writer.wait_merging_threads().map_err(search_error))
        .and_then(|_| write_meta(project, w.generation));
    done.map_err(|_| w.uncommitted)
}

/// A read-only connection of the follower's own: it reads only what was committed.
fn open_reader(project: &Path) -> Result<Connection> {
    let db: PathBuf = project.join(DB_FILE);
    let conn = Connection::open_with_flags(
        &db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(crate::store::BUSY_TIMEOUT)?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::{Indexed, commit, hand_over, index_some};
    use crate::import::{Anonymise, Options, Source};

    /// Transcripts `P{first}`… to `P{first + n - 1}`, each with a word of its own.
    fn sources(first: usize, n: usize) -> Vec<Source> {
        (first..first + n)
            .map(|i| Source {
                name: format!("P{i:03}_T1.txt"),
                bytes: format!("I: Hoe gaat het?\nR: Goed, ik zeg woord{i:03}.\n").into_bytes(),
            })
            .collect()
    }

    /// The run ends while the one-thread writer, holding an earlier action it has not
    /// committed, is given an action of a hundred documents: it stops after the first few,
    /// commits, and the writer on both cores indexes the others. Every turn is then in the
    /// index once, and every document's own word is found.
    #[test]
    fn a_run_ending_during_an_action_hands_what_is_left_to_both_cores() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("p");
        let mut store = crate::project::init(&dir, Some("follow"), "nl").unwrap();
        crate::memo::add(&mut store, "tester", crate::memo::Target::Project, "een").unwrap();
        crate::search::follow(&mut store).unwrap();
        let options = Options {
            anonymise: Anonymise::Off,
            ..Options::default()
        };
        // Two imports, one batch (one action) each: ten documents, then a hundred.
        for (first, n) in [(0, 10), (10, 100)] {
            let report = crate::import::import_with_key(
                &mut store,
                "tester",
                &sources(first, n),
                &options,
                &mut |_, _| {},
                &mut |_, _| {},
            )
            .unwrap();
            assert_eq!(report.imported, n);
        }
        let outcomes = store.take_outcomes();
        assert_eq!(outcomes.len(), 2, "one action an import");
        let (mut reader, mut writing) = (None, None);
        let never = || false;
        assert!(matches!(
            index_some(
                &dir,
                &mut reader,
                &mut writing,
                &outcomes[..1],
                false,
                &never
            ),
            Ok(Indexed::All)
        ));

        // The run "ends" once the writer has been given two chunks of the second action.
        let asked = Cell::new(0);
        let ended = || {
            asked.set(asked.get() + 1);
            asked.get() > 2
        };
        let second = outcomes[1..].to_vec();
        let left = match index_some(&dir, &mut reader, &mut writing, &second, false, &ended) {
            Ok(Indexed::Stopped(left)) => left,
            _ => panic!("the one-thread writer did not stop"),
        };
        let given = 2 * super::super::index::DOCUMENTS_AT_ONCE;
        assert_eq!(left.documents.len(), 100 - given);
        let w = writing.as_ref().unwrap();
        assert!(!w.full);
        assert_eq!(
            w.uncommitted.len(),
            1,
            "the first action, not the stopped one"
        );

        let rest = hand_over(&dir, &mut reader, &mut writing, second, &left);
        assert!(rest.is_empty(), "{rest:?}");
        assert!(
            writing.as_ref().unwrap().full,
            "the rest went to both cores"
        );
        assert!(commit(&dir, writing.take()).is_ok());

        let state = crate::search::verify(&store).unwrap();
        assert!(state.current, "{state:?}");
        assert!(state.problems.is_empty(), "{state:?}");
        for i in [0, 9, 10, 10 + given - 1, 10 + given, 109] {
            let found = crate::search::search(
                &store,
                &format!("woord{i:03}"),
                &crate::search::Filters::default(),
            )
            .unwrap();
            assert_eq!(found.total, 1, "woord{i:03}");
        }
    }
}
