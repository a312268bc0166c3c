//! Rules that choose documents by what is known about them: `age_group = 50-59 AND wave = T2`,
//! `site = north OR NOT kind = group`, `age >= 40`. A rule defines a participant group
//! (`groups define NAME RULE`) and filters any analysis ad hoc (`--where RULE`).
//!
//! A condition is `KEY OP VALUE`. Keys: `participant`, `wave`, `kind`, `group` (a hand-made
//! document group), `doc` (title), and attributes: a bare key is looked up among the
//! document's attributes, then its participants'; `doc.KEY` and `participant.KEY` say which.
//! Operators: `=` and `!=` (case-insensitive; numbers compare as numbers), `<`, `<=`, `>`, `>=`
//! (numbers only), `~` (contains, case-insensitive). A document with several participants (a
//! group interview) matches a participant condition when any of them does. `AND` binds tighter
//! than `OR`; `NOT` and parentheses as usual. A key that nothing in the project has is an error
//! naming the keys there are, so that a typo never silently selects nothing.

use std::collections::{BTreeSet, HashMap};

use rusqlite::Connection;

use crate::error::{Error, Result};

/// A parsed rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Cond { key: String, op: Op, value: String },
    Not(Box<Rule>),
    And(Box<Rule>, Box<Rule>),
    Or(Box<Rule>, Box<Rule>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
}

/// What a rule can ask about one document.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub doc: i64,
    pub title: String,
    pub kind: String,
    pub wave: Option<String>,
    pub participants: Vec<String>,
    /// Names of the hand-made groups the document is in.
    pub groups: Vec<String>,
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// Each participant's attributes, in the order of `participants`.
    pub participant_attributes: Vec<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Op(Op),
    Open,
    Close,
}

fn tokens(text: &str) -> Result<Vec<Token>> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let op = match two.as_str() {
            "!=" | "<>" => Some((Op::Ne, 2)),
            "<=" => Some((Op::Le, 2)),
            ">=" => Some((Op::Ge, 2)),
            "==" => Some((Op::Eq, 2)),
            _ => match c {
                '=' => Some((Op::Eq, 1)),
                '<' => Some((Op::Lt, 1)),
                '>' => Some((Op::Gt, 1)),
                '~' => Some((Op::Contains, 1)),
                _ => None,
            },
        };
        if let Some((op, n)) = op {
            out.push(Token::Op(op));
            i += n;
            continue;
        }
        match c {
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            '"' | '\'' | '“' | '‘' => {
                let close = match c {
                    '“' => '”',
                    '‘' => '’',
                    other => other,
                };
                let end = chars[i + 1..]
                    .iter()
                    .position(|&d| d == close)
                    .ok_or_else(|| {
                        Error::Invalid(format!(
                            "the rule `{text}` opens a quote ({c}) that it does not close"
                        ))
                    })?;
                out.push(Token::Quoted(chars[i + 1..i + 1 + end].iter().collect()));
                i += end + 2;
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '=' | '!' | '<' | '>' | '~' | '"')
                {
                    i += 1;
                }
                if i == start {
                    return Err(Error::Invalid(format!(
                        "the rule `{text}` has `{c}` where a name, a value or an operator was expected"
                    )));
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

fn is_keyword(t: Option<&Token>, word: &str) -> bool {
    matches!(t, Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    at: usize,
}

impl Parser<'_> {
    fn fail(&self, what: &str) -> Error {
        Error::Invalid(format!(
            "the rule `{}` {what}; a rule reads like `age_group = 50-59 AND wave = T2`",
            self.text
        ))
    }

    fn or(&mut self) -> Result<Rule> {
        let mut left = self.and()?;
        while is_keyword(self.tokens.get(self.at), "or") {
            self.at += 1;
            left = Rule::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Rule> {
        let mut left = self.unary()?;
        while is_keyword(self.tokens.get(self.at), "and") {
            self.at += 1;
            left = Rule::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Rule> {
        match self.tokens.get(self.at) {
            t if is_keyword(t, "not") => {
                self.at += 1;
                Ok(Rule::Not(Box::new(self.unary()?)))
            }
            Some(Token::Open) => {
                self.at += 1;
                let inner = self.or()?;
                if self.tokens.get(self.at) != Some(&Token::Close) {
                    return Err(self.fail("opens a parenthesis that it does not close"));
                }
                self.at += 1;
                Ok(inner)
            }
            _ => self.cond(),
        }
    }

    fn cond(&mut self) -> Result<Rule> {
        let key = match self.tokens.get(self.at) {
            Some(Token::Word(w)) | Some(Token::Quoted(w)) => w.clone(),
            None => return Err(self.fail("ends where a condition was expected")),
            _ => return Err(self.fail("has an operator where a name was expected")),
        };
        self.at += 1;
        let op = match self.tokens.get(self.at) {
            Some(Token::Op(op)) => *op,
            _ => {
                return Err(self.fail(&format!(
                    "names `{key}` without saying `=` or another comparison after it"
                )));
            }
        };
        self.at += 1;
        // A value runs to the next AND, OR or closing parenthesis: `site = Den Haag` works unquoted.
        let mut words: Vec<String> = Vec::new();
        while let Some(t) = self.tokens.get(self.at) {
            match t {
                Token::Word(w)
                    if !words.is_empty()
                        && (w.eq_ignore_ascii_case("and") || w.eq_ignore_ascii_case("or")) =>
                {
                    break;
                }
                Token::Word(w) | Token::Quoted(w) => words.push(w.clone()),
                _ => break,
            }
            self.at += 1;
        }
        if words.is_empty() {
            return Err(self.fail(&format!("compares `{key}` with nothing")));
        }
        let value = words.join(" ");
        if matches!(op, Op::Lt | Op::Le | Op::Gt | Op::Ge) && number(&value).is_none() {
            return Err(self.fail(&format!(
                "compares `{key}` with `{value}` by size, which needs a number"
            )));
        }
        Ok(Rule::Cond { key, op, value })
    }
}

fn number(s: &str) -> Option<f64> {
    s.trim().replace(',', ".").parse::<f64>().ok()
}

/// Parses a rule; a mistake is an error that says where.
pub fn parse(text: &str) -> Result<Rule> {
    let mut p = Parser {
        text,
        tokens: tokens(text)?,
        at: 0,
    };
    if p.tokens.is_empty() {
        return Err(p.fail("is empty"));
    }
    let rule = p.or()?;
    if p.at < p.tokens.len() {
        return Err(p.fail("has more after a complete rule (AND or OR between conditions?)"));
    }
    Ok(rule)
}

fn value_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn compare(have: &str, op: Op, want: &str) -> bool {
    let (h, w) = (have.trim(), want.trim());
    let numbers = number(h).zip(number(w));
    match op {
        Op::Eq => match numbers {
            Some((a, b)) => a == b,
            None => h.to_lowercase() == w.to_lowercase(),
        },
        Op::Ne => !compare(have, Op::Eq, want),
        Op::Contains => h.to_lowercase().contains(&w.to_lowercase()),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => match numbers {
            Some((a, b)) => match op {
                Op::Lt => a < b,
                Op::Le => a <= b,
                Op::Gt => a > b,
                _ => a >= b,
            },
            None => false,
        },
    }
}

/// The values a key has for one document (several for a group interview's participants).
fn values(f: &Facts, key: &str) -> Vec<String> {
    let lower = key.to_lowercase();
    match lower.as_str() {
        "participant" => return f.participants.clone(),
        "wave" => return f.wave.iter().cloned().collect(),
        "kind" => return vec![f.kind.clone()],
        "group" => return f.groups.clone(),
        "doc" | "document" | "title" => return vec![f.title.clone()],
        _ => {}
    }
    let find = |map: &serde_json::Map<String, serde_json::Value>, k: &str| {
        map.iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(k))
            .and_then(|(_, v)| value_text(v))
    };
    if let Some(k) = lower.strip_prefix("doc.") {
        return find(&f.attributes, k).into_iter().collect();
    }
    let of_participants = |k: &str| -> Vec<String> {
        f.participant_attributes
            .iter()
            .filter_map(|m| find(m, k))
            .collect()
    };
    if let Some(k) = lower.strip_prefix("participant.") {
        return of_participants(k);
    }
    match find(&f.attributes, &lower) {
        Some(v) => vec![v],
        None => of_participants(&lower),
    }
}

impl Rule {
    /// Whether the document matches.
    pub fn matches(&self, f: &Facts) -> bool {
        match self {
            Rule::Cond { key, op, value } => {
                let have = values(f, key);
                // A wave is equal to any spelling of its name (`W2`, `w02`, `2`).
                let equal = |h: &String| {
                    if key.eq_ignore_ascii_case("wave") {
                        crate::transcript::study::same_wave(h, value)
                    } else {
                        compare(h, Op::Eq, value)
                    }
                };
                if *op == Op::Ne {
                    // "Not equal" holds when no value equals (also when there is none).
                    return !have.iter().any(equal);
                }
                if *op == Op::Eq {
                    return have.iter().any(equal);
                }
                have.iter().any(|h| compare(h, *op, value))
            }
            Rule::Not(r) => !r.matches(f),
            Rule::And(a, b) => a.matches(f) && b.matches(f),
            Rule::Or(a, b) => a.matches(f) || b.matches(f),
        }
    }

    fn keys<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Rule::Cond { key, .. } => out.push(key),
            Rule::Not(r) => r.keys(out),
            Rule::And(a, b) | Rule::Or(a, b) => {
                a.keys(out);
                b.keys(out);
            }
        }
    }
}

/// What every document is known by, read once.
pub fn facts(conn: &Connection) -> Result<Vec<Facts>> {
    let mut by_doc: Vec<Facts> = conn
        .prepare(
            "SELECT d.id, d.title, d.kind, w.name, d.attributes FROM documents d
             LEFT JOIN waves w ON w.id = d.wave_id ORDER BY d.id",
        )?
        .query_map([], |r| {
            let attributes: String = r.get(4)?;
            Ok(Facts {
                doc: r.get(0)?,
                title: r.get(1)?,
                kind: r.get(2)?,
                wave: r.get(3)?,
                attributes: serde_json::from_str(&attributes).unwrap_or_default(),
                ..Facts::default()
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let position: HashMap<i64, usize> =
        by_doc.iter().enumerate().map(|(i, f)| (f.doc, i)).collect();
    let mut stmt = conn.prepare(
        "SELECT dp.doc_id, p.code, p.attributes FROM document_participants dp
         JOIN participants p ON p.id = dp.participant_id ORDER BY dp.doc_id, p.code",
    )?;
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (doc, code, attributes) = row?;
        if let Some(&i) = position.get(&doc) {
            by_doc[i].participants.push(code);
            by_doc[i]
                .participant_attributes
                .push(serde_json::from_str(&attributes).unwrap_or_default());
        }
    }
    let mut stmt = conn.prepare(
        "SELECT gd.doc_id, g.name FROM group_documents gd JOIN groups g ON g.id = gd.group_id
         WHERE g.rule IS NULL",
    )?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (doc, name) = row?;
        if let Some(&i) = position.get(&doc) {
            by_doc[i].groups.push(name);
        }
    }
    Ok(by_doc)
}

/// Checks that every key of the rule is known somewhere in the project.
pub fn check_keys(rule: &Rule, all: &[Facts]) -> Result<()> {
    let mut known: BTreeSet<String> = ["participant", "wave", "kind", "group", "doc"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for f in all {
        known.extend(f.attributes.keys().map(|k| k.to_lowercase()));
        for m in &f.participant_attributes {
            known.extend(m.keys().map(|k| k.to_lowercase()));
        }
    }
    let mut keys = Vec::new();
    rule.keys(&mut keys);
    for key in keys {
        let lower = key.to_lowercase();
        let bare = lower
            .strip_prefix("doc.")
            .or_else(|| lower.strip_prefix("participant."))
            .unwrap_or(&lower);
        if !known.contains(bare) && !matches!(lower.as_str(), "document" | "title") {
            return Err(Error::NotFound(format!(
                "no document or participant in this project has `{key}`; the keys there are: {}",
                known.into_iter().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    Ok(())
}

/// The ids of the documents that match `text`, in id order.
pub fn documents(conn: &Connection, text: &str) -> Result<Vec<i64>> {
    let rule = parse(text)?;
    let all = facts(conn)?;
    check_keys(&rule, &all)?;
    Ok(all
        .iter()
        .filter(|f| rule.matches(f))
        .map(|f| f.doc)
        .collect())
}

/// The participants for whom `text` holds themselves: a document's rule checked with each of
/// its participants alone (their own attributes), so that in a group interview matched through
/// one participant the others count only if the rule holds for them too.
pub fn participants(conn: &Connection, text: &str) -> Result<std::collections::HashSet<String>> {
    let rule = parse(text)?;
    let all = facts(conn)?;
    check_keys(&rule, &all)?;
    let mut out = std::collections::HashSet::new();
    for f in &all {
        for (p, attributes) in f.participants.iter().zip(&f.participant_attributes) {
            if out.contains(p) {
                continue;
            }
            let alone = Facts {
                participants: vec![p.clone()],
                participant_attributes: vec![attributes.clone()],
                ..f.clone()
            };
            if rule.matches(&alone) {
                out.insert(p.clone());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts_of(wave: &str, participants: &[(&str, &str)]) -> Facts {
        Facts {
            doc: 1,
            title: "t".into(),
            kind: if participants.len() > 1 {
                "group"
            } else {
                "individual"
            }
            .into(),
            wave: Some(wave.into()),
            participants: participants.iter().map(|(p, _)| p.to_string()).collect(),
            participant_attributes: participants
                .iter()
                .map(|(_, age)| {
                    let mut m = serde_json::Map::new();
                    m.insert("age_group".into(), serde_json::json!(age));
                    m.insert(
                        "age".into(),
                        serde_json::json!(age[..2].parse::<i64>().unwrap()),
                    );
                    m
                })
                .collect(),
            ..Facts::default()
        }
    }

    #[test]
    fn a_rule_reads_as_a_researcher_writes_it() {
        let r = parse("age_group = 50-59 AND wave = T2").unwrap();
        assert!(r.matches(&facts_of("T2", &[("P01", "50-59")])));
        assert!(!r.matches(&facts_of("T1", &[("P01", "50-59")])));
        assert!(!r.matches(&facts_of("T2", &[("P01", "30-39")])));
        // AND binds tighter than OR.
        let r = parse("wave = T1 OR wave = t2 and age >= 50").unwrap();
        assert!(r.matches(&facts_of("T1", &[("P01", "30-39")])));
        assert!(r.matches(&facts_of("T2", &[("P01", "50-59")])));
        assert!(!r.matches(&facts_of("T2", &[("P01", "30-39")])));
        let r = parse("NOT (wave = T1 OR age < 40)").unwrap();
        assert!(r.matches(&facts_of("T2", &[("P01", "50-59")])));
        assert!(!r.matches(&facts_of("T2", &[("P01", "30-39")])));
        // A group interview matches when any participant does; != when none equals.
        let group = facts_of("T1", &[("P01", "30-39"), ("P02", "50-59")]);
        assert!(parse("age_group = 50-59").unwrap().matches(&group));
        assert!(!parse("age_group != 50-59").unwrap().matches(&group));
        assert!(parse("participant ~ p0").unwrap().matches(&group));
    }

    #[test]
    fn mistakes_are_sentences_that_say_what_is_wrong() {
        for (bad, says) in [
            ("", "is empty"),
            ("age_group 50-59", "without saying `=`"),
            ("age >= old", "needs a number"),
            ("(wave = T1", "does not close"),
            ("wave = T1 wave = T2", "has more after"),
            ("site = \"Noord", "does not close"),
            ("= T1", "where a name was expected"),
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad:?}: {e}");
        }
    }

    #[test]
    fn values_may_hold_spaces_and_quotes() {
        let mut f = facts_of("T1", &[("P01", "50-59")]);
        f.attributes
            .insert("site".into(), serde_json::json!("Noord Oost"));
        assert!(
            parse("site = Noord Oost AND wave = T1")
                .unwrap()
                .matches(&f)
        );
        assert!(parse("doc.site = 'noord oost'").unwrap().matches(&f));
        assert!(
            !parse("participant.site = 'noord oost'")
                .unwrap()
                .matches(&f)
        );
    }
}
