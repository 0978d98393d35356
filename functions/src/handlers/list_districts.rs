//! `GET /v1/districts` (public): the districts (大鹏新区 as its own area) with their streets.

use lambda_http::Request;
use shared::AppContext;
use shared::http::pagination::{self, list_response};
use shared::http::response::{ApiResult, reference_data, with_quota};
use shared::services::{addresses, public_reads};
use shared::store::Page;

const SCOPE: &str = "districts";

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let quota = public_reads::admit(ctx, &super::public_caller(ctx, &req).await).await?;
    let page = pagination::page_request(ctx, &req, SCOPE)?;
    let districts = addresses::districts(ctx).await?;
    with_quota(
        reference_data(list_response(
            ctx,
            SCOPE,
            &Page::of_slice(&districts.districts, &page),
        )),
        &quota,
    )
}
