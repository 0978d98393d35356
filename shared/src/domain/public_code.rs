//! The characters of numbers printed for people to type back (receipt and permit numbers, their
//! check codes): Crockford's base32, without I, L, O or U so that nothing is misread, and read back
//! forgivingly (case, and the look-alikes I, L for 1 and O for 0).

/// The 32 characters, in value order.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `chars` characters (5 bits each, at most 25) from the first 16 bytes.
fn base32(bytes: &[u8], chars: usize) -> String {
    let mut bits: u128 = 0;
    for &b in bytes.iter().take(16) {
        bits = (bits << 8) | u128::from(b);
    }
    (0..chars)
        .map(|i| ALPHABET[((bits >> (5 * i)) & 31) as usize] as char)
        .collect()
}

/// `chars` random characters (at most 12: 60 bits drawn).
pub fn random(chars: usize) -> String {
    debug_assert!(chars <= 12);
    let mut random = [0u8; 8];
    crate::crypto::fill_random(&mut random);
    base32(&random, chars)
}

/// `chars` characters of an HMAC of `value` for `purpose` under `key`: proves a printed number
/// genuine to whoever holds both, and cannot be guessed from the number.
pub fn check_code(key: &[u8], purpose: &str, value: &str, chars: usize) -> String {
    let mac = crate::crypto::derived_key(key, purpose, &[value]);
    base32(&mac[..16], chars)
}

/// Whether `typed` (case forgiven) is `expected`, in constant time.
pub fn matches(expected: &str, typed: &str) -> bool {
    crate::crypto::constant_time_eq(expected, &typed.trim().to_ascii_uppercase())
}

/// A number as people type it, upper-cased with the look-alikes I, L (1) and O (0) forgiven.
pub fn normalize(value: &str) -> String {
    value
        .trim()
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect()
}

/// Whether `value` is `len` characters of the alphabet.
pub fn is_code(value: &str, len: usize) -> bool {
    value.len() == len && value.bytes().all(|b| ALPHABET.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_of_the_alphabet_and_read_back_forgivingly() {
        let drawn = random(10);
        assert!(is_code(&drawn, 10), "{drawn}");
        assert_eq!(normalize(" oi-l7k "), "01-17K");
        assert!(!is_code("0123456U89", 10));
        let code = check_code(b"key", "purpose", "value", 8);
        assert!(is_code(&code, 8));
        assert!(matches(&code, &code.to_lowercase()));
        assert_ne!(code, check_code(b"key", "other purpose", "value", 8));
    }
}
