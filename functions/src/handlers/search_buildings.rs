//! `GET /v1/buildings?district=&street=&q=` (public): a street's buildings, by part of their name
//! or a prefix of their code.

use lambda_http::Request;
use shared::AppContext;
use shared::domain::address::{BuildingQuery, StreetCode};
use shared::error::{ApiError, FieldError};
use shared::http::pagination::{PageRequest, list_response};
use shared::http::request::query_param;
use shared::http::response::ApiResult;
use shared::services::public_reads;
use shared::store::address;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    public_reads::admit(ctx, &req).await?;
    let districts = address::districts(ctx).await?;
    let mut errors = Vec::new();
    let query = BuildingQuery::parse(&query_param(&req, "q").unwrap_or_default())
        .map_err(|e| errors.push(e.at("q")))
        .ok();
    let street = query_param(&req, "street")
        .filter(|s| !s.trim().is_empty())
        .map(|text| {
            StreetCode::parse(&text)
                .ok()
                .filter(|code| districts.area_of(code).is_some())
                .ok_or_else(|| {
                    errors.push(FieldError::new(
                        "street",
                        "UNKNOWN_STREET",
                        "没有这个街道，请使用 GET /v1/districts 返回的街道 code",
                    ))
                })
        })
        .and_then(Result::ok);
    // A code prefix long enough names its street by itself.
    let street = street.or_else(|| match &query {
        Some(BuildingQuery::CodePrefix(prefix)) if prefix.len() >= StreetCode::LEN => {
            StreetCode::parse(&prefix[..StreetCode::LEN]).ok()
        }
        _ => None,
    });
    let district = query_param(&req, "district").filter(|d| !d.trim().is_empty());
    if let Some(code) = &district {
        match districts.area(code.trim()) {
            None => errors.push(FieldError::new(
                "district",
                "UNKNOWN_DISTRICT",
                "没有这个区，请使用 GET /v1/districts 返回的 code",
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
        errors.push(FieldError::new(
            "street",
            "REQUIRED",
            "请选择街道（或输入至少9位的楼栋编码）",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (Some(street), Some(query)) = (street, query) else {
        return Err(ApiError::Internal);
    };
    let scope = format!("buildings|{street}|{query:?}");
    let page = PageRequest::from_request(ctx, &req, &scope)?;
    let found = address::search_buildings(ctx, &street, &query, &page).await?;
    tracing::info!(
        read_units = found.read_units,
        count = found.items.len(),
        "buildings searched"
    );
    list_response(ctx, &scope, &found)
}
