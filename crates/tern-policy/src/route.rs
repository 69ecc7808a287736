//! Where a queued recipient goes: the delivery side's view of the same tables that decided
//! RCPT. Resolving again at delivery time means a configuration change (a new alias, a
//! removed mailbox) applies to mail already queued.

use tern_codes::Reply;
use tern_proto::{Host, Mailbox};

use crate::recipient::hides_route;
use crate::tables::{local_key, normalize_domain};
use crate::{Policy, RecipientVerdict};

/// The destination of a recipient address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A local mailbox (canonical `local@domain`).
    Local(String),
    /// A remote address: the recipient itself, or the target of a forward.
    Remote(String),
    /// Not deliverable here any more (the mailbox was removed, or the address moved): the
    /// recipient fails with this reply.
    Refused(Reply),
}

impl Policy {
    /// Where mail for `address` (as stored in the queue) goes now.
    pub fn route(&self, address: &str) -> Route {
        let Ok(mailbox) = Mailbox::parse(address) else {
            return Route::Remote(address.to_owned());
        };
        match mailbox.host() {
            Host::Domain(d)
                if self.is_local_domain(d.as_str()) && !hides_route(mailbox.local_part()) =>
            {
                match self.local_verdict(
                    &local_key(&mailbox),
                    &normalize_domain(d.as_str()),
                    address,
                ) {
                    RecipientVerdict::Local { mailbox, .. } => Route::Local(mailbox),
                    RecipientVerdict::Forward { to, .. } => Route::Remote(to),
                    RecipientVerdict::Relay { .. } => Route::Remote(address.to_owned()),
                    RecipientVerdict::Reject(reply) => Route::Refused(reply),
                }
            }
            _ => Route::Remote(address.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(toml: &str) -> Policy {
        Policy::new(&tern_config::Config::parse(toml).unwrap())
    }

    #[test]
    fn routes() {
        let p = policy(
            "[local]\ndomains = [\"example.com\"]\nmailboxes = [\"alice\"]\n\
             [local.aliases]\n\"info@example.com\" = \"alice@example.com\"\n\
             [local.forward]\n\"carol@example.com\" = \"carol@example.net\"\n",
        );
        assert_eq!(
            p.route("Alice@Example.com"),
            Route::Local("alice@example.com".into())
        );
        assert_eq!(
            p.route("info@example.com"),
            Route::Local("alice@example.com".into())
        );
        assert_eq!(
            p.route("postmaster@example.com"),
            Route::Local("postmaster@example.com".into())
        );
        assert_eq!(
            p.route("carol@example.com"),
            Route::Remote("carol@example.net".into())
        );
        assert_eq!(
            p.route("bob@example.org"),
            Route::Remote("bob@example.org".into())
        );
        match p.route("gone@example.com") {
            Route::Refused(r) => assert_eq!(r.code().value(), 550),
            other => panic!("{other:?}"),
        }
    }
}
