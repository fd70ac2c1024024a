//! The shipped cron lines (configs/cron/rdpsweep.cron) alert exactly when they should. Cron
//! ignores exit codes and mails whatever a job prints, so a good night must print nothing and a
//! bad one must print why. The lines run as cron runs them (`sh -c`), with `docker run ...
//! rdpsweep` replaced by the built binary and the container's paths moved under a temporary
//! directory; `nightly.toml` and `risk.toml` are the shipped files, localised the same way.
//! Port 23520, range 127.97.1.0/28; the interrupted night uses port 23524, 127.97.5.0/28.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::*;

fn configs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs")
}

/// The commands of the cron file's job lines, in order (what follows the user field).
fn cron_jobs(cron: &str) -> Vec<String> {
    cron.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit() || c == '*'))
        .map(|l| {
            let at = l.find(" root ").expect("a job line runs as root");
            l[at + " root ".len()..].to_string()
        })
        .collect()
}

/// A job's command as it would run on the night `today` after `yesterday`: the crontab's `\%`
/// unescaped, the dates filled in, the image (`docker run ... rdpsweep`) replaced by the built
/// binary, and the container's `/data` and `/etc/rdpsweep` moved under `root`.
fn localise(command: &str, root: &Path, yesterday: &str, today: &str) -> String {
    let command = command
        .replace("\\%", "%")
        .replace("$(date -d yesterday +%F)", yesterday)
        .replace("$(date +%F)", today);
    let tokens: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(&tokens[..2], ["docker", "run"], "{command}");
    let image = tokens
        .iter()
        .position(|t| *t == "rdpsweep")
        .expect("the image name");
    let args = tokens[image + 1..].join(" ");
    format!("{} {args}", env!("CARGO_BIN_EXE_rdpsweep"))
        .replace("/data", &root.join("data").display().to_string())
        .replace("/etc/rdpsweep", &root.join("etc").display().to_string())
}

/// What cron would mail (stdout and stderr) and the exit code cron ignores.
fn run_job(command: &str) -> (String, Option<i32>) {
    let out = Command::new("sh")
        .args(["-c", command])
        .env_remove("RUST_LOG")
        .output()
        .expect("sh");
    (stdout(&out) + &stderr(&out), out.status.code())
}

#[test]
fn the_cron_lines_mail_only_on_a_bad_night_and_the_first_diff_says_so_once() {
    let fleet = Fleet::start("127.97.1.0/28", 23520, "mixed");
    let dir = TestDir::new();
    let root = dir.join("srv");
    std::fs::create_dir_all(root.join("data")).expect("mkdir");
    std::fs::create_dir_all(root.join("etc")).expect("mkdir");
    let localised = |text: &str| {
        text.replace("/data", &root.join("data").display().to_string())
            .replace("/etc/rdpsweep", &root.join("etc").display().to_string())
    };
    let nightly = std::fs::read_to_string(configs().join("nightly.toml")).expect("nightly.toml");
    let nightly = localised(&nightly).replace("ports = [3389]", "ports = [23520]");
    assert!(nightly.contains("ports = [23520]"), "never port 3389");
    std::fs::write(root.join("etc/nightly.toml"), nightly).expect("write");
    // A custom risk policy, as a site would have: untrusted certificates count as low. The
    // diff must score with it too, or its levels are not the reports'.
    let risk = std::fs::read_to_string(configs().join("risk.toml")).expect("risk.toml");
    let risk = risk.replacen(
        "[code_weights]\n",
        "[code_weights]\nCERT_UNTRUSTED = 10\n",
        1,
    );
    assert!(risk.contains("CERT_UNTRUSTED = 10"));
    std::fs::write(root.join("etc/risk.toml"), risk).expect("write");
    std::fs::write(root.join("data/never-scan.txt"), "# nothing excluded\n").expect("write");

    let cron = std::fs::read_to_string(configs().join("cron/rdpsweep.cron")).expect("cron");
    assert!(
        cron.lines().any(|l| l.starts_with("MAILTO=")),
        "cron mails to MAILTO"
    );
    let jobs = cron_jobs(&cron);
    assert_eq!(jobs.len(), 2, "the scan and the morning diff: {jobs:?}");
    let (scan, diff) = (&jobs[0], &jobs[1]);
    let fleet_file = |hosts: &[String]| {
        std::fs::write(root.join("data/fleet.txt"), hosts.join("\n") + "\n").expect("fleet")
    };
    let good = vec![fleet.addr_of("healthy"), fleet.addr_of("healthy-ssl")];

    // The first night: the scan mails nothing; the diff has no night before and says so once.
    fleet_file(&good);
    let (mail, code) = run_job(&localise(scan, &root, "2026-11-19", "2026-11-20"));
    assert_eq!((mail.as_str(), code), ("", Some(0)), "first night's scan");
    let (_, rows) = read_hosts_csv(&root.join("data/2026-11-20"));
    assert!(
        rows.iter().all(|r| r["risk_level"] == "low"),
        "the custom policy: {rows:?}"
    );
    let (mail, code) = run_job(&localise(diff, &root, "2026-11-19", "2026-11-20"));
    assert_eq!(code, Some(0), "{mail}");
    assert_eq!(mail.lines().count(), 1, "one line: {mail}");
    assert!(
        mail.contains("no earlier run") && mail.contains("2026-11-19"),
        "{mail}"
    );

    // A good night: nothing at all to mail, from either job.
    let (mail, code) = run_job(&localise(scan, &root, "2026-11-20", "2026-11-21"));
    assert_eq!((mail.as_str(), code), ("", Some(0)), "good night's scan");
    let diff_tonight = localise(diff, &root, "2026-11-20", "2026-11-21");
    let (mail, code) = run_job(&diff_tonight);
    assert_eq!((mail.as_str(), code), ("", Some(0)), "good night's diff");
    assert!(root.join("data/2026-11-21/diff/diff.txt").is_file());
    // Without the scan's risk config the diff would compare other levels: it says so.
    let without_policy = diff_tonight.replace(
        &format!("--risk-config {}", root.join("etc/risk.toml").display()),
        "",
    );
    assert_ne!(
        without_policy, diff_tonight,
        "the line passes --risk-config"
    );
    let (mail, _) = run_job(&without_policy);
    assert!(mail.contains("another risk policy"), "{mail}");

    // A bad night: a host at high risk joins the fleet; both jobs mail why.
    let failing = fleet.addr_of("neg-failure-3");
    fleet_file(&[good.clone(), vec![failing.clone()]].concat());
    let (mail, code) = run_job(&localise(scan, &root, "2026-11-21", "2026-11-22"));
    assert_eq!(code, Some(3), "{mail}");
    assert!(
        mail.contains("hosts at the --fail-on level or worse") && mail.contains("report.html"),
        "{mail}"
    );
    let (mail, code) = run_job(&localise(diff, &root, "2026-11-21", "2026-11-22"));
    assert_eq!(code, Some(3), "{mail}");
    assert_eq!(mail.lines().count(), 1, "one line: {mail}");
    assert!(
        mail.contains(&format!("{failing}:23520 (+NEG_SSL_CERT_NOT_ON_SERVER"))
            && mail.contains("diff.txt"),
        "{mail}"
    );
}

#[test]
fn a_quiet_night_cut_short_says_so_and_how_to_finish() {
    let fleet = Fleet::start("127.97.5.0/28", 23524, "mixed");
    let dir = TestDir::new();
    let healthy = fleet.addr_of("healthy");
    let silent = fleet.addr_of("silent");
    let mut child = spawn_scan(
        &dir,
        &[
            &healthy,
            &silent,
            "-p",
            "23524",
            "--timeout",
            "30s",
            "--retries",
            "0",
            "--stop-grace",
            "2s",
            "-q",
        ],
    );
    wait_for_rows(&dir, &mut child, 1);
    terminate(&child);
    let out = child.wait_with_output().expect("scan");
    assert_eq!(out.status.code(), Some(143), "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "-q: {}", stdout(&out));
    let said = stderr(&out);
    assert!(
        said.contains("interrupted")
            && said.contains(&format!("rdpsweep scan --resume {}", dir.out())),
        "{said}"
    );
}
