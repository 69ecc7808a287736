//! The EHLO reply's keywords (RFC 5321 §4.1.1.1), read into what the client acts on.

use tern_codes::Reply;

/// What the server offered in its EHLO reply. After HELO, or before EHLO, nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Whether the server spoke ESMTP (answered EHLO rather than only HELO).
    pub esmtp: bool,
    /// The first line of the EHLO reply: the server's name and greeting text.
    pub greeting: String,
    /// `SIZE [n]` (RFC 1870): `Some(0)` when offered without a fixed limit.
    pub size: Option<u64>,
    /// `PIPELINING` (RFC 2920).
    pub pipelining: bool,
    /// `8BITMIME` (RFC 6152).
    pub eight_bit_mime: bool,
    /// `SMTPUTF8` (RFC 6531).
    pub smtputf8: bool,
    /// `CHUNKING` (RFC 3030).
    pub chunking: bool,
    /// `BINARYMIME` (RFC 3030).
    pub binary_mime: bool,
    /// `DSN` (RFC 3461).
    pub dsn: bool,
    /// `STARTTLS` (RFC 3207).
    pub starttls: bool,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    pub enhanced_status_codes: bool,
    /// `AUTH` mechanisms (RFC 4954), upper-cased; also read from the old `AUTH=` form.
    pub auth: Vec<String>,
    /// Other keywords, upper-cased, with their parameters as sent.
    pub other: Vec<String>,
}

impl Capabilities {
    /// Reads the keywords of a 2yz EHLO reply (every line after the first).
    pub fn from_ehlo(reply: &Reply) -> Capabilities {
        let mut caps = Capabilities {
            esmtp: true,
            greeting: reply.lines().first().cloned().unwrap_or_default(),
            ..Capabilities::default()
        };
        for line in reply.lines().iter().skip(1) {
            caps.keyword(line);
        }
        caps
    }

    fn keyword(&mut self, line: &str) {
        let line = line.trim();
        let (word, rest) = match line.find([' ', '=']) {
            Some(i) => (&line[..i], line[i + 1..].trim()),
            None => (line, ""),
        };
        let word = word.to_ascii_uppercase();
        match word.as_str() {
            "SIZE" => {
                // A missing or unreadable number means no announced limit.
                let limit = rest
                    .split_ascii_whitespace()
                    .next()
                    .and_then(|n| n.parse::<u64>().ok())
                    .unwrap_or(0);
                self.size = Some(limit);
            }
            "PIPELINING" => self.pipelining = true,
            "8BITMIME" => self.eight_bit_mime = true,
            "SMTPUTF8" => self.smtputf8 = true,
            "CHUNKING" => self.chunking = true,
            "BINARYMIME" => self.binary_mime = true,
            "DSN" => self.dsn = true,
            "STARTTLS" => self.starttls = true,
            "ENHANCEDSTATUSCODES" => self.enhanced_status_codes = true,
            "AUTH" => {
                for m in rest.split_ascii_whitespace() {
                    let m = m.to_ascii_uppercase();
                    if !self.auth.contains(&m) {
                        self.auth.push(m);
                    }
                }
            }
            "" => {}
            _ => self.other.push(if rest.is_empty() {
                word
            } else {
                format!("{word} {rest}")
            }),
        }
    }

    /// The announced SIZE limit, when there is one (RFC 1870: 0 means none).
    pub fn size_limit(&self) -> Option<u64> {
        self.size.filter(|&n| n > 0)
    }

    /// Whether the AUTH mechanism is offered.
    pub fn offers_auth(&self, mechanism: &str) -> bool {
        self.auth.iter().any(|m| m.eq_ignore_ascii_case(mechanism))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tern_codes::ReplyCode;

    #[test]
    fn reads_the_usual_keywords() {
        let reply = Reply::from_lines(
            ReplyCode::OK,
            None,
            [
                "mx.example.net Hello",
                "SIZE 35882577",
                "pipelining",
                "8BITMIME",
                "AUTH PLAIN LOGIN",
                "AUTH=LOGIN CRAM-MD5",
                "ENHANCEDSTATUSCODES",
                "STARTTLS",
                "DSN",
                "SMTPUTF8",
                "CHUNKING",
                "X-FOO bar",
            ],
        );
        let c = Capabilities::from_ehlo(&reply);
        assert!(c.esmtp && c.pipelining && c.eight_bit_mime && c.starttls && c.dsn);
        assert!(c.smtputf8 && c.chunking && c.enhanced_status_codes);
        assert_eq!(c.size_limit(), Some(35_882_577));
        assert_eq!(c.auth, ["PLAIN", "LOGIN", "CRAM-MD5"]);
        assert_eq!(c.other, ["X-FOO bar"]);
        assert_eq!(c.greeting, "mx.example.net Hello");
    }

    #[test]
    fn size_without_a_number_is_no_limit() {
        let reply = Reply::from_lines(ReplyCode::OK, None, ["mx", "SIZE"]);
        let c = Capabilities::from_ehlo(&reply);
        assert_eq!(c.size, Some(0));
        assert_eq!(c.size_limit(), None);
    }
}
