//! Maildir delivery (the Maildir specification and its Maildir++ size extension): a unique
//! file in `tmp/`, written and fsynced, renamed into `new/`, and `new/` fsynced, so a message
//! reported delivered survives a crash.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The mailboxes of this host: `root/<domain>/<local part>/{tmp,new,cur}`.
#[derive(Debug)]
pub struct Maildirs {
    root: PathBuf,
    hostname: String,
    counter: AtomicU64,
}

impl Maildirs {
    /// Mailboxes under `root`; `hostname` goes into the unique file names.
    pub fn new(root: impl Into<PathBuf>, hostname: &str) -> Maildirs {
        let hostname = hostname
            .chars()
            .map(|c| if c == '/' || c == ':' { '_' } else { c })
            .collect();
        Maildirs {
            root: root.into(),
            hostname,
            counter: AtomicU64::new(0),
        }
    }

    /// The directory of a mailbox (`local@domain`). Names are lower-cased and every byte
    /// outside `[a-z0-9._+-]` (and a leading dot) is written `%XX`, so an address can never
    /// name a path outside the root.
    pub fn dir_of(&self, mailbox: &str) -> PathBuf {
        let (local, domain) = mailbox.rsplit_once('@').unwrap_or((mailbox, "localhost"));
        self.root.join(safe_name(domain)).join(safe_name(local))
    }

    /// Writes a message into the mailbox: `prefix` (trace headers) then `body`. Returns the
    /// file in `new/` once it and its directory entry are durable.
    pub fn deliver(&self, mailbox: &str, prefix: &[u8], body: &[u8]) -> io::Result<PathBuf> {
        let dir = self.dir_of(mailbox);
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(dir.join(sub))?;
        }
        let size = prefix.len() + body.len();
        let name = self.unique_name(size);
        let tmp = dir.join("tmp").join(&name);
        let result = (|| {
            let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            file.write_all(prefix)?;
            file.write_all(body)?;
            file.sync_all()?;
            let new = dir.join("new").join(&name);
            fs::rename(&tmp, &new)?;
            File::open(dir.join("new"))?.sync_all()?;
            Ok(new)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Octets used by a mailbox, from the `S=` sizes in its file names (Maildir++), falling
    /// back to the file size.
    pub fn usage(&self, mailbox: &str) -> io::Result<u64> {
        let dir = self.dir_of(mailbox);
        let mut total = 0u64;
        for sub in ["new", "cur"] {
            let entries = match fs::read_dir(dir.join(sub)) {
                Ok(e) => e,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            for entry in entries {
                let entry = entry?;
                let name = entry.file_name();
                let size = name
                    .to_str()
                    .and_then(size_from_name)
                    .map(Ok)
                    .unwrap_or_else(|| entry.metadata().map(|m| m.len()))?;
                total = total.saturating_add(size);
            }
        }
        Ok(total)
    }

    fn unique_name(&self, size: usize) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!(
            "{}.M{}P{}Q{}.{},S={}",
            now.as_secs(),
            now.subsec_micros(),
            std::process::id(),
            n,
            self.hostname,
            size
        )
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

fn size_from_name(name: &str) -> Option<u64> {
    let start = name.find(",S=")? + 3;
    let digits: String = name[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn safe_name(part: &str) -> String {
    let lower = part.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    for (i, b) in lower.bytes().enumerate() {
        let plain = b.is_ascii_lowercase()
            || b.is_ascii_digit()
            || matches!(b, b'_' | b'+' | b'-')
            || (b == b'.' && i > 0);
        if plain {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.is_empty() {
        out.push_str("%00");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivers_durably_into_new() {
        let dir = tempfile::tempdir().unwrap();
        let m = Maildirs::new(dir.path(), "mx.example");
        let path = m
            .deliver("Alice@Example.com", b"Delivered-To: alice\r\n", b"body\r\n")
            .unwrap();
        assert!(path.starts_with(dir.path().join("example.com/alice/new")));
        assert_eq!(fs::read(&path).unwrap(), b"Delivered-To: alice\r\nbody\r\n");
        assert_eq!(
            fs::read_dir(dir.path().join("example.com/alice/tmp"))
                .unwrap()
                .count(),
            0
        );
        let second = m.deliver("alice@example.com", b"", b"x").unwrap();
        assert_ne!(path, second);
        assert_eq!(m.usage("alice@example.com").unwrap(), 27 + 1);
    }

    #[test]
    fn names_cannot_escape_the_root() {
        let m = Maildirs::new("/srv/mail", "h");
        let p = m.dir_of("../../etc/passwd@..");
        assert!(p.starts_with("/srv/mail"));
        assert!(!p.components().any(|c| c == std::path::Component::ParentDir));
        assert_eq!(
            m.dir_of("a/b@x.org"),
            PathBuf::from("/srv/mail/x.org/a%2Fb")
        );
    }
}
