//! Residence-permit request bodies.

use crate::domain::address::StreetCode;
use crate::domain::eligibility::Basis;
use crate::domain::permit::{ApplicationStatus, Delivery, photo_receipt_no};
use crate::domain::text::text;
use crate::error::FieldError;
use crate::http::Fields;
use crate::services::permit_applications::ApplicationRequest;
use crate::services::permit_decisions::Decision;
use crate::services::unit_permits::{Employee, UnitApplication};

/// `POST /v1/me/permit-applications`: `{basis, photo_receipt_no, certificate_no?, school?,
/// delivery: {pickup_point} | {mail_address}}`. `certificate_no` is required for `talent`,
/// `school` for `student` (and refused for the other bases).
pub fn application_request(f: &mut Fields) -> Option<ApplicationRequest> {
    let basis = f.required("basis", Basis::parse);
    let photo = f.required("photo_receipt_no", photo_receipt_no);
    let has_certificate = f.has("certificate_no");
    let has_school = f.has("school");
    let certificate_no = f.optional("certificate_no", |v| {
        text(
            v,
            2,
            64,
            "INVALID_CERTIFICATE_NO",
            "证书编号须为2至64个字符",
        )
    });
    let school = f.optional("school", |v| {
        text(v, 2, 100, "INVALID_SCHOOL", "学校名称须为2至100个字符")
    });
    let delivery = f.required_object("delivery", |d| {
        let pickup = d.has("pickup_point");
        let mail = d.has("mail_address");
        match (pickup, mail) {
            (true, false) => d
                .required("pickup_point", StreetCode::parse)
                .map(|street| Delivery::PickupPoint(street.as_str().to_owned())),
            (false, true) => d
                .required("mail_address", |v| {
                    text(v, 5, 200, "INVALID_ADDRESS", "邮寄地址须为5至200个字符")
                })
                .map(Delivery::MailAddress),
            _ => {
                // One mistake, one error: both keys (or neither) given; neither is "unknown".
                d.discard("pickup_point");
                d.discard("mail_address");
                d.push(FieldError::new(
                    "delivery",
                    "ONE_OF",
                    "请在受理点领取与邮寄中选择一种领取方式",
                ));
                None
            }
        }
    });
    let basis = basis?;
    let required = |f: &mut Fields, field: &str, message: &str| {
        f.push(FieldError::new(field, "REQUIRED", message));
    };
    match basis {
        Basis::Talent if !has_certificate => {
            required(f, "certificate_no", "人才引进类申请须填写证书编号");
            return None;
        }
        Basis::Student if !has_school => {
            required(f, "school", "在校学生类申请须填写学校名称");
            return None;
        }
        _ => {}
    }
    let misplaced = match basis {
        Basis::Talent => has_school.then_some("school"),
        Basis::Student => has_certificate.then_some("certificate_no"),
        Basis::Standard => has_certificate
            .then_some("certificate_no")
            .or(has_school.then_some("school")),
    };
    if let Some(field) = misplaced {
        f.push(FieldError::new(
            field,
            "NOT_ALLOWED",
            "该申请类别不需要此项",
        ));
        return None;
    }
    Some(ApplicationRequest {
        basis,
        photo_receipt_no: photo?,
        certificate_no,
        school,
        delivery: delivery?,
    })
}
/// `POST /v1/unit/permit-applications`: `{employee: {real_name, id_type, id_number, phone},
/// authorization_no, …}` and the fields of the holder's own application.
pub fn unit_application(f: &mut Fields) -> Option<UnitApplication> {
    let employee = f.required_object("employee", |e| {
        let real_name = e.required("real_name", crate::domain::account::RealName::parse);
        let id_type = e.required_raw("id_type");
        let id_number = e.required_raw("id_number");
        let phone = e.required("phone", crate::domain::phone::PhoneNumber::parse);
        let document = match (id_type, id_number) {
            (Some(t), Some(n)) => crate::domain::id_document::IdDocument::parse_fields(&t, &n)
                .map_err(|error| {
                    let field = format!("employee.{}", error.field);
                    e.push(FieldError::new(field, error.code, error.message))
                })
                .ok(),
            _ => None,
        };
        Some(Employee {
            real_name: real_name?,
            document: document?,
            phone: phone?,
        })
    });
    let authorization_no = f.required("authorization_no", |v| {
        text(
            v,
            2,
            64,
            "INVALID_AUTHORIZATION_NO",
            "委托书编号须为2至64个字符",
        )
    });
    let application = application_request(f);
    Some(UnitApplication {
        employee: employee?,
        authorization_no: authorization_no?,
        application: application?,
    })
}

/// `POST /v1/permit-applications/{application_id}/consent`: `{consent}`, true or false.
pub fn consent(f: &mut Fields) -> Option<bool> {
    f.required_bool("consent")
}

/// `POST /v1/staff/permit-applications/{id}/decision`: `{approve, reason?}`; a refusal needs its
/// reason (the 2015 platform's users complained of refusals without one).
pub fn decision(f: &mut Fields) -> Option<Decision> {
    let approve = f.required_bool("approve");
    let reason = f.optional("reason", |v| {
        text(v, 2, 200, "INVALID_REASON", "原因须为2至200个字符")
    });
    let reason_given = f.has("reason");
    let approve = approve?;
    if reason_given && reason.is_none() {
        return None;
    }
    if !approve && reason.is_none() {
        f.push(FieldError::new(
            "reason",
            "REQUIRED",
            "不予受理时须填写原因",
        ));
        return None;
    }
    Some(Decision { approve, reason })
}

/// `POST /v1/staff/permit-applications/{id}/progress`: `{step}`, one of the steps after approval.
pub fn progress_step(f: &mut Fields) -> Option<ApplicationStatus> {
    f.required("step", |v| {
        ApplicationStatus::parse_step(v).ok_or_else(|| {
            crate::invalid::Invalid::new(
                "INVALID_STEP",
                "办理进度须为已制证、待领取、已邮寄或已领取",
            )
        })
    })
}

/// `POST /v1/staff/permits/{permit_no}/cancellation`: `{reason}`, 2 to 200 characters.
pub fn cancellation_reason(f: &mut Fields) -> Option<String> {
    f.required("reason", |v| {
        text(v, 2, 200, "INVALID_REASON", "注销原因须为2至200个字符")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use serde_json::json;

    #[test]
    fn a_delivery_with_both_ways_or_neither_is_one_error() {
        for delivery in [
            json!({"pickup_point": "440305001", "mail_address": "深圳市南山区某路1号"}),
            json!({}),
        ] {
            let mut f = Fields::of(json!({
                "basis": "standard", "photo_receipt_no": "PR2026A1", "delivery": delivery,
            }));
            assert!(application_request(&mut f).is_none());
            let Err(ApiError::Validation(errors)) = f.finish() else {
                panic!("refused")
            };
            let found: Vec<(&str, &str)> =
                errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
            assert_eq!(found, [("delivery", "ONE_OF")], "{delivery}");
        }
    }

    #[test]
    fn consent_is_true_or_false() {
        assert_eq!(
            consent(&mut Fields::of(json!({"consent": true}))),
            Some(true)
        );
        assert_eq!(
            consent(&mut Fields::of(json!({"consent": false}))),
            Some(false)
        );
        for bad in [json!({}), json!({"consent": "yes"}), json!({"consent": 1})] {
            let mut f = Fields::of(bad.clone());
            assert_eq!(consent(&mut f), None, "{bad}");
            assert!(f.finish().is_err(), "{bad}");
        }
        let mut f = Fields::of(json!({"consent": true, "reason": "x"}));
        assert_eq!(consent(&mut f), Some(true));
        assert!(f.finish().is_err(), "an unknown field is refused");
    }
}
