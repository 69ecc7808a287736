//! The reply for each syntax error: one place maps parser errors to catalogue entries.

use tern_codes::{Reply, catalogue};

use crate::command::{CommandError, NonSmtp, Verb};
use crate::line::LineError;
use crate::params::ParamKeyword;

/// What the session does after answering a refused line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// Go on reading commands.
    Continue,
    /// Close the connection (non-SMTP traffic).
    Close,
}

/// The reply for a line the reader refused.
pub fn line_error(error: &LineError) -> Reply {
    match error {
        LineError::TooLong { limit } => {
            catalogue::SYNTAX_LINE_TOO_LONG.reply_with(&[("limit", &limit.to_string())])
        }
        LineError::BareLf | LineError::BareCr => catalogue::SYNTAX_BARE_LINE_END.reply(),
    }
}

/// The reply for a command the parser refused, and whether to close.
pub fn command_error(error: &CommandError) -> (Reply, After) {
    let detail = error.to_string();
    let verb = error.verb().map(Verb::as_str).unwrap_or("command");
    let reply = match error {
        CommandError::NonSmtp(NonSmtp::Http { .. }) => {
            return (catalogue::NON_SMTP_HTTP.reply(), After::Close);
        }
        CommandError::NonSmtp(NonSmtp::TlsHandshake) => {
            return (catalogue::NON_SMTP_BINARY.reply(), After::Close);
        }
        CommandError::Empty => {
            catalogue::SYNTAX_UNKNOWN_COMMAND.reply_with(&[("command", "(empty line)")])
        }
        CommandError::UnknownCommand { verb } => {
            catalogue::SYNTAX_UNKNOWN_COMMAND.reply_with(&[("command", verb)])
        }
        CommandError::NotImplemented { verb } => {
            catalogue::NOT_OFFERED.reply_with(&[("command", verb)])
        }
        CommandError::UnexpectedArgument { command }
            if !matches!(command, Verb::Auth | Verb::Bdat) =>
        {
            catalogue::SYNTAX_NO_ARGUMENTS.reply_with(&[("command", command.as_str())])
        }
        CommandError::Address {
            command: Verb::Mail,
            ..
        } => catalogue::SYNTAX_BAD_SENDER.reply_with(&[("detail", &detail)]),
        CommandError::Address { .. } | CommandError::NullRecipient => {
            catalogue::SYNTAX_BAD_RECIPIENT.reply_with(&[("detail", &detail)])
        }
        CommandError::UnknownParam { keyword, .. } => {
            catalogue::PARAM_UNKNOWN.reply_with(&[("parameter", keyword)])
        }
        CommandError::ParamNotAllowed { keyword, .. } => {
            catalogue::PARAM_UNKNOWN.reply_with(&[("parameter", keyword.as_str())])
        }
        CommandError::UnsupportedParamValue {
            keyword: ParamKeyword::Body,
            value,
            ..
        } => catalogue::PARAM_BODY_UNSUPPORTED.reply_with(&[("value", value)]),
        CommandError::DuplicateParam { keyword, .. }
        | CommandError::BadParamValue { keyword, .. }
        | CommandError::UnsupportedParamValue { keyword, .. } => catalogue::PARAM_BAD_VALUE
            .reply_with(&[("parameter", keyword.as_str()), ("detail", &detail)]),
        CommandError::Syntax {
            command: Verb::Auth,
            expected,
            ..
        } if expected.contains("base64") => catalogue::AUTH_BAD_BASE64.reply(),
        CommandError::MissingArgument {
            command: Verb::Ehlo | Verb::Helo,
            ..
        } => catalogue::HELLO_MISSING_DOMAIN.reply_with(&[("command", verb)]),
        CommandError::InvalidUtf8 { .. }
        | CommandError::ControlCharacter { .. }
        | CommandError::MissingArgument { .. }
        | CommandError::UnexpectedArgument { .. }
        | CommandError::Syntax { .. }
        | CommandError::BadParamSyntax { .. } => {
            catalogue::SYNTAX_ARGUMENTS.reply_with(&[("command", verb), ("detail", &detail)])
        }
    };
    (reply, After::Continue)
}
