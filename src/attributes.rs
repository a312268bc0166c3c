//! Attributes of participants and documents (`age_group: 50-59`, `site: north`): set one by
//! one or from a spreadsheet saved as CSV, audited and undoable. They are what rules
//! (`groups::rule`) and the analyses' `--where` select by.
//!
//! Attributes are not a place for identifiers: a column or key that names one (name, e-mail,
//! phone, address, date of birth, BSN…) is refused, and so is a value in which the
//! anonymiser's patterns find an e-mail address, phone number, full date, postcode or
//! account number. The transcripts are anonymised; their attributes must not undo that.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::{Action, Store};

/// Keys that name an identifier, in Dutch and English (compared without case, spaces, dots,
/// hyphens and underscores).
const IDENTIFYING_KEYS: &[&str] = &[
    "name",
    "naam",
    "firstname",
    "voornaam",
    "lastname",
    "surname",
    "achternaam",
    "fullname",
    "email",
    "mail",
    "emailadres",
    "phone",
    "telephone",
    "telefoon",
    "telefoonnummer",
    "mobile",
    "mobiel",
    "address",
    "adres",
    "straat",
    "street",
    "postcode",
    "zipcode",
    "zip",
    "bsn",
    "socialsecuritynumber",
    "dateofbirth",
    "dob",
    "birthdate",
    "geboortedatum",
    "iban",
    "rekeningnummer",
    "initials",
    "initialen",
];

fn identifying_key(key: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '_'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    // The whole key, and each word in it: `participant_name` and `Naam ouder` name one too.
    std::iter::once(squash(key))
        .chain(
            key.split([' ', '.', '-', '_'])
                .filter(|w| !w.is_empty())
                .map(squash),
        )
        .any(|k| IDENTIFYING_KEYS.contains(&k.as_str()))
}

/// Whether a date the patterns found is only a year or a span of years (`2019`, `1950-1959`)
/// or a month's name: research attributes (cohort, birth decade, season) that name no one.
fn harmless_date(found: &str) -> bool {
    let found = found.trim();
    let digits_only = found
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '–' | ' ' | '/'));
    let years = found
        .split(['-', '–', '/'])
        .map(str::trim)
        .filter(|y| !y.is_empty());
    (digits_only
        && years.clone().count() <= 2
        && years.clone().all(|y| y.len() == 4 || y.len() == 2))
        || found.chars().all(char::is_alphabetic)
}

/// Refuses a key or value that would carry an identifier into the project.
pub fn check(key: &str, value: &str) -> Result<()> {
    let key = key.trim();
    if key.is_empty() {
        return Err(Error::Invalid("an attribute needs a name".into()));
    }
    if identifying_key(key) {
        return Err(Error::Invalid(format!(
            "`{key}` names an identifier, and attributes are stored without anonymisation: keep it in the key or out of the project"
        )));
    }
    let found = crate::anonymise::patterns::find(value);
    if let Some((_, _, category, _, _)) = found.iter().find(|h| {
        let text = value.get(h.0..h.1).unwrap_or("");
        !(h.2 == "AGE" || h.2 == "DATE" && harmless_date(text))
    }) {
        return Err(Error::Invalid(format!(
            "the value of `{key}` looks like an identifier ({}), and attributes are stored without anonymisation",
            category.to_lowercase()
        )));
    }
    Ok(())
}

fn set_in(
    a: &Action<'_>,
    table: &str,
    id: i64,
    current: &str,
    key: &str,
    value: &str,
) -> Result<bool> {
    let mut map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(current).unwrap_or_default();
    // A key keeps the spelling it was first given; any case names it.
    let existing = map
        .keys()
        .find(|k| k.eq_ignore_ascii_case(key))
        .cloned()
        .unwrap_or_else(|| key.to_owned());
    let before = map.get(&existing).cloned();
    let value = value.trim();
    if value.is_empty() {
        map.remove(&existing);
    } else {
        map.insert(
            existing.clone(),
            serde_json::Value::String(value.to_owned()),
        );
    }
    if map.get(&existing) == before.as_ref() {
        return Ok(false);
    }
    let json = serde_json::Value::Object(map).to_string();
    a.update(table, id, &[("attributes", &json)])?;
    Ok(true)
}

fn participant_row(conn: &Connection, code: &str) -> Result<(i64, String, String)> {
    conn.query_row(
        "SELECT id, code, attributes FROM participants WHERE code = ?1 COLLATE NOCASE",
        [code.trim()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("there is no participant `{}`", code.trim())))
}

/// Sets (or, with an empty value, removes) one attribute of a participant, as one undoable
/// action; returns whether anything changed.
pub fn set_participant(
    store: &mut Store,
    coder: &str,
    code: &str,
    key: &str,
    value: &str,
) -> Result<bool> {
    check(key, value)?;
    let (id, code, current) = participant_row(store.conn(), code)?;
    store.action(coder, |a| {
        let changed = set_in(a, "participants", id, &current, key.trim(), value)?;
        if changed {
            a.audit(
                "set participant attribute",
                &format!("participant:{code}"),
                serde_json::json!({"key": key.trim(), "value": value.trim()}),
            )?;
        }
        Ok(changed)
    })
}

/// Sets (or, with an empty value, removes) one attribute of a document, as one undoable
/// action; returns whether anything changed.
pub fn set_document(
    store: &mut Store,
    coder: &str,
    doc: i64,
    key: &str,
    value: &str,
) -> Result<bool> {
    check(key, value)?;
    let current: String = store
        .conn()
        .query_row(
            "SELECT attributes FROM documents WHERE id = ?1",
            [doc],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("there is no document {doc}")))?;
    store.action(coder, |a| {
        let changed = set_in(a, "documents", doc, &current, key.trim(), value)?;
        if changed {
            a.audit(
                "set document attribute",
                &format!("document:{doc}"),
                serde_json::json!({"key": key.trim(), "value": value.trim()}),
            )?;
        }
        Ok(changed)
    })
}

/// What an attribute sheet did.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct SheetReport {
    /// Participants whose attributes changed.
    pub participants: usize,
    /// Values set, changed or removed.
    pub values: usize,
    /// Rows naming a participant the project does not have (left out).
    pub unknown: Vec<String>,
    /// The attribute columns read.
    pub columns: Vec<String>,
}

/// Reads a sheet of participant attributes (CSV: a column `participant`, `deelnemer`, `id`
/// or `code`, else the first one, names the participant; every other column is an attribute,
/// an empty cell removes it) and stores it as one undoable action. Every key and value is
/// checked first: one identifier anywhere refuses the whole sheet, nothing stored.
pub fn import_participants(store: &mut Store, coder: &str, text: &str) -> Result<SheetReport> {
    let rows = crate::csv::read(text)?;
    if rows.len() < 2 {
        return Err(Error::Invalid(
            "the sheet has a header but no rows of participants".into(),
        ));
    }
    let header = &rows[0];
    let who = header
        .iter()
        .position(|h| {
            matches!(
                h.to_lowercase().as_str(),
                "participant" | "deelnemer" | "id" | "code" | "case" | "casus"
            )
        })
        .unwrap_or(0);
    let columns: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .filter(|(i, h)| *i != who && !h.is_empty())
        .map(|(i, h)| (i, h.clone()))
        .collect();
    if columns.is_empty() {
        return Err(Error::Invalid(
            "the sheet has no attribute columns besides the participant's".into(),
        ));
    }
    for (line, row) in rows.iter().enumerate().skip(1) {
        for (i, key) in &columns {
            check(key, &row[*i]).map_err(|e| {
                Error::Invalid(format!(
                    "row {} of the sheet: {e}; nothing was stored",
                    line + 1
                ))
            })?;
        }
    }
    let mut report = SheetReport {
        columns: columns.iter().map(|(_, k)| k.clone()).collect(),
        ..SheetReport::default()
    };
    let mut found: BTreeMap<String, (i64, String, String)> = BTreeMap::new();
    for row in rows.iter().skip(1) {
        let code = row[who].trim();
        if code.is_empty() {
            continue;
        }
        match participant_row(store.conn(), code) {
            Ok(p) => {
                found.insert(code.to_owned(), p);
            }
            Err(Error::NotFound(_)) => report.unknown.push(code.to_owned()),
            Err(e) => return Err(e),
        }
    }
    if found.is_empty() {
        return Err(Error::NotFound(format!(
            "none of the sheet's participants is in the project ({})",
            report.unknown.join(", ")
        )));
    }
    let (participants, values) = store.action(coder, |a| {
        let mut participants = 0;
        let mut values = 0;
        for row in rows.iter().skip(1) {
            let Some((id, code, _)) = found.get(row[who].trim()) else {
                continue;
            };
            let mut changed = 0;
            for (i, key) in &columns {
                // Read again: an earlier column of this row changed the stored map.
                let current: String = a.conn().query_row(
                    "SELECT attributes FROM participants WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )?;
                changed += usize::from(set_in(a, "participants", *id, &current, key, &row[*i])?);
            }
            if changed > 0 {
                participants += 1;
                values += changed;
                a.audit(
                    "set participant attributes",
                    &format!("participant:{code}"),
                    serde_json::json!({"from": "sheet", "values": changed}),
                )?;
            }
        }
        Ok((participants, values))
    })?;
    report.participants = participants;
    report.values = values;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn identifiers_are_refused_as_attributes() {
        assert!(check("age_group", "50-59").is_ok());
        assert!(check("site", "north").is_ok());
        assert!(check("leeftijd", "54").is_ok());
        assert!(check("cohort", "2019").is_ok());
        assert!(check("decade", "1950-1959").is_ok());
        assert!(check("season", "May").is_ok());
        for (k, v) in [
            ("Naam", "x"),
            ("e-mail", "x"),
            ("date_of_birth", "x"),
            ("contact", "jan@example.org"),
            ("contact", "06-12345678"),
            ("born", "12 maart 1971"),
            ("participant_name", "x"),
            ("Naam ouder", "x"),
            ("seen", "14-03-2023"),
        ] {
            assert!(check(k, v).is_err(), "{k} = {v} should be refused");
        }
    }
}
