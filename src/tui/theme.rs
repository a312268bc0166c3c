//! Colours and emphasis. Code colours are mid-tone 256-colour entries that read on dark and
//! light backgrounds alike (a code's own `#rrggbb` colour wins); with `NO_COLOR` set, or
//! `--no-color`, nothing is coloured and emphasis is bold, underline and reverse only.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

/// Mid-tone entries of the 256-colour palette: teal, rust, olive, raspberry, slate blue,
/// orange, sea green, plum, steel blue, brown, purple, green.
const PALETTE: [u8; 12] = [30, 130, 64, 125, 61, 166, 29, 96, 25, 94, 91, 28];

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty (no-color.org).
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    pub fn plain() -> Theme {
        Theme { color: false }
    }

    /// The colour of a code: its own `#rrggbb`, else one from the palette by id.
    pub fn code(&self, id: i64, own: Option<&str>) -> Style {
        if !self.color {
            return Style::default().add_modifier(Modifier::UNDERLINED);
        }
        let c = own.and_then(parse_hex).unwrap_or(Color::Indexed(
            PALETTE[id.rem_euclid(PALETTE.len() as i64) as usize],
        ));
        Style::default().fg(c)
    }

    /// Text that is coded, in the transcript.
    pub fn coded(&self, id: i64, own: Option<&str>, several: bool) -> Style {
        let s = self.code(id, own);
        let s = if self.color {
            s
        } else {
            s.add_modifier(Modifier::UNDERLINED)
        };
        if several {
            s.add_modifier(Modifier::BOLD)
        } else {
            s
        }
    }

    pub fn selection(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn cursor(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        Style::default().add_modifier(Modifier::DIM)
    }

    pub fn title(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn highlight(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn error(&self) -> Style {
        if self.color {
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }

    pub fn good(&self) -> Style {
        if self.color {
            Style::default().fg(Color::Green)
        } else {
            Style::default()
        }
    }

    /// A pseudonym in a transcript (`[PERSOON-3]`): marked so that a reader sees at once which
    /// words stand in for an identifier, in colour or not.
    pub fn pseudonym(&self) -> Style {
        if self.color {
            Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::ITALIC)
        } else {
            Style::default().add_modifier(Modifier::ITALIC)
        }
    }

    /// A heat-map cell of intensity `level` (0 to 1): a grey from dark to light (readable on
    /// any background, and in greyscale); without colour, bold from the upper half on (the
    /// number in the cell carries the value either way).
    pub fn heat(&self, level: f64) -> Style {
        let level = level.clamp(0.0, 1.0);
        if !self.color {
            return if level >= 0.5 {
                Style::default().add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
        }
        if level <= 0.0 {
            return Style::default();
        }
        // The 256-colour grey ramp, 236 (dark) to 253 (light); the text turns dark past the middle.
        let grey = 236 + (level * 17.0).round() as u8;
        let fg = if grey >= 246 {
            Color::Black
        } else {
            Color::White
        };
        Style::default().bg(Color::Indexed(grey)).fg(fg)
    }

    /// The colour of a chart's bars for a code (its own colour, else one from the palette).
    pub fn bars(&self, id: i64, own: Option<&str>) -> Style {
        if !self.color {
            return Style::default();
        }
        self.code(id, own)
    }

    /// A search match in a snippet.
    pub fn matched(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
}

fn parse_hex(s: &str) -> Option<Color> {
    let h = s.strip_prefix('#')?;
    if h.len() != 6 {
        return None;
    }
    let v = u32::from_str_radix(h, 16).ok()?;
    Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8))
}
