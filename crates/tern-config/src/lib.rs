//! Tern's configuration: a TOML file read into validated settings.
//!
//! - Every key has a default ([`Config::default`] is what `tern serve` runs with no file: a
//!   loopback-only MTA for `localhost` with data in `./tern-data`), documented key by key in
//!   `docs/config.md`; `examples/tern.toml` sets every key.
//! - Unknown keys are errors (a typo must not silently fall back to a default).
//! - Every error names the file, the line and the key, and says what is expected.
//!
//! The crate does no I/O beyond reading the file it is given, and decides nothing: the
//! policy, server and delivery layers read the values.

mod error;
mod model;
mod network;
mod units;
mod validate;

pub use error::{ConfigError, line_of_entry_key, line_of_key};
pub use model::*;
pub use network::Network;
pub use units::{Size, Span, format_size, parse_duration, parse_size};

use std::path::Path;

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let source = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: Some(path.to_owned()),
            line: None,
            key: None,
            message: format!("cannot read the config file: {e}"),
        })?;
        Config::parse(&source).map_err(|mut e| {
            e.file = Some(path.to_owned());
            e
        })
    }

    /// Parses and validates config text.
    pub fn parse(source: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(source).map_err(|e| from_toml(source, &e))?;
        validate::check(&config).map_err(|problem| ConfigError {
            file: None,
            line: match problem.entry {
                Some(entry) => line_of_entry_key(source, &problem.key, entry),
                None => line_of_key(source, &problem.key),
            },
            key: Some(problem.key),
            message: problem.message,
        })?;
        Ok(config)
    }
}

fn from_toml(source: &str, e: &toml::de::Error) -> ConfigError {
    let line = e
        .span()
        .map(|span| source[..span.start.min(source.len())].matches('\n').count() + 1);
    ConfigError {
        file: None,
        line,
        key: None,
        message: e.message().trim().to_owned(),
    }
}
