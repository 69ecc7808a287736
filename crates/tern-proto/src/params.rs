//! ESMTP parameters of MAIL and RCPT (RFC 5321 §4.1.2 `esmtp-param`).
//!
//! ```text
//! esmtp-param   = esmtp-keyword ["=" esmtp-value]
//! esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
//! esmtp-value   = 1*(%d33-60 / %d62-126)        ; RFC 6531 adds UTF8-non-ascii
//! ```
//!
//! Known parameters: MAIL takes `SIZE` (RFC 1870), `BODY` (RFC 6152, RFC 3030), `SMTPUTF8`
//! (RFC 6531), `RET` and `ENVID` (RFC 3461), `AUTH` (RFC 4954 §5); RCPT takes `NOTIFY` and
//! `ORCPT` (RFC 3461). Keywords and the enumerated values are case-insensitive.
//! Parameters may be separated by more than one space (tolerated, harmless).

use std::fmt;

use crate::address::{Mailbox, is_atext};
use crate::command::{CommandError, Verb};
use crate::xtext;

/// An ESMTP parameter Tern knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamKeyword {
    /// `SIZE=` (MAIL, RFC 1870)
    Size,
    /// `BODY=` (MAIL, RFC 6152 / RFC 3030)
    Body,
    /// `SMTPUTF8` (MAIL, RFC 6531)
    SmtpUtf8,
    /// `RET=` (MAIL, RFC 3461)
    Ret,
    /// `ENVID=` (MAIL, RFC 3461)
    Envid,
    /// `AUTH=` (MAIL, RFC 4954)
    Auth,
    /// `NOTIFY=` (RCPT, RFC 3461)
    Notify,
    /// `ORCPT=` (RCPT, RFC 3461)
    Orcpt,
}

impl ParamKeyword {
    const ALL: [ParamKeyword; 8] = [
        ParamKeyword::Size,
        ParamKeyword::Body,
        ParamKeyword::SmtpUtf8,
        ParamKeyword::Ret,
        ParamKeyword::Envid,
        ParamKeyword::Auth,
        ParamKeyword::Notify,
        ParamKeyword::Orcpt,
    ];

    /// The keyword in upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamKeyword::Size => "SIZE",
            ParamKeyword::Body => "BODY",
            ParamKeyword::SmtpUtf8 => "SMTPUTF8",
            ParamKeyword::Ret => "RET",
            ParamKeyword::Envid => "ENVID",
            ParamKeyword::Auth => "AUTH",
            ParamKeyword::Notify => "NOTIFY",
            ParamKeyword::Orcpt => "ORCPT",
        }
    }

    /// The command that takes this parameter.
    pub fn command(self) -> Verb {
        match self {
            ParamKeyword::Notify | ParamKeyword::Orcpt => Verb::Rcpt,
            _ => Verb::Mail,
        }
    }

    fn lookup(k: &str) -> Option<ParamKeyword> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(k))
    }
}

impl fmt::Display for ParamKeyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub use tern_envelope::{BodyType, Notify, Orcpt, Ret};

/// `AUTH=` on MAIL (RFC 4954 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MailAuth {
    /// `AUTH=<>`: the submitter is not known or not trusted.
    Unknown,
    /// The authenticated submitter.
    Mailbox(Mailbox),
}

/// The parameters of MAIL FROM.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct MailParams {
    /// `SIZE=`: the declared message size. A 20-digit value beyond `u64::MAX` is kept as
    /// `u64::MAX` (it is "too large" either way).
    pub size: Option<u64>,
    /// `BODY=`.
    pub body: Option<BodyType>,
    /// `SMTPUTF8`.
    pub smtputf8: bool,
    /// `RET=`.
    pub ret: Option<Ret>,
    /// `ENVID=`, xtext-decoded (printable ASCII, at most 100 characters).
    pub envid: Option<String>,
    /// `AUTH=`.
    pub auth: Option<MailAuth>,
}

/// The parameters of RCPT TO.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct RcptParams {
    /// `NOTIFY=`.
    pub notify: Option<Notify>,
    /// `ORCPT=`.
    pub orcpt: Option<Orcpt>,
}

impl fmt::Display for MailParams {
    /// The parameters in wire form, each preceded by a space.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(size) = self.size {
            write!(f, " SIZE={size}")?;
        }
        if let Some(body) = self.body {
            write!(f, " BODY={}", body.as_str())?;
        }
        if self.smtputf8 {
            f.write_str(" SMTPUTF8")?;
        }
        if let Some(ret) = self.ret {
            write!(f, " RET={}", ret.as_str())?;
        }
        if let Some(envid) = &self.envid {
            write!(f, " ENVID={}", xtext::encode(envid.as_bytes()))?;
        }
        match &self.auth {
            None => {}
            Some(MailAuth::Unknown) => f.write_str(" AUTH=<>")?,
            Some(MailAuth::Mailbox(m)) => {
                write!(f, " AUTH={}", xtext::encode(m.to_string().as_bytes()))?
            }
        }
        Ok(())
    }
}

impl fmt::Display for RcptParams {
    /// The parameters in wire form, each preceded by a space.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(n) = self.notify {
            write!(f, " NOTIFY={n}")?;
        }
        if let Some(o) = &self.orcpt {
            write!(f, " ORCPT={o}")?;
        }
        Ok(())
    }
}

/// A size as RFC 1870 §4 writes it, `1*20DIGIT`; `None` for anything else. A value past
/// `u64::MAX` is kept as `u64::MAX`: it is valid syntax and over any limit, a size problem
/// (`552 5.3.4`), not a syntax error. RFC 3030 §2's BDAT chunk-size is `1*DIGIT`; Tern holds
/// it to the same 20 digits, so that `SIZE=` and `BDAT` answer the same number alike.
pub(crate) fn size_value(text: &str) -> Option<u64> {
    let digits = !text.is_empty() && text.len() <= 20 && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse::<u64>().unwrap_or(u64::MAX))
}

/// Longest value echoed back in an error (the rest is cut).
const ECHO_MAX: usize = 64;

fn echo(s: &str) -> String {
    s.chars()
        .take(ECHO_MAX)
        .filter(|c| !c.is_control())
        .collect()
}

/// One `keyword[=value]` from `s`, split on spaces. `base` is the offset of `s` in the line.
fn split_params(s: &str, base: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = base;
    s.split(' ').filter_map(move |tok| {
        let at = offset;
        offset += tok.len() + 1;
        (!tok.is_empty()).then_some((at, tok))
    })
}

/// Checks the keyword syntax and finds the known keyword, or returns the error for `verb`.
fn keyword(verb: Verb, tok: &str, at: usize) -> Result<(ParamKeyword, Option<&str>), CommandError> {
    let (k, v) = match tok.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (tok, None),
    };
    let kb = k.as_bytes();
    let syntax_ok = kb.first().is_some_and(u8::is_ascii_alphanumeric)
        && kb.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-');
    if !syntax_ok {
        return Err(CommandError::BadParamSyntax {
            command: verb,
            expected: "expected an ESMTP parameter: a keyword of letters, digits and '-', \
                       optionally followed by '=' and a value",
            offset: at,
        });
    }
    let Some(known) = ParamKeyword::lookup(k) else {
        return Err(CommandError::UnknownParam {
            command: verb,
            keyword: k.to_ascii_uppercase(),
        });
    };
    if known.command() != verb {
        return Err(CommandError::ParamNotAllowed {
            command: verb,
            keyword: known,
        });
    }
    if let Some(v) = v {
        // esmtp-value = 1*(%d33-60 / %d62-126) / UTF8-non-ascii
        let value_ok = !v.is_empty() && v.bytes().all(|c| matches!(c, 33..=60 | 62..=126 | 0x80..));
        if !value_ok {
            return Err(CommandError::BadParamValue {
                command: verb,
                keyword: known,
                expected: "a parameter value must be non-empty printable text without '=' or spaces",
            });
        }
    }
    Ok((known, v))
}

fn bad(verb: Verb, keyword: ParamKeyword, expected: &'static str) -> CommandError {
    CommandError::BadParamValue {
        command: verb,
        keyword,
        expected,
    }
}

/// Parses the parameters of MAIL FROM (`s` is everything after the path and its space).
pub(crate) fn parse_mail_params(s: &str, base: usize) -> Result<MailParams, CommandError> {
    let verb = Verb::Mail;
    let mut p = MailParams::default();
    let mut seen = [false; 8];
    for (at, tok) in split_params(s, base) {
        let (k, v) = keyword(verb, tok, at)?;
        if std::mem::replace(&mut seen[k as usize], true) {
            return Err(CommandError::DuplicateParam {
                command: verb,
                keyword: k,
            });
        }
        match k {
            ParamKeyword::Size => {
                const E: &str = "SIZE must be a decimal number of at most 20 digits";
                p.size = Some(v.and_then(size_value).ok_or(bad(verb, k, E))?);
            }
            ParamKeyword::Body => {
                let v = v.ok_or(bad(verb, k, "BODY must be 7BIT, 8BITMIME or BINARYMIME"))?;
                p.body = Some(if v.eq_ignore_ascii_case("7BIT") {
                    BodyType::SevenBit
                } else if v.eq_ignore_ascii_case("8BITMIME") {
                    BodyType::EightBitMime
                } else if v.eq_ignore_ascii_case("BINARYMIME") {
                    BodyType::BinaryMime
                } else {
                    return Err(CommandError::UnsupportedParamValue {
                        command: verb,
                        keyword: k,
                        value: echo(v),
                    });
                });
            }
            ParamKeyword::SmtpUtf8 => {
                if v.is_some() {
                    return Err(bad(verb, k, "SMTPUTF8 takes no value"));
                }
                p.smtputf8 = true;
            }
            ParamKeyword::Ret => {
                const E: &str = "RET must be FULL or HDRS";
                let v = v.ok_or(bad(verb, k, E))?;
                p.ret = Some(if v.eq_ignore_ascii_case("FULL") {
                    Ret::Full
                } else if v.eq_ignore_ascii_case("HDRS") {
                    Ret::Headers
                } else {
                    return Err(bad(verb, k, E));
                });
            }
            ParamKeyword::Envid => {
                const E: &str = "ENVID must be xtext ('+' and two uppercase hex digits for \
                                 special characters) of at most 100 printable characters";
                let v = v.ok_or(bad(verb, k, E))?;
                let decoded = xtext::decode(v).map_err(|_| bad(verb, k, E))?;
                if decoded.len() > 100 || !decoded.iter().all(|&c| matches!(c, 0x20..=0x7e)) {
                    return Err(bad(verb, k, E));
                }
                p.envid = Some(String::from_utf8(decoded).map_err(|_| bad(verb, k, E))?);
            }
            ParamKeyword::Auth => {
                const E: &str = "AUTH= must be <> or an xtext-encoded mailbox";
                let v = v.ok_or(bad(verb, k, E))?;
                let decoded = xtext::decode_utf8(v).map_err(|_| bad(verb, k, E))?;
                let decoded = String::from_utf8(decoded).map_err(|_| bad(verb, k, E))?;
                p.auth = Some(if decoded == "<>" {
                    MailAuth::Unknown
                } else {
                    MailAuth::Mailbox(Mailbox::parse(&decoded).map_err(|_| bad(verb, k, E))?)
                });
            }
            ParamKeyword::Notify | ParamKeyword::Orcpt => {
                return Err(CommandError::ParamNotAllowed {
                    command: verb,
                    keyword: k,
                });
            }
        }
    }
    Ok(p)
}

/// Parses the parameters of RCPT TO.
pub(crate) fn parse_rcpt_params(s: &str, base: usize) -> Result<RcptParams, CommandError> {
    let verb = Verb::Rcpt;
    let mut p = RcptParams::default();
    let mut seen = [false; 8];
    for (at, tok) in split_params(s, base) {
        let (k, v) = keyword(verb, tok, at)?;
        if std::mem::replace(&mut seen[k as usize], true) {
            return Err(CommandError::DuplicateParam {
                command: verb,
                keyword: k,
            });
        }
        match k {
            ParamKeyword::Notify => {
                const E: &str =
                    "NOTIFY must be NEVER or a comma-separated list of SUCCESS, FAILURE, DELAY";
                let v = v.ok_or(bad(verb, k, E))?;
                if v.eq_ignore_ascii_case("NEVER") {
                    p.notify = Some(Notify::Never);
                    continue;
                }
                let (mut success, mut failure, mut delay) = (false, false, false);
                for item in v.split(',') {
                    if item.eq_ignore_ascii_case("SUCCESS") {
                        success = true;
                    } else if item.eq_ignore_ascii_case("FAILURE") {
                        failure = true;
                    } else if item.eq_ignore_ascii_case("DELAY") {
                        delay = true;
                    } else {
                        // Includes NEVER in a list, and empty items.
                        return Err(bad(verb, k, E));
                    }
                }
                p.notify = Some(Notify::On {
                    success,
                    failure,
                    delay,
                });
            }
            ParamKeyword::Orcpt => {
                const E: &str = "ORCPT must be an address type, ';' and an xtext-encoded \
                                 address (at most 500 characters)";
                let v = v.ok_or(bad(verb, k, E))?;
                let (ty, addr) = v.split_once(';').ok_or(bad(verb, k, E))?;
                if ty.is_empty() || !ty.bytes().all(is_atext) || v.len() > 500 {
                    return Err(bad(verb, k, E));
                }
                // RFC 6533: the utf-8 address type carries UTF-8.
                let utf8 = ty.eq_ignore_ascii_case("utf-8");
                let decoded = if utf8 {
                    xtext::decode_utf8(addr)
                } else {
                    xtext::decode(addr)
                }
                .map_err(|_| bad(verb, k, E))?;
                let address = String::from_utf8(decoded).map_err(|_| bad(verb, k, E))?;
                let printable = address.chars().all(|c| {
                    if utf8 {
                        !c.is_control()
                    } else {
                        matches!(c, ' '..='~')
                    }
                });
                if address.is_empty() || !printable {
                    return Err(bad(verb, k, E));
                }
                p.orcpt = Some(Orcpt {
                    addr_type: ty.to_owned(),
                    address,
                });
            }
            _ => {
                return Err(CommandError::ParamNotAllowed {
                    command: verb,
                    keyword: k,
                });
            }
        }
    }
    Ok(p)
}
