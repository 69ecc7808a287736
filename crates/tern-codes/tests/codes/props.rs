//! Property tests: the tolerant parser never panics, every catalogue reply survives
//! `reply_with` → `to_wire(true)` → `parse` with its code, enhanced code and text, and any reply
//! the parser accepts is written back by the strict writer as valid reply lines that parse to
//! the same reply. The fuzz target `reply_parser` (fuzz/) checks the same on nightly.

use proptest::prelude::*;
use tern_codes::catalogue::{self, Entry};
use tern_codes::{Anomaly, MAX_REPLY_LINE, explain, find_reply, parse, split_enhanced};

/// Text shaped like replies (digits, dots, dashes, spaces, line ends, `#`), so that the
/// parser's deeper paths are reached more often than by uniform bytes.
fn reply_like() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "([0-9]{1,4}[ -]?([245]\\.[0-9]{1,3}\\.[0-9]{1,3})? ?[a-zA-Z#;:<>@. ]{0,20}(\r?\n)?){0,6}",
    )
    .expect("valid regex")
}

/// A value for a placeholder: printable (no control characters), any script, at most 100
/// characters, so that no single word is longer than a wire line.
fn printable() -> impl Strategy<Value = String> {
    "\\PC{0,100}"
}

/// Whitespace-normalised text: what survives wrapping a long line at spaces.
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_round_trip(entry: &Entry, values: &[String]) -> Result<(), TestCaseError> {
    let names = entry.placeholders();
    let args: Vec<(&str, &str)> = names
        .iter()
        .zip(values)
        .map(|(n, v)| (*n, v.as_str()))
        .collect();
    let reply = entry.reply_with(&args);
    let text = reply.text();
    // Without an enhanced code of its own, a reply whose text starts a line with something
    // like "5.1.1" cannot be told apart from one that has that enhanced code: skip those.
    if entry.enhanced.is_none() {
        prop_assume!(
            text.split_whitespace()
                .all(|w| split_enhanced(w).0.is_none())
        );
    }
    let wire = reply.to_wire(true);
    let wire_lines: Vec<&[u8]> = wire.split_inclusive(|&b| b == b'\n').collect();
    for line in &wire_lines {
        prop_assert!(
            line.len() <= MAX_REPLY_LINE,
            "{}: line of {} octets",
            entry.id,
            line.len()
        );
        prop_assert!(line.ends_with(b"\r\n"), "{}: line without CRLF", entry.id);
        prop_assert!(
            !line[..line.len() - 2].contains(&b'\r') && !line[..line.len() - 2].contains(&b'\n'),
            "{}: bare CR or LF inside a line",
            entry.id
        );
    }
    let parsed = parse(&wire).map_err(|e| TestCaseError::fail(format!("{}: {e}", entry.id)))?;
    prop_assert!(
        parsed.anomalies.is_empty(),
        "{}: {:?}",
        entry.id,
        parsed.anomalies
    );
    prop_assert_eq!(parsed.reply.code(), entry.code, "{}", entry.id);
    prop_assert_eq!(parsed.reply.enhanced(), entry.enhanced, "{}", entry.id);
    if wire_lines.len() == reply.lines().len() {
        prop_assert_eq!(parsed.reply.text(), text, "{}", entry.id);
    } else {
        // Long lines were wrapped at spaces; the words are kept.
        prop_assert_eq!(words(&parsed.reply.text()), words(&text), "{}", entry.id);
    }
    Ok(())
}

/// Every line of `wire` is a strict reply line: CRLF, at most 512 octets, no CR or LF inside,
/// the same code on every line, `-` on all but the last and a space (or nothing) on the last.
fn check_strict_wire(wire: &[u8], code: &str) -> Result<(), TestCaseError> {
    let lines: Vec<&[u8]> = wire.split_inclusive(|&b| b == b'\n').collect();
    prop_assert!(!lines.is_empty());
    for (i, line) in lines.iter().enumerate() {
        let shown = String::from_utf8_lossy(line);
        prop_assert!(
            line.len() <= MAX_REPLY_LINE,
            "line of {} octets",
            line.len()
        );
        let body = line.strip_suffix(b"\r\n");
        prop_assert!(body.is_some(), "line without CRLF: {:?}", shown);
        let body = body.unwrap_or_default();
        prop_assert!(
            !body.contains(&b'\r') && !body.contains(&b'\n'),
            "bare CR or LF inside {:?}",
            shown
        );
        prop_assert!(
            body.starts_with(code.as_bytes()),
            "{:?} without {}",
            shown,
            code
        );
        let sep = body.get(3).copied();
        if i + 1 == lines.len() {
            prop_assert!(matches!(sep, None | Some(b' ')), "last line {:?}", shown);
        } else {
            prop_assert_eq!(sep, Some(b'-'), "{:?}", shown);
        }
    }
    Ok(())
}

/// The text without any whitespace: what survives wrapping anywhere, even inside a word.
fn squeezed(s: &str) -> String {
    s.split_whitespace().collect()
}

/// Whatever `parse` accepts survives the strict writer: the wire form is strict, parses again
/// with the same code and no anomaly but those of the code itself, keeps the enhanced code and
/// the text. A reply without an enhanced code may gain one: its text may hold something shaped
/// like one that the writer puts at the start of a line (after a control character became a
/// space, or when wrapping), and the reader cannot tell the two apart.
fn check_strict_round_trip(input: &[u8]) -> Result<(), TestCaseError> {
    let Ok(parsed) = parse(input) else {
        return Ok(());
    };
    let _ = explain(&parsed);
    let reply = parsed.reply;
    let wire = reply.to_wire(true);
    check_strict_wire(&wire, &reply.code().to_string())?;
    let again = parse(&wire);
    prop_assert!(
        again.is_ok(),
        "{:?} does not parse: {:?}",
        String::from_utf8_lossy(&wire),
        again
    );
    let again = again.unwrap();
    for anomaly in &again.anomalies {
        prop_assert!(
            matches!(
                anomaly,
                Anomaly::NonstandardCode(_) | Anomaly::ClassMismatch { .. }
            ),
            "{:?}: {:?}",
            String::from_utf8_lossy(&wire),
            anomaly
        );
    }
    prop_assert_eq!(again.reply.code(), reply.code());
    if reply.enhanced().is_some() {
        prop_assert_eq!(again.reply.enhanced(), reply.enhanced());
    }
    if again.reply.enhanced() == reply.enhanced() {
        prop_assert_eq!(squeezed(&again.reply.text()), squeezed(&reply.text()));
    }
    Ok(())
}

/// Reply-like lines with what the strict writer must clean or wrap: control characters,
/// non-UTF-8 bytes, long words and long lines.
fn reply_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            4 => reply_like().prop_map(String::into_bytes),
            1 => proptest::collection::vec(any::<u8>(), 0..8),
            1 => (1usize..700, any::<bool>()).prop_map(|(n, spaces)| {
                let word: &[u8] = if spaces { b"ab " } else { b"x" };
                word.repeat(n)
            }),
            1 => Just(b"\x01 5.1.1 \x7f\t#4.2.2\x00".to_vec()),
        ],
        0..6,
    )
    .prop_map(|parts| {
        let mut out = b"250 ".to_vec();
        out.extend(parts.concat());
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsed_replies_round_trip_through_the_strict_writer(
        bytes in proptest::collection::vec(any::<u8>(), 0..700),
    ) {
        check_strict_round_trip(&bytes)?;
    }

    #[test]
    fn parsed_reply_like_text_round_trips_through_the_strict_writer(
        text in reply_like(),
        bytes in reply_like_bytes(),
    ) {
        check_strict_round_trip(text.as_bytes())?;
        check_strict_round_trip(&bytes)?;
    }

    #[test]
    fn parse_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..700)) {
        if let Ok(parsed) = parse(&bytes) {
            let _ = explain(&parsed);
        }
    }

    #[test]
    fn parse_never_panics_on_reply_like_text(text in reply_like()) {
        if let Ok(parsed) = parse(text.as_bytes()) {
            let _ = explain(&parsed);
        }
    }

    #[test]
    fn find_reply_never_panics(text in any::<String>()) {
        if let Ok(parsed) = find_reply(&text) {
            let _ = explain(&parsed);
        }
    }

    #[test]
    fn find_reply_never_panics_on_reply_like_text(
        prefix in "\\PC{0,30}",
        text in reply_like(),
    ) {
        if let Ok(parsed) = find_reply(&format!("{prefix}{text}")) {
            let _ = explain(&parsed);
        }
    }

    #[test]
    fn every_catalogue_reply_round_trips(
        index in 0..catalogue::ALL.len(),
        values in proptest::collection::vec(printable(), 4),
    ) {
        check_round_trip(catalogue::ALL[index], &values)?;
    }
}

/// Every entry at least once, with long values that force wrapping where there is room.
#[test]
fn every_catalogue_entry_round_trips_with_long_values() {
    let long = "word ".repeat(60);
    for entry in catalogue::ALL {
        for value in ["x", "bob@example.com", long.trim(), "", "ünïcödé 日本語 ✉"] {
            let values = vec![value.to_owned(); 4];
            if let Err(e) = check_round_trip(entry, &values) {
                panic!("{}: {e}", entry.id);
            }
        }
    }
}
