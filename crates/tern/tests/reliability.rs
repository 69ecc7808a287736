//! Reliability of `tern serve` as a process: kill -9 under load (of the queue, and of local
//! delivery into a Maildir), a full disk, slow and idle clients, and a connection flood. Each
//! test starts real `tern serve` children on ephemeral loopback ports and is bounded in time
//! (the whole binary runs in well under a minute).

mod reliability {
    pub mod support;

    mod disk_full;
    mod flood;
    mod kill9;
    mod kill9_maildir;
    mod slow_clients;
}
