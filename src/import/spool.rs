//! Where an import larger than one batch keeps its anonymised documents between anonymising
//! them and storing them.
//!
//! Every pseudonym an import gives must be in the saved key before a document carrying it is
//! committed. Saving the key costs a passphrase derivation (128 MiB and a third of a second)
//! and writes the whole key, so the import anonymises every batch first, writing each
//! document to this file (one JSON line each: the anonymised text, turns and metadata as the
//! database will hold them), saves the key once, then stores the documents a batch at a time.
//! Memory holds one batch in each phase. The file is encrypted (age) to a key made for the
//! import and held only in its memory: an attribute value anonymised before a later file
//! taught the key a name may still hold that name until the batch is stored, and a file a
//! killed import leaves behind can be read by no one. It is in the project folder, readable by
//! its owner only, removed when the import ends; one left by a killed import is removed by the
//! next import once it is a day old.
//!
//! The spool is written by a thread of its own ([`Spool::write_behind`]): the thread that
//! gives pseudonyms is the import's serial step, and encoding and encrypting the documents
//! need not wait on it. (Reading it back a batch ahead on another thread was tried: the
//! documents that thread made and the storing thread freed stayed in the process's memory
//! into the index build, about 75 MB more while storing, and the import's peak reached
//! 300 MB: not kept.)

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

use crate::corpus::NewDocument;
use crate::error::{Error, Result};

const PREFIX: &str = ".import-";
const SUFFIX: &str = ".spool";

/// The spool being written.
pub(super) struct Spool {
    path: PathBuf,
    out: Option<age::stream::StreamWriter<BufWriter<File>>>,
    /// The key the spool is encrypted to, made for this import and never written anywhere.
    identity: age::x25519::Identity,
}

/// One line of the spool: the index of the file's report, and its document.
#[derive(serde::Serialize, serde::Deserialize)]
struct Line {
    file: usize,
    doc: NewDocument,
}

impl Spool {
    /// A new spool in the project folder (old ones of killed imports removed).
    pub fn create(project: &Path) -> Result<Spool> {
        remove_leftovers(project);
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = project.join(format!("{PREFIX}{}-{stamp}{SUFFIX}", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(|e| Error::io(&path, e))?;
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public();
        let out =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .and_then(|e| Ok(e.wrap_output(BufWriter::new(file))?))
                .map_err(|e| {
                    Error::Internal(format!("the import's spool could not be encrypted: {e}"))
                });
        // Whatever happens next, the file goes when the spool does.
        let mut spool = Spool {
            path,
            out: None,
            identity,
        };
        spool.out = Some(out?);
        Ok(spool)
    }

    /// Adds a document (with the index of its file's report).
    pub fn push(&mut self, file: usize, doc: NewDocument) -> Result<()> {
        let out = self.out.as_mut().expect("written before it is read");
        serde_json::to_writer(&mut *out, &Line { file, doc })
            .map_err(|e| Error::Internal(format!("the import's spool: {e}")))?;
        out.write_all(b"\n").map_err(|e| Error::io(&self.path, e))
    }

    /// Done writing: the documents back, in order, `bytes` of text at a time.
    pub fn read(mut self) -> Result<Reader> {
        if let Some(out) = self.out.take() {
            out.finish()
                .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
                .map_err(|e| Error::io(&self.path, e))?;
        }
        let file = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        let plain = age::Decryptor::new(BufReader::new(file))
            .and_then(|d| d.decrypt(std::iter::once(&self.identity as &dyn age::Identity)))
            .map_err(|e| Error::Internal(format!("the import's spool could not be read: {e}")))?;
        Ok(Reader {
            lines: BufReader::new(plain),
            spool: self,
        })
    }
}

/// A spool written on a thread of its own ([`Spool::write_behind`]).
pub(super) struct Behind<'scope> {
    to: SyncSender<(usize, NewDocument)>,
    /// The writing thread; taken when it is waited for.
    writer: Option<ScopedJoinHandle<'scope, Result<Spool>>>,
}

/// Documents waiting for the spool's thread: enough to keep it busy, few enough that a slow
/// disk holding up the writing adds at most two documents to the batch in memory.
const WAITING: usize = 2;

impl Spool {
    /// The spool, written by a thread of `scope`: [`Behind::push`] hands it a document and
    /// returns at once.
    pub fn write_behind<'scope>(self, scope: &'scope Scope<'scope, '_>) -> Behind<'scope> {
        let (to, from) = sync_channel::<(usize, NewDocument)>(WAITING);
        let writer = scope.spawn(move || -> Result<Spool> {
            let mut spool = self;
            for (file, doc) in from {
                spool.push(file, doc)?;
            }
            Ok(spool)
        });
        Behind {
            to,
            writer: Some(writer),
        }
    }
}

impl Behind<'_> {
    /// Hands a document to the spool's thread. Fails with that thread's own error when it
    /// stopped on one.
    pub fn push(&mut self, file: usize, doc: NewDocument) -> Result<()> {
        if self.to.send((file, doc)).is_ok() {
            return Ok(());
        }
        Err(wait(self.writer.take()).err().unwrap_or_else(stopped))
    }

    /// Waits until every document handed over is written; the spool back, or the error that
    /// stopped its thread.
    pub fn finish(self) -> Result<Spool> {
        let Behind { to, writer } = self;
        drop(to);
        wait(writer)
    }
}

/// What the spool's thread ended with.
fn wait(writer: Option<ScopedJoinHandle<'_, Result<Spool>>>) -> Result<Spool> {
    match writer {
        Some(writer) => writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        None => Err(stopped()),
    }
}

/// The spool's thread ended before it was done with (its error was returned then).
fn stopped() -> Error {
    Error::Internal("the import's spool stopped writing".into())
}

impl Drop for Spool {
    fn drop(&mut self) {
        self.out = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The spool read back.
pub(super) struct Reader {
    lines: BufReader<age::stream::StreamReader<BufReader<File>>>,
    spool: Spool,
}

impl Reader {
    /// The next documents, until `bytes` of text are together (at least one, whatever
    /// `bytes`); empty at the end.
    pub fn next_batch(&mut self, bytes: u64) -> Result<Vec<(usize, NewDocument)>> {
        let mut out = Vec::new();
        let mut size = 0u64;
        let mut line = String::new();
        while size < bytes || out.is_empty() {
            line.clear();
            let n = self
                .lines
                .read_line(&mut line)
                .map_err(|e| Error::io(&self.spool.path, e))?;
            if n == 0 {
                break;
            }
            let Line { file, doc } = serde_json::from_str(&line)
                .map_err(|e| Error::Internal(format!("the import's spool: {e}")))?;
            size += doc.text.len() as u64;
            out.push((file, doc));
        }
        Ok(out)
    }
}

/// Removes spools of imports that were killed more than a day ago.
fn remove_leftovers(project: &Path) {
    let Ok(entries) = std::fs::read_dir(project) else {
        return;
    };
    let day = std::time::Duration::from_secs(24 * 3600);
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > day);
        if name.starts_with(PREFIX) && name.ends_with(SUFFIX) && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(text: &str) -> NewDocument {
        NewDocument {
            guid: "g".into(),
            meta: crate::transcript::study::Resolved {
                kind: "individual".into(),
                participants: vec!["P01".into()],
                wave: Some("T1".into()),
                language: "nl".into(),
                title: "P01 T1".into(),
                date: None,
                interviewer: None,
                attributes: Default::default(),
                participant_attributes: Default::default(),
                speakers: Default::default(),
                notes: Vec::new(),
            },
            text: text.into(),
            turns: vec![crate::corpus::NewTurn {
                speaker: "P01".into(),
                start: 0,
                end: 5,
                line: 1,
                words: 1,
                time_start: Some(0.1 + 0.2),
                time_end: None,
            }],
            source_name: "P01_T1.md".into(),
            source_format: "markdown".into(),
            source_sha256: "s".into(),
            log: Vec::new(),
        }
    }

    #[test]
    fn the_spool_is_unreadable_on_disk_gives_back_what_it_took_and_goes_away() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::create(dir.path()).unwrap();
        let path = spool.path.clone();
        for (i, t) in ["Kollumerzwaag één", "tweede tekst"].iter().enumerate() {
            spool.push(i, document(t)).unwrap();
        }
        let mut reader = spool.read().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"age-encryption.org/v1"));
        let raw = String::from_utf8_lossy(&bytes);
        // Long enough not to turn up by chance in the ciphertext or its base64 header
        // (three letters like "P01" did, now and then).
        assert!(!raw.contains("Kollumerzwaag") && !raw.contains("P01 T1"));
        let first = reader.next_batch(1).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].1.text, "Kollumerzwaag één");
        // Times come back to the bit (a spooled import equals one in a single batch).
        assert_eq!(first[0].1.turns[0].time_start, Some(0.1 + 0.2));
        let rest = reader.next_batch(u64::MAX).unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].0, 1);
        assert!(reader.next_batch(u64::MAX).unwrap().is_empty());
        drop(reader);
        assert!(!path.exists(), "the spool outlived its import");
    }

    /// A spool written by a thread of its own from these texts.
    fn written_behind(dir: &Path, texts: &[String]) -> Spool {
        std::thread::scope(|scope| {
            let mut behind = Spool::create(dir).unwrap().write_behind(scope);
            for (i, t) in texts.iter().enumerate() {
                behind.push(i, document(t)).unwrap();
            }
            behind.finish().unwrap()
        })
    }

    /// Written by a thread of its own, the documents come back in order, in batches of the
    /// size asked (at least one document each, even of size nothing); a spool of nothing
    /// gives nothing.
    #[test]
    fn written_behind_the_documents_come_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let texts: Vec<String> = (0..7).map(|i| format!("tekst nummer {i}")).collect();
        let batches = |texts: &[String], bytes: u64| -> Vec<Vec<(usize, String)>> {
            let spool = written_behind(dir.path(), texts);
            let path = spool.path.clone();
            let mut reader = spool.read().unwrap();
            let mut out = Vec::new();
            loop {
                let batch = reader.next_batch(bytes).unwrap();
                if batch.is_empty() {
                    break;
                }
                out.push(batch.into_iter().map(|(i, d)| (i, d.text)).collect());
            }
            drop(reader);
            assert!(!path.exists(), "the spool outlived its reader");
            out
        };
        let got = batches(&texts, 2 * texts[0].len() as u64);
        assert_eq!(got.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 2, 1]);
        let expected: Vec<(usize, String)> = texts.iter().cloned().enumerate().collect();
        assert_eq!(got.into_iter().flatten().collect::<Vec<_>>(), expected);
        let one_at_a_time = batches(&texts[..3], 0);
        assert_eq!(
            one_at_a_time.iter().map(Vec::len).collect::<Vec<_>>(),
            [1, 1, 1]
        );
        assert!(batches(&[], 1).is_empty());
    }

    /// A write that fails (a full disk) stops the writing thread; the import gets that error,
    /// not a vague one, and the spool file goes.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_failed_write_is_the_error_the_import_gets() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::create(dir.path()).unwrap();
        let path = spool.path.clone();
        let recipient = spool.identity.to_public();
        let full = File::options().write(true).open("/dev/full").unwrap();
        spool.out = Some(
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .unwrap()
                .wrap_output(BufWriter::new(full))
                .unwrap(),
        );
        let long = "woord ".repeat(100_000);
        let error = std::thread::scope(|scope| {
            let mut behind = spool.write_behind(scope);
            for i in 0..50 {
                if let Err(e) = behind.push(i, document(&long)) {
                    return e.to_string();
                }
            }
            match behind.finish() {
                Ok(_) => panic!("a spool on a full disk was written"),
                Err(e) => e.to_string(),
            }
        });
        assert!(error.contains("No space left"), "{error}");
        assert!(!path.exists(), "the spool outlived its failed writer");
    }
}
