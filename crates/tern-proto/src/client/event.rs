//! What a client session asks of its caller, and what it reports: per-recipient outcomes,
//! connection failures and the transcript of every command with its reply.

use std::fmt;
use std::time::Instant;

use tern_codes::{Anomaly, Reply, ReplyCode};

use crate::{ForwardPath, RcptParams, Ret, ReversePath};

/// Identifies a message handed to [`crate::ClientSession::send_message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(pub u64);

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The envelope of a message to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEnvelope {
    /// MAIL FROM (`<>` for bounces).
    pub from: ReversePath,
    /// The recipients, in order; each gets one RCPT.
    pub recipients: Vec<OutgoingRecipient>,
    /// `RET=` (RFC 3461), sent only when the server offers DSN.
    pub ret: Option<Ret>,
    /// `ENVID=` (RFC 3461), sent only when the server offers DSN.
    pub envid: Option<String>,
    /// Whether the message needs SMTPUTF8 even if every address is ASCII (UTF-8 in the
    /// header; typically: it was received with `SMTPUTF8`). A non-ASCII address always needs
    /// it.
    pub smtputf8: bool,
    /// The message was received with `BODY=BINARYMIME` (RFC 3030 §3): it may hold any octet
    /// and lines of any length, so it goes out only with BDAT to a server that offers
    /// CHUNKING and BINARYMIME, never over DATA.
    pub binary_mime: bool,
}

impl OutgoingEnvelope {
    /// An envelope with no DSN parameters.
    pub fn new(from: ReversePath, recipients: impl IntoIterator<Item = ForwardPath>) -> Self {
        OutgoingEnvelope {
            from,
            recipients: recipients
                .into_iter()
                .map(|to| OutgoingRecipient {
                    to,
                    params: RcptParams::default(),
                })
                .collect(),
            ret: None,
            envid: None,
            smtputf8: false,
            binary_mime: false,
        }
    }

    /// Whether SMTPUTF8 is needed (RFC 6531 §3.4).
    pub fn needs_smtputf8(&self) -> bool {
        self.smtputf8 || !self.from.is_ascii() || self.recipients.iter().any(|r| !r.to.is_ascii())
    }
}

/// One recipient of an [`OutgoingEnvelope`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingRecipient {
    /// RCPT TO.
    pub to: ForwardPath,
    /// `NOTIFY=` and `ORCPT=` (RFC 3461), sent only when the server offers DSN.
    pub params: RcptParams,
}

/// What became of a recipient, by the first digit of the reply that decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// 2yz to the end of data: the server took responsibility (RFC 5321 §6.1).
    Accepted,
    /// 4yz (or the connection failed transiently): retry later.
    Deferred,
    /// 5yz: do not retry unchanged; tell the sender.
    Failed,
}

impl Disposition {
    /// The disposition a reply's first digit calls for. Codes outside 2yz/4yz/5yz (a 1yz or
    /// a 3yz where none belongs) count as transient.
    pub fn of(code: ReplyCode) -> Disposition {
        match code.value() / 100 {
            2 => Disposition::Accepted,
            5 => Disposition::Failed,
            _ => Disposition::Deferred,
        }
    }

    /// `accepted`, `deferred` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Accepted => "accepted",
            Disposition::Deferred => "deferred",
            Disposition::Failed => "failed",
        }
    }
}

impl fmt::Display for Disposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who wrote the reply of an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplySource {
    /// The server, in answer to [`RecipientOutcome::command`].
    Remote,
    /// Tern, from its catalogue, without asking the server.
    Local(LocalReason),
}

/// Why Tern decided a recipient's fate itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LocalReason {
    /// The message is larger than the server's announced SIZE (RFC 1870 §6): `552 5.3.4`.
    TooBig,
    /// The message needs SMTPUTF8 and the server does not offer it (RFC 6531 §3.5):
    /// `553 5.6.7`.
    Smtputf8NotOffered,
    /// The message is `BODY=BINARYMIME` and the server does not offer CHUNKING with
    /// BINARYMIME (RFC 3030 §3): `554 5.6.3`.
    BinaryMimeNotOffered,
    /// The connection failed for this reason before the recipient was accepted.
    Connection(FailureReason),
}

/// The final word on one recipient of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientOutcome {
    /// Index in [`OutgoingEnvelope::recipients`].
    pub index: usize,
    /// The recipient.
    pub recipient: ForwardPath,
    /// Accepted, deferred or failed.
    pub disposition: Disposition,
    /// The reply that decided it: the server's verbatim, or Tern's from its catalogue.
    pub reply: Reply,
    /// The command that caused the reply, in wire form (`RCPT TO:<bob@example.com>`,
    /// `MAIL FROM:<a@example.org> SIZE=1234`, `DATA`, [`END_OF_DATA`]); `None` for a local
    /// decision made before any command, or for an unsolicited reply.
    pub command: Option<String>,
    /// Who wrote the reply.
    pub source: ReplySource,
}

/// How the transcript and outcomes name the end of message data (`CR LF . CR LF`).
pub const END_OF_DATA: &str = "<end of data>";

/// The result of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageOutcome {
    /// The id [`crate::ClientSession::send_message`] returned.
    pub id: MessageId,
    /// One outcome per recipient, in envelope order.
    pub recipients: Vec<RecipientOutcome>,
    /// How many transactions (MAIL ... DATA) were used: more than one after `452 4.5.3`.
    pub transactions: u32,
    /// Whether an 8-bit body went to a server that does not offer 8BITMIME (sent unchanged,
    /// without BODY=; see [`crate::client`]).
    pub eight_bit_unannounced: bool,
}

/// Why a whole connection failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureReason {
    /// The greeting was not 2yz.
    Greeting,
    /// EHLO (and HELO) were refused.
    Hello,
    /// TLS is required and the server does not offer STARTTLS.
    TlsNotOffered,
    /// STARTTLS was refused while TLS is required.
    StartTlsRefused,
    /// The TLS handshake failed ([`crate::ClientSession::tls_failed`]).
    TlsHandshake,
    /// Credentials are configured but AUTH is not possible (not offered, no PLAIN or LOGIN,
    /// or no TLS while plaintext AUTH is not allowed).
    AuthUnavailable,
    /// AUTH was refused.
    AuthRefused,
    /// The server closed the service with `421` (RFC 5321 §3.8).
    ServiceClosing,
    /// No reply in time (RFC 5321 §4.5.3.2).
    Timeout,
    /// The server closed the connection.
    ConnectionLost,
    /// The server's bytes are not SMTP replies, a reply is too long, or a reply came that no
    /// command asked for.
    Protocol,
    /// A reply the session cannot continue after (e.g. RSET refused).
    Unexpected,
}

/// A failure of the whole connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionFailure {
    /// What went wrong.
    pub reason: FailureReason,
    /// The server's reply, or Tern's from the catalogue (see [`ConnectionFailure::source`]).
    pub reply: Reply,
    /// The command that was waiting for a reply, if any (redacted for AUTH).
    pub command: Option<String>,
    /// Who wrote the reply.
    pub source: ReplySource,
}

/// One reply read from the server, with the command that caused it: an entry of the
/// delivery timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The command in wire form (AUTH data redacted); [`END_OF_DATA`] for the message body;
    /// `None` for the greeting or an unsolicited reply.
    pub command: Option<String>,
    /// The reply as read (tolerantly: see `anomalies`).
    pub reply: Reply,
    /// What was odd about the reply.
    pub anomalies: Vec<Anomaly>,
    /// When the reply was complete.
    pub at: Instant,
    /// The message whose transaction the command belongs to (RSET, MAIL, RCPT, DATA, the
    /// body); `None` for the connection's own commands (greeting, EHLO, STARTTLS, AUTH,
    /// QUIT), so a message's timeline can show its part of a shared connection.
    pub message: Option<MessageId>,
}

/// Something the caller must do or know.
#[derive(Debug)]
pub enum ClientEvent {
    /// Write these bytes to the server.
    Send(Vec<u8>),
    /// The server said 220 to STARTTLS: run the TLS handshake on the connection, then call
    /// [`crate::ClientSession::tls_established`] (or [`crate::ClientSession::tls_failed`]).
    /// Bytes received after the 220 and before the handshake were discarded (RFC 3207 §4.2).
    StartTls,
    /// The session is idle and ready for [`crate::ClientSession::send_message`] or
    /// [`crate::ClientSession::quit`]. Reported once each time it becomes idle with nothing
    /// queued.
    Ready,
    /// A message is finished: every recipient has its outcome.
    MessageDone(MessageOutcome),
    /// The connection failed; every message not finished got its `MessageDone` before this.
    /// A [`ClientEvent::Close`] follows (after a QUIT when the connection is still usable).
    Failed(ConnectionFailure),
    /// Close the connection (after writing any earlier `Send`).
    Close,
}
