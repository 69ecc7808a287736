//! `RCPT TO`: local mailboxes, forwarding, moved users, relaying and routing tricks.

use tern_codes::Reply;
use tern_codes::catalogue::{
    PARAM_NEEDS_SMTPUTF8, RCPT_ADDRESS_TRICK, RCPT_MOVED, RCPT_NAME_NOT_ALLOWED, RCPT_OK,
    RCPT_RELAY_DENIED, RCPT_UNKNOWN_USER, RCPT_WILL_FORWARD,
};
use tern_proto::{ForwardPath, Host, LocalPart, Path};

use crate::tables::{POSTMASTER, local_key, normalize_domain};
use crate::{Policy, RecipientVerdict, SessionFacts};

/// Whether a local part hides a routing instruction: `%` (the %-hack, `user%remote@relay`),
/// `!` (UUCP bang paths, `remote!user@relay`) or, inside quotes, `@` (`"user@remote"@relay`).
///
/// RFC 5321 §3.6.1 and §7.1 let a server refuse such forms; Appendix C and §3.6.1 describe
/// them as the old ways to make a server relay. The check is on the unquoted content, so
/// `"user\@remote"@relay` is caught as well as `"user@remote"@relay`.
pub(crate) fn hides_route(local: &LocalPart) -> bool {
    local.unquoted().contains(['%', '!', '@'])
}

/// The path as the client wrote it, without the angle brackets (for reply texts that put
/// `<{address}>` around it).
fn path_text(path: &Path) -> String {
    let full = path.to_string();
    full.strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .map(str::to_owned)
        .unwrap_or(full)
}

impl Policy {
    /// Decides a `RCPT TO`. `smtputf8` says whether the transaction's `MAIL FROM` carried the
    /// `SMTPUTF8` parameter.
    ///
    /// In order:
    ///
    /// 1. Bare `<postmaster>` is always accepted (RFC 5321 §4.1.1.3, §4.5.1), delivered to
    ///    [`Policy::postmaster_mailbox`] (or where an alias or forward of that mailbox says).
    /// 2. A non-ASCII path without `SMTPUTF8` → `553 5.6.7` (`param.needs_smtputf8`,
    ///    RFC 6531 §3.4).
    /// 3. A source route (`<@relay:user@host>`) from a client that may not relay →
    ///    `550 5.7.1` (`rcpt.address_trick`). From a client that may relay the route is
    ///    ignored and the mailbox alone decides (RFC 5321 §3.6.1, §4.1.1.3, Appendix C).
    /// 4. A local domain (address literals never are local):
    ///    - a local part hiding a route (`%`, `!`, a quoted `@`) → `550 5.7.1`
    ///      (`rcpt.address_trick`), whoever the client is: Tern never re-routes such local
    ///      parts, and a mailbox name with them is always a probe;
    ///    - `local.moved` → `551 5.1.6` naming the new address (`rcpt.moved`; never for
    ///      postmaster);
    ///    - `local.forward` → `251 2.1.5` ([`RecipientVerdict::Forward`]);
    ///    - `local.aliases` → the aliased mailbox;
    ///    - `postmaster` (any case, quoted or not) → the postmaster mailbox
    ///      (RFC 5321 §4.5.1);
    ///    - a configured mailbox → that mailbox;
    ///    - `local.catch_all` → the catch-all mailbox (a bare catch-all local part is taken
    ///      in the recipient's domain);
    ///    - otherwise `550 5.1.1` (`rcpt.unknown_user`).
    /// 5. Any other host:
    ///    - a client that may not relay gets `550 5.7.1` (`rcpt.address_trick`) when the local
    ///      part hides a route, `554 5.7.1` (`rcpt.relay_denied`) otherwise;
    ///    - a client that may relay: a general address literal (`[tag:text]`, no tag is
    ///      registered, so it cannot be delivered) → `553 5.1.3` (`rcpt.name_not_allowed`);
    ///      anything else, IP literals and `%`/`!` local parts included (they are the remote
    ///      server's business), is relayed: `250 2.1.5` ([`RecipientVerdict::Relay`]).
    pub fn check_recipient(
        &self,
        facts: &SessionFacts,
        to: &ForwardPath,
        smtputf8: bool,
    ) -> RecipientVerdict {
        let path = match to {
            ForwardPath::Postmaster => return self.postmaster_verdict(POSTMASTER),
            ForwardPath::Path(p) => p,
        };
        let mailbox = path.mailbox();
        if !smtputf8 && !path.is_ascii() {
            return RecipientVerdict::Reject(
                PARAM_NEEDS_SMTPUTF8.reply_with(&[("address", &path_text(path))]),
            );
        }
        let may_relay = self.may_relay(facts);
        let trick = || {
            RecipientVerdict::Reject(
                RCPT_ADDRESS_TRICK.reply_with(&[("address", &path_text(path))]),
            )
        };
        if path.has_source_route() && !may_relay {
            return trick();
        }
        let hides = hides_route(mailbox.local_part());
        let written = mailbox.to_string();
        match mailbox.host() {
            Host::Domain(d) if self.is_local_domain(d.as_str()) => {
                if hides {
                    return trick();
                }
                self.local_verdict(&local_key(mailbox), &normalize_domain(d.as_str()), &written)
            }
            host => {
                if !may_relay {
                    return if hides {
                        trick()
                    } else {
                        RecipientVerdict::Reject(
                            RCPT_RELAY_DENIED.reply_with(&[("address", &written)]),
                        )
                    };
                }
                if let Host::Literal(l) = host
                    && l.ip().is_none()
                {
                    return RecipientVerdict::Reject(
                        RCPT_NAME_NOT_ALLOWED.reply_with(&[("address", &written)]),
                    );
                }
                RecipientVerdict::Relay {
                    reply: ok(&written),
                }
            }
        }
    }

    /// A recipient in a local domain, its local part already free of routing tricks.
    pub(crate) fn local_verdict(
        &self,
        local: &str,
        domain: &str,
        written: &str,
    ) -> RecipientVerdict {
        let key = format!("{local}@{domain}");
        if let Some(new) = self.moved(&key) {
            return RecipientVerdict::Reject(RCPT_MOVED.reply_with(&[("forward_path", new)]));
        }
        if let Some(v) = self.redirect(&key, written) {
            return v;
        }
        if local == POSTMASTER {
            return self.postmaster_verdict(written);
        }
        if self.is_mailbox(&key) {
            return local_ok(key, written);
        }
        if let Some(catch_all) = self.catch_all(domain) {
            return self
                .redirect(&catch_all, written)
                .unwrap_or_else(|| local_ok(catch_all, written));
        }
        RecipientVerdict::Reject(RCPT_UNKNOWN_USER.reply_with(&[("address", written)]))
    }

    /// The postmaster (bare or in any local domain): always accepted.
    fn postmaster_verdict(&self, written: &str) -> RecipientVerdict {
        let pm = self.postmaster_mailbox();
        self.redirect(pm, written)
            .unwrap_or_else(|| local_ok(pm.to_owned(), written))
    }

    /// A forward or alias configured for this key.
    fn redirect(&self, key: &str, written: &str) -> Option<RecipientVerdict> {
        if let Some(to) = self.forward(key) {
            return Some(RecipientVerdict::Forward {
                to: to.clone(),
                reply: RCPT_WILL_FORWARD.reply_with(&[("forward_path", to)]),
            });
        }
        self.alias(key)
            .map(|target| local_ok(target.clone(), written))
    }
}

fn ok(written: &str) -> Reply {
    RCPT_OK.reply_with(&[("address", written)])
}

fn local_ok(mailbox: String, written: &str) -> RecipientVerdict {
    RecipientVerdict::Local {
        mailbox,
        reply: ok(written),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tern_proto::Mailbox;

    #[test]
    fn route_characters() {
        let lp = |s: &str| Mailbox::parse(s).unwrap().local_part().clone();
        assert!(hides_route(&lp("a%b@x")));
        assert!(hides_route(&lp("b!a@x")));
        assert!(hides_route(&lp("\"a@b\"@x")));
        assert!(hides_route(&lp("\"a\\@b\"@x")));
        assert!(hides_route(&lp("\"a\\%b\"@x")));
        assert!(!hides_route(&lp("\"a b\"@x")));
        assert!(!hides_route(&lp("a.b+c@x")));
    }

    #[test]
    fn path_text_keeps_the_route() {
        let Ok(tern_proto::Command::Rcpt {
            to: ForwardPath::Path(p),
            ..
        }) = tern_proto::parse_command(b"RCPT TO:<@a.example,@b.example:u@c.example>")
        else {
            panic!()
        };
        assert_eq!(path_text(&p), "@a.example,@b.example:u@c.example");
    }
}
