//! The study's material as stored: participants, waves, documents and their speaker turns.
//! Reading them for listings and views, resolving a name the user typed to a document, and
//! writing a new document with everything it brings (inside a [`crate::store::Action`]).

mod waves;
use waves::ensure_wave;
pub use waves::{WaveOrder, order_waves, wave_named};
pub mod assign;

pub use assign::{Assigned, Assignment, assign};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::{Action, new_guid};
use crate::transcript::study::{Resolved, Speaker, wave_ordinal};

/// A document as listed (`narrata docs`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DocumentSummary {
    pub id: i64,
    pub guid: String,
    /// The participant of an individual interview; `null` for group interviews and field notes.
    pub participant: Option<String>,
    pub participants: Vec<String>,
    pub wave: Option<String>,
    pub kind: String,
    pub title: String,
    pub language: String,
    pub date: Option<String>,
    pub words: i64,
    pub turns: i64,
    pub codings: i64,
}

/// One speaker turn as stored.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Turn {
    pub seq: i64,
    pub speaker: String,
    pub participant: Option<String>,
    pub interviewer: bool,
    pub start: i64,
    pub end: i64,
    pub line: i64,
    pub words: i64,
    pub time_start: Option<f64>,
    pub time_end: Option<f64>,
}

/// A participant as listed (`narrata participants`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ParticipantSummary {
    pub id: i64,
    pub guid: String,
    pub code: String,
    pub attributes: serde_json::Value,
    pub documents: i64,
    pub waves: Vec<String>,
    /// Words the participant spoke, over all their turns.
    pub words: i64,
}

/// A wave as listed (`narrata waves`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WaveSummary {
    pub id: i64,
    pub guid: String,
    pub name: String,
    pub ordinal: i64,
    pub documents: i64,
    pub participants: i64,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
}

const SUMMARY_SQL: &str = "
SELECT d.id, d.guid, d.kind, d.title, d.language, d.interview_date, d.words, w.name,
       (SELECT count(*) FROM turns t WHERE t.doc_id = d.id),
       (SELECT group_concat(code, ',') FROM (SELECT p.code FROM document_participants dp
            JOIN participants p ON p.id = dp.participant_id WHERE dp.doc_id = d.id ORDER BY p.code)),
       (SELECT count(*) FROM codings c WHERE c.doc_id = d.id)
FROM documents d LEFT JOIN waves w ON w.id = d.wave_id";

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocumentSummary> {
    let kind: String = r.get(2)?;
    let participants: Vec<String> = r
        .get::<_, Option<String>>(9)?
        .map(|s| s.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let participant = (kind == "individual")
        .then(|| participants.first().cloned())
        .flatten();
    Ok(DocumentSummary {
        id: r.get(0)?,
        guid: r.get(1)?,
        participant,
        participants,
        wave: r.get(7)?,
        kind,
        title: r.get(3)?,
        language: r.get(4)?,
        date: r.get(5)?,
        words: r.get(6)?,
        turns: r.get(8)?,
        codings: r.get(10)?,
    })
}

/// Every document, ordered by wave, then participant, then title.
pub fn documents(conn: &Connection) -> Result<Vec<DocumentSummary>> {
    let sql = format!("{SUMMARY_SQL} ORDER BY w.ordinal IS NULL, w.ordinal, w.name, d.title, d.id");
    let mut stmt = conn.prepare(&sql)?;
    let mut docs = stmt
        .query_map([], summary_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    docs.sort_by(|a, b| {
        (a.wave.is_none(), wave_key(a), &a.participants, &a.title).cmp(&(
            b.wave.is_none(),
            wave_key(b),
            &b.participants,
            &b.title,
        ))
    });
    Ok(docs)
}

fn wave_key(d: &DocumentSummary) -> (i64, String) {
    let w = d.wave.clone().unwrap_or_default();
    (wave_ordinal(&w).unwrap_or(i64::MAX), w)
}

/// One document's summary.
pub fn document(conn: &Connection, id: i64) -> Result<DocumentSummary> {
    let sql = format!("{SUMMARY_SQL} WHERE d.id = ?1");
    conn.query_row(&sql, [id], summary_row)
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("there is no document {id}")))
}

/// The summaries of these documents, in one query (a search shows the documents of up to a
/// page of hits: the summary's query prepared once per document was a third of a search's
/// time, because SQLite prepares it again for every new id bound to it). Ids that name no
/// document are left out.
pub fn documents_by_id(
    conn: &Connection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, DocumentSummary>> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let sql = format!(
        "{SUMMARY_SQL} WHERE d.id IN ({})",
        crate::store::id_list(ids)
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], summary_row)?;
    let mut out = std::collections::HashMap::new();
    for row in rows {
        let summary = row?;
        out.insert(summary.id, summary);
    }
    Ok(out)
}

/// A document's stored text, the text every offset refers to.
pub fn text(conn: &Connection, id: i64) -> Result<String> {
    conn.query_row("SELECT text FROM documents WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("there is no document {id}")))
}

/// A document's turns in order.
pub fn turns(conn: &Connection, doc: i64) -> Result<Vec<Turn>> {
    let mut stmt = conn.prepare(
        "SELECT t.seq, t.speaker, p.code, t.is_interviewer, t.start, t.end, t.line, t.words,
                t.time_start, t.time_end
         FROM turns t LEFT JOIN participants p ON p.id = t.participant_id
         WHERE t.doc_id = ?1 ORDER BY t.seq",
    )?;
    let rows = stmt.query_map([doc], |r| {
        Ok(Turn {
            seq: r.get(0)?,
            speaker: r.get(1)?,
            participant: r.get(2)?,
            interviewer: r.get(3)?,
            start: r.get(4)?,
            end: r.get(5)?,
            line: r.get(6)?,
            words: r.get(7)?,
            time_start: r.get(8)?,
            time_end: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Coding progress of one document: its participants' turns (interviewer turns left out) and
/// how many of them overlap at least one coding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub turns: i64,
    pub coded: i64,
}

/// Coding progress of every document, by document id. Turns and codings are read in table
/// order and sorted here (profiled: reading them in index order cost a table lookup per row,
/// 0.2–0.3 s on 280,000 turns and 100,000 codings); then one pass over both: a turn is coded
/// when the furthest end among the codings that start before the turn ends lies past the
/// turn's start.
pub fn progress(conn: &Connection) -> Result<std::collections::HashMap<i64, Progress>> {
    let mut stmt = conn.prepare("SELECT doc_id, start, end FROM codings")?;
    let mut codings: Vec<(i64, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    codings.sort_unstable();
    // Only participants' turns count; turns run in order within a document, so leaving the
    // interviewer's out changes nothing for the others.
    let mut stmt =
        conn.prepare("SELECT doc_id, seq, start, end FROM turns WHERE is_interviewer = 0")?;
    let mut turns: Vec<(i64, i64, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    turns.sort_unstable_by_key(|t| (t.0, t.1));
    let mut out: std::collections::HashMap<i64, Progress> = std::collections::HashMap::new();
    let mut doc = i64::MIN;
    let mut furthest = i64::MIN;
    let mut next = 0;
    for (d, _, start, end) in turns {
        if d != doc {
            doc = d;
            furthest = i64::MIN;
            // Skip codings of documents before this one.
            while next < codings.len() && codings[next].0 < d {
                next += 1;
            }
        }
        while next < codings.len() && codings[next].0 == d && codings[next].1 < end {
            furthest = furthest.max(codings[next].2);
            next += 1;
        }
        let p = out.entry(d).or_default();
        p.turns += 1;
        if furthest > start {
            p.coded += 1;
        }
    }
    Ok(out)
}

/// Finds a document by id, GUID, title, or part of a title (a unique beginning, else a unique
/// piece). An ambiguous title or part lists the candidates.
pub fn find_document(conn: &Connection, name: &str) -> Result<i64> {
    let name = name.trim();
    if let Ok(id) = name.parse::<i64>() {
        return document(conn, id).map(|d| d.id);
    }
    if let Some(id) = conn
        .query_row(
            "SELECT id FROM documents WHERE guid = lower(?1)",
            [name],
            |r| r.get(0),
        )
        .optional()?
    {
        return Ok(id);
    }
    let mut stmt =
        conn.prepare("SELECT id, title FROM documents WHERE title = ?1 COLLATE NOCASE")?;
    let hits = stmt
        .query_map([name], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let list = |many: &[(i64, String)]| {
        let mut shown: Vec<String> = many
            .iter()
            .take(10)
            .map(|(id, t)| format!("{id} ({t})"))
            .collect();
        if many.len() > 10 {
            shown.push(format!("and {} more", many.len() - 10));
        }
        shown.join(", ")
    };
    match hits.as_slice() {
        [(id, _)] => return Ok(*id),
        [] => {}
        many => {
            return Err(Error::NotFound(format!(
                "`{name}` matches {} documents: {}; name one by its id",
                many.len(),
                list(many)
            )));
        }
    }
    // Part of a title: a unique beginning, else a unique piece anywhere in it.
    let all: Vec<(i64, String)> = conn
        .prepare("SELECT id, title FROM documents ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let lower = name.to_lowercase();
    for (how, hits) in [
        (
            "begins",
            all.iter()
                .filter(|(_, t)| t.to_lowercase().starts_with(&lower))
                .cloned()
                .collect::<Vec<_>>(),
        ),
        (
            "is part of",
            all.iter()
                .filter(|(_, t)| t.to_lowercase().contains(&lower))
                .cloned()
                .collect::<Vec<_>>(),
        ),
    ] {
        match hits.as_slice() {
            [(id, _)] => return Ok(*id),
            [] => continue,
            many => {
                return Err(Error::NotFound(format!(
                    "`{name}` {how} the titles of {} documents: {}; type more of the one you mean, or its id",
                    many.len(),
                    list(many)
                )));
            }
        }
    }
    Err(Error::NotFound(format!(
        "no document is called `{name}`; `narrata docs` lists them with their ids"
    )))
}

/// Every participant with their documents, waves and spoken words.
pub fn participants(conn: &Connection) -> Result<Vec<ParticipantSummary>> {
    let mut stmt = conn.prepare(
        "SELECT p.id, p.guid, p.code, p.attributes,
            (SELECT count(*) FROM document_participants dp WHERE dp.participant_id = p.id),
            (SELECT group_concat(name, ',') FROM (SELECT DISTINCT w.name FROM document_participants dp
                JOIN documents d ON d.id = dp.doc_id JOIN waves w ON w.id = d.wave_id
                WHERE dp.participant_id = p.id ORDER BY w.ordinal, w.name)),
            coalesce(spoken.words, 0)
         FROM participants p
         LEFT JOIN (SELECT participant_id, sum(words) AS words FROM turns NOT INDEXED
                    WHERE participant_id IS NOT NULL GROUP BY participant_id) spoken
           ON spoken.participant_id = p.id
         ORDER BY p.code",
    )?;
    let rows = stmt.query_map([], |r| {
        let attributes: String = r.get(3)?;
        Ok(ParticipantSummary {
            id: r.get(0)?,
            guid: r.get(1)?,
            code: r.get(2)?,
            attributes: serde_json::from_str(&attributes).unwrap_or_default(),
            documents: r.get(4)?,
            waves: r
                .get::<_, Option<String>>(5)?
                .map(|s| s.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
            words: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Every wave in order.
pub fn waves(conn: &Connection) -> Result<Vec<WaveSummary>> {
    let mut stmt = conn.prepare(
        "SELECT w.id, w.guid, w.name, w.ordinal,
            (SELECT count(*) FROM documents d WHERE d.wave_id = w.id),
            (SELECT count(DISTINCT dp.participant_id) FROM documents d
                JOIN document_participants dp ON dp.doc_id = d.id WHERE d.wave_id = w.id),
            (SELECT min(interview_date) FROM documents d WHERE d.wave_id = w.id),
            (SELECT max(interview_date) FROM documents d WHERE d.wave_id = w.id)
         FROM waves w ORDER BY w.ordinal, w.name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(WaveSummary {
            id: r.get(0)?,
            guid: r.get(1)?,
            name: r.get(2)?,
            ordinal: r.get(3)?,
            documents: r.get(4)?,
            participants: r.get(5)?,
            first_date: r.get(6)?,
            last_date: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Whether a source with these bytes is already in the project.
pub fn has_source(conn: &Connection, sha256: &str) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT id, title FROM documents WHERE source_sha256 = ?1",
            [sha256],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// A turn ready to store.
#[derive(Debug, Clone)]
pub struct NewTurn {
    pub speaker: String,
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub words: usize,
    pub time_start: Option<f64>,
    pub time_end: Option<f64>,
}

/// A document ready to store.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub guid: String,
    pub meta: Resolved,
    pub text: String,
    pub turns: Vec<NewTurn>,
    pub source_name: String,
    pub source_format: String,
    pub source_sha256: String,
    /// The anonymisation log's entries for this document's replacements, stored with it.
    pub log: Vec<crate::keyfile::LogEntry>,
}

/// Stores a document with its participants, wave and turns, and audits it.
pub fn insert_document(a: &Action<'_>, doc: &NewDocument) -> Result<i64> {
    // An import is undone by deleting the project, never by undo: a document's text is not
    // recorded for undo (see `store::whole_rows_only`).
    let conn = a.irreversible();
    let m = &doc.meta;
    let wave_id = match &m.wave {
        Some(w) => Some(ensure_wave(a, w)?),
        None => None,
    };
    let mut participant_ids = Vec::new();
    for code in &m.participants {
        let attributes = if m.kind == "individual" {
            &m.participant_attributes
        } else {
            &serde_json::Map::new()
        };
        participant_ids.push((code.clone(), ensure_participant(a, code, attributes)?));
    }
    let words: usize = doc.turns.iter().map(|t| t.words).sum();
    let guid = doc.guid.clone();
    conn.execute(
        "INSERT INTO documents (guid, title, kind, language, wave_id, interview_date, interviewer,
            attributes, source_name, source_format, source_sha256, text, chars, words, created, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            guid,
            m.title,
            m.kind,
            m.language,
            wave_id,
            m.date,
            m.interviewer,
            serde_json::Value::Object(m.attributes.clone()).to_string(),
            doc.source_name,
            doc.source_format,
            doc.source_sha256,
            doc.text,
            doc.text.chars().count() as i64,
            words as i64,
            a.at(),
            a.coder_id(),
        ],
    )?;
    let doc_id = conn.last_insert_rowid();
    let words_of_text = crate::words::Index::new(&doc.text);
    crate::store::word_index::save_index(conn, doc_id, &words_of_text)?;
    a.touched(Some(&[doc_id]));
    for (_, pid) in &participant_ids {
        conn.execute(
            "INSERT INTO document_participants (doc_id, participant_id) VALUES (?1, ?2)",
            params![doc_id, pid],
        )?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO turns (doc_id, seq, speaker, participant_id, is_interviewer, start, end, line,
            words, time_start, time_end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    // The participants' turns packed in one row, written here from memory (the action's
    // end would read them back from the table).
    let mut own: Vec<(i64, usize, usize, usize)> = Vec::new();
    for (seq, t) in doc.turns.iter().enumerate() {
        let who = m.speakers.get(&t.speaker);
        let participant_id = match who {
            Some(Speaker::Participant(code)) => participant_ids
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, id)| *id),
            _ => None,
        };
        if let Some(participant) = participant_id {
            own.push((participant, t.start, t.end, t.words));
        }
        stmt.execute(params![
            doc_id,
            seq as i64,
            t.speaker,
            participant_id,
            matches!(who, Some(Speaker::Interviewer)),
            t.start as i64,
            t.end as i64,
            t.line as i64,
            t.words as i64,
            t.time_start,
            t.time_end,
        ])?;
    }
    let spans = crate::store::document_spans::locate(&words_of_text, own, Vec::new());
    crate::store::document_spans::save(conn, doc_id, &spans)?;
    a.log_replacements(&doc.log)?;
    a.audit(
        "import",
        &format!("document:{guid}"),
        serde_json::json!({
            "title": m.title,
            "kind": m.kind,
            "participants": m.participants,
            "wave": m.wave,
            "source_sha256": doc.source_sha256,
            "source_format": doc.source_format,
            "turns": doc.turns.len(),
            "words": words,
        }),
    )?;
    Ok(doc_id)
}

/// Gives the participant `code` the attributes it does not have yet, inside an action (an
/// attribute already set is never overwritten); returns how many it gained. An unknown
/// participant gains nothing.
pub fn add_participant_attributes(
    a: &Action<'_>,
    code: &str,
    attributes: &serde_json::Map<String, serde_json::Value>,
) -> Result<usize> {
    let row: Option<(i64, String)> = a
        .conn()
        .query_row(
            "SELECT id, attributes FROM participants WHERE code = ?1",
            [code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((id, current)) = row else {
        return Ok(0);
    };
    let mut merged: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&current).unwrap_or_default();
    let before = merged.len();
    for (k, v) in attributes {
        merged.entry(k.clone()).or_insert_with(|| v.clone());
    }
    let gained = merged.len() - before;
    if gained > 0 {
        let json = serde_json::Value::Object(merged).to_string();
        a.update("participants", id, &[("attributes", &json)])?;
    }
    Ok(gained)
}

fn ensure_participant(
    a: &Action<'_>,
    code: &str,
    attributes: &serde_json::Map<String, serde_json::Value>,
) -> Result<i64> {
    let conn = a.irreversible();
    let existing: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, attributes FROM participants WHERE code = ?1",
            [code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((id, current)) = existing {
        // New attributes fill gaps; an attribute already set is never overwritten silently.
        let mut merged: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&current).unwrap_or_default();
        let mut added = serde_json::Map::new();
        for (k, v) in attributes {
            if !merged.contains_key(k) {
                merged.insert(k.clone(), v.clone());
                added.insert(k.clone(), v.clone());
            }
        }
        if !added.is_empty() {
            conn.execute(
                "UPDATE participants SET attributes = ?1 WHERE id = ?2",
                params![serde_json::Value::Object(merged).to_string(), id],
            )?;
            a.audit(
                "set participant attributes",
                &format!("participant:{code}"),
                serde_json::Value::Object(added),
            )?;
        }
        return Ok(id);
    }
    let guid = new_guid();
    conn.execute(
        "INSERT INTO participants (guid, code, attributes, created) VALUES (?1, ?2, ?3, ?4)",
        params![
            guid,
            code,
            serde_json::Value::Object(attributes.clone()).to_string(),
            a.at()
        ],
    )?;
    let id = conn.last_insert_rowid();
    a.audit(
        "add participant",
        &format!("participant:{guid}"),
        serde_json::json!({"code": code}),
    )?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_agrees_with_its_definition_in_sql() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo");
        crate::demo::build(&dir, "t").unwrap();
        let store = crate::store::Store::open(&dir).unwrap();
        let conn = store.conn();
        // Remove some codings so that not every turn is coded.
        conn.execute("DELETE FROM codings WHERE id % 3 = 0", [])
            .unwrap();
        let fast = progress(conn).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT t.doc_id, COUNT(*),
                    SUM(EXISTS(SELECT 1 FROM codings g
                               WHERE g.doc_id = t.doc_id AND g.start < t.end AND g.end > t.start))
                 FROM turns t WHERE t.is_interviewer = 0 GROUP BY t.doc_id",
            )
            .unwrap();
        let slow: std::collections::HashMap<i64, Progress> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    Progress {
                        turns: r.get(1)?,
                        coded: r.get(2)?,
                    },
                ))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(fast, slow);
        assert!(slow.values().any(|p| p.coded < p.turns && p.coded > 0));
    }
}
