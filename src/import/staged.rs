//! Storing the transcripts held for review (`--anonymise review`): each with the suggestions
//! the reviewer left standing, replaced as in an automatic import, as one action.

use std::time::Instant;

use super::*;
use crate::corpus::{self, NewDocument};
use crate::error::{Error, Result};
use crate::store::Store;

/// Stores the transcripts held for review, each with the suggestions the reviewer did not
/// reject replaced by pseudonyms (undecided ones are replaced: the safe default), as one
/// action, every accept and reject logged with it. The key is saved with the new pseudonyms
/// before the database commits, the staged transcripts still in it; once they are stored they
/// leave the key and it is saved again. A failure in between loses nothing: a transcript
/// already stored is passed over (and leaves the staging) at the next apply.
pub fn apply_staged(
    store: &mut Store,
    coder: &str,
    key: &mut crate::keyfile::Key,
    save: &mut dyn FnMut(&crate::keyfile::Key) -> Result<()>,
) -> Result<ImportReport> {
    let started = Instant::now();
    let language = store.project()?.language;
    let staged = key.staged.clone();
    let mut pending = Vec::new();
    let mut files = Vec::new();
    for s in &staged {
        if corpus::has_source(store.conn(), &s.sha256)?.is_some() {
            continue;
        }
        let mut t = s.transcript.clone();
        let stem = Path::new(&s.file)
            .file_stem()
            .map(|x| x.to_string_lossy().into_owned())
            .unwrap_or_default();
        let extension = Path::new(&s.file)
            .extension()
            .map(|x| x.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let mut meta = resolve::resolve(&t, &s.flags, &stem, &language)
            .map_err(|r| Error::input(&s.file, r))?;
        let at = crate::store::now();
        let guid = crate::store::new_guid();
        let keep: Vec<crate::anonymise::Detection> = s
            .suggestions
            .iter()
            .filter(|g| g.decision != "rejected")
            .filter_map(|g| {
                crate::keyfile::category(&g.category).map(|category| crate::anonymise::Detection {
                    start: g.start,
                    end: g.end,
                    category,
                    confidence: g.confidence,
                    rule: "review",
                })
            })
            .collect();
        let scope = (meta.participants.len() == 1).then(|| meta.participants[0].clone());
        let mut replacements = crate::anonymise::apply_detections(
            &mut t,
            key,
            &meta.language,
            keep,
            scope.as_deref(),
            &at,
        );
        // The log names the rule that suggested each replacement the reviewer kept.
        for r in &mut replacements {
            if let Some(g) = s
                .suggestions
                .iter()
                .find(|g| g.start == r.old_start && g.end == r.old_end && !g.rule.is_empty())
            {
                r.rule = g.rule.clone();
            }
        }
        let mut log = crate::anonymise::log_entries(&replacements, &guid, coder, &at, "accept");
        for g in s.suggestions.iter().filter(|g| g.decision == "rejected") {
            log.push(crate::keyfile::LogEntry {
                at: at.clone(),
                coder: coder.to_owned(),
                action: "reject".into(),
                document: guid.clone(),
                start: g.start,
                end: g.end,
                category: g.category.clone(),
                pseudonym: String::new(),
                confidence: g.confidence,
                rule: g.rule.clone(),
            });
        }
        anonymise_metadata(&mut meta, &t, key, &at);
        let turns = turn_words(&t);
        files.push(FileReport {
            status: "imported",
            title: Some(meta.title.clone()),
            words: turns.iter().map(|x| x.words).sum(),
            turns: turns.len(),
            controls_replaced: t.controls_replaced,
            notes: vec![format!(
                "{} identifier(s) replaced after review",
                replacements.len()
            )],
            ..FileReport::new(&s.file)
        });
        let source_name = if only_codes(&stem) {
            format!("{stem}.{extension}")
        } else {
            format!("(name withheld).{extension}")
        };
        pending.push(NewDocument {
            guid,
            meta,
            text: t.text,
            turns,
            source_name,
            source_format: s.format.clone(),
            source_sha256: s.sha256.clone(),
            log,
        });
    }
    save(key)?;
    let ids = if pending.is_empty() {
        Vec::new()
    } else {
        store.action(coder, |a| {
            pending
                .iter()
                .map(|doc| corpus::insert_document(a, doc))
                .collect::<Result<Vec<_>>>()
        })?
    };
    for (f, id) in files.iter_mut().zip(ids) {
        f.document = Some(id);
    }
    key.staged
        .retain(|s| !staged.iter().any(|done| done.id == s.id));
    // The transcripts are stored: a key that cannot be saved now only still lists them as
    // staged, and the next apply passes over them and clears them. Said, not failed.
    if let Err(e) = save(key) {
        for f in &mut files {
            f.notes.push(format!(
                "stored; the key still lists it as staged ({e}); the next `anonymise apply` clears it"
            ));
        }
    }
    Ok(ImportReport {
        imported: files.len(),
        staged: 0,
        skipped: 0,
        refused: 0,
        words: files.iter().map(|f| f.words).sum(),
        bytes: 0,
        took_ms: started.elapsed().as_millis(),
        files,
        ignored: Vec::new(),
    })
}
