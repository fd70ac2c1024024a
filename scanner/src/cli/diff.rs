//! `rdpsweep diff`: what changed between two runs, for a terminal or a nightly job. It reads a
//! run only once its scan has ended (the directory's lock), can skip a first night that has no
//! earlier run, warns when a run's reports were scored under another risk policy than the
//! diff's, and with `--fail-on LEVEL` exits 3 on news at that level.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rdpsweep_reports::diff::{
    diff as diff_runs, diff_text, news_at, write_diff_csv, DiffTotals, News, RiskView,
};
use rdpsweep_reports::files::write_atomically;
use rdpsweep_reports::summary::PolicyInfo;
use rdpsweep_reports::{ReportError, ResultsReader, RiskLevel, RiskPolicy};

use super::args::DiffArgs;
use super::report::load_policy;
use super::{logging, print_out, scan_lock, Failure, EXIT_FAIL_ON, EXIT_OK};

/// How many hosts the `--fail-on` message names before it says how many more there are.
const NAMED_HOSTS: usize = 10;

/// Runs `rdpsweep diff`: prints the changes and their totals (not with `--quiet`); with `-o`,
/// writes diff.csv and diff.txt too. Each run is reduced to its hosts at risk as it is read,
/// so memory follows those, not the size of the runs.
pub fn diff(args: DiffArgs, quiet: bool) -> Result<i32, Failure> {
    let policy = load_policy(args.risk_config.as_deref(), args.client_policy)?;
    let old = results_file(&args.old);
    let new = results_file(&args.new);
    if args.missing_old_ok && !old.exists() {
        tracing::warn!(
            "no earlier run to compare with: {} does not exist (the first night, or a night \
             that wrote no results); nothing compared",
            old.display()
        );
        return Ok(EXIT_OK);
    }
    // Held while both runs are read: neither is being written meanwhile.
    let start = Instant::now();
    let _old_lock = scan_lock::wait_for_scan(&dir_of(&old), args.wait.0, "OLD")?;
    let left = args.wait.0.saturating_sub(start.elapsed());
    let _new_lock = scan_lock::wait_for_scan(&dir_of(&new), left, "NEW")?;
    for (path, what) in [(&old, "OLD"), (&new, "NEW")] {
        if let Some(warning) = other_policy(&dir_of(path), &policy, what) {
            tracing::warn!("{warning}");
        }
    }

    let mut old_view = read_view(&old, &policy)?;
    let mut new_view = read_view(&new, &policy)?;
    // Once more through each run: the other run's hosts at risk that it does not hold at risk
    // (was the host scanned at all, and what did a client get).
    new_view
        .look_up(&old_view, open(&new)?)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    old_view
        .look_up(&new_view, open(&old)?)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let changes = diff_runs(&old_view, &new_view);
    let totals = DiffTotals::of(&old_view, &new_view, &changes);
    let text = diff_text(&changes, &totals);
    if !quiet {
        print_out(&text);
    }
    let mut written = None;
    if let Some(dir) = &args.out_dir {
        super::create_out_dir(dir)?;
        let committed =
            |r: Result<PathBuf, ReportError>| r.map_err(|e| Failure::Runtime(e.to_string()));
        committed(write_atomically(dir, "diff.csv", |w| {
            write_diff_csv(w, &changes)
        }))?;
        written = Some(committed(write_atomically(dir, "diff.txt", |w| {
            w.write_all(text.as_bytes())
        }))?);
    }
    if let Some(level) = args.fail_on.map(|f| f.0) {
        let news = news_at(&changes, level);
        if !news.is_empty() {
            let message = news_message(&news, level, written.as_deref());
            logging::notice(EXIT_FAIL_ON, &message);
            return Ok(EXIT_FAIL_ON);
        }
    }
    Ok(EXIT_OK)
}

/// `DIR/results.jsonl` when given a directory, else the path itself.
fn results_file(path: &Path) -> PathBuf {
    match path.is_dir() {
        true => path.join("results.jsonl"),
        false => path.to_path_buf(),
    }
}

/// The directory a results file is in (`.` for a bare file name).
fn dir_of(results: &Path) -> PathBuf {
    match results.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn open(path: &Path) -> Result<ResultsReader, Failure> {
    ResultsReader::open(path).map_err(|e| Failure::Usage(e.to_string()))
}

/// One run's hosts at risk under `policy`.
fn read_view(path: &Path, policy: &RiskPolicy) -> Result<RiskView, Failure> {
    let mut reader = open(path)?;
    let view =
        RiskView::read(reader.by_ref(), policy).map_err(|e| Failure::Usage(e.to_string()))?;
    if reader.truncated_last_line() {
        tracing::warn!(
            "{}: the last line is cut short (a scan killed mid-write); left out",
            path.display()
        );
    }
    Ok(view)
}

/// A warning when the reports beside a run (`DIR/summary.json`) were scored under another risk
/// policy than `policy`: the levels the diff compares would not be the ones those reports and
/// the scan's `--fail-on` showed (a nightly diff run without the scan's `--risk-config`).
/// Nothing when there is no summary, or it predates the policy's record.
fn other_policy(dir: &Path, policy: &RiskPolicy, what: &str) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("summary.json")).ok()?;
    let summary: serde_json::Value = serde_json::from_str(&text).ok()?;
    let recorded: PolicyInfo =
        serde_json::from_value(summary.get("scan")?.get("risk_policy")?.clone()).ok()?;
    let ours = PolicyInfo::of(policy);
    let same = PolicyInfo {
        source: ours.source.clone(),
        ..recorded.clone()
    } == ours;
    (!same).then(|| {
        format!(
            "{what}'s reports ({}) were scored under another risk policy ({}, client policy {}) \
             than this diff ({}, client policy {}): give diff the scan's --risk-config and \
             --client-policy, or its levels are not the ones the reports show",
            dir.join("summary.json").display(),
            recorded.source,
            recorded.client_policy,
            ours.source,
            ours.client_policy
        )
    })
}

/// `2 hosts with news at high or worse: 10.0.0.5:3389 (+X224_NO_RESPONSE; none -> high), ...;
/// see DIR/diff.txt`.
fn news_message(news: &[News], level: RiskLevel, written: Option<&Path>) -> String {
    let hosts: Vec<String> = news
        .iter()
        .take(NAMED_HOSTS)
        .map(|n| {
            let mut what: Vec<String> = n.appeared.iter().map(|c| format!("+{c}")).collect();
            if let Some((old, new)) = n.rose {
                what.push(format!("{old} -> {new}"));
            }
            format!("{}:{} ({})", n.host, n.port, what.join("; "))
        })
        .collect();
    let more = match news.len().saturating_sub(NAMED_HOSTS) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let see = written
        .map(|path| format!("; see {}", path.display()))
        .unwrap_or_default();
    let count = match news.len() {
        1 => "1 host".to_string(),
        n => format!("{n} hosts"),
    };
    format!(
        "{count} with news at {level} or worse (--fail-on {level}): {}{more}{see}",
        hosts.join(", ")
    )
}
