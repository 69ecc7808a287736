//! Statements that change the queue. They run on the writer thread, inside the batch
//! transaction, each inside its own savepoint.

use std::io::Write;

use rusqlite::{Connection, OptionalExtension, params};

use super::codec;
use super::sql_err;
use crate::attempt::Attempt;
use crate::envelope::Envelope;
use crate::error::StoreError;
use crate::id::QueueId;
use crate::status::{RecipientState, RecipientUpdate};

/// A body on its way into a row.
pub(crate) enum BodyInput {
    /// Written into the `bodies` table.
    Inline(Vec<u8>),
    /// Already written and fsynced as a spool file of this length.
    Spooled(u64),
}

pub(crate) fn insert_message(
    conn: &Connection,
    id: QueueId,
    env: &Envelope,
    body: &BodyInput,
) -> Result<(), StoreError> {
    let id_text = id.to_string();
    let (spooled, body_len) = match body {
        BodyInput::Inline(b) => (false, b.len() as u64),
        BodyInput::Spooled(len) => (true, *len),
    };
    let p = &env.params;
    let c = &env.client;
    conn.prepare_cached(
        "INSERT INTO messages (id, received_at, sender, size_param, body_type, smtputf8, ret, \
         envid, helo, peer_ip, tls_protocol, tls_cipher, auth_user, held, body_len, spooled) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0, ?14, ?15)",
    )
    .and_then(|mut s| {
        s.execute(params![
            id_text,
            env.received_at_ms,
            env.sender,
            // SIZE is a u64; SQLite integers are i64: stored bit for bit.
            p.size.map(|s| s as i64),
            codec::body_type_to_int(p.body),
            p.smtputf8,
            codec::ret_to_int(p.ret),
            p.envid,
            c.helo,
            c.peer_ip,
            c.tls.as_ref().map(|t| t.protocol.as_str()),
            c.tls.as_ref().map(|t| t.cipher.as_str()),
            c.auth_user,
            i64::try_from(body_len).unwrap_or(i64::MAX),
            spooled,
        ])
    })
    .map_err(sql_err("inserting message"))?;

    {
        let mut stmt = conn
            .prepare_cached(
                "INSERT INTO recipients (message_id, idx, address, domain, notify, orcpt, state, \
                 updated_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            )
            .map_err(sql_err("preparing recipient insert"))?;
        for (idx, r) in env.recipients.iter().enumerate() {
            stmt.execute(params![
                id_text,
                i64::try_from(idx).unwrap_or(i64::MAX),
                r.address,
                r.domain(),
                codec::notify_to_int(r.notify),
                r.orcpt.as_ref().map(crate::Orcpt::decoded),
                codec::state_to_int(RecipientState::Scheduled),
                env.received_at_ms,
            ])
            .map_err(sql_err("inserting recipient"))?;
        }
    }

    if let BodyInput::Inline(bytes) = body {
        insert_inline_body(conn, &id_text, bytes)?;
    }
    Ok(())
}

/// Bodies up to this size are bound as a parameter (SQLite copies them once, briefly); larger
/// ones are written through incremental blob I/O, which never copies the whole body.
const BIND_LIMIT: usize = 64 * 1024;

fn insert_inline_body(conn: &Connection, id_text: &str, bytes: &[u8]) -> Result<(), StoreError> {
    if bytes.len() <= BIND_LIMIT {
        conn.prepare_cached("INSERT INTO bodies (message_id, data) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![id_text, bytes]))
            .map_err(sql_err("inserting body"))?;
        return Ok(());
    }
    // zeroblob + incremental blob I/O writes the body straight into database pages.
    conn.prepare_cached("INSERT INTO bodies (message_id, data) VALUES (?1, zeroblob(?2))")
        .and_then(|mut s| {
            s.execute(params![
                id_text,
                i64::try_from(bytes.len()).unwrap_or(i64::MAX)
            ])
        })
        .map_err(sql_err("inserting body"))?;
    let rowid = conn.last_insert_rowid();
    let mut blob = conn
        .blob_open(rusqlite::MAIN_DB, "bodies", "data", rowid, false)
        .map_err(sql_err("opening body blob"))?;
    // The blob writer reports SQLite errors (SQLITE_FULL too) wrapped in io::Error.
    blob.write_all(bytes)
        .map_err(|e| super::io_err("writing body", e))?;
    blob.close().map_err(sql_err("closing body blob"))?;
    Ok(())
}

pub(crate) fn update_recipient(
    conn: &Connection,
    id: QueueId,
    index: u32,
    update: &RecipientUpdate,
) -> Result<(), StoreError> {
    let id_text = id.to_string();
    let state: Option<i64> = conn
        .prepare_cached("SELECT state FROM recipients WHERE message_id = ?1 AND idx = ?2")
        .and_then(|mut s| {
            s.query_row(params![id_text, index], |r| r.get(0))
                .optional()
        })
        .map_err(sql_err("reading recipient"))?;
    let Some(state) = state else {
        super::read::exists(conn, id)?;
        return Err(StoreError::RecipientNotFound { id, index });
    };
    if codec::state_from_int(state)?.is_final() {
        return Err(StoreError::AlreadyFinal { id, index });
    }
    let next = match update.outcome {
        crate::status::Outcome::Deferred { next_attempt_ms } => Some(next_attempt_ms),
        _ => None,
    };
    let reply = update.reply.as_ref();
    conn.prepare_cached(
        "UPDATE recipients SET state = ?3, reply_code = ?4, reply_enhanced = ?5, \
         reply_text = ?6, remote_host = ?7, updated_at = ?8, next_attempt_at = ?9, \
         attempts = attempts + 1 WHERE message_id = ?1 AND idx = ?2",
    )
    .and_then(|mut s| {
        s.execute(params![
            id_text,
            index,
            codec::state_to_int(update.outcome.state()),
            reply.map(|r| r.code),
            reply.and_then(|r| r.enhanced.as_deref()),
            reply.map(|r| r.text.as_str()),
            update.remote_host,
            update.at_ms,
            next,
        ])
    })
    .map_err(sql_err("updating recipient"))?;
    Ok(())
}

/// Everything of one delivery step; a recipient already final or a message gone is skipped
/// (checked before anything of it is written), any other error fails the whole step.
pub(crate) fn record_outcomes(
    conn: &Connection,
    outcomes: &crate::Outcomes,
) -> Result<crate::Skipped, StoreError> {
    let mut skipped = crate::Skipped::default();
    for (id, attempt) in &outcomes.attempts {
        match record_attempt(conn, *id, attempt) {
            Err(StoreError::NotFound(_)) => skipped.attempts.push(*id),
            other => other?,
        }
    }
    for (id, index, update) in &outcomes.updates {
        match update_recipient(conn, *id, *index, update) {
            Err(e) if e.is_skippable_outcome() => skipped.recipients.push((*id, *index)),
            other => other?,
        }
    }
    Ok(skipped)
}

pub(crate) fn record_attempt(
    conn: &Connection,
    id: QueueId,
    a: &Attempt,
) -> Result<(), StoreError> {
    super::read::exists(conn, id)?;
    let (tls_kind, tls_a, tls_b) = codec::tls_to_cols(&a.tls);
    let (decision, until) = codec::decision_to_cols(a.decision);
    conn.prepare_cached(
        "INSERT INTO attempts (message_id, at, recipients, destination, mx_host, ip, tls_kind, \
         tls_a, tls_b, transcript, decision, until, explanation) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )
    .and_then(|mut s| {
        s.execute(params![
            id.to_string(),
            a.at_ms,
            codec::indexes_to_text(&a.recipients),
            a.destination,
            a.mx_host,
            a.ip,
            tls_kind,
            tls_a,
            tls_b,
            a.transcript,
            decision,
            until,
            a.explanation,
        ])
    })
    .map_err(sql_err("recording attempt"))?;
    Ok(())
}

pub(crate) fn reschedule(conn: &Connection, id: QueueId, at_ms: i64) -> Result<u32, StoreError> {
    super::read::exists(conn, id)?;
    let n = conn
        .prepare_cached(
            "UPDATE recipients SET next_attempt_at = ?2 \
             WHERE message_id = ?1 AND next_attempt_at IS NOT NULL",
        )
        .and_then(|mut s| s.execute(params![id.to_string(), at_ms]))
        .map_err(sql_err("rescheduling"))?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

pub(crate) fn set_held(conn: &Connection, id: QueueId, held: bool) -> Result<(), StoreError> {
    let n = conn
        .prepare_cached("UPDATE messages SET held = ?2 WHERE id = ?1")
        .and_then(|mut s| s.execute(params![id.to_string(), held]))
        .map_err(sql_err("holding"))?;
    if n == 0 {
        return Err(StoreError::NotFound(id));
    }
    Ok(())
}

/// Deletes every row of the message. Returns whether its body was a spool file, which the
/// caller removes after the commit.
pub(crate) fn delete(conn: &Connection, id: QueueId) -> Result<bool, StoreError> {
    let id_text = id.to_string();
    let spooled: Option<bool> = conn
        .prepare_cached("SELECT spooled FROM messages WHERE id = ?1")
        .and_then(|mut s| s.query_row(params![id_text], |r| r.get(0)).optional())
        .map_err(sql_err("reading message"))?;
    let Some(spooled) = spooled else {
        return Err(StoreError::NotFound(id));
    };
    for sql in [
        "DELETE FROM recipients WHERE message_id = ?1",
        "DELETE FROM attempts WHERE message_id = ?1",
        "DELETE FROM bodies WHERE message_id = ?1",
        "DELETE FROM messages WHERE id = ?1",
    ] {
        conn.prepare_cached(sql)
            .and_then(|mut s| s.execute(params![id_text]))
            .map_err(sql_err("deleting message"))?;
    }
    Ok(spooled)
}

/// Marks the message finished at `now_ms` and drops its body when every recipient is final.
/// Returns `Some(spooled)` when it did (the caller removes a spool file after the commit),
/// `None` while a recipient is still pending or when the message was finished before.
pub(crate) fn finish(
    conn: &Connection,
    id: QueueId,
    now_ms: i64,
) -> Result<Option<bool>, StoreError> {
    let id_text = id.to_string();
    let found: Option<(bool, Option<i64>)> = conn
        .prepare_cached("SELECT spooled, finished_at FROM messages WHERE id = ?1")
        .and_then(|mut s| {
            s.query_row(params![id_text], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(sql_err("reading message"))?;
    let (spooled, finished) = found.ok_or(StoreError::NotFound(id))?;
    if finished.is_some() {
        return Ok(None);
    }
    let pending: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM recipients WHERE message_id = ?1 AND state NOT IN (?2, ?3)",
        )
        .and_then(|mut s| {
            s.query_row(
                params![
                    id_text,
                    codec::state_to_int(RecipientState::Delivered),
                    codec::state_to_int(RecipientState::Failed)
                ],
                |r| r.get(0),
            )
        })
        .map_err(sql_err("counting pending recipients"))?;
    if pending > 0 {
        return Ok(None);
    }
    mark_finished(conn, &id_text, now_ms)?;
    Ok(Some(spooled))
}

/// Deletes up to `limit` messages finished before `before_ms`, every row of each. Returns
/// their ids with whether the body had been a spool file.
pub(crate) fn purge_finished(
    conn: &Connection,
    before_ms: i64,
    limit: usize,
) -> Result<Vec<(QueueId, bool)>, StoreError> {
    let ids: Vec<String> = conn
        .prepare_cached(
            "SELECT id FROM messages WHERE finished_at IS NOT NULL AND finished_at < ?1 \
             ORDER BY finished_at LIMIT ?2",
        )
        .and_then(|mut s| {
            s.query_map(
                params![before_ms, i64::try_from(limit).unwrap_or(i64::MAX)],
                |r| r.get(0),
            )?
            .collect()
        })
        .map_err(sql_err("finding finished messages"))?;
    let mut purged = Vec::with_capacity(ids.len());
    for text in ids {
        let id = super::read::parse_id(&text)?;
        purged.push((id, delete(conn, id)?));
    }
    Ok(purged)
}

/// Finishes up to `limit` messages whose recipients all became final before `before_ms`.
/// Returns their ids with whether the body was a spool file (removed after the commit).
pub(crate) fn finish_settled(
    conn: &Connection,
    before_ms: i64,
    limit: usize,
) -> Result<Vec<(QueueId, bool)>, StoreError> {
    let delivered = codec::state_to_int(RecipientState::Delivered);
    let failed = codec::state_to_int(RecipientState::Failed);
    let settled: Vec<(String, bool, i64)> = conn
        .prepare_cached(
            "SELECT m.id, m.spooled, (SELECT max(r.updated_at) FROM recipients r \
             WHERE r.message_id = m.id) AS last FROM messages m \
             WHERE m.finished_at IS NULL AND NOT EXISTS (SELECT 1 FROM recipients r \
             WHERE r.message_id = m.id AND r.state NOT IN (?1, ?2)) AND last < ?3 LIMIT ?4",
        )
        .and_then(|mut s| {
            s.query_map(
                params![
                    delivered,
                    failed,
                    before_ms,
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?
            .collect()
        })
        .map_err(sql_err("finding settled messages"))?;
    let mut finished = Vec::with_capacity(settled.len());
    for (text, spooled, last) in settled {
        mark_finished(conn, &text, last)?;
        finished.push((super::read::parse_id(&text)?, spooled));
    }
    Ok(finished)
}

/// Drops a message's body row (a spool file goes after the commit) and records when it
/// finished.
fn mark_finished(conn: &Connection, id_text: &str, at_ms: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM bodies WHERE message_id = ?1")
        .and_then(|mut s| s.execute(params![id_text]))
        .map_err(sql_err("dropping body"))?;
    conn.prepare_cached("UPDATE messages SET finished_at = ?2 WHERE id = ?1")
        .and_then(|mut s| s.execute(params![id_text, at_ms]))
        .map_err(sql_err("marking message finished"))?;
    Ok(())
}
