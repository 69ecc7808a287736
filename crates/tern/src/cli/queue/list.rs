//! `tern queue list`: the queue as a compact table, or JSON.

use std::process::ExitCode;

use serde_json::json;
use tern_store::{MessageInfo, QueueStore, RecipientState, SqliteStore};

use super::{
    Context, ListArgs, message_json, paint_state, para, reply_codes, sender_text, time, to_json,
};
use crate::cli::output;

/// Lists the messages the filters select: only those with work left, unless `--all` or the
/// filters ask for finished ones.
pub(super) async fn run(store: &SqliteStore, args: &ListArgs, cx: &Context<'_>) -> ExitCode {
    let mut filter = args.filter.to_filter(cx.now);
    if !with_finished(args) {
        filter.pending = Some(true);
    }
    match store.list(filter).await {
        Ok(messages) => {
            // Nothing with work left: say whether finished messages are there to see.
            let finished = messages.is_empty()
                && !with_finished(args)
                && store
                    .list(tern_store::ListFilter {
                        limit: Some(1),
                        ..tern_store::ListFilter::default()
                    })
                    .await
                    .is_ok_and(|l| !l.is_empty());
            print(&messages, args, finished, cx)
        }
        Err(e) => output::fail(&format!("cannot read the queue: {e}")),
    }
}

/// There is no queue on disk yet: an empty listing.
pub(super) fn run_empty(args: &ListArgs, cx: &Context<'_>) -> ExitCode {
    print(&[], args, false, cx)
}

/// `finished`: finished messages are kept that this listing left out.
fn print(messages: &[MessageInfo], args: &ListArgs, finished: bool, cx: &Context<'_>) -> ExitCode {
    if args.json {
        let list: Vec<_> = messages
            .iter()
            .map(|m| message_json(m, cx, false))
            .collect();
        return output::print(&to_json(&json!({
            "count": messages.len(),
            "messages": list,
        })));
    }
    if messages.is_empty() {
        let text = if args.filter.is_empty() && finished {
            "Nothing is waiting for delivery (--all also lists finished messages).\n"
        } else if args.filter.is_empty() {
            "The queue is empty.\n"
        } else if with_finished(args) {
            "No queued message matches these filters.\n"
        } else {
            "No message with work left matches (--all also looks at finished ones).\n"
        };
        return output::print(text);
    }
    output::print(&table(messages, cx))
}

/// Whether finished messages are listed too: `--all`, or filters only they can match.
fn with_finished(args: &ListArgs) -> bool {
    args.all || args.filter.asks_for_finished()
}

/// Column widths for a terminal `width` wide. A message takes one line (id, age, sender),
/// then one indented line per recipient (address, state, last reply), as `mailq` does.
struct Columns {
    sender: usize,
    recipient: usize,
    reply: usize,
}

const ID: usize = 17;
const AGE: usize = 5;
const STATE: usize = 9;
const REPLY: usize = 10;
const INDENT: usize = 2;

impl Columns {
    fn for_width(width: usize) -> Columns {
        let sender = width.saturating_sub(ID + AGE + 2).max(8);
        let with_reply = width.saturating_sub(INDENT + STATE + REPLY + 2);
        let (recipient, reply) = if with_reply >= 20 {
            (with_reply, REPLY)
        } else {
            (width.saturating_sub(INDENT + STATE + 1).max(8), 0)
        };
        Columns {
            sender,
            recipient,
            reply,
        }
    }

    fn message(&self, id: &str, age: &str, sender: &str) -> String {
        format!("{id:<ID$} {age:<AGE$} {}", fit(sender, self.sender))
            .trim_end()
            .to_owned()
    }

    fn recipient(&self, address: &str, state: &str, reply: &str) -> (String, String, String) {
        (
            format!("{:<w$}", fit(address, self.recipient), w = self.recipient),
            format!("{state:<STATE$}"),
            if self.reply > 0 {
                fit(reply, self.reply)
            } else {
                String::new()
            },
        )
    }
}

fn table(messages: &[MessageInfo], cx: &Context<'_>) -> String {
    let cols = Columns::for_width(cx.style.width);
    let style = cx.style;
    let mut out = String::new();
    out.push_str(&style.paint("1", &cols.message("ID", "AGE", "SENDER")));
    out.push('\n');
    let (a, s, r) = cols.recipient("RECIPIENT", "STATE", "REPLY");
    let head = format!("{:INDENT$}{a} {s} {r}", "");
    out.push_str(&style.paint("1", head.trim_end()));
    out.push('\n');
    let mut counts = [0usize; 4];
    let mut recipients = 0;
    let mut held = 0;
    for m in messages {
        if m.held {
            held += 1;
        }
        let id = format!("{}{}", m.id, if m.held { "!" } else { "" });
        let age = time::short_span(cx.now - m.envelope.received_at_ms);
        let sender = sender_text(m.envelope.sender.as_deref());
        out.push_str(&cols.message(&id, &age, &sender));
        out.push('\n');
        for r in &m.recipients {
            recipients += 1;
            if let Some(n) = RecipientState::ALL.iter().position(|s| *s == r.state) {
                counts[n] += 1;
            }
            let reply = r.last_reply.as_ref().map(reply_codes).unwrap_or_default();
            let (a, s, rep) = cols.recipient(&r.address, r.state.as_str(), &reply);
            let line = format!(
                "{:INDENT$}{a} {} {rep}",
                "",
                paint_state(style, r.state, &s)
            );
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    let mut summary = format!(
        "{} message{}, {} recipient{}",
        messages.len(),
        plural(messages.len()),
        recipients,
        plural(recipients)
    );
    let states: Vec<String> = RecipientState::ALL
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    summary.push_str(": ");
    summary.push_str(&states.join(", "));
    if held > 0 {
        summary.push_str(&format!("; {held} held (marked !)"));
    }
    summary.push('.');
    out.push('\n');
    para(&mut out, 0, &summary, style);
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `text` cut to `width` characters, with an ellipsis in the middle so both the start and the
/// domain of an address stay visible.
fn fit(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n <= width {
        return text.to_owned();
    }
    if width < 2 {
        return text.chars().take(width).collect();
    }
    let tail = (width - 1) / 2;
    let head = width - 1 - tail;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_both_ends() {
        assert_eq!(fit("short", 10), "short");
        assert_eq!(
            fit("averyveryverylongname@example.com", 15),
            "averyve…ple.com"
        );
        assert_eq!(fit("abc", 1), "a");
    }

    #[test]
    fn columns_fit_every_width() {
        for width in 40..=120 {
            let c = Columns::for_width(width);
            assert!(ID + 1 + AGE + 1 + c.sender <= width, "{width}");
            let reply = if c.reply > 0 { c.reply + 1 } else { 0 };
            assert!(INDENT + c.recipient + 1 + STATE + reply <= width, "{width}");
        }
    }
}
