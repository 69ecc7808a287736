//! Checks on messages: enqueue, read back, ids, sizes, unknown ids, delete.

use super::fixtures::{envelope, full_envelope, noise, tricky_body};
use super::join::join_all;
use super::{Check, Ctx, ensure, ensure_eq, nth};
use crate::error::StoreError;
use crate::filter::ListFilter;
use crate::id::QueueId;
use crate::status::{Outcome, RecipientState, RecipientUpdate};
use crate::store::QueueStore;
use crate::{Attempt, Decision, TlsOutcome};

pub(crate) async fn round_trip<S: QueueStore>(s: &S) -> Check {
    let env = full_envelope(1_700_000_000_000);
    let body = tricky_body();
    let id = s.enqueue(env.clone(), body.clone()).await.ctx("enqueue")?;
    ensure_eq!(s.envelope(id).await.ctx("envelope")?, env, "envelope");
    ensure_eq!(s.body(id).await.ctx("body")?, body, "body bytes");
    let info = s.message(id).await.ctx("message")?;
    ensure_eq!(info.id, id, "message id");
    ensure_eq!(info.envelope, env, "message envelope");
    ensure_eq!(info.body_len, body.len() as u64, "body_len");
    ensure!(!info.held, "a new message is not held");
    ensure_eq!(info.recipients.len(), 3, "recipient count");
    for (i, (st, r)) in info.recipients.iter().zip(&env.recipients).enumerate() {
        ensure_eq!(st.index as usize, i, "recipient index");
        ensure_eq!(st.address, r.address, "recipient address");
        ensure_eq!(st.notify, r.notify, "recipient notify");
        ensure_eq!(st.orcpt, r.orcpt, "recipient orcpt");
        ensure_eq!(st.state, RecipientState::Scheduled, "initial state");
        ensure_eq!(st.last_reply, None, "initial reply");
        ensure_eq!(st.remote_host, None, "initial host");
        ensure_eq!(st.attempts, 0, "initial attempts");
        ensure_eq!(st.updated_at_ms, env.received_at_ms, "initial updated_at");
        ensure_eq!(
            st.next_attempt_ms,
            Some(env.received_at_ms),
            "scheduled recipients are due at once"
        );
    }
    ensure_eq!(
        s.attempts(id).await.ctx("attempts")?.len(),
        0,
        "a new message has no attempts"
    );
    Ok(())
}

pub(crate) async fn null_sender_empty_body<S: QueueStore>(s: &S) -> Check {
    let env = envelope(None, &["postmaster@example.net"], 5);
    let id = s.enqueue(env.clone(), Vec::new()).await.ctx("enqueue")?;
    ensure_eq!(s.envelope(id).await.ctx("envelope")?, env, "envelope");
    ensure_eq!(s.envelope(id).await.ctx("envelope")?.sender, None, "sender");
    ensure!(s.body(id).await.ctx("body")?.is_empty(), "empty body");
    ensure_eq!(s.message(id).await.ctx("message")?.body_len, 0, "body_len");
    Ok(())
}

pub(crate) async fn invalid_envelope<S: QueueStore>(s: &S) -> Check {
    let env = envelope(Some("a@example.org"), &[], 5);
    match s.enqueue(env, b"x".to_vec()).await {
        Err(StoreError::InvalidEnvelope(_)) => {}
        other => {
            return Err(format!(
                "no recipients: expected InvalidEnvelope, got {other:?}"
            ));
        }
    }
    let all = s.list(ListFilter::default()).await.ctx("list")?;
    ensure!(all.is_empty(), "a refused message is not stored: {all:?}");
    Ok(())
}

pub(crate) async fn ids_unique_and_time_ordered<S: QueueStore>(s: &S) -> Check {
    let mut ids = Vec::new();
    for t in [1_000, 1_000, 1_000, 2_000, 2_001, 60_000] {
        let id = s
            .enqueue(envelope(Some("a@x.org"), &["b@y.org"], t), b"m".to_vec())
            .await
            .ctx("enqueue")?;
        ensure_eq!(id.unix_ms(), t as u64, "id carries the received-at time");
        let text = id.to_string();
        ensure_eq!(text.parse::<QueueId>(), Ok(id), "id parses back");
        ensure!(
            text.bytes().all(|b| b.is_ascii_alphanumeric()),
            "id is printable: {text}"
        );
        ids.push(id);
    }
    for (a, b) in ids.iter().zip(ids.iter().skip(1)) {
        ensure!(
            a < b && a.to_string() < b.to_string(),
            "ids increase: {a} then {b}"
        );
    }
    let listed: Vec<QueueId> = s
        .list(ListFilter::default())
        .await
        .ctx("list")?
        .into_iter()
        .map(|m| m.id)
        .collect();
    ensure_eq!(listed, ids, "list is oldest first");
    Ok(())
}

pub(crate) async fn concurrent_enqueues<S: QueueStore>(s: &S) -> Check {
    let futures: Vec<_> = (0..64u64)
        .map(|i| {
            let body = noise(100 + (i as usize) * 37, i);
            let env = envelope(Some("a@x.org"), &["b@y.org", "c@z.org"], 7_000);
            async move { (s.enqueue(env, body.clone()).await, body) }
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for (result, body) in join_all(futures).await {
        let id = result.ctx("concurrent enqueue")?;
        ensure!(ids.insert(id), "duplicate id {id}");
        ensure_eq!(
            s.body(id).await.ctx("body")?,
            body,
            "body of concurrent enqueue"
        );
    }
    ensure_eq!(
        s.list(ListFilter::default()).await.ctx("list")?.len(),
        64,
        "all concurrent enqueues are listed"
    );
    Ok(())
}

pub(crate) async fn large_bodies<S: QueueStore>(s: &S) -> Check {
    for (len, seed) in [
        (64 * 1024 - 1, 1),
        (64 * 1024, 2),
        (300_000, 3),
        (3 << 20, 4),
    ] {
        let body = noise(len, seed);
        let id = s
            .enqueue(envelope(Some("a@x.org"), &["b@y.org"], 9), body.clone())
            .await
            .ctx("enqueue large")?;
        let back = s.body(id).await.ctx("body large")?;
        ensure!(
            back == body,
            "body of {len} bytes differs (got {} bytes)",
            back.len()
        );
        ensure_eq!(
            s.message(id).await.ctx("message")?.body_len,
            len as u64,
            "body_len"
        );
    }
    Ok(())
}

pub(crate) async fn unknown_ids<S: QueueStore>(s: &S) -> Check {
    let known = s
        .enqueue(envelope(Some("a@x.org"), &["b@y.org"], 10), b"x".to_vec())
        .await
        .ctx("enqueue")?;
    let ghost = QueueId::from_parts(10, known.sequence().wrapping_add(1000));
    fn not_found<T: std::fmt::Debug>(what: &str, r: Result<T, StoreError>, id: QueueId) -> Check {
        match r {
            Err(StoreError::NotFound(got)) if got == id => Ok(()),
            other => Err(format!(
                "{what} on unknown id: expected NotFound, got {other:?}"
            )),
        }
    }
    let update = RecipientUpdate {
        outcome: Outcome::Delivered,
        reply: None,
        remote_host: None,
        at_ms: 11,
    };
    let attempt = Attempt {
        at_ms: 11,
        recipients: vec![0],
        destination: "y.org".into(),
        mx_host: None,
        ip: None,
        tls: TlsOutcome::NotAttempted,
        transcript: String::new(),
        decision: Decision::Delivered,
        explanation: String::new(),
    };
    not_found("message", s.message(ghost).await, ghost)?;
    not_found("envelope", s.envelope(ghost).await, ghost)?;
    not_found("body", s.body(ghost).await, ghost)?;
    not_found(
        "update_recipient",
        s.update_recipient(ghost, 0, update.clone()).await,
        ghost,
    )?;
    not_found(
        "record_attempt",
        s.record_attempt(ghost, attempt.clone()).await,
        ghost,
    )?;
    not_found("attempts", s.attempts(ghost).await, ghost)?;
    not_found("reschedule", s.reschedule(ghost, 1).await, ghost)?;
    not_found("hold", s.hold(ghost).await, ghost)?;
    not_found("release", s.release(ghost).await, ghost)?;
    not_found("delete", s.delete(ghost).await, ghost)?;
    match s.update_recipient(known, 1, update).await {
        Err(StoreError::RecipientNotFound { id, index: 1 }) if id == known => {}
        other => return Err(format!("unknown recipient index: got {other:?}")),
    }
    // The known message was not disturbed by any of this.
    let info = s.message(known).await.ctx("message")?;
    ensure_eq!(
        nth(&info.recipients, 0, "recipients")?.state,
        RecipientState::Scheduled,
        "state"
    );
    ensure!(!info.held, "not held");
    Ok(())
}

pub(crate) async fn delete<S: QueueStore>(s: &S) -> Check {
    let small = s
        .enqueue(envelope(Some("a@x.org"), &["b@y.org"], 10), b"x".to_vec())
        .await
        .ctx("enqueue")?;
    let big = s
        .enqueue(
            envelope(Some("a@x.org"), &["b@y.org"], 11),
            noise(500_000, 9),
        )
        .await
        .ctx("enqueue big")?;
    let keep = s
        .enqueue(envelope(Some("a@x.org"), &["c@y.org"], 12), b"k".to_vec())
        .await
        .ctx("enqueue keep")?;
    s.record_attempt(
        small,
        Attempt {
            at_ms: 20,
            recipients: vec![0],
            destination: "y.org".into(),
            mx_host: None,
            ip: None,
            tls: TlsOutcome::NotAttempted,
            transcript: "x".into(),
            decision: Decision::Failed,
            explanation: "x".into(),
        },
    )
    .await
    .ctx("record_attempt")?;
    for id in [small, big] {
        s.delete(id).await.ctx("delete")?;
        match s.message(id).await {
            Err(StoreError::NotFound(_)) => {}
            other => return Err(format!("deleted message still readable: {other:?}")),
        }
        match s.body(id).await {
            Err(StoreError::NotFound(_)) => {}
            other => {
                return Err(format!(
                    "deleted body still readable: {:?}",
                    other.map(|b| b.len())
                ));
            }
        }
        match s.delete(id).await {
            Err(StoreError::NotFound(_)) => {}
            other => return Err(format!("second delete: expected NotFound, got {other:?}")),
        }
    }
    let due = s.due(i64::MAX, 100).await.ctx("due")?;
    ensure!(
        due.iter().all(|d| d.id == keep),
        "deleted messages are not due: {due:?}"
    );
    let listed: Vec<QueueId> = s
        .list(ListFilter::default())
        .await
        .ctx("list")?
        .into_iter()
        .map(|m| m.id)
        .collect();
    ensure_eq!(listed, vec![keep], "only the kept message is listed");
    ensure_eq!(s.body(keep).await.ctx("body")?, b"k".to_vec(), "kept body");
    Ok(())
}

pub(crate) async fn fresh_store_recovery<S: QueueStore>(s: &S) -> Check {
    let r = s.recovery();
    ensure_eq!(r.messages, 0, "a fresh store has no messages");
    ensure_eq!(
        r.pending_recipients,
        0,
        "a fresh store has no pending recipients"
    );
    ensure!(r.missing_bodies.is_empty(), "no missing bodies");
    Ok(())
}
