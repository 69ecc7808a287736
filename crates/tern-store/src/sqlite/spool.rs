//! Spool files: large bodies live as one file each, named after the queue id.
//!
//! Order of durability: the file is written and fsynced by a spool worker, the writer thread
//! fsyncs the directory once for its whole batch, and only then commits the rows. A crash before
//! the commit leaves a file without a row: an orphan, removed by [`sweep`] when the store opens.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::io_err;
use crate::error::StoreError;
use crate::id::QueueId;

/// The spool directory.
#[derive(Debug, Clone)]
pub(crate) struct Spool {
    dir: PathBuf,
}

impl Spool {
    pub(crate) fn open(dir: PathBuf) -> Result<Spool, StoreError> {
        fs::create_dir_all(&dir).map_err(|e| io_err("creating spool directory", e))?;
        Ok(Spool { dir })
    }

    pub(crate) fn path(&self, id: QueueId) -> PathBuf {
        self.dir.join(id.to_string())
    }

    /// Writes and fsyncs the body file. On any failure the file is removed.
    pub(crate) fn write(&self, id: QueueId, body: &[u8]) -> Result<(), StoreError> {
        let path = self.path(id);
        let result = (|| -> io::Result<()> {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)?;
            f.write_all(body)?;
            f.sync_all()
        })();
        result.map_err(|e| {
            let _ = fs::remove_file(&path);
            io_err("writing spool file", e)
        })
    }

    /// Makes the directory entries of files written so far durable.
    pub(crate) fn sync_dir(&self) -> Result<(), StoreError> {
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_err("syncing spool directory", e))
    }

    pub(crate) fn read(&self, id: QueueId, len: u64) -> Result<Vec<u8>, StoreError> {
        let mut f = match File::open(self.path(id)) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(StoreError::NotFound(id)),
            Err(e) => return Err(io_err("opening spool file", e)),
        };
        let cap = usize::try_from(len).unwrap_or(0);
        let mut out = Vec::with_capacity(cap);
        io::Read::read_to_end(&mut f, &mut out).map_err(|e| io_err("reading spool file", e))?;
        if out.len() as u64 != len {
            return Err(StoreError::Corrupt(format!(
                "spool file of {id} has {} bytes, expected {len}",
                out.len()
            )));
        }
        Ok(out)
    }

    /// Removes a body file; a missing file is fine.
    pub(crate) fn remove(&self, id: QueueId) {
        let _ = fs::remove_file(self.path(id));
    }

    pub(crate) fn exists(&self, id: QueueId) -> bool {
        self.path(id).is_file()
    }

    /// Removes every file that is not the body of a committed spooled message. Returns how many.
    pub(crate) fn sweep(&self, keep: &HashSet<QueueId>) -> Result<u64, StoreError> {
        let mut removed = 0;
        let entries = fs::read_dir(&self.dir).map_err(|e| io_err("listing spool", e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_err("listing spool", e))?;
            let name = entry.file_name();
            let known = name
                .to_str()
                .and_then(|n| n.parse::<QueueId>().ok())
                .is_some_and(|id| keep.contains(&id) && Path::new(&id.to_string()) == name);
            if !known {
                let path = entry.path();
                let result = if path.is_dir() {
                    fs::remove_dir_all(&path)
                } else {
                    fs::remove_file(&path)
                };
                result.map_err(|e| io_err("removing orphan spool file", e))?;
                removed += 1;
            }
        }
        if removed > 0 {
            self.sync_dir()?;
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_read_sweep() -> Result<(), StoreError> {
        let tmp = tempfile::tempdir().map_err(|e| io_err("tempdir", e))?;
        let spool = Spool::open(tmp.path().join("spool"))?;
        let a = QueueId::from_parts(1, 1);
        let b = QueueId::from_parts(1, 2);
        spool.write(a, b"\0a\r\nb")?;
        spool.write(b, b"bb")?;
        fs::write(tmp.path().join("spool/junk.tmp"), b"x").map_err(|e| io_err("junk", e))?;
        // Writing the same id twice is refused, and the existing file is then removed.
        assert!(spool.write(a, b"again").is_err());
        spool.write(a, b"\0a\r\nb")?;
        assert_eq!(spool.read(a, 5)?, b"\0a\r\nb");
        assert!(matches!(spool.read(a, 4), Err(StoreError::Corrupt(_))));
        let keep: HashSet<_> = [a].into_iter().collect();
        assert_eq!(spool.sweep(&keep)?, 2);
        assert!(spool.exists(a));
        assert!(!spool.exists(b));
        assert!(matches!(spool.read(b, 2), Err(StoreError::NotFound(_))));
        Ok(())
    }
}
