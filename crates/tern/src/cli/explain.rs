//! `tern explain`: replies, codes and bounces, explained for people and for scripts.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;
use tern_codes::{Confidence, Explanation, Outcome, explain_input};

use super::output::{self, Style};
use crate::bounce;

pub const LONG_ABOUT: &str = "\
Explain an SMTP reply: what it means, why it was sent, who must act, whether sending again
later can work (and when), and what to do. The cause comes from the reply's words first (the
wording of Gmail, Microsoft 365, Yahoo and many other servers is recognised, and the provider
named), then from its codes; where the words and the codes disagree, the words win and a note
says so. The input can be a basic code (550), an enhanced status code (5.1.1), a whole reply as
a server sent it (one line or several), a log line that contains a reply, or a bounce message
(--bounce). docs/causes.md lists every cause.";

pub const AFTER_HELP: &str = "\
Examples:
  tern explain 550
  tern explain 5.7.26
  tern explain \"550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown\"
  grep 'said:' /var/log/mail.log | tail -n 1 | tern explain -
  tern explain --bounce returned-mail.eml
  tern explain --json 452 4.2.2 Mailbox full

Exit status (scripts can branch on it; it follows the first digit of the reply):
  0  success: a 2yz reply, nothing to fix
  3  intermediate: a 3yz reply, the exchange goes on (nothing accepted yet)
  4  transient: a 4yz reply; the same message may go through later
  5  permanent: a 5yz reply; it will fail again until something is changed
  2  the input is not a reply, a code, or a readable bounce
  1  a file could not be read
With --bounce, the worst outcome over all recipients decides the status.";

/// Arguments of `tern explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The reply, code or enhanced code; several words are joined with spaces. Use - to
    /// read from standard input (for multi-line replies pasted from a log).
    #[arg(value_name = "REPLY", required_unless_present = "bounce", num_args = 1..)]
    input: Vec<String>,

    /// Read a bounce (a delivery status notification, RFC 3464, or a common non-standard
    /// bounce) from FILE (- for standard input) and explain each failed recipient.
    #[arg(long, value_name = "FILE", conflicts_with = "input")]
    bounce: Option<PathBuf>,

    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `tern explain`.
pub fn run(args: Args, style: Style) -> ExitCode {
    match args.bounce {
        Some(path) => run_bounce(&path, args.json, style),
        None => run_reply(&args.input, args.json, style),
    }
}

fn run_reply(input: &[String], json: bool, style: Style) -> ExitCode {
    let text = if input.len() == 1 && input[0] == "-" {
        let mut bytes = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
            return output::fail(&format!("cannot read standard input: {e}"));
        }
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        input.join(" ")
    };
    let explanation = match explain_input(&text) {
        Ok(ex) => ex,
        Err(message) => return output::bad_input(&message),
    };
    let rendered = if json {
        to_json(&JsonExplanation::new(&explanation))
    } else {
        let mut text = render(&explanation, style);
        if explanation.text.is_empty() {
            text.push_str(&where_tern_sends(&explanation, style));
        }
        text
    };
    let status = output::print(&rendered);
    if status != ExitCode::SUCCESS {
        return status;
    }
    exit_for(explanation.outcome())
}

/// For a bare code: the replies of Tern's own catalogue that carry it, so a user can see
/// when Tern sends it (`tern catalogue` lists them all).
fn where_tern_sends(ex: &Explanation, style: Style) -> String {
    let entries: Vec<&tern_codes::catalogue::Entry> = tern_codes::catalogue::ALL
        .iter()
        .copied()
        .filter(|e| match (ex.code, ex.enhanced) {
            (Some(code), _) => e.code == code,
            (None, Some(enhanced)) => e.enhanced == Some(enhanced),
            (None, None) => false,
        })
        .collect();
    if entries.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{}\n", style.paint("1", "Tern sends it as:"));
    for e in entries {
        let enhanced = e.enhanced.map(|c| format!(" {c}")).unwrap_or_default();
        let line = format!(
            "{}{} {}  ({})",
            e.code,
            enhanced,
            e.text.replace('\n', " / "),
            e.id
        );
        for (i, piece) in textwrap::wrap(&line, style.width.saturating_sub(4).max(20))
            .iter()
            .enumerate()
        {
            out.push_str(if i == 0 { "  - " } else { "    " });
            out.push_str(piece);
            out.push('\n');
        }
    }
    out
}

fn run_bounce(path: &std::path::Path, json: bool, style: Style) -> ExitCode {
    let bytes = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map(|_| bytes)
    } else {
        std::fs::read(path)
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => return output::fail(&format!("cannot read {}: {e}", path.display())),
    };
    let report = match bounce::read(&bytes) {
        Ok(r) => r,
        Err(e) => return output::bad_input(&format!("{}: {e}", path.display())),
    };
    let worst = report
        .recipients
        .iter()
        .map(|r| {
            r.explanation
                .as_ref()
                .map_or(Outcome::Permanent, Explanation::outcome)
        })
        .max()
        .unwrap_or(Outcome::Permanent);
    let rendered = if json {
        let recipients: Vec<JsonRecipient<'_>> = report
            .recipients
            .iter()
            .map(|r| JsonRecipient {
                recipient: &r.recipient,
                action: r.action.as_deref(),
                status: r.status.as_deref(),
                remote_mta: r.remote_mta.as_deref(),
                diagnostic: r.diagnostic.as_deref(),
                explanation: r.explanation.as_ref().map(JsonExplanation::new),
            })
            .collect();
        to_json(&serde_json::json!({
            "format": report.format,
            "reporting_mta": report.reporting_mta,
            "recipients": recipients,
        }))
    } else {
        render_bounce(&report, style)
    };
    let status = output::print(&rendered);
    if status != ExitCode::SUCCESS {
        return status;
    }
    exit_for(worst)
}

fn exit_for(outcome: Outcome) -> ExitCode {
    match outcome {
        Outcome::Success => ExitCode::SUCCESS,
        Outcome::Intermediate => ExitCode::from(3),
        Outcome::Transient => ExitCode::from(4),
        Outcome::Permanent => ExitCode::from(5),
    }
}

#[derive(Serialize)]
struct JsonExplanation<'a> {
    outcome: Outcome,
    #[serde(flatten)]
    explanation: &'a Explanation,
}

impl<'a> JsonExplanation<'a> {
    fn new(explanation: &'a Explanation) -> Self {
        JsonExplanation {
            outcome: explanation.outcome(),
            explanation,
        }
    }
}

#[derive(Serialize)]
struct JsonRecipient<'a> {
    recipient: &'a str,
    action: Option<&'a str>,
    status: Option<&'a str>,
    remote_mta: Option<&'a str>,
    diagnostic: Option<&'a str>,
    explanation: Option<JsonExplanation<'a>>,
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")) + "\n"
}

/// The human rendering of one explanation.
pub fn render(ex: &Explanation, style: Style) -> String {
    let mut out = String::new();
    let colour = match ex.outcome() {
        Outcome::Success => "1;32",
        Outcome::Intermediate => "1;36",
        Outcome::Transient => "1;33",
        Outcome::Permanent => "1;31",
    };
    let mut head = String::new();
    if let Some(code) = ex.code {
        head.push_str(&code.to_string());
    }
    if let Some(e) = ex.enhanced {
        if !head.is_empty() {
            head.push(' ');
        }
        head.push_str(&e.to_string());
    }
    if !ex.text.is_empty() {
        head.push(' ');
        head.push_str(&ex.text);
    }
    for line in textwrap::wrap(&head, style.width) {
        out.push_str(&style.paint("2", &line));
        out.push('\n');
    }
    for line in textwrap::wrap(&ex.summary, style.width) {
        out.push_str(&style.paint(colour, &line));
        out.push('\n');
    }
    out.push('\n');
    let mut fields: Vec<(&str, String)> = Vec::new();
    if let Some(p) = ex.provider {
        fields.push(("Provider", p.name().to_owned()));
    }
    let by = match (ex.confidence, ex.pattern_id, ex.catalogue_id) {
        (_, _, Some(id)) => format!("Tern's own reply {id}"),
        (_, Some(id), _) => format!("recognised wording {id}"),
        (Confidence::CodeOnly, _, _) => "the code only".to_owned(),
        (Confidence::Pattern, None, None) => "the reply's words".to_owned(),
    };
    fields.push((
        "Cause",
        format!("{} [{}, from {by}]", ex.likely_cause, ex.cause.id()),
    ));
    fields.push(("Meaning", ex.meaning.clone()));
    fields.push(("Who acts", ex.who_acts.describe().to_owned()));
    fields.extend(retry_fields(ex));
    fields.push(("What to do", ex.action.clone()));
    for note in &ex.notes {
        fields.push(("Note", note.clone()));
    }
    fields.push(("See", ex.references.join(", ")));
    for (label, value) in fields {
        out.push_str(&field(label, &value, style));
    }
    out
}

/// The retry answers: one line when what the mail server does and whether resending can work
/// agree, two when they differ.
fn retry_fields(ex: &Explanation) -> Vec<(&'static str, String)> {
    match ex.outcome() {
        Outcome::Success | Outcome::Intermediate => {
            return vec![("Retry", "no retry needed".to_owned())];
        }
        Outcome::Transient | Outcome::Permanent => {}
    }
    let server_retries = ex.outcome() == Outcome::Transient;
    let answer = if ex.retry_helps {
        format!("yes, {}", ex.retry_when)
    } else {
        format!("no: {}", ex.retry_when)
    };
    if server_retries == ex.retry_helps {
        return vec![("Retry", answer)];
    }
    let server = if server_retries {
        "the sending server retries (a 4yz reply), until its retry period ends"
    } else {
        "the sending server does not retry (a 5yz reply): the message comes back"
    };
    vec![("Retry", server.to_owned()), ("Resending", answer)]
}

fn field(label: &str, value: &str, style: Style) -> String {
    let mut out = String::new();
    output::field(&mut out, 0, label, value, style);
    out
}

fn render_bounce(report: &bounce::Report, style: Style) -> String {
    let mut out = String::new();
    let kind = match report.format {
        bounce::Format::Rfc3464 => "a standard delivery status notification (RFC 3464)",
        bounce::Format::PlainText => "a non-standard bounce (read from its text)",
    };
    out.push_str(&format!("This bounce is {kind}"));
    if let Some(mta) = &report.reporting_mta {
        out.push_str(&format!(" from {mta}"));
    }
    out.push_str(&format!(
        ", about {} recipient{}.\n",
        report.recipients.len(),
        if report.recipients.len() == 1 {
            ""
        } else {
            "s"
        }
    ));
    for r in &report.recipients {
        out.push('\n');
        out.push_str(&style.paint("1", &format!("Recipient {}", r.recipient)));
        out.push('\n');
        if let Some(action) = &r.action {
            out.push_str(&field("Action", action, style));
        }
        if let Some(status) = &r.status {
            out.push_str(&field("Status", status, style));
        }
        if let Some(mta) = &r.remote_mta {
            out.push_str(&field("Remote MTA", mta, style));
        }
        match &r.explanation {
            Some(ex) => out.push_str(&render(ex, style)),
            None => out.push_str(&field(
                "Reply",
                "the bounce gives no SMTP reply or status for this recipient",
                style,
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_inputs_get_one_line_errors() {
        for (input, expect) in [
            ("55", "three digits"),
            ("650", "first digit"),
            ("5.1", "three parts"),
            ("", "nothing to explain"),
            ("hello world", "no SMTP reply found"),
            ("5.9999.1", "1 to 3 digits"),
        ] {
            let err = explain_input(input).unwrap_err();
            assert!(err.contains(expect), "{input:?}: {err}");
            assert!(!err.contains('\n'), "{input:?}: {err}");
        }
    }

    #[test]
    fn inputs_of_each_kind() {
        assert_eq!(explain_input("550").unwrap().outcome(), Outcome::Permanent);
        assert_eq!(
            explain_input(" 4.2.2 ").unwrap().outcome(),
            Outcome::Transient
        );
        assert_eq!(
            explain_input("250 2.0.0 Ok").unwrap().outcome(),
            Outcome::Success
        );
    }

    #[test]
    fn rendering_fits_the_width() {
        let ex = explain_input("550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy. Please contact the administrator of example.com domain if this was a legitimate mail.").unwrap();
        let style = Style {
            color: false,
            width: 60,
        };
        let text = render(&ex, style);
        for line in text.lines() {
            assert!(line.chars().count() <= 60, "{line}");
        }
        assert!(text.contains("DMARC"));
        assert!(!text.contains('\x1b'));
    }
}
