//! Patterns: Gmail and Google Workspace (inbound MX `gmail-smtp-in.l.google.com`, submission
//! `smtp.gmail.com`, the Workspace relay `smtp-relay.gmail.com`).
//!
//! Google words each reply once and reuses it across codes (`421 4.7.28` and `550 5.7.28` say
//! the same thing, one deferring and one refusing), so most patterns carry no class. Wordings
//! that other servers copied (`Must issue a STARTTLS command first`, `Application-specific
//! password required`, the bare over-quota sentence) are left to the generic table, or gated
//! here so that only a reply recognised as Google's (`gsmtp`, `support.google.com`, the titles
//! of Google's help pages) takes Google's reading.

use super::Pattern;
use crate::cause::Cause as C;
use crate::provider::Provider;

const fn p(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Gmail, cause, any)
}

/// Google's "SMTP errors and codes" page (support.google.com/a/answer/3726730), as archived.
const SMTP_ERRORS: &str = "https://github.com/azumakuniyuki/feb-2024-no-auth-no-entry/blob/2558299a6fe1211a71f59b9df063a2aee498dc6e/google-3726730-smtp-errors-and-codes/text/google-3726730-smtp-errors-and-codes-2026-02-15.txt";

/// Gmail's patterns, in matching order: the sending side's authentication and identity first
/// (their replies also say "rate limited"), then reputation and content, volume, addressing,
/// the mailbox, submission and relay, and the protocol.
pub(super) const PATTERNS: &[Pattern] = &[
    // ----- authentication of the sender's domain (the 2024 bulk-sender rules) ----------------
    p("gmail.dmarc_dns_temporary", C::DnsError, &["temporary dns failures prevent authentication", "dns failures prevent authentication"])
        .detail("Gmail wanted to check the sender domain's DMARC policy but the DNS lookups for SPF, DKIM or DMARC failed for now, so it could not tell whether the mail is authentic and deferred it.")
        .action("Nothing yet: the queue retries. If it keeps happening, check that the sender domain's DNS servers answer reliably for its SPF, DKIM and DMARC records.")
        .source(SMTP_ERRORS)
        .fixtures(&["451 4.7.26 Unauthenticated email from domain-name is not accepted due to domain's DMARC policy, but temporary DNS failures prevent authentication. Please contact the administrator of domain-name domain if this was a legitimate email. To learn about the DMARC initiative, go to Control unauthenticated mail from your domain."]),
    p("gmail.dmarc_alignment", C::DmarcFail, &["isn't aligned with either the authenticated spf or dkim", "is not aligned with either the authenticated spf or dkim", "not aligned with either the authenticated", "learn more about dmarc alignment"])
        .detail("Gmail found that the domain in the From: header matches neither the domain SPF authenticated nor the domain DKIM signed for, which its bulk-sender rules require (DMARC alignment).")
        .action("Sign with DKIM for the From: domain (d= equal to, or a parent of, the From: domain), or send with a Return-Path in that domain that passes SPF; publish a DMARC record for it.")
        .source(SMTP_ERRORS)
        .fixtures(&["421 5.7.32 Your email was blocked because the From: header (RFC5322) in this message isn't aligned with either the authenticated SPF or DKIM organizational domain. Learn more about DMARC alignment. To learn more about Gmail requirements for bulk email senders, visit Email sender guidelines ."]),
    p("gmail.dmarc_policy", C::DmarcFail, &["not accepted due to domain's dmarc policy", "not accepted due to domain's dmarc", "learn about the dmarc initiative"])
        .gated()
        .detail("The mail failed DMARC at Gmail: neither SPF nor DKIM passed for the From: domain, and that domain publishes a DMARC policy of reject (or quarantine), which Gmail applies.")
        .source("https://github.com/bruceg/ezmlm-idx/issues/11")
        .fixtures(&["550 5.7.1 Unauthenticated email from example.no is not accepted due to domain's DMARC policy. Please contact the administrator of example.no domain if this was a legitimate mail. Please visit https://support.google.com/mail/answer/2451690 to learn about the DMARC initiative. r75si5694561wmf.156 - gsmtp"]),
    p("gmail.spf_suspicious_entries", C::SpfFail, &["spf record of the sending domain has one or more suspicious entries", "has one or more suspicious entries"])
        .detail("Gmail distrusts the sender domain's SPF record itself: it contains entries Gmail considers suspicious (such as very broad IP ranges or +all), so it limits mail that relies on it.")
        .action("Tighten the SPF record: list only the servers that really send for the domain, remove broad ranges and +all or ?all, and keep it within 10 DNS lookups.")
        .source(SMTP_ERRORS)
        .fixtures(&["451 4.7.24 The SPF record of the sending domain has one or more suspicious entries. To protect our users from spam, email sent from your IP address has been temporarily rate limited. For more information, go to Email sender guidelines."]),
    p("gmail.spf_did_not_pass", C::SpfFail, &["spf authentication didn't pass", "spf authentication did not pass", "didn't pass spf authentication", "did not pass spf authentication", "authenticate their email with spf"])
        .detail("Gmail requires bulk senders to pass SPF, and SPF did not pass for this message's envelope sender from the sending IP; Gmail slows down or refuses such mail.")
        .source(SMTP_ERRORS)
        .fixtures(&["421 4.7.27 Your email has been rate limited because SPF authentication didn't pass for this message. Gmail requires all bulk email senders to authenticate their email with SPF. Authentication results: SPF domain-name with IP address: ip-address = Did not pass. To set up SPF for your sending domains, visit Set up SPF. To learn more about Gmail requirements for bulk email senders, visit Email sender guidelines."]),
    p("gmail.dkim_rate_limited", C::DkimFail, &["rate limited because dkim authentication didn't pass", "rate limited because dkim authentication did not pass"])
        .detail("Gmail requires bulk senders to sign with DKIM; this message had no DKIM signature that verified, so Gmail is slowing down mail like it. Retrying unchanged keeps failing.")
        .source(SMTP_ERRORS)
        .fixtures(&["421 4.7.30 Your email has been rate limited because DKIM authentication didn't pass for this message. Gmail requires all email bulk senders to authenticate their email with DKIM. Authentication results: DKIM = Did not pass. To set up DKIM for your sending domains, visit Set up DKIM. To learn more about Gmail requirements for bulk email senders, visit Email sender guidelines."]),
    p("gmail.dkim_blocked", C::DkimFail, &["didn't pass dkim authentication", "did not pass dkim authentication", "dkim authentication didn't pass", "authenticate their email with dkim"])
        .detail("Gmail refused the message because it had no DKIM signature that verified; Gmail requires bulk senders to sign with DKIM.")
        .source(SMTP_ERRORS)
        .fixtures(&["550 5.7.30 This message was blocked because it didn't pass DKIM authentication. Gmail requires bulk email senders to authenticate their email with DKIM. Authentication results: DKIM = did not pass To set up DKIM for your sending domains, visit Set up DKIM. To learn more about Gmail requirements for bulk email senders, visit Email sender guidelines."]),
    p("gmail.unauthenticated", C::SenderUnauthenticated, &["does not have authentication information or fails to pass authentication", "does not have authentication information", "fails to pass authentication checks", "does not pass authentication checks", "spf and dkim both do not pass", "gmail requires all senders to authenticate", "rate limited because it is unauthenticated", "unauthenticated email is not accepted from this domain"])
        .detail("Gmail found that neither SPF nor DKIM passed for the sender's domain; Gmail refuses (or slows down) mail that carries no authentication at all.")
        .source("https://pastebin.com/vyFg8hz0")
        .fixtures(&["550 5.7.1 This message does not have authentication information or fails to pass authentication checks. To best protect our users from spam, the message has been blocked. Please visit https://support.google.com/mail/answer/81126#authentication for more information. u16si2087533wru.356 - gsmtp"]),
    // ----- the sending server's identity ---------------------------------------------------
    p("gmail.ipv6_guidelines", C::ReverseDnsHelo, &["does not meet ipv6 sending guidelines", "ipv6 sending guidelines regarding ptr records"])
        .detail("Gmail holds mail over IPv6 to a stricter standard: the sending IPv6 address needs a PTR record whose name resolves back to it, and the mail must pass SPF or DKIM.")
        .action("Give the sending IPv6 address a PTR record with a matching AAAA record and make SPF or DKIM pass, or send to Gmail over IPv4 until then.")
        .source("https://dwaves.org/2017/02/02/everyone-uses-google-mail-of-course-unencrypted-why-does-google-mail-hate-my-mailserver/")
        .fixtures(&["550 5.7.1 [MyIP6Address] Our system has detected that this message does not meet IPv6 sending guidelines regarding PTR records and authentication. Please review for more information . x102si19099743ioi.169 - gsmtp"]),
    p("gmail.ptr_rate_limited", C::ReverseDnsHelo, &["does not have a ptr record", "doesn't have a ptr record", "forward dns entry does not point to the sending ip"])
        .class(4)
        .detail("Gmail defers mail from this IP because it has no PTR record, or the PTR name does not resolve back to the IP. The deferral says \"rate limited\", but it does not clear by itself.")
        .source(SMTP_ERRORS)
        .fixtures(&["421 4.7.0 The IP address sending this message does not have a PTR record, or the corresponding forward DNS entry does not point to the sending IP. To protect our users from spam, email sent from your IP address has been temporarily rate limited. For more information, go to Email sender guidelines."]),
    p("gmail.ptr_blocked", C::ReverseDnsHelo, &["doesn't have a ptr record", "does not have a ptr record", "forwarding dns entry doesn't reference the sending ip", "forward dns entry does not point to the sending ip", "sending ip addresses have a ptr record"])
        .detail("Gmail refuses mail from IP addresses without a PTR record, or whose PTR name does not resolve back to the same IP.")
        .source(SMTP_ERRORS)
        .fixtures(&["550 5.7.25 This message was blocked because the sending IP address doesn't have a PTR record, or the forwarding DNS entry doesn't reference the sending IP address. Gmail requires that sending IP addresses have a PTR record. Learn more about requirements for sending IP addresses. To learn more about Gmail requirements for bulk email senders, visit Email sender guidelines."]),
    p("gmail.helo_argument", C::ReverseDnsHelo, &["helo/ehlo argument", "ehlo/helo argument"])
        .source(SMTP_ERRORS)
        .fixtures(&["501 5.5.4 HELO/EHLO argument argument invalid closing connection. For more information, go to HELO/EHLO email error."]),
    // ----- TLS -------------------------------------------------------------------------------
    p("gmail.tls_rate_limited", C::TlsRequired, &["rate limited because you're not using a tls connection", "not using a tls connection"])
        .detail("Gmail requires bulk senders to use TLS: this message came over an unencrypted connection, so Gmail is slowing down such mail. The deferral says \"rate limited\", but retrying without TLS keeps failing.")
        .action("Enable STARTTLS in the sending server for connections to Gmail (Google's MX offers it on port 25), with TLS 1.2 or later.")
        .source(SMTP_ERRORS)
        .fixtures(&["421 4.7.29 Your email has been rate limited because you're not using a TLS connection. Gmail requires all bulk email senders to use TLS/SSL for SMTP connections. To set up TLS for email, visit TLS & SSL connections. To learn more about Gmail requirements for bulk email senders, visit Email sender guidelines."]),
    p("gmail.tls_blocked", C::TlsRequired, &["wasn't sent over a tls connection", "was not sent over a tls connection", "use tls/ssl for smtp connections", "tls required for rcpt domain"])
        .detail("Gmail refuses this mail unless it comes over TLS: Gmail requires bulk senders to encrypt, or the recipient's Workspace domain requires TLS for all incoming mail.")
        .action("Enable STARTTLS in the sending server for connections to Gmail (Google's MX offers it on port 25), with TLS 1.2 or later.")
        .source(SMTP_ERRORS)
        .fixtures(&["550 5.7.29 This message was blocked because it wasn't sent over a TLS connection. Gmail requires all bulk email senders to use TLS/SSL for SMTP connections. To set up TLS for email, visit TLS & SSL connections. To learn more about Gmail requirements for bulk email senders, visit Email sender guidelines."]),
    // ----- reputation ------------------------------------------------------------------------
    p("gmail.low_ip_reputation_for_now", C::IpReputationBlocklist, &["very low reputation of the sending ip", "low reputation of the sending ip"])
        .class(4)
        .helps("slowly: Gmail lets some mail through as the reputation allows, so the queue's retries deliver late; it ends only when the reputation recovers")
        .detail("Gmail slows down mail from this IP address for now because of its reputation (unwanted mail seen from it recently); some of it gets through, and the queue retries the rest.")
        .action("Nothing for this message: the queue retries. Find and stop the unwanted mail from this IP, check it in Google Postmaster Tools, and lower the volume to Gmail until it recovers.")
        .source("https://github.com/ustclug/discussions/issues/15")
        .fixtures(&["421 4.7.0 This message is suspicious due to the very low reputation of the sending IP address. To protect our users from spam, email sent from your IP address has been temporarily rate limited. For more information, go to Why has Gmail blocked my messages?.", "421 4.7.0 [128.199.95.148 15] Our system has detected that this message is suspicious due to the very low reputation of the sending IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. Please visit https://support.google.com/mail/answer/188131 for more information. a78si25816854pfj.35 - gsmtp"]),
    p("gmail.low_ip_reputation", C::IpReputationBlocklist, &["very low reputation of the sending ip", "low reputation of the sending ip"])
        .detail("Gmail judged the sending IP address to have a very poor reputation (from its own data on the mail it sends, not from a public blocklist) and limits or blocks its mail.")
        .action("Check the IP in Google Postmaster Tools, stop whatever unwanted mail it sends, authenticate with SPF, DKIM and DMARC, then raise the volume slowly; meanwhile send through a relay with a good reputation.")
        .source("https://github.com/postalserver/postal/issues/477")
        .fixtures(&["550 5.7.1 [2400:8901::f03c:91ff:fe64:748 18] Our system has detected that this message is likely suspicious due to the very low reputation of the sending IP address. To best protect our users from spam, the message has been blocked. Please visit https://support.google.com/mail/answer/188131 for more information. m11si2028744pgt.592 - gsmtp"]),
    p("gmail.low_domain_reputation", C::DomainReputation, &["very low reputation of the sending domain", "low reputation of the sending domain"])
        .detail("Gmail judged the sender's domain to have a very poor reputation, from the mail it has seen from that domain, and blocked this message.")
        .action("Check the domain in Google Postmaster Tools, send only mail people asked for, make sure SPF, DKIM and DMARC pass, and let the reputation recover before sending in volume.")
        .source(SMTP_ERRORS)
        .fixtures(&["421 4.7.0 This message is suspicious due to the very low reputation of the sending domain. To best protect our users from spam, the message has been blocked. For more information, go to Why has Gmail blocked my messages?."]),
    p("gmail.url_domain_unsolicited", C::DomainReputation, &["containing one of your url domains", "email with the url has been"])
        .detail("Gmail has seen an unusual amount of unwanted mail containing a link to a domain that also appears in this message, and limits mail carrying that link.")
        .action("Find the linked domain (your own, a tracking domain or a URL shortener), stop the unwanted mail that carries it, and leave it out of messages until its reputation recovers.")
        .source(SMTP_ERRORS)
        .fixtures(&["421 4.7.28 Gmail has detected an unusual rate of unsolicited email containing one of your URL domains. To protect our users from spam, email with the URL has been temporarily rate limited. To review our bulk email senders guidelines, go to Email sender guidelines."]),
    p("gmail.spf_domain_rate", C::RateLimited, &["unusual rate of mail originating from your spf domain", "unusual rate of mail originating from your dkim domain"])
        .detail("Gmail received an unusual amount of mail from the sender's (SPF or DKIM) domain and slows it down for now.")
        .source("https://github.com/Purelymail/purelymail-issues/issues/354")
        .fixtures(&["421 4.7.28 Gmail has detected an unusual rate of mail originating from your SPF domain [_REDACTED_]. To protect our users from spam, mail sent from your domain has been temporarily rate limited. For more information, go to https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk Email Senders Guidelines. _REDACTED_ - gsmtp"]),
    p("gmail.ip_unsolicited_rate_for_now", C::IpReputationBlocklist, &["unusual rate of unsolicited email originating from your ip", "unusual rate of unsolicited mail originating from your ip"])
        .class(4)
        .helps("slowly: Gmail lets some mail through as the reputation allows, so the queue's retries deliver late; it ends only when the reputation recovers")
        .detail("Gmail slows down mail from this IP address for now because of its reputation (unwanted mail seen from it recently); some of it gets through, and the queue retries the rest.")
        .action("Nothing for this message: the queue retries. Find and stop the unwanted mail from this IP, check it in Google Postmaster Tools, and lower the volume to Gmail until it recovers.")
        .source("https://github.com/mail-in-a-box/mailinabox/issues/1771")
        .fixtures(&["421 4.7.28 [xxx.59.88.xxx 4] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. Please visit https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk Email Senders Guidelines. z1si9679476pln.401 - gsmtp"]),
    p("gmail.ip_unsolicited_rate", C::IpReputationBlocklist, &["unusual rate of unsolicited email originating from your ip", "unusual rate of unsolicited mail originating from your ip"])
        .detail("Gmail has received an unusual amount of unwanted mail from this IP address recently and limits or blocks what it sends; this is Gmail's own judgement, not a public blocklist.")
        .action("Find the source of the unwanted mail on this IP (a compromised account, a bad list), stop it, and check the IP in Google Postmaster Tools; until it recovers, send through another relay.")
        .source(SMTP_ERRORS)
        .fixtures(&["550 5.7.28 There is an unusual rate of unsolicited email originating from your IP address. To protect our users from spam, email sent from your IP address has been blocked. To review our bulk email senders guidelines, go to Email sender guidelines."]),
    p("gmail.ip_not_authorized_direct", C::IpReputationBlocklist, &["not authorized to send email directly to our servers", "not authorized to send mail directly to our servers", "use the smtp relay at your service provider"])
        .detail("Gmail does not take mail straight from this IP address: it looks like a consumer or dynamic address (a home connection), which should hand mail to its provider's relay instead.")
        .action("Send through your internet or mail provider's SMTP relay (authenticated submission), not directly to Gmail's MX from this address.")
        .source(SMTP_ERRORS)
        .fixtures(&["550 5.7.1 The IP you're using to send email is not authorized to send email directly to our servers. Use the SMTP relay at your service provider instead. For more information, go to 'The IP you're using to send email is not authorized...'."]),
    // ----- content ---------------------------------------------------------------------------
    p("gmail.suspicious_content", C::SpamContent, &["nature of the content or the links within", "due to the nature of the content", "nature of the content and/or the links"])
        .detail("Gmail's filter found the message suspicious from its content or the links in it, and blocked it.")
        .source(SMTP_ERRORS)
        .fixtures(&["421 4.7.0 This message is suspicious due to the nature of the content or the links within. To best protect our users from spam, the message has been blocked. For more information, go to Why has Gmail blocked my messages?."]),
    p("gmail.likely_unsolicited", C::SpamContent, &["this message is likely unsolicited mail", "likely unsolicited mail", "unsolicitedmessageerror"])
        .detail("Gmail's filter judged this message to be unsolicited bulk mail (from its content, its sending pattern and recipients' reactions to similar mail) and refused it.")
        .source("https://pastebin.com/zR4GN1WR")
        .fixtures(&[
            "550 5.7.1 [82.192.84.102 12] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. Please visit https://support.google.com/mail/?p=UnsolicitedMessageError for more information. h52si12217192ede.134 - gsmtp",
            "550 5.7.1 [145.239.80.210 12] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. Please visit https://support.google.com/mail/?p=UnsolicitedMessageError for more information. w28si1688632wra.157 - gsmtp",
        ]),
    // ----- the message -----------------------------------------------------------------------
    p("gmail.not_rfc5322", C::MessageFormat, &["not rfc 5322 compliant", "not rfc5322 compliant", "not rfc-5322 compliant", "has duplicate headers", "multiple addresses in from: header", "missing a valid message-id", "missing a valid messageid", "multiple from headers", "multiple subject headers", "multiple to headers", "multiple date headers"])
        .gated()
        .detail("Gmail refuses messages that break RFC 5322 in ways spam often does: duplicate headers, several addresses in From:, a missing or invalid Message-ID.")
        .source(SMTP_ERRORS)
        .fixtures(&["550 5.7.1 This message is not RFC 5322 compliant because it has duplicate headers. To reduce the amount of spam sent to Gmail, this message has been blocked. For more information, go to Email sender guidelines and review RFC 5322 specifications."]),
    p("gmail.malformed", C::MessageFormat, &["email message is malformed", "mail message is malformed", "message is malformed. not accepted"])
        .source(SMTP_ERRORS)
        .fixtures(&["554 5.6.0 Email message is malformed. Not accepted. For more information, go to Email sender guidelines and review RFC 5322 specifications."]),
    // ----- the recipient's side ------------------------------------------------------------
    p("gmail.policy_prohibits", C::PolicyOther, &["has a policy that prohibits the email", "has a policy that prohibits the mail", "has a policy that prohibits", "a policy is in place that prevents your message"])
        .detail("A Google Workspace administrator (of the recipient's domain, or of the sender's own) has a compliance or content rule that refuses this message; Gmail does not say which rule.")
        .action("Ask the recipient's administrator (or your own, if you send from Workspace) which rule refused the message; changing the content or attachment the rule targets may let it through.")
        .source(SMTP_ERRORS)
        .fixtures(&["550 5.7.1 The user or domain that you are sending to (or from) has a policy that prohibits the email that you sent. Contact your domain administrator for assistance. For more information, go to Sorry, a policy is in place that prevents your message from being sent."]),
    p("gmail.ip_not_allowlisted", C::BlockedByRecipient, &["ip not in whitelist for rcpt domain", "ip not in allowlist for rcpt domain"])
        .gated()
        .detail("The recipient's Google Workspace domain only accepts mail from IP addresses on its own list (usually its inbound gateway), and the sending IP is not on it.")
        .action("Ask the recipient's administrator to add the sending IP to the inbound allowlist, or send to the domain's public MX (its gateway) rather than straight to Google.")
        .source(SMTP_ERRORS)
        .fixtures(&["421 4.7.0 IP not in whitelist for RCPT domain, closing connection. For more information, go to Allowlists, denylists, and approved senders."]),
    // ----- volume ----------------------------------------------------------------------------
    p("gmail.receiving_too_fast", C::RateLimited, &["user you are trying to contact is receiving", "is receiving email too quickly", "is receiving email at a rate that prevents", "is receiving mail at a rate that prevents"])
        .detail("The recipient's Gmail mailbox is getting mail faster than Gmail lets one mailbox receive, so further messages to this person are deferred for a while; the limit is the recipient's, not the sender's.")
        .source(SMTP_ERRORS)
        .fixtures(&["450 4.2.1 The user you are trying to contact is receiving email too quickly. Please resend your message at a later time. If the user is able to receive email at that time, your message will be delivered. For more information, go to Limits for sending & getting email."]),
    p("gmail.relay_peak_limit", C::RateLimited, &["peak smtp relay limit exceeded", "peak smtp relay limit"])
        .detail("The organisation sent more through Google Workspace's SMTP relay in a short burst than its peak limit allows; the excess is deferred.")
        .action("Nothing urgent: the queue retries. If it recurs, spread the sending out over time or reduce the volume sent through smtp-relay.gmail.com.")
        .source(SMTP_ERRORS)
        .fixtures(&["450 4.2.1 Peak SMTP relay limit exceeded for this customer. This is a temporary error. For more information on SMTP relay limits, contact your administrator or go to SMTP relay service error messages."]),
    p("gmail.too_many_logins", C::RateLimited, &["too many login attempts"])
        .detail("Gmail is refusing logins to this account for a while because too many were attempted in a short time.")
        .action("Wait before logging in again, and check that no client keeps retrying with a wrong password.")
        .source(SMTP_ERRORS)
        .fixtures(&["454 4.7.0 Too many login attempts, please try again later. For more information, go to Add Gmail to another email client."]),
    p("gmail.rate_limited", C::RateLimited, &["this email has been rate limited", "this mail has been rate limited", "this message has been rate limited"])
        .source(SMTP_ERRORS)
        .fixtures(&["550 5.7.1 This email has been rate limited. For more information, go to Limits for sending & getting email."]),
    p("gmail.daily_sending_quota", C::SendingQuota, &["daily user sending limit exceeded", "daily user sending quota exceeded", "daily sending quota exceeded", "daily smtp relay limit exceeded", "email quota exceeded", "gmail sending limits"])
        .gated()
        .detail("The Gmail or Google Workspace account (or the organisation's SMTP relay) has sent as many messages or recipients as Google allows in a rolling 24 hours.")
        .action("Wait for the limit to reset (up to 24 hours) and send again; send large mailings through a bulk-mail service rather than a Gmail or Workspace account.")
        .source("https://github.com/gen-smtp/gen_smtp/issues/140")
        .fixtures(&[
            "550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits, go to Gmail sending limits.",
            "550 5.4.5 Daily user sending quota exceeded. o65sm25351206pga.71 - gsmtp",
        ]),
    p("gmail.multiple_domains", C::TooManyRecipients, &["multiple destination domains per transaction", "domain policy size per transaction exceeded", "try this recipient in a separate transaction"])
        .detail("Gmail accepts recipients of only one destination domain per SMTP transaction; the recipients of other domains must be sent in another transaction.")
        .source(SMTP_ERRORS)
        .fixtures(&["451 4.3.0 Multiple destination domains per transaction is unsupported. Please try again. For more information, go to About SMTP error messages and review RFC 5321 specifications."]),
    p("gmail.too_many_recipients", C::TooManyRecipients, &["your message has too many recipients"])
        .source(SMTP_ERRORS)
        .fixtures(&["452 4.5.3 Your message has too many recipients. For more information regarding Google's sending limits, go to Limits for sending & getting email."]),
    p("gmail.too_many_recipients_sender", C::TooManyRecipients, &["too many recipients for this sender"])
        .source(SMTP_ERRORS)
        .fixtures(&["550 5.5.3 Too many recipients for this sender. For more information, go to About SMTP error messages and review RFC 5321 specifications."]),
    // ----- addressing ------------------------------------------------------------------------
    p("gmail.no_such_user", C::UnknownRecipient, &["account that you tried to reach does not exist", "nosuchuser"])
        .source("https://github.com/alistapart/AListApart/issues/442")
        .fixtures(&["550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. Learn more at https://support.google.com/mail/?p=NoSuchUser i189-20020a6387c6000000b00439495f4eadsor8053548pge.28 - gsmtp"]),
    p("gmail.no_such_domain", C::UnknownDomain, &["weren't able to find the recipient domain", "were not able to find the recipient domain"])
        .source(SMTP_ERRORS)
        .fixtures(&["553 5.1.2 We weren't able to find the recipient domain. Please check for any spelling errors and make sure you didn't enter any spaces, periods, or other punctuation after the recipient's email address. For more information, go to Fix bounced or rejected emails."]),
    p("gmail.sender_address_syntax", C::AddressSyntax, &["is not a valid rfc 5321 address", "is not a valid rfc-5321 address", "is not a valid rfc5321 address"])
        .all(&["sender address"])
        .detail("Gmail could not parse the envelope sender (MAIL FROM) address: it is not a valid address by RFC 5321.")
        .action("Correct the sender address the client or application uses (no spaces, one @, a full domain), then send again.")
        .source(SMTP_ERRORS)
        .fixtures(&["553 5.1.7 The sender address address is not a valid RFC 5321 address. For more information, go to About SMTP error messages and review RFC 5321 specifications."]),
    p("gmail.recipient_address_syntax", C::AddressSyntax, &["is not a valid rfc 5321 address", "is not a valid rfc-5321 address", "is not a valid rfc5321 address"])
        .source(SMTP_ERRORS)
        .fixtures(&["553 5.1.3 The recipient address address is not a valid RFC 5321 address. For more information, go to About SMTP error messages and review RFC 5321 specifications."]),
    // ----- the mailbox -----------------------------------------------------------------------
    p("gmail.over_quota_temporary", C::MailboxFull, &["overquotatemp", "account that you tried to reach is over quota", "recipient's inbox is out of storage space"])
        .class(4)
        .gated()
        .detail("The recipient's Google account has used up its storage (shared by Gmail, Drive and Photos); Gmail defers mail to it for now.")
        .source("https://pastebin.com/qQhCb0Dc")
        .fixtures(&["452 4.2.2 The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp d34si16258651pld.82 - gsmtp"]),
    p("gmail.over_quota", C::MailboxFull, &["overquotaperm", "account that you tried to reach is over quota", "recipient's inbox is out of storage space"])
        .gated()
        .detail("The recipient's Google account has been out of storage (shared by Gmail, Drive and Photos) for a long time, and Gmail refuses mail to it until space is freed.")
        .source("https://pastebin.com/HyT37b1d")
        .fixtures(&["552 5.2.2 The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm x18si5969292wrp.492 - gsmtp"]),
    p("gmail.account_disabled", C::MailboxDisabled, &["account that you tried to reach is inactive", "account that you tried to reach is disabled", "disableduser"])
        .detail("The recipient's Gmail or Google Workspace account exists but is disabled or inactive (unused for a long time, suspended, or closed by its owner or administrator).")
        .source(SMTP_ERRORS)
        .fixtures(&["550 5.2.1 The email account that you tried to reach is inactive. For more information, go to https://support.google.com/mail/?p=DisabledUser"]),
    // ----- submission (smtp.gmail.com) ---------------------------------------------------------
    p("gmail.bad_credentials", C::AuthFailed, &["username and password not accepted", "badcredentials", "log in via your web browser", "log in with your web browser", "webloginrequired"])
        .detail("Google refused the SMTP login: the password is wrong, or the account needs an app password (2-Step Verification) or OAuth, or Google wants the user to sign in through a browser first.")
        .action("Check the user name and password; with 2-Step Verification create an app password for the client, or use a client that signs in with OAuth; if Google asks, sign in once in a browser.")
        .source("https://pastebin.com/FbfKGUtT")
        .fixtures(&["535 5.7.8 Username and Password not accepted. Learn more at https://support.google.com/mail/?p=BadCredentials k18-20020a05600c055200b003974a00697esm27282101wmc.38 - gsmtp"]),
    p("gmail.app_password", C::AuthFailed, &["application-specific password required", "app password required", "invalidsecondfactor"])
        .gated()
        .detail("The Google account uses 2-Step Verification, so its normal password cannot log in over SMTP: the client needs an app password (or OAuth).")
        .action("Create an app password in the Google account's security settings and use it in the client instead of the normal password, or switch the client to OAuth.")
        .source(SMTP_ERRORS)
        .fixtures(&["534 5.7.90 Application-specific password required. For more information, go to Sign in with app passwords."]),
    p("gmail.xoauth_unsupported", C::NotImplemented, &["xoauth is no longer supported", "unrecognized authentication type"])
        .detail("The client tried the old XOAUTH login (or another mechanism Gmail does not offer); Gmail only takes XOAUTH2 or PLAIN/LOGIN with an app password.")
        .action("Update the client so it logs in with XOAUTH2 (OAuth 2.0) or with an app password.")
        .source(SMTP_ERRORS)
        .fixtures(&["504 5.7.40 XOAUTH is no longer supported. For more information, go to OAuth 2.0 Mechanism for Google Developers."]),
    p("gmail.temporary_system_problem", C::LocalError, &["cannot authenticate due to a temporary system problem", "cannot authenticate due to temporary system problem", "temporary system problem"])
        .source(SMTP_ERRORS)
        .fixtures(&["454 4.7.0 Cannot authenticate due to a temporary system problem. Try again later. For more information, go to About SMTP error messages."]),
    p("gmail.temporarily_rejected", C::LocalError, &["server has temporarily rejected this message", "mail server temporarily rejected message", "server temporarily rejected message"])
        .source(SMTP_ERRORS)
        .fixtures(&["451 4.3.0 Email server has temporarily rejected this message. Go to About SMTP error messages for more information."]),
    // ----- the Workspace SMTP relay (smtp-relay.gmail.com) --------------------------------------
    p("gmail.relay_account_suspended", C::SenderAccountRestricted, &["suspended due to abuse", "temporarily suspended due to abuse"])
        .detail("Google suspended the sending Workspace account's use of the SMTP relay because it sent abusive mail (spam) through it.")
        .action("The Workspace administrator must find and stop what sent the abusive mail (a compromised account or device), then wait for or ask for the suspension to be lifted.")
        .source("https://github.com/azumakuniyuki/feb-2024-no-auth-no-entry/blob/2558299a6fe1211a71f59b9df063a2aee498dc6e/google-3726730-smtp-errors-and-codes/text/google-3726730-smtp-errors-and-codes-2026-02-15.txt")
        .fixtures(&["550 5.7.0 Email relay denied ip-address. The sending email account has been temporarily suspended due to abuse. For more information, go to SMTP relay spam policy in Gmail."]),
    p("gmail.relay_not_registered", C::RelayDenied, &["email relay denied", "mail relay denied", "isn't registered in your workspace account", "workspace smtp relay settings", "mail sending denied"])
        .detail("Google Workspace's SMTP relay refused the mail: it comes from an IP address or domain that is not registered in the organisation's relay settings.")
        .action("In the Google Admin console, add the sending server's IP address to the SMTP relay service settings (or require SMTP AUTH there and log in), and send from a domain of the Workspace account.")
        .source(SMTP_ERRORS)
        .fixtures(&["550 5.7.0 Email relay denied ip-address. Invalid credentials for relay for one of the domains in: domain-name (as obtained from HELO and (E) MAIL FROM). Email is being sent from a domain or IP address which isn't registered in your Workspace account. Please login to your Workspace account and verify that your sending device IP address has been registered within the Workspace SMTP Relay Settings. For more information, go to SMTP relay service error messages."]),
    p("gmail.relay_invalid_credentials", C::RelayDenied, &["invalid credentials for relay"])
        .detail("Google Workspace's SMTP relay did not recognise the sender: the registered IP address does not match the sender's domain, and the server neither logged in nor named one of the account's domains in HELO.")
        .action("Have the sending server log in to smtp-relay.gmail.com (SMTP AUTH) or present one of the Workspace account's domains in HELO/EHLO, and send from a registered domain.")
        .source(SMTP_ERRORS)
        .fixtures(&["550 5.7.1 Invalid credentials for relay ip-address. The IP address you've registered in your Workspace SMTP Relay service doesn't match the domain of the account this email is being sent from. If you are trying to relay email from a domain that isn't registered under your Workspace account or has empty envelope-from:, you must configure your email server either to use SMTP AUTH to identify the sending domain or to present one of your domain names in the HELO or EHLO command. For more information, go to SMTP relay service error messages."]),
    // ----- the receiving server --------------------------------------------------------------
    p("gmail.server_busy", C::ServerUnavailable, &["server busy, try again later"])
        .source(SMTP_ERRORS)
        .fixtures(&["421 4.4.5 Server busy, try again later. For more information, go to About SMTP error messages."]),
    p("gmail.timeout", C::NetworkTimeout, &["timeout - closing connection"])
        .source(SMTP_ERRORS)
        .fixtures(&["451 4.4.2 Timeout - closing connection. For more information, go to About SMTP error messages."]),
    // ----- protocol --------------------------------------------------------------------------
    p("gmail.pipelining_after_starttls", C::ProtocolViolation, &["no commands allowed to pipeline after starttls", "too many unrecognized commands, goodbye", "too many unauthenticated commands"])
        .source("https://www.entertop.net/knowledge/smtp-error-reference/")
        .fixtures(&["454 4.5.0 SMTP protocol violation, no commands allowed to pipeline after STARTTLS, see RFC 3207."]),
    p("gmail.helo_first", C::BadSequence, &["ehlo/helo first", "issued out of sequence", "starttls may not be repeated"])
        .source(SMTP_ERRORS)
        .fixtures(&["503 5.5.1 EHLO/HELO first. An email transaction protocol command was issued out of sequence. For more information, go to HELO/EHLO email error ."]),
    p("gmail.no_identity_changes", C::BadSequence, &["no identity changes permitted"])
        .detail("The client sent a second AUTH (or changed the sender identity) within one session; Gmail allows one identity per connection.")
        .action("Make the client open a new connection to log in as another user.")
        .source(SMTP_ERRORS)
        .fixtures(&["503 5.7.0 No identity changes permitted. For more information, go to About SMTP error messages."]),
    p("gmail.unimplemented", C::NotImplemented, &["unimplemented command"])
        .source(SMTP_ERRORS)
        .fixtures(&["502 5.5.1 Unimplemented command. For more information, go to About SMTP error messages."]),
    p("gmail.cannot_decode", C::SyntaxError, &["cannot decode response", "optional argument not permitted for that auth mode"])
        .source(SMTP_ERRORS)
        .fixtures(&["501 5.5.2 Syntax error, cannot decode response. For more information, go to About SMTP error messages."]),
];
