//! A scripted SMTP peer: for each connection, answers each command with the next scripted
//! reply, so tests can provoke any behaviour (4yz then 2yz, 421 in mid-session, no
//! PIPELINING) and see exactly what the client sent.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use super::harness::{Sender, T0};
use tern_store::{Decision, QueueStore, RecipientState};

/// What a scripted connection does: replies in order to the greeting and each command line
/// (the DATA body is read up to the dot and answered with the next reply).
#[derive(Clone)]
pub struct Script(pub Vec<&'static str>);

/// A sender whose every batch opens its own connection (`connection_idle = "0s"`): each
/// scripted connection then carries exactly one batch. Reuse has its own tests below.
async fn scripted_sender(sections: &str) -> Sender {
    let no_reuse = "[delivery]\nconnection_idle = \"0s\"\n";
    let sections = if sections.contains("[delivery]\n") {
        sections.replacen("[delivery]\n", no_reuse, 1)
    } else {
        format!("{no_reuse}{sections}")
    };
    super::harness::sender(&sections).await
}

pub struct Peer {
    pub addr: SocketAddr,
    /// Every line the client sent, per connection.
    pub seen: Arc<Mutex<Vec<Vec<String>>>>,
}

/// Serves one script per connection, in order (the last repeats).
pub async fn peer(scripts: Vec<Script>) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((tcp, _)) = listener.accept().await {
            let script = scripts[n.min(scripts.len() - 1)].clone();
            n += 1;
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let (read, mut write) = tcp.into_split();
                let mut lines = BufReader::new(read).lines();
                let mut replies = script.0.into_iter();
                let mut conversation = Vec::new();
                if let Some(greeting) = replies.next() {
                    let _ = write.write_all(format!("{greeting}\r\n").as_bytes()).await;
                }
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    conversation.push(line.clone());
                    if in_data {
                        if line != "." {
                            continue;
                        }
                        in_data = false;
                    }
                    let Some(reply) = replies.next() else { break };
                    if reply.starts_with("354") {
                        in_data = true;
                    }
                    // A reply of several lines is written as given ("\n" separates lines).
                    let wire = reply.replace('\n', "\r\n");
                    if write
                        .write_all(format!("{wire}\r\n").as_bytes())
                        .await
                        .is_err()
                    {
                        break;
                    }
                    if reply.starts_with("221") || reply.starts_with("421") {
                        break;
                    }
                }
                log.lock().unwrap().push(conversation);
            });
        }
    });
    Peer { addr, seen }
}

fn route_to(peer: &Peer) -> String {
    format!(
        "[[delivery.route]]\ndomain = \"b.test\"\nhost = \"{}\"\n",
        peer.addr
    )
}

const EHLO_PIPELINING: &str = "250-b.test\n250-PIPELINING\n250 8BITMIME";
const EHLO_PLAIN: &str = "250-b.test\n250 8BITMIME";

#[tokio::test]
async fn a_4yz_defers_and_a_retry_delivers() {
    let p = peer(vec![
        Script(vec![
            "220 b.test",
            EHLO_PLAIN,
            "250 ok",
            "451 4.3.0 try later",
            "221 bye",
        ]),
        Script(vec![
            "220 b.test",
            EHLO_PLAIN,
            "250 ok",
            "250 ok",
            "354 go",
            "250 queued",
            "221 bye",
        ]),
    ])
    .await;
    let s = scripted_sender(&format!(
        "[delivery]\nretry_initial = \"1s\"\n{}",
        route_to(&p)
    ))
    .await;
    let id = s
        .queue(
            Some("alice@a.test"),
            &["bob@b.test"],
            "Subject: x\r\n\r\nhi\r\n",
            T0,
        )
        .await;
    s.deliver_at(T0).await;
    assert_eq!(s.states(id).await, vec![RecipientState::Deferred]);
    let info = s.info(id).await;
    let r = &info.recipients[0];
    assert_eq!(r.last_reply.as_ref().unwrap().code, 451);
    assert!(r.next_attempt_ms.unwrap() > T0);
    s.deliver_at(T0 + 500).await;
    assert_eq!(
        s.states(id).await,
        vec![RecipientState::Deferred],
        "not due yet"
    );
    s.deliver_at(T0 + 2_000).await;
    assert_eq!(s.states(id).await, vec![RecipientState::Delivered]);
    let timeline = s.store.attempts(id).await.unwrap();
    assert_eq!(timeline.len(), 2);
    assert!(
        timeline[0].transcript.contains("S: 451 4.3.0 try later"),
        "{}",
        timeline[0].transcript
    );
    assert!(
        s.bounces().await.is_empty(),
        "no bounce for a transient failure"
    );
}

#[tokio::test]
async fn a_5yz_fails_the_recipient_and_bounces_once_with_the_reply_and_its_explanation() {
    let p = peer(vec![Script(vec![
        "220 b.test",
        EHLO_PIPELINING,
        "250 ok",
        "550 5.1.1 <bob@b.test>: Recipient address rejected: User unknown in local recipient table",
        "250 ok",
        "354 go",
        "250 queued",
        "221 bye",
    ])])
    .await;
    let s = scripted_sender(&route_to(&p)).await;
    let id = s
        .queue(
            Some("alice@a.test"),
            &["bob@b.test", "carol@b.test"],
            "Subject: x\r\n\r\nhi\r\n",
            T0,
        )
        .await;
    s.deliver_at(T0).await;
    assert_eq!(
        s.states(id).await,
        vec![RecipientState::Failed, RecipientState::Delivered]
    );
    let mail = s.alice_mail();
    assert_eq!(mail.len(), 1, "exactly one bounce");
    let bounce = &mail[0];
    assert!(
        bounce.contains("550 5.1.1 <bob@b.test>: Recipient address rejected: User unknown"),
        "{bounce}"
    );
    assert!(
        bounce.contains("does not exist"),
        "the explanation: {bounce}"
    );
    assert!(
        bounce.contains("Final-Recipient: rfc822; bob@b.test")
            || bounce.contains("Final-Recipient: rfc822;bob@b.test"),
        "{bounce}"
    );
    assert!(
        !bounce.contains("carol@b.test\r\nAction: failed"),
        "carol was delivered"
    );
    // The bounce itself was delivered locally and is final.
    let bounces = s.bounces().await;
    assert_eq!(bounces.len(), 1);
    assert_eq!(bounces[0].recipients[0].state, RecipientState::Delivered);
}

#[tokio::test]
async fn a_bounce_is_never_bounced() {
    let p = peer(vec![Script(vec![
        "220 b.test",
        EHLO_PLAIN,
        "250 ok",
        "550 5.1.1 no such user",
        "221 bye",
    ])])
    .await;
    let s = scripted_sender(&route_to(&p)).await;
    let id = s
        .queue(None, &["bob@b.test"], "Subject: bounce\r\n\r\nx\r\n", T0)
        .await;
    s.deliver_at(T0).await;
    assert_eq!(s.states(id).await, vec![RecipientState::Failed]);
    assert_eq!(
        s.bounces().await.len(),
        1,
        "only the original null-sender message, no new bounce"
    );
    assert!(s.alice_mail().is_empty());
}

#[tokio::test]
async fn a_421_in_mid_session_defers_what_was_not_accepted() {
    let p = peer(vec![Script(vec![
        "220 b.test",
        EHLO_PLAIN,
        "250 ok",
        "250 ok",
        "421 4.3.2 shutting down",
    ])])
    .await;
    let s = scripted_sender(&route_to(&p)).await;
    let id = s
        .queue(
            Some("alice@a.test"),
            &["bob@b.test", "carol@b.test"],
            "x\r\n",
            T0,
        )
        .await;
    s.deliver_at(T0).await;
    let info = s.info(id).await;
    assert!(
        info.recipients
            .iter()
            .all(|r| r.state == RecipientState::Deferred),
        "{info:?}"
    );
    assert!(
        info.recipients
            .iter()
            .all(|r| r.last_reply.as_ref().unwrap().code == 421)
    );
    assert!(s.bounces().await.is_empty());
}

#[tokio::test]
async fn a_452_4_5_3_sends_the_rest_in_another_transaction_at_once() {
    let p = peer(vec![Script(vec![
        "220 b.test",
        EHLO_PLAIN,
        "250 ok",
        "250 ok",
        "452 4.5.3 too many recipients",
        "354 go",
        "250 first",
        "250 reset",
        "250 ok",
        "250 ok",
        "354 go",
        "250 second",
        "221 bye",
    ])])
    .await;
    let s = scripted_sender(&route_to(&p)).await;
    let id = s
        .queue(
            Some("alice@a.test"),
            &["bob@b.test", "carol@b.test"],
            "x\r\n",
            T0,
        )
        .await;
    s.deliver_at(T0).await;
    assert_eq!(
        s.states(id).await,
        vec![RecipientState::Delivered, RecipientState::Delivered]
    );
    let seen = p.seen.lock().unwrap();
    let mails = seen[0]
        .iter()
        .filter(|l| l.starts_with("MAIL FROM"))
        .count();
    assert_eq!(mails, 2, "{:?}", seen[0]);
}

#[tokio::test]
async fn pipelining_servers_get_one_batch_and_others_one_command_at_a_time() {
    let p = peer(vec![Script(vec![
        "220 b.test",
        EHLO_PIPELINING,
        "250 ok",
        "250 ok",
        "354 go",
        "250 queued",
        "221 bye",
    ])])
    .await;
    let s = scripted_sender(&route_to(&p)).await;
    let id = s
        .queue(
            Some("alice@a.test"),
            &["bob@b.test"],
            "hello\r\n.dot\r\n",
            T0,
        )
        .await;
    s.deliver_at(T0).await;
    assert_eq!(s.states(id).await, vec![RecipientState::Delivered]);
    let seen = p.seen.lock().unwrap();
    assert!(
        seen[0].contains(&"..dot".to_owned()),
        "dot-stuffed on the wire: {:?}",
        seen[0]
    );
}

#[tokio::test]
async fn connection_refused_is_transient() {
    let unused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = unused.local_addr().unwrap();
    drop(unused);
    let s = scripted_sender(&format!(
        "[[delivery.route]]\ndomain = \"b.test\"\nhost = \"{addr}\"\n"
    ))
    .await;
    let id = s
        .queue(Some("alice@a.test"), &["bob@b.test"], "x\r\n", T0)
        .await;
    s.deliver_at(T0).await;
    let info = s.info(id).await;
    assert_eq!(info.recipients[0].state, RecipientState::Deferred);
    let reply = info.recipients[0].last_reply.clone().unwrap();
    assert_eq!(
        (reply.code, reply.enhanced.as_deref()),
        (451, Some("4.4.1")),
        "{reply:?}"
    );
    assert!(s.bounces().await.is_empty());
}

#[tokio::test]
async fn expiry_fails_with_the_last_reply_and_bounces() {
    let p = peer(vec![Script(vec![
        "220 b.test",
        EHLO_PLAIN,
        "250 ok",
        "450 4.2.0 mailbox busy",
        "221 bye",
    ])])
    .await;
    let s = scripted_sender(&format!(
        "[delivery]\nmax_queue_time = \"1h\"\n{}",
        route_to(&p)
    ))
    .await;
    let id = s
        .queue(Some("alice@a.test"), &["bob@b.test"], "x\r\n", T0)
        .await;
    s.deliver_at(T0 + 2 * 3_600_000).await;
    assert_eq!(s.states(id).await, vec![RecipientState::Failed]);
    assert_eq!(s.alice_mail().len(), 1);
}

#[tokio::test]
async fn a_long_delay_warns_the_sender_once() {
    let p = peer(vec![Script(vec![
        "220 b.test",
        EHLO_PLAIN,
        "250 ok",
        "450 4.2.0 mailbox busy",
        "221 bye",
    ])])
    .await;
    let s = scripted_sender(&format!(
        "[delivery]\nretry_initial = \"1s\"\ndelay_warning = \"1h\"\n{}",
        route_to(&p)
    ))
    .await;
    let id = s
        .queue(Some("alice@a.test"), &["bob@b.test"], "x\r\n", T0)
        .await;
    s.deliver_at(T0).await;
    assert!(
        s.alice_mail().is_empty(),
        "no warning before the delay_warning time"
    );
    s.deliver_at(T0 + 2 * 3_600_000).await;
    let mail = s.alice_mail();
    assert_eq!(mail.len(), 1, "one delay warning");
    assert!(mail[0].contains("Action: delayed"), "{}", mail[0]);
    assert!(mail[0].contains("Will-Retry-Until:"), "{}", mail[0]);
    assert!(mail[0].contains("450 4.2.0 mailbox busy"), "{}", mail[0]);
    s.deliver_at(T0 + 3 * 3_600_000).await;
    assert_eq!(s.alice_mail().len(), 1, "only once");
    assert_eq!(s.states(id).await, vec![RecipientState::Deferred]);
}

#[tokio::test]
async fn notify_success_reports_a_local_delivery() {
    let s = scripted_sender("").await;
    let mut envelope = tern_store::Envelope::new(
        Some("alice@a.test".into()),
        vec![tern_store::Recipient {
            address: "postmaster@a.test".into(),
            notify: Some(tern_store::Notify::On {
                success: true,
                failure: true,
                delay: false,
            }),
            orcpt: Some(tern_store::Orcpt::from_decoded("rfc822;postmaster@a.test")),
        }],
        T0,
    );
    envelope.params.envid = Some("ENV-42".into());
    let id = s
        .store
        .enqueue(envelope, b"Subject: x\r\n\r\nhi\r\n".to_vec())
        .await
        .unwrap();
    s.deliver_at(T0).await;
    assert_eq!(s.states(id).await, vec![RecipientState::Delivered]);
    let mail = s.alice_mail();
    assert_eq!(mail.len(), 1, "one success notification");
    assert!(mail[0].contains("Action: delivered"), "{}", mail[0]);
    assert!(
        mail[0].contains("Original-Envelope-Id: ENV-42"),
        "{}",
        mail[0]
    );
    assert!(
        mail[0].contains("Original-Recipient: rfc822; postmaster@a.test")
            || mail[0].contains("Original-Recipient: rfc822;postmaster@a.test"),
        "{}",
        mail[0]
    );
}

#[tokio::test]
async fn notify_success_to_a_server_without_dsn_reports_relayed() {
    let p = peer(vec![Script(vec![
        "220 b.test",
        EHLO_PLAIN,
        "250 ok",
        "250 ok",
        "354 go",
        "250 queued",
        "221 bye",
    ])])
    .await;
    let s = scripted_sender(&route_to(&p)).await;
    let envelope = tern_store::Envelope::new(
        Some("alice@a.test".into()),
        vec![tern_store::Recipient {
            address: "bob@b.test".into(),
            notify: Some(tern_store::Notify::On {
                success: true,
                failure: true,
                delay: true,
            }),
            orcpt: None,
        }],
        T0,
    );
    let id = s.store.enqueue(envelope, b"x\r\n".to_vec()).await.unwrap();
    s.deliver_at(T0).await;
    assert_eq!(s.states(id).await, vec![RecipientState::Delivered]);
    let mail = s.alice_mail();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert!(mail[0].contains("Action: relayed"), "{}", mail[0]);
}

#[tokio::test]
async fn notify_success_to_a_server_with_dsn_is_left_to_that_server() {
    let ehlo_dsn = "250-b.test\n250-DSN\n250 8BITMIME";
    let p = peer(vec![Script(vec![
        "220 b.test",
        ehlo_dsn,
        "250 ok",
        "250 ok",
        "354 go",
        "250 queued",
        "221 bye",
    ])])
    .await;
    let s = scripted_sender(&route_to(&p)).await;
    let envelope = tern_store::Envelope::new(
        Some("alice@a.test".into()),
        vec![tern_store::Recipient {
            address: "bob@b.test".into(),
            notify: Some(tern_store::Notify::On {
                success: true,
                failure: true,
                delay: false,
            }),
            orcpt: None,
        }],
        T0,
    );
    let id = s.store.enqueue(envelope, b"x\r\n".to_vec()).await.unwrap();
    s.deliver_at(T0).await;
    assert_eq!(s.states(id).await, vec![RecipientState::Delivered]);
    assert!(
        s.alice_mail().is_empty(),
        "the next hop reports success itself"
    );
    let seen = p.seen.lock().unwrap();
    assert!(
        seen[0].iter().any(|l| l.contains("NOTIFY=SUCCESS,FAILURE")),
        "{:?}",
        seen[0]
    );
}

#[tokio::test]
async fn a_rate_limiting_destination_is_paused_then_resumed() {
    let p = peer(vec![
        Script(vec![
            "220 b.test",
            EHLO_PLAIN,
            "250 ok",
            "450 4.2.1 The user you are trying to contact is receiving mail too quickly. Please resend your message at a later time. - gsmtp",
            "221 bye",
        ]),
        Script(vec![
            "220 b.test",
            EHLO_PLAIN,
            "250 ok",
            "250 ok",
            "354 go",
            "250 queued 1",
            "250 reset",
            "250 ok",
            "250 ok",
            "354 go",
            "250 queued 2",
            "221 bye",
        ]),
    ])
    .await;
    let s = scripted_sender(&format!(
        "[delivery]\nretry_initial = \"1s\"\nrate_limit_pause = \"60s\"\n{}",
        route_to(&p)
    ))
    .await;
    let first = s
        .queue(
            Some("alice@a.test"),
            &["bob@b.test"],
            "Subject: 1\r\n\r\nhi\r\n",
            T0,
        )
        .await;
    s.deliver_at(T0).await;
    let r = &s.info(first).await.recipients[0];
    assert_eq!(r.state, RecipientState::Deferred);
    assert_eq!(
        r.next_attempt_ms,
        Some(T0 + 60_000),
        "not retried before the pause, though retry_initial is 1s"
    );
    let timeline = s.store.attempts(first).await.unwrap();
    assert!(
        timeline[0].explanation.contains("cause rate_limited")
            && timeline[0].explanation.contains("Slowing down for b.test"),
        "{}",
        timeline[0].explanation
    );

    // New mail for the destination waits for the pause, without a connection.
    let second = s
        .queue(
            Some("alice@a.test"),
            &["carol@b.test"],
            "Subject: 2\r\n\r\nhi\r\n",
            T0 + 10_000,
        )
        .await;
    s.deliver_at(T0 + 10_000).await;
    let r = &s.info(second).await.recipients[0];
    assert_eq!(r.state, RecipientState::Deferred);
    let reply = r.last_reply.as_ref().unwrap();
    assert_eq!(
        (reply.code, reply.enhanced.as_deref()),
        (451, Some("4.4.5"))
    );
    assert!(
        reply
            .text
            .contains("b.test said this server sends too fast"),
        "{}",
        reply.text
    );
    assert_eq!(r.next_attempt_ms, Some(T0 + 60_000));
    assert_eq!(
        p.seen.lock().unwrap().len(),
        1,
        "no connection during the pause"
    );

    // After the pause both go, on one connection.
    s.deliver_at(T0 + 61_000).await;
    assert_eq!(s.states(first).await, vec![RecipientState::Delivered]);
    assert_eq!(s.states(second).await, vec![RecipientState::Delivered]);
    assert_eq!(p.seen.lock().unwrap().len(), 2);
}

/// The timeline's "deferred until" is the time the worker will really retry the recipient
/// (its backoff grows with its attempts), and a connection that delivered one recipient and
/// failed the other is not labelled "deferred".
#[tokio::test(flavor = "multi_thread")]
async fn the_timeline_says_when_the_worker_will_really_retry() {
    let deferring = Script(vec![
        "220 b.test ESMTP",
        EHLO_PLAIN,
        "250 ok",
        "451 4.3.0 try later",
        "221 bye",
    ]);
    let p = peer(vec![
        deferring.clone(),
        deferring,
        Script(vec![
            "220 b.test ESMTP",
            EHLO_PLAIN,
            "250 ok",
            "250 ok",
            "550 5.1.1 no such user",
            "354 go",
            "250 queued",
            "221 bye",
        ]),
    ])
    .await;
    let s = scripted_sender(&format!(
        "[delivery]\nretry_initial = \"1s\"\nretry_max = \"1h\"\n{}",
        route_to(&p)
    ))
    .await;
    let id = s
        .queue(Some("alice@a.test"), &["bob@b.test"], "x\r\n", T0)
        .await;
    s.deliver_at(T0).await;
    s.deliver_at(T0 + 1_000).await;
    let info = s.info(id).await;
    let next = info.recipients[0].next_attempt_ms.unwrap();
    assert_eq!(
        next,
        T0 + 1_000 + 2_000,
        "the second retry waits twice as long"
    );
    let timeline = s.store.attempts(id).await.unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(
        timeline[1].decision,
        Decision::Deferred { until_ms: next },
        "the timeline names the real next attempt"
    );

    let two = s
        .queue(
            Some("alice@a.test"),
            &["bob@b.test", "nobody@b.test"],
            "y\r\n",
            T0,
        )
        .await;
    // Before the first message is due again: this connection is the second message's alone.
    s.deliver_at(T0 + 2_500).await;
    let timeline = s.store.attempts(two).await.unwrap();
    assert_eq!(
        s.states(two).await,
        vec![RecipientState::Delivered, RecipientState::Failed]
    );
    assert_eq!(timeline.last().unwrap().decision, Decision::Failed);
}

/// A kept connection that the server closed meanwhile is replaced by a new one, and the
/// message is delivered on it: reuse never costs a delivery.
#[tokio::test(flavor = "multi_thread")]
async fn a_kept_connection_the_server_closed_is_replaced() {
    let whole = Script(vec![
        "220 b.test ESMTP",
        EHLO_PLAIN,
        "250 ok",
        "250 ok",
        "354 go",
        "250 queued",
    ]);
    let p = peer(vec![whole.clone(), whole]).await;
    let s = super::harness::sender(&route_to(&p)).await;
    let first = s
        .queue(Some("alice@a.test"), &["bob@b.test"], "one\r\n", T0)
        .await;
    s.deliver_at(T0).await;
    assert_eq!(s.states(first).await, vec![RecipientState::Delivered]);
    assert_eq!(s.delivery.idle_connections(), 1, "kept for the next batch");
    let second = s
        .queue(Some("alice@a.test"), &["carol@b.test"], "two\r\n", T0)
        .await;
    s.deliver_at(T0).await;
    assert_eq!(s.states(second).await, vec![RecipientState::Delivered]);
    let timeline = s.store.attempts(second).await.unwrap();
    assert_eq!(timeline.len(), 1, "the dead connection is not an attempt");
    assert!(
        timeline[0].transcript.starts_with("connect "),
        "{}",
        timeline[0].transcript
    );
    // The first connection ended at the RSET that found it gone (the second is still open,
    // kept for the next batch, so the peer has not logged it yet).
    let seen = p.seen.lock().unwrap().clone();
    assert_eq!(seen[0].last().map(String::as_str), Some("RSET"), "{seen:?}");
}

/// At shutdown the connections kept for reuse say QUIT instead of vanishing.
#[tokio::test(flavor = "multi_thread")]
async fn kept_connections_say_quit_at_shutdown() {
    let p = peer(vec![Script(vec![
        "220 b.test ESMTP",
        EHLO_PLAIN,
        "250 ok",
        "250 ok",
        "354 go",
        "250 queued",
        "221 bye",
    ])])
    .await;
    let s = super::harness::sender(&route_to(&p)).await;
    let id = s
        .queue(Some("alice@a.test"), &["bob@b.test"], "one\r\n", T0)
        .await;
    s.deliver_at(T0).await;
    assert_eq!(s.states(id).await, vec![RecipientState::Delivered]);
    assert_eq!(s.delivery.idle_connections(), 1);
    s.delivery
        .close_kept_connections(std::time::Duration::from_secs(5))
        .await;
    assert_eq!(s.delivery.idle_connections(), 0);
    // The peer logs a conversation when it ends.
    for _ in 0..100 {
        if !p.seen.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let seen = p.seen.lock().unwrap().clone();
    assert_eq!(seen[0].last().map(String::as_str), Some("QUIT"), "{seen:?}");
}
