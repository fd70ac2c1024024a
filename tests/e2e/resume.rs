//! `scan --resume DIR` continues an interrupted or killed scan: the targets already in
//! `DIR/results.jsonl` are not probed again, the rest are, and the report covers all of them,
//! each exactly once.

use std::collections::HashSet;
use std::net::ToSocketAddrs;

use crate::util::*;

/// The `ip` of every row of `DIR/results.jsonl`, in file order.
fn result_ips(dir: &TestDir) -> Vec<String> {
    read_jsonl(&dir.join("out"))
        .iter()
        .map(|r| r["ip"].as_str().expect("ip").to_string())
        .collect()
}

fn assert_each_once(ips: &[String], expected: usize) {
    let distinct: HashSet<&String> = ips.iter().collect();
    assert_eq!(distinct.len(), ips.len(), "an address appears twice");
    assert_eq!(ips.len(), expected);
}

fn resume(dir: &TestDir, extra: &[&str]) -> std::process::Output {
    let out_dir = dir.out();
    let mut args = vec!["scan", "--resume", &out_dir, "--rate", "20000", "-q"];
    args.extend_from_slice(extra);
    run(&args)
}

/// Starts `scan ARGS -o DIR/out`, waits until `rows` rows are written, stops it with SIGTERM
/// and checks that it exited 143: the first, interrupted run of a resume test.
fn scan_until_stopped(dir: &TestDir, args: &[&str], rows: usize) {
    let mut child = spawn_scan(dir, args);
    wait_for_rows(dir, &mut child, rows);
    terminate(&child);
    assert_eq!(child.wait().expect("wait").code(), Some(143));
}

#[test]
fn an_interrupted_scan_resumes_where_it_stopped_and_keeps_every_row() {
    let dir = TestDir::new();
    // 1024 addresses with no listener at 100 connections a second (over 10 s in all):
    // stopped part way, once 20 rows are in.
    scan_until_stopped(
        &dir,
        &[
            "127.91.40.0/22",
            "-p",
            "23446",
            "--rate",
            "100",
            "--seed",
            "7",
        ],
        20,
    );
    let before = std::fs::read_to_string(dir.join("out/results.jsonl")).expect("results");
    let first = result_ips(&dir);
    assert!(
        !first.is_empty() && first.len() < 1024,
        "{} rows",
        first.len()
    );

    let out = resume(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after = std::fs::read_to_string(dir.join("out/results.jsonl")).expect("results");
    assert!(
        after.starts_with(&before),
        "the first run's rows must be kept as they were"
    );
    let all = result_ips(&dir);
    assert_each_once(&all, 1024);
    let (_, rows) = read_hosts_csv(&dir.join("out"));
    assert_eq!(rows.len(), 1024);
    let summary = read_json(&dir.join("out/summary.json"));
    assert_eq!(summary["scan"]["interrupted"], false, "{summary}");
    assert_eq!(summary["hosts"], 1024);
}

#[test]
fn a_killed_scan_with_lost_and_torn_rows_resumes_to_every_target_once() {
    let dir = TestDir::new();
    scan_ok(
        &dir,
        &["127.91.44.0/24", "-p", "23447,23448", "--rate", "20000"],
    );
    // As a hard kill leaves it: rows missing here and there (probes in flight finish out of
    // order) and the last line cut short.
    let path = dir.join("out/results.jsonl");
    let text = std::fs::read_to_string(&path).expect("results");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 512);
    let kept: Vec<&str> = lines[..300]
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 7 != 3)
        .map(|(_, l)| *l)
        .collect();
    let torn = &lines[300][..lines[300].len() / 2];
    std::fs::write(&path, format!("{}\n{torn}", kept.join("\n"))).expect("write");

    let out = resume(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("cut short"), "{}", stderr(&out));
    let json = read_jsonl(&dir.join("out"));
    let pairs: HashSet<(String, u64)> = json
        .iter()
        .map(|r| (r["ip"].to_string(), r["port"].as_u64().expect("port")))
        .collect();
    assert_eq!(
        pairs.len(),
        json.len(),
        "a (address, port) pair appears twice"
    );
    assert_eq!(json.len(), 512, "256 addresses on 2 ports");
    let (_, rows) = read_hosts_csv(&dir.join("out"));
    assert_eq!(rows.len(), 512);
}

#[test]
fn a_resumed_shard_stays_in_its_shard() {
    let dir = TestDir::new();
    // 85 targets at 10 a second: stopped part way, once 3 rows are in.
    scan_until_stopped(
        &dir,
        &[
            "127.91.46.0/24",
            "-p",
            "23449",
            "--shard",
            "2/3",
            "--rate",
            "10",
        ],
        3,
    );
    let first = result_ips(&dir);
    assert!(
        first.len() < 85,
        "the first run was not partial: {} rows",
        first.len()
    );
    let out = resume(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let resumed = result_ips(&dir);

    let whole = TestDir::new();
    scan_ok(
        &whole,
        &[
            "127.91.46.0/24",
            "-p",
            "23449",
            "--shard",
            "2/3",
            "--rate",
            "20000",
        ],
    );
    let mut expected = result_ips(&whole);
    let mut got = resumed.clone();
    expected.sort();
    got.sort();
    assert_eq!(got, expected, "the resumed shard holds exactly shard 2/3");
    assert_each_once(&resumed, 85);
}

#[test]
fn resume_refuses_new_targets_and_directories_it_did_not_write() {
    let dir = TestDir::new();
    let out = run(&["scan", "--resume", &dir.out(), "127.0.0.1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--resume"), "{}", stderr(&out));

    std::fs::create_dir_all(dir.join("out")).expect("mkdir");
    let out = run(&["scan", "--resume", &dir.out()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("scan.json"), "{}", stderr(&out));

    let out = run(&["scan", "--resume", &dir.out(), "-o", "elsewhere"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--out-dir"), "{}", stderr(&out));
}

#[test]
fn a_resumed_scan_with_a_name_and_an_exclude_holds_each_pair_once() {
    // `localhost` as a name target, only where it resolves to loopback alone (the network
    // rule: tests send nothing elsewhere).
    let loopback_name = ("localhost", 23452)
        .to_socket_addrs()
        .map(|mut addrs| addrs.all(|a| a.ip().is_loopback()))
        .unwrap_or(false);
    let mut targets = vec!["127.91.52.0/24"];
    if loopback_name {
        targets.push("localhost");
    } else {
        eprintln!("localhost does not resolve to loopback only: scanning without a name target");
    }
    let expected = 255 + targets.len() - 1;
    let dir = TestDir::new();
    let mut args = targets.clone();
    args.extend_from_slice(&["-p", "23452", "--exclude", "127.91.52.7", "--rate", "20"]);
    // 256 targets at 20 a second (over 12 s): stopped part way, once 5 rows are in.
    scan_until_stopped(&dir, &args, 5);
    let first = read_jsonl(&dir.join("out")).len();
    assert!(
        first < expected,
        "the first run was not partial: {first} rows"
    );

    let out = resume(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json = read_jsonl(&dir.join("out"));
    let pairs: HashSet<(String, u64)> = json
        .iter()
        .map(|r| {
            let target = r["hostname"]
                .as_str()
                .or(r["ip"].as_str())
                .expect("a target");
            (target.to_string(), r["port"].as_u64().expect("port"))
        })
        .collect();
    assert_eq!(
        pairs.len(),
        json.len(),
        "a (target, port) pair appears twice"
    );
    assert_eq!(json.len(), expected, "{first} rows, then the rest");
    assert!(
        !pairs.contains(&("127.91.52.7".to_string(), 23452)),
        "the excluded address was probed"
    );
    if loopback_name {
        assert!(pairs.contains(&("localhost".to_string(), 23452)));
    }
    let (_, rows) = read_hosts_csv(&dir.join("out"));
    assert_eq!(rows.len(), expected);
}
