//! `tern serve` as users run it: a real process, real clients, real Maildirs.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// A `tern serve` child process, killed when dropped.
struct Server {
    child: Child,
    dir: tempfile::TempDir,
    smtp: SocketAddr,
    submission: SocketAddr,
    admin: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tern() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("tern"))
}

fn config(dir: &Path) -> PathBuf {
    let path = dir.join("tern.toml");
    std::fs::write(
        &path,
        format!(
            "[server]\nhostname = \"mx.test\"\ndata_dir = \"{}\"\n[admin]\naddress = \"127.0.0.1:0\"\n\
             [[listener]]\nkind = \"smtp\"\naddress = \"127.0.0.1:0\"\n\
             [[listener]]\nkind = \"submission\"\naddress = \"127.0.0.1:0\"\n\
             [local]\ndomains = [\"example.test\"]\nmailboxes = [\"postmaster\", \"bob\", \"alice\"]\n\
             [[delivery.route]]\ndomain = \"down.test\"\nhost = \"127.0.0.1:1\"\ntls = \"none\"\n",
            dir.join("data").display()
        ),
    )
    .unwrap();
    path
}

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let mut add = tern()
        .args([
            "user",
            "add",
            "alice@example.test",
            "--password-stdin",
            "--config",
        ])
        .arg(&config)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"s3cret\n").unwrap();
    assert!(add.wait().unwrap().success());
    let mut child = tern()
        .args(["serve", "--config"])
        .arg(&config)
        .env(
            "RUST_LOG",
            std::env::var("TEST_LOG").unwrap_or("warn".into()),
        )
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Keep reading the server's stderr for its whole life, so it never blocks on a full pipe.
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if std::env::var_os("TEST_LOG").is_some() {
                eprintln!("[tern] {line}");
            }
            let _ = tx.send(line);
        }
    });
    let (mut smtp, mut submission, mut admin) = (None, None, None);
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(20)) {
        if let Some(addr) = line.strip_prefix("tern: Smtp listening on ") {
            smtp = addr.parse().ok();
        }
        if let Some(addr) = line.strip_prefix("tern: Submission listening on ") {
            submission = addr.parse().ok();
        }
        if let Some(rest) = line.strip_prefix("tern: admin listening on http://") {
            admin = rest.split(' ').next().and_then(|a| a.parse().ok());
        }
        if smtp.is_some() && submission.is_some() && admin.is_some() {
            break;
        }
    }
    Server {
        child,
        dir,
        smtp: smtp.expect("smtp listener"),
        submission: submission.expect("submission listener"),
        admin: admin.expect("admin endpoint"),
    }
}

/// Waits for the one message in a mailbox's `new/` and returns it.
fn delivered(server: &Server, domain: &str, user: &str) -> Vec<u8> {
    let new = server
        .dir
        .path()
        .join("data/mail")
        .join(domain)
        .join(user)
        .join("new");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(mut entries) = std::fs::read_dir(&new)
            && let Some(Ok(entry)) = entries.next()
        {
            return std::fs::read(entry.path()).unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "nothing delivered to {}",
            new.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The message without the trace headers Tern adds (Return-Path, Delivered-To, Received).
fn without_trace(message: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(message);
    let mut out = String::new();
    let mut skipping = false;
    let mut in_headers_we_add = true;
    for line in text.split_inclusive("\r\n") {
        if in_headers_we_add {
            if line.starts_with("Return-Path:")
                || line.starts_with("Delivered-To:")
                || line.starts_with("Received:")
            {
                skipping = true;
                continue;
            }
            if skipping && line.starts_with(['\t', ' ']) {
                continue;
            }
            in_headers_we_add = false;
        }
        out.push_str(line);
    }
    out.into_bytes()
}

/// lettre always ends the data with `CRLF . CRLF` after the message, so a message that
/// already ends with CRLF arrives with one more empty line: that is what was transmitted.
fn as_lettre_transmits(mut formatted: Vec<u8>) -> Vec<u8> {
    formatted.extend_from_slice(b"\r\n");
    formatted
}

#[tokio::test(flavor = "multi_thread")]
async fn lettre_submits_with_starttls_and_auth_and_the_message_arrives_intact() {
    let server = start();
    let tls = TlsParameters::builder("localhost".into())
        .dangerous_accept_invalid_certs(true)
        .build()
        .unwrap();
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(server.submission.port())
        .tls(Tls::Required(tls))
        .credentials(Credentials::new(
            "alice@example.test".into(),
            "s3cret".into(),
        ))
        .build();
    let message = Message::builder()
        .from("Alice <alice@example.test>".parse::<Mailbox>().unwrap())
        .to("Bob <bob@example.test>".parse::<Mailbox>().unwrap())
        .subject("Lunch")
        .body(String::from("Hello Bob,\n.leading dot\n..two dots\nbye\n"))
        .unwrap();
    let sent = as_lettre_transmits(message.formatted());
    let response = transport.send(message).await.unwrap();
    assert_eq!(response.code().to_string(), "250");
    let got = delivered(&server, "example.test", "bob");
    assert_eq!(
        without_trace(&got),
        sent,
        "byte-exact apart from the trace headers"
    );
    let text = String::from_utf8_lossy(&got);
    assert!(
        text.starts_with(
            "Return-Path: <alice@example.test>\r\nDelivered-To: bob@example.test\r\nReceived: "
        ),
        "{text}"
    );
    assert!(text.contains("with ESMTPSA"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn lettre_on_port_25_with_pipelining_and_a_refused_login() {
    let server = start();
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(server.smtp.port())
        .build();
    let message = Message::builder()
        .from("carol@elsewhere.test".parse::<Mailbox>().unwrap())
        .to("postmaster@example.test".parse::<Mailbox>().unwrap())
        .subject("hi")
        .body(String::from("postmaster, hello\n"))
        .unwrap();
    let sent = as_lettre_transmits(message.formatted());
    transport.send(message).await.unwrap();
    assert_eq!(
        without_trace(&delivered(&server, "example.test", "postmaster")),
        sent
    );

    let bad = Message::builder()
        .from("carol@elsewhere.test".parse::<Mailbox>().unwrap())
        .to("nobody@example.test".parse::<Mailbox>().unwrap())
        .body(String::from("x"))
        .unwrap();
    let err = transport.send(bad).await.unwrap_err();
    assert!(err.to_string().contains("5.1.1"), "{err}");

    let tls = TlsParameters::builder("localhost".into())
        .dangerous_accept_invalid_certs(true)
        .build()
        .unwrap();
    let wrong = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(server.submission.port())
        .tls(Tls::Required(tls))
        .credentials(Credentials::new(
            "alice@example.test".into(),
            "wrong".into(),
        ))
        .build();
    let m = Message::builder()
        .from("alice@example.test".parse::<Mailbox>().unwrap())
        .to("bob@example.test".parse::<Mailbox>().unwrap())
        .body(String::from("x"))
        .unwrap();
    let err = wrong.send(m).await.unwrap_err();
    assert!(
        err.to_string().contains("5.7.8") || err.to_string().contains("535"),
        "{err}"
    );
}

/// `tern serve` starts the admin endpoint and says where; it answers health checks and
/// serves the queue's metrics.
#[test]
fn serve_starts_the_admin_endpoint() {
    use std::io::Read;
    let server = start();
    let get = |path: &str| -> String {
        let mut tcp = std::net::TcpStream::connect(server.admin).unwrap();
        write!(
            tcp,
            "GET {path} HTTP/1.1\r\nHost: tern\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        tcp.read_to_string(&mut response).unwrap();
        response
    };
    let health = get("/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.ends_with("ok\n"), "{health}");
    let metrics = get("/metrics");
    assert!(metrics.contains("tern_queue_messages 0"), "{metrics}");

    // A message for a destination that is down, bounced through the API.
    let config = server.dir.path().join("tern.toml");
    let out = tern()
        .args(["send", "-f", "alice@example.test", "--config"])
        .arg(&config)
        .arg("x@down.test")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"Subject: x\n\nx\n")?;
            child.wait_with_output()
        })
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    let id = printed
        .trim()
        .strip_prefix("queued as ")
        .unwrap()
        .to_owned();
    let post = |path: &str| -> String {
        let mut tcp = std::net::TcpStream::connect(server.admin).unwrap();
        write!(
            tcp,
            "POST {path} HTTP/1.1\r\nHost: tern\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        tcp.read_to_string(&mut response).unwrap();
        response
    };
    let response = post(&format!("/api/v1/queue/{id}/bounce"));
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains("failed x@down.test") && response.contains("bounce "),
        "{response}"
    );
}

/// `[log] format = "json"`: every event is one JSON object a line, its fields as keys.
#[test]
fn json_logs_are_one_object_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("[log]\nformat = \"json\"\n");
    std::fs::write(&config, text).unwrap();
    let mut child = tern()
        .args(["serve", "--config"])
        .arg(&config)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut found = None;
    for line in stderr.lines().map_while(Result::ok) {
        if line.starts_with("tern: admin listening") {
            break;
        }
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
            && v["certificate"].is_string()
        {
            found = Some(v);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let v = found.expect("the self-signed certificate warning, as a JSON object");
    assert_eq!(v["level"], "WARN", "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("self-signed"),
        "{v}"
    );
}
