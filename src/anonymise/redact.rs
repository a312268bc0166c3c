//! A late redaction: one span of a stored document that the detector missed, replaced by a
//! pseudonym from the key, with the document's turns and codings re-anchored and the search
//! index built anew. The command line calls it; so can any front-end.
//!
//! The order is what makes it safe to stop at any moment: the key is saved first (a crash
//! after that leaves an unused key entry, never a pseudonym in the text without its original),
//! the index is deleted before the text changes (so no moment exists when the database has the
//! pseudonym and the index still the words it replaced), then the text changes in one action
//! with its audit entry, the write-ahead log is emptied of the old words, and the index is
//! rebuilt from the database.
//!
//! A span is refused, with a sentence, when it is empty, outside the text, or touches a
//! pseudonym already there: redacting part of `[ORGANISATIE-1]` would cut it in half and put
//! the fragment in the key as if it were an identifier.

use age::secrecy::SecretString;

use crate::anchor;
use crate::corpus;
use crate::error::{Error, Result};
use crate::keyfile::{self, Key};
use crate::store::Store;

/// What to redact: characters `[start, end)` of a document (an id or a name), as an
/// identifier of `category` (`person`, `PLAATS`…).
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub doc: &'a str,
    pub start: usize,
    pub end: usize,
    pub category: &'a str,
}

/// What a redaction did.
#[derive(Debug, Clone)]
pub struct Redaction {
    pub doc: i64,
    /// The span replaced, in the text as it was (white space at its edges left out).
    pub start: usize,
    pub end: usize,
    pub pseudonym: String,
    pub report: anchor::Report,
}

/// The span of `text` a redaction of `[start, end)` would replace: the same span without the
/// white space at its edges. Refused when it is empty, outside the text, or touches a
/// pseudonym.
pub fn span(text: &str, doc: i64, start: usize, end: usize) -> Result<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    if start >= end || end > chars.len() {
        return Err(Error::Invalid(format!(
            "the span [{start}, {end}) is not inside document {doc}, whose text has {} characters (offsets count characters from 0; the end is exclusive); nothing was changed",
            chars.len()
        )));
    }
    let (mut s, mut e) = (start, end);
    while s < e && chars[s].is_whitespace() {
        s += 1;
    }
    while e > s && chars[e - 1].is_whitespace() {
        e -= 1;
    }
    if s == e {
        return Err(Error::Invalid(format!(
            "characters [{start}, {end}) of document {doc} are only white space; nothing was changed"
        )));
    }
    let pseudonyms = keyfile::pseudonym_spans(text);
    if let Some(&(ps, pe)) = pseudonyms.iter().find(|&&(ps, pe)| ps < e && s < pe) {
        let label: String = chars[ps..pe].iter().collect();
        return Err(Error::Invalid(if ps <= s && e <= pe {
            format!(
                "characters [{start}, {end}) of document {doc} are part of the pseudonym {label} (characters {ps}–{pe}), which already stands for an identifier; nothing was changed"
            )
        } else {
            format!(
                "the span [{start}, {end}) of document {doc} takes in the pseudonym {label} (characters {ps}–{pe}), which already stands for an identifier; redact the words beside it on their own; nothing was changed"
            )
        }));
    }
    Ok((s, e))
}

/// Carries out `request` as described in the module documentation. `save` writes the key (the
/// caller holds its passphrase); it is called once, before the text changes.
pub fn redact(
    store: &mut Store,
    coder: &str,
    key: &mut Key,
    save: &mut dyn FnMut(&Key) -> Result<()>,
    request: Request<'_>,
) -> Result<Redaction> {
    let Request {
        doc,
        start,
        end,
        category,
    } = request;
    let id = corpus::find_document(store.conn(), doc)?;
    let category = keyfile::category(category).ok_or_else(|| {
        Error::Invalid(format!(
            "`{category}` is not a category; use one of {}",
            keyfile::CATEGORIES
                .iter()
                .map(|c| c.0)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let text = corpus::text(store.conn(), id)?;
    let (start, end) = span(&text, id, start, end)?;
    let original = crate::offsets::slice_chars(&text, start, end).to_owned();
    let document = corpus::document(store.conn(), id)?;
    let at = crate::store::now();
    let (c, n) = key.pseudonym(&original, category, &at);
    let pseudonym = keyfile::label(&c, n, &document.language);
    let log = keyfile::LogEntry {
        at: at.clone(),
        coder: coder.to_owned(),
        action: "redact".into(),
        document: document.guid.clone(),
        start,
        end: start + pseudonym.chars().count(),
        category: c.clone(),
        pseudonym: pseudonym.clone(),
        confidence: 1.0,
        rule: "redact".into(),
    };
    save(key)?;
    // The action deletes the search index before it commits and empties the write-ahead log
    // after (see `Store::action`); `search::follow` builds the index anew.
    let report = store.action(coder, |a| {
        // Inside the action no other process can change the text: it must still read as it
        // did, or the offsets would replace other words.
        let now = corpus::text(a.conn(), id)?;
        if crate::offsets::slice_chars(&now, start, end) != original {
            return Err(Error::Invalid(format!(
                "the text of document {id} changed while the redaction was prepared (another narrata process wrote to it); nothing was changed: look at the text again and redact anew"
            )));
        }
        let r = anchor::replace(a, id, start, end, &pseudonym)?;
        a.log_replacements(std::slice::from_ref(&log))?;
        a.audit(
            "redact",
            &format!("document:{}", document.guid),
            serde_json::json!({"start": start, "category": c, "pseudonym": pseudonym, "codings_moved": r.codings_moved}),
        )?;
        Ok(r)
    })?;
    Ok(Redaction {
        doc: id,
        start,
        end,
        pseudonym,
        report,
    })
}

/// [`redact`] with the key saved under `pass` in the project folder.
pub fn redact_and_save_key(
    store: &mut Store,
    coder: &str,
    key: &mut Key,
    pass: &SecretString,
    request: Request<'_>,
) -> Result<Redaction> {
    let root = store.root().to_path_buf();
    let mut save = |k: &Key| keyfile::save(&root, k, pass);
    redact(store, coder, key, &mut save, request)
}
