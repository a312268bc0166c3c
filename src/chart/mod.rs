//! Charts as pictures for Word reports: grouped bars (a code across waves, per participant or
//! for the cohort) and a heat map (a code matrix), drawn into memory and encoded as PNG. The
//! chart font is drawn here too, so a report looks the same on every machine.
//!
//! Colours follow the codes' own colours. Every mark also reads without colour: a bar's length
//! and the figure beside it carry its value, the waves of one code are its colour from light
//! (first wave) to full (last) with the wave's name at the start of each bar, and a heat map
//! cell is darker the larger its value, with the figure printed in it.

pub mod canvas;
mod font;
mod png;

pub use canvas::Rgb;
use canvas::{Canvas, fit};

/// Resolution the pictures are drawn for: a 6-inch-wide chart is 900 pixels.
pub const DPI: u32 = 150;
/// Text size: the font's pixels drawn as 2 × 2 squares (about 9 pt at 150 dpi).
const SCALE: u32 = 2;
const WIDTH: u32 = 900;
const MARGIN: u32 = 12;

/// A chart ready for a report: PNG bytes and the size in pixels at [`DPI`].
#[derive(Clone, Debug)]
pub struct Picture {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl Picture {
    fn of(canvas: &Canvas) -> Picture {
        Picture {
            png: canvas.png(DPI),
            width: canvas.width,
            height: canvas.height,
        }
    }

    /// The printed size in inches at [`DPI`], shrunk to at most `max_width` inches.
    pub fn inches(&self, max_width: f64) -> (f64, f64) {
        let w = f64::from(self.width) / f64::from(DPI);
        let h = f64::from(self.height) / f64::from(DPI);
        let shrink = (max_width / w).min(1.0);
        (w * shrink, h * shrink)
    }
}

/// One bar: its `series` (a wave's name) written before it, its length as a `share` of the
/// axis (0–1; `None` draws no bar, only the figure, e.g. "not interviewed"), and the `figure`
/// written after it.
#[derive(Clone, Debug)]
pub struct Bar {
    pub series: String,
    pub share: Option<f64>,
    pub figure: String,
}

/// A labelled group of bars (a code), in the group's colour (grey without one).
#[derive(Clone, Debug)]
pub struct BarGroup {
    pub label: String,
    pub colour: Option<Rgb>,
    pub bars: Vec<Bar>,
}

/// The colour of bar `index` of `count` in a group of `base` colour: the last full, earlier
/// ones lighter, so their order survives greyscale print.
pub fn shade(base: Rgb, index: usize, count: usize) -> Rgb {
    if count <= 1 {
        return base;
    }
    let t = index as f64 / (count - 1) as f64;
    base.mix(Rgb::WHITE, 0.7 * (1.0 - t))
}

/// Tallest picture drawn: 8 inches, so a chart and its caption fit on a page.
const MAX_HEIGHT: u32 = 8 * DPI;

/// Horizontal grouped bars: one group per row label, one bar per series; as several pictures
/// when the groups would not fit on a page, all drawn to the same scale. Empty without bars.
pub fn bars(groups: &[BarGroup]) -> Vec<Picture> {
    if groups.iter().all(|g| g.bars.is_empty()) {
        return Vec::new();
    }
    let row_h = Canvas::text_height(SCALE) + 6;
    let mut pictures = Vec::new();
    let mut start = 0;
    let mut height = 2 * MARGIN;
    for (i, g) in groups.iter().enumerate() {
        let h = g.bars.len().max(1) as u32 * row_h + GAP;
        if i > start && height + h > MAX_HEIGHT {
            pictures.push(Picture::of(&draw_bars(groups, start..i)));
            start = i;
            height = 2 * MARGIN;
        }
        height += h;
    }
    pictures.push(Picture::of(&draw_bars(groups, start..groups.len())));
    pictures
}

const GAP: u32 = 10;

/// Draws `groups[range]`, laid out (label column, axis, bar scale) for all of `groups`.
fn draw_bars(groups: &[BarGroup], range: std::ops::Range<usize>) -> Canvas {
    let char_w = Canvas::text_width("x", SCALE);
    let line_h = Canvas::text_height(SCALE);
    let longest = |it: &mut dyn Iterator<Item = usize>| it.max().unwrap_or(0) as u32;
    let label_chars = longest(&mut groups.iter().map(|g| g.label.chars().count())).min(30);
    let series_chars = longest(
        &mut groups
            .iter()
            .flat_map(|g| g.bars.iter())
            .map(|b| b.series.chars().count()),
    )
    .min(8);
    let figure_chars = longest(
        &mut groups
            .iter()
            .flat_map(|g| g.bars.iter())
            .map(|b| b.figure.chars().count()),
    )
    .min(18);
    let label_w = label_chars * char_w + MARGIN;
    let series_w = series_chars * char_w + MARGIN / 2;
    let axis_x = MARGIN + label_w + series_w;
    let room = WIDTH.saturating_sub(axis_x + figure_chars * char_w + 2 * MARGIN);
    let bar_max = room.max(160);
    let width = axis_x + bar_max + figure_chars * char_w + 2 * MARGIN;
    let row_h = line_h + 6;
    let gap = GAP;
    let shown = &groups[range];
    let height = MARGIN * 2
        + shown
            .iter()
            .map(|g| g.bars.len().max(1) as u32 * row_h + gap)
            .sum::<u32>();
    let mut c = Canvas::new(width, height);
    let mut y = MARGIN;
    for (i, g) in shown.iter().enumerate() {
        let base = g.colour.unwrap_or(Rgb::GREY);
        if i > 0 {
            c.fill(MARGIN, y - gap / 2, width - 2 * MARGIN, 1, Rgb::RULE);
        }
        c.text(MARGIN, y + 3, &fit(&g.label, 30), SCALE, Rgb::BLACK);
        for (j, b) in g.bars.iter().enumerate() {
            let top = y + j as u32 * row_h;
            c.text(
                MARGIN + label_w,
                top + 3,
                &fit(&b.series, 8),
                SCALE,
                Rgb::GREY,
            );
            let mut after = axis_x + MARGIN / 2;
            if let Some(share) = b.share {
                let len = (share.clamp(0.0, 1.0) * f64::from(bar_max)).round() as u32;
                if len > 0 {
                    let len = len.max(2);
                    c.fill(axis_x, top + 1, len, row_h - 2, Rgb::GREY);
                    c.fill(
                        axis_x + 1,
                        top + 2,
                        len.saturating_sub(2),
                        row_h - 4,
                        shade(base, j, g.bars.len()),
                    );
                    after = axis_x + len + MARGIN / 2;
                }
            }
            let ink = if b.share.is_some() {
                Rgb::BLACK
            } else {
                Rgb::GREY
            };
            c.text(after, top + 3, &fit(&b.figure, 18), SCALE, ink);
        }
        y += g.bars.len().max(1) as u32 * row_h + gap;
    }
    // The axis the bars start from.
    c.fill(axis_x - 1, MARGIN / 2, 1, height - MARGIN, Rgb::BLACK);
    c
}

/// One row of a heat map: its label, colour, and per column a share 0–1 (how dark the cell
/// is) and the figure written in it.
#[derive(Clone, Debug)]
pub struct HeatRow {
    pub label: String,
    pub colour: Option<Rgb>,
    pub cells: Vec<(f64, String)>,
}

/// How many characters of a column's name a heat map prints.
pub const COLUMN_CHARS: usize = 10;

/// The fill of a heat map cell holding `share` of the largest value, in `base` colour: white
/// for nothing, then from a light tint to the full colour.
pub fn heat_fill(base: Rgb, share: f64) -> Rgb {
    if share <= 0.0 {
        Rgb::WHITE
    } else {
        Rgb::WHITE.mix(base, 0.15 + 0.85 * share.min(1.0))
    }
}

/// Most columns one heat map picture holds; more are drawn as further pictures.
pub const MAX_COLUMNS: usize = 12;

/// A grid of rows × `columns` with each cell filled by [`heat_fill`]; split into several
/// pictures of at most [`MAX_COLUMNS`] columns and a page's height of rows, every picture
/// shaded on the same scale (the shares are the caller's). Empty without rows or columns.
pub fn heat_map(columns: &[String], rows: &[HeatRow]) -> Vec<Picture> {
    let mut out = Vec::new();
    if columns.is_empty() || rows.is_empty() {
        return out;
    }
    let row_h = Canvas::text_height(SCALE) + 12;
    let per_picture = ((MAX_HEIGHT - 2 * MARGIN) / row_h).saturating_sub(1).max(1) as usize;
    for first_column in (0..columns.len()).step_by(MAX_COLUMNS) {
        let shown = first_column..(first_column + MAX_COLUMNS).min(columns.len());
        for chunk in rows.chunks(per_picture) {
            let part: Vec<HeatRow> = chunk
                .iter()
                .map(|r| HeatRow {
                    label: r.label.clone(),
                    colour: r.colour,
                    cells: r.cells.get(shown.clone()).unwrap_or_default().to_vec(),
                })
                .collect();
            out.push(Picture::of(&draw_heat(
                &columns[shown.clone()],
                &part,
                rows,
            )));
        }
    }
    out
}

/// Draws `rows` under `columns`, the label column as wide as `all` rows need.
fn draw_heat(columns: &[String], rows: &[HeatRow], all: &[HeatRow]) -> Canvas {
    let char_w = Canvas::text_width("x", SCALE);
    let line_h = Canvas::text_height(SCALE);
    let label_chars = all
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0)
        .min(30) as u32;
    let figure_chars = rows
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| c.1.chars().count()))
        .max()
        .unwrap_or(0);
    let column_chars = columns
        .iter()
        .map(|c| c.chars().count().min(COLUMN_CHARS))
        .max()
        .unwrap_or(0)
        .max(figure_chars)
        .max(3) as u32;
    let cell_w = column_chars * char_w + MARGIN;
    let row_h = line_h + 12;
    let left = MARGIN + label_chars * char_w + MARGIN;
    let top = MARGIN + row_h;
    let width = left + cell_w * columns.len() as u32 + MARGIN;
    let height = top + row_h * rows.len() as u32 + MARGIN;
    let mut c = Canvas::new(width, height);
    for (j, name) in columns.iter().enumerate() {
        let x = left + j as u32 * cell_w;
        let name = fit(name, COLUMN_CHARS);
        let inset = (cell_w - Canvas::text_width(&name, SCALE)) / 2;
        c.text(x + inset, MARGIN + 6, &name, SCALE, Rgb::BLACK);
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as u32 * row_h;
        c.text(MARGIN, y + 6, &fit(&r.label, 30), SCALE, Rgb::BLACK);
        let base = r.colour.unwrap_or(Rgb::GREY);
        for (j, (share, figure)) in r.cells.iter().enumerate().take(columns.len()) {
            let x = left + j as u32 * cell_w;
            let fill = heat_fill(base, *share);
            c.fill(x, y, cell_w, row_h, fill);
            let inset = cell_w.saturating_sub(Canvas::text_width(figure, SCALE)) / 2;
            c.text(x + inset, y + 6, figure, SCALE, fill.text_on());
        }
    }
    // Grid lines between cells.
    for j in 0..=columns.len() as u32 {
        c.fill(
            left + j * cell_w,
            top,
            1,
            row_h * rows.len() as u32,
            Rgb::RULE,
        );
    }
    for i in 0..=rows.len() as u32 {
        c.fill(
            left,
            top + i * row_h,
            cell_w * columns.len() as u32,
            1,
            Rgb::RULE,
        );
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_waves_are_darker_in_greyscale_and_heat_grows_darker() {
        for base in [Rgb(0x1f, 0x77, 0xb4), Rgb(0xd6, 0x27, 0x28), Rgb::GREY] {
            let l: Vec<f64> = (0..4).map(|i| shade(base, i, 4).luminance()).collect();
            assert!(l.windows(2).all(|w| w[0] > w[1]), "{l:?}");
            let h: Vec<f64> = [0.0, 0.1, 0.5, 1.0]
                .iter()
                .map(|s| heat_fill(base, *s).luminance())
                .collect();
            assert!(h.windows(2).all(|w| w[0] > w[1]), "{h:?}");
        }
        assert_eq!(Rgb::parse("#1F77b4"), Some(Rgb(0x1f, 0x77, 0xb4)));
        assert_eq!(Rgb::parse("blue"), None);
    }

    fn count(c: &Canvas, colour: Rgb) -> usize {
        (0..c.height)
            .flat_map(|y| (0..c.width).map(move |x| (x, y)))
            .filter(|&(x, y)| c.at(x, y) == colour)
            .count()
    }

    #[test]
    fn a_bars_length_is_its_share_of_the_axis_and_no_share_draws_no_bar() {
        let base = Rgb(200, 0, 0);
        let bar = |series: &str, share: Option<f64>| Bar {
            series: series.into(),
            share,
            figure: "x".into(),
        };
        let groups = vec![BarGroup {
            label: "Hope".into(),
            colour: Some(base),
            bars: vec![
                bar("T1", Some(1.0)),
                bar("T2", Some(0.5)),
                bar("T3", None),
                bar("T4", Some(0.25)),
            ],
        }];
        let c = draw_bars(&groups, 0..1);
        let area = |j| count(&c, shade(base, j, 4)) as f64;
        let (whole, half, none, quarter) = (area(0), area(1), area(2), area(3));
        assert!(whole > 0.0 && none == 0.0, "{whole} {none}");
        // Each bar loses a pixel of outline at either end: within 2 % of the exact ratio.
        assert!((whole / half - 2.0).abs() < 0.04, "{whole} {half}");
        assert!((whole / quarter - 4.0).abs() < 0.08, "{whole} {quarter}");
        // A long chart is split into pictures that each fit a page, none lost.
        let many: Vec<BarGroup> = (0..40)
            .map(|i| BarGroup {
                label: format!("code {i}"),
                ..groups[0].clone()
            })
            .collect();
        let pictures = bars(&many);
        assert!(pictures.len() > 1);
        assert!(pictures.iter().all(|p| p.height <= MAX_HEIGHT));
        let drawn: u32 = pictures.iter().map(|p| p.height - 2 * MARGIN).sum();
        assert_eq!(drawn, 40 * (4 * (Canvas::text_height(SCALE) + 6) + GAP));
    }
}
