//! Everything the binary writes to stderr: log lines (text, or with `--log-format json` one
//! JSON object per line, for log shippers), the error that ends a run, and command-line errors.
//! In JSON every stderr line is an object, the error included, with typed fields.

use std::io::IsTerminal;
use std::sync::OnceLock;

/// The format [`init`] chose, for the lines written without `tracing`.
static FORMAT: OnceLock<Format> = OnceLock::new();

/// Logs go to stderr: `info` by default, `warn` with `--quiet`, `debug`/`trace` with `-v`/`-vv`;
/// `RUST_LOG` overrides. No colours when stderr is not a terminal (cron, Docker logs); with
/// `json`, one JSON object per line (`timestamp`, `level`, `message` and the event's fields).
pub fn init(verbose: u8, quiet: bool, json: bool) {
    let _ = FORMAT.set(if json { Format::Json } else { Format::Text });
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

/// How stderr lines are written, chosen once from `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

impl Format {
    /// `--log-format json` (or `=json`) among the raw arguments: needed before clap has parsed
    /// them, to write a command-line error in the format asked for.
    pub fn from_raw_args() -> Format {
        let args: Vec<String> = std::env::args_os()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let json = args
            .windows(2)
            .any(|w| w[0] == "--log-format" && w[1] == "json")
            || args.iter().any(|a| a == "--log-format=json");
        if json {
            Format::Json
        } else {
            Format::Text
        }
    }
}

/// Writes the error that ends the run: `rdpsweep: error: MESSAGE` as text, or an `ERROR`
/// event with `exit_code` and `kind` (`usage`, `runtime`, `interrupted`) in JSON.
pub fn error(kind: &str, exit_code: i32, message: &str) {
    match current() {
        Format::Text => eprintln!("rdpsweep: error: {message}"),
        Format::Json => tracing::error!(kind, exit_code, "{message}"),
    }
}

/// Writes why a finished run exits non-zero (a night that checked nothing, too few hosts
/// open, an interrupted scan's resume command): `rdpsweep: MESSAGE`, or a `WARN` event with
/// `exit_code` in JSON. Shown even with `--quiet`.
pub fn notice(exit_code: i32, message: &str) {
    match current() {
        Format::Text => eprintln!("rdpsweep: {message}"),
        Format::Json => tracing::warn!(exit_code, "{message}"),
    }
}

/// The format chosen by [`init`] (text before it ran).
fn current() -> Format {
    FORMAT.get().copied().unwrap_or(Format::Text)
}
