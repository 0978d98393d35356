//! The deployed adapter of the carrier's real-name check (运营商三要素核验) over HTTPS.
//!
//! Request (5 s timeout), with the credential from the platform secret
//! (`carrier_check_credential`) as a bearer token:
//!
//! ```text
//! POST {CARRIER_CHECK_URL}
//! Authorization: Bearer <credential>
//! Content-Type: application/json
//!
//! {"name": "张三", "id_type": "resident_id", "id_number": "440305199001011234", "phone": "+8613800138000"}
//! ```
//!
//! Answer, 200 `application/json`:
//!
//! ```text
//! {"result": "match" | "mismatch" | "unknown"}
//! ```
//!
//! `match`: the carrier's real-name record of the phone is this name and ID number. `mismatch`:
//! it is someone else's (or the name and number disagree). `unknown`: the carrier cannot tell
//! (not its subscriber, no real-name record it may share). What it proves: the account's phone,
//! which the account proved it holds with an SMS code, is registered to that person, so the
//! account's holder holds that person's phone. Only `match` verifies; `unknown` proves nothing
//! and the answer points to the face check or the counter. Any other status or shape is a
//! failure (the caller answers 503 and the user may try again); neither the request nor the
//! answer is logged.

use serde::Deserialize;
use serde_json::json;

use crate::domain::identity::CarrierVerdict;
use crate::domain::phone::PhoneNumber;

use super::https::WireResult;
use super::port::{IdentityQuery, IdentityServiceError};

#[derive(Deserialize)]
struct Answer {
    result: WireResult,
}

pub async fn check(
    url: &str,
    credential: &str,
    query: &IdentityQuery<'_>,
    phone: &PhoneNumber,
) -> Result<CarrierVerdict, IdentityServiceError> {
    let response = super::https::https_client()
        .post(url)
        .bearer_auth(credential)
        .json(&json!({
            "name": query.real_name,
            "id_type": query.id_type.as_str(),
            "id_number": query.id_number,
            "phone": phone.e164(),
        }))
        .send()
        .await
        .map_err(|e| super::https::call_failed(&e))?;
    let answer: Answer = super::https::read_answer(response, reqwest::StatusCode::OK).await?;
    Ok(parse(answer))
}

fn parse(answer: Answer) -> CarrierVerdict {
    match answer.result {
        WireResult::Match => CarrierVerdict::Match,
        WireResult::Mismatch => CarrierVerdict::Mismatch,
        WireResult::Unknown => CarrierVerdict::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Option<CarrierVerdict> {
        serde_json::from_str::<Answer>(json).ok().map(parse)
    }

    #[test]
    fn answers_are_read_as_documented() {
        assert_eq!(read(r#"{"result": "match"}"#), Some(CarrierVerdict::Match));
        assert_eq!(
            read(r#"{"result": "mismatch"}"#),
            Some(CarrierVerdict::Mismatch)
        );
        let unknown = read(r#"{"result": "unknown"}"#).unwrap();
        assert!(!unknown.proves_identity());
        assert!(read(r#"{"result": "yes"}"#).is_none());
        assert!(read(r#"{}"#).is_none());
    }
}
