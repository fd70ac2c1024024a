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

/// Sets `stop` at the first SIGINT or SIGTERM (and again at any later one), from a background
/// task: for work that checks a flag, such as building the report files.
pub fn stop_on_signal(
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            interrupted().await;
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
            tracing::warn!("interrupted: abandoning the report files");
        }
    })
}
