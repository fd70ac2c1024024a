//! The mixed fleet, scanned once: every behaviour's row says what a user would check.

use rdpsweep_fleet::Profile;

use crate::fleet_table::check_rows;
use crate::util::*;

/// The ranked `hosts.csv` layout, as the golden file the reports crate's tests compare with:
/// rank columns first, then the observation columns.
const COLUMNS: &str = include_str!("../../reports/tests/golden/hosts.csv.header");

/// The columns only `--deep` fills.
const DEEP_COLUMNS: [&str; 14] = [
    "protocols_accepted",
    "nla_required",
    "tls_versions",
    "tls_min",
    "tls_max",
    "rdp_encryption_level",
    "rdp_encryption_methods",
    "rdp_version",
    "ntlm_computer",
    "ntlm_domain",
    "ntlm_dns_computer",
    "ntlm_dns_domain",
    "os_version",
    "clock_skew_s",
];

fn days_left(row: &Row) -> i64 {
    row["cert_days_left"]
        .parse()
        .unwrap_or_else(|_| panic!("cert_days_left of {row:?}"))
}

#[test]
fn every_behaviour_of_the_mixed_fleet_gets_its_row() {
    let fleet = Fleet::start("127.90.0.0/27", 23401, "mixed");
    let dir = TestDir::new();
    let out = run(&[
        "scan",
        "127.90.0.0/27",
        "-p",
        "23401",
        "--timeout",
        "3s",
        "--connect-timeout",
        "1s",
        "--retries",
        "0",
        "--ca-file",
        &fleet.ca,
        "-o",
        &dir.out(),
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let out_dir = dir.join("out");

    // One row per address of the /27, each address once, same in CSV and JSON Lines.
    let (header, rows) = read_hosts_csv(&out_dir);
    assert_eq!(header.join(","), COLUMNS.trim_end());
    assert_eq!(rows.len(), 32);
    let rows = by_ip(&rows);
    // Every host's row says what its specification in the fleet's table expects.
    check_rows(Profile::Mixed, &fleet.hosts, &rows);
    let json = read_jsonl(&out_dir);
    assert_eq!(json.len(), 32);
    assert!(
        stdout(&out).contains("scanned 32 of 32 targets"),
        "{}",
        stdout(&out)
    );

    let row = |behaviour: &str| -> &Row {
        let addr = fleet.addr_of(behaviour);
        rows.get(&addr)
            .unwrap_or_else(|| panic!("no row for {addr} ({behaviour})"))
    };
    let json_of = |behaviour: &str| -> &serde_json::Value {
        let addr = fleet.addr_of(behaviour);
        json.iter()
            .find(|j| j["ip"] == addr.as_str())
            .unwrap_or_else(|| panic!("no json for {addr}"))
    };

    for r in rows.values() {
        assert_eq!(r["port"], "23401");
        assert_eq!(r["attempts"], "1");
        for column in DEEP_COLUMNS {
            assert_eq!(r[column], "", "{column} without --deep: {r:?}");
        }
    }
    assert!(json.iter().all(|j| j["deep"].is_null()));

    let healthy = row("healthy");
    assert_eq!(healthy["tcp"], "open");
    assert_eq!(healthy["rdp"], "negotiated");
    assert_eq!(healthy["selected_protocol"], "hybrid_ex");
    assert_eq!(
        healthy["neg_flags"],
        "extended_client_data|dynvc_gfx|negrsp_reserved|restricted_admin|redirected_auth"
    );
    assert_eq!(healthy["tls"], "ok");
    assert_eq!(healthy["tls_version"], "TLSv1.3");
    assert!(
        healthy["tls_cipher"].starts_with("TLS_AES_")
            || healthy["tls_cipher"].starts_with("TLS_CHACHA20"),
        "{healthy:?}"
    );
    assert_eq!(healthy["cert_subject"], "healthy.fleet.test");
    assert_eq!(healthy["cert_self_signed"], "true");
    assert_eq!(healthy["cert_key"], "RSA 2048");
    assert_eq!(healthy["cert_signature"], "sha256WithRSAEncryption");
    assert!((334..=335).contains(&days_left(healthy)), "{healthy:?}");
    assert_eq!(healthy["cert_sha256"].len(), 64);
    assert!(healthy["cert_sha256"]
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert!(healthy["cert_not_after"].ends_with('Z'));
    assert_eq!(healthy["error"], "");
    for stage in ["tcp_ms", "rdp_ms", "tls_ms"] {
        let ms: f64 = healthy[stage]
            .parse()
            .unwrap_or_else(|_| panic!("{stage} of {healthy:?}"));
        assert!((0.0..3000.0).contains(&ms), "{stage} {ms}");
    }

    let ssl = row("healthy-ssl");
    assert_eq!(ssl["selected_protocol"], "ssl");
    assert_eq!(ssl["neg_flags"], "");
    assert_eq!(
        (ssl["tls"].as_str(), ssl["tls_version"].as_str()),
        ("ok", "TLSv1.3")
    );
    assert_eq!(ssl["cert_key"], "EC P-256");
    assert_eq!(ssl["cert_signature"], "ecdsa-with-SHA256");
    assert_eq!(ssl["cert_self_signed"], "false");
    assert_eq!(ssl["cert_issuer"], "fleet-ca.fleet.test");
    // The leaf once (`cert`), then the CA the host sent after it.
    let ssl_json = json_of("healthy-ssl");
    assert_eq!(ssl_json["cert"]["issuer"], "fleet-ca.fleet.test");
    let intermediates = ssl_json["intermediates"].as_array().expect("intermediates");
    assert_eq!(intermediates.len(), 1, "{ssl_json}");
    assert_eq!(intermediates[0]["subject"], "fleet-ca.fleet.test");
    assert!(ssl_json.get("chain").is_none(), "{ssl_json}");
    // A dead target is a short row: no empty fields.
    let refused = json_of("no-listener");
    let fields: Vec<&String> = refused.as_object().unwrap().keys().collect();
    assert_eq!(
        fields,
        [
            "attempt_outcomes",
            "attempts",
            "error",
            "ip",
            "port",
            "scanned_at",
            "tcp",
            "tcp_ms"
        ],
        "{refused}"
    );

    let expired = row("cert-expired");
    assert_eq!(expired["tls"], "ok");
    assert_eq!(expired["selected_protocol"], "hybrid");
    assert!((-31..=-30).contains(&days_left(expired)), "{expired:?}");
    let expiring = row("cert-expiring");
    assert!((9..=10).contains(&days_left(expiring)), "{expiring:?}");
    let future = row("cert-not-yet-valid");
    assert_eq!(future["tls"], "ok");
    // RFC 3339 UTC strings of one format compare in time order.
    let scanned_at = json_of("cert-not-yet-valid")["scanned_at"]
        .as_str()
        .unwrap();
    assert!(
        future["cert_not_before"].as_str() > scanned_at,
        "{future:?}"
    );

    let weak = row("weak-cert");
    assert_eq!(
        (weak["tls"].as_str(), weak["tls_version"].as_str()),
        ("ok", "TLSv1.2")
    );
    assert_eq!(weak["cert_key"], "RSA 2048");
    assert_eq!(weak["cert_signature"], "sha1WithRSAEncryption");

    let failures = [
        ("neg-failure-1", "ssl_required"),
        ("neg-failure-2", "ssl_not_allowed"),
        ("neg-failure-3", "ssl_cert_not_on_server"),
        ("neg-failure-4", "inconsistent_flags"),
        ("neg-failure-5", "hybrid_required"),
        ("neg-failure-6", "ssl_with_user_auth_required"),
        ("neg-failure-unknown", "unknown(99)"),
    ];
    for (behaviour, code) in failures {
        let r = row(behaviour);
        assert_eq!(
            (r["rdp"].as_str(), r["neg_failure"].as_str()),
            ("failure", code),
            "{behaviour}: {r:?}"
        );
        assert_eq!(
            (r["selected_protocol"].as_str(), r["tls"].as_str()),
            ("", ""),
            "{behaviour}"
        );
    }

    let expect_rdp = [
        ("silent", "timeout", "no connection confirm within 3s"),
        (
            "accept-close",
            "closed",
            "closed before the connection confirm",
        ),
        ("reset", "reset", "reset"),
        ("http", "not-rdp", "HTTP"),
        ("trickle", "timeout", "bytes received"),
        ("bad-length", "protocol-error", "impossible tpkt length 2"),
        ("oversized-length", "protocol-error", "65535"),
        ("xrdp-disconnect", "closed", "disconnect"),
    ];
    for (behaviour, rdp, error) in expect_rdp {
        let r = row(behaviour);
        assert_eq!(r["tcp"], "open", "{behaviour}");
        assert_eq!(r["rdp"], rdp, "{behaviour}: {r:?}");
        assert!(
            r["error"].contains(error),
            "{behaviour}: error {:?} lacks {error:?}",
            r["error"]
        );
        assert_eq!(r["tls"], "", "{behaviour}");
    }
    // The trickling server had sent some bytes when the one stage deadline hit.
    let trickle: f64 = row("trickle")["rdp_ms"].parse().unwrap();
    assert!(
        (2900.0..4500.0).contains(&trickle),
        "trickle rdp_ms {trickle}"
    );
    assert!(
        !row("trickle")["error"].contains("(0 bytes"),
        "{:?}",
        row("trickle")["error"]
    );

    let expect_tls = [
        ("tls-close", "closed", "closed"),
        ("tls-stall", "timeout", "no tls handshake within 3s"),
        ("tls-alert", "alert", "internal_error (80)"),
    ];
    for (behaviour, tls, error) in expect_tls {
        let r = row(behaviour);
        assert_eq!(r["rdp"], "negotiated", "{behaviour}");
        assert_eq!(r["tls"], tls, "{behaviour}: {r:?}");
        assert!(
            r["error"].contains(error),
            "{behaviour}: error {:?} lacks {error:?}",
            r["error"]
        );
        assert_eq!(r["cert_subject"], "", "{behaviour}");
    }

    let legacy = row("tls10-only");
    assert_eq!(legacy["tls"], "legacy");
    assert_eq!(legacy["tls_version"], "TLSv1.0");
    assert_eq!(legacy["tls_cipher"], "TLS_RSA_WITH_AES_128_CBC_SHA");
    assert_eq!(legacy["cert_subject"], "tls10-only.fleet.test");
    assert_eq!(legacy["cert_key"], "RSA 2048");

    let old = row("pre-vista");
    assert_eq!(
        (old["rdp"].as_str(), old["selected_protocol"].as_str()),
        ("negotiated", "rdp")
    );
    assert_eq!((old["neg_flags"].as_str(), old["tls"].as_str()), ("", ""));

    let slow = row("slow");
    assert_eq!(
        (slow["rdp"].as_str(), slow["tls"].as_str()),
        ("negotiated", "ok")
    );
    let slow_ms: f64 = slow["rdp_ms"].parse().unwrap();
    assert!(slow_ms >= 1500.0, "slow rdp_ms {slow_ms}");

    let refused = row("no-listener");
    assert_eq!(refused["tcp"], "refused");
    assert_eq!((refused["rdp"].as_str(), refused["tls"].as_str()), ("", ""));

    // A certificate subject is attacker-controlled: the CSV must not hand a formula to Excel,
    // while JSON Lines keeps the exact text.
    let formula = row("formula-subject");
    assert!(formula["cert_subject"].starts_with("'="), "{formula:?}");
    assert_eq!(
        json_of("formula-subject")["cert"]["subject"],
        "=HYPERLINK(\"http://evil.test\",\"click\")"
    );
}

#[test]
fn retries_re_probe_timeouts_and_record_every_attempt() {
    let fleet = Fleet::start("127.90.1.0/27", 23402, "mixed");
    let dir = TestDir::new();
    let silent = fleet.addr_of("silent");
    let healthy = fleet.addr_of("healthy-ssl");
    let out = run(&[
        "scan",
        &silent,
        &healthy,
        "-p",
        "23402",
        "--timeout",
        "1s",
        "--retries",
        "2",
        "-o",
        &dir.out(),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json = read_jsonl(&dir.join("out"));
    let of = |addr: &str| json.iter().find(|j| j["ip"] == addr).unwrap().clone();
    assert_eq!(of(&silent)["attempts"], 3);
    assert_eq!(
        of(&silent)["attempt_outcomes"],
        serde_json::json!(["rdp=timeout", "rdp=timeout", "rdp=timeout"])
    );
    assert_eq!(of(&healthy)["attempts"], 1);
}

#[test]
fn ipv6_loopback_is_scanned() {
    let fleet = Fleet::start("::1/128", 23403, "mixed");
    let dir = TestDir::new();
    let rows = scan_ok(
        &dir,
        &[
            "::1",
            "-p",
            "23403",
            "--timeout",
            "3s",
            "--ca-file",
            &fleet.ca,
        ],
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["ip"], "::1");
    assert_eq!(rows[0]["tls"], "ok");
    check_rows(Profile::Mixed, &fleet.hosts, &by_ip(&rows));
}

#[test]
fn healthy_profile_answers_tls13_with_ecdsa_everywhere() {
    let fleet = Fleet::start("127.90.2.0/28", 23404, "healthy");
    let dir = TestDir::new();
    let rows = scan_ok(
        &dir,
        &["127.90.2.0/28", "-p", "23404", "--ca-file", &fleet.ca],
    );
    assert_eq!(rows.len(), 16);
    check_rows(Profile::Healthy, &fleet.hosts, &by_ip(&rows));
    for r in &rows {
        assert_eq!(
            (
                r["tls"].as_str(),
                r["tls_version"].as_str(),
                r["cert_key"].as_str()
            ),
            ("ok", "TLSv1.3", "EC P-256"),
            "{r:?}"
        );
    }
}
