//! The sending side: a queue, a delivery engine with a controllable clock, and helpers to
//! look at outcomes, timelines and bounces.

use std::sync::Arc;

use tern_config::Config;
use tern_delivery::Delivery;
use tern_delivery::dns::Resolver;
use tern_store::{
    Envelope, ListFilter, MessageInfo, QueueId, QueueStore, Recipient, RecipientState,
    SqliteConfig, SqliteStore,
};
use tokio::sync::Notify;

pub struct Sender {
    pub dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    pub delivery: Delivery<SqliteStore>,
    #[allow(dead_code)]
    pub config: Arc<Config>,
}

/// A sender whose domain is `a.test` (mailbox `alice`), with extra config sections.
pub async fn sender(sections: &str) -> Sender {
    sender_with_dns(sections, &[]).await
}

/// The same, resolving MX records with the given (test) nameservers.
pub async fn sender_with_dns(sections: &str, nameservers: &[std::net::SocketAddr]) -> Sender {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "[server]\nhostname = \"a.test\"\ndata_dir = \"{}\"\n\
         [local]\ndomains = [\"a.test\"]\nmailboxes = [\"alice\", \"postmaster\"]\n{sections}",
        dir.path().display()
    );
    let config = Arc::new(Config::parse(&toml).unwrap_or_else(|e| panic!("{e}\n{toml}")));
    let store = Arc::new(SqliteStore::open(SqliteConfig::new(dir.path().join("queue"))).unwrap());
    // No test reaches the system resolver: nameservers are the test's own (or none at all).
    let resolver = Resolver::with_nameservers(nameservers);
    let delivery = Delivery::new(
        Arc::clone(&config),
        Arc::clone(&store),
        resolver,
        Arc::new(Notify::new()),
    );
    Sender {
        dir,
        store,
        delivery,
        config,
    }
}

impl Sender {
    /// Queues a message from `from` (None: a bounce) to `to`.
    pub async fn queue(&self, from: Option<&str>, to: &[&str], body: &str, now_ms: i64) -> QueueId {
        let envelope = Envelope::new(
            from.map(str::to_owned),
            to.iter().map(|a| Recipient::new(*a)).collect(),
            now_ms,
        );
        self.store
            .enqueue(envelope, body.as_bytes().to_vec())
            .await
            .unwrap()
    }

    /// Runs delivery passes at `now_ms` until nothing is due and every connection is done.
    pub async fn deliver_at(&self, now_ms: i64) {
        for _ in 0..20 {
            let taken = self.delivery.run_once(now_ms).await.unwrap();
            self.delivery.idle().await;
            if taken == 0 {
                return;
            }
        }
    }

    pub async fn info(&self, id: QueueId) -> MessageInfo {
        self.store.message(id).await.unwrap()
    }

    pub async fn states(&self, id: QueueId) -> Vec<RecipientState> {
        self.info(id)
            .await
            .recipients
            .iter()
            .map(|r| r.state)
            .collect()
    }

    /// Every message in the queue that was sent with the null sender (the bounces).
    pub async fn bounces(&self) -> Vec<MessageInfo> {
        self.store
            .list(ListFilter::default())
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.envelope.sender.is_none())
            .collect()
    }

    /// The text of alice's mailbox (bounces are delivered locally to her).
    pub fn alice_mail(&self) -> Vec<String> {
        maildir_messages(&self.dir.path().join("mail/a.test/alice"))
    }
}

/// The text of every message in a Maildir's `new/` (none when it does not exist yet).
pub fn maildir_messages(maildir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return Vec::new();
    };
    entries
        .map(|e| String::from_utf8_lossy(&std::fs::read(e.unwrap().path()).unwrap()).into_owned())
        .collect()
}

/// A fixed "now" for tests (ms since the epoch), far from any real clock edge.
pub const T0: i64 = 1_800_000_000_000;

/// A receiving Tern for domain `b.test` on 127.0.0.1 (port 25's role on an ephemeral port),
/// with extra config sections.
pub struct Receiver {
    _dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    pub port: u16,
    _handle: tern_server::ServerHandle,
}

pub async fn receiver(sections: &str) -> Receiver {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "[server]\nhostname = \"mx.b.test\"\ndata_dir = \"{}\"\n\
         [[listener]]\nkind = \"smtp\"\naddress = \"127.0.0.1:0\"\n\
         [local]\ndomains = [\"b.test\"]\nmailboxes = [\"bob\", \"carol\", \"dave\"]\n{sections}",
        dir.path().display()
    );
    let config = Arc::new(Config::parse(&toml).unwrap());
    let store = Arc::new(SqliteStore::open(SqliteConfig::new(dir.path().join("queue"))).unwrap());
    let handle = tern_server::start(
        Arc::clone(&config),
        Arc::clone(&store),
        tern_server::Hooks::default(),
    )
    .await
    .unwrap();
    let port = handle
        .address(tern_config::ListenerKind::Smtp)
        .unwrap()
        .port();
    Receiver {
        _dir: dir,
        store,
        port,
        _handle: handle,
    }
}
