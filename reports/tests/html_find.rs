//! Finding and filtering in `report.html`, in headless Chromium: the page's own script (the
//! one its CSP allows) reads the filters from the URL as a person's link would give them, and
//! the rows and host details it leaves shown are exactly the hosts that match; a link to a
//! host opens its details. Built from the saved demo run (see `html_print.rs`).

mod chromium;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use chromium::{dump_dom, file_url};
use rdpsweep_reports::{
    rank, read_results, write_reports, PageOptions, RankedHost, RiskPolicy, ScanInfo,
};

/// The demo run's report in a directory of its own, and its hosts, ranked.
struct Demo {
    _dir: tempfile::TempDir,
    page: PathBuf,
    hosts: Vec<RankedHost>,
}

fn demo() -> Demo {
    let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/demo-results.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let info = ScanInfo {
        version: "test".into(),
        ..ScanInfo::default()
    };
    let policy = RiskPolicy::default();
    let stop = AtomicBool::new(false);
    write_reports(
        dir.path(),
        &results,
        &policy,
        &info,
        &PageOptions::default(),
        &stop,
    )
    .expect("reports");
    let hosts = rank(read_results(&results).unwrap(), &policy);
    Demo {
        page: dir.path().join("report.html"),
        _dir: dir,
        hosts,
    }
}

/// The opening tag of each host-table row, in DOM order: its rank, and whether it is hidden.
fn rows(dom: &str) -> Vec<(usize, bool)> {
    let table = &dom[dom.find("id=\"hosts\"").expect("host table")..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<tr ")
        .skip(1)
        .map(|row| {
            let tag = &row[..row.find('>').unwrap()];
            (rank_in(tag), tag.contains(" hidden"))
        })
        .collect()
}

/// The ranks of the rows left shown.
fn shown(dom: &str) -> Vec<usize> {
    rows(dom)
        .into_iter()
        .filter(|(_, hidden)| !hidden)
        .map(|(rank, _)| rank)
        .collect()
}

/// The opening tag of each host's details: its rank, whether it is hidden, whether open.
fn details(dom: &str) -> Vec<(usize, bool, bool)> {
    dom.split("<details class=\"detail\" ")
        .skip(1)
        .map(|rest| {
            let tag = &rest[..rest.find('>').unwrap()];
            (rank_in(tag), tag.contains(" hidden"), tag.contains(" open"))
        })
        .collect()
}

fn rank_in(tag: &str) -> usize {
    let at = tag.find("data-rank=\"").expect("data-rank") + 11;
    tag[at..at + tag[at..].find('"').unwrap()]
        .parse()
        .expect("a rank")
}

/// The ranks of the listed hosts (those the page has rows for) for which `keep` holds.
fn expected(demo: &Demo, dom: &str, keep: impl Fn(&RankedHost) -> bool) -> Vec<usize> {
    let listed: Vec<usize> = rows(dom).into_iter().map(|(rank, _)| rank).collect();
    demo.hosts
        .iter()
        .filter(|h| listed.contains(&h.rank) && keep(h))
        .map(|h| h.rank)
        .collect()
}

fn load(demo: &Demo, fragment: &str) -> String {
    let dom = dump_dom(&format!("{}{fragment}", file_url(&demo.page)));
    assert!(
        dom.contains("<body data-ready=\"1\""),
        "the script did not finish"
    );
    dom
}

fn outcome(h: &RankedHost) -> Option<&'static str> {
    h.assessment.outcome.as_ref().map(|p| p.outcome.as_str())
}

#[test]
fn filters_leave_exactly_the_matching_hosts_and_their_details() {
    if !chromium::available(
        "filters_leave_exactly_the_matching_hosts_and_their_details",
        false,
    ) {
        return;
    }
    let demo = demo();
    let dom = load(&demo, "");
    // With no filter every row and every host's details are shown, and the controls too (the
    // page ships them hidden, for a reader without scripts).
    assert!(rows(&dom).iter().all(|(_, hidden)| !hidden));
    assert!(dom.contains("<form class=\"filters no-print\" id=\"filters\""));
    assert!(!dom[dom.find("id=\"filters\"").unwrap()..]
        .split('>')
        .next()
        .unwrap()
        .contains("hidden"));
    let all = rows(&dom).len();
    assert_eq!(details(&dom).len(), all);

    let dom = load(&demo, "#outcome=fails");
    let fails = expected(&demo, &dom, |h| outcome(h) == Some("fails"));
    assert!(fails.len() >= 10, "{fails:?}");
    assert_eq!(shown(&dom), fails);
    let open_details: Vec<usize> = details(&dom)
        .into_iter()
        .filter(|(_, hidden, _)| !hidden)
        .map(|(rank, _, _)| rank)
        .collect();
    assert_eq!(open_details, fails, "details follow the rows");
    assert!(dom.contains(&format!("{} of {all} hosts shown", fails.len())));

    let dom = load(&demo, "#level=medium&finding=CERT_EXPIRED");
    let want = expected(&demo, &dom, |h| {
        h.assessment.level.as_str() == "medium"
            && h.assessment
                .findings
                .iter()
                .any(|f| f.code.as_str() == "CERT_EXPIRED")
    });
    assert!(!want.is_empty());
    assert_eq!(shown(&dom), want);
}

#[test]
fn the_search_box_finds_text_in_rows_and_in_evidence() {
    if !chromium::available("the_search_box_finds_text_in_rows_and_in_evidence", false) {
        return;
    }
    let demo = demo();
    // A certificate subject, shown in the table.
    let dom = load(&demo, "#q=tls10-only");
    let want = expected(&demo, &dom, |h| {
        h.observation
            .cert
            .as_ref()
            .is_some_and(|c| c.subject.contains("tls10-only"))
    });
    assert_eq!(want.len(), 1);
    assert_eq!(shown(&dom), want);
    // Words only the evidence holds (in the host's details, not its row), in any case.
    let dom = load(&demo, "#q=ssl_required_by_SERVER");
    let want = expected(&demo, &dom, |h| {
        h.assessment
            .findings
            .iter()
            .any(|f| f.evidence.contains("SSL_REQUIRED_BY_SERVER"))
    });
    assert_eq!(want.len(), 1, "{want:?}");
    assert_eq!(shown(&dom), want);
    // Nothing matches: nothing shown, and the count says so.
    let dom = load(&demo, "#q=no-such-host-anywhere");
    assert!(shown(&dom).is_empty());
    assert!(dom.contains(&format!("0 of {} hosts shown", rows(&dom).len())));
}

#[test]
fn the_subnet_filter_and_a_sort_combine() {
    if !chromium::available("the_subnet_filter_and_a_sort_combine", false) {
        return;
    }
    let demo = demo();
    let dom = load(
        &demo,
        "#sort=rank:desc&subnet=127.77.0.0%2F24&outcome=warns",
    );
    let mut want = expected(&demo, &dom, |h| outcome(h) == Some("warns"));
    want.reverse();
    assert!(want.len() >= 5);
    assert_eq!(shown(&dom), want, "warning hosts, last rank first");
    // A subnet no host is in leaves nothing.
    let dom = load(&demo, "#subnet=10.0.0.0%2F24");
    // Not an option of the page: the filter stays at "any".
    assert_eq!(shown(&dom).len(), rows(&dom).len());
}

#[test]
fn a_link_to_a_host_opens_its_details() {
    if !chromium::available("a_link_to_a_host_opens_its_details", false) {
        return;
    }
    let demo = demo();
    let dom = load(&demo, "#host-3");
    let opened: Vec<usize> = details(&dom)
        .into_iter()
        .filter(|(_, _, open)| *open)
        .map(|(rank, _, _)| rank)
        .collect();
    assert_eq!(opened, [3]);
    // Its findings link to their steps of the plan, which exist.
    let start = dom.find("id=\"host-3\"").unwrap();
    let detail = &dom[start..start + dom[start..].find("</details>").unwrap()];
    let step = &detail[detail.find("href=\"#fix-").expect("a link to the plan") + 7..];
    let step = &step[..step.find('"').unwrap()];
    assert!(
        dom.contains(&format!("<li class=\"step\" id=\"{step}\">")),
        "{step}"
    );
}
