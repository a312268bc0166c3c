//! What counts as a word. One definition for the whole product, so that document word
//! counts, coverage in change analysis and rates per 1,000 words all agree.
//!
//! A word is a maximal run of letters and digits; an apostrophe or hyphen between two
//! letters or digits joins them ("zo'n", "ex-partner", "don't" are one word each).

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

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_words_with_joiners_and_accents() {
        assert_eq!(count(""), 0);
        assert_eq!(count("Ik ga elke dinsdag."), 4);
        assert_eq!(count("zo'n ex-partner, don’t"), 3);
        assert_eq!(count("café één - twee"), 3);
        assert_eq!(count("[00:12:31] P03: ja"), 5);
    }
}
