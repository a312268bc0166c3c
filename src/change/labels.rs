//! The change label: the rule that names how a code's presence changed over a participant's
//! waves, and the researcher's confirmation or override of it.

use crate::codebook;
use crate::error::{Error, Result};

/// The labels, in the order the rules are tried.
pub const LABELS: &[&str] = &[
    "insufficient",
    "fluctuating",
    "emerged",
    "ceased",
    "increased",
    "decreased",
    "constant",
    "absent",
];

/// The label for a code over the waves a participant attended: `present` per attended wave and
/// the coverage of the first and last.
pub fn label(
    present: &[bool],
    first_coverage: f64,
    last_coverage: f64,
    ratio: f64,
) -> &'static str {
    if present.len() < 2 {
        return "insufficient";
    }
    let switches = present.windows(2).filter(|w| w[0] != w[1]).count();
    let (first, last) = (present[0], present[present.len() - 1]);
    if switches >= 2 {
        "fluctuating"
    } else if !first && last {
        "emerged"
    } else if first && !last {
        "ceased"
    } else if first && last {
        let r = if first_coverage > 0.0 {
            last_coverage / first_coverage
        } else {
            f64::INFINITY
        };
        // A ratio exactly at the threshold counts (with room for floating-point rounding).
        if r >= ratio * (1.0 - 1e-9) {
            "increased"
        } else if r <= (1.0 / ratio) * (1.0 + 1e-9) {
            "decreased"
        } else {
            "constant"
        }
    } else {
        "absent"
    }
}

/// Confirms or overrides the label of a participant and code, with an optional memo, as one
/// audited, undoable action.
pub fn set_label(
    store: &mut crate::store::Store,
    coder: &str,
    participant: &str,
    code: &str,
    label: &str,
    memo: Option<&str>,
) -> Result<()> {
    let label = label.trim().to_lowercase();
    if !LABELS.contains(&label.as_str()) {
        return Err(Error::Invalid(format!(
            "`{label}` is not a change label; use one of {}",
            LABELS.join(", ")
        )));
    }
    let p = crate::import::resolve::normalise_participant(participant);
    let pid: i64 = store
        .conn()
        .query_row("SELECT id FROM participants WHERE code = ?1", [&p], |r| {
            r.get(0)
        })
        .map_err(|_| Error::NotFound(format!("there is no participant `{p}`")))?;
    let c = codebook::find(store.conn(), code)?;
    let memo = memo
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_owned);
    store.action(coder, |a| {
        let existing: Option<i64> = a
            .conn()
            .query_row(
                "SELECT id FROM change_overrides WHERE participant_id = ?1 AND code_id = ?2",
                [pid, c.id],
                |r| r.get(0),
            )
            .ok();
        match existing {
            Some(id) => a.update(
                "change_overrides",
                id,
                &[
                    ("label", &label),
                    ("memo", &memo),
                    ("coder_id", &a.coder_id()),
                    ("created", &a.at()),
                ],
            )?,
            None => {
                a.insert(
                    "change_overrides",
                    &[
                        ("participant_id", &pid),
                        ("code_id", &c.id),
                        ("label", &label),
                        ("memo", &memo),
                        ("coder_id", &a.coder_id()),
                        ("created", &a.at()),
                    ],
                )?;
            }
        }
        a.audit(
            "set change label",
            &format!("participant:{p}"),
            serde_json::json!({"code": c.path, "label": label}),
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_the_documented_precedence() {
        assert_eq!(label(&[true], 0.1, 0.1, 1.5), "insufficient");
        assert_eq!(label(&[true, false, true], 0.1, 0.1, 1.5), "fluctuating");
        assert_eq!(label(&[false, true, true], 0.0, 0.2, 1.5), "emerged");
        assert_eq!(label(&[true, true, false], 0.2, 0.0, 1.5), "ceased");
        assert_eq!(label(&[true, true], 0.10, 0.15, 1.5), "increased");
        assert_eq!(label(&[true, true], 0.15, 0.10, 1.5), "decreased");
        assert_eq!(label(&[true, true], 0.10, 0.14, 1.5), "constant");
        assert_eq!(label(&[false, false], 0.0, 0.0, 1.5), "absent");
        // Emerged wins over a later dip when there is only one switch.
        assert_eq!(label(&[false, false, true], 0.0, 0.3, 1.5), "emerged");
    }
}
