//! Property tests: whatever the address, policy never panics and never lets a stranger relay.

use proptest::prelude::*;

use super::*;

/// Local parts built from the pieces of routing tricks.
fn local_part() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9%!+_-]{1,8}(\\.[a-zA-Z0-9%!+_-]{1,8}){0,2}",
        "\"[a-zA-Z0-9@%! .:<>,\\\\]{0,20}\"",
        Just("postmaster".to_owned()),
        Just("Alice".to_owned()),
        Just("sales".to_owned()),
        "[a-zé用ü]{1,8}",
    ]
}

/// Hosts: local domains in any case, remote ones, look-alikes and literals.
fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("example.org".to_owned()),
        Just("EXAMPLE.NET".to_owned()),
        Just("example.org.remote.example".to_owned()),
        Just("sub.example.org".to_owned()),
        "[a-z]{1,10}(\\.[a-z]{1,5}){0,3}",
        "\\[[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\]",
        Just("[IPv6:::1]".to_owned()),
        Just("[x-tag:stuff]".to_owned()),
        "[a-zü]{1,6}\\.example",
    ]
}

/// What goes between `<` and `>`: a mailbox, sometimes with a source route, sometimes
/// followed by garbage; and sometimes anything at all.
fn inner() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (
            proptest::option::weighted(0.3, "@[a-z]{1,8}(\\.[a-z]{1,5}){0,2}(,@[a-z]{1,8}){0,2}:"),
            local_part(),
            host(),
            proptest::option::weighted(0.1, "[@%!:,a-z.]{1,8}"),
        )
            .prop_map(|(route, local, host, tail)| format!(
                "{}{local}@{host}{}",
                route.unwrap_or_default(),
                tail.unwrap_or_default()
            )),
        1 => "\\PC{0,40}",
    ]
}

fn client_ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>()
            .prop_filter("outside 192.0.2.0/24", |o| o[..3] != [192, 0, 2])
            .prop_map(IpAddr::from),
        any::<[u16; 8]>()
            .prop_filter("outside 2001:db8::/32 and ::ffff:192.0.2.0/24", |s| {
                s[..2] != [0x2001, 0x0db8]
                    && !(s[..6] == [0, 0, 0, 0, 0, 0xffff]
                        && s[6] >> 8 == 192
                        && s[6] & 0xff == 0
                        && s[7] >> 8 == 2)
            })
            .prop_map(IpAddr::from),
    ]
}

fn listener() -> impl Strategy<Value = ListenerKind> {
    prop_oneof![
        Just(ListenerKind::Smtp),
        Just(ListenerKind::Submission),
        Just(ListenerKind::Submissions),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn strangers_never_relay(
        inner in inner(),
        ip in client_ip(),
        listener in listener(),
        smtputf8 in any::<bool>(),
        tls in any::<bool>(),
    ) {
        let p = policy();
        let facts = SessionFacts { client_ip: ip, listener, authenticated_user: None, tls };
        prop_assert!(!p.may_relay(&facts));
        let line = format!("RCPT TO:<{inner}>");
        if let Ok(Command::Rcpt { to, .. }) = parse_command(line.as_bytes()) {
            let verdict = p.check_recipient(&facts, &to, smtputf8);
            match &verdict {
                RecipientVerdict::Relay { .. } => {
                    prop_assert!(false, "{line} relayed for {ip}");
                }
                RecipientVerdict::Local { mailbox, .. } => {
                    // Local delivery only ever goes to a local domain.
                    let domain = mailbox.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
                    prop_assert!(p.is_local_domain(domain), "{line} -> {mailbox}");
                    // and never for a path with a source route or a routing character
                    if let ForwardPath::Path(path) = &to {
                        prop_assert!(!path.has_source_route(), "{line}");
                        let lp = path.mailbox().local_part().unquoted();
                        prop_assert!(!lp.contains(['%', '!', '@']), "{line}");
                    }
                }
                RecipientVerdict::Forward { .. } => {}
                RecipientVerdict::Reject(reply) => {
                    prop_assert!(reply.code().is_permanent(), "{reply:?}");
                }
            }
            // Without SMTPUTF8, a non-ASCII path is never accepted.
            if !smtputf8 && !to.is_ascii() {
                prop_assert!(!verdict.is_accepted(), "{line}");
            }
        }
    }

    #[test]
    fn arbitrary_command_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..80),
        user in proptest::option::of("\\PC{0,12}"),
        ip in any::<[u8; 4]>(),
        listener in listener(),
    ) {
        let p = policy();
        let facts = SessionFacts {
            client_ip: IpAddr::from(ip),
            listener,
            authenticated_user: user,
            tls: false,
        };
        let mut line = b"RCPT TO:<".to_vec();
        line.extend_from_slice(&bytes);
        if let Ok(Command::Rcpt { to, .. }) = parse_command(&line) {
            let verdict = p.check_recipient(&facts, &to, true);
            if !p.may_relay(&facts) {
                prop_assert!(!matches!(verdict, RecipientVerdict::Relay { .. }), "relayed");
            }
        }
        let mut line = b"MAIL FROM:<".to_vec();
        line.extend_from_slice(&bytes);
        if let Ok(Command::Mail { from, params }) = parse_command(&line) {
            let _ = p.check_sender(&facts, &from, &params);
        }
    }

    #[test]
    fn policy_from_any_local_table_never_panics(
        domains in proptest::collection::vec("\\PC{0,12}", 0..3),
        mailboxes in proptest::collection::vec("\\PC{0,12}", 0..4),
        alias in proptest::option::of(("\\PC{0,12}", "\\PC{0,12}")),
        catch_all in proptest::option::of("\\PC{0,12}"),
        inner in inner(),
    ) {
        let mut config = Config::default();
        config.local.domains = domains;
        config.local.mailboxes = mailboxes;
        config.local.catch_all = catch_all;
        if let Some((a, b)) = alias {
            config.local.aliases.insert(a, b);
        }
        let p = Policy::new(&config);
        if let Ok(Command::Rcpt { to, .. }) = parse_command(format!("RCPT TO:<{inner}>").as_bytes()) {
            let v = p.check_recipient(&stranger(), &to, true);
            prop_assert!(!matches!(v, RecipientVerdict::Relay { .. }), "relayed: {:?}", v);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn relay_clients_relay_only_to_remote_hosts_and_never_route_tricks_locally(
        inner in inner(),
        logged_in in any::<bool>(),
    ) {
        let p = policy();
        let facts = if logged_in { user("alice") } else { trusted() };
        prop_assert!(p.may_relay(&facts));
        let line = format!("RCPT TO:<{inner}>");
        if let Ok(Command::Rcpt { to: ForwardPath::Path(path), .. }) = parse_command(line.as_bytes()) {
            let m = path.mailbox();
            let local = m.domain().is_some_and(|d| p.is_local_domain(d.as_str()));
            let verdict = p.check_recipient(&facts, &ForwardPath::Path(path.clone()), true);
            match &verdict {
                RecipientVerdict::Relay { .. } => prop_assert!(!local, "{line} relayed"),
                RecipientVerdict::Local { .. } | RecipientVerdict::Forward { .. } => {
                    prop_assert!(local, "{line} delivered locally");
                }
                RecipientVerdict::Reject(_) => {}
            }
            if local && m.local_part().unquoted().contains(['%', '!', '@']) {
                prop_assert_eq!(codes(verdict.reply()), "550 5.7.1", "{}", line);
            }
        }
    }
}
