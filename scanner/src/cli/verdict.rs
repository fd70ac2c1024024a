//! What a finished scan's exit code says, so that a nightly job never passes a night that
//! checked nothing: a scan in which no target answered at all (every connect failed on this
//! machine or found no route) is a failure, and `--expect-open N` fails a night on which fewer
//! hosts answered than the fleet has.

use rdpsweep_reports::Summary;

use super::report::fails_on;
use super::settings::Settings;
use super::{EXIT_FAIL_ON, EXIT_OK, EXIT_RUNTIME, EXIT_TOO_FEW_OPEN};

/// A completed scan's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to say: exit 0.
    Clean,
    /// `--fail-on LEVEL` and some host is at LEVEL or worse: exit 3.
    AtRisk,
    /// Fewer hosts answered TCP than `--expect-open`: exit 4.
    TooFewOpen { open: u64, expected: u64 },
    /// Not one target answered (every row `tcp=unreachable` or `tcp=error`): exit 1.
    CheckedNothing { targets: usize },
}

impl Verdict {
    /// The verdict on `summary` under the scan's `settings`, worst first.
    pub fn of(summary: &Summary, settings: &Settings) -> Verdict {
        let answered = answered(summary);
        if summary.hosts > 0 && answered == 0 {
            return Verdict::CheckedNothing {
                targets: summary.hosts,
            };
        }
        let open = open(summary);
        match settings.expect_open {
            Some(expected) if open < expected => Verdict::TooFewOpen { open, expected },
            _ if fails_on(summary, settings.fail_on) => Verdict::AtRisk,
            _ => Verdict::Clean,
        }
    }

    /// The exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            Verdict::Clean => EXIT_OK,
            Verdict::AtRisk => EXIT_FAIL_ON,
            Verdict::TooFewOpen { .. } => EXIT_TOO_FEW_OPEN,
            Verdict::CheckedNothing { .. } => EXIT_RUNTIME,
        }
    }

    /// What to tell the operator on stderr (even with `--quiet`: it is why the exit code is
    /// not 0), about the scan written to `dir`.
    pub fn message(&self, dir: &std::path::Path) -> Option<String> {
        match self {
            Verdict::Clean => None,
            Verdict::AtRisk => Some(format!(
                "hosts at the --fail-on level or worse: see {}",
                dir.join("report.html").display()
            )),
            Verdict::TooFewOpen { open, expected } => Some(format!(
                "error: only {open} hosts answered TCP, fewer than --expect-open {expected}: a \
                 firewall change, a routing problem or a fleet file that shrank"
            )),
            Verdict::CheckedNothing { targets } => Some(format!(
                "error: no target answered: every one of the {targets} connects failed before an \
                 answer (tcp unreachable or error), so nothing was checked; look at this \
                 machine's network (routes, interfaces, firewall, container network mode)"
            )),
        }
    }

    /// True when the night counts as a success for monitoring.
    pub fn succeeded(&self) -> bool {
        matches!(self, Verdict::Clean | Verdict::AtRisk)
    }
}

/// Targets whose TCP connect got an answer: open, refused, or at least a timeout (the SYN went
/// out). `by_status` keys are the last stage's outcome (`tls=ok`, `tcp=refused`...).
fn answered(summary: &Summary) -> u64 {
    count(summary, |status| {
        !matches!(status, "tcp=unreachable" | "tcp=error")
    })
}

/// Targets that accepted TCP: every outcome past the TCP stage.
pub fn open(summary: &Summary) -> u64 {
    count(summary, |status| !status.starts_with("tcp="))
}

fn count(summary: &Summary, keep: impl Fn(&str) -> bool) -> u64 {
    summary
        .by_status
        .iter()
        .filter(|(status, _)| keep(status))
        .map(|(_, n)| *n as u64)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdpsweep_reports::{ScanInfo, SummaryCounter};

    fn summary(statuses: &[(&str, usize)]) -> Summary {
        let mut summary = SummaryCounter::default().finish(&ScanInfo::default());
        for (status, n) in statuses {
            summary.by_status.insert(status.to_string(), *n);
            summary.hosts += n;
        }
        summary
    }

    fn settings(expect_open: Option<u64>) -> Settings {
        let mut settings = crate::cli::settings::tests::defaults();
        settings.expect_open = expect_open;
        settings
    }

    #[test]
    fn a_scan_that_reached_nothing_fails() {
        let nothing = summary(&[("tcp=unreachable", 14), ("tcp=error", 2)]);
        let verdict = Verdict::of(&nothing, &settings(None));
        assert_eq!(verdict, Verdict::CheckedNothing { targets: 16 });
        assert_eq!(verdict.exit_code(), 1);
        assert!(!verdict.succeeded());
        // One refusal is an answer: the network works, the fleet is down.
        let refused = summary(&[("tcp=unreachable", 14), ("tcp=refused", 1)]);
        assert_eq!(Verdict::of(&refused, &settings(None)), Verdict::Clean);
        // So is a timeout: the SYN left this machine.
        let filtered = summary(&[("tcp=timeout", 3)]);
        assert_eq!(Verdict::of(&filtered, &settings(None)), Verdict::Clean);
    }

    #[test]
    fn fewer_open_hosts_than_expected_fails_with_its_own_code() {
        let night = summary(&[("tls=ok", 40), ("rdp=timeout", 2), ("tcp=timeout", 958)]);
        assert_eq!(open(&night), 42);
        let verdict = Verdict::of(&night, &settings(Some(100)));
        assert_eq!(
            verdict,
            Verdict::TooFewOpen {
                open: 42,
                expected: 100
            }
        );
        assert_eq!(verdict.exit_code(), 4);
        let message = verdict.message(std::path::Path::new("out"));
        assert!(message.is_some_and(|m| m.contains("42")));
        assert_eq!(Verdict::of(&night, &settings(Some(42))), Verdict::Clean);
    }
}
