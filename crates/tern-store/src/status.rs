//! Per-recipient delivery state and the views of a queued message.

use crate::envelope::{Envelope, Notify};
use crate::id::QueueId;

/// Where one recipient stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecipientState {
    /// Accepted, not tried yet. Due at the message's received-at time.
    Scheduled,
    /// The remote server (or the local mailbox) took it. Final.
    Delivered,
    /// Tried, failed temporarily, will be tried again at `next_attempt_ms`.
    Deferred,
    /// Failed permanently (or gave up). Final.
    Failed,
}

impl RecipientState {
    /// All states, in lifecycle order.
    pub const ALL: [RecipientState; 4] = [
        RecipientState::Scheduled,
        RecipientState::Delivered,
        RecipientState::Deferred,
        RecipientState::Failed,
    ];

    /// Delivered and Failed are final: no further update is accepted.
    pub fn is_final(self) -> bool {
        matches!(self, RecipientState::Delivered | RecipientState::Failed)
    }

    /// Lowercase name, as used in listings.
    pub fn as_str(self) -> &'static str {
        match self {
            RecipientState::Scheduled => "scheduled",
            RecipientState::Delivered => "delivered",
            RecipientState::Deferred => "deferred",
            RecipientState::Failed => "failed",
        }
    }
}

/// How big the queue is: for metrics and health checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// Messages kept (finished ones included, until they are purged).
    pub messages: u64,
    /// Messages held.
    pub held: u64,
    /// Recipients in each state, in the order of [`RecipientState::ALL`].
    pub recipients: [u64; 4],
    /// When the oldest message with a recipient not final was received (Unix ms), if any.
    pub oldest_pending_ms: Option<i64>,
}

impl QueueCounts {
    /// Recipients in `state`.
    pub fn in_state(&self, state: RecipientState) -> u64 {
        let i = RecipientState::ALL
            .iter()
            .position(|s| *s == state)
            .unwrap_or(0);
        self.recipients[i]
    }
}

/// A reply as received from a server, kept as raw text: the store does not parse replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReply {
    /// The three-digit reply code, e.g. 250, 451, 550.
    pub code: u16,
    /// The enhanced status code, e.g. `5.1.1`, if the reply had one.
    pub enhanced: Option<String>,
    /// The full reply text as received (all lines).
    pub text: String,
}

/// The current status of one recipient of a queued message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientStatus {
    /// Position in [`Envelope::recipients`]; the handle used for updates.
    pub index: u32,
    /// The forward path.
    pub address: String,
    /// DSN `NOTIFY=`, as enqueued.
    pub notify: Option<Notify>,
    /// DSN `ORCPT=`, as enqueued.
    pub orcpt: Option<crate::Orcpt>,
    /// Current state.
    pub state: RecipientState,
    /// The last reply that changed the state, if any.
    pub last_reply: Option<StoredReply>,
    /// The host that gave the last reply, if any.
    pub remote_host: Option<String>,
    /// When the state last changed (Unix ms); the received-at time for Scheduled.
    pub updated_at_ms: i64,
    /// When the recipient is due next (Unix ms); `None` once final.
    pub next_attempt_ms: Option<i64>,
    /// How many status updates (delivery outcomes) were recorded.
    pub attempts: u32,
}

/// The outcome a delivery attempt reached for one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The recipient was delivered (after the remote `250` or the Maildir fsync).
    Delivered,
    /// Temporary failure: try again at `next_attempt_ms`.
    Deferred {
        /// When to try again (Unix ms).
        next_attempt_ms: i64,
    },
    /// Permanent failure.
    Failed,
}

impl Outcome {
    /// The state the recipient moves to.
    pub fn state(self) -> RecipientState {
        match self {
            Outcome::Delivered => RecipientState::Delivered,
            Outcome::Deferred { .. } => RecipientState::Deferred,
            Outcome::Failed => RecipientState::Failed,
        }
    }
}

/// A status update for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientUpdate {
    /// The new state.
    pub outcome: Outcome,
    /// The reply that caused it, if there was one (a DNS failure has none).
    pub reply: Option<StoredReply>,
    /// The host that replied, if any.
    pub remote_host: Option<String>,
    /// When it happened (Unix ms).
    pub at_ms: i64,
}

/// A queued message without its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageInfo {
    /// Its id.
    pub id: QueueId,
    /// The envelope as enqueued.
    pub envelope: Envelope,
    /// Held messages are never due.
    pub held: bool,
    /// Body length in bytes.
    pub body_len: u64,
    /// Per-recipient status, in envelope order.
    pub recipients: Vec<RecipientStatus>,
}

/// A recipient whose next attempt time has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRecipient {
    /// The message.
    pub id: QueueId,
    /// The recipient's index in the envelope.
    pub index: u32,
    /// The recipient's address.
    pub address: String,
    /// Its lowercased domain (empty if none), for grouping deliveries.
    pub domain: String,
    /// Scheduled or Deferred.
    pub state: RecipientState,
    /// When it became due (Unix ms).
    pub due_at_ms: i64,
}
