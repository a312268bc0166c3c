//! The appendices of the excerpt report: the codebook (the codes the report uses, or all, with
//! codings per wave counted over the report's own selection), a methods note with what narrata
//! knows for COREQ, and the audit trail in numbers. Each is chosen by the report's options.

use std::collections::HashMap;

use docx_rs::{Docx, Paragraph, Run};
use rusqlite::Connection;

use super::docx::{heading, labelled, text, xml_safe};
use super::language::{Words, fill};
use super::table::grid;
use crate::codebook::{self, Code};
use crate::coding::Coding;
use crate::error::Result;

/// Which codes the codebook appendix lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodebookScope {
    /// None: no codebook appendix.
    None,
    /// The codes the report's excerpts use, with the codes above them.
    #[default]
    Used,
    /// Every code.
    All,
}

/// Which appendices a report ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appendices {
    pub codebook: CodebookScope,
    pub methods: bool,
    pub audit: bool,
}

impl Default for Appendices {
    /// The codebook of the codes used and the methods note; the audit trail only when asked.
    fn default() -> Self {
        Appendices {
            codebook: CodebookScope::Used,
            methods: true,
            audit: false,
        }
    }
}

impl Appendices {
    /// From a list such as `codebook,methods` (`all-codes`: the whole codebook; `none`).
    pub fn parse(items: &[String]) -> crate::error::Result<Appendices> {
        let mut out = Appendices {
            codebook: CodebookScope::None,
            methods: false,
            audit: false,
        };
        for item in items {
            match item.trim().to_lowercase().as_str() {
                "codebook" => out.codebook = CodebookScope::Used,
                "all-codes" | "codebook-all" => out.codebook = CodebookScope::All,
                "methods" => out.methods = true,
                "audit" => out.audit = true,
                "none" | "" => {}
                other => {
                    return Err(crate::error::Error::Invalid(format!(
                        "no appendix `{other}`: choose from codebook, all-codes, methods, audit, none"
                    )));
                }
            }
        }
        Ok(out)
    }

    fn letters(&self) -> impl Iterator<Item = char> {
        ['A', 'B', 'C'].into_iter()
    }
}

fn page_break() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_break(docx_rs::BreakType::Page))
}

/// The appendices' headings, in order ("Appendix A. Codebook", …), for the contents.
pub fn titles(which: &Appendices, w: &Words) -> Vec<String> {
    let mut letters = which.letters();
    let mut out = Vec::new();
    for (wanted, name) in [
        (which.codebook != CodebookScope::None, w.codebook),
        (which.methods, w.methods),
        (which.audit, w.audit),
    ] {
        if wanted {
            out.push(format!(
                "{} {}. {name}",
                w.appendix,
                letters.next().unwrap_or('?')
            ));
        }
    }
    out
}

/// Appends the chosen appendices, lettered in order (as [`titles`] names them).
pub fn append(
    mut doc: Docx,
    conn: &Connection,
    root: &std::path::Path,
    codings: &[Coding],
    which: &Appendices,
    w: &Words,
) -> Result<Docx> {
    let mut titles = titles(which, w).into_iter();
    let mut next = || titles.next().unwrap_or_default();
    if which.codebook != CodebookScope::None {
        doc = codebook(doc, conn, codings, which.codebook, &next(), w)?;
    }
    if which.methods {
        doc = methods(doc, conn, root, codings.len(), &next(), w)?;
    }
    if which.audit {
        doc = audit(doc, conn, &next(), w)?;
    }
    Ok(doc)
}

/// The codes shown: with `Used`, those with codings in the report and the codes above them.
fn shown_codes<'a>(codes: &'a [Code], codings: &[Coding], scope: CodebookScope) -> Vec<&'a Code> {
    if scope == CodebookScope::All {
        return codes.iter().collect();
    }
    let by_id: HashMap<i64, &Code> = codes.iter().map(|c| (c.id, c)).collect();
    let mut keep = std::collections::HashSet::new();
    for c in codings {
        let mut at = Some(c.code_id);
        while let Some(id) = at {
            if !keep.insert(id) {
                break;
            }
            at = by_id.get(&id).and_then(|c| c.parent);
        }
    }
    codes.iter().filter(|c| keep.contains(&c.id)).collect()
}

fn codebook(
    mut doc: Docx,
    conn: &Connection,
    codings: &[Coding],
    scope: CodebookScope,
    title: &str,
    w: &Words,
) -> Result<Docx> {
    doc = doc
        .add_paragraph(page_break())
        .add_paragraph(heading(title, 1));
    let codes = codebook::codes(conn)?;
    let shown = shown_codes(&codes, codings, scope);
    let waves: Vec<String> = crate::corpus::waves(conn)?
        .into_iter()
        .map(|w| w.name)
        .filter(|name| codings.iter().any(|c| c.wave.as_deref() == Some(name)))
        .collect();
    // Counted over the report's own codings: a one-coder report counts that coder's.
    // Per code and wave, and per code in all (two maps: a coding without a wave must not
    // land on the total's key and count twice).
    let mut counts: HashMap<(i64, &str), usize> = HashMap::new();
    let mut totals: HashMap<i64, usize> = HashMap::new();
    for c in codings {
        if let Some(wave) = c.wave.as_deref() {
            *counts.entry((c.code_id, wave)).or_default() += 1;
        }
        *totals.entry(c.code_id).or_default() += 1;
    }
    let header: Vec<String> = std::iter::once(w.code.to_owned())
        .chain(waves.iter().cloned())
        .chain([w.all.to_owned()])
        .collect();
    let rows = shown
        .iter()
        .map(|c| {
            let mut line = vec![format!("{}{}", "\u{a0}\u{a0}".repeat(c.depth), c.name)];
            line.extend(waves.iter().map(|wave| {
                counts
                    .get(&(c.id, wave.as_str()))
                    .copied()
                    .unwrap_or(0)
                    .to_string()
            }));
            line.push(totals.get(&c.id).copied().unwrap_or(0).to_string());
            line
        })
        .collect();
    doc = doc
        .add_paragraph(text(match scope {
            CodebookScope::All => w.codebook_counts_all,
            _ => w.codebook_counts,
        }))
        .add_table(grid(&header, rows));
    for c in shown {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(xml_safe(&c.path)).bold())
                .style("Heading3"),
        );
        for (label, value) in [
            (w.definition, &c.description),
            (w.include, &c.include),
            (w.exclude, &c.exclude),
            (w.example, &c.example),
        ] {
            if !value.is_empty() {
                doc = doc.add_paragraph(labelled(label, value));
            }
        }
    }
    Ok(doc)
}

/// What narrata knows for the COREQ checklist (Tong, Sainsbury & Craig 2007): coders, the
/// coding tree, repeat interviews, the software.
fn methods(
    mut doc: Docx,
    conn: &Connection,
    root: &std::path::Path,
    selected: usize,
    title: &str,
    w: &Words,
) -> Result<Docx> {
    doc = doc
        .add_paragraph(page_break())
        .add_paragraph(heading(title, 1))
        .add_paragraph(text(w.methods_intro));
    let one = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    let docs = one("SELECT count(*) FROM documents")?;
    let words = one("SELECT coalesce(sum(words), 0) FROM documents")?;
    let participants = one("SELECT count(*) FROM participants")?;
    let codings = one("SELECT count(*) FROM codings")?;
    let memos = one("SELECT count(*) FROM memos")?;
    let overrides = one("SELECT count(*) FROM change_overrides")?;
    let version = env!("CARGO_PKG_VERSION");
    doc = doc.add_paragraph(labelled(
        w.software,
        &fill(w.software_value, &[("version", version)]),
    ));
    doc = doc.add_paragraph(labelled(
        w.data,
        &fill(
            w.data_value,
            &[
                ("documents", &docs.to_string()),
                ("participants", &participants.to_string()),
                ("words", &crate::format::thousands(words)),
            ],
        ),
    ));
    let mut stmt = conn.prepare(
        "SELECT w.name, count(DISTINCT d.id), count(DISTINCT dp.participant_id)
         FROM waves w LEFT JOIN documents d ON d.wave_id = w.id
         LEFT JOIN document_participants dp ON dp.doc_id = d.id
         GROUP BY w.id ORDER BY w.ordinal, w.name",
    )?;
    let per_wave: Vec<String> = stmt
        .query_map([], |r| {
            Ok(fill(
                w.wave_value,
                &[
                    ("wave", &r.get::<_, String>(0)?),
                    ("documents", &r.get::<_, i64>(1)?.to_string()),
                    ("participants", &r.get::<_, i64>(2)?.to_string()),
                ],
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let repeated = one(
        "SELECT count(*) FROM (SELECT dp.participant_id FROM document_participants dp
         JOIN documents d ON d.id = dp.doc_id WHERE d.wave_id IS NOT NULL
         GROUP BY dp.participant_id HAVING count(DISTINCT d.wave_id) > 1)",
    )?;
    let waves = if per_wave.is_empty() {
        w.no_waves.to_owned()
    } else {
        per_wave.join("; ")
    };
    doc = doc.add_paragraph(labelled(
        w.repeat_interviews,
        &fill(
            w.repeat_value,
            &[("waves", &waves), ("repeated", &repeated.to_string())],
        ),
    ));
    let mut stmt = conn.prepare(
        "SELECT k.name, count(g.id) FROM coders k JOIN codings g ON g.coder_id = k.id
         GROUP BY k.id ORDER BY count(g.id) DESC, k.name",
    )?;
    let coders: Vec<String> = stmt
        .query_map([], |r| {
            let n = r.get::<_, i64>(1)?;
            Ok(format!(
                "{} ({n} {})",
                r.get::<_, String>(0)?,
                w.a_coding[usize::from(n != 1)]
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    doc = doc.add_paragraph(labelled(
        w.coders,
        &format!("{} — {}", coders.len(), coders.join(", ")),
    ));
    let codes = codebook::codes(conn)?;
    let depth = codes.iter().map(|c| c.depth + 1).max().unwrap_or(0);
    let top: Vec<&str> = codes
        .iter()
        .filter(|c| c.parent.is_none())
        .map(|c| c.name.as_str())
        .collect();
    doc = doc.add_paragraph(labelled(
        w.coding_tree,
        &fill(
            w.coding_tree_value,
            &[
                ("codes", &codes.len().to_string()),
                ("levels", &depth.to_string()),
                ("top", &top.join(", ")),
            ],
        ),
    ));
    doc = doc.add_paragraph(labelled(
        w.coding,
        &fill(
            w.coding_value,
            &[
                ("codings", &selected.to_string()),
                ("all", &codings.to_string()),
                ("memos", &memos.to_string()),
                ("overrides", &overrides.to_string()),
            ],
        ),
    ));
    doc = doc.add_paragraph(labelled(
        w.pseudonymisation,
        if crate::keyfile::path(root).is_file() {
            w.pseudonymised
        } else {
            w.not_pseudonymised
        },
    ));
    Ok(doc)
}

/// The audit trail in numbers, per kind of action and person; times to the minute.
fn audit(mut doc: Docx, conn: &Connection, title: &str, w: &Words) -> Result<Docx> {
    doc = doc
        .add_paragraph(page_break())
        .add_paragraph(heading(title, 1))
        .add_paragraph(text(w.audit_intro));
    let mut stmt = conn.prepare(
        "SELECT a.action, k.name, count(*), min(a.at), max(a.at) FROM audit a
         JOIN coders k ON k.id = a.coder_id GROUP BY a.action, k.name ORDER BY a.action, k.name",
    )?;
    // "2026-12-05T06:01:02.123Z" as "2026-12-05 06:01", the space unbreakable.
    let minute = |t: String| t.get(..16).unwrap_or(&t).replacen('T', "\u{a0}", 1);
    let rows: Vec<Vec<String>> = stmt
        .query_map([], |r| {
            Ok(vec![
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?.to_string(),
                minute(r.get::<_, String>(3)?),
                minute(r.get::<_, String>(4)?),
            ])
        })?
        .collect::<rusqlite::Result<_>>()?;
    let header = w.audit_header.map(str::to_owned);
    doc = doc.add_table(grid(&header, rows));
    Ok(doc)
}
