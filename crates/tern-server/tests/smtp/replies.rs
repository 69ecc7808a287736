//! Every server reply code of REPLIES.md, provoked over real TCP, with its exact code and
//! enhanced code. (211 is defined but sent in answer to no command; it is parsed and explained
//! in tern-codes.)

use std::sync::Arc;
use std::time::Duration;

use tern_config::ListenerKind::{Smtp, Submission, Submissions};
use tern_server::Hooks;
use tern_store::QueueStore;

use super::{ALL_LISTENERS, TestServer, expect};

const SMTP_ONLY: &str = "[[listener]]\nkind = \"smtp\"\naddress = \"127.0.0.1:0\"\n";

#[tokio::test]
async fn code_220_221_250_greeting_quit_and_transaction() {
    let s = TestServer::start("").await;
    let mut c = s.connect(Smtp).await;
    let ehlo = c.ehlo().await;
    expect(&ehlo, 250, None);
    assert!(ehlo.lines().iter().any(|l| l == "STARTTLS"), "{ehlo}");
    assert!(
        !ehlo.lines().iter().any(|l| l.starts_with("AUTH")),
        "no AUTH before TLS: {ehlo}"
    );
    expect(&c.cmd("NOOP").await, 250, Some("2.0.0"));
    expect(
        &c.cmd("MAIL FROM:<alice@example.org>").await,
        250,
        Some("2.1.0"),
    );
    expect(
        &c.cmd("RCPT TO:<postmaster@localhost>").await,
        250,
        Some("2.1.5"),
    );
    expect(&c.cmd("DATA").await, 354, None);
    let done = c.cmd("Subject: t\r\n\r\nhello\r\n.").await;
    expect(&done, 250, Some("2.0.0"));
    assert!(done.text().starts_with("Ok: queued as "), "{done}");
    expect(&c.cmd("RSET").await, 250, Some("2.0.0"));
    expect(&c.cmd("QUIT").await, 221, Some("2.0.0"));
    assert!(c.is_closed().await);
}

#[tokio::test]
async fn code_250_bdat_last() {
    let s = TestServer::start("").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(
        &c.cmd("MAIL FROM:<a@example.org> BODY=BINARYMIME").await,
        250,
        Some("2.1.0"),
    );
    expect(
        &c.cmd("RCPT TO:<postmaster@localhost>").await,
        250,
        Some("2.1.5"),
    );
    c.send(b"BDAT 5\r\nhello").await;
    expect(&c.reply().await, 250, Some("2.0.0"));
    c.send(b"BDAT 2 LAST\r\n\r\n").await;
    let done = c.reply().await;
    expect(&done, 250, Some("2.0.0"));
    assert!(done.text().contains("queued as"));
}

#[tokio::test]
async fn code_214_252_502_help_vrfy_expn() {
    let s = TestServer::start("").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(&c.cmd("HELP").await, 214, Some("2.0.0"));
    expect(&c.cmd("HELP MAIL").await, 214, Some("2.0.0"));
    expect(&c.cmd("VRFY postmaster").await, 252, Some("2.0.0"));
    expect(&c.cmd("EXPN staff").await, 502, Some("5.5.1"));
    expect(&c.cmd("TURN").await, 502, Some("5.5.1"));
}

#[tokio::test]
async fn code_251_forward_and_551_moved() {
    let s = TestServer::start(
        "[local.forward]\n\"carol@localhost\" = \"carol@example.net\"\n\
         [local.moved]\n\"dave@localhost\" = \"dave@example.org\"\n",
    )
    .await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(
        &c.cmd("MAIL FROM:<a@example.org>").await,
        250,
        Some("2.1.0"),
    );
    let fwd = c.cmd("RCPT TO:<carol@localhost>").await;
    expect(&fwd, 251, Some("2.1.5"));
    assert!(fwd.text().contains("carol@example.net"));
    let moved = c.cmd("RCPT TO:<dave@localhost>").await;
    expect(&moved, 551, Some("5.1.6"));
    assert!(moved.text().contains("<dave@example.org>"), "{moved}");
}

#[tokio::test]
async fn code_220_starttls_and_503_twice_and_injection_discarded() {
    let s = TestServer::start("").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    // STARTTLS and NOOP in one write: the NOOP must not be answered after the handshake.
    c.send(b"STARTTLS\r\nNOOP\r\n").await;
    expect(&c.reply().await, 220, Some("2.0.0"));
    let super::Conn::Plain(r) = std::mem::replace(&mut c.conn, super::Conn::Gone) else {
        panic!()
    };
    c.conn = super::Conn::Tls(Box::new(tokio::io::BufReader::new(
        super::tls_handshake(r.into_inner(), s.tls_client_config()).await,
    )));
    let ehlo = c.cmd("EHLO client.test").await;
    expect(&ehlo, 250, None);
    assert!(
        ehlo.lines().iter().any(|l| l == "AUTH PLAIN LOGIN"),
        "{ehlo}"
    );
    assert!(!ehlo.lines().iter().any(|l| l == "STARTTLS"), "{ehlo}");
    expect(&c.cmd("STARTTLS").await, 503, Some("5.5.1"));
}

#[tokio::test]
async fn code_454_starttls_without_certificate() {
    let s = TestServer::start_with("[tls]\nenabled = false\n", SMTP_ONLY, Hooks::default()).await;
    let mut c = s.connect(Smtp).await;
    let ehlo = c.ehlo().await;
    assert!(!ehlo.lines().iter().any(|l| l == "STARTTLS"));
    expect(&c.cmd("STARTTLS").await, 454, Some("4.7.0"));
}

#[tokio::test]
async fn code_235_334_535_538_504_501_503_auth() {
    let s = TestServer::start("[auth]\nfailure_delay = \"10ms\"\n").await;
    s.add_user("alice@localhost", "secret");
    let mut plain = s.connect(Smtp).await;
    plain.ehlo().await;
    expect(
        &plain
            .cmd("AUTH PLAIN AGFsaWNlQGxvY2FsaG9zdABzZWNyZXQ=")
            .await,
        538,
        Some("5.7.11"),
    );

    let mut c = s.connect(Submissions).await;
    c.ehlo().await;
    expect(&c.cmd("AUTH CRAM-MD5").await, 504, Some("5.5.4"));
    expect(&c.cmd("AUTH PLAIN !!!").await, 501, Some("5.5.2"));
    expect(&c.cmd("AUTH LOGIN").await, 334, None);
    expect(&c.cmd("YWxpY2VAbG9jYWxob3N0").await, 334, None);
    expect(&c.cmd("d3Jvbmc=").await, 535, Some("5.7.8"));
    // alice@localhost / secret
    expect(
        &c.cmd("AUTH PLAIN AGFsaWNlQGxvY2FsaG9zdABzZWNyZXQ=").await,
        235,
        Some("2.7.0"),
    );
    expect(
        &c.cmd("AUTH PLAIN AGFsaWNlQGxvY2FsaG9zdABzZWNyZXQ=").await,
        503,
        Some("5.5.1"),
    );
    expect(
        &c.cmd("MAIL FROM:<alice@localhost>").await,
        250,
        Some("2.1.0"),
    );
    expect(
        &c.cmd("RCPT TO:<someone@example.net>").await,
        250,
        Some("2.1.5"),
    );
}

#[tokio::test]
async fn code_454_auth_lockout() {
    let s = TestServer::start("[auth]\nfailure_delay = \"10ms\"\nmax_failures_per_ip = 2\n").await;
    s.add_user("alice@localhost", "secret");
    let mut c = s.connect(Submissions).await;
    c.ehlo().await;
    expect(
        &c.cmd("AUTH PLAIN AGFsaWNlQGxvY2FsaG9zdAB3cm9uZw==").await,
        535,
        Some("5.7.8"),
    );
    expect(
        &c.cmd("AUTH PLAIN AGFsaWNlQGxvY2FsaG9zdAB3cm9uZw==").await,
        535,
        Some("5.7.8"),
    );
    expect(
        &c.cmd("AUTH PLAIN AGFsaWNlQGxvY2FsaG9zdABzZWNyZXQ=").await,
        454,
        Some("4.7.0"),
    );
}

#[tokio::test]
async fn code_530_and_553_on_submission() {
    let s = TestServer::start("").await;
    s.add_user("alice@localhost", "secret");
    let mut c = s.connect(Submission).await;
    c.ehlo().await;
    expect(
        &c.cmd("MAIL FROM:<alice@localhost>").await,
        530,
        Some("5.7.0"),
    );
    c.starttls(s.tls_client_config()).await;
    c.ehlo().await;
    expect(
        &c.cmd("AUTH PLAIN AGFsaWNlQGxvY2FsaG9zdABzZWNyZXQ=").await,
        235,
        Some("2.7.0"),
    );
    expect(
        &c.cmd("MAIL FROM:<bob@localhost>").await,
        553,
        Some("5.7.1"),
    );
    expect(
        &c.cmd("MAIL FROM:<alice@localhost>").await,
        250,
        Some("2.1.0"),
    );
}

#[tokio::test]
async fn code_421_idle_timeout() {
    let s = TestServer::start("[limits]\ncommand_timeout = \"1s\"\n").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    expect(&c.reply().await, 421, Some("4.4.2"));
    assert!(c.is_closed().await);
}

#[tokio::test]
async fn code_421_too_many_errors() {
    let s = TestServer::start("[limits]\nmax_errors = 2\n").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(&c.cmd("FOO").await, 500, Some("5.5.1"));
    c.send(b"BAR\r\n").await;
    expect(&c.reply().await, 500, Some("5.5.1"));
    expect(&c.reply().await, 421, Some("4.7.0"));
    assert!(c.is_closed().await);
}

#[tokio::test]
async fn code_421_connection_limits() {
    // Loopback is exempt from the per-IP limit unless told otherwise (see
    // limits::loopback_clients_are_exempt_from_the_per_ip_limit).
    let s = TestServer::start(
        "[limits]\nmax_connections = 10\nmax_connections_per_ip = 2\nexempt_trusted_from_per_ip = false\n",
    )
    .await;
    let _first = s.connect(Smtp).await;
    let _second = s.connect(Smtp).await;
    let mut third = s.connect_raw(Smtp).await;
    expect(&third.reply().await, 421, Some("4.7.0"));
    assert!(third.is_closed().await);

    let s = TestServer::start("[limits]\nmax_connections = 1\nmax_connections_per_ip = 1\n").await;
    let _first = s.connect(Smtp).await;
    let mut second = s.connect_raw(Submission).await;
    expect(&second.reply().await, 421, Some("4.3.2"));
}

#[tokio::test]
async fn code_421_shutdown() {
    let mut s = TestServer::start("").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    let handle = s.handle.take().unwrap();
    let stop = tokio::spawn(handle.shutdown(Duration::from_secs(5)));
    expect(&c.reply().await, 421, Some("4.3.2"));
    assert!(c.is_closed().await);
    stop.await.unwrap();
}

#[tokio::test]
async fn code_421_554_connect_faults() {
    let s = TestServer::start(
        "[[fault]]\non = \"connect\"\nreply = \"greeting.storage_unavailable\"\n",
    )
    .await;
    let mut c = s.connect_raw(Smtp).await;
    let r = c.reply().await;
    assert_eq!(r.code().value(), 421, "{r}");
    assert!(c.is_closed().await);

    let s =
        TestServer::start("[[fault]]\non = \"connect\"\nreply = \"greeting.no_service\"\n").await;
    let mut c = s.connect_raw(Smtp).await;
    assert_eq!(c.reply().await.code().value(), 554);
    assert_eq!(c.cmd("EHLO client.test").await.code().value(), 503);
    assert_eq!(c.cmd("QUIT").await.code().value(), 221);
}

#[tokio::test]
async fn code_450_451_554_faults() {
    let s = TestServer::start(
        "[[fault]]\non = \"rcpt\"\naddress = \"*@greylist.test\"\nreply = \"rcpt.greylisted\"\n\
         [[fault]]\non = \"rcpt\"\naddress = \"locked@localhost\"\nreply = \"rcpt.mailbox_busy\"\n\
         [[fault]]\non = \"rcpt\"\naddress = \"ldap@localhost\"\nreply = \"rcpt.lookup_failed\"\n\
         [[fault]]\non = \"mail\"\naddress = \"*@policy-down.test\"\nreply = \"policy.lookup_failed\"\n\
         [[fault]]\non = \"mail\"\naddress = \"spammer@*\"\nreply = \"mail.sender_refused\"\n\
         [[fault]]\non = \"data\"\naddress = \"postmaster@localhost\"\nreply = \"storage.commit_failed\"\n\
         [[fault]]\non = \"data\"\naddress = \"filtered@localhost\"\nreply = \"message.refused\"\n\
         [local]\ndomains = [\"localhost\"]\nmailboxes = [\"postmaster\", \"filtered\", \"locked\", \"ldap\"]\n\
         [relay]\ntrusted_networks = [\"127.0.0.1\"]\n",
    )
    .await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(
        &c.cmd("MAIL FROM:<a@policy-down.test>").await,
        451,
        Some("4.3.0"),
    );
    expect(
        &c.cmd("MAIL FROM:<spammer@example.org>").await,
        550,
        Some("5.7.1"),
    );
    expect(
        &c.cmd("MAIL FROM:<a@example.org>").await,
        250,
        Some("2.1.0"),
    );
    let grey = c.cmd("RCPT TO:<x@greylist.test>").await;
    expect(&grey, 450, Some("4.7.1"));
    expect(
        &c.cmd("RCPT TO:<locked@localhost>").await,
        450,
        Some("4.2.0"),
    );
    expect(&c.cmd("RCPT TO:<ldap@localhost>").await, 450, Some("4.4.3"));
    expect(
        &c.cmd("RCPT TO:<postmaster@localhost>").await,
        250,
        Some("2.1.5"),
    );
    expect(&c.cmd("DATA").await, 354, None);
    expect(&c.cmd("x\r\n.").await, 451, Some("4.3.0"));
    expect(
        &c.cmd("MAIL FROM:<a@example.org>").await,
        250,
        Some("2.1.0"),
    );
    expect(
        &c.cmd("RCPT TO:<filtered@localhost>").await,
        250,
        Some("2.1.5"),
    );
    expect(&c.cmd("DATA").await, 354, None);
    expect(&c.cmd("x\r\n.").await, 554, Some("5.7.1"));
    let queued = s
        .store
        .list(tern_store::ListFilter::default())
        .await
        .unwrap();
    assert!(
        queued.is_empty(),
        "refused messages are not half-stored: {queued:?}"
    );
}

#[tokio::test]
async fn code_452_too_many_recipients_and_disk_reserve() {
    let s = TestServer::start("[limits]\nmax_recipients = 1\n").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(
        &c.cmd("MAIL FROM:<a@example.org>").await,
        250,
        Some("2.1.0"),
    );
    expect(
        &c.cmd("RCPT TO:<postmaster@localhost>").await,
        250,
        Some("2.1.5"),
    );
    expect(
        &c.cmd("RCPT TO:<postmaster@localhost>").await,
        452,
        Some("4.5.3"),
    );

    let s = TestServer::start("[limits]\ndisk_reserve = \"1000000GiB\"\n").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(
        &c.cmd("MAIL FROM:<a@example.org>").await,
        250,
        Some("2.1.0"),
    );
    expect(
        &c.cmd("RCPT TO:<postmaster@localhost>").await,
        250,
        Some("2.1.5"),
    );
    expect(&c.cmd("DATA").await, 354, None);
    expect(&c.cmd("x\r\n.").await, 452, Some("4.3.1"));
    assert!(
        s.store
            .list(tern_store::ListFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn code_500_unknown_long_line_and_tls_on_plain_port() {
    let s = TestServer::start("").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(&c.cmd("FROB").await, 500, Some("5.5.1"));
    let long = format!("NOOP {}", "x".repeat(600));
    expect(&c.cmd(&long).await, 500, Some("5.5.2"));
    expect(&c.cmd("NOOP").await, 250, Some("2.0.0"));

    let mut c = s.connect(Smtp).await;
    // The first bytes of a TLS ClientHello, sent to the plain-text port.
    c.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n")
        .await;
    let r = c.reply().await;
    assert_eq!(r.code().value(), 500, "{r}");
    assert!(c.is_closed().await);
}

#[tokio::test]
async fn code_221_http_request() {
    let s = TestServer::start("").await;
    let mut c = s.connect(Smtp).await;
    let r = c.cmd("GET / HTTP/1.1").await;
    assert_eq!(r.code().value(), 221, "{r}");
    assert!(c.is_closed().await);
}

#[tokio::test]
async fn code_501_syntax() {
    let s = TestServer::start("").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(
        &c.cmd("MAIL FROM:alice@example.org").await,
        501,
        Some("5.1.7"),
    );
    expect(&c.cmd("MAIL").await, 501, Some("5.5.4"));
    expect(
        &c.cmd("MAIL FROM:<a@example.org>").await,
        250,
        Some("2.1.0"),
    );
    expect(
        &c.cmd("RCPT TO:<bad address@localhost>").await,
        501,
        Some("5.1.3"),
    );
    expect(&c.cmd("EHLO").await, 501, Some("5.5.4"));
}

#[tokio::test]
async fn code_503_sequence() {
    let s = TestServer::start("").await;
    let mut c = s.connect(Smtp).await;
    expect(&c.cmd("MAIL FROM:<a@example.org>").await, 503, None);
    c.ehlo().await;
    expect(
        &c.cmd("RCPT TO:<postmaster@localhost>").await,
        503,
        Some("5.5.1"),
    );
    expect(
        &c.cmd("MAIL FROM:<a@example.org>").await,
        250,
        Some("2.1.0"),
    );
    expect(&c.cmd("DATA").await, 503, Some("5.5.1"));
    expect(
        &c.cmd("MAIL FROM:<a@example.org>").await,
        503,
        Some("5.5.1"),
    );
}

#[tokio::test]
async fn code_504_555_parameters() {
    let s = TestServer::start("").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(
        &c.cmd("MAIL FROM:<a@example.org> BODY=9BIT").await,
        504,
        Some("5.5.4"),
    );
    expect(
        &c.cmd("MAIL FROM:<a@example.org> X-UNKNOWN=1").await,
        555,
        Some("5.5.4"),
    );
}

#[tokio::test]
async fn code_550_553_554_recipients() {
    let s = TestServer::start("").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(
        &c.cmd("MAIL FROM:<a@example.org>").await,
        250,
        Some("2.1.0"),
    );
    expect(
        &c.cmd("RCPT TO:<nobody@localhost>").await,
        550,
        Some("5.1.1"),
    );
    expect(
        &c.cmd("RCPT TO:<bob@example.com>").await,
        554,
        Some("5.7.1"),
    );
    expect(
        &c.cmd("RCPT TO:<bob%example.com@localhost>").await,
        550,
        Some("5.7.1"),
    );
    expect(
        &c.cmd("RCPT TO:<jöran@localhost>").await,
        553,
        Some("5.6.7"),
    );
    expect(&c.cmd("DATA").await, 554, Some("5.5.1"));
}

#[tokio::test]
async fn code_552_size_and_quota() {
    let usage: tern_server::MailboxUsage =
        Arc::new(|mailbox: &str| (mailbox == "postmaster@localhost").then_some(5_000));
    let hooks = Hooks {
        mailbox_usage: Some(usage),
        ..Hooks::default()
    };
    let s = TestServer::start_with(
        "[limits]\nmax_message_size = \"2KiB\"\n[local]\nmailboxes = [\"postmaster\", \"bob\"]\nquota = \"4KiB\"\n",
        ALL_LISTENERS,
        hooks,
    )
    .await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(
        &c.cmd("MAIL FROM:<a@example.org> SIZE=999999").await,
        552,
        Some("5.3.4"),
    );
    expect(
        &c.cmd("MAIL FROM:<a@example.org>").await,
        250,
        Some("2.1.0"),
    );
    expect(
        &c.cmd("RCPT TO:<postmaster@localhost>").await,
        552,
        Some("5.2.2"),
    );
    expect(&c.cmd("RCPT TO:<bob@localhost>").await, 250, Some("2.1.5"));
    expect(&c.cmd("DATA").await, 354, None);
    let big = format!("{}\r\n.", "x".repeat(3000));
    expect(&c.cmd(&big).await, 552, Some("5.3.4"));
}

#[tokio::test]
async fn code_554_bare_lf_in_strict_mode() {
    let s = TestServer::start("[smtp]\nline_endings = \"reject\"\n").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(
        &c.cmd("MAIL FROM:<a@example.org>").await,
        250,
        Some("2.1.0"),
    );
    expect(
        &c.cmd("RCPT TO:<postmaster@localhost>").await,
        250,
        Some("2.1.5"),
    );
    expect(&c.cmd("DATA").await, 354, None);
    c.send(b"one\ntwo\r\n.\r\n").await;
    expect(&c.reply().await, 554, Some("5.5.2"));
}

#[tokio::test]
async fn smuggling_vectors_make_one_message_with_the_bytes_in_the_body() {
    let s = TestServer::start("").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(
        &c.cmd("MAIL FROM:<a@example.org>").await,
        250,
        Some("2.1.0"),
    );
    expect(
        &c.cmd("RCPT TO:<postmaster@localhost>").await,
        250,
        Some("2.1.5"),
    );
    expect(&c.cmd("DATA").await, 354, None);
    c.send(b"A\n.\nMAIL FROM:<evil@example.org>\r\nB\n.\r\nC\r.\r\nD\r\n.\rE\r\n.\r\n")
        .await;
    expect(&c.reply().await, 250, Some("2.0.0"));
    expect(&c.cmd("NOOP").await, 250, Some("2.0.0"));
    let queued = s
        .store
        .list(tern_store::ListFilter::default())
        .await
        .unwrap();
    assert_eq!(queued.len(), 1, "exactly one message");
    let body = s.store.body(queued[0].id).await.unwrap();
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("MAIL FROM:<evil@example.org>"), "{text}");
    assert!(text.ends_with("E\r\n"), "{text}");
}
