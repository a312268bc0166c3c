//! Answering a query: parsing it against the stemmed and exact fields, expanding wildcards,
//! finding Dutch words inside compounds (after the turns that say them whole), applying
//! filters, and turning hits into keyword-in-context results.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use rusqlite::Connection;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Index, TantivyDocument, Term};

use super::index::{is_current, readable, rebuild, rebuild_from_scratch, search_error};
use super::schema::{analysed, analyzer};
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
    /// Found only inside compound words ("zelfhulpgroep" for `groep`): such hits come after
    /// every hit that has the words themselves.
    pub compound: bool,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub total: usize,
    pub took_ms: f64,
    /// Whether the index had to be rebuilt first (missing or stale).
    pub rebuilt: bool,
    /// How many of `total` were found only inside compound words.
    pub in_compounds: usize,
    /// What the search did with the query that the researcher should know (a wildcard that
    /// matched more words than are searched).
    pub notes: Vec<String>,
    pub hits: Vec<Hit>,
}

/// The note of a search answered by an index another narrata is writing (see [`search`]).
pub const BEHIND: &str = "the search index is being updated by another narrata command (an import?); these results may lack its newest documents: search again when it has finished";

/// Terms and prefixes the query looks for, per analyser, to mark the matched words.
pub(super) struct Wanted {
    pub(super) terms: HashSet<String>,
    pub(super) prefixes: Vec<String>,
    /// Stemmed words searched inside compounds: a longer word holding one is marked.
    pub(super) parts: Vec<String>,
}

fn wanted(query: &dyn Query, raw: &str, parts_field: Field) -> Wanted {
    let mut terms = HashSet::new();
    let mut parts = Vec::new();
    query.query_terms(&mut |term: &Term, _| {
        if let Some(s) = term.value().as_str() {
            if term.field() == parts_field {
                parts.push(s.to_owned());
            } else {
                terms.insert(s.to_owned());
            }
        }
    });
    let fold = analyzer(None);
    let prefixes = raw
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '"')
        .filter_map(|w| w.strip_suffix('*'))
        .filter(|w| !w.is_empty())
        .map(|w| analysed(&fold, w))
        .collect();
    Wanted {
        terms,
        prefixes,
        parts,
    }
}

/// Runs a query (words, "phrases", AND/OR/NOT, prefix*) with filters, rebuilding a missing or
/// stale index first.
pub fn search(store: &Store, query: &str, filters: &Filters) -> Result<Results> {
    let started = Instant::now();
    // An index folder a crash left half deleted goes now (it may hold replaced words).
    remove_discarded(store.root())?;
    let mut rebuilt = false;
    let mut notes = Vec::new();
    if !is_current(store)? {
        match rebuild(store) {
            Ok(_) => rebuilt = true,
            // Another narrata holds the index's writer for longer than a search waits (an
            // import indexing its batches as it stores them): the index as last committed
            // answers, and the researcher is told what it may lack.
            Err(Error::Busy)
                if crate::store::derived::index_dir(store.root())
                    .join("meta.json")
                    .is_file() =>
            {
                notes.push(BEHIND.to_owned());
            }
            Err(e) => return Err(e),
        }
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
    let with_parts = with_compound_parts(&searcher, f.parts, &normalised);
    let expanded = expand_wildcards(&searcher, f.exact, &normalised, &mut notes)?;
    let parse = |q: &str| {
        parser.parse_query(q).map_err(|_| {
            Error::Invalid(format!(
                "the search query `{trimmed}` could not be read ({}); use words, \"a phrase\", AND, OR, NOT, (brackets) and * for any letters (word*, *word, wo*rd)",
                query_problem(trimmed)
            ))
        })
    };
    let parsed = parse(&expanded)?;
    // The same query with each word also sought among compounds' parts, when any is there.
    let compounds = match with_parts {
        Some(q) => Some(parse(&expand_wildcards(
            &searcher,
            f.exact,
            &q,
            &mut Vec::new(),
        )?)?),
        None => None,
    };
    let want = wanted(
        compounds.as_ref().unwrap_or(&parsed).as_ref(),
        trimmed,
        f.parts,
    );
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
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
    // The wave as stored (`W2` for a typed `w2` or `T2`).
    let wave = match &filters.wave {
        Some(w) => crate::corpus::wave_named(store.conn(), w)?,
        None => None,
    };
    if let Some(w) = &filters.wave {
        let name = crate::import::resolve::normalise_wave(w);
        if wave.is_none() {
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
    if let Some(w) = &wave {
        clauses.push((Occur::Must, string(f.wave, w)));
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
    let with = |query: &dyn Query, extra: Option<(Occur, Box<dyn Query>)>| {
        let mut all: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, query.box_clone())];
        all.extend(extra);
        all.extend(clauses.iter().map(|(o, q)| (*o, q.box_clone())));
        BooleanQuery::new(all)
    };
    let whole = with(parsed.as_ref(), None);
    let limit = if filters.limit == 0 {
        50
    } else {
        filters.limit
    };
    let count = |q: &BooleanQuery| {
        searcher
            .search(q, &tantivy::collector::Count)
            .map_err(search_error)
    };
    let top = |q: &BooleanQuery, n: usize| {
        // Never ask for more hits than there are (the collector reserves room for them all).
        searcher
            .search(q, &TopDocs::with_limit(n.max(1)).order_by_score())
            .map_err(search_error)
    };
    let total_whole = count(&whole)?;
    let mut found = top(&whole, limit.min(total_whole))?;
    found.truncate(total_whole);
    // Turns that have a word only inside compounds come after every turn that has it whole.
    let mut total = total_whole;
    let mut in_compounds = 0;
    if let Some(compounds) = &compounds {
        let only_parts = with(
            compounds.as_ref(),
            Some((Occur::MustNot, parsed.box_clone())),
        );
        in_compounds = count(&only_parts)?;
        total += in_compounds;
        if found.len() < limit && in_compounds > 0 {
            let more = top(&only_parts, (limit - found.len()).min(in_compounds))?;
            found.extend(more.into_iter().take(in_compounds));
        }
    }
    let mut turn_ids = Vec::new();
    for (i, (score, addr)) in found.iter().enumerate() {
        let d: TantivyDocument = searcher.doc(*addr).map_err(search_error)?;
        let turn = d.get_first(f.turn).and_then(|v| v.as_u64()).unwrap_or(0) as i64;
        turn_ids.push((turn, *score, i >= total_whole.min(limit)));
    }
    let hits = hits_for(store.conn(), &index, &turn_ids, &want)?;
    Ok(Results {
        total,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        rebuilt,
        in_compounds,
        notes,
        hits,
    })
}

/// The query with each plain word `w` (not quoted, not an operator, no wildcard or field)
/// written `(w OR parts:w)`, when the index has `w` among the parts of some compound; `None`
/// when no word of the query is there.
fn with_compound_parts(searcher: &tantivy::Searcher, parts: Field, query: &str) -> Option<String> {
    let dutch = analyzer(Some(tantivy::tokenizer::Language::Dutch));
    let mut out = String::with_capacity(query.len() * 2);
    let mut changed = false;
    let mut quoted = false;
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String, changed: &mut bool| {
        if word.is_empty() {
            return;
        }
        let plain = word.chars().all(char::is_alphanumeric)
            && !matches!(word.as_str(), "AND" | "OR" | "NOT");
        let stem = plain.then(|| analysed(&dutch, word));
        let present = stem.as_deref().is_some_and(|stem| {
            !stem.is_empty()
                && searcher
                    .doc_freq(&Term::from_field_text(parts, stem))
                    .is_ok_and(|n| n > 0)
        });
        if present {
            out.push_str(&format!("({word} OR parts:{word})"));
            *changed = true;
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in query.chars() {
        if quoted {
            out.push(c);
            quoted = c != '"';
        } else if c.is_whitespace() || c == '(' || c == ')' || c == '"' {
            flush(&mut word, &mut out, &mut changed);
            out.push(c);
            quoted = c == '"';
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out, &mut changed);
    changed.then_some(out)
}

/// How many index words a wildcard stands for at most (the most frequent ones).
const WILDCARD_WORDS: usize = 64;

/// Rewrites each word with `*` (any letters: `groep*`, `*groep`, `zelf*groep`) as
/// `(w1 OR w2 …)` over the words of the index it matches, so wildcards work in every field
/// and are stemmed like any word. A pattern needs two letters; one that matches more than
/// [`WILDCARD_WORDS`] words searches the most frequent ones and says so in `notes`.
fn expand_wildcards(
    searcher: &tantivy::Searcher,
    exact: Field,
    query: &str,
    notes: &mut Vec<String>,
) -> Result<String> {
    if !query.contains('*') {
        return Ok(query.to_owned());
    }
    let re = regex::Regex::new(r"[\p{L}\p{N}*]*\*[\p{L}\p{N}*]*")
        .map_err(|e| Error::Internal(e.to_string()))?;
    let fold = analyzer(None);
    let folded = |text: &str| analysed(&fold, text);
    let mut out = String::new();
    let mut last = 0;
    for m in re.find_iter(query) {
        out.push_str(&query[last..m.start()]);
        last = m.end();
        let typed = m.as_str();
        // The pattern's letters, folded as the index folds them, between the stars.
        let pieces: Vec<String> = typed.split('*').map(folded).collect();
        let letters: usize = pieces
            .iter()
            .map(|p| p.chars().filter(|c| c.is_alphanumeric()).count())
            .sum();
        if letters < 2 {
            return Err(Error::Invalid(format!(
                "`{typed}` has too few letters to search: give at least two besides the *"
            )));
        }
        let (first, rest) = pieces
            .split_first()
            .expect("split gives one piece at least");
        let matches = |key: &str| -> bool {
            let Some(mut tail) = key.strip_prefix(first.as_str()) else {
                return false;
            };
            let Some((end, middle)) = rest.split_last() else {
                return tail.is_empty();
            };
            for piece in middle {
                match tail.find(piece.as_str()) {
                    Some(i) => tail = &tail[i + piece.len()..],
                    None => return false,
                }
            }
            tail.ends_with(end.as_str()) && tail.len() >= end.len()
        };
        // Every index word the pattern matches, with how many turns have it.
        let mut words: HashMap<String, u64> = HashMap::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(exact).map_err(search_error)?;
            let mut terms = inverted
                .terms()
                .range()
                .ge(first.as_bytes())
                .into_stream()
                .map_err(|e| Error::Invalid(format!("the search index could not be read: {e}")))?;
            while terms.advance() {
                let key = terms.key();
                if !key.starts_with(first.as_bytes()) {
                    break;
                }
                if let Ok(w) = std::str::from_utf8(key)
                    && matches(w)
                {
                    *words.entry(w.to_owned()).or_default() += u64::from(terms.value().doc_freq);
                }
            }
        }
        let mut words: Vec<(String, u64)> = words.into_iter().collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if words.len() > WILDCARD_WORDS {
            notes.push(format!(
                "`{typed}` matches {} words; the {WILDCARD_WORDS} most frequent were searched",
                words.len()
            ));
            words.truncate(WILDCARD_WORDS);
        }
        let mut words: Vec<String> = words.into_iter().map(|(w, _)| w).collect();
        if words.is_empty() {
            // Nothing matches: the pattern's letters, sought unstemmed, find nothing (stemmed,
            // `groepen` of `*groepen` would find `groep`).
            // Its letters and digits only: what folding makes of an odd one ("⒈" → "1.")
            // would make a phrase, which this field (no positions) cannot answer.
            let letters: String = pieces
                .concat()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect();
            words.push(format!("exact:{letters}"));
            notes.push(format!("`{typed}` matches no word in the index"));
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
    turns: &[(i64, f32, bool)],
    want: &Wanted,
) -> Result<Vec<Hit>> {
    type TurnRow = (i64, i64, i64, i64, String, Option<String>);
    let mut stmt = conn.prepare(
        "SELECT t.doc_id, t.start, t.end, t.line, t.speaker, p.code FROM turns t LEFT JOIN participants p ON p.id = t.participant_id WHERE t.id = ?1",
    )?;
    let mut rows: Vec<(i64, f32, bool, TurnRow)> = Vec::new();
    for &(turn, score, compound) in turns {
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
        rows.extend(row.map(|row| (turn, score, compound, row)));
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
    let mut hit_docs: Vec<i64> = rows.iter().map(|(_, _, _, (doc, ..))| *doc).collect();
    hit_docs.sort_unstable();
    hit_docs.dedup();
    let mut summaries = crate::corpus::documents_by_id(conn, &hit_docs)?;
    for (_, _, _, (doc, start, end, ..)) in &rows {
        if !docs.contains_key(doc) {
            let text = crate::corpus::text(conn, *doc)?;
            let summary = summaries
                .remove(doc)
                .ok_or_else(|| Error::NotFound(format!("there is no document {doc}")))?;
            docs.insert(*doc, (text, summary, Vec::new(), Vec::new()));
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
    for (turn, score, compound, (doc, start, end, line, speaker, speaker_participant)) in rows {
        let (text, summary, bounds, bytes) = &docs[&doc];
        let byte = |c: i64| bytes[bounds.binary_search(&(c as usize)).unwrap_or(0)];
        let said = &text[byte(start)..byte(end)];
        let analyzer = if summary.language == "en" { &en } else { &nl };
        let spans = matched_spans(said, start, [analyzer, &exact], want, compound);
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
            compound,
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
