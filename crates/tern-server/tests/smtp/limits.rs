//! Limits at their edges, over TCP: the whole-record deadline against clients that drip their
//! input (a command line, the TLS handshake, an AUTH dialogue), the per-IP connection limit for
//! trusted clients (without the exemption: `replies::code_421_connection_limits`), and `SIZE=`
//! and `BDAT` numbers that get the same replies.

use std::time::{Duration, Instant};

use tern_codes::Reply;
use tern_config::ListenerKind::{Smtp, Submission, Submissions};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use super::{REPLY_TIMEOUT, TestServer, expect, read_line};

/// A deadline of 1 s, and a silence limit that a client sending a byte every 300 ms never
/// reaches: only a deadline for the whole record can stop it.
const DEADLINE_1S: &str = "[limits]\ncommand_timeout = \"1s\"\nrecord_deadline = \"1s\"\n";

/// How late the 421 may come after the deadline on a loaded test machine. The dripped line
/// below would be complete after 5.4 s, so a reply by then proves the deadline did it.
const SLACK: Duration = Duration::from_secs(2);

/// Sends `bytes` one octet every `every` until all are sent or the server has closed.
fn drip(mut w: OwnedWriteHalf, bytes: &'static [u8], every: Duration) {
    tokio::spawn(async move {
        for b in bytes {
            if w.write_all(std::slice::from_ref(b)).await.is_err() {
                return;
            }
            tokio::time::sleep(every).await;
        }
    });
}

/// Reads one whole reply from a read half.
async fn read_reply(r: &mut BufReader<OwnedReadHalf>) -> Reply {
    let mut text = String::new();
    loop {
        let line = tokio::time::timeout(REPLY_TIMEOUT, read_line(r))
            .await
            .expect("reply timed out")
            .unwrap_or_else(|| panic!("connection closed; read so far: {text:?}"));
        text.push_str(&line);
        if line.len() < 4 || line.as_bytes()[3] != b'-' {
            break;
        }
    }
    tern_codes::parse(text.as_bytes()).unwrap().reply
}

#[tokio::test]
async fn code_421_byte_drip_on_a_command_line() {
    let s = TestServer::start(DEADLINE_1S).await;
    let (r, mut w) = TcpStream::connect(s.addr(Smtp)).await.unwrap().into_split();
    let mut r = BufReader::new(r);
    expect(&read_reply(&mut r).await, 220, None);
    // A first EHLO at once, so that the 421 carries its enhanced code (RFC 2034).
    w.write_all(b"EHLO client.test\r\n").await.unwrap();
    expect(&read_reply(&mut r).await, 250, None);
    let started = Instant::now();
    drip(w, b"EHLO client.test\r\n", Duration::from_millis(300));
    expect(&read_reply(&mut r).await, 421, Some("4.4.2"));
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(1) + SLACK, "{elapsed:?}");
    let closed = tokio::time::timeout(REPLY_TIMEOUT, read_line(&mut r)).await;
    assert!(matches!(closed, Ok(None)), "{closed:?}");
}

#[tokio::test]
async fn code_421_auth_dialogue_over_its_deadline() {
    // Each line of the dialogue comes quickly; the dialogue as a whole takes too long.
    let s =
        TestServer::start("[limits]\ncommand_timeout = \"10s\"\nrecord_deadline = \"1s\"\n").await;
    let mut c = s.connect(Submissions).await;
    c.ehlo().await;
    let started = Instant::now();
    expect(&c.cmd("AUTH LOGIN").await, 334, None);
    tokio::time::sleep(Duration::from_millis(600)).await;
    expect(&c.cmd("YWxpY2U=").await, 334, None);
    expect(&c.reply().await, 421, Some("4.4.2"));
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(1) + SLACK, "{elapsed:?}");
    assert!(c.is_closed().await);
}

#[tokio::test]
async fn tls_handshakes_that_never_finish_are_closed_at_the_deadline() {
    let s = TestServer::start(DEADLINE_1S).await;
    // Implicit TLS: the client connects and never says hello.
    let started = Instant::now();
    let mut c = s.connect_raw(Submissions).await;
    assert!(c.is_closed().await);
    assert!(started.elapsed() < Duration::from_secs(1) + SLACK);
    // STARTTLS: the same after the 220. There is no reply: the client is not speaking SMTP
    // any more, and not yet TLS.
    let mut c = s.connect(Submission).await;
    c.ehlo().await;
    expect(&c.cmd("STARTTLS").await, 220, Some("2.0.0"));
    let started = Instant::now();
    assert!(c.is_closed().await);
    assert!(started.elapsed() < Duration::from_secs(1) + SLACK);
}

#[tokio::test]
async fn loopback_clients_are_exempt_from_the_per_ip_limit() {
    let s = TestServer::start("[limits]\nmax_connections = 5\nmax_connections_per_ip = 2\n").await;
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(s.connect(Smtp).await);
    }
    for c in &mut held {
        expect(&c.cmd("NOOP").await, 250, None);
    }
    // The global limit still applies.
    let mut over = s.connect_raw(Smtp).await;
    expect(&over.reply().await, 421, Some("4.3.2"));
    assert!(over.is_closed().await);
}

#[tokio::test]
async fn size_and_bdat_agree_on_large_and_malformed_numbers() {
    let s = TestServer::start("").await;
    let cases = [
        // RFC 1870 size-value: 1*20DIGIT. Valid, and over any limit: a size problem.
        ("99999999999999999999", 552, "5.3.4"),
        ("18446744073709551615", 552, "5.3.4"),
        ("30000000", 552, "5.3.4"),
        // More than 20 digits, or not a number: a syntax error.
        ("123456789012345678901", 501, "5.5.4"),
        ("12x", 501, "5.5.4"),
    ];
    for (value, code, enhanced) in cases {
        let mut c = s.connect(Smtp).await;
        c.ehlo().await;
        let size = c
            .cmd(&format!("MAIL FROM:<a@example.org> SIZE={value}"))
            .await;
        expect(&size, code, Some(enhanced));
        c.envelope("a@example.org", "postmaster@localhost").await;
        let bdat = c.cmd(&format!("BDAT {value} LAST")).await;
        expect(&bdat, code, Some(enhanced));
    }
}
