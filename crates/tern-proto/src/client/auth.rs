//! The client half of AUTH PLAIN (RFC 4616, with the initial response of RFC 4954 §4) and
//! AUTH LOGIN (two 334 challenges: user name, then password).

use super::config::Credentials;
use super::ehlo::Capabilities;
use crate::base64;

/// Shown in the transcript instead of credentials.
pub(crate) const REDACTED: &str = "<redacted>";

/// The mechanisms Tern can use, in order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mechanism {
    Plain,
    Login,
}

impl Mechanism {
    /// The preferred mechanism the server offers.
    pub(crate) fn choose(caps: &Capabilities) -> Option<Mechanism> {
        if caps.offers_auth("PLAIN") {
            Some(Mechanism::Plain)
        } else if caps.offers_auth("LOGIN") {
            Some(Mechanism::Login)
        } else {
            None
        }
    }
}

/// Where an AUTH exchange stands: what the next reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthStep {
    /// `AUTH PLAIN <initial response>` sent: 235 expected.
    Plain,
    /// `AUTH LOGIN` sent: 334 (user name) expected.
    LoginStart,
    /// The user name sent: 334 (password) expected.
    LoginUser,
    /// The password sent: 235 expected.
    LoginPassword,
}

/// The first command line (without CRLF) and its redacted form for the transcript.
pub(crate) fn first_line(mechanism: Mechanism, creds: &Credentials) -> (String, String, AuthStep) {
    match mechanism {
        Mechanism::Plain => {
            // authzid (empty) NUL authcid NUL passwd
            let mut msg = Vec::with_capacity(creds.username.len() + creds.password.len() + 2);
            msg.push(0);
            msg.extend_from_slice(creds.username.as_bytes());
            msg.push(0);
            msg.extend_from_slice(creds.password.as_bytes());
            (
                format!("AUTH PLAIN {}", base64::encode(&msg)),
                format!("AUTH PLAIN {REDACTED}"),
                AuthStep::Plain,
            )
        }
        Mechanism::Login => (
            "AUTH LOGIN".to_owned(),
            "AUTH LOGIN".to_owned(),
            AuthStep::LoginStart,
        ),
    }
}

/// The answer to a 334 in a LOGIN exchange, and the step it leads to.
pub(crate) fn login_response(step: AuthStep, creds: &Credentials) -> Option<(String, AuthStep)> {
    match step {
        AuthStep::LoginStart => Some((
            base64::encode(creds.username.as_bytes()),
            AuthStep::LoginUser,
        )),
        AuthStep::LoginUser => Some((
            base64::encode(creds.password.as_bytes()),
            AuthStep::LoginPassword,
        )),
        AuthStep::Plain | AuthStep::LoginPassword => None,
    }
}
