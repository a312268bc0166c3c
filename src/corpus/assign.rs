//! Assigning a document to its participants, wave and kind after it was imported: a text from
//! another tool arrives without them (kind `document`), and a researcher may also correct a
//! document filed under the wrong participant or wave. One audited, undoable action: the
//! document row, which participants it is about, and which turns are whose change together.
//!
//! Turns are mapped to participants by the rules of an import (`import::resolve`): a label
//! equal to a participant code is that participant, interviewer labels are the interviewer, the
//! one other voice of an individual interview is its participant, and an individual document
//! without any speaker label is wholly its participant's. A label already mapped to someone who
//! stays among the participants keeps its mapping.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::{Action, Store, new_guid};
use crate::transcript::study::{self as resolve, Speaker, normalise_participant, normalise_wave};

/// What to change; `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct Assignment {
    pub participants: Option<Vec<String>>,
    pub wave: Option<String>,
    pub kind: Option<String>,
}

/// What an assignment did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Assigned {
    pub doc: i64,
    pub participants: Vec<String>,
    pub wave: Option<String>,
    pub kind: String,
    /// Turns now mapped to a participant.
    pub participant_turns: usize,
    /// Speaker labels mapped to no one (a group interview's unknown voices).
    pub unmapped: Vec<String>,
}

impl Assigned {
    /// "document 3: P03 · T2 · individual", as the front-ends report an assignment.
    pub fn summary(&self) -> String {
        format!(
            "document {}: {} · {} · {}",
            self.doc,
            if self.participants.is_empty() {
                "no participant".to_owned()
            } else {
                self.participants.join(", ")
            },
            self.wave.as_deref().unwrap_or("no wave"),
            self.kind
        )
    }
}

/// Assigns document `doc` (an id, GUID or title) as one action.
pub fn assign(store: &mut Store, coder: &str, doc: &str, what: &Assignment) -> Result<Assigned> {
    let id = super::find_document(store.conn(), doc)?;
    let current = super::document(store.conn(), id)?;
    let participants: Vec<String> = match &what.participants {
        Some(p) => {
            let mut p: Vec<String> = p
                .iter()
                .flat_map(|x| x.split(','))
                .map(normalise_participant)
                .filter(|x| !x.is_empty())
                .collect();
            p.sort();
            p.dedup();
            p
        }
        None => current.participants.clone(),
    };
    let wave = match &what.wave {
        Some(w) if w.trim().is_empty() => None,
        Some(w) => Some(normalise_wave(w)),
        None => current.wave.clone(),
    };
    let kind = match &what.kind {
        Some(k) => k.trim().to_lowercase(),
        // Participants given to a text not yet assigned make it an interview.
        None if current.kind == "document" && !participants.is_empty() => if participants.len() > 1
        {
            "group"
        } else {
            "individual"
        }
        .to_owned(),
        None => current.kind.clone(),
    };
    if !resolve::KINDS.contains(&kind.as_str()) {
        return Err(Error::Invalid(format!(
            "`{kind}` is not a kind; use one of {}",
            resolve::KINDS.join(", ")
        )));
    }
    match kind.as_str() {
        "individual" if participants.len() != 1 => {
            return Err(Error::Invalid(format!(
                "an individual interview has one participant, but {} {} named; give one with --participant, or --kind group",
                participants.len(),
                if participants.len() == 1 { "is" } else { "are" }
            )));
        }
        "group" if participants.is_empty() => {
            return Err(Error::Invalid(
                "a group interview needs its participants: --participant P01,P02".into(),
            ));
        }
        "individual" | "group" if wave.is_none() => {
            return Err(Error::Invalid(format!(
                "an interview needs its wave: give one with --wave, e.g. --wave T1 (document {id} has none)"
            )));
        }
        _ => {}
    }
    let turns: Vec<(i64, String, Option<String>, bool)> = store
        .conn()
        .prepare(
            "SELECT t.id, t.speaker, p.code, t.is_interviewer FROM turns t
             LEFT JOIN participants p ON p.id = t.participant_id WHERE t.doc_id = ?1 ORDER BY t.seq",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    // Mappings that still hold: a label mapped to a participant who stays, or to the interviewer.
    let mut declared: BTreeMap<String, String> = BTreeMap::new();
    for (_, label, who, interviewer) in &turns {
        if label.is_empty() {
            continue;
        }
        match who {
            Some(p) if participants.contains(p) => {
                declared.insert(label.to_lowercase(), p.clone());
            }
            _ if *interviewer => {
                declared.insert(label.to_lowercase(), "interviewer".into());
            }
            _ => {}
        }
    }
    let labels: Vec<&str> = turns.iter().map(|t| t.1.as_str()).collect();
    let mut notes = Vec::new();
    let map = if matches!(kind.as_str(), "individual" | "group") {
        resolve::map_speakers(&labels, &declared, &kind, &participants, None, &mut notes)
            .map_err(Error::Invalid)?
    } else {
        BTreeMap::new()
    };
    let unmapped: Vec<String> = map
        .iter()
        .filter(|(_, s)| matches!(s, Speaker::Unknown))
        .map(|(l, _)| l.clone())
        .collect();
    let participant_turns = store.action(coder, |a| {
        let wave_id = match &wave {
            Some(w) => Some(wave_row(a, w)?),
            None => None,
        };
        let mut ids: BTreeMap<String, i64> = BTreeMap::new();
        for p in &participants {
            ids.insert(p.clone(), participant_row(a, p)?);
        }
        a.update(
            "documents",
            id,
            &[("kind", &kind), ("wave_id", &wave_id)],
        )?;
        // Who the document is about.
        let rows: Vec<(i64, i64)> = a
            .conn()
            .prepare("SELECT id, participant_id FROM document_participants WHERE doc_id = ?1")?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (row, pid) in &rows {
            if !ids.values().any(|x| x == pid) {
                a.delete("document_participants", *row)?;
            }
        }
        for pid in ids.values() {
            if !rows.iter().any(|(_, x)| x == pid) {
                a.insert(
                    "document_participants",
                    &[("doc_id", &id), ("participant_id", pid)],
                )?;
            }
        }
        // Whose each turn is.
        let mut mapped = 0;
        for (turn, label, _, _) in &turns {
            let (participant, interviewer) = match map.get(label) {
                Some(Speaker::Participant(p)) => (ids.get(p).copied(), false),
                Some(Speaker::Interviewer) => (None, true),
                _ => (None, false),
            };
            mapped += usize::from(participant.is_some());
            a.update(
                "turns",
                *turn,
                &[("participant_id", &participant), ("is_interviewer", &interviewer)],
            )?;
        }
        a.audit(
            "assign document",
            &format!("document:{}", current.guid),
            serde_json::json!({
                "participants": participants, "wave": wave, "kind": kind,
                "before": {"participants": current.participants, "wave": current.wave, "kind": current.kind},
            }),
        )?;
        Ok(mapped)
    })?;
    Ok(Assigned {
        doc: id,
        participants,
        wave,
        kind,
        participant_turns,
        unmapped,
    })
}

/// The wave's row, added (undoably) if it is new. Any spelling of an existing wave's name
/// (`W2` for a wave stored as `T2`) is that wave.
fn wave_row(a: &Action<'_>, name: &str) -> Result<i64> {
    if let Some(id) = super::waves::wave_id(a.conn(), name)? {
        return Ok(id);
    }
    let ordinal = super::waves::new_ordinal(a.conn(), name)?;
    a.insert(
        "waves",
        &[
            ("guid", &new_guid()),
            ("name", &name),
            ("ordinal", &ordinal),
            ("created", &a.at()),
        ],
    )
}

/// The participant's row, added (undoably) if it is new.
fn participant_row(a: &Action<'_>, code: &str) -> Result<i64> {
    if let Some(id) = a
        .conn()
        .query_row(
            "SELECT id FROM participants WHERE code = ?1",
            params![code],
            |r| r.get(0),
        )
        .optional()?
    {
        return Ok(id);
    }
    a.insert(
        "participants",
        &[
            ("guid", &new_guid()),
            ("code", &code),
            ("attributes", &"{}"),
            ("created", &a.at()),
        ],
    )
}
