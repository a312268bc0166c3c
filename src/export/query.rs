//! The passages a coding query found, as a Word report: the query, its scope and options,
//! then the passages per participant and wave, each quoted with its citation and the codes
//! that met there, and the memos on their codings.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::Connection;

use super::docx::{heading, labelled, made, save, styled, text};
use super::excerpts::excerpt;
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
    let mut doc = styled()
        .add_paragraph(text("Coding query").style("Title"))
        .add_paragraph(text(project).style("Subtitle"))
        .add_paragraph(labelled("Query", &outcome.query))
        .add_paragraph(labelled("Selection", &outcome.scope))
        .add_paragraph(labelled("Read as", &how))
        .add_paragraph(labelled(
            "Contents",
            &format!("{} passage(s)", outcome.passages.len()),
        ))
        .add_paragraph(labelled(
            "Citations",
            "(participant, wave, r. first–last line of the stored transcript, as `narrata show` numbers them)",
        ))
        .add_paragraph(made());
    // Participant, then wave in the study's order.
    let mut tree: BTreeMap<String, BTreeMap<(usize, String), Vec<&Found>>> = BTreeMap::new();
    for f in &outcome.passages {
        let who = if f.participants.is_empty() {
            f.title.clone()
        } else {
            f.participants.join(", ")
        };
        let wave = f.wave.clone().unwrap_or_else(|| "no wave".into());
        let at = waves.iter().position(|w| *w == wave).unwrap_or(usize::MAX);
        tree.entry(who)
            .or_default()
            .entry((at, wave))
            .or_default()
            .push(f);
    }
    for (who, by_wave) in tree {
        doc = doc.add_paragraph(heading(&who, 1));
        for ((_, wave), list) in by_wave {
            doc = doc.add_paragraph(heading(&wave, 2));
            for f in list {
                let passage = Passage {
                    coding: f.as_coding(),
                    coders: Vec::new(),
                    ids: f.codings.clone(),
                };
                doc = doc.add_paragraph(
                    text(&format!("Codes: {}", f.codes.join(" + "))).style("Caption"),
                );
                for p in excerpt(&passage, &f.title, Some(&memos), false, words) {
                    doc = doc.add_paragraph(p);
                }
            }
        }
    }
    if outcome.passages.is_empty() {
        doc = doc.add_paragraph(text("The query found no passages in this selection."));
    }
    save(doc, path)
}
