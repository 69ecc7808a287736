//! One pass over a reply: an Aho-Corasick automaton of every phrase of every pattern, built
//! once, then the first pattern (in table order) whose conditions all hold.

use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use super::{Pattern, TABLES};
use crate::enhanced::EnhancedCode;
use crate::provider::Provider;

/// A pattern that fits a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// The pattern.
    pub pattern: &'static Pattern,
    /// The phrase that matched first.
    pub phrase: &'static str,
}

/// One distinct phrase of the library.
struct Phrase {
    /// The phrase as written (with its `*` marks), for reporting.
    text: &'static str,
    /// Whether a letter or digit may come right before it.
    open_start: bool,
    /// Whether a letter or digit may come right after it.
    open_end: bool,
    /// Patterns that apply when this phrase occurs (`any`), by index.
    triggers: Vec<u32>,
}

struct Library {
    automaton: AhoCorasick,
    phrases: Vec<Phrase>,
    patterns: Vec<&'static Pattern>,
    /// For each pattern, the phrase indexes of its `all` list.
    required: Vec<Vec<u32>>,
}

fn library() -> &'static Library {
    static LIBRARY: OnceLock<Library> = OnceLock::new();
    LIBRARY.get_or_init(build)
}

fn build() -> Library {
    let patterns: Vec<&'static Pattern> = TABLES.iter().flat_map(|t| t.iter()).collect();
    let mut index: HashMap<&'static str, u32> = HashMap::new();
    let mut phrases: Vec<Phrase> = Vec::new();
    let mut bodies: Vec<&'static str> = Vec::new();
    let mut intern = |text: &'static str| -> u32 {
        *index.entry(text).or_insert_with(|| {
            let body = text.trim_start_matches('*').trim_end_matches('*');
            // Word edges count only where the phrase itself begins or ends with a letter or
            // digit: "> is blocked" may follow "<192.0.2.1".
            let edge = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
            let open_start = text.starts_with('*') || !edge(body.chars().next());
            let open_end = text.ends_with('*') || !edge(body.chars().next_back());
            phrases.push(Phrase {
                text,
                open_start,
                open_end,
                triggers: Vec::new(),
            });
            bodies.push(body);
            u32::try_from(phrases.len() - 1).unwrap_or(u32::MAX)
        })
    };
    let mut required = Vec::with_capacity(patterns.len());
    let mut triggers: Vec<(u32, u32)> = Vec::new();
    for (i, p) in patterns.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        for phrase in p.any {
            triggers.push((intern(phrase), i));
        }
        required.push(p.all.iter().map(|phrase| intern(phrase)).collect());
    }
    for (phrase, pattern) in triggers {
        phrases[phrase as usize].triggers.push(pattern);
    }
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(&bodies)
        .unwrap_or_else(|e| panic!("the pattern library does not build: {e}"));
    Library {
        automaton,
        phrases,
        patterns,
        required,
    }
}

/// What a pattern may require of the reply besides its words.
#[derive(Debug, Clone, Copy)]
pub struct Codes {
    /// The basic reply code (`550`).
    pub basic: u16,
    /// The enhanced status code, if the reply has one.
    pub enhanced: Option<EnhancedCode>,
    /// The provider the reply or its host was recognised as.
    pub provider: Option<Provider>,
}

impl Codes {
    fn admit(&self, pattern: &Pattern) -> bool {
        pattern
            .class
            .is_none_or(|c| u16::from(c) == self.basic / 100)
            && (pattern.codes.is_empty() || pattern.codes.contains(&self.basic))
            && pattern.enhanced.is_none_or(|(subject, detail)| {
                self.enhanced
                    .is_some_and(|e| e.subject_number() == subject && e.detail() == detail)
            })
            && (!pattern.gated || self.provider == Some(pattern.provider))
    }
}

/// The first pattern that fits `text_lower` (a lower-cased reply text with its whitespace
/// collapsed) and whose code conditions the reply's `codes` meet.
pub fn find(text_lower: &str, codes: Codes) -> Option<Match> {
    let lib = library();
    let bytes = text_lower.as_bytes();
    let mut found: Vec<u32> = Vec::new();
    for m in lib.automaton.find_overlapping_iter(text_lower) {
        let id = m.pattern().as_u32();
        let phrase = &lib.phrases[id as usize];
        let start_ok = phrase.open_start || !word_byte_at(bytes, m.start().checked_sub(1));
        let end_ok = phrase.open_end || !word_byte_at(bytes, Some(m.end()));
        if start_ok && end_ok {
            found.push(id);
        }
    }
    if found.is_empty() {
        return None;
    }
    found.sort_unstable();
    found.dedup();
    let mut candidates: Vec<(u32, u32)> = found
        .iter()
        .flat_map(|&ph| {
            lib.phrases[ph as usize]
                .triggers
                .iter()
                .map(move |&p| (p, ph))
        })
        .collect();
    candidates.sort_unstable();
    candidates.into_iter().find_map(|(i, ph)| {
        let pattern = lib.patterns[i as usize];
        let fits = codes.admit(pattern)
            && lib.required[i as usize]
                .iter()
                .all(|r| found.binary_search(r).is_ok());
        fits.then(|| Match {
            pattern,
            phrase: lib.phrases[ph as usize].text,
        })
    })
}

fn word_byte_at(bytes: &[u8], at: Option<usize>) -> bool {
    at.and_then(|i| bytes.get(i))
        .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// `text` lower-cased with runs of whitespace made one space: the form patterns match.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}
