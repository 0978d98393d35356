//! The deployed adapter: the real-name verification service over HTTPS.
//!
//! Request (5 s timeout), with the credential from the platform secret
//! (`identity_verification_credential`) as a bearer token:
//!
//! ```text
//! POST {IDENTITY_VERIFICATION_URL}
//! Authorization: Bearer <credential>
//! Content-Type: application/json
//!
//! {"name": "张三", "id_type": "resident_id", "id_number": "440305199001011234", "phone": "+8613800138000"}
//! ```
//!
//! Answer, 200 `application/json`:
//!
//! ```text
//! {"result": "match" | "mismatch" | "not_found", "phone_result": "match" | "mismatch" | "unknown"}
//! ```
//!
//! `result`: whether the ID number exists and belongs to that name; `phone_result` (optional,
//! `unknown` when absent): whether the phone's real-name registration is this person's, where
//! the provider can tell. Any other status or shape is a failure (the caller answers 503 and the
//! user may try again); neither the request nor the answer is logged.

use std::sync::OnceLock;
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use crate::domain::identity::{IdentityMatch, PhoneMatch, Verdict};

use super::{IdentityQuery, IdentityServiceError};

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireIdentity {
    Match,
    Mismatch,
    NotFound,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum WirePhone {
    Match,
    Mismatch,
    Unknown,
}

#[derive(Deserialize)]
struct Answer {
    result: WireIdentity,
    #[serde(default)]
    phone_result: Option<WirePhone>,
}

/// One client per process, built on first use (not at cold start).
fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .https_only(true)
            .build()
            .expect("a TLS client")
    })
}

pub async fn verify(
    url: &str,
    credential: &str,
    query: &IdentityQuery<'_>,
) -> Result<Verdict, IdentityServiceError> {
    let failed = |what: &str| IdentityServiceError::Unavailable(what.to_owned());
    let response = client()
        .post(url)
        .bearer_auth(credential)
        .json(&json!({
            "name": query.real_name,
            "id_type": query.id_type.as_str(),
            "id_number": query.id_number,
            "phone": query.phone.e164(),
        }))
        .send()
        .await
        .map_err(|e| {
            failed(if e.is_timeout() {
                "timeout"
            } else {
                "unreachable"
            })
        })?;
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        return Err(failed(&format!("status {}", status.as_u16())));
    }
    let answer: Answer = response
        .json()
        .await
        .map_err(|_| failed("unreadable answer"))?;
    Ok(parse(answer))
}

fn parse(answer: Answer) -> Verdict {
    Verdict {
        identity: match answer.result {
            WireIdentity::Match => IdentityMatch::Match,
            WireIdentity::Mismatch => IdentityMatch::Mismatch,
            WireIdentity::NotFound => IdentityMatch::NotFound,
        },
        phone: match answer.phone_result {
            Some(WirePhone::Match) => PhoneMatch::Match,
            Some(WirePhone::Mismatch) => PhoneMatch::Mismatch,
            Some(WirePhone::Unknown) | None => PhoneMatch::Unknown,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Option<Verdict> {
        serde_json::from_str::<Answer>(json).ok().map(parse)
    }

    #[test]
    fn answers_are_read_as_documented() {
        let verdict = read(r#"{"result": "match", "phone_result": "mismatch"}"#).unwrap();
        assert_eq!(verdict.identity, IdentityMatch::Match);
        assert_eq!(verdict.phone, PhoneMatch::Mismatch);
        assert!(!verdict.proves_identity());
        let verdict = read(r#"{"result": "not_found"}"#).unwrap();
        assert_eq!(verdict.identity, IdentityMatch::NotFound);
        assert_eq!(verdict.phone, PhoneMatch::Unknown);
        assert!(read(r#"{"result": "yes"}"#).is_none());
        assert!(read(r#"{}"#).is_none());
    }
}
