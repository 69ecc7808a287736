//! The plan of a pass, without I/O: what to do with each due recipient (fail it as expired,
//! refuse it, write it into a Maildir, discard it, hold it back from a throttled destination,
//! or send it to a remote destination), and the remote work grouped by destination domain.
//!
//! Routing decisions come through [`Routes`], so the plan is a pure function of the due
//! recipients, their messages, the routes and the clock.

use std::collections::BTreeMap;

use tern_codes::Reply;
use tern_config::Delivery as DeliveryConfig;
use tern_policy::Route;
use tern_store::{DueRecipient, MessageInfo, QueueId};

use crate::schedule;
use crate::throttle::Slowdown;

/// Where recipients go, as the plan needs to know it.
pub(crate) trait Routes {
    /// Where mail for `address` goes now (`Policy::route`).
    fn route(&self, address: &str) -> Route;
    /// The pattern of a `[[delivery.route]]` that discards mail for `domain`, if one does.
    fn discarding_route(&self, domain: &str) -> Option<String>;
    /// The slowdown of a destination that is rate-limiting this server, if its pause has
    /// not passed at `now_ms`.
    fn paused(&self, domain: &str, now_ms: i64) -> Option<Slowdown>;
}

/// What to do with one due recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Work {
    /// Queued longer than `[delivery] max_queue_time`: fail it.
    Expire,
    /// The policy no longer delivers it: fail it with this reply.
    Refuse(Reply),
    /// Write it into this local mailbox.
    Local(String),
    /// A route discards mail for its domain.
    Discard {
        /// The recipient's domain.
        domain: String,
        /// The route's domain pattern.
        pattern: String,
    },
    /// Its destination is rate-limiting this server: defer it without connecting.
    HoldBack {
        /// The destination domain.
        domain: String,
        /// The pause in force.
        slowdown: Slowdown,
    },
    /// Send it over SMTP.
    Remote {
        /// The destination domain (lower case).
        domain: String,
        /// The address to send to (after forwarding).
        address: String,
    },
}

/// One due recipient and what to do with it.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    /// The recipient.
    pub recipient: DueRecipient,
    /// How many attempts it had before.
    pub attempts: u32,
    /// What to do.
    pub work: Work,
}

/// The due recipients of one message and their work.
#[derive(Debug, Clone)]
pub(crate) struct MessagePlan {
    /// The message.
    pub info: MessageInfo,
    /// Its due recipients.
    pub planned: Vec<Planned>,
}

impl MessagePlan {
    /// Whether the work needs the message's body (a Maildir copy or an SMTP transaction).
    pub fn needs_body(&self) -> bool {
        self.planned
            .iter()
            .any(|p| matches!(p.work, Work::Local(_) | Work::Remote { .. }))
    }
}

/// One recipient of remote work: its message (index into the plans) and address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteItem {
    /// Index of the message in the plan.
    pub message: usize,
    /// The recipient's index in the envelope.
    pub index: u32,
    /// The address to send to.
    pub address: String,
}

/// Plans the work of `due`, each message with its due recipients, at `now_ms`.
pub(crate) fn plan(
    due: Vec<(MessageInfo, Vec<DueRecipient>)>,
    routes: &impl Routes,
    config: &DeliveryConfig,
    now_ms: i64,
) -> Vec<MessagePlan> {
    due.into_iter()
        .map(|(info, recipients)| {
            let expired = schedule::expired(config, info.envelope.received_at_ms, now_ms);
            let planned = recipients
                .into_iter()
                .map(|recipient| {
                    let attempts = attempts_of(&info, recipient.index);
                    let work = if expired {
                        Work::Expire
                    } else {
                        work_for(&recipient.address, routes, now_ms)
                    };
                    Planned {
                        recipient,
                        attempts,
                        work,
                    }
                })
                .collect();
            MessagePlan { info, planned }
        })
        .collect()
}

fn work_for(address: &str, routes: &impl Routes, now_ms: i64) -> Work {
    match routes.route(address) {
        Route::Local(mailbox) => Work::Local(mailbox),
        Route::Refused(reply) => Work::Refuse(reply),
        Route::Remote(address) => {
            let domain = address
                .rsplit_once('@')
                .map_or("", |(_, d)| d)
                .to_ascii_lowercase();
            if let Some(pattern) = routes.discarding_route(&domain) {
                Work::Discard { domain, pattern }
            } else if let Some(slowdown) = routes.paused(&domain, now_ms) {
                Work::HoldBack { domain, slowdown }
            } else {
                Work::Remote { domain, address }
            }
        }
    }
}

/// The remote work of `plans`, by destination domain, in the plans' order.
pub(crate) fn by_destination(plans: &[MessagePlan]) -> BTreeMap<String, Vec<RemoteItem>> {
    let mut out: BTreeMap<String, Vec<RemoteItem>> = BTreeMap::new();
    for (message, plan) in plans.iter().enumerate() {
        for p in &plan.planned {
            if let Work::Remote { domain, address } = &p.work {
                out.entry(domain.clone()).or_default().push(RemoteItem {
                    message,
                    index: p.recipient.index,
                    address: address.clone(),
                });
            }
        }
    }
    out
}

/// The attempts recipient `index` of a message had so far.
pub(crate) fn attempts_of(info: &MessageInfo, index: u32) -> u32 {
    info.recipients
        .iter()
        .find(|s| s.index == index)
        .map_or(0, |s| s.attempts)
}

/// The ids of the messages of `plans`, in order.
pub(crate) fn ids(plans: &[MessagePlan]) -> Vec<QueueId> {
    plans.iter().map(|p| p.info.id).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tern_codes::catalogue;
    use tern_store::{Envelope, IdGenerator, Recipient, RecipientState, RecipientStatus};

    use super::*;

    /// Routes as a table: local mailboxes, refused addresses, discarding and paused domains.
    #[derive(Default)]
    struct Table {
        local: HashMap<&'static str, &'static str>,
        refused: Vec<&'static str>,
        forwards: HashMap<&'static str, &'static str>,
        discard: Vec<&'static str>,
        paused: Vec<&'static str>,
    }

    impl Routes for Table {
        fn route(&self, address: &str) -> Route {
            if let Some(m) = self.local.get(address) {
                Route::Local((*m).to_owned())
            } else if self.refused.contains(&address) {
                Route::Refused(catalogue::DELIVERY_EXPIRED.reply_with(&[("days", "0")]))
            } else if let Some(to) = self.forwards.get(address) {
                Route::Remote((*to).to_owned())
            } else {
                Route::Remote(address.to_owned())
            }
        }
        fn discarding_route(&self, domain: &str) -> Option<String> {
            self.discard
                .contains(&domain)
                .then(|| format!("*.{domain}"))
        }
        fn paused(&self, domain: &str, now_ms: i64) -> Option<Slowdown> {
            self.paused.contains(&domain).then_some(Slowdown {
                level: 1,
                until_ms: now_ms + 1000,
                connections: 1,
            })
        }
    }

    fn message(ids: &IdGenerator, received_ms: i64, to: &[&str], attempts: u32) -> MessageInfo {
        let envelope = Envelope::new(
            Some("a@here.test".into()),
            to.iter().map(|a| Recipient::new(*a)).collect(),
            received_ms,
        );
        MessageInfo {
            id: ids.next(u64::try_from(received_ms).unwrap()),
            recipients: to
                .iter()
                .zip(0..)
                .map(|(a, index)| RecipientStatus {
                    index,
                    address: (*a).to_owned(),
                    notify: None,
                    orcpt: None,
                    state: RecipientState::Scheduled,
                    last_reply: None,
                    remote_host: None,
                    updated_at_ms: received_ms,
                    next_attempt_ms: Some(received_ms),
                    attempts,
                })
                .collect(),
            envelope,
            held: false,
            body_len: 1,
        }
    }

    fn due(info: &MessageInfo) -> Vec<DueRecipient> {
        info.recipients
            .iter()
            .map(|r| DueRecipient {
                id: info.id,
                index: r.index,
                address: r.address.clone(),
                domain: r.address.rsplit_once('@').map_or("", |(_, d)| d).to_owned(),
                state: r.state,
                due_at_ms: info.envelope.received_at_ms,
            })
            .collect()
    }

    #[test]
    fn each_recipient_gets_its_work() {
        let ids = IdGenerator::new();
        let info = message(
            &ids,
            1_000,
            &[
                "bob@here.test",
                "gone@here.test",
                "fwd@here.test",
                "x@Drop.Test",
                "y@slow.test",
                "z@far.test",
            ],
            2,
        );
        let table = Table {
            local: HashMap::from([("bob@here.test", "bob@here.test")]),
            refused: vec!["gone@here.test"],
            forwards: HashMap::from([("fwd@here.test", "w@far.test")]),
            discard: vec!["drop.test"],
            paused: vec!["slow.test"],
        };
        let plans = plan(
            vec![(info.clone(), due(&info))],
            &table,
            &DeliveryConfig::default(),
            5_000,
        );
        let works: Vec<&Work> = plans[0].planned.iter().map(|p| &p.work).collect();
        assert_eq!(works[0], &Work::Local("bob@here.test".into()));
        assert!(matches!(works[1], Work::Refuse(_)));
        assert_eq!(
            works[2],
            &Work::Remote {
                domain: "far.test".into(),
                address: "w@far.test".into()
            }
        );
        assert_eq!(
            works[3],
            &Work::Discard {
                domain: "drop.test".into(),
                pattern: "*.drop.test".into()
            }
        );
        assert!(
            matches!(works[4], Work::HoldBack { domain, slowdown } if domain == "slow.test" && slowdown.until_ms == 6_000)
        );
        assert!(plans[0].planned.iter().all(|p| p.attempts == 2));
        assert!(plans[0].needs_body());
        let remote = by_destination(&plans);
        assert_eq!(remote.keys().collect::<Vec<_>>(), vec!["far.test"]);
        assert_eq!(
            remote["far.test"],
            vec![
                RemoteItem {
                    message: 0,
                    index: 2,
                    address: "w@far.test".into()
                },
                RemoteItem {
                    message: 0,
                    index: 5,
                    address: "z@far.test".into()
                }
            ]
        );
    }

    #[test]
    fn an_expired_message_fails_every_due_recipient_without_routing() {
        let ids = IdGenerator::new();
        let config = DeliveryConfig::default();
        let info = message(&ids, 0, &["bob@here.test", "z@far.test"], 9);
        let limit = i64::try_from(config.max_queue_time.0.as_millis()).unwrap();
        let plans = plan(
            vec![(info.clone(), due(&info))],
            &Table::default(),
            &config,
            limit,
        );
        assert!(plans[0].planned.iter().all(|p| p.work == Work::Expire));
        assert!(!plans[0].needs_body(), "nothing to read for a failure");
        assert!(by_destination(&plans).is_empty());
        let fresh = plan(
            vec![(info.clone(), due(&info))],
            &Table::default(),
            &config,
            limit - 1,
        );
        assert!(fresh[0].planned.iter().all(|p| p.work != Work::Expire));
    }

    #[test]
    fn remote_work_is_grouped_by_domain_across_messages() {
        let ids = IdGenerator::new();
        let a = message(&ids, 1, &["p@b.test", "q@a.test"], 0);
        let b = message(&ids, 2, &["r@a.test"], 0);
        let plans = plan(
            vec![(a.clone(), due(&a)), (b.clone(), due(&b))],
            &Table::default(),
            &DeliveryConfig::default(),
            10,
        );
        let remote = by_destination(&plans);
        let a_items: Vec<(usize, u32)> = remote["a.test"]
            .iter()
            .map(|i| (i.message, i.index))
            .collect();
        assert_eq!(a_items, vec![(0, 1), (1, 0)]);
        assert_eq!(remote["b.test"].len(), 1);
        assert_eq!(ids_of(&plans), vec![a.id, b.id]);
    }

    fn ids_of(plans: &[MessagePlan]) -> Vec<QueueId> {
        ids(plans)
    }
}
