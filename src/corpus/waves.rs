//! Waves as the researcher names them: found by any spelling of their name
//! ([`crate::transcript::study::same_wave`]), created in order, and put in order by hand or by
//! date.

use rusqlite::{Connection, params};

use super::{WaveSummary, waves};
use crate::error::{Error, Result};
use crate::store::{Action, new_guid};
use crate::transcript::study::wave_ordinal;

/// The wave a name names (by [`crate::transcript::study::same_wave`]): its id and the name it
/// is stored under.
fn wave_by_name(conn: &Connection, name: &str) -> Result<Option<(i64, String)>> {
    let key = crate::transcript::study::wave_key(name);
    let mut stmt = conn.prepare_cached("SELECT id, name FROM waves ORDER BY ordinal, id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (id, stored) = row?;
        if crate::transcript::study::wave_key(&stored) == key {
            return Ok(Some((id, stored)));
        }
    }
    Ok(None)
}

/// The id of the wave a name names, if there is one.
pub(super) fn wave_id(conn: &Connection, name: &str) -> Result<Option<i64>> {
    Ok(wave_by_name(conn, name)?.map(|(id, _)| id))
}

/// Where a new wave goes: by a short number in its name (W1, T0, ronde2) while every wave is
/// ordered so; else (a named wave, or an order set by hand) after every wave so far, the order
/// of first import. `waves order` sets any order.
pub(super) fn new_ordinal(conn: &Connection, name: &str) -> Result<i64> {
    let by_number = |n: &str| {
        let digits = n.chars().rev().take_while(char::is_ascii_digit).count();
        wave_ordinal(n).filter(|_| digits <= 3)
    };
    let existing: Vec<(String, i64)> = conn
        .prepare("SELECT name, ordinal FROM waves")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let numbered = existing.iter().all(|(n, o)| by_number(n) == Some(*o));
    match by_number(name).filter(|_| numbered) {
        Some(n) => Ok(n),
        None => Ok(
            conn.query_row("SELECT coalesce(max(ordinal), 0) + 1 FROM waves", [], |r| {
                r.get(0)
            })?,
        ),
    }
}

/// The name a wave is stored under, for a name as a researcher types it (`w2` for `W2`,
/// `T2` for a wave stored as `W2`, any case); `None` when no wave has it.
pub fn wave_named(conn: &Connection, typed: &str) -> Result<Option<String>> {
    Ok(wave_by_name(conn, typed)?.map(|(_, name)| name))
}

pub(super) fn ensure_wave(a: &Action<'_>, name: &str) -> Result<i64> {
    let conn = a.irreversible();
    if let Some((id, _)) = wave_by_name(conn, name)? {
        return Ok(id);
    }
    let ordinal = new_ordinal(conn, name)?;
    let guid = new_guid();
    conn.execute(
        "INSERT INTO waves (guid, name, ordinal, created) VALUES (?1, ?2, ?3, ?4)",
        params![guid, name, ordinal, a.at()],
    )?;
    let id = conn.last_insert_rowid();
    a.audit(
        "add wave",
        &format!("wave:{guid}"),
        serde_json::json!({"name": name, "ordinal": ordinal}),
    )?;
    Ok(id)
}

/// How `waves order` sets the waves' order.
#[derive(Debug, Clone)]
pub enum WaveOrder {
    /// Every wave, named in order.
    Named(Vec<String>),
    /// By each wave's first interview date (waves without dates after, as they were).
    ByDate,
}

/// Sets the order of the waves, as one undoable action; returns the waves in their new order.
pub fn order_waves(
    store: &mut crate::store::Store,
    coder: &str,
    order: &WaveOrder,
) -> Result<Vec<WaveSummary>> {
    let all = waves(store.conn())?;
    let ordered: Vec<i64> = match order {
        WaveOrder::Named(names) => {
            let mut ids = Vec::new();
            for n in names {
                let Some(w) = all
                    .iter()
                    .find(|w| crate::transcript::study::same_wave(&w.name, n))
                else {
                    return Err(Error::NotFound(format!(
                        "there is no wave `{n}`; the waves are {}",
                        all.iter()
                            .map(|w| w.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                };
                if ids.contains(&w.id) {
                    return Err(Error::Invalid(format!("`{n}` is named twice")));
                }
                ids.push(w.id);
            }
            let missing: Vec<&str> = all
                .iter()
                .filter(|w| !ids.contains(&w.id))
                .map(|w| w.name.as_str())
                .collect();
            if !missing.is_empty() {
                return Err(Error::Invalid(format!(
                    "name every wave in its place; missing: {}",
                    missing.join(", ")
                )));
            }
            ids
        }
        WaveOrder::ByDate => {
            let mut by: Vec<&WaveSummary> = all.iter().collect();
            // Stable: waves without dates keep their place after the dated ones.
            by.sort_by(|a, b| match (&a.first_date, &b.first_date) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
            by.iter().map(|w| w.id).collect()
        }
    };
    store.action(coder, |a| {
        for (i, id) in ordered.iter().enumerate() {
            a.update("waves", *id, &[("ordinal", &(i as i64 + 1))])?;
        }
        a.audit(
            "order waves",
            "waves",
            serde_json::json!({"order": ordered}),
        )?;
        Ok(())
    })?;
    waves(store.conn())
}
