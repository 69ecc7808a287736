//! The entries of the catalogue, grouped by the phase of the session they belong to.
//!
//! Rules (checked by tests): every entry has a meaning, an action and an RFC reference; the
//! basic and enhanced classes agree; 4yz entries say a retry helps and 5yz entries say it does
//! not; ids are unique and never change meaning.

use super::{Actor, Entry, Retry};
use crate::cause::Cause;
use crate::{EnhancedCode, ReplyCode};

const fn c(code: u16) -> ReplyCode {
    match ReplyCode::new(code) {
        Some(c) => c,
        None => panic!("bad reply code in the catalogue"),
    }
}

const fn e(class: u8, subject: u16, detail: u16) -> Option<EnhancedCode> {
    Some(EnhancedCode::from_parts(class, subject, detail))
}

macro_rules! entries {
    ($($(#[$doc:meta])* $name:ident = { $($field:ident: $value:expr),* $(,)? })*) => {
        $($(#[$doc])* pub const $name: Entry = Entry { $($field: $value),* };)*
        /// Every entry, in catalogue order.
        pub const ALL: &[&Entry] = &[$(&$name),*];
    };
}

entries! {
    // ----- connection -----------------------------------------------------------------------
    /// The greeting.
    GREETING = {
        id: "greeting", code: c(220), enhanced: None,
        cause: Cause::Ok,
        text: "{hostname} ESMTP Tern ready",
        meaning: "The server is ready and waits for the client's EHLO.",
        actor: Actor::Nobody, action: "Send EHLO (or HELO) to begin.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §3.1, §4.3.2",
    }
    /// The greeting of a host that refuses all mail on this connection.
    GREETING_NO_SERVICE = {
        id: "greeting.no_service", code: c(554), enhanced: e(5, 3, 2),
        cause: Cause::PolicyOther,
        text: "{hostname} no SMTP service here",
        meaning: "This server does not accept mail from this client at all; it will answer 503 to every command until QUIT.",
        actor: Actor::SenderAdmin,
        action: "Do not retry this host. If you believe you should be able to send here, ask the receiving site's postmaster.",
        retry: Retry::Useless, rfc: "RFC 5321 §3.1",
    }
    /// Storage is unusable when a client connects.
    GREETING_STORAGE_UNAVAILABLE = {
        id: "greeting.storage_unavailable", code: c(421), enhanced: e(4, 3, 2),
        cause: Cause::StorageInsufficient,
        text: "{hostname} cannot accept mail now: its queue storage is unavailable; try again later",
        meaning: "The server cannot write its queue (disk full or failing), so it refuses connections instead of losing mail.",
        actor: Actor::RecipientAdmin,
        action: "Senders: nothing; your server retries on its own. Administrators: free disk space or repair the storage (see the server log).",
        retry: Retry::Helps, rfc: "RFC 5321 §3.8, §4.2.3",
    }
    /// Closing after QUIT.
    QUIT = {
        id: "quit", code: c(221), enhanced: e(2, 0, 0),
        cause: Cause::Ok,
        text: "{hostname} closing connection",
        meaning: "The server closes the connection at the client's request.",
        actor: Actor::Nobody, action: "Nothing: the session ended normally.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §4.1.1.10",
    }
    /// A web browser or proxy request on the SMTP port.
    NON_SMTP_HTTP = {
        id: "nonsmtp.http", code: c(221), enhanced: e(2, 7, 0),
        cause: Cause::Ok,
        text: "This is an SMTP mail server, not a web server; closing connection",
        meaning: "The client sent an HTTP request (GET, POST, CONNECT, ...) to a mail port; the server closes the connection. Blind HTTP requests to mail ports are also used to abuse open proxies.",
        actor: Actor::Nobody,
        action: "Point web clients at a web server. If a program of yours did this, fix the port it connects to.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §4.1.1.10; RFC 9110 (HTTP)",
    }
    /// TLS handshake bytes or other binary data on a plain-text SMTP port.
    NON_SMTP_BINARY = {
        id: "nonsmtp.binary", code: c(500), enhanced: e(5, 5, 1),
        cause: Cause::ProtocolViolation,
        text: "This port speaks SMTP in plain text: send EHLO and STARTTLS, or use implicit TLS on port 465",
        meaning: "The client sent data that is not an SMTP command, often a TLS handshake on a port that expects STARTTLS.",
        actor: Actor::SenderAdmin,
        action: "Configure the client for STARTTLS on ports 25 and 587, or for implicit TLS (\"SSL\") on port 465.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.2.4; RFC 8314 §3.3",
    }
    /// Global connection limit.
    CONN_TOO_MANY = {
        id: "conn.too_many", code: c(421), enhanced: e(4, 3, 2),
        cause: Cause::ServerUnavailable,
        text: "{hostname} has too many connections right now; try again later",
        meaning: "The server is at its limit of simultaneous connections and refuses new ones for now.",
        actor: Actor::RecipientAdmin,
        action: "Nothing for people: mail servers retry on their own. Administrators of the receiving server may raise the global connection limit.",
        retry: Retry::Helps, rfc: "RFC 5321 §3.8, §4.2.3",
    }
    /// Per-client connection limit.
    CONN_TOO_MANY_FROM_IP = {
        id: "conn.too_many_from_ip", code: c(421), enhanced: e(4, 7, 0),
        cause: Cause::RateLimited,
        text: "Too many connections from {ip}; try again later",
        meaning: "This client address already holds as many connections as the server allows one address.",
        actor: Actor::SenderAdmin,
        action: "Send over fewer parallel connections (reuse connections for several messages); the message will be retried.",
        retry: Retry::Helps, rfc: "RFC 5321 §4.5.3.1",
    }
    /// Idle or per-command timeout.
    TIMEOUT = {
        id: "timeout", code: c(421), enhanced: e(4, 4, 2),
        cause: Cause::NetworkTimeout,
        text: "Timeout: nothing received for {seconds} seconds; closing connection",
        meaning: "The client stayed silent longer than the server waits for a command or data, so the server closed the connection.",
        actor: Actor::SenderAdmin,
        action: "Check the client's network and that it does not hold idle connections open; the message, if any, was not accepted and will be retried.",
        retry: Retry::Helps, rfc: "RFC 5321 §4.5.3.2",
    }
    /// Data trickled in below the minimum rate.
    TIMEOUT_DATA_RATE = {
        id: "timeout.data_rate", code: c(421), enhanced: e(4, 4, 2),
        cause: Cause::NetworkTimeout,
        text: "Data arrived too slowly (under {rate} octets per second); closing connection",
        meaning: "The message data arrived slower than the server's minimum rate, as slow-drip attacks do; the message was not accepted.",
        actor: Actor::SenderAdmin,
        action: "Check the client's bandwidth and network path; the message will be retried.",
        retry: Retry::Helps, rfc: "RFC 5321 §4.5.3.2.6",
    }
    /// A command line or an AUTH dialogue not finished within the whole-record deadline.
    TIMEOUT_RECORD = {
        id: "timeout.record", code: c(421), enhanced: e(4, 4, 2),
        cause: Cause::NetworkTimeout,
        text: "Timeout: command or authentication not complete after {seconds} seconds; closing connection",
        meaning: "The client began a command line or an authentication exchange but did not finish it within the server's deadline for a whole command, as clients that send one byte at a time do, so the server closed the connection.",
        actor: Actor::SenderAdmin,
        action: "Check the client's network path and that it sends each command in one piece; the message, if any, was not accepted and will be retried.",
        retry: Retry::Helps, rfc: "RFC 5321 §4.5.3.2.7",
    }
    /// Too many errors in one session.
    TOO_MANY_ERRORS = {
        id: "errors.too_many", code: c(421), enhanced: e(4, 7, 0),
        cause: Cause::ProtocolViolation,
        text: "Too many errors on this connection; closing",
        meaning: "The client made more protocol errors than the server tolerates in one session, so it closed the connection.",
        actor: Actor::SenderAdmin,
        action: "Look at the earlier replies of this session: each says what was wrong. Fix the client, then send again.",
        retry: Retry::Helps, rfc: "RFC 5321 §4.2.3, §7.8",
    }
    /// Graceful shutdown.
    SHUTDOWN = {
        id: "shutdown", code: c(421), enhanced: e(4, 3, 2),
        cause: Cause::ServerUnavailable,
        text: "{hostname} is shutting down; try again later",
        meaning: "The server is stopping (for maintenance or restart); messages not yet accepted were not kept.",
        actor: Actor::SenderAdmin,
        action: "Nothing: your mail server retries on its own once this server is back.",
        retry: Retry::Helps, rfc: "RFC 5321 §3.8",
    }

    // ----- EHLO / HELO ---------------------------------------------------------------------
    /// EHLO accepted; the extension keywords follow as more lines.
    EHLO_OK = {
        id: "ehlo.ok", code: c(250), enhanced: None,
        cause: Cause::Ok,
        text: "{hostname} greets {client}",
        meaning: "The server accepted the client's greeting; the following lines list the extensions it offers.",
        actor: Actor::Nobody, action: "Go on with MAIL FROM (or STARTTLS / AUTH first).",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §4.1.1.1",
    }
    /// HELO accepted.
    HELO_OK = {
        id: "helo.ok", code: c(250), enhanced: None,
        cause: Cause::Ok,
        text: "{hostname} greets {client}",
        meaning: "The server accepted the client's HELO greeting (no extensions: plain SMTP).",
        actor: Actor::Nobody, action: "Go on with MAIL FROM.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §4.1.1.1",
    }
    /// EHLO or HELO without a name.
    HELLO_MISSING_DOMAIN = {
        id: "hello.missing_domain", code: c(501), enhanced: e(5, 5, 4),
        cause: Cause::SyntaxError,
        text: "{command} needs the client's host name, e.g. {command} mail.example.com",
        meaning: "EHLO and HELO must name the client host (or give an address literal such as [192.0.2.1]).",
        actor: Actor::SenderAdmin,
        action: "Configure the client to send its fully qualified host name in EHLO.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.1.1.1",
    }

    // ----- transaction ---------------------------------------------------------------------
    /// MAIL FROM accepted.
    MAIL_OK = {
        id: "mail.ok", code: c(250), enhanced: e(2, 1, 0),
        cause: Cause::Ok,
        text: "Sender <{address}> ok",
        meaning: "The server accepted the sender address and started a mail transaction.",
        actor: Actor::Nobody, action: "Send RCPT TO for each recipient.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §4.1.1.2",
    }
    /// RCPT TO accepted.
    RCPT_OK = {
        id: "rcpt.ok", code: c(250), enhanced: e(2, 1, 5),
        cause: Cause::Ok,
        text: "Recipient <{address}> ok",
        meaning: "The server accepted this recipient.",
        actor: Actor::Nobody, action: "Add more recipients, or send DATA (or BDAT).",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §4.1.1.3",
    }
    /// RCPT to an address that forwards elsewhere.
    RCPT_WILL_FORWARD = {
        id: "rcpt.will_forward", code: c(251), enhanced: e(2, 1, 5),
        cause: Cause::Ok,
        text: "User not local; will forward to <{forward_path}>",
        meaning: "The recipient is accepted and the server will forward the message to the address it names.",
        actor: Actor::Nobody, action: "Nothing; you may update your address book to the new address.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §3.4, §4.2.2",
    }
    /// DATA accepted.
    DATA_START = {
        id: "data.start", code: c(354), enhanced: None,
        cause: Cause::Proceed,
        text: "End data with <CR><LF>.<CR><LF>",
        meaning: "The server waits for the message; a line holding only a dot ends it.",
        actor: Actor::Nobody, action: "Send the message, dot-stuffed, then CRLF . CRLF.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §4.1.1.4",
    }
    /// The message is safely on disk.
    DATA_QUEUED = {
        id: "data.queued", code: c(250), enhanced: e(2, 0, 0),
        cause: Cause::Ok,
        text: "Ok: queued as {queue_id}",
        meaning: "The server accepted the message and is now responsible for delivering it or reporting why it could not (RFC 5321 §6.1). Tern sends this only after the message and its envelope are written and synced to disk.",
        actor: Actor::Nobody,
        action: "Nothing. Quote the queue id when asking the server's administrator about this message.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §4.1.1.4, §6.1",
    }
    /// A BDAT chunk that is not the last was received.
    BDAT_CHUNK_OK = {
        id: "bdat.chunk_ok", code: c(250), enhanced: e(2, 0, 0),
        cause: Cause::Ok,
        text: "{size} octets received",
        meaning: "The server received this chunk of the message and waits for the next one.",
        actor: Actor::Nobody, action: "Send the next BDAT chunk; mark the final one with LAST.",
        retry: Retry::NotNeeded, rfc: "RFC 3030 §2",
    }
    /// RSET.
    RSET_OK = {
        id: "rset.ok", code: c(250), enhanced: e(2, 0, 0),
        cause: Cause::Ok,
        text: "Ok: transaction reset",
        meaning: "Any transaction in progress was discarded; the session stays open.",
        actor: Actor::Nobody, action: "Start a new transaction with MAIL FROM.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §4.1.1.5",
    }
    /// NOOP.
    NOOP_OK = {
        id: "noop.ok", code: c(250), enhanced: e(2, 0, 0),
        cause: Cause::Ok,
        text: "Ok",
        meaning: "The server is alive; nothing was changed.",
        actor: Actor::Nobody, action: "Nothing.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §4.1.1.9",
    }
    /// VRFY when verification is disabled.
    VRFY_CANNOT_VERIFY = {
        id: "vrfy.cannot_verify", code: c(252), enhanced: e(2, 0, 0),
        cause: Cause::Ok,
        text: "Cannot verify addresses; send the message and delivery will be attempted",
        meaning: "The server does not reveal whether addresses exist (this protects users from address harvesting), but it will try to deliver mail sent to them.",
        actor: Actor::Nobody, action: "Send the message; a bounce will tell you if the address does not exist.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §3.5.3, §7.3",
    }
    /// EXPN, TURN and other recognised commands Tern does not offer.
    NOT_OFFERED = {
        id: "command.not_offered", code: c(502), enhanced: e(5, 5, 1),
        cause: Cause::NotImplemented,
        text: "{command} is recognised but not offered by this server",
        meaning: "The server knows this command but does not provide it (EXPN would disclose list members; TURN is obsolete and unsafe).",
        actor: Actor::SenderAdmin,
        action: "Do not use this command here; it is not needed to send mail.",
        retry: Retry::Useless, rfc: "RFC 5321 §3.5.3, §4.2.4, §7.3",
    }
    /// HELP without a known topic.
    HELP = {
        id: "help", code: c(214), enhanced: e(2, 0, 0),
        cause: Cause::Ok,
        text: "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH\nHELP <command> shows its syntax; tern explain <code> explains any reply",
        meaning: "A list of the commands the server accepts.",
        actor: Actor::Nobody, action: "Nothing.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §4.1.1.8",
    }
    /// HELP for one command; the syntax comes from the help topics.
    HELP_TOPIC = {
        id: "help.topic", code: c(214), enhanced: e(2, 0, 0),
        cause: Cause::Ok,
        text: "{detail}",
        meaning: "The syntax of the command the client asked about.",
        actor: Actor::Nobody, action: "Nothing.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §4.1.1.8",
    }
    /// A status report (not sent in answer to any command; defined for completeness).
    SYSTEM_STATUS = {
        id: "status", code: c(211), enhanced: e(2, 0, 0),
        cause: Cause::Ok,
        text: "{hostname} Tern is accepting mail",
        meaning: "A system status report: the server is up and working.",
        actor: Actor::Nobody, action: "Nothing.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §4.2.2",
    }

    // ----- STARTTLS ------------------------------------------------------------------------
    /// STARTTLS accepted.
    STARTTLS_READY = {
        id: "starttls.ready", code: c(220), enhanced: e(2, 0, 0),
        cause: Cause::Ok,
        text: "Ready to start TLS",
        meaning: "The server waits for the client's TLS handshake; after it, the session starts over (EHLO again).",
        actor: Actor::Nobody, action: "Start the TLS handshake, then send EHLO again.",
        retry: Retry::NotNeeded, rfc: "RFC 3207 §4",
    }
    /// STARTTLS without a certificate.
    STARTTLS_UNAVAILABLE = {
        id: "starttls.unavailable", code: c(454), enhanced: e(4, 7, 0),
        cause: Cause::LocalError,
        text: "TLS not available: no certificate is loaded",
        meaning: "The server cannot start TLS right now because it has no usable certificate.",
        actor: Actor::RecipientAdmin,
        action: "Administrators: install a certificate (see the server log). Senders: try again later, or send without STARTTLS if your policy allows.",
        retry: Retry::Helps, rfc: "RFC 3207 §4",
    }
    /// STARTTLS inside TLS.
    STARTTLS_ALREADY_ACTIVE = {
        id: "starttls.already_active", code: c(503), enhanced: e(5, 5, 1),
        cause: Cause::BadSequence,
        text: "TLS is already active on this connection",
        meaning: "The connection is already encrypted; TLS cannot be started twice.",
        actor: Actor::SenderAdmin,
        action: "Fix the client: send STARTTLS only when it is offered in the EHLO reply.",
        retry: Retry::Useless, rfc: "RFC 3207 §4.2",
    }
    /// MAIL without TLS where TLS is required.
    TLS_REQUIRED = {
        id: "tls.required", code: c(530), enhanced: e(5, 7, 0),
        cause: Cause::TlsRequired,
        text: "Must issue a STARTTLS command first",
        meaning: "This server requires an encrypted connection before accepting mail.",
        actor: Actor::SenderAdmin,
        action: "Enable STARTTLS in the client (or use port 465 with implicit TLS).",
        retry: Retry::Useless, rfc: "RFC 3207 §4",
    }

    // ----- AUTH ----------------------------------------------------------------------------
    /// AUTH succeeded.
    AUTH_OK = {
        id: "auth.ok", code: c(235), enhanced: e(2, 7, 0),
        cause: Cause::Ok,
        text: "Authentication succeeded",
        meaning: "The client is logged in and may now send mail as its user.",
        actor: Actor::Nobody, action: "Go on with MAIL FROM.",
        retry: Retry::NotNeeded, rfc: "RFC 4954 §6",
    }
    /// A SASL challenge (for PLAIN with no initial response, it is empty).
    AUTH_CHALLENGE = {
        id: "auth.challenge", code: c(334), enhanced: None,
        cause: Cause::Proceed,
        text: "{challenge}",
        meaning: "The server waits for the next step of the login, encoded in base64.",
        actor: Actor::Nobody, action: "Send the base64 response, or * to cancel.",
        retry: Retry::NotNeeded, rfc: "RFC 4954 §4",
    }
    /// AUTH LOGIN asks for the user name ("Username:" in base64).
    AUTH_LOGIN_USERNAME = {
        id: "auth.login_username", code: c(334), enhanced: None,
        cause: Cause::Proceed,
        text: "VXNlcm5hbWU6",
        meaning: "AUTH LOGIN asks for the user name, in base64.",
        actor: Actor::Nobody, action: "Send the user name in base64.",
        retry: Retry::NotNeeded, rfc: "RFC 4954 §4; draft-murchison-sasl-login",
    }
    /// AUTH LOGIN asks for the password ("Password:" in base64).
    AUTH_LOGIN_PASSWORD = {
        id: "auth.login_password", code: c(334), enhanced: None,
        cause: Cause::Proceed,
        text: "UGFzc3dvcmQ6",
        meaning: "AUTH LOGIN asks for the password, in base64.",
        actor: Actor::Nobody, action: "Send the password in base64.",
        retry: Retry::NotNeeded, rfc: "RFC 4954 §4; draft-murchison-sasl-login",
    }
    /// MAIL on the submission port before AUTH.
    AUTH_REQUIRED = {
        id: "auth.required", code: c(530), enhanced: e(5, 7, 0),
        cause: Cause::AuthRequired,
        text: "Authentication required: log in with AUTH before sending mail on this port",
        meaning: "This port is for mail submission by users of this server, who must log in first.",
        actor: Actor::SenderAdmin,
        action: "Set the user name and password in the mail client (SMTP authentication), or send to port 25 if you are another mail server.",
        retry: Retry::Useless, rfc: "RFC 4954 §6; RFC 6409 §4.3",
    }
    /// Wrong user or password.
    AUTH_INVALID = {
        id: "auth.invalid", code: c(535), enhanced: e(5, 7, 8),
        cause: Cause::AuthFailed,
        text: "Authentication failed: the user name or password is wrong",
        meaning: "The login was refused: unknown user or wrong password.",
        actor: Actor::Sender,
        action: "Check the user name and password configured in the mail client.",
        retry: Retry::Useless, rfc: "RFC 4954 §6",
    }
    /// AUTH PLAIN/LOGIN in clear text.
    AUTH_ENCRYPTION_REQUIRED = {
        id: "auth.encryption_required", code: c(538), enhanced: e(5, 7, 11),
        cause: Cause::TlsRequired,
        text: "Encryption required: send STARTTLS before AUTH, or use port 465",
        meaning: "The password would travel unencrypted, so the server refuses this login until TLS is active.",
        actor: Actor::SenderAdmin,
        action: "Enable STARTTLS (or SSL/TLS on port 465) in the mail client's settings.",
        retry: Retry::Useless, rfc: "RFC 4954 §6",
    }
    /// AUTH with a mechanism Tern does not offer.
    AUTH_UNKNOWN_MECHANISM = {
        id: "auth.unknown_mechanism", code: c(504), enhanced: e(5, 5, 4),
        cause: Cause::NotImplemented,
        text: "Authentication mechanism {mechanism} is not supported; use PLAIN or LOGIN",
        meaning: "The client asked for a login method this server does not offer.",
        actor: Actor::SenderAdmin,
        action: "Configure the client to use one of the mechanisms listed after AUTH in the EHLO reply.",
        retry: Retry::Useless, rfc: "RFC 4954 §4",
    }
    /// AUTH after a successful AUTH.
    AUTH_ALREADY = {
        id: "auth.already", code: c(503), enhanced: e(5, 5, 1),
        cause: Cause::BadSequence,
        text: "Already authenticated",
        meaning: "The client is already logged in; AUTH may be used only once per session.",
        actor: Actor::SenderAdmin, action: "Fix the client: authenticate once per session.",
        retry: Retry::Useless, rfc: "RFC 4954 §4",
    }
    /// AUTH during a mail transaction.
    AUTH_IN_TRANSACTION = {
        id: "auth.in_transaction", code: c(503), enhanced: e(5, 5, 1),
        cause: Cause::BadSequence,
        text: "AUTH is not allowed during a mail transaction; send RSET first",
        meaning: "AUTH must come before MAIL FROM.",
        actor: Actor::SenderAdmin, action: "Authenticate before starting the transaction.",
        retry: Retry::Useless, rfc: "RFC 4954 §4",
    }
    /// The client's AUTH response is not base64.
    AUTH_BAD_BASE64 = {
        id: "auth.bad_base64", code: c(501), enhanced: e(5, 5, 2),
        cause: Cause::SyntaxError,
        text: "The authentication data is not valid base64",
        meaning: "The client's login data could not be decoded.",
        actor: Actor::SenderAdmin, action: "Fix the client's AUTH encoding (RFC 4648 base64).",
        retry: Retry::Useless, rfc: "RFC 4954 §4",
    }
    /// A decoded AUTH response that does not follow the mechanism's format.
    AUTH_MALFORMED = {
        id: "auth.malformed", code: c(501), enhanced: e(5, 5, 2),
        cause: Cause::SyntaxError,
        text: "The authentication data is malformed: {detail}",
        meaning: "The client's login data decoded, but not into what the mechanism expects (PLAIN: authorization id, user name and password separated by NUL bytes).",
        actor: Actor::SenderAdmin, action: "Fix the client's AUTH implementation, or use another mechanism.",
        retry: Retry::Useless, rfc: "RFC 4616 §2; RFC 4954 §4",
    }
    /// The client cancelled AUTH with `*`.
    AUTH_CANCELLED = {
        id: "auth.cancelled", code: c(501), enhanced: e(5, 0, 0),
        cause: Cause::AuthFailed,
        text: "Authentication cancelled",
        meaning: "The client cancelled the login exchange.",
        actor: Actor::SenderAdmin, action: "Nothing, unless the client did not mean to cancel.",
        retry: Retry::Useless, rfc: "RFC 4954 §4",
    }
    /// An AUTH line longer than the limit.
    AUTH_LINE_TOO_LONG = {
        id: "auth.line_too_long", code: c(500), enhanced: e(5, 5, 6),
        cause: Cause::ProtocolViolation,
        text: "Authentication exchange line is too long",
        meaning: "The login data exceeded the server's line limit.",
        actor: Actor::SenderAdmin, action: "Use shorter credentials or another mechanism.",
        retry: Retry::Useless, rfc: "RFC 4954 §4, §6",
    }
    /// Too many failed logins from one address.
    AUTH_RATE_LIMITED = {
        id: "auth.rate_limited", code: c(454), enhanced: e(4, 7, 0),
        cause: Cause::RateLimited,
        text: "Too many failed logins from {ip}; try again in a few minutes",
        meaning: "This address failed to log in too often; the server refuses logins from it for a while to stop password guessing.",
        actor: Actor::Sender,
        action: "Check the password in the mail client, wait a few minutes, then try again.",
        retry: Retry::Helps, rfc: "RFC 4954 §6",
    }
    /// The user database cannot be read.
    AUTH_TEMPORARY_FAILURE = {
        id: "auth.temporary_failure", code: c(454), enhanced: e(4, 7, 0),
        cause: Cause::LocalError,
        text: "Temporary authentication failure; try again later",
        meaning: "The server could not check the credentials right now (its user database is unavailable).",
        actor: Actor::RecipientAdmin,
        action: "Try again later. Administrators: check the user database (see the server log).",
        retry: Retry::Helps, rfc: "RFC 4954 §6",
    }

    // ----- sequence ------------------------------------------------------------------------
    /// MAIL before EHLO/HELO.
    SEQ_NEED_HELLO = {
        id: "sequence.need_hello", code: c(503), enhanced: e(5, 5, 1),
        cause: Cause::BadSequence,
        text: "Send EHLO or HELO first",
        meaning: "The client skipped the greeting; the session must start with EHLO or HELO.",
        actor: Actor::SenderAdmin, action: "Fix the client to send EHLO first.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.1.4",
    }
    /// RCPT before MAIL.
    SEQ_NEED_MAIL = {
        id: "sequence.need_mail", code: c(503), enhanced: e(5, 5, 1),
        cause: Cause::BadSequence,
        text: "Send MAIL FROM first",
        meaning: "A recipient was given before the sender; a transaction starts with MAIL FROM.",
        actor: Actor::SenderAdmin, action: "Fix the client's command order: MAIL, RCPT, DATA.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.1.4",
    }
    /// DATA or BDAT before any RCPT.
    SEQ_NEED_RCPT = {
        id: "sequence.need_rcpt", code: c(503), enhanced: e(5, 5, 1),
        cause: Cause::BadSequence,
        text: "Send RCPT TO first",
        meaning: "The message data was sent before any recipient was given.",
        actor: Actor::SenderAdmin, action: "Give at least one RCPT TO before DATA.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.1.4",
    }
    /// MAIL inside a transaction.
    SEQ_NESTED_MAIL = {
        id: "sequence.nested_mail", code: c(503), enhanced: e(5, 5, 1),
        cause: Cause::BadSequence,
        text: "Sender already given; send RSET to start a new transaction",
        meaning: "A transaction is already open; MAIL FROM cannot be given twice.",
        actor: Actor::SenderAdmin, action: "Finish the transaction or send RSET first.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.1.4",
    }
    /// DATA after BDAT in the same transaction, or BDAT after a rejected BINARYMIME.
    SEQ_DATA_AFTER_BDAT = {
        id: "sequence.data_after_bdat", code: c(503), enhanced: e(5, 5, 1),
        cause: Cause::BadSequence,
        text: "DATA cannot be used in a transaction that used BDAT (or BODY=BINARYMIME)",
        meaning: "A message is sent either with DATA or with BDAT chunks, not both; BINARYMIME requires BDAT.",
        actor: Actor::SenderAdmin, action: "Fix the client: use only BDAT once it has started a message with BDAT.",
        retry: Retry::Useless, rfc: "RFC 3030 §3, §4",
    }
    /// Commands after "no SMTP service here".
    SEQ_NO_SERVICE = {
        id: "sequence.no_service", code: c(503), enhanced: e(5, 5, 1),
        cause: Cause::BadSequence,
        text: "No SMTP service here; only QUIT is accepted",
        meaning: "The server refused this session at the greeting; every command but QUIT is refused.",
        actor: Actor::SenderAdmin, action: "Send QUIT; do not send mail to this host.",
        retry: Retry::Useless, rfc: "RFC 5321 §3.1",
    }

    // ----- syntax --------------------------------------------------------------------------
    /// Unknown command.
    SYNTAX_UNKNOWN_COMMAND = {
        id: "syntax.unknown_command", code: c(500), enhanced: e(5, 5, 1),
        cause: Cause::SyntaxError,
        text: "Command not recognised: {command}",
        meaning: "The server does not know this command.",
        actor: Actor::SenderAdmin, action: "Check the command's spelling; HELP lists the commands.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.2.4",
    }
    /// Command line too long.
    SYNTAX_LINE_TOO_LONG = {
        id: "syntax.line_too_long", code: c(500), enhanced: e(5, 5, 2),
        cause: Cause::SyntaxError,
        text: "Line too long: commands are limited to {limit} octets",
        meaning: "A command line exceeded the length limit; it was discarded.",
        actor: Actor::SenderAdmin, action: "Fix the client: command lines must be at most 512 octets.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.5.3.1.4",
    }
    /// A bare LF or CR in a command, in strict mode.
    SYNTAX_BARE_LINE_END = {
        id: "syntax.bare_line_end", code: c(500), enhanced: e(5, 5, 2),
        cause: Cause::ProtocolViolation,
        text: "Bare LF or CR in a command: lines must end with CRLF",
        meaning: "A command line ended with LF (or contained CR) alone; this server requires CRLF.",
        actor: Actor::SenderAdmin, action: "Fix the client to end every line with CR LF.",
        retry: Retry::Useless, rfc: "RFC 5321 §2.3.8, §4.1.1",
    }
    /// Bad arguments to a command.
    SYNTAX_ARGUMENTS = {
        id: "syntax.arguments", code: c(501), enhanced: e(5, 5, 4),
        cause: Cause::SyntaxError,
        text: "Syntax error in {command}: {detail}",
        meaning: "The command's arguments do not follow the SMTP grammar.",
        actor: Actor::SenderAdmin, action: "Fix the arguments as the reply says.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.1",
    }
    /// A command that takes no arguments got some.
    SYNTAX_NO_ARGUMENTS = {
        id: "syntax.no_arguments", code: c(501), enhanced: e(5, 5, 4),
        cause: Cause::SyntaxError,
        text: "{command} takes no arguments",
        meaning: "This command must be sent alone.",
        actor: Actor::SenderAdmin, action: "Send the command without arguments.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.1",
    }
    /// Bad recipient address syntax.
    SYNTAX_BAD_RECIPIENT = {
        id: "syntax.bad_recipient", code: c(501), enhanced: e(5, 1, 3),
        cause: Cause::AddressSyntax,
        text: "Bad recipient address syntax: {detail}",
        meaning: "The recipient address is not a valid email address.",
        actor: Actor::Sender, action: "Correct the recipient address (user@example.com) and send again.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.1.2",
    }
    /// Bad sender address syntax.
    SYNTAX_BAD_SENDER = {
        id: "syntax.bad_sender", code: c(501), enhanced: e(5, 1, 7),
        cause: Cause::AddressSyntax,
        text: "Bad sender address syntax: {detail}",
        meaning: "The sender address is not a valid email address.",
        actor: Actor::SenderAdmin, action: "Correct the sender address configured in the client.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.1.2",
    }
    /// Bad value of an ESMTP parameter.
    PARAM_BAD_VALUE = {
        id: "param.bad_value", code: c(501), enhanced: e(5, 5, 4),
        cause: Cause::SyntaxError,
        text: "Bad value for {parameter}: {detail}",
        meaning: "An ESMTP parameter of MAIL or RCPT has a value outside its grammar.",
        actor: Actor::SenderAdmin, action: "Fix the parameter value as the reply says.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.1.2",
    }
    /// Unknown ESMTP parameter.
    PARAM_UNKNOWN = {
        id: "param.unknown", code: c(555), enhanced: e(5, 5, 4),
        cause: Cause::SyntaxError,
        text: "Parameter {parameter} is not recognised",
        meaning: "MAIL FROM or RCPT TO carried a parameter the server does not support.",
        actor: Actor::SenderAdmin, action: "Send only parameters offered in the EHLO reply.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.1.1.11, §4.2.3",
    }
    /// BODY= value not supported.
    PARAM_BODY_UNSUPPORTED = {
        id: "param.body_unsupported", code: c(504), enhanced: e(5, 5, 4),
        cause: Cause::NotImplemented,
        text: "BODY={value} is not supported here",
        meaning: "The message body type asked for is not offered (BINARYMIME needs CHUNKING).",
        actor: Actor::SenderAdmin, action: "Send with BODY=7BIT or BODY=8BITMIME, or use BDAT for BINARYMIME.",
        retry: Retry::Useless, rfc: "RFC 6152 §2; RFC 3030 §3",
    }
    /// A non-ASCII address without SMTPUTF8.
    PARAM_NEEDS_SMTPUTF8 = {
        id: "param.needs_smtputf8", code: c(553), enhanced: e(5, 6, 7),
        cause: Cause::AddressSyntax,
        text: "Address <{address}> has non-ASCII characters: send MAIL FROM with SMTPUTF8",
        meaning: "Internationalized addresses may be used only in a transaction that declared SMTPUTF8.",
        actor: Actor::SenderAdmin, action: "Add the SMTPUTF8 parameter to MAIL FROM, or use an ASCII address.",
        retry: Retry::Useless, rfc: "RFC 6531 §3.4, §3.5",
    }

    // ----- sender and recipient policy -----------------------------------------------------
    /// Unknown local user.
    RCPT_UNKNOWN_USER = {
        id: "rcpt.unknown_user", code: c(550), enhanced: e(5, 1, 1),
        cause: Cause::UnknownRecipient,
        text: "No such user here: <{address}>",
        meaning: "The recipient's domain is handled here, but it has no mailbox by that name.",
        actor: Actor::Sender,
        action: "Check the address for typos, or ask the recipient for the right address.",
        retry: Retry::Useless, rfc: "RFC 5321 §3.3; RFC 3463 §3.2",
    }
    /// Relaying denied.
    RCPT_RELAY_DENIED = {
        id: "rcpt.relay_denied", code: c(554), enhanced: e(5, 7, 1),
        cause: Cause::RelayDenied,
        text: "Relay access denied: <{address}> is not handled here; log in to send mail elsewhere",
        meaning: "This server only accepts mail for its own domains from unauthenticated clients; it is not an open relay.",
        actor: Actor::SenderAdmin,
        action: "Send through your own provider's server, or authenticate on the submission port (587) first.",
        retry: Retry::Useless, rfc: "RFC 5321 §3.6.2, §7.1",
    }
    /// Routing tricks (%-hack, bang paths, source routes) refused.
    RCPT_ADDRESS_TRICK = {
        id: "rcpt.address_trick", code: c(550), enhanced: e(5, 7, 1),
        cause: Cause::RelayDenied,
        text: "Address form not accepted: <{address}> (%, ! and source routes are not relayed)",
        meaning: "The address uses an old routing form (user%host@relay, host!user, @route:) that relays abuse; it is refused.",
        actor: Actor::Sender, action: "Use a plain address: user@example.com.",
        retry: Retry::Useless, rfc: "RFC 5321 §3.6.1, §7.1, Appendix C",
    }
    /// Recipient moved.
    RCPT_MOVED = {
        id: "rcpt.moved", code: c(551), enhanced: e(5, 1, 6),
        cause: Cause::ForwardingMoved,
        text: "User has moved; please try <{forward_path}>",
        meaning: "The recipient no longer receives mail at this address and gave a new one.",
        actor: Actor::Sender, action: "Send to the new address given in the reply, and update your address book.",
        retry: Retry::Useless, rfc: "RFC 5321 §3.4, §4.2.2",
    }
    /// Mailbox over quota.
    RCPT_OVER_QUOTA = {
        id: "rcpt.over_quota", code: c(552), enhanced: e(5, 2, 2),
        cause: Cause::MailboxFull,
        text: "Mailbox of <{address}> is full",
        meaning: "The recipient's mailbox has reached its storage quota.",
        actor: Actor::Recipient,
        action: "Tell the recipient another way that their mailbox is full; send again once they have made room.",
        retry: Retry::Useless, rfc: "RFC 3463 §3.3; RFC 5321 §4.2.2",
    }
    /// Mailbox name not allowed by policy.
    RCPT_NAME_NOT_ALLOWED = {
        id: "rcpt.name_not_allowed", code: c(553), enhanced: e(5, 1, 3),
        cause: Cause::AddressSyntax,
        text: "Mailbox name not allowed: <{address}>",
        meaning: "The address is syntactically valid but this server does not accept that form of mailbox name.",
        actor: Actor::Sender, action: "Use the recipient's plain address.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.2.2",
    }
    /// Too many recipients in one transaction.
    RCPT_TOO_MANY = {
        id: "rcpt.too_many", code: c(452), enhanced: e(4, 5, 3),
        cause: Cause::TooManyRecipients,
        text: "Too many recipients: at most {limit} per message; send the rest in another transaction",
        meaning: "The server takes a limited number of recipients per message; the ones refused can be sent in a new transaction right away.",
        actor: Actor::SenderAdmin,
        action: "Nothing for people: mail servers send the remaining recipients in another transaction.",
        retry: Retry::Helps, rfc: "RFC 5321 §4.5.3.1.8",
    }
    /// Greylisting.
    RCPT_GREYLISTED = {
        id: "rcpt.greylisted", code: c(450), enhanced: e(4, 7, 1),
        cause: Cause::Greylisted,
        text: "Greylisted: please try again in {seconds} seconds",
        meaning: "The server delays mail from senders it has not seen before; real mail servers retry and then get through.",
        actor: Actor::SenderAdmin, action: "Nothing: the sending server retries on its own.",
        retry: Retry::Helps, rfc: "RFC 6647",
    }
    /// Mailbox locked or busy.
    RCPT_MAILBOX_BUSY = {
        id: "rcpt.mailbox_busy", code: c(450), enhanced: e(4, 2, 0),
        cause: Cause::LocalError,
        text: "Mailbox <{address}> is temporarily unavailable; try again later",
        meaning: "The recipient's mailbox is locked or busy for the moment.",
        actor: Actor::RecipientAdmin, action: "Nothing for senders: the message will be retried. If it persists, the recipient's administrator should check the mailbox.",
        retry: Retry::Helps, rfc: "RFC 5321 §4.2.2",
    }
    /// Directory lookup failed.
    RCPT_LOOKUP_FAILED = {
        id: "rcpt.lookup_failed", code: c(450), enhanced: e(4, 4, 3),
        cause: Cause::LocalError,
        text: "Cannot check <{address}> right now: directory lookup failed; try again later",
        meaning: "The server could not look up the recipient (its directory or database is unreachable).",
        actor: Actor::RecipientAdmin,
        action: "Nothing for senders: the message will be retried. Administrators: check the directory service.",
        retry: Retry::Helps, rfc: "RFC 3463 §3.5",
    }
    /// Sender refused by policy.
    MAIL_SENDER_REFUSED = {
        id: "mail.sender_refused", code: c(550), enhanced: e(5, 7, 1),
        cause: Cause::SenderRejected,
        text: "Sender <{address}> refused by policy",
        meaning: "This server's policy does not accept mail from this sender address.",
        actor: Actor::SenderAdmin,
        action: "Contact the receiving site's postmaster if you think this is wrong.",
        retry: Retry::Useless, rfc: "RFC 5321 §7.1",
    }
    /// Submission: the sender address does not belong to the logged-in user.
    MAIL_SENDER_NOT_OWNED = {
        id: "mail.sender_not_owned", code: c(553), enhanced: e(5, 7, 1),
        cause: Cause::SenderRejected,
        text: "Sender <{address}> is not owned by user {user}",
        meaning: "A logged-in user may only send with their own addresses.",
        actor: Actor::Sender,
        action: "Send with one of your own addresses, or ask the administrator to allow this one.",
        retry: Retry::Useless, rfc: "RFC 6409 §6.1",
    }
    /// A policy lookup failed during MAIL.
    POLICY_LOOKUP_FAILED = {
        id: "policy.lookup_failed", code: c(451), enhanced: e(4, 3, 0),
        cause: Cause::LocalError,
        text: "Temporary lookup failure; try again later",
        meaning: "The server could not complete a policy check for this command.",
        actor: Actor::RecipientAdmin,
        action: "Nothing for senders: the message will be retried. Administrators: see the server log.",
        retry: Retry::Helps, rfc: "RFC 5321 §4.2.3",
    }

    // ----- message -------------------------------------------------------------------------
    /// DATA or BDAT when every recipient was refused.
    DATA_NO_VALID_RECIPIENTS = {
        id: "data.no_valid_recipients", code: c(554), enhanced: e(5, 5, 1),
        cause: Cause::BadSequence,
        text: "No valid recipients: every RCPT TO was refused",
        meaning: "The message cannot be accepted because no recipient was accepted; the earlier RCPT replies say why.",
        actor: Actor::Sender, action: "Read the replies to RCPT TO, correct the addresses and send again.",
        retry: Retry::Useless, rfc: "RFC 5321 §3.3, §4.1.1.4",
    }
    /// Declared size over the limit (MAIL ... SIZE=).
    SIZE_DECLARED_TOO_BIG = {
        id: "size.declared_too_big", code: c(552), enhanced: e(5, 3, 4),
        cause: Cause::MessageTooLarge,
        text: "Message size {size} exceeds the limit of {limit} octets",
        meaning: "The size announced in MAIL FROM is larger than this server accepts.",
        actor: Actor::Sender,
        action: "Make the message smaller (share large files by link instead of attachment).",
        retry: Retry::Useless, rfc: "RFC 1870 §6",
    }
    /// Actual size over the limit.
    SIZE_TOO_BIG = {
        id: "size.too_big", code: c(552), enhanced: e(5, 3, 4),
        cause: Cause::MessageTooLarge,
        text: "Message too big: the limit is {limit} octets",
        meaning: "The message is larger than this server accepts; it was discarded.",
        actor: Actor::Sender,
        action: "Make the message smaller (share large files by link instead of attachment).",
        retry: Retry::Useless, rfc: "RFC 1870 §6; RFC 5321 §4.5.3.1.10",
    }
    /// Disk below the reserve.
    STORAGE_LOW = {
        id: "storage.low", code: c(452), enhanced: e(4, 3, 1),
        cause: Cause::StorageInsufficient,
        text: "Insufficient system storage; try again later",
        meaning: "The server's disk is nearly full, so it accepts no new mail for now rather than risk losing it.",
        actor: Actor::RecipientAdmin,
        action: "Nothing for senders: the message will be retried. Administrators: free disk space; the server resumes on its own.",
        retry: Retry::Helps, rfc: "RFC 5321 §4.2.2; RFC 3463 §3.4",
    }
    /// Writing the message to the queue failed.
    STORAGE_COMMIT_FAILED = {
        id: "storage.commit_failed", code: c(451), enhanced: e(4, 3, 0),
        cause: Cause::LocalError,
        text: "Local error: the message could not be stored and was not kept; try again later",
        meaning: "The server failed to write the message to its queue; nothing was kept, so sending again cannot create a duplicate.",
        actor: Actor::RecipientAdmin,
        action: "Nothing for senders: the message will be retried. Administrators: see the server log for the storage error.",
        retry: Retry::Helps, rfc: "RFC 5321 §4.2.3, §6.1",
    }
    /// Message refused by content policy.
    MESSAGE_REFUSED = {
        id: "message.refused", code: c(554), enhanced: e(5, 7, 1),
        cause: Cause::PolicyOther,
        text: "Message refused by policy",
        meaning: "The server's policy refused this message's content.",
        actor: Actor::Sender,
        action: "Contact the recipient by other means or the receiving site's postmaster.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.2.2, §7.1",
    }
    /// Bare LF in message data, strict mode.
    MESSAGE_BARE_LINE_END = {
        id: "message.bare_line_end", code: c(554), enhanced: e(5, 5, 2),
        cause: Cause::ProtocolViolation,
        text: "Message refused: it contains a bare LF or CR; lines must end with CRLF",
        meaning: "The message has line ends other than CR LF, which this server refuses because they enable SMTP smuggling.",
        actor: Actor::SenderAdmin,
        action: "Fix the sending software to end every line with CR LF.",
        retry: Retry::Useless, rfc: "RFC 5321 §2.3.8, §4.1.1.4",
    }

    // ----- delivery outcomes (Tern as the sending side; appear in timelines and bounces) ----
    /// Delivered to a local mailbox.
    DELIVERY_LOCAL_OK = {
        id: "delivery.local_ok", code: c(250), enhanced: e(2, 0, 0),
        cause: Cause::Ok,
        text: "Delivered to the mailbox of <{address}>",
        meaning: "The message was written to the recipient's mailbox and synced to disk.",
        actor: Actor::Nobody, action: "Nothing.",
        retry: Retry::NotNeeded, rfc: "RFC 5321 §6.1",
    }
    /// Discarded by a `transport = "discard"` route (Postfix's `discard:`).
    DELIVERY_DISCARDED = {
        id: "delivery.discarded", code: c(250), enhanced: e(2, 0, 0),
        cause: Cause::Ok,
        text: "Discarded by the route for {domain}",
        meaning: "The message was accepted and queued, then dropped on purpose: this mail system's configuration discards mail for the recipient's domain (a test sink or a retired domain). It was not delivered to any mailbox, and no failure report follows; a success report (NOTIFY=SUCCESS) says delivered, with this text.",
        actor: Actor::Nobody,
        action: "Nothing, if the domain is meant to receive no mail. If the mail should arrive, the administrator of this mail system must remove the domain's discard route.",
        retry: Retry::NotNeeded, rfc: "RFC 3464 §2.3.3",
    }
    /// The recipient domain publishes a null MX.
    DELIVERY_NULL_MX = {
        id: "delivery.null_mx", code: c(556), enhanced: e(5, 1, 10),
        cause: Cause::NullMx,
        text: "Domain {domain} does not accept mail (null MX)",
        meaning: "The recipient's domain says in DNS that it receives no mail at all.",
        actor: Actor::Sender, action: "Check the recipient's address: the domain part is probably wrong.",
        retry: Retry::Useless, rfc: "RFC 7505 §3",
    }
    /// The recipient domain does not exist.
    DELIVERY_NO_SUCH_DOMAIN = {
        id: "delivery.no_such_domain", code: c(550), enhanced: e(5, 1, 2),
        cause: Cause::UnknownDomain,
        text: "Domain {domain} does not exist",
        meaning: "DNS says the recipient's domain does not exist (NXDOMAIN).",
        actor: Actor::Sender, action: "Check the spelling of the domain after the @.",
        retry: Retry::Useless, rfc: "RFC 5321 §5.1",
    }
    /// DNS failed temporarily.
    DELIVERY_DNS_FAILED = {
        id: "delivery.dns_failed", code: c(451), enhanced: e(4, 4, 3),
        cause: Cause::DnsError,
        text: "DNS lookup for {domain} failed temporarily: {detail}",
        meaning: "The mail servers of the recipient's domain could not be looked up just now.",
        actor: Actor::RecipientAdmin, action: "Nothing: delivery is retried on schedule.",
        retry: Retry::Helps, rfc: "RFC 5321 §5.1",
    }
    /// Could not connect.
    DELIVERY_CONNECT_FAILED = {
        id: "delivery.connect_failed", code: c(451), enhanced: e(4, 4, 1),
        cause: Cause::NetworkTimeout,
        text: "Could not connect to {host}: {detail}",
        meaning: "The recipient's mail server did not accept a connection.",
        actor: Actor::RecipientAdmin, action: "Nothing: delivery is retried on schedule.",
        retry: Retry::Helps, rfc: "RFC 5321 §4.5.4.1, §5.1",
    }
    /// The connection broke or timed out.
    DELIVERY_CONNECTION_LOST = {
        id: "delivery.connection_lost", code: c(451), enhanced: e(4, 4, 2),
        cause: Cause::NetworkTimeout,
        text: "Connection to {host} lost: {detail}",
        meaning: "The connection to the recipient's mail server broke or timed out during the exchange.",
        actor: Actor::RecipientAdmin, action: "Nothing: delivery is retried on schedule.",
        retry: Retry::Helps, rfc: "RFC 5321 §4.5.3.2",
    }
    /// Not tried now: the destination is rate-limiting this server.
    DELIVERY_THROTTLED = {
        id: "delivery.throttled", code: c(451), enhanced: e(4, 4, 5),
        cause: Cause::RateLimited,
        text: "Not tried now: {domain} said this server sends too fast; the next attempt is after {seconds} seconds",
        meaning: "The destination's last replies said it is rate-limiting this server, so Tern pauses deliveries to it instead of hammering it, and sends with fewer connections when it resumes.",
        actor: Actor::Nobody,
        action: "Nothing: the message is retried after the pause. If the destination keeps limiting, send less mail to it at once and check that the mail is wanted ([delivery] rate_limit_pause in docs/config.md).",
        retry: Retry::Helps, rfc: "RFC 3463 §3.5",
    }
    /// No way to reach the recipient's domain from this server.
    DELIVERY_NO_ROUTE = {
        id: "delivery.no_route", code: c(451), enhanced: e(4, 4, 4),
        cause: Cause::RoutingError,
        text: "No route to {domain}: this server does not deliver to remote domains",
        meaning: "The recipient is in a remote domain and this server has no way to deliver there (no remote delivery and no route configured).",
        actor: Actor::SenderAdmin,
        action: "Administrators: configure a route (a smarthost) for remote domains, or enable remote delivery. The message stays queued until then or until it expires.",
        retry: Retry::Helps, rfc: "RFC 3463 §3.5",
    }
    /// The mailbox is over its quota at delivery time.
    DELIVERY_OVER_QUOTA = {
        id: "delivery.over_quota", code: c(552), enhanced: e(5, 2, 2),
        cause: Cause::MailboxFull,
        text: "Mailbox of <{address}> is full",
        meaning: "The recipient's mailbox reached its storage quota before this message could be written to it.",
        actor: Actor::Recipient,
        action: "Tell the recipient another way that their mailbox is full; send again once they have made room.",
        retry: Retry::Useless, rfc: "RFC 3463 §3.3",
    }
    /// Writing to the local mailbox failed.
    DELIVERY_MAILBOX_ERROR = {
        id: "delivery.mailbox_error", code: c(451), enhanced: e(4, 3, 0),
        cause: Cause::LocalError,
        text: "Could not write to the mailbox of <{address}>: {detail}",
        meaning: "The server could not write the message into the local mailbox (disk or permission problem); it keeps the message and tries again.",
        actor: Actor::RecipientAdmin,
        action: "Administrators: check disk space and the permissions of the mail directory; delivery is retried on schedule.",
        retry: Retry::Helps, rfc: "RFC 5321 §6.1",
    }
    /// TLS is required for the destination and it does not offer STARTTLS.
    DELIVERY_TLS_NOT_OFFERED = {
        id: "delivery.tls_not_offered", code: c(451), enhanced: e(4, 7, 4),
        cause: Cause::TlsRequired,
        text: "TLS is required for {host}, but it does not offer STARTTLS",
        meaning: "The route to this destination requires an encrypted connection and the receiving server did not offer one, so nothing was sent.",
        actor: Actor::RecipientAdmin,
        action: "The receiving server must offer STARTTLS, or the sending side must relax the TLS requirement of this route. Delivery is retried on schedule.",
        retry: Retry::Helps, rfc: "RFC 3207 §4; RFC 3463 §3.8",
    }
    /// The TLS handshake with the destination failed.
    DELIVERY_TLS_FAILED = {
        id: "delivery.tls_failed", code: c(451), enhanced: e(4, 7, 5),
        cause: Cause::TlsRequired,
        text: "TLS with {host} failed: {detail}",
        meaning: "The encrypted connection to the receiving server could not be set up (handshake failure or an untrusted certificate).",
        actor: Actor::RecipientAdmin,
        action: "Check the receiving server's certificate and TLS settings; delivery is retried on schedule.",
        retry: Retry::Helps, rfc: "RFC 3207 §4.1",
    }
    /// The destination did not answer a command in time.
    DELIVERY_TIMEOUT = {
        id: "delivery.timeout", code: c(451), enhanced: e(4, 4, 2),
        cause: Cause::NetworkTimeout,
        text: "No reply from {host} to {command} within {seconds} seconds",
        meaning: "The receiving server stopped answering in the middle of the exchange.",
        actor: Actor::RecipientAdmin,
        action: "Nothing: delivery is retried on schedule. If it persists, the receiving server is overloaded or a firewall drops the connection.",
        retry: Retry::Helps, rfc: "RFC 5321 §4.5.3.2",
    }
    /// The destination sent something that is not SMTP.
    DELIVERY_PROTOCOL_ERROR = {
        id: "delivery.protocol_error", code: c(451), enhanced: e(4, 5, 0),
        cause: Cause::ProtocolViolation,
        text: "{host} broke the SMTP protocol: {detail}",
        meaning: "The receiving server sent replies that are not valid SMTP (garbage, an oversized reply, or a reply nobody asked for), so the connection was abandoned.",
        actor: Actor::RecipientAdmin,
        action: "Nothing: delivery is retried on schedule. If it persists, the receiving server or something in the path is broken.",
        retry: Retry::Helps, rfc: "RFC 5321 §4.2",
    }
    /// SMTPUTF8 is needed and the destination does not offer it.
    DELIVERY_SMTPUTF8_NOT_OFFERED = {
        id: "delivery.smtputf8_not_offered", code: c(553), enhanced: e(5, 6, 7),
        cause: Cause::NotImplemented,
        text: "{host} does not support SMTPUTF8, which <{address}> needs",
        meaning: "The message uses internationalized (UTF-8) addresses and the receiving server cannot accept them.",
        actor: Actor::Sender,
        action: "Use an ASCII address for this recipient (ask them for one), then send again.",
        retry: Retry::Useless, rfc: "RFC 6531 §3.2, §3.5",
    }
    /// A BINARYMIME message and a destination without CHUNKING and BINARYMIME.
    DELIVERY_BINARYMIME_NOT_OFFERED = {
        id: "delivery.binarymime_not_offered", code: c(554), enhanced: e(5, 6, 3),
        cause: Cause::NotImplemented,
        text: "{host} does not accept binary messages (no CHUNKING with BINARYMIME), and a message sent as BODY=BINARYMIME cannot go over DATA",
        meaning: "The message was submitted as binary MIME (BODY=BINARYMIME), and the receiving server offers no way to take binary data; RFC 3030 forbids sending such a message with DATA, and Tern does not convert it.",
        actor: Actor::Sender,
        action: "Send the message again without BODY=BINARYMIME (let the mail program encode attachments as base64 or quoted-printable), or send it through a server that offers BINARYMIME.",
        retry: Retry::Useless, rfc: "RFC 3030 §3",
    }
    /// Credentials are configured but cannot be used safely.
    DELIVERY_AUTH_UNAVAILABLE = {
        id: "delivery.auth_unavailable", code: c(451), enhanced: e(4, 7, 0),
        cause: Cause::AuthRequired,
        text: "Cannot log in to {host}: {detail}",
        meaning: "The route to this destination has credentials, but the server offers no usable login (no TLS, or no PLAIN/LOGIN mechanism), so nothing was sent.",
        actor: Actor::SenderAdmin,
        action: "Check the route's settings (host, port, TLS) against what the smarthost offers; delivery is retried on schedule.",
        retry: Retry::Helps, rfc: "RFC 4954 §4",
    }
    /// The smarthost refused the credentials.
    DELIVERY_AUTH_REFUSED = {
        id: "delivery.auth_refused", code: c(451), enhanced: e(4, 7, 8),
        cause: Cause::AuthFailed,
        text: "{host} refused the login: {detail}",
        meaning: "The smarthost refused the user name or password configured for this route.",
        actor: Actor::SenderAdmin,
        action: "Fix the username and password of the route in the configuration; messages stay queued and are retried.",
        retry: Retry::Helps, rfc: "RFC 4954 §6",
    }
    /// An administrator failed the recipient with `tern queue bounce`.
    DELIVERY_CANCELLED = {
        id: "delivery.cancelled", code: c(554), enhanced: e(5, 0, 0),
        cause: Cause::PolicyOther,
        text: "Delivery cancelled by the administrator of {hostname}",
        meaning: "The mail system's administrator stopped delivery of this message before it could be delivered.",
        actor: Actor::SenderAdmin,
        action: "Ask the administrator of the sending mail system why the message was stopped; send it again if it should go.",
        retry: Retry::Useless, rfc: "RFC 3463 §3.1",
    }
    /// Gave up after the maximum queue time.
    DELIVERY_EXPIRED = {
        id: "delivery.expired", code: c(554), enhanced: e(5, 4, 7),
        cause: Cause::NetworkTimeout,
        text: "Delivery time expired: gave up after {days} days of temporary failures",
        meaning: "Every attempt failed temporarily for as long as the server keeps trying, so the message was returned.",
        actor: Actor::RecipientAdmin,
        action: "Read the last temporary error below; tell the recipient by other means that their mail server is not receiving.",
        retry: Retry::Useless, rfc: "RFC 5321 §4.5.4.1",
    }
}
