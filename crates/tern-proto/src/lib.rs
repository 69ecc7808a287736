//! SMTP syntax without I/O.
//!
//! placeholder docs (written at the end)

pub mod address;
mod bdat;
pub mod command;
mod data;
mod line;
pub mod params;
mod policy;
mod scan;
pub mod xtext;

pub use address::{
    AddressError, AddressLiteral, Domain, ForwardPath, Host, LiteralKind, LocalPart, Mailbox, Path,
    ReversePath,
};
pub use bdat::{BdatDecoder, BdatOutcome, BdatProgress};
pub use command::{Command, CommandError, HeloName, InitialResponse, NonSmtp, Verb, parse_command};
pub use data::{DataDecoder, DataOutcome, DataProgress, decode_data};
pub use line::{LineError, LineReader};
pub use params::{BodyType, MailAuth, MailParams, Notify, Orcpt, ParamKeyword, RcptParams, Ret};
pub use policy::{BareLineEnding, LineEndingPolicy};
pub use xtext::XtextError;
