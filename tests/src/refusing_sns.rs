//! A stand-in for SNS that refuses every message (as SNS refuses a number it cannot deliver to:
//! 400 `InvalidParameter`, which the SDK does not retry), counting the calls: the tests point the
//! SMS sender at it to see undeliverable messages dead-lettered.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::stand_in_server::{self, Answer};

const REFUSAL: &str = r#"<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: PhoneNumber Reason: unreachable</Message></Error><RequestId>refusing-sns</RequestId></ErrorResponse>"#;

/// A running stand-in: its URL and how many requests it refused.
pub struct RefusingSns {
    pub url: String,
    calls: Arc<AtomicUsize>,
}

impl RefusingSns {
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

/// Starts one on a free port, on a thread of its own.
pub fn start() -> RefusingSns {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let url = stand_in_server::start(move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
        async {
            Answer {
                status: "400 Bad Request",
                content_type: "text/xml",
                body: REFUSAL.to_owned(),
            }
        }
    });
    RefusingSns { url, calls }
}
