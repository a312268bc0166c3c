//! Writing a file so that a crash or a full disk never leaves half of it: the ground floor for
//! every file narrata writes (exports, codebooks, REFI-QDA archives), and zip archives written
//! into such a file that leave nothing behind when they fail halfway.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Writes `path` by way of a temporary file beside it: `write` fills the file, which is then
/// flushed to disk and renamed over the target. On any error the temporary file is removed
/// and the target is as it was.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if path.is_dir() {
        return Err(Error::Invalid(format!(
            "{} is a folder; name a file to write",
            path.display()
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let tmp = dir.join(format!(".{name}.{}.partial", std::process::id()));
    let result = (|| {
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut out = BufWriter::new(file);
        write(&mut out)?;
        out.flush().map_err(|e| Error::io(&tmp, e))?;
        let file = out
            .into_inner()
            .map_err(|e| Error::io(&tmp, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A failure of the zip writer: the file's own (a full disk, say) as any file error, else
/// "`what` could not be written".
pub fn zip_error(path: &Path, what: &str, e: zip::result::ZipError) -> Error {
    match e {
        zip::result::ZipError::Io(io) => Error::io(path, io),
        other => Error::Invalid(format!("{what} could not be written: {other}")),
    }
}

/// Writes a zip archive into `file` (the temporary file [`write_atomically`] gives): `fill`
/// adds the entries, and the archive is finished when it succeeds. When `fill` or the file
/// fails, what the zip writer still writes as it is dropped goes nowhere (see [`ZipTarget`]),
/// and the error is `fill`'s or the file's; `what` names the file in other errors ("the
/// spreadsheet").
pub fn write_zip(
    file: &mut BufWriter<File>,
    path: &Path,
    what: &str,
    fill: impl FnOnce(&mut zip::ZipWriter<ZipTarget>) -> Result<()>,
) -> Result<()> {
    let discard = std::rc::Rc::new(std::cell::Cell::new(false));
    let mut out = zip::ZipWriter::new(ZipTarget {
        file,
        discard: discard.clone(),
        at: 0,
        end: 0,
    });
    match fill(&mut out) {
        Ok(()) => out.finish().map(drop).map_err(|e| zip_error(path, what, e)),
        Err(e) => {
            // The writer, dropped unfinished, finishes the archive: into the void.
            discard.set(true);
            drop(out);
            Err(e)
        }
    }
}

/// The file under the zip writer. After a failure (the file's, or the body's) it takes what
/// the dropped writer still writes and throws it away, keeping count of where the file would
/// be (the writer checks its offsets): the writer would otherwise write its directory and
/// complain on stderr, and the partial file is removed anyway.
pub struct ZipTarget<'f> {
    file: &'f mut BufWriter<File>,
    discard: std::rc::Rc<std::cell::Cell<bool>>,
    /// Where the file is, and its end, as written so far.
    at: u64,
    end: u64,
}

impl ZipTarget<'_> {
    /// The file's answer; its first failure (other than an interruption, which the writer
    /// retries) switches to throwing away.
    fn guard<T>(&self, result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result
            && e.kind() != std::io::ErrorKind::Interrupted
        {
            self.discard.set(true);
        }
        result
    }

    fn moved_to(&mut self, at: u64) -> u64 {
        self.at = at;
        self.end = self.end.max(at);
        at
    }
}

impl std::io::Write for ZipTarget<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = if self.discard.get() {
            buf.len()
        } else {
            let written = self.file.write(buf);
            self.guard(written)?
        };
        self.moved_to(self.at + n as u64);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if self.discard.get() {
            return Ok(());
        }
        let flushed = self.file.flush();
        self.guard(flushed)
    }
}

impl std::io::Seek for ZipTarget<'_> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        if self.discard.get() {
            use std::io::SeekFrom;
            let at = match pos {
                SeekFrom::Start(n) => Some(n),
                SeekFrom::Current(d) => self.at.checked_add_signed(d),
                SeekFrom::End(d) => self.end.checked_add_signed(d),
            }
            .unwrap_or(0);
            return Ok(self.moved_to(at));
        }
        let at = self.file.seek(pos);
        let at = self.guard(at)?;
        Ok(self.moved_to(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_a_failure_the_file_under_the_zip_writer_keeps_its_place() {
        use std::io::{Seek, SeekFrom, Write};
        let tmp = tempfile::tempdir().unwrap();
        let mut file =
            std::io::BufWriter::new(std::fs::File::create(tmp.path().join("f")).unwrap());
        let discard = std::rc::Rc::new(std::cell::Cell::new(false));
        let mut t = ZipTarget {
            file: &mut file,
            discard: discard.clone(),
            at: 0,
            end: 0,
        };
        t.write_all(&[1; 100]).unwrap();
        discard.set(true);
        t.write_all(&[2; 50]).unwrap();
        // The zip writer computes entry sizes from these: they must not run backwards.
        assert_eq!(t.stream_position().unwrap(), 150);
        assert_eq!(t.seek(SeekFrom::Start(20)).unwrap(), 20);
        assert_eq!(t.seek(SeekFrom::Current(5)).unwrap(), 25);
        assert_eq!(t.seek(SeekFrom::End(0)).unwrap(), 150);
    }

    #[test]
    fn a_failed_write_leaves_the_target_as_it_was_and_no_temporary_file() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("report.docx");
        std::fs::write(&target, b"earlier").unwrap();
        let result = write_atomically(&target, |w| {
            w.write_all(b"half a report").unwrap();
            Err(Error::Invalid("interrupted".into()))
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"earlier");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
        write_atomically(&target, |w| {
            w.write_all(b"new").map_err(|e| Error::io("x", e))
        })
        .unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
