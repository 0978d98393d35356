//! Declaring residents (F16): what a move-in declaration must hold (Art. 9 of the ordinance),
//! validated field by field. The routes that store declarations build on this.

use chrono::NaiveDate;

use crate::domain::account::RealName;
use crate::domain::bounded_text;
use crate::domain::id_document::{IdDocument, IdType};
use crate::domain::id_number::IdNumber;
use crate::domain::phone::PhoneNumber;
use crate::domain::resident::{
    Education, Ethnicity, MaritalStatus, SexCode, check_against_id, parse_move_date,
};
use crate::error::Invalid;
use crate::http::Fields;

/// A move-in declaration whose every field is valid.
#[derive(Clone)]
pub struct Declaration {
    pub name: RealName,
    pub sex: SexCode,
    pub ethnicity: Ethnicity,
    pub birth_date: NaiveDate,
    pub document: IdDocument,
    pub household_address: String,
    pub marital_status: MaritalStatus,
    pub education: Education,
    pub occupation: String,
    pub workplace: String,
    pub relationship: String,
    pub phone: Option<PhoneNumber>,
    pub moved_in_on: NaiveDate,
}

fn text(min: usize, max: usize, message: &'static str) -> impl Fn(&str) -> Result<String, Invalid> {
    move |value| bounded_text(value, min, max, "INVALID_LENGTH", message)
}

fn birth_date(today: NaiveDate) -> impl Fn(&str) -> Result<NaiveDate, Invalid> {
    move |value| {
        let date = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
            .map_err(|_| Invalid::new("INVALID_DATE", "日期格式须为 YYYY-MM-DD"))?;
        let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date");
        if date > today || date < earliest {
            return Err(Invalid::new(
                "INVALID_BIRTH_DATE",
                "出生日期须在1900年1月1日至今天之间",
            ));
        }
        Ok(date)
    }
}

impl Declaration {
    /// Reads a move-in body; every problem is recorded in `f`. `today` is China's date.
    pub fn from_fields(f: &mut Fields, today: NaiveDate) -> Option<Self> {
        let name = f.required("name", RealName::parse);
        let sex = f.required("sex", SexCode::parse);
        let ethnicity = f.required("ethnicity", Ethnicity::parse);
        let birth = f.required("birth_date", birth_date(today));
        let id_type = f.required_raw("id_type");
        let id_number = f.required_raw("id_number");
        let household_address = f.required(
            "household_address",
            text(5, 120, "户籍地址须为5至120个字符"),
        );
        let marital_status = f.required("marital_status", MaritalStatus::parse);
        let education = f.required("education", Education::parse);
        let occupation = f.required("occupation", text(1, 50, "职业须为1至50个字符"));
        let workplace = f.required("workplace", text(1, 100, "工作单位须为1至100个字符"));
        let relationship = f.required("relationship", text(1, 20, "与申报人关系须为1至20个字符"));
        let phone = f.optional("phone", PhoneNumber::parse);
        let phone_given = f.has("phone");
        let moved_in_on = f.required("moved_in_on", |v| parse_move_date(v, today));

        let document = match (id_type, id_number) {
            (Some(t), Some(n)) => IdDocument::parse_fields(&t, &n).map_err(|e| f.push(e)).ok(),
            _ => None,
        };
        // A resident ID tells the birth date and sex: they must agree with the fields.
        if let (Some(document), Some(birth), Some(sex)) = (&document, birth, sex)
            && document.id_type() == IdType::ResidentId
            && let Ok(id) = IdNumber::parse(document.number())
            && let Err(errors) = check_against_id(&id, birth, sex)
        {
            for (field, invalid) in errors {
                f.push(invalid.at(field));
            }
            return None;
        }
        if let (Some(birth), Some(moved)) = (birth, moved_in_on)
            && moved < birth
        {
            f.push(Invalid::new("BEFORE_BIRTH", "入住日期不能早于出生日期").at("moved_in_on"));
            return None;
        }
        if phone_given && phone.is_none() {
            return None;
        }
        Some(Self {
            name: name?,
            sex: sex?,
            ethnicity: ethnicity?,
            birth_date: birth?,
            document: document?,
            household_address: household_address?,
            marital_status: marital_status?,
            education: education?,
            occupation: occupation?,
            workplace: workplace?,
            relationship: relationship?,
            phone,
            moved_in_on: moved_in_on?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use serde_json::{Value, json};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn body() -> Value {
        json!({
            "name": "李四", "sex": "2", "ethnicity": "01", "birth_date": "1949-12-31",
            "id_type": "resident_id", "id_number": "11010519491231002X",
            "household_address": "北京市朝阳区某街道1号", "marital_status": "20",
            "education": "20", "occupation": "教师", "workplace": "某某学校",
            "relationship": "租客", "moved_in_on": "2026-11-20",
        })
    }

    fn parse(value: Value) -> (Option<Declaration>, Vec<(String, &'static str)>) {
        let mut f = Fields::of(value);
        let parsed = Declaration::from_fields(&mut f, today());
        let errors = match f.finish() {
            Ok(()) => Vec::new(),
            Err(ApiError::Validation(errors)) => {
                errors.into_iter().map(|e| (e.field, e.code)).collect()
            }
            Err(other) => panic!("{other:?}"),
        };
        (parsed, errors)
    }

    #[test]
    fn a_complete_declaration_parses() {
        let (parsed, errors) = parse(body());
        assert!(errors.is_empty(), "{errors:?}");
        let declaration = parsed.unwrap();
        assert_eq!(declaration.ethnicity.label(), "汉族");
        assert!(declaration.phone.is_none());
        assert_eq!(declaration.moved_in_on.to_string(), "2026-11-20");
    }

    #[test]
    fn the_id_must_agree_with_birth_date_and_sex() {
        let mut value = body();
        value["sex"] = json!("1");
        value["birth_date"] = json!("1950-01-01");
        let (parsed, errors) = parse(value);
        assert!(parsed.is_none());
        assert!(errors.contains(&("birth_date".into(), "BIRTH_DATE_MISMATCH")));
        assert!(errors.contains(&("sex".into(), "SEX_MISMATCH")));
    }

    #[test]
    fn a_passport_holder_is_not_checked_against_an_id_number() {
        let mut value = body();
        value["id_type"] = json!("passport");
        value["id_number"] = json!("E12345678");
        value["ethnicity"] = json!("98");
        let (parsed, errors) = parse(value);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(parsed.is_some());
    }

    #[test]
    fn every_bad_field_is_named() {
        let (parsed, errors) = parse(json!({
            "name": "李", "sex": "3", "ethnicity": "57", "birth_date": "2030-01-01",
            "id_type": "resident_id", "id_number": "110105194912310021",
            "household_address": "北京", "marital_status": "50", "education": "50",
            "occupation": "", "workplace": "", "relationship": "", "phone": "123",
            "moved_in_on": "2026-12-01", "extra": 1,
        }));
        assert!(parsed.is_none());
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        for field in [
            "name",
            "sex",
            "ethnicity",
            "birth_date",
            "id_number",
            "household_address",
            "marital_status",
            "education",
            "occupation",
            "workplace",
            "relationship",
            "phone",
            "moved_in_on",
            "extra",
        ] {
            assert!(fields.contains(&field), "{field} in {errors:?}");
        }
        assert!(errors.contains(&("moved_in_on".into(), "DATE_IN_FUTURE")));
    }

    #[test]
    fn nobody_moves_in_before_being_born() {
        let mut value = body();
        value["moved_in_on"] = json!("1949-12-30");
        let (parsed, errors) = parse(value);
        assert!(parsed.is_none());
        assert_eq!(errors, [("moved_in_on".to_owned(), "BEFORE_BIRTH")]);
    }
}
