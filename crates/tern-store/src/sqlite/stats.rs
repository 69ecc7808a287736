//! Counters of the writer thread, to see group commit at work.

use std::sync::atomic::{AtomicU64, Ordering};

/// What the writer thread has committed since the store was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Transactions committed (one WAL fsync each).
    pub commits: u64,
    /// Requests (enqueues and other changes) in those transactions.
    pub requests: u64,
    /// The most requests one transaction carried.
    pub largest_batch: u64,
}

impl WriterStats {
    /// Average requests per commit.
    pub fn average_batch(&self) -> f64 {
        if self.commits == 0 {
            0.0
        } else {
            self.requests as f64 / self.commits as f64
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    commits: AtomicU64,
    requests: AtomicU64,
    largest: AtomicU64,
}

impl Counters {
    pub(crate) fn committed(&self, requests: usize) {
        let n = requests as u64;
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.requests.fetch_add(n, Ordering::Relaxed);
        self.largest.fetch_max(n, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> WriterStats {
        WriterStats {
            commits: self.commits.load(Ordering::Relaxed),
            requests: self.requests.load(Ordering::Relaxed),
            largest_batch: self.largest.load(Ordering::Relaxed),
        }
    }
}
