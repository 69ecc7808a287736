//! What a client session needs to know: its own name, the peer, TLS and AUTH settings, limits
//! and timeouts.

use std::fmt;
use std::time::Duration;

use crate::command::{Command, HeloName};
use crate::parse_command;

/// Whether to use STARTTLS (RFC 3207).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TlsPolicy {
    /// Never send STARTTLS, even when offered.
    Never,
    /// STARTTLS when the server offers it; otherwise carry on in plain text (port 25 default).
    #[default]
    Opportunistic,
    /// STARTTLS is mandatory: when it is not offered or is refused, the connection fails.
    Required,
}

/// A user name and password for AUTH PLAIN / LOGIN (RFC 4954, RFC 4616) at a smarthost.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The authentication identity.
    pub username: String,
    /// The password.
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// How long to wait for each reply (RFC 5321 §4.5.3.2). Defaults are the RFC's minimums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// The 220 greeting (§4.5.3.2.1: 5 minutes).
    pub greeting: Duration,
    /// EHLO, HELO, STARTTLS, AUTH, RSET and QUIT (not fixed by the RFC; 5 minutes).
    pub command: Duration,
    /// MAIL (§4.5.3.2.2: 5 minutes).
    pub mail: Duration,
    /// Each RCPT (§4.5.3.2.3: 5 minutes).
    pub rcpt: Duration,
    /// The 354 to DATA (§4.5.3.2.4: 2 minutes).
    pub data_init: Duration,
    /// Each write of message data (§4.5.3.2.5: 3 minutes). The session hands the whole body
    /// over in one [`crate::ClientEvent::Send`] and cannot see the writes: the driver applies
    /// this to each socket write ([`crate::ClientSession::write_timeout`]).
    pub data_block: Duration,
    /// The reply to the end of data (§4.5.3.2.6: 10 minutes), counted from the moment the body
    /// was handed over, or from [`crate::ClientSession::data_written`].
    pub data_termination: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            greeting: Duration::from_secs(300),
            command: Duration::from_secs(300),
            mail: Duration::from_secs(300),
            rcpt: Duration::from_secs(300),
            data_init: Duration::from_secs(120),
            data_block: Duration::from_secs(180),
            data_termination: Duration::from_secs(600),
        }
    }
}

/// Settings of one client connection.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The name sent in EHLO / HELO (a domain or an address literal).
    pub hostname: HeloName,
    /// The server's name (MX host or IP), used in the replies Tern makes up itself
    /// (`451 4.4.2 Connection to {host} lost: ...`).
    pub peer: String,
    /// STARTTLS policy.
    pub tls: TlsPolicy,
    /// Credentials for AUTH; when set, the session authenticates before the first MAIL or
    /// fails the connection.
    pub credentials: Option<Credentials>,
    /// Whether AUTH may be sent without TLS (only for a trusted network; default false).
    pub allow_plaintext_auth: bool,
    /// Largest reply accepted, all lines together (default 64 KiB). A longer reply fails the
    /// connection as a protocol error.
    pub max_reply_size: usize,
    /// Reply timeouts.
    pub timeouts: Timeouts,
}

impl ClientConfig {
    /// A configuration with the defaults, for a client calling itself `hostname` and
    /// connecting to `peer`. `None` when `hostname` is not a valid domain or address literal.
    pub fn new(hostname: &str, peer: &str) -> Option<ClientConfig> {
        Some(ClientConfig {
            hostname: helo_name(hostname)?,
            peer: peer.to_owned(),
            ..ClientConfig::default()
        })
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            hostname: helo_name("localhost").expect("localhost is a valid EHLO name"),
            peer: "server".into(),
            tls: TlsPolicy::default(),
            credentials: None,
            allow_plaintext_auth: false,
            max_reply_size: 64 * 1024,
            timeouts: Timeouts::default(),
        }
    }
}

/// `name` as an EHLO argument, if it is a valid domain or address literal.
pub fn helo_name(name: &str) -> Option<HeloName> {
    if name.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return None;
    }
    match parse_command(format!("EHLO {name}").as_bytes()) {
        Ok(Command::Ehlo(h)) if h.is_valid() => Some(h),
        _ => None,
    }
}
