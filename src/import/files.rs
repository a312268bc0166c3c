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

/// Reads files from disk, refusing those over the size limit before reading them and those
/// that cannot be read; returns what was read and what was refused.
pub fn read_sources(files: &[PathBuf]) -> (Vec<Source>, Vec<FileReport>) {
    let mut sources = Vec::new();
    let mut refused = Vec::new();
    for path in files {
        let shown = path.display().to_string();
        match std::fs::metadata(path) {
            Ok(m) if m.len() > MAX_FILE_BYTES => refused.push(FileReport::refused(
                &shown,
                format!(
                    "the file is {:.1} MB, larger than narrata's limit of {} MB per file; split it into smaller files",
                    m.len() as f64 / 1_048_576.0,
                    MAX_FILE_BYTES / 1_048_576
                ),
            )),
            Ok(_) => match std::fs::read(path) {
                Ok(bytes) => sources.push(Source { name: shown, bytes }),
                Err(e) => refused.push(FileReport::refused(
                    &shown,
                    format!("it could not be read: {e}"),
                )),
            },
            Err(e) => refused.push(FileReport::refused(
                &shown,
                format!("it could not be read: {e}"),
            )),
        }
    }
    (sources, refused)
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
