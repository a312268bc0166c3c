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
    let codings = coding::list(conn, filter)?;
    let memos = super::coding_memos(conn)?;
    let titles: HashMap<i64, String> = corpus::documents(conn)?
        .into_iter()
        .map(|d| (d.id, d.title))
        .collect();
    let mut turns: HashMap<i64, Vec<Turn>> = HashMap::new();
    let mut out = Vec::with_capacity(codings.len());
    for c in codings {
        let doc_turns = match turns.entry(c.doc) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(corpus::turns(conn, c.doc)?),
        };
        let mut speakers: Vec<String> = Vec::new();
        for t in doc_turns.iter() {
            if t.start < c.end && t.end > c.start && !speakers.contains(&t.speaker) {
                speakers.push(t.speaker.clone());
            }
        }
        out.push(Row {
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
        });
    }
    Ok(out)
}

pub use crate::csv::field as csv_field;

pub const CSV_HEADER: &str = "id,guid,doc,document,participants,wave,speakers,code,code_path,start,end,line,end_line,text,coder,created,memos";

fn write_csv(rows: &[Row], out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    write!(out, "{CSV_HEADER}\r\n")?;
    for r in rows {
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
        write!(out, "{}\r\n", fields.join(","))?;
    }
    Ok(())
}

/// Writes the rows as `.csv` or `.json`, by the file's extension; returns how many.
pub fn export(conn: &Connection, filter: &Filter, path: &Path, as_json: bool) -> Result<usize> {
    let rows = rows(conn, filter)?;
    super::write_atomically(path, |out| {
        if as_json {
            serde_json::to_writer_pretty(&mut *out, &rows)
                .map_err(|e| Error::Internal(e.to_string()))?;
            out.write_all(b"\n").map_err(|e| Error::io(path, e))
        } else {
            write_csv(&rows, out).map_err(|e| Error::io(path, e))
        }
    })?;
    Ok(rows.len())
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
