//! The bodies of a house link (`POST /v1/me/houses`, and each of `houses` where accounts and
//! units are opened) and of a staff decision on one.

use crate::domain::address::{
    BuildingCode, DeclarantType, DetailedAddress, HouseCode, Room, StreetCode,
};
use crate::domain::text::text;
use crate::error::{FieldError, Invalid};
use crate::http::Fields;
use crate::services::house_links::{DecisionRequest, LinkRequest, NewHouse, RequestedTarget};

/// Reads one link body: `declarant_type` and exactly one of `house_id` / `manual_address`.
pub fn link_request(f: &mut Fields, prefix: &str) -> Option<LinkRequest> {
    let declarant_type = f.required("declarant_type", DeclarantType::parse);
    let has_house = f.has("house_id");
    let has_manual = f.has("manual_address");
    let house = f.optional("house_id", HouseCode::parse);
    let manual = f.optional_object("manual_address", |m| {
        let district = m.required("district", parse_area_code);
        let street = m.required("street", StreetCode::parse);
        let address = m.required("address", DetailedAddress::parse);
        Some(RequestedTarget::Manual {
            district: district?,
            street: street?,
            address: address?,
        })
    });
    if has_house && has_manual {
        f.push(FieldError::new(
            format!("{prefix}manual_address"),
            "EXCLUSIVE",
            "选择已有房屋与手工填写地址只能二选一",
        ));
        return None;
    }
    if !has_house && !has_manual {
        f.push(FieldError::new(
            format!("{prefix}house_id"),
            "REQUIRED",
            "请选择房屋，或手工填写地址",
        ));
        return None;
    }
    let target = house.map(RequestedTarget::House).or(manual)?;
    Some(LinkRequest {
        declarant_type: declarant_type?,
        target,
        prefix: prefix.to_owned(),
    })
}

fn parse_area_code(value: &str) -> Result<String, Invalid> {
    let code = value.trim();
    if (1..=16).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        Ok(code.to_owned())
    } else {
        Err(Invalid::new(
            "INVALID_DISTRICT",
            "没有这个区，请从深圳市的区中选择",
        ))
    }
}

pub fn decision_request(f: &mut Fields) -> Option<DecisionRequest> {
    let approve = f.required_bool("approve");
    let reason = f.optional("reason", |v| {
        text(v, 2, 200, "INVALID_REASON", "驳回原因须为2至200个字符")
    });
    let reason_given = f.has("reason");
    let has_house = f.has("house_id");
    let has_new = f.has("new_house");
    let house_id = f.optional("house_id", HouseCode::parse);
    let new_house = f.optional_object("new_house", |h| {
        let building_id = h.required("building_id", BuildingCode::parse);
        let room = h.required("room", Room::parse);
        let house_code = h.required("house_code", HouseCode::parse);
        let (building_id, room, house_code) = (building_id?, room?, house_code?);
        if !house_code.is_in(&building_id) {
            h.push(
                Invalid::new("NOT_IN_BUILDING", "房屋编码须以楼栋编码开头")
                    .at("new_house.house_code"),
            );
            return None;
        }
        Some(NewHouse {
            building_id,
            room,
            house_code,
        })
    });
    let approve = approve?;
    let invalid = (reason_given && reason.is_none())
        || (has_house && house_id.is_none())
        || (has_new && new_house.is_none());
    if invalid {
        return None;
    }
    if !approve && reason.is_none() {
        f.push(FieldError::new("reason", "REQUIRED", "驳回时须填写原因"));
        return None;
    }
    if !approve && (has_house || has_new) {
        f.push(FieldError::new(
            if has_house { "house_id" } else { "new_house" },
            "NOT_ALLOWED",
            "驳回时不能指定房屋",
        ));
        return None;
    }
    if has_house && has_new {
        f.push(FieldError::new(
            "new_house",
            "EXCLUSIVE",
            "选择已有房屋与新建房屋只能二选一",
        ));
        return None;
    }
    Some(DecisionRequest {
        approve,
        reason,
        house_id,
        new_house,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use serde_json::json;

    fn errors(f: Fields) -> Vec<(String, &'static str)> {
        match f.finish() {
            Ok(()) => Vec::new(),
            Err(ApiError::Validation(errors)) => {
                errors.into_iter().map(|e| (e.field, e.code)).collect()
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_link_names_a_house_or_an_address_not_both() {
        let mut f =
            Fields::of(json!({"house_id": "4403070030030400042000003", "declarant_type": "self"}));
        let request = link_request(&mut f, "").unwrap();
        assert!(matches!(request.target, RequestedTarget::House(_)));
        assert_eq!(request.declarant_type, DeclarantType::SelfOwner);
        assert!(errors(f).is_empty());

        let mut f = Fields::of(json!({
            "declarant_type": "lessor",
            "manual_address": {"district": "440307-DP", "street": "440307009", "address": "葵涌街道 某路 1 号"},
        }));
        let request = link_request(&mut f, "houses[1].").unwrap();
        let RequestedTarget::Manual {
            district, street, ..
        } = request.target
        else {
            panic!()
        };
        assert_eq!(
            (district.as_str(), street.as_str()),
            ("440307-DP", "440307009")
        );

        let mut f = Fields::of(json!({"declarant_type": "lessor"}));
        assert!(link_request(&mut f, "").is_none());
        assert_eq!(errors(f), [("house_id".to_owned(), "REQUIRED")]);

        let mut f = Fields::of(json!({
            "house_id": "4403070030030400042000003",
            "declarant_type": "lessor",
            "manual_address": {"district": "440303", "street": "440303001", "address": "x"},
        }));
        assert!(link_request(&mut f, "").is_none());
        let got = errors(f);
        assert!(got.contains(&("manual_address.address".to_owned(), "INVALID_ADDRESS")));
        assert!(got.contains(&("manual_address".to_owned(), "EXCLUSIVE")));
    }

    #[test]
    fn decisions_reject_with_a_reason_and_approve_onto_a_house() {
        let mut f = Fields::of(json!({"approve": false, "reason": "材料不全"}));
        let decision = decision_request(&mut f).unwrap();
        assert!(!decision.approve);
        assert_eq!(decision.reason.as_deref(), Some("材料不全"));

        let mut f = Fields::of(json!({"approve": false}));
        assert!(decision_request(&mut f).is_none());
        assert_eq!(errors(f), [("reason".to_owned(), "REQUIRED")]);

        let mut f = Fields::of(json!({"approve": true, "new_house": {
            "building_id": "4403070030030400042", "room": "901", "house_code": "4403070030030400042000901"}}));
        let decision = decision_request(&mut f).unwrap();
        assert_eq!(decision.new_house.unwrap().room.as_str(), "901");

        let mut f = Fields::of(json!({"approve": true, "new_house": {
            "building_id": "4403070030030400042", "room": "901", "house_code": "4403070030030400043000901"}}));
        assert!(decision_request(&mut f).is_none());
        assert_eq!(
            errors(f),
            [("new_house.house_code".to_owned(), "NOT_IN_BUILDING")]
        );

        let mut f = Fields::of(
            json!({"approve": true, "house_id": "4403070030030400042000003",
            "new_house": {"building_id": "4403070030030400042", "room": "1", "house_code": "4403070030030400042000001"}}),
        );
        assert!(decision_request(&mut f).is_none());
        assert_eq!(errors(f), [("new_house".to_owned(), "EXCLUSIVE")]);
    }
}
