//! Integration tests of tern-server over real loopback sockets (127.0.0.1 only).

mod smtp;

mod tls_handshake {
    use std::sync::Arc;

    use rustls_pki_types::ServerName;
    use tern_server::tls::{TlsInfo, TlsSetup};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio_rustls::{TlsAcceptor, TlsConnector};

    /// Accepts one TLS connection, echoes one line back prefixed with the TLS facts.
    async fn serve_once(listener: TcpListener, setup: &TlsSetup) -> TlsInfo {
        let acceptor = TlsAcceptor::from(setup.server_config());
        let (tcp, peer) = listener.accept().await.unwrap();
        assert!(peer.ip().is_loopback());
        let mut tls = acceptor.accept(tcp).await.unwrap();
        let info = TlsInfo::from_connection(tls.get_ref().1).expect("handshake done");
        let mut buf = [0u8; 64];
        let n = tls.read(&mut buf).await.unwrap();
        tls.write_all(format!("{info} ").as_bytes()).await.unwrap();
        tls.write_all(&buf[..n]).await.unwrap();
        tls.shutdown().await.unwrap();
        info
    }

    async fn client(
        addr: std::net::SocketAddr,
        config: Arc<rustls::ClientConfig>,
        name: &str,
    ) -> std::io::Result<String> {
        let tcp = TcpStream::connect(addr).await?;
        let name = ServerName::try_from(name.to_string()).unwrap();
        let mut tls = TlsConnector::from(config).connect(name, tcp).await?;
        tls.write_all(b"hello\r\n").await?;
        let mut reply = String::new();
        tls.read_to_string(&mut reply).await?;
        Ok(reply)
    }

    #[tokio::test]
    async fn self_signed_handshake_over_tcp() {
        let dir = tempfile::tempdir().unwrap();
        let setup = TlsSetup::load(&Default::default(), dir.path(), "mx.test.example").unwrap();
        assert!(setup.is_self_signed());
        for name in ["localhost", "127.0.0.1", "mx.test.example"] {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = async { serve_once(listener, &setup).await };
            let (info, reply) =
                tokio::join!(server, client(addr, setup.client_config_trusting(), name));
            let reply = reply.unwrap();
            assert_eq!(info.version, "TLSv1.3");
            assert!(info.cipher.starts_with("TLS13_"), "{info:?}");
            assert_eq!(reply, format!("{info} hello\r\n"));
        }
    }

    #[tokio::test]
    async fn tls12_is_offered_too() {
        let dir = tempfile::tempdir().unwrap();
        let setup = TlsSetup::load(&Default::default(), dir.path(), "mx.test.example").unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(setup.chain()[0].clone()).unwrap();
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (info, reply) = tokio::join!(
            serve_once(listener, &setup),
            client(addr, Arc::new(config), "localhost")
        );
        assert_eq!(info.version, "TLSv1.2");
        assert!(info.cipher.starts_with("TLS_ECDHE_"), "{info:?}");
        assert!(reply.unwrap().ends_with(" hello\r\n"));
    }

    #[tokio::test]
    async fn the_same_certificate_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let first = TlsSetup::load(&Default::default(), dir.path(), "mx.test.example").unwrap();
        let second = TlsSetup::load(&Default::default(), dir.path(), "mx.test.example").unwrap();
        // A client that trusted the first start's certificate trusts the second's server.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (_, reply) = tokio::join!(
            serve_once(listener, &second),
            client(addr, first.client_config_trusting(), "localhost")
        );
        reply.unwrap();
    }

    #[tokio::test]
    async fn another_servers_certificate_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let other_dir = tempfile::tempdir().unwrap();
        let setup = TlsSetup::load(&Default::default(), dir.path(), "mx.test.example").unwrap();
        let other =
            TlsSetup::load(&Default::default(), other_dir.path(), "mx.test.example").unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = async {
            let (tcp, _) = listener.accept().await.unwrap();
            TlsAcceptor::from(setup.server_config())
                .accept(tcp)
                .await
                .is_err()
        };
        let (server_failed, reply) = tokio::join!(
            server,
            client(addr, other.client_config_trusting(), "localhost")
        );
        assert!(reply.is_err());
        assert!(server_failed);
    }
}

mod auth_on_blocking_threads {
    use std::net::IpAddr;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use tern_server::limits::AuthLimiter;
    use tern_server::users::UserDb;

    /// The way a session uses the user database and the lockout together.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn verify_with_lockout() {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(UserDb::open(dir.path().join("users")).unwrap());
        // `tern user add` in another process: a second handle on the same file.
        UserDb::open(dir.path().join("users"))
            .unwrap()
            .add("alice", "s3cret")
            .unwrap();
        let limiter = AuthLimiter::new(3, Duration::from_secs(300));
        let ip: IpAddr = "127.0.0.1".parse().unwrap();

        let attempt = |user: &'static str, password: &'static str| {
            let db = Arc::clone(&db);
            tokio::task::spawn_blocking(move || db.verify(user, password))
        };
        assert!(attempt("alice", "s3cret").await.unwrap());
        limiter.record_success(ip);
        for (user, password) in [("alice", "wrong"), ("mallory", "x"), ("alice", "")] {
            assert!(!limiter.is_locked(ip, Instant::now()));
            assert!(!attempt(user, password).await.unwrap());
            limiter.record_failure(ip, Instant::now());
        }
        assert!(limiter.is_locked(ip, Instant::now()));
        assert!(!limiter.is_locked("127.0.0.2".parse().unwrap(), Instant::now()));
    }
}

mod connection_limits {
    use tern_server::limits::{ConnectionLimiter, LimitRefusal};
    use tokio::net::{TcpListener, TcpStream};

    /// Guards held by accepted connections, released when the connection task ends.
    #[tokio::test]
    async fn per_ip_limit_over_tcp() {
        let limiter = ConnectionLimiter::new(10, 2);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut clients = Vec::new();
        let mut guards = Vec::new();
        for i in 0..3 {
            clients.push(TcpStream::connect(addr).await.unwrap());
            let (_conn, peer) = listener.accept().await.unwrap();
            match limiter.try_acquire(peer.ip()) {
                Ok(guard) => guards.push(guard),
                Err(refusal) => {
                    assert_eq!(i, 2);
                    assert_eq!(refusal, LimitRefusal::PerIp);
                }
            }
        }
        assert_eq!(limiter.count(addr.ip()), 2);
        guards.pop();
        clients.push(TcpStream::connect(addr).await.unwrap());
        let (_conn, peer) = listener.accept().await.unwrap();
        let _again = limiter.try_acquire(peer.ip()).unwrap();
        assert_eq!(limiter.total(), 2);
    }
}
