//! Linking houses to accounts (F12, F13), staff review (F14) and deregistration (F15).

use std::collections::HashSet;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::account::Role;
use crate::domain::address::{
    BuildingCode, DeclarantType, DetailedAddress, HouseCode, Room, StreetCode,
};
use crate::domain::house_link::LinkStatus;
use crate::error::{ApiError, Existing, FieldError};
use crate::store::address::{self, House};
use crate::store::house_links::{self, Decision, LinkRecord, LinkedHouse, ManualAddress, Target};
use crate::store::{Clash, StoreError, keys};
use crate::store::{Page, PageRequest};

use super::authorization::{require_house_manager, require_staff};
use super::conflicts;
use super::views::house_link::{LinkView, StaffLinkView};

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
                "受理点开户时请选择已有的房屋",
            )
        })
        .collect();
    if manual.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(manual))
    }
}

/// The snapshot a link keeps of its house.
async fn linked_house(ctx: &AppContext, house: &House) -> Result<Option<LinkedHouse>, ApiError> {
    let code = BuildingCode::parse(&house.building_id).map_err(|_| ApiError::Internal)?;
    Ok(address::get_building(&ctx.db, &code)
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
                let house = match address::get_house(&ctx.db, &code).await? {
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
                let districts = address::districts(&ctx.db).await?;
                let field = |name: &str| format!("{prefix}manual_address.{name}");
                let Some(area) = districts.area(&district) else {
                    errors.push(FieldError::new(
                        field("district"),
                        "UNKNOWN_DISTRICT",
                        "没有这个区，请从深圳市的区中选择",
                    ));
                    continue;
                };
                let Some(street_area) = districts.area_of(&street) else {
                    errors.push(FieldError::new(
                        field("street"),
                        "UNKNOWN_STREET",
                        "没有这个街道，请从所选区的街道中选择",
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
                if !seen.insert(keys::manual_claim(&ctx.db, &manual.street, &manual.address)) {
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
    let link = LinkRecord::new(&ctx.db, &principal.account_id, declarant_type, target);
    match house_links::create(&ctx.db, &link).await {
        Ok(()) => {}
        Err(error) if error.is(Clash::HouseAlreadyLinked) => {
            // The caller's own active link to the house: a retry whose answer was lost finds it.
            let existing = house_links::holder_of_claim(&ctx.db, &link).await?;
            return Err(conflicts::already_linked().naming(Existing {
                kind: "house_link",
                own: true,
                id: existing,
                location: None,
            }));
        }
        Err(error) => return Err(error.into()),
    }
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
    Ok(house_links::list(&ctx.db, &principal.account_id, page)
        .await?
        .map(|link| LinkView::from(&link)))
}

// ------------------------------------------------------------------ staff review (F14)

/// `GET /v1/staff/house-links?status=pending`.
pub async fn pending(
    ctx: &AppContext,
    principal: &Principal,
    page: &PageRequest,
) -> Result<Page<StaffLinkView>, ApiError> {
    require_staff(principal)?;
    Ok(house_links::pending(&ctx.db, page)
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
    let decided = house_links::decide(&ctx.db, link, &principal.account_id, decision)
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
            let house = address::get_house(&ctx.db, code)
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
                "手工填写的地址须先对应到已有房屋或新建房屋，才能通过",
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
