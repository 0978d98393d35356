//! Chinese resident identity card numbers (GB 11643-1999).

use chrono::NaiveDate;

use crate::invalid::Invalid;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// Sex as the sequence code's parity tells it (odd: male).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// A valid 18-character resident ID number, upper-case `X` for the check character.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl IdNumber {
    /// Parses and checks a number against today's date in China.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        Self::parse_on(input, crate::clock::today_in_china())
    }

    /// Parses and checks a number; the birth date may not be after `today`.
    pub fn parse_on(input: &str, today: NaiveDate) -> Result<Self, Invalid> {
        let value = input.trim().to_ascii_uppercase();
        let bytes = value.as_bytes();
        if bytes.len() != 18 {
            return Err(Invalid::new("INVALID_LENGTH", "身份证号码应为18位"));
        }
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(Invalid::new(
                "INVALID_FORMAT",
                "身份证号码前17位须为数字，最后一位为数字或X",
            ));
        }
        if !(b'1'..=b'9').contains(&bytes[0]) || &value[2..6] == "0000" {
            return Err(Invalid::new("INVALID_AREA_CODE", "身份证号码的地区码无效"));
        }
        let birth = NaiveDate::parse_from_str(&value[6..14], "%Y%m%d")
            .map_err(|_| Invalid::new("INVALID_BIRTH_DATE", "身份证号码中的出生日期无效"))?;
        let earliest = NaiveDate::from_ymd_opt(1890, 1, 1).expect("valid constant date");
        if birth < earliest || birth > today {
            return Err(Invalid::new(
                "INVALID_BIRTH_DATE",
                "身份证号码中的出生日期不能晚于今天",
            ));
        }
        if check_char(&bytes[..17]) != bytes[17] {
            return Err(Invalid::new("INVALID_CHECK_DIGIT", "身份证号码校验位错误"));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("checked on construction")
    }

    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }
}

/// The check character for the first 17 digits (ISO 7064 MOD 11-2).
pub fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a full ID number, not even in debug output.
        write!(
            f,
            "IdNumber({})",
            crate::domain::mask::mask_middle(&self.0, 4, 4)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn accepts_the_standards_example_and_lowercase_x() {
        // 11010519491231002X is the example of GB 11643-1999.
        let id = IdNumber::parse_on("11010519491231002x", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.sex(), Sex::Female);
        let male = IdNumber::parse_on("440304199001010011", today()).unwrap();
        assert_eq!(male.sex(), Sex::Male);
    }

    #[test]
    fn rejects_a_wrong_check_character() {
        let err = IdNumber::parse_on("110105194912310021", today()).unwrap_err();
        assert_eq!(err.code, "INVALID_CHECK_DIGIT");
    }

    #[test]
    fn rejects_wrong_length_and_letters() {
        assert_eq!(
            IdNumber::parse_on("1101051949123100", today())
                .unwrap_err()
                .code,
            "INVALID_LENGTH"
        );
        assert_eq!(
            IdNumber::parse_on("11010519491231A02X", today())
                .unwrap_err()
                .code,
            "INVALID_FORMAT"
        );
        assert_eq!(
            IdNumber::parse_on("X10105194912310021", today())
                .unwrap_err()
                .code,
            "INVALID_FORMAT"
        );
    }

    #[test]
    fn rejects_impossible_and_future_birth_dates() {
        let mut feb30 = b"44030319900230123".to_vec();
        let c = check_char(&feb30);
        feb30.push(c);
        let feb30 = String::from_utf8(feb30).unwrap();
        assert_eq!(
            IdNumber::parse_on(&feb30, today()).unwrap_err().code,
            "INVALID_BIRTH_DATE"
        );

        let mut future = b"44030320270101123".to_vec();
        let c = check_char(&future);
        future.push(c);
        let future = String::from_utf8(future).unwrap();
        assert_eq!(
            IdNumber::parse_on(&future, today()).unwrap_err().code,
            "INVALID_BIRTH_DATE"
        );
    }

    #[test]
    fn debug_output_is_masked() {
        let id = IdNumber::parse_on("11010519491231002X", today()).unwrap();
        let shown = format!("{id:?}");
        assert!(!shown.contains("11010519491231002X"));
        assert!(shown.contains("1101**********002X"));
    }
}
