//! Command-line framing: feed bytes, pull complete lines.

use std::fmt;

use crate::policy::LineEndingPolicy;
use crate::scan::find_lf;

/// Why a line was refused. The line is consumed either way, so the session stays in sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineError {
    /// The line (with its line ending) was longer than the limit. Reported once per line;
    /// its bytes are discarded up to and including the next LF. → `500 5.5.2`
    TooLong {
        /// The limit in octets, line ending included.
        limit: usize,
    },
    /// A bare LF ended the line, under [`LineEndingPolicy::Reject`]. → `500 5.5.2`
    BareLf,
    /// A bare CR inside the line, under [`LineEndingPolicy::Reject`]. → `500 5.5.2`
    BareCr,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineError::TooLong { limit } => {
                write!(
                    f,
                    "command line too long (the limit is {limit} octets with CRLF)"
                )
            }
            LineError::BareLf => f.write_str("command lines must end with CRLF, not a bare LF"),
            LineError::BareCr => f.write_str("command lines must not contain a bare CR"),
        }
    }
}

impl std::error::Error for LineError {}

/// Splits a byte stream into command lines.
///
/// Feed it what the socket gave ([`LineReader::feed`]), then take lines with
/// [`LineReader::next_line`] until it returns `None` ("need more bytes"). A line is returned
/// without its line ending.
///
/// - The limit counts the line ending: the default 512 is RFC 5321 §4.5.3.1.4's command
///   line. A longer line is reported once as [`LineError::TooLong`] and its bytes are
///   dropped as they arrive, so the buffer never holds more than `limit` bytes of one line.
/// - Bare LF and bare CR follow the [`LineEndingPolicy`] (see its table).
/// - After DATA or BDAT, the bytes already buffered belong to the message: hand them to the
///   decoder with [`LineReader::buffered`] and [`LineReader::consume`] (or
///   [`LineReader::take_buffered`]). After STARTTLS they must be thrown away
///   ([`LineReader::clear`], RFC 3207 §4.2).
///
/// The reader keeps everything fed to it until it is pulled: the caller bounds memory by
/// feeding only when it has drained the lines it wants (read from the socket only when the
/// session asks for input), and can watch [`LineReader::buffered_len`].
#[derive(Debug, Clone)]
pub struct LineReader {
    buf: Vec<u8>,
    /// Start of the unconsumed bytes in `buf`.
    start: usize,
    /// Bytes after `start` already searched for LF without success.
    scanned: usize,
    max: usize,
    policy: LineEndingPolicy,
    /// Dropping the rest of a too-long line, up to its LF.
    discarding: bool,
}

impl Default for LineReader {
    fn default() -> Self {
        LineReader::new(LineEndingPolicy::default())
    }
}

impl LineReader {
    /// RFC 5321 §4.5.3.1.4: 512 octets including CRLF.
    pub const DEFAULT_MAX_LINE: usize = 512;
    /// The smallest limit accepted by [`LineReader::with_max_line`].
    pub const MIN_MAX_LINE: usize = 8;

    /// A reader with the default 512-octet limit.
    pub fn new(policy: LineEndingPolicy) -> Self {
        Self::with_max_line(Self::DEFAULT_MAX_LINE, policy)
    }

    /// A reader with its own limit (line ending included; raised to at least
    /// [`LineReader::MIN_MAX_LINE`]).
    pub fn with_max_line(max: usize, policy: LineEndingPolicy) -> Self {
        LineReader {
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            max: max.max(Self::MIN_MAX_LINE),
            policy,
            discarding: false,
        }
    }

    /// Changes the line limit (line ending included; at least
    /// [`LineReader::MIN_MAX_LINE`]). For example a session may allow longer lines once it
    /// offers extensions that lengthen commands (RFC 4954 §4 lets AUTH lines reach 12288
    /// octets; RFC 3461 adds up to 600 octets to MAIL and RCPT).
    pub fn set_max_line(&mut self, max: usize) {
        self.max = max.max(Self::MIN_MAX_LINE);
    }

    /// The line limit in octets, line ending included.
    pub fn max_line(&self) -> usize {
        self.max
    }

    /// The line-ending policy.
    pub fn policy(&self) -> LineEndingPolicy {
        self.policy
    }

    /// Appends bytes received from the peer.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        if self.discarding {
            match find_lf(bytes) {
                Some(p) => {
                    self.discarding = false;
                    bytes = bytes.get(p + 1..).unwrap_or_default();
                }
                None => return,
            }
        }
        if bytes.is_empty() {
            return;
        }
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete line (without its line ending), a refused line, or `None` when more
    /// bytes are needed.
    pub fn next_line(&mut self) -> Option<Result<&[u8], LineError>> {
        let pending = self.buf.get(self.start..).unwrap_or_default();
        if self.discarding {
            // Only reached if bytes were fed before the too-long line was reported.
            match find_lf(pending) {
                Some(p) => {
                    self.start += p + 1;
                    self.discarding = false;
                    self.scanned = 0;
                    return self.next_line();
                }
                None => {
                    self.clear();
                    self.discarding = true;
                    return None;
                }
            }
        }
        let from = self.scanned.min(pending.len());
        let Some(p) = find_lf(pending.get(from..).unwrap_or_default()) else {
            self.scanned = pending.len();
            if pending.len() >= self.max {
                self.clear();
                self.discarding = true;
                return Some(Err(LineError::TooLong { limit: self.max }));
            }
            return None;
        };
        let lf = from + p;
        let line_start = self.start;
        self.start += lf + 1;
        self.scanned = 0;
        if lf + 1 > self.max {
            return Some(Err(LineError::TooLong { limit: self.max }));
        }
        let line = self
            .buf
            .get(line_start..line_start + lf)
            .unwrap_or_default();
        let (content, bare_lf) = match line.strip_suffix(b"\r") {
            Some(c) => (c, false),
            None => (line, true),
        };
        if self.policy == LineEndingPolicy::Reject {
            if bare_lf {
                return Some(Err(LineError::BareLf));
            }
            if content.contains(&b'\r') {
                return Some(Err(LineError::BareCr));
            }
        }
        Some(Ok(content))
    }

    /// The buffered bytes not yet returned as lines.
    pub fn buffered(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or_default()
    }

    /// How many bytes are buffered.
    pub fn buffered_len(&self) -> usize {
        self.buf.len().saturating_sub(self.start)
    }

    /// Whether a line has begun and is not complete: part of it is buffered, or the rest of a
    /// too-long line is being dropped as it arrives.
    pub fn in_line(&self) -> bool {
        self.buffered_len() > 0 || self.discarding
    }

    /// Marks the first `n` buffered bytes as consumed (by a DATA or BDAT decoder).
    pub fn consume(&mut self, n: usize) {
        self.start = self.start.saturating_add(n).min(self.buf.len());
        self.scanned = 0;
    }

    /// Takes the buffered bytes out of the reader.
    pub fn take_buffered(&mut self) -> Vec<u8> {
        let rest = self.buffered().to_vec();
        self.clear();
        rest
    }

    /// Discards everything buffered, including a too-long line being dropped (after
    /// STARTTLS, RFC 3207 §4.2).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.start = 0;
        self.scanned = 0;
        self.discarding = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(r: &mut LineReader) -> Vec<Result<Vec<u8>, LineError>> {
        let mut out = Vec::new();
        while let Some(l) = r.next_line() {
            out.push(l.map(<[u8]>::to_vec));
        }
        out
    }

    #[test]
    fn crlf_lines_and_partial_input() {
        let mut r = LineReader::default();
        r.feed(b"EHLO a\r\nNOOP\r");
        assert_eq!(lines(&mut r), vec![Ok(b"EHLO a".to_vec())]);
        r.feed(b"\nQU");
        assert_eq!(lines(&mut r), vec![Ok(b"NOOP".to_vec())]);
        assert_eq!(r.buffered(), b"QU");
        r.feed(b"IT\r\n");
        assert_eq!(lines(&mut r), vec![Ok(b"QUIT".to_vec())]);
        assert_eq!(r.buffered_len(), 0);
    }

    #[test]
    fn normalize_bare_lf_and_keep_bare_cr() {
        let mut r = LineReader::new(LineEndingPolicy::Normalize);
        r.feed(b"NOOP\nRSET\rx\r\n\r\n");
        assert_eq!(
            lines(&mut r),
            vec![
                Ok(b"NOOP".to_vec()),
                Ok(b"RSET\rx".to_vec()),
                Ok(b"".to_vec())
            ]
        );
    }

    #[test]
    fn reject_bare_lf_and_bare_cr() {
        let mut r = LineReader::new(LineEndingPolicy::Reject);
        r.feed(b"NOOP\nRSET\rx\r\nQUIT\r\n");
        assert_eq!(
            lines(&mut r),
            vec![
                Err(LineError::BareLf),
                Err(LineError::BareCr),
                Ok(b"QUIT".to_vec())
            ]
        );
    }

    #[test]
    fn too_long_lines_are_reported_once_and_skipped() {
        let limit = LineError::TooLong { limit: 512 };
        // Exactly at the limit: fine.
        let mut r = LineReader::default();
        let ok_line = [b"N".repeat(510), b"\r\n".to_vec()].concat();
        r.feed(&ok_line);
        assert_eq!(lines(&mut r), vec![Ok(b"N".repeat(510))]);
        // One over, in one piece.
        let long = [b"N".repeat(511), b"\r\nQUIT\r\n".to_vec()].concat();
        r.feed(&long);
        assert_eq!(lines(&mut r), vec![Err(limit), Ok(b"QUIT".to_vec())]);
        // A never-ending line keeps the buffer bounded.
        for _ in 0..1000 {
            r.feed(&[b'x'; 100]);
            let got = lines(&mut r);
            assert!(got.is_empty() || got == vec![Err(limit)]);
            assert!(r.buffered_len() < 512);
        }
        r.feed(b"tail\r\nRSET\r\n");
        assert_eq!(lines(&mut r), vec![Ok(b"RSET".to_vec())]);
    }

    #[test]
    fn in_line_while_a_line_is_partial_or_being_dropped() {
        let mut r = LineReader::with_max_line(10, LineEndingPolicy::Normalize);
        assert!(!r.in_line());
        r.feed(b"NO");
        assert!(lines(&mut r).is_empty() && r.in_line());
        r.feed(b"OP\r\n");
        assert_eq!(lines(&mut r), vec![Ok(b"NOOP".to_vec())]);
        assert!(!r.in_line());
        // A too-long line: reported, and in progress until its LF although nothing is kept.
        r.feed(b"xxxxxxxxxxxx");
        assert_eq!(lines(&mut r), vec![Err(LineError::TooLong { limit: 10 })]);
        assert!(r.in_line() && r.buffered_len() == 0);
        r.feed(b"x\n");
        assert!(lines(&mut r).is_empty() && !r.in_line());
    }

    #[test]
    fn configurable_limit_and_handover() {
        let mut r = LineReader::with_max_line(10, LineEndingPolicy::Normalize);
        assert_eq!(r.max_line(), 10);
        r.feed(b"12345678\r\n123456789\r\nDATA\r\nbody");
        assert_eq!(
            lines(&mut r),
            vec![
                Ok(b"12345678".to_vec()),
                Err(LineError::TooLong { limit: 10 }),
                Ok(b"DATA".to_vec()),
            ]
        );
        assert_eq!(r.buffered(), b"body");
        r.consume(2);
        assert_eq!(r.take_buffered(), b"dy");
        r.feed(b"STARTTLS\r\nNOOP\r\n");
        assert_eq!(lines(&mut r).len(), 1 + 1);
        r.feed(b"STARTTLS\r\nNOOP\r\n");
        assert_eq!(r.next_line(), Some(Ok(&b"STARTTLS"[..])));
        r.clear();
        assert_eq!(r.next_line(), None);
    }
}
