//! A stand-in for EventBridge in front of the moto server that fails part of a `PutEvents` call
//! on purpose: on the first `faults` calls of events from `source` (their first entry's
//! `Source`, e.g. `/residence-platform/registration`) it forwards only the entries before `accepted` to
//! moto (which delivers them) and answers the rest as refused (`InternalFailure`, as EventBridge
//! answers an entry it could not take: HTTP 200 with `FailedEntryCount`), so that a publisher
//! failing in the middle of a batch can be watched being retried from the failed record. Every
//! other call is forwarded whole. It counts the `PutEvents` calls of events from `source`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use crate::stand_in_server::{self, Answer, Received};

/// A running stand-in: its URL and the `PutEvents` calls of its source it saw.
pub struct FaultyEventBridge {
    pub url: String,
    calls: Arc<AtomicUsize>,
}

impl FaultyEventBridge {
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

/// Starts one before `moto` (the emulator's URL) on a free port, on a thread of its own.
pub fn start(moto: &str, source: &str, faults: usize, accepted: usize) -> FaultyEventBridge {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let moto = moto.trim_end_matches('/').to_owned();
    let source = source.to_owned();
    let http = reqwest::Client::new();
    let url = stand_in_server::start(move |request: Received| {
        let (counted, http, moto) = (counted.clone(), http.clone(), moto.clone());
        let source = source.clone();
        async move {
            let target = request.header("x-amz-target").unwrap_or_default();
            let mut body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            let of_source =
                target.ends_with(".PutEvents") && body["Entries"][0]["Source"] == source.as_str();
            let call = match of_source {
                true => counted.fetch_add(1, Ordering::SeqCst),
                false => usize::MAX,
            };
            let refused = match call < faults {
                true => {
                    let entries = body["Entries"].as_array().cloned().unwrap_or_default();
                    let keep = accepted.min(entries.len());
                    body["Entries"] = Value::Array(entries[..keep].to_vec());
                    entries.len() - keep
                }
                _ => 0,
            };
            let answer = forward(&http, &moto, &target, &body).await;
            let answer = match refused {
                0 => answer,
                n => {
                    let mut entries = answer["Entries"].as_array().cloned().unwrap_or_default();
                    for _ in 0..n {
                        entries.push(json!({
                            "ErrorCode": "InternalFailure",
                            "ErrorMessage": "refused by the faulty stand-in",
                        }));
                    }
                    let failed = answer["FailedEntryCount"].as_u64().unwrap_or(0);
                    json!({ "FailedEntryCount": failed + n as u64, "Entries": entries })
                }
            };
            Answer {
                status: "200 OK",
                content_type: "application/x-amz-json-1.1",
                body: answer.to_string(),
            }
        }
    });
    FaultyEventBridge { url, calls }
}

/// The call as moto answers it (moto checks no signature).
async fn forward(http: &reqwest::Client, moto: &str, target: &str, body: &Value) -> Value {
    let sent = http
        .post(format!("{moto}/"))
        .header("x-amz-target", target)
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=local/20261202/ap-east-1/events/aws4_request, SignedHeaders=host, Signature=0",
        )
        .body(body.to_string())
        .send()
        .await;
    match sent {
        Ok(response) => response.json().await.unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}
