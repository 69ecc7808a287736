//! A whole SMTP reply: code, optional enhanced code, one or more lines of text, and its wire
//! form (RFC 5321 §4.2, §4.5.3.1.5; RFC 2034 §4).

use std::fmt;

use crate::{EnhancedCode, ReplyCode};

/// The longest reply line Tern writes, CRLF included (RFC 5321 §4.5.3.1.5).
pub const MAX_REPLY_LINE: usize = 512;

/// An SMTP reply: what a server answered to one command.
///
/// Tern's own replies are built from the [catalogue](crate::catalogue); replies from other
/// servers come from [`parse`](crate::parse). The text is kept without the code and without the
/// enhanced code, one entry per line.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Reply {
    code: ReplyCode,
    enhanced: Option<EnhancedCode>,
    lines: Vec<String>,
}

impl Reply {
    /// A reply with one or more lines of text (split at `\n`). Control characters in the text
    /// become spaces, so no text can forge an extra reply line.
    pub fn new(code: ReplyCode, enhanced: Option<EnhancedCode>, text: &str) -> Reply {
        let lines = text.split('\n').map(clean_line).collect();
        Reply {
            code,
            enhanced,
            lines,
        }
    }

    /// A reply from already split lines, cleaned the same way as [`Reply::new`].
    pub fn from_lines<I, S>(code: ReplyCode, enhanced: Option<EnhancedCode>, lines: I) -> Reply
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut lines: Vec<String> = lines.into_iter().map(|l| clean_line(l.as_ref())).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        Reply {
            code,
            enhanced,
            lines,
        }
    }

    /// Adds a line of text at the end (EHLO keywords, HELP lines).
    pub fn push_line(&mut self, line: &str) {
        self.lines.push(clean_line(line));
    }

    /// The three-digit code.
    pub fn code(&self) -> ReplyCode {
        self.code
    }

    /// The enhanced status code, if any.
    pub fn enhanced(&self) -> Option<EnhancedCode> {
        self.enhanced
    }

    /// The text lines, without codes.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// All lines joined with a space: the text as one sentence.
    pub fn text(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Writes the reply as it goes on the wire. With `enhanced_codes` (ENHANCEDSTATUSCODES in
    /// effect) every line carries the enhanced code (RFC 2034 §4). Lines longer than 512 octets
    /// are wrapped, every line has the same code, and all but the last use `-`.
    pub fn write_wire(&self, enhanced_codes: bool, out: &mut Vec<u8>) {
        let prefix = match (enhanced_codes, self.enhanced) {
            (true, Some(e)) => format!("{e} "),
            _ => String::new(),
        };
        // code + separator + prefix + CRLF
        let room = MAX_REPLY_LINE - 4 - prefix.len() - 2;
        let mut pieces: Vec<&str> = Vec::with_capacity(self.lines.len());
        for line in &self.lines {
            split_to_width(line, room, &mut pieces);
        }
        let last = pieces.len().saturating_sub(1);
        let code = self.code.to_string();
        for (i, piece) in pieces.iter().enumerate() {
            let content = format!("{prefix}{piece}");
            let content = content.trim_end();
            out.extend_from_slice(code.as_bytes());
            if i != last {
                out.push(b'-');
            } else if !content.is_empty() {
                out.push(b' ');
            }
            out.extend_from_slice(content.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }

    /// The wire form as a new buffer.
    pub fn to_wire(&self, enhanced_codes: bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        self.write_wire(enhanced_codes, &mut out);
        out
    }
}

/// Replaces control characters with spaces and trims the line end.
fn clean_line(line: &str) -> String {
    line.trim_end_matches(['\r', '\n'])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Splits `line` into pieces of at most `width` bytes, at spaces where possible, never inside
/// a UTF-8 character. An empty line stays one empty piece.
fn split_to_width<'a>(mut line: &'a str, width: usize, out: &mut Vec<&'a str>) {
    while line.len() > width {
        let mut cut = width;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        let at = line[..cut].rfind(' ').filter(|&i| i > 0).unwrap_or(cut);
        out.push(&line[..at]);
        line = line[at..].strip_prefix(' ').unwrap_or(&line[at..]);
    }
    out.push(line);
}

impl fmt::Display for Reply {
    /// One line: `550 5.1.1 text text`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(e) = self.enhanced {
            write!(f, " {e}")?;
        }
        let text = self.text();
        if !text.is_empty() {
            write!(f, " {text}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Reply({self})")
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Reply {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Reply", 3)?;
        st.serialize_field("code", &self.code)?;
        st.serialize_field("enhanced", &self.enhanced)?;
        st.serialize_field("lines", &self.lines)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> Option<EnhancedCode> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn single_line_with_and_without_enhanced_code() {
        let r = Reply::new(ReplyCode::OK, e("2.0.0"), "Ok");
        assert_eq!(r.to_wire(true), b"250 2.0.0 Ok\r\n");
        assert_eq!(r.to_wire(false), b"250 Ok\r\n");
        assert_eq!(r.to_string(), "250 2.0.0 Ok");
    }

    #[test]
    fn multi_line_uses_dash_and_same_code() {
        let mut r = Reply::new(ReplyCode::OK, None, "mx.example greets client");
        r.push_line("PIPELINING");
        r.push_line("SIZE 1000");
        assert_eq!(
            r.to_wire(true),
            b"250-mx.example greets client\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"
        );
    }

    #[test]
    fn text_cannot_inject_lines() {
        let r = Reply::new(ReplyCode::OK, None, "a\r\n250 fake\rb\0c");
        let wire = r.to_wire(false);
        assert_eq!(wire, b"250-a\r\n250 250 fake b c\r\n");
    }

    #[test]
    fn long_lines_are_wrapped_within_512_octets() {
        let word = "abcdefghi ";
        let text = word.repeat(200);
        let r = Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, e("5.7.1"), &text);
        let wire = r.to_wire(true);
        let lines: Vec<&[u8]> = wire.split_inclusive(|&b| b == b'\n').collect();
        assert!(lines.len() >= 4);
        for line in &lines {
            assert!(line.len() <= MAX_REPLY_LINE, "{}", line.len());
            assert!(line.starts_with(b"550"));
        }
        let huge = "x".repeat(2000);
        let wire = Reply::new(ReplyCode::OK, None, &format!("é{huge}")).to_wire(false);
        for line in wire.split_inclusive(|&b| b == b'\n') {
            assert!(line.len() <= MAX_REPLY_LINE);
        }
        assert!(std::str::from_utf8(&wire).is_ok());
    }

    #[test]
    fn empty_text_gives_bare_code() {
        let r = Reply::new(ReplyCode::START_MAIL_INPUT, None, "");
        assert_eq!(r.to_wire(true), b"354\r\n");
        let r = Reply::new(ReplyCode::OK, e("2.0.0"), "");
        assert_eq!(r.to_wire(true), b"250 2.0.0\r\n");
    }
}
