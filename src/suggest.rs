//! Code suggestions learned from this project's own codings, and nothing else: no network, no
//! model from elsewhere. Every coded passage (a code's overlapping codings united, so two
//! coders on one quote are one example) is an example (its words, stemmed as the search
//! index stems them, weighted by TF-IDF); a participant's turn is compared with every example
//! and the ten most similar vote for their codes, each vote its similarity. A code's score is
//! its share of the votes (0 to 1); the passages that voted for it are the reason shown with
//! it. Pseudonyms (`[PERSOON-3]`) are not words here.
//!
//! How well this predicts is measured by leaving one document out at a time (`evaluate`) and
//! written in `docs/ANALYSIS.md`, beside the baseline of always suggesting the most frequent
//! codes; suggestions are shown only from [`THRESHOLD`] on, chosen there.

use std::collections::{BTreeSet, HashMap};

use rusqlite::Connection;
use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;

use crate::error::Result;

/// Below this many codings a project's suggestions are flagged as learned from little: on
/// hand-coded sets of about 100 codings (benches/suggest_eval.py, docs/ANALYSIS.md) they were no
/// better than the most frequent code in Dutch and only a little better in English.
pub const FEW_CODINGS: usize = 200;

/// The project's codings (what suggestions learn from), counted without learning.
pub fn codings_learned_from(conn: &Connection) -> Result<usize> {
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM codings", [], |r| r.get(0))?;
    Ok(n as usize)
}

/// The score from which a suggestion is shown (see `docs/ANALYSIS.md`).
pub const THRESHOLD: f64 = 0.3;

/// How many similar passages vote.
const NEIGHBOURS: usize = 10;

/// Term ids with their counts in one passage.
type Terms = Vec<(u32, u32)>;

/// One coded passage as an example.
#[derive(Debug, Clone)]
struct Example {
    coding: i64,
    code: i64,
    doc: i64,
}

/// What the suggestions are learned from.
#[derive(Debug)]
pub struct Model {
    vocabulary: HashMap<String, u32>,
    idf: Vec<f32>,
    examples: Vec<Example>,
    /// Per term, the examples holding it and its weight there.
    postings: Vec<Vec<(u32, f32)>>,
    /// Codings per code in the examples (for the baseline).
    frequency: HashMap<i64, usize>,
}

/// One suggested code for a turn.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestion {
    pub code_id: i64,
    pub code: String,
    /// The code's share of the similar passages' votes, 0 to 1.
    pub score: f64,
    /// The coded passages that voted for it (coding ids), most similar first.
    pub because: Vec<i64>,
}

/// The texts and codings a model is trained on and applied to, read once.
pub struct Corpus {
    /// doc → (text, language)
    texts: HashMap<i64, (String, String)>,
    /// Coded passages: (first coding id, doc, code, start, end); a code's codings that
    /// overlap in a document (two coders on one quote) are one passage, one vote.
    codings: Vec<(i64, i64, i64, usize, usize)>,
    /// doc → the codes and spans of its passages
    by_doc: HashMap<i64, Vec<(i64, usize, usize)>>,
    /// doc → participants' turns (start, end), in order
    turns: HashMap<i64, Vec<(usize, usize)>>,
    analyzers: HashMap<String, TextAnalyzer>,
}

fn slice(text: &str, start: usize, end: usize) -> &str {
    crate::offsets::slice_chars(text, start, end)
}

impl Corpus {
    pub fn read(conn: &Connection) -> Result<Corpus> {
        let mut texts = HashMap::new();
        let mut stmt = conn.prepare("SELECT id, text, language FROM documents")?;
        for row in stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })? {
            let (id, text, language) = row?;
            texts.insert(id, (text, language));
        }
        let mut raw: Vec<(i64, i64, i64, usize, usize)> = conn
            .prepare("SELECT id, doc_id, code_id, start, end FROM codings")?
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get::<_, i64>(3)?.max(0) as usize,
                    r.get::<_, i64>(4)?.max(0) as usize,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        raw.sort_unstable_by_key(|&(id, doc, code, s, _)| (doc, code, s, id));
        let mut codings: Vec<(i64, i64, i64, usize, usize)> = Vec::with_capacity(raw.len());
        for c in raw {
            match codings.last_mut() {
                Some(last) if last.1 == c.1 && last.2 == c.2 && c.3 < last.4 => {
                    last.4 = last.4.max(c.4)
                }
                _ => codings.push(c),
            }
        }
        let mut by_doc: HashMap<i64, Vec<(i64, usize, usize)>> = HashMap::new();
        for &(_, doc, code, s, e) in &codings {
            by_doc.entry(doc).or_default().push((code, s, e));
        }
        let mut turns: HashMap<i64, Vec<(usize, usize)>> = HashMap::new();
        let mut stmt = conn.prepare(
            "SELECT doc_id, start, end FROM turns WHERE participant_id IS NOT NULL AND is_interviewer = 0",
        )?;
        for row in stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })? {
            let (doc, s, e) = row?;
            turns.entry(doc).or_default().push((s as usize, e as usize));
        }
        for list in turns.values_mut() {
            list.sort_unstable();
        }
        Ok(Corpus {
            texts,
            codings,
            by_doc,
            turns,
            analyzers: HashMap::new(),
        })
    }

    /// The stemmed words of a span, pseudonyms left out, with their counts.
    fn words(&mut self, doc: i64, start: usize, end: usize) -> HashMap<String, u32> {
        let Some((text, language)) = self.texts.get(&doc) else {
            return HashMap::new();
        };
        let analyzer = self
            .analyzers
            .entry(language.clone())
            .or_insert_with(|| crate::search::analyzer_for(language));
        words_of(analyzer, slice(text, start, end))
    }

    /// The participants' turns of a document, as (start, end).
    pub fn turns(&self, doc: i64) -> &[(usize, usize)] {
        self.turns.get(&doc).map_or(&[], Vec::as_slice)
    }

    /// The codes of the codings that overlap a span.
    fn codes_in(&self, doc: i64, start: usize, end: usize) -> BTreeSet<i64> {
        self.by_doc
            .get(&doc)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .filter(|c| c.1 < end && start < c.2)
            .map(|c| c.0)
            .collect()
    }
}

impl Model {
    /// Learns from every coding, or every coding outside `leave_out`.
    pub fn train(corpus: &mut Corpus, leave_out: Option<i64>) -> Model {
        let chosen: Vec<(i64, i64, i64, usize, usize)> = corpus
            .codings
            .iter()
            .filter(|c| Some(c.1) != leave_out)
            .copied()
            .collect();
        let mut vocabulary: HashMap<String, u32> = HashMap::new();
        let mut df: Vec<u32> = Vec::new();
        // (coding, doc, code, term ids with their counts)
        let mut raw: Vec<(i64, i64, i64, Terms)> = Vec::with_capacity(chosen.len());
        for (coding, doc, code, s, e) in chosen {
            let words = corpus.words(doc, s, e);
            let mut terms = Vec::with_capacity(words.len());
            for (w, n) in words {
                let next = vocabulary.len() as u32;
                let id = *vocabulary.entry(w).or_insert(next);
                if id as usize == df.len() {
                    df.push(0);
                }
                df[id as usize] += 1;
                terms.push((id, n));
            }
            raw.push((coding, doc, code, terms));
        }
        let n = raw.len() as f32;
        let idf: Vec<f32> = df
            .iter()
            .map(|&d| ((n + 1.0) / (d as f32 + 1.0)).ln() + 1.0)
            .collect();
        let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); idf.len()];
        let mut examples = Vec::with_capacity(raw.len());
        let mut frequency: HashMap<i64, usize> = HashMap::new();
        for (i, (coding, doc, code, terms)) in raw.into_iter().enumerate() {
            let terms = weigh(terms.into_iter(), &idf);
            for &(t, w) in &terms {
                postings[t as usize].push((i as u32, w));
            }
            *frequency.entry(code).or_insert(0) += 1;
            examples.push(Example { coding, code, doc });
        }
        Model {
            vocabulary,
            idf,
            examples,
            postings,
            frequency,
        }
    }

    /// Codes for a span, best first, every code the neighbours voted for.
    pub fn rank(
        &self,
        corpus: &mut Corpus,
        doc: i64,
        start: usize,
        end: usize,
    ) -> Vec<(i64, f64, Vec<i64>)> {
        let words = corpus.words(doc, start, end);
        self.rank_words(words)
    }

    /// Codes for a text in `language` (`nl`, `en`), best first, with the passages that voted.
    pub fn rank_text(&self, text: &str, language: &str) -> Vec<(i64, f64, Vec<i64>)> {
        let mut analyzer = crate::search::analyzer_for(language);
        self.rank_words(words_of(&mut analyzer, text))
    }

    fn rank_words(&self, words: HashMap<String, u32>) -> Vec<(i64, f64, Vec<i64>)> {
        let known = words
            .into_iter()
            .filter_map(|(w, n)| self.vocabulary.get(&w).map(|&id| (id, n)));
        let query = weigh(known, &self.idf);
        let mut similarity: HashMap<u32, f32> = HashMap::new();
        // Words in more than a tenth of the examples ("ik", "de", "and") weigh little and cost
        // most: each would visit that many examples for every turn (on 100,000 codings this
        // made `suggest` over a whole corpus take minutes instead of seconds).
        let common = (self.examples.len() / 10).max(50);
        for (t, w) in query {
            let list = &self.postings[t as usize];
            if list.len() > common {
                continue;
            }
            for &(ex, v) in list {
                *similarity.entry(ex).or_insert(0.0) += w * v;
            }
        }
        let mut nearest: Vec<(u32, f32)> = similarity.into_iter().collect();
        nearest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        nearest.truncate(NEIGHBOURS);
        let total: f32 = nearest.iter().map(|(_, s)| s).sum();
        if total <= 0.0 {
            return Vec::new();
        }
        let mut by_code: Vec<(i64, f64, Vec<i64>)> = Vec::new();
        for (ex, s) in nearest {
            let e = &self.examples[ex as usize];
            match by_code.iter_mut().find(|(c, _, _)| *c == e.code) {
                Some((_, score, because)) => {
                    *score += (s / total) as f64;
                    because.push(e.coding);
                }
                None => by_code.push((e.code, (s / total) as f64, vec![e.coding])),
            }
        }
        by_code.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        by_code
    }

    /// The codes coded most often, most first: the baseline a suggestion must beat.
    pub fn most_frequent(&self) -> Vec<i64> {
        let mut codes: Vec<(i64, usize)> = self.frequency.iter().map(|(c, n)| (*c, *n)).collect();
        codes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        codes.into_iter().map(|(c, _)| c).collect()
    }

    /// How many coded passages the model learned from.
    pub fn examples(&self) -> usize {
        self.examples.len()
    }

    /// The documents the model learned from.
    pub fn documents(&self) -> BTreeSet<i64> {
        self.examples.iter().map(|e| e.doc).collect()
    }
}

/// The stemmed words of a text with their counts; pseudonyms become spaces (their labels and
/// numbers say nothing about a code).
fn words_of(analyzer: &mut TextAnalyzer, said: &str) -> HashMap<String, u32> {
    let spans = crate::keyfile::pseudonym_spans(said);
    let mut plain = String::with_capacity(said.len());
    let mut at = 0;
    for (i, c) in said.chars().enumerate() {
        while at < spans.len() && spans[at].1 <= i {
            at += 1;
        }
        let inside = spans.get(at).is_some_and(|&(s, e)| s <= i && i < e);
        plain.push(if inside { ' ' } else { c });
    }
    let mut out = HashMap::new();
    let mut stream = analyzer.token_stream(&plain);
    stream.process(&mut |t| {
        if t.text.chars().any(char::is_alphabetic) {
            *out.entry(t.text.clone()).or_insert(0) += 1;
        }
    });
    out
}

/// TF-IDF weights (1 + ln tf), of unit length.
fn weigh(terms: impl Iterator<Item = (u32, u32)>, idf: &[f32]) -> Vec<(u32, f32)> {
    let mut v: Vec<(u32, f32)> = terms
        .map(|(t, n)| (t, (1.0 + (n as f32).ln()) * idf[t as usize]))
        .collect();
    let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, w) in &mut v {
            *w /= norm;
        }
    }
    v
}

/// A model learned from every coding of the project (the terminal UI's picker builds one in
/// its worker and offers its suggestions first).
pub fn learn(conn: &Connection) -> Result<Model> {
    let mut corpus = Corpus::read(conn)?;
    Ok(Model::train(&mut corpus, None))
}

/// Suggestions for one participant turn.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TurnSuggestions {
    pub doc: i64,
    pub start: usize,
    pub end: usize,
    pub line: i64,
    pub text: String,
    pub suggestions: Vec<Suggestion>,
}

/// Suggestions for the uncoded participant turns of a document (or of every document): the
/// codes scoring at least `threshold`, at most `limit` per turn.
pub fn suggest(
    conn: &Connection,
    doc: Option<i64>,
    limit: usize,
    threshold: f64,
) -> Result<Vec<TurnSuggestions>> {
    let mut corpus = Corpus::read(conn)?;
    let model = Model::train(&mut corpus, None);
    let codes: HashMap<i64, String> = crate::codebook::codes(conn)?
        .into_iter()
        .map(|c| (c.id, c.path))
        .collect();
    let docs: Vec<i64> = match doc {
        Some(d) => vec![d],
        None => {
            let mut all: Vec<i64> = corpus.turns.keys().copied().collect();
            all.sort_unstable();
            all
        }
    };
    let mut out = Vec::new();
    for d in docs {
        let turns: Vec<(usize, usize)> = corpus.turns(d).to_vec();
        let uncoded: Vec<(usize, usize)> = turns
            .into_iter()
            .filter(|&(s, e)| corpus.codes_in(d, s, e).is_empty())
            .collect();
        if uncoded.is_empty() {
            continue;
        }
        let described = crate::coding::describe_spans(
            conn,
            &uncoded
                .iter()
                .map(|&(s, e)| (d, s as i64, e as i64))
                .collect::<Vec<_>>(),
        )?;
        for (&(s, e), (text, line, _)) in uncoded.iter().zip(described) {
            let suggestions: Vec<Suggestion> = model
                .rank(&mut corpus, d, s, e)
                .into_iter()
                .filter(|(_, score, _)| *score >= threshold)
                .take(limit)
                .map(|(code, score, because)| Suggestion {
                    code: codes.get(&code).cloned().unwrap_or_default(),
                    code_id: code,
                    score,
                    because,
                })
                .collect();
            if !suggestions.is_empty() {
                out.push(TurnSuggestions {
                    doc: d,
                    start: s,
                    end: e,
                    line,
                    text,
                    suggestions,
                });
            }
        }
    }
    Ok(out)
}

/// How the suggestions fared, leaving one document out at a time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evaluation {
    /// Coded participant turns predicted (each from a model that never saw its document).
    pub turns: usize,
    pub documents: usize,
    /// Share of turns whose first suggestion is one of the codes applied there.
    pub precision_at_1: f64,
    /// Share of the top three suggestions that are codes applied there.
    pub precision_at_3: f64,
    /// The same for "the most frequent codes of the other documents".
    pub baseline_at_1: f64,
    pub baseline_at_3: f64,
    /// From each threshold on: the share of turns that get a first suggestion, and its
    /// precision among those.
    pub thresholds: Vec<ThresholdRow>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ThresholdRow {
    pub threshold: f64,
    pub shown: f64,
    pub precision_at_1: f64,
}

/// Leave-one-document-out: for every document with coded participant turns, a model learned
/// from all other documents ranks the codes of each of its coded turns; the codes applied to
/// the turn (any coder, the exact codes) are the truth.
pub fn evaluate(conn: &Connection) -> Result<Evaluation> {
    let mut corpus = Corpus::read(conn)?;
    let mut docs: Vec<i64> = corpus.codings.iter().map(|c| c.1).collect();
    docs.sort_unstable();
    docs.dedup();
    let (mut turns, mut hit1, mut hit3, mut base1, mut base3) =
        (0usize, 0usize, 0usize, 0usize, 0usize);
    let mut firsts: Vec<(f64, bool)> = Vec::new();
    let mut used_docs = 0;
    for &d in &docs {
        let model = Model::train(&mut corpus, Some(d));
        let baseline = model.most_frequent();
        let coded: Vec<((usize, usize), BTreeSet<i64>)> = corpus
            .turns(d)
            .to_vec()
            .into_iter()
            .map(|(s, e)| ((s, e), corpus.codes_in(d, s, e)))
            .filter(|(_, codes)| !codes.is_empty())
            .collect();
        if coded.is_empty() {
            continue;
        }
        used_docs += 1;
        for ((s, e), truth) in coded {
            turns += 1;
            let ranked = model.rank(&mut corpus, d, s, e);
            if let Some((code, score, _)) = ranked.first() {
                let right = truth.contains(code);
                hit1 += usize::from(right);
                firsts.push((*score, right));
            } else {
                firsts.push((0.0, false));
            }
            hit3 += ranked
                .iter()
                .take(3)
                .filter(|(c, _, _)| truth.contains(c))
                .count();
            base1 += usize::from(baseline.first().is_some_and(|c| truth.contains(c)));
            base3 += baseline
                .iter()
                .take(3)
                .filter(|c| truth.contains(c))
                .count();
        }
    }
    let share = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    let thresholds = (0..=9)
        .map(|i| {
            let t = i as f64 / 10.0;
            let shown: Vec<&(f64, bool)> =
                firsts.iter().filter(|(s, _)| *s >= t && *s > 0.0).collect();
            ThresholdRow {
                threshold: t,
                shown: share(shown.len(), firsts.len()),
                precision_at_1: share(shown.iter().filter(|(_, r)| *r).count(), shown.len()),
            }
        })
        .collect();
    Ok(Evaluation {
        turns,
        documents: used_docs,
        precision_at_1: share(hit1, turns),
        precision_at_3: share(hit3, turns * 3),
        baseline_at_1: share(base1, turns),
        baseline_at_3: share(base3, turns * 3),
        thresholds,
    })
}
