//! The command parser on any bytes: `parse_command` never panics, and a command it accepts
//! re-parses to the same command from its wire form (`Display`), which is what the client
//! side sends.
//!
//! Stable proptests of the same properties: `parser_never_panics`,
//! `parser_never_panics_near_valid_input` and `valid_commands_round_trip` in
//! crates/tern-proto/tests/proto.rs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tern_proto::parse_command;

fuzz_target!(|line: &[u8]| {
    if let Ok(command) = parse_command(line) {
        let wire = command.to_string();
        assert_eq!(parse_command(wire.as_bytes()), Ok(command), "{wire:?}");
    }
});
