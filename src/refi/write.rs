//! Writing a project as `.qdpx` (see the module above for the mapping).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::{NAMESPACE, derived_guid};
use crate::codebook::file as codebook_file;
use crate::codebook::qdc::{escape, write_code};
use crate::corpus;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::xml::safe as xml_safe;

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub file: String,
    pub sources: usize,
    pub codes: usize,
    pub codings: usize,
    pub notes: usize,
    pub cases: usize,
    pub users: usize,
}

struct Note {
    guid: String,
    text: String,
    user: String,
    created: String,
    /// Set for memos whose target the standard has no place to refer from.
    target: Option<String>,
    name: String,
}

fn x(s: &str) -> String {
    escape(&xml_safe(s))
}

/// Writes the project to `path` (through a temporary file).
/// How positions in the written file count characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Positions {
    /// Unicode code points, as the standard says (and QualCoder, MAXQDA, ATLAS.ti read).
    #[default]
    CodePoints,
    /// UTF-16 code units (an emoji counts 2), for a reader that counts as NVivo does.
    Utf16,
}

/// A function from a character offset of `text` to the position the file writes.
fn position_counter(text: &str, positions: Positions) -> impl Fn(usize) -> usize + use<> {
    // For UTF-16: the units before each character, once per text.
    let units: Vec<usize> = match positions {
        Positions::CodePoints => Vec::new(),
        Positions::Utf16 => {
            let mut at = 0;
            let mut v: Vec<usize> = text
                .chars()
                .map(|c| {
                    let here = at;
                    at += c.len_utf16();
                    here
                })
                .collect();
            v.push(at);
            v
        }
    };
    move |c: usize| {
        if units.is_empty() {
            c
        } else {
            units[c.min(units.len() - 1)]
        }
    }
}

pub fn export(store: &Store, path: &Path) -> Result<Summary> {
    export_with(store, path, Positions::CodePoints)
}

/// [`export`], with positions counted as `positions` says.
pub fn export_with(store: &Store, path: &Path, positions: Positions) -> Result<Summary> {
    let conn = store.conn();
    // One snapshot of the project: the sources' selections and their texts, read at different
    // moments, are of the same state even with the terminal UI coding beside the export.
    let _snapshot = conn.unchecked_transaction()?;
    let project = store.project()?;
    let user_guid = |name: &str| derived_guid(&[&project.guid, "user", name]);

    let mut users: Vec<(String, String)> = conn
        .prepare("SELECT name FROM coders ORDER BY id")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|n| (user_guid(&n), n))
        .collect();
    if users.is_empty() {
        users.push((user_guid("narrata"), "narrata".into()));
    }

    // Memos, sorted by what refers to them.
    let mut notes: Vec<Note> = Vec::new();
    let mut refs: HashMap<(String, String), Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT m.guid, m.target_kind, m.text, k.name, m.created,
                CASE m.target_kind
                  WHEN 'document' THEN (SELECT guid FROM documents WHERE id = m.target_id)
                  WHEN 'code' THEN (SELECT guid FROM codes WHERE id = m.target_id)
                  WHEN 'coding' THEN (SELECT guid FROM codings WHERE id = m.target_id)
                  WHEN 'participant' THEN (SELECT code FROM participants WHERE id = m.target_id)
                  WHEN 'wave' THEN (SELECT name FROM waves WHERE id = m.target_id)
                  WHEN 'portrait' THEN (SELECT code FROM participants WHERE id = m.target_id)
                    || ':' || (SELECT name FROM waves WHERE id = m.wave_id)
                  ELSE NULL END
         FROM memos m JOIN coders k ON k.id = m.coder_id ORDER BY m.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    for row in rows {
        let (guid, kind, text, coder, created, target) = row?;
        let target = target.unwrap_or_default();
        let standalone = matches!(kind.as_str(), "participant" | "wave" | "portrait");
        if !standalone {
            refs.entry((kind.clone(), target.clone()))
                .or_default()
                .push(guid.clone());
        }
        notes.push(Note {
            name: if kind == "project" {
                "Memo on the project".into()
            } else if kind == "portrait" {
                format!("Pen portrait {target}")
            } else if standalone {
                format!("Memo on {kind} {target}")
            } else {
                format!("Memo on a {kind}")
            },
            guid,
            text,
            user: user_guid(&coder),
            created,
            target: standalone.then(|| format!("{kind}:{target}")),
        });
    }
    let refs_of = |kind: &str, guid: &str| -> Vec<String> {
        refs.get(&(kind.to_owned(), guid.to_owned()))
            .cloned()
            .unwrap_or_default()
    };
    // The same memos as text, where other tools read a memo: QualCoder takes a coding's memo
    // from its selection's <Description> and ignores <NoteRef>; MAXQDA and ATLAS.ti show a
    // source's and a case's <Description> as their memo. Gathered once, by what they describe
    // (`kind:target`), in the memos' order.
    let mut described: HashMap<String, Vec<&str>> = HashMap::new();
    {
        let mut target_of: HashMap<&str, Vec<String>> = HashMap::new();
        for ((kind, target), guids) in &refs {
            for g in guids {
                target_of
                    .entry(g.as_str())
                    .or_default()
                    .push(format!("{kind}:{target}"));
            }
        }
        for n in &notes {
            let text = n.text.trim();
            if text.is_empty() {
                continue;
            }
            let targets = match &n.target {
                Some(t) => vec![t.clone()],
                None => target_of.get(n.guid.as_str()).cloned().unwrap_or_default(),
            };
            for t in targets {
                described.entry(t).or_default().push(text);
            }
        }
    }
    let description_of = |kind: &str, target: &str| -> Option<String> {
        described
            .get(&format!("{kind}:{target}"))
            .map(|texts| format!("<Description>{}</Description>", x(&texts.join("\n\n"))))
    };

    let mut qde = String::with_capacity(1 << 20);
    qde.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    qde.push_str(&format!(
        "<Project xmlns=\"{NAMESPACE}\" name=\"{}\" origin=\"narrata {}{}\" creatingUserGUID=\"{}\" creationDateTime=\"{}\">\n",
        x(&project.name),
        env!("CARGO_PKG_VERSION"),
        // A reader (narrata's own among them) learns from the origin how positions count.
        if positions == Positions::Utf16 {
            " (positions in UTF-16 units)"
        } else {
            ""
        },
        users[0].0,
        x(&project.created)
    ));
    qde.push_str("  <Users>\n");
    for (guid, name) in &users {
        qde.push_str(&format!(
            "    <User guid=\"{guid}\" name=\"{}\"/>\n",
            x(name)
        ));
    }
    qde.push_str("  </Users>\n");

    let book = codebook_file::export(store)?;
    let mut code_count = 0;
    fn count(c: &[codebook_file::CodeEntry]) -> usize {
        c.iter().map(|e| 1 + count(&e.children)).sum()
    }
    code_count += count(&book.codes);
    if !book.codes.is_empty() {
        qde.push_str("  <CodeBook>\n    <Codes>\n");
        for c in &book.codes {
            write_code(&mut qde, c, 3, &|guid| refs_of("code", guid));
        }
        qde.push_str("    </Codes>\n  </CodeBook>\n");
    }

    // Variables: the wave, kind and language of each document, the participants' attributes.
    let participants = corpus::participants(conn)?;
    let mut attribute_names: Vec<String> = participants
        .iter()
        .filter_map(|p| p.attributes.as_object())
        .flat_map(|o| o.keys().cloned())
        .collect();
    attribute_names.sort();
    attribute_names.dedup();
    let var = |name: &str| derived_guid(&[&project.guid, "variable", name]);
    qde.push_str("  <Variables>\n");
    for (name, what) in [
        ("wave", "The interview round (wave) of the document."),
        ("kind", "individual, group or fieldnote."),
        ("language", "The language of the document's text: nl or en."),
    ] {
        qde.push_str(&format!(
            "    <Variable guid=\"{}\" name=\"{name}\" typeOfVariable=\"Text\">\n      <Description>{what}</Description>\n    </Variable>\n",
            var(name)
        ));
    }
    for name in &attribute_names {
        qde.push_str(&format!(
            "    <Variable guid=\"{}\" name=\"{}\" typeOfVariable=\"Text\"/>\n",
            var(&format!("participant:{name}")),
            x(name)
        ));
    }
    qde.push_str("  </Variables>\n");

    let docs = corpus::documents(conn)?;
    let value = |guid: &str, v: &str| {
        format!(
            "<VariableValue><VariableRef targetGUID=\"{guid}\"/><TextValue>{}</TextValue></VariableValue>",
            x(v)
        )
    };
    if !participants.is_empty() {
        qde.push_str("  <Cases>\n");
        for p in &participants {
            qde.push_str(&format!(
                "    <Case guid=\"{}\" name=\"{}\">\n",
                p.guid,
                x(&p.code)
            ));
            if let Some(d) = description_of("participant", &p.code) {
                qde.push_str(&format!("      {d}\n"));
            }
            if let Some(o) = p.attributes.as_object() {
                for (k, v) in o {
                    let v = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    qde.push_str(&format!(
                        "      {}\n",
                        value(&var(&format!("participant:{k}")), &v)
                    ));
                }
            }
            for d in docs.iter().filter(|d| d.participants.contains(&p.code)) {
                qde.push_str(&format!("      <SourceRef targetGUID=\"{}\"/>\n", d.guid));
            }
            qde.push_str("    </Case>\n");
        }
        qde.push_str("  </Cases>\n");
    }

    // Everything above is small (users, codes, variables, cases); the sources with their
    // selections, and the texts, are written into the archive as they are read, one document
    // at a time, so that the export's memory does not grow with the study.
    // Each code's GUID from its row, and its path where the codebook reaches it (a code in a
    // damaged tree, which `check` reports, keeps its codings with an empty name, as before).
    let paths: HashMap<i64, String> = crate::codebook::codes(conn)?
        .into_iter()
        .map(|c| (c.id, c.path))
        .collect();
    let codes: HashMap<i64, (String, String)> = conn
        .prepare("SELECT id, guid FROM codes")?
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(id, guid)| (id, (guid, paths.get(&id).cloned().unwrap_or_default())))
        .collect();
    let mut coding_count = 0;
    crate::files::write_atomically(path, |file| {
        crate::files::write_zip(file, path, "the .qdpx", |zip| {
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            let failed = |e: zip::result::ZipError| crate::files::zip_error(path, "the .qdpx", e);
            let written = |e: std::io::Error| Error::io(path, e);
            zip.start_file("project.qde", options).map_err(failed)?;
            let mut selections = conn.prepare(
                "SELECT c.guid, c.code_id, c.start, c.end, k.name, c.created
             FROM codings c JOIN coders k ON k.id = c.coder_id
             WHERE c.doc_id = ?1 ORDER BY c.start, c.end, c.id",
            )?;
            let mut created_of = conn.prepare(
            "SELECT d.created, k.name FROM documents d JOIN coders k ON k.id = d.created_by WHERE d.id = ?1",
        )?;
            if !docs.is_empty() {
                qde.push_str("  <Sources>\n");
                for d in &docs {
                    let created: (String, String) =
                        created_of.query_row([d.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    qde.push_str(&format!(
                    "    <TextSource guid=\"{}\" name=\"{}\" plainTextPath=\"internal://{}.txt\" creatingUser=\"{}\" creationDateTime=\"{}\">\n",
                    d.guid,
                    x(&d.title),
                    d.guid,
                    user_guid(&created.1),
                    x(&created.0)
                ));
                    if let Some(desc) = description_of("document", &d.guid) {
                        qde.push_str(&format!("      {desc}\n"));
                    }
                    // The text is needed here only to count UTF-16 units.
                    let position = match positions {
                        Positions::CodePoints => position_counter("", positions),
                        Positions::Utf16 => position_counter(&corpus::text(conn, d.id)?, positions),
                    };
                    let mut rows = selections.query([d.id])?;
                    while let Some(r) = rows.next()? {
                        let (guid, code_id, start, end, coder, created): (
                            String,
                            i64,
                            i64,
                            i64,
                            String,
                            String,
                        ) = (
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                        );
                        let (code_guid, code_path) = codes.get(&code_id).ok_or_else(|| {
                            Error::Invalid(format!(
                                "coding {guid} names code {code_id}, which is gone"
                            ))
                        })?;
                        let user = user_guid(&coder);
                        let selection = derived_guid(&[&guid, "selection"]);
                        qde.push_str(&format!(
                        "      <PlainTextSelection guid=\"{selection}\" name=\"{}\" startPosition=\"{}\" endPosition=\"{}\" creatingUser=\"{user}\" creationDateTime=\"{}\">\n",
                        x(code_path),
                        position(start.max(0) as usize),
                        position(end.max(0) as usize),
                        x(&created)
                    ));
                        if let Some(desc) = description_of("coding", &guid) {
                            qde.push_str(&format!("        {desc}\n"));
                        }
                        qde.push_str(&format!(
                        "        <Coding guid=\"{guid}\" creatingUser=\"{user}\" creationDateTime=\"{}\"><CodeRef targetGUID=\"{code_guid}\"/></Coding>\n",
                        x(&created),
                    ));
                        for note in refs_of("coding", &guid) {
                            qde.push_str(&format!("        <NoteRef targetGUID=\"{note}\"/>\n"));
                        }
                        qde.push_str("      </PlainTextSelection>\n");
                        coding_count += 1;
                    }
                    for note in refs_of("document", &d.guid) {
                        qde.push_str(&format!("      <NoteRef targetGUID=\"{note}\"/>\n"));
                    }
                    if let Some(w) = &d.wave {
                        qde.push_str(&format!("      {}\n", value(&var("wave"), w)));
                    }
                    qde.push_str(&format!("      {}\n", value(&var("kind"), &d.kind)));
                    qde.push_str(&format!("      {}\n", value(&var("language"), &d.language)));
                    qde.push_str("    </TextSource>\n");
                    zip.write_all(qde.as_bytes()).map_err(written)?;
                    qde.clear();
                }
                qde.push_str("  </Sources>\n");
            }
            if !notes.is_empty() {
                qde.push_str("  <Notes>\n");
                for n in &notes {
                    qde.push_str(&format!(
                    "    <Note guid=\"{}\" name=\"{}\" creatingUser=\"{}\" creationDateTime=\"{}\">\n",
                    n.guid,
                    x(&n.name),
                    n.user,
                    x(&n.created)
                ));
                    if let Some(t) = &n.target {
                        qde.push_str(&format!(
                            "      <Description>narrata:target={}</Description>\n",
                            x(t)
                        ));
                    }
                    qde.push_str(&format!(
                        "      <PlainTextContent>{}</PlainTextContent>\n",
                        x(&n.text)
                    ));
                    qde.push_str("    </Note>\n");
                }
                qde.push_str("  </Notes>\n");
            }
            for note in refs_of("project", "") {
                qde.push_str(&format!("  <NoteRef targetGUID=\"{note}\"/>\n"));
            }
            qde.push_str("</Project>\n");
            zip.write_all(qde.as_bytes()).map_err(written)?;
            qde = String::new();
            // Each text as it is stored, read once more, one at a time.
            for d in &docs {
                zip.start_file(format!("sources/{}.txt", d.guid), options)
                    .map_err(failed)?;
                zip.write_all(corpus::text(conn, d.id)?.as_bytes())
                    .map_err(written)?;
            }
            Ok(())
        })
    })?;
    Ok(Summary {
        file: path.display().to_string(),
        sources: docs.len(),
        codes: code_count,
        codings: coding_count,
        notes: notes.len(),
        cases: participants.len(),
        users: users.len(),
    })
}
