//! `GET /v1/permits/{permit_no}?check_code=` (public, rate-limited): is this permit genuine, and
//! is it valid now? The same answer for a wrong code and an unknown number; the name masked.

use lambda_http::Request;
use shared::AppContext;
use shared::domain::residence_permit::PermitNo;
use shared::error::{ApiError, FieldError};
use shared::http::request::{client_ip, path_param, query_param};
use shared::http::response::{ApiResult, json};
use shared::services::{public_reads, residence_permits};

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    public_reads::admit_permit_check(ctx, &client_ip(&req)).await?;
    let mut errors = Vec::new();
    let permit_no = PermitNo::parse(&path_param(&req, "permit_no")?)
        .map_err(|e| errors.push(e.at("permit_no")))
        .ok();
    let check_code = query_param(&req, "check_code").filter(|c| !c.trim().is_empty());
    if check_code.is_none() {
        errors.push(FieldError::new(
            "check_code",
            "REQUIRED",
            "请输入居住证上的校验码",
        ));
    }
    let (Some(permit_no), Some(check_code)) = (permit_no, check_code) else {
        return Err(ApiError::Validation(errors));
    };
    json(
        200,
        &residence_permits::check(ctx, &permit_no, &check_code).await?,
    )
}
