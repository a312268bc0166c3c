//! The views, one folder each: `mod.rs` holds the view's state (a snapshot of the data it
//! shows, loaded in the event loop so that drawing never touches the database), `keys.rs` what
//! its actions do, `draw.rs` how it is drawn. Changing what a view shows or does means changing
//! its folder; a new view also needs its `View` variant, state field and key scopes in `app`,
//! its keys in `keymap`, and its draw arm and footer hints in `render`. The review view's
//! corrections (which need the key) are methods of its state in `review/mod.rs`.

pub mod agreement;
pub mod analysis;
pub mod codebook;
pub mod documents;
pub mod memos;
pub mod review;
pub mod search;
pub mod segments;
pub mod transcript;
pub mod waves;

use super::keymap::Action;

/// The selected line of a list and the first one shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListCursor {
    pub selected: usize,
    pub offset: usize,
}

impl ListCursor {
    /// Moves for a list action; returns whether the action was a movement.
    pub fn apply(&mut self, action: Action, len: usize, height: usize) -> bool {
        let page = height.max(1);
        let last = len.saturating_sub(1);
        self.selected = match action {
            Action::Up => self.selected.saturating_sub(1),
            Action::Down => (self.selected + 1).min(last),
            Action::PageUp => self.selected.saturating_sub(page),
            Action::PageDown => (self.selected + page).min(last),
            Action::Top => 0,
            Action::Bottom => last,
            _ => return false,
        };
        self.clamp(len, height);
        true
    }

    /// Keeps the selection inside the list and on screen.
    pub fn clamp(&mut self, len: usize, height: usize) {
        let height = height.max(1);
        self.selected = self.selected.min(len.saturating_sub(1));
        if self.selected < self.offset {
            self.offset = self.selected;
        }
        if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(1));
    }
}

/// Whether `needle` (lower-case words) all occur in `hay`, ignoring case.
pub fn matches_filter(filter: &str, hay: &str) -> bool {
    let hay = hay.to_lowercase();
    filter
        .to_lowercase()
        .split_whitespace()
        .all(|w| hay.contains(w))
}
