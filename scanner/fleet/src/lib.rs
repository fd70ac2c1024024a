//! The simulated fleet: fake RDP servers on loopback that play every behaviour the scanner
//! must recognise, for the end-to-end tests, `demo` and `simulate`.
//!
//! - [`spec`]: the shape of a host specification (what it answers at each stage, its
//!   certificate, the row the scan reports), read by the server, the README and the tests.
//! - [`mixed`], [`deep`], [`healthy`], [`hostile`]: each profile's table of host
//!   specifications, one row per behaviour in address order; [`behaviour`]: the key of a row.
//! - [`policy`]: the deep hosts' building blocks (security-layer policy, standard security,
//!   NTLM identity).
//! - [`readme`]: the README's fleet tables, rendered from the tables.
//! - `certs`: certificates and rustls configurations, made once at start from the rows.
//! - `play`, `play_tls`, `play_deep`, `play_hostile`: a row's answers interpreted on one
//!   connection.
//! - `server`: listeners and accept loops, and the count of connections per address.
//!
//! The fleet only ever listens on 127.0.0.0/8 or ::1 and refuses any other range. The mixed,
//! deep and hostile profiles bind one listener per address (except `no-listener` addresses,
//! which the kernel then refuses); the healthy profile binds one wildcard listener and serves the addresses of the
//! range by the local address each connection dialed.

pub mod behaviour;
mod certs;
mod certs_hostile;
pub mod deep;
pub mod healthy;
pub mod hostile;
pub mod mixed;
mod play;
mod play_deep;
mod play_hostile;
mod play_tls;
pub mod policy;
pub mod readme;
mod server;
pub mod spec;

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use ipnetwork::IpNetwork;
use tokio::sync::watch;

pub use behaviour::Behaviour;
pub use certs::CA_COMMON_NAME;
pub use deep::NTLM_CLOCK_AHEAD_S;
pub use mixed::{FORMULA_COMMON_NAME, SLOW_DELAY, TRICKLE_INTERVAL};
pub use spec::HostSpec;

use certs::Certs;
use server::{Accepts, ConnectionCounts};
use spec::Tcp;

/// The most addresses a mixed fleet serves: one listener (one file descriptor) each.
pub const MAX_MIXED_HOSTS: u128 = 4096;

/// Which behaviours the fleet's addresses play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Every address plays one row of [`mixed::HOSTS`], in order, cycling.
    Mixed,
    /// Every address completes TLS 1.3 with an ECDSA P-256 certificate ([`healthy::HOSTS`],
    /// for benchmarks).
    Healthy,
    /// Every address plays one row of [`deep::HOSTS`], in order, cycling (for `--deep`).
    Deep,
    /// Every address plays one row of [`hostile::HOSTS`], in order, cycling: servers that
    /// answer malformed, oversized, cut, trickled or endless bytes.
    Hostile,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 4] = [
        Profile::Mixed,
        Profile::Healthy,
        Profile::Deep,
        Profile::Hostile,
    ];

    /// The profile's table: the address at offset *i* plays row *i* mod its length.
    pub fn specs(self) -> &'static [HostSpec] {
        match self {
            Profile::Mixed => mixed::HOSTS,
            Profile::Healthy => healthy::HOSTS,
            Profile::Deep => deep::HOSTS,
            Profile::Hostile => hostile::HOSTS,
        }
    }
}

impl FromStr for Profile {
    type Err = FleetError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "mixed" => Ok(Profile::Mixed),
            "healthy" => Ok(Profile::Healthy),
            "deep" => Ok(Profile::Deep),
            "hostile" => Ok(Profile::Hostile),
            other => Err(FleetError(format!(
                "unknown fleet profile `{other}`, expected mixed, healthy, deep or hostile"
            ))),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Profile::Mixed => "mixed",
            Profile::Healthy => "healthy",
            Profile::Deep => "deep",
            Profile::Hostile => "hostile",
        })
    }
}

/// What to serve.
#[derive(Debug, Clone)]
pub struct FleetConfig {
    /// The addresses to serve; must lie inside 127.0.0.0/8, or be ::1.
    pub range: IpNetwork,
    /// The TCP port every address listens on (not 0).
    pub port: u16,
    pub profile: Profile,
}

/// Why the fleet could not start.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FleetError(pub String);

/// A running fleet; dropping it or calling `shutdown` stops every server.
pub struct Fleet {
    range: IpNetwork,
    profile: Profile,
    /// Connections accepted per address.
    counts: Arc<ConnectionCounts>,
    certs: Arc<Certs>,
    /// Dropping the sender closes the channel, which every accept loop and connection task
    /// watches: that is how the fleet stops.
    _stop: watch::Sender<()>,
}

impl Fleet {
    /// Refuses ranges outside 127.0.0.0/8 and ::1, generates certificates, binds every
    /// listener, and returns once all of them listen.
    pub async fn start(config: FleetConfig) -> Result<Fleet, FleetError> {
        let FleetConfig {
            range,
            port,
            profile,
        } = config;
        check_range(&range)?;
        if port == 0 {
            return Err(FleetError(
                "fleet port 0: choose the port every address listens on".into(),
            ));
        }
        let mut plan = Vec::new();
        match profile {
            Profile::Mixed | Profile::Deep | Profile::Hostile => {
                let size = host_count(&range);
                if size > MAX_MIXED_HOSTS {
                    return Err(FleetError(format!(
                        "{profile} fleet range {range} has {size} addresses, more than {MAX_MIXED_HOSTS}"
                    )));
                }
                for (addr, spec) in specs(&range, profile) {
                    match spec.answers.tcp {
                        Tcp::Listen | Tcp::ResetAtAccept => {
                            plan.push((SocketAddr::new(addr, port), Accepts::One(spec)))
                        }
                        Tcp::NoListener => {}
                    }
                }
            }
            Profile::Healthy => {
                let wildcard = match range {
                    IpNetwork::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                    IpNetwork::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
                };
                let accepts = Accepts::Range { range, profile };
                plan.push((SocketAddr::new(wildcard, port), accepts));
            }
        }

        let mut in_play: Vec<&'static HostSpec> = Vec::new();
        for (_, accepts) in &plan {
            let specs = match *accepts {
                Accepts::One(spec) => std::slice::from_ref(spec),
                Accepts::Range { profile, .. } => profile.specs(),
            };
            for spec in specs {
                if !in_play.iter().any(|s| s.behaviour == spec.behaviour) {
                    in_play.push(spec);
                }
            }
        }
        let certs = Arc::new(Certs::generate(&in_play)?);

        // Bind everything before serving anything, so a failure leaves nothing running.
        let mut listeners = Vec::with_capacity(plan.len());
        for (addr, accepts) in plan {
            listeners.push((server::bind(addr)?, accepts));
        }
        let (stop, stopped) = watch::channel(());
        let counts = Arc::new(ConnectionCounts::default());
        for (listener, accepts) in listeners {
            tokio::spawn(server::accept_loop(
                listener,
                accepts,
                certs.clone(),
                counts.clone(),
                stopped.clone(),
            ));
        }
        tracing::debug!(%range, port, %profile, "fleet listening");
        Ok(Fleet {
            range,
            profile,
            counts,
            certs,
            _stop: stop,
        })
    }

    /// The certificate (PEM) of the CA that issues the fleet's CA-issued hosts' certificates:
    /// given to `scan --ca-file`, those hosts' chains are trusted, as an enterprise CA's are.
    pub fn ca_pem(&self) -> &str {
        self.certs.ca_pem()
    }

    /// Every address of the range with the behaviour it plays.
    pub fn hosts(&self) -> Vec<(IpAddr, Behaviour)> {
        specs(&self.range, self.profile)
            .map(|(addr, spec)| (addr, spec.behaviour))
            .collect()
    }

    /// The first address that plays `behaviour`, if the range holds one.
    pub fn addr_of(&self, behaviour: Behaviour) -> Option<IpAddr> {
        specs(&self.range, self.profile)
            .find(|(_, spec)| spec.behaviour == behaviour)
            .map(|(addr, _)| addr)
    }

    /// How many connections each address has accepted so far (addresses with none are left
    /// out).
    pub fn connection_counts(&self) -> BTreeMap<IpAddr, u64> {
        self.counts.snapshot()
    }

    /// Stops every server. Listeners close as their tasks notice, within moments.
    pub fn shutdown(self) {}
}

/// The behaviour `addr` plays in a fleet serving `range`, or `None` when `addr` is outside it.
pub fn behaviour_at(range: &IpNetwork, addr: IpAddr, profile: Profile) -> Option<Behaviour> {
    spec_at(range, addr, profile).map(|spec| spec.behaviour)
}

/// The row `addr` plays in a fleet serving `range`, or `None` when `addr` is outside it.
pub fn spec_at(range: &IpNetwork, addr: IpAddr, profile: Profile) -> Option<&'static HostSpec> {
    let offset = match (range.network(), addr) {
        (IpAddr::V4(net), IpAddr::V4(a)) if range.contains(addr) => {
            u128::from(u32::from(a) - u32::from(net))
        }
        (IpAddr::V6(net), IpAddr::V6(a)) if range.contains(addr) => u128::from(a) - u128::from(net),
        _ => return None,
    };
    let table = profile.specs();
    let slot = offset.checked_rem(u128::try_from(table.len()).ok()?)?;
    table.get(usize::try_from(slot).ok()?)
}

fn specs(
    range: &IpNetwork,
    profile: Profile,
) -> impl Iterator<Item = (IpAddr, &'static HostSpec)> + '_ {
    range
        .iter()
        .filter_map(move |addr| Some((addr, spec_at(range, addr, profile)?)))
}

fn host_count(range: &IpNetwork) -> u128 {
    match range {
        IpNetwork::V4(net) => u128::from(net.size()),
        IpNetwork::V6(net) => net.size(),
    }
}

/// Accepts 127.0.0.0/8 and its subnets, and ::1/128; nothing else.
fn check_range(range: &IpNetwork) -> Result<(), FleetError> {
    let loopback = match range {
        IpNetwork::V4(net) => net.prefix() >= 8 && net.network().octets()[0] == 127,
        IpNetwork::V6(net) => net.prefix() == 128 && net.ip() == Ipv6Addr::LOCALHOST,
    };
    if loopback {
        Ok(())
    } else {
        Err(FleetError(format!(
            "fleet range {range} is outside loopback: the fleet serves only 127.0.0.0/8 and ::1"
        )))
    }
}
