//! Coded excerpts as a Word report: a title page with the selection, a table of contents when
//! the report is long enough to need one (its entries written, so it reads without a field
//! update), an overview chart, the excerpts under a heading per code, participant, wave or
//! document group, each quote set apart with the citation a paper needs and the memos on its
//! codings beneath; the memos on its documents and participants and the pen portraits; then
//! the appendices the options ask for (`appendix`). English or Dutch (`language`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use docx_rs::{BreakType, Paragraph, Run};
use rusqlite::Connection;
use serde::Serialize;

use super::appendix::{self, Appendices};
use super::docx::{
    BodyWriter, body_mark, heading, labelled, pictures, save_streamed, styled, text, xml_safe,
};
use super::language::{Language, Words, fill, keep_together};
use crate::codebook::{self, Code};
use crate::coding::{self, Coding, Filter, Passage};
use crate::corpus;
use crate::error::Result;

/// Quotes of this many words or more are set as block quotes without quotation marks (APA 7th
/// edition, 8.27); shorter ones are set apart too, in quotation marks.
pub const BLOCK_QUOTE_WORDS: usize = 40;

/// A table of contents is written when the report has more headings than this.
pub const CONTENTS_FROM_HEADINGS: usize = 12;

/// How the report is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    /// A heading per code (sub-codes one level down), the excerpts of every participant below.
    #[default]
    Code,
    /// A heading per participant, then per wave, then per code.
    Participant,
    /// A heading per wave, then per code.
    Wave,
    /// A heading per document group (a document in two groups appears under both), then per
    /// code.
    Group,
}

/// Which memos the report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memos {
    /// Memos on codings, beneath their excerpt.
    pub coding: bool,
    /// Memos on the report's documents.
    pub document: bool,
    /// Memos on the report's participants.
    pub participant: bool,
    /// Pen portraits of the report's participants.
    pub portrait: bool,
}

impl Default for Memos {
    fn default() -> Self {
        Memos {
            coding: true,
            document: true,
            participant: true,
            portrait: true,
        }
    }
}

impl Memos {
    /// From a list such as `coding,portrait` (`none`: no memos).
    pub fn parse(items: &[String]) -> Result<Memos> {
        let mut out = Memos {
            coding: false,
            document: false,
            participant: false,
            portrait: false,
        };
        for item in items {
            match item.trim().to_lowercase().as_str() {
                "coding" | "codings" => out.coding = true,
                "document" | "documents" => out.document = true,
                "participant" | "participants" => out.participant = true,
                "portrait" | "portraits" => out.portrait = true,
                "all" => out = Memos::default(),
                "none" | "" => {}
                other => {
                    return Err(crate::error::Error::Invalid(format!(
                        "no memos `{other}`: choose from coding, document, participant, portrait, all, none"
                    )));
                }
            }
        }
        Ok(out)
    }
}

/// What the report holds.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub filter: Filter,
    pub group_by: GroupBy,
    pub appendices: Appendices,
    pub memos: Memos,
    pub language: Language,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub file: String,
    pub excerpts: usize,
    pub codes: usize,
    pub documents: usize,
}

/// Who is quoted: the participants, else the document's title.
fn speaker(c: &Coding, doc_title: &str) -> String {
    if c.participants.is_empty() {
        doc_title.to_owned()
    } else {
        c.participants.join(", ")
    }
}

/// One excerpt set apart as a quotation: in quotation marks with its citation, or from
/// [`BLOCK_QUOTE_WORDS`] words on without them (the citation after the quote); the coders are
/// named when the report holds several coders' work (a quote two coders coded is one excerpt
/// naming both). Memos on its codings follow when asked for.
pub(super) fn excerpt(
    p: &Passage,
    doc_title: &str,
    memos: Option<&HashMap<i64, Vec<(String, String)>>>,
    several_coders: bool,
    w: &Words,
) -> Vec<Paragraph> {
    let c = &p.coding;
    let words: Vec<&str> = c.text.split_whitespace().collect();
    let quote = keep_together(&words.join(" "));
    let mut cite = w.citation(
        &speaker(c, doc_title),
        c.wave.as_deref(),
        c.line,
        c.end_line,
    );
    if several_coders {
        cite = format!("{cite} [{}]", p.coders.join(", "));
    }
    let body = if words.len() >= BLOCK_QUOTE_WORDS {
        format!("{quote} ")
    } else {
        format!("“{quote}” ")
    };
    let mut out = vec![
        Paragraph::new()
            .add_run(Run::new().add_text(xml_safe(&body)))
            .add_run(Run::new().add_text(xml_safe(&cite)).italic())
            .style("Quote"),
    ];
    let on_codings = memos.into_iter().flat_map(|memos| {
        p.ids
            .iter()
            .flat_map(|id| memos.get(id).map(|v| &v[..]).unwrap_or(&[]))
    });
    for (coder, memo) in on_codings {
        out.push(
            Paragraph::new()
                .add_run(
                    Run::new()
                        .add_text(xml_safe(&format!("{} ({coder}): ", w.memo)))
                        .bold(),
                )
                .add_run(Run::new().add_text(xml_safe(memo)))
                .style("Caption"),
        );
    }
    out
}

fn describe_filter(f: &Filter, w: &Words) -> String {
    let [code, subcodes, group, rule] = w.selection_parts;
    let mut parts = Vec::new();
    if let Some(c) = &f.code {
        parts.push(format!(
            "{}{}",
            fill(code, &[("code", c)]),
            if f.with_subcodes { subcodes } else { "" }
        ));
    }
    if let Some(p) = &f.participant {
        parts.push(p.clone());
    }
    if let Some(wave) = &f.wave {
        parts.push(wave.clone());
    }
    if !f.coders.is_empty() {
        parts.push(format!("{}: {}", w.coders, f.coders.join(", ")));
    }
    if let Some(g) = &f.group {
        parts.push(fill(group, &[("group", g)]));
    }
    if let Some(r) = &f.rule {
        parts.push(fill(rule, &[("rule", r)]));
    }
    if parts.is_empty() {
        w.all_codings.into()
    } else {
        parts.join("; ")
    }
}

fn page_break() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_break(BreakType::Page))
}

/// The report's body, written twice: first only its headings are gathered (for the table of
/// contents, without reading a single excerpt), then every paragraph is streamed into the file.
struct Body<'w, 'a> {
    headings: Vec<(String, usize)>,
    out: Option<&'w mut BodyWriter<'a>>,
}

impl Body<'_, '_> {
    fn heading(&mut self, s: &str, level: usize) -> Result<()> {
        match &mut self.out {
            Some(out) => out.add(&heading(s, level)),
            None => {
                self.headings.push((s.to_owned(), level));
                Ok(())
            }
        }
    }
    fn add(&mut self, p: Vec<Paragraph>) -> Result<()> {
        match &mut self.out {
            Some(out) => out.add_all(&p),
            None => Ok(()),
        }
    }
    /// Whether paragraphs are written (not only headings gathered).
    fn writing(&self) -> bool {
        self.out.is_some()
    }
}

/// Everything the report reads once.
struct Context<'a> {
    conn: &'a Connection,
    codes: Vec<Code>,
    titles: HashMap<i64, String>,
    wave_order: HashMap<String, usize>,
    memos: Option<HashMap<i64, Vec<(String, String)>>>,
    several: bool,
    words: &'a Words,
}

impl Context<'_> {
    fn title(&self, c: &Coding) -> String {
        self.titles.get(&c.doc).cloned().unwrap_or_default()
    }

    fn wave_rank(&self, wave: Option<&str>) -> usize {
        wave.and_then(|w| self.wave_order.get(w).copied())
            .unwrap_or(usize::MAX)
    }

    /// The passages of `list` (one code) in reading order: participant, wave, document, place.
    fn passages(&self, list: Vec<Coding>) -> Result<Vec<Passage>> {
        let mut out = coding::passages(self.conn, list)?;
        out.sort_by_key(|p| {
            let c = &p.coding;
            (
                c.participants.first().cloned().unwrap_or_default(),
                self.wave_rank(c.wave.as_deref()),
                c.doc,
                c.start,
                c.id,
            )
        });
        Ok(out)
    }

    fn excerpts(&self, body: &mut Body, list: Vec<&Coding>) -> Result<()> {
        if !body.writing() {
            return Ok(());
        }
        for x in self.passages(list.into_iter().cloned().collect())? {
            body.add(excerpt(
                &x,
                &self.title(&x.coding),
                self.memos.as_ref(),
                self.several,
                self.words,
            ))?;
        }
        Ok(())
    }

    /// Codes in tree order with their excerpts, headed at `level` (a code's own name, its
    /// path where the heading stands alone under a participant, wave or group).
    fn by_code(&self, body: &mut Body, codings: &[&Coding], level: usize) -> Result<()> {
        // References, cloned one code at a time: the report never holds two copies of every
        // coding.
        let mut by_code: HashMap<i64, Vec<&Coding>> = HashMap::new();
        for c in codings {
            by_code.entry(c.code_id).or_default().push(c);
        }
        for code in &self.codes {
            if level == 1 {
                // The whole tree: a parent heads its sub-codes even without excerpts of its own.
                let below = codebook::with_descendants(&self.codes, code.id);
                if !below.iter().any(|id| by_code.contains_key(id)) {
                    continue;
                }
                body.heading(&code.name, (code.depth + 1).min(3))?;
                if !code.description.is_empty() {
                    body.add(vec![Paragraph::new().add_run(
                        Run::new().add_text(xml_safe(&code.description)).italic(),
                    )])?;
                }
            } else if by_code.contains_key(&code.id) {
                body.heading(&code.path, level)?;
            }
            if let Some(list) = by_code.remove(&code.id) {
                self.excerpts(body, list)?;
            }
        }
        Ok(())
    }
}

/// Writes the report to `path`.
pub fn excerpts_docx(
    conn: &Connection,
    project_root: &Path,
    project: &str,
    options: &Options,
    path: &Path,
) -> Result<Summary> {
    let w = options.language.words();
    // One snapshot of the database for everything the report reads: the table of contents is
    // written from a first pass over the body, which must see what the second one writes.
    let snapshot = conn.unchecked_transaction()?;
    // Every coding the report quotes, without what it never shows (a coding's GUID, date,
    // code name and path: the codes come from the codebook), in a list made once to their
    // number: at 300,000 codings the doubling list and those strings were half the report's
    // memory.
    let mut codings = Vec::with_capacity(coding::count(conn, &options.filter)?);
    coding::each(conn, &options.filter, &mut |mut c| {
        for unused in [&mut c.guid, &mut c.created, &mut c.code, &mut c.code_path] {
            *unused = String::new();
        }
        codings.push(c);
        Ok(())
    })?;
    let mut coders: Vec<&str> = codings.iter().map(|c| c.coder.as_str()).collect();
    coders.sort_unstable();
    coders.dedup();
    let cx = Context {
        conn,
        codes: codebook::codes(conn)?,
        titles: corpus::documents(conn)?
            .into_iter()
            .map(|d| (d.id, d.title))
            .collect(),
        wave_order: corpus::waves(conn)?
            .into_iter()
            .enumerate()
            .map(|(i, w)| (w.name, i))
            .collect(),
        memos: if options.memos.coding {
            Some(super::coding_memos(conn)?)
        } else {
            None
        },
        several: coders.len() > 1,
        words: w,
    };
    let distinct = |of: fn(&Coding) -> i64| codings.iter().map(of).collect::<HashSet<_>>().len();
    let documents = distinct(|c| c.doc);
    let codes_used = distinct(|c| c.code_id);
    // Excerpts: per code, overlapping codings (two coders on one quote) count once.
    let mut by_code_id: BTreeMap<i64, Vec<&Coding>> = BTreeMap::new();
    for c in &codings {
        by_code_id.entry(c.code_id).or_default().push(c);
    }
    let mut excerpts = 0;
    let mut per_code_wave: HashMap<(i64, Option<String>), usize> = HashMap::new();
    for list in by_code_id.into_values() {
        for p in coding::passages(conn, list.into_iter().cloned().collect())? {
            excerpts += 1;
            *per_code_wave
                .entry((p.coding.code_id, p.coding.wave.clone()))
                .or_default() += 1;
        }
    }

    let mut gathered = Body {
        headings: Vec::new(),
        out: None,
    };
    write_body(&cx, conn, &codings, options, &mut gathered)?;

    // The title page, the contents when the report needs them, an overview chart.
    let order = match options.group_by {
        GroupBy::Code => w.order_code,
        GroupBy::Participant => w.order_participant,
        GroupBy::Wave => w.order_wave,
        GroupBy::Group => w.order_group,
    };
    let mut doc = styled()
        .add_paragraph(text(w.excerpts_title).style("Title"))
        .add_paragraph(text(project).style("Subtitle"))
        .add_paragraph(labelled(w.selection, &describe_filter(&options.filter, w)))
        .add_paragraph(labelled(w.ordered_by, order))
        .add_paragraph(labelled(
            w.report_contents,
            &fill(
                w.report_contents_value,
                &[
                    ("excerpts", &excerpts.to_string()),
                    ("documents", &documents.to_string()),
                    ("codes", &codes_used.to_string()),
                ],
            ),
        ))
        .add_paragraph(labelled(w.citations, w.citations_value))
        .add_paragraph(super::docx::made_in(w));
    if let Some(chart) = overview(&cx, &per_code_wave) {
        for p in pictures(&chart, w.overview_caption) {
            doc = doc.add_paragraph(p);
        }
    }
    let headings: Vec<(String, usize)> = gathered
        .headings
        .into_iter()
        .chain(
            appendix::titles(&options.appendices, w)
                .into_iter()
                .map(|t| (t, 1)),
        )
        .collect();
    if headings.len() > CONTENTS_FROM_HEADINGS {
        doc = doc
            .add_paragraph(page_break())
            .add_paragraph(text(w.contents).style("TOCHeading"));
        for p in super::docx::contents(&headings, w) {
            doc = doc.add_paragraph(p);
        }
    }
    doc = doc.add_paragraph(page_break()).add_paragraph(body_mark());
    doc = appendix::append(doc, conn, project_root, &codings, &options.appendices, w)?;
    save_streamed(doc, path, |out| {
        let mut body = Body {
            headings: Vec::new(),
            out: Some(out),
        };
        write_body(&cx, conn, &codings, options, &mut body)
    })?;
    drop(snapshot); // read only: nothing to commit
    Ok(Summary {
        file: path.display().to_string(),
        excerpts,
        codes: codes_used,
        documents,
    })
}

/// The report's body in order: the excerpts as `options.group_by` says, then the other memos.
fn write_body(
    cx: &Context,
    conn: &Connection,
    codings: &[Coding],
    options: &Options,
    body: &mut Body,
) -> Result<()> {
    let w = cx.words;
    match options.group_by {
        GroupBy::Code => cx.by_code(body, &codings.iter().collect::<Vec<_>>(), 1)?,
        GroupBy::Participant => {
            let mut tree: BTreeMap<String, BTreeMap<(usize, String), Vec<&Coding>>> =
                BTreeMap::new();
            for c in codings {
                let wave = c.wave.clone().unwrap_or_else(|| w.no_wave.into());
                tree.entry(speaker(c, &cx.title(c)))
                    .or_default()
                    .entry((cx.wave_rank(c.wave.as_deref()), wave))
                    .or_default()
                    .push(c);
            }
            for (who, waves) in tree {
                body.heading(&who, 1)?;
                for ((_, wave), list) in waves {
                    body.heading(&wave, 2)?;
                    cx.by_code(body, &list, 3)?;
                }
            }
        }
        GroupBy::Wave => {
            let mut waves: BTreeMap<(usize, String), Vec<&Coding>> = BTreeMap::new();
            for c in codings {
                let wave = c.wave.clone().unwrap_or_else(|| w.no_wave.into());
                waves
                    .entry((cx.wave_rank(c.wave.as_deref()), wave))
                    .or_default()
                    .push(c);
            }
            for ((_, wave), list) in waves {
                body.heading(&wave, 1)?;
                cx.by_code(body, &list, 2)?;
            }
        }
        GroupBy::Group => {
            let groups = crate::groups::list(conn)?;
            let mut grouped: HashSet<i64> = HashSet::new();
            for g in &groups {
                let docs: HashSet<i64> = if g.rule.is_some() {
                    crate::groups::documents_of(conn, &g.name)?
                        .into_iter()
                        .collect()
                } else {
                    g.documents.iter().copied().collect()
                };
                let list: Vec<&Coding> = codings.iter().filter(|c| docs.contains(&c.doc)).collect();
                if list.is_empty() {
                    continue;
                }
                grouped.extend(docs);
                body.heading(&g.name, 1)?;
                cx.by_code(body, &list, 2)?;
            }
            let rest: Vec<&Coding> = codings
                .iter()
                .filter(|c| !grouped.contains(&c.doc))
                .collect();
            if !rest.is_empty() {
                body.heading(w.no_group, 1)?;
                cx.by_code(body, &rest, 2)?;
            }
        }
    }
    if codings.is_empty() {
        body.add(vec![text(w.no_codings)])?;
    }
    other_memos(body, conn, codings, &options.memos, w)
}

/// Excerpts per code and wave as bars, when the report holds more than one code or wave.
fn overview(
    cx: &Context,
    counts: &HashMap<(i64, Option<String>), usize>,
) -> Option<Vec<crate::chart::Picture>> {
    let mut waves: Vec<Option<String>> = counts.keys().map(|(_, w)| w.clone()).collect();
    waves.sort_by_key(|w| (cx.wave_rank(w.as_deref()), w.clone()));
    waves.dedup();
    let codes: Vec<&Code> = cx
        .codes
        .iter()
        .filter(|c| {
            waves
                .iter()
                .any(|w| counts.contains_key(&(c.id, w.clone())))
        })
        .collect();
    if codes.len() < 2 && waves.len() < 2 {
        return None;
    }
    let most = counts.values().copied().max().unwrap_or(0).max(1) as f64;
    let colour = super::changes::inherited_colour(&cx.codes);
    let groups: Vec<crate::chart::BarGroup> = codes
        .iter()
        .map(|c| crate::chart::BarGroup {
            label: c.path.clone(),
            colour: colour(c.id),
            bars: waves
                .iter()
                .map(|w| {
                    let n = counts.get(&(c.id, w.clone())).copied().unwrap_or(0);
                    crate::chart::Bar {
                        series: w.clone().unwrap_or_else(|| "–".into()),
                        share: Some(n as f64 / most),
                        figure: n.to_string(),
                    }
                })
                .collect(),
        })
        .collect();
    let pictures = crate::chart::bars(&groups);
    (!pictures.is_empty()).then_some(pictures)
}

/// A memo on a participant: participant, wave (pen portraits), author, text.
type ParticipantMemo = (String, Option<String>, String, String);

/// The memos on the report's documents and participants, and the participants' pen portraits,
/// as the options ask.
fn other_memos(
    body: &mut Body,
    conn: &Connection,
    codings: &[Coding],
    which: &Memos,
    w: &Words,
) -> Result<()> {
    let docs: HashSet<i64> = codings.iter().map(|c| c.doc).collect();
    let people: HashSet<&str> = codings
        .iter()
        .flat_map(|c| c.participants.iter().map(String::as_str))
        .collect();
    if which.document {
        let mut stmt = conn.prepare(
            "SELECT d.id, d.title, k.name, m.text FROM memos m JOIN documents d ON d.id = m.target_id
             JOIN coders k ON k.id = m.coder_id WHERE m.target_kind = 'document' ORDER BY d.id, m.id",
        )?;
        let rows: Vec<(i64, String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mine: Vec<_> = rows.into_iter().filter(|r| docs.contains(&r.0)).collect();
        if !mine.is_empty() {
            body.heading(w.document_memos, 1)?;
            body.add(
                mine.iter()
                    .map(|(_, title, coder, memo)| labelled(&format!("{title} ({coder})"), memo))
                    .collect(),
            )?;
        }
    }
    let by_participant = |kind: &str| -> Result<Vec<ParticipantMemo>> {
        let mut stmt = conn.prepare(
            "SELECT p.code, w.name, k.name, m.text FROM memos m JOIN participants p ON p.id = m.target_id
             JOIN coders k ON k.id = m.coder_id LEFT JOIN waves w ON w.id = m.wave_id
             WHERE m.target_kind = ?1 ORDER BY p.code, w.ordinal, m.id",
        )?;
        let rows = stmt
            .query_map([kind], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<Vec<ParticipantMemo>>>()?;
        Ok(rows
            .into_iter()
            .filter(|r| people.contains(r.0.as_str()))
            .collect())
    };
    for (wanted, kind, title) in [
        (which.participant, "participant", w.participant_memos),
        (which.portrait, "portrait", w.portraits),
    ] {
        if !wanted {
            continue;
        }
        let rows = by_participant(kind)?;
        if rows.is_empty() {
            continue;
        }
        body.heading(title, 1)?;
        body.add(
            rows.iter()
                .map(|(p, wave, coder, memo)| {
                    let who = match wave {
                        Some(wave) => format!("{p}, {wave} ({coder})"),
                        None => format!("{p} ({coder})"),
                    };
                    labelled(&who, memo)
                })
                .collect(),
        )?;
    }
    Ok(())
}
