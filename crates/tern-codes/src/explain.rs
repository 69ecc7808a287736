//! `explain`: what a reply from any server means, why it was likely sent, who must act,
//! whether a retry helps, and what to do.
//!
//! The answer combines, in order of precedence: Tern's own catalogue (when the reply is one
//! Tern sends), the pattern library of real-world rejection reasons, the IANA registry entry
//! of the enhanced code, and the meaning of the basic code. SMTP clients act on the basic code
//! (RFC 5321 §4.2.1; RFC 3463 §2), so the retry advice follows its first digit even when the
//! enhanced code disagrees, and the disagreement is said.

use crate::catalogue::{self, Actor, Entry, Retry};
use crate::parse::{Anomaly, Parsed};
use crate::patterns::{self, Pattern};
use crate::{EnhancedCode, Reply, ReplyCategory, ReplyClass, ReplyCode, Subject};

/// Where the main part of an explanation came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Source {
    /// A reply Tern itself sends (the catalogue entry's id is in `catalogue_id`).
    Catalogue,
    /// A recognised real-world reason (the pattern's id is in `pattern_id`).
    Pattern,
    /// The IANA registry entry of the enhanced code.
    EnhancedCode,
    /// Only the basic code.
    BasicCode,
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
    /// The likely cause, in plain words.
    pub likely_cause: String,
    /// Who must act.
    pub actor: Actor,
    /// Whether retrying can help.
    pub retry: Retry,
    /// What to do.
    pub action: String,
    /// What was odd: codes that disagree, malformed lines.
    pub notes: Vec<String>,
    /// Where the summary, cause and action came from.
    pub source: Source,
    /// The catalogue entry, for Tern's own replies.
    pub catalogue_id: Option<&'static str>,
    /// The pattern that matched, if any.
    pub pattern_id: Option<&'static str>,
    /// RFC references.
    pub references: Vec<String>,
}

impl Explanation {
    /// "success", "transient" or "permanent": the outcome a script acts on.
    pub fn outcome(&self) -> Outcome {
        match self.retry {
            Retry::NotNeeded => Outcome::Success,
            Retry::Helps => Outcome::Transient,
            Retry::Useless => Outcome::Permanent,
        }
    }
}

/// What a reply means for the message, in one word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Outcome {
    /// Accepted, or the exchange goes on.
    Success,
    /// Not now; may succeed later.
    Transient,
    /// Will not succeed unchanged.
    Permanent,
}

/// Explains a reply read from a server (see [`crate::parse`] and [`crate::find_reply`]).
pub fn explain(parsed: &Parsed) -> Explanation {
    let reply = &parsed.reply;
    let code = reply.code();
    let enhanced = reply.enhanced();
    let text = reply.text();
    let mut notes: Vec<String> = parsed.anomalies.iter().map(ToString::to_string).collect();
    let retry = retry_for(code);
    let meaning = meaning_of(Some(code), enhanced);
    let mut references = vec![code_reference(code).to_owned()];
    if let Some(reg) = enhanced.and_then(EnhancedCode::registered) {
        references.push(reg.reference.to_owned());
    }

    if let Some(entry) = catalogue_match(reply) {
        push_unique(&mut references, entry.rfc);
        return Explanation {
            code: Some(code),
            enhanced,
            text,
            summary: first_sentence(entry.meaning),
            meaning,
            likely_cause: entry.meaning.to_owned(),
            actor: entry.actor,
            retry,
            action: entry.action.to_owned(),
            notes,
            source: Source::Catalogue,
            catalogue_id: Some(entry.id),
            pattern_id: None,
            references,
        };
    }

    let lower = text.to_lowercase();
    let key = enhanced.map(|e| (e.subject_number(), e.detail()));
    let pattern = if code.is_positive() || code.class() == ReplyClass::PositiveIntermediate {
        None
    } else {
        patterns::find(&lower, key)
    };
    if let (Some(e), true) = (enhanced, class_mismatch(code, enhanced))
        && !parsed
            .anomalies
            .iter()
            .any(|a| matches!(a, Anomaly::ClassMismatch { .. }))
    {
        notes.push(Anomaly::ClassMismatch { code, enhanced: e }.to_string());
    }

    let (summary, cause, actor, action, source, pattern_id) =
        pattern_or_codes(pattern, retry, code, enhanced);
    Explanation {
        code: Some(code),
        enhanced,
        text,
        summary,
        meaning,
        likely_cause: cause,
        actor,
        retry,
        action,
        notes,
        source,
        catalogue_id: None,
        pattern_id,
        references,
    }
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

/// Explains a bare enhanced code, such as `5.1.1`.
pub fn explain_enhanced(enhanced: EnhancedCode) -> Explanation {
    let basic = match enhanced.class() {
        2 => ReplyCode::OK,
        4 => ReplyCode::MAILBOX_BUSY,
        _ => ReplyCode::MAILBOX_UNAVAILABLE,
    };
    let retry = retry_for(basic);
    let key = (enhanced.subject_number(), enhanced.detail());
    let pattern = if enhanced.class() == 2 {
        None
    } else {
        patterns::find("", Some(key))
    };
    let (summary, cause, actor, action, source, pattern_id) =
        pattern_or_codes(pattern, retry, basic, Some(enhanced));
    let mut references = vec!["RFC 3463".to_owned()];
    if let Some(reg) = enhanced.registered() {
        push_unique(&mut references, reg.reference);
    }
    Explanation {
        code: None,
        enhanced: Some(enhanced),
        text: String::new(),
        summary,
        meaning: meaning_of(None, Some(enhanced)),
        likely_cause: cause,
        actor,
        retry,
        action,
        notes: Vec::new(),
        source,
        catalogue_id: None,
        pattern_id,
        references,
    }
}

/// The catalogue entry this reply is an instance of, if Tern could have sent it.
pub fn catalogue_match(reply: &Reply) -> Option<&'static Entry> {
    let text = reply.text();
    if text.is_empty() {
        return None;
    }
    catalogue::ALL.iter().copied().find(|entry| {
        entry.code == reply.code()
            && (reply.enhanced().is_none() || entry.enhanced == reply.enhanced())
            && template_matches(entry.text, &text)
    })
}

/// Whether `text` could be `template` with its `{placeholders}` filled in.
fn template_matches(template: &str, text: &str) -> bool {
    let template = template.replace('\n', " ");
    let mut pieces = Vec::new();
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        pieces.push(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => rest = &rest[open + close + 1..],
            None => break,
        }
    }
    pieces.push(rest);
    if pieces.iter().all(|p| p.trim().is_empty()) {
        return false; // a template of placeholders only matches anything
    }
    let mut at = 0;
    for (i, piece) in pieces.iter().enumerate() {
        if piece.is_empty() {
            continue;
        }
        match text[at..].find(piece) {
            Some(pos) if i > 0 || pos == 0 => at += pos + piece.len(),
            _ => return false,
        }
    }
    pieces.last().is_some_and(|p| p.is_empty()) || at == text.len()
}

/// Summary, cause, actor, action, source and pattern id: from the pattern when one matched,
/// otherwise from the codes.
fn pattern_or_codes(
    pattern: Option<&'static Pattern>,
    retry: Retry,
    code: ReplyCode,
    enhanced: Option<EnhancedCode>,
) -> (String, String, Actor, String, Source, Option<&'static str>) {
    match pattern {
        Some(p) => (
            p.summary.to_owned(),
            p.cause.to_owned(),
            p.actor,
            pattern_action(p, retry),
            Source::Pattern,
            Some(p.id),
        ),
        None => {
            let (summary, cause, actor, action, source) = fallback(code, enhanced);
            (summary, cause, actor, action, source, None)
        }
    }
}

fn pattern_action(p: &Pattern, retry: Retry) -> String {
    match (retry, p.transient_action) {
        (Retry::Helps, Some(t)) => t.to_owned(),
        _ => p.action.to_owned(),
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

fn meaning_of(code: Option<ReplyCode>, enhanced: Option<EnhancedCode>) -> String {
    let mut parts = Vec::new();
    if let Some(code) = code {
        let about = match code.category() {
            ReplyCategory::Unspecified => String::new(),
            other => format!(" about {}", other.name()),
        };
        match code.standard_meaning() {
            Some(m) if code.is_standard_form() => parts.push(format!(
                "{code} \"{m}\": {} reply{about}",
                code.class().name(),
            )),
            _ if code.is_standard_form() => {
                parts.push(format!("{code}: {} reply{about}", code.class().name()));
            }
            _ => parts.push(format!(
                "{code} (not a code RFC 5321 defines): by its first digit, a {} reply",
                code.class().name()
            )),
        }
    }
    if let Some(e) = enhanced {
        match e.registered() {
            Some(reg) => parts.push(format!(
                "{e} \"{}\" ({}): {}",
                reg.title,
                e.subject().name(),
                reg.description
            )),
            None => parts.push(format!(
                "{e}: an unregistered code in {} ({})",
                e.subject().name(),
                e.class_meaning()
            )),
        }
    }
    parts.join("; ")
}

fn code_reference(code: ReplyCode) -> &'static str {
    match code.value() {
        235 | 334 | 454 | 530 | 534 | 535 | 538 => "RFC 4954",
        556 => "RFC 7505",
        _ => "RFC 5321 §4.2",
    }
}

fn push_unique(refs: &mut Vec<String>, r: &str) {
    if !refs.iter().any(|x| x == r) {
        refs.push(r.to_owned());
    }
}

fn first_sentence(text: &str) -> String {
    match text.find(". ") {
        Some(i) => text[..=i].to_owned(),
        None => text.to_owned(),
    }
}

/// Summary, cause, actor and action when no pattern matched: from the enhanced code's subject
/// and detail when there is one (and it says more than "other or undefined"), from the basic
/// code otherwise.
fn fallback(
    code: ReplyCode,
    enhanced: Option<EnhancedCode>,
) -> (String, String, Actor, String, Source) {
    let transient = code.is_transient();
    if code.is_positive() || code.class() == ReplyClass::PositiveIntermediate {
        let summary = code
            .standard_meaning()
            .unwrap_or("Positive reply")
            .to_owned();
        return (
            summary,
            "The server accepted the command.".to_owned(),
            Actor::Nobody,
            code.class().client_action().to_owned(),
            Source::BasicCode,
        );
    }
    if let Some(e) = enhanced
        && e.detail() != 0
        && let Some(reg) = e.registered()
    {
        let actor = actor_for_subject(e.subject(), transient);
        let action = action_for(actor, transient);
        return (
            reg.title.to_owned(),
            reg.description.to_owned(),
            actor,
            action,
            Source::EnhancedCode,
        );
    }
    let basic = basic_advice(code);
    let summary = if code.is_standard_form() {
        code.standard_meaning()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{} reply", capitalise(code.class().name())))
    } else {
        format!(
            "{} reply with a non-standard code",
            capitalise(code.class().name())
        )
    };
    let mut cause = basic.cause.to_owned();
    if let Some(e) = enhanced {
        cause.push_str(&format!(
            " The enhanced code {e} only says that it concerns the {}.",
            e.subject().name()
        ));
    }
    let action = if transient {
        action_for(basic.actor, true)
    } else {
        basic.action.to_owned()
    };
    (summary, cause, basic.actor, action, Source::BasicCode)
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn actor_for_subject(subject: Subject, transient: bool) -> Actor {
    match subject {
        _ if transient => Actor::RecipientAdmin,
        Subject::Addressing => Actor::Sender,
        Subject::Mailbox => Actor::Recipient,
        Subject::Content => Actor::Sender,
        Subject::Protocol | Subject::SecurityPolicy => Actor::SenderAdmin,
        _ => Actor::RecipientAdmin,
    }
}

fn action_for(actor: Actor, transient: bool) -> String {
    if transient {
        return "Nothing yet: the sending server keeps the message and retries on its schedule. If it keeps failing for days, the message is returned with the last reply; then send the full reply to postmaster@ the recipient's domain.".to_owned();
    }
    match actor {
        Actor::Sender => "Check the recipient address and the message, correct what the reply points at, and send again.",
        Actor::SenderAdmin => "The sending system's administrator must fix what the reply points at (client configuration, DNS, authentication) before sending again.",
        Actor::Recipient => "Tell the recipient another way; they must fix their mailbox before mail can arrive.",
        Actor::RecipientAdmin => "The receiving server's administrator must fix this: send them the full reply (postmaster@ the recipient's domain), or reach the recipient another way.",
        Actor::Nobody => "Nothing.",
    }
    .to_owned()
}

/// What the basic code alone says: the likely cause, who acts, and what to do.
struct BasicAdvice {
    cause: &'static str,
    actor: Actor,
    action: &'static str,
}

const fn advice(cause: &'static str, actor: Actor, action: &'static str) -> BasicAdvice {
    BasicAdvice {
        cause,
        actor,
        action,
    }
}

const READ_THE_TEXT: &str = "Read the reply text for the reason. If it gives none, send the full reply to postmaster@ the recipient's domain, or reach the recipient another way.";
const FIX_THE_CLIENT: &str = "The sending software sent a command or parameter this server does not accept: update or reconfigure it (the reply text usually names the command).";

fn basic_advice(code: ReplyCode) -> BasicAdvice {
    let waiting = "Nothing: the sending server retries on its own.";
    match code.value() {
        421 => advice(
            "The server is closing the connection: it is shutting down, overloaded, or limiting this client.",
            Actor::RecipientAdmin,
            waiting,
        ),
        450 => advice(
            "The mailbox is temporarily unavailable (busy, locked, or the server delays unknown senders).",
            Actor::RecipientAdmin,
            waiting,
        ),
        451 => advice(
            "The server had a local error while processing the command.",
            Actor::RecipientAdmin,
            waiting,
        ),
        452 => advice(
            "The server is short of storage or refused more recipients for now.",
            Actor::RecipientAdmin,
            waiting,
        ),
        454 => advice(
            "TLS or authentication is temporarily unavailable on the server.",
            Actor::RecipientAdmin,
            waiting,
        ),
        500 => advice(
            "The server did not understand the command (unknown command or a line too long).",
            Actor::SenderAdmin,
            FIX_THE_CLIENT,
        ),
        501 => advice(
            "The command's arguments are malformed (often an address with bad syntax).",
            Actor::SenderAdmin,
            "Check the addresses for typos, spaces or missing angle brackets; if they are right, the sending software formats the command wrongly and must be fixed.",
        ),
        502 => advice(
            "The server does not implement this command.",
            Actor::SenderAdmin,
            FIX_THE_CLIENT,
        ),
        503 => advice(
            "The commands were sent in the wrong order (often: sending without logging in, or a recipient refused earlier).",
            Actor::SenderAdmin,
            "Look at the earlier replies of the session: a refused MAIL or RCPT, or a missing login, usually comes first. Fix that, or the sending software's command order.",
        ),
        504 => advice(
            "A parameter of the command is not implemented by the server.",
            Actor::SenderAdmin,
            FIX_THE_CLIENT,
        ),
        521 | 556 => advice(
            "The domain or host does not accept mail at all.",
            Actor::Sender,
            "Check the spelling of the recipient's domain; if it is right, the domain receives no mail: reach the recipient another way.",
        ),
        530 => advice(
            "The server requires authentication or TLS before this command.",
            Actor::SenderAdmin,
            "Enable TLS (STARTTLS) and log in with the account's user name and password in the sending client.",
        ),
        534 | 535 | 538 => advice(
            "The login was refused.",
            Actor::Sender,
            "Check the user name, the password and the required login method (some providers need an app password or OAuth).",
        ),
        550 => advice(
            "The mailbox is unavailable: it does not exist, or the receiver's policy refused the message.",
            Actor::Sender,
            "Check the recipient address for typos. If it is right, the refusal is the receiver's policy: read the reply text for a reason, and if it gives none, send the full reply to postmaster@ the recipient's domain or reach the recipient another way.",
        ),
        551 => advice(
            "The recipient is not local to this server; the reply may name another address.",
            Actor::Sender,
            "Send to the address the reply names, if any; otherwise ask the recipient for their current address.",
        ),
        552 => advice(
            "A storage limit was exceeded: the message is too large or the mailbox is full.",
            Actor::Sender,
            "If the message is large, send it smaller (share big files by link); if the recipient's mailbox is full, tell them another way.",
        ),
        553 => advice(
            "The mailbox name is not allowed (bad syntax, or not permitted by policy).",
            Actor::Sender,
            "Check the address for typos and unusual characters; if it is right, read the reply text for the policy that refused it.",
        ),
        554 => advice(
            "The transaction failed: the server refused the message or the session, usually by policy.",
            Actor::Sender,
            READ_THE_TEXT,
        ),
        555 => advice(
            "A MAIL or RCPT parameter is not recognised by the server.",
            Actor::SenderAdmin,
            FIX_THE_CLIENT,
        ),
        _ if code.is_transient() => advice(
            "The server cannot do this now; it may succeed later.",
            Actor::RecipientAdmin,
            waiting,
        ),
        _ if !code.is_standard_form() => advice(
            "The server used a code SMTP does not define; only its first digit is meaningful, and the reply text should say the reason.",
            Actor::RecipientAdmin,
            READ_THE_TEXT,
        ),
        _ => advice(
            "The server refused the command.",
            Actor::Sender,
            READ_THE_TEXT,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{find_reply, parse};

    #[test]
    fn own_replies_are_explained_from_the_catalogue() {
        let reply = catalogue::RCPT_UNKNOWN_USER.reply_with(&[("address", "bob@example.com")]);
        let ex = explain(&parse(&reply.to_wire(true)).unwrap());
        assert_eq!(ex.catalogue_id, Some("rcpt.unknown_user"));
        assert_eq!(ex.actor, Actor::Sender);
        assert_eq!(ex.retry, Retry::Useless);
    }

    #[test]
    fn every_catalogue_reply_explains_to_itself_or_a_same_code_twin() {
        for entry in catalogue::ALL {
            let args: Vec<(&str, &str)> =
                entry.placeholders().iter().map(|n| (*n, "value")).collect();
            let reply = entry.reply_with(&args);
            if reply.text().is_empty() {
                continue;
            }
            let ex = explain(&parse(&reply.to_wire(true)).unwrap());
            if entry.placeholders() == ["detail"] || entry.placeholders() == ["challenge"] {
                continue; // the whole text is a value: nothing to recognise it by
            }
            let found = ex.catalogue_id.and_then(catalogue::by_id);
            assert_eq!(
                found.map(|f| f.code),
                Some(entry.code),
                "{}: {reply}",
                entry.id
            );
        }
    }

    #[test]
    fn disagreement_is_noted_and_basic_code_rules() {
        let ex = explain(&parse(b"550 4.2.2 Mailbox full").unwrap());
        assert_eq!(ex.retry, Retry::Useless);
        assert!(
            ex.notes.iter().any(|n| n.contains("disagree")),
            "{:?}",
            ex.notes
        );
        assert_eq!(ex.pattern_id, Some("mailbox_full"));
    }

    #[test]
    fn transient_pattern_uses_transient_advice() {
        let ex = explain(
            &find_reply("452 4.2.2 The email account that you tried to reach is over quota")
                .unwrap(),
        );
        assert_eq!(ex.retry, Retry::Helps);
        assert!(ex.action.contains("retried"));
    }

    #[test]
    fn bare_codes() {
        let ex = explain_code(ReplyCode::MAILBOX_UNAVAILABLE);
        assert_eq!(ex.retry, Retry::Useless);
        assert!(ex.meaning.contains("550"));
        let ex = explain_enhanced("4.7.1".parse().unwrap());
        assert_eq!(ex.retry, Retry::Helps);
        assert!(ex.meaning.contains("Delivery not authorized"));
        let ex = explain_enhanced("2.0.0".parse().unwrap());
        assert_eq!(ex.retry, Retry::NotNeeded);
    }

    #[test]
    fn nonstandard_and_generic_codes_fall_back_to_the_basic_code() {
        let ex = explain(&parse(b"599 5.0.0 Unspecified error").unwrap());
        assert_eq!(ex.source, Source::BasicCode);
        assert_eq!(ex.retry, Retry::Useless);
        assert!(ex.summary.contains("non-standard"), "{}", ex.summary);
        assert!(ex.meaning.contains("first digit"), "{}", ex.meaning);
        assert!(ex.action.contains("postmaster@"), "{}", ex.action);
        // x.y.0 says only the subject: the basic code's advice is more useful.
        let ex = explain(&parse(b"451 4.3.0 Something odd").unwrap());
        assert_eq!(ex.source, Source::BasicCode);
        assert!(
            ex.likely_cause.contains("mail system status"),
            "{}",
            ex.likely_cause
        );
        // A specific registered code is still explained by the registry.
        let ex = explain(&parse(b"550 5.1.3 Something odd").unwrap());
        assert_eq!(ex.source, Source::EnhancedCode);
    }

    #[test]
    fn a_bare_550_says_what_to_check_first() {
        let ex = explain(&parse(b"550 Requested action not taken: mailbox unavailable").unwrap());
        assert_eq!(ex.actor, Actor::Sender);
        assert!(
            ex.action.starts_with("Check the recipient address"),
            "{}",
            ex.action
        );
    }

    #[test]
    fn template_matching() {
        assert!(template_matches(
            "Ok: queued as {queue_id}",
            "Ok: queued as ABC"
        ));
        assert!(!template_matches(
            "Ok: queued as {queue_id}",
            "Yes: queued as ABC"
        ));
        assert!(template_matches(
            "No such user here: <{address}>",
            "No such user here: <a@b>"
        ));
        assert!(!template_matches(
            "No such user here: <{address}>",
            "No such user here: <a@b> extra"
        ));
        assert!(!template_matches("{detail}", "anything"));
    }
}
