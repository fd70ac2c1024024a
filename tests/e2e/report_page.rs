//! `rdpsweep report`'s page flags, on a saved demo run (no fleet needed): targets nothing
//! listened on are counted, and listed only with `--list-dead`; `--subnet-prefix` sets the
//! roll-up; `remediation.csv` is written with the other report files, one row per step and
//! host.

use std::path::Path;

use crate::util::{read_csv, run, stderr, stdout, TestDir};

/// The saved `results.jsonl` of `rdpsweep demo` (the reports crate's test data).
fn demo_results() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../reports/tests/data/demo-results.jsonl")
        .display()
        .to_string()
}

#[test]
fn report_counts_the_dead_lists_them_on_request_and_writes_remediation_csv() {
    let dir = TestDir::new();
    let plain = dir.join("plain");
    let out = run(&[
        "report",
        &demo_results(),
        "-o",
        &plain.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("remediation.csv"), "{}", stdout(&out));
    let (_, hosts) = read_csv(&plain.join("hosts.csv"));
    let refused: Vec<&str> = hosts
        .iter()
        .filter(|r| r["tcp"] == "refused")
        .map(|r| r["ip"].as_str())
        .collect();
    assert_eq!(refused.len(), 1);
    let row = |ip: &str| format!(">{ip}</td>");
    let html = std::fs::read_to_string(plain.join("report.html")).unwrap();
    assert!(!html.contains(&row(refused[0])), "a dead target is listed");
    assert!(html
        .contains("<p class=\"note\" id=\"unlisted\">1 target nothing listened on is not listed"));
    assert!(html.contains("<tr><td class=\"code\">127.77.0.0/24</td>"));

    // remediation.csv: every host of every finding code, the failing hosts' steps first.
    let (header, plan) = read_csv(&plain.join("remediation.csv"));
    assert_eq!(header[..3], ["step", "code", "severity"]);
    let (_, findings) = read_csv(&plain.join("findings.csv"));
    assert_eq!(plan.len(), findings.len(), "one row per host and finding");
    assert_eq!(plan[0]["step"], "1");
    assert_eq!(plan[0]["client_outcome"], "fails");

    let listed = dir.join("listed");
    let out = run(&[
        "report",
        &demo_results(),
        "-o",
        &listed.display().to_string(),
        "--list-dead",
        "--subnet-prefix",
        "16",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let html = std::fs::read_to_string(listed.join("report.html")).unwrap();
    assert!(html.contains(&row(refused[0])), "--list-dead lists it");
    assert!(!html.contains("id=\"unlisted\""));
    assert!(html.contains("<tr><td class=\"code\">127.77.0.0/16</td>"));

    let bad = dir.join("bad").display().to_string();
    let out = run(&[
        "report",
        &demo_results(),
        "-o",
        &bad,
        "--subnet-prefix",
        "33",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn report_with_history_shows_the_nights_and_refuses_a_directory_that_is_not_a_run() {
    let dir = TestDir::new();
    let first = dir.join("2026-11-19").display().to_string();
    let out = run(&["report", &demo_results(), "-o", &first]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The same run again, as tonight's, with last night's directory (and its own: left out).
    let second = dir.join("2026-11-20").display().to_string();
    std::fs::create_dir_all(&second).unwrap();
    let out = run(&[
        "report",
        &demo_results(),
        "-o",
        &second,
        "--history",
        &first,
        &second,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(&second).join("summary.json")).unwrap(),
    )
    .unwrap();
    let fails = &summary["by_client_outcome"]["fails"];
    let history = &summary["history"];
    assert_eq!(
        history["nights"].as_array().map(Vec::len),
        Some(2),
        "{history}"
    );
    assert_eq!(&history["nights"][0]["fails"], fails);
    assert_eq!(&history["still_failing"], fails);
    assert_eq!(history["new_failing"], 0);
    let html = std::fs::read_to_string(Path::new(&second).join("report.html")).unwrap();
    assert!(html.contains("<h2 id=\"history-h\">Night to night</h2>"));
    assert!(html.contains("failing 2 nights in a row"));

    let bad = dir.join("no-run").display().to_string();
    std::fs::create_dir_all(&bad).unwrap();
    let out = run(&["report", &demo_results(), "-o", &second, "--history", &bad]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no summary.json"), "{}", stderr(&out));
}
