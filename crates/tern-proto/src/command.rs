//! SMTP command parsing (RFC 5321 §4.1), one line at a time.
//!
//! [`parse_command`] takes one line **without** its CRLF (as given by
//! [`crate::LineReader`]) and returns a [`Command`] or a [`CommandError`] that says what was
//! expected.
//!
//! # Strict, with documented tolerance
//!
//! The parser follows the RFC 5321 grammar, with these deliberate tolerances for what real
//! clients send (all harmless, none changes the meaning of a command):
//!
//! - verbs and the `FROM:` / `TO:` keywords are case-insensitive (the RFC says so);
//! - trailing spaces, tabs and CRs at the end of the line are ignored;
//! - spaces after `FROM:` / `TO:` are ignored (`MAIL FROM: <a@b>`, common in old clients);
//! - several spaces after the verb, between arguments or between ESMTP parameters count as
//!   one;
//! - EHLO/HELO accept any printable argument (many clients send names that are not valid
//!   domains, such as `my_laptop`); [`HeloName::host`] tells whether it parsed as a domain or
//!   an address literal.
//!
//! Everything else is strict: a path must be in angle brackets, `<>` only in MAIL, bare
//! `<postmaster>` only in RCPT, commands without arguments refuse them, control characters
//! and invalid UTF-8 are refused.

use std::fmt;

use crate::address::{AddressError, ForwardPath, Host, ParsedPath, ReversePath};
use crate::params::{MailParams, ParamKeyword, RcptParams, parse_mail_params, parse_rcpt_params};

/// The command verbs Tern parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    /// EHLO
    Ehlo,
    /// HELO
    Helo,
    /// MAIL
    Mail,
    /// RCPT
    Rcpt,
    /// DATA
    Data,
    /// BDAT (RFC 3030)
    Bdat,
    /// RSET
    Rset,
    /// NOOP
    Noop,
    /// QUIT
    Quit,
    /// VRFY
    Vrfy,
    /// EXPN
    Expn,
    /// HELP
    Help,
    /// STARTTLS (RFC 3207)
    StartTls,
    /// AUTH (RFC 4954)
    Auth,
}

impl Verb {
    const ALL: [Verb; 14] = [
        Verb::Ehlo,
        Verb::Helo,
        Verb::Mail,
        Verb::Rcpt,
        Verb::Data,
        Verb::Bdat,
        Verb::Rset,
        Verb::Noop,
        Verb::Quit,
        Verb::Vrfy,
        Verb::Expn,
        Verb::Help,
        Verb::StartTls,
        Verb::Auth,
    ];

    /// The verb in upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Ehlo => "EHLO",
            Verb::Helo => "HELO",
            Verb::Mail => "MAIL",
            Verb::Rcpt => "RCPT",
            Verb::Data => "DATA",
            Verb::Bdat => "BDAT",
            Verb::Rset => "RSET",
            Verb::Noop => "NOOP",
            Verb::Quit => "QUIT",
            Verb::Vrfy => "VRFY",
            Verb::Expn => "EXPN",
            Verb::Help => "HELP",
            Verb::StartTls => "STARTTLS",
            Verb::Auth => "AUTH",
        }
    }

    /// Case-insensitive lookup.
    pub fn from_bytes(verb: &[u8]) -> Option<Verb> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str().as_bytes().eq_ignore_ascii_case(verb))
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Verbs of RFC 821/5321 and old extensions that Tern recognises but does not implement
/// (`502 5.5.1`).
const NOT_IMPLEMENTED: [&str; 8] = [
    "TURN", "ETRN", "ATRN", "SEND", "SOML", "SAML", "VERB", "XEXCH50",
];

/// The argument of EHLO / HELO, kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HeloName {
    text: String,
    host: Option<Host>,
}

impl HeloName {
    /// The argument as the client sent it (printable, no control characters).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The argument as a domain or address literal, if it is valid as one.
    pub fn host(&self) -> Option<&Host> {
        self.host.as_ref()
    }

    /// Whether the argument is a syntactically valid domain or address literal.
    pub fn is_valid(&self) -> bool {
        self.host.is_some()
    }
}

impl fmt::Display for HeloName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The optional initial response of AUTH (RFC 4954 §4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InitialResponse {
    /// `=`: an empty initial response.
    Empty,
    /// Base64 text, checked to be valid base64.
    Base64(String),
}

impl InitialResponse {
    /// The decoded response (empty for `=`).
    pub fn decode(&self) -> Result<Vec<u8>, crate::base64::Base64Error> {
        match self {
            InitialResponse::Empty => Ok(Vec::new()),
            InitialResponse::Base64(b) => crate::base64::decode(b),
        }
    }
}

/// A parsed SMTP command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Command {
    /// `EHLO name`
    Ehlo(HeloName),
    /// `HELO name`
    Helo(HeloName),
    /// `MAIL FROM:<path> [params]`
    Mail {
        /// The reverse path (`<>` allowed).
        from: ReversePath,
        /// ESMTP parameters.
        params: MailParams,
    },
    /// `RCPT TO:<path> [params]`
    Rcpt {
        /// The forward path (bare `<postmaster>` allowed).
        to: ForwardPath,
        /// ESMTP parameters.
        params: RcptParams,
    },
    /// `DATA`
    Data,
    /// `BDAT size [LAST]` (RFC 3030)
    Bdat {
        /// Exact number of octets that follow.
        size: u64,
        /// Whether this is the last chunk.
        last: bool,
    },
    /// `RSET`
    Rset,
    /// `NOOP [string]`
    Noop(Option<String>),
    /// `QUIT`
    Quit,
    /// `VRFY string`
    Vrfy(String),
    /// `EXPN string`
    Expn(String),
    /// `HELP [string]`
    Help(Option<String>),
    /// `STARTTLS`
    StartTls,
    /// `AUTH mechanism [initial-response]`
    Auth {
        /// The SASL mechanism, upper-cased.
        mechanism: String,
        /// The initial response, if sent.
        initial_response: Option<InitialResponse>,
    },
}

impl Command {
    /// The verb of this command.
    pub fn verb(&self) -> Verb {
        match self {
            Command::Ehlo(_) => Verb::Ehlo,
            Command::Helo(_) => Verb::Helo,
            Command::Mail { .. } => Verb::Mail,
            Command::Rcpt { .. } => Verb::Rcpt,
            Command::Data => Verb::Data,
            Command::Bdat { .. } => Verb::Bdat,
            Command::Rset => Verb::Rset,
            Command::Noop(_) => Verb::Noop,
            Command::Quit => Verb::Quit,
            Command::Vrfy(_) => Verb::Vrfy,
            Command::Expn(_) => Verb::Expn,
            Command::Help(_) => Verb::Help,
            Command::StartTls => Verb::StartTls,
            Command::Auth { .. } => Verb::Auth,
        }
    }
}

impl fmt::Display for Command {
    /// The command in wire form, without CRLF. `parse_command` of the output gives back an
    /// equal command.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Ehlo(h) => write!(f, "EHLO {h}"),
            Command::Helo(h) => write!(f, "HELO {h}"),
            Command::Mail { from, params } => write!(f, "MAIL FROM:{from}{params}"),
            Command::Rcpt { to, params } => write!(f, "RCPT TO:{to}{params}"),
            Command::Data => f.write_str("DATA"),
            Command::Bdat { size, last } => {
                write!(f, "BDAT {size}{}", if *last { " LAST" } else { "" })
            }
            Command::Rset => f.write_str("RSET"),
            Command::Noop(None) => f.write_str("NOOP"),
            Command::Noop(Some(s)) => write!(f, "NOOP {s}"),
            Command::Quit => f.write_str("QUIT"),
            Command::Vrfy(s) => write!(f, "VRFY {s}"),
            Command::Expn(s) => write!(f, "EXPN {s}"),
            Command::Help(None) => f.write_str("HELP"),
            Command::Help(Some(s)) => write!(f, "HELP {s}"),
            Command::StartTls => f.write_str("STARTTLS"),
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                write!(f, "AUTH {mechanism}")?;
                match initial_response {
                    None => Ok(()),
                    Some(InitialResponse::Empty) => f.write_str(" ="),
                    Some(InitialResponse::Base64(b)) => write!(f, " {b}"),
                }
            }
        }
    }
}

/// Traffic that is not SMTP at all: the server should answer once and close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NonSmtp {
    /// An HTTP request line (`GET `, `POST `, `HEAD `, `CONNECT `, `PUT `, `OPTIONS `,
    /// `DELETE `, `PATCH `, `TRACE `, or the HTTP/2 preface `PRI `).
    Http {
        /// The method, as sent.
        method: &'static str,
    },
    /// A TLS ClientHello sent to a plaintext port (first bytes 0x16 0x03).
    TlsHandshake,
}

const HTTP_METHODS: [&str; 10] = [
    "GET", "POST", "HEAD", "CONNECT", "PUT", "OPTIONS", "DELETE", "PATCH", "TRACE", "PRI",
];

/// Why a command line was refused. Each variant names the reply it should map to (in
/// the catalogue of `tern-codes`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CommandError {
    /// An empty line. → `500 5.5.2`
    Empty,
    /// Not SMTP (HTTP, TLS to the plaintext port). → `500 5.5.1` (or `221 2.0.0`), then
    /// close the connection.
    NonSmtp(NonSmtp),
    /// An unknown verb, echoed printable and cut to 32 characters. → `500 5.5.1`
    UnknownCommand {
        /// The verb as sent (sanitised).
        verb: String,
    },
    /// A verb Tern recognises but does not implement (TURN, ETRN, ...). → `502 5.5.1`
    NotImplemented {
        /// The verb.
        verb: &'static str,
    },
    /// The arguments are not valid UTF-8. → `501 5.5.2`
    InvalidUtf8 {
        /// The command.
        command: Verb,
    },
    /// A control character (NUL, tab, bare CR, ...) inside the arguments. → `501 5.5.2`
    ControlCharacter {
        /// The command.
        command: Verb,
        /// Byte offset in the line.
        offset: usize,
    },
    /// A required argument is missing. → `501 5.5.4`
    MissingArgument {
        /// The command.
        command: Verb,
        /// What was expected.
        expected: &'static str,
    },
    /// Arguments given to a command that takes none (DATA, RSET, QUIT, STARTTLS), or too
    /// many. → `501 5.5.4`
    UnexpectedArgument {
        /// The command.
        command: Verb,
    },
    /// The command's own syntax is wrong (not `FROM:`, BDAT size not a number, bad AUTH
    /// mechanism ...). → `501 5.5.4` (`5.5.2` also fits)
    Syntax {
        /// The command.
        command: Verb,
        /// What was expected.
        expected: &'static str,
        /// Byte offset in the line.
        offset: usize,
    },
    /// The address in MAIL or RCPT is malformed. → `501 5.1.7` (MAIL) / `501 5.1.3` (RCPT)
    Address {
        /// MAIL or RCPT.
        command: Verb,
        /// What was wrong, with its offset in the line.
        error: AddressError,
    },
    /// `RCPT TO:<>`. → `501 5.1.3`
    NullRecipient,
    /// An ESMTP parameter Tern does not know. → `555 5.5.4`
    UnknownParam {
        /// MAIL or RCPT.
        command: Verb,
        /// The keyword, upper-cased (only letters, digits and '-').
        keyword: String,
    },
    /// A known parameter on the wrong command (`NOTIFY` on MAIL, `SIZE` on RCPT).
    /// → `555 5.5.4`
    ParamNotAllowed {
        /// MAIL or RCPT.
        command: Verb,
        /// The keyword.
        keyword: ParamKeyword,
    },
    /// The same parameter twice. → `501 5.5.4`
    DuplicateParam {
        /// MAIL or RCPT.
        command: Verb,
        /// The keyword.
        keyword: ParamKeyword,
    },
    /// A parameter value that is malformed. → `501 5.5.4`
    BadParamValue {
        /// MAIL or RCPT.
        command: Verb,
        /// The keyword.
        keyword: ParamKeyword,
        /// What was expected ("SIZE must be a decimal number ...").
        expected: &'static str,
    },
    /// A well-formed value Tern does not support (`BODY=9BIT`). → `504 5.5.4`
    UnsupportedParamValue {
        /// MAIL or RCPT.
        command: Verb,
        /// The keyword.
        keyword: ParamKeyword,
        /// The value (printable, cut to 64 characters).
        value: String,
    },
    /// Text after the path that is not a valid parameter list. → `501 5.5.4`
    BadParamSyntax {
        /// MAIL or RCPT.
        command: Verb,
        /// What was expected.
        expected: &'static str,
        /// Byte offset in the line.
        offset: usize,
    },
}

impl CommandError {
    /// The verb of the refused command, when it was recognised.
    pub fn verb(&self) -> Option<Verb> {
        match self {
            CommandError::Empty
            | CommandError::NonSmtp(_)
            | CommandError::UnknownCommand { .. }
            | CommandError::NotImplemented { .. } => None,
            CommandError::NullRecipient => Some(Verb::Rcpt),
            CommandError::InvalidUtf8 { command }
            | CommandError::ControlCharacter { command, .. }
            | CommandError::MissingArgument { command, .. }
            | CommandError::UnexpectedArgument { command }
            | CommandError::Syntax { command, .. }
            | CommandError::Address { command, .. }
            | CommandError::UnknownParam { command, .. }
            | CommandError::ParamNotAllowed { command, .. }
            | CommandError::DuplicateParam { command, .. }
            | CommandError::BadParamValue { command, .. }
            | CommandError::UnsupportedParamValue { command, .. }
            | CommandError::BadParamSyntax { command, .. } => Some(*command),
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Empty => f.write_str("empty command line"),
            CommandError::NonSmtp(NonSmtp::Http { method }) => {
                write!(
                    f,
                    "this is an SMTP server, not an HTTP server ({method} request)"
                )
            }
            CommandError::NonSmtp(NonSmtp::TlsHandshake) => {
                f.write_str("TLS handshake on a plaintext SMTP port; use STARTTLS")
            }
            CommandError::UnknownCommand { verb } => write!(f, "unknown command '{verb}'"),
            CommandError::NotImplemented { verb } => write!(f, "{verb} is not implemented"),
            CommandError::InvalidUtf8 { command } => {
                write!(f, "{command} arguments must be valid UTF-8")
            }
            CommandError::ControlCharacter { command, .. } => {
                write!(f, "{command} arguments must not contain control characters")
            }
            CommandError::MissingArgument { expected, .. } => f.write_str(expected),
            CommandError::UnexpectedArgument { command } => match command {
                Verb::Auth => {
                    f.write_str("AUTH takes a mechanism and at most one initial response")
                }
                Verb::Bdat => f.write_str("BDAT takes a size and optionally LAST"),
                _ => write!(f, "{command} takes no arguments"),
            },
            CommandError::Syntax { expected, .. } => f.write_str(expected),
            CommandError::Address { error, .. } => error.fmt(f),
            CommandError::NullRecipient => {
                f.write_str("the null path <> is only allowed in MAIL FROM, not as a recipient")
            }
            CommandError::UnknownParam { command, keyword } => {
                write!(f, "{command} parameter {keyword} is not recognised")
            }
            CommandError::ParamNotAllowed { command, keyword } => write!(
                f,
                "{keyword} is a {} parameter, not a {command} parameter",
                keyword.command()
            ),
            CommandError::DuplicateParam { keyword, .. } => {
                write!(f, "{keyword} given more than once")
            }
            CommandError::BadParamValue { expected, .. } => f.write_str(expected),
            CommandError::UnsupportedParamValue { keyword, value, .. } => {
                write!(f, "{keyword}={value} is not supported")
            }
            CommandError::BadParamSyntax { expected, .. } => f.write_str(expected),
        }
    }
}

impl std::error::Error for CommandError {}

fn sanitize_verb(v: &[u8]) -> String {
    v.iter()
        .take(32)
        .map(|&b| {
            if b.is_ascii_graphic() {
                char::from(b)
            } else {
                '?'
            }
        })
        .collect()
}

fn non_smtp(line: &[u8]) -> Option<NonSmtp> {
    if line.starts_with(&[0x16, 0x03]) {
        return Some(NonSmtp::TlsHandshake);
    }
    HTTP_METHODS.into_iter().find_map(|m| {
        let rest = line.strip_prefix(m.as_bytes())?;
        (rest.first() == Some(&b' ')).then_some(NonSmtp::Http { method: m })
    })
}

/// Parses one command line, without its CRLF.
///
/// Never panics, whatever the bytes.
pub fn parse_command(line: &[u8]) -> Result<Command, CommandError> {
    if let Some(n) = non_smtp(line) {
        return Err(CommandError::NonSmtp(n));
    }
    let end = line
        .iter()
        .rposition(|&b| !matches!(b, b' ' | b'\t' | b'\r'))
        .map_or(0, |p| p + 1);
    let line = line.get(..end).unwrap_or_default();
    if line.is_empty() {
        return Err(CommandError::Empty);
    }
    let verb_end = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
    let verb_bytes = line.get(..verb_end).unwrap_or_default();
    let Some(verb) = Verb::from_bytes(verb_bytes) else {
        if let Some(v) = NOT_IMPLEMENTED
            .into_iter()
            .find(|v| v.as_bytes().eq_ignore_ascii_case(verb_bytes))
        {
            return Err(CommandError::NotImplemented { verb: v });
        }
        return Err(CommandError::UnknownCommand {
            verb: sanitize_verb(verb_bytes),
        });
    };
    // Arguments start after the spaces following the verb (one is the rule; more are
    // tolerated).
    let spaces = line
        .get(verb_end..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| b == b' ')
        .count();
    let base = verb_end + spaces;
    let args = line.get(base..).unwrap_or_default();
    let args =
        std::str::from_utf8(args).map_err(|_| CommandError::InvalidUtf8 { command: verb })?;
    // C0, DEL, and (in UTF-8) C1 control characters.
    let control = if args.is_ascii() {
        args.bytes().position(|b| b.is_ascii_control())
    } else {
        args.char_indices()
            .find(|(_, c)| c.is_control())
            .map(|(p, _)| p)
    };
    if let Some(p) = control {
        return Err(CommandError::ControlCharacter {
            command: verb,
            offset: base + p,
        });
    }
    parse_args(verb, args, base)
}

fn no_args(verb: Verb, args: &str, cmd: Command) -> Result<Command, CommandError> {
    if args.is_empty() {
        Ok(cmd)
    } else {
        Err(CommandError::UnexpectedArgument { command: verb })
    }
}

fn optional_text(args: &str) -> Option<String> {
    let t = args.trim_start_matches(' ');
    (!t.is_empty()).then(|| t.to_owned())
}

fn parse_args(verb: Verb, args: &str, base: usize) -> Result<Command, CommandError> {
    match verb {
        Verb::Ehlo | Verb::Helo => {
            let text = args.trim_start_matches(' ');
            if text.is_empty() {
                return Err(CommandError::MissingArgument {
                    command: verb,
                    expected: if verb == Verb::Ehlo {
                        "EHLO requires your domain name or address literal"
                    } else {
                        "HELO requires your domain name or address literal"
                    },
                });
            }
            let name = HeloName {
                text: text.to_owned(),
                host: Host::parse(text).ok(),
            };
            Ok(if verb == Verb::Ehlo {
                Command::Ehlo(name)
            } else {
                Command::Helo(name)
            })
        }
        Verb::Mail => parse_mail(args, base),
        Verb::Rcpt => parse_rcpt(args, base),
        Verb::Data => no_args(verb, args, Command::Data),
        Verb::Rset => no_args(verb, args, Command::Rset),
        Verb::Quit => no_args(verb, args, Command::Quit),
        Verb::StartTls => no_args(verb, args, Command::StartTls),
        Verb::Noop => Ok(Command::Noop(optional_text(args))),
        Verb::Help => Ok(Command::Help(optional_text(args))),
        Verb::Vrfy | Verb::Expn => {
            let text = optional_text(args).ok_or(CommandError::MissingArgument {
                command: verb,
                expected: if verb == Verb::Vrfy {
                    "VRFY requires a user name or mailbox"
                } else {
                    "EXPN requires a mailing list name"
                },
            })?;
            Ok(if verb == Verb::Vrfy {
                Command::Vrfy(text)
            } else {
                Command::Expn(text)
            })
        }
        Verb::Bdat => parse_bdat(args, base),
        Verb::Auth => parse_auth(args, base),
    }
}

/// Splits `args` on spaces (several count as one), with offsets in the line.
fn words(args: &str, base: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = base;
    args.split(' ').filter_map(move |w| {
        let at = offset;
        offset += w.len() + 1;
        (!w.is_empty()).then_some((at, w))
    })
}

fn parse_bdat(args: &str, base: usize) -> Result<Command, CommandError> {
    let mut w = words(args, base);
    let Some((at, size)) = w.next() else {
        return Err(CommandError::MissingArgument {
            command: Verb::Bdat,
            expected: "BDAT requires the chunk size in octets",
        });
    };
    let size = crate::params::size_value(size).ok_or(CommandError::Syntax {
        command: Verb::Bdat,
        expected: "the BDAT chunk size must be a decimal number of at most 20 digits",
        offset: at,
    })?;
    let last = match w.next() {
        None => false,
        Some((_, l)) if l.eq_ignore_ascii_case("LAST") => true,
        Some((at, _)) => {
            return Err(CommandError::Syntax {
                command: Verb::Bdat,
                expected: "expected LAST or nothing after the BDAT chunk size",
                offset: at,
            });
        }
    };
    if w.next().is_some() {
        return Err(CommandError::UnexpectedArgument {
            command: Verb::Bdat,
        });
    }
    Ok(Command::Bdat { size, last })
}

fn is_base64(s: &str) -> bool {
    crate::base64::decode(s).is_ok()
}

fn parse_auth(args: &str, base: usize) -> Result<Command, CommandError> {
    let mut w = words(args, base);
    let Some((at, mech)) = w.next() else {
        return Err(CommandError::MissingArgument {
            command: Verb::Auth,
            expected: "AUTH requires a SASL mechanism name",
        });
    };
    // RFC 4422 §3.1: 1*20 of upper-case letters, digits, '-' and '_' (accepted in any case).
    let mech_ok = mech.len() <= 20
        && mech
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !mech_ok {
        return Err(CommandError::Syntax {
            command: Verb::Auth,
            expected: "a SASL mechanism name is 1 to 20 letters, digits, '-' or '_'",
            offset: at,
        });
    }
    let initial_response = match w.next() {
        None => None,
        Some((_, "=")) => Some(InitialResponse::Empty),
        Some((_, r)) if is_base64(r) => Some(InitialResponse::Base64(r.to_owned())),
        Some((at, _)) => {
            return Err(CommandError::Syntax {
                command: Verb::Auth,
                expected: "the initial response must be base64 or '='",
                offset: at,
            });
        }
    };
    if w.next().is_some() {
        return Err(CommandError::UnexpectedArgument {
            command: Verb::Auth,
        });
    }
    Ok(Command::Auth {
        mechanism: mech.to_ascii_uppercase(),
        initial_response,
    })
}

/// Parses `KEYWORD:` (case-insensitive), optional spaces, then the path; returns the path
/// and where the rest begins.
fn path_part(
    verb: Verb,
    args: &str,
    base: usize,
    keyword: &'static str,
    expected: &'static str,
) -> Result<(ParsedPath, usize), CommandError> {
    let has_kw = args
        .get(..keyword.len())
        .is_some_and(|k| k.eq_ignore_ascii_case(keyword));
    if !has_kw {
        return Err(if args.is_empty() {
            CommandError::MissingArgument {
                command: verb,
                expected,
            }
        } else {
            CommandError::Syntax {
                command: verb,
                expected,
                offset: base,
            }
        });
    }
    let mut start = keyword.len();
    // Tolerated: spaces between the colon and the path.
    while args.as_bytes().get(start) == Some(&b' ') {
        start += 1;
    }
    crate::address::parse_path_at(args, start).map_err(|e| CommandError::Address {
        command: verb,
        error: e.shifted(base),
    })
}

/// After the path: nothing, or at least one space and parameters.
fn params_start(verb: Verb, args: &str, end: usize, base: usize) -> Result<&str, CommandError> {
    let rest = args.get(end..).unwrap_or_default();
    if rest.is_empty() || rest.starts_with(' ') {
        Ok(rest)
    } else {
        Err(CommandError::Address {
            command: verb,
            error: AddressError::new(
                "expected a space and ESMTP parameters after the address",
                base + end,
            ),
        })
    }
}

fn parse_mail(args: &str, base: usize) -> Result<Command, CommandError> {
    let (path, end) = path_part(
        Verb::Mail,
        args,
        base,
        "FROM:",
        "expected 'FROM:<address>' after MAIL",
    )?;
    let from = match path {
        ParsedPath::Null => ReversePath::Null,
        ParsedPath::Path(p) => ReversePath::Path(p),
        ParsedPath::BarePostmaster => {
            return Err(CommandError::Address {
                command: Verb::Mail,
                error: AddressError::new("expected '@' after the local part", base + end - 1),
            });
        }
    };
    let rest = params_start(Verb::Mail, args, end, base)?;
    let params = parse_mail_params(rest, base + end)?;
    Ok(Command::Mail { from, params })
}

fn parse_rcpt(args: &str, base: usize) -> Result<Command, CommandError> {
    let (path, end) = path_part(
        Verb::Rcpt,
        args,
        base,
        "TO:",
        "expected 'TO:<address>' after RCPT",
    )?;
    let to = match path {
        ParsedPath::Null => return Err(CommandError::NullRecipient),
        ParsedPath::BarePostmaster => ForwardPath::Postmaster,
        ParsedPath::Path(p) => ForwardPath::Path(p),
    };
    let rest = params_start(Verb::Rcpt, args, end, base)?;
    let params = parse_rcpt_params(rest, base + end)?;
    Ok(Command::Rcpt { to, params })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{BodyType, MailAuth, Notify, Ret};

    fn ok(s: &str) -> Command {
        match parse_command(s.as_bytes()) {
            Ok(c) => c,
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    fn err(s: &str) -> CommandError {
        match parse_command(s.as_bytes()) {
            Ok(c) => panic!("{s:?} parsed as {c:?}"),
            Err(e) => e,
        }
    }

    fn msg(s: &str) -> String {
        err(s).to_string()
    }

    #[test]
    fn simple_verbs_any_case() {
        assert_eq!(ok("DATA"), Command::Data);
        assert_eq!(ok("data"), Command::Data);
        assert_eq!(ok("RsEt"), Command::Rset);
        assert_eq!(ok("QUIT  "), Command::Quit);
        assert_eq!(ok("STARTTLS\r"), Command::StartTls);
        assert_eq!(ok("NOOP"), Command::Noop(None));
        assert_eq!(
            ok("NOOP hello there"),
            Command::Noop(Some("hello there".into()))
        );
        assert_eq!(ok("HELP"), Command::Help(None));
        assert_eq!(ok("help MAIL"), Command::Help(Some("MAIL".into())));
        assert_eq!(ok("VRFY postmaster"), Command::Vrfy("postmaster".into()));
        assert_eq!(ok("EXPN staff"), Command::Expn("staff".into()));
        assert_eq!(
            err("DATA x"),
            CommandError::UnexpectedArgument {
                command: Verb::Data
            }
        );
        assert_eq!(msg("QUIT now"), "QUIT takes no arguments");
        assert!(matches!(
            err("VRFY"),
            CommandError::MissingArgument {
                command: Verb::Vrfy,
                ..
            }
        ));
    }

    #[test]
    fn ehlo_is_tolerant_but_records_validity() {
        let Command::Ehlo(h) = ok("EHLO mail.example.org") else {
            panic!()
        };
        assert!(h.is_valid());
        assert_eq!(h.as_str(), "mail.example.org");
        let Command::Helo(h) = ok("HELO [192.0.2.1]") else {
            panic!()
        };
        assert!(matches!(h.host(), Some(Host::Literal(_))));
        let Command::Ehlo(h) = ok("EHLO my_laptop") else {
            panic!()
        };
        assert!(!h.is_valid());
        assert_eq!(h.to_string(), "my_laptop");
        let Command::Ehlo(h) = ok("EHLO  two words") else {
            panic!()
        };
        assert_eq!(h.as_str(), "two words");
        assert_eq!(
            msg("EHLO"),
            "EHLO requires your domain name or address literal"
        );
        assert_eq!(
            msg("HELO   "),
            "HELO requires your domain name or address literal"
        );
        assert!(matches!(
            err("EHLO a\0b"),
            CommandError::ControlCharacter { offset: 6, .. }
        ));
        assert_eq!(
            err("EHLO a\tb"),
            CommandError::ControlCharacter {
                command: Verb::Ehlo,
                offset: 6
            }
        );
        assert_eq!(
            err("EHLO \u{1}"),
            CommandError::ControlCharacter {
                command: Verb::Ehlo,
                offset: 5
            }
        );
        assert_eq!(
            parse_command(b"EHLO \xff"),
            Err(CommandError::InvalidUtf8 {
                command: Verb::Ehlo
            })
        );
        assert_eq!(
            err("VRFY a\u{85}"),
            CommandError::ControlCharacter {
                command: Verb::Vrfy,
                offset: 6
            }
        );
    }

    #[test]
    fn mail_from() {
        let Command::Mail { from, params } = ok("MAIL FROM:<a@example.org>") else {
            panic!()
        };
        assert_eq!(from.to_string(), "<a@example.org>");
        assert_eq!(params, MailParams::default());
        assert_eq!(
            ok("mail from:<>"),
            Command::Mail {
                from: ReversePath::Null,
                params: MailParams::default()
            }
        );
        // Tolerated: spaces after the colon.
        assert_eq!(ok("MAIL FROM: <a@b>"), ok("MAIL FROM:<a@b>"));
        assert_eq!(ok("MAIL FROM:   <>"), ok("MAIL FROM:<>"));
        assert_eq!(ok("MAIL  FROM:<a@b>"), ok("MAIL FROM:<a@b>"));
        assert_eq!(
            msg("MAIL FROM :<a@b>"),
            "expected 'FROM:<address>' after MAIL"
        );
        assert_eq!(msg("MAIL FROM:a@b"), "expected '<' to start the address");
        assert_eq!(msg("MAIL FROM:"), "expected '<' to start the address");
        assert_eq!(msg("MAIL TO:<a@b>"), "expected 'FROM:<address>' after MAIL");
        assert_eq!(msg("MAIL"), "expected 'FROM:<address>' after MAIL");
        assert!(matches!(err("MAIL"), CommandError::MissingArgument { .. }));
        assert_eq!(
            msg("MAIL FROM <a@b>"),
            "expected 'FROM:<address>' after MAIL"
        );
        assert_eq!(
            msg("MAIL FROM:<postmaster>"),
            "expected '@' after the local part"
        );
        assert_eq!(
            msg("MAIL FROM:<a@b>SIZE=1"),
            "expected a space and ESMTP parameters after the address"
        );
        let e = err("MAIL FROM:<a@b");
        let CommandError::Address {
            command: Verb::Mail,
            error,
        } = e
        else {
            panic!("{e:?}")
        };
        assert_eq!(error.offset(), 14);
    }

    #[test]
    fn rcpt_to() {
        assert_eq!(
            ok("RCPT TO:<Postmaster>"),
            Command::Rcpt {
                to: ForwardPath::Postmaster,
                params: RcptParams::default()
            }
        );
        assert_eq!(
            ok("rcpt to:<postmaster>").to_string(),
            "RCPT TO:<postmaster>"
        );
        let Command::Rcpt { to, .. } = ok("RCPT TO:<postmaster@example.org>") else {
            panic!()
        };
        assert!(to.mailbox().is_some());
        assert_eq!(err("RCPT TO:<>"), CommandError::NullRecipient);
        let Command::Rcpt {
            to: ForwardPath::Path(p),
            ..
        } = ok("RCPT TO:<@relay.example:u@example.org>")
        else {
            panic!()
        };
        assert!(p.has_source_route());
        let Command::Rcpt { to, .. } = ok("RCPT TO:<δοκιμή@παράδειγμα.δοκιμή>")
        else {
            panic!()
        };
        assert!(!to.is_ascii());
        assert_eq!(msg("RCPT FROM:<a@b>"), "expected 'TO:<address>' after RCPT");
    }

    #[test]
    fn mail_parameters() {
        let Command::Mail { params, .. } =
            ok("MAIL FROM:<a@b> size=1000  BODY=8bitmime SMTPUTF8 RET=HDRS ENVID=QQ+2B1 AUTH=<>")
        else {
            panic!()
        };
        assert_eq!(params.size, Some(1000));
        assert_eq!(params.body, Some(BodyType::EightBitMime));
        assert!(params.smtputf8);
        assert_eq!(params.ret, Some(Ret::Headers));
        assert_eq!(params.envid.as_deref(), Some("QQ+1"));
        assert_eq!(params.auth, Some(MailAuth::Unknown));
        let Command::Mail { params, .. } = ok("MAIL FROM:<a@b> AUTH=e+2Bf@example.org") else {
            panic!()
        };
        let Some(MailAuth::Mailbox(m)) = params.auth else {
            panic!()
        };
        assert_eq!(m.to_string(), "e+f@example.org");
        let Command::Mail { params, .. } = ok("MAIL FROM:<a@b> SIZE=99999999999999999999") else {
            panic!()
        };
        assert_eq!(params.size, Some(u64::MAX));
        assert!(matches!(
            err("MAIL FROM:<a@b> BODY=BINARYMIME BODY7=x-"),
            CommandError::UnknownParam { ref keyword, .. } if keyword == "BODY7"
        ));
    }

    #[test]
    fn parameter_errors_are_distinct() {
        assert_eq!(
            err("MAIL FROM:<a@b> FOO=bar"),
            CommandError::UnknownParam {
                command: Verb::Mail,
                keyword: "FOO".into()
            }
        );
        assert_eq!(
            err("MAIL FROM:<a@b> NOTIFY=NEVER"),
            CommandError::ParamNotAllowed {
                command: Verb::Mail,
                keyword: ParamKeyword::Notify
            }
        );
        assert_eq!(
            err("RCPT TO:<a@b> SIZE=10"),
            CommandError::ParamNotAllowed {
                command: Verb::Rcpt,
                keyword: ParamKeyword::Size
            }
        );
        assert_eq!(
            err("MAIL FROM:<a@b> SIZE=1 size=2"),
            CommandError::DuplicateParam {
                command: Verb::Mail,
                keyword: ParamKeyword::Size
            }
        );
        assert_eq!(
            msg("MAIL FROM:<a@b> SIZE=ten"),
            "SIZE must be a decimal number of at most 20 digits"
        );
        assert_eq!(
            msg("MAIL FROM:<a@b> SIZE"),
            "SIZE must be a decimal number of at most 20 digits"
        );
        assert_eq!(
            msg("MAIL FROM:<a@b> SIZE=123456789012345678901"),
            "SIZE must be a decimal number of at most 20 digits"
        );
        assert_eq!(
            msg("MAIL FROM:<a@b> SMTPUTF8=yes"),
            "SMTPUTF8 takes no value"
        );
        assert_eq!(msg("MAIL FROM:<a@b> RET=ALL"), "RET must be FULL or HDRS");
        assert!(
            matches!(err("MAIL FROM:<a@b> BODY=9BIT"), CommandError::UnsupportedParamValue { ref value, .. } if value == "9BIT")
        );
        assert!(matches!(
            err("MAIL FROM:<a@b> ENVID=a+2b"),
            CommandError::BadParamValue {
                keyword: ParamKeyword::Envid,
                ..
            }
        ));
        assert!(matches!(
            err("MAIL FROM:<a@b> ENVID=+00"),
            CommandError::BadParamValue {
                keyword: ParamKeyword::Envid,
                ..
            }
        ));
        let long = format!("MAIL FROM:<a@b> ENVID={}", "x".repeat(101));
        assert!(matches!(
            err(&long),
            CommandError::BadParamValue {
                keyword: ParamKeyword::Envid,
                ..
            }
        ));
        assert!(matches!(
            err("MAIL FROM:<a@b> AUTH=nobody"),
            CommandError::BadParamValue {
                keyword: ParamKeyword::Auth,
                ..
            }
        ));
        assert!(matches!(
            err("MAIL FROM:<a@b> -X=1"),
            CommandError::BadParamSyntax { offset: 16, .. }
        ));
        assert!(matches!(
            err("MAIL FROM:<a@b> SIZE="),
            CommandError::BadParamValue { .. }
        ));
        assert!(matches!(
            err("MAIL FROM:<a@b> X-FOO==1"),
            CommandError::UnknownParam { .. }
        ));
        assert!(matches!(
            err("MAIL FROM:<a@b> SIZE==1"),
            CommandError::BadParamValue { .. }
        ));
        assert_eq!(
            msg("MAIL FROM:<a@b> NOTIFY=NEVER"),
            "NOTIFY is a RCPT parameter, not a MAIL parameter"
        );
    }

    #[test]
    fn rcpt_parameters() {
        let Command::Rcpt { params, .. } =
            ok("RCPT TO:<a@b> NOTIFY=success,DELAY ORCPT=rfc822;a+2Bb@example.org")
        else {
            panic!()
        };
        assert_eq!(
            params.notify,
            Some(Notify::On {
                success: true,
                failure: false,
                delay: true
            })
        );
        let o = params.orcpt.as_ref().unwrap();
        assert_eq!(o.addr_type, "rfc822");
        assert_eq!(o.address, "a+b@example.org");
        let Command::Rcpt { params, .. } = ok("RCPT TO:<a@b> NOTIFY=NEVER") else {
            panic!()
        };
        assert_eq!(params.notify, Some(Notify::Never));
        let e = "NOTIFY must be NEVER or a comma-separated list of SUCCESS, FAILURE, DELAY";
        assert_eq!(msg("RCPT TO:<a@b> NOTIFY=NEVER,SUCCESS"), e);
        assert_eq!(msg("RCPT TO:<a@b> NOTIFY=SUCCESS,"), e);
        assert_eq!(msg("RCPT TO:<a@b> NOTIFY=SOMETIMES"), e);
        assert!(matches!(
            err("RCPT TO:<a@b> ORCPT=rfc822"),
            CommandError::BadParamValue {
                keyword: ParamKeyword::Orcpt,
                ..
            }
        ));
        assert!(matches!(
            err("RCPT TO:<a@b> ORCPT=rfc822;a+0Ab"),
            CommandError::BadParamValue { .. }
        ));
        assert!(matches!(
            err("RCPT TO:<a@b> ORCPT=rfc822;é@b"),
            CommandError::BadParamValue { .. }
        ));
        let Command::Rcpt { params, .. } = ok("RCPT TO:<a@b> ORCPT=utf-8;é@b") else {
            panic!()
        };
        assert_eq!(params.orcpt.unwrap().address, "é@b");
    }

    #[test]
    fn bdat_and_auth() {
        assert_eq!(
            ok("BDAT 1000"),
            Command::Bdat {
                size: 1000,
                last: false
            }
        );
        assert_eq!(
            ok("bdat 0 last"),
            Command::Bdat {
                size: 0,
                last: true
            }
        );
        assert_eq!(
            ok("BDAT 18446744073709551615 LAST"),
            Command::Bdat {
                size: u64::MAX,
                last: true
            }
        );
        // 20 digits past u64::MAX: valid syntax, too large for any limit (as SIZE=).
        assert_eq!(
            ok("BDAT 99999999999999999999"),
            Command::Bdat {
                size: u64::MAX,
                last: false
            }
        );
        for bad in [
            "BDAT 123456789012345678901",
            "BDAT -1",
            "BDAT 12x",
            "BDAT +5",
        ] {
            assert_eq!(
                msg(bad),
                "the BDAT chunk size must be a decimal number of at most 20 digits",
                "{bad}"
            );
        }
        assert_eq!(
            msg("BDAT 1 FIRST"),
            "expected LAST or nothing after the BDAT chunk size"
        );
        assert_eq!(
            msg("BDAT 1 LAST x"),
            "BDAT takes a size and optionally LAST"
        );
        assert!(matches!(err("BDAT"), CommandError::MissingArgument { .. }));

        assert_eq!(
            ok("auth plain"),
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial_response: None
            }
        );
        assert_eq!(
            ok("AUTH PLAIN ="),
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial_response: Some(InitialResponse::Empty)
            }
        );
        assert_eq!(
            ok("AUTH PLAIN AHRlc3QAdGVzdA=="),
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial_response: Some(InitialResponse::Base64("AHRlc3QAdGVzdA==".into()))
            }
        );
        assert_eq!(
            msg("AUTH PLAIN AHRlc3Q!"),
            "the initial response must be base64 or '='"
        );
        assert_eq!(
            msg("AUTH PLAIN abc"),
            "the initial response must be base64 or '='"
        );
        assert_eq!(
            msg("AUTH PLAIN a=bc"),
            "the initial response must be base64 or '='"
        );
        assert_eq!(
            msg("AUTH SCRAM-SHA-256-PLUS-EXTRA-LONG"),
            "a SASL mechanism name is 1 to 20 letters, digits, '-' or '_'"
        );
        assert_eq!(
            msg("AUTH PLAIN = x"),
            "AUTH takes a mechanism and at most one initial response"
        );
    }

    #[test]
    fn unknown_empty_and_non_smtp() {
        assert_eq!(err(""), CommandError::Empty);
        assert_eq!(err("  \r"), CommandError::Empty);
        assert_eq!(
            err("FOO bar"),
            CommandError::UnknownCommand { verb: "FOO".into() }
        );
        assert_eq!(
            err("MAIL\tFROM:<a@b>"),
            CommandError::UnknownCommand {
                verb: "MAIL?FROM:<a@b>".into()
            }
        );
        assert_eq!(
            err(" MAIL FROM:<a@b>"),
            CommandError::UnknownCommand { verb: "".into() }
        );
        assert_eq!(err("turn"), CommandError::NotImplemented { verb: "TURN" });
        assert_eq!(
            err("GET / HTTP/1.1"),
            CommandError::NonSmtp(NonSmtp::Http { method: "GET" })
        );
        assert_eq!(
            err("CONNECT example.org:443 HTTP/1.1"),
            CommandError::NonSmtp(NonSmtp::Http { method: "CONNECT" })
        );
        assert_eq!(
            err("POST /x HTTP/1.0"),
            CommandError::NonSmtp(NonSmtp::Http { method: "POST" })
        );
        assert!(matches!(
            err("get / HTTP/1.1"),
            CommandError::UnknownCommand { .. }
        ));
        assert_eq!(
            parse_command(b"\x16\x03\x01\x02\x00"),
            Err(CommandError::NonSmtp(NonSmtp::TlsHandshake))
        );
        let long = "X".repeat(100);
        let CommandError::UnknownCommand { verb } = err(&long) else {
            panic!()
        };
        assert_eq!(verb.len(), 32);
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "EHLO mail.example.org",
            "HELO [IPv6:::1]",
            "MAIL FROM:<> SIZE=10 BODY=BINARYMIME SMTPUTF8 RET=FULL ENVID=a+2Bb AUTH=<>",
            "MAIL FROM:<\"a b\"@[192.0.2.1]> AUTH=x+2By@z",
            "RCPT TO:<@a,@b:c@d> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+2By@z",
            "RCPT TO:<postmaster>",
            "BDAT 5 LAST",
            "AUTH LOGIN dXNlcg==",
            "AUTH EXTERNAL =",
            "NOOP x y",
        ] {
            let c = ok(s);
            assert_eq!(c.to_string(), s);
            assert_eq!(ok(&c.to_string()), c);
        }
    }
}
