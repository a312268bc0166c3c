//! Matrices: codes down the side, and across the top participants, documents, waves,
//! document groups or the values of an attribute (`code × age_group`); or the codes again,
//! counting where two codes meet (co-occurrence). Each cell keeps the passages it counts, so
//! a reader can open them. The counting rules are in `docs/ANALYSIS.md`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::Connection;
use serde::Serialize;

use super::{Data, Passage, Scope};
use crate::error::{Error, Result};

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

fn rows_wanted(data: &Data, codes: &[String]) -> Result<Vec<Head>> {
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

/// A participant's own words in each group interview: (doc, participant) → words.
fn group_turn_words(conn: &Connection) -> Result<HashMap<(i64, String), usize>> {
    let mut out = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT t.doc_id, p.code, sum(t.words) FROM turns t
         JOIN participants p ON p.id = t.participant_id
         JOIN documents d ON d.id = t.doc_id WHERE d.kind = 'group'
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
    let mut data = Data::load(conn, scope)?;
    let heads = rows_wanted(&data, &o.codes)?;
    let counts_words = o.measure != Measure::Codings;
    if counts_words {
        data.read_words(conn)?;
    }
    let group_words = group_turn_words(conn)?;
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
    let lookup = |m: Option<&serde_json::Map<String, serde_json::Value>>, key: &str| {
        m.and_then(|m| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
        })
    };
    let groups: Vec<crate::groups::Group> = if *across == Across::Group {
        crate::groups::list(conn)?
    } else {
        Vec::new()
    };
    // The columns and their words (the denominators).
    let mut columns = match across {
        Across::Participant => Columns::new(
            data.docs
                .values()
                .flat_map(|d| d.participants.iter().cloned())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        ),
        Across::Document => Columns::new(data.docs.values().map(|d| d.title.clone()).collect()),
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
        let per_participant = |p: &String| -> usize {
            if d.kind == "group" {
                group_words.get(&(d.id, p.clone())).copied().unwrap_or(0)
            } else {
                d.words
            }
        };
        let who = |p: &String| (d.kind == "group").then(|| p.clone());
        match across {
            Across::Participant => {
                for p in &d.participants {
                    here.push((p.clone(), per_participant(p), who(p)));
                }
            }
            Across::Document => here.push((d.title.clone(), d.words, None)),
            Across::Wave => {
                here.push((d.wave.clone().unwrap_or_else(|| NONE.into()), d.words, None))
            }
            Across::Group => {
                for g in groups.iter().filter(|g| g.documents.contains(&d.id)) {
                    here.push((g.name.clone(), d.words, None));
                }
            }
            Across::Attribute(key) => {
                if let Some(v) = lookup(doc_attributes.get(&d.id), key) {
                    here.push((v, d.words, None));
                } else if d.participants.is_empty() {
                    here.push((NONE.into(), d.words, None));
                } else {
                    for p in &d.participants {
                        let v = lookup(attributes.get(p), key).unwrap_or_else(|| NONE.into());
                        here.push((v, per_participant(p), who(p)));
                    }
                }
            }
        }
        doc_columns.insert(d.id, here);
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
            let passage_participants = data.participants_of(p.doc, p.start, p.end);
            let mut counted: BTreeSet<usize> = BTreeSet::new();
            for (name, _, participant) in here {
                // In a group interview a passage belongs to the participants whose turns it touches.
                if let Some(who) = participant
                    && !passage_participants.contains(who)
                {
                    continue;
                }
                let Some(&i) = columns.index.get(name) else {
                    continue;
                };
                let words = if !counts_words {
                    0
                } else if let Some(who) = participant {
                    data.turns_touching(p.doc, p.start, p.end)
                        .iter()
                        .filter(|t| t.participant.as_deref() == Some(who.as_str()))
                        .map(|t| data.words(p.doc, p.start.max(t.start), p.end.min(t.end)))
                        .sum()
                } else {
                    data.words(p.doc, p.start, p.end)
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

/// When two codes' passages meet in a co-occurrence matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "words")]
pub enum Near {
    /// They share at least one character.
    #[default]
    Overlap,
    /// They touch a common turn.
    SameTurn,
    /// At most this many words lie between them.
    Within(usize),
}

/// One pair of codes.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Pair {
    /// Pairs of passages (one of each code) that meet; on the diagonal, the code's passages.
    pub count: usize,
    /// Passages of either code that meet one of the other ÷ passages of either code.
    pub jaccard: f64,
    /// Where they meet: the overlap, or the span covering both.
    pub segments: Vec<Passage>,
}

/// A code × code co-occurrence matrix.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cooccurrence {
    pub near: Near,
    pub scope: String,
    pub codes: Vec<Head>,
    /// Passages of each code.
    pub passages: Vec<usize>,
    /// `cells[i][j]` for codes `i` and `j` (symmetric).
    pub cells: Vec<Vec<Pair>>,
    pub took_ms: f64,
}

/// A passage named by its code's row, its document and its start.
type PassageAt = (usize, i64, usize);

/// Code × code co-occurrence over `scope`.
pub fn cooccurrence(
    conn: &Connection,
    scope: &Scope,
    near: Near,
    o: &Options,
) -> Result<Cooccurrence> {
    let started = std::time::Instant::now();
    let mut data = Data::load(conn, scope)?;
    if matches!(near, Near::Within(_)) {
        data.read_words(conn)?;
    }
    let mut heads = rows_wanted(&data, &o.codes)?;
    let mut per_code: Vec<Vec<Passage>> = heads
        .iter()
        .map(|h| data.passages(&data.code_ids(h.code_id, o.with_subcodes)))
        .collect();
    if o.codes.is_empty() {
        let keep: Vec<bool> = per_code.iter().map(|p| !p.is_empty()).collect();
        let mut k = keep.iter();
        heads.retain(|_| *k.next().unwrap_or(&false));
        per_code.retain(|p| !p.is_empty());
    }
    let n = heads.len();
    if n > 400 {
        return Err(Error::Invalid(format!(
            "a co-occurrence matrix of {n} codes is too large to read; name the codes with --codes"
        )));
    }
    // Every passage of every code, per document, sorted by start.
    struct Item<'a> {
        code: usize,
        p: &'a Passage,
        turns: (usize, usize),
    }
    let mut by_doc: BTreeMap<i64, Vec<Item<'_>>> = BTreeMap::new();
    for (code, list) in per_code.iter().enumerate() {
        for p in list {
            let first = data.turn_at(p.doc, p.start);
            let last = data.turn_at(p.doc, p.end.saturating_sub(1).max(p.start));
            by_doc.entry(p.doc).or_default().push(Item {
                code,
                p,
                turns: (first, last.max(first)),
            });
        }
    }
    let mut cells: Vec<Vec<Pair>> = vec![vec![Pair::default(); n]; n];
    // Which passages met the other code, per pair of codes.
    let mut met: HashMap<(usize, usize), BTreeSet<PassageAt>> = HashMap::new();
    for (doc, mut items) in by_doc {
        items.sort_by_key(|i| (i.p.start, i.p.end, i.code));
        for a in 0..items.len() {
            let x = &items[a];
            for y in &items[a + 1..] {
                // Items are sorted by start: once one is too far, every later one is.
                let meets = match near {
                    Near::Overlap => {
                        if y.p.start >= x.p.end {
                            // A later item may still start before x ends only if this one did.
                            break;
                        }
                        true
                    }
                    Near::SameTurn => {
                        if y.turns.0 > x.turns.1 {
                            break;
                        }
                        true
                    }
                    Near::Within(w) => {
                        y.p.start < x.p.end || {
                            let gap = data.words(doc, x.p.end, y.p.start);
                            if gap > w {
                                break;
                            }
                            true
                        }
                    }
                };
                if !meets || x.code == y.code {
                    continue;
                }
                let (i, j) = (x.code.min(y.code), x.code.max(y.code));
                let (s, e) = if near == Near::Overlap {
                    (y.p.start, x.p.end.min(y.p.end))
                } else {
                    (x.p.start, x.p.end.max(y.p.end))
                };
                let mut codings = x.p.codings.clone();
                codings.extend(&y.p.codings);
                cells[i][j].count += 1;
                cells[i][j].segments.push(Passage {
                    doc,
                    start: s,
                    end: e,
                    codings,
                });
                let m = met.entry((i, j)).or_default();
                m.insert((x.code, doc, x.p.start));
                m.insert((y.code, doc, y.p.start));
            }
        }
    }
    let passages: Vec<usize> = per_code.iter().map(Vec::len).collect();
    for i in 0..n {
        cells[i][i].count = passages[i];
        cells[i][i].jaccard = 1.0;
        for j in i + 1..n {
            let involved = met.get(&(i, j)).map_or(0, BTreeSet::len);
            let pair = &mut cells[i][j];
            pair.jaccard = involved as f64 / (passages[i] + passages[j]) as f64;
            cells[j][i] = pair.clone();
        }
    }
    Ok(Cooccurrence {
        near,
        scope: scope.describe(),
        codes: heads,
        passages,
        cells,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// The matrix as CSV: one row per code, one column per column of the measure.
pub fn write_csv(m: &Matrix, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let quote = |s: &str| crate::csv::field(s);
    let mut header = vec!["code".to_owned(), "path".to_owned()];
    header.extend(m.columns.iter().map(|c| quote(&c.name)));
    header.push("total".into());
    writeln!(out, "{}", header.join(","))?;
    for r in &m.rows {
        let mut line = vec![quote(&r.head.code), quote(&r.head.path)];
        line.extend(r.cells.iter().map(|c| match m.measure {
            Measure::Coverage => format!("{:.4}", c.value(m.measure)),
            _ => format!("{}", c.value(m.measure)),
        }));
        line.push(r.total.to_string());
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

/// The co-occurrence matrix as CSV: counts, then (after an empty line) the Jaccard ratios.
pub fn write_cooccurrence_csv(
    c: &Cooccurrence,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let quote = |s: &str| crate::csv::field(s);
    for (title, ratio) in [("count", false), ("jaccard", true)] {
        let mut header = vec![title.to_owned()];
        header.extend(c.codes.iter().map(|h| quote(&h.path)));
        writeln!(out, "{}", header.join(","))?;
        for (i, h) in c.codes.iter().enumerate() {
            let mut line = vec![quote(&h.path)];
            line.extend(c.cells[i].iter().map(|p| {
                if ratio {
                    format!("{:.4}", p.jaccard)
                } else {
                    p.count.to_string()
                }
            }));
            writeln!(out, "{}", line.join(","))?;
        }
        if !ratio {
            writeln!(out)?;
        }
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
