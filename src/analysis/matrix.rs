//! Matrices: codes down the side, and across the top participants, documents, waves,
//! document groups or the values of an attribute (`code × age_group`); or the codes again,
//! counting where two codes meet (co-occurrence). Each cell keeps the passages it counts, so
//! a reader can open them (co-occurrence is in `cooccurrence`). The counting rules are in
//! `docs/ANALYSIS.md`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::Connection;
use serde::Serialize;

use super::{Data, Passage, Scope};
use crate::error::Result;

/// What the columns are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Across {
    Participant,
    Document,
    Wave,
    Group,
    /// The values of a participant (or else document) attribute.
    Attribute(String),
}

impl Across {
    /// `participant`, `document` (`doc`), `wave`, `group`, or any other word as an attribute.
    pub fn parse(s: &str) -> Across {
        match s.trim().to_lowercase().as_str() {
            "participant" | "participants" => Across::Participant,
            "document" | "documents" | "doc" | "docs" => Across::Document,
            "wave" | "waves" => Across::Wave,
            "group" | "groups" => Across::Group,
            _ => Across::Attribute(s.trim().to_owned()),
        }
    }
}

/// What a cell shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    /// Coded passages.
    #[default]
    Codings,
    /// Words covered by the code's passages, each word once.
    Words,
    /// Coded words ÷ all words of the column.
    Coverage,
}

/// A code heading a row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Head {
    pub code_id: i64,
    pub code: String,
    pub path: String,
    pub color: Option<String>,
    pub depth: usize,
}

/// One cell of a code × column matrix.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Cell {
    /// Coded passages in the column.
    pub codings: usize,
    /// Coded words in the column (present when words or coverage were asked for).
    pub words: Option<usize>,
    /// Coded words ÷ the column's words.
    pub coverage: Option<f64>,
    /// The passages counted.
    pub segments: Vec<Passage>,
}

impl Cell {
    /// The number the measure asks for.
    pub fn value(&self, m: Measure) -> f64 {
        match m {
            Measure::Codings => self.codings as f64,
            Measure::Words => self.words.unwrap_or(0) as f64,
            Measure::Coverage => self.coverage.unwrap_or(0.0),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    #[serde(flatten)]
    pub head: Head,
    pub cells: Vec<Cell>,
    /// The row over every column (a passage in two columns counts once).
    pub total: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Column {
    pub name: String,
    /// Words of the column's text (the denominator of coverage).
    pub words: usize,
}

/// A code × column matrix.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Matrix {
    pub across: Across,
    pub measure: Measure,
    pub scope: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub took_ms: f64,
}

/// How a matrix is made.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub measure: Measure,
    /// A row counts its code's sub-codes too.
    pub with_subcodes: bool,
    /// Only these codes (names, paths or ids); empty: every code with a coding in scope.
    pub codes: Vec<String>,
}

pub(super) fn rows_wanted(data: &Data, codes: &[String]) -> Result<Vec<Head>> {
    let chosen: Option<BTreeSet<i64>> = if codes.is_empty() {
        None
    } else {
        Some(
            codes
                .iter()
                .map(|c| crate::codebook::find_in(&data.codes, c).map(|c| c.id))
                .collect::<Result<_>>()?,
        )
    };
    Ok(data
        .codes
        .iter()
        .filter(|c| chosen.as_ref().is_none_or(|s| s.contains(&c.id)))
        .map(|c| Head {
            code_id: c.id,
            code: c.name.clone(),
            path: c.path.clone(),
            color: c.color.clone(),
            depth: c.depth,
        })
        .collect())
}

/// A participant's own words in each document: (doc, participant) → words of their turns.
fn own_turn_words(conn: &Connection) -> Result<HashMap<(i64, String), usize>> {
    let mut out = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT t.doc_id, p.code, sum(t.words) FROM turns t
         JOIN participants p ON p.id = t.participant_id
         GROUP BY t.doc_id, p.code",
    )?;
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (doc, p, n) = row?;
        out.insert((doc, p), n as usize);
    }
    Ok(out)
}

/// Where each passage of a document goes: the columns, each with the words it adds there.
struct Columns {
    names: Vec<String>,
    words: Vec<usize>,
    index: HashMap<String, usize>,
}

impl Columns {
    fn new(names: Vec<String>) -> Columns {
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        Columns {
            words: vec![0; names.len()],
            names,
            index,
        }
    }
}

const NONE: &str = "(none)";

/// A code × column matrix over `scope`.
pub fn matrix(conn: &Connection, scope: &Scope, across: &Across, o: &Options) -> Result<Matrix> {
    let started = std::time::Instant::now();
    // Turns tell whose passage it is (participant and attribute columns) and where words are
    // (coded words); a count of passages per document, wave or group needs none.
    let turns = o.measure != Measure::Codings
        || matches!(across, Across::Participant | Across::Attribute(_));
    let mut data = Data::load_codes(conn, scope, None, turns)?;
    let heads = rows_wanted(&data, &o.codes)?;
    let counts_words = o.measure != Measure::Codings;
    if counts_words {
        data.read_words(conn)?;
    }
    let own_words = own_turn_words(conn)?;
    // Participant attributes, for columns by attribute.
    let mut attributes: HashMap<String, serde_json::Map<String, serde_json::Value>> =
        HashMap::new();
    let mut doc_attributes: HashMap<i64, serde_json::Map<String, serde_json::Value>> =
        HashMap::new();
    if let Across::Attribute(key) = across {
        let facts = crate::groups::rule::facts(conn)?;
        let rule = crate::groups::rule::Rule::Cond {
            key: key.clone(),
            op: crate::groups::rule::Op::Eq,
            value: String::new(),
        };
        crate::groups::rule::check_keys(&rule, &facts)?;
        for f in facts {
            for (p, m) in f.participants.iter().zip(f.participant_attributes) {
                attributes.insert(p.clone(), m);
            }
            doc_attributes.insert(f.doc, f.attributes);
        }
    }
    // `doc.KEY` and `participant.KEY` say where to look, as in rules.
    let (only_doc, only_participant, bare) = match across {
        Across::Attribute(key) => {
            let lower = key.to_lowercase();
            match (
                lower.strip_prefix("doc."),
                lower.strip_prefix("participant."),
            ) {
                (Some(k), _) => (true, false, k.to_owned()),
                (_, Some(k)) => (false, true, k.to_owned()),
                _ => (false, false, lower),
            }
        }
        _ => (false, false, String::new()),
    };
    let lookup = |m: Option<&serde_json::Map<String, serde_json::Value>>, key: &str| {
        m.and_then(|m| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| match v {
                    serde_json::Value::String(s) => s.trim().to_owned(),
                    other => other.to_string(),
                })
        })
    };
    let groups: Vec<crate::groups::Group> = if *across == Across::Group {
        crate::groups::list(conn)?
    } else {
        Vec::new()
    };
    // A document's column is named by its id too: titles need not be unique.
    let doc_name = |d: &super::Doc| format!("{}: {}", d.id, d.title);
    // Only the participants asked for, when some were (not everyone in their group interviews),
    // and only those for whom the rule holds themselves.
    let ruled = match &scope.rule {
        Some(r) => Some(crate::groups::rule::participants(conn, r)?),
        None => None,
    };
    let asked = |p: &String| {
        (scope.participants.is_empty()
            || scope
                .participants
                .iter()
                .any(|q| crate::import::resolve::normalise_participant(q) == *p))
            && ruled.as_ref().is_none_or(|r| r.contains(p))
    };
    // The columns and their words (the denominators).
    let mut columns = match across {
        Across::Participant => Columns::new(
            data.docs
                .values()
                .flat_map(|d| d.participants.iter().filter(|p| asked(p)).cloned())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        ),
        Across::Document => Columns::new(data.docs.values().map(doc_name).collect()),
        Across::Wave => {
            let mut names: Vec<String> = data
                .waves
                .iter()
                .filter(|w| data.docs.values().any(|d| d.wave.as_ref() == Some(w)))
                .cloned()
                .collect();
            if data.docs.values().any(|d| d.wave.is_none()) {
                names.push(NONE.into());
            }
            Columns::new(names)
        }
        Across::Group => Columns::new(groups.iter().map(|g| g.name.clone()).collect()),
        Across::Attribute(_) => Columns::new(Vec::new()),
    };
    // Each document's columns: (column name, words of the column's text in the document, and
    // for a group interview the participant whose turns those are).
    let mut doc_columns: HashMap<i64, Vec<(String, usize, Option<String>)>> = HashMap::new();
    for d in data.docs.values() {
        let mut here: Vec<(String, usize, Option<String>)> = Vec::new();
        // A participant's text is their own turns, in any kind of interview (as the change
        // table counts): a passage counts for them when it touches one, with the words there.
        let per_participant =
            |p: &String| -> usize { own_words.get(&(d.id, p.clone())).copied().unwrap_or(0) };
        match across {
            Across::Participant => {
                for p in d.participants.iter().filter(|p| asked(p)) {
                    here.push((p.clone(), per_participant(p), Some(p.clone())));
                }
            }
            Across::Document => here.push((doc_name(d), d.words, None)),
            Across::Wave => {
                here.push((d.wave.clone().unwrap_or_else(|| NONE.into()), d.words, None))
            }
            Across::Group => {
                for g in groups.iter().filter(|g| g.documents.contains(&d.id)) {
                    here.push((g.name.clone(), d.words, None));
                }
            }
            Across::Attribute(_) => {
                let of_doc = (!only_participant)
                    .then(|| lookup(doc_attributes.get(&d.id), &bare))
                    .flatten();
                if let Some(v) = of_doc {
                    here.push((v, d.words, None));
                } else if d.participants.is_empty() || only_doc {
                    here.push((NONE.into(), d.words, None));
                } else {
                    for p in d.participants.iter().filter(|p| asked(p)) {
                        let v = lookup(attributes.get(p), &bare).unwrap_or_else(|| NONE.into());
                        here.push((v, per_participant(p), Some(p.clone())));
                    }
                }
            }
        }
        doc_columns.insert(d.id, here);
    }
    // Attribute values as columns: spelled differently in case or spaces, one value (the
    // first spelling names it), as rules compare them.
    if let Across::Attribute(_) = across {
        let mut first: HashMap<String, String> = HashMap::new();
        for here in doc_columns.values_mut() {
            for (name, _, _) in here.iter_mut() {
                let spelled = first
                    .entry(name.to_lowercase())
                    .or_insert_with(|| name.clone());
                *name = spelled.clone();
            }
        }
    }
    if let Across::Attribute(_) = across {
        let names: BTreeSet<String> = doc_columns
            .values()
            .flatten()
            .map(|(n, _, _)| n.clone())
            .collect();
        columns = Columns::new(names.into_iter().collect());
    }
    for here in doc_columns.values() {
        for (name, words, _) in here {
            if let Some(&i) = columns.index.get(name) {
                columns.words[i] += words;
            }
        }
    }
    // Without a list of codes, the codes with passages are shown, with the codes above them
    // (a sub-code never appears under the wrong parent).
    let passages_of: Vec<Vec<Passage>> = heads
        .iter()
        .map(|h| data.passages(&data.code_ids(h.code_id, o.with_subcodes)))
        .collect();
    let mut shown: BTreeSet<i64> = BTreeSet::new();
    for (h, p) in heads.iter().zip(&passages_of) {
        if !p.is_empty() || !o.codes.is_empty() {
            let mut at = Some(h.code_id);
            while let Some(id) = at {
                shown.insert(id);
                at = data.code(id).and_then(|c| c.parent);
            }
        }
    }
    let mut rows = Vec::new();
    for (head, passages) in heads.into_iter().zip(passages_of) {
        if !shown.contains(&head.code_id) {
            continue;
        }
        let mut cells: Vec<Cell> = vec![Cell::default(); columns.names.len()];
        for p in &passages {
            let Some(here) = doc_columns.get(&p.doc) else {
                continue;
            };
            // The turns it touches: whose own they are says whose passage it is (an
            // interviewer's turn is no one's).
            let touched = data.turns_touching(p.doc, p.start, p.end);
            let mut counted: BTreeSet<usize> = BTreeSet::new();
            for (name, _, participant) in here {
                // A passage belongs to the participants whose own turns it touches.
                if let Some(who) = participant
                    && !touched
                        .iter()
                        .any(|t| t.participant.as_deref() == Some(who.as_str()))
                {
                    continue;
                }
                let Some(&i) = columns.index.get(name) else {
                    continue;
                };
                let words = if !counts_words {
                    0
                } else if let Some(who) = participant {
                    touched
                        .iter()
                        .filter(|t| t.participant.as_deref() == Some(who.as_str()))
                        .map(|t| data.words(p.doc, p.start.max(t.start), p.end.min(t.end)))
                        .sum()
                } else {
                    // Words inside turns: speaker labels are no one's words (and the
                    // document's word count, the denominator, leaves them out too).
                    touched
                        .iter()
                        .map(|t| data.words(p.doc, p.start.max(t.start), p.end.min(t.end)))
                        .sum()
                };
                let cell = &mut cells[i];
                if counted.insert(i) {
                    cell.codings += 1;
                    cell.segments.push(p.clone());
                }
                if counts_words {
                    *cell.words.get_or_insert(0) += words;
                }
            }
        }
        if counts_words {
            for (i, cell) in cells.iter_mut().enumerate() {
                let w = cell.words.unwrap_or(0);
                cell.words = Some(w);
                cell.coverage = Some(if columns.words[i] == 0 {
                    0.0
                } else {
                    w as f64 / columns.words[i] as f64
                });
            }
        }
        rows.push(Row {
            head,
            cells,
            total: passages.len(),
        });
    }
    Ok(Matrix {
        across: across.clone(),
        measure: o.measure,
        scope: scope.describe(),
        columns: columns
            .names
            .into_iter()
            .zip(columns.words)
            .map(|(name, words)| Column { name, words })
            .collect(),
        rows,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// The matrix as CSV (with a byte-order mark and CRLF, as spreadsheets read it): a first line
/// saying what is counted over which scope, then one row per code, one column per column.
pub fn write_csv(m: &Matrix, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let quote = |s: &str| crate::csv::field(s);
    out.write_all("\u{feff}".as_bytes())?;
    let measure = match m.measure {
        Measure::Codings => "coded passages",
        Measure::Words => "coded words",
        Measure::Coverage => "coverage (coded words / the column's words)",
    };
    write!(out, "{}\r\n", quote(&format!("# {measure}; {}", m.scope)))?;
    let mut header = vec!["code".to_owned(), "path".to_owned()];
    header.extend(m.columns.iter().map(|c| quote(&c.name)));
    header.push("total".into());
    write!(out, "{}\r\n", header.join(","))?;
    for r in &m.rows {
        let mut line = vec![quote(&r.head.code), quote(&r.head.path)];
        line.extend(r.cells.iter().map(|c| match m.measure {
            Measure::Coverage => format!("{:.4}", c.value(m.measure)),
            _ => format!("{}", c.value(m.measure)),
        }));
        line.push(r.total.to_string());
        write!(out, "{}\r\n", line.join(","))?;
    }
    Ok(())
}

/// One code across the waves: the cohort's passages per wave and each participant's.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WaveChart {
    pub code: String,
    pub color: Option<String>,
    pub waves: Vec<String>,
    /// Passages per wave over everyone in scope.
    pub cohort: Vec<usize>,
    /// Per participant, passages per wave.
    pub participants: Vec<(String, Vec<usize>)>,
}

/// The passages of one code (with its sub-codes when asked) per wave, for the cohort and per
/// participant, counted as the matrices count them.
pub fn wave_chart(
    conn: &Connection,
    scope: &Scope,
    code: &str,
    with_subcodes: bool,
) -> Result<WaveChart> {
    let data = Data::load(conn, scope)?;
    let c = crate::codebook::find_in(&data.codes, code)?.clone();
    let waves: Vec<String> = data
        .waves
        .iter()
        .filter(|w| data.docs.values().any(|d| d.wave.as_ref() == Some(w)))
        .cloned()
        .collect();
    let mut cohort = vec![0; waves.len()];
    let mut per: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for d in data.docs.values() {
        if d.wave.is_some() {
            for p in &d.participants {
                per.entry(p.clone()).or_insert_with(|| vec![0; waves.len()]);
            }
        }
    }
    for p in data.passages(&data.code_ids(c.id, with_subcodes)) {
        let Some(w) = data
            .docs
            .get(&p.doc)
            .and_then(|d| d.wave.as_ref())
            .and_then(|w| waves.iter().position(|x| x == w))
        else {
            continue;
        };
        cohort[w] += 1;
        for who in data.participants_of(p.doc, p.start, p.end) {
            per.entry(who).or_insert_with(|| vec![0; waves.len()])[w] += 1;
        }
    }
    Ok(WaveChart {
        code: c.path,
        color: c.color,
        waves,
        cohort,
        participants: per.into_iter().collect(),
    })
}
