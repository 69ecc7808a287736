//! One delivery pass over the due recipients, in three parts:
//!
//! - [`plan`]: what to do with each due recipient, without I/O;
//! - [`here`]: the recipients decided without a connection (Maildir copies, discards,
//!   refusals, expiries, holds for a throttled destination), recorded in one commit;
//! - [`remote`]: one task per destination domain (bounded in all and per destination) that
//!   delivers over SMTP, then records the whole batch in one commit.
//!
//! Every outcome is recorded by [`crate::record::Recorder`], which also queues the reports
//! to the sender.

mod here;
mod plan;
mod remote;
mod timeline;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tern_config::Config;
use tern_policy::{Policy, Route};
use tern_store::{DueRecipient, MessageInfo, QueueId, QueueStore, StoreError};
use tokio::sync::{Notify, Semaphore};

use crate::dns::Resolver;
use crate::maildir::Maildirs;
use crate::record::Recorder;
use crate::remote::{BatchMessage, Item, Remote};
use crate::throttle::{Slowdown, Throttle};

/// How many due recipients one pass takes at most.
const BATCH: usize = 256;

/// The delivery machinery shared by passes and connection tasks.
pub struct Delivery<S> {
    shared: Arc<Shared<S>>,
}

struct Shared<S> {
    config: Arc<Config>,
    policy: Policy,
    maildirs: Arc<Maildirs>,
    remote: Remote,
    store: Arc<S>,
    in_flight: Mutex<HashSet<(QueueId, u32)>>,
    /// When this delivery started: a message received before may have been written into its
    /// Maildir by the process before, which died before recording it.
    started_ms: i64,
    /// Local recipients whose attempt started here and whose outcome is not recorded yet.
    unrecorded: Mutex<HashSet<(QueueId, u32)>>,
    wake: Arc<Notify>,
    global: Arc<Semaphore>,
    per_destination: Mutex<HashMap<String, Arc<Semaphore>>>,
    throttle: Throttle,
    tasks: Mutex<usize>,
    idle: Notify,
}

impl<S> std::fmt::Debug for Delivery<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery").finish_non_exhaustive()
    }
}

/// The routes of a pass: the policy, the configured routes and the throttle.
struct PassRoutes<'a> {
    policy: &'a Policy,
    remote: &'a Remote,
    throttle: &'a Throttle,
}

impl plan::Routes for PassRoutes<'_> {
    fn route(&self, address: &str) -> Route {
        self.policy.route(address)
    }

    fn discarding_route(&self, domain: &str) -> Option<String> {
        self.remote
            .route_for(domain)
            .filter(|r| r.discards())
            .map(|r| r.domain.clone())
    }

    fn paused(&self, domain: &str, now_ms: i64) -> Option<Slowdown> {
        self.throttle.paused(domain, now_ms)
    }
}

impl<S: QueueStore + 'static> Delivery<S> {
    /// Delivery from `store`; `wake` is notified when a connection task finishes or a bounce
    /// is queued (the worker waits on it).
    pub fn new(config: Arc<Config>, store: Arc<S>, resolver: Resolver, wake: Arc<Notify>) -> Self {
        let maildirs = Arc::new(Maildirs::new(
            config.server.data_dir.join("mail"),
            &config.server.hostname,
        ));
        let shared = Shared {
            policy: Policy::new(&config),
            remote: Remote::new(Arc::clone(&config), resolver),
            global: Arc::new(Semaphore::new(config.delivery.concurrency)),
            throttle: Throttle::new(
                config.delivery.rate_limit_pause.0,
                config.delivery.rate_limit_max_pause.0,
                config.delivery.per_destination,
            ),
            config,
            maildirs,
            store,
            in_flight: Mutex::new(HashSet::new()),
            started_ms: crate::now_ms(),
            unrecorded: Mutex::new(HashSet::new()),
            wake,
            per_destination: Mutex::new(HashMap::new()),
            tasks: Mutex::new(0),
            idle: Notify::new(),
        };
        Delivery {
            shared: Arc::new(shared),
        }
    }

    /// Waits until no connection task is running.
    pub async fn idle(&self) {
        loop {
            let notified = self.shared.idle.notified();
            if *lock(&self.shared.tasks) == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Closes the connections kept for reuse that have been idle longer than `[delivery]
    /// connection_idle`.
    pub fn close_idle_connections(&self) {
        self.shared.remote.close_idle();
    }

    /// Closes every connection kept for reuse with QUIT, waiting at most `grace`.
    pub async fn close_kept_connections(&self, grace: std::time::Duration) {
        self.shared.remote.close_all(grace).await;
    }

    /// How many connections are kept open for reuse now.
    pub fn idle_connections(&self) -> usize {
        self.shared.remote.idle_connections()
    }

    /// Handles the recipients due at `now_ms` that are not already being delivered. Returns
    /// how many were taken.
    pub async fn run_once(&self, now_ms: i64) -> Result<usize, StoreError> {
        let shared = &self.shared;
        // Recipients being delivered are still due in the store: ask for that many more, so
        // that a pass finds fresh work while earlier batches are on their connections.
        let busy = lock(&shared.in_flight).len();
        let due = shared.store.due(now_ms, BATCH + busy).await?;
        let fresh: Vec<DueRecipient> = {
            let in_flight = lock(&shared.in_flight);
            due.into_iter()
                .filter(|r| !in_flight.contains(&(r.id, r.index)))
                .take(BATCH)
                .collect()
        };
        let taken = fresh.len();
        let mut by_message: BTreeMap<QueueId, Vec<DueRecipient>> = BTreeMap::new();
        for r in fresh {
            by_message.entry(r.id).or_default().push(r);
        }
        let mut messages: Vec<(MessageInfo, Vec<DueRecipient>)> = Vec::new();
        let ids: Vec<QueueId> = by_message.keys().copied().collect();
        let infos = shared.store.messages(ids).await?;
        for (info, recipients) in infos.into_iter().zip(by_message.into_values()) {
            match info {
                Ok(info) => messages.push((info, recipients)),
                Err(StoreError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let routes = PassRoutes {
            policy: &shared.policy,
            remote: &shared.remote,
            throttle: &shared.throttle,
        };
        let plans = plan::plan(messages, &routes, &shared.config.delivery, now_ms);
        let wanted: Vec<QueueId> = plans
            .iter()
            .filter(|p| p.needs_body())
            .map(|p| p.info.id)
            .collect();
        let mut read = shared.store.bodies(wanted).await?.into_iter();
        let mut bodies: Vec<Option<Arc<Vec<u8>>>> = Vec::with_capacity(plans.len());
        for p in &plans {
            bodies.push(match p.needs_body().then(|| read.next()).flatten() {
                Some(body) => Some(Arc::new(body?)),
                None => None,
            });
        }
        shared.decide_here(&plans, &bodies, now_ms).await?;
        self.start_remote(&plans, &bodies, now_ms);
        Ok(taken)
    }

    /// Hands each destination's recipients to a connection task.
    fn start_remote(
        &self,
        plans: &[plan::MessagePlan],
        bodies: &[Option<Arc<Vec<u8>>>],
        now_ms: i64,
    ) {
        let ids = plan::ids(plans);
        for (domain, work) in plan::by_destination(plans) {
            // The batch's own numbering of its messages.
            let mut batch_of: BTreeMap<usize, usize> = BTreeMap::new();
            let mut messages: Vec<BatchMessage> = Vec::new();
            let mut batch_ids: Vec<QueueId> = Vec::new();
            let mut infos: Vec<MessageInfo> = Vec::new();
            let mut items: Vec<Item> = Vec::new();
            for w in work {
                let Some(body) = bodies.get(w.message).cloned().flatten() else {
                    continue;
                };
                let m = *batch_of.entry(w.message).or_insert_with(|| {
                    messages.push(BatchMessage {
                        envelope: Arc::new(plans[w.message].info.envelope.clone()),
                        body,
                    });
                    batch_ids.push(ids[w.message]);
                    infos.push(plans[w.message].info.clone());
                    messages.len() - 1
                });
                items.push(Item {
                    message: m,
                    index: w.index,
                    address: w.address,
                });
            }
            {
                let mut in_flight = lock(&self.shared.in_flight);
                for item in &items {
                    in_flight.insert((batch_ids[item.message], item.index));
                }
            }
            *lock(&self.shared.tasks) += 1;
            let shared = Arc::clone(&self.shared);
            let started = (now_ms, std::time::Instant::now());
            let batch = remote::Batch {
                domain,
                messages,
                items,
                ids: batch_ids,
                infos,
            };
            tokio::spawn(async move {
                shared.deliver_remote(batch, started).await;
                let left = {
                    let mut tasks = lock(&shared.tasks);
                    *tasks -= 1;
                    *tasks
                };
                if left == 0 {
                    shared.idle.notify_waiters();
                }
                shared.wake.notify_one();
            });
        }
    }
}

impl<S: QueueStore> Shared<S> {
    /// The recorder of outcomes, on this delivery's store.
    fn recorder(&self) -> Recorder<'_, S> {
        Recorder::new(&*self.store, &self.config, Some(&*self.wake))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
