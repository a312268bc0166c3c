//! One transcript as a Word document: every stored line numbered as `narrata show` numbers
//! it, and every coding a Word comment anchored on exactly its words (the code's path, the
//! coder and date, and the memos on the coding).

use std::collections::HashMap;
use std::path::Path;

use docx_rs::{BreakType, Comment, Paragraph, Run};
use rusqlite::Connection;
use serde::Serialize;

use super::docx::{hanging, labelled, save, styled, text, xml_safe};
use crate::coding::{self, Filter};
use crate::corpus;
use crate::error::Result;

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub file: String,
    pub document: i64,
    pub lines: usize,
    pub comments: usize,
}

/// Writes document `doc` to `path`.
pub fn transcript_docx(conn: &Connection, doc: i64, path: &Path) -> Result<Summary> {
    let summary = corpus::document(conn, doc)?;
    let chars: Vec<char> = corpus::text(conn, doc)?.chars().collect();
    let codings = coding::list(
        conn,
        &Filter {
            doc: Some(doc),
            ..Default::default()
        },
    )?;
    let memos = super::coding_memos(conn)?;

    // Lines as character ranges [start, end) without their line break.
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (i, c) in chars.iter().enumerate() {
        if *c == '\n' {
            lines.push((start, i));
            start = i + 1;
        }
    }
    if start < chars.len() || lines.is_empty() {
        lines.push((start, chars.len()));
    }
    let line_of = |at: usize| {
        lines
            .partition_point(|(_, end)| *end < at)
            .min(lines.len() - 1)
    };

    // Where each comment starts and ends: (line, position) → comment ids.
    let mut starts: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    let mut ends: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    let mut comments: Vec<Comment> = Vec::new();
    for (n, c) in codings.iter().enumerate() {
        let id = n + 1;
        let (s, e) = (c.start.max(0) as usize, (c.end.max(c.start)) as usize);
        let (ls, le) = (line_of(s), line_of(e.saturating_sub(1).max(s)));
        // A span's end that lies on a line break is drawn at the end of its line.
        let e_in_line = e.min(lines[le].1).max(lines[le].0);
        let s_in_line = s.min(lines[ls].1).max(lines[ls].0);
        starts.entry(ls).or_default().push((s_in_line, id));
        ends.entry(le).or_default().push((e_in_line, id));
        // One paragraph per comment, parts on their own lines: docx-rs 0.4 writes a comment
        // once for every paragraph it holds.
        let mut body = Paragraph::new()
            .add_run(Run::new().add_text(xml_safe(&c.code_path)).bold())
            .add_run(Run::new().add_break(BreakType::TextWrapping))
            .add_run(Run::new().add_text(xml_safe(&format!(
                "{} · coding {} · r. {}–{}",
                c.coder, c.id, c.line, c.end_line
            ))));
        for (coder, memo) in memos.get(&c.id).map(|v| &v[..]).unwrap_or(&[]) {
            body = body
                .add_run(Run::new().add_break(BreakType::TextWrapping))
                .add_run(Run::new().add_text(xml_safe(&format!("Memo ({coder}): {memo}"))));
        }
        let comment = Comment::new(id)
            .author(xml_safe(&c.coder))
            .date(c.created.clone())
            .add_paragraph(body);
        comments.push(comment);
    }
    let mut comments: Vec<Option<Comment>> = comments.into_iter().map(Some).collect();

    let who = if summary.participants.is_empty() {
        "no participant".to_owned()
    } else {
        summary.participants.join(", ")
    };
    // 10 pt and 2 cm margins: a stored line of about 100 characters mostly fits on one.
    let mut docx = styled()
        .default_size(20)
        .page_margin(
            docx_rs::PageMargin::new()
                .top(1134)
                .bottom(1134)
                .left(1134)
                .right(1134),
        )
        .add_paragraph(text(&summary.title).style("Title"))
        .add_paragraph(labelled("Participant(s)", &who))
        .add_paragraph(labelled(
            "Wave",
            summary.wave.as_deref().unwrap_or("none"),
        ))
        .add_paragraph(labelled(
            "Kind",
            &format!(
                "{} interview, {} words{}",
                summary.kind,
                crate::format::thousands(summary.words),
                summary
                    .date
                    .as_deref()
                    .map(|d| format!(", {d}"))
                    .unwrap_or_default()
            ),
        ))
        .add_paragraph(text(
            "Line numbers are those of the stored transcript (as `narrata show` prints them and citations use). Each coding is a comment on its words: the code, the coder, the memos.",
        ).style("Caption"));

    for (i, &(ls, le)) in lines.iter().enumerate() {
        // Events in this line: (position, is_start, comment id); ends before starts at one place.
        let mut events: Vec<(usize, bool, usize)> = Vec::new();
        for (pos, id) in starts.get(&i).map(|v| &v[..]).unwrap_or(&[]) {
            events.push((*pos, true, *id));
        }
        for (pos, id) in ends.get(&i).map(|v| &v[..]).unwrap_or(&[]) {
            events.push((*pos, false, *id));
        }
        events.sort_by_key(|(pos, is_start, id)| (*pos, *is_start, *id));
        let mut p = Paragraph::new().add_run(
            Run::new()
                .add_text(format!("{}", i + 1))
                .style("LineNumber")
                .add_tab(),
        );
        let mut at = ls;
        for (pos, is_start, id) in events {
            if pos > at {
                let s: String = chars[at..pos].iter().collect();
                p = p.add_run(Run::new().add_text(xml_safe(&s)));
                at = pos;
            }
            if is_start {
                if let Some(c) = comments.get_mut(id - 1).and_then(Option::take) {
                    p = p.add_comment_start(c);
                }
            } else {
                p = p.add_comment_end(id);
            }
        }
        if le > at {
            let s: String = chars[at..le].iter().collect();
            p = p.add_run(Run::new().add_text(xml_safe(&s)));
        }
        docx = docx.add_paragraph(hanging(p, 720));
    }
    save(docx, path)?;
    Ok(Summary {
        file: path.display().to_string(),
        document: doc,
        lines: lines.len(),
        comments: codings.len(),
    })
}
