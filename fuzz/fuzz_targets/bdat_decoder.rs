//! The BDAT decoder on any bytes, in any split: it never panics, it consumes exactly the
//! chunk (or all of a shorter input), stores at most up to the size limit, and its sink,
//! consumption, size and outcome are the same whether the input comes whole, cut at the
//! fuzzer's split points, or one byte at a time.
//!
//! Input: chunk size, size of the earlier chunks and limit (two bytes each, or eight bytes
//! each when the first byte is odd, to reach the saturating edges), the split points, then
//! the data.
//!
//! Stable proptests of the same properties: `bdat_is_split_invariant` and
//! `bdat_decoder_is_split_invariant_on_any_bytes` in crates/tern-proto/tests/proto.rs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tern_fuzz::{Bytes, cut};
use tern_proto::{BdatDecoder, BdatOutcome};

type Run = (Vec<u8>, usize, Option<BdatOutcome>, u64, u64);

fn run(pieces: &[&[u8]], chunk: u64, so_far: u64, limit: u64) -> Run {
    let mut decoder = BdatDecoder::new(chunk, so_far, limit);
    let mut sink = Vec::new();
    let mut consumed = 0;
    let mut outcome = decoder.feed(&[], &mut sink).outcome;
    for piece in pieces {
        if outcome.is_some() {
            break;
        }
        let progress = decoder.feed(piece, &mut sink);
        assert!(progress.consumed <= piece.len());
        consumed += progress.consumed;
        outcome = progress.outcome;
    }
    (sink, consumed, outcome, decoder.remaining(), decoder.size())
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes::new(data);
    let mut number = |wide: bool| {
        if wide {
            bytes.u64()
        } else {
            u64::from(u16::from_le_bytes([bytes.byte(), bytes.byte()]))
        }
    };
    let wide = data.first().is_some_and(|b| b & 1 != 0);
    let (chunk, so_far, limit) = (number(wide), number(wide), number(wide));
    let points = bytes.splits();
    let input = bytes.rest();

    let whole = run(&[input], chunk, so_far, limit);
    assert_eq!(run(&cut(input, &points), chunk, so_far, limit), whole);
    let single: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(run(&single, chunk, so_far, limit), whole);

    let (sink, consumed, outcome, remaining, _) = &whole;
    let expected = usize::try_from(chunk).map_or(input.len(), |c| c.min(input.len()));
    assert_eq!(*consumed, expected);
    // Stored: the chunk up to the limit, nothing once the earlier chunks were over it (also
    // where the size saturates at u64::MAX).
    let room = if so_far > limit {
        0
    } else {
        usize::try_from(limit - so_far).unwrap_or(usize::MAX)
    };
    assert_eq!(&sink[..], &input[..expected.min(room)]);
    assert_eq!(outcome.is_some(), *remaining == 0);
});
