//! Character offsets and byte offsets. narrata stores and exchanges offsets in characters
//! (Unicode scalar values), as REFI-QDA does; Rust slices strings by bytes. This module
//! converts between the two without building a `Vec<char>` of a whole transcript.

/// Byte offsets of the given character offsets, which must be sorted ascending. An offset
/// past the end maps to the text's length. A stretch of ASCII is crossed in one step (most of
/// a transcript is ASCII; decoding it character by character was a measurable share of
/// listing codings and of indexing).
pub fn char_to_byte(text: &str, sorted_chars: &[usize]) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(sorted_chars.len());
    let (mut b, mut c) = (0usize, 0usize);
    for &want in sorted_chars {
        while c < want && b < bytes.len() {
            let step = (want - c).min(bytes.len() - b);
            let ascii = bytes[b..b + step]
                .iter()
                .position(|x| !x.is_ascii())
                .unwrap_or(step);
            b += ascii;
            c += ascii;
            if c < want && b < bytes.len() {
                // One character that is not ASCII.
                b += text[b..].chars().next().map_or(1, char::len_utf8);
                c += 1;
            }
        }
        out.push(b.min(bytes.len()));
    }
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

    #[test]
    fn agrees_with_decoding_every_character_on_mixed_text() {
        let pieces = ["a", "é", " ", "☕", "\n", "ë", "zz", "𝄞"];
        let mut seed = 7u64;
        for _ in 0..200 {
            let mut t = String::new();
            for _ in 0..40 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                t.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let chars = t.chars().count();
            let wanted: Vec<usize> = (0..=chars + 2).step_by(1 + (seed as usize % 4)).collect();
            let naive: Vec<usize> = wanted
                .iter()
                .map(|&w| t.char_indices().nth(w).map_or(t.len(), |(b, _)| b))
                .collect();
            assert_eq!(char_to_byte(&t, &wanted), naive, "{t:?}");
        }
    }
}
