//! xtext (RFC 3461 §4): the encoding of ENVID, ORCPT and AUTH= values.
//!
//! ```text
//! xtext    = *( xchar / hexchar )
//! xchar    = any ASCII CHAR between "!" (33) and "~" (126) inclusive, except "+" and "="
//! hexchar  = "+" followed by two UPPER CASE hexadecimal digits
//! ```

use std::fmt;

/// Why a string is not valid xtext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum XtextError {
    /// A `+` not followed by two uppercase hexadecimal digits (`+2b` is refused: RFC 3461
    /// requires upper case).
    BadHexEscape,
    /// A character xtext does not allow: space, a control character, `=`, or (unless the
    /// value admits UTF-8) a non-ASCII character.
    ForbiddenChar,
}

impl XtextError {
    /// What the value should have looked like.
    pub fn expected(self) -> &'static str {
        match self {
            XtextError::BadHexEscape => "'+' must be followed by two uppercase hexadecimal digits",
            XtextError::ForbiddenChar => {
                "xtext allows printable ASCII except '+' and '=', which are written +2B and +3D"
            }
        }
    }
}

impl fmt::Display for XtextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expected())
    }
}

impl std::error::Error for XtextError {}

fn upper_hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes xtext into the bytes it stands for.
pub fn decode(s: &str) -> Result<Vec<u8>, XtextError> {
    decode_inner(s, false)
}

/// Decodes xtext that may also carry raw UTF-8 (RFC 6531 allows UTF-8 in ESMTP values, and
/// RFC 6533's `utf-8` ORCPT address type uses it). Non-ASCII characters are copied as-is.
pub fn decode_utf8(s: &str) -> Result<Vec<u8>, XtextError> {
    decode_inner(s, true)
}

fn decode_inner(s: &str, allow_utf8: bool) -> Result<Vec<u8>, XtextError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => {
                let hi = bytes.get(i + 1).copied().and_then(upper_hex);
                let lo = bytes.get(i + 2).copied().and_then(upper_hex);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err(XtextError::BadHexEscape),
                }
                i += 3;
            }
            b'=' => return Err(XtextError::ForbiddenChar),
            b'!'..=b'~' => {
                out.push(b);
                i += 1;
            }
            0x80.. if allow_utf8 => {
                // `s` is a str, so this byte is part of a complete UTF-8 sequence.
                out.push(b);
                i += 1;
            }
            _ => return Err(XtextError::ForbiddenChar),
        }
    }
    Ok(out)
}

/// Encodes bytes as xtext: printable ASCII other than `+` and `=` as itself, everything else
/// as `+XX` (uppercase hex).
pub fn encode(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'+' | b'=' => push_hex(&mut out, b, HEX),
            b'!'..=b'~' => out.push(char::from(b)),
            _ => push_hex(&mut out, b, HEX),
        }
    }
    out
}

fn push_hex(out: &mut String, b: u8, hex: &[u8; 16]) {
    out.push('+');
    out.push(char::from(hex[usize::from(b >> 4)]));
    out.push(char::from(hex[usize::from(b & 0x0f)]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_rfc3461_examples() {
        assert_eq!(decode("QQ314159").unwrap(), b"QQ314159");
        assert_eq!(decode("a+2Bb+3Dc").unwrap(), b"a+b=c");
        assert_eq!(decode("").unwrap(), b"");
        assert_eq!(decode("+00").unwrap(), b"\0");
    }

    #[test]
    fn refuses_bad_xtext() {
        assert_eq!(decode("a+2b"), Err(XtextError::BadHexEscape));
        assert_eq!(decode("a+2"), Err(XtextError::BadHexEscape));
        assert_eq!(decode("+"), Err(XtextError::BadHexEscape));
        assert_eq!(decode("a=b"), Err(XtextError::ForbiddenChar));
        assert_eq!(decode("a b"), Err(XtextError::ForbiddenChar));
        assert_eq!(decode("é"), Err(XtextError::ForbiddenChar));
        assert_eq!(decode_utf8("é+2B").unwrap(), "é+".as_bytes());
    }

    #[test]
    fn encodes_specials() {
        assert_eq!(encode(b"a+b=c d"), "a+2Bb+3Dc+20d");
        assert_eq!(encode("é".as_bytes()), "+C3+A9");
        assert_eq!(decode(&encode(b"\x00\xff+=")).unwrap(), b"\x00\xff+=");
    }
}
