//! The workers: each connects, says EHLO (and STARTTLS), sends its messages, says QUIT, and
//! connects again until the run is over; the idle mode that only collects greetings; and the
//! open-loop pacer of `--rate`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, mpsc, watch};

use super::smtp::{Conn, Failure, Reply};
use super::stats::{Histogram, Live, Stats, Tallies};

/// What every worker shares.
pub struct Plan {
    pub target: SocketAddr,
    pub ehlo: Vec<u8>,
    /// `MAIL FROM:<..>\r\n`, `RCPT TO:<..>\r\n`, `DATA\r\n`, and the three together.
    pub mail: Vec<u8>,
    pub rcpt: Vec<u8>,
    pub pipelined: Vec<u8>,
    /// The message, dot-stuffed, ending with `CRLF . CRLF`.
    pub message: Vec<u8>,
    /// Its size as the server stores it (without the final dot line).
    pub size: u64,
    pub pipelining: bool,
    pub tls: Option<Arc<rustls::ClientConfig>>,
    pub per_connection: u64,
    pub wait: Duration,
    pub deadline: Instant,
    pub limit: Option<u64>,
    pub claimed: AtomicU64,
    /// Open-loop mode: the scheduled start of each transaction.
    pub pacer: Option<Mutex<mpsc::UnboundedReceiver<Instant>>>,
    pub live: Arc<Live>,
}

/// A message of `size` bytes, headers included, ending with CRLF, and no line starting with
/// a dot (so it needs no stuffing); followed by the end-of-data line.
pub fn message(size: u64, from: &str, to: &str) -> Vec<u8> {
    let mut m = format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: tern bench\r\n\
         Date: Thu, 1 Jan 2026 00:00:00 +0000\r\nMessage-ID: <bench@tern.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
    )
    .into_bytes();
    let line = b"The quick brown fox jumps over the lazy dog, 0123456789 times, says tern bench.";
    let size = usize::try_from(size).unwrap_or(usize::MAX).max(m.len() + 2);
    while m.len() + 2 < size {
        let room = size - 2 - m.len();
        let take = room.min(line.len());
        m.extend_from_slice(&line[..take]);
        m.extend_from_slice(b"\r\n");
    }
    if !m.ends_with(b"\r\n") {
        m.extend_from_slice(b"\r\n");
    }
    m.extend_from_slice(b".\r\n");
    m
}

impl Plan {
    /// May another transaction start? In open-loop mode, waits for its scheduled time and
    /// returns it.
    async fn claim(&self) -> Option<Option<Instant>> {
        if Instant::now() >= self.deadline {
            return None;
        }
        if let Some(limit) = self.limit
            && self.claimed.fetch_add(1, Ordering::Relaxed) >= limit
        {
            return None;
        }
        let Some(pacer) = &self.pacer else {
            return Some(None);
        };
        let deadline = tokio::time::Instant::from_std(self.deadline);
        let next = tokio::time::timeout_at(deadline, async { pacer.lock().await.recv().await });
        match next.await {
            Ok(Some(at)) => Some(Some(at)),
            _ => None,
        }
    }

    fn more(&self) -> bool {
        Instant::now() < self.deadline
            && self
                .limit
                .is_none_or(|l| self.claimed.load(Ordering::Relaxed) < l)
    }
}

/// The open-loop pacer: one scheduled instant per transaction, `rate` per second, until the
/// deadline, whatever the server's pace.
pub fn pacer(rate: f64, deadline: Instant) -> mpsc::UnboundedReceiver<Instant> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let start = Instant::now();
        for k in 0u64.. {
            let at = start + Duration::from_secs_f64(k as f64 / rate);
            if at >= deadline {
                break;
            }
            tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
            if tx.send(at).is_err() {
                break;
            }
        }
    });
    rx
}

/// One worker, until the run is over.
pub async fn worker(plan: Arc<Plan>) -> Stats {
    let mut stats = Stats::default();
    while plan.more() {
        let t0 = Instant::now();
        let (mut conn, pipelining) = match setup(&plan, &mut stats).await {
            Ok(c) => c,
            Err(()) => {
                // do not spin against a server that refuses us
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        stats.setup.record(t0.elapsed());
        stats.connections += 1;
        Live::bump(&plan.live.connections, 1);
        let mut usable = true;
        for _ in 0..plan.per_connection {
            let Some(scheduled) = plan.claim().await else {
                break;
            };
            if let Some(at) = scheduled
                && at.elapsed() > Duration::from_millis(1)
            {
                stats.late_starts += 1;
            }
            match transaction(&mut conn, &plan, pipelining, &mut stats).await {
                Ok(true) => {}
                Ok(false) => {
                    Live::bump(&plan.live.failed, 1);
                    stats.refused += 1;
                    if reset(&mut conn, &mut stats).await.is_err() {
                        usable = false;
                        break;
                    }
                }
                Err(f) => {
                    Live::bump(&plan.live.failed, 1);
                    stats.broken += 1;
                    stats.errors.add(f.kind, || f.detail);
                    usable = false;
                    break;
                }
            }
        }
        if usable {
            quit(conn).await;
        }
    }
    stats
}

/// Connect, greeting, EHLO, and STARTTLS with its second EHLO. Returns the connection and
/// whether the server offers PIPELINING.
async fn setup(plan: &Plan, stats: &mut Stats) -> Result<(Conn, bool), ()> {
    let fail = |stats: &mut Stats, f: Failure| stats.errors.add(f.kind, || f.detail);
    let mut conn = Conn::connect(plan.target, plan.wait)
        .await
        .map_err(|f| fail(stats, f))?;
    let greeting = conn
        .reply("the greeting")
        .await
        .map_err(|f| fail(stats, f))?;
    expect(stats, &greeting, 2, "greeting")?;
    let mut caps = ehlo(&mut conn, plan, stats).await?;
    if let Some(tls) = &plan.tls {
        if !caps.iter().any(|c| c.eq_ignore_ascii_case("STARTTLS")) {
            fail(
                stats,
                Failure::other(
                    "STARTTLS not offered",
                    "the server's EHLO reply has no STARTTLS".into(),
                ),
            );
            quit(conn).await;
            return Err(());
        }
        conn.send(b"STARTTLS\r\n", "STARTTLS")
            .await
            .map_err(|f| fail(stats, f))?;
        let r = conn.reply("STARTTLS").await.map_err(|f| fail(stats, f))?;
        expect(stats, &r, 2, "STARTTLS")?;
        conn = conn
            .start_tls(tls.clone(), plan.target)
            .await
            .map_err(|f| fail(stats, f))?;
        caps = ehlo(&mut conn, plan, stats).await?;
    }
    let pipelining = caps.iter().any(|c| c.eq_ignore_ascii_case("PIPELINING"));
    Ok((conn, pipelining))
}

async fn ehlo(conn: &mut Conn, plan: &Plan, stats: &mut Stats) -> Result<Vec<String>, ()> {
    let fail = |stats: &mut Stats, f: Failure| stats.errors.add(f.kind, || f.detail);
    conn.send(&plan.ehlo, "EHLO")
        .await
        .map_err(|f| fail(stats, f))?;
    let r = conn.reply("EHLO").await.map_err(|f| fail(stats, f))?;
    expect(stats, &r, 2, "EHLO")?;
    Ok(r.lines
        .iter()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect())
}

/// Counts a reply of the wrong class.
fn expect(stats: &mut Stats, r: &Reply, class: u16, command: &str) -> Result<(), ()> {
    if r.class() == class {
        Ok(())
    } else {
        stats.replies.add(r.key(command), || r.text.clone());
        Err(())
    }
}

/// One transaction: MAIL, RCPT, DATA, the message. `Ok(true)`: accepted; `Ok(false)`:
/// refused somewhere (counted); `Err`: the connection failed.
async fn transaction(
    conn: &mut Conn,
    plan: &Plan,
    pipelining: bool,
    stats: &mut Stats,
) -> Result<bool, Failure> {
    let start = Instant::now();
    let (mail, rcpt, data) = if pipelining && plan.pipelining {
        conn.send(&plan.pipelined, "MAIL, RCPT, DATA").await?;
        let mail = conn.reply("MAIL").await?;
        let rcpt = conn.reply("RCPT").await?;
        let data = conn.reply("DATA").await?;
        (mail, rcpt, data)
    } else {
        conn.send(&plan.mail, "MAIL").await?;
        let mail = conn.reply("MAIL").await?;
        if expect(stats, &mail, 2, "MAIL").is_err() {
            return Ok(false);
        }
        conn.send(&plan.rcpt, "RCPT").await?;
        let rcpt = conn.reply("RCPT").await?;
        if expect(stats, &rcpt, 2, "RCPT").is_err() {
            return Ok(false);
        }
        conn.send(b"DATA\r\n", "DATA").await?;
        let data = conn.reply("DATA").await?;
        (mail, rcpt, data)
    };
    let envelope_ok =
        expect(stats, &mail, 2, "MAIL").is_ok() & expect(stats, &rcpt, 2, "RCPT").is_ok();
    if expect(stats, &data, 3, "DATA").is_err() {
        return Ok(false);
    }
    if !envelope_ok {
        // a 354 although the envelope failed: end the empty message
        conn.send(b".\r\n", "the end of data").await?;
        let r = conn.reply("the end of data").await?;
        let _ = expect(stats, &r, 2, "data");
        return Ok(false);
    }
    conn.send(&plan.message, "the message").await?;
    let done = conn.reply("the end of data").await?;
    if expect(stats, &done, 2, "data").is_err() {
        return Ok(false);
    }
    stats.latency.record(start.elapsed());
    stats.ok += 1;
    stats.bytes += plan.size;
    Live::bump(&plan.live.ok, 1);
    Live::bump(&plan.live.bytes, plan.size);
    Ok(true)
}

async fn reset(conn: &mut Conn, stats: &mut Stats) -> Result<(), ()> {
    let fail = |stats: &mut Stats, f: Failure| stats.errors.add(f.kind, || f.detail);
    conn.send(b"RSET\r\n", "RSET")
        .await
        .map_err(|f| fail(stats, f))?;
    let r = conn.reply("RSET").await.map_err(|f| fail(stats, f))?;
    expect(stats, &r, 2, "RSET")
}

async fn quit(mut conn: Conn) {
    if conn.send(b"QUIT\r\n", "QUIT").await.is_ok() {
        let _ = tokio::time::timeout(Duration::from_secs(1), conn.reply("QUIT")).await;
    }
}

/// What the idle mode saw.
#[derive(Debug, Default)]
pub struct Idle {
    pub requested: usize,
    pub connected: u64,
    pub greeted: u64,
    /// Connect to the greeting, for greeted connections.
    pub greeting: Histogram,
    pub replies: Tallies,
    pub errors: Tallies,
    /// Connections still open when the hold began.
    pub held: u64,
    /// How long opening them and collecting the greetings took.
    pub opening: Duration,
}

enum Outcome {
    Greeted(Duration),
    Connected(Reply),
    Failed(Failure, bool),
}

/// Opens `n` connections (at most `parallel` connects in flight), reads each greeting, holds
/// them all for `hold`, then closes them. Opening them and reading the greetings must be done
/// within `wait` of the start; what is not is counted as a timeout.
pub async fn idle(
    target: SocketAddr,
    n: usize,
    parallel: usize,
    hold: Duration,
    wait: Duration,
    live: Arc<Live>,
) -> Idle {
    let started = Instant::now();
    let (release_tx, release_rx) = watch::channel(false);
    let (done_tx, mut done_rx) = mpsc::unbounded_channel();
    let gate = Arc::new(tokio::sync::Semaphore::new(parallel.max(1)));
    for _ in 0..n {
        let gate = gate.clone();
        let done = done_tx.clone();
        let mut release = release_rx.clone();
        let live = live.clone();
        tokio::spawn(async move {
            // The whole opening phase is bounded by `wait`: a server that leaves connects
            // hanging (its backlog full) must not make the phase last N × wait.
            let opening = tokio::time::Instant::from_std(started + wait);
            let connect = async {
                let _permit = gate.acquire_owned().await;
                // The clock starts at the connect, not while waiting for a permit.
                let t0 = Instant::now();
                Conn::connect(target, wait).await.map(|conn| (conn, t0))
            };
            let conn = match tokio::time::timeout_at(opening, connect).await {
                Ok(c) => c,
                Err(_) => Err(Failure::timeout(
                    "the TCP connection (opening phase over)",
                    wait,
                )),
            };
            let (mut conn, t0) = match conn {
                Ok(c) => c,
                Err(f) => {
                    let _ = done.send(Outcome::Failed(f, false));
                    return;
                }
            };
            Live::bump(&live.connections, 1);
            let greeting = tokio::time::timeout_at(opening, conn.reply("the greeting")).await;
            let outcome = match greeting {
                Ok(Ok(r)) if r.code == 220 => {
                    Live::bump(&live.ok, 1);
                    Outcome::Greeted(t0.elapsed())
                }
                Ok(Ok(r)) => Outcome::Connected(r),
                Ok(Err(f)) => Outcome::Failed(f, true),
                Err(_) => Outcome::Failed(Failure::timeout("the greeting", wait), true),
            };
            let _ = done.send(outcome);
            // hold the connection (whatever it got) until released
            let _ = release.wait_for(|r| *r).await;
            drop(conn);
        });
    }
    drop(done_tx);
    let mut out = Idle {
        requested: n,
        ..Idle::default()
    };
    for _ in 0..n {
        match done_rx.recv().await {
            Some(Outcome::Greeted(d)) => {
                out.connected += 1;
                out.greeted += 1;
                out.greeting.record(d);
            }
            Some(Outcome::Connected(r)) => {
                out.connected += 1;
                out.replies.add(r.key("the connection"), || r.text.clone());
            }
            Some(Outcome::Failed(f, connected)) => {
                out.connected += u64::from(connected);
                out.errors.add(f.kind, || f.detail);
            }
            None => break,
        }
    }
    out.opening = started.elapsed();
    out.held = out.connected;
    tokio::time::sleep(hold).await;
    let _ = release_tx.send(true);
    // let the tasks drop their sockets
    tokio::time::sleep(Duration::from_millis(100)).await;
    out
}
