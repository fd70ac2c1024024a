//! The hostile fleet, scanned once: every host's row says what its table row expects, no
//! target is lost or doubled, the stage deadlines bound the scan, and nothing a server sent
//! reaches a report as panic text, a spreadsheet formula or raw markup.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use rdpsweep_fleet::hostile::{LONG_CHAIN, NUL_NAME, SCRIPT_NAME};
use rdpsweep_fleet::Profile;

use crate::fleet_table::check_rows;
use crate::util::*;

const RANGE: &str = "127.96.0.0/27";
const PORT: &str = "23460";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const STAGE_TIMEOUT: Duration = Duration::from_secs(3);
/// How many targets are probed at once.
const CONCURRENCY: usize = 64;
/// Starting the process, writing the reports: generous, for a loaded 2-core CI machine.
const SLACK: Duration = Duration::from_secs(5);

#[test]
fn every_hostile_host_gets_its_row_within_the_deadlines_and_reports_stay_safe() {
    let fleet = Fleet::start(RANGE, 23460, "hostile");
    let dir = TestDir::new();
    let started = Instant::now();
    let out = run(&[
        "scan",
        RANGE,
        "-p",
        PORT,
        "--timeout",
        "3s",
        "--connect-timeout",
        "1s",
        "--retries",
        "0",
        "--concurrency",
        &CONCURRENCY.to_string(),
        "--ca-file",
        &fleet.ca,
        "-o",
        &dir.out(),
    ]);
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let out_dir = dir.join("out");

    // Each probe: the connect, the X.224 stage, the TLS stage (whose legacy reconnect runs
    // within its deadline); all of a wave's probes run at once. A hang shows as a scan longer
    // than that, not as a slow one.
    let targets = fleet.hosts.len();
    let waves = targets.div_ceil(CONCURRENCY) as u32;
    let bound = (CONNECT_TIMEOUT + 2 * STAGE_TIMEOUT) * waves + SLACK;
    assert!(elapsed < bound, "the scan took {elapsed:?}, over {bound:?}");

    // Every target exactly once, in hosts.csv and in results.jsonl.
    let addresses: BTreeSet<&str> = fleet.hosts.iter().map(|(a, _)| a.as_str()).collect();
    let (_, rows) = read_hosts_csv(&out_dir);
    assert_eq!(rows.len(), targets);
    let rows = by_ip(&rows);
    assert_eq!(
        rows.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        addresses
    );
    let json = read_jsonl(&out_dir);
    assert_eq!(json.len(), targets);
    let json_ips: BTreeSet<&str> = json.iter().filter_map(|j| j["ip"].as_str()).collect();
    assert_eq!(json_ips, addresses);
    assert!(
        stdout(&out).contains(&format!("scanned {targets} of {targets} targets")),
        "{}",
        stdout(&out)
    );

    // Every host's row says what its specification in the fleet's table expects.
    check_rows(Profile::Hostile, &fleet.hosts, &rows);

    // The whole chain of 50 is recorded, each certificate once: the leaf, then the rest.
    let chain_host = fleet.addr_of("chain-50");
    let record = json
        .iter()
        .find(|j| j["ip"] == chain_host.as_str())
        .expect("the chain-50 host's row");
    assert!(record["cert"].is_object(), "{record}");
    let intermediates = record["intermediates"]
        .as_array()
        .expect("the chain-50 host's intermediates");
    assert_eq!(1 + intermediates.len(), LONG_CHAIN);

    // No panic text, no arithmetic overflow, anywhere a user looks (the page's own style says
    // `overflow`: its text is read without it).
    let page = String::from_utf8_lossy(&read(&out_dir.join("report.html"))).into_owned();
    let texts = [
        ("hosts.csv", read(&out_dir.join("hosts.csv"))),
        ("findings.csv", read(&out_dir.join("findings.csv"))),
        ("results.jsonl", read(&out_dir.join("results.jsonl"))),
        ("report.html", outside_code(&page).concat().into_bytes()),
        ("stdout", out.stdout.clone()),
        ("stderr", out.stderr.clone()),
    ];
    for (name, bytes) in &texts {
        let text = String::from_utf8_lossy(bytes).to_lowercase();
        for word in ["panicked", "overflow"] {
            assert!(!text.contains(word), "{name} says {word:?}");
        }
    }

    // No cell a spreadsheet would run as a formula.
    for file in ["hosts.csv", "findings.csv"] {
        let (_, rows) = read_csv(&out_dir.join(file));
        for row in &rows {
            for (column, cell) in row {
                assert!(spreadsheet_safe(cell), "{file} {column} {cell:?}");
            }
        }
    }

    // No markup, NUL or raw line break from a certificate name in the page.
    let page = read(&out_dir.join("report.html"));
    assert!(!page.contains(&0u8), "a NUL byte in report.html");
    let page = String::from_utf8(page).expect("report.html is UTF-8");
    assert!(
        !page.contains(SCRIPT_NAME),
        "a raw <script> from a certificate"
    );
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(page.contains("&lt;script&gt;alert(&#39;&quot;x&quot;&#39;)&lt;/script&gt;"));
    assert!(page.contains(&NUL_NAME.replace('\0', "\\x00")));
    // A line break in a name is shown, not obeyed: as in the CSV.
    assert!(page.contains("\\x0d\\x0aX-Injected: yes\\x0d\\x0aname-crlf"));
    for value in attribute_values(&page) {
        assert!(!value.contains(['\r', '\n']), "a line break in {value:?}");
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// True when a spreadsheet shows `cell` as text or a number: it does not begin with `=`, `+`,
/// `-`, `@`, tab or CR, unless it is a decimal number; a leading `'` keeps it text.
fn spreadsheet_safe(cell: &str) -> bool {
    let number = cell.parse::<f64>().is_ok()
        && cell
            .trim_start_matches('-')
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.');
    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']) || number
}

/// The value of every double-quoted attribute of the page's markup (its script and style left
/// out: they hold no data).
fn attribute_values(page: &str) -> Vec<&str> {
    let mut values = Vec::new();
    for markup in outside_code(page) {
        let mut part = markup;
        while let Some(at) = part.find("=\"") {
            let value = &part[at + 2..];
            let end = value.find('"').unwrap_or(value.len());
            values.push(&value[..end]);
            part = value.get(end + 1..).unwrap_or("");
        }
    }
    values
}

/// The stretches of `page` outside its `<script>` and `<style>` elements.
fn outside_code(mut page: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    loop {
        let next = [("<script", "</script>"), ("<style", "</style>")]
            .into_iter()
            .filter_map(|(open, close)| page.find(open).map(|at| (at, close)))
            .min();
        let Some((at, close)) = next else {
            parts.push(page);
            return parts;
        };
        parts.push(&page[..at]);
        match page[at..].find(close) {
            Some(end) => page = &page[at + end + close.len()..],
            None => return parts,
        }
    }
}
