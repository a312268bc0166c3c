//! Coded excerpts as a Word report: a title page with the filters, a table of contents, the
//! excerpts under a heading per code (or per participant and wave), each quote with the
//! citation a paper needs, memos beneath; then the codebook, a methods note with what narrata
//! knows for COREQ, and a summary of the audit trail.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use docx_rs::{BreakType, Paragraph, Run};
use rusqlite::Connection;
use serde::Serialize;

use super::docx::{heading, labelled, made, save, styled, table, text, toc_field, xml_safe};
use crate::codebook::{self, Code};
use crate::coding::{self, Coding, Filter, Passage};
use crate::corpus;
use crate::error::Result;

/// Quotes of this many words or more are set as block quotes (APA 7th edition, 8.27).
pub const BLOCK_QUOTE_WORDS: usize = 40;

/// How the report is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    /// A heading per code (sub-codes one level down), the excerpts of every participant below.
    #[default]
    Code,
    /// A heading per participant, then per wave, then per code.
    Participant,
}

/// What the report holds.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub filter: Filter,
    pub group_by: GroupBy,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub file: String,
    pub excerpts: usize,
    pub codes: usize,
    pub documents: usize,
}

/// The citation of an excerpt: "(P03, T2, r. 112–118)".
pub fn citation(c: &Coding, doc_title: &str) -> String {
    let who = if c.participants.is_empty() {
        doc_title.to_owned()
    } else {
        c.participants.join(", ")
    };
    let lines = if c.line == c.end_line {
        format!("r. {}", c.line)
    } else {
        format!("r. {}–{}", c.line, c.end_line)
    };
    match &c.wave {
        Some(w) => format!("({who}, {w}, {lines})"),
        None => format!("({who}, {lines})"),
    }
}

/// One excerpt: an inline quote with its citation, or a block quote from
/// [`BLOCK_QUOTE_WORDS`] words on (no quotation marks, the citation after the quote); the
/// coders are named when the report holds several coders' work (a quote two coders coded is
/// one excerpt naming both). Memos on its codings follow.
pub(super) fn excerpt(
    p: &Passage,
    doc_title: &str,
    memos: &HashMap<i64, Vec<(String, String)>>,
    several_coders: bool,
) -> Vec<Paragraph> {
    let c = &p.coding;
    let words: Vec<&str> = c.text.split_whitespace().collect();
    let quote = words.join(" ");
    let mut cite = citation(c, doc_title);
    if several_coders {
        cite = format!("{cite} [{}]", p.coders.join(", "));
    }
    let memos = p
        .ids
        .iter()
        .flat_map(|id| memos.get(id).map(|v| &v[..]).unwrap_or(&[]));
    let mut out = Vec::new();
    if words.len() >= BLOCK_QUOTE_WORDS {
        out.push(
            Paragraph::new()
                .add_run(Run::new().add_text(xml_safe(&format!("{quote} "))))
                .add_run(Run::new().add_text(xml_safe(&cite)).italic())
                .style("Quote"),
        );
    } else {
        out.push(text(&format!("“{quote}” {cite}")));
    }
    for (coder, memo) in memos {
        out.push(
            Paragraph::new()
                .add_run(
                    Run::new()
                        .add_text(xml_safe(&format!("Memo ({coder}): ")))
                        .bold(),
                )
                .add_run(Run::new().add_text(xml_safe(memo)))
                .style("Caption"),
        );
    }
    out
}

fn describe_filter(f: &Filter) -> String {
    let mut parts = Vec::new();
    if let Some(c) = &f.code {
        parts.push(format!(
            "code {c}{}",
            if f.with_subcodes {
                " and its sub-codes"
            } else {
                ""
            }
        ));
    }
    if let Some(p) = &f.participant {
        parts.push(format!("participant {p}"));
    }
    if let Some(w) = &f.wave {
        parts.push(format!("wave {w}"));
    }
    match f.coders.as_slice() {
        [] => {}
        [one] => parts.push(format!("coder {one}")),
        many => parts.push(format!("coders {}", many.join(", "))),
    }
    if let Some(g) = &f.group {
        parts.push(format!("document group {g}"));
    }
    if let Some(r) = &f.rule {
        parts.push(format!("documents where {r}"));
    }
    if parts.is_empty() {
        "all codings of all coders".into()
    } else {
        parts.join("; ")
    }
}

fn page_break() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_break(BreakType::Page))
}

/// Writes the report to `path`.
pub fn excerpts_docx(
    conn: &Connection,
    project_root: &Path,
    project: &str,
    options: &Options,
    path: &Path,
) -> Result<Summary> {
    let codings = coding::list(conn, &options.filter)?;
    let codes = codebook::codes(conn)?;
    let memos = super::coding_memos(conn)?;
    let titles: HashMap<i64, String> = corpus::documents(conn)?
        .into_iter()
        .map(|d| (d.id, d.title))
        .collect();
    let wave_order: HashMap<String, usize> = corpus::waves(conn)?
        .into_iter()
        .enumerate()
        .map(|(i, w)| (w.name, i))
        .collect();
    let mut coders: Vec<&str> = codings.iter().map(|c| c.coder.as_str()).collect();
    coders.sort();
    coders.dedup();
    let several = coders.len() > 1;
    let order_key = |c: &Coding| {
        (
            c.participants.first().cloned().unwrap_or_default(),
            c.wave
                .as_ref()
                .and_then(|w| wave_order.get(w).copied())
                .unwrap_or(usize::MAX),
            c.doc,
            c.start,
            c.id,
        )
    };
    let title_of = |c: &Coding| titles.get(&c.doc).cloned().unwrap_or_default();

    let distinct = |of: fn(&Coding) -> i64| {
        codings
            .iter()
            .map(of)
            .collect::<std::collections::HashSet<_>>()
            .len()
    };
    let documents = distinct(|c| c.doc);
    let codes_used = distinct(|c| c.code_id);
    // Excerpts: per code, overlapping codings (two coders on one quote) count once.
    let mut by_code_id: BTreeMap<i64, Vec<Coding>> = BTreeMap::new();
    for c in &codings {
        by_code_id.entry(c.code_id).or_default().push(c.clone());
    }
    let mut excerpts = 0;
    for list in by_code_id.into_values() {
        excerpts += coding::passages(conn, list)?.len();
    }
    let mut doc = styled()
        .add_paragraph(text("Coded excerpts").style("Title"))
        .add_paragraph(text(project).style("Subtitle"))
        .add_paragraph(labelled("Selection", &describe_filter(&options.filter)))
        .add_paragraph(labelled(
            "Ordered by",
            match options.group_by {
                GroupBy::Code => "code, then participant and wave",
                GroupBy::Participant => "participant, then wave and code",
            },
        ))
        .add_paragraph(labelled(
            "Contents",
            &format!(
                "{} excerpt(s) from {} document(s), {} code(s)",
                excerpts,
                documents,
                codes_used
            ),
        ))
        .add_paragraph(labelled(
            "Citations",
            "(participant, wave, r. first–last line of the stored transcript, as `narrata show` numbers them)",
        ))
        .add_paragraph(made())
        .add_paragraph(page_break())
        .add_paragraph(text("Contents").style("TOCHeading"))
        .add_paragraph(toc_field())
        .add_paragraph(page_break());

    match options.group_by {
        GroupBy::Code => {
            // Codes in tree order; a code is shown when it or a code below it has excerpts.
            let mut by_code: HashMap<i64, Vec<&Coding>> = HashMap::new();
            for c in &codings {
                by_code.entry(c.code_id).or_default().push(c);
            }
            for code in &codes {
                let below = codebook::with_descendants(&codes, code.id);
                if !below.iter().any(|id| by_code.contains_key(id)) {
                    continue;
                }
                doc = doc.add_paragraph(heading(&code.name, (code.depth + 1).min(3)));
                if !code.description.is_empty() {
                    doc = doc.add_paragraph(
                        Paragraph::new()
                            .add_run(Run::new().add_text(xml_safe(&code.description)).italic()),
                    );
                }
                let Some(list) = by_code.get(&code.id) else {
                    continue;
                };
                let mut list = coding::passages(conn, list.iter().map(|c| (*c).clone()).collect())?;
                list.sort_by_key(|p| order_key(&p.coding));
                for x in &list {
                    for p in excerpt(x, &title_of(&x.coding), &memos, several) {
                        doc = doc.add_paragraph(p);
                    }
                }
            }
        }
        GroupBy::Participant => {
            let position: HashMap<i64, usize> =
                codes.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
            let mut tree: BTreeMap<String, BTreeMap<(usize, String), Vec<&Coding>>> =
                BTreeMap::new();
            for c in &codings {
                let who = if c.participants.is_empty() {
                    title_of(c)
                } else {
                    c.participants.join(", ")
                };
                let wave = c.wave.clone().unwrap_or_else(|| "no wave".into());
                let w = wave_order.get(&wave).copied().unwrap_or(usize::MAX);
                tree.entry(who)
                    .or_default()
                    .entry((w, wave))
                    .or_default()
                    .push(c);
            }
            for (who, waves) in tree {
                doc = doc.add_paragraph(heading(&who, 1));
                for ((_, wave), mut list) in waves {
                    doc = doc.add_paragraph(heading(&wave, 2));
                    list.sort_by_key(|c| {
                        (
                            position.get(&c.code_id).copied().unwrap_or(usize::MAX),
                            c.doc,
                            c.start,
                        )
                    });
                    for same_code in list.chunk_by(|a, b| a.code_id == b.code_id) {
                        doc = doc.add_paragraph(heading(&same_code[0].code_path, 3));
                        let passages = coding::passages(
                            conn,
                            same_code.iter().map(|c| (*c).clone()).collect(),
                        )?;
                        for x in &passages {
                            for p in excerpt(x, &title_of(&x.coding), &memos, several) {
                                doc = doc.add_paragraph(p);
                            }
                        }
                    }
                }
            }
        }
    }
    if codings.is_empty() {
        doc = doc.add_paragraph(text("No codings match this selection."));
    }

    doc = codebook_appendix(doc, conn, &codes)?;
    doc = methods_appendix(doc, conn, project_root)?;
    doc = audit_appendix(doc, conn)?;
    save(doc, path)?;
    Ok(Summary {
        file: path.display().to_string(),
        excerpts,
        codes: codes_used,
        documents,
    })
}

/// Appendix A: every code with its definitions, and codings per wave.
fn codebook_appendix(
    mut doc: docx_rs::Docx,
    conn: &Connection,
    codes: &[Code],
) -> Result<docx_rs::Docx> {
    doc = doc
        .add_paragraph(page_break())
        .add_paragraph(heading("Appendix A. Codebook", 1));
    let waves: Vec<String> = corpus::waves(conn)?.into_iter().map(|w| w.name).collect();
    let mut counts: HashMap<(i64, String), i64> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT c.code_id, coalesce(w.name, ''), count(*) FROM codings c
         JOIN documents d ON d.id = c.doc_id LEFT JOIN waves w ON w.id = d.wave_id
         GROUP BY c.code_id, w.name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (code, wave, n) = row?;
        counts.insert((code, wave), n);
    }
    let header: Vec<String> = std::iter::once("code".to_owned())
        .chain(waves.iter().cloned())
        .chain(["all".to_owned()])
        .collect();
    let grid = codes
        .iter()
        .map(|c| {
            let mut line = vec![format!("{}{}", "  ".repeat(c.depth), c.name)];
            line.extend(waves.iter().map(|w| {
                counts
                    .get(&(c.id, w.clone()))
                    .copied()
                    .unwrap_or(0)
                    .to_string()
            }));
            line.push(c.codings.to_string());
            line
        })
        .collect();
    doc = doc
        .add_paragraph(text(
            "Codings per code and wave in the whole project (each code counted on its own, without its sub-codes).",
        ))
        .add_table(table(&header, grid));
    for c in codes {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(xml_safe(&c.path)).bold())
                .style("Heading3"),
        );
        for (label, value) in [
            ("Definition", &c.description),
            ("Include", &c.include),
            ("Exclude", &c.exclude),
            ("Example", &c.example),
        ] {
            if !value.is_empty() {
                doc = doc.add_paragraph(labelled(label, value));
            }
        }
    }
    Ok(doc)
}

/// Appendix B: what narrata knows for the COREQ checklist (Tong, Sainsbury & Craig 2007):
/// coders, the coding tree, repeat interviews, the software.
fn methods_appendix(
    mut doc: docx_rs::Docx,
    conn: &Connection,
    root: &Path,
) -> Result<docx_rs::Docx> {
    doc = doc
        .add_paragraph(page_break())
        .add_paragraph(heading("Appendix B. Methods note", 1))
        .add_paragraph(text(
            "What the project records, for reporting against the COREQ checklist (items on data analysis and on repeat interviews). Interpretation, reflexivity and how codes were agreed are for the researchers to add.",
        ));
    let one = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    let docs = one("SELECT count(*) FROM documents")?;
    let words = one("SELECT coalesce(sum(words), 0) FROM documents")?;
    let participants = one("SELECT count(*) FROM participants")?;
    let codings = one("SELECT count(*) FROM codings")?;
    let memos = one("SELECT count(*) FROM memos")?;
    let overrides = one("SELECT count(*) FROM change_overrides")?;
    doc = doc.add_paragraph(labelled(
        "Software",
        &format!(
            "narrata {} (coding by character spans of the stored transcripts; full-text search with tantivy; SQLite)",
            env!("CARGO_PKG_VERSION")
        ),
    ));
    doc = doc.add_paragraph(labelled(
        "Data",
        &format!(
            "{docs} transcript(s) of {participants} participant(s), {} words",
            crate::format::thousands(words)
        ),
    ));
    // Repeat interviews: participants per wave and how many took part in several waves.
    let mut stmt = conn.prepare(
        "SELECT w.name, count(DISTINCT d.id), count(DISTINCT dp.participant_id)
         FROM waves w LEFT JOIN documents d ON d.wave_id = w.id
         LEFT JOIN document_participants dp ON dp.doc_id = d.id
         GROUP BY w.id ORDER BY w.ordinal, w.name",
    )?;
    let per_wave: Vec<String> = stmt
        .query_map([], |r| {
            Ok(format!(
                "{}: {} document(s), {} participant(s)",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let repeated = one(
        "SELECT count(*) FROM (SELECT dp.participant_id FROM document_participants dp
         JOIN documents d ON d.id = dp.doc_id WHERE d.wave_id IS NOT NULL
         GROUP BY dp.participant_id HAVING count(DISTINCT d.wave_id) > 1)",
    )?;
    doc = doc.add_paragraph(labelled(
        "Repeat interviews",
        &format!(
            "{}; {repeated} participant(s) interviewed in more than one wave",
            if per_wave.is_empty() {
                "no waves recorded".to_owned()
            } else {
                per_wave.join("; ")
            }
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
                "{} ({n} coding{})",
                r.get::<_, String>(0)?,
                if n == 1 { "" } else { "s" }
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    doc = doc.add_paragraph(labelled(
        "Coders",
        &format!(
            "{} — {}",
            coders.len(),
            if coders.is_empty() {
                "none".into()
            } else {
                coders.join(", ")
            }
        ),
    ));
    let codes = codebook::codes(conn)?;
    let depth = codes.iter().map(|c| c.depth + 1).max().unwrap_or(0);
    let top: Vec<&str> = codes
        .iter()
        .filter(|c| c.parent.is_none())
        .map(|c| c.name.as_str())
        .collect();
    doc = doc.add_paragraph(labelled(
        "Coding tree",
        &format!(
            "{} codes in {depth} level(s); top level: {} (Appendix A)",
            codes.len(),
            top.join(", ")
        ),
    ));
    doc = doc.add_paragraph(labelled(
        "Coding",
        &format!(
            "{codings} codings, {memos} memo(s), {overrides} change label(s) confirmed or overridden by a researcher"
        ),
    ));
    doc = doc.add_paragraph(labelled(
        "Pseudonymisation",
        if crate::keyfile::path(root).is_file() {
            "identifiers were replaced by consistent pseudonyms on import; the linking key is kept apart, encrypted (key.age), and is not part of this report"
        } else {
            "this project has no pseudonym key: transcripts were stored as imported (without narrata's pseudonymisation)"
        },
    ));
    Ok(doc)
}

/// Appendix C: the audit trail in numbers, per kind of action and per person.
fn audit_appendix(mut doc: docx_rs::Docx, conn: &Connection) -> Result<docx_rs::Docx> {
    doc = doc
        .add_paragraph(heading("Appendix C. Audit trail", 1))
        .add_paragraph(text(
            "Every change to the project is recorded (who, when, what) in an append-only log; undone changes stay in it. Counts per kind of action and person:",
        ));
    let mut stmt = conn.prepare(
        "SELECT a.action, k.name, count(*), min(a.at), max(a.at) FROM audit a
         JOIN coders k ON k.id = a.coder_id GROUP BY a.action, k.name ORDER BY a.action, k.name",
    )?;
    let rows: Vec<Vec<String>> = stmt
        .query_map([], |r| {
            Ok(vec![
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?.to_string(),
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ])
        })?
        .collect::<rusqlite::Result<_>>()?;
    let header = ["action", "by", "times", "first", "last"].map(str::to_owned);
    doc = doc.add_table(table(&header, rows));
    Ok(doc)
}
