//! A stand-in for EventBridge, for benchmarks: it accepts every entry of every `PutEvents` call
//! at once (an `EventId` each, no failure), delivers nothing, and keeps each entry's `detail` (the
//! CloudEvent) with the time it arrived. With it, a benchmark measures the event publisher (and
//! the local stream poller feeding it) without the emulator's own cost: moto's EventBridge
//! matches, archives and delivers in one Python process, and during a rush that process, not the
//! publisher, sets the pace.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::stand_in_server::{self, Answer, Received};

/// One entry as the stand-in took it.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The entry's `Detail`, parsed: the CloudEvent.
    pub event: Value,
    /// When its call arrived (Unix milliseconds).
    pub at_ms: u64,
}

/// A running stand-in: its URL and what it accepted.
pub struct AcceptingEventBridge {
    pub url: String,
    accepted: Arc<Mutex<Vec<Accepted>>>,
}

impl AcceptingEventBridge {
    /// Everything accepted so far, in arrival order.
    pub fn accepted(&self) -> Vec<Accepted> {
        self.accepted.lock().expect("accepted entries").clone()
    }

    /// How many of the entries accepted so far satisfy `which`.
    pub fn count(&self, which: impl Fn(&Accepted) -> bool) -> usize {
        self.accepted
            .lock()
            .expect("accepted entries")
            .iter()
            .filter(|a| which(a))
            .count()
    }
}

/// Starts one on a free port, on a thread of its own.
pub fn start() -> AcceptingEventBridge {
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let keeping = accepted.clone();
    let url = stand_in_server::start(move |request: Received| {
        let keeping = keeping.clone();
        async move {
            let at_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64);
            let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            let entries = body["Entries"].as_array().cloned().unwrap_or_default();
            let answered: Vec<Value> = entries
                .iter()
                .map(|_| json!({ "EventId": uuid::Uuid::new_v4().to_string() }))
                .collect();
            keeping
                .lock()
                .expect("accepted entries")
                .extend(entries.iter().map(|entry| {
                    Accepted {
                        event: entry["Detail"]
                            .as_str()
                            .and_then(|detail| serde_json::from_str(detail).ok())
                            .unwrap_or(Value::Null),
                        at_ms,
                    }
                }));
            Answer {
                status: "200 OK",
                content_type: "application/x-amz-json-1.1",
                body: json!({ "FailedEntryCount": 0, "Entries": answered }).to_string(),
            }
        }
    });
    AcceptingEventBridge { url, accepted }
}
