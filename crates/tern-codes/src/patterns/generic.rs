//! Patterns: wording many servers share (Postfix, Exim and Sendmail texts that other software
//! copied, RFC phrases, blocklist names). Tried after every provider's own patterns.

use super::Pattern;
use crate::cause::{Cause as C, WhoActs as W};
use crate::provider::Provider;

const fn p(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Generic, cause, any)
}

const POSTFIX_DOC: &str = "https://www.postfix.org/postconf.5.html";
const POSTFIX_ACCESS: &str = "https://www.postfix.org/access.5.html";
const EXIM_ACL: &str =
    "https://www.exim.org/exim-html-current/doc/html/spec_html/ch-access_control_lists.html";
const RFC5321: &str = "https://www.rfc-editor.org/rfc/rfc5321#section-4.2";
const RFC3463: &str = "https://www.rfc-editor.org/rfc/rfc3463";
const RFC7505: &str = "https://www.rfc-editor.org/rfc/rfc7505";
const RFC7489: &str = "https://www.rfc-editor.org/rfc/rfc7489";
const RFC7208: &str = "https://www.rfc-editor.org/rfc/rfc7208";
const RFC6376: &str = "https://www.rfc-editor.org/rfc/rfc6376";
const SPAMHAUS: &str = "https://www.spamhaus.org/faqs/";
const POSTGREY: &str = "https://postgrey.schweikert.ch/";

/// Generic wording, in matching order: the sender's problems before the recipient's (a
/// sender check that quotes "unrouteable address" is about the sender), specific before vague.
pub(super) const PATTERNS: &[Pattern] = &[
    // ----- sender authentication ------------------------------------------------------------
    p("generic.dmarc", C::DmarcFail, &["dmarc", "domain's dmarc policy"])
        .source(RFC7489)
        .fixtures(&["550 5.7.1 Unauthenticated email from example.com is not accepted due to domain's DMARC policy"]),
    p("generic.unauthenticated", C::SenderUnauthenticated, &["sender is unauthenticated", "requires all senders to authenticate", "authenticate with either spf or dkim", "multiple authentication checks", "does not have authentication information", "fails to pass authentication checks"])
        .source(RFC7489)
        .fixtures(&["550 5.7.26 This mail has been blocked because the sender is unauthenticated."]),
    p("generic.spf", C::SpfFail, &["spf", "sender policy framework", "not designated as permitted sender", "not permitted to send mail from", "spf check failed"])
        .source(RFC7208)
        .fixtures(&["550 5.7.23 SPF validation failed: 192.0.2.1 is not designated as permitted sender"]),
    p("generic.dkim", C::DkimFail, &["dkim"])
        .source(RFC6376)
        .fixtures(&["550 5.7.20 Message rejected: no valid DKIM signature found"]),
    // ----- the sending server's identity --------------------------------------------------
    p("generic.reverse_dns", C::ReverseDnsHelo, &["reverse dns", "rdns", "ptr record", "reverse lookup", "cannot find your hostname", "cannot find your reverse hostname", "does not have a ptr", "no ptr", "client host rejected: cannot find"])
        .source(POSTFIX_DOC)
        .fixtures(&["450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]"]),
    p("generic.helo", C::ReverseDnsHelo, &["helo command rejected", "ehlo command rejected", "need fully-qualified hostname", "invalid helo", "bad helo", "helo name", "ehlo name", "host not found in helo", "helo/ehlo"])
        .source(POSTFIX_DOC)
        .fixtures(&["504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname"]),
    // ----- the sending account --------------------------------------------------------------
    p("generic.smtp_auth_disabled", C::AuthFailed, &["smtpclientauthentication is disabled", "smtp auth is disabled", "smtp authentication is disabled", "authenticated smtp is disabled"])
        .who(W::SenderAdmin)
        .detail("The password may be right, but SMTP authentication is turned off for the mailbox or the whole organisation, so the client cannot log in to send.")
        .action("The mail administrator must enable SMTP AUTH for this mailbox (or the organisation), or the application must send another way (OAuth, a connector, a relay). Changing the password does not help.")
        .source("https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission")
        .fixtures(&["535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."]),
    p("generic.app_password", C::AuthFailed, &["application-specific password", "app password", "app-specific password"])
        .source("https://support.google.com/mail/answer/185833")
        .fixtures(&["534 5.7.9 Application-specific password required."]),
    p("generic.sending_quota", C::SendingQuota, &["sending limit", "daily user sending", "sending quota", "submission quota", "submissionquotaexceeded", "daily limit", "message limit exceeded", "messages per day", "daily sending", "hourly sending", "quota of outgoing", "outgoing quota"])
        .source("https://support.google.com/a/answer/166852")
        .fixtures(&["550 5.4.5 Daily user sending limit exceeded."]),
    p("generic.account_blocked", C::SenderAccountRestricted, &["bad outbound sender", "outgoing blocked", "outgoing mail blocked", "outgoing mail has been blocked", "restricted from sending", "blocked from sending", "sending has been disabled", "account has been blocked", "user is restricted", "account is suspended from sending"])
        .source("https://learn.microsoft.com/en-us/defender-office-365/outbound-spam-restore-restricted-users")
        .fixtures(&["550 5.1.8 Access denied, bad outbound sender AS(42004)"]),
    p("generic.sender_not_owned", C::SenderRejected, &["not owned by user", "not owned by", "sendasdenied", "not allowed to send as", "send as permission", "not authorised to send from", "not authorized to send from", "not allowed to send from"])
        .source(POSTFIX_DOC)
        .fixtures(&["553 5.7.1 <boss@example.com>: Sender address rejected: not owned by user alice@example.com"]),
    p("generic.forwarding_blocked", C::SenderAccountRestricted, &["external forwarding", "automatic forwarding", "auto-forwarding", "autoforwarding", "forwarding is disabled", "forwarding not allowed"])
        .detail("The message was being forwarded automatically to an address outside the organisation, and that organisation's outbound policy forbids automatic external forwarding.")
        .action("The forwarding organisation's administrator must allow external forwarding for this mailbox, or the mailbox owner must remove the forwarding.")
        .source("https://learn.microsoft.com/en-us/defender-office-365/outbound-spam-policies-external-email-forwarding")
        .fixtures(&["550 5.7.520 Access denied, Your organization does not allow external forwarding."]),
    p("generic.anti_spoofing", C::SenderRejected, &["anti-spoofing", "antispoofing", "spoofing", "spoofed", "impersonat*"])
        .source("https://learn.microsoft.com/en-us/defender-office-365/anti-spoofing-protection-about")
        .fixtures(&["550 5.7.1 Message rejected due to anti-spoofing policy"]),
    // ----- sender address -------------------------------------------------------------------
    p("generic.sender_domain", C::SenderRejected, &["sender address rejected", "domain of sender address", "sender domain", "sender verify failed", "sender rejected", "bad sender", "invalid sender", "sender verification", "unverified sender", "sender address is not valid", "mail from rejected"])
        .source(POSTFIX_DOC)
        .fixtures(&[
            "450 4.1.8 <a@x.example>: Sender address rejected: Domain not found",
            "550 Verification failed for <a@nowhere.example> Unrouteable address Sender verify failed",
        ]),
    // ----- reputation -----------------------------------------------------------------------
    p("generic.domain_blocklist", C::DomainReputation, &["dbl.spamhaus", "surbl", "uribl", "domain is blacklisted", "domain is blocklisted", "domain is listed", "url blocklist", "uri blacklist", "domain reputation", "blocked url", "url in message", "link in message"])
        .source("https://www.spamhaus.org/faqs/domain-blocklist/")
        .fixtures(&["554 5.7.1 Service unavailable; Sender address [a@bad.example] blocked using dbl.spamhaus.org"]),
    p("generic.blocklist", C::IpReputationBlocklist, &["blocklist", "blacklist", "block list", "black list", "spamhaus", "dnsbl", "rbl", "spamcop", "barracuda", "sorbs", "uceprotect", "blocked using", "listed at", "listed by", "listed in", "banned sending ip", "poor reputation", "low reputation", "ip reputation", "reputation of the sending ip", "sender reputation", "reputation"])
        .source(SPAMHAUS)
        .fixtures(&["554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org"]),
    // ----- volume ---------------------------------------------------------------------------
    p("generic.greylisting", C::Greylisted, &["greylist*", "graylist*", "grey list*", "gray list*", "grey-list*", "gray-list*", "polite people", "retry timeout exceeded", "please try again later, you are greylisted"])
        .class(4)
        .source(POSTGREY)
        .fixtures(&["450 4.2.0 <bob@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html"]),
    p("generic.too_many_recipients", C::TooManyRecipients, &["too many recipients", "maximum number of recipients", "recipient limit", "too many rcpt", "too many recipient"])
        .source(RFC5321)
        .fixtures(&["452 4.5.3 Error: too many recipients"]),
    p("generic.rate_limit", C::RateLimited, &["rate limit*", "ratelimit*", "rate-limit*", "sender rate", "rate exceeds", "rate exceeded", "too many messages", "too many connections", "too many concurrent", "throttl*", "sending rate", "unusual rate", "unexpected volume", "receiving mail at a rate", "mail flood", "slow down", "too fast", "too quickly", "connection rate", "too many sessions", "exceeded the maximum number of connections"])
        .source(EXIM_ACL)
        .fixtures(&["451 4.7.1 Sender rate exceeds 100 messages per 1h"]),
    // ----- addressing -----------------------------------------------------------------------
    p("generic.relay_denied", C::RelayDenied, &["relay access denied", "relaying denied", "relay denied", "relay not permitted", "unable to relay", "not permitted to relay", "we do not relay", "relaying not allowed", "relay not allowed", "not allowed to relay", "relaying disallowed", "relaying mail to", "open relay"])
        .source(POSTFIX_DOC)
        .fixtures(&["554 5.7.1 <bob@example.org>: Relay access denied"]),
    p("generic.null_mx", C::NullMx, &["null mx", "does not accept mail", "domain does not accept email", "accepts no mail"])
        .source(RFC7505)
        .fixtures(&["556 5.1.10 Recipient address has null MX"]),
    p("generic.no_such_domain", C::UnknownDomain, &["domain not found", "host not found", "domain does not exist", "no such domain", "nxdomain", "name or service not known", "unknown domain", "no mx", "domain name not found", "host or domain name not found", "unrouteable mail domain"])
        .source(POSTFIX_DOC)
        .fixtures(&["550 5.1.2 <bob@example.invalid>: Recipient address rejected: Domain not found"]),
    p("generic.moved", C::ForwardingMoved, &["user has moved", "has moved", "no longer at this address", "user not local; please try", "try <"])
        .source(RFC5321)
        .fixtures(&["550 5.1.6 Recipient has moved to bob@new.example"]),
    p("generic.mailbox_full", C::MailboxFull, &["mailbox full", "mailbox is full", "over quota", "overquota", "quota exceeded", "exceeded storage allocation", "exceeds quota", "out of storage", "mailbox size limit", "insufficient mailbox storage", "user is over", "quota", "inbox is full", "mailbox has exceeded", "storage space"])
        .source(RFC3463)
        .fixtures(&["452 4.2.2 The email account that you tried to reach is over quota."]),
    p("generic.mailbox_disabled", C::MailboxDisabled, &["mailbox is disabled", "mailbox disabled", "account disabled", "account has been disabled", "account is disabled", "deactivated", "inactive", "suspended", "no longer active", "mailbox is inactive", "account is locked", "account expired"])
        .source(RFC3463)
        .fixtures(&["550 5.2.1 Mailbox disabled for this recipient"]),
    p("generic.unknown_user", C::UnknownRecipient, &["user unknown", "unknown user", "no such user", "no such recipient", "no such mailbox", "unknown recipient", "recipient not found", "recipnotfound", "recipientnotfound", "not found by smtp address lookup", "user not found", "mailbox not found", "mailbox unavailable or not local", "does not exist", "doesn't exist", "invalid recipient", "invalid mailbox", "no mailbox here", "not a valid user", "unrouteable address", "mailbox does not exist", "unknown or illegal alias", "this user doesn't have", "doesn't have an account", "does not have an account", "address rejected", "recipient rejected", "unknown local part", "no such address", "invalid address", "address unknown", "addressee unknown", "account does not exist", "mailbox unavailable", "not our customer"])
        .source(POSTFIX_DOC)
        .fixtures(&["550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table"]),
    // ----- AUTH and TLS ---------------------------------------------------------------------
    p("generic.auth_failed", C::AuthFailed, &["authentication failed", "authentication unsuccessful", "invalid credentials", "username and password not accepted", "bad username or password", "incorrect authentication data", "invalid login", "login failed", "authentication credentials invalid", "password incorrect", "wrong password"])
        .source("https://www.rfc-editor.org/rfc/rfc4954#section-6")
        .fixtures(&["535 5.7.8 Error: authentication failed: authentication failure"]),
    p("generic.auth_required", C::AuthRequired, &["authentication required", "authentication is required", "must authenticate", "auth required", "please authenticate", "client was not authenticated", "not authenticated", "sender must be authenticated", "login first"])
        .source("https://www.rfc-editor.org/rfc/rfc4954#section-6")
        .fixtures(&["530 5.7.0 Authentication required"]),
    p("generic.tls_required", C::TlsRequired, &["starttls", "tls required", "requires tls", "encryption required", "must use tls", "requiretls", "secure connection required", "tls is required", "must issue a starttls", "tls connection", "over a tls", "encrypted connection", "tls not available", "requires encryption"])
        .source("https://www.rfc-editor.org/rfc/rfc3207")
        .fixtures(&["530 5.7.0 Must issue a STARTTLS command first. - gsmtp"]),
    // ----- the message ----------------------------------------------------------------------
    p("generic.too_large", C::MessageTooLarge, &["too large", "too big", "size limit", "exceeds the maximum size", "exceeds size limit", "message size exceeds", "message length exceeds", "maximum message size", "exceeded the size", "message size", "size exceeds", "exceeds the size"])
        .source(RFC5321)
        .fixtures(&["552 5.3.4 Error: message file too big"]),
    p("generic.message_format", C::MessageFormat, &["message-id", "message id header", "missing from", "from: header", "from header", "date header", "header is missing", "rfc 5322", "rfc5322", "rfc 2822", "rfc2822", "rfc 822", "malformed", "bare lf", "bare line feed", "line too long in message", "invalid header", "header syntax", "duplicate header", "mime", "8-bit", "8bit", "non-ascii", "encoding"])
        .source("https://www.rfc-editor.org/rfc/rfc5322#section-3.6")
        .fixtures(&["550 5.7.1 Messages missing a valid Message-ID header are not accepted."]),
    p("generic.malware", C::Malware, &["virus", "malware", "infected", "trojan", "worm", "malicious", "blocked attachment", "attachment type", "executable", "banned attachment", "forbidden attachment", "file type"])
        .source("https://support.google.com/mail/answer/6590")
        .fixtures(&["552 5.7.0 This message was blocked because its content presents a potential security issue. Our system detected a virus."]),
    p("generic.spam", C::SpamContent, &["spam", "unsolicited", "bulk mail", "junk", "phishing", "suspicious", "content rejected", "message content", "likely unsolicited", "content filter", "scored too high", "high spam score", "spam score", "considered as spam", "looks like spam"])
        .source("https://support.google.com/mail/answer/188131")
        .fixtures(&["550 5.7.1 Message rejected as spam by Content Filtering."]),
    // ----- protocol -------------------------------------------------------------------------
    p("generic.too_many_errors", C::ProtocolViolation, &["too many errors", "too many invalid commands", "too many bad commands", "too many unrecognized commands", "too many unrecognised commands", "protocol violation", "protocol error", "pipelining", "improper use of smtp command pipelining", "talking too soon", "synchronization error", "bare <lf>", "command pipelining"])
        .source("https://www.postfix.org/POSTSCREEN_README.html")
        .fixtures(&["451 4.5.0 SMTP protocol violation, see RFC 2821"]),
    p("generic.bad_sequence", C::BadSequence, &["bad sequence", "out of sequence", "need mail command", "need rcpt command", "send hello first", "polite people say helo first", "mail first", "rcpt first", "no valid recipients", "error: need"])
        .source(RFC5321)
        .fixtures(&["503 5.5.1 Error: need RCPT command"]),
    p("generic.not_implemented", C::NotImplemented, &["not implemented", "unrecognized command", "unrecognised command", "command not recognized", "command unrecognized", "unknown command", "command not supported", "not supported", "unsupported"])
        .class(5)
        .source(RFC5321)
        .fixtures(&["502 5.5.1 Unrecognized command."]),
    p("generic.syntax", C::SyntaxError, &["syntax error", "syntax", "invalid argument", "bad argument", "unrecognized parameter", "parameter not recognized", "invalid parameter", "line too long"])
        .source(RFC5321)
        .fixtures(&["501 5.5.4 Syntax: MAIL FROM:<address>"]),
    // ----- the receiving side ---------------------------------------------------------------
    p("generic.loop", C::RoutingError, &["too many hops", "mail loop", "loop detected", "loops back to myself", "hop count exceeded", "routing loop", "loop"])
        .source(RFC5321)
        .fixtures(&["554 5.4.6 Too many hops"]),
    p("generic.ip_not_allowed", C::BlockedByRecipient, &["not in whitelist", "not whitelisted", "not in allowlist", "not allowlisted", "not on the allow list", "only accepts mail from", "blocked by recipient", "recipient has blocked", "sender blocked by recipient", "on the recipient's block", "blocked sender", "sender is blocked", "sender blocked"])
        .source("https://support.google.com/a/answer/3726730")
        .fixtures(&["421 4.7.0 IP not in whitelist for RCPT domain, closing connection."]),
    p("generic.policy", C::PolicyOther, &["administrative prohibition", "policy restrictions", "local policy", "due to policy", "by policy", "policy violation", "access denied", "prohibited", "policy reasons", "not accepted for policy reasons", "rejected by policy", "refused by policy", "policy"])
        .source(POSTFIX_ACCESS)
        .fixtures(&["550 5.7.1 Administrative prohibition"]),
    p("generic.dns_failure", C::DnsError, &["temporary lookup failure", "dns temporary failure", "dns error", "dns lookup", "servfail", "name server", "temporary dns"])
        .class(4)
        .source(POSTFIX_DOC)
        .fixtures(&["451 4.3.0 <bob@example.com>: Temporary lookup failure"]),
    p("generic.connection_failed", C::NetworkTimeout, &["read error", "write error", "connection reset", "connection timed out", "lost connection", "connection refused", "no route to host", "network is unreachable", "connection dropped", "timeout", "timed out", "conversation with", "connection closed"])
        .source("https://www.postfix.org/DEBUG_README.html")
        .fixtures(&["451 4.4.2 reply: read error from mx.example.com"]),
    p("generic.storage", C::StorageInsufficient, &["insufficient system storage", "insufficient disk", "disk full", "no space left", "out of disk", "insufficient storage"])
        .source(RFC5321)
        .fixtures(&["452 4.3.1 Insufficient system storage"]),
    p("generic.receiver_error", C::LocalError, &["temporary local problem", "local problem", "local error", "lookup failure", "internal error", "internal server error", "system error", "temporary failure", "unable to process", "temporary system problem", "temporarily rejected", "system problem", "try again later", "unexpected error", "processing error"])
        .source(RFC5321)
        .fixtures(&["451 4.3.0 Temporary local problem - please try later"]),
    p("generic.server_busy", C::ServerUnavailable, &["server busy", "too busy", "system overloaded", "service not available", "service unavailable", "insufficient system resources", "temporarily unavailable", "resources temporarily", "congestion", "overloaded", "shutting down", "maintenance", "not available"])
        .source(RFC5321)
        .fixtures(&["421 4.3.2 Service not available, closing transmission channel"]),
];
