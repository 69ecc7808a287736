//! Delivery status notifications: the message that tells a sender what happened to their mail
//! (RFC 3464, RFC 3461, RFC 6522).
//!
//! [`build_dsn`] is a pure function: no I/O, no clock (the time is in [`DsnInput::now_ms`]),
//! the same input gives the same bytes. The caller enqueues [`Dsn::message`] from the null
//! sender `<>` to [`Dsn::to`].
//!
//! # The message
//!
//! `multipart/report; report-type=delivery-status` (RFC 6522) with three parts:
//!
//! 1. `text/plain`: for each recipient, what happened in one sentence, the reply quoted
//!    exactly as the server sent it with the host that sent it (or "the mail system at
//!    *this host* reported" for Tern's own catalogue replies), and the plain-language
//!    explanation from [`tern_codes::explain`]: what it means, the likely cause, who must act,
//!    whether a retry helps, what to do. A delay warning says until when Tern keeps trying.
//! 2. `message/delivery-status` (RFC 3464 §2): `Reporting-MTA`, `Original-Envelope-Id` (with
//!    `ENVID`), `Arrival-Date`, and per recipient `Original-Recipient` (with `ORCPT`),
//!    `Final-Recipient`, `Action`, `Status`, `Remote-MTA`, `Diagnostic-Code: smtp; <reply on
//!    one line>`, `Last-Attempt-Date`, `Will-Retry-Until` (delays). Two extension fields,
//!    `X-Tern-Queue-ID` and `X-Tern-Sender`, help an administrator find the message. The part
//!    is 7-bit: a non-ASCII address is typed `utf-8;` in the `utf-8-addr-xtext` form of
//!    RFC 6533 §3, and non-ASCII in a reply becomes `?` there (the text part keeps it).
//!    `message/global-delivery-status` (RFC 6533 §6) is not used and not required: the xtext
//!    form carries every address.
//! 3. The original: `message/rfc822` with the whole message, or `text/rfc822-headers` with
//!    its header block only (see [`Returned`] and "What is returned" below).
//!
//! Headers: `From: Mail Delivery System <MAILER-DAEMON@host>`, `To: <sender>`, a `Subject`
//! by kind, `Auto-Submitted: auto-replied` (RFC 3834 §5), `Date` from `now_ms`, a
//! `Message-ID` derived from the queue id, the time, the kind and the recipients, and
//! `MIME-Version`. The MIME boundary is derived the same way (so the bytes are reproducible)
//! and checked against the content.
//!
//! # When a DSN is sent
//!
//! - **Never to the null sender** (RFC 5321 §4.5.5, §6.1; RFC 3461 §6.2): a bounce is never
//!   answered with a bounce. That is the only loop rule. A message whose own headers say
//!   `Auto-Submitted:` (a vacation reply, a list message) still gets its failure notice:
//!   RFC 3834 §1 leaves DSNs out of its scope, and the automated sender behind a non-null
//!   return path (a list's bounce handler, a monitoring script) is exactly who needs to know.
//! - **NOTIFY** (RFC 3461 §4.1), per recipient, see [`should_notify`]: absent means failures
//!   and delays are reported (Tern's local policy: delay warnings by default, as RFC 3461
//!   §4.1 allows) and successes are not; `NEVER` means nothing; otherwise only the listed
//!   kinds. [`build_dsn`] applies it to every recipient with the `NOTIFY` of the matching
//!   envelope recipient, so a caller cannot send a report the sender refused.
//!
//! # What is returned
//!
//! RFC 3461 §4.3 leaves the default to the MTA. Tern's choices:
//!
//! - A **failure** returns the whole message (`message/rfc822`) for `RET=FULL` and when `RET`
//!   is absent: the person whose mail bounced often has no other copy, and needs it to send
//!   again. `RET=HDRS` returns the headers only.
//! - A **delay** or **success** report returns the headers only whatever `RET` says: the
//!   message is still queued or already delivered, and the headers identify it.
//! - Headers only, and the text says why, when the message is larger than
//!   [`RETURN_FULL_LIMIT`] (1 MiB, so the bounce itself is not refused for its size; Postfix's
//!   `bounce_size_limit` is the same idea), when it was sent as `BODY=BINARYMIME`, or when a
//!   line is longer than 998 octets (neither can travel inside a `message/rfc822` part).
//! - Bare CR or LF in the stored message become CRLF. When the returned part has 8-bit bytes
//!   it is labelled `8bit` and [`Dsn::body`] says `BODY=8BITMIME` is needed.
//!
//! # Header injection
//!
//! Every value from the network (addresses, `ORCPT`, `ENVID`, reply text, host names, the
//! original subject) goes through a sanitiser that turns control characters (CR and LF first)
//! into spaces before it reaches a header, a delivery-status field or the text part. The
//! `Dsn::to` field is the sender exactly as stored, for the envelope only.

mod fields;
mod text;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use mail_builder::MessageBuilder;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::raw::Raw;
use mail_builder::mime::MimePart;
use tern_codes::Reply;
use tern_store::{BodyType, Envelope, Notify, Ret};

pub use fields::rfc5322_date;

/// A failure DSN returns the whole message only up to this size (1 MiB); over it, only the
/// headers.
pub const RETURN_FULL_LIMIT: usize = 1024 * 1024;

/// The longest line a `message/rfc822` part may carry, CRLF excluded (RFC 5322 §2.1.1).
const MAX_LINE: usize = 998;

/// What kind of report this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DsnKind {
    /// The message will not be delivered to some recipients ("bounce").
    Failure,
    /// Not delivered yet; still being retried (a delay warning).
    Delay,
    /// Delivered, relayed or expanded (only with `NOTIFY=SUCCESS`).
    Success,
}

/// The `Action` of one recipient (RFC 3464 §2.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Will not be delivered.
    Failed,
    /// Not delivered yet; retried.
    Delayed,
    /// Delivered to the recipient's mailbox, or accepted by a server that reports onward.
    Delivered,
    /// Passed to a server that does not send DSNs: no further report will come.
    Relayed,
    /// Delivered to an alias or list that forwards to several addresses.
    Expanded,
}

impl Action {
    /// The field value: `failed`, `delayed`, `delivered`, `relayed`, `expanded`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Failed => "failed",
            Action::Delayed => "delayed",
            Action::Delivered => "delivered",
            Action::Relayed => "relayed",
            Action::Expanded => "expanded",
        }
    }

    /// The kind of report this action belongs to, for `NOTIFY` (RFC 3461 §4.1: `relayed` and
    /// `expanded` are reported under `SUCCESS`).
    pub const fn kind(self) -> DsnKind {
        match self {
            Action::Failed => DsnKind::Failure,
            Action::Delayed => DsnKind::Delay,
            Action::Delivered | Action::Relayed | Action::Expanded => DsnKind::Success,
        }
    }
}

/// One recipient to report.
#[derive(Debug, Clone)]
pub struct DsnRecipient<'a> {
    /// The recipient address (the envelope's forward path, without angle brackets).
    pub address: &'a str,
    /// `ORCPT` as given, if given.
    pub orcpt: Option<&'a tern_store::Orcpt>,
    /// What happened.
    pub action: Action,
    /// The remote reply verbatim, or Tern's own catalogue reply for local outcomes.
    pub reply: Reply,
    /// The host that gave the reply, when it came from another server.
    pub remote_mta: Option<&'a str>,
    /// When the last attempt was made, in Unix milliseconds.
    pub last_attempt_ms: Option<i64>,
    /// For delays: when Tern stops trying, in Unix milliseconds.
    pub will_retry_until_ms: Option<i64>,
}

/// Everything a DSN is built from.
#[derive(Debug, Clone)]
pub struct DsnInput<'a> {
    /// This host's name: `Reporting-MTA` and the `MAILER-DAEMON@` address.
    pub reporting_mta: &'a str,
    /// The original envelope: sender, `RET`, `ENVID`, each recipient's `NOTIFY`, arrival.
    pub original: &'a Envelope,
    /// The stored message, headers and body.
    pub original_message: &'a [u8],
    /// The original message's queue id.
    pub queue_id: &'a str,
    /// The recipients to report (others of the message are left out).
    pub recipients: Vec<DsnRecipient<'a>>,
    /// Failure, delay or success.
    pub kind: DsnKind,
    /// Now, in Unix milliseconds: the `Date` and the `Message-ID`.
    pub now_ms: i64,
}

/// A built notification, ready to enqueue with the null sender `<>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dsn {
    /// The recipient of the notification: the original sender, exactly as stored.
    pub to: String,
    /// The message, CRLF line ends.
    pub message: Vec<u8>,
    /// The `BODY=` to enqueue it with: `8BITMIME` when the returned original has 8-bit bytes.
    pub body: BodyType,
    /// Whether it must travel with `SMTPUTF8` (the sender's address is not ASCII).
    pub smtputf8: bool,
}

/// How much of the original a DSN carries, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    /// The whole message, as `message/rfc822`.
    Full,
    /// Headers only: the sender asked for it with `RET=HDRS`.
    HeadersRequested,
    /// Headers only: a delay or success report.
    HeadersNotFailure,
    /// Headers only: the message is over [`RETURN_FULL_LIMIT`].
    HeadersTooLarge,
    /// Headers only: the message is binary (`BODY=BINARYMIME` or over-long lines).
    HeadersBinary,
}

impl Returned {
    /// Decides what a report of `kind` returns of `message`, sent with `ret` and `body`.
    pub fn decide(kind: DsnKind, ret: Option<Ret>, body: BodyType, message: &[u8]) -> Returned {
        if kind != DsnKind::Failure {
            Returned::HeadersNotFailure
        } else if ret == Some(Ret::Headers) {
            Returned::HeadersRequested
        } else if message.len() > RETURN_FULL_LIMIT {
            Returned::HeadersTooLarge
        } else if body == BodyType::BinaryMime || has_long_line(message) {
            Returned::HeadersBinary
        } else {
            Returned::Full
        }
    }

    /// The sentence of the text part that says what is attached.
    pub const fn describe(self) -> &'static str {
        match self {
            Returned::Full => "Your whole message is attached at the end.",
            Returned::HeadersRequested => {
                "Only the headers of your message are attached at the end, as your mail \
                 program asked (RET=HDRS)."
            }
            Returned::HeadersNotFailure => {
                "The headers of your message are attached at the end, so you can tell which \
                 message this is."
            }
            Returned::HeadersTooLarge => {
                "Your message was larger than 1 MiB, so only its headers are attached at the \
                 end."
            }
            Returned::HeadersBinary => {
                "Your message was sent as binary content, which cannot be attached as it was, \
                 so only its headers are attached at the end."
            }
        }
    }
}

/// Whether a report of `kind` goes to `sender` for a recipient with `notify` (RFC 3461 §4.1).
///
/// - The null sender (`None`, or an empty string) never gets one (RFC 5321 §4.5.5).
/// - `NOTIFY` absent: failures and delays yes (delay warnings are Tern's local policy),
///   success no.
/// - `NOTIFY=NEVER`: no.
/// - Otherwise: only the kinds listed.
pub fn should_notify(sender: Option<&str>, notify: Option<Notify>, kind: DsnKind) -> bool {
    if sender.is_none_or(str::is_empty) {
        return false;
    }
    match notify {
        None => matches!(kind, DsnKind::Failure | DsnKind::Delay),
        Some(Notify::Never) => false,
        Some(Notify::On {
            success,
            failure,
            delay,
        }) => match kind {
            DsnKind::Failure => failure,
            DsnKind::Delay => delay,
            DsnKind::Success => success,
        },
    }
}

/// Builds the notification, or `None` when none must be sent: the original sender is null, or
/// no recipient is left after [`should_notify`] (each checked with the kind of its own
/// [`Action`] and the `NOTIFY` of the envelope recipient with the same address).
pub fn build_dsn(input: &DsnInput<'_>) -> Option<Dsn> {
    let sender = input.original.sender.as_deref().filter(|s| !s.is_empty())?;
    let recipients: Vec<&DsnRecipient<'_>> = input
        .recipients
        .iter()
        .filter(|r| {
            should_notify(
                Some(sender),
                notify_of(input.original, r.address),
                r.action.kind(),
            )
        })
        .collect();
    if recipients.is_empty() {
        return None;
    }

    let returned = Returned::decide(
        input.kind,
        input.original.params.ret,
        input.original.params.body,
        input.original_message,
    );
    let original: Cow<'_, [u8]> = match returned {
        Returned::Full => crlf(input.original_message),
        _ => crlf(header_block(input.original_message)),
    };
    let eight_bit = !original.is_ascii();
    let text = text::human_text(input, &recipients, returned);
    let status = fields::delivery_status(input, &recipients);

    let host = fields::host_atom(input.reporting_mta);
    let tag = tag(input, &recipients);
    let boundary = boundary(&tag, [text.as_bytes(), status.as_bytes(), &original]);

    let original_part = MimePart::new(
        ContentType::new(match returned {
            Returned::Full => "message/rfc822",
            _ => "text/rfc822-headers",
        }),
        original.into_owned(),
    )
    .header(
        "Content-Description",
        Raw::new(match (returned, input.kind) {
            (Returned::Full, _) => "Undelivered message",
            (_, DsnKind::Failure) => "Undelivered message headers",
            (_, _) => "Message headers",
        }),
    )
    .transfer_encoding(if eight_bit { "8bit" } else { "7bit" });
    let report = MimePart::new(
        ContentType::new("multipart/report")
            .attribute("report-type", "delivery-status")
            .attribute("boundary", boundary),
        vec![
            MimePart::new("text/plain", text)
                .header("Content-Description", Raw::new("Notification")),
            MimePart::new("message/delivery-status", status.into_bytes())
                .header("Content-Description", Raw::new("Delivery report"))
                .transfer_encoding("7bit"),
            original_part,
        ],
    );

    let message = MessageBuilder::new()
        .header(
            "From",
            Raw::new(format!("Mail Delivery System <MAILER-DAEMON@{host}>")),
        )
        .header("To", Raw::new(format!("<{}>", fields::clean(sender))))
        .header("Subject", Raw::new(subject(input.kind)))
        .header("Auto-Submitted", Raw::new("auto-replied"))
        .header("Date", Raw::new(rfc5322_date(input.now_ms)))
        .header("Message-ID", Raw::new(format!("<{tag}@{host}>")))
        .header("MIME-Version", Raw::new("1.0"))
        .body(report)
        .write_to_vec()
        .ok()?;

    Some(Dsn {
        to: sender.to_owned(),
        message,
        body: if eight_bit {
            BodyType::EightBitMime
        } else {
            BodyType::SevenBit
        },
        smtputf8: !sender.is_ascii(),
    })
}

/// The `Subject` of a report of `kind`.
pub const fn subject(kind: DsnKind) -> &'static str {
    match kind {
        DsnKind::Failure => "Undelivered Mail Returned to Sender",
        DsnKind::Delay => "Delayed Mail (still being retried)",
        DsnKind::Success => "Successful Mail Delivery Report",
    }
}

/// The `NOTIFY` of the envelope recipient `address` (exact match first, then ignoring ASCII
/// case); `None` when it is not in the envelope.
fn notify_of(envelope: &Envelope, address: &str) -> Option<Notify> {
    let rcpts = &envelope.recipients;
    rcpts
        .iter()
        .find(|r| r.address == address)
        .or_else(|| {
            rcpts
                .iter()
                .find(|r| r.address.eq_ignore_ascii_case(address))
        })
        .and_then(|r| r.notify)
}

/// The header block of a message: everything before the first empty line (the whole message
/// when there is none), including the last header's line end.
fn header_block(message: &[u8]) -> &[u8] {
    if message.starts_with(b"\r\n") || message.starts_with(b"\n") {
        return &[];
    }
    let mut i = 0;
    while let Some(pos) = message[i..].iter().position(|&b| b == b'\n') {
        let end = i + pos + 1;
        let next = &message[end..];
        if next.starts_with(b"\r\n") || next.starts_with(b"\n") {
            return &message[..end];
        }
        i = end;
    }
    message
}

/// Whether a line (CRLF excluded) is longer than 998 octets.
fn has_long_line(message: &[u8]) -> bool {
    message
        .split(|&b| b == b'\n')
        .any(|line| line.strip_suffix(b"\r").unwrap_or(line).len() > MAX_LINE)
}

/// `bytes` with every line ending CRLF (bare CR and bare LF become CRLF).
fn crlf(bytes: &[u8]) -> Cow<'_, [u8]> {
    let canonical = bytes.iter().enumerate().all(|(i, &b)| match b {
        b'\r' => bytes.get(i + 1) == Some(&b'\n'),
        b'\n' => i > 0 && bytes[i - 1] == b'\r',
        _ => true,
    });
    if canonical {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() + 64);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    Cow::Owned(out)
}

/// A token unique to this report: the time, the kind, the queue id and a hash of the reported
/// recipients. The local part of the `Message-ID` and the core of the MIME boundary.
fn tag(input: &DsnInput<'_>, recipients: &[&DsnRecipient<'_>]) -> String {
    // FNV-1a: stable across runs and platforms, which `DefaultHasher` does not promise.
    let mut hash: u32 = 0x811c_9dc5;
    for r in recipients {
        for &b in r
            .address
            .as_bytes()
            .iter()
            .chain(r.action.as_str().as_bytes())
        {
            hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        hash = (hash ^ 0xff).wrapping_mul(0x0100_0193);
    }
    let kind = match input.kind {
        DsnKind::Failure => "failure",
        DsnKind::Delay => "delay",
        DsnKind::Success => "success",
    };
    let id: String = input
        .queue_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(24)
        .collect();
    format!("{}.{kind}.{id}.{hash:08x}.dsn", input.now_ms)
}

/// A MIME boundary from `tag` that occurs in none of the `parts`. It starts with `=_`, which
/// quoted-printable and base64 output can never contain.
fn boundary(tag: &str, parts: [&[u8]; 3]) -> String {
    let mut n = 0u32;
    loop {
        let candidate = if n == 0 {
            format!("=_{tag}")
        } else {
            format!("=_{tag}.{n}")
        };
        if !parts.iter().any(|p| contains(p, candidate.as_bytes())) {
            return candidate;
        }
        n += 1;
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
