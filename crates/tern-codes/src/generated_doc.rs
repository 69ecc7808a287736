//! Test helper: a document under `docs/` that is generated from a table must be current.

/// Fails when `docs/{name}` differs from `generated`; with `TERN_BLESS` set, rewrites it.
pub(crate) fn check(name: &str, generated: &str, test_name: &str) {
    let path = format!("{}/../../docs/{name}", env!("CARGO_MANIFEST_DIR"));
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if on_disk == generated {
        return;
    }
    if std::env::var_os("TERN_BLESS").is_some() {
        std::fs::write(&path, generated).unwrap_or_else(|e| panic!("write docs/{name}: {e}"));
        return;
    }
    panic!(
        "docs/{name} is stale: run `TERN_BLESS=1 cargo test -p tern-codes {test_name}` and commit it"
    );
}
