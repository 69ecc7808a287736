//! Checks that go beyond types: ranges, cross-field rules, address and network syntax.

use crate::model::{Config, RouteTransport};
use crate::network::Network;

/// What is wrong with a configuration, before it is located in the source.
#[derive(Debug)]
pub struct Problem {
    /// The dotted key, e.g. `delivery.route.host`.
    pub key: String,
    /// For a key of an array of tables (`[[delivery.route]]`): which entry, from 0.
    pub entry: Option<usize>,
    /// What is wrong and what is expected.
    pub message: String,
}

/// The first problem found, if any.
pub fn check(config: &Config) -> Result<(), Problem> {
    let fail = |key: &str, message: String| {
        Err(Problem {
            key: key.to_owned(),
            entry: None,
            message,
        })
    };
    let fail_in = |key: &str, entry: usize, message: String| {
        Err(Problem {
            key: key.to_owned(),
            entry: Some(entry),
            message,
        })
    };
    if config.server.hostname.trim().is_empty()
        || config.server.hostname.contains(char::is_whitespace)
    {
        return fail(
            "server.hostname",
            format!(
                "{:?} is not a host name: use the server's fully qualified name, e.g. mail.example.com",
                config.server.hostname
            ),
        );
    }
    let admin = &config.admin;
    if admin.enabled && !admin.address.ip().is_loopback() {
        match admin.token.as_deref().map(str::trim) {
            None | Some("") => {
                return fail(
                    "admin.token",
                    format!(
                        "the admin endpoint listens on {}, which is not loopback: set admin.token (a long random string) so that only clients that send it can use it",
                        admin.address
                    ),
                );
            }
            Some(t) if t.len() < 16 => {
                return fail(
                    "admin.token",
                    "is too short: use at least 16 random characters".into(),
                );
            }
            Some(_) => {}
        }
    }
    if config.listeners.is_empty() {
        return fail(
            "listener",
            "no [[listener]] is configured: Tern would not accept any connection".into(),
        );
    }
    for (i, a) in config.listeners.iter().enumerate() {
        if a.address.port() != 0 && config.listeners[..i].iter().any(|b| b.address == a.address) {
            return fail_in(
                "listener.address",
                i,
                format!("{} is used by two listeners", a.address),
            );
        }
    }
    match (&config.tls.certificate, &config.tls.key) {
        (Some(_), None) => {
            return fail(
                "tls.key",
                "tls.certificate is set but tls.key is not: give the private key too".into(),
            );
        }
        (None, Some(_)) => {
            return fail(
                "tls.certificate",
                "tls.key is set but tls.certificate is not".into(),
            );
        }
        _ => {}
    }
    let l = &config.limits;
    if l.max_line_length < 512 {
        return fail(
            "limits.max_line_length",
            format!(
                "{} is below the 512 octets RFC 5321 §4.5.3.1.4 requires servers to accept",
                l.max_line_length
            ),
        );
    }
    if l.max_line_length > 65_536 {
        return fail(
            "limits.max_line_length",
            format!("{} is too large: at most 65536", l.max_line_length),
        );
    }
    if l.max_recipients < 1 {
        return fail(
            "limits.max_recipients",
            "must be at least 1 (RFC 5321 §4.5.3.1.8 recommends at least 100)".into(),
        );
    }
    if l.max_message_size.0 < 1024 {
        return fail("limits.max_message_size", "must be at least 1KiB".into());
    }
    if l.max_connections < 1 || l.max_connections_per_ip < 1 {
        return fail(
            "limits.max_connections",
            "connection limits must be at least 1".into(),
        );
    }
    if l.max_connections_per_ip > l.max_connections {
        return fail(
            "limits.max_connections_per_ip",
            format!(
                "{} is above limits.max_connections ({})",
                l.max_connections_per_ip, l.max_connections
            ),
        );
    }
    if l.listen_backlog < 1 {
        return fail("limits.listen_backlog", "must be at least 1".into());
    }
    if l.command_timeout.0.as_secs() < 1 || l.data_timeout.0.as_secs() < 1 {
        return fail(
            "limits.command_timeout",
            "timeouts must be at least 1s".into(),
        );
    }
    if l.record_deadline.0.as_secs() < 1 {
        return fail("limits.record_deadline", "must be at least 1s".into());
    }
    if config
        .local
        .domains
        .iter()
        .any(|d| d.trim().is_empty() || d.contains('@'))
    {
        return fail(
            "local.domains",
            "each entry is a domain name like example.com (no @)".into(),
        );
    }
    for mailbox in &config.local.mailboxes {
        if mailbox.trim().is_empty() || mailbox.contains(char::is_whitespace) {
            return fail(
                "local.mailboxes",
                format!(
                    "{mailbox:?} is not a mailbox: write a local part like \"alice\" or an address like \"alice@example.com\""
                ),
            );
        }
    }
    for (table, map) in [
        ("local.aliases", &config.local.aliases),
        ("local.forward", &config.local.forward),
        ("local.moved", &config.local.moved),
    ] {
        for (from, to) in map {
            if !from.contains('@') || !to.contains('@') {
                return fail(
                    table,
                    format!("{from:?} = {to:?}: both sides must be full addresses (user@domain)"),
                );
            }
        }
    }
    for net in &config.relay.trusted_networks {
        if let Err(e) = net.0.parse::<Network>() {
            return fail("relay.trusted_networks", e);
        }
    }
    let d = &config.delivery;
    if d.retry_initial.0 > d.retry_max.0 {
        return fail(
            "delivery.retry_initial",
            "is longer than delivery.retry_max".into(),
        );
    }
    if d.retry_initial.0.as_secs() < 1 {
        return fail("delivery.retry_initial", "must be at least 1s".into());
    }
    if d.concurrency < 1 || d.per_destination < 1 {
        return fail(
            "delivery.concurrency",
            "concurrency limits must be at least 1".into(),
        );
    }
    for (i, route) in d.routes.iter().enumerate() {
        match route.transport {
            RouteTransport::Smtp => {
                let Some(host) = &route.host else {
                    return fail_in(
                        "delivery.route.host",
                        i,
                        format!(
                            "the route for {:?} has no host: give host:port, e.g. \
                             smtp.example.com:587 (or transport = \"discard\" to drop its mail)",
                            route.domain
                        ),
                    );
                };
                if host
                    .rsplit_once(':')
                    .and_then(|(_, p)| p.parse::<u16>().ok())
                    .is_none()
                {
                    return fail_in(
                        "delivery.route.host",
                        i,
                        format!("{host:?} must be host:port, e.g. smtp.example.com:587"),
                    );
                }
                if route.username.is_some() != route.password.is_some() {
                    return fail_in(
                        "delivery.route.username",
                        i,
                        "username and password go together".into(),
                    );
                }
            }
            RouteTransport::Discard => {
                let set = [
                    ("host", route.host.is_some()),
                    ("tls", route.tls.is_some()),
                    ("username", route.username.is_some()),
                    ("password", route.password.is_some()),
                    ("ca_file", route.ca_file.is_some()),
                ];
                if let Some((key, _)) = set.iter().find(|(_, is_set)| *is_set) {
                    return fail_in(
                        &format!("delivery.route.{key}"),
                        i,
                        format!(
                            "the route for {:?} has transport = \"discard\": it connects \
                             nowhere, so {key} has no meaning here; remove it (or use \
                             transport = \"smtp\")",
                            route.domain
                        ),
                    );
                }
            }
        }
    }
    for (i, fault) in config.faults.iter().enumerate() {
        let Some(entry) = tern_codes::catalogue::by_id(&fault.reply) else {
            return fail_in(
                "fault.reply",
                i,
                format!(
                    "{:?} is not a catalogue reply id (see docs/replies.md, e.g. \"rcpt.greylisted\")",
                    fault.reply
                ),
            );
        };
        let code = entry.code.value();
        let fits = match fault.on {
            crate::model::FaultStage::Connect => code == 421 || code == 554,
            _ => code >= 400,
        };
        if !fits {
            return fail_in(
                "fault.reply",
                i,
                format!(
                    "{} ({code}) cannot answer {:?}: use a 4yz or 5yz reply (421 or 554 for connect)",
                    fault.reply, fault.on
                ),
            );
        }
    }
    Ok(())
}
