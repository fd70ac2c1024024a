//! The simulated fleet's behaviours through the same client check. The fleet does not play a
//! whole RDP session: after TLS it holds, after its MCS answer it holds. So for a fleet host
//! "completed" means the client got past TLS and the certificate check, or past the negotiation
//! of standard RDP security: it reached NLA or MCS ([`Bar::PastNegotiation`]); the client is
//! stopped there. The strict user trusts nothing the fleet presents and types no name (the hosts
//! are scanned by address).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::classify::Bar;
use crate::client::{in_parallel, Client, Mode, Request};
use crate::compare::{disagreements, print_clients, scan, Host};
use crate::prereq::require;
use crate::process::Display;
use crate::util::{Fleet, TestDir};

/// A fleet host that has not got past the negotiation in this long never will: the ones that
/// answer do within about 2 s (`slow` waits 1.5 s), the rest is margin for a loaded machine;
/// silent, stalled or trickling hosts hang the client (`trickle` sends its 19-byte Confirm over 18 s).
const FLEET_DEADLINE: Duration = Duration::from_secs(8);
/// Client runs at once: most of a fleet run is waiting.
const CLIENTS_AT_ONCE: usize = 6;

#[test]
fn the_mixed_fleet_agrees_with_the_client() {
    fleet_against_the_client("mixed", "127.236.0.0/27", 23690, &[]);
}

#[test]
fn the_hostile_fleet_agrees_with_the_client() {
    fleet_against_the_client("hostile", "127.236.2.0/27", 23692, &[]);
}

#[test]
fn the_deep_fleet_agrees_with_the_client() {
    fleet_against_the_client("deep", "127.236.1.0/27", 23691, &["--deep"]);
}

fn fleet_against_the_client(profile: &str, range: &str, port: u16, scan_args: &[&str]) {
    let Some(programs) = require(&format!("{profile} fleet"), &["xfreerdp", "Xvfb"]) else {
        return;
    };
    let dir = TestDir::new();
    let work = dir.join("work");
    std::fs::create_dir_all(&work).expect("work directory");
    let display = Display::start(programs.path("Xvfb"), &work);
    let client = Client::new(
        programs.path("xfreerdp"),
        &display.name,
        &dir.join("client"),
        None,
    );
    let fleet = Fleet::start(range, port, profile);
    // The first address of each behaviour (a range larger than the profile repeats them).
    let mut behaviours: Vec<(SocketAddr, &str)> = Vec::new();
    for (ip, behaviour) in &fleet.hosts {
        if behaviours.iter().all(|(_, b)| b != behaviour) {
            let ip: IpAddr = ip.parse().expect("a fleet address");
            behaviours.push((SocketAddr::new(ip, port), behaviour));
        }
    }
    let requests: Vec<(SocketAddr, Mode)> = behaviours
        .iter()
        .flat_map(|(addr, _)| [(*addr, Mode::Lenient), (*addr, Mode::Strict)])
        .collect();
    let mut runs = in_parallel(CLIENTS_AT_ONCE, &requests, |(addr, mode)| {
        client.run(&Request {
            addr: *addr,
            mode: *mode,
            name: None,
            extra: &[],
            stop_at: Some(Bar::PastNegotiation),
            deadline: FLEET_DEADLINE,
        })
    })
    .into_iter();
    let hosts: Vec<Host> = behaviours
        .iter()
        .map(|(addr, behaviour)| Host {
            label: behaviour.to_string(),
            addr: *addr,
            lenient: runs.next().expect("lenient run"),
            strict: runs.next().expect("strict run"),
            name_matches: None,
        })
        .collect();

    println!("== {profile} fleet: what xfreerdp 2.11 got (stopped once past the negotiation)");
    print_clients(&hosts, Bar::PastNegotiation);

    let mut args = vec![range.to_string(), "-p".to_string(), port.to_string()];
    args.extend(scan_args.iter().map(|a| a.to_string()));
    println!("== {profile} fleet: rdpsweep scan {args:?}");
    let rows = scan(&dir, "scan", &args);
    let wrong = disagreements(&hosts, &rows, Bar::PastNegotiation, false);
    assert!(
        wrong.is_empty(),
        "{profile} fleet: the scan disagrees with the client:\n{}",
        wrong.join("\n")
    );
}
