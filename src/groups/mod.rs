//! Document groups: named sets of documents ("the Leiden site", "pilot interviews"), as
//! REFI-QDA projects bring them (sets of sources) or a researcher makes them. A group is a
//! filter wherever documents are chosen (`--group` on search, codings and exports). Adding
//! documents to a group is audited and undoable; a group never changes a document.
//!
//! A group may instead be defined by a rule (`rule`): `age_group = 50-59 AND wave = T2` is the
//! group of the documents that match it *now*, so a participant given an attribute later joins
//! it. Documents cannot be added to such a group by hand.

pub mod rule;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::{Action, Store, new_guid};

/// A group as listed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    pub id: i64,
    pub guid: String,
    pub name: String,
    pub description: String,
    /// The rule that defines the group, if it is not a hand-made list.
    pub rule: Option<String>,
    /// Ids of its documents, in order.
    pub documents: Vec<i64>,
}

/// Every group, by name.
pub fn list(conn: &Connection) -> Result<Vec<Group>> {
    let mut groups: Vec<Group> = conn
        .prepare(
            "SELECT id, guid, name, description, rule FROM groups ORDER BY name COLLATE NOCASE",
        )?
        .query_map([], |r| {
            Ok(Group {
                id: r.get(0)?,
                guid: r.get(1)?,
                name: r.get(2)?,
                description: r.get(3)?,
                rule: r.get(4)?,
                documents: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt =
        conn.prepare("SELECT doc_id FROM group_documents WHERE group_id = ?1 ORDER BY doc_id")?;
    let mut facts: Option<Vec<rule::Facts>> = None;
    for g in &mut groups {
        g.documents = match &g.rule {
            Some(text) => {
                let all = match &facts {
                    Some(all) => all,
                    None => facts.insert(rule::facts(conn)?),
                };
                // A rule that no longer fits the project (an attribute renamed) selects
                // nothing here; using the group says why.
                matching(text, all).unwrap_or_default()
            }
            None => stmt
                .query_map([g.id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?,
        };
    }
    Ok(groups)
}

/// The documents of the group called `name` (any case); an unknown name is an error that
/// lists the groups there are.
pub fn documents_of(conn: &Connection, name: &str) -> Result<Vec<i64>> {
    let found: Option<(i64, Option<String>)> = conn
        .query_row(
            "SELECT id, rule FROM groups WHERE name = ?1 COLLATE NOCASE",
            [name.trim()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((id, rule_text)) = found else {
        let names: Vec<String> = list(conn)?.into_iter().map(|g| g.name).collect();
        return Err(Error::NotFound(format!(
            "there is no document group `{}`; {}",
            name.trim(),
            if names.is_empty() {
                "the project has none yet (`narrata groups add NAME DOC…` makes one)".to_owned()
            } else {
                format!("the groups are {}", names.join(", "))
            }
        )));
    };
    if let Some(text) = rule_text {
        return matching(&text, &rule::facts(conn)?).map_err(|e| {
            Error::Invalid(format!(
                "the group `{}` is defined by the rule `{text}`, which no longer fits the project: {e}",
                name.trim()
            ))
        });
    }
    Ok(conn
        .prepare("SELECT doc_id FROM group_documents WHERE group_id = ?1 ORDER BY doc_id")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The documents that some of `groups` hold (any of them) and `rule` matches, or `None`
/// when neither is given: the one selection every analysis, listing and export filters by.
pub fn selection(
    conn: &Connection,
    groups: &[String],
    rule: Option<&str>,
) -> Result<Option<std::collections::HashSet<i64>>> {
    let mut out: Option<std::collections::HashSet<i64>> = None;
    if !groups.is_empty() {
        let mut ids = std::collections::HashSet::new();
        for g in groups {
            ids.extend(documents_of(conn, g)?);
        }
        out = Some(ids);
    }
    if let Some(r) = rule {
        let matched: std::collections::HashSet<i64> =
            rule::documents(conn, r)?.into_iter().collect();
        out = Some(match out {
            Some(o) => o.intersection(&matched).copied().collect(),
            None => matched,
        });
    }
    Ok(out)
}

/// The documents a stored rule matches (a rule that no longer parses, or names a key no longer
/// there, is an error naming the group's rule).
fn matching(text: &str, all: &[rule::Facts]) -> Result<Vec<i64>> {
    let parsed = rule::parse(text)?;
    rule::check_keys(&parsed, all)?;
    Ok(all
        .iter()
        .filter(|f| parsed.matches(f))
        .map(|f| f.doc)
        .collect())
}

/// Defines the group `name` by a rule, as one undoable action; a name already taken (by a
/// hand-made group or another rule) is an error. The rule is checked first: it must parse
/// and name keys the project has.
pub fn define(store: &mut Store, coder: &str, name: &str, rule_text: &str) -> Result<Group> {
    let name = name.trim();
    let rule_text = rule_text.trim();
    if name.is_empty() {
        return Err(Error::Invalid("a group needs a name".into()));
    }
    rule::check_keys(&rule::parse(rule_text)?, &rule::facts(store.conn())?)?;
    let id = store.action(coder, |a| {
        let taken: bool = a.conn().query_row(
            "SELECT EXISTS(SELECT 1 FROM groups WHERE name = ?1 COLLATE NOCASE)",
            [name],
            |r| r.get(0),
        )?;
        if taken {
            return Err(Error::Invalid(format!(
                "there is a group called `{name}` already; choose another name"
            )));
        }
        let id = a.insert(
            "groups",
            &[
                ("guid", &new_guid()),
                ("name", &name),
                ("description", &""),
                ("rule", &rule_text),
                ("created", &a.at()),
            ],
        )?;
        a.audit(
            "define group",
            &format!("group:{name}"),
            serde_json::json!({"rule": rule_text}),
        )?;
        Ok(id)
    })?;
    list(store.conn())?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or_else(|| Error::NotFound(format!("the group `{name}` vanished")))
}

/// The group called `name` inside an action, made (with `guid` if it is free) when there is
/// none; returns its id and whether it is new.
pub fn ensure_in(
    a: &Action<'_>,
    name: &str,
    guid: &str,
    description: Option<&str>,
) -> Result<(i64, bool)> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid("a document group needs a name".into()));
    }
    if let Some(id) = a
        .conn()
        .query_row(
            "SELECT id FROM groups WHERE name = ?1 COLLATE NOCASE",
            [name],
            |r| r.get(0),
        )
        .optional()?
    {
        return Ok((id, false));
    }
    let taken: bool = a.conn().query_row(
        "SELECT EXISTS(SELECT 1 FROM groups WHERE guid = ?1)",
        [guid],
        |r| r.get(0),
    )?;
    let guid = if guid.is_empty() || taken {
        new_guid()
    } else {
        guid.to_owned()
    };
    let id = a.insert(
        "groups",
        &[
            ("guid", &guid),
            ("name", &name),
            ("description", &description.unwrap_or("")),
            ("created", &a.at()),
        ],
    )?;
    Ok((id, true))
}

/// Puts a document in a group inside an action; returns whether it was not there yet.
pub fn add_document_in(a: &Action<'_>, group: i64, doc: i64) -> Result<bool> {
    let (name, rule): (String, Option<String>) = a.conn().query_row(
        "SELECT name, rule FROM groups WHERE id = ?1",
        [group],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if let Some(rule) = rule {
        return Err(Error::Invalid(format!(
            "the group `{name}` is defined by the rule `{rule}`: its documents are the ones the rule matches, and none can be added by hand"
        )));
    }
    let there: bool = a.conn().query_row(
        "SELECT EXISTS(SELECT 1 FROM group_documents WHERE group_id = ?1 AND doc_id = ?2)",
        params![group, doc],
        |r| r.get(0),
    )?;
    if !there {
        a.insert("group_documents", &[("group_id", &group), ("doc_id", &doc)])?;
    }
    Ok(!there)
}

/// Adds documents (ids, GUIDs or titles) to the group `name`, made if new, as one undoable
/// action; returns the group and how many documents joined it.
pub fn add(store: &mut Store, coder: &str, name: &str, docs: &[String]) -> Result<(Group, usize)> {
    let ids: Vec<i64> = docs
        .iter()
        .map(|d| crate::corpus::find_document(store.conn(), d))
        .collect::<Result<_>>()?;
    let (id, added) = store.action(coder, |a| {
        let (id, _) = ensure_in(a, name, "", None)?;
        let mut added = 0;
        for doc in &ids {
            added += usize::from(add_document_in(a, id, *doc)?);
        }
        a.audit(
            "group documents",
            &format!("group:{}", name.trim()),
            serde_json::json!({"documents": ids, "added": added}),
        )?;
        Ok((id, added))
    })?;
    let group = list(store.conn())?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or_else(|| Error::NotFound(format!("the group `{name}` vanished")))?;
    Ok((group, added))
}
