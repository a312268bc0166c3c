//! Writing a file so that a crash or a full disk never leaves half of it: the ground floor for
//! every file narrata writes (exports, codebooks, REFI-QDA archives).

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

#[cfg(test)]
mod tests {
    use super::*;

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
