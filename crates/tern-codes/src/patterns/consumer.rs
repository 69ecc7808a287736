//! Patterns: consumer.

use super::Pattern;

/// This table's patterns, in matching order.
pub(super) const PATTERNS: &[Pattern] = &[];
