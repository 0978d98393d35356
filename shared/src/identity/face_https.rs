//! The deployed adapter of the face check (人脸核验) over HTTPS: liveness detection and a
//! comparison of the live face with the photo of the ID document held by its issuing authority.
//!
//! Two calls (5 s timeout each), with the credential from the platform secret
//! (`face_check_credential`) as a bearer token. Opening a check for a name and ID document:
//!
//! ```text
//! POST {FACE_CHECK_URL}/checks
//! Authorization: Bearer <credential>
//! Content-Type: application/json
//!
//! {"name": "张三", "id_type": "resident_id", "id_number": "440305199001011234"}
//! ```
//!
//! Answer, 201 `application/json`: `{"check_id": "<1-128 of A-Z a-z 0-9 _ ->", "expires_in": 600}`.
//! The app passes `check_id` to the service's SDK, which takes the live face in the app and sends
//! it to the service directly (the platform never sees the face). Then the result:
//!
//! ```text
//! GET {FACE_CHECK_URL}/checks/{check_id}
//! Authorization: Bearer <credential>
//! ```
//!
//! Answer, 200 `application/json`: `{"status": "pending" | "passed" | "failed"}`. `passed`: a
//! live person (not a photo, screen or mask) was in front of the camera and their face matches the
//! photo of that name's ID document. What it proves: the person of the ID document is the one
//! using the account, whatever they know. `pending`: not completed yet; `failed`: no live face,
//! another face, or no such document (one answer for all, so it tells nobody whether a document
//! exists). Any other status or shape is a failure (the caller answers 503); nothing is logged.

use serde::Deserialize;
use serde_json::json;

use crate::domain::identity::FaceVerdict;

use super::port::{FaceCheckStarted, IdentityQuery, IdentityServiceError};

#[derive(Deserialize)]
struct Started {
    check_id: String,
    expires_in: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireStatus {
    Pending,
    Passed,
    Failed,
}

#[derive(Deserialize)]
struct Result_ {
    status: WireStatus,
}

/// Whether a check id is one the service could have given (it goes into a URL path).
pub fn is_check_id(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub async fn start(
    url: &str,
    credential: &str,
    query: &IdentityQuery<'_>,
) -> Result<FaceCheckStarted, IdentityServiceError> {
    let response = super::https::https_client()
        .post(format!("{url}/checks"))
        .bearer_auth(credential)
        .json(&json!({
            "name": query.real_name,
            "id_type": query.id_type.as_str(),
            "id_number": query.id_number,
        }))
        .send()
        .await
        .map_err(|e| super::https::call_failed(&e))?;
    let started: Started =
        super::https::read_answer(response, reqwest::StatusCode::CREATED).await?;
    read_started(started)
}

fn read_started(started: Started) -> Result<FaceCheckStarted, IdentityServiceError> {
    if !is_check_id(&started.check_id) || started.expires_in == 0 {
        return Err(IdentityServiceError::Unavailable(
            "unreadable answer".to_owned(),
        ));
    }
    Ok(FaceCheckStarted {
        check_id: started.check_id,
        expires_in: started.expires_in,
    })
}

pub async fn result(
    url: &str,
    credential: &str,
    check_id: &str,
) -> Result<FaceVerdict, IdentityServiceError> {
    if !is_check_id(check_id) {
        return Ok(FaceVerdict::Failed);
    }
    let response = super::https::https_client()
        .get(format!("{url}/checks/{check_id}"))
        .bearer_auth(credential)
        .send()
        .await
        .map_err(|e| super::https::call_failed(&e))?;
    let answer: Result_ = super::https::read_answer(response, reqwest::StatusCode::OK).await?;
    Ok(parse(answer))
}

fn parse(answer: Result_) -> FaceVerdict {
    match answer.status {
        WireStatus::Pending => FaceVerdict::Pending,
        WireStatus::Passed => FaceVerdict::Passed,
        WireStatus::Failed => FaceVerdict::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_as_documented() {
        let read = |json: &str| serde_json::from_str::<Result_>(json).ok().map(parse);
        assert_eq!(read(r#"{"status": "passed"}"#), Some(FaceVerdict::Passed));
        assert_eq!(read(r#"{"status": "pending"}"#), Some(FaceVerdict::Pending));
        assert_eq!(read(r#"{"status": "failed"}"#), Some(FaceVerdict::Failed));
        assert_eq!(read(r#"{"status": "ok"}"#), None);
        let started = |json: &str| {
            serde_json::from_str::<Started>(json)
                .ok()
                .and_then(|s| read_started(s).ok())
        };
        assert_eq!(
            started(r#"{"check_id": "fc_1-a", "expires_in": 600}"#),
            Some(FaceCheckStarted {
                check_id: "fc_1-a".into(),
                expires_in: 600
            })
        );
        assert_eq!(started(r#"{"check_id": "../x", "expires_in": 600}"#), None);
        assert_eq!(started(r#"{"check_id": "a", "expires_in": 0}"#), None);
    }

    #[test]
    fn check_ids_are_url_safe_and_bounded() {
        assert!(is_check_id("0196b0a4-7c2e-7a51-9d3e-5b1f2c3d4e5f"));
        assert!(!is_check_id(""));
        assert!(!is_check_id(&"a".repeat(129)));
        assert!(!is_check_id("a/b"));
        assert!(!is_check_id("a?b"));
    }
}
