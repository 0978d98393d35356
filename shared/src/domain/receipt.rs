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

use super::public_code;

const RANDOM_CHARS: usize = 10;
const CHECK_CHARS: usize = 8;

/// A receipt number, valid in form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReceiptNo(String);

impl ReceiptNo {
    /// A fresh number for a declaration made on `day` (China time).
    pub fn generate(day: NaiveDate) -> Self {
        Self(format!(
            "{}-{}",
            day.format("%Y%m%d"),
            public_code::random(RANDOM_CHARS)
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
        let normalized = public_code::normalize(value);
        let (day, random) = normalized.split_once('-').ok_or_else(invalid)?;
        let valid_day = day.len() == 8 && NaiveDate::parse_from_str(day, "%Y%m%d").is_ok();
        let valid_random = public_code::is_code(random, RANDOM_CHARS);
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
        public_code::check_code(key, "receipt-check-code", &self.0, CHECK_CHARS)
    }

    /// Whether `code` (as typed: case forgiven) is this receipt's check code.
    pub fn verify(&self, key: &[u8], code: &str) -> bool {
        public_code::matches(&self.check_code(key), code)
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
