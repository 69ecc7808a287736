//! Tern's pure policy decisions: who may send, which recipients are accepted, and with which
//! reply.
//!
//! # What this crate decides
//!
//! [`Policy`] is built once from the configuration ([`Policy::new`]) and answers the
//! questions the server session asks during a transaction:
//!
//! - **Recipients** ([`Policy::check_recipient`]): whether `RCPT TO` names a local mailbox
//!   (`local.domains`, `local.mailboxes`, `local.aliases`, `local.catch_all`), an address that
//!   forwards elsewhere (`local.forward`, `251`), an address that has moved (`local.moved`,
//!   `551 5.1.6`), an unknown local user (`550 5.1.1`), or a remote address that only
//!   authenticated clients and clients in `relay.trusted_networks` may relay to
//!   (`554 5.7.1` for everybody else; nobody is trusted by default). `postmaster` is always
//!   accepted (RFC 5321 §4.5.1). Routing tricks (the %-hack, bang paths, source routes, quoted
//!   local parts hiding `@`, `%` or `!`) are refused with `550 5.7.1`.
//! - **Senders** ([`Policy::check_sender`]): on the submission listeners, an authenticated
//!   user may only send as one of their own addresses (RFC 6409 §6.1, `553 5.7.1`).
//! - **SMTPUTF8** (RFC 6531 §3.4): a non-ASCII sender or recipient in a transaction that did
//!   not declare `SMTPUTF8` is refused with `553 5.6.7`.
//!
//! Every refusal and every acceptance is a [`Reply`] built from the catalogue in `tern-codes`;
//! this crate writes no reply text of its own.
//!
//! # What it does not do
//!
//! - **No I/O, no clock, no async.** Every decision is a pure function of the configuration
//!   and of the [`SessionFacts`] and path the caller passes in, so it is cheap, deterministic
//!   and testable without a network.
//! - **No quota usage check.** [`Policy::mailbox_quota`] only returns the configured quota;
//!   the server measures a mailbox's usage and answers `552 5.2.2` (`rcpt.over_quota`) itself.
//! - **No authentication.** Whether a user logged in, and who, is a fact the server passes in
//!   ([`SessionFacts::authenticated_user`]). A submission client that has not logged in is
//!   refused by the session with `530 5.7.0` before `MAIL` reaches policy;
//!   [`Policy::check_sender`] still answers `530 5.7.0` (`auth.required`) if asked.
//! - **No syntax checks.** Addresses arrive parsed by `tern-proto`; NUL bytes, an unquoted
//!   second `@` (`user@remote@local`) or a trailing dot never reach policy, they are syntax
//!   errors (`501`) there.
//! - **No DNS, no content checks, no rate limits, no greylisting.**
//!
//! # Comparing addresses
//!
//! - Domains compare case-insensitively (RFC 5321 §2.4), by Unicode lower-casing of both
//!   sides; there is no IDNA conversion, so a U-label and its A-label (`bücher.example` and
//!   `xn--bcher-kva.example`) are different domains unless both are listed.
//! - Local parts are compared case-insensitively too, in their canonical form (RFC 5321
//!   §4.1.2: `"alice"` is `alice`). RFC 5321 §2.4 lets a server treat local parts as
//!   case-sensitive; Tern does not, because people type `Alice@` and `alice@` for the same
//!   person and two mailboxes differing only in case are a trap. Local mailboxes are reported
//!   lower-case ([`RecipientVerdict::Local`]).
//! - Forward and moved targets are remote addresses and are kept exactly as configured: a
//!   remote server may treat case as significant.
//!
//! # Example
//!
//! ```
//! use std::net::IpAddr;
//! use tern_config::{Config, ListenerKind};
//! use tern_policy::{Policy, RecipientVerdict, SessionFacts};
//! use tern_proto::{Command, parse_command};
//!
//! let config = Config::parse(
//!     r#"
//!     [local]
//!     domains = ["example.org"]
//!     mailboxes = ["alice"]
//!     "#,
//! )
//! .unwrap();
//! let policy = Policy::new(&config);
//! let facts = SessionFacts {
//!     client_ip: IpAddr::from([198, 51, 100, 7]),
//!     listener: ListenerKind::Smtp,
//!     authenticated_user: None,
//!     tls: false,
//! };
//! let Ok(Command::Rcpt { to, .. }) = parse_command(b"RCPT TO:<Alice@EXAMPLE.org>") else {
//!     unreachable!()
//! };
//! match policy.check_recipient(&facts, &to, false) {
//!     RecipientVerdict::Local { mailbox, reply } => {
//!         assert_eq!(mailbox, "alice@example.org");
//!         assert_eq!(reply.code().value(), 250);
//!     }
//!     other => panic!("{other:?}"),
//! }
//! let Ok(Command::Rcpt { to, .. }) = parse_command(b"RCPT TO:<bob@elsewhere.example>") else {
//!     unreachable!()
//! };
//! let RecipientVerdict::Reject(reply) = policy.check_recipient(&facts, &to, false) else {
//!     unreachable!()
//! };
//! assert_eq!(reply.code().value(), 554); // relay access denied
//! ```

#![warn(missing_docs)]

use std::net::IpAddr;

use tern_codes::Reply;
use tern_config::ListenerKind;

mod recipient;
mod route;
mod sender;
mod tables;

pub use route::Route;
pub use tables::Policy;

/// What the server knows about the client when it asks a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFacts {
    /// The client's IP address (checked against `relay.trusted_networks`; an IPv4-mapped
    /// IPv6 address matches IPv4 networks).
    pub client_ip: IpAddr,
    /// The listener the client connected to.
    pub listener: ListenerKind,
    /// The user name the client logged in with (SMTP AUTH), if it did. An empty name counts
    /// as not logged in.
    pub authenticated_user: Option<String>,
    /// Whether the connection is encrypted (STARTTLS or implicit TLS). Recorded for the log
    /// and for future rules; no current rule depends on it.
    pub tls: bool,
}

impl SessionFacts {
    /// The authenticated user name, unless none or empty.
    pub fn user(&self) -> Option<&str> {
        self.authenticated_user
            .as_deref()
            .filter(|u| !u.trim().is_empty())
    }
}

/// The answer to `RCPT TO`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecipientVerdict {
    /// A local mailbox: deliver here. `mailbox` is the canonical address, all lower-case
    /// (`alice@example.org`), after aliases and the catch-all; the reply is `250 2.1.5`
    /// (`rcpt.ok`).
    Local {
        /// The mailbox the message goes to.
        mailbox: String,
        /// `250 2.1.5`.
        reply: Reply,
    },
    /// A local address configured to forward (`local.forward`): accept and send the message
    /// on to `to`, exactly as configured. The reply is `251 2.1.5` (`rcpt.will_forward`).
    Forward {
        /// The remote address the message is forwarded to.
        to: String,
        /// `251 2.1.5`.
        reply: Reply,
    },
    /// A remote recipient the client may relay to (authenticated or trusted network); the
    /// reply is `250 2.1.5` (`rcpt.ok`).
    Relay {
        /// `250 2.1.5`.
        reply: Reply,
    },
    /// Refused, with the reply to send.
    Reject(Reply),
}

impl RecipientVerdict {
    /// The reply to send for this verdict.
    pub fn reply(&self) -> &Reply {
        match self {
            RecipientVerdict::Local { reply, .. }
            | RecipientVerdict::Forward { reply, .. }
            | RecipientVerdict::Relay { reply }
            | RecipientVerdict::Reject(reply) => reply,
        }
    }

    /// Whether the recipient was accepted.
    pub fn is_accepted(&self) -> bool {
        !matches!(self, RecipientVerdict::Reject(_))
    }
}
