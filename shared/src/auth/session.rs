//! Authenticating a request: a valid token whose session is still the account's current one.

use lambda_http::Request;

use crate::context::AppContext;
use crate::domain::account::{AccountType, Role};
use crate::error::ApiError;
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

/// What a session whose account must first choose its own password may do: read the account,
/// ask for a `change_password` code, change the password, and log out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Every operation but those: refused with `PASSWORD_CHANGE_REQUIRED` until the change.
    PasswordChanged,
    /// Those operations: open to such a session too.
    AllowPasswordChange,
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

    /// A member of the counter staff.
    pub fn is_staff(&self) -> bool {
        self.account_type == AccountType::Staff && self.role == Role::Staff
    }

    /// A citizen's own account: an individual, not a unit's sub-account or the counter staff.
    pub fn is_citizen(&self) -> bool {
        self.role == Role::Individual && self.account_type != AccountType::Staff
    }
}

/// The caller of an ordinary operation: a valid token of the account's current session, whose
/// account has chosen its own password.
pub async fn authenticate(ctx: &AppContext, req: &Request) -> Result<Principal, ApiError> {
    authenticate_with(ctx, req, Gate::PasswordChanged).await
}

/// Authenticates the caller, letting a session that must still change its password through
/// when `gate` says so.
pub async fn authenticate_with(
    ctx: &AppContext,
    req: &Request,
    gate: Gate,
) -> Result<Principal, ApiError> {
    let token = bearer_token(req).ok_or(ApiError::Unauthenticated("请先登录"))?;
    let claims = jwt::verify(&ctx.config, token).map_err(|error| match error {
        TokenError::Expired => ApiError::Unauthenticated("登录已过期，请重新登录"),
        TokenError::Invalid => ApiError::Unauthenticated("登录凭证无效，请重新登录"),
    })?;
    let lapsed = ApiError::Unauthenticated("登录已失效，请重新登录");
    let current = accounts::current_session(&ctx.db, &claims.sub)
        .await?
        .ok_or(lapsed.clone())?;
    if !crate::crypto::constant_time_eq(&current.session_id, &claims.sid) {
        return Err(ApiError::SessionReplaced);
    }
    // What the account is comes from its session (written from the profile at login), never
    // from the token: a token re-signed with other claims gains nothing, and one that disagrees
    // with its session is not ours.
    let (Some(account_type), Some(role)) = (current.account_type, current.role) else {
        return Err(lapsed);
    };
    if (account_type, role) != (claims.account_type, claims.role) {
        tracing::warn!(account_id = %claims.sub, "token claims disagree with the session");
        return Err(ApiError::Unauthenticated("登录凭证无效，请重新登录"));
    }
    if current.password_change_required && gate == Gate::PasswordChanged {
        return Err(ApiError::PasswordChangeRequired);
    }
    Ok(Principal {
        account_id: claims.sub,
        account_type,
        role,
        session_id: claims.sid,
    })
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer_token(req: &Request) -> Option<&str> {
    let value = req
        .headers()
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::Body;

    fn with_auth(value: &str) -> Request {
        http::Request::builder()
            .header("authorization", value)
            .body(Body::Empty)
            .unwrap()
    }

    #[test]
    fn bearer_tokens() {
        assert_eq!(bearer_token(&with_auth("Bearer abc.def")), Some("abc.def"));
        assert_eq!(bearer_token(&with_auth("bearer  abc")), Some("abc"));
        assert_eq!(bearer_token(&with_auth("Basic abc")), None);
        assert_eq!(bearer_token(&with_auth("Bearer ")), None);
    }
}
