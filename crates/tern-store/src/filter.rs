//! Filters for listing the queue.

use crate::status::RecipientState;

/// Matches a recipient's last reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyFilter {
    /// Exactly this three-digit code, e.g. 550.
    Code(u16),
    /// This class: 2, 4 or 5 matches 2xx, 4xx, 5xx.
    Class(u8),
}

impl ReplyFilter {
    /// The inclusive code range this filter matches.
    pub fn code_range(self) -> (u16, u16) {
        match self {
            ReplyFilter::Code(c) => (c, c),
            ReplyFilter::Class(c) => {
                let base = u16::from(c).saturating_mul(100);
                (base, base.saturating_add(99))
            }
        }
    }
}

/// Which messages to list. Every field left `None` matches everything.
///
/// Message-level conditions (sender, held, age) apply to the message. Recipient-level
/// conditions (state, domain, recipient, reply) must all hold for one and the same recipient.
/// Text comparisons ignore ASCII case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// A recipient is in this state.
    pub state: Option<RecipientState>,
    /// A recipient's domain equals this.
    pub domain: Option<String>,
    /// The sender equals this address; the empty string or `<>` matches the null sender.
    pub sender: Option<String>,
    /// A recipient's address equals this.
    pub recipient: Option<String>,
    /// A recipient's last reply matches.
    pub reply: Option<ReplyFilter>,
    /// The message is held (`Some(true)`) or not (`Some(false)`).
    pub held: Option<bool>,
    /// The message has work left, a recipient not yet final (`Some(true)`: what `mailq`
    /// shows), or every recipient is delivered or failed (`Some(false)`).
    pub pending: Option<bool>,
    /// Received at or before this time (Unix ms): "older than" = now minus the age.
    pub received_before_ms: Option<i64>,
    /// Received at or after this time (Unix ms).
    pub received_after_ms: Option<i64>,
    /// At most this many messages, oldest first.
    pub limit: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_covers_hundred_codes() {
        assert_eq!(ReplyFilter::Class(4).code_range(), (400, 499));
        assert_eq!(ReplyFilter::Code(550).code_range(), (550, 550));
        assert_eq!(ReplyFilter::Class(255).code_range(), (25500, 25599));
    }
}
