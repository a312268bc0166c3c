//! Scoring detection against a gold list of identifiers: per category, recall (a gold
//! identifier touched by a detection), covered recall (no character of it left readable) and
//! precision (detections that touch a gold identifier).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Detection;

/// A gold identifier: character offsets and category.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Gold {
    pub text: String,
    pub category: String,
    pub start: usize,
    pub end: usize,
}

/// Scores of one category (or all).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Score {
    pub gold: usize,
    pub touched: usize,
    pub covered: usize,
    pub detections: usize,
    pub correct_detections: usize,
}

impl Score {
    pub fn recall(&self) -> f64 {
        ratio(self.touched, self.gold)
    }
    pub fn covered_recall(&self) -> f64 {
        ratio(self.covered, self.gold)
    }
    pub fn precision(&self) -> f64 {
        ratio(self.correct_detections, self.detections)
    }
    fn add(&mut self, o: &Score) {
        self.gold += o.gold;
        self.touched += o.touched;
        self.covered += o.covered;
        self.detections += o.detections;
        self.correct_detections += o.correct_detections;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Scores per gold category, plus `ALL`. Precision is counted under the detection's category.
pub fn score(text: &str, gold: &[Gold], found: &[Detection]) -> BTreeMap<String, Score> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: BTreeMap<String, Score> = BTreeMap::new();
    for g in gold {
        let s = out.entry(g.category.clone()).or_default();
        s.gold += 1;
        if found.iter().any(|d| d.start < g.end && d.end > g.start) {
            s.touched += 1;
        }
        let covered = (g.start..g.end)
            .filter(|&i| !chars.get(i).is_some_and(|c| c.is_whitespace()))
            .all(|i| found.iter().any(|d| d.start <= i && i < d.end));
        if covered {
            s.covered += 1;
        }
    }
    for d in found {
        let s = out.entry(d.category.to_owned()).or_default();
        s.detections += 1;
        if gold.iter().any(|g| d.start < g.end && d.end > g.start) {
            s.correct_detections += 1;
        }
    }
    let mut all = Score::default();
    for s in out.values() {
        all.add(s);
    }
    out.insert("ALL".into(), all);
    out
}

/// Adds one file's scores into a running total.
pub fn accumulate(total: &mut BTreeMap<String, Score>, one: &BTreeMap<String, Score>) {
    for (k, v) in one {
        total.entry(k.clone()).or_default().add(v);
    }
}
