//! A library of common real-world rejection reasons, recognised by the words servers use.
//!
//! Each pattern is written from what the large mail systems and the common MTAs say in their
//! replies (Postfix's `reject_*` texts, Microsoft 365's `5.7.x` texts, Gmail's and Yahoo's
//! reply texts, blocklist operators' names). Patterns are tried in order; the first whose
//! needle occurs in the reply text (case-insensitively) wins, so specific ones come first.

use crate::catalogue::Actor;

/// One recognisable rejection reason.
#[derive(Debug, Clone, Copy)]
pub struct Pattern {
    /// Stable identifier, e.g. `mailbox_full`.
    pub id: &'static str,
    /// Lower-case phrases that identify it in the reply text.
    pub needles: &'static [&'static str],
    /// Enhanced codes `(subject, detail)` that identify it when no phrase matched.
    pub enhanced: &'static [(u16, u16)],
    /// A headline: what happened.
    pub summary: &'static str,
    /// The likely cause, in plain words.
    pub cause: &'static str,
    /// Who must act.
    pub actor: Actor,
    /// What to do when the reply is permanent (5yz) or in general.
    pub action: &'static str,
    /// What to do when the reply is transient (4yz), if different.
    pub transient_action: Option<&'static str>,
}

macro_rules! patterns {
    ($($id:literal => { $($field:ident: $value:expr),* $(,)? })*) => {
        /// Every pattern, in matching order.
        pub const PATTERNS: &[Pattern] = &[
            $(Pattern { id: $id, $($field: $value),* },)*
        ];
    };
}

patterns! {
    "dmarc" => {
        needles: &["dmarc", "unauthenticated email from", "domain's dmarc policy"],
        enhanced: &[],
        summary: "Refused by the sender domain's DMARC policy",
        cause: "The message failed DMARC: neither SPF nor DKIM passed in alignment with the From: domain, and that domain publishes a policy that asks receivers to reject such mail.",
        actor: Actor::SenderAdmin,
        action: "The sending domain's administrator must make SPF or DKIM pass for the From: domain (sign with DKIM for that domain, or send through a server its SPF record lists).",
        transient_action: None,
    }
    "spf" => {
        needles: &["spf", "sender policy framework", "not designated as permitted sender", "not permitted to send"],
        enhanced: &[(7, 23), (7, 24)],
        summary: "Refused because SPF failed",
        cause: "The sending server's IP address is not listed in the SPF record of the sender's domain, so the receiver treats the sender address as forged.",
        actor: Actor::SenderAdmin,
        action: "Add the sending server's IP address (or its provider's include) to the SPF record of the sender's domain, or send through a server that record already lists.",
        transient_action: Some("The SPF lookup failed temporarily (often DNS trouble at the sender's domain); it will be retried. If it persists, check the SPF record for errors."),
    }
    "dkim" => {
        needles: &["dkim"],
        enhanced: &[(7, 20), (7, 21), (7, 22)],
        summary: "Refused because of a missing or invalid DKIM signature",
        cause: "The receiver requires a valid DKIM signature and the message has none that verifies (not signed, wrong key in DNS, or changed after signing).",
        actor: Actor::SenderAdmin,
        action: "Sign outgoing mail with DKIM for the sender's domain and check that the public key in DNS matches the signing key.",
        transient_action: None,
    }
    "sender_unauthenticated" => {
        needles: &["sender is unauthenticated", "requires all senders to authenticate", "authenticate with either spf or dkim", "multiple authentication checks"],
        enhanced: &[(7, 26)],
        summary: "Refused because the sender is not authenticated (SPF and DKIM)",
        cause: "The message passed neither SPF nor DKIM; large providers refuse unauthenticated mail.",
        actor: Actor::SenderAdmin,
        action: "Publish an SPF record covering the sending server and sign mail with DKIM for the sender's domain; add a DMARC record.",
        transient_action: Some("The receiver defers unauthenticated mail; it will be retried, but set up SPF and DKIM for the sender's domain or it will be refused."),
    }
    "reverse_dns" => {
        needles: &["reverse dns", "rdns", "ptr record", "reverse lookup", "cannot find your hostname", "cannot find your reverse hostname", "does not have a ptr", "no ptr"],
        enhanced: &[(7, 25)],
        summary: "Refused because the sending server's reverse DNS is missing or wrong",
        cause: "The IP address of the sending server has no PTR record, or the PTR name does not resolve back to the same address.",
        actor: Actor::SenderAdmin,
        action: "Ask the owner of the sending IP address (your hosting provider) to set a PTR record that names the server, with a matching A/AAAA record.",
        transient_action: Some("The reverse DNS lookup failed temporarily; it will be retried. If it keeps failing, check the PTR record of the sending IP."),
    }
    "blocklist" => {
        needles: &["blocklist", "blacklist", "block list", "black list", "spamhaus", "dnsbl", "rbl", "spamcop", "barracuda", "sorbs", "blocked using", "listed at", "listed by", "banned sending ip", "banned sender", "part of their network is on our block list", "bl21", "bl23", "traffic not accepted from this ip", "poor reputation", "low reputation", "reputation"],
        enhanced: &[],
        summary: "Refused because of the sending server's IP or domain reputation",
        cause: "The sending server's IP address (or domain) is on a blocklist or has a poor reputation with the receiver, usually after spam was sent from it or from its network.",
        actor: Actor::SenderAdmin,
        action: "Look up the sending IP on the blocklist named in the reply, remove the cause (a compromised account, an open relay), then request delisting. Until then, send through another server.",
        transient_action: Some("The receiver is deferring mail from this IP because of its reputation; it will be retried, but check the sending IP on the blocklists and the receiver's postmaster pages."),
    }
    "rate_limit" => {
        needles: &["rate limit", "ratelimit", "rate-limit", "too many messages", "too many connections", "too many concurrent", "throttl", "sending rate", "unusual rate", "unexpected volume", "tss04", "receiving mail at a rate", "exceeded the maximum number", "mail flood", "slow down"],
        enhanced: &[(7, 28)],
        summary: "Deferred by the receiver's rate limit",
        cause: "The sending server sent too much mail, or opened too many connections, to this receiver in a short time.",
        actor: Actor::SenderAdmin,
        action: "Send more slowly to this destination (fewer connections, fewer messages per minute) and check that the volume is expected.",
        transient_action: Some("Nothing urgent: the message is retried automatically. If it happens often, lower the sending concurrency and rate for this destination."),
    }
    "greylisting" => {
        needles: &["greylist", "graylist", "grey list", "gray list", "grey-list", "gray-list", "polite people", "retry timeout exceeded"],
        enhanced: &[],
        summary: "Greylisted: a deliberate first-time delay",
        cause: "The receiver temporarily refuses mail from senders it has not seen before; real mail servers retry after a few minutes and are then accepted.",
        actor: Actor::Nobody,
        action: "If this appears in a permanent failure, the sending server did not retry in time: check its retry schedule.",
        transient_action: Some("Nothing: the sending server retries on its own and the message normally goes through within minutes."),
    }
    "mailbox_full" => {
        needles: &["mailbox full", "mailbox is full", "over quota", "overquota", "quota exceeded", "exceeded storage allocation", "exceeds quota", "out of storage", "mailbox size limit", "insufficient mailbox storage", "user is over", "quota"],
        enhanced: &[(2, 2)],
        summary: "The recipient's mailbox is full",
        cause: "The recipient's mailbox has reached its storage quota.",
        actor: Actor::Recipient,
        action: "Tell the recipient another way that their mailbox is full; send again once they have made room.",
        transient_action: Some("Nothing yet: the message is retried. If the mailbox stays full it will bounce; tell the recipient another way."),
    }
    "mailbox_disabled" => {
        needles: &["mailbox is disabled", "mailbox disabled", "account disabled", "account has been disabled", "account is disabled", "deactivated", "inactive", "suspended", "no longer active", "not accepting messages"],
        enhanced: &[(2, 1), (7, 13)],
        summary: "The recipient's mailbox is disabled",
        cause: "The mailbox exists but has been disabled or suspended, often because it is no longer used.",
        actor: Actor::Sender,
        action: "Contact the recipient another way for a current address, and stop sending to this one.",
        transient_action: None,
    }
    "unknown_user" => {
        needles: &["user unknown", "unknown user", "no such user", "no such recipient", "no such mailbox", "unknown recipient", "recipient not found", "recipnotfound", "user not found", "mailbox not found", "mailbox unavailable or not local", "does not exist", "doesn't exist", "invalid recipient", "invalid mailbox", "address rejected: access denied", "no mailbox here", "not a valid user", "unrouteable address", "recipient address rejected: user unknown", "mailbox does not exist", "unknown or illegal alias"],
        enhanced: &[(1, 1)],
        summary: "The recipient address does not exist",
        cause: "The receiving server has no mailbox by that name: the address is misspelled, or the account was deleted.",
        actor: Actor::Sender,
        action: "Check the address for typos; if it is right, ask the recipient for their current address.",
        transient_action: Some("The receiver could not confirm the address just now; it will be retried. If it bounces later, check the address."),
    }
    "moved" => {
        needles: &["user has moved", "has moved", "no longer at this address", "try <"],
        enhanced: &[(1, 6)],
        summary: "The recipient has moved",
        cause: "The recipient no longer receives mail at this address; the reply may name the new one.",
        actor: Actor::Sender,
        action: "Send to the new address if the reply gives one, and update your address book.",
        transient_action: None,
    }
    "no_such_domain" => {
        needles: &["domain not found", "host not found", "domain does not exist", "no such domain", "nxdomain", "name or service not known", "unknown domain", "no mx", "null mx", "does not accept mail"],
        enhanced: &[(1, 2), (1, 10)],
        summary: "The domain does not exist or does not accept mail",
        cause: "DNS has no mail server for the domain: it is misspelled, expired, or declares that it accepts no mail (null MX).",
        actor: Actor::Sender,
        action: "Check the spelling of the domain after the @.",
        transient_action: Some("The domain could not be looked up just now (often a DNS problem); it will be retried. If it keeps failing, check the domain's spelling."),
    }
    "sender_domain" => {
        needles: &["sender address rejected", "sender domain", "sender verify failed", "sender rejected", "bad sender", "invalid sender"],
        enhanced: &[(1, 7), (1, 8)],
        summary: "The sender address was refused",
        cause: "The receiver refused the envelope sender: its domain does not resolve, it cannot receive replies, or local policy blocks it.",
        actor: Actor::SenderAdmin,
        action: "Use a sender address in a domain that exists and receives mail (with MX or A records).",
        transient_action: Some("The sender's domain could not be checked just now; it will be retried. Make sure the sender's domain resolves in DNS."),
    }
    "helo" => {
        needles: &["helo command rejected", "ehlo command rejected", "need fully-qualified hostname", "invalid helo", "bad helo", "helo name", "ehlo name"],
        enhanced: &[],
        summary: "The sending server's EHLO name was refused",
        cause: "The name the sending server gives in EHLO/HELO is not a fully qualified domain name, does not resolve, or impersonates the receiver.",
        actor: Actor::SenderAdmin,
        action: "Configure the sending server to announce its real, resolvable host name (matching its reverse DNS) in EHLO.",
        transient_action: None,
    }
    "relay_denied" => {
        needles: &["relay access denied", "relaying denied", "relay denied", "relay not permitted", "unable to relay", "not permitted to relay", "we do not relay", "relaying not allowed", "relay not allowed", "not allowed to relay"],
        enhanced: &[],
        summary: "Relaying denied",
        cause: "The server that was contacted does not handle the recipient's domain and will not pass mail on for an unauthenticated client: it is not an open relay.",
        actor: Actor::SenderAdmin,
        action: "Send through your own provider's server with authentication (port 587), or check that the recipient domain's MX records point to this server if it should handle the domain.",
        transient_action: None,
    }
    "auth_failed" => {
        needles: &["authentication failed", "authentication unsuccessful", "invalid credentials", "username and password not accepted", "bad username or password", "incorrect authentication data", "invalid login", "login failed"],
        enhanced: &[(7, 8)],
        summary: "Login (SMTP AUTH) failed",
        cause: "The user name or password given to the server is wrong, or SMTP authentication is disabled for the account.",
        actor: Actor::Sender,
        action: "Check the user name and password in the mail client; for providers that require it, use an app password or enable SMTP AUTH for the account.",
        transient_action: Some("The login could not be checked just now; try again later."),
    }
    "auth_required" => {
        needles: &["authentication required", "authentication is required", "must authenticate", "auth required", "please authenticate", "client was not authenticated"],
        enhanced: &[],
        summary: "The server requires login (SMTP AUTH)",
        cause: "The client tried to send without logging in, on a server that only accepts mail from its users.",
        actor: Actor::SenderAdmin,
        action: "Enable SMTP authentication in the mail client with the account's user name and password.",
        transient_action: None,
    }
    "tls_required" => {
        needles: &["starttls", "tls required", "requires tls", "encryption required", "must use tls", "requiretls", "secure connection required", "tls is required"],
        enhanced: &[(7, 10), (7, 11), (7, 30)],
        summary: "An encrypted (TLS) connection is required",
        cause: "The receiver only accepts this over TLS, and the client did not use it (or the TLS handshake failed).",
        actor: Actor::SenderAdmin,
        action: "Enable STARTTLS (or implicit TLS on port 465) in the sending client or server, and check its TLS configuration.",
        transient_action: Some("TLS could not be used just now; it will be retried. Check the TLS settings of both servers if it persists."),
    }
    "too_large" => {
        needles: &["too large", "too big", "size limit", "exceeds the maximum size", "exceeds size limit", "message size exceeds", "message length exceeds", "maximum message size", "exceeded the size"],
        enhanced: &[(3, 4), (2, 3)],
        summary: "The message is too large",
        cause: "The message, with its attachments (which grow by about a third when encoded), is larger than the receiver accepts.",
        actor: Actor::Sender,
        action: "Make the message smaller: share large files by link instead of attachment, or compress them.",
        transient_action: None,
    }
    "spam" => {
        needles: &["spam", "unsolicited", "bulk mail", "junk", "phishing", "malware", "virus", "suspicious", "content rejected", "message content", "not accepted for policy reasons", "policy reasons", "likely unsolicited"],
        enhanced: &[],
        summary: "The message was refused as spam or for its content",
        cause: "The receiver's filters judged the message to be spam, phishing or malware, from its content, links, attachments or the sender's reputation.",
        actor: Actor::Sender,
        action: "Remove what looks suspicious (link shorteners, attachments, misleading subjects), make sure the sender's domain is authenticated (SPF, DKIM, DMARC), and contact the recipient another way if it persists.",
        transient_action: Some("The receiver deferred the message for its content or the sender's reputation; it will be retried. Review the content and the sender's authentication."),
    }
    "loop" => {
        needles: &["too many hops", "mail loop", "loop detected", "loops back to myself", "hop count exceeded", "routing loop"],
        enhanced: &[(4, 6)],
        summary: "A mail loop was detected",
        cause: "The message passed through too many servers, usually because two servers forward to each other.",
        actor: Actor::RecipientAdmin,
        action: "The receiving domain's administrator must fix its forwarding or MX configuration.",
        transient_action: None,
    }
    "server_busy" => {
        needles: &["server busy", "too busy", "system overloaded", "service not available", "service unavailable", "insufficient system storage", "temporarily unavailable", "try again later", "resources temporarily", "congestion"],
        enhanced: &[(3, 1), (3, 2), (4, 5)],
        summary: "The receiving server is busy or unavailable",
        cause: "The receiving server is overloaded, out of storage, or restarting.",
        actor: Actor::RecipientAdmin,
        action: "The receiving server's administrator must fix it; contact the recipient another way if the message is urgent.",
        transient_action: Some("Nothing: the message is retried automatically."),
    }
}

/// The first pattern that fits the reply text, then the first that fits the enhanced code.
pub fn find(text_lower: &str, enhanced: Option<(u16, u16)>) -> Option<&'static Pattern> {
    PATTERNS
        .iter()
        .find(|p| p.needles.iter().any(|n| text_lower.contains(n)))
        .or_else(|| {
            let key = enhanced?;
            PATTERNS.iter().find(|p| p.enhanced.contains(&key))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_complete_and_unique() {
        for (i, p) in PATTERNS.iter().enumerate() {
            assert!(!p.summary.is_empty() && !p.cause.is_empty() && !p.action.is_empty());
            assert!(!p.needles.is_empty() || !p.enhanced.is_empty(), "{}", p.id);
            for n in p.needles {
                assert_eq!(*n, n.to_lowercase(), "{}: needles are lower case", p.id);
            }
            for q in &PATTERNS[i + 1..] {
                assert_ne!(p.id, q.id);
            }
        }
    }

    #[test]
    fn specific_patterns_win() {
        let id = |t: &str| find(&t.to_lowercase(), None).map(|p| p.id);
        assert_eq!(
            id(
                "Unauthenticated email from example.com is not accepted due to domain's DMARC policy"
            ),
            Some("dmarc")
        );
        assert_eq!(
            id("Recipient address rejected: User unknown in local recipient table"),
            Some("unknown_user")
        );
        assert_eq!(
            id("Client host rejected: Greylisted, see http://postgrey"),
            Some("greylisting")
        );
        assert_eq!(
            id("Service unavailable; client [192.0.2.1] blocked using zen.spamhaus.org"),
            Some("blocklist")
        );
        assert_eq!(
            find("nothing known", Some((2, 2))).map(|p| p.id),
            Some("mailbox_full")
        );
        assert_eq!(find("nothing known", Some((9, 9))).map(|p| p.id), None);
    }
}
