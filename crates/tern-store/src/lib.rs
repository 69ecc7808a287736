//! Tern's durable queue.
//!
//! `250` after the end of data is a promise (RFC 5321 §6.1): the message will not be lost.
//! This crate keeps that promise. It defines the [`QueueStore`] trait (enqueue, per-recipient
//! status, the delivery timeline, what is due when, hold/release, delete, listing, recovery),
//! the plain types it stores ([`Envelope`], [`RecipientStatus`], [`Attempt`], [`QueueId`]),
//! the embedded backend [`SqliteStore`], and a [`conformance`] suite every backend must pass.
//!
//! It does **not** parse SMTP (the server maps its parsed parameters into [`Envelope`]; replies
//! are stored as raw text and codes), decide when to retry (the caller passes times), deliver
//! anything, or read the clock: every time is an argument.
//!
//! # Durability contract
//!
//! For every backend:
//!
//! - **When `enqueue` returns `Ok(id)`**, the envelope, every recipient (Scheduled, due at the
//!   received-at time) and every byte of the body are on stable storage. A crash, `SIGKILL` or
//!   power loss after that instant loses nothing.
//! - **When `enqueue` returns an error**, nothing of the message is visible, now or after a
//!   restart, and no space stays used by it — with one exception: if the final fsync itself
//!   fails (an I/O error, not a full disk), the message may or may not appear after a restart,
//!   but if it appears it is complete. The caller answers with a temporary failure either way,
//!   and a duplicate is the worst outcome (RFC 5321 §6.1 prefers it to a loss).
//! - **A crash at any point** leaves each message either absent or complete: envelope, all
//!   recipients and the whole body, byte-identical. Never a message without its body, never a
//!   message with some of its recipients.
//! - Status updates, attempts, hold/release, reschedule and delete are durable when they
//!   return, and atomic.
//!
//! For the embedded backend ([`SqliteStore`]) this means: the message's rows are written in a
//! SQLite transaction with `journal_mode=WAL` and `synchronous=FULL`, so the commit fsyncs the
//! WAL before `enqueue` answers. A body at or above the spool threshold is first written to
//! `spool/<id>` and fsynced, the spool directory is fsynced, and only then is the row
//! committed. A crash between the file and the commit leaves an orphan file and no row: the
//! next open removes it. SQLite's WAL recovery drops any transaction whose commit frame did
//! not reach the disk. See `docs/store.md` for the design.
//!
//! # Disk space
//!
//! [`SqliteStore`] refuses an enqueue with [`StoreError::DiskFull`] when it would leave less
//! than the configured reserve free, and when the filesystem reports ENOSPC / EDQUOT or SQLite
//! reports SQLITE_FULL. The failed transaction is rolled back and its spool file removed, and
//! the store works again as soon as space returns, without reopening.

mod attempt;
pub mod conformance;
mod envelope;
mod error;
mod filter;
mod id;
mod sqlite;
mod status;
mod store;

pub use attempt::{Attempt, Decision, Outcomes, Skipped, TlsOutcome};
pub use envelope::{
    BodyType, ClientInfo, Envelope, MailParams, Notify, Orcpt, Recipient, Ret, TlsInfo, domain_of,
};
pub use error::{DiskFullCause, StoreError};
pub use filter::{ListFilter, ReplyFilter};
pub use id::{IdGenerator, ParseQueueIdError, QUEUE_ID_LEN, QueueId};
pub use sqlite::{
    DEFAULT_DISK_RESERVE, DEFAULT_MAX_BODY_SIZE, DEFAULT_SPOOL_THRESHOLD, SqliteConfig,
    SqliteStore, WriterStats,
};
pub use status::{
    DueRecipient, MessageInfo, Outcome, QueueCounts, RecipientState, RecipientStatus,
    RecipientUpdate, StoredReply,
};
pub use store::{QueueStore, RecoveryReport};
