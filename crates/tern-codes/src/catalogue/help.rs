//! The syntax shown by `HELP <command>` (RFC 5321 §4.1.1.8).

/// Each command and its syntax line.
pub const HELP_TOPICS: &[(&str, &str)] = &[
    ("EHLO", "EHLO <your host name> - start an ESMTP session"),
    ("HELO", "HELO <your host name> - start a plain SMTP session"),
    (
        "MAIL",
        "MAIL FROM:<sender> [SIZE=n] [BODY=7BIT|8BITMIME|BINARYMIME] [SMTPUTF8] [RET=FULL|HDRS] [ENVID=id] [AUTH=addr]",
    ),
    (
        "RCPT",
        "RCPT TO:<recipient> [NOTIFY=NEVER|SUCCESS,FAILURE,DELAY] [ORCPT=rfc822;addr]",
    ),
    (
        "DATA",
        "DATA - then the message, ending with a line holding only a dot",
    ),
    (
        "BDAT",
        "BDAT <size> [LAST] - then exactly <size> octets of the message",
    ),
    ("RSET", "RSET - abandon the current transaction"),
    ("NOOP", "NOOP - do nothing"),
    ("QUIT", "QUIT - close the session"),
    ("VRFY", "VRFY <address> - not disclosed here"),
    ("HELP", "HELP [command]"),
    ("STARTTLS", "STARTTLS - switch the connection to TLS"),
    (
        "AUTH",
        "AUTH PLAIN [initial-response] | AUTH LOGIN - log in (under TLS only)",
    ),
];

/// The syntax line for a command, case-insensitively.
pub fn help_topic(command: &str) -> Option<&'static str> {
    HELP_TOPICS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(command.trim()))
        .map(|(_, text)| *text)
}
