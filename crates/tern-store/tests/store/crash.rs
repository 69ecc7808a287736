//! The crash test: a child process enqueues from many tasks and reports every `Ok` on stdout;
//! the parent kills it with SIGKILL at a random moment, reopens the store, and checks that
//! every reported message is there exactly once and byte-identical, and that every visible
//! message is complete. Several rounds on the same store.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tern_store::{
    Envelope, ListFilter, QueueId, QueueStore, Recipient, RecipientState, SqliteStore,
};

use super::common::{config, fnv, runtime};

const CHILD_ENV: &str = "TERN_STORE_CRASH_CHILD_DIR";
const ROUNDS: u32 = 5;
const WRITERS: u64 = 64;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// xorshift64*, seeded per task.
fn next(x: &mut u64) -> u64 {
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    x.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// The child: enqueue forever from many tasks, print `OK <id> <hash> <len> END` per success.
/// Every message describes itself (SIZE = body length, ENVID = body hash, HELO = recipient
/// count) so the parent can check messages it never heard about.
#[test]
#[ignore = "child process of sigkill_during_enqueues_loses_nothing"]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let rt = runtime();
    rt.block_on(async move {
        let store = SqliteStore::open(config(Path::new(&dir))).expect("child open");
        println!("READY");
        let mut tasks = Vec::new();
        for w in 0..WRITERS {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut x = (w + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ now_ms() as u64;
                loop {
                    let r = next(&mut x);
                    // One in ten bodies is large enough for a spool file.
                    let len = if r.is_multiple_of(10) {
                        80_000 + (r >> 8) as usize % 120_000
                    } else {
                        (r >> 8) as usize % 8_000
                    };
                    let body: Vec<u8> = (0..len).map(|_| next(&mut x) as u8).collect();
                    let hash = fnv(&body);
                    let rcpts = 1 + (r >> 40) as usize % 4;
                    let mut env = Envelope::new(
                        Some(format!("w{w}@example.org")),
                        (0..rcpts)
                            .map(|i| Recipient::new(format!("r{i}@d{}.example", r % 7)))
                            .collect(),
                        now_ms(),
                    );
                    env.params.size = Some(len as u64);
                    env.params.envid = Some(format!("{hash:016x}"));
                    env.client.helo = format!("rcpts={rcpts}");
                    match store.enqueue(env, body).await {
                        Ok(id) => {
                            let mut out = std::io::stdout().lock();
                            let _ = writeln!(out, "OK {id} {hash:016x} {len} END");
                            let _ = out.flush();
                        }
                        Err(e) => eprintln!("child enqueue error: {e}"),
                    }
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    });
}

/// An acknowledged enqueue: (hash, length).
type Acked = HashMap<QueueId, (u64, u64)>;

fn parse_ack(line: &str) -> Option<(QueueId, u64, u64)> {
    let mut parts = line.split(' ');
    if parts.next()? != "OK" {
        return None;
    }
    let id = parts.next()?.parse().ok()?;
    let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
    let len = parts.next()?.parse().ok()?;
    (parts.next()? == "END" && parts.next().is_none()).then_some((id, hash, len))
}

/// Runs one child and kills it `delay` after it is ready; returns its acknowledged enqueues.
fn one_round(dir: &Path, delay: Duration) -> Acked {
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "store::crash::crash_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("child stdout");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut acked = Acked::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // libtest prints "test ... " before the child's first line.
            if line.ends_with("READY") {
                let _ = tx.send(());
            } else if let Some((id, hash, len)) = parse_ack(&line) {
                assert!(
                    acked.insert(id, (hash, len)).is_none(),
                    "id {id} acked twice"
                );
            }
        }
        acked
    });
    let ready = rx.recv_timeout(Duration::from_secs(30));
    if ready.is_ok() {
        std::thread::sleep(delay);
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait");
    assert!(ready.is_ok(), "the child did not get ready");
    assert!(!status.success(), "the child was killed, not finished");
    reader.join().expect("reader thread")
}

/// Opens the store and checks it against everything acknowledged so far.
fn verify(dir: &Path, acked: &Acked) -> usize {
    runtime().block_on(async {
        let store = SqliteStore::open(config(dir)).expect("reopen");
        let report = store.recovery();
        assert!(report.recovered);
        assert!(report.missing_bodies.is_empty(), "{report:?}");
        let all = store.list(ListFilter::default()).await.expect("list");
        let ids: HashSet<QueueId> = all.iter().map(|m| m.id).collect();
        assert_eq!(ids.len(), all.len(), "every message is listed exactly once");
        assert_eq!(report.messages as usize, all.len());

        for (id, (hash, len)) in acked {
            assert!(ids.contains(id), "acknowledged message {id} is missing");
            let body = store.body(*id).await.expect("acknowledged body");
            assert_eq!(body.len() as u64, *len, "length of {id}");
            assert_eq!(fnv(&body), *hash, "bytes of {id}");
        }
        // Nothing half-written: every visible message is complete and self-consistent.
        for m in &all {
            let body = store.body(m.id).await.expect("visible body");
            let env = &m.envelope;
            assert_eq!(Some(body.len() as u64), env.params.size, "body of {}", m.id);
            assert_eq!(
                env.params.envid.as_deref(),
                Some(format!("{:016x}", fnv(&body)).as_str()),
                "bytes of {}",
                m.id
            );
            assert_eq!(
                env.client.helo,
                format!("rcpts={}", m.recipients.len()),
                "recipients of {}",
                m.id
            );
            assert!(
                m.recipients
                    .iter()
                    .all(|r| r.state == RecipientState::Scheduled)
            );
        }
        // After recovery no spool file lacks a message.
        let spooled: HashSet<String> = std::fs::read_dir(dir.join("spool"))
            .expect("spool")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        for name in &spooled {
            let id: QueueId = name.parse().expect("spool file named by id");
            assert!(
                ids.contains(&id),
                "orphan spool file {name} survived recovery"
            );
        }
        store.close().await.expect("close");
        all.len()
    })
}

#[test]
fn sigkill_during_enqueues_loses_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("queue");
    let mut acked = Acked::new();
    let mut seed = now_ms() as u64 | 1;
    let started = Instant::now();
    for round in 0..ROUNDS {
        // 0 ms kills the child while it is still starting its writers.
        let delay = Duration::from_millis(if round == 0 {
            0
        } else {
            50 + next(&mut seed) % 700
        });
        let got = one_round(&dir, delay);
        let new = got.len();
        for (id, v) in got {
            assert!(
                acked.insert(id, v).is_none(),
                "id {id} reused across rounds"
            );
        }
        let visible = verify(&dir, &acked);
        println!(
            "round {round}: killed after {delay:?}, {new} acknowledged, {visible} visible in total"
        );
    }
    assert!(
        acked.len() >= 100,
        "too few enqueues ({}) for the test to mean anything",
        acked.len()
    );
    println!(
        "{} acknowledged enqueues survived {ROUNDS} SIGKILLs in {:?}",
        acked.len(),
        started.elapsed()
    );
}
