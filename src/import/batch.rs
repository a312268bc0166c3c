//! The two passes over an import's files, a batch at a time, so that memory holds one batch
//! whatever the size of the study.
//!
//! The first pass ([`survey`]) reads every file once: its fingerprint (already in the project,
//! repeated, held for review, or new), and for a new file its transcript, its metadata and,
//! when anonymising, the identifiers the detector finds. The names found anywhere in the import
//! are gathered, so that a name written with a capital in one interview is also found where it
//! is written in lower case in another, whichever batch either is in. The second pass
//! ([`take`] and [`complete`]) hands one batch at a time to the store: what the first pass let go is read and
//! parsed again (the file must not have changed), and every transcript is searched for the
//! names of the whole import. An import that fits in one batch is read once.

use std::collections::HashMap;
use std::ops::Range;

use sha2::{Digest, Sha256};

use super::{Anonymise, Options, Source, Sources, hex, read_with, resolve};
use crate::anonymise::{Detection, Known, Mentions};
use crate::corpus;
use crate::error::Result;
use crate::keyfile::Key;
use crate::store::Store;
use crate::transcript::Transcript;

/// How much of an import is read, searched and stored at a time, by the files' sizes. Each
/// batch is one action (one transaction) of its own; each file is all or nothing and a run
/// taken up again skips what is stored. 4 MB of transcripts: a batch in hand (read, searched,
/// replaced, its log) is about eight times its size, and at 8 MB an import of 900 participants
/// peaked 30 MB higher, no faster (docs/PERFORMANCE.md).
pub const BATCH_BYTES: u64 = 4 * 1024 * 1024;

/// At most this many files in a batch, however small they are.
const BATCH_FILES: usize = 256;

/// The import's files cut into batches in their order, each at most `limit` bytes (a larger
/// file is a batch of its own) and [`BATCH_FILES`] files. When they do not fit in one, the
/// first batches are smaller (an eighth of `limit`, a quarter, a half): storing starts only
/// when the first batch has been searched for the import's names, and the index only when it
/// is stored, so a small first batch sets both to work sooner.
pub(super) fn cut(sources: &dyn Sources, limit: u64) -> Vec<Range<usize>> {
    let total: u64 = (0..sources.count()).map(|i| sources.size(i)).sum();
    let ramp = total > limit;
    let limit_of = |batch: usize| match batch {
        _ if !ramp => limit,
        0 => limit / 8,
        1 => limit / 4,
        2 => limit / 2,
        _ => limit,
    };
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for i in 0..sources.count() {
        let size = sources.size(i);
        if i > start && (bytes + size > limit_of(out.len()) || i - start >= BATCH_FILES) {
            out.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < sources.count() {
        out.push(start..sources.count());
    }
    out
}

/// What the first pass learnt about one file.
pub(super) enum Look {
    /// It could not be read: refused for this reason.
    Unreadable(String),
    /// Its bytes are in the project already: the document and its title.
    Known(i64, String),
    /// The same bytes as an earlier file of this import (named).
    Repeat(String),
    /// Its bytes are held for review already.
    Staged,
    /// To be imported.
    New(Box<New>),
}

/// A file to import, as far as the passes have read it.
pub(super) struct New {
    pub sha: String,
    /// The transcript and its metadata, or why the file is refused; `Ok(None)` when the first
    /// pass let it go and the second reads it again.
    pub parsed: std::result::Result<Option<(Transcript, resolve::Resolved)>, String>,
    /// The identifiers found, when anonymising.
    pub found: Option<Vec<Detection>>,
}

/// The first pass's findings: one look per file, and the names of the whole import prepared
/// for each transcript language.
pub(super) struct Survey {
    pub looks: Vec<Option<Look>>,
    pub names: Vec<(String, Mentions)>,
    /// Bytes of the files that could be read.
    pub bytes: u64,
}

/// The first pass: every file read once, batch by batch, on all cores. `progress(done)` counts
/// files.
pub(super) fn survey(
    store: &Store,
    sources: &dyn Sources,
    batches: &[Range<usize>],
    options: &Options,
    language: &str,
    key: Option<&Key>,
    progress: &mut dyn FnMut(usize),
) -> Result<Survey> {
    let anonymising = options.anonymise != Anonymise::Off && key.is_some();
    let keep = batches.len() <= 1;
    let mut looks = Vec::with_capacity(sources.count());
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut names: Vec<Known> = Vec::new();
    let mut languages: Vec<String> = Vec::new();
    let mut bytes = 0;
    for range in batches {
        progress(range.start);
        let loaded = crate::parallel::map(range.len(), |j| {
            sources.load(range.start + j).map(|s| {
                let sha = hex(&Sha256::digest(&s.bytes));
                (s, sha)
            })
        });
        let mut new: Vec<(usize, Source)> = Vec::new();
        for loaded in loaded {
            let look = match loaded {
                Err(reason) => Look::Unreadable(reason),
                Ok((source, sha)) => {
                    bytes += source.bytes.len() as u64;
                    if let Some((id, title)) = corpus::has_source(store.conn(), &sha)? {
                        Look::Known(id, title)
                    } else if let Some(first) = seen.get(&sha) {
                        Look::Repeat(first.clone())
                    } else if key.is_some_and(|k| k.staged.iter().any(|s| s.sha256 == sha)) {
                        Look::Staged
                    } else {
                        seen.insert(sha.clone(), source.name.clone());
                        new.push((looks.len(), source));
                        Look::New(Box::new(New {
                            sha,
                            parsed: Ok(None),
                            found: None,
                        }))
                    }
                }
            };
            looks.push(Some(look));
        }
        let read = crate::parallel::map(new.len(), |k| {
            let parsed = parse(&new[k].1, options, language);
            let found = match (&parsed, key) {
                (Ok((t, meta)), Some(k)) if anonymising => Some(crate::anonymise::detect_in(
                    t,
                    k,
                    participant(meta).as_deref(),
                    &meta.language,
                )),
                _ => None,
            };
            (parsed, found)
        });
        for ((at, _), (parsed, found)) in new.iter().zip(read) {
            let Some(Look::New(n)) = looks[*at].as_mut() else {
                continue;
            };
            if let (Ok((t, meta)), Some(found)) = (&parsed, &found) {
                names.extend(crate::anonymise::found_names(t, found));
                if !languages.contains(&meta.language) {
                    languages.push(meta.language.clone());
                }
            }
            n.found = found;
            n.parsed = match parsed {
                Ok(x) => Ok(keep.then_some(x)),
                Err(reason) => Err(reason),
            };
        }
    }
    names.sort_by(|a, b| (&a.text, a.category).cmp(&(&b.text, b.category)));
    names.dedup_by(|a, b| a.text == b.text);
    // The names prepared once per language, not once per file, with their matchers: every
    // file of the second pass waits for them.
    languages.sort_unstable();
    let names = if anonymising {
        let prepared = crate::parallel::map(languages.len(), |i| {
            let m = Mentions::new(&names, &languages[i]);
            m.prepare();
            m
        });
        languages.into_iter().zip(prepared).collect()
    } else {
        Vec::new()
    };
    Ok(Survey {
        looks,
        names,
        bytes,
    })
}

/// A batch's looks, taken out of the survey for the second pass.
pub(super) fn take(looks: &mut [Option<Look>], range: Range<usize>) -> Vec<Look> {
    looks[range]
        .iter_mut()
        .map(|l| {
            l.take()
                .unwrap_or_else(|| Look::Unreadable("read twice".into()))
        })
        .collect()
}

/// The second pass over one batch (files `start..` of the import): each transcript read again
/// if the first pass let it go, and searched for the names of the whole import. Runs beside
/// the replacement of the batch before it.
pub(super) fn complete(
    sources: &dyn Sources,
    start: usize,
    mut looks: Vec<Look>,
    names: &[(String, Mentions)],
    options: &Options,
    language: &str,
) -> Vec<Look> {
    let again = crate::parallel::map(looks.len(), |j| match &looks[j] {
        Look::New(n) if matches!(n.parsed, Ok(None)) => {
            Some(read_again(sources, start + j, &n.sha, options, language))
        }
        _ => None,
    });
    for (look, again) in looks.iter_mut().zip(again) {
        if let (Look::New(n), Some(again)) = (look, again) {
            n.parsed = again.map(Some);
        }
    }
    if !names.is_empty() {
        let more = crate::parallel::map(looks.len(), |j| match &looks[j] {
            Look::New(n) if n.found.is_some() => match &n.parsed {
                Ok(Some((t, meta))) => names
                    .iter()
                    .find(|(l, _)| *l == meta.language)
                    .map(|(_, names)| crate::anonymise::mentions(t, names)),
                _ => None,
            },
            _ => None,
        });
        for (look, more) in looks.iter_mut().zip(more) {
            if let (Look::New(n), Some(more)) = (look, more)
                && let Some(found) = n.found.take()
            {
                n.found = Some(crate::anonymise::combine(found, more));
            }
        }
    }
    looks
}

/// A file the first pass let go, read and parsed again; refused if its bytes changed since.
fn read_again(
    sources: &dyn Sources,
    i: usize,
    sha: &str,
    options: &Options,
    language: &str,
) -> std::result::Result<(Transcript, resolve::Resolved), String> {
    let source = sources.load(i)?;
    if hex(&Sha256::digest(&source.bytes)) != sha {
        return Err(
            "the file changed while it was being imported; nothing of it was stored: import it again"
                .into(),
        );
    }
    parse(&source, options, language)
}

/// A source read by the reader of its kind and tied to participants and a wave.
fn parse(
    source: &Source,
    options: &Options,
    language: &str,
) -> std::result::Result<(Transcript, resolve::Resolved), String> {
    let labels: Vec<String> = options.flags.speakers.keys().cloned().collect();
    let t = read_with(source, &labels)?;
    let r = resolve::resolve(&t, &options.flags, &source.stem(), language)?;
    Ok((t, r))
}

/// The one participant a document is about, if it is about one.
pub(super) fn participant(meta: &resolve::Resolved) -> Option<String> {
    (meta.participants.len() == 1).then(|| meta.participants[0].clone())
}

#[cfg(test)]
mod tests {
    use super::cut;
    use crate::import::Source;

    fn files(sizes: &[usize]) -> Vec<Source> {
        sizes
            .iter()
            .enumerate()
            .map(|(i, n)| Source {
                name: format!("P{i:02}_T1.txt"),
                bytes: vec![b'a'; *n],
            })
            .collect()
    }

    /// An import larger than a batch starts with an eighth, a quarter and a half of one; an
    /// import that fits in one batch is one batch (it is read only once).
    #[test]
    fn batches_grow_to_their_size_and_a_small_import_is_one() {
        let lengths = |sources: &Vec<Source>, limit| -> Vec<usize> {
            cut(sources, limit).iter().map(|r| r.len()).collect()
        };
        assert_eq!(lengths(&files(&[10; 20]), 80), [1, 2, 4, 8, 5]);
        assert_eq!(lengths(&files(&[10; 8]), 80), [8]);
        // A file larger than its batch is a batch of its own.
        assert_eq!(lengths(&files(&[100, 10, 10, 10]), 80), [1, 2, 1]);
        let all: usize = lengths(&files(&[10; 20]), 80).iter().sum();
        assert_eq!(all, 20);
    }
}
