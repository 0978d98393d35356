//! `GET /v1/receipts/{receipt_no}?check_code=` (public, rate-limited): is this receipt genuine,
//! and what does it certify (F24)?

use lambda_http::Request;
use shared::AppContext;
use shared::domain::receipt::ReceiptNo;
use shared::error::{ApiError, FieldError};
use shared::http::request::{client_ip, path_param, query_param};
use shared::http::response::{ApiResult, json};
use shared::services::{public_reads, receipts};

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    public_reads::admit_receipt_check(ctx, &client_ip(&req)).await?;
    let mut errors = Vec::new();
    let receipt_no = ReceiptNo::parse(&path_param(&req, "receipt_no")?)
        .map_err(|e| errors.push(e.at("receipt_no")))
        .ok();
    let check_code = query_param(&req, "check_code").filter(|c| !c.trim().is_empty());
    if check_code.is_none() {
        errors.push(FieldError::new(
            "check_code",
            "REQUIRED",
            "请输入回执上的校验码",
        ));
    }
    let (Some(receipt_no), Some(check_code)) = (receipt_no, check_code) else {
        return Err(ApiError::Validation(errors));
    };
    json(200, &receipts::check(ctx, &receipt_no, &check_code).await?)
}
