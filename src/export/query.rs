//! The passages a coding query found, as a Word report: the query, its scope and options,
//! then the passages per participant and wave, each quoted with its citation and the codes
//! that met there, and the memos on their codings.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::Connection;

use super::docx::{body_mark, heading, labelled, made_in, save_streamed, styled, text};
use super::excerpts::excerpt;
use super::language::fill;
use crate::analysis::query::{Found, Meet, Outcome, Unit};
use crate::coding::Passage;
use crate::error::Result;

/// Writes the passages of `outcome` to `path`.
pub fn query_docx(conn: &Connection, project: &str, outcome: &Outcome, path: &Path) -> Result<()> {
    let memos = super::coding_memos(conn)?;
    let words = super::language::Language::of_project(conn)?.words();
    let waves: Vec<String> = crate::corpus::waves(conn)?
        .into_iter()
        .map(|w| w.name)
        .collect();
    let o = &outcome.options;
    let how = format!(
        "AND and NOT: {}; NEAR and FOLLOWED BY: within {} {}; codes {}",
        match o.meet {
            Meet::Overlap => "passages overlap",
            Meet::SameTurn => "in the same turn",
        },
        o.distance,
        match o.unit {
            Unit::Words => "word(s)",
            Unit::Turns => "turn(s)",
        },
        if o.with_subcodes {
            "with their sub-codes"
        } else {
            "without their sub-codes"
        }
    );
    let w = words;
    let doc = styled()
        .add_paragraph(text(w.query_title).style("Title"))
        .add_paragraph(text(project).style("Subtitle"))
        .add_paragraph(labelled(w.query, &outcome.query))
        .add_paragraph(labelled(w.selection, &outcome.scope))
        .add_paragraph(labelled(w.read_as, &how))
        .add_paragraph(labelled(
            w.report_contents,
            &fill(
                w.passages_value,
                &[("n", &outcome.passages.len().to_string())],
            ),
        ))
        .add_paragraph(labelled(w.citations, w.citations_value))
        .add_paragraph(made_in(w))
        .add_paragraph(body_mark());
    // Participant, then wave in the study's order.
    let mut tree: BTreeMap<String, BTreeMap<(usize, String), Vec<&Found>>> = BTreeMap::new();
    for f in &outcome.passages {
        let who = if f.participants.is_empty() {
            f.title.clone()
        } else {
            f.participants.join(", ")
        };
        let wave = f.wave.clone().unwrap_or_else(|| w.no_wave.into());
        let at = waves.iter().position(|w| *w == wave).unwrap_or(usize::MAX);
        tree.entry(who)
            .or_default()
            .entry((at, wave))
            .or_default()
            .push(f);
    }
    // The passages are streamed into the file, not built into the document first.
    save_streamed(doc, path, |out| {
        for (who, by_wave) in tree {
            out.add(&heading(&who, 1))?;
            for ((_, wave), list) in by_wave {
                out.add(&heading(&wave, 2))?;
                for f in list {
                    let passage = Passage {
                        coding: f.as_coding(),
                        coders: Vec::new(),
                        ids: f.codings.clone(),
                    };
                    out.add(
                        &text(&format!("{}: {}", w.codes, f.codes.join(" + "))).style("Caption"),
                    )?;
                    out.add_all(&excerpt(&passage, &f.title, Some(&memos), false, words))?;
                }
            }
        }
        if outcome.passages.is_empty() {
            out.add(&text(w.no_passages))?;
        }
        Ok(())
    })
}
