//! The SASL mechanisms Tern offers: PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login).

use tern_codes::{Reply, catalogue};

/// Where an AUTH exchange stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaslState {
    /// PLAIN sent without an initial response: waiting for it after `334 `.
    PlainResponse,
    /// LOGIN: waiting for the user name.
    LoginUsername,
    /// LOGIN: waiting for the password.
    LoginPassword {
        /// The user name given.
        username: String,
    },
}

/// Credentials decoded from the exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The mechanism.
    pub mechanism: &'static str,
    /// The authorization identity (PLAIN), usually empty.
    pub authzid: String,
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
}

/// The next step of an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send this 334 challenge and wait for a line in this state.
    Challenge(Reply, SaslState),
    /// All credentials are in.
    Done(Credentials),
    /// The exchange failed with this reply.
    Fail(Reply),
}

/// The mechanism names Tern accepts, as advertised.
pub const MECHANISMS: &[&str] = &["PLAIN", "LOGIN"];

/// Starts an exchange for `mechanism` with the optional initial response (already decoded).
pub fn start(mechanism: &str, initial: Option<Vec<u8>>) -> Step {
    if mechanism.eq_ignore_ascii_case("PLAIN") {
        match initial {
            Some(bytes) => plain(&bytes),
            None => Step::Challenge(
                catalogue::AUTH_CHALLENGE.reply_with(&[("challenge", "")]),
                SaslState::PlainResponse,
            ),
        }
    } else if mechanism.eq_ignore_ascii_case("LOGIN") {
        match initial {
            Some(bytes) => match utf8(bytes) {
                Ok(username) => Step::Challenge(
                    catalogue::AUTH_LOGIN_PASSWORD.reply(),
                    SaslState::LoginPassword { username },
                ),
                Err(step) => step,
            },
            None => Step::Challenge(
                catalogue::AUTH_LOGIN_USERNAME.reply(),
                SaslState::LoginUsername,
            ),
        }
    } else {
        Step::Fail(catalogue::AUTH_UNKNOWN_MECHANISM.reply_with(&[("mechanism", mechanism)]))
    }
}

/// Continues an exchange with the client's response line.
pub fn respond(state: SaslState, line: &[u8]) -> Step {
    let line = line.trim_ascii();
    if line == b"*" {
        return Step::Fail(catalogue::AUTH_CANCELLED.reply());
    }
    let decoded = match std::str::from_utf8(line)
        .ok()
        .and_then(|s| crate::base64::decode(s).ok())
    {
        Some(d) => d,
        None => return Step::Fail(catalogue::AUTH_BAD_BASE64.reply()),
    };
    match state {
        SaslState::PlainResponse => plain(&decoded),
        SaslState::LoginUsername => match utf8(decoded) {
            Ok(username) => Step::Challenge(
                catalogue::AUTH_LOGIN_PASSWORD.reply(),
                SaslState::LoginPassword { username },
            ),
            Err(step) => step,
        },
        SaslState::LoginPassword { username } => match utf8(decoded) {
            Ok(password) => Step::Done(Credentials {
                mechanism: "LOGIN",
                authzid: String::new(),
                username,
                password,
            }),
            Err(step) => step,
        },
    }
}

/// PLAIN: `authzid NUL authcid NUL passwd` (RFC 4616 §2).
fn plain(bytes: &[u8]) -> Step {
    let mut parts = bytes.split(|&b| b == 0);
    let (Some(authzid), Some(username), Some(password), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return malformed(
            "PLAIN expects authorization id, user name and password separated by NUL bytes",
        );
    };
    if username.is_empty() {
        return malformed("the user name is empty");
    }
    let (Ok(authzid), Ok(username), Ok(password)) = (
        String::from_utf8(authzid.to_vec()),
        String::from_utf8(username.to_vec()),
        String::from_utf8(password.to_vec()),
    ) else {
        return malformed("user name and password must be UTF-8");
    };
    Step::Done(Credentials {
        mechanism: "PLAIN",
        authzid,
        username,
        password,
    })
}

fn utf8(bytes: Vec<u8>) -> Result<String, Step> {
    String::from_utf8(bytes).map_err(|_| malformed("user name and password must be UTF-8"))
}

fn malformed(detail: &str) -> Step {
    Step::Fail(catalogue::AUTH_MALFORMED.reply_with(&[("detail", detail)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_with_initial_response() {
        let Step::Done(c) = start("plain", Some(b"\0alice\0secret".to_vec())) else {
            panic!()
        };
        assert_eq!(
            (c.username.as_str(), c.password.as_str()),
            ("alice", "secret")
        );
    }

    #[test]
    fn login_two_steps() {
        let Step::Challenge(r, state) = start("LOGIN", None) else {
            panic!()
        };
        assert_eq!(r.code().value(), 334);
        let Step::Challenge(_, state) = respond(state, b"YWxpY2U=") else {
            panic!()
        };
        let Step::Done(c) = respond(state, b"c2VjcmV0\r") else {
            panic!()
        };
        assert_eq!(
            (c.username.as_str(), c.password.as_str()),
            ("alice", "secret")
        );
    }

    #[test]
    fn failures() {
        assert!(matches!(start("CRAM-MD5", None), Step::Fail(r) if r.code().value() == 504));
        assert!(
            matches!(respond(SaslState::PlainResponse, b"*"), Step::Fail(r) if r.code().value() == 501)
        );
        assert!(
            matches!(respond(SaslState::PlainResponse, b"!!!"), Step::Fail(r) if r.code().value() == 501)
        );
        assert!(
            matches!(start("PLAIN", Some(b"nonul".to_vec())), Step::Fail(r) if r.enhanced().unwrap().to_string() == "5.5.2")
        );
    }
}
