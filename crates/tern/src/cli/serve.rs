//! `tern serve`: run the MTA.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tern_config::Config;
use tern_store::{SqliteConfig, SqliteStore};
use tokio::sync::Notify;

use super::output;

/// How long in-flight messages get to finish after SIGTERM.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Runs the server until SIGTERM or Ctrl-C.
pub fn run(config: Config, from_file: bool) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return output::fail(&format!("cannot start the runtime: {e}")),
    };
    runtime.block_on(serve(config, from_file))
}

async fn serve(config: Config, from_file: bool) -> ExitCode {
    if !from_file {
        tracing::info!(
            "no --config given: running the safe defaults (loopback only, local domain localhost, data in {})",
            config.server.data_dir.display()
        );
    }
    let connections = config
        .limits
        .max_connections
        .saturating_add(config.delivery.concurrency);
    match super::file_limit::raise_for(connections) {
        Some(limit) if !limit.is_enough() => tracing::warn!(
            "the open-file limit is {} but limits.max_connections plus delivery.concurrency need about {}: \
             connections beyond the limit fail to be accepted; raise it (ulimit -n, or LimitNOFILE= in a systemd unit)",
            limit.soft,
            limit.needed
        ),
        Some(limit) => tracing::debug!(limit = limit.soft, "open-file limit"),
        None => {}
    }
    let config = Arc::new(config);
    let store = match open_store(&config) {
        Ok(store) => Arc::new(store),
        Err(message) => return output::fail(&message),
    };
    let queued = Arc::new(Notify::new());
    let maildirs = Arc::new(tern_delivery::maildir::Maildirs::new(
        config.server.data_dir.join("mail"),
        &config.server.hostname,
    ));
    let hooks = tern_server::Hooks {
        queued: Arc::clone(&queued),
        mailbox_usage: Some(Arc::new(move |mailbox: &str| maildirs.usage(mailbox).ok())),
    };
    let server = match tern_server::start(Arc::clone(&config), Arc::clone(&store), hooks).await {
        Ok(server) => server,
        Err(e) => return output::fail(&e.to_string()),
    };
    for (kind, address) in server.addresses() {
        say(&format!("{kind:?} listening on {address}"));
    }
    let admin = if config.admin.enabled {
        match tern_admin::start(
            &config,
            Arc::clone(&store),
            Some(bounce_hook(&config, &store)),
        )
        .await
        {
            Ok(admin) => {
                say(&format!(
                    "admin listening on http://{} (/healthz, /readyz, /metrics, /api/v1)",
                    admin.address()
                ));
                Some(admin)
            }
            Err(e) => {
                server.shutdown(SHUTDOWN_GRACE).await;
                return output::fail(&format!(
                    "cannot listen on admin.address {}: {e} (set [admin] address, or enabled = false)",
                    config.admin.address
                ));
            }
        }
    } else {
        None
    };
    let resolver = match tern_delivery::dns::Resolver::system() {
        Ok(r) => r,
        Err(e) => return output::fail(&format!("cannot read the system's DNS settings: {e}")),
    };
    let delivery = tern_delivery::start(Arc::clone(&config), Arc::clone(&store), queued, resolver);
    wait_for_signal().await;
    say(&format!(
        "shutting down (up to {}s for messages in flight)",
        SHUTDOWN_GRACE.as_secs()
    ));
    server.shutdown(SHUTDOWN_GRACE).await;
    delivery.shutdown().await;
    if let Some(admin) = admin {
        admin.shutdown().await;
    }
    ExitCode::SUCCESS
}

/// `POST /api/v1/queue/{id}/bounce`: every recipient not yet final fails through
/// delivery's recorder, as `tern queue bounce` does.
fn bounce_hook(config: &Arc<Config>, store: &Arc<SqliteStore>) -> tern_admin::Bounce {
    use tern_store::QueueStore;
    let (config, store) = (Arc::clone(config), Arc::clone(store));
    Arc::new(move |id| {
        let (config, store) = (Arc::clone(&config), Arc::clone(&store));
        Box::pin(async move {
            let info = store.message(id).await.map_err(|e| e.to_string())?;
            let targets: Vec<u32> = info
                .recipients
                .iter()
                .filter(|r| !r.state.is_final())
                .map(|r| r.index)
                .collect();
            if targets.is_empty() {
                return Ok("nothing to bounce: every recipient is delivered or failed".to_owned());
            }
            tern_delivery::record::bounce_by_admin(
                &*store,
                &config,
                &info,
                &targets,
                "the admin API",
                tern_delivery::now_ms(),
            )
            .await
            .map(|done| done.describe())
            .map_err(|e| e.to_string())
        })
    })
}

/// A line for the operator on stderr; a closed stderr is not a reason to stop serving mail.
fn say(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "tern: {message}");
}

/// Opens the queue under `data_dir/queue`.
pub fn open_store(config: &Config) -> Result<SqliteStore, String> {
    let mut store_config = SqliteConfig::new(config.server.data_dir.join("queue"));
    store_config.max_body_size = config.limits.max_message_size.0.saturating_add(64 * 1024);
    store_config.disk_reserve = config.limits.disk_reserve.0;
    SqliteStore::open(store_config).map_err(|e| {
        format!(
            "cannot open the queue in {}: {e}",
            config.server.data_dir.join("queue").display()
        )
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
