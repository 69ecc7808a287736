//! Queries: everything that only reads. Runs on the reader pool's connections.

use std::io::Read;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::codec;
use super::sql_err;
use crate::attempt::Attempt;
use crate::envelope::{ClientInfo, Envelope, MailParams, Recipient, TlsInfo};
use crate::error::StoreError;
use crate::filter::ListFilter;
use crate::id::QueueId;
use crate::status::{DueRecipient, MessageInfo, RecipientState, RecipientStatus, StoredReply};

const MESSAGE_COLS: &str = "id, received_at, sender, size_param, body_type, smtputf8, ret, envid, \
     helo, peer_ip, tls_protocol, tls_cipher, auth_user, held, body_len";

/// A message row before its recipients are attached.
struct MessageRow {
    id: QueueId,
    envelope: Envelope,
    held: bool,
    body_len: u64,
}

pub(crate) fn parse_id(text: &str) -> Result<QueueId, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("queue id {text:?}: {e}")))
}

fn message_row(row: &Row<'_>) -> rusqlite::Result<Result<MessageRow, StoreError>> {
    let id: String = row.get(0)?;
    let body_type: i64 = row.get(4)?;
    let ret: Option<i64> = row.get(6)?;
    let tls_protocol: Option<String> = row.get(10)?;
    let tls_cipher: Option<String> = row.get(11)?;
    let size: Option<i64> = row.get(3)?;
    let body_len: i64 = row.get(14)?;
    let sender: Option<String> = row.get(2)?;
    let smtputf8: bool = row.get(5)?;
    let envid: Option<String> = row.get(7)?;
    let helo: String = row.get(8)?;
    let peer_ip: String = row.get(9)?;
    let auth_user: Option<String> = row.get(12)?;
    let held: bool = row.get(13)?;
    let received_at_ms: i64 = row.get(1)?;
    Ok((|| {
        let tls = match (tls_protocol, tls_cipher) {
            (Some(protocol), Some(cipher)) => Some(TlsInfo { protocol, cipher }),
            _ => None,
        };
        Ok(MessageRow {
            id: parse_id(&id)?,
            envelope: Envelope {
                sender,
                params: MailParams {
                    size: size.map(|s| s as u64),
                    body: codec::body_type_from_int(body_type)?,
                    smtputf8,
                    ret: codec::ret_from_int(ret)?,
                    envid,
                },
                recipients: Vec::new(),
                client: ClientInfo {
                    helo,
                    peer_ip,
                    tls,
                    auth_user,
                },
                received_at_ms,
            },
            held,
            body_len: u64::try_from(body_len).unwrap_or(0),
        })
    })())
}

fn load_message_row(conn: &Connection, id: QueueId) -> Result<MessageRow, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {MESSAGE_COLS} FROM messages WHERE id = ?1"
        ))
        .map_err(sql_err("preparing message query"))?;
    stmt.query_row(params![id.to_string()], message_row)
        .optional()
        .map_err(sql_err("reading message"))?
        .ok_or(StoreError::NotFound(id))?
}

fn load_recipients(conn: &Connection, id: QueueId) -> Result<Vec<RecipientStatus>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT idx, address, notify, orcpt, state, reply_code, reply_enhanced, reply_text, \
             remote_host, updated_at, next_attempt_at, attempts \
             FROM recipients WHERE message_id = ?1 ORDER BY idx",
        )
        .map_err(sql_err("preparing recipients query"))?;
    let rows = stmt
        .query_map(params![id.to_string()], |row| {
            let notify: Option<i64> = row.get(2)?;
            let state: i64 = row.get(4)?;
            let reply_code: Option<i64> = row.get(5)?;
            let reply_enhanced: Option<String> = row.get(6)?;
            let reply_text: Option<String> = row.get(7)?;
            let attempts: i64 = row.get(11)?;
            let index: i64 = row.get(0)?;
            Ok((
                index,
                row.get::<_, String>(1)?,
                notify,
                row.get::<_, Option<String>>(3)?,
                state,
                reply_code.map(|code| (code, reply_enhanced, reply_text)),
                row.get::<_, Option<String>>(8)?,
                row.get::<_, i64>(9)?,
                row.get::<_, Option<i64>>(10)?,
                attempts,
            ))
        })
        .map_err(sql_err("reading recipients"))?;
    let mut out = Vec::new();
    for row in rows {
        let (index, address, notify, orcpt, state, reply, host, updated, next, attempts) =
            row.map_err(sql_err("reading recipients"))?;
        out.push(RecipientStatus {
            index: u32::try_from(index)
                .map_err(|_| StoreError::Corrupt(format!("recipient index {index}")))?,
            address,
            notify: codec::notify_from_int(notify)?,
            // Kept in the decoded `type;address` form.
            orcpt: orcpt.as_deref().map(crate::Orcpt::from_decoded),
            state: codec::state_from_int(state)?,
            last_reply: match reply {
                Some((code, enhanced, text)) => Some(StoredReply {
                    code: u16::try_from(code)
                        .map_err(|_| StoreError::Corrupt(format!("reply code {code}")))?,
                    enhanced,
                    text: text.unwrap_or_default(),
                }),
                None => None,
            },
            remote_host: host,
            updated_at_ms: updated,
            next_attempt_ms: next,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        });
    }
    Ok(out)
}

fn attach(conn: &Connection, row: MessageRow) -> Result<MessageInfo, StoreError> {
    let recipients = load_recipients(conn, row.id)?;
    let mut envelope = row.envelope;
    envelope.recipients = recipients
        .iter()
        .map(|r| Recipient {
            address: r.address.clone(),
            notify: r.notify,
            orcpt: r.orcpt.clone(),
        })
        .collect();
    Ok(MessageInfo {
        id: row.id,
        envelope,
        held: row.held,
        body_len: row.body_len,
        recipients,
    })
}

/// Reads one message in a single read transaction, so the parts are consistent.
pub(crate) fn message(conn: &Connection, id: QueueId) -> Result<MessageInfo, StoreError> {
    let tx = conn
        .unchecked_transaction()
        .map_err(sql_err("starting read"))?;
    let row = load_message_row(&tx, id)?;
    let info = attach(&tx, row)?;
    tx.finish().map_err(sql_err("ending read"))?;
    Ok(info)
}

/// Where a body lives.
pub(crate) enum BodyLocation {
    /// In the `bodies` table, at this rowid, with this length.
    Inline { rowid: i64, len: u64 },
    /// In a spool file named after the id.
    Spooled { len: u64 },
}

pub(crate) fn body_location(conn: &Connection, id: QueueId) -> Result<BodyLocation, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT m.spooled, m.body_len, b.rowid, m.finished_at FROM messages m \
             LEFT JOIN bodies b ON b.message_id = m.id WHERE m.id = ?1",
        )
        .map_err(sql_err("preparing body query"))?;
    let found = stmt
        .query_row(params![id.to_string()], |r| {
            Ok((
                r.get::<_, bool>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<i64>>(3)?,
            ))
        })
        .optional()
        .map_err(sql_err("locating body"))?;
    let (spooled, len, rowid, finished) = found.ok_or(StoreError::NotFound(id))?;
    if finished.is_some() {
        return Err(StoreError::BodyDropped(id));
    }
    let len = u64::try_from(len).map_err(|_| StoreError::Corrupt(format!("body length {len}")))?;
    match (spooled, rowid) {
        (true, _) => Ok(BodyLocation::Spooled { len }),
        (false, Some(rowid)) => Ok(BodyLocation::Inline { rowid, len }),
        (false, None) => Err(StoreError::Corrupt(format!("message {id} has no body row"))),
    }
}

/// Reads an inline body straight from its pages into one buffer of the right size.
pub(crate) fn inline_body(conn: &Connection, rowid: i64, len: u64) -> Result<Vec<u8>, StoreError> {
    let cap = usize::try_from(len).map_err(|_| StoreError::Corrupt(format!("body len {len}")))?;
    let mut out = Vec::with_capacity(cap);
    if cap == 0 {
        return Ok(out);
    }
    let mut blob = conn
        .blob_open(rusqlite::MAIN_DB, "bodies", "data", rowid, true)
        .map_err(sql_err("opening body"))?;
    blob.read_to_end(&mut out)
        .map_err(|e| StoreError::backend("reading body", e))?;
    Ok(out)
}

pub(crate) fn attempts(conn: &Connection, id: QueueId) -> Result<Vec<Attempt>, StoreError> {
    let tx = conn
        .unchecked_transaction()
        .map_err(sql_err("starting read"))?;
    exists(&tx, id)?;
    let mut stmt = tx
        .prepare_cached(
            "SELECT at, recipients, destination, mx_host, ip, tls_kind, tls_a, tls_b, transcript, \
             decision, until, explanation FROM attempts WHERE message_id = ?1 ORDER BY seq",
        )
        .map_err(sql_err("preparing attempts query"))?;
    let rows = stmt
        .query_map(params![id.to_string()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                (
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ),
                r.get::<_, String>(8)?,
                (r.get::<_, i64>(9)?, r.get::<_, Option<i64>>(10)?),
                r.get::<_, String>(11)?,
            ))
        })
        .map_err(sql_err("reading attempts"))?;
    let mut out = Vec::new();
    for row in rows {
        let (at_ms, rcpts, destination, mx_host, ip, tls, transcript, decision, explanation) =
            row.map_err(sql_err("reading attempts"))?;
        out.push(Attempt {
            at_ms,
            recipients: codec::indexes_from_text(&rcpts)?,
            destination,
            mx_host,
            ip,
            tls: codec::tls_from_cols(tls.0, tls.1, tls.2)?,
            transcript,
            decision: codec::decision_from_cols(decision.0, decision.1)?,
            explanation,
        });
    }
    drop(stmt);
    tx.finish().map_err(sql_err("ending read"))?;
    Ok(out)
}

/// `Ok(())` if the message exists.
pub(crate) fn exists(conn: &Connection, id: QueueId) -> Result<(), StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT 1 FROM messages WHERE id = ?1")
        .map_err(sql_err("preparing lookup"))?;
    let found = stmt
        .exists(params![id.to_string()])
        .map_err(sql_err("looking up message"))?;
    if found {
        Ok(())
    } else {
        Err(StoreError::NotFound(id))
    }
}

pub(crate) fn due(
    conn: &Connection,
    now_ms: i64,
    limit: usize,
) -> Result<Vec<DueRecipient>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn
        .prepare_cached(
            "SELECT r.message_id, r.idx, r.address, r.domain, r.state, r.next_attempt_at \
             FROM recipients r JOIN messages m ON m.id = r.message_id \
             WHERE r.next_attempt_at IS NOT NULL AND r.next_attempt_at <= ?1 AND m.held = 0 \
             ORDER BY r.next_attempt_at, r.message_id, r.idx LIMIT ?2",
        )
        .map_err(sql_err("preparing due query"))?;
    let rows = stmt
        .query_map(params![now_ms, limit], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })
        .map_err(sql_err("reading due recipients"))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, index, address, domain, state, due_at_ms) =
            row.map_err(sql_err("reading due recipients"))?;
        out.push(DueRecipient {
            id: parse_id(&id)?,
            index: u32::try_from(index)
                .map_err(|_| StoreError::Corrupt(format!("recipient index {index}")))?,
            address,
            domain,
            state: codec::state_from_int(state)?,
            due_at_ms,
        });
    }
    Ok(out)
}

pub(crate) fn list(conn: &Connection, filter: &ListFilter) -> Result<Vec<MessageInfo>, StoreError> {
    let mut sql = format!("SELECT {MESSAGE_COLS} FROM messages m WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(sender) = &filter.sender {
        let s = sender.trim();
        if s.is_empty() || s == "<>" {
            sql.push_str(" AND m.sender IS NULL");
        } else {
            args.push(Value::Text(s.trim_matches(['<', '>']).to_owned()));
            sql.push_str(&format!(" AND m.sender = ?{} COLLATE NOCASE", args.len()));
        }
    }
    if let Some(held) = filter.held {
        args.push(Value::Integer(i64::from(held)));
        sql.push_str(&format!(" AND m.held = ?{}", args.len()));
    }
    if let Some(pending) = filter.pending {
        let not = if pending { "" } else { "NOT " };
        args.push(Value::Integer(codec::state_to_int(
            RecipientState::Delivered,
        )));
        args.push(Value::Integer(codec::state_to_int(RecipientState::Failed)));
        sql.push_str(&format!(
            " AND {not}EXISTS (SELECT 1 FROM recipients p WHERE p.message_id = m.id \
             AND p.state NOT IN (?{}, ?{}))",
            args.len() - 1,
            args.len()
        ));
    }
    if let Some(t) = filter.received_before_ms {
        args.push(Value::Integer(t));
        sql.push_str(&format!(" AND m.received_at <= ?{}", args.len()));
    }
    if let Some(t) = filter.received_after_ms {
        args.push(Value::Integer(t));
        sql.push_str(&format!(" AND m.received_at >= ?{}", args.len()));
    }
    let mut rcpt = String::new();
    if let Some(state) = filter.state {
        args.push(Value::Integer(codec::state_to_int(state)));
        rcpt.push_str(&format!(" AND r.state = ?{}", args.len()));
    }
    if let Some(domain) = &filter.domain {
        args.push(Value::Text(domain.trim().to_lowercase()));
        rcpt.push_str(&format!(" AND r.domain = ?{}", args.len()));
    }
    if let Some(address) = &filter.recipient {
        args.push(Value::Text(
            address.trim().trim_matches(['<', '>']).to_owned(),
        ));
        rcpt.push_str(&format!(" AND r.address = ?{} COLLATE NOCASE", args.len()));
    }
    if let Some(reply) = filter.reply {
        let (lo, hi) = reply.code_range();
        args.push(Value::Integer(i64::from(lo)));
        args.push(Value::Integer(i64::from(hi)));
        rcpt.push_str(&format!(
            " AND r.reply_code BETWEEN ?{} AND ?{}",
            args.len() - 1,
            args.len()
        ));
    }
    if !rcpt.is_empty() {
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM recipients r WHERE r.message_id = m.id{rcpt})"
        ));
    }
    sql.push_str(" ORDER BY m.id");
    if let Some(limit) = filter.limit {
        args.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        sql.push_str(&format!(" LIMIT ?{}", args.len()));
    }

    let tx = conn
        .unchecked_transaction()
        .map_err(sql_err("starting read"))?;
    let mut stmt = tx.prepare(&sql).map_err(sql_err("preparing list query"))?;
    let rows = stmt
        .query_map(params_from_iter(args), message_row)
        .map_err(sql_err("listing messages"))?;
    let mut heads = Vec::new();
    for row in rows {
        heads.push(row.map_err(sql_err("listing messages"))??);
    }
    drop(stmt);
    let mut out = Vec::with_capacity(heads.len());
    for head in heads {
        out.push(attach(&tx, head)?);
    }
    tx.finish().map_err(sql_err("ending read"))?;
    Ok(out)
}

/// Ids of messages whose body is a spool file.
pub(crate) fn spooled_ids(conn: &Connection) -> Result<Vec<QueueId>, StoreError> {
    let mut stmt = conn
        .prepare("SELECT id FROM messages WHERE spooled = 1 AND finished_at IS NULL")
        .map_err(sql_err("preparing spool query"))?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(sql_err("reading spooled ids"))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(parse_id(&row.map_err(sql_err("reading spooled ids"))?)?);
    }
    Ok(out)
}

/// (messages, pending recipients)
pub(crate) fn counts(conn: &Connection) -> Result<(u64, u64), StoreError> {
    let messages: i64 = conn
        .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
        .map_err(sql_err("counting messages"))?;
    let pending: i64 = conn
        .query_row(
            "SELECT count(*) FROM recipients WHERE next_attempt_at IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .map_err(sql_err("counting recipients"))?;
    Ok((
        u64::try_from(messages).unwrap_or(0),
        u64::try_from(pending).unwrap_or(0),
    ))
}

/// The queue's size by state, in one read transaction.
pub(crate) fn queue_counts(conn: &Connection) -> Result<crate::QueueCounts, StoreError> {
    let tx = conn
        .unchecked_transaction()
        .map_err(sql_err("starting read"))?;
    let mut counts = crate::QueueCounts::default();
    let (messages, held): (i64, i64) = tx
        .query_row(
            "SELECT count(*), coalesce(sum(held), 0) FROM messages",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(sql_err("counting messages"))?;
    counts.messages = u64::try_from(messages).unwrap_or(0);
    counts.held = u64::try_from(held).unwrap_or(0);
    let mut stmt = tx
        .prepare_cached("SELECT state, count(*) FROM recipients GROUP BY state")
        .map_err(sql_err("counting recipients"))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
        .map_err(sql_err("counting recipients"))?;
    for row in rows {
        let (state, n) = row.map_err(sql_err("counting recipients"))?;
        let state = codec::state_from_int(state)?;
        if let Some(i) = crate::RecipientState::ALL.iter().position(|s| *s == state) {
            counts.recipients[i] = u64::try_from(n).unwrap_or(0);
        }
    }
    drop(stmt);
    counts.oldest_pending_ms = tx
        .query_row(
            "SELECT min(m.received_at) FROM messages m \
             WHERE EXISTS (SELECT 1 FROM recipients r WHERE r.message_id = m.id \
             AND r.next_attempt_at IS NOT NULL)",
            [],
            |r| r.get(0),
        )
        .map_err(sql_err("finding the oldest message"))?;
    Ok(counts)
}

/// The body, from its row or its spool file, inside one read transaction.
pub(crate) fn body(
    conn: &Connection,
    id: QueueId,
    spool: &super::spool::Spool,
) -> Result<Vec<u8>, StoreError> {
    let tx = conn
        .unchecked_transaction()
        .map_err(sql_err("starting read"))?;
    let out = match body_location(&tx, id)? {
        BodyLocation::Inline { rowid, len } => inline_body(&tx, rowid, len)?,
        BodyLocation::Spooled { len } => spool.read(id, len)?,
    };
    tx.finish().map_err(sql_err("ending read"))?;
    Ok(out)
}
