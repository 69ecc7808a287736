//! STARTTLS for the load generator: any certificate is accepted (the target is loopback and
//! the point is to measure the handshake and the encrypted session, not to check identity).
//! It is the verifier Tern's own opportunistic delivery uses: signatures are verified, the
//! certificate is checked but accepted whatever the result, so a handshake costs what a real
//! one does.

use std::sync::{Arc, Mutex};

use rustls::ClientConfig;

/// A client config that accepts any server certificate.
pub fn permissive() -> Result<Arc<ClientConfig>, String> {
    tern_delivery::remote::tls::opportunistic(Arc::new(Mutex::new(None)))
}
