//! Queue ids: short, unique, time-ordered, printable.
//!
//! A [`QueueId`] is 80 bits: a 48-bit millisecond timestamp followed by 32 bits that are random
//! for the first id of a millisecond and count up after it. It prints as 16 characters of
//! Crockford base32 (`0-9A-Z` without `I L O U`), so ids sort by time both as values and as
//! text, fit in `250 2.0.0 Ok: queued as 01JQ3V8Q2M7Z4K9B`, and can be read aloud.

use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::str::FromStr;
use std::sync::Mutex;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Number of characters in a printed [`QueueId`].
pub const QUEUE_ID_LEN: usize = 16;
const TIME_BITS: u32 = 48;
const TIME_MASK: u64 = (1 << TIME_BITS) - 1;

/// The identifier of one queued message.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueId(u128);

impl QueueId {
    /// Builds an id from its parts: the low 48 bits of `unix_ms` and a 32-bit sequence.
    pub fn from_parts(unix_ms: u64, sequence: u32) -> Self {
        QueueId((u128::from(unix_ms & TIME_MASK) << 32) | u128::from(sequence))
    }

    /// The millisecond timestamp the id was made for.
    pub fn unix_ms(self) -> u64 {
        // The value never exceeds 80 bits, so the shifted value fits in 48 bits.
        u64::try_from(self.0 >> 32).unwrap_or(u64::MAX) & TIME_MASK
    }

    /// The 32-bit sequence part.
    pub fn sequence(self) -> u32 {
        (self.0 & 0xFFFF_FFFF) as u32
    }

    fn encode(self) -> [u8; QUEUE_ID_LEN] {
        let mut out = [0u8; QUEUE_ID_LEN];
        for (i, slot) in out.iter_mut().enumerate() {
            let shift = 5 * (QUEUE_ID_LEN - 1 - i);
            let digit = ((self.0 >> shift) & 0x1F) as usize;
            *slot = ALPHABET[digit];
        }
        out
    }
}

impl fmt::Display for QueueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.encode();
        // The alphabet is ASCII, so this never fails; fall back to an error rather than panic.
        f.write_str(std::str::from_utf8(&bytes).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for QueueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QueueId({self})")
    }
}

/// Why a string is not a [`QueueId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseQueueIdError {
    /// Queue ids are exactly [`QUEUE_ID_LEN`] characters.
    #[error("a queue id has {QUEUE_ID_LEN} characters, this one has {0}")]
    Length(usize),
    /// A character outside Crockford base32.
    #[error("{0:?} is not a Crockford base32 character")]
    Character(char),
}

fn decode_char(c: char) -> Option<u128> {
    let up = c.to_ascii_uppercase();
    let up = match up {
        'I' | 'L' => '1',
        'O' => '0',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == up)
        .map(|p| p as u128)
}

impl FromStr for QueueId {
    type Err = ParseQueueIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let count = s.chars().count();
        if count != QUEUE_ID_LEN {
            return Err(ParseQueueIdError::Length(count));
        }
        let mut value: u128 = 0;
        for c in s.chars() {
            let digit = decode_char(c).ok_or(ParseQueueIdError::Character(c))?;
            value = (value << 5) | digit;
        }
        Ok(QueueId(value))
    }
}

/// Makes ids that are unique within a process and strictly increasing.
///
/// Time is an argument: the caller passes the message's received-at time. If time goes
/// backwards, or many ids share a millisecond, the generator keeps counting from the last id, so
/// ids never repeat and never go down.
#[derive(Debug)]
pub struct IdGenerator {
    state: Mutex<GenState>,
}

#[derive(Debug)]
struct GenState {
    last: Option<QueueId>,
    rng: u64,
}

impl Default for IdGenerator {
    fn default() -> Self {
        Self::new()
    }
}

impl IdGenerator {
    /// A generator seeded from the process's random hasher keys and id.
    pub fn new() -> Self {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        Self::with_seed(h.finish())
    }

    /// A generator with a fixed seed (tests).
    pub fn with_seed(seed: u64) -> Self {
        IdGenerator {
            state: Mutex::new(GenState {
                last: None,
                rng: seed,
            }),
        }
    }

    /// The next id for a message received at `unix_ms`.
    pub fn next(&self, unix_ms: u64) -> QueueId {
        let mut st = match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let unix_ms = unix_ms & TIME_MASK;
        let id = match st.last {
            Some(last) if last.unix_ms() >= unix_ms => match last.sequence().checked_add(1) {
                Some(seq) => QueueId::from_parts(last.unix_ms(), seq),
                None => {
                    let seq = splitmix(&mut st.rng) >> 1;
                    QueueId::from_parts(last.unix_ms().saturating_add(1), seq)
                }
            },
            // Half the range, so a busy millisecond has room to count up.
            _ => QueueId::from_parts(unix_ms, splitmix(&mut st.rng) >> 1),
        };
        st.last = Some(id);
        id
    }
}

fn splitmix(state: &mut u64) -> u32 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        let id = QueueId::from_parts(1_700_000_000_123, 0xDEAD_BEEF);
        let text = id.to_string();
        assert_eq!(text.len(), QUEUE_ID_LEN);
        assert_eq!(text.parse::<QueueId>(), Ok(id));
        assert_eq!(text.to_lowercase().parse::<QueueId>(), Ok(id));
        assert_eq!(id.unix_ms(), 1_700_000_000_123);
        assert_eq!(id.sequence(), 0xDEAD_BEEF);
    }

    #[test]
    fn crockford_aliases_and_errors() {
        let id = QueueId::from_parts(1, 1);
        let text = id.to_string().replace('0', "o").replace('1', "l");
        assert_eq!(text.parse::<QueueId>(), Ok(id));
        assert_eq!(
            "short".parse::<QueueId>(),
            Err(ParseQueueIdError::Length(5))
        );
        assert_eq!(
            "0000000000000U00".parse::<QueueId>(),
            Err(ParseQueueIdError::Character('U'))
        );
        assert!("000000000000000é".parse::<QueueId>().is_err());
    }

    #[test]
    fn text_order_is_time_order() {
        let g = IdGenerator::with_seed(7);
        let mut prev = g.next(5);
        for ms in [5, 5, 6, 1000, 999, 1 << 40, 1 << 40] {
            let next = g.next(ms);
            assert!(next > prev, "{next} after {prev}");
            assert!(next.to_string() > prev.to_string());
            prev = next;
        }
    }

    #[test]
    fn sequence_overflow_moves_to_next_millisecond() {
        let g = IdGenerator::with_seed(1);
        {
            let mut st = g.state.lock().unwrap_or_else(|p| p.into_inner());
            st.last = Some(QueueId::from_parts(10, u32::MAX));
        }
        let id = g.next(10);
        assert_eq!(id.unix_ms(), 11);
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = s.parse::<QueueId>();
        }

        #[test]
        fn display_parse_identity(ms in 0u64..(1 << 48), seq: u32) {
            let id = QueueId::from_parts(ms, seq);
            proptest::prop_assert_eq!(id.to_string().parse::<QueueId>(), Ok(id));
        }
    }
}
