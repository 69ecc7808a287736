//! What a connection asks of the rest of the server: policy decisions, logins, and storing
//! messages. Each answer is a catalogue reply.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tern_codes::{Reply, catalogue};
use tern_config::{Config, ListenerKind};
use tern_policy::{Policy, RecipientVerdict, SessionFacts};
use tern_proto::{Envelope as SmtpEnvelope, ForwardPath, QuestionKind, Verdict};
use tern_store::{QueueId, QueueStore, StoreError};
use tokio::sync::Notify;

use crate::limits::AuthLimiter;
use crate::received::{ReceivedFacts, received_header};
use crate::users::UserDb;

/// Shared by every connection of a server.
#[derive(Debug)]
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
    /// Answers a question of the session.
    pub async fn decide(&self, kind: QuestionKind, client: &mut ClientFacts) -> Verdict {
        match kind {
            QuestionKind::Sender { from, params } => {
                match self
                    .policy
                    .check_sender(&client.policy_facts(), &from, &params)
                {
                    Ok(()) => Verdict::accept(),
                    Err(reply) => Verdict::Reject(reply),
                }
            }
            QuestionKind::Recipient { to, smtputf8, .. } => {
                match self
                    .policy
                    .check_recipient(&client.policy_facts(), &to, smtputf8)
                {
                    RecipientVerdict::Local { mailbox, reply } => Verdict::Accept {
                        reply: Some(reply),
                        tag: Some(mailbox),
                    },
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
            } => self.login(username, password, client).await,
        }
    }

    async fn login(&self, username: String, password: String, client: &mut ClientFacts) -> Verdict {
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
