//! Signed documents (issue 31): every receipt and permit card carries a QR code whose URL holds a
//! payload signed at issue time, so an officer can tell a genuine document from a forged one,
//! online through the platform's verification page and offline against the published keys.
//!
//! - [`seal`]: what is signed (the document's kind and number, the facts an officer compares,
//!   the issue date and the key id) and how it travels: `<payload>.<signature>` in base64url.
//! - [`keys`]: the algorithms (SM2 with SM3, GM/T 0003-2012 and 0004-2012; ECDSA P-256 with
//!   SHA-256 where KMS offers no SM2 key) and the verification of a signature against a published
//!   key.
//! - [`signing_key`]: who signs at issue (`crate::services::document_seals` asks it): AWS KMS
//!   deployed ([`kms`]: the private key never leaves it; one `kms:Sign` per document), or,
//!   LOCAL ONLY, an SM2 key in the local stack's configuration, a stand-in for KMS's SM2 keys,
//!   which the emulator cannot make.
//!
//! The keys a document may be signed with are published in the document-keys table
//! (`crate::store::document_keys`) and served at `GET /v1/document-keys`; a retired key stays
//! published, so the documents it signed keep verifying.

pub mod keys;
pub mod kms;
pub mod seal;
pub mod signing_key;

pub use keys::{Algorithm, KeyStatus};
pub use seal::{DocumentKind, Payload, Sealed};
pub use signing_key::{DocumentSigner, SignError};
