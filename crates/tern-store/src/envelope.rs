//! The envelope of a queued message: who sent it, to whom, with which ESMTP parameters, and
//! what we know about the client that handed it over.
//!
//! These are plain owned types. The SMTP server maps its parsed parameters into them; the store
//! does not parse anything.

pub use tern_envelope::{BodyType, Ret};

/// The ESMTP parameters of `MAIL FROM`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailParams {
    /// `SIZE=` as declared by the client (RFC 1870), if any.
    pub size: Option<u64>,
    /// `BODY=`.
    pub body: BodyType,
    /// `SMTPUTF8` was given (RFC 6531).
    pub smtputf8: bool,
    /// DSN `RET=`, if given.
    pub ret: Option<Ret>,
    /// DSN `ENVID=`, decoded from xtext, if given.
    pub envid: Option<String>,
}

pub use tern_envelope::{Notify, Orcpt};

/// One accepted recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The forward path, without angle brackets.
    pub address: String,
    /// DSN `NOTIFY=`; `None` when the client did not give it.
    pub notify: Option<Notify>,
    /// DSN `ORCPT=` as given (xtext decoded), if any.
    pub orcpt: Option<Orcpt>,
}

impl Recipient {
    /// A recipient with no DSN parameters.
    pub fn new(address: impl Into<String>) -> Self {
        Recipient {
            address: address.into(),
            notify: None,
            orcpt: None,
        }
    }

    /// The domain part (after the last `@`), lowercased; empty if there is none.
    pub fn domain(&self) -> String {
        domain_of(&self.address)
    }
}

/// The lowercased part after the last `@` of an address; empty if there is none.
pub fn domain_of(address: &str) -> String {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.to_lowercase())
        .unwrap_or_default()
}

/// The TLS session the message arrived over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    /// Protocol version, e.g. `TLSv1.3`.
    pub protocol: String,
    /// Cipher suite, e.g. `TLS_AES_256_GCM_SHA384`.
    pub cipher: String,
}

/// What we know about the client that submitted the message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientInfo {
    /// The name given with `HELO`/`EHLO`.
    pub helo: String,
    /// The peer's IP address, as text.
    pub peer_ip: String,
    /// The TLS session, if the message came over TLS.
    pub tls: Option<TlsInfo>,
    /// The authenticated user, if the client authenticated.
    pub auth_user: Option<String>,
}

/// Everything about a message except its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The reverse path without angle brackets; `None` is the null sender `<>`.
    pub sender: Option<String>,
    /// `MAIL FROM` parameters.
    pub params: MailParams,
    /// Accepted recipients, in the order they were accepted. Never empty.
    pub recipients: Vec<Recipient>,
    /// The client.
    pub client: ClientInfo,
    /// When the end of data was received, in Unix milliseconds. Also the time part of the
    /// message's [`QueueId`](crate::QueueId) and when its recipients first become due.
    pub received_at_ms: i64,
}

impl Envelope {
    /// An envelope with default parameters and client facts.
    pub fn new(sender: Option<String>, recipients: Vec<Recipient>, received_at_ms: i64) -> Self {
        Envelope {
            sender,
            params: MailParams::default(),
            recipients,
            client: ClientInfo::default(),
            received_at_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_is_after_last_at_and_lowercased() {
        assert_eq!(domain_of("\"a@b\"@Example.ORG"), "example.org");
        assert_eq!(domain_of("postmaster"), "");
        assert_eq!(Recipient::new("x@Ü.de").domain(), "ü.de");
    }
}
