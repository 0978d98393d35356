//! Signed documents (issue 31) as a verifier meets them: the page a QR code opens, the code
//! decoded from a rendered PDF, the published keys.

use serde_json::Value;

/// The path of a verification page from its URL (`verification_url` of a registration or a
/// permit, or a QR code's text): what the test client requests.
pub fn page_path(url: &Value) -> String {
    let url = url
        .as_str()
        .unwrap_or_else(|| panic!("a verification URL: {url}"));
    let at = url
        .find("/v1/verify/")
        .unwrap_or_else(|| panic!("a verification page's URL: {url}"));
    url[at..].to_owned()
}

/// The token of a verification URL.
pub fn token_of(url: &str) -> &str {
    url.rsplit('/').next().expect("a token")
}

/// A document signing key in the emulator's KMS (an `ECC_NIST_P256` key: the emulator cannot
/// make SM2 keys), published like the deployed stack's: what the Lambda binaries and a stack
/// configured for KMS sign with.
#[derive(Debug, Clone)]
pub struct KmsDocumentKey {
    /// Its alias, as the functions name it (`DOCUMENT_SIGNING_KEY`).
    pub alias: String,
    pub kid: String,
}

impl KmsDocumentKey {
    /// The variables an issuing function is given for it (the template's three).
    pub fn variables(&self) -> [(&'static str, String); 3] {
        [
            ("DOCUMENT_SIGNING_KEY", self.alias.clone()),
            ("DOCUMENT_SIGNING_KID", self.kid.clone()),
            ("DOCUMENT_SIGNING_ALGORITHM", "ES256".to_owned()),
        ]
    }
}

/// Creates a key on the stack's KMS (the moto server) under an alias of the template's key, and publishes it (without retiring the others: stacks share the table).
pub async fn kms_document_key(stack: &crate::Stack) -> KmsDocumentKey {
    let ctx = stack.context();
    let created = ctx
        .kms
        .create_key()
        .key_spec(aws_sdk_kms::types::KeySpec::EccNistP256)
        .key_usage(aws_sdk_kms::types::KeyUsageType::SignVerify)
        .send()
        .await
        .expect("the emulator creates a signing key");
    let key_id = created
        .key_metadata()
        .expect("metadata")
        .key_id()
        .to_owned();
    // The template key's logical id with a suffix of its own, as a stack's resources are named.
    let alias = format!(
        "alias/DocumentSigningKey-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    ctx.kms
        .create_alias()
        .alias_name(&alias)
        .target_key_id(&key_id)
        .send()
        .await
        .expect("the emulator names the key");
    let kid = key_id.replace('-', "")[..12].to_owned();
    let record = infra::operator::document_keys::kms_key(&ctx, &alias, &kid)
        .await
        .expect("its public key is read");
    shared::store::document_keys::put(&ctx.db, &record)
        .await
        .expect("the key is published");
    KmsDocumentKey { alias, kid }
}
