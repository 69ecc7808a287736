//! The client side of an SMTP session as a state machine without I/O: one connection that
//! delivers one or more messages (RFC 5321 §3, §4.1.4; RFC 2920 PIPELINING; RFC 3207
//! STARTTLS; RFC 4954 AUTH; RFC 1870 SIZE; RFC 6152 8BITMIME; RFC 6531 SMTPUTF8; RFC 3461
//! DSN).
//!
//! The caller feeds the server's bytes with [`ClientSession::receive`] and the time with
//! [`ClientSession::handle_timeout`], hands over messages, and drains
//! [`ClientSession::poll_event`]:
//!
//! ```text
//! session = ClientSession::new(config, now)              // waits for the greeting
//! session.send_message(envelope, body, now)             // any time; queued until ready
//! loop:
//!     while let Some(event) = session.poll_event():
//!         Send(bytes)          -> write them
//!         StartTls             -> handshake; session.tls_established(now) (or tls_failed)
//!         Ready                -> session.send_message(..) for the next message, or quit(now)
//!         MessageDone(outcome) -> record each recipient's outcome
//!         Failed(failure)      -> the connection failed (outcomes were already reported)
//!         Close                -> close the connection; store session.transcript()
//!     read bytes -> session.receive(bytes, now); end of stream -> session.peer_closed(now)
//!     or the deadline session.poll_timeout() passes -> session.handle_timeout(now)
//! ```
//!
//! # What it does, and the choices made
//!
//! - **Greeting**: 2yz → EHLO; `554` → QUIT and the connection fails (RFC 5321 §3.1); any
//!   other 4yz/5yz → the connection fails with that reply.
//! - **EHLO**, falling back to **HELO** on `500`/`502` (RFC 5321 §3.2); the keywords become
//!   [`Capabilities`].
//! - **STARTTLS** under [`TlsPolicy::Opportunistic`] when offered, always under
//!   [`TlsPolicy::Required`] (not offered or refused → the connection fails). Anything the
//!   server sent after its `220` and before the handshake is discarded, and EHLO is sent again
//!   afterwards (RFC 3207 §4.2). A refused STARTTLS under the opportunistic policy continues
//!   in plain text.
//! - **AUTH** when [`ClientConfig::credentials`] are set: PLAIN with an initial response
//!   (preferred), else LOGIN in two steps; only under TLS unless
//!   [`ClientConfig::allow_plaintext_auth`]. When AUTH is impossible the connection fails
//!   rather than sending mail unauthenticated.
//! - **Per message**: `MAIL FROM` with `SIZE=` when SIZE is offered, `BODY=8BITMIME` when
//!   offered and the body has 8-bit octets, `SMTPUTF8` when needed and offered, `RET=` and
//!   `ENVID=` (and `NOTIFY=`/`ORCPT=` on RCPT) only when DSN is offered; one RCPT per
//!   recipient; DATA (the body dot-stuffed by [`crate::DataEncoder`]), except for a message
//!   received as `BODY=BINARYMIME`, which goes as one `BDAT <size> LAST` chunk with
//!   `BODY=BINARYMIME` on MAIL, sent once the RCPT replies are in and only when a recipient
//!   was accepted (RFC 3030 §3, §4); `RSET` before every transaction after the first on the
//!   connection; QUIT after [`ClientSession::quit`].
//! - **8-bit body, no 8BITMIME**: sent unchanged, without `BODY=`. RFC 6152 §3 asks the
//!   client to convert to 7 bit or bounce; converting means rewriting MIME structure (and
//!   breaking DKIM signatures), which a relay should not do, and servers without 8BITMIME
//!   that reject 8-bit data are rare today. The outcome records it
//!   ([`MessageOutcome::eight_bit_unannounced`]) so the timeline shows it.
//! - **Local refusals** (no command sent, reply from the catalogue): a message larger than the
//!   announced SIZE fails every recipient with `552 5.3.4`; a message that needs SMTPUTF8
//!   (a non-ASCII address, or [`OutgoingEnvelope::smtputf8`]) when the server does not offer
//!   it fails every recipient with `553 5.6.7`; a `BODY=BINARYMIME` message to a server
//!   that does not offer both CHUNKING and BINARYMIME fails every recipient with `554
//!   5.6.3`, since RFC 3030 §3 forbids sending it over DATA ([`LocalReason`]).
//! - **PIPELINING** when offered: `[RSET] MAIL RCPT... DATA` go in one write and the replies
//!   are attributed in order (RFC 2920 §3.1). Without it, one command, one reply, and no DATA
//!   when no recipient was accepted. With pipelining, a `354` after every RCPT failed gets an
//!   empty message (`.`), whose reply is ignored.
//! - **Outcomes**: 2yz to the end of data → accepted; 4yz → deferred; 5yz → failed; a refusal
//!   of MAIL or of DATA / the end of data applies to every recipient still open. `452` (with
//!   `4.5.3` or without an enhanced code) or `552 5.5.3` to RCPT means too many recipients:
//!   those are sent at once in another transaction on the same connection (RFC 5321
//!   §4.5.3.1.10), as long as the transaction accepted at least one recipient; otherwise
//!   they are deferred with that reply. `421` at any point fails the connection and every
//!   recipient not yet accepted gets it.
//! - **Replies** are read tolerantly ([`tern_codes::parse`]: LF or CRLF, long lines, missing
//!   text, mixed codes), but a line that is not a reply, a reply over
//!   [`ClientConfig::max_reply_size`], or a reply no command asked for fails the connection
//!   as a protocol error. Every reply is kept in the [`Exchange`] transcript with its command
//!   (AUTH data redacted).
//! - **Timeouts** per RFC 5321 §4.5.3.2 ([`Timeouts`]); a missed deadline fails the
//!   connection (transient `451 4.4.2`).
//!
//! Every reply Tern makes up itself comes from the catalogue (`tern_codes::catalogue`).

mod auth;
mod config;
mod ehlo;
mod event;
mod reply_reader;

use std::collections::VecDeque;
use std::mem;
use std::time::{Duration, Instant};

use tern_codes::{Parsed, Reply, ReplyCode, catalogue};

pub use config::{ClientConfig, Credentials, Timeouts, TlsPolicy, helo_name};
pub use ehlo::Capabilities;
pub use event::{
    ClientEvent, ConnectionFailure, Disposition, END_OF_DATA, Exchange, FailureReason, LocalReason,
    MessageId, MessageOutcome, OutgoingEnvelope, OutgoingRecipient, RecipientOutcome, ReplySource,
};
pub use reply_reader::{ReplyError, ReplyReader};

use crate::command::Command;
use crate::params::BodyType;
use crate::{MailParams, RcptParams, encode_data};
use auth::{AuthStep, Mechanism, REDACTED};

/// The client side of one SMTP connection.
#[derive(Debug)]
pub struct ClientSession {
    config: ClientConfig,
    reader: ReplyReader,
    stage: Stage,
    /// Commands sent and not yet answered, oldest first.
    pending: VecDeque<Outstanding>,
    /// When the oldest pending command started waiting for its reply.
    front_since: Instant,
    caps: Capabilities,
    tls: bool,
    authenticated: bool,
    /// Transactions started on this connection (RSET goes before all but the first).
    transactions: u32,
    queue: VecDeque<Queued>,
    current: Option<Transaction>,
    quit_requested: bool,
    ready_reported: bool,
    failure: Option<ConnectionFailure>,
    out: Vec<u8>,
    events: VecDeque<ClientEvent>,
    transcript: Vec<Exchange>,
    next_id: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Greeting, EHLO/HELO, STARTTLS, AUTH.
    Setup,
    /// Waiting for the caller's TLS handshake.
    TlsHandshake,
    /// Sending messages, or idle.
    Ready,
    /// QUIT sent.
    Quitting,
    Closed,
}

/// What the reply to a sent command is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    Auth(AuthStep),
    Rset,
    Mail,
    Rcpt(usize),
    Data,
    EndOfData { discard: bool },
    Quit,
}

#[derive(Debug)]
struct Outstanding {
    expect: Expect,
    /// The command as the transcript shows it (`None` for the greeting).
    command: Option<String>,
    /// The message of the transaction it belongs to.
    message: Option<MessageId>,
}

/// A message waiting for its turn.
#[derive(Debug)]
struct Queued {
    id: MessageId,
    envelope: OutgoingEnvelope,
    /// The body on the wire: CRLF-canonical, dot-stuffed, with the end marker; for a
    /// binary message, the octets as stored (they go in one BDAT chunk).
    data: Vec<u8>,
    /// The size declared with SIZE= (RFC 1870: CRLF-canonical, without stuffing dots and
    /// the end marker).
    size: u64,
    eight_bit: bool,
}

/// Where a transaction attempt stands: the next command to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor {
    Rset,
    Mail,
    /// The k-th recipient of the attempt.
    Rcpt(usize),
    Data,
    /// DATA sent; waiting for its reply (and the end of data).
    Body,
    Done,
}

#[derive(Debug)]
struct Transaction {
    msg: Queued,
    outcomes: Vec<Option<RecipientOutcome>>,
    /// Recipients (indices) of the current attempt.
    attempt: Vec<usize>,
    cursor: Cursor,
    mail_failed: bool,
    /// Recipients accepted by RCPT in this attempt.
    accepted: Vec<usize>,
    /// Recipients refused as "too many", with that reply and its command.
    retry: Vec<(usize, Reply, String)>,
    transactions: u32,
    eight_bit_unannounced: bool,
}

impl Transaction {
    fn decide(
        &mut self,
        i: usize,
        disposition: Disposition,
        reply: &Reply,
        command: Option<&str>,
        source: ReplySource,
    ) {
        let Some(slot) = self.outcomes.get_mut(i) else {
            return;
        };
        if slot.is_some() {
            return;
        }
        let Some(recipient) = self.msg.envelope.recipients.get(i) else {
            return;
        };
        *slot = Some(RecipientOutcome {
            index: i,
            recipient: recipient.to.clone(),
            disposition,
            reply: reply.clone(),
            command: command.map(str::to_owned),
            source,
        });
    }

    /// Every recipient without an outcome gets this reply.
    fn decide_open(&mut self, reply: &Reply, command: Option<&str>, source: ReplySource) {
        let disposition = Disposition::of(reply.code());
        for i in 0..self.outcomes.len() {
            self.decide(i, disposition, reply, command, source);
        }
    }

    fn outcome(self) -> MessageOutcome {
        debug_assert!(self.outcomes.iter().all(Option::is_some));
        MessageOutcome {
            id: self.msg.id,
            recipients: self.outcomes.into_iter().flatten().collect(),
            transactions: self.transactions,
            eight_bit_unannounced: self.eight_bit_unannounced,
        }
    }
}

impl Queued {
    fn into_transaction(self, first: Cursor) -> Transaction {
        let n = self.envelope.recipients.len();
        Transaction {
            msg: self,
            outcomes: vec![None; n],
            attempt: (0..n).collect(),
            cursor: first,
            mail_failed: false,
            accepted: Vec::new(),
            retry: Vec::new(),
            transactions: 0,
            eight_bit_unannounced: false,
        }
    }
}

/// Whether a reply to RCPT means "too many recipients: send the rest in a new transaction"
/// (RFC 5321 §4.5.3.1.10; `552` is the RFC 821 code for it, to be treated as temporary).
fn too_many_recipients(reply: &Reply) -> bool {
    let enhanced = reply.enhanced().map(|e| e.to_string());
    match reply.code().value() {
        452 => matches!(enhanced.as_deref(), None | Some("4.5.3")),
        552 => enhanced.as_deref() == Some("5.5.3"),
        _ => false,
    }
}

/// The first digit of a code.
fn class(code: ReplyCode) -> u16 {
    code.value() / 100
}

/// The SIZE of an encoded DATA payload: its length without the end marker and without the
/// dots added by stuffing (every encoded line that starts with a dot got one).
fn declared_size(data: &[u8]) -> u64 {
    let body = data.strip_suffix(b".\r\n").unwrap_or(data);
    let mut stuffed = 0u64;
    let mut at_line_start = true;
    for &b in body {
        if at_line_start && b == b'.' {
            stuffed += 1;
        }
        at_line_start = b == b'\n';
    }
    body.len() as u64 - stuffed
}

impl ClientSession {
    /// A session on a freshly opened connection, waiting for the server's greeting.
    pub fn new(config: ClientConfig, now: Instant) -> ClientSession {
        let reader = ReplyReader::new(config.max_reply_size);
        let mut pending = VecDeque::new();
        pending.push_back(Outstanding {
            expect: Expect::Greeting,
            command: None,
            message: None,
        });
        ClientSession {
            config,
            reader,
            stage: Stage::Setup,
            pending,
            front_since: now,
            caps: Capabilities::default(),
            tls: false,
            authenticated: false,
            transactions: 0,
            queue: VecDeque::new(),
            current: None,
            quit_requested: false,
            ready_reported: false,
            failure: None,
            out: Vec::new(),
            events: VecDeque::new(),
            transcript: Vec::new(),
            next_id: 1,
        }
    }

    /// Marks the connection as TLS from the start (implicit TLS, RFC 8314): no STARTTLS.
    pub fn set_implicit_tls(&mut self) {
        self.tls = true;
    }

    /// The next thing to do, if any.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// What the server offered in its last EHLO reply.
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// Whether TLS is active.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether AUTH succeeded.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// Whether the session has ended.
    pub fn is_closed(&self) -> bool {
        self.stage == Stage::Closed
    }

    /// Whether the session is idle: ready for a message, with nothing queued or in flight.
    pub fn is_idle(&self) -> bool {
        self.stage == Stage::Ready
            && self.current.is_none()
            && self.queue.is_empty()
            && self.pending.is_empty()
    }

    /// The connection's failure, once it failed.
    pub fn failure(&self) -> Option<&ConnectionFailure> {
        self.failure.as_ref()
    }

    /// Every reply read so far, with the command that caused it: the delivery timeline.
    pub fn transcript(&self) -> &[Exchange] {
        &self.transcript
    }

    /// Takes the transcript, leaving it empty.
    pub fn take_transcript(&mut self) -> Vec<Exchange> {
        mem::take(&mut self.transcript)
    }

    /// The timeout for each write of message data, which the driver applies (RFC 5321
    /// §4.5.3.2.5).
    pub fn write_timeout(&self) -> Duration {
        self.config.timeouts.data_block
    }

    /// Queues a message. `body` is the message as stored (header and body, any line ends): it
    /// is sent CRLF-canonical and dot-stuffed. The outcome comes as
    /// [`ClientEvent::MessageDone`] with the returned id. After the session has closed, the
    /// outcome comes at once, with the connection's failure.
    pub fn send_message(
        &mut self,
        envelope: OutgoingEnvelope,
        body: &[u8],
        now: Instant,
    ) -> MessageId {
        let id = MessageId(self.next_id);
        self.next_id += 1;
        let (data, size) = if envelope.binary_mime {
            (body.to_vec(), body.len() as u64)
        } else {
            let data = encode_data(body);
            let size = declared_size(&data);
            (data, size)
        };
        let queued = Queued {
            id,
            size,
            eight_bit: body.iter().any(|&b| b >= 0x80),
            envelope,
            data,
        };
        if self.stage == Stage::Closed {
            let (reply, command, source) = match &self.failure {
                Some(f) => (f.reply.clone(), f.command.clone(), f.source),
                None => (
                    self.lost_reply("the session has ended"),
                    None,
                    ReplySource::Local(LocalReason::Connection(FailureReason::ConnectionLost)),
                ),
            };
            let mut tx = queued.into_transaction(Cursor::Done);
            tx.decide_open(&reply, command.as_deref(), source);
            self.push_event(ClientEvent::MessageDone(tx.outcome()));
            return id;
        }
        self.queue.push_back(queued);
        self.advance(now);
        self.flush();
        id
    }

    /// Ends the session with QUIT once every queued message is done.
    pub fn quit(&mut self, now: Instant) {
        self.quit_requested = true;
        self.advance(now);
        self.flush();
    }

    /// The TLS handshake after STARTTLS succeeded: EHLO again (RFC 3207 §4.2).
    pub fn tls_established(&mut self, now: Instant) {
        if self.stage != Stage::TlsHandshake {
            return;
        }
        self.tls = true;
        self.caps = Capabilities::default();
        self.reader.clear();
        self.stage = Stage::Setup;
        self.send_command(
            &Command::Ehlo(self.config.hostname.clone()).to_string(),
            None,
            Expect::Ehlo,
            now,
        );
        self.flush();
    }

    /// The TLS handshake after STARTTLS failed: the connection fails (transient).
    pub fn tls_failed(&mut self, now: Instant) {
        let _ = now;
        if self.stage != Stage::TlsHandshake {
            return;
        }
        let reply = catalogue::DELIVERY_TLS_FAILED.reply_with(&[
            ("host", &self.config.peer),
            ("detail", "the handshake failed"),
        ]);
        self.fail_local(
            FailureReason::TlsHandshake,
            reply,
            Some("STARTTLS".into()),
            false,
        );
        self.flush();
    }

    /// The server closed the connection (end of stream or a read error).
    pub fn peer_closed(&mut self, now: Instant) {
        let _ = now;
        match self.stage {
            Stage::Closed => {}
            Stage::Quitting => self.close(),
            _ => {
                let detail = if self.reader.has_partial() {
                    "closed by the server in the middle of a reply"
                } else {
                    "closed by the server"
                };
                let reply = self.lost_reply(detail);
                let command = self.front_command();
                self.fail_local(FailureReason::ConnectionLost, reply, command, false);
            }
        }
        self.flush();
    }

    /// Bytes from the server.
    pub fn receive(&mut self, bytes: &[u8], now: Instant) {
        let mut input = bytes;
        while !input.is_empty()
            && matches!(self.stage, Stage::Setup | Stage::Ready | Stage::Quitting)
        {
            match self.reader.read(&mut input) {
                None => break,
                Some(Ok(parsed)) => self.handle_reply(parsed, now),
                Some(Err(e)) => {
                    let reply = self.protocol_reply(&e.to_string());
                    let command = self.front_command();
                    self.fail_local(FailureReason::Protocol, reply, command, false);
                }
            }
        }
        self.flush();
    }

    /// After a large body has been written: restarts the wait for the reply to the end of
    /// data (RFC 5321 §4.5.3.2.6 counts from the end of the transfer).
    pub fn data_written(&mut self, now: Instant) {
        if matches!(
            self.pending.front(),
            Some(Outstanding {
                expect: Expect::EndOfData { .. },
                ..
            })
        ) {
            self.front_since = now;
        }
    }

    /// When [`ClientSession::handle_timeout`] must be called, if no reply comes first.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if !matches!(self.stage, Stage::Setup | Stage::Ready | Stage::Quitting) {
            return None;
        }
        let front = self.pending.front()?;
        Some(self.front_since + self.timeout_for(front.expect))
    }

    /// Time has passed: a missed deadline fails the connection (`451 4.4.2`).
    pub fn handle_timeout(&mut self, now: Instant) {
        let Some(deadline) = self.poll_timeout() else {
            return;
        };
        if now < deadline {
            return;
        }
        if self.stage == Stage::Quitting {
            self.close();
            self.flush();
            return;
        }
        let Some(front) = self.pending.front() else {
            return;
        };
        let waited = self.timeout_for(front.expect).as_secs();
        let what = match (front.expect, &front.command) {
            (Expect::Greeting, _) => "the greeting".to_owned(),
            (Expect::EndOfData { .. }, _) => "the end of data".to_owned(),
            (Expect::Auth(_), _) => "AUTH".to_owned(),
            (_, Some(c)) => c.split(' ').next().unwrap_or_default().to_owned(),
            (_, None) => String::new(),
        };
        let reply = catalogue::DELIVERY_TIMEOUT.reply_with(&[
            ("host", &self.config.peer),
            ("command", &what),
            ("seconds", &waited.to_string()),
        ]);
        let command = self.front_command();
        self.fail_local(FailureReason::Timeout, reply, command, false);
        self.flush();
    }

    // ----- internals ------------------------------------------------------------------------

    fn timeout_for(&self, expect: Expect) -> Duration {
        let t = &self.config.timeouts;
        match expect {
            Expect::Greeting => t.greeting,
            Expect::Mail => t.mail,
            Expect::Rcpt(_) => t.rcpt,
            Expect::Data => t.data_init,
            Expect::EndOfData { .. } => t.data_termination,
            Expect::Ehlo
            | Expect::Helo
            | Expect::StartTls
            | Expect::Auth(_)
            | Expect::Rset
            | Expect::Quit => t.command,
        }
    }

    fn front_command(&self) -> Option<String> {
        self.pending.front().and_then(|o| o.command.clone())
    }

    /// `451 4.5.0 {host} broke the SMTP protocol: {detail}`.
    fn protocol_reply(&self, detail: &str) -> Reply {
        catalogue::DELIVERY_PROTOCOL_ERROR
            .reply_with(&[("host", &self.config.peer), ("detail", detail)])
    }

    /// `451 4.4.2 Connection to {host} lost: {detail}`.
    fn lost_reply(&self, detail: &str) -> Reply {
        catalogue::DELIVERY_CONNECTION_LOST
            .reply_with(&[("host", &self.config.peer), ("detail", detail)])
    }

    /// Queues an event after the bytes written so far, so events and writes stay in order.
    fn push_event(&mut self, event: ClientEvent) {
        self.flush();
        self.events.push_back(event);
    }

    fn flush(&mut self) {
        if !self.out.is_empty() {
            let bytes = mem::take(&mut self.out);
            self.events.push_back(ClientEvent::Send(bytes));
        }
    }

    fn close(&mut self) {
        if self.stage != Stage::Closed {
            self.flush();
            self.stage = Stage::Closed;
            self.pending.clear();
            self.reader.clear();
            self.push_event(ClientEvent::Close);
        }
    }

    /// Writes a command line; `shown` replaces it in the transcript (redaction).
    fn send_command(&mut self, line: &str, shown: Option<&str>, expect: Expect, now: Instant) {
        if self.pending.is_empty() {
            self.front_since = now;
        }
        self.out.extend_from_slice(line.as_bytes());
        self.out.extend_from_slice(b"\r\n");
        let message = match expect {
            Expect::Rset
            | Expect::Mail
            | Expect::Rcpt(_)
            | Expect::Data
            | Expect::EndOfData { .. } => self.current.as_ref().map(|t| t.msg.id),
            _ => None,
        };
        self.pending.push_back(Outstanding {
            expect,
            command: Some(shown.unwrap_or(line).to_owned()),
            message,
        });
    }

    fn send_quit(&mut self, now: Instant) {
        self.stage = Stage::Quitting;
        self.send_command(&Command::Quit.to_string(), None, Expect::Quit, now);
    }

    /// The connection failed with a reply Tern made.
    fn fail_local(
        &mut self,
        reason: FailureReason,
        reply: Reply,
        command: Option<String>,
        quit: bool,
    ) {
        let source = ReplySource::Local(LocalReason::Connection(reason));
        self.fail(reason, reply, command, source, quit, None);
    }

    /// The connection failed: every open recipient gets `reply`; QUIT when the connection is
    /// still usable, else close.
    fn fail(
        &mut self,
        reason: FailureReason,
        reply: Reply,
        command: Option<String>,
        source: ReplySource,
        quit: bool,
        now: Option<Instant>,
    ) {
        if matches!(self.stage, Stage::Closed | Stage::Quitting) {
            self.close();
            return;
        }
        if let Some(mut tx) = self.current.take() {
            tx.decide_open(&reply, command.as_deref(), source);
            self.push_event(ClientEvent::MessageDone(tx.outcome()));
        }
        while let Some(msg) = self.queue.pop_front() {
            let mut tx = msg.into_transaction(Cursor::Done);
            tx.decide_open(&reply, command.as_deref(), source);
            self.push_event(ClientEvent::MessageDone(tx.outcome()));
        }
        let failure = ConnectionFailure {
            reason,
            reply,
            command,
            source,
        };
        self.push_event(ClientEvent::Failed(failure.clone()));
        self.failure = Some(failure);
        self.pending.clear();
        self.reader.clear();
        match (quit, now) {
            (true, Some(now)) => {
                self.flush();
                self.send_quit(now);
            }
            _ => self.close(),
        }
    }

    /// The connection failed with the server's reply to `command`.
    fn fail_remote(
        &mut self,
        reason: FailureReason,
        reply: Reply,
        command: Option<String>,
        now: Instant,
    ) {
        // 421: the server is closing the channel; no QUIT.
        let quit = reply.code().value() != 421;
        let reason = if reply.code().value() == 421 {
            FailureReason::ServiceClosing
        } else {
            reason
        };
        self.fail(reason, reply, command, ReplySource::Remote, quit, Some(now));
    }

    /// A reply of a class that makes no sense for the command: protocol error.
    fn fail_unexpected(&mut self, reply: &Reply, command: Option<String>) {
        let what = command
            .as_deref()
            .and_then(|c| c.split(' ').next())
            .unwrap_or("nothing")
            .to_owned();
        let detail = format!("unexpected reply {} to {what}", reply.code());
        let reply = self.protocol_reply(&detail);
        self.fail_local(FailureReason::Protocol, reply, command, false);
    }

    fn handle_reply(&mut self, parsed: Parsed, now: Instant) {
        let Parsed { reply, anomalies } = parsed;
        let Some(outstanding) = self.pending.pop_front() else {
            self.transcript.push(Exchange {
                command: None,
                reply: reply.clone(),
                anomalies,
                at: now,
                message: None,
            });
            // Nothing was asked: a 421 is the server closing; anything else is out of step.
            if reply.code().value() == 421 {
                self.fail_remote(FailureReason::ServiceClosing, reply, None, now);
            } else {
                self.fail_unexpected(&reply, None);
            }
            return;
        };
        self.front_since = now;
        self.transcript.push(Exchange {
            command: outstanding.command.clone(),
            reply: reply.clone(),
            anomalies,
            at: now,
            message: outstanding.message,
        });
        let command = outstanding.command;
        match outstanding.expect {
            Expect::Greeting => self.on_greeting(reply, now),
            Expect::Ehlo => self.on_ehlo(reply, command, now),
            Expect::Helo => self.on_helo(reply, command, now),
            Expect::StartTls => self.on_starttls(reply, command, now),
            Expect::Auth(step) => self.on_auth(step, reply, command, now),
            Expect::Rset => self.on_rset(reply, command, now),
            Expect::Mail => self.on_mail(reply, command, now),
            Expect::Rcpt(i) => self.on_rcpt(i, reply, command, now),
            Expect::Data => self.on_data(reply, command, now),
            Expect::EndOfData { discard } => self.on_end_of_data(discard, reply, command, now),
            Expect::Quit => self.close(),
        }
        self.advance(now);
    }

    fn on_greeting(&mut self, reply: Reply, now: Instant) {
        match class(reply.code()) {
            2 => self.send_command(
                &Command::Ehlo(self.config.hostname.clone()).to_string(),
                None,
                Expect::Ehlo,
                now,
            ),
            4 | 5 => {
                // RFC 5321 §3.1: after 554 the client sends QUIT; other refusals close.
                let quit = reply.code().value() == 554;
                let reason = FailureReason::Greeting;
                self.fail(reason, reply, None, ReplySource::Remote, quit, Some(now));
            }
            _ => self.fail_unexpected(&reply, None),
        }
    }

    fn on_ehlo(&mut self, reply: Reply, command: Option<String>, now: Instant) {
        match reply.code().value() {
            200..=299 => {
                self.caps = Capabilities::from_ehlo(&reply);
                self.after_hello(now);
            }
            500 | 502 => self.send_command(
                &Command::Helo(self.config.hostname.clone()).to_string(),
                None,
                Expect::Helo,
                now,
            ),
            400..=599 => self.fail_remote(FailureReason::Hello, reply, command, now),
            _ => self.fail_unexpected(&reply, command),
        }
    }

    fn on_helo(&mut self, reply: Reply, command: Option<String>, now: Instant) {
        match class(reply.code()) {
            2 => {
                self.caps = Capabilities {
                    greeting: reply.lines().first().cloned().unwrap_or_default(),
                    ..Capabilities::default()
                };
                self.after_hello(now);
            }
            4 | 5 => self.fail_remote(FailureReason::Hello, reply, command, now),
            _ => self.fail_unexpected(&reply, command),
        }
    }

    /// EHLO or HELO succeeded: STARTTLS, AUTH, or ready.
    fn after_hello(&mut self, now: Instant) {
        if !self.tls {
            match (self.config.tls, self.caps.starttls) {
                (TlsPolicy::Opportunistic | TlsPolicy::Required, true) => {
                    self.send_command(&Command::StartTls.to_string(), None, Expect::StartTls, now);
                    return;
                }
                (TlsPolicy::Required, false) => {
                    let reply = catalogue::DELIVERY_TLS_NOT_OFFERED
                        .reply_with(&[("host", &self.config.peer)]);
                    let source =
                        ReplySource::Local(LocalReason::Connection(FailureReason::TlsNotOffered));
                    self.fail(
                        FailureReason::TlsNotOffered,
                        reply,
                        None,
                        source,
                        true,
                        Some(now),
                    );
                    return;
                }
                _ => {}
            }
        }
        self.maybe_auth(now);
    }

    fn maybe_auth(&mut self, now: Instant) {
        let Some(creds) = self.config.credentials.clone() else {
            self.stage = Stage::Ready;
            return;
        };
        if self.authenticated {
            self.stage = Stage::Ready;
            return;
        }
        let refusal = if !self.tls && !self.config.allow_plaintext_auth {
            Some(catalogue::DELIVERY_AUTH_UNAVAILABLE.reply_with(&[
                ("host", &self.config.peer),
                (
                    "detail",
                    "it does not offer TLS, and the password must not travel in clear text",
                ),
            ]))
        } else {
            match Mechanism::choose(&self.caps) {
                Some(mechanism) => {
                    let (line, shown, step) = auth::first_line(mechanism, &creds);
                    self.send_command(&line, Some(&shown), Expect::Auth(step), now);
                    None
                }
                None => Some(catalogue::DELIVERY_AUTH_UNAVAILABLE.reply_with(&[
                    ("host", &self.config.peer),
                    ("detail", "it offers neither AUTH PLAIN nor AUTH LOGIN"),
                ])),
            }
        };
        if let Some(reply) = refusal {
            let source =
                ReplySource::Local(LocalReason::Connection(FailureReason::AuthUnavailable));
            self.fail(
                FailureReason::AuthUnavailable,
                reply,
                None,
                source,
                true,
                Some(now),
            );
        }
    }

    fn on_starttls(&mut self, reply: Reply, command: Option<String>, now: Instant) {
        match class(reply.code()) {
            2 => {
                // RFC 3207 §4.2: nothing the server sent before the handshake may be used.
                self.reader.clear();
                self.flush();
                self.stage = Stage::TlsHandshake;
                self.push_event(ClientEvent::StartTls);
            }
            4 | 5 if reply.code().value() != 421 && self.config.tls != TlsPolicy::Required => {
                // Opportunistic: carry on in plain text.
                self.maybe_auth(now);
            }
            4 | 5 => self.fail_remote(FailureReason::StartTlsRefused, reply, command, now),
            _ => self.fail_unexpected(&reply, command),
        }
    }

    fn on_auth(&mut self, step: AuthStep, reply: Reply, command: Option<String>, now: Instant) {
        match class(reply.code()) {
            2 => {
                self.authenticated = true;
                self.stage = Stage::Ready;
            }
            3 => {
                let next = self
                    .config
                    .credentials
                    .as_ref()
                    .and_then(|c| auth::login_response(step, c));
                match next {
                    Some((line, next)) => {
                        self.send_command(&line, Some(REDACTED), Expect::Auth(next), now)
                    }
                    // A challenge where none belongs: the exchange is out of step.
                    None => self.fail_unexpected(&reply, command),
                }
            }
            4 | 5 => self.fail_remote(FailureReason::AuthRefused, reply, command, now),
            _ => self.fail_unexpected(&reply, command),
        }
    }

    fn on_rset(&mut self, reply: Reply, command: Option<String>, now: Instant) {
        match class(reply.code()) {
            2 => {}
            4 | 5 => self.fail_remote(FailureReason::Unexpected, reply, command, now),
            _ => self.fail_unexpected(&reply, command),
        }
    }

    fn on_mail(&mut self, reply: Reply, command: Option<String>, now: Instant) {
        match class(reply.code()) {
            2 => {}
            4 | 5 if reply.code().value() != 421 => {
                let pipelining = self.caps.pipelining;
                if let Some(tx) = self.current.as_mut() {
                    tx.mail_failed = true;
                    let disposition = Disposition::of(reply.code());
                    for i in tx.attempt.clone() {
                        tx.decide(
                            i,
                            disposition,
                            &reply,
                            command.as_deref(),
                            ReplySource::Remote,
                        );
                    }
                    if !pipelining {
                        tx.cursor = Cursor::Done;
                    }
                }
            }
            4 | 5 => self.fail_remote(FailureReason::ServiceClosing, reply, command, now),
            _ => self.fail_unexpected(&reply, command),
        }
    }

    fn on_rcpt(&mut self, i: usize, reply: Reply, command: Option<String>, now: Instant) {
        let code = reply.code();
        if code.value() == 421 {
            self.fail_remote(FailureReason::ServiceClosing, reply, command, now);
            return;
        }
        if !matches!(class(code), 2 | 4 | 5) {
            self.fail_unexpected(&reply, command);
            return;
        }
        let pipelining = self.caps.pipelining;
        let Some(tx) = self.current.as_mut() else {
            return;
        };
        if tx.mail_failed {
            return;
        }
        let command = command.unwrap_or_default();
        if class(code) == 2 {
            tx.accepted.push(i);
        } else if too_many_recipients(&reply) {
            tx.retry.push((i, reply.clone(), command.clone()));
            if !pipelining {
                // The server takes no more: the rest go to the next transaction unsent.
                if let Some(pos) = tx.attempt.iter().position(|&r| r == i) {
                    for &rest in &tx.attempt[pos + 1..] {
                        tx.retry.push((rest, reply.clone(), command.clone()));
                    }
                }
                tx.cursor = Cursor::Data;
            }
        } else {
            tx.decide(
                i,
                Disposition::of(code),
                &reply,
                Some(&command),
                ReplySource::Remote,
            );
        }
    }

    fn on_data(&mut self, reply: Reply, command: Option<String>, now: Instant) {
        let code = reply.code();
        if code.value() == 421 {
            self.fail_remote(FailureReason::ServiceClosing, reply, command, now);
            return;
        }
        let Some(tx) = self.current.as_mut() else {
            return;
        };
        tx.cursor = Cursor::Done;
        match class(code) {
            3 => {
                if tx.accepted.is_empty() || tx.mail_failed {
                    // RFC 2920 §3.1: DATA accepted with no valid recipient: send an empty
                    // message and ignore its reply.
                    self.out.extend_from_slice(b".\r\n");
                    self.front_since = now;
                    self.pending.push_back(Outstanding {
                        expect: Expect::EndOfData { discard: true },
                        command: Some(END_OF_DATA.to_owned()),
                        message: Some(tx.msg.id),
                    });
                } else {
                    self.out.extend_from_slice(&tx.msg.data);
                    self.front_since = now;
                    self.pending.push_back(Outstanding {
                        expect: Expect::EndOfData { discard: false },
                        command: Some(END_OF_DATA.to_owned()),
                        message: Some(tx.msg.id),
                    });
                }
            }
            4 | 5 => {
                if !tx.mail_failed {
                    let disposition = Disposition::of(code);
                    for i in tx.accepted.clone() {
                        tx.decide(
                            i,
                            disposition,
                            &reply,
                            command.as_deref(),
                            ReplySource::Remote,
                        );
                    }
                }
            }
            _ => self.fail_unexpected(&reply, command),
        }
    }

    fn on_end_of_data(
        &mut self,
        discard: bool,
        reply: Reply,
        command: Option<String>,
        now: Instant,
    ) {
        let code = reply.code();
        if code.value() == 421 {
            self.fail_remote(FailureReason::ServiceClosing, reply, command, now);
            return;
        }
        if discard {
            return;
        }
        if !matches!(class(code), 2 | 4 | 5) {
            self.fail_unexpected(&reply, command);
            return;
        }
        let Some(tx) = self.current.as_mut() else {
            return;
        };
        let disposition = Disposition::of(code);
        for i in tx.accepted.clone() {
            tx.decide(
                i,
                disposition,
                &reply,
                command.as_deref(),
                ReplySource::Remote,
            );
        }
    }

    /// Moves on when nothing is outstanding: the next command of the transaction, the next
    /// transaction, QUIT, or `Ready`.
    fn advance(&mut self, now: Instant) {
        while self.stage == Stage::Ready && self.pending.is_empty() {
            if let Some(tx) = self.current.as_ref() {
                if tx.cursor != Cursor::Done {
                    self.send_transaction(now);
                    if self.pending.is_empty() {
                        continue;
                    }
                    return;
                }
                self.finish_attempt();
                continue;
            }
            if let Some(msg) = self.queue.pop_front() {
                self.ready_reported = false;
                self.begin(msg);
                continue;
            }
            if self.quit_requested {
                self.send_quit(now);
                return;
            }
            if !self.ready_reported {
                self.ready_reported = true;
                self.push_event(ClientEvent::Ready);
            }
            return;
        }
    }

    /// Starts a message: local checks, then a transaction.
    fn begin(&mut self, msg: Queued) {
        let first = if self.transactions > 0 {
            Cursor::Rset
        } else {
            Cursor::Mail
        };
        let needs_utf8 = msg.envelope.needs_smtputf8();
        let eight_bit = msg.eight_bit;
        let size = msg.size;
        let mut tx = msg.into_transaction(first);
        tx.eight_bit_unannounced = eight_bit && !self.caps.eight_bit_mime;
        if tx.outcomes.is_empty() {
            self.push_event(ClientEvent::MessageDone(tx.outcome()));
            return;
        }
        let local = if needs_utf8 && !self.caps.smtputf8 {
            let env = &tx.msg.envelope;
            let address = env
                .from
                .mailbox()
                .filter(|m| !m.is_ascii())
                .map(ToString::to_string)
                .or_else(|| {
                    env.recipients
                        .iter()
                        .find(|r| !r.to.is_ascii())
                        .and_then(|r| r.to.mailbox().map(ToString::to_string))
                })
                .or_else(|| env.from.mailbox().map(ToString::to_string))
                .unwrap_or_default();
            Some((
                catalogue::DELIVERY_SMTPUTF8_NOT_OFFERED
                    .reply_with(&[("host", &self.config.peer), ("address", &address)]),
                LocalReason::Smtputf8NotOffered,
            ))
        } else if tx.msg.envelope.binary_mime && !(self.caps.chunking && self.caps.binary_mime) {
            Some((
                catalogue::DELIVERY_BINARYMIME_NOT_OFFERED
                    .reply_with(&[("host", &self.config.peer)]),
                LocalReason::BinaryMimeNotOffered,
            ))
        } else {
            self.caps.size_limit().filter(|&l| size > l).map(|limit| {
                (
                    catalogue::SIZE_DECLARED_TOO_BIG
                        .reply_with(&[("size", &size.to_string()), ("limit", &limit.to_string())]),
                    LocalReason::TooBig,
                )
            })
        };
        if let Some((reply, reason)) = local {
            tx.decide_open(&reply, None, ReplySource::Local(reason));
            self.push_event(ClientEvent::MessageDone(tx.outcome()));
            return;
        }
        self.current = Some(tx);
    }

    /// Sends the next command(s) of the current attempt: all of them with PIPELINING, else
    /// one.
    fn send_transaction(&mut self, now: Instant) {
        let pipelining = self.caps.pipelining;
        loop {
            let Some(tx) = self.current.as_mut() else {
                return;
            };
            let (line, expect) = match tx.cursor {
                Cursor::Rset => {
                    tx.cursor = Cursor::Mail;
                    (Command::Rset.to_string(), Expect::Rset)
                }
                Cursor::Mail => {
                    tx.cursor = Cursor::Rcpt(0);
                    tx.transactions += 1;
                    self.transactions += 1;
                    let caps = &self.caps;
                    let env = &tx.msg.envelope;
                    let params = MailParams {
                        size: caps.size.map(|_| tx.msg.size),
                        body: if env.binary_mime {
                            Some(BodyType::BinaryMime)
                        } else {
                            (caps.eight_bit_mime && tx.msg.eight_bit)
                                .then_some(BodyType::EightBitMime)
                        },
                        smtputf8: caps.smtputf8 && env.needs_smtputf8(),
                        ret: env.ret.filter(|_| caps.dsn),
                        envid: env.envid.clone().filter(|_| caps.dsn),
                        auth: None,
                    };
                    let from = env.from.clone();
                    (Command::Mail { from, params }.to_string(), Expect::Mail)
                }
                Cursor::Rcpt(k) => match tx.attempt.get(k).copied() {
                    Some(i) => {
                        tx.cursor = Cursor::Rcpt(k + 1);
                        let r = &tx.msg.envelope.recipients[i];
                        let params = if self.caps.dsn {
                            r.params.clone()
                        } else {
                            RcptParams::default()
                        };
                        let to = r.to.clone();
                        (Command::Rcpt { to, params }.to_string(), Expect::Rcpt(i))
                    }
                    None => {
                        tx.cursor = Cursor::Data;
                        continue;
                    }
                },
                Cursor::Data if tx.msg.envelope.binary_mime => {
                    // BDAT carries the message with its command, so it waits for the RCPT
                    // replies: no chunk for a transaction without an accepted recipient.
                    if !self.pending.is_empty() {
                        return;
                    }
                    tx.cursor = Cursor::Done;
                    if tx.accepted.is_empty() || tx.mail_failed {
                        return;
                    }
                    let line = format!("BDAT {} LAST", tx.msg.data.len());
                    let chunk = mem::take(&mut tx.msg.data);
                    self.send_command(&line, None, Expect::EndOfData { discard: false }, now);
                    self.out.extend_from_slice(&chunk);
                    return;
                }
                Cursor::Data => {
                    if pipelining || (!tx.accepted.is_empty() && !tx.mail_failed) {
                        tx.cursor = Cursor::Body;
                        (Command::Data.to_string(), Expect::Data)
                    } else {
                        tx.cursor = Cursor::Done;
                        return;
                    }
                }
                // Called only when nothing is outstanding: the reply to DATA is in.
                Cursor::Body => {
                    tx.cursor = Cursor::Done;
                    return;
                }
                Cursor::Done => return,
            };
            self.send_command(&line, None, expect, now);
            if !pipelining {
                return;
            }
        }
    }

    /// The replies of an attempt are all in: another transaction for the recipients refused
    /// as "too many", or the message's outcome.
    fn finish_attempt(&mut self) {
        let Some(mut tx) = self.current.take() else {
            return;
        };
        if !tx.retry.is_empty() {
            let retry = mem::take(&mut tx.retry);
            if !tx.accepted.is_empty() {
                tx.attempt = retry.iter().map(|(i, _, _)| *i).collect();
                tx.accepted.clear();
                tx.mail_failed = false;
                tx.cursor = Cursor::Rset;
                self.current = Some(tx);
                return;
            }
            // No progress: the server takes no recipient now; retry on the schedule.
            for (i, reply, command) in retry {
                tx.decide(
                    i,
                    Disposition::Deferred,
                    &reply,
                    Some(&command),
                    ReplySource::Remote,
                );
            }
        }
        self.push_event(ClientEvent::MessageDone(tx.outcome()));
    }
}
