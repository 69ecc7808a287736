//! `tern send`: a sendmail-compatible way for scripts and applications to submit mail. The
//! message is read from standard input, takes the way SMTP mail takes (addresses parsed, the
//! policy asked as for the logged-in local user, a `Received:` header: `tern_server::local`)
//! and is queued directly (durably) in the local queue; a running `tern serve` delivers it
//! within a second.

use std::io::Read;
use std::process::ExitCode;
use std::time::SystemTime;

use tern_config::Config;
use tern_server::local::{LocalMessage, intake};
use tern_store::QueueStore;

use super::output;
use super::serve::open_store;

/// Arguments of `tern send` (the sendmail options scripts use).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The envelope sender (the address bounces go to). Default: the current user at the
    /// server's host name.
    #[arg(short = 'f', value_name = "SENDER")]
    from: Option<String>,
    /// Take the recipients from the To:, Cc: and Bcc: headers (Bcc: is removed).
    #[arg(short = 't')]
    from_headers: bool,
    /// Accepted for compatibility: a line with a single dot does not end the message (it
    /// never does here: the message ends at the end of input).
    #[arg(short = 'i')]
    ignore_dots: bool,
    /// sendmail's `-o` options (`-oi`, `-oem`...): accepted and ignored.
    #[arg(short = 'o', value_name = "OPTION")]
    options: Vec<String>,
    /// The sender's full name, added as From: when the message has none.
    #[arg(short = 'F', value_name = "NAME")]
    full_name: Option<String>,
    /// Recipients.
    #[arg(value_name = "RECIPIENT")]
    recipients: Vec<String>,
}

pub const AFTER_HELP: &str = "\
Examples:
  printf 'Subject: hi\\n\\nhello\\n' | tern send bob@example.com
  tern send -t < message.eml               # recipients from To:, Cc:, Bcc:
  tern send -f alerts@example.com ops@example.com < report.txt

Addresses are checked as SMTP mail's are: a local mailbox must exist, an address must be
valid; a refusal prints the reply an SMTP server would give and what to do, and nothing is
queued.

Exit status: 0 queued (durably), 2 bad arguments, no recipient or a refused address, 1 the
queue could not be written (nothing was queued).";

/// Runs `tern send`.
pub fn run(args: Args, config: &Config) -> ExitCode {
    let _ = (args.ignore_dots, &args.options);
    let mut raw = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut raw) {
        return output::fail(&format!("cannot read the message from standard input: {e}"));
    }
    let mut message = crlf(&raw);
    let mut recipients = args.recipients.clone();
    if args.from_headers {
        let (headers, without_bcc) = header_recipients(&message);
        recipients.extend(headers);
        message = without_bcc;
    }
    recipients.retain(|r| !r.trim().is_empty());
    if recipients.is_empty() {
        return output::bad_input(
            "no recipient: give addresses as arguments, or -t to read To:, Cc: and Bcc:",
        );
    }
    let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
    let sender = args
        .from
        .clone()
        .unwrap_or_else(|| format!("{user}@{}", config.server.hostname));
    if !message_has_header(&message, "from") {
        let from = match &args.full_name {
            Some(name) => format!(
                "From: {} <{sender}>\r\n",
                name.replace(['\r', '\n', '<', '>'], "")
            ),
            None => format!("From: <{sender}>\r\n"),
        };
        message.splice(0..0, from.into_bytes());
    }
    // The way SMTP mail takes: addresses parsed, the policy asked, a Received: header.
    let policy = tern_policy::Policy::new(config);
    let handed = LocalMessage {
        user,
        sender,
        recipients,
        message,
    };
    let (envelope, message) =
        match intake(&policy, &config.server.hostname, handed, SystemTime::now()) {
            Ok(accepted) => accepted,
            Err(reply) => {
                // The reply an SMTP server would give, and what to do about it.
                let action = tern_codes::explain_reply(&reply, None).action;
                return output::bad_input(&format!(
                    "not queued: {} ({action})",
                    reply.to_string().trim_end()
                ));
            }
        };
    let store = match open_store(config) {
        Ok(s) => s,
        Err(e) => return output::fail(&e),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return output::fail(&format!("cannot start the runtime: {e}")),
    };
    match runtime.block_on(store.enqueue(envelope, message)) {
        Ok(id) => output::print(&format!("queued as {id}\n")),
        Err(e) => output::fail(&format!("the message was not queued: {e}")),
    }
}

/// Every line end as CRLF (scripts write LF).
fn crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 40);
    let mut previous = 0u8;
    for &b in raw {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn header_block(message: &[u8]) -> &[u8] {
    let end = message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(message.len(), |p| p + 2);
    &message[..end]
}

fn message_has_header(message: &[u8], name: &str) -> bool {
    String::from_utf8_lossy(header_block(message))
        .lines()
        .any(|l| {
            l.split_once(':')
                .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        })
}

/// The addresses of To:, Cc: and Bcc:, and the message without its Bcc: header.
fn header_recipients(message: &[u8]) -> (Vec<String>, Vec<u8>) {
    let mut recipients = Vec::new();
    if let Some(parsed) = mail_parser::MessageParser::default().parse_headers(message) {
        for addresses in [parsed.to(), parsed.cc(), parsed.bcc()]
            .into_iter()
            .flatten()
        {
            for a in addresses.iter() {
                if let Some(address) = a.address() {
                    recipients.push(address.to_owned());
                }
            }
        }
    }
    let headers = header_block(message);
    let mut out = Vec::with_capacity(message.len());
    let mut skipping = false;
    for line in headers.split_inclusive(|&b| b == b'\n') {
        let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !continuation {
            skipping = line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"bcc:");
        }
        if !skipping {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(&message[headers.len()..]);
    (recipients, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_become_crlf() {
        assert_eq!(crlf(b"a\nb\r\nc"), b"a\r\nb\r\nc\r\n");
    }

    #[test]
    fn recipients_from_headers_and_bcc_removed() {
        let m = crlf(b"To: Bob <bob@example.com>, carol@example.com\nBcc: dave@example.com,\n  erin@example.com\nSubject: x\n\nBcc: in the body stays\n");
        let (r, out) = header_recipients(&m);
        assert_eq!(
            r,
            vec![
                "bob@example.com",
                "carol@example.com",
                "dave@example.com",
                "erin@example.com"
            ]
        );
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.starts_with("Bcc") && !text.contains("erin@"),
            "{text}"
        );
        assert!(text.contains("Bcc: in the body stays"));
    }
}
