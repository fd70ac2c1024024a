//! Waiting for the signals that stop a run: Ctrl-C (SIGINT) and, on Unix, SIGTERM (what
//! `docker stop`, systemd, Kubernetes and cron timeouts send). The exit code says which one
//! arrived first, as shells do: 130 for SIGINT, 143 for SIGTERM.

use std::sync::atomic::{AtomicI32, Ordering};

/// Exit code after SIGINT (128 + 2).
pub const EXIT_SIGINT: i32 = 130;
/// Exit code after SIGTERM (128 + 15).
pub const EXIT_SIGTERM: i32 = 143;

/// The exit code of the first signal received, 0 until one arrives.
static FIRST: AtomicI32 = AtomicI32::new(0);

/// SIGINT and SIGTERM, listened for from the moment this is made: a signal that arrives
/// before anything awaits it is kept, not lost to the default action (which would kill the
/// process without writing a row).
pub struct Listener {
    #[cfg(unix)]
    unix: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Listener {
    /// Starts listening (inside the runtime).
    pub fn new() -> Listener {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let unix = signal(SignalKind::interrupt())
                .and_then(|int| Ok((int, signal(SignalKind::terminate())?)))
                .ok();
            Listener { unix }
        }
        #[cfg(not(unix))]
        Listener {}
    }

    /// Returns at the next SIGINT or SIGTERM, and remembers the first one's exit code.
    pub async fn next(&mut self) {
        let code = self.wait().await;
        let _ = FIRST.compare_exchange(0, code, Ordering::SeqCst, Ordering::SeqCst);
    }

    async fn wait(&mut self) -> i32 {
        #[cfg(unix)]
        if let Some((int, term)) = &mut self.unix {
            return tokio::select! {
                _ = int.recv() => EXIT_SIGINT,
                _ = term.recv() => EXIT_SIGTERM,
            };
        }
        let _ = tokio::signal::ctrl_c().await;
        EXIT_SIGINT
    }
}

/// Returns when the process gets SIGINT or SIGTERM, and remembers the first one's exit code.
#[cfg(feature = "demo")]
pub async fn interrupted() {
    Listener::new().next().await;
}

/// The exit code an interrupted run ends with: 143 when SIGTERM came first, else 130.
pub fn exit_code() -> i32 {
    match FIRST.load(Ordering::SeqCst) {
        EXIT_SIGTERM => EXIT_SIGTERM,
        _ => EXIT_SIGINT,
    }
}

/// Sets `stop` at the first SIGINT or SIGTERM (and again at any later one), from a background
/// task: for work that checks a flag, such as building the report files.
pub fn stop_on_signal(
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    let mut signals = Listener::new();
    tokio::spawn(async move {
        loop {
            signals.next().await;
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
            tracing::warn!("interrupted: abandoning the report files");
        }
    })
}
