//! Mapping between the model's enums and the integers stored in SQLite columns.

use crate::attempt::{Decision, TlsOutcome};
use crate::envelope::{BodyType, Notify, Ret};
use crate::error::StoreError;
use crate::status::RecipientState;

pub(crate) fn body_type_to_int(b: BodyType) -> i64 {
    match b {
        BodyType::SevenBit => 0,
        BodyType::EightBitMime => 1,
        BodyType::BinaryMime => 2,
    }
}

pub(crate) fn body_type_from_int(v: i64) -> Result<BodyType, StoreError> {
    match v {
        0 => Ok(BodyType::SevenBit),
        1 => Ok(BodyType::EightBitMime),
        2 => Ok(BodyType::BinaryMime),
        other => Err(corrupt("body_type", other)),
    }
}

pub(crate) fn ret_to_int(r: Option<Ret>) -> Option<i64> {
    r.map(|r| match r {
        Ret::Full => 1,
        Ret::Headers => 2,
    })
}

pub(crate) fn ret_from_int(v: Option<i64>) -> Result<Option<Ret>, StoreError> {
    match v {
        None => Ok(None),
        Some(1) => Ok(Some(Ret::Full)),
        Some(2) => Ok(Some(Ret::Headers)),
        Some(other) => Err(corrupt("ret", other)),
    }
}

const NOTIFY_SET: i64 = 8;

pub(crate) fn notify_to_int(n: Option<Notify>) -> Option<i64> {
    n.map(|n| match n {
        Notify::Never => 0,
        Notify::On {
            success,
            failure,
            delay,
        } => NOTIFY_SET | i64::from(success) | (i64::from(failure) << 1) | (i64::from(delay) << 2),
    })
}

pub(crate) fn notify_from_int(v: Option<i64>) -> Result<Option<Notify>, StoreError> {
    match v {
        None => Ok(None),
        Some(0) => Ok(Some(Notify::Never)),
        Some(bits) if bits & !0xF == 0 && bits & NOTIFY_SET != 0 => Ok(Some(Notify::On {
            success: bits & 1 != 0,
            failure: bits & 2 != 0,
            delay: bits & 4 != 0,
        })),
        Some(other) => Err(corrupt("notify", other)),
    }
}

pub(crate) fn state_to_int(s: RecipientState) -> i64 {
    match s {
        RecipientState::Scheduled => 0,
        RecipientState::Delivered => 1,
        RecipientState::Deferred => 2,
        RecipientState::Failed => 3,
    }
}

pub(crate) fn state_from_int(v: i64) -> Result<RecipientState, StoreError> {
    match v {
        0 => Ok(RecipientState::Scheduled),
        1 => Ok(RecipientState::Delivered),
        2 => Ok(RecipientState::Deferred),
        3 => Ok(RecipientState::Failed),
        other => Err(corrupt("state", other)),
    }
}

/// (kind, first text, second text)
pub(crate) fn tls_to_cols(t: &TlsOutcome) -> (i64, Option<&str>, Option<&str>) {
    match t {
        TlsOutcome::NotAttempted => (0, None, None),
        TlsOutcome::Established { protocol, cipher } => (1, Some(protocol), Some(cipher)),
        TlsOutcome::Failed { reason } => (2, Some(reason), None),
    }
}

pub(crate) fn tls_from_cols(
    kind: i64,
    a: Option<String>,
    b: Option<String>,
) -> Result<TlsOutcome, StoreError> {
    match kind {
        0 => Ok(TlsOutcome::NotAttempted),
        1 => Ok(TlsOutcome::Established {
            protocol: a.unwrap_or_default(),
            cipher: b.unwrap_or_default(),
        }),
        2 => Ok(TlsOutcome::Failed {
            reason: a.unwrap_or_default(),
        }),
        other => Err(corrupt("tls_kind", other)),
    }
}

pub(crate) fn decision_to_cols(d: Decision) -> (i64, Option<i64>) {
    match d {
        Decision::Delivered => (0, None),
        Decision::Deferred { until_ms } => (1, Some(until_ms)),
        Decision::Failed => (2, None),
    }
}

pub(crate) fn decision_from_cols(kind: i64, until: Option<i64>) -> Result<Decision, StoreError> {
    match (kind, until) {
        (0, _) => Ok(Decision::Delivered),
        (1, Some(until_ms)) => Ok(Decision::Deferred { until_ms }),
        (2, _) => Ok(Decision::Failed),
        (other, _) => Err(corrupt("decision", other)),
    }
}

pub(crate) fn indexes_to_text(ix: &[u32]) -> String {
    ix.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

pub(crate) fn indexes_from_text(s: &str) -> Result<Vec<u32>, StoreError> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|p| {
            p.parse::<u32>()
                .map_err(|_| StoreError::Corrupt(format!("attempt recipients {s:?}")))
        })
        .collect()
}

fn corrupt(column: &str, value: i64) -> StoreError {
    StoreError::Corrupt(format!("column {column} holds {value}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_round_trips_every_combination() {
        let mut all = vec![None, Some(Notify::Never)];
        for bits in 1..8u8 {
            all.push(Some(Notify::On {
                success: bits & 1 != 0,
                failure: bits & 2 != 0,
                delay: bits & 4 != 0,
            }));
        }
        for n in all {
            assert_eq!(notify_from_int(notify_to_int(n)).ok(), Some(n));
        }
        assert!(notify_from_int(Some(3)).is_err());
        assert!(notify_from_int(Some(99)).is_err());
    }

    #[test]
    fn states_and_decisions_round_trip() {
        for s in RecipientState::ALL {
            assert_eq!(state_from_int(state_to_int(s)).ok(), Some(s));
        }
        assert!(state_from_int(9).is_err());
        for d in [
            Decision::Delivered,
            Decision::Failed,
            Decision::Deferred { until_ms: 42 },
        ] {
            let (k, u) = decision_to_cols(d);
            assert_eq!(decision_from_cols(k, u).ok(), Some(d));
        }
        assert!(decision_from_cols(1, None).is_err());
    }

    #[test]
    fn indexes_round_trip() {
        for ix in [vec![], vec![0], vec![3, 1, 4]] {
            assert_eq!(indexes_from_text(&indexes_to_text(&ix)).ok(), Some(ix));
        }
        assert!(indexes_from_text("1,,2").is_err());
    }
}
