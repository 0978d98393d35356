//! A stand-in for EventBridge in front of the moto server that fails part of a `PutEvents` call
//! on purpose: on the first `faults` calls it forwards only the entries before `accepted` to
//! moto (which delivers them) and answers the rest as refused (`InternalFailure`, as EventBridge
//! answers an entry it could not take: HTTP 200 with `FailedEntryCount`), so that a publisher
//! failing in the middle of a batch can be watched being retried from the failed record. Every
//! other call is forwarded whole. It counts the calls.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A running stand-in: its URL and the `PutEvents` calls it saw.
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
pub fn start(moto: &str, faults: usize, accepted: usize) -> FaultyEventBridge {
    let listener = std::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .expect("a free port");
    listener.set_nonblocking(true).expect("non-blocking");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let moto = moto.trim_end_matches('/').to_owned();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let http = reqwest::Client::new();
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    continue;
                };
                let (counted, http, moto) = (counted.clone(), http.clone(), moto.clone());
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buffer = [0u8; 8192];
                    while !crate::refusing_sns::complete(&request) {
                        match stream.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(read) => request.extend_from_slice(&buffer[..read]),
                        }
                    }
                    let (head, body) = split(&request);
                    let target = header(&head, "x-amz-target").unwrap_or_default();
                    let call = counted.fetch_add(1, Ordering::SeqCst);
                    let mut body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
                    let refused = match (target.ends_with(".PutEvents"), call < faults) {
                        (true, true) => {
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
                            let mut entries =
                                answer["Entries"].as_array().cloned().unwrap_or_default();
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
                    let text = answer.to_string();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                        text.len()
                    );
                    let _ = stream.write_all(response.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
    });
    FaultyEventBridge { url, calls }
}

fn split(request: &[u8]) -> (String, &[u8]) {
    let end = request
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(request.len());
    let head = String::from_utf8_lossy(&request[..end]).into_owned();
    (head, request.get(end + 4..).unwrap_or(&[]))
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
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
