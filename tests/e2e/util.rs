//! A tiny harness: run the real `rdpsweep` binary, start a simulated fleet as a child process,
//! and read the report files back. Every address used is on loopback.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub fn rdpsweep() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rdpsweep"));
    cmd.env_remove("RUST_LOG");
    cmd
}

/// Runs `rdpsweep ARGS` and returns its output.
pub fn run(args: &[&str]) -> Output {
    rdpsweep().args(args).output().expect("run rdpsweep")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A `rdpsweep simulate` child serving `range` on `port`; killed on drop.
pub struct Fleet {
    child: Child,
    /// Every address of the range and the behaviour it plays, as the fleet itself lists them.
    pub hosts: Vec<(String, String)>,
    /// The fleet's CA certificate (PEM), written by `simulate --ca-out`, for `scan --ca-file`.
    pub ca: String,
    /// Holds the CA file.
    _dir: TestDir,
}

impl Fleet {
    pub fn start(range: &str, port: u16, profile: &str) -> Fleet {
        Fleet::start_with(range, port, profile, &[])
    }

    /// As [`Fleet::start`], with more `simulate` arguments (e.g. `--stats FILE`).
    pub fn start_with(range: &str, port: u16, profile: &str, extra: &[&str]) -> Fleet {
        let dir = TestDir::new();
        let ca = dir.join("fleet-ca.pem").display().to_string();
        let mut child = rdpsweep()
            .args([
                "simulate",
                "--range",
                range,
                "--port",
                &port.to_string(),
                "--profile",
                profile,
                "--list",
                "--quiet",
                "--ca-out",
                &ca,
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start rdpsweep simulate");
        let mut lines = BufReader::new(child.stdout.take().expect("fleet stdout")).lines();
        let mut hosts = Vec::new();
        loop {
            let line = match lines.next() {
                Some(Ok(line)) => line,
                _ => {
                    let _ = child.kill();
                    panic!("the simulated fleet on {range} port {port} exited before it was ready");
                }
            };
            if line.starts_with("fleet ready") {
                break;
            }
            let mut parts = line.split_whitespace();
            if let (Some(addr), Some(behaviour)) = (parts.next(), parts.next()) {
                hosts.push((addr.to_string(), behaviour.to_string()));
            }
        }
        Fleet {
            child,
            hosts,
            ca,
            _dir: dir,
        }
    }

    /// The address that plays `behaviour` (the first, if several do).
    pub fn addr_of(&self, behaviour: &str) -> String {
        self.hosts
            .iter()
            .find(|(_, b)| b == behaviour)
            .map(|(a, _)| a.clone())
            .unwrap_or_else(|| panic!("no host plays {behaviour}: {:?}", self.hosts))
    }
}

impl Fleet {
    /// Stops the fleet with SIGTERM, as an operator would, and waits until it has exited
    /// (having written its `--stats` file, if asked to).
    pub fn stop(mut self) {
        terminate(&self.child);
        let status = self.child.wait().expect("wait for the fleet");
        assert_eq!(status.code(), Some(0), "the fleet exits 0 on SIGTERM");
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary directory removed on drop.
pub struct TestDir {
    dir: tempfile::TempDir,
}

impl TestDir {
    pub fn new() -> TestDir {
        TestDir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, text).expect("write test file");
        path
    }

    pub fn out(&self) -> String {
        self.join("out").display().to_string()
    }
}

/// One `hosts.csv` row by column name.
pub type Row = HashMap<String, String>;

/// Reads `DIR/hosts.csv`: the header, and every row by column name.
pub fn read_hosts_csv(dir: &Path) -> (Vec<String>, Vec<Row>) {
    read_csv(&dir.join("hosts.csv"))
}

/// Reads any CSV file: the header, and every row by column name.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Row>) {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let header: Vec<String> = reader
        .headers()
        .expect("csv header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let record = r.expect("csv row");
            header
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_string))
                .collect()
        })
        .collect();
    (header, rows)
}

/// Reads `DIR/results.jsonl`, one JSON value per line.
pub fn read_jsonl(dir: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("results.jsonl")).expect("read results.jsonl");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad json line {l:?}: {e}")))
        .collect()
}

/// Reads one JSON file (`summary.json`).
pub fn read_json(path: &Path) -> serde_json::Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Rows keyed by their `ip` column; panics if an ip appears twice.
pub fn by_ip(rows: &[Row]) -> HashMap<String, Row> {
    let mut map = HashMap::new();
    for row in rows {
        let ip = row["ip"].clone();
        assert!(
            map.insert(ip.clone(), row.clone()).is_none(),
            "{ip} appears twice"
        );
    }
    map
}

/// Runs `rdpsweep scan ARGS -o DIR/out -q`, asserts it exits 0, and returns the `hosts.csv` rows.
pub fn scan_ok(dir: &TestDir, args: &[&str]) -> Vec<Row> {
    let out_dir = dir.out();
    let mut full = vec!["scan"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["-o", &out_dir, "-q"]);
    let out = run(&full);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{full:?}: stderr {}",
        stderr(&out)
    );
    read_hosts_csv(&dir.join("out")).1
}

/// Starts `rdpsweep scan ARGS -o DIR/out` with its output piped, to be signalled.
pub fn spawn_scan(dir: &TestDir, args: &[&str]) -> Child {
    rdpsweep()
        .arg("scan")
        .args(args)
        .args(["-o", &dir.out()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rdpsweep scan")
}

/// How long [`wait_for_rows`] waits at most: generous, for a loaded CI machine.
pub const ROWS_DEADLINE: Duration = Duration::from_secs(60);

/// Waits until the scan `child` (started by [`spawn_scan`]) has written at least `rows`
/// complete lines to `DIR/out/results.jsonl`, so a signal sent next finds the scan under way
/// (its signal handlers installed, rows written). Fails with a clear message when the scan
/// exits first or [`ROWS_DEADLINE`] passes; returns how many lines there were.
pub fn wait_for_rows(dir: &TestDir, child: &mut Child, rows: usize) -> usize {
    let path = dir.join("out/results.jsonl");
    let started = Instant::now();
    loop {
        let lines = std::fs::read(&path)
            .map(|bytes| bytes.iter().filter(|&&b| b == b'\n').count())
            .unwrap_or(0);
        if lines >= rows {
            return lines;
        }
        if let Some(status) = child.try_wait().expect("poll the scan") {
            panic!(
                "the scan exited ({status}) with {lines} rows in {}, before the {rows} awaited",
                path.display()
            );
        }
        if started.elapsed() > ROWS_DEADLINE {
            let _ = child.kill();
            panic!(
                "{} held {lines} rows after {ROWS_DEADLINE:?}, not the {rows} awaited",
                path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends SIGTERM, as `docker stop` or a cron timeout would.
pub fn terminate(child: &Child) {
    send_signal(child, "TERM");
}

/// Sends the signal named `name` (`INT`, `TERM`) to the child.
pub fn send_signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{name} {}", child.id());
}
