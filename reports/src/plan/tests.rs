//! The plan's order, counts and samples, and `remediation.csv`.

use super::csv::{RemediationSpill, HEADER};
use super::*;
use crate::findings::Finding;
use crate::risk::RiskLevel;
use crate::{Observation, TcpStatus};

use FindingCode::*;

/// A host ranked `rank` at 10.0.0.`rank`, with what a client gets and its findings (code,
/// severity), evidence naming the code and the host.
pub(crate) fn host(
    rank: usize,
    outcome: Option<ClientOutcome>,
    findings: &[(FindingCode, Severity)],
) -> RankedHost {
    let ip = std::net::Ipv4Addr::from(0x0a00_0000 + rank as u32);
    let observation = Observation::new(Some(ip.into()), 3389, None, TcpStatus::Open);
    let mut host = RankedHost::for_test(rank, observation, outcome);
    host.assessment.findings = findings
        .iter()
        .map(|(code, severity)| Finding {
            code: *code,
            severity: *severity,
            evidence: format!("{code} seen on host {rank}"),
            remediation: code.remediation().into(),
        })
        .collect();
    host.assessment.level = RiskLevel::High;
    host
}

/// Five hosts fail for two reasons together, three for a third alone, one for the first of
/// the two alone; four warn; ten raise only an info finding.
fn fleet() -> Vec<RankedHost> {
    use ClientOutcome::*;
    use Severity::*;
    let mut hosts = Vec::new();
    let mut next = 0;
    let mut add = |n: usize, outcome, findings: &[(FindingCode, Severity)]| {
        for _ in 0..n {
            next += 1;
            hosts.push(host(next, Some(outcome), findings));
        }
    };
    add(5, Fails, &[(TlsLegacyOnly, High), (X224Closed, High)]);
    add(3, Fails, &[(NegSslRequired, High), (CertUntrusted, Info)]);
    add(1, Fails, &[(TlsLegacyOnly, High)]);
    add(4, Warns, &[(CertExpired, Medium), (CertUntrusted, Info)]);
    add(10, Connects, &[(NlaNotRequired, Info)]);
    hosts
}

#[test]
fn the_step_that_clears_the_most_failing_hosts_comes_first() {
    let plan = Plan::of(&fleet());
    let order: Vec<(FindingCode, usize)> = plan.steps.iter().map(|s| (s.code, s.clears)).collect();
    // NEG_SSL_REQUIRED alone clears 3; then TLS_LEGACY_ONLY clears the host failing for it
    // alone; X224_CLOSED then clears the five failing for both. The rest clear none: by
    // failing, then warning, then all hosts.
    assert_eq!(
        order,
        [
            (NegSslRequired, 3),
            (TlsLegacyOnly, 1),
            (X224Closed, 5),
            (CertUntrusted, 0),
            (CertExpired, 0),
            (NlaNotRequired, 0),
        ]
    );
    assert_eq!(plan.failing, 9);
    assert_eq!(plan.steps.iter().map(|s| s.clears).sum::<usize>(), 9);
    let untrusted = &plan.steps[3];
    assert_eq!(
        (untrusted.hosts, untrusted.fails, untrusted.warns),
        (7, 3, 4)
    );
    assert_eq!(untrusted.severity, Severity::Info);
    assert_eq!(untrusted.remediation, CertUntrusted.remediation());
    let legacy = &plan.steps[1];
    assert_eq!((legacy.hosts, legacy.fails), (6, 6));
    let ranks: Vec<usize> = legacy.sample.iter().map(|h| h.rank).collect();
    assert_eq!(ranks, [1, 2, 3, 4, 5, 9]);
    assert_eq!(legacy.sample[5].evidence, "TLS_LEGACY_ONLY seen on host 9");
    assert_eq!(
        plan.step_numbers().get(&X224Closed),
        Some(&3),
        "steps are numbered from 1"
    );
}

#[test]
fn a_step_keeps_its_first_hosts_and_counts_them_all() {
    let hosts: Vec<RankedHost> = (1..=STEP_HOSTS_KEPT + 10)
        .map(|rank| {
            host(
                rank,
                Some(ClientOutcome::Fails),
                &[(X224NoResponse, Severity::High)],
            )
        })
        .collect();
    let plan = Plan::of(&hosts);
    let step = &plan.steps[0];
    assert_eq!(step.hosts, STEP_HOSTS_KEPT + 10);
    assert_eq!(step.clears, STEP_HOSTS_KEPT + 10);
    assert_eq!(step.sample.len(), STEP_HOSTS_KEPT);
    assert_eq!(step.sample.last().map(|h| h.rank), Some(STEP_HOSTS_KEPT));
}

#[test]
fn a_failing_host_without_a_high_finding_is_counted_as_not_cleared() {
    let hosts = [
        host(
            1,
            Some(ClientOutcome::Fails),
            &[(Intermittent, Severity::Medium)],
        ),
        host(2, Some(ClientOutcome::Fails), &[]),
        host(3, None, &[]),
    ];
    let plan = Plan::of(&hosts);
    assert_eq!((plan.failing, plan.failing_without_cause), (2, 2));
    assert_eq!(plan.steps.len(), 1);
    assert_eq!(plan.steps[0].clears, 0);
}

#[test]
fn remediation_csv_lists_every_host_of_every_step_in_plan_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut hosts = fleet();
    hosts[0].assessment.findings[0].evidence = "=HYPERLINK(\"http://evil.test\")\r\nx".into();
    let mut spill = RemediationSpill::new(dir.path());
    hosts.iter().for_each(|h| spill.add(h).unwrap());
    let spilled = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(spilled, 6, "one hidden spill file per code");
    let plan = Plan::of(&hosts);
    let mut out = Vec::new();
    spill.write(&plan, &mut out).unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "spills removed"
    );

    let mut csv = ::csv::Reader::from_reader(out.as_slice());
    assert_eq!(csv.headers().unwrap().iter().collect::<Vec<_>>(), HEADER);
    let rows: Vec<Vec<String>> = csv
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    // One row per host and code: 5×2 + 3×2 + 1 + 4×2 + 10, each on a line of its own.
    assert_eq!(rows.len(), 35);
    assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1 + 35);
    let steps: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert!(steps
        .windows(2)
        .all(|w| w[0].parse::<usize>().unwrap() <= w[1].parse().unwrap()));
    assert_eq!(
        rows[0][..7],
        ["1", "NEG_SSL_REQUIRED", "high", "3", "3", "3", "6"]
    );
    assert_eq!(rows[0][13], NegSslRequired.remediation());
    // The hostile evidence of host 1 (step 2, TLS_LEGACY_ONLY) is text to a spreadsheet, on
    // one line.
    let legacy = rows
        .iter()
        .find(|r| r[1] == "TLS_LEGACY_ONLY" && r[6] == "1")
        .unwrap();
    assert_eq!(legacy[12], "'=HYPERLINK(\"http://evil.test\")\\x0d\\x0ax");
    assert_eq!(legacy[7], "10.0.0.1");
    assert_eq!(legacy[10], "fails");
    // Each step's hosts in rank order.
    let info: Vec<&str> = rows
        .iter()
        .filter(|r| r[1] == "NLA_NOT_REQUIRED")
        .map(|r| r[6].as_str())
        .collect();
    assert_eq!(info, (14..=23).map(|r| r.to_string()).collect::<Vec<_>>());
}

#[test]
fn spill_files_are_removed_when_the_report_is_abandoned() {
    let dir = tempfile::tempdir().unwrap();
    let mut spill = RemediationSpill::new(dir.path());
    fleet().iter().for_each(|h| spill.add(h).unwrap());
    assert!(std::fs::read_dir(dir.path()).unwrap().count() > 0);
    drop(spill);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
