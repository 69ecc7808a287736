//! SMTP reply codes, enhanced status codes, Tern's reply catalogue, and `explain`.
//!
//! This crate is the vocabulary of Tern. It knows:
//! - [`ReplyCode`]: any three-digit code a peer may send (RFC 5321 §4.2), with its class and
//!   category; [`EnhancedCode`]: any `class.subject.detail` (RFC 3463), with the IANA registry
//!   in [`registry`];
//! - [`Reply`]: code, enhanced code and text lines, written strictly on the wire
//!   ([`Reply::write_wire`]) and read tolerantly ([`parse()`], [`find_reply`]);
//! - the [`catalogue`]: every reply Tern sends, with its meaning, who must act, what to do,
//!   whether a retry helps, and the RFC. No reply text is written anywhere else in Tern;
//! - [`explain()`]: the explanation of any reply from any server: its [`cause`] (a taxonomy of
//!   42 causes), who must act, whether resending can work and when, and what to do, decided
//!   from the reply's words first (a library of real providers' wordings in [`patterns`], with
//!   the [`provider`] recognised), then from its codes.
//!
//! It does no I/O and reads no clock. Its one dependency is `aho-corasick`, for matching the
//! pattern library in one pass (`serde` is an optional feature).

mod code;
mod enhanced;
mod explain;
#[cfg(test)]
mod generated_doc;
mod parse;
mod reply;

pub mod catalogue;
pub mod cause;
pub mod patterns;
pub mod provider;
pub mod registry;

pub use cause::{Cause, Family, WhoActs};
pub use code::{CodeError, ReplyCategory, ReplyClass, ReplyCode};
pub use enhanced::{EnhancedCode, EnhancedCodeError, Subject};
pub use explain::{
    Confidence, Explanation, Outcome, Source, catalogue_match, explain, explain_code,
    explain_enhanced, explain_from, explain_input, explain_reply,
};
pub use parse::{Anomaly, ParseError, Parsed, ReplyLine, find_reply, parse, split_enhanced};
pub use provider::Provider;
pub use reply::{MAX_REPLY_LINE, Reply};
