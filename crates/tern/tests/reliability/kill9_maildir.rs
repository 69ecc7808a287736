//! kill -9 of `tern serve` while messages stream to a local Maildir, in many cycles on the same
//! data directory: after the last restart has delivered everything, every message a client saw
//! acknowledged is in the Maildir exactly once (none lost, none twice), whatever instant of
//! delivery each kill fell on (before the file, between its rename into `new/` and the store's
//! record of the delivery, after).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tern_store::{ListFilter, QueueStore, SqliteConfig, SqliteStore};

use super::kill9::{Ledger, audit, load_config, run_and_kill};
use super::support::{Rng, Server, ledger_id};

const CYCLES: usize = 12;
/// Two clients keep delivery busy at every kill, and few enough messages queue up (a few
/// hundred a cycle) that the last start delivers what is left in seconds. Delivery falls
/// behind them, so the early kills land on fresh mail (received by the process killed) and
/// the later ones also on mail a killed process received (each kind checked differently,
/// see `Maildirs::existing`).
const CLIENTS: usize = 2;
const RCPTS: &[&str] = &["box@local.test"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_local_delivery_delivers_every_acknowledged_message_exactly_once() {
    let started = Instant::now();
    let (_dir, data, config) = load_config(
        "[local]\ndomains = [\"local.test\"]\nmailboxes = [\"box\", \"postmaster\"]\n\
         [delivery]\nretry_initial = \"1s\"\n",
    );
    let mailbox = data.join("mail/local.test/box");
    let mut rng = Rng::from_env("kill9_maildir");
    let ledger: Ledger = Arc::default();
    // What each kill left to deliver: a kill that left work landed while delivery had some.
    let mut left = Vec::new();
    for cycle in 0..CYCLES {
        let kill_after = Duration::from_millis(rng.range(150, 600));
        let name = format!("k{cycle}");
        run_and_kill(
            &config, &mut rng, &ledger, &name, kill_after, CLIENTS, RCPTS,
        )
        .await;
        left.push(pending(&data).await);
    }
    let busy = left.iter().filter(|n| **n > 0).count();

    // The last start delivers what is left; the queue is then empty of work.
    let server = Server::start(&config);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let n = pending(&data).await;
        if n == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{n} recipients still not delivered (left after each kill: {left:?})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(server);

    let stored = maildir_by_ledger_id(&mailbox);
    let ledger = ledger.lock().unwrap();
    let (failures, counts) = audit(&ledger, &stored);
    let files: usize = stored.values().map(Vec::len).sum();
    eprintln!(
        "kill9_maildir: {CYCLES} cycles (left to deliver after each kill: {left:?}), {} messages \
         in the ledger {counts:?}, {files} files in the Maildir, {:?}",
        ledger.len(),
        started.elapsed()
    );
    assert!(
        counts.get("250").copied().unwrap_or(0) > 10 * CYCLES,
        "too few messages accepted to mean anything: {counts:?}"
    );
    assert!(
        busy * 2 >= CYCLES,
        "only {busy} of {CYCLES} kills landed while delivery had work"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Recipients with work left in the queue under `data` (opened as the primary, so recovery
/// runs, when no server runs; as a second handle when one does).
async fn pending(data: &Path) -> usize {
    let store = SqliteStore::open(SqliteConfig::new(data.join("queue"))).unwrap();
    let n = store
        .list(ListFilter::default())
        .await
        .unwrap()
        .iter()
        .flat_map(|m| &m.recipients)
        .filter(|r| !r.state.is_final())
        .count();
    store.close().await.unwrap();
    n
}

/// Every message in the Maildir (`new/` and `cur/`) by the ledger id of its `Message-ID`,
/// each copy from that header on: as the client sent it, without the trace headers.
fn maildir_by_ledger_id(maildir: &Path) -> HashMap<String, Vec<Vec<u8>>> {
    let mut stored: HashMap<String, Vec<Vec<u8>>> = HashMap::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(maildir.join(sub)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let file = std::fs::read(&path).unwrap();
            let marker = b"\r\nMessage-ID: <";
            let start = file
                .windows(marker.len())
                .position(|w| w == marker)
                .unwrap_or_else(|| panic!("{}: no Message-ID", path.display()))
                + 2;
            let sent = file[start..].to_vec();
            let id = ledger_id(&sent).unwrap_or_default();
            stored.entry(id).or_default().push(sent);
        }
    }
    stored
}
