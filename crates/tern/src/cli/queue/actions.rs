//! `tern queue retry | hold | release | delete | bounce`: on ids, or on what a filter selects.

use std::process::ExitCode;

use serde_json::{Value, json};
use tern_admin::actions as shared;
use tern_store::{ListFilter, MessageInfo, QueueId, QueueStore, SqliteStore, StoreError};

use super::{ActionArgs, Context, close, not_found, parse_id, recipient_matches, to_json};
use crate::cli::output;

/// What to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Retry,
    Hold,
    Release,
    Delete,
    Bounce,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Retry => "retry",
            Action::Hold => "hold",
            Action::Release => "release",
            Action::Delete => "delete",
            Action::Bounce => "bounce",
        }
    }
}

/// What was done to one message.
struct Done {
    id: QueueId,
    result: Result<String, String>,
    /// How many recipients the action changed (rescheduled, failed), where that applies.
    recipients: Option<u32>,
}

/// Runs an action; checks every id before changing anything.
pub(super) fn run(
    runtime: &tokio::runtime::Runtime,
    action: Action,
    args: ActionArgs,
    cx: &Context<'_>,
) -> ExitCode {
    let mut ids = Vec::new();
    for text in &args.ids {
        match parse_id(text) {
            Ok(id) => ids.push(id),
            Err(message) => return output::bad_input(&message),
        }
    }
    if ids.is_empty() && args.filter.is_empty() && !args.all {
        return output::bad_input(&format!(
            "tell `tern queue {}` which messages: queue ids, filters (see `tern queue list --help`), or --all for every message",
            action.name()
        ));
    }
    if !ids.is_empty() && !args.filter.is_empty() {
        return output::bad_input("give either queue ids or filters, not both");
    }
    let store = match cx.open() {
        Some(Ok(store)) => store,
        Some(Err(code)) => return code,
        None => {
            return match ids.first() {
                Some(id) => output::fail(&not_found(*id)),
                None => output::print("The queue is empty: nothing to do.\n"),
            };
        }
    };
    runtime.block_on(async {
        let code = act(&store, action, ids, &args, cx).await;
        close(store).await;
        code
    })
}

async fn act(
    store: &SqliteStore,
    action: Action,
    ids: Vec<QueueId>,
    args: &ActionArgs,
    cx: &Context<'_>,
) -> ExitCode {
    let by_filter = ids.is_empty();
    let filter = args.filter.to_filter(cx.now);
    let listed = if by_filter {
        match store.list(filter.clone()).await {
            Ok(list) => Some(list),
            Err(e) => return output::fail(&format!("cannot read the queue: {e}")),
        }
    } else {
        None
    };
    let done = match (action, listed) {
        (Action::Retry, Some(listed)) => retry_all(store, listed, Vec::new(), cx).await,
        (Action::Retry, None) => {
            let (infos, unread) = read_all(store, ids).await;
            retry_all(store, infos, unread, cx).await
        }
        (_, listed) => {
            let targets = listed.map_or(ids, |l| l.into_iter().map(|m| m.id).collect());
            let mut done = Vec::new();
            for id in targets {
                done.push(one(store, action, id, by_filter.then_some(&filter), cx).await);
            }
            done
        }
    };
    let failed = done.iter().any(|d| d.result.is_err());
    let text = if args.json {
        let results: Vec<Value> = done
            .iter()
            .map(|d| {
                let mut v = json!({ "id": d.id.to_string(), "ok": d.result.is_ok() });
                if let Value::Object(map) = &mut v {
                    match &d.result {
                        Ok(m) => map.insert("done".into(), json!(m)),
                        Err(e) => map.insert("error".into(), json!(e)),
                    };
                    if let Some(n) = d.recipients {
                        map.insert("recipients".into(), json!(n));
                    }
                }
                v
            })
            .collect();
        to_json(&json!({ "action": action.name(), "count": done.len(), "results": results }))
    } else if done.is_empty() {
        "No queued message matches these filters: nothing done.\n".to_owned()
    } else {
        let mut out = String::new();
        let pad = " ".repeat(18);
        for d in &done {
            let (text, paint) = match &d.result {
                Ok(m) => (m.clone(), None),
                Err(e) => (e.clone(), Some("31")),
            };
            let line = format!("{:<16}  {text}", d.id);
            let options = textwrap::Options::new(cx.style.width)
                .subsequent_indent(&pad)
                .break_words(true);
            for l in textwrap::wrap(&line, options) {
                match paint {
                    Some(ansi) => out.push_str(&cx.style.paint(ansi, &l)),
                    None => out.push_str(&l),
                }
                out.push('\n');
            }
        }
        out
    };
    let status = output::print(&text);
    if failed {
        for d in &done {
            if let Err(e) = &d.result {
                eprintln!("tern: {}: {e}", d.id);
            }
        }
        return ExitCode::from(output::EXIT_FAILURE);
    }
    status
}

/// Acts on one message and says what happened.
async fn one(
    store: &SqliteStore,
    action: Action,
    id: QueueId,
    filter: Option<&ListFilter>,
    cx: &Context<'_>,
) -> Done {
    let mut recipients = None;
    let result = match store.message(id).await {
        Err(StoreError::NotFound(_)) => Err(not_found(id)),
        Err(e) => Err(format!("cannot read it: {e}")),
        Ok(info) => match action {
            // `act` retries every message in one write; one message goes the same way.
            Action::Retry => {
                let mut done = retry_all(store, vec![info], Vec::new(), cx).await;
                return done.pop().unwrap_or(Done {
                    id,
                    result: Err(not_found(id)),
                    recipients: None,
                });
            }
            Action::Hold => said(shared::hold(store, &info).await, id, cx),
            Action::Release => said(shared::release(store, &info).await, id, cx),
            Action::Delete => said(shared::delete(store, &info).await, id, cx),
            Action::Bounce => bounce(store, &info, filter, cx).await.map(|(n, m)| {
                recipients = Some(n);
                m
            }),
        },
    };
    Done {
        id,
        result,
        recipients,
    }
}

fn failure(id: QueueId, e: &StoreError) -> String {
    match e {
        StoreError::NotFound(_) => not_found(id),
        e => format!("could not change it: {e}"),
    }
}

/// The messages of `ids`, and what could not be read of them.
async fn read_all(store: &SqliteStore, ids: Vec<QueueId>) -> (Vec<MessageInfo>, Vec<Done>) {
    let unread = |id: QueueId, e: &StoreError| Done {
        id,
        result: Err(match e {
            StoreError::NotFound(_) => not_found(id),
            e => format!("cannot read it: {e}"),
        }),
        recipients: None,
    };
    match store.messages(ids.clone()).await {
        Err(e) => (
            Vec::new(),
            ids.into_iter().map(|id| unread(id, &e)).collect(),
        ),
        Ok(read) => {
            let (mut infos, mut done) = (Vec::new(), Vec::new());
            for (id, info) in ids.into_iter().zip(read) {
                match info {
                    Ok(info) => infos.push(info),
                    Err(e) => done.push(unread(id, &e)),
                }
            }
            (infos, done)
        }
    }
}

/// Retries every message of `infos` in one store write (a full queue is flushed at once,
/// not a commit per message), and says what became of each after what `done` says already.
async fn retry_all(
    store: &SqliteStore,
    infos: Vec<MessageInfo>,
    mut done: Vec<Done>,
    cx: &Context<'_>,
) -> Vec<Done> {
    let answers: Vec<Result<u32, String>> = match store
        .reschedule_many(infos.iter().map(|i| i.id).collect(), cx.now)
        .await
    {
        Ok(answers) => answers
            .into_iter()
            .zip(&infos)
            .map(|(a, info)| a.map_err(|e| failure(info.id, &e)))
            .collect(),
        Err(e) => infos.iter().map(|info| Err(failure(info.id, &e))).collect(),
    };
    for (info, answer) in infos.iter().zip(answers) {
        let recipients = answer.as_ref().ok().copied();
        let result = answer.map(|n| {
            let acted = shared::Acted::Retried {
                recipients: n,
                held: info.held,
            };
            retry_text(store, info, acted, cx)
        });
        done.push(Done {
            id: info.id,
            result,
            recipients,
        });
    }
    done
}

/// What a retry did, and whether a running server will act on it.
fn retry_text(
    store: &SqliteStore,
    info: &MessageInfo,
    acted: shared::Acted,
    cx: &Context<'_>,
) -> String {
    let text = acted.describe(info.id, cx.now, |t| super::time::both(t, cx.now));
    match acted {
        shared::Acted::Retried {
            recipients: 1..,
            held: false,
        } if store.is_primary() => {
            format!("{text}; `tern serve` is not running, so they go when it starts")
        }
        shared::Acted::Retried {
            recipients: 1..,
            held: false,
        } => format!("{text}; the running server tries them within a second"),
        _ => text,
    }
}

/// The words for what a shared action did, or why it failed.
fn said(
    result: Result<shared::Acted, StoreError>,
    id: QueueId,
    cx: &Context<'_>,
) -> Result<String, String> {
    result
        .map(|acted| acted.describe(id, cx.now, |t| super::time::both(t, cx.now)))
        .map_err(|e| failure(id, &e))
}

async fn bounce(
    store: &SqliteStore,
    info: &MessageInfo,
    filter: Option<&ListFilter>,
    cx: &Context<'_>,
) -> Result<(u32, String), String> {
    let targets: Vec<u32> = info
        .recipients
        .iter()
        .filter(|r| !r.state.is_final())
        .filter(|r| filter.is_none_or(|f| recipient_matches(f, r)))
        .map(|r| r.index)
        .collect();
    if targets.is_empty() {
        return Ok((
            0,
            "nothing to bounce: every recipient is delivered or failed".to_owned(),
        ));
    }
    // The same path as the delivery worker's and the admin API's.
    let done = tern_delivery::record::bounce_by_admin(
        store,
        cx.config,
        info,
        &targets,
        "`tern queue bounce`",
        cx.now,
    )
    .await
    .map_err(|e| failure(info.id, &e))?;
    Ok((
        u32::try_from(done.failed.len()).unwrap_or(u32::MAX),
        done.describe(),
    ))
}
