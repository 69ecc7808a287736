//! `tern user`: the accounts that may log in (SMTP AUTH) on the submission ports.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use tern_config::Config;
use tern_server::users::UserDb;

use super::output;

/// What to do with users.
#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is asked for twice on a terminal, or read from the first line
    /// of standard input (`--password-stdin`).
    Add {
        /// The user name: an address like alice@example.com, or a local part like alice.
        name: String,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change a user's password.
    Passwd {
        /// The user name.
        name: String,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove a user.
    Del {
        /// The user name.
        name: String,
    },
    /// List the users.
    List,
}

/// Runs a user command against `data_dir/users`. A running server sees changes at once.
pub fn run(command: UserCommand, config: &Config) -> ExitCode {
    if let Err(e) = std::fs::create_dir_all(&config.server.data_dir) {
        return output::fail(&format!(
            "cannot create the data directory {}: {e}",
            config.server.data_dir.display()
        ));
    }
    let db = match UserDb::open(config.server.data_dir.join("users")) {
        Ok(db) => db,
        Err(e) => return output::fail(&e.to_string()),
    };
    let result = match command {
        UserCommand::Add {
            name,
            password_stdin,
        } => read_password(password_stdin)
            .and_then(|pw| db.add(&name, &pw).map_err(|e| e.to_string()))
            .map(|()| format!("added user {name}\n")),
        UserCommand::Passwd {
            name,
            password_stdin,
        } => read_password(password_stdin)
            .and_then(|pw| db.set_password(&name, &pw).map_err(|e| e.to_string()))
            .map(|()| format!("changed the password of {name}\n")),
        UserCommand::Del { name } => db
            .remove(&name)
            .map_err(|e| e.to_string())
            .map(|()| format!("removed user {name}\n")),
        UserCommand::List => Ok(db.list().into_iter().map(|u| u + "\n").collect()),
    };
    match result {
        Ok(text) => output::print(&text),
        Err(message) => output::fail(&message),
    }
}

fn read_password(from_stdin: bool) -> Result<String, String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password: {e}"))?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        if password.is_empty() {
            return Err("the password is empty".into());
        }
        return Ok(password);
    }
    let first = rpassword::prompt_password("Password: ")
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let second = rpassword::prompt_password("Again: ")
        .map_err(|e| format!("cannot read the password: {e}"))?;
    if first != second {
        return Err("the passwords differ".into());
    }
    if first.is_empty() {
        return Err("the password is empty".into());
    }
    Ok(first)
}
