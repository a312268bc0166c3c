//! REFI-QDA codebooks (`.qdc`, namespace `urn:QDA-XML:codebook:1.0`), the exchange format of
//! ATLAS.ti, NVivo, MAXQDA and QualCoder. The standard gives a code only a name, a colour and
//! a description, so narrata writes its inclusion and exclusion criteria, example, dimension
//! and polarity as labelled lines at the end of the description and reads them back from
//! there; other tools show them as part of the description. Namespace variants
//! (`codebook:0:4`…) and GUIDs in braces are accepted on import; a document type declaration
//! is refused.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::file::{CodeEntry, CodebookFile, normalise_guid};
use super::{check_color, check_name, check_polarity};

const LABELS: [&str; 5] = ["Include", "Exclude", "Example", "Dimension", "Polarity"];

/// Writes a codebook as REFI-QDA XML.
pub fn write(file: &CodebookFile) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(&format!(
        "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\" origin=\"narrata {}\">\n  <Codes>\n",
        env!("CARGO_PKG_VERSION")
    ));
    for c in &file.codes {
        write_code(&mut out, c, 2, &|_| Vec::new());
    }
    out.push_str("  </Codes>\n</CodeBook>\n");
    out
}

/// Writes one `<Code>` with its sub-codes; `notes(guid)` names the notes (memos) to refer to
/// from it, in a project file.
pub(crate) fn write_code(
    out: &mut String,
    c: &CodeEntry,
    depth: usize,
    notes: &dyn Fn(&str) -> Vec<String>,
) {
    let pad = "  ".repeat(depth);
    let guid = c.guid.clone().unwrap_or_else(crate::store::new_guid);
    out.push_str(&format!(
        "{pad}<Code guid=\"{guid}\" name=\"{}\" isCodable=\"true\"",
        escape(&c.name)
    ));
    if let Some(color) = &c.color {
        out.push_str(&format!(" color=\"{}\"", escape(color)));
    }
    let description = description_of(c);
    let refs = notes(&guid);
    if description.is_empty() && c.children.is_empty() && refs.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    if !description.is_empty() {
        out.push_str(&format!(
            "{pad}  <Description>{}</Description>\n",
            escape(&description)
        ));
    }
    for note in refs {
        out.push_str(&format!("{pad}  <NoteRef targetGUID=\"{note}\"/>\n"));
    }
    for child in &c.children {
        write_code(out, child, depth + 1, notes);
    }
    out.push_str(&format!("{pad}</Code>\n"));
}

/// The description with narrata's extra fields as labelled lines after a blank line.
fn description_of(c: &CodeEntry) -> String {
    let mut text = c.description.clone().unwrap_or_default();
    let extra: Vec<String> = [
        &c.include,
        &c.exclude,
        &c.example,
        &c.dimension,
        &c.polarity,
    ]
    .iter()
    .zip(LABELS)
    .filter_map(|(v, label)| {
        v.as_ref()
            .map(|v| format!("{label}: {}", v.replace('\n', " ")))
    })
    .collect();
    if !extra.is_empty() {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&extra.join("\n"));
    }
    text
}

/// Splits labelled lines at the end of a description back into fields.
pub(crate) fn split_description(text: &str, c: &mut CodeEntry) {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let mut cut = lines.len();
    while cut > 0 {
        let line = lines[cut - 1];
        match LABELS.iter().find(|l| line.starts_with(&format!("{l}: "))) {
            Some(label) => {
                let value = line[label.len() + 2..].trim().to_owned();
                match *label {
                    "Include" => c.include = Some(value),
                    "Exclude" => c.exclude = Some(value),
                    "Example" => c.example = Some(value),
                    "Dimension" => c.dimension = Some(value),
                    _ => c.polarity = check_polarity(&value).ok(),
                }
                cut -= 1;
            }
            None => break,
        }
    }
    let rest = lines[..cut].join("\n").trim().to_owned();
    c.description = (!rest.is_empty()).then_some(rest);
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Reads a REFI-QDA codebook.
pub fn read(bytes: &[u8]) -> Result<CodebookFile, String> {
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut stack: Vec<CodeEntry> = Vec::new();
    let mut top: Vec<CodeEntry> = Vec::new();
    let mut in_description = false;
    let mut description = String::new();
    let mut saw_root = false;
    let mut guids = std::collections::HashSet::new();
    let at = |r: &Reader<&[u8]>| line_of(bytes, r.buffer_position() as usize);
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            format!(
                "the codebook XML is malformed near line {}: {e}",
                at(&reader)
            )
        })?;
        match event {
            Event::DocType(_) => {
                return Err(
                    "the codebook declares a document type (DOCTYPE); refused as unsafe".into(),
                );
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"CodeBook" => {
                let ns = attr(&e, "xmlns").unwrap_or_default();
                if !ns.starts_with("urn:QDA-XML:") {
                    return Err(format!(
                        "this is not a REFI-QDA codebook (namespace `{ns}`)"
                    ));
                }
                saw_root = true;
            }
            ref ev @ (Event::Start(ref e) | Event::Empty(ref e))
                if e.local_name().as_ref() == b"Code" =>
            {
                let line = at(&reader);
                let name =
                    attr(e, "name").ok_or_else(|| format!("line {line}: a Code has no name"))?;
                let name = check_name(&name).map_err(|r| format!("line {line}: {r}"))?;
                let raw_guid = attr(e, "guid")
                    .ok_or_else(|| format!("line {line}: the code `{name}` has no guid"))?;
                let guid = normalise_guid(&raw_guid)
                    .ok_or_else(|| format!("line {line}: `{raw_guid}` is not a GUID"))?;
                if !guids.insert(guid.clone()) {
                    return Err(format!("line {line}: the GUID {guid} is used by two codes"));
                }
                let color = match attr(e, "color") {
                    Some(c) => Some(check_color(&c).map_err(|r| format!("line {line}: {r}"))?),
                    None => None,
                };
                let entry = CodeEntry {
                    name,
                    guid: Some(guid),
                    color,
                    ..CodeEntry::default()
                };
                if matches!(ev, Event::Empty(_)) {
                    attach(&mut stack, &mut top, entry, line)?;
                } else {
                    stack.push(entry);
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"Code" => {
                let entry = stack
                    .pop()
                    .ok_or("the codebook XML closes a Code it never opened")?;
                attach(&mut stack, &mut top, entry, at(&reader))?;
            }
            Event::Start(e) if e.local_name().as_ref() == b"Description" => {
                in_description = true;
                description.clear();
            }
            Event::End(e) if e.local_name().as_ref() == b"Description" => {
                in_description = false;
                if let Some(current) = stack.last_mut() {
                    split_description(&description.replace("\r\n", "\n"), current);
                }
            }
            Event::Text(t) if in_description => {
                description.push_str(&t.decode().map_err(|e| e.to_string())?);
            }
            Event::GeneralRef(r) if in_description => {
                let name = r.decode().map_err(|e| e.to_string())?;
                description.push(
                    crate::xml::entity(&name)
                        .ok_or_else(|| format!("unknown entity &{name}; in the codebook"))?,
                );
            }
            Event::CData(t) if in_description => description.push_str(&String::from_utf8_lossy(&t)),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_root {
        return Err("this is not a REFI-QDA codebook: it has no CodeBook element".into());
    }
    if !stack.is_empty() {
        return Err("the codebook XML ends inside a Code (truncated?)".into());
    }
    if top.is_empty() {
        return Err("the codebook has no codes".into());
    }
    Ok(CodebookFile {
        name: None,
        language: None,
        source: Some("REFI-QDA codebook".into()),
        description: None,
        codes: top,
    })
}

fn attach(
    stack: &mut [CodeEntry],
    top: &mut Vec<CodeEntry>,
    entry: CodeEntry,
    line: usize,
) -> Result<(), String> {
    let siblings = match stack.last_mut() {
        Some(parent) => &mut parent.children,
        None => top,
    };
    if siblings
        .iter()
        .any(|s| s.name.to_lowercase() == entry.name.to_lowercase())
    {
        return Err(format!(
            "line {line}: the code `{}` appears twice at the same level",
            entry.name
        ));
    }
    siblings.push(entry);
    Ok(())
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

fn line_of(bytes: &[u8], pos: usize) -> usize {
    bytes[..pos.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CodebookFile {
        CodebookFile {
            codes: vec![CodeEntry {
                name: "Hoop & optimisme".into(),
                guid: Some("2da4c2e6-0c10-4e9f-9d2b-0a5b7c1d2e3f".into()),
                description: Some("Wat de code vangt.\nTwee regels.".into()),
                include: Some("Als er <hoop> is".into()),
                exclude: Some("Niet bij wanhoop".into()),
                example: Some("\"Het komt goed.\"".into()),
                color: Some("#4e79a7".into()),
                dimension: Some("hope".into()),
                polarity: Some("positive".into()),
                children: vec![CodeEntry {
                    name: "Geloof in herstel".into(),
                    guid: Some("3da4c2e6-0c10-4e9f-9d2b-0a5b7c1d2e3f".into()),
                    ..CodeEntry::default()
                }],
            }],
            ..CodebookFile::default()
        }
    }

    #[test]
    fn a_written_codebook_reads_back_with_every_field() {
        let xml = write(&sample());
        let back = read(xml.as_bytes()).unwrap();
        assert_eq!(back.codes, sample().codes);
    }

    #[test]
    fn other_tools_variants_are_accepted() {
        let xml = "<?xml version=\"1.0\"?>\r\n<CodeBook xmlns=\"urn:QDA-XML:codebook:0:4\" origin=\"X\"><Codes>\r\n<Code guid=\"{2DA4C2E6-0C10-4E9F-9D2B-0A5B7C1D2E3F}\" name=\"A\" isCodable=\"true\" color=\"#ABC\"><Description>plain text\r\nline two</Description><Code guid=\"3da4c2e6-0c10-4e9f-9d2b-0a5b7c1d2e3f\" name=\"B\" isCodable=\"false\"/></Code></Codes><Sets><Set guid=\"4da4c2e6-0c10-4e9f-9d2b-0a5b7c1d2e3f\" name=\"S\"/></Sets></CodeBook>";
        let f = read(xml.as_bytes()).unwrap();
        assert_eq!(
            f.codes[0].guid.as_deref(),
            Some("2da4c2e6-0c10-4e9f-9d2b-0a5b7c1d2e3f")
        );
        assert_eq!(f.codes[0].color.as_deref(), Some("#aabbcc"));
        assert_eq!(
            f.codes[0].description.as_deref(),
            Some("plain text\nline two")
        );
        assert_eq!(f.codes[0].children[0].name, "B");
    }

    #[test]
    fn hostile_or_broken_codebooks_are_refused() {
        let cases: [(&str, &str); 6] = [
            (
                "<!DOCTYPE x [<!ENTITY a \"b\">]><CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"/>",
                "DOCTYPE",
            ),
            (
                "<CodeBook xmlns=\"urn:other\"><Codes/></CodeBook>",
                "not a REFI-QDA",
            ),
            (
                "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes><Code name=\"A\" isCodable=\"true\"/></Codes></CodeBook>",
                "no guid",
            ),
            (
                "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes><Code guid=\"x\" name=\"A\" isCodable=\"true\"/></Codes></CodeBook>",
                "not a GUID",
            ),
            (
                "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>\n<Code guid=\"2da4c2e6-0c10-4e9f-9d2b-0a5b7c1d2e3f\" name=\"A\" isCodable=\"true\"/>\n<Code guid=\"2da4c2e6-0c10-4e9f-9d2b-0a5b7c1d2e3f\" name=\"B\" isCodable=\"true\"/></Codes></CodeBook>",
                "used by two codes",
            ),
            (
                "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes><Code guid=\"2da4c2e6-0c10-4e9f-9d2b-0a5b7c1d2e3f\" name=\"A\" isCodable=\"true\">",
                "truncated",
            ),
        ];
        for (xml, expected) in cases {
            let err = read(xml.as_bytes()).unwrap_err();
            assert!(err.contains(expected), "{xml}: {err}");
        }
        let dup = read("<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>\n<Code guid=\"2da4c2e6-0c10-4e9f-9d2b-0a5b7c1d2e3f\" name=\"A\" isCodable=\"true\"/>\n<Code guid=\"2da4c2e6-0c10-4e9f-9d2b-0a5b7c1d2e3f\" name=\"B\" isCodable=\"true\"/></Codes></CodeBook>".as_bytes()).unwrap_err();
        assert!(dup.contains("line 3"), "{dup}");
    }
}
