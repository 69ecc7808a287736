//! Store errors.

use crate::id::QueueId;

/// Why the store refused to take more data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskFullCause {
    /// Free space is below the configured reserve.
    BelowReserve {
        /// Bytes available to the store's user when checked.
        available: u64,
        /// The configured reserve plus the size of the write.
        needed: u64,
    },
    /// The filesystem said no (ENOSPC, EDQUOT, or SQLITE_FULL).
    NoSpace,
}

/// Everything that can go wrong in a store call.
///
/// The server maps these to replies: [`StoreError::DiskFull`] to `452 4.3.1`,
/// [`StoreError::TooLarge`] to `552 5.3.4`, everything else to a temporary `451 4.3.0`
/// (see [`StoreError::is_temporary`]).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No message with this id (never existed, or deleted).
    #[error("no queued message {0}")]
    NotFound(QueueId),
    /// The message is finished (every recipient Delivered or Failed) and its body was dropped;
    /// its envelope, recipients and timeline remain until it is purged.
    #[error("message {0} is finished: its body is no longer kept")]
    BodyDropped(QueueId),
    /// The message exists but has no recipient with this index.
    #[error("message {id} has no recipient #{index}")]
    RecipientNotFound {
        /// The message.
        id: QueueId,
        /// The index asked for.
        index: u32,
    },
    /// The recipient is already Delivered or Failed; final states do not change.
    #[error("recipient #{index} of {id} is already final")]
    AlreadyFinal {
        /// The message.
        id: QueueId,
        /// The recipient.
        index: u32,
    },
    /// Not enough disk space: nothing was written. Try again later.
    #[error("insufficient storage: {0:?}")]
    DiskFull(DiskFullCause),
    /// The body is larger than the configured limit.
    #[error("message of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Body size.
        size: u64,
        /// Configured limit.
        limit: u64,
    },
    /// The envelope cannot be stored (e.g. no recipients).
    #[error("invalid envelope: {0}")]
    InvalidEnvelope(&'static str),
    /// Stored data could not be decoded (damaged or written by a newer version).
    #[error("corrupt store data: {0}")]
    Corrupt(String),
    /// The store is shut down or its worker threads are gone.
    #[error("the store is closed")]
    Closed,
    /// The backend failed (I/O error, database error).
    #[error("{context}: {source}")]
    Backend {
        /// What the store was doing.
        context: &'static str,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StoreError {
    /// Whether an outcome that hit this error can be skipped rather than failing a batch:
    /// the recipient was decided already, or its message (or the recipient) is gone.
    pub fn is_skippable_outcome(&self) -> bool {
        matches!(
            self,
            StoreError::NotFound(_)
                | StoreError::AlreadyFinal { .. }
                | StoreError::RecipientNotFound { .. }
        )
    }

    /// Wraps a backend error with what the store was doing.
    pub fn backend(
        context: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        StoreError::Backend {
            context,
            source: source.into(),
        }
    }

    /// True when retrying later may succeed (disk space, a closed or failing backend).
    pub fn is_temporary(&self) -> bool {
        matches!(
            self,
            StoreError::DiskFull(_) | StoreError::Closed | StoreError::Backend { .. }
        )
    }

    /// True for [`StoreError::DiskFull`].
    pub fn is_disk_full(&self) -> bool {
        matches!(self, StoreError::DiskFull(_))
    }
}
