//! The driver shared by the real servers' tests: a table of configurations, each started, run
//! through the client as both users, then scanned; the client's results printed and checked
//! against what the configuration is built to show, then the scan compared with them.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

use crate::certs::{Cert, Pki, NAME};
use crate::classify::{Bar, ClientRun, Got};
use crate::client::{in_parallel, Client, Mode, Request};
use crate::compare::{column, disagreements, expected, scan, Expected, Host};
use crate::util::{Row, TestDir};

/// A real client run against a real server completes in about a second; this only bounds a
/// broken one.
pub const CLIENT_DEADLINE: Duration = Duration::from_secs(20);
/// Client runs at once (xfreerdp mostly waits on the server).
pub const CLIENTS_AT_ONCE: usize = 4;

/// One server configuration.
pub struct Config {
    pub label: &'static str,
    pub port: u16,
    /// The certificate the server presents over TLS, if it speaks TLS.
    pub cert: Option<Cert>,
    /// Client options the configuration needs for both users (a documented client tune).
    pub client_extra: &'static [&'static str],
    /// What the configuration is built to make the client get: lenient user, strict user.
    pub expect: (Got, Got),
    /// More client runs (lenient user) that document a difference, and what each must show.
    pub also: &'static [AlsoRun],
    /// Its only fault is a sound self-signed certificate (the Windows default): it warns, is no
    /// risk under the default policy, and fails under the strict client policy (issue 11).
    pub sound_self_signed: bool,
}

impl Config {
    /// The fields a table entry leaves out: no certificate, no client options, the client
    /// completes as both users.
    pub const BASE: Config = Config {
        label: "",
        port: 0,
        cert: None,
        client_extra: &[],
        expect: (Got::SetupCompleted, Got::SetupCompleted),
        also: &[],
        sound_self_signed: false,
    };
}

/// A lenient client run with other options, and what it must show.
pub struct AlsoRun {
    pub what: &'static str,
    /// Replaces the configuration's `client_extra`.
    pub extra: &'static [&'static str],
    pub holds: fn(&ClientRun) -> bool,
}

/// The address `localhost` resolves to first, as the scanner will resolve it: every real
/// server listens there, so the scan is given the name and the certificate's name is checked.
pub fn localhost() -> IpAddr {
    let ip = (NAME, 0)
        .to_socket_addrs()
        .expect("resolve localhost")
        .next()
        .expect("localhost has an address")
        .ip();
    assert!(ip.is_loopback(), "localhost resolves to {ip}, not loopback");
    ip
}

/// Runs every configuration (its server already listening) through the client, prints what it
/// got, checks it against `expect` and `also`, then scans them all by name with the test CA,
/// with the default and with the strict client policy, and compares.
pub fn run_and_compare(
    group: &str,
    configs: &[&Config],
    client: &Client,
    pki: &Pki,
    dir: &TestDir,
) {
    let ip = localhost();
    let addr = |c: &Config| SocketAddr::new(ip, c.port);
    let mut requests = Vec::new();
    for c in configs {
        for mode in [Mode::Lenient, Mode::Strict] {
            requests.push((addr(c), mode, c.client_extra));
        }
        for also in c.also {
            requests.push((addr(c), Mode::Lenient, also.extra));
        }
    }
    let runs = in_parallel(CLIENTS_AT_ONCE, &requests, |(addr, mode, extra)| {
        client.run(&Request {
            addr: *addr,
            mode: *mode,
            name: Some(NAME),
            extra,
            stop_at: None,
            deadline: CLIENT_DEADLINE,
        })
    });

    println!("== {group}: what xfreerdp 2.11 got");
    let mut wrong = Vec::new();
    let mut hosts = Vec::new();
    let mut sound_self_signed = Vec::new();
    let mut runs = runs.into_iter();
    for c in configs {
        let lenient = runs.next().expect("lenient run");
        let strict = runs.next().expect("strict run");
        let got = (
            lenient.got(Bar::SecuritySetUp),
            strict.got(Bar::SecuritySetUp),
        );
        println!(
            "{:<28} lenient {:<40} strict {}",
            c.label,
            lenient.summary(Bar::SecuritySetUp),
            strict.summary(Bar::SecuritySetUp)
        );
        if got != c.expect {
            wrong.push(format!(
                "{}: the client got {got:?}, the configuration is built for {:?}; lenient {:?}; \
                 strict {:?}",
                c.label, c.expect, lenient.evidence, strict.evidence
            ));
        }
        for also in c.also {
            let run = runs.next().expect("documenting run");
            println!(
                "{:<28}   {}: {}",
                "",
                also.what,
                run.summary(Bar::SecuritySetUp)
            );
            if !(also.holds)(&run) {
                wrong.push(format!(
                    "{}, {}: not so: {} {:?}",
                    c.label,
                    also.what,
                    run.summary(Bar::SecuritySetUp),
                    run.evidence
                ));
            }
        }
        hosts.push(Host {
            label: c.label.to_string(),
            addr: addr(c),
            lenient,
            strict,
            name_matches: c.cert.map(|cert| cert.name() == NAME),
        });
        if c.sound_self_signed {
            sound_self_signed.push(addr(c));
        }
    }
    assert!(wrong.is_empty(), "{group}: {}", wrong.join("\n"));

    let ports: Vec<String> = configs.iter().map(|c| c.port.to_string()).collect();
    let mut args = vec![NAME.to_string(), "-p".to_string(), ports.join(",")];
    args.extend(["--ca-file".to_string(), pki.ca.display().to_string()]);
    for (policy, strict_policy) in [("default", false), ("strict", true)] {
        let mut policy_args = args.clone();
        if strict_policy {
            policy_args.extend(["--client-policy".to_string(), "strict".to_string()]);
        }
        println!("== {group}: rdpsweep scan {policy_args:?}");
        let rows = scan(dir, &format!("scan-{policy}"), &policy_args);
        let wrong = disagreements(&hosts, &rows, Bar::SecuritySetUp, strict_policy);
        assert!(
            wrong.is_empty(),
            "{group}, {policy} client policy: the scan disagrees with the client:\n{}",
            wrong.join("\n")
        );
        for host in hosts.iter().filter(|h| sound_self_signed.contains(&h.addr)) {
            sound_self_signed_is_no_risk_by_default(host, &rows[&host.addr], strict_policy);
        }
    }
}

/// A host whose only fault is a sound self-signed certificate: the client warns; the scan says
/// `warns` and level `none` under the default policy, `fails` and `high` under the strict one.
fn sound_self_signed_is_no_risk_by_default(host: &Host, row: &Row, strict_policy: bool) {
    assert_eq!(
        expected(host, true, Bar::SecuritySetUp).0,
        Expected::Is("warns"),
        "{}: the client warns",
        host.label
    );
    let want = match strict_policy {
        false => ("warns", "none"),
        true => ("fails", "high"),
    };
    let got = (column(row, "client_outcome"), column(row, "risk_level"));
    assert_eq!(got, want, "{}: outcome and risk level", host.label);
}
