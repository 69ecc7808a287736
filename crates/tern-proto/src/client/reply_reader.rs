//! Reading replies from a server, tolerantly and within a bound: LF or CRLF line ends, lines
//! longer than 512 octets, missing text, mixed codes and non-UTF-8 text are read (and noted
//! as anomalies by [`tern_codes::parse`]); garbage, or a reply over the size limit, is an
//! error. Incomplete input is "need more bytes".

use std::fmt;

use tern_codes::{Parsed, ReplyLine};

/// Why the server's bytes cannot be read as replies. The connection cannot continue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyError {
    /// A reply (all its lines together) is longer than the limit.
    TooLong {
        /// The limit in octets.
        limit: usize,
    },
    /// A line does not start with a three-digit code and a separator.
    Garbage {
        /// The start of the line, printable.
        preview: String,
    },
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyError::TooLong { limit } => write!(f, "reply longer than {limit} octets"),
            ReplyError::Garbage { preview } => write!(f, "not an SMTP reply line: {preview:?}"),
        }
    }
}

/// Splits the server's bytes into replies.
#[derive(Debug)]
pub struct ReplyReader {
    /// The current, incomplete line.
    line: Vec<u8>,
    /// Complete lines of the current reply, each ending in LF.
    reply: Vec<u8>,
    limit: usize,
}

impl ReplyReader {
    /// A reader accepting replies of at most `limit` octets.
    pub fn new(limit: usize) -> ReplyReader {
        ReplyReader {
            line: Vec::new(),
            reply: Vec::new(),
            limit,
        }
    }

    /// Whether part of a reply has been read (a connection ending now ends mid-reply).
    pub fn has_partial(&self) -> bool {
        !self.line.is_empty() || !self.reply.is_empty()
    }

    /// Forgets everything buffered (after STARTTLS: nothing read before the handshake may be
    /// used after it).
    pub fn clear(&mut self) {
        self.line.clear();
        self.reply.clear();
    }

    /// Consumes bytes from the front of `input` until a reply is complete (returned) or the
    /// input is used up (`None`). After an error the reader must not be used again.
    pub fn read(&mut self, input: &mut &[u8]) -> Option<Result<Parsed, ReplyError>> {
        while !input.is_empty() {
            let (chunk, complete) = match input.iter().position(|&b| b == b'\n') {
                Some(p) => (&input[..=p], true),
                None => (&input[..], false),
            };
            *input = &input[chunk.len()..];
            if self.reply.len() + self.line.len() + chunk.len() > self.limit {
                self.clear();
                return Some(Err(ReplyError::TooLong { limit: self.limit }));
            }
            self.line.extend_from_slice(chunk);
            if !complete {
                return None;
            }
            if let Some(result) = self.end_of_line() {
                return Some(result);
            }
        }
        None
    }

    /// A line is complete in `self.line`.
    fn end_of_line(&mut self) -> Option<Result<Parsed, ReplyError>> {
        let content = self.line.trim_ascii();
        if content.is_empty() {
            // Blank lines between or inside replies carry nothing: skip them.
            self.line.clear();
            return None;
        }
        let parsed = match ReplyLine::parse(content) {
            Ok(l) => l,
            Err(_) => {
                let preview = String::from_utf8_lossy(&content[..content.len().min(64)])
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                self.clear();
                return Some(Err(ReplyError::Garbage { preview }));
            }
        };
        self.reply.extend_from_slice(content);
        self.reply.push(b'\n');
        self.line.clear();
        if !parsed.is_last {
            return None;
        }
        let raw = std::mem::take(&mut self.reply);
        Some(tern_codes::parse(&raw).map_err(|_| ReplyError::Garbage {
            preview: String::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(reader: &mut ReplyReader, mut input: &[u8]) -> Vec<Result<String, ReplyError>> {
        let mut out = Vec::new();
        while let Some(r) = reader.read(&mut input) {
            out.push(r.map(|p| p.reply.to_string()));
        }
        out
    }

    #[test]
    fn reads_multiline_and_lf_only_replies() {
        let mut r = ReplyReader::new(1024);
        let got = all(
            &mut r,
            b"250-mx.example\r\n250-PIPELINING\r\n250 SIZE 10\r\n550 5.1.1 no\n\r\n354\r\n",
        );
        assert_eq!(
            got,
            vec![
                Ok("250 mx.example PIPELINING SIZE 10".to_owned()),
                Ok("550 5.1.1 no".to_owned()),
                Ok("354".to_owned())
            ]
        );
        assert!(!r.has_partial());
    }

    #[test]
    fn partial_input_waits_for_more() {
        let mut r = ReplyReader::new(1024);
        assert!(all(&mut r, b"250-a\r\n250 b").is_empty());
        assert!(r.has_partial());
        assert_eq!(all(&mut r, b"\r\n"), vec![Ok("250 a b".to_owned())]);
    }

    #[test]
    fn garbage_and_oversized_replies_are_errors() {
        let mut r = ReplyReader::new(1024);
        assert!(matches!(
            all(&mut r, b"HTTP/1.1 200 OK\r\n")[0],
            Err(ReplyError::Garbage { .. })
        ));
        let mut r = ReplyReader::new(100);
        let long = [b"250-".as_slice(), &[b'x'; 200]].concat();
        assert_eq!(
            all(&mut r, &long),
            vec![Err(ReplyError::TooLong { limit: 100 })]
        );
    }
}
