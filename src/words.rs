//! What counts as a word. One definition for the whole product, so that document word
//! counts, coverage in change analysis and rates per 1,000 words all agree.
//!
//! A word is a maximal run of letters and digits; an apostrophe or hyphen between two
//! letters or digits joins them ("zo'n", "ex-partner", "don't" are one word each).
//!
//! [`Index`] holds where a text's words are, to count the words of any span without reading
//! the text again; the store keeps one per document ([`Index::to_bytes`]), so that analyses
//! never tokenise the corpus.

/// Counts the words in `text`.
pub fn count(text: &str) -> usize {
    let mut n = 0;
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            if !in_word {
                n += 1;
                in_word = true;
            }
        } else if in_word && is_joiner(c) && chars.peek().is_some_and(|d| d.is_alphanumeric()) {
            // stays inside the word
        } else {
            in_word = false;
        }
    }
    n
}

/// Whether `c` joins two letters or digits into one word (an apostrophe or a hyphen).
pub fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '‐')
}

/// Characters per bucket of [`Index`]'s lookup table: a lookup reads at most one bucket's
/// words (a word of ordinary speech is about six characters).
const BUCKET: u32 = 64;

/// The words of a text as character spans, sorted, to count the words of any span without
/// reading the text again. A word cut by the span's edge counts, as [`count`] would count its
/// visible part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    spans: Vec<(u32, u32)>,
    /// Positions of apostrophes and hyphens inside words: a span holding only one of them
    /// holds no word.
    joiners: Vec<u32>,
    /// For each [`BUCKET`] characters: how many words end at or before the bucket's first
    /// character, so that a lookup searches one bucket instead of the whole text.
    buckets: Vec<u32>,
}

impl Index {
    /// Reads `text` once.
    pub fn new(text: &str) -> Index {
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
                let joiner =
                    start.is_some() && is_joiner(c) && chars.peek().is_some_and(|&d| word_char(d));
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
        Index::from_parts(spans, joiners)
    }

    fn from_parts(spans: Vec<(u32, u32)>, joiners: Vec<u32>) -> Index {
        let last = spans.last().map_or(0, |&(_, e)| e);
        let mut buckets = Vec::with_capacity((last / BUCKET) as usize + 2);
        let mut ended = 0usize;
        let mut at = 0u32;
        loop {
            while ended < spans.len() && spans[ended].1 <= at {
                ended += 1;
            }
            buckets.push(ended as u32);
            if at > last {
                break;
            }
            at += BUCKET;
        }
        Index {
            spans,
            joiners,
            buckets,
        }
    }

    /// How many words there are.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the text has no words.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// How many words end at or before character `x`.
    fn ended_by(&self, x: u32) -> usize {
        let k = (x / BUCKET) as usize;
        let Some(&lo) = self.buckets.get(k) else {
            return self.spans.len();
        };
        let hi = self
            .buckets
            .get(k + 1)
            .map_or(self.spans.len(), |&h| h as usize);
        let lo = lo as usize;
        lo + self.spans[lo..hi].partition_point(|&(_, e)| e <= x)
    }

    /// Words with at least one character in `[a, b)`.
    pub fn count(&self, a: usize, b: usize) -> usize {
        self.words_in(a, b).len()
    }

    /// Which words [`Index::count`] counts in `[a, b)`, as ordinals (the first word of the
    /// text is 0): a contiguous run, empty for an empty span (at the words ended by `a`). The
    /// words of several spans are the union of their runs, so that a word two spans share
    /// counts once.
    pub fn words_in(&self, a: usize, b: usize) -> std::ops::Range<usize> {
        let (a, b) = (a as u32, b as u32);
        let mut first = self.ended_by(a);
        // An empty span holds no word, at its place (runs stay in the order of their spans).
        if b <= a {
            return first..first;
        }
        // Words start before `b`: those that end by `b`, and the one `b` falls inside.
        let ended = self.ended_by(b);
        let mut last = ended + usize::from(self.spans.get(ended).is_some_and(|&(s, _)| s < b));
        // A word whose only character inside the span is a joiner does not count.
        let only_joiner = |i: usize| {
            let (s, e) = self.spans[i];
            let (x, y) = (s.max(a), e.min(b));
            y == x + 1 && self.joiners.binary_search(&x).is_ok()
        };
        let at_last = last > first + 1 && only_joiner(last - 1);
        if last > first && only_joiner(first) {
            first += 1;
        }
        if at_last {
            last -= 1;
        }
        first..last.max(first)
    }

    /// The index as bytes to store: a version byte, then unsigned LEB128 numbers: the number of
    /// words, each word's distance from the previous word's end and its length, the number of
    /// joiners and each joiner's distance from the previous one. About two bytes a word.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.spans.len() * 2 + 8);
        out.push(FORMAT);
        put_number(&mut out, self.spans.len() as u32);
        let mut at = 0;
        for &(s, e) in &self.spans {
            put_number(&mut out, s - at);
            put_number(&mut out, e - s);
            at = e;
        }
        put_number(&mut out, self.joiners.len() as u32);
        let mut at = 0;
        for &j in &self.joiners {
            put_number(&mut out, j - at);
            at = j;
        }
        out
    }

    /// An index written by [`Index::to_bytes`], or `None` if the bytes are not one (another
    /// format, cut short, out of order).
    pub fn from_bytes(bytes: &[u8]) -> Option<Index> {
        let (&format, mut rest) = bytes.split_first()?;
        if format != FORMAT {
            return None;
        }
        let n = take_number(&mut rest)? as usize;
        // Each word takes at least two bytes: a count larger than that is not ours.
        if n > rest.len() / 2 {
            return None;
        }
        let mut spans = Vec::with_capacity(n);
        let mut at: u32 = 0;
        for _ in 0..n {
            let s = at.checked_add(take_number(&mut rest)?)?;
            let e = s.checked_add(take_number(&mut rest)?)?;
            if e <= s || (s == at && at > 0) {
                return None;
            }
            spans.push((s, e));
            at = e;
        }
        let m = take_number(&mut rest)? as usize;
        if m > rest.len() {
            return None;
        }
        let mut joiners = Vec::with_capacity(m);
        let mut at: u32 = 0;
        for i in 0..m {
            let step = take_number(&mut rest)?;
            if i > 0 && step == 0 {
                return None;
            }
            at = at.checked_add(step)?;
            joiners.push(at);
        }
        rest.is_empty().then(|| Index::from_parts(spans, joiners))
    }
}

/// The version of [`Index::to_bytes`]'s layout.
const FORMAT: u8 = 1;

/// Appends `n` as an unsigned LEB128 number (one byte below 128), as the stored word index
/// and other derived rows write numbers.
pub(crate) fn put_number(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads a number written by [`put_number`] off the front of `bytes`, or `None` if they end
/// first or it does not fit in 32 bits.
#[inline]
pub(crate) fn take_number(bytes: &mut &[u8]) -> Option<u32> {
    // Most numbers (word lengths and gaps) take one byte, nearly all others two.
    let all: &[u8] = bytes;
    match all {
        [b, rest @ ..] if *b < 0x80 => {
            *bytes = rest;
            Some(u32::from(*b))
        }
        [b, c, rest @ ..] if *c < 0x80 => {
            *bytes = rest;
            Some(u32::from(*b & 0x7f) | (u32::from(*c) << 7))
        }
        _ => take_long_number(bytes),
    }
}

#[cold]
fn take_long_number(bytes: &mut &[u8]) -> Option<u32> {
    let mut n: u32 = 0;
    for shift in (0..35).step_by(7) {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        n |= u32::from(b & 0x7f).checked_shl(shift)?;
        if b < 0x80 {
            return Some(n);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{Index, count};

    #[test]
    fn counts_words_with_joiners_and_accents() {
        assert_eq!(count(""), 0);
        assert_eq!(count("Ik ga elke dinsdag."), 4);
        assert_eq!(count("zo'n ex-partner, don’t"), 3);
        assert_eq!(count("café één - twee"), 3);
        assert_eq!(count("[00:12:31] P03: ja"), 5);
    }

    #[test]
    fn the_index_counts_like_count_on_every_span() {
        let text = "Ik ga elke dinsdag, zo'n ex-partner; één café — 12 jaar. -x- a'";
        let index = Index::new(text);
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        for a in 0..n + 3 {
            for b in a..=n + 3 {
                let slice = crate::offsets::slice_chars(text, a.min(n), b.min(n));
                assert_eq!(
                    index.count(a, b),
                    if b > a { count(slice) } else { 0 },
                    "[{a}, {b}) {slice:?}"
                );
                // The run is the words with a letter or digit inside the span.
                let touched: Vec<usize> = (0..index.len())
                    .filter(|&w| {
                        let (s, e) = index.spans[w];
                        (s.max(a as u32)..e.min(b as u32))
                            .any(|x| chars[x as usize].is_alphanumeric())
                    })
                    .collect();
                let run: Vec<usize> = index.words_in(a, b).collect();
                assert_eq!(run, touched, "[{a}, {b}) {slice:?}");
            }
        }
    }

    #[test]
    fn the_index_counts_across_many_buckets() {
        // Long words, short words and long gaps, so that lookups cross bucket edges.
        let mut text = String::new();
        for i in 0..120 {
            text.push_str(&"woord".repeat(1 + i % 30));
            text.push_str(&" ".repeat(1 + (i * 7) % 90));
            text.push_str("zo'n ");
        }
        let index = Index::new(&text);
        let chars: Vec<char> = text.chars().collect();
        for a in (0..chars.len()).step_by(37) {
            for b in (a..chars.len()).step_by(211) {
                let slice: String = chars[a..b].iter().collect();
                assert_eq!(index.count(a, b), count(&slice), "[{a}, {b})");
            }
        }
    }

    #[test]
    fn the_index_survives_its_bytes_and_refuses_damaged_ones() {
        let text = "Eerste woorden, één café — ex-partner; zo'n 12 jaar.\n\nP03: ja";
        let index = Index::new(text);
        let bytes = index.to_bytes();
        assert_eq!(Index::from_bytes(&bytes), Some(index.clone()));
        assert_eq!(
            Index::from_bytes(&Index::new("").to_bytes()),
            Some(Index::new(""))
        );
        for cut in 0..bytes.len() {
            assert_eq!(Index::from_bytes(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Index::from_bytes(&longer), None);
        let mut other = bytes;
        other[0] = 2;
        assert_eq!(Index::from_bytes(&other), None);
    }
}
