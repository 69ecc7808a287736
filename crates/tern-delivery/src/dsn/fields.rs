//! The machine-readable half of a DSN: the `message/delivery-status` fields (RFC 3464 §2),
//! and the small helpers every part needs: sanitising text from the network, typed addresses
//! (RFC 3464 §2.1.1, RFC 6533 §3) and RFC 5322 dates.

use tern_codes::{EnhancedCode, Reply};
pub use tern_proto::date::rfc5322_date;

use super::{Action, DsnInput, DsnRecipient};

/// The longest line of the delivery-status part, CRLF excluded (RFC 5322 §2.1.1).
const MAX_LINE: usize = 998;

/// Replaces every control character (CR, LF, TAB, NUL, DEL, the C1 controls) and the Unicode
/// line and paragraph separators with a space, then trims. Nothing that comes from the network
/// can start a header line or a field of its own after this.
pub(super) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// [`clean`], then every non-ASCII character becomes `?`: for the 7-bit delivery-status part.
pub(super) fn clean_ascii(text: &str) -> String {
    clean(text)
        .chars()
        .map(|c| if c.is_ascii() { c } else { '?' })
        .collect()
}

/// `s` reduced to the characters of a dot-atom domain (letters, digits, `-`, `.`); anything
/// else becomes `-`. For the parts of `Message-ID` and `From` that name this host.
pub(super) fn host_atom(host: &str) -> String {
    let out: String = clean(host)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let out = out.trim_matches('.').to_owned();
    if out.is_empty() {
        "localhost".to_owned()
    } else {
        out
    }
}

/// An address as a delivery-status field types it: `rfc822; addr` when it is ASCII,
/// otherwise `utf-8; addr` in the 7-bit `utf-8-addr-xtext` form of RFC 6533 §3 (every
/// non-ASCII character, and `\`, `+`, `=`, space, as `\x{HEX}`).
pub(super) fn typed_address(address: &str) -> String {
    let address = clean(address);
    if address.is_ascii() {
        format!("rfc822; {address}")
    } else {
        format!("utf-8; {}", utf8_xtext(&address, true))
    }
}

/// The `Original-Recipient` value from the `ORCPT` parameter as stored (`addr-type;address`,
/// xtext already decoded). A bare address (no type) is typed like [`typed_address`].
pub(super) fn typed_orcpt(orcpt: &str) -> String {
    let orcpt = clean(orcpt);
    let Some((kind, address)) = orcpt.split_once(';') else {
        return typed_address(&orcpt);
    };
    let kind = kind.trim();
    let address = address.trim();
    let is_atom = !kind.is_empty()
        && kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !is_atom {
        return typed_address(&orcpt);
    }
    if kind.eq_ignore_ascii_case("rfc822") && address.is_ascii() {
        format!("rfc822; {address}")
    } else if kind.eq_ignore_ascii_case("rfc822") || kind.eq_ignore_ascii_case("utf-8") {
        // `utf-8;` as given may be the unitext form (raw UTF-8, `\`, `+` and `=` already
        // escaped): only the non-ASCII characters still need their escape.
        let escape_specials = kind.eq_ignore_ascii_case("rfc822");
        format!("utf-8; {}", utf8_xtext(address, escape_specials))
    } else {
        format!("{}; {}", kind.to_ascii_lowercase(), clean_ascii(address))
    }
}

/// RFC 6533 §3 `utf-8-addr-xtext`: QCHAR as is, everything else as `\x{HEX}`. With
/// `escape_specials` false, `\`, `+` and `=` are taken to be escapes already and left alone.
fn utf8_xtext(address: &str, escape_specials: bool) -> String {
    let mut out = String::with_capacity(address.len() + 16);
    for c in address.chars() {
        let special = matches!(c, '\\' | '+' | '=');
        if ('!'..='~').contains(&c) && !(special && escape_specials) {
            out.push(c);
        } else {
            out.push_str(&format!("\\x{{{:02X}}}", u32::from(c)));
        }
    }
    out
}

/// The `Status` of a recipient (RFC 3464 §2.3.4): the reply's enhanced code, with its class
/// made to agree with the action (a `failed` recipient is `5.x.x` even when the last reply was
/// a transient one that outlived the retry period; `delayed` is `4.x.x`; the others `2.x.x`).
/// Without an enhanced code, `class.0.0`.
pub(super) fn status(action: Action, reply: &Reply) -> EnhancedCode {
    let class = match action {
        Action::Failed => 5,
        Action::Delayed => 4,
        Action::Delivered | Action::Relayed | Action::Expanded => 2,
    };
    reply
        .enhanced()
        .and_then(|e| e.with_class(class))
        .unwrap_or_else(|| EnhancedCode::from_parts(class, 0, 0))
}

/// The `message/delivery-status` body: the per-message fields, then one block per recipient,
/// blank lines between, CRLF line ends, 7-bit.
pub(super) fn delivery_status(input: &DsnInput<'_>, recipients: &[&DsnRecipient<'_>]) -> String {
    let mut out = String::with_capacity(256 + 384 * recipients.len());
    field(
        &mut out,
        "Reporting-MTA",
        &format!("dns; {}", clean_ascii(input.reporting_mta)),
    );
    field(&mut out, "X-Tern-Queue-ID", &clean_ascii(input.queue_id));
    if let Some(envid) = input.original.params.envid.as_deref() {
        field(&mut out, "Original-Envelope-Id", &clean_ascii(envid));
    }
    if let Some(sender) = input.original.sender.as_deref() {
        field(&mut out, "X-Tern-Sender", &typed_address(sender));
    }
    field(
        &mut out,
        "Arrival-Date",
        &rfc5322_date(input.original.received_at_ms),
    );
    for r in recipients {
        out.push_str("\r\n");
        if let Some(orcpt) = r.orcpt {
            field(
                &mut out,
                "Original-Recipient",
                &typed_orcpt(&orcpt.decoded()),
            );
        }
        field(&mut out, "Final-Recipient", &typed_address(r.address));
        field(&mut out, "Action", r.action.as_str());
        field(&mut out, "Status", &status(r.action, &r.reply).to_string());
        if let Some(host) = r.remote_mta {
            field(
                &mut out,
                "Remote-MTA",
                &format!("dns; {}", clean_ascii(host)),
            );
        }
        field(
            &mut out,
            "Diagnostic-Code",
            &format!("smtp; {}", clean_ascii(&r.reply.to_string())),
        );
        if let Some(at) = r.last_attempt_ms {
            field(&mut out, "Last-Attempt-Date", &rfc5322_date(at));
        }
        if let (Action::Delayed, Some(until)) = (r.action, r.will_retry_until_ms) {
            field(&mut out, "Will-Retry-Until", &rfc5322_date(until));
        }
    }
    out
}

/// Appends `Name: value` CRLF. The value stays on one line (what bounce readers grep for)
/// unless that line would pass 998 octets; then it is folded at spaces, and a word longer than
/// a line is cut.
fn field(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(": ");
    let mut room = MAX_LINE - name.len() - 2;
    let mut rest = value;
    while rest.len() > room {
        while !rest.is_char_boundary(room) {
            room -= 1;
        }
        let cut = rest
            .get(..room)
            .and_then(|head| head.rfind(' '))
            .filter(|&i| i > 0)
            .unwrap_or(room);
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = rest[cut..].strip_prefix(' ').unwrap_or(&rest[cut..]);
        room = MAX_LINE - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}
