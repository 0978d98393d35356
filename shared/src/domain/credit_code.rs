//! The unified social credit code (统一社会信用代码, GB 32100-2015) that identifies a unit
//! (employer, school, landlord company) opening a unit account (F3).
//!
//! 18 characters from the 31-character alphabet `0-9 A-H J-N P-R T U W-Y` (no I, O, Z, S, V):
//! the registering authority, the organization type, the 6-digit division code, the 9-character
//! organization code, and a check character: with weights 3^i mod 31 over the first 17
//! characters' values, the check value is 31 − (Σ mod 31), 31 counting as 0.

use crate::invalid::Invalid;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A unified social credit code with a valid check character, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|i| i as u32)
}

/// The check character of the first 17 characters (each already in the alphabet).
fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(&c, w)| value_of(c).expect("checked alphabet") * w)
        .sum();
    ALPHABET[((31 - sum % 31) % 31) as usize]
}

impl CreditCode {
    /// Reads a code as people type it: white space around it and letter case forgiven.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = input.trim().to_ascii_uppercase();
        let bytes = value.as_bytes();
        if bytes.len() != 18 || !bytes.iter().all(|&c| value_of(c).is_some()) {
            return Err(Invalid::new(
                "INVALID_FORMAT",
                "统一社会信用代码须为18位数字或大写字母（不含 I、O、Z、S、V）",
            ));
        }
        if check_char(&bytes[..17]) != bytes[17] {
            return Err(Invalid::new(
                "INVALID_CHECK_DIGIT",
                "统一社会信用代码校验位错误",
            ));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_newtype!(CreditCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_codes_are_valid() {
        for code in [
            "91350100M000100Y43",
            "91110000802100433B",
            "91440300192448589C",
            "914403001922038216",
        ] {
            assert_eq!(CreditCode::parse(code).unwrap().as_str(), code);
        }
        // Typed in lower case, with spaces around: the same code.
        assert_eq!(
            CreditCode::parse(" 91350100m000100y43 ").unwrap().as_str(),
            "91350100M000100Y43"
        );
    }

    #[test]
    fn a_wrong_check_character_or_alphabet_is_refused() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y44").unwrap_err().code,
            "INVALID_CHECK_DIGIT"
        );
        // Every single-character change of a valid code is caught.
        let valid = b"91350100M000100Y43";
        for i in 0..17 {
            for &c in ALPHABET {
                if c == valid[i] {
                    continue;
                }
                let mut changed = valid.to_vec();
                changed[i] = c;
                let text = String::from_utf8(changed).unwrap();
                assert!(CreditCode::parse(&text).is_err(), "{text}");
            }
        }
        for bad in [
            "91350100M000100Y4",
            "91350100M000100Y433",
            "9135010OM000100Y43",
            "91350100I000100Y43",
        ] {
            assert_eq!(
                CreditCode::parse(bad).unwrap_err().code,
                "INVALID_FORMAT",
                "{bad}"
            );
        }
    }

    #[test]
    fn serde_reads_only_valid_codes() {
        let code: CreditCode = serde_json::from_str("\"91110000802100433B\"").unwrap();
        assert_eq!(
            serde_json::to_string(&code).unwrap(),
            "\"91110000802100433B\""
        );
        assert!(serde_json::from_str::<CreditCode>("\"91110000802100433C\"").is_err());
    }
}
