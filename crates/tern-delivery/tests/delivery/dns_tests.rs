//! MX resolution against the in-process DNS server: order, shuffling, implicit MX, null MX,
//! NXDOMAIN, SERVFAIL, a silent nameserver, and the catalogue replies.

use std::collections::HashSet;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use hickory_proto::rr::RecordType;
use tern_delivery::dns::{DnsError, MxHost, Resolver, Rng};

use crate::support::dns::TestDns;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn names(hosts: &[MxHost]) -> Vec<&str> {
    hosts.iter().map(|h| h.name.as_str()).collect()
}

async fn resolve_seeded(
    resolver: &Resolver,
    domain: &str,
    seed: u64,
) -> Result<Vec<MxHost>, DnsError> {
    let mut rng = Rng::seeded(seed);
    resolver
        .resolve_mx_with(domain, &mut |n| rng.below(n))
        .await
}

fn assert_reply(err: &DnsError, domain: &str, code: u16, enhanced: &str) {
    let reply = err.reply(domain);
    assert_eq!(reply.code().value(), code, "{reply:?}");
    assert_eq!(
        reply.enhanced().map(|e| e.to_string()).as_deref(),
        Some(enhanced),
        "{reply:?}"
    );
    assert!(reply.text().contains(domain), "{reply:?}");
}

#[tokio::test]
async fn mx_hosts_come_in_preference_order_with_their_addresses() {
    let dns = TestDns::builder()
        .mx("example.test", 20, "mx2.example.test")
        .mx("example.test", 10, "mx1.example.test")
        .mx("example.test", 30, "mx3.example.test")
        .a("mx1.example.test", "127.0.0.1")
        .a("mx2.example.test", "127.0.0.2")
        .aaaa("mx2.example.test", "::1")
        .aaaa("mx3.example.test", "::2")
        .start()
        .await;
    let resolver = Resolver::with_nameservers(&[dns.addr]);

    let hosts = resolver.resolve_mx("example.test").await.unwrap();
    assert_eq!(
        hosts,
        vec![
            MxHost {
                name: "mx1.example.test".into(),
                preference: 10,
                addrs: vec![ip("127.0.0.1")],
            },
            MxHost {
                name: "mx2.example.test".into(),
                preference: 20,
                addrs: vec![ip("127.0.0.2"), ip("::1")],
            },
            MxHost {
                name: "mx3.example.test".into(),
                preference: 30,
                addrs: vec![ip("::2")],
            },
        ]
    );

    // Case and a trailing dot do not matter.
    let again = resolver.resolve_mx("Example.TEST.").await.unwrap();
    assert_eq!(names(&again), names(&hosts));
}

#[tokio::test]
async fn equal_preferences_are_shuffled_deterministically_with_a_seed() {
    let dns = TestDns::builder()
        .mx("example.test", 5, "first.example.test")
        .mx("example.test", 10, "a.example.test")
        .mx("example.test", 10, "b.example.test")
        .a("first.example.test", "127.0.0.1")
        .a("a.example.test", "127.0.0.2")
        .a("b.example.test", "127.0.0.3")
        .start()
        .await;
    let resolver = Resolver::with_nameservers(&[dns.addr]);

    let mut orders = HashSet::new();
    for seed in 0..16 {
        let one = resolve_seeded(&resolver, "example.test", seed)
            .await
            .unwrap();
        let two = resolve_seeded(&resolver, "example.test", seed)
            .await
            .unwrap();
        assert_eq!(one, two, "the same seed gives the same order");
        let n = names(&one);
        assert_eq!(
            n[0], "first.example.test",
            "a lower preference always comes first"
        );
        orders.insert(n[1..].iter().map(|s| s.to_string()).collect::<Vec<_>>());
    }
    let expected: HashSet<Vec<String>> = [
        vec!["a.example.test".into(), "b.example.test".into()],
        vec!["b.example.test".into(), "a.example.test".into()],
    ]
    .into();
    assert_eq!(
        orders, expected,
        "both orders of the equal hosts are reachable"
    );

    // The pick decides the order: with two equal hosts, picking 0 swaps them and picking the
    // last index leaves them, so the two results differ.
    let first = resolver
        .resolve_mx_with("example.test", &mut |_| 0)
        .await
        .unwrap();
    let last = resolver
        .resolve_mx_with("example.test", &mut |n| n - 1)
        .await
        .unwrap();
    assert_ne!(names(&first)[1..], names(&last)[1..]);
}

#[tokio::test]
async fn no_mx_means_the_implicit_mx_of_the_domain_addresses() {
    let dns = TestDns::builder()
        .a("plain.test", "127.0.0.9")
        .aaaa("plain.test", "::9")
        .aaaa("v6only.test", "::10")
        .start()
        .await;
    let resolver = Resolver::with_nameservers(&[dns.addr]);

    let hosts = resolver.resolve_mx("plain.test").await.unwrap();
    assert_eq!(
        hosts,
        vec![MxHost {
            name: "plain.test".into(),
            preference: 0,
            addrs: vec![ip("127.0.0.9"), ip("::9")],
        }]
    );
    let hosts = resolver.resolve_mx("v6only.test").await.unwrap();
    assert_eq!(hosts[0].addrs, vec![ip("::10")]);
}

#[tokio::test]
async fn null_mx_is_permanent_556_5_1_10() {
    let dns = TestDns::builder()
        .null_mx("nullmx.test")
        .a("nullmx.test", "127.0.0.1") // an address does not override the null MX
        .start()
        .await;
    let resolver = Resolver::with_nameservers(&[dns.addr]);

    let err = resolver.resolve_mx("nullmx.test").await.unwrap_err();
    assert_eq!(err, DnsError::NullMx);
    assert!(err.is_permanent());
    assert_reply(&err, "nullmx.test", 556, "5.1.10");
}

#[tokio::test]
async fn nxdomain_is_permanent_550_5_1_2() {
    let dns = TestDns::builder()
        .mx("example.test", 10, "mx.example.test")
        .start()
        .await;
    let resolver = Resolver::with_nameservers(&[dns.addr]);

    let err = resolver.resolve_mx("nowhere.test").await.unwrap_err();
    assert_eq!(err, DnsError::NoSuchDomain);
    assert!(err.is_permanent());
    assert_reply(&err, "nowhere.test", 550, "5.1.2");
}

#[tokio::test]
async fn a_domain_without_any_address_is_permanent() {
    let dns = TestDns::builder()
        .txt("noaddr.test", "v=spf1 -all")
        .mx("deadmx.test", 10, "gone.deadmx.test") // the MX host does not exist
        .start()
        .await;
    let resolver = Resolver::with_nameservers(&[dns.addr]);

    let err = resolver.resolve_mx("noaddr.test").await.unwrap_err();
    assert_eq!(err, DnsError::NoAddress);
    assert!(err.is_permanent());
    assert_reply(&err, "noaddr.test", 550, "5.1.2");

    let err = resolver.resolve_mx("deadmx.test").await.unwrap_err();
    assert_eq!(err, DnsError::NoAddress);
}

#[tokio::test]
async fn servfail_is_temporary_451_4_4_3() {
    let dns = TestDns::builder()
        .servfail("broken.test")
        .mx("halfbroken.test", 10, "bad.halfbroken.test")
        .mx("halfbroken.test", 20, "good.halfbroken.test")
        .servfail("bad.halfbroken.test")
        .a("good.halfbroken.test", "127.0.0.1")
        .mx("allbroken.test", 10, "bad.halfbroken.test")
        .start()
        .await;
    let resolver = Resolver::with_nameservers(&[dns.addr]);

    let err = resolver.resolve_mx("broken.test").await.unwrap_err();
    assert!(matches!(err, DnsError::Temporary(_)), "{err:?}");
    assert!(!err.is_permanent());
    assert_reply(&err, "broken.test", 451, "4.4.3");

    // An MX host that fails is skipped when another one resolves...
    let hosts = resolver.resolve_mx("halfbroken.test").await.unwrap();
    assert_eq!(names(&hosts), ["good.halfbroken.test"]);

    // ...and makes the whole lookup temporary when none does.
    let err = resolver.resolve_mx("allbroken.test").await.unwrap_err();
    assert!(matches!(err, DnsError::Temporary(_)), "{err:?}");
}

#[tokio::test]
async fn a_silent_nameserver_is_temporary_within_the_timeout() {
    // Bound, so nothing is refused, but nobody ever reads or answers.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let resolver = Resolver::with_nameservers(&[silent.local_addr().unwrap()]);

    let started = Instant::now();
    let err = resolver.resolve_mx("example.test").await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, DnsError::Temporary(_)), "{err:?}");
    assert_reply(&err, "example.test", 451, "4.4.3");
    assert!(
        elapsed < Duration::from_secs(10),
        "gave up after {elapsed:?}"
    );
}

#[tokio::test]
async fn a_closed_nameserver_port_is_temporary() {
    let port = {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        s.local_addr().unwrap()
    };
    let resolver = Resolver::with_nameservers(&[port]);
    let err = resolver.resolve_mx("example.test").await.unwrap_err();
    assert!(matches!(err, DnsError::Temporary(_)), "{err:?}");
}

#[tokio::test]
async fn cnames_are_followed() {
    let dns = TestDns::builder()
        .mx("alias.test", 10, "mx.alias.test")
        .cname("mx.alias.test", "real.other.test")
        .a("real.other.test", "127.0.0.7")
        .cname("www.alias.test", "real.other.test")
        .start()
        .await;
    let resolver = Resolver::with_nameservers(&[dns.addr]);

    let hosts = resolver.resolve_mx("alias.test").await.unwrap();
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0].name, "mx.alias.test");
    assert_eq!(hosts[0].addrs, vec![ip("127.0.0.7")]);

    // A domain that is an alias and has no MX: the implicit MX through the CNAME.
    let hosts = resolver.resolve_mx("www.alias.test").await.unwrap();
    assert_eq!(hosts[0].addrs, vec![ip("127.0.0.7")]);
}

#[tokio::test]
async fn address_literals_and_bad_names_are_never_looked_up() {
    let dns = TestDns::builder().start().await;
    let resolver = Resolver::with_nameservers(&[dns.addr]);

    let hosts = resolver.resolve_mx("[127.0.0.1]").await.unwrap();
    assert_eq!(
        hosts,
        vec![MxHost {
            name: "[127.0.0.1]".into(),
            preference: 0,
            addrs: vec![ip("127.0.0.1")],
        }]
    );
    let hosts = resolver.resolve_mx("[IPv6:::1]").await.unwrap();
    assert_eq!(hosts[0].addrs, vec![ip("::1")]);

    for bad in ["[300.1.1.1]", "[example.test]", "", "a..b"] {
        let err = resolver.resolve_mx(bad).await.unwrap_err();
        assert_eq!(err, DnsError::NoSuchDomain, "{bad:?}");
    }
    assert_eq!(dns.queries(), vec![], "no query was sent");
}

#[tokio::test]
async fn the_test_server_sees_fully_qualified_queries_only() {
    let dns = TestDns::builder()
        .mx("example.test", 10, "mx.example.test")
        .a("mx.example.test", "127.0.0.1")
        .start()
        .await;
    let resolver = Resolver::with_nameservers(&[dns.addr]);
    resolver.resolve_mx("example.test").await.unwrap();

    let mut queries = dns.queries();
    queries.sort_by_key(|(name, rtype)| (name.clone(), u16::from(*rtype)));
    assert_eq!(
        queries,
        vec![
            ("example.test".to_string(), RecordType::MX),
            ("mx.example.test".to_string(), RecordType::A),
            ("mx.example.test".to_string(), RecordType::AAAA),
        ]
    );
}
