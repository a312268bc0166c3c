//! Agreement between coders. Units are the characters of the documents in scope
//! (every character once; per code, each coder applied the code to it or not), or their turns
//! (`--unit turns`: a turn is coded by a coder when any of that coder's codings with the code
//! overlaps it). Per code: percent agreement (units on which every coder agrees), Cohen's kappa
//! (two coders) and Krippendorff's alpha (nominal, any number of coders); overall: the same
//! over the units of all codes pooled (a unit is a character, or turn, and a code).
//!
//! The counting is exact: per code, units are tallied by which coders coded them (a pattern,
//! one bit per coder); the measures follow from the tallies. [`alpha_nominal`] is the general
//! definition (coincidence matrix, missing values allowed), against which the fast path is
//! tested, and with which the published examples are reproduced.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde::Serialize;

use crate::codebook;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Characters,
    Turns,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Characters => "characters",
            Unit::Turns => "turns",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub coders: Vec<String>,
    pub code: Option<String>,
    pub unit: Unit,
    pub participant: Option<String>,
    pub wave: Option<String>,
    /// Only the documents every one of the coders has coded (with any code). A document only
    /// one coder has reached yet would count as a disagreement everywhere that coder coded.
    pub coded_by_all: bool,
    /// Only the documents of this group (hand-made or defined by a rule).
    pub group: Option<String>,
    /// Only the documents this rule matches (`groups::rule`).
    pub rule: Option<String>,
}

/// The three measures; `None` where a measure is undefined (no variation, or kappa for more
/// than two coders).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Measures {
    pub kappa: Option<f64>,
    pub alpha: Option<f64>,
    pub agreement: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PerCode {
    pub code: String,
    pub kappa: Option<f64>,
    pub alpha: Option<f64>,
    pub agreement: Option<f64>,
    /// Units in scope.
    pub units: u64,
    /// Units each coder coded with the code, in the order of `coders`.
    pub coded: Vec<u64>,
}

/// The `agreement --json` contract.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub coders: Vec<String>,
    pub unit: &'static str,
    pub per_code: Vec<PerCode>,
    pub overall: Measures,
    pub documents: usize,
}

/// Units tallied by the set of coders (bit i = coder i) that coded them.
pub type Tally = HashMap<u32, u64>;

/// Percent agreement, kappa and alpha from a tally over `m` coders.
pub fn measures(tally: &Tally, m: usize) -> Measures {
    let all: u32 = if m >= 32 { u32::MAX } else { (1u32 << m) - 1 };
    let n_units: u64 = tally.values().sum();
    if n_units == 0 || m < 2 {
        return Measures::default();
    }
    let n = n_units as f64;
    let agree: u64 = tally
        .iter()
        .filter(|(mask, _)| **mask == 0 || **mask == all)
        .map(|(_, c)| c)
        .sum();
    let agreement = Some(agree as f64 / n);
    let kappa = (m == 2).then(|| {
        let c = |mask: u32| *tally.get(&mask).unwrap_or(&0) as f64 / n;
        let (both, a_only, b_only) = (c(0b11), c(0b01), c(0b10));
        let p_o = both + c(0b00);
        let pa = both + a_only;
        let pb = both + b_only;
        let p_e = pa * pb + (1.0 - pa) * (1.0 - pb);
        (p_e < 1.0).then(|| (p_o - p_e) / (1.0 - p_e))
    });
    // Krippendorff's alpha, nominal, two values, every coder valuing every unit: a unit where
    // x of m coders coded contributes 2·x·(m−x)/(m−1) disagreeing pairable values.
    let mf = m as f64;
    let mut ones = 0.0;
    let mut disagree = 0.0;
    for (mask, count) in tally {
        let x = mask.count_ones() as f64;
        ones += x * *count as f64;
        disagree += 2.0 * x * (mf - x) / (mf - 1.0) * *count as f64;
    }
    let total = n * mf;
    let zeros = total - ones;
    let alpha =
        (ones > 0.0 && zeros > 0.0).then(|| 1.0 - (total - 1.0) * disagree / (2.0 * ones * zeros));
    Measures {
        kappa: kappa.flatten(),
        alpha,
        agreement,
    }
}

/// Krippendorff's alpha for nominal data by its definition: `data[unit][coder]`, `None` for a
/// missing value. Units with fewer than two values are not pairable and left out.
pub fn alpha_nominal(data: &[Vec<Option<u32>>]) -> Option<f64> {
    let mut o: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    for unit in data {
        let values: Vec<u32> = unit.iter().flatten().copied().collect();
        let mu = values.len();
        if mu < 2 {
            continue;
        }
        for (i, a) in values.iter().enumerate() {
            for (j, b) in values.iter().enumerate() {
                if i != j {
                    *o.entry((*a, *b)).or_default() += 1.0 / (mu as f64 - 1.0);
                }
            }
        }
    }
    let mut n_c: BTreeMap<u32, f64> = BTreeMap::new();
    for ((c, _), v) in &o {
        *n_c.entry(*c).or_default() += v;
    }
    let n: f64 = n_c.values().sum();
    let observed: f64 = o.iter().filter(|((c, k), _)| c != k).map(|(_, v)| v).sum();
    let mut expected = 0.0;
    for (c, a) in &n_c {
        for (k, b) in &n_c {
            if c != k {
                expected += a * b;
            }
        }
    }
    (expected > 0.0).then(|| 1.0 - (n - 1.0) * observed / expected)
}

/// Cohen's kappa from a square table of counts (`table[a][b]`: coder 1 said a, coder 2 b).
pub fn cohen_kappa(table: &[Vec<f64>]) -> Option<f64> {
    let n: f64 = table.iter().flatten().sum();
    if n == 0.0 {
        return None;
    }
    let k = table.len();
    let p_o: f64 = (0..k).map(|i| table[i][i]).sum::<f64>() / n;
    let p_e: f64 = (0..k)
        .map(|i| {
            let row: f64 = table[i].iter().sum();
            let col: f64 = table.iter().map(|r| r[i]).sum();
            row * col / (n * n)
        })
        .sum();
    (p_e < 1.0).then(|| (p_o - p_e) / (1.0 - p_e))
}

/// One document in scope with the codings of the selected coders.
struct Doc {
    id: i64,
    chars: i64,
    turns: Vec<(i64, i64)>,
    /// (code, coder index, start, end)
    codings: Vec<(i64, usize, i64, i64)>,
}

fn documents(conn: &Connection, o: &Options) -> Result<Vec<Doc>> {
    let mut sql = String::from("SELECT d.id, d.chars FROM documents d");
    let mut conditions = Vec::new();
    let mut params: Vec<String> = Vec::new();
    if let Some(w) = &o.wave {
        conditions.push(format!(
            "d.wave_id = (SELECT id FROM waves WHERE name = ?{})",
            params.len() + 1
        ));
        params.push(
            crate::corpus::wave_named(conn, w)?
                .unwrap_or_else(|| crate::import::resolve::normalise_wave(w)),
        );
    }
    if let Some(p) = &o.participant {
        conditions.push(format!(
            "d.id IN (SELECT dp.doc_id FROM document_participants dp JOIN participants p ON p.id = dp.participant_id WHERE p.code = ?{})",
            params.len() + 1
        ));
        params.push(crate::import::resolve::normalise_participant(p));
    }
    if let Some(ids) = crate::groups::selection(conn, o.group.as_slice(), o.rule.as_deref())? {
        conditions.push(format!("d.id IN ({})", crate::store::id_list(&ids)));
    }
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    sql.push_str(" ORDER BY d.id");
    let mut stmt = conn.prepare(&sql)?;
    let docs: Vec<(i64, i64)> = stmt
        .query_map(rusqlite::params_from_iter(params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut turns_stmt =
        conn.prepare("SELECT start, end FROM turns WHERE doc_id = ?1 ORDER BY seq")?;
    let mut codings_stmt = conn.prepare(
        "SELECT g.code_id, k.name, g.start, g.end FROM codings g JOIN coders k ON k.id = g.coder_id
         WHERE g.doc_id = ?1",
    )?;
    let mut out = Vec::new();
    for (id, chars) in docs {
        let turns = turns_stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut codings = Vec::new();
        for row in codings_stmt.query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })? {
            let (code, coder, s, e) = row?;
            if let Some(i) = o.coders.iter().position(|c| *c == coder) {
                codings.push((code, i, s, e));
            }
        }
        if o.coded_by_all && (0..o.coders.len()).any(|k| !codings.iter().any(|c| c.1 == k)) {
            continue;
        }
        out.push(Doc {
            id,
            chars,
            turns,
            codings,
        });
    }
    Ok(out)
}

/// Tallies one code in one document.
fn tally_doc(doc: &Doc, code: i64, unit: Unit, m: usize, tally: &mut Tally) {
    let spans: Vec<(usize, i64, i64)> = doc
        .codings
        .iter()
        .filter(|c| c.0 == code)
        .map(|c| (c.1, c.2, c.3))
        .collect();
    match unit {
        Unit::Turns => {
            for &(ts, te) in &doc.turns {
                let mut mask = 0u32;
                for &(k, s, e) in &spans {
                    if s < te && e > ts {
                        mask |= 1 << k;
                    }
                }
                *tally.entry(mask).or_default() += 1;
            }
        }
        Unit::Characters => {
            // Sweep: at each boundary the coders' depths change; segments between boundaries
            // carry the set of coders whose depth is positive.
            let mut events: Vec<(i64, usize, i64)> = Vec::new();
            for &(k, s, e) in &spans {
                events.push((s.max(0), k, 1));
                events.push((e.min(doc.chars), k, -1));
            }
            events.sort();
            let mut depth = vec![0i64; m];
            let mut at = 0i64;
            let mut covered = 0i64;
            let mut i = 0;
            while i < events.len() {
                let pos = events[i].0;
                let mask = depth
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| **d > 0)
                    .fold(0u32, |acc, (k, _)| acc | (1 << k));
                if pos > at && mask != 0 {
                    *tally.entry(mask).or_default() += (pos - at) as u64;
                    covered += pos - at;
                }
                at = at.max(pos);
                while i < events.len() && events[i].0 == pos {
                    depth[events[i].1] += events[i].2;
                    i += 1;
                }
            }
            *tally.entry(0).or_default() += (doc.chars - covered).max(0) as u64;
        }
    }
}

/// Agreement of the coders over the documents in scope.
pub fn compute(conn: &Connection, o: &Options) -> Result<Report> {
    let mut coders = o.coders.clone();
    coders.dedup();
    if coders.len() < 2 {
        return Err(Error::Invalid(
            "agreement needs at least two coders: --coders A,B".into(),
        ));
    }
    if coders.len() > 31 {
        return Err(Error::Invalid("at most 31 coders at a time".into()));
    }
    for c in &coders {
        let known: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM coders WHERE name = ?1)",
            [c],
            |r| r.get(0),
        )?;
        if !known {
            return Err(Error::NotFound(format!(
                "there is no coder `{c}` in this project; `narrata codings` shows who coded"
            )));
        }
    }
    let o = Options {
        coders: coders.clone(),
        ..o.clone()
    };
    let docs = documents(conn, &o)?;
    let all_codes = codebook::codes(conn)?;
    let codes: Vec<&codebook::Code> = match &o.code {
        Some(c) => vec![codebook::find_in(&all_codes, c)?],
        None => {
            let used: std::collections::HashSet<i64> = docs
                .iter()
                .flat_map(|d| d.codings.iter().map(|c| c.0))
                .collect();
            all_codes.iter().filter(|c| used.contains(&c.id)).collect()
        }
    };
    let m = coders.len();
    let mut pooled: Tally = HashMap::new();
    let mut per_code = Vec::new();
    for code in codes {
        let mut tally: Tally = HashMap::new();
        for d in &docs {
            tally_doc(d, code.id, o.unit, m, &mut tally);
        }
        let coded = (0..m)
            .map(|k| {
                tally
                    .iter()
                    .filter(|(mask, _)| *mask & (1 << k) != 0)
                    .map(|(_, c)| c)
                    .sum()
            })
            .collect();
        let x = measures(&tally, m);
        for (mask, count) in &tally {
            *pooled.entry(*mask).or_default() += count;
        }
        per_code.push(PerCode {
            code: code.path.clone(),
            kappa: x.kappa,
            alpha: x.alpha,
            agreement: x.agreement,
            units: tally.values().sum(),
            coded,
        });
    }
    Ok(Report {
        coders,
        unit: o.unit.name(),
        per_code,
        overall: measures(&pooled, m),
        documents: docs.len(),
    })
}

/// A stretch of text where the coders differ on a code.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Disagreement {
    pub code: String,
    pub doc: i64,
    pub start: i64,
    pub end: i64,
    pub line: i64,
    /// The coders who applied the code here.
    pub coded_by: Vec<String>,
    pub text: String,
}

/// Every maximal stretch of characters where some but not all coders applied a code.
pub fn disagreements(conn: &Connection, o: &Options) -> Result<Vec<Disagreement>> {
    let report = compute(conn, o)?;
    let docs = documents(
        conn,
        &Options {
            coders: report.coders.clone(),
            ..o.clone()
        },
    )?;
    let all_codes = codebook::codes(conn)?;
    let m = report.coders.len();
    let full: u32 = (1u32 << m) - 1;
    let mut out = Vec::new();
    for pc in &report.per_code {
        let Some(code) = all_codes.iter().find(|c| c.path == pc.code) else {
            continue;
        };
        for d in &docs {
            let spans: Vec<(usize, i64, i64)> = d
                .codings
                .iter()
                .filter(|c| c.0 == code.id)
                .map(|c| (c.1, c.2, c.3))
                .collect();
            if spans.is_empty() {
                continue;
            }
            let mut bounds: Vec<i64> = spans.iter().flat_map(|s| [s.1, s.2]).collect();
            bounds.sort();
            bounds.dedup();
            let mut current: Option<(i64, i64, u32)> = None;
            let flush = |c: Option<(i64, i64, u32)>, out: &mut Vec<Disagreement>| -> Result<()> {
                if let Some((s, e, mask)) = c {
                    let text = crate::corpus::text(conn, d.id)?;
                    let slice = crate::offsets::slice_chars(&text, s as usize, e as usize);
                    let line =
                        text.chars().take(s as usize).filter(|c| *c == '\n').count() as i64 + 1;
                    out.push(Disagreement {
                        code: pc.code.clone(),
                        doc: d.id,
                        start: s,
                        end: e,
                        line,
                        coded_by: (0..m)
                            .filter(|k| mask & (1 << k) != 0)
                            .map(|k| report.coders[k].clone())
                            .collect(),
                        text: slice.to_owned(),
                    });
                }
                Ok(())
            };
            for w in bounds.windows(2) {
                let (s, e) = (w[0], w[1]);
                let mask = spans
                    .iter()
                    .filter(|x| x.1 <= s && x.2 >= e)
                    .fold(0u32, |acc, x| acc | (1 << x.0));
                let differs = mask != 0 && mask != full;
                match (&mut current, differs) {
                    (Some((_, ce, cm)), true) if *ce == s && *cm == mask => *ce = e,
                    (_, true) => {
                        flush(current.take(), &mut out)?;
                        current = Some((s, e, mask));
                    }
                    (_, false) => flush(current.take(), &mut out)?,
                }
            }
            flush(current.take(), &mut out)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 5e-4)
    }

    #[test]
    fn cohen_kappa_reproduces_the_textbook_example() {
        // The worked example of the Wikipedia article "Cohen's kappa": 50 grant proposals,
        // both yes 20, A yes B no 5, A no B yes 10, both no 15 → p_o 0.7, p_e 0.5, κ 0.4.
        let k = cohen_kappa(&[vec![20.0, 5.0], vec![10.0, 15.0]]);
        assert!(close(k, 0.4), "{k:?}");
        // The same through the tally: bit 0 = coder A, bit 1 = coder B.
        let tally: Tally = [(0b11, 20), (0b01, 5), (0b10, 10), (0b00, 15)].into();
        let x = measures(&tally, 2);
        assert!(close(x.kappa, 0.4));
        assert!(close(x.agreement, 0.7));
    }

    #[test]
    fn alpha_reproduces_krippendorffs_nominal_example() {
        // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
        // four observers, twelve units, missing values; nominal alpha = 0.743.
        let rows: [[Option<u32>; 12]; 4] = [
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(1),
                Some(4),
                Some(1),
                Some(2),
                None,
                None,
                None,
            ],
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(2),
                Some(4),
                Some(1),
                Some(2),
                Some(5),
                None,
                Some(3),
            ],
            [
                None,
                Some(3),
                Some(3),
                Some(3),
                Some(2),
                Some(3),
                Some(4),
                Some(2),
                Some(2),
                Some(5),
                Some(1),
                None,
            ],
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(4),
                Some(4),
                Some(1),
                Some(2),
                Some(5),
                Some(1),
                None,
            ],
        ];
        let units: Vec<Vec<Option<u32>>> = (0..12)
            .map(|u| rows.iter().map(|r| r[u]).collect())
            .collect();
        let a = alpha_nominal(&units);
        assert!(close(a, 0.743), "{a:?}");
    }

    #[test]
    fn the_fast_binary_path_equals_the_definition() {
        // Every pattern of 3 coders with assorted counts.
        let tally: Tally = [
            (0, 40),
            (1, 3),
            (2, 5),
            (3, 7),
            (4, 2),
            (5, 1),
            (6, 4),
            (7, 30),
        ]
        .into();
        let mut units = Vec::new();
        for (mask, count) in &tally {
            for _ in 0..*count {
                units.push((0..3).map(|k| Some((mask >> k) & 1)).collect::<Vec<_>>());
            }
        }
        let fast = measures(&tally, 3).alpha.unwrap();
        let slow = alpha_nominal(&units).unwrap();
        assert!((fast - slow).abs() < 1e-12, "{fast} vs {slow}");
        assert_eq!(measures(&tally, 3).kappa, None, "kappa is for two coders");
    }

    #[test]
    fn no_variation_leaves_the_measures_undefined_not_perfect() {
        let tally: Tally = [(0, 100)].into();
        let x = measures(&tally, 2);
        assert_eq!(x.kappa, None);
        assert_eq!(x.alpha, None);
        assert_eq!(x.agreement, Some(1.0));
    }
}
