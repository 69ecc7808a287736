//! Where mail for a domain goes: MX resolution for delivery (RFC 5321 §5.1, RFC 7505).
//!
//! [`Resolver::resolve_mx`] turns the domain of a recipient into the ordered list of hosts to
//! try, each with its addresses:
//!
//! - MX records sorted by preference, lowest first; hosts of equal preference are shuffled
//!   (RFC 5321 §5.1), with a caller-supplied picker in [`Resolver::resolve_mx_with`] so tests
//!   are deterministic ([`Rng::seeded`]).
//! - Each MX name is resolved to its A and AAAA records (both asked in parallel; IPv4
//!   addresses first, then IPv6). A host whose name does not resolve is skipped. When no host
//!   is left: [`DnsError::Temporary`] if any of the lookups failed temporarily, else
//!   [`DnsError::NoAddress`]. An MX name is looked up as a name and nothing else: an MX whose
//!   exchange is written as an IP address (not allowed by RFC 5321 §5.1, but seen) is queried
//!   as a name, does not normally resolve, and is skipped. A CNAME on the way (an MX host that
//!   is an alias, or a domain that is one) is followed by hickory, up to 8 links.
//! - No MX at all (the domain exists, NOERROR with no MX records): the implicit MX, the
//!   domain's own A/AAAA records with preference 0.
//! - A null MX (RFC 7505: the only MX record has the root `.` as its exchange, whatever its
//!   preference): [`DnsError::NullMx`], permanent, `556 5.1.10`. In a set that mixes `.` with
//!   real hosts (forbidden by RFC 7505 §3) the `.` records are ignored.
//! - NXDOMAIN: [`DnsError::NoSuchDomain`], permanent, `550 5.1.2`. A domain that is not a
//!   valid DNS name (or a bad address literal) is reported the same way, without a lookup.
//! - The domain exists but there is no MX and no address, or no MX host has an address:
//!   [`DnsError::NoAddress`]. RFC 5321 §5.1 says this "MUST be reported as an error"; Tern
//!   treats it as permanent with the same reply as a missing domain (`550 5.1.2`, "bad
//!   destination system address"), because retrying cannot help until the domain's owner
//!   fixes the zone.
//! - SERVFAIL, REFUSED or any other error code, a timeout, a network error:
//!   [`DnsError::Temporary`], `451 4.4.3`; the delivery is retried on the schedule.
//! - Address literals (`[192.0.2.1]`, `[IPv6:2001:db8::1]`) are not looked up: the address is
//!   the only host ([`address_literal`]).
//!
//! Caching: [`Resolver::system`] keeps hickory's response cache (bounded by the records'
//! TTLs), which is what a long-running MTA wants. [`Resolver::with_nameservers`], used by
//! tests and by explicit configuration, turns it off (size 0, TTLs clamped to 0), so every call
//! asks the nameservers again and a test never sees an answer from an earlier one.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::NetError;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use tern_codes::Reply;
use tern_codes::catalogue::{DELIVERY_DNS_FAILED, DELIVERY_NO_SUCH_DOMAIN, DELIVERY_NULL_MX};

/// How long one DNS request may take before it counts as lost.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// How many times a request is sent in all before the lookup fails temporarily.
pub const DEFAULT_ATTEMPTS: usize = 2;

const RESOLV_CONF: &str = "/etc/resolv.conf";

/// One host to try for a domain, with its addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxHost {
    /// The exchange name without the trailing dot (the domain itself for an implicit MX, the
    /// literal as written for an address literal).
    pub name: String,
    /// The MX preference (0 for an implicit MX or an address literal).
    pub preference: u16,
    /// IPv4 addresses first, then IPv6, in the order the nameserver gave them. Never empty.
    pub addrs: Vec<IpAddr>,
}

/// Why a domain has no host to deliver to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsError {
    /// The domain publishes a null MX (RFC 7505): it accepts no mail. Permanent.
    NullMx,
    /// The domain does not exist (NXDOMAIN), or is not a valid domain name. Permanent.
    NoSuchDomain,
    /// The domain exists but gives no address to deliver to: no MX and no A/AAAA, or no MX
    /// host with an address. Permanent (RFC 5321 §5.1), reported like [`DnsError::NoSuchDomain`].
    NoAddress,
    /// The lookup failed for now (SERVFAIL, timeout, refused, network error). The text says
    /// what happened, for the timeline and the reply.
    Temporary(String),
}

impl DnsError {
    /// True when retrying cannot help: the recipient fails and the sender gets a bounce.
    pub fn is_permanent(&self) -> bool {
        !matches!(self, DnsError::Temporary(_))
    }

    /// The catalogue reply for this outcome, for the timeline and the bounce.
    pub fn reply(&self, domain: &str) -> Reply {
        match self {
            DnsError::NullMx => DELIVERY_NULL_MX.reply_with(&[("domain", domain)]),
            DnsError::NoSuchDomain | DnsError::NoAddress => {
                DELIVERY_NO_SUCH_DOMAIN.reply_with(&[("domain", domain)])
            }
            DnsError::Temporary(detail) => {
                DELIVERY_DNS_FAILED.reply_with(&[("domain", domain), ("detail", detail)])
            }
        }
    }
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DnsError::NullMx => f.write_str("the domain publishes a null MX (RFC 7505)"),
            DnsError::NoSuchDomain => f.write_str("the domain does not exist (NXDOMAIN)"),
            DnsError::NoAddress => f.write_str("the domain has no mail host with an address"),
            DnsError::Temporary(detail) => write!(f, "temporary DNS failure: {detail}"),
        }
    }
}

impl std::error::Error for DnsError {}

/// A small xorshift64* generator: enough to shuffle MX hosts of equal preference, seedable
/// so tests are deterministic. Not for anything secret.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator that always gives the same sequence for the same seed.
    pub fn seeded(seed: u64) -> Rng {
        // Spread the seed so that small seeds (0, 1, 2…) give unrelated sequences; never 0.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    /// A generator seeded from the process's hash randomness (different on every call).
    pub fn from_entropy() -> Rng {
        Rng::seeded(RandomState::new().hash_one(std::time::SystemTime::now()))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }
}

/// Sorts `(preference, name)` pairs by preference, shuffling each run of equal preferences
/// with `pick(n)`, which must return a number in `0..n`. Duplicate names keep their lowest
/// preference.
pub fn order_by_preference<T>(
    mut records: Vec<(u16, T)>,
    pick: &mut impl FnMut(usize) -> usize,
) -> Vec<(u16, T)>
where
    T: PartialEq,
{
    records.sort_by_key(|(pref, _)| *pref);
    let mut unique: Vec<(u16, T)> = Vec::with_capacity(records.len());
    for (pref, name) in records {
        if !unique.iter().any(|(_, n)| *n == name) {
            unique.push((pref, name));
        }
    }
    let mut start = 0;
    while start < unique.len() {
        let pref = unique[start].0;
        let end = start
            + unique[start..]
                .iter()
                .take_while(|(p, _)| *p == pref)
                .count();
        // Fisher–Yates over unique[start..end].
        for i in (1..end - start).rev() {
            let j = pick(i + 1).min(i);
            unique.swap(start + i, start + j);
        }
        start = end;
    }
    unique
}

/// The address of an address-literal domain (`[192.0.2.1]`, `[IPv6:2001:db8::1]`), `None`
/// when `domain` is not bracketed or the literal is not a valid address (RFC 5321 §4.1.3).
pub fn address_literal(domain: &str) -> Option<IpAddr> {
    let inner = domain.strip_prefix('[')?.strip_suffix(']')?;
    if inner.len() > 5 && inner[..5].eq_ignore_ascii_case("IPv6:") {
        return inner[5..].parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    inner.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The outcome of one A, AAAA or MX lookup.
enum Answer<T> {
    Found(Vec<T>),
    NoData,
    NxDomain,
    Temporary(String),
}

/// An asynchronous DNS resolver for delivery, wrapping hickory's [`TokioResolver`].
#[derive(Debug, Clone)]
pub struct Resolver {
    inner: TokioResolver,
}

impl Resolver {
    /// The system's resolver, from `/etc/resolv.conf`: its `nameserver` lines (port 53; the
    /// local resolver 127.0.0.1 when there are none, as libc does) and its `options
    /// timeout:N attempts:N` (defaults [`DEFAULT_TIMEOUT`], [`DEFAULT_ATTEMPTS`]). Search
    /// domains are not used: delivery only asks fully qualified names. `/etc/hosts` is
    /// consulted first, as the system's resolver would. Hickory's cache is on.
    pub fn system() -> std::io::Result<Resolver> {
        let text = match std::fs::read_to_string(RESOLV_CONF) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e),
        };
        let conf = ResolvConf::parse(&text);
        let mut opts = ResolverOpts::default();
        opts.timeout = conf.timeout;
        opts.attempts = conf.attempts.saturating_sub(1);
        opts.use_hosts_file = ResolveHosts::Always;
        Ok(Resolver::build(&conf.nameservers, opts))
    }

    /// A resolver that asks only these nameservers (UDP, and TCP for truncated answers),
    /// with no search domains, no `/etc/hosts`, a [`DEFAULT_TIMEOUT`] per request,
    /// [`DEFAULT_ATTEMPTS`] attempts, and no cache.
    pub fn with_nameservers(nameservers: &[SocketAddr]) -> Resolver {
        let mut opts = ResolverOpts::default();
        opts.timeout = DEFAULT_TIMEOUT;
        // hickory counts retries after the first request.
        opts.attempts = DEFAULT_ATTEMPTS - 1;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.cache_size = 0;
        opts.positive_max_ttl = Some(Duration::ZERO);
        opts.negative_max_ttl = Some(Duration::ZERO);
        Resolver::build(nameservers, opts)
    }

    fn build(nameservers: &[SocketAddr], mut opts: ResolverOpts) -> Resolver {
        let mut config = ResolverConfig::from_name_servers(Vec::new());
        for ns in nameservers {
            let mut udp = ConnectionConfig::udp();
            udp.port = ns.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = ns.port();
            config.add_name_server(NameServerConfig::new(ns.ip(), true, vec![udp, tcp]));
        }
        // Names are always asked fully qualified; keep the pool simple and predictable.
        opts.ndots = 1;
        opts.num_concurrent_reqs = 1;
        let mut builder =
            TokioResolver::builder_with_config(config, TokioRuntimeProvider::default());
        *builder.options_mut() = opts;
        let inner = builder
            .build()
            .expect("a resolver without TLS or DNSSEC always builds");
        Resolver { inner }
    }

    /// The hosts to try for `domain`, best first, hosts of equal preference in random order.
    /// See the [module documentation](self) for every outcome.
    pub async fn resolve_mx(&self, domain: &str) -> Result<Vec<MxHost>, DnsError> {
        let mut rng = Rng::from_entropy();
        self.resolve_mx_with(domain, &mut |n| rng.below(n)).await
    }

    /// Like [`resolve_mx`](Self::resolve_mx), with the order of equal preferences chosen by
    /// `pick(n)`, which must return a number in `0..n` (e.g. `|n| rng.below(n)` with a
    /// [`Rng::seeded`]).
    pub async fn resolve_mx_with(
        &self,
        domain: &str,
        pick: &mut impl FnMut(usize) -> usize,
    ) -> Result<Vec<MxHost>, DnsError> {
        if domain.starts_with('[') {
            let ip = address_literal(domain).ok_or(DnsError::NoSuchDomain)?;
            return Ok(vec![MxHost {
                name: domain.to_owned(),
                preference: 0,
                addrs: vec![ip],
            }]);
        }
        let name = fqdn(domain).ok_or(DnsError::NoSuchDomain)?;
        let display = display_name(&name);

        let mx = match self.lookup_mx(&name).await {
            Answer::Found(mx) => mx,
            Answer::NoData => Vec::new(),
            Answer::NxDomain => return Err(DnsError::NoSuchDomain),
            Answer::Temporary(detail) => return Err(DnsError::Temporary(detail)),
        };

        if mx.is_empty() {
            // RFC 5321 §5.1: the implicit MX.
            return match self.lookup_addrs(&name).await {
                Answer::Found(addrs) => Ok(vec![MxHost {
                    name: display,
                    preference: 0,
                    addrs,
                }]),
                Answer::NoData => Err(DnsError::NoAddress),
                Answer::NxDomain => Err(DnsError::NoSuchDomain),
                Answer::Temporary(detail) => Err(DnsError::Temporary(detail)),
            };
        }
        if mx.iter().all(|(_, exchange)| exchange.is_root()) {
            return Err(DnsError::NullMx);
        }

        let mx: Vec<(u16, Name)> = mx.into_iter().filter(|(_, e)| !e.is_root()).collect();
        let mut hosts = Vec::new();
        let mut temporary = Vec::new();
        for (preference, exchange) in order_by_preference(mx, pick) {
            match self.lookup_addrs(&exchange).await {
                Answer::Found(addrs) => hosts.push(MxHost {
                    name: display_name(&exchange),
                    preference,
                    addrs,
                }),
                Answer::NoData | Answer::NxDomain => {}
                Answer::Temporary(detail) => temporary.push(detail),
            }
        }
        if !hosts.is_empty() {
            Ok(hosts)
        } else if !temporary.is_empty() {
            Err(DnsError::Temporary(temporary.join("; ")))
        } else {
            Err(DnsError::NoAddress)
        }
    }

    async fn lookup_mx(&self, name: &Name) -> Answer<(u16, Name)> {
        classify(
            name,
            RecordType::MX,
            self.inner.lookup(name.clone(), RecordType::MX).await,
            |data| match data {
                RData::MX(mx) => Some((mx.preference, mx.exchange.clone())),
                _ => None,
            },
        )
    }

    /// A and AAAA of `name`, asked in parallel; IPv4 first.
    async fn lookup_addrs(&self, name: &Name) -> Answer<IpAddr> {
        let (a, aaaa) = tokio::join!(
            self.inner.lookup(name.clone(), RecordType::A),
            self.inner.lookup(name.clone(), RecordType::AAAA),
        );
        let a = classify(name, RecordType::A, a, |data| match data {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            _ => None,
        });
        let aaaa = classify(name, RecordType::AAAA, aaaa, |data| match data {
            RData::AAAA(aaaa) => Some(IpAddr::V6(aaaa.0)),
            _ => None,
        });
        match (a, aaaa) {
            (Answer::Found(mut v4), Answer::Found(v6)) => {
                v4.extend(v6);
                Answer::Found(v4)
            }
            (Answer::Found(found), _) | (_, Answer::Found(found)) => Answer::Found(found),
            (Answer::Temporary(detail), _) | (_, Answer::Temporary(detail)) => {
                Answer::Temporary(detail)
            }
            (Answer::NxDomain, Answer::NxDomain) => Answer::NxDomain,
            _ => Answer::NoData,
        }
    }
}

/// Sorts a hickory lookup result into the outcomes delivery cares about.
fn classify<T>(
    name: &Name,
    rtype: RecordType,
    result: Result<hickory_resolver::lookup::Lookup, NetError>,
    extract: impl Fn(&RData) -> Option<T>,
) -> Answer<T> {
    match result {
        Ok(lookup) => {
            let found: Vec<T> = lookup
                .answers()
                .iter()
                .filter_map(|r| extract(&r.data))
                .collect();
            if found.is_empty() {
                Answer::NoData
            } else {
                Answer::Found(found)
            }
        }
        Err(e) if e.is_nx_domain() => Answer::NxDomain,
        Err(e) if e.is_no_records_found() => Answer::NoData,
        Err(e) => Answer::Temporary(format!("{rtype} {}: {}", display_name(name), describe(&e))),
    }
}

/// A short, stable description of a failed lookup for the reply text.
fn describe(e: &NetError) -> String {
    use hickory_resolver::net::DnsError as HDnsError;
    match e {
        NetError::Timeout => "timed out".to_owned(),
        NetError::Dns(HDnsError::ResponseCode(code)) => format!("nameserver answered {code}"),
        other => other.to_string(),
    }
}

/// `domain` as a fully qualified DNS name (IDNs converted to A-labels), `None` if it is not a
/// valid host name.
fn fqdn(domain: &str) -> Option<Name> {
    let domain = domain.trim();
    if domain.is_empty() || domain == "." {
        return None;
    }
    let mut name = Name::from_utf8(domain).ok()?;
    if name.is_root() {
        return None;
    }
    name.set_fqdn(true);
    Some(name)
}

fn display_name(name: &Name) -> String {
    let s = name.to_ascii();
    s.strip_suffix('.').map(str::to_owned).unwrap_or(s)
}

/// The parts of `/etc/resolv.conf` Tern uses.
#[derive(Debug, PartialEq)]
struct ResolvConf {
    nameservers: Vec<SocketAddr>,
    timeout: Duration,
    attempts: usize,
}

impl ResolvConf {
    fn parse(text: &str) -> ResolvConf {
        let mut conf = ResolvConf {
            nameservers: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            attempts: DEFAULT_ATTEMPTS,
        };
        for line in text.lines() {
            let line = line.split(['#', ';']).next().unwrap_or("");
            let mut words = line.split_whitespace();
            match words.next() {
                Some("nameserver") => {
                    // Drop an IPv6 zone (`fe80::1%eth0`): hickory takes no scope here.
                    let addr = words.next().and_then(|w| w.split('%').next());
                    if let Some(ip) = addr.and_then(|a| a.parse::<IpAddr>().ok()) {
                        conf.nameservers.push(SocketAddr::new(ip, 53));
                    }
                }
                Some("options") => {
                    for option in words {
                        if let Some(n) = option.strip_prefix("timeout:") {
                            if let Ok(n) = n.parse::<u64>() {
                                conf.timeout = Duration::from_secs(n.clamp(1, 30));
                            }
                        } else if let Some(n) = option.strip_prefix("attempts:")
                            && let Ok(n) = n.parse::<usize>()
                        {
                            conf.attempts = n.clamp(1, 5);
                        }
                    }
                }
                _ => {}
            }
        }
        if conf.nameservers.is_empty() {
            conf.nameservers
                .push(SocketAddr::from(([127, 0, 0, 1], 53)));
        }
        conf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[(u16, &'static str)]) -> Vec<&'static str> {
        v.iter().map(|(_, n)| *n).collect()
    }

    #[test]
    fn order_sorts_by_preference_and_dedupes() {
        let records = vec![(20, "b"), (10, "a"), (30, "c"), (40, "a")];
        let ordered = order_by_preference(records, &mut |_| 0);
        assert_eq!(ordered, vec![(10, "a"), (20, "b"), (30, "c")]);
    }

    #[test]
    fn order_shuffles_only_within_a_preference() {
        let records = vec![(10, "a"), (10, "b"), (10, "c"), (5, "first"), (20, "last")];
        let mut seen = std::collections::HashSet::new();
        for seed in 0..200 {
            let mut rng = Rng::seeded(seed);
            let ordered = order_by_preference(records.clone(), &mut |n| rng.below(n));
            let n = names(&ordered);
            assert_eq!(n[0], "first");
            assert_eq!(n[4], "last");
            seen.insert(n[1..4].to_vec());
        }
        assert_eq!(
            seen.len(),
            6,
            "every permutation of three equal hosts is reachable"
        );
    }

    #[test]
    fn seeded_rng_is_deterministic() {
        let mut a = Rng::seeded(42);
        let mut b = Rng::seeded(42);
        for _ in 0..10 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::seeded(1).next_u64(), Rng::seeded(2).next_u64());
        assert_eq!(Rng::seeded(7).below(0), 0);
        assert!((0..100).all(|_| a.below(3) < 3));
    }

    #[test]
    fn address_literals() {
        assert_eq!(
            address_literal("[192.0.2.1]"),
            Some("192.0.2.1".parse().unwrap())
        );
        assert_eq!(
            address_literal("[IPv6:2001:db8::1]"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(
            address_literal("[ipv6:2001:db8::1]"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(address_literal("[2001:db8::1]"), None);
        assert_eq!(address_literal("[300.0.0.1]"), None);
        assert_eq!(address_literal("192.0.2.1"), None);
        assert_eq!(address_literal("[example.com]"), None);
    }

    #[test]
    fn fqdn_names() {
        assert_eq!(
            fqdn("example.com").map(|n| n.to_ascii()),
            Some("example.com.".into())
        );
        assert_eq!(
            fqdn("example.com.").map(|n| n.to_ascii()),
            Some("example.com.".into())
        );
        assert_eq!(
            fqdn("bücher.example").map(|n| n.to_ascii()),
            Some("xn--bcher-kva.example.".into())
        );
        assert_eq!(fqdn(""), None);
        assert_eq!(fqdn("."), None);
        assert_eq!(fqdn("a..b"), None);
    }

    #[test]
    fn resolv_conf() {
        let conf = ResolvConf::parse(
            "# comment\nsearch example.com\nnameserver 192.0.2.53\nnameserver fe80::1%eth0 \
             \nnameserver bogus\noptions ndots:2 timeout:3 attempts:4\n",
        );
        assert_eq!(
            conf,
            ResolvConf {
                nameservers: vec![
                    "192.0.2.53:53".parse().unwrap(),
                    "[fe80::1]:53".parse().unwrap()
                ],
                timeout: Duration::from_secs(3),
                attempts: 4,
            }
        );
        let empty = ResolvConf::parse("");
        assert_eq!(empty.nameservers, vec!["127.0.0.1:53".parse().unwrap()]);
        assert_eq!(empty.timeout, DEFAULT_TIMEOUT);
        assert_eq!(empty.attempts, DEFAULT_ATTEMPTS);
    }

    #[test]
    fn permanence() {
        assert!(DnsError::NullMx.is_permanent());
        assert!(DnsError::NoSuchDomain.is_permanent());
        assert!(DnsError::NoAddress.is_permanent());
        assert!(!DnsError::Temporary("x".into()).is_permanent());
    }
}
