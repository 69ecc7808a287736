//! What a server session asks of its caller, and what the caller answers.

use std::fmt;

use tern_codes::Reply;

use crate::{ForwardPath, MailParams, RcptParams, ReversePath};

/// Something the caller must do.
#[derive(Debug)]
pub enum Event {
    /// Write these bytes to the client.
    Send(Vec<u8>),
    /// Answer a question with [`crate::ServerSession::decide`]. The session reads no more
    /// input until then.
    Decide(Question),
    /// Store this message durably, then answer with
    /// [`crate::ServerSession::message_stored`] or [`crate::ServerSession::message_refused`].
    Message(Incoming),
    /// The 220 to STARTTLS has been sent: run the TLS handshake, then call
    /// [`crate::ServerSession::tls_established`]. Input buffered before the handshake has been
    /// discarded (RFC 3207 §4.2).
    StartTls,
    /// Close the connection (after writing any earlier `Send`).
    Close,
}

/// A decision the session needs.
#[derive(Debug)]
pub struct Question {
    /// Pass back to [`crate::ServerSession::decide`].
    pub id: u64,
    /// What is asked.
    pub kind: QuestionKind,
}

/// The kinds of decisions.
pub enum QuestionKind {
    /// May this sender start a transaction? (MAIL FROM)
    Sender {
        /// The reverse path.
        from: ReversePath,
        /// Its ESMTP parameters.
        params: MailParams,
    },
    /// May this recipient be added? (RCPT TO)
    Recipient {
        /// The forward path.
        to: ForwardPath,
        /// Its ESMTP parameters.
        params: RcptParams,
        /// Whether the transaction declared SMTPUTF8.
        smtputf8: bool,
    },
    /// Are these credentials valid? (AUTH PLAIN / LOGIN)
    Auth {
        /// The mechanism used.
        mechanism: &'static str,
        /// The authorization identity (PLAIN; usually empty).
        authzid: String,
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
}

impl fmt::Debug for QuestionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuestionKind::Sender { from, params } => f
                .debug_struct("Sender")
                .field("from", from)
                .field("params", params)
                .finish(),
            QuestionKind::Recipient {
                to,
                params,
                smtputf8,
            } => f
                .debug_struct("Recipient")
                .field("to", to)
                .field("params", params)
                .field("smtputf8", smtputf8)
                .finish(),
            QuestionKind::Auth {
                mechanism,
                username,
                ..
            } => f
                .debug_struct("Auth")
                .field("mechanism", mechanism)
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
        }
    }
}

/// The caller's answer to a [`Question`].
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Yes. `reply` replaces the standard positive reply (e.g. `251` for a forward); `tag`
    /// is kept with an accepted recipient and handed back in the [`Envelope`] (e.g. the local
    /// mailbox it resolved to).
    Accept {
        /// A reply other than the standard one.
        reply: Option<Reply>,
        /// Caller's data for an accepted recipient.
        tag: Option<String>,
    },
    /// No, with this reply.
    Reject(Reply),
}

impl Verdict {
    /// Yes, with the standard reply.
    pub fn accept() -> Verdict {
        Verdict::Accept {
            reply: None,
            tag: None,
        }
    }

    /// Yes, remembering `tag` with the recipient.
    pub fn accept_tagged(tag: impl Into<String>) -> Verdict {
        Verdict::Accept {
            reply: None,
            tag: Some(tag.into()),
        }
    }
}

/// TLS facts of the connection, for the envelope and the Received: header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    /// e.g. `TLSv1.3`.
    pub version: String,
    /// e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher: String,
}

/// An accepted recipient.
#[derive(Debug, Clone)]
pub struct AcceptedRecipient {
    /// The forward path.
    pub to: ForwardPath,
    /// Its parameters (NOTIFY, ORCPT).
    pub params: RcptParams,
    /// The caller's tag from [`Verdict::Accept`].
    pub tag: Option<String>,
}

/// Everything known about a message besides its body.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The EHLO/HELO name.
    pub helo: String,
    /// Whether the client said EHLO (ESMTP) rather than HELO.
    pub esmtp: bool,
    /// MAIL FROM.
    pub from: ReversePath,
    /// Its parameters.
    pub params: MailParams,
    /// Accepted recipients, in order.
    pub recipients: Vec<AcceptedRecipient>,
    /// TLS, when active.
    pub tls: Option<TlsInfo>,
    /// The authenticated user, if any.
    pub auth: Option<String>,
    /// Whether the body came by BDAT (CHUNKING) rather than DATA.
    pub chunked: bool,
}

/// A message to store.
#[derive(Debug)]
pub struct Incoming {
    /// Pass back to `message_stored` / `message_refused`.
    pub id: u64,
    /// The envelope.
    pub envelope: Envelope,
    /// The body, CRLF line ends, dot-unstuffed.
    pub body: Vec<u8>,
}
