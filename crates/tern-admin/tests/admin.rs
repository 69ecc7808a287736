//! The admin endpoint over real TCP: health, readiness, metrics, errors as JSON.

use std::sync::Arc;

use tern_config::Config;
use tern_store::{Envelope, QueueStore, Recipient, SqliteConfig, SqliteStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One HTTP/1.1 request; the status code and the body.
async fn request(
    address: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: &str,
) -> (u16, String) {
    let mut tcp = TcpStream::connect(address).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: tern\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tcp.read_to_string(&mut response).await.unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

async fn get(address: std::net::SocketAddr, path: &str) -> (u16, String) {
    request(address, "GET", path, "").await
}

#[tokio::test(flavor = "multi_thread")]
async fn health_readiness_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(SqliteConfig::new(dir.path().join("queue"))).unwrap());
    let id = store
        .enqueue(
            Envelope::new(
                Some("a@x.test".into()),
                vec![Recipient::new("b@y.test"), Recipient::new("c@y.test")],
                1_000,
            ),
            b"x\r\n".to_vec(),
        )
        .await
        .unwrap();
    let config = Config::parse("[admin]\naddress = \"127.0.0.1:0\"\n").unwrap();
    let admin = tern_admin::start(&config, Arc::clone(&store), None)
        .await
        .unwrap();
    let at = admin.address();
    assert_ne!(at.port(), 0);

    assert_eq!(get(at, "/healthz").await, (200, "ok\n".to_owned()));
    assert_eq!(get(at, "/readyz").await, (200, "ready\n".to_owned()));
    let (status, page) = get(at, "/metrics").await;
    assert_eq!(status, 200);
    for line in [
        "tern_queue_messages 1",
        "tern_queue_recipients{state=\"scheduled\"} 2",
        "tern_queue_recipients{state=\"delivered\"} 0",
    ] {
        assert!(page.lines().any(|l| l == line), "{line}\n{page}");
    }
    let (status, body) = get(at, "/nothing").await;
    assert_eq!(status, 404);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["error"], "not found");

    // The queue API: the JSON of `tern queue list --json` and `tern queue show --json`.
    let json = |body: &str| -> serde_json::Value { serde_json::from_str(body).unwrap() };
    let (status, body) = get(at, "/api/v1/queue").await;
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    assert_eq!(v["count"], 1);
    assert_eq!(v["messages"][0]["id"], id.to_string());
    assert_eq!(v["messages"][0]["recipients"][1]["state"], "scheduled");
    let (_, body) = get(at, "/api/v1/queue?state=delivered").await;
    assert_eq!(json(&body)["count"], 0);
    let (status, body) = get(at, &format!("/api/v1/queue/{id}")).await;
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    assert_eq!(v["sender"], "a@x.test");
    assert!(v["timeline"].as_array().unwrap().is_empty());
    // Bad input is a 400 that says what was wrong; a missing message a 404.
    for (path, status, says) in [
        ("/api/v1/queue/not-an-id", 400, "not a queue id"),
        ("/api/v1/queue?state=lost", 400, "state"),
        ("/api/v1/queue?colour=red", 400, "unknown parameter"),
        ("/api/v1/queue?limit=0", 400, "limit"),
        ("/api/v1/queue/0000000000000000", 404, "no message"),
    ] {
        let (got, body) = get(at, path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(
            json(&body)["detail"].as_str().unwrap().contains(says),
            "{path}: {body}"
        );
    }

    // Actions: the words of `tern queue`, as JSON.
    let post = |path: String| async move { request(at, "POST", &path, "").await };
    let (status, body) = post(format!("/api/v1/queue/{id}/hold")).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        json(&body)["done"].as_str().unwrap().starts_with("held"),
        "{body}"
    );
    assert!(store.message(id).await.unwrap().held);
    let (_, body) = post(format!("/api/v1/queue/{id}/release")).await;
    assert!(
        json(&body)["done"]
            .as_str()
            .unwrap()
            .starts_with("released"),
        "{body}"
    );
    let (status, _) = post(format!("/api/v1/queue/{id}/launch")).await;
    assert_eq!(status, 404);
    let (_, body) = post(format!("/api/v1/queue/{id}/delete")).await;
    assert_eq!(json(&body)["done"], "deleted; the sender is not told");
    let (status, _) = get(at, &format!("/api/v1/queue/{id}")).await;
    assert_eq!(status, 404, "gone");

    // Explain: what `tern explain --json` says.
    let explain =
        |text: &'static str| async move { request(at, "POST", "/api/v1/explain", text).await };
    let (status, body) = explain("450 4.2.1 The user you are trying to contact is receiving mail too quickly. Please resend your message at a later time. - gsmtp").await;
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    assert_eq!(v["cause"], "rate_limited", "{body}");
    assert_eq!(v["outcome"], "transient");
    assert_eq!(v["retry_helps"], true);
    let (status, body) = explain("hello").await;
    assert_eq!(status, 400, "{body}");
    assert!(
        json(&body)["detail"]
            .as_str()
            .unwrap()
            .contains("no SMTP reply"),
        "{body}"
    );

    admin.shutdown().await;
    assert!(
        TcpStream::connect(at).await.is_err(),
        "closed after shutdown"
    );
}
