//! Checks on finishing and purging: a finished message loses its body and keeps its history
//! until it is purged.

use super::fixtures::{envelope, noise};
use super::{Check, Ctx, ensure, ensure_eq};
use crate::error::StoreError;
use crate::status::{Outcome, RecipientState, RecipientUpdate};
use crate::store::QueueStore;

fn final_update(outcome: Outcome, at_ms: i64) -> RecipientUpdate {
    RecipientUpdate {
        outcome,
        reply: None,
        remote_host: None,
        at_ms,
    }
}

pub(crate) async fn finish_and_purge<S: QueueStore>(s: &S) -> Check {
    let two = s
        .enqueue(
            envelope(Some("a@x.org"), &["b@y.org", "c@y.org"], 10),
            b"two".to_vec(),
        )
        .await
        .ctx("enqueue")?;
    // Large enough to be a spool file where the backend has them.
    let big = s
        .enqueue(
            envelope(Some("a@x.org"), &["d@y.org"], 11),
            noise(300_000, 3),
        )
        .await
        .ctx("enqueue big")?;
    let pending = s
        .enqueue(envelope(Some("a@x.org"), &["e@y.org"], 12), b"p".to_vec())
        .await
        .ctx("enqueue pending")?;

    // Not finished while a recipient is pending.
    ensure!(
        !s.finish(two, 20).await.ctx("finish")?,
        "finished with 2 pending"
    );
    s.update_recipient(two, 0, final_update(Outcome::Delivered, 30))
        .await
        .ctx("update")?;
    ensure!(
        !s.finish(two, 31).await.ctx("finish")?,
        "finished with 1 pending"
    );
    ensure_eq!(s.body(two).await.ctx("body")?, b"two".to_vec(), "body kept");
    s.update_recipient(two, 1, final_update(Outcome::Failed, 40))
        .await
        .ctx("update")?;
    ensure!(
        s.finish(two, 50).await.ctx("finish")?,
        "not finished when all are final"
    );
    ensure!(!s.finish(two, 51).await.ctx("finish")?, "finished twice");
    match s.body(two).await {
        Err(StoreError::BodyDropped(id)) if id == two => {}
        other => return Err(format!("body after finish: {:?}", other.map(|b| b.len()))),
    }
    let info = s.message(two).await.ctx("message after finish")?;
    let states: Vec<RecipientState> = info.recipients.iter().map(|r| r.state).collect();
    ensure_eq!(
        states,
        vec![RecipientState::Delivered, RecipientState::Failed],
        "statuses kept"
    );

    s.update_recipient(big, 0, final_update(Outcome::Delivered, 60))
        .await
        .ctx("update big")?;
    ensure!(
        s.finish(big, 100).await.ctx("finish big")?,
        "big not finished"
    );
    match s.body(big).await {
        Err(StoreError::BodyDropped(_)) => {}
        other => {
            return Err(format!(
                "big body after finish: {:?}",
                other.map(|b| b.len())
            ));
        }
    }

    // Purge: only what finished before the cut-off, never a pending message.
    ensure_eq!(
        s.purge_finished(100, 10).await.ctx("purge")?,
        1,
        "purged before 100"
    );
    match s.message(two).await {
        Err(StoreError::NotFound(_)) => {}
        other => return Err(format!("purged message still there: {other:?}")),
    }
    s.message(big).await.ctx("big kept until its time")?;
    ensure_eq!(
        s.purge_finished(i64::MAX, 10).await.ctx("purge all")?,
        1,
        "purged the rest"
    );
    match s.message(big).await {
        Err(StoreError::NotFound(_)) => {}
        other => return Err(format!("purged big message still there: {other:?}")),
    }
    ensure_eq!(
        s.purge_finished(i64::MAX, 10).await.ctx("purge again")?,
        0,
        "nothing left"
    );
    ensure_eq!(
        s.body(pending).await.ctx("pending body")?,
        b"p".to_vec(),
        "pending kept"
    );
    let due = s.due(i64::MAX, 10).await.ctx("due")?;
    ensure!(
        due.len() == 1 && due[0].id == pending,
        "pending still due: {due:?}"
    );
    match s.finish(two, 200).await {
        Err(StoreError::NotFound(_)) => {}
        other => return Err(format!("finish of a purged message: {other:?}")),
    }
    Ok(())
}

pub(crate) async fn finish_settled<S: QueueStore>(s: &S) -> Check {
    let done = s
        .enqueue(
            envelope(Some("a@x.org"), &["b@y.org"], 10),
            b"done".to_vec(),
        )
        .await
        .ctx("enqueue")?;
    let half = s
        .enqueue(
            envelope(Some("a@x.org"), &["c@y.org", "d@y.org"], 11),
            b"half".to_vec(),
        )
        .await
        .ctx("enqueue")?;
    let late = s
        .enqueue(
            envelope(Some("a@x.org"), &["e@y.org"], 12),
            noise(300_000, 5),
        )
        .await
        .ctx("enqueue")?;
    s.update_recipient(done, 0, final_update(Outcome::Delivered, 30))
        .await
        .ctx("update")?;
    s.update_recipient(half, 0, final_update(Outcome::Delivered, 30))
        .await
        .ctx("update")?;
    s.update_recipient(
        half,
        1,
        final_update(
            Outcome::Deferred {
                next_attempt_ms: 500,
            },
            30,
        ),
    )
    .await
    .ctx("update")?;
    s.update_recipient(late, 0, final_update(Outcome::Failed, 80))
        .await
        .ctx("update")?;

    // Only what settled before the cut-off, never a message with a pending recipient.
    ensure_eq!(
        s.finish_settled(50, 10).await.ctx("settle")?,
        1,
        "settled before 50"
    );
    match s.body(done).await {
        Err(StoreError::BodyDropped(_)) => {}
        other => return Err(format!("settled body: {:?}", other.map(|b| b.len()))),
    }
    ensure_eq!(
        s.body(half).await.ctx("half body")?,
        b"half".to_vec(),
        "pending kept"
    );
    ensure_eq!(
        s.body(late).await.ctx("late body")?.len(),
        300_000,
        "late kept"
    );
    ensure_eq!(
        s.finish_settled(100, 10).await.ctx("settle")?,
        1,
        "settled before 100"
    );
    ensure_eq!(
        s.finish_settled(100, 10).await.ctx("settle again")?,
        0,
        "nothing left"
    );
    ensure!(!s.finish(done, 200).await.ctx("finish")?, "finished twice");
    // Finished when its last recipient became final: purged after that.
    ensure_eq!(
        s.purge_finished(30, 10).await.ctx("purge")?,
        0,
        "not before 30"
    );
    ensure_eq!(
        s.purge_finished(31, 10).await.ctx("purge")?,
        1,
        "purged after 30"
    );
    s.message(half).await.ctx("pending message kept")?;
    Ok(())
}
