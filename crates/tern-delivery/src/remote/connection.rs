//! One outbound SMTP connection: TCP, the client session, STARTTLS, and the messages it
//! carries, until QUIT or failure.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use tern_proto::client::{ClientEvent, ConnectionFailure, Exchange, MessageOutcome};
use tern_proto::{ClientConfig, ClientSession, OutgoingEnvelope, TlsPolicy};
use tern_store::TlsOutcome;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::pool::{Pool, PoolKey};
use super::tls;

/// How long a TCP connection may take to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// A message to carry: its envelope and body.
#[derive(Debug, Clone)]
pub struct Job {
    /// The envelope for this destination.
    pub envelope: OutgoingEnvelope,
    /// The body.
    pub body: Arc<Vec<u8>>,
}

/// Where to connect.
#[derive(Debug, Clone)]
pub struct Target {
    /// The host name (MX name or route host): SNI and the name in replies.
    pub host: String,
    /// The address.
    pub addr: SocketAddr,
}

/// How the connection verifies TLS.
#[derive(Debug, Clone)]
pub enum TlsVerify {
    /// Accept any certificate; record whether it verified.
    Opportunistic,
    /// Verify against the public roots plus these PEM CA certificates.
    Required(Option<Arc<Vec<u8>>>),
}

/// What happened on one connection.
#[derive(Debug, Default)]
pub struct ConnectionResult {
    /// The outcome of each job that the session finished, by job index.
    pub outcomes: Vec<(usize, MessageOutcome)>,
    /// The failure of the whole connection, if any.
    pub failure: Option<ConnectionFailure>,
    /// The TCP connection could not be opened: why.
    pub connect_error: Option<String>,
    /// Every command with its reply.
    pub transcript: Vec<Exchange>,
    /// For each exchange of `transcript`, the job whose transaction it belongs to (`None`:
    /// the connection's own, such as EHLO).
    pub job_of: Vec<Option<usize>>,
    /// TLS as negotiated.
    pub tls: Option<TlsOutcome>,
    /// Whether the server offered DSN (RFC 3461): then it reports success itself.
    pub dsn_offered: bool,
    /// Whether the connection was one kept from an earlier batch.
    pub reused: bool,
}

enum End {
    Closed,
    StartTls,
    /// Every job is done and the session is ready for more: the connection can be kept.
    Idle,
}

/// The stream of a connection: plain TCP, or TLS after STARTTLS.
#[derive(Debug)]
enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

/// An open SMTP connection between batches: its session (ready for the next transaction,
/// which starts with RSET) and its stream.
#[derive(Debug)]
pub struct Connection {
    session: ClientSession,
    stream: Stream,
    tls: TlsOutcome,
}

impl Connection {
    /// Whether the session has ended (the server closed it, or it failed).
    pub fn is_closed(&self) -> bool {
        self.session.is_closed()
    }

    /// Ends the session with QUIT and closes the stream.
    pub async fn close(mut self) {
        self.session.quit(Instant::now());
        let mut run = Run::new(&mut self.session, &[], false);
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, async {
            match &mut self.stream {
                Stream::Plain(s) => run.drive(s).await,
                Stream::Tls(s) => run.drive(s.as_mut()).await,
            }
        })
        .await;
    }
}

/// How long a parked connection's QUIT may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);

/// Carries `jobs` to `target`: over a parked connection from `pool` when there is one (a
/// parked connection the server closed meanwhile is replaced by a new one, unless a message
/// was accepted on it), else over a new one; the connection is parked again afterwards when
/// its session is ready for more.
pub async fn deliver(
    target: &Target,
    config: ClientConfig,
    verify: &TlsVerify,
    jobs: &[Job],
    pool: &Pool,
) -> ConnectionResult {
    let key = PoolKey::new(target.addr, &target.host, &config);
    if let Some(conn) = pool.take(&key) {
        let (result, conn) = carry(conn, jobs).await;
        let accepted = result.outcomes.iter().any(|(_, o)| {
            o.recipients
                .iter()
                .any(|r| r.disposition == tern_proto::Disposition::Accepted)
        });
        if result.failure.is_none() || accepted {
            if let Some(conn) = conn {
                pool.put(key, conn);
            }
            return result;
        }
        tracing::debug!(host = %target.host, "a kept connection had gone; opening a new one");
    }
    let (result, conn) = open_and_carry(target, config, verify, jobs).await;
    if let Some(conn) = conn {
        pool.put(key, conn);
    }
    result
}

/// Carries `jobs` over a kept connection.
async fn carry(mut conn: Connection, jobs: &[Job]) -> (ConnectionResult, Option<Connection>) {
    let mut run = Run::new(&mut conn.session, jobs, true);
    run.result.reused = true;
    run.result.tls = Some(conn.tls.clone());
    run.next();
    let end = match &mut conn.stream {
        Stream::Plain(s) => run.drive(s).await,
        Stream::Tls(s) => run.drive(s.as_mut()).await,
    };
    let result = run.finish();
    let keep = matches!(end, End::Idle);
    (result, keep.then_some(conn))
}

/// Connects to `target` and carries `jobs`; returns the connection when it can be kept.
async fn open_and_carry(
    target: &Target,
    config: ClientConfig,
    verify: &TlsVerify,
    jobs: &[Job],
) -> (ConnectionResult, Option<Connection>) {
    let mut result = ConnectionResult::default();
    let tcp = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(target.addr)).await {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(e)) => {
            result.connect_error = Some(e.to_string());
            return (result, None);
        }
        Err(_) => {
            result.connect_error = Some(format!(
                "no answer within {} seconds",
                CONNECT_TIMEOUT.as_secs()
            ));
            return (result, None);
        }
    };
    let _ = tcp.set_nodelay(true);
    let policy = config.tls;
    let mut session = ClientSession::new(config, Instant::now());
    let mut tcp = tcp;
    let mut run = Run::new(&mut session, jobs, true);
    run.result.tls = Some(TlsOutcome::NotAttempted);
    match run.drive(&mut tcp).await {
        End::Closed => (run.finish(), None),
        End::Idle => {
            let result = run.finish();
            let conn = Connection {
                session,
                stream: Stream::Plain(tcp),
                tls: TlsOutcome::NotAttempted,
            };
            (result, Some(conn))
        }
        End::StartTls => {
            let verdict = Arc::new(Mutex::new(None));
            let client_config = match verify {
                TlsVerify::Opportunistic => tls::opportunistic(Arc::clone(&verdict)),
                TlsVerify::Required(extra) => tls::verifying(extra.as_deref().map(Vec::as_slice)),
            };
            let handshake = match client_config {
                Ok(c) => handshake(c, &target.host, tcp).await,
                Err(e) => Err(io::Error::other(e)),
            };
            match handshake {
                Ok(mut stream) => {
                    let tls = established(&stream, policy, &verdict);
                    run.result.tls = Some(tls.clone());
                    run.session.tls_established(Instant::now());
                    let end = run.drive(&mut stream).await;
                    let result = run.finish();
                    let conn = matches!(end, End::Idle).then(|| Connection {
                        session,
                        stream: Stream::Tls(Box::new(stream)),
                        tls,
                    });
                    (result, conn)
                }
                Err(e) => {
                    run.result.tls = Some(TlsOutcome::Failed {
                        reason: e.to_string(),
                    });
                    run.session.tls_failed(Instant::now());
                    run.drain_without_stream();
                    (run.finish(), None)
                }
            }
        }
    }
}

/// What TLS was negotiated, for the timeline.
fn established(
    stream: &tokio_rustls::client::TlsStream<TcpStream>,
    policy: TlsPolicy,
    verdict: &Mutex<Option<String>>,
) -> TlsOutcome {
    let (_, conn) = stream.get_ref();
    let verified = match policy {
        TlsPolicy::Required => "verified".to_owned(),
        _ => verdict
            .lock()
            .ok()
            .and_then(|v| v.clone())
            .unwrap_or_else(|| "not verified".into()),
    };
    TlsOutcome::Established {
        protocol: conn
            .protocol_version()
            .and_then(|v| v.as_str())
            .unwrap_or("TLS")
            .replace("TLSv1_", "TLSv1."),
        cipher: format!(
            "{}, certificate {verified}",
            conn.negotiated_cipher_suite()
                .and_then(|s| s.suite().as_str())
                .unwrap_or("unknown")
        ),
    }
}

async fn handshake(
    config: Arc<rustls::ClientConfig>,
    host: &str,
    tcp: TcpStream,
) -> io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let name = ServerName::try_from(host.to_owned())
        .map_err(|_| io::Error::other(format!("{host} is not a valid TLS server name")))?;
    match tokio::time::timeout(
        HANDSHAKE_TIMEOUT,
        TlsConnector::from(config).connect(name, tcp),
    )
    .await
    {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "TLS handshake timed out",
        )),
    }
}

/// One batch of jobs driven over a session.
struct Run<'a> {
    session: &'a mut ClientSession,
    jobs: &'a [Job],
    ids: HashMap<tern_proto::client::MessageId, usize>,
    next_job: usize,
    /// When every job is handed over: stop at `Ready` (the connection may be kept) rather
    /// than QUIT.
    keep: bool,
    result: ConnectionResult,
}

impl<'a> Run<'a> {
    fn new(session: &'a mut ClientSession, jobs: &'a [Job], keep: bool) -> Run<'a> {
        Run {
            session,
            jobs,
            ids: HashMap::new(),
            next_job: 0,
            keep,
            result: ConnectionResult::default(),
        }
    }

    /// The result, with the transcript of this batch.
    fn finish(mut self) -> ConnectionResult {
        self.result.transcript = self.session.take_transcript();
        self.result.job_of = self
            .result
            .transcript
            .iter()
            .map(|x| x.message.and_then(|m| self.ids.get(&m).copied()))
            .collect();
        self.result.dsn_offered = self.session.capabilities().dsn;
        self.result
    }

    /// Hands the next job to the session; when all are handed over, QUIT, or stop here for
    /// a connection that may be kept.
    fn next(&mut self) -> Option<End> {
        let now = Instant::now();
        if let Some(job) = self.jobs.get(self.next_job) {
            let id = self
                .session
                .send_message(job.envelope.clone(), &job.body, now);
            self.ids.insert(id, self.next_job);
            self.next_job += 1;
            None
        } else if self.keep && self.next_job > 0 {
            Some(End::Idle)
        } else {
            self.session.quit(now);
            None
        }
    }

    fn record(&mut self, event: ClientEvent) -> Option<End> {
        match event {
            ClientEvent::Ready => return self.next(),
            ClientEvent::MessageDone(outcome) => {
                if let Some(&job) = self.ids.get(&outcome.id) {
                    self.result.outcomes.push((job, outcome));
                }
            }
            ClientEvent::Failed(failure) => self.result.failure = Some(failure),
            ClientEvent::StartTls => return Some(End::StartTls),
            ClientEvent::Close => return Some(End::Closed),
            ClientEvent::Send(_) => {}
        }
        None
    }

    /// After a failed handshake: collect the outcomes the session reports, send nothing.
    fn drain_without_stream(&mut self) {
        while let Some(event) = self.session.poll_event() {
            if let Some(End::Closed) = self.record(event) {
                return;
            }
        }
    }

    async fn drive<T: AsyncRead + AsyncWrite + Unpin>(&mut self, stream: &mut T) -> End {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            while let Some(event) = self.session.poll_event() {
                if let ClientEvent::Send(bytes) = &event {
                    let write = tokio::time::timeout(self.session.write_timeout(), async {
                        stream.write_all(bytes).await?;
                        stream.flush().await
                    })
                    .await;
                    if !matches!(write, Ok(Ok(()))) {
                        self.session.peer_closed(Instant::now());
                        continue;
                    }
                    if bytes.len() > 64 * 1024 {
                        self.session.data_written(Instant::now());
                    }
                    continue;
                }
                if let Some(end) = self.record(event) {
                    if let End::Closed = end {
                        let _ = stream.shutdown().await;
                    }
                    return end;
                }
            }
            let deadline = self
                .session
                .poll_timeout()
                .map(tokio::time::Instant::from_std);
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                read = stream.read(&mut buf) => match read {
                    Ok(0) | Err(_) => self.session.peer_closed(Instant::now()),
                    Ok(n) => self.session.receive(&buf[..n], Instant::now()),
                },
                () = sleep => self.session.handle_timeout(Instant::now()),
            }
        }
    }
}
