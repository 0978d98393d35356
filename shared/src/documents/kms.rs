//! The KMS adapter of the document signer (`crate::services::document_seals`): one `Sign` call per document, the payload sent as a
//! raw message (KMS hashes it: SM3 with `Z_A` for `SM2DSA`, SHA-256 for `ECDSA_SHA_256`), the DER
//! signature it answers turned into `r ‖ s`.

use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};

use super::keys::{Algorithm, raw_signature};
use super::signing_key::SignError;

pub async fn sign(
    kms: &aws_sdk_kms::Client,
    key_id: &str,
    algorithm: Algorithm,
    message: &[u8],
) -> Result<Vec<u8>, SignError> {
    let spec = match algorithm {
        Algorithm::Sm2Sm3 => SigningAlgorithmSpec::Sm2Dsa,
        Algorithm::Es256 => SigningAlgorithmSpec::EcdsaSha256,
    };
    let answer = kms
        .sign()
        .key_id(key_id)
        .message(Blob::new(message))
        .message_type(MessageType::Raw)
        .signing_algorithm(spec)
        .send()
        .await
        .map_err(|e| {
            use aws_sdk_kms::error::ProvideErrorMetadata;
            SignError::Unavailable(e.code().unwrap_or("unreachable").to_owned())
        })?;
    let der = answer
        .signature()
        .ok_or_else(|| SignError::Unavailable("no signature in the answer".into()))?;
    raw_signature(algorithm, der.as_ref())
        .map_err(|_| SignError::Unavailable("a signature that is not DER".into()))
}
