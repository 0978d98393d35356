//! `GET /v1/verify/{token}` (public, rate-limited like the JSON checks): the verification page
//! a receipt's or permit card's QR code opens. HTML, errors included: a phone's camera shows it.

use lambda_http::Request;
use shared::ApiError;
use shared::AppContext;
use shared::documents::{DocumentKind, Sealed};
use shared::http::pages;
use shared::http::request::path_token;
use shared::http::response::{ApiResult, with_quota};
use shared::services::documents::Verification;
use shared::services::{documents, public_reads};

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    match page(ctx, &req).await {
        Ok(page) => Ok(page),
        // A path too long for any token names no document.
        Err(ApiError::NotFound) => pages::verification(&Verification::NotGenuine, ""),
        Err(error) => Ok(pages::error(&error)),
    }
}

async fn page(ctx: &AppContext, req: &Request) -> ApiResult {
    let token = Sealed::parse(&path_token(req, "token")?);
    let caller = super::public_caller(ctx, req).await;
    // Counted against the budget of the kind it claims to be: a forged permit is a permit check.
    let quota = match token.as_ref().map(|sealed| sealed.payload.typ) {
        Ok(DocumentKind::Permit) => public_reads::admit_permit_check(ctx, &caller).await?,
        _ => public_reads::admit_receipt_check(ctx, &caller).await?,
    };
    let verification = documents::verify(ctx, token).await?;
    let checked_at = pages::checked_at(shared::clock::now());
    with_quota(pages::verification(&verification, &checked_at), &quota)
}
