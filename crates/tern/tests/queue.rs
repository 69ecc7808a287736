//! `tern queue`, run as a user runs it, against a store filled directly with `tern-store`.
//!
//! Times: ages are relative to when the fixture is made (days or minutes apart, so a slow run
//! cannot move a message across a filter boundary); next attempts are in 2100, so they print
//! as fixed ISO times.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tern_store::{
    Attempt, ClientInfo, Decision, Envelope, MailParams, Notify, Outcome, QueueId, QueueStore,
    Recipient, RecipientState, RecipientUpdate, Ret, SqliteConfig, SqliteStore, StoreError,
    StoredReply, TlsInfo, TlsOutcome,
};

/// 2100-01-01T00:00:00Z.
const Y2100: i64 = 4_102_444_800_000;
const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap())
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn open(data: &Path) -> SqliteStore {
    let mut config = SqliteConfig::new(data.join("queue"));
    config.disk_reserve = 0;
    SqliteStore::open(config).unwrap()
}

/// A data directory, its config file and the ids of the fixture messages.
struct Fixture {
    _dir: tempfile::TempDir,
    data: PathBuf,
    config: PathBuf,
    /// alice -> bob@example.com (deferred, 451) and carol@example.net (failed, 550 5.1.1);
    /// received 3 days ago, with two attempts in its timeline.
    deferred: QueueId,
    /// dave -> erin@example.com, scheduled, received a minute ago.
    fresh: QueueId,
    /// <> -> frank@example.net, delivered, received 2 hours ago.
    bounce: QueueId,
    /// gina -> hank@example.com, scheduled and held, received 10 minutes ago.
    held: QueueId,
}

fn reply(code: u16, enhanced: &str, text: &str) -> StoredReply {
    StoredReply {
        code,
        enhanced: Some(enhanced.to_owned()),
        text: text.to_owned(),
    }
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("tern.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nhostname = \"mx.test\"\ndata_dir = \"{}\"\n",
            data.display()
        ),
    )
    .unwrap();
    let now = now_ms();
    let store = open(&data);
    let rt = runtime();
    let (deferred, fresh, bounce, held) = rt.block_on(async {
        let mut env = Envelope::new(
            Some("alice@example.org".into()),
            vec![
                Recipient {
                    address: "bob@example.com".into(),
                    notify: Some(Notify::On {
                        success: false,
                        failure: true,
                        delay: true,
                    }),
                    orcpt: Some(tern_store::Orcpt::from_decoded("rfc822;bob@example.com")),
                },
                Recipient::new("carol@example.net"),
            ],
            now - 3 * DAY,
        );
        env.params = MailParams {
            size: Some(1234),
            ret: Some(Ret::Headers),
            envid: Some("env-42".into()),
            ..MailParams::default()
        };
        env.client = ClientInfo {
            helo: "client.example.org".into(),
            peer_ip: "192.0.2.10".into(),
            tls: Some(TlsInfo {
                protocol: "TLSv1.3".into(),
                cipher: "TLS_AES_256_GCM_SHA384".into(),
            }),
            auth_user: Some("alice".into()),
        };
        let deferred = store
            .enqueue(env, b"Subject: hi\r\n\r\nhello\r\n".to_vec())
            .await
            .unwrap();
        let greylisted = reply(451, "4.7.1", "Greylisted, please try again later");
        let unknown = reply(
            550,
            "5.1.1",
            "<carol@example.net>: Recipient address rejected: User unknown in virtual mailbox table",
        );
        store
            .record_attempt(
                deferred,
                Attempt {
                    at_ms: now - 2 * DAY,
                    recipients: vec![0],
                    destination: "example.com".into(),
                    mx_host: Some("mx1.example.com".into()),
                    ip: Some("192.0.2.7".into()),
                    tls: TlsOutcome::Established {
                        protocol: "TLSv1.3".into(),
                        cipher: "TLS_AES_128_GCM_SHA256".into(),
                    },
                    transcript: "connect mx1.example.com (192.0.2.7:25)\n\
                                 S: 220 mx1.example.com ESMTP\n\
                                 C: EHLO mx.test\nS: 250 mx1.example.com\n\
                                 C: MAIL FROM:<alice@example.org>\nS: 250 2.1.0 Ok\n\
                                 C: RCPT TO:<bob@example.com>\n\
                                 S: 451 4.7.1 Greylisted, please try again later\n"
                        .into(),
                    decision: Decision::Deferred { until_ms: Y2100 },
                    explanation: "Greylisting: the server asks to try again later.".into(),
                },
            )
            .await
            .unwrap();
        store
            .update_recipient(
                deferred,
                0,
                RecipientUpdate {
                    outcome: Outcome::Deferred {
                        next_attempt_ms: Y2100,
                    },
                    reply: Some(greylisted),
                    remote_host: Some("mx1.example.com".into()),
                    at_ms: now - 2 * DAY,
                },
            )
            .await
            .unwrap();
        store
            .record_attempt(
                deferred,
                Attempt {
                    at_ms: now - 2 * DAY + MINUTE,
                    recipients: vec![1],
                    destination: "example.net".into(),
                    mx_host: Some("mx.example.net".into()),
                    ip: Some("198.51.100.3".into()),
                    tls: TlsOutcome::NotAttempted,
                    transcript: "connect mx.example.net (198.51.100.3:25)\n\
                                 C: RCPT TO:<carol@example.net>\n\
                                 S: 550 5.1.1 <carol@example.net>: Recipient address rejected\n"
                        .into(),
                    decision: Decision::Failed,
                    explanation: "The recipient address does not exist.".into(),
                },
            )
            .await
            .unwrap();
        store
            .update_recipient(
                deferred,
                1,
                RecipientUpdate {
                    outcome: Outcome::Failed,
                    reply: Some(unknown),
                    remote_host: Some("mx.example.net".into()),
                    at_ms: now - 2 * DAY + MINUTE,
                },
            )
            .await
            .unwrap();

        let fresh = store
            .enqueue(
                Envelope::new(
                    Some("dave@example.org".into()),
                    vec![Recipient::new("erin@example.com")],
                    now - MINUTE,
                ),
                b"x\r\n".to_vec(),
            )
            .await
            .unwrap();

        let bounce = store
            .enqueue(
                Envelope::new(
                    None,
                    vec![Recipient::new("frank@example.net")],
                    now - 120 * MINUTE,
                ),
                b"x\r\n".to_vec(),
            )
            .await
            .unwrap();
        store
            .update_recipient(
                bounce,
                0,
                RecipientUpdate {
                    outcome: Outcome::Delivered,
                    reply: Some(reply(250, "2.0.0", "Ok: queued as 4XyZ")),
                    remote_host: Some("mx.example.net".into()),
                    at_ms: now - 119 * MINUTE,
                },
            )
            .await
            .unwrap();

        let held = store
            .enqueue(
                Envelope::new(
                    Some("gina@example.org".into()),
                    vec![Recipient::new("hank@example.com")],
                    now - 10 * MINUTE,
                ),
                b"x\r\n".to_vec(),
            )
            .await
            .unwrap();
        store.hold(held).await.unwrap();
        store.close().await.unwrap();
        (deferred, fresh, bounce, held)
    });
    Fixture {
        _dir: dir,
        data,
        config,
        deferred,
        fresh,
        bounce,
        held,
    }
}

impl Fixture {
    fn tern(&self) -> Command {
        let mut cmd = Command::cargo_bin("tern").expect("the tern binary is built");
        cmd.env_remove("NO_COLOR")
            .env_remove("TERN_CONFIG")
            .env("COLUMNS", "80")
            .arg("--config")
            .arg(&self.config)
            .arg("queue");
        cmd
    }

    /// Runs `tern queue ARGS`: stdout, stderr, exit status.
    fn run(&self, args: &[&str]) -> (String, String, i32) {
        let out = self.tern().args(args).output().expect("tern runs");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code().expect("exit status"),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (out, err, code) = self.run(args);
        assert_eq!(code, 0, "tern queue {args:?}: {err}\n{out}");
        assert!(!out.contains('\x1b'), "no colour when not on a terminal");
        assert!(
            out.lines().all(|l| l.chars().count() <= 80),
            "tern queue {args:?} is wider than 80 columns:\n{out}"
        );
        out
    }

    fn json(&self, args: &[&str]) -> Value {
        let (out, err, code) = self.run(args);
        assert_eq!(code, 0, "tern queue {args:?}: {err}\n{out}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
    }

    fn message(&self, id: QueueId) -> Result<tern_store::MessageInfo, StoreError> {
        let store = open(&self.data);
        runtime().block_on(async {
            let info = store.message(id).await;
            store.close().await.unwrap();
            info
        })
    }

    fn attempts(&self, id: QueueId) -> Vec<Attempt> {
        let store = open(&self.data);
        runtime().block_on(async {
            let a = store.attempts(id).await.unwrap();
            store.close().await.unwrap();
            a
        })
    }
}

/// The ids a listing shows, in order.
fn ids_in(out: &str, f: &Fixture) -> Vec<QueueId> {
    [f.deferred, f.fresh, f.bounce, f.held]
        .into_iter()
        .filter(|id| out.contains(&id.to_string()))
        .collect()
}

#[test]
fn list_shows_every_message_with_a_summary() {
    let f = fixture();
    let out = f.ok(&["list", "--all"]);
    assert_eq!(ids_in(&out, &f).len(), 4, "{out}");
    for needle in [
        "alice@example.org",
        "bob@example.com",
        "deferred",
        "451 4.7.1",
        "carol@example.net",
        "failed",
        "550 5.1.1",
        "<>",
        "delivered",
        "scheduled",
        &format!("{}!", f.held),
        "4 messages, 5 recipients: 2 scheduled, 1 delivered, 1 deferred, 1 failed; 1 held",
    ] {
        assert!(out.contains(needle), "{needle:?} missing:\n{out}");
    }
    // The oldest first; ages are relative.
    assert!(out.find(&f.deferred.to_string()) < out.find(&f.fresh.to_string()));
    assert!(out.contains(" 3d "), "{out}");
}

#[test]
fn list_filters() {
    let f = fixture();
    let cases: &[(&[&str], Vec<QueueId>)] = &[
        (&["--state", "deferred"], vec![f.deferred]),
        (&["--state", "scheduled"], vec![f.fresh, f.held]),
        (&["--state", "delivered"], vec![f.bounce]),
        (&["--domain", "example.net"], vec![f.deferred, f.bounce]),
        (&["--sender", "<>"], vec![f.bounce]),
        (&["--sender", "DAVE@example.org"], vec![f.fresh]),
        (&["--recipient", "erin@example.com"], vec![f.fresh]),
        (&["--code", "550"], vec![f.deferred]),
        (&["--class", "2"], vec![f.bounce]),
        (&["--class", "4"], vec![f.deferred]),
        (&["--older-than", "1d"], vec![f.deferred]),
        (&["--newer-than", "5m"], vec![f.fresh]),
        (
            &["--older-than", "1h", "--newer-than", "1d"],
            vec![f.bounce],
        ),
        (&["--held"], vec![f.held]),
        // Recipient conditions hold for one and the same recipient.
        (&["--state", "failed", "--domain", "example.com"], vec![]),
    ];
    for (args, expect) in cases {
        let mut full = vec!["list", "--all"];
        full.extend_from_slice(args);
        let out = f.ok(&full);
        assert_eq!(&ids_in(&out, &f), expect, "{args:?}:\n{out}");
        if expect.is_empty() {
            assert_eq!(out, "No queued message matches these filters.\n");
        }
    }
}

#[test]
fn list_shows_work_left_and_all_adds_finished_messages() {
    let f = fixture();
    // The deferred message (one recipient deferred, one failed), the fresh one and the held
    // one have work left; the delivered bounce is finished.
    let out = f.ok(&["list"]);
    assert_eq!(ids_in(&out, &f), vec![f.deferred, f.fresh, f.held], "{out}");
    assert!(
        out.contains("3 messages, 4 recipients: 2 scheduled, 1 deferred, 1 failed; 1 held"),
        "{out}"
    );
    let out = f.ok(&["list", "--all"]);
    assert_eq!(
        ids_in(&out, &f),
        vec![f.deferred, f.fresh, f.bounce, f.held],
        "{out}"
    );
    // JSON follows the same rule.
    let listed = |args: &[&str]| -> Vec<String> {
        let v = f.json(args);
        let ids: Vec<String> = v["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(v["count"], ids.len(), "{args:?}");
        ids
    };
    let id = |q: QueueId| q.to_string();
    assert_eq!(
        listed(&["list", "--json"]),
        [id(f.deferred), id(f.fresh), id(f.held)]
    );
    assert_eq!(listed(&["list", "--json", "--all"]).len(), 4);
    // Filters that only finished recipients can match look at finished messages by themselves.
    for args in [
        &["--state", "delivered"][..],
        &["--class", "2"],
        &["--code", "250"],
    ] {
        let mut full = vec!["list"];
        full.extend_from_slice(args);
        let out = f.ok(&full);
        assert_eq!(ids_in(&out, &f), vec![f.bounce], "{args:?}:\n{out}");
    }
    // Other filters select among the messages with work left, unless --all.
    let out = f.ok(&["list", "--sender", "<>"]);
    assert_eq!(
        out,
        "No message with work left matches (--all also looks at finished ones).\n"
    );
    let out = f.ok(&["list", "--sender", "<>", "--all"]);
    assert_eq!(ids_in(&out, &f), vec![f.bounce], "{out}");
    let out = f.ok(&["list", "--domain", "example.net"]);
    assert_eq!(ids_in(&out, &f), vec![f.deferred], "{out}");
    // The help teaches it.
    let (help, _, _) = f.run(&["list", "--help"]);
    assert!(help.contains("--all"), "{help}");
    assert!(help.contains("work left"), "{help}");
    // Once only finished messages are left, the list says so and names --all.
    for id in [f.deferred, f.fresh, f.held] {
        f.ok(&["delete", &id.to_string()]);
    }
    let out = f.ok(&["list"]);
    assert_eq!(
        out,
        "Nothing is waiting for delivery (--all also lists finished messages).\n"
    );
}

#[test]
fn list_rejects_bad_filter_values() {
    let f = fixture();
    for args in [
        &["list", "--code", "55"][..],
        &["list", "--class", "3"],
        &["list", "--older-than", "5 fortnights"],
        &["list", "--state", "lost"],
        &["list", "--code", "550", "--class", "5"],
    ] {
        let (_, err, code) = f.run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
    }
}

#[test]
fn list_json_has_the_fields() {
    let f = fixture();
    let v = f.json(&["list", "--json", "--all"]);
    assert_eq!(v["count"], 4);
    let messages = v["messages"].as_array().unwrap();
    let first = &messages[0];
    assert_eq!(first["id"], f.deferred.to_string());
    assert_eq!(first["sender"], "alice@example.org");
    assert_eq!(first["held"], false);
    assert_eq!(first["client"]["auth_user"], "alice");
    assert_eq!(first["client"]["tls"]["protocol"], "TLSv1.3");
    assert!(first["received_at"].as_str().unwrap().ends_with('Z'));
    let bob = &first["recipients"][0];
    assert_eq!(bob["address"], "bob@example.com");
    assert_eq!(bob["state"], "deferred");
    assert_eq!(bob["notify"], "FAILURE,DELAY");
    assert_eq!(bob["orcpt"], "rfc822;bob@example.com");
    assert_eq!(bob["last_reply"]["code"], 451);
    assert_eq!(bob["next_attempt_at"], "2100-01-01T00:00:00Z");
    assert_eq!(first["recipients"][1]["last_reply"]["enhanced"], "5.1.1");
    assert_eq!(messages[2]["sender"], Value::Null);
    assert_eq!(messages[3]["held"], true);

    let v = f.json(&["list", "--json", "--held"]);
    assert_eq!(v["count"], 1);
}

#[test]
fn an_empty_queue_says_so_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tern.toml");
    let data = dir.path().join("data");
    std::fs::write(
        &config,
        format!("[server]\ndata_dir = \"{}\"\n", data.display()),
    )
    .unwrap();
    let out = Command::cargo_bin("tern")
        .unwrap()
        .args(["queue", "list", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "The queue is empty.\n"
    );
    assert!(!data.exists());

    let out = Command::cargo_bin("tern")
        .unwrap()
        .args(["queue", "show", "0000000000000000", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn show_explains_the_replies_and_prints_the_timeline() {
    let f = fixture();
    let out = f.ok(&["show", &f.deferred.to_string()]);
    for needle in [
        &format!("Message {}", f.deferred)[..],
        "alice@example.org",
        "HELO client.example.org, IP 192.0.2.10",
        "TLSv1.3, TLS_AES_256_GCM_SHA384",
        "AUTH user   alice",
        "SIZE=1234",
        "RET=HDRS",
        "ENVID=env-42",
        "NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob@example.com",
        "2100-01-01T00:00:00Z",
        // The 550 5.1.1 explained, in tern explain's words.
        "550 5.1.1 <carol@example.net>: Recipient address rejected",
        "The recipient address does not exist",
        "Who acts    the sender",
        // The timeline.
        "Timeline (2 attempts)",
        "mx1.example.com [192.0.2.7]",
        "TLSv1.3, TLS_AES_128_GCM_SHA256",
        "C: RCPT TO:<bob@example.com>",
        "S: 451 4.7.1 Greylisted, please try again later",
        "C: RCPT TO:<carol@example.net>",
        "deferred until 2100-01-01T00:00:00Z",
        "Decision    failed",
        "Gives up",
    ] {
        assert!(out.contains(needle), "{needle:?} missing:\n{out}");
    }
    assert!(out.find("Timeline") > out.find("Recipients"));
}

#[test]
fn show_json_has_explanations_and_timeline() {
    let f = fixture();
    let v = f.json(&["show", "--json", &f.deferred.to_string()]);
    let carol = &v["recipients"][1];
    assert_eq!(carol["state"], "failed");
    assert_eq!(carol["explanation"]["outcome"], "permanent");
    assert_eq!(carol["explanation"]["actor"], "sender");
    assert!(
        carol["explanation"]["summary"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );
    let timeline = v["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(timeline[0]["mx_host"], "mx1.example.com");
    assert_eq!(timeline[0]["ip"], "192.0.2.7");
    assert_eq!(timeline[0]["tls"]["outcome"], "established");
    assert_eq!(timeline[0]["decision"], "deferred");
    assert_eq!(timeline[0]["until"], "2100-01-01T00:00:00Z");
    assert_eq!(timeline[0]["recipients"][0], "bob@example.com");
    assert!(
        timeline[1]["transcript"]
            .as_str()
            .unwrap()
            .contains("RCPT TO:<carol@example.net>")
    );
}

#[test]
fn bad_and_unknown_ids() {
    let f = fixture();
    for sub in [
        "show", "why", "retry", "hold", "release", "delete", "bounce",
    ] {
        let (out, err, code) = f.run(&[sub, "not-an-id"]);
        assert_eq!(code, 2, "{sub}: {err}");
        assert!(out.is_empty(), "{sub}: {out}");
        assert_eq!(err.lines().count(), 1, "{sub}: {err}");
        assert!(
            err.contains("\"not-an-id\" is not a queue id"),
            "{sub}: {err}"
        );

        let unknown = "0000000000000000";
        let (_, err, code) = f.run(&[sub, unknown]);
        assert_eq!(code, 1, "{sub}: {err}");
        assert!(err.contains(unknown), "{sub}: {err}");
    }
    // A bad id among good ones: nothing is done.
    let (_, _, code) = f.run(&["hold", &f.fresh.to_string(), "nope"]);
    assert_eq!(code, 2);
    assert!(!f.message(f.fresh).unwrap().held);
}

#[test]
fn why_says_who_acts_and_what_happens_next() {
    let f = fixture();
    let out = f.ok(&["why", &f.deferred.to_string()]);
    for needle in [
        "1 of 2 recipients not delivered yet",
        "From alice@example.org, received",
        "bob@example.com",
        "451 4.7.1 Greylisted",
        "Who acts",
        "Retry       yes",
        "Next try    2100-01-01T00:00:00Z",
        "carol@example.net",
        "The recipient's address does not exist",
        "Who acts    the sender",
        "failed for good",
        "Tern gives up on",
        "max_queue_time",
    ] {
        assert!(out.contains(needle), "{needle:?} missing:\n{out}");
    }
    assert!(!out.contains("HELD"), "{out}");

    let out = f.ok(&["why", &f.held.to_string()]);
    assert!(out.contains("HELD"), "{out}");
    assert!(out.contains("not tried yet"), "{out}");
    assert!(
        out.contains(&format!("tern queue release {}", f.held)),
        "{out}"
    );

    let out = f.ok(&["why", &f.bounce.to_string()]);
    assert!(out.contains("nothing is pending"), "{out}");

    let v = f.json(&["why", "--json", &f.deferred.to_string()]);
    assert_eq!(v["pending"], 1);
    assert_eq!(
        v["recipients"][0]["next_attempt_at"],
        "2100-01-01T00:00:00Z"
    );
    assert_eq!(v["recipients"][1]["who_acts"], "the sender");
}

#[test]
fn retry_makes_pending_recipients_due_while_the_server_holds_the_queue() {
    let f = fixture();
    // A handle stays open, as `tern serve` would hold it: the CLI is the second handle. A
    // process another test forks at that instant holds the lock file's descriptor until it
    // execs, so the first try can find the lock taken: try again.
    let server = (0..100)
        .find_map(|_| {
            let store = open(&f.data);
            if store.is_primary() {
                return Some(store);
            }
            runtime().block_on(store.close()).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(10));
            None
        })
        .expect("the store's lock is free");
    let before = now_ms();
    let out = f.ok(&["retry", &f.deferred.to_string()]);
    assert!(out.contains("1 recipient due now"), "{out}");
    assert!(out.contains("the running server tries them"), "{out}");
    let info = runtime().block_on(server.message(f.deferred)).unwrap();
    let next = info.recipients[0].next_attempt_ms.unwrap();
    assert!(next >= before && next <= now_ms(), "{next}");
    assert_eq!(info.recipients[1].state, RecipientState::Failed);
    // Everything final: nothing to retry, not an error.
    let out = f.ok(&["retry", &f.bounce.to_string()]);
    assert!(out.contains("nothing to retry"), "{out}");
    runtime().block_on(server.close()).unwrap();
}

#[test]
fn hold_release_delete() {
    let f = fixture();
    let fresh = f.fresh.to_string();
    let out = f.ok(&["hold", &fresh]);
    assert!(out.contains("held"), "{out}");
    assert!(f.message(f.fresh).unwrap().held);
    let out = f.ok(&["hold", &fresh]);
    assert!(out.contains("already held"), "{out}");

    let out = f.ok(&["release", &fresh, &f.held.to_string()]);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(!f.message(f.fresh).unwrap().held);
    assert!(!f.message(f.held).unwrap().held);

    let v = f.json(&["delete", "--json", &f.bounce.to_string()]);
    assert_eq!(v["action"], "delete");
    assert_eq!(v["results"][0]["ok"], true);
    assert!(matches!(f.message(f.bounce), Err(StoreError::NotFound(_))));
    // Deleting it again: not found, exit 1, the other id is still acted on.
    let (out, err, code) = f.run(&["hold", &f.bounce.to_string(), &fresh]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains(&f.bounce.to_string()), "{err}");
    assert!(f.message(f.fresh).unwrap().held);
}

#[test]
fn actions_by_filter_need_a_selection() {
    let f = fixture();
    let (_, err, code) = f.run(&["hold"]);
    assert_eq!(code, 2);
    assert!(err.contains("--all"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let (_, _, code) = f.run(&["hold", "--all", &f.fresh.to_string()]);
    assert_eq!(code, 2);

    // Hold everything with a recipient at example.com.
    let out = f.ok(&["hold", "--domain", "example.com"]);
    assert_eq!(ids_in(&out, &f), vec![f.deferred, f.fresh, f.held], "{out}");
    assert!(f.message(f.deferred).unwrap().held);
    assert!(!f.message(f.bounce).unwrap().held);

    let v = f.json(&["release", "--all", "--json"]);
    assert_eq!(v["count"], 4);
    for id in [f.deferred, f.fresh, f.bounce, f.held] {
        assert!(!f.message(id).unwrap().held);
    }

    let out = f.ok(&["delete", "--sender", "nobody@example.org"]);
    assert_eq!(
        out,
        "No queued message matches these filters: nothing done.\n"
    );
}

#[test]
fn bounce_fails_pending_recipients_with_a_catalogue_reply() {
    let f = fixture();
    let out = f.ok(&["bounce", &f.deferred.to_string()]);
    assert!(out.contains("failed bob@example.com"), "{out}");
    assert!(out.contains("554 5.0.0"), "{out}");
    let info = f.message(f.deferred).unwrap();
    let bob = &info.recipients[0];
    assert_eq!(bob.state, RecipientState::Failed);
    assert_eq!(bob.next_attempt_ms, None);
    let reply = bob.last_reply.as_ref().unwrap();
    assert_eq!(
        (reply.code, reply.enhanced.as_deref()),
        (554, Some("5.0.0"))
    );
    // Carol had already failed: her reply is unchanged.
    assert_eq!(info.recipients[1].last_reply.as_ref().unwrap().code, 550);
    let timeline = f.attempts(f.deferred);
    assert_eq!(timeline.len(), 3);
    assert_eq!(timeline[2].decision, Decision::Failed);
    assert!(timeline[2].explanation.contains("tern queue bounce"));
    // The sender is told, with an RFC 3464 report from the null sender.
    assert!(out.contains("queued for <alice@example.org>"), "{out}");
    let store = open(&f.data);
    let bounces = runtime().block_on(async {
        let all = store.list(tern_store::ListFilter::default()).await.unwrap();
        let mut bodies = Vec::new();
        for m in all.iter().filter(|m| m.envelope.sender.is_none()) {
            bodies.push(String::from_utf8(store.body(m.id).await.unwrap()).unwrap());
        }
        store.close().await.unwrap();
        bodies
    });
    let new_bounce = bounces
        .iter()
        .find(|b| b.contains("Delivery cancelled by the administrator"))
        .unwrap_or_else(|| panic!("{bounces:?}"));
    assert!(
        new_bounce.contains("Final-Recipient: rfc822; bob@example.com"),
        "{new_bounce}"
    );
    let out = f.ok(&["show", &f.deferred.to_string()]);
    assert!(out.contains("Timeline (3 attempts)"), "{out}");

    // By filter: only the matching recipients of the matching messages.
    let v = f.json(&["bounce", "--json", "--recipient", "erin@example.com"]);
    assert_eq!(v["count"], 1);
    assert_eq!(v["results"][0]["recipients"], 1);
    assert_eq!(
        f.message(f.fresh).unwrap().recipients[0].state,
        RecipientState::Failed
    );
    assert_eq!(
        f.message(f.held).unwrap().recipients[0].state,
        RecipientState::Scheduled
    );
    let out = f.ok(&["bounce", &f.bounce.to_string()]);
    assert!(out.contains("nothing to bounce"), "{out}");
}

#[test]
fn help_documents_exit_statuses() {
    let f = fixture();
    for sub in ["list", "show", "retry"] {
        let (out, _, code) = f.run(&[sub, "--help"]);
        assert_eq!(code, 0);
        assert!(out.contains("Exit status"), "{sub}: {out}");
    }
}
