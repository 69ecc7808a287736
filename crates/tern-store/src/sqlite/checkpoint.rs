//! WAL checkpoints on their own thread.
//!
//! SQLite's automatic checkpoint runs inside the committing connection: every ~1000 pages one
//! commit would copy the WAL into the database file and fsync it while every waiter of that
//! batch waits. The writer turns it off and nudges this thread after each commit instead; the
//! thread runs a PASSIVE checkpoint (which never blocks the writer) at most every
//! [`INTERVAL`], so the WAL is reset and reused instead of growing.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use rusqlite::Connection;

use crate::error::StoreError;

/// Shortest time between two checkpoints.
pub(crate) const INTERVAL: Duration = Duration::from_millis(250);

/// Starts the thread; it ends when the returned sender (the writer's) is dropped.
pub(crate) fn start(conn: Connection) -> Result<mpsc::SyncSender<()>, StoreError> {
    let (tx, rx) = mpsc::sync_channel::<()>(1);
    thread::Builder::new()
        .name("tern-store-checkpoint".into())
        .spawn(move || {
            while rx.recv().is_ok() {
                // Errors (a busy reader, a full disk) only delay the checkpoint to the next nudge.
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                thread::sleep(INTERVAL);
            }
        })
        .map_err(|e| StoreError::backend("starting checkpoint thread", e))?;
    Ok(tx)
}
