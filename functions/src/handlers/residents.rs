//! What the declarant's own residents routes and the counter's share: the same operation on a
//! house link, reached through `/v1/me/houses/{link_id}/residents` or, by staff on the
//! declarant's behalf (F21), through `/v1/staff/house-links/{link_id}/residents`.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::domain::registration::RegistrationStatus;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::pagination::{self, list_response};
use shared::http::request::{path_id, query_param};
use shared::http::response::{ApiResult, json};
use shared::services::registrations::{self, Via};

/// Declares a move-in (F16): 201 with the registration, its receipt number and check code.
pub async fn declare(ctx: &AppContext, req: Request, via: Via) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let link_id = path_id(&req, "link_id")?;
    let link = registrations::declarable_link(ctx, &principal, via, &link_id).await?;
    let mut f = Fields::from_request(&req)?;
    let declaration = bodies::registrations::declaration(&mut f, shared::clock::today_in_china());
    f.finish()?;
    let registration = registrations::declare(ctx, link, checked(declaration)?).await?;
    json(201, &registration)
}

/// Lists a link's registrations (F18), optionally only those with `?status=`.
pub async fn list(ctx: &AppContext, req: Request, via: Via) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let link_id = path_id(&req, "link_id")?;
    let status = query_param(&req, "status")
        .filter(|s| !s.is_empty())
        .map(|s| RegistrationStatus::parse(&s))
        .transpose()
        .map_err(|invalid| shared::error::ApiError::validation(invalid.at("status")))?;
    let scope = format!(
        "residents|{}|{link_id}|{}",
        principal.account_id,
        status.map_or("all", |s| s.as_str())
    );
    let page = pagination::page_request(ctx, &req, &scope)?;
    let found = registrations::list(ctx, &principal, via, &link_id, status, &page).await?;
    list_response(ctx, &scope, &found)
}
