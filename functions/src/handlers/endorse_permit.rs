//! `POST /v1/me/permit/endorsements` (the holder): endorse the permit, decided at once from the
//! records of the year before (201), or 409 `ENDORSEMENT_NOT_DUE` / 422 `NOT_ELIGIBLE`.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::response::{ApiResult, json};
use shared::services::residence_permits;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let (holder, permit) = residence_permits::my_permit_record(ctx, &principal).await?;
    Fields::from_optional_request(&req)?.finish()?;
    let today = shared::clock::today_in_china();
    json(
        201,
        &residence_permits::endorse(ctx, &holder, permit, &principal.account_id, today).await?,
    )
}
