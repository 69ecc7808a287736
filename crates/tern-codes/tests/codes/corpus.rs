//! The labelled corpus of real replies (`tests/corpus/`): how often `explain` is right about
//! the cause, who acts and whether resending helps, on the part patterns were tuned on and on
//! the held-out part nobody read while writing them. See `docs/explain.md`.
//!
//! Each line is `provider<TAB>cause<TAB>who_acts<TAB>retry_helps<TAB>source<TAB>reply`. The
//! parts are collection rounds: `tune.tsv` holds the replies the patterns were written
//! against, `holdout.tsv` a later round collected and labelled separately and measured once.
//! No reply is in both.
//!
//! `TERN_CORPUS_MISSES=1 cargo test -p tern-codes corpus -- --nocapture` lists the misses of
//! the tuning part (never those of the held-out part).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use tern_codes::{Cause, Provider, explain, find_reply};

/// One labelled reply.
#[derive(Debug)]
struct Labelled {
    line: usize,
    provider: String,
    cause: String,
    who_acts: String,
    retry_helps: bool,
    source: String,
    reply: String,
}

fn load(part: &str) -> Vec<Labelled> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/corpus/{part}.tsv"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{part}.tsv: {e}"));
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 6, "{part}.tsv:{}: six TAB-separated fields", i + 1);
        out.push(Labelled {
            line: i + 1,
            provider: f[0].to_owned(),
            cause: f[1].to_owned(),
            who_acts: f[2].to_owned(),
            retry_helps: match f[3] {
                "true" => true,
                "false" => false,
                other => panic!("{part}.tsv:{}: retry_helps {other:?}", i + 1),
            },
            source: f[4].to_owned(),
            reply: f[5].to_owned(),
        });
    }
    out
}

/// Right answers out of how many, per field.
#[derive(Default, Clone, Copy)]
struct Score {
    n: usize,
    cause: usize,
    who: usize,
    retry: usize,
    /// Replies whose words contradict their first digit: how many, and retry_helps right.
    contra_n: usize,
    contra_retry: usize,
}

impl Score {
    fn pct(part: usize, whole: usize) -> f64 {
        if whole == 0 {
            100.0
        } else {
            part as f64 * 100.0 / whole as f64
        }
    }
    fn cause(&self) -> f64 {
        Self::pct(self.cause, self.n)
    }
    fn who(&self) -> f64 {
        Self::pct(self.who, self.n)
    }
    fn retry(&self) -> f64 {
        Self::pct(self.retry, self.n)
    }
    fn contra(&self) -> f64 {
        Self::pct(self.contra_retry, self.contra_n)
    }
}

struct Report {
    total: Score,
    by_provider: BTreeMap<String, Score>,
    misses: Vec<String>,
}

fn score(corpus: &[Labelled]) -> Report {
    let mut total = Score::default();
    let mut by_provider: BTreeMap<String, Score> = BTreeMap::new();
    let mut misses = Vec::new();
    for l in corpus {
        let parsed = find_reply(&l.reply)
            .unwrap_or_else(|e| panic!("line {}: the reply does not parse: {e}", l.line));
        let ex = explain(&parsed);
        let first_digit_retries = parsed.reply.code().is_transient();
        let cause_ok = ex.cause.id() == l.cause;
        let who_ok = ex.who_acts.id() == l.who_acts;
        let retry_ok = ex.retry_helps == l.retry_helps;
        for s in [
            &mut total,
            by_provider.entry(l.provider.clone()).or_default(),
        ] {
            s.n += 1;
            s.cause += usize::from(cause_ok);
            s.who += usize::from(who_ok);
            s.retry += usize::from(retry_ok);
            if l.retry_helps != first_digit_retries {
                s.contra_n += 1;
                s.contra_retry += usize::from(retry_ok);
            }
        }
        if !(cause_ok && who_ok && retry_ok) {
            misses.push(format!(
                "line {}: {}\n    want {} / {} / {}; got {} / {} / {} by {:?}",
                l.line,
                l.reply,
                l.cause,
                l.who_acts,
                l.retry_helps,
                ex.cause.id(),
                ex.who_acts.id(),
                ex.retry_helps,
                ex.pattern_id.or(ex.catalogue_id),
            ));
        }
    }
    Report {
        total,
        by_provider,
        misses,
    }
}

fn table(name: &str, r: &Report) -> String {
    let mut out = String::new();
    let t = r.total;
    let _ = writeln!(
        out,
        "{name}: {} replies; cause {:.1}%, who acts {:.1}%, retry_helps {:.1}%, retry_helps where the words contradict the first digit {:.1}% ({} replies)",
        t.n,
        t.cause(),
        t.who(),
        t.retry(),
        t.contra(),
        t.contra_n
    );
    let _ = writeln!(
        out,
        "  {:<12} {:>5} {:>7} {:>7} {:>7}",
        "provider", "n", "cause", "who", "retry"
    );
    for (p, s) in &r.by_provider {
        let _ = writeln!(
            out,
            "  {:<12} {:>5} {:>6.1}% {:>6.1}% {:>6.1}%",
            p,
            s.n,
            s.cause(),
            s.who(),
            s.retry()
        );
    }
    out
}

#[test]
fn corpus_lines_are_well_formed_and_in_one_part() {
    let mut seen = std::collections::HashSet::new();
    for part in ["tune", "holdout"] {
        for l in &load(part) {
            assert!(
                Cause::from_id(&l.cause).is_some(),
                "{part}.tsv:{}: unknown cause {:?}",
                l.line,
                l.cause
            );
            assert!(
                ["nobody", "sender", "sender_admin", "recipient_admin"]
                    .contains(&l.who_acts.as_str()),
                "{part}.tsv:{}: who_acts {:?}",
                l.line,
                l.who_acts
            );
            assert!(
                l.provider == "other" || Provider::from_id(&l.provider).is_some(),
                "{part}.tsv:{}: unknown provider {:?}",
                l.line,
                l.provider
            );
            assert!(
                l.source.starts_with("http"),
                "{part}.tsv:{}: the source is a page address",
                l.line
            );
            let wording = l.reply.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                seen.insert(wording.to_lowercase()),
                "{part}.tsv:{}: a duplicate (in this part or the other)",
                l.line
            );
        }
    }
}

/// The corpus is big enough, and its held-out part is big enough to measure on.
#[test]
fn corpus_is_large_enough() {
    let (tune, held) = (load("tune").len(), load("holdout").len());
    assert!(tune + held >= 500, "only {} replies", tune + held);
    assert!(
        held * 5 >= tune,
        "the held-out part is too small: {held} vs {tune}"
    );
}

/// Floors, set from the measurement in docs/explain.md: a change that makes `explain` worse
/// on real replies fails here.
#[test]
fn explain_is_right_on_real_replies() {
    let tune = score(&load("tune"));
    let held = score(&load("holdout"));
    println!("{}", table("tuning part", &tune));
    println!("{}", table("held-out part", &held));
    if std::env::var_os("TERN_CORPUS_MISSES").is_some() {
        println!("misses in the tuning part:");
        for m in &tune.misses {
            println!("{m}");
        }
    }
    let floors = [
        ("held-out cause", held.total.cause(), FLOOR_HELD_CAUSE),
        ("held-out who acts", held.total.who(), FLOOR_HELD_WHO),
        ("held-out retry_helps", held.total.retry(), FLOOR_HELD_RETRY),
        (
            "held-out retry_helps against the first digit",
            held.total.contra(),
            FLOOR_HELD_CONTRA,
        ),
        ("tuning cause", tune.total.cause(), FLOOR_TUNE_CAUSE),
    ];
    for (name, value, floor) in floors {
        assert!(
            value >= floor,
            "{name}: {value:.1}% is below the floor {floor}%"
        );
    }
}

// Measured once on the held-out part of round 3 (docs/explain.md): cause 68.7%, who acts
// 77.7%, retry_helps 93.8%, against the first digit 42.9% (21 replies); tuning cause 95.4%.
// The floors sit a few points below, so a change that loses ground fails.
const FLOOR_HELD_CAUSE: f64 = 66.0;
const FLOOR_HELD_WHO: f64 = 74.0;
const FLOOR_HELD_RETRY: f64 = 90.0;
const FLOOR_HELD_CONTRA: f64 = 40.0;
const FLOOR_TUNE_CAUSE: f64 = 93.0;
