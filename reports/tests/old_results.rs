//! A `results.jsonl` written by rdpsweep 0.1 (before the record was typed) still loads, writes
//! back the same data line for line (in today's compact form: no `null` or empty fields, the
//! leaf certificate once), and ranks into a `hosts.csv` whose observation cells are
//! the ones 0.1 wrote (its scoring cells follow the catalogue of the day).
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
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&again).unwrap(),
            compact(serde_json::from_str(line).unwrap()),
            "{line}"
        );
        assert!(again.len() <= line.len(), "{again} is longer than {line}");
        let back: Observation = serde_json::from_str(&again).expect("reloads");
        assert_eq!(&back, obs);
    }
}

/// A 0.1 line as today's writer gives it: top-level `null` and empty fields left out, the
/// leaf of `chain` kept only as `cert` and the rest of it as `intermediates`.
fn compact(line: serde_json::Value) -> serde_json::Value {
    let serde_json::Value::Object(mut fields) = line else {
        panic!("not an object");
    };
    if let Some(serde_json::Value::Array(chain)) = fields.remove("chain") {
        let rest: Vec<serde_json::Value> = chain.into_iter().skip(1).collect();
        fields.insert("intermediates".into(), serde_json::Value::Array(rest));
    }
    fields.retain(|_, v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()));
    serde_json::Value::Object(fields)
}

/// `hosts.csv` text as rows by column name, keyed by address, port and host name.
fn rows(
    text: &str,
) -> std::collections::BTreeMap<String, std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    reader
        .records()
        .map(|record| {
            let row: std::collections::HashMap<String, String> = header
                .iter()
                .cloned()
                .zip(record.expect("row").iter().map(String::from))
                .collect();
            (
                format!("{} {} {}", row["ip"], row["port"], row["hostname"]),
                row,
            )
        })
        .collect()
}

/// The columns that score a host rather than say what was seen.
const SCORING: [&str; 7] = [
    "rank",
    "risk_score",
    "risk_level",
    "findings",
    "remediation",
    "client_outcome",
    "outcome_reason",
];

#[test]
fn ranking_gives_the_observation_cells_rdpsweep_0_1_wrote() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_reports(
        dir.path(),
        results_path(),
        &RiskPolicy::default(),
        &ScanInfo::default(),
        &rdpsweep_reports::PageOptions::default(),
        &AtomicBool::new(false),
    )
    .expect("reports written");
    let written = std::fs::read_to_string(dir.path().join("hosts.csv")).expect("hosts.csv");
    let (want, got) = (rows(HOSTS_CSV), rows(&written));
    assert_eq!(got.len(), want.len());
    for (host, old) in &want {
        let new = got.get(host).unwrap_or_else(|| panic!("{host} is missing"));
        for (column, cell) in old {
            if !SCORING.contains(&column.as_str()) {
                assert_eq!(&new[column], cell, "{host}: {column}");
            }
        }
    }
}
