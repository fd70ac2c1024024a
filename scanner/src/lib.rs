//! rdpsweep: find the Remote Desktop listeners that make clients fail with 0x904 (extended 0x7).
//!
//! The library holds the whole scanner; `main.rs` only parses the command line.
//! - [`proto`]: sans-IO codec of the X.224 / RDP negotiation exchange.
//! - [`tls`]: the scanning TLS client (accept-anything verifier) and the hand-built legacy
//!   ClientHello for TLS 1.0/1.1-only hosts.
//! - [`cert`]: what an X.509 certificate says, as a [`rdpsweep_reports::CertInfo`].
//! - [`targets`]: streaming expansion of addresses, CIDRs, names and excludes.
//! - [`probe`]: the probe engine, the one place that does network I/O, one deadline per stage.
//! - [`sweep`]: runs probes over a target stream under a rate limit and a concurrency bound.
//! - [`fleet`]: the simulated fleet of RDP servers on loopback, for tests, demos and benchmarks.

pub mod cert;
pub mod fleet;
pub mod probe;
pub mod proto;
pub mod resume;
pub mod sweep;
pub mod targets;
pub mod tls;
