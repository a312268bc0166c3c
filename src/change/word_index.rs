//! Counting the words of any span of a text without reading the text again.

/// The words of a text as character spans, sorted, to count the words of any span by binary
/// search instead of reading the text again. A word cut by the span's edge counts, as
/// [`crate::words::count`] would count its visible part.
pub struct WordIndex {
    spans: Vec<(u32, u32)>,
    /// Positions of apostrophes and hyphens inside words: a span holding only one of them
    /// holds no word.
    joiners: Vec<u32>,
}

impl WordIndex {
    pub fn new(text: &str) -> WordIndex {
        // About one word per six bytes of text: one allocation for most transcripts.
        let mut spans = Vec::with_capacity(text.len() / 5);
        let mut joiners = Vec::new();
        let mut start: Option<u32> = None;
        let mut chars = text.chars().peekable();
        let mut i: u32 = 0;
        // Letters and digits, answered without the Unicode tables for ASCII (profiled: this
        // loop was the change table's largest cost).
        let word_char = |c: char| {
            if c.is_ascii() {
                c.is_ascii_alphanumeric()
            } else {
                c.is_alphanumeric()
            }
        };
        while let Some(c) = chars.next() {
            let inside = if word_char(c) {
                true
            } else {
                let joiner = start.is_some()
                    && matches!(c, '\'' | '’' | '-' | '‐')
                    && chars.peek().is_some_and(|&d| word_char(d));
                if joiner {
                    joiners.push(i);
                }
                joiner
            };
            match (inside, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    spans.push((s, i));
                    start = None;
                }
                _ => {}
            }
            i += 1;
        }
        if let Some(s) = start {
            spans.push((s, i));
        }
        WordIndex { spans, joiners }
    }

    /// Words with at least one character in `[a, b)`.
    pub fn count(&self, a: usize, b: usize) -> usize {
        let (a, b) = (a as u32, b as u32);
        let first = self.spans.partition_point(|&(_, e)| e <= a);
        let last = self.spans.partition_point(|&(s, _)| s < b);
        let mut n = last.saturating_sub(first);
        // A word whose only character inside the span is a joiner does not count.
        let only_joiner = |i: usize| {
            let (s, e) = self.spans[i];
            let (x, y) = (s.max(a), e.min(b));
            y == x + 1 && self.joiners.binary_search(&x).is_ok()
        };
        if n > 0 && only_joiner(first) {
            n -= 1;
        }
        if last > first + 1 && only_joiner(last - 1) {
            n -= 1;
        }
        n
    }
}

#[cfg(test)]
mod word_index_tests {
    use super::WordIndex;

    #[test]
    fn counts_like_words_count_on_the_same_spans() {
        let text = "Ik ga elke dinsdag, zo'n ex-partner; één café — 12 jaar.";
        let index = WordIndex::new(text);
        let n = text.chars().count();
        for a in 0..n {
            for b in a + 1..=n {
                let slice = crate::offsets::slice_chars(text, a, b);
                assert_eq!(
                    index.count(a, b),
                    crate::words::count(slice),
                    "[{a}, {b}) {slice:?}"
                );
            }
        }
    }
}
