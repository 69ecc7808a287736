//! Integration tests of tern-codes: real-world replies explained (snapshots) and property
//! tests of the parser and the catalogue's wire form.

#[path = "codes/corpus.rs"]
mod corpus;
#[path = "codes/fixtures.rs"]
mod fixtures;
#[path = "codes/props.rs"]
mod props;
