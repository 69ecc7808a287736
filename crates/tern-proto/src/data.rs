//! DATA decoding (RFC 5321 §4.5.2): dot-unstuffing and the end-of-data marker, streaming.

use crate::policy::{BareLineEnding, LineEndingPolicy};
use crate::scan::find_cr_or_lf;

/// How a DATA payload ended. In every case the payload was consumed up to and including
/// `CR LF . CR LF`, so the next bytes are the next command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataOutcome {
    /// The message is in the sink.
    Complete {
        /// Size of the message in octets (after unstuffing and normalisation).
        size: u64,
    },
    /// The message was over the size limit; what is in the sink is incomplete and must be
    /// dropped. → `552 5.3.4`
    TooLarge {
        /// Size of the whole message in octets.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A bare CR or LF under [`LineEndingPolicy::Reject`]; the sink content must be
    /// dropped. → `554 5.5.2` (or `550 5.5.2`)
    BareLineEnding {
        /// The first bare line ending seen.
        kind: BareLineEnding,
        /// Size of the whole message in octets.
        size: u64,
    },
}

impl DataOutcome {
    /// The size of the message in octets.
    pub fn size(&self) -> u64 {
        match *self {
            DataOutcome::Complete { size }
            | DataOutcome::TooLarge { size, .. }
            | DataOutcome::BareLineEnding { size, .. } => size,
        }
    }
}

/// Progress of one [`DataDecoder::feed`] call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataProgress {
    /// How many input bytes were consumed. Less than the input only when the end of data
    /// was reached: the rest is the next command (pipelining).
    pub consumed: usize,
    /// Set once `CR LF . CR LF` has been read.
    pub outcome: Option<DataOutcome>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// After CR LF (or at the start of the data).
    LineStart,
    /// Inside a line (also right after a bare LF or bare CR: they never start a line).
    Mid,
    /// A CR ended the previous input; not yet written.
    Cr,
    /// CR LF then `.`; the dot not yet written.
    Dot,
    /// CR LF `.` CR; not yet written.
    DotCr,
    /// `CR LF . CR LF` was read.
    Done,
}

/// Decodes the payload that follows `354`, however the input is split.
///
/// - Dot-unstuffing (RFC 5321 §4.5.2): a line starting with `.` loses that dot.
/// - **Only** `CR LF . CR LF` ends the data (the CR LF of the DATA command counts, so data
///   starting with `.\r\n` is the empty message). The SMTP smuggling vectors `\n.\n`,
///   `\n.\r\n`, `\r.\r\n` and `\r\n.\r` stay in the body: a bare LF or bare CR never starts a
///   line, neither for the end marker nor for unstuffing.
/// - A line holding just `.` followed by a bare line ending (`\r\n.\n`, `\r\n.\rX`) keeps its
///   dot, so the attempt stays visible in the stored body.
/// - Bare CR / bare LF follow the [`LineEndingPolicy`]: `Normalize` writes them as CR LF;
///   `Reject` stops storing, reads on to the end and reports
///   [`DataOutcome::BareLineEnding`].
/// - Past the size limit nothing more is stored, the rest is read and counted, and the
///   outcome is [`DataOutcome::TooLarge`].
///
/// Body bytes are appended to the caller's sink in large runs (no allocation per line).
#[derive(Debug, Clone)]
pub struct DataDecoder {
    state: State,
    policy: LineEndingPolicy,
    limit: u64,
    size: u64,
    storing: bool,
    bare: Option<BareLineEnding>,
    normalized: u64,
}

impl DataDecoder {
    /// A decoder for one message, with its size limit in octets.
    pub fn new(limit: u64, policy: LineEndingPolicy) -> Self {
        DataDecoder {
            state: State::LineStart,
            policy,
            limit,
            size: 0,
            storing: true,
            bare: None,
            normalized: 0,
        }
    }

    /// Octets of message so far (counted on past the limit).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// How many bare CRs and LFs were seen (and, under `Normalize`, rewritten as CR LF).
    pub fn bare_line_endings(&self) -> u64 {
        self.normalized
    }

    /// Whether the end of data has been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    fn outcome(&self) -> DataOutcome {
        if self.size > self.limit {
            DataOutcome::TooLarge {
                size: self.size,
                limit: self.limit,
            }
        } else if let Some(kind) = self.bare {
            DataOutcome::BareLineEnding {
                kind,
                size: self.size,
            }
        } else {
            DataOutcome::Complete { size: self.size }
        }
    }

    /// Counts `bytes` and stores them, up to exactly the limit.
    #[inline]
    fn emit(&mut self, bytes: &[u8], sink: &mut Vec<u8>) {
        let before = self.size;
        self.size = self.size.saturating_add(bytes.len() as u64);
        if self.storing {
            if self.size > self.limit {
                self.storing = false;
                let room = usize::try_from(self.limit.saturating_sub(before)).unwrap_or(usize::MAX);
                sink.extend_from_slice(bytes.get(..room).unwrap_or(bytes));
            } else {
                sink.extend_from_slice(bytes);
            }
        }
    }

    /// A bare CR or LF: written as CR LF (Normalize) or remembered (Reject).
    fn bare(&mut self, kind: BareLineEnding, sink: &mut Vec<u8>) {
        self.normalized += 1;
        if self.policy == LineEndingPolicy::Reject {
            self.storing = false;
            self.bare.get_or_insert(kind);
        }
        self.emit(b"\r\n", sink);
    }

    /// Consumes body bytes from `input`, appending the decoded message to `sink`.
    ///
    /// Stops right after `CR LF . CR LF`; `consumed` says where the next command starts.
    pub fn feed(&mut self, input: &[u8], sink: &mut Vec<u8>) -> DataProgress {
        let mut i = 0;
        // Start of the bytes to copy verbatim to the sink (flushed lazily).
        let mut run = 0;
        while let Some(&b) = input.get(i) {
            match self.state {
                State::Mid => match input.get(i..).and_then(find_cr_or_lf) {
                    None => i = input.len(),
                    Some(p) => {
                        let j = i + p;
                        if input.get(j) == Some(&b'\r') {
                            match input.get(j + 1) {
                                Some(b'\n') => {
                                    i = j + 2;
                                    self.state = State::LineStart;
                                }
                                Some(_) => {
                                    self.flush(input, run, j, sink);
                                    self.bare(BareLineEnding::Cr, sink);
                                    i = j + 1;
                                    run = i;
                                }
                                None => {
                                    self.flush(input, run, j, sink);
                                    i = j + 1;
                                    run = i;
                                    self.state = State::Cr;
                                }
                            }
                        } else {
                            self.flush(input, run, j, sink);
                            self.bare(BareLineEnding::Lf, sink);
                            i = j + 1;
                            run = i;
                        }
                    }
                },
                State::LineStart => {
                    if b == b'.' {
                        self.flush(input, run, i, sink);
                        i += 1;
                        run = i;
                        self.state = State::Dot;
                    } else {
                        self.state = State::Mid;
                    }
                }
                State::Cr => {
                    if b == b'\n' {
                        self.emit(b"\r\n", sink);
                        i += 1;
                        run = i;
                        self.state = State::LineStart;
                    } else {
                        self.bare(BareLineEnding::Cr, sink);
                        self.state = State::Mid;
                    }
                }
                State::Dot => match b {
                    b'\r' => {
                        i += 1;
                        run = i;
                        self.state = State::DotCr;
                    }
                    b'\n' => {
                        self.emit(b".", sink);
                        self.bare(BareLineEnding::Lf, sink);
                        i += 1;
                        run = i;
                        self.state = State::Mid;
                    }
                    // Unstuffing: the dot is dropped, the byte is kept.
                    _ => self.state = State::Mid,
                },
                State::DotCr => {
                    if b == b'\n' {
                        i += 1;
                        self.state = State::Done;
                        return DataProgress {
                            consumed: i,
                            outcome: Some(self.outcome()),
                        };
                    }
                    self.emit(b".", sink);
                    self.bare(BareLineEnding::Cr, sink);
                    self.state = State::Mid;
                }
                State::Done => {
                    return DataProgress {
                        consumed: 0,
                        outcome: Some(self.outcome()),
                    };
                }
            }
        }
        self.flush(input, run, i, sink);
        DataProgress {
            consumed: i,
            outcome: self.is_done().then(|| self.outcome()),
        }
    }

    #[inline]
    fn flush(&mut self, input: &[u8], from: usize, to: usize, sink: &mut Vec<u8>) {
        if let Some(bytes) = input.get(from..to)
            && !bytes.is_empty()
        {
            self.emit(bytes, sink);
        }
    }
}

/// Decodes a whole payload in one call (convenience for tests and tools).
pub fn decode_data(input: &[u8], limit: u64, policy: LineEndingPolicy) -> (Vec<u8>, DataProgress) {
    let mut d = DataDecoder::new(limit, policy);
    let mut sink = Vec::new();
    let p = d.feed(input, &mut sink);
    (sink, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: LineEndingPolicy = LineEndingPolicy::Normalize;
    const R: LineEndingPolicy = LineEndingPolicy::Reject;

    fn body(input: &[u8]) -> (Vec<u8>, DataProgress) {
        decode_data(input, u64::MAX, N)
    }

    #[test]
    fn plain_message_and_pipelined_rest() {
        let (b, p) = body(b"Subject: x\r\n\r\nhello\r\n.\r\nQUIT\r\n");
        assert_eq!(b, b"Subject: x\r\n\r\nhello\r\n");
        assert_eq!(p.consumed, 24);
        assert_eq!(p.outcome, Some(DataOutcome::Complete { size: 21 }));
    }

    #[test]
    fn empty_message() {
        let (b, p) = body(b".\r\nQUIT");
        assert_eq!(b, b"");
        assert_eq!(p.consumed, 3);
        assert_eq!(p.outcome, Some(DataOutcome::Complete { size: 0 }));
    }

    #[test]
    fn dot_unstuffing() {
        let (b, _) = body(b"..leading\r\n...two\r\nmid.dle\r\n.x\r\n.\r\n");
        assert_eq!(b, b".leading\r\n..two\r\nmid.dle\r\nx\r\n");
        let (b, _) = body(b"a\r\n..\r\n.\r\n");
        assert_eq!(b, b"a\r\n.\r\n");
    }

    #[test]
    fn smuggling_vectors_stay_in_the_body() {
        for (input, kept) in [
            (
                &b"a\n.\nMAIL FROM:<x@y>\r\n.\r\n"[..],
                &b"a\r\n.\r\nMAIL FROM:<x@y>\r\n"[..],
            ),
            (b"a\n.\r\nb\r\n.\r\n", b"a\r\n.\r\nb\r\n"),
            (b"a\r.\r\nb\r\n.\r\n", b"a\r\n.\r\nb\r\n"),
            (b"a\r\n.\rb\r\n.\r\n", b"a\r\n.\r\nb\r\n"),
            (b"a\r\n.\nb\r\n.\r\n", b"a\r\n.\r\nb\r\n"),
        ] {
            let (b, p) = body(input);
            assert_eq!(b, kept, "{:?}", String::from_utf8_lossy(input));
            assert_eq!(p.consumed, input.len());
            let (_, p) = decode_data(input, u64::MAX, R);
            assert!(matches!(
                p.outcome,
                Some(DataOutcome::BareLineEnding { .. })
            ));
            assert_eq!(p.consumed, input.len());
        }
    }

    #[test]
    fn bare_line_endings_normalized_or_rejected() {
        let (b, p) = body(b"a\nb\rc\r\r\n.\r\n");
        assert_eq!(b, b"a\r\nb\r\nc\r\n\r\n");
        assert_eq!(p.outcome, Some(DataOutcome::Complete { size: 11 }));
        let mut d = DataDecoder::new(u64::MAX, R);
        let mut sink = Vec::new();
        let p = d.feed(b"ok\r\nthen\nbad\r\n.\r\nNOOP\r\n", &mut sink);
        assert_eq!(p.consumed, 17);
        assert_eq!(
            p.outcome,
            Some(DataOutcome::BareLineEnding {
                kind: BareLineEnding::Lf,
                size: 15
            })
        );
        assert_eq!(d.bare_line_endings(), 1);
        assert_eq!(sink, b"ok\r\nthen");
    }

    #[test]
    fn size_limit_keeps_consuming() {
        let (b, p) = decode_data(b"0123456789\r\n0123456789\r\n.\r\nQUIT\r\n", 15, N);
        // Stored up to exactly the limit, the rest counted only.
        assert_eq!(b, b"0123456789\r\n012");
        assert_eq!(p.consumed, 27);
        assert_eq!(
            p.outcome,
            Some(DataOutcome::TooLarge {
                size: 24,
                limit: 15
            })
        );
        let (_, p) = decode_data(b"0123456789\r\n.\r\n", 12, N);
        assert_eq!(p.outcome, Some(DataOutcome::Complete { size: 12 }));
    }

    #[test]
    fn byte_by_byte_equals_whole() {
        let input: &[u8] = b"..a\r\n.\rb\nc\r\r\n\r\n.x\r\n..\r\n.\r\nNEXT";
        let (whole, p) = body(input);
        let mut d = DataDecoder::new(u64::MAX, N);
        let mut sink = Vec::new();
        let mut consumed = 0;
        let mut outcome = None;
        for byte in input.chunks(1) {
            if outcome.is_some() {
                break;
            }
            let q = d.feed(byte, &mut sink);
            consumed += q.consumed;
            outcome = q.outcome;
        }
        assert_eq!(sink, whole);
        assert_eq!(consumed, p.consumed);
        assert_eq!(outcome, p.outcome);
        assert_eq!(d.feed(b"more", &mut sink).consumed, 0);
    }
}

/// Encodes a message for DATA (the client side): dot-stuffing (RFC 5321 §4.5.2), line
/// endings made CR LF, and the end marker.
///
/// A bare CR or bare LF in the message becomes CR LF, so what is sent can never contain a
/// smuggling vector; a line starting with `.` gets a second dot. [`DataEncoder::finish`]
/// ends the last line if needed and writes `.` CR LF. A message with only CR LF line
/// endings and a final CR LF round-trips exactly through [`DataDecoder`].
#[derive(Debug, Clone)]
pub struct DataEncoder {
    at_line_start: bool,
    pending_cr: bool,
}

impl Default for DataEncoder {
    fn default() -> Self {
        DataEncoder::new()
    }
}

impl DataEncoder {
    /// An encoder at the start of a message.
    pub fn new() -> Self {
        DataEncoder {
            at_line_start: true,
            pending_cr: false,
        }
    }

    /// Encodes the next part of the message, appending the wire bytes to `out`.
    pub fn encode(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let mut i = 0;
        let mut run = 0;
        while let Some(&b) = input.get(i) {
            if self.pending_cr {
                self.pending_cr = false;
                self.at_line_start = true;
                out.extend_from_slice(b"\r\n");
                if b == b'\n' {
                    i += 1;
                }
                run = i;
                continue;
            }
            if self.at_line_start {
                self.at_line_start = false;
                if b == b'.' {
                    out.extend_from_slice(input.get(run..i).unwrap_or_default());
                    out.push(b'.');
                    run = i;
                }
            }
            let Some(p) = input.get(i..).and_then(find_cr_or_lf) else {
                i = input.len();
                break;
            };
            let j = i + p;
            self.at_line_start = true;
            match (input.get(j), input.get(j + 1)) {
                (Some(b'\r'), Some(b'\n')) => i = j + 2,
                (Some(b'\r'), None) => {
                    out.extend_from_slice(input.get(run..j).unwrap_or_default());
                    self.pending_cr = true;
                    self.at_line_start = false;
                    i = j + 1;
                    run = i;
                }
                _ => {
                    // Bare CR or bare LF.
                    out.extend_from_slice(input.get(run..j).unwrap_or_default());
                    out.extend_from_slice(b"\r\n");
                    i = j + 1;
                    run = i;
                }
            }
        }
        out.extend_from_slice(input.get(run..i).unwrap_or_default());
    }

    /// Ends the message: completes the last line and writes the end marker.
    pub fn finish(self, out: &mut Vec<u8>) {
        if self.pending_cr || !self.at_line_start {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b".\r\n");
    }
}

/// Encodes a whole message for DATA (see [`DataEncoder`]).
pub fn encode_data(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 64 + 8);
    let mut e = DataEncoder::new();
    e.encode(message, &mut out);
    e.finish(&mut out);
    out
}

#[cfg(test)]
mod encoder_tests {
    use super::*;

    #[test]
    fn stuffing_and_end_marker() {
        assert_eq!(encode_data(b""), b".\r\n");
        assert_eq!(encode_data(b"a\r\n"), b"a\r\n.\r\n");
        assert_eq!(encode_data(b"a"), b"a\r\n.\r\n");
        assert_eq!(
            encode_data(b".\r\n..x\r\nb.c\r\n"),
            b"..\r\n...x\r\nb.c\r\n.\r\n"
        );
        assert_eq!(
            encode_data(b"a\n.\nb\r.\r\n"),
            b"a\r\n..\r\nb\r\n..\r\n.\r\n"
        );
        assert_eq!(encode_data(b"a\r"), b"a\r\n.\r\n");
    }

    #[test]
    fn split_cr_lf_and_round_trip() {
        let mut e = DataEncoder::new();
        let mut out = Vec::new();
        e.encode(b"a\r", &mut out);
        e.encode(b"\n.b\r", &mut out);
        e.encode(b"\r\n", &mut out);
        e.finish(&mut out);
        assert_eq!(out, b"a\r\n..b\r\n\r\n.\r\n");
        let (body, p) = decode_data(&out, u64::MAX, LineEndingPolicy::Reject);
        assert_eq!(body, b"a\r\n.b\r\n\r\n");
        assert_eq!(p.consumed, out.len());
    }
}
