//! Integration tests of tern-policy: the decisions as the server session will ask for them,
//! with addresses parsed by tern-proto from real command lines.

use std::net::IpAddr;

use tern_codes::Reply;
use tern_config::{Config, ListenerKind};
use tern_policy::{Policy, RecipientVerdict, SessionFacts};
use tern_proto::{Command, ForwardPath, MailParams, ReversePath, parse_command};

#[path = "policy/local.rs"]
mod local;
#[path = "policy/props.rs"]
mod props;
#[path = "policy/relay.rs"]
mod relay;
#[path = "policy/sender.rs"]
mod sender;

/// The configuration most tests use.
const CONFIG: &str = r#"
[local]
domains = ["example.org", "Example.NET"]
mailboxes = ["alice", "Bob@example.org", "\"a,b\"@example.org"]
aliases = { "sales@example.org" = "alice@example.org", "info@example.net" = "sales@example.org" }
forward = { "carol@example.org" = "Carol.New@elsewhere.example" }
moved = { "dave@example.org" = "dave@new-job.example" }
quota = "10MiB"

[relay]
trusted_networks = ["192.0.2.0/24", "2001:db8::/32"]
"#;

fn policy() -> Policy {
    Policy::new(&Config::parse(CONFIG).expect("test config is valid"))
}

/// A client on port 25 from outside the trusted networks, not logged in.
fn stranger() -> SessionFacts {
    SessionFacts {
        client_ip: "198.51.100.9".parse().unwrap(),
        listener: ListenerKind::Smtp,
        authenticated_user: None,
        tls: false,
    }
}

/// A client on port 25 inside a trusted network.
fn trusted() -> SessionFacts {
    SessionFacts {
        client_ip: "192.0.2.25".parse().unwrap(),
        ..stranger()
    }
}

/// A logged-in user on the submission port, from an untrusted address.
fn user(name: &str) -> SessionFacts {
    SessionFacts {
        client_ip: "203.0.113.4".parse::<IpAddr>().unwrap(),
        listener: ListenerKind::Submission,
        authenticated_user: Some(name.into()),
        tls: true,
    }
}

/// The forward path of `RCPT TO:<inner>`.
fn rcpt(inner: &str) -> ForwardPath {
    match parse_command(format!("RCPT TO:<{inner}>").as_bytes()) {
        Ok(Command::Rcpt { to, .. }) => to,
        other => panic!("RCPT TO:<{inner}> did not parse: {other:?}"),
    }
}

/// The reverse path and parameters of `MAIL FROM:<inner> params`.
fn mail(inner: &str, params: &str) -> (ReversePath, MailParams) {
    match parse_command(format!("MAIL FROM:<{inner}>{params}").as_bytes()) {
        Ok(Command::Mail { from, params }) => (from, params),
        other => panic!("MAIL FROM:<{inner}> did not parse: {other:?}"),
    }
}

/// `"250 2.1.5"`: the code and enhanced code of a reply.
fn codes(reply: &Reply) -> String {
    match reply.enhanced() {
        Some(e) => format!("{} {e}", reply.code()),
        None => reply.code().to_string(),
    }
}

fn check(policy: &Policy, facts: &SessionFacts, inner: &str) -> RecipientVerdict {
    policy.check_recipient(facts, &rcpt(inner), false)
}

/// Asserts a rejection with these codes and returns the reply text.
#[track_caller]
fn assert_rejected(verdict: &RecipientVerdict, expected: &str) -> String {
    match verdict {
        RecipientVerdict::Reject(reply) => {
            assert_eq!(codes(reply), expected, "{reply:?}");
            reply.text()
        }
        other => panic!("expected a rejection {expected}, got {other:?}"),
    }
}

/// Asserts local delivery to this mailbox with `250 2.1.5`.
#[track_caller]
fn assert_local(verdict: &RecipientVerdict, mailbox: &str) {
    match verdict {
        RecipientVerdict::Local { mailbox: m, reply } => {
            assert_eq!(m, mailbox);
            assert_eq!(codes(reply), "250 2.1.5");
        }
        other => panic!("expected local delivery to {mailbox}, got {other:?}"),
    }
}

/// Asserts a relayed recipient with `250 2.1.5`.
#[track_caller]
fn assert_relay(verdict: &RecipientVerdict) {
    match verdict {
        RecipientVerdict::Relay { reply } => assert_eq!(codes(reply), "250 2.1.5"),
        other => panic!("expected relay, got {other:?}"),
    }
}
