//! Spreadsheets for the numbers (`export xlsx OUT.xlsx`): the codings, a code × participant
//! matrix, the change table and agreement between coders as worksheets a researcher can filter
//! and chart. Each sheet has a bold header row that stays in view, a filter over its columns,
//! column widths from the content, figures as numbers (not text), and a last line saying what
//! was counted.
//!
//! The file is SpreadsheetML written here (an .xlsx is a zip of a few XML parts): the
//! workbook, its sheets with their strings inline, one style for the header, nothing else.

use std::io::Write;
use std::path::Path;

use rusqlite::Connection;
use serde::Serialize;

use crate::coding::Filter;
use crate::error::{Error, Result};

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Empty,
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Number(v)
    }
}

impl From<usize> for Value {
    fn from(v: usize) -> Value {
        Value::Number(v as f64)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Empty, Into::into)
    }
}

/// A worksheet: its name, header, rows and a closing note (what was counted).
pub struct Sheet<'a> {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Rows<'a>,
    pub note: Option<String>,
}

/// Gives each row of a sheet to the function it is called with, in order.
pub type ReadRows<'a> = dyn Fn(&mut dyn FnMut(Vec<Value>) -> Result<()>) -> Result<()> + 'a;

/// A worksheet's rows: held, or read where they are kept each time they are needed (twice: to
/// measure the columns and count the rows, then to write them), so that a sheet of every
/// coding of a study is never held whole.
pub enum Rows<'a> {
    Held(Vec<Vec<Value>>),
    Read(Box<ReadRows<'a>>),
}

impl Rows<'_> {
    fn each(&self, f: &mut dyn FnMut(&[Value]) -> Result<()>) -> Result<()> {
        match self {
            Rows::Held(rows) => rows.iter().try_for_each(|r| f(r)),
            Rows::Read(read) => read(&mut |r| f(&r)),
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub file: String,
    pub sheets: Vec<(String, usize)>,
}

/// `A`, `B`, …, `Z`, `AA`, … for a 0-based column.
fn column_name(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// Most UTF-16 units a cell holds in Excel.
pub const CELL_LIMIT: usize = 32_767;

/// `s` cut to what a cell holds, ending in "…" when cut (a coding over a whole long
/// interview; the codings sheet's note says where the full texts are).
fn within_cell_limit(s: &str) -> std::borrow::Cow<'_, str> {
    if s.encode_utf16().count() <= CELL_LIMIT {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut units = 0;
    let mut out = String::new();
    for c in s.chars() {
        units += c.len_utf16();
        if units > CELL_LIMIT - 1 {
            break;
        }
        out.push(c);
    }
    out.push('…');
    std::borrow::Cow::Owned(out)
}

fn escape(s: &str) -> String {
    crate::xml::safe(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(s: &str) -> String {
    s.chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect()
}

/// A sheet's column widths (in characters from the content, between 6 and 60) and how many
/// rows it has.
fn measure(sheet: &Sheet) -> Result<(Vec<usize>, usize)> {
    let columns = sheet.header.len().max(1);
    let mut widths: Vec<usize> = (0..columns)
        .map(|j| sheet.header.get(j).map_or(0, |h| h.chars().count()))
        .collect();
    let mut count = 0;
    sheet.rows.each(&mut |r| {
        count += 1;
        for (w, v) in widths.iter_mut().zip(r) {
            let here = match v {
                Value::Text(t) => t.chars().count(),
                Value::Number(n) => format!("{n}").len(),
                Value::Empty => 0,
            };
            *w = (*w).max(here);
        }
        Ok(())
    })?;
    Ok((
        widths.into_iter().map(|w| w.clamp(6, 60) + 2).collect(),
        count,
    ))
}

/// One cell's XML (nothing for an empty cell).
fn cell(row: usize, col: usize, v: &Value, style: &str) -> String {
    let at = format!("{}{}", column_name(col), row + 1);
    match v {
        Value::Text(t) => format!(
            r#"<c r="{at}" t="inlineStr"{style}><is><t xml:space="preserve">{}</t></is></c>"#,
            escape(&within_cell_limit(t))
        ),
        Value::Number(n) if n.is_finite() => format!(r#"<c r="{at}"{style}><v>{n}</v></c>"#),
        _ => String::new(),
    }
}

/// Writes a sheet's XML to `out`, row by row, with the widths and row count [`measure`] found.
fn write_sheet(
    sheet: &Sheet,
    (widths, count): &(Vec<usize>, usize),
    out: &mut dyn Write,
    io: &dyn Fn(std::io::Error) -> Error,
) -> Result<()> {
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    x.push_str(r#"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#);
    x.push_str("<cols>");
    for (j, w) in widths.iter().enumerate() {
        x.push_str(&format!(
            r#"<col min="{n}" max="{n}" width="{w}" customWidth="1"/>"#,
            n = j + 1
        ));
    }
    x.push_str("</cols><sheetData>");
    x.push_str(r#"<row r="1">"#);
    for (j, h) in sheet.header.iter().enumerate() {
        x.push_str(&cell(0, j, &Value::Text(h.clone()), r#" s="1""#));
    }
    x.push_str("</row>");
    out.write_all(x.as_bytes()).map_err(io)?;
    let mut i = 0;
    sheet.rows.each(&mut |r| {
        x.clear();
        x.push_str(&format!(r#"<row r="{}">"#, i + 2));
        for (j, v) in r.iter().enumerate() {
            x.push_str(&cell(i + 1, j, v, ""));
        }
        x.push_str("</row>");
        i += 1;
        out.write_all(x.as_bytes()).map_err(io)
    })?;
    if i != *count {
        return Err(Error::Internal(format!(
            "the sheet {} had {count} rows when measured and {i} when written",
            sheet.name
        )));
    }
    x.clear();
    if let Some(note) = &sheet.note {
        // One row below the data, outside the filter's range.
        let at = count + 2;
        x.push_str(&format!(r#"<row r="{}">"#, at + 1));
        x.push_str(&cell(at, 0, &Value::Text(note.clone()), ""));
        x.push_str("</row>");
    }
    x.push_str("</sheetData>");
    x.push_str(&format!(
        r#"<autoFilter ref="A1:{}{}"/>"#,
        column_name(widths.len() - 1),
        count + 1
    ));
    x.push_str("</worksheet>");
    out.write_all(x.as_bytes()).map_err(io)
}

/// Writes `sheets` as a workbook at `path` (through a temporary file, as every export), each
/// sheet's rows as they are read; returns each sheet's number of rows.
pub fn write(sheets: &[Sheet], path: &Path) -> Result<Vec<usize>> {
    let failed = |e: zip::result::ZipError| crate::files::zip_error(path, "the spreadsheet", e);
    let io = |e: std::io::Error| Error::io(path, e);
    let measured: Vec<(Vec<usize>, usize)> = sheets.iter().map(measure).collect::<Result<_>>()?;
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
    );
    let mut book = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    let mut names = std::collections::HashSet::new();
    let mut final_names = Vec::with_capacity(sheets.len());
    for (i, s) in sheets.iter().enumerate() {
        let n = i + 1;
        let mut name = sheet_name(&s.name);
        if name.is_empty() || !names.insert(name.to_lowercase()) {
            name = format!("sheet {n}");
            names.insert(name.clone());
        }
        final_names.push(name.clone());
        types.push_str(&format!(
            r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        ));
        book.push_str(&format!(
            r#"<sheet name="{}" sheetId="{n}" r:id="rId{n}"/>"#,
            escape(&name)
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
    }
    types.push_str("</Types>");
    // The filters, as Excel records them: a hidden name per sheet.
    book.push_str("</sheets><definedNames>");
    for (i, s) in sheets.iter().enumerate() {
        book.push_str(&format!(
            r#"<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'{}'!$A$1:${}${}</definedName>"#,
            escape(&final_names[i]).replace('\'', "''"),
            column_name(s.header.len().max(1) - 1),
            measured[i].1 + 1
        ));
    }
    book.push_str("</definedNames></workbook>");
    let styles_rel = sheets.len() + 1;
    rels.push_str(&format!(
        r#"<Relationship Id="rId{styles_rel}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#
    ));
    super::write_atomically(path, |file| {
        crate::files::write_zip(file, path, "the spreadsheet", |zip| {
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            let part = |zip: &mut zip::ZipWriter<_>, name: &str, body: &str| -> Result<()> {
                zip.start_file(name, options).map_err(failed)?;
                zip.write_all(body.as_bytes()).map_err(io)
            };
            part(zip, "[Content_Types].xml", &types)?;
            part(
                zip,
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            )?;
            part(zip, "xl/workbook.xml", &book)?;
            part(zip, "xl/_rels/workbook.xml.rels", &rels)?;
            // Style 0: plain; style 1: bold with a grey fill (the header row).
            part(
                zip,
                "xl/styles.xml",
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFD9D9D9"/><bgColor indexed="64"/></patternFill></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#,
            )?;
            for (i, s) in sheets.iter().enumerate() {
                zip.start_file(format!("xl/worksheets/sheet{}.xml", i + 1), options)
                    .map_err(failed)?;
                write_sheet(s, &measured[i], zip, &io)?;
            }
            Ok(())
        })
    })?;
    Ok(measured.into_iter().map(|(_, count)| count).collect())
}

/// The workbook of `export xlsx`: codings (the filter's), the code × participant matrix, the
/// change table (long: one line per participant, code and wave) and agreement between every
/// two or more coders who coded.
pub fn workbook(conn: &Connection, filter: &Filter, path: &Path) -> Result<Summary> {
    // One snapshot of the project for every sheet and both readings of the codings: a coding
    // added meanwhile (the terminal UI open beside the export) changes neither.
    let _snapshot = conn.unchecked_transaction()?;
    let mut sheets = Vec::new();
    // Codings, as `export csv` has them, read from the project as the sheet is measured and
    // again as it is written.
    let codings = |emit: &mut dyn FnMut(Vec<Value>) -> Result<()>| -> Result<()> {
        super::rows::each_row(conn, filter, &mut |r| {
            emit(vec![
                Value::Number(r.id as f64),
                Value::Number(r.doc as f64),
                r.document.into(),
                r.participants.join("; ").into(),
                r.wave.into(),
                r.speakers.join("; ").into(),
                r.code.into(),
                r.code_path.into(),
                Value::Number(r.start as f64),
                Value::Number(r.end as f64),
                Value::Number(r.line as f64),
                Value::Number(r.end_line as f64),
                r.text.into(),
                r.coder.into(),
                r.created.into(),
                r.memos.join("\n").into(),
            ])
        })
    };
    sheets.push(Sheet {
        name: "codings".into(),
        header: [
            "id",
            "doc",
            "document",
            "participants",
            "wave",
            "speakers",
            "code",
            "code_path",
            "start",
            "end",
            "line",
            "end_line",
            "text",
            "coder",
            "created",
            "memos",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: Rows::Read(Box::new(codings)),
        note: Some(format!(
            "a text longer than a cell holds ({CELL_LIMIT} characters) is cut and ends in …; `export json` keeps every text whole"
        )),
    });
    // The matrix: coded passages per code and participant.
    let scope = crate::analysis::Scope {
        participants: filter.participant.iter().cloned().collect(),
        waves: filter.wave.iter().cloned().collect(),
        coders: filter.coders.clone(),
        groups: filter.group.iter().cloned().collect(),
        rule: filter.rule.clone(),
        docs: Vec::new(),
    };
    let m = crate::analysis::matrix::matrix(
        conn,
        &scope,
        &crate::analysis::matrix::Across::Participant,
        &crate::analysis::matrix::Options::default(),
    )?;
    let mut header = vec!["code".to_owned(), "path".to_owned()];
    header.extend(m.columns.iter().map(|c| c.name.clone()));
    header.push("total".into());
    sheets.push(Sheet {
        name: "matrix".into(),
        header,
        rows: Rows::Held(
            m.rows
                .iter()
                .map(|r| {
                    let mut row: Vec<Value> =
                        vec![r.head.code.clone().into(), r.head.path.clone().into()];
                    row.extend(r.cells.iter().map(|c| Value::Number(c.codings as f64)));
                    row.push(Value::Number(r.total as f64));
                    row
                })
                .collect(),
        ),
        note: Some(format!(
            "coded passages (a code's overlapping or touching codings count once) · {}",
            m.scope
        )),
    });
    // The change table.
    let options = crate::change::Options {
        coders: filter.coders.clone(),
        group: filter.group.clone(),
        rule: filter.rule.clone(),
        ..Default::default()
    };
    let t = crate::change::table(conn, &options)?;
    let mut change_rows = Vec::new();
    for r in &t.rows {
        for c in &r.cells {
            change_rows.push(vec![
                r.participant.clone().into(),
                r.code.clone().into(),
                c.wave.clone().into(),
                Value::Text(if c.interviewed { "yes" } else { "no" }.into()),
                c.codings.into(),
                c.words.into(),
                c.coverage.into(),
                r.change.clone().into(),
                r.confirmed.clone().into(),
                r.memo.clone().into(),
            ]);
        }
    }
    sheets.push(Sheet {
        name: "changes".into(),
        header: [
            "participant",
            "code",
            "wave",
            "interviewed",
            "codings",
            "coded_words",
            "coverage",
            "change",
            "confirmed",
            "memo",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: Rows::Held(change_rows),
        note: Some(format!(
            "{} {}",
            crate::change::coders_counted(&t.coders),
            crate::change::NOTE
        )),
    });
    // Agreement between the coders who coded (two or more).
    let coders: Vec<String> = if filter.coders.len() >= 2 {
        filter.coders.clone()
    } else {
        crate::coding::coders_with_codings(conn)?
    };
    let agreement = if coders.len() >= 2 {
        let report = crate::agreement::compute(
            conn,
            &crate::agreement::Options {
                coders: coders.clone(),
                code: None,
                unit: crate::agreement::Unit::Characters,
                participant: filter.participant.clone(),
                wave: filter.wave.clone(),
                coded_by_all: true,
                group: filter.group.clone(),
                rule: filter.rule.clone(),
            },
        )?;
        let mut header: Vec<String> = ["code", "percent_agreement", "kappa", "alpha", "units"]
            .map(str::to_owned)
            .to_vec();
        header.extend(coders.iter().map(|c| format!("coded_by_{c}")));
        Sheet {
            name: "agreement".into(),
            header,
            rows: Rows::Held(
                report
                    .per_code
                    .iter()
                    .map(|p| {
                        let mut row: Vec<Value> = vec![
                            p.code.clone().into(),
                            p.agreement.into(),
                            p.kappa.into(),
                            p.alpha.into(),
                            Value::Number(p.units as f64),
                        ];
                        row.extend(p.coded.iter().map(|n| Value::Number(*n as f64)));
                        row
                    })
                    .collect(),
            ),
            note: Some(format!(
                "{} coders ({}), characters as units, documents every one of them coded ({})",
                coders.len(),
                coders.join(", "),
                report.documents
            )),
        }
    } else {
        Sheet {
            name: "agreement".into(),
            header: vec!["code".into()],
            rows: Rows::Held(Vec::new()),
            note: Some("one coder: no agreement to compute".into()),
        }
    };
    sheets.push(agreement);
    let counts = write(&sheets, path)?;
    Ok(Summary {
        file: path.display().to_string(),
        sheets: sheets.iter().map(|s| s.name.clone()).zip(counts).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_spreadsheets_letter_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        assert_eq!(sheet_name("a/b:c[d]"), "abcd");
        let long = "é".repeat(40_000);
        let cut = within_cell_limit(&long);
        assert_eq!(cut.encode_utf16().count(), CELL_LIMIT);
        assert!(cut.ends_with('…'));
        assert_eq!(within_cell_limit("kort"), "kort");
    }
}
