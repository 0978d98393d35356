//! Small cryptographic helpers over well-kept crates: randomness, keyed hashes, encodings.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Fills `buf` from the operating system's CSPRNG.
pub fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random source is available");
}

/// A random identifier of `bytes` bytes, base64url without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    fill_random(&mut buf);
    base64url(&buf)
}

pub fn base64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// HMAC-SHA256 over `parts` joined unambiguously (length-prefixed), hex-encoded. `domain` separates
/// uses of the one key (SMS codes, lookup keys, …).
pub fn keyed_hash(key: &[u8], domain: &str, parts: &[&str]) -> String {
    hex(&derived_key(key, domain, parts))
}

/// A 256-bit key derived from `key` for one use (`domain`) and one set of `parts`: the HMAC of
/// [`keyed_hash`], as bytes.
pub fn derived_key(key: &[u8], domain: &str, parts: &[&str]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in std::iter::once(domain).chain(parts.iter().copied()) {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    mac.finalize().into_bytes().into()
}

/// Encrypts and authenticates `plain` under `key` (ChaCha20-Poly1305, a random 96-bit nonce in
/// front of the ciphertext).
pub fn seal(key: &[u8; 32], plain: &[u8]) -> Vec<u8> {
    use chacha20poly1305::aead::{Aead, KeyInit};
    let cipher = chacha20poly1305::ChaCha20Poly1305::new(key.into());
    let mut nonce = [0u8; 12];
    fill_random(&mut nonce);
    let mut sealed = nonce.to_vec();
    sealed.extend(
        cipher
            .encrypt(&nonce.into(), plain)
            .expect("encryption of an in-memory buffer cannot fail"),
    );
    sealed
}

/// What [`seal`] sealed under `key`; `None` for another key or altered bytes.
pub fn open(key: &[u8; 32], sealed: &[u8]) -> Option<Vec<u8>> {
    use chacha20poly1305::aead::{Aead, KeyInit};
    if sealed.len() < 12 {
        return None;
    }
    let (nonce, ciphertext) = sealed.split_at(12);
    let cipher = chacha20poly1305::ChaCha20Poly1305::new(key.into());
    cipher
        .decrypt(chacha20poly1305::Nonce::from_slice(nonce), ciphertext)
        .ok()
}

/// A uniformly random `u32` from the OS CSPRNG.
pub fn random_u32() -> u32 {
    let mut bytes = [0u8; 4];
    fill_random(&mut bytes);
    u32::from_le_bytes(bytes)
}

/// Equality that takes the same time wherever the inputs differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// `bytes` in lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of a hex string (either case); `None` when it is not an even run of hex digits.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bytes_open_only_with_their_key_and_unaltered() {
        let key = derived_key(b"k", "seal", &["a"]);
        let sealed = seal(&key, b"the answer");
        assert_eq!(open(&key, &sealed).as_deref(), Some(&b"the answer"[..]));
        assert_ne!(seal(&key, b"the answer"), sealed, "a fresh nonce each time");
        assert_eq!(open(&derived_key(b"k", "seal", &["b"]), &sealed), None);
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert_eq!(open(&key, &altered), None);
        assert_eq!(open(&key, b"short"), None);
    }

    #[test]
    fn keyed_hash_separates_domains_and_parts() {
        let key = b"k";
        assert_ne!(keyed_hash(key, "a", &["bc"]), keyed_hash(key, "ab", &["c"]));
        assert_ne!(
            keyed_hash(key, "x", &["a", "bc"]),
            keyed_hash(key, "x", &["ab", "c"])
        );
        assert_eq!(keyed_hash(key, "x", &["1"]), keyed_hash(key, "x", &["1"]));
        assert_ne!(
            keyed_hash(b"k1", "x", &["1"]),
            keyed_hash(b"k2", "x", &["1"])
        );
        assert_eq!(keyed_hash(key, "x", &[]).len(), 64);
    }

    #[test]
    fn tokens_are_random_and_url_safe() {
        let a = random_token(16);
        assert_eq!(a.len(), 22);
        assert_ne!(a, random_token(16));
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(base64url_decode(&a).unwrap().len(), 16);
    }

    #[test]
    fn constant_time_equality() {
        assert!(constant_time_eq("123456", "123456"));
        assert!(!constant_time_eq("123456", "123457"));
        assert!(!constant_time_eq("123456", "12345"));
    }
}
