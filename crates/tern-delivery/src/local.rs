//! Local delivery of one recipient into its Maildir, exactly once: the copy already made by an
//! earlier attempt is found instead of written again; then the quota check and the trace
//! headers (`Return-Path:`, `Delivered-To:`).

use std::path::PathBuf;
use std::sync::Arc;

use tern_store::MessageInfo;

use crate::maildir::Maildirs;

/// What became of a local delivery.
#[derive(Debug, PartialEq, Eq)]
pub enum Local {
    /// Written and synced: the file in `new/`.
    Delivered(PathBuf),
    /// An earlier attempt had written the copy and its outcome was not recorded (a crash
    /// between the two): the file found, in `new/` or `cur/`. Nothing was written.
    AlreadyThere(PathBuf),
    /// The mailbox is over its quota.
    OverQuota,
    /// Writing failed (retry later).
    Error(String),
}

/// Writes the message for `address` into `mailbox`, unless an earlier attempt did.
/// `maybe_written`: an earlier attempt may have left a copy whose outcome the store does not
/// know (the message came from before this process started, was tried before, or its outcome
/// could not be recorded); the whole of `cur/` is then searched for it, where otherwise two
/// `stat`s do. Blocking file work runs off the async threads.
pub async fn deliver(
    maildirs: &Arc<Maildirs>,
    quota: Option<u64>,
    info: &MessageInfo,
    address: &str,
    mailbox: &str,
    body: &[u8],
    maybe_written: bool,
) -> Local {
    let sender = info.envelope.sender.clone().unwrap_or_default();
    let prefix = format!(
        "Return-Path: <{}>\r\nDelivered-To: {}\r\n",
        clean(&sender),
        clean(address)
    );
    let name = maildirs.file_name(info.id, address, prefix.len() + body.len());
    let m = Arc::clone(maildirs);
    let mailbox = mailbox.to_owned();
    let body = body.to_vec();
    let job = move || {
        let copy = Copy {
            mailbox: &mailbox,
            name: &name,
            prefix: prefix.as_bytes(),
            body: &body,
        };
        write_once(&m, quota, &copy, maybe_written)
    };
    tokio::task::spawn_blocking(job)
        .await
        .unwrap_or_else(|e| Local::Error(e.to_string()))
}

/// One recipient's copy of a message.
struct Copy<'a> {
    mailbox: &'a str,
    name: &'a str,
    prefix: &'a [u8],
    body: &'a [u8],
}

/// Looks for the copy an earlier attempt made, then checks the quota and writes it.
fn write_once(m: &Maildirs, quota: Option<u64>, copy: &Copy<'_>, maybe_written: bool) -> Local {
    match m.existing(copy.mailbox, copy.name, maybe_written) {
        Ok(Some(path)) => return Local::AlreadyThere(path),
        Ok(None) => {}
        Err(e) => return Local::Error(e.to_string()),
    }
    if let Some(quota) = quota {
        let used = m.usage(copy.mailbox).unwrap_or(0);
        let size = (copy.prefix.len() + copy.body.len()) as u64;
        if used.saturating_add(size) > quota {
            return Local::OverQuota;
        }
    }
    match m.deliver(copy.mailbox, copy.name, copy.prefix, copy.body) {
        Ok(path) => Local::Delivered(path),
        Err(e) => Local::Error(e.to_string()),
    }
}

/// An address for a header line: no CR, LF or other control characters.
fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tern_store::QueueId;

    fn copy<'a>(name: &'a str, body: &'a [u8]) -> Copy<'a> {
        Copy {
            mailbox: "a@x.test",
            name,
            prefix: b"",
            body,
        }
    }

    /// A mailbox with one copy written: its directory, the mailboxes, the copy's name and file.
    fn written(body: &[u8]) -> (tempfile::TempDir, Maildirs, String, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let m = Maildirs::new(dir.path(), "mx.test");
        let id = QueueId::from_parts(1_800_000_000_000, 1);
        let name = m.file_name(id, "a@x.test", body.len());
        let Local::Delivered(path) = write_once(&m, None, &copy(&name, body), false) else {
            panic!("not delivered");
        };
        (dir, m, name, path)
    }

    #[test]
    fn a_copy_already_there_is_not_written_again_even_over_quota() {
        let (_dir, m, name, path) = written(b"0123456789");
        // The attempt after a crash: found and left alone, and the quota (now full with this
        // very copy) does not turn it into a failure.
        std::fs::write(&path, b"as the first attempt left it").unwrap();
        let c = copy(&name, b"0123456789");
        assert_eq!(
            write_once(&m, Some(10), &c, true),
            Local::AlreadyThere(path.clone())
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"as the first attempt left it"
        );
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[test]
    fn a_copy_a_reader_flagged_is_found_by_the_search_of_cur() {
        let (dir, m, name, path) = written(b"x");
        let flagged = dir.path().join("x.test/a/cur").join(format!("{name}:2,S"));
        std::fs::rename(&path, &flagged).unwrap();
        assert_eq!(
            write_once(&m, None, &copy(&name, b"x"), true),
            Local::AlreadyThere(flagged)
        );
        assert_eq!(m.usage("a@x.test").unwrap(), 1);
    }
}
