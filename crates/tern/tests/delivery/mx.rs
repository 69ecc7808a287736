//! Delivery by MX records from an in-process DNS server: preference order and fallback, null
//! MX and NXDOMAIN bounced with their own codes, SERVFAIL deferred.

use tern_store::{QueueStore, RecipientState};

use super::harness::{T0, receiver, sender_with_dns};
use crate::dns::TestDns;

#[tokio::test(flavor = "multi_thread")]
async fn the_most_preferred_mx_is_tried_first_and_the_next_one_takes_over() {
    let b = receiver("").await;
    let (received, port) = (&b.store, b.port);
    // mx1 (preference 10) is 127.0.0.2, where nothing listens: connection refused.
    // mx2 (preference 20) is 127.0.0.1, the receiving Tern.
    let dns = TestDns::builder()
        .mx("b.test", 20, "mx2.b.test")
        .mx("b.test", 10, "mx1.b.test")
        .a("mx1.b.test", "127.0.0.2")
        .a("mx2.b.test", "127.0.0.1")
        .start()
        .await;
    let s = sender_with_dns(&format!("[delivery]\nsmtp_port = {port}\n"), &[dns.addr]).await;
    let id = s
        .queue(
            Some("alice@a.test"),
            &["bob@b.test"],
            "Subject: mx\r\n\r\nhi\r\n",
            T0,
        )
        .await;
    s.deliver_at(T0).await;
    assert_eq!(s.states(id).await, vec![RecipientState::Delivered]);
    let timeline = s.store.attempts(id).await.unwrap();
    let hosts: Vec<_> = timeline
        .iter()
        .map(|a| a.mx_host.clone().unwrap_or_default())
        .collect();
    assert!(hosts.contains(&"mx2.b.test".to_owned()), "{timeline:?}");
    assert_eq!(received.list(Default::default()).await.unwrap().len(), 1);
    let info = s.info(id).await;
    assert_eq!(
        info.recipients[0].remote_host.as_deref(),
        Some("mx2.b.test")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn null_mx_and_nxdomain_bounce_with_their_codes_and_servfail_defers() {
    let dns = TestDns::builder()
        .null_mx("nullmx.test")
        .servfail("broken.test")
        .start()
        .await;
    let s = sender_with_dns("", &[dns.addr]).await;
    let null = s
        .queue(Some("alice@a.test"), &["x@nullmx.test"], "x\r\n", T0)
        .await;
    let nx = s
        .queue(Some("alice@a.test"), &["x@nowhere.test"], "x\r\n", T0)
        .await;
    let broken = s
        .queue(Some("alice@a.test"), &["x@broken.test"], "x\r\n", T0)
        .await;
    s.deliver_at(T0).await;
    let reply = |info: tern_store::MessageInfo| info.recipients[0].last_reply.clone().unwrap();
    assert_eq!(s.states(null).await, vec![RecipientState::Failed]);
    let r = reply(s.info(null).await);
    assert_eq!(
        (r.code, r.enhanced.as_deref()),
        (556, Some("5.1.10")),
        "{r:?}"
    );
    assert_eq!(s.states(nx).await, vec![RecipientState::Failed]);
    let r = reply(s.info(nx).await);
    assert_eq!(
        (r.code, r.enhanced.as_deref()),
        (550, Some("5.1.2")),
        "{r:?}"
    );
    assert_eq!(s.states(broken).await, vec![RecipientState::Deferred]);
    let r = reply(s.info(broken).await);
    assert_eq!(
        (r.code, r.enhanced.as_deref()),
        (451, Some("4.4.3")),
        "{r:?}"
    );
    let mail = s.alice_mail();
    assert_eq!(
        mail.len(),
        2,
        "one bounce each for the null MX and the missing domain"
    );
    assert!(mail.iter().any(|m| m.contains("556 5.1.10")), "{mail:?}");
    assert!(mail.iter().any(|m| m.contains("550 5.1.2")), "{mail:?}");
}
