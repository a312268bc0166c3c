//! Answering a query: parsing it against the stemmed and exact fields, expanding prefixes,
//! applying filters, and turning hits into keyword-in-context results.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use rusqlite::Connection;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Index, TantivyDocument, Term};

use super::index::{is_current, readable, rebuild, rebuild_from_scratch, search_error};
use super::schema::analyzer;
use super::snippets::{matched_spans, snippet};
use crate::codebook;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::derived::remove_discarded;

/// Search filters, as the command line gives them.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub participant: Option<String>,
    pub wave: Option<String>,
    pub speaker: Option<String>,
    pub code: Option<String>,
    pub kind: Option<String>,
    pub doc: Option<i64>,
    /// Only turns of the documents of this document group.
    pub group: Option<String>,
    pub limit: usize,
}

/// One hit: a turn, the spans of the matched words, a keyword-in-context snippet.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub doc: i64,
    pub turn: i64,
    pub participant: Option<String>,
    pub participants: Vec<String>,
    pub wave: Option<String>,
    pub speaker: String,
    pub start: i64,
    pub end: i64,
    pub line: i64,
    pub snippet: String,
    pub score: f32,
    /// Character spans `[start, end]` of the matched words in the document.
    pub matches: Vec<[i64; 2]>,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub total: usize,
    pub took_ms: f64,
    /// Whether the index had to be rebuilt first (missing or stale).
    pub rebuilt: bool,
    pub hits: Vec<Hit>,
}

/// Terms and prefixes the query looks for, per analyser, to mark the matched words.
pub(super) struct Wanted {
    pub(super) terms: HashSet<String>,
    pub(super) prefixes: Vec<String>,
}

fn wanted(query: &dyn Query, raw: &str) -> Wanted {
    let mut terms = HashSet::new();
    query.query_terms(&mut |term: &Term, _| {
        if let Some(s) = term.value().as_str() {
            terms.insert(s.to_owned());
        }
    });
    let fold = analyzer(None);
    let prefixes = raw
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '"')
        .filter_map(|w| w.strip_suffix('*'))
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut a = fold.clone();
            let mut s = a.token_stream(w);
            let mut out = String::new();
            while s.advance() {
                out.push_str(&s.token().text);
            }
            out
        })
        .collect();
    Wanted { terms, prefixes }
}

/// Runs a query (words, "phrases", AND/OR/NOT, prefix*) with filters, rebuilding a missing or
/// stale index first.
pub fn search(store: &Store, query: &str, filters: &Filters) -> Result<Results> {
    let started = Instant::now();
    // An index folder a crash left half deleted goes now (it may hold replaced words).
    remove_discarded(store.root())?;
    let mut rebuilt = false;
    if !is_current(store)? {
        rebuild(store)?;
        rebuilt = true;
    }
    let (index, f, reader) = match readable(store.root()) {
        Ok(opened) => opened,
        // A damaged file (cut short by a full disk, say): the database is the truth, so the
        // index is built anew from it, once.
        Err(_) => {
            rebuild_from_scratch(store)?;
            rebuilt = true;
            readable(store.root())?
        }
    };
    let searcher = reader.searcher();
    let mut parser = QueryParser::for_index(&index, vec![f.text_nl, f.text_en]);
    parser.set_conjunction_by_default();
    let trimmed = query.trim();
    if trimmed.is_empty() {
        return Err(Error::Invalid(
            "the search query is empty; give one or more words".into(),
        ));
    }
    // "a AND NOT b" means "a NOT b" (the parser would read a lone NOT clause as matching nothing).
    let normalised = regex::Regex::new(r"\bAND\s+NOT\b")
        .map(|re| re.replace_all(trimmed, "NOT").into_owned())
        .unwrap_or_else(|_| trimmed.to_owned());
    let expanded = expand_prefixes(&searcher, f.exact, &normalised)?;
    let parsed = parser.parse_query(&expanded).map_err(|_| {
        Error::Invalid(format!(
            "the search query `{trimmed}` could not be read ({}); use words, \"a phrase\", AND, OR, NOT, (brackets) and word* for a prefix",
            query_problem(trimmed)
        ))
    })?;
    let want = wanted(parsed.as_ref(), trimmed);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, parsed)];
    let string = |field: Field, value: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    };
    // A filter that names no participant or wave would quietly find nothing: say so.
    if let Some(p) = &filters.participant {
        let code = crate::import::resolve::normalise_participant(p);
        let known: bool = store.conn().query_row(
            "SELECT EXISTS(SELECT 1 FROM participants WHERE code = ?1)",
            [&code],
            |r| r.get(0),
        )?;
        if !known {
            return Err(Error::NotFound(format!(
                "there is no participant `{code}`; `narrata participants` lists them"
            )));
        }
    }
    if let Some(w) = &filters.wave {
        let name = crate::import::resolve::normalise_wave(w);
        let known: bool = store.conn().query_row(
            "SELECT EXISTS(SELECT 1 FROM waves WHERE name = ?1)",
            [&name],
            |r| r.get(0),
        )?;
        if !known {
            let all: Vec<String> = crate::corpus::waves(store.conn())?
                .into_iter()
                .map(|w| w.name)
                .collect();
            return Err(Error::NotFound(format!(
                "there is no wave `{name}`; the waves are {}",
                if all.is_empty() {
                    "none yet".to_owned()
                } else {
                    all.join(", ")
                }
            )));
        }
    }
    if let Some(p) = &filters.participant {
        clauses.push((
            Occur::Must,
            string(
                f.participant,
                &crate::import::resolve::normalise_participant(p),
            ),
        ));
    }
    if let Some(w) = &filters.wave {
        clauses.push((
            Occur::Must,
            string(f.wave, &crate::import::resolve::normalise_wave(w)),
        ));
    }
    if let Some(s) = &filters.speaker {
        clauses.push((Occur::Must, string(f.speaker, &s.to_lowercase())));
    }
    if let Some(k) = &filters.kind {
        clauses.push((Occur::Must, string(f.kind, &k.to_lowercase())));
    }
    if let Some(d) = filters.doc {
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_u64(f.doc, d as u64),
                IndexRecordOption::Basic,
            )),
        ));
    }
    if let Some(g) = &filters.group {
        let docs = crate::groups::documents_of(store.conn(), g)?;
        clauses.push((
            Occur::Must,
            Box::new(TermSetQuery::new(
                docs.into_iter()
                    .map(|d| Term::from_field_u64(f.doc, d as u64)),
            )),
        ));
    }
    if let Some(c) = &filters.code {
        let all = codebook::codes(store.conn())?;
        let code = codebook::find_in(&all, c)?;
        let ids = codebook::with_descendants(&all, code.id);
        clauses.push((
            Occur::Must,
            Box::new(TermSetQuery::new(
                ids.into_iter()
                    .map(|i| Term::from_field_u64(f.codes, i as u64)),
            )),
        ));
    }
    let q = BooleanQuery::new(clauses);
    let limit = if filters.limit == 0 {
        50
    } else {
        filters.limit
    };
    let total = searcher
        .search(&q, &tantivy::collector::Count)
        .map_err(search_error)?;
    // Never ask for more hits than there are (the collector reserves room for all it may keep).
    let limit = limit.min(total).max(1);
    let top = searcher
        .search(&q, &TopDocs::with_limit(limit).order_by_score())
        .map_err(search_error)?;
    let mut turn_ids = Vec::new();
    for (score, addr) in &top {
        let d: TantivyDocument = searcher.doc(*addr).map_err(search_error)?;
        let turn = d.get_first(f.turn).and_then(|v| v.as_u64()).unwrap_or(0) as i64;
        turn_ids.push((turn, *score));
    }
    let hits = hits_for(store.conn(), &index, &turn_ids, &want)?;
    Ok(Results {
        total,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        rebuilt,
        hits,
    })
}

/// Rewrites each `word*` as `(w1 OR w2 …)` over the words of the index that start with it
/// (at most 64, most of them the same word in other forms), so prefixes work in every field
/// and are stemmed like any word.
fn expand_prefixes(searcher: &tantivy::Searcher, exact: Field, query: &str) -> Result<String> {
    if !query.contains('*') {
        return Ok(query.to_owned());
    }
    let re = regex::Regex::new(r"([\p{L}\p{N}]+)\*").map_err(|e| Error::Internal(e.to_string()))?;
    let fold = analyzer(None);
    let mut out = String::new();
    let mut last = 0;
    for c in re.captures_iter(query) {
        let (Some(all), Some(word)) = (c.get(0), c.get(1)) else {
            continue;
        };
        out.push_str(&query[last..all.start()]);
        last = all.end();
        let mut a = fold.clone();
        let mut stream = a.token_stream(word.as_str());
        let mut prefix = String::new();
        while stream.advance() {
            prefix.push_str(&stream.token().text);
        }
        let mut words: Vec<String> = Vec::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(exact).map_err(search_error)?;
            let mut terms = inverted
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .into_stream()
                .map_err(|e| Error::Invalid(format!("the search index could not be read: {e}")))?;
            while terms.advance() && words.len() < 64 {
                let key = terms.key();
                if !key.starts_with(prefix.as_bytes()) {
                    break;
                }
                if let Ok(w) = std::str::from_utf8(key)
                    && !words.iter().any(|x| x == w)
                {
                    words.push(w.to_owned());
                }
            }
        }
        if words.is_empty() {
            words.push(prefix);
        }
        out.push('(');
        out.push_str(&words.join(" OR "));
        out.push(')');
    }
    out.push_str(&query[last..]);
    Ok(out)
}

/// Turns looked up in the database, with matched spans and snippets.
fn hits_for(
    conn: &Connection,
    index: &Index,
    turns: &[(i64, f32)],
    want: &Wanted,
) -> Result<Vec<Hit>> {
    type TurnRow = (i64, i64, i64, i64, String, Option<String>);
    let mut stmt = conn.prepare(
        "SELECT t.doc_id, t.start, t.end, t.line, t.speaker, p.code FROM turns t LEFT JOIN participants p ON p.id = t.participant_id WHERE t.id = ?1",
    )?;
    let mut rows: Vec<(i64, f32, TurnRow)> = Vec::new();
    for &(turn, score) in turns {
        let row = rusqlite::OptionalExtension::optional(stmt.query_row([turn], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        }))?;
        rows.extend(row.map(|row| (turn, score, row)));
    }
    // Per document: its text, its summary, and the byte offsets of every hit turn's ends,
    // found in one pass (slicing by characters turn by turn rescanned the text each time).
    let mut docs: HashMap<
        i64,
        (
            String,
            crate::corpus::DocumentSummary,
            Vec<usize>,
            Vec<usize>,
        ),
    > = HashMap::new();
    for (_, _, (doc, start, end, ..)) in &rows {
        if !docs.contains_key(doc) {
            let text = crate::corpus::text(conn, *doc)?;
            docs.insert(
                *doc,
                (
                    text,
                    crate::corpus::document(conn, *doc)?,
                    Vec::new(),
                    Vec::new(),
                ),
            );
        }
        let bounds = &mut docs.get_mut(doc).expect("inserted above").2;
        bounds.extend([*start as usize, *end as usize]);
    }
    for (text, _, bounds, bytes) in docs.values_mut() {
        bounds.sort_unstable();
        bounds.dedup();
        *bytes = crate::offsets::char_to_byte(text, bounds);
    }
    let nl = index.tokenizers().get("narrata_nl");
    let en = index.tokenizers().get("narrata_en");
    let exact = index.tokenizers().get("narrata_exact");
    let mut out = Vec::with_capacity(rows.len());
    for (turn, score, (doc, start, end, line, speaker, speaker_participant)) in rows {
        let (text, summary, bounds, bytes) = &docs[&doc];
        let byte = |c: i64| bytes[bounds.binary_search(&(c as usize)).unwrap_or(0)];
        let said = &text[byte(start)..byte(end)];
        let analyzer = if summary.language == "en" { &en } else { &nl };
        let spans = matched_spans(said, start, [analyzer, &exact], want);
        let participant = if summary.kind == "individual" {
            summary.participants.first().cloned()
        } else {
            speaker_participant
        };
        let snippet = snippet(said, start, end, &spans);
        out.push(Hit {
            doc,
            turn,
            participant: participant.clone(),
            participants: participant.into_iter().collect(),
            wave: summary.wave.clone(),
            speaker,
            start,
            end,
            line,
            snippet,
            score,
            matches: spans,
        });
    }
    Ok(out)
}

/// What is most likely wrong with a query the parser refused, in the researcher's words.
fn query_problem(query: &str) -> &'static str {
    if query.matches('"').count() % 2 == 1 {
        return "a quotation mark is not closed";
    }
    let mut depth = 0i32;
    for c in query.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return "a bracket closes before it opens";
                }
            }
            _ => {}
        }
    }
    if depth > 0 {
        "a bracket is not closed"
    } else {
        "an operator has nothing to work on, or a sign the search does not know"
    }
}
