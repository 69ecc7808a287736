//! Starting and stopping the listeners.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tern_codes::catalogue;
use tern_config::{Config, ListenerKind};
use tern_policy::Policy;
use tern_proto::{LineEndingPolicy, SessionConfig};
use tern_store::QueueStore;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{Notify, mpsc, watch};
use tokio_rustls::TlsAcceptor;

use crate::connection::Connection;
use crate::context::{ClientFacts, MailboxUsage, ServerContext};
use crate::limits::{AuthLimiter, ConnectionLimiter, LimitRefusal, PerIpExemption};
use crate::tls::TlsSetup;
use crate::users::UserDb;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The certificate could not be loaded or generated.
    #[error("TLS: {0}")]
    Tls(#[from] crate::tls::TlsError),
    /// The user database could not be read.
    #[error("users: {0}")]
    Users(#[from] crate::users::UserDbError),
    /// A listener could not bind.
    #[error("cannot listen on {address} ({kind:?}): {error}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The listener kind.
        kind: ListenerKind,
        /// The error.
        error: io::Error,
    },
}

/// A running server.
#[derive(Debug)]
pub struct ServerHandle {
    addresses: Vec<(ListenerKind, SocketAddr)>,
    shutdown: watch::Sender<bool>,
    finished: mpsc::Receiver<()>,
    tls: Option<Arc<TlsSetup>>,
}

impl ServerHandle {
    /// The bound addresses (with the real port when the config asked for port 0).
    pub fn addresses(&self) -> &[(ListenerKind, SocketAddr)] {
        &self.addresses
    }

    /// The first address of a listener kind.
    pub fn address(&self, kind: ListenerKind) -> Option<SocketAddr> {
        self.addresses
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, a)| *a)
    }

    /// The certificate in use, if any.
    pub fn tls(&self) -> Option<&TlsSetup> {
        self.tls.as_deref()
    }

    /// Stops accepting, answers idle sessions `421`, lets messages in flight finish, and
    /// waits up to `grace` for every connection to end.
    pub async fn shutdown(mut self, grace: Duration) {
        let _ = self.shutdown.send(true);
        let _ = tokio::time::timeout(grace, self.finished.recv()).await;
    }
}

/// How the server reaches the rest of Tern.
#[derive(Clone, Default)]
pub struct Hooks {
    /// Notified after each message is queued (the delivery worker waits on it).
    pub queued: Arc<Notify>,
    /// The octets a local mailbox holds, for `552 5.2.2` at RCPT when `[local] quota` is set.
    pub mailbox_usage: Option<MailboxUsage>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("mailbox_usage", &self.mailbox_usage.is_some())
            .finish_non_exhaustive()
    }
}

/// Starts every configured listener. Messages go to `store`.
pub async fn start<S: QueueStore + 'static>(
    config: Arc<Config>,
    store: Arc<S>,
    hooks: Hooks,
) -> Result<ServerHandle, StartError> {
    let data_dir = &config.server.data_dir;
    let tls = if config.tls.enabled {
        let tls = TlsSetup::load(&config.tls, data_dir, &config.server.hostname)?;
        if tls.is_self_signed() {
            tracing::warn!(
                certificate = %tls.certificate_path().display(),
                "no certificate configured: using a self-signed one; set [tls] certificate and key for production"
            );
        }
        Some(Arc::new(tls))
    } else {
        None
    };
    let acceptor = tls.as_ref().map(|t| TlsAcceptor::from(t.server_config()));
    let users = Arc::new(UserDb::open(data_dir.join("users"))?);
    let policy = Policy::new(&config);
    for warning in policy.warnings() {
        tracing::warn!("config: {warning}");
    }
    let context = Arc::new(ServerContext {
        config: Arc::clone(&config),
        policy,
        store,
        users,
        auth_limiter: AuthLimiter::new(config.auth.max_failures_per_ip, config.auth.lockout.0),
        queued: hooks.queued,
        mailbox_usage: hooks.mailbox_usage,
    });
    let exempt = if config.limits.exempt_trusted_from_per_ip {
        PerIpExemption::loopback_and(context.policy.trusted_networks().to_vec())
    } else {
        PerIpExemption::nobody()
    };
    let limiter = ConnectionLimiter::with_exemption(
        config.limits.max_connections,
        config.limits.max_connections_per_ip,
        exempt,
    );
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let (done_tx, done_rx) = mpsc::channel::<()>(1);
    let mut addresses = Vec::new();
    for listener in &config.listeners {
        if listener.kind == ListenerKind::Submissions && acceptor.is_none() {
            return Err(StartError::Bind {
                address: listener.address,
                kind: listener.kind,
                error: io::Error::other("implicit TLS needs [tls] enabled = true"),
            });
        }
        let socket = bind(listener.address, config.limits.listen_backlog).map_err(|error| {
            StartError::Bind {
                address: listener.address,
                kind: listener.kind,
                error,
            }
        })?;
        let local = socket.local_addr().unwrap_or(listener.address);
        tracing::info!(kind = ?listener.kind, address = %local, "listening");
        addresses.push((listener.kind, local));
        let accept = AcceptLoop {
            socket,
            kind: listener.kind,
            session_config: Arc::new(session_config(&config, listener.kind, acceptor.is_some())),
            context: Arc::clone(&context),
            acceptor: acceptor.clone(),
            limiter: limiter.clone(),
            shutdown: shutdown_rx.clone(),
            done: done_tx.clone(),
        };
        tokio::spawn(accept.run());
    }
    Ok(ServerHandle {
        addresses,
        shutdown: shutdown_tx,
        finished: done_rx,
        tls,
    })
}

/// Binds a listening socket with room for `backlog` connections not yet accepted (the kernel
/// caps it at `net.core.somaxconn`). The standard library's 128 overflows under a burst of
/// simultaneous connects, and the clients that overflow wait seconds for a SYN retry.
fn bind(address: SocketAddr, backlog: u32) -> io::Result<TcpListener> {
    let socket = if address.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(backlog)
}

/// The session settings of a listener kind; `tls` says whether a certificate is loaded.
pub fn session_config(config: &Config, kind: ListenerKind, tls: bool) -> SessionConfig {
    let limits = &config.limits;
    let submission = matches!(kind, ListenerKind::Submission | ListenerKind::Submissions);
    SessionConfig {
        hostname: config.server.hostname.clone(),
        max_line: limits.max_line_length,
        line_endings: match config.smtp.line_endings {
            tern_config::LineEndings::Normalize => LineEndingPolicy::Normalize,
            tern_config::LineEndings::Reject => LineEndingPolicy::Reject,
        },
        max_message_size: limits.max_message_size.0,
        max_recipients: limits.max_recipients,
        max_errors: limits.max_errors,
        starttls_available: tls && kind != ListenerKind::Submissions,
        auth_available: true,
        auth_required: submission,
        tls_required: !submission && config.smtp.require_tls,
        command_timeout: limits.command_timeout.0,
        record_deadline: limits.record_deadline.0,
        data_timeout: limits.data_timeout.0,
        min_data_rate: limits.min_data_rate,
        ..SessionConfig::default()
    }
}

struct AcceptLoop<S> {
    socket: TcpListener,
    kind: ListenerKind,
    session_config: Arc<SessionConfig>,
    context: Arc<ServerContext<S>>,
    acceptor: Option<TlsAcceptor>,
    limiter: ConnectionLimiter,
    shutdown: watch::Receiver<bool>,
    done: mpsc::Sender<()>,
}

impl<S: QueueStore + 'static> AcceptLoop<S> {
    async fn run(mut self) {
        loop {
            tokio::select! {
                accepted = self.socket.accept() => match accepted {
                    Ok((tcp, peer)) => self.spawn(tcp, peer),
                    Err(e) => {
                        // Out of file descriptors or similar: wait instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
                changed = self.shutdown.changed() => {
                    if changed.is_err() || *self.shutdown.borrow() {
                        return;
                    }
                }
            }
        }
    }

    fn spawn(&self, tcp: TcpStream, peer: SocketAddr) {
        let _ = tcp.set_nodelay(true);
        let hostname = self.context.config.server.hostname.clone();
        let facts = ClientFacts {
            ip: peer.ip(),
            listener: self.kind,
            user: None,
            tls: false,
        };
        let (guard, refusal) = match self.limiter.try_acquire(peer.ip()) {
            Ok(guard) => (Some(guard), None),
            Err(LimitRefusal::Global) => (
                None,
                Some(catalogue::CONN_TOO_MANY.reply_with(&[("hostname", &hostname)])),
            ),
            Err(LimitRefusal::PerIp) => (
                None,
                Some(
                    catalogue::CONN_TOO_MANY_FROM_IP.reply_with(&[("ip", &peer.ip().to_string())]),
                ),
            ),
        };
        if refusal.is_some() {
            tracing::info!(client = %peer, "connection refused: limit reached");
        }
        let refusal = refusal.or_else(|| {
            self.context
                .fault(tern_config::FaultStage::Connect, "", &facts)
        });
        let connection = Connection {
            context: Arc::clone(&self.context),
            session_config: Arc::clone(&self.session_config),
            tls: self.acceptor.clone(),
            implicit_tls: self.kind == ListenerKind::Submissions,
            client: facts,
            shutdown: self.shutdown.clone(),
        };
        let done = self.done.clone();
        tokio::spawn(async move {
            connection.serve(tcp, peer, refusal).await;
            drop(guard);
            drop(done);
        });
    }
}
