//! The catalogue match and the RFC meaning of the codes: the parts of an explanation that
//! do not depend on the reply's words.

use crate::catalogue::{self, Entry};
use crate::{EnhancedCode, Reply, ReplyCategory, ReplyCode};

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
pub(super) fn template_matches(template: &str, text: &str) -> bool {
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

pub(super) fn meaning_of(code: Option<ReplyCode>, enhanced: Option<EnhancedCode>) -> String {
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

pub(super) fn code_reference(code: ReplyCode) -> &'static str {
    match code.value() {
        235 | 334 | 454 | 530 | 534 | 535 | 538 => "RFC 4954",
        556 => "RFC 7505",
        _ => "RFC 5321 §4.2",
    }
}

pub(super) fn push_unique(refs: &mut Vec<String>, r: &str) {
    if !refs.iter().any(|x| x == r) {
        refs.push(r.to_owned());
    }
}

pub(super) fn first_sentence(text: &str) -> String {
    match text.find(". ") {
        Some(i) => text[..=i].to_owned(),
        None => text.to_owned(),
    }
}
