//! Helpers shared by the integration tests of tern-delivery.

pub mod dns;
