//! What the suite needs on the machine. When something is missing, a test prints one line
//! saying what and how to install it, and passes; under `CI=true` a skipped test fails instead.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How to get every program the suite uses; `.ci/run` does exactly this.
pub const INSTALL: &str = "apt-get install xrdp freerdp2-shadow-x11 freerdp2-x11 weston xvfb \
                           openssl winpr-utils (.ci/run installs them)";

/// xrdp refuses `--nodaemon` while this file exists (a running daemon, or a stale file).
const XRDP_PID_FILE: &str = "/var/run/xrdp/xrdp.pid";
/// xrdp's Standard RDP Security key: a fixed path, readable by root and the `xrdp` user only.
const XRDP_RSA_KEYS: &str = "/etc/xrdp/rsakeys.ini";
/// The packaged configuration each xrdp instance starts from.
pub const XRDP_INI: &str = "/etc/xrdp/xrdp.ini";

/// The programs a test uses, by name, resolved to paths.
pub struct Programs(HashMap<&'static str, PathBuf>);

impl Programs {
    pub fn path(&self, name: &str) -> &Path {
        self.0
            .get(name)
            .unwrap_or_else(|| panic!("{name} was not among the programs required"))
    }
}

/// Resolves `programs` (and, when xrdp is among them, checks that it can start). `None` after
/// printing why when the test must be skipped; panics instead under `CI=true`.
pub fn require(test: &str, programs: &[&'static str]) -> Option<Programs> {
    let mut found = HashMap::new();
    let mut missing = Vec::new();
    for &name in programs {
        match find(name) {
            Some(path) => {
                found.insert(name, path);
            }
            None => missing.push(format!("{name} not found")),
        }
    }
    if found.contains_key("xrdp") {
        missing.extend(xrdp_blockers());
    }
    if missing.is_empty() {
        return Some(Programs(found));
    }
    let line = format!(
        "interop: {test} skipped: {}; install: {INSTALL}",
        missing.join(", ")
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{line}; CI=true: the interop suite must not be skipped in CI");
    }
    // Straight to stderr, past the test harness's capture, so the skip is always seen.
    let _ = writeln!(std::io::stderr(), "{line}");
    None
}

/// Finds `name` on PATH, or in the sbin directories a non-root PATH may lack (xrdp is in /usr/sbin).
fn find(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// What stops `xrdp --nodaemon` from serving every configuration here.
fn xrdp_blockers() -> Vec<String> {
    let mut blockers = Vec::new();
    if Path::new(XRDP_PID_FILE).exists() {
        blockers.push(format!(
            "{XRDP_PID_FILE} exists (an xrdp daemon runs, or the file is stale: xrdp --nodaemon \
             refuses to start while it exists)"
        ));
    }
    if std::fs::File::open(XRDP_RSA_KEYS).is_err() {
        blockers.push(format!(
            "{XRDP_RSA_KEYS} is not readable (Standard RDP Security needs it: run as root or as \
             the xrdp user)"
        ));
    }
    if !Path::new(XRDP_INI).is_file() {
        blockers.push(format!("{XRDP_INI} not found"));
    }
    blockers
}
