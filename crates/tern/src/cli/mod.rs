//! The command line: argument definitions and dispatch.

mod explain;
mod output;

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
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Explain an SMTP reply, a reply code, an enhanced status code, or a bounce.
    #[command(long_about = explain::LONG_ABOUT, after_help = explain::AFTER_HELP)]
    Explain(explain::Args),
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
    }
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
