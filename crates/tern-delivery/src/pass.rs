//! One delivery pass over the due recipients: local mailboxes are written at once; remote
//! recipients are grouped by destination and handed to connection tasks (bounded in all and
//! per destination); every outcome is recorded with its reply and an attempt in the timeline,
//! and permanent failures are reported to the sender in one bounce per message.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tern_codes::{Explanation, Reply, catalogue};
use tern_config::Config;
use tern_policy::{Policy, Route};
use tern_proto::Disposition;
use tern_store::{
    Attempt, Decision, DueRecipient, Envelope, MessageInfo, Outcome, QueueId, QueueStore,
    Recipient, RecipientUpdate, StoreError, StoredReply, TlsOutcome,
};
use tokio::sync::{Notify, Semaphore};

use crate::dns::Resolver;
use crate::dsn::{self, Action, DsnInput, DsnKind, DsnRecipient};
use crate::local;
use crate::maildir::Maildirs;
use crate::remote::{BatchMessage, Item, ItemResult, Remote};
use crate::schedule;
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

/// The remote work of a pass for one destination domain.
#[derive(Default)]
struct Destination {
    /// The messages involved.
    messages: Vec<BatchMessage>,
    /// The recipients, pointing into `messages`.
    items: Vec<Item>,
    /// The queue id of each message, in the same order.
    ids: Vec<QueueId>,
}

/// What became of a local delivery, for the notifications.
enum LocalOutcome {
    Delivered(Bounced),
    Failed(Bounced),
    Deferred,
}

/// A recipient to report on in a notification: its reply and the host that gave it.
#[derive(Debug, Clone)]
struct Bounced {
    index: u32,
    reply: Reply,
    host: Option<String>,
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

    /// Handles the recipients due at `now_ms` that are not already being delivered. Returns
    /// how many were taken.
    pub async fn run_once(&self, now_ms: i64) -> Result<usize, StoreError> {
        let shared = &self.shared;
        let due = shared.store.due(now_ms, BATCH).await?;
        let fresh: Vec<DueRecipient> = {
            let in_flight = lock(&shared.in_flight);
            due.into_iter()
                .filter(|r| !in_flight.contains(&(r.id, r.index)))
                .collect()
        };
        let taken = fresh.len();
        let mut by_message: BTreeMap<QueueId, Vec<DueRecipient>> = BTreeMap::new();
        for r in fresh {
            by_message.entry(r.id).or_default().push(r);
        }
        // Remote work, by destination domain: the messages and the items.
        let mut remote: BTreeMap<String, Destination> = BTreeMap::new();
        for (id, recipients) in by_message {
            let info = match shared.store.message(id).await {
                Ok(info) => info,
                Err(StoreError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            let envelope = Arc::new(info.envelope.clone());
            let mut body: Option<Arc<Vec<u8>>> = None;
            let mut bounced = Vec::new();
            let mut delivered = Vec::new();
            for r in &recipients {
                let attempts = attempts_of(&info, r.index);
                if schedule::expired(
                    &shared.config.delivery,
                    info.envelope.received_at_ms,
                    now_ms,
                ) {
                    let days = shared.config.delivery.max_queue_time.0.as_secs() / 86_400;
                    let reply =
                        catalogue::DELIVERY_EXPIRED.reply_with(&[("days", &days.to_string())]);
                    shared
                        .record(r, Decision::Failed, &reply, "queue", String::new(), now_ms)
                        .await?;
                    bounced.push(Bounced {
                        index: r.index,
                        reply,
                        host: None,
                    });
                    continue;
                }
                match shared.policy.route(&r.address) {
                    Route::Local(mailbox) => {
                        if body.is_none() {
                            body = Some(Arc::new(shared.store.body(id).await?));
                        }
                        let body = body.as_deref().map(Vec::as_slice).unwrap_or_default();
                        match shared
                            .deliver_local(&info, r, &mailbox, body, attempts, now_ms)
                            .await?
                        {
                            LocalOutcome::Delivered(report) => delivered.push(report),
                            LocalOutcome::Failed(report) => bounced.push(report),
                            LocalOutcome::Deferred => {}
                        }
                    }
                    Route::Refused(reply) => {
                        shared
                            .record(r, Decision::Failed, &reply, "local", String::new(), now_ms)
                            .await?;
                        bounced.push(Bounced {
                            index: r.index,
                            reply,
                            host: None,
                        });
                    }
                    Route::Remote(address) => {
                        let domain = address
                            .rsplit_once('@')
                            .map_or("", |(_, d)| d)
                            .to_ascii_lowercase();
                        if let Some(route) = shared.remote.route_for(&domain)
                            && route.discards()
                        {
                            // Dropped here: no DNS lookup, no connection, not even the body.
                            delivered
                                .push(shared.discard(r, &domain, &route.domain, now_ms).await?);
                            continue;
                        }
                        if let Some(slowdown) = shared.throttle.paused(&domain, now_ms) {
                            shared.hold_back(r, &domain, slowdown, now_ms).await?;
                            continue;
                        }
                        if body.is_none() {
                            body = Some(Arc::new(shared.store.body(id).await?));
                        }
                        let entry = remote.entry(domain).or_default();
                        let message = match entry.ids.iter().position(|m| *m == id) {
                            Some(i) => i,
                            None => {
                                entry.messages.push(BatchMessage {
                                    envelope: Arc::clone(&envelope),
                                    body: Arc::clone(body.as_ref().expect("loaded above")),
                                });
                                entry.ids.push(id);
                                entry.ids.len() - 1
                            }
                        };
                        entry.items.push(Item {
                            message,
                            index: r.index,
                            address,
                        });
                    }
                }
            }
            // The body is needed only for a notification someone asked for (a discarded
            // recipient is "delivered" without reading it).
            let report_failed = wants_report(&info.envelope, &bounced, DsnKind::Failure);
            let report_delivered = wants_report(&info.envelope, &delivered, DsnKind::Success);
            if report_failed || report_delivered {
                let body = match body {
                    Some(b) => b,
                    None => Arc::new(shared.store.body(id).await.unwrap_or_default()),
                };
                if report_failed {
                    shared
                        .bounce(id, &info.envelope, &body, &bounced, now_ms)
                        .await;
                }
                if report_delivered {
                    shared
                        .notify_sender(
                            id,
                            &info.envelope,
                            &body,
                            &delivered,
                            Action::Delivered,
                            now_ms,
                        )
                        .await;
                }
            }
        }
        for (
            domain,
            Destination {
                messages,
                items,
                ids,
            },
        ) in remote
        {
            {
                let mut in_flight = lock(&shared.in_flight);
                for item in &items {
                    in_flight.insert((ids[item.message], item.index));
                }
            }
            *lock(&shared.tasks) += 1;
            let shared = Arc::clone(&self.shared);
            let started = (now_ms, std::time::Instant::now());
            tokio::spawn(async move {
                shared
                    .deliver_remote(domain, messages, items, ids, started)
                    .await;
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
        Ok(taken)
    }
}

impl<S: QueueStore + 'static> Shared<S> {
    /// Delivers a local recipient and records the outcome. The Maildir copy's name is the
    /// same on every attempt, so one made by an attempt whose outcome was never recorded (a
    /// crash between the file and the store) is found and recorded instead of written twice.
    async fn deliver_local(
        &self,
        info: &MessageInfo,
        r: &DueRecipient,
        mailbox: &str,
        body: &[u8],
        attempts: u32,
        now_ms: i64,
    ) -> Result<LocalOutcome, StoreError> {
        let key = (r.id, r.index);
        let unrecorded = !lock(&self.unrecorded).insert(key);
        let maybe_written =
            unrecorded || attempts > 0 || info.envelope.received_at_ms < self.started_ms;
        let local = local::deliver(
            &self.maildirs,
            self.policy.mailbox_quota(),
            info,
            &r.address,
            mailbox,
            body,
            maybe_written,
        )
        .await;
        let outcome = self
            .record_local(r, mailbox, local, attempts, now_ms)
            .await?;
        lock(&self.unrecorded).remove(&key);
        Ok(outcome)
    }

    /// Records what became of a local delivery: delivered (written now or found), failed
    /// over quota, or deferred after an error.
    async fn record_local(
        &self,
        r: &DueRecipient,
        mailbox: &str,
        local: local::Local,
        attempts: u32,
        now_ms: i64,
    ) -> Result<LocalOutcome, StoreError> {
        let id = r.id;
        let transcript = match local {
            local::Local::Delivered(path) => format!("maildir {}", path.display()),
            local::Local::AlreadyThere(path) => {
                tracing::info!(queue_id = %id, mailbox, file = %path.display(),
                    "already in the Maildir from an attempt whose outcome was not recorded");
                format!(
                    "maildir {}: already there, written by an earlier attempt whose outcome \
                     was not recorded; not written again",
                    path.display()
                )
            }
            local::Local::OverQuota => {
                let reply = catalogue::DELIVERY_OVER_QUOTA.reply_with(&[("address", &r.address)]);
                self.record(r, Decision::Failed, &reply, "local", String::new(), now_ms)
                    .await?;
                return Ok(LocalOutcome::Failed(Bounced {
                    index: r.index,
                    reply,
                    host: None,
                }));
            }
            local::Local::Error(e) => {
                tracing::error!(queue_id = %id, mailbox, error = %e, "maildir delivery failed");
                let reply = catalogue::DELIVERY_MAILBOX_ERROR
                    .reply_with(&[("address", &r.address), ("detail", &e)]);
                let until = schedule::next_attempt_ms(&self.config.delivery, attempts + 1, now_ms);
                self.record(
                    r,
                    Decision::Deferred { until_ms: until },
                    &reply,
                    "local",
                    String::new(),
                    now_ms,
                )
                .await?;
                return Ok(LocalOutcome::Deferred);
            }
        };
        let reply = catalogue::DELIVERY_LOCAL_OK.reply_with(&[("address", &r.address)]);
        self.record(r, Decision::Delivered, &reply, "local", transcript, now_ms)
            .await?;
        Ok(LocalOutcome::Delivered(Bounced {
            index: r.index,
            reply,
            host: None,
        }))
    }

    /// Drops a recipient whose route discards its mail (`transport = "discard"`, Postfix's
    /// `discard:`): recorded as delivered, with an attempt in the timeline that names the
    /// route. A success report, when NOTIFY=SUCCESS asked for one, says `delivered` with the
    /// "discarded" reply, as Postfix's does.
    async fn discard(
        &self,
        r: &DueRecipient,
        domain: &str,
        pattern: &str,
        now_ms: i64,
    ) -> Result<Bounced, StoreError> {
        let reply = catalogue::DELIVERY_DISCARDED.reply_with(&[("domain", domain)]);
        let transcript = format!(
            "discarded by [[delivery.route]] domain = {pattern:?}, transport = \"discard\"; \
             no connection made"
        );
        tracing::info!(queue_id = %r.id, to = %r.address, route = pattern, "discarded by route");
        self.record(r, Decision::Delivered, &reply, domain, transcript, now_ms)
            .await?;
        Ok(Bounced {
            index: r.index,
            reply,
            host: None,
        })
    }

    /// Delivers one destination's batch over SMTP and records everything.
    /// `started` is the pass's clock and the instant it was read: results are recorded at the
    /// pass's time (retry delays count from the start of the attempt), so a test's clock stays
    /// consistent.
    async fn deliver_remote(
        &self,
        domain: String,
        messages: Vec<BatchMessage>,
        items: Vec<Item>,
        ids: Vec<QueueId>,
        started: (i64, std::time::Instant),
    ) {
        let limit =
            {
                let mut map = lock(&self.per_destination);
                Arc::clone(map.entry(domain.clone()).or_insert_with(|| {
                    Arc::new(Semaphore::new(self.config.delivery.per_destination))
                }))
            };
        // A throttled destination gets fewer connections: each takes more of its permits.
        let per_destination = self.config.delivery.per_destination.max(1);
        let permits = per_destination.div_ceil(self.throttle.connections(&domain).max(1));
        let _global = self.global.acquire().await;
        let _local = limit
            .acquire_many(u32::try_from(permits).unwrap_or(1))
            .await;
        let keys: Vec<(QueueId, u32)> = items.iter().map(|i| (ids[i.message], i.index)).collect();
        let batch = self.remote.deliver(&domain, &messages, items).await;
        let now_ms = started.0;
        tracing::debug!(domain, took = ?started.1.elapsed(), "connection done");
        if let Err(e) = self
            .record_batch(&domain, &messages, &ids, &batch, now_ms)
            .await
        {
            tracing::error!(domain, error = %e, "could not record delivery results");
        }
        let mut in_flight = lock(&self.in_flight);
        for key in keys {
            in_flight.remove(&key);
        }
    }

    async fn record_batch(
        &self,
        domain: &str,
        messages: &[BatchMessage],
        ids: &[QueueId],
        batch: &crate::remote::BatchResult,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        // Each reply explained once: for the timeline and for the rate-limit signal.
        let explained: Vec<Explanation> = batch
            .results
            .iter()
            .map(|r| tern_codes::explain_reply(&r.reply, r.host.as_deref()))
            .collect();
        let slowdown = self.observe_rate(domain, batch, &explained, now_ms);
        // The timeline first: one attempt per connection and message.
        for tried in &batch.tried {
            for &m in &tried.messages {
                let (results, explanations): (Vec<&ItemResult>, Vec<&Explanation>) = batch
                    .results
                    .iter()
                    .zip(&explained)
                    .filter(|(r, _)| {
                        r.item.message == m && r.host.as_deref() == Some(tried.host.as_str())
                    })
                    .unzip();
                let recipients: Vec<u32> = results.iter().map(|r| r.item.index).collect();
                let decision = batch_decision(&results, &self.config, now_ms);
                let mut explanation = results
                    .iter()
                    .zip(explanations)
                    .map(|(r, ex)| format!("{}: {}", r.item.address, explanation_line(ex)))
                    .collect::<Vec<_>>()
                    .join("\n");
                if let Some(s) = slowdown {
                    explanation.push('\n');
                    explanation.push_str(&slowdown_line(domain, s, now_ms));
                }
                let attempt = Attempt {
                    at_ms: now_ms,
                    recipients,
                    destination: domain.to_owned(),
                    mx_host: Some(tried.host.clone()),
                    ip: tried.ip.map(|ip| ip.to_string()),
                    tls: tried.tls.clone(),
                    transcript: tried.transcript.clone(),
                    decision,
                    explanation,
                };
                match self.store.record_attempt(ids[m], attempt).await {
                    Ok(()) | Err(StoreError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        // Then each recipient's state; and the bounces.
        let mut bounced: BTreeMap<usize, Vec<Bounced>> = BTreeMap::new();
        let mut delayed: BTreeMap<usize, Vec<Bounced>> = BTreeMap::new();
        // Accepted by a server that does not report delivery status itself (no DSN): a
        // NOTIFY=SUCCESS sender hears "relayed" from us (RFC 3461 §4.1).
        let mut relayed: BTreeMap<usize, Vec<Bounced>> = BTreeMap::new();
        // Each message's statuses, read once (before any of its recipients is updated).
        let mut infos: HashMap<usize, Option<MessageInfo>> = HashMap::new();
        for r in &batch.results {
            let id = ids[r.item.message];
            let envelope = &messages[r.item.message].envelope;
            if let std::collections::hash_map::Entry::Vacant(slot) = infos.entry(r.item.message) {
                slot.insert(match self.store.message(id).await {
                    Ok(info) => Some(info),
                    Err(StoreError::NotFound(_)) => None,
                    Err(e) => return Err(e),
                });
            }
            let Some(Some(info)) = infos.get(&r.item.message) else {
                continue;
            };
            let info_attempts = attempts_of(info, r.item.index);
            let expired = schedule::expired(&self.config.delivery, envelope.received_at_ms, now_ms);
            let outcome = match r.disposition {
                Disposition::Accepted => Outcome::Delivered,
                Disposition::Failed => Outcome::Failed,
                Disposition::Deferred if expired => Outcome::Failed,
                Disposition::Deferred => Outcome::Deferred {
                    // Not before a rate-limiting destination's pause has passed.
                    next_attempt_ms: schedule::next_attempt_ms(
                        &self.config.delivery,
                        info_attempts + 1,
                        now_ms,
                    )
                    .max(slowdown.map_or(0, |s| s.until_ms)),
                },
            };
            self.update(id, r.item.index, outcome, &r.reply, r.host.clone(), now_ms)
                .await?;
            if matches!(outcome, Outcome::Deferred { .. }) {
                delayed.entry(r.item.message).or_default().push(Bounced {
                    index: r.item.index,
                    reply: r.reply.clone(),
                    host: r.host.clone(),
                });
            }
            if outcome == Outcome::Delivered && !r.reports_onward {
                relayed.entry(r.item.message).or_default().push(Bounced {
                    index: r.item.index,
                    reply: r.reply.clone(),
                    host: r.host.clone(),
                });
            }
            if outcome == Outcome::Failed {
                bounced.entry(r.item.message).or_default().push(Bounced {
                    index: r.item.index,
                    reply: r.reply.clone(),
                    host: r.host.clone(),
                });
            }
        }
        for (m, failed) in bounced {
            let message = &messages[m];
            self.bounce(ids[m], &message.envelope, &message.body, &failed, now_ms)
                .await;
        }
        for (m, accepted) in relayed {
            let message = &messages[m];
            self.notify_sender(
                ids[m],
                &message.envelope,
                &message.body,
                &accepted,
                Action::Relayed,
                now_ms,
            )
            .await;
        }
        for (m, deferred) in delayed {
            let message = &messages[m];
            self.warn_delays(ids[m], &message.envelope, &message.body, &deferred, now_ms)
                .await?;
        }
        Ok(())
    }

    /// Takes in a connection's replies: when they say `domain` is rate-limiting this server,
    /// the destination is throttled (see [`Throttle`]) and the slowdown returned.
    fn observe_rate(
        &self,
        domain: &str,
        batch: &crate::remote::BatchResult,
        explained: &[Explanation],
        now_ms: i64,
    ) -> Option<Slowdown> {
        let signal =
            batch.results.iter().zip(explained).any(|(r, ex)| {
                r.disposition != Disposition::Accepted && Throttle::is_rate_signal(ex)
            });
        let delivered = batch
            .results
            .iter()
            .any(|r| r.disposition == Disposition::Accepted);
        let slowdown = self.throttle.observe(domain, signal, delivered, now_ms);
        if let Some(s) = slowdown {
            tracing::info!(
                domain,
                level = s.level,
                connections = s.connections,
                pause_ms = s.until_ms - now_ms,
                "destination is rate-limiting: slowing down"
            );
        }
        slowdown
    }

    /// Defers a recipient of a throttled destination until its pause has passed, without
    /// connecting.
    async fn hold_back(
        &self,
        r: &DueRecipient,
        domain: &str,
        slowdown: Slowdown,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let seconds = slowdown.seconds_left(now_ms).to_string();
        let reply = catalogue::DELIVERY_THROTTLED
            .reply_with(&[("domain", domain), ("seconds", seconds.as_str())]);
        let transcript = slowdown_line(domain, slowdown, now_ms);
        self.record(
            r,
            Decision::Deferred {
                until_ms: slowdown.until_ms,
            },
            &reply,
            domain,
            transcript,
            now_ms,
        )
        .await
    }

    /// Records the outcome of a recipient decided here (local delivery, a refused address, an
    /// expired message) and its attempt in the timeline.
    async fn record(
        &self,
        r: &DueRecipient,
        decision: Decision,
        reply: &Reply,
        destination: &str,
        transcript: String,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let attempt = Attempt {
            at_ms: now_ms,
            recipients: vec![r.index],
            destination: destination.to_owned(),
            mx_host: None,
            ip: None,
            tls: TlsOutcome::NotAttempted,
            transcript,
            decision,
            explanation: explanation_line(&tern_codes::explain_reply(reply, None)),
        };
        let outcome = match decision {
            Decision::Delivered => Outcome::Delivered,
            Decision::Failed => Outcome::Failed,
            Decision::Deferred { until_ms } => Outcome::Deferred {
                next_attempt_ms: until_ms,
            },
        };
        let update = recipient_update(outcome, reply, None, now_ms);
        // One write for both: one commit per recipient decided here.
        match self
            .store
            .record_outcome(r.id, r.index, update, attempt)
            .await
        {
            Ok(()) | Err(StoreError::AlreadyFinal { .. }) | Err(StoreError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn update(
        &self,
        id: QueueId,
        index: u32,
        outcome: Outcome,
        reply: &Reply,
        host: Option<String>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let update = recipient_update(outcome, reply, host, now_ms);
        match self.store.update_recipient(id, index, update).await {
            Ok(()) | Err(StoreError::AlreadyFinal { .. }) | Err(StoreError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Queues the bounce for the failed recipients of a message (never for a bounce).
    async fn bounce(
        &self,
        id: QueueId,
        envelope: &Envelope,
        body: &[u8],
        failed: &[Bounced],
        now_ms: i64,
    ) {
        self.notify_sender(id, envelope, body, failed, Action::Failed, now_ms)
            .await;
    }

    /// Queues a delivery status notification of `kind` to the message's sender, for the
    /// recipients whose NOTIFY asks for it (RFC 3461 §4.1). Never for a message that had the
    /// null sender.
    async fn notify_sender(
        &self,
        id: QueueId,
        envelope: &Envelope,
        body: &[u8],
        reported: &[Bounced],
        action: Action,
        now_ms: i64,
    ) {
        let kind = action.kind();
        let give_up_ms = envelope.received_at_ms.saturating_add(
            i64::try_from(self.config.delivery.max_queue_time.0.as_millis()).unwrap_or(i64::MAX),
        );
        let recipients = reported
            .iter()
            .filter_map(|b| {
                let stored = envelope.recipients.get(b.index as usize)?;
                let wanted = dsn::should_notify(envelope.sender.as_deref(), stored.notify, kind);
                wanted.then(|| DsnRecipient {
                    address: &stored.address,
                    orcpt: stored.orcpt.as_deref(),
                    action,
                    reply: b.reply.clone(),
                    remote_mta: b.host.as_deref(),
                    last_attempt_ms: Some(now_ms),
                    will_retry_until_ms: (kind == DsnKind::Delay).then_some(give_up_ms),
                })
            })
            .collect::<Vec<_>>();
        if recipients.is_empty() {
            return;
        }
        let queue_id = id.to_string();
        let input = DsnInput {
            reporting_mta: &self.config.server.hostname,
            original: envelope,
            original_message: body,
            queue_id: &queue_id,
            recipients,
            kind,
            now_ms,
        };
        let Some(report) = dsn::build_dsn(&input) else {
            return;
        };
        let mut notice = Envelope::new(None, vec![Recipient::new(report.to.clone())], now_ms);
        notice.params.body = report.body;
        notice.params.smtputf8 = report.smtputf8;
        match self.store.enqueue(notice, report.message).await {
            Ok(notice_id) => {
                tracing::info!(queue_id = %id, notice = %notice_id, to = %report.to, ?kind, "delivery status notification queued");
                self.wake.notify_one();
            }
            Err(e) => {
                tracing::error!(queue_id = %id, error = %e, "could not queue the notification")
            }
        }
    }

    /// Sends the sender a delay warning for recipients still deferred after `[delivery]
    /// delay_warning`, once per recipient; the warning is an entry of the timeline.
    async fn warn_delays(
        &self,
        id: QueueId,
        envelope: &Envelope,
        body: &[u8],
        deferred: &[Bounced],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let threshold =
            i64::try_from(self.config.delivery.delay_warning.0.as_millis()).unwrap_or(i64::MAX);
        if threshold == 0
            || now_ms.saturating_sub(envelope.received_at_ms) < threshold
            || deferred.is_empty()
        {
            return Ok(());
        }
        let warned: HashSet<u32> = self
            .store
            .attempts(id)
            .await?
            .iter()
            .filter(|a| a.destination == DELAY_WARNING)
            .flat_map(|a| a.recipients.clone())
            .collect();
        let due: Vec<Bounced> = deferred
            .iter()
            .filter(|b| !warned.contains(&b.index))
            .cloned()
            .collect();
        if due.is_empty() {
            return Ok(());
        }
        self.notify_sender(id, envelope, body, &due, Action::Delayed, now_ms)
            .await;
        let to = envelope.sender.clone().unwrap_or_default();
        let attempt = Attempt {
            at_ms: now_ms,
            recipients: due.iter().map(|b| b.index).collect(),
            destination: DELAY_WARNING.to_owned(),
            mx_host: None,
            ip: None,
            tls: TlsOutcome::NotAttempted,
            transcript: String::new(),
            decision: Decision::Deferred { until_ms: now_ms },
            explanation: format!(
                "The sender <{to}> was told the message is delayed and still being retried."
            ),
        };
        self.store.record_attempt(id, attempt).await
    }
}

/// The timeline's destination name for a delay warning sent to the sender.
const DELAY_WARNING: &str = "delay-warning";

/// The timeline decision for the recipients of one message on one connection.
fn batch_decision(results: &[&ItemResult], config: &Config, now_ms: i64) -> Decision {
    if !results.is_empty()
        && results
            .iter()
            .all(|r| r.disposition == Disposition::Accepted)
    {
        Decision::Delivered
    } else if !results.is_empty() && results.iter().all(|r| r.disposition == Disposition::Failed) {
        Decision::Failed
    } else {
        Decision::Deferred {
            until_ms: schedule::next_attempt_ms(&config.delivery, 1, now_ms),
        }
    }
}

/// The timeline's explanation of a reply: the cause, who acts, whether resending helps, and
/// what to do (`tern explain`'s answer in one paragraph).
fn explanation_line(ex: &Explanation) -> String {
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
fn slowdown_line(domain: &str, s: Slowdown, now_ms: i64) -> String {
    format!(
        "Slowing down for {domain}: its replies say it is rate-limiting this server; no new attempt for {} s, then at most {} connection{} at once.",
        s.seconds_left(now_ms),
        s.connections,
        if s.connections == 1 { "" } else { "s" }
    )
}

/// Whether the sender asked for a report of `kind` on any of these recipients.
fn wants_report(envelope: &Envelope, reported: &[Bounced], kind: DsnKind) -> bool {
    reported.iter().any(|b| {
        envelope
            .recipients
            .get(b.index as usize)
            .is_some_and(|stored| {
                dsn::should_notify(envelope.sender.as_deref(), stored.notify, kind)
            })
    })
}

fn attempts_of(info: &MessageInfo, index: u32) -> u32 {
    info.recipients
        .iter()
        .find(|s| s.index == index)
        .map_or(0, |s| s.attempts)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A recipient's new state with the reply that decided it.
fn recipient_update(
    outcome: Outcome,
    reply: &Reply,
    host: Option<String>,
    now_ms: i64,
) -> RecipientUpdate {
    RecipientUpdate {
        outcome,
        reply: Some(StoredReply {
            code: reply.code().value(),
            enhanced: reply.enhanced().map(|e| e.to_string()),
            text: reply.text(),
        }),
        remote_host: host,
        at_ms: now_ms,
    }
}
