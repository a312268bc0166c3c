//! Finding a code as a researcher names it: by id, path, name, or a unique part of one.

use rusqlite::Connection;

use super::{Code, codes};
use crate::error::{Error, Result};

/// Finds a code by id, by path (`Parent/Child`) or by name; case does not matter. Part of a
/// name is enough when only one code's name begins with it, or else only one contains it
/// (part of a path, when it has a `/`). A name or part shared by several codes is an error
/// that lists their paths.
pub fn find(conn: &Connection, name: &str) -> Result<Code> {
    let all = codes(conn)?;
    find_in(&all, name).cloned()
}

/// [`find`] over an already loaded codebook.
pub fn find_in<'a>(all: &'a [Code], name: &str) -> Result<&'a Code> {
    lookup(all, name, true)
}

/// A code named whole: by id, path or name, never by a part (for the commands that remove or
/// merge a code, where a part that happened to be unique would take the wrong one).
pub fn find_whole_in<'a>(all: &'a [Code], name: &str) -> Result<&'a Code> {
    lookup(all, name, false)
}

fn lookup<'a>(all: &'a [Code], name: &str, parts: bool) -> Result<&'a Code> {
    let name = name.trim().trim_matches('/');
    if name.is_empty() {
        return Err(Error::Invalid("name a code: its id, path or name".into()));
    }
    if let Ok(id) = name.parse::<i64>()
        && let Some(c) = all.iter().find(|c| c.id == id)
    {
        return Ok(c);
    }
    if let Some(c) = all
        .iter()
        .find(|c| c.path.to_lowercase() == name.to_lowercase())
    {
        return Ok(c);
    }
    let lower = name.to_lowercase();
    let hits: Vec<&Code> = all
        .iter()
        .filter(|c| c.name.to_lowercase() == lower)
        .collect();
    match hits.as_slice() {
        [one] => return Ok(one),
        [] => {}
        many => {
            return Err(Error::NotFound(format!(
                "`{name}` is the name of {} codes: {}; name one by its path or id",
                many.len(),
                paths(many)
            )));
        }
    }
    // A number is an id (or a whole name): `rm 12` after code 12 went is no code `Week 12`.
    if name.parse::<i64>().is_ok() {
        return Err(Error::NotFound(format!(
            "there is no code with id {name}; `narrata codebook show` lists the codes"
        )));
    }
    if !parts {
        return Err(Error::NotFound(format!(
            "there is no code `{name}`: name it whole (its path, name or id) to remove or merge it"
        )));
    }
    // Part of a name: a unique beginning, else a unique piece anywhere in it (in the path,
    // when what was typed has a `/`).
    let on = |c: &Code| {
        if lower.contains('/') {
            c.path.to_lowercase()
        } else {
            c.name.to_lowercase()
        }
    };
    // `conn/fam` begins `Connectedness/Family support`: each piece begins its level.
    let begins = |c: &Code| {
        let typed: Vec<&str> = lower.split('/').collect();
        let path = c.path.to_lowercase();
        let levels: Vec<&str> = path.split('/').collect();
        typed.len() <= levels.len()
            && typed
                .iter()
                .zip(&levels[levels.len() - typed.len()..])
                .all(|(t, l)| l.starts_with(t))
    };
    for (how, hits) in [
        (
            "begins",
            all.iter().filter(|c| begins(c)).collect::<Vec<_>>(),
        ),
        (
            "contains",
            all.iter()
                .filter(|c| on(c).contains(&lower))
                .collect::<Vec<_>>(),
        ),
    ] {
        match hits.as_slice() {
            [one] => return Ok(one),
            [] => continue,
            many => {
                return Err(Error::NotFound(format!(
                    "`{name}` {how} the name of {} codes: {}; type more of the one you mean",
                    many.len(),
                    paths(many)
                )));
            }
        }
    }
    Err(Error::NotFound(format!(
        "there is no code `{name}`; `narrata codebook show` lists the codes"
    )))
}

/// Code paths for a message: at most ten, then how many more.
fn paths(codes: &[&Code]) -> String {
    let mut out: Vec<&str> = codes.iter().take(10).map(|c| c.path.as_str()).collect();
    let more = codes.len().saturating_sub(10);
    let more = format!("and {more} more");
    if codes.len() > 10 {
        out.push(&more);
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::{Code, find_in};

    fn code(id: i64, path: &str) -> Code {
        Code {
            id,
            guid: format!("g{id}"),
            name: path.rsplit('/').next().unwrap_or(path).to_owned(),
            path: path.to_owned(),
            parent: None,
            description: String::new(),
            include: String::new(),
            exclude: String::new(),
            example: String::new(),
            color: None,
            dimension: None,
            polarity: None,
            codings: 0,
            codings_with_subcodes: 0,
            depth: 0,
            position: id,
        }
    }

    #[test]
    fn a_code_is_found_by_a_unique_part_of_its_name_and_an_ambiguous_part_lists_them() {
        let all = [
            code(1, "Isolation"),
            code(2, "Isolation/Social isolation"),
            code(3, "Hope"),
            code(4, "Hope/Hope for the future"),
            code(5, "Connectedness/Peer support"),
            code(6, "Connectedness/Family support"),
        ];
        let found = |typed: &str| {
            find_in(&all, typed)
                .map(|c| c.id)
                .map_err(|e| e.to_string())
        };
        // Whole names and paths first: `Isolation` is the code, not a list of two.
        assert_eq!(found("isolation"), Ok(1));
        assert_eq!(found("Hope/Hope for the future"), Ok(4));
        // A unique beginning, then a unique piece.
        assert_eq!(found("Isol"), Ok(1));
        assert_eq!(found("social"), Ok(2));
        assert_eq!(found("peer"), Ok(5));
        assert_eq!(found("future"), Ok(4));
        assert_eq!(found("connected/fam"), Ok(6));
        // Ambiguous: the candidates are named.
        let err = found("support").unwrap_err();
        assert!(
            err.contains("Connectedness/Peer support")
                && err.contains("Connectedness/Family support"),
            "{err}"
        );
        let err = found("Ho").unwrap_err();
        assert!(err.contains("2 codes"), "{err}");
        assert!(found("Geen").unwrap_err().contains("there is no code"));
        // A number is an id, never a piece of a name; removing or merging takes whole names.
        assert!(found("99").unwrap_err().contains("no code with id 99"));
        assert!(found("/").is_err());
        assert!(super::find_whole_in(&all, "Isol").is_err());
        assert_eq!(
            super::find_whole_in(&all, "isolation").map(|c| c.id).ok(),
            Some(1)
        );
    }
}
