//! Slowing down for a destination that says Tern sends too fast.
//!
//! When a reply from a destination is explained as a rate limit ([`Cause::RateLimited`]:
//! Gmail's `4.7.28` and "receiving mail too quickly", Microsoft's `4.7.500`–`4.7.699`, a
//! generic "too many connections"), or as a deferral for volume or reputation that passes by
//! itself (Yahoo's `[TSS04]`), the destination is *throttled*:
//! - new attempts wait until a pause has passed (`[delivery] rate_limit_pause`, doubling with
//!   each further signal up to `rate_limit_max_pause`), and the recipients it deferred are not
//!   retried before then;
//! - connections to it are halved per level (from `per_destination`, at least one).
//!
//! A connection that delivers without a rate signal lowers the level by one; at level zero
//! the destination is back to normal. Nothing here is stored: after a restart Tern starts
//! polite (its retry schedule) and learns again from the next reply.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tern_codes::{Cause, Explanation, Outcome};

/// The state of one throttled destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slowdown {
    /// How many rate signals in a row (1 = first).
    pub level: u32,
    /// No new attempt before this time.
    pub until_ms: i64,
    /// At most this many connections at once.
    pub connections: usize,
}

impl Slowdown {
    /// Whole seconds until the pause has passed, at `now_ms`.
    pub fn seconds_left(&self, now_ms: i64) -> i64 {
        (self.until_ms - now_ms).max(0) / 1000
    }
}

/// Throttle state for every destination.
#[derive(Debug)]
pub struct Throttle {
    pause: Duration,
    max_pause: Duration,
    per_destination: usize,
    state: Mutex<HashMap<String, Slowdown>>,
}

/// The highest level: the pause stops doubling long before it.
const MAX_LEVEL: u32 = 16;

impl Throttle {
    /// `pause` of zero turns slowing down off.
    pub fn new(pause: Duration, max_pause: Duration, per_destination: usize) -> Self {
        Throttle {
            pause,
            max_pause: max_pause.max(pause),
            per_destination: per_destination.max(1),
            state: Mutex::new(HashMap::new()),
        }
    }

    /// Whether a reply, as `explain` read it, says the destination is rate-limiting the
    /// sender.
    pub fn is_rate_signal(ex: &Explanation) -> bool {
        if !matches!(ex.outcome(), Outcome::Transient | Outcome::Permanent) {
            return false;
        }
        // A deferral for volume or reputation that passes by itself (Yahoo's [TSS04], Gmail's
        // "unusual rate of unsolicited mail") asks for the same: send less, later.
        ex.cause == Cause::RateLimited
            || (ex.cause == Cause::IpReputationBlocklist
                && ex.outcome() == Outcome::Transient
                && ex.retry_helps)
    }

    /// Takes in the replies of one connection to `domain`: a rate signal raises the level and
    /// returns the new slowdown; a delivery without one lowers it.
    pub fn observe(
        &self,
        domain: &str,
        rate_signal: bool,
        delivered: bool,
        now_ms: i64,
    ) -> Option<Slowdown> {
        if self.pause.is_zero() {
            return None;
        }
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if rate_signal {
            let level = state
                .get(domain)
                .map_or(1, |s| (s.level + 1).min(MAX_LEVEL));
            let slowdown = Slowdown {
                level,
                until_ms: now_ms.saturating_add(self.pause_ms(level)),
                connections: self.connections_at(level),
            };
            state.insert(domain.to_owned(), slowdown);
            return Some(slowdown);
        }
        if delivered && let Some(s) = state.get_mut(domain) {
            s.level -= 1;
            s.connections = self.connections_at(s.level);
            if s.level == 0 {
                state.remove(domain);
            }
        }
        None
    }

    /// The slowdown of `domain` if its pause has not passed at `now_ms`.
    pub fn paused(&self, domain: &str, now_ms: i64) -> Option<Slowdown> {
        let state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.get(domain).copied().filter(|s| s.until_ms > now_ms)
    }

    /// How many connections `domain` may have at once now.
    pub fn connections(&self, domain: &str) -> usize {
        let state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state
            .get(domain)
            .map_or(self.per_destination, |s| s.connections)
    }

    fn pause_ms(&self, level: u32) -> i64 {
        let factor = 1u32 << (level.saturating_sub(1)).min(20);
        let pause = self.pause.saturating_mul(factor).min(self.max_pause);
        i64::try_from(pause.as_millis()).unwrap_or(i64::MAX)
    }

    fn connections_at(&self, level: u32) -> usize {
        (self.per_destination >> level.min(usize::BITS - 1)).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explained(s: &str) -> Explanation {
        tern_codes::explain(&tern_codes::find_reply(s).unwrap())
    }

    #[test]
    fn rate_limit_replies_are_signals_and_others_are_not() {
        for r in [
            "450 4.2.1 The user you are trying to contact is receiving mail too quickly. Please resend your message at a later time.",
            "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints",
            "451 4.7.1 Sender rate exceeds 100 messages per 1h",
        ] {
            assert!(Throttle::is_rate_signal(&explained(r)), "{r}");
        }
        for r in [
            "550 5.1.1 User unknown",
            "421 4.3.2 Service not available",
            "250 2.0.0 OK",
        ] {
            assert!(!Throttle::is_rate_signal(&explained(r)), "{r}");
        }
    }

    #[test]
    fn pauses_double_connections_halve_and_deliveries_recover() {
        let t = Throttle::new(Duration::from_secs(300), Duration::from_secs(3600), 10);
        assert_eq!(t.connections("x"), 10);
        let s = t.observe("x", true, false, 0).unwrap();
        assert_eq!((s.level, s.until_ms, s.connections), (1, 300_000, 5));
        let s = t.observe("x", true, false, 1_000).unwrap();
        assert_eq!((s.level, s.until_ms, s.connections), (2, 601_000, 2));
        for _ in 0..10 {
            t.observe("x", true, false, 0);
        }
        let s = t.paused("x", 0).unwrap();
        assert_eq!((s.until_ms, s.connections), (3_600_000, 1), "capped");
        assert!(t.paused("x", 3_600_000).is_none(), "the pause passes");
        assert!(t.paused("y", 0).is_none());
        for _ in 0..MAX_LEVEL {
            t.observe("x", false, true, 0);
        }
        assert_eq!(t.connections("x"), 10, "recovered");
        let off = Throttle::new(Duration::ZERO, Duration::ZERO, 10);
        assert!(off.observe("x", true, false, 0).is_none());
    }
}
