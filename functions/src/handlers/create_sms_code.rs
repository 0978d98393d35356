//! `POST /v1/sms-codes` `{phone, purpose, login_ticket?}` → 202 `{expires_in, resend_after}`.
//! `change_phone` and `change_password` codes need a logged-in caller, `sub_account_phone`
//! codes a unit administrator; a `login` code needs the `login_ticket` of the
//! `SMS_CODE_REQUIRED` login answer (one code per ticket). A `reset_password` code is asked for
//! with `{platform, username, id_number}` instead of a phone, and answered the same whether or
//! not they name an account.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::{Gate, authenticate_with, login_ticket};
use shared::domain::phone::PhoneNumber;
use shared::domain::sms::SmsPurpose;
use shared::error::{ApiError, FieldError, Invalid};
use shared::http::fields::checked;
use shared::http::request::client_ip;
use shared::http::response::{ApiResult, json, with_quota};
use shared::http::{Fields, bodies};
use shared::services::password_reset;
use shared::services::sms_codes::{self, CodeIssued, Requester};

const INVALID_TICKET: &str = "登录凭据无效或已过期，请重新输入用户名和密码";

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let mut f = Fields::from_request(&req)?;
    let purpose = f.required("purpose", SmsPurpose::parse);
    if purpose == Some(SmsPurpose::ResetPassword) {
        let claimed = bodies::accounts::reset_claim(&mut f);
        f.finish()?;
        let issued =
            password_reset::request_code(ctx, &checked(claimed)?, &client_ip(&req)).await?;
        return answer(issued);
    }
    let phone = f.required("phone", PhoneNumber::parse);
    let ticket_given = f.has("login_ticket");
    let ticket = f.optional("login_ticket", |text| match text.trim() {
        "" => Err(Invalid::new("INVALID_TICKET", INVALID_TICKET)),
        text => Ok(text.to_owned()),
    });
    if purpose == Some(SmsPurpose::Login) && !ticket_given {
        f.push(FieldError::new(
            "login_ticket",
            "REQUIRED",
            "请先用用户名和密码登录，再获取登录验证码",
        ));
    }
    f.finish()?;
    let (phone, purpose) = (checked(phone)?, checked(purpose)?);

    // A session that must still replace its initial password may ask for the code that does
    // so, and for nothing else.
    let gate = match purpose {
        SmsPurpose::ChangePassword => Gate::AllowPasswordChange,
        _ => Gate::PasswordChanged,
    };
    let caller = match purpose.needs_session() {
        true => Some(authenticate_with(ctx, &req, gate).await?),
        false => None,
    };
    let ticket = match (purpose, ticket) {
        (SmsPurpose::Login, Some(text)) => {
            Some(login_ticket::verify(&ctx.config, &text).ok_or_else(|| {
                ApiError::validation(FieldError::new(
                    "login_ticket",
                    "INVALID_TICKET",
                    INVALID_TICKET,
                ))
            })?)
        }
        _ => None,
    };
    let requester = match (&caller, &ticket) {
        (Some(caller), _) => Requester::Session(caller),
        (None, Some(ticket)) => Requester::Ticket(ticket),
        (None, None) => Requester::Anyone,
    };
    let issued = sms_codes::issue(ctx, &phone, purpose, requester, &client_ip(&req)).await?;
    answer(issued)
}

/// 202 with the code's timings, and where the caller stands against its tightest limit.
fn answer(issued: CodeIssued) -> ApiResult {
    match &issued.quota {
        Some(quota) => with_quota(json(202, &issued), quota),
        None => json(202, &issued),
    }
}
