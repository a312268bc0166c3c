//! An import larger than one batch: read and searched in a first pass, stored a batch at a
//! time in a second, so that memory holds one batch. What a researcher would check: the same
//! files give the same project whether they came in one batch or many (texts, pseudonyms, a
//! name learnt in a later file found in an earlier one), the key is saved with each batch's
//! pseudonyms before the batch is committed, a file that changes between the passes is refused and
//! nothing else is lost, an unreadable file is refused in its place, and the anonymisation log
//! is kept in the database, not in the key.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use narrata::import::{self, Anonymise, ImportReport, Options, Privacy, Source, Sources};
use narrata::keyfile::Key;

/// The fictional sample transcripts, as an import reads them.
fn samples() -> Vec<Source> {
    let mut paths: Vec<_> = std::fs::read_dir(common::samples())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| Source {
            name: p.file_name().unwrap().to_string_lossy().into_owned(),
            bytes: std::fs::read(&p).unwrap(),
        })
        .collect()
}

/// One imported project: its report, the stored texts by source fingerprint, its key, and the
/// number of documents in the database each time the key was saved.
struct Imported {
    report: ImportReport,
    texts: Vec<(String, String)>,
    key: Key,
    saves: Vec<(usize, usize)>,
    /// Pseudonyms found committed (at a save, or at the end) that the key saved before did
    /// not hold, and how many saves saw committed pseudonyms at all.
    unsaved: Vec<String>,
    saves_after_commits: usize,
    /// The distinct pseudonyms committed at the end.
    committed: usize,
    progress: Vec<(usize, usize)>,
    /// Entries in the database's anonymisation log.
    log: usize,
}

fn import(sources: &dyn Sources, batch_bytes: Option<u64>) -> Imported {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let mut store = narrata::project::init(&dir, Some("batches"), "nl").unwrap();
    let mut key = Key::new("batches");
    let db = dir.join("narrata.db");
    let mut saves = Vec::new();
    let mut last_saved = std::collections::BTreeSet::new();
    let mut unsaved = Vec::new();
    let mut saves_after_commits = 0;
    let mut save = |k: &Key| {
        // What a crash right after this save would leave: the documents committed so far,
        // read by a connection of its own, and the pseudonyms they carry, each of which the
        // key saved before must hold.
        let c = committed_documents(&db);
        saves.push((c, k.entries.len()));
        let committed = committed_pseudonyms(&db);
        unsaved.extend(committed.difference(&last_saved).cloned());
        saves_after_commits += usize::from(!committed.is_empty());
        last_saved = labels(k);
        Ok(())
    };
    let mut progress = Vec::new();
    let options = Options {
        anonymise: Anonymise::Auto,
        batch_bytes,
        ..Options::default()
    };
    let report = import::import(
        &mut store,
        "tester",
        sources,
        &options,
        Some(Privacy {
            key: &mut key,
            save: &mut save,
        }),
        &mut |d, t| progress.push((d, t)),
    )
    .unwrap();
    let committed = committed_pseudonyms(&db);
    unsaved.extend(committed.difference(&last_saved).cloned());
    let committed = committed.len();
    let mut texts: Vec<(String, String)> = narrata::corpus::documents(store.conn())
        .unwrap()
        .into_iter()
        .map(|d| {
            let sha: String = store
                .conn()
                .query_row(
                    "SELECT source_sha256 FROM documents WHERE id = ?1",
                    [d.id],
                    |r| r.get(0),
                )
                .unwrap();
            (sha, narrata::corpus::text(store.conn(), d.id).unwrap())
        })
        .collect();
    texts.sort();
    let log = narrata::keyfile::log(store.conn(), &key, None)
        .unwrap()
        .len();
    Imported {
        log,
        report,
        texts,
        key,
        saves,
        unsaved,
        saves_after_commits,
        committed,
        progress,
    }
}

/// The number of documents committed in the project's database, read as another process
/// would.
fn committed_documents(db: &std::path::Path) -> usize {
    let store = narrata::store::Store::open(db.parent().unwrap()).unwrap();
    narrata::corpus::documents(store.conn()).unwrap().len()
}

/// The key's pseudonyms: (original, pseudonym label).
fn pseudonyms(key: &Key) -> Vec<(String, String, u32)> {
    let mut v: Vec<_> = key
        .entries
        .iter()
        .map(|e| (e.original.to_string(), e.category.to_string(), e.number))
        .collect();
    v.sort();
    v
}

#[test]
fn the_same_files_make_the_same_project_in_one_batch_or_in_many() {
    let sources = samples();
    assert!(sources.len() >= 10, "the samples are the test's material");
    let whole = import(&sources, None);
    let one_by_one = import(&sources, Some(1));
    assert_eq!(whole.report.imported, sources.len());
    assert_eq!(one_by_one.report.imported, sources.len());
    assert_eq!(whole.report.words, one_by_one.report.words);
    assert_eq!(whole.texts, one_by_one.texts, "the stored texts differ");
    assert_eq!(pseudonyms(&whole.key), pseudonyms(&one_by_one.key));
    // One batch or many: the key is saved before the first document is committed, and then
    // before each batch that brings new pseudonyms (see the next test for what each holds).
    for run in [&whole, &one_by_one] {
        let (committed, _) = run.saves[0];
        assert_eq!(
            committed, 0,
            "documents were committed before the key was saved"
        );
    }
    assert!(one_by_one.saves.len() > 1, "{:?}", one_by_one.saves);
    // The log of every replacement is in the database, none in the key.
    assert!(one_by_one.key.log.is_empty());
    assert_eq!(one_by_one.log, whole.log);
    assert!(one_by_one.log >= whole.report.files.len());
    // Progress runs forward to its end, twice a file (read, then stored).
    let p = &one_by_one.progress;
    assert!(p.windows(2).all(|w| w[0].0 <= w[1].0), "{p:?}");
    assert_eq!(p.last(), Some(&(2 * sources.len(), 2 * sources.len())));
}

/// The pseudonyms the committed documents carry, as the anonymisation log in the database
/// names them, read as another process would.
fn committed_pseudonyms(db: &std::path::Path) -> std::collections::BTreeSet<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT DISTINCT pseudonym FROM anonymisation_log")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// The labels of a key's pseudonyms, in either language.
fn labels(key: &Key) -> std::collections::BTreeSet<String> {
    key.entries
        .iter()
        .flat_map(|e| ["nl", "en"].map(|l| narrata::keyfile::label(&e.category, e.number, l)))
        .collect()
}

/// What a crash at any moment of an import in many batches would leave: every pseudonym in
/// the database is in the key as last saved, because each batch's pseudonyms are saved before
/// the batch commits. Checked at every save (what is committed then against the key saved
/// before it) and at the end.
#[test]
fn every_committed_pseudonym_is_in_the_key_saved_before_it() {
    let sources = samples();
    let run = import(&sources, Some(1));
    assert_eq!(run.report.imported, sources.len());
    assert!(
        run.unsaved.is_empty(),
        "committed before the key held them: {:?}",
        run.unsaved
    );
    assert!(run.committed > 10, "{}", run.committed);
    // Batches were committed between saves: the check saw documents in the database.
    assert!(
        run.saves.len() > 2 && run.saves_after_commits > 1,
        "{:?}, {}",
        run.saves,
        run.saves_after_commits
    );
}

/// A batch size of nothing (what `NARRATA_IMPORT_BATCH_BYTES=0` asks for) still stores every
/// file, one a batch: every file reported imported is in the database, as one batch would
/// store it. (A spool, since removed, once read nothing back at that size while the report said
/// imported.)
#[test]
fn a_batch_size_of_nothing_still_stores_every_file() {
    let sources = samples();
    let run = import(&sources, Some(0));
    assert_eq!(run.report.imported, sources.len());
    assert_eq!(
        run.texts.len(),
        sources.len(),
        "files reported imported were not stored"
    );
    assert_eq!(run.texts, import(&sources, None).texts);
}

fn doc(participant: &str, wave: &str, turns: &str) -> String {
    format!("---\nparticipant: {participant}\nwave: {wave}\nlanguage: nl\n---\n{turns}\n")
}

#[test]
fn a_name_first_written_with_a_capital_in_a_later_batch_is_found_in_an_earlier_one() {
    // P01's first interview speaks of "tjitske" in lower case only; her name is written with
    // a capital for the first time in the third file. Each file is a batch of its own.
    let files = [
        (
            "P01_T1.md",
            doc(
                "P01",
                "T1",
                "I: Wie helpt je?\nR: Eigenlijk alleen tjitske, die belt elke week even.",
            ),
        ),
        (
            "P02_T1.md",
            doc(
                "P02",
                "T1",
                "I: Hoe gaat het?\nR: Rustig. Ik loop elke ochtend een rondje.",
            ),
        ),
        (
            "P01_T2.md",
            doc(
                "P01",
                "T2",
                "I: En nu?\nR: Mijn zus Tjitske Hoekstra komt nu elke zondag langs.",
            ),
        ),
    ];
    let sources: Vec<Source> = files
        .iter()
        .map(|(name, text)| Source {
            name: (*name).to_owned(),
            bytes: text.as_bytes().to_vec(),
        })
        .collect();
    let batched = import(&sources, Some(1));
    assert_eq!(batched.report.imported, 3);
    for (_, text) in &batched.texts {
        assert!(
            !text.to_lowercase().contains("tjitske"),
            "the name survived: {text}"
        );
    }
    let whole = import(&sources, None);
    assert_eq!(whole.texts, batched.texts);
}

/// Sources whose second file reads differently the second time it is read.
struct Changing {
    files: Vec<Source>,
    loads: Vec<AtomicUsize>,
}

impl Sources for Changing {
    fn count(&self) -> usize {
        self.files.len()
    }
    fn name(&self, i: usize) -> String {
        self.files[i].name.clone()
    }
    fn size(&self, i: usize) -> u64 {
        self.files[i].bytes.len() as u64
    }
    fn load(&self, i: usize) -> Result<Source, String> {
        let n = self.loads[i].fetch_add(1, Ordering::SeqCst);
        let mut s = self.files[i].clone();
        if i == 1 && n > 0 {
            s.bytes
                .extend_from_slice(b"\nR: Deze zin kwam erbij terwijl de import liep.\n");
        }
        Ok(s)
    }
}

#[test]
fn a_file_that_changes_between_the_passes_is_refused_and_nothing_else_is_lost() {
    let files: Vec<Source> = samples().into_iter().take(4).collect();
    let changing = Changing {
        loads: files.iter().map(|_| AtomicUsize::new(0)).collect(),
        files,
    };
    let r = import(&changing, Some(1)).report;
    assert_eq!(r.imported, 3);
    assert_eq!(r.refused, 1);
    let refused = &r.files[1];
    assert_eq!(refused.status, "refused");
    assert!(
        refused
            .reason
            .as_deref()
            .unwrap()
            .contains("changed while it was being imported"),
        "{refused:?}"
    );
    assert!(refused.document.is_none());
    // Every file was read twice, and no more: the first pass let them go.
    assert!(changing.loads.iter().all(|l| l.load(Ordering::SeqCst) == 2));
}

#[test]
fn a_file_that_cannot_be_read_is_refused_in_its_place_and_the_others_are_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("P01_T1.md");
    std::fs::write(&first, doc("P01", "T1", "I: Hoe gaat het?\nR: Goed.")).unwrap();
    let missing = tmp.path().join("P02_T1.md");
    let last = tmp.path().join("P03_T1.md");
    std::fs::write(&last, doc("P03", "T1", "I: Hoe gaat het?\nR: Beter.")).unwrap();
    let files = import::Files::new(vec![first, missing, last]);
    let r = import(&files, Some(1)).report;
    let statuses: Vec<&str> = r.files.iter().map(|f| f.status).collect();
    assert_eq!(statuses, ["imported", "refused", "imported"]);
    assert!(
        r.files[1]
            .reason
            .as_deref()
            .unwrap()
            .contains("could not be read")
    );
}

#[test]
fn an_attribute_naming_a_place_a_later_batch_names_gets_its_pseudonym() {
    let files = [
        (
            "P01_T1.md",
            "---\nparticipant: P01\nwave: T1\nlanguage: nl\nparticipant_attributes:\n  site: Leiden\n---\nI: Hoe gaat het?\nP01: Goed, dank je.\n".to_owned(),
        ),
        (
            "P02_T1.md",
            doc(
                "P02",
                "T1",
                "I: Waar woon je?\nP02: Ik woon al twintig jaar in Leiden, vlak bij het station van Leiden.",
            ),
        ),
    ];
    let sources: Vec<Source> = files
        .iter()
        .map(|(name, text)| Source {
            name: (*name).to_owned(),
            bytes: text.as_bytes().to_vec(),
        })
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let mut store = narrata::project::init(&tmp.path().join("p"), Some("b"), "nl").unwrap();
    let mut key = Key::new("b");
    let mut save = |_: &Key| Ok(());
    let options = Options {
        anonymise: Anonymise::Auto,
        batch_bytes: Some(1),
        ..Options::default()
    };
    let r = import::import(
        &mut store,
        "tester",
        &sources,
        &options,
        Some(Privacy {
            key: &mut key,
            save: &mut save,
        }),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(r.imported, 2);
    let attributes: String = store
        .conn()
        .query_row(
            "SELECT attributes FROM participants WHERE code = 'P01'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!attributes.contains("Leiden"), "{attributes}");
    let text = narrata::corpus::text(store.conn(), 2).unwrap();
    let site: serde_json::Value = serde_json::from_str(&attributes).unwrap();
    assert!(
        text.contains(site["site"].as_str().unwrap()),
        "{site} {text}"
    );
}

/// A project with one transcript held for review (`--anonymise review`), and its key.
fn staged_project(tmp: &tempfile::TempDir) -> (narrata::store::Store, Key) {
    let mut store = narrata::project::init(&tmp.path().join("p"), Some("r"), "nl").unwrap();
    let mut key = Key::new("r");
    let sources: Vec<Source> = vec![Source {
        name: "P01_T1.md".into(),
        bytes: doc(
            "P01",
            "T1",
            "I: Wie helpt je?\nR: Mijn zus Tjitske Hoekstra komt elke zondag.",
        )
        .into_bytes(),
    }];
    let options = Options {
        anonymise: Anonymise::Review,
        ..Options::default()
    };
    let privacy = Privacy {
        key: &mut key,
        save: &mut |_: &Key| Ok(()),
    };
    let r = import::import(
        &mut store,
        "tester",
        &sources,
        &options,
        Some(privacy),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(r.staged, 1);
    (store, key)
}

#[test]
fn reviewed_transcripts_stay_in_the_key_until_they_are_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, mut key) = staged_project(&tmp);
    // Each save: (staged transcripts in the key, documents committed).
    let dir = tmp.path().join("p");
    let mut saves = Vec::new();
    let mut save = |k: &Key| {
        saves.push((k.staged.len(), committed_documents(&dir.join("narrata.db"))));
        Ok(())
    };
    let applied = narrata::import::apply_staged(&mut store, "tester", &mut key, &mut save).unwrap();
    assert_eq!(applied.imported, 1);
    assert_eq!(
        saves,
        [(1, 0), (0, 1)],
        "the staged transcript left the key before it was stored"
    );
    assert!(key.staged.is_empty());
    let log = narrata::keyfile::log(store.conn(), &key, None).unwrap();
    assert!(log.iter().any(|l| l.action == "accept"), "{log:?}");
}

#[test]
fn a_copy_of_a_refused_file_is_refused_too_not_imported_once() {
    let bad = Source {
        name: "P01_T1.md".into(),
        bytes: b"---\nparticipant: P01\nwave: T1\n---\n".to_vec(), // front matter, no transcript
    };
    let copy = Source {
        name: "kopie/P01_T1.md".into(),
        bytes: bad.bytes.clone(),
    };
    let r = import(&vec![bad, copy], Some(1)).report;
    let statuses: Vec<&str> = r.files.iter().map(|f| f.status).collect();
    assert_eq!(statuses, ["refused", "refused"], "{:?}", r.files);
    let why = r.files[1].reason.as_deref().unwrap();
    assert!(why.contains("the same bytes as P01_T1.md"), "{why}");
}

#[test]
fn reviewed_transcripts_stored_before_a_failed_key_save_are_reported_and_cleared_next_time() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, mut key) = staged_project(&tmp);
    let staged = key.staged.clone();
    // The save after the commit fails (a full disk, another process's key).
    let mut calls = 0;
    let mut failing = |_: &Key| {
        calls += 1;
        if calls == 2 {
            return Err(narrata::Error::Key("the disk is full".into()));
        }
        Ok(())
    };
    let applied =
        narrata::import::apply_staged(&mut store, "tester", &mut key, &mut failing).unwrap();
    assert_eq!(applied.imported, 1);
    let notes = &applied.files[0].notes;
    assert!(
        notes.iter().any(|n| n.contains("still lists it as staged")),
        "{notes:?}"
    );
    // As the key on disk still has it: the next apply passes over it and clears the staging.
    key.staged = staged;
    let again =
        narrata::import::apply_staged(&mut store, "tester", &mut key, &mut |_: &Key| Ok(()))
            .unwrap();
    assert_eq!(again.imported, 0);
    assert!(key.staged.is_empty());
    assert_eq!(narrata::corpus::documents(store.conn()).unwrap().len(), 1);
}
