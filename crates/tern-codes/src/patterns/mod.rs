//! The pattern library: what real servers' replies say, and the cause each wording means.
//!
//! Each [`Pattern`] names the provider whose wording it recognises (or [`Provider::Generic`]
//! for wording many servers share), the [`Cause`] it means, the public page its wording was
//! read from, and at least one real reply as a fixture (a test explains every fixture and
//! expects its own pattern). Matching is one pass of an Aho-Corasick automaton over the
//! lower-cased reply ([`find`]); among the patterns whose phrases occur, provider patterns come
//! before generic ones, and within each, table order decides, so specific wording comes first.
//!
//! A phrase matches as whole words where it begins or ends with a letter or digit (`rbl` does
//! not match inside `verbless`); an edge that is punctuation matches anywhere (`> is blocked`
//! follows `<192.0.2.1`); a `*` at its start or end lets it run into a longer word
//! (`throttl*` matches `throttled` and `throttling`).
//!
//! When no phrase matched, [`codes`] maps the enhanced code (a provider's own use of it first,
//! then the IANA registry) to a cause.

pub mod codes;
mod consumer;
mod gateways;
mod generic;
mod gmail;
mod matcher;
mod microsoft;
mod mtas;
mod yahoo;

pub use matcher::{Codes, Match, find, normalise};

use crate::cause::{Cause, RetryRule, WhoActs};
use crate::provider::Provider;

/// One recognisable wording of a cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern {
    /// Stable identifier, `provider.reason` (`gmail.receiving_too_fast`).
    pub id: &'static str,
    /// Whose wording this is.
    pub provider: Provider,
    /// What it means.
    pub cause: Cause,
    /// Lower-case phrases: the pattern applies when any of them occurs ...
    pub any: &'static [&'static str],
    /// ... and all of these occur too.
    pub all: &'static [&'static str],
    /// Only for replies whose basic code has this first digit (4 or 5).
    pub class: Option<u8>,
    /// Only for replies with one of these basic codes (empty: any), where the same words
    /// mean different things under different codes (`500` vs `502` "command unrecognized").
    pub codes: &'static [u16],
    /// Only for replies whose enhanced code has this subject and detail (`x.4.1`), whatever
    /// its class.
    pub enhanced: Option<(u16, u16)>,
    /// Only when the reply (or its host) is recognised as this provider's.
    pub gated: bool,
    /// Who acts, when this wording says otherwise than the cause's default.
    pub who: Option<WhoActs>,
    /// Whether resending later helps, when this wording says otherwise than the cause's rule.
    pub retry: Option<RetryRule>,
    /// A more precise account of the cause for this wording (replaces the cause's meaning).
    pub detail: Option<&'static str>,
    /// What to do, when this wording calls for something more precise than the cause's advice.
    pub action: Option<&'static str>,
    /// The public page the wording was read from.
    pub source: &'static str,
    /// Real replies with this wording, each explained by a test.
    pub fixtures: &'static [&'static str],
}

impl Pattern {
    /// A pattern with every optional part left out.
    pub const fn new(
        id: &'static str,
        provider: Provider,
        cause: Cause,
        any: &'static [&'static str],
    ) -> Pattern {
        Pattern {
            id,
            provider,
            cause,
            any,
            all: &[],
            class: None,
            codes: &[],
            enhanced: None,
            gated: false,
            who: None,
            retry: None,
            detail: None,
            action: None,
            source: "",
            fixtures: &[],
        }
    }

    /// Also requires every one of `all`.
    pub const fn all(self, all: &'static [&'static str]) -> Pattern {
        Pattern { all, ..self }
    }

    /// Only for transient (`4`) or permanent (`5`) replies.
    pub const fn class(self, class: u8) -> Pattern {
        Pattern {
            class: Some(class),
            ..self
        }
    }

    /// Only for these basic codes.
    pub const fn codes(self, codes: &'static [u16]) -> Pattern {
        Pattern { codes, ..self }
    }

    /// Only for this enhanced code's subject and detail (`.enhanced(4, 1)` for `x.4.1`).
    pub const fn enhanced(self, subject: u16, detail: u16) -> Pattern {
        Pattern {
            enhanced: Some((subject, detail)),
            ..self
        }
    }

    /// Only when the provider is recognised.
    pub const fn gated(self) -> Pattern {
        Pattern {
            gated: true,
            ..self
        }
    }

    /// Who acts for this wording.
    pub const fn who(self, who: WhoActs) -> Pattern {
        Pattern {
            who: Some(who),
            ..self
        }
    }

    /// Resending later helps, and when.
    pub const fn helps(self, when: &'static str) -> Pattern {
        Pattern {
            retry: Some(RetryRule::Helps(when)),
            ..self
        }
    }

    /// Resending later does not help, until what.
    pub const fn never(self, until: &'static str) -> Pattern {
        Pattern {
            retry: Some(RetryRule::Never(until)),
            ..self
        }
    }

    /// A precise account of the cause.
    pub const fn detail(self, detail: &'static str) -> Pattern {
        Pattern {
            detail: Some(detail),
            ..self
        }
    }

    /// What to do.
    pub const fn action(self, action: &'static str) -> Pattern {
        Pattern {
            action: Some(action),
            ..self
        }
    }

    /// The public source of the wording.
    pub const fn source(self, source: &'static str) -> Pattern {
        Pattern { source, ..self }
    }

    /// Real replies with this wording.
    pub const fn fixtures(self, fixtures: &'static [&'static str]) -> Pattern {
        Pattern { fixtures, ..self }
    }
}

/// Every pattern table, in matching order: provider wordings first, generic wording last.
pub const TABLES: &[&[Pattern]] = &[
    gmail::PATTERNS,
    microsoft::PATTERNS,
    yahoo::PATTERNS,
    consumer::PATTERNS,
    gateways::PATTERNS,
    mtas::PATTERNS,
    generic::PATTERNS,
];

/// Every pattern, in matching order.
pub fn all() -> impl Iterator<Item = &'static Pattern> {
    TABLES.iter().flat_map(|t| t.iter())
}

#[cfg(test)]
mod tests;
