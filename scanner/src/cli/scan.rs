//! `rdpsweep scan`: settings → targets → sweep → report files, with progress and signals.

use std::fs::File;
use std::io::{self, BufWriter};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use governor::{Quota, RateLimiter};
use rdpsweep::probe::ProbeConfig;
use rdpsweep::sweep::{sweep, SweepConfig};
use rdpsweep::targets::TargetSet;
use rdpsweep::tls::scanning_client_config;
use rdpsweep_reports::{HostsCsv, JsonLines, Observation, ObservationSink};

use super::args::ScanArgs;
use super::progress::Reporter;
use super::settings::Settings;
use super::signals;
use super::{Failure, EXIT_INTERRUPTED, EXIT_OK};

/// File descriptors kept free for outputs, logs and name lookups.
const RESERVED_FDS: u64 = 64;

/// Runs `rdpsweep scan` and returns the exit code.
pub async fn run(args: ScanArgs, quiet: bool) -> Result<i32, Failure> {
    let settings = Settings::resolve(args)?;
    let sweep_config = sweep_config(&settings)?;
    let targets = build_targets(&settings)?;
    let summary = scan_into(Arc::new(targets), &sweep_config, &settings.out_dir, quiet).await?;
    println!("{}", summary.line);
    Ok(if summary.interrupted {
        EXIT_INTERRUPTED
    } else {
        EXIT_OK
    })
}

/// Validates the targets and excludes; exit 2 when nothing was given or something is bad.
pub fn build_targets(settings: &Settings) -> Result<TargetSet, Failure> {
    if settings.targets.is_empty() && settings.input_files.is_empty() {
        return Err(Failure::Usage(
            "no targets: give TARGET arguments, --input-file, or targets in --config".into(),
        ));
    }
    let targets = TargetSet::build(
        &settings.targets,
        &settings.input_files,
        &settings.excludes,
        &settings.exclude_files,
    )
    .map_err(|e| Failure::Usage(e.to_string()))?;
    if targets.is_empty() {
        tracing::warn!("every target is excluded: nothing to scan");
    }
    Ok(targets)
}

/// The probe and sweep configuration, with concurrency fitted under the open-file limit.
pub fn sweep_config(settings: &Settings) -> Result<SweepConfig, Failure> {
    let rate = NonZeroU32::new(settings.rate)
        .ok_or_else(|| Failure::Usage("rate must be at least 1".into()))?;
    let limiter = Arc::new(RateLimiter::direct(rate_quota(rate)));
    Ok(SweepConfig {
        ports: settings.ports.clone(),
        concurrency: fit_concurrency(settings.concurrency),
        probe: ProbeConfig {
            connect_timeout: settings.connect_timeout,
            timeout: settings.timeout,
            retries: settings.retries,
            cookie: settings.cookie.clone(),
            tls: scanning_client_config(),
            limiter: Some(limiter),
            // The sweep shares its own stop flag with the probes.
            stop: Arc::default(),
        },
    })
}

/// `rate` connections a second, in bursts of at most 10 ms worth: governor's default burst
/// (a whole second's worth at once) would hit a network with `rate` connections in an instant.
/// A burst of one would cap the rate near 1000/s, since a tokio sleep lasts at least 1 ms.
fn rate_quota(rate: NonZeroU32) -> Quota {
    let burst = NonZeroU32::new(rate.get() / 100).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(rate).allow_burst(burst)
}

/// Raises the soft open-file limit to the hard limit and keeps concurrency under it: each probe
/// holds one socket at a time.
fn fit_concurrency(wanted: u32) -> usize {
    let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let room = limit.saturating_sub(RESERVED_FDS).max(1);
    if u64::from(wanted) > room {
        tracing::warn!(
            "concurrency {wanted} is more than the open-file limit ({limit}) allows; using {room}"
        );
        room as usize
    } else {
        wanted as usize
    }
}

/// How a scan into a directory ended.
pub struct ScanSummary {
    pub line: String,
    pub interrupted: bool,
}

/// Scans `targets` and writes `results.jsonl` and `hosts.csv` into `out_dir` as rows finish.
/// `on_row` sees every observation too (the demo uses it to print its table).
pub async fn scan_into(
    targets: Arc<TargetSet>,
    config: &SweepConfig,
    out_dir: &Path,
    quiet: bool,
) -> Result<ScanSummary, Failure> {
    scan_into_with(targets, config, out_dir, quiet, |_| {}).await
}

/// [`scan_into`] with a callback per finished row.
pub async fn scan_into_with(
    targets: Arc<TargetSet>,
    config: &SweepConfig,
    out_dir: &Path,
    quiet: bool,
    mut on_row: impl FnMut(&Observation),
) -> Result<ScanSummary, Failure> {
    let outputs = Arc::new(Mutex::new(
        Outputs::create(out_dir).map_err(Failure::Runtime)?,
    ));
    let total = targets.len().saturating_mul(config.ports.len() as u128);
    tracing::info!(
        targets = %total,
        ports = ?config.ports,
        concurrency = config.concurrency,
        out_dir = %out_dir.display(),
        "scan started"
    );
    let mut reporter = Reporter::new(total, quiet);
    let stop = Arc::new(AtomicBool::new(false));
    let signals = tokio::spawn(watch_signals(stop.clone(), outputs.clone()));
    let end = sweep(targets, config, stop, |obs| {
        lock(&outputs).record(&obs)?;
        reporter.record(&obs);
        on_row(&obs);
        Ok(())
    })
    .await;
    signals.abort();
    let end = end.map_err(|e| Failure::Runtime(e.to_string()))?;
    let mut line = reporter.finish(end.interrupted);
    let outputs = lock(&outputs);
    line.push_str(&format!(
        "; wrote {} and {}",
        outputs.csv_path.display(),
        outputs.jsonl_path.display()
    ));
    Ok(ScanSummary {
        line,
        interrupted: end.interrupted,
    })
}

/// The outputs, even if a panicking holder poisoned the lock (rows written so far are intact).
fn lock(outputs: &Mutex<Outputs>) -> MutexGuard<'_, Outputs> {
    outputs
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// First Ctrl-C or SIGTERM: start no new target and let the probes in flight finish.
/// Second: quit at once, between two rows (the lock), so both files hold the same rows.
async fn watch_signals(stop: Arc<AtomicBool>, outputs: Arc<Mutex<Outputs>>) {
    signals::interrupted().await;
    stop.store(true, Ordering::SeqCst);
    tracing::warn!("interrupted: finishing the probes in flight (interrupt again to quit now)");
    signals::interrupted().await;
    let _between_rows = lock(&outputs);
    eprintln!("rdpsweep: interrupted again: quitting; finished rows are written");
    std::process::exit(EXIT_INTERRUPTED);
}

/// The report files of one scan, written row by row.
struct Outputs {
    csv: HostsCsv<BufWriter<File>>,
    jsonl: JsonLines<BufWriter<File>>,
    csv_path: PathBuf,
    jsonl_path: PathBuf,
}

impl Outputs {
    /// Creates the directory and both files (a previous run's files are replaced).
    fn create(dir: &Path) -> Result<Outputs, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create output directory {}: {e}", dir.display()))?;
        let open = |name: &str| -> Result<(BufWriter<File>, PathBuf), String> {
            let path = dir.join(name);
            let file = File::create(&path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            Ok((BufWriter::new(file), path))
        };
        let (csv_file, csv_path) = open("hosts.csv")?;
        let (jsonl_file, jsonl_path) = open("results.jsonl")?;
        let csv = HostsCsv::new(csv_file)
            .map_err(|e| format!("cannot write {}: {e}", csv_path.display()))?;
        Ok(Outputs {
            csv,
            jsonl: JsonLines::new(jsonl_file),
            csv_path,
            jsonl_path,
        })
    }

    /// Writes one row to both files; an error names the file that could not be written.
    fn record(&mut self, obs: &Observation) -> io::Result<()> {
        let failed = |path: &Path, e: io::Error| {
            io::Error::other(format!("cannot write {}: {e}", path.display()))
        };
        self.jsonl
            .record(obs)
            .map_err(|e| failed(&self.jsonl_path, e))?;
        self.csv.record(obs).map_err(|e| failed(&self.csv_path, e))
    }
}
