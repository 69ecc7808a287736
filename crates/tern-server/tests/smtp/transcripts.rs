//! The server-session transcripts of tern-proto (`tern-proto/tests/transcripts/`), run again
//! over real TCP against a real server whose configuration gives the same answers as the
//! in-memory test policy: the same bytes must come back.

use std::path::Path;
use std::time::Duration;

use tern_config::ListenerKind;
use tern_server::Hooks;
use tern_store::QueueStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};

#[allow(dead_code)]
#[path = "../../../tern-proto/tests/session/transcript.rs"]
mod transcript;

use super::{Client, Conn, TestServer, tls_handshake};
use transcript::Transcript;

/// A config that answers like the in-memory test policy of tern-proto's transcript tests.
fn config_for(t: &Transcript) -> (String, String) {
    let c = &t.config;
    let tls = c.starttls_available || t.implicit_tls;
    let listener = if t.implicit_tls {
        "submissions"
    } else {
        "smtp"
    };
    let listeners = format!("[[listener]]\nkind = \"{listener}\"\naddress = \"127.0.0.1:0\"\n");
    let sections = format!(
        "[tls]\nenabled = {tls}\n\
         [limits]\nmax_recipients = {}\nmax_errors = {}\nmax_message_size = {}\nmax_line_length = {}\n\
         [smtp]\nline_endings = \"{}\"\n\
         [auth]\nfailure_delay = \"1ms\"\n\
         [local]\ndomains = [\"localhost\"]\nmailboxes = [\"postmaster\", \"b\", \"b1\", \"b2\", \"b3\", \"bob\", \"alice\"]\n\
         [local.forward]\n\"forward@localhost\" = \"elsewhere@example.net\"\n\
         [[fault]]\non = \"rcpt\"\naddress = \"busy@*\"\nreply = \"rcpt.mailbox_busy\"\n\
         [[fault]]\non = \"mail\"\naddress = \"*blocked*\"\nreply = \"mail.sender_refused\"\n",
        c.max_recipients,
        c.max_errors,
        c.max_message_size,
        c.max_line,
        match c.line_endings {
            tern_proto::LineEndingPolicy::Reject => "reject",
            tern_proto::LineEndingPolicy::Normalize => "normalize",
        },
    );
    (sections, listeners)
}

/// How many "queued as" replies an expected segment has (each real id is longer than QIDn).
fn queued_in(expected: &[u8]) -> usize {
    String::from_utf8_lossy(expected)
        .matches("queued as ")
        .count()
}

async fn read_exactly(client: &mut Client, want: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while got.len() < want {
        let read = async {
            match &mut client.conn {
                Conn::Plain(r) => r.read(&mut buf).await,
                Conn::Tls(r) => r.read(&mut buf).await,
                Conn::Gone => Ok(0),
            }
        };
        match tokio::time::timeout(Duration::from_secs(5), read).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    got
}

/// Replaces each real queue id in `250 2.0.0 Ok: queued as <id>` by `QID<n>`, numbering them
/// as the in-memory test policy does.
fn number_queue_ids(bytes: &[u8], count: &mut u32) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        match line.split_once("queued as ") {
            Some((head, _)) => {
                *count += 1;
                out.push_str(&format!("{head}queued as QID{count}\r\n"));
            }
            None => out.push_str(line),
        }
    }
    out.into_bytes()
}

async fn send_ignoring_errors(client: &mut Client, bytes: &[u8]) {
    let _ = match &mut client.conn {
        Conn::Plain(r) => r.get_mut().write_all(bytes).await,
        Conn::Tls(r) => r.get_mut().write_all(bytes).await,
        Conn::Gone => Ok(()),
    };
}

async fn run_over_tcp(t: &Transcript) -> Result<(), String> {
    let (sections, listeners) = config_for(t);
    let server =
        TestServer::start_named("localhost", &sections, &listeners, Hooks::default()).await;
    server.add_user("alice", "secret");
    let kind = if t.implicit_tls {
        ListenerKind::Submissions
    } else {
        ListenerKind::Smtp
    };
    let mut client = if t.implicit_tls {
        let tcp = tokio::net::TcpStream::connect(server.addr(kind))
            .await
            .unwrap();
        Client {
            conn: Conn::Tls(Box::new(BufReader::new(
                tls_handshake(tcp, server.tls_client_config()).await,
            ))),
        }
    } else {
        server.connect_raw(kind).await
    };
    let show = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let mut queued = 0;
    for (i, (segment, expected)) in t.segments.iter().zip(&t.expected_segments).enumerate() {
        if i > 0 {
            let Conn::Plain(r) = std::mem::replace(&mut client.conn, Conn::Gone) else {
                return Err("STARTTLS on a TLS connection".into());
            };
            let tls = tls_handshake(r.into_inner(), server.tls_client_config()).await;
            client.conn = Conn::Tls(Box::new(BufReader::new(tls)));
        }
        send_ignoring_errors(&mut client, segment).await;
        let raw = read_exactly(
            &mut client,
            expected.len() + (tern_store::QUEUE_ID_LEN - "QID1".len()) * queued_in(expected),
        )
        .await;
        let got = number_queue_ids(&raw, &mut queued);
        if &got != expected {
            return Err(format!(
                "segment {i}\n--- expected\n{}--- got\n{}",
                show(expected),
                show(&got)
            ));
        }
    }
    if let Some(body) = &t.body {
        let queued = server
            .store
            .list(tern_store::ListFilter::default())
            .await
            .unwrap();
        let last = queued.last().ok_or("no message stored")?;
        let stored = server.store.body(last.id).await.unwrap();
        if !stored.ends_with(body) || !stored.starts_with(b"Received: ") {
            return Err(format!(
                "stored body\n--- expected (after the Received: header)\n{}--- got\n{}",
                show(body),
                show(&stored)
            ));
        }
    }
    Ok(())
}

#[tokio::test]
async fn session_transcripts_over_tcp() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tern-proto/tests/transcripts");
    let transcripts = transcript::load_dir(&dir);
    assert!(transcripts.len() >= 15);
    let mut failures = Vec::new();
    for t in &transcripts {
        if let Err(e) = run_over_tcp(t).await {
            failures.push(format!("{}: {e}", t.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
