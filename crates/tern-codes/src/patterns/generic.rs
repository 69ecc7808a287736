//! Patterns: wording many servers share (Postfix, Exim and Sendmail texts that other software
//! copied, RFC phrases, blocklist names). Tried after every provider's own patterns.
//!
//! Order matters: a reply often carries words of several causes ("blocked you may be
//! infected", "Sender is on domain's blacklist", "Recipient address rejected: Access denied"),
//! so the wordings whose words would be read as another cause come first, then the sender's
//! problems before the recipient's, specific before vague, and the bare "address rejected" and
//! "try again later" last.

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
const RFC3207: &str = "https://www.rfc-editor.org/rfc/rfc3207";
const RFC4954: &str = "https://www.rfc-editor.org/rfc/rfc4954#section-6";
const SPAMHAUS: &str = "https://www.spamhaus.org/faqs/";
const POSTGREY: &str = "https://postgrey.schweikert.ch/";

/// Generic wording, in matching order.
pub(super) const PATTERNS: &[Pattern] = &[
    // ----- wordings that carry another cause's words ----------------------------------------
    p("generic.temporary_auth_failure", C::LocalError, &["temporary authentication failure", "temporary authentication error", "authentication service unavailable", "authentication backend"])
        .detail("The receiving server could not check the login because its own authentication service failed; the credentials were not judged.")
        .source("https://emailit.com/docs/smtp/troubleshooting/")
        .fixtures(&["454 Temporary authentication failure"]),
    p("generic.dns_temporary", C::DnsError, &["temporary dns failures prevent", "temporary dns failure", "dns temporary failure", "temporary dns error", "dns temperror", "spf temperror", "temperror", "dns query failed", "dns lookup timed out", "dns timeout", "temporary dns", "unable to perform dmarc verification"])
        .class(4)
        .source(POSTFIX_DOC)
        .fixtures(&["451 4.4.3 DNS temporary failure, please try again later"]),
    p("generic.dns_servfail", C::DnsError, &["servfail", "eservfail"])
        .who(W::Nobody)
        .helps("once the DNS servers answer again: SERVFAIL is a failure of the lookup, not an answer that the name does not exist")
        .detail("A DNS lookup the receiving server needed failed with SERVFAIL (the name servers did not answer properly), so it could not check something about the message; some servers send this with a permanent code.")
        .source("https://github.com/forwardemail/free-email-forwarding/issues/159")
        .fixtures(&["550 queryTxt ESERVFAIL"]),
    p("generic.callout_failed", C::UnknownRecipient, &["the account or domain may not exist", "account or domain may not exist"])
        .detail("The receiving server (typically Exim under cPanel) checked the address with the server that holds it, and that check failed: most often the mailbox does not exist.")
        .source(EXIM_ACL)
        .fixtures(&["550 The mail server could not deliver mail to bob@example.com. The account or domain may not exist, they may be blacklisted, or missing the proper dns entries."]),
    p("generic.infected_host", C::IpReputationBlocklist, &["you may be infected", "may be infected", "infected host", "host is infected", "botnet", "abuseat.org", "cbl.abuseat", "compromised host", "compromised machine"])
        .detail("The sending IP address is listed as a host that sends spam or malware traffic on its own, typically a machine infected by a bot or an open proxy.")
        .action("Find and clean the infected or abused machine behind the sending IP (or the NAT it shares), then request delisting from the blocklist named in the reply.")
        .source("https://docs.gandi.net/en/gandimail/faq/error_types/554_5_7_1_service_unavailable.html")
        .fixtures(&["554 5.7.1 Service unavailable; Client host [xxx.xxx.xxx.xxx] blocked you may be infected"]),
    p("generic.spam_source_ip", C::IpReputationBlocklist, &["spam ip", "spamming ip", "ip blocked for spam", "blocked for spam", "block for spam", "blocked for spamming", "spam source", "spam sources", "excessive unknown recipients", "bad ip", "known spammer", "source of spam", "identified as spammer", "identified as a spammer", "black ip", "suspicious activity from your ip", "blocked automatically by anti-spam"])
        .source("https://support.everycloud.com/support/solutions/articles/4000007755-workspace-classification-codes")
        .fixtures(&["554 5.5.4 Spam IP rejected", "550 \"JunkMail rejected - so254-12.mailgun.net [198.61.254.12]:16742 is in an RBL, see Known spammer, see https://directnic.com/knowledge#/knowledge/article/321\""]),
    p("generic.reputation_greylisted", C::IpReputationBlocklist, &["reputation greylisted", "reputation graylisted", "greylisted due to reputation", "greylisted due to ip reputation"])
        .class(4)
        .who(W::Nobody)
        .helps("on a later attempt: the deferral is greylisting, made longer for addresses of poor reputation")
        .detail("The receiving server greylists by reputation: mail from an IP address it does not trust yet is deferred, and a retry later is accepted.")
        .source("https://www.cloudmailin.com/smtp-troubleshooter/451-error")
        .fixtures(&["451 4.7.1 IP Reputation Greylisted."]),
    p("generic.too_many_errors_for_now", C::ProtocolViolation, &["too many errors", "too many invalid commands", "too many bad commands"])
        .class(4)
        .helps("in a new session: the server closed this one after its error limit, and a later connection starts with a clean count")
        .detail("The receiving server ended the session because the client made too many errors in it (rejected commands or recipients); it may also refuse the client for a short while.")
        .action("Nothing for this message: the queue retries in a new session. If it keeps happening, look at what the sending software gets wrong in its sessions (invalid recipients, bad commands).")
        .source("https://help.socketlabs.com/docs/421-451-too-many-errors-you-have-been-temporarily-blacklisted")
        .fixtures(&["421 4.5.1 Too many errors, you have been temporarily blacklisted"]),
    p("generic.group_restricted", C::BlockedByRecipient, &["isn't a group member", "not a group member", "not a member of the group", "external senders aren't permitted", "external senders are not permitted", "external senders are not allowed", "only accepts messages from members"])
        .detail("The recipient is a group or list that accepts mail only from its members, or only from senders inside its own organisation.")
        .action("Ask the group's owner to let you post (add you as a member or allow external senders), or write to a person instead.")
        .source("https://github.com/MicrosoftDocs/SupportArticles-docs/blob/main/Exchange/ExchangeOnline/email-delivery/ndr/550-5-7-193-when-external-users-send-to-microsoft-365-group.md")
        .fixtures(&["550 5.7.193 UnifiedGroupAgent; Delivery failed because the sender isn't a group member or external senders aren't permitted to send to this group."]),
    p("generic.dnsbl_refused", C::LocalError, &["query refused", "refused.shtml", "excessive number of queries", "open resolver", "public resolver"])
        .who(W::RecipientAdmin)
        .never("not until the receiving server's administrator fixes its blocklist lookups")
        .detail("The receiving server queried a blocklist through a DNS resolver the blocklist refuses (a public or shared resolver, or too many queries), and took the refusal as a listing: the sender is not listed, the receiver's setup is wrong.")
        .action("Tell the recipient's mail administrator, another way, that their blocklist lookups are refused (they must use their own resolver or a paid feed).")
        .source("https://github.com/zone-eu/zone-mta/blob/0009aafa5a8002bf978f19f71bcf2a70cd3abd18/config/bounces.txt")
        .fixtures(&["554 5.7.1 Service unavailable; Client host [mail.example.com] blocked using multi.uribl.com; 127.0.0.1 -> Query Refused. See http://uribl.com/refused.shtml for more information [Your DNS IP: 1.2.3.4]"]),
    p("generic.license", C::LocalError, &["license expired", "licence expired", "expired license", "expired licence", "license has expired", "licence has expired"])
        .who(W::RecipientAdmin)
        .never("not until the receiving side renews its filter's licence")
        .detail("The receiving side's mail filter stopped accepting mail because its licence expired.")
        .action("Tell the recipient's mail administrator, another way; nothing on the sending side can fix it.")
        .source("https://github.com/ActiveCampaign/smtp-field-manual/blob/0b9ecacd4e7943822bf6ce0926a79c1cbac0e833/data/codes/421.json")
        .fixtures(&["422 License Expired"]),
    p("generic.geo_block", C::BlockedByRecipient, &["geographical location", "geolocation", "countries.nerd.dk", "country is blocked", "your country"])
        .detail("The receiving server refuses mail from the sending IP address's country, whatever the sender.")
        .action("Ask the recipient, another way, to have their administrator allow your server, or send through a relay in another country.")
        .source("https://github.com/zone-eu/zone-mta/blob/0009aafa5a8002bf978f19f71bcf2a70cd3abd18/config/bounces.txt")
        .fixtures(&["554 5.7.1 Service unavailable; Client host [1.2.3.4] blocked using ee.countries.nerd.dk; Your IP is in ee, rejected based on geographical location"]),
    p("generic.ip_temporarily_blocked", C::IpReputationBlocklist, &["ip has been temporarily blocked", "temporarily blocked for", "blocked for the day"])
        .helps("when the block expires (often within a day), if the sending stops what caused it")
        .detail("The receiving server blocked the sending IP address for a while because of what it sent (spam complaints, too many invalid recipients).")
        .source("https://github.com/sisimai/p5-sisimai/blob/0691512953464bdad727cc26ea5119cde14c15be/lib/Sisimai/Rhost/GoDaddy.pm")
        .fixtures(&["554 This IP has been temporarily blocked for attempting to send too many messages containing content judged to be spam by the Internet community. IB110"]),
    p("generic.recipient_blocklist", C::BlockedByRecipient, &["domain's blacklist", "domain's blocklist", "recipient's blacklist", "recipient's blocklist", "personal blacklist", "personal blocklist", "user's blacklist", "blacklisted by the recipient", "blocked by the recipient", "blocked by recipient", "recipient has blocked", "sender blocked by recipient", "on the recipient's block", "in the recipient's block", "blocked senders list", "blocked sender list", "sender is blacklisted by the recipient", "badmailfrom"])
        .source("https://knowledge.broadcom.com/external/article/169925/common-external-spam-filtering-error-cod.html")
        .fixtures(&["551 Sender is on domain's blacklist"]),
    p("generic.does_not_want", C::BlockedByRecipient, &["does not want your mail", "doesn't want your mail", "does not wish to receive", "doesn't wish to receive", "does not want to receive", "refuses your mail"])
        .source("https://github.com/ActiveCampaign/smtp-field-manual/issues/11")
        .fixtures(&["554 5.7.1 The recipient definitively does not want your mail. It will not be delivered but analyzed again.  We may feed it to a spam blacklist."]),
    p("generic.user_policy", C::BlockedByRecipient, &["user defined policy", "user-defined policy", "user policy matched", "blocked by user policy"])
        .source("https://hardwaresecrets.com/understanding-email-bounce-messages/4/")
        .fixtures(&["553 User defined policy matched for [ip address]"]),
    // ----- sender authentication ------------------------------------------------------------
    p("generic.dmarc", C::DmarcFail, &["dmarc", "domain's dmarc policy"])
        .source("https://github.com/foxcpp/maddy/issues/627")
        .fixtures(&["550 5.7.1 DMARC check failed"]),
    p("generic.unauthenticated", C::SenderUnauthenticated, &["sender is unauthenticated", "requires all senders to authenticate", "authenticate with either spf or dkim", "multiple authentication checks", "does not have authentication information", "fails to pass authentication checks", "both spf and dkim", "spf and dkim authentication", "unauthenticated mail not allowed", "unauthenticated mail is not allowed", "unauthenticated mail not accepted", "unauthenticated messages are not", "this mail is unauthenticated", "must authenticate with at least one of spf or dkim", "must pass spf or dkim", "must pass either spf or dkim", "spf or dkim validation"])
        .source(RFC7489)
        .fixtures(&["550 Unauthenticated mail not allowed from this range"]),
    p("generic.spf", C::SpfFail, &["spf", "sender policy framework", "not designated as permitted sender", "not permitted to send mail from", "spf check failed", "openspf", "sender id (pra)", "sender id"])
        .source(RFC7208)
        .fixtures(&["550 5.7.1 Message rejected per sender's SPF policy - OXSUS001_514", "550 5.7.1 [BFD] Sender prohibited by SPF"]),
    p("generic.dkim", C::DkimFail, &["dkim", "domainkeys"])
        .source(RFC6376)
        .fixtures(&["550 5.7.20 Message rejected: no valid DKIM signature found"]),
    // ----- the sending server's identity --------------------------------------------------
    p("generic.reverse_dns", C::ReverseDnsHelo, &["reverse dns", "rdns", "ptr record", "reverse lookup", "cannot find your hostname", "cannot find your reverse hostname", "does not have a ptr", "no ptr", "client host rejected: cannot find", "reverse hostname", "fcrdns", "forward confirmed reverse"])
        .source("https://hardwaresecrets.com/understanding-email-bounce-messages/4/")
        .fixtures(&["451 Bad reverse DNS."]),
    p("generic.helo_first", C::BadSequence, &["send helo/ehlo first", "send ehlo/helo first", "helo/ehlo first", "ehlo/helo first", "send helo first", "send ehlo first", "say helo first", "helo first", "ehlo first", "helo or ehlo required", "ehlo or helo required", "expecting helo", "expecting ehlo"])
        .detail("The client sent a command before introducing itself with HELO/EHLO.")
        .action("Fix the sending software so that it sends EHLO (or HELO) right after the greeting.")
        .source(RFC5321)
        .fixtures(&["503 5.0.0 Polite people say HELO first"]),
    p("generic.helo", C::ReverseDnsHelo, &["helo command rejected", "ehlo command rejected", "need fully-qualified hostname", "invalid helo", "bad helo", "helo name", "ehlo name", "host not found in helo", "helo/ehlo", "helo argument"])
        .source(POSTFIX_DOC)
        .fixtures(&["501 Syntactically invalid HELO argument(s)"]),
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
    p("generic.account_quota", C::SendingQuota, &["account reached its email quota", "reached its email quota", "email quota limit", "monthly sending limit", "monthly quota", "plan limit", "credits exhausted", "out of credits"])
        .who(W::SenderAdmin)
        .never("not until the sending account's quota is raised or its billing period renews")
        .detail("The sending service account (an email API or relay plan) has used up the mail its plan allows; the limit belongs to the account, not to one day's sending.")
        .action("Whoever runs the sending account must raise its plan or quota with the provider, or wait for the period to renew.")
        .source("https://github.com/geeksforsocialchange/PlaceCal/issues/2297")
        .fixtures(&["450 Your account reached its email quota limit. Contact support to increase it. #MS42204"]),
    p("generic.outgoing_limit", C::SendingQuota, &["allowed outgoing messages", "limit on the number of allowed outgoing", "outgoing message limit", "outgoing messages limit", "outbound message limit", "limit of outgoing"])
        .source("https://github.com/zotonic/zotonic/issues/3508")
        .fixtures(&["554 5.7.0 Your message could not be sent. The limit on the number of allowed outgoing messages was exceeded. Try again later."]),
    p("generic.sending_quota", C::SendingQuota, &["sending limit", "daily user sending", "sending quota", "submission quota", "submissionquotaexceeded", "daily limit", "daily message limit", "message limit exceeded", "messages per day", "daily sending", "hourly sending", "quota of outgoing", "outgoing quota", "daily quota", "hourly quota", "sent too many messages today", "recipients per day", "max emails per hour", "max defers and failures per hour", "emails per hour", "relay quota", "message quota", "account has sent too many", "exceeded hour limit", "maximum credits exceeded", "credits exceeded"])
        .source("https://emailit.com/docs/smtp/troubleshooting/")
        .fixtures(&["452 4.5.3 Daily message limit exceeded"]),
    p("generic.account_blocked", C::SenderAccountRestricted, &["bad outbound sender", "outgoing blocked", "outgoing mail blocked", "outgoing mail has been blocked", "restricted from sending", "blocked from sending", "sending has been disabled", "account has been blocked", "user is restricted", "account is suspended from sending", "sending for this account is disabled", "message sending for this account", "unusual sending activity", "sending is disabled", "sandbox subdomains", "is not allowed to send", "activate your mailgun account", "activate your account"])
        .source("https://learn.microsoft.com/en-us/defender-office-365/outbound-spam-restore-restricted-users")
        .fixtures(&["550 5.1.8 Access denied, bad outbound sender AS(42004)"]),
    p("generic.sender_not_owned", C::SenderRejected, &["not owned by user", "not owned by", "must be same as authorization user", "same as authorization user", "does not match a verified sender identity"])
        .detail("The client logged in as one user but gave a sender address that belongs to another; the server only lets each login send as its own addresses.")
        .action("Send with the address of the account you log in with, or log in with the account that owns the address.")
        .source(POSTFIX_DOC)
        .fixtures(&["553 5.7.1 <boss@example.com>: Sender address rejected: not owned by user alice@example.com"]),
    p("generic.send_as_denied", C::SenderRejected, &["sendasdenied", "not allowed to send as", "send as permission", "permissions to send as", "not authorised to send from", "not authorized to send from", "not allowed to send from", "not allowed to send on behalf"])
        .source("https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/fix-error-code-5-7-60-through-5-7-64")
        .fixtures(&["550 5.7.1 You are not authorized to send from this address"]),
    p("generic.forwarding_blocked", C::SenderAccountRestricted, &["external forwarding", "automatic forwarding", "auto-forwarding", "autoforwarding", "forwarding is disabled", "forwarding not allowed"])
        .detail("The message was being forwarded automatically to an address outside the organisation, and that organisation's outbound policy forbids automatic external forwarding.")
        .action("The forwarding organisation's administrator must allow external forwarding for this mailbox, or the mailbox owner must remove the forwarding.")
        .source("https://learn.microsoft.com/en-us/defender-office-365/outbound-spam-policies-external-email-forwarding")
        .fixtures(&["550 5.7.520 Access denied, Your organization does not allow external forwarding."]),
    p("generic.anti_spoofing", C::SenderRejected, &["anti-spoofing", "antispoofing", "spoofing", "spoofed", "impersonat*", "possible forgery", "forgery"])
        .source("https://learn.microsoft.com/en-us/defender-office-365/anti-spoofing-protection-about")
        .fixtures(&["550 5.7.1 Message rejected due to anti-spoofing policy"]),
    // ----- sender address -------------------------------------------------------------------
    p("generic.address_syntax", C::AddressSyntax, &["bad recipient address syntax", "bad sender address syntax", "bad address syntax", "address syntax", "mailbox syntax", "invalid address syntax", "malformed address", "not a valid rfc 5321 address", "not a valid rfc-5321 address", "not a valid rfc5321 address", "need fully-qualified address", "need fully qualified address", "illegal address", "syntax error in address", "domain name required"])
        .source(POSTFIX_DOC)
        .fixtures(&["501 5.1.3 Bad recipient address syntax"]),
    p("generic.sender_domain_missing", C::SenderRejected, &["sender address", "sender domain", "sender's domain", "envelope sender", "mail from domain", "return-path domain"])
        .all(&["does not exist"])
        .source("https://github.com/gentoo/porticron/issues/7")
        .fixtures(&["553 5.1.8 Sender address <root@meinebox.homenet> domain does not exist"]),
    p("generic.sender_domain_unverified", C::SenderRejected, &["sender domain not verified", "sender domain is not verified", "domain not verified", "domain is not verified", "verify the sender domain", "unverified domain", "unverified sender domain"])
        .detail("The sending service only sends from domains the account has proved it owns, and the domain of this sender address has not been verified in the account.")
        .action("Verify the sender domain in the sending service's settings (usually by publishing the DNS records it gives), or send from a verified domain.")
        .source("https://github.com/PHPMailer/PHPMailer/issues/2683")
        .fixtures(&["550 From header sender domain not verified. On your Settings > Sender Domains page verify the sender domain to be allowed to send."]),
    p("generic.identity_unverified", C::SenderRejected, &["email address is not verified", "identities failed the check", "address is not verified", "sender identity is not verified", "unverified identity", "sender not verified"])
        .detail("The sending service (Amazon SES and similar) only sends from addresses or domains verified in the account, and this sender is not, or the account is still limited to verified identities.")
        .action("Verify the sender address or domain in the sending service (in the region used), or request production access if the account is still in its sandbox.")
        .source("https://github.com/yegor256/mailanes/issues/90")
        .fixtures(&["554 Message rejected: Email address is not verified. The following identities failed the check in region US-EAST-1: <reply@mailanes.com>, reply@mailanes.com"]),
    p("generic.sender_domain", C::SenderRejected, &["sender address rejected", "domain of sender address", "sender domain", "sender verify failed", "sender rejected", "bad sender", "invalid sender", "sender verification", "unverified sender", "sender address is not valid", "mail from rejected", "sender address is invalid", "invalid mail from", "sender domain must exist", "sender domain must resolve", "cannot resolve your domain", "sender domain does not resolve", "unknown sender", "unroutable sender", "unrouteable sender", "from: domain is invalid"])
        .source(POSTFIX_DOC)
        .fixtures(&["553 5.1.7 Sender rejected: invalid sender domain"]),
    // ----- reputation -----------------------------------------------------------------------
    p("generic.greylisting", C::Greylisted, &["greylist*", "graylist*", "grey list*", "gray list*", "grey-list*", "gray-list*", "polite people", "retry timeout exceeded", "please try again later, you are greylisted"])
        .class(4)
        .source(POSTGREY)
        .fixtures(&["450 4.2.0 <bob@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html", "450 4.2.1 Message was greylisted, try again in 51 seconds; see https://forwardemail.net/faq#do-you-have-a-greylist for more information", "450 4.2.0 <*SERVER*>: Recipient address rejected: Greylisted, see *Helpful Website*"]),
    p("generic.domain_blocklist", C::DomainReputation, &["dbl.spamhaus", "spamhaus dbl", "dbl", "surbl", "uribl", "domain is blacklisted", "domain is blocklisted", "domain is listed", "url blocklist", "uri blacklist", "domain reputation", "blocked url", "url in message", "link in message", "reputation of the sending domain", "sending domain's reputation", "domain has a poor reputation", "domain has poor reputation", "spam url", "url in content", "blacklisted url", "url blacklisted"])
        .source("https://www.spamhaus.org/faqs/domain-blocklist/")
        .fixtures(&["554 5.7.1 Service unavailable; Sender address [a@bad.example] blocked using dbl.spamhaus.org"]),
    p("generic.tonline_blocked", C::IpReputationBlocklist, &["(bl)", "(rtr:bl)"])
        .all(&["t-online"])
        .detail("T-Online's servers refused the sending IP address: it is on their blocklist of addresses that sent unwanted mail or lack a proper mail-server setup.")
        .action("Check the sending IP's reverse DNS and website/imprint requirements, then ask T-Online's postmaster (tosa@rx.t-online.de) for unblocking.")
        .source("https://github.com/mailcow/mailcow-dockerized/issues/2532")
        .fixtures(&["554 IP=***.***.***.*** - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)"]),
    p("generic.blocklist", C::IpReputationBlocklist, &["blocklist", "blacklist", "block list", "black list", "blocklisted", "blacklisted", "black listed", "block listed", "blocklists", "blacklists", "spamhaus", "dnsbl", "*rbl", "spamcop", "barracuda", "sorbs", "uceprotect", "rblsmtpd", "blackhole site", "blocked using", "listed at", "listed by", "listed in", "banned sending ip", "poor reputation", "low reputation", "ip reputation", "reputation of the sending ip", "sender reputation", "reputation", "is in an rbl", "is listed on"])
        .source(SPAMHAUS)
        .fixtures(&["550 5.7.1 Rejecting mail, <originating IP address> is blacklisted", "550 Message rejected due to sender IP reputation ([xx.xx.xx.xx])"]),
    p("generic.connection_refused", C::IpReputationBlocklist, &["connection refused", "connection rejected", "connections not accepted from"])
        .class(5)
        .detail("The receiving server refuses connections from the sending IP address; a permanent refusal like this is almost always a block of that address.")
        .action("Check the sending IP against the major blocklists and with the recipient's postmaster; send through another, reputable relay meanwhile.")
        .source("https://postmaster-oxsus.vadesecure.com/")
        .fixtures(&["550 5.7.1 Connection refused"]),
    // ----- volume ---------------------------------------------------------------------------
    p("generic.message_rate_window", C::RateLimited, &["messages per second", "per second limit", "messages per minute", "per minute limit", "emails per second", "requests per second", "received this hour", "per hour limit", "messages per hour", "recipients received this hour", "receive per hour", "recipients this hour"])
        .source("https://emailit.com/docs/smtp/troubleshooting/")
        .fixtures(&["452 4.4.5 Messages per second limit exceeded"]),
    p("generic.too_many_recipients", C::TooManyRecipients, &["too many recipients", "maximum number of recipients", "recipient limit", "too many rcpt", "too many recipient", "multiple destination domains per transaction", "allow rcpt numbers"])
        .source(RFC5321)
        .fixtures(&["452 4.5.3 Error: too many recipients"]),
    p("generic.host_request_limit", C::RateLimited, &["reached its limit for processing requests", "limit for processing requests", "too many requests from your host", "too many login attempts", "too many authentication attempts", "too many auth attempts"])
        .source("https://pastebin.com/jA77NHFE")
        .fixtures(&["451 The server has reached its limit for processing requests from your host. Please try again later."]),
    p("generic.rate_limit", C::RateLimited, &["rate limit*", "ratelimit*", "rate-limit*", "sender rate", "rate exceeds", "rate exceeded", "too many messages", "too many connections", "too many concurrent", "throttl*", "sending rate", "unusual rate", "unexpected volume", "receiving mail at a rate", "mail flood", "slow down", "too fast", "too quickly", "connection rate", "too many sessions", "exceeded the maximum number of connections", "submission rate", "max message per connection", "maximum sending rate", "too many mails", "too many open connections", "connection rate limit exceeded", "excessive volume", "intrusion prevention active", "frequency limited", "messages per session", "max number of messages per session"])
        .source(EXIM_ACL)
        .fixtures(&["454 Throttling failure: Maximum sending rate exceeded", "451 4.7.1 Sender rate exceeds 100 messages per 1h"]),
    // ----- addressing -----------------------------------------------------------------------
    p("generic.relaying_disallowed_as", C::SenderRejected, &["relaying disallowed as"])
        .detail("The client logged in, then gave a sender address its login may not use (cPanel's Exim says \"relaying disallowed as\" the address): the server lets each login send only as its own addresses.")
        .action("Send with the address of the account you log in with, or log in with the account that owns the address.")
        .source("https://zstatic.zohostatic.com/zeptomail/help/api/smtp-error-codes.html")
        .fixtures(&["553 Relaying disallowed as <emailaddress>."]),
    p("generic.forward_path", C::RelayDenied, &["domain of forward path is not allowed", "forward path is not allowed", "forward-path not allowed"])
        .source("https://github.com/open-falcon/mail-provider/issues/27")
        .fixtures(&["550 domain of forward path is not allowed"]),
    p("generic.cannot_deliver_for", C::RelayDenied, &["i cannot deliver mail for", "cannot deliver mail for", "not a local domain"])
        .who(W::RecipientAdmin)
        .detail("The server that received the message does not handle the recipient's domain and will not pass the mail on: usually the domain's MX records point to a server that was not set up for it.")
        .action("Check the recipient domain's MX records; if they point here, the recipient's administrator must add the domain to the server.")
        .source("https://github.com/wallix/PEPS/issues/41")
        .fixtures(&["550 I cannot deliver mail for <aravind@test.heyneighbor.chat>"]),
    p("generic.relay_denied", C::RelayDenied, &["relay access denied", "relaying denied", "relay denied", "relay not permitted", "unable to relay", "not permitted to relay", "we do not relay", "relaying not allowed", "relay not allowed", "not allowed to relay", "relaying disallowed", "relaying mail to", "open relay", "relaying is not allowed", "no relaying", "does not relay", "do not relay", "allowed rcpthosts", "not permitted to relay", "relay prohibited", "relaying prohibited", "list of allowed hosts", "trying to use me", "relay check local fail"])
        .source("https://knowledge.broadcom.com/external/article/161393/rejection-errors-when-delivering-to-3rd.html")
        .fixtures(&["553 Relay denied", "550 5.7.1 Relaying denied"]),
    p("generic.null_mx", C::NullMx, &["null mx", "does not accept mail", "domain does not accept email", "accepts no mail"])
        .source(RFC7505)
        .fixtures(&["556 5.1.10 Recipient address has null MX"]),
    p("generic.sender_no_such_domain", C::SenderRejected, &["no such domain", "domain not found", "domain does not exist", "unknown domain", "domain name not found"])
        .enhanced(1, 7)
        .detail("The sender's address names a domain that does not exist (the enhanced code 5.1.7 is about the sender's address): the receiving server refuses mail it could not answer.")
        .action("Send from an address whose domain exists in the DNS (with an MX or A record), and check the sending software's envelope sender.")
        .source("https://github.com/sisimai/rb-sisimai/blob/b40fac43a2d5bb5a0ec037c441d7631ecd33b83c/set-of-emails/maildir/bsd/email-exim-50.eml")
        .fixtures(&["550 5.1.7 No such domain neko.example.com."]),
    p("generic.no_such_domain", C::UnknownDomain, &["domain not found", "host not found", "domain does not exist", "no such domain", "nxdomain", "name or service not known", "unknown domain", "no mx", "domain name not found", "host or domain name not found", "unrouteable mail domain"])
        .source(POSTFIX_DOC)
        .fixtures(&["550 5.1.2 <bob@example.invalid>: Recipient address rejected: Domain not found"]),
    p("generic.moved", C::ForwardingMoved, &["user has moved", "has moved", "no longer at this address", "user not local; please try", "try <"])
        .source(RFC5321)
        .fixtures(&["550 5.1.6 Recipient has moved to bob@new.example"]),
    p("generic.mailbox_full", C::MailboxFull, &["mailbox full", "mailbox is full", "over quota", "overquota", "quota exceeded", "exceeded storage allocation", "exceeds quota", "out of storage", "mailbox size limit", "insufficient mailbox storage", "user is over", "quota", "inbox is full", "mailbox has exceeded", "storage space", "mailbox is over"])
        .source(RFC3463)
        .fixtures(&["452 Over Quota"]),
    p("generic.mailbox_disabled", C::MailboxDisabled, &["mailbox is disabled", "mailbox disabled", "account disabled", "account has been disabled", "account is disabled", "deactivated", "inactive", "suspended", "no longer active", "mailbox is inactive", "account is locked", "account expired", "user is terminated", "account is terminated", "account has been terminated", "mailbox is frozen", "mailbox has been disabled", "mailbox has been suspended", "mailbox has been deactivated", "archived recipient", "recipient account is blocked", "recipient account isblocked", "compte du destinataire est bloque", "boite du destinataire archivee", "user is locked", "account is locked", "never logged onto"])
        .source(RFC3463)
        .fixtures(&["550 5.2.1 Mailbox disabled for this recipient"]),
    p("generic.not_in_route_list", C::UnknownRecipient, &["not in route list", "no route for recipient", "recipient not in"])
        .detail("The receiving gateway routes mail only for the addresses in its list, and this recipient is not on it: the address does not exist there.")
        .source("https://github.com/hmailserver/hmailserver/issues/21")
        .fixtures(&["421 Recipient not in route list"]),
    p("generic.unknown_user", C::UnknownRecipient, &["user unknown", "unknown user", "no such user", "no such recipient", "no such mailbox", "unknown recipient", "recipient not found", "recipnotfound", "recipientnotfound", "not found by smtp address lookup", "user not found", "mailbox not found", "mailbox unavailable or not local", "does not exist", "doesn't exist", "invalid recipient", "invalid mailbox", "no mailbox here", "not a valid user", "unrouteable address", "mailbox does not exist", "unknown or illegal alias", "this user doesn't have", "doesn't have an account", "does not have an account", "unknown local part", "no such address", "invalid address", "address unknown", "addressee unknown", "account does not exist", "not our customer", "no such account", "user does not exist", "recipient does not exist", "undeliverable address"])
        .source(POSTFIX_DOC)
        .fixtures(&["550 5.1.1 no such user"]),
    // ----- protocol -------------------------------------------------------------------------
    p("generic.bare_line_ends", C::MessageFormat, &["bare <lf>", "bare lf", "bare linefeed*", "barelinefeedsareillegal", "bare cr", "bare <cr>", "stray newline", "smtplf"])
        .detail("The message has a line that ends in a bare LF or CR instead of CRLF (RFC 5322 §2.3, RFC 5321 §2.3.8); the receiving server refuses such messages, in part to stop SMTP smuggling.")
        .action("Fix the sending software so every line of the message ends in CRLF (most libraries do it when the message is built with them, not by hand).")
        .source("https://github.com/PHPMailer/PHPMailer/issues/3067")
        .fixtures(&["550 5.6.11 SMTPSEND.BareLinefeedsAreIllegal; message contains bare linefeeds, which cannot be sent via DATA and receiving system does not support BDAT", "451 See http://pobox.com/~djb/docs/smtplf.html."]),
    p("generic.nonmail_commands", C::ProtocolViolation, &["too many nonmail commands", "too many non-mail commands", "nonmail commands"])
        .source("https://github.com/symfony/swiftmailer-bundle/issues/21")
        .fixtures(&["554 Too many nonmail commands"]),
    p("generic.protocol_deviation", C::ProtocolViolation, &["protocol deviation", "esmtp: protocol", "smtp protocol error"])
        .source("https://github.com/Marak/node_mailer/issues/59")
        .fixtures(&["550 esmtp: protocol deviation"]),
    p("generic.too_many_errors", C::ProtocolViolation, &["too many errors", "too many invalid commands", "too many bad commands", "too many unrecognized commands", "too many unrecognised commands", "protocol violation", "protocol error", "pipelining", "improper use of smtp command pipelining", "talking too soon", "synchronization error", "command pipelining", "pipeline after starttls", "bad smtp command limit", "too many syntax or protocol errors", "syntax or protocol errors"])
        .source("https://www.postfix.org/POSTSCREEN_README.html")
        .fixtures(&["451 4.5.0 SMTP protocol violation, see RFC 2821", "521 5.5.1 Protocol error"]),
    p("generic.auth_mechanism", C::NotImplemented, &["invalid authentication mechanism", "authentication mechanism not supported", "unrecognized authentication type", "authentication type not supported", "mechanism not supported", "unsupported authentication mechanism", "auth mechanism not available", "no such mechanism"])
        .detail("The client asked to log in with an authentication method the server does not offer (the EHLO reply lists the ones it does).")
        .action("Configure the client to use one of the methods the server advertises after EHLO (usually PLAIN or LOGIN, over TLS).")
        .source("https://pastebin.com/z8RXfQKH")
        .fixtures(&["504 authentication type not supported"]),
    p("generic.tls_not_available", C::NotImplemented, &["tls not available", "starttls not available", "tls not supported", "starttls not supported", "tls is not available"])
        .class(5)
        .detail("The client asked for STARTTLS but this server does not offer TLS.")
        .action("Send without STARTTLS to this server only if policy allows it, or ask its administrator to enable TLS.")
        .source("https://github.com/postalserver/postal/issues/745")
        .fixtures(&["502 TLS not available"]),
    p("generic.syntax_unrecognized", C::SyntaxError, &["syntax error, command unrecognized", "syntax error, command unrecognised", "syntax error - command unrecognized", "syntax error: command unrecognized"])
        .detail("The receiving server did not understand the command: RFC 5321's 500 \"Syntax error, command unrecognized\", whatever the code says.")
        .source(RFC5321)
        .fixtures(&["502 5.5.2 Syntax error, command unrecognized."]),
    p("generic.unrecognized_as_syntax", C::SyntaxError, &["unrecognized command", "unrecognised command", "command not recognized", "command unrecognized", "unknown command", "command not recognised", "invalid command"])
        .codes(&[500])
        .detail("The receiving server could not read the command at all (500: syntax error, command unrecognized): the client sent something that is not SMTP, or a command broken in transit.")
        .source(RFC5321)
        .fixtures(&["500 5.3.3 Unrecognized command"]),
    p("generic.not_implemented", C::NotImplemented, &["not implemented", "unimplemented", "command not supported", "not supported", "unsupported", "command not implemented", "authentication not enabled", "auth not available", "unrecognized command", "unrecognised command", "command not recognized", "command unrecognized", "unknown command", "command not recognised", "invalid command"])
        .class(5)
        .source(RFC5321)
        .fixtures(&["502 Error: command \"EHLO\" not implemented", "502 Invalid/unsupported command"]),
    p("generic.syntax", C::SyntaxError, &["syntax error", "syntax", "invalid argument", "bad argument", "unrecognized parameter", "parameter not recognized", "invalid parameter", "line too long"])
        .source(RFC5321)
        .fixtures(&["501 5.5.4 Syntax: MAIL FROM:<address>", "500 Error: bad syntax"]),
    p("generic.auth_failed", C::AuthFailed, &["authentication failed", "authentication unsuccessful", "invalid credentials", "username and password not accepted", "bad username or password", "incorrect authentication data", "invalid login", "login failed", "authentication credentials invalid", "password incorrect", "wrong password", "authentication failure", "invalid username or password", "incorrect password"])
        .source(RFC4954)
        .fixtures(&["535 5.7.8 Error: authentication failed: authentication failure", "535 Error: authentication failed", "535 Authentication failed"]),
    p("generic.auth_535", C::AuthFailed, &["permission denied", "access denied", "denied", "failed", "rejected", "invalid"])
        .codes(&[535])
        .detail("The server refused the login (535, RFC 4954 §6): the user name or password is wrong, the account may not log in this way, or the login method is refused.")
        .source(RFC4954)
        .fixtures(&["535 5.7.8 Permission denied"]),
    p("generic.auth_required", C::AuthRequired, &["authentication required", "authentication is required", "must authenticate", "auth required", "please authenticate", "client was not authenticated", "not authenticated", "sender must be authenticated", "login first", "not logged in", "authentication needed", "must be authenticated", "and auth first", "auth first", "unauthenticated senders not allowed", "unauthenticated senders are not allowed"])
        .source(RFC4954)
        .fixtures(&["530 5.7.0 Authentication required"]),
    p("generic.tls_active", C::BadSequence, &["when tls active", "tls already active", "already in tls", "tls already started", "tls is already active", "starttls already"])
        .source("https://github.com/cnodejs/nodeclub/issues/854")
        .fixtures(&["454 Command not permitted when TLS active"]),
    p("generic.tls_required", C::TlsRequired, &["starttls", "tls required", "requires tls", "encryption required", "must use tls", "requiretls", "secure connection required", "tls is required", "must issue a starttls", "tls connection", "over a tls", "encrypted connection", "requires encryption", "without ssl/tls", "ssl/tls encryption", "without tls", "without encryption", "tls 1.2", "tls version"])
        .source(RFC3207)
        .fixtures(&["530 5.7.0 Must issue a STARTTLS command first. - gsmtp"]),
    p("generic.tls_failed", C::LocalError, &["tls handshake failed", "tls negotiation failed", "ssl handshake failed", "untrustedroot", "certificate verification failed"])
        .never("not until the TLS set-up between the two servers is fixed")
        .detail("The TLS connection between the servers could not be set up (a failed handshake or an untrusted certificate); this does not clear by itself.")
        .action("Whoever runs the receiving server must fix its TLS certificate or settings; if the sending side insists on verified TLS, check its trust store too.")
        .source(RFC3207)
        .fixtures(&["421 4.7.0 TLS negotiation failed"]),
    p("generic.bad_sequence", C::BadSequence, &["bad sequence", "out of sequence", "need mail command", "need rcpt command", "send hello first", "polite people say helo first", "mail first", "rcpt first", "no valid recipients", "error: need", "nested mail command", "sender already specified"])
        .source(RFC5321)
        .fixtures(&["503 5.5.1 Error: need RCPT command", "554 5.5.1 Error: no valid recipients"]),
    // ----- AUTH and TLS ---------------------------------------------------------------------
    // ----- the message ----------------------------------------------------------------------
    p("generic.line_too_long", C::MessageFormat, &["message line is too long", "line too long in message", "line is too long", "text line too long", "line length exceeded", "lines longer than", "line length exceeds"])
        .source("https://github.com/swiftmailer/swiftmailer/issues/989")
        .fixtures(&["552 message line is too long"]),
    p("generic.too_large", C::MessageTooLarge, &["too large", "too big", "size limit", "exceeds the maximum size", "exceeds size limit", "message size exceeds", "message length exceeds", "maximum message size", "exceeded the size", "message size", "size exceeds", "exceeds the size", "message exceeds", "exceeds maximum size", "is too long", "message is too long", "attachment is too long"])
        .source(RFC5321)
        .fixtures(&["550 Message too big!", "552 #5.3.4 message size exceeds limit", "552 5.5.2 Message size (content filter)"]),
    p("generic.forbidden_attachment", C::Malware, &["rejected content attachment", "content attachment", "forbidden_file_extension", "forbidden file extension", "file extension", "banned file", "attachment not allowed", "attachments not allowed", "prohibited attachment", "blocked attachment", "banned attachment", "forbidden attachment", "attachment type", "file type", "dangerous attachment", "executable attachment", "bad attachment", "illegal attachment", "unacceptable attachment", "banned content"])
        .detail("The message carries an attachment of a type the receiving server refuses (executables, scripts, some archives), whatever its content.")
        .action("Send the file another way (a link to shared storage) or in an accepted format, and resend without the attachment.")
        .source("https://support.everycloud.com/support/solutions/articles/4000007755-workspace-classification-codes")
        .fixtures(&["554 5.5.7 e-mail Rejected Content Attachment", "554 5.7.1 Matched map: FORBIDDEN_FILE_EXTENSION"]),
    p("generic.malware", C::Malware, &["potential security issue", "virus", "malware", "infected", "trojan", "worm", "malicious", "executable", "ransomware"])
        .source("https://support.google.com/mail/answer/6590")
        .fixtures(&["552 5.7.0 This message was blocked because its content presents a potential security issue. Our system detected a virus."]),
    p("generic.phrase_filter", C::SpamContent, &["phrase filter", "keyword filter", "forbidden words", "banned words", "banned word", "forbidden word", "content filter rule"])
        .source("https://support.knowbe4.com/hc/en-us/articles/4409463946387-Common-Phishing-Bounce-Codes-and-Resolutions")
        .fixtures(&["554 5.7.1 Phrase Filter"]),
    p("generic.spam", C::SpamContent, &["spam", "unsolicited", "bulk mail", "junk", "phishing", "suspicious", "content rejected", "likely unsolicited", "content filter", "scored too high", "high spam score", "spam score", "considered as spam", "looks like spam", "unsafe content", "unacceptable content", "email rejected due to security policies", "mail content denied", "content denied", "inappropriate words", "inappropriate content", "classified as rspam", "classified as spam", "anti-spam system"])
        .source("https://github.com/swiftmailer/swiftmailer/issues/1244")
        .fixtures(&["550 5.7.1 Message rejected as spam by Content Filtering.", "550 This message was classified as SPAM and may not be delivered", "550 Your message has been rejected because you have been detected sending spam", "550 Message contained unsafe content (Heuristics.Phishing.Email.SpoofedDomain)"]),
    p("generic.list_software", C::PolicyOther, &["list software not permitted", "mailing list software", "mailing lists are not accepted", "bulk mailer not permitted"])
        .who(W::SenderAdmin)
        .source("https://github.com/splitbrain/dokuwiki-plugin-smtp/issues/48")
        .fixtures(&["550 [ACD14] List software not permitted"]),
    p("generic.message_format", C::MessageFormat, &["message-id", "message id header", "missing from", "from: header", "from header", "date header", "header is missing", "rfc 5322", "rfc5322", "rfc 2822", "rfc2822", "rfc 822", "malformed", "bare lf", "bare line feed", "invalid header", "header syntax", "duplicate header", "mime", "8-bit", "8bit", "non-ascii", "encoding", "too many headers", "header too long", "headers too long", "not rfc compliant", "does not conform to standards", "does not conform to rfc", "blank from", "provide a valid from"])
        .source("https://www.rfc-editor.org/rfc/rfc5322#section-3.6")
        .fixtures(&["550 5.7.1 Messages missing a valid Message-ID header are not accepted."]),
    // ----- the receiving side ---------------------------------------------------------------
    p("generic.forwarded_too_often", C::RoutingError, &["forwarded too many times", "too many forwards", "forwarding loop"])
        .source("https://github.com/dreamhunter2333/cloudflare_temp_email/issues/378")
        .fixtures(&["550 5.4.6 Email was forwarded too many times. dIKBtOXC4Nxb"]),
    p("generic.loop", C::RoutingError, &["too many hops", "mail loop", "loop detected", "loops back to myself", "hop count exceeded", "routing loop", "loop", "loop detection", "unable to route", "no route to domain", "misrouted", "looping message"])
        .source(RFC5321)
        .fixtures(&["554 5.4.6 Too many hops", "554 5.5.6 Loop detection > 10 mal X-antispameurope-disclaimer"]),
    p("generic.too_many_received", C::MessageFormat, &["too many received: headers", "too many received headers", "too many \"received\" headers", "too many received"])
        .source("https://knowledge.broadcom.com/external/article/161393/rejection-errors-when-delivering-to-3rd.html")
        .fixtures(&["554 Too many Received: headers"]),
    p("generic.ip_not_allowed", C::BlockedByRecipient, &["not in whitelist", "not whitelisted", "not in allowlist", "not allowlisted", "not on the allow list", "only accepts mail from", "on the recipient's block", "blocked sender", "sender is blocked", "sender blocked"])
        .source("https://support.google.com/a/answer/3726730")
        .fixtures(&["421 4.7.0 IP not in whitelist for RCPT domain, closing connection."]),
    p("generic.not_allowed_to_connect", C::PolicyOther, &["not allowed to connect", "you are not allowed to connect", "connection not allowed", "access to this server is denied", "not permitted to connect"])
        .source("https://github.com/mail-in-a-box/mailinabox/issues/1194")
        .fixtures(&["554 5.7.1 You are not allowed to connect."]),
    p("generic.one_and_one_header", C::MessageFormat, &["c=hi", "c=hd"])
        .who(W::SenderAdmin)
        .detail("GMX, WEB.DE and IONOS refused the message for its header (the case code `hi`/`hd` on their explanation page): a header is missing, duplicated or malformed.")
        .action("Check the message's header against RFC 5322 (one From, one Date, one Message-ID, no malformed lines) and fix the software that builds it.")
        .source("https://github.com/zammad/zammad/issues/4630")
        .fixtures(&["554 Transaction failed Reject due to policy restrictions. For explanation visit https://postmaster.web.de/en/case?c=hi"]),
    p("generic.delivery_requirements", C::PolicyOther, &["does not meet our delivery requirements", "delivery requirements", "does not meet our requirements", "acceptance policy"])
        .source("https://github.com/forwardemail/forwardemail.net/issues/423")
        .fixtures(&["554 5.7.1 This message does not meet our delivery requirements"]),
    p("generic.command_rejected", C::PolicyOther, &["command rejected"])
        .source("https://github.com/substack/node-smtp-protocol/issues/50")
        .fixtures(&["550 Command Rejected"]),
    p("generic.policy", C::PolicyOther, &["administrative prohibition", "policy restrictions", "local policy", "due to policy", "by policy", "policy violation", "access denied", "prohibited", "policy reasons", "not accepted for policy reasons", "administratively denied", "rejected by policy", "refused by policy", "permission denied", "policy", "message filtered"])
        .source(POSTFIX_ACCESS)
        .fixtures(&["550 5.7.1 Administrative prohibition", "550 Denied by policy", "451 4.7.1 <[recipient email]>: Recipient address rejected: Intentional policy rejection, please try again later.", "554 5.7.1 <nevairbe@example.com>: Recipient address rejected: Access denied"]),
    p("generic.dns_failure", C::DnsError, &["dns temporary failure", "dns error", "dns lookup", "name server", "temporary dns", "dns failure", "dns problem"])
        .class(4)
        .source(POSTFIX_DOC)
        .fixtures(&["451 4.4.3 Could not complete DNS lookup, try again later"]),
    p("generic.connection_failed", C::NetworkTimeout, &["read error", "write error", "connection reset", "connection timed out", "lost connection", "connection refused", "no route to host", "network is unreachable", "connection dropped", "timeout", "timed out", "conversation with", "connection closed", "connection went away", "unable to connect"])
        .source("https://www.postfix.org/DEBUG_README.html")
        .fixtures(&["451 4.4.2 reply: read error from mx.example.com"]),
    p("generic.storage", C::StorageInsufficient, &["insufficient system storage", "insufficient disk", "disk full", "no space left", "out of disk", "insufficient storage", "insufficient system resources", "not enough space", "disk is full"])
        .source(RFC5321)
        .fixtures(&["452 4.3.1 Insufficient system storage"]),
    p("generic.connection_deferred", C::ServerUnavailable, &["connection deferred", "unable to process connection", "connection temporarily deferred"])
        .class(4)
        .source("https://postmaster-oxsus.vadesecure.com/")
        .fixtures(&["421 4.2.1 Connection deferred"]),
    // ----- words that only point somewhere: tried after every precise wording --------------
    p("generic.ip_refused", C::IpReputationBlocklist, &["blocked", "banned", "blacklisted", "in prison", "jailed", "jail", "bad", "black", "refused", "rejected", "denied", "not allowed"])
        .all(&["ip"])
        .detail("The receiving server refused the sending IP address itself (its words name the IP, without a blocklist or a reason): its reputation, a local block list, or the network it is in.")
        .source("https://github.com/ActiveCampaign/smtp-field-manual/issues/11")
        .fixtures(&["550 ip in prison"]),
    p("generic.receiver_error", C::LocalError, &["temporary local problem", "local problem", "local error", "lookup failure", "internal error", "internal server error", "system error", "temporary failure", "unable to process", "temporary system problem", "temporarily rejected", "system problem", "unexpected error", "processing error", "configuration error", "configuration problem", "temporary error", "temporary problem", "qq temporary problem", "temporary server error", "delivery was temporarily interrupted"])
        .source(RFC5321)
        .fixtures(&["451 Temporary local problem - please try later", "451 Temporary failure"]),
    p("generic.server_busy", C::ServerUnavailable, &["server busy", "too busy", "system overloaded", "service not available", "service unavailable", "insufficient system resources", "temporarily unavailable", "resources temporarily", "congestion", "overloaded", "shutting down", "maintenance", "not available", "busy", "service currently unavailable", "all server ports are busy", "try another server"])
        .source(RFC5321)
        .fixtures(&["421 4.3.2 Service not available, closing transmission channel"]),
    p("generic.try_later", C::ServerUnavailable, &["try again later", "please try later", "try later", "please try again", "try again in"])
        .helps("later, as the reply itself says")
        .source(RFC5321)
        .fixtures(&["451 4.7.1 Try again later"]),
    // ----- last resort: the stock texts of a refused recipient ------------------------------
    p("generic.recipient_rejected", C::UnknownRecipient, &["recipient address rejected", "address rejected", "recipient rejected", "mailbox unavailable", "requested action not taken: mailbox unavailable", "invalid recipient address"])
        .source(RFC5321)
        .fixtures(&["550 #5.1.0 Address rejected."]),
];
