//! `tern bench`: an SMTP load generator for loopback targets (Tern, Postfix, smtp-sink), with
//! a bound in count and in time, open-loop rate and idle-connection modes, latency
//! percentiles and every unexpected reply counted. See docs/PERFORMANCE.md.

mod args;
mod report;
mod smtp;
mod stats;
mod tls;
mod workload;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

pub use args::{AFTER_HELP, Args};

use super::output;
use stats::{Live, Stats};
use workload::Plan;

/// Runs `tern bench`.
pub fn run(args: Args) -> ExitCode {
    if let Err(e) = args.check() {
        return output::bad_input(&e);
    }
    let target = match args.loopback_target() {
        Ok(t) => t,
        Err(e) => return output::bad_input(&e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return output::fail(&format!("cannot start the runtime: {e}")),
    };
    let tls = if args.starttls {
        match tls::permissive() {
            Ok(c) => Some(c),
            Err(e) => return output::fail(&format!("cannot set up TLS: {e}")),
        }
    } else {
        None
    };
    let connections = args.idle.unwrap_or(args.concurrency);
    if let Some(limit) = super::file_limit::raise_for(connections)
        && !limit.is_enough()
    {
        output::warn(&format!(
            "the open-file limit is {}, below the {connections} connections asked for: raise it with ulimit -n",
            limit.soft
        ));
    }
    if let Some(n) = args.idle {
        return runtime.block_on(idle(&args, target, n));
    }
    runtime.block_on(load(&args, target, tls))
}

async fn idle(args: &Args, target: std::net::SocketAddr, n: usize) -> ExitCode {
    let live = Arc::new(Live::default());
    let progress = report::Progress::start(live.clone(), args.quiet, Some(n as u64), args.hold);
    let result = workload::idle(
        target,
        n,
        args.concurrency.max(64),
        args.hold,
        args.timeout,
        live,
    )
    .await;
    progress.finish();
    let text = if args.json {
        report::idle_json(&args.target, &result, args.hold).to_string() + "\n"
    } else {
        report::idle_text(&args.target, &result, args.hold)
    };
    let printed = output::print(&text);
    if result.greeted == 0 {
        return ExitCode::from(output::EXIT_FAILURE);
    }
    printed
}

async fn load(
    args: &Args,
    target: std::net::SocketAddr,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> ExitCode {
    let started = Instant::now();
    let deadline = started + args.duration;
    let mail = format!("MAIL FROM:<{}>\r\n", args.from).into_bytes();
    let rcpt = format!("RCPT TO:<{}>\r\n", args.to).into_bytes();
    let pipelined = [mail.as_slice(), rcpt.as_slice(), b"DATA\r\n"].concat();
    let message = workload::message(args.size, &args.from, &args.to);
    let size = (message.len() - 3) as u64;
    let plan = Arc::new(Plan {
        target,
        ehlo: format!("EHLO {}\r\n", args.ehlo).into_bytes(),
        mail,
        rcpt,
        pipelined,
        message,
        size,
        pipelining: args.pipelining(),
        tls,
        per_connection: args.per_connection,
        wait: args.timeout,
        deadline,
        limit: args.messages,
        claimed: AtomicU64::new(0),
        pacer: args
            .rate
            .map(|r| tokio::sync::Mutex::new(workload::pacer(r, deadline))),
        live: Arc::new(Live::default()),
    });
    let bar = report::Progress::start(plan.live.clone(), args.quiet, args.messages, args.duration);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency {
        workers.spawn(workload::worker(plan.clone()));
    }
    // Everything is bounded: transactions in flight at the deadline get one reply timeout
    // (and a little more) to finish.
    let hard = tokio::time::Instant::from_std(deadline + args.timeout * 2 + Duration::from_secs(5));
    let mut total = Stats::default();
    let mut unfinished = 0;
    loop {
        match tokio::time::timeout_at(hard, workers.join_next()).await {
            Ok(Some(Ok(stats))) => total.merge(&stats),
            Ok(Some(Err(_))) => unfinished += 1,
            Ok(None) => break,
            Err(_) => {
                unfinished += workers.len();
                workers.abort_all();
                break;
            }
        }
    }
    let elapsed = started.elapsed();
    bar.finish();
    if unfinished > 0 {
        total
            .errors
            .add("workers stopped at the hard time limit".into(), || {
                format!("{unfinished} workers had not finished; their counts are lost")
            });
    }
    let setup = report::Setup {
        target: args.target.clone(),
        concurrency: args.concurrency,
        per_connection: args.per_connection,
        size: plan.size,
        pipelining: args.pipelining(),
        starttls: args.starttls,
        rate: args.rate,
    };
    let text = if args.json {
        report::load_json(&setup, &total, elapsed).to_string() + "\n"
    } else {
        report::load_text(&setup, &total, elapsed)
    };
    let printed = output::print(&text);
    if total.ok == 0 {
        if !args.json {
            eprintln!("tern: no transaction succeeded");
        }
        return ExitCode::from(output::EXIT_FAILURE);
    }
    printed
}
