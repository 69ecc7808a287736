//! The queue as JSON: one message, its recipients (with their last replies explained), its
//! timeline. `tern queue list --json`, `tern queue show --json` and the admin API all build
//! their JSON here, so a script sees the same fields from either.

use std::time::Duration;

use serde_json::{Value, json};
use tern_codes::{Explanation, Reply, ReplyCode};
use tern_proto::date::iso8601;
use tern_store::{Attempt, Decision, MessageInfo, RecipientStatus, StoredReply, TlsOutcome};

/// The explanation of a stored reply from `host` (its name helps recognise the provider).
pub fn explain_stored_from(reply: &StoredReply, host: Option<&str>) -> Option<Explanation> {
    let code = ReplyCode::new(reply.code)?;
    let enhanced = reply.enhanced.as_deref().and_then(|e| e.parse().ok());
    let reply = Reply::new(code, enhanced, &reply.text);
    Some(tern_codes::explain_reply(&reply, host))
}

/// `{code, enhanced, text}`.
pub fn reply_json(reply: &StoredReply) -> Value {
    json!({ "code": reply.code, "enhanced": reply.enhanced, "text": reply.text })
}

/// `tern explain --json`'s object, with its outcome.
pub fn explanation_json(ex: &Explanation) -> Value {
    let mut v = serde_json::to_value(ex).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        map.insert("outcome".into(), json!(ex.outcome()));
    }
    v
}

/// One recipient's status; with `explain`, its last reply explained.
pub fn recipient_json(r: &RecipientStatus, explain: bool) -> Value {
    let mut v = json!({
        "index": r.index,
        "address": r.address,
        "state": r.state.as_str(),
        "notify": r.notify.map(|n| n.to_string()),
        "orcpt": r.orcpt.as_ref().map(tern_store::Orcpt::decoded),
        "last_reply": r.last_reply.as_ref().map(reply_json),
        "remote_host": r.remote_host,
        "updated_at": iso8601(r.updated_at_ms),
        "next_attempt_at": r.next_attempt_ms.map(iso8601),
        "attempts": r.attempts,
    });
    if explain && let Value::Object(map) = &mut v {
        let ex = r
            .last_reply
            .as_ref()
            .and_then(|reply| explain_stored_from(reply, r.remote_host.as_deref()));
        map.insert(
            "explanation".into(),
            ex.as_ref().map_or(Value::Null, explanation_json),
        );
    }
    v
}

/// One message: envelope, client, when Tern gives up on it (`[delivery] max_queue_time`
/// after it arrived) and its recipients.
pub fn message_json(info: &MessageInfo, max_queue_time: Duration, explain: bool) -> Value {
    let env = &info.envelope;
    let pending = info.recipients.iter().any(|r| !r.state.is_final());
    let gives_up_at = env
        .received_at_ms
        .saturating_add(i64::try_from(max_queue_time.as_millis()).unwrap_or(i64::MAX));
    json!({
        "id": info.id.to_string(),
        "received_at": iso8601(env.received_at_ms),
        "sender": env.sender.as_deref().filter(|s| !s.is_empty()),
        "held": info.held,
        "size": info.body_len,
        "params": {
            "size": env.params.size,
            "body": env.params.body.as_str(),
            "smtputf8": env.params.smtputf8,
            "ret": env.params.ret.map(tern_store::Ret::as_str),
            "envid": env.params.envid,
        },
        "client": {
            "helo": env.client.helo,
            "ip": env.client.peer_ip,
            "tls": env.client.tls.as_ref().map(|t| json!({"protocol": t.protocol, "cipher": t.cipher})),
            "auth_user": env.client.auth_user,
        },
        "gives_up_at": pending.then(|| iso8601(gives_up_at)),
        "recipients": info.recipients.iter().map(|r| recipient_json(r, explain)).collect::<Vec<_>>(),
    })
}

/// One entry of a message's timeline.
pub fn attempt_json(a: &Attempt, info: &MessageInfo) -> Value {
    let (decision, until) = match a.decision {
        Decision::Delivered => ("delivered", None),
        Decision::Failed => ("failed", None),
        Decision::Deferred { until_ms } => ("deferred", Some(iso8601(until_ms))),
    };
    let tls = match &a.tls {
        TlsOutcome::NotAttempted => json!({"outcome": "not_attempted"}),
        TlsOutcome::Established { protocol, cipher } => {
            json!({"outcome": "established", "protocol": protocol, "cipher": cipher})
        }
        TlsOutcome::Failed { reason } => json!({"outcome": "failed", "reason": reason}),
    };
    json!({
        "at": iso8601(a.at_ms),
        "recipients": a.recipients.iter().map(|i| address_of(info, *i)).collect::<Vec<_>>(),
        "destination": a.destination,
        "mx_host": a.mx_host,
        "ip": a.ip,
        "tls": tls,
        "transcript": a.transcript,
        "decision": decision,
        "until": until,
        "explanation": a.explanation,
    })
}

/// A message with its recipients explained and its timeline (`tern queue show --json`).
pub fn message_with_timeline(
    info: &MessageInfo,
    attempts: &[Attempt],
    max_queue_time: Duration,
) -> Value {
    let mut v = message_json(info, max_queue_time, true);
    if let Value::Object(map) = &mut v {
        map.insert(
            "timeline".into(),
            Value::Array(attempts.iter().map(|a| attempt_json(a, info)).collect()),
        );
    }
    v
}

/// The address of recipient `index`, or `#index` if the message has none.
pub fn address_of(info: &MessageInfo, index: u32) -> String {
    info.recipients
        .iter()
        .find(|r| r.index == index)
        .map_or_else(|| format!("#{index}"), |r| r.address.clone())
}
