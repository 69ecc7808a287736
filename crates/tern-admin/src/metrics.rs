//! The Prometheus (OpenMetrics) text of `/metrics`, from the queue's counts.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use tern_store::{QueueCounts, RecipientState};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

/// The metrics page for `counts` read at `now_ms`.
pub(crate) fn render(counts: &QueueCounts, now_ms: i64) -> String {
    let mut registry = Registry::with_prefix("tern_queue");
    let messages = Gauge::<i64>::default();
    messages.set(as_i64(counts.messages));
    registry.register(
        "messages",
        "Messages in the queue, finished ones included until they are purged",
        messages,
    );
    let held = Gauge::<i64>::default();
    held.set(as_i64(counts.held));
    registry.register(
        "held_messages",
        "Messages held (not delivered until released)",
        held,
    );
    let recipients = Family::<StateLabel, Gauge<i64>>::default();
    for state in RecipientState::ALL {
        recipients
            .get_or_create(&StateLabel {
                state: state.as_str(),
            })
            .set(as_i64(counts.in_state(state)));
    }
    registry.register("recipients", "Recipients by state", recipients);
    let oldest = Gauge::<i64>::default();
    oldest.set(
        counts
            .oldest_pending_ms
            .map_or(0, |at| now_ms.saturating_sub(at).max(0) / 1000),
    );
    registry.register(
        "oldest_pending_age_seconds",
        "Age of the oldest message with a recipient not yet delivered or failed (0: none)",
        oldest,
    );
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = encode(&mut out, &registry);
    out
}

fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_every_state() {
        let counts = QueueCounts {
            messages: 3,
            held: 1,
            recipients: [2, 5, 1, 0],
            oldest_pending_ms: Some(10_000),
        };
        let page = render(&counts, 70_000);
        for line in [
            "tern_queue_messages 3",
            "tern_queue_held_messages 1",
            "tern_queue_recipients{state=\"scheduled\"} 2",
            "tern_queue_recipients{state=\"delivered\"} 5",
            "tern_queue_recipients{state=\"deferred\"} 1",
            "tern_queue_recipients{state=\"failed\"} 0",
            "tern_queue_oldest_pending_age_seconds 60",
        ] {
            assert!(page.lines().any(|l| l == line), "{line}\n{page}");
        }
        assert!(page.ends_with("# EOF\n"), "{page}");
    }
}
