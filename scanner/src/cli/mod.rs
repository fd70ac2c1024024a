//! Command-line parsing and dispatch.

mod args;
mod deep_use;
mod diff;
#[cfg(feature = "demo")]
mod fleet_cmds;
mod options;
mod plan;
mod progress;
mod report;
mod scan;
mod scan_lock;
mod settings;
mod signals;
mod target_space;
mod values;
mod verdict;

use std::fmt;
use std::io::IsTerminal;

use clap::Parser;

pub use args::{Cli, Command};

/// Exit code: the scan completed.
pub const EXIT_OK: i32 = 0;
/// Exit code: the scan could not run or could not write its output.
pub const EXIT_RUNTIME: i32 = 1;
/// Exit code: a usage or configuration error.
pub const EXIT_USAGE: i32 = 2;
/// Exit code: `--fail-on LEVEL` and some host is at LEVEL or worse.
pub const EXIT_FAIL_ON: i32 = 3;
/// Exit code: fewer targets accepted TCP than `--expect-open N`.
pub const EXIT_TOO_FEW_OPEN: i32 = 4;
// Interrupted: 130 after SIGINT, 143 after SIGTERM (`signals::exit_code`); the rows finished
// so far are written.

/// Why a command failed, which decides the exit code.
#[derive(Debug)]
pub enum Failure {
    /// A bad argument, config value, target or file: exit 2.
    Usage(String),
    /// The scan could not run or write: exit 1.
    Runtime(String),
    /// A signal stopped the work before it was done: exit 130 (SIGINT) or 143 (SIGTERM).
    Interrupted(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Usage(m) | Failure::Runtime(m) | Failure::Interrupted(m) => f.write_str(m),
        }
    }
}

/// Parses the command line, runs the command and returns the exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet, cli.log_format == "json");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("rdpsweep: error: cannot start the async runtime: {e}");
            return EXIT_RUNTIME;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            // On a runtime worker rather than the main thread: the sweep spawns a task per
            // probe and awaits each, and spawns and wake-ups between workers stay cheap, while
            // each from the main thread is a cross-thread wake-up (a futex call).
            Command::Scan(args) => tokio::spawn(scan::run(*args, cli.quiet))
                .await
                .unwrap_or_else(|e| Err(Failure::Runtime(format!("internal error: {e}")))),
            #[cfg(feature = "demo")]
            Command::Simulate(args) => fleet_cmds::simulate(args).await,
            #[cfg(feature = "demo")]
            Command::Demo(args) => fleet_cmds::demo(args, cli.quiet).await,
            Command::Report(args) => report::report(args),
            Command::Diff(args) => diff::diff(args, cli.quiet),
            Command::Merge(args) => report::merge(args),
        }
    });
    // Probes still waiting on a stalled server must not keep the process alive.
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("rdpsweep: error: {failure}");
            match failure {
                Failure::Usage(_) => EXIT_USAGE,
                Failure::Runtime(_) => EXIT_RUNTIME,
                Failure::Interrupted(_) => signals::exit_code(),
            }
        }
    }
}

/// Writes to stdout; a closed pipe (`rdpsweep diff a b | head`) is not an error worth a panic.
pub fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Logs go to stderr: `info` by default, `warn` with `--quiet`, `debug`/`trace` with `-v`/`-vv`;
/// `RUST_LOG` overrides. No colours when stderr is not a terminal (cron, Docker logs); with
/// `--log-format json`, one JSON object per line.
fn init_logging(verbose: u8, quiet: bool, json: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "warn",
        (false, 0) => "info",
        (false, 1) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("rdpsweep={level},warn")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
    };
}
