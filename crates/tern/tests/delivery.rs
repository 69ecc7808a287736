//! Outbound delivery end to end: a sending Tern (queue + delivery worker) and real receivers
//! on loopback — Tern's own server and a scripted peer — with each reply class acted on.

/// The in-process DNS server of tern-delivery's tests: MX records on loopback, never the
/// system resolver.
#[path = "../../tern-delivery/tests/support/dns.rs"]
mod dns;

mod delivery {
    mod discard;
    mod finished;
    mod harness;
    mod mx;
    mod scripted;
    mod to_tern;
}
