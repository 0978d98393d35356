//! `GET /v1/me/permit/card` (the holder): the electronic permit as a PDF, with the card's fields
//! and a QR code of its public check.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::response::{ApiResult, pdf};
use shared::services::residence_permits;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let document = residence_permits::card_pdf(ctx, &principal).await?;
    pdf(document, "residence-permit.pdf")
}
