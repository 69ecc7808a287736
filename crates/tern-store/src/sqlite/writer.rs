//! The writer thread and its group commit.
//!
//! Every change goes through one channel to one thread that owns the write connection. The
//! thread takes whatever is waiting (up to `max_batch` requests), applies them inside one
//! transaction (changes other than enqueues each in a savepoint), fsyncs the spool directory
//! if the batch has spooled bodies, and commits: one WAL fsync for the whole batch. Only then
//! is each waiter answered. While one batch commits, the next one gathers in the channel, so
//! the batch size follows the load with no timer. Checkpoints run on their own thread
//! ([`super::checkpoint`]), off this path.

use std::fs::File;
use std::path::PathBuf;
use std::sync::mpsc;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::map_sql;
use super::space::{self, Budget, ROW_OVERHEAD};
use super::spool::Spool;
use super::write::{self, BodyInput};
use crate::envelope::Envelope;
use crate::error::StoreError;
use crate::id::QueueId;

/// A request to the writer thread.
pub(crate) enum Request {
    Enqueue(Box<EnqueueRequest>),
    Write(Box<dyn WriteJob>),
    Close(oneshot::Sender<()>),
}

pub(crate) struct EnqueueRequest {
    pub(crate) id: QueueId,
    pub(crate) envelope: Envelope,
    pub(crate) body: BodyInput,
    pub(crate) reply: oneshot::Sender<Result<QueueId, StoreError>>,
}

/// A change other than an enqueue, applied inside the batch transaction.
pub(crate) trait WriteJob: Send {
    /// Runs the statements. An error rolls back this job's savepoint only.
    fn apply(&mut self, conn: &Connection) -> Result<(), StoreError>;
    /// Answers the waiter once the batch is committed (or failed).
    fn finish(self: Box<Self>, outcome: Result<(), StoreError>, spool: &Spool);
}

type AfterCommit<T> = Box<dyn FnOnce(&T, &Spool) + Send>;

/// A [`WriteJob`] from a closure, with an optional action after a successful commit.
pub(crate) struct Job<T, F> {
    f: Option<F>,
    value: Option<T>,
    after: Option<AfterCommit<T>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Job<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
{
    pub(crate) fn new(f: F) -> (Self, oneshot::Receiver<Result<T, StoreError>>) {
        let (reply, wait) = oneshot::channel();
        (
            Job {
                f: Some(f),
                value: None,
                after: None,
                reply,
            },
            wait,
        )
    }

    pub(crate) fn after_commit(mut self, after: impl FnOnce(&T, &Spool) + Send + 'static) -> Self {
        self.after = Some(Box::new(after));
        self
    }
}

impl<T, F> WriteJob for Job<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
{
    fn apply(&mut self, conn: &Connection) -> Result<(), StoreError> {
        let f = self.f.take().ok_or(StoreError::Closed)?;
        self.value = Some(f(conn)?);
        Ok(())
    }

    fn finish(self: Box<Self>, outcome: Result<(), StoreError>, spool: &Spool) {
        let this = *self;
        let result = match (outcome, this.value) {
            (Ok(()), Some(v)) => {
                if let Some(after) = this.after {
                    after(&v, spool);
                }
                Ok(v)
            }
            (Ok(()), None) => Err(StoreError::Closed),
            (Err(e), _) => Err(e),
        };
        let _ = this.reply.send(result);
    }
}

/// The writer thread's state.
pub(crate) struct Writer {
    pub(crate) conn: Connection,
    pub(crate) spool: Spool,
    pub(crate) dir: PathBuf,
    pub(crate) reserve: u64,
    pub(crate) max_batch: usize,
    pub(crate) counters: std::sync::Arc<super::stats::Counters>,
    /// Tells the checkpoint thread the WAL has grown.
    pub(crate) checkpoint: mpsc::SyncSender<()>,
    /// Held for as long as the thread runs, so no other process sweeps the spool meanwhile.
    pub(crate) lock: Option<File>,
}

/// What happened to one request of a batch.
struct Item {
    request: Request,
    outcome: Result<(), StoreError>,
}

impl Writer {
    /// Runs until every sender is gone or a `Close` arrives.
    pub(crate) fn run(self, rx: mpsc::Receiver<Request>) {
        let max_batch = self.max_batch.max(1);
        let mut closers = Vec::new();
        while let Ok(first) = rx.recv() {
            let mut batch = Vec::with_capacity(16);
            let mut push = |r: Request, batch: &mut Vec<Request>| match r {
                Request::Close(done) => closers.push(done),
                other => batch.push(other),
            };
            push(first, &mut batch);
            while batch.len() < max_batch {
                match rx.try_recv() {
                    Ok(r) => push(r, &mut batch),
                    Err(_) => break,
                }
            }
            if !batch.is_empty() {
                self.commit_batch(batch);
            }
            if !closers.is_empty() {
                break;
            }
        }
        let Writer { conn, lock, .. } = self;
        drop(conn);
        drop(lock);
        for done in closers {
            let _ = done.send(());
        }
    }

    /// Runs one statement, prepared once and cached (BEGIN, SAVEPOINT, ... run per request).
    fn exec(&self, sql: &'static str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.execute([]))
            .map(|_| ())
            .map_err(|e| map_sql(sql, e))
    }

    fn commit_batch(&self, batch: Vec<Request>) {
        let mut items: Vec<Item> = batch
            .into_iter()
            .map(|request| Item {
                request,
                outcome: Ok(()),
            })
            .collect();

        if let Err(e) = self.exec("BEGIN IMMEDIATE") {
            return self.finish_all(items, Some(e), true);
        }

        let mut budget: Option<Budget> = None;
        let mut batch_error: Option<StoreError> = None;
        let mut spooled = false;
        for item in &mut items {
            // A reserve of 0 turns the free-space check off: only ENOSPC/SQLITE_FULL refuse.
            if let Request::Enqueue(req) = &item.request {
                let cost = match &req.body {
                    BodyInput::Inline(b) => (b.len() as u64).saturating_add(ROW_OVERHEAD),
                    BodyInput::Spooled(_) => ROW_OVERHEAD,
                };
                if budget.is_none() && self.reserve > 0 {
                    match space::available(&self.dir) {
                        Ok(avail) => budget = Some(Budget::new(avail, self.reserve)),
                        Err(e) => {
                            item.outcome = Err(e);
                            continue;
                        }
                    }
                }
                if let Some(b) = budget.as_mut()
                    && let Err(e) = b.take(cost)
                {
                    item.outcome = Err(e);
                    continue;
                }
            }
            let job = match &mut item.request {
                Request::Enqueue(req) => {
                    // No savepoint: the inserts of an enqueue fail only on I/O-level errors
                    // (a full disk, a broken file), and then the whole batch is rolled back.
                    if let Err(e) =
                        write::insert_message(&self.conn, req.id, &req.envelope, &req.body)
                    {
                        batch_error = Some(e);
                        break;
                    }
                    spooled |= matches!(req.body, BodyInput::Spooled(_));
                    continue;
                }
                Request::Write(job) => job,
                Request::Close(_) => continue,
            };
            // Other changes refuse for ordinary reasons (unknown id, final recipient): each runs
            // in a savepoint so a refusal undoes only its own statements.
            if let Err(e) = self.exec("SAVEPOINT item") {
                batch_error = Some(e);
                break;
            }
            match job.apply(&self.conn) {
                Ok(()) => {
                    if let Err(e) = self.exec("RELEASE item") {
                        batch_error = Some(e);
                        break;
                    }
                }
                Err(e) if e.is_disk_full() => {
                    // SQLite may have rolled back the whole transaction: give up the batch.
                    batch_error = Some(e);
                    break;
                }
                Err(e) => {
                    item.outcome = Err(e);
                    if let Err(e) = self
                        .exec("ROLLBACK TO item")
                        .and_then(|()| self.exec("RELEASE item"))
                    {
                        batch_error = Some(e);
                        break;
                    }
                }
            }
        }

        if batch_error.is_none() && spooled {
            // The spool files themselves were fsynced by the spool workers; this makes their
            // names durable before any row points at them.
            if let Err(e) = self.spool.sync_dir() {
                batch_error = Some(e);
            }
        }
        if let Some(e) = batch_error {
            let _ = self.exec("ROLLBACK");
            return self.finish_all(items, Some(e), true);
        }
        match self.conn.execute("COMMIT", []) {
            Ok(_) => {
                self.counters.committed(items.len());
                let _ = self.checkpoint.try_send(());
                self.finish_all(items, None, true)
            }
            Err(e) => {
                let e = map_sql("COMMIT", e);
                // After a failed COMMIT the transaction may or may not be on disk (an fsync
                // error after the commit frame was written). Only a full disk proves it is
                // not; otherwise keep spool files, and let the next open sweep real orphans.
                let known_rolled_back = e.is_disk_full();
                let _ = self.conn.execute_batch("ROLLBACK");
                self.finish_all(items, Some(e), known_rolled_back)
            }
        }
    }

    /// Answers every waiter. `batch_error` replaces every success; `discard` allows removing
    /// the spool files of enqueues that did not commit.
    fn finish_all(&self, items: Vec<Item>, batch_error: Option<StoreError>, discard: bool) {
        for item in items {
            let outcome = match (&batch_error, item.outcome) {
                (_, Err(e)) => Err(e),
                (Some(e), Ok(())) => Err(clone_error(e)),
                (None, Ok(())) => Ok(()),
            };
            match item.request {
                Request::Enqueue(req) => {
                    if outcome.is_err() && discard && matches!(req.body, BodyInput::Spooled(_)) {
                        self.spool.remove(req.id);
                    }
                    let _ = req.reply.send(outcome.map(|()| req.id));
                }
                Request::Write(job) => job.finish(outcome, &self.spool),
                Request::Close(done) => {
                    let _ = done.send(());
                }
            }
        }
    }
}

/// Errors are not `Clone` (they carry sources); a batch failure is reported to every waiter.
fn clone_error(e: &StoreError) -> StoreError {
    match e {
        StoreError::DiskFull(c) => StoreError::DiskFull(*c),
        StoreError::Closed => StoreError::Closed,
        StoreError::Corrupt(s) => StoreError::Corrupt(s.clone()),
        StoreError::NotFound(id) => StoreError::NotFound(*id),
        StoreError::BodyDropped(id) => StoreError::BodyDropped(*id),
        StoreError::RecipientNotFound { id, index } => StoreError::RecipientNotFound {
            id: *id,
            index: *index,
        },
        StoreError::AlreadyFinal { id, index } => StoreError::AlreadyFinal {
            id: *id,
            index: *index,
        },
        StoreError::TooLarge { size, limit } => StoreError::TooLarge {
            size: *size,
            limit: *limit,
        },
        StoreError::InvalidEnvelope(s) => StoreError::InvalidEnvelope(s),
        StoreError::Backend { context, source } => StoreError::backend(context, source.to_string()),
    }
}
