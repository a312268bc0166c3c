//! Tables for Word reports laid out for the page: a visible grid, a shaded header row that
//! Word and LibreOffice repeat on every page, and column widths set from the content so that
//! no word is broken inside a cell (a code path may break after its "/", nowhere else).
//!
//! Widths are estimated, not measured: a character of 10-point Calibri is taken as
//! [`CHAR`] twips (a little above its average, so a word fits), a column gets at least its
//! longest word and the rest of the page's width goes to the columns with the most text.
//! A table whose longest words cannot fit side by side is set a size smaller.

use docx_rs::{
    AlignmentType, BorderType, Paragraph, Run, Shading, Table, TableBorder, TableBorderPosition,
    TableBorders, TableCell, TableLayoutType, TableRow, WidthType,
};

use super::docx::xml_safe;

/// The width of the text on a page of narrata's reports (A4, 2.5 cm margins), in twips.
pub const TEXT_WIDTH: usize = 9070;
/// Estimated width of one character of 10-point text, in twips (DejaVu Sans averages about
/// 120, Calibri about 100).
pub const CHAR: usize = 125;
/// The same for the bold header row, as a share of [`CHAR`] in percent.
const BOLD: usize = 112;
/// Left and right cell margins together, in twips.
const PAD: usize = 230;
/// Table text size in half-points (10 pt), and the smaller size for crowded tables (8 pt).
const SIZE: usize = 20;
const SMALL: usize = 16;

/// Where a cell's text may break: code paths after their "/" (a zero-width space is put
/// there), words at spaces and hyphens; pseudonyms and citations carry non-breaking
/// characters of their own and do not break.
pub fn breakable(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        // After the "/" of a path ("Verbondenheid/Relaties"), not of a figure ("3/8").
        if c == '/' && chars.peek().is_some_and(|n| n.is_alphabetic()) {
            out.push('\u{200b}');
        }
    }
    out
}

/// The lengths of the pieces of `s` that must stay on one line, as [`breakable`] and the
/// readers' line breaking leave them: breaks at ordinary spaces (a no-break space holds its
/// neighbours together), after a path's "/" before a letter, and after a hyphen before a
/// letter ("COVID-19" and "12/15" stay whole).
fn unbreakable(s: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut n = 0;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, ' ' | '\t' | '\n' | '\u{200b}') {
            out.push(n);
            n = 0;
            continue;
        }
        n += 1;
        if matches!(c, '/' | '-') && chars.peek().is_some_and(|d| d.is_alphabetic()) {
            out.push(n);
            n = 0;
        }
    }
    out.push(n);
    out
}

fn chars(s: &str) -> usize {
    s.chars().filter(|c| *c != '\u{200b}').count()
}

/// Column widths in twips for `header` and `rows` (cells as the reader sees them), filling
/// at most the text width; and whether the table must be set small to keep words whole.
pub fn widths(header: &[String], rows: &[Vec<String>]) -> (Vec<usize>, bool) {
    let n = header.len().max(1);
    let column = |j: usize| {
        std::iter::once(header.get(j).map(String::as_str).unwrap_or("")).chain(
            rows.iter()
                .map(move |r| r.get(j).map(String::as_str).unwrap_or("")),
        )
    };
    let fit = |char_w: usize| -> (Vec<usize>, Vec<usize>) {
        let longest_word = |s: &str| unbreakable(s).into_iter().max().unwrap_or(0);
        let least: Vec<usize> = (0..n)
            .map(|j| {
                let body = rows
                    .iter()
                    .map(|r| longest_word(r.get(j).map(String::as_str).unwrap_or("")))
                    .max()
                    .unwrap_or(0)
                    * char_w;
                let head =
                    longest_word(header.get(j).map(String::as_str).unwrap_or("")) * char_w * BOLD
                        / 100;
                body.max(head) + PAD
            })
            .collect();
        // What a column would like: its longest cell on one line, up to a third of the page.
        let want: Vec<usize> = (0..n)
            .map(|j| {
                (column(j).map(chars).max().unwrap_or(0) * char_w + PAD)
                    .min(TEXT_WIDTH / 3)
                    .max(least[j])
            })
            .collect();
        (least, want)
    };
    let (mut least, mut want) = fit(CHAR);
    let small = least.iter().sum::<usize>() > TEXT_WIDTH;
    if small {
        (least, want) = fit(CHAR * SMALL / SIZE);
    }
    let needed: usize = least.iter().sum();
    if needed > TEXT_WIDTH {
        // Too many columns even when small: shrunk to the page (callers split wide tables so
        // that this does not happen; see the matrix report).
        return (
            least.iter().map(|l| l * TEXT_WIDTH / needed).collect(),
            small,
        );
    }
    let wanted: usize = want.iter().sum();
    if wanted <= TEXT_WIDTH {
        return (want, small);
    }
    // Share the room left after every column's least among the columns wanting more.
    let room = TEXT_WIDTH.saturating_sub(least.iter().sum());
    let extra: usize = want.iter().zip(&least).map(|(w, l)| w - l).sum();
    let widths = least
        .iter()
        .zip(&want)
        .map(|(l, w)| l + (w - l) * room / extra.max(1))
        .collect();
    (widths, small)
}

/// Whether every filled cell of a column is a figure ("12", "3/8", "4.5%", "–"): such columns
/// are right-aligned.
fn numeric(rows: &[Vec<String>], j: usize) -> bool {
    let mut any = false;
    for r in rows {
        let v = r.get(j).map(|s| s.trim()).unwrap_or("");
        if v.is_empty() || v == "–" || v == "-" {
            continue;
        }
        any = true;
        if !v
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%' | '/' | ' ' | '(' | ')'))
        {
            return false;
        }
    }
    any
}

fn borders() -> TableBorders {
    let line = |p| {
        TableBorder::new(p)
            .border_type(BorderType::Single)
            .size(4)
            .color("7F7F7F")
    };
    TableBorders::new()
        .set(line(TableBorderPosition::Top))
        .set(line(TableBorderPosition::Bottom))
        .set(line(TableBorderPosition::Left))
        .set(line(TableBorderPosition::Right))
        .set(line(TableBorderPosition::InsideH))
        .set(line(TableBorderPosition::InsideV))
}

fn text_cell(s: &str, width: usize, size: usize, bold: bool, right: bool) -> TableCell {
    let mut run = Run::new().add_text(xml_safe(&breakable(s))).size(size);
    if bold {
        run = run.bold();
    }
    let mut p = Paragraph::new().add_run(run);
    if right {
        p = p.align(AlignmentType::Right);
    }
    TableCell::new()
        .width(width, WidthType::Dxa)
        .add_paragraph(p)
}

/// A header row of `header`, repeated on every page the table runs over.
fn header_row(header: &[String], widths: &[usize], size: usize) -> TableRow {
    TableRow::new(
        header
            .iter()
            .zip(widths)
            .map(|(h, w)| {
                text_cell(h, *w, size, true, false).shading(Shading::new().fill("D9D9D9"))
            })
            .collect(),
    )
    // `save` turns the header's cantSplit into cantSplit + tblHeader (docx-rs has no
    // header-row setting).
    .cant_split()
}

fn framed(rows: Vec<TableRow>, widths: Vec<usize>) -> Table {
    let total = widths.iter().sum();
    Table::new(rows)
        .set_grid(widths)
        .width(total, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .set_borders(borders())
}

/// A table of text: header, rows, widths from the content, figures right-aligned.
pub fn grid(header: &[String], rows: Vec<Vec<String>>) -> Table {
    let (widths, small) = widths(header, &rows);
    let size = if small { SMALL } else { SIZE };
    let right: Vec<bool> = (0..header.len()).map(|j| numeric(&rows, j)).collect();
    let mut all = vec![header_row(header, &widths, size)];
    for r in &rows {
        all.push(TableRow::new(
            r.iter()
                .zip(&widths)
                .enumerate()
                .map(|(j, (c, w))| text_cell(c, *w, size, false, right[j] && j > 0))
                .collect(),
        ));
    }
    framed(all, widths)
}

/// A table whose cells are made by the caller (several paragraphs, quotes): equal columns
/// across the page under a header.
pub fn grid_of_cells(header: &[String], rows: Vec<Vec<TableCell>>) -> Table {
    let n = header.len().max(1);
    let widths = vec![TEXT_WIDTH / n; n];
    let mut all = vec![header_row(header, &widths, SIZE)];
    for r in rows {
        all.push(TableRow::new(
            r.into_iter()
                .zip(&widths)
                .map(|(c, w)| c.width(*w, WidthType::Dxa))
                .collect(),
        ));
    }
    framed(all, widths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_get_their_longest_word_and_share_the_rest() {
        let header = vec!["code".to_owned(), "T1".to_owned(), "change".to_owned()];
        let rows = vec![vec![
            "Connectedness/Peer support and support groups".to_owned(),
            "3/8".to_owned(),
            "emerged".to_owned(),
        ]];
        let (w, small) = widths(&header, &rows);
        assert!(!small);
        assert!(w.iter().sum::<usize>() <= TEXT_WIDTH);
        // "Connectedness/" is the longest piece that must stay whole.
        assert!(w[0] >= 14 * CHAR + PAD, "{w:?}");
        assert!(w[2] >= 7 * CHAR + PAD, "{w:?}");
        // Six columns of ten-letter headers do not fit at 10 pt: the table is set smaller,
        // every word whole.
        let header: Vec<String> = (0..6).map(|i| format!("participa{i}")).collect();
        let (w, small) = widths(&header, &[]);
        assert!(small);
        assert!(w.iter().sum::<usize>() <= TEXT_WIDTH, "{w:?}");
        let bold_word = 10 * (CHAR * SMALL / SIZE) * BOLD / 100 + PAD;
        assert!(w.iter().all(|w| *w >= bold_word), "{w:?}");
        assert!(numeric(
            &[
                vec!["a".into(), "12.5%".into()],
                vec!["b".into(), "–".into()]
            ],
            1
        ));
        assert!(!numeric(&[vec!["a".into(), "emerged".into()]], 1));
    }
}
