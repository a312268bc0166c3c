//! Code × code co-occurrence: for every two codes, how many pairs of their passages meet
//! (overlap, touch a common turn, or lie within N words) and a Jaccard ratio; each cell keeps
//! where they meet. The counting rules are in `docs/ANALYSIS.md`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::Connection;
use serde::Serialize;

use super::matrix::{Head, Options, rows_wanted};
use super::{Data, Passage, Scope};
use crate::error::{Error, Result};

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
    let mut data = Data::load_codes(conn, scope, None, near == Near::SameTurn)?;
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
        cells[i][i].jaccard = if passages[i] > 0 { 1.0 } else { 0.0 };
        for j in i + 1..n {
            let involved = met.get(&(i, j)).map_or(0, BTreeSet::len);
            let pair = &mut cells[i][j];
            let either = passages[i] + passages[j];
            pair.jaccard = if either == 0 {
                0.0
            } else {
                involved as f64 / either as f64
            };
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

/// The co-occurrence matrix as CSV (byte-order mark, CRLF): a line with the scope, the counts,
/// then (after an empty line) the Jaccard ratios.
pub fn write_csv(c: &Cooccurrence, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let quote = |s: &str| crate::csv::field(s);
    out.write_all("\u{feff}".as_bytes())?;
    let near = match c.near {
        Near::Overlap => "overlapping".to_owned(),
        Near::SameTurn => "in the same turn".to_owned(),
        Near::Within(w) => format!("at most {w} words apart"),
    };
    write!(
        out,
        "{}\r\n",
        quote(&format!(
            "# pairs of passages that meet ({near}); {}",
            c.scope
        ))
    )?;
    for (title, ratio) in [("count", false), ("jaccard", true)] {
        let mut header = vec![title.to_owned()];
        header.extend(c.codes.iter().map(|h| quote(&h.path)));
        write!(out, "{}\r\n", header.join(","))?;
        for (i, h) in c.codes.iter().enumerate() {
            let mut line = vec![quote(&h.path)];
            line.extend(c.cells[i].iter().map(|p| {
                if ratio {
                    format!("{:.4}", p.jaccard)
                } else {
                    p.count.to_string()
                }
            }));
            write!(out, "{}\r\n", line.join(","))?;
        }
        if !ratio {
            write!(out, "\r\n")?;
        }
    }
    Ok(())
}
