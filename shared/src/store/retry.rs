//! The one back-off policy: exponential, capped, with jitter, so that writers retrying the same
//! thing spread out instead of colliding again.

use std::time::Duration;

/// Waits between the attempts of one operation.
#[derive(Debug, Clone)]
pub struct Backoff {
    base_ms: u64,
    attempts: u32,
}

/// The longest wait doubles at most this many times.
const MAX_DOUBLINGS: u32 = 6;

impl Backoff {
    /// For a write that lost a race with a concurrent one (a transaction conflict, a
    /// compare-and-set): the other writer is done within milliseconds.
    pub fn contention() -> Self {
        Self::starting_at(10)
    }

    /// For DynamoDB leaving work unprocessed (throttling, batch limits): give it time.
    pub fn throttling() -> Self {
        Self::starting_at(50)
    }

    fn starting_at(base_ms: u64) -> Self {
        Self {
            base_ms,
            attempts: 0,
        }
    }

    /// How many waits there were so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The pause before the next attempt: the base doubled per earlier wait (at most
    /// [`MAX_DOUBLINGS`] times), plus up to one base of jitter.
    pub fn next_delay(&mut self) -> Duration {
        let doubled = self.base_ms << self.attempts.min(MAX_DOUBLINGS);
        self.attempts += 1;
        let jitter = u64::from(crate::crypto::random_u32()) % self.base_ms.max(1);
        Duration::from_millis(doubled + jitter)
    }

    pub async fn wait(&mut self) {
        tokio::time::sleep(self.next_delay()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_a_cap_with_bounded_jitter() {
        let mut backoff = Backoff::throttling();
        let delays: Vec<u64> = (0..9)
            .map(|_| backoff.next_delay().as_millis() as u64)
            .collect();
        for (i, delay) in delays.iter().enumerate() {
            let floor = 50 << (i as u32).min(MAX_DOUBLINGS);
            assert!((floor..floor + 50).contains(delay), "{i}: {delay}");
        }
        assert_eq!(backoff.attempts(), 9);
    }
}
