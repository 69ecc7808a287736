//! When to try again: the retry schedule (`[delivery]` retry_initial, retry_max,
//! max_queue_time), as pure functions of the attempt count and the times involved.

use std::time::Duration;

use tern_config::Delivery;

/// The delay before attempt number `attempts + 1`, after `attempts` failed ones: starts at
/// `retry_initial` and doubles up to `retry_max`.
pub fn backoff(config: &Delivery, attempts: u32) -> Duration {
    let initial = config.retry_initial.0;
    let factor = 1u32
        .checked_shl(attempts.saturating_sub(1).min(31))
        .unwrap_or(u32::MAX);
    initial
        .checked_mul(factor)
        .unwrap_or(config.retry_max.0)
        .min(config.retry_max.0)
}

/// Whether a message received at `received_ms` has been queued longer than allowed at `now_ms`.
pub fn expired(config: &Delivery, received_ms: i64, now_ms: i64) -> bool {
    let limit = i64::try_from(config.max_queue_time.0.as_millis()).unwrap_or(i64::MAX);
    now_ms.saturating_sub(received_ms) >= limit
}

/// The next attempt time after `attempts` failures, in ms.
pub fn next_attempt_ms(config: &Delivery, attempts: u32, now_ms: i64) -> i64 {
    let delay = i64::try_from(backoff(config, attempts).as_millis()).unwrap_or(i64::MAX);
    now_ms.saturating_add(delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_maximum() {
        let d = Delivery::default();
        assert_eq!(backoff(&d, 1), Duration::from_secs(300));
        assert_eq!(backoff(&d, 2), Duration::from_secs(600));
        assert_eq!(backoff(&d, 3), Duration::from_secs(1200));
        assert_eq!(backoff(&d, 7), Duration::from_secs(4 * 3600));
        assert_eq!(backoff(&d, 100), Duration::from_secs(4 * 3600));
        assert_eq!(backoff(&d, 0), Duration::from_secs(300));
    }

    #[test]
    fn expiry_after_five_days() {
        let d = Delivery::default();
        let day = 86_400_000;
        assert!(!expired(&d, 0, 5 * day - 1));
        assert!(expired(&d, 0, 5 * day));
    }
}
