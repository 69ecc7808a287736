//! Terminal output: colour only on a terminal (and never with NO_COLOR), text wrapped to the
//! terminal's width, and exit statuses.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::ValueEnum;

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal unless NO_COLOR is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// How to write for this terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Whether ANSI colours are used.
    pub color: bool,
    /// The width to wrap text at.
    pub width: usize,
}

/// Exit status for bad input (the same as clap's usage errors).
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit status when a file cannot be read or output cannot be written.
pub const EXIT_FAILURE: u8 = 1;

impl Style {
    /// Decides colour and width for standard output.
    pub fn detect(choice: ColorChoice) -> Style {
        let stdout = std::io::stdout();
        let tty = stdout.is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        let width = terminal_size::terminal_size()
            .map(|(w, _)| usize::from(w.0))
            .filter(|_| tty)
            .or_else(|| std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()))
            .unwrap_or(80)
            .clamp(40, 120);
        Style { color, width }
    }

    /// Wraps `text` in an ANSI style when colour is on.
    pub fn paint(&self, ansi: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{ansi}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// Width of the labels of [`field`].
pub const LABEL_WIDTH: usize = 12;

/// A labelled value wrapped to the terminal, `indent` spaces in: the layout of
/// `tern explain`, `tern queue show` and `why`.
pub fn field(out: &mut String, indent: usize, label: &str, value: &str, style: Style) {
    let pad = " ".repeat(indent);
    let cont = " ".repeat(indent + LABEL_WIDTH);
    let width = style.width.saturating_sub(indent + LABEL_WIDTH).max(20);
    let options = textwrap::Options::new(width).break_words(true);
    let lines = textwrap::wrap(value, options);
    if value.trim().is_empty() {
        out.push_str(&pad);
        out.push_str(&style.paint("1", label.trim_end()));
        out.push('\n');
        return;
    }
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            out.push_str(&pad);
            out.push_str(&style.paint("1", &format!("{label:<LABEL_WIDTH$}")));
        } else {
            out.push_str(&cont);
        }
        out.push_str(line);
        out.push('\n');
    }
}

/// Prints to standard output; a closed pipe is not an error.
pub fn print(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(&format!("cannot write output: {e}")),
    }
}

/// Prints a one-line warning; the command goes on.
pub fn warn(message: &str) {
    eprintln!("tern: warning: {message}");
}

/// Prints a one-line error and returns the failure status.
pub fn fail(message: &str) -> ExitCode {
    eprintln!("tern: {message}");
    ExitCode::from(EXIT_FAILURE)
}

/// Prints a one-line error about the input and returns the bad-input status.
pub fn bad_input(message: &str) -> ExitCode {
    eprintln!("tern: {message}");
    ExitCode::from(EXIT_BAD_INPUT)
}
