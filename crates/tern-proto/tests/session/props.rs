//! Property tests of the server session (the stable-Rust stand-in for the fuzz target):
//! random command streams — valid commands, junk, DATA bodies, BDAT chunks with right and
//! wrong sizes, AUTH exchanges, over-long lines, bare line ends — fed to a `ServerSession` in
//! random splits. The session never panics, its replies and stored bodies do not depend on how
//! the input was split, every reply line is a valid reply line, and the session's state stays
//! bounded however much is fed. The fuzz target `server_session` (fuzz/, nightly, optional)
//! checks the same split invariance with coverage-guided inputs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use tern_proto::{LineEndingPolicy, ServerSession, SessionConfig};

use super::{Outcome, drain, tls_info};

/// The size limit of the generated sessions: small, so that bodies reach it.
const MAX_MESSAGE: u64 = 4096;

fn config() -> impl Strategy<Value = (SessionConfig, bool)> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(512usize), Just(1000usize)],
        1usize..4,
        5u32..60,
        any::<bool>(),
    )
        .prop_map(
            |(reject, starttls, auth_required, max_line, max_recipients, max_errors, implicit)| {
                (
                    SessionConfig {
                        max_line,
                        line_endings: if reject {
                            LineEndingPolicy::Reject
                        } else {
                            LineEndingPolicy::Normalize
                        },
                        max_message_size: MAX_MESSAGE,
                        max_recipients,
                        max_errors,
                        starttls_available: starttls && !implicit,
                        auth_available: true,
                        auth_required,
                        ..SessionConfig::default()
                    },
                    implicit,
                )
            },
        )
}

fn address() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<a@example.org>".to_owned()),
        Just("<>".to_owned()),
        Just("<blocked@example.org>".to_owned()),
        Just("<unknown@localhost>".to_owned()),
        Just("<busy@localhost>".to_owned()),
        Just("<forward@localhost>".to_owned()),
        Just("<bob@localhost>".to_owned()),
        Just("<jörg@example.org>".to_owned()),
        Just("<a@@b>".to_owned()),
        Just("<a@[127.0.0.1]>".to_owned()),
        Just("a@example.org".to_owned()),
        "<[a-z]{1,6}@[a-z]{1,6}\\.example>",
    ]
}

fn params() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just(" SIZE=100"),
            Just(" SIZE=999999"),
            Just(" SIZE=x"),
            Just(" BODY=8BITMIME"),
            Just(" BODY=BINARYMIME"),
            Just(" BODY=9BIT"),
            Just(" SMTPUTF8"),
            Just(" RET=HDRS"),
            Just(" ENVID=+2"),
            Just(" ENVID=abc+2Bd"),
            Just(" NOTIFY=SUCCESS,FAILURE"),
            Just(" NOTIFY=NEVER,DELAY"),
            Just(" ORCPT=rfc822;a+ZZb"),
            Just(" ORCPT=rfc822;a@b.example"),
            Just(" FOO=1"),
        ],
        0..3,
    )
    .prop_map(|p| p.concat())
}

/// A body line: text, dots, smuggling-prone line ends.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            6 => "[ -~]{0,40}".prop_map(|s| s.into_bytes()),
            2 => Just(b"\r\n".to_vec()),
            2 => Just(b".".to_vec()),
            1 => Just(b"\n".to_vec()),
            1 => Just(b"\r".to_vec()),
            1 => Just(b"\r\n.\r".to_vec()),
            1 => Just(b"\n.\r\n".to_vec()),
            1 => Just(b"\r\n..\r\n".to_vec()),
            1 => (1usize..6000).prop_map(|n| vec![b'x'; n]),
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

/// One element of a client's stream.
fn element() -> impl Strategy<Value = Vec<u8>> {
    let line = |s: String| {
        let mut b = s.into_bytes();
        b.extend_from_slice(b"\r\n");
        b
    };
    prop_oneof![
        3 => prop_oneof![Just("EHLO c.example"), Just("HELO c.example"), Just("EHLO"), Just("ehlo [127.0.0.1]")]
            .prop_map(move |s| line(s.to_owned())),
        4 => (address(), params()).prop_map(move |(a, p)| line(format!("MAIL FROM:{a}{p}"))),
        5 => (address(), params()).prop_map(move |(a, p)| line(format!("RCPT TO:{a}{p}"))),
        2 => body().prop_map(|b| {
            let mut out = b"DATA\r\n".to_vec();
            out.extend(b);
            out.extend_from_slice(b"\r\n.\r\n");
            out
        }),
        // BDAT with the right size, or a size that is off.
        2 => (body(), -3i64..3, any::<bool>()).prop_map(|(b, off, last)| {
            let size = (b.len() as i64 + off).max(0);
            let mut out = format!("BDAT {size}{}\r\n", if last { " LAST" } else { "" }).into_bytes();
            out.extend(b);
            out
        }),
        1 => prop_oneof![
            Just("BDAT -1"), Just("BDAT 99999999999999999999"), Just("BDAT"), Just("BDAT 0 LAST"),
            Just("BDAT 3 FIRST"),
        ].prop_map(move |s| line(s.to_owned())),
        3 => prop_oneof![
            Just("RSET"), Just("NOOP"), Just("NOOP x"), Just("VRFY bob"), Just("EXPN list"),
            Just("HELP"), Just("HELP MAIL"), Just("RSET x"), Just("DATA x"), Just("TURN"),
        ].prop_map(move |s| line(s.to_owned())),
        1 => prop_oneof![Just("STARTTLS"), Just("QUIT")].prop_map(move |s| line(s.to_owned())),
        2 => prop_oneof![
            Just("AUTH PLAIN AGFsaWNlAHNlY3JldA=="), Just("AUTH PLAIN AGFsaWNlAHdyb25n"),
            Just("AUTH PLAIN ===="), Just("AUTH PLAIN"), Just("AUTH LOGIN"), Just("AUTH LOGIN YWxpY2U="),
            Just("c2VjcmV0"), Just("*"), Just("AUTH CRAM-MD5"), Just("AUTH"),
        ].prop_map(move |s| line(s.to_owned())),
        // Junk: random bytes, NUL, 8-bit, lines over the limit, bare line ends.
        2 => prop::collection::vec(any::<u8>(), 0..64),
        1 => (500usize..20_000, any::<bool>()).prop_map(|(n, auth)| {
            let mut out = if auth { b"AUTH PLAIN\r\n".to_vec() } else { b"NOOP ".to_vec() };
            out.extend(std::iter::repeat_n(b'A', n));
            out.extend_from_slice(b"\r\n");
            out
        }),
        1 => prop_oneof![Just(&b"NOOP\n"[..]), Just(&b"NOOP\r"[..]), Just(&b"\r\n"[..]), Just(&b"NO\0OP\r\n"[..]),
            Just(&b"GET / HTTP/1.1\r\n"[..]), Just(&b"\x16\x03\x01\x02\x00\r\n"[..])]
            .prop_map(<[u8]>::to_vec),
    ]
}

/// A whole transaction, most often well formed, so that messages do get stored: MAIL, one or
/// two RCPT, then a DATA body or BDAT chunks (sizes right or off by a little).
fn transaction() -> impl Strategy<Value = Vec<u8>> {
    (
        params(),
        prop_oneof![
            Just("bob@localhost"),
            Just("unknown@localhost"),
            Just("forward@x.example")
        ],
        any::<bool>(),
        prop::collection::vec((body(), prop_oneof![8 => Just(0i64), 1 => -2i64..3]), 0..3),
        body(),
    )
        .prop_map(|(params, rcpt, two, chunks, data)| {
            let mut out =
                format!("MAIL FROM:<a@example.org>{params}\r\nRCPT TO:<{rcpt}>\r\n").into_bytes();
            if two {
                out.extend_from_slice(b"RCPT TO:<carol@localhost> NOTIFY=NEVER\r\n");
            }
            if chunks.is_empty() {
                out.extend_from_slice(b"DATA\r\n");
                out.extend(data);
                out.extend_from_slice(b"\r\n.\r\n");
            } else {
                let n = chunks.len();
                for (i, (chunk, off)) in chunks.into_iter().enumerate() {
                    let size = (chunk.len() as i64 + off).max(0);
                    let last = if i + 1 == n { " LAST" } else { "" };
                    out.extend(format!("BDAT {size}{last}\r\n").into_bytes());
                    out.extend(chunk);
                }
            }
            out
        })
}

fn stream() -> impl Strategy<Value = Vec<u8>> {
    (
        prop_oneof![3 => Just(&b"EHLO c.example\r\n"[..]), 1 => Just(&b"HELO c.example\r\n"[..]), 1 => Just(&b""[..])],
        prop::collection::vec(prop_oneof![3 => element(), 2 => transaction()], 0..16),
    )
        .prop_map(|(hello, e)| {
            let mut out = hello.to_vec();
            out.extend(e.concat());
            out
        })
}

/// An upper bound for the session's state (measured as the length of its `Debug` text, which
/// prints every buffered byte): whatever the client sends, the session holds at most a message
/// in progress, a line and a chunk of input ahead, plus a constant.
fn state_bound(config: &SessionConfig, chunk: usize) -> usize {
    let bytes = config.max_message_size as usize
        + SessionConfig::AUTH_LINE_LIMIT
        + 2 * config.max_line
        + chunk;
    // "255, " is the longest a byte prints as.
    5 * bytes + 64 * 1024
}

/// Runs a session over `chunks`; returns the outcome and the largest state seen.
fn run(config: &SessionConfig, implicit: bool, chunks: &[Vec<u8>]) -> (Outcome, usize) {
    let now = Instant::now();
    let mut session = ServerSession::new(Arc::new(config.clone()), now);
    if implicit {
        session.set_implicit_tls(tls_info());
    }
    let mut out = Outcome {
        output: Vec::new(),
        bodies: Vec::new(),
        closed: false,
    };
    let mut stored = 0;
    let mut largest = 0;
    drain(&mut session, &mut out, &mut stored);
    for chunk in chunks {
        session.receive(chunk, now + Duration::from_millis(1));
        drain(&mut session, &mut out, &mut stored);
        largest = largest.max(format!("{session:?}").len());
    }
    (out, largest)
}

/// Every line the server wrote is a reply line: three digits, then SP or `-` (or the end),
/// CRLF-terminated, at most 512 octets with the CRLF, with no CR or LF inside.
fn reply_lines_are_valid(output: &[u8]) -> Result<(), String> {
    if !output.is_empty() && !output.ends_with(b"\r\n") {
        return Err(format!(
            "output does not end with CRLF: {:?}",
            String::from_utf8_lossy(output)
        ));
    }
    for line in output.split_inclusive(|b| *b == b'\n') {
        let text = String::from_utf8_lossy(line);
        let body = line
            .strip_suffix(b"\r\n")
            .ok_or_else(|| format!("line without CRLF: {text:?}"))?;
        if body.contains(&b'\r') || body.contains(&b'\n') {
            return Err(format!("bare CR or LF inside a reply line: {text:?}"));
        }
        if line.len() > 512 {
            return Err(format!("reply line of {} octets: {text:?}", line.len()));
        }
        let digits = body.len() >= 3 && body[..3].iter().all(u8::is_ascii_digit);
        let code_ok = digits && (b'2'..=b'5').contains(&body[0]);
        let sep_ok = body.len() == 3 || body[3] == b' ' || body[3] == b'-';
        if !(code_ok && sep_ok) {
            return Err(format!("not a reply line: {text:?}"));
        }
    }
    Ok(())
}

/// The session fed whole and fed in `pieces` pieces wrote the same replies, stored the same
/// bodies and closed alike; and what it wrote is valid reply lines.
fn same_outcome(whole: &Outcome, split: &Outcome, pieces: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        String::from_utf8_lossy(&split.output),
        String::from_utf8_lossy(&whole.output),
        "replies differ between the whole input and {} pieces",
        pieces
    );
    prop_assert_eq!(&split.bodies, &whole.bodies);
    prop_assert_eq!(split.closed, whole.closed);
    reply_lines_are_valid(&whole.output).map_err(TestCaseError::fail)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn session_replies_do_not_depend_on_the_split(
        (config, implicit) in config(),
        input in stream(),
        points in prop::collection::vec(any::<usize>(), 0..40),
    ) {
        let (whole, _) = run(&config, implicit, std::slice::from_ref(&input));
        let chunks = crate::splits(&input, &points);
        let biggest = chunks.iter().map(Vec::len).max().unwrap_or(0);
        let (split, largest) = run(&config, implicit, &chunks);
        same_outcome(&whole, &split, chunks.len())?;
        prop_assert!(
            largest <= state_bound(&config, biggest),
            "session state {} over the bound {}", largest, state_bound(&config, biggest)
        );
        for body in &whole.bodies {
            prop_assert!(body.len() as u64 <= MAX_MESSAGE, "stored a body over the limit");
        }
    }

    /// The fuzz target `server_session` (fuzz/) on stable: bytes with little structure —
    /// random bytes between command words, line ends and end-of-data markers — rather than
    /// well-formed dialogues.
    #[test]
    fn session_on_any_bytes_does_not_depend_on_the_split(
        (config, implicit) in config(),
        input in prop::collection::vec(
            prop_oneof![
                3 => prop::collection::vec(any::<u8>(), 0..24),
                1 => prop::sample::select(vec![
                    &b"EHLO c.example\r\n"[..], b"MAIL FROM:<a@example.org>\r\n",
                    b"RCPT TO:<bob@localhost>\r\n", b"RCPT TO:<unknown@localhost>\r\n",
                    b"DATA\r\n", b"BDAT 7\r\n", b"BDAT 3 LAST\r\n", b"\r\n.\r\n", b"\r\n",
                    b"\n", b"\r", b".", b"AUTH LOGIN\r\n", b"AUTH PLAIN\r\n",
                    b"AGFsaWNlAHNlY3JldA==\r\n", b"STARTTLS\r\n", b"RSET\r\n",
                ]).prop_map(<[u8]>::to_vec),
            ],
            0..48,
        ).prop_map(|parts| parts.concat()),
        points in prop::collection::vec(any::<usize>(), 0..40),
    ) {
        let (whole, _) = run(&config, implicit, std::slice::from_ref(&input));
        let chunks = crate::splits(&input, &points);
        let (split, _) = run(&config, implicit, &chunks);
        same_outcome(&whole, &split, chunks.len())?;
    }

    /// Byte by byte, the most extreme split, on shorter streams.
    #[test]
    fn session_byte_by_byte_matches_whole(
        (config, implicit) in config(),
        input in prop::collection::vec(prop_oneof![element(), transaction()], 0..6)
            .prop_map(|e| [b"EHLO c.example\r\n".to_vec(), e.concat()].concat()),
    ) {
        let (whole, _) = run(&config, implicit, std::slice::from_ref(&input));
        let bytes: Vec<Vec<u8>> = input.iter().map(|b| vec![*b]).collect();
        let (split, largest) = run(&config, implicit, &bytes);
        prop_assert_eq!(
            String::from_utf8_lossy(&split.output),
            String::from_utf8_lossy(&whole.output)
        );
        prop_assert_eq!(&split.bodies, &whole.bodies);
        prop_assert_eq!(split.closed, whole.closed);
        prop_assert!(largest <= state_bound(&config, 1), "session state {}", largest);
    }

    /// An endless stream without any line end (a client that never stops one line) is fed in
    /// many pieces: the session's state does not grow with it.
    #[test]
    fn an_endless_line_does_not_grow_the_state(
        (config, implicit) in config(),
        prefix in stream(),
        byte in prop_oneof![Just(b'A'), Just(b'\r'), Just(b' '), Just(b'.'), any::<u8>()],
    ) {
        let biggest = prefix.len().max(8192);
        let mut chunks = vec![prefix];
        chunks.extend(std::iter::repeat_n(vec![byte; 8192], 64));
        let (_, largest) = run(&config, implicit, &chunks);
        prop_assert!(
            largest <= state_bound(&config, biggest),
            "session state {} after 512 KiB without a line end", largest
        );
    }
}
