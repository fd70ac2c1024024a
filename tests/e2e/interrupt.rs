//! An interrupted scan keeps every row it finished: SIGTERM (docker stop, a cron timeout)
//! stops new probes, lets the ones in flight finish, writes every report marked as partial, and
//! exits 143 (130 for Ctrl-C, SIGINT).

use std::io::ErrorKind;
use std::net::{TcpListener, TcpStream};
use std::process::Child;
use std::time::Duration;

use crate::util::*;

#[test]
fn sigterm_keeps_every_finished_row_marks_the_reports_partial_and_exits_143() {
    let dir = TestDir::new();
    // 4096 addresses with no listener at 40 connections a second: over 100 s to do them all,
    // so the signal, sent once 5 rows are in, stops it part way.
    let mut child = spawn_scan(&dir, &["127.91.0.0/20", "-p", "23421", "--rate", "40"]);
    wait_for_rows(&dir, &mut child, 5);
    terminate(&child);
    let out = wait_with_deadline(&mut child, Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(143), "stderr: {}", stderr(&out));
    assert!(
        stdout(&out).contains("interrupted after"),
        "{}",
        stdout(&out)
    );

    let (_, rows) = read_hosts_csv(&dir.join("out"));
    let json = read_jsonl(&dir.join("out"));
    assert!(!rows.is_empty() && rows.len() < 4096, "{} rows", rows.len());
    assert_eq!(rows.len(), json.len());
    by_ip(&rows); // no address twice
    assert!(rows.iter().all(|r| r["tcp"] == "refused"));
    let summary = read_json(&dir.join("out/summary.json"));
    assert_eq!(summary["scan"]["interrupted"], true, "{summary}");
    assert_eq!(summary["hosts"], rows.len(), "{summary}");
    let html = std::fs::read_to_string(dir.join("out/report.html")).expect("report.html");
    assert!(
        html.contains("id=\"interrupted\""),
        "report.html is not marked partial"
    );

    // Rebuilt from results.jsonl alone, the report still knows (from scan.json) that the scan
    // did not finish, and says how to finish it.
    let results = dir.join("out/results.jsonl").display().to_string();
    let rebuilt = dir.join("rebuilt");
    let out = run(&["report", &results, "-o", &rebuilt.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the report is partial"),
        "{}",
        stderr(&out)
    );
    let summary = read_json(&rebuilt.join("summary.json"));
    assert_eq!(summary["scan"]["interrupted"], true, "{summary}");
    let reason = summary["scan"]["partial"].as_str().expect("partial");
    assert!(
        reason.contains("interrupted") && reason.contains("scan --resume"),
        "{reason}"
    );
    assert_eq!(
        summary["scan"]["ports"],
        serde_json::json!([23421]),
        "{summary}"
    );
}

#[test]
fn a_report_of_a_killed_scan_is_partial() {
    let dir = TestDir::new();
    let mut child = spawn_scan(&dir, &["127.91.32.0/20", "-p", "23424", "--rate", "40"]);
    wait_for_rows(&dir, &mut child, 3);
    // SIGKILL: no handler runs, scan.json still says the scan is running.
    child.kill().expect("kill the scan");
    child.wait().expect("wait for the scan");
    let results = dir.join("out/results.jsonl").display().to_string();
    let out = run(&["report", &results]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary = read_json(&dir.join("out/summary.json"));
    assert_eq!(summary["scan"]["interrupted"], true, "{summary}");
    let reason = summary["scan"]["partial"].as_str().expect("partial");
    assert!(reason.contains("stopped before it finished"), "{reason}");
    let html = std::fs::read_to_string(dir.join("out/report.html")).expect("report.html");
    assert!(html.contains("This report is partial: "), "banner");
}

#[test]
fn an_interrupt_stops_retries_of_the_probes_in_flight() {
    // A silent host (accepts, never answers) played by the test itself, so that it knows when
    // the first attempt is in flight and can count every connection the scan makes.
    let host = TcpListener::bind("127.91.16.1:23422").expect("bind 127.91.16.1:23422");
    let dir = TestDir::new();
    // Without the interrupt this runs 6 attempts of 5 s each.
    let mut child = spawn_scan(
        &dir,
        &[
            "127.91.16.1",
            "-p",
            "23422",
            "--timeout",
            "5s",
            "--retries",
            "5",
            "--stop-grace",
            "30s",
            "-q",
        ],
    );
    let first = accept_within(&host, &mut child, Duration::from_secs(60));
    send_signal(&child, "INT");
    let out = wait_with_deadline(&mut child, Duration::from_secs(30));
    assert_eq!(
        out.status.code(),
        Some(130),
        "Ctrl-C exits 130: {}",
        stderr(&out)
    );
    let json = read_jsonl(&dir.join("out"));
    assert_eq!(json.len(), 1);
    assert_eq!(json[0]["attempts"], 1, "{}", json[0]);
    assert_eq!(json[0]["rdp"], "timeout");
    // The scan has exited: a retry's connection would be waiting in the accept queue.
    host.set_nonblocking(true).expect("nonblocking");
    let again = host.accept();
    assert!(
        matches!(&again, Err(e) if e.kind() == ErrorKind::WouldBlock),
        "a second connection came: {again:?}"
    );
    drop(first);
}

#[test]
fn one_sigterm_ends_the_scan_within_the_stop_grace_and_resume_finishes_it() {
    // With hour-long deadlines, three hosts of the mixed fleet hold their probes for an hour:
    // silent and trickle at X.224 (trickle's Confirm is whole after 18 s, then its TLS stage
    // stalls), tls-stall at TLS. Only the stop grace ends them; the 29 others finish at once.
    let fleet = Fleet::start("127.91.32.0/27", 23427, "mixed");
    let hanging = ["silent", "trickle", "tls-stall"].map(|b| fleet.addr_of(b));
    let dir = TestDir::new();
    let mut child = spawn_scan(
        &dir,
        &[
            "127.91.32.0/27",
            "-p",
            "23427",
            "--timeout",
            "1h",
            "--connect-timeout",
            "1h",
            "--retries",
            "0",
            "--stop-grace",
            "2s",
        ],
    );
    wait_for_rows(&dir, &mut child, 29);
    terminate(&child);
    // Without the grace this would take an hour: the bound only catches a scan that waits
    // for its probes' own deadlines.
    let out = wait_with_deadline(&mut child, Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(143), "stderr: {}", stderr(&out));
    let printed = stdout(&out);
    assert!(
        printed.contains("3 probes still in flight at the stop grace were abandoned"),
        "{printed}"
    );
    let resume = format!("rdpsweep scan --resume {}", dir.out());
    assert!(printed.contains(&resume), "{printed}");
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));

    // The abandoned probes wrote nothing; every finished one is in the partial report.
    let json = read_jsonl(&dir.join("out"));
    assert_eq!(json.len(), 29);
    for addr in &hanging {
        assert!(
            json.iter().all(|row| row["ip"] != addr.as_str()),
            "{addr} was abandoned yet has a row"
        );
    }
    let summary = read_json(&dir.join("out/summary.json"));
    assert_eq!(summary["scan"]["interrupted"], true, "{summary}");
    assert_eq!(summary["hosts"], 29, "{summary}");

    // The resume probes exactly the three abandoned hosts (deadlines may be given anew).
    let out = run(&[
        "scan",
        "--resume",
        &dir.out(),
        "--timeout",
        "1s",
        "--connect-timeout",
        "1s",
        "--retries",
        "0",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let (_, rows) = read_hosts_csv(&dir.join("out"));
    assert_eq!(rows.len(), 32);
    let rows = by_ip(&rows);
    for addr in &hanging {
        assert_eq!(rows[addr]["attempts"], "1", "{:?}", rows[addr]);
    }
    assert_eq!(rows[&hanging[0]]["rdp"], "timeout");
    assert_eq!(rows[&hanging[2]]["tls"], "timeout");
}

/// The first connection to `host`, within `deadline`; fails if the scan exits first.
fn accept_within(host: &TcpListener, child: &mut Child, deadline: Duration) -> TcpStream {
    host.set_nonblocking(true).expect("nonblocking");
    let started = std::time::Instant::now();
    loop {
        match host.accept() {
            Ok((stream, _)) => return stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => panic!("accept: {e}"),
        }
        if let Some(status) = child.try_wait().expect("poll the scan") {
            panic!("the scan exited ({status}) before connecting");
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            panic!("the scan did not connect within {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_with_deadline(child: &mut std::process::Child, deadline: Duration) -> std::process::Output {
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > deadline {
            let _ = child.kill();
            panic!("the scan did not stop within {deadline:?} of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut stdout = String::new();
    let mut stderr = String::new();
    use std::io::Read;
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut stdout);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut stderr);
    }
    std::process::Output {
        status: child.wait().expect("status"),
        stdout: stdout.into_bytes(),
        stderr: stderr.into_bytes(),
    }
}
