//! A connection task: one destination's batch delivered over SMTP (within the global and
//! per-destination limits, fewer connections for a throttled destination), then recorded
//! in one commit: a timeline entry per connection and message, each recipient's new state
//! with the next attempt it will really get.

use std::sync::Arc;

use tern_codes::Explanation;
use tern_proto::Disposition;
use tern_store::{Attempt, MessageInfo, Outcome, QueueId, QueueStore, StoreError};
use tokio::sync::Semaphore;

use super::plan::attempts_of;
use super::{Shared, lock, timeline};
use crate::record::{Decided, OnSuccess, Step};
use crate::remote::{BatchMessage, BatchResult, Item};
use crate::schedule;
use crate::throttle::{Slowdown, Throttle};

/// One destination's work.
pub(super) struct Batch {
    /// The destination domain.
    pub domain: String,
    /// The messages involved.
    pub messages: Vec<BatchMessage>,
    /// The recipients, pointing into `messages`.
    pub items: Vec<Item>,
    /// The queue id of each message, in the same order.
    pub ids: Vec<QueueId>,
    /// Each message's statuses when the pass planned it (attempt counts), in the same order.
    pub infos: Vec<MessageInfo>,
}

impl<S: QueueStore> Shared<S> {
    /// Delivers one destination's batch over SMTP and records everything. `started` is the
    /// pass's clock and the instant it was read: results are recorded at the pass's time
    /// (retry delays count from the start of the attempt), so a test's clock stays
    /// consistent.
    pub(super) async fn deliver_remote(&self, batch: Batch, started: (i64, std::time::Instant)) {
        let domain = batch.domain.as_str();
        let limit =
            {
                let mut map = lock(&self.per_destination);
                Arc::clone(map.entry(domain.to_owned()).or_insert_with(|| {
                    Arc::new(Semaphore::new(self.config.delivery.per_destination))
                }))
            };
        // A throttled destination gets fewer connections: each takes more of its permits.
        let per_destination = self.config.delivery.per_destination.max(1);
        let permits = per_destination.div_ceil(self.throttle.connections(domain).max(1));
        let _global = self.global.acquire().await;
        let _local = limit
            .acquire_many(u32::try_from(permits).unwrap_or(1))
            .await;
        let keys: Vec<(QueueId, u32)> = batch
            .items
            .iter()
            .map(|i| (batch.ids[i.message], i.index))
            .collect();
        let result = self
            .remote
            .deliver(domain, &batch.messages, batch.items.clone())
            .await;
        let now_ms = started.0;
        tracing::debug!(domain, took = ?started.1.elapsed(), "connection done");
        if let Err(e) = self.record_remote(&batch, &result, now_ms).await {
            tracing::error!(domain, error = %e, "could not record delivery results");
        }
        let mut in_flight = lock(&self.in_flight);
        for key in keys {
            in_flight.remove(&key);
        }
    }

    async fn record_remote(
        &self,
        batch: &Batch,
        result: &BatchResult,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        // Each reply explained once: for the timeline and for the rate-limit signal.
        let explained: Vec<Explanation> = result
            .results
            .iter()
            .map(|r| tern_codes::explain_reply(&r.reply, r.host.as_deref()))
            .collect();
        let slowdown = self.observe_rate(&batch.domain, result, &explained, now_ms);
        // Each recipient's new state, with the next attempt it will really get.
        let outcomes: Vec<Outcome> = result
            .results
            .iter()
            .map(|r| {
                let envelope = &batch.messages[r.item.message].envelope;
                let expired =
                    schedule::expired(&self.config.delivery, envelope.received_at_ms, now_ms);
                match r.disposition {
                    Disposition::Accepted => Outcome::Delivered,
                    Disposition::Failed => Outcome::Failed,
                    Disposition::Deferred if expired => Outcome::Failed,
                    Disposition::Deferred => {
                        let attempts = attempts_of(&batch.infos[r.item.message], r.item.index);
                        Outcome::Deferred {
                            // Not before a rate-limiting destination's pause has passed.
                            next_attempt_ms: schedule::next_attempt_ms(
                                &self.config.delivery,
                                attempts + 1,
                                now_ms,
                            )
                            .max(slowdown.map_or(0, |s| s.until_ms)),
                        }
                    }
                }
            })
            .collect();
        let mut steps: Vec<Step> = batch
            .messages
            .iter()
            .zip(&batch.ids)
            .map(|(m, id)| Step {
                id: *id,
                envelope: Arc::clone(&m.envelope),
                body: Some(Arc::clone(&m.body)),
                attempts: Vec::new(),
                decided: Vec::new(),
            })
            .collect();
        // A timeline entry per connection and message.
        for tried in &result.tried {
            for (&m, transcript) in tried.messages.iter().zip(&tried.transcripts) {
                let mine: Vec<usize> = (0..result.results.len())
                    .filter(|&i| {
                        let r = &result.results[i];
                        r.item.message == m && r.host.as_deref() == Some(tried.host.as_str())
                    })
                    .collect();
                let mut explanation = mine
                    .iter()
                    .map(|&i| {
                        format!(
                            "{}: {}",
                            result.results[i].item.address,
                            timeline::explanation_line(&explained[i])
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                if let Some(s) = slowdown {
                    explanation.push('\n');
                    explanation.push_str(&timeline::slowdown_line(&batch.domain, s, now_ms));
                }
                let decided: Vec<Outcome> = mine.iter().map(|&i| outcomes[i]).collect();
                steps[m].attempts.push(Attempt {
                    at_ms: now_ms,
                    recipients: mine.iter().map(|&i| result.results[i].item.index).collect(),
                    destination: batch.domain.clone(),
                    mx_host: Some(tried.host.clone()),
                    ip: tried.ip.map(|ip| ip.to_string()),
                    tls: tried.tls.clone(),
                    transcript: transcript.clone(),
                    decision: timeline::decision(&decided),
                    explanation,
                });
            }
        }
        for (r, outcome) in result.results.iter().zip(outcomes) {
            steps[r.item.message].decided.push(Decided {
                index: r.item.index,
                outcome,
                reply: r.reply.clone(),
                host: r.host.clone(),
                // Accepted by a server that does not report delivery status itself (no DSN):
                // a NOTIFY=SUCCESS sender hears "relayed" from us (RFC 3461 §4.1).
                on_success: if r.reports_onward {
                    OnSuccess::ReportedOnward
                } else {
                    OnSuccess::Relayed
                },
            });
        }
        self.recorder().record(steps, now_ms).await?;
        Ok(())
    }

    /// Takes in a connection's replies: when they say `domain` is rate-limiting this server,
    /// the destination is throttled (see [`Throttle`]) and the slowdown returned.
    fn observe_rate(
        &self,
        domain: &str,
        result: &BatchResult,
        explained: &[Explanation],
        now_ms: i64,
    ) -> Option<Slowdown> {
        let signal =
            result.results.iter().zip(explained).any(|(r, ex)| {
                r.disposition != Disposition::Accepted && Throttle::is_rate_signal(ex)
            });
        let delivered = result
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
}
