//! The recipients a pass decides without a connection: Maildir copies (written and synced
//! first), discards, refusals, expiries and holds for a throttled destination. Each gets its
//! own timeline entry; the whole pass's decisions are recorded in one commit.

use std::sync::Arc;

use tern_codes::{Reply, catalogue};
use tern_store::{Attempt, DueRecipient, Outcome, QueueStore, StoreError, TlsOutcome};

use super::plan::{MessagePlan, Planned, Work};
use super::{Shared, lock, timeline};
use crate::local;
use crate::record::{Decided, OnSuccess, Step};
use crate::schedule;
use crate::throttle::Slowdown;

/// One recipient decided here: its new state, its reply and its timeline entry's parts.
struct Here {
    outcome: Outcome,
    reply: Reply,
    destination: String,
    transcript: String,
}

impl<S: QueueStore> Shared<S> {
    /// Decides every recipient of `plans` that needs no connection, and records them.
    pub(super) async fn decide_here(
        &self,
        plans: &[MessagePlan],
        bodies: &[Option<Arc<Vec<u8>>>],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut steps = Vec::new();
        let mut written = Vec::new();
        for (plan, body) in plans.iter().zip(bodies) {
            let mut step = Step {
                id: plan.info.id,
                envelope: Arc::new(plan.info.envelope.clone()),
                body: body.clone(),
                attempts: Vec::new(),
                decided: Vec::new(),
            };
            for p in &plan.planned {
                let here = match &p.work {
                    Work::Remote { .. } => continue,
                    Work::Local(mailbox) => {
                        written.push((p.recipient.id, p.recipient.index));
                        let body = body.as_deref().map(Vec::as_slice).unwrap_or_default();
                        self.write_local(plan, p, mailbox, body, now_ms).await
                    }
                    Work::Expire => self.expire(),
                    Work::Refuse(reply) => refuse(reply),
                    Work::Discard { domain, pattern } => discard(&p.recipient, domain, pattern),
                    Work::HoldBack { domain, slowdown } => hold_back(domain, *slowdown, now_ms),
                };
                step.attempts.push(Attempt {
                    at_ms: now_ms,
                    recipients: vec![p.recipient.index],
                    destination: here.destination,
                    mx_host: None,
                    ip: None,
                    tls: TlsOutcome::NotAttempted,
                    transcript: here.transcript,
                    decision: timeline::decision(&[here.outcome]),
                    explanation: timeline::explanation_line(&tern_codes::explain_reply(
                        &here.reply,
                        None,
                    )),
                });
                step.decided.push(Decided {
                    index: p.recipient.index,
                    outcome: here.outcome,
                    reply: here.reply,
                    host: None,
                    on_success: OnSuccess::Delivered,
                });
            }
            if !step.decided.is_empty() {
                steps.push(step);
            }
        }
        if steps.is_empty() {
            return Ok(());
        }
        self.recorder().record(steps, now_ms).await?;
        let mut unrecorded = lock(&self.unrecorded);
        for key in written {
            unrecorded.remove(&key);
        }
        Ok(())
    }

    /// A message queued longer than `[delivery] max_queue_time`.
    fn expire(&self) -> Here {
        let days = self.config.delivery.max_queue_time.0.as_secs() / 86_400;
        Here {
            outcome: Outcome::Failed,
            reply: catalogue::DELIVERY_EXPIRED.reply_with(&[("days", &days.to_string())]),
            destination: "queue".to_owned(),
            transcript: String::new(),
        }
    }

    /// Writes a local recipient's copy. The copy's name is the same on every attempt, so one
    /// made by an attempt whose outcome was never recorded (a crash between the file and the
    /// store) is found instead of written twice.
    async fn write_local(
        &self,
        plan: &MessagePlan,
        p: &Planned,
        mailbox: &str,
        body: &[u8],
        now_ms: i64,
    ) -> Here {
        let r = &p.recipient;
        let info = &plan.info;
        let unrecorded = !lock(&self.unrecorded).insert((r.id, r.index));
        let maybe_written =
            unrecorded || p.attempts > 0 || info.envelope.received_at_ms < self.started_ms;
        let written = local::deliver(
            &self.maildirs,
            self.policy.mailbox_quota(),
            info,
            &r.address,
            mailbox,
            body,
            maybe_written,
        )
        .await;
        let delivered = |transcript: String| Here {
            outcome: Outcome::Delivered,
            reply: catalogue::DELIVERY_LOCAL_OK.reply_with(&[("address", &r.address)]),
            destination: "local".to_owned(),
            transcript,
        };
        match written {
            local::Local::Delivered(path) => delivered(format!("maildir {}", path.display())),
            local::Local::AlreadyThere(path) => {
                tracing::info!(queue_id = %r.id, mailbox, file = %path.display(),
                    "already in the Maildir from an attempt whose outcome was not recorded");
                delivered(format!(
                    "maildir {}: already there, written by an earlier attempt whose outcome \
                     was not recorded; not written again",
                    path.display()
                ))
            }
            local::Local::OverQuota => Here {
                outcome: Outcome::Failed,
                reply: catalogue::DELIVERY_OVER_QUOTA.reply_with(&[("address", &r.address)]),
                destination: "local".to_owned(),
                transcript: String::new(),
            },
            local::Local::Error(e) => {
                tracing::error!(queue_id = %r.id, mailbox, error = %e, "maildir delivery failed");
                Here {
                    outcome: Outcome::Deferred {
                        next_attempt_ms: schedule::next_attempt_ms(
                            &self.config.delivery,
                            p.attempts + 1,
                            now_ms,
                        ),
                    },
                    reply: catalogue::DELIVERY_MAILBOX_ERROR
                        .reply_with(&[("address", &r.address), ("detail", &e)]),
                    destination: "local".to_owned(),
                    transcript: String::new(),
                }
            }
        }
    }
}

/// A recipient the policy no longer delivers.
fn refuse(reply: &Reply) -> Here {
    Here {
        outcome: Outcome::Failed,
        reply: reply.clone(),
        destination: "local".to_owned(),
        transcript: String::new(),
    }
}

/// Postfix's `discard:`: delivered, and a success report (if asked for) says `delivered`
/// with the "discarded" reply.
fn discard(r: &DueRecipient, domain: &str, pattern: &str) -> Here {
    tracing::info!(queue_id = %r.id, to = %r.address, route = pattern, "discarded by route");
    Here {
        outcome: Outcome::Delivered,
        reply: catalogue::DELIVERY_DISCARDED.reply_with(&[("domain", domain)]),
        destination: domain.to_owned(),
        transcript: format!(
            "discarded by [[delivery.route]] domain = {pattern:?}, transport = \"discard\"; no connection made"
        ),
    }
}

/// A recipient of a throttled destination, deferred until its pause has passed without
/// connecting.
fn hold_back(domain: &str, slowdown: Slowdown, now_ms: i64) -> Here {
    let seconds = slowdown.seconds_left(now_ms).to_string();
    Here {
        outcome: Outcome::Deferred {
            next_attempt_ms: slowdown.until_ms,
        },
        reply: catalogue::DELIVERY_THROTTLED
            .reply_with(&[("domain", domain), ("seconds", seconds.as_str())]),
        destination: domain.to_owned(),
        transcript: timeline::slowdown_line(domain, slowdown, now_ms),
    }
}
