//! Delivery to other servers: routes and MX hosts, one SMTP connection at a time, each reply
//! acted on by its first digit.

mod connection;
mod pool;
pub mod tls;

use std::mem;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use tern_codes::{Reply, catalogue};
use tern_config::{Config, Route, RouteTls};
use tern_proto::FailureReason;
use tern_proto::client::ReplySource;
use tern_proto::{
    ClientConfig, Credentials, Disposition, ForwardPath, LocalReason, Mailbox, OutgoingEnvelope,
    OutgoingRecipient, Path, RcptParams, ReversePath, TlsPolicy,
};
use tern_store::{Envelope, TlsOutcome};

use crate::dns::Resolver;
pub use connection::{Job, Target, TlsVerify};
pub use pool::Pool;

/// One recipient to deliver remotely.
#[derive(Debug, Clone)]
pub struct Item {
    /// Index of the message in the batch's `messages`.
    pub message: usize,
    /// The recipient's index in the stored envelope.
    pub index: u32,
    /// The address to send to (after forwarding).
    pub address: String,
}

/// A message of a batch.
#[derive(Debug, Clone)]
pub struct BatchMessage {
    /// Its stored envelope.
    pub envelope: Arc<Envelope>,
    /// Its body.
    pub body: Arc<Vec<u8>>,
}

/// The result for one recipient.
#[derive(Debug, Clone)]
pub struct ItemResult {
    /// Which item.
    pub item: Item,
    /// Accepted, deferred or failed.
    pub disposition: Disposition,
    /// The reply that decided it (the remote server's, verbatim, or Tern's).
    pub reply: Reply,
    /// The host that gave the reply.
    pub host: Option<String>,
    /// For an accepted recipient: whether the server takes over delivery status reporting
    /// (it offered DSN, so NOTIFY went along); when false a success report says `relayed`.
    pub reports_onward: bool,
}

/// One connection tried, for the timeline.
#[derive(Debug, Clone)]
pub struct Tried {
    /// The host name.
    pub host: String,
    /// Its address.
    pub ip: Option<IpAddr>,
    /// TLS as negotiated.
    pub tls: TlsOutcome,
    /// Which messages of the batch it carried (indices).
    pub messages: Vec<usize>,
    /// For each of `messages`, the commands and replies it saw: the connection's own
    /// (greeting, EHLO, TLS, AUTH, QUIT) and its transaction's, not the other messages'.
    pub transcripts: Vec<String>,
}

/// What a batch to one destination came to.
#[derive(Debug, Default)]
pub struct BatchResult {
    /// Per recipient.
    pub results: Vec<ItemResult>,
    /// Every connection tried, in order.
    pub tried: Vec<Tried>,
}

/// Delivers to other servers.
#[derive(Debug)]
pub struct Remote {
    config: Arc<Config>,
    resolver: Resolver,
    helo: String,
    /// Connections kept for the next batch (`[delivery] connection_idle`).
    pool: Pool,
}

impl Remote {
    /// Delivery with this resolver; EHLO names `[delivery] helo_name` or `[server] hostname`.
    pub fn new(config: Arc<Config>, resolver: Resolver) -> Remote {
        let helo = config
            .delivery
            .helo_name
            .clone()
            .unwrap_or_else(|| config.server.hostname.clone());
        let pool = Pool::new(
            config.delivery.connection_idle.0,
            config.delivery.per_destination.max(1),
        );
        Remote {
            config,
            resolver,
            helo,
            pool,
        }
    }

    /// Closes the kept connections that have been idle too long.
    pub fn close_idle(&self) {
        self.pool.sweep();
    }

    /// Closes every kept connection with QUIT, waiting at most `grace`.
    pub async fn close_all(&self, grace: std::time::Duration) {
        self.pool.close_all(grace).await;
    }

    /// How many connections are kept open for reuse now.
    pub fn idle_connections(&self) -> usize {
        self.pool.len()
    }

    /// The configured route for a domain, if any (first match wins).
    pub fn route_for(&self, domain: &str) -> Option<&Route> {
        self.config
            .delivery
            .routes
            .iter()
            .find(|r| r.matches(domain))
    }

    /// Delivers every item (all for `domain`) and says what became of each.
    pub async fn deliver(
        &self,
        domain: &str,
        messages: &[BatchMessage],
        items: Vec<Item>,
    ) -> BatchResult {
        let mut batch = BatchResult::default();
        let route = self.route_for(domain).cloned();
        let targets = match self.targets(domain, route.as_ref()).await {
            Ok(t) => t,
            Err((reply, permanent)) => {
                let disposition = if permanent {
                    Disposition::Failed
                } else {
                    Disposition::Deferred
                };
                batch.results = items
                    .into_iter()
                    .map(|item| ItemResult {
                        item,
                        disposition,
                        reply: reply.clone(),
                        host: None,
                        reports_onward: false,
                    })
                    .collect();
                return batch;
            }
        };
        let verify = match &route {
            Some(r) if r.tls() == RouteTls::Required => {
                let extra = r
                    .ca_file
                    .as_ref()
                    .and_then(|p| std::fs::read(p).ok())
                    .map(Arc::new);
                TlsVerify::Required(extra)
            }
            _ => TlsVerify::Opportunistic,
        };
        let mut pending = items;
        let mut last_failure: Option<(Reply, Option<String>)> = None;
        for target in &targets {
            if pending.is_empty() {
                break;
            }
            let (jobs, job_items) = self.jobs(messages, &pending);
            let Some(client_config) = self.client_config(&target.host, route.as_ref()) else {
                break;
            };
            let result =
                connection::deliver(target, client_config, &verify, &jobs, &self.pool).await;
            let mut transcripts = format_transcripts(&result, target, job_items.len());
            let (messages, transcripts) = job_items
                .iter()
                .zip(transcripts.iter_mut())
                .filter_map(|(items, t)| items.first().map(|i| (i.message, mem::take(t))))
                .unzip();
            batch.tried.push(Tried {
                host: target.host.clone(),
                ip: Some(target.addr.ip()),
                tls: result.tls.clone().unwrap_or(TlsOutcome::NotAttempted),
                messages,
                transcripts,
            });
            let mut carried = Vec::new();
            let mut reported = vec![false; jobs.len()];
            // A smarthost refusing our login is a configuration problem on our side: keep
            // the mail and retry (the administrator fixes the route), never bounce it.
            let login_refused = result.failure.as_ref().and_then(|f| {
                (f.reason == FailureReason::AuthRefused).then(|| {
                    catalogue::DELIVERY_AUTH_REFUSED.reply_with(&[
                        ("host", target.host.as_str()),
                        ("detail", f.reply.to_string().as_str()),
                    ])
                })
            });
            for (job, outcome) in &result.outcomes {
                reported[*job] = true;
                for r in &outcome.recipients {
                    let Some(item) = job_items[*job].get(r.index).cloned() else {
                        continue;
                    };
                    if let Some(reply) = &login_refused
                        && r.disposition != Disposition::Accepted
                    {
                        batch.results.push(ItemResult {
                            item,
                            disposition: Disposition::Deferred,
                            reply: reply.clone(),
                            host: Some(target.host.clone()),
                            reports_onward: false,
                        });
                        continue;
                    }
                    let connection_level =
                        matches!(r.source, ReplySource::Local(LocalReason::Connection(_)))
                            || (r.disposition == Disposition::Deferred
                                && r.reply.code().value() == 421);
                    if r.disposition == Disposition::Deferred && connection_level {
                        last_failure = Some((r.reply.clone(), Some(target.host.clone())));
                        carried.push(item);
                    } else {
                        batch.results.push(ItemResult {
                            item,
                            disposition: r.disposition,
                            reply: r.reply.clone(),
                            host: Some(target.host.clone()),
                            reports_onward: result.dsn_offered,
                        });
                    }
                }
            }
            if let Some(error) = &result.connect_error {
                let reply = catalogue::DELIVERY_CONNECT_FAILED.reply_with(&[
                    ("host", &format!("{} ({})", target.host, target.addr)),
                    ("detail", error),
                ]);
                last_failure = Some((reply, None));
            } else if let Some(failure) = &result.failure {
                let reply = login_refused
                    .clone()
                    .unwrap_or_else(|| failure.reply.clone());
                last_failure = Some((reply, Some(target.host.clone())));
            }
            for (job, items) in job_items.into_iter().enumerate() {
                if !reported[job] {
                    carried.extend(items);
                }
            }
            pending = carried;
        }
        if !pending.is_empty() {
            let (reply, host) = last_failure.unwrap_or_else(|| {
                (
                    catalogue::DELIVERY_NO_ROUTE.reply_with(&[("domain", domain)]),
                    None,
                )
            });
            batch
                .results
                .extend(pending.into_iter().map(|item| ItemResult {
                    item,
                    disposition: if reply.code().is_permanent() {
                        Disposition::Failed
                    } else {
                        Disposition::Deferred
                    },
                    reply: reply.clone(),
                    host: host.clone(),
                    reports_onward: false,
                }));
        }
        batch
    }

    /// Where to connect: the route's host, or the MX hosts in order. `Err((reply, permanent))`
    /// when there is nowhere to go.
    async fn targets(
        &self,
        domain: &str,
        route: Option<&Route>,
    ) -> Result<Vec<Target>, (Reply, bool)> {
        if let Some(route) = route {
            // Validated at load: a route that delivers has a host.
            let host_port = route.host.as_deref().unwrap_or_default();
            let addrs: Vec<SocketAddr> = match tokio::net::lookup_host(host_port).await {
                Ok(a) => a.collect(),
                Err(e) => {
                    let reply = catalogue::DELIVERY_DNS_FAILED
                        .reply_with(&[("domain", host_port), ("detail", &e.to_string())]);
                    return Err((reply, false));
                }
            };
            let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
            let host = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
            return Ok(addrs
                .into_iter()
                .map(|addr| Target {
                    host: host.clone(),
                    addr,
                })
                .collect());
        }
        let port = self.config.delivery.smtp_port;
        if let Some(literal) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
            let ip = literal.strip_prefix("IPv6:").unwrap_or(literal);
            return match ip.parse::<IpAddr>() {
                Ok(ip) => Ok(vec![Target {
                    host: ip.to_string(),
                    addr: SocketAddr::new(ip, port),
                }]),
                Err(_) => Err((
                    catalogue::DELIVERY_NO_SUCH_DOMAIN.reply_with(&[("domain", domain)]),
                    true,
                )),
            };
        }
        match self.resolver.resolve_mx(domain).await {
            Ok(hosts) => Ok(hosts
                .into_iter()
                .flat_map(|mx| {
                    let name = mx.name.trim_end_matches('.').to_owned();
                    mx.addrs.into_iter().map(move |ip| Target {
                        host: name.clone(),
                        addr: SocketAddr::new(ip, port),
                    })
                })
                .collect()),
            Err(e) => Err((e.reply(domain), e.is_permanent())),
        }
    }

    fn client_config(&self, host: &str, route: Option<&Route>) -> Option<ClientConfig> {
        let mut config =
            ClientConfig::new(&self.helo, host).or_else(|| ClientConfig::new("localhost", host))?;
        config.tls = match route.map(Route::tls) {
            Some(RouteTls::Required) => TlsPolicy::Required,
            Some(RouteTls::None) => TlsPolicy::Never,
            _ => TlsPolicy::Opportunistic,
        };
        if let Some(r) = route
            && let (Some(username), Some(password)) = (&r.username, &r.password)
        {
            config.credentials = Some(Credentials {
                username: username.clone(),
                password: password.clone(),
            });
        }
        Some(config)
    }

    /// One job per message, with the items of that message in recipient order.
    fn jobs(&self, messages: &[BatchMessage], items: &[Item]) -> (Vec<Job>, Vec<Vec<Item>>) {
        let mut order: Vec<usize> = Vec::new();
        let mut grouped: Vec<Vec<Item>> = Vec::new();
        for item in items {
            match order.iter().position(|&m| m == item.message) {
                Some(i) => grouped[i].push(item.clone()),
                None => {
                    order.push(item.message);
                    grouped.push(vec![item.clone()]);
                }
            }
        }
        let jobs = order
            .iter()
            .zip(&grouped)
            .map(|(&m, items)| {
                let message = &messages[m];
                Job {
                    envelope: outgoing(&message.envelope, items),
                    body: Arc::clone(&message.body),
                }
            })
            .collect();
        (jobs, grouped)
    }
}

/// The SMTP envelope for some recipients of a stored message.
fn outgoing(envelope: &Envelope, items: &[Item]) -> OutgoingEnvelope {
    let from = envelope
        .sender
        .as_deref()
        .and_then(|s| Mailbox::parse(s).ok())
        .map_or(ReversePath::Null, |m| ReversePath::Path(Path::new(m)));
    let recipients = items
        .iter()
        .map(|item| {
            let stored = envelope.recipients.get(item.index as usize);
            let to = Mailbox::parse(&item.address)
                .map(|m| ForwardPath::Path(Path::new(m)))
                .unwrap_or(ForwardPath::Postmaster);
            let params = RcptParams {
                notify: stored.and_then(|r| r.notify),
                orcpt: stored.and_then(|r| r.orcpt.clone()),
            };
            OutgoingRecipient { to, params }
        })
        .collect();
    OutgoingEnvelope {
        from,
        recipients,
        ret: envelope.params.ret,
        envid: envelope.params.envid.clone(),
        smtputf8: envelope.params.smtputf8,
        binary_mime: envelope.params.body == tern_store::BodyType::BinaryMime,
    }
}

/// Each job's transcript as the timeline shows it (`C:` commands and `S:` replies): the
/// connection's own exchanges (greeting, EHLO, TLS, AUTH, QUIT) and that job's transaction,
/// in order. One pass over the connection's exchanges, each formatted once.
fn format_transcripts(
    result: &connection::ConnectionResult,
    target: &Target,
    jobs: usize,
) -> Vec<String> {
    let opening = if result.reused {
        format!(
            "connection to {} ({}) kept open from an earlier batch\n",
            target.host, target.addr
        )
    } else {
        format!("connect {} ({})\n", target.host, target.addr)
    };
    let mut out = vec![opening; jobs];
    if let Some(e) = &result.connect_error {
        for t in &mut out {
            t.push_str(&format!("connection failed: {e}\n"));
        }
        return out;
    }
    let owners = result.job_of.iter().chain(std::iter::repeat(&None));
    for (x, owner) in result.transcript.iter().zip(owners) {
        let mut lines = String::new();
        if let Some(c) = &x.command {
            lines.push_str(&format!("C: {c}\n"));
        }
        lines.push_str(&format!("S: {}\n", x.reply));
        match owner {
            Some(job) => {
                if let Some(t) = out.get_mut(*job) {
                    t.push_str(&lines);
                }
            }
            None => out.iter_mut().for_each(|t| t.push_str(&lines)),
        }
    }
    out
}
