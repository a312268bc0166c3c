//! Numbers as people read them, for every front-end and report: the ground floor, used by
//! the command line, the terminal UI and the exports alike.

/// 27123 → "27,123".
pub fn thousands(n: impl Into<i64>) -> String {
    let n: i64 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(27123), "27,123");
        assert_eq!(super::thousands(-1000), "-1,000");
        assert_eq!(super::thousands(999), "999");
    }
}
