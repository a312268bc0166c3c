//! XML text both ways, for every XML reader and writer narrata has (Word, REFI-QDA, codebook
//! exchange): characters XML 1.0 cannot hold, and the entities a reader expands.

/// Text that XML 1.0 can hold: characters it forbids (most control characters) become U+FFFD.
pub fn safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// The five XML entities and numeric character references; nothing else is expanded.
/// Shared by every XML reader narrata has.
pub fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}
