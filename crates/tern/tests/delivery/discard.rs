//! A discard route (`transport = "discard"`, Postfix's `discard:`) on a running Tern: the
//! message is accepted over TCP and queued (250), then its discarded recipients are marked
//! delivered with a "discarded" attempt in the timeline — without a DNS lookup (the test DNS
//! server knows nothing of the domain and logs every query) or a connection — while the other
//! recipients of the same message are delivered as usual.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tern_config::Config;
use tern_delivery::dns::Resolver;
use tern_store::{
    Decision, ListFilter, MessageInfo, QueueId, QueueStore, RecipientState, SqliteConfig,
    SqliteStore,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Notify;

use crate::dns::TestDns;

/// `tern serve` in-process: the SMTP listener and the delivery worker on one queue.
struct Tern {
    dir: tempfile::TempDir,
    config_path: std::path::PathBuf,
    store: Arc<SqliteStore>,
    port: u16,
    _server: tern_server::ServerHandle,
    _delivery: tern_delivery::DeliveryHandle,
}

async fn tern(dns: &TestDns) -> Tern {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "[server]\nhostname = \"mx.a.test\"\ndata_dir = \"{}\"\n[admin]\naddress = \"127.0.0.1:0\"\n\
         [[listener]]\nkind = \"smtp\"\naddress = \"127.0.0.1:0\"\n\
         [local]\ndomains = [\"a.test\"]\nmailboxes = [\"alice\", \"postmaster\"]\n\
         [relay]\ntrusted_networks = [\"127.0.0.0/8\"]\n\
         [[delivery.route]]\ndomain = \"sink.test\"\ntransport = \"discard\"\n",
        dir.path().join("data").display()
    );
    let config_path = dir.path().join("tern.toml");
    std::fs::write(&config_path, &toml).unwrap();
    let config = Arc::new(Config::load(&config_path).unwrap());
    let store = Arc::new(
        SqliteStore::open(SqliteConfig::new(config.server.data_dir.join("queue"))).unwrap(),
    );
    let queued = Arc::new(Notify::new());
    let server = tern_server::start(
        Arc::clone(&config),
        Arc::clone(&store),
        tern_server::Hooks {
            queued: Arc::clone(&queued),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let port = server
        .address(tern_config::ListenerKind::Smtp)
        .unwrap()
        .port();
    let delivery = tern_delivery::start(
        Arc::clone(&config),
        Arc::clone(&store),
        queued,
        Resolver::with_nameservers(&[dns.addr]),
    );
    Tern {
        dir,
        config_path,
        store,
        port,
        _server: server,
        _delivery: delivery,
    }
}

impl Tern {
    /// Sends one message over SMTP; returns its queue id from the `250` after the data.
    async fn send(&self, from: &str, rcpts: &[&str], body: &str) -> QueueId {
        let tcp = TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let (read, mut write) = tcp.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut reply = async || -> String {
            // The last line of a (possibly multi-line) reply.
            loop {
                let line = lines.next_line().await.unwrap().expect("a reply");
                if line.as_bytes().get(3) != Some(&b'-') {
                    return line;
                }
            }
        };
        assert!(reply().await.starts_with("220 "));
        let mut commands = vec!["EHLO client.test".to_owned(), format!("MAIL FROM:<{from}>")];
        commands.extend(rcpts.iter().map(|r| format!("RCPT TO:{r}")));
        commands.push("DATA".to_owned());
        for command in commands {
            write
                .write_all(format!("{command}\r\n").as_bytes())
                .await
                .unwrap();
            let line = reply().await;
            let expected = if command == "DATA" { "354" } else { "250" };
            assert!(line.starts_with(expected), "{command}: {line}");
        }
        write
            .write_all(format!("{body}.\r\nQUIT\r\n").as_bytes())
            .await
            .unwrap();
        let queued = reply().await;
        assert!(queued.starts_with("250 "), "{queued}");
        assert!(reply().await.starts_with("221 "));
        let id = queued
            .rsplit_once("queued as ")
            .unwrap_or_else(|| panic!("no queue id in {queued:?}"))
            .1;
        id.trim().parse().unwrap()
    }

    /// The message once none of its recipients is waiting any more (at most 20 s).
    async fn settled(&self, id: QueueId) -> MessageInfo {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let info = self.store.message(id).await.unwrap();
            if info.recipients.iter().all(|r| r.state.is_final()) {
                return info;
            }
            assert!(Instant::now() < deadline, "not delivered in time: {info:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn alice_mail(&self) -> Vec<String> {
        super::harness::maildir_messages(&self.dir.path().join("data/mail/a.test/alice"))
    }

    /// `tern queue show ID`, as an administrator runs it while Tern serves.
    fn queue_show(&self, id: QueueId) -> String {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("tern"))
            .args(["queue", "show", &id.to_string(), "--config"])
            .arg(&self.config_path)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "200")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_discard_route_queues_then_drops_without_dns_or_connection() {
    // The test DNS server has no records at all: an MX lookup for sink.test would be
    // NXDOMAIN and fail the recipient with 550 5.1.2.
    let dns = TestDns::builder().start().await;
    let t = tern(&dns).await;

    // Only a discarded recipient.
    let id = t
        .send(
            "alice@a.test",
            &["<x@sink.test>"],
            "Subject: into the sink\r\n\r\nhi\r\n",
        )
        .await;
    let info = t.settled(id).await;
    let r = &info.recipients[0];
    assert_eq!(r.state, RecipientState::Delivered, "{info:?}");
    let reply = r.last_reply.clone().unwrap();
    assert_eq!(
        (reply.code, reply.enhanced.as_deref(), reply.text.as_str()),
        (250, Some("2.0.0"), "Discarded by the route for sink.test")
    );
    assert_eq!(r.remote_host, None, "no server was involved");
    let timeline = t.store.attempts(id).await.unwrap();
    assert_eq!(timeline.len(), 1, "{timeline:#?}");
    let attempt = &timeline[0];
    assert_eq!(attempt.destination, "sink.test");
    assert_eq!(attempt.decision, Decision::Delivered);
    assert_eq!((&attempt.mx_host, &attempt.ip), (&None, &None));
    assert!(
        attempt.transcript.contains("discard") && attempt.transcript.contains("no connection"),
        "{}",
        attempt.transcript
    );
    // Off the queue: nothing of it is due any more, now or later.
    let due = t.store.due(i64::MAX, 100).await.unwrap();
    assert!(due.iter().all(|d| d.id != id), "{due:?}");
    let show = t.queue_show(id);
    if std::env::var_os("SHOW_QUEUE").is_some() {
        println!("{show}");
    }
    assert!(show.contains("x@sink.test  delivered"), "{show}");
    assert!(
        show.contains("Discarded by the route for sink.test"),
        "{show}"
    );
    assert!(show.contains("discarded by [[delivery.route]]"), "{show}");

    // A mixed message: the local recipient's copy is in her Maildir, the other discarded.
    let id = t
        .send(
            "bob@client.test",
            &["<y@sink.test>", "<alice@a.test>"],
            "Subject: half of it\r\n\r\nhello alice\r\n",
        )
        .await;
    let info = t.settled(id).await;
    assert_eq!(
        info.recipients.iter().map(|r| r.state).collect::<Vec<_>>(),
        vec![RecipientState::Delivered; 2],
        "{info:?}"
    );
    let mail = t.alice_mail();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert!(
        mail[0].contains("Delivered-To: alice@a.test"),
        "{}",
        mail[0]
    );
    assert!(mail[0].ends_with("\r\nhello alice\r\n"), "{}", mail[0]);
    let timeline = t.store.attempts(id).await.unwrap();
    let mut destinations: Vec<&str> = timeline.iter().map(|a| a.destination.as_str()).collect();
    destinations.sort_unstable();
    assert_eq!(destinations, ["local", "sink.test"], "{timeline:#?}");

    // NOTIFY=SUCCESS: the sender hears "delivered", with the discard said plainly.
    let id = t
        .send(
            "alice@a.test",
            &["<z@sink.test> NOTIFY=SUCCESS"],
            "Subject: tell me\r\n\r\nx\r\n",
        )
        .await;
    t.settled(id).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let report = loop {
        if let Some(m) = t.alice_mail().into_iter().find(|m| m.contains("Action:")) {
            break m;
        }
        assert!(Instant::now() < deadline, "no success report");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(report.contains("Action: delivered"), "{report}");
    assert!(
        report.contains("Diagnostic-Code: smtp; 250 2.0.0 Discarded by the route for sink.test"),
        "{report}"
    );
    assert!(report.contains("Discarded: this mail system"), "{report}");
    if std::env::var_os("SHOW_BOUNCE").is_some() {
        println!("{report}");
    }

    // No other report was sent (no bounce, no success report without NOTIFY=SUCCESS): the
    // only null-sender message is the one asked for.
    let reports = t
        .store
        .list(ListFilter {
            sender: Some(String::new()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");

    // And nobody asked DNS about the discarded domain (nor anything else).
    assert_eq!(dns.queries(), vec![], "no DNS lookup");
}
