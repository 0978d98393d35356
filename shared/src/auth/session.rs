//! Authenticating a request: a valid token whose session is still the account's current one.

use lambda_http::Request;

use crate::context::AppContext;
use crate::domain::account::{AccountType, Role};
use crate::error::ApiError;
use crate::http::request::bearer_token;
use crate::store::accounts;

use super::jwt::{self, TokenError};

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub account_id: String,
    pub account_type: AccountType,
    pub role: Role,
    pub session_id: String,
}

impl Principal {
    /// Refuses callers whose account is not of `account_type` (F1: one type cannot use the other's
    /// operations).
    pub fn require_type(&self, account_type: AccountType) -> Result<(), ApiError> {
        if self.account_type == account_type {
            Ok(())
        } else {
            Err(ApiError::Forbidden("当前账号类型不能使用此功能"))
        }
    }
}

pub async fn authenticate(ctx: &AppContext, req: &Request) -> Result<Principal, ApiError> {
    let token = bearer_token(req).ok_or(ApiError::Unauthenticated("请先登录"))?;
    let claims = jwt::verify(&ctx.config, token).map_err(|error| match error {
        TokenError::Expired => ApiError::Unauthenticated("登录已过期，请重新登录"),
        TokenError::Invalid => ApiError::Unauthenticated("登录凭证无效，请重新登录"),
    })?;
    match accounts::current_session_id(ctx, &claims.sub).await? {
        Some(current) if crate::crypto::constant_time_eq(&current, &claims.sid) => Ok(Principal {
            account_id: claims.sub,
            account_type: claims.account_type,
            role: claims.role,
            session_id: claims.sid,
        }),
        Some(_) => Err(ApiError::SessionReplaced),
        None => Err(ApiError::Unauthenticated("登录已失效，请重新登录")),
    }
}
