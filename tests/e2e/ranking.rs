//! The 0x904 risk ranking, end to end: findings per behaviour, the ranked hosts.csv,
//! findings.csv, summary.json, `report` and `diff` rebuilt from saved JSON Lines, `--fail-on`.

use std::collections::BTreeSet;

use crate::util::*;

/// What each mixed-fleet behaviour must raise: its risk level and finding codes.
const EXPECTED: &[(&str, &str, &[&str])] = &[
    ("healthy", "none", &[]),
    ("healthy-ssl", "none", &[]),
    ("cert-expired", "high", &["CERT_EXPIRED"]),
    ("cert-expiring", "medium", &["CERT_EXPIRING_SOON"]),
    ("cert-not-yet-valid", "high", &["CERT_NOT_YET_VALID"]),
    (
        "weak-cert",
        "medium",
        &["CERT_WEAK_KEY", "CERT_WEAK_SIGNATURE"],
    ),
    ("neg-failure-1", "medium", &["NEG_SSL_REQUIRED"]),
    ("neg-failure-2", "medium", &["NEG_SSL_NOT_ALLOWED"]),
    ("neg-failure-3", "high", &["NEG_SSL_CERT_NOT_ON_SERVER"]),
    ("neg-failure-4", "medium", &["NEG_FAILURE_OTHER"]),
    ("neg-failure-5", "medium", &["NEG_HYBRID_REQUIRED"]),
    (
        "neg-failure-6",
        "high",
        &["NEG_SSL_WITH_USER_AUTH_REQUIRED"],
    ),
    ("neg-failure-unknown", "medium", &["NEG_FAILURE_OTHER"]),
    ("silent", "high", &["X224_NO_RESPONSE"]),
    ("accept-close", "high", &["X224_CLOSED"]),
    ("reset", "high", &["X224_CLOSED"]),
    ("tls-close", "high", &["TLS_HANDSHAKE_FAILED"]),
    ("tls-stall", "high", &["TLS_HANDSHAKE_TIMEOUT"]),
    ("tls-alert", "high", &["TLS_HANDSHAKE_FAILED"]),
    ("tls10-only", "high", &["TLS_LEGACY_ONLY"]),
    ("pre-vista", "medium", &["RDP_STANDARD_SECURITY_ONLY"]),
    ("http", "none", &[]),
    ("slow", "low", &["SLOW_HANDSHAKE"]),
    ("trickle", "high", &["X224_NO_RESPONSE"]),
    ("bad-length", "none", &[]),
    ("oversized-length", "none", &[]),
    ("xrdp-disconnect", "high", &["X224_CLOSED"]),
    ("formula-subject", "none", &[]),
    ("no-listener", "none", &[]),
];

/// The documented ranking order as a sort key: score descending, then fewest certificate days
/// left (hosts without a certificate after), then address, then port.
fn ranking_key(r: &Row) -> (i64, bool, Option<i64>, std::net::IpAddr, u16) {
    let score: i64 = r["risk_score"].parse().unwrap();
    let days: Option<i64> = r["cert_days_left"].parse().ok();
    let ip: std::net::IpAddr = r["ip"].parse().unwrap();
    let port: u16 = r["port"].parse().unwrap();
    (-score, days.is_none(), days, ip, port)
}

fn codes(row: &Row) -> BTreeSet<String> {
    row["findings"]
        .split(';')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

fn summary(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary.json"))
        .expect("json")
}

/// Scans the whole mixed fleet once into `dir/out`.
fn scan_mixed(dir: &TestDir, range: &str, port: u16) -> (Fleet, Vec<Row>) {
    let fleet = Fleet::start(range, port, "mixed");
    let rows = scan_ok(
        dir,
        &[
            range,
            "-p",
            &port.to_string(),
            "--timeout",
            "3s",
            "--retries",
            "0",
        ],
    );
    (fleet, rows)
}

#[test]
fn the_mixed_fleet_is_ranked_by_risk_with_each_behaviours_findings() {
    let dir = TestDir::new();
    let (fleet, rows) = scan_mixed(&dir, "127.92.0.0/27", 23441);
    assert_eq!(rows.len(), 32);

    for (behaviour, level, expected) in EXPECTED {
        let addr = fleet.addr_of(behaviour);
        let row = rows
            .iter()
            .find(|r| r["ip"] == addr)
            .unwrap_or_else(|| panic!("no row for {behaviour}"));
        let expected: BTreeSet<String> = expected.iter().map(|c| c.to_string()).collect();
        assert_eq!(codes(row), expected, "{behaviour}: {row:?}");
        assert_eq!(row["risk_level"], *level, "{behaviour}: {row:?}");
        assert_eq!(
            row["remediation"].is_empty(),
            expected.is_empty(),
            "{behaviour}"
        );
    }

    // Ranks run 1..=32 in file order, and the order is the documented one: score descending,
    // then fewest certificate days left (hosts without a certificate after), then address.
    let ranks: Vec<usize> = rows.iter().map(|r| r["rank"].parse().unwrap()).collect();
    assert_eq!(ranks, (1..=32).collect::<Vec<_>>());
    let mut sorted = rows.clone();
    sorted.sort_by_key(ranking_key);
    assert_eq!(sorted, rows, "hosts.csv is not in ranking order");
    // Every failing host ranks above every healthy one.
    let last_at_risk = rows
        .iter()
        .rposition(|r| r["risk_level"] != "none")
        .unwrap();
    let first_healthy = rows.iter().position(|r| r["risk_level"] == "none").unwrap();
    assert!(last_at_risk < first_healthy);

    // findings.csv: one row per host and finding, the same findings as hosts.csv.
    let (_, findings) = read_csv(&dir.join("out").join("findings.csv"));
    let from_hosts: usize = rows.iter().map(|r| codes(r).len()).sum();
    assert_eq!(findings.len(), from_hosts);
    let expired = fleet.addr_of("cert-expired");
    let row = findings
        .iter()
        .find(|f| f["ip"] == expired && f["code"] == "CERT_EXPIRED")
        .expect("expired finding");
    assert_eq!(row["severity"], "high");
    assert!(
        row["evidence"].contains("cert-expired.fleet.test"),
        "{row:?}"
    );
    assert!(
        row["remediation"].to_lowercase().contains("certificate"),
        "{row:?}"
    );

    // summary.json counts the same hosts.
    let summary = summary(&dir.join("out"));
    assert_eq!(summary["hosts"], 32);
    for level in ["high", "medium", "low", "none"] {
        let n = rows.iter().filter(|r| r["risk_level"] == level).count();
        assert_eq!(summary["by_level"][level], n, "{level}");
    }
    assert_eq!(summary["by_finding"]["CERT_EXPIRED"], 2);
    assert_eq!(summary["by_status"]["tcp=refused"], 1);
    assert_eq!(summary["scan"]["ports"], serde_json::json!([23441]));
    assert!(
        summary["scan"]["started_at"].as_str().unwrap()
            <= summary["scan"]["finished_at"].as_str().unwrap()
    );
    // Without --deep: no deep object, no deep section or columns.
    assert!(summary.get("deep").is_none(), "{summary}");
    let html = std::fs::read_to_string(dir.join("out").join("report.html")).expect("report.html");
    assert!(!html.contains("Deep probe") && !html.contains("data-col=\"protocols\""));
}

#[test]
fn report_rebuilds_from_json_lines_and_re_ranks_with_other_weights() {
    let dir = TestDir::new();
    let (fleet, rows) = scan_mixed(&dir, "127.92.1.0/27", 23442);
    drop(fleet); // no server is needed to rebuild
    let results = dir.join("out").join("results.jsonl").display().to_string();

    // The same policy gives the same hosts.csv.
    let again = dir.join("again");
    let out = run(&["report", &results, "-o", &again.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("ranked 32 hosts"), "{}", stdout(&out));
    assert_eq!(read_csv(&again.join("hosts.csv")).1, rows);

    // A policy that does not count expired certificates moves them to the bottom.
    let policy = dir.write("lenient.toml", "[code_weights]\nCERT_EXPIRED = 0\n");
    let lenient = dir.join("lenient");
    let out = run(&[
        "report",
        &results,
        "-o",
        &lenient.display().to_string(),
        "--risk-config",
        &policy.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, reranked) = read_csv(&lenient.join("hosts.csv"));
    let expired: Vec<&Row> = reranked
        .iter()
        .filter(|r| r["findings"] == "CERT_EXPIRED")
        .collect();
    assert_eq!(expired.len(), 2);
    assert!(
        expired
            .iter()
            .all(|r| r["risk_level"] == "none" && r["risk_score"] == "0"),
        "{expired:?}"
    );
    let before: Vec<&Row> = rows
        .iter()
        .filter(|r| r["findings"] == "CERT_EXPIRED")
        .collect();
    assert!(before.iter().all(|r| r["risk_level"] == "high"));
}

#[test]
fn diff_shows_findings_that_appeared_and_disappeared() {
    let dir = TestDir::new();
    let (fleet, _) = scan_mixed(&dir, "127.92.2.0/27", 23443);
    let new_path = dir.join("out").join("results.jsonl");
    // Last night: the expired host was still healthy, and the silent host was not there.
    let expired = fleet.addr_of("cert-expired");
    let silent = fleet.addr_of("silent");
    let old: Vec<String> = std::fs::read_to_string(&new_path)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let mut obs: serde_json::Value = serde_json::from_str(line).unwrap();
            if obs["ip"] == silent.as_str() {
                return None;
            }
            if obs["ip"] == expired.as_str() {
                obs["cert"]["days_left"] = serde_json::json!(200);
            }
            Some(obs.to_string())
        })
        .collect();
    let old_path = dir.write("old.jsonl", &(old.join("\n") + "\n"));
    let diff_dir = dir.join("diff");
    let out = run(&[
        "diff",
        &old_path.display().to_string(),
        &new_path.display().to_string(),
        "-o",
        &diff_dir.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("{expired}:23443 (none -> high)")),
        "{text}"
    );
    assert!(text.contains("+ CERT_EXPIRED"), "{text}");
    // Absent last night: it counts as not at risk then.
    assert!(
        text.contains(&format!("{silent}:23443 (none -> high)")),
        "{text}"
    );
    assert!(text.contains("+ X224_NO_RESPONSE"), "{text}");
    let (_, csv) = read_csv(&diff_dir.join("diff.csv"));
    let has = |host: &str, change: &str, field: &str, value: &str| {
        csv.iter()
            .any(|r| r["host"] == host && r["change"] == change && r[field] == value)
    };
    assert!(has(&expired, "appeared", "code", "CERT_EXPIRED"), "{csv:?}");
    assert!(has(&silent, "level", "new_level", "high"), "{csv:?}");
    // Nothing else changed: only those two hosts appear.
    assert!(
        csv.iter()
            .all(|r| r["host"] == expired || r["host"] == silent),
        "{csv:?}"
    );

    // The other way round, the silent host (high) is missing from the newer run: it was not
    // scanned, which is not the same as fixed.
    let out = run(&[
        "diff",
        &new_path.display().to_string(),
        &old_path.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("{silent}:23443 (high -> not scanned)")),
        "{text}"
    );
    assert!(!text.contains("- X224_NO_RESPONSE"), "{text}");
    assert!(
        text.contains(&format!("{expired}:23443 (high -> none)")),
        "{text}"
    );
}

#[test]
fn fail_on_exits_3_when_a_host_is_at_or_above_the_level() {
    let _fleet = Fleet::start("127.92.3.0/27", 23444, "mixed");
    let dir = TestDir::new();
    let healthy = "127.92.3.0"; // offset 0: healthy
    let expiring = "127.92.3.3"; // offset 3: cert-expiring (medium)
    let out_dir = dir.out();
    let scan = |targets: &[&str], level: &str| {
        let mut args = vec!["scan"];
        args.extend_from_slice(targets);
        args.extend_from_slice(&["-p", "23444", "--fail-on", level, "-o", &out_dir, "-q"]);
        run(&args).status.code()
    };
    assert_eq!(scan(&[healthy], "low"), Some(0));
    assert_eq!(scan(&[healthy, expiring], "high"), Some(0));
    assert_eq!(scan(&[healthy, expiring], "medium"), Some(3));
    let results = dir.join("out").join("results.jsonl").display().to_string();
    assert_eq!(
        run(&["report", &results, "--fail-on", "low"]).status.code(),
        Some(3)
    );
    assert_eq!(
        run(&["report", &results, "--fail-on", "high"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn report_errors_name_the_bad_value() {
    let dir = TestDir::new();
    let bad = dir.write("bad.jsonl", "{\"not\": \"an observation\"}\n");
    let out = run(&["report", &bad.display().to_string(), "-o", &dir.out()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("bad.jsonl:1"), "{}", stderr(&out));

    let missing = dir.join("missing.jsonl").display().to_string();
    let out = run(&["report", &missing]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&missing), "{}", stderr(&out));

    let empty = dir.write("empty.jsonl", "");
    let policy = dir.write("policy.toml", "[severity_weights]\nurgent = 5\n");
    let out = run(&[
        "report",
        &empty.display().to_string(),
        "--risk-config",
        &policy.display().to_string(),
        "-o",
        &dir.out(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("urgent"), "{}", stderr(&out));

    let out = run(&[
        "report",
        &empty.display().to_string(),
        "--fail-on",
        "severe",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("severe"), "{}", stderr(&out));
}

#[test]
fn a_torn_last_line_is_left_out_and_the_rest_reported() {
    let dir = TestDir::new();
    let (_fleet, _) = scan_mixed(&dir, "127.92.4.0/29", 23445);
    let text = std::fs::read_to_string(dir.join("out").join("results.jsonl")).unwrap();
    let torn = &text[..text.len() - 40]; // the last line cut mid-way, as by kill -9
    let path = dir.write("torn.jsonl", torn);
    let out_dir = dir.join("torn");
    let out = run(&[
        "report",
        &path.display().to_string(),
        "-o",
        &out_dir.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("cut short"), "{}", stderr(&out));
    assert_eq!(read_csv(&out_dir.join("hosts.csv")).1.len(), 7);
}

#[test]
fn a_large_run_ranks_through_temporary_files_exactly_once() {
    // 45,000 observations: more than two in-memory runs of 20,000, so the report spills sorted
    // runs to disk and merges them. Written by hand: no scan is needed to rank.
    let dir = TestDir::new();
    let mut lines = String::new();
    for i in 0..45_000u32 {
        let ip = if i % 10 == 9 {
            format!("fd00::{:x}", i)
        } else {
            std::net::Ipv4Addr::from(0x0a00_0000 + i.wrapping_mul(2_654_435_761) % 65_536)
                .to_string()
        };
        let port = if i < 30_000 { 3389 } else { 3390 };
        let (rdp, cert) = match i % 5 {
            0 => ("null", "null".to_string()),
            1 => ("\"timeout\"", "null".to_string()),
            _ => (
                "\"negotiated\"",
                format!(
                    r#"{{"subject":"h{i}","issuer":"h{i}","self_signed":true,"not_before":"2026-01-01T00:00:00Z","not_after":"2027-01-01T00:00:00Z","days_left":{},"key":"RSA 2048","signature":"sha256WithRSAEncryption","sha256":"00"}}"#,
                    (i % 97) as i64 - 40
                ),
            ),
        };
        let tcp = if i % 5 == 0 { "refused" } else { "open" };
        lines.push_str(&format!(
            r#"{{"ip":"{ip}","port":{port},"hostname":null,"tcp":"{tcp}","tcp_ms":1.0,"rdp":{rdp},"rdp_ms":null,"selected_protocol":null,"neg_flags":null,"neg_failure":null,"tls":null,"tls_ms":null,"tls_version":null,"tls_cipher":null,"cert":{cert},"chain":[],"attempts":1,"attempt_outcomes":[],"error":null,"scanned_at":"2026-11-21T00:00:00Z"}}"#
        ));
        lines.push('\n');
    }
    let results = dir.write("results.jsonl", &lines);
    let out_dir = dir.join("big");
    let out = run(&[
        "report",
        &results.display().to_string(),
        "-o",
        &out_dir.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let (_, rows) = read_csv(&out_dir.join("hosts.csv"));
    assert_eq!(rows.len(), 45_000);
    let ranks: Vec<usize> = rows.iter().map(|r| r["rank"].parse().unwrap()).collect();
    assert_eq!(ranks, (1..=45_000).collect::<Vec<_>>());
    let mut seen = BTreeSet::new();
    for r in &rows {
        assert!(
            seen.insert((r["ip"].clone(), r["port"].clone())),
            "{}:{} twice",
            r["ip"],
            r["port"]
        );
    }
    assert!(
        rows.windows(2)
            .all(|w| ranking_key(&w[0]) <= ranking_key(&w[1])),
        "hosts.csv is not in ranking order"
    );
    assert_eq!(summary(&out_dir)["hosts"], 45_000);
    let (_, findings) = read_csv(&out_dir.join("findings.csv"));
    let from_hosts: usize = rows.iter().map(|r| codes(r).len()).sum();
    assert_eq!(findings.len(), from_hosts);
    let leftovers: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}
