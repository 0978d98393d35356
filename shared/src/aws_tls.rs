//! The HTTPS of the AWS clients in Lambda: the SDK's own client (rustls on AWS-LC) trusting only
//! the roots AWS's endpoints chain to (Amazon Trust Services: Amazon Root CA 1 to 4, and the
//! Starfield Services G2 root that cross-signs them), compiled in. The SDK's default client reads
//! the machine's whole certificate store instead, every file of `/etc/ssl/certs`, at each cold
//! start: about 8 ms of a start of 20 (docs/decisions/0037-aws-clients-trust-only-aws-roots.md).

use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use base64::Engine;

/// The subjects' common names of the roots AWS endpoints' certificates chain to.
const AWS_ROOT_NAMES: [&[u8]; 2] = [
    b"Amazon Root CA ",
    b"Starfield Services Root Certificate Authority - G2",
];

/// The roots AWS endpoints chain to (DER), out of Mozilla's set.
pub fn aws_roots() -> Vec<&'static [u8]> {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .filter(|der| {
            webpki::anchor_from_trusted_cert(der).is_ok_and(|anchor| {
                let subject: &[u8] = anchor.subject.as_ref();
                AWS_ROOT_NAMES
                    .iter()
                    .any(|name| subject.windows(name.len()).any(|w| w == *name))
            })
        })
        .map(|der| der.as_ref())
        .collect()
}

/// A certificate in PEM (what the SDK's trust store takes).
fn pem(der: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut text = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in encoded.as_bytes().chunks(64) {
        text.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        text.push('\n');
    }
    text.push_str("-----END CERTIFICATE-----\n");
    text
}

/// The HTTPS client of the Lambda functions' AWS clients.
pub fn http_client() -> SharedHttpClient {
    let store = aws_roots().into_iter().fold(
        TrustStore::empty().with_native_roots(false),
        |store, der| store.with_pem_certificate(pem(der)),
    );
    let context = TlsContext::builder()
        .with_trust_store(store)
        .build()
        .expect("a trust store of certificates only");
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .tls_context(context)
        .build_https()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trust_store_holds_exactly_the_amazon_trust_services_roots() {
        let roots = aws_roots();
        assert_eq!(
            roots.len(),
            5,
            "Amazon Root CA 1-4 and Starfield Services G2"
        );
        for number in 1..=4 {
            let name = format!("Amazon Root CA {number}");
            assert!(
                roots
                    .iter()
                    .any(|der| der.windows(name.len()).any(|w| w == name.as_bytes())),
                "{name}"
            );
        }
        for der in roots {
            let text = pem(der);
            assert!(text.starts_with("-----BEGIN CERTIFICATE-----\n"));
            assert!(text.lines().all(|line| line.len() <= 64));
            let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
            let back = base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap();
            assert_eq!(back, der);
        }
    }

    #[test]
    fn the_client_builds() {
        let _client = http_client();
    }
}
