//! WAL checkpoints on their own thread.
//!
//! SQLite's automatic checkpoint runs inside the committing connection: every 1000 pages one
//! commit would copy the WAL into the database file and fsync it while every waiter of that
//! batch waits. Instead the writer nudges this thread after each commit, and the thread runs a
//! PASSIVE checkpoint (which never blocks the writer) at most every [`INTERVAL`].
//!
//! Under a steady stream of commits a checkpoint from another connection never quite catches
//! up, and SQLite only restarts the WAL from its beginning once a checkpoint has copied all of
//! it. So the writer keeps its own automatic checkpoint, at [`WRITER_PAGES`]: when the WAL
//! outgrows that, one commit finishes the checkpoint (copying only the frames this thread has
//! not copied yet) and the next transaction starts the WAL over.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use rusqlite::Connection;

use crate::error::StoreError;

/// WAL size, in pages, at which the writer checkpoints itself (4 MiB at 4 KiB pages). By then
/// this thread has copied most of it, so the writer's part is short.
pub(crate) const WRITER_PAGES: i64 = 1024;

/// Shortest time between two checkpoints.
pub(crate) const INTERVAL: Duration = Duration::from_millis(50);

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
