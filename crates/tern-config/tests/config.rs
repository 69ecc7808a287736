//! Loading configs as users write them, and the errors they get when they get one wrong.

use tern_config::{Config, ConfigError, LineEndings, ListenerKind, RouteTls, RouteTransport};

fn err(source: &str) -> ConfigError {
    Config::parse(source).expect_err("this config must be refused")
}

#[test]
fn empty_config_is_the_safe_default() {
    let c = Config::parse("").unwrap();
    assert_eq!(c.server.hostname, "localhost");
    assert_eq!(c.local.domains, vec!["localhost"]);
    assert!(
        c.relay.trusted_networks.is_empty(),
        "no open relay by default"
    );
    assert!(
        c.listeners.iter().all(|l| l.address.ip().is_loopback()),
        "loopback only"
    );
    assert_eq!(c.listeners.len(), 3);
    assert_eq!(c.limits.max_message_size.0, 25 << 20);
    assert_eq!(c.smtp.line_endings, LineEndings::Normalize);
    assert_eq!(c.limits.record_deadline.0.as_secs(), 300);
    assert!(c.limits.exempt_trusted_from_per_ip);
}

#[test]
fn the_example_config_loads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/tern.toml");
    let c = Config::load(std::path::Path::new(path)).unwrap();
    assert!(
        c.listeners
            .iter()
            .any(|l| l.kind == ListenerKind::Submissions)
    );
    assert!(!c.delivery.routes.is_empty());
    assert!(c.delivery.routes.iter().any(|r| r.discards()));
}

#[test]
fn unknown_key_names_key_and_line() {
    let e = err("[limits]\nmax_mesage_size = 10\n");
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.to_string().contains("max_mesage_size"), "{e}");
}

#[test]
fn bad_value_names_line_and_expectation() {
    let e = err(
        "[server]\nhostname = \"mx.example.com\"\n\n[limits]\nmax_message_size = \"25 bananas\"\n",
    );
    assert_eq!(e.line, Some(5), "{e}");
    assert!(e.message.contains("unknown size unit"), "{e}");
    let e = err("[limits]\ncommand_timeout = \"5 fortnights\"\n");
    assert_eq!(e.line, Some(2), "{e}");
}

#[test]
fn validation_errors_name_key_and_line() {
    let e = err("[limits]\nmax_line_length = 100\n");
    assert_eq!(e.key.as_deref(), Some("limits.max_line_length"));
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("512"), "{e}");

    let e = err("[relay]\ntrusted_networks = [\"10.0.0.0/40\"]\n");
    assert_eq!(e.key.as_deref(), Some("relay.trusted_networks"));
    assert_eq!(e.line, Some(2));

    let e = err("[tls]\ncertificate = \"/etc/cert.pem\"\n");
    assert_eq!(e.key.as_deref(), Some("tls.key"));

    let e = err("[limits]\nmax_errors = 5\nrecord_deadline = \"500ms\"\n");
    assert_eq!(e.key.as_deref(), Some("limits.record_deadline"));
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("at least 1s"), "{e}");
}

#[test]
fn syntax_error_has_a_line() {
    let e = err("[server\nhostname = 1\n");
    assert_eq!(e.line, Some(1), "{e}");
}

#[test]
fn load_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tern.toml");
    std::fs::write(&path, "[limits]\nmax_recipients = 0\n").unwrap();
    let e = Config::load(&path).unwrap_err();
    let text = e.to_string();
    assert!(
        text.starts_with(&format!("{}:2: limits.max_recipients:", path.display())),
        "{text}"
    );
    let e = Config::load(&dir.path().join("missing.toml")).unwrap_err();
    assert!(e.to_string().contains("cannot read the config file"));
}

/// Every key documented in docs/config.md is set in examples/tern.toml (which loads without an
/// unknown-key error), so the reference cannot document a key that does not exist.
#[test]
fn documented_keys_exist() {
    let docs = include_str!("../../../docs/config.md");
    let example = include_str!("../../../examples/tern.toml");
    let mut count = 0;
    let mut in_key_table = false;
    for line in docs.lines() {
        if !line.starts_with('|') {
            in_key_table = false;
            continue;
        }
        if line.starts_with("| key |") {
            in_key_table = true;
            continue;
        }
        if !in_key_table {
            continue;
        }
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let Some((key, _)) = rest.split_once('`') else {
            continue;
        };
        count += 1;
        assert!(
            example.lines().any(|l| {
                let l = l.trim_start().trim_start_matches("# ");
                l.starts_with(&format!("{key} =")) || l.ends_with(&format!(".{key}]"))
            }),
            "docs/config.md documents `{key}` but examples/tern.toml does not set it"
        );
    }
    assert!(count >= 35, "found only {count} documented keys");
}

#[test]
fn a_route_delivers_over_smtp_by_default_and_can_discard() {
    // An existing config, without `transport`: SMTP to the host, as before.
    let c = Config::parse(
        "[[delivery.route]]\ndomain = \"*\"\nhost = \"smtp.example.com:587\"\n\
         [[delivery.route]]\ndomain = \"sink.example\"\ntransport = \"discard\"\n",
    )
    .unwrap();
    let [smtp, discard] = &c.delivery.routes[..] else {
        panic!("two routes: {:?}", c.delivery.routes)
    };
    assert_eq!(smtp.transport, RouteTransport::Smtp);
    assert!(!smtp.discards());
    assert_eq!(smtp.host.as_deref(), Some("smtp.example.com:587"));
    assert_eq!(smtp.tls(), RouteTls::Opportunistic);
    assert_eq!(discard.transport, RouteTransport::Discard);
    assert!(discard.discards());
    assert_eq!(discard.host, None);
    assert!(discard.matches("SINK.example"));
    assert!(!discard.matches("sub.sink.example"));

    let c = Config::parse(
        "[[delivery.route]]\ndomain = \"*.test\"\ntransport = \"smtp\"\n\
         host = \"127.0.0.1:2525\"\ntls = \"none\"\n",
    )
    .unwrap();
    assert_eq!(c.delivery.routes[0].tls(), RouteTls::None);
    assert!(c.delivery.routes[0].matches("a.b.test"));
}

#[test]
fn a_discard_route_refuses_the_keys_of_a_connection_naming_key_and_line() {
    // The first route is fine and sets every key; the error points into the second.
    let smtp = "[[delivery.route]]\ndomain = \"relay.example\"\nhost = \"smtp.example.com:587\"\n\
                tls = \"required\"\nusername = \"u\"\npassword = \"p\"\n\
                ca_file = \"/etc/tern/ca.pem\"\n\n";
    for (key, value) in [
        ("host", "\"127.0.0.1:25\""),
        ("tls", "\"none\""),
        ("username", "\"u\""),
        ("password", "\"p\""),
        ("ca_file", "\"/etc/tern/ca.pem\""),
    ] {
        let source = format!(
            "{smtp}[[delivery.route]]\ndomain = \"sink.example\"\ntransport = \"discard\"\n\
             {key} = {value}\n"
        );
        let e = err(&source);
        let expected_key = format!("delivery.route.{key}");
        assert_eq!(e.key.as_deref(), Some(expected_key.as_str()), "{e}");
        assert_eq!(
            e.line,
            Some(12),
            "the line of the discard route's {key}: {e}"
        );
        assert!(e.message.contains("discard"), "{e}");
        assert!(e.message.contains("sink.example"), "{e}");
        assert!(
            e.to_string()
                .starts_with(&format!("line 12: delivery.route.{key}: ")),
            "{e}"
        );
    }
}

#[test]
fn an_smtp_route_needs_a_host() {
    let e = err(
        "[[delivery.route]]\ndomain = \"a.example\"\nhost = \"mx.a.example:25\"\n\n\
         [[delivery.route]]\ndomain = \"b.example\"\ntls = \"none\"\n",
    );
    assert_eq!(e.key.as_deref(), Some("delivery.route.host"), "{e}");
    assert_eq!(
        e.line,
        Some(5),
        "the header of the route without a host: {e}"
    );
    assert!(e.message.contains("b.example"), "{e}");
    assert!(e.message.contains("host:port"), "{e}");

    // A malformed host in the second route is found there, not in the first.
    let e = err(
        "[[delivery.route]]\ndomain = \"a.example\"\nhost = \"mx.a.example:25\"\n\
         [[delivery.route]]\ndomain = \"b.example\"\nhost = \"mx.b.example\"\n",
    );
    assert_eq!(e.key.as_deref(), Some("delivery.route.host"), "{e}");
    assert_eq!(e.line, Some(6), "{e}");

    // An unknown transport is a type error with its line.
    let e = err("[[delivery.route]]\ndomain = \"a.example\"\ntransport = \"lmtp\"\n");
    assert_eq!(e.line, Some(3), "{e}");
    assert!(
        e.message.contains("smtp") && e.message.contains("discard"),
        "{e}"
    );
}

/// The admin endpoint is loopback by default; anywhere else it needs a real token.
#[test]
fn admin_off_loopback_needs_a_token() {
    let c = Config::parse("").unwrap();
    assert!(c.admin.enabled);
    assert_eq!(c.admin.address.to_string(), "127.0.0.1:8025");
    for source in [
        "[admin]\naddress = \"0.0.0.0:8025\"\n",
        "[admin]\naddress = \"0.0.0.0:8025\"\ntoken = \"short\"\n",
    ] {
        let e = err(source).to_string();
        assert!(e.contains("admin.token"), "{e}");
    }
    let ok = Config::parse("[admin]\naddress = \"0.0.0.0:8025\"\ntoken = \"0123456789abcdef\"\n");
    assert!(ok.is_ok());
    assert!(Config::parse("[admin]\naddress = \"0.0.0.0:8025\"\nenabled = false\n").is_ok());
}
