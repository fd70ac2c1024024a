//! Waiting for the signals that stop a run: Ctrl-C (SIGINT) and, on Unix, SIGTERM (what
//! `docker stop`, systemd and cron timeouts send).

/// Returns when the process gets SIGINT or SIGTERM.
pub async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
