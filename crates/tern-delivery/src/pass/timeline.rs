//! The words and the decision of a timeline entry: a reply explained in one paragraph, a
//! slowdown, and what an attempt decided for its recipients.

use tern_codes::Explanation;
use tern_store::{Decision, Outcome};

use crate::throttle::Slowdown;

/// The timeline's explanation of a reply: the cause, who acts, whether resending helps, and
/// what to do (`tern explain`'s answer in one paragraph).
pub(crate) fn explanation_line(ex: &Explanation) -> String {
    if !matches!(
        ex.outcome(),
        tern_codes::Outcome::Transient | tern_codes::Outcome::Permanent
    ) {
        return format!("{} {}", ex.summary, ex.action);
    }
    let provider = ex
        .provider
        .map(|p| format!(" ({})", p.name()))
        .unwrap_or_default();
    let resend = if ex.retry_helps {
        format!("resending helps {}", ex.retry_when)
    } else {
        format!("resending does not help: {}", ex.retry_when)
    };
    format!(
        "{}{provider} [cause {}; who acts: {}; {resend}]. {}",
        ex.summary,
        ex.cause.id(),
        ex.who_acts.id(),
        ex.action
    )
}

/// The timeline's words for a slowdown.
pub(crate) fn slowdown_line(domain: &str, s: Slowdown, now_ms: i64) -> String {
    format!(
        "Slowing down for {domain}: its replies say it is rate-limiting this server; no new attempt for {} s, then at most {} connection{} at once.",
        s.seconds_left(now_ms),
        s.connections,
        if s.connections == 1 { "" } else { "s" }
    )
}

/// What an attempt decided, from its recipients' new states: deferred while any of them is
/// deferred, until the earliest of their next attempts (the times the worker will use);
/// otherwise failed when any failed, delivered when all were.
pub(crate) fn decision(outcomes: &[Outcome]) -> Decision {
    let next = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Deferred { next_attempt_ms } => Some(*next_attempt_ms),
            _ => None,
        })
        .min();
    match next {
        Some(until_ms) => Decision::Deferred { until_ms },
        None if outcomes.contains(&Outcome::Failed) => Decision::Failed,
        None if outcomes.is_empty() => Decision::Failed,
        None => Decision::Delivered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attempt_decides_what_its_recipients_got() {
        let deferred = |t| Outcome::Deferred { next_attempt_ms: t };
        assert_eq!(
            decision(&[Outcome::Delivered, Outcome::Delivered]),
            Decision::Delivered
        );
        assert_eq!(
            decision(&[Outcome::Delivered, Outcome::Failed]),
            Decision::Failed,
            "delivered and failed is not 'deferred'"
        );
        assert_eq!(
            decision(&[deferred(900), Outcome::Failed, deferred(600)]),
            Decision::Deferred { until_ms: 600 },
            "the earliest real next attempt"
        );
    }
}
