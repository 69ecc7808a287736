//! Checks on listing with filters.

use super::fixtures::envelope;
use super::{Check, Ctx, ensure_eq, nth};
use crate::filter::{ListFilter, ReplyFilter};
use crate::id::QueueId;
use crate::status::{Outcome, RecipientState, RecipientUpdate, StoredReply};
use crate::store::QueueStore;

async fn ids<S: QueueStore>(s: &S, f: ListFilter) -> Result<Vec<QueueId>, String> {
    Ok(s.list(f)
        .await
        .ctx("list")?
        .into_iter()
        .map(|m| m.id)
        .collect())
}

async fn set<S: QueueStore>(s: &S, id: QueueId, i: u32, o: Outcome, code: u16) -> Check {
    s.update_recipient(
        id,
        i,
        RecipientUpdate {
            outcome: o,
            reply: Some(StoredReply {
                code,
                enhanced: None,
                text: format!("{code} text"),
            }),
            remote_host: None,
            at_ms: 50,
        },
    )
    .await
    .ctx("update")
}

pub(crate) async fn list_filters<S: QueueStore>(s: &S) -> Check {
    let env = |from: Option<&str>, to: &[&str], t| envelope(from, to, t);
    let a = s
        .enqueue(
            env(Some("alice@a.org"), &["x@One.net", "y@two.net"], 1_000),
            vec![1],
        )
        .await
        .ctx("enqueue a")?;
    let b = s
        .enqueue(env(None, &["z@two.net"], 2_000), vec![2])
        .await
        .ctx("enqueue b")?;
    let c = s
        .enqueue(env(Some("Bob@B.org"), &["w@three.net"], 3_000), vec![3])
        .await
        .ctx("enqueue c")?;

    set(s, a, 0, Outcome::Delivered, 250).await?;
    set(
        s,
        a,
        1,
        Outcome::Deferred {
            next_attempt_ms: 9_000,
        },
        451,
    )
    .await?;
    set(s, b, 0, Outcome::Failed, 550).await?;
    s.hold(c).await.ctx("hold")?;

    let all = ListFilter::default;
    ensure_eq!(ids(s, all()).await?, vec![a, b, c], "no filter");
    ensure_eq!(
        ids(
            s,
            ListFilter {
                limit: Some(2),
                ..all()
            }
        )
        .await?,
        vec![a, b],
        "limit"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                state: Some(RecipientState::Deferred),
                ..all()
            }
        )
        .await?,
        vec![a],
        "state deferred"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                state: Some(RecipientState::Scheduled),
                ..all()
            }
        )
        .await?,
        vec![c],
        "state scheduled"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                state: Some(RecipientState::Failed),
                ..all()
            }
        )
        .await?,
        vec![b],
        "state failed"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                domain: Some("TWO.net".into()),
                ..all()
            }
        )
        .await?,
        vec![a, b],
        "domain, any case"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                domain: Some("one.net".into()),
                ..all()
            }
        )
        .await?,
        vec![a],
        "domain stored from mixed case"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                sender: Some("bob@b.org".into()),
                ..all()
            }
        )
        .await?,
        vec![c],
        "sender, any case"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                sender: Some("<>".into()),
                ..all()
            }
        )
        .await?,
        vec![b],
        "null sender"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                recipient: Some("Y@two.net".into()),
                ..all()
            }
        )
        .await?,
        vec![a],
        "recipient"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                reply: Some(ReplyFilter::Code(550)),
                ..all()
            }
        )
        .await?,
        vec![b],
        "reply code"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                reply: Some(ReplyFilter::Class(4)),
                ..all()
            }
        )
        .await?,
        vec![a],
        "reply class 4"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                reply: Some(ReplyFilter::Class(2)),
                ..all()
            }
        )
        .await?,
        vec![a],
        "reply class 2"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                held: Some(true),
                ..all()
            }
        )
        .await?,
        vec![c],
        "held"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                held: Some(false),
                ..all()
            }
        )
        .await?,
        vec![a, b],
        "not held"
    );
    // a has a deferred recipient (its other one delivered), c a scheduled one (held); b's only
    // recipient failed.
    let work_left = |pending| ListFilter {
        pending: Some(pending),
        ..all()
    };
    ensure_eq!(ids(s, work_left(true)).await?, vec![a, c], "work left");
    ensure_eq!(ids(s, work_left(false)).await?, vec![b], "finished");
    let delivered = ListFilter {
        state: Some(RecipientState::Delivered),
        ..work_left(true)
    };
    ensure_eq!(
        ids(s, delivered).await?,
        vec![a],
        "work left, with a delivered recipient"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                received_before_ms: Some(2_000),
                ..all()
            }
        )
        .await?,
        vec![a, b],
        "older than"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                received_after_ms: Some(2_000),
                ..all()
            }
        )
        .await?,
        vec![b, c],
        "newer than"
    );
    // Recipient conditions hold for one and the same recipient: a's delivered recipient is on
    // one.net, its deferred one on two.net.
    ensure_eq!(
        ids(
            s,
            ListFilter {
                domain: Some("one.net".into()),
                state: Some(RecipientState::Deferred),
                ..all()
            }
        )
        .await?,
        vec![],
        "conditions on one recipient"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                domain: Some("two.net".into()),
                state: Some(RecipientState::Deferred),
                sender: Some("alice@a.org".into()),
                ..all()
            }
        )
        .await?,
        vec![a],
        "combined filters"
    );
    ensure_eq!(
        ids(
            s,
            ListFilter {
                sender: Some("nobody@x".into()),
                ..all()
            }
        )
        .await?,
        vec![],
        "no match"
    );
    let listed = s.list(all()).await.ctx("list")?;
    let first = nth(&listed, 0, "list")?;
    ensure_eq!(first.recipients.len(), 2, "listing carries recipients");
    ensure_eq!(
        nth(&first.recipients, 1, "recipients")?
            .last_reply
            .as_ref()
            .map(|r| r.code),
        Some(451),
        "reply"
    );
    Ok(())
}

/// The queue's size by state: what metrics and health checks read.
pub(crate) async fn queue_counts<S: QueueStore>(s: &S) -> Check {
    ensure_eq!(
        s.counts().await.ctx("counts of an empty queue")?,
        crate::QueueCounts::default(),
        "an empty queue"
    );
    let a = s
        .enqueue(
            envelope(Some("a@x.org"), &["p@y.net", "q@y.net"], 100),
            b"x".to_vec(),
        )
        .await
        .ctx("enqueue a")?;
    let b = s
        .enqueue(envelope(Some("b@x.org"), &["r@y.net"], 200), b"x".to_vec())
        .await
        .ctx("enqueue b")?;
    set(s, a, 0, Outcome::Delivered, 250).await?;
    set(s, a, 1, Outcome::Failed, 550).await?;
    s.hold(b).await.ctx("hold")?;
    let counts = s.counts().await.ctx("counts")?;
    ensure_eq!(counts.messages, 2, "messages");
    ensure_eq!(counts.held, 1, "held");
    ensure_eq!(counts.in_state(RecipientState::Scheduled), 1, "scheduled");
    ensure_eq!(counts.in_state(RecipientState::Delivered), 1, "delivered");
    ensure_eq!(counts.in_state(RecipientState::Failed), 1, "failed");
    ensure_eq!(counts.in_state(RecipientState::Deferred), 0, "deferred");
    ensure_eq!(
        counts.oldest_pending_ms,
        Some(200),
        "the oldest message with work left (a is finished)"
    );
    Ok(())
}
