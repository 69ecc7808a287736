//! Why a server refused or deferred: the cause taxonomy of `explain`.
//!
//! A [`Cause`] is what went wrong, independent of the code the server chose to say it with:
//! 42 causes in 13 families ([`Family`]). Each has a stable id (the JSON value, never reused
//! for another meaning), a plain meaning, who must act ([`WhoActs`], from the side of the
//! person who sent the mail), what to do, and whether sending again later, unchanged, can work
//! ([`RetryRule`]). `docs/causes.md` is generated from this table ([`markdown`]).
//!
//! The cause is decided from the reply's words first (see [`crate::patterns`]), then from the
//! codes; patterns may refine who acts and the retry answer for one provider's wording.

mod markdown;
mod table;

pub use markdown::markdown;
pub use table::ALL;

use crate::catalogue::Actor;

/// What went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)] // each variant is documented by its row in `table.rs`
pub enum Cause {
    Ok,
    Proceed,
    UnknownRecipient,
    UnknownDomain,
    AddressSyntax,
    NullMx,
    ForwardingMoved,
    MailboxDisabled,
    MailboxFull,
    MessageTooLarge,
    MessageFormat,
    TooManyRecipients,
    RateLimited,
    SendingQuota,
    Greylisted,
    IpReputationBlocklist,
    DomainReputation,
    ReverseDnsHelo,
    SpamContent,
    Malware,
    SpfFail,
    DkimFail,
    DmarcFail,
    SenderUnauthenticated,
    SenderRejected,
    SenderAccountRestricted,
    BlockedByRecipient,
    PolicyOther,
    RelayDenied,
    AuthRequired,
    AuthFailed,
    TlsRequired,
    SyntaxError,
    BadSequence,
    NotImplemented,
    ProtocolViolation,
    ServerUnavailable,
    LocalError,
    StorageInsufficient,
    NetworkTimeout,
    DnsError,
    RoutingError,
}

/// The family a cause belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Family {
    /// 2xx and 3xx: nothing went wrong.
    Positive,
    /// The recipient's address or domain.
    Addressing,
    /// The recipient's mailbox.
    Mailbox,
    /// The message's size, format or recipient count.
    Message,
    /// Rate, volume and quotas.
    Volume,
    /// The reputation and identity of the sending server or domain.
    Reputation,
    /// What the message says (spam, malware).
    Content,
    /// SPF, DKIM and DMARC.
    EmailAuthentication,
    /// Who may send what to whom.
    AccessPolicy,
    /// SMTP AUTH and TLS.
    SmtpAuthTls,
    /// SMTP commands and their order.
    Protocol,
    /// The receiving server, the network and DNS.
    ServerNetwork,
}

impl Family {
    /// The id used in JSON and the docs.
    pub const fn id(self) -> &'static str {
        match self {
            Family::Positive => "positive",
            Family::Addressing => "addressing",
            Family::Mailbox => "mailbox",
            Family::Message => "message",
            Family::Volume => "volume",
            Family::Reputation => "reputation",
            Family::Content => "content",
            Family::EmailAuthentication => "email_authentication",
            Family::AccessPolicy => "access_policy",
            Family::SmtpAuthTls => "smtp_auth_tls",
            Family::Protocol => "protocol",
            Family::ServerNetwork => "server_network",
        }
    }
}

/// Who must do something before the message (or the next one) gets through, seen from the
/// side of the person who sent it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum WhoActs {
    /// Nothing needs to happen: the condition clears by itself and the queue's retries
    /// handle it (or nothing went wrong).
    Nobody,
    /// The person sending: fix the address, shrink or clean the message, fix their own login
    /// or quota, or resend later by hand.
    Sender,
    /// Whoever runs the sending side: the MTA, its IP addresses, DNS (PTR, SPF, DKIM,
    /// DMARC), TLS, client software, the tenant or ESP account.
    SenderAdmin,
    /// The recipient or their mail administrator: free the mailbox, fix their MX, forwarding
    /// or filter, allowlist the sender.
    RecipientAdmin,
}

impl WhoActs {
    /// The id used in JSON.
    pub const fn id(self) -> &'static str {
        match self {
            WhoActs::Nobody => "nobody",
            WhoActs::Sender => "sender",
            WhoActs::SenderAdmin => "sender_admin",
            WhoActs::RecipientAdmin => "recipient_admin",
        }
    }

    /// A short phrase for people.
    pub const fn describe(self) -> &'static str {
        match self {
            WhoActs::Nobody => "nobody: it clears by itself and the queue retries",
            WhoActs::Sender => "the sender",
            WhoActs::SenderAdmin => "the sender's mail administrator",
            WhoActs::RecipientAdmin => "the recipient or their mail administrator",
        }
    }

    /// The catalogue's [`Actor`] for the same party.
    pub const fn actor(self) -> Actor {
        match self {
            WhoActs::Nobody => Actor::Nobody,
            WhoActs::Sender => Actor::Sender,
            WhoActs::SenderAdmin => Actor::SenderAdmin,
            WhoActs::RecipientAdmin => Actor::RecipientAdmin,
        }
    }
}

/// Whether sending the same message again later, unchanged, can succeed without anyone acting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryRule {
    /// Yes: the condition passes by itself; the text says when.
    Helps(&'static str),
    /// No: it keeps failing until someone acts; the text says until what.
    Never(&'static str),
    /// As the first digit says: yes for 4yz, no for 5yz (causes that come in both kinds,
    /// such as a receiving server's own trouble).
    ByClass,
}

impl RetryRule {
    /// Whether resending helps, and when (or until what it does not), for a reply whose
    /// basic code is transient (`transient`) or not.
    pub fn answer(self, transient: bool) -> (bool, &'static str) {
        match self {
            RetryRule::Helps(when) => (true, when),
            RetryRule::Never(until) => (false, until),
            RetryRule::ByClass if transient => (
                true,
                "on a later attempt: the condition is temporary and the queue retries",
            ),
            RetryRule::ByClass => (
                false,
                "not until the receiving side fixes it, or the message or address is changed",
            ),
        }
    }
}

/// One row of the taxonomy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CauseInfo {
    /// The cause.
    pub cause: Cause,
    /// Stable id, as in JSON.
    pub id: &'static str,
    /// Its family.
    pub family: Family,
    /// A headline: what happened.
    pub title: &'static str,
    /// What it means, in plain words.
    pub meaning: &'static str,
    /// Who must act when it does not clear by itself.
    pub who: WhoActs,
    /// Whether resending later, unchanged, can work.
    pub retry: RetryRule,
    /// What to do.
    pub action: &'static str,
}

impl Cause {
    /// The row of this cause.
    pub fn info(self) -> &'static CauseInfo {
        // The table is in declaration order; a test checks it.
        &ALL[self as usize]
    }

    /// Stable id, as in JSON (`unknown_recipient`).
    pub fn id(self) -> &'static str {
        self.info().id
    }

    /// The cause with this id.
    pub fn from_id(id: &str) -> Option<Cause> {
        ALL.iter().find(|c| c.id == id).map(|c| c.cause)
    }

    /// Its family.
    pub fn family(self) -> Family {
        self.info().family
    }

    /// Whether resending later, unchanged, can work, and when (or until what it cannot),
    /// for a reply of this cause whose basic code is transient (`transient`) or not.
    pub fn retry_answer(self, transient: bool) -> (bool, &'static str) {
        self.info().retry.answer(transient)
    }

    /// Who acts for a reply of this cause, given whether a retry helps: nobody when it
    /// clears by itself, except for a cause that always clears and still names someone in
    /// the table (the sender's own quota resets, but only the sender can resend or spread
    /// the mail out), and for a reputation that lets mail through slowly: the retries
    /// deliver some of it, but only the sending side can repair the reputation.
    pub fn who_acts(self, retry_helps: bool) -> WhoActs {
        let info = self.info();
        match info.retry {
            RetryRule::Helps(_) => info.who,
            _ if info.family == Family::Reputation => info.who,
            _ if retry_helps => WhoActs::Nobody,
            _ => info.who,
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Cause {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_declaration_order_with_unique_ids() {
        for (i, row) in ALL.iter().enumerate() {
            assert_eq!(row.cause as usize, i, "{} is out of order", row.id);
            assert_eq!(Cause::from_id(row.id), Some(row.cause));
            assert!(!row.meaning.is_empty() && !row.action.is_empty() && !row.title.is_empty());
            assert_eq!(row.id, row.id.to_lowercase());
        }
        assert_eq!(ALL.len(), 42);
    }

    #[test]
    fn clearing_causes_need_nobody_except_the_senders_own_quota() {
        assert_eq!(Cause::RateLimited.who_acts(true), WhoActs::Nobody);
        assert_eq!(Cause::Greylisted.who_acts(true), WhoActs::Nobody);
        assert_eq!(Cause::SendingQuota.who_acts(true), WhoActs::Sender);
        assert_eq!(Cause::LocalError.who_acts(false), WhoActs::RecipientAdmin);
        assert!(Cause::LocalError.retry_answer(true).0);
        assert!(!Cause::LocalError.retry_answer(false).0);
        assert!(!Cause::TlsRequired.retry_answer(true).0);
    }
}
