//! Merging another copy of the same study (a coder's copy of the project folder) into this
//! one, by GUIDs, as one action. Participants and waves by GUID, else by code or name;
//! documents by GUID; codes by GUID, else by path (new ones added under their parents, codes
//! renamed in one copy reported and left as they are here); codings and memos by GUID, else by
//! what they are; change-label overrides by participant and code; the other copy's audit
//! entries copied as history (not undoable here). Deletions count: a coding or memo that
//! either copy's audit log shows deleted, and that copy no longer holds, is not brought back,
//! and one the other copy deleted is deleted here. A document whose text differs between the
//! copies (a late redaction in one of them) gets the other copy's codings re-anchored onto this
//! copy's text; those touching the changed part are listed for checking. Merging twice adds
//! nothing; `--dry-run` does all of it in a transaction that is rolled back.
//!
//! Longer than most modules (about 760 lines): the merge is one action that walks every table
//! in order, and each step uses the GUID maps the steps before it built; split apart, those
//! maps would travel between files for no gain in clarity.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;

use crate::anchor;
use crate::codebook;
use crate::error::{Error, Result};
use crate::store::{DB_FILE, Store};

/// What a merge did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Report {
    pub dry_run: bool,
    pub waves_added: usize,
    pub participants_added: usize,
    pub documents_added: usize,
    /// Documents whose text differs between the copies.
    pub documents_differing: Vec<String>,
    pub codes_added: usize,
    /// Codes with the same GUID and another path in the other copy: `other → here`.
    pub codes_renamed_there: Vec<String>,
    pub codings_added: usize,
    pub codings_already: usize,
    /// Codings the other copy deleted, deleted here too.
    pub codings_deleted: usize,
    /// Codings of the other copy that this copy deleted, not brought back.
    pub codings_not_restored: usize,
    /// Codings re-anchored onto changed text: `doc title: [start, end) code`, to check.
    pub codings_to_check: Vec<String>,
    /// Codings whose words are gone from this copy's text.
    pub codings_dropped: Vec<String>,
    pub memos_added: usize,
    pub memos_already: usize,
    pub memos_deleted: usize,
    /// Memos edited differently in the two copies (this copy's text is kept).
    pub memo_conflicts: Vec<String>,
    pub overrides_added: usize,
    pub override_conflicts: Vec<String>,
    pub audit_entries_added: usize,
}

/// Rows as read from the other copy.
type TurnRow = (
    i64,
    String,
    Option<i64>,
    bool,
    i64,
    i64,
    i64,
    i64,
    Option<f64>,
    Option<f64>,
);
type CodeRow = (
    String,
    Option<i64>,
    String,
    [Option<String>; 7],
    i64,
    String,
    i64,
);
type CodingRow = (String, i64, String, i64, i64, String, String, String);
type MemoRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);
type OverrideRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
);
type AuditRow = (String, String, String, String, String);
type WaveRow = (i64, String, String, i64, String);

struct OtherCode {
    guid: String,
    parent: Option<String>,
    name: String,
    path: String,
    depth: usize,
    fields: [Option<String>; 7],
    position: i64,
    created: String,
}

/// GUIDs of rows of `table` that a copy's audit log shows deleted.
fn deleted_in_log(conn: &Connection, table: &str) -> Result<HashSet<String>> {
    let mut out = HashSet::new();
    let mut stmt = conn.prepare("SELECT ops FROM audit WHERE ops IS NOT NULL")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    for ops in rows {
        let ops: Vec<crate::store::RowChange> = serde_json::from_str(&ops?).unwrap_or_default();
        for op in ops {
            if op.table == table
                && op.after.is_none()
                && let Some(g) = op
                    .before
                    .as_ref()
                    .and_then(|b| b.get("guid"))
                    .and_then(|g| g.as_str())
            {
                out.insert(g.to_owned());
            }
        }
    }
    Ok(out)
}

fn guids(conn: &Connection, table: &str) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare(&format!("SELECT guid FROM {table}"))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The id of the row of `table` with this GUID, else with this value of `key_column`; when
/// neither exists, `insert` adds it. Returns the id and whether it was added.
fn find_or_insert(
    c: &Connection,
    table: &str,
    key_column: &str,
    guid: &str,
    key: &str,
    insert: impl FnOnce() -> rusqlite::Result<usize>,
) -> Result<(i64, bool)> {
    let found: Option<i64> = c
        .query_row(
            &format!(
                "SELECT id FROM {table} WHERE guid = ?1 OR {key_column} = ?2 ORDER BY guid = ?1 DESC"
            ),
            params![guid, key],
            |r| r.get(0),
        )
        .optional()?;
    match found {
        Some(id) => Ok((id, false)),
        None => {
            insert()?;
            Ok((c.last_insert_rowid(), true))
        }
    }
}

/// Maps positions of `from` onto `to` around the one region where they differ (common start
/// and end kept): `(start, end, new_len)` as [`anchor::shift`] takes it, or `None` if equal.
fn difference(from: &[char], to: &[char]) -> Option<(usize, usize, usize)> {
    if from == to {
        return None;
    }
    let prefix = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    let max_suffix = from.len().min(to.len()) - prefix;
    let suffix = from
        .iter()
        .rev()
        .zip(to.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    Some((prefix, from.len() - suffix, to.len() - suffix - prefix))
}

/// Merges the project at `other` into `store`.
pub fn merge(store: &mut Store, coder: &str, other: &Path, dry_run: bool) -> Result<Report> {
    let here = store
        .root()
        .canonicalize()
        .map_err(|e| Error::io(store.root(), e))?;
    let there_root = other.canonicalize().map_err(|e| Error::io(other, e))?;
    if here == there_root {
        return Err(Error::Invalid(
            "that is this project itself; name the other copy's folder".into(),
        ));
    }
    let db = there_root.join(DB_FILE);
    if !db.is_file() {
        return Err(Error::NotFound(format!(
            "{} holds no narrata project ({DB_FILE} is missing)",
            other.display()
        )));
    }
    let o = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    o.busy_timeout(std::time::Duration::from_secs(5))?;
    let version = |c: &Connection| -> Result<i64> {
        Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    };
    if version(&o)? != version(store.conn())? {
        return Err(Error::Invalid(format!(
            "the other copy's database is of another version (schema {} here {}); open it once with this narrata (`narrata --project {} check`) and merge again",
            version(&o)?,
            version(store.conn())?,
            other.display()
        )));
    }
    let (their_guid, their_name): (String, String) =
        o.query_row("SELECT guid, name FROM project", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let ours = store.project()?;
    if their_guid != ours.guid {
        return Err(Error::Invalid(format!(
            "{} is another project (\"{their_name}\"), not a copy of this one (\"{}\"); merge unites copies of one study — to bring in another project's work, export it as .qdpx and import that",
            other.display(),
            ours.name
        )));
    }

    // Deletions: GUIDs a log shows deleted and that copy no longer holds.
    let their_codings = guids(&o, "codings")?;
    let their_memos = guids(&o, "memos")?;
    let deleted_there_codings: HashSet<String> = deleted_in_log(&o, "codings")?
        .difference(&their_codings)
        .cloned()
        .collect();
    let deleted_there_memos: HashSet<String> = deleted_in_log(&o, "memos")?
        .difference(&their_memos)
        .cloned()
        .collect();
    let our_codings = guids(store.conn(), "codings")?;
    let our_memos = guids(store.conn(), "memos")?;
    let deleted_here_codings: HashSet<String> = deleted_in_log(store.conn(), "codings")?
        .difference(&our_codings)
        .cloned()
        .collect();
    let deleted_here_memos: HashSet<String> = deleted_in_log(store.conn(), "memos")?
        .difference(&our_memos)
        .cloned()
        .collect();

    const DRY: &str = "\u{0}merge dry run";
    let mut report = Report {
        dry_run,
        ..Default::default()
    };
    let label = there_root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let outcome = store.action(coder, |a| {
        // Documents, waves, participants and the copied history are added for good; codes,
        // codings and memos go through the recording methods, so undo can take those back.
        let c = a.irreversible();
        a.touched(None);
        let mut r = Report {
            dry_run,
            ..Default::default()
        };
        // Coders by name.
        let coder_id = |name: &str| a.coder_id_of(name);

        // Waves.
        let mut wave_map: HashMap<i64, i64> = HashMap::new();
        let mut stmt = o.prepare("SELECT id, guid, name, ordinal, created FROM waves")?;
        let waves: Vec<WaveRow> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, guid, name, ordinal, created) in waves {
            // `W2` there is the wave stored as `T2` here (one wave whatever its letter).
            let name = crate::corpus::wave_named(c, &name)?.unwrap_or(name);
            let (here, added) = find_or_insert(c, "waves", "name", &guid, &name, || {
                c.execute(
                    "INSERT INTO waves (guid, name, ordinal, created) VALUES (?1, ?2, ?3, ?4)",
                    params![guid, name, ordinal, created],
                )
            })?;
            r.waves_added += added as usize;
            wave_map.insert(id, here);
        }

        // Participants.
        let mut participant_map: HashMap<i64, i64> = HashMap::new();
        let mut stmt = o.prepare("SELECT id, guid, code, attributes, created FROM participants")?;
        let people: Vec<(i64, String, String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, guid, code, attributes, created) in people {
            let (here, added) = find_or_insert(c, "participants", "code", &guid, &code, || {
                c.execute(
                    "INSERT INTO participants (guid, code, attributes, created) VALUES (?1, ?2, ?3, ?4)",
                    params![guid, code, attributes, created],
                )
            })?;
            r.participants_added += added as usize;
            participant_map.insert(id, here);
        }

        // Documents: new ones copied whole; known ones compared.
        struct DocMap {
            here: i64,
            title: String,
            change: Option<(usize, usize, usize)>,
            chars: usize,
        }
        let mut doc_map: HashMap<i64, DocMap> = HashMap::new();
        let mut stmt = o.prepare(
            "SELECT d.id, d.guid, d.title, d.kind, d.language, d.wave_id, d.interview_date, d.interviewer,
                    d.attributes, d.source_name, d.source_format, d.source_sha256, d.text, d.chars,
                    d.words, d.created, k.name
             FROM documents d JOIN coders k ON k.id = d.created_by ORDER BY d.id",
        )?;
        type DocRow = (i64, String, String, String, String, Option<i64>, Option<String>, Option<String>, String, String, String, String, String, i64, i64, String, String);
        let docs: Vec<DocRow> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?,
                    r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?, r.get(13)?,
                    r.get(14)?, r.get(15)?, r.get(16)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for d in docs {
            let (id, guid, title, kind, language, wave, date, interviewer, attributes, source_name, source_format, sha, text, chars, words, created, creator) = d;
            let found: Option<(i64, String)> = c
                .query_row(
                    "SELECT id, text FROM documents WHERE guid = ?1",
                    [&guid],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match found {
                Some((h, our_text)) => {
                    let theirs: Vec<char> = text.chars().collect();
                    let mine: Vec<char> = our_text.chars().collect();
                    let change = difference(&theirs, &mine);
                    if change.is_some() {
                        r.documents_differing.push(title.clone());
                    }
                    doc_map.insert(id, DocMap { here: h, title, change, chars: mine.len() });
                }
                None => {
                    let sha_taken: bool = c.query_row(
                        "SELECT EXISTS(SELECT 1 FROM documents WHERE source_sha256 = ?1)",
                        [&sha],
                        |r| r.get(0),
                    )?;
                    let sha = if sha_taken { format!("{sha}:{guid}") } else { sha };
                    let creator = coder_id(&creator)?;
                    c.execute(
                        "INSERT INTO documents (guid, title, kind, language, wave_id, interview_date, interviewer,
                            attributes, source_name, source_format, source_sha256, text, chars, words, created, created_by)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                        params![
                            guid, title, kind, language,
                            wave.and_then(|w| wave_map.get(&w).copied()),
                            date, interviewer, attributes, source_name, source_format, sha,
                            text, chars, words, created, creator
                        ],
                    )?;
                    let h = c.last_insert_rowid();
                    crate::store::word_index::save(c, h, &text)?;
                    let mut dp = o.prepare("SELECT participant_id FROM document_participants WHERE doc_id = ?1")?;
                    let ps: Vec<i64> = dp.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                    for p in ps {
                        if let Some(ph) = participant_map.get(&p) {
                            c.execute(
                                "INSERT INTO document_participants (doc_id, participant_id) VALUES (?1, ?2)",
                                params![h, ph],
                            )?;
                        }
                    }
                    let mut ts = o.prepare(
                        "SELECT seq, speaker, participant_id, is_interviewer, start, end, line, words, time_start, time_end
                         FROM turns WHERE doc_id = ?1 ORDER BY seq",
                    )?;
                    let turns: Vec<TurnRow> = ts
                        .query_map([id], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?))
                        })?
                        .collect::<rusqlite::Result<_>>()?;
                    for t in turns {
                        c.execute(
                            "INSERT INTO turns (doc_id, seq, speaker, participant_id, is_interviewer, start, end, line, words, time_start, time_end)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                            params![h, t.0, t.1, t.2.and_then(|p| participant_map.get(&p).copied()), t.3, t.4, t.5, t.6, t.7, t.8, t.9],
                        )?;
                    }
                    // Its anonymisation log comes with it (rules, accepts, corrections).
                    let mut logged = o.prepare(
                        "SELECT at, coder, action, start, end, category, pseudonym, confidence, rule
                         FROM anonymisation_log WHERE document = ?1 ORDER BY id",
                    )?;
                    let mut rows = logged.query([&guid])?;
                    while let Some(l) = rows.next()? {
                        c.execute(
                            "INSERT INTO anonymisation_log (at, coder, action, document, start, end, category, pseudonym, confidence, rule)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                            params![
                                l.get::<_, String>(0)?, l.get::<_, String>(1)?, l.get::<_, String>(2)?, guid,
                                l.get::<_, i64>(3)?, l.get::<_, i64>(4)?, l.get::<_, String>(5)?,
                                l.get::<_, String>(6)?, l.get::<_, f64>(7)?, l.get::<_, String>(8)?
                            ],
                        )?;
                    }
                    r.documents_added += 1;
                    doc_map.insert(id, DocMap { here: h, title, change: None, chars: chars as usize });
                }
            }
        }

        // Codes: parents first; by GUID, else by path.
        let mut stmt = o.prepare(
            "SELECT guid, parent_id, name, description, include, exclude, example, color, dimension,
                    polarity, position, created, id FROM codes",
        )?;
        let raw: Vec<CodeRow> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    [
                        r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?,
                    ],
                    r.get(10)?,
                    r.get(11)?,
                    r.get(12)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let by_id: HashMap<i64, &CodeRow> =
            raw.iter().map(|x| (x.6, x)).collect();
        let mut theirs: Vec<OtherCode> = raw
            .iter()
            .map(|x| {
                let mut path = vec![x.2.clone()];
                let mut parent = x.1;
                let mut depth = 0;
                while let Some(p) = parent.and_then(|p| by_id.get(&p)) {
                    path.insert(0, p.2.clone());
                    parent = p.1;
                    depth += 1;
                    if depth > 64 {
                        break;
                    }
                }
                OtherCode {
                    guid: x.0.clone(),
                    parent: x.1.and_then(|p| by_id.get(&p)).map(|p| p.0.clone()),
                    name: x.2.clone(),
                    path: path.join("/"),
                    depth,
                    fields: x.3.clone(),
                    position: x.4,
                    created: x.5.clone(),
                }
            })
            .collect();
        theirs.sort_by_key(|x| x.depth);
        let mut code_map: HashMap<String, i64> = HashMap::new();
        // This copy's codes (GUID, path, id), read once; codes added below join the list.
        let mut known: Vec<(String, String, i64)> = codebook::codes(c)?
            .into_iter()
            .map(|x| (x.guid, x.path, x.id))
            .collect();
        for t in &theirs {
            let here = known
                .iter()
                .find(|x| x.0 == t.guid)
                .or_else(|| known.iter().find(|x| x.1.eq_ignore_ascii_case(&t.path)));
            let id = match here {
                Some((guid, path, id)) => {
                    if *guid == t.guid && !path.eq_ignore_ascii_case(&t.path) {
                        r.codes_renamed_there.push(format!("{} → {}", t.path, path));
                    }
                    *id
                }
                None => {
                    let parent = t.parent.as_ref().and_then(|p| code_map.get(p).copied());
                    let path = match parent.and_then(|p| known.iter().find(|x| x.2 == p)) {
                        Some(p) => format!("{}/{}", p.1, t.name),
                        None => t.name.clone(),
                    };
                    let f = &t.fields;
                    r.codes_added += 1;
                    let id = a.insert(
                        "codes",
                        &[
                            ("guid", &t.guid),
                            ("parent_id", &parent),
                            ("name", &t.name),
                            ("description", &f[0].clone().unwrap_or_default()),
                            ("include", &f[1].clone().unwrap_or_default()),
                            ("exclude", &f[2].clone().unwrap_or_default()),
                            ("example", &f[3].clone().unwrap_or_default()),
                            ("color", &f[4]),
                            ("dimension", &f[5]),
                            ("polarity", &f[6]),
                            ("position", &t.position),
                            ("created", &t.created),
                        ],
                    )?;
                    known.push((t.guid.clone(), path, id));
                    id
                }
            };
            code_map.insert(t.guid.clone(), id);
        }

        // Codings.
        let mut stmt = o.prepare(
            "SELECT g.guid, g.doc_id, c.guid, g.start, g.end, k.name, g.created, c.name
             FROM codings g JOIN codes c ON c.id = g.code_id JOIN coders k ON k.id = g.coder_id ORDER BY g.id",
        )?;
        let codings: Vec<CodingRow> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (guid, doc, code, start, end, who, created, code_name) in codings {
            if deleted_here_codings.contains(&guid) {
                r.codings_not_restored += 1;
                continue;
            }
            let known: bool = c.query_row("SELECT EXISTS(SELECT 1 FROM codings WHERE guid = ?1)", [&guid], |r| r.get(0))?;
            if known {
                r.codings_already += 1;
                continue;
            }
            let (Some(d), Some(code_id)) = (doc_map.get(&doc), code_map.get(&code)) else {
                continue;
            };
            let (mut s, mut e) = (start as usize, end as usize);
            if let Some((cs, ce, n)) = d.change {
                let touches = s < ce && e > cs;
                match anchor::shift(s, e, cs, ce, n) {
                    Some((ns, ne)) => {
                        if touches {
                            r.codings_to_check.push(format!("{}: [{ns}, {ne}) {code_name}", d.title));
                        }
                        s = ns;
                        e = ne;
                    }
                    None => {
                        r.codings_dropped.push(format!("{}: [{start}, {end}) {code_name}", d.title));
                        continue;
                    }
                }
            }
            if e > d.chars || e <= s {
                r.codings_dropped.push(format!("{}: [{start}, {end}) {code_name}", d.title));
                continue;
            }
            let coder = coder_id(&who)?;
            let same: bool = c.query_row(
                "SELECT EXISTS(SELECT 1 FROM codings WHERE doc_id = ?1 AND code_id = ?2 AND start = ?3 AND end = ?4 AND coder_id = ?5)",
                params![d.here, code_id, s as i64, e as i64, coder],
                |r| r.get(0),
            )?;
            if same {
                r.codings_already += 1;
                continue;
            }
            a.insert(
                "codings",
                &[
                    ("guid", &guid),
                    ("doc_id", &d.here),
                    ("code_id", code_id),
                    ("start", &(s as i64)),
                    ("end", &(e as i64)),
                    ("coder_id", &coder),
                    ("created", &created),
                ],
            )?;
            r.codings_added += 1;
        }
        // Codings the other copy deleted: deleted here too (memos on them with them).
        for guid in &deleted_there_codings {
            let id: Option<i64> = c.query_row("SELECT id FROM codings WHERE guid = ?1", [guid], |r| r.get(0)).optional()?;
            if let Some(id) = id {
                let memos: Vec<i64> = c
                    .prepare("SELECT id FROM memos WHERE target_kind = 'coding' AND target_id = ?1")?
                    .query_map([id], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                for m in memos {
                    a.delete("memos", m)?;
                }
                a.delete("codings", id)?;
                r.codings_deleted += 1;
            }
        }

        // Memos: their targets found by GUID.
        let mut stmt = o.prepare(
            "SELECT m.guid, m.target_kind, m.text, k.name, m.created,
                    CASE m.target_kind
                      WHEN 'document' THEN (SELECT guid FROM documents WHERE id = m.target_id)
                      WHEN 'code' THEN (SELECT guid FROM codes WHERE id = m.target_id)
                      WHEN 'coding' THEN (SELECT guid FROM codings WHERE id = m.target_id)
                      WHEN 'participant' THEN (SELECT guid FROM participants WHERE id = m.target_id)
                      WHEN 'wave' THEN (SELECT guid FROM waves WHERE id = m.target_id)
                      WHEN 'portrait' THEN (SELECT guid FROM participants WHERE id = m.target_id)
                      ELSE NULL END,
                    (SELECT guid FROM waves WHERE id = m.wave_id)
             FROM memos m JOIN coders k ON k.id = m.coder_id ORDER BY m.id",
        )?;
        let memos: Vec<MemoRow> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (guid, kind, text, who, created, target, wave) in memos {
            if deleted_here_memos.contains(&guid) {
                continue;
            }
            let existing: Option<String> = c.query_row("SELECT text FROM memos WHERE guid = ?1", [&guid], |r| r.get(0)).optional()?;
            if let Some(t) = existing {
                if t == text {
                    r.memos_already += 1;
                } else {
                    r.memo_conflicts.push(format!("memo {guid} ({kind}): kept this copy's text"));
                }
                continue;
            }
            let find = |table: &str, g: &Option<String>| -> Result<Option<i64>> {
                match g {
                    Some(g) => Ok(c.query_row(&format!("SELECT id FROM {table} WHERE guid = ?1"), [g], |r| r.get(0)).optional()?),
                    None => Ok(None),
                }
            };
            let target_id = match kind.as_str() {
                "project" => None,
                "document" => find("documents", &target)?,
                "code" => find("codes", &target)?,
                "coding" => find("codings", &target)?,
                "participant" | "portrait" => find("participants", &target)?,
                "wave" => find("waves", &target)?,
                _ => None,
            };
            if kind != "project" && target_id.is_none() {
                continue; // what it was about is not here (a coding deleted here)
            }
            let wave_id = if kind == "portrait" { find("waves", &wave)? } else { None };
            let coder = coder_id(&who)?;
            a.insert(
                "memos",
                &[
                    ("guid", &guid),
                    ("target_kind", &kind),
                    ("target_id", &target_id),
                    ("wave_id", &wave_id),
                    ("text", &text),
                    ("coder_id", &coder),
                    ("created", &created),
                ],
            )?;
            r.memos_added += 1;
        }
        for guid in &deleted_there_memos {
            let id: Option<i64> = c.query_row("SELECT id FROM memos WHERE guid = ?1", [guid], |r| r.get(0)).optional()?;
            if let Some(id) = id {
                a.delete("memos", id)?;
                r.memos_deleted += 1;
            }
        }

        // Change-label overrides.
        let mut stmt = o.prepare(
            "SELECT p.guid, c.guid, o.label, o.memo, k.name, o.created, p.code, c.name
             FROM change_overrides o JOIN participants p ON p.id = o.participant_id
             JOIN codes c ON c.id = o.code_id JOIN coders k ON k.id = o.coder_id",
        )?;
        let overrides: Vec<OverrideRow> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (pg, cg, label, memo, who, created, pcode, cname) in overrides {
            let p: Option<i64> = c.query_row("SELECT id FROM participants WHERE guid = ?1", [&pg], |r| r.get(0)).optional()?;
            let (Some(p), Some(code)) = (p, code_map.get(&cg)) else { continue };
            let existing: Option<(String, Option<String>)> = c
                .query_row(
                    "SELECT label, memo FROM change_overrides WHERE participant_id = ?1 AND code_id = ?2",
                    params![p, code],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match existing {
                Some((l, m)) if l == label && m == memo => {}
                Some((l, _)) => r.override_conflicts.push(format!("{pcode} / {cname}: here {l}, there {label} (kept {l})")),
                None => {
                    let coder = coder_id(&who)?;
                    a.insert(
                        "change_overrides",
                        &[
                            ("participant_id", &p),
                            ("code_id", code),
                            ("label", &label),
                            ("memo", &memo),
                            ("coder_id", &coder),
                            ("created", &created),
                        ],
                    )?;
                    r.overrides_added += 1;
                }
            }
        }

        // The other copy's history, copied as history (not undoable here).
        let mut stmt = o.prepare(
            "SELECT a.at, k.name, a.action, a.target, a.detail FROM audit a JOIN coders k ON k.id = a.coder_id ORDER BY a.id",
        )?;
        let entries: Vec<AuditRow> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (at, who, action, target, detail) in entries {
            let coder = coder_id(&who)?;
            let known: bool = c.query_row(
                "SELECT EXISTS(SELECT 1 FROM audit WHERE at = ?1 AND coder_id = ?2 AND action = ?3 AND target = ?4)",
                params![at, coder, action, target],
                |r| r.get(0),
            )?;
            if known {
                continue;
            }
            let detail: serde_json::Value = serde_json::from_str(&detail).unwrap_or_default();
            c.execute(
                "INSERT INTO audit (at, coder_id, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![at, coder, action, target, serde_json::json!({"merged_from": label, "detail": detail}).to_string()],
            )?;
            r.audit_entries_added += 1;
        }

        let changed = r.waves_added + r.participants_added + r.documents_added + r.codes_added
            + r.codings_added + r.codings_deleted + r.memos_added + r.memos_deleted + r.overrides_added
            + r.audit_entries_added;
        if changed > 0 {
            a.audit(
                "merge",
                &format!("copy:{label}"),
                serde_json::json!({"documents": r.documents_added, "codes": r.codes_added, "codings": r.codings_added, "memos": r.memos_added, "deleted": r.codings_deleted + r.memos_deleted}),
            )?;
        }
        report = r;
        if dry_run {
            return Err(Error::Invalid(DRY.into()));
        }
        Ok(())
    });
    match outcome {
        Ok(()) => Ok(report),
        Err(Error::Invalid(m)) if m == DRY => Ok(report),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn the_changed_region_between_two_texts() {
        assert_eq!(difference(&chars("abc"), &chars("abc")), None);
        // "Anna belt" → "[PERSOON-1] belt": [0, 4) replaced by 11 characters.
        assert_eq!(
            difference(&chars("Anna belt"), &chars("[PERSOON-1] belt")),
            Some((0, 4, 11))
        );
        assert_eq!(difference(&chars("ab"), &chars("abc")), Some((2, 2, 1)));
    }
}
