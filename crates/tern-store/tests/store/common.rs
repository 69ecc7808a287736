//! Helpers shared by the integration tests.

use tern_store::{Envelope, Recipient, SqliteConfig};

/// A multi-threaded runtime for one test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Store settings for tests: no free-space reserve (tests run on shared disks).
pub fn config(dir: &std::path::Path) -> SqliteConfig {
    let mut c = SqliteConfig::new(dir);
    c.disk_reserve = 0;
    c
}

pub fn envelope(rcpts: usize, t: i64) -> Envelope {
    Envelope::new(
        Some("sender@example.org".into()),
        (0..rcpts)
            .map(|i| Recipient::new(format!("r{i}@example.net")))
            .collect(),
        t,
    )
}

/// FNV-1a, to compare bodies across processes by hash.
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
