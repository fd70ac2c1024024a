//! `report.html` in a real headless Chromium: the page's script runs without error, hostile
//! certificate text stays text, the totals and charts are there, and the sort hook reorders
//! the host table; a deep run's page carries its columns and sorts by encryption level.
//!
//! Needs Chromium: `apt-get install chromium` (Debian), or set `RDPSWEEP_CHROMIUM` to a
//! Chromium or Chrome binary. Where none is found (or `RDPSWEEP_CHROMIUM` names a file that is
//! not there) each test prints why it is skipped and passes, so `cargo test --workspace` works
//! on a machine without a browser; with `CI=true` a skip is a failure, so CI always runs them.

mod chromium;

use std::process::Command;

use rdpsweep_codec::{EncryptionLevel, FailureCode, SecurityProtocol as P};
use rdpsweep_reports::html::report_html;
use rdpsweep_reports::summarize;
use rdpsweep_reports::timestamp::parse;
use rdpsweep_reports::{
    Assessment, CertInfo, CertKey, DeepObservation, Finding, FindingCode, NtlmIdentity,
    Observation, ProtocolAnswer, RankedHost, RdpSecurity, RdpStatus, RiskLevel, ScanInfo, Severity,
    SignatureAlgorithm, TcpStatus, TlsStatus, TlsVersion, TlsVersionAnswer,
};

const HOSTILE_SUBJECT: &str =
    "<script>window.pwned=1</script>=HYPERLINK(\"http://evil.test\",\"click\")";
const HOSTILE_ERROR: &str = "\"onmouseover=window.pwned=2 x=\"<img src=x onerror=window.pwned=3>";

fn cert(subject: &str, days_left: i64) -> CertInfo {
    CertInfo {
        subject: subject.into(),
        issuer: subject.into(),
        self_signed: true,
        not_before: parse("2025-01-01T00:00:00Z"),
        not_after: parse("2026-10-22T00:00:00Z"),
        days_left,
        key: CertKey::Rsa { bits: 2048 },
        signature: SignatureAlgorithm::Sha256WithRsa,
        sha256: "ab".repeat(32),
    }
}

fn finding(code: FindingCode, severity: Severity, evidence: &str) -> Finding {
    Finding {
        code,
        severity,
        evidence: evidence.into(),
        remediation: "Fix it: renew and rebind the RDP certificate.".into(),
    }
}

fn ranked(rank: usize, observation: Observation, findings: Vec<Finding>, score: u32) -> RankedHost {
    let level = match score {
        60.. => RiskLevel::High,
        30.. => RiskLevel::Medium,
        1.. => RiskLevel::Low,
        0 => RiskLevel::None,
    };
    RankedHost {
        rank,
        observation,
        assessment: Assessment {
            findings,
            score,
            level,
            outcome: None,
        },
    }
}

fn tls_host(ip: &str, protocol: P, tls: TlsStatus, version: &str) -> Observation {
    let mut o = Observation::new(Some(ip.parse().unwrap()), 3389, None, TcpStatus::Open);
    o.rdp = Some(RdpStatus::Negotiated);
    o.selected_protocol = Some(protocol);
    o.tls = Some(tls);
    o.tls_version = Some(version.parse().expect("a tls version"));
    o
}

/// Six hosts in ranking order: high, medium, medium, low, none, none.
fn fleet() -> Vec<RankedHost> {
    let mut expired = tls_host("127.77.0.2", P::HYBRID, TlsStatus::Ok, "TLSv1.3");
    expired.port = 13389;
    expired.cert = Some(cert(HOSTILE_SUBJECT, -30));

    let mut expiring = tls_host("127.88.0.5", P::HYBRID_EX, TlsStatus::Ok, "TLSv1.2");
    expiring.hostname = Some("rdp-05.corp.example".into());
    expiring.cert = Some(cert("rdp-05.corp.example", 12));

    let mut refused_ssl = Observation::new(
        Some("127.88.0.9".parse().unwrap()),
        3389,
        None,
        TcpStatus::Open,
    );
    refused_ssl.rdp = Some(RdpStatus::Failure);
    refused_ssl.neg_failure = Some(FailureCode::SSL_NOT_ALLOWED_BY_SERVER);
    refused_ssl.error = Some(HOSTILE_ERROR.into());

    let mut legacy = tls_host("127.88.0.7", P::SSL, TlsStatus::Legacy, "TLSv1.0");
    legacy.cert = Some(cert("legacy.corp.example", 400));

    let mut v6 = tls_host("2001:db8::7", P::HYBRID_EX, TlsStatus::Ok, "TLSv1.3");
    v6.cert = Some(cert("v6.corp.example", 1000));

    let mut refused = Observation::new(
        Some("127.88.0.11".parse().unwrap()),
        3389,
        None,
        TcpStatus::Refused,
    );
    refused.error = Some("connection refused".into());

    vec![
        ranked(
            1,
            expired,
            vec![finding(
                FindingCode::CertExpired,
                Severity::High,
                HOSTILE_SUBJECT,
            )],
            85,
        ),
        ranked(
            2,
            expiring,
            vec![finding(
                FindingCode::CertExpiringSoon,
                Severity::Medium,
                "expires in 12 days",
            )],
            45,
        ),
        ranked(
            3,
            refused_ssl,
            vec![finding(
                FindingCode::NegSslNotAllowed,
                Severity::Medium,
                HOSTILE_ERROR,
            )],
            40,
        ),
        ranked(
            4,
            legacy,
            vec![finding(
                FindingCode::TlsLegacyOnly,
                Severity::Low,
                "TLSv1.0 only",
            )],
            25,
        ),
        ranked(5, v6, Vec::new(), 0),
        ranked(6, refused, Vec::new(), 0),
    ]
}

fn info() -> ScanInfo {
    ScanInfo {
        version: "test".into(),
        started_at: parse("2026-11-21T10:00:00Z"),
        finished_at: parse("2026-11-21T10:04:00Z"),
        targets: Some(vec!["127.77.0.0/27".into(), "127.88.0.0/24".into()]),
        ports: Some(vec![3389, 13389]),
        ..ScanInfo::default()
    }
}

/// A deep record: the protocols of `accepted` accepted of the three asked (PROTOCOL_RDP, SSL,
/// HYBRID), TLS 1.2 and 1.3 accepted, standard security at `level`, and an NTLM identity
/// naming `computer`.
fn deep(accepted: &[P], level: Option<EncryptionLevel>, computer: &str) -> DeepObservation {
    let protocols = [P::RDP, P::SSL, P::HYBRID]
        .into_iter()
        .map(|p| ProtocolAnswer {
            protocol: p,
            requested: p,
            from_first_probe: false,
            tcp: TcpStatus::Open,
            rdp: Some(RdpStatus::Negotiated),
            selected: Some(p),
            neg_failure: None,
            accepted: accepted.contains(&p),
            error: None,
        })
        .collect();
    let tls_versions = [TlsVersion::Tls12, TlsVersion::Tls13]
        .into_iter()
        .map(|version| TlsVersionAnswer {
            version,
            accepted: true,
            tls: Some(TlsStatus::Ok),
            server_version: Some(version.wire()),
            cipher: None,
            error: None,
        })
        .collect();
    DeepObservation {
        protocols,
        tls_versions,
        rdp_security: level.map(|level| RdpSecurity {
            level: Some(level),
            ..RdpSecurity::default()
        }),
        ntlm: Some(NtlmIdentity {
            computer: Some(computer.into()),
            domain: Some("CORP".into()),
            clock_skew_s: Some(0),
            ..NtlmIdentity::default()
        }),
        connections: 9,
        notes: Vec::new(),
    }
}

/// [`fleet`] with deep records on three hosts, one of them naming itself with hostile text.
fn deep_fleet() -> Vec<RankedHost> {
    let mut hosts = fleet();
    hosts[0].observation.deep = Some(deep(
        &[P::RDP, P::SSL, P::HYBRID],
        Some(EncryptionLevel::HIGH),
        HOSTILE_ERROR,
    ));
    hosts[1].observation.deep = Some(deep(&[P::HYBRID], Some(EncryptionLevel::NONE), "RDP-05"));
    hosts[3].observation.deep = Some(deep(
        &[P::RDP, P::HYBRID],
        Some(EncryptionLevel::FIPS),
        "LEGACY",
    ));
    hosts
}

/// Writes the report, loads `file://…/report.html` + `fragment` in headless Chromium and
/// returns the DOM after the page's script ran; `None` when the test is skipped (no Chromium).
fn dump_dom(test: &str, hosts: &[RankedHost], fragment: &str) -> Option<String> {
    if !chromium::available(test, false) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, report_html(hosts, &summarize(hosts, &info()))).unwrap();
    let url = format!("{}{fragment}", chromium::file_url(&page));
    let dom = chromium::dump_dom(&url);
    assert!(dom.contains("</html>"), "chromium on {url} gave:\n{dom}");
    Some(dom)
}

/// The cells' text of each row of the host table's body, in DOM order.
fn host_rows(dom: &str) -> Vec<Vec<String>> {
    let table = &dom[dom.find("id=\"hosts\"").expect("host table")..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    strip_tags(&cell[cell.find('>').unwrap() + 1..cell.find("</td>").unwrap()])
                })
                .collect()
        })
        .collect()
}

fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

const ADDRESS: usize = 5;
const DAYS_LEFT: usize = 14;

#[test]
fn report_renders_and_runs_in_chromium() {
    let hosts = fleet();
    let Some(dom) = dump_dom("report_renders_and_runs_in_chromium", &hosts, "") else {
        return;
    };

    assert!(
        dom.contains("<body data-ready=\"1\""),
        "the page script did not finish: {dom}"
    );
    assert!(dom.contains("rdpsweep 0x904 risk report"));

    // Hostile certificate and error text is text, never markup.
    assert!(!dom.contains("<script>window.pwned"), "{dom}");
    assert!(!dom.contains("<img src=x"), "{dom}");
    assert!(!dom.contains(" onmouseover="), "{dom}");
    assert!(dom.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;"));
    assert!(dom.contains("=HYPERLINK(\"http://evil.test\",\"click\")"));
    assert!(dom.contains("&lt;img src=x onerror=window.pwned=3&gt;"));
    assert_eq!(dom.matches("<script").count(), 1, "only the page's script");

    // Every host is in the table, in ranking order.
    let rows = host_rows(&dom);
    let addresses: Vec<&str> = rows.iter().map(|r| r[ADDRESS].as_str()).collect();
    assert_eq!(
        addresses,
        [
            "127.77.0.2",
            "127.88.0.5",
            "127.88.0.9",
            "127.88.0.7",
            "2001:db8::7",
            "127.88.0.11"
        ]
    );
    assert!(rows.iter().all(|r| r.len() == 16), "16 columns: {rows:?}");

    for (level, n) in [("high", 1), ("medium", 2), ("low", 1), ("none", 2)] {
        let card = format!(
            "<div class=\"card {level}\" id=\"total-{level}\"><span class=\"count\">{n}</span>"
        );
        assert!(dom.contains(&card), "missing {card}");
    }

    assert!(dom.contains("<svg class=\"chart\" id=\"findings-chart\""));
    assert!(dom.contains("<svg class=\"chart\" id=\"expiry-chart\""));
    assert!(dom.contains("NEG_SSL_NOT_ALLOWED"));
    assert!(dom.contains("2 hosts without a certificate are not counted."));
    // The riskiest hosts: every host at risk, none of those at level none.
    assert!(dom.contains("#1 127.77.0.2:13389"));
    assert!(dom.contains("#4 127.88.0.7:3389"));
    assert!(!dom.contains("#5 [2001:db8::7]:3389"));
}

#[test]
fn sort_hook_orders_numbers_numerically_with_empty_cells_last() {
    let hosts = fleet();
    let Some(dom) = dump_dom(
        "sort_hook_orders_numbers_numerically_with_empty_cells_last",
        &hosts,
        "#sort=days_left:desc",
    ) else {
        return;
    };
    assert!(dom.contains("<body data-ready=\"1\""), "{dom}");

    let rows = host_rows(&dom);
    let days: Vec<&str> = rows.iter().map(|r| r[DAYS_LEFT].as_str()).collect();
    // Numerically, not as text ("400" > "1000" > "12" > "-30"); hosts without a certificate
    // last, in ranking order.
    assert_eq!(days, ["1000", "400", "12", "-30", "", ""]);
    assert_eq!(rows[0][ADDRESS], "2001:db8::7", "the first row changed");
    assert_eq!(rows[4][ADDRESS], "127.88.0.9");
    assert_eq!(rows[5][ADDRESS], "127.88.0.11");
    assert!(dom.contains("data-col=\"days_left\" data-type=\"num\" aria-sort=\"descending\""));
}

const DEEP_RDP_ENC: usize = 16;
const DEEP_NTLM_HOST: usize = 17;

#[test]
fn deep_report_runs_in_chromium_and_sorts_by_encryption_level() {
    let hosts = deep_fleet();
    let Some(dom) = dump_dom(
        "deep_report_runs_in_chromium_and_sorts_by_encryption_level",
        &hosts,
        "#sort=rdp_enc:asc",
    ) else {
        return;
    };
    assert!(dom.contains("<body data-ready=\"1\""), "{dom}");
    assert!(dom.contains("<h2 id=\"deep-h\">Deep probe</h2>"));

    // The hostile NTLM name is text in the facts and the table.
    assert!(!dom.contains("<img src=x"), "{dom}");
    assert!(!dom.contains(" onmouseover="), "{dom}");
    assert_eq!(dom.matches("<script").count(), 1, "only the page's script");
    let rows = host_rows(&dom);
    assert!(rows.iter().all(|r| r.len() == 21), "21 columns: {rows:?}");

    // Weakest level first (none, high, fips), then the hosts without one in ranking order.
    let levels: Vec<&str> = rows.iter().map(|r| r[DEEP_RDP_ENC].as_str()).collect();
    assert_eq!(levels, ["none", "high", "fips", "", "", ""]);
    let addresses: Vec<&str> = rows.iter().map(|r| r[ADDRESS].as_str()).collect();
    assert_eq!(
        addresses,
        [
            "127.88.0.5",
            "127.77.0.2",
            "127.88.0.7",
            "127.88.0.9",
            "2001:db8::7",
            "127.88.0.11"
        ]
    );
    // As Chromium serialises text: `<` and `>` as entities, quotes as they are.
    let as_text = HOSTILE_ERROR.replace('<', "&lt;").replace('>', "&gt;");
    assert_eq!(rows[1][DEEP_NTLM_HOST], as_text);
    assert!(dom.contains("data-col=\"rdp_enc\" data-type=\"num\" aria-sort=\"ascending\""));
}

/// The skip itself: with `RDPSWEEP_CHROMIUM` naming a binary that is not there, a browser test
/// (run as a child of this test binary) passes saying what is missing and how to install it;
/// with `CI=true` as well, it fails.
#[test]
fn without_chromium_the_test_is_skipped_with_a_message_except_under_ci() {
    let run = |ci: Option<&str>| {
        let mut child = Command::new(std::env::current_exe().expect("this test binary"));
        child
            .args([
                "report_renders_and_runs_in_chromium",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("RDPSWEEP_CHROMIUM", "/nonexistent/chromium");
        match ci {
            Some(value) => child.env("CI", value),
            None => child.env_remove("CI"),
        };
        let out = child.output().expect("run the browser test");
        let text = String::from_utf8_lossy(&out.stderr).into_owned()
            + &String::from_utf8_lossy(&out.stdout);
        (out.status, text)
    };
    let (status, output) = run(None);
    assert!(status.success(), "{output}");
    assert!(
        output.contains("skipped: RDPSWEEP_CHROMIUM=/nonexistent/chromium is not a file")
            && output.contains("apt-get install chromium"),
        "{output}"
    );
    assert!(output.contains("1 passed"), "the test ran: {output}");
    let (status, output) = run(Some("true"));
    assert!(!status.success(), "CI=true must fail: {output}");
    assert!(
        output.contains("CI=true, so the browser test must run"),
        "{output}"
    );
}
