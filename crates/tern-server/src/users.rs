//! The user database for SMTP AUTH (PLAIN and LOGIN), kept in `data_dir/users`.
//!
//! # File format
//!
//! UTF-8 text, one entry a line:
//!
//! ```text
//! # Tern users: name:argon2 PHC hash. Edit with `tern user add | passwd | del | list`.
//! alice:$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$abc...
//! ```
//!
//! - `name` is 1 to 255 bytes of printable, non-space characters without `:`, and not starting
//!   with `#`. Names are compared exactly (case matters).
//! - The hash is an argon2 PHC string; Tern writes argon2id with the `argon2` crate's default
//!   parameters (m=19456 KiB, t=2, p=1) and a random 16-byte salt. `argon2i` and `argon2d`
//!   hashes made elsewhere are accepted too.
//! - Blank lines and lines starting with `#` are comments; they are kept when Tern rewrites the
//!   file.
//! - A malformed line makes [`UserDb::open`] fail with the line number.
//!
//! A missing file means no users. Tern writes the file atomically (a temporary file in the same
//! directory, fsync, rename, fsync of the directory) with mode 0600, and takes an exclusive lock
//! on `users.lock` next to it while doing so, so that two `tern user` commands do not lose each
//! other's changes.
//!
//! A running server sees changes without a restart: every [`UserDb::verify`] and
//! [`UserDb::list`] first checks the file's modification time, size and inode and reloads it
//! when they changed. If the changed file cannot be read or parsed, the previous users stay in
//! effect and a warning is logged once.
//!
//! # Cost
//!
//! [`UserDb::verify`], [`UserDb::add`] and [`UserDb::set_password`] run argon2, which takes tens
//! of milliseconds of CPU and 19 MiB of memory by design. Async callers run them on a blocking
//! thread (`tokio::task::spawn_blocking`), never on the runtime's worker threads. `verify`
//! does the same work for an unknown user (against a fixed dummy hash) as for a known one, so
//! its timing does not reveal which users exist.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

/// Longest user name, in bytes.
pub const MAX_NAME_LEN: usize = 255;

/// The comment at the top of a file Tern creates.
const HEADER: &str =
    "# Tern users: name:argon2 PHC hash. Edit with `tern user add | passwd | del | list`.";

/// An argon2id hash (default parameters) of a password nobody knows, verified against when the
/// user does not exist so that unknown users cost the same time as known ones.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$VGVybkR1bW15U2FsdDAwMA$VoeekT1GclDbaeSQJtWYfIvasDzdNiXn+1hQwD2UAds";

/// What went wrong with the user database.
#[derive(Debug, thiserror::Error)]
pub enum UserDbError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A line of the file is malformed.
    #[error("{}:{line}: {problem}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The line number, from 1.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// The user name is not allowed.
    #[error("invalid user name {name:?}: {problem}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// An empty password.
    #[error("the password is empty")]
    EmptyPassword,
    /// `add` of a user that exists.
    #[error("user {0:?} already exists")]
    Exists(String),
    /// `set_password` or `remove` of a user that does not exist.
    #[error("no user {0:?}")]
    NotFound(String),
    /// argon2 failed to hash the password.
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// Checks a user name: 1 to [`MAX_NAME_LEN`] bytes, printable characters without spaces or
/// `:`, not starting with `#`.
pub fn check_name(name: &str) -> Result<(), UserDbError> {
    let problem = if name.is_empty() {
        Some("it is empty")
    } else if name.len() > MAX_NAME_LEN {
        Some("it is longer than 255 bytes")
    } else if name.contains(':') {
        Some("it contains ':'")
    } else if name.starts_with('#') {
        Some("it starts with '#'")
    } else if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        Some("it contains a space or a control character")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(UserDbError::InvalidName {
            name: name.to_string(),
            problem,
        }),
        None => Ok(()),
    }
}

/// Hashes a password the way Tern stores it: argon2id, default parameters, random salt.
pub fn hash_password(password: &str) -> Result<String, UserDbError> {
    if password.is_empty() {
        return Err(UserDbError::EmptyPassword);
    }
    let mut salt = [0u8; 16];
    rustls::crypto::aws_lc_rs::default_provider()
        .secure_random
        .fill(&mut salt)
        .map_err(|e| UserDbError::Hash(format!("no random salt: {e:?}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| UserDbError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| UserDbError::Hash(e.to_string()))
}

/// One line of the file.
#[derive(Debug, Clone)]
enum Line {
    /// A comment or a blank line, kept as it is.
    Other(String),
    User {
        name: String,
        hash: String,
    },
}

/// What identifies one version of the file on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

#[derive(Debug)]
struct State {
    lines: Vec<Line>,
    /// The version loaded (or last seen broken); `None` when the file did not exist.
    stamp: Option<Stamp>,
}

impl State {
    fn find(&self, name: &str) -> Option<usize> {
        self.lines
            .iter()
            .position(|l| matches!(l, Line::User { name: n, .. } if n == name))
    }
}

/// The user database. Share it (`Arc<UserDb>`) between sessions; all methods take `&self`.
#[derive(Debug)]
pub struct UserDb {
    path: PathBuf,
    state: Mutex<State>,
}

impl UserDb {
    /// Opens the database at `path` (normally `data_dir/users`). A missing file is an empty
    /// database; it is created by the first [`add`](Self::add).
    pub fn open(path: impl Into<PathBuf>) -> Result<UserDb, UserDbError> {
        let path = path.into();
        let (lines, stamp) = load(&path)?;
        Ok(UserDb {
            path,
            state: Mutex::new(State { lines, stamp }),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Adds a user. Fails if the name is invalid, the password empty or the user exists.
    pub fn add(&self, name: &str, password: &str) -> Result<(), UserDbError> {
        check_name(name)?;
        let hash = hash_password(password)?;
        self.modify(|state| {
            if state.find(name).is_some() {
                return Err(UserDbError::Exists(name.to_string()));
            }
            state.lines.push(Line::User {
                name: name.to_string(),
                hash,
            });
            Ok(())
        })
    }

    /// Changes the password of an existing user.
    pub fn set_password(&self, name: &str, password: &str) -> Result<(), UserDbError> {
        let hash = hash_password(password)?;
        self.modify(|state| match state.find(name) {
            Some(i) => {
                state.lines[i] = Line::User {
                    name: name.to_string(),
                    hash,
                };
                Ok(())
            }
            None => Err(UserDbError::NotFound(name.to_string())),
        })
    }

    /// Removes a user.
    pub fn remove(&self, name: &str) -> Result<(), UserDbError> {
        self.modify(|state| match state.find(name) {
            Some(i) => {
                state.lines.remove(i);
                Ok(())
            }
            None => Err(UserDbError::NotFound(name.to_string())),
        })
    }

    /// The user names, sorted, after reloading the file if it changed.
    pub fn list(&self) -> Vec<String> {
        let state = self.current();
        let mut names: Vec<String> = state
            .lines
            .iter()
            .filter_map(|l| match l {
                Line::User { name, .. } => Some(name.clone()),
                Line::Other(_) => None,
            })
            .collect();
        names.sort();
        names
    }

    /// True when the user exists (after reloading the file if it changed). Not for the AUTH
    /// path: use [`verify`](Self::verify), which does not reveal existence by its timing.
    pub fn contains(&self, name: &str) -> bool {
        self.current().find(name).is_some()
    }

    /// True when `name` exists and `password` is its password. Costs one argon2 verification
    /// whether or not the user exists; run it on a blocking thread.
    pub fn verify(&self, name: &str, password: &str) -> bool {
        let stored = {
            let state = self.current();
            state.find(name).map(|i| match &state.lines[i] {
                Line::User { hash, .. } => hash.clone(),
                Line::Other(_) => unreachable!("find returns user lines"),
            })
        };
        let known = stored.is_some();
        let hash = stored.as_deref().unwrap_or(DUMMY_HASH);
        let matches = match PasswordHash::new(hash) {
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        };
        known && matches
    }

    /// Locks the state, reloading it first when the file changed on disk.
    fn current(&self) -> MutexGuard<'_, State> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = stamp_of(&self.path);
        if now != state.stamp {
            match load(&self.path) {
                Ok((lines, stamp)) => {
                    tracing::info!(path = %self.path.display(), "user database reloaded");
                    state.lines = lines;
                    state.stamp = stamp;
                }
                Err(error) => {
                    tracing::warn!(%error, "user database changed but cannot be loaded; keeping the previous users");
                    // Warn once per version of the file.
                    state.stamp = now;
                }
            }
        }
        state
    }

    /// Reloads under the file lock, applies `change`, writes the result atomically.
    fn modify(
        &self,
        change: impl FnOnce(&mut State) -> Result<(), UserDbError>,
    ) -> Result<(), UserDbError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let lock_path = self.path.with_extension("lock");
        let io_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| UserDbError::Io { path, source }
        };
        let lock = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&lock_path)
            .map_err(io_err(&lock_path))?;
        lock.lock().map_err(io_err(&lock_path))?;
        // Start from what is on disk now: another process may have changed it.
        let (lines, stamp) = load(&self.path)?;
        state.lines = lines;
        state.stamp = stamp;
        change(&mut state)?;
        let mut text = String::new();
        if state.stamp.is_none() {
            text.push_str(HEADER);
            text.push('\n');
        }
        for line in &state.lines {
            match line {
                Line::Other(s) => text.push_str(s),
                Line::User { name, hash } => {
                    text.push_str(name);
                    text.push(':');
                    text.push_str(hash);
                }
            }
            text.push('\n');
        }
        write_atomically(&self.path, text.as_bytes())?;
        // Our own write does not count as a change to reload.
        state.lines = parse(&self.path, &text)?;
        state.stamp = stamp_of(&self.path);
        drop(lock);
        Ok(())
    }
}

fn stamp_of(path: &Path) -> Option<Stamp> {
    let meta = fs::metadata(path).ok()?;
    Some(Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
        inode: meta.ino(),
    })
}

/// Reads and parses the file; a missing file is empty. The stamp is taken before reading, so a
/// change during the read is seen at the next check.
fn load(path: &Path) -> Result<(Vec<Line>, Option<Stamp>), UserDbError> {
    let stamp = stamp_of(path);
    match fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).map_err(|e| {
                let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                UserDbError::Parse {
                    path: path.to_path_buf(),
                    line,
                    problem: "not UTF-8".into(),
                }
            })?;
            Ok((parse(path, &text)?, stamp))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok((Vec::new(), None)),
        Err(source) => Err(UserDbError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn parse(path: &Path, text: &str) -> Result<Vec<Line>, UserDbError> {
    let mut lines = Vec::new();
    let mut seen = HashSet::new();
    for (i, raw) in text.lines().enumerate() {
        let err = |problem: String| UserDbError::Parse {
            path: path.to_path_buf(),
            line: i + 1,
            problem,
        };
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            lines.push(Line::Other(line.to_string()));
            continue;
        }
        let Some((name, hash)) = line.split_once(':') else {
            return Err(err("expected name:hash".into()));
        };
        check_name(name).map_err(|e| err(e.to_string()))?;
        let parsed = PasswordHash::new(hash)
            .map_err(|e| err(format!("the hash of {name:?} is not a PHC string: {e}")))?;
        if !matches!(
            parsed.algorithm.as_str(),
            "argon2id" | "argon2i" | "argon2d"
        ) {
            return Err(err(format!(
                "the hash of {name:?} is {}, not argon2",
                parsed.algorithm
            )));
        }
        if !seen.insert(name.to_string()) {
            return Err(err(format!("user {name:?} appears twice")));
        }
        lines.push(Line::User {
            name: name.to_string(),
            hash: hash.to_string(),
        });
    }
    Ok(lines)
}

/// Temporary file in the same directory (mode 0600), fsync, rename, fsync of the directory.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), UserDbError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    crate::atomic::replace_private_file(path, bytes).map_err(|source| UserDbError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| UserDbError::Io { path: dir, source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn dummy_hash_has_the_default_parameters() {
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let params = argon2::Params::try_from(&parsed).unwrap();
        let default = argon2::Params::default();
        assert_eq!(params.m_cost(), default.m_cost());
        assert_eq!(params.t_cost(), default.t_cost());
        assert_eq!(params.p_cost(), default.p_cost());
        assert_eq!(parsed.version, Some(argon2::Version::default().into()));
        // Verifying against it does the full work and fails on the password, not on a
        // malformed hash (which would return at once and reveal unknown users).
        assert_eq!(
            Argon2::default().verify_password(b"guess", &parsed),
            Err(argon2::password_hash::Error::Password)
        );
    }

    #[test]
    fn names() {
        for good in [
            "alice",
            "a",
            "alice@example.org",
            "x".repeat(255).as_str(),
            "jürgen",
            "a#b",
        ] {
            check_name(good).unwrap();
        }
        for bad in [
            "",
            "a:b",
            "a b",
            "a\tb",
            "a\nb",
            "#a",
            "x".repeat(256).as_str(),
            "a\u{7f}",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn add_verify_change_remove() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users");
        let db = UserDb::open(&path).unwrap();
        assert!(db.list().is_empty());
        assert!(!db.verify("alice", "secret"));
        assert!(!path.exists(), "opening does not create the file");

        db.add("alice", "secret").unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# Tern users"), "{text}");
        assert!(
            text.contains("\nalice:$argon2id$v=19$m=19456,t=2,p=1$"),
            "{text}"
        );
        assert!(matches!(db.add("alice", "x"), Err(UserDbError::Exists(_))));
        assert!(matches!(db.add("bob", ""), Err(UserDbError::EmptyPassword)));
        assert!(matches!(
            db.add("b:b", "x"),
            Err(UserDbError::InvalidName { .. })
        ));

        assert!(db.verify("alice", "secret"));
        assert!(!db.verify("alice", "Secret"));
        assert!(!db.verify("Alice", "secret"));
        assert!(!db.verify("bob", "secret"));

        db.set_password("alice", "new").unwrap();
        assert!(!db.verify("alice", "secret"));
        assert!(db.verify("alice", "new"));
        assert!(matches!(
            db.set_password("bob", "x"),
            Err(UserDbError::NotFound(_))
        ));

        db.remove("alice").unwrap();
        assert!(matches!(db.remove("alice"), Err(UserDbError::NotFound(_))));
        assert!(db.list().is_empty());
        assert!(!db.verify("alice", "new"));

        // Nothing but the file and its lock file remain.
        let mut names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["users", "users.lock"]);
    }

    #[test]
    fn sees_changes_made_by_another_handle() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users");
        let server = UserDb::open(&path).unwrap();
        let cli = UserDb::open(&path).unwrap();
        cli.add("carol", "pw").unwrap();
        assert_eq!(server.list(), ["carol"]);
        assert!(server.verify("carol", "pw"));
        // The server's own change keeps the CLI's.
        server.add("dave", "pw2").unwrap();
        assert_eq!(cli.list(), ["carol", "dave"]);
        cli.remove("carol").unwrap();
        assert!(!server.contains("carol"));
        assert!(server.contains("dave"));
    }

    #[test]
    fn keeps_comments_and_reports_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users");
        let hash = hash_password("pw").unwrap();
        fs::write(&path, format!("# mine\n\nzed:{hash}\n  # indented\n")).unwrap();
        let db = UserDb::open(&path).unwrap();
        assert!(db.contains("zed"));
        db.add("amy", "pw").unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(&format!(
            "# mine\n\nzed:{hash}\n  # indented\namy:$argon2id$"
        )));
        assert_eq!(db.list(), ["amy", "zed"]);

        let bad = |content: &str| {
            fs::write(&path, content).unwrap();
            UserDb::open(&path).unwrap_err().to_string()
        };
        let e = bad("# c\nnocolon\n");
        assert!(e.ends_with("users:2: expected name:hash"), "{e}");
        let e = bad(&format!("a:{hash}\na:{hash}\n"));
        assert!(e.contains("users:2: user \"a\" appears twice"), "{e}");
        let e = bad("a:plaintext\n");
        assert!(
            e.contains("users:1: the hash of \"a\" is not a PHC string"),
            "{e}"
        );
        let e = bad("a:$pbkdf2-sha256$i=1000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo\n");
        assert!(e.contains("not argon2"), "{e}");
        let e = bad(&format!("a b:{hash}\n"));
        assert!(e.contains("users:1: invalid user name"), "{e}");
    }

    #[test]
    fn a_broken_edit_keeps_the_previous_users() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users");
        let db = UserDb::open(&path).unwrap();
        db.add("erin", "pw").unwrap();
        fs::write(&path, "garbage that is longer than before\n").unwrap();
        assert_eq!(db.list(), ["erin"]);
        // A broken file is not overwritten by a change either.
        assert!(matches!(db.add("x", "y"), Err(UserDbError::Parse { .. })));
        fs::remove_file(&path).unwrap();
        assert!(db.list().is_empty(), "a deleted file means no users");
    }

    #[test]
    fn accepts_crlf_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users");
        let hash = hash_password("pw").unwrap();
        fs::write(&path, format!("# c\r\nu:{hash}\r\n")).unwrap();
        let db = UserDb::open(&path).unwrap();
        assert!(db.verify("u", "pw"));
    }
}
