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
const TICK: Duration = Duration::from_secs(1);
/// How often finished messages older than `[delivery] keep_finished` are deleted.
const PURGE_EVERY: Duration = Duration::from_secs(10);
/// Messages deleted per store call, and calls per purge: a purge never holds up delivery for
/// long; what is left goes at the next one.
const PURGE_CHUNK: usize = 1_000;
const PURGE_CHUNKS: usize = 20;

/// A running delivery worker.
#[derive(Debug)]
pub struct DeliveryHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl DeliveryHandle {
    /// Stops after the current pass. Connections in progress finish on their own; what they
    /// have not recorded is delivered again after a restart (at most a duplicate, never a loss).
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
                purge(store.as_ref(), crate::now_ms().saturating_sub(keep_ms)).await;
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
            tokio::select! {
                () = queued.notified() => {}
                () = tokio::time::sleep(TICK) => {}
                _ = stopped.changed() => return,
            }
            if *stopped.borrow() {
                return;
            }
        }
    });
    DeliveryHandle { stop, task }
}

/// Deletes messages finished before `before_ms`, a bounded number at a time.
async fn purge<S: QueueStore>(store: &S, before_ms: i64) {
    let mut purged = 0;
    for _ in 0..PURGE_CHUNKS {
        match store.purge_finished(before_ms, PURGE_CHUNK).await {
            Ok(n) => {
                purged += n;
                if n < PURGE_CHUNK {
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not purge finished messages; trying again later");
                break;
            }
        }
    }
    if purged > 0 {
        tracing::debug!(purged, "finished messages purged");
    }
}
