//! `GET /v1/buildings/{building_id}/houses?room=` (public): a building's houses, optionally those
//! whose room number starts with `room`.

use lambda_http::Request;
use shared::AppContext;
use shared::domain::address::{BuildingCode, Room};
use shared::error::ApiError;
use shared::http::pagination::{self, list_response};
use shared::http::request::{path_param, query_param};
use shared::http::response::{ApiResult, reference_data, with_quota};
use shared::services::{addresses, public_reads};

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let quota = public_reads::admit(ctx, &super::public_caller(ctx, &req).await).await?;
    let building =
        BuildingCode::parse(&path_param(&req, "building_id")?).map_err(|_| ApiError::NotFound)?;
    let room = Room::parse_prefix(&query_param(&req, "room").unwrap_or_default())
        .map_err(|e| ApiError::validation(e.at("room")))?;
    let scope = format!("houses|{building}|{}", room.as_str());
    let page = pagination::page_request(ctx, &req, &scope)?;
    let found = addresses::houses(ctx, &building, &room, &page).await?;
    with_quota(reference_data(list_response(ctx, &scope, &found)), &quota)
}
