//! The disk-full test, on a 2 MiB tmpfs the test mounts (root only; skipped with a reason
//! otherwise): a full disk and a disk below the reserve both refuse enqueues with `DiskFull`,
//! leave nothing behind, and the same open store works again once space returns.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use tern_store::{DiskFullCause, ListFilter, QueueId, QueueStore, SqliteStore, StoreError};

use super::common::{config, envelope, runtime};

/// A mounted tmpfs, unmounted on drop (also when the test fails).
struct Tmpfs {
    dir: PathBuf,
    _parent: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Result<Tmpfs, String> {
        let parent = tempfile::tempdir().map_err(|e| e.to_string())?;
        let dir = parent.path().join("fs");
        fs::create_dir(&dir).map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Tmpfs {
            dir,
            _parent: parent,
        })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

fn free_bytes(dir: &Path) -> u64 {
    let st = rustix::fs::statvfs(dir).expect("statvfs");
    st.f_bavail * st.f_frsize
}

/// Writes a filler file until less than `leave` + 512 bytes are free, without going below
/// `leave` (0: until the filesystem is full).
fn fill(dir: &Path, leave: u64) -> PathBuf {
    let path = dir.join("filler");
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .expect("filler");
    for chunk in [64 * 1024, 4096, 512] {
        let buf = vec![0xAAu8; chunk];
        while free_bytes(dir) >= leave + chunk as u64 {
            if f.write_all(&buf).and_then(|()| f.sync_all()).is_err() {
                break;
            }
        }
    }
    path
}

fn spool_count(dir: &Path) -> usize {
    fs::read_dir(dir.join("spool")).expect("spool").count()
}

fn expect_disk_full(result: Result<QueueId, StoreError>, what: &str) -> DiskFullCause {
    match result {
        Err(StoreError::DiskFull(cause)) => cause,
        other => panic!("{what}: expected DiskFull, got {other:?}"),
    }
}

/// Bodies from this size on are spool files in `full_disk_refuses_cleanly...`.
const SPOOL_THRESHOLD: u64 = 1024 * 1024;
/// A body that is a spool file there.
const SPOOLED: usize = 1_200_000;

#[test]
fn full_disk_refuses_cleanly_and_recovers_without_reopening() {
    let fs_ = match Tmpfs::mount("4m") {
        Ok(m) => m,
        Err(reason) => {
            println!("SKIPPED full_disk test: {reason} (needs root and tmpfs)");
            return;
        }
    };
    let dir = fs_.dir.join("queue");
    let mut cfg = config(&dir); // reserve 0: only the filesystem says no
    cfg.spool_threshold = SPOOL_THRESHOLD;
    runtime().block_on(async {
        let s = SqliteStore::open(cfg.clone()).expect("open");
        let mut kept = Vec::new();
        for i in 0..5u8 {
            let body = vec![i; 3000];
            kept.push((
                s.enqueue(envelope(2, 1), body.clone())
                    .await
                    .expect("baseline"),
                body,
            ));
        }

        let filler = fill(&fs_.dir, 0);
        assert!(free_bytes(&fs_.dir) < 4096, "the filesystem is full");

        // An inline body: SQLite cannot grow its WAL (SQLITE_FULL). The body is larger than
        // the whole WAL file already is (a checkpointed WAL is reused from its start, so a
        // smaller body could fit in the space it already has; how large the WAL grew depends
        // on when the checkpoint thread ran), and below the spool threshold.
        let wal = fs::metadata(dir.join("queue.sqlite-wal")).map_or(0, |m| m.len());
        let inline_size = usize::try_from(wal)
            .unwrap_or(usize::MAX)
            .saturating_add(64 * 1024)
            .max(250_000);
        assert!(
            (inline_size as u64) < SPOOL_THRESHOLD,
            "the WAL is small after five 3 KB messages: {wal}"
        );
        let inline = expect_disk_full(
            s.enqueue(envelope(3, 2), vec![7; inline_size]).await,
            "inline body on a full disk",
        );
        assert_eq!(inline, DiskFullCause::NoSpace);
        // A spooled body: the spool file cannot be written (ENOSPC).
        let spooled = expect_disk_full(
            s.enqueue(envelope(1, 2), vec![8; SPOOLED]).await,
            "spooled body on a full disk",
        );
        assert_eq!(spooled, DiskFullCause::NoSpace);
        println!("full disk: inline -> {inline:?}, spooled -> {spooled:?}");

        // Nothing partial: the same five messages, no spool file, bodies intact.
        let listed = s
            .list(ListFilter::default())
            .await
            .expect("list on a full disk");
        assert_eq!(listed.len(), kept.len());
        assert_eq!(spool_count(&dir), 0, "a failed spool write leaves no file");
        for (id, body) in &kept {
            assert_eq!(&s.body(*id).await.expect("body"), body);
        }

        // Space returns: the same handle works again.
        fs::remove_file(&filler).expect("free space");
        let small = s
            .enqueue(envelope(3, 3), vec![9; 100_000])
            .await
            .expect("inline again");
        let large = s
            .enqueue(envelope(1, 3), vec![10; SPOOLED])
            .await
            .expect("spool again");
        assert_eq!(s.body(small).await.expect("small"), vec![9; 100_000]);
        assert_eq!(s.body(large).await.expect("large"), vec![10; SPOOLED]);
        assert_eq!(spool_count(&dir), 1);
        s.close().await.expect("close");

        // And after a restart, exactly the acknowledged messages are there.
        let s = SqliteStore::open(cfg).expect("reopen");
        let ids: Vec<QueueId> = s
            .list(ListFilter::default())
            .await
            .expect("list")
            .iter()
            .map(|m| m.id)
            .collect();
        let mut want: Vec<QueueId> = kept.iter().map(|(id, _)| *id).collect();
        want.extend([small, large]);
        assert_eq!(ids, want);
        for m in s.list(ListFilter::default()).await.expect("list") {
            assert!(!m.recipients.is_empty());
        }
        assert_eq!(s.recovery().orphan_bodies_removed, 0);
        s.close().await.expect("close");
    });
}

#[test]
fn reserve_refuses_before_the_disk_is_full() {
    let fs_ = match Tmpfs::mount("4m") {
        Ok(m) => m,
        Err(reason) => {
            println!("SKIPPED reserve test: {reason} (needs root and tmpfs)");
            return;
        }
    };
    let dir = fs_.dir.join("queue");
    let mut cfg = config(&dir);
    cfg.disk_reserve = 512 * 1024;
    runtime().block_on(async {
        let s = SqliteStore::open(cfg).expect("open");
        let first = s
            .enqueue(envelope(1, 1), vec![1; 4096])
            .await
            .expect("with room");

        // Leave a little more than the reserve free: still more than the filesystem needs,
        // but a message would eat into the reserve.
        let filler = fill(&fs_.dir, 512 * 1024 + 8 * 1024);
        let free = free_bytes(&fs_.dir);
        assert!(
            free > 512 * 1024,
            "the disk is not actually full ({free} free)"
        );
        for len in [4096, 300_000] {
            match expect_disk_full(
                s.enqueue(envelope(1, 2), vec![2; len]).await,
                "below reserve",
            ) {
                DiskFullCause::BelowReserve { available, needed } => {
                    assert!(available < needed);
                    println!(
                        "reserve: {len}-byte body refused, {available} free < {needed} needed"
                    );
                }
                other => panic!("expected BelowReserve, got {other:?}"),
            }
        }
        let ids: Vec<QueueId> = s
            .list(ListFilter::default())
            .await
            .expect("list")
            .iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(ids, vec![first], "nothing was added");
        assert_eq!(spool_count(&dir), 0);

        drop(File::create(&filler).expect("truncate filler"));
        let again = s
            .enqueue(envelope(1, 3), vec![3; 4096])
            .await
            .expect("room again");
        assert_eq!(s.body(again).await.expect("body"), vec![3; 4096]);
        s.close().await.expect("close");
    });
}
