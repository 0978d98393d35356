//! Reference addresses (F11): districts and streets, buildings by street and name or code, a
//! building's houses.

use std::sync::Arc;

use crate::context::AppContext;
use crate::domain::address::{BuildingCode, BuildingQuery, Room, StreetCode};
use crate::domain::districts::Districts;
use crate::error::{ApiError, FieldError, Invalid};
use crate::store::address::{self, Building, House};
use crate::store::{Page, PageRequest};

/// The districts and their streets.
pub async fn districts(ctx: &AppContext) -> Result<Arc<Districts>, ApiError> {
    Ok(address::districts(&ctx.db).await?)
}

/// What a building search asks, as typed: `district` and `street` codes (either may be empty) and
/// `q`, part of a name or a prefix of a code.
pub struct BuildingSearch<'a> {
    pub district: Option<&'a str>,
    pub street: Option<&'a str>,
    pub q: &'a str,
}

/// The street a search runs in and what it looks for; every wrong part named at once. A code
/// prefix long enough names its street by itself.
pub async fn resolve_search(
    ctx: &AppContext,
    search: &BuildingSearch<'_>,
) -> Result<(StreetCode, BuildingQuery), ApiError> {
    let districts = districts(ctx).await?;
    let mut errors = Vec::new();
    let query = BuildingQuery::parse(search.q)
        .map_err(|e| errors.push(e.at("q")))
        .ok();
    let street = search
        .street
        .filter(|s| !s.trim().is_empty())
        .map(|text| {
            StreetCode::parse(text)
                .ok()
                .filter(|code| districts.area_of(code).is_some())
                .ok_or_else(|| {
                    errors.push(FieldError::new(
                        "street",
                        "UNKNOWN_STREET",
                        "没有这个街道，请从所选区的街道中选择",
                    ))
                })
        })
        .and_then(Result::ok);
    let street = street.or_else(|| match &query {
        Some(BuildingQuery::CodePrefix(prefix)) if prefix.len() >= StreetCode::LEN => {
            StreetCode::parse(&prefix[..StreetCode::LEN]).ok()
        }
        _ => None,
    });
    if let Some(code) = search.district.filter(|d| !d.trim().is_empty()) {
        match districts.area(code.trim()) {
            None => errors.push(FieldError::new(
                "district",
                "UNKNOWN_DISTRICT",
                "没有这个区，请从深圳市的区中选择",
            )),
            Some(area) => {
                if let Some(street) = &street
                    && districts.area_of(street).map(|a| &a.code) != Some(&area.code)
                {
                    errors.push(FieldError::new(
                        "street",
                        "STREET_NOT_IN_DISTRICT",
                        "该街道不属于所选的区",
                    ));
                }
            }
        }
    }
    if street.is_none() && errors.is_empty() {
        errors.push(Invalid::new("REQUIRED", "请选择街道（或输入至少9位的楼栋编码）").at("street"));
    }
    match (street, query) {
        (Some(street), Some(query)) if errors.is_empty() => Ok((street, query)),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// A page of the street's buildings that match the query.
pub async fn search_buildings(
    ctx: &AppContext,
    street: &StreetCode,
    query: &BuildingQuery,
    page: &PageRequest,
) -> Result<Page<Building>, ApiError> {
    let found = address::search_buildings(&ctx.db, street, query, page).await?;
    tracing::info!(
        read_units = found.read_units,
        count = found.items.len(),
        "buildings searched"
    );
    Ok(found)
}

/// A page of the building's houses whose room number starts with `room`; an unknown building is
/// 404.
pub async fn houses(
    ctx: &AppContext,
    building: &BuildingCode,
    room: &Room,
    page: &PageRequest,
) -> Result<Page<House>, ApiError> {
    let found = address::houses(&ctx.db, building, room, page).await?;
    // An empty first page may mean there is no such building: tell the two apart only then.
    if found.items.is_empty()
        && page.after.is_none()
        && address::get_building(&ctx.db, building).await?.is_none()
    {
        return Err(ApiError::NotFound);
    }
    tracing::info!(
        read_units = found.read_units,
        count = found.items.len(),
        "houses listed"
    );
    Ok(found)
}
