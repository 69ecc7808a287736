//! What the fuzz targets share: parameters and split points read from the front of the
//! fuzzer's bytes, the cutting of the rest at those points, and a deterministic caller of the
//! server session.
//!
//! A target reads its parameters first ([`Bytes::byte`], [`Bytes::u64`], [`Bytes::splits`])
//! and takes what is left as the input ([`Bytes::rest`]). Missing bytes read as zero, so
//! every input is valid and the fuzzer never wastes a run on a rejected one.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tern_codes::catalogue;
use tern_proto::{
    Event, LineEndingPolicy, QuestionKind, ServerSession, SessionConfig, TlsInfo, Verdict,
};

/// The fuzzer's bytes, read from the front.
#[derive(Debug)]
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    /// Wraps the fuzzer's input.
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data }
    }

    /// One byte (zero once the input is exhausted).
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// A little-endian `u64` from up to eight bytes.
    pub fn u64(&mut self) -> u64 {
        let mut le = [0u8; 8];
        for b in &mut le {
            *b = self.byte();
        }
        u64::from_le_bytes(le)
    }

    /// Up to 31 split points: a count byte, then two little-endian bytes per point. The
    /// points are taken modulo the input's length by [`cut`].
    pub fn splits(&mut self) -> Vec<usize> {
        let n = self.byte() % 32;
        (0..n)
            .map(|_| usize::from(u16::from_le_bytes([self.byte(), self.byte()])))
            .collect()
    }

    /// Everything not yet read: the input proper.
    pub fn rest(self) -> &'a [u8] {
        self.data
    }
}

/// Cuts `input` at the given points (taken modulo its length plus one, sorted; repeated
/// points give empty pieces, which the code under test must accept too).
pub fn cut<'a>(input: &'a [u8], points: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = points.iter().map(|p| p % (input.len() + 1)).collect();
    cuts.sort_unstable();
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut last = 0;
    for c in cuts {
        pieces.push(&input[last..c]);
        last = c;
    }
    pieces.push(&input[last..]);
    pieces
}

/// The bare line-ending policy chosen by one bit.
pub fn policy(bit: bool) -> LineEndingPolicy {
    if bit {
        LineEndingPolicy::Reject
    } else {
        LineEndingPolicy::Normalize
    }
}

/// A session configuration chosen by the bits of one byte: line endings, STARTTLS, AUTH
/// required, implicit TLS, the line limit and the recipient limit. Messages are limited to
/// 4096 octets so that the size limit is reached.
pub fn session_config(bits: u8) -> (SessionConfig, bool) {
    let implicit = bits & 0b1000 != 0;
    let config = SessionConfig {
        line_endings: policy(bits & 0b1 != 0),
        starttls_available: bits & 0b10 != 0 && !implicit,
        auth_required: bits & 0b100 != 0,
        max_line: if bits & 0b1_0000 != 0 { 1000 } else { 512 },
        max_recipients: usize::from(1 + (bits >> 5) % 4),
        max_message_size: 4096,
        max_errors: 20,
        ..SessionConfig::default()
    };
    (config, implicit)
}

/// What a session produced: the bytes sent, the messages stored, whether it closed.
#[derive(Debug, PartialEq, Eq)]
pub struct Transcript {
    /// Every `Send`, concatenated.
    pub output: Vec<u8>,
    /// The body of every `Message`, in order.
    pub bodies: Vec<Vec<u8>>,
    /// Whether the session asked to close the connection.
    pub closed: bool,
}

/// The deterministic caller's answer: a sender containing `blocked` is refused, a recipient
/// whose local part is `unknown` gets `550 5.1.1`, AUTH accepts `alice` / `secret`, anything
/// else is accepted.
pub fn verdict(kind: &QuestionKind) -> Verdict {
    match kind {
        QuestionKind::Sender { from, .. } if from.to_string().contains("blocked") => {
            Verdict::Reject(catalogue::MAIL_SENDER_REFUSED.reply_with(&[("address", "blocked")]))
        }
        QuestionKind::Recipient { to, .. } if to.to_string().starts_with("<unknown@") => {
            Verdict::Reject(catalogue::RCPT_UNKNOWN_USER.reply_with(&[("address", "unknown")]))
        }
        QuestionKind::Auth {
            username, password, ..
        } if username != "alice" || password != "secret" => {
            Verdict::Reject(catalogue::AUTH_INVALID.reply())
        }
        _ => Verdict::accept(),
    }
}

/// Runs a server session over `pieces`, answering every event as it comes: decisions by
/// [`verdict`], every third message refused and the others stored. A STARTTLS handshake is
/// never completed (what a client sends after it is discarded whatever the split).
pub fn run_session(config: &SessionConfig, implicit: bool, pieces: &[&[u8]]) -> Transcript {
    let now = Instant::now();
    let mut session = ServerSession::new(Arc::new(config.clone()), now);
    if implicit {
        session.set_implicit_tls(TlsInfo {
            version: "TLSv1.3".into(),
            cipher: "TLS13_AES_128_GCM_SHA256".into(),
        });
    }
    let mut out = Transcript {
        output: Vec::new(),
        bodies: Vec::new(),
        closed: false,
    };
    drain(&mut session, &mut out);
    for piece in pieces {
        session.receive(piece, now + Duration::from_millis(1));
        drain(&mut session, &mut out);
    }
    out
}

fn drain(session: &mut ServerSession, out: &mut Transcript) {
    while let Some(event) = session.poll_event() {
        match event {
            Event::Send(bytes) => out.output.extend(bytes),
            Event::Decide(q) => session.decide(q.id, verdict(&q.kind)),
            Event::Message(m) => {
                out.bodies.push(m.body);
                let n = out.bodies.len();
                if n.is_multiple_of(3) {
                    session.message_refused(m.id, catalogue::STORAGE_COMMIT_FAILED.reply());
                } else {
                    session.message_stored(m.id, &format!("QID{n}"));
                }
            }
            Event::StartTls => {}
            Event::Close => out.closed = true,
        }
    }
}
