//! Linking houses to accounts (F12, F13), staff review (F14) and deregistration (F15).

use std::collections::HashSet;

use serde::Serialize;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::account::{AccountType, Role};
use crate::domain::address::{
    BuildingCode, DeclarantType, DetailedAddress, HouseCode, Room, StreetCode,
};
use crate::error::{ApiError, FieldError, Invalid};
use crate::http::Fields;
use crate::http::pagination::{Page, PageRequest};
use crate::store::address::{self, House};
use crate::store::house_links::{
    self, Decision, LinkRecord, LinkStatus, LinkedHouse, ManualAddress, ResidentsJob, Target,
};
use crate::store::{Clash, StoreError, keys, registrations};

use super::conflicts;

/// A link as its account (and staff) see it.
#[derive(Debug, Serialize)]
pub struct LinkView {
    pub link_id: String,
    pub status: LinkStatus,
    pub declarant_type: DeclarantType,
    /// 申报人类型 in Chinese.
    pub declarant_type_label: &'static str,
    /// The house (absent for a hand-written address not yet placed on a house by staff).
    pub house: Option<LinkedHouse>,
    pub manual_address: Option<ManualAddress>,
    /// Why staff rejected the link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deregistered_on: Option<String>,
    /// For a deregistered link whose residents are deregistered with it: `in_progress` until
    /// every resident is done (repeat the request to finish), then `completed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residents_deregistration: Option<&'static str>,
}

/// What staff see: the link and whose it is.
#[derive(Debug, Serialize)]
pub struct StaffLinkView {
    pub account_id: String,
    #[serde(flatten)]
    pub link: LinkView,
}

impl From<&LinkRecord> for LinkView {
    fn from(link: &LinkRecord) -> Self {
        Self {
            link_id: link.link_id.clone(),
            status: link.status,
            declarant_type: link.declarant_type,
            declarant_type_label: link.declarant_type.label(),
            house: link.house.clone(),
            manual_address: link.manual_address.clone(),
            reason: link.reason.clone(),
            created_at: link.created_at.clone(),
            decided_at: link.decided_at.clone(),
            deregistered_on: link.deregistered_on.clone(),
            residents_deregistration: link.residents_job.as_ref().map(|_| "in_progress"),
        }
    }
}

impl From<&LinkRecord> for StaffLinkView {
    fn from(link: &LinkRecord) -> Self {
        Self {
            account_id: link.account_id.clone(),
            link: LinkView::from(link),
        }
    }
}

// ------------------------------------------------------------------ requests

/// What a link request points at, validated for its shape.
#[derive(Debug, Clone)]
pub enum RequestedTarget {
    House(HouseCode),
    Manual {
        district: String,
        street: StreetCode,
        address: DetailedAddress,
    },
}

/// The body of `POST /v1/me/houses` (and of each item of `houses` in `POST /v1/accounts`).
#[derive(Debug, Clone)]
pub struct LinkRequest {
    pub declarant_type: DeclarantType,
    pub target: RequestedTarget,
    /// Where the body sat in the request (`""` or `houses[2].`), for field names in errors.
    pub prefix: String,
}

impl LinkRequest {
    /// Reads one link body: `declarant_type` and exactly one of `house_id` / `manual_address`.
    pub fn from_fields(f: &mut Fields, prefix: &str) -> Option<Self> {
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
                "选择房屋（house_id）与手工填写地址（manual_address）只能二选一",
            ));
            return None;
        }
        if !has_house && !has_manual {
            f.push(FieldError::new(
                format!("{prefix}house_id"),
                "REQUIRED",
                "请选择房屋（house_id），或手工填写地址（manual_address）",
            ));
            return None;
        }
        let target = house.map(RequestedTarget::House).or(manual)?;
        Some(Self {
            declarant_type: declarant_type?,
            target,
            prefix: prefix.to_owned(),
        })
    }
}

/// Links staff approve as they make them (an account or a unit opened at the counter) must name
/// a house of the reference data: a hand-written address needs the review that places it.
pub fn require_listed_houses(requests: &[LinkRequest]) -> Result<(), ApiError> {
    let manual: Vec<FieldError> = requests
        .iter()
        .filter(|r| matches!(r.target, RequestedTarget::Manual { .. }))
        .map(|r| {
            FieldError::new(
                format!("{}manual_address", r.prefix),
                "NOT_ALLOWED",
                "受理点开户时请选择已有房屋（house_id）",
            )
        })
        .collect();
    if manual.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(manual))
    }
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
            "区编码无效，请使用 GET /v1/districts 返回的 code",
        ))
    }
}

/// Only accounts that manage houses may link them: residence-registration individuals and unit
/// administrators (sub-accounts declare for houses their administrator assigns).
pub fn require_house_manager(principal: &Principal) -> Result<(), ApiError> {
    principal.require_type(AccountType::ResidenceRegistration)?;
    match principal.role {
        Role::Individual | Role::Admin => Ok(()),
        _ => Err(ApiError::Forbidden("子账号不能维护房屋")),
    }
}

/// Staff only.
pub fn require_staff(principal: &Principal) -> Result<(), ApiError> {
    principal.require_type(AccountType::Staff)?;
    if principal.role == Role::Staff {
        Ok(())
    } else {
        Err(ApiError::Forbidden("仅受理点工作人员可以操作"))
    }
}

/// The snapshot a link keeps of its house.
async fn linked_house(ctx: &AppContext, house: &House) -> Result<Option<LinkedHouse>, ApiError> {
    let code = BuildingCode::parse(&house.building_id).map_err(|_| ApiError::Internal)?;
    Ok(address::get_building(ctx, &code)
        .await?
        .map(|building| LinkedHouse {
            house_id: house.house_id.clone(),
            house_code: house.house_code.clone(),
            room: house.room.clone(),
            building_id: building.building_id,
            building_name: building.name,
            address: building.address,
            street_code: building.street_code,
        }))
}

/// Checks that each requested house exists (or that a hand-written address names a real district
/// and street) and that no house is asked for twice; every problem is reported at once.
pub async fn resolve(
    ctx: &AppContext,
    requests: Vec<LinkRequest>,
) -> Result<Vec<(DeclarantType, Target)>, ApiError> {
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut resolved = Vec::new();
    for request in requests {
        let prefix = &request.prefix;
        match request.target {
            RequestedTarget::House(code) => {
                let house = match address::get_house(ctx, &code).await? {
                    Some(house) => linked_house(ctx, &house).await?,
                    None => None,
                };
                let Some(house) = house else {
                    errors.push(FieldError::new(
                        format!("{prefix}house_id"),
                        "HOUSE_NOT_FOUND",
                        "房屋不存在，请重新搜索，或手工填写地址",
                    ));
                    continue;
                };
                if !seen.insert(keys::house_claim(&house.house_code)) {
                    errors.push(duplicate(format!("{prefix}house_id")));
                    continue;
                }
                resolved.push((request.declarant_type, Target::House(house)));
            }
            RequestedTarget::Manual {
                district,
                street,
                address: detailed,
            } => {
                let districts = address::districts(ctx).await?;
                let field = |name: &str| format!("{prefix}manual_address.{name}");
                let Some(area) = districts.area(&district) else {
                    errors.push(FieldError::new(
                        field("district"),
                        "UNKNOWN_DISTRICT",
                        "没有这个区，请使用 GET /v1/districts 返回的 code",
                    ));
                    continue;
                };
                let Some(street_area) = districts.area_of(&street) else {
                    errors.push(FieldError::new(
                        field("street"),
                        "UNKNOWN_STREET",
                        "没有这个街道，请使用 GET /v1/districts 返回的街道 code",
                    ));
                    continue;
                };
                if street_area.code != area.code {
                    errors.push(FieldError::new(
                        field("street"),
                        "STREET_NOT_IN_DISTRICT",
                        "该街道不属于所选的区",
                    ));
                    continue;
                }
                let manual = ManualAddress {
                    district: area.code.clone(),
                    street: street.as_str().to_owned(),
                    address: detailed.as_str().to_owned(),
                };
                if !seen.insert(keys::manual_claim(ctx, &manual.street, &manual.address)) {
                    errors.push(duplicate(field("address")));
                    continue;
                }
                resolved.push((request.declarant_type, Target::Manual(manual)));
            }
        }
    }
    if errors.is_empty() {
        Ok(resolved)
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn duplicate(field: String) -> FieldError {
    FieldError::new(field, "DUPLICATE", "同一房屋只能关联一次")
}

// ------------------------------------------------------------------ the account's own links

/// `POST /v1/me/houses`.
pub async fn create(
    ctx: &AppContext,
    principal: &Principal,
    request: LinkRequest,
) -> Result<LinkView, ApiError> {
    require_house_manager(principal)?;
    let (declarant_type, target) = resolve(ctx, vec![request])
        .await?
        .pop()
        .ok_or(ApiError::Internal)?;
    let link = LinkRecord::new(ctx, &principal.account_id, declarant_type, target);
    house_links::create(ctx, &link).await?;
    tracing::info!(account_id = %principal.account_id, link_id = %link.link_id, "house link requested");
    Ok(LinkView::from(&link))
}

/// `GET /v1/me/houses`.
pub async fn list(
    ctx: &AppContext,
    principal: &Principal,
    page: &PageRequest,
) -> Result<Page<LinkView>, ApiError> {
    if principal.role == Role::SubAccount {
        return crate::services::sub_accounts::assigned_links(ctx, principal, page).await;
    }
    require_house_manager(principal)?;
    Ok(house_links::list(ctx, &principal.account_id, page)
        .await?
        .map(|link| LinkView::from(&link)))
}

/// The caller's own link; anyone else's (or none) is 404.
pub async fn own_link(
    ctx: &AppContext,
    principal: &Principal,
    link_id: &str,
) -> Result<LinkRecord, ApiError> {
    require_house_manager(principal)?;
    if uuid::Uuid::parse_str(link_id).is_err() {
        return Err(ApiError::NotFound);
    }
    house_links::get(ctx, &principal.account_id, link_id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Any account's link, for staff (an unknown or malformed id is 404).
pub async fn staff_link(
    ctx: &AppContext,
    principal: &Principal,
    link_id: &str,
) -> Result<LinkRecord, ApiError> {
    require_staff(principal)?;
    if uuid::Uuid::parse_str(link_id).is_err() {
        return Err(ApiError::NotFound);
    }
    house_links::get_by_id(ctx, link_id)
        .await?
        .ok_or(ApiError::NotFound)
}

// ------------------------------------------------------------------ deregistration (F15)

/// `POST /v1/me/houses/{link_id}/deregistration`: ends the link and, when asked, moves its current
/// residents out as of today, each resident in one atomic write. Work that does not fit in the
/// time budget is left recorded on the link and finished by the next request (any of them: the
/// job is idempotent).
/// `link` is the caller's own ([`own_link`], obtained before the body is read).
pub async fn deregister(
    ctx: &AppContext,
    principal: &Principal,
    link: LinkRecord,
    deregister_residents: bool,
) -> Result<LinkView, ApiError> {
    let link_id = link.link_id.clone();
    let job = || ResidentsJob {
        moved_out_on: crate::clock::today_in_china(),
        started_at: crate::clock::rfc3339(crate::clock::now()),
    };
    let mut link = match link.status {
        LinkStatus::Pending | LinkStatus::Approved => {
            let link = house_links::deregister(ctx, &link, deregister_residents.then(job)).await?;
            tracing::info!(account_id = %principal.account_id, %link_id, "house link deregistered");
            link
        }
        LinkStatus::Rejected => {
            return Err(ApiError::Conflict {
                title: "已驳回的房屋关联无需注销",
                errors: Vec::new(),
            });
        }
        LinkStatus::Deregistered => {
            if deregister_residents && link.residents_job.is_none() {
                let job = job();
                house_links::start_residents_job(ctx, &link, &job).await?;
                // Whichever request started it, the stored job is the one to finish.
                house_links::get(ctx, &link.account_id, &link.link_id)
                    .await?
                    .ok_or(ApiError::NotFound)?
            } else {
                link
            }
        }
    };
    let mut completed = false;
    if let Some(job) = link.residents_job.clone() {
        completed = run_residents_job(ctx, &link, &job).await?;
        if completed {
            link.residents_job = None;
        }
    }
    let mut view = LinkView::from(&link);
    if completed {
        view.residents_deregistration = Some("completed");
    }
    Ok(view)
}

/// Works through the link's current residents until none is left (`true`) or the time budget is
/// spent (`false`; at least one resident is done per call, so every call makes progress).
pub async fn run_residents_job(
    ctx: &AppContext,
    link: &LinkRecord,
    job: &ResidentsJob,
) -> Result<bool, ApiError> {
    let deadline = std::time::Instant::now() + ctx.config.houses.deregistration_time_budget;
    let by = registrations::Actor {
        account_id: link.account_id.clone(),
        channel: crate::domain::registration::Channel::Online,
    };
    loop {
        let residents = registrations::current_under_link(ctx, &link.link_id, 25).await?;
        if residents.is_empty() {
            house_links::finish_residents_job(ctx, link).await?;
            return Ok(true);
        }
        for resident in &residents {
            crate::services::registrations::move_out_with_house(
                ctx,
                resident,
                job.moved_out_on,
                &by,
            )
            .await?;
            if std::time::Instant::now() >= deadline {
                tracing::info!(link_id = %link.link_id, "residents deregistration continues on the next request");
                return Ok(false);
            }
        }
    }
}

// ------------------------------------------------------------------ staff review (F14)

/// `GET /v1/staff/house-links?status=pending`.
pub async fn pending(
    ctx: &AppContext,
    principal: &Principal,
    page: &PageRequest,
) -> Result<Page<StaffLinkView>, ApiError> {
    require_staff(principal)?;
    Ok(house_links::pending(ctx, page)
        .await?
        .map(|link| StaffLinkView::from(&link)))
}

/// A house staff create for a hand-written address: its building must exist.
#[derive(Debug, Clone)]
pub struct NewHouse {
    pub building_id: BuildingCode,
    pub room: Room,
    pub house_code: HouseCode,
}

/// The body of `POST /v1/staff/house-links/{link_id}/decision`.
#[derive(Debug, Clone)]
pub struct DecisionRequest {
    pub approve: bool,
    pub reason: Option<String>,
    pub house_id: Option<HouseCode>,
    pub new_house: Option<NewHouse>,
}

impl DecisionRequest {
    pub fn from_fields(f: &mut Fields) -> Option<Self> {
        let approve = f.required_bool("approve");
        let reason = f.optional("reason", |v| {
            let reason = v.trim();
            match reason.chars().count() {
                2..=200 => Ok(reason.to_owned()),
                _ => Err(Invalid::new("INVALID_REASON", "驳回原因须为2至200个字符")),
            }
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
                "house_id 与 new_house 只能二选一",
            ));
            return None;
        }
        Some(Self {
            approve,
            reason,
            house_id,
            new_house,
        })
    }
}

fn field_error(field: &str, code: &'static str, message: &str) -> ApiError {
    ApiError::validation(FieldError::new(field, code, message))
}

/// `POST /v1/staff/house-links/{link_id}/decision`; `link` comes from [`staff_link`] (obtained
/// before the body is read).
pub async fn decide(
    ctx: &AppContext,
    principal: &Principal,
    link: LinkRecord,
    request: DecisionRequest,
) -> Result<StaffLinkView, ApiError> {
    if link.status != LinkStatus::Pending {
        return Err(ApiError::Conflict {
            title: "该房屋关联已处理，不能重复审核",
            errors: Vec::new(),
        });
    }
    let house_field = if request.new_house.is_some() {
        "new_house.house_code"
    } else {
        "house_id"
    };
    let decision = if !request.approve {
        let reason = request.reason.as_deref().ok_or(ApiError::Internal)?;
        let decision = Decision::Reject { reason };
        return finish_decision(ctx, principal, &link, decision, house_field).await;
    } else if let Some(house) = &link.house {
        if let Some(code) = &request.house_id
            && code.as_str() != house.house_code
        {
            return Err(field_error(
                "house_id",
                "HOUSE_MISMATCH",
                "该关联已指向另一房屋",
            ));
        }
        if request.new_house.is_some() {
            return Err(field_error(
                "new_house",
                "NOT_ALLOWED",
                "该关联已指向房屋，不能新建房屋",
            ));
        }
        Decision::Approve
    } else {
        let manual = link.manual_address.as_ref().ok_or(ApiError::Internal)?;
        place_manual_link(ctx, manual, &request).await?
    };
    finish_decision(ctx, principal, &link, decision, house_field).await
}

/// Writes the decision; `house_field` is the request field that named the house the link is
/// placed on (for the answer when the account has an active link to it already).
async fn finish_decision(
    ctx: &AppContext,
    principal: &Principal,
    link: &LinkRecord,
    decision: Decision<'_>,
    house_field: &str,
) -> Result<StaffLinkView, ApiError> {
    let decided = house_links::decide(ctx, link, &principal.account_id, decision)
        .await
        .map_err(|error| match error {
            StoreError::Conflict(clashes)
                if clashes.contains(&Clash::HouseAlreadyLinked)
                    && !clashes.contains(&Clash::LinkChanged) =>
            {
                conflicts::already_linked_at(house_field)
            }
            other => other.into(),
        })?;
    tracing::info!(staff_id = %principal.account_id, link_id = %decided.link_id, status = decided.status.as_str(), "house link decided");
    Ok(StaffLinkView::from(&decided))
}

/// Approving a hand-written address needs the house it is: an existing one or one created now,
/// in the street the citizen named.
async fn place_manual_link(
    ctx: &AppContext,
    manual: &ManualAddress,
    request: &DecisionRequest,
) -> Result<Decision<'static>, ApiError> {
    let (house, new_house, field) = match (&request.house_id, &request.new_house) {
        (Some(code), None) => {
            let house = address::get_house(ctx, code)
                .await?
                .ok_or_else(|| field_error("house_id", "HOUSE_NOT_FOUND", "房屋不存在"))?;
            (house, None, "house_id")
        }
        (None, Some(new)) => {
            let house = House::new(&new.house_code, &new.room, None);
            let item = address::house_item(&house)?;
            (house, Some(item), "new_house.building_id")
        }
        _ => {
            return Err(field_error(
                "house_id",
                "REQUIRED",
                "手工填写的地址须指定已有房屋（house_id）或新建房屋（new_house）后才能通过",
            ));
        }
    };
    let Some(linked) = linked_house(ctx, &house).await? else {
        return Err(field_error(field, "BUILDING_NOT_FOUND", "楼栋不存在"));
    };
    if linked.street_code != manual.street {
        return Err(field_error(
            field,
            "STREET_MISMATCH",
            "该房屋与申报人填写的地址不在同一街道",
        ));
    }
    Ok(Decision::ApproveOnto {
        house: Box::new(linked),
        new_house,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let request = LinkRequest::from_fields(&mut f, "").unwrap();
        assert!(matches!(request.target, RequestedTarget::House(_)));
        assert_eq!(request.declarant_type, DeclarantType::SelfOwner);
        assert!(errors(f).is_empty());

        let mut f = Fields::of(json!({
            "declarant_type": "lessor",
            "manual_address": {"district": "440307-DP", "street": "440307009", "address": "葵涌街道 某路 1 号"},
        }));
        let request = LinkRequest::from_fields(&mut f, "houses[1].").unwrap();
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
        assert!(LinkRequest::from_fields(&mut f, "").is_none());
        assert_eq!(errors(f), [("house_id".to_owned(), "REQUIRED")]);

        let mut f = Fields::of(json!({
            "house_id": "4403070030030400042000003",
            "declarant_type": "lessor",
            "manual_address": {"district": "440303", "street": "440303001", "address": "x"},
        }));
        assert!(LinkRequest::from_fields(&mut f, "").is_none());
        let got = errors(f);
        assert!(got.contains(&("manual_address.address".to_owned(), "INVALID_ADDRESS")));
        assert!(got.contains(&("manual_address".to_owned(), "EXCLUSIVE")));
    }

    #[test]
    fn decisions_reject_with_a_reason_and_approve_onto_a_house() {
        let mut f = Fields::of(json!({"approve": false, "reason": "材料不全"}));
        let decision = DecisionRequest::from_fields(&mut f).unwrap();
        assert!(!decision.approve);
        assert_eq!(decision.reason.as_deref(), Some("材料不全"));

        let mut f = Fields::of(json!({"approve": false}));
        assert!(DecisionRequest::from_fields(&mut f).is_none());
        assert_eq!(errors(f), [("reason".to_owned(), "REQUIRED")]);

        let mut f = Fields::of(json!({"approve": true, "new_house": {
            "building_id": "4403070030030400042", "room": "901", "house_code": "4403070030030400042000901"}}));
        let decision = DecisionRequest::from_fields(&mut f).unwrap();
        assert_eq!(decision.new_house.unwrap().room.as_str(), "901");

        let mut f = Fields::of(json!({"approve": true, "new_house": {
            "building_id": "4403070030030400042", "room": "901", "house_code": "4403070030030400043000901"}}));
        assert!(DecisionRequest::from_fields(&mut f).is_none());
        assert_eq!(
            errors(f),
            [("new_house.house_code".to_owned(), "NOT_IN_BUILDING")]
        );

        let mut f = Fields::of(
            json!({"approve": true, "house_id": "4403070030030400042000003",
            "new_house": {"building_id": "4403070030030400042", "room": "1", "house_code": "4403070030030400042000001"}}),
        );
        assert!(DecisionRequest::from_fields(&mut f).is_none());
        assert_eq!(errors(f), [("new_house".to_owned(), "EXCLUSIVE")]);
    }
}
