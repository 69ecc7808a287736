//! Free disk space and the configured reserve.

use std::path::Path;

use crate::error::{DiskFullCause, StoreError};

/// Bytes available to unprivileged users on the filesystem holding `dir`.
pub(crate) fn available(dir: &Path) -> Result<u64, StoreError> {
    let st = rustix::fs::statvfs(dir)
        .map_err(|e| StoreError::backend("checking free space", std::io::Error::from(e)))?;
    Ok(st.f_bavail.saturating_mul(st.f_frsize))
}

/// Rough on-disk cost of a message beyond its body: rows, index entries and WAL frame headers.
pub(crate) const ROW_OVERHEAD: u64 = 16 * 1024;

/// Tracks free space across one batch: one `statvfs`, then each write is subtracted.
#[derive(Debug)]
pub(crate) struct Budget {
    available: u64,
    reserve: u64,
}

impl Budget {
    pub(crate) fn new(available: u64, reserve: u64) -> Budget {
        Budget { available, reserve }
    }

    /// Takes `bytes` from the budget, or refuses if that would go below the reserve.
    pub(crate) fn take(&mut self, bytes: u64) -> Result<(), StoreError> {
        let needed = self.reserve.checked_add(bytes);
        if needed.is_none_or(|n| self.available < n) {
            let needed = needed.unwrap_or(u64::MAX);
            return Err(StoreError::DiskFull(DiskFullCause::BelowReserve {
                available: self.available,
                needed,
            }));
        }
        self.available = self.available.saturating_sub(bytes);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_refuses_below_reserve_and_counts_down() {
        let mut b = Budget::new(1000, 500);
        assert!(b.take(300).is_ok());
        assert!(b.take(300).unwrap_err().is_disk_full());
        assert!(b.take(200).is_ok());
        assert!(b.take(1).is_err());
        assert!(Budget::new(0, 0).take(0).is_ok());
        assert!(Budget::new(u64::MAX, u64::MAX).take(u64::MAX).is_err());
    }

    #[test]
    fn statvfs_reports_something_for_a_real_dir() {
        assert!(available(Path::new(".")).is_ok_and(|n| n > 0));
    }
}
