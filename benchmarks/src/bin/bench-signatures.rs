//! `make bench ARGS="signatures [N]"`: what signing a document costs (issue 31), in this
//! machine's release build: an SM2 signature (the local stand-in's, what KMS computes in the
//! China regions), its verification (what the verification page does for every view), an ES256
//! verification (documents signed outside the China regions), the token read from a URL, and the
//! page rendered. Deployed, the signature is one `kms:Sign` request per document at issue time
//! (never per render: tests/e2e/documents.rs counts it); its latency is KMS's, not measured here.

use std::time::{Duration, Instant};

use p256::ecdsa::signature::Signer;
use p256::pkcs8::EncodePublicKey;
use shared::documents::Sealed;
use shared::documents::keys::{Algorithm, Sm2Key, verify};
use shared::documents::seal::{DocumentKind, Facts, token};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000)
        .max(10);
    let payload = Facts {
        typ: DocumentKind::Receipt,
        no: "20261208-K9EMYNZPKX".into(),
        iat: chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(),
        name: "王**".into(),
        id: "4403**********1234".into(),
        moved_in_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1),
    }
    .payload("3a675e5b9e97");
    let bytes = payload.to_bytes();

    let sm2 = Sm2Key::from_hex(&Sm2Key::generate_hex()).unwrap();
    let sm2_public = sm2.public_key();
    let es256 = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    let es256_public = es256
        .verifying_key()
        .to_public_key_der()
        .unwrap()
        .into_vec();
    let es256_signature: p256::ecdsa::Signature = es256.sign(&bytes);
    let es256_signature = es256_signature.to_vec();

    let time = |what: &str, f: &mut dyn FnMut()| {
        for _ in 0..n / 10 {
            f();
        }
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            let started = Instant::now();
            f();
            samples.push(started.elapsed());
        }
        samples.sort();
        let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
        let micros = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "| {what} | {:.1} | {:.1} |",
            micros(at(0.5)),
            micros(at(0.99))
        );
    };

    println!("\n{n} runs each (release build, one core)\n");
    println!("| step | p50 µs | p99 µs |");
    println!("|---|---:|---:|");
    let mut signature = Vec::new();
    time(
        "SM2/SM3 sign (local stand-in; KMS in the China regions)",
        &mut || {
            signature = sm2.sign(&bytes);
        },
    );
    let sm2_token = token(&bytes, &signature);
    time("SM2/SM3 verify (every page view)", &mut || {
        assert!(verify(Algorithm::Sm2Sm3, &sm2_public, &bytes, &signature).is_ok());
    });
    time("ES256 verify (documents signed outside China)", &mut || {
        assert!(verify(Algorithm::Es256, &es256_public, &bytes, &es256_signature).is_ok());
    });
    time("token read (base64url, JSON)", &mut || {
        assert!(Sealed::parse(&sm2_token).is_ok());
    });
    println!(
        "\npayload {} bytes, token {} characters, verification URL ~{} characters\n",
        bytes.len(),
        sm2_token.len(),
        sm2_token.len() + "https://api.szjzz.example/v1/verify/".len()
    );
}
