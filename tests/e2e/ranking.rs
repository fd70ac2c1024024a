//! The 0x904 risk ranking, end to end: findings per behaviour, the ranked hosts.csv,
//! findings.csv, summary.json, `report` and `diff` rebuilt from saved JSON Lines, `--fail-on`.

use std::collections::BTreeSet;

use rdpsweep_fleet::Profile;

use crate::fleet_table::check_rows;
use crate::util::*;

/// The documented ranking order as a sort key: hosts a client fails on first, then score
/// descending, then fewest certificate days left (hosts without a certificate after), then
/// address, then port.
fn ranking_key(r: &Row) -> (bool, i64, bool, Option<i64>, std::net::IpAddr, u16) {
    let score: i64 = r["risk_score"].parse().unwrap();
    let days: Option<i64> = r["cert_days_left"].parse().ok();
    let ip: std::net::IpAddr = r["ip"].parse().unwrap();
    let port: u16 = r["port"].parse().unwrap();
    (
        r["client_outcome"] != "fails",
        -score,
        days.is_none(),
        days,
        ip,
        port,
    )
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
            "--ca-file",
            &fleet.ca,
        ],
    );
    (fleet, rows)
}

#[test]
fn the_mixed_fleet_is_ranked_by_risk_with_each_behaviours_findings() {
    let dir = TestDir::new();
    let (fleet, rows) = scan_mixed(&dir, "127.92.0.0/27", 23441);
    assert_eq!(rows.len(), 32);

    // Every behaviour's findings, level and outcome are its row of the fleet's table.
    check_rows(Profile::Mixed, &fleet.hosts, &by_ip(&rows));
    for row in &rows {
        assert_eq!(
            row["remediation"].is_empty(),
            codes(row).is_empty(),
            "{row:?}"
        );
    }

    // Ranks run 1..=32 in file order, and the order is the documented one: score descending,
    // then fewest certificate days left (hosts without a certificate after), then address.
    let ranks: Vec<usize> = rows.iter().map(|r| r["rank"].parse().unwrap()).collect();
    assert_eq!(ranks, (1..=32).collect::<Vec<_>>());
    let mut sorted = rows.clone();
    sorted.sort_by_key(ranking_key);
    assert_eq!(sorted, rows, "hosts.csv is not in ranking order");
    // Every host a client fails on ranks above every other, and every host at risk above
    // every host that is not.
    let last_failing = rows
        .iter()
        .rposition(|r| r["client_outcome"] == "fails")
        .unwrap();
    let first_other = rows
        .iter()
        .position(|r| r["client_outcome"] != "fails")
        .unwrap();
    assert!(last_failing < first_other);
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
    assert_eq!(row["severity"], "medium");
    assert_eq!(row["client_outcome"], "warns");
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
    for outcome in ["fails", "warns", "connects"] {
        let n = rows
            .iter()
            .filter(|r| r["client_outcome"] == outcome)
            .count();
        assert_eq!(summary["by_client_outcome"][outcome], n, "{outcome}");
    }
    assert_eq!(summary["by_client_outcome"]["none"], 1, "the refused port");
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
    assert!(before.iter().all(|r| r["risk_level"] == "medium"));
}

#[test]
fn the_strict_client_policy_fails_every_host_that_warns() {
    let dir = TestDir::new();
    let (fleet, rows) = scan_mixed(&dir, "127.92.5.0/27", 23446);
    drop(fleet);
    let results = dir.join("out").join("results.jsonl").display().to_string();
    let strict = dir.join("strict");
    let out = run(&[
        "report",
        &results,
        "--client-policy",
        "strict",
        "-o",
        &strict.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let strict_rows = by_ip(&read_csv(&strict.join("hosts.csv")).1);
    assert_eq!(strict_rows.len(), rows.len());
    for row in &rows {
        let again = &strict_rows[&row["ip"]];
        let what = format!("{} {:?}: {again:?}", row["ip"], row["findings"]);
        match row["client_outcome"].as_str() {
            // A warning is a failure for clients that enforce server authentication.
            "warns" => {
                assert_eq!(again["client_outcome"], "fails", "{what}");
                assert_eq!(again["risk_level"], "high", "{what}");
                assert!(
                    again["outcome_reason"].contains("enforces server authentication"),
                    "{what}"
                );
            }
            other => {
                assert_eq!(again["client_outcome"], other, "{what}");
                assert_eq!(again["risk_level"], row["risk_level"], "{what}");
            }
        }
    }
    // The sound self-signed host: no risk for default clients, a failure for strict ones.
    let healthy = rows
        .iter()
        .find(|r| r["findings"] == "CERT_UNTRUSTED")
        .unwrap();
    assert_eq!(
        (
            healthy["risk_level"].as_str(),
            healthy["client_outcome"].as_str()
        ),
        ("none", "warns")
    );
    let summary = summary(&strict);
    assert_eq!(
        summary["scan"]["risk_policy"]["client_policy"], "strict",
        "{summary}"
    );
    assert_eq!(summary["by_client_outcome"]["warns"], 0, "{summary}");
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
                obs["cert_trust"]["untrusted"] = serde_json::json!("self_signed");
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
        text.contains(&format!("{expired}:23443 (none -> medium)")),
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
        text.contains(&format!("{expired}:23443 (medium -> none)")),
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
fn report_keeps_the_last_row_of_a_repeated_target() {
    let dir = TestDir::new();
    let (_fleet, _) = scan_mixed(&dir, "127.92.6.0/29", 23447);
    let text = std::fs::read_to_string(dir.join("out").join("results.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let mut again = first.clone();
    again["error"] = serde_json::json!("the later row");
    // The first row twice more, the last one changed: a file joined by hand.
    let joined = format!("{text}{first}\n{again}\n");
    let path = dir.write("joined.jsonl", &joined);
    let out_dir = dir.join("joined");
    let out = run(&[
        "report",
        &path.display().to_string(),
        "-o",
        &out_dir.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("left out 2 earlier rows"),
        "{}",
        stderr(&out)
    );
    let (_, rows) = read_csv(&out_dir.join("hosts.csv"));
    assert_eq!(rows.len(), 8, "each target once");
    let ip = first["ip"].as_str().unwrap();
    let kept: Vec<&Row> = rows.iter().filter(|r| r["ip"] == ip).collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["error"], "the later row");
    assert_eq!(summary(&out_dir)["hosts"], 8);
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

#[test]
fn open_leaves_the_targets_nothing_listened_on_out_of_hosts_csv_only() {
    // Four hosts of the fleet listen; the other four addresses of the /29 refuse.
    let fleet = Fleet::start("127.92.7.0/30", 23448, "mixed");
    let dir = TestDir::new();
    let rows = scan_ok(&dir, &["127.92.7.0/29", "-p", "23448", "--open"]);
    let listed: BTreeSet<String> = rows.iter().map(|r| r["ip"].clone()).collect();
    let served: BTreeSet<String> = fleet.hosts.iter().map(|(a, _)| a.clone()).collect();
    assert_eq!(listed, served);
    let ranks: Vec<usize> = rows.iter().map(|r| r["rank"].parse().unwrap()).collect();
    assert_eq!(ranks, [1, 2, 3, 4]);
    // Every target is still in results.jsonl and counted in summary.json.
    assert_eq!(read_jsonl(&dir.join("out")).len(), 8);
    let summary = summary(&dir.join("out"));
    assert_eq!(summary["hosts"], 8);
    assert_eq!(summary["by_status"]["tcp=refused"], 4);
    // Without it, every target has its row.
    let all = TestDir::new();
    assert_eq!(scan_ok(&all, &["127.92.7.0/29", "-p", "23448"]).len(), 8);
}
