//! Text messages. No request waits for SNS or calls it: the request stores what a message is
//! about (a code's hash) and puts the message on the SMS queue ([`outbox`]); the sender function
//! takes it from there to the carrier, SNS ([`sender`], [`carrier`]), retrying throttles, and after the last failed try
//! withdraws its code and leaves it to the dead-letter queue. So a request costs the same whether
//! or not a message goes out (nothing to time), and a registration rush waits in the queue
//! instead of running into SNS's sending rate. Neither side logs a text (it may carry a code) or
//! a phone number.

pub mod carrier;
pub mod outbox;
pub mod sender;

use serde::{Deserialize, Serialize};

use crate::domain::phone::PhoneNumber;

/// A message as it waits in the queue (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedSms {
    /// E.164 (`+86…`).
    pub phone: String,
    pub text: String,
    /// What the message is for, for logs (`login`, `password_changed`, …).
    pub purpose: String,
    /// The verification code the text carries, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<CarriedCode>,
}

/// Which stored code a message carries: a message whose code has expired is not sent, and one
/// that cannot be delivered withdraws its code (only that one: a newer code is left alone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarriedCode {
    /// The code's item key ([`crate::store::keys::verification_code_key`]).
    pub key: String,
    pub code_hash: String,
    /// When the code stops being valid (epoch seconds).
    pub expires_at: i64,
}

impl QueuedSms {
    /// A notice (no code).
    pub fn notice(phone: &PhoneNumber, text: String, purpose: &str) -> Self {
        Self {
            phone: phone.e164(),
            text,
            purpose: purpose.to_owned(),
            code: None,
        }
    }

    /// A message carrying a verification code.
    pub fn with_code(phone: &PhoneNumber, text: String, purpose: &str, code: CarriedCode) -> Self {
        Self {
            code: Some(code),
            ..Self::notice(phone, text, purpose)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queued_message_reads_back_as_written() {
        let phone = PhoneNumber::parse("13800138000").unwrap();
        let code = CarriedCode {
            key: "k".into(),
            code_hash: "h".into(),
            expires_at: 1_800_000_000,
        };
        for message in [
            QueuedSms::notice(&phone, "通知".into(), "password_changed"),
            QueuedSms::with_code(&phone, "验证码 123456".into(), "login", code),
        ] {
            let json = serde_json::to_string(&message).unwrap();
            assert_eq!(serde_json::from_str::<QueuedSms>(&json).unwrap(), message);
            assert!(json.contains("\"+8613800138000\""));
        }
    }
}
