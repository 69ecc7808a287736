//! The delivery worker: a pass whenever a message is queued or a connection finishes, and
//! once a second for retries that come due.

use std::sync::Arc;
use std::time::Duration;

use tern_config::Config;
use tern_store::QueueStore;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::dns::Resolver;
use crate::pass::Delivery;

/// How often the worker looks for retries that have come due.
const TICK: Duration = Duration::from_millis(250);
/// How long shutdown waits for connections in progress to finish and record their outcomes.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);
/// How often settled messages are finished (their bodies dropped) and finished messages
/// older than `[delivery] keep_finished` deleted.
const PURGE_EVERY: Duration = Duration::from_secs(10);
/// How long after its last outcome a message keeps its body: reports queued right after an
/// outcome (bounces, success notices, `tern queue bounce`) still read it.
const SETTLE_MARGIN_MS: i64 = 60_000;
/// Messages per store call: each call is one write, so enqueues interleave with a long purge.
const PURGE_CHUNK: usize = 1_000;

/// A running delivery worker.
#[derive(Debug)]
pub struct DeliveryHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl DeliveryHandle {
    /// Stops after the current pass, then waits (up to 20 s) for the connections in progress
    /// to finish and record their outcomes, and closes the connections kept for reuse with
    /// QUIT. What a connection cut off by the grace period has not recorded is delivered
    /// again after a restart (at most a duplicate, never a loss).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts delivering from `store`. Mailboxes live in `data_dir/mail`; `queued` wakes the
/// worker at once when the server queues a message.
pub fn start<S: QueueStore + 'static>(
    config: Arc<Config>,
    store: Arc<S>,
    queued: Arc<Notify>,
    resolver: Resolver,
) -> DeliveryHandle {
    let keep_ms = i64::try_from(config.delivery.keep_finished.0.as_millis()).unwrap_or(i64::MAX);
    let delivery = Delivery::new(config, Arc::clone(&store), resolver, Arc::clone(&queued));
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        let mut last_purge: Option<tokio::time::Instant> = None;
        loop {
            if last_purge.is_none_or(|t| t.elapsed() >= PURGE_EVERY) {
                last_purge = Some(tokio::time::Instant::now());
                let now = crate::now_ms();
                purge(
                    store.as_ref(),
                    now.saturating_sub(SETTLE_MARGIN_MS),
                    now.saturating_sub(keep_ms),
                )
                .await;
            }
            loop {
                match delivery.run_once(crate::now_ms()).await {
                    Ok(0) => break,
                    Ok(_) => continue,
                    Err(e) => {
                        tracing::error!(error = %e, "delivery pass failed; retrying shortly");
                        break;
                    }
                }
            }
            delivery.close_idle_connections();
            tokio::select! {
                () = queued.notified() => {}
                () = tokio::time::sleep(TICK) => {}
                _ = stopped.changed() => break,
            }
            if *stopped.borrow() {
                break;
            }
        }
        // Connections in progress finish and record what they did (a delivery cut off here
        // would be sent again after a restart); kept connections say QUIT.
        if tokio::time::timeout(SHUTDOWN_GRACE, delivery.idle())
            .await
            .is_err()
        {
            tracing::warn!(
                "delivery connections still running at shutdown; their recipients are tried again at the next start"
            );
        }
        delivery.close_kept_connections(SHUTDOWN_GRACE).await;
    });
    DeliveryHandle { stop, task }
}

/// Finishes the messages settled before `settled_ms` (every recipient final), then deletes
/// those finished before `finished_ms`, a chunk per store write until none is left.
async fn purge<S: QueueStore>(store: &S, settled_ms: i64, finished_ms: i64) {
    let mut counts = [0usize; 2];
    for (step, count) in counts.iter_mut().enumerate() {
        loop {
            let result = if step == 0 {
                store.finish_settled(settled_ms, PURGE_CHUNK).await
            } else {
                store.purge_finished(finished_ms, PURGE_CHUNK).await
            };
            match result {
                Ok(n) => {
                    *count += n;
                    if n < PURGE_CHUNK {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not tidy finished messages; trying again later");
                    return;
                }
            }
        }
    }
    if counts != [0, 0] {
        tracing::debug!(
            finished = counts[0],
            purged = counts[1],
            "finished messages tidied"
        );
    }
}
