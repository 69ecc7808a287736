use super::*;
use crate::catalogue;
use crate::cause::WhoActs;
use crate::parse::{find_reply, parse};
use codes::template_matches;

#[test]
fn own_replies_are_explained_from_the_catalogue() {
    let reply = catalogue::RCPT_UNKNOWN_USER.reply_with(&[("address", "bob@example.com")]);
    let ex = explain(&parse(&reply.to_wire(true)).unwrap());
    assert_eq!(ex.catalogue_id, Some("rcpt.unknown_user"));
    assert_eq!(ex.actor, Actor::Sender);
    assert_eq!(ex.retry, Retry::Useless);
}

#[test]
fn every_catalogue_reply_explains_to_itself_or_a_same_code_twin() {
    for entry in catalogue::ALL {
        let args: Vec<(&str, &str)> = entry.placeholders().iter().map(|n| (*n, "value")).collect();
        let reply = entry.reply_with(&args);
        if reply.text().is_empty() {
            continue;
        }
        let ex = explain(&parse(&reply.to_wire(true)).unwrap());
        if entry.placeholders() == ["detail"] || entry.placeholders() == ["challenge"] {
            continue; // the whole text is a value: nothing to recognise it by
        }
        let found = ex.catalogue_id.and_then(catalogue::by_id);
        assert_eq!(
            found.map(|f| f.code),
            Some(entry.code),
            "{}: {reply}",
            entry.id
        );
    }
}

#[test]
fn disagreement_is_noted_and_basic_code_rules() {
    let ex = explain(&parse(b"550 4.2.2 Mailbox full").unwrap());
    assert_eq!(ex.retry, Retry::Useless);
    assert!(
        ex.notes.iter().any(|n| n.contains("disagree")),
        "{:?}",
        ex.notes
    );
    assert_eq!(ex.pattern_id, Some("generic.mailbox_full"));
    assert_eq!(ex.cause, Cause::MailboxFull);
}

#[test]
fn a_full_mailbox_needs_the_recipient_even_when_the_code_is_transient() {
    let ex = explain(
        &find_reply("452 4.2.2 The email account that you tried to reach is over quota").unwrap(),
    );
    assert_eq!(ex.retry, Retry::Helps);
    assert!(!ex.retry_helps);
    assert_eq!(ex.who_acts, WhoActs::RecipientAdmin);
    assert!(
        ex.notes
            .iter()
            .any(|n| n.contains("does not pass by itself"))
    );
}

#[test]
fn bare_codes() {
    let ex = explain_code(ReplyCode::MAILBOX_UNAVAILABLE);
    assert_eq!(ex.retry, Retry::Useless);
    assert_eq!(ex.confidence, Confidence::CodeOnly);
    assert!(ex.meaning.contains("550"));
    let ex = explain_enhanced("4.7.1".parse().unwrap());
    assert_eq!(ex.retry, Retry::Helps);
    assert!(ex.meaning.contains("Delivery not authorized"));
    let ex = explain_enhanced("2.0.0".parse().unwrap());
    assert_eq!(ex.retry, Retry::NotNeeded);
    assert_eq!(ex.outcome(), Outcome::Success);
    let ex = explain_enhanced("5.1.1".parse().unwrap());
    assert_eq!(ex.cause, Cause::UnknownRecipient);
    assert_eq!(ex.code, None);
}

#[test]
fn intermediate_replies_are_intermediate() {
    let ex = explain_code(ReplyCode::new(354).unwrap());
    assert_eq!(ex.outcome(), Outcome::Intermediate);
    assert_eq!(ex.cause, Cause::Proceed);
    assert_eq!(ex.who_acts, WhoActs::Nobody);
    assert!(!ex.retry_helps);
    let ex = explain(&parse(b"334 VXNlcm5hbWU6").unwrap());
    assert_eq!(ex.outcome(), Outcome::Intermediate);
}

#[test]
fn nonstandard_and_generic_codes_fall_back_to_the_basic_code() {
    let ex = explain(&parse(b"599 5.0.0 Unspecified error").unwrap());
    assert_eq!(ex.source, Source::BasicCode);
    assert_eq!(ex.retry, Retry::Useless);
    assert!(ex.meaning.contains("first digit"), "{}", ex.meaning);
    assert!(ex.action.contains("postmaster@"), "{}", ex.action);
    // x.y.0 says only the subject: the basic code decides.
    let ex = explain(&parse(b"451 4.3.0 Something odd").unwrap());
    assert_eq!(ex.source, Source::BasicCode);
    assert_eq!(ex.cause, Cause::LocalError);
    assert!(ex.retry_helps);
    assert_eq!(ex.who_acts, WhoActs::Nobody);
    // A specific registered code is still explained by the registry.
    let ex = explain(&parse(b"550 5.1.3 Something odd").unwrap());
    assert_eq!(ex.source, Source::EnhancedCode);
    assert_eq!(ex.cause, Cause::AddressSyntax);
}

#[test]
fn a_bare_550_says_what_to_check_first() {
    let ex = explain(&parse(b"550 Requested action not taken: mailbox unavailable").unwrap());
    assert_eq!(ex.actor, Actor::Sender);
    assert!(ex.action.starts_with("Check the address"), "{}", ex.action);
}

/// The replies the issue that reshaped `explain` found explained wrongly.
#[test]
fn replies_whose_words_contradict_their_codes() {
    let check = |reply: &str, cause: Cause, who: WhoActs, helps: bool| {
        let ex = explain(&find_reply(reply).unwrap());
        assert_eq!(
            (ex.cause, ex.who_acts, ex.retry_helps),
            (cause, who, helps),
            "{reply}"
        );
        ex
    };
    let ex = check(
        "450 4.2.1 The user you are trying to contact is receiving email too quickly. Please resend your message at a later time.",
        Cause::RateLimited,
        WhoActs::Nobody,
        true,
    );
    assert!(
        ex.notes.iter().any(|n| n.contains("4.2.1 alone")),
        "{:?}",
        ex.notes
    );
    let ex = check(
        "550 5.4.5 Daily user sending limit exceeded",
        Cause::SendingQuota,
        WhoActs::Sender,
        true,
    );
    assert!(ex.retry_when.contains("24 hours"), "{}", ex.retry_when);
    assert_eq!(ex.retry, Retry::Useless);
    check(
        "421 4.7.0 TLS required for RCPT domain, closing connection",
        Cause::TlsRequired,
        WhoActs::SenderAdmin,
        false,
    );
    check(
        "451 4.5.0 SMTP protocol violation",
        Cause::ProtocolViolation,
        WhoActs::SenderAdmin,
        false,
    );
    check(
        "502 5.5.1 Unrecognized command",
        Cause::NotImplemented,
        WhoActs::SenderAdmin,
        false,
    );
    check(
        "554 5.6.0 Email message is malformed",
        Cause::MessageFormat,
        WhoActs::SenderAdmin,
        false,
    );
    check(
        "550 5.7.29 This message wasn't sent over a TLS connection",
        Cause::TlsRequired,
        WhoActs::SenderAdmin,
        false,
    );
    check(
        "534 5.7.9 Application-specific password required",
        Cause::AuthFailed,
        WhoActs::Sender,
        false,
    );
    check(
        "550 5.7.1 Messages missing a valid Message-ID header are not accepted",
        Cause::MessageFormat,
        WhoActs::SenderAdmin,
        false,
    );
    check(
        "421 4.3.0 Temporary System Problem. Try again later",
        Cause::LocalError,
        WhoActs::Nobody,
        true,
    );
}

#[test]
fn the_provider_is_recognised_from_words_or_host() {
    let parsed =
        find_reply("550 5.1.1 The email account that you tried to reach does not exist - gsmtp")
            .unwrap();
    assert_eq!(explain(&parsed).provider, Some(Provider::Gmail));
    let parsed = find_reply("550 5.1.1 User unknown").unwrap();
    assert_eq!(explain(&parsed).provider, None);
    assert_eq!(
        explain_from(&parsed, Some("mx1.mail.icloud.com")).provider,
        Some(Provider::Icloud)
    );
}

#[test]
fn template_matching() {
    assert!(template_matches(
        "Ok: queued as {queue_id}",
        "Ok: queued as ABC"
    ));
    assert!(!template_matches(
        "Ok: queued as {queue_id}",
        "Yes: queued as ABC"
    ));
    assert!(template_matches(
        "No such user here: <{address}>",
        "No such user here: <a@b>"
    ));
    assert!(!template_matches(
        "No such user here: <{address}>",
        "No such user here: <a@b> extra"
    ));
    assert!(!template_matches("{detail}", "anything"));
}
