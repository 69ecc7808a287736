//! Transcript tests of the server session: each file in `tests/transcripts/` is a dialogue of
//! client lines (`C:`) and the exact server lines expected (`S:`). Each is run whole, byte by
//! byte, and split at every point, and must give identical replies every time.
//!
//! File format:
//! - `# text`: comment.
//! - `@ key = value`: session config (`starttls`, `auth`, `auth_required`, `tls_required`,
//!   `implicit_tls`, `max_recipients`, `max_errors`, `max_message_size`, `line_endings`,
//!   `max_line`).
//! - `C: text`: a client line; CRLF is appended. `\r`, `\n`, `\t`, `\0` and `\xNN` escapes are
//!   decoded. `C< text`: the same without the CRLF.
//! - `S: text`: an expected server line (CRLF implied).
//! - `B: text`: an expected line of the last stored message body (CRLF implied).
//! - `--- tls`: the client's bytes after this point are sent after the TLS handshake.
//!
//! Decisions of the test policy: a sender whose address contains `blocked` is refused
//! (`550 5.7.1`); a recipient whose local part is `unknown` gets `550 5.1.1`, `forward` gets
//! `251`, `busy` gets `450 4.2.0`; AUTH accepts `alice` / `secret`; messages are stored as
//! queue id `QID<n>`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tern_codes::catalogue;
mod limits;
mod props;
pub mod transcript;

use tern_proto::{Event, QuestionKind, ServerSession, SessionConfig, TlsInfo, Verdict};
use transcript::Transcript;
pub use transcript::unescape;

/// What a run produced.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub output: Vec<u8>,
    pub bodies: Vec<Vec<u8>>,
    pub closed: bool,
}

fn tls_info() -> TlsInfo {
    TlsInfo {
        version: "TLSv1.3".into(),
        cipher: "TLS13_AES_128_GCM_SHA256".into(),
    }
}

/// The test policy's verdict.
pub fn verdict(kind: &QuestionKind) -> Verdict {
    match kind {
        QuestionKind::Sender { from, .. } => {
            let address = from.to_string();
            if address.contains("blocked") {
                Verdict::Reject(
                    catalogue::MAIL_SENDER_REFUSED
                        .reply_with(&[("address", address.trim_matches(['<', '>']))]),
                )
            } else {
                Verdict::accept()
            }
        }
        QuestionKind::Recipient { to, .. } => {
            let address = to.to_string();
            let address = address.trim_matches(['<', '>']).to_owned();
            let local = address
                .split('@')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            match local.as_str() {
                "unknown" => Verdict::Reject(
                    catalogue::RCPT_UNKNOWN_USER.reply_with(&[("address", &address)]),
                ),
                "busy" => Verdict::Reject(
                    catalogue::RCPT_MAILBOX_BUSY.reply_with(&[("address", &address)]),
                ),
                "forward" => Verdict::Accept {
                    reply: Some(
                        catalogue::RCPT_WILL_FORWARD
                            .reply_with(&[("forward_path", "elsewhere@example.net")]),
                    ),
                    tag: None,
                },
                _ => Verdict::accept(),
            }
        }
        QuestionKind::Auth {
            username, password, ..
        } => {
            if username == "alice" && password == "secret" {
                Verdict::accept()
            } else {
                Verdict::Reject(catalogue::AUTH_INVALID.reply())
            }
        }
    }
}

/// Drains events, answering decisions; returns whether a TLS handshake was requested.
fn drain(session: &mut ServerSession, out: &mut Outcome, stored: &mut u32) -> bool {
    let mut starttls = false;
    while let Some(event) = session.poll_event() {
        match event {
            Event::Send(bytes) => out.output.extend(bytes),
            Event::Decide(q) => session.decide(q.id, verdict(&q.kind)),
            Event::Message(m) => {
                *stored += 1;
                out.bodies.push(m.body);
                session.message_stored(m.id, &format!("QID{stored}"));
            }
            Event::StartTls => starttls = true,
            Event::Close => out.closed = true,
        }
    }
    starttls
}

/// Runs a transcript, feeding each segment in the given chunk sizes (0 = whole).
pub fn run(t: &Transcript, split: &dyn Fn(&[u8]) -> Vec<Vec<u8>>) -> Outcome {
    let now = Instant::now();
    let mut session = ServerSession::new(Arc::new(t.config.clone()), now);
    if t.implicit_tls {
        session.set_implicit_tls(tls_info());
    }
    let mut out = Outcome {
        output: Vec::new(),
        bodies: Vec::new(),
        closed: false,
    };
    let mut stored = 0;
    drain(&mut session, &mut out, &mut stored);
    for (i, segment) in t.segments.iter().enumerate() {
        if i > 0 {
            session.tls_established(tls_info());
        }
        for piece in split(segment) {
            session.receive(&piece, now + Duration::from_millis(1));
            let _ = drain(&mut session, &mut out, &mut stored);
        }
    }
    out
}

fn whole(input: &[u8]) -> Vec<Vec<u8>> {
    vec![input.to_vec()]
}

fn bytewise(input: &[u8]) -> Vec<Vec<u8>> {
    input.iter().map(|b| vec![*b]).collect()
}

pub fn load_all() -> Vec<Transcript> {
    transcript::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts"))
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn transcripts_give_the_expected_replies_however_split() {
    let transcripts = load_all();
    assert!(
        transcripts.len() >= 15,
        "only {} transcripts",
        transcripts.len()
    );
    let mut failures = Vec::new();
    for t in &transcripts {
        assert_eq!(t.expected_segments.concat(), t.expected, "{}", t.name);
        let reference = run(t, &whole);
        if reference.output != t.expected {
            failures.push(format!(
                "{}: replies differ\n--- expected\n{}--- got\n{}",
                t.name,
                show(&t.expected),
                show(&reference.output)
            ));
            continue;
        }
        if let Some(body) = &t.body
            && reference.bodies.last() != Some(body)
        {
            failures.push(format!(
                "{}: stored body differs\n--- expected\n{}--- got\n{}",
                t.name,
                show(body),
                show(
                    reference
                        .bodies
                        .last()
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                )
            ));
        }
        let by_byte = run(t, &bytewise);
        if by_byte != reference {
            failures.push(format!(
                "{}: byte-by-byte run differs:\n{}",
                t.name,
                show(&by_byte.output)
            ));
        }
        let total: usize = t.segments.iter().map(Vec::len).max().unwrap_or(0);
        for point in 1..total {
            let split = move |input: &[u8]| {
                let p = point.min(input.len());
                vec![input[..p].to_vec(), input[p..].to_vec()]
            };
            let outcome = run(t, &split);
            if outcome != reference {
                failures.push(format!(
                    "{}: split at {point} differs:\n{}",
                    t.name,
                    show(&outcome.output)
                ));
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn timeouts_close_with_421() {
    let now = Instant::now();
    let config = SessionConfig {
        command_timeout: Duration::from_secs(10),
        ..SessionConfig::default()
    };
    let mut s = ServerSession::new(Arc::new(config), now);
    let mut out = Outcome {
        output: Vec::new(),
        bodies: Vec::new(),
        closed: false,
    };
    let mut stored = 0;
    drain(&mut s, &mut out, &mut stored);
    let deadline = s.poll_timeout().unwrap();
    assert_eq!(deadline, now + Duration::from_secs(10));
    s.handle_timeout(now + Duration::from_secs(9));
    drain(&mut s, &mut out, &mut stored);
    assert!(!out.closed);
    s.handle_timeout(deadline);
    drain(&mut s, &mut out, &mut stored);
    assert!(out.closed);
    assert!(
        show(&out.output)
            .ends_with("421 Timeout: nothing received for 10 seconds; closing connection\r\n"),
        "{}",
        show(&out.output)
    );
}

#[test]
fn slow_data_is_cut_off_by_the_minimum_rate() {
    let now = Instant::now();
    let config = SessionConfig {
        min_data_rate: 100,
        rate_grace: Duration::from_secs(5),
        ..SessionConfig::default()
    };
    let mut s = ServerSession::new(Arc::new(config), now);
    let mut out = Outcome {
        output: Vec::new(),
        bodies: Vec::new(),
        closed: false,
    };
    let mut stored = 0;
    s.receive(
        b"EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n",
        now,
    );
    drain(&mut s, &mut out, &mut stored);
    let mut t = now;
    for _ in 0..20 {
        t += Duration::from_secs(1);
        s.receive(b"x", t); // one octet a second: far below 100 octets/s
        s.handle_timeout(t);
        drain(&mut s, &mut out, &mut stored);
        if out.closed {
            break;
        }
    }
    assert!(out.closed, "{}", show(&out.output));
    assert!(
        show(&out.output).contains("421 4.4.2 Data arrived too slowly"),
        "{}",
        show(&out.output)
    );
    assert!(out.bodies.is_empty());
}

#[test]
fn shutdown_waits_for_the_message_in_flight() {
    let now = Instant::now();
    let mut s = ServerSession::new(Arc::new(SessionConfig::default()), now);
    s.receive(
        b"EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nhello\r\n.\r\n",
        now,
    );
    let mut message = None;
    while let Some(e) = s.poll_event() {
        match e {
            Event::Decide(q) => s.decide(q.id, Verdict::accept()),
            Event::Message(m) => message = Some(m.id),
            _ => {}
        }
    }
    s.shutdown();
    assert!(
        s.poll_event().is_none(),
        "busy: no 421 while the message is being stored"
    );
    s.message_stored(message.unwrap(), "Q1");
    let mut text = String::new();
    let mut closed = false;
    while let Some(e) = s.poll_event() {
        match e {
            Event::Send(b) => text.push_str(&show(&b)),
            Event::Close => closed = true,
            _ => {}
        }
    }
    assert!(
        text.starts_with("250 2.0.0 Ok: queued as Q1\r\n421 4.3.2 "),
        "{text}"
    );
    assert!(closed);
}
