//! Mailboxes, domains, address literals and paths (RFC 5321 §4.1.2, §4.1.3; RFC 6531 for
//! UTF-8).
//!
//! Every type keeps the text as the client wrote it (so a reply or a log can quote it), and
//! offers the decoded form where one exists. Non-ASCII input is accepted and recorded
//! ([`Mailbox::is_ascii`]) so the session can require `SMTPUTF8` (`553 5.6.7`).

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A syntax error in an address, with what was expected and where.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AddressError {
    expected: &'static str,
    offset: usize,
}

impl AddressError {
    pub(crate) fn new(expected: &'static str, offset: usize) -> Self {
        AddressError { expected, offset }
    }

    /// What was expected, in words fit for a reply text ("expected '>' to end the address").
    pub fn expected(&self) -> &'static str {
        self.expected
    }

    /// Byte offset of the problem, from the start of the parsed text (for a command, from the
    /// start of the command line).
    pub fn offset(&self) -> usize {
        self.offset
    }

    pub(crate) fn shifted(mut self, by: usize) -> Self {
        self.offset += by;
        self
    }
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expected)
    }
}

impl std::error::Error for AddressError {}

type Res<T> = Result<T, AddressError>;

/// Maximum length of a domain in octets (RFC 5321 §4.5.3.1.2).
pub const MAX_DOMAIN_LEN: usize = 255;
/// Maximum length of one ASCII domain label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;

/// `atext` of RFC 5322 §3.2.3 (ASCII part).
pub(crate) fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

/// Decodes the non-ASCII character starting at byte `i` of `s` and checks it is usable in an
/// address (not a control or whitespace character). Returns its length in bytes.
fn utf8_char_at(s: &str, i: usize) -> Option<usize> {
    let c = s.get(i..)?.chars().next()?;
    if c.is_control() || c.is_whitespace() {
        None
    } else {
        Some(c.len_utf8())
    }
}

// ---------------------------------------------------------------------------------------
// Domain
// ---------------------------------------------------------------------------------------

/// A domain name as written (`Domain` of RFC 5321 §4.1.2, with RFC 6531 U-labels).
///
/// Case is kept as written; compare with [`Domain::eq_ignore_case`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Domain(String);

impl Domain {
    /// Parses a whole string as a domain.
    pub fn parse(s: &str) -> Result<Domain, AddressError> {
        let (d, end) = parse_domain_at(s, 0)?;
        if end != s.len() {
            return Err(AddressError::new("unexpected character in the domain", end));
        }
        Ok(d)
    }

    /// The domain as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the domain is all ASCII (otherwise it has U-labels and needs SMTPUTF8).
    pub fn is_ascii(&self) -> bool {
        self.0.is_ascii()
    }

    /// ASCII case-insensitive equality (U-labels are compared exactly).
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn parse_domain_at(s: &str, start: usize) -> Res<(Domain, usize)> {
    let b = s.as_bytes();
    let mut i = start;
    loop {
        let label_start = i;
        let mut ascii = true;
        while let Some(&c) = b.get(i) {
            if c.is_ascii_alphanumeric() || c == b'-' {
                i += 1;
            } else if c >= 0x80 {
                ascii = false;
                i += utf8_char_at(s, i).ok_or(AddressError::new(
                    "a domain must not contain control or space characters",
                    i,
                ))?;
            } else {
                break;
            }
        }
        if i == label_start {
            return Err(AddressError::new(
                if label_start == start {
                    "expected a domain name (letters, digits, hyphens and dots)"
                } else {
                    "expected a domain label after '.'"
                },
                label_start,
            ));
        }
        let label = b.get(label_start..i).unwrap_or_default();
        if label.first() == Some(&b'-') || label.last() == Some(&b'-') {
            return Err(AddressError::new(
                "a domain label must not start or end with '-'",
                label_start,
            ));
        }
        if ascii && label.len() > MAX_LABEL_LEN {
            return Err(AddressError::new(
                "a domain label must be at most 63 characters long",
                label_start,
            ));
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
        } else {
            break;
        }
    }
    if i - start > MAX_DOMAIN_LEN {
        return Err(AddressError::new(
            "a domain must be at most 255 characters long",
            start,
        ));
    }
    let text = s.get(start..i).unwrap_or_default();
    Ok((Domain(text.to_owned()), i))
}

// ---------------------------------------------------------------------------------------
// Address literal
// ---------------------------------------------------------------------------------------

/// What an address literal holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LiteralKind {
    /// `[192.0.2.1]`
    Ipv4(Ipv4Addr),
    /// `[IPv6:2001:db8::1]`
    Ipv6(Ipv6Addr),
    /// `[tag:content]`, a General-address-literal (RFC 5321 §4.1.3). No tag other than
    /// `IPv6` is registered, so policy will normally refuse these.
    General {
        /// The standardized tag, as written.
        tag: String,
    },
}

/// An address literal (RFC 5321 §4.1.3): the text between `[` and `]` plus its meaning.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AddressLiteral {
    text: String,
    kind: LiteralKind,
}

impl AddressLiteral {
    /// Parses `[...]` (with the brackets).
    pub fn parse(s: &str) -> Result<AddressLiteral, AddressError> {
        let (lit, end) = parse_literal_at(s, 0)?;
        if end != s.len() {
            return Err(AddressError::new(
                "unexpected character after the address literal",
                end,
            ));
        }
        Ok(lit)
    }

    /// The text between the brackets, as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// What the literal holds.
    pub fn kind(&self) -> &LiteralKind {
        &self.kind
    }

    /// The IP address, for IPv4 and IPv6 literals.
    pub fn ip(&self) -> Option<IpAddr> {
        match self.kind {
            LiteralKind::Ipv4(a) => Some(IpAddr::V4(a)),
            LiteralKind::Ipv6(a) => Some(IpAddr::V6(a)),
            LiteralKind::General { .. } => None,
        }
    }
}

impl fmt::Display for AddressLiteral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.text)
    }
}

const LITERAL_EXPECTED: &str = "an address literal must be [IPv4 address], [IPv6:IPv6 address] \
                                or [tag:text]";

/// `Snum 3("." Snum)`, Snum = 1*3DIGIT with a value of at most 255.
fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for o in &mut octets {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *o = p.parse().ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(Ipv4Addr::from(octets))
}

pub(crate) fn parse_literal_at(s: &str, start: usize) -> Res<(AddressLiteral, usize)> {
    let b = s.as_bytes();
    if b.get(start) != Some(&b'[') {
        return Err(AddressError::new(
            "expected '[' to start an address literal",
            start,
        ));
    }
    let inner_start = start + 1;
    let Some(len) = b
        .get(inner_start..)
        .and_then(|r| r.iter().position(|&c| c == b']'))
    else {
        return Err(AddressError::new(
            "expected ']' to end the address literal",
            s.len(),
        ));
    };
    let inner_end = inner_start + len;
    let text = s.get(inner_start..inner_end).unwrap_or_default();
    let kind = if let Some(v6) = text
        .get(..5)
        .filter(|t| t.eq_ignore_ascii_case("IPv6:"))
        .and_then(|_| text.get(5..))
    {
        LiteralKind::Ipv6(v6.parse::<Ipv6Addr>().map_err(|_| {
            AddressError::new("expected an IPv6 address after 'IPv6:'", inner_start)
        })?)
    } else if let Some((tag, content)) = text.split_once(':') {
        let tag_ok = !tag.is_empty()
            && tag.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
            && !tag.ends_with('-');
        // dcontent = %d33-90 / %d94-126 (no '[', '\', ']')
        let content_ok =
            !content.is_empty() && content.bytes().all(|c| matches!(c, 33..=90 | 94..=126));
        if !tag_ok || !content_ok {
            return Err(AddressError::new(LITERAL_EXPECTED, inner_start));
        }
        LiteralKind::General {
            tag: tag.to_owned(),
        }
    } else {
        LiteralKind::Ipv4(parse_ipv4(text).ok_or(AddressError::new(LITERAL_EXPECTED, inner_start))?)
    };
    Ok((
        AddressLiteral {
            text: text.to_owned(),
            kind,
        },
        inner_end + 1,
    ))
}

// ---------------------------------------------------------------------------------------
// Host
// ---------------------------------------------------------------------------------------

/// The part after `@`: a domain or an address literal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A domain name.
    Domain(Domain),
    /// An address literal such as `[192.0.2.1]`.
    Literal(AddressLiteral),
}

impl Host {
    /// Parses a domain or an address literal.
    pub fn parse(s: &str) -> Result<Host, AddressError> {
        let (h, end) = parse_host_at(s, 0)?;
        if end != s.len() {
            return Err(AddressError::new(
                "unexpected character after the domain",
                end,
            ));
        }
        Ok(h)
    }

    /// Whether the host is all ASCII.
    pub fn is_ascii(&self) -> bool {
        match self {
            Host::Domain(d) => d.is_ascii(),
            Host::Literal(_) => true,
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => d.fmt(f),
            Host::Literal(l) => l.fmt(f),
        }
    }
}

pub(crate) fn parse_host_at(s: &str, start: usize) -> Res<(Host, usize)> {
    if s.as_bytes().get(start) == Some(&b'[') {
        let (l, end) = parse_literal_at(s, start)?;
        Ok((Host::Literal(l), end))
    } else {
        let (d, end) = parse_domain_at(s, start)?;
        Ok((Host::Domain(d), end))
    }
}

// ---------------------------------------------------------------------------------------
// Local part
// ---------------------------------------------------------------------------------------

/// The local part of a mailbox: a dot-string (`john.smith`) or a quoted string
/// (`"john smith"`), kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalPart {
    written: String,
    quoted: bool,
}

impl LocalPart {
    /// The local part exactly as the client wrote it (with quotes and backslashes).
    pub fn as_written(&self) -> &str {
        &self.written
    }

    /// Whether the client used a quoted string.
    pub fn is_quoted(&self) -> bool {
        self.quoted
    }

    /// Whether the local part is all ASCII.
    pub fn is_ascii(&self) -> bool {
        self.written.is_ascii()
    }

    /// The content without quotes and quoted-pair backslashes: `"a\"b"` gives `a"b`.
    pub fn unquoted(&self) -> Cow<'_, str> {
        if !self.quoted {
            return Cow::Borrowed(&self.written);
        }
        let inner = self
            .written
            .get(1..self.written.len().saturating_sub(1))
            .unwrap_or_default();
        if !inner.contains('\\') {
            return Cow::Borrowed(inner);
        }
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else {
                out.push(c);
            }
        }
        Cow::Owned(out)
    }

    /// The canonical form (RFC 5321 §4.1.2: quote only when needed): `"john"` becomes
    /// `john`, `"john smith"` stays quoted, with only `"` and `\` escaped. Two local parts
    /// that mean the same mailbox have the same canonical form.
    pub fn canonical(&self) -> Cow<'_, str> {
        if !self.quoted {
            return Cow::Borrowed(&self.written);
        }
        let content = self.unquoted();
        if is_dot_string(&content) {
            return Cow::Owned(content.into_owned());
        }
        let mut out = String::with_capacity(content.len() + 2);
        out.push('"');
        for c in content.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        Cow::Owned(out)
    }
}

impl fmt::Display for LocalPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

fn is_dot_string(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|atom| {
            !atom.is_empty()
                && atom.chars().all(|c| {
                    if c.is_ascii() {
                        is_atext(c as u8)
                    } else {
                        !c.is_control() && !c.is_whitespace()
                    }
                })
        })
}

pub(crate) fn parse_local_part_at(s: &str, start: usize) -> Res<(LocalPart, usize)> {
    let b = s.as_bytes();
    let mut i = start;
    if b.get(i) == Some(&b'"') {
        i += 1;
        loop {
            match b.get(i) {
                None => {
                    return Err(AddressError::new(
                        "expected '\"' to close the quoted local part",
                        i,
                    ));
                }
                Some(b'"') => {
                    i += 1;
                    break;
                }
                Some(b'\\') => match b.get(i + 1) {
                    Some(32..=126) => i += 2,
                    _ => {
                        return Err(AddressError::new(
                            "'\\' in a quoted local part must be followed by a printable ASCII character",
                            i,
                        ));
                    }
                },
                Some(32..=126) => i += 1,
                Some(0x80..) => {
                    i += utf8_char_at(s, i).ok_or(AddressError::new(
                        "a quoted local part must not contain control characters",
                        i,
                    ))?;
                }
                Some(_) => {
                    return Err(AddressError::new(
                        "a quoted local part must not contain control characters",
                        i,
                    ));
                }
            }
        }
        let written = s.get(start..i).unwrap_or_default().to_owned();
        return Ok((
            LocalPart {
                written,
                quoted: true,
            },
            i,
        ));
    }
    loop {
        let atom_start = i;
        while let Some(&c) = b.get(i) {
            if is_atext(c) {
                i += 1;
            } else if c >= 0x80 {
                i += utf8_char_at(s, i).ok_or(AddressError::new(
                    "a local part must not contain control or space characters",
                    i,
                ))?;
            } else {
                break;
            }
        }
        if i == atom_start {
            return Err(AddressError::new(
                if atom_start == start {
                    "expected a local part: letters, digits, !#$%&'*+-/=?^_`{|}~ and dots, or a quoted string"
                } else {
                    "a local part must not contain '..' or end with '.'"
                },
                atom_start,
            ));
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
        } else {
            break;
        }
    }
    let written = s.get(start..i).unwrap_or_default().to_owned();
    Ok((
        LocalPart {
            written,
            quoted: false,
        },
        i,
    ))
}

// ---------------------------------------------------------------------------------------
// Mailbox
// ---------------------------------------------------------------------------------------

/// `Local-part "@" ( Domain / address-literal )`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox {
    local: LocalPart,
    host: Host,
}

impl Mailbox {
    /// Parses a bare mailbox (`user@example.org`, no angle brackets).
    pub fn parse(s: &str) -> Result<Mailbox, AddressError> {
        let (m, end) = parse_mailbox_at(s, 0)?;
        if end != s.len() {
            return Err(AddressError::new(
                "unexpected character after the address",
                end,
            ));
        }
        Ok(m)
    }

    /// The local part.
    pub fn local_part(&self) -> &LocalPart {
        &self.local
    }

    /// The domain or address literal.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The domain, if the host is not an address literal.
    pub fn domain(&self) -> Option<&Domain> {
        match &self.host {
            Host::Domain(d) => Some(d),
            Host::Literal(_) => None,
        }
    }

    /// Whether the mailbox is all ASCII. If not, the transaction needs `SMTPUTF8`
    /// (RFC 6531 §3.4; Tern answers `553 5.6.7` otherwise).
    pub fn is_ascii(&self) -> bool {
        self.local.is_ascii() && self.host.is_ascii()
    }

    /// `local@host` with the local part in canonical form.
    pub fn canonical(&self) -> String {
        format!("{}@{}", self.local.canonical(), self.host)
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.host)
    }
}

fn parse_mailbox_at(s: &str, start: usize) -> Res<(Mailbox, usize)> {
    let (local, i) = parse_local_part_at(s, start)?;
    finish_mailbox(s, local, i)
}

fn finish_mailbox(s: &str, local: LocalPart, i: usize) -> Res<(Mailbox, usize)> {
    if s.as_bytes().get(i) != Some(&b'@') {
        return Err(AddressError::new("expected '@' after the local part", i));
    }
    let (host, end) = parse_host_at(s, i + 1)?;
    Ok((Mailbox { local, host }, end))
}

// ---------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------

/// `"<" [ A-d-l ":" ] Mailbox ">"`.
///
/// A source route (`<@a,@b:user@c>`) is accepted and ignored as RFC 5321 §4.1.1.3 and
/// Appendix C require; its domains are kept so policy can see that one was present.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    route: Vec<Domain>,
    mailbox: Mailbox,
}

impl Path {
    /// A path without source route.
    pub fn new(mailbox: Mailbox) -> Path {
        Path {
            route: Vec::new(),
            mailbox,
        }
    }

    /// The mailbox.
    pub fn mailbox(&self) -> &Mailbox {
        &self.mailbox
    }

    /// The source-route domains, in order (empty when there was none).
    pub fn source_route(&self) -> &[Domain] {
        &self.route
    }

    /// Whether the client sent a source route.
    pub fn has_source_route(&self) -> bool {
        !self.route.is_empty()
    }

    /// Whether the path is all ASCII (mailbox and source route).
    pub fn is_ascii(&self) -> bool {
        self.mailbox.is_ascii() && self.route.iter().all(Domain::is_ascii)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<")?;
        for (n, d) in self.route.iter().enumerate() {
            if n > 0 {
                f.write_str(",")?;
            }
            write!(f, "@{d}")?;
        }
        if !self.route.is_empty() {
            f.write_str(":")?;
        }
        write!(f, "{}>", self.mailbox)
    }
}

/// The argument of `MAIL FROM:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReversePath {
    /// `<>`: the null reverse path of bounces and other notifications.
    Null,
    /// A sender.
    Path(Path),
}

impl ReversePath {
    /// The mailbox, unless null.
    pub fn mailbox(&self) -> Option<&Mailbox> {
        match self {
            ReversePath::Null => None,
            ReversePath::Path(p) => Some(p.mailbox()),
        }
    }

    /// Whether the path is all ASCII (`<>` is).
    pub fn is_ascii(&self) -> bool {
        match self {
            ReversePath::Null => true,
            ReversePath::Path(p) => p.is_ascii(),
        }
    }
}

impl fmt::Display for ReversePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReversePath::Null => f.write_str("<>"),
            ReversePath::Path(p) => p.fmt(f),
        }
    }
}

/// The argument of `RCPT TO:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForwardPath {
    /// `<Postmaster>` without a domain (any case; RFC 5321 §4.1.1.3): the postmaster of
    /// this server, always accepted (§4.5.1).
    Postmaster,
    /// A recipient.
    Path(Path),
}

impl ForwardPath {
    /// The mailbox, unless bare `<postmaster>`.
    pub fn mailbox(&self) -> Option<&Mailbox> {
        match self {
            ForwardPath::Postmaster => None,
            ForwardPath::Path(p) => Some(p.mailbox()),
        }
    }

    /// Whether the path is all ASCII.
    pub fn is_ascii(&self) -> bool {
        match self {
            ForwardPath::Postmaster => true,
            ForwardPath::Path(p) => p.is_ascii(),
        }
    }
}

impl fmt::Display for ForwardPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForwardPath::Postmaster => f.write_str("<postmaster>"),
            ForwardPath::Path(p) => p.fmt(f),
        }
    }
}

/// What was inside the angle brackets, before the command decides what it allows.
#[derive(Debug)]
pub(crate) enum ParsedPath {
    Null,
    BarePostmaster,
    Path(Path),
}

pub(crate) fn parse_path_at(s: &str, start: usize) -> Res<(ParsedPath, usize)> {
    let b = s.as_bytes();
    if b.get(start) != Some(&b'<') {
        return Err(AddressError::new(
            "expected '<' to start the address",
            start,
        ));
    }
    let mut i = start + 1;
    if b.get(i) == Some(&b'>') {
        return Ok((ParsedPath::Null, i + 1));
    }
    let mut route = Vec::new();
    if b.get(i) == Some(&b'@') {
        loop {
            let (d, end) = parse_domain_at(s, i + 1)?;
            route.push(d);
            i = end;
            match b.get(i) {
                Some(b',') => {
                    i += 1;
                    if b.get(i) != Some(&b'@') {
                        return Err(AddressError::new(
                            "expected '@' and a domain after ',' in the source route",
                            i,
                        ));
                    }
                }
                Some(b':') => {
                    i += 1;
                    break;
                }
                _ => {
                    return Err(AddressError::new(
                        "expected ',' or ':' after a source-route domain",
                        i,
                    ));
                }
            }
        }
    }
    let (local, i) = parse_local_part_at(s, i)?;
    if b.get(i) == Some(&b'>')
        && route.is_empty()
        && !local.is_quoted()
        && local.as_written().eq_ignore_ascii_case("postmaster")
    {
        return Ok((ParsedPath::BarePostmaster, i + 1));
    }
    let (mailbox, i) = finish_mailbox(s, local, i)?;
    if b.get(i) != Some(&b'>') {
        return Err(AddressError::new("expected '>' to end the address", i));
    }
    Ok((ParsedPath::Path(Path { route, mailbox }), i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> Path {
        match parse_path_at(s, 0).unwrap() {
            (ParsedPath::Path(p), end) => {
                assert_eq!(end, s.len());
                p
            }
            other => panic!("{other:?}"),
        }
    }

    fn err(s: &str) -> &'static str {
        parse_path_at(s, 0).unwrap_err().expected()
    }

    #[test]
    fn simple_and_quoted_mailboxes() {
        let p = path("<john.smith@example.org>");
        assert_eq!(p.mailbox().local_part().as_written(), "john.smith");
        assert_eq!(p.mailbox().domain().unwrap().as_str(), "example.org");
        assert!(p.is_ascii());

        let p = path(r#"<"john \"jr\" smith"@example.org>"#);
        let lp = p.mailbox().local_part();
        assert!(lp.is_quoted());
        assert_eq!(lp.unquoted(), r#"john "jr" smith"#);
        assert_eq!(lp.canonical(), r#""john \"jr\" smith""#);
        assert_eq!(path(r#"<"john"@x>"#).mailbox().canonical(), "john@x");
        assert_eq!(path(r#"<"a\b"@x>"#).mailbox().canonical(), "ab@x");
        assert_eq!(path("<\"\"@x>").mailbox().local_part().canonical(), "\"\"");
    }

    #[test]
    fn literals() {
        let p = path("<a@[192.0.2.1]>");
        assert_eq!(p.mailbox().host().to_string(), "[192.0.2.1]");
        let Host::Literal(l) = p.mailbox().host() else {
            panic!()
        };
        assert_eq!(l.ip(), Some("192.0.2.1".parse().unwrap()));
        let p = path("<a@[IPv6:2001:db8::1]>");
        let Host::Literal(l) = p.mailbox().host() else {
            panic!()
        };
        assert_eq!(l.ip(), Some("2001:db8::1".parse().unwrap()));
        let p = path("<a@[ipv6:::ffff:192.0.2.1]>");
        assert!(matches!(p.mailbox().host(), Host::Literal(_)));
        let p = path("<a@[x-tag:stuff]>");
        let Host::Literal(l) = p.mailbox().host() else {
            panic!()
        };
        assert_eq!(
            l.kind(),
            &LiteralKind::General {
                tag: "x-tag".into()
            }
        );
        assert_eq!(l.ip(), None);
        assert_eq!(err("<a@[256.0.0.1]>"), LITERAL_EXPECTED);
        assert_eq!(err("<a@[1.2.3]>"), LITERAL_EXPECTED);
        assert_eq!(
            err("<a@[IPv6:1.2.3.4]>"),
            "expected an IPv6 address after 'IPv6:'"
        );
        assert_eq!(
            err("<a@[1.2.3.4>"),
            "expected ']' to end the address literal"
        );
    }

    #[test]
    fn source_routes_are_kept_aside() {
        let p = path("<@a.example,@b.example:user@c.example>");
        assert!(p.has_source_route());
        assert_eq!(p.source_route().len(), 2);
        assert_eq!(p.mailbox().to_string(), "user@c.example");
        assert_eq!(p.to_string(), "<@a.example,@b.example:user@c.example>");
        assert_eq!(
            err("<@a.example;user@c>"),
            "expected ',' or ':' after a source-route domain"
        );
        assert_eq!(
            err("<@a,b:user@c>"),
            "expected '@' and a domain after ',' in the source route"
        );
    }

    #[test]
    fn utf8_addresses() {
        let p = path("<用户@例子.广告>");
        assert!(!p.is_ascii());
        assert!(!p.mailbox().local_part().is_ascii());
        let p = path("<user@bücher.example>");
        assert!(!p.is_ascii());
        assert_eq!(
            err("<a\u{85}b@x>"),
            "a local part must not contain control or space characters"
        );
    }

    #[test]
    fn postmaster_and_null() {
        assert!(matches!(
            parse_path_at("<>", 0).unwrap().0,
            ParsedPath::Null
        ));
        assert!(matches!(
            parse_path_at("<PostMaster>", 0).unwrap().0,
            ParsedPath::BarePostmaster
        ));
        assert_eq!(err("<\"postmaster\">"), "expected '@' after the local part");
        assert_eq!(err("<user>"), "expected '@' after the local part");
    }

    #[test]
    fn errors_name_what_was_expected() {
        assert_eq!(err("a@b"), "expected '<' to start the address");
        assert_eq!(err("<a@b"), "expected '>' to end the address");
        assert_eq!(err("<a@b c>"), "expected '>' to end the address");
        assert_eq!(
            err("<a..b@c>"),
            "a local part must not contain '..' or end with '.'"
        );
        assert_eq!(
            err("<.a@c>"),
            "expected a local part: letters, digits, !#$%&'*+-/=?^_`{|}~ and dots, or a quoted string"
        );
        assert_eq!(
            err("<a@>"),
            "expected a domain name (letters, digits, hyphens and dots)"
        );
        assert_eq!(err("<a@b.>"), "expected a domain label after '.'");
        assert_eq!(
            err("<a@-b>"),
            "a domain label must not start or end with '-'"
        );
        assert_eq!(
            err("<\"a@b>"),
            "expected '\"' to close the quoted local part"
        );
        assert_eq!(err("<a@b_c>"), "expected '>' to end the address");
        let long = format!("<a@{}.x>", "l".repeat(64));
        assert_eq!(
            err(&long),
            "a domain label must be at most 63 characters long"
        );
        let long = format!("<a@{}x>", "l.".repeat(128));
        assert_eq!(err(&long), "a domain must be at most 255 characters long");
    }

    #[test]
    fn public_parsers() {
        assert!(Mailbox::parse("a@b").is_ok());
        assert!(Mailbox::parse("a@b ").is_err());
        assert!(Domain::parse("example.org").is_ok());
        assert!(Domain::parse("exa mple").is_err());
        assert!(Host::parse("[127.0.0.1]").is_ok());
        assert!(AddressLiteral::parse("[127.0.0.1]x").is_err());
        assert!(
            Domain::parse("Example.ORG")
                .unwrap()
                .eq_ignore_case("example.org")
        );
    }
}
