//! `PATCH /v1/registrations/{registration_id}`: change a resident's information (F19), with the
//! version last read.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::request::path_id;
use shared::http::response::{ApiResult, json};
use shared::services::registrations;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let registration_id = path_id(&req, "registration_id")?;
    let registration = registrations::accessible(ctx, &principal, &registration_id).await?;
    let mut f = Fields::from_request(&req)?;
    let changes = bodies::registrations::changes(&mut f, shared::clock::today_in_china());
    f.finish()?;
    json(
        200,
        &registrations::change(ctx, registration, checked(changes)?).await?,
    )
}
