//! `tern bench` against a real `tern serve`: the counts it reports are the messages queued.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

fn tern() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("tern"))
}

/// A `tern serve` child process, killed when dropped.
struct Server {
    child: Child,
    config: std::path::PathBuf,
    smtp: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server that relays `hold.test` to a closed port, so accepted messages stay queued.
fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tern.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nhostname = \"mx.test\"\ndata_dir = \"{}\"\n[admin]\naddress = \"127.0.0.1:0\"\n\
             [[listener]]\nkind = \"smtp\"\naddress = \"127.0.0.1:0\"\n\
             [relay]\ntrusted_networks = [\"127.0.0.0/8\"]\n\
             [delivery]\nretry_initial = \"1h\"\n\
             [[delivery.route]]\ndomain = \"hold.test\"\nhost = \"127.0.0.1:1\"\ntls = \"none\"\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let mut child = tern()
        .args(["serve", "--config"])
        .arg(&config)
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut smtp = None;
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(20)) {
        if let Some(addr) = line.strip_prefix("tern: Smtp listening on ") {
            smtp = addr.parse().ok();
            break;
        }
    }
    Server {
        child,
        config,
        smtp: smtp.expect("smtp listener"),
        _dir: dir,
    }
}

#[test]
fn bench_counts_what_the_server_queued() {
    let server = start();
    let out = tern()
        .args(["bench", "--messages", "50", "--concurrency", "4", "--json"])
        .args(["--duration", "60s", "--to", "someone@hold.test", "--target"])
        .arg(server.smtp.to_string())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["ok"], 50, "{report}");
    assert_eq!(report["refused"], 0, "{report}");
    assert_eq!(report["broken"], 0, "{report}");
    assert_eq!(report["replies"].as_array().unwrap().len(), 0, "{report}");
    assert!(
        report["latency_ms"]["p99"].as_f64().unwrap() > 0.0,
        "{report}"
    );

    let list = tern()
        .args(["queue", "list", "--json", "--config"])
        .arg(&server.config)
        .output()
        .unwrap();
    assert!(list.status.success());
    let queue: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(queue["messages"].as_array().unwrap().len(), 50, "{queue}");
}

#[test]
fn refused_replies_are_counted_and_nothing_succeeding_fails() {
    let server = start();
    // not a local domain and not routed: the relay is allowed, but the address is bad
    let out = tern()
        .args(["bench", "--messages", "5", "--concurrency", "1", "--json"])
        .args(["--to", "nobody@localhost", "--target"])
        .arg(server.smtp.to_string())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], 0, "{report}");
    assert_eq!(report["refused"], 5, "{report}");
    let replies = report["replies"].as_array().unwrap();
    assert!(
        replies
            .iter()
            .any(|r| r["what"].as_str().unwrap().starts_with("550 5.1.1 to RCPT")),
        "{report}"
    );
}

#[test]
fn a_target_that_is_not_loopback_is_refused() {
    for target in ["192.0.2.1:25", "[2001:db8::1]:25"] {
        let out = tern()
            .args(["bench", "--messages", "1", "--target", target])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{target}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("not a loopback address"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(out.stdout.is_empty());
    }
}
