//! Tern's delivery side: takes due recipients from the queue and delivers them.
//!
//! - [`dns`]: MX resolution (RFC 5321 §5.1, null MX of RFC 7505) and its catalogue replies.
//! - [`maildir`]: durable Maildir delivery for local mailboxes.
//! - [`schedule`]: the retry schedule, as pure functions.
//! - [`local`]: writing one recipient's copy into its Maildir exactly once (a copy an earlier
//!   attempt made is found, not written again), with the quota check.
//! - [`remote`]: routes and MX hosts, one SMTP connection at a time (TLS, AUTH, pipelining),
//!   each reply acted on by its first digit.
//! - [`Delivery`]: one pass over the due recipients: a plan made without I/O, local ones
//!   written, remote ones grouped by destination and handed to connection tasks, every outcome
//!   recorded with its reply and an attempt in the timeline.
//! - [`record`]: the one place outcomes are recorded (the timeline and the states of a step
//!   in one commit) and the reports to the sender they call for are queued; `tern queue
//!   bounce` records through it too.
//! - [`dsn`]: delivery status notifications (RFC 3464 bounces, delay warnings, success
//!   reports) that quote the remote reply and explain it in plain words, as a pure function.
//! - [`start`]: the worker that runs passes whenever a message is queued, and on a timer.
//!
//! Every outcome is recorded in the store (recipient state with its reply, and an attempt in
//! the message's timeline) only after the delivery itself is durable.
//!
//! Not yet here: a claim on due recipients for several Tern nodes sharing one queue (one
//! delivery worker per queue for now).

pub mod dns;
pub mod dsn;
pub mod local;
pub mod maildir;
mod pass;
pub mod record;
pub mod remote;
pub mod schedule;
pub mod throttle;
mod worker;

pub use pass::Delivery;
pub use worker::{DeliveryHandle, start};

/// Now, in milliseconds since the Unix epoch (the store's time unit).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
