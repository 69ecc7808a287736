//! One delivery pass: every due recipient is delivered to its local mailbox, failed, or
//! deferred, and the outcome recorded with its reply and an attempt in the timeline.

use std::collections::BTreeMap;
use std::sync::Arc;

use tern_codes::{Reply, catalogue};
use tern_config::Config;
use tern_policy::{Policy, Route};
use tern_store::{
    Attempt, Decision, DueRecipient, MessageInfo, Outcome, QueueId, QueueStore, RecipientUpdate,
    StoreError, StoredReply, TlsOutcome,
};

use crate::maildir::Maildirs;
use crate::schedule;

/// What a pass needs.
#[derive(Debug)]
pub struct LocalDelivery {
    /// The configuration (retry schedule, hostname).
    pub config: Arc<Config>,
    /// Where addresses go.
    pub policy: Policy,
    /// The local mailboxes.
    pub maildirs: Arc<Maildirs>,
}

/// How many due recipients one pass takes at most.
const BATCH: usize = 256;

impl LocalDelivery {
    /// Handles the recipients due at `now_ms`. Returns how many were handled.
    pub async fn run_once<S: QueueStore>(
        &self,
        store: &S,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        let due = store.due(now_ms, BATCH).await?;
        let handled = due.len();
        let mut by_message: BTreeMap<QueueId, Vec<DueRecipient>> = BTreeMap::new();
        for r in due {
            by_message.entry(r.id).or_default().push(r);
        }
        for (id, recipients) in by_message {
            match self.message(store, id, &recipients, now_ms).await {
                Ok(()) | Err(StoreError::NotFound(_)) => {}
                Err(e) => {
                    tracing::error!(queue_id = %id, error = %e, "delivery pass failed");
                    return Err(e);
                }
            }
        }
        Ok(handled)
    }

    async fn message<S: QueueStore>(
        &self,
        store: &S,
        id: QueueId,
        due: &[DueRecipient],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let info = store.message(id).await?;
        let mut body: Option<Vec<u8>> = None;
        for r in due {
            let attempts = info
                .recipients
                .iter()
                .find(|s| s.index == r.index)
                .map_or(0, |s| s.attempts);
            if schedule::expired(&self.config.delivery, info.envelope.received_at_ms, now_ms) {
                let days = self.config.delivery.max_queue_time.0.as_secs() / 86_400;
                let reply = catalogue::DELIVERY_EXPIRED.reply_with(&[("days", &days.to_string())]);
                self.record(
                    store,
                    id,
                    r,
                    Decision::Failed,
                    &reply,
                    "queue",
                    String::new(),
                    now_ms,
                )
                .await?;
                continue;
            }
            match self.policy.route(&r.address) {
                Route::Local(mailbox) => {
                    if body.is_none() {
                        body = Some(store.body(id).await?);
                    }
                    let body = body.as_deref().unwrap_or_default();
                    self.deliver_local(store, &info, r, &mailbox, body, attempts, now_ms)
                        .await?;
                }
                Route::Refused(reply) => {
                    self.record(
                        store,
                        id,
                        r,
                        Decision::Failed,
                        &reply,
                        "local",
                        String::new(),
                        now_ms,
                    )
                    .await?;
                }
                Route::Remote(address) => {
                    let domain = address.rsplit_once('@').map_or("", |(_, d)| d).to_owned();
                    let reply = catalogue::DELIVERY_NO_ROUTE.reply_with(&[("domain", &domain)]);
                    let until =
                        schedule::next_attempt_ms(&self.config.delivery, attempts + 1, now_ms);
                    self.record(
                        store,
                        id,
                        r,
                        Decision::Deferred { until_ms: until },
                        &reply,
                        &domain,
                        String::new(),
                        now_ms,
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn deliver_local<S: QueueStore>(
        &self,
        store: &S,
        info: &MessageInfo,
        r: &DueRecipient,
        mailbox: &str,
        body: &[u8],
        attempts: u32,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let id = info.id;
        let sender = info.envelope.sender.clone().unwrap_or_default();
        let prefix = format!(
            "Return-Path: <{}>\r\nDelivered-To: {}\r\n",
            clean(&sender),
            clean(&r.address)
        );
        if let Some(quota) = self.policy.mailbox_quota() {
            let maildirs = Arc::clone(&self.maildirs);
            let mb = mailbox.to_owned();
            let used = tokio::task::spawn_blocking(move || maildirs.usage(&mb))
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or(0);
            let size = (prefix.len() + body.len()) as u64;
            if used.saturating_add(size) > quota {
                let reply = catalogue::DELIVERY_OVER_QUOTA.reply_with(&[("address", &r.address)]);
                return self
                    .record(
                        store,
                        id,
                        r,
                        Decision::Failed,
                        &reply,
                        "local",
                        String::new(),
                        now_ms,
                    )
                    .await;
            }
        }
        let maildirs = Arc::clone(&self.maildirs);
        let mb = mailbox.to_owned();
        let bytes = body.to_vec();
        let written =
            tokio::task::spawn_blocking(move || maildirs.deliver(&mb, prefix.as_bytes(), &bytes))
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))
                .and_then(|r| r);
        match written {
            Ok(path) => {
                let reply = catalogue::DELIVERY_LOCAL_OK.reply_with(&[("address", &r.address)]);
                let transcript = format!("maildir {}", path.display());
                self.record(
                    store,
                    id,
                    r,
                    Decision::Delivered,
                    &reply,
                    "local",
                    transcript,
                    now_ms,
                )
                .await
            }
            Err(e) => {
                tracing::error!(queue_id = %id, mailbox, error = %e, "maildir delivery failed");
                let reply = catalogue::DELIVERY_MAILBOX_ERROR
                    .reply_with(&[("address", &r.address), ("detail", &e.to_string())]);
                let until = schedule::next_attempt_ms(&self.config.delivery, attempts + 1, now_ms);
                self.record(
                    store,
                    id,
                    r,
                    Decision::Deferred { until_ms: until },
                    &reply,
                    "local",
                    String::new(),
                    now_ms,
                )
                .await
            }
        }
    }

    /// Records the outcome for one recipient: its state and reply, and an attempt in the
    /// timeline with the catalogue's explanation.
    #[allow(clippy::too_many_arguments)]
    async fn record<S: QueueStore>(
        &self,
        store: &S,
        id: QueueId,
        r: &DueRecipient,
        decision: Decision,
        reply: &Reply,
        destination: &str,
        transcript: String,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let stored = StoredReply {
            code: reply.code().value(),
            enhanced: reply.enhanced().map(|e| e.to_string()),
            text: reply.text(),
        };
        let outcome = match decision {
            Decision::Delivered => Outcome::Delivered,
            Decision::Failed => Outcome::Failed,
            Decision::Deferred { until_ms } => Outcome::Deferred {
                next_attempt_ms: until_ms,
            },
        };
        let explanation = tern_codes::catalogue_match(reply)
            .map(|e| format!("{} {}", e.meaning, e.action))
            .unwrap_or_default();
        store
            .record_attempt(
                id,
                Attempt {
                    at_ms: now_ms,
                    recipients: vec![r.index],
                    destination: destination.to_owned(),
                    mx_host: None,
                    ip: None,
                    tls: TlsOutcome::NotAttempted,
                    transcript,
                    decision,
                    explanation,
                },
            )
            .await?;
        match store
            .update_recipient(
                id,
                r.index,
                RecipientUpdate {
                    outcome,
                    reply: Some(stored),
                    remote_host: None,
                    at_ms: now_ms,
                },
            )
            .await
        {
            Ok(()) | Err(StoreError::AlreadyFinal { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// An address for a header line: no CR, LF or other control characters.
fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}
