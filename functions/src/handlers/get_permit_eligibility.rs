//! `GET /v1/me/permit-eligibility?basis=standard|talent|student` (residence-permit accounts, a
//! verified identity): each condition of the basis from the records, met or not, what was
//! counted, and `eligible_from`.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::domain::eligibility::Basis;
use shared::error::ApiError;
use shared::http::request::query_param;
use shared::http::response::{ApiResult, json};
use shared::services::permits;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let basis = match query_param(&req, "basis") {
        None => Basis::Standard,
        Some(value) => {
            Basis::parse(&value).map_err(|invalid| ApiError::validation(invalid.at("basis")))?
        }
    };
    json(200, &permits::eligibility(ctx, &principal, basis).await?)
}
