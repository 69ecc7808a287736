//! `MAIL FROM`: SMTPUTF8 and sender ownership on submission.

use tern_codes::Reply;
use tern_codes::catalogue::{AUTH_REQUIRED, MAIL_SENDER_NOT_OWNED, PARAM_NEEDS_SMTPUTF8};
use tern_config::ListenerKind;
use tern_proto::{MailParams, Mailbox, ReversePath};

use crate::tables::{local_key, mailbox_key, split_key};
use crate::{Policy, SessionFacts};

impl Policy {
    /// Decides a `MAIL FROM`.
    ///
    /// - On `submission` and `submissions` without a logged-in user → `530 5.7.0`
    ///   (`auth.required`, RFC 6409 §4.3). The session normally refuses `MAIL` before asking;
    ///   this is the same rule, so policy alone never lets an anonymous submission through.
    /// - A non-ASCII reverse path without the `SMTPUTF8` parameter → `553 5.6.7`
    ///   (`param.needs_smtputf8`, RFC 6531 §3.4).
    /// - On `submission` and `submissions` (RFC 6409 §6.1), the logged-in user may send only
    ///   as one of their own addresses, else `553 5.7.1` (`mail.sender_not_owned`, naming the
    ///   address and the user):
    ///   - the user name itself when it is an address (`alice@example.org`);
    ///   - `user@<any local domain>` when the user name is a bare local part (`alice`);
    ///   - an address in a local domain whose alias (`local.aliases`) leads to one of those;
    ///   - the null reverse path `<>` (RFC 5321 §4.5.5: notifications), always.
    ///
    ///   Comparison ignores case in local parts and domains, and a source route (RFC 5321
    ///   Appendix C).
    /// - On `smtp` the sender is not checked: other servers send for any address.
    pub fn check_sender(
        &self,
        facts: &SessionFacts,
        from: &ReversePath,
        params: &MailParams,
    ) -> Result<(), Reply> {
        let submission = matches!(
            facts.listener,
            ListenerKind::Submission | ListenerKind::Submissions
        );
        let user = facts.user();
        if submission && user.is_none() {
            return Err(AUTH_REQUIRED.reply());
        }
        let ReversePath::Path(path) = from else {
            return Ok(());
        };
        let written = path.mailbox().to_string();
        if !params.smtputf8 && !path.is_ascii() {
            return Err(PARAM_NEEDS_SMTPUTF8.reply_with(&[("address", &written)]));
        }
        match user {
            Some(user) if submission && !self.owns(user, path.mailbox()) => {
                Err(MAIL_SENDER_NOT_OWNED.reply_with(&[("address", &written), ("user", user)]))
            }
            _ => Ok(()),
        }
    }

    /// Whether `user` may send as `mailbox`.
    fn owns(&self, user: &str, mailbox: &Mailbox) -> bool {
        let key = mailbox_key(mailbox);
        if self.is_users(user, &key) {
            return true;
        }
        let in_local_domain = mailbox
            .domain()
            .is_some_and(|d| self.is_local_domain(d.as_str()));
        in_local_domain && self.alias(&key).is_some_and(|t| self.is_users(user, t))
    }

    /// Whether the mailbox key is the user's own mailbox.
    fn is_users(&self, user: &str, key: &str) -> bool {
        let user = user.trim();
        if user.contains('@') {
            match Mailbox::parse(user) {
                Ok(m) => mailbox_key(&m) == key,
                Err(_) => user.to_lowercase() == key,
            }
        } else {
            let Ok(m) = Mailbox::parse(&format!("{user}@localhost")) else {
                return false;
            };
            split_key(key).is_some_and(|(local, domain)| {
                local == local_key(&m) && self.is_local_domain(domain)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;
    use tern_config::Config;

    fn policy() -> Policy {
        let mut c = Config::default();
        c.local.domains = vec!["example.org".into(), "example.net".into()];
        c.local.mailboxes = vec!["alice".into(), "bob@example.org".into()];
        c.local
            .aliases
            .insert("sales@example.org".into(), "alice@example.org".into());
        Policy::new(&c)
    }

    fn facts(user: &str) -> SessionFacts {
        SessionFacts {
            client_ip: IpAddr::from([192, 0, 2, 1]),
            listener: ListenerKind::Submission,
            authenticated_user: Some(user.into()),
            tls: true,
        }
    }

    #[test]
    fn ownership() {
        let p = policy();
        let m = |s: &str| Mailbox::parse(s).unwrap();
        assert!(p.owns("alice", &m("alice@example.org")));
        assert!(p.owns("alice", &m("ALICE@Example.NET")));
        assert!(p.owns("alice", &m("\"alice\"@example.org")));
        assert!(p.owns("alice", &m("sales@example.org")));
        assert!(p.owns("alice@example.org", &m("sales@example.org")));
        assert!(!p.owns("alice@example.org", &m("alice@example.net")));
        assert!(!p.owns("alice", &m("alice@remote.example")));
        assert!(!p.owns("bob", &m("sales@example.org")));
        assert!(p.owns("Bob@Example.org", &m("bob@example.org")));
        assert!(!p.owns("bad user@x", &m("bob@example.org")));
    }

    #[test]
    fn empty_user_is_not_logged_in() {
        let p = policy();
        let err = p
            .check_sender(&facts(" "), &ReversePath::Null, &MailParams::default())
            .unwrap_err();
        assert_eq!(err.code().value(), 530);
    }
}
