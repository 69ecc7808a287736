//! Patterns: Yahoo and AOL (one mail platform since 2017: `mta*.am0.yahoodns.net`, the
//! `mx-aol.mail.gm0.yahoodns.net` MX of aol.com, aim.com, verizon.net and Yahoo Japan's AOL).
//!
//! Yahoo tags its refusals with bracketed codes (`[TSS04]`, `[TS02]`, `[BL21]`, `[PH01]`,
//! `[GL01]`) and its internal status numbers (`4.16.55.1`, `554.30`); those are matched as
//! phrases. Yahoo's deferrals for complaints and volume (TSS04, TS01, TS02) clear by
//! themselves once the traffic from the IP improves; TSS09 and TS03 say outright that
//! retrying will not succeed.

use super::Pattern;
use crate::cause::{Cause as C, WhoActs as W};
use crate::provider::Provider;

const fn p(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Yahoo, cause, any)
}

const SISIMAI: &str = "https://github.com/sisimai/p5-sisimai/blob/d323900d91f6fe4ec9538cd34b90167635e9cee3/lib/Sisimai/Rhost/YahooInc.pm";
const SMTP_CODES: &str = "https://smtp.codes/yahoo";
const HELP_SLN3444: &str =
    "https://help.yahoo.com/kb/mail-for-desktop/SLN3444.html?impressions=true";
const HELP_ABUSE57: &str = "https://help.yahoo.com/l/in/yahoo/mail/original/abuse/abuse-57.html";
const BLACKPEARL: &str =
    "https://support.blackpearlmail.com/knowledgebase/articles/650530-bounce-messages";

const DEFERRED_DETAIL: &str = "Yahoo is deferring mail from this IP address because of its recent traffic: an unexpected volume, or too many Yahoo users marking its mail as spam. The deferral lifts by itself once the traffic looks normal again, but it returns unless the cause is fixed.";
const DEFERRED_ACTION: &str = "Let the queue retry, and meanwhile lower the volume to Yahoo, remove recipients who never open or who complain, join Yahoo's complaint feedback loop, and make sure SPF, DKIM and DMARC pass.";
const DEFERRED_HELPS: &str = "after some hours, as the volume or complaints from the IP drop; it comes back if the cause stays";

/// Yahoo's patterns, in matching order: the sending IP first (its bracketed codes), then
/// volume, the recipient's mailbox, the sender, policy and protocol.
pub(super) const PATTERNS: &[Pattern] = &[
    // ----- the sending IP --------------------------------------------------------------------
    p("yahoo.permanently_deferred", C::IpReputationBlocklist, &["tss09", "ts03", "will be permanently deferred", "retrying will not succeed"])
        .detail("Yahoo has stopped accepting mail from this IP address for good (TSS09, formerly TS03), after a long record of spam complaints or abuse from it; despite the word \"deferred\", retrying does not help.")
        .action("Stop sending to Yahoo and AOL from this IP. Find and fix the cause (a compromised account, purchased lists), then ask Yahoo's postmaster support to review the IP, or send through another provider.")
        .source(SISIMAI)
        .fixtures(&["553 5.7.2 [TSS09] All messages from 192.0.2.25 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes"]),
    p("yahoo.tss04_volume_or_complaints", C::IpReputationBlocklist, &["temporarily deferred due to unexpected volume or user complaints", "unexpected volume or user complaints"])
        .who(W::SenderAdmin)
        .helps(DEFERRED_HELPS)
        .detail(DEFERRED_DETAIL)
        .action(DEFERRED_ACTION)
        .source(SMTP_CODES)
        .fixtures(&["421 4.7.0 [TSS04] Messages from 0.0.0.0 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes"]),
    p("yahoo.tss04", C::IpReputationBlocklist, &["tss04", "4.16.55.1", "sln3434"])
        .who(W::SenderAdmin)
        .helps(DEFERRED_HELPS)
        .detail(DEFERRED_DETAIL)
        .action(DEFERRED_ACTION)
        .source("https://github.com/Mailu/Mailu/issues/583")
        .fixtures(&["421 4.7.0 [TSS04] Messages from 94.142.240.35 temporarily deferred due to user complaints - 4.16.55.1; see https://help.yahoo.com/kb/postmaster/SLN3434.html"]),
    p("yahoo.user_complaints", C::IpReputationBlocklist, &["ts01", "ts02", "4.16.56.1", "temporarily deferred due to user complaints"])
        .who(W::SenderAdmin)
        .helps(DEFERRED_HELPS)
        .detail("Yahoo is deferring mail from this IP address because too many Yahoo users marked its recent mail as spam (TS01, TS02). The deferral lifts by itself as complaints drop, but returns unless the mailing practice changes.")
        .action(DEFERRED_ACTION)
        .source("https://help.zoho.com/portal/en/community/topic/message-from-zoho-to-yahoo-elicits-421-responses")
        .fixtures(&["421 4.7.0 [TS02] Messages from 72.5.230.103 temporarily deferred due to user complaints - 4.16.56.1; see http://postmaster.yahoo.com/421-ts02.html"]),
    p("yahoo.gl01", C::RateLimited, &["gl01"])
        .detail("Yahoo is deferring mail from this IP address because of the rate at which it arrives (GL01); later attempts are accepted as the rate drops.")
        .source(BLACKPEARL)
        .fixtures(&["421 [GL01] Message from (X.X.X.X) temporarily deferred"]),
    p("yahoo.deferred_4_16_50", C::IpReputationBlocklist, &["4.16.50"])
        .who(W::SenderAdmin)
        .helps(DEFERRED_HELPS)
        .detail("Yahoo is deferring mail from this IP address (status 4.16.50) because of how its recent mail was received: its volume or the complaints about it.")
        .action(DEFERRED_ACTION)
        .source("https://www.smtp-error-codes.info/bounce/yahoo/bounce_421_4.16.50.php")
        .fixtures(&["421 Message from x.x.x.x temporarily deferred - 4.16.50"]),
    p("yahoo.bl21_spamhaus", C::IpReputationBlocklist, &["bl21", "because the ip is in spamhaus's list"])
        .detail("Yahoo refuses connections from this IP address because it is on a Spamhaus list (BL21: usually the PBL, addresses that should not send mail directly, or the SBL).")
        .action("Look the IP up at check.spamhaus.org and follow the removal steps there; a home or dynamic address should send through its provider's relay instead.")
        .source(SISIMAI)
        .fixtures(&["553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.25, because the ip is in Spamhaus's list; see http://postmaster.yahoo.com/550-bl23.html"]),
    p("yahoo.bl23_spamhaus_xbl", C::IpReputationBlocklist, &["bl23", "on spamhaus xbl", "not accepted from ip addresses on spamhaus"])
        .detail("Yahoo refuses connections from this IP address because it is on the Spamhaus XBL, the list of addresses seen sending from infected machines or open proxies.")
        .action("Find the infected machine or open proxy behind this IP and clean it, then request removal at check.spamhaus.org.")
        .source(SISIMAI)
        .fixtures(&["553 5.7.1 [BL23] Connections not accepted from IP addresses on Spamhaus XBL; see http://postmaster.yahoo.com/errors/550-bl23.html [550]"]),
    p("yahoo.vs99_ip_deferred", C::IpReputationBlocklist, &["vs99-ip1"])
        .detail("Yahoo refused mail from this IP address (VS99-IP), a block of the sending IP itself.")
        .source(HELP_SLN3444)
        .fixtures(&["553 VS99-IP1 deferred"]),
    // ----- volume ----------------------------------------------------------------------------
    p("yahoo.max_per_connection", C::RateLimited, &["max message per connection reached", "max messages per connection reached", "max message per connection"])
        .detail("Yahoo accepts only a limited number of messages on one connection; this one reached it. The rest go through on a new connection.")
        .action("Nothing: the queue sends the rest on a new connection. If it recurs, send fewer messages per connection to Yahoo.")
        .source(SMTP_CODES)
        .fixtures(&["421 Max message per connection reached, closing transmission channel"]),
    p("yahoo.receiving_too_fast", C::RateLimited, &["user is receiving mail too quickly", "user is receiving email too quickly"])
        .detail("The Yahoo recipient's mailbox is receiving mail faster than Yahoo allows, so further messages to it are deferred for a while.")
        .source(SMTP_CODES)
        .fixtures(&["450 User is receiving mail too quickly"]),
    p("yahoo.resources_unavailable", C::ServerUnavailable, &["resources temporarily unavailable. please try again later", "resources temporarily unavailable"])
        .class(4)
        .source(SMTP_CODES)
        .fixtures(&[
            "451 example.yahoo.com Resources temporarily unavailable. Please try again later [#4.16.1].",
            "421 Resources temporarily unavailable. Please try again later",
        ]),
    // ----- the recipient's mailbox -----------------------------------------------------------
    p("yahoo.no_account", C::UnknownRecipient, &["this user doesn't have a yahoo.com account", "doesn't have a yahoo.com account", "doesn't have a ymail.com account", "doesn't have a rocketmail.com account", "doesn't have an aol.com account", "dd this user doesn't have", "dd not a valid recipient"])
        .source(HELP_ABUSE57)
        .fixtures(&["554 delivery error: dd This user doesn't have a yahoo.com account ({recipients'userid}@yahoo.com)."]),
    p("yahoo.recipient_rejected", C::UnknownRecipient, &["recipient address rejected: aol.com", "recipient address rejected: aim.com", "recipient address rejected: yahoo.com", "recipient address rejected: ymail.com", "recipient address rejected: verizon.net"])
        .detail("AOL (run by Yahoo) has no mailbox for this address; it names only the domain in its refusal.")
        .source("https://pastebin.com/UWADPXYL")
        .fixtures(&[
            "550 5.1.1 <igrigabri@aol.com>: Recipient address rejected: aol.com",
            "550 5.1.1 email@aim.com: Recipient address rejected: aim.com",
        ]),
    p("yahoo.over_quota", C::MailboxFull, &["this account is over quota"])
        .source(HELP_ABUSE57)
        .fixtures(&["554 delivery error: dd Sorry, your message to ({recipients'userid}@yahoo.com) cannot be delivered. This account is over quota."]),
    p("yahoo.mailbox_disabled", C::MailboxDisabled, &["this mailbox is disabled", "554.30"])
        .detail("The Yahoo or AOL account exists but is disabled (554.30): usually closed for inactivity after a long time without sign-ins, or suspended.")
        .source("https://github.com/sisimai/p5-sisimai/issues/312")
        .fixtures(&[
            "554 delivery error: dd Sorry, your message to email@yahoo.com cannot be delivered. This mailbox is disabled (554.30). - mta4490.mail.gq1.yahoo.com",
            "554 30 Sorry, your message to *****@aol.jp cannot be delivered. This mailbox is disabled (554.30)",
        ]),
    p("yahoo.disabled_or_discontinued", C::MailboxDisabled, &["has been disabled or discontinued"])
        .source(BLACKPEARL)
        .fixtures(&["554 delivery error: Sorry your message to [email] cannot be delivered. This account has been disabled or discontinued"]),
    p("yahoo.no_longer_valid", C::MailboxDisabled, &["is no longer valid"])
        .all(&["delivery error"])
        .detail("Yahoo says the address is no longer valid: the account was closed (often after long inactivity) and no longer receives mail.")
        .source(SISIMAI)
        .fixtures(&["554 delivery error: dd ****@yahoo.com is no longer valid."]),
    // ----- the sender ------------------------------------------------------------------------
    p("yahoo.unresolvable_from_domain", C::SenderRejected, &["unresolvable rfc.5321 from domain", "unresolvable rfc.5322 from domain", "unresolvable-from-domain"])
        .detail("Yahoo could not find the sender's domain in DNS (no A, AAAA or MX record for the MAIL FROM or From: domain), so it will not take the mail; the code says \"temporarily\", but it fails until the domain resolves.")
        .action("Send with a sender domain that exists in DNS, or fix the domain's DNS (it may have expired); then send again.")
        .source("https://github.com/sisimai/go-sisimai/blob/10a375ffbfda93609b761e6572a81329a13658e3/rhost/for-yahooinc.go")
        .fixtures(&["451 Message temporarily deferred due to unresolvable RFC.5321 from domain. See https://senders.yahooinc.com/error-codes//unresolvable-from-domain"]),
    p("yahoo.relaying_denied", C::RelayDenied, &["relaying denied for"])
        .gated()
        .source(SISIMAI)
        .fixtures(&["550 relaying denied for <***@yahoo.com>"]),
    // ----- policy and protocol -----------------------------------------------------------------
    p("yahoo.aol_ip_blocked", C::IpReputationBlocklist, &["con:b1", "rly:b1", "rly:b2", "rly:b3"])
        .detail("AOL (now Yahoo) blocked the sending IP address (CON:B1, RLY:B1...): its own reputation data or complaints about mail from it.")
        .source("https://www.knownhost.com/kb/smtp-error-521/")
        .fixtures(&["554 RLY:B1 http://postmaster.info.aol.com/errors/554rlyb1.html", "521 5.2.1 : (CON:B1)"]),
    p("yahoo.aol_not_accepted", C::SpamContent, &["aol will not accept delivery of this message"])
        .detail("AOL (now Yahoo) refused the message for its content or its sender's reputation, without a specific code.")
        .source("https://github.com/nlemoine/wp-better-emails/issues/5")
        .fixtures(&["521 5.2.1 : AOL will not accept delivery of this message."]),
    p("yahoo.content_not_accepted", C::SpamContent, &["ph01", "[ph01]"])
        .detail("Yahoo did not accept the message for its content (PH01): its filters judged it unwanted or unsafe.")
        .action("Look at what in the message looks like spam or phishing (links, URL shorteners, wording, attachments) and send it again changed; make sure it is authenticated (SPF, DKIM, DMARC).")
        .source("https://pastebin.com/h8QaJj2M")
        .fixtures(&["554 Message not allowed - [PH01] Email not accepted for policy reasons. Please visit https://help.yahoo.com/kb/postmaster/SLN5067.html [120]"]),
    p("yahoo.message_not_allowed", C::PolicyOther, &["message not allowed - [*", "email not accepted for policy reasons"])
        .detail("Yahoo refused the message by one of its policies (the bracketed number names which, PH01 for content it does not accept); it does not say more.")
        .source("https://github.com/dart-mailer/mailer/issues/235")
        .fixtures(&["554 Message not allowed - [299]"]),
    p("yahoo.tls_required", C::TlsRequired, &["bad sequence of commands (tls required)"])
        .source("https://github.com/PHPMailer/PHPMailer/issues/767")
        .fixtures(&["503 Bad sequence of commands (TLS required)"]),
    p("yahoo.mail_from_ip_not_allowed", C::IpReputationBlocklist, &["not allowed"])
        .all(&["mail from"])
        .class(5)
        .detail("Yahoo refused mail from this IP address outright (it names the IP, not the sender): the address is blocked, usually for its reputation or because it is listed as a dynamic or consumer address.")
        .source("https://help.yahoo.com/kb/SLN5066.html")
        .fixtures(&["553 Mail from x.x.x.x not allowed"]),
];
