//! Reading a `.qdpx` into a neutral model, with the defences an archive from elsewhere needs
//! and the quirks of the tools that write them (see `docs/EXCHANGE.md`):
//!
//! - the archive: entries whose path would leave the archive, absolute or with `..`, are
//!   refused; sizes are capped (each entry, the whole, and the compression ratio of large
//!   entries, so a zip bomb is refused before it fills memory); exactly one `*.qde` at the root
//!   under any name; `sources/` in any case;
//! - the XML: a document type declaration (the door to entity expansion and external
//!   entities) is refused; namespaces are matched loosely (`urn:QDA-XML:project:0:10`…);
//!   GUIDs in any case, with or without braces; duplicate GUIDs and references to nothing are
//!   refused with the element and line;
//! - the text: a byte-order mark is dropped, CRLF and lone CR become LF, and positions are
//!   converted to characters of that text: NVivo counts UTF-16 code units (an emoji counts 2)
//!   and, in Windows exports, a CRLF as two; the others count code points.
//!
//! Longer than most modules (about 810 lines): the archive's defences (sizes, entities, paths,
//! duplicate GUIDs) sit beside the parsing they guard, and the position conversion of each
//! tool beside the reading of selections.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::codebook::file::normalise_guid;

/// Largest `project.qde`, source text, or archive total we read (uncompressed).
pub const MAX_ENTRY: u64 = 256 * 1024 * 1024;
pub const MAX_TOTAL: u64 = 1024 * 1024 * 1024;
/// Largest compression ratio accepted for entries over 1 MB (text compresses about 3–10×).
pub const MAX_RATIO: u64 = 200;

/// A code of the codebook.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Code {
    pub guid: String,
    pub name: String,
    pub color: Option<String>,
    pub description: Option<String>,
    pub notes: Vec<String>,
    pub children: Vec<Code>,
}

/// One coding of a selection.
#[derive(Debug, Clone, PartialEq)]
pub struct Coding {
    pub guid: String,
    pub code: String,
    pub user: Option<String>,
    pub created: Option<String>,
    pub notes: Vec<String>,
}

/// A span of a source, in characters of [`Source::text`].
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub guid: String,
    pub start: usize,
    pub end: usize,
    pub user: Option<String>,
    pub created: Option<String>,
    pub description: Option<String>,
    pub codings: Vec<Coding>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Source {
    pub guid: String,
    pub name: String,
    /// The text with BOM dropped and line breaks as LF.
    pub text: String,
    pub description: Option<String>,
    pub selections: Vec<Selection>,
    pub notes: Vec<String>,
    /// Variable GUID → value.
    pub values: Vec<(String, String)>,
    pub user: Option<String>,
    pub created: Option<String>,
    /// Why the source cannot be imported (its text file missing or unreadable); the rest of
    /// the project still can be.
    pub problem: Option<String>,
    /// Selections that lay outside the source's text, left out.
    pub selections_outside: usize,
}

/// A source narrata does not import (a picture, PDF, audio or video), counted for the report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OtherSource {
    pub guid: String,
    /// `PDF`, `picture`, `audio`, `video`.
    pub kind: String,
    pub name: String,
    pub codings: usize,
}

/// A set: REFI-QDA's named group of sources, codes or notes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Set {
    pub guid: String,
    pub name: String,
    pub description: Option<String>,
    pub sources: Vec<String>,
    pub codes: Vec<String>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Case {
    pub guid: String,
    pub name: String,
    pub description: Option<String>,
    pub values: Vec<(String, String)>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Note {
    pub guid: String,
    pub name: String,
    pub text: String,
    pub description: Option<String>,
    pub user: Option<String>,
    pub created: Option<String>,
    /// GUIDs of selections embedded in the note (how QualCoder ties a memo to a coding).
    pub selections: Vec<String>,
}

/// A project as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Project {
    pub name: String,
    pub origin: String,
    /// User GUID → name.
    pub users: HashMap<String, String>,
    pub codes: Vec<Code>,
    /// Variable GUID → name.
    pub variables: HashMap<String, String>,
    pub cases: Vec<Case>,
    pub sources: Vec<Source>,
    pub notes: Vec<Note>,
    pub description: Option<String>,
    /// Notes about the project as a whole.
    pub project_notes: Vec<String>,
    /// Sources that are not text.
    pub other_sources: Vec<OtherSource>,
    pub sets: Vec<Set>,
    /// Links and graphs: counted, since narrata has no place for them.
    pub links: usize,
    pub graphs: usize,
}

/// How the tool that wrote the file counts positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    CodePoints,
    Utf16,
}

impl Units {
    pub fn of_origin(origin: &str) -> Units {
        let origin = origin.to_lowercase();
        if origin.contains("nvivo") || origin.contains("utf-16") {
            Units::Utf16
        } else {
            Units::CodePoints
        }
    }
}

/// The text as stored (BOM dropped, line breaks LF) and, for every position in the writer's
/// units of the original text, the character position in the stored text.
pub fn normalise(raw: &str, units: Units) -> (String, Vec<usize>) {
    let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    let mut text = String::with_capacity(raw.len());
    let mut map = Vec::with_capacity(raw.len() + 1);
    let mut chars = 0usize;
    let mut it = raw.chars().peekable();
    while let Some(c) = it.next() {
        let width = match units {
            Units::CodePoints => 1,
            Units::Utf16 => c.len_utf16(),
        };
        if c == '\r' && it.peek() == Some(&'\n') {
            // The CR of a CRLF: positions on it fall on the LF that follows.
            map.extend(std::iter::repeat_n(chars, width));
            continue;
        }
        map.extend(std::iter::repeat_n(chars, width));
        text.push(if c == '\r' { '\n' } else { c });
        chars += 1;
    }
    map.push(chars);
    (text, map)
}

/// The files of an archive, checked.
struct Archive {
    qde: Vec<u8>,
    /// Lower-cased path → bytes, for `sources/…`.
    sources: HashMap<String, Vec<u8>>,
}

fn open_archive(bytes: &[u8]) -> Result<Archive, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("this is not a readable .qdpx (zip) archive: {e}"))?;
    let mut total = 0u64;
    let mut qde: Vec<(String, Vec<u8>)> = Vec::new();
    let mut sources = HashMap::new();
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| format!("entry {i} of the archive is unreadable: {e}"))?;
        let name = entry.name().replace('\\', "/");
        if entry.enclosed_name().is_none()
            || name.starts_with('/')
            || name.split('/').any(|p| p == "..")
        {
            return Err(format!(
                "the archive holds a path that leaves it ({name}); refused, nothing was imported"
            ));
        }
        if entry.is_dir() {
            continue;
        }
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        if size > MAX_ENTRY {
            return Err(format!(
                "{name} would unpack to {size} bytes, more than narrata reads ({MAX_ENTRY}); refused"
            ));
        }
        if size > 1024 * 1024 && size / packed > MAX_RATIO {
            return Err(format!(
                "{name} is compressed {}:1, which only a zip bomb is; refused",
                size / packed
            ));
        }
        total += size;
        if total > MAX_TOTAL {
            return Err(format!(
                "the archive unpacks to more than {MAX_TOTAL} bytes; refused"
            ));
        }
        let lower = name.to_lowercase();
        let wanted =
            (lower.ends_with(".qde") && !lower.contains('/')) || lower.starts_with("sources/");
        if !wanted {
            continue;
        }
        // Read no more than the header promised, whatever the data says.
        let mut data = Vec::with_capacity(size.min(MAX_ENTRY) as usize);
        entry
            .by_ref()
            .take(size + 1)
            .read_to_end(&mut data)
            .map_err(|e| format!("{name} could not be unpacked: {e}"))?;
        if data.len() as u64 > size {
            return Err(format!(
                "{name} unpacks to more than its header says; refused"
            ));
        }
        if lower.ends_with(".qde") && !lower.contains('/') {
            qde.push((name, data));
        } else {
            sources.insert(lower, data);
        }
    }
    match qde.len() {
        1 => Ok(Archive {
            qde: qde.pop().map(|q| q.1).unwrap_or_default(),
            sources,
        }),
        0 => Err(
            "the archive has no project file (*.qde) at its root; is it a REFI-QDA project?".into(),
        ),
        _ => Err(format!(
            "the archive has {} project files ({}); a .qdpx holds one",
            qde.len(),
            qde.iter()
                .map(|q| q.0.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn line_of(bytes: &[u8], pos: usize) -> usize {
    bytes[..pos.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn local(name: &[u8]) -> String {
    let s = String::from_utf8_lossy(name);
    match s.rsplit_once(':') {
        Some((_, l)) => l.to_owned(),
        None => s.into_owned(),
    }
}

fn attrs(e: &BytesStart<'_>) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for a in e.attributes() {
        let a = a.map_err(|e| format!("a malformed attribute: {e}"))?;
        let key = local(a.key.as_ref());
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("attribute {key}: {e}"))?
            .into_owned();
        out.insert(key, value);
    }
    Ok(out)
}

/// What element the parser is inside.
#[derive(Debug)]
enum Open {
    Code(Code),
    Source(Source),
    Selection(Selection),
    Coding(Coding),
    Case(Case),
    Note(Note),
    Variable(String, String),
    VariableValue(Option<String>, Option<String>),
    OtherSource(OtherSource),
    Set(Set),
    Other(String),
}

/// Reads a `.qdpx`.
pub fn read(bytes: &[u8]) -> Result<Project, String> {
    let archive = open_archive(bytes)?;
    let xml = &archive.qde;
    let mut reader = Reader::from_reader(&xml[..]);
    let mut buf = Vec::new();
    let mut project = Project::default();
    let mut stack: Vec<Open> = Vec::new();
    let mut text = String::new();
    let mut guids: HashSet<String> = HashSet::new();
    let mut units = Units::CodePoints;
    // Sources whose text lives in the archive, with their raw selections (in the writer's
    // units) until the text is known.
    let mut saw_root = false;
    loop {
        let at = reader.buffer_position() as usize;
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            format!(
                "project.qde is malformed near line {}: {e}",
                line_of(xml, at)
            )
        })?;
        let line = line_of(xml, at);
        let fail = |m: String| format!("project.qde, line {line}: {m}");
        match event {
            Event::DocType(_) => {
                return Err(fail(
                    "the file declares a document type (DOCTYPE), the way entity tricks come in; refused".into(),
                ));
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = local(e.name().as_ref());
                let a = attrs(e).map_err(&fail)?;
                let guid = |key: &str| -> Result<String, String> {
                    let raw = a
                        .get(key)
                        .ok_or_else(|| fail(format!("<{name}> has no {key}")))?;
                    normalise_guid(raw)
                        .ok_or_else(|| fail(format!("<{name}> has an invalid {key} `{raw}`")))
                };
                let optional_guid = |key: &str| a.get(key).and_then(|g| normalise_guid(g));
                let mut unique = |g: &str| -> Result<(), String> {
                    if guids.insert(g.to_owned()) {
                        Ok(())
                    } else {
                        Err(fail(format!("the GUID {g} is used twice")))
                    }
                };
                let open = match name.as_str() {
                    "Project" => {
                        if !saw_root {
                            let ns = a.get("xmlns").cloned().unwrap_or_default();
                            if !ns.is_empty() && !ns.starts_with("urn:QDA-XML:") {
                                return Err(fail(format!(
                                    "the namespace `{ns}` is not REFI-QDA's"
                                )));
                            }
                        }
                        saw_root = true;
                        project.name = a.get("name").cloned().unwrap_or_default();
                        project.origin = a.get("origin").cloned().unwrap_or_default();
                        units = Units::of_origin(&project.origin);
                        Open::Other(name.clone())
                    }
                    "User" => {
                        let g = guid("guid")?;
                        unique(&g)?;
                        project
                            .users
                            .insert(g, a.get("name").cloned().unwrap_or_default());
                        Open::Other(name.clone())
                    }
                    "Code"
                        if stack
                            .iter()
                            .any(|o| matches!(o, Open::Other(n) if n == "CodeBook")) =>
                    {
                        let g = guid("guid")?;
                        unique(&g)?;
                        Open::Code(Code {
                            guid: g,
                            name: a.get("name").cloned().unwrap_or_default(),
                            color: a.get("color").cloned(),
                            ..Default::default()
                        })
                    }
                    "Variable" => {
                        let g = guid("guid")?;
                        unique(&g)?;
                        Open::Variable(g, a.get("name").cloned().unwrap_or_default())
                    }
                    "Case" => {
                        let g = guid("guid")?;
                        unique(&g)?;
                        Open::Case(Case {
                            guid: g,
                            name: a.get("name").cloned().unwrap_or_default(),
                            ..Default::default()
                        })
                    }
                    "TextSource" => {
                        let g = guid("guid")?;
                        unique(&g)?;
                        let mut s = Source {
                            guid: g,
                            name: a.get("name").cloned().unwrap_or_default(),
                            user: optional_guid("creatingUser"),
                            created: a.get("creationDateTime").cloned(),
                            ..Default::default()
                        };
                        if let Some(path) = a.get("plainTextPath") {
                            match source_text(&archive, path) {
                                Ok(t) => s.text = t,
                                Err(e) => s.problem = Some(e),
                            }
                        }
                        Open::Source(s)
                    }
                    "PictureSource" | "PDFSource" | "AudioSource" | "VideoSource" => {
                        Open::OtherSource(OtherSource {
                            guid: optional_guid("guid").unwrap_or_default(),
                            kind: match name.as_str() {
                                "PictureSource" => "picture",
                                "PDFSource" => "PDF",
                                "AudioSource" => "audio",
                                _ => "video",
                            }
                            .into(),
                            name: a.get("name").cloned().unwrap_or_default(),
                            codings: 0,
                        })
                    }
                    "Set" => Open::Set(Set {
                        guid: guid("guid")?,
                        name: a.get("name").cloned().unwrap_or_default(),
                        ..Default::default()
                    }),
                    "MemberSource" | "MemberCode" | "MemberNote" => {
                        let g = guid("targetGUID")?;
                        if let Some(Open::Set(set)) = stack.last_mut() {
                            match name.as_str() {
                                "MemberSource" => set.sources.push(g),
                                "MemberCode" => set.codes.push(g),
                                _ => set.notes.push(g),
                            }
                        }
                        Open::Other(name.clone())
                    }
                    "Link" => {
                        project.links += 1;
                        Open::Other(name.clone())
                    }
                    "Graph" => {
                        project.graphs += 1;
                        Open::Other(name.clone())
                    }
                    "Note" => {
                        let g = guid("guid")?;
                        unique(&g)?;
                        Open::Note(Note {
                            guid: g,
                            name: a.get("name").cloned().unwrap_or_default(),
                            user: optional_guid("creatingUser"),
                            created: a.get("creationDateTime").cloned(),
                            ..Default::default()
                        })
                    }
                    "PlainTextSelection" => {
                        let g = guid("guid")?;
                        // In a note it points at a selection or coding of a source (QualCoder).
                        if !matches!(stack.last(), Some(Open::Note(_))) {
                            unique(&g)?;
                        }
                        let pos = |k: &str| -> Result<usize, String> {
                            a.get(k)
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .ok_or_else(|| {
                                    fail(format!("<PlainTextSelection> has no valid {k}"))
                                })
                        };
                        Open::Selection(Selection {
                            guid: g,
                            start: pos("startPosition")?,
                            end: pos("endPosition")?,
                            user: optional_guid("creatingUser"),
                            created: a.get("creationDateTime").cloned(),
                            description: None,
                            codings: Vec::new(),
                            notes: Vec::new(),
                        })
                    }
                    "Coding" => {
                        let g = guid("guid")?;
                        unique(&g)?;
                        Open::Coding(Coding {
                            guid: g,
                            code: String::new(),
                            user: optional_guid("creatingUser"),
                            created: a.get("creationDateTime").cloned(),
                            notes: Vec::new(),
                        })
                    }
                    "CodeRef" => {
                        let g = guid("targetGUID")?;
                        if let Some(Open::Coding(c)) = stack.last_mut() {
                            c.code = g;
                        }
                        Open::Other(name.clone())
                    }
                    "NoteRef" => {
                        let g = guid("targetGUID")?;
                        match stack.last_mut() {
                            Some(Open::Selection(s)) => s.notes.push(g),
                            Some(Open::Coding(c)) => c.notes.push(g),
                            Some(Open::Source(s)) => s.notes.push(g),
                            Some(Open::Code(c)) => c.notes.push(g),
                            Some(Open::Other(n)) if n == "Project" => project.project_notes.push(g),
                            _ => {}
                        }
                        Open::Other(name.clone())
                    }
                    "SourceRef" => {
                        let g = guid("targetGUID")?;
                        if let Some(Open::Case(c)) = stack.last_mut() {
                            c.sources.push(g);
                        }
                        Open::Other(name.clone())
                    }
                    "VariableValue" => Open::VariableValue(None, None),
                    "VariableRef" => {
                        let g = guid("targetGUID")?;
                        if let Some(Open::VariableValue(v, _)) = stack.last_mut() {
                            *v = Some(g);
                        }
                        Open::Other(name.clone())
                    }
                    _ => Open::Other(name.clone()),
                };
                text.clear();
                if empty {
                    close(&mut stack, open, String::new(), &mut project, units).map_err(&fail)?;
                } else {
                    stack.push(open);
                }
            }
            Event::Text(t) => {
                let s = t
                    .xml10_content()
                    .map_err(|e| fail(format!("text that cannot be read: {e}")))?;
                text.push_str(&s);
            }
            Event::CData(t) => text.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => {
                // Only the five predefined entities and character references exist here.
                let name = String::from_utf8_lossy(&r).into_owned();
                let resolved = match name.as_str() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    n => n
                        .strip_prefix("#x")
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()))
                        .and_then(char::from_u32),
                };
                match resolved {
                    Some(c) => text.push(c),
                    None => return Err(fail(format!("an unknown entity &{name};"))),
                }
            }
            Event::End(_) => {
                if let Some(open) = stack.pop() {
                    let t = std::mem::take(&mut text);
                    close(&mut stack, open, t, &mut project, units).map_err(&fail)?;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_root {
        return Err("project.qde has no <Project> element".into());
    }
    check_references(&project)?;
    Ok(project)
}

/// The text of `internal://GUID.txt`, or of a bare `name.txt` kept in `sources/` (as qc
/// writes it). A path to a file outside the archive cannot be read.
fn source_text(archive: &Archive, path: &str) -> Result<String, String> {
    let file = path
        .strip_prefix("internal://")
        .unwrap_or(path)
        .replace('\\', "/");
    let key = format!(
        "sources/{}",
        file.trim_start_matches("sources/").to_lowercase()
    );
    let bytes = archive.sources.get(&key).ok_or_else(|| {
        if path.starts_with("internal://") {
            format!("its text file {file} is not in the archive")
        } else {
            format!(
                "its text is said to be at `{path}`, which is not in the archive (only files inside the .qdpx can be read)"
            )
        }
    })?;
    crate::import::decode::raw(bytes).map_err(|e| format!("its text file {file}: {e}"))
}

/// Finishes an element: attaches it to its parent or the project.
fn close(
    stack: &mut [Open],
    open: Open,
    text: String,
    project: &mut Project,
    units: Units,
) -> Result<(), String> {
    let parent = stack.last_mut();
    match open {
        Open::Code(c) => match parent {
            Some(Open::Code(p)) => p.children.push(c),
            _ => project.codes.push(c),
        },
        Open::Variable(g, n) => {
            project.variables.insert(g, n);
        }
        Open::Case(c) => project.cases.push(c),
        Open::Source(mut s) => {
            // Selections were read in the writer's units; now the text is known. One that lies
            // outside the text is left out and counted.
            let (normal, map) = normalise(&s.text, units);
            let before = s.selections.len();
            s.selections
                .retain(|sel| sel.start <= sel.end && sel.end < map.len());
            s.selections_outside = before - s.selections.len();
            for sel in &mut s.selections {
                sel.start = map[sel.start];
                sel.end = map[sel.end];
            }
            // Control characters become visible stand-ins, one for one.
            s.text = crate::import::decode::visible_controls(&normal).0;
            project.sources.push(s);
        }
        Open::Selection(sel) => match parent {
            Some(Open::Source(s)) => s.selections.push(sel),
            Some(Open::Note(n)) => n.selections.push(sel.guid),
            _ => {}
        },
        Open::Coding(c) => match parent {
            Some(Open::Selection(s)) => s.codings.push(c),
            // A coding of a picture, PDF, audio or video: counted.
            _ => {
                if let Some(Open::OtherSource(o)) = stack
                    .iter_mut()
                    .rev()
                    .find(|o| matches!(o, Open::OtherSource(_)))
                {
                    o.codings += 1;
                }
            }
        },
        Open::OtherSource(o) => project.other_sources.push(o),
        Open::Set(set) => project.sets.push(set),
        Open::Note(n) => project.notes.push(n),
        Open::VariableValue(Some(v), value) => {
            let value = value.unwrap_or_default();
            match parent {
                Some(Open::Source(s)) => s.values.push((v, value)),
                Some(Open::Case(c)) => c.values.push((v, value)),
                _ => {}
            }
        }
        Open::VariableValue(None, _) => {}
        Open::Other(name) => match (name.as_str(), parent) {
            ("Description", Some(Open::Code(c))) => c.description = Some(text),
            ("Description", Some(Open::Source(s))) => s.description = Some(text),
            ("Description", Some(Open::Selection(s))) => s.description = Some(text),
            ("Description", Some(Open::Case(c))) => c.description = Some(text),
            ("Description", Some(Open::Note(n))) => n.description = Some(text),
            ("Description", Some(Open::Set(set))) => set.description = Some(text),
            ("Description", Some(Open::Other(p))) if p == "Project" => {
                project.description = Some(text)
            }
            ("PlainTextContent", Some(Open::Source(s))) => s.text = text,
            ("PlainTextContent", Some(Open::Note(n))) => n.text = text,
            (
                "TextValue" | "BooleanValue" | "IntegerValue" | "FloatValue" | "DateValue"
                | "DateTimeValue",
                Some(Open::VariableValue(_, v)),
            ) => *v = Some(text),
            _ => {}
        },
    }
    Ok(())
}

/// Every reference must name something in the file.
fn check_references(p: &Project) -> Result<(), String> {
    let mut codes = HashSet::new();
    fn walk(c: &[Code], set: &mut HashSet<String>) {
        for x in c {
            set.insert(x.guid.clone());
            walk(&x.children, set);
        }
    }
    walk(&p.codes, &mut codes);
    let notes: HashSet<&str> = p.notes.iter().map(|n| n.guid.as_str()).collect();
    let sources: HashSet<&str> = p
        .sources
        .iter()
        .map(|s| s.guid.as_str())
        .chain(p.other_sources.iter().map(|s| s.guid.as_str()))
        .collect();
    let note = |g: &String, what: &str| -> Result<(), String> {
        if notes.contains(g.as_str()) {
            Ok(())
        } else {
            Err(format!(
                "{what} refers to a note {g} that the file does not hold"
            ))
        }
    };
    for s in &p.sources {
        for n in &s.notes {
            note(n, &format!("source `{}`", s.name))?;
        }
        for sel in &s.selections {
            for n in &sel.notes {
                note(n, &format!("a selection of `{}`", s.name))?;
            }
            for c in &sel.codings {
                if !codes.contains(&c.code) {
                    return Err(format!(
                        "a coding in `{}` refers to a code {} that the codebook does not hold",
                        s.name, c.code
                    ));
                }
                for n in &c.notes {
                    note(n, &format!("a coding in `{}`", s.name))?;
                }
            }
        }
    }
    for c in &p.cases {
        for s in &c.sources {
            if !sources.contains(s.as_str()) {
                return Err(format!(
                    "case `{}` refers to a source {s} that the file does not hold",
                    c.name
                ));
            }
        }
    }
    for n in &p.project_notes {
        note(n, "the project")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nvivo_positions_count_utf16_units_and_crlf_as_two() {
        let raw = "\u{feff}Hoi 😀\r\nja";
        let (text, map) = normalise(raw, Units::Utf16);
        assert_eq!(text, "Hoi 😀\nja");
        // H o i ␠ 😀(2) \r \n j a → 10 units.
        assert_eq!(map.len(), 11);
        assert_eq!(map[4], 4); // the emoji
        assert_eq!(map[6], 5); // the CR falls on the line break
        assert_eq!(map[8], 6); // j
        assert_eq!(map[10], 8); // the end
        let (_, cp) = normalise(raw, Units::CodePoints);
        assert_eq!(cp[5], 5); // CR
        assert_eq!(cp[7], 6); // j
    }
}
