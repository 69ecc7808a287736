//! Connection limits (`[limits] max_connections`, `max_connections_per_ip`) and the AUTH
//! failure lockout (`[auth] max_failures_per_ip`, `lockout`).
//!
//! # Which clients count as one
//!
//! Both limiters count by [`client_key`]: an IPv4 address on its own; an IPv4-mapped IPv6
//! address (`::ffff:192.0.2.1`, what a dual-stack `[::]` socket reports for IPv4 clients) as
//! that IPv4 address; any other IPv6 address by its /64 prefix. A /64 is what one site or one
//! host is given (RFC 6177), and a host can pick any of its 2^64 addresses for each
//! connection, so counting single IPv6 addresses would not limit anyone.
//!
//! The limiters decide; the caller answers: [`LimitRefusal::Global`] is `421 4.3.2`,
//! [`LimitRefusal::PerIp`] is `421 4.7.0`, and a locked-out IP gets `454 4.7.0` to AUTH.
//!
//! # Trusted clients
//!
//! A [`PerIpExemption`] lifts the per-IP connection limit from loopback clients and the
//! trusted networks (`[limits] exempt_trusted_from_per_ip`), as Postfix exempts `mynetworks`
//! from its per-client limits: a webmail or an internal relay opens many connections from one
//! address. They still count towards the global limit, and the AUTH lockout applies to them
//! as to everyone.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tern_config::Network;

/// The address the limits count by: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 as the
/// first address of its /64.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The tables stay consistent even if a holder panicked: every update is a single step.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Why a connection is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LimitRefusal {
    /// `max_connections` are open already (answer `421 4.3.2`).
    #[error("too many connections in all")]
    Global,
    /// `max_connections_per_ip` are open from this client already (answer `421 4.7.0`).
    #[error("too many connections from this address")]
    PerIp,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// The clients [`ConnectionLimiter`] does not hold to the per-IP limit.
#[derive(Debug, Clone, Default)]
pub struct PerIpExemption {
    loopback: bool,
    networks: Vec<Network>,
}

impl PerIpExemption {
    /// Nobody: every client is held to the per-IP limit.
    pub fn nobody() -> PerIpExemption {
        PerIpExemption::default()
    }

    /// Loopback clients (`127.0.0.0/8`, `::1`, and those as IPv4-mapped IPv6) and `networks`.
    pub fn loopback_and(networks: Vec<Network>) -> PerIpExemption {
        PerIpExemption {
            loopback: true,
            networks,
        }
    }

    /// Whether `ip` is exempt.
    pub fn contains(&self, ip: IpAddr) -> bool {
        (self.loopback && is_loopback(ip)) || self.networks.iter().any(|n| n.contains(ip))
    }
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

#[derive(Debug)]
struct ConnInner {
    global: usize,
    per_ip: usize,
    exempt: PerIpExemption,
    counts: Mutex<Counts>,
}

/// Counts open connections, in all and per client. Cheap to clone (an `Arc`); share one between
/// all listeners.
#[derive(Debug, Clone)]
pub struct ConnectionLimiter {
    inner: Arc<ConnInner>,
}

impl ConnectionLimiter {
    /// At most `global` connections in all and `per_ip` per client ([`client_key`]).
    pub fn new(global: usize, per_ip: usize) -> ConnectionLimiter {
        Self::with_exemption(global, per_ip, PerIpExemption::nobody())
    }

    /// Like [`new`](Self::new), with the clients of `exempt` held to the global limit only.
    pub fn with_exemption(
        global: usize,
        per_ip: usize,
        exempt: PerIpExemption,
    ) -> ConnectionLimiter {
        ConnectionLimiter {
            inner: Arc::new(ConnInner {
                global,
                per_ip,
                exempt,
                counts: Mutex::new(Counts::default()),
            }),
        }
    }

    /// Takes a slot for a connection from `ip`, held until the guard is dropped. The global
    /// limit is checked first.
    pub fn try_acquire(&self, ip: IpAddr) -> Result<ConnectionGuard, LimitRefusal> {
        let mut counts = lock(&self.inner.counts);
        if counts.total >= self.inner.global {
            return Err(LimitRefusal::Global);
        }
        if self.inner.exempt.contains(ip) {
            counts.total += 1;
            return Ok(ConnectionGuard {
                inner: Arc::clone(&self.inner),
                key: None,
            });
        }
        let key = client_key(ip);
        let n = counts.per_ip.entry(key).or_insert(0);
        if *n >= self.inner.per_ip {
            if *n == 0 {
                counts.per_ip.remove(&key);
            }
            return Err(LimitRefusal::PerIp);
        }
        *n += 1;
        counts.total += 1;
        Ok(ConnectionGuard {
            inner: Arc::clone(&self.inner),
            key: Some(key),
        })
    }

    /// Connections open in all.
    pub fn total(&self) -> usize {
        lock(&self.inner.counts).total
    }

    /// Connections open from `ip`'s [`client_key`].
    pub fn count(&self, ip: IpAddr) -> usize {
        lock(&self.inner.counts)
            .per_ip
            .get(&client_key(ip))
            .copied()
            .unwrap_or(0)
    }
}

/// A connection slot; dropping it frees the slot.
pub struct ConnectionGuard {
    inner: Arc<ConnInner>,
    key: Option<IpAddr>,
}

impl ConnectionGuard {
    /// The [`client_key`] this connection counts under; `None` for an exempt client, which
    /// counts only in the total.
    pub fn key(&self) -> Option<IpAddr> {
        self.key
    }
}

impl fmt::Debug for ConnectionGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionGuard")
            .field("key", &self.key)
            .finish()
    }
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let mut counts = lock(&self.inner.counts);
        counts.total = counts.total.saturating_sub(1);
        let Some(key) = self.key else {
            return;
        };
        if let Some(n) = counts.per_ip.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                counts.per_ip.remove(&key);
            }
        }
    }
}

/// How many clients [`AuthLimiter`] remembers at most, by default.
pub const DEFAULT_AUTH_TABLE_CAPACITY: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct AuthEntry {
    failures: u32,
    /// When the last failure happened; failures older than `lockout` are forgotten.
    last_failure: Instant,
    locked_until: Option<Instant>,
}

impl AuthEntry {
    fn expired(&self, now: Instant, lockout: Duration) -> bool {
        match self.locked_until {
            Some(until) => now >= until,
            None => now.saturating_duration_since(self.last_failure) >= lockout,
        }
    }
}

/// Failed AUTH attempts per client ([`client_key`]): after `max_failures` failures, each less
/// than `lockout` after the previous one, the client is locked out for `lockout`. A success
/// clears the count. `max_failures == 0` disables the lockout.
///
/// Memory is bounded: expired entries are dropped when the table is full, and if it is still
/// full the entry idle the longest is dropped (by default at most
/// [`DEFAULT_AUTH_TABLE_CAPACITY`] entries).
#[derive(Debug, Clone)]
pub struct AuthLimiter {
    inner: Arc<AuthInner>,
}

#[derive(Debug)]
struct AuthInner {
    max_failures: u32,
    lockout: Duration,
    capacity: usize,
    table: Mutex<HashMap<IpAddr, AuthEntry>>,
}

impl AuthLimiter {
    /// Locks a client out for `lockout` after `max_failures` failures.
    pub fn new(max_failures: u32, lockout: Duration) -> AuthLimiter {
        Self::with_capacity(max_failures, lockout, DEFAULT_AUTH_TABLE_CAPACITY)
    }

    /// Like [`new`](Self::new), remembering at most `capacity` clients (at least 1).
    pub fn with_capacity(max_failures: u32, lockout: Duration, capacity: usize) -> AuthLimiter {
        AuthLimiter {
            inner: Arc::new(AuthInner {
                max_failures,
                lockout,
                capacity: capacity.max(1),
                table: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// True while `ip` is locked out (answer AUTH with `454 4.7.0` without checking the
    /// password).
    pub fn is_locked(&self, ip: IpAddr, now: Instant) -> bool {
        let key = client_key(ip);
        let mut table = lock(&self.inner.table);
        match table.get(&key) {
            Some(e) if e.expired(now, self.inner.lockout) => {
                table.remove(&key);
                false
            }
            Some(e) => e.locked_until.is_some(),
            None => false,
        }
    }

    /// Records a failed login from `ip`. Returns true when this failure locks it out.
    pub fn record_failure(&self, ip: IpAddr, now: Instant) -> bool {
        if self.inner.max_failures == 0 {
            return false;
        }
        let key = client_key(ip);
        let lockout = self.inner.lockout;
        let mut table = lock(&self.inner.table);
        if !table.contains_key(&key) && table.len() >= self.inner.capacity {
            table.retain(|_, e| !e.expired(now, lockout));
            if table.len() >= self.inner.capacity {
                let oldest = table
                    .iter()
                    .min_by_key(|(_, e)| e.locked_until.unwrap_or(e.last_failure))
                    .map(|(k, _)| *k);
                if let Some(oldest) = oldest {
                    table.remove(&oldest);
                }
            }
        }
        let entry = table.entry(key).or_insert(AuthEntry {
            failures: 0,
            last_failure: now,
            locked_until: None,
        });
        if entry.expired(now, lockout) {
            *entry = AuthEntry {
                failures: 0,
                last_failure: now,
                locked_until: None,
            };
        }
        if entry.locked_until.is_some() {
            // Already locked (the caller should not have tried); the lockout is not extended.
            return false;
        }
        entry.failures += 1;
        entry.last_failure = now;
        if entry.failures >= self.inner.max_failures {
            entry.locked_until = Some(now + lockout);
            true
        } else {
            false
        }
    }

    /// Records a successful login from `ip`: its failures are forgotten.
    pub fn record_success(&self, ip: IpAddr) {
        let key = client_key(ip);
        let mut table = lock(&self.inner.table);
        if table.get(&key).is_some_and(|e| e.locked_until.is_none()) {
            table.remove(&key);
        }
    }

    /// Clients remembered now (for tests and metrics).
    pub fn tracked(&self) -> usize {
        lock(&self.inner.table).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn keys() {
        assert_eq!(client_key(ip("192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(client_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(client_key(ip("2001:db8:1:2:3:4:5:6")), ip("2001:db8:1:2::"));
        assert_eq!(client_key(ip("2001:db8:1:2::ffff")), ip("2001:db8:1:2::"));
        assert_ne!(client_key(ip("2001:db8:1:3::1")), ip("2001:db8:1:2::"));
        assert_eq!(client_key(ip("::1")), ip("::"));
        // IPv4-compatible (deprecated) addresses are IPv6.
        assert_eq!(client_key(ip("::192.0.2.1")), ip("::"));
    }

    #[test]
    fn per_ip_and_global_limits() {
        let limiter = ConnectionLimiter::new(3, 2);
        let a1 = limiter.try_acquire(ip("192.0.2.1")).unwrap();
        let a2 = limiter.try_acquire(ip("::ffff:192.0.2.1")).unwrap();
        assert_eq!(
            limiter.try_acquire(ip("192.0.2.1")).unwrap_err(),
            LimitRefusal::PerIp
        );
        assert_eq!(limiter.count(ip("192.0.2.1")), 2);
        let b1 = limiter.try_acquire(ip("2001:db8::1")).unwrap();
        assert_eq!(b1.key(), Some(ip("2001:db8::")));
        assert_eq!(limiter.total(), 3);
        assert_eq!(
            limiter.try_acquire(ip("198.51.100.7")).unwrap_err(),
            LimitRefusal::Global
        );
        assert_eq!(limiter.count(ip("198.51.100.7")), 0);
        drop(a1);
        assert_eq!(limiter.count(ip("192.0.2.1")), 1);
        let c = limiter.clone().try_acquire(ip("198.51.100.7")).unwrap();
        drop((a2, b1, c));
        assert_eq!(limiter.total(), 0);
        assert!(
            lock(&limiter.inner.counts).per_ip.is_empty(),
            "no entries left behind"
        );
    }

    #[test]
    fn exempt_clients_count_only_in_the_total() {
        let trusted = vec![
            "192.0.2.0/24".parse().unwrap(),
            "2001:db8::/32".parse().unwrap(),
        ];
        let exempt = PerIpExemption::loopback_and(trusted);
        for inside in [
            "127.0.0.1",
            "127.8.9.10",
            "::1",
            "::ffff:127.0.0.1",
            "192.0.2.9",
        ] {
            assert!(exempt.contains(ip(inside)), "{inside}");
        }
        for outside in ["198.51.100.1", "::", "2001:db9::1", "::ffff:198.51.100.1"] {
            assert!(!exempt.contains(ip(outside)), "{outside}");
        }
        assert!(!PerIpExemption::nobody().contains(ip("127.0.0.1")));

        let limiter = ConnectionLimiter::with_exemption(4, 1, exempt);
        let held: Vec<_> = ["127.0.0.1", "127.0.0.1", "192.0.2.9"]
            .into_iter()
            .map(|a| limiter.try_acquire(ip(a)).unwrap())
            .collect();
        assert!(held.iter().all(|g| g.key().is_none()));
        assert_eq!(limiter.count(ip("127.0.0.1")), 0);
        let other = limiter.try_acquire(ip("198.51.100.1")).unwrap();
        assert_eq!(limiter.total(), 4);
        // The global limit holds for exempt clients too.
        assert_eq!(
            limiter.try_acquire(ip("127.0.0.1")).unwrap_err(),
            LimitRefusal::Global
        );
        drop((held, other));
        assert_eq!(limiter.total(), 0);
        assert!(lock(&limiter.inner.counts).per_ip.is_empty());
    }

    #[test]
    fn ipv6_counts_per_64() {
        let limiter = ConnectionLimiter::new(100, 2);
        let _a = limiter.try_acquire(ip("2001:db8:0:1::1")).unwrap();
        let _b = limiter.try_acquire(ip("2001:db8:0:1::2")).unwrap();
        assert_eq!(
            limiter.try_acquire(ip("2001:db8:0:1::3")).unwrap_err(),
            LimitRefusal::PerIp
        );
        let _c = limiter.try_acquire(ip("2001:db8:0:2::1")).unwrap();
    }

    #[test]
    fn zero_per_ip_refuses_without_leaking_entries() {
        let limiter = ConnectionLimiter::new(10, 0);
        assert_eq!(
            limiter.try_acquire(ip("192.0.2.1")).unwrap_err(),
            LimitRefusal::PerIp
        );
        assert!(lock(&limiter.inner.counts).per_ip.is_empty());
    }

    #[test]
    fn guards_work_across_threads() {
        let limiter = ConnectionLimiter::new(1000, 1000);
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let limiter = limiter.clone();
                std::thread::spawn(move || {
                    for i in 0..500u32 {
                        let g = limiter
                            .try_acquire(IpAddr::V4(Ipv4Addr::from(i % 7 + t)))
                            .unwrap();
                        drop(g);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(limiter.total(), 0);
    }

    #[test]
    fn lockout_after_max_failures_then_expires() {
        let t0 = Instant::now();
        let lockout = Duration::from_secs(300);
        let auth = AuthLimiter::new(3, lockout);
        let a = ip("192.0.2.1");
        assert!(!auth.record_failure(a, t0));
        assert!(!auth.record_failure(a, t0 + Duration::from_secs(1)));
        assert!(!auth.is_locked(a, t0 + Duration::from_secs(2)));
        assert!(auth.record_failure(ip("::ffff:192.0.2.1"), t0 + Duration::from_secs(2)));
        assert!(auth.is_locked(a, t0 + Duration::from_secs(3)));
        assert!(!auth.is_locked(ip("192.0.2.2"), t0 + Duration::from_secs(3)));
        // A success while locked does not unlock (the caller never checks a password then).
        auth.record_success(a);
        assert!(auth.is_locked(a, t0 + Duration::from_secs(301)));
        assert!(!auth.is_locked(a, t0 + Duration::from_secs(302)));
        assert_eq!(auth.tracked(), 0, "expired entries are dropped");
        // Counting starts again.
        assert!(!auth.record_failure(a, t0 + Duration::from_secs(303)));
    }

    #[test]
    fn success_clears_and_old_failures_are_forgotten() {
        let t0 = Instant::now();
        let auth = AuthLimiter::new(2, Duration::from_secs(60));
        let a = ip("2001:db8::5");
        assert!(!auth.record_failure(a, t0));
        auth.record_success(ip("2001:db8::6")); // same /64
        assert!(!auth.record_failure(a, t0 + Duration::from_secs(1)));
        assert!(!auth.is_locked(a, t0 + Duration::from_secs(1)));
        // The next failure comes more than `lockout` after the previous one.
        assert!(!auth.record_failure(a, t0 + Duration::from_secs(100)));
        assert!(auth.record_failure(a, t0 + Duration::from_secs(101)));
        assert!(auth.is_locked(a, t0 + Duration::from_secs(101)));
    }

    #[test]
    fn zero_max_failures_never_locks() {
        let auth = AuthLimiter::new(0, Duration::from_secs(60));
        let now = Instant::now();
        for _ in 0..100 {
            assert!(!auth.record_failure(ip("192.0.2.1"), now));
        }
        assert!(!auth.is_locked(ip("192.0.2.1"), now));
        assert_eq!(auth.tracked(), 0);
    }

    #[test]
    fn table_is_bounded() {
        let t0 = Instant::now();
        let auth = AuthLimiter::with_capacity(5, Duration::from_secs(60), 100);
        for i in 0..10_000u32 {
            auth.record_failure(
                IpAddr::V4(Ipv4Addr::from(i)),
                t0 + Duration::from_millis(i.into()),
            );
            assert!(auth.tracked() <= 100);
        }
        // The most recent clients are the ones remembered.
        let recent = IpAddr::V4(Ipv4Addr::from(9_999u32));
        for k in 1..4 {
            assert!(!auth.record_failure(recent, t0 + Duration::from_secs(10 + k)));
        }
        assert!(auth.record_failure(recent, t0 + Duration::from_secs(20)));
        // Locked entries survive eviction longer than idle ones.
        for i in 20_000..20_200u32 {
            auth.record_failure(IpAddr::V4(Ipv4Addr::from(i)), t0 + Duration::from_secs(21));
        }
        assert!(auth.is_locked(recent, t0 + Duration::from_secs(22)));
    }
}
