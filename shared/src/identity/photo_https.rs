//! The deployed adapter of the photo-receipt service of the authorized studios (数码相片回执):
//! the photo a person had taken for their ID documents, looked up by its 图像号 together with the
//! ID document it was taken for.
//!
//! Request (5 s timeout), with the credential from the platform secret
//! (`photo_receipt_credential`) as a bearer token:
//!
//! ```text
//! POST {PHOTO_RECEIPT_URL}
//! Authorization: Bearer <credential>
//! Content-Type: application/json
//!
//! {"photo_receipt_no": "PH20261207A1", "id_type": "resident_id", "id_number": "440305199001011234"}
//! ```
//!
//! Answer, 200 `application/json`:
//!
//! ```text
//! {"result": "match", "photo_jpeg": "<base64 of the JPEG>"}
//! {"result": "mismatch"}      the receipt exists, taken for another person
//! {"result": "unknown"}       no such receipt
//! ```
//!
//! The photo is the studio's JPEG (GA 461 ID photo: 358 × 441 pixels, at most 60 KB). Any other
//! status or shape is a failure (the caller answers 503 and the user may try again); neither
//! the request nor the answer is logged.

use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use super::https::WireResult;
use super::port::{IdentityServiceError, PhotoQuery, PhotoVerdict};

/// The largest photo accepted from the service.
pub const MAX_PHOTO_BYTES: usize = 200 * 1024;

#[derive(Deserialize)]
struct Answer {
    result: WireResult,
    #[serde(default)]
    photo_jpeg: Option<String>,
}

pub async fn lookup(
    url: &str,
    credential: &str,
    query: &PhotoQuery<'_>,
) -> Result<PhotoVerdict, IdentityServiceError> {
    let response = super::https::https_client()
        .post(url)
        .bearer_auth(credential)
        .json(&json!({
            "photo_receipt_no": query.photo_receipt_no,
            "id_type": query.id_type.as_str(),
            "id_number": query.id_number,
        }))
        .send()
        .await
        .map_err(|e| super::https::call_failed(&e))?;
    let answer: Answer = super::https::read_answer(response, reqwest::StatusCode::OK).await?;
    parse(answer)
}

fn parse(answer: Answer) -> Result<PhotoVerdict, IdentityServiceError> {
    let unreadable = |why: &str| IdentityServiceError::Unavailable(format!("photo: {why}"));
    Ok(match answer.result {
        WireResult::Match => {
            let jpeg = base64::engine::general_purpose::STANDARD
                .decode(answer.photo_jpeg.ok_or_else(|| unreadable("missing"))?)
                .map_err(|_| unreadable("not base64"))?;
            if jpeg.len() > MAX_PHOTO_BYTES || !jpeg.starts_with(&[0xFF, 0xD8]) {
                return Err(unreadable("not a JPEG of a photo's size"));
            }
            PhotoVerdict::Match(jpeg)
        }
        WireResult::Mismatch => PhotoVerdict::Mismatch,
        WireResult::Unknown => PhotoVerdict::Unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(json: &str) -> Result<PhotoVerdict, IdentityServiceError> {
        parse(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn each_answer_of_the_service_is_read_and_anything_else_fails() {
        let jpeg = base64::engine::general_purpose::STANDARD.encode([0xFF, 0xD8, 0xFF, 0xE0]);
        assert_eq!(
            answer(&format!(r#"{{"result":"match","photo_jpeg":"{jpeg}"}}"#)).unwrap(),
            PhotoVerdict::Match(vec![0xFF, 0xD8, 0xFF, 0xE0])
        );
        assert_eq!(
            answer(r#"{"result":"mismatch"}"#).unwrap(),
            PhotoVerdict::Mismatch
        );
        assert_eq!(
            answer(r#"{"result":"unknown"}"#).unwrap(),
            PhotoVerdict::Unknown
        );
        assert!(
            answer(r#"{"result":"match"}"#).is_err(),
            "a match without its photo"
        );
        assert!(
            answer(r#"{"result":"match","photo_jpeg":"iVBORw0KGgo="}"#).is_err(),
            "a PNG"
        );
        assert!(serde_json::from_str::<Answer>(r#"{"result":"maybe"}"#).is_err());
    }
}
