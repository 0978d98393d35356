//! Access tokens: HS256 JWTs with a pinned algorithm, `iss`, `aud`, `exp`, `iat`, `sub`, a session
//! id, and a `kid` header naming the signing key so keys can be rotated.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::AppConfig;
use crate::domain::account::{AccountType, Role};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The account id.
    pub sub: String,
    /// The session id; must be the account's current session.
    pub sid: String,
    pub account_type: AccountType,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Malformed, wrongly signed, unknown key, wrong algorithm, issuer or audience.
    Invalid,
    Expired,
}

/// Signs claims with the active key.
pub fn issue(config: &AppConfig, claims: &Claims) -> String {
    let kid = &config.jwt.active;
    let key = &config.jwt.keys[kid];
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid.clone());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(key))
        .expect("HS256 signing cannot fail")
}

/// Checks a token: the algorithm must be HS256, the key is chosen by `kid`, and issuer, audience,
/// expiry and the required claims are enforced. A token may live no longer than the configured
/// lifetime (`exp - iat`) and may not be issued in the future: a token signed with a leaked key
/// cannot grant itself a longer life.
pub fn verify(config: &AppConfig, token: &str) -> Result<Claims, TokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
    if header.alg != Algorithm::HS256 {
        return Err(TokenError::Invalid);
    }
    let key = header
        .kid
        .as_deref()
        .and_then(|kid| config.jwt.keys.get(kid))
        .ok_or(TokenError::Invalid)?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[&config.login.issuer]);
    validation.set_audience(&[&config.login.audience]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    validation.leeway = 5;
    let claims = jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(key), &validation)
        .map(|data| data.claims)
        .map_err(|error| match error.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Invalid,
        })?;
    let lifetime = config.login.access_token_ttl.as_secs() as i64;
    let now = crate::clock::epoch_seconds();
    if claims.exp - claims.iat > lifetime || claims.iat > now + validation.leeway as i64 {
        return Err(TokenError::Invalid);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::base64url;

    fn config(keys: &str, active: &str) -> AppConfig {
        crate::config::for_tests(&[("JWT_KEYS", keys), ("JWT_ACTIVE_KID", active)])
    }

    const K1: &str = "k1:MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=";
    const K2: &str = "k2:YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXphYmNkZWY=";

    fn claims(config: &AppConfig, exp_offset: i64) -> Claims {
        let now = crate::clock::epoch_seconds();
        Claims {
            iss: config.login.issuer.clone(),
            aud: config.login.audience.clone(),
            sub: "acc".into(),
            sid: "sid".into(),
            account_type: AccountType::ResidenceRegistration,
            role: Role::Individual,
            iat: now,
            exp: now + exp_offset,
        }
    }

    #[test]
    fn round_trip_and_rotation() {
        let old = config(K1, "k1");
        let token = issue(&old, &claims(&old, 600));
        // After rotation k2 signs, and k1's tokens still verify until they expire.
        let rotated = config(&format!("{K1},{K2}"), "k2");
        assert_eq!(verify(&rotated, &token).unwrap().sub, "acc");
        let new_token = issue(&rotated, &claims(&rotated, 600));
        assert!(
            new_token.starts_with(&base64url(br#"{"typ":"JWT","alg":"HS256","kid":"k2"}"#)[..10])
        );
        // Once k1 is retired, its tokens fail.
        assert_eq!(
            verify(&config(K2, "k2"), &token).unwrap_err(),
            TokenError::Invalid
        );
    }

    #[test]
    fn a_token_living_longer_than_configured_or_issued_in_the_future_fails() {
        let config = config(K1, "k1");
        let ttl = config.login.access_token_ttl.as_secs() as i64;
        assert!(verify(&config, &issue(&config, &claims(&config, ttl))).is_ok());
        let far_future = issue(&config, &claims(&config, 10 * 365 * 86_400));
        assert_eq!(
            verify(&config, &far_future).unwrap_err(),
            TokenError::Invalid
        );
        let one_second_too_long = issue(&config, &claims(&config, ttl + 1));
        assert_eq!(
            verify(&config, &one_second_too_long).unwrap_err(),
            TokenError::Invalid
        );
        let mut from_the_future = claims(&config, 600);
        from_the_future.iat += 300;
        assert_eq!(
            verify(&config, &issue(&config, &from_the_future)).unwrap_err(),
            TokenError::Invalid
        );
    }

    #[test]
    fn expired_tampered_and_unsigned_tokens_fail() {
        let config = config(K1, "k1");
        let expired = issue(&config, &claims(&config, -60));
        assert_eq!(verify(&config, &expired).unwrap_err(), TokenError::Expired);

        let token = issue(&config, &claims(&config, 600));
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = base64url(
            serde_json::to_string(&Claims {
                sub: "someone-else".into(),
                ..claims(&config, 600)
            })
            .unwrap()
            .as_bytes(),
        );
        parts[1] = &forged;
        assert_eq!(
            verify(&config, &parts.join(".")).unwrap_err(),
            TokenError::Invalid
        );

        let none_header = base64url(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
        let unsigned = format!("{none_header}.{}.", token.split('.').nth(1).unwrap());
        assert_eq!(verify(&config, &unsigned).unwrap_err(), TokenError::Invalid);
        assert_eq!(
            verify(&config, "not-a-token").unwrap_err(),
            TokenError::Invalid
        );
    }
}
