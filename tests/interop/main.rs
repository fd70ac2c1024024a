//! The interop suite: real RDP servers (xrdp 0.9, freerdp-shadow-cli 2.11, weston 10's RDP
//! backend) in several configurations, and the simulated fleet, each tried by the real client
//! xfreerdp 2.11 as a lenient and a strict user and scanned by the real `rdpsweep scan`; the
//! scan's `client_outcome` must say what the client got, host by host. Loopback only, ports
//! 23600-23699. Where the programs are missing every test prints why and passes, except under
//! `CI=true`. See README.md here.

mod certs;
mod classify;
mod client;
mod compare;
mod fleet;
mod prereq;
mod process;
mod real;
mod real_servers;
mod servers;

/// The end-to-end suite's harness: the binary under test, the simulated fleet, hosts.csv.
#[path = "../e2e/util.rs"]
#[allow(dead_code)]
mod util;
