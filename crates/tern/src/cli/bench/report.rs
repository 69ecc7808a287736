//! The report (text or JSON) and the progress line.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::stats::{Histogram, Live, Stats, Tallies};
use super::workload::Idle;

/// How the run was set up, for the report's first line.
pub struct Setup {
    pub target: String,
    pub concurrency: usize,
    pub per_connection: u64,
    pub size: u64,
    pub pipelining: bool,
    pub starttls: bool,
    pub rate: Option<f64>,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

fn show(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.0}µs", d.as_secs_f64() * 1e6)
    } else if d < Duration::from_secs(1) {
        format!("{:.2}ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.2}s", d.as_secs_f64())
    }
}

fn quantiles_json(h: &Histogram) -> Value {
    json!({
        "count": h.count(),
        "p50": ms(h.quantile(0.5)),
        "p99": ms(h.quantile(0.99)),
        "p999": ms(h.quantile(0.999)),
        "max": ms(h.max()),
        "mean": ms(h.mean()),
    })
}

fn quantiles_text(h: &Histogram) -> String {
    if h.count() == 0 {
        return "none".into();
    }
    format!(
        "p50 {}  p99 {}  p99.9 {}  max {}",
        show(h.quantile(0.5)),
        show(h.quantile(0.99)),
        show(h.quantile(0.999)),
        show(h.max())
    )
}

fn tallies_json(t: &Tallies) -> Value {
    Value::Array(
        t.0.iter()
            .map(|(key, t)| json!({"what": key, "count": t.count, "example": t.example}))
            .collect(),
    )
}

fn tallies_text(out: &mut String, label: &str, t: &Tallies) {
    for (i, (key, t)) in t.0.iter().enumerate() {
        let label = if i == 0 { label } else { "" };
        out.push_str(&format!(
            "  {label:<13} {:>7} × {key}: {}\n",
            t.count, t.example
        ));
    }
}

fn size_text(n: u64) -> String {
    tern_config::format_size(n)
}

pub fn load_json(setup: &Setup, stats: &Stats, elapsed: Duration) -> Value {
    let secs = elapsed.as_secs_f64().max(1e-9);
    json!({
        "mode": if setup.rate.is_some() { "rate" } else { "load" },
        "target": setup.target,
        "concurrency": setup.concurrency,
        "per_connection": setup.per_connection,
        "size": setup.size,
        "pipelining": setup.pipelining,
        "starttls": setup.starttls,
        "rate": setup.rate,
        "elapsed_s": (secs * 1e3).round() / 1e3,
        "ok": stats.ok,
        "refused": stats.refused,
        "broken": stats.broken,
        "messages_per_s": (stats.ok as f64 / secs * 10.0).round() / 10.0,
        "mb_per_s": (stats.bytes as f64 / secs / 1e6 * 1e3).round() / 1e3,
        "latency_ms": quantiles_json(&stats.latency),
        "setup_ms": quantiles_json(&stats.setup),
        "connections": stats.connections,
        "late_starts": stats.late_starts,
        "replies": tallies_json(&stats.replies),
        "errors": tallies_json(&stats.errors),
    })
}

pub fn load_text(setup: &Setup, stats: &Stats, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-9);
    let mode = match setup.rate {
        Some(r) => format!(
            "open loop at {r} transactions/s, up to {} connections",
            setup.concurrency
        ),
        None => format!("{} connections", setup.concurrency),
    };
    let mut out = format!(
        "tern bench: {}, {mode}, {} messages each, {}, {}, {}\n",
        setup.target,
        setup.per_connection,
        size_text(setup.size),
        if setup.pipelining {
            "pipelining"
        } else {
            "no pipelining"
        },
        if setup.starttls { "STARTTLS" } else { "no TLS" },
    );
    out.push_str(&format!(
        "  transactions  {} accepted, {} refused, {} broken, in {:.2}s\n",
        stats.ok, stats.refused, stats.broken, secs
    ));
    out.push_str(&format!(
        "  throughput    {:.1} messages/s, {:.2} MB/s\n",
        stats.ok as f64 / secs,
        stats.bytes as f64 / secs / 1e6
    ));
    out.push_str(&format!(
        "  latency       {}  (MAIL to the reply after the data)\n",
        quantiles_text(&stats.latency)
    ));
    out.push_str(&format!(
        "  setup         {}  (connect to the end of EHLO; {} connections)\n",
        quantiles_text(&stats.setup),
        stats.connections
    ));
    if setup.rate.is_some() {
        out.push_str(&format!(
            "  late starts   {} transactions started more than 1 ms after their time\n",
            stats.late_starts
        ));
    }
    tallies_text(&mut out, "replies", &stats.replies);
    tallies_text(&mut out, "errors", &stats.errors);
    out
}

pub fn idle_json(target: &str, idle: &Idle, hold: Duration) -> Value {
    json!({
        "mode": "idle",
        "target": target,
        "requested": idle.requested,
        "connected": idle.connected,
        "greeted": idle.greeted,
        "held": idle.held,
        "hold_s": hold.as_secs_f64(),
        "opening_s": (idle.opening.as_secs_f64() * 1e3).round() / 1e3,
        "greeting_ms": quantiles_json(&idle.greeting),
        "replies": tallies_json(&idle.replies),
        "errors": tallies_json(&idle.errors),
    })
}

pub fn idle_text(target: &str, idle: &Idle, hold: Duration) -> String {
    let mut out = format!(
        "tern bench: {target}, {} idle connections held for {}\n",
        idle.requested,
        show(hold)
    );
    out.push_str(&format!(
        "  connected     {} of {}, greeted with 220: {} (in {:.2}s)\n",
        idle.connected,
        idle.requested,
        idle.greeted,
        idle.opening.as_secs_f64()
    ));
    out.push_str(&format!(
        "  greeting      {}  (connect to the greeting)\n",
        quantiles_text(&idle.greeting)
    ));
    tallies_text(&mut out, "replies", &idle.replies);
    tallies_text(&mut out, "errors", &idle.errors);
    out
}

/// A progress line on standard error, redrawn with `\r`, only when it is a terminal.
pub struct Progress {
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Progress {
    pub fn start(live: Arc<Live>, quiet: bool, total: Option<u64>, span: Duration) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { task: None };
        }
        let started = Instant::now();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            loop {
                tick.tick().await;
                let secs = started.elapsed().as_secs_f64();
                let ok = Live::get(&live.ok);
                let done = match total {
                    Some(t) => (ok as f64 / t as f64).max(secs / span.as_secs_f64()),
                    None => secs / span.as_secs_f64(),
                }
                .min(1.0);
                let width = 20;
                let filled = (done * width as f64) as usize;
                let line = format!(
                    "\r[{}{}] {secs:5.1}s  ok {ok}  failed {}  {:.0}/s  {:.2} MB/s  connections {}\x1b[K",
                    "#".repeat(filled),
                    " ".repeat(width - filled),
                    Live::get(&live.failed),
                    ok as f64 / secs.max(1e-3),
                    Live::get(&live.bytes) as f64 / secs.max(1e-3) / 1e6,
                    Live::get(&live.connections),
                );
                let mut err = std::io::stderr().lock();
                let _ = err.write_all(line.as_bytes());
                let _ = err.flush();
            }
        });
        Progress { task: Some(task) }
    }

    pub fn finish(self) {
        if let Some(task) = self.task {
            task.abort();
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(b"\r\x1b[K");
            let _ = err.flush();
        }
    }
}
