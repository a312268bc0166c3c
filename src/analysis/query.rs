//! Coding queries: passages retrieved by combinations of codes.
//!
//! `Hope AND Peer support`, `Isolation NOT Peer support`, `Hope OR Agency`,
//! `Turning point NEAR Hope`, `Loss FOLLOWED BY Hope`, parentheses to group. Operators are
//! written in capitals, so a code name may hold "and" or "or" (`Work and income AND Hope`);
//! a name with a capital operator word in it is quoted. `AND`, `NOT`, `NEAR` and
//! `FOLLOWED BY` bind tighter than `OR`, and run left to right. What each returns:
//!
//! - a code: its passages (with its sub-codes' unless told otherwise);
//! - `A AND B`: where A and B meet ([`Meet`]: their passages overlap, the default, giving the
//!   overlapping words; or they are in the same turn, giving the span from the first to the
//!   last word of the two);
//! - `A NOT B`: A's passages that do not meet B (in the same sense);
//! - `A OR B`: the passages of either;
//! - `A NEAR B`: A and B within a distance of each other (in words or turns, either order),
//!   giving the span covering both;
//! - `A FOLLOWED BY B`: the same with B beginning after A has ended.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Data, Passage};
use crate::codebook;
use crate::error::{Error, Result};

/// When `AND` and `NOT` count two passages as meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Meet {
    /// They share at least one character.
    #[default]
    Overlap,
    /// They touch a common turn.
    SameTurn,
}

/// What a distance for `NEAR` and `FOLLOWED BY` is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// Words between the end of one and the start of the other.
    Words,
    /// Turns between them: 0 is the same turn, 1 the next.
    #[default]
    Turns,
}

/// How a query is read.
#[derive(Debug, Clone, Serialize)]
pub struct Options {
    pub meet: Meet,
    pub distance: usize,
    pub unit: Unit,
    /// A code stands for itself and its sub-codes (the default).
    pub with_subcodes: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            meet: Meet::Overlap,
            distance: 1,
            unit: Unit::Turns,
            with_subcodes: true,
        }
    }
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Code { id: i64, path: String },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>, Box<Expr>),
    Near(Box<Expr>, Box<Expr>),
    FollowedBy(Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Open,
    Close,
}

fn tokens(text: &str) -> Result<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            '"' | '“' | '\'' => {
                chars.next();
                let close = if c == '“' { '”' } else { c };
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some(d) if d == close => break,
                        Some(d) => s.push(d),
                        None => {
                            return Err(Error::Invalid(format!(
                                "the query `{text}` opens a quote that it does not close"
                            )));
                        }
                    }
                }
                out.push(Token::Quoted(s));
            }
            _ => {
                let mut s = String::new();
                while let Some(&d) = chars.peek() {
                    if d.is_whitespace() || d == '(' || d == ')' {
                        break;
                    }
                    s.push(d);
                    chars.next();
                }
                out.push(Token::Word(s));
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    And,
    Or,
    Not,
    Near,
    FollowedBy,
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    at: usize,
    codes: &'a [codebook::Code],
}

impl Parser<'_> {
    fn fail(&self, what: &str) -> Error {
        Error::Invalid(format!(
            "the query `{}` {what}; a query reads like `Hope AND \"Peer support\"` (operators AND, OR, NOT, NEAR, FOLLOWED BY in capitals)",
            self.text
        ))
    }

    /// The operator at the cursor, and how many tokens it takes.
    fn op(&self) -> Option<(Op, usize)> {
        let word = |i: usize| match self.tokens.get(self.at + i) {
            Some(Token::Word(w)) => Some(w.as_str()),
            _ => None,
        };
        match word(0)? {
            "AND" if word(1) == Some("NOT") => Some((Op::Not, 2)),
            "AND" => Some((Op::And, 1)),
            "OR" => Some((Op::Or, 1)),
            "NOT" => Some((Op::Not, 1)),
            "NEAR" => Some((Op::Near, 1)),
            "FOLLOWED" if word(1) == Some("BY") => Some((Op::FollowedBy, 2)),
            _ => None,
        }
    }

    fn or(&mut self) -> Result<Expr> {
        let mut left = self.and()?;
        while let Some((Op::Or, n)) = self.op() {
            self.at += n;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr> {
        let mut left = self.primary()?;
        while let Some((op, n)) = self.op().filter(|(op, _)| *op != Op::Or) {
            self.at += n;
            let right = Box::new(self.primary()?);
            let left_box = Box::new(left);
            left = match op {
                Op::And => Expr::And(left_box, right),
                Op::Not => Expr::Not(left_box, right),
                Op::Near => Expr::Near(left_box, right),
                _ => Expr::FollowedBy(left_box, right),
            };
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Expr> {
        match self.tokens.get(self.at) {
            Some(Token::Open) => {
                self.at += 1;
                let inner = self.or()?;
                if self.tokens.get(self.at) != Some(&Token::Close) {
                    return Err(self.fail("opens a parenthesis that it does not close"));
                }
                self.at += 1;
                Ok(inner)
            }
            Some(Token::Quoted(name)) => {
                let name = name.clone();
                self.at += 1;
                self.code(&name)
            }
            Some(Token::Word(_)) if self.op().is_none() => {
                // A name runs to the next operator or parenthesis: `Peer support AND Hope`.
                let mut words = Vec::new();
                while let Some(Token::Word(w)) = self.tokens.get(self.at) {
                    if self.op().is_some() {
                        break;
                    }
                    words.push(w.clone());
                    self.at += 1;
                }
                self.code(&words.join(" "))
            }
            Some(Token::Word(w)) => Err(self.fail(&format!("has `{w}` where a code was expected"))),
            Some(Token::Close) => Err(self.fail("closes a parenthesis where a code was expected")),
            None => Err(self.fail("ends where a code was expected")),
        }
    }

    fn code(&self, name: &str) -> Result<Expr> {
        let c = codebook::find_in(self.codes, name)?;
        Ok(Expr::Code {
            id: c.id,
            path: c.path.clone(),
        })
    }
}

/// Parses a query against the codebook: every code must exist (an unknown or ambiguous name
/// is an error listing what there is).
pub fn parse(text: &str, codes: &[codebook::Code]) -> Result<Expr> {
    let mut p = Parser {
        text,
        tokens: tokens(text)?,
        at: 0,
        codes,
    };
    if p.tokens.is_empty() {
        return Err(p.fail("is empty"));
    }
    let e = p.or()?;
    if p.at < p.tokens.len() {
        return Err(p.fail("has more after a complete query (an operator missing?)"));
    }
    Ok(e)
}

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pair = |f: &mut std::fmt::Formatter<'_>, a: &Expr, op: &str, b: &Expr| {
            let side = |e: &Expr| match e {
                Expr::Code { .. } => e.to_string(),
                _ => format!("({e})"),
            };
            write!(f, "{} {op} {}", side(a), side(b))
        };
        match self {
            Expr::Code { path, .. } => write!(f, "\"{path}\""),
            Expr::And(a, b) => pair(f, a, "AND", b),
            Expr::Or(a, b) => pair(f, a, "OR", b),
            Expr::Not(a, b) => pair(f, a, "NOT", b),
            Expr::Near(a, b) => pair(f, a, "NEAR", b),
            Expr::FollowedBy(a, b) => pair(f, a, "FOLLOWED BY", b),
        }
    }
}

fn by_doc(passages: Vec<Passage>) -> BTreeMap<i64, Vec<Passage>> {
    let mut out: BTreeMap<i64, Vec<Passage>> = BTreeMap::new();
    for p in passages {
        out.entry(p.doc).or_default().push(p);
    }
    out
}

/// Sorts passages and unites those with the same span (their codings joined).
fn settle(mut out: Vec<Passage>) -> Vec<Passage> {
    out.sort_by_key(|p| (p.doc, p.start, p.end));
    let mut settled: Vec<Passage> = Vec::with_capacity(out.len());
    for p in out {
        match settled.last_mut() {
            Some(last) if (last.doc, last.start, last.end) == (p.doc, p.start, p.end) => {
                last.codings.extend(p.codings);
            }
            _ => settled.push(p),
        }
    }
    for p in &mut settled {
        p.codings.sort_unstable();
        p.codings.dedup();
    }
    settled
}

fn joined(a: &Passage, b: &Passage, start: usize, end: usize) -> Passage {
    let mut codings = a.codings.clone();
    codings.extend(&b.codings);
    Passage {
        doc: a.doc,
        start,
        end,
        codings,
    }
}

impl Data {
    /// The turns a passage touches, as a range of turn indexes.
    fn turn_range(&self, p: &Passage) -> (usize, usize) {
        let first = self.turn_at(p.doc, p.start);
        let last = self.turn_at(p.doc, p.end.saturating_sub(1).max(p.start));
        (first, last.max(first))
    }

    fn meets(&self, a: &Passage, b: &Passage, meet: Meet) -> bool {
        match meet {
            Meet::Overlap => a.start < b.end && b.start < a.end,
            Meet::SameTurn => {
                let (a0, a1) = self.turn_range(a);
                let (b0, b1) = self.turn_range(b);
                a0 <= b1 && b0 <= a1
            }
        }
    }

    /// The distance from `a` to `b` (0 when they overlap), in the unit asked for.
    fn distance(&self, a: &Passage, b: &Passage, unit: Unit) -> usize {
        let (first, second) = if a.start <= b.start { (a, b) } else { (b, a) };
        if second.start < first.end {
            return 0;
        }
        match unit {
            Unit::Words => self.words(a.doc, first.end, second.start),
            Unit::Turns => {
                let (_, f1) = self.turn_range(first);
                let (s0, _) = self.turn_range(second);
                s0.saturating_sub(f1)
            }
        }
    }

    /// The passages a query retrieves, in document order.
    pub fn evaluate(&self, e: &Expr, o: &Options) -> Vec<Passage> {
        match e {
            Expr::Code { id, .. } => self.passages(&self.code_ids(*id, o.with_subcodes)),
            Expr::Or(a, b) => {
                let mut all = self.evaluate(a, o);
                all.extend(self.evaluate(b, o));
                settle(all)
            }
            Expr::And(a, b) | Expr::Not(a, b) | Expr::Near(a, b) | Expr::FollowedBy(a, b) => {
                let left = by_doc(self.evaluate(a, o));
                let mut right = by_doc(self.evaluate(b, o));
                let mut out = Vec::new();
                for (doc, xs) in left {
                    let ys = right.remove(&doc).unwrap_or_default();
                    for x in xs {
                        match e {
                            Expr::Not(..) => {
                                if !ys.iter().any(|y| self.meets(&x, y, o.meet)) {
                                    out.push(x);
                                }
                            }
                            Expr::And(..) => {
                                for y in ys.iter().filter(|y| self.meets(&x, y, o.meet)) {
                                    out.push(match o.meet {
                                        Meet::Overlap => {
                                            joined(&x, y, x.start.max(y.start), x.end.min(y.end))
                                        }
                                        Meet::SameTurn => {
                                            joined(&x, y, x.start.min(y.start), x.end.max(y.end))
                                        }
                                    });
                                }
                            }
                            _ => {
                                let after = matches!(e, Expr::FollowedBy(..));
                                for y in &ys {
                                    if after && y.start < x.end {
                                        continue;
                                    }
                                    if self.distance(&x, y, o.unit) <= o.distance {
                                        out.push(joined(
                                            &x,
                                            y,
                                            x.start.min(y.start),
                                            x.end.max(y.end),
                                        ));
                                    }
                                }
                            }
                        }
                    }
                }
                settle(out)
            }
        }
    }
}

/// One passage a query retrieved, described for reading and citing.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Found {
    pub doc: i64,
    pub title: String,
    pub participants: Vec<String>,
    pub wave: Option<String>,
    pub start: usize,
    pub end: usize,
    pub line: i64,
    pub end_line: i64,
    pub text: String,
    /// The codings that made the passage, and their codes' paths.
    pub codings: Vec<i64>,
    pub codes: Vec<String>,
}

/// What a query returned.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub query: String,
    pub scope: String,
    pub options: Options,
    pub total: usize,
    pub took_ms: f64,
    pub passages: Vec<Found>,
}

/// Parses and runs a query over `scope`; `text` (a search query) keeps only the passages
/// that hold one of its matches.
pub fn run(
    store: &crate::store::Store,
    text: &str,
    scope: &super::Scope,
    o: &Options,
    words: Option<&str>,
) -> Result<Outcome> {
    let started = std::time::Instant::now();
    let conn = store.conn();
    let all = codebook::codes(conn)?;
    let expr = parse(text, &all)?;
    // Only the codings of the query's codes are read.
    let mut wanted = std::collections::HashSet::new();
    expr.codes(&mut |id| {
        wanted.extend(codebook::with_descendants(&all, id));
    });
    // Turns are read when the query asks about them (same turn, or a distance in turns).
    let turns = o.meet == Meet::SameTurn || (o.unit == Unit::Turns && uses_distance(&expr));
    let mut data = Data::load_codes(conn, scope, Some(&wanted), turns)?;
    if o.unit == Unit::Words && uses_distance(&expr) {
        data.read_words(conn)?;
    }
    let mut found = data.evaluate(&expr, o);
    if let Some(words) = words.map(str::trim).filter(|w| !w.is_empty()) {
        let filters = crate::search::Filters {
            limit: usize::MAX / 2,
            ..crate::search::Filters::default()
        };
        let hits = crate::search::search(store, words, &filters)?;
        let mut matches: BTreeMap<i64, Vec<(usize, usize)>> = BTreeMap::new();
        for h in hits.hits {
            for [s, e] in h.matches {
                matches
                    .entry(h.doc)
                    .or_default()
                    .push((s.max(0) as usize, e.max(0) as usize));
            }
        }
        found.retain(|p| {
            matches
                .get(&p.doc)
                .is_some_and(|m| m.iter().any(|&(s, e)| s < p.end && p.start < e))
        });
    }
    let passages = describe(conn, &data, &found)?;
    Ok(Outcome {
        query: expr.to_string(),
        scope: scope.describe(),
        options: o.clone(),
        total: passages.len(),
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        passages,
    })
}

impl Expr {
    /// Calls `f` with every code the query names.
    fn codes(&self, f: &mut impl FnMut(i64)) {
        match self {
            Expr::Code { id, .. } => f(*id),
            Expr::And(a, b)
            | Expr::Or(a, b)
            | Expr::Not(a, b)
            | Expr::Near(a, b)
            | Expr::FollowedBy(a, b) => {
                a.codes(f);
                b.codes(f);
            }
        }
    }
}

fn uses_distance(e: &Expr) -> bool {
    match e {
        Expr::Code { .. } => false,
        Expr::Near(..) | Expr::FollowedBy(..) => true,
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Not(a, b) => uses_distance(a) || uses_distance(b),
    }
}

/// Text, lines, participants and codes of passages.
pub fn describe(conn: &rusqlite::Connection, data: &Data, found: &[Passage]) -> Result<Vec<Found>> {
    let spans: Vec<(i64, i64, i64)> = found
        .iter()
        .map(|p| (p.doc, p.start as i64, p.end as i64))
        .collect();
    let described = crate::coding::describe_spans(conn, &spans)?;
    let code_of: std::collections::HashMap<i64, i64> =
        data.codings.iter().map(|c| (c.id, c.code)).collect();
    Ok(found
        .iter()
        .zip(described)
        .map(|(p, (text, line, end_line))| {
            let doc = data.docs.get(&p.doc);
            let mut codes: Vec<String> = p
                .codings
                .iter()
                .filter_map(|id| code_of.get(id))
                .filter_map(|c| data.code(*c))
                .map(|c| c.path.clone())
                .collect();
            codes.sort();
            codes.dedup();
            Found {
                doc: p.doc,
                title: doc.map(|d| d.title.clone()).unwrap_or_default(),
                participants: data.participants_of(p.doc, p.start, p.end),
                wave: doc.and_then(|d| d.wave.clone()),
                start: p.start,
                end: p.end,
                line,
                end_line,
                text,
                codings: p.codings.clone(),
                codes,
            }
        })
        .collect())
}

/// Codes every passage found with the code at `path` (made if it is new, under an existing or
/// new parent), as one undoable action; returns the code's path and how many codings were
/// added (a passage already coded with it by this coder adds none).
pub fn code_as(
    store: &mut crate::store::Store,
    coder: &str,
    found: &[Found],
    path: &str,
) -> Result<(String, usize)> {
    if found.is_empty() {
        return Err(Error::Invalid(
            "the query found no passages, so there is nothing to code".into(),
        ));
    }
    let existing = codebook::codes(store.conn())?
        .into_iter()
        .find(|c| c.path.eq_ignore_ascii_case(path.trim().trim_matches('/')));
    store.action(coder, |a| {
        let code = match &existing {
            Some(c) => c.clone(),
            None => {
                let (id, _) = codebook::add_in(a, path, &codebook::Fields::default())?;
                codebook::by_id(a.conn(), id)?
            }
        };
        let mut added = 0;
        for p in found {
            let done = crate::coding::add_in(a, p.doc, p.start as i64, p.end as i64, &code)?;
            added += usize::from(done.new);
        }
        a.audit(
            "code query results",
            &format!("code:{}", code.path),
            serde_json::json!({"passages": found.len(), "added": added, "new_code": existing.is_none()}),
        )?;
        Ok((code.path.clone(), added))
    })
}

/// The passages as CSV (with a byte-order mark, for spreadsheets).
pub fn write_csv(o: &Outcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let q = crate::csv::field;
    out.write_all("\u{feff}".as_bytes())?;
    write!(
        out,
        "{}\r\n",
        q(&format!("# query {}; {}", o.query, o.scope))
    )?;
    write!(
        out,
        "doc,document,participants,wave,start,end,line,end_line,codes,codings,text\r\n"
    )?;
    for f in &o.passages {
        let ids: Vec<String> = f.codings.iter().map(|i| i.to_string()).collect();
        write!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}\r\n",
            f.doc,
            q(&f.title),
            q(&f.participants.join(";")),
            q(f.wave.as_deref().unwrap_or("")),
            f.start,
            f.end,
            f.line,
            f.end_line,
            q(&f.codes.join(";")),
            ids.join(";"),
            q(&f.text)
        )?;
    }
    Ok(())
}

impl Found {
    /// The passage as a listed coding (for lists and reports that show codings): the first
    /// of its codings' ids, its codes joined by " + " as the code.
    pub fn as_coding(&self) -> crate::coding::Coding {
        crate::coding::Coding {
            id: self.codings.first().copied().unwrap_or(0),
            guid: String::new(),
            doc: self.doc,
            code: self.codes.join(" + "),
            code_id: 0,
            code_path: self.codes.join(" + "),
            start: self.start as i64,
            end: self.end as i64,
            text: self.text.clone(),
            coder: String::new(),
            created: String::new(),
            wave: self.wave.clone(),
            participants: self.participants.clone(),
            line: self.line,
            end_line: self.end_line,
        }
    }
}

/// Describes passages an analysis returned (a matrix cell's, a co-occurrence's) for reading.
pub fn describe_passages(
    conn: &rusqlite::Connection,
    scope: &super::Scope,
    passages: &[Passage],
) -> Result<Vec<Found>> {
    let data = Data::load(conn, scope)?;
    describe(conn, &data, passages)
}
