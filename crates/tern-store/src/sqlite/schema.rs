//! The SQLite schema and connection settings.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::sql_err;
use crate::error::StoreError;

/// Bumped when the schema changes; stored in `PRAGMA user_version`.
pub(crate) const SCHEMA_VERSION: i64 = 2;

/// Version 1 to 2: messages remember when they were finished (body dropped). Messages a
/// version-1 queue already finished delivering (every recipient Delivered = 1 or Failed = 3)
/// are finished now: their inline bodies go here, their spool files in the sweep that
/// follows on open (a finished message keeps no file).
const MIGRATE_1_TO_2: &str = "
ALTER TABLE messages ADD COLUMN finished_at INTEGER;
UPDATE messages SET finished_at =
    (SELECT max(r.updated_at) FROM recipients r WHERE r.message_id = messages.id)
    WHERE NOT EXISTS
    (SELECT 1 FROM recipients r WHERE r.message_id = messages.id AND r.state NOT IN (1, 3));
DELETE FROM bodies WHERE message_id IN (SELECT id FROM messages WHERE finished_at IS NOT NULL);
";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS messages (
    id           TEXT PRIMARY KEY NOT NULL,
    received_at  INTEGER NOT NULL,
    sender       TEXT,
    size_param   INTEGER,
    body_type    INTEGER NOT NULL,
    smtputf8     INTEGER NOT NULL,
    ret          INTEGER,
    envid        TEXT,
    helo         TEXT NOT NULL,
    peer_ip      TEXT NOT NULL,
    tls_protocol TEXT,
    tls_cipher   TEXT,
    auth_user    TEXT,
    held         INTEGER NOT NULL DEFAULT 0,
    body_len     INTEGER NOT NULL,
    spooled      INTEGER NOT NULL,
    finished_at  INTEGER
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS bodies (
    message_id TEXT NOT NULL UNIQUE,
    data       BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS recipients (
    message_id      TEXT NOT NULL,
    idx             INTEGER NOT NULL,
    address         TEXT NOT NULL,
    domain          TEXT NOT NULL,
    notify          INTEGER,
    orcpt           TEXT,
    state           INTEGER NOT NULL,
    reply_code      INTEGER,
    reply_enhanced  TEXT,
    reply_text      TEXT,
    remote_host     TEXT,
    updated_at      INTEGER NOT NULL,
    next_attempt_at INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (message_id, idx)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS recipients_due
    ON recipients(next_attempt_at) WHERE next_attempt_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS attempts (
    seq         INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL,
    at          INTEGER NOT NULL,
    recipients  TEXT NOT NULL,
    destination TEXT NOT NULL,
    mx_host     TEXT,
    ip          TEXT,
    tls_kind    INTEGER NOT NULL,
    tls_a       TEXT,
    tls_b       TEXT,
    transcript  TEXT NOT NULL,
    decision    INTEGER NOT NULL,
    until       INTEGER,
    explanation TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS attempts_message ON attempts(message_id, seq);
";

/// After the tables exist in their current shape (a version-1 table gains `finished_at` first).
const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS messages_finished
    ON messages(finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS messages_unfinished
    ON messages(id) WHERE finished_at IS NULL;
";

const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens a connection with the durability settings every connection shares.
pub(crate) fn open(path: &Path, read_only: bool) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(sql_err("opening the queue"))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(sql_err("setting busy timeout"))?;
    // WAL: readers never block the writer. FULL: every commit fsyncs the WAL, so a commit that
    // returned is on disk. The page cache is kept small: large bodies spill to the WAL instead
    // of being held in memory.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(sql_err("enabling WAL"))?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(sql_err("setting synchronous=FULL"))?;
    conn.pragma_update(None, "cache_size", -4096)
        .map_err(sql_err("setting cache size"))?;
    // Savepoint journals stay in memory instead of spilling to temp files.
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(sql_err("setting temp_store"))?;
    // After a checkpoint resets the WAL, SQLite truncates the file back to this size.
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)
        .map_err(sql_err("setting journal size limit"))?;
    conn.set_prepared_statement_cache_capacity(64);
    if read_only {
        conn.pragma_update(None, "query_only", true)
            .map_err(sql_err("setting query_only"))?;
    }
    Ok(conn)
}

/// Creates the tables if needed and checks the schema version.
pub(crate) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(sql_err("reading schema version"))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::Corrupt(format!(
            "schema version {version} is newer than this build ({SCHEMA_VERSION})"
        )));
    }
    let upgrade = if version == 1 { MIGRATE_1_TO_2 } else { "" };
    conn.execute_batch(&format!(
        "BEGIN IMMEDIATE; {SCHEMA} {upgrade} {INDEXES} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
    ))
    .map_err(sql_err("creating schema"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A queue written by version 1 (no `finished_at`) opens, keeps its rows, gains the
    /// column, and its already delivered messages are finished.
    #[test]
    fn version_1_queue_is_upgraded() {
        let conn = Connection::open_in_memory().unwrap();
        let v1 = SCHEMA.replace(",\n    finished_at  INTEGER\n", "\n");
        assert_ne!(v1, SCHEMA, "the version-1 shape differs by the column");
        conn.execute_batch(&format!("{v1} PRAGMA user_version = 1;"))
            .unwrap();
        // m1 is delivered, m2 still has a recipient to try.
        conn.execute_batch(
            "INSERT INTO messages (id, received_at, body_type, smtputf8, helo, peer_ip, \
             body_len, spooled) VALUES ('m1', 1, 0, 0, 'h', '127.0.0.1', 1, 0), \
             ('m2', 1, 0, 0, 'h', '127.0.0.1', 1, 0); \
             INSERT INTO bodies (message_id, data) VALUES ('m1', x'31'), ('m2', x'32'); \
             INSERT INTO recipients (message_id, idx, address, domain, state, updated_at) \
             VALUES ('m1', 0, 'a@x', 'x', 1, 50), ('m1', 1, 'b@x', 'x', 3, 70), \
             ('m2', 0, 'c@x', 'x', 1, 60), ('m2', 1, 'd@x', 'x', 2, 60);",
        )
        .unwrap();
        migrate(&conn).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let finished = |id: &str| -> Option<i64> {
            conn.query_row(
                "SELECT finished_at FROM messages WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(
            finished("m1"),
            Some(70),
            "finished when its last recipient was"
        );
        assert_eq!(finished("m2"), None);
        let bodies: Vec<String> = conn
            .prepare("SELECT message_id FROM bodies ORDER BY message_id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            bodies,
            vec!["m2".to_owned()],
            "only the pending message keeps its body"
        );
        // Opening again is a no-op.
        migrate(&conn).unwrap();
    }
}
