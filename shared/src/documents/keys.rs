//! The signature algorithms documents are signed with, and the check of a signature against a
//! published public key (SubjectPublicKeyInfo, DER).
//!
//! Both algorithms sign the payload's bytes as they are ("raw" messages): SM2 computes
//! `SM3(Z_A ‖ M)` with the default distinguishing identifier `1234567812345678` (GM/T 0009-2012,
//! and what KMS's `SM2DSA` uses for a raw message); ECDSA P-256 computes `SHA-256(M)`. A
//! signature travels as the 64 bytes `r ‖ s`.

use serde::{Deserialize, Serialize};

/// The distinguishing identifier SM2 signatures use (GM/T 0009-2012's default, as KMS).
pub const SM2_DISTINGUISHING_ID: &str = "1234567812345678";

/// The length of a signature: `r ‖ s`, 32 bytes each.
pub const SIGNATURE_LEN: usize = 64;

/// How a key signs.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
pub enum Algorithm {
    /// SM2 signatures with SM3 (KMS key spec `SM2`, signing algorithm `SM2DSA`; China regions).
    #[serde(rename = "SM2-SM3")]
    #[strum(serialize = "SM2-SM3")]
    Sm2Sm3,
    /// ECDSA on P-256 with SHA-256 (KMS key spec `ECC_NIST_P256`, `ECDSA_SHA_256`; elsewhere).
    #[serde(rename = "ES256")]
    #[strum(serialize = "ES256")]
    Es256,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Whether documents are signed with a key now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// New documents are signed with it.
    Active,
    /// No longer signs; the documents it signed still verify.
    Retired,
}

/// Why a signature does not verify (nothing more is told to a caller: "not genuine").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unverified {
    #[error("the public key is not a valid {0} key")]
    BadKey(&'static str),
    #[error("the signature is malformed")]
    BadSignature,
    #[error("the signature does not match")]
    Mismatch,
}

/// Checks `signature` (`r ‖ s`) over `message` with the published key `public_key` (DER
/// SubjectPublicKeyInfo) of algorithm `algorithm`.
pub fn verify(
    algorithm: Algorithm,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), Unverified> {
    use p256::pkcs8::DecodePublicKey;
    use sm2::dsa::signature::Verifier;
    match algorithm {
        Algorithm::Sm2Sm3 => {
            let key = sm2::PublicKey::from_public_key_der(public_key)
                .map_err(|_| Unverified::BadKey("SM2"))?;
            let key = sm2::dsa::VerifyingKey::new(SM2_DISTINGUISHING_ID, key)
                .map_err(|_| Unverified::BadKey("SM2"))?;
            let signature =
                sm2::dsa::Signature::from_slice(signature).map_err(|_| Unverified::BadSignature)?;
            key.verify(message, &signature)
                .map_err(|_| Unverified::Mismatch)
        }
        Algorithm::Es256 => {
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(public_key)
                .map_err(|_| Unverified::BadKey("P-256"))?;
            let signature = p256::ecdsa::Signature::from_slice(signature)
                .map_err(|_| Unverified::BadSignature)?;
            key.verify(message, &signature)
                .map_err(|_| Unverified::Mismatch)
        }
    }
}

/// A DER signature (what KMS answers) as `r ‖ s`.
pub fn raw_signature(algorithm: Algorithm, der: &[u8]) -> Result<Vec<u8>, Unverified> {
    match algorithm {
        Algorithm::Sm2Sm3 => sm2::dsa::Signature::from_der(der)
            .map(|s| s.to_vec())
            .map_err(|_| Unverified::BadSignature),
        Algorithm::Es256 => p256::ecdsa::Signature::from_der(der)
            .map(|s| s.to_vec())
            .map_err(|_| Unverified::BadSignature),
    }
}

/// A key id made from a public key: the first six bytes of the SM3 digest of its DER encoding,
/// in hex (a local key's id; a KMS key's id is set with it).
pub fn key_id_of(public_key: &[u8]) -> String {
    use sm3::Digest;
    crate::crypto::hex(&sm3::Sm3::digest(public_key)[..6])
}

/// An SM2 signing key (the local stand-in's, and the tests').
#[derive(Clone)]
pub struct Sm2Key {
    key: sm2::dsa::SigningKey,
}

impl Sm2Key {
    /// The key whose secret scalar is the 32 bytes of `hex` (64 hex digits).
    pub fn from_hex(hex: &str) -> Option<Self> {
        let bytes = crate::crypto::unhex(hex.trim())?;
        let key = sm2::dsa::SigningKey::from_slice(SM2_DISTINGUISHING_ID, &bytes).ok()?;
        Some(Self { key })
    }

    /// A new random key, as the 64 hex digits [`Sm2Key::from_hex`] takes.
    pub fn generate_hex() -> String {
        loop {
            let mut secret = [0u8; 32];
            crate::crypto::fill_random(&mut secret);
            if sm2::dsa::SigningKey::from_slice(SM2_DISTINGUISHING_ID, &secret).is_ok() {
                return crate::crypto::hex(&secret);
            }
        }
    }

    /// Signs `message`: `r ‖ s`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        use sm2::dsa::signature::Signer;
        let signature: sm2::dsa::Signature = self.key.sign(message);
        signature.to_vec()
    }

    /// The public key, DER SubjectPublicKeyInfo.
    pub fn public_key(&self) -> Vec<u8> {
        use sm2::pkcs8::EncodePublicKey;
        self.key
            .verifying_key()
            .to_public_key_der()
            .expect("an SM2 public key encodes")
            .into_vec()
    }
}

impl std::fmt::Debug for Sm2Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sm2Key(<secret>, kid {})", key_id_of(&self.public_key()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sm2_signature_verifies_with_the_public_key_alone_and_not_after_a_change() {
        let key = Sm2Key::from_hex(&Sm2Key::generate_hex()).unwrap();
        let message = "深圳经济特区居住登记申报回执".as_bytes();
        let signature = key.sign(message);
        assert_eq!(signature.len(), SIGNATURE_LEN);
        let public = key.public_key();
        assert_eq!(
            verify(Algorithm::Sm2Sm3, &public, message, &signature),
            Ok(())
        );
        let mut changed = message.to_vec();
        changed[0] ^= 1;
        assert_eq!(
            verify(Algorithm::Sm2Sm3, &public, &changed, &signature),
            Err(Unverified::Mismatch)
        );
        let other = Sm2Key::from_hex(&Sm2Key::generate_hex()).unwrap();
        assert!(verify(Algorithm::Sm2Sm3, &other.public_key(), message, &signature).is_err());
        assert!(verify(Algorithm::Es256, &public, message, &signature).is_err());
    }

    #[test]
    fn an_es256_signature_from_der_verifies() {
        use p256::ecdsa::signature::Signer;
        use p256::pkcs8::EncodePublicKey;
        let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let message = b"payload";
        let der: p256::ecdsa::DerSignature = key.sign(message);
        let raw = raw_signature(Algorithm::Es256, der.as_bytes()).unwrap();
        let public = key.verifying_key().to_public_key_der().unwrap().into_vec();
        assert_eq!(verify(Algorithm::Es256, &public, message, &raw), Ok(()));
    }

    #[test]
    fn an_sm2_der_signature_becomes_r_and_s() {
        let key = Sm2Key::from_hex(&Sm2Key::generate_hex()).unwrap();
        let raw = key.sign(b"m");
        let der = sm2::dsa::Signature::from_slice(&raw).unwrap().to_der();
        assert_eq!(
            raw_signature(Algorithm::Sm2Sm3, der.as_bytes()).unwrap(),
            raw
        );
    }

    #[test]
    fn a_key_id_is_twelve_hex_digits_of_the_public_key() {
        let key = Sm2Key::from_hex(&"11".repeat(32)).unwrap();
        let kid = key_id_of(&key.public_key());
        assert_eq!(kid.len(), 12);
        assert_eq!(kid, key_id_of(&key.public_key()));
        assert!(Sm2Key::from_hex("00").is_none());
        assert!(
            Sm2Key::from_hex(&"00".repeat(32)).is_none(),
            "zero is no key"
        );
    }
}
