//! `rdpsweep scan`: settings → targets → sweep → report files, with progress and signals.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};

use rdpsweep::probe::now_utc;
use rdpsweep::probe::{DeepConfig, ProbeConfig};
use rdpsweep::rate::RateLimit;
use rdpsweep::resume::{self, ResumePoint};
use rdpsweep::sweep::{sweep, SweepConfig};
use rdpsweep::targets::{Order, TargetSet};
use rdpsweep::tls::scanning_client_config;
use rdpsweep::trust::TrustStore;
use rdpsweep_reports::files::{
    remove_stale_scratch, write_atomically, write_reports_fed, Feed, ReportError, ReportOutcome,
    ResultsReader,
};
use rdpsweep_reports::metrics;
use rdpsweep_reports::{
    JsonLines, Observation, ObservationSink, PageOptions, RiskPolicy, ScanInfo, Summary,
};
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

use super::logging;
use super::plan::{ScanPlan, ScanState, PLAN_FILE};
use super::progress::Reporter;
use super::report::{level_counts, load_policy, outcome_counts};
use super::settings::Settings;
use super::signals;
use super::target_space;
use super::verdict::{self, Verdict};
use super::{print_out, Failure, EXIT_OK};

/// File descriptors kept free for outputs, logs and name lookups.
const RESERVED_FDS: u64 = 64;

/// Runs `rdpsweep scan` and returns the exit code.
pub async fn run(mut settings: Settings, quiet: bool) -> Result<i32, Failure> {
    let policy = load_policy(settings.risk_config.as_deref(), settings.client_policy)?;
    let mut sweep_config = sweep_config(&settings)?;
    // Held until the scan ends: a second writer would duplicate or tear rows. Taken before the
    // targets are read only when standard input must be saved into the directory first.
    let mut lock = None;
    if target_space::reads_stdin(&settings) && !settings.dry_run {
        lock = Some(lock_out_dir(&settings.out_dir)?);
        target_space::save_stdin(&mut settings)?;
    }
    let targets = target_space::build(&settings)?;
    if let Some(plan) = &settings.resume {
        plan.check_targets(&targets, &settings.out_dir)?;
    }
    if settings.dry_run {
        print_out(&format!(
            "{}\n",
            target_space::dry_run_line(&targets, &settings)
        ));
        return Ok(EXIT_OK);
    }
    target_space::check_size(&targets, &settings)?;
    if let Some(path) = &settings.metrics {
        check_metrics_path(path)?;
    }
    let _lock = match lock {
        Some(lock) => lock,
        None => lock_out_dir(&settings.out_dir)?,
    };
    let mut plan = match &settings.resume {
        Some(plan) => {
            sweep_config.resume = Some(Arc::new(resume_point(&settings, &targets, &sweep_config)?));
            plan.clone()
        }
        None => ScanPlan::of(&settings, &targets),
    };
    plan.state = Some(ScanState::Running);
    plan.save(&settings.out_dir)?;
    let info = scan_info(&settings);
    let summary = scan_into(
        Arc::new(targets),
        &sweep_config,
        &settings.out_dir,
        quiet,
        &policy,
        &settings.page,
        info,
    )
    .await?;
    plan.state = Some(match summary.interrupted {
        true => ScanState::Interrupted,
        false => ScanState::Complete,
    });
    if let Err(e) = plan.save(&settings.out_dir) {
        tracing::warn!("cannot record the scan's end in {PLAN_FILE}: {e}");
    }
    // With --quiet a night that went well prints nothing: cron mails only what needs a look.
    if !quiet {
        print_out(&format!("{}\n", summary.line));
    }
    let verdict = Verdict::of(&summary.summary, &settings);
    log_finish(&summary, &settings.out_dir);
    if let Some(path) = &settings.metrics {
        write_metrics(path, &summary, &verdict)?;
    }
    if summary.interrupted {
        // Even with --quiet: a night cut short must not pass for a good one in a cron mail.
        let message = format!(
            "interrupted before every target was probed: the rows so far are kept and the \
             reports marked partial; to finish the scan: rdpsweep scan --resume {}",
            settings.out_dir.display()
        );
        logging::notice(signals::exit_code(), &message);
        return Ok(signals::exit_code());
    }
    if let Some(message) = verdict.message(&settings.out_dir) {
        logging::notice(verdict.exit_code(), &message);
    }
    Ok(verdict.exit_code())
}

/// The event that ends a scan's log: its counts as typed fields (the summary line's content,
/// for log shippers; `info`, so `--quiet` leaves it out).
fn log_finish(scan: &ScanSummary, out_dir: &Path) {
    let s = &scan.summary;
    let count = |map: &std::collections::BTreeMap<String, usize>, key: &str| {
        map.get(key).copied().unwrap_or(0) as u64
    };
    tracing::info!(
        hosts = s.hosts as u64,
        open = verdict::open(s),
        fails = count(&s.by_client_outcome, "fails"),
        warns = count(&s.by_client_outcome, "warns"),
        connects = count(&s.by_client_outcome, "connects"),
        high = count(&s.by_level, "high"),
        medium = count(&s.by_level, "medium"),
        low = count(&s.by_level, "low"),
        none = count(&s.by_level, "none"),
        interrupted = scan.interrupted,
        duration_s = (scan.duration.as_secs_f64() * 10.0).round() / 10.0,
        out_dir = %out_dir.display(),
        "scan finished"
    );
}

/// The lock file of an output directory, which one scan at a time may write.
pub const LOCK_FILE: &str = ".rdpsweep.lock";

/// Creates `dir` and takes its lock (an exclusive `flock` on `dir/.rdpsweep.lock`, released
/// when the returned file is dropped or the process ends, however it ends). A second scan into
/// the same directory, for example a Kubernetes pod replacing one still finishing, is refused.
pub fn lock_out_dir(dir: &Path) -> Result<File, Failure> {
    super::create_out_dir(dir)?;
    let path = dir.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Failure::Runtime(format!("cannot open {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => {
            // Ours now: anything a killed run left half-done here is stale.
            match remove_stale_scratch(dir) {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    "removed {n} temporary files a stopped run left in {}",
                    dir.display()
                ),
                Err(e) => tracing::warn!("cannot clean up {}: {e}", dir.display()),
            }
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => Err(Failure::Runtime(format!(
            "another rdpsweep is writing to {} (it holds {}): wait for it, or choose another directory",
            dir.display(),
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(Failure::Runtime(format!(
            "cannot lock {}: {e}",
            path.display()
        ))),
    }
}

/// What the run being resumed already did (nothing, if it never wrote a row).
fn resume_point(
    settings: &Settings,
    targets: &TargetSet,
    config: &SweepConfig,
) -> Result<ResumePoint, Failure> {
    let results = settings.out_dir.join("results.jsonl");
    if !results.exists() {
        tracing::info!("resuming {}: no results yet", settings.out_dir.display());
        return Ok(ResumePoint::default());
    }
    let point = resume::prepare(&results, targets, &config.order, &config.ports)
        .map_err(Failure::Runtime)?;
    if point.torn_bytes > 0 {
        tracing::warn!(
            "{}: removed a last line cut short ({} bytes); that target is probed again",
            results.display(),
            point.torn_bytes
        );
    }
    if point.duplicates > 0 {
        tracing::warn!(
            "{}: {} rows repeat a target already there (kept; the reports show them twice)",
            results.display(),
            point.duplicates
        );
    }
    if point.foreign > 0 {
        tracing::warn!(
            "{}: {} rows are not targets of this scan (kept as they are)",
            results.display(),
            point.foreign
        );
    }
    tracing::info!(
        done = %point.done(),
        "resuming {}: skipping the targets already in results.jsonl",
        settings.out_dir.display()
    );
    Ok(point)
}

/// Writes the Prometheus text file, replacing it whole. A night that did not succeed (stopped,
/// nothing answered, too few hosts) keeps the previous file's last-success time.
fn write_metrics(path: &Path, summary: &ScanSummary, verdict: &Verdict) -> Result<(), Failure> {
    let last_success = if verdict.succeeded() && !summary.interrupted {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| d.as_secs() as i64)
    } else {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| metrics::last_success(&text))
    };
    let text = metrics::prometheus_text(
        &summary.summary,
        summary.duration.as_secs_f64(),
        verdict::open(&summary.summary),
        last_success,
    );
    let (dir, name) = metrics_place(path)?;
    write_atomically(dir, name, |w| w.write_all(text.as_bytes()))
        .map(|_| ())
        .map_err(|e| Failure::Runtime(e.to_string()))
}

/// The directory and file name of `--metrics`, the directory created: checked before the scan
/// starts, so an unwritable path fails at once rather than after a night's work.
fn metrics_place(path: &Path) -> Result<(&Path, &str), Failure> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Failure::Usage(format!("--metrics {}: not a file name", path.display())))?;
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure::Runtime(format!(
            "cannot create the metrics directory {}: {e}",
            dir.display()
        ))
    })?;
    Ok((dir, name))
}

/// Fails before the scan when `--metrics` cannot be written: its directory cannot be made, or
/// a file cannot be created in it.
fn check_metrics_path(path: &Path) -> Result<(), Failure> {
    let (dir, name) = metrics_place(path)?;
    let probe = dir.join(format!(".{name}.{}.check", std::process::id()));
    File::create(&probe)
        .map_err(|e| Failure::Runtime(format!("cannot write --metrics {}: {e}", path.display())))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// The scan's parameters, for `summary.json` and the HTML report.
fn scan_info(settings: &Settings) -> ScanInfo {
    let paths = |p: &[PathBuf]| {
        p.iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
    };
    ScanInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        targets: Some(settings.targets.clone()),
        input_files: Some(paths(&settings.input_files)),
        excludes: Some([settings.excludes.clone(), paths(&settings.exclude_files)].concat()),
        ports: Some(settings.ports.clone()),
        rate: Some(settings.rate),
        concurrency: Some(settings.concurrency),
        connect_timeout: Some(humantime::format_duration(settings.connect_timeout).to_string()),
        timeout: Some(humantime::format_duration(settings.timeout).to_string()),
        retries: Some(settings.retries),
        seed: Some(settings.seed),
        shard: Some(settings.shard.to_string()),
        ..ScanInfo::default()
    }
}

/// The probe and sweep configuration, with concurrency fitted under the open-file limit.
pub fn sweep_config(settings: &Settings) -> Result<SweepConfig, Failure> {
    let rate = NonZeroU32::new(settings.rate)
        .ok_or_else(|| Failure::Usage("rate must be at least 1".into()))?;
    let limiter = Arc::new(RateLimit::per_second(rate));
    Ok(SweepConfig {
        ports: settings.ports.clone(),
        order: Order {
            seed: settings.seed,
            shard: settings.shard,
        },
        concurrency: fit_concurrency(settings.concurrency),
        probe: ProbeConfig {
            limiter: Some(limiter),
            trust: Arc::new(TrustStore::load(&settings.ca_files).map_err(Failure::Usage)?),
            deep: settings.deep.then(|| DeepConfig::new(settings.host_pause)),
            // The sweep gives the probes its own stop token.
            ..ProbeConfig::new(
                settings.connect_timeout,
                settings.timeout,
                settings.retries,
                &settings.cookie,
                scanning_client_config(),
            )
        },
        resume: None,
        // Half the grace for the probes in flight, the rest for the report files.
        stop_grace: settings.stop_grace / 2,
    })
}

/// Connections a second given to one runtime worker. A probe of a healthy TLS 1.3 host (X25519)
/// takes about 250 µs of CPU here, so one worker at this rate is about a quarter busy, with room
/// for key exchanges several times heavier (a P-384 exchange takes about 0.7 ms a side). Each
/// wait on the rate limiter is a wake-up, and a worker more than the rate needs turns many of
/// them into wake-ups across threads: at `--rate 2000`, two workers took about a quarter more
/// CPU than one, for the same rate and stage times.
const RATE_PER_WORKER: u32 = 1_000;

/// The runtime workers a scan at `rate` connections a second gets: enough for the rate, at
/// most one per core.
pub fn worker_threads(rate: u32) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    (rate.div_ceil(RATE_PER_WORKER) as usize).clamp(1, cores)
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
    /// Counts by status, level and finding.
    pub summary: Summary,
    /// `results.jsonl`.
    #[cfg_attr(not(feature = "demo"), allow(dead_code))]
    pub results: PathBuf,
    /// From the first probe to the last report file.
    pub duration: std::time::Duration,
}

/// Scans `targets`, appending each observation to `out_dir/results.jsonl` as it finishes,
/// then ranks them under `policy` and writes the report files.
pub async fn scan_into(
    targets: Arc<TargetSet>,
    config: &SweepConfig,
    out_dir: &Path,
    quiet: bool,
    policy: &RiskPolicy,
    page: &PageOptions,
    mut info: ScanInfo,
) -> Result<ScanSummary, Failure> {
    // Listening starts before results.jsonl is opened: from here a signal stops the scan
    // gracefully instead of killing it.
    let listener = signals::Listener::new();
    let resumed = config.resume.as_ref().map_or(0, |point| point.done());
    let opened = Results::open(out_dir, config.resume.is_some()).map_err(Failure::Runtime)?;
    // The rows are ranked on a thread of their own while the sweep runs, so the report files
    // follow the last probe closely (and results.jsonl is not parsed back).
    let stops = Stops::default();
    let mut ranking = Ranking::start(
        out_dir,
        policy,
        page,
        opened.earlier()?,
        stops.reports.clone(),
    )?;
    let results = Arc::new(Mutex::new(opened));
    // The rows still buffered are written however this function ends, a panic included (the
    // signal watcher holds the file too, so dropping it here would not).
    let _flush_at_end = FlushOnDrop(results.clone());
    let total = targets
        .len_in(&config.order.shard)
        .saturating_mul(config.ports.len() as u128)
        .saturating_sub(resumed);
    let ports: Vec<String> = config.ports.iter().map(u16::to_string).collect();
    match u64::try_from(total) {
        Ok(targets) => tracing::info!(
            targets,
            ports = ports.join(","),
            concurrency = config.concurrency as u64,
            out_dir = %out_dir.display(),
            "scan started"
        ),
        // Beyond a u64 only with --max-targets raised that far: the count as text.
        Err(_) => tracing::info!(
            targets = %total,
            ports = ports.join(","),
            concurrency = config.concurrency as u64,
            out_dir = %out_dir.display(),
            "scan started"
        ),
    }
    info.started_at = Some(now_utc());
    let started = std::time::Instant::now();
    let mut reporter = Reporter::new(total, quiet);
    let grace = config.stop_grace * 2;
    let signals = tokio::spawn(watch_signals(
        listener,
        stops.clone(),
        results.clone(),
        grace,
    ));
    // Stopped however the sweep ends, a panic included.
    let flusher = AbortOnDropHandle::new(tokio::spawn(flush_every(results.clone(), FLUSH_EVERY)));
    let end = sweep(targets, config, stops.sweep.clone(), |obs| {
        lock(&results).record(&obs)?;
        reporter.record(&obs);
        ranking.feed(obs);
        Ok(())
    })
    .await
    .and_then(|end| lock(&results).flush().map(|()| end));
    drop(flusher);
    let end = end.map_err(|e| Failure::Runtime(e.to_string()));
    info.finished_at = Some(now_utc());
    let jsonl_path = lock(&results).path.clone();
    // From here a signal abandons the report files (results.jsonl is complete).
    stops.reporting.store(true, Ordering::SeqCst);
    let built = match end {
        Ok(end) => {
            info.interrupted = end.interrupted;
            ranking.finish(info).map(|built| (end, built))
        }
        Err(e) => {
            ranking.abandon();
            Err(e)
        }
    };
    signals.abort();
    let (end, built) = built?;
    let mut files = vec![jsonl_path.clone()];
    files.extend(built.files);
    let resumed = if resumed > 0 {
        format!("resumed after {resumed} rows already done; ")
    } else {
        String::new()
    };
    let abandoned = match end.abandoned {
        0 => String::new(),
        n => format!("; {n} probes still in flight at the stop grace were abandoned"),
    };
    let mut line = format!(
        "{resumed}{}{abandoned}; {}; risk: {}; wrote {}",
        reporter.finish(end.interrupted),
        outcome_counts(&built.summary),
        level_counts(&built.summary),
        files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if end.interrupted {
        line.push_str(&format!(
            "\nto finish the scan: rdpsweep scan --resume {}",
            out_dir.display()
        ));
    }
    Ok(ScanSummary {
        line,
        interrupted: end.interrupted,
        summary: built.summary,
        results: jsonl_path,
        duration: started.elapsed(),
    })
}

/// The results file, even if a panicking holder poisoned the lock (rows written so far are intact).
fn lock(results: &Mutex<Results>) -> MutexGuard<'_, Results> {
    results
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The stop flags a scan's signals set.
#[derive(Clone, Default)]
struct Stops {
    /// Start no new target (first signal during the sweep).
    sweep: CancellationToken,
    /// Set once the sweep is over and the report files are being built.
    reporting: Arc<AtomicBool>,
    /// Abandon the report files (a signal while they are being built).
    reports: Arc<AtomicBool>,
}

/// During the sweep, the first Ctrl-C or SIGTERM starts no new target and lets the probes in
/// flight finish within half the stop grace (the sweep abandons the rest; the report files are
/// then built from what finished); if the report files are not done when the whole `grace` has
/// passed, they are abandoned, so the process exits within it. A second signal quits at once,
/// between two rows (the lock). While the report files are built, a signal abandons them
/// (nothing half-written is left, and `rdpsweep report` builds them from results.jsonl).
async fn watch_signals(
    mut listener: signals::Listener,
    stops: Stops,
    results: Arc<Mutex<Results>>,
    grace: std::time::Duration,
) {
    loop {
        listener.next().await;
        if stops.reporting.load(Ordering::SeqCst) {
            stops.reports.store(true, Ordering::SeqCst);
            tracing::warn!("interrupted: abandoning the report files; results.jsonl is complete");
        } else if !stops.sweep.is_cancelled() {
            stops.sweep.cancel();
            let reports = stops.reports.clone();
            tokio::spawn(async move {
                tokio::time::sleep(grace).await;
                reports.store(true, Ordering::SeqCst);
                tracing::warn!(
                    "the stop grace has passed: abandoning the report files; results.jsonl holds every finished row (rdpsweep report builds them)"
                );
            });
        } else {
            let mut between_rows = lock(&results);
            let message = match between_rows.flush() {
                Ok(()) => "interrupted again: quitting; results.jsonl holds every finished row (rdpsweep report builds the report files)".to_string(),
                Err(e) => format!("interrupted again: quitting; {e}: the rows finished last may be missing (rdpsweep scan --resume probes them again)"),
            };
            logging::notice(signals::exit_code(), &message);
            std::process::exit(signals::exit_code());
        }
    }
}

/// The ranking of a scan's rows, on a thread of its own: fed each row as it is written, it
/// spills sorted runs while the sweep goes on, and writes the report files when told the scan
/// is over. The feed is bounded, so a slow disk slows the sweep rather than filling memory.
struct Ranking {
    feed: Option<SyncSender<Feed>>,
    /// Rows not handed over yet: they go in batches of [`FEED_BATCH`], and the rest at the end.
    batch: Vec<Observation>,
    thread: std::thread::JoinHandle<Result<ReportOutcome, ReportError>>,
}

/// Batches of rows the sweep may hand the ranking thread ahead of it.
const FEED_CAPACITY: usize = 64;

/// Rows handed over at once: the ranking thread is woken once per batch, not once per row.
const FEED_BATCH: usize = 64;

impl Ranking {
    fn start(
        out_dir: &Path,
        policy: &RiskPolicy,
        page: &PageOptions,
        earlier: Option<ResultsReader>,
        stop: Arc<AtomicBool>,
    ) -> Result<Ranking, Failure> {
        let (feed, rows) = std::sync::mpsc::sync_channel(FEED_CAPACITY);
        let (dir, policy, page) = (out_dir.to_path_buf(), policy.clone(), page.clone());
        let thread = std::thread::Builder::new()
            .name("ranking".into())
            .spawn(move || write_reports_fed(&dir, &policy, &page, earlier, rows, &stop))
            .map_err(|e| Failure::Runtime(format!("cannot start the ranking thread: {e}")))?;
        Ok(Ranking {
            feed: Some(feed),
            batch: Vec::with_capacity(FEED_BATCH),
            thread,
        })
    }

    /// Hands one finished row over, in a batch (if the thread has failed, its error comes at
    /// `finish`).
    fn feed(&mut self, obs: Observation) {
        self.batch.push(obs);
        if self.batch.len() >= FEED_BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let rows = std::mem::replace(&mut self.batch, Vec::with_capacity(FEED_BATCH));
        if let (Some(feed), false) = (&self.feed, rows.is_empty()) {
            // A full feed (a ranking thread held up by its disk) waits without stalling the
            // runtime.
            if let Err(TrySendError::Full(rows)) = feed.try_send(Feed::Rows(rows)) {
                let _ = off_the_runtime(|| feed.send(rows));
            }
        }
    }

    /// Ends the feed and waits for the report files (the signal watcher keeps running, so a
    /// signal can abandon them).
    fn finish(mut self, info: ScanInfo) -> Result<ReportOutcome, Failure> {
        self.flush();
        let (feed, thread) = (self.feed.take(), self.thread);
        let joined = off_the_runtime(move || {
            if let Some(feed) = feed {
                let _ = feed.send(Feed::End(Box::new(info)));
            }
            thread.join()
        });
        match joined {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(e @ ReportError::Interrupted)) => Err(Failure::Interrupted(e.to_string())),
            Ok(Err(e)) => Err(Failure::Runtime(e.to_string())),
            Err(_) => Err(Failure::Runtime(
                "internal error: the ranking thread panicked; rdpsweep report builds the report files from results.jsonl".into(),
            )),
        }
    }

    /// Ends the feed without an end: the thread drops its work and temporary files.
    fn abandon(mut self) {
        self.feed.take();
        let thread = self.thread;
        let _ = off_the_runtime(move || thread.join());
    }
}

/// Runs `wait`, which blocks, without stalling the runtime's other tasks (the signal watcher
/// and the stop grace among them): on a multi-thread runtime the worker hands its other tasks
/// to a new thread first. A rate-limited scan may run on a single worker.
fn off_the_runtime<T>(wait: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(wait),
        _ => wait(),
    }
}

/// `results.jsonl`, one observation per line, buffered and flushed every [`FLUSH_ROWS`] rows
/// and every [`FLUSH_EVERY`] (by [`flush_every`]): a few writes a second rather than one per
/// target, while a killed scan loses at most the rows of its last [`FLUSH_EVERY`], never
/// more than [`FLUSH_ROWS`] (which `--resume` probes again).
struct Results {
    jsonl: JsonLines<BufWriter<File>>,
    path: PathBuf,
    /// Its length when opened: the rows of the run being resumed (0 for a new scan).
    earlier_len: u64,
    /// Rows recorded since the last flush.
    unflushed: usize,
    /// Why a flush made by [`flush_every`] failed: said by the next row, or the last flush.
    failed: Option<String>,
}

/// Flushes `results.jsonl` when dropped (errors were reported by the flushes before).
struct FlushOnDrop(Arc<Mutex<Results>>);

impl Drop for FlushOnDrop {
    fn drop(&mut self) {
        let _ = lock(&self.0).flush();
    }
}

/// The most rows `results.jsonl` holds in its buffer while the sweep keeps finishing probes.
const FLUSH_ROWS: usize = 64;

/// How long a finished row waits in `results.jsonl`'s buffer, at most (on a busy machine, a
/// little longer).
const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// Flushes `results` every `every`, for the rows of a sweep that finishes fewer than
/// [`FLUSH_ROWS`] in that time; runs until aborted.
async fn flush_every(results: Arc<Mutex<Results>>, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let mut results = lock(&results);
        if let Err(e) = results.flush() {
            results.failed.get_or_insert(e.to_string());
        }
    }
}

/// `results.jsonl`'s buffer: [`FLUSH_ROWS`] rows of a healthy host (about 1 KB each).
const RESULTS_BUFFER: usize = 64 * 1024;

impl Results {
    /// Creates the directory and the file: a previous run's file is replaced, or appended to
    /// when `append` (resuming).
    fn open(dir: &Path, append: bool) -> Result<Results, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create output directory {}: {e}", dir.display()))?;
        let path = dir.join("results.jsonl");
        let file = if append {
            File::options().create(true).append(true).open(&path)
        } else {
            File::create(&path)
        }
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        let earlier_len = file
            .metadata()
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .len();
        Ok(Results {
            jsonl: JsonLines::new(BufWriter::with_capacity(RESULTS_BUFFER, file)),
            path,
            earlier_len,
            unflushed: 0,
            failed: None,
        })
    }

    /// A reader of the rows the file held when opened (those of the run being resumed).
    fn earlier(&self) -> Result<Option<ResultsReader>, Failure> {
        if self.earlier_len == 0 {
            return Ok(None);
        }
        ResultsReader::open_prefix(&self.path, self.earlier_len)
            .map(Some)
            .map_err(|e| Failure::Runtime(e.to_string()))
    }

    /// Writes one row (flushing every [`FLUSH_ROWS`]); an error names the file.
    fn record(&mut self, obs: &Observation) -> io::Result<()> {
        self.failure()?;
        self.jsonl.record(obs).map_err(|e| self.named(e))?;
        self.unflushed += 1;
        match self.unflushed >= FLUSH_ROWS {
            true => self.flush(),
            false => Ok(()),
        }
    }

    /// Hands the buffered rows to the operating system; an error names the file.
    fn flush(&mut self) -> io::Result<()> {
        self.failure()?;
        if self.unflushed == 0 {
            return Ok(());
        }
        self.unflushed = 0;
        self.jsonl.flush().map_err(|e| self.named(e))
    }

    /// The error of a flush [`flush_every`] made, if one failed.
    fn failure(&self) -> io::Result<()> {
        match &self.failed {
            Some(why) => Err(io::Error::other(why.clone())),
            None => Ok(()),
        }
    }

    fn named(&self, e: io::Error) -> io::Error {
        io::Error::other(format!("cannot write {}: {e}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdpsweep_reports::TcpStatus;

    /// On one worker (a rate-limited scan), a task waiting for the ranking thread must leave the
    /// worker to the others: the signal watcher must run while the report files are built.
    #[test]
    fn a_wait_off_the_runtime_leaves_the_worker_to_other_tasks() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let answered = runtime.block_on(async {
            let (tell, told) = std::sync::mpsc::channel();
            let waiter = tokio::spawn(async move {
                off_the_runtime(move || told.recv_timeout(std::time::Duration::from_secs(5)))
            });
            // Only the worker runs this; it answers unless the waiter holds it.
            tokio::spawn(async move { tell.send(()) });
            waiter.await.expect("the waiting task")
        });
        assert_eq!(answered, Ok(()), "the other task never ran");
    }

    #[test]
    fn workers_follow_the_rate_up_to_one_per_core() {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        assert_eq!(worker_threads(1), 1);
        assert_eq!(worker_threads(300), 1, "the default rate");
        assert_eq!(worker_threads(RATE_PER_WORKER), 1);
        assert_eq!(worker_threads(RATE_PER_WORKER + 1), 2.min(cores));
        assert_eq!(worker_threads(u32::MAX), cores);
    }

    /// `results.jsonl` on a disk where every write fails, as a full one.
    #[cfg(target_os = "linux")]
    fn on_a_full_disk() -> Results {
        let file = File::options()
            .write(true)
            .open("/dev/full")
            .expect("open /dev/full");
        Results {
            jsonl: JsonLines::new(BufWriter::with_capacity(RESULTS_BUFFER, file)),
            path: PathBuf::from("/dev/full"),
            earlier_len: 0,
            unflushed: 0,
            failed: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_row_reaches_the_file_within_a_flush_interval_without_more_rows() {
        let dir = std::env::temp_dir().join(format!("rdpsweep-flush-{}", std::process::id()));
        let results = Arc::new(Mutex::new(
            Results::open(&dir, false).expect("results.jsonl"),
        ));
        let path = lock(&results).path.clone();
        let row = Observation::new(Some([127, 0, 0, 1].into()), 3389, None, TcpStatus::Refused);
        lock(&results).record(&row).expect("buffered");
        let flusher = tokio::spawn(flush_every(results.clone(), FLUSH_EVERY));
        tokio::time::sleep(FLUSH_EVERY * 2).await;
        let written = std::fs::read_to_string(&path).expect("read results.jsonl");
        flusher.abort();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(written.lines().count(), 1, "{written:?}");
        assert!(written.starts_with(r#"{"ip":"127.0.0.1","port":3389,"tcp":"refused""#));
    }

    // /dev/full, whose every write fails with "no space left on device", is Linux's.
    #[cfg(target_os = "linux")]
    #[tokio::test(start_paused = true)]
    async fn a_flush_that_failed_between_rows_stops_the_next_row_and_the_last_flush() {
        let results = Arc::new(Mutex::new(on_a_full_disk()));
        let row = Observation::new(Some([127, 0, 0, 1].into()), 3389, None, TcpStatus::Refused);
        lock(&results)
            .record(&row)
            .expect("one row only fills the buffer");
        let flusher = tokio::spawn(flush_every(results.clone(), FLUSH_EVERY));
        tokio::time::sleep(FLUSH_EVERY * 2).await;
        flusher.abort();
        let next = lock(&results)
            .record(&row)
            .expect_err("the failed flush is said");
        assert!(
            next.to_string().starts_with("cannot write /dev/full: "),
            "{next}"
        );
        let last = lock(&results).flush().expect_err("and by the last flush");
        assert_eq!(last.to_string(), next.to_string());
    }
}
