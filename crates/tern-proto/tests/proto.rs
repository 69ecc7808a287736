//! Property tests of tern-proto: no panics, split-invariance, round trips, smuggling. The
//! fuzz targets in fuzz/ (nightly, optional) check the same properties with coverage-guided
//! inputs: `command_parser`, `data_decoder`, `bdat_decoder` here, `server_session` in
//! session/props.rs.

mod client;
mod session;

use proptest::prelude::*;
use tern_proto::{
    BdatDecoder, BdatOutcome, DataDecoder, DataEncoder, DataOutcome, LineEndingPolicy, LineError,
    LineReader, decode_data, parse_command, xtext,
};

// ----------------------------------------------------------------------------------------
// Generators
// ----------------------------------------------------------------------------------------

fn policy() -> impl Strategy<Value = LineEndingPolicy> {
    prop_oneof![
        Just(LineEndingPolicy::Normalize),
        Just(LineEndingPolicy::Reject)
    ]
}

/// Bytes rich in the characters that matter for framing and DATA.
fn framing_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => Just(b'a'),
            1 => Just(b' '),
            3 => Just(b'\r'),
            3 => Just(b'\n'),
            3 => Just(b'.'),
            1 => any::<u8>(),
        ],
        0..max,
    )
}

/// Cuts `input` at the given points (taken modulo its length); the session proptests use it
/// too.
fn splits(input: &[u8], points: &[usize]) -> Vec<Vec<u8>> {
    let mut cuts: Vec<usize> = points.iter().map(|p| p % (input.len() + 1)).collect();
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut last = 0;
    for c in cuts {
        out.push(input[last..c].to_vec());
        last = c;
    }
    out.push(input[last..].to_vec());
    out
}

const LOCAL: &str = "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,8}(\\.[a-zA-Z0-9_-]{1,5}){0,2}";
const QUOTED: &str = "\"([ !#-\\[\\]-~]|\\\\[ -~]){0,8}\"";
const DOMAIN: &str = "[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?(\\.[a-z0-9]{1,6}){0,3}";
const UTF8_LOCAL: &str = "[a-zé用户δ]{1,6}";
const UTF8_DOMAIN: &str = "[a-zü例]{1,6}\\.[a-zδ]{2,4}";

fn mailbox() -> impl Strategy<Value = String> {
    let local = prop_oneof![4 => LOCAL, 1 => QUOTED, 1 => UTF8_LOCAL];
    let host = prop_oneof![
        5 => DOMAIN.prop_map(|d| d),
        1 => UTF8_DOMAIN.prop_map(|d| d),
        1 => (0u8..=255, 0u8..=255).prop_map(|(a, b)| format!("[192.0.{a}.{b}]")),
        1 => Just("[IPv6:2001:db8::1]".to_string()),
    ];
    (local, host).prop_map(|(l, h)| format!("{l}@{h}"))
}

fn path() -> impl Strategy<Value = String> {
    (prop::collection::vec(DOMAIN, 0..3), mailbox()).prop_map(|(route, m)| {
        if route.is_empty() {
            format!("<{m}>")
        } else {
            let r: Vec<String> = route.iter().map(|d| format!("@{d}")).collect();
            format!("<{}:{m}>", r.join(","))
        }
    })
}

fn xtext_value() -> impl Strategy<Value = String> {
    prop::collection::vec(0x20u8..0x7f, 1..20).prop_map(|v| xtext::encode(&v))
}

fn mail_params() -> impl Strategy<Value = String> {
    let params = (
        prop::option::of(any::<u64>().prop_map(|n| format!("SIZE={n}"))),
        prop::option::of(prop::sample::select(vec![
            "BODY=7BIT",
            "body=8bitmime",
            "BODY=BINARYMIME",
        ])),
        prop::option::of(Just("SMTPUTF8".to_string())),
        prop::option::of(prop::sample::select(vec!["RET=FULL", "RET=hdrs"])),
        prop::option::of(xtext_value().prop_map(|x| format!("ENVID={x}"))),
        prop::option::of(prop_oneof![
            Just("AUTH=<>".to_string()),
            mailbox().prop_map(|m| format!("AUTH={}", xtext::encode(m.as_bytes())))
        ]),
    );
    params.prop_map(|(a, b, c, d, e, f)| {
        let v: Vec<String> = [a, b.map(str::to_string), c, d.map(str::to_string), e, f]
            .into_iter()
            .flatten()
            .collect();
        v.iter().map(|p| format!(" {p}")).collect()
    })
}

fn rcpt_params() -> impl Strategy<Value = String> {
    (
        prop::option::of(prop::sample::select(vec![
            "NOTIFY=NEVER",
            "NOTIFY=SUCCESS",
            "NOTIFY=failure,delay",
            "NOTIFY=DELAY,SUCCESS,FAILURE",
        ])),
        prop::option::of(mailbox().prop_map(|m| {
            let ty = if m.is_ascii() { "rfc822" } else { "utf-8" };
            format!("ORCPT={ty};{}", xtext::encode(m.as_bytes()))
        })),
    )
        .prop_map(|(n, o)| {
            let mut s = String::new();
            if let Some(n) = n {
                s.push(' ');
                s.push_str(n);
            }
            if let Some(o) = o {
                s.push(' ');
                s.push_str(&o);
            }
            s
        })
}

/// Valid command lines.
fn valid_command() -> impl Strategy<Value = String> {
    prop_oneof![
        DOMAIN.prop_map(|d| format!("EHLO {d}")),
        "[ -~]{1,20}"
            .prop_filter("not blank", |s| !s.trim().is_empty())
            .prop_map(|d| format!("HELO {d}")),
        (prop_oneof![Just("<>".to_string()), path()], mail_params())
            .prop_map(|(p, params)| format!("MAIL FROM:{p}{params}")),
        (
            prop_oneof![Just("<postmaster>".to_string()), path()],
            rcpt_params()
        )
            .prop_map(|(p, params)| format!("rcpt to:{p}{params}")),
        Just("DATA".to_string()),
        (any::<u64>(), any::<bool>())
            .prop_map(|(n, l)| format!("BDAT {n}{}", if l { " LAST" } else { "" })),
        Just("RSET".to_string()),
        Just("QUIT".to_string()),
        Just("STARTTLS".to_string()),
        prop::option::of("[!-~]{1,10}")
            .prop_map(|a| a.map_or("NOOP".into(), |a| format!("NOOP {a}"))),
        "[!-~]{1,10}".prop_map(|a| format!("VRFY {a}")),
        "[!-~]{1,10}".prop_map(|a| format!("EXPN {a}")),
        prop::option::of("[!-~]{1,10}")
            .prop_map(|a| a.map_or("HELP".into(), |a| format!("HELP {a}"))),
        (
            "[A-Za-z0-9_-]{1,20}",
            prop::option::of(prop_oneof![
                Just("=".to_string()),
                prop::collection::vec(any::<u8>(), 1..3).prop_map(|_| "dXNlcg==".to_string()),
                Just("AHRlc3QAdGVzdA==".to_string()),
            ])
        )
            .prop_map(|(m, r)| match r {
                None => format!("AUTH {m}"),
                Some(r) => format!("AUTH {m} {r}"),
            }),
    ]
}

/// Almost-valid lines: a valid command with bytes changed, inserted or cut.
fn mutated_command() -> impl Strategy<Value = Vec<u8>> {
    (valid_command(), any::<usize>(), any::<u8>(), 0u8..3).prop_map(|(s, at, byte, op)| {
        let mut v = s.into_bytes();
        let at = at % (v.len() + 1);
        match op {
            0 => v.insert(at, byte),
            1 if at < v.len() => v[at] = byte,
            _ => v.truncate(at),
        }
        v
    })
}

// ----------------------------------------------------------------------------------------
// Reference models (deliberately simple and slow)
// ----------------------------------------------------------------------------------------

type Lines = Vec<Result<Vec<u8>, LineError>>;

fn reference_lines(input: &[u8], max: usize, policy: LineEndingPolicy) -> (Lines, Vec<u8>) {
    let mut out = Vec::new();
    let mut rest = input;
    while let Some(p) = rest.iter().position(|&b| b == b'\n') {
        let line = &rest[..p];
        rest = &rest[p + 1..];
        if p + 1 > max {
            out.push(Err(LineError::TooLong { limit: max }));
            continue;
        }
        let (content, bare_lf) = match line.strip_suffix(b"\r") {
            Some(c) => (c, false),
            None => (line, true),
        };
        if policy == LineEndingPolicy::Reject && bare_lf {
            out.push(Err(LineError::BareLf));
        } else if policy == LineEndingPolicy::Reject && content.contains(&b'\r') {
            out.push(Err(LineError::BareCr));
        } else {
            out.push(Ok(content.to_vec()));
        }
    }
    if rest.len() >= max {
        out.push(Err(LineError::TooLong { limit: max }));
        rest = &[];
    }
    (out, rest.to_vec())
}

fn run_lines(chunks: &[Vec<u8>], max: usize, policy: LineEndingPolicy) -> (Lines, Vec<u8>) {
    let mut r = LineReader::with_max_line(max, policy);
    let mut out = Vec::new();
    for c in chunks {
        r.feed(c);
        while let Some(l) = r.next_line() {
            out.push(l.map(<[u8]>::to_vec));
        }
        assert!(r.buffered_len() < max.max(LineReader::MIN_MAX_LINE) + c.len());
    }
    (out, r.buffered().to_vec())
}

struct RefData {
    body: Vec<u8>,
    consumed: usize,
    first_bare: Option<tern_proto::BareLineEnding>,
}

/// The end is the first CR LF . CR LF, counting the DATA command's CR LF; lines are split on
/// CR LF only; a leading dot is removed unless a bare CR/LF follows it; every remaining CR
/// or LF is bare and becomes CR LF.
fn reference_data(input: &[u8]) -> Option<RefData> {
    let mut s = b"\r\n".to_vec();
    s.extend_from_slice(input);
    let k = s.windows(5).position(|w| w == b"\r\n.\r\n")?;
    let content = &s[2..k + 2];
    let mut body = Vec::new();
    let mut first_bare = None;
    let mut rest = content;
    while !rest.is_empty() {
        let p = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .unwrap_or(rest.len());
        let mut line = &rest[..p];
        rest = rest.get(p + 2..).unwrap_or(&[]);
        if line.first() == Some(&b'.') && !matches!(line.get(1), Some(b'\r' | b'\n')) {
            line = &line[1..];
        }
        for &b in line {
            match b {
                b'\r' | b'\n' => {
                    first_bare.get_or_insert(if b == b'\r' {
                        tern_proto::BareLineEnding::Cr
                    } else {
                        tern_proto::BareLineEnding::Lf
                    });
                    body.extend_from_slice(b"\r\n");
                }
                _ => body.push(b),
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    Some(RefData {
        body,
        consumed: k + 3,
        first_bare,
    })
}

fn run_data(
    chunks: &[Vec<u8>],
    limit: u64,
    policy: LineEndingPolicy,
) -> (Vec<u8>, usize, Option<DataOutcome>) {
    let mut d = DataDecoder::new(limit, policy);
    let mut sink = Vec::new();
    let mut consumed = 0;
    for c in chunks {
        let p = d.feed(c, &mut sink);
        consumed += p.consumed;
        if let Some(o) = p.outcome {
            return (sink, consumed, Some(o));
        }
        assert_eq!(p.consumed, c.len());
    }
    (sink, consumed, None)
}

/// Every CR LF, bare CR and bare LF as CR LF; a final CR LF if the message has none.
fn normalized(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < message.len() {
        match (message[i], message.get(i + 1)) {
            (b'\r', Some(b'\n')) => {
                out.extend_from_slice(b"\r\n");
                i += 2;
            }
            (b'\r' | b'\n', _) => {
                out.extend_from_slice(b"\r\n");
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

// ----------------------------------------------------------------------------------------
// Properties
// ----------------------------------------------------------------------------------------

proptest! {
    // PROPTEST_CASES=100000 for a deeper run.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
    ))]

    #[test]
    fn parser_never_panics(line in prop::collection::vec(any::<u8>(), 0..600)) {
        // And whatever parses, re-parses to the same command from its wire form.
        if let Ok(c) = parse_command(&line) {
            prop_assert_eq!(parse_command(c.to_string().as_bytes()), Ok(c));
        }
    }

    #[test]
    fn parser_never_panics_near_valid_input(line in mutated_command()) {
        // And whatever parses, re-parses to the same command from its wire form.
        if let Ok(c) = parse_command(&line) {
            prop_assert_eq!(parse_command(c.to_string().as_bytes()), Ok(c));
        }
    }

    #[test]
    fn valid_commands_round_trip(line in valid_command()) {
        let c = parse_command(line.as_bytes());
        prop_assert!(c.is_ok(), "{:?}: {:?}", line, c);
        let c = c.unwrap();
        let wire = c.to_string();
        prop_assert_eq!(parse_command(wire.as_bytes()), Ok(c.clone()));
        // Tolerated trailing whitespace changes nothing.
        prop_assert_eq!(parse_command(format!("{wire}  ").as_bytes()), Ok(c));
    }

    #[test]
    fn line_reader_is_split_invariant(
        input in framing_bytes(200),
        points in prop::collection::vec(any::<usize>(), 0..12),
        max in 8usize..40,
        policy in policy(),
    ) {
        let expected = reference_lines(&input, max, policy);
        prop_assert_eq!(&run_lines(std::slice::from_ref(&input), max, policy), &expected);
        prop_assert_eq!(&run_lines(&splits(&input, &points), max, policy), &expected);
        let bytes: Vec<Vec<u8>> = input.iter().map(|&b| vec![b]).collect();
        prop_assert_eq!(&run_lines(&bytes, max, policy), &expected);
    }

    #[test]
    fn data_decoder_matches_reference_however_split(
        input in framing_bytes(300),
        points in prop::collection::vec(any::<usize>(), 0..12),
        limit in prop_oneof![Just(u64::MAX), 0u64..200],
        policy in policy(),
    ) {
        let mut input = input;
        input.extend_from_slice(b"\r\n.\r\nNEXT");
        let r = reference_data(&input).expect("an end marker was appended");
        let whole = run_data(std::slice::from_ref(&input), limit, policy);
        let split = run_data(&splits(&input, &points), limit, policy);
        let bytes: Vec<Vec<u8>> = input.iter().map(|&b| vec![b]).collect();
        let single = run_data(&bytes, limit, policy);
        prop_assert_eq!(&split, &whole);
        prop_assert_eq!(&single, &whole);

        let (sink, consumed, outcome) = whole;
        prop_assert_eq!(consumed, r.consumed);
        let size = r.body.len() as u64;
        let expected = if size > limit {
            DataOutcome::TooLarge { size, limit }
        } else if let (Some(kind), LineEndingPolicy::Reject) = (r.first_bare, policy) {
            DataOutcome::BareLineEnding { kind, size }
        } else {
            DataOutcome::Complete { size }
        };
        prop_assert_eq!(outcome, Some(expected));
        if policy == LineEndingPolicy::Normalize || r.first_bare.is_none() {
            let keep = r.body.len().min(usize::try_from(limit).unwrap_or(usize::MAX));
            prop_assert_eq!(&sink[..], &r.body[..keep]);
        }
    }

    /// Any bytes, with or without an end marker, any limit: the decoder never panics, and its
    /// sink, consumption and outcome do not depend on how the input is split.
    #[test]
    fn data_decoder_is_split_invariant_on_any_bytes(
        input in prop_oneof![framing_bytes(400), prop::collection::vec(any::<u8>(), 0..400)],
        points in prop::collection::vec(any::<usize>(), 0..16),
        limit in prop_oneof![Just(u64::MAX), 0u64..400, any::<u64>()],
        policy in policy(),
    ) {
        let whole = run_data(std::slice::from_ref(&input), limit, policy);
        prop_assert_eq!(&run_data(&splits(&input, &points), limit, policy), &whole);
        let bytes: Vec<Vec<u8>> = input.iter().map(|&b| vec![b]).collect();
        prop_assert_eq!(&run_data(&bytes, limit, policy), &whole);
        let (sink, consumed, outcome) = whole;
        prop_assert!(consumed <= input.len());
        prop_assert!(sink.len() as u64 <= limit);
        match outcome {
            Some(DataOutcome::Complete { size }) => prop_assert_eq!(size, sink.len() as u64),
            Some(_) => {}
            None => prop_assert_eq!(consumed, input.len()),
        }
    }

    #[test]
    fn smuggling_vectors_stay_in_the_body(
        before in "[a-zA-Z][a-zA-Z .]{0,40}",
        vector in prop::sample::select(vec![&b"\n.\n"[..], b"\n.\r\n", b"\r.\r\n", b"\r\n.\r", b"\r\n.\n"]),
        points in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        let smuggled = b"MAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n";
        let mut input = before.clone().into_bytes();
        input.extend_from_slice(vector);
        input.extend_from_slice(smuggled);
        input.extend_from_slice(b"tail\r\n.\r\n");
        let (sink, consumed, outcome) =
            run_data(&splits(&input, &points), u64::MAX, LineEndingPolicy::Normalize);
        prop_assert_eq!(consumed, input.len(), "exactly one message, ending at the real end");
        let complete = matches!(outcome, Some(DataOutcome::Complete { .. }));
        prop_assert!(complete);
        prop_assert!(sink.windows(smuggled.len()).any(|w| w == smuggled));
        let (_, consumed, outcome) =
            run_data(&splits(&input, &points), u64::MAX, LineEndingPolicy::Reject);
        prop_assert_eq!(consumed, input.len());
        let rejected = matches!(outcome, Some(DataOutcome::BareLineEnding { .. }));
        prop_assert!(rejected);
    }

    #[test]
    fn data_encoder_round_trips_through_the_decoder(
        message in framing_bytes(300),
        points in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut e = DataEncoder::new();
        let mut wire = Vec::new();
        for c in splits(&message, &points) {
            e.encode(&c, &mut wire);
        }
        e.finish(&mut wire);
        prop_assert_eq!(&wire, &tern_proto::encode_data(&message));
        // Strict decoding: the encoder never sends a bare CR or LF.
        let (body, p) = decode_data(&wire, u64::MAX, LineEndingPolicy::Reject);
        prop_assert_eq!(p.consumed, wire.len());
        let size = body.len() as u64;
        prop_assert_eq!(p.outcome, Some(DataOutcome::Complete { size }));
        prop_assert_eq!(body, normalized(&message));
    }

    #[test]
    fn bdat_is_split_invariant(
        input in prop::collection::vec(any::<u8>(), 0..300),
        size in 0usize..300,
        points in prop::collection::vec(any::<usize>(), 0..8),
        so_far in 0u64..100,
        limit in 0u64..400,
    ) {
        let size = size.min(input.len());
        let mut d = BdatDecoder::new(size as u64, so_far, limit);
        let mut sink = Vec::new();
        let mut consumed = 0;
        let mut outcome = d.feed(&[], &mut sink).outcome;
        for c in splits(&input, &points) {
            if outcome.is_some() { break; }
            let p = d.feed(&c, &mut sink);
            consumed += p.consumed;
            outcome = p.outcome;
        }
        prop_assert_eq!(consumed, size);
        let total = so_far + size as u64;
        let expected = if total > limit {
            BdatOutcome::TooLarge { size: total, limit }
        } else {
            BdatOutcome::Complete { size: total }
        };
        prop_assert_eq!(outcome, Some(expected));
        let room = usize::try_from(limit.saturating_sub(so_far)).unwrap_or(usize::MAX);
        prop_assert_eq!(&sink[..], &input[..size.min(room)]);
    }

    /// Any chunk size, earlier size and limit (up to the saturating edges), any bytes, input
    /// shorter or longer than the chunk: the decoder never panics, and its sink, consumption,
    /// outcome, remaining count and size do not depend on how the input is split.
    #[test]
    fn bdat_decoder_is_split_invariant_on_any_bytes(
        input in prop::collection::vec(any::<u8>(), 0..300),
        chunk in prop_oneof![0u64..400, any::<u64>(), (0u64..4).prop_map(|d| u64::MAX - d)],
        so_far in prop_oneof![0u64..400, any::<u64>(), (0u64..4).prop_map(|d| u64::MAX - d)],
        limit in prop_oneof![0u64..400, any::<u64>(), Just(u64::MAX)],
        points in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let run = |chunks: &[Vec<u8>]| {
            let mut d = BdatDecoder::new(chunk, so_far, limit);
            let mut sink = Vec::new();
            let mut consumed = 0;
            let mut outcome = d.feed(&[], &mut sink).outcome;
            for c in chunks {
                if outcome.is_some() { break; }
                let p = d.feed(c, &mut sink);
                assert!(p.consumed <= c.len());
                consumed += p.consumed;
                outcome = p.outcome;
            }
            (sink, consumed, outcome, d.remaining(), d.size())
        };
        let whole = run(std::slice::from_ref(&input));
        prop_assert_eq!(&run(&splits(&input, &points)), &whole);
        let bytes: Vec<Vec<u8>> = input.iter().map(|&b| vec![b]).collect();
        prop_assert_eq!(&run(&bytes), &whole);
        let (sink, consumed, outcome, remaining, size) = whole;
        let expected = usize::try_from(chunk).map_or(input.len(), |c| c.min(input.len()));
        prop_assert_eq!(consumed, expected);
        prop_assert_eq!(remaining, chunk - consumed as u64);
        prop_assert_eq!(size, so_far.saturating_add(consumed as u64));
        prop_assert_eq!(outcome.is_some(), remaining == 0);
        // Stored: up to the limit, also where the size saturates at u64::MAX.
        let room = if so_far > limit {
            0
        } else {
            usize::try_from(limit - so_far).unwrap_or(usize::MAX)
        };
        prop_assert_eq!(&sink[..], &input[..expected.min(room)]);
    }

    #[test]
    fn xtext_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let enc = xtext::encode(&bytes);
        prop_assert_eq!(xtext::decode(&enc), Ok(bytes));
        prop_assert!(enc.bytes().all(|b| (b'!'..=b'~').contains(&b) && b != b'='));
    }

    #[test]
    fn base64_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..64), junk in "[ -~]{0,12}") {
        prop_assert_eq!(tern_proto::base64::decode(&tern_proto::base64::encode(&bytes)), Ok(bytes));
        let _ = tern_proto::base64::decode(&junk);
    }

    #[test]
    fn xtext_decode_never_panics_and_reencodes(s in "[!-~ é]{0,40}") {
        if let Ok(d) = xtext::decode(&s) {
            prop_assert_eq!(xtext::decode(&xtext::encode(&d)), Ok(d));
        }
    }
}
