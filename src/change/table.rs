//! The change table: per participant, code and wave the share of the participant's words
//! coded, the change label, the polarity balance per dimension and the pen portraits.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rusqlite::Connection;
use serde::Serialize;

use crate::codebook::{self, Code};
use crate::error::{Error, Result};

use super::*;

/// One participant, code and wave.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cell {
    pub wave: String,
    pub interviewed: bool,
    /// Coded passages: codings that overlap (two coders on one quote, or one inside another)
    /// count once.
    pub codings: Option<usize>,
    /// Words of the participant's own turns covered by codings of the code.
    pub words: Option<usize>,
    /// Coded words ÷ the participant's own words in that wave.
    pub coverage: Option<f64>,
    pub per_1000_words: Option<f64>,
}

/// One participant and code over the waves.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    pub participant: String,
    pub code: String,
    pub code_id: i64,
    pub cells: Vec<Cell>,
    /// The computed label.
    pub change: String,
    /// The researcher's label, if they confirmed or overrode it.
    pub confirmed: Option<String>,
    pub memo: Option<String>,
    /// The participant's waves were not all coded by the same coders (or some by none of the
    /// coders counted): the label then compares different coders' work, or coded with uncoded.
    pub coders_differ: bool,
}

/// Polarity balance of one participant, dimension and wave.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BalanceCell {
    pub wave: String,
    /// (positive − negative) ÷ (positive + negative) coded words; `null` when neither occurs.
    pub balance: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Balance {
    pub participant: String,
    pub dimension: String,
    pub cells: Vec<BalanceCell>,
}

/// A pen portrait: the researcher's summary of a participant in one wave.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Portrait {
    pub participant: String,
    pub wave: String,
    pub text: String,
    pub coder: String,
}

/// The change table (the `changes --json` contract).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Table {
    pub waves: Vec<String>,
    /// The coders whose codings were counted.
    pub coders: Vec<String>,
    /// Documents left out because they are not yet tied to participants and a wave (texts
    /// from another tool): `docs set` assigns them.
    pub unassigned_documents: usize,
    pub rows: Vec<Row>,
    pub balance: Vec<Balance>,
    /// Pen portraits of the participants shown, in wave order.
    pub portraits: Vec<Portrait>,
    pub note: &'static str,
}

/// Pen portraits (memos on `portrait:P:W`) of some participants, in wave order.
fn portraits(conn: &Connection, participants: &[&String]) -> Result<Vec<Portrait>> {
    let mut stmt = conn.prepare(
        "SELECT p.code, w.name, m.text, k.name FROM memos m JOIN participants p ON p.id = m.target_id
         JOIN waves w ON w.id = m.wave_id JOIN coders k ON k.id = m.coder_id
         WHERE m.target_kind = 'portrait' ORDER BY p.code, w.ordinal, w.name, m.id",
    )?;
    let wanted: HashSet<&str> = participants.iter().map(|p| p.as_str()).collect();
    let rows = stmt.query_map([], |r| {
        Ok(Portrait {
            participant: r.get(0)?,
            wave: r.get(1)?,
            text: r.get(2)?,
            coder: r.get(3)?,
        })
    })?;
    let mut out = Vec::new();
    for p in rows {
        let p = p?;
        if wanted.contains(p.participant.as_str()) {
            out.push(p);
        }
    }
    Ok(out)
}

/// A participant's turn: its characters `[start, end)`, its words, and which of the
/// document's words they are (ordinals, [`crate::words::Index::words_in`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Turn {
    start: usize,
    end: usize,
    words: usize,
    first_word: usize,
    end_word: usize,
}

/// The codings of one code in one document, merged: their characters (overlapping codings
/// as one passage) and the ordinals of their words (each word once).
#[derive(Debug, Clone, Default, PartialEq)]
struct Coded {
    chars: Vec<(usize, usize)>,
    words: Vec<(usize, usize)>,
}

/// A participant's own words in one wave: how many, and their turns by document (sorted).
#[derive(Debug, Clone, Default)]
pub(super) struct Spoken {
    words: usize,
    by_doc: Vec<(i64, Vec<Turn>)>,
}

/// Labels the researcher set: (participant, code id) → (label, memo).
pub(super) type Overrides = HashMap<(String, i64), (String, Option<String>)>;

/// What the computation needs, loaded once.
pub(super) struct Data {
    waves: Vec<String>,
    /// participant → wave → their own words
    spoken: BTreeMap<String, BTreeMap<String, Spoken>>,
    /// doc → its codings by code, sorted by code (a binary search per code: hashing each
    /// document and code pair was a fifth of the table's time)
    raw: HashMap<i64, Vec<(i64, Coded)>>,
    /// doc → every counted coding's span and coder, sorted by start
    by_coder: HashMap<i64, Vec<(usize, usize, i64)>>,
    /// The coders counted, by id.
    coders: BTreeMap<i64, String>,
}

/// Everything the change table counts with: each document's participant turns and codings
/// come packed with the words each holds (`store::document_spans`), so nothing is located
/// here.
pub(super) fn load(
    conn: &Connection,
    coders: &[String],
    docs: Option<&HashSet<i64>>,
) -> Result<Data> {
    crate::coding::check_coders(conn, coders)?;
    let names = |sql: &str| -> Result<HashMap<i64, String>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let mut counted: BTreeMap<i64, String> = names("SELECT id, name FROM coders")?
        .into_iter()
        .filter(|(_, name)| coders.is_empty() || coders.contains(name))
        .collect();
    let participant_codes = names("SELECT id, code FROM participants")?;
    let wave_names = names("SELECT id, name FROM waves")?;
    let waves: Vec<String> = conn
        .prepare("SELECT name FROM waves ORDER BY ordinal, name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut doc_wave: HashMap<i64, i64> = HashMap::new();
    let mut stmt = conn.prepare("SELECT id, wave_id FROM documents WHERE wave_id IS NOT NULL")?;
    for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
        let (d, w) = row?;
        if docs.is_none_or(|set| set.contains(&d)) {
            doc_wave.insert(d, w);
        }
    }
    // Each document's share, made on all cores.
    struct Part {
        doc: i64,
        /// `None`: the document is of no wave (only its coders are named).
        wave: Option<i64>,
        by_code: Vec<(i64, Coded)>,
        by_coder: Vec<(usize, usize, i64)>,
        own: BTreeMap<i64, Vec<Turn>>,
        coders: BTreeSet<i64>,
    }
    let parts = crate::store::document_spans::load_each(conn, |doc, spans| {
        // Only the documents of the group or rule asked for count; of those, only documents
        // of a wave count in the table, but every one names its coders.
        if docs.is_some_and(|set| !set.contains(&doc)) {
            return None;
        }
        let mut mine: Vec<&crate::store::document_spans::Coding> = spans
            .codings
            .iter()
            .filter(|c| counted.contains_key(&c.coder))
            .collect();
        let used: BTreeSet<i64> = mine.iter().map(|c| c.coder).collect();
        let Some(&wave) = doc_wave.get(&doc) else {
            return Some(Part {
                doc,
                wave: None,
                by_code: Vec::new(),
                by_coder: Vec::new(),
                own: BTreeMap::new(),
                coders: used,
            });
        };
        let by_coder: Vec<(usize, usize, i64)> =
            mine.iter().map(|c| (c.start, c.end, c.coder)).collect();
        // By start already: grouped by code, each code's codings merged.
        mine.sort_by_key(|c| c.code);
        let mut by_code: Vec<(i64, Coded)> = Vec::new();
        for group in mine.chunk_by(|a, b| a.code == b.code) {
            let mut coded = Coded {
                chars: group.iter().map(|c| (c.start, c.end)).collect(),
                words: group.iter().map(|c| (c.run.start, c.run.end)).collect(),
            };
            union(&mut coded.chars);
            union(&mut coded.words);
            by_code.push((group[0].code, coded));
        }
        // A participant's own turns: in individual interviews every turn that is theirs (their
        // label), in group interviews the turns mapped to them.
        // An empty turn (left by a replacement) holds nothing and is left out: the searches
        // below need the turns' words in order, and an empty run sits at its own place.
        let mut own: BTreeMap<i64, Vec<Turn>> = BTreeMap::new();
        for t in spans.turns.iter().filter(|t| t.end > t.start) {
            own.entry(t.participant).or_default().push(Turn {
                start: t.start,
                end: t.end,
                words: t.words,
                first_word: t.run.start,
                end_word: t.run.end,
            });
        }
        Some(Part {
            doc,
            wave: Some(wave),
            by_code,
            by_coder,
            own,
            coders: used,
        })
    })?;
    let mut raw: HashMap<i64, Vec<(i64, Coded)>> = HashMap::with_capacity(parts.len());
    let mut by_coder: HashMap<i64, Vec<(usize, usize, i64)>> = HashMap::with_capacity(parts.len());
    let mut used: HashSet<i64> = HashSet::new();
    let mut by_id: HashMap<(i64, i64), Spoken> = HashMap::new();
    for part in parts.into_iter().flatten() {
        used.extend(part.coders);
        let Some(wave) = part.wave else {
            continue;
        };
        raw.insert(part.doc, part.by_code);
        by_coder.insert(part.doc, part.by_coder);
        for (p, turns) in part.own {
            let cell = by_id.entry((p, wave)).or_default();
            cell.words += turns.iter().map(|t| t.words).sum::<usize>();
            cell.by_doc.push((part.doc, turns));
        }
    }
    // Participants interviewed in a wave but silent (no turns mapped) still count as interviewed.
    let mut stmt = conn.prepare("SELECT participant_id, doc_id FROM document_participants")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (p, doc) = row?;
        if let Some(&w) = doc_wave.get(&doc) {
            by_id.entry((p, w)).or_default();
        }
    }
    let mut spoken: BTreeMap<String, BTreeMap<String, Spoken>> = BTreeMap::new();
    for ((p, w), mut cell) in by_id {
        if let (Some(p), Some(w)) = (participant_codes.get(&p), wave_names.get(&w)) {
            cell.by_doc.sort_unstable_by_key(|(doc, _)| *doc);
            spoken.entry(p.clone()).or_default().insert(w.clone(), cell);
        }
    }
    // Counted: the coders asked for, else every coder who has codings.
    if coders.is_empty() {
        counted.retain(|id, _| used.contains(id));
    }
    Ok(Data {
        waves,
        spoken,
        raw,
        by_coder,
        coders: counted,
    })
}

/// Merges overlapping (and touching) spans, in place.
fn union(spans: &mut Vec<(usize, usize)>) {
    spans.sort_unstable();
    let mut kept = 0;
    for i in 0..spans.len() {
        let (s, e) = spans[i];
        if kept > 0 && s <= spans[kept - 1].1 {
            spans[kept - 1].1 = spans[kept - 1].1.max(e);
        } else {
            spans[kept] = (s, e);
            kept += 1;
        }
    }
    spans.truncate(kept);
}

/// The coders with at least one counted coding in some turns (of any code).
pub(super) fn coders_in(data: &Data, by_doc: &[(i64, Vec<Turn>)]) -> BTreeSet<i64> {
    let mut out = BTreeSet::new();
    for (doc, turns) in by_doc {
        for &(s, e, coder) in data.by_coder.get(doc).map(Vec::as_slice).unwrap_or(&[]) {
            let first = turns.partition_point(|t| t.end <= s);
            if turns.get(first).is_some_and(|t| t.start < e) {
                out.insert(coder);
            }
        }
    }
    out
}

/// The merged codings of a set of codes in one document (`scratch` holds several codes'
/// merged; their characters only if `chars`), or `None` if none of them is there.
fn coded_in<'a>(
    data: &'a Data,
    doc: i64,
    codes: &[i64],
    scratch: &'a mut Coded,
    chars: bool,
) -> Option<&'a Coded> {
    let by_code = data.raw.get(&doc).map(Vec::as_slice).unwrap_or(&[]);
    let of = |code: &i64| {
        by_code
            .binary_search_by_key(code, |(c, _)| *c)
            .ok()
            .map(|i| &by_code[i].1)
    };
    // One code's codings are merged already; several codes' are merged here.
    if let [code] = codes {
        return of(code);
    }
    scratch.chars.clear();
    scratch.words.clear();
    for coded in codes.iter().filter_map(of) {
        if chars {
            scratch.chars.extend_from_slice(&coded.chars);
        }
        scratch.words.extend_from_slice(&coded.words);
    }
    if scratch.words.is_empty() {
        return None;
    }
    union(&mut scratch.chars);
    union(&mut scratch.words);
    Some(scratch)
}

/// How many of some coded words (merged runs of word ordinals) are in some turns.
fn words_in_turns(words: &[(usize, usize)], turns: &[Turn]) -> usize {
    let mut n = 0;
    for &(a, b) in words {
        let first = turns.partition_point(|t| t.end_word <= a);
        for t in turns[first..].iter().take_while(|t| t.first_word < b) {
            n += b.min(t.end_word).saturating_sub(a.max(t.first_word));
        }
    }
    n
}

/// Coded passages and coded words of a set of codes within some turns: overlapping codings
/// (of several coders, or one inside another) are one passage, and each word counts once.
pub(super) fn measure(data: &Data, codes: &[i64], by_doc: &[(i64, Vec<Turn>)]) -> (usize, usize) {
    let mut codings = 0;
    let mut coded_words = 0;
    let mut scratch = Coded::default();
    for (doc, turns) in by_doc {
        let Some(coded) = coded_in(data, *doc, codes, &mut scratch, true) else {
            continue;
        };
        // A passage counts once for the participant if it overlaps any of their turns (turns
        // do not overlap and are sorted: found by binary search).
        for &(s, e) in &coded.chars {
            let first = turns.partition_point(|t| t.end <= s);
            if turns.get(first).is_some_and(|t| t.start < e) {
                codings += 1;
            }
        }
        coded_words += words_in_turns(&coded.words, turns);
    }
    (codings, coded_words)
}

/// The coded words of [`measure`] alone.
fn coded_words(data: &Data, codes: &[i64], by_doc: &[(i64, Vec<Turn>)]) -> usize {
    let mut scratch = Coded::default();
    by_doc
        .iter()
        .filter_map(|(doc, turns)| {
            let coded = coded_in(data, *doc, codes, &mut scratch, false)?;
            Some(words_in_turns(&coded.words, turns))
        })
        .sum()
}

/// The change table.
pub fn table(conn: &Connection, o: &Options) -> Result<Table> {
    let docs = o.documents(conn)?;
    let data = load(conn, &o.coders, docs.as_ref())?;
    let all_codes = codebook::codes_uncounted(conn)?;
    let mut waves = data.waves.clone();
    let position = |name: &str| {
        waves
            .iter()
            .position(|w| crate::transcript::study::same_wave(w, name))
    };
    let from = match &o.from {
        Some(w) => position(w).ok_or_else(|| Error::NotFound(format!("there is no wave `{w}`")))?,
        None => 0,
    };
    let to = match &o.to {
        Some(w) => position(w).ok_or_else(|| Error::NotFound(format!("there is no wave `{w}`")))?,
        None => waves.len().saturating_sub(1),
    };
    if from > to {
        return Err(Error::Invalid("--from comes after --to".into()));
    }
    if !waves.is_empty() {
        waves = waves[from..=to].to_vec();
    }
    let codes: Vec<&Code> = match &o.code {
        Some(c) => vec![codebook::find_in(&all_codes, c)?],
        None if o.roll_up => all_codes.iter().filter(|c| c.parent.is_none()).collect(),
        None => all_codes.iter().collect(),
    };
    let participants: Vec<&String> = match &o.participant {
        Some(p) => {
            let p = crate::import::resolve::normalise_participant(p);
            let found = data
                .spoken
                .keys()
                .find(|k| **k == p)
                .ok_or_else(|| Error::NotFound(format!("there is no participant `{p}`")))?;
            vec![found]
        }
        None => data.spoken.keys().collect(),
    };
    // A rule keeps the participants for whom it holds themselves, not everyone in a group
    // interview it matched through someone else.
    let participants: Vec<&String> = match &o.rule {
        Some(r) => {
            let ruled = crate::groups::rule::participants(conn, r)?;
            participants
                .into_iter()
                .filter(|p| ruled.contains(*p))
                .collect()
        }
        None => participants,
    };
    let overrides = overrides(conn)?;
    // Each participant's rows are independent: computed on all cores, kept in order.
    let rows_of = |p: &String| -> Vec<Row> {
        let mut rows = Vec::new();
        let by_wave = &data.spoken[p];
        // Who coded each wave the participant attended: the same coders throughout, or not.
        let mut coded_by = waves
            .iter()
            .filter_map(|w| by_wave.get(w))
            .map(|spoken| coders_in(&data, &spoken.by_doc));
        let first = coded_by.next();
        let coders_differ = coded_by.any(|c| Some(&c) != first.as_ref());
        for code in &codes {
            let ids: Vec<i64> = if o.roll_up {
                codebook::with_descendants(&all_codes, code.id)
            } else {
                vec![code.id]
            };
            let mut cells = Vec::new();
            let mut present = Vec::new();
            let mut coverages = Vec::new();
            for w in &waves {
                match by_wave.get(w) {
                    Some(Spoken {
                        words: own, by_doc, ..
                    }) => {
                        let (n, coded) = measure(&data, &ids, by_doc);
                        let coverage = if *own > 0 {
                            coded as f64 / *own as f64
                        } else {
                            0.0
                        };
                        present.push(n >= o.min_codings.max(1));
                        coverages.push(coverage);
                        cells.push(Cell {
                            wave: w.clone(),
                            interviewed: true,
                            codings: Some(n),
                            words: Some(coded),
                            coverage: Some(coverage),
                            per_1000_words: Some(if *own > 0 {
                                n as f64 * 1000.0 / *own as f64
                            } else {
                                0.0
                            }),
                        });
                    }
                    None => cells.push(Cell {
                        wave: w.clone(),
                        interviewed: false,
                        codings: None,
                        words: None,
                        coverage: None,
                        per_1000_words: None,
                    }),
                }
            }
            let change = label(
                &present,
                coverages.first().copied().unwrap_or(0.0),
                coverages.last().copied().unwrap_or(0.0),
                o.ratio,
            );
            let (confirmed, memo) = overrides.get(&(p.clone(), code.id)).cloned().unzip();
            rows.push(Row {
                participant: p.clone(),
                code: code.path.clone(),
                code_id: code.id,
                cells,
                change: change.to_owned(),
                confirmed,
                memo: memo.flatten(),
                coders_differ,
            });
        }
        rows
    };
    let rows: Vec<Row> = crate::parallel::map(participants.len(), |i| rows_of(participants[i]))
        .into_iter()
        .flatten()
        .collect();
    let balance = balance(&data, &all_codes, &participants, &waves);
    let mut portraits = portraits(conn, &participants)?;
    portraits.retain(|p| waves.contains(&p.wave));
    let mut coders: Vec<String> = data.coders.values().cloned().collect();
    coders.sort();
    Ok(Table {
        waves,
        coders,
        unassigned_documents: unassigned_documents(conn)?,
        rows,
        balance,
        portraits,
        note: NOTE,
    })
}

pub(super) fn balance(
    data: &Data,
    all: &[Code],
    participants: &[&String],
    waves: &[String],
) -> Vec<Balance> {
    let mut dims: BTreeMap<String, (Vec<i64>, Vec<i64>)> = BTreeMap::new();
    for c in all {
        if let (Some(d), Some(p)) = (&c.dimension, &c.polarity) {
            let entry = dims.entry(d.clone()).or_default();
            let ids = codebook::with_descendants(all, c.id);
            if p == "positive" {
                entry.0.extend(ids)
            } else {
                entry.1.extend(ids)
            }
        }
    }
    let of = |p: &String| -> Vec<Balance> {
        let mut out = Vec::new();
        for (dimension, (pos, neg)) in &dims {
            let cells = waves
                .iter()
                .map(|w| {
                    let turns = data.spoken[p]
                        .get(w)
                        .map(|x| x.by_doc.as_slice())
                        .unwrap_or(&[]);
                    let a = coded_words(data, pos, turns);
                    let b = coded_words(data, neg, turns);
                    BalanceCell {
                        wave: w.clone(),
                        balance: (a + b > 0).then(|| (a as f64 - b as f64) / (a + b) as f64),
                    }
                })
                .collect();
            out.push(Balance {
                participant: p.clone(),
                dimension: dimension.clone(),
                cells,
            });
        }
        out
    };
    crate::parallel::map(participants.len(), |i| of(participants[i]))
        .into_iter()
        .flatten()
        .collect()
}

/// Confirmed or overridden labels: (participant, code id) → (label, memo).
pub(super) fn overrides(conn: &Connection) -> Result<Overrides> {
    let mut stmt = conn.prepare(
        "SELECT p.code, o.code_id, o.label, o.memo FROM change_overrides o JOIN participants p ON p.id = o.participant_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            (r.get::<_, String>(0)?, r.get::<_, i64>(1)?),
            (r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The change table in long format: one line per participant, code and wave.
pub fn write_csv(t: &Table, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let num = |v: Option<f64>| v.map(|x| format!("{x:.6}")).unwrap_or_default();
    writeln!(
        out,
        "participant,code,wave,interviewed,codings,coded_words,coverage,codings_per_1000_words,change,confirmed,memo,coders_differ"
    )?;
    for r in &t.rows {
        for c in &r.cells {
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{}",
                quote(&r.participant),
                quote(&r.code),
                quote(&c.wave),
                c.interviewed,
                c.codings.map(|n| n.to_string()).unwrap_or_default(),
                c.words.map(|n| n.to_string()).unwrap_or_default(),
                num(c.coverage),
                num(c.per_1000_words),
                r.change,
                r.confirmed.as_deref().unwrap_or(""),
                quote(r.memo.as_deref().unwrap_or("")),
                r.coders_differ,
            )?;
        }
    }
    writeln!(out, "# {}", coders_counted(&t.coders))?;
    writeln!(out, "# {}", t.note)
}
