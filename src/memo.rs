//! Memos: free text a coder attaches to the project, a participant, a wave, a document, a code
//! or a coding, or a pen portrait of a participant in a wave. Targets are written `project`,
//! `participant:P03`, `wave:T2`, `document:3` (or `doc:3`), `code:Parent/Child`, `coding:12`
//! and `portrait:P03:T2`.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::{Store, new_guid};
use crate::{codebook, coding, corpus};

/// What a memo is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Project,
    Participant(i64),
    Wave(i64),
    Document(i64),
    Code(i64),
    Coding(i64),
    /// A pen portrait: a summary of one participant (id) in one wave (id).
    Portrait(i64, i64),
}

impl Target {
    /// The stored form: kind, target id, wave id (pen portraits).
    pub fn parts(self) -> (&'static str, Option<i64>, Option<i64>) {
        (self.kind(), self.id(), self.wave())
    }

    fn kind(self) -> &'static str {
        match self {
            Target::Project => "project",
            Target::Participant(_) => "participant",
            Target::Wave(_) => "wave",
            Target::Document(_) => "document",
            Target::Code(_) => "code",
            Target::Coding(_) => "coding",
            Target::Portrait(..) => "portrait",
        }
    }

    fn wave(self) -> Option<i64> {
        match self {
            Target::Portrait(_, w) => Some(w),
            _ => None,
        }
    }

    fn id(self) -> Option<i64> {
        match self {
            Target::Project => None,
            Target::Participant(i)
            | Target::Wave(i)
            | Target::Document(i)
            | Target::Code(i)
            | Target::Coding(i)
            | Target::Portrait(i, _) => Some(i),
        }
    }
}

/// A memo as listed; field names are the JSON contract.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Memo {
    pub id: i64,
    pub guid: String,
    pub target: String,
    pub text: String,
    pub coder: String,
    pub created: String,
}

/// Reads a target as the user wrote it.
pub fn parse_target(conn: &Connection, s: &str) -> Result<Target> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("project") {
        return Ok(Target::Project);
    }
    let (kind, name) = s.split_once(':').ok_or_else(|| {
        Error::Invalid(format!(
            "`{s}` is not a memo target; write project, participant:P03, wave:T2, portrait:P03:T2, document:3, code:NAME or coding:12"
        ))
    })?;
    let lookup = |sql: &str, value: &str, what: &str| -> Result<i64> {
        conn.query_row(sql, [value], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("there is no {what} `{value}`")))
    };
    Ok(match kind.trim().to_lowercase().as_str() {
        "portrait" => {
            let (p, w) = name.split_once(':').ok_or_else(|| {
                Error::Invalid(
                    "a pen portrait is written portrait:PARTICIPANT:WAVE, e.g. portrait:P03:T2"
                        .into(),
                )
            })?;
            Target::Portrait(
                lookup(
                    "SELECT id FROM participants WHERE code = ?1",
                    &crate::import::resolve::normalise_participant(p),
                    "participant",
                )?,
                lookup(
                    "SELECT id FROM waves WHERE name = ?1",
                    &corpus::wave_named(conn, w)?
                        .unwrap_or_else(|| crate::import::resolve::normalise_wave(w)),
                    "wave",
                )?,
            )
        }
        "participant" | "p" => Target::Participant(lookup(
            "SELECT id FROM participants WHERE code = ?1",
            &crate::import::resolve::normalise_participant(name),
            "participant",
        )?),
        "wave" | "w" => Target::Wave(lookup(
            "SELECT id FROM waves WHERE name = ?1",
            &corpus::wave_named(conn, name)?
                .unwrap_or_else(|| crate::import::resolve::normalise_wave(name)),
            "wave",
        )?),
        "document" | "doc" | "d" => Target::Document(corpus::find_document(conn, name)?),
        "code" | "c" => Target::Code(codebook::find(conn, name)?.id),
        "coding" => {
            let id: i64 = name
                .trim()
                .parse()
                .map_err(|_| Error::Invalid(format!("`{name}` is not a coding id")))?;
            Target::Coding(coding::get(conn, id)?.id)
        }
        other => {
            return Err(Error::Invalid(format!(
                "`{other}` is not a memo target kind; use project, participant, wave, document, code or coding"
            )));
        }
    })
}

/// Adds a memo as one action.
pub fn add(store: &mut Store, coder: &str, target: Target, text: &str) -> Result<Memo> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::Invalid("a memo needs some text".into()));
    }
    let id = store.action(coder, |a| {
        let guid = new_guid();
        let id = a.insert(
            "memos",
            &[
                ("guid", &guid),
                ("target_kind", &target.kind()),
                ("target_id", &target.id()),
                ("wave_id", &target.wave()),
                ("text", &text),
                ("coder_id", &a.coder_id()),
                ("created", &a.at()),
            ],
        )?;
        a.audit(
            "add memo",
            &format!("memo:{guid}"),
            serde_json::json!({"target": target.kind(), "target_id": target.id()}),
        )?;
        Ok(id)
    })?;
    list(store.conn(), None)?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(|| Error::NotFound(format!("memo {id} vanished")))
}

/// Rewrites a memo's text as one audited, undoable action. A memo is its author's: another
/// coder writes a memo of their own instead.
pub fn edit(store: &mut Store, coder: &str, id: i64, text: &str) -> Result<Memo> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::Invalid("a memo needs some text".into()));
    }
    let (guid, author) = author(store, id)?;
    if author != coder {
        return Err(Error::Invalid(format!(
            "memo {id} is {author}'s; write a memo of your own instead"
        )));
    }
    store.action(coder, |a| {
        a.update("memos", id, &[("text", &text)])?;
        a.audit(
            "edit memo",
            &format!("memo:{guid}"),
            serde_json::json!({"memo": id}),
        )?;
        Ok(())
    })?;
    list(store.conn(), None)?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(|| Error::NotFound(format!("memo {id} vanished")))
}

/// The author of memo `id`, or a sentence saying there is no such memo.
fn author(store: &Store, id: i64) -> Result<(String, String)> {
    store
        .conn()
        .query_row(
            "SELECT m.guid, k.name FROM memos m JOIN coders k ON k.id = m.coder_id WHERE m.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|_| Error::NotFound(format!("there is no memo {id}; `narrata memos` lists them")))
}

/// Deletes a memo as one audited, undoable action; only its author may.
pub fn remove(store: &mut Store, coder: &str, id: i64) -> Result<()> {
    let (guid, author) = author(store, id)?;
    if author != coder {
        return Err(Error::Invalid(format!(
            "memo {id} is {author}'s; only its author deletes it"
        )));
    }
    store.action(coder, |a| {
        a.delete("memos", id)?;
        a.audit(
            "delete memo",
            &format!("memo:{guid}"),
            serde_json::json!({"memo": id}),
        )?;
        Ok(())
    })
}

/// A memo with what it is about in words a reader follows: for a coding memo its code,
/// participant, wave and lines and the coded words; where its passage is, for memos on a
/// coding or a document.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Described {
    #[serde(flatten)]
    pub memo: Memo,
    /// `project`, `participant`, `wave`, `document`, `code`, `coding`, `portrait`, or `label`
    /// (the reason given when a change label was overridden in the Waves view: kept with the
    /// label, changed there, and its `id` is the override's).
    pub kind: String,
    pub about: String,
    pub doc: Option<i64>,
    /// Where in the document (characters), for a coding memo.
    pub start: Option<i64>,
    /// The code's path, for a memo on a code or on a coding.
    pub code: Option<String>,
}

/// The first `n` words of a passage, with `…` when there are more.
fn first_words(text: &str, n: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() > n {
        format!("{} …", words[..n].join(" "))
    } else {
        words.join(" ")
    }
}

/// Every memo, oldest first, described ([`Described`]).
pub fn described(conn: &Connection) -> Result<Vec<Described>> {
    let documents: std::collections::HashMap<i64, corpus::DocumentSummary> =
        corpus::documents(conn)?
            .into_iter()
            .map(|d| (d.id, d))
            .collect();
    let doc_name = |id: i64| {
        documents.get(&id).map_or(format!("document {id}"), |d| {
            format!("{} (document {id})", d.title)
        })
    };
    let memos = list(conn, None)?;
    // The coded passages of every coding memo, read together.
    let coding_ids: Vec<i64> = memos
        .iter()
        .filter_map(|m| m.target.strip_prefix("coding:")?.parse().ok())
        .collect();
    let codings: std::collections::HashMap<i64, coding::Coding> =
        coding::get_many(conn, &coding_ids)?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
    let mut out = Vec::new();
    for memo in memos {
        let (kind, rest) = memo
            .target
            .split_once(':')
            .map_or((memo.target.clone(), String::new()), |(k, r)| {
                (k.to_owned(), r.to_owned())
            });
        let (mut doc, mut start, mut code) = (None, None, None);
        let about = match kind.as_str() {
            "coding" => match rest.parse::<i64>().ok().and_then(|i| codings.get(&i)) {
                Some(c) => {
                    doc = Some(c.doc);
                    start = Some(c.start);
                    code = Some(c.code_path.clone());
                    let words = first_words(&c.text, 16);
                    format!(
                        "{} · {}{} r. {}{} · {} · “{}”",
                        c.code_path,
                        c.participants.join(","),
                        c.wave.as_ref().map(|w| format!(" {w}")).unwrap_or_default(),
                        c.line,
                        if c.end_line > c.line {
                            format!("–{}", c.end_line)
                        } else {
                            String::new()
                        },
                        doc_name(c.doc),
                        words
                    )
                }
                _ => format!("coding {rest} (no longer there)"),
            },
            "document" => match rest.parse::<i64>() {
                Ok(i) => {
                    doc = Some(i);
                    doc_name(i)
                }
                Err(_) => rest.clone(),
            },
            "portrait" => format!("pen portrait of {}", rest.replace(':', " in ")),
            "code" => {
                code = Some(rest.clone());
                format!("the code {rest}")
            }
            "project" => "the project".to_owned(),
            _ => rest.clone(),
        };
        out.push(Described {
            memo,
            kind,
            about,
            doc,
            start,
            code,
        });
    }
    // The reasons given for overriding change labels.
    let codes = codebook::codes(conn)?;
    let mut stmt = conn.prepare(
        "SELECT o.id, p.code, o.code_id, o.label, o.memo, k.name, o.created
         FROM change_overrides o JOIN participants p ON p.id = o.participant_id
         JOIN coders k ON k.id = o.coder_id
         WHERE o.memo IS NOT NULL AND o.memo != '' ORDER BY o.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    for row in rows {
        let (id, participant, code, label, text, coder, created) = row?;
        let path = codes
            .iter()
            .find(|c| c.id == code)
            .map_or(code.to_string(), |c| c.path.clone());
        out.push(Described {
            memo: Memo {
                id,
                guid: String::new(),
                target: format!("label:{participant}:{path}"),
                text,
                coder,
                created,
            },
            kind: "label".into(),
            about: format!("{participant} · {path} · change label set to {label}"),
            doc: None,
            start: None,
            code: Some(path),
        });
    }
    Ok(out)
}

/// How many memos are written on one target (`code`, `coding`, `document`… and its id).
pub fn count_on(conn: &Connection, kind: &str, id: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM memos WHERE target_kind = ?1 AND target_id = ?2",
        rusqlite::params![kind, id],
        |r| r.get(0),
    )?)
}

/// Memos, oldest first, optionally only those about one target.
pub fn list(conn: &Connection, target: Option<Target>) -> Result<Vec<Memo>> {
    let mut stmt = conn.prepare(
        "SELECT m.id, m.guid, m.target_kind, m.target_id, m.text, k.name, m.created,
            CASE m.target_kind
              WHEN 'participant' THEN (SELECT code FROM participants WHERE id = m.target_id)
              WHEN 'wave' THEN (SELECT name FROM waves WHERE id = m.target_id)
              WHEN 'portrait' THEN (SELECT code FROM participants WHERE id = m.target_id) || ':' || (SELECT name FROM waves WHERE id = m.wave_id)
              ELSE NULL END,
            m.wave_id
         FROM memos m JOIN coders k ON k.id = m.coder_id ORDER BY m.id",
    )?;
    let codes = codebook::codes(conn)?;
    let rows = stmt.query_map([], |r| {
        let kind: String = r.get(2)?;
        let target_id: Option<i64> = r.get(3)?;
        let name: Option<String> = r.get(7)?;
        let wave: Option<i64> = r.get(8)?;
        let memo = Memo {
            id: r.get(0)?,
            guid: r.get(1)?,
            target: String::new(),
            text: r.get(4)?,
            coder: r.get(5)?,
            created: r.get(6)?,
        };
        Ok((memo, kind, target_id, name, wave))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (mut memo, kind, target_id, name, wave) = row?;
        if let Some(t) = target
            && (t.kind() != kind || t.id() != target_id || t.wave() != wave)
        {
            continue;
        }
        memo.target = match (kind.as_str(), target_id) {
            ("project", _) => "project".to_owned(),
            ("code", Some(i)) => format!(
                "code:{}",
                codes
                    .iter()
                    .find(|c| c.id == i)
                    .map(|c| c.path.clone())
                    .unwrap_or_else(|| i.to_string())
            ),
            (k, Some(i)) => format!("{k}:{}", name.unwrap_or_else(|| i.to_string())),
            (k, None) => k.to_owned(),
        };
        out.push(memo);
    }
    Ok(out)
}

#[cfg(test)]
mod edit_tests {
    use super::*;

    #[test]
    fn a_memo_is_edited_by_its_author_only_and_the_edit_undoes() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = crate::project::init(&tmp.path().join("p"), Some("p"), "nl").unwrap();
        let m = add(&mut store, "anna", Target::Project, "eerste versie").unwrap();
        let e = edit(&mut store, "anna", m.id, "tweede versie").unwrap();
        assert_eq!(e.text, "tweede versie");
        assert_eq!(e.guid, m.guid);
        let err = edit(&mut store, "bert", m.id, "niet van mij").unwrap_err();
        assert!(err.to_string().contains("anna's"), "{err}");
        crate::history::undo(&mut store, "anna").unwrap().unwrap();
        assert_eq!(list(store.conn(), None).unwrap()[0].text, "eerste versie");
    }
}
