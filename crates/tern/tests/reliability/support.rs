//! A `tern serve` child process that can be killed and restarted on the same data directory,
//! and a minimal SMTP client over tokio that never panics on a lost connection.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A running `tern serve`, killed (SIGKILL) when dropped.
#[derive(Debug)]
pub struct Server {
    pub child: Child,
    pub smtp: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes `dir/tern.toml`: one SMTP listener on an ephemeral port, data in `data_dir`, plus
/// `sections`.
pub fn write_config(dir: &Path, data_dir: &Path, sections: &str) -> PathBuf {
    let path = dir.join("tern.toml");
    std::fs::write(
        &path,
        format!(
            "[server]\nhostname = \"mx.test\"\ndata_dir = \"{}\"\n[admin]\naddress = \"127.0.0.1:0\"\n\
             [[listener]]\nkind = \"smtp\"\naddress = \"127.0.0.1:0\"\n{sections}",
            data_dir.display()
        ),
    )
    .unwrap();
    path
}

impl Server {
    /// Starts `tern serve --config config` and waits for its SMTP listener.
    pub fn start(config: &Path) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("tern"))
            .args(["serve", "--config"])
            .arg(config)
            .env(
                "RUST_LOG",
                std::env::var("TEST_LOG").unwrap_or("warn".into()),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Keep reading stderr for the child's whole life, so it never blocks on a full pipe.
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(std::result::Result::ok) {
                if std::env::var_os("TEST_LOG").is_some() {
                    eprintln!("[tern] {line}");
                }
                let _ = tx.send(line);
            }
        });
        let mut smtp = None;
        let mut seen = Vec::new();
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(20)) {
            if let Some(addr) = line.strip_prefix("tern: Smtp listening on ") {
                smtp = addr.parse().ok();
                break;
            }
            seen.push(line);
        }
        let Some(smtp) = smtp else {
            let _ = child.kill();
            panic!("tern serve did not start:\n{}", seen.join("\n"));
        };
        Server { child, smtp }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, and reap.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Open file descriptors of the process.
    pub fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// Resident set size in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

/// A reply: its code, its enhanced code if any, and its whole text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub enhanced: Option<String>,
    pub text: String,
}

impl Reply {
    pub fn is(&self, code: u16, enhanced: &str) -> bool {
        self.code == code && self.enhanced.as_deref() == Some(enhanced)
    }
}

impl std::fmt::Display for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text.trim_end())
    }
}

/// A plain SMTP client. Every method returns an error instead of panicking when the
/// connection is lost or a reply does not come within the timeout.
#[derive(Debug)]
pub struct Client {
    pub stream: tokio::io::BufReader<TcpStream>,
    pub timeout: Duration,
}

pub type Result<T> = std::result::Result<T, String>;

impl Client {
    pub fn new(tcp: TcpStream) -> Client {
        Client {
            stream: tokio::io::BufReader::new(tcp),
            timeout: Duration::from_secs(10),
        }
    }

    /// Connects and reads the greeting (whatever it is).
    pub async fn connect(addr: SocketAddr) -> Result<(Client, Reply)> {
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let mut c = Client::new(tcp);
        let greeting = c.reply().await?;
        Ok((c, greeting))
    }

    pub async fn send(&mut self, bytes: &[u8]) -> Result<()> {
        let s = self.stream.get_mut();
        s.write_all(bytes)
            .await
            .map_err(|e| format!("write: {e}"))?;
        s.flush().await.map_err(|e| format!("flush: {e}"))
    }

    pub async fn reply(&mut self) -> Result<Reply> {
        let mut text = String::new();
        loop {
            let mut line = Vec::new();
            let n = tokio::time::timeout(self.timeout, self.stream.read_until(b'\n', &mut line))
                .await
                .map_err(|_| format!("no reply within {:?} (read {text:?})", self.timeout))?
                .map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                return Err(format!("connection closed (read {text:?})"));
            }
            let line = String::from_utf8_lossy(&line).into_owned();
            text.push_str(&line);
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                let code = line
                    .get(..3)
                    .and_then(|c| c.parse().ok())
                    .ok_or_else(|| format!("not a reply: {text:?}"))?;
                let enhanced = line
                    .get(4..)
                    .and_then(|rest| rest.split_whitespace().next())
                    .filter(|t| {
                        let parts: Vec<_> = t.split('.').collect();
                        parts.len() == 3
                            && parts
                                .iter()
                                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                    })
                    .map(str::to_owned);
                return Ok(Reply {
                    code,
                    enhanced,
                    text,
                });
            }
        }
    }

    pub async fn cmd(&mut self, line: &str) -> Result<Reply> {
        self.send(format!("{line}\r\n").as_bytes()).await?;
        self.reply().await
    }

    /// A command that must get this code.
    pub async fn ok(&mut self, line: &str, code: u16) -> Result<Reply> {
        let r = self.cmd(line).await?;
        if r.code == code {
            Ok(r)
        } else {
            Err(format!("{line}: {r}"))
        }
    }

    /// Whether the server closed the connection (reads up to its end).
    pub async fn closed(&mut self) -> bool {
        let mut buf = Vec::new();
        matches!(
            tokio::time::timeout(self.timeout, self.stream.read_until(b'\n', &mut buf)).await,
            Ok(Ok(0)) | Ok(Err(_))
        )
    }

    /// MAIL, RCPT and DATA for `body` (CRLF lines, not dot-stuffed, ending with CRLF); the
    /// reply to the end of data.
    pub async fn message(&mut self, rcpt: &str, body: &[u8]) -> Result<Reply> {
        self.ok("MAIL FROM:<load@client.test>", 250).await?;
        self.ok(&format!("RCPT TO:<{rcpt}>"), 250).await?;
        self.ok("DATA", 354).await?;
        let mut data = body.to_vec();
        data.extend_from_slice(b".\r\n");
        self.send(&data).await?;
        self.reply().await
    }
}

/// The body as stored, without the `Received:` header (and its continuation lines) that Tern
/// prepends.
pub fn without_received(stored: &[u8]) -> &[u8] {
    let mut rest = stored;
    if !rest.starts_with(b"Received:") {
        return rest;
    }
    loop {
        let Some(end) = rest.windows(2).position(|w| w == b"\r\n") else {
            return rest;
        };
        rest = &rest[end + 2..];
        if !rest.starts_with(b" ") && !rest.starts_with(b"\t") {
            return rest;
        }
    }
}

/// A small deterministic generator (xorshift), seeded from the clock unless `TEST_SEED` is set;
/// the seed is printed so a failure can be replayed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn from_env(name: &str) -> Rng {
        let seed = std::env::var("TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            });
        eprintln!("{name}: TEST_SEED={seed}");
        Rng(seed | 1)
    }

    /// An independent generator for another task.
    pub fn fork(&mut self) -> Rng {
        Rng(self.next() | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

/// A unique, self-describing message: headers with its id, and `len` octets of lines.
pub fn message_body(id: &str, len: usize) -> Vec<u8> {
    let mut body = format!("Message-ID: <{id}@ledger.test>\r\nSubject: {id}\r\n\r\n").into_bytes();
    let mut n = 0u64;
    while body.len() < len {
        body.extend_from_slice(format!("{id} line {n} abcdefghijklmnopqrstuvwxyz\r\n").as_bytes());
        n += 1;
    }
    body
}

/// The ledger id in a stored body (from its Message-ID).
pub fn ledger_id(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(without_received(body));
    let rest = text.strip_prefix("Message-ID: <")?;
    Some(rest.split('@').next()?.to_owned())
}

/// A port with nothing listening on it.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}
