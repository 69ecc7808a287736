//! A full disk: `tern serve` with its data directory on a small tmpfs that the test mounts.
//! Messages are sent until the server answers `452 4.3.1`; nothing partial is left; space is
//! freed and the same server process accepts mail again.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use tern_store::{ListFilter, QueueStore, SqliteConfig, SqliteStore};

use super::support::{
    Client, Server, closed_port, ledger_id, message_body, without_received, write_config,
};

/// Unmounts the tmpfs when dropped (lazily, so a failing test never leaves it busy).
#[derive(Debug)]
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn mount_tmpfs(at: &Path, size: &str) -> Result<Mount, String> {
    let out = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(at)
        .output()
        .map_err(|e| format!("cannot run mount: {e}"))?;
    if out.status.success() {
        Ok(Mount(at.to_owned()))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_disk_gets_452_keeps_everything_whole_and_recovers_without_restart() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mount = match mount_tmpfs(&data, "4m") {
        Ok(m) => m,
        Err(reason) => {
            eprintln!("SKIPPED full_disk test: cannot mount a tmpfs ({reason}); it needs root");
            return;
        }
    };
    // No reserve: the real ENOSPC path (SQLITE_FULL and short spool writes), not the
    // reserve check. Recipients are routed to a closed port, so the queue keeps them.
    let config = write_config(
        dir.path(),
        &data,
        &format!(
            "[limits]\ndisk_reserve = 0\nmax_message_size = \"1MiB\"\n\
             [tls]\nenabled = false\n\
             [relay]\ntrusted_networks = [\"127.0.0.0/8\"]\n\
             [delivery]\nretry_initial = \"1h\"\n\
             [[delivery.route]]\ndomain = \"hold.test\"\nhost = \"127.0.0.1:{}\"\ntls = \"none\"\n",
            closed_port()
        ),
    );
    let mut server = Server::start(&config);
    // A filler file, deleted later to give space back.
    let filler = data.join("filler");
    std::fs::write(&filler, vec![0u8; 512 * 1024]).unwrap();

    let (mut c, _) = Client::connect(server.smtp).await.unwrap();
    c.ok("EHLO fill.test", 250).await.unwrap();
    let mut accepted = Vec::new();
    let mut full = None;
    for n in 0..400 {
        // Alternate inline bodies and spooled ones (64 KiB and more go to spool files).
        let len = if n % 2 == 0 { 20_000 } else { 90_000 };
        let id = format!("fill{n}");
        let body = message_body(&id, len);
        let r = c.message("a@hold.test", &body).await.unwrap();
        match r.code {
            250 => accepted.push((id, body)),
            _ => {
                full = Some(r);
                break;
            }
        }
    }
    let full = full.expect("the 4 MiB disk never filled");
    assert!(full.is(452, "4.3.1"), "{full}");
    assert!(!accepted.is_empty(), "nothing fitted at all");
    // Smaller messages may still fit in what is left: send them until even they are refused.
    let mut small_refused = None;
    for n in 0..400 {
        let id = format!("small{n}");
        let body = message_body(&id, 2_000);
        let r = c.message("a@hold.test", &body).await.unwrap();
        match r.code {
            250 => accepted.push((id, body)),
            _ => {
                small_refused = Some(r);
                break;
            }
        }
    }
    let r = small_refused.expect("small messages never filled the disk");
    assert!(r.is(452, "4.3.1"), "{r}");
    // Another small message: refused the same way, or accepted if the store's checkpoint has
    // just given some WAL space back (then it must be kept whole like the others). Either
    // way the session is usable.
    let still = message_body("still", 2_000);
    let r = c.message("a@hold.test", &still).await.unwrap();
    if r.is(250, "2.0.0") {
        accepted.push(("still".into(), still));
    } else {
        assert!(r.is(452, "4.3.1"), "{r}");
    }
    c.ok("RSET", 250).await.unwrap();

    // Free space: the same process accepts mail again.
    std::fs::remove_file(&filler).unwrap();
    let after = message_body("after", 20_000);
    let r = c.message("a@hold.test", &after).await.unwrap();
    assert!(r.is(250, "2.0.0"), "after freeing space: {r}");
    accepted.push(("after".into(), after));
    let spooled = std::fs::read_dir(data.join("queue/spool"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    assert!(server.alive());
    server.kill();

    // Everything accepted is there and whole; nothing refused left anything behind.
    let store = SqliteStore::open(SqliteConfig::new(data.join("queue"))).unwrap();
    let recovery = store.recovery();
    assert!(recovery.missing_bodies.is_empty(), "{recovery:?}");
    let listed = store.list(ListFilter::default()).await.unwrap();
    let mut stored = std::collections::HashMap::new();
    for m in &listed {
        let body = store.body(m.id).await.unwrap();
        let id = ledger_id(&body).unwrap_or_else(|| panic!("{}: unknown message", m.id));
        assert!(stored.insert(id, body).is_none(), "a message stored twice");
    }
    for (id, body) in &accepted {
        let got = stored
            .remove(id)
            .unwrap_or_else(|| panic!("{id} was accepted and is missing"));
        assert!(
            without_received(&got) == body.as_slice(),
            "{id}: body differs"
        );
    }
    assert!(
        stored.is_empty(),
        "refused messages were stored: {:?}",
        stored.keys()
    );
    let ids: Vec<String> = listed.iter().map(|m| m.id.to_string()).collect();
    let orphans: Vec<&String> = spooled.iter().filter(|f| !ids.contains(f)).collect();
    assert!(
        orphans.is_empty(),
        "spool files of refused messages left: {orphans:?}"
    );
    eprintln!(
        "disk_full: {} messages fitted before 452, {:?}",
        accepted.len() - 1,
        started.elapsed()
    );
    drop(store);
    drop(mount);
}
