//! Settings of the embedded store.

use std::path::PathBuf;

/// Default largest body: 25 MiB.
pub const DEFAULT_MAX_BODY_SIZE: u64 = 25 * 1024 * 1024;
/// Default free-space reserve: 64 MiB.
pub const DEFAULT_DISK_RESERVE: u64 = 64 * 1024 * 1024;
/// Default size from which bodies go to spool files: 64 KiB (see `docs/PERFORMANCE.md`).
pub const DEFAULT_SPOOL_THRESHOLD: u64 = 64 * 1024;

/// How to open a [`SqliteStore`](super::SqliteStore).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteConfig {
    /// The store's directory: `queue.sqlite` (+ `-wal`, `-shm`), `spool/`, `store.lock`.
    /// Created if missing.
    pub dir: PathBuf,
    /// Bodies larger than this are refused with `TooLarge`.
    pub max_body_size: u64,
    /// Enqueue fails with `DiskFull` when it would leave less than this many bytes free.
    /// 0 turns the check off (a full disk is still refused cleanly, when the write fails).
    pub disk_reserve: u64,
    /// Bodies of at least this many bytes are written to spool files instead of the database.
    /// `u64::MAX` keeps every body in the database.
    pub spool_threshold: u64,
    /// Most requests one transaction commits together.
    pub max_batch: usize,
    /// Reader threads (each with its own connection).
    pub readers: usize,
    /// Threads that write and fsync spool files in parallel.
    pub spool_writers: usize,
}

impl SqliteConfig {
    /// Defaults for a store in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SqliteConfig {
            dir: dir.into(),
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            disk_reserve: DEFAULT_DISK_RESERVE,
            spool_threshold: DEFAULT_SPOOL_THRESHOLD,
            max_batch: 512,
            readers: 2,
            spool_writers: 4,
        }
    }
}
