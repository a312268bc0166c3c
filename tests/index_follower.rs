//! The search index following an import batch by batch (`search::Follower`), as the command
//! line's import does. What a researcher would check: after the import every turn is found,
//! the index says it reflects the database and agrees with it turn for turn, and when the
//! follower cannot follow (the index missing, another process committing between two
//! batches, text replaced during the run) nothing is lost or claimed: the index is brought up
//! to date by the usual path or rebuilt at the next search, and then agrees again.

mod common;

use std::path::Path;

use narrata::import::{self, Anonymise, Options, Source};
use narrata::search::{self, Filters, Follower};
use narrata::store::Store;

/// Twelve small transcripts, each with a word of its own (`woordNN`), in several batches.
fn sources() -> Vec<Source> {
    (0..12)
        .map(|i| Source {
            name: format!("P{:02}_T1.txt", i + 1),
            bytes: format!(
                "I: Hoe gaat het met de groep?\nR: Het gaat goed, ik noem het woord{i:02}. \
                 De zelfhulpgroep helpt mij elke week.\nI: Dank je.\n"
            )
            .into_bytes(),
        })
        .collect()
}

/// The batches (and actions) the import of [`sources`] makes with [`options`]: one file in each
/// of the first three (an import that does not fit in one batch starts with smaller ones), then
/// two files a batch.
const BATCHES: usize = 8;

fn options() -> Options {
    Options {
        anonymise: Anonymise::Off,
        // Two files a batch after the first three: eight batches, eight actions.
        batch_bytes: Some(300),
        ..Options::default()
    }
}

fn project(dir: &Path) -> Store {
    narrata::project::init(dir, Some("follow"), "nl").unwrap()
}

/// Imports the sources with a follower as the command line does (told when the last two batches
/// are next, from when it indexes on both cores), calling `between` after each batch's commit
/// (before the follower is handed it), and returns what the follower handed back.
fn import_following(
    store: &mut Store,
    between: &mut dyn FnMut(&mut Store, usize),
) -> Vec<narrata::store::Outcome> {
    let mut follower = Follower::start(store.root());
    let mut batch = 0;
    let report = import::import_with_key(
        store,
        "tester",
        &sources(),
        &options(),
        &mut |_, _| {},
        &mut |store, left| {
            between(store, batch);
            batch += 1;
            assert_eq!(left, BATCHES - batch, "batches still to come");
            if left <= 2 {
                follower.ending();
            }
            follower.follow(store.take_outcomes());
        },
    )
    .unwrap();
    assert_eq!(report.imported, 12, "{:?}", report.files);
    assert_eq!(batch, BATCHES, "the import's batches");
    follower.finish()
}

fn turns(store: &Store) -> usize {
    store
        .conn()
        .query_row("SELECT count(*) FROM turns", [], |r| r.get::<_, i64>(0))
        .unwrap() as usize
}

/// Every file's own word is found, in its own document, and the index agrees with the
/// database turn for turn.
fn every_word_found(store: &Store) {
    words_found_from(store, 0);
}

/// [`every_word_found`], from the `first` file's word on (those before were redacted).
fn words_found_from(store: &Store, first: usize) {
    for i in first..12 {
        let results = search::search(store, &format!("woord{i:02}"), &Filters::default()).unwrap();
        assert_eq!(results.total, 1, "woord{i:02}");
    }
    let state = search::verify(store).unwrap();
    assert!(state.current, "{state:?}");
    assert!(state.problems.is_empty(), "{state:?}");
    assert_eq!(state.turns, turns(store));
}

/// Redacts the first file's own word (`woord00`) in its document, as `anonymise redact
/// --text` does.
fn redact_first_word(store: &mut Store) {
    let doc: i64 = store
        .conn()
        .query_row("SELECT min(id) FROM documents", [], |r| r.get(0))
        .unwrap();
    let mut key = narrata::keyfile::Key::new("follow");
    narrata::anonymise::correct::redact_text(
        store,
        "tester",
        &mut key,
        &mut |_| Ok(()),
        "woord00",
        Some(doc),
        "ID",
    )
    .unwrap();
}

/// A project with [`sources`] imported and indexed.
fn imported_and_indexed(dir: &Path) -> Store {
    let mut store = project(dir);
    let report = import::import_with_key(
        &mut store,
        "tester",
        &sources(),
        &options(),
        &mut |_, _| {},
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(report.imported, 12);
    search::follow(&mut store).unwrap();
    assert!(search::is_current(&store).unwrap());
    store
}

/// Another command's follower, holding the index's writer (as an import's does for its whole
/// run) until it finishes; returned once the writer's lock is held (the lock file itself is
/// left from the first indexing).
fn follower_holding_the_writer(store: &mut Store, dir: &Path) -> Follower {
    narrata::memo::add(store, "tester", narrata::memo::Target::Project, "een").unwrap();
    let mut follower = Follower::start(dir);
    follower.follow(store.take_outcomes());
    let lock = dir.join(search::INDEX_DIR).join(".tantivy-writer.lock");
    let held = || {
        std::fs::File::open(&lock)
            .is_ok_and(|f| matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)))
    };
    for _ in 0..100 {
        if held() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(held(), "the follower did not take the writer");
    follower
}

#[test]
fn an_import_followed_batch_by_batch_leaves_the_index_current_and_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = project(&tmp.path().join("p"));
    let rest = import_following(&mut store, &mut |_, _| {});
    assert!(rest.is_empty(), "every batch followed: {rest:?}");
    // Nothing left for the usual path, and the index already reflects the last action.
    assert!(store.take_outcomes().is_empty());
    assert!(search::is_current(&store).unwrap());
    let first = search::search(&store, "woord00", &Filters::default()).unwrap();
    assert!(!first.rebuilt, "the search had to rebuild the index");
    every_word_found(&store);
}

#[test]
fn without_an_index_to_follow_everything_is_handed_back_and_the_next_search_builds_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = project(&tmp.path().join("p"));
    search::discard(store.root()).unwrap();
    let rest = import_following(&mut store, &mut |_, _| {});
    assert_eq!(rest.len(), BATCHES, "every action handed back");
    store.give_back_outcomes(rest);
    search::follow(&mut store).unwrap();
    assert!(!search::is_current(&store).unwrap());
    every_word_found(&store);
}

#[test]
fn a_commit_by_another_process_between_batches_stops_the_follower_and_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let mut store = project(&dir);
    let rest = import_following(&mut store, &mut |_, batch| {
        if batch == 1 {
            // Another process's action: the project's generation moves on by one between
            // this import's second and third batch.
            let mut other = Store::open(&dir).unwrap();
            narrata::memo::add(
                &mut other,
                "tester",
                narrata::memo::Target::Project,
                "een notitie",
            )
            .unwrap();
        }
    });
    // The first two batches were indexed and committed; the others are handed back.
    assert_eq!(rest.len(), BATCHES - 2, "{rest:?}");
    store.give_back_outcomes(rest);
    search::follow(&mut store).unwrap();
    // The index does not claim the other process's action: it is behind, and the next search
    // rebuilds it.
    assert!(!search::is_current(&store).unwrap());
    every_word_found(&store);
}

#[test]
fn text_replaced_during_the_run_hands_the_rest_to_the_usual_path() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = project(&tmp.path().join("p"));
    let rest = import_following(&mut store, &mut |store, batch| {
        if batch == 0 {
            // A redaction in the first document after the first batch, before the follower
            // took the index's writer (later in the run a redaction waits for the import to
            // end, see below): the index must forget the word, so the usual path builds it
            // anew.
            redact_first_word(store);
        }
    });
    assert!(!rest.is_empty());
    assert!(rest.iter().any(|o| o.changes.text_replaced), "{rest:?}");
    store.give_back_outcomes(rest);
    search::follow(&mut store).unwrap();
    assert!(search::is_current(&store).unwrap());
    let gone = search::search(&store, "woord00", &Filters::default()).unwrap();
    assert_eq!(gone.total, 0, "a redacted word is still found");
    for i in 1..12 {
        let results = search::search(&store, &format!("woord{i:02}"), &Filters::default()).unwrap();
        assert_eq!(results.total, 1, "woord{i:02}");
    }
    let state = search::verify(&store).unwrap();
    assert!(state.problems.is_empty(), "{state:?}");
}

#[test]
fn a_search_while_another_command_holds_the_writer_answers_from_the_index_as_committed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let mut store = imported_and_indexed(&dir);
    let follower = follower_holding_the_writer(&mut store, &dir);
    // Something committed that the index does not reflect yet: a search would rebuild it.
    narrata::memo::add(&mut store, "tester", narrata::memo::Target::Project, "twee").unwrap();
    assert!(!search::is_current(&store).unwrap());
    let results = search::search(&store, "woord03", &Filters::default()).unwrap();
    assert_eq!(results.total, 1);
    assert!(!results.rebuilt);
    assert!(
        results.notes.iter().any(|n| n == search::BEHIND),
        "{:?}",
        results.notes
    );
    assert!(follower.finish().is_empty());
    // Once the other command is done, a search rebuilds the index and says nothing of it.
    let results = search::search(&store, "woord03", &Filters::default()).unwrap();
    assert_eq!(results.total, 1);
    assert!(results.notes.is_empty(), "{:?}", results.notes);
}

#[test]
fn a_redaction_waits_for_another_commands_writer_and_leaves_no_old_words_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let mut store = imported_and_indexed(&dir);
    let follower = follower_holding_the_writer(&mut store, &dir);
    let releasing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let other = {
        let releasing = std::sync::Arc::clone(&releasing);
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(700));
            releasing.store(true, std::sync::atomic::Ordering::SeqCst);
            follower.finish()
        })
    };
    redact_first_word(&mut store);
    assert!(
        releasing.load(std::sync::atomic::Ordering::SeqCst),
        "the redaction replaced the index folder while another command's writer was open in it"
    );
    // The other command's follower committed the one action it was given. Should the
    // redaction take the index in the instant between that writer closing and the follower
    // recording what the index reflects, the action is handed back, never claimed (the next
    // search builds the index anyway); nothing else is.
    let handed_back = other.join().unwrap();
    assert!(handed_back.len() <= 1, "{handed_back:?}");
    store.give_back_outcomes(handed_back);
    // No file of the index (or of one being deleted) holds the redacted word, and the next
    // search builds the index without it.
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(search::INDEX_DIR)
        })
        .flat_map(|e| {
            std::fs::read_dir(e.path())
                .unwrap()
                .flatten()
                .map(|f| f.path())
        })
        .collect();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        assert!(
            !bytes.windows(7).any(|w| w == b"woord00"),
            "{} holds the redacted word",
            f.display()
        );
    }
    let gone = search::search(&store, "woord00", &Filters::default()).unwrap();
    assert_eq!(gone.total, 0, "a redacted word is still found");
    words_found_from(&store, 1);
}
