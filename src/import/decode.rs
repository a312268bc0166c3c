//! Bytes to clean text: UTF-8 (with or without a byte-order mark) and UTF-16 with a
//! byte-order mark; line endings normalised to `\n`; control characters other than newline
//! and tab replaced by visible stand-ins (the Unicode control pictures) and counted.
//!
//! Escape sequences in a transcript must never reach a terminal raw, and a stray control byte
//! must never silently vanish from the record, so they become visible characters instead.

/// Text decoded from a file, with how many control characters were made visible.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    pub controls_replaced: usize,
}

/// Decodes a transcript file's bytes. The error is a sentence about the file's content.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let text = raw(bytes)?;
    let decoded = clean(&text);
    if decoded.text.trim().is_empty() {
        return Err("the file is empty: it holds no text to import".into());
    }
    Ok(decoded)
}

/// The text of a file's bytes exactly (UTF-8, or UTF-16 by its byte-order mark; the mark
/// itself dropped), line endings and control characters as they are: for readers that must
/// count positions in the original before anything changes.
pub fn raw(bytes: &[u8]) -> Result<String, String> {
    Ok(
        if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
            utf8(rest)?
        } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
            utf16(rest, u16::from_le_bytes)?
        } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
            utf16(rest, u16::from_be_bytes)?
        } else {
            if looks_binary(bytes) {
                return Err(
                "this looks like a binary file, not a transcript (it contains NUL bytes); narrata reads text (UTF-8, or UTF-16 with a byte-order mark), .docx, .vtt and .srt"
                    .into(),
            );
            }
            utf8(bytes)?
        },
    )
}

/// Control characters other than `\n` and `\t` replaced one for one by visible stand-ins
/// (positions do not move), with how many.
pub fn visible_controls(text: &str) -> (String, usize) {
    let mut replaced = 0;
    let out = text
        .chars()
        .map(|c| {
            if c != '\n' && c != '\t' && is_control(c) {
                replaced += 1;
                stand_in(c)
            } else {
                c
            }
        })
        .collect();
    (out, replaced)
}

/// A file with NUL bytes in its first 8 KiB is not text in any encoding we accept without a
/// byte-order mark (UTF-16 without one is indistinguishable from binary, so it is refused).
fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|&b| b == 0)
}

fn utf8(bytes: &[u8]) -> Result<String, String> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => {
            let at = e.valid_up_to();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(format!(
                "the file is not valid UTF-8 text (the first invalid byte is at byte {at}, line {line}); save it as UTF-8, or UTF-16 with a byte-order mark, and import it again"
            ))
        }
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err(
            "the file starts with a UTF-16 byte-order mark but has an odd number of bytes: it is truncated or not UTF-16"
                .into(),
        );
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units)
        .enumerate()
        .map(|(i, r)| {
            r.map_err(|_| {
                format!(
                    "the file is not valid UTF-16 (an unpaired surrogate at code unit {i}); save it as UTF-8 and import it again"
                )
            })
        })
        .collect()
}

/// Normalises line endings (CRLF and lone CR become LF) and replaces every control
/// character except `\n` and `\t` by a visible stand-in, returning how many it replaced.
/// A byte-order mark left inside the text is removed. Runs of ordinary characters are copied
/// whole: only a byte that may begin a character to change is looked at (every file is
/// cleaned when it is read; character by character this was 3 % of an import's work).
pub fn clean(text: &str) -> Decoded {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut replaced = 0;
    // `text[copied..at]` is ordinary, still to be copied.
    let (mut copied, mut at) = (0, 0);
    while at < bytes.len() {
        // C0 controls and DEL are single bytes; C1 controls begin with 0xC2, the byte-order
        // mark with 0xEF (and so do ordinary characters, looked at and left).
        let b = bytes[at];
        if !(matches!(b, 0..=0x1F | 0x7F | 0xC2 | 0xEF) && b != b'\n' && b != b'\t') {
            at += 1;
            continue;
        }
        let c = text[at..].chars().next().expect("a character begins here");
        let stand_in = match c {
            '\r' => Some('\n'),
            '\u{FEFF}' => None,
            c if is_control(c) => {
                replaced += 1;
                Some(stand_in(c))
            }
            _ => {
                at += c.len_utf8();
                continue;
            }
        };
        out.push_str(&text[copied..at]);
        out.extend(stand_in);
        at += c.len_utf8();
        if c == '\r' && bytes.get(at) == Some(&b'\n') {
            at += 1;
        }
        copied = at;
    }
    out.push_str(&text[copied..]);
    Decoded {
        text: out,
        controls_replaced: replaced,
    }
}

/// C0 controls, DEL and C1 controls.
fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}')
}

/// The visible stand-in for a control character: its Unicode control picture for C0 and DEL
/// (`␛` for escape), and the replacement character for C1 controls, which have no picture.
fn stand_in(c: char) -> char {
    let n = c as u32;
    match n {
        0..=0x1F => char::from_u32(0x2400 + n).unwrap_or('\u{FFFD}'),
        0x7F => '\u{2421}',
        _ => '\u{FFFD}',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom_decode_the_same() {
        let plain = decode("I: Hoe gaat het?\n".as_bytes()).unwrap();
        let bom = decode(b"\xEF\xBB\xBFI: Hoe gaat het?\n").unwrap();
        assert_eq!(plain, bom);
        assert_eq!(plain.text, "I: Hoe gaat het?\n");
    }

    #[test]
    fn utf16_little_and_big_endian_with_bom_decode() {
        let text = "P03: één café\r\nI: ja\n";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in text.encode_utf16() {
            le.extend(u.to_le_bytes());
            be.extend(u.to_be_bytes());
        }
        assert_eq!(decode(&le).unwrap().text, "P03: één café\nI: ja\n");
        assert_eq!(decode(&be).unwrap().text, "P03: één café\nI: ja\n");
    }

    #[test]
    fn truncated_utf16_is_refused() {
        let err = decode(&[0xFF, 0xFE, 0x41, 0x00, 0x42]).unwrap_err();
        assert!(err.contains("odd number of bytes"), "{err}");
    }

    #[test]
    fn crlf_and_lone_cr_become_lf() {
        assert_eq!(clean("a\r\nb\rc\n").text, "a\nb\nc\n");
    }

    /// The cleaning a character at a time, as it was written first: the byte-wise one must
    /// give the same text and count.
    fn clean_by_characters(text: &str) -> Decoded {
        let mut out = String::new();
        let mut replaced = 0;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    out.push('\n');
                }
                '\n' | '\t' => out.push(c),
                '\u{FEFF}' => {}
                c if is_control(c) => {
                    out.push(stand_in(c));
                    replaced += 1;
                }
                c => out.push(c),
            }
        }
        Decoded {
            text: out,
            controls_replaced: replaced,
        }
    }

    #[test]
    fn cleaning_copies_ordinary_runs_and_changes_only_what_it_must() {
        // Every kind of character that may begin with a byte the cleaning looks at, beside
        // ordinary ones of one to four bytes, at the start, the end and side by side.
        let pieces = [
            "a", "\r", "\n", "\r\n", "\t", "\u{0}", "\u{1b}", "\u{7f}", "\u{80}", "\u{85}",
            "\u{9f}", "\u{a0}", "é", "\u{bf}", "\u{feff}", "\u{ff01}", "\u{fffd}", "’", "😀",
            "P01: ja",
        ];
        let mut texts = vec![String::new()];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    texts.push(format!("{a}{b}{c}"));
                }
            }
        }
        for text in texts {
            assert_eq!(clean(&text), clean_by_characters(&text), "{text:?}");
        }
    }

    #[test]
    fn control_characters_become_visible_and_are_counted() {
        let d = clean("I: \u{1b}[31mrood\u{1b}[0m\u{7}\tok\u{85}\n");
        assert_eq!(
            d.text,
            "I: \u{241b}[31mrood\u{241b}[0m\u{2407}\tok\u{FFFD}\n"
        );
        assert_eq!(d.controls_replaced, 4);
    }

    #[test]
    fn invalid_utf8_names_the_byte_and_line() {
        let err = decode(b"I: goed\nP01: caf\xE9\n").unwrap_err();
        assert!(err.contains("not valid UTF-8"), "{err}");
        assert!(err.contains("byte 16"), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn binary_and_empty_files_are_refused() {
        assert!(
            decode(b"PK\x03\x04\x00\x00binary")
                .unwrap_err()
                .contains("binary")
        );
        assert!(decode(b"").unwrap_err().contains("empty"));
        assert!(decode(b" \n\r\n\t ").unwrap_err().contains("empty"));
        assert!(decode(b"\xEF\xBB\xBF").unwrap_err().contains("empty"));
    }
}
