//! What a person or a log file sees while a scan runs: a progress bar on a terminal, or a
//! quiet progress line every half minute when stderr is not a terminal (cron, Docker), and
//! one summary line at the end.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rdpsweep_reports::Observation;

/// How often a progress line is logged when there is no terminal.
const LOG_EVERY: Duration = Duration::from_secs(30);

/// Counts outcomes and shows progress.
pub struct Reporter {
    bar: Option<ProgressBar>,
    total: u128,
    done: u64,
    counts: BTreeMap<String, u64>,
    started: Instant,
    last_log: Instant,
    quiet: bool,
}

impl Reporter {
    /// A bar when stderr is a terminal and `quiet` is off; otherwise periodic log lines.
    pub fn new(total: u128, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(
                Some(u64::try_from(total).unwrap_or(u64::MAX)),
                ProgressDrawTarget::stderr(),
            );
            let style = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} targets ({rate}, eta {eta})",
            )
            .map(|style| {
                style.with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.0}/s", state.per_sec());
                    },
                )
            })
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let now = Instant::now();
        Reporter {
            bar,
            total,
            done: 0,
            counts: BTreeMap::new(),
            started: now,
            last_log: now,
            quiet,
        }
    }

    /// Counts one finished target.
    pub fn record(&mut self, obs: &Observation) {
        self.done += 1;
        *self.counts.entry(obs.outcome()).or_default() += 1;
        if let Some(bar) = &self.bar {
            bar.inc(1);
        } else if !self.quiet && self.last_log.elapsed() >= LOG_EVERY {
            self.last_log = Instant::now();
            let rate = self.done as f64 / self.started.elapsed().as_secs_f64().max(0.001);
            tracing::info!(
                "progress: {} of {} targets, {rate:.0}/s",
                self.done,
                self.total
            );
        }
    }

    /// Removes the bar and returns the one-line summary.
    pub fn finish(&self, interrupted: bool) -> String {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let mut by_count: Vec<(&String, &u64)> = self.counts.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let counts: Vec<String> = by_count.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let state = if interrupted {
            "interrupted after"
        } else {
            "scanned"
        };
        format!(
            "{state} {} of {} targets in {:.1}s: {}",
            self.done,
            self.total,
            self.started.elapsed().as_secs_f64(),
            if counts.is_empty() {
                "nothing".to_string()
            } else {
                counts.join(", ")
            }
        )
    }
}
