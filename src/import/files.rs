//! Finding the files of an import (folders walked, other files listed as ignored) and reading
//! each with the reader its extension names.

use std::path::{Path, PathBuf};

use super::*;
use crate::error::{Error, Result};

/// Files to import from the paths given: files as named, folders walked recursively for the
/// file types narrata reads (hidden files and folders are passed over, symbolic links to
/// folders are not followed). Returns the files and the ones left out.
pub fn collect(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<String>)> {
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.is_dir() {
            walk(path, &mut files, &mut ignored)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok((files, ignored))
}

pub(super) fn walk(dir: &Path, files: &mut Vec<PathBuf>, ignored: &mut Vec<String>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if kind.is_dir() {
            walk(&path, files, ignored)?;
        } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if EXTENSIONS.contains(&ext.as_str()) {
                files.push(path);
            } else {
                ignored.push(path.display().to_string());
            }
        }
    }
    Ok(())
}

/// The files of an import, read only when their batch comes: an import of any size holds a
/// batch's bytes, not the whole study's. [`import`](super::import) reads each file at most twice
/// (once to look for identifiers, once to store it when the import is larger than one batch)
/// and refuses a file that changed in between.
pub trait Sources: Sync {
    /// How many files.
    fn count(&self) -> usize;
    /// The file's name for messages.
    fn name(&self, i: usize) -> String;
    /// Its size in bytes as far as known before reading (batches are cut by it).
    fn size(&self, i: usize) -> u64;
    /// Its bytes, or a sentence saying why they cannot be read.
    fn load(&self, i: usize) -> std::result::Result<Source, String>;
}

/// Sources already in memory (tests, the demo, benchmarks).
impl Sources for Vec<Source> {
    fn count(&self) -> usize {
        self.len()
    }
    fn name(&self, i: usize) -> String {
        self[i].name.clone()
    }
    fn size(&self, i: usize) -> u64 {
        self[i].bytes.len() as u64
    }
    fn load(&self, i: usize) -> std::result::Result<Source, String> {
        Ok(self[i].clone())
    }
}

/// Files on disk, named in messages as given.
pub struct Files {
    paths: Vec<PathBuf>,
    sizes: Vec<u64>,
}

impl Files {
    pub fn new(paths: Vec<PathBuf>) -> Files {
        let sizes = paths
            .iter()
            .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .collect();
        Files { paths, sizes }
    }
}

impl Sources for Files {
    fn count(&self) -> usize {
        self.paths.len()
    }
    fn name(&self, i: usize) -> String {
        self.paths[i].display().to_string()
    }
    fn size(&self, i: usize) -> u64 {
        self.sizes[i]
    }
    fn load(&self, i: usize) -> std::result::Result<Source, String> {
        let path = &self.paths[i];
        let name = self.name(i);
        match std::fs::metadata(path) {
            Ok(m) if m.len() > MAX_FILE_BYTES => Err(format!(
                "the file is {:.1} MB, larger than narrata's limit of {} MB per file; split it into smaller files",
                m.len() as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            )),
            Ok(_) => std::fs::read(path)
                .map(|bytes| Source { name, bytes })
                .map_err(|e| format!("it could not be read: {e}")),
            Err(e) => Err(format!("it could not be read: {e}")),
        }
    }
}

/// Reads one source into a transcript according to its extension.
pub fn read(source: &Source) -> Result<Transcript, String> {
    read_with(source, &[])
}

/// [`read`], with `labels` (the labels `--speakers` maps) counting as speaker labels in text
/// and Word files, so that a label that opens one line only is still a speaker.
pub fn read_with(source: &Source, labels: &[String]) -> Result<Transcript, String> {
    if source.bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the file is larger than narrata's limit of {} MB per file",
            MAX_FILE_BYTES / 1_048_576
        ));
    }
    match source.extension().as_str() {
        "txt" | "text" | "md" | "markdown" => {
            let d = decode::decode(&source.bytes)?;
            text::parse_with(d.text, d.controls_replaced, labels)
        }
        "docx" => docx::read_with(&source.bytes, labels),
        "vtt" => {
            let d = decode::decode(&source.bytes)?;
            subtitles::read_vtt(&d.text, d.controls_replaced)
        }
        "srt" => {
            let d = decode::decode(&source.bytes)?;
            subtitles::read_srt(&d.text, d.controls_replaced)
        }
        "qdpx" => Err("a REFI-QDA project (.qdpx) is imported on its own: `narrata import FILE.qdpx`, not from a folder of transcripts".into()),
        "doc" => Err("old Word .doc files cannot be read; open it in Word or LibreOffice and save it as .docx".into()),
        "qde" => Err(QDE_ALONE.into()),
        "" => Err("the file has no extension; narrata reads .txt, .md, .docx, .vtt and .srt".into()),
        ext => Err(format!(
            "narrata does not read .{ext} files; it reads .txt, .md, .docx, .vtt and .srt"
        )),
    }
}

pub(super) fn format_name(ext: &str) -> &'static str {
    match ext {
        "md" | "markdown" => "markdown",
        "docx" => "docx",
        "vtt" => "webvtt",
        "srt" => "srt",
        _ => "text",
    }
}
