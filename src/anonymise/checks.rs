//! Checksums that tell a real identifier number from any other run of digits.

/// The Dutch citizen service number (BSN) "11-proof": nine digits d1…d9 with
/// 9·d1 + 8·d2 + … + 2·d8 − d9 divisible by 11 (and not all zeros).
pub fn is_bsn(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 9
        || digits.chars().filter(|c| c.is_ascii_digit()).count() != 9
        || d.iter().all(|&x| x == 0)
    {
        return false;
    }
    let sum: i64 = (0..8).map(|i| (9 - i as i64) * d[i] as i64).sum::<i64>() - d[8] as i64;
    sum % 11 == 0
}

/// An IBAN with a valid ISO 13616 mod-97 check (spaces allowed, any case).
pub fn is_iban(s: &str) -> bool {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if compact.len() < 15
        || compact.len() > 34
        || !compact.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    if !head[..2].chars().all(|c| c.is_ascii_alphabetic())
        || !head[2..].chars().all(|c| c.is_ascii_digit())
    {
        return false;
    }
    let mut remainder: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let value = c.to_digit(36).unwrap_or(0);
        let digits = if value >= 10 { 100 } else { 10 };
        remainder = (remainder * digits + value) % 97;
    }
    remainder == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bsn_eleven_proof() {
        assert!(is_bsn("111222333"));
        assert!(is_bsn("123456782"));
        assert!(!is_bsn("123456789"));
        assert!(!is_bsn("000000000"));
        assert!(!is_bsn("12345678"));
    }

    #[test]
    fn iban_mod_97() {
        assert!(is_iban("NL91ABNA0417164300"));
        assert!(is_iban("nl91 abna 0417 1643 00"));
        assert!(is_iban("GB82WEST12345698765432"));
        assert!(!is_iban("NL91ABNA0417164301"));
        assert!(!is_iban("NL91"));
    }
}
