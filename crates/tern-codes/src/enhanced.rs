//! Enhanced mail system status codes, `class.subject.detail` (RFC 3463, RFC 2034).

use std::fmt;
use std::str::FromStr;

use crate::registry;

/// An enhanced status code such as `5.1.1`, as Tern sends it or as any peer sent it.
///
/// The type is open: class 2, 4 or 5, subject and detail 0 to 999 (RFC 3463 §2 allows up to
/// three digits each). Codes in the IANA registry have a title and a description through
/// [`EnhancedCode::registered`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EnhancedCode {
    class: u8,
    subject: u16,
    detail: u16,
}

/// The subject, the middle number of an enhanced code (RFC 3463 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// X.0.XXX: no more information.
    Other,
    /// X.1.XXX: the sender's or the recipient's address.
    Addressing,
    /// X.2.XXX: the recipient's mailbox.
    Mailbox,
    /// X.3.XXX: the receiving mail system.
    MailSystem,
    /// X.4.XXX: the network or routing.
    NetworkRouting,
    /// X.5.XXX: the mail delivery protocol.
    Protocol,
    /// X.6.XXX: the message content or media.
    Content,
    /// X.7.XXX: security or policy.
    SecurityPolicy,
    /// A subject no RFC defines.
    Unknown(u16),
}

/// Why a text is not an enhanced status code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnhancedCodeError {
    /// Not three dot-separated numbers.
    NotThreeParts(String),
    /// A part is empty, not digits, or longer than three digits.
    BadNumber(String),
    /// The class is not 2, 4 or 5.
    BadClass(String),
}

impl fmt::Display for EnhancedCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnhancedCodeError::NotThreeParts(s) => write!(
                f,
                "an enhanced status code has three parts, class.subject.detail like 5.1.1; got {s:?}"
            ),
            EnhancedCodeError::BadNumber(s) => write!(
                f,
                "each part of an enhanced status code is 1 to 3 digits; got {s:?}"
            ),
            EnhancedCodeError::BadClass(s) => write!(
                f,
                "{s} is not an enhanced status code: the class (first number) must be 2, 4 or 5"
            ),
        }
    }
}

impl std::error::Error for EnhancedCodeError {}

impl EnhancedCode {
    /// A code from its parts, if the class is 2, 4 or 5 and subject and detail are at most 999.
    pub const fn new(class: u8, subject: u16, detail: u16) -> Option<EnhancedCode> {
        if matches!(class, 2 | 4 | 5) && subject <= 999 && detail <= 999 {
            Some(EnhancedCode {
                class,
                subject,
                detail,
            })
        } else {
            None
        }
    }

    /// A code known to be valid at compile time; used by the catalogue.
    ///
    /// # Panics
    /// At compile time (in a `const`) if the parts are out of range.
    pub const fn from_parts(class: u8, subject: u16, detail: u16) -> EnhancedCode {
        match EnhancedCode::new(class, subject, detail) {
            Some(code) => code,
            None => panic!("enhanced code out of range"),
        }
    }

    /// 2, 4 or 5.
    pub const fn class(self) -> u8 {
        self.class
    }

    /// The subject number.
    pub const fn subject_number(self) -> u16 {
        self.subject
    }

    /// The detail number.
    pub const fn detail(self) -> u16 {
        self.detail
    }

    /// The subject, named.
    pub const fn subject(self) -> Subject {
        Subject::from_number(self.subject)
    }

    /// The same subject and detail in another class, e.g. 4.2.2 for 5.2.2.
    pub const fn with_class(self, class: u8) -> Option<EnhancedCode> {
        EnhancedCode::new(class, self.subject, self.detail)
    }

    /// The IANA registry entry for `X.subject.detail`, if the code is registered.
    pub fn registered(self) -> Option<&'static registry::Registered> {
        registry::lookup(self.subject, self.detail)
    }

    /// What the class says, in RFC 3463 §3.1 terms.
    pub const fn class_meaning(self) -> &'static str {
        match self.class {
            2 => "Success",
            4 => "Persistent transient failure: sending again later may succeed",
            _ => "Permanent failure: sending again unchanged will fail",
        }
    }
}

impl Subject {
    /// The subject for a number.
    pub const fn from_number(n: u16) -> Subject {
        match n {
            0 => Subject::Other,
            1 => Subject::Addressing,
            2 => Subject::Mailbox,
            3 => Subject::MailSystem,
            4 => Subject::NetworkRouting,
            5 => Subject::Protocol,
            6 => Subject::Content,
            7 => Subject::SecurityPolicy,
            other => Subject::Unknown(other),
        }
    }

    /// The RFC 3463 name of the subject.
    pub const fn name(self) -> &'static str {
        match self {
            Subject::Other => "other or undefined status",
            Subject::Addressing => "addressing status",
            Subject::Mailbox => "mailbox status",
            Subject::MailSystem => "mail system status",
            Subject::NetworkRouting => "network and routing status",
            Subject::Protocol => "mail delivery protocol status",
            Subject::Content => "message content or media status",
            Subject::SecurityPolicy => "security or policy status",
            Subject::Unknown(_) => "unregistered subject",
        }
    }
}

impl FromStr for EnhancedCode {
    type Err = EnhancedCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split('.');
        let (Some(c), Some(sub), Some(det), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(EnhancedCodeError::NotThreeParts(s.to_owned()));
        };
        let number = |p: &str| -> Result<u16, EnhancedCodeError> {
            if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(EnhancedCodeError::BadNumber(s.to_owned()));
            }
            p.parse()
                .map_err(|_| EnhancedCodeError::BadNumber(s.to_owned()))
        };
        let (class, subject, detail) = (number(c)?, number(sub)?, number(det)?);
        u8::try_from(class)
            .ok()
            .and_then(|class| EnhancedCode::new(class, subject, detail))
            .ok_or_else(|| EnhancedCodeError::BadClass(s.to_owned()))
    }
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

impl fmt::Debug for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EnhancedCode({self})")
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for EnhancedCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_registered_codes() {
        let code: EnhancedCode = "5.1.1".parse().unwrap();
        assert_eq!(code.subject(), Subject::Addressing);
        assert_eq!(
            code.registered().unwrap().title,
            "Bad destination mailbox address"
        );
        let code: EnhancedCode = "4.7.28".parse().unwrap();
        assert_eq!(code.registered().unwrap().title, "Mail flood detected");
        assert_eq!(code.to_string(), "4.7.28");
    }

    #[test]
    fn keeps_unregistered_codes() {
        let code: EnhancedCode = "5.7.509".parse().unwrap();
        assert!(code.registered().is_none());
        assert_eq!(code.subject(), Subject::SecurityPolicy);
        let code: EnhancedCode = "4.9.1".parse().unwrap();
        assert_eq!(code.subject(), Subject::Unknown(9));
    }

    #[test]
    fn rejects_malformed() {
        assert!(matches!(
            "5.1".parse::<EnhancedCode>(),
            Err(EnhancedCodeError::NotThreeParts(_))
        ));
        assert!(matches!(
            "5.1.1.1".parse::<EnhancedCode>(),
            Err(EnhancedCodeError::NotThreeParts(_))
        ));
        assert!(matches!(
            "5..1".parse::<EnhancedCode>(),
            Err(EnhancedCodeError::BadNumber(_))
        ));
        assert!(matches!(
            "5.1.1000".parse::<EnhancedCode>(),
            Err(EnhancedCodeError::BadNumber(_))
        ));
        assert!(matches!(
            "3.1.1".parse::<EnhancedCode>(),
            Err(EnhancedCodeError::BadClass(_))
        ));
        assert!(matches!(
            "5.+1.1".parse::<EnhancedCode>(),
            Err(EnhancedCodeError::BadNumber(_))
        ));
    }
}
