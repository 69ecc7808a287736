//! Configuration errors that name the file, the line and the key.

use std::fmt;
use std::path::PathBuf;

/// What is wrong with a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, when the config came from one.
    pub file: Option<PathBuf>,
    /// The line (from 1), when known.
    pub line: Option<usize>,
    /// The dotted key, e.g. `limits.max_message_size`, when known.
    pub key: Option<String>,
    /// What is wrong and what is expected.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
            }
            write!(f, ": ")?;
        } else if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The line on which `key` (dotted, e.g. `limits.max_message_size`) is set in `source`, found
/// by following `[table]` headers. Good enough for error messages; not a TOML parser.
pub fn line_of_key(source: &str, key: &str) -> Option<usize> {
    let (table, leaf) = match key.rsplit_once('.') {
        Some((t, l)) => (t, l),
        None => ("", key),
    };
    let mut current = String::new();
    let mut table_line = None;
    for (i, line) in source.lines().enumerate() {
        let t = line.trim();
        if let Some(header) = t.strip_prefix("[[").and_then(|h| h.split_once("]]")) {
            current = header.0.trim().to_owned();
            if current == table || (table.starts_with(&current) && table_line.is_none()) {
                table_line = Some(i + 1);
            }
            continue;
        }
        if let Some(header) = t.strip_prefix('[').and_then(|h| h.split_once(']')) {
            current = header.0.trim().to_owned();
            if current == table {
                table_line = Some(i + 1);
            }
            continue;
        }
        let Some((name, _)) = t.split_once('=') else {
            continue;
        };
        let name = name.trim().trim_matches('"');
        let full = if current.is_empty() {
            name.to_owned()
        } else {
            format!("{current}.{name}")
        };
        if full == key || (current == table && name == leaf) {
            return Some(i + 1);
        }
    }
    table_line
}

/// The line on which `key` (e.g. `delivery.route.host`) is set in the `entry`-th (from 0)
/// table of its array of tables (`[[delivery.route]]`), or that table's header line when the
/// key is not set there. Falls back to [`line_of_key`] when the source has no such header
/// (an inline array, say).
pub fn line_of_entry_key(source: &str, key: &str, entry: usize) -> Option<usize> {
    let Some((table, leaf)) = key.rsplit_once('.') else {
        return line_of_key(source, key);
    };
    let mut seen = 0;
    let mut header = None;
    for (i, line) in source.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            if header.is_some() {
                break; // the entry's table ended
            }
            let name = t
                .strip_prefix("[[")
                .and_then(|h| h.split_once("]]"))
                .map(|(name, _)| name.trim());
            if name == Some(table) {
                if seen == entry {
                    header = Some(i + 1);
                }
                seen += 1;
            }
            continue;
        }
        if header.is_none() {
            continue;
        }
        let Some((name, _)) = t.split_once('=') else {
            continue;
        };
        if name.trim().trim_matches('"') == leaf {
            return Some(i + 1);
        }
    }
    header.or_else(|| line_of_key(source, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_under_tables() {
        let src = "a = 1\n[limits]\n# comment\nmax_message_size = \"x\"\n[local]\ndomains = []\n";
        assert_eq!(line_of_key(src, "limits.max_message_size"), Some(4));
        assert_eq!(line_of_key(src, "local.domains"), Some(6));
        assert_eq!(line_of_key(src, "a"), Some(1));
        assert_eq!(line_of_key(src, "local.missing"), Some(5));
        assert_eq!(line_of_key(src, "nothing.here"), None);
    }

    #[test]
    fn finds_keys_in_the_nth_table_of_an_array() {
        let src = "[[r]]\nhost = 1\n\n[[r]]\nname = 2\n[[r.sub]]\nhost = 9\n[[r]]\nhost = 3\n";
        assert_eq!(line_of_entry_key(src, "r.host", 0), Some(2));
        assert_eq!(
            line_of_entry_key(src, "r.host", 1),
            Some(4),
            "not set: the header"
        );
        assert_eq!(line_of_entry_key(src, "r.host", 2), Some(9));
        assert_eq!(
            line_of_entry_key(src, "r.host", 3),
            Some(2),
            "no such entry"
        );
    }
}
