//! Codings as rows, for spreadsheets and scripts: one row per coding with its document,
//! participants, wave, speakers, code path, offsets, line range, text, coder, time and memos.
//! CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs read it as UTF-8) and
//! JSON (an array of objects; field names as in `narrata codings --json`, plus the extras).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use rusqlite::Connection;
use serde::Serialize;

use crate::coding::{self, Filter};
use crate::corpus::{self, Turn};
use crate::error::{Error, Result};

/// One coding as exported.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    pub id: i64,
    pub guid: String,
    pub doc: i64,
    pub document: String,
    pub participants: Vec<String>,
    pub wave: Option<String>,
    /// Speakers of the turns the coding overlaps, in order.
    pub speakers: Vec<String>,
    pub code: String,
    pub code_path: String,
    pub start: i64,
    pub end: i64,
    pub line: i64,
    pub end_line: i64,
    pub text: String,
    pub coder: String,
    pub created: String,
    pub memos: Vec<String>,
}

/// The rows of the codings a filter selects, in document and position order.
pub fn rows(conn: &Connection, filter: &Filter) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    each_row(conn, filter, &mut |r| {
        out.push(r);
        Ok(())
    })?;
    Ok(out)
}

/// [`rows`], given to `each` one at a time: one document's codings and turns are held at once.
pub fn each_row(
    conn: &Connection,
    filter: &Filter,
    each: &mut dyn FnMut(Row) -> Result<()>,
) -> Result<()> {
    let memos = super::coding_memos(conn)?;
    let titles: HashMap<i64, String> = corpus::documents(conn)?
        .into_iter()
        .map(|d| (d.id, d.title))
        .collect();
    // The turns of the document the codings are in (they come document by document).
    let mut turns: Option<(i64, Vec<Turn>)> = None;
    coding::each(conn, filter, &mut |c| {
        if turns.as_ref().is_none_or(|(doc, _)| *doc != c.doc) {
            turns = Some((c.doc, corpus::turns(conn, c.doc)?));
        }
        let doc_turns = turns.as_ref().map(|(_, t)| t.as_slice()).unwrap_or(&[]);
        let mut speakers: Vec<String> = Vec::new();
        for t in doc_turns {
            if t.start < c.end && t.end > c.start && !speakers.contains(&t.speaker) {
                speakers.push(t.speaker.clone());
            }
        }
        each(Row {
            id: c.id,
            document: titles.get(&c.doc).cloned().unwrap_or_default(),
            memos: memos
                .get(&c.id)
                .map(|m| m.iter().map(|(who, t)| format!("{who}: {t}")).collect())
                .unwrap_or_default(),
            guid: c.guid,
            doc: c.doc,
            participants: c.participants,
            wave: c.wave,
            speakers,
            code: c.code,
            code_path: c.code_path,
            start: c.start,
            end: c.end,
            line: c.line,
            end_line: c.end_line,
            text: c.text,
            coder: c.coder,
            created: c.created,
        })
    })
}

pub use crate::csv::field as csv_field;

pub const CSV_HEADER: &str = "id,guid,doc,document,participants,wave,speakers,code,code_path,start,end,line,end_line,text,coder,created,memos";

/// One row of the CSV, with its line end.
fn write_csv_row(r: &Row, out: &mut dyn Write) -> std::io::Result<()> {
    let fields = [
        r.id.to_string(),
        csv_field(&r.guid),
        r.doc.to_string(),
        csv_field(&r.document),
        csv_field(&r.participants.join(";")),
        csv_field(r.wave.as_deref().unwrap_or("")),
        csv_field(&r.speakers.join(";")),
        csv_field(&r.code),
        csv_field(&r.code_path),
        r.start.to_string(),
        r.end.to_string(),
        r.line.to_string(),
        r.end_line.to_string(),
        csv_field(&r.text),
        csv_field(&r.coder),
        csv_field(&r.created),
        csv_field(&r.memos.join("\n")),
    ];
    write!(out, "{}\r\n", fields.join(","))
}

/// Writes the rows as `.csv` or `.json`, by the file's extension; returns how many. Each row
/// is written as it is read (the JSON is the same pretty-printed array as before).
pub fn export(conn: &Connection, filter: &Filter, path: &Path, as_json: bool) -> Result<usize> {
    use serde::ser::{SerializeSeq, Serializer};
    // One snapshot: each document's codings, text and turns are read by separate queries.
    let _snapshot = conn.unchecked_transaction()?;
    let mut count = 0;
    super::write_atomically(path, |out| {
        let io = |e: std::io::Error| Error::io(path, e);
        if as_json {
            let json = |e: serde_json::Error| Error::Internal(e.to_string());
            let mut ser = serde_json::Serializer::pretty(&mut *out);
            let mut seq = ser.serialize_seq(None).map_err(json)?;
            each_row(conn, filter, &mut |r| {
                count += 1;
                seq.serialize_element(&r).map_err(json)
            })?;
            seq.end().map_err(json)?;
            out.write_all(b"\n").map_err(io)
        } else {
            out.write_all("\u{feff}".as_bytes()).map_err(io)?;
            write!(out, "{CSV_HEADER}\r\n").map_err(io)?;
            each_row(conn, filter, &mut |r| {
                count += 1;
                write_csv_row(&r, out).map_err(io)
            })
        }
    })?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("gewoon"), "gewoon");
        assert_eq!(csv_field("ja, nee"), "\"ja, nee\"");
        assert_eq!(csv_field("zei \"nee\""), "\"zei \"\"nee\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("- ja"), "'- ja");
        assert_eq!(csv_field("regel\nregel"), "\"regel\nregel\"");
    }
}
