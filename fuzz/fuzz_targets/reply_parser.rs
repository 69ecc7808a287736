//! The tolerant reply parser on any bytes: `tern_codes::parse` and `find_reply` never panic,
//! nor does `explain` on what they return. A reply that parses is written back by the strict
//! writer (`Reply::to_wire`) as valid reply lines (CRLF, at most 512 octets, no CR or LF
//! inside, the same code on every line, `-` on all but the last), which parse again to the
//! same code, with no anomaly but those of the code itself, the same enhanced code if there
//! was one, and the same text (whitespace aside: long lines are wrapped).
//!
//! Stable proptests of the same properties: `parse_never_panics_on_bytes`,
//! `find_reply_never_panics`, `parsed_replies_round_trip_through_the_strict_writer` and their
//! reply-like variants in crates/tern-codes/tests/codes/props.rs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tern_codes::{Anomaly, MAX_REPLY_LINE, explain, find_reply, parse};

fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = find_reply(&String::from_utf8_lossy(data)) {
        let _ = explain(&parsed);
    }
    let Ok(parsed) = parse(data) else { return };
    let _ = explain(&parsed);
    let reply = parsed.reply;
    let wire = reply.to_wire(true);
    let code = reply.code().to_string();
    let lines: Vec<&[u8]> = wire.split_inclusive(|&b| b == b'\n').collect();
    for (i, line) in lines.iter().enumerate() {
        assert!(line.len() <= MAX_REPLY_LINE, "{wire:?}");
        let body = line.strip_suffix(b"\r\n").expect("CRLF");
        assert!(!body.contains(&b'\r') && !body.contains(&b'\n'), "{wire:?}");
        assert!(body.starts_with(code.as_bytes()), "{wire:?}");
        let sep = body.get(3).copied();
        if i + 1 == lines.len() {
            assert!(matches!(sep, None | Some(b' ')), "{wire:?}");
        } else {
            assert_eq!(sep, Some(b'-'), "{wire:?}");
        }
    }
    let again = parse(&wire).expect("the strict form parses");
    for anomaly in &again.anomalies {
        assert!(
            matches!(
                anomaly,
                Anomaly::NonstandardCode(_) | Anomaly::ClassMismatch { .. }
            ),
            "{wire:?}: {anomaly:?}"
        );
    }
    let again = again.reply;
    assert_eq!(again.code(), reply.code(), "{wire:?}");
    if reply.enhanced().is_some() {
        assert_eq!(again.enhanced(), reply.enhanced(), "{wire:?}");
    }
    // Without an enhanced code, text shaped like one may become one at the start of a line.
    if again.enhanced() == reply.enhanced() {
        assert_eq!(squeezed(&again.text()), squeezed(&reply.text()), "{wire:?}");
    }
});

/// The text without whitespace: what survives wrapping anywhere, even inside a word.
fn squeezed(s: &str) -> String {
    s.split_whitespace().collect()
}
