//! rdpsweep: find the Remote Desktop listeners that make clients fail with 0x904 (extended 0x7).
//!
//! The library holds the whole scanner; `main.rs` only parses the command line.
//! - [`tls`]: the scanning TLS client (accept-anything verifier).
//! - [`cert`]: what an X.509 certificate says, as a [`rdpsweep_reports::CertInfo`].
//! - [`targets`]: streaming expansion of addresses, CIDRs, names and excludes.
//! - [`probe`]: the probe engine, the one place that does network I/O, one deadline per stage.
//! - [`sweep`]: runs probes over a target stream under a rate limit and a concurrency bound.
//! - [`rate`]: the connection rate limit, waited on with the runtime's timer.
//!
//! The codec is the `rdpsweep-codec` crate; the simulated fleet is `rdpsweep-fleet`.

pub mod cert;
pub mod probe;
pub mod rate;
pub mod resume;
pub mod sweep;
pub mod targets;
pub mod tls;
pub mod trust;
pub mod wire;
