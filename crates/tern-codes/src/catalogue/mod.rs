//! The catalogue: every reply Tern sends, with what it means and what to do about it.
//!
//! Each [`Entry`] is declared once in [`entries`]. The wire text, `tern explain`, bounce
//! texts and `docs/replies.md` all come from here; no other place in Tern writes reply text.
//! Wire texts may hold named placeholders such as `{address}`, filled by
//! [`Entry::reply_with`]; the names in use are listed in [`PLACEHOLDERS`].

mod entries;
mod help;
mod markdown;

pub use entries::*;
pub use help::{HELP_TOPICS, help_topic};
pub use markdown::markdown;

use std::fmt;

use crate::{EnhancedCode, Reply, ReplyCode};

/// Who has to do something so that the mail goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Actor {
    /// Nothing to do: the reply reports success or progress.
    Nobody,
    /// The person or program that sent the message.
    Sender,
    /// Whoever runs the sending mail system (or the client software's configuration).
    SenderAdmin,
    /// The recipient (e.g. a full mailbox).
    Recipient,
    /// Whoever runs the receiving mail system.
    RecipientAdmin,
}

impl Actor {
    /// A short phrase: "the sender", "the recipient's mail administrator", ...
    pub const fn describe(self) -> &'static str {
        match self {
            Actor::Nobody => "nobody",
            Actor::Sender => "the sender",
            Actor::SenderAdmin => "the sender's mail administrator",
            Actor::Recipient => "the recipient",
            Actor::RecipientAdmin => "the recipient's mail administrator",
        }
    }
}

/// Whether sending the same thing again can succeed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Retry {
    /// Nothing failed.
    NotNeeded,
    /// Yes: the condition is temporary; retry later, unchanged.
    Helps,
    /// No: the same request fails again until something is changed.
    Useless,
}

impl Retry {
    /// One sentence a person can act on.
    pub const fn describe(self) -> &'static str {
        match self {
            Retry::NotNeeded => "no retry needed",
            Retry::Helps => "yes: retrying later, unchanged, can succeed",
            Retry::Useless => "no: the same request fails again until something is changed",
        }
    }
}

/// One reply Tern can send.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Stable identifier, e.g. `rcpt.unknown_user`. Never reused for another meaning.
    pub id: &'static str,
    /// The basic code.
    pub code: ReplyCode,
    /// The enhanced status code (sent when ENHANCEDSTATUSCODES is in effect).
    pub enhanced: Option<EnhancedCode>,
    /// Why it is sent, in the taxonomy `explain` uses for every server's replies.
    pub cause: crate::cause::Cause,
    /// The wire text, possibly with `{placeholders}`; `\n` separates lines.
    pub text: &'static str,
    /// What it means, in plain words.
    pub meaning: &'static str,
    /// Who must act.
    pub actor: Actor,
    /// What to do.
    pub action: &'static str,
    /// Whether retrying can help.
    pub retry: Retry,
    /// Where the behaviour is specified.
    pub rfc: &'static str,
}

/// Every placeholder name a wire text may use.
pub const PLACEHOLDERS: &[&str] = &[
    "hostname",
    "client",
    "address",
    "forward_path",
    "queue_id",
    "size",
    "limit",
    "seconds",
    "rate",
    "command",
    "parameter",
    "detail",
    "value",
    "mechanism",
    "user",
    "ip",
    "challenge",
    "domain",
    "host",
    "days",
];

impl Entry {
    /// The reply with no placeholders filled (use for entries whose text has none).
    pub fn reply(&self) -> Reply {
        Reply::new(self.code, self.enhanced, self.text)
    }

    /// The reply with `{name}` placeholders replaced by the given values. Values are cleaned
    /// of control characters by [`Reply::new`], so a peer's input cannot forge reply lines.
    pub fn reply_with(&self, args: &[(&str, &str)]) -> Reply {
        let mut text = String::with_capacity(self.text.len() + 32);
        let mut rest = self.text;
        while let Some(open) = rest.find('{') {
            text.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let name = &after[..close];
                    match args.iter().find(|(k, _)| *k == name) {
                        Some((_, value)) => text.push_str(&value.replace('\n', " ")),
                        None => {
                            text.push('{');
                            text.push_str(name);
                            text.push('}');
                        }
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    text.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        text.push_str(rest);
        Reply::new(self.code, self.enhanced, &text)
    }

    /// The placeholder names used in the wire text, in order.
    pub fn placeholders(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        let mut rest = self.text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else { break };
            names.push(&after[..close]);
            rest = &after[close + 1..];
        }
        names
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Entry({} {}", self.id, self.code)?;
        if let Some(e) = self.enhanced {
            write!(f, " {e}")?;
        }
        write!(f, ")")
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Entry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Entry", 9)?;
        st.serialize_field("id", self.id)?;
        st.serialize_field("code", &self.code)?;
        st.serialize_field("enhanced", &self.enhanced)?;
        st.serialize_field("text", self.text)?;
        st.serialize_field("meaning", self.meaning)?;
        st.serialize_field("actor", &self.actor)?;
        st.serialize_field("action", self.action)?;
        st.serialize_field("retry", &self.retry)?;
        st.serialize_field("rfc", self.rfc)?;
        st.end()
    }
}

/// The entry with this id.
pub fn by_id(id: &str) -> Option<&'static Entry> {
    ALL.iter().copied().find(|e| e.id == id)
}

/// Every entry with this basic code.
pub fn by_code(code: ReplyCode) -> impl Iterator<Item = &'static Entry> {
    ALL.iter().copied().filter(move |e| e.code == code)
}

/// Every entry with this enhanced code.
pub fn by_enhanced(code: EnhancedCode) -> impl Iterator<Item = &'static Entry> {
    ALL.iter()
        .copied()
        .filter(move |e| e.enhanced == Some(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_complete_and_unique() {
        for (i, e) in ALL.iter().enumerate() {
            assert!(!e.id.is_empty(), "{e:?}");
            assert!(!e.meaning.trim().is_empty(), "{}: empty meaning", e.id);
            assert!(!e.action.trim().is_empty(), "{}: empty action", e.id);
            assert!(!e.rfc.trim().is_empty(), "{}: no RFC reference", e.id);
            assert!(e.code.is_standard_form(), "{}", e.id);
            for other in &ALL[i + 1..] {
                assert_ne!(e.id, other.id, "duplicate id");
            }
        }
    }

    #[test]
    fn basic_and_enhanced_classes_agree() {
        for e in ALL {
            if let Some(enh) = e.enhanced {
                assert_eq!(
                    e.code.digits()[0],
                    enh.class(),
                    "{}: {} vs {}",
                    e.id,
                    e.code,
                    enh
                );
            }
        }
    }

    #[test]
    fn retry_advice_follows_the_first_digit() {
        for e in ALL {
            let expected = match e.code.digits()[0] {
                2 | 3 => Retry::NotNeeded,
                4 => Retry::Helps,
                _ => Retry::Useless,
            };
            assert_eq!(e.retry, expected, "{}", e.id);
            let clears_by_itself =
                e.retry == Retry::Helps && e.cause.who_acts(true) == crate::WhoActs::Nobody;
            if e.retry == Retry::NotNeeded {
                assert_eq!(e.actor, Actor::Nobody, "{}", e.id);
            } else if !clears_by_itself {
                assert_ne!(
                    e.actor,
                    Actor::Nobody,
                    "{}: a failure needs someone to act",
                    e.id
                );
            }
        }
    }

    #[test]
    fn placeholders_are_known_and_filled() {
        for e in ALL {
            let names = e.placeholders();
            for name in &names {
                assert!(
                    PLACEHOLDERS.contains(name),
                    "{}: unknown placeholder {name}",
                    e.id
                );
            }
            let args: Vec<(&str, &str)> = names.iter().map(|n| (*n, "X")).collect();
            let text = e.reply_with(&args).text();
            assert!(!text.contains('{'), "{}: {text}", e.id);
        }
    }

    #[test]
    fn ids_are_lowercase_dotted() {
        for e in ALL {
            assert!(
                e.id.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'.'
                    || b == b'_'),
                "{}",
                e.id
            );
        }
    }

    #[test]
    fn every_code_of_the_reference_table_has_an_entry() {
        let required = [
            211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421, 450, 451, 452, 454, 500, 501,
            502, 503, 504, 530, 535, 538, 550, 551, 552, 553, 554, 555,
        ];
        for code in required {
            let code = ReplyCode::new(code).unwrap();
            assert!(by_code(code).next().is_some(), "no entry for {code}");
        }
    }

    #[test]
    fn reply_with_cleans_values() {
        let r = RCPT_UNKNOWN_USER.reply_with(&[("address", "bob@x\r\n250 forged")]);
        let wire = r.to_wire(true);
        assert_eq!(wire.iter().filter(|&&b| b == b'\n').count(), 1);
    }
}
