//! Checks on delivery state: recipient updates, the timeline, due times, hold, reschedule.

use super::fixtures::envelope;
use super::{Check, Ctx, ensure, ensure_eq, nth};
use crate::attempt::{Attempt, Decision, Outcomes, Skipped, TlsOutcome};
use crate::error::StoreError;
use crate::id::QueueId;
use crate::status::{Outcome, RecipientState, RecipientUpdate, StoredReply};
use crate::store::QueueStore;

fn reply(code: u16, enhanced: Option<&str>, text: &str) -> StoredReply {
    StoredReply {
        code,
        enhanced: enhanced.map(str::to_owned),
        text: text.to_owned(),
    }
}

fn update(outcome: Outcome, r: Option<StoredReply>, at_ms: i64) -> RecipientUpdate {
    RecipientUpdate {
        outcome,
        reply: r,
        remote_host: Some("mx1.example.net".into()),
        at_ms,
    }
}

async fn enqueue<S: QueueStore>(s: &S, rcpts: &[&str], t: i64) -> Result<QueueId, String> {
    s.enqueue(envelope(Some("a@example.org"), rcpts, t), b"body".to_vec())
        .await
        .ctx("enqueue")
}

async fn due_set<S: QueueStore>(s: &S, now: i64) -> Result<Vec<(QueueId, u32)>, String> {
    Ok(s.due(now, 1000)
        .await
        .ctx("due")?
        .into_iter()
        .map(|d| (d.id, d.index))
        .collect())
}

pub(crate) async fn recipient_updates<S: QueueStore>(s: &S) -> Check {
    let id = enqueue(s, &["a@x.net", "b@x.net", "c@y.net"], 100).await?;
    let deferred = reply(
        451,
        Some("4.7.1"),
        "451-4.7.1 Greylisted\r\n451 4.7.1 try again later",
    );
    s.update_recipient(
        id,
        0,
        update(
            Outcome::Deferred {
                next_attempt_ms: 700,
            },
            Some(deferred.clone()),
            200,
        ),
    )
    .await
    .ctx("defer")?;
    s.update_recipient(
        id,
        1,
        update(
            Outcome::Delivered,
            Some(reply(250, None, "250 ok id=1")),
            210,
        ),
    )
    .await
    .ctx("deliver")?;
    s.update_recipient(
        id,
        2,
        update(
            Outcome::Failed,
            Some(reply(550, Some("5.1.1"), "550 5.1.1 no such user")),
            220,
        ),
    )
    .await
    .ctx("fail")?;
    let info = s.message(id).await.ctx("message")?;
    let r = &info.recipients;
    let (r0, r1, r2) = (
        nth(r, 0, "recipients")?,
        nth(r, 1, "recipients")?,
        nth(r, 2, "recipients")?,
    );
    ensure_eq!(r0.state, RecipientState::Deferred, "deferred state");
    ensure_eq!(r0.last_reply, Some(deferred.clone()), "deferred reply");
    ensure_eq!(r0.remote_host.as_deref(), Some("mx1.example.net"), "host");
    ensure_eq!(r0.updated_at_ms, 200, "updated_at");
    ensure_eq!(r0.next_attempt_ms, Some(700), "next attempt");
    ensure_eq!(r0.attempts, 1, "attempt count");
    ensure_eq!(r1.state, RecipientState::Delivered, "delivered state");
    ensure_eq!(r1.next_attempt_ms, None, "delivered is never due");
    ensure_eq!(
        r1.last_reply.as_ref().map(|r| r.code),
        Some(250),
        "delivered reply"
    );
    ensure_eq!(r2.state, RecipientState::Failed, "failed state");
    ensure_eq!(
        r2.last_reply.as_ref().and_then(|r| r.enhanced.clone()),
        Some("5.1.1".to_owned()),
        "failed enhanced code"
    );
    ensure_eq!(r2.next_attempt_ms, None, "failed is never due");

    // A second deferral replaces the reply and the time; a deferral without a reply (a DNS
    // failure) clears the old reply.
    s.update_recipient(
        id,
        0,
        update(
            Outcome::Deferred {
                next_attempt_ms: 900,
            },
            None,
            800,
        ),
    )
    .await
    .ctx("defer again")?;
    let info = s.message(id).await.ctx("message")?;
    let r0 = nth(&info.recipients, 0, "recipients")?;
    ensure_eq!(r0.next_attempt_ms, Some(900), "second next attempt");
    ensure_eq!(r0.last_reply, None, "reply cleared");
    ensure_eq!(r0.attempts, 2, "attempt count");
    ensure_eq!(due_set(s, 899).await?, vec![], "not due before its time");
    ensure_eq!(due_set(s, 900).await?, vec![(id, 0)], "due at its time");
    Ok(())
}

pub(crate) async fn final_states_are_final<S: QueueStore>(s: &S) -> Check {
    let id = enqueue(s, &["a@x.net", "b@x.net"], 100).await?;
    s.update_recipient(id, 0, update(Outcome::Delivered, None, 1))
        .await
        .ctx("deliver")?;
    s.update_recipient(id, 1, update(Outcome::Failed, None, 1))
        .await
        .ctx("fail")?;
    for index in [0, 1] {
        for outcome in [
            Outcome::Delivered,
            Outcome::Failed,
            Outcome::Deferred { next_attempt_ms: 5 },
        ] {
            match s
                .update_recipient(id, index, update(outcome, None, 2))
                .await
            {
                Err(StoreError::AlreadyFinal { index: i, .. }) if i == index => {}
                other => {
                    return Err(format!(
                        "update of final recipient {index} with {outcome:?}: {other:?}"
                    ));
                }
            }
        }
    }
    let info = s.message(id).await.ctx("message")?;
    ensure_eq!(
        nth(&info.recipients, 0, "recipients")?.state,
        RecipientState::Delivered,
        "still delivered"
    );
    ensure_eq!(
        nth(&info.recipients, 1, "recipients")?.state,
        RecipientState::Failed,
        "still failed"
    );
    ensure_eq!(
        s.reschedule(id, 0).await.ctx("reschedule")?,
        0,
        "final recipients are not rescheduled"
    );
    ensure_eq!(
        due_set(s, i64::MAX).await?,
        vec![],
        "final recipients are never due"
    );
    Ok(())
}

pub(crate) async fn attempt_timeline<S: QueueStore>(s: &S) -> Check {
    let id = enqueue(s, &["a@x.net", "b@x.net"], 100).await?;
    let first = Attempt {
        at_ms: 150,
        recipients: vec![0, 1],
        destination: "x.net".into(),
        mx_host: Some("mx1.x.net".into()),
        ip: Some("192.0.2.25".into()),
        tls: TlsOutcome::Failed {
            reason: "certificate expired".into(),
        },
        transcript: "> EHLO me\r\n< 250 mx1\r\n> STARTTLS\r\n< 454 4.7.0 TLS not available\r\n"
            .into(),
        decision: Decision::Deferred { until_ms: 750 },
        explanation: "The server could not start TLS.".into(),
    };
    let second = Attempt {
        at_ms: 800,
        recipients: vec![1],
        destination: "x.net".into(),
        mx_host: Some("mx2.x.net".into()),
        ip: Some("2001:db8::2".into()),
        tls: TlsOutcome::Established {
            protocol: "TLSv1.3".into(),
            cipher: "TLS_AES_128_GCM_SHA256".into(),
        },
        transcript: "< 250 2.0.0 ok\0 odd bytes ünï\r\n".into(),
        decision: Decision::Delivered,
        explanation: String::new(),
    };
    let third = Attempt {
        at_ms: 810,
        recipients: vec![],
        destination: "local".into(),
        mx_host: None,
        ip: None,
        tls: TlsOutcome::NotAttempted,
        transcript: String::new(),
        decision: Decision::Failed,
        explanation: "mailbox full".into(),
    };
    for a in [&first, &second, &third] {
        s.record_attempt(id, a.clone())
            .await
            .ctx("record_attempt")?;
    }
    ensure_eq!(
        s.attempts(id).await.ctx("attempts")?,
        vec![first, second, third],
        "timeline"
    );
    Ok(())
}

/// One delivery step over two messages: both timelines and every state land; a recipient
/// already final and a message deleted meanwhile are skipped and reported, not errors.
pub(crate) async fn recorded_outcomes<S: QueueStore>(s: &S) -> Check {
    let a = enqueue(s, &["a@x.net", "b@x.net", "c@x.net"], 100).await?;
    let b = enqueue(s, &["d@x.net"], 100).await?;
    let gone = enqueue(s, &["e@x.net"], 100).await?;
    s.update_recipient(a, 2, update(Outcome::Delivered, None, 150))
        .await
        .ctx("deciding c first")?;
    s.delete(gone).await.ctx("delete")?;
    let attempt = |recipients: Vec<u32>| Attempt {
        at_ms: 200,
        recipients,
        destination: "x.net".into(),
        mx_host: Some("mx1.x.net".into()),
        ip: None,
        tls: TlsOutcome::NotAttempted,
        transcript: "C: DATA".into(),
        decision: Decision::Deferred { until_ms: 900 },
        explanation: "one connection".into(),
    };
    let deferred = Outcome::Deferred {
        next_attempt_ms: 900,
    };
    let skipped = s
        .record_outcomes(Outcomes {
            attempts: vec![
                (a, attempt(vec![0, 1, 2])),
                (b, attempt(vec![0])),
                (gone, attempt(vec![0])),
            ],
            updates: vec![
                (a, 0, update(Outcome::Delivered, None, 200)),
                (a, 1, update(deferred, Some(reply(451, None, "later")), 200)),
                (a, 2, update(Outcome::Failed, None, 200)),
                (b, 0, update(Outcome::Failed, None, 200)),
                (gone, 0, update(Outcome::Delivered, None, 200)),
            ],
        })
        .await
        .ctx("record_outcomes")?;
    ensure_eq!(
        skipped,
        Skipped {
            recipients: vec![(a, 2), (gone, 0)],
            attempts: vec![gone],
        },
        "what was skipped"
    );
    let states = |info: crate::status::MessageInfo| -> Vec<RecipientState> {
        info.recipients.iter().map(|r| r.state).collect()
    };
    ensure_eq!(
        states(s.message(a).await.ctx("message a")?),
        vec![
            RecipientState::Delivered,
            RecipientState::Deferred,
            RecipientState::Delivered
        ],
        "a's states (c stays as first decided)"
    );
    ensure_eq!(
        states(s.message(b).await.ctx("message b")?),
        vec![RecipientState::Failed],
        "b's state"
    );
    ensure_eq!(
        s.attempts(a).await.ctx("attempts a")?,
        vec![attempt(vec![0, 1, 2])],
        "a's timeline"
    );
    ensure_eq!(
        s.attempts(b).await.ctx("attempts b")?.len(),
        1,
        "b's timeline"
    );
    ensure_eq!(
        s.record_outcomes(Outcomes::default())
            .await
            .ctx("nothing to record")?,
        Skipped::default(),
        "an empty step"
    );
    Ok(())
}

pub(crate) async fn due_by_time<S: QueueStore>(s: &S) -> Check {
    let a = enqueue(s, &["a@x.net"], 100).await?;
    let b = enqueue(s, &["b@x.net", "c@y.net"], 200).await?;
    let c = enqueue(s, &["d@z.net"], 300).await?;
    ensure_eq!(
        due_set(s, 99).await?,
        vec![],
        "nothing due before the first"
    );
    ensure_eq!(due_set(s, 150).await?, vec![(a, 0)], "due at 150");
    ensure_eq!(
        due_set(s, 300).await?,
        vec![(a, 0), (b, 0), (b, 1), (c, 0)],
        "due at 300, earliest first"
    );
    let limited = s.due(10_000, 2).await.ctx("due limit")?;
    ensure_eq!(
        limited.iter().map(|d| (d.id, d.index)).collect::<Vec<_>>(),
        vec![(a, 0), (b, 0)],
        "limit keeps the earliest"
    );
    let d = nth(&limited, 1, "due")?;
    ensure_eq!(d.address, "b@x.net", "due address");
    ensure_eq!(d.domain, "x.net", "due domain");
    ensure_eq!(d.state, RecipientState::Scheduled, "due state");
    ensure_eq!(d.due_at_ms, 200, "due time");
    ensure_eq!(s.due(10_000, 0).await.ctx("due 0")?.len(), 0, "limit 0");

    // A deferral moves the recipient to its new time, after the others.
    s.update_recipient(
        a,
        0,
        update(
            Outcome::Deferred {
                next_attempt_ms: 5_000,
            },
            None,
            400,
        ),
    )
    .await
    .ctx("defer")?;
    ensure_eq!(
        due_set(s, 4_999).await?,
        vec![(b, 0), (b, 1), (c, 0)],
        "deferred is not due early"
    );
    let later = s.due(5_000, 10).await.ctx("due")?;
    ensure_eq!(
        later.last().map(|d| (d.id, d.index, d.state)),
        Some((a, 0, RecipientState::Deferred)),
        "deferred comes due last"
    );
    Ok(())
}

pub(crate) async fn hold_and_release<S: QueueStore>(s: &S) -> Check {
    let a = enqueue(s, &["a@x.net"], 100).await?;
    let b = enqueue(s, &["b@x.net", "c@x.net"], 100).await?;
    s.hold(b).await.ctx("hold")?;
    s.hold(b).await.ctx("hold twice")?;
    ensure!(s.message(b).await.ctx("message")?.held, "held flag");
    ensure_eq!(due_set(s, 1_000).await?, vec![(a, 0)], "held is not due");
    // A held message still takes status updates (a delivery in flight may finish).
    s.update_recipient(
        b,
        0,
        update(
            Outcome::Deferred {
                next_attempt_ms: 200,
            },
            None,
            150,
        ),
    )
    .await
    .ctx("update while held")?;
    ensure_eq!(due_set(s, 1_000).await?, vec![(a, 0)], "still not due");
    s.release(b).await.ctx("release")?;
    s.release(b).await.ctx("release twice")?;
    ensure!(!s.message(b).await.ctx("message")?.held, "released flag");
    ensure_eq!(
        due_set(s, 1_000).await?,
        vec![(a, 0), (b, 1), (b, 0)],
        "released is due again, by time"
    );
    s.release(a).await.ctx("release unheld")?;
    ensure!(
        !s.message(a).await.ctx("message")?.held,
        "release of unheld"
    );
    Ok(())
}

pub(crate) async fn reschedule<S: QueueStore>(s: &S) -> Check {
    let id = enqueue(s, &["a@x.net", "b@x.net", "c@x.net"], 100).await?;
    s.update_recipient(
        id,
        0,
        update(
            Outcome::Deferred {
                next_attempt_ms: 9_000,
            },
            None,
            150,
        ),
    )
    .await
    .ctx("defer")?;
    s.update_recipient(id, 1, update(Outcome::Delivered, None, 150))
        .await
        .ctx("deliver")?;
    ensure_eq!(
        s.reschedule(id, 500).await.ctx("reschedule")?,
        2,
        "two recipients are not final"
    );
    ensure_eq!(due_set(s, 499).await?, vec![], "nothing due before");
    ensure_eq!(due_set(s, 500).await?, vec![(id, 0), (id, 2)], "retry now");
    let info = s.message(id).await.ctx("message")?;
    ensure_eq!(
        nth(&info.recipients, 0, "recipients")?.state,
        RecipientState::Deferred,
        "state kept"
    );
    ensure_eq!(
        nth(&info.recipients, 1, "recipients")?.next_attempt_ms,
        None,
        "final stays unscheduled"
    );
    // Many at once: each message answers for itself, a deleted one with NotFound.
    let other = enqueue(s, &["d@x.net", "e@x.net"], 100).await?;
    let gone = enqueue(s, &["f@x.net"], 100).await?;
    s.delete(gone).await.ctx("delete")?;
    let answers = s
        .reschedule_many(vec![id, gone, other], 900)
        .await
        .ctx("reschedule_many")?;
    ensure!(answers.len() == 3, "one answer per message: {answers:?}");
    ensure!(
        matches!(answers[0], Ok(2)) && matches!(answers[2], Ok(2)),
        "counts: {answers:?}"
    );
    ensure!(
        matches!(answers[1], Err(StoreError::NotFound(g)) if g == gone),
        "a deleted message: {answers:?}"
    );
    ensure_eq!(
        due_set(s, 900).await?,
        vec![(id, 0), (id, 2), (other, 0), (other, 1)],
        "all due together"
    );
    Ok(())
}
