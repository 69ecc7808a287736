//! Local recipients: mailboxes, postmaster, aliases, forward, moved, catch-all, case.

use super::*;

#[test]
fn configured_mailboxes_any_case() {
    let p = policy();
    let s = stranger();
    assert_local(&check(&p, &s, "alice@example.org"), "alice@example.org");
    assert_local(&check(&p, &s, "ALICE@Example.Net"), "alice@example.net");
    assert_local(&check(&p, &s, "\"alice\"@example.org"), "alice@example.org");
    assert_local(&check(&p, &s, "bob@EXAMPLE.org"), "bob@example.org");
    assert_local(&check(&p, &s, "\"A,B\"@example.org"), "\"a,b\"@example.org");
    // bob is a full address in example.org only
    assert_rejected(&check(&p, &s, "bob@example.net"), "550 5.1.1");
}

#[test]
fn unknown_users_get_550_5_1_1_naming_the_address() {
    let p = policy();
    let text = assert_rejected(&check(&p, &stranger(), "Nobody@example.org"), "550 5.1.1");
    assert_eq!(text, "No such user here: <Nobody@example.org>");
}

#[test]
fn postmaster_is_always_accepted() {
    let p = policy();
    for facts in [stranger(), trusted(), user("alice")] {
        for address in [
            "postmaster",
            "Postmaster",
            "POSTMASTER",
            "postmaster@example.org",
            "PostMaster@EXAMPLE.NET",
            "\"postmaster\"@example.net",
        ] {
            assert_local(&check(&p, &facts, address), "postmaster@example.org");
        }
    }
    let v = check(&p, &stranger(), "postmaster");
    assert_eq!(v.reply().text(), "Recipient <postmaster> ok");
    // the default configuration: localhost
    let p = Policy::new(&Config::default());
    assert_local(
        &check(&p, &stranger(), "postmaster@localhost"),
        "postmaster@localhost",
    );
    assert_local(
        &check(&p, &stranger(), "postmaster"),
        "postmaster@localhost",
    );
    assert_rejected(&check(&p, &stranger(), "root@localhost"), "550 5.1.1");
    assert_rejected(
        &check(&p, &stranger(), "postmaster@remote.example"),
        "554 5.7.1",
    );
}

#[test]
fn postmaster_can_be_aliased_but_not_moved() {
    let config = Config::parse(
        r#"
        [local]
        domains = ["example.org", "example.net"]
        mailboxes = ["alice"]
        aliases = { "postmaster@example.org" = "alice@example.org" }
        moved = { "postmaster@example.net" = "pm@elsewhere.example" }
        "#,
    )
    .unwrap();
    let p = Policy::new(&config);
    assert_eq!(p.warnings().len(), 1, "{:?}", p.warnings());
    let s = stranger();
    assert_local(&check(&p, &s, "postmaster"), "alice@example.org");
    assert_local(
        &check(&p, &s, "postmaster@example.net"),
        "alice@example.org",
    );
}

#[test]
fn aliases_deliver_to_their_mailbox() {
    let p = policy();
    let s = stranger();
    assert_local(&check(&p, &s, "sales@example.org"), "alice@example.org");
    assert_local(&check(&p, &s, "SALES@example.org"), "alice@example.org");
    // a chain: info@example.net -> sales@example.org -> alice@example.org
    assert_local(&check(&p, &s, "info@example.net"), "alice@example.org");
    // the alias reply names the address the client wrote
    let v = check(&p, &s, "Sales@example.org");
    assert_eq!(v.reply().text(), "Recipient <Sales@example.org> ok");
    // an alias key is one address, not a local part in every domain
    assert_rejected(&check(&p, &s, "sales@example.net"), "550 5.1.1");
}

#[test]
fn forward_answers_251_with_the_forward_path() {
    let p = policy();
    match check(&p, &stranger(), "Carol@Example.org") {
        RecipientVerdict::Forward { to, reply } => {
            assert_eq!(to, "Carol.New@elsewhere.example");
            assert_eq!(codes(&reply), "251 2.1.5");
            assert!(reply.text().contains("<Carol.New@elsewhere.example>"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn moved_answers_551_5_1_6_with_the_new_address() {
    let p = policy();
    for facts in [stranger(), user("alice")] {
        let text = assert_rejected(&check(&p, &facts, "dave@example.org"), "551 5.1.6");
        assert!(text.contains("<dave@new-job.example>"), "{text}");
    }
}

#[test]
fn catch_all_receives_unknown_local_parts() {
    let bare = Config::parse(
        r#"
        [local]
        domains = ["example.org", "example.net"]
        mailboxes = ["alice", "catchall"]
        catch_all = "catchall"
        "#,
    )
    .unwrap();
    let p = Policy::new(&bare);
    let s = stranger();
    assert_local(
        &check(&p, &s, "whoever@example.org"),
        "catchall@example.org",
    );
    assert_local(
        &check(&p, &s, "Whoever@example.NET"),
        "catchall@example.net",
    );
    assert_local(&check(&p, &s, "alice@example.org"), "alice@example.org");
    // tricks are still tricks, and other domains still need relaying
    assert_rejected(&check(&p, &s, "x%remote.example@example.org"), "550 5.7.1");
    assert_rejected(&check(&p, &s, "x@remote.example"), "554 5.7.1");

    let full = Config::parse(
        r#"
        [local]
        domains = ["example.org", "example.net"]
        mailboxes = ["alice"]
        catch_all = "Alice@Example.org"
        "#,
    )
    .unwrap();
    let p = Policy::new(&full);
    assert_local(&check(&p, &s, "whoever@example.net"), "alice@example.org");
}

#[test]
fn address_literals_are_not_local() {
    let p = Policy::new(&Config::default());
    assert!(!p.is_local_domain("[127.0.0.1]"));
    assert_rejected(
        &check(&p, &stranger(), "postmaster@[127.0.0.1]"),
        "554 5.7.1",
    );
}

#[test]
fn smtputf8_is_needed_for_non_ascii_recipients() {
    let config = Config::parse(
        r#"
        [local]
        domains = ["example.org", "例子.广告"]
        mailboxes = ["alice", "用户"]
        "#,
    )
    .unwrap();
    let p = Policy::new(&config);
    let s = stranger();
    for address in ["用户@例子.广告", "用户@example.org", "alice@例子.广告"] {
        let text = assert_rejected(&p.check_recipient(&s, &rcpt(address), false), "553 5.6.7");
        assert!(text.contains(address), "{text}");
    }
    assert_local(
        &p.check_recipient(&s, &rcpt("用户@例子.广告"), true),
        "用户@例子.广告",
    );
    // even a remote one: refused for SMTPUTF8 before relaying is considered
    assert_rejected(
        &p.check_recipient(&user("alice"), &rcpt("ü@remote.example"), false),
        "553 5.6.7",
    );
    assert_relay(&p.check_recipient(&user("alice"), &rcpt("ü@remote.example"), true));
    assert_rejected(
        &p.check_recipient(&s, &rcpt("ü@remote.example"), true),
        "554 5.7.1",
    );
    // ASCII needs nothing
    assert_local(
        &p.check_recipient(&s, &rcpt("alice@example.org"), true),
        "alice@example.org",
    );
}

#[test]
fn unicode_local_parts_compare_case_insensitively() {
    let config = Config::parse(
        r#"
        [local]
        domains = ["bücher.example"]
        mailboxes = ["jürgen"]
        "#,
    )
    .unwrap();
    let p = Policy::new(&config);
    assert_local(
        &p.check_recipient(&stranger(), &rcpt("JÜRGEN@BÜCHER.example"), true),
        "jürgen@bücher.example",
    );
}

#[test]
fn quota_is_passed_through() {
    assert_eq!(policy().mailbox_quota(), Some(10 << 20));
    assert_eq!(Policy::new(&Config::default()).mailbox_quota(), None);
}
