//! Online identity verification (实名认证) through two ports, each with two adapters:
//!
//! - [`carrier_check`]: the carrier's real-name check (运营商三要素核验) of a phone against a
//!   name and an ID number. Deployed: HTTPS to `CARRIER_CHECK_URL` ([`carrier_https`]).
//! - [`start_face_check`] and [`face_check_result`]: a face check (人脸核验), liveness and
//!   comparison with the ID document's photo, which the person completes in the app with the
//!   service's SDK between the two calls. Deployed: HTTPS to `FACE_CHECK_URL` ([`face_https`]).
//!
//! Locally both answer from the local identity registry ([`local_registry`],
//! [`local_face_check`]), stand-ins for those services that only the local stack configures.
//! Which adapter runs is configuration ([`crate::config::IdentityService`]); callers never know.

pub mod carrier_https;
pub mod face_https;
pub mod local_face_check;
pub mod local_registry;

use std::sync::OnceLock;
use std::time::Duration;

use crate::config::IdentityService;
use crate::context::AppContext;
use crate::domain::id_document::IdType;
use crate::domain::identity::{CarrierVerdict, FaceVerdict};
use crate::domain::phone::PhoneNumber;

/// Whose identity is checked: the account's name and ID document.
pub struct IdentityQuery<'a> {
    pub real_name: &'a str,
    pub id_type: IdType,
    pub id_number: &'a str,
}

/// Why no verdict came back. Carries no personal data (it is logged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityServiceError {
    #[error("no {0} service is configured")]
    Unconfigured(&'static str),
    #[error("the identity check service failed: {0}")]
    Unavailable(String),
}

/// A face check the service opened: the app hands `check_id` to the service's SDK, which takes
/// the live face; it can be completed until it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceCheckStarted {
    pub check_id: String,
    pub expires_in: u64,
}

/// Asks the carrier whether `phone` is registered in the name and ID document of `query`.
pub async fn carrier_check(
    ctx: &AppContext,
    query: &IdentityQuery<'_>,
    phone: &PhoneNumber,
) -> Result<CarrierVerdict, IdentityServiceError> {
    match &ctx.config.carrier_check {
        IdentityService::Https { url, credential } => {
            carrier_https::check(url, credential, query, phone).await
        }
        IdentityService::LocalRegistry { table } => {
            local_registry::carrier_check(ctx, table, query, phone).await
        }
        IdentityService::Unconfigured => Err(IdentityServiceError::Unconfigured("carrier check")),
    }
}

/// Opens a face check of the person `query` names.
pub async fn start_face_check(
    ctx: &AppContext,
    query: &IdentityQuery<'_>,
) -> Result<FaceCheckStarted, IdentityServiceError> {
    match &ctx.config.face_check {
        IdentityService::Https { url, credential } => {
            face_https::start(url, credential, query).await
        }
        IdentityService::LocalRegistry { table } => {
            local_face_check::start(ctx, table, query).await
        }
        IdentityService::Unconfigured => Err(IdentityServiceError::Unconfigured("face check")),
    }
}

/// Where the face check `check_id` (opened by [`start_face_check`]) stands.
pub async fn face_check_result(
    ctx: &AppContext,
    check_id: &str,
) -> Result<FaceVerdict, IdentityServiceError> {
    match &ctx.config.face_check {
        IdentityService::Https { url, credential } => {
            face_https::result(url, credential, check_id).await
        }
        IdentityService::LocalRegistry { table } => {
            local_face_check::result(ctx, table, check_id).await
        }
        IdentityService::Unconfigured => Err(IdentityServiceError::Unconfigured("face check")),
    }
}

/// The one HTTPS client of the identity services, built on first use (not at cold start): 5 s
/// per call, https only.
fn https_client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .https_only(true)
            .build()
            .expect("a TLS client")
    })
}

/// What a failed call is, in words that carry no personal data.
fn call_failed(error: &reqwest::Error) -> IdentityServiceError {
    IdentityServiceError::Unavailable(
        if error.is_timeout() {
            "timeout"
        } else {
            "unreachable"
        }
        .to_owned(),
    )
}

/// The JSON answer of a call that must answer `expected`; any other status or shape fails.
async fn read_answer<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    expected: reqwest::StatusCode,
) -> Result<T, IdentityServiceError> {
    let status = response.status();
    if status != expected {
        return Err(IdentityServiceError::Unavailable(format!(
            "status {}",
            status.as_u16()
        )));
    }
    response
        .json()
        .await
        .map_err(|_| IdentityServiceError::Unavailable("unreadable answer".to_owned()))
}
