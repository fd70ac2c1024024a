//! The suite's child processes: each in its own process group under coreutils `timeout` (so
//! nothing outlives a killed test run by more than its cap), killed with its whole group when
//! dropped, whatever happens. Readiness is read from /proc/net/tcp, without connecting (a probe
//! connection would be one more client for the server).

use std::fs::File;
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long a server may live at most: well over the suite's few minutes.
pub const SERVER_CAP: Duration = Duration::from_secs(900);

/// `program`, run by `timeout` for at most `cap` (then TERM, and KILL 5 s later).
pub fn capped(program: &Path, cap: Duration) -> Command {
    let mut cmd = Command::new("timeout");
    cmd.arg("--kill-after=5")
        .arg(cap.as_secs().max(1).to_string())
        .arg(program);
    cmd
}

/// `program` with line-buffered stdout and stderr, so its log survives a kill.
pub fn line_buffered(program: &Path, cap: Duration) -> Command {
    let mut cmd = capped(Path::new("stdbuf"), cap);
    cmd.args(["-oL", "-eL"]).arg(program);
    cmd
}

/// A running child and its process group.
pub struct Proc {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Proc {
    /// Starts `cmd` in a process group of its own, stdout into `stdout` and stderr into `log`
    /// (the same file when they are equal).
    pub fn spawn(name: &str, mut cmd: Command, stdin: Stdio, stdout: &Path, log: &Path) -> Proc {
        let err = File::create(log).unwrap_or_else(|e| panic!("create {}: {e}", log.display()));
        let out = match stdout == log {
            true => err.try_clone().expect("clone the log file"),
            false => {
                File::create(stdout).unwrap_or_else(|e| panic!("create {}: {e}", stdout.display()))
            }
        };
        let child = cmd
            .process_group(0)
            .stdin(stdin)
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("start {name} ({cmd:?}): {e}"));
        Proc {
            name: name.to_string(),
            child,
            log: log.to_path_buf(),
        }
    }

    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// The exit status, if the process has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("poll a child")
    }

    /// The last lines of the process's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// Waits until something listens on `addr`; panics with the log when the process exits
    /// first or `within` passes.
    pub fn wait_listening(&mut self, addr: SocketAddr, within: Duration) {
        let started = Instant::now();
        while !listening(addr) {
            if let Some(status) = self.exited() {
                panic!(
                    "{} exited ({status}) before listening on {addr}:\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            if started.elapsed() > within {
                panic!(
                    "{} not listening on {addr} after {within:?}:\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `signal` (`TERM`, `KILL`) to the whole process group.
    fn signal_group(&self, signal: &str) {
        let _ = Command::new("kill")
            .args(["-s", signal, "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
    }

    /// Kills the group at once and reaps the child.
    pub fn kill(&mut self) {
        self.signal_group("KILL");
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    /// TERM to the group, up to 3 s for the child to exit, then KILL to whatever is left of the
    /// group (a child's own children included).
    fn drop(&mut self) {
        if self.exited().is_none() {
            self.signal_group("TERM");
            let started = Instant::now();
            while self.exited().is_none() && started.elapsed() < Duration::from_secs(3) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.signal_group("KILL");
        let _ = self.child.wait();
    }
}

/// True when a socket listens on `addr` (read from /proc/net/tcp or tcp6).
pub fn listening(addr: SocketAddr) -> bool {
    let (table, local) = match addr {
        SocketAddr::V4(a) => ("/proc/net/tcp", proc_hex(&a.ip().octets(), a.port())),
        SocketAddr::V6(a) => ("/proc/net/tcp6", proc_hex(&a.ip().octets(), a.port())),
    };
    let text = std::fs::read_to_string(table).unwrap_or_default();
    text.lines().skip(1).any(|line| {
        let mut fields = line.split_whitespace().skip(1);
        let (Some(address), Some(_remote), Some(state)) =
            (fields.next(), fields.next(), fields.next())
        else {
            return false;
        };
        address == local && state == "0A" // TCP_LISTEN
    })
}

/// An address as /proc/net/tcp writes it: each 32-bit word in host (little-endian) order, in
/// hex, then the port.
fn proc_hex(octets: &[u8], port: u16) -> String {
    let words: String = octets
        .chunks(4)
        .map(|w| format!("{:08X}", u32::from_le_bytes([w[0], w[1], w[2], w[3]])))
        .collect();
    format!("{words}:{port:04X}")
}

/// An X server for the client (xfreerdp opens a display even with `+auth-only`) and for the
/// FreeRDP shadow server to share. `-noreset`: without it Xvfb resets when its last client
/// leaves, and a client connecting at that moment fails ("failed to open display").
pub struct Display {
    pub name: String,
    _proc: Proc,
}

impl Display {
    pub fn start(xvfb: &Path, dir: &Path) -> Display {
        let number_file = dir.join("xvfb.display");
        let mut cmd = capped(xvfb, SERVER_CAP);
        // -displayfd 1: Xvfb picks a free display and writes its number on stdout when ready.
        cmd.args(["-displayfd", "1", "-noreset", "-nolisten", "tcp"])
            .args(["-screen", "0", "1024x768x24"]);
        let mut proc = Proc::spawn(
            "Xvfb",
            cmd,
            Stdio::null(),
            &number_file,
            &dir.join("xvfb.log"),
        );
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(&number_file).unwrap_or_default();
            if let Some(number) = text.strip_suffix('\n') {
                return Display {
                    name: format!(":{}", number.trim()),
                    _proc: proc,
                };
            }
            if let Some(status) = proc.exited() {
                panic!("Xvfb exited ({status}):\n{}", proc.log_tail());
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "Xvfb gave no display number in 20 s:\n{}",
                proc.log_tail()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_net_tcp_addresses_are_little_endian_words() {
        // As the kernel prints 127.0.0.1:23690 and [::1]:23600.
        assert_eq!(proc_hex(&[127, 0, 0, 1], 23690), "0100007F:5C8A");
        let v6: std::net::Ipv6Addr = "::1".parse().unwrap();
        assert_eq!(
            proc_hex(&v6.octets(), 23600),
            "00000000000000000000000001000000:5C30"
        );
    }
}
