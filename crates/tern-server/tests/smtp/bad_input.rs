//! Bad input over TCP: a table of malformed, hostile and odd inputs, each with the reply RFC 5321
//! (and the extension RFCs) and docs/replies.md call for, run against a real server. All rows
//! run, and every failing row is reported at once. Then SMTP smuggling and STARTTLS command
//! injection vectors, each checked end to end.

use std::time::Duration;

use tern_codes::Reply;
use tern_config::ListenerKind::{self, Smtp, Submissions};
use tern_store::QueueStore;
use tokio::io::BufReader;

use super::{Client, Conn, TestServer, expect, read_line, tls_handshake};

/// The server every row runs against: a small size limit (so huge header blocks and chunks hit
/// it), a short data timeout (for the stalled BDAT row), and error and connection limits high
/// enough that no row is cut off by another's errors.
const CONFIG: &str = "[limits]\nmax_message_size = \"64KiB\"\ndata_timeout = \"2s\"\n\
                      max_errors = 1000\nmax_connections_per_ip = 1000\n\
                      [auth]\nfailure_delay = \"10ms\"\n";

/// How long a row waits for one reply (the stalled BDAT row needs the 2 s data timeout).
const ROW_REPLY_TIMEOUT: Duration = Duration::from_secs(6);

/// Acceptable replies for one expected reply: code and enhanced code (`None`: no enhanced
/// code, as before EHLO or after HELO, RFC 2034). More than one only where the RFCs allow
/// either.
type Alternatives = Vec<(u16, Option<&'static str>)>;

/// What must hold after the expected replies.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum After {
    /// The session is in sync: a NOOP gets 250.
    Alive,
    /// The server has closed the connection.
    Closed,
    /// Nothing is checked (the server is, rightly, still reading a chunk).
    Unchecked,
}

struct Row {
    name: &'static str,
    listener: ListenerKind,
    /// Commands sent first, one at a time; each must get a 2xx or 3xx reply.
    prelude: &'static [&'static str],
    /// The bad input, sent in one write.
    input: Vec<u8>,
    expect: Vec<Alternatives>,
    after: After,
}

const NONE: &[&str] = &[];
const E: &[&str] = &["EHLO client.test"];
const M: &[&str] = &["EHLO client.test", "MAIL FROM:<a@example.org>"];
const R: &[&str] = &[
    "EHLO client.test",
    "MAIL FROM:<a@example.org>",
    "RCPT TO:<postmaster@localhost>",
];
const H: &[&str] = &["HELO client.test"];

fn one(code: u16, enhanced: Option<&'static str>) -> Alternatives {
    vec![(code, enhanced)]
}

fn row(
    name: &'static str,
    prelude: &'static [&'static str],
    input: impl Into<Vec<u8>>,
    code: u16,
    enhanced: Option<&'static str>,
) -> Row {
    Row {
        name,
        listener: Smtp,
        prelude,
        input: input.into(),
        expect: vec![one(code, enhanced)],
        after: After::Alive,
    }
}

impl Row {
    fn on(mut self, listener: ListenerKind) -> Row {
        self.listener = listener;
        self
    }
    fn then(mut self, code: u16, enhanced: Option<&'static str>) -> Row {
        self.expect.push(one(code, enhanced));
        self
    }
    fn or(mut self, code: u16, enhanced: Option<&'static str>) -> Row {
        self.expect.last_mut().unwrap().push((code, enhanced));
        self
    }
    fn after(mut self, after: After) -> Row {
        self.after = after;
        self
    }
}

fn line(text: &str) -> Vec<u8> {
    format!("{text}\r\n").into_bytes()
}

fn bytes_line(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = parts.concat();
    out.extend_from_slice(b"\r\n");
    out
}

const SYNTAX: Option<&str> = Some("5.5.4");
const BAD_SENDER: Option<&str> = Some("5.1.7");
const BAD_RCPT: Option<&str> = Some("5.1.3");

fn table() -> Vec<Row> {
    let big_header = {
        let mut m = b"DATA\r\nX-Big: ".to_vec();
        m.extend(std::iter::repeat_n(b'h', 1 << 20));
        m.extend_from_slice(b"\r\n\r\nbody\r\n.\r\n");
        m
    };
    let endless_continuation = {
        let mut m = b"DATA\r\nSubject: x\r\n".to_vec();
        for _ in 0..20_000 {
            m.extend_from_slice(b"\t continued and continued\r\n");
        }
        m.extend_from_slice(b"\r\nbody\r\n.\r\n");
        m
    };
    let many_headers = {
        let mut m = b"DATA\r\n".to_vec();
        for i in 0..20_000 {
            m.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
        }
        m.extend_from_slice(b"\r\nbody\r\n.\r\n");
        m
    };
    let big_chunk = {
        let mut m = b"BDAT 70000 LAST\r\n".to_vec();
        m.extend(std::iter::repeat_n(b'b', 70_000));
        m
    };
    let huge_line = {
        let mut m = b"NOOP ".to_vec();
        m.extend(std::iter::repeat_n(b'x', 100 * 1024));
        m.extend_from_slice(b"\r\n");
        m
    };
    let auth_long = {
        let mut m = b"AUTH PLAIN\r\n".to_vec();
        m.extend(std::iter::repeat_n(b'A', 20 * 1024));
        m.extend_from_slice(b"\r\n");
        m
    };
    let local_512 = format!("NOOP {}", "x".repeat(512 - 7));
    let local_513 = format!("NOOP {}", "x".repeat(513 - 7));
    vec![
        // --- Malformed paths ------------------------------------------------------------
        row("MAIL path without '>'", E, line("MAIL FROM:<a@example.org"), 501, BAD_SENDER),
        row("MAIL path without '<'", E, line("MAIL FROM:a@example.org>"), 501, BAD_SENDER),
        row("MAIL path in double brackets", E, line("MAIL FROM:<<a@example.org>>"), 501, BAD_SENDER),
        row("MAIL path with two @", E, line("MAIL FROM:<a@@example.org>"), 501, BAD_SENDER),
        row("MAIL path with empty local part", E, line("MAIL FROM:<@example.org>"), 501, BAD_SENDER),
        row("MAIL path with empty domain", E, line("MAIL FROM:<a@>"), 501, BAD_SENDER),
        row("MAIL path with a space in the domain", E, line("MAIL FROM:<a@exa mple.org>"), 501, BAD_SENDER),
        row("MAIL path with an unterminated quote", E, line("MAIL FROM:<\"a@example.org>"), 501, BAD_SENDER),
        row("MAIL path with a domain starting with '-'", E, line("MAIL FROM:<a@-example.org>"), 501, BAD_SENDER),
        row("MAIL path with a trailing dot in the local part", E, line("MAIL FROM:<a.@example.org>"), 501, BAD_SENDER),
        row("MAIL TO instead of FROM", E, line("MAIL TO:<a@example.org>"), 501, SYNTAX),
        row("RCPT path without '>'", M, line("RCPT TO:<postmaster@localhost"), 501, BAD_RCPT),
        row("RCPT null path", M, line("RCPT TO:<>"), 501, BAD_RCPT),
        row("RCPT path with a quote in an atom", M, line("RCPT TO:<a\"b@localhost>"), 501, BAD_RCPT),
        row("RCPT IPv4 literal out of range", M, line("RCPT TO:<postmaster@[300.1.1.1]>"), 501, BAD_RCPT),
        row("RCPT IPv6 literal with bad hex", M, line("RCPT TO:<postmaster@[IPv6:zz::1]>"), 501, BAD_RCPT),
        row("RCPT path with two @", M, line("RCPT TO:<post@master@localhost>"), 501, BAD_RCPT),
        // --- Malformed parameters -------------------------------------------------------
        row("SIZE not a number", E, line("MAIL FROM:<a@example.org> SIZE=abc"), 501, SYNTAX),
        row("SIZE empty", E, line("MAIL FROM:<a@example.org> SIZE="), 501, SYNTAX),
        row("SIZE negative", E, line("MAIL FROM:<a@example.org> SIZE=-1"), 501, SYNTAX),
        // RFC 1870: size-value is 1*20DIGIT; 20 nines is valid syntax, and over any limit.
        row("SIZE of 20 digits (over u64)", E, line("MAIL FROM:<a@example.org> SIZE=99999999999999999999"), 552, Some("5.3.4")),
        row("SIZE twice", E, line("MAIL FROM:<a@example.org> SIZE=100 SIZE=100"), 501, SYNTAX),
        row("BODY twice", E, line("MAIL FROM:<a@example.org> BODY=8BITMIME BODY=7BIT"), 501, SYNTAX),
        row("RET=MAYBE", E, line("MAIL FROM:<a@example.org> RET=MAYBE"), 501, SYNTAX),
        row("ENVID=+2 (truncated xtext hexchar)", E, line("MAIL FROM:<a@example.org> ENVID=+2"), 501, SYNTAX),
        row("ENVID=a+zz (lower-case xtext hexchar)", E, line("MAIL FROM:<a@example.org> ENVID=a+zz"), 501, SYNTAX),
        // RFC 3461 §4.4: ENVID is at most 100 characters.
        row("ENVID of 101 characters", E, line(&format!("MAIL FROM:<a@example.org> ENVID={}", "e".repeat(101))), 501, SYNTAX),
        row("SMTPUTF8 with a value", E, line("MAIL FROM:<a@example.org> SMTPUTF8=yes"), 501, SYNTAX),
        row("empty parameter keyword", E, line("MAIL FROM:<a@example.org> =x"), 501, SYNTAX),
        row("ORCPT=rfc822;a+ZZb (bad xtext)", M, line("RCPT TO:<postmaster@localhost> ORCPT=rfc822;a+ZZb"), 501, SYNTAX),
        row("ORCPT without address type", M, line("RCPT TO:<postmaster@localhost> ORCPT=rfc822"), 501, SYNTAX),
        row("NOTIFY=NEVER,SUCCESS", M, line("RCPT TO:<postmaster@localhost> NOTIFY=NEVER,SUCCESS"), 501, SYNTAX),
        row("NOTIFY=SOMETIMES", M, line("RCPT TO:<postmaster@localhost> NOTIFY=SOMETIMES"), 501, SYNTAX),
        row("NOTIFY empty", M, line("RCPT TO:<postmaster@localhost> NOTIFY="), 501, SYNTAX),
        row("unknown RCPT parameter", M, line("RCPT TO:<postmaster@localhost> FOO=BAR"), 555, SYNTAX),
        // After HELO there are no extensions: parameters are not recognised, and replies
        // carry no enhanced codes (RFC 1869, RFC 2034).
        row("SIZE after HELO", H, line("MAIL FROM:<a@example.org> SIZE=100"), 555, None).or(501, None),
        // --- NUL and 8-bit bytes --------------------------------------------------------
        // A control character anywhere in the arguments is refused before the path is parsed:
        // 5.5.4 (invalid arguments) or the path's own 5.1.7 / 5.1.3 are both right (RFC 3463).
        row("NUL in the sender", E, bytes_line(&[b"MAIL FROM:<a\0b@example.org>"]), 501, BAD_SENDER).or(501, SYNTAX),
        row("NUL in the recipient", M, bytes_line(&[b"RCPT TO:<post\0master@localhost>"]), 501, BAD_RCPT).or(501, SYNTAX),
        row("NUL as a command", E, bytes_line(&[b"\0\0\0\0"]), 500, Some("5.5.1")).after(After::Unchecked),
        row("NUL as RSET's argument", E, bytes_line(&[b"RSET \0"]), 501, SYNTAX),
        row("8-bit bytes as a command", E, bytes_line(&[b"\xff\xfe\xfd"]), 500, Some("5.5.1")).after(After::Unchecked),
        row("UTF-8 sender without SMTPUTF8", E, line("MAIL FROM:<jörg@example.org>"), 553, Some("5.6.7")),
        row("invalid UTF-8 sender with SMTPUTF8", E, bytes_line(&[b"MAIL FROM:<\xff\xfe@example.org> SMTPUTF8"]), 501, BAD_SENDER).or(501, SYNTAX),
        // --- Huge lines -----------------------------------------------------------------
        row("command of exactly 512 octets", E, line(&local_512), 250, Some("2.0.0")),
        row("command of 513 octets", E, line(&local_513), 500, Some("5.5.2")),
        row("100 KiB command line", E, huge_line, 500, Some("5.5.2")),
        row("MAIL with a 1000-octet local part", E, line(&format!("MAIL FROM:<{}@example.org>", "a".repeat(1000))), 500, Some("5.5.2")),
        // --- Huge header blocks ---------------------------------------------------------
        row("1 MiB header line over a 64 KiB limit", R, big_header, 354, None).then(552, Some("5.3.4")),
        row("endless continuation lines", R, endless_continuation, 354, None).then(552, Some("5.3.4")),
        row("20,000 header fields", R, many_headers, 354, None).then(552, Some("5.3.4")),
        // --- BDAT with wrong sizes ------------------------------------------------------
        row("BDAT -1", R, line("BDAT -1"), 501, SYNTAX),
        row("BDAT without a size", R, line("BDAT"), 501, SYNTAX),
        row("BDAT x", R, line("BDAT x"), 501, SYNTAX),
        row("BDAT 5 FIRST", R, line("BDAT 5 FIRST"), 501, SYNTAX),
        row("BDAT 5 LAST LAST", R, line("BDAT 5 LAST LAST"), 501, SYNTAX),
        // The largest chunk size: refused at once as too big, and the chunk is still read to
        // its end to stay in sync (RFC 3030), so the data timeout ends it.
        row("BDAT 18446744073709551615 then silence", R, b"BDAT 18446744073709551615\r\nabc".to_vec(), 552, Some("5.3.4")).then(421, Some("4.4.2")).after(After::Closed),
        // Over u64 in 20 digits: 552 5.3.4, as MAIL's SIZE=99999999999999999999 gets.
        row("BDAT 99999999999999999999", R, line("BDAT 99999999999999999999"), 552, Some("5.3.4")).after(After::Unchecked),
        // More than 20 digits: a syntax error, as SIZE= with 21 digits (RFC 1870 §4).
        row("BDAT of 21 digits", R, line("BDAT 123456789012345678901"), 501, SYNTAX),
        row("SIZE of 21 digits", E, line("MAIL FROM:<a@example.org> SIZE=123456789012345678901"), 501, SYNTAX),
        row("BDAT 70000 LAST over a 64 KiB limit", R, big_chunk, 552, Some("5.3.4")),
        row("BDAT 5 then 3 octets and silence", R, b"BDAT 5\r\nabc".to_vec(), 421, Some("4.4.2")).after(After::Closed),
        // A refused chunk is read and discarded (RFC 3030 §3): its QUIT is not a command.
        row("BDAT before MAIL, chunk holds QUIT", E, b"BDAT 6\r\nQUIT\r\n".to_vec(), 503, Some("5.5.1")),
        row("DATA after BDAT", R, b"BDAT 3\r\nabcDATA\r\n".to_vec(), 250, Some("2.0.0")).then(503, Some("5.5.1")),
        // --- AUTH garbage (on implicit TLS, where AUTH is offered) ----------------------
        row("AUTH PLAIN ====", E, line("AUTH PLAIN ===="), 501, Some("5.5.2")).on(Submissions),
        row("AUTH PLAIN without NULs", E, line("AUTH PLAIN dGVzdA=="), 501, Some("5.5.2")).on(Submissions),
        row("AUTH PLAIN = (empty initial response)", E, line("AUTH PLAIN ="), 501, Some("5.5.2")).on(Submissions),
        row("AUTH PLAIN then a 20 KiB line", E, auth_long, 334, None).then(500, Some("5.5.6")).on(Submissions),
        row("AUTH PLAIN then *", E, b"AUTH PLAIN\r\n*\r\n".to_vec(), 334, None).then(501, Some("5.0.0")).on(Submissions),
        row("AUTH without mechanism", E, line("AUTH"), 501, SYNTAX).on(Submissions),
        row("AUTH XOAUTH2 with a base64 initial response", E, line("AUTH XOAUTH2 YWJj"), 504, Some("5.5.4")).on(Submissions),
        row("AUTH XOAUTH2 without initial response", E, line("AUTH XOAUTH2"), 504, Some("5.5.4")).on(Submissions),
        // --- HELO/EHLO oddities ---------------------------------------------------------
        row("EHLO without a domain", NONE, line("EHLO"), 501, None),
        row("HELO without a domain", NONE, line("HELO"), 501, None),
        row("lower-case ehlo", NONE, line("ehlo client.test"), 250, None),
        // RFC 5321 §4.1.4: EHLO resets the transaction.
        row("EHLO in a transaction resets it", M, b"EHLO again.test\r\nRCPT TO:<postmaster@localhost>\r\n".to_vec(), 250, None).then(503, Some("5.5.1")),
        row("MAIL before EHLO", NONE, line("MAIL FROM:<a@example.org>"), 503, None),
        // --- Arguments where none are allowed -------------------------------------------
        row("QUIT with an argument", E, line("QUIT now"), 501, SYNTAX),
        row("RSET with an argument", E, line("RSET x"), 501, SYNTAX),
        row("DATA with an argument", R, line("DATA x"), 501, SYNTAX),
        row("STARTTLS with an argument", E, line("STARTTLS x"), 501, SYNTAX),
        row("VRFY without an argument", E, line("VRFY"), 501, SYNTAX),
        // --- Pipelined junk after DATA --------------------------------------------------
        row("junk pipelined after the end of data", R, b"DATA\r\nhello\r\n.\r\nJUNK\r\nNOOP\r\n".to_vec(), 354, None)
            .then(250, Some("2.0.0")).then(500, Some("5.5.1")).then(250, Some("2.0.0")),
        // RFC 2920 §3.1: when DATA is refused, the pipelined body is read as commands.
        row("body pipelined after a refused DATA", E, b"MAIL FROM:<a@example.org>\r\nRCPT TO:<nobody@localhost>\r\nDATA\r\nbody\r\n.\r\nNOOP\r\n".to_vec(), 250, Some("2.1.0"))
            .then(550, Some("5.1.1")).then(554, Some("5.5.1")).then(500, Some("5.5.1")).then(500, Some("5.5.1")).then(250, Some("2.0.0")),
        // --- Non-SMTP traffic -----------------------------------------------------------
        row("HTTP POST", NONE, line("POST / HTTP/1.1"), 221, None).after(After::Closed),
        // nonsmtp.binary carries 5.5.1; before EHLO it may be left out (RFC 2034).
        row("TLS ClientHello on the plain port", NONE, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n".to_vec(), 500, None)
            .or(500, Some("5.5.1")).after(After::Closed),
    ]
}

/// Rows the server answers wrongly today (see the `#[ignore]` reason of the test).
fn unsupported_mechanism_rows() -> Vec<Row> {
    vec![
        // RFC 4954 §4: an unsupported mechanism gets 504 5.5.4, whatever follows it.
        row(
            "AUTH XOAUTH2 with a non-base64 initial response",
            E,
            line("AUTH XOAUTH2 abc"),
            504,
            Some("5.5.4"),
        )
        .on(Submissions),
        row(
            "AUTH CRAM-MD5 with a non-base64 initial response",
            E,
            line("AUTH CRAM-MD5 !!"),
            504,
            Some("5.5.4"),
        )
        .on(Submissions),
    ]
}

/// Reads one reply, or says why there is none.
async fn try_reply(c: &mut Client) -> Result<Reply, String> {
    let mut text = String::new();
    loop {
        let read = async {
            match &mut c.conn {
                Conn::Plain(r) => read_line(r).await,
                Conn::Tls(r) => read_line(r).await,
                Conn::Gone => None,
            }
        };
        let line = match tokio::time::timeout(ROW_REPLY_TIMEOUT, read).await {
            Err(_) => {
                return Err(format!(
                    "no reply within {ROW_REPLY_TIMEOUT:?} (read {text:?})"
                ));
            }
            Ok(None) => return Err(format!("connection closed (read {text:?})")),
            Ok(Some(line)) => line,
        };
        text.push_str(&line);
        let b = line.as_bytes();
        if b.len() < 4 || b[3] != b'-' {
            break;
        }
    }
    tern_codes::parse(text.as_bytes())
        .map(|p| p.reply)
        .map_err(|e| format!("unparsable reply {text:?}: {e}"))
}

fn shown(r: &Reply) -> String {
    let text = r.to_string();
    let first = text.lines().next().unwrap_or_default();
    first.chars().take(120).collect()
}

async fn run_row(s: &TestServer, row: &Row) -> Result<(), String> {
    let mut c = if row.listener == Submissions {
        s.connect(Submissions).await
    } else {
        s.connect(Smtp).await
    };
    for cmd in row.prelude {
        c.send(format!("{cmd}\r\n").as_bytes()).await;
        let r = try_reply(&mut c)
            .await
            .map_err(|e| format!("prelude {cmd:?}: {e}"))?;
        if !(200..400).contains(&r.code().value()) {
            return Err(format!("prelude {cmd:?}: {}", shown(&r)));
        }
    }
    c.send(&row.input).await;
    for (i, alternatives) in row.expect.iter().enumerate() {
        let r = try_reply(&mut c)
            .await
            .map_err(|e| format!("reply {}: expected {alternatives:?}: {e}", i + 1))?;
        let got = (r.code().value(), r.enhanced().map(|e| e.to_string()));
        if !alternatives
            .iter()
            .any(|(code, enhanced)| got.0 == *code && got.1.as_deref() == *enhanced)
        {
            return Err(format!(
                "reply {}: expected {alternatives:?}, got {}",
                i + 1,
                shown(&r)
            ));
        }
    }
    match row.after {
        After::Alive => {
            c.send(b"NOOP\r\n").await;
            let r = try_reply(&mut c)
                .await
                .map_err(|e| format!("NOOP afterwards: {e}"))?;
            if r.code().value() != 250 {
                return Err(format!("NOOP afterwards: out of sync: {}", shown(&r)));
            }
        }
        After::Closed => {
            if !c.is_closed().await {
                return Err("the connection stayed open".into());
            }
        }
        After::Unchecked => {}
    }
    Ok(())
}

/// Runs every row concurrently, each on its own connection; returns the failures, sorted.
async fn run_table(s: &std::sync::Arc<TestServer>, rows: Vec<Row>) -> Vec<String> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, row) in rows.into_iter().enumerate() {
        let s = std::sync::Arc::clone(s);
        tasks.spawn(async move {
            let result = run_row(&s, &row).await;
            (i, row.name, result)
        });
    }
    let mut failures = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok((_, _, Ok(()))) => {}
            Ok((i, name, Err(e))) => failures.push((i, format!("row {i} ({name}): {e}"))),
            Err(e) => failures.push((usize::MAX, format!("a row panicked: {e}"))),
        }
    }
    failures.sort();
    failures.into_iter().map(|(_, f)| f).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_table() {
    let s = std::sync::Arc::new(TestServer::start(CONFIG).await);
    let rows = table();
    let count = rows.len();
    assert!(count >= 50, "only {count} rows");
    let failures = run_table(&s, rows).await;
    assert!(
        failures.is_empty(),
        "{} of {count} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Nothing from any refused input was stored; only the one good message of the table.
    let queued = s
        .store
        .list(tern_store::ListFilter::default())
        .await
        .unwrap();
    assert_eq!(queued.len(), 1, "{queued:?}");
}

#[tokio::test]
async fn unsupported_auth_mechanisms_get_504_whatever_follows() {
    let s = std::sync::Arc::new(TestServer::start(CONFIG).await);
    let failures = run_table(&s, unsupported_mechanism_rows()).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// SMTP smuggling and STARTTLS injection over TCP
// ---------------------------------------------------------------------------------------------

async fn bodies(s: &TestServer) -> Vec<String> {
    let mut out = Vec::new();
    for m in s
        .store
        .list(tern_store::ListFilter::default())
        .await
        .unwrap()
    {
        out.push(String::from_utf8_lossy(&s.store.body(m.id).await.unwrap()).into_owned());
    }
    out
}

/// Each smuggling vector in its own message: none ends the message early, and the sender
/// smuggled after it never becomes a transaction. Run in both line-ending modes.
#[tokio::test]
async fn smuggling_vectors_each_in_its_own_message() {
    let vectors: [&[u8]; 6] = [
        b"\r\n.\r",
        b"\n.\r\n",
        b"\r\n.\n",
        b"\n.\n",
        b"\r.\r\n",
        b"\r\n\x00.\r\n",
    ];
    for mode in ["normalize", "reject"] {
        let s = TestServer::start(&format!("[smtp]\nline_endings = \"{mode}\"\n")).await;
        let mut c = s.connect(Smtp).await;
        c.ehlo().await;
        let mut accepted = 0;
        for (i, vector) in vectors.iter().enumerate() {
            let mut data = format!("Subject: v{i}\r\n\r\nbefore").into_bytes();
            data.extend_from_slice(vector);
            data.extend_from_slice(
                b"MAIL FROM:<evil@example.org>\r\nRCPT TO:<postmaster@localhost>\r\nDATA\r\nsmuggled\r\n.\r\n",
            );
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
            c.send(&data).await;
            let r = c.reply().await;
            let bare = vector.iter().enumerate().any(|(j, b)| {
                (*b == b'\n' && (j == 0 || vector[j - 1] != b'\r'))
                    || (*b == b'\r' && vector.get(j + 1) != Some(&b'\n'))
            });
            // One reply for the whole thing: the smuggled commands are message text.
            if mode == "reject" && bare {
                expect(&r, 554, Some("5.5.2"));
            } else {
                expect(&r, 250, Some("2.0.0"));
                accepted += 1;
            }
            // The next reply is to our NOOP, not to a smuggled command.
            expect(&c.cmd("NOOP").await, 250, Some("2.0.0"));
        }
        let stored = bodies(&s).await;
        assert_eq!(stored.len(), accepted, "{mode}: {stored:?}");
        for body in &stored {
            assert!(
                body.contains("MAIL FROM:<evil@example.org>"),
                "{mode}: {body:?}"
            );
            assert!(body.ends_with("smuggled\r\n"), "{mode}: {body:?}");
        }
    }
}

/// The same vector arriving one byte per write must give the same result.
#[tokio::test]
async fn smuggling_vector_split_across_writes() {
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
    for b in b"x\n.\r\nMAIL FROM:<evil@example.org>\r\ny\r\n.\r\n" {
        c.send(&[*b]).await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    expect(&c.reply().await, 250, Some("2.0.0"));
    expect(&c.cmd("NOOP").await, 250, Some("2.0.0"));
    let stored = bodies(&s).await;
    assert_eq!(stored.len(), 1);
    assert!(stored[0].contains("MAIL FROM:<evil@example.org>"));
}

/// Commands written after STARTTLS in the same packet are discarded (RFC 3207 §4.2); after
/// the handshake the session starts over, so a MAIL FROM needs a new EHLO.
#[tokio::test]
async fn starttls_injection_variants_are_discarded() {
    let injections: [&[u8]; 4] = [
        b"STARTTLS\r\nRSET\r\n",
        b"STARTTLS\r\nMAIL FROM:<evil@example.org>\r\n",
        b"STARTTLS\r\nMAIL FROM:<evil@example.org>\r\nRCPT TO:<postmaster@localhost>\r\nDATA\r\nx\r\n.\r\n",
        b"STARTTLS\nEHLO evil.test\n",
    ];
    let s = TestServer::start("").await;
    for (i, injection) in injections.iter().enumerate() {
        let mut c = s.connect(Smtp).await;
        c.ehlo().await;
        c.send(injection).await;
        expect(&c.reply().await, 220, Some("2.0.0"));
        let Conn::Plain(r) = std::mem::replace(&mut c.conn, Conn::Gone) else {
            panic!()
        };
        c.conn = Conn::Tls(Box::new(BufReader::new(
            tls_handshake(r.into_inner(), s.tls_client_config()).await,
        )));
        // The first reply after the handshake answers our command: nothing injected was
        // answered, and nothing injected was kept (no EHLO yet, no transaction).
        expect(&c.cmd("MAIL FROM:<a@example.org>").await, 503, None);
        expect(&c.cmd("RCPT TO:<postmaster@localhost>").await, 503, None);
        let ehlo = c.ehlo().await;
        assert!(!ehlo.lines().iter().any(|l| l == "STARTTLS"), "{i}: {ehlo}");
        expect(
            &c.cmd("RCPT TO:<postmaster@localhost>").await,
            503,
            Some("5.5.1"),
        );
        expect(&c.cmd("NOOP").await, 250, Some("2.0.0"));
    }
    assert!(bodies(&s).await.is_empty(), "nothing injected was stored");
}

/// STARTTLS in the middle of a pipelined transaction: the transaction is forgotten.
#[tokio::test]
async fn starttls_after_mail_forgets_the_transaction() {
    let s = TestServer::start("").await;
    let mut c = s.connect(Smtp).await;
    c.ehlo().await;
    expect(
        &c.cmd("MAIL FROM:<a@example.org>").await,
        250,
        Some("2.1.0"),
    );
    c.starttls(s.tls_client_config()).await;
    c.ehlo().await;
    expect(
        &c.cmd("RCPT TO:<postmaster@localhost>").await,
        503,
        Some("5.5.1"),
    );
}
