//! The report step: saved observations → ranked report files. Every scan ends with it;
//! `rdpsweep report` runs it alone on a saved `results.jsonl`, `rdpsweep merge` on several.

use std::path::{Path, PathBuf};

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use rdpsweep_reports::{
    write_reports, PageOptions, ReportError, ReportOutcome, RiskLevel, RiskPolicy, ScanInfo,
    Summary,
};

use rdpsweep_reports::{ClientOutcome, ClientPolicy};

use super::args::{PageArgs, ReportArgs, RiskArgs};
use super::plan::ScanPlan;
use super::scan_lock::in_use;
use super::{print_out, signals, Failure, EXIT_FAIL_ON, EXIT_OK};

/// The risk policy: `--risk-config FILE`, or the built-in defaults (those of configs/risk.toml);
/// `--client-policy`, when given, replaces the file's `client_policy`.
pub fn load_policy(
    path: Option<&Path>,
    client: Option<ClientPolicy>,
) -> Result<RiskPolicy, Failure> {
    let mut policy = match path {
        None => RiskPolicy::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failure::Usage(format!("cannot read risk config {}: {e}", path.display()))
            })?;
            let mut policy = RiskPolicy::from_toml(&text)
                .map_err(|e| Failure::Usage(format!("risk config {}: {e}", path.display())))?;
            policy.source = path.display().to_string();
            policy
        }
    };
    if let Some(client) = client {
        policy.client_policy = client;
    }
    Ok(policy)
}

/// Ranks `results` under `policy` and writes the report files into `out_dir`, in bounded
/// memory. A bad line is a usage error (exit 2) when the file came from the user, a runtime one
/// (exit 1) when the scan just wrote it: `own_results` says which.
pub fn build_reports(
    results: &Path,
    out_dir: &Path,
    policy: &RiskPolicy,
    page: &PageOptions,
    info: &ScanInfo,
    own_results: bool,
    stop: &AtomicBool,
) -> Result<ReportOutcome, Failure> {
    if let Err(e) = std::fs::File::open(results) {
        let message = format!("cannot read {}: {e}", results.display());
        return Err(if own_results {
            Failure::Runtime(message)
        } else {
            Failure::Usage(message)
        });
    }
    super::create_out_dir(out_dir)?;
    let outcome =
        write_reports(out_dir, results, policy, info, page, stop).map_err(|e| match e {
            ReportError::Read(read) if !own_results => Failure::Usage(read.to_string()),
            ReportError::Interrupted => Failure::Interrupted(e.to_string()),
            other => Failure::Runtime(other.to_string()),
        })?;
    if outcome.truncated_last_line {
        tracing::warn!(
            "{}: the last line is cut short (a scan killed mid-write); left out",
            results.display()
        );
    }
    if outcome.superseded > 0 {
        tracing::warn!(
            "{}: left out {} earlier rows of a target and port that a later row repeats (the last row of each is kept)",
            results.display(),
            outcome.superseded
        );
    }
    Ok(outcome)
}

/// `2 high, 5 medium, 1 low, 24 none`.
pub fn level_counts(summary: &Summary) -> String {
    RiskLevel::ALL
        .iter()
        .map(|level| {
            format!(
                "{} {level}",
                summary.by_level.get(level.as_str()).copied().unwrap_or(0)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `clients: 18 fail, 9 warn, 4 connect`: what a client gets from the hosts that accepted TCP.
pub fn outcome_counts(summary: &Summary) -> String {
    let count = |outcome: ClientOutcome| {
        summary
            .by_client_outcome
            .get(outcome.as_str())
            .copied()
            .unwrap_or(0)
    };
    format!(
        "clients: {} fail, {} warn, {} connect",
        count(ClientOutcome::Fails),
        count(ClientOutcome::Warns),
        count(ClientOutcome::Connects)
    )
}

/// True when `--fail-on LEVEL` is given and some host is at LEVEL or worse.
pub fn fails_on(summary: &Summary, fail_on: Option<RiskLevel>) -> bool {
    fail_on.is_some_and(|threshold| {
        RiskLevel::ALL
            .iter()
            .filter(|level| **level != RiskLevel::None && **level <= threshold)
            .any(|level| summary.by_level.get(level.as_str()).copied().unwrap_or(0) > 0)
    })
}

fn list(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs `rdpsweep report`. When the results sit in a scan's directory, its `scan.json` says
/// whether the scan finished: a report of an unfinished one is marked partial.
pub fn report(args: ReportArgs) -> Result<i32, Failure> {
    let scan_dir = match args.results.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let out_dir = args.out_dir.clone().unwrap_or_else(|| scan_dir.clone());
    let mut info = rebuilt_info(&args.results.display().to_string());
    match ScanPlan::find(&scan_dir) {
        Ok(Some(plan)) => {
            plan.describe(&mut info);
            let reason = plan
                .state
                .and_then(|state| state.partial_reason(&scan_dir, in_use(&scan_dir)));
            if let Some(reason) = reason {
                tracing::warn!("the report is partial: {reason}");
                info.interrupted = true;
                info.partial = Some(reason);
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!("{e}; the report cannot tell whether the scan finished"),
    }
    rebuild(&args.results, &out_dir, &args.risk, &args.page, info)
}

/// The record of a report rebuilt from `source`.
pub fn rebuilt_info(source: &str) -> ScanInfo {
    ScanInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        source: Some(source.to_string()),
        ..ScanInfo::default()
    }
}

/// Ranks `results` into `out_dir` (stopping cleanly on a signal), prints one line, and returns
/// the exit code `--fail-on` asks for.
pub fn rebuild(
    results: &Path,
    out_dir: &Path,
    risk: &RiskArgs,
    page: &PageArgs,
    info: ScanInfo,
) -> Result<i32, Failure> {
    let policy = load_policy(risk.risk_config.as_deref(), risk.client_policy)?;
    let source = info.source.clone().unwrap_or_default();
    let stop = Arc::new(AtomicBool::new(false));
    let signals = signals::stop_on_signal(stop.clone());
    let page = page.options(out_dir)?;
    let built = build_reports(results, out_dir, &policy, &page, &info, false, &stop);
    signals.abort();
    let built = built?;
    let partial = if info.partial.is_some() {
        " (partial)"
    } else {
        ""
    };
    print_out(&format!(
        "ranked {} hosts from {source}{partial}: {}; risk: {}; wrote {}\n",
        built.summary.hosts,
        outcome_counts(&built.summary),
        level_counts(&built.summary),
        list(&built.files)
    ));
    Ok(if fails_on(&built.summary, risk.fail_on.map(|f| f.0)) {
        EXIT_FAIL_ON
    } else {
        EXIT_OK
    })
}
