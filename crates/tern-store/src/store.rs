//! The `QueueStore` trait: what every backend offers.

use std::future::Future;

use crate::attempt::{Attempt, Outcomes, Skipped};
use crate::envelope::Envelope;
use crate::error::StoreError;
use crate::filter::ListFilter;
use crate::id::QueueId;
use crate::status::{DueRecipient, MessageInfo, QueueCounts, RecipientState, RecipientUpdate};

/// What a backend found and repaired when it opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Messages in the queue.
    pub messages: u64,
    /// Recipients not yet final (Scheduled or Deferred).
    pub pending_recipients: u64,
    /// Body files that had no committed message (a crash between the file and the row) and
    /// were removed.
    pub orphan_bodies_removed: u64,
    /// Messages whose body could not be found. Never expected; listed so an operator can act.
    pub missing_bodies: Vec<QueueId>,
    /// False when another process already held the store and this handle skipped recovery.
    pub recovered: bool,
}

/// The durable queue.
///
/// Every method is async and `Send`; implementations must not need a particular runtime.
/// Time is always an argument: a backend never decides what "now" is.
///
/// The contract every backend keeps (and [`crate::conformance`] checks):
///
/// - [`enqueue`](QueueStore::enqueue) returns `Ok(id)` only after the envelope, every recipient
///   and the whole body are durable: a crash or power loss after that point loses nothing. If it
///   returns an error, or the process dies before it returns, the message is either absent or
///   complete, never partial.
/// - A message is visible to readers completely (envelope, body, all recipients) or not at all.
/// - Final recipient states (Delivered, Failed) never change.
pub trait QueueStore: Send + Sync {
    /// Stores a message durably and returns its new id. The envelope must have at least one
    /// recipient. All recipients start Scheduled and due at `envelope.received_at_ms`.
    fn enqueue(
        &self,
        envelope: Envelope,
        body: Vec<u8>,
    ) -> impl Future<Output = Result<QueueId, StoreError>> + Send;

    /// The envelope, state and recipient statuses of a message (not its body).
    fn message(&self, id: QueueId) -> impl Future<Output = Result<MessageInfo, StoreError>> + Send;

    /// [`message`](QueueStore::message) for many messages at once (the embedded backend
    /// reads them in one go): each answer in order, a deleted message `NotFound`.
    fn messages(
        &self,
        ids: Vec<QueueId>,
    ) -> impl Future<Output = Result<Vec<Result<MessageInfo, StoreError>>, StoreError>> + Send {
        async move {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                out.push(self.message(id).await);
            }
            Ok(out)
        }
    }

    /// [`body`](QueueStore::body) for many messages at once: each answer in order.
    fn bodies(
        &self,
        ids: Vec<QueueId>,
    ) -> impl Future<Output = Result<Vec<Result<Vec<u8>, StoreError>>, StoreError>> + Send {
        async move {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                out.push(self.body(id).await);
            }
            Ok(out)
        }
    }

    /// The envelope as enqueued.
    fn envelope(&self, id: QueueId) -> impl Future<Output = Result<Envelope, StoreError>> + Send;

    /// The body, byte for byte as enqueued.
    fn body(&self, id: QueueId) -> impl Future<Output = Result<Vec<u8>, StoreError>> + Send;

    /// Records the outcome of a delivery for one recipient. Durable when it returns.
    /// Fails with [`StoreError::AlreadyFinal`] if the recipient is Delivered or Failed.
    fn update_recipient(
        &self,
        id: QueueId,
        index: u32,
        update: RecipientUpdate,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Appends an attempt to the message's delivery timeline.
    fn record_attempt(
        &self,
        id: QueueId,
        attempt: Attempt,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Records a decision made without a connection (a local delivery, a discard, a refusal)
    /// for one recipient: the attempt in the timeline and the recipient's new state. The
    /// embedded backend does it in one write (one commit: both or neither); this default,
    /// for a backend that cannot, records the attempt first. Fails like
    /// [`update_recipient`](QueueStore::update_recipient).
    fn record_outcome(
        &self,
        id: QueueId,
        index: u32,
        update: RecipientUpdate,
        attempt: Attempt,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        async move {
            self.record_attempt(id, attempt).await?;
            self.update_recipient(id, index, update).await
        }
    }

    /// Records what a delivery step decided, for one message or many: the timeline entries
    /// and the recipients' new states. The embedded backend writes them in one commit (all
    /// or nothing, durable when it returns); this default, for a backend that cannot, writes
    /// the attempts first, then each state. A recipient already final or a message gone is
    /// not an error: it is skipped and reported in [`Skipped`]. This is the one way delivery
    /// and the queue actions record outcomes.
    fn record_outcomes(
        &self,
        outcomes: Outcomes,
    ) -> impl Future<Output = Result<Skipped, StoreError>> + Send {
        async move {
            let mut skipped = Skipped::default();
            for (id, attempt) in outcomes.attempts {
                match self.record_attempt(id, attempt).await {
                    Err(StoreError::NotFound(_)) => skipped.attempts.push(id),
                    other => other?,
                }
            }
            for (id, index, update) in outcomes.updates {
                match self.update_recipient(id, index, update).await {
                    Err(e) if e.is_skippable_outcome() => skipped.recipients.push((id, index)),
                    other => other?,
                }
            }
            Ok(skipped)
        }
    }

    /// The delivery timeline, oldest first.
    fn attempts(
        &self,
        id: QueueId,
    ) -> impl Future<Output = Result<Vec<Attempt>, StoreError>> + Send;

    /// Up to `limit` recipients whose next attempt is at or before `now_ms`, of messages that
    /// are not held, earliest first.
    fn due(
        &self,
        now_ms: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<DueRecipient>, StoreError>> + Send;

    /// Makes every non-final recipient of the message due at `at_ms` (retry now, or later).
    /// Returns how many recipients were rescheduled.
    fn reschedule(
        &self,
        id: QueueId,
        at_ms: i64,
    ) -> impl Future<Output = Result<u32, StoreError>> + Send;

    /// [`reschedule`](QueueStore::reschedule) for many messages; the embedded backend does
    /// it in one commit. Each message's answer, in order: how many recipients it rescheduled,
    /// or why it could not (a message deleted meanwhile is `NotFound`, not a failure of the
    /// others).
    fn reschedule_many(
        &self,
        ids: Vec<QueueId>,
        at_ms: i64,
    ) -> impl Future<Output = Result<Vec<Result<u32, StoreError>>, StoreError>> + Send {
        async move {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                out.push(self.reschedule(id, at_ms).await);
            }
            Ok(out)
        }
    }

    /// Holds a message: none of its recipients is due until it is released. Idempotent.
    fn hold(&self, id: QueueId) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Releases a held message. Idempotent.
    fn release(&self, id: QueueId) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes a message, its recipients, timeline and body.
    fn delete(&self, id: QueueId) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Finishes a message whose recipients are all final (Delivered or Failed): its body is
    /// dropped, since nothing will send it again (the delivery worker calls this after any
    /// report to the sender is queued). The envelope, recipient statuses and timeline stay,
    /// for `tern queue show`, until [`purge_finished`](QueueStore::purge_finished). Returns
    /// true when it finished the message now; false while a recipient is pending, or when
    /// the message was finished before. Afterwards [`body`](QueueStore::body) fails with
    /// [`StoreError::BodyDropped`].
    fn finish(
        &self,
        id: QueueId,
        now_ms: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Finishes (as [`finish`](QueueStore::finish)) up to `limit` messages whose recipients
    /// all became final before `before_ms`, in one write. The delivery worker calls it
    /// periodically with a margin, so that reports queued right after the last outcome still
    /// find the body. Returns how many it finished.
    fn finish_settled(
        &self,
        before_ms: i64,
        limit: usize,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// Deletes up to `limit` messages finished before `before_ms`, with everything kept of
    /// them. Returns how many it deleted.
    fn purge_finished(
        &self,
        before_ms: i64,
        limit: usize,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// How many messages and recipients the queue holds, by state. The default reads the
    /// whole listing; the embedded backend counts in SQL.
    fn counts(&self) -> impl Future<Output = Result<QueueCounts, StoreError>> + Send {
        async move {
            let mut counts = QueueCounts::default();
            for m in self.list(ListFilter::default()).await? {
                counts.messages += 1;
                counts.held += u64::from(m.held);
                let mut pending = false;
                for r in &m.recipients {
                    let i = RecipientState::ALL
                        .iter()
                        .position(|s| *s == r.state)
                        .unwrap_or(0);
                    counts.recipients[i] += 1;
                    pending |= !r.state.is_final();
                }
                if pending {
                    let at = m.envelope.received_at_ms;
                    counts.oldest_pending_ms =
                        Some(counts.oldest_pending_ms.map_or(at, |o| o.min(at)));
                }
            }
            Ok(counts)
        }
    }

    /// Messages matching the filter, oldest first.
    fn list(
        &self,
        filter: ListFilter,
    ) -> impl Future<Output = Result<Vec<MessageInfo>, StoreError>> + Send;

    /// What the backend found and repaired when it was opened.
    fn recovery(&self) -> RecoveryReport;
}
