//! Commands that analyse: `search`, `changes`, `agreement`.

use std::io::Write;

use super::args::*;
use super::output::{self};
use super::{Ctx, say};
use crate::error::{Error, Result};

/// `narrata search`.
pub(super) fn search(ctx: &Ctx, args: SearchArgs, out: &mut dyn Write) -> Result<i32> {
    let SearchArgs {
        query,
        filters,
        limit,
        json: as_json,
    } = args;
    let store = ctx.open()?;
    let f = filters.resolve(&store, limit)?;
    let results = crate::search::search(&store, &query, &f)?;
    output::emit(out, as_json, &results, |out, _| {
        output::search_results(out, &store, &results)?;
        Ok(())
    })?;
    Ok(0)
}

/// `narrata changes`.
pub(super) fn changes(ctx: &Ctx, args: ChangesArgs, out: &mut dyn Write) -> Result<i32> {
    match args {
        ChangesArgs {
            set:
                Some(ChangesCommand::Set {
                    participant,
                    code,
                    label,
                    memo,
                }),
            ..
        } => {
            let mut store = ctx.open()?;
            crate::change::set_label(
                &mut store,
                &ctx.coder,
                &participant,
                &code,
                &label,
                memo.as_deref(),
            )?;
            say(
                out,
                &format!(
                    "{} · {code}: label set to {label}",
                    participant.to_uppercase()
                ),
            )?;
        }
        ChangesArgs {
            set: None,
            participant,
            code,
            from,
            to,
            lexical,
            without_function_words,
            roll_up,
            ratio,
            min_codings,
            all,
            coders,
            group,
            rule,
            cohort,
            json: as_json,
        } => {
            let store = ctx.open()?;
            let options = crate::change::Options {
                participant,
                code,
                from,
                to,
                ratio,
                min_codings,
                roll_up,
                coders: crate::coding::coder_list(&coders),
                group,
                rule,
            };
            if cohort {
                // The cohort is everyone: a --participant would narrow it to one person.
                let everyone = crate::change::Options {
                    participant: None,
                    ..options
                };
                let c = crate::change::cohort(store.conn(), &everyone)?;
                output::emit(out, as_json, &c, |out, v| output::cohort(out, v))?;
                return Ok(0);
            }
            if lexical {
                let (Some(p), Some(f), Some(t)) =
                    (&options.participant, &options.from, &options.to)
                else {
                    return Err(Error::Invalid(
                        "--lexical needs --participant, --from and --to".into(),
                    ));
                };
                let l = crate::change::lexical(store.conn(), p, f, t, 20, without_function_words)?;
                output::emit(out, as_json, &l, |out, v| output::lexical(out, v))?;
                return Ok(0);
            }
            let table = crate::change::table(store.conn(), &options)?;
            output::emit(out, as_json, &table, |out, v| output::changes(out, v, all))?;
        }
    }
    Ok(0)
}

/// `narrata agreement`.
pub(super) fn agreement(ctx: &Ctx, args: AgreementArgs, out: &mut dyn Write) -> Result<i32> {
    let AgreementArgs {
        coders,
        code,
        unit,
        participant,
        wave,
        scope,
        group,
        rule,
        disagreements,
        json: as_json,
    } = args;
    let store = ctx.open()?;
    let options = crate::agreement::Options {
        coders: coders.iter().map(|c| c.trim().to_owned()).collect(),
        code,
        unit: match unit {
            UnitArg::Characters => crate::agreement::Unit::Characters,
            UnitArg::Turns => crate::agreement::Unit::Turns,
        },
        participant,
        wave,
        coded_by_all: scope == super::args::ScopeArg::Coded,
        group,
        rule,
    };
    if disagreements {
        let list = crate::agreement::disagreements(store.conn(), &options)?;
        output::emit(out, as_json, &list, |out, v| {
            output::disagreements(out, v, &options.coders)
        })?;
        return Ok(0);
    }
    let report = crate::agreement::compute(store.conn(), &options)?;
    output::emit(out, as_json, &report, |out, v| output::agreement(out, v))?;
    Ok(0)
}
