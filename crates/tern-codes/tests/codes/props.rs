//! Property tests: the tolerant parser never panics, and every catalogue reply survives
//! `reply_with` → `to_wire(true)` → `parse` with its code, enhanced code and text.

use proptest::prelude::*;
use tern_codes::catalogue::{self, Entry};
use tern_codes::{MAX_REPLY_LINE, explain, find_reply, parse, split_enhanced};

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

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
