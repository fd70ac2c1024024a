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
    /// The target's outcome, written here first: a key is allocated only when new.
    outcome: String,
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
            outcome: String::new(),
            started: now,
            last_log: now,
            quiet,
        }
    }

    /// Counts one finished target.
    pub fn record(&mut self, obs: &Observation) {
        self.done += 1;
        self.outcome.clear();
        obs.write_outcome(&mut self.outcome);
        rdpsweep_reports::summary::count(&mut self.counts, &self.outcome);
        if let Some(bar) = &self.bar {
            bar.inc(1);
        } else if !self.quiet && self.last_log.elapsed() >= LOG_EVERY {
            self.last_log = Instant::now();
            self.log_progress();
        }
    }

    /// One progress line: done of total, percent, rate and the time left at that rate.
    fn log_progress(&self) {
        let p = Progress::of(self.done, self.total, self.started.elapsed());
        tracing::info!(
            done = self.done,
            total = u64::try_from(self.total).unwrap_or(u64::MAX),
            percent = p.percent,
            rate = p.rate,
            eta_s = p.left_s,
            "{}",
            p.text(self.done, self.total)
        );
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

/// Where a scan stands, for a progress line.
#[derive(Debug, PartialEq)]
struct Progress {
    /// Done, in percent of the total, to a tenth.
    percent: f64,
    /// Targets per second so far.
    rate: u64,
    /// Seconds left at that rate.
    left_s: u64,
}

impl Progress {
    fn of(done: u64, total: u128, elapsed: Duration) -> Progress {
        let rate = done as f64 / elapsed.as_secs_f64().max(0.001);
        let total = total as f64;
        let percent = (done as f64 * 100.0 / total.max(1.0)).min(100.0);
        let left_s = match rate > 0.0 {
            true => ((total - done as f64).max(0.0) / rate).round() as u64,
            false => 0,
        };
        Progress {
            percent: (percent * 10.0).round() / 10.0,
            rate: rate.round() as u64,
            left_s,
        }
    }

    fn text(&self, done: u64, total: u128) -> String {
        format!(
            "progress: {done} of {total} targets ({:.1}%), {}/s, about {} left",
            self.percent,
            self.rate,
            duration_words(self.left_s)
        )
    }
}

/// `45s`, `12m 05s`, `3h 20m`: a time left, as a person reads it in a log.
fn duration_words(seconds: u64) -> String {
    match seconds {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_progress_line_says_percent_rate_and_time_left() {
        let p = Progress::of(250, 1000, Duration::from_secs(10));
        assert_eq!(
            p,
            Progress {
                percent: 25.0,
                rate: 25,
                left_s: 30
            }
        );
        assert_eq!(
            p.text(250, 1000),
            "progress: 250 of 1000 targets (25.0%), 25/s, about 30s left"
        );
        // Nothing done yet: no rate, no estimate, no division by zero.
        assert_eq!(
            Progress::of(0, 0, Duration::ZERO).text(0, 0),
            "progress: 0 of 0 targets (0.0%), 0/s, about 0s left"
        );
    }

    #[test]
    fn time_left_reads_as_a_person_writes_it() {
        assert_eq!(duration_words(0), "0s");
        assert_eq!(duration_words(59), "59s");
        assert_eq!(duration_words(725), "12m 05s");
        assert_eq!(duration_words(12_000), "3h 20m");
    }
}
