//! MAIL FROM: sender ownership on submission (RFC 6409 §6.1) and SMTPUTF8 (RFC 6531 §3.4).

use super::*;

fn sender(p: &Policy, facts: &SessionFacts, inner: &str, params: &str) -> Result<(), Reply> {
    let (from, params) = mail(inner, params);
    p.check_sender(facts, &from, &params)
}

#[track_caller]
fn assert_refused(result: Result<(), Reply>, expected: &str) -> String {
    match result {
        Err(reply) => {
            assert_eq!(codes(&reply), expected, "{reply:?}");
            reply.text()
        }
        Ok(()) => panic!("expected {expected}, got Ok"),
    }
}

#[test]
fn bare_user_owns_its_local_part_in_every_local_domain_and_its_aliases() {
    let p = policy();
    let alice = user("alice");
    for from in [
        "alice@example.org",
        "Alice@EXAMPLE.net",
        "\"alice\"@example.org",
        "sales@example.org",
        "info@example.net",
        "@relay.example:alice@example.org",
        "",
    ] {
        assert_eq!(sender(&p, &alice, from, ""), Ok(()), "{from}");
    }
}

#[test]
fn senders_not_owned_are_refused_with_553_5_7_1() {
    let p = policy();
    let alice = user("alice");
    for from in [
        "bob@example.org",
        "alice@remote.example",
        "alice%remote@example.org",
        "carol@example.org",
        "postmaster@example.org",
        "alice@[192.0.2.1]",
    ] {
        let text = assert_refused(sender(&p, &alice, from, ""), "553 5.7.1");
        assert!(text.contains(from), "{text}");
        assert!(text.contains("alice"), "{text}");
    }
    let text = assert_refused(sender(&p, &alice, "bob@example.org", ""), "553 5.7.1");
    assert_eq!(text, "Sender <bob@example.org> is not owned by user alice");
}

#[test]
fn address_user_owns_exactly_that_address_and_its_aliases() {
    let p = policy();
    let bob = user("Bob@Example.org");
    assert_eq!(sender(&p, &bob, "bob@example.org", ""), Ok(()));
    assert_eq!(sender(&p, &bob, "BOB@example.ORG", ""), Ok(()));
    assert_refused(sender(&p, &bob, "bob@example.net", ""), "553 5.7.1");
    assert_refused(sender(&p, &bob, "sales@example.org", ""), "553 5.7.1");
    let alice = user("alice@example.org");
    assert_eq!(sender(&p, &alice, "sales@example.org", ""), Ok(()));
    assert_refused(sender(&p, &alice, "alice@example.net", ""), "553 5.7.1");
}

#[test]
fn ownership_applies_on_submissions_too_but_not_on_smtp() {
    let p = policy();
    let mut facts = user("alice");
    facts.listener = ListenerKind::Submissions;
    assert_refused(sender(&p, &facts, "bob@example.org", ""), "553 5.7.1");
    facts.listener = ListenerKind::Smtp;
    assert_eq!(sender(&p, &facts, "bob@example.org", ""), Ok(()));
    assert_eq!(
        sender(&p, &stranger(), "anyone@anywhere.example", ""),
        Ok(())
    );
    assert_eq!(sender(&p, &stranger(), "", ""), Ok(()));
}

#[test]
fn submission_without_login_is_530() {
    let p = policy();
    let mut facts = stranger();
    for kind in [ListenerKind::Submission, ListenerKind::Submissions] {
        facts.listener = kind;
        assert_refused(sender(&p, &facts, "alice@example.org", ""), "530 5.7.0");
        assert_refused(sender(&p, &facts, "", ""), "530 5.7.0");
    }
}

#[test]
fn non_ascii_sender_needs_smtputf8() {
    let p = policy();
    let text = assert_refused(
        sender(&p, &stranger(), "jürgen@example.org", ""),
        "553 5.6.7",
    );
    assert!(text.contains("jürgen@example.org"), "{text}");
    assert_eq!(
        sender(&p, &stranger(), "jürgen@example.org", " SMTPUTF8"),
        Ok(())
    );
    assert_refused(
        sender(&p, &stranger(), "user@bücher.example", ""),
        "553 5.6.7",
    );
    // on submission the SMTPUTF8 rule comes before ownership
    assert_refused(
        sender(&p, &user("alice"), "ålice@example.org", ""),
        "553 5.6.7",
    );
    assert_refused(
        sender(&p, &user("alice"), "ålice@example.org", " SMTPUTF8"),
        "553 5.7.1",
    );
}
