//! Runs the real client, xfreerdp 2.11, with `+auth-only` against one address, as two users:
//! - lenient: `/cert:ignore`, i.e. a user who accepts every certificate prompt;
//! - strict: no `/cert` option and the trust prompt refused (N on stdin), trusting only the test
//!   CA (`SSL_CERT_FILE`, with an empty `SSL_CERT_DIR` to hide the system store, which on Debian
//!   holds the snakeoil certificate xrdp uses by default) and expecting the name the user typed
//!   (`/cert:name:NAME`).
//!
//! Each run gets a fresh HOME: FreeRDP remembers accepted certificates in
//! `$HOME/.config/freerdp/known_hosts2`, and refuses to start without HOME.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::classify::{classify, Bar, ClientRun, Got};
use crate::process::{line_buffered, Proc};

/// The user the client plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Lenient,
    Strict,
}

/// One client run to make.
pub struct Request<'a> {
    pub addr: SocketAddr,
    pub mode: Mode,
    /// The name the strict user expects in the certificate, if the user typed one.
    pub name: Option<&'a str>,
    /// More xfreerdp options (a `/tune:`, `/tls-seclevel:0`).
    pub extra: &'a [&'a str],
    /// Stop the client once it is past this bar (the fleet holds the connection after that).
    pub stop_at: Option<Bar>,
    /// Stop the client after this long (a silent peer hangs xfreerdp for ever).
    pub deadline: Duration,
}

/// The client's environment: its X display, what the strict user trusts, a work directory.
pub struct Client {
    xfreerdp: PathBuf,
    display: String,
    dir: PathBuf,
    /// The only certificates the strict user trusts (a PEM file; empty when none).
    trusted: PathBuf,
    empty_dir: PathBuf,
    runs: AtomicUsize,
}

impl Client {
    pub fn new(xfreerdp: &Path, display: &str, dir: &Path, trusted: Option<&Path>) -> Client {
        let empty_dir = dir.join("empty-cert-dir");
        std::fs::create_dir_all(&empty_dir).expect("client directories");
        let trusted = match trusted {
            Some(ca) => ca.to_path_buf(),
            None => {
                let none = dir.join("no-trusted-certificates.pem");
                std::fs::write(&none, "").expect("an empty trust file");
                none
            }
        };
        Client {
            xfreerdp: xfreerdp.to_path_buf(),
            display: display.to_string(),
            dir: dir.to_path_buf(),
            trusted,
            empty_dir,
            runs: AtomicUsize::new(0),
        }
    }

    /// Runs xfreerdp once and reads what it got.
    pub fn run(&self, request: &Request) -> ClientRun {
        let n = self.runs.fetch_add(1, Ordering::Relaxed);
        let home = self.dir.join(format!("home-{n}"));
        std::fs::create_dir_all(&home).expect("client HOME");
        let log = self.dir.join(format!("client-{n}.log"));

        let mut cmd = line_buffered(&self.xfreerdp, request.deadline + Duration::from_secs(5));
        // The port apart: xfreerdp 2.11 ignores the port of `/v:[::1]:PORT`.
        let host = match request.addr {
            SocketAddr::V4(a) => a.ip().to_string(),
            SocketAddr::V6(a) => format!("[{}]", a.ip()),
        };
        cmd.arg(format!("/v:{host}"))
            .arg(format!("/port:{}", request.addr.port()))
            .args(["+auth-only", "/u:test", "/p:test"])
            .arg("/log-filters:com.freerdp.core.connection:DEBUG,com.freerdp.core.nego:DEBUG")
            .args(request.extra)
            .env("HOME", &home)
            .env("DISPLAY", &self.display);
        match request.mode {
            Mode::Lenient => {
                cmd.arg("/cert:ignore");
            }
            Mode::Strict => {
                if let Some(name) = request.name {
                    cmd.arg(format!("/cert:name:{name}"));
                }
                cmd.env("SSL_CERT_FILE", &self.trusted)
                    .env("SSL_CERT_DIR", &self.empty_dir);
            }
        }
        let mut proc = Proc::spawn("xfreerdp", cmd, Stdio::piped(), &log, &log);
        if let Some(mut stdin) = proc.child().stdin.take() {
            use std::io::Write;
            // The answer to "Do you trust the above certificate? (Y/T/N)"; EOF after it.
            let _ = stdin.write_all(b"N\n");
        }

        let started = Instant::now();
        let exit = loop {
            if let Some(status) = proc.exited() {
                break status.code();
            }
            let past_bar = request.stop_at.is_some_and(|bar| {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                classify(None, &text).got(bar) == Got::SetupCompleted
            });
            if past_bar || started.elapsed() > request.deadline {
                proc.kill();
                break None;
            }
            std::thread::sleep(Duration::from_millis(25));
        };
        drop(proc);
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        classify(exit, &text)
    }
}

/// Runs `jobs` on `threads` threads at once; results in the order of `jobs`.
pub fn in_parallel<T: Sync, R: Send>(
    threads: usize,
    jobs: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<R>> = (0..jobs.len()).map(|_| None).collect();
    let slots = std::sync::Mutex::new(&mut results);
    std::thread::scope(|scope| {
        for _ in 0..threads.min(jobs.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let result = f(job);
                slots.lock().expect("results")[i] = Some(result);
            });
        }
    });
    results
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}
