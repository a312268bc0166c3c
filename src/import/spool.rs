//! Where an import larger than one batch keeps its anonymised documents between anonymising
//! them and storing them.
//!
//! Every pseudonym an import gives must be in the saved key before a document carrying it is
//! committed. Saving the key costs a passphrase derivation (128 MiB and a third of a second)
//! and writes the whole key, so the import anonymises every batch first, writing each
//! document to this file (one JSON line, the anonymised text only: what the database will
//! hold, never an original), saves the key once, then stores the documents a batch at a time.
//! Memory holds one batch in each phase. The file is in the project folder, readable by its
//! owner only, and removed when the import ends; one left by a killed import is removed by the
//! next import once it is a day old.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::corpus::NewDocument;
use crate::error::{Error, Result};

const PREFIX: &str = ".import-";
const SUFFIX: &str = ".spool";

/// The spool being written.
pub(super) struct Spool {
    path: PathBuf,
    out: Option<BufWriter<File>>,
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
        Ok(Spool {
            path,
            out: Some(BufWriter::new(file)),
        })
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
            out.into_inner()
                .map_err(|e| Error::io(&self.path, e.into_error()))?;
        }
        let file = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        Ok(Reader {
            lines: BufReader::new(file),
            spool: self,
        })
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        self.out = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The spool read back.
pub(super) struct Reader {
    lines: BufReader<File>,
    spool: Spool,
}

impl Reader {
    /// The next documents, until `bytes` of text are together (at least one); empty at the end.
    pub fn next_batch(&mut self, bytes: u64) -> Result<Vec<(usize, NewDocument)>> {
        let mut out = Vec::new();
        let mut size = 0u64;
        let mut line = String::new();
        while size < bytes {
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
