//! A picture in memory: filled rectangles and text in the chart font, nothing else.

use super::font;

/// An RGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const WHITE: Rgb = Rgb(255, 255, 255);
    pub const BLACK: Rgb = Rgb(0, 0, 0);
    pub const GREY: Rgb = Rgb(89, 89, 89);
    pub const RULE: Rgb = Rgb(191, 191, 191);

    /// `#RRGGBB` or `RRGGBB`; anything else is `None`.
    pub fn parse(s: &str) -> Option<Rgb> {
        let hex = s.trim().trim_start_matches('#');
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let part = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb(part(0)?, part(2)?, part(4)?))
    }

    /// This colour moved towards `other` by `t` (0: itself, 1: `other`).
    pub fn mix(self, other: Rgb, t: f64) -> Rgb {
        let t = t.clamp(0.0, 1.0);
        let m = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }

    /// Relative luminance 0–1 (sRGB weights, without gamma: enough to choose a text colour
    /// and to check greyscale order).
    pub fn luminance(self) -> f64 {
        (0.2126 * f64::from(self.0) + 0.7152 * f64::from(self.1) + 0.0722 * f64::from(self.2))
            / 255.0
    }

    /// Black or white, whichever reads on this colour.
    pub fn text_on(self) -> Rgb {
        if self.luminance() > 0.5 {
            Rgb::BLACK
        } else {
            Rgb::WHITE
        }
    }
}

/// A white picture of `width × height` pixels.
pub struct Canvas {
    pub width: u32,
    pub height: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![255; (width * height * 3) as usize],
        }
    }

    /// Fills the rectangle at (`x`, `y`) of `w × h`, clipped to the picture.
    pub fn fill(&mut self, x: u32, y: u32, w: u32, h: u32, colour: Rgb) {
        let x_end = (x + w).min(self.width);
        let y_end = (y + h).min(self.height);
        for row in y.min(y_end)..y_end {
            for col in x.min(x_end)..x_end {
                let i = ((row * self.width + col) * 3) as usize;
                self.pixels[i..i + 3].copy_from_slice(&[colour.0, colour.1, colour.2]);
            }
        }
    }

    /// The colour at (`x`, `y`).
    pub fn at(&self, x: u32, y: u32) -> Rgb {
        let i = ((y * self.width + x) * 3) as usize;
        Rgb(self.pixels[i], self.pixels[i + 1], self.pixels[i + 2])
    }

    /// Width in pixels of `s` in the chart font at `scale`.
    pub fn text_width(s: &str, scale: u32) -> u32 {
        s.chars().count() as u32 * (font::WIDTH + 1) * scale
    }

    /// Height in pixels of a line of text at `scale`, descenders included.
    pub fn text_height(scale: u32) -> u32 {
        font::LINE * scale
    }

    /// Draws `s` with its top left corner at (`x`, `y`).
    pub fn text(&mut self, x: u32, y: u32, s: &str, scale: u32, colour: Rgb) {
        let mut left = x;
        for c in s.chars() {
            let top = y + font::descent(c) * scale;
            for (r, bits) in font::glyph(c).iter().enumerate() {
                for col in 0..font::WIDTH {
                    if bits & (1 << (font::WIDTH - 1 - col)) != 0 {
                        self.fill(
                            left + col * scale,
                            top + r as u32 * scale,
                            scale,
                            scale,
                            colour,
                        );
                    }
                }
            }
            left += (font::WIDTH + 1) * scale;
        }
    }

    /// The picture as PNG at `dpi`.
    pub fn png(&self, dpi: u32) -> Vec<u8> {
        super::png::encode(self.width, self.height, &self.pixels, dpi)
    }
}

/// `s` cut to at most `chars` characters, ending in "..." when cut. A code path too long
/// keeps its last part, the code's own name: ".../Zinvolle rollen" tells two sub-codes of one
/// parent apart where "Betekenis en zingeving/Zinv..." would not.
pub fn fit(s: &str, chars: usize) -> String {
    if s.chars().count() <= chars {
        return s.to_owned();
    }
    if let Some((_, leaf)) = s.rsplit_once('/')
        && chars > 8
    {
        return format!(".../{}", fit(leaf, chars - 4));
    }
    let kept: String = s.chars().take(chars.saturating_sub(3)).collect();
    format!("{kept}...")
}
