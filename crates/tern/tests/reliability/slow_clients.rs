//! Slow and idle clients: each gets `421 4.4.2` and its connection is closed, and the server's
//! file descriptors come back to where they were.
//!
//! The minimum data rate is checked only after a fixed 30 s grace (`SessionConfig::rate_grace`,
//! not configurable), too long for CI; a client dripping data is cut off here by the data
//! timeout, which is the same reply. The rate itself is tested in tern-proto's session tests.

use std::time::{Duration, Instant};

use super::support::{Client, Reply, Server, write_config};

/// A client that goes quiet at some point; returns the reply that ended it.
async fn quiet(server: std::net::SocketAddr, kind: usize) -> Result<Reply, String> {
    let (mut c, greeting) = Client::connect(server).await?;
    if greeting.code != 220 {
        return Err(format!("greeting: {greeting}"));
    }
    match kind {
        // Silent from the start.
        0 => {}
        // Silent after EHLO.
        1 => {
            c.ok("EHLO idle.test", 250).await?;
        }
        // Silent in the middle of a command line.
        2 => {
            c.ok("EHLO idle.test", 250).await?;
            c.send(b"MAIL FROM:<a@exam").await?;
        }
        // Silent in a transaction.
        _ => {
            c.ok("EHLO idle.test", 250).await?;
            c.ok("MAIL FROM:<a@example.org>", 250).await?;
        }
    }
    let r = c.reply().await?;
    if !c.closed().await {
        return Err(format!("still open after {r}"));
    }
    Ok(r)
}

/// A client that sends its message one octet every 200 ms, far below `min_data_rate`, for
/// longer than `data_timeout`; or a BDAT chunk that never completes.
async fn drip(server: std::net::SocketAddr, bdat: bool) -> Result<Reply, String> {
    let (mut c, _) = Client::connect(server).await?;
    c.ok("EHLO drip.test", 250).await?;
    c.ok("MAIL FROM:<a@example.org>", 250).await?;
    c.ok("RCPT TO:<postmaster@example.test>", 250).await?;
    if bdat {
        c.send(b"BDAT 1000 LAST\r\n").await?;
    } else {
        c.ok("DATA", 354).await?;
    }
    let started = Instant::now();
    let mut buf = [0u8; 512];
    loop {
        if started.elapsed() > Duration::from_secs(10) {
            return Err("never cut off".into());
        }
        // Keep dripping until the server speaks.
        if c.send(b"x").await.is_err() {
            break;
        }
        let read = tokio::io::AsyncReadExt::read(c.stream.get_mut(), &mut buf);
        if let Ok(result) = tokio::time::timeout(Duration::from_millis(200), read).await {
            let n = result.map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                return Err("closed without a reply".into());
            }
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            return parse(&text);
        }
    }
    c.reply().await
}

fn parse(text: &str) -> Result<Reply, String> {
    let code = text.get(..3).and_then(|c| c.parse().ok()).ok_or(text)?;
    let enhanced = text
        .get(4..)
        .and_then(|t| t.split_whitespace().next())
        .map(str::to_owned);
    Ok(Reply {
        code,
        enhanced,
        text: text.to_owned(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_dripping_clients_get_421_and_descriptors_come_back() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &dir.path().join("data"),
        "[limits]\ncommand_timeout = \"1s\"\ndata_timeout = \"2s\"\nmin_data_rate = 100000\n\
         [tls]\nenabled = false\n\
         [local]\ndomains = [\"example.test\"]\nmailboxes = [\"postmaster\"]\n",
    );
    let server = Server::start(&config);
    // The baseline: after one whole conversation, so lazily opened files are counted.
    let (mut c, _) = Client::connect(server.smtp).await.unwrap();
    c.ok("EHLO warm.test", 250).await.unwrap();
    c.ok("QUIT", 221).await.unwrap();
    drop(c);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let baseline = server.fds();
    assert!(baseline > 0);

    let mut tasks = Vec::new();
    for i in 0..16 {
        tasks.push(tokio::spawn(quiet(server.smtp, i % 4)));
    }
    let mut drips = Vec::new();
    for i in 0..4 {
        drips.push(tokio::spawn(drip(server.smtp, i % 2 == 1)));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = server.fds();
    assert!(
        during >= baseline + 16,
        "{during} descriptors with 20 clients (baseline {baseline})"
    );

    let mut failures = Vec::new();
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await.unwrap() {
            Ok(r) if r.is(421, "4.4.2") || (i % 4 == 0 && r.code == 421) => {}
            Ok(r) => failures.push(format!("idle client {i}: {r}")),
            Err(e) => failures.push(format!("idle client {i}: {e}")),
        }
    }
    for (i, t) in drips.into_iter().enumerate() {
        match t.await.unwrap() {
            Ok(r) if r.is(421, "4.4.2") => {}
            Ok(r) => failures.push(format!("dripping client {i}: {r}")),
            Err(e) => failures.push(format!("dripping client {i}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = server.fds();
        if now <= baseline + 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{now} descriptors open, baseline {baseline}: connections leaked"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Still serving.
    let (mut c, greeting) = Client::connect(server.smtp).await.unwrap();
    assert_eq!(greeting.code, 220);
    c.ok("EHLO after.test", 250).await.unwrap();
    eprintln!("slow_clients: {:?}", started.elapsed());
}
