//! The configuration: every setting with its default. `docs/config.md` documents each key;
//! a test checks that every key there exists here and the other way round.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::network::Network;
use crate::units::{Size, Span};

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Identity and storage.
    pub server: Server,
    /// Where Tern listens.
    #[serde(rename = "listener")]
    pub listeners: Vec<Listener>,
    /// Certificates.
    pub tls: Tls,
    /// Protocol limits.
    pub limits: Limits,
    /// Protocol behaviour.
    pub smtp: Smtp,
    /// SMTP AUTH.
    pub auth: Auth,
    /// Local domains and mailboxes.
    pub local: Local,
    /// Who may relay.
    pub relay: Relay,
    /// Outbound delivery.
    pub delivery: Delivery,
    /// Deterministic fault injection: replies forced for matching commands.
    #[serde(rename = "fault")]
    pub faults: Vec<Fault>,
    /// The HTTP admin endpoint: health checks and metrics.
    pub admin: Admin,
    /// How `tern serve` logs.
    pub log: Log,
}

/// `[log]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Log {
    /// `text` for people, `json` (one object a line) for log shippers.
    pub format: LogFormat,
}

/// The log format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Text,
    /// One JSON object per event, its fields (queue id, client, reply code...) as keys.
    Json,
}

/// `[admin]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Admin {
    /// Serve the admin endpoint at all.
    pub enabled: bool,
    /// Where it listens. Loopback by default; any other address needs `token`.
    pub address: SocketAddr,
    /// The bearer token a client from another address must send
    /// (`Authorization: Bearer ...`); loopback clients need none.
    pub token: Option<String>,
}

impl Default for Admin {
    fn default() -> Self {
        Admin {
            enabled: true,
            address: SocketAddr::from(([127, 0, 0, 1], 8025)),
            token: None,
        }
    }
}

/// `[server]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Server {
    /// The host name in the greeting, EHLO and Received: headers.
    pub hostname: String,
    /// Where the queue, the mailboxes, the users and the generated certificate live.
    pub data_dir: PathBuf,
}

/// The kind of a listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListenerKind {
    /// Port 25: mail from other servers; STARTTLS offered; AUTH offered under TLS.
    Smtp,
    /// Port 587: mail from users; AUTH required before MAIL (RFC 6409).
    Submission,
    /// Port 465: submission over implicit TLS (RFC 8314).
    Submissions,
}

/// `[[listener]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listener {
    /// smtp, submission or submissions.
    pub kind: ListenerKind,
    /// Address and port, e.g. `127.0.0.1:2525` or `[::]:25`.
    pub address: SocketAddr,
}

/// `[tls]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tls {
    /// Offer TLS at all (STARTTLS and the submissions listener). Off: STARTTLS gets 454 4.7.0.
    pub enabled: bool,
    /// PEM certificate chain. Without one, a self-signed certificate is generated in the data
    /// directory at first start.
    pub certificate: Option<PathBuf>,
    /// PEM private key for `certificate`.
    pub key: Option<PathBuf>,
}

/// `[limits]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Simultaneous connections, all listeners together (421 4.3.2 beyond).
    pub max_connections: usize,
    /// Simultaneous connections from one IP address (421 4.7.0 beyond).
    pub max_connections_per_ip: usize,
    /// Whether loopback clients and `[relay] trusted_networks` are exempt from
    /// `max_connections_per_ip` (as Postfix exempts `mynetworks` from its per-client limits).
    pub exempt_trusted_from_per_ip: bool,
    /// Connections the kernel may hold for a listener before Tern accepts them (the listen
    /// backlog; capped by `net.core.somaxconn`).
    pub listen_backlog: u32,
    /// Largest message accepted (552 5.3.4 beyond); advertised in EHLO SIZE.
    pub max_message_size: Size,
    /// Recipients per message (452 4.5.3 beyond).
    pub max_recipients: usize,
    /// Protocol errors per session before 421 4.7.0 closes it.
    pub max_errors: u32,
    /// Longest command line, CRLF included (500 5.5.2 beyond). RFC 5321 requires at least 512.
    pub max_line_length: usize,
    /// How long a client may stay silent between commands (421 4.4.2).
    pub command_timeout: Span,
    /// How long one record may take once begun, however slowly its bytes arrive: a command
    /// line from its first octet, an AUTH dialogue from the AUTH command (421 4.4.2), a TLS
    /// handshake (closed without a reply).
    pub record_deadline: Span,
    /// How long the whole DATA phase may take (421 4.4.2).
    pub data_timeout: Span,
    /// Slowest accepted data rate in octets per second, measured over the DATA phase.
    pub min_data_rate: u64,
    /// Free disk space to keep; below it new mail gets 452 4.3.1.
    pub disk_reserve: Size,
}

/// How bare CR and bare LF are treated, in commands and in message data.
#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("*@fail.test", "bob@fail.test"));
        assert!(!glob("*@fail.test", "bob@fail.tester"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxc"));
        assert!(glob("*", ""));
        assert!(glob("exact@x", "exact@x"));
        assert!(!glob("ab*ba", "aba"));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineEndings {
    /// Accept bare LF as a line end, and keep the message with CRLF line ends.
    Normalize,
    /// Refuse commands (500 5.5.2) and messages (554 5.5.2) with bare CR or LF.
    Reject,
}

/// `[smtp]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Smtp {
    /// Bare CR / LF handling.
    pub line_endings: LineEndings,
    /// Require STARTTLS before MAIL on the smtp listeners (530 5.7.0 otherwise).
    pub require_tls: bool,
}

/// `[auth]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Auth {
    /// Pause before answering a failed login.
    pub failure_delay: Span,
    /// Failed logins from one IP before it is locked out.
    pub max_failures_per_ip: u32,
    /// How long an IP stays locked out (454 4.7.0).
    pub lockout: Span,
}

/// `[local]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Local {
    /// Domains whose mail is delivered here.
    pub domains: Vec<String>,
    /// Mailboxes: local parts valid in every local domain (`"alice"`) or full addresses.
    /// `postmaster` always exists (RFC 5321 §4.5.1).
    pub mailboxes: Vec<String>,
    /// A mailbox that receives mail for unknown local parts, instead of 550 5.1.1.
    pub catch_all: Option<String>,
    /// Address → local mailbox it is delivered to.
    pub aliases: BTreeMap<String, String>,
    /// Address → remote address Tern forwards to (251).
    pub forward: BTreeMap<String, String>,
    /// Address → new address the sender must use instead (551 5.1.6).
    pub moved: BTreeMap<String, String>,
    /// Storage quota per mailbox (552 5.2.2 beyond); none by default.
    pub quota: Option<Size>,
}

/// `[relay]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Relay {
    /// Client networks that may relay without authenticating. None by default: on port 25
    /// only mail for local domains is accepted.
    pub trusted_networks: Vec<NetworkText>,
}

/// A network as written, checked at load.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct NetworkText(pub String);

impl NetworkText {
    /// The parsed network (validated at load, so this does not fail on a loaded config).
    pub fn network(&self) -> Option<Network> {
        self.0.parse().ok()
    }
}

/// `[delivery]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Delivery {
    /// First retry after a temporary failure.
    pub retry_initial: Span,
    /// Longest interval between retries (the interval doubles up to this).
    pub retry_max: Span,
    /// How long a message is retried before it bounces (5.4.7).
    pub max_queue_time: Span,
    /// When the sender gets a delay warning (0s: never).
    pub delay_warning: Span,
    /// How long a finished message's history (envelope, statuses, timeline) is kept after
    /// its last recipient became final; its body goes at once.
    pub keep_finished: Span,
    /// Outbound connections in all.
    pub concurrency: usize,
    /// Outbound connections to one destination.
    pub per_destination: usize,
    /// The first pause for a destination whose replies say it is rate-limiting Tern; it
    /// doubles with each further signal (0s: never slow down).
    pub rate_limit_pause: Span,
    /// The longest such pause.
    pub rate_limit_max_pause: Span,
    /// How long a connection whose messages are done stays open for the next batch to the
    /// same host (0s: close it at once, one connection per batch).
    pub connection_idle: Span,
    /// The port of MX hosts (25; another value only for test setups).
    pub smtp_port: u16,
    /// The name Tern gives in EHLO when it delivers (default: `[server] hostname`).
    pub helo_name: Option<String>,
    /// Routes that override MX lookup.
    #[serde(rename = "route")]
    pub routes: Vec<Route>,
}

/// `[[delivery.route]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The recipient domain, or `*.example.com` for its subdomains, or `*` for everything.
    pub domain: String,
    /// What the route does with the mail: deliver it over SMTP to `host` (the default), or
    /// discard it.
    #[serde(default)]
    pub transport: RouteTransport,
    /// `host:port` to send to instead of the MX. Required with `transport = "smtp"`; refused
    /// with `discard` (validated at load).
    pub host: Option<String>,
    /// TLS for this route: opportunistic (when unset), required (verified), or none. Read it
    /// with [`Route::tls`].
    pub tls: Option<RouteTls>,
    /// User name for AUTH at this host (smarthost).
    pub username: Option<String>,
    /// Password for AUTH at this host.
    pub password: Option<String>,
    /// PEM file of extra certificate authorities to trust for this route (`tls = "required"`),
    /// for a smarthost with a private CA.
    pub ca_file: Option<PathBuf>,
}

impl Route {
    /// Whether mail on this route is discarded instead of delivered.
    pub fn discards(&self) -> bool {
        self.transport == RouteTransport::Discard
    }

    /// The TLS policy: as configured, opportunistic when unset.
    pub fn tls(&self) -> RouteTls {
        self.tls.unwrap_or_default()
    }

    /// Whether this route applies to `domain` (case-insensitive): the same name, a subdomain
    /// for `*.example.com`, anything for `*`.
    pub fn matches(&self, domain: &str) -> bool {
        let pattern = self.domain.to_ascii_lowercase();
        let domain = domain.to_ascii_lowercase();
        pattern == "*"
            || pattern == domain
            || pattern
                .strip_prefix("*.")
                .is_some_and(|base| domain.ends_with(&format!(".{base}")))
    }
}

/// What a route does with the mail it matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RouteTransport {
    /// Deliver over SMTP to the route's `host`.
    #[default]
    Smtp,
    /// Accept and queue the mail as usual, then drop it: the recipient counts as delivered
    /// (with a "discarded" reply in the timeline), and no connection or DNS lookup is made.
    /// Postfix's `discard:` transport.
    Discard,
}

/// TLS policy of a route.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RouteTls {
    /// STARTTLS when offered; any certificate.
    #[default]
    Opportunistic,
    /// STARTTLS required, certificate verified.
    Required,
    /// Never STARTTLS.
    None,
}

impl Default for Tls {
    fn default() -> Self {
        Tls {
            enabled: true,
            certificate: None,
            key: None,
        }
    }
}

/// When a fault applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultStage {
    /// Instead of the greeting (421 or 554 replies).
    Connect,
    /// In answer to MAIL FROM.
    Mail,
    /// In answer to RCPT TO.
    Rcpt,
    /// At the end of the message data, instead of queueing it.
    Data,
}

/// `[[fault]]`: answer matching commands with a chosen catalogue reply, always, so that
/// applications can be tested against every reply code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// connect, mail, rcpt or data.
    pub on: FaultStage,
    /// Address pattern: `*` matches any run of characters, case-insensitively; the sender for
    /// `mail`, the recipient for `rcpt`, any recipient for `data`. None matches everything.
    pub address: Option<String>,
    /// The catalogue id of the reply, e.g. `rcpt.greylisted` (see docs/replies.md).
    pub reply: String,
}

impl Fault {
    /// Whether `address` matches this fault's pattern.
    pub fn matches(&self, address: &str) -> bool {
        match &self.address {
            None => true,
            Some(pattern) => glob(&pattern.to_lowercase(), &address.to_lowercase()),
        }
    }
}

/// `*` wildcard matching.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

impl Default for Config {
    fn default() -> Self {
        Config {
            server: Server::default(),
            listeners: default_listeners(),
            tls: Tls::default(),
            limits: Limits::default(),
            smtp: Smtp::default(),
            auth: Auth::default(),
            local: Local::default(),
            relay: Relay::default(),
            delivery: Delivery::default(),
            faults: Vec::new(),
            admin: Admin::default(),
            log: Log::default(),
        }
    }
}

/// The listeners of `tern serve` without a config: loopback only, unprivileged ports.
pub fn default_listeners() -> Vec<Listener> {
    let l = |kind, address: &str| Listener {
        kind,
        address: address.parse().expect("a valid default address"),
    };
    vec![
        l(ListenerKind::Smtp, "127.0.0.1:2525"),
        l(ListenerKind::Submission, "127.0.0.1:2587"),
        l(ListenerKind::Submissions, "127.0.0.1:2465"),
    ]
}

impl Default for Server {
    fn default() -> Self {
        Server {
            hostname: "localhost".into(),
            data_dir: PathBuf::from("./tern-data"),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1000,
            max_connections_per_ip: 20,
            exempt_trusted_from_per_ip: true,
            listen_backlog: 1024,
            max_message_size: Size(25 << 20),
            max_recipients: 100,
            max_errors: 10,
            max_line_length: 512,
            command_timeout: Span(Duration::from_secs(300)),
            record_deadline: Span(Duration::from_secs(300)),
            data_timeout: Span(Duration::from_secs(600)),
            min_data_rate: 1024,
            disk_reserve: Size(256 << 20),
        }
    }
}

impl Default for Smtp {
    fn default() -> Self {
        Smtp {
            line_endings: LineEndings::Normalize,
            require_tls: false,
        }
    }
}

impl Default for Auth {
    fn default() -> Self {
        Auth {
            failure_delay: Span(Duration::from_secs(2)),
            max_failures_per_ip: 10,
            lockout: Span(Duration::from_secs(300)),
        }
    }
}

impl Default for Local {
    fn default() -> Self {
        Local {
            domains: vec!["localhost".into()],
            mailboxes: vec!["postmaster".into()],
            catch_all: None,
            aliases: BTreeMap::new(),
            forward: BTreeMap::new(),
            moved: BTreeMap::new(),
            quota: None,
        }
    }
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery {
            retry_initial: Span(Duration::from_secs(300)),
            retry_max: Span(Duration::from_secs(4 * 3600)),
            max_queue_time: Span(Duration::from_secs(5 * 86_400)),
            delay_warning: Span(Duration::from_secs(4 * 3600)),
            keep_finished: Span(Duration::from_secs(7 * 86_400)),
            concurrency: 100,
            per_destination: 10,
            rate_limit_pause: Span(Duration::from_secs(300)),
            rate_limit_max_pause: Span(Duration::from_secs(3600)),
            connection_idle: Span(Duration::from_secs(5)),
            smtp_port: 25,
            helo_name: None,
            routes: Vec::new(),
        }
    }
}
