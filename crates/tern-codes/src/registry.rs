//! The IANA "SMTP Enhanced Status Codes" registry: every enumerated `X.subject.detail`
//! (RFC 3463, RFC 5248 and the RFCs that registered codes since).

/// One registered `X.subject.detail` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registered {
    /// The subject number.
    pub subject: u16,
    /// The detail number.
    pub detail: u16,
    /// The registry's title, e.g. "Mailbox full".
    pub title: &'static str,
    /// What it means, in plain words.
    pub description: &'static str,
    /// The RFC (and section) that defines it.
    pub reference: &'static str,
}

macro_rules! registry {
    ($(($s:literal, $d:literal, $title:literal, $desc:literal, $rfc:literal),)*) => {
        /// Every registered code, in registry order.
        pub const ALL: &[Registered] = &[
            $(Registered { subject: $s, detail: $d, title: $title, description: $desc, reference: $rfc },)*
        ];
    };
}

registry! {
    (0, 0, "Other undefined status", "No more specific information is available.", "RFC 3463 §3.1"),
    (1, 0, "Other address status", "Something about an address is wrong, but not one of the specific cases.", "RFC 3463 §3.2"),
    (1, 1, "Bad destination mailbox address", "The mailbox part of the recipient address does not exist at the destination: usually a misspelled or deleted user.", "RFC 3463 §3.2"),
    (1, 2, "Bad destination system address", "The domain of the recipient address does not exist or cannot accept mail.", "RFC 3463 §3.2"),
    (1, 3, "Bad destination mailbox address syntax", "The recipient address is not a valid address at all (syntax).", "RFC 3463 §3.2"),
    (1, 4, "Destination mailbox address ambiguous", "The recipient address matches more than one mailbox.", "RFC 3463 §3.2"),
    (1, 5, "Destination address valid", "The recipient address was accepted as valid.", "RFC 3463 §3.2"),
    (1, 6, "Destination mailbox has moved, no forwarding address", "The mailbox used to exist but has moved; the new address is not forwarded to automatically.", "RFC 3463 §3.2"),
    (1, 7, "Bad sender's mailbox address syntax", "The sender address is not a valid address (syntax).", "RFC 3463 §3.2"),
    (1, 8, "Bad sender's system address", "The domain of the sender address does not exist or cannot receive replies.", "RFC 3463 §3.2"),
    (1, 9, "Message relayed to non-compliant mailer", "The message went on to a system that cannot return delivery status notifications.", "RFC 3886 §4"),
    (1, 10, "Recipient address has null MX", "The recipient's domain publishes a null MX: it declares that it accepts no mail at all.", "RFC 7505 §3.1"),
    (2, 0, "Other or undefined mailbox status", "The mailbox exists but something about it prevents delivery.", "RFC 3463 §3.3"),
    (2, 1, "Mailbox disabled, not accepting messages", "The mailbox exists but is disabled or suspended.", "RFC 3463 §3.3"),
    (2, 2, "Mailbox full", "The recipient's mailbox is over its storage quota.", "RFC 3463 §3.3"),
    (2, 3, "Message length exceeds administrative limit", "The message is larger than this mailbox accepts.", "RFC 3463 §3.3"),
    (2, 4, "Mailing list expansion problem", "The address is a mailing list that could not be expanded.", "RFC 3463 §3.3"),
    (3, 0, "Other or undefined mail system status", "The receiving mail system has a problem not covered by a specific code.", "RFC 3463 §3.4"),
    (3, 1, "Mail system full", "The receiving mail system is out of storage.", "RFC 3463 §3.4"),
    (3, 2, "System not accepting network messages", "The receiving host is not accepting mail at the moment, e.g. shutting down.", "RFC 3463 §3.4"),
    (3, 3, "System not capable of selected features", "The message asks for a feature the receiving system does not support.", "RFC 3463 §3.4"),
    (3, 4, "Message too big for system", "The message is larger than the receiving system accepts for any mailbox.", "RFC 3463 §3.4"),
    (3, 5, "System incorrectly configured", "The receiving system is misconfigured.", "RFC 3463 §3.4"),
    (3, 6, "Requested priority was changed", "The message was accepted at another priority than requested.", "RFC 6710 §6"),
    (4, 0, "Other or undefined network or routing status", "Something went wrong on the network or in routing.", "RFC 3463 §3.5"),
    (4, 1, "No answer from host", "The destination host did not answer the connection.", "RFC 3463 §3.5"),
    (4, 2, "Bad connection", "The connection was made but broke or timed out during the exchange.", "RFC 3463 §3.5"),
    (4, 3, "Directory server failure", "A directory (DNS or LDAP) lookup needed to route the message failed.", "RFC 3463 §3.5"),
    (4, 4, "Unable to route", "No route to the destination could be found, e.g. no MX and no address record.", "RFC 3463 §3.5"),
    (4, 5, "Mail system congestion", "The mail system is overloaded.", "RFC 3463 §3.5"),
    (4, 6, "Routing loop detected", "The message has passed through too many hosts, probably in a loop.", "RFC 3463 §3.5"),
    (4, 7, "Delivery time expired", "The message stayed in a queue longer than allowed and was given up.", "RFC 3463 §3.5"),
    (5, 0, "Other or undefined protocol status", "The SMTP exchange went wrong in an unspecified way.", "RFC 3463 §3.6"),
    (5, 1, "Invalid command", "The command is unknown, out of sequence, or not supported.", "RFC 3463 §3.6"),
    (5, 2, "Syntax error", "The command could not be parsed, e.g. a line too long.", "RFC 3463 §3.6"),
    (5, 3, "Too many recipients", "The message has more recipients than allowed in one transaction.", "RFC 3463 §3.6"),
    (5, 4, "Invalid command arguments", "The command is valid but its arguments or parameters are not.", "RFC 3463 §3.6"),
    (5, 5, "Wrong protocol version", "The protocol version negotiated is not supported.", "RFC 3463 §3.6"),
    (5, 6, "Authentication exchange line is too long", "A line of the AUTH exchange exceeded the server's limit.", "RFC 4954 §6"),
    (6, 0, "Other or undefined media error", "Something about the message content prevents delivery.", "RFC 3463 §3.7"),
    (6, 1, "Media not supported", "The message uses a media type the destination does not accept.", "RFC 3463 §3.7"),
    (6, 2, "Conversion required and prohibited", "The message would have to be converted, but conversion is forbidden.", "RFC 3463 §3.7"),
    (6, 3, "Conversion required but not supported", "The message would have to be converted, and no converter exists.", "RFC 3463 §3.7"),
    (6, 4, "Conversion with loss performed", "The message was converted and some content was lost.", "RFC 3463 §3.7"),
    (6, 5, "Conversion failed", "Converting the message failed.", "RFC 3463 §3.7"),
    (6, 6, "Message content not available", "Referenced content (BURL) could not be fetched.", "RFC 4468 §7"),
    (6, 7, "Non-ASCII addresses not permitted for that sender/recipient", "An internationalized (UTF-8) address was used without SMTPUTF8 support on both sides.", "RFC 6531 §3.5"),
    (6, 8, "UTF-8 string reply is required, but not permitted by the SMTP client", "The server needed to answer in UTF-8 but the client did not allow it.", "RFC 6531 §3.7.4.1"),
    (6, 9, "UTF-8 header message cannot be transferred to one or more recipients", "The message has UTF-8 headers and a recipient's system cannot receive them.", "RFC 6531 §3.7.5"),
    (7, 0, "Other or undefined security status", "A security or policy rule refused the message.", "RFC 3463 §3.8"),
    (7, 1, "Delivery not authorized, message refused", "Policy refused the message: relaying denied, sender blocked, or content refused.", "RFC 3463 §3.8"),
    (7, 2, "Mailing list expansion prohibited", "The sender may not send to this mailing list.", "RFC 3463 §3.8"),
    (7, 3, "Security conversion required but not possible", "A security conversion was required and could not be done.", "RFC 3463 §3.8"),
    (7, 4, "Security features not supported", "The message asks for security features the destination lacks.", "RFC 3463 §3.8"),
    (7, 5, "Cryptographic failure", "A cryptographic operation (decryption, signature) failed.", "RFC 3463 §3.8"),
    (7, 6, "Cryptographic algorithm not supported", "The message uses a cryptographic algorithm the destination does not support.", "RFC 3463 §3.8"),
    (7, 7, "Message integrity failure", "The message was altered or corrupted in transit.", "RFC 3463 §3.8"),
    (7, 8, "Authentication credentials invalid", "The user name or password (or token) given to AUTH is wrong.", "RFC 4954 §6"),
    (7, 9, "Authentication mechanism is too weak", "The server requires a stronger AUTH mechanism.", "RFC 4954 §6"),
    (7, 10, "Encryption needed", "The action requires an encrypted connection.", "RFC 5248 §2.4"),
    (7, 11, "Encryption required for requested authentication mechanism", "This AUTH mechanism is only allowed after STARTTLS (or on implicit TLS).", "RFC 4954 §6"),
    (7, 12, "A password transition is needed", "The user must change the password before authenticating this way.", "RFC 4954 §6"),
    (7, 13, "User account disabled", "The sending or receiving account is disabled.", "RFC 5248 §2.4"),
    (7, 14, "Trust relationship required", "The receiving system requires a trust relationship with the sender that does not exist.", "RFC 5248 §2.4"),
    (7, 15, "Priority level is too low", "The requested message priority is too low for this system.", "RFC 6710 §6"),
    (7, 16, "Message is too big for the specified priority", "The message is too large for its requested priority.", "RFC 6710 §6"),
    (7, 17, "Mailbox owner has changed", "The mailbox now belongs to someone else (RRVS).", "RFC 7293 §3.3"),
    (7, 18, "Domain owner has changed", "The domain now belongs to someone else (RRVS).", "RFC 7293 §3.3"),
    (7, 19, "RRVS test cannot be completed", "The require-recipient-valid-since test could not be done.", "RFC 7293 §3.3"),
    (7, 20, "No passing DKIM signature found", "The message has no DKIM signature that verifies.", "RFC 7372 §3.1"),
    (7, 21, "No acceptable DKIM signature found", "DKIM signatures verify but none is acceptable under local policy.", "RFC 7372 §3.1"),
    (7, 22, "No valid author-matched DKIM signature found", "No valid DKIM signature matches the From: domain.", "RFC 7372 §3.1"),
    (7, 23, "SPF validation failed", "The sending IP is not allowed to send for the sender's domain by its SPF record.", "RFC 7372 §3.2"),
    (7, 24, "SPF validation error", "Evaluating the sender domain's SPF record produced an error.", "RFC 7372 §3.2"),
    (7, 25, "Reverse DNS validation failed", "The sending IP's reverse DNS does not match or does not exist.", "RFC 7372 §3.3"),
    (7, 26, "Multiple authentication checks failed", "The message failed more than one authentication check (SPF, DKIM, DMARC, ...).", "RFC 7372 §3.4"),
    (7, 27, "Sender address has null MX", "The sender's domain publishes a null MX, so bounces could never reach it.", "RFC 7505 §3.2"),
    (7, 28, "Mail flood detected", "The message looks like part of a flood of similar abusive messages.", "IANA registry (2018)"),
    (7, 29, "ARC validation failure", "The message's ARC chain did not validate.", "RFC 8617 §5.2"),
    (7, 30, "REQUIRETLS support required", "The message demands REQUIRETLS and the next hop does not support it.", "RFC 8689 §5"),
}

/// The registry entry for `X.subject.detail`.
pub fn lookup(subject: u16, detail: u16) -> Option<&'static Registered> {
    ALL.iter()
        .find(|r| r.subject == subject && r.detail == detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_has_no_duplicates_and_no_empty_text() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(!a.title.is_empty() && !a.description.is_empty() && !a.reference.is_empty());
            for b in &ALL[i + 1..] {
                assert!(
                    (a.subject, a.detail) != (b.subject, b.detail),
                    "duplicate X.{}.{}",
                    a.subject,
                    a.detail
                );
            }
        }
    }

    #[test]
    fn registry_covers_rfc5248_and_later() {
        for detail in 0..=30 {
            assert!(lookup(7, detail).is_some(), "X.7.{detail}");
        }
        assert!(lookup(1, 10).is_some());
        assert!(lookup(7, 31).is_none());
    }
}
