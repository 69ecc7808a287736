//! `explain`: what a reply from any server means, why it was sent, who must act, whether
//! sending again can work, and what to do.
//!
//! Evidence is weighed in this order, and the first that speaks decides the cause:
//! 1. Tern's own catalogue, when the reply is one Tern sends;
//! 2. the reply's words: a provider's own wording, then wording many servers share
//!    ([`crate::patterns`]);
//! 3. the enhanced code: a provider's own use of it, then the IANA registry
//!    ([`crate::patterns::codes`]);
//! 4. the basic code.
//!
//! Two retry answers are kept apart. [`Explanation::retry`] is what an SMTP client does by
//! the first digit (RFC 5321 §4.2.1), and what Tern's own queue does. [`Explanation::retry_helps`]
//! answers the sender's question, "would sending it again later, unchanged, work?", from the
//! cause: a `421 4.7.0 TLS required` never passes by itself, a `550 5.4.5 Daily sending limit
//! exceeded` passes tomorrow. Where the words and the codes disagree, the explanation follows
//! the words and says in a note what the code alone would have meant.

mod codes;

pub use codes::catalogue_match;

use crate::catalogue::{Actor, Retry};
use crate::cause::{Cause, Family, RetryRule, WhoActs};
use crate::parse::{Anomaly, Parsed};
use crate::patterns::{self, Match};
use crate::provider::Provider;
use crate::{EnhancedCode, Reply, ReplyClass, ReplyCode};
use codes::{code_reference, first_sentence, meaning_of, push_unique};

/// Where the cause of an explanation came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Source {
    /// A reply Tern itself sends (the catalogue entry's id is in `catalogue_id`).
    Catalogue,
    /// A recognised wording (the pattern's id is in `pattern_id`).
    Pattern,
    /// The enhanced code.
    EnhancedCode,
    /// Only the basic code.
    BasicCode,
}

/// How sure the cause is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Confidence {
    /// The reply's words were recognised (a known wording, or Tern's own reply).
    Pattern,
    /// Only the codes spoke: the cause is the one they most often mean.
    CodeOnly,
}

/// What a reply means for the message, in one word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Outcome {
    /// Accepted (2yz).
    Success,
    /// Accepted so far; the exchange goes on (3yz, RFC 5321 §4.2.1).
    Intermediate,
    /// Not now; an SMTP client retries (4yz).
    Transient,
    /// Refused; an SMTP client does not retry (5yz).
    Permanent,
}

/// The explanation of a reply, or of a bare code.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Explanation {
    /// The basic code, when one was given.
    pub code: Option<ReplyCode>,
    /// The enhanced code, when one was given.
    pub enhanced: Option<EnhancedCode>,
    /// The reply text, joined into one line (empty for a bare code).
    pub text: String,
    /// A headline: what happened.
    pub summary: String,
    /// What the codes mean by the RFCs.
    pub meaning: String,
    /// Why it happened.
    pub cause: Cause,
    /// The family of the cause.
    pub cause_family: Family,
    /// The cause, in plain words.
    pub likely_cause: String,
    /// Who must act (the catalogue's vocabulary; the same party as `who_acts`).
    pub actor: Actor,
    /// Who must act, seen from the side of the person who sent the mail.
    pub who_acts: WhoActs,
    /// What an SMTP client does by the first digit (RFC 5321 §4.2.1): Tern's queue too.
    pub retry: Retry,
    /// Whether sending the same message again later, unchanged, can work without anyone
    /// acting.
    pub retry_helps: bool,
    /// When resending works, or until what it does not.
    pub retry_when: String,
    /// What to do.
    pub action: String,
    /// The mail system that sent the reply, when recognised.
    pub provider: Option<Provider>,
    /// How sure the cause is.
    pub confidence: Confidence,
    /// What was odd: codes that disagree with each other or with the words, malformed lines.
    pub notes: Vec<String>,
    /// Where the cause came from.
    pub source: Source,
    /// The catalogue entry, for Tern's own replies.
    pub catalogue_id: Option<&'static str>,
    /// The pattern that matched, if any.
    pub pattern_id: Option<&'static str>,
    /// RFC references.
    pub references: Vec<String>,
}

impl Explanation {
    /// The outcome a script acts on, by the first digit.
    pub fn outcome(&self) -> Outcome {
        let class = match (self.code, self.enhanced) {
            (Some(code), _) => code.digits()[0],
            (None, Some(e)) => e.class(),
            (None, None) => 5,
        };
        match class {
            2 => Outcome::Success,
            3 => Outcome::Intermediate,
            4 => Outcome::Transient,
            _ => Outcome::Permanent,
        }
    }
}

/// Explains a reply read from a server (see [`crate::parse`] and [`crate::find_reply`]).
pub fn explain(parsed: &Parsed) -> Explanation {
    explain_from(parsed, None)
}

/// Explains a reply from the server `host` (its name helps recognise the provider).
pub fn explain_from(parsed: &Parsed, host: Option<&str>) -> Explanation {
    explain_with(&parsed.reply, &parsed.anomalies, host)
}

/// Explains a reply held as a [`Reply`] (one stored, or received by Tern's own client) from
/// the server `host`, if known.
pub fn explain_reply(reply: &Reply, host: Option<&str>) -> Explanation {
    explain_with(reply, &[], host)
}

fn explain_with(reply: &Reply, anomalies: &[Anomaly], host: Option<&str>) -> Explanation {
    let code = reply.code();
    let enhanced = reply.enhanced();
    let text = reply.text();
    let mut notes: Vec<String> = anomalies.iter().map(ToString::to_string).collect();
    if let (Some(e), true) = (enhanced, class_mismatch(code, enhanced))
        && !anomalies
            .iter()
            .any(|a| matches!(a, Anomaly::ClassMismatch { .. }))
    {
        notes.push(Anomaly::ClassMismatch { code, enhanced: e }.to_string());
    }
    let mut references = vec![code_reference(code).to_owned()];
    if let Some(reg) = enhanced.and_then(EnhancedCode::registered) {
        references.push(reg.reference.to_owned());
    }
    let lower = patterns::normalise(&text);
    let provider = host
        .and_then(Provider::of_host)
        .or_else(|| Provider::in_text(&lower).map(|(p, _)| p));
    let evidence = weigh(reply, code, enhanced, &lower, provider);
    if let Some(entry) = evidence.catalogue {
        push_unique(&mut references, entry.rfc);
    }
    build(code, enhanced, text, evidence, provider, notes, references)
}

/// Explains a bare basic code, such as `550`.
pub fn explain_code(code: ReplyCode) -> Explanation {
    let parsed = Parsed {
        reply: Reply::new(code, None, ""),
        anomalies: if code.is_standard_form() {
            Vec::new()
        } else {
            vec![Anomaly::NonstandardCode(code)]
        },
    };
    explain(&parsed)
}

/// Explains what a person typed (`tern explain`, the admin API): a bare code (`550`), a
/// bare enhanced code (`5.1.1`), or a reply, found inside a log line if need be. The error
/// says what was expected.
pub fn explain_input(text: &str) -> Result<Explanation, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("nothing to explain: give a reply like \"550 5.1.1 User unknown\", a code like 550, or an enhanced code like 5.1.1".into());
    }
    if trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return trimmed
            .parse::<ReplyCode>()
            .map(explain_code)
            .map_err(|e| e.to_string());
    }
    if trimmed.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return trimmed
            .parse::<EnhancedCode>()
            .map(explain_enhanced)
            .map_err(|e| e.to_string());
    }
    crate::find_reply(trimmed)
        .map(|parsed| explain(&parsed))
        .map_err(|e| match e {
            crate::ParseError::NoCode { .. } => format!(
                "no SMTP reply found: expected a three-digit code (2xx-5xx) such as \"550 5.1.1 User unknown\" ({e})"
            ),
            other => other.to_string(),
        })
}

/// Explains a bare enhanced code, such as `5.1.1`.
pub fn explain_enhanced(enhanced: EnhancedCode) -> Explanation {
    let basic = match enhanced.class() {
        2 => ReplyCode::OK,
        4 => ReplyCode::MAILBOX_BUSY,
        _ => ReplyCode::MAILBOX_UNAVAILABLE,
    };
    let evidence = weigh(
        &Reply::new(basic, None, ""),
        basic,
        Some(enhanced),
        "",
        None,
    );
    let mut references = vec!["RFC 3463".to_owned()];
    if let Some(reg) = enhanced.registered() {
        push_unique(&mut references, reg.reference);
    }
    let mut ex = build(
        basic,
        Some(enhanced),
        String::new(),
        evidence,
        None,
        Vec::new(),
        references,
    );
    ex.code = None;
    ex.meaning = meaning_of(None, Some(enhanced));
    ex
}

/// What decided the cause.
struct Evidence {
    cause: Cause,
    source: Source,
    catalogue: Option<&'static crate::catalogue::Entry>,
    pattern: Option<Match>,
    /// The cause the enhanced code alone would give, when it differs from the words'.
    code_says: Option<Cause>,
}

fn weigh(
    reply: &Reply,
    code: ReplyCode,
    enhanced: Option<EnhancedCode>,
    lower: &str,
    provider: Option<Provider>,
) -> Evidence {
    let class = code.digits()[0];
    let by_codes = || -> (Cause, Source) {
        match enhanced
            .filter(|e| e.detail() != 0)
            .and_then(|e| patterns::codes::by_enhanced(e, provider))
        {
            Some(cause) if class >= 4 => (cause, Source::EnhancedCode),
            _ => (patterns::codes::by_basic(code), Source::BasicCode),
        }
    };
    if let Some(entry) = catalogue_match(reply) {
        return Evidence {
            cause: entry.cause,
            source: Source::Catalogue,
            catalogue: Some(entry),
            pattern: None,
            code_says: None,
        };
    }
    let found = if class >= 4 {
        patterns::find(
            lower,
            patterns::Codes {
                basic: code.value(),
                enhanced,
                provider,
            },
        )
    } else {
        None
    };
    match found {
        Some(m) => {
            let (code_cause, code_source) = by_codes();
            let disagrees = code_source == Source::EnhancedCode
                && code_cause != m.pattern.cause
                && code_cause != Cause::PolicyOther
                && code_cause.family() != m.pattern.cause.family();
            Evidence {
                cause: m.pattern.cause,
                source: Source::Pattern,
                catalogue: None,
                pattern: Some(m),
                code_says: disagrees.then_some(code_cause),
            }
        }
        None => {
            let (cause, source) = by_codes();
            Evidence {
                cause,
                source,
                catalogue: None,
                pattern: None,
                code_says: None,
            }
        }
    }
}

fn build(
    code: ReplyCode,
    enhanced: Option<EnhancedCode>,
    text: String,
    evidence: Evidence,
    provider: Option<Provider>,
    mut notes: Vec<String>,
    references: Vec<String>,
) -> Explanation {
    let transient = code.is_transient();
    let settled = matches!(
        code.class(),
        ReplyClass::PositiveCompletion | ReplyClass::PositiveIntermediate
    );
    let cause = evidence.cause;
    let info = cause.info();
    let pattern = evidence.pattern.map(|m| m.pattern);
    let (retry_helps, retry_when) = if settled {
        (false, cause.retry_answer(false).1)
    } else {
        pattern
            .and_then(|p| p.retry)
            .unwrap_or(info.retry)
            .answer(transient)
    };
    let who_acts = if settled {
        WhoActs::Nobody
    } else {
        pattern
            .and_then(|p| p.who)
            .unwrap_or_else(|| cause.who_acts(retry_helps))
    };
    let provider = provider.or(pattern
        .map(|p| p.provider)
        .filter(|p| *p != Provider::Generic));

    let (summary, likely_cause, mut action) = match (evidence.catalogue, pattern) {
        (Some(entry), _) => (
            first_sentence(entry.meaning),
            entry.meaning.to_owned(),
            entry.action.to_owned(),
        ),
        (None, Some(p)) => (
            info.title.to_owned(),
            p.detail.unwrap_or(info.meaning).to_owned(),
            p.action.unwrap_or(info.action).to_owned(),
        ),
        (None, None) if settled => (
            code.standard_meaning().unwrap_or(info.title).to_owned(),
            info.meaning.to_owned(),
            info.action.to_owned(),
        ),
        (None, None) => (
            info.title.to_owned(),
            format!(
                "{} (The reply's words match no known wording; this is what its {} most often means.)",
                info.meaning,
                if evidence.source == Source::EnhancedCode {
                    "enhanced code"
                } else {
                    "code"
                }
            ),
            info.action.to_owned(),
        ),
    };
    if !settled && evidence.catalogue.is_none() {
        if retry_helps && info.retry == RetryRule::ByClass {
            action = format!("Nothing yet: the queue retries. If it keeps failing: {action}");
        }
        if let Some(note) = digit_note(code, retry_helps, retry_when, info.title) {
            notes.push(note);
        }
    }
    if let (Some(code_cause), Some(e)) = (evidence.code_says, enhanced) {
        notes.push(format!(
            "By its enhanced code {e} alone this would be \"{}\"; the words say \"{}\", and this explanation follows the words.",
            code_cause.info().title,
            info.title
        ));
    }
    Explanation {
        code: Some(code),
        enhanced,
        text,
        summary,
        meaning: meaning_of(Some(code), enhanced),
        cause,
        cause_family: info.family,
        likely_cause,
        actor: who_acts.actor(),
        who_acts,
        retry: retry_for(code),
        retry_helps,
        retry_when: retry_when.to_owned(),
        action,
        provider,
        confidence: match evidence.source {
            Source::Catalogue | Source::Pattern => Confidence::Pattern,
            Source::EnhancedCode | Source::BasicCode => Confidence::CodeOnly,
        },
        notes,
        source: evidence.source,
        catalogue_id: evidence.catalogue.map(|e| e.id),
        pattern_id: pattern.map(|p| p.id),
        references,
    }
}

/// A note when resending helps although the first digit says "permanent", or does not help
/// although it says "transient".
fn digit_note(code: ReplyCode, helps: bool, when: &str, title: &str) -> Option<String> {
    match (code.is_transient(), helps) {
        (true, false) => Some(format!(
            "The first digit 4 tells mail servers to retry, and the queue does (RFC 5321 §4.2.1); but this is \"{title}\", which does not pass by itself ({when}). The message is returned when the retry period ends."
        )),
        (false, true) => Some(format!(
            "The first digit 5 tells mail servers not to retry (RFC 5321 §4.2.1), so the message comes back; but this is \"{title}\", which passes by itself: sending it again works {when}."
        )),
        _ => None,
    }
}

fn retry_for(code: ReplyCode) -> Retry {
    match code.class() {
        ReplyClass::PositiveCompletion | ReplyClass::PositiveIntermediate => Retry::NotNeeded,
        ReplyClass::TransientNegative => Retry::Helps,
        ReplyClass::PermanentNegative | ReplyClass::PositivePreliminary => Retry::Useless,
    }
}

fn class_mismatch(code: ReplyCode, enhanced: Option<EnhancedCode>) -> bool {
    enhanced.is_some_and(|e| e.class() != code.digits()[0])
}

#[cfg(test)]
mod tests;
