//! The command line: argument definitions and dispatch.

mod bench;
mod explain;
mod file_limit;
mod output;
mod queue;
mod send;
mod serve;
mod user;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub use output::ColorChoice;

/// Tern: an SMTP mail transfer agent whose every reply is explained.
#[derive(Debug, Parser)]
#[command(name = "tern", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,

    /// When to colour the output: auto (only on a terminal, and not when NO_COLOR is set),
    /// always, or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    /// The configuration file (docs/config.md). Without it Tern runs its safe defaults:
    /// loopback only, local domain `localhost`, data in ./tern-data.
    #[arg(
        long,
        short = 'c',
        global = true,
        env = "TERN_CONFIG",
        value_name = "FILE"
    )]
    config: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Explain an SMTP reply, a reply code, an enhanced status code, or a bounce.
    #[command(long_about = explain::LONG_ABOUT, after_help = explain::AFTER_HELP)]
    Explain(explain::Args),
    /// Run the mail server: SMTP, submission and implicit-TLS listeners, the queue and local
    /// delivery. Stops gracefully on SIGTERM or Ctrl-C.
    #[command(
        after_help = "Without --config: SMTP on 127.0.0.1:2525, submission on 127.0.0.1:2587, \
implicit TLS on 127.0.0.1:2465, mail for postmaster@localhost delivered to ./tern-data/mail.\n\
Logging: RUST_LOG=debug for more detail."
    )]
    Serve,
    /// Queue a message read from standard input, like sendmail (-f, -t, recipients).
    #[command(after_help = send::AFTER_HELP)]
    Send(send::Args),
    /// Check a configuration file and print what it sets up, without starting anything.
    CheckConfig,
    /// Manage the users who may log in (SMTP AUTH) to send mail.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Look at the queue and act on it (works while `tern serve` runs): list, show, why,
    /// retry, hold, release, delete, bounce.
    #[command(subcommand)]
    Queue(queue::QueueCommand),
    /// Load-test an SMTP server on loopback: messages/s, MB/s, latency percentiles, and every
    /// unexpected reply counted by code.
    #[command(after_help = bench::AFTER_HELP)]
    Bench(bench::Args),
    /// Print Tern's reply catalogue: every reply Tern sends, with its meaning and advice.
    Catalogue {
        /// Output format.
        #[arg(long, value_enum, default_value_t = CatalogueFormat::Text)]
        format: CatalogueFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CatalogueFormat {
    /// One line per reply.
    Text,
    /// The Markdown reference (docs/replies.md).
    Markdown,
    /// JSON, for scripts.
    Json,
}

/// Runs the parsed command and returns the process exit status.
pub fn run(cli: Cli) -> ExitCode {
    let style = output::Style::detect(cli.color);
    match cli.command {
        Command::Explain(args) => explain::run(args, style),
        Command::Catalogue { format } => catalogue(format),
        Command::Bench(args) => bench::run(args),
        Command::Serve => match load_config(cli.config.as_deref()) {
            Ok(config) => {
                init_logging(config.log.format);
                serve::run(config, cli.config.is_some())
            }
            Err(code) => code,
        },
        Command::Send(args) => match load_config(cli.config.as_deref()) {
            Ok(config) => send::run(args, &config),
            Err(code) => code,
        },
        Command::CheckConfig => match load_config(cli.config.as_deref()) {
            Ok(config) => output::print(&describe(&config)),
            Err(code) => code,
        },
        Command::User(command) => match load_config(cli.config.as_deref()) {
            Ok(config) => user::run(command, &config),
            Err(code) => code,
        },
        Command::Queue(command) => match load_config(cli.config.as_deref()) {
            Ok(config) => queue::run(command, &config, style),
            Err(code) => code,
        },
    }
}

/// The config file, or the defaults; a broken file is a one-line error naming file, line and
/// key, with exit status 2.
fn load_config(path: Option<&std::path::Path>) -> Result<tern_config::Config, ExitCode> {
    match path {
        None => Ok(tern_config::Config::default()),
        Some(path) => {
            tern_config::Config::load(path).map_err(|e| output::bad_input(&e.to_string()))
        }
    }
}

fn init_logging(format: tern_config::LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        // One object a line, fields as keys: a log shipper needs no regular expressions.
        tern_config::LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        tern_config::LogFormat::Text => builder
            .with_ansi(
                std::io::IsTerminal::is_terminal(&std::io::stderr())
                    && std::env::var_os("NO_COLOR").is_none(),
            )
            .try_init(),
    };
}

/// A summary of what a configuration sets up.
fn describe(config: &tern_config::Config) -> String {
    let mut out = String::from("configuration OK\n");
    out.push_str(&format!("  hostname      {}\n", config.server.hostname));
    out.push_str(&format!(
        "  data          {}\n",
        config.server.data_dir.display()
    ));
    for l in &config.listeners {
        out.push_str(&format!(
            "  listener      {:<12} {}\n",
            format!("{:?}", l.kind).to_lowercase(),
            l.address
        ));
    }
    out.push_str(&format!(
        "  local domains {}\n",
        config.local.domains.join(", ")
    ));
    out.push_str(&format!(
        "  mailboxes     {}\n",
        config.local.mailboxes.join(", ")
    ));
    let relay = if config.relay.trusted_networks.is_empty() {
        "authenticated users only".to_owned()
    } else {
        config
            .relay
            .trusted_networks
            .iter()
            .map(|n| n.0.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    out.push_str(&format!("  relay         {relay}\n"));
    out.push_str(&format!(
        "  max message   {}\n",
        config.limits.max_message_size
    ));
    out
}

fn catalogue(format: CatalogueFormat) -> ExitCode {
    use tern_codes::catalogue::ALL;
    let text = match format {
        CatalogueFormat::Markdown => tern_codes::catalogue::markdown(),
        CatalogueFormat::Json => match serde_json::to_string_pretty(ALL) {
            Ok(json) => json + "\n",
            Err(e) => return output::fail(&format!("cannot encode the catalogue: {e}")),
        },
        CatalogueFormat::Text => ALL
            .iter()
            .map(|e| {
                let enhanced = e.enhanced.map(|c| c.to_string()).unwrap_or_default();
                format!(
                    "{:<28} {} {:<7} {}\n",
                    e.id,
                    e.code,
                    enhanced,
                    e.text.replace('\n', " / ")
                )
            })
            .collect(),
    };
    output::print(&text)
}
