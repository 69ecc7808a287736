//! Causes from the codes alone, for replies whose words match no pattern.
//!
//! First the enhanced codes some providers use in their own way (Microsoft 365's
//! `5.7.5xx`–`5.7.7xx` and `4.7.5xx`–`4.7.6xx`, its `5.1.10` for an unknown recipient), only
//! when the reply is recognised as theirs; then the IANA registry's meanings (RFC 3463,
//! RFC 5248 and the RFCs that registered later codes); then the basic code (RFC 5321 §4.2.3).

use crate::cause::Cause;
use crate::provider::Provider;
use crate::{EnhancedCode, ReplyCode};

/// An enhanced-code range and the cause it means.
#[derive(Debug, Clone, Copy)]
pub struct CodeRule {
    /// Only for this provider's replies (`None`: anyone's).
    pub provider: Option<Provider>,
    /// Only for this class (2, 4 or 5), or any.
    pub class: Option<u8>,
    /// The subject (the middle number).
    pub subject: u16,
    /// The first and last detail (the last number) of the range.
    pub details: (u16, u16),
    /// What the code means.
    pub cause: Cause,
}

const fn any(subject: u16, detail: u16, cause: Cause) -> CodeRule {
    CodeRule {
        provider: None,
        class: None,
        subject,
        details: (detail, detail),
        cause,
    }
}

const fn of(
    provider: Provider,
    class: u8,
    subject: u16,
    details: (u16, u16),
    cause: Cause,
) -> CodeRule {
    CodeRule {
        provider: Some(provider),
        class: Some(class),
        subject,
        details,
        cause,
    }
}

const MS: Provider = Provider::Microsoft;

/// Provider rules first, then the registry's; the first that fits wins.
pub const RULES: &[CodeRule] = &[
    // Microsoft 365 (learn.microsoft.com, "Email non-delivery reports and SMTP errors in
    // Exchange Online" and "Back pressure and throttling").
    of(MS, 5, 1, (10, 10), Cause::UnknownRecipient),
    of(MS, 5, 1, (8, 8), Cause::SenderAccountRestricted),
    of(MS, 5, 1, (90, 90), Cause::SendingQuota),
    of(MS, 5, 2, (121, 122), Cause::RateLimited),
    of(MS, 5, 2, (252, 252), Cause::SenderRejected),
    of(MS, 5, 3, (190, 190), Cause::PolicyOther),
    of(MS, 5, 4, (1, 1), Cause::UnknownRecipient),
    of(MS, 5, 4, (14, 14), Cause::RoutingError),
    of(MS, 5, 4, (300, 300), Cause::NetworkTimeout),
    of(MS, 5, 4, (310, 310), Cause::UnknownDomain),
    of(MS, 5, 4, (312, 312), Cause::DnsError),
    of(MS, 5, 4, (316, 318), Cause::NetworkTimeout),
    of(MS, 4, 4, (62, 62), Cause::RoutingError),
    of(MS, 4, 4, (316, 318), Cause::NetworkTimeout),
    of(MS, 5, 6, (11, 11), Cause::MessageFormat),
    of(MS, 5, 6, (211, 211), Cause::MessageFormat),
    of(MS, 5, 7, (12, 12), Cause::BlockedByRecipient),
    of(MS, 5, 7, (54, 54), Cause::RelayDenied),
    of(MS, 5, 7, (57, 57), Cause::AuthRequired),
    of(MS, 5, 7, (60, 60), Cause::SenderRejected),
    of(MS, 5, 7, (64, 64), Cause::RelayDenied),
    of(MS, 5, 7, (124, 124), Cause::BlockedByRecipient),
    of(MS, 5, 7, (133, 136), Cause::BlockedByRecipient),
    of(MS, 5, 7, (139, 139), Cause::AuthFailed),
    of(MS, 5, 7, (350, 350), Cause::SpamContent),
    of(MS, 5, 7, (367, 367), Cause::RelayDenied),
    of(MS, 5, 7, (501, 503), Cause::SenderAccountRestricted),
    of(MS, 5, 7, (504, 504), Cause::UnknownRecipient),
    of(MS, 5, 7, (506, 506), Cause::ReverseDnsHelo),
    of(MS, 5, 7, (509, 509), Cause::DmarcFail),
    of(MS, 5, 7, (510, 510), Cause::BlockedByRecipient),
    of(MS, 5, 7, (511, 511), Cause::IpReputationBlocklist),
    of(MS, 5, 7, (512, 512), Cause::MessageFormat),
    of(MS, 5, 7, (513, 513), Cause::BlockedByRecipient),
    of(MS, 5, 7, (515, 515), Cause::SenderUnauthenticated),
    of(MS, 5, 7, (520, 520), Cause::SenderAccountRestricted),
    of(MS, 5, 7, (606, 649), Cause::IpReputationBlocklist),
    of(MS, 5, 7, (700, 750), Cause::SenderAccountRestricted),
    of(MS, 4, 7, (66, 66), Cause::TlsRequired),
    of(MS, 4, 7, (650, 651), Cause::IpReputationBlocklist),
    of(MS, 4, 7, (500, 699), Cause::RateLimited),
    of(MS, 4, 7, (700, 700), Cause::ServerUnavailable),
    // The IANA registry.
    any(1, 1, Cause::UnknownRecipient),
    any(1, 2, Cause::UnknownDomain),
    any(1, 3, Cause::AddressSyntax),
    any(1, 4, Cause::UnknownRecipient),
    any(1, 6, Cause::ForwardingMoved),
    any(1, 7, Cause::SenderRejected),
    any(1, 8, Cause::SenderRejected),
    any(1, 10, Cause::NullMx),
    any(2, 1, Cause::MailboxDisabled),
    any(2, 2, Cause::MailboxFull),
    any(2, 3, Cause::MessageTooLarge),
    any(2, 4, Cause::RoutingError),
    any(3, 1, Cause::StorageInsufficient),
    any(3, 2, Cause::ServerUnavailable),
    any(3, 4, Cause::MessageTooLarge),
    any(3, 5, Cause::LocalError),
    any(4, 1, Cause::NetworkTimeout),
    any(4, 2, Cause::NetworkTimeout),
    any(4, 3, Cause::DnsError),
    any(4, 4, Cause::RoutingError),
    any(4, 5, Cause::ServerUnavailable),
    any(4, 6, Cause::RoutingError),
    any(4, 7, Cause::NetworkTimeout),
    any(5, 1, Cause::SyntaxError),
    any(5, 2, Cause::SyntaxError),
    any(5, 3, Cause::TooManyRecipients),
    any(5, 4, Cause::SyntaxError),
    any(5, 5, Cause::ProtocolViolation),
    any(5, 6, Cause::ProtocolViolation),
    any(6, 0, Cause::MessageFormat),
    any(6, 1, Cause::MessageFormat),
    any(6, 2, Cause::MessageFormat),
    any(6, 3, Cause::MessageFormat),
    any(6, 5, Cause::MessageFormat),
    any(6, 6, Cause::MessageFormat),
    any(6, 7, Cause::AddressSyntax),
    any(6, 8, Cause::AddressSyntax),
    any(6, 9, Cause::MessageFormat),
    any(6, 10, Cause::MessageFormat),
    any(7, 1, Cause::PolicyOther),
    any(7, 2, Cause::PolicyOther),
    any(7, 7, Cause::MessageFormat),
    any(7, 8, Cause::AuthFailed),
    any(7, 9, Cause::AuthFailed),
    any(7, 10, Cause::TlsRequired),
    any(7, 11, Cause::TlsRequired),
    any(7, 12, Cause::AuthFailed),
    any(7, 13, Cause::SenderAccountRestricted),
    any(7, 14, Cause::AuthRequired),
    any(7, 15, Cause::PolicyOther),
    any(7, 16, Cause::MessageTooLarge),
    any(7, 17, Cause::ForwardingMoved),
    any(7, 18, Cause::ForwardingMoved),
    any(7, 19, Cause::ForwardingMoved),
    any(7, 20, Cause::DkimFail),
    any(7, 21, Cause::DkimFail),
    any(7, 22, Cause::DkimFail),
    any(7, 23, Cause::SpfFail),
    any(7, 24, Cause::SpfFail),
    any(7, 25, Cause::ReverseDnsHelo),
    any(7, 26, Cause::SenderUnauthenticated),
    any(7, 27, Cause::SenderRejected),
    any(7, 28, Cause::RateLimited),
    any(7, 29, Cause::DkimFail),
    any(7, 30, Cause::TlsRequired),
];

/// The cause the enhanced code alone means, for a reply from `provider` (if known).
pub fn by_enhanced(enhanced: EnhancedCode, provider: Option<Provider>) -> Option<Cause> {
    let (class, subject, detail) = (
        enhanced.class(),
        enhanced.subject_number(),
        enhanced.detail(),
    );
    RULES
        .iter()
        .find(|r| {
            r.subject == subject
                && (r.details.0..=r.details.1).contains(&detail)
                && r.class.is_none_or(|c| c == class)
                && r.provider.is_none_or(|p| Some(p) == provider)
        })
        .map(|r| r.cause)
}

/// The cause the basic code alone most often means (RFC 5321 §4.2.2, §4.2.3; RFC 4954;
/// RFC 7504; RFC 7505).
pub fn by_basic(code: ReplyCode) -> Cause {
    match code.value() {
        200..=299 => Cause::Ok,
        300..=399 => Cause::Proceed,
        421 => Cause::ServerUnavailable,
        432 | 454 | 455 => Cause::LocalError,
        450 => Cause::ServerUnavailable,
        451 => Cause::LocalError,
        452 => Cause::StorageInsufficient,
        500 | 501 | 555 => Cause::SyntaxError,
        502 | 504 => Cause::NotImplemented,
        503 => Cause::BadSequence,
        521 | 556 => Cause::NullMx,
        530 => Cause::AuthRequired,
        534 | 535 => Cause::AuthFailed,
        538 => Cause::TlsRequired,
        550 => Cause::UnknownRecipient,
        551 => Cause::ForwardingMoved,
        552 => Cause::MessageTooLarge,
        553 => Cause::AddressSyntax,
        554 => Cause::PolicyOther,
        400..=499 => Cause::LocalError,
        _ => Cause::PolicyOther,
    }
}
