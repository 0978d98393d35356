//! Login tickets: the proof, handed out with `SMS_CODE_REQUIRED`, that the caller has just given
//! the right password for an account from a device it does not yet trust. A `login` SMS code is
//! sent only against one, so strangers can neither spend a phone's login codes nor learn from
//! the code route which phones have accounts.
//!
//! A ticket is opaque: base64url of its JSON (a random id, account, device hash, expiry) and a
//! keyed hash of it under the data key, so nobody can forge or extend one. It asks for one code
//! (its id is claimed then, [`crate::store::verification_codes::claim_ticket`]), and that code is
//! bound to its account and device: it logs in no other device.

use serde::{Deserialize, Serialize};

use crate::config::AppConfig;
use crate::crypto::{base64url, base64url_decode, constant_time_eq, keyed_hash};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginTicket {
    /// Random, so that each ticket can be spent once.
    pub ticket_id: String,
    pub account_id: String,
    /// The device the password was given from (its keyed hash per account).
    pub device_hash: String,
    /// Epoch seconds.
    pub expires_at: i64,
}

fn signature(config: &AppConfig, payload: &str) -> String {
    keyed_hash(&config.hash_key, "login-ticket", &[payload])[..43].to_owned()
}

/// The ticket for `account_id` on the device `device_hash`, valid `ttl_seconds`.
pub fn issue(config: &AppConfig, account_id: &str, device_hash: &str, ttl_seconds: i64) -> String {
    let ticket = LoginTicket {
        ticket_id: crate::crypto::random_token(16),
        account_id: account_id.to_owned(),
        device_hash: device_hash.to_owned(),
        expires_at: crate::clock::epoch_seconds() + ttl_seconds,
    };
    let json = serde_json::to_string(&ticket).expect("a ticket serializes");
    let payload = base64url(json.as_bytes());
    let signature = signature(config, &payload);
    format!("{payload}.{signature}")
}

/// The ticket `text` stands for, if it is genuine and not expired.
pub fn verify(config: &AppConfig, text: &str) -> Option<LoginTicket> {
    let (payload, given) = text.trim().split_once('.')?;
    if !constant_time_eq(&signature(config, payload), given) {
        return None;
    }
    let ticket: LoginTicket = serde_json::from_slice(&base64url_decode(payload)?).ok()?;
    (ticket.expires_at > crate::clock::epoch_seconds()).then_some(ticket)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_verify_until_they_expire_and_cannot_be_forged() {
        let config = crate::config::for_tests(&[]);
        let ticket = issue(&config, "acc", "dev", 300);
        let read = verify(&config, &ticket).unwrap();
        assert_eq!(
            (read.account_id.as_str(), read.device_hash.as_str()),
            ("acc", "dev")
        );
        assert!(verify(&config, &issue(&config, "acc", "dev", -1)).is_none());
        assert_ne!(
            read.ticket_id,
            verify(&config, &issue(&config, "acc", "dev", 300))
                .unwrap()
                .ticket_id
        );
        let (_, signature) = ticket.split_once('.').unwrap();
        let forged =
            base64url(br#"{"ticket_id":"t","account_id":"other","device_hash":"dev","expires_at":9999999999}"#);
        assert!(verify(&config, &format!("{forged}.{signature}")).is_none());
        let other_key = crate::config::for_tests(&[(
            "DATA_HASH_KEY",
            "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXphYmNkZWY=",
        )]);
        assert!(verify(&other_key, &ticket).is_none());
        assert!(verify(&config, "garbage").is_none());
    }
}
