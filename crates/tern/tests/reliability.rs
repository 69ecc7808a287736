//! Reliability of `tern serve` as a process: kill -9 under load, a full disk, slow and idle
//! clients, and a connection flood. Each test starts real `tern serve` children on ephemeral
//! loopback ports and is bounded in time (the whole binary runs in well under a minute).

mod reliability {
    pub mod support;

    mod disk_full;
    mod flood;
    mod kill9;
    mod slow_clients;
}
