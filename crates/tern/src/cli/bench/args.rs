//! The command-line options of `tern bench`, and their checks.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

pub const AFTER_HELP: &str = "\
Each worker connects, reads the greeting, says EHLO (STARTTLS with --starttls,
any certificate accepted), sends --per-connection messages (MAIL, RCPT, DATA;
pipelined when asked and offered), then QUIT, and connects again. The run
stops at --messages or --duration, whichever comes first.

Latency is per transaction: from MAIL to the reply after the data. Every reply
that is not the expected one is counted by code and enhanced code, with one
example text. Only loopback targets are accepted (127.0.0.0/8, ::1).

Examples:
  tern bench --target 127.0.0.1:2525 --concurrency 50 --duration 30s
  tern bench --target 127.0.0.1:2525 --messages 10000 --size 100KiB --no-pipelining
  tern bench --target 127.0.0.1:2525 --rate 50 --duration 20s --json
  tern bench --target 127.0.0.1:2525 --idle 10000 --hold 10s

Exit status:
  0  at least one transaction succeeded (or, with --idle, one greeting came)
  1  nothing succeeded
  2  bad input: a non-loopback target or a malformed option";

/// Load-test an SMTP server on loopback.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The server: host:port, loopback only.
    #[arg(long, default_value = "127.0.0.1:2525", value_name = "HOST:PORT")]
    pub target: String,
    /// Simultaneous connections.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub concurrency: usize,
    /// Stop after this many transactions (default: only the duration bounds the run).
    #[arg(long, short = 'm')]
    pub messages: Option<u64>,
    /// Stop starting transactions after this long ("30s", "2m").
    #[arg(long, short = 'd', default_value = "30s", value_parser = duration)]
    pub duration: Duration,
    /// Messages sent on one connection before QUIT.
    #[arg(long, default_value_t = 10)]
    pub per_connection: u64,
    /// Message size, headers included ("2KiB", "1MiB").
    #[arg(long, default_value = "2KiB", value_parser = size)]
    pub size: u64,
    /// Send MAIL, RCPT and DATA in one write when the server offers PIPELINING (default).
    #[arg(long, overrides_with = "no_pipelining")]
    pub pipelining: bool,
    /// Wait for each reply before the next command.
    #[arg(long, overrides_with = "pipelining")]
    pub no_pipelining: bool,
    /// Use STARTTLS after EHLO (any certificate is accepted).
    #[arg(long)]
    pub starttls: bool,
    /// The envelope sender.
    #[arg(long, default_value = "bench@tern.test")]
    pub from: String,
    /// The envelope recipient.
    #[arg(long, default_value = "postmaster@localhost")]
    pub to: String,
    /// The name given in EHLO.
    #[arg(long, default_value = "bench.tern.test")]
    pub ehlo: String,
    /// Open loop: start this many transactions per second in all, whatever the replies' pace.
    #[arg(long, value_name = "PER_SECOND")]
    pub rate: Option<f64>,
    /// Idle mode: open this many connections, read each greeting, hold them, close them.
    #[arg(long, value_name = "CONNECTIONS")]
    pub idle: Option<usize>,
    /// With --idle: how long to hold the connections open.
    #[arg(long, default_value = "10s", value_parser = duration)]
    pub hold: Duration,
    /// Longest wait for any one reply, and for a connection; with --idle, for opening all the
    /// connections and reading their greetings.
    #[arg(long, default_value = "30s", value_parser = duration)]
    pub timeout: Duration,
    /// Print the report as JSON, for scripts.
    #[arg(long)]
    pub json: bool,
    /// No progress line, even on a terminal.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

fn duration(text: &str) -> Result<Duration, String> {
    tern_config::parse_duration(text)
}

fn size(text: &str) -> Result<u64, String> {
    tern_config::parse_size(text)
}

impl Args {
    /// Pipelining is on unless `--no-pipelining` was the last word.
    pub fn pipelining(&self) -> bool {
        !self.no_pipelining
    }

    /// The target's socket address, refused unless it is loopback.
    pub fn loopback_target(&self) -> Result<SocketAddr, String> {
        let addrs: Vec<SocketAddr> = self
            .target
            .to_socket_addrs()
            .map_err(|e| format!("bad --target {:?}: {e} (expected HOST:PORT)", self.target))?
            .collect();
        let Some(addr) = addrs.first() else {
            return Err(format!("bad --target {:?}: no address", self.target));
        };
        if let Some(bad) = addrs.iter().find(|a| !a.ip().is_loopback()) {
            return Err(format!(
                "refusing --target {}: {} is not a loopback address (tern bench only loads \
                 127.0.0.0/8 and ::1)",
                self.target,
                bad.ip()
            ));
        }
        Ok(*addr)
    }

    /// Checks the option values that clap cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.concurrency == 0 {
            return Err("--concurrency must be at least 1".into());
        }
        if self.per_connection == 0 {
            return Err("--per-connection must be at least 1".into());
        }
        if self.messages == Some(0) {
            return Err("--messages must be at least 1".into());
        }
        if let Some(rate) = self.rate
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err("--rate must be a positive number of transactions per second".into());
        }
        if self.idle == Some(0) {
            return Err("--idle must be at least 1".into());
        }
        if self.size > (1 << 30) {
            return Err("--size must be at most 1GiB".into());
        }
        for (name, addr) in [("--from", &self.from), ("--to", &self.to)] {
            if addr.contains(['<', '>', '\r', '\n', ' ']) {
                return Err(format!(
                    "{name} must be a bare address, like a@example.test"
                ));
            }
        }
        Ok(())
    }
}
