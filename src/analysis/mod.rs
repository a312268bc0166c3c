//! Analyses over the codings: coding queries (`query`: A AND B, A NEAR B, …) and matrices
//! (`matrix`: code × participant, document, wave, group or attribute; code × code
//! co-occurrence). Every analysis first chooses its codings with a [`Scope`] (participants,
//! waves, coders, document groups, a rule over attributes) and reads them once into
//! [`Data`]; the counting rules are in `docs/ANALYSIS.md`.
//!
//! The unit everywhere is the *passage*: codings of one code (or of a code and its sub-codes,
//! when asked) that overlap in a document (two coders on one quote, one coding inside another)
//! are one passage, their span the union of theirs, so that a quote coded twice is not
//! counted twice.

pub mod cooccurrence;
pub mod matrix;
pub mod query;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rusqlite::Connection;
use serde::Serialize;

use crate::codebook::{self, Code};
use crate::error::Result;
use crate::words::Index as WordIndex;

/// Which codings an analysis counts. Empty lists mean "all".
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub participants: Vec<String>,
    pub waves: Vec<String>,
    /// Only these coders' codings.
    pub coders: Vec<String>,
    /// Only documents in one of these groups (hand-made or defined by a rule).
    pub groups: Vec<String>,
    /// Only documents matching this rule (`groups::rule`).
    pub rule: Option<String>,
    /// Only these documents.
    pub docs: Vec<i64>,
}

impl Scope {
    /// A sentence saying what the scope holds, for reports and table captions.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let list = |name: &str, v: &[String]| format!("{name} {}", v.join(", "));
        if !self.participants.is_empty() {
            parts.push(list("participants", &self.participants));
        }
        if !self.waves.is_empty() {
            parts.push(list("waves", &self.waves));
        }
        if !self.coders.is_empty() {
            parts.push(list("coders", &self.coders));
        }
        if !self.groups.is_empty() {
            parts.push(list("groups", &self.groups));
        }
        if let Some(r) = &self.rule {
            parts.push(format!("where {r}"));
        }
        if !self.docs.is_empty() {
            parts.push(format!(
                "documents {}",
                self.docs
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if parts.is_empty() {
            "every coding".into()
        } else {
            parts.join("; ")
        }
    }
}

/// A document as analyses see it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Doc {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub wave: Option<String>,
    pub participants: Vec<String>,
    pub words: usize,
}

/// One coding in scope.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seg {
    pub id: i64,
    pub doc: i64,
    pub code: i64,
    pub start: usize,
    pub end: usize,
}

/// One turn of a document in scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub start: usize,
    pub end: usize,
    /// Shared, not copied: a corpus has hundreds of thousands of turns and a few hundred
    /// participants.
    pub participant: Option<std::sync::Arc<str>>,
    pub words: usize,
}

/// A passage: overlapping codings united, with the ids of the codings it unites.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Passage {
    pub doc: i64,
    pub start: usize,
    pub end: usize,
    pub codings: Vec<i64>,
}

/// Everything an analysis counts with, read once.
pub struct Data {
    pub codes: Vec<Code>,
    /// The study's waves in order.
    pub waves: Vec<String>,
    /// The documents in scope, by id.
    pub docs: BTreeMap<i64, Doc>,
    /// The codings in scope, sorted by document, start, end, id.
    pub codings: Vec<Seg>,
    /// Each document's turns, sorted.
    pub turns: HashMap<i64, Vec<Turn>>,
    /// Participants asked for (normalised), to keep their passages in group interviews only.
    participants: Vec<String>,
    /// Each document's words, read only when a count of words is asked for.
    words: HashMap<i64, WordIndex>,
    /// Positions in `codings` of each code's codings, in order.
    by_code: HashMap<i64, Vec<usize>>,
}

impl Data {
    /// Reads the codings of `scope`. A rule or group that selects nothing is no error: the
    /// analysis is then empty, and says so.
    pub fn load(conn: &Connection, scope: &Scope) -> Result<Data> {
        Data::load_codes(conn, scope, None, true)
    }

    /// [`Data::load`] keeping only the codings of `codes` (a query needs only its codes'), and
    /// reading turns only where they are needed when `all_turns` is false: an analysis that
    /// asks nothing of turns (overlap in individual interviews) then reads the turns of its
    /// group interviews alone, whose passages belong to the speakers of their turns.
    pub fn load_codes(
        conn: &Connection,
        scope: &Scope,
        codes_wanted: Option<&HashSet<i64>>,
        all_turns: bool,
    ) -> Result<Data> {
        crate::coding::check_coders(conn, &scope.coders)?;
        let codes = codebook::codes(conn)?;
        let waves: Vec<String> = crate::corpus::waves(conn)?
            .into_iter()
            .map(|w| w.name)
            .collect();
        let wanted_waves: Vec<String> = scope
            .waves
            .iter()
            .map(|w| {
                waves
                    .iter()
                    .find(|name| crate::transcript::study::same_wave(name, w))
                    .cloned()
                    .unwrap_or_else(|| crate::import::resolve::normalise_wave(w))
            })
            .collect();
        for w in &wanted_waves {
            if !waves.contains(w) {
                return Err(crate::Error::NotFound(format!(
                    "there is no wave `{w}`; the waves are {}",
                    waves.join(", ")
                )));
            }
        }
        let participants: Vec<String> = scope
            .participants
            .iter()
            .map(|p| crate::import::resolve::normalise_participant(p))
            .collect();
        // Documents: every filter on documents narrows one set.
        let mut allowed = crate::groups::selection(conn, &scope.groups, scope.rule.as_deref())?;
        if !scope.docs.is_empty() {
            let named: HashSet<i64> = scope.docs.iter().copied().collect();
            allowed = Some(match allowed {
                Some(a) => a.intersection(&named).copied().collect(),
                None => named,
            });
        }
        let mut docs: BTreeMap<i64, Doc> = BTreeMap::new();
        let mut stmt = conn.prepare(
            "SELECT d.id, d.title, d.kind, w.name, d.words FROM documents d
             LEFT JOIN waves w ON w.id = d.wave_id",
        )?;
        for row in stmt.query_map([], |r| {
            Ok(Doc {
                id: r.get(0)?,
                title: r.get(1)?,
                kind: r.get(2)?,
                wave: r.get(3)?,
                participants: Vec::new(),
                words: r.get::<_, i64>(4)? as usize,
            })
        })? {
            let d = row?;
            if allowed.as_ref().is_some_and(|a| !a.contains(&d.id)) {
                continue;
            }
            if !wanted_waves.is_empty()
                && !d.wave.as_ref().is_some_and(|w| wanted_waves.contains(w))
            {
                continue;
            }
            docs.insert(d.id, d);
        }
        let mut stmt = conn.prepare(
            "SELECT dp.doc_id, p.code FROM document_participants dp
             JOIN participants p ON p.id = dp.participant_id ORDER BY p.code",
        )?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (doc, code) = row?;
            if let Some(d) = docs.get_mut(&doc) {
                d.participants.push(code);
            }
        }
        if !participants.is_empty() {
            docs.retain(|_, d| d.participants.iter().any(|p| participants.contains(p)));
        }
        // Coders by id.
        let coder_ids: Option<HashSet<i64>> = if scope.coders.is_empty() {
            None
        } else {
            let mut ids = HashSet::new();
            let mut stmt = conn.prepare("SELECT id, name FROM coders")?;
            for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
                let (id, name) = row?;
                if scope.coders.contains(&name) {
                    ids.insert(id);
                }
            }
            Some(ids)
        };
        let mut codings: Vec<Seg> = Vec::new();
        // In table order, sorted below: SQLite's ORDER BY over four columns the index does not
        // cover took 170 of 180 ms for 100,000 codings. A query reads only its codes' codings.
        let sql = match codes_wanted {
            Some(ids) => format!(
                "SELECT id, doc_id, code_id, start, end, coder_id FROM codings WHERE code_id IN ({})",
                crate::store::id_list(ids)
            ),
            None => "SELECT id, doc_id, code_id, start, end, coder_id FROM codings".to_owned(),
        };
        let mut stmt = conn.prepare(&sql)?;
        for row in stmt.query_map([], |r| {
            Ok((
                Seg {
                    id: r.get(0)?,
                    doc: r.get(1)?,
                    code: r.get(2)?,
                    start: r.get::<_, i64>(3)?.max(0) as usize,
                    end: r.get::<_, i64>(4)?.max(0) as usize,
                },
                r.get::<_, i64>(5)?,
            ))
        })? {
            let (seg, coder) = row?;
            if docs.contains_key(&seg.doc)
                && coder_ids.as_ref().is_none_or(|c| c.contains(&coder))
                && codes_wanted.is_none_or(|w| w.contains(&seg.code))
            {
                codings.push(seg);
            }
        }
        codings.sort_unstable_by_key(|c| (c.doc, c.start, c.end, c.id));
        // Every turn in one scan (900 queries of one document each took 100 ms on 5 M words),
        // kept for the documents with codings in scope.
        let with_codings: BTreeSet<i64> = codings
            .iter()
            .map(|c| c.doc)
            .filter(|d| {
                all_turns
                    || !participants.is_empty()
                    || docs.get(d).is_some_and(|d| d.kind == "group")
            })
            .collect();
        let codes_of: HashMap<i64, std::sync::Arc<str>> = conn
            .prepare("SELECT id, code FROM participants")?
            .query_map([], |r| {
                Ok((r.get(0)?, std::sync::Arc::from(r.get::<_, String>(1)?)))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut turns: HashMap<i64, Vec<Turn>> = HashMap::new();
        let mut stmt = conn.prepare(if with_codings.is_empty() {
            "SELECT doc_id, start, end, participant_id, words FROM turns WHERE 0"
        } else {
            "SELECT doc_id, start, end, participant_id, words FROM turns"
        })?;
        for row in stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })? {
            let (doc, start, end, participant, words) = row?;
            if !with_codings.contains(&doc) {
                continue;
            }
            turns.entry(doc).or_default().push(Turn {
                start: start as usize,
                end: end as usize,
                participant: participant.and_then(|p| codes_of.get(&p).cloned()),
                words: words as usize,
            });
        }
        for list in turns.values_mut() {
            list.sort_unstable_by_key(|t| t.start);
        }
        let mut data = Data {
            codes,
            waves,
            docs,
            codings,
            turns,
            participants,
            words: HashMap::new(),
            by_code: HashMap::new(),
        };
        if !data.participants.is_empty() {
            // In a group interview only the passages on the asked participants' turns count.
            let keep: Vec<bool> = data
                .codings
                .iter()
                .map(|c| {
                    data.participants_of(c.doc, c.start, c.end)
                        .iter()
                        .any(|p| data.participants.contains(p))
                })
                .collect();
            let mut keep = keep.into_iter();
            data.codings.retain(|_| keep.next().unwrap_or(false));
        }
        for (i, c) in data.codings.iter().enumerate() {
            data.by_code.entry(c.code).or_default().push(i);
        }
        Ok(data)
    }

    /// Reads the words of every document with codings in scope (for counts of words).
    pub fn read_words(&mut self, conn: &Connection) -> Result<()> {
        let needed: Vec<i64> = self
            .codings
            .iter()
            .map(|c| c.doc)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter(|d| !self.words.contains_key(d))
            .collect();
        let indexes = crate::store::word_index::load(conn, &needed)?;
        self.words.extend(indexes);
        Ok(())
    }

    /// Words with a character in `[start, end)` of a document (after [`Data::read_words`]).
    pub fn words(&self, doc: i64, start: usize, end: usize) -> usize {
        self.words.get(&doc).map_or(0, |w| w.count(start, end))
    }

    /// The participants a span belongs to: in an individual interview its participant; in a
    /// group interview those whose turns it overlaps.
    pub fn participants_of(&self, doc: i64, start: usize, end: usize) -> Vec<String> {
        let Some(d) = self.docs.get(&doc) else {
            return Vec::new();
        };
        if d.kind != "group" {
            return d.participants.clone();
        }
        let mut out: Vec<String> = self
            .turns_touching(doc, start, end)
            .iter()
            .filter_map(|t| t.participant.as_deref().map(str::to_owned))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The turns a span overlaps.
    pub fn turns_touching(&self, doc: i64, start: usize, end: usize) -> &[Turn] {
        let Some(turns) = self.turns.get(&doc) else {
            return &[];
        };
        let first = turns.partition_point(|t| t.end <= start);
        let last = turns.partition_point(|t| t.start < end.max(start + 1));
        &turns[first..last.max(first)]
    }

    /// The index of the turn a character is in (or the next turn after it).
    pub fn turn_at(&self, doc: i64, at: usize) -> usize {
        self.turns
            .get(&doc)
            .map_or(0, |t| t.partition_point(|t| t.end <= at))
    }

    /// The codes a code stands for: itself, and its sub-codes when asked.
    pub fn code_ids(&self, code: i64, with_subcodes: bool) -> Vec<i64> {
        if with_subcodes {
            codebook::with_descendants(&self.codes, code)
        } else {
            vec![code]
        }
    }

    /// The passages of a set of codes, per document in order.
    pub fn passages(&self, codes: &[i64]) -> Vec<Passage> {
        // The codings are sorted: their positions in order are the codings in order.
        let mut at: Vec<usize> = codes
            .iter()
            .collect::<HashSet<_>>()
            .into_iter()
            .filter_map(|c| self.by_code.get(c))
            .flatten()
            .copied()
            .collect();
        at.sort_unstable();
        unite(at.into_iter().map(|i| &self.codings[i]))
    }

    pub fn code(&self, id: i64) -> Option<&Code> {
        self.codes.iter().find(|c| c.id == id)
    }
}

/// Unites codings sorted by document and start into passages.
pub fn unite<'a>(codings: impl Iterator<Item = &'a Seg>) -> Vec<Passage> {
    let mut out: Vec<Passage> = Vec::new();
    for c in codings {
        // Touching codings are one passage too, as the change table unites them.
        if let Some(p) = out.last_mut()
            && p.doc == c.doc
            && c.start <= p.end
        {
            p.end = p.end.max(c.end);
            p.codings.push(c.id);
            continue;
        }
        out.push(Passage {
            doc: c.doc,
            start: c.start,
            end: c.end,
            codings: vec![c.id],
        });
    }
    out
}
