//! What the HTTPS adapters ([`super::carrier_https`], [`super::face_https`]) share: one client,
//! and failures told in words that carry no personal data.

use std::sync::OnceLock;
use std::time::Duration;

use super::port::IdentityServiceError;

/// The one HTTPS client of the identity services, built on first use (not at cold start): 5 s
/// per call, https only.
pub(super) fn https_client() -> &'static reqwest::Client {
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
pub(super) fn call_failed(error: &reqwest::Error) -> IdentityServiceError {
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
pub(super) async fn read_answer<T: serde::de::DeserializeOwned>(
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

/// The three answers the identity services give (the carrier's check, the photo receipts):
/// the record is this person's, another's, or unknown to the service.
#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum WireResult {
    Match,
    Mismatch,
    Unknown,
}
