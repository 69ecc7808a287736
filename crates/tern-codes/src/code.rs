//! The three-digit SMTP reply code (RFC 5321 §4.2).

use std::fmt;
use std::str::FromStr;

/// A three-digit SMTP reply code, as Tern sends it or as any peer sent it.
///
/// The type is open: it holds every value from 100 to 599, including codes no RFC defines,
/// because a remote server may send anything. Named constants cover the codes of
/// RFC 5321 §4.2.3 and the extensions Tern speaks (AUTH, STARTTLS).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplyCode(u16);

/// What the first digit says (RFC 5321 §4.2.1): what the client should do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReplyClass {
    /// 1yz: defined by the grammar, never used by SMTP.
    PositivePreliminary,
    /// 2yz: the action is complete.
    PositiveCompletion,
    /// 3yz: send more (the DATA body, an AUTH response).
    PositiveIntermediate,
    /// 4yz: not done now; the same request may succeed later.
    TransientNegative,
    /// 5yz: not done; repeating the same request will fail again.
    PermanentNegative,
}

/// What the second digit says (RFC 5321 §4.2.1): which part of the exchange the reply is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReplyCategory {
    /// x0z: syntax errors, unknown or unimplemented commands.
    Syntax,
    /// x1z: information (status, help).
    Information,
    /// x2z: the transmission channel.
    Connections,
    /// x3z and x4z: not specified by RFC 5321 (used by AUTH and others).
    Unspecified,
    /// x5z: the mail system: mailboxes, storage, policy.
    MailSystem,
    /// x6z–x9z: outside the grammar of RFC 5321.
    Nonstandard,
}

/// Why a text is not a reply code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeError {
    /// Not exactly three ASCII digits.
    NotThreeDigits(String),
    /// The first digit is 0, or 6 to 9.
    BadFirstDigit(String),
}

impl fmt::Display for CodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeError::NotThreeDigits(s) => {
                write!(f, "a reply code is three digits, like 550; got {s:?}")
            }
            CodeError::BadFirstDigit(s) => write!(
                f,
                "{s} is not a reply code: the first digit must be 2, 3, 4 or 5 \
                 (1 is reserved and unused by SMTP)"
            ),
        }
    }
}

impl std::error::Error for CodeError {}

macro_rules! named_codes {
    ($($name:ident = $value:literal, $meaning:literal;)*) => {
        impl ReplyCode {
            $(#[doc = $meaning] pub const $name: ReplyCode = ReplyCode($value);)*
        }

        /// The RFC name of a known code, such as "Requested action okay, completed".
        fn standard_meaning(code: u16) -> Option<&'static str> {
            match code {
                $($value => Some($meaning),)*
                _ => None,
            }
        }
    };
}

named_codes! {
    SYSTEM_STATUS = 211, "System status, or system help reply";
    HELP_MESSAGE = 214, "Help message";
    SERVICE_READY = 220, "Service ready";
    CLOSING = 221, "Service closing transmission channel";
    AUTH_SUCCEEDED = 235, "Authentication succeeded";
    OK = 250, "Requested mail action okay, completed";
    WILL_FORWARD = 251, "User not local; will forward";
    CANNOT_VERIFY = 252, "Cannot verify the user, but will accept the message and attempt delivery";
    AUTH_CONTINUE = 334, "Server challenge (AUTH continuation)";
    START_MAIL_INPUT = 354, "Start mail input";
    SERVICE_UNAVAILABLE = 421, "Service not available, closing transmission channel";
    PASSWORD_TRANSITION = 432, "A password transition is needed";
    MAILBOX_BUSY = 450, "Requested mail action not taken: mailbox unavailable (temporary)";
    LOCAL_ERROR = 451, "Requested action aborted: local error in processing";
    INSUFFICIENT_STORAGE = 452, "Requested action not taken: insufficient system storage";
    TEMPORARILY_UNAVAILABLE = 454, "TLS or authentication temporarily unavailable";
    PARAMS_NOT_ACCOMMODATED = 455, "Server unable to accommodate parameters";
    SYNTAX_ERROR = 500, "Syntax error, command unrecognized";
    PARAM_SYNTAX_ERROR = 501, "Syntax error in parameters or arguments";
    NOT_IMPLEMENTED = 502, "Command not implemented";
    BAD_SEQUENCE = 503, "Bad sequence of commands";
    PARAM_NOT_IMPLEMENTED = 504, "Command parameter not implemented";
    DOES_NOT_ACCEPT_MAIL = 521, "Server does not accept mail";
    AUTH_REQUIRED = 530, "Authentication required";
    AUTH_TOO_WEAK = 534, "Authentication mechanism is too weak";
    AUTH_INVALID = 535, "Authentication credentials invalid";
    ENCRYPTION_REQUIRED = 538, "Encryption required for requested authentication mechanism";
    MAILBOX_UNAVAILABLE = 550, "Requested action not taken: mailbox unavailable";
    USER_NOT_LOCAL = 551, "User not local; please try the forward path";
    EXCEEDED_STORAGE = 552, "Requested mail action aborted: exceeded storage allocation";
    MAILBOX_NAME_NOT_ALLOWED = 553, "Requested action not taken: mailbox name not allowed";
    TRANSACTION_FAILED = 554, "Transaction failed (or, in a greeting, no SMTP service here)";
    PARAMS_NOT_RECOGNIZED = 555, "MAIL FROM/RCPT TO parameters not recognized or not implemented";
    DOMAIN_DOES_NOT_ACCEPT_MAIL = 556, "Domain does not accept mail (null MX)";
}

impl ReplyCode {
    /// A code from its numeric value, if it is three digits with a first digit 1 to 5.
    pub const fn new(value: u16) -> Option<ReplyCode> {
        if value >= 100 && value <= 599 {
            Some(ReplyCode(value))
        } else {
            None
        }
    }

    /// The numeric value, 100 to 599.
    pub const fn value(self) -> u16 {
        self.0
    }

    /// The three digits.
    pub const fn digits(self) -> [u8; 3] {
        [
            (self.0 / 100) as u8,
            ((self.0 / 10) % 10) as u8,
            (self.0 % 10) as u8,
        ]
    }

    /// The class given by the first digit.
    pub const fn class(self) -> ReplyClass {
        match self.0 / 100 {
            1 => ReplyClass::PositivePreliminary,
            2 => ReplyClass::PositiveCompletion,
            3 => ReplyClass::PositiveIntermediate,
            4 => ReplyClass::TransientNegative,
            _ => ReplyClass::PermanentNegative,
        }
    }

    /// The category given by the second digit.
    pub const fn category(self) -> ReplyCategory {
        match (self.0 / 10) % 10 {
            0 => ReplyCategory::Syntax,
            1 => ReplyCategory::Information,
            2 => ReplyCategory::Connections,
            3 | 4 => ReplyCategory::Unspecified,
            5 => ReplyCategory::MailSystem,
            _ => ReplyCategory::Nonstandard,
        }
    }

    /// Whether the code follows the RFC 5321 §4.2 grammar (first digit 2–5, second 0–5).
    pub const fn is_standard_form(self) -> bool {
        let [first, second, _] = self.digits();
        first >= 2 && second <= 5
    }

    /// 2yz.
    pub const fn is_positive(self) -> bool {
        matches!(self.class(), ReplyClass::PositiveCompletion)
    }

    /// 4yz.
    pub const fn is_transient(self) -> bool {
        matches!(self.class(), ReplyClass::TransientNegative)
    }

    /// 5yz.
    pub const fn is_permanent(self) -> bool {
        matches!(self.class(), ReplyClass::PermanentNegative)
    }

    /// The name RFC 5321 (or the extension that defines it) gives this code, if any.
    pub fn standard_meaning(self) -> Option<&'static str> {
        standard_meaning(self.0)
    }
}

impl ReplyClass {
    /// A short name: "positive completion", "transient negative", ...
    pub const fn name(self) -> &'static str {
        match self {
            ReplyClass::PositivePreliminary => "positive preliminary (unused by SMTP)",
            ReplyClass::PositiveCompletion => "positive completion",
            ReplyClass::PositiveIntermediate => "positive intermediate",
            ReplyClass::TransientNegative => "transient negative",
            ReplyClass::PermanentNegative => "permanent negative",
        }
    }

    /// What a sender does on this class, in one sentence.
    pub const fn client_action(self) -> &'static str {
        match self {
            ReplyClass::PositivePreliminary => {
                "SMTP never uses 1yz replies; treat the exchange as broken."
            }
            ReplyClass::PositiveCompletion => "Done: the command was accepted.",
            ReplyClass::PositiveIntermediate => "Send the rest: the server waits for more input.",
            ReplyClass::TransientNegative => {
                "Keep the message and try again later; the same request may succeed."
            }
            ReplyClass::PermanentNegative => {
                "Stop: the same request will fail again until something is changed."
            }
        }
    }
}

impl ReplyCategory {
    /// A short name: "syntax", "mail system", ...
    pub const fn name(self) -> &'static str {
        match self {
            ReplyCategory::Syntax => "syntax",
            ReplyCategory::Information => "information",
            ReplyCategory::Connections => "connection",
            ReplyCategory::Unspecified => "unspecified",
            ReplyCategory::MailSystem => "mail system",
            ReplyCategory::Nonstandard => "non-standard",
        }
    }
}

impl FromStr for ReplyCode {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(CodeError::NotThreeDigits(s.to_owned()));
        }
        let value = bytes
            .iter()
            .fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'));
        ReplyCode::new(value).ok_or_else(|| CodeError::BadFirstDigit(s.to_owned()))
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

impl fmt::Debug for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReplyCode({})", self.0)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ReplyCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_classifies() {
        let code: ReplyCode = "452".parse().unwrap();
        assert_eq!(code, ReplyCode::INSUFFICIENT_STORAGE);
        assert_eq!(code.class(), ReplyClass::TransientNegative);
        assert_eq!(code.category(), ReplyCategory::MailSystem);
        assert_eq!(code.to_string(), "452");
        assert!(code.is_transient());
    }

    #[test]
    fn open_type_keeps_unknown_codes() {
        let code: ReplyCode = "599".parse().unwrap();
        assert_eq!(code.value(), 599);
        assert!(code.standard_meaning().is_none());
        assert!(!"580".parse::<ReplyCode>().unwrap().is_standard_form());
        assert!("199".parse::<ReplyCode>().is_ok());
    }

    #[test]
    fn rejects_what_is_not_a_code() {
        for bad in ["55", "5500", "", "abc", "5a0", "+50", " 55"] {
            assert!(
                matches!(bad.parse::<ReplyCode>(), Err(CodeError::NotThreeDigits(_))),
                "{bad}"
            );
        }
        for bad in ["650", "000", "099", "999"] {
            assert!(
                matches!(bad.parse::<ReplyCode>(), Err(CodeError::BadFirstDigit(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn named_codes_have_meanings() {
        assert_eq!(
            ReplyCode::OK.standard_meaning(),
            Some("Requested mail action okay, completed")
        );
        assert_eq!(
            ReplyCode::TRANSACTION_FAILED.category(),
            ReplyCategory::MailSystem
        );
    }
}
