//! `docs/replies.md`, generated from the catalogue (`tern catalogue --format markdown`).

use super::{ALL, Entry};

/// The Markdown reference of every reply Tern sends.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Replies Tern sends\n\n\
         <!-- Generated from crates/tern-codes/src/catalogue/entries.rs by \
         `tern catalogue --format markdown`. Do not edit by hand: a test fails when this file \
         is stale. -->\n\n\
         Every reply Tern writes on the wire comes from this catalogue. The enhanced status \
         code is sent once the client has said EHLO (RFC 2034); the greeting and EHLO replies \
         carry none. `{name}` stands for a value filled in at the time (an address, a size, a \
         queue id). `tern explain <reply>` prints the same explanation for any reply, from \
         Tern or from any other server.\n\n\
         | id | code | enhanced | text |\n|---|---|---|---|\n",
    );
    for e in ALL {
        out.push_str(&format!(
            "| [`{}`](#{}) | {} | {} | {} |\n",
            e.id,
            anchor(e),
            e.code,
            e.enhanced
                .map(|c| c.to_string())
                .unwrap_or_else(|| "—".into()),
            escape(&e.text.replace('\n', " / "))
        ));
    }
    for e in ALL {
        out.push_str(&format!("\n## {}\n\n", e.id));
        let enhanced = e.enhanced.map(|c| format!(" {c}")).unwrap_or_default();
        out.push_str(&format!(
            "`{}{} {}`\n\n",
            e.code,
            enhanced,
            e.text.replace('\n', " / ")
        ));
        out.push_str(&format!("- **Meaning:** {}\n", e.meaning));
        out.push_str(&format!("- **Who acts:** {}\n", e.actor.describe()));
        out.push_str(&format!("- **Retry:** {}\n", e.retry.describe()));
        out.push_str(&format!("- **What to do:** {}\n", e.action));
        out.push_str(&format!("- **Reference:** {}\n", e.rfc));
    }
    out
}

fn anchor(e: &Entry) -> String {
    e.id.chars().filter(|c| *c != '.').collect()
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    /// docs/replies.md must be what the catalogue generates now.
    #[test]
    fn docs_replies_md_is_current() {
        crate::generated_doc::check("replies.md", &super::markdown(), "docs_replies_md");
    }
}
