//! The change table: per participant, code and wave the share of the participant's words
//! coded, the change label, the polarity balance per dimension and the pen portraits.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rusqlite::Connection;
use serde::Serialize;

use crate::codebook::{self, Code};
use crate::error::{Error, Result};

use super::*;
use crate::words::Index as WordIndex;

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

/// A turn's start and end (characters) and its words.
pub(super) type Turn = (usize, usize, usize);

/// A participant's own words in one wave: how many, and their turns by document.
#[derive(Debug, Clone, Default)]
pub(super) struct Spoken {
    words: usize,
    turns: Vec<(i64, Turn)>,
    /// The same turns grouped by document and sorted (filled once after loading).
    by_doc: Vec<(i64, Vec<Turn>)>,
}

/// Labels the researcher set: (participant, code id) → (label, memo).
pub(super) type Overrides = HashMap<(String, i64), (String, Option<String>)>;

/// What the computation needs, loaded once.
pub(super) struct Data {
    waves: Vec<String>,
    /// participant → wave → (own words, turns as (doc, start, end))
    /// participant → wave → their own words
    spoken: BTreeMap<String, BTreeMap<String, Spoken>>,
    /// (doc, code) → its codings' spans
    raw: HashMap<(i64, i64), Vec<(usize, usize)>>,
    /// doc → every counted coding's span and coder, sorted by start
    by_coder: HashMap<i64, Vec<(usize, usize, i64)>>,
    /// The coders counted, by id.
    coders: BTreeMap<i64, String>,
    /// doc → where words start and end (character offsets), to count words in any span fast
    words: HashMap<i64, WordIndex>,
}

/// The codings counted, read once.
pub(super) struct Codings {
    raw: HashMap<(i64, i64), Vec<(usize, usize)>>,
    by_coder: HashMap<i64, Vec<(usize, usize, i64)>>,
    coders: BTreeMap<i64, String>,
}

/// The spans of the codings of `coders` (every coder's when empty), per document and code and
/// per document with their coder.
pub(super) fn load_codings(
    conn: &Connection,
    coders: &[String],
    docs: Option<&HashSet<i64>>,
) -> Result<Codings> {
    crate::coding::check_coders(conn, coders)?;
    let mut names: BTreeMap<i64, String> = BTreeMap::new();
    let mut stmt = conn.prepare("SELECT id, name FROM coders")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (id, name) = row?;
        if coders.is_empty() || coders.contains(&name) {
            names.insert(id, name);
        }
    }
    let mut raw: HashMap<(i64, i64), Vec<(usize, usize)>> = HashMap::new();
    let mut by_coder: HashMap<i64, Vec<(usize, usize, i64)>> = HashMap::new();
    let mut used: HashSet<i64> = HashSet::new();
    let mut stmt = conn.prepare("SELECT doc_id, code_id, start, end, coder_id FROM codings")?;
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })? {
        let (doc, code, s, e, coder) = row?;
        if !names.contains_key(&coder) || docs.is_some_and(|d| !d.contains(&doc)) {
            continue;
        }
        used.insert(coder);
        raw.entry((doc, code))
            .or_default()
            .push((s as usize, e as usize));
        by_coder
            .entry(doc)
            .or_default()
            .push((s as usize, e as usize, coder));
    }
    for spans in by_coder.values_mut() {
        spans.sort_unstable();
    }
    // Counted: the coders asked for, else every coder who has codings.
    if coders.is_empty() {
        names.retain(|id, _| used.contains(id));
    }
    Ok(Codings {
        raw,
        by_coder,
        coders: names,
    })
}

/// Waves, and each participant's own turns per wave.
#[allow(clippy::type_complexity)]
pub(super) fn load_spans(
    conn: &Connection,
    docs: Option<&HashSet<i64>>,
) -> Result<(Vec<String>, BTreeMap<String, BTreeMap<String, Spoken>>)> {
    let waves: Vec<String> = crate::corpus::waves(conn)?
        .into_iter()
        .map(|w| w.name)
        .collect();
    // Names of participants and waves, and each document's wave, read once: the turns are
    // then read from their own table alone, by ids (profiled: joining and copying two names
    // for each of 140,000 turns was a third of loading).
    let names = |sql: &str| -> Result<HashMap<i64, String>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let participant_codes = names("SELECT id, code FROM participants")?;
    let wave_names = names("SELECT id, name FROM waves")?;
    let mut doc_wave: HashMap<i64, i64> = HashMap::new();
    {
        let mut stmt =
            conn.prepare("SELECT id, wave_id FROM documents WHERE wave_id IS NOT NULL")?;
        for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (d, w) = row?;
            doc_wave.insert(d, w);
        }
    }
    // A participant's own turns: in individual interviews every turn that is theirs (their
    // label), in group interviews the turns mapped to them.
    let mut by_id: HashMap<(i64, i64), Spoken> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT participant_id, doc_id, start, end, words FROM turns WHERE participant_id IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    for row in rows {
        let (p, doc, s, e, n) = row?;
        let Some(&w) = doc_wave.get(&doc) else {
            continue;
        };
        if docs.is_some_and(|d| !d.contains(&doc)) {
            continue;
        }
        let cell = by_id.entry((p, w)).or_default();
        cell.words += n as usize;
        cell.turns.push((doc, (s as usize, e as usize, n as usize)));
    }
    // Participants interviewed in a wave but silent (no turns mapped) still count as interviewed.
    let mut stmt = conn.prepare("SELECT participant_id, doc_id FROM document_participants")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (p, doc) = row?;
        if docs.is_some_and(|d| !d.contains(&doc)) {
            continue;
        }
        if let Some(&w) = doc_wave.get(&doc) {
            by_id.entry((p, w)).or_default();
        }
    }
    let mut spoken: BTreeMap<String, BTreeMap<String, Spoken>> = BTreeMap::new();
    for ((p, w), cell) in by_id {
        if let (Some(p), Some(w)) = (participant_codes.get(&p), wave_names.get(&w)) {
            spoken.entry(p.clone()).or_default().insert(w.clone(), cell);
        }
    }
    for waves in spoken.values_mut() {
        for cell in waves.values_mut() {
            let mut grouped: BTreeMap<i64, Vec<Turn>> = BTreeMap::new();
            for &(doc, turn) in &cell.turns {
                grouped.entry(doc).or_default().push(turn);
            }
            cell.by_doc = grouped
                .into_iter()
                .map(|(doc, mut spans)| {
                    spans.sort_unstable();
                    (doc, spans)
                })
                .collect();
        }
    }
    Ok((waves, spoken))
}

/// The codings counted and the word indexes of their documents.
fn load_coded(
    conn: &Connection,
    coders: &[String],
    docs: Option<&HashSet<i64>>,
) -> Result<(Codings, HashMap<i64, WordIndex>)> {
    let codings = load_codings(conn, coders, docs)?;
    let mut coded: Vec<i64> = codings.by_coder.keys().copied().collect();
    coded.sort_unstable();
    let words = crate::store::word_index::load(conn, &coded)?;
    Ok((codings, words))
}

/// Everything the change table counts with. The codings and word indexes are read on a
/// second connection while the turns are read on this one.
pub(super) fn load(
    conn: &Connection,
    coders: &[String],
    docs: Option<&HashSet<i64>>,
) -> Result<Data> {
    let path = conn
        .path()
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from);
    let ((waves, spoken), (c, words)) = match path {
        None => (load_spans(conn, docs)?, load_coded(conn, coders, docs)?),
        Some(path) => std::thread::scope(|scope| -> Result<_> {
            let coded = scope.spawn(move || -> Result<_> {
                let other = Connection::open_with_flags(
                    &path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                other.busy_timeout(std::time::Duration::from_secs(5))?;
                load_coded(&other, coders, docs)
            });
            let spans = load_spans(conn, docs)?;
            let coded = coded
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            Ok((spans, coded))
        })?,
    };
    Ok(Data {
        waves,
        spoken,
        raw: c.raw,
        by_coder: c.by_coder,
        coders: c.coders,
        words,
    })
}

/// Merges overlapping spans.
pub(super) fn union(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The coders with at least one counted coding in some turns (of any code).
pub(super) fn coders_in(data: &Data, by_doc: &[(i64, Vec<Turn>)]) -> BTreeSet<i64> {
    let mut out = BTreeSet::new();
    for (doc, turn_spans) in by_doc {
        for &(s, e, coder) in data.by_coder.get(doc).map(Vec::as_slice).unwrap_or(&[]) {
            let first = turn_spans.partition_point(|&(_, te, _)| te <= s);
            if turn_spans.get(first).is_some_and(|&(ts, _, _)| ts < e) {
                out.insert(coder);
            }
        }
    }
    out
}

/// Coded passages and coded words of a set of codes within some turns: overlapping codings
/// (of several coders, or one inside another) are one passage, and each word counts once.
pub(super) fn measure(data: &Data, codes: &[i64], by_doc: &[(i64, Vec<Turn>)]) -> (usize, usize) {
    let mut codings = 0;
    let mut coded_words = 0;
    for (doc, turn_spans) in by_doc {
        let mut mine: Vec<(usize, usize)> = Vec::new();
        for code in codes {
            if let Some(spans) = data.raw.get(&(*doc, *code)) {
                mine.extend_from_slice(spans);
            }
        }
        if mine.is_empty() {
            continue;
        }
        // Turns do not overlap and are sorted: the ones a span touches are found by binary search.
        let touching = |s: usize, e: usize| {
            let first = turn_spans.partition_point(|&(_, te, _)| te <= s);
            turn_spans[first..]
                .iter()
                .take_while(move |&&(ts, _, _)| ts < e)
        };
        let index = &data.words[doc];
        for (s, e) in union(mine) {
            // A passage counts once for the participant if it overlaps any of their turns.
            if touching(s, e).next().is_some() {
                codings += 1;
            }
            for &(ts, te, words) in touching(s, e) {
                if s <= ts && te <= e {
                    // A turn inside the passage: its words are known.
                    coded_words += words;
                } else {
                    coded_words += index.count(s.max(ts), e.min(te));
                }
            }
        }
    }
    (codings, coded_words)
}

/// The change table.
pub fn table(conn: &Connection, o: &Options) -> Result<Table> {
    let docs = o.documents(conn)?;
    let data = load(conn, &o.coders, docs.as_ref())?;
    let all_codes = codebook::codes(conn)?;
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
                    let (_, a) = measure(data, pos, turns);
                    let (_, b) = measure(data, neg, turns);
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
