//! What a residence registration records about a resident (Art. 9 of the ordinance), in the
//! national standards' codes: the [`Resident`] a registration holds, the changes a declarant may
//! make to it, and the legal deadline of a declaration (Art. 11–13).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use strum::{EnumMessage, EnumString, IntoStaticStr, VariantArray};

use crate::domain::account::RealName;
use crate::domain::address::DeclarantType;
use crate::domain::id_document::IdDocument;
use crate::domain::id_number::{IdNumber, Sex};
use crate::domain::phone::PhoneNumber;
use crate::invalid::{FieldError, Invalid};

/// A resident as a registration records them (Art. 9), every field valid: the one type the
/// declaration, the change, the stored registration and the views all speak. The free-text
/// fields are checked by the body readers (`http::bodies::registrations`), which alone build
/// one from a request. Personal data: deliberately not `Debug`.
///
/// Stored with the document flattened (`id_type`, `id_number`) and the name as text.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Resident {
    pub name: RealName,
    pub sex: SexCode,
    pub ethnicity: Ethnicity,
    pub birth_date: NaiveDate,
    #[serde(flatten)]
    pub document: IdDocument,
    pub household_address: String,
    pub marital_status: MaritalStatus,
    pub education: Education,
    pub occupation: String,
    pub workplace: String,
    pub relationship: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
}

/// What a change of a registration may change about its resident: each field present replaces
/// the stored value (`phone: Some(None)` removes the phone). The document cannot change: a
/// registration with a wrong one is ended as an information error and declared again.
#[derive(Default)]
pub struct ResidentChanges {
    pub name: Option<RealName>,
    pub sex: Option<SexCode>,
    pub ethnicity: Option<Ethnicity>,
    pub birth_date: Option<NaiveDate>,
    pub household_address: Option<String>,
    pub marital_status: Option<MaritalStatus>,
    pub education: Option<Education>,
    pub occupation: Option<String>,
    pub workplace: Option<String>,
    pub relationship: Option<String>,
    pub phone: Option<Option<PhoneNumber>>,
}

impl Resident {
    /// Where the resident cannot have moved in on `moved_in_on`, or their birth date and sex
    /// disagree with their resident ID: every field at fault.
    pub fn inconsistencies(&self, moved_in_on: NaiveDate) -> Vec<FieldError> {
        let mut errors = disagreements(&self.document, self.birth_date, self.sex);
        if self.birth_date > moved_in_on {
            errors.push(Invalid::new("BEFORE_BIRTH", "出生日期不能晚于入住日期").at("birth_date"));
        }
        errors
    }

    /// The resident with `changes`, checked as a whole (see [`Resident::inconsistencies`]).
    pub fn changed(
        &self,
        changes: &ResidentChanges,
        moved_in_on: NaiveDate,
    ) -> Result<Resident, Vec<FieldError>> {
        let mut next = self.clone();
        if let Some(name) = &changes.name {
            next.name = name.clone();
        }
        if let Some(sex) = changes.sex {
            next.sex = sex;
        }
        if let Some(ethnicity) = changes.ethnicity {
            next.ethnicity = ethnicity;
        }
        if let Some(date) = changes.birth_date {
            next.birth_date = date;
        }
        let texts = [
            (&changes.household_address, &mut next.household_address),
            (&changes.occupation, &mut next.occupation),
            (&changes.workplace, &mut next.workplace),
            (&changes.relationship, &mut next.relationship),
        ];
        for (change, field) in texts {
            if let Some(value) = change {
                value.clone_into(field);
            }
        }
        if let Some(status) = changes.marital_status {
            next.marital_status = status;
        }
        if let Some(education) = changes.education {
            next.education = education;
        }
        if let Some(phone) = &changes.phone {
            next.phone = phone.clone();
        }
        let errors = next.inconsistencies(moved_in_on);
        if errors.is_empty() {
            Ok(next)
        } else {
            Err(errors)
        }
    }
}

/// `code` and `label` of a national standard's code enum, whose strum attributes are its table:
/// each value's code and (as its message) its Chinese name.
macro_rules! standard_code {
    ($($name:ident),+) => {$(
        impl $name {
            /// The standard's code.
            pub fn code(self) -> &'static str {
                self.as_str()
            }

            /// The name in Chinese.
            pub fn label(self) -> &'static str {
                self.get_message().expect("every code has a name")
            }
        }
    )+};
}

/// Sex, GB/T 2261.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray, EnumMessage)]
pub enum SexCode {
    #[strum(serialize = "1", message = "男")]
    Male,
    #[strum(serialize = "2", message = "女")]
    Female,
}

super::code_enum!(SexCode, "INVALID_SEX", "性别须为 1（男）或 2（女）");

/// Ethnic group, GB 3304 (named as its romanization): the 56 groups, 97 other, 98 of foreign
/// origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray, EnumMessage)]
pub enum Ethnicity {
    #[strum(serialize = "01", message = "汉族")]
    Han,
    #[strum(serialize = "02", message = "蒙古族")]
    Mongol,
    #[strum(serialize = "03", message = "回族")]
    Hui,
    #[strum(serialize = "04", message = "藏族")]
    Zang,
    #[strum(serialize = "05", message = "维吾尔族")]
    Uygur,
    #[strum(serialize = "06", message = "苗族")]
    Miao,
    #[strum(serialize = "07", message = "彝族")]
    Yi,
    #[strum(serialize = "08", message = "壮族")]
    Zhuang,
    #[strum(serialize = "09", message = "布依族")]
    Buyei,
    #[strum(serialize = "10", message = "朝鲜族")]
    Chosen,
    #[strum(serialize = "11", message = "满族")]
    Man,
    #[strum(serialize = "12", message = "侗族")]
    Dong,
    #[strum(serialize = "13", message = "瑶族")]
    Yao,
    #[strum(serialize = "14", message = "白族")]
    Bai,
    #[strum(serialize = "15", message = "土家族")]
    Tujia,
    #[strum(serialize = "16", message = "哈尼族")]
    Hani,
    #[strum(serialize = "17", message = "哈萨克族")]
    Kazak,
    #[strum(serialize = "18", message = "傣族")]
    Dai,
    #[strum(serialize = "19", message = "黎族")]
    Li,
    #[strum(serialize = "20", message = "傈僳族")]
    Lisu,
    #[strum(serialize = "21", message = "佤族")]
    Va,
    #[strum(serialize = "22", message = "畲族")]
    She,
    #[strum(serialize = "23", message = "高山族")]
    Gaoshan,
    #[strum(serialize = "24", message = "拉祜族")]
    Lahu,
    #[strum(serialize = "25", message = "水族")]
    Sui,
    #[strum(serialize = "26", message = "东乡族")]
    Dongxiang,
    #[strum(serialize = "27", message = "纳西族")]
    Naxi,
    #[strum(serialize = "28", message = "景颇族")]
    Jingpo,
    #[strum(serialize = "29", message = "柯尔克孜族")]
    Kirgiz,
    #[strum(serialize = "30", message = "土族")]
    Tu,
    #[strum(serialize = "31", message = "达斡尔族")]
    Daur,
    #[strum(serialize = "32", message = "仫佬族")]
    Mulam,
    #[strum(serialize = "33", message = "羌族")]
    Qiang,
    #[strum(serialize = "34", message = "布朗族")]
    Blang,
    #[strum(serialize = "35", message = "撒拉族")]
    Salar,
    #[strum(serialize = "36", message = "毛南族")]
    Maonan,
    #[strum(serialize = "37", message = "仡佬族")]
    Gelao,
    #[strum(serialize = "38", message = "锡伯族")]
    Xibe,
    #[strum(serialize = "39", message = "阿昌族")]
    Achang,
    #[strum(serialize = "40", message = "普米族")]
    Pumi,
    #[strum(serialize = "41", message = "塔吉克族")]
    Tajik,
    #[strum(serialize = "42", message = "怒族")]
    Nu,
    #[strum(serialize = "43", message = "乌孜别克族")]
    Uzbek,
    #[strum(serialize = "44", message = "俄罗斯族")]
    Russ,
    #[strum(serialize = "45", message = "鄂温克族")]
    Ewenki,
    #[strum(serialize = "46", message = "德昂族")]
    Deang,
    #[strum(serialize = "47", message = "保安族")]
    Bonan,
    #[strum(serialize = "48", message = "裕固族")]
    Yugur,
    #[strum(serialize = "49", message = "京族")]
    Gin,
    #[strum(serialize = "50", message = "塔塔尔族")]
    Tatar,
    #[strum(serialize = "51", message = "独龙族")]
    Derung,
    #[strum(serialize = "52", message = "鄂伦春族")]
    Oroqen,
    #[strum(serialize = "53", message = "赫哲族")]
    Hezhen,
    #[strum(serialize = "54", message = "门巴族")]
    Monba,
    #[strum(serialize = "55", message = "珞巴族")]
    Lhoba,
    #[strum(serialize = "56", message = "基诺族")]
    Jino,
    #[strum(serialize = "97", message = "其他")]
    Other,
    #[strum(serialize = "98", message = "外国血统中国籍人士")]
    ForeignOrigin,
}

super::code_enum!(
    Ethnicity,
    "INVALID_ETHNICITY",
    "民族须为 GB 3304 代码：01–56、97（其他）或 98（外国血统）"
);

/// Marital status, GB/T 2261.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray, EnumMessage)]
pub enum MaritalStatus {
    #[strum(serialize = "10", message = "未婚")]
    Unmarried,
    #[strum(serialize = "20", message = "已婚")]
    Married,
    #[strum(serialize = "30", message = "丧偶")]
    Widowed,
    #[strum(serialize = "40", message = "离婚")]
    Divorced,
    #[strum(serialize = "90", message = "未说明")]
    Unstated,
}

super::code_enum!(
    MaritalStatus,
    "INVALID_MARITAL_STATUS",
    "婚姻状况须为 10、20、30、40 或 90"
);

/// Education, GB/T 4658.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray, EnumMessage)]
pub enum Education {
    #[strum(serialize = "10", message = "研究生")]
    Postgraduate,
    #[strum(serialize = "20", message = "大学本科")]
    Undergraduate,
    #[strum(serialize = "30", message = "大学专科")]
    JuniorCollege,
    #[strum(serialize = "40", message = "中专")]
    SecondaryVocational,
    #[strum(serialize = "60", message = "高中")]
    HighSchool,
    #[strum(serialize = "70", message = "初中")]
    JuniorMiddle,
    #[strum(serialize = "80", message = "小学")]
    Primary,
    #[strum(serialize = "90", message = "其他")]
    Other,
}

super::code_enum!(
    Education,
    "INVALID_EDUCATION",
    "文化程度须为 10、20、30、40、60、70、80 或 90"
);

standard_code!(SexCode, Ethnicity, MaritalStatus, Education);

impl SexCode {
    pub fn sex(self) -> Sex {
        match self {
            Self::Male => Sex::Male,
            Self::Female => Sex::Female,
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

/// Where the declared birth date and sex disagree with the resident's document: each field that
/// a resident ID contradicts (none for other documents, which carry neither).
pub fn disagreements(
    document: &crate::domain::id_document::IdDocument,
    birth_date: NaiveDate,
    sex: SexCode,
) -> Vec<crate::invalid::FieldError> {
    if document.id_type() != crate::domain::id_document::IdType::ResidentId {
        return Vec::new();
    }
    let Ok(id) = IdNumber::parse(document.number()) else {
        return Vec::new();
    };
    match check_against_id(&id, birth_date, sex) {
        Ok(()) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|(field, invalid)| invalid.at(field))
            .collect(),
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
    let date = super::date::parse_day(value)?;
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
    use crate::fixtures::date;

    fn resident() -> Resident {
        Resident {
            phone: Some(PhoneNumber::parse("13812345678").unwrap()),
            ..crate::fixtures::resident()
        }
    }

    #[test]
    fn a_resident_is_stored_in_the_registration_s_shape_and_checked_when_read() {
        let stored = serde_json::to_value(resident()).unwrap();
        assert_eq!(stored["name"], "李四");
        assert_eq!(stored["id_type"], "resident_id");
        assert_eq!(stored["id_number"], "11010519491231002X");
        assert_eq!(stored["sex"], "2");
        assert!(stored.get("document").is_none(), "flattened: {stored}");
        let read: Resident = serde_json::from_value(stored.clone()).unwrap();
        assert!(read == resident());

        let mut bad = stored.clone();
        bad["id_number"] = "110105194912310021".into();
        assert!(
            serde_json::from_value::<Resident>(bad).is_err(),
            "a bad checksum"
        );
        let mut bad = stored;
        bad["name"] = "R2-D2".into();
        assert!(
            serde_json::from_value::<Resident>(bad).is_err(),
            "a name with digits"
        );
    }

    #[test]
    fn a_change_replaces_only_what_it_names() {
        let changes = ResidentChanges {
            occupation: Some("医生".into()),
            phone: Some(None),
            ..ResidentChanges::default()
        };
        let next = resident()
            .changed(&changes, date("2026-11-20"))
            .ok()
            .unwrap();
        assert_eq!(next.occupation, "医生");
        assert_eq!(next.phone, None);
        assert_eq!(next.workplace, resident().workplace);
        assert!(next.name == resident().name && next.document == resident().document);
        let unchanged = resident()
            .changed(&ResidentChanges::default(), date("2026-11-20"))
            .ok()
            .unwrap();
        assert!(unchanged == resident());
    }

    #[test]
    fn a_changed_resident_must_still_agree_with_their_id_and_move_in_date() {
        let sex = ResidentChanges {
            sex: Some(SexCode::parse("1").unwrap()),
            ..ResidentChanges::default()
        };
        let Err(errors) = resident().changed(&sex, date("2026-11-20")) else {
            panic!("the resident ID says female");
        };
        assert_eq!(
            (errors[0].field.as_str(), errors[0].code),
            ("sex", "SEX_MISMATCH")
        );

        let passport = Resident {
            document: IdDocument::parse(crate::domain::id_document::IdType::Passport, "E12345678")
                .unwrap(),
            ..resident()
        };
        let born_later = ResidentChanges {
            birth_date: Some(date("2026-12-01")),
            ..ResidentChanges::default()
        };
        let Err(errors) = passport.changed(&born_later, date("2026-11-20")) else {
            panic!("born after moving in");
        };
        assert_eq!(
            (errors[0].field.as_str(), errors[0].code),
            ("birth_date", "BEFORE_BIRTH")
        );
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
            Ethnicity::ALL.iter().map(|e| e.label()).collect();
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

    #[test]
    fn sex_codes_round_trip() {
        crate::domain::assert_code_enum(SexCode::ALL, &["1", "2"], SexCode::code, |code| {
            SexCode::parse(code).ok()
        });
        let labels: Vec<&str> = SexCode::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(labels, ["男", "女"]);
        assert_eq!(SexCode::parse("1").unwrap().sex(), Sex::Male);
    }

    #[test]
    fn ethnicities_round_trip() {
        let codes: Vec<String> = (1..=56)
            .map(|n| format!("{n:02}"))
            .chain(["97".to_owned(), "98".to_owned()])
            .collect();
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        crate::domain::assert_code_enum(Ethnicity::ALL, &codes, Ethnicity::code, |code| {
            Ethnicity::parse(code).ok()
        });
        assert!(
            Ethnicity::ALL
                .iter()
                .all(|e| e.label().ends_with('族') || e.code() > "56")
        );
        assert_eq!(Ethnicity::Han.as_str(), Ethnicity::Han.code());
    }

    #[test]
    fn marital_statuses_round_trip() {
        crate::domain::assert_code_enum(
            MaritalStatus::ALL,
            &["10", "20", "30", "40", "90"],
            MaritalStatus::code,
            |code| MaritalStatus::parse(code).ok(),
        );
        assert!(MaritalStatus::ALL.iter().all(|m| !m.label().is_empty()));
        assert_eq!(
            MaritalStatus::parse("50").unwrap_err().code,
            "INVALID_MARITAL_STATUS"
        );
    }

    #[test]
    fn educations_round_trip() {
        crate::domain::assert_code_enum(
            Education::ALL,
            &["10", "20", "30", "40", "60", "70", "80", "90"],
            Education::code,
            |code| Education::parse(code).ok(),
        );
        assert!(Education::ALL.iter().all(|e| !e.label().is_empty()));
        let err = serde_json::from_str::<Education>("\"50\"").unwrap_err();
        assert!(err.to_string().contains("INVALID_EDUCATION"), "{err}");
    }
}
