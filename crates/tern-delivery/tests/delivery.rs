//! Integration tests of tern-delivery: one module per area, under `tests/delivery/`, sharing
//! the helpers of `tests/support/` (e.g. the in-process DNS server, `support::dns::TestDns`).

mod support;

mod delivery {
    mod dns_tests;
}
