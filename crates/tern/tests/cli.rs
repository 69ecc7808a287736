//! The `tern` command line, run as a user runs it.

use assert_cmd::Command;

fn tern() -> Command {
    let mut cmd = Command::cargo_bin("tern").expect("the tern binary is built");
    cmd.env_remove("NO_COLOR").env("COLUMNS", "80");
    cmd
}

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/bounces/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn stdout_of(cmd: &mut Command) -> (String, Option<i32>) {
    let out = cmd.output().expect("tern runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

#[test]
fn explain_exit_status_follows_the_first_digit() {
    for (input, status) in [
        ("250", 0),
        ("354", 3),
        ("421", 4),
        ("4.2.2", 4),
        ("550", 5),
        ("5.7.1", 5),
    ] {
        let (_, code) = stdout_of(tern().args(["explain", input]));
        assert_eq!(code, Some(status), "{input}");
    }
}

#[test]
fn explain_a_full_reply_given_as_words() {
    let (out, code) = stdout_of(tern().args([
        "explain",
        "550",
        "5.1.1",
        "<bob@example.com>:",
        "Recipient",
        "address",
        "rejected:",
        "User",
        "unknown",
    ]));
    assert_eq!(code, Some(5));
    assert!(
        out.contains("The recipient's address does not exist"),
        "{out}"
    );
    assert!(out.contains("Who acts    the sender"), "{out}");
    assert!(!out.contains('\x1b'), "no colour when not on a terminal");
    assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
}

#[test]
fn explain_reads_a_multiline_reply_from_stdin() {
    let reply = "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n\
                 550-5.1.1 double-checking the recipient's email address for typos or\r\n\
                 550 5.1.1 unnecessary spaces. For more information, go to\r\n";
    let (out, code) = stdout_of(tern().args(["explain", "-"]).write_stdin(reply));
    assert_eq!(code, Some(5));
    assert!(out.contains("double-checking"), "{out}");
}

#[test]
fn explain_json_is_machine_readable() {
    let (out, code) = stdout_of(tern().args(["explain", "--json", "452 4.2.2 Mailbox full"]));
    assert_eq!(code, Some(4));
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["outcome"], "transient");
    assert_eq!(v["code"], 452);
    assert_eq!(v["enhanced"], "4.2.2");
    assert_eq!(v["retry"], "helps");
    assert_eq!(v["actor"], "recipient_admin");
    assert_eq!(v["pattern_id"], "generic.mailbox_full");
    // The cause, and the sender's question kept apart from the first digit's answer.
    assert_eq!(v["cause"], "mailbox_full");
    assert_eq!(v["cause_family"], "mailbox");
    assert_eq!(v["who_acts"], "recipient_admin");
    assert_eq!(v["retry_helps"], false);
    assert!(
        v["retry_when"].as_str().unwrap().contains("frees space"),
        "{out}"
    );
    assert_eq!(v["confidence"], "pattern");
    assert_eq!(v["provider"], serde_json::Value::Null);

    let (out, code) = stdout_of(tern().args(["explain", "--json", "354"]));
    assert_eq!(code, Some(3));
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["outcome"], "intermediate");
    assert_eq!(v["cause"], "proceed");

    let (out, _) = stdout_of(tern().args([
        "explain",
        "--json",
        "550 5.4.5 Daily user sending limit exceeded. - gsmtp",
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["outcome"], "permanent");
    assert_eq!(v["retry"], "useless");
    assert_eq!(v["retry_helps"], true);
    assert_eq!(v["provider"], "gmail");
}

#[test]
fn explain_shows_both_retry_answers_when_they_differ() {
    let (out, code) = stdout_of(tern().args([
        "explain",
        "421 4.7.0 TLS required for RCPT domain, closing connection",
    ]));
    assert_eq!(code, Some(4));
    assert!(
        out.contains("Retry       the sending server retries"),
        "{out}"
    );
    assert!(out.contains("Resending   no: not until"), "{out}");
    assert!(out.contains("tls_required"), "{out}");
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let (out, _) = stdout_of(tern().args(["--color", "always", "explain", "550"]));
    assert!(out.contains("\x1b["));
    let (out, _) = stdout_of(tern().args(["explain", "550"]).env("NO_COLOR", "1"));
    assert!(!out.contains("\x1b["));
}

#[test]
fn bad_input_is_one_line_and_status_2() {
    for input in ["55", "650", "5.1", "", "random words", "9999"] {
        let out = tern().args(["explain", input]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{input:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{input:?}: {err}");
        assert!(err.starts_with("tern: "), "{err}");
        assert!(out.stdout.is_empty());
    }
    let out = tern()
        .args(["explain", "-"])
        .write_stdin(vec![0u8, 0xff, 0xfe, 0x13, b'\n', 0x80])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bounce_rfc3464_explains_each_recipient() {
    let (out, code) = stdout_of(tern().args(["explain", "--bounce", &fixture("postfix-dsn.eml")]));
    assert_eq!(
        code,
        Some(5),
        "worst outcome wins: one permanent, one transient"
    );
    assert!(out.contains("RFC 3464"), "{out}");
    assert!(out.contains("Recipient bob@example.com"), "{out}");
    assert!(out.contains("Recipient carol@example.net"), "{out}");
    assert!(out.contains("The recipient's mailbox is full"), "{out}");
    assert!(out.contains("Remote MTA  mx.example.com"), "{out}");
}

#[test]
fn bounce_json_lists_recipients() {
    let (out, _) =
        stdout_of(tern().args(["explain", "--json", "--bounce", &fixture("postfix-dsn.eml")]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["format"], "rfc3464");
    assert_eq!(v["reporting_mta"], "mail.example.org");
    let recipients = v["recipients"].as_array().unwrap();
    assert_eq!(recipients.len(), 2);
    assert_eq!(recipients[0]["recipient"], "bob@example.com");
    assert_eq!(recipients[0]["action"], "failed");
    assert_eq!(recipients[0]["explanation"]["enhanced"], "5.1.1");
    assert!(
        recipients[0]["diagnostic"]
            .as_str()
            .unwrap()
            .contains("User unknown in local recipient table")
    );
    assert_eq!(recipients[1]["explanation"]["outcome"], "transient");
}

#[test]
fn bounce_non_standard_layouts() {
    let (out, code) = stdout_of(tern().args(["explain", "--bounce", &fixture("exim-plain.eml")]));
    assert_eq!(code, Some(5));
    assert!(out.contains("Recipient dave@example.com"), "{out}");
    assert!(out.contains("blocklist"), "{out}");
    assert!(
        !out.contains("this subject must not be read"),
        "the quoted original is skipped"
    );

    let (out, code) = stdout_of(tern().args(["explain", "--bounce", &fixture("qmail-plain.eml")]));
    assert_eq!(code, Some(5));
    assert!(out.contains("Recipient erin@example.com"), "{out}");
    assert!(out.contains("The message is too large"), "{out}");
}

#[test]
fn bounce_errors_name_the_problem() {
    let out = tern()
        .args(["explain", "--bounce", &fixture("not-a-bounce.eml")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no failed recipient found"));
    let out = tern()
        .args(["explain", "--bounce", "/nonexistent/x.eml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/x.eml"));
}

#[test]
fn help_teaches_the_exit_status() {
    let (out, code) = stdout_of(tern().args(["explain", "--help"]));
    assert_eq!(code, Some(0));
    assert!(out.contains("Exit status"));
    assert!(out.contains("tern explain --bounce"));
}

#[test]
fn catalogue_markdown_matches_docs() {
    let (out, code) = stdout_of(tern().args(["catalogue", "--format", "markdown"]));
    assert_eq!(code, Some(0));
    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/replies.md"
    ))
    .unwrap();
    assert_eq!(out, docs);
}

#[test]
fn send_queues_durably_like_sendmail() {
    use tern_store::QueueStore;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tern.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nhostname = \"mx.test\"\ndata_dir = \"{}\"\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let out = tern()
        .args(["send", "-t", "-f", "ops@mx.test", "--config"])
        .arg(&config)
        .write_stdin(
            "To: Bob <bob@example.com>\nBcc: hidden@example.com\nSubject: report\n\nall good\n",
        )
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    let id: tern_store::QueueId = printed
        .trim()
        .strip_prefix("queued as ")
        .unwrap()
        .parse()
        .unwrap();
    let store =
        tern_store::SqliteStore::open(tern_store::SqliteConfig::new(dir.path().join("data/queue")))
            .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let envelope = rt.block_on(store.envelope(id)).unwrap();
    assert_eq!(envelope.sender.as_deref(), Some("ops@mx.test"));
    let to: Vec<&str> = envelope
        .recipients
        .iter()
        .map(|r| r.address.as_str())
        .collect();
    assert_eq!(to, vec!["bob@example.com", "hidden@example.com"]);
    let body = String::from_utf8(rt.block_on(store.body(id)).unwrap()).unwrap();
    // The way SMTP mail takes: a Received: header in front, as Postfix's pickup writes one.
    let (received, rest) = body.split_once("\r\nFrom: ").unwrap();
    assert!(
        received.starts_with("Received: by mx.test (Tern, from local user "),
        "{body:?}"
    );
    assert!(
        rest.starts_with(
            "<ops@mx.test>\r\nTo: Bob <bob@example.com>\r\nSubject: report\r\n\r\nall good\r\n"
        ),
        "{body:?}"
    );

    // ... and the same checks: a local mailbox that does not exist, a malformed address.
    for (to, code) in [
        ("nobody@localhost", "550 5.1.1"),
        ("not an address", "501 5.1.3"),
    ] {
        let out = tern()
            .args(["send", "--config"])
            .arg(&config)
            .arg(to)
            .write_stdin("Subject: x\n\nx\n")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{to}: {err}");
        assert!(
            err.contains(code) && err.contains("not queued"),
            "{to}: {err}"
        );
    }

    let out = tern()
        .args(["send", "--config"])
        .arg(&config)
        .write_stdin("x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no recipient"));
}

#[test]
fn a_bare_code_lists_where_tern_sends_it() {
    let (out, _) = stdout_of(tern().args(["explain", "551"]));
    assert!(out.contains("Tern sends it as:"), "{out}");
    assert!(out.contains("(rcpt.moved)"), "{out}");
    let (out, _) = stdout_of(tern().args(["explain", "550 5.1.1 User unknown"]));
    assert!(
        !out.contains("Tern sends it as:"),
        "only for bare codes: {out}"
    );
}

#[test]
fn check_config_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(&good, "[local]\ndomains = [\"example.com\"]\n").unwrap();
    let (out, code) = stdout_of(tern().args(["check-config", "--config"]).arg(&good));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("configuration OK"), "{out}");
    assert!(out.contains("example.com"), "{out}");

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[limits]\n\nmax_recipients = 0\n").unwrap();
    let out = tern()
        .args(["check-config", "--config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:3: limits.max_recipients:", bad.display())),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
