//! `PATCH /v1/registrations/{registration_id}`: change a resident's information (F19), with the
//! version last read (the body's `version`, or `If-Match` with the read's `ETag`).

use lambda_http::Request;
use shared::ApiError;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::request::{if_match_version, path_id};
use shared::http::response::{ApiResult, json, tagged};
use shared::services::registrations;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let registration_id = path_id(&req, "registration_id")?;
    let registration = registrations::accessible(ctx, &principal, &registration_id).await?;
    let if_match = if_match_version(&req)?;
    let mut f = Fields::from_request(&req)?;
    let changes = bodies::registrations::changes(&mut f, shared::clock::today_in_china(), if_match);
    f.finish()?;
    let changed = registrations::change(ctx, registration, checked(changes)?)
        .await
        .map_err(|error| match error {
            // The version came in If-Match: its precondition failed (RFC 9110), 412.
            ApiError::StaleVersion {
                current_version, ..
            } if if_match.is_some() => ApiError::PreconditionFailed { current_version },
            other => other,
        })?;
    tagged(json(200, &changed), changed.version)
}
