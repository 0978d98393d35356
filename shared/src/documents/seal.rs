//! What a document's QR code carries: a payload, signed at issue time, as one path segment.
//!
//! The token is `<payload>.<signature>`, both base64url without padding: the payload is a small
//! JSON object (below), the signature the 64 bytes `r ‖ s` over the payload's bytes exactly as
//! they were encoded ([`super::keys`]). A verifier decodes the payload's bytes, checks the
//! signature over them with the key `kid` names (`GET /v1/document-keys`), and only then reads
//! the JSON. The payload holds only what an officer compares with the person and the paper:
//! the masked name and ID number, the dates, never an address or a full number.
//!
//! ```json
//! {"v":1,"typ":"receipt","no":"20261207-K9EMYNZPKX","kid":"3f9a0c12d4e5","iat":"2026-12-07",
//!  "name":"王*","id":"4403**********1234","in":"2026-12-01"}
//! ```

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::keys::SIGNATURE_LEN;
use crate::crypto::{base64url, base64url_decode};

/// The payload format this platform signs.
pub const FORMAT_VERSION: u8 = 1;

/// The longest token accepted (a payload is ~150 bytes; more is not one of ours).
pub const MAX_TOKEN_LEN: usize = 1024;

/// What kind of document a payload is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A residence-registration receipt (申报回执): `no` is its receipt number.
    Receipt,
    /// A residence permit (居住证): `no` is its permit number.
    Permit,
}

/// The signed facts of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    /// [`FORMAT_VERSION`].
    pub v: u8,
    pub typ: DocumentKind,
    /// The receipt or permit number.
    pub no: String,
    /// The id of the key that signed it (`GET /v1/document-keys`).
    pub kid: String,
    /// The day it was issued (China time).
    pub iat: NaiveDate,
    /// The holder's name, masked (王*).
    pub name: String,
    /// The holder's ID number, masked (first and last four characters).
    pub id: String,
    /// A receipt's move-in date.
    #[serde(rename = "in", default, skip_serializing_if = "Option::is_none")]
    pub moved_in_on: Option<NaiveDate>,
}

/// The facts of a document before a key signs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub typ: DocumentKind,
    pub no: String,
    pub iat: NaiveDate,
    pub name: String,
    pub id: String,
    pub moved_in_on: Option<NaiveDate>,
}

impl Facts {
    /// The payload that key `kid` signs.
    pub fn payload(self, kid: &str) -> Payload {
        Payload {
            v: FORMAT_VERSION,
            typ: self.typ,
            no: self.no,
            kid: kid.to_owned(),
            iat: self.iat,
            name: self.name,
            id: self.id,
            moved_in_on: self.moved_in_on,
        }
    }
}

impl Payload {
    /// The bytes that are signed.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a payload serializes")
    }
}

/// A token read from a URL: the payload's bytes, the payload they hold, and the signature. Not
/// yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub payload: Payload,
    pub signed_bytes: Vec<u8>,
    pub signature: Vec<u8>,
}

/// Why a token is not one of ours (told to nobody but the log: the page says "not genuine").
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("the token is too long")]
    TooLong,
    #[error("the token is not two base64url parts")]
    Shape,
    #[error("the signature is not {SIGNATURE_LEN} bytes")]
    SignatureLength,
    #[error("the payload is not a payload of this format")]
    Payload,
}

/// The token of a payload and its signature.
pub fn token(signed_bytes: &[u8], signature: &[u8]) -> String {
    format!("{}.{}", base64url(signed_bytes), base64url(signature))
}

impl Sealed {
    /// Reads a token (never panics, whatever the bytes).
    pub fn parse(token: &str) -> Result<Self, Malformed> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(Malformed::TooLong);
        }
        let (payload, signature) = token.split_once('.').ok_or(Malformed::Shape)?;
        let signed_bytes = base64url_decode(payload).ok_or(Malformed::Shape)?;
        let signature = base64url_decode(signature).ok_or(Malformed::Shape)?;
        if signature.len() != SIGNATURE_LEN {
            return Err(Malformed::SignatureLength);
        }
        let payload: Payload =
            serde_json::from_slice(&signed_bytes).map_err(|_| Malformed::Payload)?;
        if payload.v != FORMAT_VERSION {
            return Err(Malformed::Payload);
        }
        Ok(Self {
            payload,
            signed_bytes,
            signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn payload() -> Payload {
        Facts {
            typ: DocumentKind::Receipt,
            no: "20261207-K9EMYNZPKX".into(),
            iat: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            name: "王*".into(),
            id: "4403**********1234".into(),
            moved_in_on: NaiveDate::from_ymd_opt(2026, 12, 1),
        }
        .payload("3f9a0c12d4e5")
    }

    #[test]
    fn a_token_reads_back_as_what_was_signed() {
        let bytes = payload().to_bytes();
        let sealed = Sealed::parse(&token(&bytes, &[9u8; 64])).unwrap();
        assert_eq!(sealed.payload, payload());
        assert_eq!(sealed.signed_bytes, bytes);
        assert_eq!(sealed.signature, vec![9u8; 64]);
        assert!(
            String::from_utf8(bytes)
                .unwrap()
                .contains(r#""in":"2026-12-01""#),
            "the documented keys"
        );
    }

    #[test]
    fn what_is_not_a_token_of_this_format_is_refused() {
        let bytes = payload().to_bytes();
        assert_eq!(Sealed::parse("abc"), Err(Malformed::Shape));
        assert_eq!(
            Sealed::parse(&token(&bytes, &[1u8; 63])),
            Err(Malformed::SignatureLength)
        );
        assert_eq!(
            Sealed::parse(&token(b"{\"v\":1}", &[1u8; 64])),
            Err(Malformed::Payload)
        );
        let mut other = payload();
        other.v = 2;
        assert_eq!(
            Sealed::parse(&token(&other.to_bytes(), &[1u8; 64])),
            Err(Malformed::Payload)
        );
        assert_eq!(
            Sealed::parse(&"a".repeat(MAX_TOKEN_LEN + 1)),
            Err(Malformed::TooLong)
        );
    }

    proptest! {
        #[test]
        fn any_text_is_read_without_a_panic(text in ".{0,1200}") {
            let _ = Sealed::parse(&text);
        }

        #[test]
        fn any_bytes_as_a_payload_are_read_without_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = Sealed::parse(&token(&bytes, &[0u8; 64]));
        }
    }
}
