//! Codings: a code applied to the span `[start, end)` of a document's stored text by a coder,
//! offsets in characters. Adding (the same code on the same span by the same coder is one
//! coding), removing (memos on the coding go with it, and come back on undo), and listing
//! with filters and the coded text.
//!
//! Longer than most modules (about 730 lines): adding, uniting, removing, auto-coding and
//! listing codings share the span checks and the coder rules, so they stay in one place.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::codebook::{self, Code};
use crate::corpus;
use crate::error::{Error, Result};
use crate::store::{Action, Store, new_guid};

/// A coding as listed; field names are the JSON contract (`doc`, `code`, `code_path`, …).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Coding {
    pub id: i64,
    pub guid: String,
    pub doc: i64,
    pub code: String,
    pub code_id: i64,
    pub code_path: String,
    pub start: i64,
    pub end: i64,
    pub text: String,
    pub coder: String,
    pub created: String,
    pub wave: Option<String>,
    /// Participants whose turns the coding overlaps (or the participant of an individual interview).
    pub participants: Vec<String>,
    /// Line of the coding's first and last character (1-based), for citations.
    pub line: i64,
    pub end_line: i64,
}

/// Which codings to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub code: Option<String>,
    /// Also the codings of the code's sub-codes (the default in the CLI).
    pub with_subcodes: bool,
    pub participant: Option<String>,
    pub wave: Option<String>,
    /// Only these coders' codings; empty: every coder's.
    pub coders: Vec<String>,
    pub doc: Option<i64>,
    /// Only codings in the documents of this document group.
    pub group: Option<String>,
    /// Only codings in the documents this rule matches (`groups::rule`).
    pub rule: Option<String>,
}

/// Coder names as typed: `anna,bert` or several flags, trimmed, empty ones left out.
pub fn coder_list<S: AsRef<str>>(given: &[S]) -> Vec<String> {
    let mut out: Vec<String> = given
        .iter()
        .flat_map(|g| g.as_ref().split(','))
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    out.dedup();
    out
}

/// The coders who have codings in the project, by name.
pub fn coders_with_codings(conn: &Connection) -> Result<Vec<String>> {
    Ok(conn
        .prepare(
            "SELECT k.name FROM coders k WHERE EXISTS (SELECT 1 FROM codings g WHERE g.coder_id = k.id) ORDER BY k.name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Checks that every coder named has an entry in the project, so that a typo is an error and
/// not an empty result.
pub fn check_coders(conn: &Connection, coders: &[String]) -> Result<()> {
    for c in coders {
        let known: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM coders WHERE name = ?1)",
            [c],
            |r| r.get(0),
        )?;
        if !known {
            let all = coders_with_codings(conn)?;
            return Err(Error::NotFound(format!(
                "there is no coder `{c}` in this project; coders with codings: {}",
                if all.is_empty() {
                    "none yet".to_owned()
                } else {
                    all.join(", ")
                }
            )));
        }
    }
    Ok(())
}

/// Codings that overlap in one document, shown once: a quote coded by two coders (or twice
/// by one) is one passage, its span the union of theirs. The first coding stands for it, with
/// the united span, text and lines; `coders` and `ids` say whose codings it unites.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    pub coding: Coding,
    pub coders: Vec<String>,
    pub ids: Vec<i64>,
}

/// Unites overlapping codings of the same document into passages, in document and position
/// order. The caller decides what belongs together (one code, or a code with its sub-codes).
pub fn passages(conn: &Connection, mut codings: Vec<Coding>) -> Result<Vec<Passage>> {
    codings.sort_by_key(|c| (c.doc, c.start, c.end, c.id));
    // Each passage, and whether it grew past its first coding (its text is then read anew).
    let mut out: Vec<(Passage, bool)> = Vec::new();
    for c in codings {
        if let Some((p, grew)) = out.last_mut()
            && p.coding.doc == c.doc
            && c.start < p.coding.end
        {
            if c.end > p.coding.end {
                p.coding.end = c.end;
                p.coding.end_line = p.coding.end_line.max(c.end_line);
                *grew = true;
            }
            if !p.coders.contains(&c.coder) {
                p.coders.push(c.coder.clone());
            }
            for who in c.participants {
                if !p.coding.participants.contains(&who) {
                    p.coding.participants.push(who);
                }
            }
            p.ids.push(c.id);
            continue;
        }
        let passage = Passage {
            coders: vec![c.coder.clone()],
            ids: vec![c.id],
            coding: c,
        };
        out.push((passage, false));
    }
    // The text of the document in hand (the passages come in document order).
    let mut text: Option<(i64, String)> = None;
    let mut passages = Vec::with_capacity(out.len());
    for (mut p, grew) in out {
        let c = &mut p.coding;
        if grew {
            if text.as_ref().is_none_or(|(doc, _)| *doc != c.doc) {
                text = Some((c.doc, corpus::text(conn, c.doc)?));
            }
            let (_, whole) = text.as_ref().expect("read above");
            c.text =
                crate::offsets::slice_chars(whole, c.start as usize, c.end as usize).to_owned();
        }
        p.coders.sort();
        p.coding.participants.sort();
        passages.push(p);
    }
    Ok(passages)
}

/// Checks a span against the document it is in.
pub fn check_span(conn: &Connection, doc: i64, start: i64, end: i64) -> Result<()> {
    let chars: i64 = conn
        .query_row("SELECT chars FROM documents WHERE id = ?1", [doc], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("there is no document {doc}")))?;
    if start < 0 || end <= start || end > chars {
        return Err(Error::Invalid(format!(
            "the span [{start}, {end}) is not inside document {doc}, whose text has {chars} characters (offsets count characters from 0; the end is exclusive and must be after the start)"
        )));
    }
    Ok(())
}

/// The span `[start, end)` of `doc` still holds `seen`, or an error saying the text changed.
fn still_reads(conn: &Connection, doc: i64, start: i64, end: i64, seen: &str) -> Result<()> {
    let text = corpus::text(conn, doc)?;
    if crate::offsets::slice_chars(&text, start as usize, end as usize) != seen {
        return Err(Error::Invalid(format!(
            "the text of document {doc} changed after it was shown (another narrata process may have redacted it); nothing was coded: select the words again"
        )));
    }
    Ok(())
}

/// A span a user gives must not cut a pseudonym in two: a coding that ends in "[PERSON-"
/// quotes half a label. The refusal names a span that would do.
pub fn check_whole_pseudonyms(text: &str, doc: i64, start: i64, end: i64) -> Result<()> {
    let spans = crate::keyfile::pseudonym_spans(text);
    let (s, e) = (start.max(0) as usize, end.max(0) as usize);
    if let Some((ps, pe)) = crate::keyfile::cut_pseudonym(&spans, s, e) {
        let label = crate::offsets::slice_chars(text, ps, pe);
        let (ws, we) = crate::keyfile::widen_to_pseudonyms(&spans, s, e);
        return Err(Error::Invalid(format!(
            "the span [{start}, {end}) cuts the pseudonym {label} (characters {ps}–{pe} of document {doc}) in two; a pseudonym is coded whole or not at all, so nothing was coded: use [{ws}, {we}) to take it in"
        )));
    }
    Ok(())
}

/// What adding a coding did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// The coding that now holds the span.
    pub id: i64,
    /// Whether anything changed (false: a coding of the coder's already held the whole span).
    pub new: bool,
    /// Whether a coding was added (rather than one widened, or none changed).
    pub inserted: bool,
    /// Codings of the same code and coder that overlapped the span and were united into
    /// `id` (removed, their memos moved to it).
    pub joined: Vec<i64>,
}

/// Adds a coding inside an action. One coder's codings of one code never overlap: a span that
/// overlaps some of them is united with them into one coding (the oldest keeps its number and
/// takes the memos of the others), and a span inside one of them is already coded. So a
/// passage is never counted twice for the same code and coder.
pub fn add_in(a: &Action<'_>, doc: i64, start: i64, end: i64, code: &Code) -> Result<Added> {
    check_span(a.conn(), doc, start, end)?;
    let overlapping: Vec<(i64, i64, i64)> = a
        .conn()
        .prepare_cached(
            "SELECT id, start, end FROM codings
             WHERE doc_id = ?1 AND code_id = ?2 AND coder_id = ?3 AND start < ?5 AND end > ?4
             ORDER BY id",
        )?
        .query_map(params![doc, code.id, a.coder_id(), start, end], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    if let Some(&(id, ..)) = overlapping
        .iter()
        .find(|&&(_, s, e)| s <= start && end <= e)
    {
        return Ok(Added {
            id,
            new: false,
            inserted: false,
            joined: Vec::new(),
        });
    }
    let Some(&(survivor, ..)) = overlapping.first() else {
        let guid = new_guid();
        let id = a.insert(
            "codings",
            &[
                ("guid", &guid),
                ("doc_id", &doc),
                ("code_id", &code.id),
                ("start", &start),
                ("end", &end),
                ("coder_id", &a.coder_id()),
                ("created", &a.at()),
            ],
        )?;
        return Ok(Added {
            id,
            new: true,
            inserted: true,
            joined: Vec::new(),
        });
    };
    let united_start = overlapping
        .iter()
        .map(|c| c.1)
        .min()
        .unwrap_or(start)
        .min(start);
    let united_end = overlapping
        .iter()
        .map(|c| c.2)
        .max()
        .unwrap_or(end)
        .max(end);
    let joined: Vec<i64> = overlapping.iter().skip(1).map(|c| c.0).collect();
    for &other in &joined {
        let memos: Vec<i64> = a
            .conn()
            .prepare_cached("SELECT id FROM memos WHERE target_kind = 'coding' AND target_id = ?1")?
            .query_map([other], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for m in memos {
            a.update("memos", m, &[("target_id", &survivor)])?;
        }
        a.delete("codings", other)?;
    }
    a.update(
        "codings",
        survivor,
        &[("start", &united_start), ("end", &united_end)],
    )?;
    Ok(Added {
        id: survivor,
        new: true,
        inserted: false,
        joined,
    })
}

/// Codes `[start, end)` of `doc` with `code` as one action. Returns the coding and what adding
/// it did (a span a coding of the coder's already holds is not coded twice; one that overlaps
/// some is united with them: see [`add_in`]).
pub fn add(
    store: &mut Store,
    coder: &str,
    doc: &str,
    start: i64,
    end: i64,
    code: &str,
) -> Result<(Coding, Added)> {
    add_seen(store, coder, doc, start, end, code, None)
}

/// Like [`add`], for a coder who selected the span on screen: when `seen` is given, the
/// coding is made only if the span still holds exactly that text when the action commits.
/// Another process may have redacted the document since it was read (offsets into the old
/// text would then code other words); the coder is told to select again instead.
pub fn add_seen(
    store: &mut Store,
    coder: &str,
    doc: &str,
    start: i64,
    end: i64,
    code: &str,
    seen: Option<&str>,
) -> Result<(Coding, Added)> {
    let doc = corpus::find_document(store.conn(), doc)?;
    let code = codebook::find(store.conn(), code)?;
    check_span(store.conn(), doc, start, end)?;
    // Before the shortcut below, which would report a coding on the old words as there.
    if let Some(seen) = seen {
        still_reads(store.conn(), doc, start, end, seen)?;
    }
    // Already coded (a coding of the coder's holds the whole span): nothing to write.
    let holding: Option<i64> = store
        .conn()
        .query_row(
            "SELECT g.id FROM codings g JOIN coders k ON k.id = g.coder_id
             WHERE g.doc_id = ?1 AND g.code_id = ?2 AND g.start <= ?3 AND g.end >= ?4 AND k.name = ?5
             ORDER BY g.id LIMIT 1",
            params![doc, code.id, start, end, coder],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = holding {
        let added = Added {
            id,
            new: false,
            inserted: false,
            joined: Vec::new(),
        };
        return Ok((get(store.conn(), id)?, added));
    }
    let added = store.action(coder, |a| {
        // Again inside the action, where no other process can change the text meanwhile.
        if let Some(seen) = seen {
            still_reads(a.conn(), doc, start, end, seen)?;
        }
        check_whole_pseudonyms(&corpus::text(a.conn(), doc)?, doc, start, end)?;
        let added = add_in(a, doc, start, end, &code)?;
        if added.new {
            a.audit(
                "code",
                &format!("coding:{}", added.id),
                serde_json::json!({"doc": doc, "code": code.path, "start": start, "end": end, "joined": added.joined}),
            )?;
        }
        Ok(added)
    })?;
    Ok((get(store.conn(), added.id)?, added))
}

/// Codes `[start, end)` of `doc` with a code made for it at `path` (`Name`, or
/// `Parent/Name` under an existing or new parent), as one action: one undo takes both away.
/// Refuses a path that is already a code (code with it instead).
pub fn add_with_new_code(
    store: &mut Store,
    coder: &str,
    doc: &str,
    start: i64,
    end: i64,
    path: &str,
    seen: Option<&str>,
) -> Result<Coding> {
    let doc = corpus::find_document(store.conn(), doc)?;
    check_span(store.conn(), doc, start, end)?;
    let added = store.action(coder, |a| {
        if let Some(seen) = seen {
            still_reads(a.conn(), doc, start, end, seen)?;
        }
        check_whole_pseudonyms(&corpus::text(a.conn(), doc)?, doc, start, end)?;
        let (code_id, created) = codebook::add_in(a, path, &codebook::Fields::default())?;
        let code = codebook::by_id(a.conn(), code_id)?;
        let added = add_in(a, doc, start, end, &code)?;
        a.audit(
            "code",
            &format!("coding:{}", added.id),
            serde_json::json!({"doc": doc, "code": code.path, "start": start, "end": end, "joined": added.joined, "created": created}),
        )?;
        Ok(added)
    })?;
    get(store.conn(), added.id)
}

/// Removes a coding (and the memos written on it) as one action.
pub fn remove(store: &mut Store, coder: &str, id: i64) -> Result<(Coding, usize)> {
    let coding = get(store.conn(), id)?;
    let memos = store.action(coder, |a| {
        let memo_ids: Vec<i64> = a
            .conn()
            .prepare("SELECT id FROM memos WHERE target_kind = 'coding' AND target_id = ?1")?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for m in &memo_ids {
            a.delete("memos", *m)?;
        }
        a.delete("codings", id)?;
        a.audit(
            "uncode",
            &format!("coding:{id}"),
            serde_json::json!({"doc": coding.doc, "code": coding.code_path, "start": coding.start, "end": coding.end, "memos": memo_ids.len()}),
        )?;
        Ok(memo_ids.len())
    })?;
    Ok((coding, memos))
}

/// One coding by id.
pub fn get(conn: &Connection, id: i64) -> Result<Coding> {
    let mut list = query(conn, "c.id = ?1", &[&id])?;
    list.pop().ok_or_else(|| {
        Error::NotFound(format!(
            "there is no coding {id}; `narrata codings` lists them"
        ))
    })
}

/// The codings with these ids (those that exist), each document's text read once for all.
pub fn get_many(conn: &Connection, ids: &[i64]) -> Result<Vec<Coding>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::store::id_list(ids);
    query(conn, &format!("c.id IN ({list})"), &[])
}

/// The codes a coder applied most recently, newest first, each once (the coding picker
/// offers these first).
/// The codings are walked from the newest down and the walk stops at `limit` codes (grouping
/// them all through the code index cost 0.1 s at 100,000 codings, before the first frame).
pub fn recent_codes(conn: &Connection, coder: &str, limit: usize) -> Result<Vec<i64>> {
    let coder_id: Option<i64> = conn
        .query_row("SELECT id FROM coders WHERE name = ?1", [coder], |r| {
            r.get(0)
        })
        .optional()?;
    let mut out: Vec<i64> = Vec::new();
    let Some(coder_id) = coder_id else {
        return Ok(out);
    };
    let mut stmt =
        conn.prepare("SELECT code_id FROM codings WHERE coder_id = ?1 ORDER BY id DESC")?;
    let mut rows = stmt.query([coder_id])?;
    while out.len() < limit {
        let Some(row) = rows.next()? else {
            break;
        };
        let code: i64 = row.get(0)?;
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

/// Codings matching a filter, ordered by document and position.
pub fn list(conn: &Connection, filter: &Filter) -> Result<Vec<Coding>> {
    let mut out = Vec::new();
    each(conn, filter, &mut |c| {
        out.push(c);
        Ok(())
    })?;
    Ok(out)
}

/// The codings a filter selects, as [`list`] has them, given to `each` one at a time: an
/// export of every coding holds one document's codings, not the project's.
pub fn each(
    conn: &Connection,
    filter: &Filter,
    each: &mut dyn FnMut(Coding) -> Result<()>,
) -> Result<()> {
    select(conn, filter, true, each)
}

/// [`each`] without the codings' text and lines (empty and 0): for a caller that needs only
/// where the codings are and whom they quote, no document's text is read.
pub fn each_placed(
    conn: &Connection,
    filter: &Filter,
    each: &mut dyn FnMut(Coding) -> Result<()>,
) -> Result<()> {
    select(conn, filter, false, each)
}

/// How many codings a filter selects (one query, no text read): a caller that holds them
/// all makes room for them once.
pub fn count(conn: &Connection, filter: &Filter) -> Result<usize> {
    let (condition, values) = condition_of(conn, filter)?;
    let refs: Vec<&dyn rusqlite::ToSql> = values.iter().map(|v| v.as_ref()).collect();
    let n: i64 = conn.query_row(
        &format!("SELECT count(*) FROM {CODINGS_JOINED} WHERE {condition}"),
        refs.as_slice(),
        |r| r.get(0),
    )?;
    Ok(n as usize)
}

fn select(
    conn: &Connection,
    filter: &Filter,
    with_text: bool,
    each: &mut dyn FnMut(Coding) -> Result<()>,
) -> Result<()> {
    let (condition, values) = condition_of(conn, filter)?;
    let refs: Vec<&dyn rusqlite::ToSql> = values.iter().map(|v| v.as_ref()).collect();
    visit(conn, &condition, &refs, with_text, each)
}

/// The tables a filter's condition ([`condition_of`]) is written over.
const CODINGS_JOINED: &str = "codings c JOIN documents d ON d.id = c.doc_id
     JOIN coders k ON k.id = c.coder_id LEFT JOIN waves w ON w.id = d.wave_id";

/// The SQL condition (over [`CODINGS_JOINED`]) and its values for a filter.
fn condition_of(
    conn: &Connection,
    filter: &Filter,
) -> Result<(String, Vec<Box<dyn rusqlite::ToSql>>)> {
    let mut conditions: Vec<String> = vec!["1 = 1".into()];
    let mut values: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    if let Some(code) = &filter.code {
        let all = codebook::codes_uncounted(conn)?;
        let c = codebook::find_in(&all, code)?;
        let ids = if filter.with_subcodes {
            codebook::with_descendants(&all, c.id)
        } else {
            vec![c.id]
        };
        conditions.push(format!(
            "c.code_id IN ({})",
            ids.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    if let Some(w) = &filter.wave {
        let w = crate::corpus::wave_named(conn, w)?
            .unwrap_or_else(|| crate::import::resolve::normalise_wave(w));
        values.push(Box::new(w));
        conditions.push(format!("w.name = ?{}", values.len()));
    }
    if !filter.coders.is_empty() {
        let mut marks = Vec::new();
        for coder in &filter.coders {
            values.push(Box::new(coder.clone()));
            marks.push(format!("?{}", values.len()));
        }
        conditions.push(format!("k.name IN ({})", marks.join(", ")));
    }
    if let Some(doc) = filter.doc {
        values.push(Box::new(doc));
        conditions.push(format!("c.doc_id = ?{}", values.len()));
    }
    if let Some(docs) =
        crate::groups::selection(conn, filter.group.as_slice(), filter.rule.as_deref())?
    {
        conditions.push(format!("c.doc_id IN ({})", crate::store::id_list(&docs)));
    }
    if let Some(p) = &filter.participant {
        values.push(Box::new(crate::import::resolve::normalise_participant(p)));
        let n = values.len();
        conditions.push(format!(
            "(EXISTS (SELECT 1 FROM turns t JOIN participants p ON p.id = t.participant_id
                      WHERE t.doc_id = c.doc_id AND p.code = ?{n} AND t.start < c.end AND t.end > c.start)
              OR (d.kind = 'individual' AND EXISTS (SELECT 1 FROM document_participants dp
                      JOIN participants p ON p.id = dp.participant_id WHERE dp.doc_id = d.id AND p.code = ?{n})))"
        ));
    }
    Ok((conditions.join(" AND "), values))
}

fn query(
    conn: &Connection,
    condition: &str,
    values: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Coding>> {
    let mut out = Vec::new();
    visit(conn, condition, values, true, &mut |c| {
        out.push(c);
        Ok(())
    })?;
    Ok(out)
}

/// The codings matching `condition`, in document and position order, given to `each` one at a
/// time with their text, lines and participants. The rows are read from SQLite as they come
/// and completed one document at a time, so only one document's codings and text are held.
fn visit(
    conn: &Connection,
    condition: &str,
    values: &[&dyn rusqlite::ToSql],
    with_text: bool,
    each: &mut dyn FnMut(Coding) -> Result<()>,
) -> Result<()> {
    let sql = format!(
        "SELECT c.id, c.guid, c.doc_id, c.code_id, c.start, c.end, k.name, c.created, w.name, d.kind
         FROM {CODINGS_JOINED}
         WHERE {condition} ORDER BY c.doc_id, c.start, c.end, c.id"
    );
    let codes: HashMap<i64, Code> = codebook::codes_uncounted(conn)?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    // One document's codings, without their text until the document is complete.
    let mut batch: Vec<Coding> = Vec::new();
    let mut kind = String::new();
    let mut complete = |batch: &mut Vec<Coding>, kind: &str| -> Result<()> {
        let Some(doc) = batch.first().map(|c| c.doc) else {
            return Ok(());
        };
        let at = batch
            .iter()
            .flat_map(|c| [c.start.max(0) as usize, c.end.max(0) as usize])
            .collect();
        let t = DocText::load(conn, doc, kind, at, with_text)?;
        for mut c in batch.drain(..) {
            if with_text {
                (c.text, c.line, c.end_line) =
                    t.span(c.start.max(0) as usize, c.end.max(0) as usize);
            }
            c.participants = t.participants(c.start, c.end, kind);
            if let Some(code) = codes.get(&c.code_id) {
                c.code = code.name.clone();
                c.code_path = code.path.clone();
            }
            each(c)?;
        }
        Ok(())
    };
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(values)?;
    while let Some(r) = rows.next()? {
        let coding = Coding {
            id: r.get(0)?,
            guid: r.get(1)?,
            doc: r.get(2)?,
            code: String::new(),
            code_id: r.get(3)?,
            code_path: String::new(),
            start: r.get(4)?,
            end: r.get(5)?,
            text: String::new(),
            coder: r.get(6)?,
            created: r.get(7)?,
            wave: r.get(8)?,
            participants: Vec::new(),
            line: 0,
            end_line: 0,
        };
        if batch.first().is_some_and(|c| c.doc != coding.doc) {
            complete(&mut batch, &kind)?;
        }
        if batch.is_empty() {
            kind = r.get(9)?;
        }
        batch.push(coding);
    }
    complete(&mut batch, &kind)
}

/// The text and first and last line of spans `(doc, start, end)`, in the order given; each
/// document's text is read once.
pub fn describe_spans(
    conn: &Connection,
    spans: &[(i64, i64, i64)],
) -> Result<Vec<(String, i64, i64)>> {
    let mut at: HashMap<i64, Vec<usize>> = HashMap::new();
    for &(doc, s, e) in spans {
        at.entry(doc)
            .or_default()
            .extend([s.max(0) as usize, e.max(0) as usize]);
    }
    let mut texts: HashMap<i64, DocText> = HashMap::new();
    for (doc, offsets) in at {
        texts.insert(doc, DocText::load(conn, doc, "individual", offsets, true)?);
    }
    Ok(spans
        .iter()
        .map(|&(doc, s, e)| texts[&doc].span(s.max(0) as usize, e.max(0) as usize))
        .collect())
}

/// A document's text with what listing codings needs: the byte offsets of the characters
/// its codings start and end at, line starts, and (for a group interview) who speaks where.
/// Only the offsets asked for are kept: a table of every character's offset, built for every
/// document, was most of the time of listing 100,000 codings.
struct DocText {
    text: String,
    /// Character offsets asked for, sorted, and their byte offsets.
    chars: Vec<usize>,
    bytes: Vec<usize>,
    /// Byte offsets where lines start (up to the last offset asked for).
    line_starts: Vec<usize>,
    turns: Vec<(i64, i64, Option<String>)>,
    doc_participants: Vec<String>,
}

impl DocText {
    /// Without `with_text`, only who speaks where: no text, offsets or lines.
    fn load(
        conn: &Connection,
        doc: i64,
        kind: &str,
        mut at: Vec<usize>,
        with_text: bool,
    ) -> Result<DocText> {
        // Statements kept prepared: this runs once for every document with codings.
        let text: String = if with_text {
            conn.prepare_cached("SELECT text FROM documents WHERE id = ?1")?
                .query_row([doc], |r| r.get(0))?
        } else {
            at.clear();
            String::new()
        };
        at.sort_unstable();
        at.dedup();
        let bytes = crate::offsets::char_to_byte(&text, &at);
        // Lines start after every newline, found by byte (fast) and compared by byte.
        let last = bytes.last().copied().unwrap_or(0);
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text[..last].match_indices('\n').map(|(b, _)| b + 1))
            .collect();
        let (turns, doc_participants) = if kind == "individual" {
            let participants = conn
                .prepare_cached(
                    "SELECT p.code FROM document_participants dp
                     JOIN participants p ON p.id = dp.participant_id
                     WHERE dp.doc_id = ?1 ORDER BY p.code",
                )?
                .query_map([doc], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            (Vec::new(), participants)
        } else {
            let turns = corpus::turns(conn, doc)?
                .into_iter()
                .map(|t| (t.start, t.end, t.participant))
                .collect();
            (turns, Vec::new())
        };
        Ok(DocText {
            text,
            chars: at,
            bytes,
            line_starts,
            turns,
            doc_participants,
        })
    }

    /// The byte offset of a character offset that was asked for.
    fn byte(&self, c: usize) -> usize {
        self.chars
            .binary_search(&c)
            .map_or(self.text.len(), |i| self.bytes[i])
    }

    fn span(&self, start: usize, end: usize) -> (String, i64, i64) {
        let (s, e) = (self.byte(start), self.byte(end).max(self.byte(start)));
        let text = self.text[s..e].to_owned();
        // The line of a byte: how many lines start at or before it.
        let line = |b: usize| self.line_starts.partition_point(|&l| l <= b) as i64;
        (text, line(s), line(e.saturating_sub(1).max(s)))
    }

    fn participants(&self, start: i64, end: i64, kind: &str) -> Vec<String> {
        if kind == "individual" {
            return self.doc_participants.clone();
        }
        let mut ps: Vec<String> = self
            .turns
            .iter()
            .filter(|(s, e, _)| *s < end && *e > start)
            .filter_map(|(_, _, p)| p.clone())
            .collect();
        ps.sort();
        ps.dedup();
        ps
    }
}

/// What `code auto` did.
#[derive(Debug, Clone, Serialize)]
pub struct AutoReport {
    pub hits: usize,
    pub added: usize,
    pub already: usize,
    pub docs: Vec<i64>,
    /// The turns whose codings may have changed (the hits' turns).
    pub turns: Vec<i64>,
    /// Hits found only inside compound words, not coded (a search lists them; coding them
    /// is a reading the researcher makes hit by hit).
    pub in_compounds: usize,
}

/// Codes every hit of a search with `code` as one audited, undoable action: the whole turn
/// (`by_match == false`) or just the matched words.
pub fn auto(
    store: &mut Store,
    coder: &str,
    query: &str,
    code: &str,
    by_match: bool,
    filters: &crate::search::Filters,
) -> Result<AutoReport> {
    auto_hits(store, coder, query, code, by_match, false, filters)
}

/// [`auto`], optionally leaving out turns that are not a participant's (interviewers,
/// moderators): what the terminal UI's "code all hits" does.
pub fn auto_hits(
    store: &mut Store,
    coder: &str,
    query: &str,
    code: &str,
    by_match: bool,
    participants_only: bool,
    filters: &crate::search::Filters,
) -> Result<AutoReport> {
    let code = codebook::find(store.conn(), code)?;
    let mut all = filters.clone();
    all.limit = usize::MAX / 2;
    let mut results = crate::search::search(store, query, &all)?;
    let in_compounds = results.hits.iter().filter(|h| h.compound).count();
    results.hits.retain(|h| !h.compound);
    let mut spans: Vec<(i64, i64, i64)> = Vec::new();
    for h in results
        .hits
        .iter()
        .filter(|h| !participants_only || h.participant.is_some())
    {
        if by_match {
            spans.extend(h.matches.iter().map(|m| (h.doc, m[0], m[1])));
        } else {
            spans.push((h.doc, h.start, h.end));
        }
    }
    if by_match {
        // A matched word inside a pseudonym ("person" in "[PERSON-2]") codes the whole of it.
        let mut texts: HashMap<i64, Vec<(usize, usize)>> = HashMap::new();
        for (doc, start, end) in spans.iter_mut() {
            if !texts.contains_key(doc) {
                let text = corpus::text(store.conn(), *doc)?;
                texts.insert(*doc, crate::keyfile::pseudonym_spans(&text));
            }
            let (s, e) =
                crate::keyfile::widen_to_pseudonyms(&texts[doc], *start as usize, *end as usize);
            (*start, *end) = (s as i64, e as i64);
        }
    }
    spans.sort();
    spans.dedup();
    let mut docs: Vec<i64> = spans.iter().map(|s| s.0).collect();
    docs.dedup();
    let mut turns: Vec<i64> = results
        .hits
        .iter()
        .filter(|h| !participants_only || h.participant.is_some())
        .map(|h| h.turn)
        .collect();
    turns.sort_unstable();
    turns.dedup();
    if spans.is_empty() {
        return Ok(AutoReport {
            hits: 0,
            added: 0,
            already: 0,
            docs,
            turns,
            in_compounds,
        });
    }
    let (added, already) = store.action(coder, |a| {
        let mut added = 0;
        for (doc, start, end) in &spans {
            if add_in(a, *doc, *start, *end, &code)?.new {
                added += 1;
            }
        }
        a.audit(
            "auto-code",
            &format!("code:{}", code.guid),
            serde_json::json!({"query": query, "code": code.path, "unit": if by_match { "match" } else { "turn" }, "added": added}),
        )?;
        Ok((added, spans.len() - added))
    })?;
    Ok(AutoReport {
        hits: results.hits.len(),
        added,
        already,
        docs,
        turns,
        in_compounds,
    })
}
