//! `/api/v1`: the queue, and the actions on one message. Bad input is a `400` that says what
//! was wrong.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tern_store::{ListFilter, MessageInfo, QueueId, QueueStore, RecipientState, StoreError};

use crate::actions::{self, Acted};
use crate::{Shared, error, views};

/// The most messages one listing returns, whatever `limit` asks.
const MAX_LIMIT: usize = 10_000;

/// `GET /api/v1/queue?state=&domain=&sender=&recipient=&all=&limit=`.
pub(crate) async fn list<S: QueueStore + Send + Sync + 'static>(
    State(shared): State<Arc<Shared<S>>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let filter = match filter_of(&query) {
        Ok(f) => f,
        Err(detail) => return error(StatusCode::BAD_REQUEST, "bad request", &detail),
    };
    match shared.store.list(filter).await {
        Ok(messages) => Json(json!({
            "count": messages.len(),
            "messages": messages
                .iter()
                .map(|m| views::message_json(m, shared.max_queue_time, false))
                .collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(e) => unavailable(&e),
    }
}

/// `GET /api/v1/queue/{id}`.
pub(crate) async fn show<S: QueueStore + Send + Sync + 'static>(
    State(shared): State<Arc<Shared<S>>>,
    Path(id): Path<String>,
) -> Response {
    let info = match load(&shared, &id).await {
        Ok(info) => info,
        Err(response) => return response,
    };
    let id = info.id;
    match shared.store.attempts(id).await {
        Ok(attempts) => Json(views::message_with_timeline(
            &info,
            &attempts,
            shared.max_queue_time,
        ))
        .into_response(),
        Err(e) => unavailable(&e),
    }
}

/// `POST /api/v1/queue/{id}/{action}`: retry, hold, release or delete one message.
pub(crate) async fn act<S: QueueStore + Send + Sync + 'static>(
    State(shared): State<Arc<Shared<S>>>,
    Path((id, action)): Path<(String, String)>,
) -> Response {
    let bounce = shared.bounce.as_ref().filter(|_| action == "bounce");
    if bounce.is_none() && !["retry", "hold", "release", "delete"].contains(&action.as_str()) {
        return error(
            StatusCode::NOT_FOUND,
            "not found",
            &format!("no action {action:?}: use retry, hold, release, delete or bounce"),
        );
    }
    let info = match load(&shared, &id).await {
        Ok(info) => info,
        Err(response) => return response,
    };
    let id = info.id;
    if let Some(bounce) = bounce {
        return match bounce(id).await {
            Ok(done) => Json(json!({ "id": id.to_string(), "action": action, "done": done }))
                .into_response(),
            Err(detail) => error(StatusCode::SERVICE_UNAVAILABLE, "not bounced", &detail),
        };
    }
    let now = crate::now_ms();
    let store = &*shared.store;
    let acted: Result<Acted, StoreError> = match action.as_str() {
        "retry" => actions::retry(store, &info, now).await,
        "hold" => actions::hold(store, &info).await,
        "release" => actions::release(store, &info).await,
        _ => actions::delete(store, &info).await,
    };
    match acted {
        Ok(acted) => Json(json!({
            "id": id.to_string(),
            "action": action,
            "done": acted.describe(id, now, tern_proto::date::iso8601),
        }))
        .into_response(),
        Err(StoreError::NotFound(_)) => not_there(id),
        Err(e) => unavailable(&e),
    }
}

/// The longest text `/api/v1/explain` reads: a reply is at most a few lines.
const MAX_EXPLAIN: usize = 64 * 1024;

/// `POST /api/v1/explain`: the body is what `tern explain` takes.
pub(crate) async fn explain(body: String) -> Response {
    if body.len() > MAX_EXPLAIN {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too large",
            &format!("send one reply, at most {MAX_EXPLAIN} bytes"),
        );
    }
    match tern_codes::explain_input(&body) {
        Ok(ex) => Json(views::explanation_json(&ex)).into_response(),
        Err(detail) => error(StatusCode::BAD_REQUEST, "bad request", &detail),
    }
}

/// The listing filter of the query; only messages with work left unless `all=true` or a
/// state only finished recipients have.
fn filter_of(query: &HashMap<String, String>) -> Result<ListFilter, String> {
    let known = ["state", "domain", "sender", "recipient", "all", "limit"];
    if let Some(unknown) = query.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(format!(
            "unknown parameter {unknown:?}: use {}",
            known.join(", ")
        ));
    }
    let mut filter = ListFilter::default();
    if let Some(state) = query.get("state") {
        filter.state = Some(
            RecipientState::ALL
                .into_iter()
                .find(|s| s.as_str() == state)
                .ok_or_else(|| {
                    format!("state {state:?}: use scheduled, deferred, delivered or failed")
                })?,
        );
    }
    filter.domain = query.get("domain").cloned();
    filter.sender = query.get("sender").cloned();
    filter.recipient = query.get("recipient").cloned();
    let all = match query.get("all").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return Err(format!("all={other:?}: use true or false")),
    };
    if !all && !filter.state.is_some_and(RecipientState::is_final) {
        filter.pending = Some(true);
    }
    filter.limit = Some(match query.get("limit") {
        None => MAX_LIMIT,
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| format!("limit {n:?}: a number from 1 to {MAX_LIMIT}"))?,
    });
    Ok(filter)
}

/// The message a path names: `400` for a malformed id, `404` for one not in the queue.
async fn load<S: QueueStore>(shared: &Shared<S>, id: &str) -> Result<MessageInfo, Response> {
    let id: QueueId = id.parse().map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            "bad request",
            &format!("{id:?} is not a queue id: {e}"),
        )
    })?;
    shared.store.message(id).await.map_err(|e| match e {
        StoreError::NotFound(_) => not_there(id),
        e => unavailable(&e),
    })
}

fn not_there(id: QueueId) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not found",
        &format!("no message {id} in the queue"),
    )
}

fn unavailable(e: &StoreError) -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "queue unavailable",
        &format!("the queue does not answer: {e}"),
    )
}
