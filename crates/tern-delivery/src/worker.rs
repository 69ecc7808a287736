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
    let delivery = Delivery::new(config, store, resolver, Arc::clone(&queued));
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        loop {
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
