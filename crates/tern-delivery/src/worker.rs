//! The delivery worker: a pass whenever a message is queued, and once a second for retries.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tern_config::Config;
use tern_policy::Policy;
use tern_store::QueueStore;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::local::LocalDelivery;
use crate::maildir::Maildirs;

/// How often the worker looks for retries that have come due.
const TICK: Duration = Duration::from_secs(1);

/// A running delivery worker.
#[derive(Debug)]
pub struct DeliveryHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl DeliveryHandle {
    /// Stops after the current pass.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts delivering from `store`. Mailboxes live in `data_dir/mail`. `queued` wakes the
/// worker at once when the server queues a message.
pub fn start<S: QueueStore + 'static>(
    config: Arc<Config>,
    store: Arc<S>,
    queued: Arc<Notify>,
) -> DeliveryHandle {
    let maildirs = Arc::new(Maildirs::new(
        config.server.data_dir.join("mail"),
        &config.server.hostname,
    ));
    let local = LocalDelivery {
        policy: Policy::new(&config),
        config,
        maildirs,
    };
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        loop {
            loop {
                match local.run_once(store.as_ref(), now_ms()).await {
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

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
