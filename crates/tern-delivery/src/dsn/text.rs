//! The human half of a DSN: the `text/plain` part a person reads first. For each recipient:
//! what happened in one sentence, the reply quoted exactly as the server sent it and who sent
//! it, and the catalogue's explanation (what it means, the likely cause, who must act, whether
//! a retry helps, what to do).

use tern_codes::catalogue::DELIVERY_DISCARDED;
use tern_codes::{Explanation, explain_reply};

use super::fields::{clean, rfc5322_date};
use super::{Action, DsnInput, DsnKind, DsnRecipient, Returned};

/// Where the text wraps: short enough that an ASCII text part goes out as 7bit, not quoted-
/// printable (a long quoted reply line still makes it quoted-printable, which readers decode).
const WIDTH: usize = 72;
/// The column where the values of labelled lines start.
const LABEL: usize = 17;

/// The whole `text/plain` part, CRLF line ends.
pub(super) fn human_text(
    input: &DsnInput<'_>,
    recipients: &[&DsnRecipient<'_>],
    returned: Returned,
) -> String {
    let host = clean(input.reporting_mta);
    let mut t = Text::default();
    t.line(&format!("This is the mail system at {host}."));
    t.blank();
    match input.kind {
        DsnKind::Failure => {
            t.para(
                "Your message could not be delivered to the recipients below. This is \
                 final: the mail system has stopped trying, and the message will not reach \
                 them unless something is changed and it is sent again. Each recipient \
                 below says what went wrong and what to do.",
            );
        }
        DsnKind::Delay => {
            t.para(
                "Your message has not been delivered yet to the recipients below. The \
                 problem looks temporary, so the mail system keeps trying: you do not need \
                 to send the message again. You will get another message if it finally \
                 cannot be delivered.",
            );
        }
        DsnKind::Success => {
            t.para("Your message was delivered to the recipients below, as you asked to be told.");
        }
    }
    t.blank();
    t.labelled("Queue ID:", &clean(input.queue_id));
    t.labelled("Received:", &rfc5322_date(input.original.received_at_ms));
    if let Some(subject) = original_subject(input.original_message) {
        t.labelled("Subject:", &subject);
    }
    if let Some(envid) = input.original.params.envid.as_deref() {
        t.labelled("Envelope ID:", &clean(envid));
    }

    for r in recipients {
        t.blank();
        t.line(&"-".repeat(WIDTH));
        t.blank();
        recipient(&mut t, &host, r);
    }

    t.blank();
    t.line(&"-".repeat(WIDTH));
    t.blank();
    t.para(returned.describe());
    t.para(
        "The delivery report after this text says the same for programs (RFC 3464). \
         It is followed by your message.",
    );
    t.out
}

/// One recipient's block.
fn recipient(t: &mut Text, host: &str, r: &DsnRecipient<'_>) {
    let explanation = explain_reply(&r.reply, r.remote_mta);
    let gave_up = r.action == Action::Failed && !r.reply.code().is_permanent();
    let who = r.remote_mta.map(clean);

    t.labelled("Recipient:", &format!("<{}>", clean(r.address)));
    if let Some(orcpt) = r.orcpt {
        // A person needs only the address, not its type.
        t.labelled("Originally to:", &format!("<{}>", clean(&orcpt.address)));
    }
    t.labelled("What happened:", &happened(r, who.as_deref(), gave_up));
    if let Some(at) = r.last_attempt_ms {
        t.labelled("Last attempt:", &rfc5322_date(at));
    }
    if r.action == Action::Delayed {
        let until = match r.will_retry_until_ms {
            Some(until) => format!("{} (then it gives up and tells you)", rfc5322_date(until)),
            None => "on the retry schedule, until the message expires".to_owned(),
        };
        t.labelled("Trying until:", &until);
    }

    t.blank();
    match &who {
        Some(remote) => t.line(&format!("{remote} replied:")),
        None => t.line(&format!("The mail system at {host} reported:")),
    }
    for line in String::from_utf8_lossy(&r.reply.to_wire(true)).split("\r\n") {
        if !line.is_empty() {
            t.line(&format!("    {}", clean(line)));
        }
    }
    t.blank();
    explanation_lines(t, &explanation, r.action, gave_up);
}

/// What happened, in one sentence.
fn happened(r: &DsnRecipient<'_>, who: Option<&str>, gave_up: bool) -> String {
    let server = who.map_or_else(
        || "this mail system".to_owned(),
        |w| format!("the receiving server {w}"),
    );
    match r.action {
        Action::Failed if gave_up => format!(
            "Not delivered. Every attempt failed with a temporary error, and the message \
             was older than this mail system keeps trying, so it gave up. The last answer, \
             from {server}, is below."
        ),
        Action::Failed if who.is_some() => format!(
            "Not delivered: {server} refused the message for this recipient, and said \
             that trying again will not help."
        ),
        Action::Failed => {
            "Not delivered: this mail system could not deliver to this recipient, and \
             trying again will not help."
                .to_owned()
        }
        Action::Delayed => format!(
            "Not delivered yet: {server} answered with a temporary error. The mail system \
             keeps trying."
        ),
        Action::Delivered => match who {
            Some(_) => format!("Delivered: {server} accepted the message for this recipient."),
            // A discard route (Postfix's `discard:`): reported as delivered, as Postfix does,
            // and said plainly.
            None if tern_codes::catalogue_match(&r.reply) == Some(&DELIVERY_DISCARDED) => {
                "Discarded: this mail system accepted the message and then, as it is \
                 configured to do for the recipient's domain, dropped it. It was not delivered \
                 to any mailbox."
                    .to_owned()
            }
            None => "Delivered to the recipient's mailbox.".to_owned(),
        },
        Action::Relayed => format!(
            "Passed on to {server}, which does not send delivery reports: this is the last \
             news you will get about this recipient."
        ),
        Action::Expanded => {
            "Delivered to a mailing list or alias, which passes it on to its members; \
             you will get no further reports for them."
                .to_owned()
        }
    }
}

/// The explanation, labelled: what it means, why, who must act, whether sending again helps
/// and what to do.
fn explanation_lines(t: &mut Text, e: &Explanation, action: Action, gave_up: bool) {
    t.labelled("What it means:", &e.summary);
    if matches!(action, Action::Failed | Action::Delayed) {
        if let Some(p) = e.provider {
            t.labelled("Answered by:", p.name());
        }
        if e.likely_cause != e.summary {
            t.labelled("Likely cause:", &e.likely_cause);
        }
        t.labelled("Who must act:", e.who_acts.describe());
        let retry = if gave_up && e.retry_helps {
            "the problem looked temporary but lasted longer than this mail system keeps \
             trying; sending the message again later may succeed"
                .to_owned()
        } else if e.retry_helps && action == Action::Delayed {
            format!("yes: the mail system retries by itself ({})", e.retry_when)
        } else if e.retry_helps {
            format!("yes, {}: send the message again then", e.retry_when)
        } else {
            format!("no: {}", e.retry_when)
        };
        t.labelled("Sending again:", &retry);
        t.labelled("What to do:", &e.action);
    }
    for note in &e.notes {
        t.labelled("Note:", note);
    }
}

/// The original `Subject:`, unfolded and cleaned, if the header block has one.
fn original_subject(message: &[u8]) -> Option<String> {
    let headers = super::header_block(message);
    let text = String::from_utf8_lossy(headers);
    let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r'));
    while let Some(line) = lines.next() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("subject") || name.starts_with([' ', '\t']) {
            continue;
        }
        let mut subject = value.to_owned();
        for more in lines.by_ref() {
            if more.starts_with([' ', '\t']) {
                subject.push_str(more);
            } else {
                break;
            }
        }
        let subject = clean(&subject);
        let subject: String = subject.chars().take(200).collect();
        return (!subject.is_empty()).then_some(subject);
    }
    None
}

/// A text being written: lines, wrapping, labels.
#[derive(Default)]
struct Text {
    out: String,
}

impl Text {
    fn line(&mut self, line: &str) {
        self.out.push_str(line.trim_end());
        self.out.push_str("\r\n");
    }

    fn blank(&mut self) {
        self.out.push_str("\r\n");
    }

    /// A paragraph, wrapped.
    fn para(&mut self, text: &str) {
        self.wrapped("", "", text);
    }

    /// `Label:   value`, the value wrapped under itself.
    fn labelled(&mut self, label: &str, value: &str) {
        let first = format!("{label:<LABEL$}");
        let rest = " ".repeat(LABEL);
        self.wrapped(&first, &rest, &clean(value));
    }

    fn wrapped(&mut self, first: &str, rest: &str, text: &str) {
        let mut line = first.to_owned();
        let mut empty = true;
        for word in text.split_whitespace() {
            let width = line.chars().count();
            if !empty && width + 1 + word.chars().count() > WIDTH {
                self.line(&line);
                line = rest.to_owned();
                empty = true;
            }
            if !empty {
                line.push(' ');
            }
            line.push_str(word);
            empty = false;
        }
        self.line(&line);
    }
}
