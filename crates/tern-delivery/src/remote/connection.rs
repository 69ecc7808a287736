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
    /// TLS as negotiated.
    pub tls: Option<TlsOutcome>,
    /// Whether the server offered DSN (RFC 3461): then it reports success itself.
    pub dsn_offered: bool,
}

enum End {
    Closed,
    StartTls,
}

/// Connects to `target` and carries `jobs`.
pub async fn deliver_over(
    target: &Target,
    config: ClientConfig,
    verify: &TlsVerify,
    jobs: &[Job],
) -> ConnectionResult {
    let mut result = ConnectionResult::default();
    let tcp = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(target.addr)).await {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(e)) => {
            result.connect_error = Some(e.to_string());
            return result;
        }
        Err(_) => {
            result.connect_error = Some(format!(
                "no answer within {} seconds",
                CONNECT_TIMEOUT.as_secs()
            ));
            return result;
        }
    };
    let _ = tcp.set_nodelay(true);
    let policy = config.tls;
    let mut run = Run {
        session: ClientSession::new(config, Instant::now()),
        jobs,
        ids: HashMap::new(),
        next_job: 0,
        result,
    };
    run.result.tls = Some(TlsOutcome::NotAttempted);
    let mut tcp = tcp;
    match run.drive(&mut tcp).await {
        End::Closed => {}
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
                    let (_, conn) = stream.get_ref();
                    let verified = match policy {
                        TlsPolicy::Required => "verified".to_owned(),
                        _ => verdict
                            .lock()
                            .ok()
                            .and_then(|v| v.clone())
                            .unwrap_or_else(|| "not verified".into()),
                    };
                    run.result.tls = Some(TlsOutcome::Established {
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
                    });
                    run.session.tls_established(Instant::now());
                    run.drive(&mut stream).await;
                }
                Err(e) => {
                    run.result.tls = Some(TlsOutcome::Failed {
                        reason: e.to_string(),
                    });
                    run.session.tls_failed(Instant::now());
                    run.drain_without_stream();
                }
            }
        }
    }
    run.result.transcript = run.session.take_transcript();
    run.result.dsn_offered = run.session.capabilities().dsn;
    run.result
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

struct Run<'a> {
    session: ClientSession,
    jobs: &'a [Job],
    ids: HashMap<tern_proto::client::MessageId, usize>,
    next_job: usize,
    result: ConnectionResult,
}

impl Run<'_> {
    /// Hands the next job to the session, or QUIT when all are handed over.
    fn next(&mut self) {
        let now = Instant::now();
        if let Some(job) = self.jobs.get(self.next_job) {
            let id = self
                .session
                .send_message(job.envelope.clone(), &job.body, now);
            self.ids.insert(id, self.next_job);
            self.next_job += 1;
        } else {
            self.session.quit(now);
        }
    }

    fn record(&mut self, event: ClientEvent) -> Option<End> {
        match event {
            ClientEvent::Ready => self.next(),
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
