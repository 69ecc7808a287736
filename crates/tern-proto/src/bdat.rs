//! BDAT chunk decoding (RFC 3030): exactly N octets, no dot-stuffing, no end marker.

/// How a BDAT chunk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BdatOutcome {
    /// The chunk was read; the message (all chunks so far) is within the limit.
    Complete {
        /// Size of the message so far (all chunks), in octets.
        size: u64,
    },
    /// The message (all chunks so far) went over the limit; the chunk was consumed but the
    /// bytes over the limit were not stored. → `552 5.3.4`
    TooLarge {
        /// Size of the message so far, in octets.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

/// Progress of one [`BdatDecoder::feed`] call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BdatProgress {
    /// How many input bytes were consumed (the rest belongs to the next command).
    pub consumed: usize,
    /// Set when the chunk is complete.
    pub outcome: Option<BdatOutcome>,
}

/// Reads one BDAT chunk of exactly `chunk_size` octets, however the input is split.
///
/// The message size limit spans all chunks: pass the size of the earlier chunks as
/// `message_so_far`. Once the message is over the limit nothing more is stored, but every
/// octet of the chunk is still consumed, so the session stays in sync (RFC 3030 §2: the
/// server must read the chunk before replying).
#[derive(Debug, Clone)]
pub struct BdatDecoder {
    remaining: u64,
    size: u64,
    limit: u64,
    /// Set once the message is over the limit (or its size past `u64::MAX`): nothing more
    /// is stored.
    over_limit: bool,
}

impl BdatDecoder {
    /// A decoder for one chunk.
    pub fn new(chunk_size: u64, message_so_far: u64, limit: u64) -> Self {
        BdatDecoder {
            remaining: chunk_size,
            size: message_so_far,
            limit,
            over_limit: message_so_far > limit,
        }
    }

    /// Octets of the chunk still to come.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// Whether the whole chunk has been read.
    pub fn is_done(&self) -> bool {
        self.remaining == 0
    }

    /// Size of the message so far (earlier chunks plus what was read of this one).
    pub fn size(&self) -> u64 {
        self.size
    }

    fn outcome(&self) -> BdatOutcome {
        if self.over_limit {
            BdatOutcome::TooLarge {
                size: self.size,
                limit: self.limit,
            }
        } else {
            BdatOutcome::Complete { size: self.size }
        }
    }

    /// Consumes up to the rest of the chunk from `input`, appending it to `sink` while the
    /// message is within the limit.
    pub fn feed(&mut self, input: &[u8], sink: &mut Vec<u8>) -> BdatProgress {
        let take = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(input.len());
        let chunk = input.get(..take).unwrap_or_default();
        self.remaining -= take as u64;
        let before = self.size;
        let (after, overflowed) = before.overflowing_add(take as u64);
        // The size saturates; a message past u64::MAX octets is over any limit.
        self.size = if overflowed { u64::MAX } else { after };
        if !self.over_limit {
            if overflowed || after > self.limit {
                // Store up to exactly the limit, then nothing more.
                self.over_limit = true;
                let room = usize::try_from(self.limit.saturating_sub(before)).unwrap_or(usize::MAX);
                sink.extend_from_slice(chunk.get(..room).unwrap_or(chunk));
            } else {
                sink.extend_from_slice(chunk);
            }
        }
        BdatProgress {
            consumed: take,
            outcome: self.is_done().then(|| self.outcome()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_bytes_across_feeds() {
        let mut d = BdatDecoder::new(10, 0, 100);
        let mut sink = Vec::new();
        let p = d.feed(b"0123", &mut sink);
        assert_eq!(
            p,
            BdatProgress {
                consumed: 4,
                outcome: None
            }
        );
        let p = d.feed(b"456789MAIL FROM", &mut sink);
        assert_eq!(p.consumed, 6);
        assert_eq!(p.outcome, Some(BdatOutcome::Complete { size: 10 }));
        assert_eq!(sink, b"0123456789");
        // Done: nothing more is taken.
        assert_eq!(d.feed(b"x", &mut sink).consumed, 0);
    }

    #[test]
    fn empty_chunk_is_done_at_once() {
        let mut d = BdatDecoder::new(0, 5, 100);
        assert!(d.is_done());
        let p = d.feed(b"", &mut Vec::new());
        assert_eq!(p.outcome, Some(BdatOutcome::Complete { size: 5 }));
    }

    #[test]
    fn over_limit_keeps_consuming() {
        let mut sink = Vec::new();
        let mut d = BdatDecoder::new(8, 0, 5);
        assert_eq!(d.feed(b"1234", &mut sink).outcome, None);
        let p = d.feed(b"5678RSET", &mut sink);
        assert_eq!(p.consumed, 4);
        assert_eq!(p.outcome, Some(BdatOutcome::TooLarge { size: 8, limit: 5 }));
        assert_eq!(sink, b"12345");
        // The next chunk of the same message is over the limit from the start.
        let mut d = BdatDecoder::new(2, 8, 5);
        let p = d.feed(b"ab", &mut sink);
        assert_eq!(
            p.outcome,
            Some(BdatOutcome::TooLarge { size: 10, limit: 5 })
        );
        assert_eq!(sink, b"12345");
    }

    #[test]
    fn huge_declared_sizes_do_not_overflow() {
        let mut d = BdatDecoder::new(u64::MAX, u64::MAX - 1, u64::MAX);
        let mut sink = Vec::new();
        let p = d.feed(b"abc", &mut sink);
        assert_eq!(p.consumed, 3);
        assert_eq!(d.size(), u64::MAX);
        // One octet fitted under the limit; the rest went past u64::MAX.
        assert_eq!(sink, b"a");
        let mut d = BdatDecoder::new(3, u64::MAX, u64::MAX);
        let p = d.feed(&[0, 0, 0], &mut sink);
        assert_eq!(
            p.outcome,
            Some(BdatOutcome::TooLarge {
                size: u64::MAX,
                limit: u64::MAX
            })
        );
        assert_eq!(sink, b"a", "nothing stored past the limit");
    }
}
