//! The one place where delivery outcomes are recorded: the timeline entries and the
//! recipients' new states of a delivery step go to the store in one commit
//! ([`QueueStore::record_outcomes`]), then the reports the sender asked for are queued:
//! bounces for failed recipients, success reports (`delivered` for a mailbox, `relayed` for a
//! server that does not report onward), and delay warnings once a recipient has waited
//! `[delivery] delay_warning`.
//!
//! The delivery worker records every outcome through a [`Recorder`], and so does `tern queue
//! bounce`: a recipient decided twice (by the worker and an administrator at once) keeps the
//! first decision, and only the decision that was applied gets a report.

use std::collections::HashSet;
use std::sync::Arc;

use tern_codes::Reply;
use tern_config::Config;
use tern_store::{
    Attempt, Decision, Envelope, Outcome, Outcomes, QueueId, QueueStore, Recipient,
    RecipientUpdate, StoreError, StoredReply, TlsOutcome,
};
use tokio::sync::Notify;

use crate::dsn::{self, Action, DsnInput, DsnKind, DsnRecipient};

/// What the sender hears about a delivered recipient, if it asked (RFC 3461 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnSuccess {
    /// Put in its mailbox (or discarded by a route): a `delivered` report.
    Delivered,
    /// Accepted by a server that does not report delivery status itself: `relayed`.
    Relayed,
    /// Accepted by a server that took NOTIFY along and reports itself: nothing from here.
    ReportedOnward,
}

/// One recipient decided in a step: its new state, and the reply that decided it.
#[derive(Debug, Clone)]
pub struct Decided {
    /// Its index in the envelope.
    pub index: u32,
    /// Delivered, failed, or deferred until when.
    pub outcome: Outcome,
    /// The reply: the remote server's, or Tern's own from the catalogue.
    pub reply: Reply,
    /// The host that gave the reply, if remote.
    pub host: Option<String>,
    /// For a delivered recipient, what the sender may be told.
    pub on_success: OnSuccess,
}

/// One message's part of a delivery step.
#[derive(Debug, Clone)]
pub struct Step {
    /// The message.
    pub id: QueueId,
    /// Its envelope, for the reports.
    pub envelope: Arc<Envelope>,
    /// Its body, when the step has it already (the reports quote it); read from the store
    /// otherwise, and only when a report is wanted.
    pub body: Option<Arc<Vec<u8>>>,
    /// The timeline entries of the step.
    pub attempts: Vec<Attempt>,
    /// The recipients decided.
    pub decided: Vec<Decided>,
}

/// A report to the sender that a step queued, or tried to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The message reported on.
    pub message: QueueId,
    /// Failure, delay or success.
    pub kind: DsnKind,
    /// Its queue id and recipient, or why it could not be queued.
    pub queued: Result<(QueueId, String), String>,
}

/// What a step did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Recipients whose outcome was applied (not already final, message not gone).
    pub applied: Vec<(QueueId, u32)>,
    /// Reports queued (or tried).
    pub notices: Vec<Notice>,
}

/// The timeline's destination name for a delay warning sent to the sender.
pub const DELAY_WARNING: &str = "delay-warning";

/// Records delivery steps and sends the reports they call for.
pub struct Recorder<'a, S> {
    store: &'a S,
    config: &'a Config,
    /// Woken when a report is queued (the delivery worker waits on it).
    wake: Option<&'a Notify>,
}

impl<S> std::fmt::Debug for Recorder<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder").finish_non_exhaustive()
    }
}

impl<'a, S: QueueStore> Recorder<'a, S> {
    /// A recorder on `store`; `wake` is notified when a report is queued.
    pub fn new(store: &'a S, config: &'a Config, wake: Option<&'a Notify>) -> Self {
        Recorder {
            store,
            config,
            wake,
        }
    }

    /// Records `steps` in one commit, then queues the reports their applied outcomes call
    /// for. A recipient already final, or a message deleted meanwhile, is left as it is and
    /// gets no report.
    pub async fn record(&self, steps: Vec<Step>, now_ms: i64) -> Result<Recorded, StoreError> {
        let mut outcomes = Outcomes::default();
        for step in &steps {
            for attempt in &step.attempts {
                outcomes.attempts.push((step.id, attempt.clone()));
            }
            for d in &step.decided {
                outcomes.updates.push((
                    step.id,
                    d.index,
                    update(d.outcome, &d.reply, d.host.clone(), now_ms),
                ));
            }
        }
        let skipped: HashSet<(QueueId, u32)> = self
            .store
            .record_outcomes(outcomes)
            .await?
            .recipients
            .into_iter()
            .collect();
        let mut recorded = Recorded::default();
        for step in steps {
            let applied: Vec<&Decided> = step
                .decided
                .iter()
                .filter(|d| !skipped.contains(&(step.id, d.index)))
                .collect();
            recorded
                .applied
                .extend(applied.iter().map(|d| (step.id, d.index)));
            let mut reporter = Reporter {
                recorder: self,
                step: &step,
                body: step.body.clone(),
                now_ms,
            };
            let with = |action: Action| -> Vec<&Decided> {
                applied
                    .iter()
                    .copied()
                    .filter(|d| report_of(d) == Some(action))
                    .collect()
            };
            for action in [Action::Failed, Action::Delivered, Action::Relayed] {
                if let Some(notice) = reporter.notify(&with(action), action).await {
                    recorded.notices.push(notice);
                }
            }
            if let Some(notice) = reporter.warn_delays(&with(Action::Delayed)).await? {
                recorded.notices.push(notice);
            }
        }
        Ok(recorded)
    }
}

/// The report a decided recipient may call for, if its sender asked: a failure, a success
/// (`delivered` for a mailbox, `relayed` for a server without DSN), or a delay warning.
fn report_of(d: &Decided) -> Option<Action> {
    match (d.outcome, d.on_success) {
        (Outcome::Failed, _) => Some(Action::Failed),
        (Outcome::Delivered, OnSuccess::Delivered) => Some(Action::Delivered),
        (Outcome::Delivered, OnSuccess::Relayed) => Some(Action::Relayed),
        (Outcome::Delivered, OnSuccess::ReportedOnward) => None,
        (Outcome::Deferred { .. }, _) => Some(Action::Delayed),
    }
}

/// The reports of one message's step.
struct Reporter<'a, S> {
    recorder: &'a Recorder<'a, S>,
    step: &'a Step,
    body: Option<Arc<Vec<u8>>>,
    now_ms: i64,
}

impl<S: QueueStore> Reporter<'_, S> {
    /// Queues a report of `action` on the recipients whose NOTIFY asks for it (RFC 3461
    /// §4.1); never for a message that had the null sender.
    async fn notify(&mut self, reported: &[&Decided], action: Action) -> Option<Notice> {
        let envelope = &self.step.envelope;
        let kind = action.kind();
        let config = &self.recorder.config;
        let give_up_ms = envelope.received_at_ms.saturating_add(
            i64::try_from(config.delivery.max_queue_time.0.as_millis()).unwrap_or(i64::MAX),
        );
        let recipients: Vec<DsnRecipient<'_>> = reported
            .iter()
            .filter_map(|d| {
                let stored = envelope.recipients.get(d.index as usize)?;
                let wanted = dsn::should_notify(envelope.sender.as_deref(), stored.notify, kind);
                wanted.then(|| DsnRecipient {
                    address: &stored.address,
                    orcpt: stored.orcpt.as_ref(),
                    action,
                    reply: d.reply.clone(),
                    remote_mta: d.host.as_deref(),
                    last_attempt_ms: Some(self.now_ms),
                    will_retry_until_ms: (kind == DsnKind::Delay).then_some(give_up_ms),
                })
            })
            .collect();
        if recipients.is_empty() {
            return None;
        }
        let id = self.step.id;
        let body = match &self.body {
            Some(body) => Arc::clone(body),
            None => match self.recorder.store.body(id).await {
                Ok(body) => {
                    let body = Arc::new(body);
                    self.body = Some(Arc::clone(&body));
                    body
                }
                Err(e) => {
                    return Some(Notice {
                        message: id,
                        kind,
                        queued: Err(format!("the message body could not be read ({e})")),
                    });
                }
            },
        };
        let queue_id = id.to_string();
        let input = DsnInput {
            reporting_mta: &config.server.hostname,
            original: envelope,
            original_message: &body,
            queue_id: &queue_id,
            recipients,
            kind,
            now_ms: self.now_ms,
        };
        let report = dsn::build_dsn(&input)?;
        let mut notice = Envelope::new(None, vec![Recipient::new(report.to.clone())], self.now_ms);
        notice.params.body = report.body;
        notice.params.smtputf8 = report.smtputf8;
        let queued = match self.recorder.store.enqueue(notice, report.message).await {
            Ok(notice_id) => {
                tracing::info!(queue_id = %id, notice = %notice_id, to = %report.to, ?kind, "delivery status notification queued");
                if let Some(wake) = &self.recorder.wake {
                    wake.notify_one();
                }
                Ok((notice_id, report.to))
            }
            Err(e) => {
                tracing::error!(queue_id = %id, error = %e, "could not queue the notification");
                Err(format!("it could not be queued ({e})"))
            }
        };
        Some(Notice {
            message: id,
            kind,
            queued,
        })
    }

    /// Sends the sender a delay warning for recipients still deferred after `[delivery]
    /// delay_warning`, once per recipient; the warning is an entry of the timeline.
    async fn warn_delays(&mut self, deferred: &[&Decided]) -> Result<Option<Notice>, StoreError> {
        let config = &self.recorder.config;
        let envelope = &self.step.envelope;
        let threshold =
            i64::try_from(config.delivery.delay_warning.0.as_millis()).unwrap_or(i64::MAX);
        if threshold == 0
            || self.now_ms.saturating_sub(envelope.received_at_ms) < threshold
            || deferred.is_empty()
        {
            return Ok(None);
        }
        let id = self.step.id;
        let warned: HashSet<u32> = self
            .recorder
            .store
            .attempts(id)
            .await?
            .iter()
            .filter(|a| a.destination == DELAY_WARNING)
            .flat_map(|a| a.recipients.clone())
            .collect();
        let due: Vec<&Decided> = deferred
            .iter()
            .copied()
            .filter(|d| !warned.contains(&d.index))
            .collect();
        if due.is_empty() {
            return Ok(None);
        }
        let notice = self.notify(&due, Action::Delayed).await;
        let to = envelope.sender.clone().unwrap_or_default();
        let attempt = Attempt {
            at_ms: self.now_ms,
            recipients: due.iter().map(|d| d.index).collect(),
            destination: DELAY_WARNING.to_owned(),
            mx_host: None,
            ip: None,
            tls: TlsOutcome::NotAttempted,
            transcript: String::new(),
            decision: Decision::Deferred {
                until_ms: self.now_ms,
            },
            explanation: format!(
                "The sender <{to}> was told the message is delayed and still being retried."
            ),
        };
        match self.recorder.store.record_attempt(id, attempt).await {
            Ok(()) | Err(StoreError::NotFound(_)) => Ok(notice),
            Err(e) => Err(e),
        }
    }
}

/// A recipient's new state with the reply that decided it.
pub fn update(
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

/// What [`bounce_by_admin`] did.
#[derive(Debug, Clone)]
pub struct AdminBounce {
    /// The recipients it failed (not those decided meanwhile by delivery).
    pub failed: Vec<String>,
    /// The reply they failed with.
    pub reply: Reply,
    /// The bounce to the sender, if one was wanted.
    pub notice: Option<Notice>,
}

impl AdminBounce {
    /// What it did, in words (`tern queue bounce` and the admin API say the same).
    pub fn describe(&self) -> String {
        if self.failed.is_empty() {
            return "nothing bounced: the recipients were delivered or failed meanwhile".to_owned();
        }
        let line = self.reply.to_string();
        let notice = match &self.notice {
            Some(Notice {
                queued: Ok((id, to)),
                ..
            }) => format!("bounce {id} queued for <{to}>"),
            Some(Notice { queued: Err(e), .. }) => format!("no bounce: {e}"),
            None => {
                "no bounce: the sender is the null sender or asked for none (NOTIFY)".to_owned()
            }
        };
        format!(
            "failed {} with \"{}\": not tried again; {notice}",
            self.failed.join(", "),
            line.trim_end()
        )
    }
}

/// Fails recipients `indexes` of a message on an administrator's word, given `by` (`tern
/// queue bounce`, the admin API: the timeline says which), through the same [`Recorder`] as
/// delivery: the timeline entry and the
/// states in one commit, then the bounce the sender asked for. A message whose recipients
/// are all final afterwards keeps only its history.
pub async fn bounce_by_admin<S: QueueStore>(
    store: &S,
    config: &Config,
    info: &tern_store::MessageInfo,
    indexes: &[u32],
    by: &str,
    now_ms: i64,
) -> Result<AdminBounce, StoreError> {
    let reply = tern_codes::catalogue::DELIVERY_CANCELLED
        .reply_with(&[("hostname", &config.server.hostname)]);
    let line = reply.to_string();
    let attempt = Attempt {
        at_ms: now_ms,
        recipients: indexes.to_vec(),
        destination: "queue".to_owned(),
        mx_host: None,
        ip: None,
        tls: TlsOutcome::NotAttempted,
        transcript: String::new(),
        decision: Decision::Failed,
        explanation: format!(
            "Failed by an administrator with {by}, with the reply {}: it is not tried again.",
            line.trim_end()
        ),
    };
    let step = Step {
        id: info.id,
        envelope: Arc::new(info.envelope.clone()),
        body: None,
        attempts: vec![attempt],
        decided: indexes
            .iter()
            .map(|&index| Decided {
                index,
                outcome: Outcome::Failed,
                reply: reply.clone(),
                host: None,
                on_success: OnSuccess::Delivered,
            })
            .collect(),
    };
    let recorded = Recorder::new(store, config, None)
        .record(vec![step], now_ms)
        .await?;
    let failed = info
        .recipients
        .iter()
        .filter(|r| recorded.applied.contains(&(info.id, r.index)))
        .map(|r| r.address.clone())
        .collect();
    let notice = recorded
        .notices
        .into_iter()
        .find(|n| n.kind == DsnKind::Failure);
    if let Err(e) = store.finish(info.id, now_ms).await {
        tracing::warn!(queue_id = %info.id, error = %e, "could not finish the bounced message");
    }
    Ok(AdminBounce {
        failed,
        reply,
        notice,
    })
}
