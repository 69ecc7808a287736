//! Reading replies as real servers send them: tolerant of what it reads (RFC 5321 §4.2,
//! RFC 2034), while Tern's own replies are written strictly by [`Reply::write_wire`].

use std::fmt;

use crate::{EnhancedCode, Reply, ReplyCode};

/// Something unusual in a reply that was read anyway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Anomaly {
    /// Lines of one reply carry different codes; the first line's code is used.
    MixedCodes {
        /// The first line's code.
        first: ReplyCode,
        /// A different code seen on a later line.
        other: ReplyCode,
    },
    /// The code is outside the RFC 5321 grammar (first digit 1, or second digit 6–9).
    NonstandardCode(ReplyCode),
    /// The last line still had a `-` continuation: the reply may be cut short.
    Truncated,
    /// A line is longer than the 512 octets RFC 5321 allows.
    LineTooLong,
    /// The text is not valid UTF-8 (it was read lossily).
    NotUtf8,
    /// The basic code and the enhanced code disagree on the class (e.g. 550 with 4.2.2).
    ClassMismatch {
        /// The basic code.
        code: ReplyCode,
        /// The enhanced code.
        enhanced: EnhancedCode,
    },
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Anomaly::MixedCodes { first, other } => write!(
                f,
                "the reply's lines carry different codes ({first} and {other}); {first} is used"
            ),
            Anomaly::NonstandardCode(c) => {
                write!(f, "{c} is outside the code grammar of RFC 5321 §4.2")
            }
            Anomaly::Truncated => write!(
                f,
                "the last line ends with '-' (more lines announced): the reply may be cut short"
            ),
            Anomaly::LineTooLong => write!(f, "a line is longer than the 512 octets SMTP allows"),
            Anomaly::NotUtf8 => write!(f, "the text is not valid UTF-8"),
            Anomaly::ClassMismatch { code, enhanced } => write!(
                f,
                "the basic code {code} and the enhanced code {enhanced} disagree: {} vs {}; \
                 SMTP clients act on the basic code",
                code.class().name(),
                if enhanced.class() == 2 {
                    "success"
                } else if enhanced.class() == 4 {
                    "transient"
                } else {
                    "permanent"
                }
            ),
        }
    }
}

/// Why the input is not a reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// Nothing but whitespace.
    Empty,
    /// A line does not start with a three-digit code.
    NoCode {
        /// The line number, from 1.
        line: usize,
        /// The start of the offending line.
        found: String,
    },
    /// The code's digits are not a reply code (e.g. 650).
    BadCode(crate::CodeError),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Empty => write!(
                f,
                "the input is empty: expected a reply like \"550 5.1.1 User unknown\""
            ),
            ParseError::NoCode { line, found } => write!(
                f,
                "line {line} does not start with a three-digit reply code: {found:?}"
            ),
            ParseError::BadCode(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ParseError {}

/// A reply read from a peer, with whatever was odd about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The reply.
    pub reply: Reply,
    /// What was unusual, in the order found.
    pub anomalies: Vec<Anomaly>,
}

/// One line of a reply as read from the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyLine {
    /// The code at the start of the line.
    pub code: ReplyCode,
    /// True unless the code was followed by `-`.
    pub is_last: bool,
    /// The text after the separator, with any enhanced code still in it.
    pub text: String,
}

impl ReplyLine {
    /// Reads one line (with or without its line end). Tolerates a missing separator, tabs,
    /// and non-UTF-8 bytes.
    pub fn parse(line: &[u8]) -> Result<ReplyLine, ParseError> {
        let line = trim_line_end(line);
        let digits = line.get(..3).filter(|d| d.iter().all(u8::is_ascii_digit));
        let Some(digits) = digits else {
            return Err(ParseError::NoCode {
                line: 1,
                found: preview(line),
            });
        };
        let code: ReplyCode = std::str::from_utf8(digits)
            .unwrap_or("")
            .parse()
            .map_err(ParseError::BadCode)?;
        let rest = line.get(3..).unwrap_or_default();
        let (is_last, text) = match rest.first() {
            Some(b'-') => (false, &rest[1..]),
            Some(b' ' | b'\t') => (true, &rest[1..]),
            None => (true, rest),
            Some(_) => {
                return Err(ParseError::NoCode {
                    line: 1,
                    found: preview(line),
                });
            }
        };
        Ok(ReplyLine {
            code,
            is_last,
            text: String::from_utf8_lossy(text).into_owned(),
        })
    }
}

/// Reads a whole reply: one or more lines separated by CRLF or LF. Blank lines are skipped.
pub fn parse(input: &[u8]) -> Result<Parsed, ParseError> {
    let mut anomalies = Vec::new();
    if std::str::from_utf8(input).is_err() {
        anomalies.push(Anomaly::NotUtf8);
    }
    let mut lines = Vec::new();
    for (n, raw) in input.split(|&b| b == b'\n').enumerate() {
        let raw = trim_line_end(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if raw.len() + 2 > crate::reply::MAX_REPLY_LINE
            && !anomalies.contains(&Anomaly::LineTooLong)
        {
            anomalies.push(Anomaly::LineTooLong);
        }
        let line = ReplyLine::parse(raw.trim_ascii_start()).map_err(|e| match e {
            ParseError::NoCode { found, .. } => ParseError::NoCode { line: n + 1, found },
            other => other,
        })?;
        lines.push(line);
    }
    let Some(first) = lines.first() else {
        return Err(ParseError::Empty);
    };
    let code = first.code;
    if !code.is_standard_form() {
        anomalies.push(Anomaly::NonstandardCode(code));
    }
    if let Some(other) = lines.iter().map(|l| l.code).find(|&c| c != code) {
        anomalies.push(Anomaly::MixedCodes { first: code, other });
    }
    if lines.last().is_some_and(|l| !l.is_last) {
        anomalies.push(Anomaly::Truncated);
    }
    let enhanced = lines.iter().find_map(|l| split_enhanced(&l.text).0);
    let texts: Vec<String> = lines
        .iter()
        .map(|l| match split_enhanced(&l.text) {
            (Some(e), rest) if Some(e) == enhanced => rest.to_owned(),
            _ => l.text.trim().to_owned(),
        })
        .collect();
    if let Some(e) = enhanced
        && code.digits()[0] != e.class()
    {
        anomalies.push(Anomaly::ClassMismatch { code, enhanced: e });
    }
    Ok(Parsed {
        reply: Reply::from_lines(code, enhanced, texts),
        anomalies,
    })
}

/// Finds a reply inside free text such as a log line or a bounce:
/// `... said: 550 5.1.1 <bob@example.com>: Recipient address rejected (in reply to RCPT TO)`.
/// The reply starts at the first three-digit code (2yz–5yz) that stands alone as a word and is
/// followed by a space, a dash or the end; everything from there is parsed.
pub fn find_reply(text: &str) -> Result<Parsed, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    if let Ok(parsed) = parse(text.trim().as_bytes())
        && parsed.reply.code().value() >= 200
    {
        return Ok(parsed);
    }
    let bytes = text.as_bytes();
    let mut best: Option<usize> = None;
    for i in 0..bytes.len().saturating_sub(2) {
        let window = &bytes[i..i + 3];
        if !window.iter().all(u8::is_ascii_digit) || !(b'2'..=b'5').contains(&window[0]) {
            continue;
        }
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric() && bytes[i - 1] != b'.';
        let after = bytes.get(i + 3).copied();
        let after_ok = matches!(after, None | Some(b' ' | b'-' | b'\t' | b'\r' | b'\n'));
        if before_ok && after_ok {
            // Prefer a code followed by an enhanced code (e.g. "550 5.1.1").
            let rest = text.get(i + 4..).unwrap_or("");
            if split_enhanced(rest).0.is_some() {
                best = Some(i);
                break;
            }
            best.get_or_insert(i);
        }
    }
    match best {
        Some(i) => parse(&bytes[i..]),
        None => Err(ParseError::NoCode {
            line: 1,
            found: preview(bytes),
        }),
    }
}

/// Splits a leading enhanced code (`5.1.1 rest`) from a line of text.
pub fn split_enhanced(text: &str) -> (Option<EnhancedCode>, &str) {
    let trimmed = text.trim_start();
    let token_end = trimmed
        .find(|c: char| c.is_whitespace())
        .unwrap_or(trimmed.len());
    let token = trimmed[..token_end].trim_start_matches('#');
    match token.parse::<EnhancedCode>() {
        Ok(e) => (Some(e), trimmed[token_end..].trim()),
        Err(_) => (None, trimmed.trim_end()),
    }
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    &line[..end]
}

fn preview(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(&line[..line.len().min(40)]).into_owned();
    text.chars()
        .map(|c| if c.is_control() { '.' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Parsed {
        parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn gmail_multiline() {
        let parsed = p(
            "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n\
                        550-5.1.1 double-checking the recipient's email address for typos or\r\n\
                        550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser - gsmtp\r\n",
        );
        assert_eq!(parsed.reply.code(), ReplyCode::MAILBOX_UNAVAILABLE);
        assert_eq!(parsed.reply.enhanced().unwrap().to_string(), "5.1.1");
        assert_eq!(parsed.reply.lines().len(), 3);
        assert!(parsed.reply.lines()[1].starts_with("double-checking"));
        assert!(parsed.anomalies.is_empty());
    }

    #[test]
    fn tolerant_of_odd_forms() {
        let parsed = p("250");
        assert_eq!(parsed.reply.code(), ReplyCode::OK);
        assert_eq!(parsed.reply.text(), "");
        let parsed = p("  421\t4.7.0   Try again later  \n");
        assert_eq!(parsed.reply.enhanced().unwrap().to_string(), "4.7.0");
        assert_eq!(parsed.reply.text(), "Try again later");
        let parsed = p("220-first\n220-second");
        assert!(parsed.anomalies.contains(&Anomaly::Truncated));
        let parsed = p("250-a\n251 b");
        assert!(matches!(parsed.anomalies[0], Anomaly::MixedCodes { .. }));
    }

    #[test]
    fn class_mismatch_is_reported() {
        let parsed = p("550 4.2.2 Mailbox full");
        assert!(
            parsed
                .anomalies
                .iter()
                .any(|a| matches!(a, Anomaly::ClassMismatch { .. }))
        );
        let parsed = p("452 4.2.2 Mailbox full");
        assert!(parsed.anomalies.is_empty());
    }

    #[test]
    fn rejects_non_replies() {
        assert_eq!(parse(b"").unwrap_err(), ParseError::Empty);
        assert!(matches!(
            parse(b"55").unwrap_err(),
            ParseError::NoCode { .. }
        ));
        assert!(matches!(
            parse(b"5500 x").unwrap_err(),
            ParseError::NoCode { .. }
        ));
        assert!(matches!(
            parse(b"650 x").unwrap_err(),
            ParseError::BadCode(_)
        ));
        assert!(matches!(
            parse(b"250 ok\nhello").unwrap_err(),
            ParseError::NoCode { line: 2, .. }
        ));
    }

    #[test]
    fn finds_reply_in_log_line() {
        let line = "Nov 28 10:00:01 mx postfix/smtp[123]: ABCDEF: to=<bob@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command))";
        let parsed = find_reply(line).unwrap();
        assert_eq!(parsed.reply.code(), ReplyCode::MAILBOX_UNAVAILABLE);
        assert_eq!(parsed.reply.enhanced().unwrap().to_string(), "5.1.1");
        assert!(parsed.reply.text().contains("User unknown"));
    }

    #[test]
    fn split_enhanced_handles_hash_and_plain_text() {
        assert_eq!(
            split_enhanced("#5.1.1 smtp;550").0.unwrap().to_string(),
            "5.1.1"
        );
        assert_eq!(split_enhanced("Mailbox 5.1.1").0, None);
        assert_eq!(split_enhanced("").0, None);
    }
}
