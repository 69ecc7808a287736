//! Which mail system sent a reply: recognised from the reply's own words (`gsmtp`,
//! `protection.outlook.com`, `[TSS04]` ...) or from the remote host's name.
//!
//! Knowing the provider lets `explain` name it, lets provider-only patterns apply, and lets the
//! enhanced codes a provider uses in its own way (Microsoft's `5.7.5xx`–`5.7.7xx`, `5.1.10`)
//! be read as that provider means them.

/// A mail system `explain` knows the replies of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // the names say it; `name()` gives the full one
pub enum Provider {
    Gmail,
    Microsoft,
    Exchange,
    Yahoo,
    Icloud,
    Proton,
    Zoho,
    Fastmail,
    Gmx,
    Mailru,
    Yandex,
    Comcast,
    Att,
    Verizon,
    Cox,
    Orange,
    Free,
    Sfr,
    Mimecast,
    Proofpoint,
    Barracuda,
    Cisco,
    Trendmicro,
    Sophos,
    Spamhaus,
    Spamcop,
    Sorbs,
    Postfix,
    Exim,
    Sendmail,
    Qmail,
    Zimbra,
    Dovecot,
    Stalwart,
    /// Not one system: wording many servers use.
    Generic,
}

/// `(provider, id, display name, lower-case markers in a reply, host name suffixes)`.
/// Markers are whole words or dotted names; host markers are matched as name suffixes.
type Row = (
    Provider,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

/// Every provider, in recognition order.
const PROVIDERS: &[Row] = &[
    (
        Provider::Gmail,
        "gmail",
        "Gmail / Google Workspace",
        &[
            "gsmtp",
            "gcdp",
            "support.google.com",
            "google.com",
            "googlemail.com",
            "gmail",
            "accounts.google.com",
            "smtp-relay.gmail.com",
            "google workspace",
            // The titles of Google's help pages, which its replies name ("For more information,
            // go to About SMTP error messages").
            "about smtp error messages",
            "email sender guidelines",
            "smtp relay service error messages",
            "limits for sending & getting email",
            "allowlists, denylists, and approved senders",
            "sign in with app passwords",
            "fix bounced or rejected emails",
            "helo/ehlo email error",
        ],
        &["google.com", "googlemail.com", "gmail.com"],
    ),
    (
        Provider::Microsoft,
        "microsoft",
        "Microsoft 365 / Outlook.com",
        &[
            "protection.outlook.com",
            "prod.outlook.com",
            "outlook.com",
            "hotmail",
            "office365",
            "exchangelabs",
            "aka.ms",
            "microsoft",
            "sendasdenied",
            "resolver.adr",
            "resolver.rst",
            "storedrv",
            "s3150",
            "s3140",
            "s3114",
            "s775",
            "s77719",
            "live.com",
            "office.com",
            "windows live",
            "wascl",
            "outboundspamexception",
            "tenantattribution",
            "barelinefeedsareillegal",
            "rp-001",
            "rp-002",
            "rp-003",
            "sc-001",
            "sc-002",
            "sc-003",
            "sc-004",
            "dy-001",
            "dy-002",
            "ou-001",
            "ou-002",
        ],
        &[
            "outlook.com",
            "hotmail.com",
            "office365.com",
            "microsoft.com",
            "messaging.microsoft.com",
            "live.com",
            "msn.com",
        ],
    ),
    (
        Provider::Exchange,
        "exchange",
        "Microsoft Exchange Server",
        &[
            "microsoft exchange",
            "exchange server",
            "smtpsend",
            "categorizer",
            "smtpreceive",
            "routing.sizelimit",
        ],
        &[],
    ),
    (
        Provider::Yahoo,
        "yahoo",
        "Yahoo / AOL",
        &[
            "yahoo",
            "yahoodns",
            "yahooinc",
            "aol.com",
            "aol",
            "tss04",
            "tss01",
            "tss02",
            "tss03",
            "tss09",
            "tss11",
            "tsm02",
            "ts01",
            "ts02",
            "ts03",
            "bl21",
            "bl23",
            "gl01",
            "ph01",
            "postmaster.yahooinc.com",
            "senders.yahooinc.com",
            "postmaster.yahoo.com",
            "help.yahoo.com",
            "aim.com",
            "ymail.com",
            "rocketmail.com",
        ],
        &["yahoodns.net", "yahoo.com", "aol.com", "yahoo.net"],
    ),
    (
        Provider::Icloud,
        "icloud",
        "Apple iCloud Mail",
        &[
            "icloud",
            "me.com",
            "mac.com",
            "apple.com",
            "support.apple.com",
        ],
        &["icloud.com", "me.com", "apple.com"],
    ),
    (
        Provider::Proton,
        "proton",
        "Proton Mail",
        &["protonmail", "proton.me", "proton.ch"],
        &["protonmail.ch", "proton.ch", "proton.me"],
    ),
    (
        Provider::Zoho,
        "zoho",
        "Zoho Mail",
        &["zoho", "zohomail"],
        &["zoho.com", "zoho.eu", "zoho.in", "zohomail.com"],
    ),
    (
        Provider::Fastmail,
        "fastmail",
        "Fastmail",
        &["fastmail", "messagingengine.com"],
        &["messagingengine.com", "fastmail.com"],
    ),
    (
        Provider::Gmx,
        "gmx",
        "GMX / WEB.DE / mail.com",
        &[
            "gmx",
            "web.de",
            "mail.com",
            "1&1",
            "kundenserver.de",
            "ionos",
            "1and1.com",
            "nemesis esmtp",
        ],
        &[
            "gmx.net",
            "gmx.com",
            "web.de",
            "mail.com",
            "kundenserver.de",
            "ionos.com",
        ],
    ),
    (
        Provider::Mailru,
        "mailru",
        "Mail.ru",
        &["mail.ru"],
        &["mail.ru"],
    ),
    (
        Provider::Yandex,
        "yandex",
        "Yandex Mail",
        &["yandex"],
        &["yandex.net", "yandex.ru", "yandex.com"],
    ),
    (
        Provider::Comcast,
        "comcast",
        "Comcast / Xfinity",
        &["comcast", "xfinity"],
        &["comcast.net"],
    ),
    (
        Provider::Att,
        "att",
        "AT&T",
        &[
            "att.net",
            "sbcglobal",
            "bellsouth",
            "at&t",
            "prodigy.net",
            "attrbl",
            "abuse-att.net",
        ],
        &["att.net", "sbcglobal.net", "bellsouth.net", "prodigy.net"],
    ),
    (
        Provider::Verizon,
        "verizon",
        "Verizon",
        &["verizon"],
        &["verizon.net"],
    ),
    (
        Provider::Cox,
        "cox",
        "Cox",
        &["cox.net", "cox"],
        &["cox.net"],
    ),
    (
        Provider::Orange,
        "orange",
        "Orange",
        &["orange.fr", "wanadoo", "orange"],
        &["orange.fr", "wanadoo.fr"],
    ),
    (
        Provider::Free,
        "free",
        "Free",
        &["free.fr", "proxad"],
        &["free.fr", "proxad.net"],
    ),
    (
        Provider::Sfr,
        "sfr",
        "SFR",
        &["sfr.fr", "sfr", "neuf.fr"],
        &["sfr.fr", "neuf.fr"],
    ),
    (
        Provider::Mimecast,
        "mimecast",
        "Mimecast",
        &["mimecast"],
        &["mimecast.com", "mimecast.co.za"],
    ),
    (
        Provider::Proofpoint,
        "proofpoint",
        "Proofpoint",
        &["proofpoint", "pphosted", "ppe-hosted"],
        &["pphosted.com", "ppe-hosted.com", "proofpoint.com"],
    ),
    (
        Provider::Barracuda,
        "barracuda",
        "Barracuda",
        &["barracuda", "barracudanetworks", "bbl.barracudacentral.org"],
        &["barracudanetworks.com", "ess.barracudanetworks.com"],
    ),
    (
        Provider::Cisco,
        "cisco",
        "Cisco Secure Email (IronPort)",
        &["ironport", "iphmx", "cisco"],
        &["iphmx.com"],
    ),
    (
        Provider::Trendmicro,
        "trendmicro",
        "Trend Micro Email Security",
        &["trend micro", "trendmicro", "tmes"],
        &["trendmicro.com", "trendmicro.eu", "tmes.trendmicro.com"],
    ),
    (
        Provider::Sophos,
        "sophos",
        "Sophos Email",
        &["sophos"],
        &["sophos.com", "hydra.sophos.com"],
    ),
    (
        Provider::Spamhaus,
        "spamhaus",
        "Spamhaus",
        &["spamhaus"],
        &[],
    ),
    (Provider::Spamcop, "spamcop", "SpamCop", &["spamcop"], &[]),
    (Provider::Sorbs, "sorbs", "SORBS", &["sorbs"], &[]),
    (
        Provider::Postfix,
        "postfix",
        "Postfix",
        &["postfix", "postscreen"],
        &[],
    ),
    (Provider::Exim, "exim", "Exim", &["exim"], &[]),
    (
        Provider::Sendmail,
        "sendmail",
        "Sendmail",
        &["sendmail"],
        &[],
    ),
    (Provider::Qmail, "qmail", "qmail", &["qmail"], &[]),
    (Provider::Zimbra, "zimbra", "Zimbra", &["zimbra"], &[]),
    (Provider::Dovecot, "dovecot", "Dovecot", &["dovecot"], &[]),
    (
        Provider::Stalwart,
        "stalwart",
        "Stalwart",
        &["stalwart"],
        &[],
    ),
    (Provider::Generic, "generic", "many servers", &[], &[]),
];

impl Provider {
    fn row(self) -> &'static Row {
        PROVIDERS
            .iter()
            .find(|r| r.0 == self)
            .unwrap_or(&PROVIDERS[PROVIDERS.len() - 1])
    }

    /// Stable id, as in JSON (`gmail`, `microsoft`).
    pub fn id(self) -> &'static str {
        self.row().1
    }

    /// The name people know it by.
    pub fn name(self) -> &'static str {
        self.row().2
    }

    /// The provider with this id.
    pub fn from_id(id: &str) -> Option<Provider> {
        PROVIDERS.iter().find(|r| r.1 == id).map(|r| r.0)
    }

    /// Every provider.
    pub fn all() -> impl Iterator<Item = Provider> {
        PROVIDERS.iter().map(|r| r.0)
    }

    /// The provider whose marker appears in `text_lower` (a lower-cased reply), if any, with
    /// the marker found. A marker that is only the domain of an address (`bob@gmail.com`)
    /// counts only when no other marker is found; otherwise the first provider in table order
    /// wins.
    pub fn in_text(text_lower: &str) -> Option<(Provider, &'static str)> {
        let mut in_address = None;
        for (p, _, _, markers, _) in PROVIDERS {
            for m in *markers {
                match find_word(text_lower, m) {
                    Some(WordAt::Free) => return Some((*p, *m)),
                    Some(WordAt::AddressDomain) if in_address.is_none() => {
                        in_address = Some((*p, *m));
                    }
                    _ => {}
                }
            }
        }
        in_address
    }

    /// The provider that runs `host` (a remote MX host name), if known.
    pub fn of_host(host: &str) -> Option<Provider> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        PROVIDERS.iter().find_map(|(p, _, _, _, suffixes)| {
            suffixes
                .iter()
                .any(|s| host == *s || host.ends_with(&format!(".{s}")))
                .then_some(*p)
        })
    }
}

/// Where a whole-word occurrence was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WordAt {
    /// Somewhere in the text.
    Free,
    /// Only right after an `@`: the domain of an address.
    AddressDomain,
}

fn find_word(haystack: &str, needle: &str) -> Option<WordAt> {
    let bytes = haystack.as_bytes();
    let mut found = None;
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before = start.checked_sub(1).map(|i| bytes[i]);
        let before_ok = before.is_none_or(|b| !b.is_ascii_alphanumeric());
        let after_ok = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
        if before_ok && after_ok {
            if before != Some(b'@') && before != Some(b'.') {
                return Some(WordAt::Free);
            }
            found = Some(WordAt::AddressDomain);
        }
        from = start + 1;
        while !haystack.is_char_boundary(from) {
            from += 1;
        }
    }
    found
}

#[cfg(feature = "serde")]
impl serde::Serialize for Provider {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognised_from_words_and_hosts() {
        let t = "550-5.1.1 the email account that you tried to reach does not exist. - gsmtp";
        assert_eq!(Provider::in_text(t).map(|p| p.0), Some(Provider::Gmail));
        assert_eq!(
            Provider::in_text(
                "5.7.606 access denied [bn1nam02ft.eop-nam02.prod.protection.outlook.com]"
            )
            .map(|p| p.0),
            Some(Provider::Microsoft)
        );
        assert_eq!(
            Provider::in_text("421 4.7.0 [tss04] messages from 192.0.2.1 temporarily deferred")
                .map(|p| p.0),
            Some(Provider::Yahoo)
        );
        // The recipient's domain counts only when nothing else says who answered.
        assert_eq!(
            Provider::in_text("550 5.1.10 resolver.adr.recipientnotfound; bob@gmail.com not found")
                .map(|p| p.0),
            Some(Provider::Microsoft)
        );
        assert_eq!(
            Provider::in_text("550 5.1.1 <bob@gmail.com> unknown").map(|p| p.0),
            Some(Provider::Gmail)
        );
        // A marker inside another word is not a marker.
        assert_eq!(Provider::in_text("the coxswain said no"), None);
        assert_eq!(
            Provider::of_host("gmail-smtp-in.l.google.com."),
            Some(Provider::Gmail)
        );
        assert_eq!(
            Provider::of_host("example-com.mail.protection.outlook.com"),
            Some(Provider::Microsoft)
        );
        assert_eq!(Provider::of_host("mx.example.com"), None);
        for p in Provider::all() {
            assert_eq!(Provider::from_id(p.id()), Some(p));
        }
    }
}
