use super::*;
use crate::observation::CertInfo;
use crate::vocab::{RdpStatus, TcpStatus};

fn obs(ip: &str, rdp: Option<RdpStatus>, days_left: Option<i64>) -> Result<Observation, ()> {
    let mut o = Observation::new(Some(ip.parse().unwrap()), 3389, None, TcpStatus::Open);
    o.rdp = rdp;
    o.cert = days_left.map(|days_left| CertInfo {
        subject: ip.into(),
        issuer: ip.into(),
        self_signed: true,
        not_before: Some(time::macros::datetime!(2026-01-01 00:00:00 UTC)),
        not_after: Some(time::macros::datetime!(2027-01-01 00:00:00 UTC)),
        days_left,
        key: crate::CertKey::Rsa { bits: 2048 },
        signature: crate::SignatureAlgorithm::Sha256WithRsa,
        sha256: "00".into(),
    });
    if o.cert.is_some() {
        // A certificate is read after a TLS handshake.
        o.selected_protocol = Some(rdpsweep_codec::SecurityProtocol::HYBRID);
        o.tls = Some(crate::vocab::TlsStatus::Ok);
    }
    o.scanned_at = Some(time::macros::datetime!(2026-11-21 00:00:00 UTC));
    Ok(o)
}

fn refused(ip: &str) -> Result<Observation, ()> {
    Ok(Observation::new(
        Some(ip.parse().unwrap()),
        3389,
        None,
        TcpStatus::Refused,
    ))
}

fn view(rows: Vec<Result<Observation, ()>>) -> RiskView {
    RiskView::read(rows.into_iter(), &RiskPolicy::default()).unwrap()
}

/// Both views, each looked up in the other run, as `rdpsweep diff` does.
fn views(
    old: impl Fn() -> Vec<Result<Observation, ()>>,
    new: impl Fn() -> Vec<Result<Observation, ()>>,
) -> (RiskView, RiskView) {
    let mut old_view = view(old());
    let mut new_view = view(new());
    new_view.look_up(&old_view, new().into_iter()).unwrap();
    old_view.look_up(&new_view, old().into_iter()).unwrap();
    (old_view, new_view)
}

fn text_of(old: &RiskView, new: &RiskView) -> String {
    let changes = diff(old, new);
    diff_text(&changes, &DiffTotals::of(old, new, &changes))
}

#[test]
fn appeared_disappeared_and_level_changes_only_for_hosts_at_risk() {
    let negotiated = Some(RdpStatus::Negotiated);
    let old = view(vec![
        obs("10.0.0.1", negotiated, Some(20)),  // expiring: medium
        obs("10.0.0.2", negotiated, Some(200)), // healthy
        obs("10.0.0.3", Some(RdpStatus::Timeout), None), // no response: high
    ]);
    let new = view(vec![
        obs("10.0.0.1", negotiated, Some(-1)),  // expired: medium too
        obs("10.0.0.2", negotiated, Some(199)), // healthy
        obs("10.0.0.4", Some(RdpStatus::Timeout), None), // new, high
    ]);
    assert_eq!((old.len(), new.len()), (2, 2), "healthy hosts are not held");
    let changes = diff(&old, &new);
    let kinds: Vec<(&str, ChangeKind, Option<FindingCode>)> = changes
        .iter()
        .filter(|c| c.kind != ChangeKind::Outcome)
        .map(|c| (c.host.as_str(), c.kind, c.code))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("10.0.0.4", ChangeKind::Level, None),
            (
                "10.0.0.4",
                ChangeKind::Appeared,
                Some(FindingCode::X224NoResponse)
            ),
            (
                "10.0.0.1",
                ChangeKind::Appeared,
                Some(FindingCode::CertExpired)
            ),
            (
                "10.0.0.1",
                ChangeKind::Disappeared,
                Some(FindingCode::CertExpiringSoon)
            ),
            ("10.0.0.3", ChangeKind::Level, None),
            (
                "10.0.0.3",
                ChangeKind::Disappeared,
                Some(FindingCode::X224NoResponse)
            ),
        ]
    );
    let text = text_of(&old, &new);
    assert!(text.contains("10.0.0.1:3389 (medium -> medium)"), "{text}");
    assert!(text.contains("  + CERT_EXPIRED: "), "{text}");
    assert!(text.contains("  - CERT_EXPIRING_SOON"), "{text}");
    assert!(text.contains("10.0.0.3:3389 (high -> none)"), "{text}");
    let mut csv = Vec::new();
    write_diff_csv(&mut csv, &changes).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with(
        "\u{feff}host,port,change,code,old_level,new_level,evidence,finding_level,old_client_outcome,new_client_outcome\n"
    ));
    assert!(
        csv.contains("10.0.0.4,3389,level,,none,high,,,none,fails\n"),
        "{csv}"
    );
    assert!(
        csv.contains("10.0.0.4,3389,appeared,X224_NO_RESPONSE,none,high,"),
        "{csv}"
    );
    assert!(csv.contains(",high,none,fails\n"), "finding level: {csv}");
}

#[test]
fn a_name_and_its_address_are_different_hosts() {
    let mut named = obs("10.1.2.3", Some(RdpStatus::Timeout), None).unwrap();
    named.hostname = Some("rdp.example".into());
    let rows = || {
        vec![
            obs("10.1.2.3", Some(RdpStatus::Negotiated), Some(200)),
            Ok(named.clone()),
        ]
    };
    assert!(diff(&view(rows()), &view(rows())).is_empty());
}

#[test]
fn identical_runs_have_no_changes() {
    let run = || vec![obs("10.0.0.1", Some(RdpStatus::Negotiated), Some(-5))];
    let (old, new) = views(run, run);
    assert!(diff(&old, &new).is_empty());
    assert_eq!(text_of(&old, &new), "no changes\n");
}

#[test]
fn a_host_at_risk_that_the_new_run_does_not_hold_is_not_scanned_not_fixed() {
    let negotiated = Some(RdpStatus::Negotiated);
    let old_rows = || {
        vec![
            obs("10.0.0.1", Some(RdpStatus::Timeout), None), // high, fixed tonight
            obs("10.0.0.3", Some(RdpStatus::Timeout), None), // high, not scanned tonight
        ]
    };
    let new_rows = || vec![obs("10.0.0.1", negotiated, Some(200))];
    let (old, new) = views(old_rows, new_rows);
    let changes = diff(&old, &new);
    let kinds: Vec<(&str, ChangeKind)> =
        changes.iter().map(|c| (c.host.as_str(), c.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            ("10.0.0.1", ChangeKind::Level),
            ("10.0.0.1", ChangeKind::Outcome),
            ("10.0.0.1", ChangeKind::Disappeared),
            ("10.0.0.3", ChangeKind::NotScanned),
        ]
    );
    let text = text_of(&old, &new);
    assert!(
        text.contains("10.0.0.3:3389 (high -> not scanned)"),
        "{text}"
    );
    assert!(text.contains("not known to be fixed"), "{text}");
    let mut csv = Vec::new();
    write_diff_csv(&mut csv, &changes).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains("10.0.0.3,3389,not-scanned,,high,,,,fails,\n"),
        "{csv}"
    );
}

#[test]
fn hosts_of_equal_standing_are_in_numeric_address_order_ipv4_first() {
    let run = |rdp| {
        move || {
            let mut named = obs("10.0.0.7", rdp, None).unwrap();
            named.hostname = Some("a-name.example".into());
            vec![
                obs("2001:db8::1", rdp, None),
                obs("10.0.0.10", rdp, None),
                Ok(named),
                obs("10.0.0.9", rdp, None),
                obs("9.0.0.1", rdp, None),
            ]
        }
    };
    // Every host goes from healthy-but-unknown (no answer to TLS) to silent: all equal.
    let (old, new) = views(run(Some(RdpStatus::Closed)), run(Some(RdpStatus::Timeout)));
    let changes = diff(&old, &new);
    let mut hosts: Vec<&str> = changes.iter().map(|c| c.host.as_str()).collect();
    hosts.dedup();
    assert_eq!(
        hosts,
        [
            "9.0.0.1",
            "10.0.0.9",
            "10.0.0.10",
            "2001:db8::1",
            "a-name.example"
        ]
    );
    let mut csv = Vec::new();
    write_diff_csv(&mut csv, &changes).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let first_cells: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let mut csv_hosts = first_cells.clone();
    csv_hosts.dedup();
    assert_eq!(csv_hosts, hosts, "{csv}");
}

#[test]
fn a_host_that_clients_now_fail_on_shows_its_outcome_change() {
    let old_rows = || {
        vec![
            obs("10.0.0.5", Some(RdpStatus::Negotiated), Some(-3)), // expired: warns
            refused("10.0.0.6"),
        ]
    };
    let new_rows = || {
        vec![
            obs("10.0.0.5", Some(RdpStatus::Timeout), None), // silent: fails
            obs("10.0.0.6", Some(RdpStatus::Timeout), None), // listens now, silent
        ]
    };
    let (old, new) = views(old_rows, new_rows);
    let changes = diff(&old, &new);
    let outcome = |host: &str| {
        changes
            .iter()
            .find(|c| c.host == host && c.kind == ChangeKind::Outcome)
            .map(|c| (c.old_outcome, c.new_outcome))
    };
    assert_eq!(
        outcome("10.0.0.5"),
        Some((Some(ClientOutcome::Warns), Some(ClientOutcome::Fails)))
    );
    // Refused last night: no client got as far as TCP.
    assert_eq!(
        outcome("10.0.0.6"),
        Some((None, Some(ClientOutcome::Fails)))
    );
    let text = text_of(&old, &new);
    assert!(text.contains("  client warns -> fails\n"), "{text}");
    assert!(text.contains("  client none -> fails\n"), "{text}");
    let totals = DiffTotals::of(&old, &new, &changes);
    assert_eq!((totals.now_fail, totals.no_longer_fail), (2, 0));
}

#[test]
fn totals_count_hosts_worse_and_better_and_findings_by_level() {
    let negotiated = Some(RdpStatus::Negotiated);
    let old_rows = || {
        vec![
            obs("10.0.0.1", negotiated, Some(200)),          // healthy
            obs("10.0.0.2", Some(RdpStatus::Timeout), None), // high
            obs("10.0.0.3", negotiated, Some(20)),           // expiring: medium
            obs("10.0.0.4", Some(RdpStatus::Timeout), None), // high, gone tonight
        ]
    };
    let new_rows = || {
        vec![
            obs("10.0.0.1", Some(RdpStatus::Timeout), None), // high: worse
            obs("10.0.0.2", negotiated, Some(200)),          // none: better
            obs("10.0.0.3", negotiated, Some(-1)),           // expired: medium
        ]
    };
    let (old, new) = views(old_rows, new_rows);
    let changes = diff(&old, &new);
    let totals = DiffTotals::of(&old, &new, &changes);
    assert_eq!((totals.worse, totals.better, totals.not_scanned), (1, 1, 1));
    assert_eq!(totals.appeared[&RiskLevel::High], 1, "{totals:?}");
    assert_eq!(totals.appeared[&RiskLevel::Medium], 1, "{totals:?}");
    assert_eq!(totals.disappeared[&RiskLevel::High], 1, "{totals:?}");
    assert_eq!(totals.disappeared[&RiskLevel::Medium], 1, "{totals:?}");
    assert_eq!(totals.old_levels[&RiskLevel::High], 2);
    assert_eq!(totals.new_levels[&RiskLevel::High], 1);
    let text = diff_text(&changes, &totals);
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("totals: hosts 1 worse, 1 better, 1 not scanned; findings +"),
        "{last}"
    );
    assert!(
        last.contains("high 2 -> 1, medium 1 -> 1, low 0 -> 0"),
        "{last}"
    );
}

#[test]
fn news_at_a_level_is_a_finding_that_appeared_there_or_a_level_that_rose_to_it() {
    let negotiated = Some(RdpStatus::Negotiated);
    let old_rows = || {
        vec![
            obs("10.0.0.1", negotiated, Some(200)),          // none
            obs("10.0.0.2", Some(RdpStatus::Timeout), None), // high, stays high
            obs("10.0.0.3", negotiated, Some(200)),          // none
            obs("10.0.0.4", Some(RdpStatus::Timeout), None), // high, gets better
        ]
    };
    let new_rows = || {
        vec![
            obs("10.0.0.1", Some(RdpStatus::Timeout), None), // a high finding appears
            obs("10.0.0.2", Some(RdpStatus::Timeout), None), // no news
            obs("10.0.0.3", negotiated, Some(20)),           // a medium finding appears
            obs("10.0.0.4", negotiated, Some(20)),           // high -> medium: better
        ]
    };
    let (old, new) = views(old_rows, new_rows);
    let changes = diff(&old, &new);
    let high = news_at(&changes, RiskLevel::High);
    assert_eq!(high.len(), 1, "{high:?}");
    assert_eq!(high[0].host, "10.0.0.1");
    assert_eq!(high[0].appeared, vec![FindingCode::X224NoResponse]);
    assert_eq!(high[0].rose, Some((RiskLevel::None, RiskLevel::High)));
    let hosts = |level| -> Vec<String> {
        news_at(&changes, level)
            .into_iter()
            .map(|n| n.host)
            .collect()
    };
    // 10.0.0.4 got better (high -> medium), yet its expiring certificate is a new medium
    // finding: news at medium.
    assert_eq!(
        hosts(RiskLevel::Medium),
        ["10.0.0.1", "10.0.0.4", "10.0.0.3"]
    );
    assert_eq!(hosts(RiskLevel::Low), hosts(RiskLevel::Medium));
    assert!(news_at(&changes, RiskLevel::Medium)
        .iter()
        .all(|n| n.host != "10.0.0.4" || n.rose.is_none()));
}

#[test]
fn the_last_row_of_a_target_counts() {
    // At risk, then probed again and healthy: the host is not at risk.
    let run = vec![
        obs("10.0.0.1", Some(RdpStatus::Timeout), None),
        obs("10.0.0.1", Some(RdpStatus::Negotiated), Some(200)),
    ];
    let view = view(run);
    let healthy = view
        .hosts
        .get(&(HostName::Address("10.0.0.1".parse().unwrap()), 3389));
    assert!(
        healthy.is_none_or(|h| h.level == RiskLevel::None),
        "{healthy:?}"
    );
}
