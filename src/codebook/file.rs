//! Codebook files: YAML and JSON in one shape (codes nest through `children`;
//! every field but `name` optional), and the merge-by-path import every format shares.
//!
//! Validation happens while parsing (names, colours, polarities, duplicate siblings,
//! unknown keys), so a refusal carries the parser's line and column.

use std::path::Path;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use super::{Code, Fields, check_color, check_name, check_polarity, codes, insert, set_fields};
use crate::error::{Error, Result};
use crate::store::Store;

/// Codebook files larger than this are refused (the largest real codebooks are a few hundred KB).
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;

/// A codebook file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CodebookFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "siblings")]
    pub codes: Vec<CodeEntry>,
}

/// One code of a codebook file, with its children.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CodeEntry {
    #[serde(deserialize_with = "name")]
    pub name: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "guid"
    )]
    pub guid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "color"
    )]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "polarity"
    )]
    pub polarity: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "siblings"
    )]
    pub children: Vec<CodeEntry>,
}

impl CodeEntry {
    fn fields(&self) -> Fields {
        Fields {
            description: self.description.clone(),
            include: self.include.clone(),
            exclude: self.exclude.clone(),
            example: self.example.clone(),
            color: self.color.clone(),
            dimension: self.dimension.clone(),
            polarity: self.polarity.clone(),
        }
    }
}

fn name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    check_name(&String::deserialize(d)?).map_err(de::Error::custom)
}

fn color<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(c) => check_color(&c).map(Some).map_err(de::Error::custom),
    }
}

fn polarity<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(p) => check_polarity(&p).map(Some).map_err(de::Error::custom),
    }
}

fn guid<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(g) => normalise_guid(&g).map(Some).ok_or_else(|| {
            de::Error::custom(format!("`{g}` is not a GUID (8-4-4-4-12 hex digits)"))
        }),
    }
}

fn siblings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<CodeEntry>, D::Error> {
    let list = Option::<Vec<CodeEntry>>::deserialize(d)?.unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    for c in &list {
        if !seen.insert(c.name.to_lowercase()) {
            return Err(de::Error::custom(format!(
                "the code `{}` appears twice at the same level",
                c.name
            )));
        }
    }
    Ok(list)
}

/// A GUID in the canonical form narrata stores (lower case, no braces), if it is one.
pub fn normalise_guid(g: &str) -> Option<String> {
    let g = g
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_ascii_lowercase();
    let groups: Vec<&str> = g.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    (groups.len() == 5
        && groups
            .iter()
            .zip(lengths)
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit())))
    .then_some(g)
}

/// Reads a codebook file by its extension (.yaml/.yml, .json, .qdc).
pub fn read(path: &Path) -> Result<CodebookFile> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() > MAX_BYTES {
        return Err(Error::input(
            &shown,
            format!(
                "the file is larger than {} MB; a codebook is far smaller",
                MAX_BYTES / 1_048_576
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    parse(&bytes, &ext).map_err(|reason| Error::input(&shown, reason))
}

/// Parses codebook bytes of the given format; the error is a sentence with line and reason.
pub fn parse(bytes: &[u8], ext: &str) -> Result<CodebookFile, String> {
    if ext == "qdc" {
        return super::qdc::read(bytes);
    }
    let text =
        std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).map_err(|e| {
            format!(
                "the file is not UTF-8 text (first bad byte at {})",
                e.valid_up_to()
            )
        })?;
    let file: CodebookFile = match ext {
        "yaml" | "yml" => serde_saphyr::from_str(text).map_err(|e| {
            let msg = e.to_string();
            format!(
                "the codebook is not valid: {}",
                msg.lines().next().unwrap_or(&msg)
            )
        })?,
        "json" => serde_json::from_str(text)
            .map_err(|e| format!("the codebook is not valid JSON: {e}"))?,
        other => {
            return Err(format!(
                "narrata reads codebooks as .yaml, .yml, .json or .qdc, not .{other}"
            ));
        }
    };
    if file.codes.is_empty() {
        return Err("the codebook has no codes".into());
    }
    Ok(file)
}

/// What importing a codebook did (or would do).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ImportSummary {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Imports a codebook by merging on paths: a code whose path exists gets the fields the file
/// gives (where they differ), a new path is added with its parents. Codes the file does not
/// mention are left alone. Importing the same file twice changes nothing (and records nothing).
pub fn import(
    store: &mut Store,
    coder: &str,
    file: &CodebookFile,
    label: &str,
) -> Result<ImportSummary> {
    let existing = codes(store.conn())?;
    let mut planned = ImportSummary::default();
    plan(&file.codes, "", &existing, &mut planned);
    if planned.added == 0 && planned.updated == 0 {
        return Ok(planned);
    }
    store.action(coder, |a| {
        let mut summary = ImportSummary::default();
        apply(a, &file.codes, None, "", &existing, &mut summary)?;
        a.audit(
            "import codebook",
            &format!("codebook:{label}"),
            serde_json::json!({"name": file.name, "source": file.source, "added": summary.added, "updated": summary.updated}),
        )?;
        Ok(summary)
    })
}

/// [`import`] inside an action that does more (a REFI-QDA import): merges by path and records
/// an audit entry when anything changed.
pub fn import_in(
    a: &crate::store::Action<'_>,
    file: &CodebookFile,
    label: &str,
) -> Result<ImportSummary> {
    let existing = codes(a.conn())?;
    let mut summary = ImportSummary::default();
    apply(a, &file.codes, None, "", &existing, &mut summary)?;
    if summary.added > 0 || summary.updated > 0 {
        a.audit(
            "import codebook",
            &format!("codebook:{label}"),
            serde_json::json!({"name": file.name, "source": file.source, "added": summary.added, "updated": summary.updated}),
        )?;
    }
    Ok(summary)
}

fn path_of(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}/{name}")
    }
}

fn existing_at<'a>(existing: &'a [Code], path: &str) -> Option<&'a Code> {
    existing
        .iter()
        .find(|c| c.path.to_lowercase() == path.to_lowercase())
}

fn differs(c: &Code, f: &Fields) -> bool {
    let t = |n: &Option<String>, o: &str| n.as_ref().is_some_and(|n| n != o);
    let o = |n: &Option<String>, o: &Option<String>| n.is_some() && n != o;
    t(&f.description, &c.description)
        || t(&f.include, &c.include)
        || t(&f.exclude, &c.exclude)
        || t(&f.example, &c.example)
        || o(&f.color, &c.color)
        || o(&f.dimension, &c.dimension)
        || o(&f.polarity, &c.polarity)
}

fn plan(entries: &[CodeEntry], prefix: &str, existing: &[Code], s: &mut ImportSummary) {
    for e in entries {
        let path = path_of(prefix, &e.name);
        match existing_at(existing, &path) {
            Some(c) if differs(c, &e.fields()) => s.updated += 1,
            Some(_) => s.unchanged += 1,
            None => s.added += 1,
        }
        plan(&e.children, &path, existing, s);
    }
}

fn apply(
    a: &crate::store::Action<'_>,
    entries: &[CodeEntry],
    parent: Option<i64>,
    prefix: &str,
    existing: &[Code],
    s: &mut ImportSummary,
) -> Result<()> {
    for e in entries {
        let path = path_of(prefix, &e.name);
        let id = match existing_at(existing, &path) {
            Some(c) => {
                if set_fields(a, c, &e.fields())? {
                    s.updated += 1;
                } else {
                    s.unchanged += 1;
                }
                c.id
            }
            None => {
                // Keep the file's GUID unless the project already uses it for another code.
                let guid = e
                    .guid
                    .as_deref()
                    .filter(|g| !existing.iter().any(|c| c.guid == *g));
                s.added += 1;
                insert(a, parent, &e.name, guid, &e.fields())?
            }
        };
        apply(a, &e.children, Some(id), &path, existing, s)?;
    }
    Ok(())
}

/// The project's codebook as a file (GUIDs included, so a round trip keeps identities).
pub fn export(store: &Store) -> Result<CodebookFile> {
    let all = codes(store.conn())?;
    let project = store.project()?;
    fn children(all: &[Code], parent: Option<i64>) -> Vec<CodeEntry> {
        all.iter()
            .filter(|c| c.parent == parent)
            .map(|c| {
                let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
                CodeEntry {
                    name: c.name.clone(),
                    guid: Some(c.guid.clone()),
                    description: some(&c.description),
                    include: some(&c.include),
                    exclude: some(&c.exclude),
                    example: some(&c.example),
                    color: c.color.clone(),
                    dimension: c.dimension.clone(),
                    polarity: c.polarity.clone(),
                    children: children(all, Some(c.id)),
                }
            })
            .collect()
    }
    Ok(CodebookFile {
        name: Some(format!("{} codebook", project.name)),
        language: Some(project.language),
        source: Some(format!("exported by narrata {}", env!("CARGO_PKG_VERSION"))),
        description: None,
        codes: children(&all, None),
    })
}

/// Writes a codebook file in the format its extension names.
pub fn write(file: &CodebookFile, path: &Path) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if file.codes.is_empty() {
        return Err(Error::Invalid(
            "the codebook is empty: there is nothing to export".into(),
        ));
    }
    let text = match ext.as_str() {
        "yaml" | "yml" => {
            serde_saphyr::to_string(file).map_err(|e| Error::Internal(e.to_string()))?
        }
        "json" => {
            serde_json::to_string_pretty(file).map_err(|e| Error::Internal(e.to_string()))? + "\n"
        }
        "qdc" => super::qdc::write(file),
        other => {
            return Err(Error::Invalid(format!(
                "narrata writes codebooks as .yaml, .yml, .json or .qdc, not .{other}"
            )));
        }
    };
    crate::files::write_atomically(path, |w| {
        std::io::Write::write_all(w, text.as_bytes()).map_err(|e| Error::io(path, e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_shape_parses() {
        let yaml = "name: CHIME\nlanguage: en\nsource: Leamy 2011\ncodes:\n  - name: Hope and optimism\n    description: what it captures\n    color: \"#4E79A7\"\n    dimension: hope\n    polarity: positive\n    children:\n      - name: Belief in recovery\n";
        let f = parse(yaml.as_bytes(), "yaml").unwrap();
        assert_eq!(f.codes[0].color.as_deref(), Some("#4e79a7"));
        assert_eq!(f.codes[0].children[0].name, "Belief in recovery");
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(parse(json.as_bytes(), "json").unwrap(), f);
    }

    #[test]
    fn malformed_codebooks_are_refused_with_line_and_reason() {
        let cases = [
            ("codes:\n  - name: A\n    colour: red\n", "colour"),
            ("codes:\n  - name: A/B\n", "cannot contain `/`"),
            ("codes:\n  - name: A\n    color: red\n", "not a colour"),
            (
                "codes:\n  - name: A\n    polarity: up\n",
                "positive or negative",
            ),
            ("codes:\n  - name: A\n  - name: a\n", "appears twice"),
            ("codes:\n  - description: no name\n", "name"),
            ("codes: [\n", "not valid"),
            ("name: empty\n", "no codes"),
        ];
        for (yaml, expected) in cases {
            let err = parse(yaml.as_bytes(), "yaml").unwrap_err();
            assert!(err.contains(expected), "{yaml:?}: {err}");
        }
        let err = parse(b"codes:\n  - name: A\n    colour: red\n", "yaml").unwrap_err();
        assert!(err.contains("line 3"), "{err}");
        let err = parse(b"{\"codes\": [{\"name\": \"A\", \"polarity\": 1}]}", "json").unwrap_err();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn guids_are_normalised() {
        assert_eq!(
            normalise_guid("{2DA4C2E6-0C10-4E9F-9D2B-0A5B7C1D2E3F}").as_deref(),
            Some("2da4c2e6-0c10-4e9f-9d2b-0a5b7c1d2e3f")
        );
        assert_eq!(normalise_guid("not-a-guid"), None);
    }
}
