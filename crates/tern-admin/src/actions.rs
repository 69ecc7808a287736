//! The queue actions that change one message, shared by `tern queue` and the admin API: the
//! store call, the check before it, and the words that say what it did.

use tern_store::{MessageInfo, QueueStore, StoreError};

/// What an action did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acted {
    /// Recipients made due now (0: everything was final already).
    Retried {
        /// How many.
        recipients: u32,
        /// The message is held, so nothing goes until it is released.
        held: bool,
    },
    /// Held now.
    Held,
    /// It was held already.
    AlreadyHeld,
    /// Released; its next attempt, if anything is left to deliver.
    Released {
        /// When (Unix ms).
        next_attempt_ms: Option<i64>,
    },
    /// It was not held.
    NotHeld,
    /// Deleted, without telling the sender.
    Deleted,
}

impl Acted {
    /// What it did, in words; `when` writes a time.
    pub fn describe(
        &self,
        id: impl std::fmt::Display,
        now_ms: i64,
        when: impl Fn(i64) -> String,
    ) -> String {
        match *self {
            Acted::Retried { recipients: 0, .. } => {
                "nothing to retry: every recipient is delivered or failed".to_owned()
            }
            Acted::Retried {
                recipients,
                held: true,
            } => format!(
                "{recipients} recipient{} due now, but the message is held: `tern queue release {id}` to deliver it",
                plural(recipients)
            ),
            Acted::Retried { recipients, .. } => {
                format!("{recipients} recipient{} due now", plural(recipients))
            }
            Acted::Held => format!("held: nothing is delivered until `tern queue release {id}`"),
            Acted::AlreadyHeld => "already held".to_owned(),
            Acted::Released {
                next_attempt_ms: None,
            } => "released; nothing is left to deliver".to_owned(),
            Acted::Released {
                next_attempt_ms: Some(t),
            } if t <= now_ms => "released; due now".to_owned(),
            Acted::Released {
                next_attempt_ms: Some(t),
            } => format!("released; next attempt {}", when(t)),
            Acted::NotHeld => "was not held: nothing to release".to_owned(),
            Acted::Deleted => "deleted; the sender is not told".to_owned(),
        }
    }
}

/// Makes every recipient not yet final due at `now_ms`.
pub async fn retry<S: QueueStore>(
    store: &S,
    info: &MessageInfo,
    now_ms: i64,
) -> Result<Acted, StoreError> {
    let recipients = store.reschedule(info.id, now_ms).await?;
    Ok(Acted::Retried {
        recipients,
        held: info.held,
    })
}

/// Holds the message.
pub async fn hold<S: QueueStore>(store: &S, info: &MessageInfo) -> Result<Acted, StoreError> {
    if info.held {
        return Ok(Acted::AlreadyHeld);
    }
    store.hold(info.id).await?;
    Ok(Acted::Held)
}

/// Releases the message.
pub async fn release<S: QueueStore>(store: &S, info: &MessageInfo) -> Result<Acted, StoreError> {
    if !info.held {
        return Ok(Acted::NotHeld);
    }
    store.release(info.id).await?;
    Ok(Acted::Released {
        next_attempt_ms: info
            .recipients
            .iter()
            .filter_map(|r| r.next_attempt_ms)
            .min(),
    })
}

/// Deletes the message and everything kept of it.
pub async fn delete<S: QueueStore>(store: &S, info: &MessageInfo) -> Result<Acted, StoreError> {
    store.delete(info.id).await?;
    Ok(Acted::Deleted)
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}
