//! The lookup tables [`Policy`] builds from the configuration.
//!
//! Every address in the tables is a *key*: the canonical local part (RFC 5321 §4.1.2, `"bob"`
//! is `bob`) and the domain, both lower-cased, joined by `@`. A bare local part (`"alice"` in
//! `local.mailboxes`) is a key without `@` and stands for that local part in every local domain.

use std::collections::{BTreeMap, BTreeSet};

use tern_config::{Config, Network};
use tern_proto::{Host, Mailbox};

use crate::SessionFacts;

/// How many alias hops are followed before an alias is declared a loop.
const MAX_ALIAS_HOPS: usize = 8;

/// The local part every domain must accept (RFC 5321 §4.5.1).
pub(crate) const POSTMASTER: &str = "postmaster";

/// Pure policy decisions built from a [`Config`]; see the [crate documentation](crate).
///
/// Building it never fails: configuration entries it cannot use (an alias pointing outside
/// the local domains, an unparsable address, an alias loop) are skipped and listed by
/// [`Policy::warnings`] so the server can log them.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Local domains, lower-case.
    domains: BTreeSet<String>,
    /// The postmaster mailbox: `postmaster@<first local domain>`.
    postmaster: String,
    /// Mailbox keys: full addresses and bare local parts.
    mailboxes: BTreeSet<String>,
    /// Catch-all mailbox.
    catch_all: Option<CatchAll>,
    /// Alias key → final local mailbox key (chains already followed).
    aliases: BTreeMap<String, String>,
    /// Key → remote address as configured.
    forward: BTreeMap<String, String>,
    /// Key → new address as configured.
    moved: BTreeMap<String, String>,
    /// Networks whose clients may relay without logging in.
    trusted: Vec<Network>,
    /// `local.quota` in octets.
    quota: Option<u64>,
    /// Configuration entries that were skipped, in words.
    warnings: Vec<String>,
}

/// `local.catch_all`.
#[derive(Debug, Clone)]
enum CatchAll {
    /// A full address: every unknown local part of every local domain goes there.
    Address(String),
    /// A bare local part: unknown local parts go to that local part in the same domain.
    LocalPart(String),
}

/// The key of a parsed mailbox: canonical local part and host, lower-cased.
pub(crate) fn mailbox_key(m: &Mailbox) -> String {
    let host = match m.host() {
        Host::Domain(d) => normalize_domain(d.as_str()),
        Host::Literal(l) => l.to_string().to_lowercase(),
    };
    format!("{}@{host}", local_key(m))
}

/// The canonical local part, lower-cased.
pub(crate) fn local_key(m: &Mailbox) -> String {
    m.local_part().canonical().to_lowercase()
}

/// A domain as compared: lower-case, without one trailing dot.
pub(crate) fn normalize_domain(d: &str) -> String {
    let d = d.trim();
    d.strip_suffix('.').unwrap_or(d).to_lowercase()
}

/// The key of a configured full address, or `None` when it does not parse as a mailbox.
fn address_key(text: &str) -> Option<String> {
    Mailbox::parse(text.trim()).ok().map(|m| mailbox_key(&m))
}

/// The key of a configured bare local part, or `None` when it is not a valid local part.
fn local_part_key(text: &str) -> Option<String> {
    Mailbox::parse(&format!("{}@localhost", text.trim()))
        .ok()
        .map(|m| local_key(&m))
}

/// The key of a configured entry: a full address when it parses as one, a bare local part
/// otherwise.
fn entry_key(text: &str) -> Option<String> {
    address_key(text).or_else(|| local_part_key(text))
}

/// Splits a full key into local part and domain (at the last `@`, since a quoted local part
/// may hold one).
pub(crate) fn split_key(key: &str) -> Option<(&str, &str)> {
    key.rsplit_once('@')
}

impl Policy {
    /// Builds the tables from the configuration. See [`Policy::warnings`] for entries that
    /// could not be used.
    ///
    /// - `local.domains` are lower-cased. With none, the postmaster mailbox falls back to
    ///   `postmaster@<server.hostname>` (and no recipient domain is local).
    /// - `local.mailboxes`: an entry with `@` is one address; one without is a local part in
    ///   every local domain. `postmaster` needs no entry.
    /// - `local.aliases` targets must be in a local domain (an alias is delivered here; use
    ///   `local.forward` to send elsewhere). Alias chains are followed up to 8 hops.
    /// - Keys of `local.aliases`, `local.forward` and `local.moved` may also be bare local
    ///   parts (valid in every local domain); the validated config only allows full addresses.
    /// - `local.moved` does not apply to `postmaster`, which must always be accepted.
    pub fn new(config: &Config) -> Policy {
        let local = &config.local;
        let mut warnings = Vec::new();

        let domains: BTreeSet<String> = local
            .domains
            .iter()
            .map(|d| normalize_domain(d))
            .filter(|d| !d.is_empty())
            .collect();
        let first_domain = local
            .domains
            .iter()
            .map(|d| normalize_domain(d))
            .find(|d| !d.is_empty())
            .unwrap_or_else(|| normalize_domain(&config.server.hostname));
        let postmaster = format!("{POSTMASTER}@{first_domain}");

        let in_local_domain = |key: &str| match split_key(key) {
            Some((_, d)) => domains.contains(d),
            None => true,
        };

        let mut mailboxes = BTreeSet::new();
        for entry in &local.mailboxes {
            match entry_key(entry) {
                Some(key) => {
                    if !in_local_domain(&key) {
                        warnings.push(format!(
                            "local.mailboxes: {entry:?} is not in a local domain (local.domains) and receives no mail"
                        ));
                    }
                    mailboxes.insert(key);
                }
                None => warnings.push(format!(
                    "local.mailboxes: {entry:?} is not a valid address or local part; ignored"
                )),
            }
        }

        let mut raw_aliases = BTreeMap::new();
        for (from, to) in &local.aliases {
            match (entry_key(from), address_key(to)) {
                (Some(k), Some(t)) => {
                    raw_aliases.insert(k, t);
                }
                _ => warnings.push(format!(
                    "local.aliases: {from:?} = {to:?} is not an address = address pair; ignored"
                )),
            }
        }
        let mut aliases = BTreeMap::new();
        for (from, first) in &raw_aliases {
            let mut target = first.clone();
            let mut hops = 0;
            while let Some(next) = lookup(&raw_aliases, &target) {
                hops += 1;
                if hops > MAX_ALIAS_HOPS {
                    break;
                }
                target = next.clone();
            }
            if hops > MAX_ALIAS_HOPS {
                warnings.push(format!(
                    "local.aliases: {from:?} is part of an alias loop; ignored"
                ));
            } else if !in_local_domain(&target) {
                warnings.push(format!(
                    "local.aliases: {from:?} points to {target:?}, which is not in a local domain; ignored (use local.forward to send mail elsewhere)"
                ));
            } else {
                aliases.insert(from.clone(), target);
            }
        }

        let mut remote_map = |table: &str, map: &BTreeMap<String, String>| {
            let mut out = BTreeMap::new();
            for (from, to) in map {
                let to = to.trim();
                match (entry_key(from), Mailbox::parse(to)) {
                    (Some(k), Ok(_)) => {
                        if table == "local.moved"
                            && (k == POSTMASTER
                                || split_key(&k).is_some_and(|(l, _)| l == POSTMASTER))
                        {
                            warnings.push(format!(
                                "local.moved: {from:?}: postmaster must always accept mail (RFC 5321 §4.5.1); ignored"
                            ));
                            continue;
                        }
                        out.insert(k, to.to_owned());
                    }
                    _ => warnings.push(format!(
                        "{table}: {from:?} = {to:?} is not an address = address pair; ignored"
                    )),
                }
            }
            out
        };
        let forward = remote_map("local.forward", &local.forward);
        let moved = remote_map("local.moved", &local.moved);

        let catch_all = match local.catch_all.as_deref() {
            None => None,
            Some(text) => match (address_key(text), local_part_key(text)) {
                (Some(key), _) if in_local_domain(&key) => Some(CatchAll::Address(key)),
                (None, Some(local)) => Some(CatchAll::LocalPart(local)),
                (Some(_), _) => {
                    warnings.push(format!(
                        "local.catch_all: {text:?} is not in a local domain; ignored"
                    ));
                    None
                }
                (None, None) => {
                    warnings.push(format!(
                        "local.catch_all: {text:?} is not a valid address or local part; ignored"
                    ));
                    None
                }
            },
        };

        let mut trusted = Vec::new();
        for net in &config.relay.trusted_networks {
            match net.network() {
                Some(n) => trusted.push(n),
                None => warnings.push(format!(
                    "relay.trusted_networks: {:?} is not a network; ignored",
                    net.0
                )),
            }
        }

        Policy {
            domains,
            postmaster,
            mailboxes,
            catch_all,
            aliases,
            forward,
            moved,
            trusted,
            quota: local.quota.map(|q| q.0),
            warnings,
        }
    }

    /// Whether mail for `domain` is delivered here (case-insensitive; one trailing dot is
    /// ignored). Address literals (`[192.0.2.1]`) are never local.
    pub fn is_local_domain(&self, domain: &str) -> bool {
        self.domains.contains(&normalize_domain(domain))
    }

    /// The configured storage quota per mailbox in octets (`local.quota`), if any. The
    /// server compares a mailbox's usage with it and answers `552 5.2.2`
    /// (`rcpt.over_quota`); policy does not look at mailboxes.
    pub fn mailbox_quota(&self) -> Option<u64> {
        self.quota
    }

    /// The valid entries of `relay.trusted_networks`. The server also exempts them from the
    /// per-IP connection limit (`limits.exempt_trusted_from_per_ip`).
    pub fn trusted_networks(&self) -> &[Network] {
        &self.trusted
    }

    /// Whether this client may send to non-local recipients: it logged in, or its address is
    /// in `relay.trusted_networks`.
    pub fn may_relay(&self, facts: &SessionFacts) -> bool {
        facts.user().is_some() || self.trusted.iter().any(|n| n.contains(facts.client_ip))
    }

    /// The mailbox that receives mail for `postmaster` in every local domain:
    /// `postmaster@<first local domain>`.
    pub fn postmaster_mailbox(&self) -> &str {
        &self.postmaster
    }

    /// Configuration entries that [`Policy::new`] skipped, each in a sentence naming the key.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    // ----- lookups used by the decisions --------------------------------------------------

    pub(crate) fn alias(&self, key: &str) -> Option<&String> {
        lookup(&self.aliases, key)
    }

    pub(crate) fn forward(&self, key: &str) -> Option<&String> {
        lookup(&self.forward, key)
    }

    pub(crate) fn moved(&self, key: &str) -> Option<&String> {
        lookup(&self.moved, key)
    }

    /// Whether the full key names a configured mailbox (full entry or bare local part).
    pub(crate) fn is_mailbox(&self, key: &str) -> bool {
        self.mailboxes.contains(key)
            || split_key(key).is_some_and(|(local, _)| self.mailboxes.contains(local))
    }

    /// The catch-all mailbox key for an unknown local part in `domain`.
    pub(crate) fn catch_all(&self, domain: &str) -> Option<String> {
        self.catch_all.as_ref().map(|c| match c {
            CatchAll::Address(key) => key.clone(),
            CatchAll::LocalPart(local) => format!("{local}@{domain}"),
        })
    }
}

/// Looks a full key up in a table whose keys are full addresses or bare local parts; the
/// full address wins.
fn lookup<'a>(map: &'a BTreeMap<String, String>, key: &str) -> Option<&'a String> {
    map.get(key).or_else(|| map.get(split_key(key)?.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(toml: &str) -> Config {
        Config::parse(toml).unwrap()
    }

    #[test]
    fn keys_are_canonical_and_lower_case() {
        assert_eq!(
            address_key("\"Alice\"@Example.ORG").as_deref(),
            Some("alice@example.org")
        );
        assert_eq!(local_part_key("Bob").as_deref(), Some("bob"));
        assert_eq!(entry_key("bob@x.example").as_deref(), Some("bob@x.example"));
        assert_eq!(entry_key("bob").as_deref(), Some("bob"));
        assert_eq!(entry_key("bad local"), None);
        assert_eq!(normalize_domain("Example.ORG."), "example.org");
    }

    #[test]
    fn postmaster_of_the_first_domain() {
        let p = Policy::new(&config(
            "[local]\ndomains = [\"Mail.Example\", \"other.example\"]",
        ));
        assert_eq!(p.postmaster_mailbox(), "postmaster@mail.example");
        assert!(p.is_local_domain("MAIL.example"));
        assert!(p.is_local_domain("other.example."));
        assert!(!p.is_local_domain("example"));
        assert!(!p.is_local_domain("[127.0.0.1]"));
    }

    #[test]
    fn no_domains_falls_back_to_the_hostname() {
        let mut c = Config::default();
        c.local.domains.clear();
        c.server.hostname = "MX.example".into();
        let p = Policy::new(&c);
        assert_eq!(p.postmaster_mailbox(), "postmaster@mx.example");
        assert!(!p.is_local_domain("mx.example"));
    }

    #[test]
    fn alias_chains_loops_and_remote_targets() {
        let mut c = Config::default();
        c.local.domains = vec!["example.org".into()];
        for (a, b) in [
            ("a@example.org", "b@example.org"),
            ("b@example.org", "c@example.org"),
            ("loop1@example.org", "loop2@example.org"),
            ("loop2@example.org", "loop1@example.org"),
            ("out@example.org", "someone@remote.example"),
        ] {
            c.local.aliases.insert(a.into(), b.into());
        }
        let p = Policy::new(&c);
        assert_eq!(p.alias("a@example.org").unwrap(), "c@example.org");
        assert_eq!(p.alias("loop1@example.org"), None);
        assert_eq!(p.alias("out@example.org"), None);
        assert_eq!(p.warnings().len(), 3, "{:?}", p.warnings());
    }

    #[test]
    fn moved_postmaster_is_ignored() {
        let mut c = Config::default();
        c.local
            .moved
            .insert("postmaster@localhost".into(), "pm@elsewhere.example".into());
        let p = Policy::new(&c);
        assert_eq!(p.moved("postmaster@localhost"), None);
        assert_eq!(p.warnings().len(), 1);
    }

    #[test]
    fn bad_entries_become_warnings() {
        let mut c = Config::default();
        c.local.mailboxes.push("no good".into());
        c.local.catch_all = Some("x@remote.example".into());
        c.local
            .forward
            .insert("f@localhost".into(), "not an address".into());
        let p = Policy::new(&c);
        assert_eq!(p.warnings().len(), 3, "{:?}", p.warnings());
        assert!(p.warnings()[0].starts_with("local.mailboxes"));
    }

    #[test]
    fn quota_and_defaults() {
        let p = Policy::new(&Config::default());
        assert_eq!(p.mailbox_quota(), None);
        assert!(p.warnings().is_empty());
        assert!(p.is_mailbox("postmaster@localhost"));
        let p = Policy::new(&config("[local]\nquota = \"1MiB\""));
        assert_eq!(p.mailbox_quota(), Some(1 << 20));
    }
}
