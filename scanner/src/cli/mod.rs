//! Command-line parsing and dispatch.

mod args;
mod deep_use;
mod diff;
#[cfg(feature = "demo")]
mod fleet_cmds;
mod logging;
mod merge;
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return command_line_error(e),
    };
    logging::init(cli.verbose, cli.quiet, cli.log_format == "json");
    let quiet = cli.quiet;
    // A scan's settings are resolved before the runtime is built: its rate decides how many
    // workers the runtime gets.
    let job = match cli.command {
        Command::Scan(args) => match settings::Settings::resolve(*args) {
            Ok(settings) => Job::Scan(Box::new(settings)),
            Err(failure) => return exit_code(Err(failure)),
        },
        #[cfg(feature = "demo")]
        Command::Simulate(args) => Job::Simulate(args),
        #[cfg(feature = "demo")]
        Command::Demo(args) => Job::Demo(args),
        Command::Report(args) => Job::Report(args),
        Command::Diff(args) => Job::Diff(args),
        Command::Merge(args) => Job::Merge(args),
    };
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Job::Scan(settings) = &job {
        builder.worker_threads(scan::worker_threads(settings.rate));
    }
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            let message = format!("cannot start the async runtime: {e}");
            logging::error("runtime", EXIT_RUNTIME, &message);
            return EXIT_RUNTIME;
        }
    };
    let result = runtime.block_on(run(job, quiet));
    // Probes still waiting on a stalled server must not keep the process alive.
    runtime.shutdown_background();
    exit_code(result)
}

/// A command ready to run: a scan with its settings resolved, or another command's arguments.
enum Job {
    Scan(Box<settings::Settings>),
    #[cfg(feature = "demo")]
    Simulate(args::SimulateArgs),
    #[cfg(feature = "demo")]
    Demo(args::DemoArgs),
    Report(args::ReportArgs),
    Diff(args::DiffArgs),
    Merge(args::MergeArgs),
}

/// Runs a job (from `block_on` on the main thread) and returns its exit code or failure.
async fn run(job: Job, quiet: bool) -> Result<i32, Failure> {
    match job {
        // On a runtime worker rather than the main thread: the sweep spawns a task per probe
        // and awaits each, and spawns and wake-ups between workers stay cheap, while each from
        // the main thread is a cross-thread wake-up (a futex call).
        Job::Scan(settings) => tokio::spawn(scan::run(*settings, quiet))
            .await
            .unwrap_or_else(|e| Err(Failure::Runtime(format!("internal error: {e}")))),
        #[cfg(feature = "demo")]
        Job::Simulate(args) => fleet_cmds::simulate(args).await,
        #[cfg(feature = "demo")]
        Job::Demo(args) => fleet_cmds::demo(args, quiet).await,
        Job::Report(args) => report::report(args),
        Job::Diff(args) => diff::diff(args, quiet),
        Job::Merge(args) => merge::merge(args),
    }
}

/// The exit code of a command's result; a failure is logged with its kind.
fn exit_code(result: Result<i32, Failure>) -> i32 {
    match result {
        Ok(code) => code,
        Err(failure) => {
            let (kind, code) = match failure {
                Failure::Usage(_) => ("usage", EXIT_USAGE),
                Failure::Runtime(_) => ("runtime", EXIT_RUNTIME),
                Failure::Interrupted(_) => ("interrupted", signals::exit_code()),
            };
            logging::error(kind, code, &failure.to_string());
            code
        }
    }
}

/// Creates the output directory `dir` (and its parents). A path that names something other
/// than a directory is a usage error saying so; any other failure is a runtime error.
pub fn create_out_dir(dir: &std::path::Path) -> Result<(), Failure> {
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::Usage(format!(
            "output directory {} is not a directory (a file is there)",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure::Runtime(format!(
            "cannot create output directory {}: {e}",
            dir.display()
        ))
    })
}

/// Writes to stdout; a closed pipe (`rdpsweep diff a b | head`) is not an error worth a panic.
pub fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// A command line clap refused (or `--help`, `--version`, which print and exit 0): clap's own
/// text, or with `--log-format json` one `ERROR` event holding that text (exit 2).
fn command_line_error(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    let informational = matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if informational || logging::Format::from_raw_args() == logging::Format::Text {
        let _ = e.print();
        return e.exit_code();
    }
    logging::init(0, false, true);
    let text = e.render().to_string();
    let message = text.trim_end().trim_start_matches("error: ");
    logging::error("usage", EXIT_USAGE, message);
    EXIT_USAGE
}
