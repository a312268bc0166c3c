//! Document groups: named sets of documents ("the Leiden site", "pilot interviews"), as
//! REFI-QDA projects bring them (sets of sources) or a researcher makes them. A group is a
//! filter wherever documents are chosen (`--group` on search, codings and exports). Adding
//! documents to a group is audited and undoable; a group never changes a document.

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
    /// Ids of its documents, in order.
    pub documents: Vec<i64>,
}

/// Every group, by name.
pub fn list(conn: &Connection) -> Result<Vec<Group>> {
    let mut groups: Vec<Group> = conn
        .prepare("SELECT id, guid, name, description FROM groups ORDER BY name COLLATE NOCASE")?
        .query_map([], |r| {
            Ok(Group {
                id: r.get(0)?,
                guid: r.get(1)?,
                name: r.get(2)?,
                description: r.get(3)?,
                documents: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt =
        conn.prepare("SELECT doc_id FROM group_documents WHERE group_id = ?1 ORDER BY doc_id")?;
    for g in &mut groups {
        g.documents = stmt
            .query_map([g.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(groups)
}

/// The documents of the group called `name` (any case); an unknown name is an error that
/// lists the groups there are.
pub fn documents_of(conn: &Connection, name: &str) -> Result<Vec<i64>> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM groups WHERE name = ?1 COLLATE NOCASE",
            [name.trim()],
            |r| r.get(0),
        )
        .optional()?;
    let Some(id) = id else {
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
    Ok(conn
        .prepare("SELECT doc_id FROM group_documents WHERE group_id = ?1 ORDER BY doc_id")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
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
