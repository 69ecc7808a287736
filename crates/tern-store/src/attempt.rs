//! One entry of a message's delivery timeline.

/// How TLS went on the connection of an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsOutcome {
    /// No TLS was tried (local delivery, or the attempt ended before STARTTLS).
    NotAttempted,
    /// TLS was established.
    Established {
        /// Protocol version, e.g. `TLSv1.3`.
        protocol: String,
        /// Cipher suite.
        cipher: String,
    },
    /// TLS was tried and failed, or was required and not offered.
    Failed {
        /// What went wrong.
        reason: String,
    },
}

/// What the attempt decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Delivered.
    Delivered,
    /// Deferred until the given time (Unix ms).
    Deferred {
        /// Next attempt (Unix ms).
        until_ms: i64,
    },
    /// Failed for good.
    Failed,
}

/// One delivery attempt: where we went, what was said, and what we decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// When the attempt started (Unix ms).
    pub at_ms: i64,
    /// The recipients (envelope indexes) this attempt was for.
    pub recipients: Vec<u32>,
    /// Where the message was going: the domain, or `local` for Maildir delivery.
    pub destination: String,
    /// The MX host tried, if any.
    pub mx_host: Option<String>,
    /// The IP address connected to, if any.
    pub ip: Option<String>,
    /// TLS on that connection.
    pub tls: TlsOutcome,
    /// Commands sent and replies received, as text.
    pub transcript: String,
    /// The decision.
    pub decision: Decision,
    /// Why, in plain language.
    pub explanation: String,
}

/// Everything one delivery step decided, recorded together by
/// [`QueueStore::record_outcomes`](crate::QueueStore::record_outcomes): timeline entries and
/// recipients' new states, for one message or many.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcomes {
    /// Timeline entries, each for its message.
    pub attempts: Vec<(crate::QueueId, Attempt)>,
    /// New recipient states: message, envelope index, update.
    pub updates: Vec<(crate::QueueId, u32, crate::RecipientUpdate)>,
}

impl Outcomes {
    /// Whether there is nothing to record.
    pub fn is_empty(&self) -> bool {
        self.attempts.is_empty() && self.updates.is_empty()
    }
}

/// What [`QueueStore::record_outcomes`](crate::QueueStore::record_outcomes) could not apply,
/// and why: nothing else went wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Recipients that were already final (another path decided them first), or whose
    /// message is gone (deleted meanwhile): their update was not applied.
    pub recipients: Vec<(crate::QueueId, u32)>,
    /// Messages gone before their timeline entry could be added.
    pub attempts: Vec<crate::QueueId>,
}
