//! A `results.jsonl` written by rdpsweep 0.1 (before the record was typed) still loads, writes
//! back the same JSON line for line, and ranks into the same `hosts.csv`.
//!
//! `data/results-0.1.jsonl` is one row per distinct behaviour of a demo run and of a `--deep`
//! run of the deep fleet, plus a target given by name and a name that did not resolve (the
//! scanner's `error` row). `data/hosts-0.1.csv` is what rdpsweep 0.1 ranked it into; every cell
//! but `rank` matched the runs' own `hosts.csv` (`days_left` is stored, so no cell depends on
//! when the report is built).

use std::path::Path;
use std::sync::atomic::AtomicBool;

use rdpsweep_reports::{read_results, write_reports, Observation, RiskPolicy, ScanInfo};

const RESULTS: &str = include_str!("data/results-0.1.jsonl");
const HOSTS_CSV: &str = include_str!("data/hosts-0.1.csv");

fn results_path() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/results-0.1.jsonl"
    ))
}

#[test]
fn every_line_loads_and_writes_back_the_same_json() {
    let lines: Vec<&str> = RESULTS.lines().collect();
    let loaded = read_results(results_path()).expect("the 0.1 file loads");
    assert_eq!(loaded.len(), lines.len());
    assert!(loaded.iter().any(|o| o.deep.is_some()));
    assert!(loaded
        .iter()
        .any(|o| o.ip.is_none() && o.hostname.is_some()));
    for (line, obs) in lines.iter().zip(&loaded) {
        let again = serde_json::to_string(obs).expect("serializes");
        assert_eq!(&again, line);
        let back: Observation = serde_json::from_str(&again).expect("reloads");
        assert_eq!(&back, obs);
    }
}

#[test]
fn ranking_gives_the_hosts_csv_rdpsweep_0_1_wrote() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_reports(
        dir.path(),
        results_path(),
        &RiskPolicy::default(),
        &ScanInfo::default(),
        &AtomicBool::new(false),
    )
    .expect("reports written");
    let written = std::fs::read_to_string(dir.path().join("hosts.csv")).expect("hosts.csv");
    let (want, got): (Vec<&str>, Vec<&str>) =
        (HOSTS_CSV.lines().collect(), written.lines().collect());
    assert_eq!(got.len(), want.len());
    for (got, want) in got.iter().zip(&want) {
        assert_eq!(got, want);
    }
}
