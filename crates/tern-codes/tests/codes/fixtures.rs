//! Real replies from real systems, one per file in `tests/fixtures/replies/`, each explained
//! and snapshotted in a readable form (`tests/codes/snapshots/`).
//!
//! A fixture's first line is `# source: <system>, <situation>`; the rest is the reply as
//! received (one or more lines), or a log or bounce line that contains it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tern_codes::catalogue::{Actor, Retry};
use tern_codes::{Explanation, Outcome, Source, explain, find_reply};

/// One fixture: its name (the file stem), where it comes from, and the reply text.
#[derive(Debug)]
struct Fixture {
    name: String,
    source: String,
    reply: String,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replies")
}

fn load_fixtures() -> Vec<Fixture> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .expect("fixture directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths.iter().map(|p| load_fixture(p)).collect()
}

fn load_fixture(path: &Path) -> Fixture {
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("UTF-8 file name")
        .to_owned();
    let content = std::fs::read_to_string(path).expect("readable fixture");
    let (first, rest) = content.split_once('\n').unwrap_or((&content, ""));
    let source = first
        .strip_prefix("# source: ")
        .unwrap_or_else(|| {
            panic!("{name}: the first line must be `# source: <system>, <situation>`")
        })
        .trim()
        .to_owned();
    Fixture {
        name,
        source,
        reply: rest.trim_end().to_owned(),
    }
}

fn retry(r: Retry) -> &'static str {
    r.describe()
}

fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Success => "success",
        Outcome::Intermediate => "intermediate",
        Outcome::Transient => "transient",
        Outcome::Permanent => "permanent",
    }
}

fn matched(ex: &Explanation) -> String {
    match ex.source {
        Source::Catalogue => format!("catalogue {}", ex.catalogue_id.unwrap_or("?")),
        Source::Pattern => format!("pattern {}", ex.pattern_id.unwrap_or("?")),
        Source::EnhancedCode => "enhanced code (IANA registry)".to_owned(),
        Source::BasicCode => "basic code only".to_owned(),
    }
}

/// The explanation as a person reads it.
fn render(fixture: &Fixture, ex: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "source:   {}", fixture.source);
    out.push_str("input:\n");
    for line in fixture.reply.lines() {
        let _ = writeln!(out, "  | {line}");
    }
    let codes = match (ex.code, ex.enhanced) {
        (Some(c), Some(e)) => format!("{c} {e}"),
        (Some(c), None) => format!("{c} (no enhanced code)"),
        (None, Some(e)) => format!("{e}"),
        (None, None) => "none".to_owned(),
    };
    let _ = writeln!(out, "codes:    {codes}");
    let _ = writeln!(out, "summary:  {}", ex.summary);
    let _ = writeln!(out, "meaning:  {}", ex.meaning);
    let _ = writeln!(out, "cause:    {} ({})", ex.cause.id(), ex.likely_cause);
    let provider = ex.provider.map_or("not recognised", |p| p.name());
    let _ = writeln!(out, "provider: {provider}");
    let _ = writeln!(out, "who acts: {}", ex.who_acts.describe());
    let _ = writeln!(out, "retry:    {}", retry(ex.retry));
    let helps = if ex.retry_helps { "yes" } else { "no" };
    let _ = writeln!(out, "resend:   {helps}, {}", ex.retry_when);
    let _ = writeln!(out, "outcome:  {}", outcome(ex.outcome()));
    let _ = writeln!(out, "action:   {}", ex.action);
    if ex.notes.is_empty() {
        out.push_str("notes:    none\n");
    } else {
        out.push_str("notes:\n");
        for n in &ex.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    let _ = writeln!(out, "matched:  {}", matched(ex));
    let _ = writeln!(out, "refs:     {}", ex.references.join("; "));
    out
}

fn explain_fixture(f: &Fixture) -> Explanation {
    let parsed = find_reply(&f.reply).unwrap_or_else(|e| panic!("{}: {e}", f.name));
    explain(&parsed)
}

#[test]
fn there_are_enough_fixtures_and_each_names_its_source() {
    let fixtures = load_fixtures();
    assert!(fixtures.len() >= 45, "only {} fixtures", fixtures.len());
    for f in &fixtures {
        assert!(
            f.source.contains(','),
            "{}: `# source: <system>, <situation>`",
            f.name
        );
        assert!(!f.reply.is_empty(), "{}: no reply", f.name);
        assert!(
            !f.reply.lines().any(|l| l.starts_with("# source:")),
            "{}: one source line only",
            f.name
        );
    }
}

#[test]
fn every_snapshot_belongs_to_a_fixture() {
    let names: Vec<String> = load_fixtures().into_iter().map(|f| f.name).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/codes/snapshots");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return; // no snapshots yet: the snapshot test writes them
    };
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|x| x == "snap") {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            assert!(
                names.iter().any(|n| n == stem),
                "{}: a snapshot without a fixture (delete it)",
                path.display()
            );
        }
    }
}

#[test]
fn every_fixture_explanation_matches_its_snapshot() {
    let fixtures = load_fixtures();
    let mut failed = Vec::new();
    for f in &fixtures {
        let ex = explain_fixture(f);
        let rendered = render(f, &ex);
        let result = std::panic::catch_unwind(|| {
            insta::with_settings!({
                prepend_module_to_snapshot => false,
                omit_expression => true,
                description => f.source.as_str(),
            }, {
                insta::assert_snapshot!(f.name.as_str(), rendered);
            });
        });
        if result.is_err() {
            failed.push(f.name.clone());
        }
    }
    assert!(failed.is_empty(), "snapshots differ: {failed:?}");
}

#[test]
fn every_failure_names_someone_who_acts_and_something_to_do() {
    for f in &load_fixtures() {
        let ex = explain_fixture(f);
        assert!(!ex.summary.trim().is_empty(), "{}", f.name);
        assert!(!ex.likely_cause.trim().is_empty(), "{}", f.name);
        assert!(!ex.action.trim().is_empty(), "{}", f.name);
        if ex.outcome() == Outcome::Success {
            assert_eq!(ex.actor, Actor::Nobody, "{}", f.name);
        } else {
            if ex.outcome() == Outcome::Permanent && !ex.retry_helps {
                assert_ne!(
                    ex.actor,
                    Actor::Nobody,
                    "{}: a failure needs someone",
                    f.name
                );
            }
        }
    }
}
