//! Patterns: the mail servers people run themselves (Postfix, Exim, Sendmail, qmail, Zimbra,
//! Dovecot, Stalwart), in the wording of their default texts. Their replies rarely name the
//! software, so these phrases are the software's own exact texts, specific enough to be tried
//! on every reply.

use super::Pattern;
use crate::cause::{Cause as C, WhoActs as W};
use crate::provider::Provider as P;

const fn p(id: &'static str, provider: P, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, provider, cause, any)
}

const POSTFIX_ACCESS: &str = "https://www.postfix.org/access.5.html";

/// This table's patterns, in matching order.
pub(super) const PATTERNS: &[Pattern] = &[
    // ----- Postfix: the sender --------------------------------------------------------------
    p("postfix.sender_not_logged_in", P::Postfix, C::AuthRequired, &["sender address rejected: not logged in"])
        .detail("The server ties sender addresses to logins (Postfix's reject_sender_login_mismatch): this address may only be used by a client that has logged in, and this client had not.")
        .action("Log in (SMTP AUTH) with the account that owns the sender address before sending.")
        .source("https://github.com/home-assistant/core/issues/154774")
        .fixtures(&["553 5.7.1 <smart@box.li>: Sender address rejected: not logged in"]),
    p("postfix.non_fqdn_sender", P::Postfix, C::AddressSyntax, &["sender address rejected: need fully-qualified address", "sender address rejected: need fully qualified address"])
        .who(W::SenderAdmin)
        .detail("The envelope sender has no domain, or a bare host name (root@localhost, user@server): the receiving server requires a fully-qualified address. Usually a server or application whose mail name is not set.")
        .action("Set the sending system's mail domain (Postfix myorigin, the application's From/envelope address) to a real, public domain.")
        .source("https://support.everycloud.com/support/solutions/articles/4000007755-workspace-classification-codes")
        .fixtures(&["504 5.5.2 Sender address rejected: need fully-qualified address"]),
    p("postfix.sender_domain_not_found", P::Postfix, C::SenderRejected, &["sender address rejected: domain not found", "sender address rejected: unverified address", "sender address rejected: undeliverable address", "sender address rejected: user unknown"])
        .detail("The receiving server could not find the domain of the envelope sender address in DNS (no MX, A or AAAA record), so replies and bounces could not reach it. Often a server that sends as user@its-internal-hostname.")
        .action("Send with an envelope sender in a real, published domain (fix the application's or server's sender/mail domain), or publish DNS records for the domain.")
        .source("https://github.com/openaustralia/infrastructure/issues/122")
        .fixtures(&["450 4.1.8 <www-data@ip-172-31-2-61.ap-southeast-2.compute.internal>: Sender address rejected: Domain not found", "554 5.1.8 <no-reply@community-mail.bt.com>: Sender address rejected: Domain not found", "450 4.1.8 <bounces+19390322-d49f-info=filser-webdesign.de@em7169.erxes.io>: Sender address rejected: Domain not found", "450 4.1.8 Sender address rejected: Domain not found", "550 5.1.8 <sender@example.com>: Sender address rejected: Domain not found"]),
    p("postfix.policyd_spf", P::Postfix, C::SpfFail, &["openspf.net/why", "openspf.org/why", "spf fail - not authorized", "message rejected due to: spf fail"])
        .source("https://github.com/simple-login/app/issues/1556")
        .fixtures(&["550 5.7.23 <objections_strc@aleeas.com>: Recipient address rejected: Message rejected due to: SPF fail - not authorized. Please see http://www.openspf.net/Why?s=mfrom;id=[REDACTED];ip=217.70.183.193;r=<UNKNOWN>", "550 5.7.1 <kerstin@kronbruden.se>: Recipient address rejected: Please see http://www.openspf.net/Why?s=helo;id=kronbruden.se;ip=54.78.212.160;r=mailgw1.surf-town.net"]),
    // ----- Postfix: the sending host --------------------------------------------------------
    p("postfix.no_reverse_hostname", P::Postfix, C::ReverseDnsHelo, &["cannot find your reverse hostname"])
        .detail("The sending IP address has no reverse DNS (PTR) name at all, and the receiving server (Postfix reject_unknown_reverse_client_hostname) requires one.")
        .action("Have whoever runs the sending IP (the hosting or internet provider) publish a PTR record naming the mail server.")
        .source("https://github.com/mailcow/mailcow-dockerized/issues/2517")
        .fixtures(&["450 4.7.1 Client host rejected: cannot find your reverse hostname, [xxx.xxx.xxx.xxx]"]),
    p("postfix.unknown_client_hostname", P::Postfix, C::ReverseDnsHelo, &["client host rejected: cannot find your hostname"])
        .detail("The sending IP address's reverse DNS name does not lead back to the same address (no PTR, or the PTR name has no matching A/AAAA record), and the receiving server (Postfix reject_unknown_client_hostname) requires forward-confirmed reverse DNS.")
        .action("Make the PTR record of the sending IP name a host whose A/AAAA record points back to the same IP.")
        .source("https://github.com/sisimai/rb-sisimai/issues/97")
        .fixtures(&["450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.22]", "550 5.7.1 Client host rejected: cannot find your hostname, [111.11.111.11]"]),
    p("postfix.helo_not_fqdn", P::Postfix, C::ReverseDnsHelo, &["helo command rejected: need fully-qualified hostname", "helo command rejected: need fully qualified hostname"])
        .detail("The sending server introduced itself (HELO/EHLO) with a bare name, such as a container id or localhost, instead of a fully-qualified host name.")
        .action("Set the sending server's HELO name (Postfix smtp_helo_name / myhostname) to its public, fully-qualified name, the one its PTR record gives.")
        .source("https://github.com/danisola/forward-cat/issues/3")
        .fixtures(&["504 5.5.2 <primary>: Helo command rejected: need fully-qualified hostname", "504 5.5.2 <15b0717dc4c2>: Helo command rejected: need fully-qualified hostname"]),
    p("postfix.helo_host_not_found", P::Postfix, C::ReverseDnsHelo, &["helo command rejected: host not found", "helo command rejected: invalid ip address", "helo command rejected: invalid name"])
        .detail("The host name the sending server gave in HELO/EHLO does not exist in DNS (often an internal cloud name), and the receiving server requires a resolvable one.")
        .action("Set the sending server's HELO name to a public host name that resolves, ideally the name of its PTR record.")
        .source("https://github.com/tutao/tutanota/issues/7114")
        .fixtures(&["450 4.7.1 <mail.w14.tutanota.de>: Helo command rejected: Host not found", "450 4.7.1 <2a4f42ace6b6.54lmmen3tjkeznyei24tec2hmf.gx.internal.cloudapp.net>: Helo command rejected: Host not found"]),
    p("postfix.too_many_connections", P::Postfix, C::RateLimited, &["error: too many connections from", "too many connections from"])
        .source("https://github.com/modoboa/modoboa-installer/issues/92")
        .fixtures(&["421 4.7.0 host.domain.tld Error: too many connections from 111.44.222.33", "421 4.7.0 is-comm2.is-ol.de Error: too many connections from [my_server_ip]"]),
    p("postfix.message_rate", P::Postfix, C::RateLimited, &["message submission rate for this client", "too many recipients from", "too much mail from", "recipient address rate for this client", "message delivery request rate limit"])
        .source("https://support.mailprotector.com/hc/en-us/articles/360048244891-Common-Email-Bouncebacks")
        .fixtures(&["421 4.4.2 Message submission rate for this client has exceeded the configured limit"]),
    p("postfix.postscreen_retry", P::Postfix, C::Greylisted, &["service currently unavailable"])
        .class(4)
        .detail("Postscreen, Postfix's front door, deferred the first connection from this IP while it finished its tests; a retry from the same IP is let through.")
        .source("https://github.com/modoboa/modoboa/issues/3586")
        .fixtures(&["450 4.3.2 Service currently unavailable"]),
    // ----- Postfix: the recipient -----------------------------------------------------------
    p("postfix.access_denied", P::Postfix, C::PolicyOther, &["client host rejected: access denied", "sender address rejected: access denied", "helo command rejected: access denied"])
        .detail("An access rule of the receiving server (a Postfix access table entry) refuses this client, sender or recipient, without giving a reason.")
        .action("Ask the recipient's mail administrator, another way, why the rule matches and to allow the sender if the mail is wanted.")
        .source(POSTFIX_ACCESS)
        .fixtures(&["554 5.7.1 <mailcowdockerized_php-fpm-mailcow_1.mailcowdockerized_mailcow-network[2a03:4000:27:88::c]>: Client host rejected: Access denied"]),
    p("postfix.relay_access_denied", P::Postfix, C::RelayDenied, &["relay access denied"])
        .detail("The server does not handle the recipient's domain and will not pass mail on for a client that has not logged in: either the client forgot to authenticate, or the mail went to a server that is not the domain's MX.")
        .action("From a mail client or application: log in (SMTP AUTH) before sending. Between servers: check that the recipient domain's MX points to this server and that the server lists the domain as its own.")
        .source("https://github.com/root-io/vmail/issues/68")
        .fixtures(&["454 4.7.1 <*@cnpd.pt>: Relay access denied", "454 4.7.1 <my@email.com>: Relay access denied", "554 <\"the recipients email addy here\">: Recipient address rejected: Relay access denied", "554 5.7.1 xxxxx@163.com: Relay access denied", "554 5.7.1 <mailman@chif.fr>: Relay access denied"]),
    p("postfix.unknown_local_or_virtual", P::Postfix, C::UnknownRecipient, &["user unknown in local recipient table", "user unknown in virtual alias table", "user unknown in virtual mailbox table"])
        .source("https://support.knowbe4.com/hc/en-us/articles/4409463946387-Common-Phishing-Bounce-Codes-and-Resolutions")
        .fixtures(&["550 5.1.1 Recipient address rejected: User unknown in virtual alias table", "550 5.1.1 <Lordfrags.PmgDoC0V@forwarder.openhatch.org>: Recipient address rejected: User unknown in virtual alias table"]),
    p("postfix.unknown_relay_recipient", P::Postfix, C::UnknownRecipient, &["user unknown in relay recipient table"])
        .detail("The receiving gateway keeps a list of the valid addresses of the domains it passes mail to, and this address is not on it.")
        .source("https://support.blackpearlmail.com/knowledgebase/articles/650530-bounce-messages")
        .fixtures(&["550 5.1.1 [e-mail]: Recipient address rejected: User unknown in relay recipient table"]),
    p("postfix.unverified_recipient", P::Postfix, C::LocalError, &["address lookup failure"])
        .all(&["unverified address"])
        .never("not until the receiving side can verify its own addresses")
        .detail("The receiving gateway checks each recipient with the server behind it before accepting mail (Postfix address verification), and that check could not be completed: the lookup of the address failed on the receiving side.")
        .action("Tell the recipient's mail administrator, another way, that their gateway cannot verify the address; resending does not help until they fix it.")
        .source("https://github.com/Mailu/Mailu/issues/938")
        .fixtures(&["450 4.1.1 <chchang@abc.com>: Recipient address rejected: unverified address: Address lookup failure"]),
    p("postfix.config_problem", P::Postfix, C::LocalError, &["server configuration problem", "server configuration error"])
        .never("not until the receiving server's configuration is fixed")
        .detail("The receiving Postfix server hit an error in its own configuration (a missing or broken lookup table or service) while checking this recipient.")
        .action("Tell the recipient's mail administrator, another way; the queue keeps retrying but it will not pass until they fix their server.")
        .source("https://github.com/modoboa/modoboa/issues/2200")
        .fixtures(&["451 4.3.5 <user@domain2.eu>: Recipient address rejected: Server configuration problem"]),
    p("postfix.temporary_lookup_failure", P::Postfix, C::LocalError, &["temporary lookup failure"])
        .class(4)
        .detail("A lookup table the receiving Postfix server consults (a database, LDAP, a map file or DNS-based check) did not answer, so it deferred the message.")
        .source("https://github.com/mailcow/mailcow-dockerized/issues/4113")
        .fixtures(&["451 4.3.0 <mail@domain.com>: Temporary lookup failure"]),
    p("postfix.queue_file_write_error", P::Postfix, C::LocalError, &["queue file write error"])
        .detail("The receiving Postfix server could not write the message into its queue (full disk, a content filter that failed, or a size limit of the filter).")
        .source("https://github.com/mailcow/mailcow-dockerized/issues/2033")
        .fixtures(&["451 4.3.0 Error: queue file write error"]),
    // ----- Postfix: the message and the protocol --------------------------------------------
    p("postfix.size_limit", P::Postfix, C::MessageTooLarge, &["message size exceeds fixed limit", "message file too big"])
        .source("https://github.com/zokradonh/kopano-docker/issues/409")
        .fixtures(&["552 5.3.4 Message size exceeds fixed limit", "552 5.3.4 Error: message file too big"]),
    p("postfix.pipelining", P::Postfix, C::ProtocolViolation, &["improper use of smtp command pipelining"])
        .detail("The client sent commands ahead of the server's replies without the server offering PIPELINING (or before its greeting); Postfix treats this as the mark of a spam robot.")
        .source("https://github.com/defuse/email-spoofing/issues/3")
        .fixtures(&["503 5.5.0 <test@test.com>: Recipient address rejected: Improper use of SMTP command pipelining"]),
    p("postfix.too_many_errors", P::Postfix, C::ProtocolViolation, &["error: too many errors"])
        .source("https://github.com/jan-vince/smallcontactform/issues/112")
        .fixtures(&["421 4.7.0 UBMSA01.spo2.umbler.com Error: too many errors"]),
    p("postfix.bad_parameter_syntax", P::Postfix, C::SyntaxError, &["parameter syntax", "bad notify parameter", "bad orcpt parameter", "bad ret parameter", "bad envid parameter"])
        .source("https://github.com/OpenSMTPD/OpenSMTPD/issues/499")
        .fixtures(&["501 5.5.4 Error: Bad NOTIFY parameter syntax"]),
    // ----- Exim -----------------------------------------------------------------------------
    p("exim.sender_verify_failed", P::Exim, C::SenderRejected, &["sender verify failed", "sender verification failed"])
        .detail("Exim checked that the envelope sender address can receive mail (a sender verification callout) and the check failed: the address or its domain does not accept mail.")
        .action("Send with an envelope sender address that exists and accepts mail, including bounces.")
        .source("https://github.com/mailcow/mailcow/issues/775")
        .fixtures(&["550 Verification failed for <email address> The mail server could not deliver mail to <email address>.  The account or domain may not exist, they may be blacklisted, or missing the proper dns entries. Sender verify failed"]),
    p("exim.unable_to_verify", P::Exim, C::SenderRejected, &["unable to verify address"])
        .source("https://github.com/postalserver/postal/issues/546")
        .fixtures(&["451 <ok4mpa@psrp.domain.com> unable to verify address"]),
    p("exim.header_from_not_allowed", P::Exim, C::SenderRejected, &["not allowed in header from"])
        .source("https://github.com/the-djmaze/snappymail/issues/478")
        .fixtures(&["550 \"Your IP: 198.54.120.203 : Your domain party1033.com is not allowed in header From\""]),
    p("exim.not_allowed_to_send", P::Exim, C::RelayDenied, &["you are not allowed to send email"])
        .source("https://github.com/miracle2k/dockerfiles/issues/12")
        .fixtures(&["550 \"You are not allowed to send email\""]),
    p("exim.relay_not_permitted", P::Exim, C::RelayDenied, &["relay not permitted"])
        .source("https://github.com/namshi/docker-smtp/issues/85")
        .fixtures(&["550 relay not permitted", "550 relay not permitted!"]),
    p("exim.dnsbl", P::Exim, C::IpReputationBlocklist, &["is in a black list at", "is in a blacklist at", "is in a block list at"])
        .source("https://github.com/mitodl/micromasters/issues/2958")
        .fixtures(&["550 rejected because 198.61.254.12 is in a black list at ix.dnsbl.manitu.net Your e-mail service was detected by spam.over.port25.me (NiX Spam) as spamming at Mon, 27 Mar 2017 14:52:05 +0200. Your admin should visit http://www.dnsbl.manitu.net/lookup.php?value=198.61.254.12"]),
    p("exim.concurrent_connections", P::Exim, C::RateLimited, &["too many concurrent smtp connections"])
        .source("https://github.com/PHPMailer/PHPMailer/issues/2070")
        .fixtures(&["421 Too many concurrent SMTP connections; please try again later.", "421 Too many concurrent SMTP connections from this IP address; please try again later."]),
    // ----- Sendmail -------------------------------------------------------------------------
    p("sendmail.relaying_denied", P::Sendmail, C::RelayDenied, &["... relaying denied", "relaying denied. ip name lookup failed", "relaying denied. proper authentication required"])
        .detail("Sendmail does not handle the recipient's domain and the client is not allowed to relay: it has not logged in, and its IP is not in the relay list (\"IP name lookup failed\" adds that the IP has no reverse DNS name to match).")
        .action("Log in (SMTP AUTH) before sending, or send to the server that handles the recipient's domain.")
        .source("https://github.com/nodemailer/nodemailer/issues/190")
        .fixtures(&["550 5.7.1 <bbb@qq.com>... Relaying denied. IP name lookup failed [222.66.4.242]", "550 5.7.1 ... Relaying denied. Proper authentication required."]),
    p("sendmail.sender_domain", P::Sendmail, C::SenderRejected, &["domain of sender address"])
        .detail("The domain of the envelope sender address does not resolve in DNS (or does not exist), so the receiving server will not accept mail that could not be answered.")
        .action("Send with an envelope sender in a real, published domain.")
        .source("https://github.com/fail2ban/fail2ban/issues/4035")
        .fixtures(&["451 4.1.8 Domain of sender address test.rmkzwjo@service.gmkb3d.cn does not resolve"]),
    // ----- qmail, Dovecot, Zimbra -----------------------------------------------------------
    p("qmail.no_mailbox", P::Qmail, C::UnknownRecipient, &["no mailbox here by that name"])
        .source("https://support.blackpearlmail.com/knowledgebase/articles/650530-bounce-messages")
        .fixtures(&["550 Sorry, no mailbox here by that name. (#5.1.1)"]),
    p("dovecot.user_doesnt_exist", P::Dovecot, C::UnknownRecipient, &["user doesn't exist:"])
        .source("https://github.com/Mailu/Mailu/issues/1614")
        .fixtures(&["550 5.1.1 <doesnotexist@example.com> User doesn't exist: doesnotexist@example.com", "550 5.1.1 <test@example.com> User doesn't exist: test@example.com"]),
    p("dovecot.quota", P::Dovecot, C::MailboxFull, &["mailbox for user is full", "quota exceeded (mailbox for user is full)"])
        .source("https://github.com/docker-mailserver/docker-mailserver/issues/1508")
        .fixtures(&["552 5.2.2 <quotauser@otherdomain.tld> Quota exceeded (mailbox for user is full)"]),
    p("zimbra.sender_rate", P::Zimbra, C::SendingQuota, &["too many messages from sender in last"])
        .detail("The sender's account passed the number of messages it may send in the policy's time window (a Zimbra/cbpolicyd quota); the deferral lasts until the window moves on.")
        .source("https://pastebin.com/V80548k6")
        .fixtures(&["450 4.7.1 <account@domain.com>: Sender address rejected: Deferring: Too many messages from sender in last 60"]),
    // ----- Stalwart -------------------------------------------------------------------------
    p("stalwart.rate_limit", P::Stalwart, C::RateLimited, &["rate limit exceeded, try again later"])
        .source("https://www.stalw.art/docs/mta/outbound/rate-limit/")
        .fixtures(&["451 4.4.5 Rate limit exceeded, try again later."]),
];
