//! Reading a spreadsheet saved as CSV, as researchers' spreadsheets write it: comma, semicolon
//! (Dutch Excel) or tab between fields, chosen from the header line; quoted fields with
//! doubled quotes and line breaks inside; a byte-order mark; CRLF line ends. And one field
//! written safely for a spreadsheet ([`field`]).

use crate::error::{Error, Result};

/// Windows-1252 characters for the bytes 0x80–0x9F (the rest of the code page is Latin-1);
/// the five bytes it leaves undefined become U+FFFD.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{fffd}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{fffd}', 'Ž',
    '\u{fffd}', '\u{fffd}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{fffd}',
    'ž', 'Ÿ',
];

/// The largest sheet read (a sheet of attributes is a few kilobytes).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// The text of a spreadsheet saved as CSV: UTF-8 (with or without a byte-order mark), UTF-16
/// with a byte-order mark (Excel's "Unicode text"), else Windows-1252 (Excel's "CSV" on a
/// Western European Windows). A binary or oversized file is refused.
pub fn decode(bytes: &[u8]) -> Result<String> {
    if bytes.len() > MAX_BYTES {
        return Err(Error::Invalid(format!(
            "the sheet is {} MB; a sheet of attributes is far smaller, so this is not one",
            bytes.len() / (1024 * 1024)
        )));
    }
    let utf16 = |rest: &[u8], unit: fn([u8; 2]) -> u16| -> Result<String> {
        char::decode_utf16(rest.chunks_exact(2).map(|c| unit([c[0], c[1]])))
            .collect::<std::result::Result<String, _>>()
            .map_err(|_| Error::Invalid("the sheet's UTF-16 text is damaged".into()))
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    if bytes.contains(&0) {
        return Err(Error::Invalid(
            "this is a binary file, not a sheet saved as CSV (an .xlsx must be saved as CSV first)"
                .into(),
        ));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    Ok(match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes
            .iter()
            .map(|&b| match b {
                0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize],
                _ => b as char,
            })
            .collect(),
    })
}

/// The rows of a CSV text, the header first. Every row has as many fields as the header (a
/// short row is padded with empty fields; a long one is an error naming its line).
pub fn read(text: &str) -> Result<Vec<Vec<String>>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header_line = text.lines().next().unwrap_or("");
    let delimiter = [';', '\t', ',']
        .into_iter()
        .max_by_key(|d| header_line.matches(*d).count())
        .filter(|d| header_line.contains(*d))
        .unwrap_or(',');
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1usize;
    let mut row_line = 1usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                row.push(std::mem::take(&mut field));
                if !(row.len() == 1 && row[0].trim().is_empty()) {
                    rows.push(std::mem::take(&mut row));
                }
                row.clear();
                line += 1;
                row_line = line;
            }
            d if d == delimiter => row.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(Error::Invalid(format!(
            "the CSV opens a quoted field on line {row_line} that it never closes"
        )));
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    let Some(width) = rows.first().map(Vec::len) else {
        return Err(Error::Invalid("the CSV is empty".into()));
    };
    for (i, r) in rows.iter_mut().enumerate() {
        if r.len() > width {
            return Err(Error::Invalid(format!(
                "row {} of the CSV has {} fields where the header has {width}",
                i + 1,
                r.len()
            )));
        }
        r.resize(width, String::new());
        for f in r.iter_mut() {
            *f = f.trim().to_owned();
        }
    }
    Ok(rows)
}

/// A CSV field: quoted when it holds a comma, quote or line break; a text that a spreadsheet
/// would take for a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets
/// a leading apostrophe, so opening the file never runs anything (the JSON keeps text exact).
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::read;

    #[test]
    fn reads_what_spreadsheets_write() {
        let dutch = "\u{feff}participant;leeftijdsgroep;locatie\r\nP01;50-59;\"Noord; oost\"\r\nP02;30-39\r\n\r\n";
        assert_eq!(
            read(dutch).unwrap(),
            vec![
                vec!["participant", "leeftijdsgroep", "locatie"],
                vec!["P01", "50-59", "Noord; oost"],
                vec!["P02", "30-39", ""],
            ]
        );
        let quoted = "a,b\n\"say \"\"hi\"\"\",\"two\nlines\"\n";
        assert_eq!(
            read(quoted).unwrap()[1],
            vec!["say \"hi\"".to_owned(), "two\nlines".to_owned()]
        );
        assert_eq!(read("a\tb\n1\t2").unwrap()[1], vec!["1", "2"]);
    }

    #[test]
    fn sheets_in_the_encodings_excel_writes_are_read() {
        // "leeftijd;plaats\nP01;Café" in Windows-1252, UTF-16LE with a mark, and UTF-8.
        let cp1252 = b"leeftijd;plaats\nP01;Caf\xe9 \x80\n";
        assert_eq!(
            super::decode(cp1252).unwrap(),
            "leeftijd;plaats\nP01;Café €\n"
        );
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "a\tb\n1\té".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        assert_eq!(super::decode(&utf16).unwrap(), "a\tb\n1\té");
        assert_eq!(super::decode("é".as_bytes()).unwrap(), "é");
        assert!(super::decode(b"PK\x03\x04\x00\x00").is_err());
    }

    #[test]
    fn broken_files_are_refused_with_the_line() {
        assert!(
            read("a,b\n\"open,2\n")
                .unwrap_err()
                .to_string()
                .contains("line 2")
        );
        assert!(
            read("a,b\n1,2,3\n")
                .unwrap_err()
                .to_string()
                .contains("row 2")
        );
        assert!(read("").is_err());
    }
}
