//! Maildir delivery (the Maildir specification and its Maildir++ size extension): a file in
//! `tmp/`, written and fsynced, renamed into `new/`, and `new/` fsynced, so a message reported
//! delivered survives a crash.
//!
//! A copy's name is derived from the message and the recipient, not drawn fresh, so a delivery
//! repeated after a crash that fell between the rename and the store's record finds the copy
//! it made the first time ([`Maildirs::existing`]) instead of writing a second one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tern_store::QueueId;

/// The mailboxes of this host: `root/<domain>/<local part>/{tmp,new,cur}`.
#[derive(Debug)]
pub struct Maildirs {
    root: PathBuf,
    hostname: String,
}

impl Maildirs {
    /// Mailboxes under `root`; `hostname` goes into the file names.
    pub fn new(root: impl Into<PathBuf>, hostname: &str) -> Maildirs {
        let hostname = hostname
            .chars()
            .map(|c| if matches!(c, '/' | ':' | ',') { '_' } else { c })
            .collect();
        Maildirs {
            root: root.into(),
            hostname,
        }
    }

    /// The directory of a mailbox (`local@domain`). Names are lower-cased and every byte
    /// outside `[a-z0-9._+-]` (and a leading dot) is written `%XX`, so an address can never
    /// name a path outside the root.
    pub fn dir_of(&self, mailbox: &str) -> PathBuf {
        let (local, domain) = mailbox.rsplit_once('@').unwrap_or((mailbox, "localhost"));
        self.root.join(safe_name(domain)).join(safe_name(local))
    }

    /// The file name of `recipient`'s copy of message `id`, `size` octets long:
    /// `<seconds>.<queue id>-<hash>.<hostname>,S=<size>`. The three dot-separated pieces are
    /// the Maildir specification's: the time (when the message was received), a delivery
    /// identifier unique on this host (the queue id and a 64-bit FNV-1a hash of the
    /// lower-cased recipient address), the hostname; `,S=` is Maildir++'s size. The same
    /// message and recipient always get the same name, on every attempt and in every process.
    pub fn file_name(&self, id: QueueId, recipient: &str, size: usize) -> String {
        format!(
            "{}.{id}-{:016x}.{},S={size}",
            id.unix_ms() / 1000,
            fnv1a(recipient.to_lowercase().as_bytes()),
            self.hostname
        )
    }

    /// The copy named `name` already in the mailbox, if an earlier attempt made it: in `new/`,
    /// or in `cur/` where a mail reader moves it, adding an info suffix (`name:2,S`) and
    /// perhaps fields of its own (`name,W=...`). Without `scan_cur`, only `new/name` and
    /// `cur/name` are looked at (two `stat`s); with it, every name in `cur/` is compared, which
    /// costs a read of the directory.
    pub fn existing(
        &self,
        mailbox: &str,
        name: &str,
        scan_cur: bool,
    ) -> io::Result<Option<PathBuf>> {
        let dir = self.dir_of(mailbox);
        for sub in ["new", "cur"] {
            let path = dir.join(sub).join(name);
            match fs::symlink_metadata(&path) {
                Ok(_) => return Ok(Some(path)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        if !scan_cur {
            return Ok(None);
        }
        let entries = match fs::read_dir(dir.join("cur")) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            if entry
                .file_name()
                .to_str()
                .is_some_and(|f| same_copy(f, name))
            {
                return Ok(Some(entry.path()));
            }
        }
        Ok(None)
    }

    /// Writes a message into the mailbox as `name` (from [`Maildirs::file_name`]): `prefix`
    /// (trace headers) then `body`. Returns the file in `new/` once it and its directory entry
    /// are durable. The file in `tmp/` has the same name; one left there by a crash is
    /// overwritten (only this host's delivery of this recipient uses the name).
    pub fn deliver(
        &self,
        mailbox: &str,
        name: &str,
        prefix: &[u8],
        body: &[u8],
    ) -> io::Result<PathBuf> {
        let dir = self.dir_of(mailbox);
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(dir.join(sub))?;
        }
        let tmp = dir.join("tmp").join(name);
        let result = (|| {
            let mut file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp)?;
            file.write_all(prefix)?;
            file.write_all(body)?;
            file.sync_all()?;
            let new = dir.join("new").join(name);
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

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// Whether `file`, a name in `cur/`, is the copy named `name`: the same name before the info
/// suffix (`:2,...`), or that name followed by further `,` fields.
fn same_copy(file: &str, name: &str) -> bool {
    let base = file.split_once(':').map_or(file, |(base, _)| base);
    base.strip_prefix(name)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(','))
}

/// 64-bit FNV-1a: small, and the same in every build and version (unlike `std`'s hasher),
/// which a name that must be found again after an upgrade needs.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
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

    fn id(n: u32) -> QueueId {
        QueueId::from_parts(1_800_000_000_123, n)
    }

    #[test]
    fn delivers_durably_into_new() {
        let dir = tempfile::tempdir().unwrap();
        let m = Maildirs::new(dir.path(), "mx.example");
        let prefix = b"Delivered-To: alice\r\n";
        let name = m.file_name(id(1), "alice@example.com", prefix.len() + 6);
        let path = m
            .deliver("Alice@Example.com", &name, prefix, b"body\r\n")
            .unwrap();
        assert!(path.starts_with(dir.path().join("example.com/alice/new")));
        assert_eq!(fs::read(&path).unwrap(), b"Delivered-To: alice\r\nbody\r\n");
        assert_eq!(
            fs::read_dir(dir.path().join("example.com/alice/tmp"))
                .unwrap()
                .count(),
            0
        );
        let other = m.file_name(id(2), "alice@example.com", 1);
        let second = m.deliver("alice@example.com", &other, b"", b"x").unwrap();
        assert_ne!(path, second);
        assert_eq!(m.usage("alice@example.com").unwrap(), 27 + 1);
    }

    #[test]
    fn names_are_stable_per_message_and_recipient_and_valid() {
        let m = Maildirs::new("/srv/mail", "mx.example");
        let name = m.file_name(id(7), "Bob@Example.com", 1234);
        assert_eq!(name, m.file_name(id(7), "bob@example.com", 1234));
        let pieces: Vec<&str> = name.splitn(3, '.').collect();
        assert_eq!(pieces[0], "1800000000", "the time on the left: {name}");
        assert!(
            pieces[1].starts_with(&format!("{}-", id(7))),
            "the queue id: {name}"
        );
        assert_eq!(pieces[1].len(), 16 + 1 + 16, "{name}");
        assert_eq!(pieces[2], "mx.example,S=1234", "{name}");
        assert_eq!(size_from_name(&name), Some(1234));
        assert!(!name.contains(['/', ':']), "{name}");
        // Another recipient or another message: another name.
        assert_ne!(name, m.file_name(id(7), "carol@example.com", 1234));
        assert_ne!(name, m.file_name(id(8), "bob@example.com", 1234));
        // Characters the name cannot hold are replaced in the hostname.
        let odd = Maildirs::new("/srv/mail", "a/b:c,S=9");
        let name = odd.file_name(id(7), "bob@example.com", 5);
        assert!(name.ends_with(".a_b_c_S=9,S=5"), "{name}");
        assert_eq!(size_from_name(&name), Some(5));
    }

    #[test]
    fn fnv1a_is_the_published_function() {
        // Test vectors of the FNV reference.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn an_earlier_copy_is_found_in_new_and_in_cur_with_flags() {
        let dir = tempfile::tempdir().unwrap();
        let m = Maildirs::new(dir.path(), "mx.example");
        let name = m.file_name(id(1), "alice@example.com", 1);
        // Nothing yet, not even the mailbox.
        assert_eq!(m.existing("alice@example.com", &name, true).unwrap(), None);
        let new = m.deliver("alice@example.com", &name, b"", b"x").unwrap();
        assert_eq!(
            m.existing("alice@example.com", &name, false).unwrap(),
            Some(new.clone())
        );
        // Another recipient's copy of the same message is another file.
        let bob = m.file_name(id(1), "bob@example.com", 1);
        assert_eq!(m.existing("alice@example.com", &bob, true).unwrap(), None);

        // A reader moves it to cur/ and flags it seen.
        let cur = dir.path().join("example.com/alice/cur");
        let flagged = cur.join(format!("{name}:2,S"));
        fs::rename(&new, &flagged).unwrap();
        assert_eq!(
            m.existing("alice@example.com", &name, true).unwrap(),
            Some(flagged.clone())
        );
        // Without the scan only the unflagged names are tried.
        assert_eq!(m.existing("alice@example.com", &name, false).unwrap(), None);
        // A reader's own fields after ours still match; a longer name does not.
        let with_field = cur.join(format!("{name},W=40:2,RS"));
        fs::rename(&flagged, &with_field).unwrap();
        assert_eq!(
            m.existing("alice@example.com", &name, true).unwrap(),
            Some(with_field.clone())
        );
        fs::rename(&with_field, cur.join(format!("{name}0:2,S"))).unwrap();
        assert_eq!(m.existing("alice@example.com", &name, true).unwrap(), None);
        // Moved without flags: found by the cheap look too.
        fs::rename(cur.join(format!("{name}0:2,S")), cur.join(&name)).unwrap();
        assert_eq!(
            m.existing("alice@example.com", &name, false).unwrap(),
            Some(cur.join(&name))
        );
    }

    #[test]
    fn same_copy_compares_the_name_before_the_info() {
        let name = "1800000000.ABC-0123.mx,S=5";
        assert!(same_copy(name, name));
        assert!(same_copy(&format!("{name}:2,"), name));
        assert!(same_copy(&format!("{name}:2,FRS"), name));
        assert!(same_copy(&format!("{name},W=7:2,S"), name));
        assert!(!same_copy("1800000000.ABC-0123.mx,S=50:2,S", name));
        assert!(!same_copy("1800000000.ABC-0124.mx,S=5:2,S", name));
        assert!(!same_copy("", name));
    }

    #[test]
    fn a_file_left_in_tmp_by_a_crash_is_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let m = Maildirs::new(dir.path(), "mx.example");
        let name = m.file_name(id(1), "alice@example.com", 5);
        let tmp = dir.path().join("example.com/alice/tmp");
        fs::create_dir_all(&tmp).unwrap();
        fs::write(tmp.join(&name), b"half of a longer message").unwrap();
        let path = m
            .deliver("alice@example.com", &name, b"", b"whole")
            .unwrap();
        assert_eq!(fs::read(path).unwrap(), b"whole");
        assert_eq!(fs::read_dir(&tmp).unwrap().count(), 0);
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
