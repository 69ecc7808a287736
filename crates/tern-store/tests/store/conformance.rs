//! The conformance suite on the embedded backend, in its two body layouts.

use tern_store::{SqliteStore, conformance};

use super::common::{config, runtime};

fn run(spool_threshold: u64) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut n = 0;
    let failures = runtime().block_on(conformance::run_all(|| {
        n += 1;
        let mut cfg = config(&tmp.path().join(n.to_string()));
        cfg.spool_threshold = spool_threshold;
        async move { SqliteStore::open(cfg) }
    }));
    let report: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}

#[test]
fn sqlite_with_spool_files() {
    run(tern_store::DEFAULT_SPOOL_THRESHOLD);
}

#[test]
fn sqlite_all_bodies_inline() {
    run(u64::MAX);
}
