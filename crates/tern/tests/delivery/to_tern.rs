//! Tern delivering to Tern: STARTTLS with the receiver's self-signed certificate, the 452
//! split against a real recipient limit, a refused recipient bounced with the receiver's
//! reply and its explanation, and a binary message relayed with BDAT.

use tern_store::{
    BodyType, Envelope, ListFilter, QueueStore, Recipient, RecipientState, TlsOutcome,
};

use super::harness::{T0, receiver, sender};

fn route(port: u16) -> String {
    format!("[[delivery.route]]\ndomain = \"b.test\"\nhost = \"127.0.0.1:{port}\"\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn starttls_with_a_self_signed_certificate_is_used_and_recorded() {
    let b = receiver("").await;
    let a = sender(&route(b.port)).await;
    let id = a
        .queue(
            Some("alice@a.test"),
            &["bob@b.test"],
            "Subject: tls\r\n\r\nsecret\r\n",
            T0,
        )
        .await;
    a.deliver_at(T0).await;
    assert_eq!(a.states(id).await, vec![RecipientState::Delivered]);
    let timeline = a.store.attempts(id).await.unwrap();
    match &timeline[0].tls {
        TlsOutcome::Established { protocol, cipher } => {
            assert!(protocol.starts_with("TLSv1."), "{protocol}");
            assert!(
                cipher.contains("not verified"),
                "a self-signed certificate: {cipher}"
            );
        }
        other => panic!("TLS was not used: {other:?}"),
    }
    assert!(
        timeline[0].transcript.contains("C: STARTTLS"),
        "{}",
        timeline[0].transcript
    );
    let received = b.store.list(ListFilter::default()).await.unwrap();
    assert_eq!(received.len(), 1);
    let body = b.store.body(received[0].id).await.unwrap();
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("with ESMTPS"), "{text}");
    assert!(text.ends_with("Subject: tls\r\n\r\nsecret\r\n"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recipient_limit_splits_the_message_into_transactions() {
    let b = receiver("[limits]\nmax_recipients = 1\n").await;
    let a = sender(&route(b.port)).await;
    let id = a
        .queue(
            Some("alice@a.test"),
            &["bob@b.test", "carol@b.test", "dave@b.test"],
            "x\r\n",
            T0,
        )
        .await;
    a.deliver_at(T0).await;
    assert_eq!(a.states(id).await, vec![RecipientState::Delivered; 3]);
    let received = b.store.list(ListFilter::default()).await.unwrap();
    assert_eq!(received.len(), 3, "one message per transaction");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_user_at_the_receiver_bounces_with_its_reply_and_explanation() {
    let b = receiver("").await;
    let a = sender(&route(b.port)).await;
    let id = a
        .queue(Some("alice@a.test"), &["nobody@b.test"], "x\r\n", T0)
        .await;
    a.deliver_at(T0).await;
    assert_eq!(a.states(id).await, vec![RecipientState::Failed]);
    let mail = a.alice_mail();
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].contains("550 5.1.1 No such user here: <nobody@b.test>"),
        "{}",
        mail[0]
    );
    assert!(
        mail[0].contains("Check the address for typos"),
        "the catalogue's advice: {}",
        mail[0]
    );
    if std::env::var_os("SHOW_BOUNCE").is_some() {
        println!("{}", mail[0]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_smarthost_route_logs_in_over_starttls() {
    // The receiver's submission port: AUTH required, offered only under TLS.
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "[server]\nhostname = \"smarthost.test\"\ndata_dir = \"{}\"\n\
         [[listener]]\nkind = \"submission\"\naddress = \"127.0.0.1:0\"\n\
         [auth]\nfailure_delay = \"1ms\"\n",
        dir.path().display()
    );
    let config = std::sync::Arc::new(tern_config::Config::parse(&toml).unwrap());
    tern_server::users::UserDb::open(dir.path().join("users"))
        .unwrap()
        .add("alice@a.test", "relay-secret")
        .unwrap();
    let store = std::sync::Arc::new(
        tern_store::SqliteStore::open(tern_store::SqliteConfig::new(dir.path().join("queue")))
            .unwrap(),
    );
    let handle = tern_server::start(
        config,
        std::sync::Arc::clone(&store),
        tern_server::Hooks::default(),
    )
    .await
    .unwrap();
    let port = handle
        .address(tern_config::ListenerKind::Submission)
        .unwrap()
        .port();
    let route = |password: &str| {
        format!(
            "[[delivery.route]]\ndomain = \"*\"\nhost = \"127.0.0.1:{port}\"\n\
             username = \"alice@a.test\"\npassword = \"{password}\"\n"
        )
    };
    // The right password: relayed (the smarthost accepts any domain from its user).
    let a = sender(&route("relay-secret")).await;
    let id = a
        .queue(Some("alice@a.test"), &["someone@far.example"], "x\r\n", T0)
        .await;
    a.deliver_at(T0).await;
    let timeline = a.store.attempts(id).await.unwrap();
    assert_eq!(
        a.states(id).await,
        vec![RecipientState::Delivered],
        "{timeline:#?}"
    );
    assert!(
        timeline[0].transcript.contains("C: AUTH PLAIN <redacted>"),
        "{}",
        timeline[0].transcript
    );
    assert!(!timeline[0].transcript.contains("relay-secret"));
    assert_eq!(store.list(ListFilter::default()).await.unwrap().len(), 1);

    // A wrong password: deferred with the smarthost's refusal, never bounced.
    let a = sender(&route("wrong")).await;
    let id = a
        .queue(Some("alice@a.test"), &["someone@far.example"], "x\r\n", T0)
        .await;
    a.deliver_at(T0).await;
    let info = a.info(id).await;
    assert_eq!(
        info.recipients[0].state,
        RecipientState::Deferred,
        "{info:?}"
    );
    assert!(a.alice_mail().is_empty());
}

/// RFC 3030 §3: a message received as `BODY=BINARYMIME` is relayed with BDAT to a server that
/// offers CHUNKING and BINARYMIME (Tern does), octet for octet, never over DATA.
#[tokio::test(flavor = "multi_thread")]
async fn a_binary_message_is_relayed_with_bdat_unchanged() {
    let b = receiver("").await;
    let a = sender(&route(b.port)).await;
    let body = b"Subject: bin\r\nContent-Type: application/octet-stream\r\n\r\n.\x00\xff\nbare\rcr\r\n.\r\n".to_vec();
    let mut envelope = Envelope::new(
        Some("alice@a.test".to_owned()),
        vec![Recipient::new("bob@b.test")],
        T0,
    );
    envelope.params.body = BodyType::BinaryMime;
    let id = a.store.enqueue(envelope, body.clone()).await.unwrap();
    a.deliver_at(T0).await;
    assert_eq!(a.states(id).await, vec![RecipientState::Delivered]);
    let transcript = &a.store.attempts(id).await.unwrap()[0].transcript;
    assert!(transcript.contains("BODY=BINARYMIME"), "{transcript}");
    assert!(
        transcript.contains(&format!("C: BDAT {} LAST", body.len())),
        "{transcript}"
    );
    assert!(!transcript.contains("C: DATA"), "{transcript}");
    let received = b.store.list(ListFilter::default()).await.unwrap();
    assert_eq!(received.len(), 1);
    let stored = b.store.body(received[0].id).await.unwrap();
    assert!(stored.ends_with(&body), "the octets arrive unchanged");
    let envelope = b.store.message(received[0].id).await.unwrap().envelope;
    assert_eq!(envelope.params.body, BodyType::BinaryMime);
}

/// A connection whose messages are done is kept open: the next batch to the same host goes
/// over it with RSET, without a new TCP connection, EHLO or TLS handshake. With
/// `connection_idle = "0s"` every batch opens its own.
#[tokio::test(flavor = "multi_thread")]
async fn the_next_batch_reuses_the_connection_and_0s_turns_it_off() {
    for (idle, reused) in [("5s", true), ("0s", false)] {
        let b = receiver("").await;
        let a = sender(&format!(
            "[delivery]\nconnection_idle = \"{idle}\"\n{}",
            route(b.port)
        ))
        .await;
        let mut ids = Vec::new();
        for n in 0..3 {
            let id = a
                .queue(
                    Some("alice@a.test"),
                    &["bob@b.test"],
                    &format!("m{n}\r\n"),
                    T0,
                )
                .await;
            a.deliver_at(T0).await;
            assert_eq!(a.states(id).await, vec![RecipientState::Delivered]);
            ids.push(id);
        }
        for (n, id) in ids.iter().enumerate() {
            let timeline = a.store.attempts(*id).await.unwrap();
            let t = &timeline[0].transcript;
            if n > 0 && reused {
                assert!(t.contains("kept open from an earlier batch"), "{t}");
                assert!(t.contains("C: RSET"), "{t}");
                assert!(!t.contains("C: EHLO"), "{t}");
                assert!(
                    matches!(timeline[0].tls, TlsOutcome::Established { .. }),
                    "still under TLS"
                );
            } else {
                assert!(t.starts_with("connect "), "{t}");
                assert!(t.contains("C: EHLO"), "{t}");
            }
        }
        assert_eq!(
            b.store.list(ListFilter::default()).await.unwrap().len(),
            3,
            "every message arrived once"
        );
    }
}

/// Messages that share a connection each keep their own part of its transcript in their
/// timeline: the connection's commands and their own transaction, not the others'.
#[tokio::test(flavor = "multi_thread")]
async fn each_message_of_a_shared_connection_has_its_own_transcript() {
    let b = receiver("").await;
    let a = sender(&route(b.port)).await;
    let first = a
        .queue(Some("alice@a.test"), &["bob@b.test"], "one\r\n", T0)
        .await;
    let second = a
        .queue(Some("alice@a.test"), &["carol@b.test"], "two\r\n", T0)
        .await;
    a.deliver_at(T0).await;
    let t1 = &a.store.attempts(first).await.unwrap()[0].transcript;
    let t2 = &a.store.attempts(second).await.unwrap()[0].transcript;
    for t in [t1, t2] {
        assert!(t.contains("C: EHLO"), "the connection's own commands: {t}");
    }
    assert!(
        t1.contains("RCPT TO:<bob@b.test>") && !t1.contains("carol"),
        "{t1}"
    );
    assert!(
        t2.contains("RCPT TO:<carol@b.test>") && !t2.contains("bob"),
        "{t2}"
    );
}
