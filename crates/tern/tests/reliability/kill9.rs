//! kill -9 of `tern serve` under load, at random moments, in several rounds on the same data
//! directory, with a ledger of every reply the clients saw.
//!
//! The recipients are in `hold.test`, routed to a closed port with a one-hour retry, so
//! delivery never removes a message from the queue during the test: everything accepted must
//! still be there at the end.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tern_store::{ListFilter, QueueStore, SqliteConfig, SqliteStore};

use super::support::{
    Client, Rng, Server, closed_port, ledger_id, message_body, without_received, write_config,
};

/// What the client knows about one message it tried to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// The data was never sent (the connection was lost before 354).
    NotSent,
    /// The data was sent and no reply came (the server was killed).
    NoReply,
    /// The reply to the end of data.
    Replied(u16),
}

#[derive(Debug)]
pub(super) struct Entry {
    pub(super) id: String,
    pub(super) body: Vec<u8>,
    pub(super) outcome: Outcome,
}

pub(super) type Ledger = Arc<Mutex<Vec<Entry>>>;

const ROUNDS: usize = 4;
const CLIENTS: usize = 8;

/// A temporary directory with the data directory (`data`) and config of a load test: many
/// connections from one address, no TLS, and `sections`.
pub(super) fn load_config(sections: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = write_config(
        dir.path(),
        &data,
        &format!("[limits]\nmax_connections_per_ip = 100\n[tls]\nenabled = false\n{sections}"),
    );
    (dir, data, config)
}

/// Starts `tern serve`, lets `clients` clients (named `prefix`c0...) send to `rcpts`, and
/// kills the server with SIGKILL after `kill_after`, mid-stream. Returns once every client has
/// seen the connection go.
pub(super) async fn run_and_kill(
    config: &std::path::Path,
    rng: &mut Rng,
    ledger: &Ledger,
    prefix: &str,
    kill_after: Duration,
    clients: usize,
    rcpts: &'static [&'static str],
) {
    let mut server = Server::start(config);
    let until = Instant::now() + kill_after + Duration::from_secs(5);
    let mut tasks = Vec::new();
    for task in 0..clients {
        tasks.push(tokio::spawn(client(
            server.smtp,
            format!("{prefix}c{task}"),
            rng.fork(),
            Arc::clone(ledger),
            until,
            rcpts,
        )));
    }
    tokio::time::sleep(kill_after).await;
    server.kill();
    for t in tasks {
        tokio::time::timeout(Duration::from_secs(20), t)
            .await
            .expect("a client hung after the kill")
            .unwrap();
    }
}

/// One client: connects, sends messages to one of `rcpts` each until the connection is lost
/// or `until`.
async fn client(
    server: std::net::SocketAddr,
    name: String,
    mut rng: Rng,
    ledger: Ledger,
    until: Instant,
    rcpts: &'static [&'static str],
) {
    let mut n = 0;
    'connections: while Instant::now() < until {
        let Ok((mut c, greeting)) = Client::connect(server).await else {
            return;
        };
        if greeting.code != 220 || c.ok("EHLO load.test", 250).await.is_err() {
            return;
        }
        // A few messages per connection, then a new connection.
        for _ in 0..rng.range(1, 6) {
            n += 1;
            let id = format!("{name}m{n}");
            let len = if rng.range(0, 8) == 0 {
                rng.range(66_000, 140_000) // spooled
            } else {
                rng.range(100, 6_000)
            } as usize;
            let body = message_body(&id, len);
            let record = |outcome| {
                ledger.lock().unwrap().push(Entry {
                    id: id.clone(),
                    body: body.clone(),
                    outcome,
                })
            };
            let started = async {
                c.ok("MAIL FROM:<load@client.test>", 250).await?;
                let rcpt = rcpts[rng.range(0, rcpts.len() as u64) as usize];
                c.ok(&format!("RCPT TO:<{rcpt}>"), 250).await?;
                c.ok("DATA", 354).await
            };
            if started.await.is_err() {
                record(Outcome::NotSent);
                return;
            }
            let mut data = body.clone();
            data.extend_from_slice(b".\r\n");
            if c.send(&data).await.is_err() {
                record(Outcome::NoReply);
                return;
            }
            match c.reply().await {
                Ok(r) => record(Outcome::Replied(r.code)),
                Err(_) => {
                    record(Outcome::NoReply);
                    return;
                }
            }
            if Instant::now() >= until {
                break 'connections;
            }
        }
        let _ = c.cmd("QUIT").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_keeps_every_acknowledged_message_once_and_intact() {
    let started = Instant::now();
    let (_dir, data, config) = load_config(&format!(
        "[relay]\ntrusted_networks = [\"127.0.0.0/8\"]\n\
         [delivery]\nretry_initial = \"1h\"\n\
         [[delivery.route]]\ndomain = \"hold.test\"\nhost = \"127.0.0.1:{}\"\ntls = \"none\"\n",
        closed_port()
    ));
    let mut rng = Rng::from_env("kill9");
    let ledger: Ledger = Arc::default();
    for round in 0..ROUNDS {
        let kill_after = Duration::from_millis(rng.range(300, 1500));
        let rcpts = &["a@hold.test", "b@hold.test"];
        let name = format!("r{round}");
        run_and_kill(
            &config, &mut rng, &ledger, &name, kill_after, CLIENTS, rcpts,
        )
        .await;
    }

    // The server starts again on the same data and accepts mail.
    let mut server = Server::start(&config);
    let body = message_body("final", 500);
    let (mut c, greeting) = Client::connect(server.smtp).await.unwrap();
    assert_eq!(greeting.code, 220, "{greeting}");
    c.ok("EHLO load.test", 250).await.unwrap();
    let r = c.message("a@hold.test", &body).await.unwrap();
    assert!(r.is(250, "2.0.0"), "{r}");
    ledger.lock().unwrap().push(Entry {
        id: "final".into(),
        body,
        outcome: Outcome::Replied(250),
    });
    server.kill();

    // Open the queue as the primary (so recovery runs) and hold it to the ledger.
    let store = SqliteStore::open(SqliteConfig::new(data.join("queue"))).unwrap();
    let recovery = store.recovery();
    assert!(recovery.missing_bodies.is_empty(), "{recovery:?}");
    let mut stored: HashMap<String, Vec<Vec<u8>>> = HashMap::new();
    let mut unknown = Vec::new();
    for m in store.list(ListFilter::default()).await.unwrap() {
        let body = store.body(m.id).await.unwrap();
        assert_eq!(body.len() as u64, m.body_len, "{}: body length", m.id);
        assert_eq!(m.envelope.recipients.len(), 1, "{}: recipients", m.id);
        match ledger_id(&body) {
            Some(id) => stored
                .entry(id)
                .or_default()
                .push(without_received(&body).to_vec()),
            None => unknown.push(m.id),
        }
    }
    assert!(
        unknown.is_empty(),
        "stored messages no client sent (partial?): {unknown:?}"
    );
    let ledger = ledger.lock().unwrap();
    let (failures, counts) = audit(&ledger, &stored);
    eprintln!(
        "kill9: {ROUNDS} rounds, {} messages in the ledger {counts:?}, {} stored, {:?}",
        ledger.len(),
        stored.len(),
        started.elapsed()
    );
    assert!(
        counts.get("250").copied().unwrap_or(0) > ROUNDS,
        "too few messages accepted to mean anything: {counts:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Holds what was stored (by ledger id, each copy as the client sent it) to the ledger: a
/// message answered 250 is stored exactly once, one whose reply was lost at most once, any
/// other never, and every copy is intact. Returns the failures and the count of each outcome.
pub(super) fn audit(
    ledger: &[Entry],
    stored: &HashMap<String, Vec<Vec<u8>>>,
) -> (Vec<String>, HashMap<&'static str, usize>) {
    let mut failures = Vec::new();
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    for e in ledger {
        let copies = stored.get(&e.id).map(Vec::as_slice).unwrap_or_default();
        *counts
            .entry(match e.outcome {
                Outcome::Replied(250) => "250",
                Outcome::Replied(_) => "error",
                Outcome::NoReply => "no reply",
                Outcome::NotSent => "not sent",
            })
            .or_default() += 1;
        let intact = copies.iter().all(|b| *b == e.body);
        match e.outcome {
            Outcome::Replied(250) if copies.len() != 1 => failures.push(format!(
                "{}: answered 250, stored {} times",
                e.id,
                copies.len()
            )),
            Outcome::Replied(code) if code != 250 && !copies.is_empty() => {
                failures.push(format!("{}: answered {code}, yet stored", e.id))
            }
            Outcome::NotSent if !copies.is_empty() => {
                failures.push(format!("{}: never sent, yet stored", e.id))
            }
            Outcome::NoReply if copies.len() > 1 => failures.push(format!(
                "{}: reply lost, stored {} times",
                e.id,
                copies.len()
            )),
            _ if !intact => failures.push(format!("{}: stored body differs", e.id)),
            _ => {}
        }
    }
    let sent: std::collections::HashSet<&str> = ledger.iter().map(|e| e.id.as_str()).collect();
    for id in stored.keys() {
        if !sent.contains(id.as_str()) {
            failures.push(format!("{id}: stored but not in the ledger"));
        }
    }
    (failures, counts)
}
