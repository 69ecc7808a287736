//! Mail handed over on this machine (`tern send`, sendmail-style) takes the way SMTP mail
//! takes: each address parsed by the SMTP grammar (tern-proto), the sender and every
//! recipient asked of the policy as for a client that logged in as the local user (local
//! mailboxes must exist, remote ones are relayed), and a `Received:` header in front. What a
//! session would refuse comes back as the same catalogue reply. No I/O: the caller enqueues.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{SystemTime, UNIX_EPOCH};

use tern_codes::{Reply, catalogue};
use tern_config::ListenerKind;
use tern_policy::{Policy, RecipientVerdict, SessionFacts};
use tern_proto::{Command, ForwardPath, ReversePath, parse_command};
use tern_store as store;

use crate::received::local_received_header;

/// A message handed over locally.
#[derive(Debug, Clone)]
pub struct LocalMessage {
    /// The local user handing it over (who ran `tern send`).
    pub user: String,
    /// The envelope sender; empty or `<>` for the null sender.
    pub sender: String,
    /// The recipients, as given.
    pub recipients: Vec<String>,
    /// The message, CRLF line ends.
    pub message: Vec<u8>,
}

/// The envelope and the message (with its `Received:` header) to enqueue, or the reply an
/// SMTP session would have given for the first address it refuses.
pub fn intake(
    policy: &Policy,
    hostname: &str,
    msg: LocalMessage,
    now: SystemTime,
) -> Result<(store::Envelope, Vec<u8>), Reply> {
    let facts = SessionFacts {
        client_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        listener: ListenerKind::Smtp,
        authenticated_user: Some(msg.user.clone()),
        tls: false,
    };
    // What a client would have to announce SMTPUTF8 for (RFC 6531 §3.4): a UTF-8 address,
    // or UTF-8 in the header; 8-bit octets in the body alone need only 8BITMIME.
    let header = msg
        .message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(&msg.message[..], |end| &msg.message[..end]);
    let smtputf8 = !msg.sender.is_ascii()
        || msg.recipients.iter().any(|r| !r.is_ascii())
        || !header.is_ascii();
    let sender = msg
        .sender
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let utf8_param = if smtputf8 { " SMTPUTF8" } else { "" };
    let (from, params) = match parse_command(format!("MAIL FROM:<{sender}>{utf8_param}").as_bytes())
    {
        Ok(Command::Mail { from, params }) => (from, params),
        Ok(_) | Err(_) => {
            return Err(catalogue::SYNTAX_BAD_SENDER.reply_with(&[("detail", sender)]));
        }
    };
    policy.check_sender(&facts, &from, &params)?;
    let mut recipients = Vec::with_capacity(msg.recipients.len());
    for given in &msg.recipients {
        let address = given.trim().trim_start_matches('<').trim_end_matches('>');
        let to = match parse_command(format!("RCPT TO:<{address}>").as_bytes()) {
            Ok(Command::Rcpt { to, .. }) => to,
            Ok(_) | Err(_) => {
                return Err(catalogue::SYNTAX_BAD_RECIPIENT.reply_with(&[("detail", address)]));
            }
        };
        if let RecipientVerdict::Reject(reply) = policy.check_recipient(&facts, &to, smtputf8) {
            return Err(reply);
        }
        recipients.push(match &to {
            ForwardPath::Postmaster => policy.postmaster_mailbox().to_owned(),
            ForwardPath::Path(path) => path.mailbox().to_string(),
        });
    }
    let refs: Vec<&str> = recipients.iter().map(String::as_str).collect();
    let header = local_received_header(hostname, &msg.user, &refs, now);
    let mut message = Vec::with_capacity(header.len() + msg.message.len());
    message.extend_from_slice(header.as_bytes());
    message.extend_from_slice(&msg.message);
    let received_at_ms = now
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let mut envelope = store::Envelope::new(
        match &from {
            ReversePath::Null => None,
            ReversePath::Path(p) => Some(p.mailbox().to_string()),
        },
        recipients.into_iter().map(store::Recipient::new).collect(),
        received_at_ms,
    );
    envelope.params.smtputf8 = smtputf8;
    envelope.params.body = if msg.message.is_ascii() {
        store::BodyType::SevenBit
    } else {
        store::BodyType::EightBitMime
    };
    envelope.client = store::ClientInfo {
        helo: "localhost".into(),
        peer_ip: "local".into(),
        tls: None,
        auth_user: Some(msg.user),
    };
    Ok((envelope, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        let config = tern_config::Config::parse(
            "[local]\ndomains = [\"here.test\"]\nmailboxes = [\"bob\"]\n",
        )
        .unwrap();
        Policy::new(&config)
    }

    fn msg(sender: &str, to: &[&str]) -> LocalMessage {
        LocalMessage {
            user: "alice".into(),
            sender: sender.into(),
            recipients: to.iter().map(|s| (*s).to_owned()).collect(),
            message: b"Subject: x\r\n\r\nhi\r\n".to_vec(),
        }
    }

    #[test]
    fn addresses_and_policy_as_for_smtp() {
        let now = UNIX_EPOCH;
        let (env, body) = intake(
            &policy(),
            "mx.here.test",
            msg(
                "alerts@elsewhere.test",
                &["Bob@here.test", "<carol@far.test>"],
            ),
            now,
        )
        .unwrap();
        assert_eq!(env.sender.as_deref(), Some("alerts@elsewhere.test"));
        let to: Vec<&str> = env.recipients.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(to, ["Bob@here.test", "carol@far.test"]);
        let text = String::from_utf8(body).unwrap();
        assert!(
            text.starts_with("Received: by mx.here.test (Tern, from local user alice)"),
            "{text}"
        );
        assert!(text.ends_with("Subject: x\r\n\r\nhi\r\n"));

        let unknown = intake(
            &policy(),
            "mx.here.test",
            msg("", &["nobody@here.test"]),
            now,
        )
        .unwrap_err();
        assert_eq!(unknown.code().value(), 550, "{unknown}");
        let bad = intake(&policy(), "mx.here.test", msg("", &["not an address"]), now).unwrap_err();
        assert_eq!(bad.code().value(), 501, "{bad}");
        assert_eq!(
            bad.enhanced().map(|e| e.to_string()).as_deref(),
            Some("5.1.3")
        );
        let utf8 = intake(&policy(), "mx.here.test", msg("", &["jörg@far.test"]), now).unwrap();
        assert!(
            utf8.0.params.smtputf8,
            "a UTF-8 address needs SMTPUTF8 downstream"
        );
        let bad = intake(
            &policy(),
            "mx.here.test",
            msg("a@@b", &["bob@here.test"]),
            now,
        )
        .unwrap_err();
        assert_eq!(
            bad.enhanced().map(|e| e.to_string()).as_deref(),
            Some("5.1.7")
        );
    }
}
