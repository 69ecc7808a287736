//! Reading bounces: RFC 3464 delivery status notifications, and the common non-standard
//! layouts (Exim, qmail, Postfix's human-readable part, Exchange) read from their text.

use std::fmt;

use mail_parser::{MessageParser, MimeHeaders};
use serde::Serialize;
use tern_codes::{Explanation, explain, explain_enhanced, find_reply};

/// How the bounce was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// A `message/delivery-status` part (RFC 3464 §2).
    Rfc3464,
    /// No status part: recipients and replies found in the text.
    PlainText,
}

/// One recipient the bounce reports on.
#[derive(Debug)]
pub struct Recipient {
    /// The address (Final-Recipient, or the address found in the text).
    pub recipient: String,
    /// Action: failed, delayed, delivered, relayed, expanded (RFC 3464 §2.3.3).
    pub action: Option<String>,
    /// Status: the enhanced code (RFC 3464 §2.3.4).
    pub status: Option<String>,
    /// The remote MTA that gave the reply.
    pub remote_mta: Option<String>,
    /// The remote reply (Diagnostic-Code), verbatim.
    pub diagnostic: Option<String>,
    /// The explanation of the reply, or of the status when there is no reply.
    pub explanation: Option<Explanation>,
}

/// What a bounce says.
#[derive(Debug)]
pub struct Report {
    /// How it was read.
    pub format: Format,
    /// The MTA that wrote the bounce, when it says.
    pub reporting_mta: Option<String>,
    /// The recipients it reports on.
    pub recipients: Vec<Recipient>,
}

/// Why a file could not be read as a bounce.
#[derive(Debug)]
pub enum BounceError {
    /// Not a mail message at all.
    NotAMessage,
    /// A message, but no recipient and reply could be found in it.
    NoRecipients,
}

impl fmt::Display for BounceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BounceError::NotAMessage => {
                write!(
                    f,
                    "not a mail message: no header lines found (expected an .eml file)"
                )
            }
            BounceError::NoRecipients => write!(
                f,
                "no failed recipient found: the message has no delivery-status part and its text names no recipient with an SMTP reply"
            ),
        }
    }
}

impl std::error::Error for BounceError {}

/// Reads a bounce message.
pub fn read(raw: &[u8]) -> Result<Report, BounceError> {
    if !starts_with_header(raw) {
        return Err(BounceError::NotAMessage);
    }
    let message = MessageParser::default()
        .parse(raw)
        .filter(|m| !m.headers().is_empty())
        .ok_or(BounceError::NotAMessage)?;
    for part in message.parts.iter() {
        let is_status = part.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("message")
                && ct.subtype().is_some_and(|s| {
                    s.eq_ignore_ascii_case("delivery-status")
                        || s.eq_ignore_ascii_case("global-delivery-status")
                })
        });
        if is_status {
            let report = read_delivery_status(part.contents());
            if !report.recipients.is_empty() {
                return Ok(report);
            }
        }
    }
    let text = message
        .body_text(0)
        .map(|t| t.into_owned())
        .unwrap_or_else(|| String::from_utf8_lossy(raw).into_owned());
    let recipients = read_plain_text(&text);
    if recipients.is_empty() {
        return Err(BounceError::NoRecipients);
    }
    Ok(Report {
        format: Format::PlainText,
        reporting_mta: None,
        recipients,
    })
}

/// Whether the first line is a header field: a name of printable characters, then a colon
/// (RFC 5322 §2.2).
fn starts_with_header(raw: &[u8]) -> bool {
    let first_line = raw.split(|&b| b == b'\n').next().unwrap_or_default();
    match first_line.iter().position(|&b| b == b':') {
        Some(colon) if colon > 0 => first_line[..colon].iter().all(|&b| (33..=126).contains(&b)),
        _ => false,
    }
}

/// Parses the fields of a `message/delivery-status` body: a per-message group, then one group
/// per recipient, separated by blank lines; continuation lines start with white space.
fn read_delivery_status(body: &[u8]) -> Report {
    let text = String::from_utf8_lossy(body);
    let mut groups: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for line in text.lines() {
        if line.trim().is_empty() {
            if groups.last().is_some_and(|g| !g.is_empty()) {
                groups.push(Vec::new());
            }
            continue;
        }
        let group = groups.last_mut().expect("groups is never empty");
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = group.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            group.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let field = |group: &[(String, String)], name: &str| {
        group
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let reporting_mta = groups
        .first()
        .and_then(|g| field(g, "reporting-mta"))
        .map(|v| strip_type(&v));
    let mut recipients = Vec::new();
    for group in &groups {
        let Some(recipient) =
            field(group, "final-recipient").or_else(|| field(group, "original-recipient"))
        else {
            continue;
        };
        let status = field(group, "status");
        let diagnostic = field(group, "diagnostic-code").map(|v| strip_type(&v));
        let explanation = explain_parts(diagnostic.as_deref(), status.as_deref());
        recipients.push(Recipient {
            recipient: strip_type(&recipient),
            action: field(group, "action"),
            status,
            remote_mta: field(group, "remote-mta").map(|v| strip_type(&v)),
            diagnostic,
            explanation,
        });
    }
    Report {
        format: Format::Rfc3464,
        reporting_mta,
        recipients,
    }
}

/// Explains the diagnostic reply if there is one, else the status code.
fn explain_parts(diagnostic: Option<&str>, status: Option<&str>) -> Option<Explanation> {
    if let Some(parsed) = diagnostic.and_then(|d| find_reply(d).ok()) {
        return Some(explain(&parsed));
    }
    let status = status?.split_whitespace().next()?;
    status.parse().ok().map(explain_enhanced)
}

/// `rfc822; bob@example.com` → `bob@example.com`; `smtp; 550 ...` → `550 ...`.
fn strip_type(value: &str) -> String {
    match value.split_once(';') {
        Some((kind, rest)) if !kind.contains(' ') && kind.len() < 20 => rest.trim().to_owned(),
        _ => value.trim().to_owned(),
    }
}

/// Lines after which a plain-text bounce quotes the original message.
const ORIGINAL_MESSAGE_MARKERS: &[&str] = &[
    "below this line is a copy of the message",
    "this is a copy of the message",
    "original message follows",
    "the header of the original message",
    "original message headers",
    "undelivered message headers",
];

/// Finds recipients and their replies in the text of a non-standard bounce. Lines are grouped
/// into paragraphs; an indented line continues the line before it (as Postfix and Exim wrap
/// long replies). A paragraph's reply belongs to the address it names, or to the last address
/// named before it (qmail puts the address in its own line).
fn read_plain_text(text: &str) -> Vec<Recipient> {
    let mut paragraphs: Vec<Vec<String>> = vec![Vec::new()];
    for line in text.lines() {
        let lower = line.to_ascii_lowercase();
        if ORIGINAL_MESSAGE_MARKERS.iter().any(|m| lower.contains(m)) {
            break;
        }
        let paragraph = paragraphs.last_mut().expect("paragraphs is never empty");
        if line.trim().is_empty() {
            if !paragraph.is_empty() {
                paragraphs.push(Vec::new());
            }
            continue;
        }
        match paragraph.last_mut() {
            Some(previous) if line.starts_with([' ', '\t']) => {
                previous.push(' ');
                previous.push_str(line.trim());
            }
            _ => paragraph.push(line.trim().to_owned()),
        }
    }

    let mut recipients: Vec<Recipient> = Vec::new();
    let mut last_address: Option<String> = None;
    for paragraph in &paragraphs {
        let address = first_address(&paragraph.join(" "));
        if address.is_some() {
            last_address.clone_from(&address);
        }
        let Some(parsed) = paragraph
            .iter()
            .filter_map(|line| find_reply(line).ok())
            .find(|p| !p.reply.code().is_positive())
        else {
            continue;
        };
        let Some(recipient) = address.or_else(|| last_address.clone()) else {
            continue;
        };
        if recipients.iter().any(|r| r.recipient == recipient) {
            continue;
        }
        recipients.push(Recipient {
            recipient,
            action: Some("failed".to_owned()),
            status: parsed.reply.enhanced().map(|e| e.to_string()),
            remote_mta: None,
            diagnostic: Some(parsed.reply.to_string()),
            explanation: Some(explain(&parsed)),
        });
    }
    recipients
}

/// The first email address in the text: inside `<...>` if any, else a bare word with `@`.
fn first_address(text: &str) -> Option<String> {
    let bracketed = text.match_indices('<').find_map(|(i, _)| {
        let rest = &text[i + 1..];
        let end = rest.find('>')?;
        let inner = &rest[..end];
        (inner.contains('@') && !inner.contains(char::is_whitespace)).then(|| inner.to_owned())
    });
    bracketed.or_else(|| {
        text.split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && !"@-_+".contains(c)))
            .find(|w| {
                w.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
                })
            })
            .map(str::to_owned)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_finding() {
        assert_eq!(
            first_address("<bob@example.com>: host x said"),
            Some("bob@example.com".into())
        );
        assert_eq!(
            first_address("  bob@example.com"),
            Some("bob@example.com".into())
        );
        assert_eq!(
            first_address("to (alice@example.org)."),
            Some("alice@example.org".into())
        );
        assert_eq!(first_address("no address here @ all"), None);
    }

    #[test]
    fn not_a_message() {
        assert!(matches!(read(b""), Err(BounceError::NotAMessage)));
        assert!(matches!(
            read(&[0xff, 0xfe, 0x00, 0x13]),
            Err(BounceError::NotAMessage)
        ));
    }
}
