//! The server session on any bytes, in any split: it never panics, and the replies it sends,
//! the messages it hands over for storing and whether it closes are the same whether the
//! client's bytes come whole or cut at the fuzzer's split points. Every decision and every
//! message is answered at once and deterministically (`tern_fuzz::verdict`).
//!
//! Input: one byte choosing the session configuration, the split points, then the client's
//! bytes.
//!
//! Stable proptests of the same property: `session_replies_do_not_depend_on_the_split`,
//! `session_byte_by_byte_matches_whole` and `session_on_any_bytes_does_not_depend_on_the_split`
//! in crates/tern-proto/tests/session/props.rs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tern_fuzz::{Bytes, cut, run_session, session_config};

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes::new(data);
    let (config, implicit) = session_config(bytes.byte());
    let points = bytes.splits();
    let input = bytes.rest();

    let whole = run_session(&config, implicit, &[input]);
    let split = run_session(&config, implicit, &cut(input, &points));
    assert_eq!(
        String::from_utf8_lossy(&split.output),
        String::from_utf8_lossy(&whole.output),
        "replies differ between the whole input and {} pieces",
        points.len() + 1
    );
    assert_eq!(split, whole);
});
