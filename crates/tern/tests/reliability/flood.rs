//! A connection flood beyond the per-IP and global limits: the extra connections get `421`
//! with the right enhanced code, the server does not crash, its memory stays bounded, and once
//! the flood is gone a new client is served.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::net::TcpSocket;

use super::support::{Client, Reply, Server, write_config};

/// Connects from `from` (a loopback address) and reads the greeting.
async fn connect_from(server: SocketAddr, from: Ipv4Addr) -> Result<(Client, Reply), String> {
    let socket = TcpSocket::new_v4().map_err(|e| e.to_string())?;
    socket
        .bind(SocketAddr::new(IpAddr::V4(from), 0))
        .map_err(|e| format!("bind {from}: {e}"))?;
    let tcp = socket
        .connect(server)
        .await
        .map_err(|e| format!("connect from {from}: {e}"))?;
    let mut c = Client::new(tcp);
    let greeting = c.reply().await?;
    Ok((c, greeting))
}

const RSS_LIMIT_KIB: u64 = 200 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_flood_is_refused_with_421_and_the_server_survives() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &dir.path().join("data"),
        "[limits]\nmax_connections = 20\nmax_connections_per_ip = 5\n\
         exempt_trusted_from_per_ip = false\n[tls]\nenabled = false\n",
    );
    let mut server = Server::start(&config);
    let ip = |n: u8| Ipv4Addr::new(127, 0, 0, n);

    // Held open: 5 from 127.0.0.1, then 5 from each of 127.0.0.2-4: 20 in all.
    let mut held = Vec::new();
    let mut failures = Vec::new();
    // 10 from 127.0.0.1: 5 served, 5 refused per IP.
    for i in 0..10 {
        let (c, greeting) = connect_from(server.smtp, ip(1)).await.unwrap();
        if i < 5 {
            if greeting.code != 220 {
                failures.push(format!("127.0.0.1 #{i}: {greeting}"));
            }
            held.push(c);
        } else if !greeting.is(421, "4.7.0") {
            failures.push(format!(
                "127.0.0.1 #{i} (over the per-IP limit): {greeting}"
            ));
        }
    }
    // 15 more from three other addresses fill the global limit.
    for n in 2..=4 {
        for i in 0..5 {
            let (c, greeting) = connect_from(server.smtp, ip(n)).await.unwrap();
            if greeting.code != 220 {
                failures.push(format!("127.0.0.{n} #{i}: {greeting}"));
            }
            held.push(c);
        }
    }
    // 25 from five fresh addresses, none over its per-IP limit: over the global limit.
    for n in 5..=9 {
        for i in 0..5 {
            let (_, greeting) = connect_from(server.smtp, ip(n)).await.unwrap();
            if !greeting.is(421, "4.3.2") {
                failures.push(format!(
                    "127.0.0.{n} #{i} (over the global limit): {greeting}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(held.len(), 20);

    // A burst of 300 concurrent connections while the server is full: all refused, no crash.
    let mut burst = Vec::new();
    for i in 0..300u32 {
        let from = ip(10 + (i % 40) as u8);
        let addr = server.smtp;
        burst.push(tokio::spawn(async move { connect_from(addr, from).await }));
    }
    let mut refused = 0;
    for b in burst {
        match b.await.unwrap() {
            Ok((_, g)) if g.code == 421 => refused += 1,
            Ok((_, g)) => panic!("a flood connection was served: {g}"),
            Err(e) => panic!("flood connection: {e}"),
        }
    }
    assert_eq!(refused, 300);
    assert!(server.alive(), "the server died under the flood");
    let rss = server.rss_kib();
    assert!(rss < RSS_LIMIT_KIB, "RSS {rss} KiB under the flood");

    // The held connections still work.
    for c in held.iter_mut().take(3) {
        c.ok("NOOP", 250).await.unwrap();
    }
    drop(held);

    // Once they are gone, a new client is served (the slots are freed as the tasks end).
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (mut c, greeting) = connect_from(server.smtp, ip(1)).await.unwrap();
        if greeting.code == 220 {
            c.ok("EHLO after.test", 250).await.unwrap();
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still refused after the flood: {greeting}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("flood: RSS {rss} KiB, {:?}", started.elapsed());
}

/// Idle connections held at once by `idle_connections_are_all_greeted_and_cost_little_memory`.
const IDLE_CONNECTIONS: usize = 2_000;
/// The most memory one idle connection may cost the server. A session that has sent its
/// greeting and waits holds its task and session state, not a read buffer: about 4 KiB in a
/// release build; this debug build's futures are larger, and the bound leaves room for that.
const IDLE_CONNECTION_LIMIT_KIB: u64 = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_all_greeted_and_cost_little_memory() {
    // This test holds both ends of every connection.
    let (soft, hard) = rlimit::Resource::NOFILE.get().unwrap();
    let needed = 2 * IDLE_CONNECTIONS as u64 + 200;
    if soft < needed {
        rlimit::Resource::NOFILE
            .set(needed.min(hard), hard)
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &dir.path().join("data"),
        &format!(
            "[limits]\nmax_connections = {n}\nmax_connections_per_ip = {n}\n[tls]\nenabled = false\n",
            n = IDLE_CONNECTIONS + 10
        ),
    );
    let server = Server::start(&config);
    // One connection first, so the baseline includes what the first one sets up once.
    let (mut first, greeting) = connect_from(server.smtp, Ipv4Addr::LOCALHOST)
        .await
        .unwrap();
    assert_eq!(greeting.code, 220);
    first.ok("NOOP", 250).await.unwrap();
    let baseline = server.rss_kib();

    // All at once, in waves of 250 simultaneous connects.
    let mut held = Vec::with_capacity(IDLE_CONNECTIONS);
    let mut not_greeted = Vec::new();
    for wave in 0..IDLE_CONNECTIONS / 250 {
        let mut connects = Vec::new();
        for _ in 0..250 {
            let addr = server.smtp;
            connects.push(tokio::spawn(async move {
                connect_from(addr, Ipv4Addr::LOCALHOST).await
            }));
        }
        for c in connects {
            match c.await.unwrap() {
                Ok((c, g)) if g.code == 220 => held.push(c),
                Ok((_, g)) => not_greeted.push(format!("wave {wave}: {g}")),
                Err(e) => not_greeted.push(format!("wave {wave}: {e}")),
            }
        }
    }
    assert!(
        not_greeted.is_empty(),
        "{} of {IDLE_CONNECTIONS} not greeted: {:?}",
        not_greeted.len(),
        &not_greeted[..not_greeted.len().min(5)]
    );
    let grown = server.rss_kib().saturating_sub(baseline);
    let per_connection = grown / IDLE_CONNECTIONS as u64;
    eprintln!("idle: {IDLE_CONNECTIONS} connections, RSS +{grown} KiB, {per_connection} KiB each");
    assert!(
        per_connection <= IDLE_CONNECTION_LIMIT_KIB,
        "{per_connection} KiB per idle connection (RSS +{grown} KiB for {IDLE_CONNECTIONS})"
    );
    // Still served.
    held[0].ok("NOOP", 250).await.unwrap();
    first.ok("NOOP", 250).await.unwrap();
}
