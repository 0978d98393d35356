//! `GET /v1/registrations/{registration_id}/receipt`: the receipt PDF (F17).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::request::path_id;
use shared::http::response::{ApiResult, pdf};
use shared::services::receipts;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let registration_id = path_id(&req, "registration_id")?;
    let document = receipts::pdf(ctx, &principal, &registration_id).await?;
    pdf(document, &format!("receipt-{registration_id}.pdf"))
}
