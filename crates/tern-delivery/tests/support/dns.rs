//! An in-process authoritative DNS server for tests, on 127.0.0.1 (UDP and TCP on the same
//! port), built on hickory-server's [`Server`] with a small request handler that answers from
//! a table. It never forwards or recurses: names it does not know are NXDOMAIN, so a test can
//! never reach the real DNS.
//!
//! ```ignore
//! let dns = TestDns::builder()
//!     .mx("example.test", 10, "mx1.example.test")
//!     .a("mx1.example.test", "127.0.0.1")
//!     .null_mx("nullmx.test")
//!     .servfail("broken.test")
//!     .start()
//!     .await;
//! let resolver = Resolver::with_nameservers(&[dns.addr]);
//! ```
//!
//! Answers, for a query of type T at name N (case-insensitive, trailing dot optional):
//! - N is marked [`servfail`](TestDnsBuilder::servfail): SERVFAIL.
//! - N has records of type T: NOERROR with them (authoritative).
//! - N has a CNAME (and T is not CNAME): NOERROR with the CNAME only; the resolver follows it.
//! - N has other records, or was marked [`exists`](TestDnsBuilder::exists): NOERROR, no answer
//!   (NODATA).
//! - Otherwise: NXDOMAIN.
//!
//! The server stops when the [`TestDns`] is dropped. Every query is logged ([`TestDns::queries`]).

#![allow(dead_code)] // Each test binary uses a different part of the support code.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hickory_server::Server;
use hickory_server::net::runtime::Time;
use hickory_server::proto::op::{Header, HeaderCounts, Metadata, ResponseCode};
use hickory_server::proto::rr::rdata::{A, AAAA, CNAME, MX, TXT};
use hickory_server::proto::rr::{Name, RData, Record, RecordType};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;
use tokio::net::{TcpListener, UdpSocket};

const TTL: u32 = 60;

/// Builds the zone data of a [`TestDns`].
#[derive(Debug, Default)]
pub struct TestDnsBuilder {
    records: HashMap<String, Vec<Record>>,
    servfail: HashSet<String>,
    exists: HashSet<String>,
}

/// A running test DNS server. Dropping it stops the server.
pub struct TestDns {
    /// The address to give the resolver (UDP and TCP listen on it).
    pub addr: SocketAddr,
    queries: Arc<Mutex<Vec<(String, RecordType)>>>,
    _server: Server<Handler>,
}

impl std::fmt::Debug for TestDns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDns").field("addr", &self.addr).finish()
    }
}

impl TestDns {
    /// An empty zone: every name is NXDOMAIN until records are added.
    pub fn builder() -> TestDnsBuilder {
        TestDnsBuilder::default()
    }

    /// Every query received so far: (name without the trailing dot, lowercase; type).
    pub fn queries(&self) -> Vec<(String, RecordType)> {
        self.queries.lock().unwrap().clone()
    }
}

fn key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn dns_name(name: &str) -> Name {
    let mut n = Name::from_str(name).unwrap_or_else(|e| panic!("bad DNS name {name:?}: {e}"));
    n.set_fqdn(true);
    n
}

impl TestDnsBuilder {
    fn add(mut self, name: &str, data: RData) -> Self {
        let record = Record::from_rdata(dns_name(name), TTL, data);
        self.records.entry(key(name)).or_default().push(record);
        self
    }

    /// An MX record: `domain MX preference exchange`.
    pub fn mx(self, domain: &str, preference: u16, exchange: &str) -> Self {
        self.add(domain, RData::MX(MX::new(preference, dns_name(exchange))))
    }

    /// A null MX (RFC 7505): `domain MX 0 .`.
    pub fn null_mx(self, domain: &str) -> Self {
        self.add(domain, RData::MX(MX::new(0, Name::root())))
    }

    /// An A record (`ip` must be IPv4).
    pub fn a(self, name: &str, ip: &str) -> Self {
        match ip.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => self.add(name, RData::A(A(v4))),
            _ => panic!("not an IPv4 address: {ip}"),
        }
    }

    /// An AAAA record (`ip` must be IPv6).
    pub fn aaaa(self, name: &str, ip: &str) -> Self {
        match ip.parse::<IpAddr>() {
            Ok(IpAddr::V6(v6)) => self.add(name, RData::AAAA(AAAA(v6))),
            _ => panic!("not an IPv6 address: {ip}"),
        }
    }

    /// An A or AAAA record, whichever `ip` is.
    pub fn addr(self, name: &str, ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => self.add(name, RData::A(A(v4))),
            IpAddr::V6(v6) => self.add(name, RData::AAAA(AAAA(v6))),
        }
    }

    /// A CNAME: `name CNAME target`.
    pub fn cname(self, name: &str, target: &str) -> Self {
        self.add(name, RData::CNAME(CNAME(dns_name(target))))
    }

    /// A TXT record (makes the name exist without any address or MX).
    pub fn txt(self, name: &str, text: &str) -> Self {
        self.add(name, RData::TXT(TXT::new(vec![text.to_owned()])))
    }

    /// The name exists but has no records: NODATA for every type.
    pub fn exists(mut self, name: &str) -> Self {
        self.exists.insert(key(name));
        self
    }

    /// Every query for this name gets SERVFAIL.
    pub fn servfail(mut self, name: &str) -> Self {
        self.servfail.insert(key(name));
        self
    }

    /// Binds UDP and TCP on the same free port of 127.0.0.1 and starts answering.
    pub async fn start(self) -> TestDns {
        let (udp, tcp) = bind_pair().await;
        let addr = udp.local_addr().expect("local address");
        let queries = Arc::new(Mutex::new(Vec::new()));
        let handler = Handler {
            records: self.records,
            servfail: self.servfail,
            exists: self.exists,
            queries: queries.clone(),
        };
        let mut server = Server::new(handler);
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(5), 32);
        TestDns {
            addr,
            queries,
            _server: server,
        }
    }
}

/// A UDP socket and a TCP listener on the same port of 127.0.0.1.
async fn bind_pair() -> (UdpSocket, TcpListener) {
    for _ in 0..100 {
        let udp = UdpSocket::bind("127.0.0.1:0").await.expect("bind UDP");
        let addr = udp.local_addr().expect("local address");
        if let Ok(tcp) = TcpListener::bind(addr).await {
            return (udp, tcp);
        }
    }
    panic!("no port free for both UDP and TCP on 127.0.0.1");
}

struct Handler {
    records: HashMap<String, Vec<Record>>,
    servfail: HashSet<String>,
    exists: HashSet<String>,
    queries: Arc<Mutex<Vec<(String, RecordType)>>>,
}

impl Handler {
    /// The response code and the answer records for one question.
    fn answer(&self, name: &str, rtype: RecordType) -> (ResponseCode, Vec<Record>) {
        if self.servfail.contains(name) {
            return (ResponseCode::ServFail, Vec::new());
        }
        let Some(records) = self.records.get(name) else {
            let code = if self.exists.contains(name) {
                ResponseCode::NoError
            } else {
                ResponseCode::NXDomain
            };
            return (code, Vec::new());
        };
        let mut answers: Vec<Record> = records
            .iter()
            .filter(|r| r.record_type() == rtype)
            .cloned()
            .collect();
        if answers.is_empty() && rtype != RecordType::CNAME {
            answers = records
                .iter()
                .filter(|r| r.record_type() == RecordType::CNAME)
                .cloned()
                .collect();
        }
        (ResponseCode::NoError, answers)
    }

    async fn handle<R: ResponseHandler>(&self, request: &Request, mut response: R) -> ResponseInfo {
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.authoritative = true;
        let answers = match request.queries.queries().first() {
            Some(query) => {
                let name = key(&query.name().to_string());
                let rtype = query.query_type();
                self.queries.lock().unwrap().push((name.clone(), rtype));
                let (code, answers) = self.answer(&name, rtype);
                metadata.response_code = code;
                answers
            }
            None => {
                metadata.response_code = ResponseCode::FormErr;
                Vec::new()
            }
        };
        let message = MessageResponseBuilder::from_message_request(request).build(
            metadata,
            answers.iter(),
            [],
            [],
            [],
        );
        match response.send_response(message).await {
            Ok(info) => info,
            Err(_) => ResponseInfo::from(Header {
                metadata,
                counts: HeaderCounts::default(),
            }),
        }
    }
}

// `RequestHandler` is an `async_trait`; this is its expansion, written out so the tests do not
// need the `async-trait` crate.
impl RequestHandler for Handler {
    fn handle_request<'life0, 'life1, 'async_trait, R, T>(
        &'life0 self,
        request: &'life1 Request,
        response_handle: R,
    ) -> Pin<Box<dyn Future<Output = ResponseInfo> + Send + 'async_trait>>
    where
        R: 'async_trait + ResponseHandler,
        T: 'async_trait + Time,
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(self.handle(request, response_handle))
    }
}
