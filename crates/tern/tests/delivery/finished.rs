//! After delivery: a message whose recipients are all final is finished by the worker's
//! periodic tidy-up (`finish_settled`, here called as the worker does): it keeps its history
//! (envelope, statuses, timeline) but not its body, and is deleted by a purge once
//! `keep_finished` has passed. A message with a recipient still to try keeps its body.

use tern_store::{QueueStore, RecipientState, StoreError};

use super::harness::{T0, receiver, sender};

fn route(port: u16) -> String {
    format!(
        "[[delivery.route]]\ndomain = \"b.test\"\nhost = \"127.0.0.1:{port}\"\ntls = \"none\"\n"
    )
}

fn assert_body_dropped(result: Result<Vec<u8>, StoreError>) {
    match result {
        Err(StoreError::BodyDropped(_)) => {}
        other => panic!("body of a finished message: {:?}", other.map(|b| b.len())),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delivered_message_keeps_its_history_not_its_body() {
    let b = receiver("").await;
    let a = sender(&route(b.port)).await;
    let local = a
        .queue(
            Some("bob@b.test"),
            &["alice@a.test"],
            "Subject: l\r\n\r\nl\r\n",
            T0,
        )
        .await;
    let remote = a
        .queue(
            Some("alice@a.test"),
            &["bob@b.test"],
            "Subject: r\r\n\r\nr\r\n",
            T0,
        )
        .await;
    a.deliver_at(T0).await;
    // Until the tidy-up, the body stays for reports.
    assert!(a.store.body(local).await.is_ok());
    assert_eq!(
        a.store.finish_settled(T0, 100).await.unwrap(),
        0,
        "not before T0"
    );
    assert_eq!(a.store.finish_settled(T0 + 1, 100).await.unwrap(), 2);
    for id in [local, remote] {
        assert_eq!(a.states(id).await, vec![RecipientState::Delivered]);
        assert_body_dropped(a.store.body(id).await);
        let timeline = a.store.attempts(id).await.unwrap();
        assert_eq!(timeline.len(), 1, "the timeline is kept");
    }
    assert_eq!(a.alice_mail().len(), 1, "delivered before the body went");

    // Purged once finished before the cut-off; not before.
    assert_eq!(a.store.purge_finished(T0, 100).await.unwrap(), 0);
    assert_eq!(a.store.purge_finished(T0 + 1, 100).await.unwrap(), 2);
    for id in [local, remote] {
        assert!(matches!(
            a.store.message(id).await,
            Err(StoreError::NotFound(_))
        ));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bounced_message_is_reported_with_its_body_then_finished() {
    let a = sender("").await;
    let id = a
        .queue(
            Some("alice@a.test"),
            &["nobody@a.test"],
            "Subject: lost letter\r\n\r\nhello\r\n",
            T0,
        )
        .await;
    a.deliver_at(T0).await;
    assert_eq!(a.states(id).await, vec![RecipientState::Failed]);
    // The bounce went to alice with the original headers, and then the body can go.
    a.deliver_at(T0).await;
    assert!(a.store.finish_settled(T0 + 1, 100).await.unwrap() >= 1);
    assert_body_dropped(a.store.body(id).await);
    let mail = a.alice_mail();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert!(mail[0].contains("Subject: lost letter"), "{}", mail[0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_with_a_recipient_left_to_try_keeps_its_body() {
    // Nothing listens on the route's port: the remote recipient is deferred.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let a = sender(&route(port)).await;
    let id = a
        .queue(
            Some("alice@a.test"),
            &["alice@a.test", "bob@b.test"],
            "Subject: half\r\n\r\nx\r\n",
            T0,
        )
        .await;
    a.deliver_at(T0).await;
    assert_eq!(
        a.states(id).await,
        vec![RecipientState::Delivered, RecipientState::Deferred]
    );
    assert_eq!(
        a.store.body(id).await.unwrap(),
        b"Subject: half\r\n\r\nx\r\n".to_vec()
    );
    assert_eq!(a.store.finish_settled(i64::MAX, 100).await.unwrap(), 0);
    assert_eq!(a.store.purge_finished(i64::MAX, 100).await.unwrap(), 0);
}
