//! What a server session needs to know about its listener and its limits.

use std::time::Duration;

use crate::LineEndingPolicy;

/// Settings of one listener's sessions. Built once by the server from its configuration and
/// shared by every session on that listener.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// The server's host name, in the greeting and the EHLO reply.
    pub hostname: String,
    /// Longest command line, CRLF included (RFC 5321 §4.5.3.1.4: at least 512).
    pub max_line: usize,
    /// Bare CR / LF handling for commands and message data.
    pub line_endings: LineEndingPolicy,
    /// Largest message in octets; advertised as SIZE (RFC 1870).
    pub max_message_size: u64,
    /// Recipients per transaction; beyond, `452 4.5.3` (RFC 5321 §4.5.3.1.8).
    pub max_recipients: usize,
    /// Negative replies tolerated before `421 4.7.0` closes the session.
    pub max_errors: u32,
    /// Whether STARTTLS is offered (a certificate is loaded and TLS is not already active).
    pub starttls_available: bool,
    /// Whether AUTH PLAIN and LOGIN are offered (under TLS only).
    pub auth_available: bool,
    /// Whether MAIL requires a successful AUTH first (the submission ports, RFC 6409 §4.3).
    pub auth_required: bool,
    /// Whether MAIL requires TLS first.
    pub tls_required: bool,
    /// Longest silence between commands (RFC 5321 §4.5.3.2.7).
    pub command_timeout: Duration,
    /// Longest time one command line may take from its first octet, and one AUTH dialogue from
    /// the AUTH command to its last response, however slowly the bytes arrive (Postfix's
    /// `smtpd_per_request_deadline`): silence alone never ends a client that sends one octet
    /// at a time.
    pub record_deadline: Duration,
    /// Longest DATA or BDAT phase of one message (RFC 5321 §4.5.3.2.6).
    pub data_timeout: Duration,
    /// Slowest data rate accepted, octets per second, checked once the data phase has lasted
    /// [`SessionConfig::rate_grace`].
    pub min_data_rate: u64,
    /// How long the data phase may run before the rate is checked.
    pub rate_grace: Duration,
}

impl SessionConfig {
    /// RFC 4954 §4: an AUTH line may be up to 12288 octets.
    pub const AUTH_LINE_LIMIT: usize = 12_288;
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            hostname: "localhost".into(),
            max_line: 512,
            line_endings: LineEndingPolicy::Normalize,
            max_message_size: 25 << 20,
            max_recipients: 100,
            max_errors: 10,
            starttls_available: false,
            auth_available: true,
            auth_required: false,
            tls_required: false,
            command_timeout: Duration::from_secs(300),
            record_deadline: Duration::from_secs(300),
            data_timeout: Duration::from_secs(600),
            min_data_rate: 1024,
            rate_grace: Duration::from_secs(30),
        }
    }
}
