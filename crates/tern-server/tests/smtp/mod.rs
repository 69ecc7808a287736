//! A real Tern server on 127.0.0.1 with a temporary data directory, and a minimal SMTP client
//! that reads whole replies, so tests can assert exact codes and enhanced codes.

mod bad_input;
mod limits;
mod replies;
mod transcripts;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::ServerName;
use tern_codes::Reply;
use tern_config::{Config, ListenerKind};
use tern_server::{Hooks, ServerHandle};
use tern_store::{SqliteConfig, SqliteStore};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// How long a test waits for a reply before failing.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct TestServer {
    pub handle: Option<ServerHandle>,
    pub dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    #[allow(dead_code)]
    pub config: Arc<Config>,
}

/// Listeners of every kind on ephemeral loopback ports.
pub const ALL_LISTENERS: &str = "[[listener]]\nkind = \"smtp\"\naddress = \"127.0.0.1:0\"\n\
[[listener]]\nkind = \"submission\"\naddress = \"127.0.0.1:0\"\n\
[[listener]]\nkind = \"submissions\"\naddress = \"127.0.0.1:0\"\n";

impl TestServer {
    /// A server with every listener and the given extra config sections.
    pub async fn start(sections: &str) -> TestServer {
        TestServer::start_with(sections, ALL_LISTENERS, Hooks::default()).await
    }

    pub async fn start_with(sections: &str, listeners: &str, hooks: Hooks) -> TestServer {
        TestServer::start_named("mx.test", sections, listeners, hooks).await
    }

    pub async fn start_named(
        hostname: &str,
        sections: &str,
        listeners: &str,
        hooks: Hooks,
    ) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let toml = format!(
            "[server]\nhostname = \"{hostname}\"\ndata_dir = \"{}\"\n{listeners}\n{sections}",
            dir.path().display()
        );
        let config = Arc::new(Config::parse(&toml).unwrap_or_else(|e| panic!("{e}\n{toml}")));
        let mut store_config = SqliteConfig::new(dir.path().join("queue"));
        store_config.disk_reserve = config.limits.disk_reserve.0;
        let store = Arc::new(SqliteStore::open(store_config).unwrap());
        let handle = tern_server::start(Arc::clone(&config), Arc::clone(&store), hooks)
            .await
            .unwrap();
        TestServer {
            handle: Some(handle),
            dir,
            store,
            config,
        }
    }

    pub fn addr(&self, kind: ListenerKind) -> SocketAddr {
        self.handle.as_ref().unwrap().address(kind).unwrap()
    }

    pub fn tls_client_config(&self) -> Arc<rustls::ClientConfig> {
        self.handle
            .as_ref()
            .unwrap()
            .tls()
            .unwrap()
            .client_config_trusting()
    }

    /// Connects to a listener (with the TLS handshake for `submissions`) and reads the greeting.
    pub async fn connect(&self, kind: ListenerKind) -> Client {
        let tcp = TcpStream::connect(self.addr(kind)).await.unwrap();
        let conn = if kind == ListenerKind::Submissions {
            Conn::Tls(Box::new(BufReader::new(
                tls_handshake(tcp, self.tls_client_config()).await,
            )))
        } else {
            Conn::Plain(BufReader::new(tcp))
        };
        let mut client = Client { conn };
        let greeting = client.reply().await;
        assert_eq!(greeting.code().value(), 220, "greeting: {greeting}");
        client
    }

    /// Connects without reading the greeting.
    pub async fn connect_raw(&self, kind: ListenerKind) -> Client {
        let tcp = TcpStream::connect(self.addr(kind)).await.unwrap();
        Client {
            conn: Conn::Plain(BufReader::new(tcp)),
        }
    }

    /// Adds an AUTH user.
    pub fn add_user(&self, name: &str, password: &str) {
        tern_server::users::UserDb::open(self.dir.path().join("users"))
            .unwrap()
            .add(name, password)
            .unwrap();
    }
}

async fn tls_handshake(tcp: TcpStream, config: Arc<rustls::ClientConfig>) -> TlsStream<TcpStream> {
    TlsConnector::from(config)
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap()
}

pub enum Conn {
    Plain(BufReader<TcpStream>),
    Tls(Box<BufReader<TlsStream<TcpStream>>>),
    Gone,
}

pub struct Client {
    pub conn: Conn,
}

async fn read_line<T: AsyncRead + Unpin>(r: &mut BufReader<T>) -> Option<String> {
    let mut line = Vec::new();
    let n = r.read_until(b'\n', &mut line).await.ok()?;
    (n > 0).then(|| String::from_utf8_lossy(&line).into_owned())
}

async fn write_all<T: AsyncRead + AsyncWrite + Unpin>(w: &mut BufReader<T>, bytes: &[u8]) {
    w.get_mut().write_all(bytes).await.unwrap();
    w.get_mut().flush().await.unwrap();
}

impl Client {
    pub async fn send(&mut self, bytes: &[u8]) {
        match &mut self.conn {
            Conn::Plain(r) => write_all(r, bytes).await,
            Conn::Tls(r) => write_all(r, bytes).await,
            Conn::Gone => panic!("connection gone"),
        }
    }

    async fn line(&mut self) -> Option<String> {
        let read = async {
            match &mut self.conn {
                Conn::Plain(r) => read_line(r).await,
                Conn::Tls(r) => read_line(r).await,
                Conn::Gone => None,
            }
        };
        tokio::time::timeout(REPLY_TIMEOUT, read)
            .await
            .expect("reply timed out")
    }

    /// Reads one whole reply (all its lines).
    pub async fn reply(&mut self) -> Reply {
        let mut text = String::new();
        loop {
            let line = self
                .line()
                .await
                .unwrap_or_else(|| panic!("connection closed; read so far: {text:?}"));
            text.push_str(&line);
            let bytes = line.as_bytes();
            if bytes.len() < 4 || bytes[3] != b'-' {
                break;
            }
        }
        tern_codes::parse(text.as_bytes())
            .unwrap_or_else(|e| panic!("{e}: {text:?}"))
            .reply
    }

    /// Sends a command line and reads its reply.
    pub async fn cmd(&mut self, line: &str) -> Reply {
        self.send(format!("{line}\r\n").as_bytes()).await;
        self.reply().await
    }

    /// Whether the server has closed the connection (reads to the end).
    pub async fn is_closed(&mut self) -> bool {
        let mut buf = [0u8; 256];
        let read = async {
            match &mut self.conn {
                Conn::Plain(r) => r.read(&mut buf).await,
                Conn::Tls(r) => r.read(&mut buf).await,
                Conn::Gone => Ok(0),
            }
        };
        matches!(
            tokio::time::timeout(REPLY_TIMEOUT, read).await,
            Ok(Ok(0)) | Ok(Err(_))
        )
    }

    /// STARTTLS and the handshake (the 220 is asserted).
    pub async fn starttls(&mut self, config: Arc<rustls::ClientConfig>) {
        let reply = self.cmd("STARTTLS").await;
        expect(&reply, 220, Some("2.0.0"));
        let Conn::Plain(r) = std::mem::replace(&mut self.conn, Conn::Gone) else {
            panic!("STARTTLS on a TLS connection")
        };
        let tcp = r.into_inner();
        self.conn = Conn::Tls(Box::new(BufReader::new(tls_handshake(tcp, config).await)));
    }

    /// MAIL and one RCPT, asserting that both are accepted.
    pub async fn envelope(&mut self, from: &str, to: &str) {
        expect(
            &self.cmd(&format!("MAIL FROM:<{from}>")).await,
            250,
            Some("2.1.0"),
        );
        expect(
            &self.cmd(&format!("RCPT TO:<{to}>")).await,
            250,
            Some("2.1.5"),
        );
    }

    /// EHLO, asserting success.
    pub async fn ehlo(&mut self) -> Reply {
        let reply = self.cmd("EHLO client.test").await;
        assert_eq!(reply.code().value(), 250, "{reply}");
        reply
    }
}

/// Asserts the exact code and enhanced code.
#[track_caller]
pub fn expect(reply: &Reply, code: u16, enhanced: Option<&str>) {
    assert_eq!(reply.code().value(), code, "{reply}");
    assert_eq!(
        reply.enhanced().map(|e| e.to_string()).as_deref(),
        enhanced,
        "{reply}"
    );
}
