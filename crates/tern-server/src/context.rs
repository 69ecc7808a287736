//! What a connection asks of the rest of the server: policy decisions, logins, and storing
//! messages. Each answer is a catalogue reply.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tern_codes::{Reply, catalogue};
use tern_config::{Config, FaultStage, ListenerKind};
use tern_policy::{Policy, RecipientVerdict, SessionFacts};
use tern_proto::{Envelope as SmtpEnvelope, ForwardPath, QuestionKind, Verdict};
use tern_store::{QueueId, QueueStore, StoreError};
use tokio::sync::Notify;

use crate::limits::AuthLimiter;
use crate::received::{ReceivedFacts, received_header};
use crate::users::UserDb;

/// Shared by every connection of a server.
pub struct ServerContext<S> {
    /// The configuration.
    pub config: Arc<Config>,
    /// Local domains, relaying, ownership.
    pub policy: Policy,
    /// The queue.
    pub store: Arc<S>,
    /// AUTH users.
    pub users: Arc<UserDb>,
    /// AUTH failure lockout.
    pub auth_limiter: AuthLimiter,
    /// Woken whenever a message is queued (delivery listens).
    pub queued: Arc<Notify>,
    /// Octets a local mailbox holds now, for the quota check at RCPT.
    pub mailbox_usage: Option<MailboxUsage>,
}

/// Reports how many octets a local mailbox (`local@domain`) holds.
pub type MailboxUsage = Arc<dyn Fn(&str) -> Option<u64> + Send + Sync>;

impl<S> std::fmt::Debug for ServerContext<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerContext")
            .field("hostname", &self.config.server.hostname)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// The answer to a session's question, or the login that decides it.
#[derive(Debug)]
pub enum Decision {
    /// Decided.
    Now(Verdict),
    /// Check this login with [`ServerContext::login`].
    Login {
        /// The user name given.
        username: String,
        /// The password given.
        password: String,
    },
}

/// What a connection knows about its client.
#[derive(Debug, Clone)]
pub struct ClientFacts {
    /// The client's address.
    pub ip: IpAddr,
    /// The listener the client came in on.
    pub listener: ListenerKind,
    /// The user who logged in, if any.
    pub user: Option<String>,
    /// Whether TLS is active.
    pub tls: bool,
}

impl ClientFacts {
    fn policy_facts(&self) -> SessionFacts {
        SessionFacts {
            client_ip: self.ip,
            listener: self.listener,
            authenticated_user: self.user.clone(),
            tls: self.tls,
        }
    }
}

impl<S: QueueStore + 'static> ServerContext<S> {
    /// The reply a configured `[[fault]]` forces at `stage` for `address`, if any.
    pub fn fault(&self, stage: FaultStage, address: &str, client: &ClientFacts) -> Option<Reply> {
        let fault = self
            .config
            .faults
            .iter()
            .find(|f| f.on == stage && f.matches(address))?;
        let entry = catalogue::by_id(&fault.reply)?;
        let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
        let ip = client.ip.to_string();
        let limit = match stage {
            FaultStage::Rcpt => self.config.limits.max_recipients.to_string(),
            _ => self.config.limits.max_message_size.0.to_string(),
        };
        let days = (self.config.delivery.max_queue_time.0.as_secs() / 86_400).to_string();
        let rate = self.config.limits.min_data_rate.to_string();
        Some(entry.reply_with(&[
            ("hostname", &self.config.server.hostname),
            ("address", address),
            ("forward_path", address),
            ("domain", domain),
            ("ip", &ip),
            ("client", &ip),
            ("seconds", "300"),
            ("limit", &limit),
            ("size", &limit),
            ("rate", &rate),
            ("days", &days),
            ("detail", "forced by a [[fault]] in the configuration"),
            ("user", client.user.as_deref().unwrap_or("")),
            ("command", "RCPT"),
            ("parameter", "X-FAULT"),
            ("value", "X-FAULT"),
            ("mechanism", "X-FAULT"),
            ("host", &self.config.server.hostname),
        ]))
    }

    /// Answers a question of the session: at once for a sender or a recipient (policy is
    /// synchronous), or says which login to check (argon2 runs off the async threads; see
    /// [`ServerContext::login`]).
    pub fn decide(&self, kind: QuestionKind, client: &mut ClientFacts) -> Decision {
        Decision::Now(match kind {
            QuestionKind::Sender { from, params } => {
                let address = from.mailbox().map(|m| m.to_string()).unwrap_or_default();
                if let Some(reply) = self.fault(FaultStage::Mail, &address, client) {
                    return Decision::Now(Verdict::Reject(reply));
                }
                match self
                    .policy
                    .check_sender(&client.policy_facts(), &from, &params)
                {
                    Ok(()) => Verdict::accept(),
                    Err(reply) => Verdict::Reject(reply),
                }
            }
            QuestionKind::Recipient { to, smtputf8, .. } => {
                let address = self.recipient_address(&to);
                if let Some(reply) = self.fault(FaultStage::Rcpt, &address, client) {
                    return Decision::Now(Verdict::Reject(reply));
                }
                match self
                    .policy
                    .check_recipient(&client.policy_facts(), &to, smtputf8)
                {
                    RecipientVerdict::Local { mailbox, reply } => {
                        if self.over_quota(&mailbox) {
                            return Decision::Now(Verdict::Reject(
                                catalogue::RCPT_OVER_QUOTA.reply_with(&[("address", &address)]),
                            ));
                        }
                        Verdict::Accept {
                            reply: Some(reply),
                            tag: Some(mailbox),
                        }
                    }
                    RecipientVerdict::Forward { reply, .. } | RecipientVerdict::Relay { reply } => {
                        Verdict::Accept {
                            reply: Some(reply),
                            tag: None,
                        }
                    }
                    RecipientVerdict::Reject(reply) => Verdict::Reject(reply),
                }
            }
            QuestionKind::Auth {
                username, password, ..
            } => return Decision::Login { username, password },
        })
    }

    /// Whether a local mailbox is at or over its quota already.
    fn over_quota(&self, mailbox: &str) -> bool {
        match (self.policy.mailbox_quota(), &self.mailbox_usage) {
            (Some(quota), Some(usage)) => usage(mailbox).is_some_and(|used| used >= quota),
            _ => false,
        }
    }

    /// Checks a login (AUTH PLAIN or LOGIN), with the per-IP lockout and the delay after a
    /// failure.
    pub async fn login(
        &self,
        username: String,
        password: String,
        client: &mut ClientFacts,
    ) -> Verdict {
        let ip_text = client.ip.to_string();
        if self.auth_limiter.is_locked(client.ip, Instant::now()) {
            return Verdict::Reject(catalogue::AUTH_RATE_LIMITED.reply_with(&[("ip", &ip_text)]));
        }
        let users = Arc::clone(&self.users);
        let name = username.clone();
        // argon2 is deliberately slow: keep it off the async threads.
        let ok = tokio::task::spawn_blocking(move || users.verify(&name, &password))
            .await
            .unwrap_or(false);
        if ok {
            self.auth_limiter.record_success(client.ip);
            tracing::info!(client = %client.ip, user = %username, "authenticated");
            client.user = Some(username);
            Verdict::accept()
        } else {
            self.auth_limiter.record_failure(client.ip, Instant::now());
            tracing::warn!(client = %client.ip, user = %username, "authentication failed");
            tokio::time::sleep(self.config.auth.failure_delay.0).await;
            Verdict::Reject(catalogue::AUTH_INVALID.reply())
        }
    }

    /// Stores a received message; `Ok(queue id)` only once it is durable.
    pub async fn store(
        &self,
        envelope: SmtpEnvelope,
        body: Vec<u8>,
        client: &ClientFacts,
    ) -> Result<QueueId, Reply> {
        for r in &envelope.recipients {
            if let Some(reply) =
                self.fault(FaultStage::Data, &self.recipient_address(&r.to), client)
            {
                return Err(reply);
            }
        }
        let now = SystemTime::now();
        let received_at_ms = now
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        let recipients: Vec<String> = envelope
            .recipients
            .iter()
            .map(|r| self.recipient_address(&r.to))
            .collect();
        let recipient_refs: Vec<&str> = recipients.iter().map(String::as_str).collect();
        let tls = envelope
            .tls
            .as_ref()
            .map(|t| (t.version.as_str(), t.cipher.as_str()));
        let header = received_header(
            &ReceivedFacts {
                helo: Some(envelope.helo.as_str()).filter(|h| !h.is_empty()),
                esmtp: envelope.esmtp,
                client_ip: client.ip,
                client_host: None,
                hostname: &self.config.server.hostname,
                tls,
                auth_user: envelope.auth.as_deref(),
                authenticated: envelope.auth.is_some(),
                smtputf8: envelope.params.smtputf8,
                queue_id: None,
                recipients: &recipient_refs,
            },
            now,
        );
        let mut full = Vec::with_capacity(header.len() + body.len());
        full.extend_from_slice(header.as_bytes());
        full.extend_from_slice(&body);
        drop(body);
        let stored = crate::envelope::to_store(&envelope, recipients, &client.ip, received_at_ms);
        match self.store.enqueue(stored, full).await {
            Ok(id) => {
                self.queued.notify_one();
                Ok(id)
            }
            Err(StoreError::DiskFull(cause)) => {
                tracing::error!(?cause, "refusing a message: disk space below the reserve");
                Err(catalogue::STORAGE_LOW.reply())
            }
            Err(StoreError::TooLarge { limit, .. }) => {
                Err(catalogue::SIZE_TOO_BIG.reply_with(&[("limit", &limit.to_string())]))
            }
            Err(e) => {
                tracing::error!(error = %e, "could not store a message");
                Err(catalogue::STORAGE_COMMIT_FAILED.reply())
            }
        }
    }

    /// The address a recipient is stored under: `<postmaster>` becomes the postmaster mailbox.
    fn recipient_address(&self, to: &ForwardPath) -> String {
        match to {
            ForwardPath::Postmaster => self.policy.postmaster_mailbox().to_owned(),
            ForwardPath::Path(path) => path.mailbox().to_string(),
        }
    }
}
