//! `GET /v1/buildings?district=&street=&q=` (public): a street's buildings, by part of their name
//! or a prefix of their code.

use lambda_http::Request;
use shared::AppContext;
use shared::http::pagination::{self, list_response};
use shared::http::request::query_param;
use shared::http::response::{ApiResult, reference_data, with_quota};
use shared::services::addresses::{self, BuildingSearch};
use shared::services::public_reads;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let quota = public_reads::admit(ctx, &super::public_caller(ctx, &req).await).await?;
    let (district, street, q) = (
        query_param(&req, "district"),
        query_param(&req, "street"),
        query_param(&req, "q").unwrap_or_default(),
    );
    let search = BuildingSearch {
        district: district.as_deref(),
        street: street.as_deref(),
        q: &q,
    };
    let (street, query) = addresses::resolve_search(ctx, &search).await?;
    let scope = format!("buildings|{street}|{query:?}");
    let page = pagination::page_request(ctx, &req, &scope)?;
    let found = addresses::search_buildings(ctx, &street, &query, &page).await?;
    with_quota(reference_data(list_response(ctx, &scope, &found)), &quota)
}
