//! Targets from files, excludes, host names and the config file, against the fleet.

use crate::util::*;

#[test]
fn input_file_and_excludes_choose_exactly_the_rows() {
    let fleet = Fleet::start("127.90.3.0/28", 23411, "mixed");
    let dir = TestDir::new();
    let file = dir.write(
        "targets.txt",
        "# the first eight, twice over\n127.90.3.0/29\n127.90.3.3   # inside the /29 already\n\n127.90.3.12\n",
    );
    let excludes = dir.write("excludes.txt", "127.90.3.4/31\n");
    let rows = scan_ok(
        &dir,
        &[
            "-i",
            &file.display().to_string(),
            "--exclude-file",
            &excludes.display().to_string(),
            "--exclude",
            "127.90.3.7",
            "-p",
            "23411",
            "--timeout",
            "2s",
        ],
    );
    let mut ips: Vec<String> = by_ip(&rows).into_keys().collect();
    ips.sort();
    assert_eq!(
        ips,
        [
            "127.90.3.0",
            "127.90.3.1",
            "127.90.3.12",
            "127.90.3.2",
            "127.90.3.3",
            "127.90.3.6"
        ]
    );
    assert_eq!(read_jsonl(&dir.join("out")).len(), 6);
    drop(fleet);
}

#[test]
fn several_ports_give_a_row_per_port() {
    let _a = Fleet::start("127.90.4.0/30", 23412, "mixed");
    let dir = TestDir::new();
    // 23413 has no listener anywhere: refused rows.
    let rows = scan_ok(
        &dir,
        &["127.90.4.0/30", "-p", "23412, 23413", "--timeout", "2s"],
    );
    assert_eq!(rows.len(), 8);
    assert_eq!(
        rows.iter()
            .filter(|r| r["port"] == "23413" && r["tcp"] == "refused")
            .count(),
        4
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r["port"] == "23412" && r["tcp"] == "open")
            .count(),
        4
    );
}

#[test]
fn a_host_name_is_resolved_and_kept() {
    let dir = TestDir::new();
    // Nothing listens on 23414: the row is refused, but it is there, with its name.
    let rows = scan_ok(&dir, &["localhost", "-p", "23414"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["hostname"], "localhost");
    assert!(
        ["127.0.0.1", "::1"].contains(&rows[0]["ip"].as_str()),
        "{:?}",
        rows[0]
    );
    assert_eq!(rows[0]["tcp"], "refused");
}

#[test]
fn config_file_settings_apply_and_flags_win() {
    let fleet = Fleet::start("127.90.5.0/29", 23415, "mixed");
    let dir = TestDir::new();
    let config = dir.write(
        "rdpsweep.toml",
        &format!("targets = [\"{}\"]\nports = [23416]\ntimeout = \"2s\"\nretries = 0\nout_dir = \"{}\"\n", fleet.addr_of("healthy"), dir.out()),
    );
    // The file says port 23416 (nothing there); the flag says 23415, and the flag wins.
    let out = run(&[
        "scan",
        "--config",
        &config.display().to_string(),
        "-p",
        "23415",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, rows) = read_hosts_csv(&dir.join("out"));
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0]["port"].as_str(), rows[0]["tls"].as_str()),
        ("23415", "ok")
    );
}

#[test]
fn excludes_from_flags_and_config_add_up_and_ports_count_once() {
    let _fleet = Fleet::start("127.90.6.0/29", 23417, "mixed");
    let dir = TestDir::new();
    let config = dir.write(
        "c.toml",
        "targets = [\"127.90.6.0/29\"]\nexclude = [\"127.90.6.0/30\"]\n",
    );
    let rows = scan_ok(
        &dir,
        &[
            "--config",
            &config.display().to_string(),
            "--exclude",
            "127.90.6.7",
            "-p",
            "23417, 23417",
            "--timeout",
            "2s",
        ],
    );
    let mut ips: Vec<String> = by_ip(&rows).into_keys().collect();
    ips.sort();
    // The file excludes .0-.3, the flag excludes .7: both hold; 23417 twice is one port.
    assert_eq!(ips, ["127.90.6.4", "127.90.6.5", "127.90.6.6"]);
}

#[test]
fn command_line_targets_replace_the_config_files_targets_and_input_files() {
    let dir = TestDir::new();
    let list = dir.write("fleet.txt", "127.90.7.0/28\n");
    let config = dir.write(
        "c.toml",
        &format!(
            "targets = [\"127.90.7.0/24\"]\ninput_files = [\"{}\"]\n",
            list.display()
        ),
    );
    // Nothing listens on 23418: refused rows, but only for the one target given.
    let rows = scan_ok(
        &dir,
        &[
            "--config",
            &config.display().to_string(),
            "127.90.7.9",
            "-p",
            "23418",
        ],
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["ip"], "127.90.7.9");
}
