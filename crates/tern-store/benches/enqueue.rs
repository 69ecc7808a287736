//! Durable enqueue throughput of the embedded store, beside the disk's own fsync rate.
//!
//! ```text
//! cargo bench -p tern-store --bench enqueue            # full run (~40 s)
//! cargo bench -p tern-store --bench enqueue -- --quick # shorter runs
//! cargo bench -p tern-store --bench enqueue -- --no-large # skip the body-size comparison
//! ```
//!
//! Runs in `TERN_BENCH_DIR` if set, else in Cargo's target tmp dir (a real disk, not tmpfs;
//! the program says which filesystem it measured).

use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tern_store::{Envelope, QueueStore, Recipient, SqliteConfig, SqliteStore};

const TMPFS_MAGIC: u64 = 0x0102_1994;

fn bench_root() -> PathBuf {
    std::env::var_os("TERN_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")))
}

fn describe_fs(dir: &Path) -> String {
    match rustix::fs::statfs(dir) {
        Ok(st) => {
            let kind = st.f_type as u64;
            match kind {
                0xEF53 => "ext4".to_owned(),
                0x5846_5342 => "xfs".to_owned(),
                0x9123_683E => "btrfs".to_owned(),
                0x794C_7630 => "overlayfs".to_owned(),
                TMPFS_MAGIC => "tmpfs (NOT a disk: numbers are meaningless)".to_owned(),
                other => format!("f_type {other:#x}"),
            }
        }
        Err(e) => format!("unknown ({e})"),
    }
}

/// The disk's sync rate: 4 KiB written and synced per operation, two ways:
/// - appending to a file and `fsync` (what a naive "one file or one fsync per message" queue
///   pays: the size changes, so the journal commits too);
/// - overwriting a preallocated block and `fdatasync` (the cheapest sync there is; SQLite's
///   WAL, once it has grown, is synced like this).
fn fsync_rate(dir: &Path, run: Duration) -> (f64, f64) {
    let path = dir.join("fsync-probe");
    let block = vec![0x5Au8; 4096];
    let measure = |overwrite: bool| {
        let mut f = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&path)
            .expect("probe file");
        if overwrite {
            for _ in 0..64 {
                f.write_all(&block).expect("prealloc");
            }
            f.sync_all().expect("fsync");
        }
        let start = Instant::now();
        let mut ops = 0u64;
        while start.elapsed() < run / 2 {
            if overwrite {
                f.seek(SeekFrom::Start((ops % 64) * 4096)).expect("seek");
                f.write_all(&block).expect("write");
                f.sync_data().expect("fdatasync");
            } else {
                f.write_all(&block).expect("write");
                f.sync_all().expect("fsync");
            }
            ops += 1;
        }
        ops as f64 / start.elapsed().as_secs_f64()
    };
    let append = measure(false);
    let overwrite = measure(true);
    let _ = std::fs::remove_file(path);
    (append, overwrite)
}

struct Run {
    ops: u64,
    secs: f64,
    p50: Duration,
    p99: Duration,
    avg_batch: f64,
    wal_mib: f64,
}

fn enqueue_run(dir: &Path, writers: usize, body_len: usize, spool: bool, run: Duration) -> Run {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut cfg = SqliteConfig::new(dir);
    cfg.disk_reserve = 0;
    cfg.spool_threshold = if spool { 0 } else { u64::MAX };
    rt.block_on(async {
        let store = SqliteStore::open(cfg).expect("open store");
        let body: Vec<u8> = (0..body_len).map(|i| (i % 251) as u8).collect();
        let start = Instant::now();
        let tasks: Vec<_> = (0..writers)
            .map(|w| {
                let store = store.clone();
                let body = body.clone();
                tokio::spawn(async move {
                    let mut lat = Vec::new();
                    while start.elapsed() < run {
                        let env = Envelope::new(
                            Some(format!("w{w}@example.org")),
                            vec![Recipient::new("rcpt@example.net")],
                            1_700_000_000_000,
                        );
                        let t = Instant::now();
                        store.enqueue(env, body.clone()).await.expect("enqueue");
                        lat.push(t.elapsed());
                    }
                    lat
                })
            })
            .collect();
        let mut lat = Vec::new();
        for t in tasks {
            lat.extend(t.await.expect("writer task"));
        }
        let secs = start.elapsed().as_secs_f64();
        lat.sort();
        let pick = |q: f64| lat.get(((lat.len() as f64 - 1.0) * q) as usize).copied();
        let stats = store.writer_stats();
        let wal = std::fs::metadata(dir.join("queue.sqlite-wal")).map_or(0, |m| m.len());
        store.close().await.expect("close");
        Run {
            ops: lat.len() as u64,
            secs,
            p50: pick(0.5).unwrap_or_default(),
            p99: pick(0.99).unwrap_or_default(),
            avg_batch: stats.average_batch(),
            wal_mib: wal as f64 / (1024.0 * 1024.0),
        }
    })
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let run = Duration::from_secs(if quick { 1 } else { 4 });
    let root = bench_root();
    std::fs::create_dir_all(&root).expect("bench dir");
    let tmp = tempfile::tempdir_in(&root).expect("tempdir");
    println!(
        "directory: {} ({})",
        tmp.path().display(),
        describe_fs(tmp.path())
    );
    println!(
        "cores: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // The disk is shared with whatever else runs on the machine, so its sync rate is measured
    // right before and right after each enqueue run, and each run is compared with the mean of
    // the two.
    let probe = |label: &str| {
        let (append, overwrite) = fsync_rate(tmp.path(), run / 2);
        println!(
            "  disk {label}: 4 KiB append+fsync {append:.0}/s, overwrite+fdatasync {overwrite:.0}/s"
        );
        (append, overwrite)
    };
    println!();
    println!("durable enqueue, 4 KiB body, 1 recipient:");
    let mut rows = Vec::new();
    let mut before = probe("before");
    for (i, writers) in [1usize, 16, 64].into_iter().enumerate() {
        let r = enqueue_run(
            &tmp.path().join(format!("q4k-{i}")),
            writers,
            4096,
            false,
            run,
        );
        let after = probe(&format!("after {writers} writers"));
        let fsync = ((before.0 + after.0) / 2.0, (before.1 + after.1) / 2.0);
        rows.push((writers, r, fsync));
        before = after;
    }
    println!();
    println!(
        "writers   enq/s  write+fsync/s  ratio  fdatasync/s  ratio  p50       p99       batch  WAL MiB"
    );
    let mut ratio64 = (0.0, 0.0);
    for (writers, r, (append, overwrite)) in &rows {
        let rate = r.ops as f64 / r.secs;
        let ratio = (rate / append, rate / overwrite);
        if *writers == 64 {
            ratio64 = ratio;
        }
        println!(
            "{writers:>7} {rate:>7.0} {append:>14.0} {:>5.1}x {overwrite:>12.0} {:>5.1}x  {:<9.2?} {:<9.2?} {:>5.1} {:>8.0}",
            ratio.0, ratio.1, r.p50, r.p99, r.avg_batch, r.wal_mib
        );
    }
    println!(
        "target (64 writers >= 10x the write+fsync rate): {} ({:.1}x; {:.1}x the overwrite+fdatasync rate)",
        if ratio64.0 >= 10.0 { "met" } else { "MISSED" },
        ratio64.0,
        ratio64.1
    );

    if std::env::args().any(|a| a == "--no-large") {
        return;
    }
    println!();
    println!("large bodies, 16 writers: in the database vs spool files:");
    println!("size       inline MB/s  spool MB/s");
    for (i, size) in [16 * 1024usize, 64 * 1024, 256 * 1024, 1024 * 1024]
        .into_iter()
        .enumerate()
    {
        let mb = |r: &Run| (r.ops as f64 * size as f64) / r.secs / (1024.0 * 1024.0);
        let inline = enqueue_run(&tmp.path().join(format!("in-{i}")), 16, size, false, run);
        let spool = enqueue_run(&tmp.path().join(format!("sp-{i}")), 16, size, true, run);
        println!(
            "{:>5} KiB {:>11.1} {:>11.1}",
            size / 1024,
            mb(&inline),
            mb(&spool)
        );
    }
}
