//! Word `.docx` transcripts: the paragraphs of `word/document.xml`, one line each, parsed with
//! the same conventions as plain text (front matter, `LABEL:` turns, timestamps).
//!
//! A .docx is a zip archive, so this reader is also the first line of defence against zip
//! bombs and XML tricks: it reads one entry with a hard size cap, checks the compression
//! ratio, and refuses any document type declaration (the door to entity expansion).

use std::io::Read;

use quick_xml::events::Event;

use super::decode;
use super::text;
use crate::transcript::Transcript;

/// The largest `word/document.xml` we will inflate.
const MAX_XML_BYTES: u64 = 200 * 1024 * 1024;
/// Real Word XML compresses about 5–20×; far beyond that is a bomb.
const MAX_RATIO: u64 = 200;

/// Reads a .docx file's bytes into a transcript.
pub fn read(bytes: &[u8]) -> Result<Transcript, String> {
    read_with(bytes, &[])
}

/// [`read`], with `labels` (from `--speakers`) counting as declared speaker labels.
pub fn read_with(bytes: &[u8], labels: &[String]) -> Result<Transcript, String> {
    let xml = document_xml(bytes)?;
    let raw = paragraphs(&xml)?;
    let cleaned = decode::clean(&raw);
    if cleaned.text.trim().is_empty() {
        return Err("the Word document holds no text".into());
    }
    text::parse_with(cleaned.text, cleaned.controls_replaced, labels)
}

fn document_xml(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let not_word = |e: zip::result::ZipError| {
        format!(
            "this is not a readable Word (.docx) file: {e}; if it is an old .doc file, save it as .docx first"
        )
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(not_word)?;
    let mut entry = archive.by_name("word/document.xml").map_err(|_| {
        "this zip archive has no word/document.xml, so it is not a Word document".to_string()
    })?;
    let declared = entry.size();
    let compressed = entry.compressed_size().max(1);
    if declared > MAX_XML_BYTES || declared / compressed > MAX_RATIO {
        return Err(format!(
            "the Word document's text would inflate to {declared} bytes from {compressed} (a zip bomb?); refused"
        ));
    }
    let mut xml = Vec::new();
    // The declared size may lie: cap what we actually inflate.
    let read = entry
        .by_ref()
        .take(MAX_XML_BYTES + 1)
        .read_to_end(&mut xml)
        .map_err(|e| format!("the Word document is damaged: {e}"))?;
    if read as u64 > MAX_XML_BYTES || (read as u64) / compressed > MAX_RATIO {
        return Err(
            "the Word document's text inflates far beyond its size (a zip bomb?); refused".into(),
        );
    }
    Ok(xml)
}

/// The text of every `w:p` paragraph, one line each; `w:tab` is a tab, `w:br` a line break.
/// Deleted text in tracked changes (`w:delText`) is left out.
fn paragraphs(xml: &[u8]) -> Result<String, String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out = String::new();
    let mut in_text = false;
    let mut buf = Vec::new();
    let damaged = |e: &dyn std::fmt::Display| format!("the Word document's XML is damaged: {e}");
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| damaged(&e))? {
            Event::DocType(_) => {
                return Err("the Word document declares a document type (DOCTYPE), which Word never writes; refused as unsafe".into());
            }
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => in_text = true,
                b"tab" => out.push('\t'),
                b"br" | b"cr" => out.push('\n'),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"tab" => out.push('\t'),
                b"br" | b"cr" => out.push('\n'),
                b"p" => out.push('\n'),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => {
                let s = t.decode().map_err(|e| damaged(&e))?;
                out.push_str(&s);
            }
            Event::GeneralRef(r) if in_text => {
                let name = r.decode().map_err(|e| damaged(&e))?;
                match crate::xml::entity(&name) {
                    Some(c) => out.push(c),
                    None => return Err(damaged(&format!("unknown entity &{name};"))),
                }
            }
            Event::CData(t) if in_text => out.push_str(&String::from_utf8_lossy(&t)),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a minimal .docx from paragraphs; used by tests and fixtures.
    fn build_for_tests(paragraphs: &[&str]) -> Vec<u8> {
        use std::io::Write;
        let mut body = String::new();
        for p in paragraphs {
            let escaped = p
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            body.push_str(&format!(
                "<w:p><w:r><w:t xml:space=\"preserve\">{escaped}</w:t></w:r></w:p>"
            ));
        }
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
        );
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let ct = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
        let parts = [
            ("[Content_Types].xml", ct.to_string()),
            ("word/document.xml", xml),
        ];
        for (name, content) in parts {
            zip.start_file(name, opts).expect("in-memory zip");
            zip.write_all(content.as_bytes()).expect("in-memory zip");
        }
        zip.finish().expect("in-memory zip").into_inner()
    }

    #[test]
    fn paragraphs_become_lines_and_turns() {
        let bytes = build_for_tests(&["I: Hoe gaat het?", "P03: Goed & wel.", "Het gaat beter."]);
        let t = read(&bytes).unwrap();
        assert_eq!(
            t.text,
            "I: Hoe gaat het?\nP03: Goed & wel.\nHet gaat beter.\n"
        );
        assert_eq!(t.turns.len(), 2);
        assert_eq!(t.turns[1].speaker, "P03");
    }

    #[test]
    fn front_matter_in_paragraphs_is_read() {
        let bytes = build_for_tests(&["---", "participant: P04", "wave: T2", "---", "I: Ja?"]);
        let t = read(&bytes).unwrap();
        assert_eq!(t.meta.participant.as_deref(), Some("P04"));
        assert_eq!(t.text, "I: Ja?\n");
    }

    #[test]
    fn deleted_text_is_left_out_and_tabs_and_breaks_kept() {
        let xml = br#"<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>I: a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t></w:r><w:del><w:r><w:delText>weg</w:delText></w:r></w:del></w:p></w:body></w:document>"#;
        assert_eq!(paragraphs(xml).unwrap(), "I: a\tb\nc\n");
    }

    #[test]
    fn doctype_and_unknown_entities_are_refused() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]><w:document><w:p><w:t>&a;</w:t></w:p></w:document>"#;
        assert!(paragraphs(bomb).unwrap_err().contains("DOCTYPE"));
        let unknown = br#"<w:document><w:p><w:t>&nbsp;</w:t></w:p></w:document>"#;
        assert!(paragraphs(unknown).unwrap_err().contains("unknown entity"));
    }

    #[test]
    fn not_a_zip_and_zip_without_document_are_refused() {
        assert!(
            read(b"just text")
                .unwrap_err()
                .contains("not a readable Word")
        );
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file("other.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert!(read(&bytes).unwrap_err().contains("no word/document.xml"));
    }

    #[test]
    fn a_zip_bomb_is_refused_without_inflating_it() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("word/document.xml", opts).unwrap();
        let zeros = vec![b' '; 1024 * 1024];
        for _ in 0..20 {
            zip.write_all(&zeros).unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        assert!(bytes.len() < 100_000);
        assert!(read(&bytes).unwrap_err().contains("zip bomb"));
    }
}
