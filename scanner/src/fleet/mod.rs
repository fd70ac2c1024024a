//! The simulated fleet: fake RDP servers on loopback that play every behaviour the scanner
//! must recognise. STUB: owned by the fleet helper. Signatures are the agreed interface.

use std::net::IpAddr;

use ipnetwork::IpNetwork;

/// Which behaviours the fleet's addresses play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Every address plays one behaviour of [`MIXED`], in order, cycling.
    Mixed,
    /// Every address completes TLS 1.3 with an ECDSA P-256 certificate (for benchmarks).
    Healthy,
}

/// One behaviour a simulated host plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Healthy,
}

/// The mixed profile's behaviours in address order (offset 0 of the range first).
pub const MIXED: &[Behaviour] = &[Behaviour::Healthy];

/// What to serve.
#[derive(Debug, Clone)]
pub struct FleetConfig {
    pub range: IpNetwork,
    pub port: u16,
    pub profile: Profile,
}

/// Why the fleet could not start.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FleetError(pub String);

/// A running fleet; dropping it or calling `shutdown` stops every server.
pub struct Fleet {}

impl Fleet {
    /// Refuses ranges outside 127.0.0.0/8 and ::1, generates certificates, binds every
    /// listener, and returns once all of them listen.
    pub async fn start(config: FleetConfig) -> Result<Fleet, FleetError> {
        let _ = config;
        Err(FleetError("not implemented yet".into()))
    }

    /// Every address of the range with the behaviour it plays.
    pub fn hosts(&self) -> Vec<(IpAddr, Behaviour)> {
        Vec::new()
    }

    /// Stops every server.
    pub fn shutdown(self) {}
}
