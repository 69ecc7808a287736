//! Transcript tests of the client session: each file in `tests/client_transcripts/` is a
//! dialogue of server lines (`S:`) and the exact client lines expected (`C:`), with the
//! outcomes the session must report. Each is run with the server's bytes whole, byte by byte
//! and split at every point, and must give identical output every time.
//!
//! File format:
//! - `# text`: comment.
//! - `@ key = value`: session config: `helo`, `peer`, `tls` (`never`, `opportunistic`,
//!   `required`), `user`, `password`, `plaintext_auth`, `implicit_tls`, `max_reply_size`,
//!   `quit` (default true: `quit()` is called at the start, so QUIT follows the messages),
//!   `open` (true when the session must still be open at the end).
//! - `M: FROM:<a@b> [params]`: a message to send (queued at the start), with MAIL parameters
//!   as they would be parsed (RET, ENVID, SMTPUTF8 and `BODY=BINARYMIME` are used; SIZE and
//!   the other BODY values are computed).
//! - `R: <c@d> [params]`: a recipient of the last message (NOTIFY, ORCPT).
//! - `B: text`: a body line of the last message (CRLF appended); `B< text`: raw, no CRLF.
//!   `\r`, `\n`, `\t`, `\0`, `\\` and `\xNN` are decoded in `B`, `S` and `C` lines.
//! - `S: text`: a line the server sends (CRLF appended); `S< text`: raw, no CRLF.
//! - `C: text`: a line the client must send (CRLF appended); `C< text`: raw, no CRLF.
//! - `--- tls`: the TLS handshake happens here (the session must have asked for it);
//!   `--- close`: the server closes the connection; `--- timeout`: the pending deadline
//!   passes.
//! - `D: id transactions=n [8bit-unannounced]`: a finished message, in event order, followed
//!   by its recipients as `O: id <rcpt> disposition [local] reply | command`.
//! - `F: Reason [local] reply | command`: the connection failed.
//! - `X: command => reply`: when present, the whole transcript of the session.

use std::path::Path;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use tern_proto::{
    ClientConfig, ClientEvent, ClientSession, Command, Credentials, OutgoingEnvelope,
    OutgoingRecipient, ReplySource, TlsPolicy, parse_command,
};

use crate::session::unescape;

enum Step {
    Server(Vec<u8>),
    Tls,
    Close,
    Timeout,
}

struct Message {
    envelope: OutgoingEnvelope,
    body: Vec<u8>,
}

struct Transcript {
    name: String,
    config: ClientConfig,
    implicit_tls: bool,
    quit: bool,
    open: bool,
    messages: Vec<Message>,
    steps: Vec<Step>,
    expected_output: Vec<u8>,
    expected_events: Vec<String>,
    expected_transcript: Vec<String>,
}

fn parse(name: &str, text: &str) -> Transcript {
    let mut config = ClientConfig::new("client.example.org", "mx.example.com").unwrap();
    config.tls = TlsPolicy::Opportunistic;
    let mut user = None;
    let mut password = None;
    let mut t = Transcript {
        name: name.to_owned(),
        config,
        implicit_tls: false,
        quit: true,
        open: false,
        messages: Vec::new(),
        steps: Vec::new(),
        expected_output: Vec::new(),
        expected_events: Vec::new(),
        expected_transcript: Vec::new(),
    };
    let server = |steps: &mut Vec<Step>| -> usize {
        if !matches!(steps.last(), Some(Step::Server(_))) {
            steps.push(Step::Server(Vec::new()));
        }
        steps.len() - 1
    };
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let tags = [
            "M:", "R:", "B:", "B<", "S:", "S<", "C:", "C<", "D:", "O:", "F:", "X:",
        ];
        let (tag, rest) = match tags.iter().find(|t| line.starts_with(*t)) {
            Some(tag) => (*tag, line[2..].strip_prefix(' ').unwrap_or(&line[2..])),
            None => ("", line),
        };
        match tag {
            "" if line.starts_with("@ ") => {
                let (key, value) = line[2..].split_once('=').expect("@ key = value");
                let (key, value) = (key.trim(), value.trim());
                let flag = value == "true";
                match key {
                    "helo" => t.config.hostname = tern_proto::client::helo_name(value).unwrap(),
                    "peer" => t.config.peer = value.to_owned(),
                    "tls" => {
                        t.config.tls = match value {
                            "never" => TlsPolicy::Never,
                            "required" => TlsPolicy::Required,
                            _ => TlsPolicy::Opportunistic,
                        }
                    }
                    "user" => user = Some(value.to_owned()),
                    "password" => password = Some(value.to_owned()),
                    "plaintext_auth" => t.config.allow_plaintext_auth = flag,
                    "implicit_tls" => t.implicit_tls = flag,
                    "max_reply_size" => t.config.max_reply_size = value.parse().unwrap(),
                    "quit" => t.quit = flag,
                    "open" => t.open = flag,
                    other => panic!("{name}: unknown setting {other}"),
                }
            }
            "" if line == "--- tls" => t.steps.push(Step::Tls),
            "" if line == "--- close" => t.steps.push(Step::Close),
            "" if line == "--- timeout" => t.steps.push(Step::Timeout),
            "M:" => {
                let Ok(Command::Mail { from, params }) =
                    parse_command(&[b"MAIL ".as_slice(), &unescape(rest)].concat())
                else {
                    panic!("{name}: bad M: line {line}");
                };
                let mut envelope = OutgoingEnvelope::new(from, []);
                envelope.ret = params.ret;
                envelope.envid = params.envid;
                envelope.smtputf8 = params.smtputf8;
                envelope.binary_mime = params.body == Some(tern_proto::BodyType::BinaryMime);
                t.messages.push(Message {
                    envelope,
                    body: Vec::new(),
                });
            }
            "R:" => {
                let Ok(Command::Rcpt { to, params }) =
                    parse_command(&[b"RCPT TO:".as_slice(), &unescape(rest)].concat())
                else {
                    panic!("{name}: bad R: line {line}");
                };
                let m = t.messages.last_mut().expect("R: after M:");
                m.envelope.recipients.push(OutgoingRecipient { to, params });
            }
            "B:" | "B<" => {
                let m = t.messages.last_mut().expect("B: after M:");
                m.body.extend(unescape(rest));
                if tag == "B:" {
                    m.body.extend_from_slice(b"\r\n");
                }
            }
            "S:" | "S<" => {
                let i = server(&mut t.steps);
                let Step::Server(bytes) = &mut t.steps[i] else {
                    unreachable!()
                };
                bytes.extend(unescape(rest));
                if tag == "S:" {
                    bytes.extend_from_slice(b"\r\n");
                }
            }
            "C:" | "C<" => {
                t.expected_output.extend(unescape(rest));
                if tag == "C:" {
                    t.expected_output.extend_from_slice(b"\r\n");
                }
            }
            "D:" | "O:" | "F:" => {
                let rest = String::from_utf8(unescape(rest)).unwrap();
                t.expected_events.push(format!("{tag} {rest}"));
            }
            "X:" => t
                .expected_transcript
                .push(String::from_utf8(unescape(rest)).unwrap()),
            _ => panic!("{name}: cannot read line {line:?}"),
        }
    }
    if let (Some(username), Some(password)) = (user, password) {
        t.config.credentials = Some(Credentials { username, password });
    }
    t
}

/// What a run produced.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    output: Vec<u8>,
    events: Vec<String>,
    transcript: Vec<String>,
    closed: bool,
    starttls: usize,
}

fn drain(s: &mut ClientSession, out: &mut Outcome) {
    while let Some(event) = s.poll_event() {
        match event {
            ClientEvent::Send(bytes) => out.output.extend(bytes),
            ClientEvent::StartTls => out.starttls += 1,
            ClientEvent::Ready => {}
            ClientEvent::MessageDone(m) => {
                out.events.push(format!(
                    "D: {} transactions={}{}",
                    m.id,
                    m.transactions,
                    if m.eight_bit_unannounced {
                        " 8bit-unannounced"
                    } else {
                        ""
                    }
                ));
                for r in m.recipients {
                    out.events.push(format!(
                        "O: {} {} {} {}{} | {}",
                        m.id,
                        r.recipient,
                        r.disposition,
                        if matches!(r.source, ReplySource::Local(_)) {
                            "local "
                        } else {
                            ""
                        },
                        r.reply,
                        r.command.as_deref().unwrap_or("-")
                    ));
                }
            }
            ClientEvent::Failed(f) => out.events.push(format!(
                "F: {:?} {}{} | {}",
                f.reason,
                if matches!(f.source, ReplySource::Local(_)) {
                    "local "
                } else {
                    ""
                },
                f.reply,
                f.command.as_deref().unwrap_or("-")
            )),
            ClientEvent::Close => {
                assert!(!out.closed, "Close reported twice");
                out.closed = true;
            }
        }
    }
}

fn run(t: &Transcript, split: &dyn Fn(&[u8]) -> Vec<Vec<u8>>) -> Outcome {
    let now = Instant::now();
    let later = now + Duration::from_millis(1);
    let mut s = ClientSession::new(t.config.clone(), now);
    if t.implicit_tls {
        s.set_implicit_tls();
    }
    let mut out = Outcome {
        output: Vec::new(),
        events: Vec::new(),
        transcript: Vec::new(),
        closed: false,
        starttls: 0,
    };
    for m in &t.messages {
        s.send_message(m.envelope.clone(), &m.body, now);
    }
    if t.quit {
        s.quit(now);
    }
    drain(&mut s, &mut out);
    for step in &t.steps {
        match step {
            Step::Server(bytes) => {
                for piece in split(bytes) {
                    s.receive(&piece, later);
                    drain(&mut s, &mut out);
                }
            }
            Step::Tls => {
                assert!(
                    out.starttls > 0,
                    "{}: TLS handshake never requested",
                    t.name
                );
                s.tls_established(later);
            }
            Step::Close => s.peer_closed(later),
            Step::Timeout => {
                let deadline = s.poll_timeout().expect("a deadline");
                s.handle_timeout(deadline - Duration::from_millis(1));
                drain(&mut s, &mut out);
                assert!(!out.closed, "{}: timed out early", t.name);
                s.handle_timeout(deadline);
            }
        }
        drain(&mut s, &mut out);
    }
    out.transcript = s
        .transcript()
        .iter()
        .map(|x| format!("{} => {}", x.command.as_deref().unwrap_or("-"), x.reply))
        .collect();
    out
}

fn whole(input: &[u8]) -> Vec<Vec<u8>> {
    vec![input.to_vec()]
}

fn bytewise(input: &[u8]) -> Vec<Vec<u8>> {
    input.iter().map(|b| vec![*b]).collect()
}

fn load_all() -> Vec<Transcript> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/client_transcripts");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            parse(&name, &std::fs::read_to_string(p).unwrap())
        })
        .collect()
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn check(t: &Transcript, got: &Outcome) -> Option<String> {
    let mut problems = Vec::new();
    if got.output != t.expected_output {
        problems.push(format!(
            "client output differs\n--- expected\n{}--- got\n{}",
            show(&t.expected_output),
            show(&got.output)
        ));
    }
    if got.events != t.expected_events {
        problems.push(format!(
            "events differ\n--- expected\n{}\n--- got\n{}",
            t.expected_events.join("\n"),
            got.events.join("\n")
        ));
    }
    if !t.expected_transcript.is_empty() && got.transcript != t.expected_transcript {
        problems.push(format!(
            "transcript differs\n--- expected\n{}\n--- got\n{}",
            t.expected_transcript.join("\n"),
            got.transcript.join("\n")
        ));
    }
    if got.closed == t.open {
        problems.push(format!("closed: {} (expected {})", got.closed, !t.open));
    }
    (!problems.is_empty()).then(|| format!("{}: {}", t.name, problems.join("\n")))
}

#[test]
fn client_transcripts_give_the_expected_output_however_split() {
    let transcripts = load_all();
    let mut failures = Vec::new();
    for t in &transcripts {
        let reference = run(t, &whole);
        if let Some(problem) = check(t, &reference) {
            failures.push(problem);
            continue;
        }
        let by_byte = run(t, &bytewise);
        if by_byte != reference {
            failures.push(format!(
                "{}: byte-by-byte run differs:\n{}\n{}",
                t.name,
                show(&by_byte.output),
                by_byte.events.join("\n")
            ));
        }
        let longest = t
            .steps
            .iter()
            .map(|s| match s {
                Step::Server(b) => b.len(),
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        for point in 1..longest {
            let split = move |input: &[u8]| {
                let p = point.min(input.len());
                vec![input[..p].to_vec(), input[p..].to_vec()]
            };
            let outcome = run(t, &split);
            if outcome != reference {
                failures.push(format!(
                    "{}: split at {point} differs:\n{}\n{}",
                    t.name,
                    show(&outcome.output),
                    outcome.events.join("\n")
                ));
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        transcripts.len() >= 20,
        "only {} transcripts",
        transcripts.len()
    );
}

// ----------------------------------------------------------------------------------------
// API behaviour outside transcripts
// ----------------------------------------------------------------------------------------

fn config() -> ClientConfig {
    ClientConfig::new("client.example.org", "mx.example.com").unwrap()
}

fn envelope(recipients: &[&str]) -> OutgoingEnvelope {
    let Ok(Command::Mail { from, .. }) = parse_command(b"MAIL FROM:<a@example.org>") else {
        unreachable!()
    };
    let to = recipients.iter().map(|r| {
        let Ok(Command::Rcpt { to, .. }) = parse_command(format!("RCPT TO:<{r}>").as_bytes())
        else {
            unreachable!()
        };
        to
    });
    OutgoingEnvelope::new(from, to)
}

fn events(s: &mut ClientSession) -> Vec<ClientEvent> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

fn sent(events: &[ClientEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Send(b) => Some(show(b)),
            _ => None,
        })
        .collect()
}

#[test]
fn deadlines_follow_rfc_5321_timeouts() {
    let t0 = Instant::now();
    let mut s = ClientSession::new(config(), t0);
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(300)));
    let t1 = t0 + Duration::from_secs(1);
    s.receive(b"220 mx ESMTP\r\n", t1);
    assert_eq!(s.poll_timeout(), Some(t1 + Duration::from_secs(300)));
    s.receive(b"250-mx\r\n250 SIZE 100\r\n", t1);
    assert!(s.is_idle());
    assert_eq!(s.poll_timeout(), None, "idle: nothing awaited");
    assert_eq!(s.capabilities().size_limit(), Some(100));
    let ev = events(&mut s);
    assert!(matches!(ev.last(), Some(ClientEvent::Ready)), "{ev:?}");

    let t2 = t0 + Duration::from_secs(10);
    s.send_message(envelope(&["b@example.com"]), b"hi\r\n", t2);
    assert_eq!(s.poll_timeout(), Some(t2 + Duration::from_secs(300)));
    s.receive(b"250 ok\r\n250 ok\r\n", t2);
    assert_eq!(
        s.poll_timeout(),
        Some(t2 + Duration::from_secs(120)),
        "DATA initiation: 2 minutes"
    );
    s.receive(b"354 go\r\n", t2);
    assert_eq!(
        s.poll_timeout(),
        Some(t2 + Duration::from_secs(600)),
        "DATA termination: 10 minutes"
    );
    let t3 = t2 + Duration::from_secs(100);
    s.data_written(t3);
    assert_eq!(s.poll_timeout(), Some(t3 + Duration::from_secs(600)));
    assert_eq!(s.write_timeout(), Duration::from_secs(180));
    s.handle_timeout(t3 + Duration::from_secs(599));
    assert!(!s.is_closed());
    s.handle_timeout(t3 + Duration::from_secs(600));
    assert!(s.is_closed());
    let ev = events(&mut s);
    let done = ev.iter().find_map(|e| match e {
        ClientEvent::MessageDone(m) => Some(m),
        _ => None,
    });
    let r = &done.expect("outcome").recipients[0];
    assert_eq!(r.disposition, tern_proto::Disposition::Deferred);
    assert_eq!(r.command.as_deref(), Some("<end of data>"));
    assert!(r.reply.to_string().starts_with("451 4.4.2 "), "{}", r.reply);
    assert!(matches!(ev.last(), Some(ClientEvent::Close)));
}

#[test]
fn ready_once_then_quit_on_request() {
    let t0 = Instant::now();
    let mut s = ClientSession::new(config(), t0);
    s.receive(b"220 mx\r\n250 mx\r\n", t0);
    let ev = events(&mut s);
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, ClientEvent::Ready))
            .count(),
        1
    );
    s.receive(b"", t0);
    assert!(events(&mut s).is_empty());
    s.send_message(envelope(&["b@example.com"]), b"x", t0);
    s.receive(b"250 a\r\n250 b\r\n354 c\r\n250 d\r\n", t0);
    let ev = events(&mut s);
    assert!(matches!(ev.last(), Some(ClientEvent::Ready)), "{ev:?}");
    assert_eq!(
        sent(&ev),
        "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nx\r\n.\r\n"
    );
    s.quit(t0);
    assert_eq!(sent(&events(&mut s)), "QUIT\r\n");
    s.peer_closed(t0);
    let ev = events(&mut s);
    assert!(matches!(ev.as_slice(), [ClientEvent::Close]), "{ev:?}");
    assert!(s.failure().is_none());
}

#[test]
fn a_message_after_the_end_gets_the_failure_at_once() {
    let t0 = Instant::now();
    let mut s = ClientSession::new(config(), t0);
    s.receive(b"421 4.3.2 busy\r\n", t0);
    assert!(s.is_closed());
    let _ = events(&mut s);
    let id = s.send_message(envelope(&["b@example.com", "c@example.com"]), b"x", t0);
    let ev = events(&mut s);
    let [ClientEvent::MessageDone(m)] = ev.as_slice() else {
        panic!("{ev:?}")
    };
    assert_eq!(m.id, id);
    assert_eq!(m.recipients.len(), 2);
    assert!(
        m.recipients
            .iter()
            .all(|r| r.reply.to_string() == "421 4.3.2 busy")
    );
}

#[test]
fn a_failed_tls_handshake_fails_the_connection() {
    let t0 = Instant::now();
    let mut s = ClientSession::new(config(), t0);
    s.send_message(envelope(&["b@example.com"]), b"x", t0);
    s.receive(b"220 mx\r\n250-mx\r\n250 STARTTLS\r\n220 go\r\n", t0);
    let ev = events(&mut s);
    assert!(matches!(ev.last(), Some(ClientEvent::StartTls)), "{ev:?}");
    assert_eq!(
        s.poll_timeout(),
        None,
        "the handshake's timeout is the driver's"
    );
    s.receive(b"250 ignored while the handshake runs\r\n", t0);
    assert!(events(&mut s).is_empty());
    s.tls_failed(t0);
    let ev = events(&mut s);
    assert!(
        matches!(
            ev.as_slice(),
            [
                ClientEvent::MessageDone(_),
                ClientEvent::Failed(f),
                ClientEvent::Close
            ] if f.reason == tern_proto::FailureReason::TlsHandshake
        ),
        "{ev:?}"
    );
}

#[test]
fn credentials_never_appear_in_the_transcript_or_debug_output() {
    let t0 = Instant::now();
    let mut c = config();
    c.credentials = Some(Credentials {
        username: "alice".into(),
        password: "hunter2".into(),
    });
    assert!(!format!("{c:?}").contains("hunter2"));
    let mut s = ClientSession::new(c, t0);
    s.set_implicit_tls();
    s.receive(
        b"220 mx\r\n250-mx\r\n250 AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n",
        t0,
    );
    assert!(s.is_authenticated());
    let text = format!("{:?}", s.transcript());
    assert!(
        !text.contains("hunter2") && !text.contains("aHVudGVyMg"),
        "{text}"
    );
    assert!(!text.contains("YWxpY2U"), "{text}");
}

// ----------------------------------------------------------------------------------------
// Properties
// ----------------------------------------------------------------------------------------

/// Bytes that look like replies often enough to drive the session deep.
fn server_bytes() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        3 => Just(b"250 ok\r\n".to_vec()),
        1 => Just(b"250-PIPELINING\r\n".to_vec()),
        1 => Just(b"250-STARTTLS\r\n".to_vec()),
        1 => Just(b"250-AUTH PLAIN LOGIN\r\n".to_vec()),
        1 => Just(b"250-SIZE 10\r\n".to_vec()),
        1 => Just(b"220 hi\r\n".to_vec()),
        1 => Just(b"354 go\r\n".to_vec()),
        1 => Just(b"334 VXNlcm5hbWU6\r\n".to_vec()),
        1 => Just(b"452 4.5.3 too many\r\n".to_vec()),
        1 => Just(b"421 bye\r\n".to_vec()),
        1 => Just(b"550 5.1.1 no\r\n".to_vec()),
        1 => Just(b"451 later\r\n".to_vec()),
        1 => Just(b"502 no\r\n".to_vec()),
        1 => Just(b"\r\n".to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..40),
        1 => "[0-9]{3}[ -]?[ -~]{0,20}\r?\n".prop_map(String::into_bytes),
    ];
    prop::collection::vec(line, 0..40).prop_map(|v| v.concat())
}

/// Runs a session over `input` cut at `cuts`, checking invariants; returns the messages'
/// outcomes by id.
fn drive(
    input: &[u8],
    cuts: &[usize],
    pipelined_policy: TlsPolicy,
    creds: bool,
    end: u8,
) -> Vec<(u64, usize)> {
    let t0 = Instant::now();
    let mut c = config();
    c.tls = pipelined_policy;
    c.max_reply_size = 300;
    if creds {
        c.allow_plaintext_auth = true;
        c.credentials = Some(Credentials {
            username: "u".into(),
            password: "p".into(),
        });
    }
    let mut s = ClientSession::new(c, t0);
    let mut expected = vec![
        (
            s.send_message(
                envelope(&["a@example.com", "b@example.com", "c@example.com"]),
                b"x\r\n.\r\n",
                t0,
            ),
            3,
        ),
        (s.send_message(envelope(&["d@example.com"]), b"y", t0), 1),
    ];
    expected.sort();
    s.quit(t0);
    let mut done = Vec::new();
    let mut closed = false;
    let mut check = |s: &mut ClientSession, done: &mut Vec<(u64, usize)>| {
        while let Some(e) = s.poll_event() {
            assert!(!closed, "event after Close: {e:?}");
            match e {
                ClientEvent::MessageDone(m) => done.push((m.id.0, m.recipients.len())),
                ClientEvent::StartTls => s.tls_established(t0),
                ClientEvent::Close => closed = true,
                _ => {}
            }
        }
    };
    let mut last = 0;
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    points.sort_unstable();
    points.push(input.len());
    for p in points {
        s.receive(&input[last..p], t0);
        check(&mut s, &mut done);
        last = p;
    }
    match end {
        0 => s.peer_closed(t0),
        1 => {
            if let Some(d) = s.poll_timeout() {
                s.handle_timeout(d);
            }
        }
        _ => {}
    }
    check(&mut s, &mut done);
    done.sort();
    if s.is_closed() {
        let ids: Vec<u64> = done.iter().map(|d| d.0).collect();
        assert_eq!(ids, vec![1, 2], "every message gets exactly one outcome");
        for (d, e) in done.iter().zip(&expected) {
            assert_eq!(d.1, e.1, "every recipient has an outcome");
        }
    }
    done
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_server_bytes_never_panic(
        input in server_bytes(),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
        tls in prop_oneof![Just(TlsPolicy::Never), Just(TlsPolicy::Opportunistic), Just(TlsPolicy::Required)],
        creds in any::<bool>(),
        end in 0u8..3,
    ) {
        drive(&input, &cuts, tls, creds, end);
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        input in prop::collection::vec(any::<u8>(), 0..600),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        drive(&input, &cuts, TlsPolicy::Opportunistic, false, 0);
    }

    #[test]
    fn output_does_not_depend_on_how_the_server_bytes_are_split(
        input in server_bytes(),
        cuts in prop::collection::vec(any::<usize>(), 1..6),
    ) {
        // No STARTTLS: bytes after its 220 are discarded in one piece but not in the next,
        // which is the point of RFC 3207 §4.2.
        let whole = drive(&input, &[], TlsPolicy::Never, false, 2);
        let split = drive(&input, &cuts, TlsPolicy::Never, false, 2);
        prop_assert_eq!(whole, split);
    }

    /// Whatever the body, the data on the wire ends exactly at its end marker and decodes
    /// back to the CRLF-canonical body.
    #[test]
    fn bodies_cannot_end_the_data_early(
        body in prop::collection::vec(
            prop_oneof![4 => Just(b'a'), 3 => Just(b'\r'), 3 => Just(b'\n'), 3 => Just(b'.'), 1 => any::<u8>()],
            0..200,
        ),
    ) {
        let t0 = Instant::now();
        let mut s = ClientSession::new(config(), t0);
        s.send_message(envelope(&["b@example.com"]), &body, t0);
        s.receive(b"220 mx\r\n250 mx\r\n250 ok\r\n250 ok\r\n", t0);
        let _ = events(&mut s);
        s.receive(b"354 go\r\n", t0);
        let raw: Vec<u8> = events(&mut s)
            .into_iter()
            .filter_map(|e| match e {
                ClientEvent::Send(b) => Some(b),
                _ => None,
            })
            .flatten()
            .collect();
        let (decoded, progress) =
            tern_proto::decode_data(&raw, u64::MAX, tern_proto::LineEndingPolicy::Reject);
        prop_assert_eq!(progress.consumed, raw.len(), "the end marker is the last thing sent");
        prop_assert!(progress.outcome.is_some());
        prop_assert!(!decoded.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'));
    }
}
