//! `GET /v1/document-keys` (public, rate-limited): the keys receipts and permits are signed
//! with, retired ones included, so that a verifier can check a QR code offline.

use lambda_http::Request;
use shared::AppContext;
use shared::http::pagination::{self, list_response};
use shared::http::response::{ApiResult, reference_data, with_quota};
use shared::services::{documents, public_reads};

const SCOPE: &str = "document-keys";

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let quota = public_reads::admit(ctx, &super::public_caller(ctx, &req).await).await?;
    let page = pagination::page_request(ctx, &req, SCOPE)?;
    let keys = documents::keys(ctx, &page).await?;
    with_quota(reference_data(list_response(ctx, SCOPE, &keys)), &quota)
}
