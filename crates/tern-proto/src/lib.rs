//! SMTP syntax without I/O: the bytes-to-meaning layer of Tern.
//!
//! # What this crate does
//!
//! - **Command parsing** ([`parse_command`]): one command line of RFC 5321 §4.1 (EHLO, HELO,
//!   MAIL, RCPT, DATA, BDAT, RSET, NOOP, QUIT, VRFY, EXPN, HELP, STARTTLS, AUTH) into a
//!   [`Command`], with paths ([`ReversePath`], [`ForwardPath`], [`Mailbox`]: dot-string and
//!   quoted local parts, domains, address literals, source routes, RFC 6531 UTF-8) and ESMTP
//!   parameters ([`MailParams`], [`RcptParams`]: SIZE, BODY, SMTPUTF8, RET, ENVID, AUTH,
//!   NOTIFY, ORCPT with [`xtext`]). A refusal is a [`CommandError`] that says what was
//!   expected; each variant documents the reply it maps to. Non-SMTP traffic (HTTP, a TLS
//!   handshake) is recognised ([`NonSmtp`]) so the server can answer once and close.
//!   [`Command`]'s `Display` is the wire form, so the client side can send what it parses.
//! - **Line framing** ([`LineReader`]): feed bytes, pull CRLF lines up to a limit (512 by
//!   default); over-long lines are reported once and skipped so the session stays in sync.
//! - **DATA decoding** ([`DataDecoder`]): dot-unstuffing, the end marker (only
//!   `CR LF . CR LF`: the SMTP smuggling vectors stay in the body), size limit, streaming
//!   into the caller's buffer.
//! - **BDAT decoding** ([`BdatDecoder`], RFC 3030): exactly N octets, size limit across
//!   chunks.
//! - **One line-ending policy** ([`LineEndingPolicy`]) for bare CR and bare LF, used by the
//!   line reader and the DATA decoder alike.
//!
//! - **The server session** ([`ServerSession`], module [`server`]): the RFC 5321 state
//!   machine of the receiving side, with pipelining, STARTTLS, AUTH PLAIN/LOGIN, CHUNKING,
//!   limits and timeouts; decisions (sender, recipient, credentials, storing the message)
//!   are events the caller answers. Parser errors map to catalogue replies in one place.
//! - **The client session** ([`ClientSession`], module [`client`]): the sending side, with
//!   EHLO/HELO fallback, STARTTLS, AUTH, pipelined transactions, per-recipient outcomes and
//!   the transcript of every command with its reply.
//!
//! # What it does not do
//!
//! - No policy: whether a sender, recipient, HELO name, source route, address literal or
//!   non-ASCII address is *acceptable* is decided elsewhere. The parser only records what
//!   was there ([`Path::has_source_route`], [`Mailbox::is_ascii`], [`HeloName::is_valid`]).
//! - No SASL: AUTH's initial response is checked to be base64 ([`base64`] decodes it), but
//!   credentials are checked by the caller of the server session.
//!
//! # Sans-IO
//!
//! This crate never does I/O and never reads a clock: no tokio, no rustls, no sockets, no
//! `std::time::Instant::now`. Callers feed bytes in and take results out; where time
//! matters (later, in the sessions) it is an argument. Incomplete input is never an error:
//! it is "need more bytes" (`None` / no outcome yet). No input can make it panic, and every
//! buffer it keeps is bounded by a configured limit.
//!
//! ```
//! use tern_proto::{Command, LineEndingPolicy, LineReader, parse_command};
//!
//! let mut lines = LineReader::new(LineEndingPolicy::Normalize);
//! lines.feed(b"MAIL FROM:<alice@example.org> SIZE=1000\r\nRCPT TO:<bo");
//! let Some(Ok(line)) = lines.next_line() else { unreachable!() };
//! let Ok(Command::Mail { from, params }) = parse_command(line) else { unreachable!() };
//! assert_eq!(from.to_string(), "<alice@example.org>");
//! assert_eq!(params.size, Some(1000));
//! assert!(lines.next_line().is_none()); // need more bytes
//! ```

#![warn(missing_docs)]

pub mod address;
pub mod base64;
mod bdat;
pub mod client;
pub mod command;
mod data;
pub mod date;
mod line;
pub mod params;
mod policy;
mod scan;
pub mod server;
pub use tern_envelope::xtext;

pub use address::{
    AddressError, AddressLiteral, Domain, ForwardPath, Host, LiteralKind, LocalPart, Mailbox, Path,
    ReversePath,
};
pub use bdat::{BdatDecoder, BdatOutcome, BdatProgress};
pub use client::{
    Capabilities, ClientConfig, ClientEvent, ClientSession, ConnectionFailure, Credentials,
    Disposition, Exchange, FailureReason, LocalReason, MessageId, MessageOutcome, OutgoingEnvelope,
    OutgoingRecipient, RecipientOutcome, ReplySource, Timeouts, TlsPolicy,
};
pub use command::{Command, CommandError, HeloName, InitialResponse, NonSmtp, Verb, parse_command};
pub use data::{DataDecoder, DataEncoder, DataOutcome, DataProgress, decode_data, encode_data};
pub use line::{LineError, LineReader};
pub use params::{BodyType, MailAuth, MailParams, Notify, Orcpt, ParamKeyword, RcptParams, Ret};
pub use policy::{BareLineEnding, LineEndingPolicy};
pub use server::{
    AcceptedRecipient, Envelope, Event, Incoming, Question, QuestionKind, ServerSession,
    SessionConfig, TlsInfo, Verdict,
};
pub use xtext::XtextError;
