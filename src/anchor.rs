//! Re-anchoring: replacing a range of a document's stored text (a late redaction, say) while
//! every turn and coding keeps covering the same words. Spans before the range stay, spans
//! after it shift by the change in length, a span that contains the range grows or shrinks
//! with it, and a span that overlaps only part of the range keeps its own words and takes the
//! replacement in place of the part it lost. Turns never overlap: a replacement that runs
//! across the boundary of two turns stays with the earlier one.

use rusqlite::params;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::offsets;
use crate::store::Action;
use crate::words;

/// Where the span `[s, e)` lies after `[start, end)` was replaced by `new_len` characters.
/// `None` when the span was wholly inside a range replaced by nothing.
pub fn shift(
    s: usize,
    e: usize,
    start: usize,
    end: usize,
    new_len: usize,
) -> Option<(usize, usize)> {
    let removed = end - start;
    let moved = |x: usize| x + new_len - removed; // for offsets at or after `end`
    let (ns, ne) = if e <= start {
        (s, e) // before
    } else if s >= end {
        (moved(s), moved(e)) // after (an insertion at a span's start stays outside it)
    } else {
        // Overlapping: ends outside the range move with the text; ends inside it snap to the
        // replacement's edges so the span still covers what replaced its words.
        let ns = if s < start { s } else { start };
        let ne = if e > end { moved(e) } else { start + new_len };
        (ns, ne)
    };
    (ne > ns).then_some((ns, ne))
}

/// What a replacement did to the spans of a document.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Report {
    pub turns_moved: usize,
    pub codings_moved: usize,
    /// Codings that lay wholly inside a range replaced by nothing, or that came to cover the
    /// same words as another coding of theirs (collapsed into it), and were removed.
    pub codings_removed: usize,
}

/// Replaces `[start, end)` (characters) of a document's text with `replacement` and moves its
/// turns and codings, inside the caller's action.
pub fn replace(
    a: &Action<'_>,
    doc: i64,
    start: usize,
    end: usize,
    replacement: &str,
) -> Result<Report> {
    // Text replaced is never put back by undo: the old words must be gone for good.
    let conn = a.irreversible();
    a.replaced_text(doc);
    let text: String = conn.query_row("SELECT text FROM documents WHERE id = ?1", [doc], |r| {
        r.get(0)
    })?;
    let chars = text.chars().count();
    if start > end || end > chars {
        return Err(Error::Invalid(format!(
            "the range [{start}, {end}) is not inside document {doc} ({chars} characters)"
        )));
    }
    let b = offsets::char_to_byte(&text, &[start, end]);
    let new_text = format!("{}{}{}", &text[..b[0]], replacement, &text[b[1]..]);
    let new_len = replacement.chars().count();
    let mut report = Report::default();

    let turns: Vec<(i64, i64, i64)> = conn
        .prepare("SELECT id, start, end FROM turns WHERE doc_id = ?1 ORDER BY start, seq")?
        .query_map([doc], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    // Turns never overlap: when a range runs across the boundary of two turns, the
    // replacement stays with the earlier one and the later one starts after it.
    let mut previous_end = 0;
    for (id, s, e) in turns {
        let (mut ns, mut ne) =
            shift(s as usize, e as usize, start, end, new_len).unwrap_or((start, start));
        ns = ns.max(previous_end);
        ne = ne.max(ns);
        previous_end = ne;
        let said = offsets::slice_chars(&new_text, ns, ne);
        if (ns, ne) != (s as usize, e as usize) {
            report.turns_moved += 1;
        }
        conn.execute(
            "UPDATE turns SET start = ?1, end = ?2, words = ?3 WHERE id = ?4",
            params![ns as i64, ne as i64, words::count(said) as i64, id],
        )?;
    }
    // Codings move in two steps, out of the table and back, so that one moving onto the span
    // another is leaving never trips the rule that a code, span and coder are one coding; two
    // that end up on the same span collapse into the first (its memos gain the other's).
    type Row = (i64, String, i64, i64, i64, i64, String);
    let codings: Vec<Row> = conn
        .prepare("SELECT id, guid, code_id, start, end, coder_id, created FROM codings WHERE doc_id = ?1 ORDER BY id")?
        .query_map([doc], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut taken: std::collections::HashMap<(i64, i64, i64, i64), i64> =
        std::collections::HashMap::new();
    let mut moving: Vec<(Row, i64, i64)> = Vec::new();
    let mut gone: Vec<(i64, Option<i64>)> = Vec::new(); // (coding, survivor for its memos)
    for row in &codings {
        let (id, _, code, s, e, coder, _) = row;
        match shift(*s as usize, *e as usize, start, end, new_len) {
            Some((ns, ne)) => {
                let (ns, ne) = (ns as i64, ne as i64);
                match taken.get(&(*code, *coder, ns, ne)) {
                    Some(&survivor) => gone.push((*id, Some(survivor))),
                    None => {
                        taken.insert((*code, *coder, ns, ne), *id);
                        if (ns, ne) != (*s, *e) {
                            moving.push((row.clone(), ns, ne));
                        }
                    }
                }
            }
            None => gone.push((*id, None)),
        }
    }
    for (id, survivor) in &gone {
        match survivor {
            Some(keep) => {
                conn.execute(
                    "UPDATE memos SET target_id = ?1 WHERE target_kind = 'coding' AND target_id = ?2",
                    params![keep, id],
                )?;
            }
            None => {
                conn.execute(
                    "DELETE FROM memos WHERE target_kind = 'coding' AND target_id = ?1",
                    [id],
                )?;
            }
        }
        conn.execute("DELETE FROM codings WHERE id = ?1", [id])?;
        report.codings_removed += 1;
    }
    for ((id, ..), _, _) in &moving {
        conn.execute("DELETE FROM codings WHERE id = ?1", [id])?;
    }
    for ((id, guid, code, _, _, coder, created), ns, ne) in &moving {
        conn.execute(
            "INSERT INTO codings (id, guid, doc_id, code_id, start, end, coder_id, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![id, guid, doc, code, ns, ne, coder, created],
        )?;
        report.codings_moved += 1;
    }
    let total_words: i64 = conn.query_row(
        "SELECT coalesce(sum(words), 0) FROM turns WHERE doc_id = ?1",
        [doc],
        |r| r.get(0),
    )?;
    conn.execute(
        "UPDATE documents SET text = ?1, chars = ?2, words = ?3 WHERE id = ?4",
        params![new_text, new_text.chars().count() as i64, total_words, doc],
    )?;
    crate::store::word_index::save(conn, doc, &new_text)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::shift;

    #[test]
    fn spans_move_grow_and_shrink_as_documented() {
        // text: 0123456789, replace [3, 5) by 4 characters (+2)
        assert_eq!(shift(0, 3, 3, 5, 4), Some((0, 3))); // before, touching
        assert_eq!(shift(5, 8, 3, 5, 4), Some((7, 10))); // after, touching
        assert_eq!(shift(2, 6, 3, 5, 4), Some((2, 8))); // contains: grows
        assert_eq!(shift(2, 6, 3, 5, 0), Some((2, 4))); // contains: shrinks
        assert_eq!(shift(4, 8, 3, 5, 4), Some((3, 10))); // starts inside
        assert_eq!(shift(1, 4, 3, 5, 4), Some((1, 7))); // ends inside
        assert_eq!(shift(3, 5, 3, 5, 4), Some((3, 7))); // exactly the range
        assert_eq!(shift(3, 4, 3, 5, 0), None); // inside, replaced by nothing
        assert_eq!(shift(3, 6, 3, 3, 2), Some((5, 8))); // insertion at a span's start stays outside
        assert_eq!(shift(1, 3, 3, 3, 2), Some((1, 3))); // insertion at a span's end stays outside
        assert_eq!(shift(1, 6, 3, 3, 2), Some((1, 8))); // insertion inside a span joins it
    }

    fn chars(s: &str, a: usize, b: usize) -> String {
        s.chars().skip(a).take(b - a).collect()
    }

    proptest::proptest! {
        /// Every span keeps its words: untouched spans read the same text afterwards, spans
        /// around the range read their own words with the replacement in the middle.
        #[test]
        fn spans_keep_their_words(
            text in "[a-zé ë😀\\n]{0,60}",
            raw_spans in proptest::collection::vec((0usize..80, 0usize..80), 0..12),
            range in (0usize..80, 0usize..80),
            replacement in "[A-Z é😀]{0,8}",
        ) {
            let n = text.chars().count();
            let (start, end) = (range.0.min(range.1).min(n), range.0.max(range.1).min(n));
            let new_len = replacement.chars().count();
            let new_text = format!("{}{}{}", chars(&text, 0, start), replacement, chars(&text, end, n));
            for (a, b) in raw_spans {
                let (s, e) = (a.min(b).min(n), a.max(b).min(n));
                if s == e { continue; }
                let moved = shift(s, e, start, end, new_len);
                if e <= start || s >= end {
                    let (ns, ne) = moved.unwrap();
                    proptest::prop_assert_eq!(chars(&new_text, ns, ne), chars(&text, s, e));
                } else if s <= start && e >= end {
                    let expected = format!("{}{}{}", chars(&text, s, start), replacement, chars(&text, end, e));
                    match moved {
                        Some((ns, ne)) => proptest::prop_assert_eq!(chars(&new_text, ns, ne), expected),
                        None => proptest::prop_assert!(expected.is_empty()),
                    }
                } else if let Some((ns, ne)) = moved {
                    // Partly overlapping: the span's own surviving words are still at its edges.
                    let got = chars(&new_text, ns, ne);
                    if s < start { proptest::prop_assert!(got.starts_with(&chars(&text, s, start))); }
                    if e > end { proptest::prop_assert!(got.ends_with(&chars(&text, end, e))); }
                    proptest::prop_assert!(got.contains(&replacement));
                } else {
                    proptest::prop_assert_eq!(new_len, 0);
                }
            }
        }
    }
}
