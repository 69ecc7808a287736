//! The server side of an SMTP session as a state machine without I/O (RFC 5321 §4.1.4,
//! §4.3.2; RFC 2920 pipelining; RFC 3030 CHUNKING; RFC 3207 STARTTLS; RFC 4954 AUTH).
//!
//! The caller feeds bytes with [`ServerSession::receive`] and the time with
//! [`ServerSession::handle_timeout`], then drains [`ServerSession::poll_event`]:
//!
//! ```text
//! session = ServerSession::new(config, now)            // queues the 220 greeting
//! loop:
//!     while let Some(event) = session.poll_event():
//!         Send(bytes)       -> write them
//!         Decide(question)  -> session.decide(question.id, policy(question))
//!         Message(incoming) -> store it; session.message_stored(id, queue_id) or message_refused
//!         StartTls          -> handshake; session.tls_established(info)
//!         Close             -> close the connection
//!     read bytes (only while session.wants_input()) -> session.receive(bytes, now)
//!     or the deadline session.poll_timeout() passes  -> session.handle_timeout(now)
//! ```
//!
//! Replies come in command order however the input is split: the session processes one
//! command at a time, stops reading while a decision is pending, and writes its replies when
//! it has run out of complete input (RFC 2920 §3.2). Every reply comes from the catalogue.

mod config;
mod errors;
mod event;
mod sasl;

use std::collections::VecDeque;
use std::mem;
use std::time::{Duration, Instant};

use tern_codes::{Reply, catalogue};

pub use config::SessionConfig;
pub use event::{
    AcceptedRecipient, Envelope, Event, Incoming, Question, QuestionKind, TlsInfo, Verdict,
};

use crate::command::{Command, HeloName};
use crate::params::BodyType;
use crate::{
    BdatDecoder, BdatOutcome, DataDecoder, DataOutcome, LineReader, MailParams, ReversePath,
    parse_command,
};
use errors::After;
use sasl::{SaslState, Step};

/// How much unprocessed input the session holds before it stops asking for more.
const INPUT_HIGH_WATER: usize = 64 * 1024;

/// The server side of one SMTP connection.
#[derive(Debug)]
pub struct ServerSession {
    config: std::sync::Arc<SessionConfig>,
    lines: LineReader,
    phase: Phase,
    greeting: Option<Greeting>,
    transaction: Option<Transaction>,
    tls: Option<TlsInfo>,
    auth: Option<String>,
    errors: u32,
    out: Vec<u8>,
    events: VecDeque<Event>,
    next_id: u64,
    last_activity: Instant,
    /// When the first octet of the command line not yet complete arrived, for
    /// [`SessionConfig::record_deadline`].
    line_started: Option<Instant>,
    shutting_down: bool,
}

#[derive(Debug)]
struct Greeting {
    name: String,
    esmtp: bool,
}

#[derive(Debug)]
struct Transaction {
    from: ReversePath,
    params: MailParams,
    recipients: Vec<AcceptedRecipient>,
    refused: usize,
    body: Vec<u8>,
    chunked: bool,
    failed: Option<Reply>,
}

#[derive(Debug)]
enum Phase {
    /// Reading command lines.
    Command,
    /// The greeting refused service: only QUIT is answered normally.
    NoService,
    /// Waiting for the caller's decision on question `id`.
    Waiting { id: u64, pending: Pending },
    /// Waiting for the result of storing message `id`.
    Storing { id: u64 },
    /// Reading a DATA body.
    Data {
        decoder: DataDecoder,
        clock: DataClock,
    },
    /// Reading a BDAT chunk.
    Bdat {
        decoder: BdatDecoder,
        last: bool,
        clock: DataClock,
        chunk: Chunk,
    },
    /// Reading an AUTH response line of a dialogue that began at `started`.
    Auth { state: SaslState, started: Instant },
    /// Waiting for the TLS handshake.
    StartTls,
    /// Closed: nothing more happens.
    Closed,
}

/// What becomes of the octets of a BDAT chunk. Every chunk is read to its last octet, whatever
/// its fate, so that the session stays in step with the client (RFC 3030 §2).
#[derive(Debug)]
enum Chunk {
    /// They go into the message.
    Store,
    /// They are dropped, and this reply answers the BDAT once the chunk is read.
    Discard(Reply),
    /// They are dropped; the BDAT was answered when it came, because its size takes the
    /// message over the limit: `552 5.3.4`, as `SIZE=` is answered at MAIL (RFC 1870 §6.1).
    /// Answering after the chunk would leave a client that announced 20 digits without a
    /// reply until the data timeout.
    Answered,
}

/// Timing of a data phase, for the data timeout and the minimum rate.
#[derive(Debug, Clone, Copy)]
struct DataClock {
    started: Instant,
    received: u64,
    next_rate_check: Instant,
}

impl DataClock {
    fn new(started: Instant, grace: Duration) -> DataClock {
        DataClock {
            started,
            received: 0,
            next_rate_check: started + grace,
        }
    }
}

#[derive(Debug)]
enum Pending {
    Sender {
        from: ReversePath,
        params: MailParams,
    },
    Recipient {
        to: crate::ForwardPath,
        params: crate::RcptParams,
    },
    Auth {
        username: String,
    },
}

impl ServerSession {
    /// A session that greets the client with `220`.
    pub fn new(config: std::sync::Arc<SessionConfig>, now: Instant) -> ServerSession {
        let mut session = ServerSession::blank(config, now);
        let greeting = catalogue::GREETING.reply_with(&[("hostname", &session.config.hostname)]);
        session.reply(&greeting);
        session.flush();
        session
    }

    /// A session that answers the greeting with `reply` and closes: for a 421 (too many
    /// connections, storage unavailable) give that reply; for `554` (no service here) the
    /// session stays open and answers every command but QUIT with `503` (RFC 5321 §3.1).
    pub fn refuse(
        config: std::sync::Arc<SessionConfig>,
        reply: Reply,
        now: Instant,
    ) -> ServerSession {
        let mut session = ServerSession::blank(config, now);
        let code = reply.code().value();
        // A refusal carries its enhanced code even before EHLO, as Postfix's do, so that the
        // client (and `tern explain`) can tell "too many from your address" (4.7.0) from
        // "server busy" (4.3.2).
        reply.write_wire(true, &mut session.out);
        if code == 554 {
            session.phase = Phase::NoService;
            session.flush();
        } else {
            session.close();
        }
        session
    }

    fn blank(config: std::sync::Arc<SessionConfig>, now: Instant) -> ServerSession {
        let lines = LineReader::with_max_line(config.max_line, config.line_endings);
        ServerSession {
            config,
            lines,
            phase: Phase::Command,
            greeting: None,
            transaction: None,
            tls: None,
            auth: None,
            errors: 0,
            out: Vec::new(),
            events: VecDeque::new(),
            next_id: 1,
            last_activity: now,
            line_started: None,
            shutting_down: false,
        }
    }

    /// Marks the connection as TLS from the start (implicit TLS, RFC 8314).
    pub fn set_implicit_tls(&mut self, info: TlsInfo) {
        self.tls = Some(info);
    }

    /// The next thing to do, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Whether the caller should read more bytes from the client now. False while a decision,
    /// a store or a handshake is pending, once closed, and while enough input is buffered.
    pub fn wants_input(&self) -> bool {
        match self.phase {
            Phase::Command | Phase::NoService | Phase::Auth { .. } => {
                self.lines.buffered_len() < INPUT_HIGH_WATER
            }
            Phase::Data { .. } | Phase::Bdat { .. } => true,
            Phase::Waiting { .. } | Phase::Storing { .. } | Phase::StartTls | Phase::Closed => {
                false
            }
        }
    }

    /// Whether the session has ended.
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// Whether the client is inside a mail transaction or a message is being received or
    /// stored (graceful shutdown waits for these).
    pub fn is_busy(&self) -> bool {
        self.transaction.is_some()
            || matches!(
                self.phase,
                Phase::Data { .. }
                    | Phase::Bdat { .. }
                    | Phase::Storing { .. }
                    | Phase::Waiting { .. }
            )
    }

    /// Bytes from the client.
    pub fn receive(&mut self, mut bytes: &[u8], now: Instant) {
        if matches!(self.phase, Phase::Closed | Phase::StartTls) {
            return;
        }
        self.last_activity = now;
        // Message data goes straight from the input into the body, without a copy into the
        // line buffer, whenever nothing is buffered ahead of it.
        while !bytes.is_empty() && self.lines.buffered_len() == 0 {
            match self.feed_body(bytes) {
                Some(consumed) => {
                    bytes = &bytes[consumed..];
                    self.process();
                }
                None => break,
            }
        }
        if !bytes.is_empty() {
            self.lines.feed(bytes);
            self.process();
        }
    }

    /// When [`ServerSession::handle_timeout`] must be called, if no input comes first.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.phase {
            Phase::Command | Phase::NoService | Phase::Auth { .. } => {
                let silence = self.last_activity + self.config.command_timeout;
                Some(self.record_deadline().map_or(silence, |d| d.min(silence)))
            }
            Phase::Data { clock, .. } | Phase::Bdat { clock, .. } => {
                Some((clock.started + self.config.data_timeout).min(clock.next_rate_check))
            }
            _ => None,
        }
    }

    /// When the record in progress must be complete: the AUTH dialogue from its start, or the
    /// command line from its first octet. `None` when none is in progress.
    fn record_deadline(&self) -> Option<Instant> {
        let started = match &self.phase {
            Phase::Auth { started, .. } => Some(*started),
            Phase::Command | Phase::NoService => self.line_started,
            _ => None,
        }?;
        started.checked_add(self.config.record_deadline)
    }

    /// Time has passed: closes the session with `421 4.4.2` when a deadline is missed.
    pub fn handle_timeout(&mut self, now: Instant) {
        let config = std::sync::Arc::clone(&self.config);
        let record_deadline = self.record_deadline();
        let seconds = |d: Duration| d.as_secs().to_string();
        let expired = match &mut self.phase {
            Phase::Command | Phase::NoService | Phase::Auth { .. } => {
                if now >= self.last_activity + config.command_timeout {
                    Some(
                        catalogue::TIMEOUT
                            .reply_with(&[("seconds", &seconds(config.command_timeout))]),
                    )
                } else if record_deadline.is_some_and(|d| now >= d) {
                    Some(
                        catalogue::TIMEOUT_RECORD
                            .reply_with(&[("seconds", &seconds(config.record_deadline))]),
                    )
                } else {
                    None
                }
            }
            Phase::Data { clock, .. } | Phase::Bdat { clock, .. } => {
                let elapsed = now.saturating_duration_since(clock.started);
                if elapsed >= config.data_timeout {
                    Some(
                        catalogue::TIMEOUT
                            .reply_with(&[("seconds", &seconds(config.data_timeout))]),
                    )
                } else if now >= clock.next_rate_check {
                    let too_slow = u128::from(clock.received) * 1000
                        < u128::from(config.min_data_rate) * elapsed.as_millis();
                    clock.next_rate_check = now + Duration::from_secs(1);
                    too_slow.then(|| {
                        catalogue::TIMEOUT_DATA_RATE
                            .reply_with(&[("rate", &config.min_data_rate.to_string())])
                    })
                } else {
                    None
                }
            }
            _ => None,
        };
        if let Some(reply) = expired {
            self.reply(&reply);
            self.close();
        }
    }

    /// The server is stopping: an idle session gets `421` now; a busy one after its current
    /// message is answered.
    pub fn shutdown(&mut self) {
        self.shutting_down = true;
        if !self.is_busy() && !matches!(self.phase, Phase::Closed | Phase::StartTls) {
            self.reply(&catalogue::SHUTDOWN.reply_with(&[("hostname", &self.config.hostname)]));
            self.close();
        }
    }

    /// The caller's answer to [`Event::Decide`].
    pub fn decide(&mut self, id: u64, verdict: Verdict) {
        let Phase::Waiting { id: waiting, .. } = &self.phase else {
            return;
        };
        if *waiting != id {
            return;
        }
        let Phase::Waiting { pending, .. } = mem::replace(&mut self.phase, Phase::Command) else {
            return;
        };
        match (pending, verdict) {
            (Pending::Sender { from, params }, Verdict::Accept { reply, .. }) => {
                let address = from.mailbox().map(|m| m.to_string()).unwrap_or_default();
                let reply = reply
                    .unwrap_or_else(|| catalogue::MAIL_OK.reply_with(&[("address", &address)]));
                self.reply(&reply);
                self.transaction = Some(Transaction {
                    from,
                    params,
                    recipients: Vec::new(),
                    refused: 0,
                    body: Vec::new(),
                    chunked: false,
                    failed: None,
                });
            }
            (Pending::Recipient { to, params }, Verdict::Accept { reply, tag }) => {
                let address = to.to_string();
                let address = address.trim_start_matches('<').trim_end_matches('>');
                let reply =
                    reply.unwrap_or_else(|| catalogue::RCPT_OK.reply_with(&[("address", address)]));
                self.reply(&reply);
                if let Some(t) = self.transaction.as_mut() {
                    t.recipients.push(AcceptedRecipient { to, params, tag });
                }
            }
            (Pending::Auth { username }, Verdict::Accept { reply, .. }) => {
                self.reply(&reply.unwrap_or_else(|| catalogue::AUTH_OK.reply()));
                self.auth = Some(username);
            }
            (pending, Verdict::Reject(reply)) => {
                if let (Pending::Recipient { .. }, Some(t)) = (&pending, self.transaction.as_mut())
                {
                    t.refused += 1;
                }
                self.refuse_reply(&reply);
            }
        }
        self.process();
    }

    /// The message of [`Event::Message`] `id` is durable under `queue_id`: answers `250`.
    pub fn message_stored(&mut self, id: u64, queue_id: &str) {
        if matches!(self.phase, Phase::Storing { id: waiting } if waiting == id) {
            self.phase = Phase::Command;
            self.reply(&catalogue::DATA_QUEUED.reply_with(&[("queue_id", queue_id)]));
            self.end_of_message();
        }
    }

    /// The message of [`Event::Message`] `id` was not stored: answers `reply` (e.g.
    /// `451 4.3.0`, `452 4.3.1`, or a policy refusal).
    pub fn message_refused(&mut self, id: u64, reply: Reply) {
        if matches!(self.phase, Phase::Storing { id: waiting } if waiting == id) {
            self.phase = Phase::Command;
            self.refuse_reply(&reply);
            self.end_of_message();
        }
    }

    /// The TLS handshake after STARTTLS succeeded: the session starts over (RFC 3207 §4.2).
    pub fn tls_established(&mut self, info: TlsInfo) {
        if matches!(self.phase, Phase::StartTls) {
            self.tls = Some(info);
            self.greeting = None;
            self.transaction = None;
            self.auth = None;
            self.lines.clear();
            self.phase = Phase::Command;
        }
    }

    // ----- processing -----------------------------------------------------------------------

    /// Feeds message bytes straight to the DATA/BDAT decoder. `None` when not in a data phase.
    fn feed_body(&mut self, bytes: &[u8]) -> Option<usize> {
        match &mut self.phase {
            Phase::Data { decoder, clock } => {
                let body = &mut self.transaction.as_mut()?.body;
                let progress = decoder.feed(bytes, body);
                clock.received += progress.consumed as u64;
                if let Some(outcome) = progress.outcome {
                    self.data_done(outcome);
                }
                Some(progress.consumed)
            }
            Phase::Bdat {
                decoder,
                clock,
                chunk,
                ..
            } => {
                let mut scratch = Vec::new();
                let sink = match (chunk, self.transaction.as_mut()) {
                    (Chunk::Store, Some(t)) => &mut t.body,
                    _ => &mut scratch,
                };
                let progress = decoder.feed(bytes, sink);
                clock.received += progress.consumed as u64;
                if let Some(outcome) = progress.outcome {
                    self.bdat_done(outcome);
                }
                Some(progress.consumed)
            }
            _ => None,
        }
    }

    fn process(&mut self) {
        loop {
            match self.phase {
                Phase::Data { .. } | Phase::Bdat { .. } => {
                    if self.lines.buffered_len() == 0 {
                        break;
                    }
                    let buffered = self.lines.take_buffered();
                    let consumed = self.feed_body(&buffered).unwrap_or(buffered.len());
                    if consumed < buffered.len() {
                        self.lines.feed(&buffered[consumed..]);
                    }
                }
                Phase::Command | Phase::NoService | Phase::Auth { .. } => {
                    let Some(item) = self.lines.next_line() else {
                        break;
                    };
                    self.line_started = None;
                    match item {
                        Ok(line) => {
                            let line = line.to_vec();
                            self.handle_line(&line);
                        }
                        Err(e) => {
                            let reply = errors::line_error(&e);
                            if let Phase::Auth { .. } = self.phase {
                                self.phase = Phase::Command;
                                self.lines.set_max_line(self.config.max_line);
                                self.refuse_reply(&catalogue::AUTH_LINE_TOO_LONG.reply());
                            } else {
                                self.refuse_reply(&reply);
                            }
                        }
                    }
                }
                Phase::Waiting { .. } | Phase::Storing { .. } | Phase::StartTls | Phase::Closed => {
                    break;
                }
            }
        }
        self.note_line_start();
        // Waiting for a decision, the replies so far stay queued: the caller usually answers
        // at once, and the replies to a pipelined group then leave in one write (RFC 2920
        // §3.1 lets a server buffer them). They are flushed before any wait for input.
        if !matches!(self.phase, Phase::Waiting { .. }) {
            self.flush();
        }
    }

    /// Starts the clock of a command line when its first octet is in (the octets arrived with
    /// the last input), and stops it when no line is in progress.
    fn note_line_start(&mut self) {
        let reading = matches!(
            self.phase,
            Phase::Command | Phase::NoService | Phase::Auth { .. }
        );
        if !reading || !self.lines.in_line() {
            self.line_started = None;
        } else if self.line_started.is_none() {
            self.line_started = Some(self.last_activity);
        }
    }

    fn handle_line(&mut self, line: &[u8]) {
        if let Phase::Auth { .. } = self.phase {
            let Phase::Auth { state, started } = mem::replace(&mut self.phase, Phase::Command)
            else {
                return;
            };
            self.lines.set_max_line(self.config.max_line);
            let step = sasl::respond(state, line);
            self.sasl_step(step, started);
            return;
        }
        let command = match parse_command(line) {
            Ok(c) => c,
            Err(e) => {
                // An unsupported AUTH mechanism is answered 504 whatever follows it
                // (RFC 4954 §4), even an initial response that is not base64.
                if let Some(mechanism) = unsupported_auth_mechanism(&e, line) {
                    let reply =
                        catalogue::AUTH_UNKNOWN_MECHANISM.reply_with(&[("mechanism", &mechanism)]);
                    self.refuse_reply(&reply);
                    return;
                }
                let (reply, after) = errors::command_error(&e);
                self.refuse_reply(&reply);
                if after == After::Close {
                    self.close();
                }
                return;
            }
        };
        if matches!(self.phase, Phase::NoService) {
            if matches!(command, Command::Quit) {
                self.reply(&catalogue::QUIT.reply_with(&[("hostname", &self.config.hostname)]));
                self.close();
            } else {
                self.refuse_reply(&catalogue::SEQ_NO_SERVICE.reply());
            }
            return;
        }
        match command {
            Command::Ehlo(name) => self.hello(name, true),
            Command::Helo(name) => self.hello(name, false),
            Command::Mail { from, params } => self.mail(from, params),
            Command::Rcpt { to, params } => self.rcpt(to, params),
            Command::Data => self.data(),
            Command::Bdat { size, last } => self.bdat(size, last),
            Command::Rset => {
                self.transaction = None;
                self.reply(&catalogue::RSET_OK.reply());
            }
            Command::Noop(_) => self.reply(&catalogue::NOOP_OK.reply()),
            Command::Quit => {
                self.reply(&catalogue::QUIT.reply_with(&[("hostname", &self.config.hostname)]));
                self.close();
            }
            Command::Vrfy(_) => self.reply(&catalogue::VRFY_CANNOT_VERIFY.reply()),
            Command::Expn(_) => {
                self.refuse_reply(&catalogue::NOT_OFFERED.reply_with(&[("command", "EXPN")]))
            }
            Command::Help(topic) => {
                let reply = topic
                    .as_deref()
                    .and_then(catalogue::help_topic)
                    .map(|text| catalogue::HELP_TOPIC.reply_with(&[("detail", text)]))
                    .unwrap_or_else(|| catalogue::HELP.reply());
                self.reply(&reply);
            }
            Command::StartTls => self.starttls(),
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                let supported = sasl::MECHANISMS
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(&mechanism));
                let initial = match initial_response.filter(|_| supported).map(|r| r.decode()) {
                    None => None,
                    Some(Ok(bytes)) => Some(bytes),
                    Some(Err(_)) => {
                        self.refuse_reply(&catalogue::AUTH_BAD_BASE64.reply());
                        return;
                    }
                };
                self.auth_command(&mechanism, initial);
            }
        }
    }

    fn hello(&mut self, name: HeloName, esmtp: bool) {
        self.transaction = None;
        let client = name.as_str().to_owned();
        self.greeting = Some(Greeting {
            name: client.clone(),
            esmtp,
        });
        let args = [
            ("hostname", self.config.hostname.as_str()),
            ("client", client.as_str()),
        ];
        if !esmtp {
            self.reply(&catalogue::HELO_OK.reply_with(&args));
            return;
        }
        let mut reply = catalogue::EHLO_OK.reply_with(&args);
        reply.push_line(&format!("SIZE {}", self.config.max_message_size));
        for keyword in [
            "PIPELINING",
            "8BITMIME",
            "ENHANCEDSTATUSCODES",
            "SMTPUTF8",
            "CHUNKING",
            "BINARYMIME",
            "DSN",
        ] {
            reply.push_line(keyword);
        }
        if self.config.starttls_available && self.tls.is_none() {
            reply.push_line("STARTTLS");
        }
        if self.config.auth_available && self.tls.is_some() && self.auth.is_none() {
            reply.push_line(&format!("AUTH {}", sasl::MECHANISMS.join(" ")));
        }
        reply.push_line("HELP");
        self.reply(&reply);
    }

    fn esmtp(&self) -> bool {
        self.greeting.as_ref().is_some_and(|g| g.esmtp)
    }

    fn mail(&mut self, from: ReversePath, params: MailParams) {
        if self.greeting.is_none() {
            return self.refuse_reply(&catalogue::SEQ_NEED_HELLO.reply());
        }
        if self.transaction.is_some() {
            return self.refuse_reply(&catalogue::SEQ_NESTED_MAIL.reply());
        }
        if self.config.tls_required && self.tls.is_none() {
            return self.refuse_reply(&catalogue::TLS_REQUIRED.reply());
        }
        if self.config.auth_required && self.auth.is_none() {
            return self.refuse_reply(&catalogue::AUTH_REQUIRED.reply());
        }
        if !self.esmtp() && params != MailParams::default() {
            let reply = catalogue::PARAM_UNKNOWN
                .reply_with(&[("parameter", "(any ESMTP parameter after HELO)")]);
            return self.refuse_reply(&reply);
        }
        if let Some(size) = params.size
            && size > self.config.max_message_size
        {
            let reply = catalogue::SIZE_DECLARED_TOO_BIG.reply_with(&[
                ("size", &size.to_string()),
                ("limit", &self.config.max_message_size.to_string()),
            ]);
            return self.refuse_reply(&reply);
        }
        self.ask(
            Pending::Sender {
                from: from.clone(),
                params: params.clone(),
            },
            QuestionKind::Sender { from, params },
        );
    }

    fn rcpt(&mut self, to: crate::ForwardPath, params: crate::RcptParams) {
        let Some(t) = self.transaction.as_ref() else {
            let reply = if self.greeting.is_none() {
                catalogue::SEQ_NEED_HELLO.reply()
            } else {
                catalogue::SEQ_NEED_MAIL.reply()
            };
            return self.refuse_reply(&reply);
        };
        if !self.esmtp() && params != crate::RcptParams::default() {
            let reply = catalogue::PARAM_UNKNOWN
                .reply_with(&[("parameter", "(any ESMTP parameter after HELO)")]);
            return self.refuse_reply(&reply);
        }
        if t.recipients.len() >= self.config.max_recipients {
            // Not an error: the client sends the rest in another transaction (RFC 5321 §4.5.3.1.10).
            let reply = catalogue::RCPT_TOO_MANY
                .reply_with(&[("limit", &self.config.max_recipients.to_string())]);
            self.reply(&reply);
            return;
        }
        let smtputf8 = t.params.smtputf8;
        self.ask(
            Pending::Recipient {
                to: to.clone(),
                params: params.clone(),
            },
            QuestionKind::Recipient {
                to,
                params,
                smtputf8,
            },
        );
    }

    /// Checks shared by DATA and BDAT; `None` when the message may be received.
    fn message_refusal(&self) -> Option<Reply> {
        let Some(t) = self.transaction.as_ref() else {
            return Some(if self.greeting.is_none() {
                catalogue::SEQ_NEED_HELLO.reply()
            } else {
                catalogue::SEQ_NEED_MAIL.reply()
            });
        };
        if t.recipients.is_empty() {
            return Some(if t.refused > 0 {
                catalogue::DATA_NO_VALID_RECIPIENTS.reply()
            } else {
                catalogue::SEQ_NEED_RCPT.reply()
            });
        }
        None
    }

    fn data(&mut self) {
        if let Some(reply) = self.message_refusal() {
            return self.refuse_reply(&reply);
        }
        let Some(t) = self.transaction.as_ref() else {
            return;
        };
        if t.chunked || t.params.body == Some(BodyType::BinaryMime) {
            return self.refuse_reply(&catalogue::SEQ_DATA_AFTER_BDAT.reply());
        }
        self.reply(&catalogue::DATA_START.reply());
        self.phase = Phase::Data {
            decoder: DataDecoder::new(self.config.max_message_size, self.config.line_endings),
            clock: DataClock::new(self.last_activity, self.config.rate_grace),
        };
    }

    fn data_done(&mut self, outcome: DataOutcome) {
        self.phase = Phase::Command;
        match outcome {
            DataOutcome::Complete { .. } => self.deliver_message(),
            DataOutcome::TooLarge { .. } => {
                let reply = catalogue::SIZE_TOO_BIG
                    .reply_with(&[("limit", &self.config.max_message_size.to_string())]);
                self.refuse_reply(&reply);
                self.end_of_message();
            }
            DataOutcome::BareLineEnding { .. } => {
                self.refuse_reply(&catalogue::MESSAGE_BARE_LINE_END.reply());
                self.end_of_message();
            }
        }
    }

    fn bdat(&mut self, size: u64, last: bool) {
        let so_far = self.transaction.as_ref().map_or(0, |t| t.body.len() as u64);
        let chunk = match self.message_refusal() {
            Some(reply) => Chunk::Discard(reply),
            None => self.chunk_fate(so_far, size),
        };
        if self.is_closed() {
            // The early 552 was one error too many.
            return;
        }
        self.phase = Phase::Bdat {
            decoder: BdatDecoder::new(size, so_far, self.config.max_message_size),
            last,
            clock: DataClock::new(self.last_activity, self.config.rate_grace),
            chunk,
        };
        if size == 0 {
            self.feed_body(&[]);
        }
    }

    /// What becomes of a chunk of a transaction that may receive a message: dropped after an
    /// earlier failure; refused at once when its size takes the message over the limit;
    /// otherwise stored.
    fn chunk_fate(&mut self, so_far: u64, size: u64) -> Chunk {
        let Some(t) = self.transaction.as_mut() else {
            return Chunk::Store;
        };
        t.chunked = true;
        if let Some(reply) = t.failed.clone() {
            return Chunk::Discard(reply);
        }
        if so_far.saturating_add(size) <= self.config.max_message_size {
            return Chunk::Store;
        }
        let reply = self.fail_too_big();
        self.refuse_reply(&reply);
        Chunk::Answered
    }

    /// The message of the BDAT transaction is over the size limit: what it held is dropped,
    /// and every later chunk is answered with the returned `552 5.3.4`.
    fn fail_too_big(&mut self) -> Reply {
        let reply = catalogue::SIZE_TOO_BIG
            .reply_with(&[("limit", &self.config.max_message_size.to_string())]);
        if let Some(t) = self.transaction.as_mut() {
            t.failed = Some(reply.clone());
            t.body = Vec::new();
        }
        reply
    }

    fn bdat_done(&mut self, outcome: BdatOutcome) {
        let Phase::Bdat { last, chunk, .. } = mem::replace(&mut self.phase, Phase::Command) else {
            return;
        };
        if !matches!(chunk, Chunk::Store) {
            if let Chunk::Discard(reply) = chunk {
                self.refuse_reply(&reply);
            }
            if last {
                self.end_of_message();
            }
            return;
        }
        match outcome {
            BdatOutcome::TooLarge { .. } => {
                // A stored chunk that takes the message over the limit is refused when it is
                // announced (`chunk_fate`), so the decoder does not report this today; should
                // it, the answer is the same.
                let reply = self.fail_too_big();
                self.refuse_reply(&reply);
                if last {
                    self.end_of_message();
                }
            }
            BdatOutcome::Complete { size } if !last => {
                self.reply(&catalogue::BDAT_CHUNK_OK.reply_with(&[("size", &size.to_string())]));
            }
            BdatOutcome::Complete { .. } => self.deliver_message(),
        }
    }

    fn deliver_message(&mut self) {
        let Some(t) = self.transaction.take() else {
            return;
        };
        let greeting = self.greeting.as_ref();
        let envelope = Envelope {
            helo: greeting.map(|g| g.name.clone()).unwrap_or_default(),
            esmtp: greeting.is_some_and(|g| g.esmtp),
            from: t.from,
            params: t.params,
            recipients: t.recipients,
            tls: self.tls.clone(),
            auth: self.auth.clone(),
            chunked: t.chunked,
        };
        let id = self.take_id();
        self.flush();
        self.phase = Phase::Storing { id };
        self.events.push_back(Event::Message(Incoming {
            id,
            envelope,
            body: t.body,
        }));
    }

    /// After a message is answered: the transaction is over; a pending shutdown happens now.
    fn end_of_message(&mut self) {
        self.transaction = None;
        if self.shutting_down {
            self.reply(&catalogue::SHUTDOWN.reply_with(&[("hostname", &self.config.hostname)]));
            self.close();
        }
        self.process();
    }

    fn starttls(&mut self) {
        if self.tls.is_some() {
            return self.refuse_reply(&catalogue::STARTTLS_ALREADY_ACTIVE.reply());
        }
        if !self.config.starttls_available {
            return self.refuse_reply(&catalogue::STARTTLS_UNAVAILABLE.reply());
        }
        self.reply(&catalogue::STARTTLS_READY.reply());
        // RFC 3207 §4.2: anything the client sent after STARTTLS, before the handshake, is
        // discarded (it could be injected by an attacker in the path).
        self.lines.clear();
        self.flush();
        self.phase = Phase::StartTls;
        self.events.push_back(Event::StartTls);
    }

    fn auth_command(&mut self, mechanism: &str, initial: Option<Vec<u8>>) {
        if self.greeting.is_none() {
            return self.refuse_reply(&catalogue::SEQ_NEED_HELLO.reply());
        }
        if !self.config.auth_available {
            return self.refuse_reply(&catalogue::NOT_OFFERED.reply_with(&[("command", "AUTH")]));
        }
        if self.auth.is_some() {
            return self.refuse_reply(&catalogue::AUTH_ALREADY.reply());
        }
        if self.transaction.is_some() {
            return self.refuse_reply(&catalogue::AUTH_IN_TRANSACTION.reply());
        }
        let known = sasl::MECHANISMS
            .iter()
            .any(|m| m.eq_ignore_ascii_case(mechanism));
        if known && self.tls.is_none() {
            return self.refuse_reply(&catalogue::AUTH_ENCRYPTION_REQUIRED.reply());
        }
        let step = sasl::start(mechanism, initial);
        self.sasl_step(step, self.last_activity);
    }

    /// The next step of an AUTH dialogue that began at `started` (the deadline of the whole
    /// dialogue runs from there).
    fn sasl_step(&mut self, step: Step, started: Instant) {
        match step {
            Step::Challenge(reply, state) => {
                self.reply(&reply);
                self.lines.set_max_line(SessionConfig::AUTH_LINE_LIMIT);
                self.phase = Phase::Auth { state, started };
            }
            Step::Fail(reply) => self.refuse_reply(&reply),
            Step::Done(c) => {
                let username = c.username.clone();
                self.ask(
                    Pending::Auth { username },
                    QuestionKind::Auth {
                        mechanism: c.mechanism,
                        authzid: c.authzid,
                        username: c.username,
                        password: c.password,
                    },
                );
            }
        }
    }

    // ----- output ---------------------------------------------------------------------------

    fn take_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn ask(&mut self, pending: Pending, kind: QuestionKind) {
        let id = self.take_id();
        self.phase = Phase::Waiting { id, pending };
        self.events.push_back(Event::Decide(Question { id, kind }));
    }

    /// Queues a reply. Enhanced codes are written once the client said EHLO (RFC 2034 §3).
    fn reply(&mut self, reply: &Reply) {
        let enhanced = self.esmtp();
        reply.write_wire(enhanced, &mut self.out);
    }

    /// Queues a negative reply and counts it; too many close the session.
    fn refuse_reply(&mut self, reply: &Reply) {
        self.reply(reply);
        if reply.code().is_transient() || reply.code().is_permanent() {
            self.errors += 1;
            if self.errors >= self.config.max_errors && !self.is_closed() {
                self.reply(&catalogue::TOO_MANY_ERRORS.reply());
                self.close();
            }
        }
    }

    fn flush(&mut self) {
        if !self.out.is_empty() {
            let bytes = mem::take(&mut self.out);
            self.events.push_back(Event::Send(bytes));
        }
    }

    fn close(&mut self) {
        if !matches!(self.phase, Phase::Closed) {
            self.flush();
            self.phase = Phase::Closed;
            self.transaction = None;
            self.events.push_back(Event::Close);
        }
    }
}

/// The mechanism of a refused `AUTH` line, when it is one Tern does not offer.
fn unsupported_auth_mechanism(error: &crate::CommandError, line: &[u8]) -> Option<String> {
    if error.verb() != Some(crate::Verb::Auth) {
        return None;
    }
    let text = String::from_utf8_lossy(line);
    let mechanism = text.split_ascii_whitespace().nth(1)?;
    let known = sasl::MECHANISMS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(mechanism));
    let printable = mechanism.len() <= 20 && mechanism.bytes().all(|b| b.is_ascii_graphic());
    (!known && printable).then(|| mechanism.to_owned())
}
