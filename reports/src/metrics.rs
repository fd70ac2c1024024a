//! `--metrics FILE`: the scan's counts in the Prometheus text format, for node_exporter's
//! textfile collector (write it into the collector's directory; the file is replaced whole).

use std::fmt::Write as _;

use crate::summary::Summary;

/// The metrics of one scan. `last_success_unix` is when the last successful scan ended
/// (seconds since the epoch): this one's end when it succeeded, else the previous file's
/// value, so a failed or interrupted night keeps the series (and an alert on its age fires)
/// instead of dropping it. `None` (no success yet) leaves it out. `open` is how many targets
/// accepted TCP, for an alert on a fleet that suddenly answers far less.
pub fn prometheus_text(
    summary: &Summary,
    duration_seconds: f64,
    open: u64,
    last_success_unix: Option<i64>,
) -> String {
    let mut out = String::new();
    let mut family = |name: &str, help: &str, samples: Vec<(String, String)>| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    let labelled = |label: &str, counts: &std::collections::BTreeMap<String, usize>| {
        counts
            .iter()
            .map(|(k, v)| {
                (
                    format!("{{{label}=\"{}\"}}", escape_label(k)),
                    v.to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    family(
        "rdpsweep_targets",
        "Targets in the scan's report.",
        vec![(String::new(), summary.hosts.to_string())],
    );
    family(
        "rdpsweep_hosts_open",
        "Targets that accepted TCP.",
        vec![(String::new(), open.to_string())],
    );
    family(
        "rdpsweep_hosts_by_status",
        "Targets by the outcome of their last stage.",
        labelled("status", &summary.by_status),
    );
    family(
        "rdpsweep_hosts_by_level",
        "Targets by 0x904 risk level.",
        labelled("level", &summary.by_level),
    );
    family(
        "rdpsweep_hosts_by_finding",
        "Targets raising each finding code.",
        labelled("code", &summary.by_finding),
    );
    family(
        "rdpsweep_scan_duration_seconds",
        "How long the scan took.",
        vec![(String::new(), format!("{duration_seconds:.3}"))],
    );
    family(
        "rdpsweep_scan_interrupted",
        "1 when the scan was interrupted by a signal.",
        vec![(
            String::new(),
            u8::from(summary.scan.interrupted).to_string(),
        )],
    );
    if let Some(at) = last_success_unix {
        family(
            "rdpsweep_last_success_timestamp_seconds",
            "When the last completed scan finished, in seconds since the epoch.",
            vec![(String::new(), at.to_string())],
        );
    }
    out
}

/// The `rdpsweep_last_success_timestamp_seconds` value of an earlier metrics file's text.
pub fn last_success(text: &str) -> Option<i64> {
    text.lines()
        .find_map(|line| line.strip_prefix("rdpsweep_last_success_timestamp_seconds "))
        .and_then(|value| value.trim().parse().ok())
}

/// Escapes a label value: backslash, double quote and newline.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::{ScanInfo, SummaryCounter};

    #[test]
    fn counts_and_success_timestamp_in_text_format() {
        let summary = SummaryCounter::default().finish(&ScanInfo::default());
        let text = prometheus_text(&summary, 3.25, 7, Some(1_790_000_000));
        assert!(text.contains("rdpsweep_hosts_open 7\n"), "{text}");
        assert_eq!(last_success(&text), Some(1_790_000_000));
        assert!(
            text.contains("# TYPE rdpsweep_targets gauge\nrdpsweep_targets 0\n"),
            "{text}"
        );
        assert!(
            text.contains("rdpsweep_hosts_by_level{level=\"high\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains("rdpsweep_scan_duration_seconds 3.250\n"),
            "{text}"
        );
        assert!(
            text.contains("rdpsweep_last_success_timestamp_seconds 1790000000\n"),
            "{text}"
        );
        let interrupted = Summary {
            scan: ScanInfo {
                interrupted: true,
                ..ScanInfo::default()
            },
            ..summary
        };
        let text = prometheus_text(&interrupted, 1.0, 0, None);
        assert!(text.contains("rdpsweep_scan_interrupted 1\n"), "{text}");
        assert!(!text.contains("last_success"), "{text}");
        assert_eq!(last_success(&text), None);
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
