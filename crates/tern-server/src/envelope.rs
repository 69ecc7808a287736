//! From the session's envelope (parsed SMTP) to the store's envelope (plain data).

use std::net::IpAddr;

use tern_proto::Envelope as SmtpEnvelope;
use tern_store as store;

/// The store's envelope for a received message. `recipients` are the addresses to store, in
/// the session's order.
pub fn to_store(
    envelope: &SmtpEnvelope,
    recipients: Vec<String>,
    ip: &IpAddr,
    received_at_ms: i64,
) -> store::Envelope {
    let params = &envelope.params;
    store::Envelope {
        sender: envelope.from.mailbox().map(|m| m.to_string()),
        params: store::MailParams {
            size: params.size,
            body: params.body.unwrap_or_default(),
            smtputf8: params.smtputf8,
            ret: params.ret,
            envid: params.envid.clone(),
        },
        recipients: recipients
            .into_iter()
            .zip(&envelope.recipients)
            .map(|(address, r)| store::Recipient {
                address,
                notify: r.params.notify,
                orcpt: r.params.orcpt.clone(),
            })
            .collect(),
        client: store::ClientInfo {
            helo: envelope.helo.clone(),
            peer_ip: ip.to_string(),
            tls: envelope.tls.as_ref().map(|t| store::TlsInfo {
                protocol: t.version.clone(),
                cipher: t.cipher.clone(),
            }),
            auth_user: envelope.auth.clone(),
        },
        received_at_ms,
    }
}
