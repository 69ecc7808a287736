//! Tern's SMTP server: the listeners for port 25, submission (587) and implicit TLS (465),
//! STARTTLS, AUTH and the session driver that connects `tern-proto`'s `ServerSession` to
//! sockets, policy and the store.
//!
//! The supporting modules hold the parts that need I/O or a clock but no session:
//!
//! - [`tls`]: the server certificate (configured or generated self-signed) and the negotiated
//!   TLS facts;
//! - [`users`]: the user database for SMTP AUTH (argon2 hashes in `data_dir/users`);
//! - [`limits`]: connection limits and the AUTH failure lockout;
//! - [`received`]: the `Received:` trace header.
//!
//! None of them writes SMTP replies: they return data and errors, and the session maps them to
//! entries of the `tern-codes` catalogue.

mod atomic;
mod connection;
mod context;
mod envelope;
pub mod limits;
pub mod local;
pub mod received;
mod server;
pub mod tls;
pub mod users;

pub use context::{ClientFacts, MailboxUsage, ServerContext};
pub use server::{Hooks, ServerHandle, StartError, session_config, start};
