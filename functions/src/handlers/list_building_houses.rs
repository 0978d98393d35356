//! `GET /v1/buildings/{building_id}/houses?room=` (public): a building's houses, optionally those
//! whose room number starts with `room`.

use lambda_http::Request;
use shared::AppContext;
use shared::domain::address::{BuildingCode, Room};
use shared::error::ApiError;
use shared::http::pagination::{PageRequest, list_response};
use shared::http::request::{path_param, query_param};
use shared::http::response::ApiResult;
use shared::services::public_reads;
use shared::store::address;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    public_reads::admit(ctx, &req).await?;
    let building =
        BuildingCode::parse(&path_param(&req, "building_id")?).map_err(|_| ApiError::NotFound)?;
    let room = Room::parse_prefix(&query_param(&req, "room").unwrap_or_default())
        .map_err(|e| ApiError::validation(e.at("room")))?;
    let scope = format!("houses|{building}|{}", room.as_str());
    let page = PageRequest::from_request(ctx, &req, &scope)?;
    let found = address::houses(ctx, &building, &room, &page).await?;
    // An empty first page may mean there is no such building: tell the two apart only then.
    if found.items.is_empty()
        && page.after.is_none()
        && address::get_building(ctx, &building).await?.is_none()
    {
        return Err(ApiError::NotFound);
    }
    tracing::info!(
        read_units = found.read_units,
        count = found.items.len(),
        "houses listed"
    );
    list_response(ctx, &scope, &found)
}
