use super::*;
use crate::{explain, find_reply};

#[test]
fn every_pattern_is_complete() {
    let mut ids = std::collections::HashSet::new();
    for p in all() {
        assert!(ids.insert(p.id), "{}: the id is used twice", p.id);
        let prefix = format!("{}.", p.provider.id());
        assert!(
            p.id.starts_with(&prefix),
            "{}: ids start with {prefix}",
            p.id
        );
        assert!(!p.any.is_empty(), "{}: no phrase", p.id);
        assert!(
            p.source.starts_with("https://"),
            "{}: every pattern names its public source",
            p.id
        );
        assert!(
            !p.fixtures.is_empty(),
            "{}: every pattern has a fixture",
            p.id
        );
        assert!(
            !(p.gated && p.provider == Provider::Generic),
            "{}: generic wording cannot be gated",
            p.id
        );
        for phrase in p.any.iter().chain(p.all) {
            assert_eq!(
                *phrase,
                phrase.to_lowercase(),
                "{}: phrases are lower case",
                p.id
            );
            assert_eq!(
                *phrase,
                normalise(phrase),
                "{}: phrases have single spaces",
                p.id
            );
            assert!(
                !phrase.trim_matches('*').is_empty(),
                "{}: an empty phrase",
                p.id
            );
        }
    }
}

/// Every fixture of every pattern is explained by that pattern: a pattern that an earlier
/// one shadows, or whose phrases miss its own example, fails here.
#[test]
fn every_fixture_is_explained_by_its_own_pattern() {
    let mut failures = Vec::new();
    for p in all() {
        for fixture in p.fixtures {
            let parsed = match find_reply(fixture) {
                Ok(parsed) => parsed,
                Err(e) => {
                    failures.push(format!("{}: fixture {fixture:?} does not parse: {e}", p.id));
                    continue;
                }
            };
            let ex = explain(&parsed);
            if ex.pattern_id != Some(p.id) {
                failures.push(format!(
                    "{}: {fixture:?} is explained by {:?} ({})",
                    p.id,
                    ex.pattern_id,
                    ex.cause.id()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn phrases_match_whole_words_unless_marked() {
    let cause = |t: &str| find(&normalise(t), codes(550)).map(|m| m.pattern.cause);
    assert_eq!(
        cause("554 Client host blocked, see rbl.example"),
        Some(crate::Cause::IpReputationBlocklist)
    );
    // "rbl" inside "verbless" is not the blocklist word.
    assert_ne!(
        cause("550 a verbless refusal"),
        Some(crate::Cause::IpReputationBlocklist)
    );
    // "throttl*" runs into longer words.
    assert_eq!(
        find(&normalise("451 you are being throttled"), codes(451)).map(|m| m.pattern.cause),
        Some(crate::Cause::RateLimited)
    );
}

#[test]
fn normalising_collapses_space_and_case() {
    assert_eq!(normalise("  Mailbox\r\n  FULL\t"), "mailbox full");
}

fn codes(basic: u16) -> Codes {
    Codes {
        basic,
        enhanced: None,
        provider: None,
    }
}
