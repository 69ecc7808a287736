//! Tern's delivery side: takes due recipients from the queue and delivers them.
//!
//! - [`dns`]: MX resolution (RFC 5321 §5.1, null MX of RFC 7505) and its catalogue replies.
//! - [`maildir`]: durable Maildir delivery for local mailboxes.
//! - [`schedule`]: the retry schedule, as pure functions.
//! - [`local`]: one pass over the due recipients: local mailboxes are written, refused
//!   addresses fail, expired messages fail with `5.4.7`, remote recipients are deferred.
//! - [`dsn`]: delivery status notifications (RFC 3464 bounces, delay warnings, success
//!   reports) that quote the remote reply and explain it in plain words, as a pure function.
//! - [`start`]: the worker that runs passes whenever a message is queued, and on a timer.
//!
//! Every outcome is recorded in the store (recipient state with its reply, and an attempt in
//! the message's timeline) only after the delivery itself is durable.
//!
//! Not yet here: outbound SMTP to MX hosts and smarthosts, and bounces (DSNs).

pub mod dns;
pub mod dsn;
pub mod local;
pub mod maildir;
pub mod schedule;
mod worker;

pub use worker::{DeliveryHandle, start};
