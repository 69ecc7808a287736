//! The conformance suite: checks every [`QueueStore`] backend must pass.
//!
//! A backend's test calls [`run_all`] with a function that makes a fresh, empty store; each
//! check gets its own. Checks return failures instead of panicking, so one run reports every
//! broken behaviour at once:
//!
//! ```no_run
//! # async fn demo() {
//! use tern_store::{SqliteConfig, SqliteStore, conformance};
//! let root = std::env::temp_dir().join("tern-conformance");
//! let mut n = 0;
//! let failures = conformance::run_all(|| {
//!     n += 1;
//!     let dir = root.join(n.to_string());
//!     async move { SqliteStore::open(SqliteConfig::new(dir)) }
//! })
//! .await;
//! assert!(failures.is_empty(), "{failures:#?}");
//! # }
//! ```
//!
//! The suite needs no runtime of its own: it only awaits the store's futures (and polls several
//! at once with a small join).

mod delivery;
mod fixtures;
mod join;
mod listing;
mod messages;
mod retention;

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::error::StoreError;
use crate::store::QueueStore;

pub use fixtures::{full_envelope, tricky_body};

/// One failed check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The check's name.
    pub check: &'static str,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.check, self.message)
    }
}

/// The result of one check: `Err` carries what was wrong.
pub type Check = Result<(), String>;

type CheckFn<S> = for<'a> fn(&'a S) -> Pin<Box<dyn Future<Output = Check> + 'a>>;

fn checks<S: QueueStore>() -> Vec<(&'static str, CheckFn<S>)> {
    vec![
        ("round_trip", |s| Box::pin(messages::round_trip(s))),
        ("null_sender_empty_body", |s| {
            Box::pin(messages::null_sender_empty_body(s))
        }),
        ("invalid_envelope", |s| {
            Box::pin(messages::invalid_envelope(s))
        }),
        ("ids_unique_and_time_ordered", |s| {
            Box::pin(messages::ids_unique_and_time_ordered(s))
        }),
        ("concurrent_enqueues", |s| {
            Box::pin(messages::concurrent_enqueues(s))
        }),
        ("large_bodies", |s| Box::pin(messages::large_bodies(s))),
        ("unknown_ids", |s| Box::pin(messages::unknown_ids(s))),
        ("delete", |s| Box::pin(messages::delete(s))),
        ("fresh_store_recovery", |s| {
            Box::pin(messages::fresh_store_recovery(s))
        }),
        ("recipient_updates", |s| {
            Box::pin(delivery::recipient_updates(s))
        }),
        ("final_states_are_final", |s| {
            Box::pin(delivery::final_states_are_final(s))
        }),
        ("attempt_timeline", |s| {
            Box::pin(delivery::attempt_timeline(s))
        }),
        ("recorded_outcomes", |s| {
            Box::pin(delivery::recorded_outcomes(s))
        }),
        ("due_by_time", |s| Box::pin(delivery::due_by_time(s))),
        ("hold_and_release", |s| {
            Box::pin(delivery::hold_and_release(s))
        }),
        ("reschedule", |s| Box::pin(delivery::reschedule(s))),
        ("list_filters", |s| Box::pin(listing::list_filters(s))),
        ("queue_counts", |s| Box::pin(listing::queue_counts(s))),
        ("finish_and_purge", |s| {
            Box::pin(retention::finish_and_purge(s))
        }),
        ("finish_settled", |s| Box::pin(retention::finish_settled(s))),
    ]
}

/// Runs every check, each on a fresh store from `make_store`. Returns the failures (empty when
/// the backend conforms). A store that cannot be made is reported as a failure of that check.
pub async fn run_all<S, F, Fut>(mut make_store: F) -> Vec<Failure>
where
    S: QueueStore,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<S, StoreError>>,
{
    let mut failures = Vec::new();
    for (check, run) in checks::<S>() {
        let store = match make_store().await {
            Ok(s) => s,
            Err(e) => {
                failures.push(Failure {
                    check,
                    message: format!("could not make a store: {e}"),
                });
                continue;
            }
        };
        if let Err(message) = run(&store).await {
            failures.push(Failure { check, message });
        }
    }
    failures
}

/// Adds context to a store error inside a check.
trait Ctx<T> {
    fn ctx(self, what: &str) -> Result<T, String>;
}

impl<T> Ctx<T> for Result<T, StoreError> {
    fn ctx(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: unexpected error {e:?}"))
    }
}

/// The `i`th element, or a failure naming what was too short (checks never index blindly: a
/// backend that returns too little must fail the check, not panic).
fn nth<'a, T: std::fmt::Debug>(v: &'a [T], i: usize, what: &str) -> Result<&'a T, String> {
    v.get(i)
        .ok_or_else(|| format!("{what}: no element #{i} in {v:?}"))
}

/// Fails the check with a message unless the condition holds.
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}
pub(crate) use ensure;

/// Fails the check unless both sides are equal.
macro_rules! ensure_eq {
    ($left:expr, $right:expr, $what:expr) => {{
        let (l, r) = (&$left, &$right);
        if l != r {
            return Err(format!("{}: {:?} != {:?}", $what, l, r));
        }
    }};
}
pub(crate) use ensure_eq;
