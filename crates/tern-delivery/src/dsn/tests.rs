//! DSNs parsed back with mail-parser: structure, fields, the human text, NOTIFY, RET, and
//! safety against injection.

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};
use tern_codes::catalogue::{self, Actor};
use tern_codes::{Parsed, Reply, explain, parse};
use tern_store::{BodyType, Envelope, Notify, Recipient, Ret};

use super::*;

/// 2025-06-02 10:00:00 UTC.
const NOW: i64 = 1_748_858_400_000;
/// Four days earlier.
const ARRIVED: i64 = NOW - 4 * 86_400_000;

const ORIGINAL: &[u8] = b"From: Alice <alice@example.org>\r\n\
To: Bob <bob@example.com>\r\n\
Subject: Quarterly report\r\n\
Message-ID: <orig-1@example.org>\r\n\
\r\n\
Hello Bob,\r\n\
the numbers are attached.\r\n";

fn envelope(recipients: Vec<Recipient>) -> Envelope {
    Envelope::new(Some("alice@example.org".to_owned()), recipients, ARRIVED)
}

fn remote_reply(wire: &str) -> Reply {
    parse(wire.as_bytes()).expect("a valid reply").reply
}

fn failed<'a>(address: &'a str, reply: &str) -> DsnRecipient<'a> {
    DsnRecipient {
        address,
        orcpt: None,
        action: Action::Failed,
        reply: remote_reply(reply),
        remote_mta: Some("mx.example.com"),
        last_attempt_ms: Some(NOW - 1000),
        will_retry_until_ms: None,
    }
}

fn input<'a>(env: &'a Envelope, kind: DsnKind, recipients: Vec<DsnRecipient<'a>>) -> DsnInput<'a> {
    DsnInput {
        reporting_mta: "mx.tern.example",
        original: env,
        original_message: ORIGINAL,
        queue_id: "01JQ3V8Q2M7Z4K9B",
        recipients,
        kind,
        now_ms: NOW,
    }
}

const UNKNOWN_USER: &str =
    "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown\r\n";

fn bounce_for_bob() -> (Envelope, Dsn) {
    let env = envelope(vec![Recipient::new("bob@example.com")]);
    let dsn = build_dsn(&input(
        &env,
        DsnKind::Failure,
        vec![failed("bob@example.com", UNKNOWN_USER)],
    ))
    .expect("a failure DSN");
    (env, dsn)
}

fn parsed(dsn: &Dsn) -> Message<'_> {
    MessageParser::default()
        .parse(&dsn.message)
        .expect("the DSN parses")
}

/// The three parts under the root: (content type "type/subtype", decoded contents).
fn parts(msg: &Message<'_>) -> Vec<(String, Vec<u8>)> {
    let PartType::Multipart(children) = &msg.parts[0].body else {
        panic!("the root is not multipart");
    };
    children
        .iter()
        .map(|&i| {
            let part = &msg.parts[i as usize];
            let ct = part.content_type().expect("a content type");
            let name = format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or(""));
            let body = match &part.body {
                PartType::Message(m) => m.raw_message().to_vec(),
                _ => part.contents().to_vec(),
            };
            (name, body)
        })
        .collect()
}

fn text_part(dsn: &Dsn) -> String {
    let msg = parsed(dsn);
    String::from_utf8(parts(&msg)[0].1.clone()).expect("UTF-8 text")
}

fn status_part(dsn: &Dsn) -> String {
    let msg = parsed(dsn);
    String::from_utf8(parts(&msg)[1].1.clone()).expect("ASCII status")
}

fn raw(dsn: &Dsn) -> String {
    String::from_utf8_lossy(&dsn.message).into_owned()
}

#[test]
fn structure_is_multipart_report_with_three_parts() {
    let (_, dsn) = bounce_for_bob();
    let msg = parsed(&dsn);
    let ct = msg.content_type().expect("content type");
    assert_eq!(ct.ctype(), "multipart");
    assert_eq!(ct.subtype(), Some("report"));
    assert_eq!(ct.attribute("report-type"), Some("delivery-status"));
    let types: Vec<String> = parts(&msg).into_iter().map(|(t, _)| t).collect();
    assert_eq!(
        types,
        ["text/plain", "message/delivery-status", "message/rfc822"]
    );
    // The returned original is the whole message, byte for byte.
    assert_eq!(parts(&msg)[2].1, ORIGINAL);
}

#[test]
fn top_level_headers() {
    let (_, dsn) = bounce_for_bob();
    assert_eq!(dsn.to, "alice@example.org");
    assert_eq!(dsn.body, BodyType::SevenBit);
    assert!(!dsn.smtputf8);
    let msg = parsed(&dsn);
    let from = msg.from().and_then(|a| a.first()).expect("From");
    assert_eq!(from.address(), Some("MAILER-DAEMON@mx.tern.example"));
    assert_eq!(from.name(), Some("Mail Delivery System"));
    let to = msg.to().and_then(|a| a.first()).expect("To");
    assert_eq!(to.address(), Some("alice@example.org"));
    assert_eq!(msg.subject(), Some("Undelivered Mail Returned to Sender"));
    assert_eq!(
        msg.header_raw("Auto-Submitted").map(str::trim),
        Some("auto-replied")
    );
    assert_eq!(
        msg.header_raw("Date").map(str::trim),
        Some("Mon, 2 Jun 2025 10:00:00 +0000")
    );
    let id = msg.message_id().expect("Message-ID");
    assert!(id.contains("01JQ3V8Q2M7Z4K9B"), "{id}");
    assert!(id.ends_with("@mx.tern.example"), "{id}");
    assert_eq!(msg.header_raw("MIME-Version").map(str::trim), Some("1.0"));
    // Every line ends CRLF.
    assert!(
        !dsn.message
            .windows(2)
            .any(|w| w[1] == b'\n' && w[0] != b'\r')
    );
}

#[test]
fn delivery_status_fields_in_exact_rfc3464_syntax() {
    let (_, dsn) = bounce_for_bob();
    let status = status_part(&dsn);
    let blocks: Vec<&str> = status.split("\r\n\r\n").collect();
    assert_eq!(blocks.len(), 2, "{status}");
    let message_fields: Vec<&str> = blocks[0].lines().collect();
    assert_eq!(
        message_fields,
        [
            "Reporting-MTA: dns; mx.tern.example",
            "X-Tern-Queue-ID: 01JQ3V8Q2M7Z4K9B",
            "X-Tern-Sender: rfc822; alice@example.org",
            "Arrival-Date: Thu, 29 May 2025 10:00:00 +0000",
        ]
    );
    let recipient_fields: Vec<&str> = blocks[1].lines().collect();
    assert_eq!(
        recipient_fields,
        [
            "Final-Recipient: rfc822; bob@example.com",
            "Action: failed",
            "Status: 5.1.1",
            "Remote-MTA: dns; mx.example.com",
            "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.com>: Recipient address rejected: \
             User unknown",
            "Last-Attempt-Date: Mon, 2 Jun 2025 09:59:59 +0000",
        ]
    );
    assert!(status.ends_with("\r\n"));
    assert!(status.is_ascii());
}

#[test]
fn human_part_quotes_the_reply_and_explains_it() {
    let (_, dsn) = bounce_for_bob();
    let text = text_part(&dsn);
    let reply = remote_reply(UNKNOWN_USER);
    let e = explain(&Parsed {
        reply: reply.clone(),
        anomalies: vec![],
    });
    assert!(text.contains("This is the mail system at mx.tern.example."));
    assert!(
        text.contains("Recipient:       <bob@example.com>"),
        "{text}"
    );
    assert!(text.contains("mx.example.com replied:"), "{text}");
    // Verbatim, on its own line.
    assert!(
        text.contains(
            "\r\n    550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown\r\n"
        ),
        "{text}"
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(!e.summary.is_empty());
    assert!(
        flat.contains(&e.summary),
        "summary {:?} in {flat}",
        e.summary
    );
    assert!(flat.contains(&e.action), "action {:?} in {flat}", e.action);
    assert!(flat.contains(&format!("Who must act: {}", e.who_acts.describe())));
    assert!(flat.contains("Sending again: no: never"), "{flat}");
    assert!(flat.contains("Subject: Quarterly report"));
    assert!(flat.contains("Your whole message is attached"));
    // Wrapped at 72, except the reply, which is quoted as it was.
    for line in text.split("\r\n").filter(|l| !l.starts_with("    ")) {
        assert!(line.chars().count() <= 72, "long line {line:?}");
    }
    // Short ASCII lines: the text part goes out as 7bit, readable as it is.
    assert!(raw(&dsn).contains("Content-Transfer-Encoding: 7bit\r\n\r\nThis is the mail system"));
}

#[test]
fn multi_line_reply_is_quoted_line_by_line() {
    let env = envelope(vec![Recipient::new("bob@example.com")]);
    let wire = "550-5.7.1 Our system has detected that this message is\r\n\
                550-5.7.1 likely unsolicited mail.\r\n\
                550 5.7.1 https://support.example.com/bulk\r\n";
    let dsn = build_dsn(&input(
        &env,
        DsnKind::Failure,
        vec![failed("bob@example.com", wire)],
    ))
    .expect("a DSN");
    let text = text_part(&dsn);
    for line in wire.split("\r\n").filter(|l| !l.is_empty()) {
        assert!(
            text.contains(&format!("    {line}\r\n")),
            "{line} in {text}"
        );
    }
    let status = status_part(&dsn);
    assert!(status.contains(
        "Diagnostic-Code: smtp; 550 5.7.1 Our system has detected that this message is \
         likely unsolicited mail. https://support.example.com/bulk\r\n"
    ));
}

#[test]
fn ret_hdrs_returns_only_the_header_block() {
    let mut env = envelope(vec![Recipient::new("bob@example.com")]);
    env.params.ret = Some(Ret::Headers);
    let dsn = build_dsn(&input(
        &env,
        DsnKind::Failure,
        vec![failed("bob@example.com", UNKNOWN_USER)],
    ))
    .expect("a DSN");
    let msg = parsed(&dsn);
    let parts = parts(&msg);
    assert_eq!(parts[2].0, "text/rfc822-headers");
    let headers = String::from_utf8(parts[2].1.clone()).expect("ASCII");
    assert!(headers.contains("Subject: Quarterly report\r\n"));
    assert!(headers.contains("Message-ID: <orig-1@example.org>"));
    assert!(!headers.contains("Hello Bob"));
    assert!(!raw(&dsn).contains("Hello Bob"));
    assert!(text_part(&dsn).contains("(RET=HDRS)"));
}

#[test]
fn ret_full_returns_the_whole_message() {
    let mut env = envelope(vec![Recipient::new("bob@example.com")]);
    env.params.ret = Some(Ret::Full);
    let dsn = build_dsn(&input(
        &env,
        DsnKind::Failure,
        vec![failed("bob@example.com", UNKNOWN_USER)],
    ))
    .expect("a DSN");
    let msg = parsed(&dsn);
    let parts = parts(&msg);
    assert_eq!(parts[2].0, "message/rfc822");
    assert_eq!(parts[2].1, ORIGINAL);
    let PartType::Message(inner) = &msg.parts[msg.parts.len() - 1].body else {
        panic!("the last part is not a message");
    };
    assert_eq!(inner.subject(), Some("Quarterly report"));
}

#[test]
fn large_messages_return_headers_only_and_say_why() {
    let env = envelope(vec![Recipient::new("bob@example.com")]);
    let mut big = ORIGINAL.to_vec();
    while big.len() <= RETURN_FULL_LIMIT {
        big.extend_from_slice(b"0123456789012345678901234567890123456789012345678901234567890\r\n");
    }
    let mut i = input(
        &env,
        DsnKind::Failure,
        vec![failed("bob@example.com", UNKNOWN_USER)],
    );
    i.original_message = &big;
    let dsn = build_dsn(&i).expect("a DSN");
    assert!(dsn.message.len() < 16 * 1024);
    let msg = parsed(&dsn);
    assert_eq!(parts(&msg)[2].0, "text/rfc822-headers");
    assert!(text_part(&dsn).contains("larger than 1 MiB"));
}

#[test]
fn binary_and_long_line_messages_return_headers_only() {
    let mut env = envelope(vec![Recipient::new("bob@example.com")]);
    env.params.body = BodyType::BinaryMime;
    let r = || vec![failed("bob@example.com", UNKNOWN_USER)];
    let dsn = build_dsn(&input(&env, DsnKind::Failure, r())).expect("a DSN");
    assert_eq!(parts(&parsed(&dsn))[2].0, "text/rfc822-headers");

    env.params.body = BodyType::SevenBit;
    let mut long = ORIGINAL.to_vec();
    long.extend(std::iter::repeat_n(b'x', 1200));
    long.extend_from_slice(b"\r\n");
    let mut i = input(&env, DsnKind::Failure, r());
    i.original_message = &long;
    let dsn = build_dsn(&i).expect("a DSN");
    assert_eq!(parts(&parsed(&dsn))[2].0, "text/rfc822-headers");
}

#[test]
fn eight_bit_original_asks_for_8bitmime() {
    let env = envelope(vec![Recipient::new("bob@example.com")]);
    let original = "From: alice@example.org\r\nSubject: Grüße\r\n\r\nSchöne Grüße\r\n";
    let mut i = input(
        &env,
        DsnKind::Failure,
        vec![failed("bob@example.com", UNKNOWN_USER)],
    );
    i.original_message = original.as_bytes();
    let dsn = build_dsn(&i).expect("a DSN");
    assert_eq!(dsn.body, BodyType::EightBitMime);
    assert!(raw(&dsn).contains("Content-Transfer-Encoding: 8bit"));
    assert_eq!(parts(&parsed(&dsn))[2].1, original.as_bytes());
}

#[test]
fn bare_line_feeds_in_the_original_become_crlf() {
    let env = envelope(vec![Recipient::new("bob@example.com")]);
    let mut i = input(
        &env,
        DsnKind::Failure,
        vec![failed("bob@example.com", UNKNOWN_USER)],
    );
    i.original_message = b"Subject: x\n\nline one\nline two\r\n";
    let dsn = build_dsn(&i).expect("a DSN");
    assert_eq!(
        parts(&parsed(&dsn))[2].1,
        b"Subject: x\r\n\r\nline one\r\nline two\r\n"
    );
}

#[test]
fn envid_and_orcpt_are_reported() {
    let mut env = envelope(vec![Recipient {
        address: "bob@example.com".to_owned(),
        notify: None,
        orcpt: Some(tern_store::Orcpt::from_decoded(
            "rfc822;Bob+tag@Example.COM",
        )),
    }]);
    env.params.envid = Some("QQ314159".to_owned());
    let mut r = failed("bob@example.com", UNKNOWN_USER);
    let orcpt = tern_store::Orcpt::from_decoded("rfc822;Bob+tag@Example.COM");
    r.orcpt = Some(&orcpt);
    let dsn = build_dsn(&input(&env, DsnKind::Failure, vec![r])).expect("a DSN");
    let status = status_part(&dsn);
    assert!(
        status.contains("Original-Envelope-Id: QQ314159\r\n"),
        "{status}"
    );
    assert!(status.contains(
        "\r\n\r\nOriginal-Recipient: rfc822; Bob+tag@Example.COM\r\n\
         Final-Recipient: rfc822; bob@example.com\r\n"
    ));
    let text = text_part(&dsn);
    assert!(text.contains("Envelope ID:     QQ314159"));
    assert!(text.contains("Originally to:   <Bob+tag@Example.COM>"));
}

#[test]
fn null_sender_never_gets_a_dsn() {
    let mut env = envelope(vec![Recipient::new("bob@example.com")]);
    env.sender = None;
    let r = vec![failed("bob@example.com", UNKNOWN_USER)];
    assert_eq!(build_dsn(&input(&env, DsnKind::Failure, r.clone())), None);
    env.sender = Some(String::new());
    assert_eq!(build_dsn(&input(&env, DsnKind::Failure, r)), None);
    for kind in [DsnKind::Failure, DsnKind::Delay, DsnKind::Success] {
        assert!(!should_notify(None, None, kind));
        assert!(!should_notify(Some(""), None, kind));
    }
}

#[test]
fn notify_rules() {
    let s = Some("alice@example.org");
    use DsnKind::*;
    // Absent: failures and delays, not success.
    assert!(should_notify(s, None, Failure));
    assert!(should_notify(s, None, Delay));
    assert!(!should_notify(s, None, Success));
    // NEVER: nothing.
    for kind in [Failure, Delay, Success] {
        assert!(!should_notify(s, Some(Notify::Never), kind));
    }
    // Only what is listed.
    let only_success = Notify::On {
        success: true,
        failure: false,
        delay: false,
    };
    assert!(should_notify(s, Some(only_success), Success));
    assert!(!should_notify(s, Some(only_success), Failure));
    assert!(!should_notify(s, Some(only_success), Delay));
    let failure_delay = Notify::On {
        success: false,
        failure: true,
        delay: true,
    };
    assert!(should_notify(s, Some(failure_delay), Failure));
    assert!(should_notify(s, Some(failure_delay), Delay));
    assert!(!should_notify(s, Some(failure_delay), Success));
}

#[test]
fn notify_never_recipient_gets_no_dsn() {
    let env = envelope(vec![Recipient {
        address: "bob@example.com".to_owned(),
        notify: Some(Notify::Never),
        orcpt: None,
    }]);
    let r = vec![failed("bob@example.com", UNKNOWN_USER)];
    assert_eq!(build_dsn(&input(&env, DsnKind::Failure, r)), None);
}

#[test]
fn notify_success_only_reports_success() {
    let env = envelope(vec![Recipient {
        address: "bob@example.com".to_owned(),
        notify: Some(Notify::On {
            success: true,
            failure: false,
            delay: false,
        }),
        orcpt: None,
    }]);
    let r = vec![failed("bob@example.com", UNKNOWN_USER)];
    assert_eq!(build_dsn(&input(&env, DsnKind::Failure, r)), None);

    let delivered = DsnRecipient {
        action: Action::Delivered,
        reply: remote_reply("250 2.0.0 Ok: queued as 4XyZ\r\n"),
        ..failed("bob@example.com", UNKNOWN_USER)
    };
    let dsn = build_dsn(&input(&env, DsnKind::Success, vec![delivered])).expect("a DSN");
    let msg = parsed(&dsn);
    assert_eq!(msg.subject(), Some("Successful Mail Delivery Report"));
    assert_eq!(parts(&msg)[2].0, "text/rfc822-headers");
    let status = status_part(&dsn);
    assert!(
        status.contains("Action: delivered\r\nStatus: 2.0.0\r\n"),
        "{status}"
    );
    let text = text_part(&dsn);
    assert!(text.contains("    250 2.0.0 Ok: queued as 4XyZ\r\n"));
    assert!(text.contains("Delivered: the receiving server mx.example.com accepted"));

    // Without NOTIFY, success is not reported.
    let plain = envelope(vec![Recipient::new("bob@example.com")]);
    let delivered = DsnRecipient {
        action: Action::Delivered,
        reply: remote_reply("250 2.0.0 Ok\r\n"),
        ..failed("bob@example.com", UNKNOWN_USER)
    };
    assert_eq!(
        build_dsn(&input(&plain, DsnKind::Success, vec![delivered])),
        None
    );
}

/// A discard route's success report: `delivered` with the "discarded" reply (as Postfix
/// reports its `discard:` transport), and the text says it was dropped, not put in a mailbox.
#[test]
fn a_discarded_recipient_is_reported_delivered_and_said_discarded() {
    let env = envelope(vec![Recipient {
        address: "bob@sink.example".to_owned(),
        notify: Some(Notify::On {
            success: true,
            failure: true,
            delay: false,
        }),
        orcpt: None,
    }]);
    let discarded = DsnRecipient {
        action: Action::Delivered,
        reply: catalogue::DELIVERY_DISCARDED.reply_with(&[("domain", "sink.example")]),
        remote_mta: None,
        ..failed("bob@sink.example", UNKNOWN_USER)
    };
    let dsn = build_dsn(&input(&env, DsnKind::Success, vec![discarded])).expect("a DSN");
    let status = status_part(&dsn);
    assert!(
        status.contains("Action: delivered\r\nStatus: 2.0.0\r\n"),
        "{status}"
    );
    assert!(
        status.contains("Diagnostic-Code: smtp; 250 2.0.0 Discarded by the route for sink.example"),
        "{status}"
    );
    assert!(!status.contains("Remote-MTA"), "{status}");
    let text = text_part(&dsn);
    assert!(
        text.contains("Discarded: this mail system accepted the message"),
        "{text}"
    );
    assert!(
        !text.contains("Delivered to the recipient's mailbox"),
        "{text}"
    );
}

#[test]
fn only_recipients_whose_notify_allows_are_reported() {
    let env = envelope(vec![
        Recipient::new("bob@example.com"),
        Recipient {
            address: "carol@example.com".to_owned(),
            notify: Some(Notify::Never),
            orcpt: None,
        },
        Recipient::new("dave@example.com"),
    ]);
    let dsn = build_dsn(&input(
        &env,
        DsnKind::Failure,
        vec![
            failed("bob@example.com", UNKNOWN_USER),
            failed("carol@example.com", UNKNOWN_USER),
            failed("dave@example.com", "552 5.2.2 Mailbox full\r\n"),
        ],
    ))
    .expect("a DSN");
    let status = status_part(&dsn);
    assert!(status.contains("Final-Recipient: rfc822; bob@example.com"));
    assert!(!status.contains("carol"));
    assert!(!text_part(&dsn).contains("carol"));
    assert!(
        status.contains(
            "Final-Recipient: rfc822; dave@example.com\r\nAction: failed\r\nStatus: 5.2.2"
        )
    );
    assert_eq!(status.split("\r\n\r\n").count(), 3);
}

#[test]
fn delay_warning_says_until_when() {
    let env = envelope(vec![Recipient::new("bob@example.com")]);
    let until = ARRIVED + 5 * 86_400_000;
    let r = DsnRecipient {
        action: Action::Delayed,
        reply: remote_reply("451 4.7.1 Greylisted, please try again later\r\n"),
        will_retry_until_ms: Some(until),
        ..failed("bob@example.com", UNKNOWN_USER)
    };
    let dsn = build_dsn(&input(&env, DsnKind::Delay, vec![r])).expect("a DSN");
    let msg = parsed(&dsn);
    assert_eq!(msg.subject(), Some("Delayed Mail (still being retried)"));
    assert_eq!(parts(&msg)[2].0, "text/rfc822-headers");
    let status = status_part(&dsn);
    assert!(
        status.contains("Action: delayed\r\nStatus: 4.7.1\r\n"),
        "{status}"
    );
    assert!(status.contains("Will-Retry-Until: Tue, 3 Jun 2025 10:00:00 +0000\r\n"));
    let text = text_part(&dsn);
    assert!(
        text.contains("Trying until:    Tue, 3 Jun 2025 10:00:00 +0000"),
        "{text}"
    );
    assert!(text.contains("    451 4.7.1 Greylisted, please try again later\r\n"));
    assert!(
        text.contains("Sending again:   yes: the mail system retries by itself"),
        "{text}"
    );
}

#[test]
fn will_retry_until_only_for_delays() {
    let (_, dsn) = bounce_for_bob();
    assert!(!status_part(&dsn).contains("Will-Retry-Until"));
}

#[test]
fn expired_transient_failure_is_status_5_and_says_tern_gave_up() {
    let env = envelope(vec![Recipient::new("bob@example.com")]);
    let r = failed("bob@example.com", "421 4.4.2 mx.example.com timed out\r\n");
    let dsn = build_dsn(&input(&env, DsnKind::Failure, vec![r])).expect("a DSN");
    let status = status_part(&dsn);
    assert!(
        status.contains("Action: failed\r\nStatus: 5.4.2\r\n"),
        "{status}"
    );
    assert!(status.contains("Diagnostic-Code: smtp; 421 4.4.2 mx.example.com timed out\r\n"));
    let flat = text_part(&dsn)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("so it gave up"), "{flat}");
    assert!(
        flat.contains("sending the message again later may succeed"),
        "{flat}"
    );
}

#[test]
fn status_falls_back_to_the_class_without_an_enhanced_code() {
    let env = envelope(vec![Recipient::new("bob@example.com")]);
    let r = failed("bob@example.com", "554 No thanks\r\n");
    let dsn = build_dsn(&input(&env, DsnKind::Failure, vec![r])).expect("a DSN");
    assert!(status_part(&dsn).contains("Status: 5.0.0\r\nRemote-MTA: dns; mx.example.com\r\nDiagnostic-Code: smtp; 554 No thanks\r\n"));
}

#[test]
fn local_failure_uses_the_catalogue_reply_and_names_this_host() {
    let env = envelope(vec![Recipient::new("bob@nowhere.example")]);
    let reply = catalogue::DELIVERY_NO_SUCH_DOMAIN.reply_with(&[("domain", "nowhere.example")]);
    let r = DsnRecipient {
        address: "bob@nowhere.example",
        orcpt: None,
        action: Action::Failed,
        reply: reply.clone(),
        remote_mta: None,
        last_attempt_ms: Some(NOW),
        will_retry_until_ms: None,
    };
    let dsn = build_dsn(&input(&env, DsnKind::Failure, vec![r])).expect("a DSN");
    let status = status_part(&dsn);
    assert!(!status.contains("Remote-MTA"));
    assert!(status.contains("Status: 5.1.2\r\n"));
    assert!(status.contains(&format!("Diagnostic-Code: smtp; {reply}\r\n")));
    let text = text_part(&dsn);
    assert!(text.contains("The mail system at mx.tern.example reported:"));
    assert!(text.contains(&format!("    {reply}\r\n")));
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let entry = &catalogue::DELIVERY_NO_SUCH_DOMAIN;
    assert!(flat.contains(entry.action), "{flat}");
    assert!(flat.contains(&format!("Who must act: {}", Actor::Sender.describe())));
}

#[test]
fn nothing_from_the_network_can_inject_a_header_or_field() {
    let sender = "alice@example.org\r\nBcc: victim@evil.example";
    let address = "bob@example.com\r\nX-Injected: 1";
    let mut env = Envelope::new(
        Some(sender.to_owned()),
        vec![Recipient::new(address)],
        ARRIVED,
    );
    env.params.envid = Some("ID\r\nX-Injected: envid".to_owned());
    let mut r = failed(address, UNKNOWN_USER);
    // `Reply` itself refuses control characters; build one with CR LF anyway.
    r.reply = Reply::new(
        tern_codes::ReplyCode::MAILBOX_UNAVAILABLE,
        "5.1.1".parse().ok(),
        "no such user\r\nX-Injected: reply\rAction: delivered",
    );
    r.remote_mta = Some("mx.example.com\r\nX-Injected: host");
    let orcpt = tern_store::Orcpt::from_decoded("rfc822;bob@example.com\nX-Injected: orcpt");
    r.orcpt = Some(&orcpt);
    let mut i = input(&env, DsnKind::Failure, vec![r]);
    i.reporting_mta = "mx.tern.example\r\nX-Injected: mta";
    i.queue_id = "Q1\r\nX-Injected: qid";
    let dsn = build_dsn(&i).expect("a DSN");
    assert_eq!(
        dsn.to, sender,
        "the envelope recipient is the stored sender"
    );
    let raw = raw(&dsn);
    for line in raw.split("\r\n") {
        assert!(!line.starts_with("X-Injected"), "injected line {line:?}");
        assert!(!line.starts_with("Bcc"), "injected line {line:?}");
        assert!(!line.contains('\r') && !line.contains('\n'));
    }
    let msg = parsed(&dsn);
    assert!(msg.header_raw("Bcc").is_none());
    assert!(msg.header_raw("X-Injected").is_none());
    let status = status_part(&dsn);
    for line in status.split("\r\n") {
        assert!(!line.starts_with("X-Injected"), "{line:?}");
    }
    let actions = status.split("\r\n").filter(|l| l.starts_with("Action:"));
    assert_eq!(actions.collect::<Vec<_>>(), ["Action: failed"], "{status}");
    assert!(status.contains("Action: failed"));
    assert!(status_part(&dsn).contains("Final-Recipient: rfc822; bob@example.com  X-Injected: 1"));
    let text = text_part(&dsn);
    for line in text.split("\r\n") {
        assert!(!line.starts_with("X-Injected"), "{line:?}");
    }
}

#[test]
fn utf8_addresses_are_typed_utf8_in_xtext_form() {
    let env = Envelope::new(
        Some("jörg@beispiel.de".to_owned()),
        vec![Recipient::new("ñandú+x@example.com")],
        ARRIVED,
    );
    let mut r = failed("ñandú+x@example.com", UNKNOWN_USER);
    let orcpt = tern_store::Orcpt::from_decoded("utf-8;ñandú\\x{2B}x@example.com");
    r.orcpt = Some(&orcpt);
    let dsn = build_dsn(&input(&env, DsnKind::Failure, vec![r])).expect("a DSN");
    assert!(dsn.smtputf8);
    assert_eq!(dsn.to, "jörg@beispiel.de");
    let status = status_part(&dsn);
    assert!(status.is_ascii());
    assert!(
        status.contains("Final-Recipient: utf-8; \\x{F1}and\\x{FA}\\x{2B}x@example.com\r\n"),
        "{status}"
    );
    assert!(
        status.contains("Original-Recipient: utf-8; \\x{F1}and\\x{FA}\\x{2B}x@example.com\r\n"),
        "{status}"
    );
    assert!(status.contains("X-Tern-Sender: utf-8; j\\x{F6}rg@beispiel.de\r\n"));
    let text = text_part(&dsn);
    assert!(text.contains("<ñandú+x@example.com>"));
    let msg = parsed(&dsn);
    let to = msg.to().and_then(|a| a.first()).expect("To");
    assert_eq!(to.address(), Some("jörg@beispiel.de"));
}

#[test]
fn typed_addresses() {
    use fields::{typed_address, typed_orcpt};
    assert_eq!(typed_address("a+b@x.org"), "rfc822; a+b@x.org");
    assert_eq!(typed_address("ü=1@x.org"), "utf-8; \\x{FC}\\x{3D}1@x.org");
    assert_eq!(typed_address("😀@x.org"), "utf-8; \\x{1F600}@x.org");
    assert_eq!(typed_orcpt("rfc822;a@x.org"), "rfc822; a@x.org");
    assert_eq!(typed_orcpt("RFC822; a@x.org"), "rfc822; a@x.org");
    assert_eq!(typed_orcpt("a@x.org"), "rfc822; a@x.org");
    assert_eq!(typed_orcpt("rfc822;ü@x.org"), "utf-8; \\x{FC}@x.org");
    assert_eq!(typed_orcpt("x400;c=us;a=att"), "x400; c=us;a=att");
}

#[test]
fn same_input_same_bytes_and_ids_differ_by_time() {
    let env = envelope(vec![Recipient::new("bob@example.com")]);
    let r = || vec![failed("bob@example.com", UNKNOWN_USER)];
    let a = build_dsn(&input(&env, DsnKind::Failure, r())).expect("a DSN");
    let b = build_dsn(&input(&env, DsnKind::Failure, r())).expect("a DSN");
    assert_eq!(a, b);
    let mut later = input(&env, DsnKind::Failure, r());
    later.now_ms += 1;
    let c = build_dsn(&later).expect("a DSN");
    let id = |d: &Dsn| parsed(d).message_id().map(str::to_owned);
    assert_ne!(id(&a), id(&c));
    let delay = DsnRecipient {
        action: Action::Delayed,
        ..failed("bob@example.com", "451 4.3.0 try later\r\n")
    };
    let d = build_dsn(&input(&env, DsnKind::Delay, vec![delay])).expect("a DSN");
    assert_ne!(id(&a), id(&d));
}

#[test]
fn boundary_avoids_content_that_contains_it() {
    let env = envelope(vec![Recipient::new("bob@example.com")]);
    let r = || vec![failed("bob@example.com", UNKNOWN_USER)];
    let first = build_dsn(&input(&env, DsnKind::Failure, r())).expect("a DSN");
    let msg = parsed(&first);
    let boundary = msg
        .content_type()
        .and_then(|c| c.attribute("boundary"))
        .expect("a boundary")
        .to_owned();
    assert!(boundary.len() <= 70, "{boundary}");
    let hostile =
        format!("Subject: hi\r\n\r\n--{boundary}\r\nContent-Type: text/plain\r\n\r\nfake\r\n");
    let mut i = input(&env, DsnKind::Failure, r());
    i.original_message = hostile.as_bytes();
    let dsn = build_dsn(&i).expect("a DSN");
    let msg = parsed(&dsn);
    let used = msg
        .content_type()
        .and_then(|c| c.attribute("boundary"))
        .expect("a boundary");
    assert_ne!(used, boundary);
    let parts = parts(&msg);
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[2].1, hostile.as_bytes());
}

#[test]
fn header_block_edges() {
    assert_eq!(
        header_block(b"A: 1\r\nB: 2\r\n\r\nbody"),
        b"A: 1\r\nB: 2\r\n"
    );
    assert_eq!(header_block(b"A: 1\nB: 2\n\nbody"), b"A: 1\nB: 2\n");
    assert_eq!(header_block(b"A: 1\r\n"), b"A: 1\r\n");
    assert_eq!(header_block(b"\r\nbody"), b"");
    assert_eq!(header_block(b""), b"");
}

#[test]
fn long_diagnostic_is_folded_within_998_octets() {
    let env = envelope(vec![Recipient::new("bob@example.com")]);
    let words = "word ".repeat(400);
    let mut r = failed("bob@example.com", UNKNOWN_USER);
    r.reply = Reply::from_lines(
        tern_codes::ReplyCode::MAILBOX_UNAVAILABLE,
        "5.7.1".parse().ok(),
        [words.as_str(), words.as_str()],
    );
    let dsn = build_dsn(&input(&env, DsnKind::Failure, vec![r])).expect("a DSN");
    let status = status_part(&dsn);
    for line in status.split("\r\n") {
        assert!(line.len() <= 998, "{}", line.len());
    }
    let unfolded = status.replace("\r\n ", " ");
    assert!(unfolded.contains(&format!(
        "Diagnostic-Code: smtp; 550 5.7.1 {}",
        "word ".repeat(10)
    )));
}

#[test]
fn every_action_has_a_sentence_and_kind() {
    for (action, kind) in [
        (Action::Failed, DsnKind::Failure),
        (Action::Delayed, DsnKind::Delay),
        (Action::Delivered, DsnKind::Success),
        (Action::Relayed, DsnKind::Success),
        (Action::Expanded, DsnKind::Success),
    ] {
        assert_eq!(action.kind(), kind);
        let env = envelope(vec![Recipient {
            address: "bob@example.com".to_owned(),
            notify: Some(Notify::On {
                success: true,
                failure: true,
                delay: true,
            }),
            orcpt: None,
        }]);
        let r = DsnRecipient {
            action,
            ..failed("bob@example.com", UNKNOWN_USER)
        };
        let dsn = build_dsn(&input(&env, kind, vec![r])).expect("a DSN");
        assert!(status_part(&dsn).contains(&format!("Action: {}\r\n", action.as_str())));
        assert!(text_part(&dsn).contains("What happened:"));
    }
}

#[test]
#[ignore = "prints a sample DSN"]
fn print_sample() {
    let (_, dsn) = bounce_for_bob();
    println!("{}", raw(&dsn));
}
