//! `/api/v1`: the queue, read-only for now. Bad input is a `400` that says what was wrong.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tern_store::{ListFilter, QueueId, QueueStore, RecipientState, StoreError};

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
    let id: QueueId = match id.parse() {
        Ok(id) => id,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad request",
                &format!("{id:?} is not a queue id: {e}"),
            );
        }
    };
    let info = match shared.store.message(id).await {
        Ok(info) => info,
        Err(StoreError::NotFound(_)) => {
            return error(
                StatusCode::NOT_FOUND,
                "not found",
                &format!("no message {id} in the queue"),
            );
        }
        Err(e) => return unavailable(&e),
    };
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

fn unavailable(e: &StoreError) -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "queue unavailable",
        &format!("the queue does not answer: {e}"),
    )
}
