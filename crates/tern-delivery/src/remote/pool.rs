//! Idle outbound connections kept for the next batch to the same host (`[delivery]
//! connection_idle`): a connection whose messages are done is not closed at once but parked,
//! at most `per_destination` per host, and the next batch for that host (same address, TLS
//! policy and login) takes it and starts with RSET instead of a new TCP and TLS handshake.
//! A parked connection past its idle time is closed with QUIT.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tern_proto::{ClientConfig, TlsPolicy};

use super::connection::Connection;

/// What a parked connection must match to be reused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PoolKey {
    addr: SocketAddr,
    host: String,
    tls: TlsPolicy,
    login: Option<String>,
}

impl PoolKey {
    /// The key of a connection to `addr` (named `host`) with `config`.
    pub fn new(addr: SocketAddr, host: &str, config: &ClientConfig) -> PoolKey {
        PoolKey {
            addr,
            host: host.to_ascii_lowercase(),
            tls: config.tls,
            login: config.credentials.as_ref().map(|c| c.username.clone()),
        }
    }
}

/// The parked connections.
#[derive(Debug)]
pub struct Pool {
    idle: Mutex<Parked>,
    keep: Duration,
    per_key: usize,
}

impl Pool {
    /// Connections are kept `keep` (zero: never), at most `per_key` for one host.
    pub fn new(keep: Duration, per_key: usize) -> Pool {
        Pool {
            idle: Mutex::new(HashMap::new()),
            keep,
            per_key,
        }
    }

    /// A parked connection for `key` that has not been idle too long, newest first.
    pub fn take(&self, key: &PoolKey) -> Option<Connection> {
        let mut expired = Vec::new();
        let found = {
            let mut idle = self.lock();
            let found = idle.get_mut(key).and_then(|list| {
                while let Some((conn, since)) = list.pop() {
                    if since.elapsed() < self.keep && !conn.is_closed() {
                        return Some(conn);
                    }
                    expired.push(conn);
                }
                None
            });
            idle.retain(|_, list| !list.is_empty());
            found
        };
        close_all(expired);
        found
    }

    /// Parks `conn` for `key`, or closes it when the pool keeps none or has enough.
    pub fn put(&self, key: PoolKey, conn: Connection) {
        let mut refused;
        {
            let mut idle = self.lock();
            refused = drain_stale(&mut idle, self.keep);
            let list = idle.entry(key).or_default();
            if self.keep.is_zero() || list.len() >= self.per_key || conn.is_closed() {
                refused.push(conn);
            } else {
                list.push((conn, Instant::now()));
            }
        }
        close_all(refused);
    }

    /// Closes every parked connection that has been idle too long.
    pub fn sweep(&self) {
        let stale = drain_stale(&mut self.lock(), self.keep);
        close_all(stale);
    }

    /// Closes every parked connection with QUIT, together, waiting at most `grace`.
    pub async fn close_all(&self, grace: Duration) {
        let all: Vec<Connection> = self
            .lock()
            .drain()
            .flat_map(|(_, list)| list.into_iter().map(|(c, _)| c))
            .collect();
        let mut closing = tokio::task::JoinSet::new();
        for conn in all {
            closing.spawn(conn.close());
        }
        let _ = tokio::time::timeout(grace, closing.join_all()).await;
    }

    /// How many connections are parked.
    pub fn len(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }

    /// Whether none is parked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Parked> {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

type Parked = HashMap<PoolKey, Vec<(Connection, Instant)>>;

/// Takes out every connection idle for `keep` or longer.
fn drain_stale(idle: &mut Parked, keep: Duration) -> Vec<Connection> {
    let mut stale_all = Vec::new();
    for list in idle.values_mut() {
        let (stale, fresh): (Vec<_>, Vec<_>) = list
            .drain(..)
            .partition(|(_, since)| since.elapsed() >= keep);
        *list = fresh;
        stale_all.extend(stale.into_iter().map(|(c, _)| c));
    }
    idle.retain(|_, list| !list.is_empty());
    stale_all
}

/// Says QUIT on each connection, in the background (bounded by the session's timeouts).
fn close_all(conns: Vec<Connection>) {
    for conn in conns {
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(conn.close());
        }
    }
}
