//! Text for the screen: making stored text safe to draw, wrapping turns into rows, and the
//! fuzzy matching of the code picker. Pure functions, no terminal and no database.

use unicode_width::UnicodeWidthChar;

/// The character drawn for `c`: control characters (escape sequences included) become their
/// visible Unicode control pictures, so nothing from a transcript reaches the terminal raw.
pub fn safe_char(c: char) -> char {
    match c {
        '\n' | '\t' => ' ',
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
        '\u{7f}' => '␡',
        c if c.is_control() => '�',
        // Bidirectional overrides could reorder what is drawn; show them as a mark.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '¦',
        c => c,
    }
}

/// A string made safe to draw (see [`safe_char`]), line breaks as spaces.
pub fn safe(s: &str) -> String {
    s.chars().map(safe_char).collect()
}

/// Columns a character takes on screen (after [`safe_char`]).
pub fn width(c: char) -> usize {
    safe_char(c).width().unwrap_or(1)
}

/// Columns a string takes on screen.
pub fn str_width(s: &str) -> usize {
    s.chars().map(width).sum()
}

/// `s` cut to at most `max` columns, with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if str_width(s) <= max {
        return safe(s);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = width(c);
        if used + w + 1 > max {
            break;
        }
        out.push(safe_char(c));
        used += w;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// Cuts `s` to at most `max` columns from its start, keeping its end ("…Peer support/Online"):
/// for paths, whose last part names the thing.
pub fn truncate_start(s: &str, max: usize) -> String {
    if str_width(s) <= max {
        return safe(s);
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = width(c);
        if used + w + 1 > max {
            break;
        }
        kept.push(safe_char(c));
        used += w;
    }
    let mut out = String::new();
    if max > 0 {
        out.push('…');
    }
    out.extend(kept.into_iter().rev());
    out
}

/// One screen row of a wrapped transcript: characters `[start, end)` of turn `turn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub turn: usize,
    pub start: usize,
    pub end: usize,
    /// The turn's first row (it shows the speaker).
    pub first: bool,
}

/// Wraps turns (`[start, end)` character ranges of `chars`) into rows of at most `width`
/// columns, breaking after white space where it can. A single line break inside a turn flows
/// on like a space; a blank line starts a new row. Every character of every turn belongs to
/// exactly one row, so the cursor can always be shown.
pub fn wrap(chars: &[char], turns: &[(usize, usize)], width: usize) -> Vec<Row> {
    let width = width.max(1);
    let mut rows = Vec::new();
    for (t, &(start, end)) in turns.iter().enumerate() {
        let end = end.min(chars.len());
        let mut i = start.min(end);
        let mut first = true;
        if i == end {
            rows.push(Row {
                turn: t,
                start: i,
                end: i,
                first,
            });
            continue;
        }
        while i < end {
            let row_start = i;
            let mut col = 0;
            let mut last_break: Option<usize> = None;
            let mut j = i;
            let mut row_end = end;
            while j < end {
                let c = chars[j];
                if c == '\n' && j + 1 < end && chars[j + 1] == '\n' {
                    // A blank line: the row ends after the run of line breaks.
                    let mut k = j;
                    while k < end && chars[k] == '\n' {
                        k += 1;
                    }
                    row_end = k;
                    break;
                }
                let w = width_of(c);
                if c.is_whitespace() {
                    // White space may hang past the edge; the row breaks after it.
                    col += w;
                    last_break = Some(j + 1);
                    j += 1;
                    continue;
                }
                if col + w > width && j > row_start {
                    row_end = match last_break {
                        Some(b) if b > row_start => b,
                        _ => j,
                    };
                    break;
                }
                col += w;
                j += 1;
            }
            rows.push(Row {
                turn: t,
                start: row_start,
                end: row_end,
                first,
            });
            first = false;
            i = row_end;
        }
    }
    rows
}

fn width_of(c: char) -> usize {
    if c == '\n' { 1 } else { width(c) }
}

/// Columns from the start of `row` to character `at`.
pub fn column(chars: &[char], row: &Row, at: usize) -> usize {
    chars[row.start..at.clamp(row.start, row.end)]
        .iter()
        .map(|c| width_of(*c))
        .sum()
}

/// The character of `row` at screen column `col` (the last one if the row is shorter).
pub fn at_column(chars: &[char], row: &Row, col: usize) -> usize {
    let mut used = 0;
    for (i, c) in chars.iter().enumerate().take(row.end).skip(row.start) {
        let w = width_of(*c);
        if used + w > col {
            return i;
        }
        used += w;
    }
    // Past the end: the last character that is not a trailing line break.
    let mut last = row.end;
    while last > row.start && chars[last - 1].is_whitespace() {
        last -= 1;
    }
    if last == row.end {
        row.end.saturating_sub(1).max(row.start)
    } else {
        last
    }
}

/// How well `query` matches `candidate` as a subsequence, ignoring case: `None` when it does
/// not; higher is better (consecutive letters and letters at word starts score more).
pub fn fuzzy_score(query: &str, candidate: &str) -> Option<i64> {
    let q: Vec<char> = query
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if q.is_empty() {
        return Some(0);
    }
    let c: Vec<char> = candidate.to_lowercase().chars().collect();
    let mut score = 0i64;
    let mut qi = 0;
    let mut prev: Option<usize> = None;
    for (i, ch) in c.iter().enumerate() {
        if qi < q.len() && *ch == q[qi] {
            score += 1;
            if prev == Some(i.wrapping_sub(1)) {
                score += 5;
            }
            if i == 0 || !c[i - 1].is_alphanumeric() {
                score += 8;
            }
            prev = Some(i);
            qi += 1;
        }
    }
    if qi < q.len() {
        return None;
    }
    // Shorter candidates with the same letters are the more likely meaning.
    Some(score * 100 - c.len() as i64)
}

/// How well `query` matches a choice's `label`, for ranking a picker: an exact name (the
/// label, or its last path part, equal to the query, ignoring case) first, then a word that
/// starts with the query ("pet" in "Support from a pet"), then the query anywhere inside, then
/// a fuzzy subsequence; within a tier by [`fuzzy_score`]. `None` when it does not match.
pub fn match_rank(query: &str, label: &str) -> Option<i64> {
    let fuzzy = fuzzy_score(query, label)?;
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Some(fuzzy);
    }
    let l = label.to_lowercase();
    let last = l.rsplit('/').next().unwrap_or(&l).trim();
    let tier = if l.trim() == q || last == q {
        3
    } else if l.char_indices().any(|(i, _)| {
        let at_word = l[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        at_word && l[i..].starts_with(&q)
    }) {
        2
    } else if l.contains(&q) {
        1
    } else {
        0
    };
    Some(tier * 1_000_000_000 + fuzzy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn escape_sequences_and_controls_are_made_visible() {
        let s = safe("a\u{1b}[31mred\u{7}\u{202e}x");
        assert!(!s.chars().any(|c| c.is_control()));
        assert!(s.contains('␛') && s.contains('␇') && s.contains('¦'));
    }

    #[test]
    fn wrapping_breaks_after_spaces_and_covers_every_character() {
        let text = chars("Ik ga elke dinsdag naar de groep.");
        let rows = wrap(&text, &[(0, text.len())], 12);
        let shown: Vec<String> = rows
            .iter()
            .map(|r| text[r.start..r.end].iter().collect())
            .collect();
        // "dinsdag naar" fills the 12 columns; its space may hang past the edge.
        assert_eq!(shown, ["Ik ga elke ", "dinsdag naar ", "de groep."]);
        assert!(rows[0].first && !rows[1].first);
        for w in rows.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
    }

    #[test]
    fn long_words_are_cut_and_blank_lines_break() {
        let text = chars("abcdefghij\n\nkl");
        let rows = wrap(&text, &[(0, text.len())], 4);
        let shown: Vec<String> = rows
            .iter()
            .map(|r| text[r.start..r.end].iter().collect())
            .collect();
        assert_eq!(shown, ["abcd", "efgh", "ij\n\n", "kl"]);
    }

    #[test]
    fn wide_characters_count_two_columns() {
        let text = chars("日本語テキスト");
        let rows = wrap(&text, &[(0, text.len())], 6);
        assert_eq!(rows.len(), 3);
        assert_eq!(column(&text, &rows[0], 2), 4);
        assert_eq!(at_column(&text, &rows[0], 5), 2);
    }

    #[test]
    fn fuzzy_prefers_word_starts_and_runs() {
        assert!(fuzzy_score("hp", "Hoop").is_some());
        assert!(fuzzy_score("xyz", "Hoop").is_none());
        let a = fuzzy_score("ver", "Verbondenheid").unwrap();
        let b = fuzzy_score("ver", "Zelfvertrouwen").unwrap();
        assert!(a > b);
    }

    #[test]
    fn a_word_that_starts_with_the_query_ranks_above_a_fuzzy_match() {
        let rank = |q: &str, l: &str| match_rank(q, l).unwrap();
        assert!(rank("pet", "Support from a pet") > rank("pet", "Peer support"));
        assert!(
            rank("peer sup", "Connectedness/Peer support")
                > rank("peer sup", "Personal empowerment support")
        );
        // An exact name first, even when a longer label starts with it too.
        assert!(rank("hoop", "Hoop") > rank("hoop", "Hoop op beter"));
        assert!(rank("hoop", "Herstel/Hoop") > rank("hoop", "Hoopvol"));
        // Inside a word beats letters scattered over the label.
        assert!(
            rank("steun", "Lotgenotensteun") > rank("steun", "Samenwerking tussen de buurt en")
        );
        assert!(match_rank("xyz", "Hoop").is_none());
    }

    #[test]
    fn truncation_respects_columns() {
        assert_eq!(truncate("Lotgenotencontact", 8), "Lotgeno…");
        assert_eq!(truncate("kort", 8), "kort");
    }
}
