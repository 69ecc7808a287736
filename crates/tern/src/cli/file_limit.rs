//! The open-file limit. Every connection is a descriptor (so is every store and Maildir file
//! in use), and the usual soft limit of 1,024 is below `[limits] max_connections` plus the
//! delivery worker's connections. Tern raises its soft limit to the hard limit at start, as
//! the kernel allows any process to, and says so when even the hard limit is too low.

use rlimit::Resource;

/// Descriptors needed besides connections: the store, spool and Maildir files, DNS sockets,
/// the log.
const HEADROOM: u64 = 256;

/// What raising the limit found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimit {
    /// The soft limit now in force.
    pub soft: u64,
    /// What the configuration needs.
    pub needed: u64,
}

impl FileLimit {
    /// Whether the limit covers what the configuration needs.
    pub fn is_enough(&self) -> bool {
        self.soft >= self.needed
    }
}

/// Raises the soft open-file limit to the hard limit when it is below `connections` plus
/// headroom. Returns the limit in force, or `None` where the limit cannot be read.
pub fn raise_for(connections: usize) -> Option<FileLimit> {
    let needed = u64::try_from(connections)
        .unwrap_or(u64::MAX)
        .saturating_add(HEADROOM);
    let (soft, hard) = Resource::NOFILE.get().ok()?;
    let soft = if soft < needed && soft < hard {
        // An unlimited hard limit is refused by Linux (above fs.nr_open): then ask for what
        // the configuration needs.
        [hard, needed.min(hard)]
            .into_iter()
            .find(|&limit| Resource::NOFILE.set(limit, hard).is_ok())
            .unwrap_or(soft)
    } else {
        soft
    };
    Some(FileLimit { soft, needed })
}
