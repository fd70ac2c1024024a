//! `report.html` printed to PDF in headless Chromium, as an auditor saves it: every column of
//! the host table is on paper, its heading row is printed again (filled in) on every page the
//! table runs onto, the last host's values are all there, and so is the evidence of the plan's
//! steps. Read back with `pdftotext`.
//!
//! The reports are built from saved runs: `tests/data/demo-results.jsonl` is the
//! `results.jsonl` of `rdpsweep demo`, `tests/data/deep-results.jsonl` that of
//! `rdpsweep scan --deep` against `rdpsweep simulate --profile deep` (see the README's "Deep
//! probe"). Needs Chromium and pdftotext (see `chromium/mod.rs`).

mod chromium;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use chromium::{pdf_pages, print_to_pdf, squeezed};
use rdpsweep_reports::columns::{cell_text, page_columns};
use rdpsweep_reports::html::report_html;
use rdpsweep_reports::plan::Plan;
use rdpsweep_reports::{
    rank, read_results, summarize, write_reports, Observation, PageOptions, RankedHost, RiskPolicy,
    ScanInfo, TcpStatus,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Builds the report files of the saved run `name` into `dir` as `rdpsweep report` does, and
/// returns its hosts, ranked.
fn build(name: &str, dir: &Path) -> Vec<RankedHost> {
    let results = fixture(name);
    let info = ScanInfo {
        version: "test".into(),
        source: Some(name.into()),
        ..ScanInfo::default()
    };
    let policy = RiskPolicy::default();
    write_reports(
        dir,
        &results,
        &policy,
        &info,
        &PageOptions::default(),
        &AtomicBool::new(false),
    )
    .expect("reports");
    rank(read_results(&results).expect("the saved run"), &policy)
}

/// The rank of the last row of the page's host table.
fn last_row_rank(page: &str) -> usize {
    let table = &page[page.find("id=\"hosts\"").expect("the host table")..];
    let body = &table[..table.find("</tbody>").unwrap()];
    let row = &body[body.rfind("<tr data-rank=\"").expect("a host row") + 15..];
    row[..row.find('"').unwrap()].parse().expect("a rank")
}

/// The page's cell texts of `host`, column by column, as the page writes them (unescaped).
fn cells(host: &RankedHost, deep: bool) -> Vec<String> {
    page_columns(deep)
        .map(|(column, html)| cell_text(html.text.unwrap_or(column.cell), host))
        .collect()
}

/// The headings of the page's host table, in order.
fn headings(deep: bool) -> Vec<&'static str> {
    page_columns(deep).map(|(_, html)| html.heading).collect()
}

/// Prints `dir/report.html` and checks the host table on paper: the heading row, whole and in
/// order, on every page that holds a host row, and the last row's every value, in order.
fn assert_printed_table(dir: &Path, hosts: &[RankedHost], deep: bool) {
    let page = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let pages = pdf_pages(&print_to_pdf(&dir.join("report.html")));
    let all: String = pages.iter().map(|p| squeezed(p)).collect();

    let heading_row = squeezed(&headings(deep).concat());
    assert!(
        all.contains(&heading_row),
        "the heading row {:?} is not printed whole",
        headings(deep)
    );

    let rank = last_row_rank(&page);
    let last = hosts
        .iter()
        .find(|h| h.rank == rank)
        .expect("the last row's host");
    let values = cells(last, deep);
    assert!(
        values.iter().filter(|v| !v.is_empty()).count() >= 5,
        "{values:?}"
    );
    let row = squeezed(&values.concat());
    assert!(
        all.contains(&row),
        "the last host's row {values:?} is not printed whole, in order"
    );

    // Every page with a host row on it starts the rows with the heading row, filled in.
    let rows: Vec<String> = hosts
        .iter()
        .filter(|h| page.contains(&format!("<tr data-rank=\"{}\"", h.rank)))
        .map(|h| squeezed(&cells(h, deep).concat()))
        .collect();
    let mut table_pages = 0;
    for (number, text) in pages.iter().enumerate() {
        let text = squeezed(text);
        let first_row = rows.iter().filter_map(|row| text.find(row.as_str())).min();
        if let Some(first_row) = first_row {
            table_pages += 1;
            let heading = text.find(&heading_row);
            assert!(
                heading.is_some_and(|h| h < first_row),
                "page {} holds host rows without the heading row above them",
                number + 1
            );
        }
    }
    assert!(table_pages >= 1);

    // The plan prints each step's hosts with their evidence (folded on screen).
    let plan = Plan::of(hosts);
    for step in &plan.steps {
        let h = &step.sample[0];
        let endpoint = match h.ip {
            Some(std::net::IpAddr::V6(ip)) => format!("[{ip}]:{}", h.port),
            Some(ip) => format!("{ip}:{}", h.port),
            None => format!("{}:{}", h.hostname.as_deref().unwrap_or("?"), h.port),
        };
        let outcome = h.outcome.map_or("", |o| o.as_str());
        let row = format!(
            "{}{endpoint}{}{outcome}{}",
            h.rank,
            h.hostname
                .as_deref()
                .filter(|_| h.ip.is_some())
                .unwrap_or(""),
            h.evidence
        );
        assert!(
            all.contains(&squeezed(&row)),
            "step {}'s first host is not printed: {row}",
            step.code
        );
    }
}

#[test]
fn a_printed_demo_report_holds_every_column_and_the_last_host() {
    if !chromium::available(
        "a_printed_demo_report_holds_every_column_and_the_last_host",
        true,
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let hosts = build("demo-results.jsonl", dir.path());
    assert!(hosts.iter().all(|h| h.observation.deep.is_none()));
    assert_printed_table(dir.path(), &hosts, false);
}

#[test]
fn a_printed_deep_report_holds_every_column_and_the_last_host() {
    if !chromium::available(
        "a_printed_deep_report_holds_every_column_and_the_last_host",
        true,
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let hosts = build("deep-results.jsonl", dir.path());
    assert!(hosts.iter().all(|h| h.observation.deep.is_some()));
    assert_printed_table(dir.path(), &hosts, true);
}

/// A table of many pages: its heading row is printed, filled in, above the rows of each one.
#[test]
fn the_heading_row_is_printed_on_every_page_of_a_long_table() {
    if !chromium::available(
        "the_heading_row_is_printed_on_every_page_of_a_long_table",
        true,
    ) {
        return;
    }
    let demo = read_results(&fixture("demo-results.jsonl")).unwrap();
    let open: Vec<Observation> = demo
        .into_iter()
        .filter(|o| o.tcp == TcpStatus::Open)
        .collect();
    // 240 hosts: the demo's open hosts again and again, at addresses of their own.
    let many: Vec<Observation> = (0..240u32)
        .map(|i| {
            let mut o = open[i as usize % open.len()].clone();
            o.ip = Some(std::net::Ipv4Addr::from(0x0a00_0000 + i).into());
            o
        })
        .collect();
    let hosts = rank(many, &RiskPolicy::default());
    let dir = tempfile::tempdir().unwrap();
    let page = report_html(&hosts, &summarize(&hosts, &ScanInfo::default()));
    std::fs::write(dir.path().join("report.html"), page).unwrap();
    let pages = pdf_pages(&print_to_pdf(&dir.path().join("report.html")));
    let heading_row = squeezed(&headings(false).concat());
    let with_heading = pages
        .iter()
        .filter(|p| squeezed(p).contains(&heading_row))
        .count();
    assert!(
        with_heading >= 3,
        "the heading row is on {with_heading} pages"
    );
    assert_printed_table(dir.path(), &hosts, false);
}
