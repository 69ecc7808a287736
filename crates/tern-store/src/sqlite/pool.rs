//! A few plain threads that run blocking jobs and answer through `tokio::sync::oneshot`, so the
//! async API needs no particular runtime.

use std::sync::{Arc, Mutex, mpsc};
use std::thread;

use tokio::sync::oneshot;

use crate::error::StoreError;

type Job<W> = Box<dyn FnOnce(&mut W) + Send>;

/// Threads each owning a `W` (a read connection, or nothing), fed from one queue.
pub(crate) struct Pool<W> {
    tx: mpsc::Sender<Job<W>>,
}

impl<W> std::fmt::Debug for Pool<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").finish_non_exhaustive()
    }
}

impl<W: Send + 'static> Pool<W> {
    /// Starts one thread per worker state. Threads end when the pool is dropped.
    pub(crate) fn start(name: &str, workers: Vec<W>) -> Result<Pool<W>, StoreError> {
        let (tx, rx) = mpsc::channel::<Job<W>>();
        let rx = Arc::new(Mutex::new(rx));
        for (i, mut state) in workers.into_iter().enumerate() {
            let rx = Arc::clone(&rx);
            thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || {
                    loop {
                        let job = {
                            let guard = match rx.lock() {
                                Ok(g) => g,
                                Err(p) => p.into_inner(),
                            };
                            guard.recv()
                        };
                        match job {
                            Ok(job) => job(&mut state),
                            Err(_) => break,
                        }
                    }
                })
                .map_err(|e| StoreError::backend("starting store threads", e))?;
        }
        Ok(Pool { tx })
    }

    /// Runs `f` on a worker and waits for its answer.
    pub(crate) async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut W) -> Result<T, StoreError> + Send + 'static,
    {
        let (done, wait) = oneshot::channel();
        self.tx
            .send(Box::new(move |w: &mut W| {
                let _ = done.send(f(w));
            }))
            .map_err(|_| StoreError::Closed)?;
        wait.await.map_err(|_| StoreError::Closed)?
    }
}
