//! `scan --deep` against the deep fleet: the exact protocol matrix, TLS version range,
//! standard-security level and NTLM identity of every behaviour, the deep findings each raises,
//! and the connections per host as the fleet itself counted them.

use std::collections::HashMap;

use rdpsweep_fleet::Profile;
use serde_json::Value;

use crate::fleet_table::check_rows;
use crate::util::*;

/// Every deep behaviour: protocols accepted, nla_required, TLS versions accepted.
const EXPECTED: [(&str, &str, &str, &str); 19] = [
    ("policy-rdp-only", "rdp", "false", ""),
    ("policy-tls-only", "ssl", "false", "TLSv1.2|TLSv1.3"),
    (
        "policy-negotiate",
        "rdp|ssl|hybrid|hybrid_ex",
        "false",
        "TLSv1.2|TLSv1.3",
    ),
    ("policy-nla-required", "hybrid", "true", "TLSv1.2|TLSv1.3"),
    (
        "policy-hybrid-ex",
        "hybrid|hybrid_ex",
        "true",
        "TLSv1.2|TLSv1.3",
    ),
    ("tls-1.0", "ssl|hybrid|hybrid_ex", "false", "TLSv1.0"),
    (
        "tls-1.0-1.1",
        "ssl|hybrid|hybrid_ex",
        "false",
        "TLSv1.0|TLSv1.1",
    ),
    (
        "tls-1.0-1.2",
        "ssl|hybrid|hybrid_ex",
        "false",
        "TLSv1.0|TLSv1.1|TLSv1.2",
    ),
    (
        "tls-1.0-1.3",
        "ssl|hybrid|hybrid_ex",
        "false",
        "TLSv1.0|TLSv1.1|TLSv1.2|TLSv1.3",
    ),
    (
        "tls-1.1-1.2",
        "ssl|hybrid|hybrid_ex",
        "false",
        "TLSv1.1|TLSv1.2",
    ),
    ("tls-1.2", "ssl|hybrid|hybrid_ex", "false", "TLSv1.2"),
    (
        "tls-1.2-1.3",
        "ssl|hybrid|hybrid_ex",
        "false",
        "TLSv1.2|TLSv1.3",
    ),
    ("tls-1.3", "ssl|hybrid|hybrid_ex", "false", "TLSv1.3"),
    ("std-security-none", "rdp", "false", ""),
    ("std-security-low", "rdp", "false", ""),
    ("std-security-client-compatible", "rdp", "false", ""),
    ("std-security-high", "rdp", "false", ""),
    ("std-security-fips", "rdp", "false", ""),
    ("ntlm-identity", "hybrid", "true", "TLSv1.2|TLSv1.3"),
];

/// The hosts with standard security: encryption level, methods accepted, RDP version. Every
/// other host has these three columns empty.
const STANDARD_SECURITY: [(&str, &str, &str, &str); 7] = [
    (
        "policy-rdp-only",
        "client-compatible",
        "40bit|56bit|128bit",
        "10.7",
    ),
    (
        "policy-negotiate",
        "client-compatible",
        "40bit|56bit|128bit",
        "10.7",
    ),
    ("std-security-none", "none", "", "5.0-8.1"),
    ("std-security-low", "low", "40bit|56bit|128bit", "5.0-8.1"),
    (
        "std-security-client-compatible",
        "client-compatible",
        "40bit|56bit|128bit",
        "10.7",
    ),
    ("std-security-high", "high", "128bit", "10.7"),
    ("std-security-fips", "fips", "fips", "10.7"),
];

/// The hosts whose SSL|HYBRID request selected CredSSP and whose TLS 1.2/1.3 handshake then
/// completed, with the fleet's clock offset (seconds ahead): they answer the NTLM NEGOTIATE as
/// RDPSIM01 / FLEET / rdpsim01.fleet.test / fleet.test, version 10.0.20348. Every other host
/// has the identity columns empty.
const NTLM_HOSTS: [(&str, i64); 10] = [
    ("policy-negotiate", 0),
    ("policy-nla-required", 0),
    ("policy-hybrid-ex", 0),
    ("tls-1.0-1.2", 0),
    ("tls-1.0-1.3", 0),
    ("tls-1.1-1.2", 0),
    ("tls-1.2", 0),
    ("tls-1.2-1.3", 0),
    ("tls-1.3", 0),
    ("ntlm-identity", 600),
];

/// Seconds the measured clock skew may differ from the fleet's offset: the CHALLENGE's
/// timestamp is taken when the fleet writes it, the scanner's clock when it arrives.
const SKEW_SLACK_S: i64 = 2;

/// Which deep hosts raise each finding of the deep probe, and no other host does (NLA is
/// required only by the three CredSSP-only hosts; TLS 1.0 by the four ranges that start there).
const DEEP_FINDINGS: [(&str, &[&str]); 5] = [
    (
        "NLA_NOT_REQUIRED",
        &[
            "policy-rdp-only",
            "policy-tls-only",
            "policy-negotiate",
            "tls-1.0",
            "tls-1.0-1.1",
            "tls-1.0-1.2",
            "tls-1.0-1.3",
            "tls-1.1-1.2",
            "tls-1.2",
            "tls-1.2-1.3",
            "tls-1.3",
            "std-security-none",
            "std-security-low",
            "std-security-client-compatible",
            "std-security-high",
            "std-security-fips",
        ],
    ),
    (
        "TLS_1_0_ENABLED",
        &["tls-1.0", "tls-1.0-1.1", "tls-1.0-1.2", "tls-1.0-1.3"],
    ),
    (
        "RDP_ENCRYPTION_LOW",
        &[
            "policy-rdp-only",
            "policy-negotiate",
            "std-security-none",
            "std-security-low",
            "std-security-client-compatible",
        ],
    ),
    ("RDP_FIPS_ONLY", &["std-security-fips"]),
    ("CLOCK_SKEW", &["ntlm-identity"]),
];

/// Runs `scan --deep` over the fleet's /27 and returns the rows and JSON lines by address.
fn deep_scan(
    dir: &TestDir,
    range: &str,
    port: u16,
    extra: &[&str],
) -> (HashMap<String, Row>, HashMap<String, Value>) {
    let port = port.to_string();
    let mut args = vec![
        range,
        "-p",
        &port,
        "--deep",
        "--timeout",
        "3s",
        "--connect-timeout",
        "1s",
    ];
    args.extend_from_slice(extra);
    let rows = by_ip(&scan_ok(dir, &args));
    let json = read_jsonl(&dir.join("out"))
        .into_iter()
        .map(|j| (j["ip"].as_str().expect("ip").to_string(), j))
        .collect();
    (rows, json)
}

/// The matrix answer for `protocol` in a host's JSON line.
fn answer<'a>(json: &'a Value, protocol: &str) -> &'a Value {
    json["deep"]["protocols"]
        .as_array()
        .expect("protocols")
        .iter()
        .find(|p| p["protocol"] == protocol)
        .unwrap_or_else(|| panic!("no {protocol} answer in {json}"))
}

fn notes(json: &Value) -> Vec<String> {
    json["deep"]["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| n.as_str().expect("note").to_string())
        .collect()
}

#[test]
fn deep_scan_reports_the_exact_matrix_and_tls_range_of_every_behaviour() {
    let fleet = Fleet::start("127.95.0.0/27", 23450, "deep");
    let dir = TestDir::new();
    let (rows, json) = deep_scan(
        &dir,
        "127.95.0.0/27",
        23450,
        &["--retries", "0", "--ca-file", &fleet.ca],
    );
    assert_eq!(rows.len(), 32);
    // Every host's row says what its specification in the fleet's table expects.
    check_rows(Profile::Deep, &fleet.hosts, &rows);

    for (behaviour, protocols, nla, tls) in EXPECTED {
        let addr = fleet.addr_of(behaviour);
        let row = &rows[&addr];
        let what = format!("{behaviour} ({addr}): {row:?}");
        assert_eq!(row["protocols_accepted"], protocols, "{what}");
        assert_eq!(row["nla_required"], nla, "{what}");
        assert_eq!(row["tls_versions"], tls, "{what}");
        let versions: Vec<&str> = tls.split('|').filter(|v| !v.is_empty()).collect();
        assert_eq!(
            row["tls_min"],
            versions.first().copied().unwrap_or(""),
            "{what}"
        );
        assert_eq!(
            row["tls_max"],
            versions.last().copied().unwrap_or(""),
            "{what}"
        );
        let (level, methods, version) = STANDARD_SECURITY
            .iter()
            .find(|(b, ..)| *b == behaviour)
            .map(|&(_, level, methods, version)| (level, methods, version))
            .unwrap_or_default();
        assert_eq!(row["rdp_encryption_level"], level, "{what}");
        assert_eq!(row["rdp_encryption_methods"], methods, "{what}");
        assert_eq!(row["rdp_version"], version, "{what}");
        match NTLM_HOSTS.iter().find(|(b, _)| *b == behaviour) {
            Some(&(_, ahead)) => {
                assert_eq!(row["ntlm_computer"], "RDPSIM01", "{what}");
                assert_eq!(row["ntlm_domain"], "FLEET", "{what}");
                assert_eq!(row["ntlm_dns_computer"], "rdpsim01.fleet.test", "{what}");
                assert_eq!(row["ntlm_dns_domain"], "fleet.test", "{what}");
                assert_eq!(row["os_version"], "10.0.20348", "{what}");
                let skew: i64 = row["clock_skew_s"].parse().expect("a skew");
                assert!((skew - ahead).abs() <= SKEW_SLACK_S, "{what}");
            }
            None => {
                for column in [
                    "ntlm_computer",
                    "ntlm_domain",
                    "ntlm_dns_computer",
                    "ntlm_dns_domain",
                    "os_version",
                    "clock_skew_s",
                ] {
                    assert_eq!(row[column], "", "{column} of {what}");
                }
            }
        }
        let findings: Vec<&str> = row["findings"].split(';').collect();
        for (code, hosts) in DEEP_FINDINGS {
            assert_eq!(
                findings.contains(&code),
                hosts.contains(&behaviour),
                "{code} of {what}"
            );
        }
        // Every request was asked; hybrid_ex was the ordinary probe's own.
        let line = &json[&addr];
        let asked: Vec<&str> = line["deep"]["protocols"]
            .as_array()
            .expect("protocols")
            .iter()
            .map(|p| p["protocol"].as_str().expect("protocol"))
            .collect();
        assert_eq!(
            asked,
            ["rdp", "ssl", "hybrid", "hybrid_ex", "rdstls", "rdsaad"],
            "{what}"
        );
        assert_eq!(answer(line, "hybrid_ex")["from_first_probe"], true);
    }

    // Exact, not nmap's "it answered": the TLS-only host answers SSL|HYBRID with SSL.
    let tls_only = &json[&fleet.addr_of("policy-tls-only")];
    let hybrid = answer(tls_only, "hybrid");
    assert_eq!(hybrid["requested"], 3);
    assert_eq!(hybrid["selected"], "ssl");
    assert_eq!(hybrid["accepted"], false);
    assert_eq!(answer(tls_only, "rdp")["neg_failure"], "ssl_required");
    // The negotiate host answers RDSTLS alone with PROTOCOL_RDP; the NLA host refuses with 5.
    let negotiate = &json[&fleet.addr_of("policy-negotiate")];
    assert_eq!(answer(negotiate, "rdstls")["selected"], "rdp");
    assert_eq!(answer(negotiate, "rdstls")["accepted"], false);
    let nla = &json[&fleet.addr_of("policy-nla-required")];
    assert_eq!(answer(nla, "ssl")["neg_failure"], "hybrid_required");
    assert_eq!(answer(nla, "hybrid_ex")["selected"], "hybrid");

    // A TLS 1.1 hello to a TLS 1.0-only host is answered at 1.0: recorded, not accepted.
    let tls10 = &json[&fleet.addr_of("tls-1.0")];
    let v11 = &tls10["deep"]["tls_versions"][1];
    assert_eq!(v11["version"], "TLSv1.1");
    assert_eq!(v11["server_version"], "TLSv1.0");
    assert_eq!(v11["accepted"], false);
    let tls13 = &json[&fleet.addr_of("tls-1.3")];
    assert_eq!(tls13["deep"]["tls_versions"][0]["tls"], "alert");

    // Standard security: one line per method offered alone; a refusal is the fleet's close.
    let attempts = |behaviour: &str| -> Vec<String> {
        json[&fleet.addr_of(behaviour)]["deep"]["rdp_security"]["attempts"]
            .as_array()
            .expect("attempts")
            .iter()
            .map(|a| a.as_str().expect("attempt").to_string())
            .collect()
    };
    let closed = "closed before the mcs connect response (0 bytes received)";
    assert_eq!(
        attempts("std-security-fips"),
        [
            format!("40bit: {closed}"),
            format!("56bit: {closed}"),
            format!("128bit: {closed}"),
            "fips: answered with method fips, level fips".to_string(),
        ]
    );
    assert_eq!(
        attempts("std-security-none"),
        [
            "40bit: answered with method none, level none",
            "56bit: answered with method none, level none",
            "128bit: answered with method none, level none",
            "fips: answered with method none, level none",
        ]
    );
    assert_eq!(attempts("std-security-low")[3], format!("fips: {closed}"));
    // The NTLM host's CHALLENGE: its DNS tree and clock are in the JSON line.
    let ntlm = &json[&fleet.addr_of("ntlm-identity")]["deep"]["ntlm"];
    assert_eq!(ntlm["dns_tree"], "fleet.test");
    assert!(
        ntlm["server_time"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z') && t.len() == 20),
        "{ntlm}"
    );
    // No step of any host was left out or said it could not run.
    for (addr, line) in &json {
        for note in notes(line) {
            assert!(
                !note.contains("not probed") && !note.contains("not run"),
                "{addr}: {note}"
            );
        }
    }
    // Where TLS 1.2/1.3 cannot be had, the CredSSP connection says why it got no identity.
    for behaviour in ["tls-1.0", "tls-1.0-1.1"] {
        let ntlm_notes: Vec<String> = notes(&json[&fleet.addr_of(behaviour)])
            .into_iter()
            .filter(|n| n.starts_with("ntlm identity: "))
            .collect();
        assert_eq!(ntlm_notes.len(), 1, "{behaviour}: {ntlm_notes:?}");
    }
    assert_eq!(
        notes(&json[&fleet.addr_of("policy-tls-only")]),
        [
            "ntlm identity: not applicable, the 0x03 request did not select CredSSP",
            "standard security: not applicable, PROTOCOL_RDP was refused with rdp_neg_failure ssl_required",
        ]
    );

    // summary.json's deep object counts what hosts.csv's deep columns say.
    let summary = read_json(&dir.join("out/summary.json"));
    let deep = &summary["deep"];
    assert_eq!(deep["hosts"], 32, "{deep}");
    let count = |column: &str, value: &str| rows.values().filter(|r| r[column] == value).count();
    for (key, column, values) in [
        ("nla_required", "nla_required", &["true", "false"][..]),
        (
            "tls_min",
            "tls_min",
            &["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"],
        ),
        (
            "rdp_encryption_level",
            "rdp_encryption_level",
            &["none", "low", "client-compatible", "high", "fips"],
        ),
    ] {
        for value in values {
            assert_eq!(
                deep[key][value],
                count(column, value),
                "{key}.{value}: {deep}"
            );
        }
    }
    let named = rows
        .values()
        .filter(|r| !r["ntlm_computer"].is_empty())
        .count();
    assert!(named > 0);
    assert_eq!(deep["ntlm_identity"], named, "{deep}");
    let skewed = rows
        .values()
        .filter(|r| {
            r["clock_skew_s"]
                .parse::<i64>()
                .is_ok_and(|s| s.abs() > 300)
        })
        .count();
    assert_eq!(deep["clock_skew_over_5min"], skewed, "{deep}");
    let html = std::fs::read_to_string(dir.join("out/report.html")).expect("report.html");
    assert!(html.contains("<h2 id=\"deep-h\">Deep probe</h2>"));
    assert!(html.contains("data-col=\"ntlm_host\""));
    assert!(html.contains("<dd>rdpsim01.fleet.test</dd>"));
}

#[test]
fn deep_connections_per_host_stay_within_the_bound_as_the_fleet_counts_them() {
    let dir = TestDir::new();
    let stats = dir.join("fleet-stats.json");
    let stats_arg = stats.display().to_string();
    let fleet = Fleet::start_with("127.95.1.0/27", 23451, "deep", &["--stats", &stats_arg]);
    let (rows, json) = deep_scan(
        &dir,
        "127.95.1.0/27",
        23451,
        &["--retries", "1", "--host-pause", "1ms"],
    );
    assert_eq!(rows.len(), 32);
    let hosts = fleet.hosts.clone();
    fleet.stop();

    let text = std::fs::read_to_string(&stats).expect("the fleet wrote its stats");
    let counted: Value = serde_json::from_str(&text).expect("stats are json");
    let counted = counted["connections"].as_object().expect("connections");
    assert_eq!(counted.len(), 32, "every address was connected to: {text}");
    for (addr, behaviour) in &hosts {
        let fleet_saw = counted[addr].as_u64().expect("a count");
        let scanner_used = json[addr]["deep"]["connections"].as_u64().expect("count");
        assert_eq!(fleet_saw, scanner_used, "{addr} ({behaviour})");
        assert!(
            fleet_saw <= 14,
            "{addr} ({behaviour}): {fleet_saw} connections"
        );
        // The plan: 1 ordinary probe (2 with the legacy reconnect) + 5 matrix requests, + 4
        // TLS versions when a TLS protocol is accepted, + 3 standard-security methods when
        // PROTOCOL_RDP is (the first method rides on the matrix's PROTOCOL_RDP connection).
        let expected = match behaviour.as_str() {
            b if b.starts_with("std-security") || b == "policy-rdp-only" => 9,
            "policy-negotiate" => 13,
            "tls-1.0" | "tls-1.0-1.1" => 11,
            _ => 10,
        };
        assert_eq!(fleet_saw, expected, "{addr} ({behaviour})");
    }
}

#[test]
fn deep_flags_are_checked_and_named() {
    let out = run(&["scan", "127.0.0.1", "--host-pause", "soon", "--dry-run"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("soon"), "{}", stderr(&out));
}

#[test]
fn deep_with_several_ports_is_a_usage_error_naming_the_ports() {
    let refused = |out: &std::process::Output| {
        assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
        let err = stderr(out);
        for words in ["3389,3390", "at most 14 connections", "in its own run"] {
            assert!(err.contains(words), "{words:?} not in {err}");
        }
    };
    refused(&run(&[
        "scan",
        "127.0.0.1",
        "-p",
        "3389,3390",
        "--deep",
        "--dry-run",
    ]));

    let dir = TestDir::new();
    let config = dir.write("deep.toml", "deep = true\nports = [3389, 3390]\n");
    let config = config.to_str().expect("utf-8 path");
    refused(&run(&[
        "scan",
        "127.0.0.1",
        "--config",
        config,
        "--dry-run",
    ]));
    // One port from the command line, or --no-deep, is fine.
    for fine in [["-p", "3389"], ["--no-deep", "-q"]] {
        let mut args = vec!["scan", "127.0.0.1", "--config", config, "--dry-run"];
        args.extend_from_slice(&fine);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn host_pause_without_deep_is_warned_about_once() {
    let out = run(&["scan", "127.0.0.1", "--host-pause", "1s", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let warned = stderr(&out).matches("has no effect without --deep").count();
    assert_eq!(warned, 1, "{}", stderr(&out));
    let out = run(&[
        "scan",
        "127.0.0.1",
        "--host-pause",
        "1s",
        "--deep",
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("no effect"), "{}", stderr(&out));
}
