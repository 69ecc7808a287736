//! The DATA decoder on any bytes, in any split: it never panics, and what it writes to the
//! sink, how many bytes it consumes and how the data ends (complete, too large, bare line
//! ending) are the same whether the input comes whole, cut at the fuzzer's split points, or
//! one byte at a time.
//!
//! Input: one byte for the policy and the size limit, the split points, then the data.
//!
//! Stable proptests of the same properties: `data_decoder_matches_reference_however_split`,
//! `data_decoder_is_split_invariant_on_any_bytes` and `smuggling_vectors_stay_in_the_body` in
//! crates/tern-proto/tests/proto.rs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tern_fuzz::{Bytes, cut, policy};
use tern_proto::{DataDecoder, DataOutcome, LineEndingPolicy};

fn run(
    pieces: &[&[u8]],
    limit: u64,
    policy: LineEndingPolicy,
) -> (Vec<u8>, usize, Option<DataOutcome>) {
    let mut decoder = DataDecoder::new(limit, policy);
    let mut sink = Vec::new();
    let mut consumed = 0;
    for piece in pieces {
        let progress = decoder.feed(piece, &mut sink);
        assert!(progress.consumed <= piece.len());
        consumed += progress.consumed;
        if progress.outcome.is_some() {
            return (sink, consumed, progress.outcome);
        }
        assert_eq!(
            progress.consumed,
            piece.len(),
            "bytes left over before the end"
        );
    }
    (sink, consumed, None)
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes::new(data);
    let params = bytes.byte();
    let policy = policy(params & 1 != 0);
    // No limit, or a small one that the data reaches.
    let limit = if params & 2 != 0 {
        u64::MAX
    } else {
        u64::from(params >> 2) * 4
    };
    let points = bytes.splits();
    let input = bytes.rest();

    let whole = run(&[input], limit, policy);
    assert_eq!(run(&cut(input, &points), limit, policy), whole);
    let single: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(run(&single, limit, policy), whole);
    let (sink, _, outcome) = &whole;
    if let Some(DataOutcome::Complete { size }) = outcome {
        assert_eq!(*size, sink.len() as u64);
    }
});
