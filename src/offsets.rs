//! Character offsets and byte offsets. narrata stores and exchanges offsets in characters
//! (Unicode scalar values), as REFI-QDA does; Rust slices strings by bytes. This module
//! converts between the two without building a `Vec<char>` of a whole transcript.

/// Byte offsets of the given character offsets, which must be sorted ascending. An offset
/// past the end maps to the text's length.
pub fn char_to_byte(text: &str, sorted_chars: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(sorted_chars.len());
    let mut wanted = sorted_chars.iter().copied().peekable();
    for (count, (byte, _)) in text.char_indices().enumerate() {
        while wanted.peek() == Some(&count) {
            out.push(byte);
            wanted.next();
        }
        if wanted.peek().is_none() {
            break;
        }
    }
    out.resize(sorted_chars.len(), text.len());
    out
}

/// The substring between two character offsets (clamped to the text).
pub fn slice_chars(text: &str, start: usize, end: usize) -> &str {
    let b = char_to_byte(text, &[start, end.max(start)]);
    &text[b[0]..b[1]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_across_multibyte_characters() {
        let t = "één ☕ x";
        assert_eq!(
            char_to_byte(t, &[0, 1, 3, 4, 5, 7, 99]),
            vec![0, 2, 5, 6, 9, 11, 11]
        );
        assert_eq!(slice_chars(t, 4, 5), "☕");
        assert_eq!(slice_chars(t, 6, 99), "x");
    }
}
