//! Nightly-operations features: `--dry-run`, `--metrics`, `--log-format json`.

use crate::util::*;

#[test]
fn dry_run_counts_a_slash_8_and_sends_nothing() {
    let dir = TestDir::new();
    // 10.0.0.0/8 is input text only: a dry run resolves, probes and writes nothing.
    let out = run(&[
        "scan",
        "10.0.0.0/8",
        "-p",
        "3389,3390",
        "--dry-run",
        "-o",
        &dir.out(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("16777216 targets x 2 ports = 33554432 probes"),
        "{}",
        stdout(&out)
    );
    assert!(!dir.join("out").exists(), "a dry run writes no report");
}

#[test]
fn metrics_file_holds_the_scans_counts() {
    let dir = TestDir::new();
    let prom = dir.join("textfile").join("rdpsweep.prom");
    std::fs::create_dir_all(prom.parent().unwrap()).unwrap();
    // Nothing listens on 23431: four refused hosts.
    scan_ok(
        &dir,
        &[
            "127.93.4.0/30",
            "-p",
            "23431",
            "--metrics",
            &prom.display().to_string(),
        ],
    );
    let text = std::fs::read_to_string(&prom).expect("metrics file");
    assert!(text.contains("rdpsweep_targets 4\n"), "{text}");
    assert!(
        text.contains("rdpsweep_hosts_by_status{status=\"tcp=refused\"} 4\n"),
        "{text}"
    );
    assert!(
        text.contains("rdpsweep_hosts_by_level{level=\"none\"} 4\n"),
        "{text}"
    );
    assert!(text.contains("rdpsweep_scan_interrupted 0\n"), "{text}");
    assert!(
        text.contains("rdpsweep_last_success_timestamp_seconds "),
        "{text}"
    );
}

#[test]
fn json_logs_are_one_object_per_line() {
    let dir = TestDir::new();
    let out = run(&[
        "scan",
        "127.93.5.0/30",
        "-p",
        "23432",
        "--log-format",
        "json",
        "-o",
        &dir.out(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let logs = stderr(&out);
    let lines: Vec<&str> = logs.lines().collect();
    assert!(!lines.is_empty());
    for line in lines {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        assert!(
            value["level"].is_string() && value["message"].is_string(),
            "{line}"
        );
    }
    assert!(logs.contains("\"message\":\"scan started\""), "{logs}");
}
