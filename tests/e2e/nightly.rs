//! A nightly job that never lies: a night that checked nothing fails, a fleet that answers far
//! less than expected fails with its own code, the metrics keep the last good night, `-q` is
//! silent when all is well, and the target list can come from a pipe. Ports 23490-23499,
//! ranges 127.94.x.y.

use std::io::Write;
use std::process::Stdio;

use crate::util::*;

/// Runs `rdpsweep ARGS` in a network namespace of its own with no interface up (so no connect
/// can leave this machine); `None` where namespaces cannot be made here (then the test says
/// so, and fails under CI, which must run it).
fn run_without_network(args: &[&str]) -> Option<std::process::Output> {
    let out = std::process::Command::new("unshare")
        .arg("-n")
        .arg(env!("CARGO_BIN_EXE_rdpsweep"))
        .args(args)
        .env_remove("RUST_LOG")
        .output();
    match out {
        Ok(out) if !String::from_utf8_lossy(&out.stderr).contains("unshare:") => Some(out),
        other => {
            let why = match other {
                Ok(out) => String::from_utf8_lossy(&out.stderr).into_owned(),
                Err(e) => e.to_string(),
            };
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI must run the no-network test, but unshare -n failed: {why}"
            );
            eprintln!("skipped: no network namespace here (unshare -n: {why})");
            None
        }
    }
}

fn metric(text: &str, name: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .map(str::to_string)
}

#[test]
fn a_night_that_reached_nothing_fails_and_keeps_the_last_good_nights_metrics() {
    let dir = TestDir::new();
    let prom = dir.join("rdpsweep.prom");
    let prom_arg = prom.display().to_string();
    // A good night: nothing listens on 23490, so four refusals (an answer: the network works).
    scan_ok(
        &dir,
        &["127.94.1.0/30", "-p", "23490", "--metrics", &prom_arg],
    );
    let good = std::fs::read_to_string(&prom).expect("metrics");
    let last = metric(&good, "rdpsweep_last_success_timestamp_seconds").expect("a success time");
    assert_eq!(metric(&good, "rdpsweep_hosts_open").as_deref(), Some("0"));

    // A night without a network: every connect fails on this machine.
    let bad = dir.join("bad").display().to_string();
    let Some(out) = run_without_network(&[
        "scan",
        "127.94.1.0/28",
        "-p",
        "23490",
        "--fail-on",
        "high",
        "--metrics",
        &prom_arg,
        "-o",
        &bad,
        "-q",
    ]) else {
        return;
    };
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    assert!(
        stderr(&out).contains("no target answered"),
        "{}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(&prom).expect("metrics");
    assert_eq!(metric(&text, "rdpsweep_targets").as_deref(), Some("16"));
    assert_eq!(
        metric(&text, "rdpsweep_last_success_timestamp_seconds"),
        Some(last),
        "a failed night must keep the last success time: {text}"
    );
}

#[test]
fn fewer_open_hosts_than_expected_exits_4_and_is_no_success() {
    // The first 8 behaviours of the mixed fleet: every one accepts TCP.
    let _fleet = Fleet::start("127.94.2.0/29", 23491, "mixed");
    let dir = TestDir::new();
    let prom = dir.join("rdpsweep.prom").display().to_string();
    let scan = |expect: &str| {
        run(&[
            "scan",
            "127.94.2.0/29",
            "-p",
            "23491",
            "--retries",
            "0",
            "--expect-open",
            expect,
            "--metrics",
            &prom,
            "-o",
            &dir.out(),
            "-q",
        ])
    };
    let out = scan("9");
    assert_eq!(out.status.code(), Some(4), "stderr: {}", stderr(&out));
    assert!(
        stderr(&out).contains("only 8 hosts answered TCP, fewer than --expect-open 9"),
        "{}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(&prom).expect("metrics");
    assert_eq!(metric(&text, "rdpsweep_hosts_open").as_deref(), Some("8"));
    assert_eq!(
        metric(&text, "rdpsweep_last_success_timestamp_seconds"),
        None,
        "{text}"
    );
    let out = scan("8");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert!(
        stdout(&out).is_empty() && stderr(&out).is_empty(),
        "-q prints nothing on a good night: {:?} {:?}",
        stdout(&out),
        stderr(&out)
    );
    let text = std::fs::read_to_string(&prom).expect("metrics");
    assert!(metric(&text, "rdpsweep_last_success_timestamp_seconds").is_some());
}

#[test]
fn quiet_says_why_the_exit_code_is_not_zero() {
    // 127.94.4.2 plays cert-expired: a host at risk.
    let _fleet = Fleet::start("127.94.4.0/30", 23493, "mixed");
    let dir = TestDir::new();
    let out = run(&[
        "scan",
        "127.94.4.0/30",
        "-p",
        "23493",
        "--fail-on",
        "medium",
        "-o",
        &dir.out(),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(3), "stderr: {}", stderr(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("hosts at the --fail-on level or worse")
            && stderr(&out).contains("report.html"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn targets_piped_in_are_kept_for_the_resume() {
    let dir = TestDir::new();
    // Nothing listens on 23492: refusals. A range and an address, from standard input.
    let mut child = rdpsweep()
        .args(["scan", "-i", "-", "-p", "23492", "-o", &dir.out(), "-q"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rdpsweep scan");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"# from zmap\n127.94.3.1-127.94.3.3\n127.94.3.9\n")
        .expect("write targets");
    let out = child.wait_with_output().expect("scan");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let (_, rows) = read_hosts_csv(&dir.join("out"));
    let mut ips: Vec<String> = rows.iter().map(|r| r["ip"].clone()).collect();
    ips.sort();
    assert_eq!(
        ips,
        ["127.94.3.1", "127.94.3.2", "127.94.3.3", "127.94.3.9"]
    );
    let saved = dir.join("out/targets-stdin.txt");
    let plan = read_json(&dir.join("out/scan.json"));
    assert_eq!(
        plan["input_files"][0],
        saved.display().to_string(),
        "{plan}"
    );
    // The resume reads the saved list again: nothing is left to do.
    let out = run(&["scan", "--resume", &dir.out(), "-q"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert_eq!(read_jsonl(&dir.join("out")).len(), 4);
}

#[test]
fn an_empty_fleet_file_or_a_never_ending_space_is_refused_up_front() {
    let dir = TestDir::new();
    let empty = dir.write("fleet.txt", "# truncated by a failed export\n");
    let out = run(&["scan", "-i", &empty.display().to_string(), "-o", &dir.out()]);
    assert_eq!(out.status.code(), Some(2), "stderr: {}", stderr(&out));
    assert!(
        stderr(&out).contains("no targets to scan") && stderr(&out).contains("fleet.txt"),
        "{}",
        stderr(&out)
    );
    // fd00::/64 is input text only: refused before anything is sent.
    let out = run(&["scan", "fd00::/64", "-o", &dir.out()]);
    assert_eq!(out.status.code(), Some(2), "stderr: {}", stderr(&out));
    assert!(
        stderr(&out).contains("18446744073709551616 probes, more than --max-targets"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join("out").exists(), "nothing was started");
    let out = run(&["scan", "::/0", "--dry-run"]);
    assert!(
        stdout(&out).contains("340282366920938463463374607431768211456 targets"),
        "{}",
        stdout(&out)
    );
}
