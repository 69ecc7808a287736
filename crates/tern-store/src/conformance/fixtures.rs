//! Envelopes and bodies the checks use.

use crate::envelope::{
    BodyType, ClientInfo, Envelope, MailParams, Notify, Recipient, Ret, TlsInfo,
};

/// An envelope with every field set, to prove nothing is lost on the way through a store.
pub fn full_envelope(received_at_ms: i64) -> Envelope {
    Envelope {
        sender: Some("Sender.Name+tag@Example.ORG".into()),
        params: MailParams {
            size: Some(123_456),
            body: BodyType::EightBitMime,
            smtputf8: true,
            ret: Some(Ret::Headers),
            envid: Some("QQ314159 ünïcode".into()),
        },
        recipients: vec![
            Recipient {
                address: "first@example.net".into(),
                notify: Some(Notify::On {
                    success: true,
                    failure: true,
                    delay: false,
                }),
                orcpt: Some(crate::Orcpt::from_decoded("rfc822;first@example.net")),
            },
            Recipient {
                address: "zweiter@bücher.example".into(),
                notify: Some(Notify::Never),
                orcpt: None,
            },
            Recipient::new("\"quoted local\"@Example.COM"),
        ],
        client: ClientInfo {
            helo: "client.example.org".into(),
            peer_ip: "2001:db8::25".into(),
            tls: Some(TlsInfo {
                protocol: "TLSv1.3".into(),
                cipher: "TLS_AES_256_GCM_SHA384".into(),
            }),
            auth_user: Some("alice".into()),
        },
        received_at_ms,
    }
}

/// A simple envelope: one sender, the given recipients.
pub(crate) fn envelope(sender: Option<&str>, rcpts: &[&str], received_at_ms: i64) -> Envelope {
    Envelope::new(
        sender.map(str::to_owned),
        rcpts.iter().map(|r| Recipient::new(*r)).collect(),
        received_at_ms,
    )
}

/// Every byte value, NUL, bare CR, bare LF, a lone dot line and invalid UTF-8.
pub fn tricky_body() -> Vec<u8> {
    let mut b = b"Subject: t\r\n\r\nbare\rCR and bare\nLF\r\n.\r\n..\r\n\0NUL\0".to_vec();
    b.extend(0u8..=255);
    b.extend_from_slice(b"\xff\xfe\xc3\x28\r\n\r\n\r");
    b
}

/// Deterministic pseudo-random bytes (xorshift), so large bodies are not compressible.
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}
