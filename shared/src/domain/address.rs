//! Addresses in Shenzhen's unified address standard (深圳市统一地址编码, 2017):
//!
//! ```text
//! 44 03 07 003 003 04 00042 000003
//! │  │  │  │   │   │  │     └ room (6)      ┐
//! │  │  │  │   │   │  └ building (5)       │ house code: 25 digits
//! │  │  │  │   │   └ grid (2)              │
//! │  │  │  │   └ community (3)             ├ building code: the first 19
//! │  │  │  └ street (3)                    │
//! └──┴──┴ province, city, district (6)     ┘ street code: the first 9 (the NBS street code)
//! ```
//!
//! Also the declarant types of the ordinance (Art. 7–8) and the hand-written address of a house
//! that cannot be found (F13).

use serde::{Deserialize, Serialize};
use strum::{EnumMessage, EnumString, IntoStaticStr, VariantArray};

use crate::invalid::Invalid;

use super::text::text;

fn all_digits(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

macro_rules! digit_code {
    ($(#[$doc:meta])* $name:ident, $len:literal, $error:literal, $message:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const LEN: usize = $len;

            pub fn parse(value: &str) -> Result<Self, Invalid> {
                let value = value.trim();
                if value.len() == $len && all_digits(value) && value.starts_with("4403") {
                    Ok(Self(value.to_owned()))
                } else {
                    Err(Invalid::new($error, $message))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        super::string_newtype!($name);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

digit_code!(
    /// A street's 9-digit code (National Bureau of Statistics), e.g. `440303001` 桂园街道.
    StreetCode, 9, "INVALID_STREET_CODE", "街道编码须为9位深圳市街道代码（4403开头）"
);
digit_code!(
    /// A building's 19-digit code: street (9) + community (3) + grid (2) + building (5).
    BuildingCode, 19, "INVALID_BUILDING_CODE", "楼栋编码须为19位数字（4403开头）"
);
digit_code!(
    /// A house's 25-digit code: its building's code + the room (6).
    HouseCode, 25, "INVALID_HOUSE_CODE", "房屋编码须为25位数字（4403开头）"
);

impl StreetCode {
    /// The 6-digit district code the street carries.
    pub fn district_code(&self) -> &str {
        &self.0[..6]
    }
}

impl BuildingCode {
    pub fn street_code(&self) -> StreetCode {
        StreetCode(self.0[..StreetCode::LEN].to_owned())
    }
}

impl HouseCode {
    pub fn building_code(&self) -> BuildingCode {
        BuildingCode(self.0[..BuildingCode::LEN].to_owned())
    }

    /// Whether this house code lies in `building`.
    pub fn is_in(&self, building: &BuildingCode) -> bool {
        self.0.starts_with(building.as_str())
    }
}

/// Lower-cases and drops white space, so that `翠竹花园 3栋` and `翠竹花园3栋` match alike.
pub fn normalize_text(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The distinct character pairs of a normalized name: what the building-name index is keyed by.
/// A name of one character has no pair: it is found by the street listing instead.
pub fn name_grams(normalized: &str) -> std::collections::BTreeSet<String> {
    let chars: Vec<char> = normalized.chars().collect();
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

/// A building's name, e.g. `翠竹花园 3栋`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BuildingName(String);

impl BuildingName {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        text(
            value,
            1,
            60,
            "INVALID_BUILDING_NAME",
            "楼栋名称须为1至60个字符",
        )
        .map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_newtype!(BuildingName);

/// A room number as people write it (`301`, `12B`, `A-1203`): letters, digits and `-`, 1–16
/// characters, kept upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Room(String);

impl Room {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        Self::parse_prefix(value).and_then(|room| {
            if room.0.is_empty() {
                Err(Invalid::new("INVALID_ROOM", "房号不能为空"))
            } else {
                Ok(room)
            }
        })
    }

    /// The start of a room number, as typed into a search (may be empty: every room).
    pub fn parse_prefix(value: &str) -> Result<Self, Invalid> {
        let room = value.trim().to_ascii_uppercase();
        if room.len() <= 16 && room.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            Ok(Self(room))
        } else {
            Err(Invalid::new(
                "INVALID_ROOM",
                "房号须为1至16位字母、数字或“-”",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_newtype!(Room);

/// What `q` of a building search asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildingQuery {
    /// Every building of the street.
    All,
    /// Buildings whose (normalized) name contains this text.
    NamePart(String),
    /// Buildings whose code starts with these digits.
    CodePrefix(String),
}

impl BuildingQuery {
    /// Digits only: a code prefix; anything else: part of a name (1–30 characters).
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let normalized = normalize_text(value);
        if normalized.is_empty() {
            Ok(Self::All)
        } else if all_digits(&normalized) {
            if normalized.len() > BuildingCode::LEN {
                Err(Invalid::new("INVALID_QUERY", "楼栋编码最多19位数字"))
            } else {
                Ok(Self::CodePrefix(normalized))
            }
        } else if normalized.chars().count() > 30 {
            Err(Invalid::new("INVALID_QUERY", "搜索内容最多30个字符"))
        } else {
            Ok(Self::NamePart(normalized))
        }
    }
}

/// The detailed address of a house submitted by hand (F13): 5–120 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DetailedAddress(String);

impl DetailedAddress {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        text(value, 5, 120, "INVALID_ADDRESS", "详细地址须为5至120个字符").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_newtype!(DetailedAddress);

/// Who must declare the residents of a house (申报义务人, Art. 7–8 of the ordinance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray, EnumMessage)]
#[strum(serialize_all = "snake_case")]
pub enum DeclarantType {
    /// The lessor of rented housing.
    #[strum(message = "出租人")]
    Lessor,
    /// The actual manager of managed housing.
    #[strum(message = "实际管理人")]
    Manager,
    /// An employer's or school's dormitory.
    #[strum(message = "用人单位/学校")]
    EmployerOrSchool,
    /// A hotel or overnight-business operator.
    #[strum(message = "旅馆/留宿场所经营者")]
    LodgingOperator,
    /// The person themself, in a home they own.
    #[strum(serialize = "self", message = "本人")]
    SelfOwner,
    /// Anyone else providing the housing.
    #[strum(message = "居所提供者")]
    Provider,
}

super::code_enum!(
    DeclarantType,
    "INVALID_DECLARANT_TYPE",
    "申报人类型须为出租人、实际管理人、用人单位/学校、旅馆/留宿场所经营者、本人或居所提供者"
);

impl DeclarantType {
    /// The name in Chinese.
    pub fn label(self) -> &'static str {
        self.get_message()
            .expect("every declarant type has a message")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_nest_street_building_house() {
        let house = HouseCode::parse("4403070030030400042000003").unwrap();
        let building = house.building_code();
        assert_eq!(building.as_str(), "4403070030030400042");
        assert_eq!(building.street_code().as_str(), "440307003");
        assert_eq!(building.street_code().district_code(), "440307");
        assert!(house.is_in(&building));
        assert!(HouseCode::parse("440307003003040004200000").is_err());
        assert!(HouseCode::parse("1403070030030400042000003").is_err());
        assert!(BuildingCode::parse("44030700300304000a2").is_err());
        assert!(StreetCode::parse(" 440303001 ").is_ok());
    }

    #[test]
    fn names_are_indexed_by_character_pairs() {
        let normalized = normalize_text("翠竹花园 3栋");
        assert_eq!(normalized, "翠竹花园3栋");
        let grams: Vec<String> = name_grams(&normalized).into_iter().collect();
        assert_eq!(grams.len(), 5);
        assert!(grams.contains(&"花园".to_owned()));
        assert!(name_grams("园").is_empty());
    }

    #[test]
    fn queries_are_names_or_code_prefixes() {
        assert_eq!(BuildingQuery::parse(" ").unwrap(), BuildingQuery::All);
        assert_eq!(
            BuildingQuery::parse("4403 0300").unwrap(),
            BuildingQuery::CodePrefix("44030300".into())
        );
        assert_eq!(
            BuildingQuery::parse("Long 华").unwrap(),
            BuildingQuery::NamePart("long华".into())
        );
        assert!(BuildingQuery::parse(&"1".repeat(20)).is_err());
    }

    #[test]
    fn rooms_and_addresses() {
        assert_eq!(Room::parse(" a-1203 ").unwrap().as_str(), "A-1203");
        assert!(Room::parse("").is_err());
        assert!(Room::parse("12 03").is_err());
        assert_eq!(Room::parse_prefix("").unwrap().as_str(), "");
        assert!(DetailedAddress::parse("深南大道").is_err());
        assert!(DetailedAddress::parse("深南大道1号").is_ok());
    }

    #[test]
    fn declarant_types_use_the_contract_names() {
        assert_eq!(
            DeclarantType::parse("self").unwrap(),
            DeclarantType::SelfOwner
        );
        assert_eq!(
            serde_json::to_string(&DeclarantType::SelfOwner).unwrap(),
            "\"self\""
        );
        assert!(DeclarantType::parse("tenant").is_err());
    }

    #[test]
    fn declarant_types_round_trip() {
        crate::domain::assert_code_enum(
            DeclarantType::ALL,
            &[
                "lessor",
                "manager",
                "employer_or_school",
                "lodging_operator",
                "self",
                "provider",
            ],
            DeclarantType::as_str,
            |name| DeclarantType::parse(name).ok(),
        );
        assert_eq!(DeclarantType::SelfOwner.label(), "本人");
        assert!(DeclarantType::ALL.iter().all(|t| !t.label().is_empty()));
        let err = DeclarantType::parse("tenant").unwrap_err();
        assert_eq!(err.code, "INVALID_DECLARANT_TYPE");
        assert!(err.message.contains("用人单位/学校"), "{err:?}");
    }
}
