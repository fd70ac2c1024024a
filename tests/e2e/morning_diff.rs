//! `rdpsweep diff` for a nightly job: it never reads a scan still running (it waits with
//! `--wait`, else exits 1 naming the directory), `--fail-on LEVEL` exits 3 on news at that
//! level, the totals and client outcomes are shown, a run's own risk policy is honoured, and
//! the CSV files begin with a UTF-8 byte order mark. Ports 23521-23523, ranges 127.97.2-4.x.

use std::path::Path;

use crate::util::*;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Runs `rdpsweep scan TARGETS -p PORT --retries 0 -o DIR/NAME -q EXTRA` and returns the
/// directory.
fn scan_into(dir: &TestDir, name: &str, targets: &[&str], port: &str, extra: &[&str]) -> String {
    let out_dir = dir.join(name).display().to_string();
    let mut args: Vec<&str> = vec!["scan"];
    args.extend_from_slice(targets);
    args.extend(["-p", port, "--retries", "0", "-o", &out_dir, "-q"]);
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "{args:?}: {}",
        stderr(&out)
    );
    out_dir
}

#[test]
fn diff_waits_for_a_scan_still_writing_and_refuses_one_without_wait() {
    let fleet = Fleet::start("127.97.2.0/28", 23521, "mixed");
    let dir = TestDir::new();
    let healthy = fleet.addr_of("healthy");
    let silent = fleet.addr_of("silent");
    let old = scan_into(&dir, "old", &[&healthy], "23521", &[]);
    // Tonight's scan: the silent host keeps it running for its 5 s deadline.
    let mut tonight = spawn_scan(
        &dir,
        &[
            &healthy,
            &silent,
            "-p",
            "23521",
            "--timeout",
            "5s",
            "--retries",
            "0",
            "-q",
        ],
    );
    wait_for_rows(&dir, &mut tonight, 1);
    let new = dir.out();
    let out = run(&["diff", &old, &new]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("a scan is still writing {new}"))
            && stderr(&out).contains(".rdpsweep.lock")
            && stderr(&out).contains("--wait"),
        "{}",
        stderr(&out)
    );
    // With --wait it reads tonight's run once the scan has ended: the silent host is in it.
    let out = run(&["diff", &old, &new, "--wait", "2m"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("{silent}:23521 (none -> high)"))
            && stdout(&out).contains("+ X224_NO_RESPONSE"),
        "{}",
        stdout(&out)
    );
    let status = tonight.wait().expect("tonight's scan");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn diff_fail_on_exits_3_on_news_at_the_level_and_shows_totals_and_outcomes() {
    let fleet = Fleet::start("127.97.3.0/28", 23522, "mixed");
    let dir = TestDir::new();
    let healthy = fleet.addr_of("healthy");
    let failing = fleet.addr_of("neg-failure-3");
    let expired = fleet.addr_of("cert-expired");
    let old = scan_into(&dir, "old", &[&healthy, &failing], "23522", &[]);
    let new = scan_into(&dir, "new", &[&healthy, &failing, &expired], "23522", &[]);
    for file in ["hosts.csv", "findings.csv"] {
        let bytes = std::fs::read(Path::new(&new).join(file)).expect(file);
        assert!(bytes.starts_with(BOM), "{file} begins with a UTF-8 BOM");
    }
    let diff_dir = dir.join("diff").display().to_string();
    let diff = |level: &str| run(&["diff", &old, &new, "--fail-on", level, "-o", &diff_dir]);

    // The host new at risk is medium (an expired certificate): no news at high.
    let out = diff("high");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("{expired}:23522 (none -> medium)")),
        "{text}"
    );
    assert!(text.contains("  client none -> warns\n"), "{text}");
    let totals = text.lines().last().expect("a totals line");
    assert!(
        totals.starts_with("totals: hosts 1 worse, 0 better, 0 not scanned; findings +")
            && totals.contains("1 medium")
            && totals.contains("clients 0 now fail, 0 no longer fail")
            && totals.contains("high 1 -> 1, medium 0 -> 1"),
        "{totals}"
    );

    // News at medium: exit 3, one line on stderr naming the host and diff.txt.
    let out = diff("medium");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("1 host with news at medium or worse (--fail-on medium): {expired}:23522 (+CERT_EXPIRED"))
            && stderr(&out).contains("diff.txt"),
        "{}",
        stderr(&out)
    );
    let bytes = std::fs::read(dir.join("diff/diff.csv")).expect("diff.csv");
    assert!(bytes.starts_with(BOM), "diff.csv begins with a UTF-8 BOM");
    let (header, rows) = read_csv(&dir.join("diff/diff.csv"));
    assert_eq!(header[0], "host", "the csv reader skips the BOM");
    assert!(
        rows.iter().any(|r| r["host"] == expired
            && r["change"] == "outcome"
            && r["old_client_outcome"] == "none"
            && r["new_client_outcome"] == "warns"),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r["host"] == expired
            && r["code"] == "CERT_EXPIRED"
            && r["finding_level"] == "medium"),
        "{rows:?}"
    );
}

#[test]
fn diff_scores_with_the_given_risk_policy_and_warns_when_a_run_used_another() {
    let fleet = Fleet::start("127.97.4.0/28", 23523, "mixed");
    let dir = TestDir::new();
    // Untrusted certificates count as low under this site's policy.
    let risk = dir.write("risk.toml", "[code_weights]\nCERT_UNTRUSTED = 10\n");
    let risk = risk.display().to_string();
    let healthy = fleet.addr_of("healthy");
    let ssl = fleet.addr_of("healthy-ssl");
    let policy = ["--risk-config", risk.as_str()];
    let old = scan_into(&dir, "old", &[&healthy], "23523", &policy);
    let new = scan_into(&dir, "new", &[&healthy, &ssl], "23523", &policy);

    let out = run(&[
        "diff",
        &old,
        &new,
        "--risk-config",
        &risk,
        "--fail-on",
        "low",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("{ssl}:23523 (none -> low)")),
        "{}",
        stdout(&out)
    );
    assert!(
        !stderr(&out).contains("another risk policy"),
        "{}",
        stderr(&out)
    );

    // Without it, the levels are the built-in ones (the untrusted certificate weighs nothing),
    // and a warning says the runs' reports were scored otherwise.
    let out = run(&["diff", &old, &new, "--fail-on", "low"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("{ssl}:23523 (none -> none)")),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("another risk policy") && stderr(&out).contains(&risk),
        "{}",
        stderr(&out)
    );

    // No earlier run: an error, unless --missing-old-ok says a first night is expected.
    let missing = dir.join("none/results.jsonl").display().to_string();
    let out = run(&["diff", &missing, &new, "--risk-config", &risk]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = run(&[
        "diff",
        &missing,
        &new,
        "--risk-config",
        &risk,
        "--missing-old-ok",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("no earlier run"), "{}", stderr(&out));
}
