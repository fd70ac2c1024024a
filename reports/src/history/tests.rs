//! Nights read from earlier runs' files; each host's story; the summary's counts.

use super::*;
use crate::summary::{summarize, ScanInfo};
use crate::{Observation, TcpStatus};

use ClientOutcome::*;

/// A host at 10.0.0.`n`:3389 a client gets `outcome` from tonight.
fn host(n: u8, outcome: Option<ClientOutcome>) -> RankedHost {
    let ip = format!("10.0.0.{n}").parse().unwrap();
    let observation = Observation::new(Some(ip), 3389, None, TcpStatus::Open);
    RankedHost::for_test(usize::from(n), observation, outcome)
}

/// An earlier run's directory: its summary.json (finished on `day`, with `fails` failing
/// hosts) and a hosts.csv with one row per (last octet, outcome).
fn night(root: &Path, day: &str, rows: &[(u8, &str)]) -> PathBuf {
    let dir = root.join(day);
    std::fs::create_dir_all(&dir).unwrap();
    let mut summary = summarize(&[], &ScanInfo::default());
    summary.scan.finished_at = timestamp::parse(&format!("{day}T03:00:00Z"));
    summary.hosts = rows.len();
    let fails = rows.iter().filter(|(_, o)| *o == "fails").count();
    summary.by_client_outcome.insert("fails".into(), fails);
    std::fs::write(
        dir.join("summary.json"),
        serde_json::to_string(&summary).unwrap(),
    )
    .unwrap();
    let mut csv = String::from("rank,ip,port,hostname,client_outcome,error\n");
    for (i, (n, outcome)) in rows.iter().enumerate() {
        csv.push_str(&format!("{},10.0.0.{n},3389,,{outcome},\n", i + 1));
    }
    std::fs::write(dir.join("hosts.csv"), csv).unwrap();
    dir
}

#[test]
fn each_host_says_how_long_it_has_failed_and_since_when_it_is_new_or_fixed() {
    let root = tempfile::tempdir().unwrap();
    // Given out of order: the nights are sorted by date.
    let second = night(
        root.path(),
        "2026-11-19",
        &[(1, "fails"), (2, "connects"), (3, "fails"), (5, "connects")],
    );
    let first = night(
        root.path(),
        "2026-11-18",
        &[(1, "fails"), (2, "fails"), (3, "connects"), (5, "fails")],
    );
    let tonight = [
        host(1, Some(Fails)),    // failing all three nights
        host(2, Some(Fails)),    // failed, recovered, fails again: new since the 19th
        host(3, Some(Connects)), // failed last night: fixed tonight
        host(4, Some(Fails)),    // never scanned before
        host(5, Some(Warns)),    // failed on the 18th only: fixed since the 19th
        host(6, None),           // nothing to predict, no past
    ];
    let history = History::read(&[second, first], root.path(), &tonight).unwrap();
    let days: Vec<String> = history.nights.iter().map(Night::label).collect();
    assert_eq!(days, ["2026-11-18", "2026-11-19"]);
    let story = |n: usize| history.of(&tonight[n]);
    let h = |nights, new: Option<&str>, fixed: Option<&str>| HostHistory {
        nights_failing: nights,
        new_since: new.map(str::to_string),
        fixed_since: fixed.map(str::to_string),
    };
    assert_eq!(story(0), h(3, None, None));
    assert_eq!(story(1), h(1, Some("2026-11-19"), None));
    assert_eq!(story(2), h(0, None, Some("tonight")));
    assert_eq!(story(3), h(1, None, None));
    assert_eq!(story(4), h(0, None, Some("2026-11-19")));
    assert_eq!(story(5), h(0, None, None));

    let mut tonight_summary = summarize(&tonight, &ScanInfo::default());
    tonight_summary.scan.finished_at = timestamp::parse("2026-11-20T03:00:00Z");
    let counts = history.summary(Night::of("", &tonight_summary), &tonight);
    assert_eq!(
        (
            counts.new_failing,
            counts.still_failing,
            counts.no_longer_failing
        ),
        (2, 1, 1)
    );
    let fails: Vec<usize> = counts.nights.iter().map(|n| n.fails).collect();
    assert_eq!(fails, [3, 2, 3]);
    assert_eq!(counts.nights[2].label(), "2026-11-20");
}

#[test]
fn a_directory_that_is_not_a_run_is_refused_and_tonights_own_is_left_out() {
    let root = tempfile::tempdir().unwrap();
    let empty = root.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let error = History::read(std::slice::from_ref(&empty), root.path(), &[]).unwrap_err();
    assert!(error.to_string().contains("no summary.json"), "{error}");
    assert!(error.to_string().contains("empty"), "{error}");
    let own = night(root.path(), "2026-11-20", &[(1, "fails")]);
    let history = History::read(std::slice::from_ref(&own), &own, &[]).unwrap();
    assert!(history.nights.is_empty());
}

#[test]
fn at_most_the_latest_nights_are_kept() {
    let root = tempfile::tempdir().unwrap();
    let dirs: Vec<PathBuf> = (0..NIGHTS_KEPT + 3)
        .map(|i| {
            let day = time::Date::from_ordinal_date(2026, 1 + i as u16).unwrap();
            night(root.path(), &day.to_string(), &[(1, "fails")])
        })
        .collect();
    let history = History::read(&dirs, root.path(), &[host(1, Some(Fails))]).unwrap();
    assert_eq!(history.nights.len(), NIGHTS_KEPT);
    assert_eq!(history.nights[0].label(), "2026-01-04");
    assert_eq!(
        history.of(&host(1, Some(Fails))).nights_failing,
        NIGHTS_KEPT + 1
    );
}

#[test]
fn reports_with_history_carry_it_in_summary_json_and_the_page() {
    use crate::vocab::RdpStatus;
    let root = tempfile::tempdir().unwrap();
    let earlier = night(root.path(), "2026-11-19", &[(1, "connects"), (2, "fails")]);
    // Tonight: 10.0.0.1 and .2 accept TCP and never confirm (a client fails on both).
    let tonight: String = [1, 2]
        .iter()
        .map(|n| {
            let ip = format!("10.0.0.{n}").parse().unwrap();
            let mut o = Observation::new(Some(ip), 3389, None, TcpStatus::Open);
            o.rdp = Some(RdpStatus::Timeout);
            serde_json::to_string(&o).unwrap() + "\n"
        })
        .collect();
    let out = root.path().join("2026-11-20");
    std::fs::create_dir_all(&out).unwrap();
    let results = out.join("results.jsonl");
    std::fs::write(&results, tonight).unwrap();
    let page = crate::PageOptions {
        history: vec![earlier, out.clone()],
        ..crate::PageOptions::default()
    };
    let stop = std::sync::atomic::AtomicBool::new(false);
    let policy = crate::RiskPolicy::default();
    crate::files::write_reports(&out, &results, &policy, &ScanInfo::default(), &page, &stop)
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let history = &json["history"];
    assert_eq!(history["nights"].as_array().unwrap().len(), 2, "{history}");
    assert_eq!(history["nights"][0]["fails"], 1);
    assert_eq!(history["nights"][1]["fails"], 2);
    assert_eq!(history["nights"][1]["dir"], "");
    assert_eq!(history["new_failing"], 1);
    assert_eq!(history["still_failing"], 1);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<h2 id=\"history-h\">Night to night</h2>"));
    assert!(html.contains("<strong id=\"new-failing\">1 newly failing</strong>"));
    assert!(html.contains("<svg class=\"chart\" id=\"history-chart\""));
    assert!(html.contains("<p id=\"new-hosts\"><a href=\"#host-1\">10.0.0.1:3389</a></p>"));
    assert!(html.contains("<dt>history</dt><dd>failing 2 nights in a row</dd>"));
    assert!(
        html.contains("<dt>history</dt><dd>failing 1 night in a row; new since 2026-11-19</dd>")
    );
    // Without --history, neither the summary nor the page has any of it.
    crate::files::write_reports(
        &out,
        &results,
        &policy,
        &ScanInfo::default(),
        &crate::PageOptions::default(),
        &stop,
    )
    .unwrap();
    let json = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(!json.contains("\"history\""));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("id=\"history\""));
}
