//! Patterns: Microsoft 365 / Exchange Online / Outlook.com (`microsoft.*`) and on-premises
//! Exchange Server (`exchange.*`).
//!
//! Exchange Online writes its refusals as an enhanced code, a short English sentence (often
//! one every SMTP server uses, such as "Requested action not taken: mailbox unavailable"),
//! then markers: a rule number `AS(nnnn)`, a block-list code `(S3150)`, a component name
//! (`STOREDRV`, `RESOLVER.ADR`) and the answering host (`*.prod.protection.outlook.com`).
//! The markers and Microsoft's own sentences are matched here; sentences other servers also
//! use are `.gated()` to replies recognised as Microsoft's.

use super::Pattern;
use crate::cause::{Cause as C, WhoActs as W};
use crate::provider::Provider;

const fn ms(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Microsoft, cause, any)
}

const fn ex(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Exchange, cause, any)
}

const NDR_EXO: &str = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/non-delivery-reports-in-exchange-online";
const SISIMAI_MS: &str = "https://github.com/sisimai/p5-sisimai/blob/067b56c0c337132a3f0bb80303f8090387e189f4/lib/Sisimai/Rhost/Microsoft.pm";
const FIELD_550: &str = "https://github.com/ActiveCampaign/smtp-field-manual/blob/00ebd61f178f657a595ca52d48603c7a1b143c5e/data/codes/550.json";
const FIELD_421: &str = "https://github.com/ActiveCampaign/smtp-field-manual/blob/0b9ecacd4e7943822bf6ce0926a79c1cbac0e833/data/codes/421.json";

/// This table's patterns, in matching order.
pub(super) const PATTERNS: &[Pattern] = &[
    // ----- the sending IP's reputation --------------------------------------------------------
    ms("microsoft.block_list", C::IpReputationBlocklist, &["s3150", "s3140", "part of their network is on our block list", "does not relay dynamically-assigned ip ranges", "dynamically-assigned ip ranges", "sc-001", "sc-002", "sc-003", "sc-004", "dy-001", "dy-002", "ou-001", "ou-002", "mail rejected by windows live hotmail for policy reasons"])
        .detail("Outlook.com (Hotmail, Live, MSN) keeps its own block list of IP ranges, and the sending IP address is in one of them: the range as a whole sent mail Outlook.com judged unwanted, or it is a dynamic (consumer) range that should not send mail directly.")
        .action("Send through a server with a clean, static IP address (your provider's relay), or have whoever owns the IP address ask for delisting through Outlook.com's sender support request form and sign up to its Smart Network Data Services (SNDS) to watch the IP.")
        .source("https://github.com/MicrosoftDocs/windows-dev-docs/issues/5744")
        .fixtures(&["550 5.7.1 Unfortunately, messages from [82.98.171.203] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [Name=Protocol Filter Agent][AGT=PFA][MxId=11BC54339C3FD8FF] [BN3PEPF0000B077.namprd04.prod.outlook.com 2025-11-25T08:06:40.951Z 08DE2A19D02BF789]"]),
    ms("microsoft.queue_quota", C::RateLimited, &["organization queue quota exceeded", "queue quota exceeded"])
        .detail("The receiving Microsoft 365 organisation has too much mail waiting for it and is deferring more for now (its queue quota).")
        .source("https://github.com/ActiveCampaign/smtp-field-manual/blob/18308e080ad04db3d1d6f018523225e50a42f5fe/data/codes/450.json")
        .fixtures(&["450 4.7.3 Organization queue quota exceeded. [outlook.com]"]),
    ms("microsoft.ip_reputation_throttled", C::IpReputationBlocklist, &["rate limited due to ip reputation", "s3114", "s775", "rp-002", "rp-003", "limitation is related to ip/domain reputation"])
        .who(W::SenderAdmin)
        .helps("partly: Microsoft lets a little mail through as the IP's reputation allows, so the queue's retries deliver slowly; it ends only when the reputation improves")
        .detail("Microsoft accepts only a trickle of mail from this IP address because of its reputation (too much unwanted mail or complaints, or a new IP with no history), and deferred this message.")
        .action("Nothing at once: the queue retries. Lower the volume to Microsoft, stop mail to people who did not ask for it, warm a new IP up gradually, and watch the IP in Microsoft's SNDS.")
        .source("https://www.suped.com/email-deliverability/answers/what-causes-temporary-rate-limiting-due-to-ip-reputation-with-microsoft-email-servers")
        .fixtures(&[
            "451 4.7.651 The mail server [xx.xx.xx.xx] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S3114)",
            "451 4.7.650 The mail server [192.0.2.5] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [***.prod.protection.outlook.com]",
            "451 4.7.650 the mail server [IP ADDRESS] has been rate limited due to IP reputation",
        ]),
    ms("microsoft.banned_sending_ip", C::IpReputationBlocklist, &["banned sending ip", "access denied, banned sender", "delist@microsoft.com", "sender.office.com"])
        .detail("The sending IP address is on Microsoft 365's own block list (not a public DNSBL), kept for IPs that sent spam or other unwanted mail to Microsoft's customers.")
        .action("Find and stop what sent the unwanted mail from that IP, then request removal at Microsoft's delist portal (sender.office.com) with the IP address and a contact address; until then send through another IP.")
        .source("https://github.com/MicrosoftDocs/microsoft-365-docs/issues/5911")
        .fixtures(&[
            "550 5.7.606 Access denied, banned sending IP [67.23.235.203]. To request removal from this list please visit https://sender.office.com/ and follow the directions. For more information please go to  http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430)",
            "550 5.7.606 Access denied, banned sending IP [45.79.188.170]. To request removal from this list please visit https://sender.office.com/ and follow the directions. For more information please go to  http://go.microsoft.com/fwlink/?LinkID=526655 (AS16012609)",
        ]),
    ms("microsoft.spamhaus", C::IpReputationBlocklist, &["blocked using spamhaus"])
        .detail("Microsoft 365's filter checks connecting IP addresses against Spamhaus, and the sending IP address is listed there.")
        .action("Look the IP address up at Spamhaus (the link in the reply), remove the cause and request removal from Spamhaus itself: Microsoft's own delist portal does not help with a Spamhaus listing.")
        .source("https://github.com/aad-for-linux/pam_aad/issues/15")
        .fixtures(&[
            "550 5.7.1 Service unavailable, Client host [3.211.34.40] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/[3.211.34.40] (AS16012611) [DM3NAM03FT051.eop-NAM03.prod.protection.outlook.com]",
            "550 5.7.1 Service unavailable, Client host [82.165.159.132] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/82.165.159.132 (AS3130). [DM3NAM03FT028.eop-NAM03.prod.protection.outlook.com]",
            "550 5.7.1 Service unavailable; Client host [212.227.59.62] blocked using Spamhaus; To request removal from this list see http://www.spamhaus.org/lookup.lasso",
            "550 5.7.1 Service unavailable, Client host [15.211.195.9] blocked using Spamhaus. To request removal from this list see http://www.spamhaus.org/lookup.lasso (AS16012611)",
        ]),
    // ----- the sending tenant or account -------------------------------------------------------
    ms("microsoft.tenant_restricted", C::SenderAccountRestricted, &["traffic not accepted from this ip", "tenant has exceeded threshold", "blocked from sending from unregistered domains", "sending from unregistered domains", "spam abuse detected"])
        .detail("Microsoft 365 stopped accepting mail from the sending tenant (or from this IP for that tenant): most of its recent mail looked like spam, it exceeded its thresholds, or it sends from domains not registered in the tenant.")
        .action("The tenant's administrator must find the cause (a compromised account, bulk mail, an unregistered sending domain: add and verify it), then open a support request with Microsoft to lift the block.")
        .source("https://github.com/motze92/office365-mail/issues/11")
        .fixtures(&[
            "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(7230) [BM1PR01MB1076.INDPRD01.PROD.OUTLOOK.COM]",
            "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(7171) [DM6PR09MB5976.namprd09.prod.outlook.com]",
        ]),
    ms("microsoft.submission_quota", C::SendingQuota, &["submissionquotaexceeded*", "submission quota exceeded", "exceeded the submission quota"])
        .detail("The sending mailbox has sent as many messages or recipients as Microsoft allows it in a period (a rolling 24 hours for Microsoft 365 and Outlook.com mailboxes).")
        .action("Wait until the oldest messages of the last 24 hours age out of the count, then send again; send large mailings through a bulk-mail service rather than a mailbox.")
        .source("https://github.com/MicrosoftDocs/OfficeDocs-Support/issues/1150")
        .fixtures(&["554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException"]),
    ms("microsoft.outbound_refuse_quota", C::SendingQuota, &["refusequota"])
        .detail("Outlook.com's outbound filter refused the message because the account reached the sending limit of its tier (consumer Outlook.com accounts have low daily limits, lower for new accounts).")
        .action("Wait a day before sending more; for more volume use a paid tier or a bulk-mail service.")
        .source("https://github.com/Youans/nodejs-nodemailer-outlook/issues/11")
        .fixtures(&["554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Failed to process message due to a permanent exception with message WASCL UserAction verdict is not None. Actual verdict is RefuseQuota, ShowTierUpgrade. OutboundSpamException: WASCL UserAction verdict is not None. Actual verdict is RefuseQuota, ShowTierUpgrade. [Hostname=VI1PR05MB5405.eurprd05.prod.outlook.com]"]),
    ms("microsoft.outbound_spam", C::SenderAccountRestricted, &["hipnotify", "hipsend", "requirehip", "outboundspamexception*", "wascl useraction verdict"])
        .who(W::Sender)
        .detail("Outlook.com's outbound spam filter holds the account's sending: it wants the account holder to prove they are a person (a HIP challenge: a code by phone or a puzzle), or it has suspended sending after suspicious activity.")
        .action("Sign in to Outlook.com on the web, complete the verification it asks for (or follow its instructions to unblock the account), then send again.")
        .source("https://github.com/DesertsP/Valine-Admin/issues/26")
        .fixtures(&["554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Failed to process message due to a permanent exception with message WASCL UserAction verdict is not None. Actual verdict is HipNotify, ShowTierUpgrade. OutboundSpamException: WASCL UserAction verdict is not None. Actual verdict is HipNotify, ShowTierUpgrade. [Hostname=TY2PR06MB3117.apcprd06.prod.outlook.com]"]),
    ms("microsoft.daily_recipient_limit", C::SendingQuota, &["daily limit for message recipients", "reached your daily limit"])
        .detail("The mailbox sent to more recipients in the last 24 hours than Microsoft 365 allows one mailbox (its recipient rate limit).")
        .action("Wait until the 24-hour window lets recipients age out, then send again; split large sends over days or use a bulk-mail service.")
        .source("https://github.com/MicrosoftDocs/OfficeDocs-Exchange/issues/2729")
        .fixtures(&["550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients"]),
    ms("microsoft.sender_thread_limit", C::RateLimited, &["sender thread limit exceeded", "thread limit exceeded"])
        .detail("The account submitted too many messages at the same time (concurrent submissions over SMTP); Microsoft allows only a few at once per mailbox.")
        .action("Nothing urgent: resend shortly. Make the sending application submit messages one after another (or with fewer parallel connections).")
        .source("https://github.com/timeoff-management/timeoff-management-application/issues/308")
        .fixtures(&["432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=DM5SPR00MB2471.namprd08.prod.outlook.com]"]),
    ms("microsoft.send_as_denied", C::SenderRejected, &["sendasdenied*", "*sendasdeniedexception", "not allowed to send as"])
        .detail("The mailbox that logged in is not allowed to send as the address in From: (it has no Send As permission for that mailbox, group or alias).")
        .action("Send with the From: address of the mailbox you log in as, or have the administrator grant Send As (or Send on Behalf) permission for the other address.")
        .source("https://github.com/MicrosoftDocs/OfficeDocs-Support/issues/1187")
        .fixtures(&["554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message Cannot submit message."]),
    // ----- login and TLS on the submission service ------------------------------------------
    ms("microsoft.smtp_auth_disabled", C::AuthFailed, &["smtp_auth_disabled", "basic authentication is disabled", "security defaults policy", "did not meet the criteria to be authenticated successfully"])
        .who(W::SenderAdmin)
        .detail("Microsoft 365 refuses the SMTP login whatever the password: authenticated SMTP (or basic authentication, or this sign-in under the tenant's security defaults or conditional access) is turned off for the mailbox or the whole tenant.")
        .action("The tenant's administrator must enable SMTP AUTH for this mailbox (or allow it under the tenant's policies), or the application must use OAuth or another way to send, such as a connector or Microsoft Graph.")
        .source("https://github.com/simonrob/email-oauth2-proxy/issues/193")
        .fixtures(&["535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [MN2PR05CA0004.namprd05.prod.outlook.com 2023-09-12T20:59:57.214Z 08DBB276B7E699C4]"]),
    ms("microsoft.client_not_authenticated", C::AuthRequired, &["client not authenticated to send mail", "not authenticated to send anonymous mail", "client was not authenticated to send anonymous mail"])
        .source("https://github.com/simonrob/email-oauth2-proxy/issues/315")
        .fixtures(&["530 5.7.57 Client not authenticated to send mail"]),
    ms("microsoft.tls_version", C::TlsRequired, &["tls 1.0 and 1.1 are not supported", "smtp_auth_tls", "support tls 1.2"])
        .detail("Microsoft 365 no longer accepts connections over TLS 1.0 or 1.1 (or without TLS) for this service; the client must use TLS 1.2 or later.")
        .action("Update the sending client or its TLS library (and the operating system's TLS settings) so that it negotiates TLS 1.2 or 1.3.")
        .source("https://github.com/zehm/sendEmail/issues/1")
        .fixtures(&["421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls. [SA9P221CA0019.NAMP221.PROD.OUTLOOK.COM]"]),
    // ----- email authentication ---------------------------------------------------------------
    ms("microsoft.authentication_level_spf", C::SpfFail, &["spf= fail", "spf=fail", "spf= softfail", "spf=softfail", "spf= none", "spf=none", "spf= permerror", "spf=permerror"])
        .all(&["required authentication level"])
        .detail("Microsoft requires senders of large volumes to Outlook.com to pass SPF, DKIM and DMARC; this message's SPF check did not pass for the sending domain.")
        .action("Add the sending server to the SPF record of the domain in the return path, make sure DKIM signs with the From: domain and that a DMARC record is published, then send again.")
        .source("https://github.com/sisimai/go-sisimai/issues/150")
        .fixtures(&["550 5.7.515 Access denied, sending domain EXAMPLE.JP doesn't meet the required authentication level. The sender's domain in the 5322.From address doesn't meet the authentication requirements defined for the sender. To learn how to fix this see: https://go.microsoft.com/fwlink/p/?linkid=2319303 Spf= Fail , Dkim= Pass , DMARC= Pass ..."]),
    ms("microsoft.dmarc_reject", C::DmarcFail, &["does not pass dmarc verification", "has a dmarc policy of reject", "dmarc policy of quarantine"])
        .detail("The From: domain publishes a DMARC policy of reject, and the message passed neither SPF nor DKIM in alignment with that domain, so Microsoft 365 refused it as the domain asks.")
        .source("https://github.com/sympa-community/sympa/issues/1843")
        .fixtures(&["550 5.7.509 Access denied, sending domain [OUR_DOMAIN.ORG] does not pass DMARC verification and has a DMARC policy of reject. [VI1P195MB0734.EURP195.PROD.OUTLOOK.COM 2025-06-23T20:38:28.040Z 08DDB2564DE36667] [DU2P250CA0022.EURP250.PROD.OUTLOOK.COM 2025-06-23T20:38:28.060Z 08DDB2063B7A7D58] [DU6PEPF00009523.eurprd02.prod.outlook.com 2025-06-23T20:38:28.063Z 08DDB1257591DF93]"]),
    // ----- volume -----------------------------------------------------------------------------
    ms("microsoft.server_busy", C::RateLimited, &["server busy. please try again later from", "server busy, please try again later from", "s77719"])
        .detail("Exchange Online is throttling connections or messages from this IP address for now (4.7.500-4.7.699 are its throttling codes).")
        .source("https://wordtothewise.com/2017/10/troubleshooting-and-codes")
        .fixtures(&[
            "451 4.7.500 Server busy. Please try again later from [<ip-address>]. (AS843) [<someserver>.prod.protection.outlook.com]",
            "451 4.7.500 Server busy. Please try again later from [192.0.2.2]. (AS761)",
            "451 4.7.500 Server busy. Please try again later from [IP address].",
        ]),
    ms("microsoft.access_denied_try_later", C::RateLimited, &["access denied, please try again later"])
        .source("https://github.com/jstedfast/MailKit/issues/1502")
        .fixtures(&["451 4.7.500 Access denied, please try again later. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653. (AS112201)"]),
    ms("microsoft.hourly_limit", C::RateLimited, &["rp-001", "we have limits for how many messages can be sent per hour", "limits for how many messages can be sent"])
        .detail("Outlook.com limits how many messages one IP address may send it per hour and per day; this IP went over, and Outlook.com deferred the rest.")
        .source("https://pastebin.com/dW4JrGn7")
        .fixtures(&["421 RP-001 (SNT0-MC2-F19) Unfortunately, some messages from 50.57.111.177 weren't sent. Please try again. We have limits for how many messages can be sent per hour and per day. You can also refer to http://mail.live.com/mail/troubleshooting.aspx#errors."]),
    ms("microsoft.concurrent_connections", C::RateLimited, &["concurrent connections per resource forest", "maximum number of concurrent server connections", "maximum number of concurrent connections"])
        .source(FIELD_421)
        .fixtures(&["421 4.3.2 The maximum number of concurrent connections per resource forest has exceeded a limit, closing transmission channel. example.com. PRX8 [example.com]"]),
    ms("microsoft.recipient_receive_limit", C::RateLimited, &["exceeded their limit for the number of messages they can receive", "limit for the number of messages they can receive", "number of messages they can receive from this sender"])
        .detail("The recipient's mailbox received more messages in the last hour than Exchange Online allows one mailbox to receive (in total, or from this one sender); the limit resets within the hour.")
        .action("Send it again after an hour; if you send the same recipient many automated messages, send fewer or batch them.")
        .source("https://tux.re/forum/viewtopic.php?t=48&view=print")
        .fixtures(&["554 5.2.122 The recipient has exceeded their limit for the number of messages they can receive per hour. [MWH0EPF000A6735.namprd04.prod.outlook.com 2026-04-15T07:56:32.710Z 08DE978C908158E9]"]),
    // ----- the recipient ----------------------------------------------------------------------
    ms("microsoft.recipient_not_found", C::UnknownRecipient, &["as(201806281)", "resolver.adr.recipnotfound", "resolver.adr.recipientnotfound", "recipient not found by smtp address lookup", "resolver.adr.exrecipnotfound"])
        .detail("The recipient's domain is hosted by Microsoft 365 and has no mailbox, group or contact with this address (Exchange Online refuses unknown addresses at the door when the domain uses directory-based edge blocking).")
        .source("https://github.com/zone-eu/zone-mta/pull/214")
        .fixtures(&["550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [PR2FRA01FT009.eop-fra01.prod.protection.outlook.com]"]),
    ms("microsoft.directory_edge_block", C::UnknownRecipient, &["recipient address rejected: access denied"])
        .enhanced(4, 1)
        .detail("Microsoft 365 checked the recipient against the organisation's directory at the edge (Directory Based Edge Blocking) and found no such address, and refused it as \"access denied\" with 5.4.1.")
        .action("Check the address for typing errors; if it is right, the recipient's administrator must add it (or turn off edge blocking for a domain whose mailboxes live elsewhere).")
        .source("https://github.com/ActiveCampaign/smtp-field-manual/blob/00ebd61f178f657a595ca52d48603c7a1b143c5e/data/codes/550.json")
        .fixtures(&["550 5.4.1 [email@example.com]: Recipient address rejected: Access denied [example.com]"]),
    ms("microsoft.mailbox_unavailable", C::UnknownRecipient, &["requested action not taken: mailbox unavailable"])
        .gated()
        .detail("Exchange Online answers an address it does not know with the standard sentence \"mailbox unavailable\": the address does not exist in the recipient's organisation.")
        .source(FIELD_550)
        .fixtures(&[
            "550 5.5.0 Requested action not taken: mailbox unavailable. [#.eop-nam12.prod.protection.outlook.com]",
            "550 5.5.0 Requested action not taken: mailbox unavailable. [DB5EUR01FT039.eop-EUR01.prod.protection.outlook.com]",
        ]),
    ms("microsoft.bad_primary", C::AddressSyntax, &["resolver.adr.badprimary", "badprimary", "primary smtp address is missing or invalid"])
        .who(W::SenderAdmin)
        .detail("The recipient exists in the organisation's directory, but its primary SMTP address is missing or malformed, so Exchange cannot route to it.")
        .action("The organisation's administrator must give the recipient object a valid primary SMTP address (check it in the directory and any sync from on-premises).")
        .source("https://github.com/MicrosoftDocs/SupportArticles-docs/blob/main/Exchange/ExchangeOnline/email-delivery/ndr/badprimary-ndr.md")
        .fixtures(&["550 5.2.0 RESOLVER.ADR.BadPrimary; recipient primary SMTP address is missing or invalid"]),
    ms("microsoft.invalid_address", C::AddressSyntax, &["invalid address"])
        .gated()
        .class(5)
        .source("https://github.com/ActiveCampaign/smtp-field-manual/blob/1bdabc39b0c2df131fadefac9b8c250772788a13/data/codes/501.json")
        .fixtures(&["501 5.1.3 Invalid address [outlook.com]"]),
    // ----- the message ------------------------------------------------------------------------
    ms("microsoft.header_too_large", C::MessageTooLarge, &["single text value size", "exceeded allowed maximum"])
        .detail("One header of the message (the one named in the reply) is longer than Exchange Online allows a single header value to be.")
        .action("Remove or shorten that header (often a large Autocrypt or custom header added by the mail client or a plugin) and send again.")
        .source("https://github.com/stalwartlabs/smtp-server/issues/26")
        .fixtures(&["554 5.6.211 Invalid MIME Content: Single text value size (33061) exceeded allowed maximum (32768) for the 'Autocrypt' header. [DU0P189MB2614.EURP189.PROD.OUTLOOK.COM 2023-08-13T19:53:47.768Z 08DB9C24282B6B4C] [AM0PR06CA0099.eurprd06.prod.outlook.com 2023-08-13T19:53:47.777Z 08DB9AF04AB2BAF4] [AM7EUR06FT066.eop-eur06.prod.protection.outlook.com 2023-08-13T19:53:47.790Z 08DB9B6C45AE318B]"]),
    ms("microsoft.corrupt_content", C::MessageFormat, &["corrupt message content"])
        .detail("Exchange Online could not store the message in the mailbox because its content is malformed (broken MIME structure, bad encoding or headers).")
        .source("https://support.microsoft.com/en-us/help/2519912/emails-sent-from-internet-or-application-generated-emails-are-not-deli")
        .fixtures(&["554 5.6.0 STOREDRV.Deliver; Corrupt message content"]),
    ms("microsoft.throttled_mailbox_full", C::MailboxFull, &["throttled due to continuous mailbox full"])
        .who(W::Sender)
        .detail("Microsoft 365 throttles this sender because its mail to this recipient kept failing with \"mailbox full\"; it refuses more until the mailbox has room.")
        .action("Stop sending to this recipient until they free their mailbox; reach them another way.")
        .source("https://learn.microsoft.com/en-us/Exchange/mail-flow-best-practices/continuous-error-throttling-smtp-auth-submissions")
        .fixtures(&["550 5.2.251 Sender throttled due to continuous mailbox full errors."]),
    ms("microsoft.throttled_license", C::SenderAccountRestricted, &["throttled due to continuous invalid license"])
        .detail("Microsoft 365 throttles this sender because its mail kept failing on recipients without a valid Exchange licence.")
        .source("https://learn.microsoft.com/en-us/Exchange/mail-flow-best-practices/continuous-error-throttling-smtp-auth-submissions")
        .fixtures(&["550 5.2.253 Sender throttled due to continuous invalid license errors."]),
    ms("microsoft.throttled_invalid_recipients", C::UnknownRecipient, &["throttled due to continuous invalid recipients"])
        .detail("Microsoft 365 throttles this sender because its mail kept going to addresses that do not exist.")
        .action("Remove the invalid addresses from the list you send to (bounce handling), then send again.")
        .source("https://learn.microsoft.com/en-us/Exchange/mail-flow-best-practices/continuous-error-throttling-smtp-auth-submissions")
        .fixtures(&["550 5.2.255 Sender throttled due to continuous invalid recipients errors."]),
    ms("microsoft.tenant_sending_limit", C::SendingQuota, &["tenant has exceeded its daily limit", "tenant external recipient rate limit", "exceeded its daily limit for sending"])
        .who(W::SenderAdmin)
        .detail("The sending Microsoft 365 organisation (tenant) used up its daily allowance of mail to external recipients; it resets within 24 hours.")
        .action("Wait for the limit to reset; if the organisation needs more, its administrator must raise the tenant's limits or send bulk mail through a service made for it.")
        .source("https://learn.microsoft.com/en-us/answers/questions/5835651/email-cant-be-sent-because-tenant-has-exceeded-its")
        .fixtures(&["550 5.7.233 - Your message can't be sent because your tenant has exceeded its daily limit for sending email to external recipients (tenant external recipient rate limit)."]),
    ms("microsoft.helo_invalid_domain", C::ReverseDnsHelo, &["invalid domain name"])
        .gated()
        .detail("Exchange Online refused the name the sending server gave in EHLO/HELO: it is not a valid, fully qualified domain name.")
        .action("Configure the sending server to announce its fully qualified host name (one that resolves, matching its PTR) in EHLO.")
        .source("https://github.com/sabuhish/fastapi-mail/issues/205")
        .fixtures(&["501 5.5.4 Invalid domain name [AS4P189CA0060.EURP189.PROD.OUTLOOK.COM 2023-10-24T06:56:46.567Z 08DBD2CBA8497480]"]),
    ex("exchange.server_auth_failed", C::AuthFailed, &["cannot achieve exchange server authentication"])
        .who(W::RecipientAdmin)
        .never("not until the Exchange servers' authentication between each other is fixed")
        .detail("Two Exchange servers (or Exchange and Exchange Online in a hybrid setup) could not authenticate to each other on their connector: a certificate or connector setting is wrong.")
        .action("The Exchange administrator must check the connectors' TLS certificates and authentication settings on both sides.")
        .source("https://frankysweb.de/en/exchange-server-451-5-7-3-cannot-achieve-exchange-server-authentication")
        .fixtures(&["451 5.7.3 Cannot achieve Exchange Server authentication"]),
    ex("exchange.send_connector_certificate", C::LocalError, &["tlscertificatename"])
        .who(W::SenderAdmin)
        .never("not until the send connector's certificate is fixed")
        .detail("The sending Exchange server's send connector names a TLS certificate that is not installed (or not bound), so it cannot start TLS.")
        .action("The sending Exchange administrator must install the certificate the connector names, or change TlsCertificateName to one that exists.")
        .source("https://learn.microsoft.com/en-us/archive/blogs/lalitbisht/mailflow-issue-from-exchange-on-prem-to-office-365")
        .fixtures(&["454 4.7.5 The certificate specified in TlsCertificateName of the SendConnector could not be found."]),
    ex("exchange.no_ipv6", C::PolicyOther, &["does not accept email over ipv6"])
        .who(W::SenderAdmin)
        .never("not while the mail goes over IPv6")
        .detail("The recipient's domain does not take mail over IPv6, and the message came over IPv6.")
        .action("Send to this domain over IPv4 (prefer IPv4 for outbound SMTP, or pin this destination to IPv4).")
        .source("https://technet.microsoft.com/en-us/library/dn720852(v=exchg.150).aspx")
        .fixtures(&["550 5.2.1 Service unavailable, [contoso.com] does not accept email over IPv6"]),
    ms("microsoft.invalid_message_content", C::LocalError, &["invalid message content", "conversionfailed*"])
        .source("https://github.com/MicrosoftDocs/SupportArticles-docs/blob/main/Exchange/ExchangeOnline/email-delivery/ndr/invalid-message-ndr.md")
        .fixtures(&["554 5.6.0 Invalid message content"]),
    // ----- the receiving side -----------------------------------------------------------------
    ms("microsoft.untrusted_certificate", C::LocalError, &["untrustedroot", "remotecertificatechainerrors", "remotecertificatenamemismatch", "certificate validation failed"])
        .who(W::RecipientAdmin)
        .never("not until the receiving server presents a certificate that validates")
        .detail("Exchange Online requires TLS with a valid certificate for this destination (a connector or the domain's policy), and the receiving server's certificate does not validate: an untrusted or self-signed root, a broken chain or a name mismatch.")
        .action("The receiving server's administrator must install a certificate from a public certificate authority with its full chain; or the sender's administrator must relax the connector's certificate validation.")
        .source("https://github.com/MicrosoftDocs/SupportArticles-docs/blob/main/Exchange/ExchangeOnline/email-delivery/ndr/fix-error-code-450-4-4-317-untrusted-root.md")
        .fixtures(&["450 4.4.317 Cannot connect to remote server [Message=UntrustedRoot]"]),
    ex("exchange.nonexistent_domain", C::UnknownDomain, &["nonexistentdomain", "dns.nonexistentdomain"])
        .detail("Exchange looked the recipient's domain up and the DNS answered that it does not exist (NXDOMAIN); Exchange words it as a failed DNS query, but no retry will make the domain appear.")
        .never("until the address is corrected or the domain is registered")
        .source("https://markgossa.com/2015/09/451-440-dns-query-failed-error-was.html")
        .fixtures(&["451 4.4.0 DNS query failed. The error was: SMTPSEND.DNS.NonExistentDomain; nonexistent domain"]),
    ex("exchange.dns_query_failed", C::DnsError, &["dns query failed"])
        .who(W::SenderAdmin)
        .never("not until the sending Exchange server's DNS lookups work")
        .detail("The sending Exchange server could not look up where to deliver: its DNS queries fail, usually because of its DNS server settings (or the send connector's external DNS lookups).")
        .action("The Exchange administrator must check the DNS servers the transport service uses (the network adapter's or the send connector's external DNS) and that they resolve Internet MX records.")
        .source("https://mskb.pkisolutions.com/kb/972744")
        .fixtures(&["451 4.4.0 DNS query failed"]),
    ms("microsoft.message_expired", C::NetworkTimeout, &["message expired, connection reset", "message expired, connection refused", "message expired, cannot connect to remote server", "suspiciousremoteservererror", "queue.expired", "message expired"])
        .detail("Exchange Online tried to deliver the message until it expired, and the last attempt failed as the reply says (the connection was reset or refused, or the server could not be reached).")
        .action("Check that the recipient domain's MX servers are reachable and accept mail; tell postmaster@ the recipient's domain if they are theirs.")
        .source(SISIMAI_MS)
        .fixtures(&["550 5.4.318 Message expired, connection reset (SuspiciousRemoteServerError)"]),
    ms("microsoft.storedrv_deliver", C::LocalError, &["mapiexceptionnotfound", "objectnotfoundexception*", "cannot get id from name"])
        .detail("Exchange's store driver failed to put the message into the recipient's mailbox because of a fault in the mailbox or its database (an object it needs was not found).")
        .action("The recipient's administrator must repair the mailbox (Microsoft's article for this error), then the message can be sent again.")
        .source("https://github.com/MicrosoftDocs/SupportArticles-docs/blob/main/Exchange/ExchangeOnline/email-delivery/ndr/mapiexceptionnotfound-ndr.md")
        .fixtures(&["554 5.2.0 STOREDRV.Deliver.Exception:ObjectNotFoundException.MapiExceptionNotFound; Failed to process message due to a permanent exception with message Cannot get ID from name"]),
    ms("microsoft.relay_denied", C::RelayDenied, &["remote server returned not permitted to relay", "tenantattribution", "unable to relay recipient in non-accepted domain", "non-accepted domain"])
        .detail("Microsoft 365 would not relay this message: the sending tenant's connector, or the smart host it sent through, does not accept relaying for this recipient from this sender.")
        .action("The sending tenant's administrator must fix the outbound connector or the relay it points to (accepted domains, the IPs or certificate the connector identifies by).")
        .source("https://github.com/MicrosoftDocs/SupportArticles-docs/blob/main/Exchange/ExchangeOnline/email-delivery/ndr/forwarded-message-rejected-5-7-367-ndr.md")
        .fixtures(&["550 5.7.367 Remote server returned not permitted to relay -> 554 5.7.1 Relaying denied"]),
    ms("microsoft.pfa_busy", C::ServerUnavailable, &["pfa agent busy"])
        .source("https://grep.metacpan.org/search?f=lib%2FSisimai%2FRhost%2FMicrosoft.pm&q=relocat&qd=Sisimai")
        .fixtures(&["451 4.7.700 PFA agent busy, please try again. [***.***.prod.protection.outlook.com]"]),
    ms("microsoft.service_not_available", C::ServerUnavailable, &["service not available"])
        .gated()
        .source(FIELD_421)
        .fixtures(&["421 4.3.2 Service not available [outlook.com]"]),
    ms("microsoft.bad_parameter", C::SyntaxError, &["unrecognized parameter", "invalid arguments"])
        .gated()
        .source("https://github.com/aad-for-linux/pam_aad/issues/15")
        .fixtures(&["501 5.5.4 Unrecognized parameter [DM3NAM03FT051.eop-NAM03.prod.protection.outlook.com]"]),
    // ===== Exchange Server (on premises) =====================================================
    ex("exchange.send_as_permission", C::SenderRejected, &["does not have permissions to send as this sender", "not have permissions to send as", "does not have permission to send as"])
        .detail("The account that logged in may not send with this From: address: Exchange grants sending as another mailbox or address only with a Send As permission.")
        .action("Send with the From: address of the account you log in with, or have the administrator grant that account Send As permission for the address.")
        .source("https://github.com/nodemailer/nodemailer/issues/145")
        .fixtures(&["550 5.7.1 Client does not have permissions to send as this sender"]),
    ex("exchange.client_not_authenticated", C::AuthRequired, &["client was not authenticated"])
        .detail("The Exchange server's receive connector does not accept anonymous (unauthenticated) senders, so it refuses mail from other servers on the Internet; on a submission port it means the client did not log in.")
        .action("If you deliver to this organisation from another server, its administrator must allow anonymous users on the Internet-facing receive connector; if you submit as a user, log in first.")
        .source(NDR_EXO)
        .fixtures(&["530 5.7.1 Client was not authenticated"]),
    ex("exchange.restricted_recipient", C::BlockedByRecipient, &["user unknown (state 14)", "delivery not authorized, message refused", "resolver.rst.authrequired", "resolver.rst.notauthorized", "sendernotauthenticatedfor*", "delivery restriction check failed", "not in allowed-senders list", "sender was not authenticated by organization", "customer block list", "does not accept email over ipv6"])
        .detail("The recipient (often a distribution group) accepts mail only from senders its organisation authenticated or listed, or that organisation blocks this sender; Exchange refuses the sender by design.")
        .action("Ask the recipient's administrator, another way, to allow external or this sender's mail to the recipient (the group's delivery restrictions or block list).")
        .source("https://github.com/MicrosoftDocs/SupportArticles-docs/blob/main/Exchange/ExchangeServer/mailflow/external-user-cannot-send-email-to-distribution-group.md")
        .fixtures(&["550 550 5.1.1 User unknown (state 14)"]),
    ex("exchange.size_limit", C::MessageTooLarge, &["resolver.rst.recipsizelimit*", "resolver.rst.sendsizelimit*", "message too large for this recipient", "message too large for this sender", "message too large for this organization", "routing.sizelimit", "exceeds fixed maximum size for route"])
        .detail("The message is larger than a size limit Exchange applies to this recipient, this sender or the whole organisation.")
        .source("https://github.com/MicrosoftDocs/OfficeDocs-Exchange/issues/2019")
        .fixtures(&["550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient"]),
    ex("exchange.back_pressure", C::StorageInsufficient, &["insufficient system resources"])
        .detail("Exchange's back pressure: the transport server is short of disk space, memory or queue capacity and refuses new mail until it recovers (TSTE in Exchange Online).")
        .source("https://github.com/ActiveCampaign/smtp-field-manual/blob/1bdabc39b0c2df131fadefac9b8c250772788a13/data/codes/452.json")
        .fixtures(&[
            "452 4.3.1 Insufficient system resources (TSTE) [outlook.com]",
            "452 4.3.1 Insufficient system resources",
        ]),
    ex("exchange.disk_full", C::StorageInsufficient, &["storedrv; disk is full", "not enough space on the disk"])
        .who(W::SenderAdmin)
        .never("not until disk space is freed on the Exchange server that submits the message")
        .detail("The sending side's own Exchange server could not hand the message from the mailbox to transport: the disk it writes to is full.")
        .action("The Exchange administrator must free disk space (queue database, logs, temporary folder) on the mailbox or transport server.")
        .source("https://github.com/MicrosoftDocs/SupportArticles-docs/blob/main/Exchange/ExchangeServer/mailflow/failed-to-process-message-due-to-transient-exception.md")
        .fixtures(&["431 4.3.1 STOREDRV; disk is full STOREDRV.Submit.Exception:StorageTransientException.IOException; Failed to process message due to a transient exception with message The message content has become corrupted. IOException: There is not enough space on the disk."]),
    ex("exchange.loop", C::RoutingError, &["hop count exceeded - possible mail loop", "hop count exceeded", "wrong office 365 region"])
        .source("https://github.com/MicrosoftDocs/SupportArticles-docs/blob/main/Exchange/ExchangeServer/mailflow/hop-count-exceeded-possible-mail-loop.md")
        .fixtures(&["554 5.4.14 Hop count exceeded - possible mail loop"]),
    ex("exchange.tls_handshake", C::LocalError, &["tls handshake failed"])
        .who(W::RecipientAdmin)
        .never("not until the TLS setup of the server that answered is fixed")
        .detail("The TLS handshake with the receiving server failed: its certificate or TLS settings are broken, or they match nothing the client offers.")
        .source("https://github.com/docker-mailserver/docker-mailserver/issues/640")
        .fixtures(&["403 4.7.0 TLS handshake failed."]),
];
