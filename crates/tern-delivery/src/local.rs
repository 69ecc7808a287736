//! Local delivery of one recipient into its Maildir, with the quota check and the trace
//! headers (`Return-Path:`, `Delivered-To:`).

use std::sync::Arc;

use tern_store::MessageInfo;

use crate::maildir::Maildirs;

/// What became of a local delivery.
#[derive(Debug)]
pub enum Local {
    /// Written and synced: the file in `new/`.
    Delivered(std::path::PathBuf),
    /// The mailbox is over its quota.
    OverQuota,
    /// Writing failed (retry later).
    Error(String),
}

/// Writes the message for `address` into `mailbox`. Blocking file work runs off the async
/// threads.
pub async fn deliver(
    maildirs: &Arc<Maildirs>,
    quota: Option<u64>,
    info: &MessageInfo,
    address: &str,
    mailbox: &str,
    body: &[u8],
) -> Local {
    let sender = info.envelope.sender.clone().unwrap_or_default();
    let prefix = format!(
        "Return-Path: <{}>\r\nDelivered-To: {}\r\n",
        clean(&sender),
        clean(address)
    );
    if let Some(quota) = quota {
        let m = Arc::clone(maildirs);
        let mb = mailbox.to_owned();
        let used = tokio::task::spawn_blocking(move || m.usage(&mb))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or(0);
        if used.saturating_add((prefix.len() + body.len()) as u64) > quota {
            return Local::OverQuota;
        }
    }
    let m = Arc::clone(maildirs);
    let mb = mailbox.to_owned();
    let bytes = body.to_vec();
    match tokio::task::spawn_blocking(move || m.deliver(&mb, prefix.as_bytes(), &bytes)).await {
        Ok(Ok(path)) => Local::Delivered(path),
        Ok(Err(e)) => Local::Error(e.to_string()),
        Err(e) => Local::Error(e.to_string()),
    }
}

/// An address for a header line: no CR, LF or other control characters.
fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}
