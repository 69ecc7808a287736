//! `tern queue show ID` (everything about a message, with its timeline) and `tern queue why
//! ID` (one screen: why it is still here, and what happens next).

use std::process::ExitCode;

use serde_json::{Value, json};
use tern_store::{
    Attempt, MessageInfo, QueueId, QueueStore, RecipientState, RecipientStatus, SqliteStore,
    StoreError,
};

use super::{
    Context, attempt_json, decision_text, explain_stored, explain_stored_from, explanation_block,
    explanation_json, message_json, not_found, notify_text, paint_state, para, reply_json,
    reply_line, sender_text, size_text, time, tls_text, to_json,
};
use crate::cli::output;
use crate::cli::output::field;

/// The message and its timeline, or the exit status.
async fn load(store: &SqliteStore, id: QueueId) -> Result<(MessageInfo, Vec<Attempt>), ExitCode> {
    let info = match store.message(id).await {
        Ok(info) => info,
        Err(StoreError::NotFound(_)) => return Err(output::fail(&not_found(id))),
        Err(e) => return Err(output::fail(&format!("cannot read {id}: {e}"))),
    };
    match store.attempts(id).await {
        Ok(attempts) => Ok((info, attempts)),
        Err(StoreError::NotFound(_)) => Err(output::fail(&not_found(id))),
        Err(e) => Err(output::fail(&format!(
            "cannot read the timeline of {id}: {e}"
        ))),
    }
}

/// `tern queue show ID`.
pub(super) async fn show(
    store: &SqliteStore,
    id: QueueId,
    json: bool,
    cx: &Context<'_>,
) -> ExitCode {
    let (info, attempts) = match load(store, id).await {
        Ok(x) => x,
        Err(code) => return code,
    };
    if json {
        let mut v = message_json(&info, cx, true);
        if let Value::Object(map) = &mut v {
            map.insert(
                "timeline".into(),
                Value::Array(attempts.iter().map(|a| attempt_json(a, &info)).collect()),
            );
        }
        return output::print(&to_json(&v));
    }
    let mut out = String::new();
    envelope(&mut out, &info, cx);
    out.push('\n');
    out.push_str(&cx.style.paint("1", "Recipients"));
    out.push('\n');
    for (i, r) in info.recipients.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        recipient(&mut out, &info, r, cx);
    }
    out.push('\n');
    timeline(&mut out, &info, &attempts, cx);
    output::print(&out)
}

fn envelope(out: &mut String, info: &MessageInfo, cx: &Context<'_>) {
    let style = cx.style;
    let env = &info.envelope;
    let mut head = format!("Message {}", info.id);
    if info.held {
        head.push_str(" (held)");
    }
    out.push_str(&style.paint("1", &head));
    out.push('\n');
    field(out, 2, "Sender", &sender_text(env.sender.as_deref()), style);
    field(
        out,
        2,
        "Received",
        &time::both(env.received_at_ms, cx.now),
        style,
    );
    let client = &env.client;
    let mut from = Vec::new();
    if !client.helo.is_empty() {
        from.push(format!("HELO {}", client.helo));
    }
    if !client.peer_ip.is_empty() {
        from.push(format!("IP {}", client.peer_ip));
    }
    if !from.is_empty() {
        field(out, 2, "Client", &from.join(", "), style);
    }
    let tls = client.tls.as_ref().map_or_else(
        || "none (plain text)".to_owned(),
        |t| format!("{}, {}", t.protocol, t.cipher),
    );
    field(out, 2, "TLS", &tls, style);
    field(
        out,
        2,
        "AUTH user",
        client.auth_user.as_deref().unwrap_or("none"),
        style,
    );
    let mut params = vec![format!("BODY={}", env.params.body.as_str())];
    if let Some(size) = env.params.size {
        params.insert(0, format!("SIZE={size}"));
    }
    if env.params.smtputf8 {
        params.push("SMTPUTF8".to_owned());
    }
    if let Some(ret) = env.params.ret {
        params.push(format!("RET={}", ret.as_str()));
    }
    if let Some(envid) = &env.params.envid {
        params.push(format!("ENVID={envid}"));
    }
    field(out, 2, "Size", &size_text(info.body_len), style);
    field(out, 2, "MAIL params", &params.join(" "), style);
    if info.recipients.iter().any(|r| !r.state.is_final()) {
        field(
            out,
            2,
            "Gives up",
            &time::both(cx.gives_up_at(env.received_at_ms), cx.now),
            style,
        );
    }
}

fn recipient(out: &mut String, info: &MessageInfo, r: &RecipientStatus, cx: &Context<'_>) {
    let style = cx.style;
    let state = r.state.as_str();
    out.push_str(&format!(
        "  {}  {}",
        style.paint("1", &r.address),
        paint_state(style, r.state, state)
    ));
    out.push('\n');
    let mut dsn = Vec::new();
    if let Some(n) = notify_text(r.notify) {
        dsn.push(format!("NOTIFY={n}"));
    }
    if let Some(o) = &r.orcpt {
        dsn.push(format!("ORCPT={}", o.decoded()));
    }
    if !dsn.is_empty() {
        field(out, 4, "DSN", &dsn.join(" "), style);
    }
    let since = match r.state {
        RecipientState::Scheduled => "Queued",
        RecipientState::Delivered => "Delivered",
        RecipientState::Deferred => "Deferred",
        RecipientState::Failed => "Failed",
    };
    field(out, 4, since, &time::both(r.updated_at_ms, cx.now), style);
    field(out, 4, "Attempts", &r.attempts.to_string(), style);
    if let Some(next) = r.next_attempt_ms {
        field(out, 4, "Next try", &next_try(info, next, cx), style);
    }
    if let Some(reply) = &r.last_reply {
        let from = r
            .remote_host
            .as_deref()
            .map_or_else(|| "Tern itself".to_owned(), |h| h.to_owned());
        field(out, 4, "Last reply", &format!("from {from}"), style);
        match explain_stored(reply) {
            Some(ex) => explanation_block(out, 6, &ex, style),
            None => para(out, 6, &reply_line(reply), style),
        }
    }
}

/// When the next attempt is, in words.
fn next_try(info: &MessageInfo, next: i64, cx: &Context<'_>) -> String {
    if info.held {
        return format!(
            "none while held (then {})",
            if next <= cx.now {
                "at once".to_owned()
            } else {
                time::both(next, cx.now)
            }
        );
    }
    if next <= cx.now {
        "due now: a running `tern serve` tries it within a second".to_owned()
    } else {
        time::both(next, cx.now)
    }
}

fn timeline(out: &mut String, info: &MessageInfo, attempts: &[Attempt], cx: &Context<'_>) {
    let style = cx.style;
    let head = match attempts.len() {
        0 => "Timeline: no attempt yet".to_owned(),
        1 => "Timeline (1 attempt)".to_owned(),
        n => format!("Timeline ({n} attempts)"),
    };
    out.push_str(&style.paint("1", &head));
    out.push('\n');
    for a in attempts {
        let line = format!("{}  {}", time::iso(a.at_ms), a.destination);
        out.push_str(&format!("  {}\n", style.paint("1", &line)));
        let to: Vec<String> = a
            .recipients
            .iter()
            .map(|i| super::address_of(info, *i))
            .collect();
        field(out, 4, "Recipients", &to.join(", "), style);
        match (&a.mx_host, &a.ip) {
            (Some(h), Some(ip)) => field(out, 4, "MX", &format!("{h} [{ip}]"), style),
            (Some(h), None) => field(out, 4, "MX", h, style),
            (None, Some(ip)) => field(out, 4, "IP", ip, style),
            (None, None) => {}
        }
        field(out, 4, "TLS", &tls_text(&a.tls), style);
        if !a.transcript.trim().is_empty() {
            field(out, 4, "Transcript", "", style);
            for line in a.transcript.lines() {
                let painted = line.starts_with("S:");
                let mut wrapped = String::new();
                para(&mut wrapped, 6, line, style);
                if painted {
                    for l in wrapped.lines() {
                        out.push_str(&style.paint("2", l));
                        out.push('\n');
                    }
                } else {
                    out.push_str(&wrapped);
                }
            }
        }
        let decision = decision_text(a.decision, cx.now);
        let painted = match a.decision {
            tern_store::Decision::Delivered => style.paint("32", &decision),
            tern_store::Decision::Deferred { .. } => style.paint("33", &decision),
            tern_store::Decision::Failed => style.paint("31", &decision),
        };
        if style.color {
            out.push_str(&format!(
                "    {}{painted}\n",
                style.paint("1", &format!("{:<12}", "Decision"))
            ));
        } else {
            field(out, 4, "Decision", &decision, style);
        }
        if !a.explanation.is_empty() {
            field(out, 4, "Why", &a.explanation, style);
        }
    }
}

/// `tern queue why ID`.
pub(super) async fn why(
    store: &SqliteStore,
    id: QueueId,
    json: bool,
    cx: &Context<'_>,
) -> ExitCode {
    let (info, _) = match load(store, id).await {
        Ok(x) => x,
        Err(code) => return code,
    };
    let gives_up = cx.gives_up_at(info.envelope.received_at_ms);
    let waiting: Vec<&RecipientStatus> = info
        .recipients
        .iter()
        .filter(|r| r.state != RecipientState::Delivered)
        .collect();
    let pending = waiting.iter().filter(|r| !r.state.is_final()).count();
    if json {
        let recipients: Vec<Value> = waiting
            .iter()
            .map(|r| {
                let ex = r
                    .last_reply
                    .as_ref()
                    .and_then(|reply| explain_stored_from(reply, r.remote_host.as_deref()));
                json!({
                    "address": r.address,
                    "state": r.state.as_str(),
                    "last_reply": r.last_reply.as_ref().map(reply_json),
                    "remote_host": r.remote_host,
                    "explanation": ex.as_ref().map(explanation_json),
                    "who_acts": ex.as_ref().map(|e| e.actor.describe()),
                    "next_attempt_at": r.next_attempt_ms.filter(|_| !info.held).map(time::iso),
                })
            })
            .collect();
        return output::print(&to_json(&json!({
            "id": info.id.to_string(),
            "held": info.held,
            "pending": pending,
            "gives_up_at": (pending > 0).then(|| time::iso(gives_up)),
            "recipients": recipients,
        })));
    }
    let style = cx.style;
    let env = &info.envelope;
    let mut out = String::new();
    let total = info.recipients.len();
    let headline = if pending > 0 {
        format!(
            "{}: {pending} of {total} recipient{} not delivered yet.",
            info.id,
            if total == 1 { "" } else { "s" },
        )
    } else {
        format!("{}: nothing is pending.", info.id)
    };
    out.push_str(&style.paint("1", &headline));
    out.push('\n');
    para(
        &mut out,
        0,
        &format!(
            "From {}, received {}.",
            sender_text(env.sender.as_deref()),
            time::both(env.received_at_ms, cx.now)
        ),
        style,
    );
    if pending == 0 {
        let failed = waiting.len();
        para(
            &mut out,
            0,
            &format!(
                "Every recipient is {}: Tern does nothing more with it. It stays listed \
                 until `tern queue delete {}`.",
                match (total - failed, failed) {
                    (_, 0) => "delivered".to_owned(),
                    (0, _) => "failed for good".to_owned(),
                    (d, f) => format!("delivered ({d}) or failed for good ({f})"),
                },
                info.id,
            ),
            style,
        );
    }
    if info.held && pending > 0 {
        out.push('\n');
        para(
            &mut out,
            0,
            &format!(
                "It is HELD: nothing is tried until `tern queue release {}`.",
                info.id
            ),
            style,
        );
    }
    for r in &waiting {
        out.push('\n');
        out.push_str(&format!(
            "{}  {}\n",
            style.paint("1", &r.address),
            paint_state(style, r.state, r.state.as_str())
        ));
        match &r.last_reply {
            None => field(&mut out, 2, "Last reply", "none: not tried yet", style),
            Some(reply) => {
                let mut line = reply_line(reply);
                if let Some(h) = &r.remote_host {
                    line.push_str(&format!(" (from {h}"));
                } else {
                    line.push_str(" (from Tern itself");
                }
                line.push_str(&format!(", {})", time::relative(r.updated_at_ms, cx.now)));
                field(&mut out, 2, "Last reply", &line, style);
                if let Some(ex) = explain_stored(reply) {
                    field(&mut out, 2, "Means", &ex.summary, style);
                    field(&mut out, 2, "Who acts", ex.actor.describe(), style);
                    field(&mut out, 2, "Retry", ex.retry.describe(), style);
                    field(&mut out, 2, "What to do", &ex.action, style);
                }
            }
        }
        match r.state {
            RecipientState::Failed => field(
                &mut out,
                2,
                "Next try",
                "none: it failed for good and is not tried again",
                style,
            ),
            _ => {
                let next = r.next_attempt_ms.unwrap_or(cx.now);
                field(&mut out, 2, "Next try", &next_try(&info, next, cx), style);
            }
        }
    }
    if pending > 0 {
        out.push('\n');
        let text = if gives_up <= cx.now {
            format!(
                "Tern gives up at the next attempt: the message has been queued longer than \
                 [delivery] max_queue_time ({}); the recipients still waiting then fail with \
                 554 5.4.7 and the sender gets a bounce.",
                time::span(cx.gives_up_at(0))
            )
        } else {
            format!(
                "Tern gives up on {}, {} after the message was received \
                 ([delivery] max_queue_time): the recipients still waiting then fail and the \
                 sender gets a bounce.",
                time::both(gives_up, cx.now),
                time::span(cx.gives_up_at(0))
            )
        };
        para(&mut out, 0, &text, style);
    }
    output::print(&out)
}
