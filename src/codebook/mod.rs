//! The codebook: a tree of codes with definitions (description, inclusion and exclusion
//! criteria, an example), a colour, and an optional dimension and polarity for codes that are
//! opposite poles of one theme. Finding a code by id, name or path; reorganising the tree
//! (add, rename, move, merge, remove), each as one audited, undoable action in which codings
//! and memos follow their code. Files in and out live in [`file`](mod@file) (YAML, JSON) and [`qdc`]
//! (REFI-QDA).

mod find;
pub use find::{find, find_in, find_whole_in};
pub mod file;
pub mod qdc;

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::{Action, Store, new_guid};

/// A code as listed (`narrata codebook show`); field names are the JSON contract.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Code {
    pub id: i64,
    pub guid: String,
    pub name: String,
    pub path: String,
    pub parent: Option<i64>,
    pub description: String,
    pub include: String,
    pub exclude: String,
    pub example: String,
    pub color: Option<String>,
    pub dimension: Option<String>,
    pub polarity: Option<String>,
    /// Codings with exactly this code.
    pub codings: i64,
    /// Codings with this code or any code below it.
    pub codings_with_subcodes: i64,
    #[serde(skip)]
    pub depth: usize,
    #[serde(skip)]
    pub position: i64,
}

/// The editable fields of a code; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields {
    pub description: Option<String>,
    pub include: Option<String>,
    pub exclude: Option<String>,
    pub example: Option<String>,
    pub color: Option<String>,
    pub dimension: Option<String>,
    pub polarity: Option<String>,
}

/// Every code in tree order (depth first, siblings by position then name), with paths
/// and coding counts.
pub fn codes(conn: &Connection) -> Result<Vec<Code>> {
    codes_counted(conn, true)
}

/// Every code in tree order with paths, without counting codings (counts are 0): for
/// analyses that count for themselves (counting 100,000 codings takes 6 ms).
pub fn codes_uncounted(conn: &Connection) -> Result<Vec<Code>> {
    codes_counted(conn, false)
}

fn codes_counted(conn: &Connection, count: bool) -> Result<Vec<Code>> {
    let mut stmt = conn.prepare(if count {
        "SELECT c.id, c.guid, c.parent_id, c.name, c.description, c.include, c.exclude, c.example,
                c.color, c.dimension, c.polarity, c.position,
                (SELECT count(*) FROM codings g WHERE g.code_id = c.id)
         FROM codes c"
    } else {
        "SELECT c.id, c.guid, c.parent_id, c.name, c.description, c.include, c.exclude, c.example,
                c.color, c.dimension, c.polarity, c.position, 0
         FROM codes c"
    })?;
    let all = stmt
        .query_map([], |r| {
            Ok(Code {
                id: r.get(0)?,
                guid: r.get(1)?,
                parent: r.get(2)?,
                name: r.get(3)?,
                path: String::new(),
                description: r.get(4)?,
                include: r.get(5)?,
                exclude: r.get(6)?,
                example: r.get(7)?,
                color: r.get(8)?,
                dimension: r.get(9)?,
                polarity: r.get(10)?,
                position: r.get(11)?,
                codings: r.get(12)?,
                codings_with_subcodes: 0,
                depth: 0,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut children: HashMap<Option<i64>, Vec<Code>> = HashMap::new();
    for c in all {
        children.entry(c.parent).or_default().push(c);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| {
            (a.position, a.name.to_lowercase(), a.id).cmp(&(
                b.position,
                b.name.to_lowercase(),
                b.id,
            ))
        });
    }
    let mut out = Vec::new();
    fn visit(
        parent: Option<i64>,
        prefix: &str,
        depth: usize,
        children: &mut HashMap<Option<i64>, Vec<Code>>,
        out: &mut Vec<Code>,
    ) -> i64 {
        let mut total = 0;
        for mut c in children.remove(&parent).unwrap_or_default() {
            c.path = if prefix.is_empty() {
                c.name.clone()
            } else {
                format!("{prefix}/{}", c.name)
            };
            c.depth = depth;
            let at = out.len();
            let path = c.path.clone();
            let own = c.codings;
            let id = c.id;
            out.push(c);
            let below = visit(Some(id), &path, depth + 1, children, out);
            out[at].codings_with_subcodes = own + below;
            total += own + below;
        }
        total
    }
    visit(None, "", 0, &mut children, &mut out);
    Ok(out)
}

/// The ids of a code and every code below it.
pub fn with_descendants(all: &[Code], id: i64) -> Vec<i64> {
    let mut ids = vec![id];
    let mut i = 0;
    while i < ids.len() {
        let parent = ids[i];
        ids.extend(
            all.iter()
                .filter(|c| c.parent == Some(parent))
                .map(|c| c.id),
        );
        i += 1;
    }
    ids
}

/// Checks a code name: not empty, no `/` (paths use it), no control characters, not too long.
pub fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("a code needs a name".into());
    }
    if name.contains('/') {
        return Err(format!(
            "code names cannot contain `/` (it separates a path): `{name}`"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(format!(
            "code names cannot contain control characters: `{}`",
            name.escape_debug()
        ));
    }
    if name.chars().count() > 200 {
        return Err("a code name may be at most 200 characters".into());
    }
    Ok(name.to_owned())
}

/// The name of an in-vivo code made from a participant's own words: the words with their
/// spacing made single, without the punctuation and quotes around them, `/` written as `-`
/// (it separates a path). `None` when nothing is left or the words are longer than a name
/// should be (80 characters: a phrase, not a passage).
pub fn in_vivo_name(words: &str) -> Option<String> {
    let joined = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = joined
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '[' && c != ']')
        .replace('/', "-");
    let chars = name.chars().count();
    (chars > 0 && chars <= 80 && check_name(&name).is_ok()).then_some(name)
}

/// Checks a colour: `#rgb` or `#rrggbb`; returned lower-case as `#rrggbb`.
pub fn check_color(color: &str) -> Result<String, String> {
    let c = color.trim();
    let hex = c.strip_prefix('#').unwrap_or("");
    if !(hex.len() == 3 || hex.len() == 6) || !hex.chars().all(|ch| ch.is_ascii_hexdigit()) {
        return Err(format!("`{c}` is not a colour; use #rrggbb, e.g. #4e79a7"));
    }
    let hex = hex.to_ascii_lowercase();
    Ok(if hex.len() == 3 {
        let mut s = String::from("#");
        for ch in hex.chars() {
            s.push(ch);
            s.push(ch);
        }
        s
    } else {
        format!("#{hex}")
    })
}

/// Checks a polarity: `positive` or `negative` (also `+`/`-`).
pub fn check_polarity(p: &str) -> Result<String, String> {
    match p.trim().to_lowercase().as_str() {
        "positive" | "+" | "pos" => Ok("positive".into()),
        "negative" | "-" | "neg" => Ok("negative".into()),
        other => Err(format!("polarity `{other}` must be positive or negative")),
    }
}

fn sibling(conn: &Connection, parent: Option<i64>, name: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ifnull(?1, 0) AND name = ?2 COLLATE NOCASE",
            params![parent, name],
            |r| r.get(0),
        )
        .optional()?)
}

fn next_position(conn: &Connection, parent: Option<i64>) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(max(position), -1) + 1 FROM codes WHERE ifnull(parent_id, 0) = ifnull(?1, 0)",
        params![parent],
        |r| r.get(0),
    )?)
}

/// Inserts one code under `parent` inside an action (no checks beyond the database's).
pub(crate) fn insert(
    a: &Action<'_>,
    parent: Option<i64>,
    name: &str,
    guid: Option<&str>,
    fields: &Fields,
) -> Result<i64> {
    let position = next_position(a.conn(), parent)?;
    let guid = guid.map(str::to_owned).unwrap_or_else(new_guid);
    let empty = String::new();
    a.insert(
        "codes",
        &[
            ("guid", &guid),
            ("parent_id", &parent),
            ("name", &name),
            ("description", fields.description.as_ref().unwrap_or(&empty)),
            ("include", fields.include.as_ref().unwrap_or(&empty)),
            ("exclude", fields.exclude.as_ref().unwrap_or(&empty)),
            ("example", fields.example.as_ref().unwrap_or(&empty)),
            ("color", &fields.color),
            ("dimension", &fields.dimension),
            ("polarity", &fields.polarity),
            ("position", &position),
            ("created", &a.at()),
        ],
    )
}

/// Writes the given fields of a code inside an action; returns whether anything changed.
pub(crate) fn set_fields(a: &Action<'_>, code: &Code, fields: &Fields) -> Result<bool> {
    let mut values: Vec<(&str, &dyn rusqlite::ToSql)> = Vec::new();
    let text =
        |new: &Option<String>, old: &str| new.as_ref().filter(|n| n.as_str() != old).cloned();
    // An empty text clears an optional field (the column becomes NULL).
    let opt = |new: &Option<String>, old: &Option<String>| {
        let new = new
            .as_ref()
            .map(|n| Some(n.clone()).filter(|n| !n.is_empty()));
        new.filter(|n| n != old)
    };
    let description = text(&fields.description, &code.description);
    let include = text(&fields.include, &code.include);
    let exclude = text(&fields.exclude, &code.exclude);
    let example = text(&fields.example, &code.example);
    let color = opt(&fields.color, &code.color);
    let dimension = opt(&fields.dimension, &code.dimension);
    let polarity = opt(&fields.polarity, &code.polarity);
    for (col, v) in [
        ("description", &description),
        ("include", &include),
        ("exclude", &exclude),
        ("example", &example),
    ] {
        if let Some(v) = v {
            values.push((col, v));
        }
    }
    for (col, v) in [
        ("color", &color),
        ("dimension", &dimension),
        ("polarity", &polarity),
    ] {
        if let Some(v) = v {
            values.push((col, v));
        }
    }
    if values.is_empty() {
        return Ok(false);
    }
    a.update("codes", code.id, &values)?;
    Ok(true)
}

/// Adds a code at `path` (`Parent/Child`), creating missing parents. Refuses an existing path.
pub fn add(store: &mut Store, coder: &str, path: &str, fields: &Fields) -> Result<Code> {
    let id = store.action(coder, |a| {
        let (id, created) = add_in(a, path, fields)?;
        let target = format!("code:{}", created.last().map_or(path, String::as_str));
        a.audit("add code", &target, serde_json::json!({"created": created}))?;
        Ok(id)
    })?;
    by_id(store.conn(), id)
}

/// [`add`] inside an action that may do more (code a passage with the new code, so that one
/// undo takes both away); the caller writes the audit entry. Returns the new code's id and
/// the paths it created (missing parents first).
pub fn add_in(a: &Action<'_>, path: &str, fields: &Fields) -> Result<(i64, Vec<String>)> {
    let parts: Vec<String> = path
        .split('/')
        .map(|p| check_name(p).map_err(Error::Invalid))
        .collect::<Result<_>>()?;
    let fields = validate_fields(fields)?;
    let mut parent = None;
    let mut created = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        match sibling(a.conn(), parent, part)? {
            Some(_) if last => {
                return Err(Error::Invalid(format!(
                    "the code `{}` already exists",
                    parts.join("/")
                )));
            }
            Some(id) => parent = Some(id),
            None => {
                let f = if last {
                    fields.clone()
                } else {
                    Fields::default()
                };
                let id = insert(a, parent, part, None, &f)?;
                created.push(parts[..=i].join("/"));
                parent = Some(id);
            }
        }
    }
    Ok((parent.unwrap_or_default(), created))
}

fn validate_fields(f: &Fields) -> Result<Fields> {
    let mut f = f.clone();
    // Empty: the field is cleared.
    if let Some(c) = f.color.as_ref().filter(|c| !c.trim().is_empty()) {
        f.color = Some(check_color(c).map_err(Error::Invalid)?);
    }
    if let Some(p) = f.polarity.as_ref().filter(|p| !p.trim().is_empty()) {
        f.polarity = Some(check_polarity(p).map_err(Error::Invalid)?);
    }
    Ok(f)
}

/// The parts of a code's definition that can be edited, with what a person calls them.
pub const FIELDS: [(&str, &str); 7] = [
    ("description", "definition"),
    ("include", "include when (inclusion criteria)"),
    ("exclude", "exclude when (exclusion criteria)"),
    ("example", "example"),
    ("color", "colour (#rrggbb; empty: none)"),
    ("dimension", "dimension (empty: none)"),
    ("polarity", "polarity (positive or negative; empty: none)"),
];

impl Fields {
    /// Fields with one part set, named as in [`FIELDS`] (`None` for another name).
    pub fn one(field: &str, value: String) -> Option<Fields> {
        let mut f = Fields::default();
        let slot = match field {
            "description" => &mut f.description,
            "include" => &mut f.include,
            "exclude" => &mut f.exclude,
            "example" => &mut f.example,
            "color" => &mut f.color,
            "dimension" => &mut f.dimension,
            "polarity" => &mut f.polarity,
            _ => return None,
        };
        *slot = Some(value);
        Some(f)
    }
}

/// Updates a code's definition fields.
pub fn update(store: &mut Store, coder: &str, code: &str, fields: &Fields) -> Result<Code> {
    let c = find(store.conn(), code)?;
    let fields = validate_fields(fields)?;
    store.action(coder, |a| {
        if set_fields(a, &c, &fields)? {
            a.audit(
                "edit code",
                &format!("code:{}", c.guid),
                serde_json::json!({"path": c.path}),
            )?;
        }
        Ok(())
    })?;
    by_id(store.conn(), c.id)
}

/// The code with this id.
pub fn by_id(conn: &Connection, id: i64) -> Result<Code> {
    codes(conn)?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| Error::NotFound(format!("there is no code {id}")))
}

/// Renames a code (its codings stay).
pub fn rename(store: &mut Store, coder: &str, code: &str, new_name: &str) -> Result<Code> {
    let c = find(store.conn(), code)?;
    let name = check_name(new_name).map_err(Error::Invalid)?;
    if let Some(other) = sibling(store.conn(), c.parent, &name)?
        && other != c.id
    {
        return Err(Error::Invalid(format!(
            "a code named `{name}` already exists beside `{}`",
            c.path
        )));
    }
    store.action(coder, |a| {
        a.update("codes", c.id, &[("name", &name)])?;
        a.audit(
            "rename code",
            &format!("code:{}", c.guid),
            serde_json::json!({"from": c.path, "to": name}),
        )?;
        Ok(())
    })?;
    by_id(store.conn(), c.id)
}

/// Moves a code (with everything below it) under another parent; `None` is the top level.
pub fn move_to(store: &mut Store, coder: &str, code: &str, parent: Option<&str>) -> Result<Code> {
    let all = codes(store.conn())?;
    let c = find_in(&all, code)?.clone();
    let target = match parent {
        Some(p) => Some(find_in(&all, p)?.clone()),
        None => None,
    };
    if let Some(t) = &target
        && with_descendants(&all, c.id).contains(&t.id)
    {
        return Err(Error::Invalid(format!(
            "cannot move `{}` under `{}`: that is the code itself or one of its sub-codes",
            c.path, t.path
        )));
    }
    let parent_id = target.as_ref().map(|t| t.id);
    if let Some(other) = sibling(store.conn(), parent_id, &c.name)?
        && other != c.id
    {
        return Err(Error::Invalid(format!(
            "`{}` already has a code named `{}`",
            target
                .as_ref()
                .map(|t| t.path.as_str())
                .unwrap_or("the top level"),
            c.name
        )));
    }
    store.action(coder, |a| {
        let position = next_position(a.conn(), parent_id)?;
        a.update(
            "codes",
            c.id,
            &[("parent_id", &parent_id), ("position", &position)],
        )?;
        a.audit(
            "move code",
            &format!("code:{}", c.guid),
            serde_json::json!({"from": c.path, "under": target.as_ref().map(|t| t.path.clone())}),
        )?;
        Ok(())
    })?;
    by_id(store.conn(), c.id)
}

/// What a merge or removal did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MergeReport {
    pub code: String,
    pub into: Option<String>,
    pub codings_moved: usize,
    pub duplicates_collapsed: usize,
    pub memos_moved: usize,
    pub children_moved: usize,
}

/// Merges `code` into `into`: its codings move to `into` (a coding `into` already has on the
/// same span by the same coder collapses into that one, keeping its memos), its sub-codes and
/// memos move under `into`, and `code` is removed.
pub fn merge(store: &mut Store, coder: &str, code: &str, into: &str) -> Result<MergeReport> {
    let all = codes(store.conn())?;
    let c = find_whole_in(&all, code)?.clone();
    let t = find_whole_in(&all, into)?.clone();
    if with_descendants(&all, c.id).contains(&t.id) {
        return Err(Error::Invalid(format!(
            "cannot merge `{}` into `{}`: that is the code itself or one of its sub-codes",
            c.path, t.path
        )));
    }
    check_children_fit(store.conn(), &all, c.id, Some(t.id), &t.path)?;
    store.action(coder, |a| {
        let report = absorb(a, &all, &c, Some(&t), Some(t.id))?;
        a.audit(
            "merge code",
            &format!("code:{}", c.guid),
            serde_json::to_value(&report).unwrap_or_default(),
        )?;
        Ok(report)
    })
}

/// Removes a code. Its sub-codes move up to its parent. A code with codings or memos is
/// refused unless `into` names where they go (then this is a merge).
pub fn remove(
    store: &mut Store,
    coder: &str,
    code: &str,
    into: Option<&str>,
) -> Result<MergeReport> {
    if let Some(into) = into {
        return merge(store, coder, code, into);
    }
    let all = codes(store.conn())?;
    let c = find_whole_in(&all, code)?.clone();
    let memos: i64 = store.conn().query_row(
        "SELECT count(*) FROM memos WHERE target_kind = 'code' AND target_id = ?1",
        [c.id],
        |r| r.get(0),
    )?;
    if c.codings > 0 || memos > 0 {
        return Err(Error::Invalid(format!(
            "`{}` has {} coding(s) and {} memo(s); say where they go with --into CODE, or remove them first",
            c.path, c.codings, memos
        )));
    }
    check_children_fit(store.conn(), &all, c.id, c.parent, "its parent")?;
    store.action(coder, |a| {
        let report = absorb(a, &all, &c, None, c.parent)?;
        a.audit(
            "remove code",
            &format!("code:{}", c.guid),
            serde_json::json!({"path": c.path}),
        )?;
        Ok(report)
    })
}

/// Refuses a merge or removal whose moving sub-codes would clash with names already there.
fn check_children_fit(
    conn: &Connection,
    all: &[Code],
    id: i64,
    new_parent: Option<i64>,
    where_: &str,
) -> Result<()> {
    for child in all.iter().filter(|x| x.parent == Some(id)) {
        if sibling(conn, new_parent, &child.name)?.is_some() {
            return Err(Error::Invalid(format!(
                "`{}` has a sub-code `{}`, and {where_} already has a code of that name; rename one first",
                child.path.rsplit_once('/').map(|x| x.0).unwrap_or(""),
                child.name
            )));
        }
    }
    Ok(())
}

/// Moves everything attached to `c` to `into` (codings, memos) and its children to
/// `children_to`, then deletes `c`.
fn absorb(
    a: &Action<'_>,
    all: &[Code],
    c: &Code,
    into: Option<&Code>,
    children_to: Option<i64>,
) -> Result<MergeReport> {
    let conn = a.conn();
    let mut report = MergeReport {
        code: c.path.clone(),
        into: into.map(|t| t.path.clone()),
        codings_moved: 0,
        duplicates_collapsed: 0,
        memos_moved: 0,
        children_moved: 0,
    };
    if let Some(t) = into {
        let codings: Vec<(i64, i64, i64, i64, i64)> = conn
            .prepare("SELECT id, doc_id, start, end, coder_id FROM codings WHERE code_id = ?1 ORDER BY id")?
            .query_map([c.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, doc, start, end, coder_id) in codings {
            let twin: Option<i64> = conn
                .query_row(
                    "SELECT id FROM codings WHERE doc_id = ?1 AND code_id = ?2 AND start = ?3 AND end = ?4 AND coder_id = ?5",
                    params![doc, t.id, start, end, coder_id],
                    |r| r.get(0),
                )
                .optional()?;
            match twin {
                Some(keep) => {
                    report.memos_moved += move_memos(a, "coding", id, keep)?;
                    a.delete("codings", id)?;
                    report.duplicates_collapsed += 1;
                }
                None => {
                    a.update("codings", id, &[("code_id", &t.id)])?;
                    report.codings_moved += 1;
                }
            }
        }
        report.memos_moved += move_memos(a, "code", c.id, t.id)?;
    }
    for child in all.iter().filter(|x| x.parent == Some(c.id)) {
        let position = next_position(conn, children_to)?;
        a.update(
            "codes",
            child.id,
            &[("parent_id", &children_to), ("position", &position)],
        )?;
        report.children_moved += 1;
    }
    a.delete("codes", c.id)?;
    Ok(report)
}

fn move_memos(a: &Action<'_>, kind: &str, from: i64, to: i64) -> Result<usize> {
    let ids: Vec<i64> = a
        .conn()
        .prepare("SELECT id FROM memos WHERE target_kind = ?1 AND target_id = ?2")?
        .query_map(params![kind, from], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &ids {
        a.update("memos", *id, &[("target_id", &to)])?;
    }
    Ok(ids.len())
}

#[cfg(test)]
mod tests {
    use super::in_vivo_name;

    #[test]
    fn an_in_vivo_name_is_the_words_themselves_without_what_surrounds_them() {
        assert_eq!(
            in_vivo_name("“een  nieuw\nbegin,”").as_deref(),
            Some("een nieuw begin")
        );
        assert_eq!(in_vivo_name("either/or.").as_deref(), Some("either-or"));
        assert_eq!(in_vivo_name(" ... ").as_deref(), None);
        assert_eq!(in_vivo_name(&"woord ".repeat(20)), None);
    }
}
