//! Nightly-operations features: `--dry-run`, `--metrics`, `--log-format json`.

use crate::util::*;

#[test]
fn dry_run_counts_a_slash_8_and_sends_nothing() {
    let dir = TestDir::new();
    // 10.0.0.0/8 is input text only: a dry run resolves, probes and writes nothing.
    let out = run(&[
        "scan",
        "10.0.0.0/8",
        "-p",
        "3389,3390",
        "--dry-run",
        "-o",
        &dir.out(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("16777216 targets x 2 ports = 33554432 probes"),
        "{}",
        stdout(&out)
    );
    assert!(!dir.join("out").exists(), "a dry run writes no report");
}

#[test]
fn metrics_file_holds_the_scans_counts() {
    let dir = TestDir::new();
    // The textfile directory does not exist yet (a first night): the scan creates it.
    let prom = dir.join("textfile").join("rdpsweep.prom");
    // Nothing listens on 23431: four refused hosts.
    scan_ok(
        &dir,
        &[
            "127.93.4.0/30",
            "-p",
            "23431",
            "--metrics",
            &prom.display().to_string(),
        ],
    );
    let text = std::fs::read_to_string(&prom).expect("metrics file");
    assert!(text.contains("rdpsweep_targets 4\n"), "{text}");
    assert!(
        text.contains("rdpsweep_hosts_by_status{status=\"tcp=refused\"} 4\n"),
        "{text}"
    );
    assert!(
        text.contains("rdpsweep_hosts_by_level{level=\"none\"} 4\n"),
        "{text}"
    );
    assert!(text.contains("rdpsweep_scan_interrupted 0\n"), "{text}");
    assert!(
        text.contains("rdpsweep_last_success_timestamp_seconds "),
        "{text}"
    );
}

#[test]
fn json_logs_are_one_object_per_line() {
    let dir = TestDir::new();
    let out = run(&[
        "scan",
        "127.93.5.0/30",
        "-p",
        "23432",
        "--log-format",
        "json",
        "-o",
        &dir.out(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let logs = stderr(&out);
    let lines: Vec<&str> = logs.lines().collect();
    assert!(!lines.is_empty());
    let events = json_lines(&logs);
    let event = |message: &str| {
        events
            .iter()
            .find(|e| e["message"] == message)
            .unwrap_or_else(|| panic!("no {message:?} event in {logs}"))
            .clone()
    };
    // Numbers are numbers.
    let started = event("scan started");
    assert_eq!(started["targets"], 4, "{started}");
    assert_eq!(started["ports"], "23432", "{started}");
    // The summary line's content, as an event with typed fields.
    let finished = event("scan finished");
    assert_eq!(finished["hosts"], 4, "{finished}");
    assert_eq!(finished["open"], 0, "{finished}");
    assert_eq!(finished["interrupted"], false, "{finished}");
    assert!(finished["duration_s"].is_number(), "{finished}");
}

/// Every stderr line as a JSON object with a level and a message.
fn json_lines(logs: &str) -> Vec<serde_json::Value> {
    let lines: Vec<&str> = logs.lines().collect();
    assert!(!lines.is_empty(), "no log line");
    lines
        .into_iter()
        .map(|line| {
            let value: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
            assert!(
                value["level"].is_string() && value["message"].is_string(),
                "{line}"
            );
            value
        })
        .collect()
}

#[test]
fn json_logs_hold_errors_too() {
    // A bad value, found by rdpsweep: one ERROR event naming it, with the exit code.
    let out = run(&["scan", "10.0.0.0/33", "--log-format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let events = json_lines(&stderr(&out));
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["level"], "ERROR");
    assert_eq!(events[0]["exit_code"], 2);
    assert_eq!(events[0]["kind"], "usage");
    assert!(events[0]["message"]
        .as_str()
        .unwrap()
        .contains("10.0.0.0/33"));
    // A command line clap refuses, whichever side of it the flag is on.
    for args in [
        &["--log-format", "json", "scan", "--no-such-flag"][..],
        &["scan", "--no-such-flag", "--log-format=json"][..],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let events = json_lines(&stderr(&out));
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["level"], "ERROR");
        assert!(
            events[0]["message"]
                .as_str()
                .unwrap()
                .contains("--no-such-flag"),
            "{events:?}"
        );
    }
    // Text stays text.
    let out = run(&["scan", "10.0.0.0/33"]);
    assert!(
        stderr(&out).starts_with("rdpsweep: error: "),
        "{}",
        stderr(&out)
    );
}

/// The addresses of `DIR/out/results.jsonl`, in the order they were written.
fn written_order(dir: &TestDir) -> Vec<String> {
    read_jsonl(&dir.join("out"))
        .iter()
        .map(|j| j["ip"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn three_shards_cover_every_target_exactly_once_and_merge_into_one_report() {
    // Nothing listens on 23433: every row is refused, fast.
    let dirs: Vec<TestDir> = (0..3).map(|_| TestDir::new()).collect();
    let mut union = Vec::new();
    for (dir, shard) in dirs.iter().zip(["1/3", "2/3", "3/3"]) {
        let rows = scan_ok(
            dir,
            &[
                "127.93.6.0/27",
                "-p",
                "23433",
                "--shard",
                shard,
                "--seed",
                "7",
            ],
        );
        assert!(
            (10..=11).contains(&rows.len()),
            "shard {shard}: {} rows",
            rows.len()
        );
        union.extend(rows.into_iter().map(|r| r["ip"].clone()));
    }
    let ascending =
        |ips: &mut Vec<String>| ips.sort_by_key(|ip| ip.parse::<std::net::IpAddr>().unwrap());
    ascending(&mut union);
    let every: Vec<String> = (0..32).map(|i| format!("127.93.6.{i}")).collect();
    assert_eq!(union, every);

    let merged = TestDir::new();
    let shard_dirs: Vec<String> = dirs.iter().map(|d| d.out()).collect();
    let mut args = vec!["merge"];
    args.extend(shard_dirs.iter().map(String::as_str));
    let out_dir = merged.out();
    args.extend(["-o", &out_dir]);
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("ranked 32 hosts"), "{}", stdout(&out));
    let (_, rows) = read_hosts_csv(&merged.join("out"));
    let mut ips: Vec<String> = rows.into_iter().map(|r| r["ip"].clone()).collect();
    ascending(&mut ips);
    assert_eq!(ips, every);
    assert_eq!(read_jsonl(&merged.join("out")).len(), 32);
    let summary = read_json(&merged.join("out").join("summary.json"));
    assert_eq!(summary["scan"]["interrupted"], false, "{summary}");
    assert!(summary["scan"].get("partial").is_none(), "{summary}");

    // What is not the whole of one finished sweep is refused, naming it...
    let merge = |dirs: &[&str], extra: &[&str]| {
        let out_dir = TestDir::new();
        let out = out_dir.out();
        let mut args = vec!["merge"];
        args.extend_from_slice(dirs);
        args.extend_from_slice(&["-o", &out]);
        args.extend_from_slice(extra);
        (run(&args), out_dir)
    };
    let (one, two, three) = (&shard_dirs[0], &shard_dirs[1], &shard_dirs[2]);
    let (out, _) = merge(&[one, three], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("shards 2/3 are missing"),
        "{}",
        stderr(&out)
    );
    let (out, _) = merge(&[one, two, three, two], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!("shard 2 is given twice: {two} and {two}")),
        "{}",
        stderr(&out)
    );
    let foreign = TestDir::new();
    scan_ok(
        &foreign,
        &[
            "127.93.8.0/27",
            "-p",
            "23433",
            "--shard",
            "2/3",
            "--seed",
            "7",
        ],
    );
    let (out, _) = merge(&[one, &foreign.out(), three], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!("{} is not a shard of the sweep", foreign.out()))
            && stderr(&out).contains("its targets differ"),
        "{}",
        stderr(&out)
    );
    let plan_path = dirs[1].join("out").join("scan.json");
    let plan = std::fs::read_to_string(&plan_path).unwrap();
    assert!(plan.contains("\"state\": \"complete\""), "{plan}");
    std::fs::write(&plan_path, plan.replace("\"complete\"", "\"interrupted\"")).unwrap();
    let (out, _) = merge(&[one, two, three], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!("the scan in {two} was interrupted")),
        "{}",
        stderr(&out)
    );
    std::fs::write(&plan_path, &plan).unwrap();

    // ...unless --partial: then the report says it is partial and names what is missing, and
    // a target two inputs hold is written once.
    let (out, partial) = merge(&[one, three, one], &["--partial"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("(partial)"), "{}", stdout(&out));
    let summary = read_json(&partial.join("out").join("summary.json"));
    assert_eq!(summary["scan"]["interrupted"], true, "{summary}");
    let reason = summary["scan"]["partial"].as_str().unwrap();
    assert!(reason.contains("shards 2/3 are missing"), "{reason}");
    let expected = read_jsonl(&dirs[0].join("out")).len() + read_jsonl(&dirs[2].join("out")).len();
    assert_eq!(
        read_jsonl(&partial.join("out")).len(),
        expected,
        "each target once"
    );
    assert_eq!(read_hosts_csv(&partial.join("out")).1.len(), expected);
    let html = std::fs::read_to_string(partial.join("out").join("report.html")).unwrap();
    assert!(
        html.contains("This report is partial: ") && html.contains("2/3"),
        "banner"
    );
}

#[test]
fn targets_are_visited_in_a_seeded_reproducible_order() {
    // One probe at a time, so results.jsonl is written in visit order.
    let scan = |seed: &str| {
        let dir = TestDir::new();
        scan_ok(
            &dir,
            &[
                "127.93.7.0/26",
                "-p",
                "23434",
                "--concurrency",
                "1",
                "--seed",
                seed,
            ],
        );
        written_order(&dir)
    };
    let first = scan("1");
    assert_eq!(first.len(), 64);
    let mut ascending = first.clone();
    ascending.sort_by_key(|ip| ip.parse::<std::net::IpAddr>().unwrap());
    assert_ne!(first, ascending, "the order is shuffled");
    assert_eq!(scan("1"), first, "the same seed gives the same order");
    assert_ne!(scan("2"), first, "another seed gives another order");
}
