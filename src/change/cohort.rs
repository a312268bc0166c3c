//! The cohort view: per code and wave how many participants speak of it, and who kept,
//! gained, lost or never had it.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde::Serialize;

use crate::codebook;
use crate::error::Result;

use super::*;

/// One code in the cohort view: how many participants speak of it in each wave, and how that
/// moved between two waves among those interviewed in both.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CohortRow {
    pub code: String,
    pub cells: Vec<CohortCell>,
    pub from: String,
    pub to: String,
    pub kept: usize,
    pub gained: usize,
    pub lost: usize,
    pub never: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CohortCell {
    pub wave: String,
    /// Participants with the code.
    pub n: usize,
    /// Participants interviewed in the wave.
    pub of: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cohort {
    pub waves: Vec<String>,
    /// The coders whose codings were counted.
    pub coders: Vec<String>,
    pub codes: Vec<CohortRow>,
    pub note: &'static str,
}

/// The cohort view (recurrent cross-sectional): per code and wave n/N, and between the first
/// and last wave of the range the participants who kept, gained, lost or never had the code.
pub fn cohort(conn: &Connection, o: &Options) -> Result<Cohort> {
    let all = Options {
        participant: None,
        ..o.clone()
    };
    cohort_of(conn, o, &table(conn, &all)?)
}

/// The cohort view of a change table of every participant, made with options `o` (a report
/// that has drawn the table already need not draw it again).
pub fn cohort_of(conn: &Connection, o: &Options, t: &Table) -> Result<Cohort> {
    let (first, last) = (0, t.waves.len().saturating_sub(1));
    let mut by_code: BTreeMap<(i64, String), Vec<&Row>> = BTreeMap::new();
    for r in &t.rows {
        by_code
            .entry((r.code_id, r.code.clone()))
            .or_default()
            .push(r);
    }
    let present = |c: &Cell| c.codings.is_some_and(|n| n >= o.min_codings.max(1));
    let mut codes = Vec::new();
    let mut order: Vec<(i64, String)> = by_code.keys().cloned().collect();
    let positions: HashMap<i64, usize> = codebook::codes_uncounted(conn)?
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    order.sort_by_key(|(id, _)| positions.get(id).copied().unwrap_or(usize::MAX));
    for key in order {
        let rows = &by_code[&key];
        let cells = (0..t.waves.len())
            .map(|i| CohortCell {
                wave: t.waves[i].clone(),
                n: rows.iter().filter(|r| present(&r.cells[i])).count(),
                of: rows.iter().filter(|r| r.cells[i].interviewed).count(),
            })
            .collect();
        let (mut kept, mut gained, mut lost, mut never) = (0, 0, 0, 0);
        for r in rows.iter().filter(|r| {
            !r.cells.is_empty() && r.cells[first].interviewed && r.cells[last].interviewed
        }) {
            match (present(&r.cells[first]), present(&r.cells[last])) {
                (true, true) => kept += 1,
                (false, true) => gained += 1,
                (true, false) => lost += 1,
                (false, false) => never += 1,
            }
        }
        codes.push(CohortRow {
            code: key.1.clone(),
            cells,
            from: t.waves.get(first).cloned().unwrap_or_default(),
            to: t.waves.get(last).cloned().unwrap_or_default(),
            kept,
            gained,
            lost,
            never,
        });
    }
    Ok(Cohort {
        waves: t.waves.clone(),
        coders: t.coders.clone(),
        codes,
        note: NOTE,
    })
}
