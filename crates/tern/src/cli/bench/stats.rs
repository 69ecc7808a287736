//! What a worker counts: a latency histogram, the replies that were not the expected ones, and
//! the errors below SMTP. Each worker keeps its own and they are merged at the end; the few
//! totals the progress line needs are shared atomics ([`Live`]).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Sub-buckets per power of two: values are kept to within 1/64 (1.6%).
const SUB: u64 = 64;
/// Powers of two covered above the linear range: up to 2^47 ns, about 39 hours.
const OCTAVES: usize = 41;

/// A log-linear histogram of durations in nanoseconds (HDR-style, fixed memory).
#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    sum_ns: u128,
    max_ns: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; (SUB as usize) * (OCTAVES + 1)],
            total: 0,
            sum_ns: 0,
            max_ns: 0,
        }
    }
}

fn index(ns: u64) -> usize {
    if ns < SUB {
        return ns as usize;
    }
    // the top 7 bits of the value: SUB..2*SUB, and how far they were shifted
    let shift = (63 - ns.leading_zeros()) as u64 - SUB.trailing_zeros() as u64;
    let top = ns >> shift;
    let i = (shift + 1) * SUB + (top - SUB);
    (i as usize).min((SUB as usize) * (OCTAVES + 1) - 1)
}

/// The middle of the values that land in bucket `i`.
fn value(i: usize) -> u64 {
    let i = i as u64;
    if i < SUB {
        return i;
    }
    let shift = i / SUB - 1;
    let top = SUB + i % SUB;
    (top << shift) + ((1u64 << shift) >> 1)
}

impl Histogram {
    pub fn record(&mut self, d: Duration) {
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.counts[index(ns)] += 1;
        self.total += 1;
        self.sum_ns += u128::from(ns);
        self.max_ns = self.max_ns.max(ns);
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.sum_ns += other.sum_ns;
        self.max_ns = self.max_ns.max(other.max_ns);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// The value below which a fraction `q` (0..=1) of the samples lie; zero when empty.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Duration::from_nanos(value(i).min(self.max_ns));
            }
        }
        Duration::from_nanos(self.max_ns)
    }

    pub fn mean(&self) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos((self.sum_ns / u128::from(self.total)) as u64)
    }

    pub fn max(&self) -> Duration {
        Duration::from_nanos(self.max_ns)
    }
}

/// Something counted by kind, with the first example seen.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub count: u64,
    pub example: String,
}

/// Counted things, by key.
#[derive(Debug, Clone, Default)]
pub struct Tallies(pub BTreeMap<String, Tally>);

impl Tallies {
    pub fn add(&mut self, key: String, example: impl FnOnce() -> String) {
        let entry = self.0.entry(key).or_default();
        if entry.count == 0 {
            entry.example = example();
        }
        entry.count += 1;
    }

    pub fn merge(&mut self, other: &Tallies) {
        for (key, t) in &other.0 {
            let entry = self.0.entry(key.clone()).or_default();
            if entry.count == 0 {
                entry.example = t.example.clone();
            }
            entry.count += t.count;
        }
    }
}

/// Everything one worker (or, merged, the whole run) saw.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Transactions whose data was accepted (2xx after the data).
    pub ok: u64,
    /// Transactions refused somewhere (a 4xx/5xx to MAIL, RCPT, DATA or the data).
    pub refused: u64,
    /// Transactions cut off by a broken connection or a timeout.
    pub broken: u64,
    /// Message bytes accepted.
    pub bytes: u64,
    /// MAIL to the reply after the data, for accepted transactions.
    pub latency: Histogram,
    /// Connect to the end of EHLO (and STARTTLS and the second EHLO).
    pub setup: Histogram,
    /// Connections set up.
    pub connections: u64,
    /// Replies that were not the expected one, by "code enhanced-code" and command.
    pub replies: Tallies,
    /// Failures below SMTP: refused or failed connections, timeouts, closed connections.
    pub errors: Tallies,
    /// Open-loop mode: transactions that started more than 1 ms after their scheduled time.
    pub late_starts: u64,
}

impl Stats {
    pub fn merge(&mut self, other: &Stats) {
        self.ok += other.ok;
        self.refused += other.refused;
        self.broken += other.broken;
        self.bytes += other.bytes;
        self.latency.merge(&other.latency);
        self.setup.merge(&other.setup);
        self.connections += other.connections;
        self.replies.merge(&other.replies);
        self.errors.merge(&other.errors);
        self.late_starts += other.late_starts;
    }
}

/// The totals the progress line shows, shared by every worker.
#[derive(Debug, Default)]
pub struct Live {
    pub ok: AtomicU64,
    pub failed: AtomicU64,
    pub bytes: AtomicU64,
    pub connections: AtomicU64,
}

impl Live {
    pub fn bump(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotonic_and_close() {
        let mut last = 0;
        for ns in [
            0u64,
            1,
            63,
            64,
            65,
            127,
            128,
            1000,
            123_456,
            9_999_999,
            1 << 40,
        ] {
            let i = index(ns);
            assert!(i >= last, "{ns}");
            last = i;
            let v = value(i);
            let err = v.abs_diff(ns) as f64 / (ns.max(1)) as f64;
            assert!(err <= 1.0 / 64.0 + 1e-9, "{ns} -> {v}");
        }
    }

    #[test]
    fn quantiles() {
        let mut h = Histogram::default();
        for us in 1..=1000u64 {
            h.record(Duration::from_micros(us));
        }
        let p50 = h.quantile(0.5).as_micros() as f64;
        assert!((p50 - 500.0).abs() / 500.0 < 0.02, "{p50}");
        let p99 = h.quantile(0.99).as_micros() as f64;
        assert!((p99 - 990.0).abs() / 990.0 < 0.02, "{p99}");
        assert_eq!(h.quantile(1.0), Duration::from_micros(1000));
    }
}
