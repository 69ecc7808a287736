//! Patterns: consumer mailbox providers and ISPs (iCloud, Proton, Zoho, Fastmail, GMX / WEB.DE
//! / mail.com / IONOS, Mail.ru, Yandex, Comcast, AT&T, Verizon, Cox, Orange, Free, SFR).
//!
//! Each provider's own wording first; wording that other servers share too is gated on the
//! provider being recognised (from the reply's words or the remote host).

use super::Pattern;
use crate::cause::{Cause as C, WhoActs as W};
use crate::provider::Provider;

const fn icloud(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Icloud, cause, any)
}
const fn proton(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Proton, cause, any)
}
const fn zoho(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Zoho, cause, any)
}
const fn fastmail(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Fastmail, cause, any)
}
const fn gmx(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Gmx, cause, any)
}
const fn mailru(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Mailru, cause, any)
}
const fn yandex(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Yandex, cause, any)
}
const fn comcast(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Comcast, cause, any)
}
const fn att(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Att, cause, any)
}
const fn cox(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Cox, cause, any)
}
const fn orange(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Orange, cause, any)
}
const fn free(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Free, cause, any)
}
const fn sfr(id: &'static str, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, Provider::Sfr, cause, any)
}

const APPLE_RHOST: &str = "https://github.com/sisimai/p5-sisimai/blob/0a5bf6188940301628ee800e07985d72f5cbeaac/lib/Sisimai/Rhost/Apple.pm";
const ICLOUD_CODES: &str = "https://smtp.codes/icloud";
const ZOHO_CODES: &str = "https://smtp.codes/zoho";
const ZOHO_RHOST: &str = "https://github.com/sisimai/p5-sisimai/blob/77ac1da9a9c6696606a1ad369b277b2e10c63b62/lib/Sisimai/Rhost/Zoho.pm";
const UNITED_INTERNET: &str = "https://smtp.codes/unitedinternet/";
const SITEPACKAGE: &str = "https://www.sitepackage.de/service/dokumentation/auswertung/typische-fehlermeldungen-bei-unzustellbarkeit.html";
const ATT_BLOCKS: &str = "https://worldnet.att.net/general-info/bls_info/block_enduser.html";
const FIELD_MANUAL_550: &str = "https://github.com/ActiveCampaign/smtp-field-manual/blob/00ebd61f178f657a595ca52d48603c7a1b143c5e/data/codes/550.json";
const FIELD_MANUAL_552: &str = "https://github.com/ActiveCampaign/smtp-field-manual/blob/1aa6fec64f50e837ec50b26b52cbf1ce13db485c/data/codes/552.json";
const COMCAST_PR: &str = "https://github.com/ActiveCampaign/smtp-field-manual/pull/65";

/// This table's patterns, in matching order.
pub(super) const PATTERNS: &[Pattern] = &[
    // ----- Apple iCloud Mail ----------------------------------------------------------------
    icloud("icloud.spf_and_dkim", C::SenderUnauthenticated, &["hme1", "failing both spf and dkim"])
        .detail("iCloud Mail ([HME1]) refused the message because it passed neither SPF nor DKIM for the sender's domain.")
        .action("Publish an SPF record that lists the sending servers and sign the mail with DKIM for the From: domain, then send again.")
        .source(APPLE_RHOST)
        .fixtures(&["554 5.7.1 [HME1] This message was blocked for failing both SPF and DKIM authentication checks. See https://support.apple.com/en-us/HT204137 for mailing best practices"]),
    icloud("icloud.spamhaus_dbl", C::DomainReputation, &["domain present in the spamhaus dbl", "having a domain present in"])
        .detail("iCloud Mail found a domain of the message (the sender's or one in a link) on the Spamhaus Domain Block List.")
        .action("Look the domains of the message up at spamhaus.org/dbl, remove or replace the listed one, or have it delisted.")
        .source(ICLOUD_CODES)
        .fixtures(&["550 5.7.1 Your email was rejected due to having a domain present in the Spamhaus DBL -- see https://www.spamhaus.org/dbl/"]),
    icloud("icloud.spamhaus_ip", C::IpReputationBlocklist, &["rejected due to listing in spamhaus", "was rejected due to listing in"])
        .detail("iCloud Mail refused the sending IP address because Spamhaus lists it (SBL, XBL or PBL).")
        .source(APPLE_RHOST)
        .fixtures(&["550 5.7.1 Mail from IP 192.0.2.1 was rejected due to listing in Spamhaus SBL. For details please see http://www.spamhaus.org/query/bl?ip=x.x.x.x"]),
    icloud("icloud.local_policy", C::PolicyOther, &["not accepting connections", "cs01", "hm07", "hm08", "message rejected due to local policy"])
        .gated()
        .detail("iCloud Mail refused the connection or the message by its own policy without saying which rule.")
        .source(APPLE_RHOST)
        .fixtures(&["554 ****-smtpin001.me.com ESMTP not accepting connections"]),
    icloud("icloud.inactive", C::MailboxDisabled, &["inactive email address"])
        .detail("The iCloud address exists but is inactive: its owner no longer uses it.")
        .source(APPLE_RHOST)
        .fixtures(&["550 5.1.1 <****@icloud.com>: inactive email address"]),
    icloud("icloud.unknown_user", C::UnknownRecipient, &["user does not exist", "unknown or illegal alias"])
        .gated()
        .detail("No iCloud Mail address (or Hide My Email alias) of this name exists.")
        .source(ICLOUD_CODES)
        .fixtures(&[
            "550 5.1.1 <example@icloud.com>: user does not exist",
            "550 5.1.1 unknown or illegal alias: ****@icloud.com",
        ]),
    icloud("icloud.relay_denied", C::RelayDenied, &["relay access denied"])
        .gated()
        .source(APPLE_RHOST)
        .fixtures(&["554 5.7.1 <*****@icloud.com>: Relay access denied"]),
    icloud("icloud.too_many_errors", C::ProtocolViolation, &["too many errors"])
        .gated()
        .detail("iCloud Mail closed the session because the client made too many errors in it (rejected commands or recipients).")
        .source(ICLOUD_CODES)
        .fixtures(&["421 4.7.0 me.com Error: too many errors"]),
    icloud("icloud.service_unavailable", C::ServerUnavailable, &["service unavailable - try again later"])
        .source(ICLOUD_CODES)
        .fixtures(&["451 4.7.1 Service unavailable - try again later"]),
    // ----- Proton Mail ----------------------------------------------------------------------
    proton("proton.return_path_not_owned", C::SenderRejected, &["invalid return path", "return path: not owned by user"])
        .who(W::Sender)
        .detail("Proton Mail Bridge refused the envelope sender: it is not one of the addresses of the logged-in Proton account.")
        .action("Send from an address that belongs to the Proton account (or add it to the account), and set the mail client's sender to it.")
        .source("https://github.com/shenxn/protonmail-bridge-docker/issues/28")
        .fixtures(&["451 4.0.0 backend: invalid return path: not owned by user"]),
    // ----- Zoho Mail ------------------------------------------------------------------------
    zoho("zoho.unusual_sending_activity", C::SenderAccountRestricted, &["unusual sending activity", "unblockme"])
        .who(W::Sender)
        .detail("Zoho Mail blocked outgoing mail from the sending account because it saw unusual sending activity (a sudden volume, many bounces, or a possibly compromised account).")
        .action("Log in to Zoho Mail, check the account's security, and ask for the block to be lifted through the unblock link in the reply (mail.zoho.com/UnblockMe).")
        .source("https://github.com/cachethq/cachet/issues/3052")
        .fixtures(&["550 5.4.6 Unusual sending activity detected. <a href=https://www.zoho.com/mail/help/usage-policy.html target=_blank>Learn more.</a> To unblock <a href=https://mail.zoho.com/UnblockMe target=_blank>Click here.</a>"]),
    zoho("zoho.sender_blocked", C::SenderAccountRestricted, &["sender address blocked", "email outgoing blocked"])
        .class(5)
        .detail("Zoho Mail has blocked outgoing mail from this sender address or organisation.")
        .action("The Zoho administrator of the sending organisation must contact Zoho support to have outgoing mail unblocked.")
        .source("https://help.zoho.com/portal/en/community/topic/issue-with-outgoing-mail")
        .fixtures(&["554 5.1.8 Sender Address Blocked"]),
    zoho("zoho.rejected_by_destination", C::BlockedByRecipient, &["mail rejected by destination domain"])
        .detail("The recipient's Zoho organisation refuses this sender (its administrator's block list or filter).")
        .source(ZOHO_CODES)
        .fixtures(&["541 5.4.1 Mail rejected by destination domain"]),
    zoho("zoho.delivery_restricted", C::BlockedByRecipient, &["mailbox delivery restricted by policy"])
        .detail("The recipient's Zoho administrator restricts which senders may deliver to this mailbox.")
        .source(ZOHO_CODES)
        .fixtures(&["452 <example@zoho.com> Mailbox delivery restricted by policy error"]),
    zoho("zoho.virus", C::Malware, &["detected by zoho mail"])
        .source(ZOHO_CODES)
        .fixtures(&["552 5.7.1 virus [name] detected by Zoho Mail"]),
    zoho("zoho.flagged_spam", C::SpamContent, &["email flagged as spam"])
        .source(ZOHO_RHOST)
        .fixtures(&["554 5.7.1 Email cannot be delivered. Reason: Email flagged as Spam."]),
    zoho("zoho.greylisted", C::Greylisted, &["greylisted, try again after some time"])
        .source(ZOHO_RHOST)
        .fixtures(&["451 4.7.1 Greylisted, try again after some time"]),
    zoho("zoho.unknown_user", C::UnknownRecipient, &["user does not exist"])
        .gated()
        .source(ZOHO_RHOST)
        .fixtures(&["550 5.1.1 User does not exist - <***@zoho.com>"]),
    // ----- Fastmail -------------------------------------------------------------------------
    fastmail("fastmail.over_quota", C::MailboxFull, &["user is over quota, try again later"])
        .detail("The Fastmail recipient's mailbox is over its quota; Fastmail defers the message for a while before returning it.")
        .source("https://fastmail.blog/historical/change-in-over-quota-handling/")
        .fixtures(&["451 User is over quota, try again later"]),
    // ----- GMX / WEB.DE / mail.com / IONOS (United Internet) --------------------------------
    gmx("gmx.ip_black_listed", C::IpReputationBlocklist, &["ip address is black listed", "c=bip"])
        .detail("GMX / WEB.DE refuse every connection from the sending IP address: it is on their own block list (error code bip).")
        .action("Check the IP on the postmaster.gmx.net / postmaster.web.de error page named in the reply, stop whatever sent spam from it, and request delisting there.")
        .source("https://github.com/anujtenani/goaffpro/issues/61")
        .fixtures(&["554 gmx.net (mxgmx116) Nemesis ESMTP Service not available No SMTP service IP address is black listed. For explanation visit https://postmaster.gmx.net/en/error-messages?ip=95.216.180.11&c=bip"]),
    gmx("gmx.bad_ptr", C::ReverseDnsHelo, &["bad dns ptr resource record", "dns ptr resource record", "c=rdns"])
        .detail("GMX / WEB.DE / IONOS refuse the connection: the sending IP has no PTR record, or one that does not resolve back to it.")
        .source("https://pastebin.com/rgjcnYmZ")
        .fixtures(&[r#"451 4.4.0 Primary target IP address responded with: "554-kundenserver.de (mxeue109) Nemesis ESMTP Service not available 554-No SMTP service 554-Bad DNS PTR resource record. 554 For explanation visit https://help.1and1.com/smtp-error-messages?ip=81.192.102.120&c=rdns." Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts. The last endpoint attempted was 212.227.15.41:25"#]),
    gmx("gmx.sender_dns", C::SenderRejected, &["invalid dns mx or a/aaaa resource record", "a/aaaa resource record"])
        .detail("GMX / WEB.DE refuse the sender: the domain of the envelope sender has no valid MX or A/AAAA record, so replies to it could not be delivered.")
        .action("Give the sender domain a working MX (or A/AAAA) record, or send from an address whose domain has one.")
        .source("https://github.com/LukeSmithxyz/emailwiz/issues/82")
        .fixtures(&["550 Requested action not taken: mailbox unavailable invalid DNS MX or A/AAAA resource record"]),
    gmx("gmx.failure_sending", C::PolicyOther, &["failure sending mail. try again later", "mailbox unavailable failure sending mail"])
        .helps("later: GMX / WEB.DE hold back mail from the sending account for a while")
        .detail("GMX / WEB.DE did not accept the message from the sending account for now, without naming a reason (often a temporary hold on an account that sends unusually).")
        .source("https://github.com/jstedfast/MailKit/issues/968")
        .fixtures(&["550 Requested action not taken: mailbox unavailable Failure sending mail. Try again later"]),
    gmx("gmx.too_many_messages", C::RateLimited, &["too many messages have been received in a short period of time"])
        .detail("GMX / WEB.DE received too many messages from the sending IP in a short time and defer the rest.")
        .action("Nothing yet: the queue retries. If it keeps happening, send to GMX / WEB.DE more slowly, over fewer connections.")
        .source("https://www.suped.com/learn/email-deliverability/how-to-resolve-smtp-421-errors-with-webde-and-gmxnet-due-to-rate-limiting")
        .fixtures(&["421 web.de (mxweb113) Nemesis ESMTP Service not available Service unavailable Reject due to policy restrictions Please try again later. Too many messages have been received in a short period of time. Please try again in a few hours and reduce the sending rate."]),
    gmx("gmx.spf", C::SpfFail, &["reject due to spf policy"])
        .source(UNITED_INTERNET)
        .fixtures(&["550 <example@example.com>: Reject due to SPF policy. The originating IP of the message is not permitted by the domain owner"]),
    gmx("gmx.mailbox_unavailable", C::UnknownRecipient, &["*>: requested action not taken: mailbox unavailable"])
        .detail("GMX / WEB.DE / mail.com have no mailbox with this address.")
        .source(UNITED_INTERNET)
        .fixtures(&["550 <example@example.com>: Requested action not taken: mailbox unavailable"]),
    gmx("gmx.storage_exceeded", C::MailboxFull, &["speichervolumen", "exhausted allowed storage space"])
        .source(SITEPACKAGE)
        .fixtures(&["550 Benutzer hat das Speichervolumen ueberschritten. / User has exhausted allowed storage space."]),
    gmx("gmx.too_many_mails_stored", C::MailboxFull, &["zuviele mails auf dem server", "too many messages on the server"])
        .detail("The recipient's mailbox holds as many messages as it may: it is full by count, not by size.")
        .source(SITEPACKAGE)
        .fixtures(&["550 Benutzer hat zuviele Mails auf dem Server. / User has too many messages on the server."]),
    gmx("gmx.command_timeout", C::NetworkTimeout, &["command timeout"])
        .gated()
        .detail("GMX closed the session because the client sent no command for too long.")
        .source("https://github.com/chatmail/filtermail/issues/143")
        .fixtures(&["421 gmx.net Service closing transmission channel - command timeout"]),
    // ----- Mail.ru --------------------------------------------------------------------------
    mailru("mailru.spam", C::SpamContent, &["notspam-support", "help.mail.ru/notspam"])
        .detail("Mail.ru's anti-spam filter judged the message spam.")
        .action("Change the content or the sending practice; if it was legitimate, report it through the help.mail.ru link in the reply.")
        .source("https://pastebin.com/56wmSeEr")
        .fixtures(&["550 spam message rejected. Please visit http://help.mail.ru/notspam-support/id?c=Ak1f_ahr-ccmkYY3MkjRQfiDdemyJDJvXsDGek9T2L5jLxCvG-FjASYAAADrbAAA9Cs6OA~~ or report details to abuse@corp.mail.ru. Error code: FD5F4D02C7F96BA83786912641D14832E97583F86F3224B27AC6C05EBED8534FAF102F630163E11B. ID: 0000002600006CEB383A2BF4."]),
    mailru("mailru.dmarc", C::DmarcFail, &["owner dmarc policy"])
        .source("https://pastebin.com/fpJZapwZ")
        .fixtures(&["550 5.7.1 This message was not accepted due to domain (mail.ru) owner DMARC policy (RFC 7489) https://help.mail.ru/mail-help/postmaster/dmarc"]),
    mailru("mailru.sending_disabled", C::SenderAccountRestricted, &["message sending for this account is disabled", "sending for this account is disabled"])
        .who(W::Sender)
        .detail("Mail.ru has disabled sending from the account the message was submitted from (usually after spam or a suspected break-in).")
        .action("Log in to the Mail.ru account on the web, follow its instructions to restore sending (password change, phone confirmation), or contact Mail.ru support.")
        .source("https://mailout.ru/2015/09")
        .fixtures(&["550 message sending for this account is disabled"]),
    mailru("mailru.user_terminated", C::MailboxDisabled, &["user is terminated", "is unavailable: account is disabled", "is unavailable: user is blocked"])
        .source("https://pastebin.com/UWADPXYL")
        .fixtures(&["550 Message was not accepted -- invalid mailbox. Local mailbox ostinpayers1988@mail.ru is unavailable: user is terminated"]),
    mailru("mailru.user_not_found", C::UnknownRecipient, &["is unavailable: user not found", "message was not accepted -- invalid mailbox"])
        .source("https://pastebin.com/sDxMuzCm")
        .fixtures(&["550 Message was not accepted -- invalid mailbox. Local mailbox vovanbst1@mail.ru is unavailable: user not found"]),
    mailru("mailru.deferred_ip", C::IpReputationBlocklist, &["abuse@corp.mail.ru"])
        .class(4)
        .who(W::SenderAdmin)
        .helps("later, once Mail.ru's view of the sending IP improves; it defers rather than refuses")
        .detail("Mail.ru defers mail from the sending IP because of its reputation there (spam complaints, unknown recipients, sudden volume).")
        .action("Nothing yet: the queue retries. If it keeps happening, check what the IP sends to Mail.ru, register it at postmaster.mail.ru, and write to abuse@corp.mail.ru.")
        .source("https://pastebin.com/d1n2BV7Y")
        .fixtures(&["421 Try again later (185.80.68.58). Please contact abuse@corp.mail.ru."]),
    // ----- Yandex Mail ----------------------------------------------------------------------
    yandex("yandex.spam_statistics", C::IpReputationBlocklist, &["blocked by spam statistics", "spamsource"])
        .who(W::SenderAdmin)
        .helps("later, once the spam Yandex sees from the IP drops: the block is lifted automatically")
        .detail("Yandex blocks the sending IP for now by its own spam statistics (spamsource): much of the mail from it lately was spam.")
        .action("Stop the spam from the IP (a compromised account, a bad list); the block expires by itself. If it persists, write to Yandex through the feedback link in the reply.")
        .source("https://pastebin.com/wWEpeehX")
        .fixtures(&["554 5.7.1 Service unavailable; Client host [212.47.241.40] blocked using spamsource.yandex.ru; Blocked by spam statistics - see http://feedback.yandex.ru/?from=mail-rejects&subject=212.47.241.40"]),
    yandex("yandex.suspicion_of_spam", C::SpamContent, &["rejected under suspicion of spam", "under suspicion of spam"])
        .detail("Yandex's anti-spam filter refused the message as probable spam.")
        .source("https://github.com/chatmail/provider-db/issues/205")
        .fixtures(&["554 5.7.1 [2] Message rejected under suspicion of SPAM; https://ya.cc/1IrBc 1631900360-h4Ajl35YEe-dK78OYi4"]),
    yandex("yandex.tls_required", C::TlsRequired, &["without ssl/tls encryption is not allowed", "sending without ssl/tls"])
        .detail("Yandex's submission server only accepts mail over SSL/TLS (port 465, or STARTTLS on 587).")
        .action("Turn on SSL/TLS in the mail client or application for smtp.yandex.ru.")
        .source("https://github.com/PHPMailer/PHPMailer/issues/283")
        .fixtures(&["530 5.7.7 Email sending without SSL/TLS encryption is not allowed. Please see: http://help.yandex.ru/mail/mail-clients/ssl.xml"]),
    yandex("yandex.recipient_rate", C::RateLimited, &["has exceeded their message rate limit"])
        .detail("The Yandex recipient is receiving more mail than Yandex lets one mailbox take in a short time; the message is deferred.")
        .source("https://pastebin.com/Pxdx1Lg2")
        .fixtures(&[
            "451 4.5.1 The recipient <cacharel-promese@yandex.ru> has exceeded their message rate limit. Try again later. sbr47PA4-sbr4Rewq",
            "451 4.5.1 The recipient <wordpressslog@yandex.com> has exceeded their message rate limit. Try again later. 1446150023-UcDbgKZo2p-KNrSNI7u",
        ]),
    yandex("yandex.no_such_user", C::UnknownRecipient, &["no such user!"])
        .source("https://pastebin.com/UWADPXYL")
        .fixtures(&["550 5.7.1 No such user!"]),
    // ----- Comcast / Xfinity ----------------------------------------------------------------
    comcast("comcast.blocked_for_spam", C::IpReputationBlocklist, &["comcast block for spam", "bl000000", "bl000001", "bl000010", "bl000100", "bl001000", "bl010000", "bl009"])
        .detail("Comcast blocks the sending IP (its BL codes): its own reputation data or a blocklist it uses says the IP sends spam.")
        .action("Look the code up on postmaster.comcast.net (smtp-error-codes), fix what sent spam from the IP, and request removal through Comcast's postmaster form.")
        .source("https://pastebin.com/VQBiZTRb")
        .fixtures(&[
            "554 resimta-po-09v.sys.comcast.net comcast 190.210.59.14 Comcast block for spam. Please see http://postmaster.comcast.net/smtp-error-codes.php#BL000000",
            "554 imta14.emeryville.ca.mail.comcast.net comcast 192.0.2.2 Comcast block for spam.",
            "554 IMTA06.emeryville.ca.mail.comcast.net comcast 10.01.01.01 Comcast BL009 Blocked for spam. Please see http://www.comcast.net/help/faq/index.jsp?faq=SecurityMail_Policy19053",
        ]),
    comcast("comcast.ptr_required", C::ReverseDnsHelo, &["must have a ptr record", "comcast requires that all mail servers"])
        .source(COMCAST_PR)
        .fixtures(&["554 resimta-po-02v.sys.comcast.net comcast 192.0.2.1 Comcast requires that all mail servers must have a PTR record with a valid Reverse DNS entry."]),
    comcast("comcast.quota_violation", C::MailboxFull, &["extended quota violation"])
        .source(FIELD_MANUAL_552)
        .fixtures(&["552 5.1.1 <example@comcast.net> recipient rejected - extended quota violation"]),
    comcast("comcast.unallocated", C::UnknownRecipient, &["mailbox unallocated", "not our customer"])
        .source(FIELD_MANUAL_550)
        .fixtures(&["550 5.1.1 <example@comcast.net> recipient mailbox unallocated"]),
    comcast("comcast.recipient_unavailable", C::ServerUnavailable, &["recipient temporarily unavailable"])
        .gated()
        .source("https://smtp.codes/450")
        .fixtures(&["450 4.2.0 <example@comcast.net> - Recipient temporarily unavailable"]),
    // ----- AT&T (att.net, bellsouth.net, sbcglobal.net, prodigy.net) ------------------------
    att("att.dnsbl", C::IpReputationBlocklist, &["dnsbl:attrbl", "attrbl", "dnsbl:rbl", "abuse_rbl", "is_blocked", "*> is blocked"])
        .class(5)
        .detail("AT&T blocks the sending IP: it is on AT&T's own block list (ATTRBL) or on a public one (RBL).")
        .action("For ATTRBL, ask for removal by forwarding the bounce to abuse_rbl@abuse-att.net; for RBL, get the IP delisted at the list named. Fix what sent spam first.")
        .source(ATT_BLOCKS)
        .fixtures(&["521 <0.0.0.0> is blocked"]),
    att("att.ldap_rblmx", C::IpReputationBlocklist, &["ou=rblmx", "blocked by ldap"])
        .detail("BellSouth / AT&T block the sending IP by their own block list (rblmx).")
        .source(ATT_BLOCKS)
        .fixtures(&["550 <0.0.0.0.> blocked by ldap:ou=rblmx, dc=bellsouth, dc=net"]),
    att("att.unauthorized_interface", C::IpReputationBlocklist, &["unauthorized interface"])
        .detail("AT&T does not accept mail from the sending IP on this interface (an IP it does not allow to send to it).")
        .source(ATT_BLOCKS)
        .fixtures(&["550 unauthorized interface for <0.0.0.0.>"]),
    att("att.fix_reverse_dns", C::ReverseDnsHelo, &["fix reverse dns for", "connections not accepted from servers without a valid sender"])
        .source(FIELD_MANUAL_550)
        .fixtures(&["550 5.7.1 Connections not accepted from servers without a valid sender example.com. Fix reverse DNS for x.xx.xx.xx"]),
    att("att.dns_lookup_failure", C::ReverseDnsHelo, &["failure in dns look-up"])
        .detail("AT&T could not look up the sending IP's name in DNS (no PTR record, or one that does not resolve) and does not accept mail from it.")
        .source(ATT_BLOCKS)
        .fixtures(&["421-failure in DNS look-up."]),
    att("att.valid_sender_domain", C::SenderRejected, &["requires valid sender domain"])
        .source(ATT_BLOCKS)
        .fixtures(&["550 [permfail] bellsouth.net requires valid sender domain"]),
    att("att.busy", C::ServerUnavailable, &["busy--please try again later"])
        .source(ATT_BLOCKS)
        .fixtures(&["450 busy--Please try again later"]),
    att("att.addressee_unknown", C::UnknownRecipient, &["addressee unknown"])
        .gated()
        .source(FIELD_MANUAL_550)
        .fixtures(&["550 5.2.1 <EXAMPLE@PRODIGY.NET>... Addressee unknown, relay=[x.xx.xx.xx]"]),
    // ----- Cox ------------------------------------------------------------------------------
    cox("cox.cxbl", C::IpReputationBlocklist, &["aup#cxbl", "cxbl", "aup#cxrbl", "cxrbl"])
        .detail("Cox blocks the sending IP (AUP#CXBL: Cox's own block list; CXRBL: a public one).")
        .action("Get the IP delisted: for CXBL through Cox's postmaster unblock request, for CXRBL at the public list. Fix what sent spam first.")
        .source("https://forums.cox.com/discussions/internet/emails-to-me-from-rice-edu-being-rejected-aupcxbl-error-554-5-0-0/122275")
        .fixtures(&["554 cmsmtp blocked. Refer to Error Codes section at for more information. AUP#CXBL"]),
    cox("cox.cxcnct", C::RateLimited, &["aup#cxcnct", "cxcnct"])
        .detail("Cox limits how many connections one IP may open at once (AUP#CXCNCT); the excess is turned away for now.")
        .action("Nothing yet: the queue retries. If it keeps happening, open fewer simultaneous connections to Cox.")
        .source("https://forums.cox.com/discussions/internet/mail-being-blocked-from-500-pm-to-700-am---error-cxcnct/136938")
        .fixtures(&["421 cmsmtp blocked. Refer to Error Codes section at for more information. AUP#CXCNCT"]),
    // ----- Orange (orange.fr, wanadoo.fr) ---------------------------------------------------
    orange("orange.mailbox_full", C::MailboxFull, &["boite du destinataire pleine", "ofr_417"])
        .source(FIELD_MANUAL_552)
        .fixtures(&["552 5.1.1 Boite du destinataire pleine. Recipient overquota. OFR_417 [417]"]),
    orange("orange.ip_blocked_spam", C::IpReputationBlocklist, &["adresse ip source bloquee", "client host blocked for spamming issues", "ofr006_102"])
        .detail("Orange blocks the sending IP after spam from it (OFR006_102); Orange uses Cloudmark's reputation data.")
        .action("Fix what sent spam from the IP, then ask for a reset through the Cloudmark link in the reply (csi.cloudmark.com/reset-request).")
        .source("https://github.com/ActiveCampaign/smtp-field-manual/pull/60")
        .fixtures(&["550 mwinf5c14 ME Adresse IP source bloquee pour incident de spam. Client host blocked for spamming issues. OFR006_102 Ref http://csi.cloudmark.com/reset-request/?ip=xxx.xxx.xxx.xxx [102]"]),
    orange("orange.too_many_connections", C::RateLimited, &["trop de connexions", "ofr004_104"])
        .source("https://github.com/sisimai/p5-sisimai/issues/240")
        .fixtures(&["421 mwinf5c27 ME Trop de connexions, veuillez verifier votre configuration. Too many connections, slow down. OFR004_104 [104]"]),
    orange("orange.ofr_999", C::RateLimited, &["ofr_999"])
        .detail("Orange turns the connection away for now (OFR_999), most often because of the volume of mail from the sending IP.")
        .source("https://github.com/sisimai/p5-sisimai/blob/01789b3cac67e51f9da3fa67d7bbf6643740faa7/lib/Sisimai/Rhost/FrancePTT.pm")
        .fixtures(&["421 mwinf5c77 ME Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR_999 [999]"]),
    orange("orange.auth_invalid", C::AuthFailed, &["code d'authentification invalide", "ofr_305"])
        .detail("Orange's submission server refused the login: the user name or password is wrong (OFR_305).")
        .source("https://github.com/sisimai/p5-sisimai/blob/01789b3cac67e51f9da3fa67d7bbf6643740faa7/lib/Sisimai/Rhost/FrancePTT.pm")
        .fixtures(&["550 5.7.0 Code d'authentification invalide OFR_305"]),
    orange("orange.mail_rejected", C::PolicyOther, &["mail rejete. mail rejected"])
        .detail("Orange refused the message without saying why (OFR_506 and similar codes): one of its filtering policies applied.")
        .source("https://github.com/sisimai/p5-sisimai/issues/240")
        .fixtures(&["550 5.2.0 Mail rejete. Mail rejected. ofr_506 [506]"]),
    orange("orange.service_refused", C::PolicyOther, &["service refuse. veuillez essayer plus tard", "service refused, please try later"])
        .source("https://github.com/sisimai/p5-sisimai/pull/353")
        .fixtures(&["421 4.2.0 Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR005_505 [505]"]),
    // ----- Free (free.fr) -------------------------------------------------------------------
    free("free.mailbox_full", C::MailboxFull, &["mailbox for user is full"])
        .gated()
        .source("https://github.com/ActiveCampaign/smtp-field-manual/blob/100935cc92025a5162ceff2830c3fe6e0d32b56f/data/codes/554.json")
        .fixtures(&["554 5.2.2 <example@free.fr>: Recipient address rejected: Quota exceeded (mailbox for user is full)"]),
    free("free.user_quota", C::MailboxFull, &["(usersearch)"])
        .source(FIELD_MANUAL_552)
        .fixtures(&["552 5.2.2 user quota exceeded (UserSearch)"]),
    // ----- SFR ------------------------------------------------------------------------------
    sfr("sfr.too_many_errors", C::ProtocolViolation, &["too many errors"])
        .gated()
        .helps("in a new session: SFR closed this one after its error limit")
        .detail("SFR closed the session because the client made too many errors in it (rejected commands or recipients).")
        .source("https://bentonow.com/smtp-errors/sfr")
        .fixtures(&["421 4.7.0 msfrf2604.sfr.fr Error: too many errors"]),
];
