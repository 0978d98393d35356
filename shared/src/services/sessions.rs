//! Sessions (F6, one per account): starting one at login, keeping it going with its refresh
//! token, and ending it.
//!
//! An access token lives at most 15 minutes; the session lives on through its refresh token,
//! which rotates on every use (RFC 9700, 4.14.2): each refresh spends the token shown and hands
//! out the next. A spent token shown again means someone holds a copy, and ends the session for
//! both. A refresh token dies with its session: a newer login (its holder then gets
//! `SESSION_REPLACED`), logout, a password change or reset, suspension and deactivation.

use serde::Serialize;

use crate::auth::Principal;
use crate::auth::jwt::{self, Claims};
use crate::auth::refresh_token::RefreshToken;
use crate::context::AppContext;
use crate::domain::account::DeviceId;
use crate::error::ApiError;
use crate::store::accounts::{self, AccountRecord, NewSession, SessionRecord};

use super::views::account::AccountView;

/// The answer of a login and of a refresh.
#[derive(Debug, Serialize)]
pub struct SessionIssued {
    pub access_token: String,
    pub token_type: &'static str,
    /// Seconds the access token lives (at most 900).
    pub expires_in: u64,
    /// Spent by `POST /v1/sessions/refresh` for the next pair; shown once, kept by the app.
    pub refresh_token: String,
    /// Seconds the refresh token stays usable if it is not used (never past the session's end).
    pub refresh_expires_in: u64,
    pub account: AccountView,
    /// Only when this login verified the device by SMS: the secret the app keeps and sends with
    /// the same `device_id` on later logins, so that they need no code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_secret: Option<String>,
}

const LAPSED: ApiError = ApiError::Unauthenticated("登录已失效，请重新登录");

/// Makes a new session on the device `device_hash` the account's only one and issues its tokens.
pub async fn start_session(
    ctx: &AppContext,
    account: &AccountRecord,
    device_hash: &str,
) -> Result<SessionIssued, ApiError> {
    let settings = &ctx.config.login;
    let now = crate::clock::epoch_seconds();
    let session_id = crate::crypto::random_token(16);
    let refresh = RefreshToken::generate(&account.account_id, &session_id);
    let absolute_until = now + settings.refresh_absolute.as_secs() as i64;
    let idle_until = (now + settings.refresh_idle.as_secs() as i64).min(absolute_until);
    accounts::replace_session(
        &ctx.db,
        account,
        &NewSession {
            session_id: &session_id,
            device_hash,
            refresh_hash: &refresh.hash(&ctx.config.hash_key, device_hash),
            refresh_idle_until: idle_until,
            refresh_absolute_until: absolute_until,
        },
    )
    .await?;
    tracing::info!(account_id = %account.account_id, "session started");
    Ok(issue(ctx, account, &session_id, &refresh, idle_until, now))
}

/// The tokens of session `session_id`: a new access token and `refresh`.
fn issue(
    ctx: &AppContext,
    account: &AccountRecord,
    session_id: &str,
    refresh: &RefreshToken,
    idle_until: i64,
    now: i64,
) -> SessionIssued {
    let ttl = ctx.config.login.access_token_ttl.as_secs();
    let claims = Claims {
        iss: ctx.config.login.issuer.clone(),
        aud: ctx.config.login.audience.clone(),
        sub: account.account_id.clone(),
        sid: session_id.to_owned(),
        account_type: account.account_type,
        role: account.role,
        iat: now,
        exp: now + ttl as i64,
    };
    SessionIssued {
        access_token: jwt::issue(&ctx.config, &claims),
        token_type: "Bearer",
        expires_in: ttl,
        refresh_token: refresh.expose(),
        refresh_expires_in: (idle_until - now).max(0) as u64,
        account: AccountView::from(account),
        device_secret: None,
    }
}

/// `POST /v1/sessions/refresh`: spends the session's refresh token for a new access token and
/// the next refresh token. An unknown token, or one of an ended session, is `UNAUTHENTICATED`;
/// one of a session a newer login replaced, `SESSION_REPLACED`; a spent one shown again ends the
/// session (whoever holds the other copy is logged out too). `device_id`, when the app sends it,
/// must be the device the session was opened on.
pub async fn refresh(
    ctx: &AppContext,
    token: &RefreshToken,
    device_id: Option<&DeviceId>,
) -> Result<SessionIssued, ApiError> {
    let Some(session) = accounts::session(&ctx.db, &token.account_id).await? else {
        return Err(LAPSED);
    };
    if !crate::crypto::constant_time_eq(&session.session_id, &token.session_id) {
        return Err(ApiError::SessionReplaced);
    }
    if let Some(device_id) = device_id {
        let device_hash = device_id.keyed_hash(&ctx.config.hash_key, &token.account_id);
        if !crate::crypto::constant_time_eq(&device_hash, &session.device_hash) {
            return Err(LAPSED);
        }
    }
    let shown = token.hash(&ctx.config.hash_key, &session.device_hash);
    let current = session.refresh_hash.as_deref().unwrap_or_default();
    if !crate::crypto::constant_time_eq(&shown, current) {
        let print = accounts::spent_print(&shown);
        if session
            .spent_refresh_hashes
            .iter()
            .any(|spent| spent == print)
        {
            return Err(reuse_detected(ctx, &token.account_id, &session).await);
        }
        return Err(LAPSED);
    }
    let now = crate::clock::epoch_seconds();
    if now >= session.refresh_idle_until || now >= session.refresh_absolute_until {
        return Err(ApiError::Unauthenticated("登录已过期，请重新登录"));
    }
    let account = accounts::find_by_id(&ctx.db, &token.account_id)
        .await?
        .ok_or(LAPSED)?;
    let next = RefreshToken::generate(&token.account_id, &session.session_id);
    let idle_until =
        (now + ctx.config.login.refresh_idle.as_secs() as i64).min(session.refresh_absolute_until);
    let next_hash = next.hash(&ctx.config.hash_key, &session.device_hash);
    if !accounts::rotate_refresh(&ctx.db, &session, &shown, &next_hash, idle_until).await? {
        // Another refresh spent this very token a moment ago: two holders of one token.
        return Err(reuse_detected(ctx, &token.account_id, &session).await);
    }
    tracing::info!(account_id = %account.account_id, "session refreshed");
    Ok(issue(
        ctx,
        &account,
        &session.session_id,
        &next,
        idle_until,
        now,
    ))
}

/// A spent refresh token came back: the session ends, for the app and for whoever copied it.
async fn reuse_detected(ctx: &AppContext, account_id: &str, session: &SessionRecord) -> ApiError {
    tracing::warn!(
        %account_id,
        "a spent refresh token was shown again: the session is ended"
    );
    match accounts::end_session(&ctx.db, account_id, &session.session_id).await {
        Ok(_) => LAPSED,
        Err(error) => error.into(),
    }
}

/// Ends the caller's session (logout), and with it its refresh token.
pub async fn logout(ctx: &AppContext, principal: &Principal) -> Result<(), ApiError> {
    if accounts::end_session(&ctx.db, &principal.account_id, &principal.session_id).await? {
        Ok(())
    } else {
        Err(ApiError::SessionReplaced)
    }
}
