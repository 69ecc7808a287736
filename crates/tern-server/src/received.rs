//! The `Received:` trace header Tern prepends to every message it accepts (RFC 5321 §4.4,
//! RFC 5322 §3.6.7).
//!
//! ```text
//! Received: from client.example.org (mail.example.org [192.0.2.1])
//!         (using TLSv1.3 with cipher TLS13_AES_256_GCM_SHA384) (authenticated as alice)
//!         by mx.example.net (Tern) with ESMTPSA id 0192abcd for <bob@example.net>;
//!         Tue, 1 Jul 2025 10:52:37 +0000
//! ```
//!
//! (Continuation lines start with one tab.)
//!
//! - `from` is the EHLO/HELO name when it is a syntactically valid domain or address literal;
//!   otherwise (or without one) it is the client's address literal and the name the client
//!   gave follows as `helo=...` in the comment. The comment holds the verified reverse DNS name
//!   when the caller has one, and always the client's IP address.
//! - The TLS facts and the authenticated user are comments. The user name is shown: it tells
//!   the recipient's administrator which account sent the message, which is what a trace
//!   header is for on a submission server; callers who do not want that leave `auth_user`
//!   out (the `with` type still says `A`).
//! - `with` is the RFC 3848 / RFC 6531 §3.7.3 protocol type ([`WithProtocol`]).
//! - `for` is given only when the message has exactly one recipient, so that a message to
//!   several people does not tell each of them the others' addresses (RFC 5321 §7.2), and only
//!   when that address is plain (dot-atom local part; no quoted string).
//! - The date is in UTC (`+0000`).
//!
//! Every string that comes from the client (EHLO name, user name, recipient, queue id, ...) is
//! cleaned first: control characters (CR and LF above all) are replaced, characters that would
//! end a comment are replaced inside comments, non-ASCII is kept only for SMTPUTF8 messages,
//! and lengths are bounded, so a client cannot inject header lines. Lines are folded at 78
//! columns with CRLF + TAB; the header ends with CRLF.

use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

/// The `with` protocol type (RFC 3848; the UTF8 forms are RFC 6531 §3.7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WithProtocol {
    /// HELO.
    Smtp,
    /// EHLO.
    Esmtp,
    /// EHLO, STARTTLS or implicit TLS.
    Esmtps,
    /// EHLO, AUTH.
    Esmtpa,
    /// EHLO, TLS and AUTH.
    Esmtpsa,
    /// EHLO with SMTPUTF8.
    Utf8Smtp,
    /// SMTPUTF8 and TLS.
    Utf8Smtps,
    /// SMTPUTF8 and AUTH.
    Utf8Smtpa,
    /// SMTPUTF8, TLS and AUTH.
    Utf8Smtpsa,
}

impl WithProtocol {
    /// The type for a session: `esmtp` is false after HELO (which rules out the rest, since TLS,
    /// AUTH and SMTPUTF8 need EHLO).
    pub fn for_session(esmtp: bool, tls: bool, authenticated: bool, smtputf8: bool) -> Self {
        use WithProtocol::*;
        match (esmtp, smtputf8, tls, authenticated) {
            (false, ..) => Smtp,
            (true, false, false, false) => Esmtp,
            (true, false, true, false) => Esmtps,
            (true, false, false, true) => Esmtpa,
            (true, false, true, true) => Esmtpsa,
            (true, true, false, false) => Utf8Smtp,
            (true, true, true, false) => Utf8Smtps,
            (true, true, false, true) => Utf8Smtpa,
            (true, true, true, true) => Utf8Smtpsa,
        }
    }

    /// The registered name.
    pub fn as_str(self) -> &'static str {
        use WithProtocol::*;
        match self {
            Smtp => "SMTP",
            Esmtp => "ESMTP",
            Esmtps => "ESMTPS",
            Esmtpa => "ESMTPA",
            Esmtpsa => "ESMTPSA",
            Utf8Smtp => "UTF8SMTP",
            Utf8Smtps => "UTF8SMTPS",
            Utf8Smtpa => "UTF8SMTPA",
            Utf8Smtpsa => "UTF8SMTPSA",
        }
    }
}

impl std::fmt::Display for WithProtocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the header records about one message.
#[derive(Debug, Clone)]
pub struct ReceivedFacts<'a> {
    /// The EHLO or HELO argument as the client sent it; `None` if there was none.
    pub helo: Option<&'a str>,
    /// True after EHLO, false after HELO.
    pub esmtp: bool,
    /// The client's address.
    pub client_ip: IpAddr,
    /// The client's reverse DNS name, if the caller looked it up and it resolves back.
    pub client_host: Option<&'a str>,
    /// This server's name (`[server] hostname`).
    pub hostname: &'a str,
    /// The TLS protocol version and cipher when the session is encrypted (`TLSv1.3`,
    /// `TLS13_AES_256_GCM_SHA384`).
    pub tls: Option<(&'a str, &'a str)>,
    /// The authenticated user, if any.
    pub auth_user: Option<&'a str>,
    /// True when the session authenticated (even if `auth_user` is not to be shown).
    pub authenticated: bool,
    /// True when the transaction used SMTPUTF8.
    pub smtputf8: bool,
    /// The queue id of the message.
    pub queue_id: Option<&'a str>,
    /// The envelope recipients; the first is shown when it is the only one.
    pub recipients: &'a [&'a str],
}

impl ReceivedFacts<'_> {
    /// The `with` type these facts call for.
    pub fn protocol(&self) -> WithProtocol {
        WithProtocol::for_session(
            self.esmtp,
            self.tls.is_some(),
            self.authenticated || self.auth_user.is_some(),
            self.smtputf8,
        )
    }
}

/// Longest client-controlled name kept (an EHLO domain is at most 255 octets).
const MAX_NAME: usize = 255;
/// Longest recipient kept (RFC 5321 §4.5.3.1.3: a path is at most 256 octets).
const MAX_PATH: usize = 256;
/// Longest TLS fact or queue id kept.
const MAX_SHORT: usize = 64;
/// Fold before this many columns (RFC 5322 §2.1.1).
const FOLD_AT: usize = 78;

/// Builds the `Received:` header, folded, ending with CRLF.
pub fn received_header(facts: &ReceivedFacts<'_>, now: SystemTime) -> String {
    let utf8 = facts.smtputf8;
    let literal = address_literal(facts.client_ip);
    let helo = facts.helo.map(|h| clean(h, MAX_NAME, utf8, false));

    let mut clauses: Vec<String> = Vec::new();
    let mut tcp_info = Vec::new();
    if let Some(host) = facts.client_host {
        tcp_info.push(clean(host, MAX_NAME, false, true));
    }
    tcp_info.push(literal.clone());
    match helo.as_deref() {
        Some(h) if is_domain(h) || is_address_literal(h) => {
            clauses.push(format!("from {h}"));
        }
        other => {
            clauses.push(format!("from {literal}"));
            if let Some(h) = other {
                tcp_info.push(format!("helo={}", clean(h, MAX_NAME, utf8, true)));
            }
        }
    }
    clauses.push(format!("({})", tcp_info.join(" ")));
    if let Some((version, cipher)) = facts.tls {
        clauses.push(format!(
            "(using {} with cipher {})",
            clean(version, MAX_SHORT, false, true),
            clean(cipher, MAX_SHORT, false, true)
        ));
    }
    if let Some(user) = facts.auth_user {
        clauses.push(format!(
            "(authenticated as {})",
            clean(user, MAX_NAME, utf8, true)
        ));
    }
    clauses.push(format!(
        "by {}",
        clean(facts.hostname, MAX_NAME, false, true)
    ));
    clauses.push("(Tern)".into());
    clauses.push(format!("with {}", facts.protocol()));
    if let Some(id) = facts.queue_id {
        let id: String = id
            .chars()
            .take(MAX_SHORT)
            .map(|c| if is_atext(c) { c } else { '-' })
            .collect();
        if !id.is_empty() {
            clauses.push(format!("id {id}"));
        }
    }
    if let [only] = facts.recipients {
        let rcpt = only.trim_start_matches('<').trim_end_matches('>');
        if rcpt.len() <= MAX_PATH && rcpt.chars().all(|c| is_path_char(c, utf8)) {
            clauses.push(format!("for <{rcpt}>"));
        }
    }
    if let Some(last) = clauses.last_mut() {
        last.push(';');
    }
    clauses.push(rfc5322_date(now));
    fold("Received:", &clauses)
}

/// The `Received:` header of a message handed over on this machine (`tern send`), as
/// Postfix's pickup writes it: no client to name, the local user instead.
pub fn local_received_header(
    hostname: &str,
    user: &str,
    recipients: &[&str],
    now: SystemTime,
) -> String {
    let mut clauses = vec![
        format!("by {}", clean(hostname, MAX_NAME, false, true)),
        format!(
            "(Tern, from local user {})",
            clean(user, MAX_NAME, false, true)
        ),
    ];
    if let [only] = recipients
        && only.len() <= MAX_PATH
        && only.chars().all(|c| is_path_char(c, false))
    {
        clauses.push(format!("for <{only}>"));
    }
    if let Some(last) = clauses.last_mut() {
        last.push(';');
    }
    clauses.push(rfc5322_date(now));
    fold("Received:", &clauses)
}

/// `[192.0.2.1]` or `[IPv6:2001:db8::1]` (RFC 5321 §4.1.3); IPv4-mapped IPv6 as IPv4.
fn address_literal(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("[{v4}]"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("[{v4}]"),
            None => format!("[IPv6:{v6}]"),
        },
    }
}

/// Replaces what must not appear: control characters and DEL everywhere; whitespace (it would
/// split the token); non-ASCII unless `utf8`; `(`, `)` and `\` inside comments. Truncates to
/// `max` characters.
fn clean(s: &str, max: usize, utf8: bool, in_comment: bool) -> String {
    s.chars()
        .take(max)
        .map(|c| {
            let bad = c.is_control()
                || c.is_whitespace()
                || (!c.is_ascii() && !utf8)
                || (in_comment && matches!(c, '(' | ')' | '\\'));
            if bad { '?' } else { c }
        })
        .collect()
}

/// The characters of a recipient shown in `for <...>`: a dot-atom local part, `@`, a domain or
/// an address literal. Anything else (a quoted local part, a stray bracket) leaves `for` out
/// rather than risk a header that parses differently.
fn is_path_char(c: char, utf8: bool) -> bool {
    is_atext(c)
        || matches!(c, '.' | '@' | '[' | ']' | ':')
        || (utf8 && !c.is_ascii() && !c.is_control() && !c.is_whitespace())
}

fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

/// An RFC 5321 `Domain`: dot-separated labels of letters, digits and hyphens (not at either
/// end of a label). Non-ASCII labels (U-labels, SMTPUTF8) are accepted as letters.
fn is_domain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// `[192.0.2.1]`, `[IPv6:...]` or a general literal `[tag:content]` without brackets or
/// backslashes inside.
fn is_address_literal(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) else {
        return false;
    };
    if inner.parse::<std::net::Ipv4Addr>().is_ok() {
        return true;
    }
    if let Some(v6) = inner.strip_prefix("IPv6:") {
        return v6.parse::<std::net::Ipv6Addr>().is_ok();
    }
    match inner.split_once(':') {
        Some((tag, content)) => {
            is_domain(tag)
                && !content.is_empty()
                && content
                    .chars()
                    .all(|c| c.is_ascii_graphic() && !"[]\\".contains(c))
        }
        None => false,
    }
}

/// Joins `clauses` after `name` with spaces, starting a new line (CRLF TAB) before a clause
/// that would pass [`FOLD_AT`]; a clause too long for a line of its own is split at its spaces.
fn fold(name: &str, clauses: &[String]) -> String {
    let mut out = String::from(name);
    let mut column = name.len();
    for (i, clause) in clauses.iter().enumerate() {
        let fits_here = column + 1 + clause.len() <= FOLD_AT;
        let fits_alone = clause.len() < FOLD_AT;
        if fits_here || (i > 0 && fits_alone) {
            place(&mut out, &mut column, clause, i == 0);
        } else {
            for (j, word) in clause.split(' ').enumerate() {
                place(&mut out, &mut column, word, i == 0 && j == 0);
            }
        }
    }
    out.push_str("\r\n");
    out
}

/// Appends `piece` after a space, or on a new line when it would pass [`FOLD_AT`] (never
/// for the first piece, which stays on the header's first line).
fn place(out: &mut String, column: &mut usize, piece: &str, first: bool) {
    if !first && *column + 1 + piece.len() > FOLD_AT {
        out.push_str("\r\n\t");
        *column = 1;
    } else {
        out.push(' ');
        *column += 1;
    }
    out.push_str(piece);
    *column += piece.len();
}

/// `Tue, 1 Jul 2025 10:52:37 +0000` (RFC 5322 §3.3), in UTC. Times before 1970 are written
/// as the epoch.
pub fn rfc5322_date(time: SystemTime) -> String {
    let ms = time
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    tern_proto::date::rfc5322_date(ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn facts<'a>() -> ReceivedFacts<'a> {
        ReceivedFacts {
            helo: Some("client.example.org"),
            esmtp: true,
            client_ip: "192.0.2.1".parse().unwrap(),
            client_host: None,
            hostname: "mx.example.net",
            tls: None,
            auth_user: None,
            authenticated: false,
            smtputf8: false,
            queue_id: Some("0192abcd"),
            recipients: &["bob@example.net"],
        }
    }

    /// Every line ends with CRLF, continuation lines start with a tab, no line passes 78
    /// columns unless it is one unbreakable word, and there is no other CR or LF.
    fn assert_well_formed(h: &str) {
        assert!(h.starts_with("Received: "), "{h:?}");
        assert!(h.ends_with("\r\n"), "{h:?}");
        let body = &h[..h.len() - 2];
        for (i, line) in body.split("\r\n").enumerate() {
            assert!(!line.contains('\r') && !line.contains('\n'), "{h:?}");
            assert!(!line.chars().any(|c| c.is_control() && c != '\t'), "{h:?}");
            if i > 0 {
                assert!(line.starts_with('\t') && line.len() > 1, "{h:?}");
            }
            assert!(
                line.len() <= FOLD_AT || !line.trim_start().contains(' '),
                "line too long: {line:?}"
            );
        }
    }

    #[test]
    fn dates() {
        assert_eq!(rfc5322_date(at(0)), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(
            rfc5322_date(at(951_782_400)),
            "Tue, 29 Feb 2000 00:00:00 +0000"
        );
        assert_eq!(
            rfc5322_date(at(1_751_367_157)),
            "Tue, 1 Jul 2025 10:52:37 +0000"
        );
        assert_eq!(
            rfc5322_date(at(4_107_542_399)),
            "Sun, 28 Feb 2100 23:59:59 +0000"
        );
        assert_eq!(
            rfc5322_date(at(4_107_542_400)),
            "Mon, 1 Mar 2100 00:00:00 +0000"
        );
        assert_eq!(
            rfc5322_date(at(253_402_300_799)),
            "Fri, 31 Dec 9999 23:59:59 +0000"
        );
        assert_eq!(
            rfc5322_date(UNIX_EPOCH - Duration::from_secs(10)),
            "Thu, 1 Jan 1970 00:00:00 +0000"
        );
    }

    #[test]
    fn protocol_types() {
        use WithProtocol::*;
        let p = |e, t, a, u| WithProtocol::for_session(e, t, a, u).as_str();
        assert_eq!(p(false, false, false, false), "SMTP");
        assert_eq!(p(false, true, true, true), "SMTP");
        assert_eq!(p(true, false, false, false), "ESMTP");
        assert_eq!(p(true, true, false, false), "ESMTPS");
        assert_eq!(p(true, false, true, false), "ESMTPA");
        assert_eq!(p(true, true, true, false), "ESMTPSA");
        assert_eq!(p(true, false, false, true), "UTF8SMTP");
        assert_eq!(p(true, true, false, true), "UTF8SMTPS");
        assert_eq!(p(true, false, true, true), "UTF8SMTPA");
        assert_eq!(p(true, true, true, true), "UTF8SMTPSA");
        assert_eq!(Utf8Smtpsa.to_string(), "UTF8SMTPSA");
    }

    #[test]
    fn plain_header() {
        let h = received_header(&facts(), at(1_751_367_157));
        assert_eq!(
            h,
            "Received: from client.example.org ([192.0.2.1]) by mx.example.net (Tern)\r\n\
             \twith ESMTP id 0192abcd for <bob@example.net>; Tue, 1 Jul 2025 10:52:37 +0000\r\n"
        );
        assert_well_formed(&h);
    }

    #[test]
    fn tls_and_auth_header() {
        let f = ReceivedFacts {
            client_host: Some("mail.example.org"),
            tls: Some(("TLSv1.3", "TLS13_AES_256_GCM_SHA384")),
            auth_user: Some("alice"),
            ..facts()
        };
        let h = received_header(&f, at(1_751_367_157));
        assert_eq!(
            h,
            "Received: from client.example.org (mail.example.org [192.0.2.1])\r\n\
             \t(using TLSv1.3 with cipher TLS13_AES_256_GCM_SHA384) (authenticated as alice)\r\n\
             \tby mx.example.net (Tern) with ESMTPSA id 0192abcd for <bob@example.net>;\r\n\
             \tTue, 1 Jul 2025 10:52:37 +0000\r\n"
        );
        assert_well_formed(&h);
    }

    #[test]
    fn for_only_with_one_recipient_and_no_id() {
        let f = ReceivedFacts {
            recipients: &["a@example.net", "b@example.net"],
            queue_id: None,
            helo: None,
            esmtp: false,
            client_ip: "2001:db8::1".parse().unwrap(),
            ..facts()
        };
        let h = received_header(&f, at(0));
        assert_eq!(
            h,
            "Received: from [IPv6:2001:db8::1] ([IPv6:2001:db8::1]) by mx.example.net\r\n\
             \t(Tern) with SMTP; Thu, 1 Jan 1970 00:00:00 +0000\r\n"
        );
        let f = ReceivedFacts {
            recipients: &[],
            client_ip: "::ffff:192.0.2.9".parse().unwrap(),
            ..facts()
        };
        let h = received_header(&f, at(0));
        assert!(!h.contains(" for "), "{h}");
        assert!(h.contains("([192.0.2.9])"), "{h}");
    }

    #[test]
    fn address_literal_helo() {
        let f = ReceivedFacts {
            helo: Some("[192.0.2.1]"),
            ..facts()
        };
        let h = received_header(&f, at(0));
        assert!(
            h.starts_with("Received: from [192.0.2.1] ([192.0.2.1]) by"),
            "{h}"
        );
        let f = ReceivedFacts {
            helo: Some("[IPv6:2001:db8::1]"),
            ..facts()
        };
        assert!(received_header(&f, at(0)).starts_with("Received: from [IPv6:2001:db8::1] ("));
    }

    #[test]
    fn hostile_strings_cannot_inject_lines() {
        let hostile = [
            "evil\r\nX-Injected: yes",
            "evil\nX-Injected: yes",
            "evil\rX-Injected: yes",
            "a)(b\\c",
            "\u{0}\u{7f}\u{85}\u{2028}",
            "héllo.example",
            "very-long-label-".repeat(60).as_str(),
            "",
            "x y z",
        ]
        .map(String::from);
        for s in &hostile {
            let recipients = [s.as_str()];
            let f = ReceivedFacts {
                helo: Some(s),
                client_host: Some(s),
                tls: Some((s, s)),
                auth_user: Some(s),
                queue_id: Some(s),
                recipients: &recipients,
                hostname: s,
                ..facts()
            };
            let h = received_header(&f, at(0));
            assert_well_formed(&h);
            assert!(!h.contains("\nX-Injected"), "{h:?}");
            assert!(h.is_ascii(), "{h:?}");
            assert!(h.len() < 2000, "bounded: {}", h.len());
            // Comments stay balanced.
            let depth = h.chars().fold(0i32, |d, c| match c {
                '(' => d + 1,
                ')' => {
                    assert!(d > 0, "{h:?}");
                    d - 1
                }
                _ => d,
            });
            assert_eq!(depth, 0, "{h:?}");
            assert!(!h.contains('"') && !h.contains('\\'), "{h:?}");
        }
        let quoted = ["\"a b\"@example.net"];
        let f = ReceivedFacts {
            recipients: &quoted,
            ..facts()
        };
        assert!(!received_header(&f, at(0)).contains(" for "));
        let f = ReceivedFacts {
            helo: Some("bad helo\r\nX: y"),
            ..facts()
        };
        let h = received_header(&f, at(0));
        assert!(
            h.starts_with("Received: from [192.0.2.1] ([192.0.2.1] helo=bad?helo??X:?y)"),
            "{h:?}"
        );
    }

    #[test]
    fn utf8_kept_only_with_smtputf8() {
        let rcpt = ["jürgen@exämple.de"];
        let f = ReceivedFacts {
            helo: Some("exämple.de"),
            recipients: &rcpt,
            ..facts()
        };
        let h = received_header(&f, at(0));
        assert!(h.contains("helo=ex?mple.de") && !h.contains(" for "), "{h}");
        let f = ReceivedFacts {
            smtputf8: true,
            ..f
        };
        let h = received_header(&f, at(0));
        assert!(h.starts_with("Received: from exämple.de ("), "{h}");
        assert!(
            h.contains("with UTF8SMTP ") && h.contains("for <jürgen@exämple.de>"),
            "{h}"
        );
        assert_well_formed(&h);
    }

    #[test]
    fn long_clauses_are_split_at_spaces() {
        let long = format!("{}.example", "a".repeat(70));
        let rcpts = ["<someone@example.net>"];
        let f = ReceivedFacts {
            helo: Some(&long),
            client_host: Some(&long),
            recipients: &rcpts,
            ..facts()
        };
        let h = received_header(&f, at(0));
        assert_well_formed(&h);
        assert!(
            h.contains("for <someone@example.net>;"),
            "angle brackets not doubled: {h}"
        );
    }
}
