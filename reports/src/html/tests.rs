//! The page's unit tests: escaping, the CSP, sections, columns.

use super::charts::expiry_counts;
use super::*;
use crate::findings::Severity;
use crate::observation::Observation;
use crate::risk::RiskLevel;
use crate::summary::summarize;
use crate::summary::ScanInfo;

/// The page of `hosts`, all of them shown.
fn page(hosts: &[RankedHost], info: &ScanInfo) -> String {
    report_html(hosts, &summarize(hosts, info))
}
use crate::findings::{Finding, FindingCode};
use crate::risk::Assessment;
use crate::{CertInfo, RdpStatus, TcpStatus, TlsStatus};

const HOSTILE: &str = "<script>window.pwned=1</script>=HYPERLINK(\"http://evil.test\",\"click\") \"onmouseover=alert(1) x='";

fn cert(subject: &str, days_left: i64) -> CertInfo {
    CertInfo {
        subject: subject.into(),
        issuer: subject.into(),
        self_signed: true,
        not_before: Some(time::macros::datetime!(2026-01-01 00:00:00 UTC)),
        not_after: Some(time::macros::datetime!(2026-12-01 00:00:00 UTC)),
        days_left,
        key: crate::CertKey::Rsa { bits: 2048 },
        signature: crate::SignatureAlgorithm::Sha256WithRsa,
        sha256: "00".into(),
    }
}

fn host(rank: usize, ip: &str, level: RiskLevel, score: u32, days: Option<i64>) -> RankedHost {
    let mut o = Observation::new(Some(ip.parse().unwrap()), 3389, None, TcpStatus::Open);
    o.rdp = Some(RdpStatus::Negotiated);
    o.tls = Some(TlsStatus::Ok);
    o.cert = days.map(|d| cert(HOSTILE, d));
    o.error = Some(HOSTILE.into());
    let findings = if level == RiskLevel::None {
        Vec::new()
    } else {
        vec![Finding {
            code: FindingCode::CertExpired,
            severity: Severity::High,
            evidence: HOSTILE.into(),
            remediation: "<b>renew</b> & rebind".into(),
        }]
    };
    RankedHost {
        rank,
        observation: o,
        assessment: Assessment {
            findings,
            score,
            level,
            outcome: None,
        },
    }
}

fn fleet() -> Vec<RankedHost> {
    vec![
        host(1, "10.0.0.1", RiskLevel::High, 90, Some(-3)),
        host(2, "2001:db8::1", RiskLevel::Low, 10, Some(500)),
        host(3, "10.0.0.3", RiskLevel::None, 0, None),
    ]
}

fn info() -> ScanInfo {
    ScanInfo {
        version: "0.1.0".into(),
        started_at: Some(time::macros::datetime!(2026-11-21 10:00:00 UTC)),
        finished_at: Some(time::macros::datetime!(2026-11-21 10:05:00 UTC)),
        targets: Some(vec![HOSTILE.into()]),
        interrupted: true,
        ..ScanInfo::default()
    }
}

#[test]
fn escape_covers_the_five_characters() {
    assert_eq!(escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    assert_eq!(escape("plain – text"), "plain – text");
    assert_eq!(escape("&amp;"), "&amp;amp;");
    assert_eq!(
        escape("a\0b\r\nc\u{1b}\u{85}"),
        "a\\x00b\\x0d\\x0ac\\x1b\\x85"
    );
    let e = escape(HOSTILE);
    for raw in ['<', '>', '"', '\''] {
        assert!(!e.contains(raw), "{raw} left in {e}");
    }
}

#[test]
fn text_written_through_the_escaping_writer_is_escaped_as_a_whole() {
    use std::fmt::Write as _;
    for text in [
        "plain",
        "a&b<c>d\"e'f",
        "Zürich – ünïcode &amp;",
        "a\0b\r\nc\u{1b}\u{85}",
        HOSTILE,
    ] {
        // Split at every char boundary: formatting hands the writer text in pieces.
        for (at, _) in text.char_indices() {
            let mut out = String::from("<dd>");
            let _ = write!(Escaping(&mut out), "{}{}", &text[..at], &text[at..]);
            assert_eq!(
                out,
                format!("<dd>{}", escape(text)),
                "{text:?} split at {at}"
            );
        }
    }
}

#[test]
fn hostile_text_appears_only_escaped() {
    let page = page(&fleet(), &info());
    assert!(!page.contains("<script>window.pwned"), "raw script tag");
    assert!(!page.contains("\"onmouseover"), "raw attribute break-out");
    assert!(!page.contains("<b>renew"), "raw markup from a remediation");
    assert!(page.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;"));
    assert!(page.contains("&lt;b&gt;renew&lt;/b&gt; &amp; rebind"));
    // The page's own script and style, and nothing else.
    assert_eq!(page.matches("<script").count(), 1);
    assert_eq!(page.matches("<style").count(), 1);
}

/// Every `src`/`href` value in the page, in either quoting.
fn resource_urls(page: &str) -> Vec<String> {
    let lower = page.to_ascii_lowercase();
    let mut urls = Vec::new();
    for attr in ["src=", "href=", "xlink:href="] {
        for (i, _) in lower.match_indices(attr) {
            let rest = &page[i + attr.len()..];
            let value: String = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest[1..].chars().take_while(|c| *c != q).collect(),
                _ => rest
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '>')
                    .collect(),
            };
            urls.push(value);
        }
    }
    urls
}

#[test]
fn no_external_resources() {
    for page in [page(&fleet(), &info()), page(&[], &ScanInfo::default())] {
        for url in resource_urls(&page) {
            let url = url.trim().to_ascii_lowercase();
            assert!(
                !(url.starts_with("http:") || url.starts_with("https:") || url.starts_with("//")),
                "external resource {url}"
            );
        }
        let lower = page.to_ascii_lowercase();
        for tag in [
            "<link", "<img", "<iframe", "<object", "<embed", "@import", "url(",
        ] {
            assert!(!lower.contains(tag), "{tag} in the page");
        }
        assert!(page.contains("default-src 'none'"));
    }
}

#[test]
fn csp_hashes_are_of_the_inline_style_and_script() {
    let page = page(&fleet(), &info());
    let script = format!("<script>{PAGE_JS}</script>");
    let style = format!("<style>{PAGE_CSS}</style>");
    assert!(page.contains(&script) && page.contains(&style));
    let csp = content_security_policy();
    assert!(csp.contains(&format!("script-src 'sha256-{}'", base64_sha256(PAGE_JS))));
    assert!(page.contains(&csp));
}

#[test]
fn header_totals_and_interruption() {
    let page = page(&fleet(), &info());
    assert!(page.contains("<h1>rdpsweep 0x904 risk report</h1>"));
    assert!(page.contains("2026-11-21T10:00:00Z") && page.contains("2026-11-21T10:05:00Z"));
    assert!(page.contains("id=\"interrupted\""));
    for (level, n) in [("high", 1), ("medium", 0), ("low", 1), ("none", 1)] {
        let card = format!(
            "<div class=\"card {level}\" id=\"total-{level}\"><span class=\"count\">{n}</span>"
        );
        assert!(page.contains(&card), "{card}");
    }
    assert!(page
        .contains("<td data-key=\"6-2001:0db8:0000:0000:0000:0000:0000:0001\">2001:db8::1</td>"));
    assert!(page.contains("[2001:db8::1]:3389"));
    assert!(page.contains("1 host without a certificate is not counted."));
}

#[test]
fn expiry_buckets_have_inclusive_edges() {
    let hosts: Vec<RankedHost> = [-1, 0, 7, 8, 30, 31, 90, 91, 365, 366]
        .iter()
        .enumerate()
        .map(|(i, d)| host(i + 1, "10.0.0.1", RiskLevel::Low, 1, Some(*d)))
        .chain([host(11, "10.0.0.2", RiskLevel::None, 0, None)])
        .collect();
    let summary = summarize(&hosts, &ScanInfo::default());
    assert_eq!(expiry_counts(&summary), ([1, 2, 2, 2, 2, 1], 1));
}

#[test]
fn empty_input_renders_a_page_that_says_so() {
    let page = page(&[], &ScanInfo::default());
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    assert!(page.contains("id=\"no-hosts\""));
    assert!(page.contains("No host raised any finding."));
    assert!(page.contains("not recorded"));
    assert!(!page.contains("id=\"hosts\""));
    assert!(page.contains("<span class=\"count\">0</span>"));
}

/// [`fleet`] with deep records on the first two hosts: the first with hostile NTLM names.
fn deep_fleet() -> Vec<RankedHost> {
    use crate::deep::fixtures::{identity, record};
    use crate::deep::{NtlmIdentity, TlsVersion};
    use rdpsweep_codec::{EncryptionLevel, SecurityProtocol as P};
    let mut hosts = fleet();
    let hostile = NtlmIdentity {
        computer: Some(HOSTILE.into()),
        dns_computer: Some(format!("{HOSTILE}.corp")),
        ..identity("RDP-01", "CORP", Some(400))
    };
    hosts[0].observation.deep = Some(record(
        &[P::RDP, P::SSL, P::HYBRID, P::HYBRID_EX],
        &[TlsVersion::Tls10, TlsVersion::Tls12, TlsVersion::Tls13],
        Some(EncryptionLevel::CLIENT_COMPATIBLE),
        Some(hostile),
    ));
    hosts[1].observation.deep = Some(record(
        &[P::HYBRID, P::HYBRID_EX],
        &[TlsVersion::Tls12],
        None,
        Some(identity("RDP-02", "CORP", Some(-2))),
    ));
    hosts
}

/// The `<td>` cells of the host table's rows.
fn table_rows(page: &str) -> Vec<Vec<&str>> {
    let body = &page[page.find("<tbody>\n<tr data-rank").expect("host rows")..];
    let body = &body[..body.find("</tbody>").unwrap()];
    body.lines()
        .filter(|line| line.starts_with("<tr"))
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|c| &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()])
                .collect()
        })
        .collect()
}

/// The `data-col` of each heading of the host table.
fn table_columns(page: &str) -> Vec<&str> {
    page.split("data-col=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect()
}

#[test]
fn a_run_without_deep_records_has_no_deep_section_facts_or_columns() {
    let page = page(&fleet(), &info());
    assert!(!page.contains("Deep probe") && !page.contains("id=\"deep"));
    assert!(!page.contains("class=\"facts deep\""));
    assert!(!page.contains("class=\"scroll wide\""));
    assert_eq!(
        table_columns(&page),
        crate::columns::tests::PLAIN_PAGE_COLUMNS
    );
    assert!(table_rows(&page).iter().all(|r| r.len() == 16));
}

#[test]
fn a_deep_run_shows_its_totals_each_hosts_facts_and_five_more_columns() {
    let page = page(&deep_fleet(), &info());
    assert!(page.contains("<h2 id=\"deep-h\">Deep probe</h2>"));
    assert!(page.contains("<p class=\"note\">2 hosts probed with"));
    // The totals count the summary's deep object.
    for (table, label, count) in [
        ("deep-nla", "no", 1),
        ("deep-nla", "yes", 1),
        ("deep-tls-min", "TLSv1.0", 1),
        ("deep-tls-min", "TLSv1.2", 1),
        ("deep-level", "client-compatible", 1),
        ("deep-level", "not known (not probed or no answer)", 1),
        ("deep-ntlm", "computer or domain named", 2),
        ("deep-ntlm", "clock over 5 minutes off", 1),
    ] {
        let start = page.find(&format!("id=\"{table}\"")).expect(table);
        let table_html = &page[start..start + page[start..].find("</table>").unwrap()];
        let row = format!(">{label}</td><td class=\"num\">{count}</td></tr>");
        assert!(table_html.contains(&row), "{row} in {table_html}");
    }
    // The riskiest host's facts.
    for fact in [
        "<dt>protocols accepted</dt><dd>rdp, ssl, hybrid, hybrid_ex</dd>",
        "<dt>NLA required</dt><dd>no</dd>",
        "<dt>TLS versions</dt><dd>TLSv1.0, TLSv1.2, TLSv1.3</dd>",
        "<dt>standard security</dt><dd>level client-compatible; methods 128bit; RDP 10.7</dd>",
        "<dt>NTLM domain</dt><dd>CORP</dd>",
        "<dt>NTLM DNS domain</dt><dd>CORP.example</dd>",
        "<dt>OS version</dt><dd>10.0.20348</dd>",
        "<dt>clock skew</dt><dd>+400 s (server ahead)</dd>",
        "<dt>clock skew</dt><dd>-2 s (server behind)</dd>",
    ] {
        assert!(page.contains(fact), "{fact}");
    }
    // The deep columns, between the ordinary TLS columns and the certificate's.
    let columns = table_columns(&page);
    assert_eq!(columns.len(), 21);
    assert_eq!(columns[12..19], crate::columns::tests::DEEP_PAGE_COLUMNS);
    assert!(page.contains("class=\"scroll wide\""));
    let rows = table_rows(&page);
    assert!(rows.iter().all(|r| r.len() == 21), "{rows:?}");
    assert_eq!(
        rows[1][13..18],
        [
            "hybrid hybrid_ex",
            "TLSv1.2",
            "yes",
            "",
            "RDP-02.CORP.example"
        ]
    );
    assert_eq!(rows[0][14], "TLSv1.0–TLSv1.3");
    assert_eq!(rows[0][16], "client-compatible (128bit)");
    // A host without a deep record has the deep cells, empty.
    assert_eq!(rows[2][13..18], ["", "", "", "", ""]);
    assert!(page.contains("<td data-key=\"2\">client-compatible (128bit)</td>"));
}

#[test]
fn hostile_ntlm_names_appear_only_escaped() {
    let page = page(&deep_fleet(), &info());
    assert!(!page.contains("<script>window.pwned"), "raw script tag");
    assert!(!page.contains("\"onmouseover"), "raw attribute break-out");
    let escaped = escape(HOSTILE);
    assert!(page.contains(&format!("<dt>NTLM computer</dt><dd>{escaped}</dd>")));
    assert!(page.contains(&format!(
        "<dt>NTLM DNS computer</dt><dd>{escaped}.corp</dd>"
    )));
    let rows = table_rows(&page);
    assert_eq!(rows[0][17], format!("{escaped}.corp"));
    assert_eq!(page.matches("<script").count(), 1);
}

#[test]
fn each_findings_bar_has_its_severity_colour_and_word_most_severe_first() {
    let mut summary = summarize(&[], &ScanInfo::default());
    summary.by_finding = [
        ("CERT_UNTRUSTED", 7),
        ("TLS_LEGACY_ONLY", 1),
        ("CERT_EXPIRED", 2),
    ]
    .iter()
    .map(|(code, n)| (code.to_string(), *n))
    .collect();
    let page = report_html(&[], &summary);
    let chart = &page[page.find("id=\"findings-chart\"").unwrap()..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    let bars: Vec<&str> = chart
        .split("<rect class=\"bar ")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    // High before medium before info, whatever their counts: info is never the first bar.
    assert_eq!(bars, ["high", "medium", "info"]);
    for (code, sev) in [
        ("TLS_LEGACY_ONLY", "high"),
        ("CERT_EXPIRED", "medium"),
        ("CERT_UNTRUSTED", "info"),
    ] {
        let label = format!(
            "<tspan class=\"code\">{code}</tspan><tspan class=\"sev-word {sev}\" dx=\"8\">{sev}</tspan>"
        );
        assert!(chart.contains(&label), "{label}");
    }
    // Under the strict client policy, an untrusted certificate is a failure: high.
    summary.scan.risk_policy = Some(crate::summary::PolicyInfo::of(&crate::RiskPolicy {
        client_policy: crate::ClientPolicy::Strict,
        ..crate::RiskPolicy::default()
    }));
    let page = report_html(&[], &summary);
    assert!(page.contains("<tspan class=\"sev-word high\" dx=\"8\">high</tspan></text><rect class=\"bar high\" x=\"0\" y=\"21\" width=\"344\""));
}

#[test]
fn the_plan_lists_each_fix_with_its_counts_and_hosts_linked_to_their_details() {
    let page = page(&fleet(), &info());
    assert!(page.contains("<h2 id=\"plan-h\">Remediation plan</h2>"));
    let step = &page[page
        .find("<li class=\"step\" id=\"fix-CERT_EXPIRED\">")
        .expect("the step")..];
    let step = &step[..step.find("</li>").unwrap()];
    assert!(step.contains("<strong>2 hosts</strong>: 0 fail, 0 warn, 2 other."));
    assert!(step.contains(escape(crate::FindingCode::CertExpired.remediation()).as_ref()));
    // Its hosts, in rank order, linked to their details, with the evidence escaped.
    let first = step.find("<a href=\"#host-1\">1</a>").expect("host 1");
    let second = step.find("<a href=\"#host-2\">2</a>").expect("host 2");
    assert!(first < second);
    assert!(step.contains(escape(HOSTILE).as_ref()));
    assert_eq!(page.matches("<li class=\"step\"").count(), 1);
}

#[test]
fn every_listed_host_has_folded_details_whose_findings_link_to_the_plan() {
    let hosts = fleet();
    let page = page(&hosts, &info());
    assert_eq!(
        page.matches("<details class=\"detail\" id=\"host-").count(),
        hosts.len()
    );
    assert!(!page.contains("<details class=\"detail\" open"));
    let start = page.find("id=\"host-1\"").unwrap();
    let detail = &page[start..start + page[start..].find("</details>").unwrap()];
    assert!(detail.contains("<a href=\"#fix-CERT_EXPIRED\">step 1 of the plan</a>"));
    assert!(detail.contains("<dt>SHA-256</dt><dd>00</dd>"));
    assert!(detail.contains(&format!("<dt>error</dt><dd>{}</dd>", escape(HOSTILE))));
    // A host without a TCP answer says so rather than predicting.
    let mut refused = host(4, "10.0.0.4", RiskLevel::None, 0, None);
    refused.observation.tcp = TcpStatus::Refused;
    let page = super::report_html(&[refused], &summarize(&[], &info()));
    assert!(page.contains("Nothing to predict: the port accepted no TCP connection."));
    // The host table's rank links to the details.
    assert!(page.contains("<td class=\"num\"><a href=\"#host-4\">4</a></td>"));
}

#[test]
fn patterns_show_shared_certificates_subnets_and_the_unlisted_targets() {
    let hosts = fleet();
    let mut extras = crate::page::PageExtras::of(&hosts);
    let page = super::report_page(&hosts, &summarize(&hosts, &info()), &extras);
    // Hosts 1 and 2 serve one certificate (SHA-256 "00").
    let shared = &page[page.find("<table id=\"shared-certs\">").expect("table")..];
    let shared = &shared[..shared.find("</table>").unwrap()];
    assert!(shared.contains("<td class=\"num\">2</td>"));
    assert!(shared.contains("<a href=\"#host-1\">10.0.0.1:3389</a>"));
    assert!(shared.contains("<a href=\"#host-2\">[2001:db8::1]:3389</a>"));
    for net in ["10.0.0.0/24", "2001:db8::/64"] {
        assert!(
            page.contains(&format!("<tr><td class=\"code\">{net}</td>")),
            "{net}"
        );
    }
    assert!(page.contains("<p class=\"note\" id=\"no-listener\">0 targets nothing listened on."));
    assert!(!page.contains("id=\"unlisted\""));

    // Targets left out of the table are counted, and the page says where they went.
    extras.unlisted = 3;
    extras.options.list_dead = false;
    extras.patterns.no_listener = [("refused".to_string(), 2), ("timeout".to_string(), 1)]
        .into_iter()
        .collect();
    let page = super::report_page(&hosts, &summarize(&hosts, &info()), &extras);
    assert!(page.contains(
        "<p class=\"note\" id=\"unlisted\">3 targets nothing listened on are not listed"
    ));
    assert!(page.contains(
        "<p class=\"note\" id=\"no-listener\">3 targets nothing listened on (2 refused, 1 timeout)."
    ));
    assert!(page.contains("targets nothing listened on counted, not listed"));
}

#[test]
fn the_filter_form_ships_hidden_with_the_codes_and_subnets_of_the_page() {
    let page = page(&fleet(), &info());
    assert!(page.contains(
        "<form class=\"filters no-print\" id=\"filters\" role=\"search\" \
         aria-label=\"Find and filter hosts\" hidden>"
    ));
    assert!(page.contains("<option value=\"CERT_EXPIRED\">CERT_EXPIRED (2)</option>"));
    assert!(page.contains("<option value=\"10.0.0.0/24\">10.0.0.0/24 (2)</option>"));
    assert!(page.contains("<option value=\"fails\">fails</option>"));
    assert!(page.contains("<tr data-rank=\"1\" data-subnet=\"10.0.0.0/24\">"));
}

#[test]
fn the_header_shows_the_scan_parameters_and_the_whole_risk_policy() {
    let hosts = fleet();
    let info = ScanInfo {
        ports: Some(vec![3389, 13389]),
        rate: Some(300),
        concurrency: Some(256),
        connect_timeout: Some("2s".into()),
        timeout: Some("5s".into()),
        retries: Some(1),
        seed: Some(7),
        shard: Some("2/4".into()),
        risk_policy: Some(crate::summary::PolicyInfo::of(&crate::RiskPolicy {
            code_weights: [(crate::FindingCode::CertUntrusted, 5)]
                .into_iter()
                .collect(),
            ..crate::RiskPolicy::default()
        })),
        ..info()
    };
    let page = page(&hosts, &info);
    for item in [
        "<dt>Ports</dt><dd>3389, 13389</dd>",
        "<dt>Settings</dt><dd>rate 300/s, concurrency 256, connect timeout 2s, timeout 5s, \
         retries 1, seed 7, shard 2/4</dd>",
        "<dt>Risk policy</dt><dd>built in (clients: default; high from 60, medium from 30, low \
         from 1; expiry window 30 days; slow above 1000 ms)</dd>",
        "<dt>Severity weights</dt><dd>high 60, medium 30, low 10, info 0</dd>",
        "<dt>Code weights</dt><dd>CERT_UNTRUSTED 5</dd>",
        "<dt>Page</dt><dd>subnets by /24 (IPv4) and /64 (IPv6); targets nothing listened on \
         listed</dd>",
    ] {
        assert!(page.contains(item), "{item}");
    }
}

/// 300 hosts of about 2 KB each: a page several times [`CHUNK`].
fn large_fleet() -> Vec<RankedHost> {
    (1..=300)
        .map(|i| {
            host(
                i,
                &format!("10.0.{}.{}", i / 256, i % 256),
                RiskLevel::High,
                90,
                Some(-3),
            )
        })
        .collect()
}

#[test]
fn a_page_written_to_a_file_in_chunks_is_the_page_rendered_whole() {
    // Deep records add the host table's deep columns and each host's deep facts.
    let mut deep = large_fleet();
    for (host, record) in deep.iter_mut().zip(deep_fleet().into_iter().cycle()) {
        host.observation.deep = record.observation.deep;
    }
    for (hosts, chunks) in [
        (large_fleet(), 3),
        (deep, 3),
        (deep_fleet(), 0),
        (Vec::new(), 0),
    ] {
        let (summary, extras) = (summarize(&hosts, &info()), PageExtras::of(&hosts));
        let whole = report_page(&hosts, &summary, &extras);
        assert!(whole.len() > chunks * CHUNK, "{} bytes", whole.len());
        let mut file = Vec::new();
        write_report_page(&mut file, &hosts, &summary, &extras).expect("write");
        assert!(
            file == whole.as_bytes(),
            "{} of {} bytes",
            file.len(),
            whole.len()
        );
    }
}

/// A file that takes `room` bytes, then fails, and counts the writes tried after that.
struct FullDisk {
    room: usize,
    full: bool,
    writes_when_full: usize,
}

impl FullDisk {
    fn new(room: usize) -> FullDisk {
        FullDisk {
            room,
            full: false,
            writes_when_full: 0,
        }
    }
}

impl std::io::Write for FullDisk {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.full {
            self.writes_when_full += 1;
        }
        if buf.len() > self.room {
            self.full = true;
            return Err(std::io::Error::other("no space left on device"));
        }
        self.room -= buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_page_that_cannot_be_written_whole_is_an_error() {
    let hosts = large_fleet();
    let (summary, extras) = (summarize(&hosts, &info()), PageExtras::of(&hosts));
    for room in [0, CHUNK, 2 * CHUNK + 1] {
        let mut disk = FullDisk::new(room);
        let written = write_report_page(&mut disk, &hosts, &summary, &extras);
        let error = written.expect_err("the disk is full");
        assert_eq!(error.to_string(), "no space left on device", "room {room}");
        // Nothing more is tried once a write failed.
        assert_eq!(disk.writes_when_full, 0, "room {room}");
    }
    // Room for all of it: no error.
    let room = report_page(&hosts, &summary, &extras).len();
    write_report_page(&mut FullDisk::new(room), &hosts, &summary, &extras).expect("fits");
}
