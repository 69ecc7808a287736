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
    // ----- authentication of the sender's domain ------------------------------------------
    "dmarc" => {
        needles: &["dmarc", "unauthenticated email from", "domain's dmarc policy"],
        enhanced: &[],
        summary: "Refused by the sender domain's DMARC policy",
        cause: "The message failed DMARC: neither SPF nor DKIM passed in alignment with the From: domain, and that domain publishes a policy that asks receivers to reject such mail.",
        actor: Actor::SenderAdmin,
        action: "The sending domain's administrator must make SPF or DKIM pass for the From: domain (sign with DKIM for that domain, or send through a server its SPF record lists). If a third-party service sends as that domain, set it up to sign with the domain's DKIM key.",
        transient_action: Some("The receiver defers mail that fails DMARC; it will be retried, but it keeps failing until SPF or DKIM passes for the From: domain."),
    }
    "sender_unauthenticated" => {
        needles: &["sender is unauthenticated", "requires all senders to authenticate", "authenticate with either spf or dkim", "multiple authentication checks", "does not have authentication information", "fails to pass authentication checks"],
        enhanced: &[(7, 26)],
        summary: "Refused because the sender is not authenticated (neither SPF nor DKIM passed)",
        cause: "The message passed neither SPF nor DKIM for the sender's domain; large providers refuse unauthenticated mail.",
        actor: Actor::SenderAdmin,
        action: "Publish an SPF record that lists the sending server and sign outgoing mail with DKIM for the sender's domain; add a DMARC record. Then send again.",
        transient_action: Some("The receiver defers unauthenticated mail; it will be retried, but set up SPF and DKIM for the sender's domain or it will be refused."),
    }
    "spf" => {
        needles: &["spf", "sender policy framework", "not designated as permitted sender", "not permitted to send"],
        enhanced: &[(7, 23), (7, 24)],
        summary: "Refused because SPF failed",
        cause: "The sending server's IP address is not listed in the SPF record of the sender's domain, so the receiver treats the sender address as forged.",
        actor: Actor::SenderAdmin,
        action: "Add the sending server's IP address (or its provider's include) to the SPF record of the sender's domain, or send through a server that record already lists.",
        transient_action: Some("The SPF check failed temporarily (often DNS trouble at the sender's domain); it will be retried. If it persists, check the SPF record for errors, such as more than 10 DNS lookups."),
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
    "reverse_dns" => {
        needles: &["reverse dns", "rdns", "ptr record", "reverse lookup", "cannot find your hostname", "cannot find your reverse hostname", "does not have a ptr", "no ptr"],
        enhanced: &[(7, 25)],
        summary: "Refused because the sending server's reverse DNS is missing or wrong",
        cause: "The IP address of the sending server has no PTR record, or the name in it does not resolve back to the same address.",
        actor: Actor::SenderAdmin,
        action: "Ask the owner of the sending IP address (your hosting or network provider) to set a PTR record that names the server, and give that name an A/AAAA record with the same address.",
        transient_action: Some("The message is retried, but it keeps being deferred until the sending IP address has a PTR record whose name resolves back to it: ask the owner of the IP address (your hosting provider) to set one."),
    }

    // ----- the sending account ------------------------------------------------------------
    "smtp_auth_disabled" => {
        needles: &["smtpclientauthentication is disabled", "smtp_auth_disabled", "smtp auth is disabled", "smtp authentication is disabled", "authenticated smtp is disabled"],
        enhanced: &[],
        summary: "SMTP AUTH is disabled for this account or organisation",
        cause: "The password may be right, but the provider has turned off SMTP authentication (Authenticated SMTP) for the mailbox or the whole organisation, so the client cannot log in to send.",
        actor: Actor::SenderAdmin,
        action: "The organisation's mail administrator must enable SMTP AUTH for this mailbox (in Microsoft 365: the mailbox's Authenticated SMTP setting, and the tenant-wide setting), or the application must send another way (OAuth, a connector, or a relay). Changing the password does not help.",
        transient_action: None,
    }
    "account_blocked" => {
        needles: &["bad outbound sender", "outgoing blocked", "outgoing mail blocked", "outgoing mail has been blocked", "restricted from sending", "blocked from sending", "sending has been disabled", "account has been blocked", "user is restricted"],
        enhanced: &[],
        summary: "The sending account is blocked from sending mail",
        cause: "The sender's own provider has stopped this account from sending, usually after it sent spam or far more mail than usual (often because its password was stolen), or because the account or domain is not verified yet.",
        actor: Actor::SenderAdmin,
        action: "Secure the account (change its password, remove unknown forwarding rules and app access), then ask the provider or the organisation's mail administrator to lift the block (Microsoft 365: Restricted entities in the Defender portal).",
        transient_action: None,
    }
    "sending_limit" => {
        needles: &["sending limit", "daily user sending", "sending quota", "submission quota", "submissionquotaexceeded", "daily limit", "message limit exceeded", "messages per day"],
        enhanced: &[],
        summary: "The sending account has exceeded its sending limit",
        cause: "The sender's own provider limits how many messages or recipients an account may send per day (or hour), and this account has reached the limit.",
        actor: Actor::Sender,
        action: "Wait until the limit resets (usually within 24 hours) and send again; send to fewer recipients at once, and use a mailing-list or bulk-mail service for large mailings.",
        transient_action: Some("The message is retried; it goes through once the account's sending limit resets (usually within 24 hours). Send to fewer recipients at once."),
    }
    "sender_not_owned" => {
        needles: &["not owned by user", "not owned by", "sendasdenied", "not allowed to send as", "send as permission", "not authorised to send from", "not authorized to send from", "not allowed to send from"],
        enhanced: &[],
        summary: "The account may not send with this sender address",
        cause: "The account that logged in tried to send with a sender (MAIL FROM or From:) address it does not own and has no permission to use.",
        actor: Actor::Sender,
        action: "Send from an address that belongs to the account you log in with, or have the mail administrator add the address to the account (as an alias or with Send As permission).",
        transient_action: None,
    }
    "forwarding_blocked" => {
        needles: &["external forwarding", "automatic forwarding", "auto-forwarding", "autoforwarding", "forwarding is disabled", "forwarding not allowed"],
        enhanced: &[],
        summary: "Automatic forwarding to an outside address is not allowed",
        cause: "The message was being forwarded automatically (by a mailbox rule or a forwarding setting) to an address outside the organisation, and that organisation's outbound policy forbids automatic external forwarding.",
        actor: Actor::SenderAdmin,
        action: "The forwarding organisation's mail administrator must allow external forwarding for this mailbox (Microsoft 365: the automatic forwarding setting of the outbound spam filter policy), or the mailbox owner must remove the forwarding and ask correspondents to write to the other address directly.",
        transient_action: None,
    }
    "anti_spoofing" => {
        needles: &["anti-spoofing", "antispoofing", "spoofing", "spoofed"],
        enhanced: &[],
        summary: "Refused as spoofed: the sender uses the recipient organisation's own domain",
        cause: "The message came from outside the recipient's organisation but its sender or From: address is in the organisation's own domain, so the receiver's gateway treats it as forged.",
        actor: Actor::RecipientAdmin,
        action: "If the message is legitimate (an outside service sending on the organisation's behalf), the receiving organisation's mail administrator must add an exception for that service, or the service must send through the organisation's own servers. Otherwise, send with your own domain in From:.",
        transient_action: None,
    }

    // ----- reputation and volume ----------------------------------------------------------
    "blocklist" => {
        needles: &["blocklist", "blacklist", "block list", "black list", "spamhaus", "dnsbl", "rbl", "spamcop", "barracuda", "sorbs", "blocked using", "listed at", "listed by", "banned sending ip", "banned sender", "part of their network is on our block list", "bl21", "bl23", "traffic not accepted from this ip", "ipcheck", "blocked - see", "poor reputation", "low reputation", "reputation"],
        enhanced: &[],
        summary: "Refused because of the sending server's IP or domain reputation",
        cause: "The sending server's IP address (or domain) is on a blocklist or has a poor reputation with the receiver, usually after spam was sent from it or from its network.",
        actor: Actor::SenderAdmin,
        action: "Look up the sending IP on the blocklist or removal page named in the reply, remove the cause (a compromised account, an open relay, unwanted bulk mail), then request delisting. Until then, send through another server, such as your provider's relay.",
        transient_action: Some("The receiver is deferring mail from this IP because of its reputation; it will be retried, but check the sending IP on the blocklists and the receiver's postmaster pages, and remove the cause (a compromised account, unwanted bulk mail)."),
    }
    "too_many_recipients" => {
        needles: &["too many recipients", "maximum number of recipients", "recipient limit", "too many rcpt"],
        enhanced: &[(5, 3)],
        summary: "Too many recipients for one message",
        cause: "The message was addressed to more recipients in one transaction than the receiver accepts.",
        actor: Actor::Sender,
        action: "Send the message to fewer recipients at a time (split the list, or use a mailing list).",
        transient_action: Some("Usually nothing: a standard mail server sends the remaining recipients in another transaction. If these recipients bounce in the end, send to fewer recipients per message."),
    }
    "rate_limit" => {
        needles: &["rate limit", "ratelimit", "rate-limit", "sender rate", "rate exceeds", "rate exceeded", "too many messages", "too many connections", "too many concurrent", "throttl", "sending rate", "unusual rate", "unexpected volume", "tss04", "receiving mail at a rate", "exceeded the maximum number", "mail flood", "slow down", "s77719"],
        enhanced: &[(7, 28)],
        summary: "Deferred by the receiver's rate limit",
        cause: "The sending server sent more mail, or opened more connections, than the receiver accepts from it in a short time; receivers set that allowance lower for senders with little history or with complaints.",
        actor: Actor::SenderAdmin,
        action: "Send more slowly to this destination (fewer connections, fewer messages per minute) and check that the volume is expected and the mail wanted.",
        transient_action: Some("Nothing urgent: the message is retried automatically. If it happens often, lower the sending concurrency and rate for this destination, and check that the mail is wanted (spam complaints lower the allowance)."),
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

    // ----- the recipient ------------------------------------------------------------------
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
    "sender_domain" => {
        needles: &["sender address rejected", "domain of sender address", "sender domain", "sender verify failed", "sender rejected", "bad sender", "invalid sender"],
        enhanced: &[(1, 7), (1, 8)],
        summary: "The sender address was refused",
        cause: "The receiver refused the envelope sender (MAIL FROM): its domain does not exist in DNS, it cannot receive replies, or local policy blocks it.",
        actor: Actor::SenderAdmin,
        action: "Send with a sender address in a domain that exists and receives mail (with MX or A records); check the sending software's MAIL FROM setting for typos or a local-only domain.",
        transient_action: Some("The message is retried, but it keeps being refused while the sender's domain has no usable DNS records: check the MAIL FROM address for typos or a local-only domain, and make sure the domain has MX (or A) records."),
    }
    "unknown_user" => {
        needles: &["user unknown", "unknown user", "no such user", "no such recipient", "no such mailbox", "unknown recipient", "recipient not found", "recipnotfound", "recipientnotfound", "not found by smtp address lookup", "as(201806281)", "user not found", "mailbox not found", "mailbox unavailable or not local", "does not exist", "doesn't exist", "invalid recipient", "invalid mailbox", "no mailbox here", "not a valid user", "unrouteable address", "mailbox does not exist", "unknown or illegal alias", "this user doesn't have", "doesn't have an account", "does not have an account"],
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

    // ----- the sending server and client --------------------------------------------------
    "helo" => {
        needles: &["helo command rejected", "ehlo command rejected", "need fully-qualified hostname", "invalid helo", "bad helo", "helo name", "ehlo name"],
        enhanced: &[],
        summary: "The sending server's EHLO name was refused",
        cause: "The name the sending server gives in EHLO/HELO is not a fully qualified domain name, does not resolve, or impersonates the receiver.",
        actor: Actor::SenderAdmin,
        action: "Configure the sending server to announce its real, resolvable host name (matching its reverse DNS) in EHLO.",
        transient_action: Some("The message is retried, but it keeps being deferred until the sending server announces a real, resolvable host name (matching its reverse DNS) in EHLO."),
    }
    "relay_denied" => {
        needles: &["relay access denied", "relaying denied", "relay denied", "relay not permitted", "unable to relay", "not permitted to relay", "we do not relay", "relaying not allowed", "relay not allowed", "not allowed to relay", "relaying disallowed"],
        enhanced: &[],
        summary: "Relaying denied",
        cause: "The server that was contacted does not handle the recipient's domain and will not pass mail on for an unauthenticated client: it is not an open relay.",
        actor: Actor::SenderAdmin,
        action: "Send through your own provider's server with authentication (port 587), or, if this server should handle the recipient's domain, add the domain to its configuration and check the domain's MX records.",
        transient_action: Some("The message is retried, but relaying keeps being refused: send through your own provider's server with authentication (port 587)."),
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
        transient_action: Some("The message is retried, but it keeps failing until the sending server uses TLS: enable STARTTLS for outgoing mail and check its TLS configuration (certificates, protocol versions)."),
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
    "too_many_errors" => {
        needles: &["too many errors", "too many invalid commands", "too many bad commands", "too many unrecognized commands", "too many unrecognised commands"],
        enhanced: &[],
        summary: "The connection was closed after too many protocol errors",
        cause: "The sending client made more errors (unknown commands, bad syntax, refused recipients) than the server tolerates in one session, so it hung up.",
        actor: Actor::SenderAdmin,
        action: "Look at the earlier replies of the same session in the sending server's log: each says what was wrong. Fix that, then send again.",
        transient_action: Some("The message is retried, but if the same errors recur it fails again: look at the earlier replies of the session in the sending server's log and fix what they point at."),
    }

    // ----- content and policy -------------------------------------------------------------
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
    "policy_block" => {
        needles: &["administrative prohibition", "policy restrictions", "local policy", "due to policy", "by policy", "policy violation", "access denied", ":blocked)", "prohibited"],
        enhanced: &[],
        summary: "Refused by the receiver's policy, without a specific reason",
        cause: "A rule of the receiving system refused the message or the sending server without saying which one; the usual reasons are the sending IP's reputation, failed sender authentication (SPF, DKIM, DMARC), the content, or a block the recipient's organisation set up.",
        actor: Actor::SenderAdmin,
        action: "Check the sending IP on the public blocklists, make sure SPF, DKIM and DMARC pass for the sender's domain, and follow any link in the reply. If it still fails, send the full reply to postmaster@ the recipient's domain, or reach the recipient another way.",
        transient_action: Some("The receiver deferred the message by a local rule; it will be retried. If it keeps failing, check the sending IP's reputation and the sender's SPF, DKIM and DMARC."),
    }

    // ----- the receiving server -----------------------------------------------------------
    "deferred_unexplained" => {
        needles: &["try again later, closing connection"],
        enhanced: &[],
        summary: "Deferred by the receiver without a specific reason",
        cause: "The receiver does not trust the sending server enough right now and closes the connection without saying why; frequent reasons are the sending IP's reputation, missing or mismatched reverse DNS (especially over IPv6), or missing SPF/DKIM.",
        actor: Actor::SenderAdmin,
        action: "Check the sending IP's reverse DNS and reputation and the sender's SPF and DKIM; the receiver's postmaster tools may say more.",
        transient_action: Some("Nothing at first: the message is retried. If it keeps being deferred for hours, check the sending IP's reverse DNS (PTR matching the EHLO name), its reputation, and SPF and DKIM; sending over IPv4 instead of IPv6 often helps."),
    }
    "connection_failed" => {
        needles: &["read error", "write error", "connection reset", "connection timed out", "lost connection", "connection refused", "no route to host", "network is unreachable", "connection dropped"],
        enhanced: &[],
        summary: "The connection to the receiving server failed",
        cause: "The sending server could not reach the receiving server, or the connection broke during the transaction: network trouble, a firewall, or a receiving server that is down or overloaded.",
        actor: Actor::RecipientAdmin,
        action: "Check that the receiving server is up and accepts connections on port 25 from the sending server, then send again.",
        transient_action: Some("Nothing: the message is retried automatically. If it lasts for hours, check that the receiving server is up and accepts connections on port 25 from the sending server."),
    }
    "receiver_error" => {
        needles: &["temporary local problem", "local problem", "local error", "lookup failure", "internal error", "internal server error", "system error", "temporary failure", "unable to process"],
        enhanced: &[],
        summary: "The receiving server had an internal error",
        cause: "Something failed inside the receiving system (a database or directory lookup, a filter, its storage) while it handled the message; the message itself is probably fine.",
        actor: Actor::RecipientAdmin,
        action: "Send the full reply to postmaster@ the recipient's domain, or reach the recipient another way: the error is on their side.",
        transient_action: Some("Nothing: the message is retried automatically. If it keeps failing for hours, tell postmaster@ the recipient's domain: the error is on their side."),
    }
    "server_busy" => {
        needles: &["server busy", "too busy", "system overloaded", "service not available", "service unavailable", "insufficient system storage", "insufficient system resources", "temporarily unavailable", "try again later", "resources temporarily", "congestion"],
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

    #[test]
    fn sender_problems_win_over_recipient_problems() {
        let id = |t: &str| find(&t.to_lowercase(), None).map(|p| p.id);
        // Exim's sender verification quotes "Unrouteable address" about the sender.
        assert_eq!(
            id(
                "Verification failed for <a@nowhere.example> Unrouteable address Sender verify failed"
            ),
            Some("sender_domain")
        );
        // Sendmail's "does not exist" is about the sender's domain here.
        assert_eq!(
            id("<a@x.example>... Domain of sender address a@x.example does not exist"),
            Some("sender_domain")
        );
        assert_eq!(
            id("<a@x.example>: Sender address rejected: Domain not found"),
            Some("sender_domain")
        );
        assert_eq!(
            id("<boss@x.example>: Sender address rejected: not owned by user a@x.example"),
            Some("sender_not_owned")
        );
    }

    #[test]
    fn authentication_patterns_in_order() {
        let id = |t: &str| find(&t.to_lowercase(), None).map(|p| p.id);
        // Gmail names both SPF and DKIM when neither passed: that is one problem, not SPF.
        assert_eq!(
            id(
                "The sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. DKIM = did not pass"
            ),
            Some("sender_unauthenticated")
        );
        assert_eq!(
            id("Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."),
            Some("smtp_auth_disabled")
        );
        assert_eq!(
            id("Authentication unsuccessful, the user credentials were incorrect."),
            Some("auth_failed")
        );
    }

    #[test]
    fn microsoft_texts() {
        let id = |t: &str| find(&t.to_lowercase(), None).map(|p| p.id);
        assert_eq!(
            id("RESOLVER.ADR.RecipientNotFound; Recipient a@x not found by SMTP address lookup"),
            Some("unknown_user")
        );
        assert_eq!(
            id("Recipient address rejected: Access denied. AS(201806281) [host]"),
            Some("unknown_user")
        );
        assert_eq!(
            id("Access denied, bad outbound sender AS(42004)"),
            Some("account_blocked")
        );
        assert_eq!(
            id("Access denied, Your organization does not allow external forwarding."),
            Some("forwarding_blocked")
        );
        assert_eq!(
            id("Access denied, banned sending IP [192.0.2.1]."),
            Some("blocklist")
        );
        assert_eq!(
            id("SendAsDenied; a@x not allowed to send as b@x"),
            Some("sender_not_owned")
        );
    }

    #[test]
    fn vague_refusals_are_policy_and_internal_errors_are_the_receivers() {
        let id = |t: &str| find(&t.to_lowercase(), None).map(|p| p.id);
        assert_eq!(id("Administrative prohibition"), Some("policy_block"));
        assert_eq!(
            id("<a@x>: Recipient address rejected: Access denied"),
            Some("policy_block")
        );
        assert_eq!(
            id("Temporary local problem - please try later"),
            Some("receiver_error")
        );
        assert_eq!(
            id("<a@x>: Temporary lookup failure"),
            Some("receiver_error")
        );
        assert_eq!(
            id("reply: read error from mx.example."),
            Some("connection_failed")
        );
        assert_eq!(
            id("Try again later, closing connection. (EHLO)"),
            Some("deferred_unexplained")
        );
        assert_eq!(id("Too many errors"), Some("too_many_errors"));
        assert_eq!(
            id("Error: too many recipients"),
            Some("too_many_recipients")
        );
        assert_eq!(
            id("Daily user sending limit exceeded."),
            Some("sending_limit")
        );
        assert_eq!(
            id("Sender rate exceeds 100 messages per 1h"),
            Some("rate_limit")
        );
    }

    #[test]
    fn failures_that_keep_failing_do_not_promise_a_retry_fixes_them() {
        // Transient advice of patterns whose cause does not go away by itself must say so.
        for id in [
            "tls_required",
            "reverse_dns",
            "relay_denied",
            "helo",
            "sender_domain",
        ] {
            let p = PATTERNS.iter().find(|p| p.id == id).unwrap();
            let t = p.transient_action.unwrap_or(p.action);
            assert!(t.contains("keep"), "{id}: {t}");
        }
    }
}
