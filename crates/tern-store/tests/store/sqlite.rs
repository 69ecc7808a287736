//! Behaviour of the embedded backend beyond the conformance suite: limits, reopening, the
//! spool directory, a second handle, the reserve, closing.

use std::fs;

use tern_store::{DiskFullCause, ListFilter, QueueId, QueueStore, SqliteStore, StoreError};

use super::common::{config, envelope, runtime};

fn spool_files(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir.join("spool"))
        .expect("spool dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn too_large_is_refused_and_nothing_is_stored() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut cfg = config(tmp.path());
    cfg.max_body_size = 1000;
    cfg.spool_threshold = 10;
    runtime().block_on(async {
        let s = SqliteStore::open(cfg).expect("open");
        match s.enqueue(envelope(1, 1), vec![b'x'; 1001]).await {
            Err(StoreError::TooLarge {
                size: 1001,
                limit: 1000,
            }) => {}
            other => panic!("expected TooLarge, got {other:?}"),
        }
        s.enqueue(envelope(1, 1), vec![b'x'; 1000])
            .await
            .expect("at the limit");
        assert_eq!(s.list(ListFilter::default()).await.expect("list").len(), 1);
        assert_eq!(spool_files(tmp.path()).len(), 1);
    });
}

#[test]
fn reopen_keeps_everything_and_sweeps_orphans() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rt = runtime();
    let (small, big, big_body) = rt.block_on(async {
        let s = SqliteStore::open(config(tmp.path())).expect("open");
        assert!(s.is_primary());
        let small = s
            .enqueue(envelope(2, 10), b"small".to_vec())
            .await
            .expect("small");
        let big_body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let big = s
            .enqueue(envelope(1, 11), big_body.clone())
            .await
            .expect("big");
        assert_eq!(spool_files(tmp.path()), vec![big.to_string()]);
        s.close().await.expect("close");
        (small, big, big_body)
    });
    // A crash between a spool file and its commit leaves files like these behind.
    let orphan = QueueId::from_parts(12, 1).to_string();
    fs::write(tmp.path().join("spool").join(&orphan), b"half").expect("orphan");
    fs::write(tmp.path().join("spool").join("leftover.tmp"), b"x").expect("junk");

    rt.block_on(async {
        let s = SqliteStore::open(config(tmp.path())).expect("reopen");
        let r = s.recovery();
        assert!(r.recovered);
        assert_eq!(r.messages, 2);
        assert_eq!(r.pending_recipients, 3);
        assert_eq!(r.orphan_bodies_removed, 2);
        assert!(r.missing_bodies.is_empty());
        assert_eq!(spool_files(tmp.path()), vec![big.to_string()]);
        assert_eq!(s.body(small).await.expect("small body"), b"small");
        assert_eq!(s.body(big).await.expect("big body"), big_body);
        s.delete(big).await.expect("delete");
        assert!(
            spool_files(tmp.path()).is_empty(),
            "delete removes the file"
        );
    });
}

#[test]
fn missing_spool_file_is_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rt = runtime();
    let id = rt.block_on(async {
        let s = SqliteStore::open(config(tmp.path())).expect("open");
        let id = s
            .enqueue(envelope(1, 1), vec![7; 100_000])
            .await
            .expect("enqueue");
        s.close().await.expect("close");
        id
    });
    fs::remove_file(tmp.path().join("spool").join(id.to_string())).expect("remove");
    rt.block_on(async {
        let s = SqliteStore::open(config(tmp.path())).expect("reopen");
        assert_eq!(s.recovery().missing_bodies, vec![id]);
        assert!(matches!(s.body(id).await, Err(StoreError::NotFound(_))));
    });
}

#[test]
fn second_handle_shares_the_queue_without_spooling_or_sweeping() {
    let tmp = tempfile::tempdir().expect("tempdir");
    runtime().block_on(async {
        let first = SqliteStore::open(config(tmp.path())).expect("open");
        let second = SqliteStore::open(config(tmp.path())).expect("open second");
        assert!(first.is_primary());
        assert!(!second.is_primary());
        assert!(!second.recovery().recovered);

        let a = first
            .enqueue(envelope(1, 1), vec![1; 100_000])
            .await
            .expect("a");
        let b = second
            .enqueue(envelope(1, 2), vec![2; 100_000])
            .await
            .expect("b");
        // Only the primary writes spool files.
        assert_eq!(spool_files(tmp.path()), vec![a.to_string()]);
        second
            .hold(a)
            .await
            .expect("hold through the second handle");
        assert!(first.message(a).await.expect("a").held);
        assert_eq!(first.body(b).await.expect("b"), vec![2; 100_000]);
        assert_eq!(second.body(a).await.expect("a"), vec![1; 100_000]);
        second.close().await.expect("close second");
        first.close().await.expect("close first");
    });
}

#[test]
fn reserve_refuses_enqueue_and_stores_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut cfg = config(tmp.path());
    cfg.disk_reserve = u64::MAX / 2;
    runtime().block_on(async {
        let s = SqliteStore::open(cfg).expect("open");
        for len in [10, 100_000] {
            match s.enqueue(envelope(1, 1), vec![0; len]).await {
                Err(StoreError::DiskFull(DiskFullCause::BelowReserve { needed, .. })) => {
                    assert!(needed >= u64::MAX / 2)
                }
                other => panic!("expected DiskFull below reserve, got {other:?}"),
            }
        }
        assert!(
            s.list(ListFilter::default())
                .await
                .expect("list")
                .is_empty()
        );
        assert!(spool_files(tmp.path()).is_empty());
        // Only enqueues are refused: the rest of the queue can still be managed.
        assert!(matches!(
            s.hold(QueueId::from_parts(1, 1)).await,
            Err(StoreError::NotFound(_))
        ));
    });
}

#[test]
fn closed_store_answers_closed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    runtime().block_on(async {
        let s = SqliteStore::open(config(tmp.path())).expect("open");
        let other = s.clone();
        s.close().await.expect("close");
        assert!(matches!(
            other.enqueue(envelope(1, 1), b"x".to_vec()).await,
            Err(StoreError::Closed)
        ));
        // Reads still work on their own connections until the last handle is dropped.
        assert!(other.list(ListFilter::default()).await.is_ok());
        // The lock went with the writer: a new handle is primary.
        let again = SqliteStore::open(config(tmp.path())).expect("reopen");
        assert!(again.is_primary());
    });
}

#[test]
fn concurrent_enqueues_share_commits() {
    let tmp = tempfile::tempdir().expect("tempdir");
    runtime().block_on(async {
        let s = SqliteStore::open(config(tmp.path())).expect("open");
        // All 64 start together, as 64 SMTP sessions ending their DATA at once would.
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(64));
        let tasks: Vec<_> = (0..64)
            .map(|i| {
                let s = s.clone();
                let start = std::sync::Arc::clone(&start);
                tokio::spawn(async move {
                    start.wait().await;
                    s.enqueue(envelope(1, i), vec![0; 4096]).await
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task").expect("enqueue");
        }
        let stats = s.writer_stats();
        assert_eq!(stats.requests, 64);
        assert!(
            stats.commits < 64 && stats.largest_batch > 1,
            "64 concurrent enqueues took one commit each: {stats:?}"
        );
    });
}

mod round_trip_property {
    use proptest::prelude::*;
    use tern_store::{
        BodyType, ClientInfo, Envelope, MailParams, Notify, Orcpt, QueueStore, Recipient, Ret,
        SqliteStore, TlsInfo,
    };

    use super::super::common::{config, runtime};

    fn notify() -> impl Strategy<Value = Option<Notify>> {
        prop_oneof![
            Just(None),
            Just(Some(Notify::Never)),
            (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(s, f, d)| Some(Notify::On {
                success: s,
                failure: f,
                delay: d,
            })),
        ]
    }

    fn envelope() -> impl Strategy<Value = Envelope> {
        let text = "\\PC{0,40}|[\\x00-\\x7f]{0,10}";
        (
            proptest::option::of(text),
            proptest::collection::vec(
                (
                    text,
                    notify(),
                    proptest::option::of(("[a-z0-9-]{1,10}", text)),
                )
                    .prop_map(|(a, n, o)| Recipient {
                        address: a,
                        notify: n,
                        orcpt: o.map(|(addr_type, address)| Orcpt { addr_type, address }),
                    }),
                1..5,
            ),
            (
                proptest::option::of(any::<u64>()),
                prop_oneof![
                    Just(BodyType::SevenBit),
                    Just(BodyType::EightBitMime),
                    Just(BodyType::BinaryMime)
                ],
                any::<bool>(),
                proptest::option::of(prop_oneof![Just(Ret::Full), Just(Ret::Headers)]),
                proptest::option::of(text),
            ),
            (
                text,
                text,
                proptest::option::of((text, text)),
                proptest::option::of(text),
            ),
            0i64..(1 << 47),
        )
            .prop_map(|(sender, recipients, p, c, t)| Envelope {
                sender,
                params: MailParams {
                    size: p.0,
                    body: p.1,
                    smtputf8: p.2,
                    ret: p.3,
                    envid: p.4,
                },
                recipients,
                client: ClientInfo {
                    helo: c.0,
                    peer_ip: c.1,
                    tls: c.2.map(|(protocol, cipher)| TlsInfo { protocol, cipher }),
                    auth_user: c.3,
                },
                received_at_ms: t,
            })
    }

    #[test]
    fn any_envelope_and_body_round_trip() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let rt = runtime();
        let store = SqliteStore::open(config(tmp.path())).expect("open");
        proptest!(ProptestConfig::with_cases(48), |(
            env in envelope(),
            body in proptest::collection::vec(any::<u8>(), 0..3000),
        )| {
            let (got_env, got_body) = rt.block_on(async {
                let id = store.enqueue(env.clone(), body.clone()).await.expect("enqueue");
                (
                    store.envelope(id).await.expect("envelope"),
                    store.body(id).await.expect("body"),
                )
            });
            prop_assert_eq!(got_env, env);
            prop_assert_eq!(got_body, body);
        });
    }
}
