//! `GET /v1/districts` (public): the districts (大鹏新区 as its own area) with their streets.

use lambda_http::Request;
use serde_json::json;
use shared::AppContext;
use shared::http::pagination::{Page, PageRequest, list_response};
use shared::http::response::ApiResult;
use shared::services::public_reads;
use shared::store::address;

const SCOPE: &str = "districts";

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    public_reads::admit(ctx, &req).await?;
    let page = PageRequest::from_request(ctx, &req, SCOPE)?;
    let districts = address::districts(ctx).await?;
    let offset = page
        .after
        .as_ref()
        .and_then(|p| p["offset"].as_u64())
        .unwrap_or(0) as usize;
    let end = (offset + page.limit as usize).min(districts.districts.len());
    let items = districts
        .districts
        .get(offset..end)
        .unwrap_or_default()
        .to_vec();
    let next = (end < districts.districts.len()).then(|| json!({ "offset": end }));
    list_response(
        ctx,
        SCOPE,
        &Page {
            items,
            next,
            read_units: 0.0,
        },
    )
}
