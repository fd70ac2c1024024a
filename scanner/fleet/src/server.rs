//! Listeners and accept loops: one task per listener, one task per connection, all stopped
//! when the fleet's stop channel closes.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ipnetwork::IpNetwork;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::watch;
use tracing::debug;

use super::certs::Certs;
use super::play::play;
use super::{spec_at, FleetError, HostSpec, Profile};

/// The listen backlog of every listener.
pub const BACKLOG: u32 = 4096;
/// The pause after a failed accept (e.g. out of file descriptors) before the next one.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

/// Which connections a listener serves, and with what row.
#[derive(Debug, Clone, Copy)]
pub enum Accepts {
    /// A listener bound to one address of the range: every connection plays this row.
    One(&'static HostSpec),
    /// A wildcard listener: loopback peers that dialed an address of `range` get the row of
    /// `profile` that address plays; any other connection is closed at once.
    Range { range: IpNetwork, profile: Profile },
}

/// How many connections each address of the fleet has accepted and served, so that a test can
/// check a scanner's politeness from the servers' side.
#[derive(Debug, Default)]
pub struct ConnectionCounts(Mutex<BTreeMap<IpAddr, u64>>);

impl ConnectionCounts {
    fn add(&self, addr: IpAddr) {
        let mut counts = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *counts.entry(addr).or_default() += 1;
    }

    /// Every address that accepted a connection, with how many.
    pub fn snapshot(&self) -> BTreeMap<IpAddr, u64> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// Binds `addr` with SO_REUSEADDR and a backlog of [`BACKLOG`].
pub fn bind(addr: SocketAddr) -> Result<TcpListener, FleetError> {
    let fail = |e: std::io::Error| FleetError(format!("cannot listen on {addr}: {e}"));
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(fail)?;
    socket.set_reuseaddr(true).map_err(fail)?;
    socket.bind(addr).map_err(fail)?;
    socket.listen(BACKLOG).map_err(fail)
}

/// Accepts connections until `stop` closes, each played on its own task and counted in
/// `counts` under the local address it dialed.
pub async fn accept_loop(
    listener: TcpListener,
    accepts: Accepts,
    certs: Arc<Certs>,
    counts: Arc<ConnectionCounts>,
    mut stop: watch::Receiver<()>,
) {
    loop {
        let accepted = tokio::select! {
            _ = stop.changed() => return,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                debug!(error = %e, "fleet accept failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let local = match stream.local_addr() {
            Ok(local) => local,
            Err(e) => {
                debug!(%peer, error = %e, "fleet connection without a local address, closed");
                continue;
            }
        };
        let served = match accepts {
            Accepts::One(spec) => Some(spec),
            Accepts::Range { range, profile } if peer.ip().is_loopback() => {
                spec_at(&range, local.ip(), profile)
            }
            Accepts::Range { .. } => None,
        };
        let Some(spec) = served else {
            debug!(%peer, %local, "fleet connection outside the range or not from loopback, closed");
            continue;
        };
        counts.add(local.ip());
        debug!(%peer, %local, behaviour = spec.name, "fleet connection");
        let certs = certs.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = stop.changed() => {}
                played = play(spec, stream, certs) => {
                    if let Err(e) = played {
                        debug!(%peer, %local, behaviour = spec.name, error = %e, "fleet connection ended");
                    }
                }
            }
        });
    }
}
