//! Tern's HTTP endpoint for operators and monitoring (`[admin]`), started by `tern serve`:
//!
//! - `GET /healthz`: the process answers (`200 ok`);
//! - `GET /readyz`: the queue answers a read (`200 ready`), else `503` with the reason;
//! - `GET /metrics`: Prometheus text: the queue's messages, held messages and recipients by
//!   state, and the age of the oldest message with work left.
//!
//! Requests from loopback need nothing; from any other address they must carry
//! `Authorization: Bearer <[admin] token>` (the configuration refuses a non-loopback address
//! without a token). Errors are JSON: `{"error": ..., "detail": ...}`.
//!
//! - `GET /api/v1/queue`: the messages with work left (`?all=true`: finished ones too),
//!   filtered by `state`, `domain`, `sender`, `recipient`, at most `limit`: the JSON of
//!   `tern queue list --json`;
//! - `GET /api/v1/queue/{id}`: one message with its recipients' last replies explained and
//!   its timeline: the JSON of `tern queue show --json` ([`views`] builds both);
//! - `POST /api/v1/queue/{id}/retry | hold | release | delete | bounce`: the action of `tern queue`
//!   ([`actions`], shared with it), answering `{"id", "action", "done"}`;
//! - `POST /api/v1/explain`: the body is a reply, a code or an enhanced code (as
//!   `tern explain` takes them); the answer is `tern explain --json`'s object.
//!
//! It talks to the queue only through the `QueueStore` trait. Not here yet: the queue
//! actions, the OpenAPI description, the server's and delivery's own counters.

pub mod actions;
mod api;
mod metrics;
pub mod views;

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tern_config::Config;
use tern_store::QueueStore;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running admin endpoint.
#[derive(Debug)]
pub struct AdminHandle {
    address: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl AdminHandle {
    /// Where it listens (with the real port when the config asked for port 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops listening and ends the requests in progress.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Fails a message's pending recipients on an administrator's word and says what it did.
/// The binary supplies it (delivery records and reports the outcome; this crate may not
/// import delivery).
pub type Bounce = Arc<
    dyn Fn(tern_store::QueueId) -> Pin<Box<dyn Future<Output = Result<String, String>> + Send>>
        + Send
        + Sync,
>;

struct Shared<S> {
    store: Arc<S>,
    token: Option<String>,
    /// `[delivery] max_queue_time`, for the give-up time of a message.
    max_queue_time: std::time::Duration,
    /// `POST /api/v1/queue/{id}/bounce`, when the binary supplies it.
    bounce: Option<Bounce>,
}

/// Binds `[admin] address` and serves until [`AdminHandle::shutdown`].
pub async fn start<S: QueueStore + Send + Sync + 'static>(
    config: &Config,
    store: Arc<S>,
    bounce: Option<Bounce>,
) -> io::Result<AdminHandle> {
    let max_queue_time = config.delivery.max_queue_time.0;
    let config = &config.admin;
    let listener = TcpListener::bind(config.address).await?;
    let address = listener.local_addr()?;
    let shared = Arc::new(Shared {
        store,
        token: config.token.clone().filter(|t| !t.trim().is_empty()),
        max_queue_time,
        bounce,
    });
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz::<S>))
        .route("/metrics", get(metrics_page::<S>))
        .route("/api/v1/queue", get(api::list::<S>))
        .route("/api/v1/queue/{id}", get(api::show::<S>))
        .route("/api/v1/queue/{id}/{action}", post(api::act::<S>))
        .route("/api/v1/explain", post(api::explain))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
            authorise::<S>,
        ))
        .with_state(shared);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        })
        .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "the admin endpoint stopped");
        }
    });
    Ok(AdminHandle {
        address,
        stop,
        task,
    })
}

/// Loopback clients pass; others must send the bearer token.
async fn authorise<S: Send + Sync + 'static>(
    State(shared): State<Arc<Shared<S>>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: Request,
    next: Next,
) -> Response {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if allowed(peer.ip(), shared.token.as_deref(), given) {
        next.run(request).await
    } else {
        error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "requests from other addresses than loopback need Authorization: Bearer <[admin] token>",
        )
    }
}

/// Whether a request from `peer` with this `Authorization` header may proceed.
fn allowed(peer: IpAddr, token: Option<&str>, authorization: Option<&str>) -> bool {
    if peer.is_loopback() {
        return true;
    }
    match (token, authorization.and_then(|v| v.strip_prefix("Bearer "))) {
        (Some(token), Some(given)) => constant_time_eq(token.as_bytes(), given.as_bytes()),
        _ => false,
    }
}

/// Compares without stopping at the first difference, so the time taken says nothing about
/// how much of the token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz<S: QueueStore + Send + Sync + 'static>(
    State(shared): State<Arc<Shared<S>>>,
) -> Response {
    match shared.store.counts().await {
        Ok(_) => (StatusCode::OK, "ready\n").into_response(),
        Err(e) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready",
            &format!("the queue does not answer: {e}"),
        ),
    }
}

async fn metrics_page<S: QueueStore + Send + Sync + 'static>(
    State(shared): State<Arc<Shared<S>>>,
) -> Response {
    match shared.store.counts().await {
        Ok(counts) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            metrics::render(&counts, now_ms()),
        )
            .into_response(),
        Err(e) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "queue unavailable",
            &format!("the queue does not answer: {e}"),
        ),
    }
}

async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not found",
        "the admin endpoint serves /healthz, /readyz, /metrics, /api/v1/queue, /api/v1/queue/{id} and /api/v1/explain",
    )
}

/// A JSON error with its status.
pub(crate) fn error(status: StatusCode, error: &str, detail: &str) -> Response {
    let body = serde_json::json!({ "error": error, "detail": detail });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        format!("{body}\n"),
    )
        .into_response()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_passes_and_others_need_the_token() {
        let here: IpAddr = "127.0.0.1".parse().unwrap();
        let there: IpAddr = "192.0.2.7".parse().unwrap();
        let token = Some("secret-token-123");
        assert!(allowed(here, None, None));
        assert!(allowed(there, token, Some("Bearer secret-token-123")));
        assert!(!allowed(there, token, Some("Bearer secret-token-124")));
        assert!(!allowed(there, token, Some("secret-token-123")));
        assert!(!allowed(there, token, None));
        assert!(!allowed(there, None, Some("Bearer anything")));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"secret-token-123", b"secret-token-123"));
        assert!(!constant_time_eq(b"secret-token-123", b"secret-token-124"));
        assert!(!constant_time_eq(b"secret", b"secret-token"));
    }
}
