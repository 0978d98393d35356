//! Who signs documents, as the configuration names it: the KMS key of a deployed stack, or the
//! local stand-in's SM2 key. Configuration only (no client): `crate::config` holds one, and
//! `crate::services::document_seals` signs with it.

use super::keys::Algorithm;
#[cfg(feature = "local")]
use super::keys::{Sm2Key, key_id_of};

/// Who signs documents, as the configuration says.
#[derive(Clone, Debug)]
pub enum DocumentSigner {
    /// An asymmetric KMS key (`DOCUMENT_SIGNING_KEY`, its published id `DOCUMENT_SIGNING_KID`
    /// and its algorithm `DOCUMENT_SIGNING_ALGORITHM`).
    Kms {
        key_id: String,
        kid: String,
        algorithm: Algorithm,
    },
    /// LOCAL ONLY: an SM2 key in the configuration (`LOCAL_DOCUMENT_SIGNING_KEY`); its id is
    /// made from its public key. A build without the feature `local` has no such variant.
    #[cfg(feature = "local")]
    LocalSm2 { key: Box<Sm2Key>, kid: String },
    /// Not configured (functions that issue no document): signing answers 503.
    Unconfigured,
}

impl DocumentSigner {
    /// The local stand-in for a key given as 64 hex digits.
    #[cfg(feature = "local")]
    pub fn local_sm2(hex: &str) -> Option<Self> {
        let key = Sm2Key::from_hex(hex)?;
        let kid = key_id_of(&key.public_key());
        Some(Self::LocalSm2 {
            key: Box::new(key),
            kid,
        })
    }
}

/// Why a payload was not signed (no personal data: it is logged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("no document signing key is configured for this function")]
    Unconfigured,
    #[error("the signing service failed: {0}")]
    Unavailable(String),
}

impl DocumentSigner {
    /// The local stand-in's key id and public key (DER), which the local stack publishes.
    #[cfg(feature = "local")]
    pub fn local_public_key(&self) -> Option<(&str, Vec<u8>)> {
        match self {
            Self::LocalSm2 { key, kid } => Some((kid, key.public_key())),
            _ => None,
        }
    }
}
