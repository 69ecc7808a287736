//! `tern`: the command-line entry point of the Tern mail transfer agent.

mod bounce;
mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::run(args)
}
