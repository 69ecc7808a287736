//! `docs/causes.md`, generated from the cause table and the pattern library
//! (`TERN_BLESS=1 cargo test -p tern-codes docs_causes_md` rewrites it).

use super::{ALL, CauseInfo, RetryRule};
use crate::patterns;
use crate::provider::Provider;

/// The Markdown reference of every cause, with the providers whose wording is recognised.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Why mail is refused: the causes `tern explain` names\n\n\
         <!-- Generated from crates/tern-codes/src/cause/table.rs and the pattern library by \
         `TERN_BLESS=1 cargo test -p tern-codes docs_causes_md`. Do not edit by hand: a test fails when \
         this file is stale. -->\n\n\
         Every explanation of another server's reply names one of these causes (`cause` in \
         `tern explain --json`), decided from the reply's words first and its codes second \
         (see [explain.md](explain.md)). *Who acts* is seen from the side of the person who \
         sent the mail; *resend helps* answers \"would sending it again later, unchanged, \
         work without anyone acting?\", which is not always what the first digit says.\n\n\
         | cause | family | who acts | resend helps | patterns |\n|---|---|---|---|---|\n",
    );
    for c in ALL {
        out.push_str(&format!(
            "| [`{}`](#{}) | {} | {} | {} | {} |\n",
            c.id,
            c.id,
            c.family.id(),
            c.who.id(),
            match c.retry {
                RetryRule::Helps(_) => "yes",
                RetryRule::Never(_) => "no",
                RetryRule::ByClass => "4yz: yes, 5yz: no",
            },
            patterns::all().filter(|p| p.cause == c.cause).count()
        ));
    }
    for c in ALL {
        section(&mut out, c);
    }
    out
}

fn section(out: &mut String, c: &CauseInfo) {
    out.push_str(&format!(
        "\n## {}\n\n**{}.** {}\n\n",
        c.id, c.title, c.meaning
    ));
    let who = if matches!(c.retry, RetryRule::Helps(_)) && c.who != super::WhoActs::Nobody {
        format!("{} (although it passes by itself)", c.who.describe())
    } else {
        c.who.describe().to_owned()
    };
    out.push_str(&format!("- **Who acts:** {who}\n"));
    let retry = match c.retry {
        RetryRule::Helps(when) => format!("yes, {when}"),
        RetryRule::Never(until) => format!("no: {until}"),
        RetryRule::ByClass => "as the first digit says: yes for a 4yz reply (the condition is temporary), no for a 5yz reply".to_owned(),
    };
    out.push_str(&format!("- **Resending later helps:** {retry}\n"));
    out.push_str(&format!("- **What to do:** {}\n", c.action));
    let mut providers: Vec<&str> = Vec::new();
    for p in patterns::all().filter(|p| p.cause == c.cause) {
        let name = if p.provider == Provider::Generic {
            "generic wording"
        } else {
            p.provider.name()
        };
        if !providers.contains(&name) {
            providers.push(name);
        }
    }
    if !providers.is_empty() {
        out.push_str(&format!(
            "- **Recognised in replies of:** {}\n",
            providers.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    /// docs/causes.md must be what the tables generate now.
    #[test]
    fn docs_causes_md_is_current() {
        crate::generated_doc::check("causes.md", &super::markdown(), "docs_causes_md");
    }
}
