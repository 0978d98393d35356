//! What a residence registration records about a resident (Art. 9 of the ordinance), in the
//! national standards' codes, and the legal deadline of a declaration (Art. 11–13).

use chrono::NaiveDate;

use crate::domain::address::DeclarantType;
use crate::domain::id_number::{IdNumber, Sex};
use crate::error::Invalid;

/// A code of a national standard with its Chinese name; a value holds a valid code only.
macro_rules! code_table {
    ($(#[$doc:meta])* $name:ident, $error:literal, $message:literal, [$(($code:literal, $label:literal)),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(&'static str, &'static str);

        impl $name {
            /// Every code with its name, in the standard's order.
            pub const ALL: &'static [(&'static str, &'static str)] = &[$(($code, $label)),+];

            pub fn parse(value: &str) -> Result<Self, Invalid> {
                Self::ALL
                    .iter()
                    .find(|(code, _)| *code == value)
                    .map(|&(code, label)| Self(code, label))
                    .ok_or_else(|| Invalid::new($error, $message))
            }

            pub fn code(self) -> &'static str {
                self.0
            }

            /// The name in Chinese.
            pub fn label(self) -> &'static str {
                self.1
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = String::deserialize(deserializer)?;
                Self::parse(&code).map_err(serde::de::Error::custom)
            }
        }
    };
}

code_table!(
    /// Sex, GB/T 2261.1.
    SexCode, "INVALID_SEX", "性别须为 1（男）或 2（女）",
    [("1", "男"), ("2", "女")]
);

code_table!(
    /// Ethnic group, GB 3304: the 56 groups, 97 other, 98 of foreign origin.
    Ethnicity, "INVALID_ETHNICITY", "民族须为 GB 3304 代码：01–56、97（其他）或 98（外国血统）",
    [
        ("01", "汉族"), ("02", "蒙古族"), ("03", "回族"), ("04", "藏族"), ("05", "维吾尔族"),
        ("06", "苗族"), ("07", "彝族"), ("08", "壮族"), ("09", "布依族"), ("10", "朝鲜族"),
        ("11", "满族"), ("12", "侗族"), ("13", "瑶族"), ("14", "白族"), ("15", "土家族"),
        ("16", "哈尼族"), ("17", "哈萨克族"), ("18", "傣族"), ("19", "黎族"), ("20", "傈僳族"),
        ("21", "佤族"), ("22", "畲族"), ("23", "高山族"), ("24", "拉祜族"), ("25", "水族"),
        ("26", "东乡族"), ("27", "纳西族"), ("28", "景颇族"), ("29", "柯尔克孜族"), ("30", "土族"),
        ("31", "达斡尔族"), ("32", "仫佬族"), ("33", "羌族"), ("34", "布朗族"), ("35", "撒拉族"),
        ("36", "毛南族"), ("37", "仡佬族"), ("38", "锡伯族"), ("39", "阿昌族"), ("40", "普米族"),
        ("41", "塔吉克族"), ("42", "怒族"), ("43", "乌孜别克族"), ("44", "俄罗斯族"), ("45", "鄂温克族"),
        ("46", "德昂族"), ("47", "保安族"), ("48", "裕固族"), ("49", "京族"), ("50", "塔塔尔族"),
        ("51", "独龙族"), ("52", "鄂伦春族"), ("53", "赫哲族"), ("54", "门巴族"), ("55", "珞巴族"),
        ("56", "基诺族"), ("97", "其他"), ("98", "外国血统中国籍人士"),
    ]
);

code_table!(
    /// Marital status, GB/T 2261.2.
    MaritalStatus, "INVALID_MARITAL_STATUS", "婚姻状况须为 10、20、30、40 或 90",
    [("10", "未婚"), ("20", "已婚"), ("30", "丧偶"), ("40", "离婚"), ("90", "未说明")]
);

code_table!(
    /// Education, GB/T 4658.
    Education, "INVALID_EDUCATION", "文化程度须为 10、20、30、40、60、70、80 或 90",
    [
        ("10", "研究生"), ("20", "大学本科"), ("30", "大学专科"), ("40", "中专"),
        ("60", "高中"), ("70", "初中"), ("80", "小学"), ("90", "其他"),
    ]
);

impl SexCode {
    pub fn sex(self) -> Sex {
        if self.0 == "1" {
            Sex::Male
        } else {
            Sex::Female
        }
    }
}

/// A resident ID must agree with the birth date and sex declared beside it.
pub fn check_against_id(
    id: &IdNumber,
    birth_date: NaiveDate,
    sex: SexCode,
) -> Result<(), Vec<(&'static str, Invalid)>> {
    let mut errors = Vec::new();
    if id.birth_date() != birth_date {
        errors.push((
            "birth_date",
            Invalid::new("BIRTH_DATE_MISMATCH", "出生日期与身份证号码不一致"),
        ));
    }
    if id.sex() != sex.sex() {
        errors.push((
            "sex",
            Invalid::new("SEX_MISMATCH", "性别与身份证号码不一致"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// How many days after moving in (or out) a declarant has to declare it (Art. 11–13): hotels and
/// other overnight lodging at once; lessors, managers and dormitories within 7 days; everyone
/// else within 15.
pub fn declaration_deadline_days(declarant: DeclarantType) -> i64 {
    match declarant {
        DeclarantType::LodgingOperator => 0,
        DeclarantType::Lessor | DeclarantType::Manager | DeclarantType::EmployerOrSchool => 7,
        DeclarantType::SelfOwner | DeclarantType::Provider => 15,
    }
}

/// Whether a declaration made on `declared_on` for a move on `moved_on` is late (it is still
/// accepted, and marked late).
pub fn is_late(declarant: DeclarantType, moved_on: NaiveDate, declared_on: NaiveDate) -> bool {
    (declared_on - moved_on).num_days() > declaration_deadline_days(declarant)
}

/// A date of a move: `YYYY-MM-DD`, not in the future (China time), not before 1949-10-01.
pub fn parse_move_date(value: &str, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    let date = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| Invalid::new("INVALID_DATE", "日期格式须为 YYYY-MM-DD"))?;
    if date > today {
        return Err(Invalid::new("DATE_IN_FUTURE", "日期不能晚于今天"));
    }
    if date < NaiveDate::from_ymd_opt(1949, 10, 1).expect("valid date") {
        return Err(Invalid::new("DATE_TOO_EARLY", "日期不能早于1949年10月1日"));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_code_tables_are_the_standards() {
        assert_eq!(Ethnicity::ALL.len(), 58);
        assert_eq!(Ethnicity::parse("01").unwrap().label(), "汉族");
        assert_eq!(Ethnicity::parse("56").unwrap().label(), "基诺族");
        assert_eq!(
            Ethnicity::parse("98").unwrap().label(),
            "外国血统中国籍人士"
        );
        assert!(Ethnicity::parse("57").is_err());
        assert!(Ethnicity::parse("1").is_err());
        let labels: std::collections::BTreeSet<&str> =
            Ethnicity::ALL.iter().map(|(_, l)| *l).collect();
        assert_eq!(labels.len(), 58, "no name twice");
        assert_eq!(MaritalStatus::parse("20").unwrap().label(), "已婚");
        assert!(MaritalStatus::parse("50").is_err());
        assert_eq!(Education::parse("60").unwrap().label(), "高中");
        assert!(Education::parse("50").is_err());
        assert_eq!(SexCode::parse("2").unwrap().sex(), Sex::Female);
        assert!(SexCode::parse("0").is_err());
        assert_eq!(
            serde_json::to_string(&Ethnicity::parse("03").unwrap()).unwrap(),
            "\"03\""
        );
        let back: Education = serde_json::from_str("\"10\"").unwrap();
        assert_eq!(back.label(), "研究生");
        assert!(serde_json::from_str::<Education>("\"11\"").is_err());
    }

    #[test]
    fn a_resident_id_must_agree_with_birth_date_and_sex() {
        // 11010519491231002X: born 1949-12-31, sequence 002 (even: female).
        let id = IdNumber::parse("11010519491231002X").unwrap();
        let female = SexCode::parse("2").unwrap();
        assert!(check_against_id(&id, date("1949-12-31"), female).is_ok());
        let errors =
            check_against_id(&id, date("1950-01-01"), SexCode::parse("1").unwrap()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["birth_date", "sex"]);
    }

    #[test]
    fn late_declarations_follow_the_declarant_s_deadline() {
        let moved = date("2026-11-01");
        assert!(!is_late(DeclarantType::Lessor, moved, date("2026-11-08")));
        assert!(is_late(DeclarantType::Lessor, moved, date("2026-11-09")));
        assert!(!is_late(
            DeclarantType::SelfOwner,
            moved,
            date("2026-11-16")
        ));
        assert!(is_late(DeclarantType::Provider, moved, date("2026-11-17")));
        assert!(!is_late(DeclarantType::LodgingOperator, moved, moved));
        assert!(is_late(
            DeclarantType::LodgingOperator,
            moved,
            date("2026-11-02")
        ));
        assert!(!is_late(
            DeclarantType::EmployerOrSchool,
            moved,
            date("2026-11-08")
        ));
    }

    #[test]
    fn move_dates_are_not_in_the_future() {
        let today = date("2026-11-27");
        assert_eq!(parse_move_date("2026-11-27", today).unwrap(), today);
        assert_eq!(
            parse_move_date("2026-11-28", today).unwrap_err().code,
            "DATE_IN_FUTURE"
        );
        assert_eq!(
            parse_move_date("2026-02-30", today).unwrap_err().code,
            "INVALID_DATE"
        );
        assert_eq!(
            parse_move_date("1900-01-01", today).unwrap_err().code,
            "DATE_TOO_EARLY"
        );
    }
}
