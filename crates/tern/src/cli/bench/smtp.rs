//! The client side of one SMTP connection, as small as a load generator needs: read replies,
//! send commands, STARTTLS. Nothing here is used to deliver mail (tern-delivery does that).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// A byte stream: plain TCP or TLS over it.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A failure that is not an SMTP reply.
#[derive(Debug)]
pub struct Failure {
    /// What kind, the key it is counted under ("connection refused", "timeout waiting for
    /// the reply to DATA"...).
    pub kind: String,
    /// The details of the first occurrence.
    pub detail: String,
}

impl Failure {
    pub fn io(what: &str, e: &io::Error) -> Failure {
        let kind = match (e.raw_os_error(), e.kind()) {
            (Some(24), _) => "EMFILE: too many open files (raise `ulimit -n`)".to_owned(),
            (Some(99), _) => "EADDRNOTAVAIL: out of local ports".to_owned(),
            (_, io::ErrorKind::ConnectionRefused) => "connection refused".to_owned(),
            (_, io::ErrorKind::ConnectionReset) => format!("connection reset during {what}"),
            (_, io::ErrorKind::BrokenPipe) => format!("connection closed during {what}"),
            (_, kind) => format!("{kind} during {what}"),
        };
        Failure {
            kind,
            detail: format!("{what}: {e}"),
        }
    }

    pub fn timeout(what: &str, after: Duration) -> Failure {
        Failure {
            kind: format!("timeout waiting for {what}"),
            detail: format!("no answer to {what} within {after:?}"),
        }
    }

    pub fn other(kind: &str, detail: String) -> Failure {
        Failure {
            kind: kind.to_owned(),
            detail,
        }
    }
}

/// One reply, possibly multi-line.
#[derive(Debug, Clone)]
pub struct Reply {
    pub code: u16,
    /// Every line, CRLF removed, joined with " / ".
    pub text: String,
    /// The lines after the code, for EHLO keywords.
    pub lines: Vec<String>,
}

impl Reply {
    pub fn class(&self) -> u16 {
        self.code / 100
    }

    /// The key a reply is counted under: code, enhanced code when there is one, and the
    /// command it answered.
    pub fn key(&self, command: &str) -> String {
        match self.enhanced() {
            Some(enhanced) => format!("{} {enhanced} to {command}", self.code),
            None => format!("{} to {command}", self.code),
        }
    }

    fn enhanced(&self) -> Option<&str> {
        let first = self.lines.first()?.split(' ').next()?;
        let parts: Vec<&str> = first.split('.').collect();
        let ok = parts.len() == 3
            && matches!(parts[0], "2" | "4" | "5")
            && parts[1..]
                .iter()
                .all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
        ok.then_some(first)
    }
}

/// A connection: buffered reads, writes straight through.
pub struct Conn {
    stream: BufReader<Box<dyn Io>>,
    line: String,
    wait: Duration,
}

impl Conn {
    pub async fn connect(target: SocketAddr, wait: Duration) -> Result<Conn, Failure> {
        let tcp = match timeout(wait, TcpStream::connect(target)).await {
            Ok(Ok(tcp)) => tcp,
            Ok(Err(e)) => return Err(Failure::io("connect", &e)),
            Err(_) => return Err(Failure::timeout("the TCP connection", wait)),
        };
        let _ = tcp.set_nodelay(true);
        Ok(Conn {
            stream: BufReader::with_capacity(16 * 1024, Box::new(tcp)),
            line: String::new(),
            wait,
        })
    }

    /// Reads one reply to `what` (for error messages).
    pub async fn reply(&mut self, what: &str) -> Result<Reply, Failure> {
        let mut code = None;
        let mut lines = Vec::new();
        loop {
            self.line.clear();
            let n = match timeout(self.wait, self.stream.read_line(&mut self.line)).await {
                Ok(Ok(n)) => n,
                Ok(Err(e)) => return Err(Failure::io(&format!("the reply to {what}"), &e)),
                Err(_) => return Err(Failure::timeout(&format!("the reply to {what}"), self.wait)),
            };
            if n == 0 {
                return Err(Failure::other(
                    &format!("connection closed before the reply to {what}"),
                    format!("the server closed the connection instead of answering {what}"),
                ));
            }
            let line = self.line.trim_end_matches(['\r', '\n']);
            let bytes = line.as_bytes();
            let this: Option<u16> = line.get(..3).and_then(|c| c.parse().ok());
            let sep = bytes.get(3).copied().unwrap_or(b' ');
            let (Some(this), true) = (this, sep == b' ' || sep == b'-') else {
                return Err(Failure::other(
                    "malformed reply",
                    format!("to {what}: {line:?}"),
                ));
            };
            code.get_or_insert(this);
            lines.push(line.get(4..).unwrap_or("").to_owned());
            if sep == b' ' {
                let code = code.unwrap_or(this);
                let text = lines
                    .iter()
                    .map(|l| format!("{code} {l}"))
                    .collect::<Vec<_>>()
                    .join(" / ");
                return Ok(Reply { code, text, lines });
            }
        }
    }

    pub async fn send(&mut self, bytes: &[u8], what: &str) -> Result<(), Failure> {
        let stream = self.stream.get_mut();
        let write = async {
            stream.write_all(bytes).await?;
            stream.flush().await
        };
        match timeout(self.wait, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Failure::io(&format!("sending {what}"), &e)),
            Err(_) => Err(Failure::timeout(&format!("sending {what}"), self.wait)),
        }
    }

    /// After a `220` to STARTTLS: the TLS handshake, on the same connection.
    pub async fn start_tls(
        self,
        config: Arc<rustls::ClientConfig>,
        target: SocketAddr,
    ) -> Result<Conn, Failure> {
        if !self.stream.buffer().is_empty() {
            return Err(Failure::other(
                "data after the 220 to STARTTLS",
                "the server sent bytes before the TLS handshake".into(),
            ));
        }
        let wait = self.wait;
        let inner = self.stream.into_inner();
        let connector = tokio_rustls::TlsConnector::from(config);
        let name = ServerName::IpAddress(target.ip().into());
        let tls = match timeout(wait, connector.connect(name, inner)).await {
            Ok(Ok(tls)) => tls,
            Ok(Err(e)) => return Err(Failure::io("the TLS handshake", &e)),
            Err(_) => return Err(Failure::timeout("the TLS handshake", wait)),
        };
        Ok(Conn {
            stream: BufReader::with_capacity(16 * 1024, Box::new(tls)),
            line: String::new(),
            wait,
        })
    }
}
