//! Receipt numbers and check codes (F17, F24).
//!
//! A receipt number is the China date of the declaration and 10 random characters of Crockford's
//! base32 (no I, L, O or U, so nothing is misread): `20261127-7K3M9QXA2B`. Random, not counted:
//! a policy-rollout peak must not serialize on one counter item. 50 random bits a day make a
//! collision unlikely (about 1 in 2,000 on a day of a million declarations); the store claims
//! each number with a conditional write and draws again on the rare clash.
//!
//! The check code is an HMAC of the number under the data key, 8 base32 characters (40 bits): it
//! proves the receipt genuine to anyone who holds it, and cannot be guessed from the number.

use chrono::NaiveDate;

use crate::invalid::Invalid;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RANDOM_CHARS: usize = 10;
const CHECK_CHARS: usize = 8;

/// A receipt number, valid in form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReceiptNo(String);

fn base32(bytes: &[u8], chars: usize) -> String {
    let mut bits: u128 = 0;
    for &b in bytes.iter().take(16) {
        bits = (bits << 8) | u128::from(b);
    }
    (0..chars)
        .map(|i| ALPHABET[((bits >> (5 * i)) & 31) as usize] as char)
        .collect()
}

impl ReceiptNo {
    /// A fresh number for a declaration made on `day` (China time).
    pub fn generate(day: NaiveDate) -> Self {
        let mut random = [0u8; 8];
        crate::crypto::fill_random(&mut random);
        Self(format!(
            "{}-{}",
            day.format("%Y%m%d"),
            base32(&random, RANDOM_CHARS)
        ))
    }

    /// Reads a number as people type it: case and the look-alikes I, L (1) and O (0) forgiven.
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let invalid = || {
            Invalid::new(
                "INVALID_RECEIPT_NO",
                "回执编号格式不正确（如 20261127-7K3M9QXA2B）",
            )
        };
        let normalized: String = value
            .trim()
            .chars()
            .map(|c| match c.to_ascii_uppercase() {
                'I' | 'L' => '1',
                'O' => '0',
                other => other,
            })
            .collect();
        let (day, random) = normalized.split_once('-').ok_or_else(invalid)?;
        let valid_day = day.len() == 8 && NaiveDate::parse_from_str(day, "%Y%m%d").is_ok();
        let valid_random =
            random.len() == RANDOM_CHARS && random.bytes().all(|b| ALPHABET.contains(&b));
        if valid_day && valid_random {
            Ok(Self(normalized))
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The day the number was given out on (its first 8 digits).
    pub fn day(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[..8], "%Y%m%d").expect("a valid number starts with a day")
    }

    /// The check code printed beside the number.
    pub fn check_code(&self, key: &[u8]) -> String {
        let mac = crate::crypto::keyed_hash(key, "receipt-check-code", &[&self.0]);
        let bytes: Vec<u8> = (0..16)
            .map(|i| u8::from_str_radix(&mac[2 * i..2 * i + 2], 16).expect("hex"))
            .collect();
        base32(&bytes, CHECK_CHARS)
    }

    /// Whether `code` (as typed: case forgiven) is this receipt's check code.
    pub fn verify(&self, key: &[u8], code: &str) -> bool {
        let typed = code.trim().to_ascii_uppercase();
        crate::crypto::constant_time_eq(&self.check_code(key), &typed)
    }
}

super::string_newtype!(ReceiptNo);

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn numbers_carry_the_day_and_parse_back_forgivingly() {
        let no = ReceiptNo::generate(day());
        assert!(no.as_str().starts_with("20261127-"));
        assert_eq!(no.as_str().len(), 19);
        assert_eq!(ReceiptNo::parse(no.as_str()).unwrap(), no);
        assert_eq!(ReceiptNo::parse(&no.as_str().to_lowercase()).unwrap(), no);
        assert_eq!(
            ReceiptNo::parse("20261127-oi23456789").unwrap().as_str(),
            "20261127-0123456789"
        );
        for bad in [
            "20261127",
            "20261327-0123456789",
            "20261127-012345678U",
            "x-y",
        ] {
            assert!(ReceiptNo::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_are_random() {
        let drawn: std::collections::HashSet<ReceiptNo> =
            (0..10_000).map(|_| ReceiptNo::generate(day())).collect();
        assert_eq!(drawn.len(), 10_000);
    }

    #[test]
    fn check_codes_depend_on_number_and_key() {
        let no = ReceiptNo::parse("20261127-7K3M9QXA2B").unwrap();
        let code = no.check_code(KEY);
        assert_eq!(code.len(), 8);
        assert_eq!(code, no.check_code(KEY), "stable");
        assert!(no.verify(KEY, &code.to_lowercase()));
        let other = ReceiptNo::parse("20261127-7K3M9QXA2C").unwrap();
        assert_ne!(other.check_code(KEY), code);
        assert_ne!(no.check_code(b"another-key-another-key-another!"), code);
        assert!(!no.verify(KEY, "00000000"));
    }
}
