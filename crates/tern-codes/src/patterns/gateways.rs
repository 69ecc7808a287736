//! Patterns: mail security gateways (Mimecast, Proofpoint, Barracuda, Cisco Secure Email,
//! Trend Micro, Sophos) and the blocklists whose names appear in other servers' replies
//! (Spamhaus, SpamCop, SORBS). Their wording is specific, so most patterns need no gate.

use super::Pattern;
use crate::cause::{Cause as C, WhoActs as W};
use crate::provider::Provider as P;

const fn p(id: &'static str, provider: P, cause: C, any: &'static [&'static str]) -> Pattern {
    Pattern::new(id, provider, cause, any)
}

const MIMECAST_CODES: &str = "https://community.mimecast.com/docs/DOC-1369";

/// This table's patterns, in matching order.
pub(super) const PATTERNS: &[Pattern] = &[
    // ----- Spamhaus, SpamCop, SORBS ---------------------------------------------------------
    p("spamhaus.open_resolver", P::Spamhaus, C::LocalError, &["open resolver", "spamhaus.org/returnc", "returnc/pub", "query refused by spamhaus", "public resolver"])
        .all(&["spamhaus"])
        .who(W::RecipientAdmin)
        .never("not until the receiving server queries Spamhaus through its own resolver or a Data Query Service key")
        .detail("The receiving server asked Spamhaus about the sending IP through a public or open DNS resolver; Spamhaus refuses such queries and answers with an error code, which the receiving server wrongly treats as a listing. The sending IP is not necessarily listed.")
        .action("Nothing on the sending side fixes this: tell the recipient's mail administrator that their Spamhaus lookups go through an open or public resolver (they need a local resolver or a Spamhaus DQS key).")
        .source("https://github.com/openstreetmap/operations/issues/674")
        .fixtures(&["550 Error: open resolver; https://www.spamhaus.org/returnc/pub/2400:cb00:377:1024::ac46:58b3", "554 5.7.1 Service unavailable; Client host [redacted] blocked using zen.spamhaus.org; Error: open resolver; https://check.spamhaus.org/returnc/pub/46.38.225.230/"]),
    p("spamhaus.listed", P::Spamhaus, C::IpReputationBlocklist, &["zen.spamhaus.org", "sbl.spamhaus.org", "xbl.spamhaus.org", "pbl.spamhaus.org", "sbl-xbl.spamhaus.org", "blocked using spamhaus", "spamhaus.org/sbl", "listed by spamhaus", "spamhaus zen", "spamhaus pbl", "spamhaus sbl", "spamhaus xbl", "spamhaus.org/pbl", "spamhaus.org/xbl"])
        .detail("The sending IP address is on a Spamhaus blocklist (SBL for spam sources, XBL/CSS for hijacked or badly behaving hosts, PBL for addresses that should not send mail directly), and the receiving server refuses mail from listed addresses.")
        .action("Look the IP up at check.spamhaus.org, fix what caused the listing (a compromised account or host, a PBL range that must relay through its provider), then request removal there.")
        .source("https://github.com/mysociety/writetothem/issues/285")
        .fixtures(&["554 5.7.1 Service unavailable; Client host [2a04:3542:1000:910:acc1:5bff:fe5e:125c] blocked using zen.spamhaus.org; https://www.spamhaus.org/sbl/query/SBLCSS"]),
    p("spamcop.listed", P::Spamcop, C::IpReputationBlocklist, &["bl.spamcop.net", "spamcop.net/bl", "spamcop.net/w3m", "blocked using spamcop", "listed in spamcop", "listed by spamcop"])
        .detail("The sending IP address is on the SpamCop blocklist, built from recent spam reports by SpamCop users; listings expire by themselves about a day after the reports stop.")
        .action("Look the IP up at spamcop.net/bl.shtml, stop whatever sent the reported mail (a compromised account, an unwanted list), and wait for the listing to expire.")
        .source("https://github.com/simple-login/app/issues/497")
        .fixtures(&["554 5.7.1 Service unavailable; Client host [167.89.94.22] blocked using bl.spamcop.net; Blocked - see https://www.spamcop.net/bl.shtml?167.89.94.22"]),
    p("sorbs.dynamic", P::Sorbs, C::IpReputationBlocklist, &["dul.dnsbl.sorbs.net", "dul.sorbs.net"])
        .detail("The sending IP address is in the SORBS list of dynamic (consumer broadband) addresses, which are not expected to send mail directly.")
        .action("Send through the internet provider's or the mail provider's relay instead of directly from this address, or use a static address with proper reverse DNS.")
        .source("https://github.com/stpeter/xmppdotnet/pull/42")
        .fixtures(&["554 5.7.1 Service unavailable; Client host [130.83.177.130] blocked using dul.dnsbl.sorbs.net; Dynamic IP Addresses See: http://www.sorbs.net/lookup.shtml?130.83.177.130"]),
    p("sorbs.listed", P::Sorbs, C::IpReputationBlocklist, &["dnsbl.sorbs.net", "sorbs.net/lookup", "problems.dnsbl.sorbs.net", "spam.dnsbl.sorbs.net", "blocked using sorbs", "listed in sorbs", "listed by sorbs"])
        .source("https://github.com/sovereign/sovereign/issues/45")
        .fixtures(&["554 5.7.1 Service unavailable; Client host [209.85.223.172] blocked using dnsbl.sorbs.net; Currently Sending Spam See: http://www.sorbs.net/lookup.shtml?209.85.223.172", "554 5.7.1 Service unavailable; Client host [209.85.223.196] blocked using dnsbl.sorbs.net; Currently Sending Spam See: http://www.sorbs.net/lookup.shtml?209.85.223.196"]),
    // ----- Mimecast -------------------------------------------------------------------------
    p("mimecast.greylisting", P::Mimecast, C::Greylisted, &["internal resource temporarily unavailable", "internal resource is temporarily unavailable"])
        .class(4)
        .detail("Mimecast greylisting: the first attempt from a new sender is deferred on purpose, and a retry after a few minutes is accepted.")
        .source("https://dwlistore.dwli.org/knowledgebase/444/Emails-Not-Sending-to-Mimecast-Recipients-.html")
        .fixtures(&["451 Internal resource is temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451 [Aj3QXapeMpqZYaeFwWhjzw.us32]", "451 Internal resource temporarily unavailable", "451 Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451 [XXXXX]"]),
    p("mimecast.anti_spoofing", P::Mimecast, C::SenderRejected, &["header based anti-spoofing policy", "anti-spoofing policy - inbound not allowed", "anti-spoofing - inbound not allowed"])
        .who(W::RecipientAdmin)
        .detail("Mimecast's anti-spoofing policy rejected the message: it comes from outside the recipient's organisation but uses one of the organisation's own domains as its sender.")
        .action("If the mail is legitimate (a service sending on the organisation's behalf), the recipient's Mimecast administrator must add an anti-spoofing bypass for it; otherwise change the sender address.")
        .source(MIMECAST_CODES)
        .fixtures(&["550 Rejected by header based Anti-Spoofing policy: Accreditation@footballclubfc.com - https://community.mimecast.com/docs/DOC-1369#550 [VUJUo2t1Pr-x_8v9fCw5Og.uk90]"]),
    p("mimecast.envelope_blocked", P::Mimecast, C::BlockedByRecipient, &["envelope blocked", "blocked senders policy", "header based blocked senders", "header based manually blocked senders", "manually blocked senders", "user entry", "policy entry"])
        .detail("The sender is on a Mimecast blocked-senders list: a personal block by the recipient (User Entry) or an administrator's policy (Policy Entry).")
        .action("Ask the recipient, another way, to remove the sender from their blocked senders or have their administrator lift the block.")
        .source(MIMECAST_CODES)
        .fixtures(&["550 Envelope blocked - User Entry", "550 Envelope blocked - User Entry - https://community.mimecast.com/docs/DOC-1369#550 [gz1Vvz1VN9ikuIVSF81-Wg.au11]"]),
    p("mimecast.sender_address_blocked", P::Mimecast, C::BlockedByRecipient, &["sender address blocked"])
        .class(4)
        .never("not until the recipient's side unblocks the sender")
        .source("https://electronicaportatil.com/smtp-error-codes/")
        .fixtures(&["421 Sender address blocked"]),
    p("mimecast.unable_to_process", P::Mimecast, C::ServerUnavailable, &["unable to process connection at this time"])
        .source("https://electronicaportatil.com/smtp-error-codes/")
        .fixtures(&["421 Unable to process connection at this time"]),
    // ----- Proofpoint -----------------------------------------------------------------------
    p("proofpoint.ip_blocked", P::Proofpoint, C::IpReputationBlocklist, &["ipcheck.proofpoint.com", "prs.proofpoint.com", "proofpoint reputation", "local policy violation"])
        .class(5)
        .detail("Proofpoint refused the connection because of the sending IP address's reputation in Proofpoint's own data (\"Local Policy Violation\" is how Proofpoint words this block).")
        .action("Check the IP at ipcheck.proofpoint.com and request removal there after fixing what harmed its reputation.")
        .source("https://www.hunter.cuny.edu/icit/help-docs/archive/proofpoint/spam-interception")
        .fixtures(&["550 5.7.0 Local Policy Violation"]),
    p("proofpoint.invalid_recipient", P::Proofpoint, C::UnknownRecipient, &["marked as invalid"])
        .source("https://grokipedia.com/page/Proofpoint_unrecognized_user_rejection")
        .fixtures(&["550 5.7.1 Recipient address rejected: User email address is marked as invalid"]),
    // ----- Barracuda ------------------------------------------------------------------------
    p("barracuda.reputation", P::Barracuda, C::IpReputationBlocklist, &["barracuda reputation", "barracudanetworks.com/reputation", "b.barracudacentral.org", "bbl.barracudacentral.org", "barracudacentral.org", "barracuda reputation block list"])
        .detail("The sending IP address is on the Barracuda Reputation Block List, which Barracuda appliances and other servers consult.")
        .action("Look the IP up at barracudacentral.org/lookups and request removal after fixing what harmed its reputation.")
        .source("https://github.com/thunderbird/mailstrom/issues/162")
        .fixtures(&["550 Service unavailable; Client host [smtp001.thundermail.com] blocked using Barracuda Reputation; http://www.barracudanetworks.com/reputation/?r=1&ip=5.60.96.9 (zzzzz@domain.com:blocked,xxxxx@domain.com:blocked)", "554 Service unavailable; Client host [] blocked using Barracuda Reputation;", "554 Service unavailable; Client host [bl11-253-215.dsl.telepac.pt] blocked using Barracuda Reputation; http://www.barracudanetworks.com/reputation/?r=1&ip=85.244.xxx.yyy"]),
    // ----- Trend Micro ----------------------------------------------------------------------
    p("trendmicro.ers_qil", P::Trendmicro, C::IpReputationBlocklist, &["ers-qil", "ers-dul", "ers-rbl", "ers-gil"])
        .class(4)
        .who(W::SenderAdmin)
        .helps("on later attempts, once Trend Micro's temporary reputation hold on the IP expires")
        .detail("Trend Micro's Email Reputation Service is holding back mail from the sending IP address for a while because of its recent behaviour; the deferral is temporary.")
        .action("The queue retries; if the deferrals last, check the IP at ers.trendmicro.com and request a reassessment.")
        .source("https://server-recipe.com/3851/")
        .fixtures(&["450 4.7.1 <aaa@example.com>: Recipient address rejected: ERS-QIL."]),
    p("trendmicro.rbl", P::Trendmicro, C::IpReputationBlocklist, &["trend micro rbl", "rbl-plus.mail-abuse.org", "mail-abuse.org", "mail-abuse.com", "ers.trendmicro.com"])
        .source("https://github.com/zone-eu/zone-mta/pull/177")
        .fixtures(&["550 Service unavailable; Client Host [1.2.3.4] blocked using Trend Micro RBL+. Please see http://www.mail-abuse.com/cgi-bin/lookup?ip_address=1.2.3.4", "550 Mail from <IP adress> refused by rbl-plus.mail-abuse.org. Please refer to http://mail-abuse.org/rbl+ for an explanation"]),
    p("trendmicro.email_reputation", P::Trendmicro, C::IpReputationBlocklist, &["trend micro email reputation", "email reputation service"])
        .source("https://bbs.iredmail.org/post13489.html")
        .fixtures(&["550 5.7.1 Your email messages have been blocked by the recipient OR by Trend Micro Email Reputation Service. Contact the recipient or his/her administrator using alternate means to resolve the issue."]),
    // ----- Cisco Secure Email (IronPort) ----------------------------------------------------
    p("cisco.poor_reputation", P::Cisco, C::IpReputationBlocklist, &["sending mta's poor reputation", "sending mta’s poor reputation", "due to the sending mta"])
        .detail("Cisco Secure Email (IronPort) refused the connection because the sending IP's SenderBase (Talos) reputation score is too low.")
        .action("Check the IP at talosintelligence.com and request a reputation review after fixing what harmed it.")
        .source("https://pcsdesk.com/?p=416")
        .fixtures(&["554 Your access to this mail system has been rejected due to the sending MTA’s poor reputation. If you believe that this failure is in error, please contact the intended recipient via alternate means.", "554 gatekeeper1.companyx.com Your access to this mail system has been rejected due to the sending MTA's poor reputation. If you believe that this failure is in error, please contact the intended recipient via alternate means."]),
    p("cisco.spf_temperror", P::Cisco, C::DnsError, &["temporary error occurred during spf verification"])
        .class(4)
        .source("https://manualsbrain.com/it/manuals/1649627/?page=293")
        .fixtures(&["451 #4.4.3 Temporary error occurred during SPF verification."]),
    p("cisco.spf_unauthorized", P::Cisco, C::SpfFail, &["spf unauthorized mail is prohibited"])
        .source("https://manualsbrain.com/it/manuals/1649627/?page=293")
        .fixtures(&["550 #5.7.1 SPF unauthorized mail is prohibited."]),
    p("cisco.bad_command_limit", P::Cisco, C::ProtocolViolation, &["exceeded bad smtp command limit"])
        .never("never unchanged: the sending software must stop sending invalid commands")
        .source("https://pseudoco.cisco.com/c/pt_br/support/docs/security/email-security-appliance/118495-technote-esa-00.html")
        .fixtures(&["421 Exceeded bad SMTP command limit"]),
    p("cisco.header_size", P::Cisco, C::MessageTooLarge, &["header size exceeds limit"])
        .source("https://pseudoco.cisco.com/c/pt_br/support/docs/security/email-security-appliance/118495-technote-esa-00.html")
        .fixtures(&["552 #5.3.4 message header size exceeds limit"]),
    p("sophos.mail_flood", P::Sophos, C::SendingQuota, &["mail flood detected"])
        .detail("Sophos's flood protection stopped the sender's account because it sent more mail than its allowance in a short time.")
        .action("Wait for the sending window to pass and spread the mail out; if it keeps happening, check the account for a compromise or ask the administrator for a higher limit.")
        .source("https://thetechgeeks.com/blogs/sophos/sophos-central-email-outbound-email-rate-limit-mail-flood-detected-notifications-and-bounce-backs")
        .fixtures(&["554 5.7.28 Mail flood detected;"]),
];
