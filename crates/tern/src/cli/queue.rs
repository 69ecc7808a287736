//! `tern queue`: look at the queue and act on it, while `tern serve` runs or not.
//!
//! The commands open the store under `data_dir/queue` as a second handle when a server holds
//! it (SQLite's locking keeps both consistent), read or change it, and close it.
//!
//! - `list`: the messages with work left (with `--all`, finished ones too) as a compact table
//!   (or JSON), with the filters of [`FilterArgs`];
//! - `show ID`: the envelope, each recipient's status with its last reply explained, and the
//!   timeline of attempts with their transcripts;
//! - `why ID`: one screen on why a message is still queued and what happens next;
//! - `retry | hold | release | delete | bounce`: on ids, or on the messages a filter selects.

mod actions;
mod list;
mod show;
mod time;

use std::process::ExitCode;
use std::time::Duration;

use serde_json::Value;
use tern_admin::views::{
    address_of, attempt_json, explain_stored_from, explanation_json, reply_json,
};
use tern_codes::Explanation;
use tern_config::Config;
use tern_store::{
    Decision, ListFilter, MessageInfo, Notify, QueueId, RecipientState, RecipientStatus,
    ReplyFilter, SqliteStore, StoredReply, TlsOutcome, domain_of,
};

use super::output::{self, Style};

const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  done (an empty listing, or an action with nothing to do, is success)
  1  a message was not found, or the queue could not be read or changed
  2  bad input: a malformed queue id or option (nothing was changed)";

const LIST_AFTER_HELP: &str = "\
Which messages: those with work left, as mailq shows them: a recipient still
scheduled or deferred, held or not. Finished messages (every recipient
delivered or failed) stay for [delivery] keep_finished so show and why can
explain them; --all lists them too. A filter that only finished recipients can
match (--state delivered, --state failed, a 2xx or 5xx --code or --class) looks
at them without --all.

Columns: the queue id (followed by ! when the message is held), its age, the
sender (<> is the null sender of bounces), then one line per recipient with its
state and its last reply code. Recipient conditions (--state, --domain,
--recipient, --code, --class) must all hold for one and the same recipient; the
other recipients of a matching message are listed too.

Examples:
  tern queue list --state deferred
  tern queue list --domain example.com --class 4
  tern queue list --all --newer-than 1h
  tern queue list --state failed --newer-than 1d
  tern queue list --older-than 2d --json | jq -r '.messages[].id'

Exit status:
  0  listed (also when nothing matches)
  1  the queue could not be read
  2  bad input: an unknown option value";

const ACTION_AFTER_HELP: &str = "\
Give one or more queue ids, or select messages with the filters of
`tern queue list`; --all acts on every message in the queue. Each message gets
one line saying what was done.

Exit status:
  0  done (a message with nothing left to do is not an error)
  1  a message was not found (the others are still acted on), or the queue
     could not be changed
  2  bad input: a malformed queue id, or no id, filter or --all (nothing was
     changed)";

/// Look at the queue and act on it.
#[derive(Debug, clap::Subcommand)]
pub enum QueueCommand {
    /// List the messages with work left (a recipient scheduled or deferred, held or not) in a
    /// compact table: id, age, sender, each recipient with its state and last reply code (like
    /// `mailq`/`postqueue -p`). `--all` adds the finished ones (delivered, failed).
    #[command(visible_alias = "ls", after_help = LIST_AFTER_HELP)]
    List(ListArgs),
    /// Show one message: envelope, client facts, each recipient's status with its last reply
    /// explained, the next attempt, and the timeline of every attempt with its transcript.
    #[command(after_help = EXIT_STATUS_HELP)]
    Show(ShowArgs),
    /// Why is this message still queued, and what happens next? One screen: per recipient the
    /// last reply, what it means, who must act, the next attempt and when Tern gives up.
    #[command(after_help = EXIT_STATUS_HELP)]
    Why(ShowArgs),
    /// Try again now: every recipient not yet delivered or failed becomes due at once (a
    /// running `tern serve` picks it up within a second).
    #[command(after_help = ACTION_AFTER_HELP)]
    Retry(ActionArgs),
    /// Hold messages: nothing is delivered until they are released (like `postsuper -h`).
    #[command(after_help = ACTION_AFTER_HELP)]
    Hold(ActionArgs),
    /// Release held messages: each recipient is tried again at its next attempt time.
    #[command(after_help = ACTION_AFTER_HELP)]
    Release(ActionArgs),
    /// Delete messages from the queue, silently: the sender is not told (like `postsuper -d`).
    #[command(after_help = ACTION_AFTER_HELP)]
    Delete(ActionArgs),
    /// Fail the recipients not yet delivered, now, with the reply "554 5.0.0 Delivery
    /// cancelled by the administrator"; they are not tried again and the sender gets a bounce.
    #[command(after_help = ACTION_AFTER_HELP)]
    Bounce(ActionArgs),
}

/// The state a recipient is in, for `--state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StateArg {
    /// Accepted, not tried yet.
    Scheduled,
    /// Failed temporarily; tried again later.
    Deferred,
    /// Delivered.
    Delivered,
    /// Failed for good.
    Failed,
}

impl From<StateArg> for RecipientState {
    fn from(s: StateArg) -> Self {
        match s {
            StateArg::Scheduled => RecipientState::Scheduled,
            StateArg::Deferred => RecipientState::Deferred,
            StateArg::Delivered => RecipientState::Delivered,
            StateArg::Failed => RecipientState::Failed,
        }
    }
}

/// Which messages: the filters shared by `list` and the actions.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only messages with a recipient in this state.
    #[arg(long, value_enum, value_name = "STATE")]
    state: Option<StateArg>,
    /// Only messages with a recipient at this domain.
    #[arg(long, value_name = "DOMAIN")]
    domain: Option<String>,
    /// Only messages from this sender (`<>` for the null sender of bounces).
    #[arg(long, value_name = "ADDRESS")]
    sender: Option<String>,
    /// Only messages to this recipient.
    #[arg(long, value_name = "ADDRESS")]
    recipient: Option<String>,
    /// Only messages with a recipient whose last reply has this code, e.g. 550.
    #[arg(long, value_name = "CODE", value_parser = parse_code, conflicts_with = "class")]
    code: Option<u16>,
    /// Only messages with a recipient whose last reply is of this class: 2, 4 or 5.
    #[arg(long, value_name = "DIGIT", value_parser = parse_class)]
    class: Option<u8>,
    /// Only messages received longer ago than this: 30m, 1h, 2d.
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    older_than: Option<Duration>,
    /// Only messages received less long ago than this: 30m, 1h, 2d.
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    newer_than: Option<Duration>,
    /// Only held messages.
    #[arg(long)]
    held: bool,
}

/// Arguments of `tern queue list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// Also list finished messages: every recipient delivered or failed (their history is
    /// kept for `[delivery] keep_finished`).
    #[arg(long)]
    all: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Arguments of `tern queue show` and `tern queue why`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The queue id (16 characters, as in "250 2.0.0 Ok: queued as ID").
    #[arg(value_name = "ID")]
    id: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Arguments of the actions.
#[derive(Debug, clap::Args)]
pub struct ActionArgs {
    /// Queue ids to act on.
    #[arg(value_name = "ID")]
    ids: Vec<String>,
    #[command(flatten)]
    filter: FilterArgs,
    /// Act on every message in the queue (required when no id or filter is given).
    #[arg(long, conflicts_with = "ids")]
    all: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn parse_code(s: &str) -> Result<u16, String> {
    match s.parse::<u16>() {
        Ok(c) if (200..=599).contains(&c) => Ok(c),
        _ => Err(format!("expected a reply code from 200 to 599, got {s:?}")),
    }
}

fn parse_class(s: &str) -> Result<u8, String> {
    match s {
        "2" | "4" | "5" => Ok(s.as_bytes()[0] - b'0'),
        _ => Err(format!("expected a reply class 2, 4 or 5, got {s:?}")),
    }
}

fn parse_age(s: &str) -> Result<Duration, String> {
    tern_config::parse_duration(s)
}

impl FilterArgs {
    fn is_empty(&self) -> bool {
        self.state.is_none()
            && self.domain.is_none()
            && self.sender.is_none()
            && self.recipient.is_none()
            && self.code.is_none()
            && self.class.is_none()
            && self.older_than.is_none()
            && self.newer_than.is_none()
            && !self.held
    }

    /// Whether only finished recipients can match: a final state, or a reply of class 2 or 5
    /// (a recipient's last reply decided its state by its first digit).
    fn asks_for_finished(&self) -> bool {
        let class = self.code.map(|c| c / 100).or(self.class.map(u16::from));
        matches!(self.state, Some(StateArg::Delivered | StateArg::Failed))
            || matches!(class, Some(2 | 5))
    }

    fn to_filter(&self, now: i64) -> ListFilter {
        let ago =
            |d: Duration| now.saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        ListFilter {
            state: self.state.map(RecipientState::from),
            domain: self.domain.clone(),
            sender: self.sender.clone(),
            recipient: self.recipient.clone(),
            reply: self
                .code
                .map(ReplyFilter::Code)
                .or(self.class.map(ReplyFilter::Class)),
            held: self.held.then_some(true),
            pending: None,
            received_before_ms: self.older_than.map(ago),
            received_after_ms: self.newer_than.map(ago),
            limit: None,
        }
    }
}

/// Whether the recipient-level conditions of a filter all hold for this recipient.
fn recipient_matches(filter: &ListFilter, r: &RecipientStatus) -> bool {
    filter.state.is_none_or(|s| s == r.state)
        && filter
            .domain
            .as_ref()
            .is_none_or(|d| domain_of(&r.address) == d.to_lowercase())
        && filter
            .recipient
            .as_ref()
            .is_none_or(|a| a.eq_ignore_ascii_case(&r.address))
        && filter.reply.is_none_or(|f| {
            let (lo, hi) = f.code_range();
            r.last_reply
                .as_ref()
                .is_some_and(|reply| (lo..=hi).contains(&reply.code))
        })
}

/// Runs a queue command.
pub fn run(command: QueueCommand, config: &Config, style: Style) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return output::fail(&format!("cannot start the runtime: {e}")),
    };
    let now = time::now_ms();
    let cx = Context { config, style, now };
    match command {
        QueueCommand::List(args) => {
            let Some(store) = cx.open() else {
                return list::run_empty(&args, &cx);
            };
            let store = match store {
                Ok(s) => s,
                Err(code) => return code,
            };
            runtime.block_on(async {
                let code = list::run(&store, &args, &cx).await;
                close(store).await;
                code
            })
        }
        QueueCommand::Show(args) => {
            let (id, store) = match open_for(&args.id, &cx) {
                Ok(pair) => pair,
                Err(code) => return code,
            };
            runtime.block_on(async {
                let code = show::show(&store, id, args.json, &cx).await;
                close(store).await;
                code
            })
        }
        QueueCommand::Why(args) => {
            let (id, store) = match open_for(&args.id, &cx) {
                Ok(pair) => pair,
                Err(code) => return code,
            };
            runtime.block_on(async {
                let code = show::why(&store, id, args.json, &cx).await;
                close(store).await;
                code
            })
        }
        QueueCommand::Retry(args) => actions::run(&runtime, actions::Action::Retry, args, &cx),
        QueueCommand::Hold(args) => actions::run(&runtime, actions::Action::Hold, args, &cx),
        QueueCommand::Release(args) => actions::run(&runtime, actions::Action::Release, args, &cx),
        QueueCommand::Delete(args) => actions::run(&runtime, actions::Action::Delete, args, &cx),
        QueueCommand::Bounce(args) => actions::run(&runtime, actions::Action::Bounce, args, &cx),
    }
}

/// The id and the store, or the exit status: 2 for a malformed id, 1 when there is no queue.
fn open_for(text: &str, cx: &Context<'_>) -> Result<(QueueId, SqliteStore), ExitCode> {
    let id = parse_id(text).map_err(|m| output::bad_input(&m))?;
    match cx.open() {
        None => Err(output::fail(&not_found(id))),
        Some(Err(code)) => Err(code),
        Some(Ok(store)) => Ok((id, store)),
    }
}

async fn close(store: SqliteStore) {
    if let Err(e) = store.close().await {
        eprintln!("tern: closing the queue: {e}");
    }
}

/// What every command needs: the config, the terminal style and the time it started.
#[derive(Debug)]
struct Context<'a> {
    config: &'a Config,
    style: Style,
    now: i64,
}

impl Context<'_> {
    /// The store under `data_dir/queue`; `None` if there is no queue on disk yet (nothing is
    /// created then).
    fn open(&self) -> Option<Result<SqliteStore, ExitCode>> {
        let dir = self.config.server.data_dir.join("queue");
        if !dir.exists() {
            return None;
        }
        Some(super::serve::open_store(self.config).map_err(|m| output::fail(&m)))
    }

    /// When Tern gives up on a message received at `received_ms`.
    fn gives_up_at(&self, received_ms: i64) -> i64 {
        let limit = self.config.delivery.max_queue_time.0.as_millis();
        received_ms.saturating_add(i64::try_from(limit).unwrap_or(i64::MAX))
    }
}

fn parse_id(text: &str) -> Result<QueueId, String> {
    text.trim()
        .parse::<QueueId>()
        .map_err(|e| format!("{text:?} is not a queue id: {e}"))
}

fn not_found(id: QueueId) -> String {
    format!("no message {id} in the queue (delivered and deleted, or never queued)")
}

// ----- shared rendering ---------------------------------------------------------------------

/// The explanation of a stored reply, through `tern_codes::explain`.
fn explain_stored(reply: &StoredReply) -> Option<Explanation> {
    explain_stored_from(reply, None)
}

/// A message as JSON (`tern_admin::views`), with this config's give-up time.
fn message_json(info: &MessageInfo, cx: &Context<'_>, explain: bool) -> Value {
    tern_admin::views::message_json(info, cx.config.delivery.max_queue_time.0, explain)
}

/// `NOTIFY=` as written: `SUCCESS,FAILURE`.
fn notify_text(notify: Option<Notify>) -> Option<String> {
    notify.map(|n| n.to_string())
}

/// `550 5.1.1 User unknown`.
fn reply_line(reply: &StoredReply) -> String {
    let mut s = reply.code.to_string();
    if let Some(e) = &reply.enhanced {
        s.push(' ');
        s.push_str(e);
    }
    if !reply.text.is_empty() {
        s.push(' ');
        s.push_str(&reply.text);
    }
    s
}

/// `550 5.1.1`.
fn reply_codes(reply: &StoredReply) -> String {
    match &reply.enhanced {
        Some(e) => format!("{} {e}", reply.code),
        None => reply.code.to_string(),
    }
}

fn sender_text(sender: Option<&str>) -> String {
    match sender {
        Some(s) if !s.is_empty() => s.to_owned(),
        _ => "<>".to_owned(),
    }
}

fn size_text(n: u64) -> String {
    if n < 1024 {
        format!("{n} octets")
    } else if n < 1024 * 1024 {
        format!("{:.1} KiB ({n} octets)", n as f64 / 1024.0)
    } else {
        format!("{:.1} MiB ({n} octets)", n as f64 / (1024.0 * 1024.0))
    }
}

fn paint_state(style: Style, state: RecipientState, text: &str) -> String {
    let ansi = match state {
        RecipientState::Scheduled => "36",
        RecipientState::Delivered => "32",
        RecipientState::Deferred => "33",
        RecipientState::Failed => "31",
    };
    style.paint(ansi, text)
}

/// Free text wrapped to the terminal, `indent` spaces in (continuation lines two more).
fn para(out: &mut String, indent: usize, text: &str, style: Style) {
    let first = " ".repeat(indent);
    let rest = " ".repeat(indent + 2);
    let options = textwrap::Options::new(style.width.max(20))
        .initial_indent(&first)
        .subsequent_indent(&rest)
        .break_words(true);
    for line in textwrap::wrap(text, options) {
        out.push_str(&line);
        out.push('\n');
    }
}

/// `tern explain`'s rendering of an explanation, `indent` spaces in.
fn explanation_block(out: &mut String, indent: usize, ex: &Explanation, style: Style) {
    let inner = Style {
        width: style.width.saturating_sub(indent).max(30),
        ..style
    };
    let pad = " ".repeat(indent);
    for line in super::explain::render(ex, inner).lines() {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
}

// ----- JSON ---------------------------------------------------------------------------------

fn to_json(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")) + "\n"
}

fn decision_text(decision: Decision, now: i64) -> String {
    match decision {
        Decision::Delivered => "delivered".to_owned(),
        Decision::Failed => "failed".to_owned(),
        Decision::Deferred { until_ms } => {
            format!("deferred until {}", time::both(until_ms, now))
        }
    }
}

fn tls_text(tls: &TlsOutcome) -> String {
    match tls {
        TlsOutcome::NotAttempted => "not attempted".to_owned(),
        TlsOutcome::Established { protocol, cipher } => format!("{protocol}, {cipher}"),
        TlsOutcome::Failed { reason } => format!("failed: {reason}"),
    }
}
