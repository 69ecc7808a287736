//! Integration tests of the embedded store: the conformance suite, SQLite-specific behaviour,
//! the crash test and the disk-full test. One binary, to keep link times down.

mod store {
    pub mod common;
    mod conformance;
    mod crash;
    mod disk_full;
    mod sqlite;
}
