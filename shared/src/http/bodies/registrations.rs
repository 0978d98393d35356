//! The bodies of a move-in declaration (F16, every Art. 9 field), a change (F19) and a
//! deregistration (F20) of a registration, read field by field: every bad field is named at once.

use chrono::NaiveDate;

use crate::domain::account::RealName;
use crate::domain::id_document::IdDocument;
use crate::domain::phone::PhoneNumber;
use crate::domain::resident::{
    Education, Ethnicity, MaritalStatus, Resident, ResidentChanges, SexCode, disagreements,
    parse_move_date,
};
use crate::domain::text;
use crate::error::{FieldError, Invalid};
use crate::http::Fields;
use crate::services::registrations::requests::{Changes, Declaration, EndRequest, Ending};

fn text(min: usize, max: usize, message: &'static str) -> impl Fn(&str) -> Result<String, Invalid> {
    move |value| text::text(value, min, max, "INVALID_LENGTH", message)
}

fn household_address() -> impl Fn(&str) -> Result<String, Invalid> {
    text(5, 120, "户籍地址须为5至120个字符")
}

fn occupation() -> impl Fn(&str) -> Result<String, Invalid> {
    text(1, 50, "职业须为1至50个字符")
}

fn workplace() -> impl Fn(&str) -> Result<String, Invalid> {
    text(1, 100, "工作单位须为1至100个字符")
}

fn relationship() -> impl Fn(&str) -> Result<String, Invalid> {
    text(1, 20, "与申报人关系须为1至20个字符")
}

fn birth_date(today: NaiveDate) -> impl Fn(&str) -> Result<NaiveDate, Invalid> {
    move |value| {
        let date = crate::domain::date::parse_day(value)?;
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

/// Fields fixed once declared.
const FIXED_FIELDS: [&str; 3] = ["id_type", "id_number", "moved_in_on"];

/// Reads a move-in body; every problem is recorded in `f`. `today` is China's date.
pub fn declaration(f: &mut Fields, today: NaiveDate) -> Option<Declaration> {
    let name = f.required("name", RealName::parse);
    let sex = f.required("sex", SexCode::parse);
    let ethnicity = f.required("ethnicity", Ethnicity::parse);
    let birth = f.required("birth_date", birth_date(today));
    let id_type = f.required_raw("id_type");
    let id_number = f.required_raw("id_number");
    let household_address = f.required("household_address", household_address());
    let marital_status = f.required("marital_status", MaritalStatus::parse);
    let education = f.required("education", Education::parse);
    let occupation = f.required("occupation", occupation());
    let workplace = f.required("workplace", workplace());
    let relationship = f.required("relationship", relationship());
    let phone = f.optional("phone", PhoneNumber::parse);
    let phone_given = f.has("phone");
    let moved_in_on = f.required("moved_in_on", |v| parse_move_date(v, today));

    let document = match (id_type, id_number) {
        (Some(t), Some(n)) => IdDocument::parse_fields(&t, &n).map_err(|e| f.push(e)).ok(),
        _ => None,
    };
    if let (Some(document), Some(birth), Some(sex)) = (&document, birth, sex) {
        let disagreements = disagreements(document, birth, sex);
        if !disagreements.is_empty() {
            disagreements.into_iter().for_each(|e| f.push(e));
            return None;
        }
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
    Some(Declaration {
        resident: Resident {
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
        },
        moved_in_on: moved_in_on?,
    })
}

/// A change of a resident's information. Its version is the body's `version`, or `if_match`
/// (the version the `If-Match` header names), not both.
pub fn changes(f: &mut Fields, today: NaiveDate, if_match: Option<u32>) -> Option<Changes> {
    let version = match if_match {
        None => f
            .required_integer("version", 1, u32::MAX.into())
            .map(|v| u32::try_from(v).expect("bounded")),
        Some(version) => {
            if f.discard("version") {
                f.push(FieldError::new(
                    "version",
                    "NOT_ALLOWED",
                    "版本已由请求头给出，请勿重复填写",
                ));
            }
            Some(version)
        }
    };
    for field in FIXED_FIELDS {
        if f.discard(field) {
            f.push(FieldError::new(
                field,
                "NOT_MODIFIABLE",
                "证件信息和入住日期不能修改；如有错误，请以“信息错误”注销后重新申报",
            ));
        }
    }
    let clears_phone = f.is_null("phone");
    let phone_given = f.has("phone");
    let changes = ResidentChanges {
        name: f.optional("name", RealName::parse),
        sex: f.optional("sex", SexCode::parse),
        ethnicity: f.optional("ethnicity", Ethnicity::parse),
        birth_date: f.optional("birth_date", birth_date(today)),
        household_address: f.optional("household_address", household_address()),
        marital_status: f.optional("marital_status", MaritalStatus::parse),
        education: f.optional("education", Education::parse),
        occupation: f.optional("occupation", occupation()),
        workplace: f.optional("workplace", workplace()),
        relationship: f.optional("relationship", relationship()),
        phone: match f.optional("phone", PhoneNumber::parse) {
            Some(phone) => Some(Some(phone)),
            None if clears_phone => Some(None),
            None => None,
        },
    };
    if phone_given && changes.phone.is_none() {
        return None;
    }
    Some(Changes {
        version: version?,
        resident: changes,
    })
}

pub fn ending(f: &mut Fields, today: NaiveDate) -> Option<EndRequest> {
    let reason = f.required("reason", |value| match value {
        "moved_out" | "info_error" => Ok(value == "moved_out"),
        _ => Err(Invalid::new("INVALID_REASON", "注销原因须为搬离或信息错误")),
    });
    let date_given = f.has("moved_out_on");
    let moved_out_on = f.optional("moved_out_on", |v| parse_move_date(v, today));
    let version_given = f.has("version");
    let version = f.optional_integer("version", 1, u32::MAX.into());
    let ending = match (reason?, moved_out_on) {
        (true, Some(date)) => Ending::MovedOut(date),
        (true, None) => {
            if !date_given {
                f.push(Invalid::new("REQUIRED", "搬离须填写搬离日期").at("moved_out_on"));
            }
            return None;
        }
        (false, _) if date_given => {
            f.push(
                Invalid::new("NOT_ALLOWED", "因信息错误注销时无需填写搬离日期").at("moved_out_on"),
            );
            return None;
        }
        (false, _) => Ending::InfoError,
    };
    if version_given && version.is_none() {
        return None;
    }
    Some(EndRequest {
        ending,
        version: version.map(|v| u32::try_from(v).expect("bounded")),
    })
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

    /// What `read` makes of a body, and the (field, code) of each error `Fields` collected.
    fn read<T>(
        value: Value,
        read: impl FnOnce(&mut Fields) -> Option<T>,
    ) -> (Option<T>, Vec<(String, &'static str)>) {
        let mut f = Fields::of(value);
        let parsed = read(&mut f);
        let errors = match f.finish() {
            Ok(()) => Vec::new(),
            Err(ApiError::Validation(errors)) => {
                errors.into_iter().map(|e| (e.field, e.code)).collect()
            }
            Err(other) => panic!("{other:?}"),
        };
        (parsed, errors)
    }

    fn parse(value: Value) -> (Option<Declaration>, Vec<(String, &'static str)>) {
        read(value, |f| declaration(f, today()))
    }

    /// A body read by `from_fields`: the value when valid, else the errors.
    fn valid_or_errors<T>(
        value: Value,
        from_fields: impl FnOnce(&mut Fields) -> Option<T>,
    ) -> Result<T, Vec<(String, &'static str)>> {
        match read(value, from_fields) {
            (Some(parsed), errors) if errors.is_empty() => Ok(parsed),
            (_, errors) => Err(errors),
        }
    }

    #[test]
    fn a_complete_declaration_parses() {
        let (parsed, errors) = parse(body());
        assert!(errors.is_empty(), "{errors:?}");
        let declaration = parsed.unwrap();
        assert_eq!(declaration.resident.ethnicity.label(), "汉族");
        assert!(declaration.resident.phone.is_none());
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

    fn stored() -> Resident {
        let mut resident = parse(body()).0.unwrap().resident;
        resident.phone = Some(PhoneNumber::parse("13812345678").unwrap());
        resident
    }

    fn change(value: Value) -> Result<Changes, Vec<(String, &'static str)>> {
        valid_or_errors(value, |f| changes(f, today(), None))
    }

    #[test]
    fn the_version_comes_from_the_body_or_from_if_match_never_both() {
        let by_header = valid_or_errors(json!({"occupation": "医生"}), |f| {
            changes(f, today(), Some(4))
        })
        .unwrap();
        assert_eq!(by_header.version, 4);
        let both = valid_or_errors(json!({"version": 4, "occupation": "医生"}), |f| {
            changes(f, today(), Some(4))
        });
        assert_eq!(both.err().unwrap(), [("version".to_owned(), "NOT_ALLOWED")]);
        let neither = change(json!({"occupation": "医生"}));
        assert_eq!(neither.err().unwrap(), [("version".to_owned(), "REQUIRED")]);
    }

    #[test]
    fn a_change_replaces_only_the_fields_given_and_null_removes_the_phone() {
        let change = change(json!({"version": 3, "occupation": "医生", "phone": null})).unwrap();
        assert_eq!(change.version, 3);
        let moved_in = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let next = stored().changed(&change.resident, moved_in).ok().unwrap();
        assert_eq!(next.occupation, "医生");
        assert_eq!(next.phone, None);
        assert_eq!(next.workplace, stored().workplace);
    }

    #[test]
    fn a_change_keeps_the_document_and_move_in_date_and_needs_a_version() {
        let errors = change(json!({"id_number": "x", "moved_in_on": "2026-01-01"}))
            .err()
            .unwrap();
        assert!(errors.contains(&("version".into(), "REQUIRED")));
        assert!(errors.contains(&("id_number".into(), "NOT_MODIFIABLE")));
        assert!(errors.contains(&("moved_in_on".into(), "NOT_MODIFIABLE")));
        let errors = change(json!({"version": 0})).err().unwrap();
        assert_eq!(errors, [("version".to_owned(), "INVALID_NUMBER")]);
    }

    #[test]
    fn a_changed_sex_must_still_agree_with_the_resident_id() {
        let change = change(json!({"version": 1, "sex": "1"})).unwrap();
        let moved_in = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        match stored().changed(&change.resident, moved_in) {
            Err(errors) => {
                assert_eq!(errors[0].field, "sex");
                assert_eq!(errors[0].code, "SEX_MISMATCH");
            }
            Ok(_) => panic!("a mismatch is refused"),
        }
    }

    fn end(value: Value) -> Result<EndRequest, Vec<(String, &'static str)>> {
        valid_or_errors(value, |f| ending(f, today()))
    }

    #[test]
    fn moving_out_needs_a_date_and_voiding_refuses_one() {
        assert!(matches!(
            end(json!({"reason": "moved_out", "moved_out_on": "2026-11-25"}))
                .unwrap()
                .ending,
            Ending::MovedOut(_)
        ));
        assert_eq!(
            end(json!({"reason": "moved_out"})).unwrap_err(),
            [("moved_out_on".to_owned(), "REQUIRED")]
        );
        assert_eq!(
            end(json!({"reason": "info_error", "moved_out_on": "2026-11-25"})).unwrap_err(),
            [("moved_out_on".to_owned(), "NOT_ALLOWED")]
        );
        let void = end(json!({"reason": "info_error", "version": 2})).unwrap();
        assert!(matches!(void.ending, Ending::InfoError));
        assert_eq!(void.version, Some(2));
        assert_eq!(
            end(json!({"reason": "left"})).unwrap_err(),
            [("reason".to_owned(), "INVALID_REASON")]
        );
    }
}
