//! The embedded backend: SQLite in WAL mode with `synchronous=FULL`, one writer thread with
//! group commit, a few reader threads, and spool files for large bodies.
//!
//! ```no_run
//! # async fn demo() -> Result<(), tern_store::StoreError> {
//! use tern_store::{Envelope, QueueStore, Recipient, SqliteConfig, SqliteStore};
//! let store = SqliteStore::open(SqliteConfig::new("/var/spool/tern"))?;
//! let env = Envelope::new(Some("a@example.org".into()), vec![Recipient::new("b@example.net")], 0);
//! let id = store.enqueue(env, b"Subject: hi\r\n\r\nhello\r\n".to_vec()).await?;
//! println!("250 2.0.0 Ok: queued as {id}");
//! store.close().await?;
//! # Ok(()) }
//! ```

mod checkpoint;
mod codec;
mod config;
mod pool;
mod read;
mod schema;
mod space;
mod spool;
mod stats;
mod write;
mod writer;

use std::collections::HashSet;
use std::fs::{self, File};
use std::io;
use std::sync::{Arc, mpsc};
use std::thread;

use rusqlite::{Connection, ErrorCode};
use tokio::sync::oneshot;

pub use config::{
    DEFAULT_DISK_RESERVE, DEFAULT_MAX_BODY_SIZE, DEFAULT_SPOOL_THRESHOLD, SqliteConfig,
};
pub use stats::WriterStats;

use self::pool::Pool;
use self::space::{Budget, ROW_OVERHEAD};
use self::spool::Spool;
use self::write::BodyInput;
use self::writer::{EnqueueRequest, Job, Request, Writer};
use crate::attempt::{Attempt, Outcomes, Skipped};
use crate::envelope::Envelope;
use crate::error::{DiskFullCause, StoreError};
use crate::filter::ListFilter;
use crate::id::{IdGenerator, QueueId};
use crate::status::{DueRecipient, MessageInfo, RecipientUpdate};
use crate::store::{QueueStore, RecoveryReport};

const DB_FILE: &str = "queue.sqlite";
const SPOOL_DIR: &str = "spool";
const LOCK_FILE: &str = "store.lock";

/// The embedded queue store. Cheap to clone; all clones share one writer thread.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: SqliteConfig,
    writer: mpsc::Sender<Request>,
    readers: Pool<Connection>,
    spoolers: Pool<()>,
    spool: Spool,
    ids: IdGenerator,
    primary: bool,
    report: RecoveryReport,
    counters: Arc<stats::Counters>,
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `config.dir` and recovers it.
    ///
    /// Blocking: call it before serving, or from a blocking context.
    ///
    /// The first process to open a directory becomes its primary (an exclusive `flock` on
    /// `store.lock`, released when the writer thread ends): it sweeps orphan spool files and
    /// may write spool files. Any other handle (the queue CLI while the server runs) reads and
    /// writes through SQLite's own locking, keeps every body in the database, and skips the
    /// sweep, so it never removes a file another process is about to commit.
    pub fn open(config: SqliteConfig) -> Result<SqliteStore, StoreError> {
        fs::create_dir_all(&config.dir).map_err(|e| io_err("creating store directory", e))?;
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(config.dir.join(LOCK_FILE))
            .map_err(|e| io_err("opening lock file", e))?;
        let primary = match lock.try_lock() {
            Ok(()) => true,
            Err(fs::TryLockError::WouldBlock) => false,
            Err(fs::TryLockError::Error(e)) => return Err(io_err("locking store", e)),
        };
        let db_path = config.dir.join(DB_FILE);
        let conn = schema::open(&db_path, false)?;
        schema::migrate(&conn)?;
        let spool = Spool::open(config.dir.join(SPOOL_DIR))?;

        let (messages, pending_recipients) = read::counts(&conn)?;
        let mut report = RecoveryReport {
            messages,
            pending_recipients,
            recovered: primary,
            ..RecoveryReport::default()
        };
        if primary {
            let spooled = read::spooled_ids(&conn)?;
            let keep: HashSet<QueueId> = spooled.iter().copied().collect();
            report.orphan_bodies_removed = spool.sweep(&keep)?;
            report.missing_bodies = spooled
                .into_iter()
                .filter(|id| !spool.exists(*id))
                .collect();
        }

        let readers = (0..config.readers.max(1))
            .map(|_| schema::open(&db_path, true))
            .collect::<Result<Vec<_>, _>>()?;
        let readers = Pool::start("tern-store-read", readers)?;
        let spoolers = Pool::start("tern-store-spool", vec![(); config.spool_writers.max(1)])?;

        // The writer leaves checkpoints to their own thread (see `checkpoint`), and checkpoints
        // itself only if the WAL outgrows `checkpoint::WRITER_PAGES` anyway.
        conn.pragma_update(None, "wal_autocheckpoint", checkpoint::WRITER_PAGES)
            .map_err(sql_err("setting the writer's checkpoint size"))?;
        let checkpoint = checkpoint::start(schema::open(&db_path, false)?)?;
        let (tx, rx) = mpsc::channel();
        let counters = Arc::new(stats::Counters::default());
        let writer = Writer {
            counters: Arc::clone(&counters),
            checkpoint,
            conn,
            spool: spool.clone(),
            dir: config.dir.clone(),
            reserve: config.disk_reserve,
            max_batch: config.max_batch,
            lock: Some(lock),
        };
        thread::Builder::new()
            .name("tern-store-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| StoreError::backend("starting writer thread", e))?;

        Ok(SqliteStore {
            inner: Arc::new(Inner {
                config,
                writer: tx,
                readers,
                spoolers,
                spool,
                ids: IdGenerator::new(),
                primary,
                report,
                counters,
            }),
        })
    }

    /// The settings it was opened with.
    pub fn config(&self) -> &SqliteConfig {
        &self.inner.config
    }

    /// True if this handle owns the directory (see [`SqliteStore::open`]).
    pub fn is_primary(&self) -> bool {
        self.inner.primary
    }

    /// Commit counters of the writer thread (shared by all clones).
    pub fn writer_stats(&self) -> WriterStats {
        self.inner.counters.snapshot()
    }

    /// Finishes every request sent so far, closes the database and releases the lock.
    /// Other clones of this handle get [`StoreError::Closed`] afterwards.
    pub async fn close(self) -> Result<(), StoreError> {
        let (done, wait) = oneshot::channel();
        self.inner
            .writer
            .send(Request::Close(done))
            .map_err(|_| StoreError::Closed)?;
        wait.await.map_err(|_| StoreError::Closed)
    }

    async fn write<T, F>(
        &self,
        job: Job<T, F>,
        wait: oneshot::Receiver<Result<T, StoreError>>,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.inner
            .writer
            .send(Request::Write(Box::new(job)))
            .map_err(|_| StoreError::Closed)?;
        wait.await.map_err(|_| StoreError::Closed)?
    }

    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.inner.readers.run(move |conn| f(conn)).await
    }
}

impl QueueStore for SqliteStore {
    async fn enqueue(&self, envelope: Envelope, body: Vec<u8>) -> Result<QueueId, StoreError> {
        let inner = &self.inner;
        if envelope.recipients.is_empty() {
            return Err(StoreError::InvalidEnvelope("no recipients"));
        }
        let size = body.len() as u64;
        if size > inner.config.max_body_size {
            return Err(StoreError::TooLarge {
                size,
                limit: inner.config.max_body_size,
            });
        }
        let id = inner
            .ids
            .next(u64::try_from(envelope.received_at_ms).unwrap_or(0));
        let body = if inner.primary && size >= inner.config.spool_threshold {
            if inner.config.disk_reserve > 0 {
                let available = space::available(&inner.config.dir)?;
                Budget::new(available, inner.config.disk_reserve)
                    .take(size.saturating_add(ROW_OVERHEAD))?;
            }
            let spool = inner.spool.clone();
            // The body moves to the spool thread and is dropped once it is on disk.
            inner.spoolers.run(move |_| spool.write(id, &body)).await?;
            BodyInput::Spooled(size)
        } else {
            BodyInput::Inline(body)
        };
        let (reply, wait) = oneshot::channel();
        let request = Request::Enqueue(Box::new(EnqueueRequest {
            id,
            envelope,
            body,
            reply,
        }));
        if let Err(mpsc::SendError(Request::Enqueue(req))) = inner.writer.send(request) {
            if matches!(req.body, BodyInput::Spooled(_)) {
                inner.spool.remove(id);
            }
            return Err(StoreError::Closed);
        }
        wait.await.map_err(|_| StoreError::Closed)?
    }

    async fn message(&self, id: QueueId) -> Result<MessageInfo, StoreError> {
        self.read(move |c| read::message(c, id)).await
    }

    async fn messages(
        &self,
        ids: Vec<QueueId>,
    ) -> Result<Vec<Result<MessageInfo, StoreError>>, StoreError> {
        self.read(move |c| Ok(ids.iter().map(|id| read::message(c, *id)).collect()))
            .await
    }

    async fn bodies(
        &self,
        ids: Vec<QueueId>,
    ) -> Result<Vec<Result<Vec<u8>, StoreError>>, StoreError> {
        let spool = self.inner.spool.clone();
        self.read(move |c| Ok(ids.iter().map(|id| read::body(c, *id, &spool)).collect()))
            .await
    }

    async fn counts(&self) -> Result<crate::QueueCounts, StoreError> {
        self.read(read::queue_counts).await
    }

    async fn envelope(&self, id: QueueId) -> Result<Envelope, StoreError> {
        Ok(self.message(id).await?.envelope)
    }

    async fn body(&self, id: QueueId) -> Result<Vec<u8>, StoreError> {
        let spool = self.inner.spool.clone();
        self.read(move |c| read::body(c, id, &spool)).await
    }

    async fn update_recipient(
        &self,
        id: QueueId,
        index: u32,
        update: RecipientUpdate,
    ) -> Result<(), StoreError> {
        let (job, wait) = Job::new(move |c| write::update_recipient(c, id, index, &update));
        self.write(job, wait).await
    }

    async fn record_attempt(&self, id: QueueId, attempt: Attempt) -> Result<(), StoreError> {
        let (job, wait) = Job::new(move |c| write::record_attempt(c, id, &attempt));
        self.write(job, wait).await
    }

    async fn record_outcome(
        &self,
        id: QueueId,
        index: u32,
        update: RecipientUpdate,
        attempt: Attempt,
    ) -> Result<(), StoreError> {
        // One job, one savepoint: the attempt and the state commit together or not at all.
        let (job, wait) = Job::new(move |c| {
            write::record_attempt(c, id, &attempt)?;
            write::update_recipient(c, id, index, &update)
        });
        self.write(job, wait).await
    }

    async fn record_outcomes(&self, outcomes: Outcomes) -> Result<Skipped, StoreError> {
        if outcomes.is_empty() {
            return Ok(Skipped::default());
        }
        // One job, one savepoint: every attempt and state of the step commit together.
        let (job, wait) = Job::new(move |c| write::record_outcomes(c, &outcomes));
        self.write(job, wait).await
    }

    async fn attempts(&self, id: QueueId) -> Result<Vec<Attempt>, StoreError> {
        self.read(move |c| read::attempts(c, id)).await
    }

    async fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<DueRecipient>, StoreError> {
        self.read(move |c| read::due(c, now_ms, limit)).await
    }

    async fn reschedule(&self, id: QueueId, at_ms: i64) -> Result<u32, StoreError> {
        let (job, wait) = Job::new(move |c| write::reschedule(c, id, at_ms));
        self.write(job, wait).await
    }

    async fn reschedule_many(
        &self,
        ids: Vec<QueueId>,
        at_ms: i64,
    ) -> Result<Vec<Result<u32, StoreError>>, StoreError> {
        let (job, wait) = Job::new(move |c| {
            let mut out = Vec::with_capacity(ids.len());
            for id in &ids {
                match write::reschedule(c, *id, at_ms) {
                    Err(e @ StoreError::NotFound(_)) => out.push(Err(e)),
                    other => out.push(Ok(other?)),
                }
            }
            Ok(out)
        });
        self.write(job, wait).await
    }

    async fn hold(&self, id: QueueId) -> Result<(), StoreError> {
        let (job, wait) = Job::new(move |c| write::set_held(c, id, true));
        self.write(job, wait).await
    }

    async fn release(&self, id: QueueId) -> Result<(), StoreError> {
        let (job, wait) = Job::new(move |c| write::set_held(c, id, false));
        self.write(job, wait).await
    }

    async fn delete(&self, id: QueueId) -> Result<(), StoreError> {
        let (job, wait) = Job::new(move |c| write::delete(c, id));
        // The file goes only after the rows are gone for good; a crash in between leaves an
        // orphan that the next open sweeps.
        let job = job.after_commit(move |spooled, spool| {
            if *spooled {
                spool.remove(id);
            }
        });
        self.write(job, wait).await.map(|_| ())
    }

    async fn finish(&self, id: QueueId, now_ms: i64) -> Result<bool, StoreError> {
        let (job, wait) = Job::new(move |c| write::finish(c, id, now_ms));
        // As in `delete`: the file goes after the commit; a crash in between leaves an
        // orphan (a finished message keeps no file) that the next open sweeps.
        let job = job.after_commit(move |finished, spool| {
            if *finished == Some(true) {
                spool.remove(id);
            }
        });
        self.write(job, wait).await.map(|f| f.is_some())
    }

    async fn finish_settled(&self, before_ms: i64, limit: usize) -> Result<usize, StoreError> {
        let (job, wait) = Job::new(move |c| write::finish_settled(c, before_ms, limit));
        let job = job.after_commit(|messages, spool| remove_spool_files(messages, spool));
        self.write(job, wait).await.map(|f| f.len())
    }

    async fn purge_finished(&self, before_ms: i64, limit: usize) -> Result<usize, StoreError> {
        let (job, wait) = Job::new(move |c| write::purge_finished(c, before_ms, limit));
        let job = job.after_commit(|messages, spool| remove_spool_files(messages, spool));
        self.write(job, wait).await.map(|p| p.len())
    }

    async fn list(&self, filter: ListFilter) -> Result<Vec<MessageInfo>, StoreError> {
        self.read(move |c| read::list(c, &filter)).await
    }

    fn recovery(&self) -> RecoveryReport {
        self.inner.report.clone()
    }
}

/// Maps a SQLite error: SQLITE_FULL becomes [`StoreError::DiskFull`].
pub(crate) fn map_sql(context: &'static str, e: rusqlite::Error) -> StoreError {
    if e.sqlite_error_code() == Some(ErrorCode::DiskFull) {
        return StoreError::DiskFull(DiskFullCause::NoSpace);
    }
    StoreError::backend(context, e)
}

/// `map_err` adapter for [`map_sql`].
pub(crate) fn sql_err(context: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| map_sql(context, e)
}

/// Maps an I/O error: ENOSPC and EDQUOT (also when wrapped around a SQLite error by the blob
/// writer) become [`StoreError::DiskFull`].
pub(crate) fn io_err(context: &'static str, e: io::Error) -> StoreError {
    let full = matches!(
        e.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
    ) || e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rusqlite::Error>())
        .is_some_and(|s| s.sqlite_error_code() == Some(ErrorCode::DiskFull));
    if full {
        return StoreError::DiskFull(DiskFullCause::NoSpace);
    }
    StoreError::backend(context, e)
}

/// After the commit that dropped their rows: the spool files of the messages that had one
/// (a crash before leaves orphans that the next open sweeps).
fn remove_spool_files(messages: &[(QueueId, bool)], spool: &Spool) {
    for (id, spooled) in messages {
        if *spooled {
            spool.remove(*id);
        }
    }
}
