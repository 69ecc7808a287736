//! The ESMTP parameters a message's envelope carries from the session that received it,
//! through the queue, to the session that delivers it: `BODY=` (RFC 6152, RFC 3030), DSN
//! `RET=`, `NOTIFY=` and `ORCPT=` (RFC 3461), with the xtext encoding ORCPT and ENVID use. Defined once here, so the protocol (`tern-proto`), the
//! queue (`tern-store`) and delivery use the same types and convert nothing.
//!
//! Plain data, no I/O and no dependency. What parses these from the wire is `tern-proto`.

pub mod xtext;

use std::fmt;

/// The body type declared with `MAIL FROM ... BODY=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BodyType {
    /// No `BODY=` parameter, or `BODY=7BIT`.
    #[default]
    SevenBit,
    /// `BODY=8BITMIME` (RFC 6152).
    EightBitMime,
    /// `BODY=BINARYMIME` (RFC 3030; only with BDAT).
    BinaryMime,
}

impl BodyType {
    /// The value as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyType::SevenBit => "7BIT",
            BodyType::EightBitMime => "8BITMIME",
            BodyType::BinaryMime => "BINARYMIME",
        }
    }
}

/// DSN `RET=` (RFC 3461 §4.3): how much of the message a failure notice returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `RET=FULL`: the whole message.
    Full,
    /// `RET=HDRS`: only the headers.
    Headers,
}

impl Ret {
    /// The value as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Ret::Full => "FULL",
            Ret::Headers => "HDRS",
        }
    }
}

/// DSN `NOTIFY=` of one recipient (RFC 3461 §4.1): `NEVER`, or any non-empty combination of
/// the three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notify {
    /// `NOTIFY=NEVER`.
    Never,
    /// `NOTIFY=SUCCESS,FAILURE,DELAY` (at least one is set).
    On {
        /// `SUCCESS`
        success: bool,
        /// `FAILURE`
        failure: bool,
        /// `DELAY`
        delay: bool,
    },
}

/// The wire form: `NEVER`, or the set in the order `SUCCESS,FAILURE,DELAY`.
impl fmt::Display for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Notify::Never => f.write_str("NEVER"),
            Notify::On {
                success,
                failure,
                delay,
            } => {
                let mut sep = "";
                for (on, name) in [(success, "SUCCESS"), (failure, "FAILURE"), (delay, "DELAY")] {
                    if on {
                        write!(f, "{sep}{name}")?;
                        sep = ",";
                    }
                }
                Ok(())
            }
        }
    }
}

/// `ORCPT=addr-type;xtext` (RFC 3461 §4.2), decoded. `Display` writes the wire form (the
/// address xtext-encoded); [`Orcpt::decoded`] the form a DSN and the queue show.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Orcpt {
    /// The address type as written (`rfc822`, `utf-8`, ...).
    pub addr_type: String,
    /// The original recipient, xtext-decoded.
    pub address: String,
}

impl Orcpt {
    /// `type;address`, the address decoded: `rfc822;bob@example.com`.
    pub fn decoded(&self) -> String {
        format!("{};{}", self.addr_type, self.address)
    }

    /// Reads the [`decoded`](Orcpt::decoded) form back, exactly (an address type never
    /// holds `;`); a value without `;` is taken as an `rfc822` address.
    pub fn from_decoded(text: &str) -> Orcpt {
        match text.split_once(';') {
            Some((kind, address)) => Orcpt {
                addr_type: kind.to_owned(),
                address: address.to_owned(),
            },
            None => Orcpt {
                addr_type: "rfc822".to_owned(),
                address: text.to_owned(),
            },
        }
    }
}

impl fmt::Display for Orcpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{};{}",
            self.addr_type,
            xtext::encode(self.address.as_bytes())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_forms() {
        assert_eq!(BodyType::default().as_str(), "7BIT");
        assert_eq!(BodyType::BinaryMime.as_str(), "BINARYMIME");
        assert_eq!(Ret::Headers.as_str(), "HDRS");
        assert_eq!(Notify::Never.to_string(), "NEVER");
        let n = Notify::On {
            success: true,
            failure: false,
            delay: true,
        };
        assert_eq!(n.to_string(), "SUCCESS,DELAY");
        let o = Orcpt::from_decoded("rfc822;a+b=c@x.org");
        assert_eq!(o.to_string(), "rfc822;a+2Bb+3Dc@x.org");
        assert_eq!(o.decoded(), "rfc822;a+b=c@x.org");
        assert_eq!(Orcpt::from_decoded("a@x.org").decoded(), "rfc822;a@x.org");
    }
}
