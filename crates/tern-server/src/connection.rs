//! One client connection: the loop that connects a `ServerSession` to a socket, to policy and
//! to the store, including the STARTTLS upgrade.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tern_codes::Reply;
use tern_proto::{Event, ServerSession, SessionConfig, TlsInfo};
use tern_store::QueueStore;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::context::{ClientFacts, Decision, ServerContext};

/// How long one write to the client may take before the connection is dropped.
const WRITE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The first read of a connection asks for one page; the size doubles, up to
/// `READ_SIZE_MAX`, while reads fill it (a message body streaming in).
const READ_SIZE_START: usize = 4 * 1024;
/// The largest read.
const READ_SIZE_MAX: usize = 64 * 1024;

/// A stream a session runs over.
pub(crate) trait Transport: AsyncRead + AsyncWrite + Unpin + Send {
    /// Waits for input, then reads up to `size` bytes into a buffer made for this read (empty
    /// at end of stream). A plain socket waits for readiness before the buffer exists, so an
    /// idle connection holds none.
    fn read_input(&mut self, size: usize) -> impl Future<Output = io::Result<Vec<u8>>> + Send;
}

impl Transport for TcpStream {
    async fn read_input(&mut self, size: usize) -> io::Result<Vec<u8>> {
        loop {
            self.readable().await?;
            let mut input = Vec::with_capacity(size);
            match self.try_read_buf(&mut input) {
                Ok(_) => return Ok(input),
                // Readiness can be spurious; the failed read clears it.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Transport for tokio_rustls::server::TlsStream<TcpStream> {
    // rustls may hold decrypted input the socket does not show: read directly.
    async fn read_input(&mut self, size: usize) -> io::Result<Vec<u8>> {
        let mut input = Vec::with_capacity(size);
        self.read_buf(&mut input).await?;
        Ok(input)
    }
}

/// How a pass of the loop ended.
enum End {
    Closed,
    StartTls,
}

/// Everything a connection needs besides its socket.
pub struct Connection<S> {
    /// Shared server state.
    pub context: Arc<ServerContext<S>>,
    /// This listener's session settings.
    pub session_config: Arc<SessionConfig>,
    /// TLS, when a certificate is loaded.
    pub tls: Option<TlsAcceptor>,
    /// Implicit TLS (port 465).
    pub implicit_tls: bool,
    /// The client.
    pub client: ClientFacts,
    /// Flips to true when the server shuts down.
    pub shutdown: watch::Receiver<bool>,
}

impl<S: QueueStore + 'static> Connection<S> {
    /// Serves the client until the session ends. `refusal` answers the greeting instead (a
    /// connection limit was hit).
    pub async fn serve(mut self, tcp: TcpStream, peer: SocketAddr, refusal: Option<Reply>) {
        let result = self.run(tcp, refusal).await;
        match result {
            Ok(()) => tracing::debug!(client = %peer, "connection closed"),
            Err(e) => tracing::debug!(client = %peer, error = %e, "connection ended"),
        }
    }

    async fn run(&mut self, mut tcp: TcpStream, refusal: Option<Reply>) -> io::Result<()> {
        let now = Instant::now();
        // The TLS paths are boxed: an idle plain-text connection then carries only the small
        // plain-text state, not a TLS stream's (thousands of idle connections, issue 6).
        if self.implicit_tls {
            return Box::pin(self.run_implicit_tls(tcp, refusal, now)).await;
        }
        let mut session = self.new_session(refusal, now);
        match self.drive(&mut session, &mut tcp).await? {
            End::Closed => Ok(()),
            End::StartTls => Box::pin(self.continue_after_starttls(session, tcp)).await,
        }
    }

    /// Port 465: the handshake comes first, then the greeting.
    async fn run_implicit_tls(
        &mut self,
        tcp: TcpStream,
        refusal: Option<Reply>,
        now: Instant,
    ) -> io::Result<()> {
        let mut stream = self.accept_tls(tcp).await?;
        let mut session = self.new_session(refusal, now);
        session.set_implicit_tls(tls_info(stream.get_ref().1));
        self.drive(&mut session, &mut stream).await?;
        Ok(())
    }

    /// After `220 Ready to start TLS`: the same session goes on over the TLS stream
    /// (RFC 3207 §4.2: the session state was reset by `tls_established`).
    async fn continue_after_starttls(
        &mut self,
        mut session: ServerSession,
        tcp: TcpStream,
    ) -> io::Result<()> {
        let mut stream = self.accept_tls(tcp).await?;
        self.client.user = None;
        session.tls_established(tls_info(stream.get_ref().1));
        match self.drive(&mut session, &mut stream).await? {
            End::Closed | End::StartTls => Ok(()),
        }
    }

    async fn accept_tls(
        &mut self,
        tcp: TcpStream,
    ) -> io::Result<tokio_rustls::server::TlsStream<TcpStream>> {
        let acceptor = self
            .tls
            .clone()
            .ok_or_else(|| io::Error::other("TLS without a certificate"))?;
        let deadline = self.context.config.limits.record_deadline.0;
        let stream = handshake(&acceptor, tcp, deadline).await?;
        self.client.tls = true;
        Ok(stream)
    }

    fn new_session(&self, refusal: Option<Reply>, now: Instant) -> ServerSession {
        match refusal {
            Some(reply) => ServerSession::refuse(Arc::clone(&self.session_config), reply, now),
            None => ServerSession::new(Arc::clone(&self.session_config), now),
        }
    }

    /// Runs the session over `stream` until it closes or asks for TLS.
    async fn drive<T>(&mut self, session: &mut ServerSession, stream: &mut T) -> io::Result<End>
    where
        T: Transport,
    {
        let mut read_size = READ_SIZE_START;
        loop {
            while let Some(event) = session.poll_event() {
                match event {
                    Event::Send(bytes) => write(stream, &bytes).await?,
                    Event::Decide(question) => {
                        let verdict = match self.context.decide(question.kind, &mut self.client) {
                            Decision::Now(verdict) => verdict,
                            Decision::Login { username, password } => {
                                Box::pin(self.context.login(username, password, &mut self.client))
                                    .await
                            }
                        };
                        session.decide(question.id, verdict);
                    }
                    Event::Message(incoming) => {
                        match Box::pin(self.context.store(
                            incoming.envelope,
                            incoming.body,
                            &self.client,
                        ))
                        .await
                        {
                            Ok(id) => {
                                tracing::info!(client = %self.client.ip, queue_id = %id, "queued");
                                session.message_stored(incoming.id, &id.to_string());
                            }
                            Err(reply) => session.message_refused(incoming.id, reply),
                        }
                    }
                    Event::StartTls => return Ok(End::StartTls),
                    Event::Close => {
                        let _ = stream.shutdown().await;
                        return Ok(End::Closed);
                    }
                }
            }
            if !session.wants_input() {
                // Nothing to read and nothing to do: only possible if the session is waiting on
                // an event it has already emitted, which the loop above always answers.
                return Ok(End::Closed);
            }
            let deadline = session.poll_timeout().map(tokio::time::Instant::from_std);
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                read = stream.read_input(read_size) => {
                    let input = read?;
                    if input.is_empty() {
                        return Ok(End::Closed);
                    }
                    session.receive(&input, Instant::now());
                    if input.len() == read_size {
                        read_size = (read_size * 2).min(READ_SIZE_MAX);
                    }
                }
                () = sleep => session.handle_timeout(Instant::now()),
                changed = self.shutdown.changed() => {
                    if changed.is_err() || *self.shutdown.borrow() {
                        session.shutdown();
                    }
                }
            }
        }
    }
}

async fn write<T: AsyncWrite + Unpin>(stream: &mut T, bytes: &[u8]) -> io::Result<()> {
    match tokio::time::timeout(WRITE_TIMEOUT, async {
        stream.write_all(bytes).await?;
        stream.flush().await
    })
    .await
    {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "client does not read its replies",
        )),
    }
}

/// The TLS handshake, within `deadline` for the whole of it (`[limits] record_deadline`). A
/// handshake that misses it is closed without a reply: neither plain text nor TLS can carry
/// one in the middle of a handshake.
async fn handshake(
    acceptor: &TlsAcceptor,
    tcp: TcpStream,
    deadline: std::time::Duration,
) -> io::Result<tokio_rustls::server::TlsStream<TcpStream>> {
    match tokio::time::timeout(deadline, acceptor.accept(tcp)).await {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "TLS handshake timed out",
        )),
    }
}

fn tls_info(conn: &rustls::ServerConnection) -> TlsInfo {
    crate::tls::TlsInfo::from_connection(conn)
        .map(|t| TlsInfo {
            version: t.version,
            cipher: t.cipher,
        })
        .unwrap_or(TlsInfo {
            version: "TLS".into(),
            cipher: "unknown".into(),
        })
}
